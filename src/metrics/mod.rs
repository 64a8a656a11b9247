//! Windowed measurements of the market, accumulated as events happen: for each
//! (window, product) the subscriptions and sales that reached their final
//! state, how many filled, the traded volume and the last price; plus run
//! totals, and from them the success probabilities and their correlation with
//! volume.
//!
//! Definitions (see also scenarios/README.md, "Output files"): an order
//! *closes* in the window holding its final state (filled, cancelled,
//! expired, killed unfilled, rejected); it *succeeds* if that state is
//! "filled" in its whole quantity. A holding the platform redeems at the
//! holding limit counts as one closed, failed sale. Only customers' orders
//! count; the platform's own supply orders do not. Volume counts every lot
//! traded, platform trades included.

pub mod stats;

use std::fmt;
use std::io::{self, Write};

use serde::Serialize;

use crate::book::Side;
use crate::calendar::{Calendar, NS_PER_SEC};
use crate::engine::product::ProductSpec;
use crate::platform::Reject;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SideStats {
    pub closed: u64,
    pub filled: u64,
    pub lots: u64,
    pub lots_filled: u64,
}

impl SideStats {
    fn add(&mut self, o: &SideStats) {
        self.closed += o.closed;
        self.filled += o.filled;
        self.lots += o.lots;
        self.lots_filled += o.lots_filled;
    }

    pub fn success(&self) -> Option<f64> {
        (self.closed > 0).then(|| self.filled as f64 / self.closed as f64)
    }

    pub fn fill_ratio(&self) -> Option<f64> {
        (self.lots > 0).then(|| self.lots_filled as f64 / self.lots as f64)
    }
}

#[derive(Clone, Copy, Debug, Default)]
pub struct WindowStats {
    pub buy: SideStats,
    pub sell: SideStats,
    pub volume: u64,
    pub trades: u64,
    pub rejected: u64,
    pub redeemed_failed: u64,
    /// Customers' orders submitted in the window, by side.
    pub buy_orders: u64,
    pub sell_orders: u64,
    /// Absolute tick of the window's last trade.
    pub last_price: Option<i64>,
}

impl WindowStats {
    fn side(&mut self, side: Side) -> &mut SideStats {
        match side {
            Side::Buy => &mut self.buy,
            Side::Sell => &mut self.sell,
        }
    }
}

/// Run totals of one product.
#[derive(Clone, Debug, Default)]
pub struct Totals {
    pub submitted_buy: u64,
    pub submitted_sell: u64,
    pub rejected: [u64; Reject::ALL.len()],
    pub cancel_requests: u64,
    pub cancels_too_late: u64,
    pub turnover_micros: i128,
    pub redeemed_failed_lots: u64,
    pub matured_lots: u64,
}

/// The environment during a window (values at its start, after any change
/// scripted for that moment), and the crowd's mood at its end.
#[derive(Clone, Copy, Debug, Default)]
pub struct WindowEnv {
    pub loan_rate: f64,
    pub deposit_rate: f64,
    pub price_level: f64,
    pub shock: f64,
    /// Share of optimists among all herd-following customers; none without them.
    pub optimist_share: Option<f64>,
}

pub struct Metrics {
    n_products: usize,
    windows: Vec<WindowStats>,
    env: Vec<WindowEnv>,
    totals: Vec<Totals>,
}

impl Metrics {
    pub fn new(n_windows: usize, n_products: usize) -> Metrics {
        Metrics {
            n_products,
            windows: vec![WindowStats::default(); n_windows * n_products],
            env: vec![WindowEnv::default(); n_windows],
            totals: vec![Totals::default(); n_products],
        }
    }

    #[inline]
    fn at(&mut self, window: usize, product: usize) -> &mut WindowStats {
        &mut self.windows[window * self.n_products + product]
    }

    pub fn window(&self, window: usize, product: usize) -> &WindowStats {
        &self.windows[window * self.n_products + product]
    }

    pub fn totals(&self, product: usize) -> &Totals {
        &self.totals[product]
    }

