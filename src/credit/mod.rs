//! The credit scorecard: a logistic model of a customer's good:bad odds from
//! its features, scaled to points the way lenders publish scores.
//!
//! The model and its scaling follow Siddiqi, *Credit Risk Scorecards:
//! Developing and Implementing Intelligent Credit Scoring* (Wiley, 2006),
//! ch. 6: with ln(odds) the logistic model's linear predictor,
//!
//! ```text
//! score  = offset + factor · ln(odds)
//! factor = pdo / ln 2
//! offset = base_score − factor · ln(base_odds)
//! ```
//!
//! so `base_score` points stand for `base_odds`:1 good:bad odds and every
//! `pdo` points more double them (600 at 50:1 and 20 points to double by
//! default: 620 is 100:1, 580 is 25:1).
//!
//! A customer's log-odds are a per-customer intercept plus a behavioural part
//! (income band, tenure, failed sales, cancel and rejection ratios). The
//! scenario draws each customer's initial score; [`Scorecard::calibrate`] sets
//! the intercept so the model reproduces that score on the first day, and
//! from then on only behaviour moves it. The end-of-day pass
//! ([`Scorecard::score_all`]) is data-parallel over a struct-of-arrays
//! [`Features`]; every score depends only on its own customer's inputs, so
//! the result is the same for any number of threads.
//!
//! [`fit`] holds the statistics of a fitted scorecard: weight-of-evidence
//! binning, ridge-penalised logistic regression, AUC and KS; [`refit`] the
//! schedule that refits one on the run's own history and tests it out of time.

use rayon::prelude::*;

pub mod fit;
pub mod refit;

/// Points-to-double-odds scaling (Siddiqi 2006).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scaling {
    /// The score that stands for `base_odds`.
    pub base_score: f64,
    /// Good:bad odds at `base_score`.
    pub base_odds: f64,
    /// Points to double the odds.
    pub pdo: f64,
}

impl Default for Scaling {
    fn default() -> Scaling {
        Scaling { base_score: 600.0, base_odds: 50.0, pdo: 20.0 }
    }
}

impl Scaling {
    /// Points per unit of log-odds.
    #[inline]
    pub fn factor(&self) -> f64 {
        self.pdo / std::f64::consts::LN_2
    }

    /// The score at even (1:1) odds.
    #[inline]
    pub fn offset(&self) -> f64 {
        self.base_score - self.factor() * self.base_odds.ln()
    }
}

/// Log-odds weights of the behavioural features (positive: a better risk).
///
/// The defaults are illustrative magnitudes, chosen so each feature moves a
/// score by what a lender would find plausible at the default scaling
/// (28.85 points per unit of log-odds):
/// - `income_band` +0.25 per band: band 5 over band 1 is +1.0 log-odds,
///   about +29 points. It never changes during a run, so after
///   [`Scorecard::calibrate`] it is absorbed into the intercept; it matters
///   only for features set without calibration.
/// - `tenure` +0.15 per ln(1 + days as a customer): concave, as in most
///   scorecards' tenure bins; a year is worth +0.89 log-odds (+26 points)
///   and the first month already more than half of that.
/// - `failed_sales` −0.35 per event (a holding redeemed at a penalty): about
///   −10 points each, the heaviest single event, as a missed payment is.
/// - `cancel_ratio` −1.0: a customer who cancels every order loses about
///   29 points. Cancelling is ordinary in a limit-order market, so it weighs
///   less than failing to sell.
/// - `rejection_ratio` −0.7: orders the platform refused (no cash, no
///   shares, score too low) signal overreach; all rejected is about −20
///   points.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Coefficients {
    /// Per income band (1..=5).
    pub income_band: f64,
    /// Per ln(1 + tenure in days).
    pub tenure: f64,
    /// Per failed sale (per event, whatever its size: the failure to plan,
    /// not the amount, is the signal).
    pub failed_sales: f64,
    /// Times cancels / max(orders, 1).
    pub cancel_ratio: f64,
    /// Times rejections / max(orders, 1).
    pub rejection_ratio: f64,
}

