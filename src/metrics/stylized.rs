//! The stylized facts of the simulated market (Cont 2001, "Empirical
//! properties of asset returns: stylized facts and statistical issues"):
//! heavy tails and their aggregation, absent linear autocorrelation of
//! returns, slowly decaying autocorrelation of absolute returns (volatility
//! clustering), volume–volatility correlation, and persistent trade signs.
//!
//! Prices are sampled on a fixed grid of session time as the run goes
//! (`PriceGrid::sample`, driven by the engine), so nothing is re-scanned at
//! the end: the mid price of a two-sided book at `open + k·step` for
//! k = 1, 2, … up to the close. A point where a side of the book is empty
//! has no price (never the last trade, which would be stale there): it is
//! skipped and counted (`one_sided_points`, `two_sided_share`), and no
//! return starts or ends at it. Returns are log differences of consecutive
//! two-sided points of one day (nights are left out, and so are lagged
//! pairs that would span a night); the volume of a return is the lots
//! traded between its two points.

use serde::Serialize;

use super::stats;

/// Prices, volumes and trade signs of every product on the grid.
#[derive(Clone, Debug)]
pub struct PriceGrid {
    step: i64,
    per_day: usize,
    days: usize,
    n_products: usize,
    /// ln(price) at each point, `[(day·per_day + k)·n_products + product]`; NaN where none.
    log_price: Vec<f64>,
    /// Lots traded in the interval ending at each point, same layout.
    volume: Vec<u64>,
    /// +1 for a buyer-initiated trade, −1 for a seller-initiated one, per product in order.
    signs: Vec<Vec<i8>>,
    /// Per product: points sampled, and those skipped because a side of the book was empty.
    points: Vec<(u64, u64)>,
}

impl PriceGrid {
    /// A grid of `step` ns over `days` sessions of `session` ns.
    pub fn new(step: i64, session: i64, days: usize, n_products: usize) -> PriceGrid {
        let per_day = (session / step.max(1)) as usize;
        PriceGrid {
            step,
            per_day,
            days,
            n_products,
            log_price: vec![f64::NAN; per_day * days * n_products],
            volume: vec![0; per_day * days * n_products],
            signs: vec![Vec::new(); n_products],
            points: vec![(0, 0); n_products],
        }
    }

    /// Spacing of the grid points, in nanoseconds of session time.
    pub fn step(&self) -> i64 {
        self.step
    }

    /// Business days (sessions) the grid covers.
    pub fn days(&self) -> usize {
        self.days
    }

    /// Grid points per session (the session length over the step, rounded down).
    pub fn points_per_day(&self) -> usize {
        self.per_day
    }

    /// Index of the grid point that closes the interval holding `t`
    /// (`since_open` ns after the day's open), if it is on the grid.
    #[inline]
    fn slot(&self, day: u32, since_open: i64, product: usize) -> Option<usize> {
        let k = (since_open / self.step) as usize;
        (k < self.per_day).then(|| (day as usize * self.per_day + k) * self.n_products + product)
    }

    /// Records the mid (ticks, > 0) of `product` at point `k` (1-based) of
    /// `day`, or that the book had an empty side there (`None`): such a
    /// point has no price, so no return starts or ends at it. A last trade
    /// carried over an empty side would be stale, and flipping between it
    /// and the mid would fake the returns every fact is computed from.
    pub fn sample(&mut self, day: u32, k: usize, product: usize, mid: Option<f64>) {
        if !(1..=self.per_day).contains(&k) {
            return;
        }
        let Some(i) = self.slot(day, (k as i64 - 1) * self.step, product) else { return };
        let counts = &mut self.points[product];
        counts.0 += 1;
        match mid {
            Some(price) if price > 0.0 => self.log_price[i] = price.ln(),
            _ => counts.1 += 1,
        }
    }

    /// A trade of `lots` at `since_open` ns after the open of `day`.
    #[inline]
    pub fn trade(&mut self, day: u32, since_open: i64, product: usize, lots: u32, buyer_initiated: bool) {
        if let Some(i) = self.slot(day, since_open, product) {
            self.volume[i] += u64::from(lots);
        }
        self.signs[product].push(if buyer_initiated { 1 } else { -1 });
    }

    /// Log returns of `product` within days, with the volume of each, and
    /// where each day's returns start (so lagged pairs can stay within days).
    fn returns_by_day(&self, product: usize) -> (Vec<f64>, Vec<f64>, Vec<usize>) {
        let days = self.log_price.len() / (self.per_day * self.n_products).max(1);
        let (mut r, mut v, mut starts) = (Vec::new(), Vec::new(), Vec::new());
        for d in 0..days {
            starts.push(r.len());
            for k in 1..self.per_day {
                let i = (d * self.per_day + k) * self.n_products + product;
                let (a, b) = (self.log_price[i - self.n_products], self.log_price[i]);
                if a.is_finite() && b.is_finite() {
                    r.push(b - a);
                    v.push(self.volume[i] as f64);
                }
            }
        }
        (r, v, starts)
    }

