//! Correlation between two autocorrelated series: the effective sample size
//! of Bartlett (1935) and Bayley & Hammersley (1946), and the Fisher-z
//! interval and t-test p-value computed with it.
//!
//! Windows of a run are not independent draws: success and volume both drift
//! through the day and from one window to the next, so the naive interval of
//! a correlation over n windows is far too narrow. Under the null of no
//! correlation between two stationary series, the variance of Pearson's r is
//! about (1/n)(1 + 2 Σ_{k≥1} ρ_x(k) ρ_y(k)) (Bartlett 1935, "Some aspects of
//! the time-correlation problem in regard to tests of significance", JRSS 98;
//! Bayley & Hammersley 1946, "The 'effective' number of independent
//! observations in an autocorrelated time series", JRSS Suppl. 8): the
//! series carry as much information as n_eff = n / (1 + 2 Σ ρ_x(k) ρ_y(k))
//! independent pairs would.

use super::correlation::{Coefficient, CorrStat, corr_stat};
use super::series::acf;

/// The effective sample size of a correlation and what it was computed from.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct EffectiveN {
    /// n_eff = n / (1 + 2 Σ_{k=1..K} ρ_x(k) ρ_y(k)), clamped to [3, n].
    pub n_eff: f64,
    /// K, the last lag summed.
    pub lags: usize,
    /// ρ_x(1), the lag-1 autocorrelation of x.
    pub acf1_x: f64,
    /// ρ_y(1), the lag-1 autocorrelation of y.
    pub acf1_y: f64,
}

/// The largest lag the sum of [`effective_n`] may reach: n/5 (the truncation of
/// Pyper & Peterman 1998, "Comparison of methods to account for
/// autocorrelation in correlation analyses of fish data", Can. J. Fish.
/// Aquat. Sci. 55), and at most 250 so a run of tens of thousands of windows
/// stays cheap.
pub fn max_dependence_lag(n: usize) -> usize {
    (n / 5).min(250)
}

/// Effective sample size of the correlation of `x` and `y` (the first
/// min(len x, len y) pairs), Bartlett (1935) / Bayley & Hammersley (1946):
///
/// n_eff = n / (1 + 2 Σ_{k=1..K} ρ_x(k) ρ_y(k)),
///
/// with ρ the sample autocorrelations ([`acf`], the biased estimator, which
/// weights lag k by (n − k)/n as Pyper & Peterman 1998 do) and K =
/// [`max_dependence_lag`]. The result is clamped to [3, n]: a negative sum
/// (series whose autocorrelations have opposite signs) cannot make the pairs
/// worth more than n, and three is the fewest a correlation test can use.
/// `None` below 4 pairs or when either series is constant (no
/// autocorrelation). Cost O(n · K).
pub fn effective_n(x: &[f64], y: &[f64]) -> Option<EffectiveN> {
    let n = x.len().min(y.len());
    if n < 4 {
        return None;
    }
    let lags = max_dependence_lag(n).max(1);
    let (ax, ay) = (acf(&x[..n], lags), acf(&y[..n], lags));
    let (acf1_x, acf1_y) = (ax[0]?, ay[0]?);
    let sum: f64 = ax.iter().zip(&ay).map_while(|(a, b)| Some((*a)? * (*b)?)).sum();
    let nf = n as f64;
    let n_eff = nf / (1.0 + 2.0 * sum);
    // A sum at or below −1/2 leaves the ratio negative or infinite: as many
    // pairs as there are, at most.
    let n_eff = if n_eff.is_finite() && n_eff > 0.0 { n_eff.clamp(3.0, nf) } else { nf };
    Some(EffectiveN { n_eff, lags, acf1_x, acf1_y })
}