    pub fn env(&self, window: usize) -> &WindowEnv {
        &self.env[window]
    }

    pub fn env_mut(&mut self, window: usize) -> &mut WindowEnv {
        &mut self.env[window]
    }

    pub fn n_windows(&self) -> usize {
        self.env.len()
    }

    #[inline]
    pub fn submitted(&mut self, window: usize, product: usize, side: Side) {
        let t = &mut self.totals[product];
        match side {
            Side::Buy => t.submitted_buy += 1,
            Side::Sell => t.submitted_sell += 1,
        }
        let w = self.at(window, product);
        match side {
            Side::Buy => w.buy_orders += 1,
            Side::Sell => w.sell_orders += 1,
        }
    }

    #[inline]
    pub fn closed(&mut self, window: usize, product: usize, side: Side, lots: u32, filled: u32) {
        let s = self.at(window, product).side(side);
        s.closed += 1;
        s.filled += u64::from(filled == lots);
        s.lots += u64::from(lots);
        s.lots_filled += u64::from(filled);
    }

    pub fn rejected(&mut self, window: usize, product: usize, side: Side, lots: u32, why: Reject) {
        self.closed(window, product, side, lots, 0);
        self.at(window, product).rejected += 1;
        self.totals[product].rejected[why as usize] += 1;
    }

    #[inline]
    pub fn traded(&mut self, window: usize, product: usize, price: i64, lots: u32, value_micros: i64) {
        let w = self.at(window, product);
        w.volume += u64::from(lots);
        w.trades += 1;
        w.last_price = Some(price);
        self.totals[product].turnover_micros += i128::from(value_micros);
    }

    pub fn cancel_requested(&mut self, product: usize, too_late: bool) {
        let t = &mut self.totals[product];
        t.cancel_requests += 1;
        t.cancels_too_late += u64::from(too_late);
    }

    /// A cohort redeemed by the platform: at the holding limit, one failed sale.
    pub fn redeemed(&mut self, window: usize, product: usize, lots: u32, failed: bool) {
        if failed {
            self.closed(window, product, Side::Sell, lots, 0);
            self.at(window, product).redeemed_failed += 1;
            self.totals[product].redeemed_failed_lots += u64::from(lots);
        } else {
            self.totals[product].matured_lots += u64::from(lots);
        }
    }

    /// Per-window stats of all products together (last price: none).
    fn all_products(&self) -> Vec<WindowStats> {
        self.windows
            .chunks(self.n_products)
            .map(|ws| {
                let mut all = WindowStats::default();
                for w in ws {
                    all.buy.add(&w.buy);
                    all.sell.add(&w.sell);
                    all.volume += w.volume;
                    all.trades += w.trades;
                    all.rejected += w.rejected;
                    all.redeemed_failed += w.redeemed_failed;
                    all.buy_orders += w.buy_orders;
                    all.sell_orders += w.sell_orders;
                }
                all
            })
            .collect()
    }

    /// Writes `metrics.csv`: one row per (window, product), windows in time order.
    pub fn write_csv(&self, cal: &Calendar, products: &[ProductSpec], out: &mut impl Write) -> io::Result<()> {
        writeln!(
            out,
            "product,window,day,date,t_start,t_end,buy_closed,buy_filled,sub_success,sell_closed,sell_filled,sale_success,volume,last_price,loan_rate,trades,buy_lots,buy_lots_filled,sell_lots,sell_lots_filled,rejected,redeemed_failed,deposit_rate,price_level,shock,optimist_share,buy_orders,sell_orders"
        )?;
        let mut last: Vec<Option<i64>> = vec![None; self.n_products];
        for w in 0..self.env.len() {
            let env = &self.env[w];
            let (day, start, end) = cal.window_bounds(w);
            for (p, spec) in products.iter().enumerate() {
                let s = self.window(w, p);
                if s.last_price.is_some() {
                    last[p] = s.last_price;
                }
                writeln!(
                    out,
                    "{},{w},{day},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
                    spec.id,
                    cal.day(day).date,
                    Secs(start),
                    Secs(end),
                    s.buy.closed,
                    s.buy.filled,
                    OptDisplay(s.buy.success()),
                    s.sell.closed,
                    s.sell.filled,
                    OptDisplay(s.sell.success()),
                    s.volume,
                    OptDisplay(last[p].map(|t| Micros(t * spec.tick_micros))),
                    env.loan_rate,
                    s.trades,
                    s.buy.lots,
                    s.buy.lots_filled,
                    s.sell.lots,
                    s.sell.lots_filled,
                    s.rejected,
                    s.redeemed_failed,
                    env.deposit_rate,
                    env.price_level,
                    env.shock,
                    OptDisplay(env.optimist_share),
                    s.buy_orders,
                    s.sell_orders,
                )?;
            }
        }
        Ok(())
    }