    /// Returns over `m` consecutive grid steps (non-overlapping, whole blocks within a day).
    fn aggregated(&self, product: usize, m: usize) -> Vec<f64> {
        let days = self.log_price.len() / (self.per_day * self.n_products).max(1);
        let mut out = Vec::new();
        for d in 0..days {
            let at = |k: usize| self.log_price[(d * self.per_day + k) * self.n_products + product];
            let mut k = 0;
            while k + m < self.per_day {
                let (a, b) = (at(k), at(k + m));
                if a.is_finite() && b.is_finite() {
                    out.push(b - a);
                }
                k += m;
            }
        }
        out
    }

    /// The stylized facts of one product.
    pub fn facts(&self, product: usize, tail_fraction: f64) -> StylizedFacts {
        let (r, volume, starts) = self.returns_by_day(product);
        let abs: Vec<f64> = r.iter().map(|x| x.abs()).collect();
        let step_secs = self.step as f64 / 1e9;
        let excess_kurtosis = [1.0, 5.0, 30.0, 60.0]
            .iter()
            .map(|&minutes| {
                let m = ((minutes * 60.0 / step_secs).round() as usize).max(1);
                let x = self.aggregated(product, m);
                ScaleStat { minutes, grid_steps: m, value: stats::excess_kurtosis(&x), n: x.len() }
            })
            .collect();
        let acf_abs = acf_within_days(&abs, &starts, 50);
        let signs = &self.signs[product];
        let (points, one_sided) = self.points[product];
        StylizedFacts {
            return_step_seconds: step_secs,
            points,
            one_sided_points: one_sided,
            two_sided_share: (points > 0).then(|| 1.0 - one_sided as f64 / points as f64),
            returns: r.len(),
            excess_kurtosis,
            hill_tail_index: stats::hill_tail_index(&r, tail_fraction).map(|(alpha, k)| Hill {
                alpha,
                k,
                n: r.len(),
                tail_fraction,
            }),
            acf_returns: lags(&acf_within_days(&r, &starts, 10)),
            acf_abs_returns: lags(&acf_abs),
            abs_acf_power_law: stats::power_law_decay(&acf_abs)
                .map(|(exponent, r_squared)| PowerLaw { exponent, r_squared }),
            volume_abs_return: Pair {
                pearson: stats::pearson(&volume, &abs),
                spearman: stats::spearman(&volume, &abs),
                n: abs.len(),
            },
            trade_sign_acf: lags(&stats::acf(signs, 10)),
            trades: signs.len(),
        }
    }
}

/// The sample autocorrelation of [`stats::acf`], with the lagged pairs
/// taken within days only (a day's returns start at each of `starts`): the
/// mean and variance are over all returns, the sum of products at lag l over
/// pairs of one day.
fn acf_within_days(x: &[f64], starts: &[usize], max_lag: usize) -> Vec<Option<f64>> {
    let n = x.len();
    if n < 2 {
        return vec![None; max_lag];
    }
    let mean = x.iter().sum::<f64>() / n as f64;
    let var: f64 = x.iter().map(|v| (v - mean) * (v - mean)).sum();
    if var <= 0.0 {
        return vec![None; max_lag];
    }
    let ends: Vec<usize> = starts.iter().skip(1).copied().chain(std::iter::once(n)).collect();
    (1..=max_lag)
        .map(|l| {
            let mut sum = 0.0;
            let mut pairs = 0;
            for (&a, &b) in starts.iter().zip(&ends) {
                for t in a..b.saturating_sub(l) {
                    sum += (x[t] - mean) * (x[t + l] - mean);
                    pairs += 1;
                }
            }
            (pairs > 0).then(|| sum / var)
        })
        .collect()
}

fn lags(v: &[Option<f64>]) -> Vec<LagValue> {
    v.iter().enumerate().map(|(i, &value)| LagValue { lag: i + 1, value }).collect()
}

/// One product's stylized facts (Cont 2001), as written to `summary.json`.
#[derive(Clone, Debug, Serialize)]
pub struct StylizedFacts {
    /// Seconds between grid points.
    pub return_step_seconds: f64,
    /// Grid points sampled.
    pub points: u64,
    /// Points skipped because a side of the book was empty (no mid).
    pub one_sided_points: u64,
    /// Share of the points where both sides quoted; None without points.
    pub two_sided_share: Option<f64>,
    /// Grid returns used (within days).
    pub returns: usize,
    /// Excess kurtosis of returns over 1, 5, 30 and 60 minutes.
    pub excess_kurtosis: Vec<ScaleStat>,
    /// Hill estimate of the tail index of |r|.
    pub hill_tail_index: Option<Hill>,
    /// Autocorrelation of returns at lags 1–10 (grid steps).
    pub acf_returns: Vec<LagValue>,
    /// Autocorrelation of absolute returns at lags 1–50.
    pub acf_abs_returns: Vec<LagValue>,
    /// acf(|r|, lag) ≈ c · lag^(−exponent), fitted on the positive lags.
    pub abs_acf_power_law: Option<PowerLaw>,
    /// Correlation of a grid interval's volume with its absolute return.
    pub volume_abs_return: Pair,
    /// Autocorrelation of trade signs (+1 buyer-initiated) at lags 1–10 trades.
    pub trade_sign_acf: Vec<LagValue>,
    /// Trades whose signs the trade-sign autocorrelation was computed over.
    pub trades: usize,
}

