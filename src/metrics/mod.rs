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

pub mod credit_fit;
mod direction;
pub mod risk;
pub mod stats;
pub mod stylized;
pub mod summary;

pub use summary::{Correlation, ProductSummary, SideSummary, Summary, SummaryFile};

use std::fmt;

use crate::book::Side;
use crate::calendar::NS_PER_SEC;
use crate::platform::Reject;
use crate::scenario::MetricsSpec;

/// Order outcomes of one side (subscriptions or sales) of a product in a
/// window: the counts the success probability and the fill ratio come from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SideStats {
    /// Customers' orders that reached their final state (filled, cancelled,
    /// expired, killed, rejected), plus failed sales at the holding limit.
    pub closed: u64,
    /// Of the closed orders, those filled in their whole quantity.
    pub filled: u64,
    /// Lots the closed orders asked for.
    pub lots: u64,
    /// Lots of the closed orders that filled.
    pub lots_filled: u64,
    /// Of the closed orders, those the platform refused on arrival (any
    /// [`Reject`] reason: they never reached the book).
    pub rejected: u64,
}

impl SideStats {
    pub(crate) fn add(&mut self, o: &SideStats) {
        self.closed += o.closed;
        self.filled += o.filled;
        self.lots += o.lots;
        self.lots_filled += o.lots_filled;
        self.rejected += o.rejected;
    }

    /// Success probability: filled / closed; None when nothing closed.
    pub fn success(&self) -> Option<f64> {
        (self.closed > 0).then(|| self.filled as f64 / self.closed as f64)
    }

    /// Fill ratio: lots filled / lots asked for; None when no lots closed.
    pub fn fill_ratio(&self) -> Option<f64> {
        (self.lots > 0).then(|| self.lots_filled as f64 / self.lots as f64)
    }

    /// Closed orders the platform accepted: closed less rejected (for sales,
    /// holdings redeemed at the limit included, as failed sales).
    pub fn accepted(&self) -> u64 {
        self.closed.saturating_sub(self.rejected)
    }

    /// Success among accepted orders: filled / (closed − rejected); None when
    /// none was accepted.
    pub fn accepted_success(&self) -> Option<f64> {
        let n = self.accepted();
        (n > 0).then(|| self.filled as f64 / n as f64)
    }

    /// Share of the failures (closed orders not filled whole) that were
    /// refusals on arrival: rejected / (closed − filled); None without
    /// failures.
    pub fn rejected_share_of_failures(&self) -> Option<f64> {
        let failed = self.closed.saturating_sub(self.filled);
        (failed > 0).then(|| self.rejected as f64 / failed as f64)
    }
}

/// One product's measurements in one metrics window: a row of `metrics.csv`.
#[derive(Clone, Copy, Debug, Default)]
pub struct WindowStats {
    /// Subscriptions (customers' buy orders) that closed in the window.
    pub buy: SideStats,
    /// Sales (customers' sell orders, and failed sales) that closed in the window.
    pub sell: SideStats,
    /// Lots traded in the window, platform trades included.
    pub volume: u64,
    /// Trades (fills) in the window.
    pub trades: u64,
    /// Customers' orders the platform refused in the window.
    pub rejected: u64,
    /// Holdings the platform redeemed at the holding limit in the window (failed
    /// sales, one per holding).
    pub redeemed_failed: u64,
    /// Customers' orders submitted in the window, by side.
    pub buy_orders: u64,
    /// Customers' sell orders submitted in the window.
    pub sell_orders: u64,
    /// Absolute tick of the window's last trade.
    pub last_price: Option<i64>,
    /// Seconds from arrival to the last fill, summed over the window's fully
    /// filled orders (0 for an order filled on arrival), by side.
    pub buy_fill_secs: f64,
    /// Seconds from arrival to the last fill, summed over the window's fully
    /// filled sell orders.
    pub sell_fill_secs: f64,
    /// Best bid + best ask (ticks) at the window's end, when both are quoted.
    pub mid_x2: Option<i64>,
    /// NAV in (fractional) ticks on the window's day.
    pub nav_ticks: f64,
    /// The books' depth, sampled through the window.
    pub depth: DepthSamples,
    /// Customers whose submitted orders for this product in the window were
    /// mostly buys (their count of buys less sells above 0).
    pub net_buyers: u64,
    /// Customers whose orders for this product in the window were mostly sells.
    pub net_sellers: u64,
}

