//! From the windowed counters to what a researcher reads: `metrics.csv`
//! (one row per window and product, with intervals, fill times, rolling
//! correlations and the herding measures) and `summary.json` (run totals,
//! success probabilities with Wilson and Newey–West intervals, correlations with their
//! inference and lags, stylized facts, the herding signature, the risk
//! summary). Every figure is computed here, from the counters, exactly as
//! scenarios/README.md says. All but the stylized facts (whose grid prices
//! are in no file) can be recomputed from the CSV files; the docs show how.

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::risk::RiskSummary;
use super::stats::{self, BOOTSTRAP_RESAMPLES, CorrStat, Z95};
use super::{Metrics, MicrosDecimal, OptDisplay, Secs, SideStats, Totals, WindowStats};
use crate::calendar::Calendar;
use crate::columns;
use crate::platform::Reject;
use crate::product::ProductSpec;

/// Mean time to fill of a side: seconds from arrival to the last fill, over fully filled orders.
fn mean_fill(secs: f64, s: &SideStats) -> Option<f64> {
    (s.filled > 0).then(|| secs / s.filled as f64)
}

fn wilson(s: &SideStats) -> Option<(f64, f64)> {
    stats::wilson(s.filled, s.closed, Z95)
}

/// A price in ticks ×2 (bid + ask) as an exact decimal: (b + a)·tick / 2.
struct Mid(i64, i64);

impl crate::columns::CellValue for Mid {
    const REAL: bool = true;
}

impl std::fmt::Display for Mid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // (b + a) · tick_micros / 2 micros = (b + a) · tick_micros · 5 tenths of a micro.
        super::fixed_point(f, self.0 * self.1 * 5, 10_000_000, 7)
    }
}

/// A window's (subscription success, sale success, volume), for rolling correlations.
type Recent = (Option<f64>, Option<f64>, f64);

/// Pearson and Spearman over `(x, y)` pairs where `x` is defined.
fn pairs(x: &[Option<f64>], y: &[f64]) -> (Vec<f64>, Vec<f64>) {
    x.iter().zip(y).filter_map(|(a, &b)| a.map(|a| (a, b))).unzip()
}

/// The time-of-day slot (window of the day) of each window where `x` is
/// defined, in the order of [`pairs`].
fn pair_slots(x: &[Option<f64>], y: &[f64], per_day: usize) -> Vec<usize> {
    x.iter().zip(y).enumerate().filter(|(_, (a, _))| a.is_some()).map(|(w, _)| w % per_day).collect()
}

/// Consecutive windows in a block of the moving-block bootstrap: 12 (an hour
/// of the bundled scenarios' five-minute windows), or round(n^(1/3)) when
/// that is longer (the rate of Hall, Horowitz & Jing 1995), and at most n/2.
fn bootstrap_block(n: usize) -> usize {
    let cube = (n as f64).cbrt().round() as usize;
    12.max(cube).min(n / 2).max(1)
}

/// The Lakonishok–Shleifer–Vishny herding measure of each (window, product),
/// window-major like the windows of [`Metrics`], and each window's p̄.
///
/// Lakonishok, Shleifer & Vishny (1992), "The impact of institutional trading
/// on stock prices", Journal of Financial Economics 32(1): 23–43, measure
/// herding in stock i and period t as H(i,t) = |p(i,t) − p̄(t)| −
/// E|p(i,t) − p̄(t)|, p(i,t) the share of buyers among the traders of i in t
/// and p̄(t) its cross-sectional mean: the mean of p(i,t) over the stocks
/// traded in t. Here the stocks are the products, the traders the customers
/// that were net buyers or net sellers of the product in the window. Taking
/// p̄ across products in the same window is what separates herding (crowding
/// on one side of a product more than the market as a whole) from the
/// market's drift through the day; with fewer than two products traded in a
/// window, p̄(t) is p(i,t) itself, and the measure is not defined.
fn lsv_series(m: &Metrics) -> (Vec<Option<f64>>, Vec<Option<f64>>) {
    let n = m.n_products;
    let mut series = vec![None; m.windows.len()];
    let mut p_bars = vec![None; m.env.len()];
    for (w, (cells, p_bar)) in m.windows.chunks(n.max(1)).zip(&mut p_bars).enumerate() {
        let shares: Vec<f64> = cells
            .iter()
            .filter(|c| c.net_buyers + c.net_sellers > 0)
            .map(|c| c.net_buyers as f64 / (c.net_buyers + c.net_sellers) as f64)
            .collect();
        if shares.len() < 2 {
            continue;
        }
        let mean = shares.iter().sum::<f64>() / shares.len() as f64;
        *p_bar = Some(mean);
        for (p, c) in cells.iter().enumerate() {
            series[w * n + p] = stats::lsv(c.net_buyers, c.net_sellers, mean);
        }
    }
    (series, p_bars)
}