/// Excess kurtosis of returns aggregated over one time scale.
#[derive(Clone, Debug, Serialize)]
pub struct ScaleStat {
    /// The time scale, in minutes of session time.
    pub minutes: f64,
    /// The time scale in grid steps (at least 1).
    pub grid_steps: usize,
    /// Excess kurtosis (0 for a normal law); None with too few returns.
    pub value: Option<f64>,
    /// Aggregated returns it was computed over.
    pub n: usize,
}

/// Hill estimate of the tail index of |returns|.
#[derive(Clone, Debug, Serialize)]
pub struct Hill {
    /// Tail index α: smaller is a heavier tail (returns of real markets are often
    /// near 3).
    pub alpha: f64,
    /// Order statistics used.
    pub k: usize,
    /// Returns the estimate drew its tail from.
    pub n: usize,
    /// Share of the returns taken as the tail (the scenario's setting).
    pub tail_fraction: f64,
}

/// An autocorrelation at one lag.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct LagValue {
    /// The lag, in grid steps (or in trades for trade signs), from 1.
    pub lag: usize,
    /// The autocorrelation; None where no pair of points is that far apart.
    pub value: Option<f64>,
}

/// A power law acf(lag) ≈ c · lag^(−exponent) fitted by least squares on log-log.
#[derive(Clone, Debug, Serialize)]
pub struct PowerLaw {
    /// The decay exponent (a slow decay, volatility clustering, is below 1).
    pub exponent: f64,
    /// R² of the log-log fit.
    pub r_squared: f64,
}

/// The correlation of two series, linear and by rank.
#[derive(Clone, Debug, Serialize)]
pub struct Pair {
    /// Pearson correlation; None when a series is constant or too short.
    pub pearson: Option<f64>,
    /// Spearman rank correlation; None when a series is constant or too short.
    pub spearman: Option<f64>,
    /// Pairs the correlations were computed over.
    pub n: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000_000_000;

    #[test]
    fn returns_stay_within_days_and_carry_their_volume() {
        // Two days of 5 one-minute points; prices e^0, e^1, … so every return is 1.
        let mut g = PriceGrid::new(MIN, 5 * MIN, 2, 1);
        for day in 0..2 {
            for k in 1..=5 {
                g.sample(day, k, 0, Some((k as f64 + 10.0 * f64::from(day)).exp()));
            }
            g.trade(day, 90_000_000_000, 0, 7, true); // in the second interval
        }
        let (r, v, _) = g.returns_by_day(0);
        assert_eq!(r.len(), 8, "4 returns a day, none across the night");
        assert!(r.iter().all(|x| (x - 1.0).abs() < 1e-9));
        assert_eq!(v, [7.0, 0.0, 0.0, 0.0, 7.0, 0.0, 0.0, 0.0]);
        let two = g.aggregated(0, 2);
        assert_eq!(two.len(), 4, "two whole 2-step blocks a day");
        assert!(two.iter().all(|x| (x - 2.0).abs() < 1e-9));
        assert_eq!(g.signs[0], [1, 1]);
    }

    #[test]
    fn autocorrelations_pair_returns_within_days_only() {
        // Two days of [1, -1]: within a day lag 1 pairs (1, -1) only.
        let x = [1.0, -1.0, 1.0, -1.0];
        let within = acf_within_days(&x, &[0, 2], 2);
        assert_eq!(within[0], Some(-2.0 / 4.0), "two within-day pairs of product -1, over a variance sum of 4");
        assert_eq!(within[1], None, "no lag-2 pair inside a day");
        // One day: the plain estimator.
        assert_eq!(acf_within_days(&x, &[0], 2), stats::acf(&x, 2));
    }

    #[test]
    fn missing_prices_break_returns() {
        let mut g = PriceGrid::new(MIN, 4 * MIN, 1, 1);
        g.sample(0, 1, 0, Some(1.0));
        g.sample(0, 2, 0, None);
        g.sample(0, 3, 0, Some(2.0));
        g.sample(0, 4, 0, Some(4.0));
        let (r, _, _) = g.returns_by_day(0);
        assert_eq!(r.len(), 1, "only points 3 and 4 are consecutive and two-sided");
        assert!((r[0] - 2f64.ln()).abs() < 1e-12);
        let facts = g.facts(0, 0.1);
        assert_eq!((facts.points, facts.one_sided_points), (4, 1));
        assert_eq!(facts.two_sided_share, Some(0.75));
    }
}