    /// The run's summary, per product and for all products.
    pub fn summary(&self, products: &[ProductSpec]) -> Summary {
        let n_windows = self.env.len();
        let mut per_product = Vec::with_capacity(products.len());
        for (p, spec) in products.iter().enumerate() {
            let series: Vec<WindowStats> = (0..n_windows).map(|w| *self.window(w, p)).collect();
            per_product.push(block(spec.id.clone(), &series, std::slice::from_ref(&self.totals[p])));
        }
        let all = block("all".into(), &self.all_products(), &self.totals);
        Summary { windows: n_windows, products: per_product, all }
    }
}

/// Nanoseconds on the simulation clock, displayed as exact decimal seconds.
#[derive(Clone, Copy, Debug)]
pub struct Secs(pub i64);

impl fmt::Display for Secs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fixed_point(f, self.0, NS_PER_SEC as u64, 9)
    }
}

/// An amount in micros, displayed as an exact plain decimal (1000100 -> "1.0001").
#[derive(Clone, Copy, Debug)]
pub struct Micros(pub i64);

impl fmt::Display for Micros {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fixed_point(f, self.0, 1_000_000, 6)
    }
}

/// Writes `v / scale` exactly, without trailing zeros and without allocating.
fn fixed_point(f: &mut fmt::Formatter<'_>, v: i64, scale: u64, digits: usize) -> fmt::Result {
    if v < 0 {
        f.write_str("-")?;
    }
    let v = v.unsigned_abs();
    let (whole, mut frac) = (v / scale, v % scale);
    write!(f, "{whole}")?;
    if frac == 0 {
        return Ok(());
    }
    let mut width = digits;
    while frac % 10 == 0 {
        frac /= 10;
        width -= 1;
    }
    write!(f, ".{frac:0width$}")
}

/// Displays nothing for `None`: an empty CSV cell.
struct OptDisplay<T>(Option<T>);

impl<T: fmt::Display> fmt::Display for OptDisplay<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Some(v) => v.fmt(f),
            None => Ok(()),
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    pub windows: usize,
    pub products: Vec<Block>,
    pub all: Block,
}

#[derive(Clone, Debug, Serialize)]
pub struct Block {
    pub product: String,
    pub orders: OrderCounts,
    pub subscriptions: SideSummary,
    pub sales: SideSummary,
    /// Lots traded.
    pub volume: u64,
    pub trades: u64,
    /// Cash traded, in currency units.
    pub turnover: f64,
    pub redeemed_failed_lots: u64,
    pub matured_lots: u64,
    pub correlation: Correlations,
}