impl Metrics {
    /// Writes `metrics.csv`: one row per (window, product), windows in time order.
    pub fn write_csv(&self, cal: &Calendar, products: &[ProductSpec], out: &mut impl Write) -> io::Result<()> {
        writeln!(out, "{}", columns::metrics::HEADER)?;
        let k = self.settings.rolling_windows as usize;
        let (lsv, p_bars) = lsv_series(self);
        let mut last: Vec<Option<i64>> = vec![None; self.n_products];
        // Per product: every window so far, for the rolling correlations.
        let mut history: Vec<Vec<Recent>> = vec![Vec::new(); self.n_products];
        for (w, (env, p_bar)) in self.env.iter().zip(&p_bars).enumerate() {
            let (day, start, end) = cal.window_bounds(w);
            for (p, spec) in products.iter().enumerate() {
                let s = self.window(w, p);
                if s.last_price.is_some() {
                    last[p] = s.last_price;
                }
                history[p].push((s.buy.success(), s.sell.success(), s.volume as f64));
                let recent = &history[p][history[p].len().saturating_sub(k)..];
                let volume: Vec<f64> = recent.iter().map(|r| r.2).collect();
                let (bx, by) = pairs(&recent.iter().map(|r| r.0).collect::<Vec<_>>(), &volume);
                let (sx, sy) = pairs(&recent.iter().map(|r| r.1).collect::<Vec<_>>(), &volume);
                let (_, roll_sub_ci, _) = stats::pearson_honest(&bx, &by);
                let (_, roll_sale_ci, _) = stats::pearson_honest(&sx, &sy);
                let (rbl, rbh) = roll_sub_ci.unzip();
                let (rsl, rsh) = roll_sale_ci.unzip();
                let (bl, bh) = wilson(&s.buy).unzip();
                let (sl, sh) = wilson(&s.sell).unzip();
                columns::write_row!(
                    out, columns::metrics::COLUMNS;
                    product = spec.id,
                    window = w,
                    day = day,
                    date = cal.day(day).date,
                    t_start = Secs(start),
                    t_end = Secs(end),
                    buy_closed = s.buy.closed,
                    buy_filled = s.buy.filled,
                    sub_success = OptDisplay(s.buy.success()),
                    sell_closed = s.sell.closed,
                    sell_filled = s.sell.filled,
                    sale_success = OptDisplay(s.sell.success()),
                    volume = s.volume,
                    last_price = OptDisplay(last[p].map(|t| MicrosDecimal(t * spec.tick_micros))),
                    loan_rate = env.loan_rate,
                    trades = s.trades,
                    buy_lots = s.buy.lots,
                    buy_lots_filled = s.buy.lots_filled,
                    sell_lots = s.sell.lots,
                    sell_lots_filled = s.sell.lots_filled,
                    rejected = s.rejected,
                    redeemed_failed = s.redeemed_failed,
                    deposit_rate = env.deposit_rate,
                    price_level = env.price_level,
                    shock = env.shock,
                    optimist_share = OptDisplay(env.optimist_share),
                    buy_orders = s.buy_orders,
                    sell_orders = s.sell_orders,
                    sub_success_lo = OptDisplay(bl),
                    sub_success_hi = OptDisplay(bh),
                    sale_success_lo = OptDisplay(sl),
                    sale_success_hi = OptDisplay(sh),
                    sub_fill_ratio = OptDisplay(s.buy.fill_ratio()),
                    sale_fill_ratio = OptDisplay(s.sell.fill_ratio()),
                    sub_time_to_fill = OptDisplay(mean_fill(s.buy_fill_secs, &s.buy)),
                    sale_time_to_fill = OptDisplay(mean_fill(s.sell_fill_secs, &s.sell)),
                    mid_price = OptDisplay(s.mid_x2.map(|x2| Mid(x2, spec.tick_micros))),
                    nav = s.nav_ticks * spec.tick_micros as f64 / 1e6,
                    roll_sub_pearson = OptDisplay(stats::pearson(&bx, &by)),
                    roll_sub_spearman = OptDisplay(stats::spearman(&bx, &by)),
                    roll_sale_pearson = OptDisplay(stats::pearson(&sx, &sy)),
                    roll_sale_spearman = OptDisplay(stats::spearman(&sx, &sy)),
                    net_buyers = s.net_buyers,
                    net_sellers = s.net_sellers,
                    lsv = OptDisplay(lsv[w * self.n_products + p]),
                    lsv_p_bar = OptDisplay(*p_bar),
                    bid_lots = OptDisplay(s.depth.mean().map(|d| d.0)),
                    ask_lots = OptDisplay(s.depth.mean().map(|d| d.1)),
                    buy_rejected = s.buy.rejected,
                    sell_rejected = s.sell.rejected,
                    roll_sub_pearson_lo = OptDisplay(rbl),
                    roll_sub_pearson_hi = OptDisplay(rbh),
                    roll_sale_pearson_lo = OptDisplay(rsl),
                    roll_sale_pearson_hi = OptDisplay(rsh),
                )?;
            }
        }
        Ok(())
    }