/// Lots resting at a book's best [`DEPTH_LEVELS`] prices, summed over the
/// samples of a window: at each point of the stylized-facts grid (every
/// `return_step`) and at its end.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DepthSamples {
    /// Bid lots, summed over the samples.
    pub bid_lots: u64,
    /// Ask lots, summed over the samples.
    pub ask_lots: u64,
    /// Samples taken.
    pub samples: u32,
}

impl DepthSamples {
    /// Mean bid and ask lots over the samples (None without one).
    pub fn mean(&self) -> Option<(f64, f64)> {
        let n = f64::from(self.samples);
        (self.samples > 0).then(|| (self.bid_lots as f64 / n, self.ask_lots as f64 / n))
    }
}

/// Price levels a window's book depth counts, from the touch.
pub const DEPTH_LEVELS: usize = 5;

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
    /// Customers' buy orders submitted.
    pub submitted_buy: u64,
    /// Customers' sell orders submitted.
    pub submitted_sell: u64,
    /// Refused orders, indexed by reason (`Reject as usize`).
    pub rejected: [u64; Reject::ALL.len()],
    /// Cancels customers asked for.
    pub cancel_requests: u64,
    /// Cancels that arrived after their order had already filled or expired.
    pub cancels_too_late: u64,
    /// Cash traded, in micros (millionths of the currency unit); i128 so a long,
    /// large run cannot overflow.
    pub turnover_micros: i128,
    /// Lots the platform redeemed at the holding limit (failed sales), at a penalty.
    pub redeemed_failed_lots: u64,
    /// Lots the platform redeemed at maturity, at NAV.
    pub matured_lots: u64,
    /// Lots customers bought from the issuer's primary quote (subscriptions at NAV).
    pub primary_subscribed_lots: u64,
    /// Lots customers sold to the issuer's primary quote (redemptions at NAV).
    pub primary_redeemed_lots: u64,
}

/// The environment during a window (values at its start, after any change
/// scripted for that moment), and the crowd's mood at its end.
#[derive(Clone, Copy, Debug, Default)]
pub struct WindowEnv {
    /// Bank loan rate (fraction per year) at the window's start.
    pub loan_rate: f64,
    /// Bank deposit rate (fraction per year) at the window's start.
    pub deposit_rate: f64,
    /// Price level (inflation index) at the window's start.
    pub price_level: f64,
    /// International shock at the window's start.
    pub shock: f64,
    /// Share of optimists among all herd-following customers; none without them.
    pub optimist_share: Option<f64>,
}

/// The run's measurements as they accumulate: per (window, product)
/// [`WindowStats`], per window [`WindowEnv`], per product [`Totals`], and the
/// stylized-facts grid. The engine records into it; the summary and
/// `metrics.csv` are made from it.
pub struct Metrics {
    n_products: usize,
    windows: Vec<WindowStats>,
    env: Vec<WindowEnv>,
    totals: Vec<Totals>,
    /// Prices, volumes and trade signs on the stylized-facts grid.
    pub grid: stylized::PriceGrid,
    settings: MetricsSpec,
    /// Windows of a business day, when the windows divide evenly into the
    /// grid's days: a window's time of day is its index modulo this.
    windows_per_day: Option<usize>,
    /// Each customer's net direction this window, for the LSV counts.
    direction: direction::NetDirection,
}

impl Metrics {
    /// Empty measurements for `n_windows` metrics windows (see
    /// `Calendar::n_windows`) of `n_products` products.
    pub fn new(n_windows: usize, n_products: usize, grid: stylized::PriceGrid, settings: MetricsSpec) -> Metrics {
        let days = grid.days();
        let windows_per_day = (days > 0 && n_windows.is_multiple_of(days)).then(|| n_windows / days);
        Metrics {
            n_products,
            windows: vec![WindowStats::default(); n_windows * n_products],
            env: vec![WindowEnv::default(); n_windows],
            totals: vec![Totals::default(); n_products],
            grid,
            settings,
            windows_per_day,
            direction: direction::NetDirection::default(),
        }
    }

    /// Keeps the net direction of customers with ids below `accounts`, per product.
    pub fn track_customers(&mut self, accounts: usize) {
        self.direction = direction::NetDirection::new(accounts, self.n_products);
    }