/// A correlation `r` with a Fisher-z interval and t-test p-value computed
/// from `n_eff` effective pairs instead of n: interval tanh(atanh(r) ∓
/// z₀.₉₇₅·sqrt(var / (n_eff − 3))) (var from `kind`: 1 for Pearson, 1.06
/// for Spearman, as in [`super::pearson_stat`] and [`super::spearman_stat`]);
/// p-value from t = r·sqrt((n_eff − 2)/(1 − r²)) against Student's t with
/// n_eff − 2 (fractional) degrees of freedom. At n_eff = 3 the interval is
/// [−1, 1]; a perfect value is read as [`super::spearman_stat`] or
/// [`super::pearson_stat`] reads it, with m = ⌊n_eff⌋. The returned `n` is
/// n_eff rounded down. `None` when r is not finite, or n_eff is not finite
/// or below 3.
pub fn adjusted_corr_stat(r: f64, n_eff: f64, kind: Coefficient) -> Option<CorrStat> {
    if !(r.is_finite() && n_eff.is_finite() && n_eff >= 3.0) {
        return None;
    }
    let se = if n_eff > 3.0 { (kind.var() / (n_eff - 3.0)).sqrt() } else { f64::INFINITY };
    let mut s = corr_stat(r, n_eff, se, kind);
    if se.is_infinite() {
        (s.ci_lo, s.ci_hi) = (-1.0, 1.0);
    }
    Some(s)
}