    /// The run's summary, per product and for all products.
    pub fn summary(&self, products: &[ProductSpec], risk: RiskSummary) -> Summary {
        let n_windows = self.env.len();
        let loan: Vec<f64> = self.env.iter().map(|e| e.loan_rate).collect();
        let level: Vec<f64> = self.env.iter().map(|e| e.price_level).collect();
        let shape = Shape { max_lag: self.settings.max_lag as usize, per_day: self.windows_per_day() };
        let mut per_product = Vec::with_capacity(products.len());
        for (p, spec) in products.iter().enumerate() {
            let series: Vec<WindowStats> = (0..n_windows).map(|w| *self.window(w, p)).collect();
            let mut b = block(spec.id.clone(), &series, std::slice::from_ref(&self.totals[p]), &loan, &level, shape);
            b.stylized_facts = Some(self.grid.facts(p, self.settings.tail_fraction));
            per_product.push(b);
        }
        let all = block("all".into(), &self.all_products(), &self.totals, &loan, &level, shape);
        Summary { windows: n_windows, products: per_product, all, herding: self.herding(), risk }
    }

    fn herding(&self) -> HerdingMeasures {
        let shares: Vec<f64> = self.env.iter().filter_map(|e| e.optimist_share).collect();
        let optimist_share = (!shares.is_empty()).then(|| OptimistShare {
            mean: shares.iter().sum::<f64>() / shares.len() as f64,
            bimodality_coefficient: stats::bimodality_coefficient(&shares),
            windows: shares.len(),
        });
        let all = self.all_products();
        let (mut imbalance, mut sizes) = (Vec::new(), Vec::new());
        let (mut buys, mut orders) = (0u64, 0u64);
        for w in &all {
            let n = w.buy_orders + w.sell_orders;
            if n > 0 {
                imbalance.push((w.buy_orders as f64 - w.sell_orders as f64) / n as f64);
                sizes.push(n as f64);
                buys += w.buy_orders;
                orders += n;
            }
        }
        let order_imbalance = (imbalance.len() >= 2).then(|| {
            let mean = imbalance.iter().sum::<f64>() / imbalance.len() as f64;
            let variance = imbalance.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / imbalance.len() as f64;
            let p = buys as f64 / orders as f64;
            let binomial = sizes.iter().map(|n| 4.0 * p * (1.0 - p) / n).sum::<f64>() / sizes.len() as f64;
            OrderImbalance {
                variance,
                binomial_variance: binomial,
                ratio: (binomial > 0.0).then(|| variance / binomial),
                buy_share: p,
                windows: imbalance.len(),
            }
        });
        let (series, p_bars) = lsv_series(self);
        let values: Vec<f64> = series.iter().flatten().copied().collect();
        let windows = p_bars.iter().flatten().count();
        let lsv = (!values.is_empty()).then(|| Lsv {
            mean: values.iter().sum::<f64>() / values.len() as f64,
            cells: values.len(),
            windows,
        });
        HerdingMeasures { optimist_share, order_imbalance, lsv }
    }
}