    /// The scenario's `[metrics]` settings the run was measured with.
    pub fn settings(&self) -> &MetricsSpec {
        &self.settings
    }

    /// Mutable stats of `product` in window `window` (a global window index).
    pub fn window_mut(&mut self, window: usize, product: usize) -> &mut WindowStats {
        self.at(window, product)
    }

    #[inline]
    fn at(&mut self, window: usize, product: usize) -> &mut WindowStats {
        &mut self.windows[window * self.n_products + product]
    }

    /// Stats of `product` in window `window` (a global window index).
    pub fn window(&self, window: usize, product: usize) -> &WindowStats {
        &self.windows[window * self.n_products + product]
    }

    /// Run totals of `product`.
    pub fn totals(&self, product: usize) -> &Totals {
        &self.totals[product]
    }

    /// The environment during window `window`.
    pub fn env(&self, window: usize) -> &WindowEnv {
        &self.env[window]
    }

    /// Mutable environment of window `window`, set by the engine at its start
    /// and end.
    pub fn env_mut(&mut self, window: usize) -> &mut WindowEnv {
        &mut self.env[window]
    }

    /// Metrics windows of the run (rows of `metrics.csv` per product).
    pub fn n_windows(&self) -> usize {
        self.env.len()
    }

    /// Windows of a business day (window w is slot w mod this of its day);
    /// None when the windows do not divide evenly into the days.
    pub fn windows_per_day(&self) -> Option<usize> {
        self.windows_per_day
    }

    /// Hints the CPU to load what an order of `customer` will update; no
    /// effect on results.
    #[inline]
    pub fn prefetch_customer(&self, customer: u32) {
        self.direction.prefetch(customer);
    }

    /// Customer `customer` submitted an order on `side` for `product` in
    /// `window` (a global window index).
    #[inline]
    pub fn submitted(&mut self, window: usize, product: usize, side: Side, customer: u32) {
        self.direction.order(window, customer, product, side, &mut self.windows[window * self.n_products + product]);
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

    /// An order reached its final state; `fill_secs` is the time from its
    /// arrival to its last fill when it filled whole.
    #[inline]
    pub fn closed(&mut self, window: usize, product: usize, side: Side, lots: u32, filled: u32, fill_secs: f64) {
        let w = self.at(window, product);
        let whole = filled == lots;
        if whole {
            match side {
                Side::Buy => w.buy_fill_secs += fill_secs,
                Side::Sell => w.sell_fill_secs += fill_secs,
            }
        }
        let s = w.side(side);
        s.closed += 1;
        s.filled += u64::from(whole);
        s.lots += u64::from(lots);
        s.lots_filled += u64::from(filled);
    }

    /// The platform refused a customer's order of `lots` lots for reason `why`:
    /// it closes unfilled in `window`.
    pub fn rejected(&mut self, window: usize, product: usize, side: Side, lots: u32, why: Reject) {
        self.closed(window, product, side, lots, 0, 0.0);
        let w = self.at(window, product);
        w.rejected += 1;
        w.side(side).rejected += 1;
        self.totals[product].rejected[why as usize] += 1;
    }

    /// A trade of `lots` lots at `price` (absolute ticks) worth `value_micros`
    /// (micros, millionths of the currency unit) on `product` in `window`.
    #[inline]
    pub fn traded(&mut self, window: usize, product: usize, price: i64, lots: u32, value_micros: i64) {
        let w = self.at(window, product);
        w.volume += u64::from(lots);
        w.trades += 1;
        w.last_price = Some(price);
        self.totals[product].turnover_micros += i128::from(value_micros);
    }

    /// A trade with the issuer: `lots` subscribed (`Side::Buy`, the customer
    /// bought) or redeemed (`Side::Sell`) at NAV on the primary market.
    pub fn primary(&mut self, product: usize, customer_side: Side, lots: u32) {
        let t = &mut self.totals[product];
        match customer_side {
            Side::Buy => t.primary_subscribed_lots += u64::from(lots),
            Side::Sell => t.primary_redeemed_lots += u64::from(lots),
        }
    }

    /// A customer asked to cancel an order on `product`; `too_late` when the order
    /// had already filled or expired.
    pub fn cancel_requested(&mut self, product: usize, too_late: bool) {
        let t = &mut self.totals[product];
        t.cancel_requests += 1;
        t.cancels_too_late += u64::from(too_late);
    }

    /// A cohort redeemed by the platform: at the holding limit, one failed sale.
    pub fn redeemed(&mut self, window: usize, product: usize, lots: u32, failed: bool) {
        if failed {
            self.closed(window, product, Side::Sell, lots, 0, 0.0);
            self.at(window, product).redeemed_failed += 1;
            self.totals[product].redeemed_failed_lots += u64::from(lots);
        } else {
            self.totals[product].matured_lots += u64::from(lots);
        }
    }

    /// Per-window stats of all products together (last price: none).
    pub(crate) fn all_products(&self) -> Vec<WindowStats> {
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
                    all.buy_fill_secs += w.buy_fill_secs;
                    all.sell_fill_secs += w.sell_fill_secs;
                }
                all
            })
            .collect()
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