/// Pearson's r of `x` with `y`, its 95% Fisher-z interval with Bartlett's
/// effective sample size in place of n ([`effective_n`],
/// [`adjusted_corr_stat`]), and that size: the figure a short rolling range
/// of drifting windows honestly supports. Each part is `None` where it is
/// undefined.
pub fn pearson_honest(x: &[f64], y: &[f64]) -> (Option<f64>, Option<(f64, f64)>, Option<f64>) {
    let r = super::pearson(x, y);
    let n_eff = effective_n(x, y).map(|e| e.n_eff);
    let ci = r.zip(n_eff).and_then(|(r, n)| adjusted_corr_stat(r, n, Coefficient::Pearson)).map(|s| (s.ci_lo, s.ci_hi));
    (r, ci, n_eff)
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::ChaCha8Rng;

    use super::*;
    use crate::metrics::stats::pearson_stat;
    use crate::metrics::stats::tests::{ar1, near};

    #[test]
    fn white_noise_is_worth_about_its_length() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let (x, y) = (ar1(&mut rng, 0.0, 1000), ar1(&mut rng, 0.0, 1000));
        let e = effective_n(&x, &y).unwrap();
        assert!(e.n_eff > 800.0 && e.n_eff <= 1000.0, "{e:?}");
        assert_eq!(e.lags, 200);
    }

    #[test]
    fn two_ar1_series_are_worth_what_bartlett_says() {
        // Two independent AR(1) with φ = 0.9: 1 + 2 Σ φ^{2k} = (1 + φ²)/(1 − φ²)
        // = 9.53, so n_eff ≈ 1000 / 9.53 ≈ 105 (the sample ACF's downward bias
        // makes it a little larger).
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let mut total = 0.0;
        for _ in 0..50 {
            let (x, y) = (ar1(&mut rng, 0.9, 1000), ar1(&mut rng, 0.9, 1000));
            total += effective_n(&x, &y).unwrap().n_eff;
        }
        let mean = total / 50.0;
        assert!((90.0..160.0).contains(&mean), "mean n_eff {mean}");
    }

    #[test]
    fn the_corrected_test_holds_its_level_where_the_naive_one_does_not() {
        // Independent AR(1) pairs, φ = 0.9, n = 330 (a baseline run's windows):
        // no correlation, so a 5% test should reject about 5% of the time.
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let (mut naive, mut corrected, reps) = (0, 0, 2000);
        for _ in 0..reps {
            let (x, y) = (ar1(&mut rng, 0.9, 330), ar1(&mut rng, 0.9, 330));
            let s = pearson_stat(&x, &y).unwrap();
            let e = effective_n(&x, &y).unwrap();
            let a = adjusted_corr_stat(s.r, e.n_eff, Coefficient::Pearson).unwrap();
            naive += usize::from(s.p_value < 0.05);
            corrected += usize::from(a.p_value < 0.05);
        }
        let (naive, corrected) = (naive as f64 / reps as f64, corrected as f64 / reps as f64);
        eprintln!("rejection rate at 5%: naive {naive:.3}, corrected {corrected:.3}");
        assert!(naive > 0.3, "naive {naive}");
        assert!((0.02..=0.09).contains(&corrected), "corrected {corrected}");
    }

    #[test]
    fn adjusted_stat_by_hand_and_at_the_edges() {
        // n_eff = 28: SE = 1/5, df = 26; r = 0.6: atanh = ln 2, t = 0.6·sqrt(26/0.64).
        let s = adjusted_corr_stat(0.6, 28.0, Coefficient::Pearson).unwrap();
        assert!(near(s.ci_lo, (2f64.ln() - Z95_OVER_5).tanh(), 1e-14));
        assert!(near(s.ci_hi, (2f64.ln() + Z95_OVER_5).tanh(), 1e-14));
        let t = 0.6 * (26.0f64 / 0.64).sqrt();
        let p = crate::metrics::stats::student_t_two_sided_p(t, 26.0).unwrap();
        assert!(near(s.p_value, p, 1e-15));
        // It agrees with the naive statistic at n_eff = n.
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        let y = [2.0, 1.0, 4.0, 3.0, 5.0];
        let naive = pearson_stat(&x, &y).unwrap();
        let same = adjusted_corr_stat(naive.r, 5.0, Coefficient::Pearson).unwrap();
        assert!(near(same.ci_lo, naive.ci_lo, 1e-15) && near(same.ci_hi, naive.ci_hi, 1e-15));
        assert!(near(same.p_value, naive.p_value, 1e-15));
        // Three effective pairs: no information about the sign.
        let s = adjusted_corr_stat(0.9, 3.0, Coefficient::Pearson).unwrap();
        assert_eq!((s.ci_lo, s.ci_hi), (-1.0, 1.0));
        assert!(s.p_value > 0.05);
        // A perfect ranking over three effective pairs: no information
        // either, and a permutation's p of 2/3!.
        let s = adjusted_corr_stat(1.0, 3.0, Coefficient::Spearman).unwrap();
        assert_eq!((s.ci_lo, s.ci_hi), (-1.0, 1.0));
        assert!(near(s.p_value, 1.0 / 3.0, 1e-15));
        // Over 4.5: m = 4, far end from 1 − 12/60 = 0.8 at se = √(1.06/1.5).
        let s = adjusted_corr_stat(-1.0, 4.5, Coefficient::Spearman).unwrap();
        let far = (0.8f64.atanh() - Z95_OVER_5 * 5.0 * (1.06f64 / 1.5).sqrt()).tanh();
        assert!(s.ci_lo == -1.0 && near(s.ci_hi, -far, 1e-12), "{s:?}");
        assert!(near(s.p_value, 2.0 / 24.0, 1e-15));
        // A perfect Pearson r keeps the normal model's reading.
        let s = adjusted_corr_stat(1.0, 10.0, Coefficient::Pearson).unwrap();
        assert_eq!((s.ci_lo, s.ci_hi, s.p_value), (1.0, 1.0, 0.0));
        assert_eq!(adjusted_corr_stat(0.5, 2.0, Coefficient::Pearson), None);
        assert_eq!(adjusted_corr_stat(f64::NAN, 10.0, Coefficient::Pearson), None);
        assert_eq!(adjusted_corr_stat(0.5, f64::INFINITY, Coefficient::Pearson), None);
        assert_eq!(effective_n(&[1.0; 10], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0]), None);
        assert_eq!(effective_n(&[1.0, 2.0, 3.0], &[1.0, 2.0, 3.0]), None);
    }

    const Z95_OVER_5: f64 = crate::metrics::stats::Z95 / 5.0;
}