fn correlation(x: &[Option<f64>], y: &[f64], per_day: Option<usize>) -> Correlation {
    let (a, b) = pairs(x, y);
    let ci = |s: Option<CorrStat>| s.map(|s| [s.ci_lo, s.ci_hi]);
    // Ranked once: Spearman's rho, its interval and its effective windows
    // all read the ranks.
    let (ra, rb) = (stats::average_ranks(&a), stats::average_ranks(&b));
    let (p, r) = (stats::pearson_stat(&a, &b), stats::spearman_stat_of_ranks(&ra, &rb));
    // Each statistic carries its coefficient; only below 4 pairs, where it
    // has none, is the coefficient worked out on its own.
    let pearson = p.map(|s| s.r).or_else(|| stats::pearson(&a, &b));
    let spearman = r.map(|s| s.r).or_else(|| stats::pearson(&ra, &rb));
    let block_bootstrap = pearson.and_then(|_| {
        let seed = stats::data_seed(&a, &b);
        stats::block_bootstrap_pearson(&a, &b, bootstrap_block(a.len()), BOOTSTRAP_RESAMPLES, seed)
    });
    Correlation {
        pearson,
        pearson_ci_95: ci(p),
        pearson_p_value: p.map(|s| s.p_value),
        spearman,
        spearman_ci_95: ci(r),
        spearman_p_value: r.map(|s| s.p_value),
        windows: a.len(),
        serial_dependence: p.and_then(|p| serial_dependence([&a, &b], [&ra, &rb], p.r, r.map(|r| r.r))),
        block_bootstrap: block_bootstrap.map(|i| BlockBootstrap {
            pearson_ci_95: [i.lo, i.hi],
            block: i.block,
            resamples: i.resamples,
        }),
        deseasonalised: per_day.filter(|&d| d > 0).map(|d| deseasonalised(&a, &b, &pair_slots(x, y, d))),
    }
}

/// The correlations' inference with n_eff effective windows in place of n
/// (Bartlett 1935; see [`stats::effective_n`]); for Spearman's rho, n_eff of
/// the ranks.
fn serial_dependence(
    [a, b]: [&[f64]; 2],
    [ra, rb]: [&[f64]; 2],
    pearson: f64,
    spearman: Option<f64>,
) -> Option<SerialDependence> {
    let e = stats::effective_n(a, b)?;
    let p = stats::adjusted_corr_stat(pearson, e.n_eff, stats::Coefficient::Pearson);
    let ranked = spearman.and_then(|rho| {
        let ne = stats::effective_n(ra, rb)?;
        Some((ne.n_eff, stats::adjusted_corr_stat(rho, ne.n_eff, stats::Coefficient::Spearman)?))
    });
    Some(SerialDependence {
        autocorrelation_lag1: [e.acf1_x, e.acf1_y],
        lags: e.lags,
        effective_windows: e.n_eff,
        pearson_ci_95: p.map(|s| [s.ci_lo, s.ci_hi]),
        pearson_p_value: p.map(|s| s.p_value),
        spearman_effective_windows: ranked.map(|(n, _)| n),
        spearman_ci_95: ranked.map(|(_, s)| [s.ci_lo, s.ci_hi]),
        spearman_p_value: ranked.map(|(_, s)| s.p_value),
    })
}

/// Pearson's r of the pairs with their time-of-day means removed, with its
/// n_eff-corrected inference.
fn deseasonalised(a: &[f64], b: &[f64], slots: &[usize]) -> Deseasonalised {
    let d = stats::deseasonalise(a, b, slots);
    let pearson = stats::pearson(&d.x, &d.y);
    let n_eff = pearson.and_then(|_| stats::effective_n(&d.x, &d.y));
    let s = pearson.zip(n_eff).and_then(|(r, e)| stats::adjusted_corr_stat(r, e.n_eff, stats::Coefficient::Pearson));
    Deseasonalised {
        pearson,
        windows: d.x.len(),
        slots: d.slots,
        effective_windows: n_eff.map(|e| e.n_eff),
        pearson_ci_95: s.map(|s| [s.ci_lo, s.ci_hi]),
        pearson_p_value: s.map(|s| s.p_value),
    }
}