impl crate::columns::CellValue for Secs {
    const REAL: bool = true;
}

/// An amount in micros, displayed as an exact plain decimal (1000100 -> "1.0001").
#[derive(Clone, Copy, Debug)]
pub struct MicrosDecimal(pub i64);

impl crate::columns::CellValue for MicrosDecimal {
    const REAL: bool = true;
}

impl fmt::Display for MicrosDecimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fixed_point(f, self.0, 1_000_000, 6)
    }
}

/// Writes `v / scale` exactly, without trailing zeros and without allocating.
pub(crate) fn fixed_point(f: &mut fmt::Formatter<'_>, v: i64, scale: u64, digits: usize) -> fmt::Result {
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
pub(crate) struct OptDisplay<T>(pub(crate) Option<T>);

impl<T: crate::columns::CellValue> crate::columns::CellValue for OptDisplay<T> {
    const REAL: bool = T::REAL;
}

impl<T: fmt::Display> fmt::Display for OptDisplay<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Some(v) => v.fmt(f),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_decimal_formatting() {
        assert_eq!(MicrosDecimal(1_000_100).to_string(), "1.0001");
        assert_eq!(MicrosDecimal(2_000_000).to_string(), "2");
        assert_eq!(MicrosDecimal(-1_500_000).to_string(), "-1.5");
        assert_eq!(MicrosDecimal(7).to_string(), "0.000007");
        assert_eq!(Secs(34_200_000_000_000).to_string(), "34200");
        assert_eq!(Secs(1_050_000_000).to_string(), "1.05");
    }

    #[test]
    fn success_counts_only_whole_fills_and_rejections_close_orders() {
        let mut m = Metrics::new(
            2,
            1,
            stylized::PriceGrid::new(60_000_000_000, 3_600_000_000_000, 1, 1),
            MetricsSpec::default(),
        );
        m.closed(0, 0, Side::Buy, 10, 10, 3.0);
        m.closed(0, 0, Side::Buy, 10, 4, 0.0);
        m.rejected(0, 0, Side::Buy, 5, Reject::InsufficientCash);
        m.redeemed(1, 0, 7, true);
        let w = m.window(0, 0);
        assert_eq!((w.buy.closed, w.buy.filled, w.buy.lots, w.buy.lots_filled), (3, 1, 25, 14));
        assert_eq!(w.buy.success(), Some(1.0 / 3.0));
        // One of the two failures was a refusal: among the two accepted, one filled.
        assert_eq!((w.buy.rejected, w.buy.accepted(), w.sell.rejected), (1, 2, 0));
        assert_eq!(w.buy.accepted_success(), Some(0.5));
        assert_eq!(w.buy.rejected_share_of_failures(), Some(0.5));
        assert_eq!(m.windows_per_day(), Some(2));
        assert_eq!(w.buy_fill_secs, 3.0, "only the whole fill's time counts");
        assert_eq!(m.window(1, 0).sell.closed, 1);
        assert_eq!(m.window(1, 0).sell.success(), Some(0.0));
        assert_eq!(m.window(1, 0).buy.success(), None);
        // A failed sale at the holding limit is no refusal: it stays among the accepted.
        let s = m.window(1, 0).sell;
        assert_eq!((s.accepted(), s.accepted_success(), s.rejected_share_of_failures()), (1, Some(0.0), Some(0.0)));
        assert_eq!(SideStats::default().accepted_success(), None);
        assert_eq!(SideStats::default().rejected_share_of_failures(), None);
    }
}