impl Default for Coefficients {
    fn default() -> Coefficients {
        Coefficients { income_band: 0.25, tenure: 0.15, failed_sales: -0.35, cancel_ratio: -1.0, rejection_ratio: -0.7 }
    }
}

/// A scaling and the weights: everything needed to turn features into scores.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Scorecard {
    /// How log-odds map to points (offset and points to double the odds).
    pub scaling: Scaling,
    /// Weights of the behavioural features in the log-odds.
    pub coef: Coefficients,
}

/// Customer features in struct-of-arrays form, one entry per account (index
/// 0 is the platform; it is scored like anyone and the score ignored). All
/// vectors have the same length.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Features {
    /// Per-customer log-odds offset (see [`Scorecard::calibrate`]).
    pub intercept: Vec<f32>,
    /// 1..=5.
    pub income_band: Vec<u8>,
    /// Day the customer joined; negative is before the run.
    pub joined_day: Vec<i32>,
    /// Orders submitted (the denominator of the ratios).
    pub orders: Vec<u32>,
    /// Cancels the customer sent (the numerator of the cancel ratio).
    pub cancels: Vec<u32>,
    /// Orders the platform refused (no cash, no shares, score too low): the
    /// numerator of the rejection ratio.
    pub rejections: Vec<u32>,
    /// Failed sales: holdings redeemed at a penalty because they could not be
    /// sold in time (per event, whatever the amount).
    pub failed_sales: Vec<u32>,
}

impl Features {
    /// Bytes per account over every vector (a run's memory estimate counts them).
    pub const BYTES_PER_ACCOUNT: usize = 4 + 1 + 4 + 4 * 4;

    /// `n` customers with no history, joined on day 0, in the middle income
    /// band, intercept 0.
    pub fn new(n: usize) -> Features {
        Features {
            intercept: vec![0.0; n],
            income_band: vec![3; n],
            joined_day: vec![0; n],
            orders: vec![0; n],
            cancels: vec![0; n],
            rejections: vec![0; n],
            failed_sales: vec![0; n],
        }
    }

    /// Number of accounts (the platform's included), the length of every vector.
    pub fn len(&self) -> usize {
        self.intercept.len()
    }

    /// Whether there are no accounts at all.
    pub fn is_empty(&self) -> bool {
        self.intercept.is_empty()
    }

    fn check_lengths(&self) {
        let n = self.len();
        assert!(
            [
                self.income_band.len(),
                self.joined_day.len(),
                self.orders.len(),
                self.cancels.len(),
                self.rejections.len(),
                self.failed_sales.len()
            ]
            .iter()
            .all(|&m| m == n),
            "every feature vector must have one entry per customer"
        );
    }
}

/// Tenures below this many days (about 22 years) read ln(1 + days) from a
/// table: the logarithm is most of the pass's arithmetic, and the table
/// holds exactly what `ln_1p` returns, so results are the same either way.
const LN_TABLE: usize = 8192;

static LN_1P_DAYS: std::sync::LazyLock<Box<[f64]>> =
    std::sync::LazyLock::new(|| (0..LN_TABLE).map(|d| (d as f64).ln_1p()).collect());

#[inline(always)]
fn ln_1p_days(table: &[f64], days: u64) -> f64 {
    match table.get(days as usize) {
        Some(&l) => l,
        None => (days as f64).ln_1p(),
    }
}

/// Calls `f(k, piece)` for each `chunk`-long piece `k` of `out`: in
/// parallel on the rayon pool the caller runs in (a run's with `threads`
/// above 1, a sweep's), else one after the other on the calling thread.
/// Never on rayon's global pool, made once per process: its threads do not
/// survive a `fork`, and a forked child (Python's `multiprocessing` on
/// Linux) that had it from its parent would wait for them forever.
pub(crate) fn each_chunk<T: Send>(out: &mut [T], chunk: usize, f: impl Fn(usize, &mut [T]) + Sync + Send) {
    if rayon::current_thread_index().is_some() {
        out.par_chunks_mut(chunk).enumerate().for_each(|(k, piece)| f(k, piece));
    } else {
        out.chunks_mut(chunk).enumerate().for_each(|(k, piece)| f(k, piece));
    }
}