/// corr(success_t, volume_{t+lag}) for lag in −max_lag..=max_lag, over the
/// windows where success is defined, each with the same honest inference as
/// the lag-0 figures: the pairs at one lag are two series shifted against
/// each other, as autocorrelated as the originals.
/// Lag 0 is `at_zero`, the unlagged correlation already computed.
fn lagged(
    x: &[Option<f64>],
    y: &[f64],
    max_lag: usize,
    per_day: Option<usize>,
    at_zero: &Correlation,
) -> Vec<LaggedValue> {
    let n = x.len().min(y.len());
    (-(max_lag as i64)..=max_lag as i64)
        .map(|lag| {
            // x[t] against y[t + lag], for every t where both exist.
            let shift = lag.unsigned_abs() as usize;
            let (xs, ys) = if lag >= 0 {
                (&x[..n.saturating_sub(shift)], &y[shift.min(n)..n])
            } else {
                (&x[shift.min(n)..n], &y[..n.saturating_sub(shift)])
            };
            let c = if lag == 0 { at_zero.clone() } else { correlation(xs, ys, per_day) };
            LaggedValue {
                lag,
                pearson: c.pearson,
                spearman: c.spearman,
                windows: c.windows,
                serial_dependence: c.serial_dependence,
                block_bootstrap: c.block_bootstrap,
                deseasonalised: c.deseasonalised,
            }
        })
        .collect()
}

/// One side's totals `s` and what it closed and filled in each window.
fn side_summary<'a>(
    s: &SideStats,
    fill_secs: f64,
    windows: impl Iterator<Item = &'a SideStats> + Clone,
) -> SideSummary {
    let serial = |of: fn(&SideStats) -> u64, lags: Option<usize>| {
        let counts: Vec<Option<(f64, f64)>> = windows.clone().map(|w| Some((w.filled as f64, of(w) as f64))).collect();
        stats::serial_ratio_interval(&counts, lags)
    };
    // The success among accepted orders with the success's lags, which the
    // report prints beside both.
    let serial_all = serial(|w| w.closed, None);
    let (serial, accepted_serial) = (serial_all, serial(SideStats::accepted, serial_all.map(|i| i.lags)));
    SideSummary {
        closed: s.closed,
        filled: s.filled,
        success_probability: s.success(),
        success_ci_95: wilson(s).map(|(lo, hi)| [lo, hi]),
        success_ci_95_serial: serial.map(|i| [i.lo, i.hi]),
        success_ci_95_serial_lags: serial.map(|i| i.lags as u64),
        lots: s.lots,
        lots_filled: s.lots_filled,
        fill_ratio: s.fill_ratio(),
        mean_time_to_fill: mean_fill(fill_secs, s),
        rejected: s.rejected,
        accepted: s.accepted(),
        accepted_success_probability: s.accepted_success(),
        accepted_success_ci_95: stats::wilson(s.filled, s.accepted(), Z95).map(|(lo, hi)| [lo, hi]),
        accepted_success_ci_95_serial: accepted_serial.map(|i| [i.lo, i.hi]),
        rejected_share_of_failures: s.rejected_share_of_failures(),
    }
}

/// What the correlations of a block need to know of the run's windows.
#[derive(Clone, Copy)]
struct Shape {
    /// L, the largest lag of the lagged correlations.
    max_lag: usize,
    /// Windows of a business day, for the time-of-day slots.
    per_day: Option<usize>,
}