#[derive(Clone, Debug, Serialize)]
pub struct OrderCounts {
    pub submitted: u64,
    pub submitted_buy: u64,
    pub submitted_sell: u64,
    pub rejected: u64,
    pub rejected_by_reason: std::collections::BTreeMap<&'static str, u64>,
    pub cancel_requests: u64,
    /// Cancels that arrived after their order had already filled or expired.
    pub cancels_too_late: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct SideSummary {
    pub closed: u64,
    pub filled: u64,
    pub success_probability: Option<f64>,
    pub lots: u64,
    pub lots_filled: u64,
    pub fill_ratio: Option<f64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Correlations {
    pub subscription_success_vs_volume: Correlation,
    pub sale_success_vs_volume: Correlation,
}

/// Correlation across windows; windows where the side closed no order are left out.
#[derive(Clone, Debug, Serialize)]
pub struct Correlation {
    pub pearson: Option<f64>,
    pub spearman: Option<f64>,
    pub windows: usize,
}

fn correlation(series: &[WindowStats], side: impl Fn(&WindowStats) -> &SideStats) -> Correlation {
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for w in series {
        if let Some(p) = side(w).success() {
            x.push(p);
            y.push(w.volume as f64);
        }
    }
    Correlation { pearson: stats::pearson(&x, &y), spearman: stats::spearman(&x, &y), windows: x.len() }
}

fn block(product: String, series: &[WindowStats], totals: &[Totals]) -> Block {
    let mut buy = SideStats::default();
    let mut sell = SideStats::default();
    let (mut volume, mut trades) = (0, 0);
    for w in series {
        buy.add(&w.buy);
        sell.add(&w.sell);
        volume += w.volume;
        trades += w.trades;
    }
    let sum = |f: fn(&Totals) -> u64| totals.iter().map(f).sum::<u64>();
    let mut by_reason = std::collections::BTreeMap::new();
    for r in Reject::ALL {
        by_reason.insert(r.name(), totals.iter().map(|t| t.rejected[r as usize]).sum());
    }
    let side = |s: &SideStats| SideSummary {
        closed: s.closed,
        filled: s.filled,
        success_probability: s.success(),
        lots: s.lots,
        lots_filled: s.lots_filled,
        fill_ratio: s.fill_ratio(),
    };
    Block {
        product,
        orders: OrderCounts {
            submitted: sum(|t| t.submitted_buy + t.submitted_sell),
            submitted_buy: sum(|t| t.submitted_buy),
            submitted_sell: sum(|t| t.submitted_sell),
            rejected: by_reason.values().sum(),
            rejected_by_reason: by_reason,
            cancel_requests: sum(|t| t.cancel_requests),
            cancels_too_late: sum(|t| t.cancels_too_late),
        },
        subscriptions: side(&buy),
        sales: side(&sell),
        volume,
        trades,
        turnover: totals.iter().map(|t| t.turnover_micros).sum::<i128>() as f64 / 1e6,
        redeemed_failed_lots: sum(|t| t.redeemed_failed_lots),
        matured_lots: sum(|t| t.matured_lots),
        correlation: Correlations {
            subscription_success_vs_volume: correlation(series, |w| &w.buy),
            sale_success_vs_volume: correlation(series, |w| &w.sell),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_decimal_formatting() {
        assert_eq!(Micros(1_000_100).to_string(), "1.0001");
        assert_eq!(Micros(2_000_000).to_string(), "2");
        assert_eq!(Micros(-1_500_000).to_string(), "-1.5");
        assert_eq!(Micros(7).to_string(), "0.000007");
        assert_eq!(Secs(34_200_000_000_000).to_string(), "34200");
        assert_eq!(Secs(1_050_000_000).to_string(), "1.05");
    }

    #[test]
    fn success_counts_only_whole_fills_and_rejections_close_orders() {
        let mut m = Metrics::new(2, 1);
        m.closed(0, 0, Side::Buy, 10, 10);
        m.closed(0, 0, Side::Buy, 10, 4);
        m.rejected(0, 0, Side::Buy, 5, Reject::InsufficientCash);
        m.redeemed(1, 0, 7, true);
        let w = m.window(0, 0);
        assert_eq!((w.buy.closed, w.buy.filled, w.buy.lots, w.buy.lots_filled), (3, 1, 25, 14));
        assert_eq!(w.buy.success(), Some(1.0 / 3.0));
        assert_eq!(m.window(1, 0).sell.closed, 1);
        assert_eq!(m.window(1, 0).sell.success(), Some(0.0));
        assert_eq!(m.window(1, 0).buy.success(), None);
    }
}