/// Customers per rayon task: large enough that scheduling is noise next to
/// the work (tens of microseconds a chunk), small enough to balance two to a
/// few dozen cores at a million customers.
const CHUNK: usize = 8192;

impl Scorecard {
    /// Score points for the given log-odds of good:bad (ln odds), with this
    /// scaling.
    #[inline]
    pub fn log_odds_to_score(&self, log_odds: f64) -> f64 {
        self.scaling.offset() + self.scaling.factor() * log_odds
    }

    /// Log-odds of good:bad for a score in points: the inverse of
    /// [`log_odds_to_score`](Self::log_odds_to_score), used by calibration.
    #[inline]
    pub fn score_to_log_odds(&self, score: f64) -> f64 {
        (score - self.scaling.offset()) / self.scaling.factor()
    }

    /// The one formula for the behavioural log-odds; every public path goes
    /// through it, so the parallel pass and a sequential loop agree bit for
    /// bit.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn behaviour(
        &self,
        table: &[f64],
        income: u8,
        joined: i32,
        orders: u32,
        cancels: u32,
        rejections: u32,
        failed: u32,
        day: i32,
    ) -> f64 {
        let c = &self.coef;
        // i64: day − joined cannot overflow; joining in the future counts as new.
        let days = (i64::from(day) - i64::from(joined)).max(0) as u64;
        let denom = f64::from(orders.max(1));
        c.income_band * f64::from(income)
            + c.tenure * ln_1p_days(table, days)
            + c.failed_sales * f64::from(failed)
            + c.cancel_ratio * (f64::from(cancels) / denom)
            + c.rejection_ratio * (f64::from(rejections) / denom)
    }

    #[inline(always)]
    fn scaled(&self, log_odds: f64) -> f32 {
        self.log_odds_to_score(log_odds).clamp(0.0, 1000.0) as f32
    }

    /// Log-odds from the behavioural part only (no intercept) for customer
    /// `i` on `day`.
    pub fn behaviour_log_odds(&self, f: &Features, i: usize, day: i32) -> f64 {
        self.behaviour(
            &LN_1P_DAYS,
            f.income_band[i],
            f.joined_day[i],
            f.orders[i],
            f.cancels[i],
            f.rejections[i],
            f.failed_sales[i],
            day,
        )
    }

    /// Customer `i`'s score on `day`, clamped to [0, 1000]: what
    /// [`Scorecard::score_all`] writes for it.
    pub fn score(&self, f: &Features, i: usize, day: i32) -> f32 {
        self.scaled(f64::from(f.intercept[i]) + self.behaviour_log_odds(f, i, day))
    }

    /// Sets each customer's intercept so that its score on `day` equals
    /// `initial_scores[i]` (up to the f32 rounding of the intercept, well
    /// under 0.001 points; scores outside [0, 1000] come back clamped).
    pub fn calibrate(&self, f: &mut Features, initial_scores: &[f32], day: i32) {
        f.check_lengths();
        assert_eq!(initial_scores.len(), f.len(), "one initial score per customer");
        for (i, &initial) in initial_scores.iter().enumerate() {
            let target = self.score_to_log_odds(f64::from(initial));
            f.intercept[i] = (target - self.behaviour_log_odds(f, i, day)) as f32;
        }
    }

    /// End-of-day pass: `scores[i]` = the scaled intercept plus behavioural
    /// log-odds, clamped to [0, 1000]. Over chunks of customers, in parallel
    /// on the rayon pool the caller runs in, else on the calling thread; each output
    /// depends only on its own inputs, so the result does not depend on the
    /// number of threads.
    pub fn score_all(&self, f: &Features, day: i32, scores: &mut [f32]) {
        f.check_lengths();
        assert_eq!(scores.len(), f.len(), "one score slot per customer");
        each_chunk(scores, CHUNK, |k, out| {
            // The table fetched once a chunk, not once a customer.
            let table: &[f64] = &LN_1P_DAYS;
            let lo = k * CHUNK;
            let hi = lo + out.len();
            // Sliced and zipped so the loop runs without bounds checks.
            let inputs = f.intercept[lo..hi]
                .iter()
                .zip(&f.income_band[lo..hi])
                .zip(&f.joined_day[lo..hi])
                .zip(&f.orders[lo..hi])
                .zip(&f.cancels[lo..hi])
                .zip(&f.rejections[lo..hi])
                .zip(&f.failed_sales[lo..hi]);
            for (s, ((((((&b, &inc), &j), &o), &c), &r), &fs)) in out.iter_mut().zip(inputs) {
                *s = self.scaled(f64::from(b) + self.behaviour(table, inc, j, o, c, r, fs, day));
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::ChaCha8Rng;
    use rand::{RngExt, SeedableRng};

    fn random_features(n: usize, seed: u64) -> Features {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut f = Features::new(n);
        for i in 0..n {
            f.income_band[i] = rng.random_range(1..=5);
            f.joined_day[i] = rng.random_range(-2000..=10);
            f.orders[i] = rng.random_range(0..500);
            f.cancels[i] = rng.random_range(0..=f.orders[i]);
            f.rejections[i] = rng.random_range(0..=f.orders[i] / 4);
            f.failed_sales[i] = rng.random_range(0..4);
            f.intercept[i] = rng.random_range(-2.0..6.0);
        }
        f
    }

    #[test]
    fn scaling_puts_600_at_50_to_1_and_620_at_100_to_1() {
        let sc = Scorecard::default();
        assert!((sc.log_odds_to_score(50f64.ln()) - 600.0).abs() < 1e-9);
        assert!((sc.log_odds_to_score(100f64.ln()) - 620.0).abs() < 1e-9);
        assert!((sc.log_odds_to_score(25f64.ln()) - 580.0).abs() < 1e-9);
        assert!((sc.score_to_log_odds(600.0) - 50f64.ln()).abs() < 1e-12);
        assert!((sc.score_to_log_odds(620.0).exp() - 100.0).abs() < 1e-9);
    }

    #[test]
    fn scaling_round_trips() {
        let custom = Scorecard {
            scaling: Scaling { base_score: 500.0, base_odds: 20.0, pdo: 40.0 },
            coef: Coefficients::default(),
        };
        for sc in [Scorecard::default(), custom] {
            for s in [0.0, 123.4, 500.0, 600.0, 777.7, 1000.0] {
                assert!((sc.log_odds_to_score(sc.score_to_log_odds(s)) - s).abs() < 1e-9);
            }
            for l in [-10.0, -1.0, 0.0, 0.5, 3.9, 12.0] {
                assert!((sc.score_to_log_odds(sc.log_odds_to_score(l)) - l).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn calibrate_then_score_all_reproduces_the_initial_scores() {
        let sc = Scorecard::default();
        let mut f = random_features(50_000, 1);
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let initial: Vec<f32> = (0..f.len()).map(|_| rng.random_range(300.0..900.0)).collect();
        sc.calibrate(&mut f, &initial, 7);
        let mut scores = vec![0.0; f.len()];
        sc.score_all(&f, 7, &mut scores);
        for (s, t) in scores.iter().zip(&initial) {
            assert!((s - t).abs() < 1e-3, "{s} vs {t}");
        }
    }

    /// One customer with a given history, calibrated to 600 on day 0 with
    /// no history, then scored on `day`.
    fn score_after(day: i32, set: impl Fn(&mut Features)) -> f32 {
        let sc = Scorecard::default();
        let mut f = Features::new(1);
        f.orders[0] = 100;
        sc.calibrate(&mut f, &[600.0], 0);
        set(&mut f);
        sc.score(&f, 0, day)
    }

    #[test]
    fn bad_behaviour_lowers_the_score() {
        let base = score_after(0, |_| {});
        assert!((base - 600.0).abs() < 1e-3);
        let one_failed = score_after(0, |f| f.failed_sales[0] = 1);
        let two_failed = score_after(0, |f| f.failed_sales[0] = 2);
        assert!(two_failed < one_failed && one_failed < base);
        let some_cancels = score_after(0, |f| f.cancels[0] = 20);
        let more_cancels = score_after(0, |f| f.cancels[0] = 60);
        assert!(more_cancels < some_cancels && some_cancels < base);
        let rejected = score_after(0, |f| f.rejections[0] = 30);
        assert!(rejected < base);
        // The same cancels over more orders are a smaller ratio.
        let diluted = score_after(0, |f| {
            f.cancels[0] = 20;
            f.orders[0] = 400;
        });
        assert!(diluted > some_cancels);
    }

    #[test]
    fn tenure_and_income_raise_the_score() {
        let base = score_after(0, |_| {});
        let month = score_after(30, |_| {});
        let year = score_after(365, |_| {});
        assert!(base < month && month < year);
        let richer = score_after(0, |f| f.income_band[0] = 5);
        let poorer = score_after(0, |f| f.income_band[0] = 1);
        assert!(poorer < base && base < richer);
        // A failed sale costs about 10 points at the defaults.
        let failed = score_after(0, |f| f.failed_sales[0] = 1);
        assert!((base - failed - 10.1).abs() < 0.1, "{}", base - failed);
    }

    #[test]
    fn score_all_equals_a_sequential_computation_exactly() {
        let sc = Scorecard::default();
        // Not a multiple of the chunk size, so the last chunk is short.
        let f = random_features(3 * CHUNK + 123, 3);
        for day in [-5, 0, 40] {
            let mut par = vec![f32::NAN; f.len()];
            sc.score_all(&f, day, &mut par);
            for (i, &p) in par.iter().enumerate() {
                let seq = sc.scaled(f64::from(f.intercept[i]) + sc.behaviour_log_odds(&f, i, day));
                assert_eq!(p.to_bits(), seq.to_bits(), "customer {i}");
                assert_eq!(p.to_bits(), sc.score(&f, i, day).to_bits());
            }
        }
    }

    #[test]
    fn score_all_is_the_same_on_any_number_of_threads() {
        let sc = Scorecard::default();
        let f = random_features(5 * CHUNK + 7, 4);
        let run = |threads| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("pool");
            let mut s = vec![0.0; f.len()];
            pool.install(|| sc.score_all(&f, 12, &mut s));
            s
        };
        let one = run(1);
        assert!(one.iter().zip(run(3)).all(|(a, b)| a.to_bits() == b.to_bits()));
    }

    #[test]
    fn scores_are_clamped_to_0_and_1000() {
        let sc = Scorecard::default();
        let mut f = Features::new(4);
        f.intercept = vec![-100.0, 100.0, 0.0, f32::MAX];
        f.failed_sales[2] = 1000;
        let mut s = vec![0.0; 4];
        sc.score_all(&f, 0, &mut s);
        assert_eq!(s, [0.0, 1000.0, 0.0, 1000.0]);
        // Calibrating to out-of-range scores comes back clamped.
        sc.calibrate(&mut f, &[-50.0, 1200.0, 0.0, 1000.0], 0);
        sc.score_all(&f, 0, &mut s);
        assert_eq!(s[0], 0.0);
        assert_eq!(s[1], 1000.0);
        assert!(s[2].abs() < 1e-3 && (s[3] - 1000.0).abs() < 1e-3);
    }

    #[test]
    fn the_tenure_table_is_exactly_ln_1p() {
        let table: &[f64] = &LN_1P_DAYS;
        for d in [0, 1, 2, 30, 365, LN_TABLE as u64 - 1, LN_TABLE as u64, LN_TABLE as u64 + 1, 1 << 40] {
            assert_eq!(ln_1p_days(table, d).to_bits(), (d as f64).ln_1p().to_bits(), "{d} days");
        }
    }

    #[test]
    fn tenure_counts_from_the_join_day_and_never_goes_negative() {
        let sc = Scorecard::default();
        let mut f = Features::new(3);
        f.joined_day = vec![-100, 0, 50];
        let l = |f: &Features, i| sc.behaviour_log_odds(f, i, 10) - sc.coef.income_band * 3.0;
        assert!((l(&f, 0) - 0.15 * 110f64.ln_1p()).abs() < 1e-12);
        assert!((l(&f, 1) - 0.15 * 10f64.ln_1p()).abs() < 1e-12);
        assert_eq!(l(&f, 2), 0.0);
        f.joined_day[0] = i32::MIN;
        assert!(sc.behaviour_log_odds(&f, 0, i32::MAX).is_finite());
    }
}