fn block(
    product: String,
    series: &[WindowStats],
    totals: &[Totals],
    loan: &[f64],
    level: &[f64],
    shape: Shape,
) -> ProductSummary {
    let mut buy = SideStats::default();
    let mut sell = SideStats::default();
    let (mut volume, mut trades, mut buy_secs, mut sell_secs) = (0, 0, 0.0, 0.0);
    for w in series {
        buy.add(&w.buy);
        sell.add(&w.sell);
        volume += w.volume;
        trades += w.trades;
        buy_secs += w.buy_fill_secs;
        sell_secs += w.sell_fill_secs;
    }
    let sum = |f: fn(&Totals) -> u64| totals.iter().map(f).sum::<u64>();
    let mut by_reason = BTreeMap::new();
    for r in Reject::ALL {
        by_reason.insert(r.name().to_string(), totals.iter().map(|t| t.rejected[r as usize]).sum());
    }
    let sub: Vec<Option<f64>> = series.iter().map(|w| w.buy.success()).collect();
    let sale: Vec<Option<f64>> = series.iter().map(|w| w.sell.success()).collect();
    let vol: Vec<f64> = series.iter().map(|w| w.volume as f64).collect();
    let (sub_vol, sale_vol) = (correlation(&sub, &vol, shape.per_day), correlation(&sale, &vol, shape.per_day));
    ProductSummary {
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
        subscriptions: side_summary(&buy, buy_secs, series.iter().map(|w| &w.buy)),
        sales: side_summary(&sell, sell_secs, series.iter().map(|w| &w.sell)),
        volume,
        trades,
        turnover: totals.iter().map(|t| t.turnover_micros).sum::<i128>() as f64 / 1e6,
        redeemed_failed_lots: sum(|t| t.redeemed_failed_lots),
        matured_lots: sum(|t| t.matured_lots),
        primary: Primary {
            subscribed_lots: sum(|t| t.primary_subscribed_lots),
            redeemed_lots: sum(|t| t.primary_redeemed_lots),
        },
        correlation: Correlations {
            lagged_success_vs_volume: Lagged {
                definition: "corr(success in window t, volume in window t + lag): a positive lag looks at later volume"
                    .to_string(),
                subscriptions: lagged(&sub, &vol, shape.max_lag, shape.per_day, &sub_vol),
                sales: lagged(&sale, &vol, shape.max_lag, shape.per_day, &sale_vol),
            },
            subscription_success_vs_volume: sub_vol,
            sale_success_vs_volume: sale_vol,
            subscription_success_vs_loan_rate: correlation(&sub, loan, shape.per_day),
            sale_success_vs_loan_rate: correlation(&sale, loan, shape.per_day),
            subscription_success_vs_price_level: correlation(&sub, level, shape.per_day),
            sale_success_vs_price_level: correlation(&sale, level, shape.per_day),
        },
        stylized_facts: None,
    }
}

mod file;
pub use file::*;

#[cfg(test)]
mod tests {
    use super::*;

    /// A fixed pseudo-random sequence in [−0.5, 0.5) (64-bit LCG).
    fn noise(seed: u64, n: usize) -> Vec<f64> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                (s >> 11) as f64 / (1u64 << 53) as f64 - 0.5
            })
            .collect()
    }

    #[test]
    fn a_shared_daily_shape_is_reported_apart_from_the_naive_correlation() {
        // Five days of 66 windows; success and volume share only a U-shaped
        // day. One window closed no subscription: it is left out, and its
        // time of day keeps the other four days.
        let (days, per_day) = (5, 66);
        let n = days * per_day;
        let shape = |w: usize| {
            let u = (w % per_day) as f64 / per_day as f64 - 0.5;
            u * u
        };
        let (e1, e2) = (noise(1, n), noise(2, n));
        let mut x: Vec<Option<f64>> = (0..n).map(|w| Some(0.4 + shape(w) + 0.05 * e1[w])).collect();
        x[70] = None;
        let y: Vec<f64> = (0..n).map(|w| 5000.0 + 20000.0 * shape(w) + 1000.0 * e2[w]).collect();
        let c = correlation(&x, &y, Some(per_day));
        assert_eq!(c.windows, n - 1);
        assert!(c.pearson.is_some_and(|r| r > 0.8), "{c:?}");
        let s = c.serial_dependence.as_ref().unwrap();
        assert_eq!(s.lags, (n - 1) / 5);
        assert!(s.effective_windows < c.windows as f64, "{s:?}");
        let naive = c.pearson_ci_95.unwrap();
        let wide = s.pearson_ci_95.unwrap();
        assert!(wide[1] - wide[0] > naive[1] - naive[0], "{naive:?} vs {wide:?}");
        let b = c.block_bootstrap.as_ref().unwrap();
        assert_eq!((b.block, b.resamples), (12, BOOTSTRAP_RESAMPLES));
        assert!(b.pearson_ci_95[0] <= c.pearson.unwrap() && c.pearson.unwrap() <= b.pearson_ci_95[1]);
        let d = c.deseasonalised.as_ref().unwrap();
        assert_eq!((d.windows, d.slots), (n - 1, per_day));
        assert!(d.pearson.is_some_and(|r| r.abs() < 0.15), "{d:?}");
        // Byte-identical on a second computation.
        let again = correlation(&x, &y, Some(per_day));
        assert_eq!(serde_json::to_string(&c).unwrap(), serde_json::to_string(&again).unwrap());
        // Without a calendar shape there is no deseasonalised figure.
        assert!(correlation(&x, &y, None).deseasonalised.is_none());
    }

    /// `summary.json` reads back through the type that wrote it, every
    /// figure the same (all but the risk and the stylized facts, which are
    /// not read back): reader and writer agree on every name by construction.
    #[test]
    fn a_written_summary_reads_back_whole() {
        let x: Vec<Option<f64>> = (0..40).map(|i| Some(f64::from(i % 7) / 7.0)).collect();
        let y: Vec<f64> = (0..40).map(|i| f64::from((i * 13) % 11)).collect();
        let mut b = ProductSummary { product: "P".into(), volume: 5, ..Default::default() };
        b.correlation.subscription_success_vs_volume = correlation(&x, &y, Some(4));
        b.correlation.lagged_success_vs_volume.sales =
            vec![LaggedValue { lag: -1, pearson: Some(0.5), ..Default::default() }];
        b.orders.rejected_by_reason.insert("cash".into(), 3);
        b.subscriptions.success_ci_95 = Some([0.1, 0.2]);
        let herding = HerdingMeasures {
            optimist_share: Some(OptimistShare { mean: 0.5, bimodality_coefficient: Some(0.6), windows: 3 }),
            ..Default::default()
        };
        let summary = Summary { windows: 40, products: vec![b], herding, ..Default::default() };
        let file = SummaryFile { scenario: "s".into(), seed: 9, summary, credit_fit: None };
        let text = serde_json::to_string_pretty(&file).unwrap();
        let again: SummaryFile = serde_json::from_str(&text).unwrap();
        // serde_json reads a float to within an ulp, not always exactly.
        fn same(a: &serde_json::Value, b: &serde_json::Value) -> bool {
            use serde_json::Value::{Array, Number, Object};
            match (a, b) {
                (Number(x), Number(y)) if x.is_f64() => (x.as_f64().unwrap() - y.as_f64().unwrap()).abs() < 1e-15,
                (Array(x), Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y)),
                (Object(x), Object(y)) => {
                    x.len() == y.len() && x.iter().zip(y).all(|((k, x), (l, y))| k == l && same(x, y))
                }
                _ => a == b,
            }
        }
        let (a, b) = (serde_json::to_value(&file).unwrap(), serde_json::to_value(&again).unwrap());
        assert!(same(&a, &b), "{text}\nreads back as\n{}", serde_json::to_string_pretty(&again).unwrap());
    }

    #[test]
    fn undefined_correlations_leave_every_figure_null() {
        let x: Vec<Option<f64>> = vec![Some(0.5); 20];
        let y: Vec<f64> = (0..20).map(f64::from).collect();
        let c = correlation(&x, &y, Some(4));
        assert!(c.pearson.is_none() && c.serial_dependence.is_none() && c.block_bootstrap.is_none());
        assert!(c.deseasonalised.is_some_and(|d| d.pearson.is_none() && d.pearson_ci_95.is_none()));
    }

    #[test]
    fn bootstrap_blocks_are_an_hour_of_five_minute_windows_or_longer() {
        assert_eq!(bootstrap_block(330), 12);
        assert_eq!(bootstrap_block(10_000), 22);
        assert_eq!(bootstrap_block(10), 5);
        assert_eq!(bootstrap_block(1), 1);
    }
}
