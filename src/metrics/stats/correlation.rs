//! Correlation: Pearson's r, Spearman's rho on average ranks (ties sharing
//! their ranks), their Fisher-z intervals and t-test p-values, and the
//! cross-correlation of two series over a range of lags.

use super::interval::Z95;
use super::special::student_t_two_sided_p;

/// Pearson's correlation; `None` with fewer than 3 pairs or a constant series.
///
/// r = Σ (x − x̄)(y − ȳ) / sqrt(Σ (x − x̄)² · Σ (y − ȳ)²) over the first
/// min(len x, len y) pairs, clamped to [−1, 1].
pub fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len().min(y.len());
    if n < 3 {
        return None;
    }
    // A constant series has no correlation; checked exactly, since its
    // floating-point deviations from the mean need not be exactly zero.
    if x[..n].iter().all(|&v| v == x[0]) || y[..n].iter().all(|&v| v == y[0]) {
        return None;
    }
    let mx = x[..n].iter().sum::<f64>() / n as f64;
    let my = y[..n].iter().sum::<f64>() / n as f64;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (&a, &b) in x[..n].iter().zip(&y[..n]) {
        let (dx, dy) = (a - mx, b - my);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    if sxx <= 0.0 || syy <= 0.0 {
        return None;
    }
    Some((sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0))
}

/// Ranks from 1, ties sharing the average of the ranks they span.
pub fn average_ranks(x: &[f64]) -> Vec<f64> {
    // Each value's place in `f64::total_cmp`'s order as an integer, beside
    // its position: an unstable sort of plain pairs, not a stable sort of
    // positions that looks each value up (ties get one rank either way).
    let mut order: Vec<(i64, usize)> = x.iter().map(|v| total_order_key(*v)).zip(0..).collect();
    order.sort_unstable();
    let mut ranks = vec![0.0; x.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && x[order[j + 1].1] == x[order[i].1] {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        for &(_, k) in &order[i..=j] {
            ranks[k] = rank;
        }
        i = j + 1;
    }
    ranks
}

/// An integer that orders as `f64::total_cmp` orders `v` (the standard
/// library's own mapping: negative values' magnitude bits flipped).
fn total_order_key(v: f64) -> i64 {
    let bits = v.to_bits() as i64;
    bits ^ (((bits >> 63) as u64) >> 1) as i64
}

/// Spearman's rank correlation: Pearson's r of the average ranks (so ties are
/// handled as in the "tie-corrected" rho).
pub fn spearman(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len().min(y.len());
    pearson(&average_ranks(&x[..n]), &average_ranks(&y[..n]))
}

/// A correlation with its inference.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct CorrStat {
    /// The correlation coefficient.
    pub r: f64,
    /// Number of pairs.
    pub n: usize,
    /// Lower end of the 95% Fisher-z interval.
    pub ci_lo: f64,
    /// Upper end of the 95% Fisher-z interval.
    pub ci_hi: f64,
    /// Two-sided p-value of the t test of zero correlation.
    pub p_value: f64,
}

/// Which coefficient an interval is of: its Fisher-z variance factor, and
/// what a perfect value means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Coefficient {
    /// Pearson's r: variance factor 1.
    Pearson,
    /// Spearman's rho: variance factor 1.06 (Fieller, Hartley & Pearson
    /// 1957); a perfect value is a perfect ranking.
    Spearman,
}

impl Coefficient {
    /// The factor of 1/(n − 3) in the variance of atanh of the coefficient.
    pub fn var(self) -> f64 {
        match self {
            Coefficient::Pearson => 1.0,
            Coefficient::Spearman => 1.06,
        }
    }
}

/// The interval and p-value of a correlation `r` of kind `kind` from `n`
/// pairs (an effective, fractional count allowed; [`CorrStat::n`] keeps it
/// rounded down), with `se` the standard error of atanh(r).
///
/// A perfect rank correlation (|rho| = 1, within rounding) would get
/// Fisher's degenerate interval [rho, rho] (atanh(±1) = ±∞) and the t
/// test's p = 0: a certainty a few pairs cannot give (six windows in
/// perfect rank order read "+1.000, 95% CI +1.000 to +1.000, p < 0.0001").
/// By convention its interval's far end is instead that of the nearest
/// rho m = ⌊n⌋ ranks can show short of perfect, 1 − 12/(m³ − m) (one
/// neighbouring pair swapped: the interval then joins that of the next
/// attainable value), its near end rho; and its p is 2/m!, the chance that
/// m untied values paired at random rank perfectly one way or the other
/// (2/6! ≈ 0.0028; below 10⁻¹⁶ from m = 19). A perfect Pearson r (points
/// on a line) keeps [r, r] and p = 0, what the bivariate normal model
/// behind Fisher's z gives.
pub(super) fn corr_stat(r: f64, n: f64, se: f64, kind: Coefficient) -> CorrStat {
    let m = n.floor().max(2.0);
    let perfect = kind == Coefficient::Spearman && r.abs() >= 1.0 - 1e-12;
    let z = if perfect { (r.signum() * (1.0 - 12.0 / (m * m * m - m))).atanh() } else { r.atanh() };
    let (mut ci_lo, mut ci_hi) = ((z - Z95 * se).tanh(), (z + Z95 * se).tanh());
    let df = n - 2.0;
    // t = r·sqrt(df / (1 − r²)); ∞ for |r| = 1, which gives p = 0.
    let t = r * (df / (1.0 - r * r)).sqrt();
    let mut p_value = student_t_two_sided_p(t, df).unwrap_or(f64::NAN);
    if perfect {
        (ci_lo, ci_hi) = if r > 0.0 { (ci_lo, 1.0) } else { (-1.0, ci_hi) };
        p_value = 2.0 / (2..=m as u64).map(|k| k as f64).product::<f64>();
    }
    CorrStat { r, n: n as usize, ci_lo, ci_hi, p_value }
}

/// Pearson's r with a 95% Fisher-z interval and a two-sided p-value.
///
/// Interval: tanh(atanh(r) ± z₀.₉₇₅ / sqrt(n − 3)) (Fisher 1921).
/// p-value: t = r·sqrt((n − 2) / (1 − r²)) has a Student t distribution with
/// n − 2 degrees of freedom under zero correlation of a bivariate normal;
/// p = P(|T| ≥ |t|), computed by [`student_t_two_sided_p`].
/// `None` below 4 pairs (the interval needs n − 3 > 0) or for a constant series.
pub fn pearson_stat(x: &[f64], y: &[f64]) -> Option<CorrStat> {
    let n = x.len().min(y.len());
    if n < 4 {
        return None;
    }
    let r = pearson(x, y)?;
    Some(corr_stat(r, n as f64, 1.0 / ((n - 3) as f64).sqrt(), Coefficient::Pearson))
}

/// Spearman's rho (Pearson on average ranks) with a 95% Fisher-z interval and
/// a two-sided p-value.
///
/// Interval: tanh(atanh(rho) ± z₀.₉₇₅ · sqrt(1.06 / (n − 3))), the standard
/// error of Fieller, Hartley & Pearson (1957), "Tests for rank correlation
/// coefficients. I", Biometrika 44. p-value: the t approximation
/// t = rho·sqrt((n − 2) / (1 − rho²)) with n − 2 degrees of freedom, as for
/// [`pearson_stat`]. `None` below 4 pairs or when either series is constant.
pub fn spearman_stat(x: &[f64], y: &[f64]) -> Option<CorrStat> {
    let n = x.len().min(y.len());
    spearman_stat_of_ranks(&average_ranks(&x[..n]), &average_ranks(&y[..n]))
}

/// [`spearman_stat`] from the series' [`average_ranks`], for a caller that
/// reads the ranks for more than this.
pub fn spearman_stat_of_ranks(rx: &[f64], ry: &[f64]) -> Option<CorrStat> {
    let n = rx.len().min(ry.len());
    if n < 4 {
        return None;
    }
    let r = pearson(rx, ry)?;
    Some(corr_stat(r, n as f64, (Coefficient::Spearman.var() / (n - 3) as f64).sqrt(), Coefficient::Spearman))
}

/// Cross-correlation of x_t with y_{t+lag}: Pearson's r over the overlapping
/// pairs (x_t, y_{t+lag}), 0 ≤ t, t + lag < n with n = min(len x, len y), for
/// lag in −max_lag..=max_lag. Entry i is lag −max_lag + i; an entry is `None`
/// where [`pearson`] is undefined (fewer than 3 overlapping pairs, a constant
/// stretch). A positive peak lag means y follows x (y_t ≈ x_{t−lag}).
/// Cost O(n · max_lag), no allocation besides the result.
pub fn cross_correlation(x: &[f64], y: &[f64], max_lag: usize) -> Vec<Option<f64>> {
    let n = x.len().min(y.len());
    let (x, y) = (&x[..n], &y[..n]);
    let at = |lag: usize, negative: bool| -> Option<f64> {
        if lag >= n {
            return None;
        }
        if negative { pearson(&x[lag..], &y[..n - lag]) } else { pearson(&x[..n - lag], &y[lag..]) }
    };
    (0..max_lag)
        .rev()
        .map(|i| at(i + 1, true))
        .chain(std::iter::once(at(0, false)))
        .chain((1..=max_lag).map(|lag| at(lag, false)))
        .collect()
}

#[cfg(test)]
mod tests {
    use std::f64::consts::PI;

    use super::*;
    use crate::metrics::stats::tests::{close, near, uniforms};

    /// Six windows in perfect rank order: not "+1.000 (95% CI +1.000 to
    /// +1.000, p < 0.0001)" but an interval reaching down to what a single
    /// swap would give, and the permutation test's 2/6!.
    #[test]
    fn a_perfect_correlation_claims_no_more_than_its_pairs_give() {
        let x = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let y = [0.1, 0.3, 0.35, 0.5, 0.9, 1.2];
        let s = spearman_stat(&x, &y).unwrap();
        assert_eq!((s.r, s.ci_hi), (1.0, 1.0));
        // 1 − 12/210, se √(1.06/3).
        let lo = ((1.0f64 - 12.0 / 210.0).atanh() - Z95 * (1.06f64 / 3.0).sqrt()).tanh();
        assert!(near(s.ci_lo, lo, 1e-12) && (0.5..0.6).contains(&s.ci_lo), "{s:?}");
        assert!(near(s.p_value, 2.0 / 720.0, 1e-15), "{s:?}");
        let reversed: Vec<f64> = y.iter().map(|v| -v).collect();
        let s = spearman_stat(&x, &reversed).unwrap();
        assert!(s.ci_lo == -1.0 && near(s.ci_hi, -lo, 1e-12) && near(s.p_value, 2.0 / 720.0, 1e-15));
        // Short of perfect, the t test's p: no floor.
        let y = [0.1, 0.35, 0.3, 0.5, 0.9, 1.2];
        let s = spearman_stat(&x, &y).unwrap();
        assert!(s.r < 1.0 && s.p_value < 2.0 / 720.0 * 2.0, "{s:?}");
        assert!(near(s.ci_lo, lo, 1e-12), "one swap: the interval the perfect ranking's joins");
    }

    #[test]
    fn ranks_match_a_stable_sort_of_positions() {
        fn reference(x: &[f64]) -> Vec<f64> {
            let mut order: Vec<usize> = (0..x.len()).collect();
            order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
            let mut ranks = vec![0.0; x.len()];
            let mut i = 0;
            while i < order.len() {
                let mut j = i;
                while j + 1 < order.len() && x[order[j + 1]] == x[order[i]] {
                    j += 1;
                }
                for &k in &order[i..=j] {
                    ranks[k] = (i + j) as f64 / 2.0 + 1.0;
                }
                i = j + 1;
            }
            ranks
        }
        // Ties, both zeros, infinities, subnormals and NaNs among the values.
        let special = [0.0, -0.0, 1.0, -1.0, f64::INFINITY, f64::NEG_INFINITY, 5e-324, -5e-324, f64::NAN, -f64::NAN];
        for n in [0, 1, 2, 7, 330, 1000] {
            let u = uniforms(n as u64 + 3, n);
            let x: Vec<f64> = u
                .iter()
                .enumerate()
                .map(|(i, v)| if i % 3 == 0 { special[(v * 10.0) as usize % 10] } else { (v * 8.0).floor() - 4.0 })
                .collect();
            let bits = |r: Vec<f64>| r.into_iter().map(f64::to_bits).collect::<Vec<_>>();
            assert_eq!(bits(average_ranks(&x)), bits(reference(&x)), "n {n}");
        }
    }

    #[test]
    fn a_constant_series_has_no_correlation_even_when_its_mean_is_inexact() {
        let rate = [0.0435; 7];
        assert_eq!(pearson(&rate, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]), None);
        assert_eq!(pearson_stat(&rate, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]), None);
    }

    #[test]
    fn pearson_matches_a_hand_computation() {
        // x = 1..5, y = 2,4,5,4,5: sxy = 6, sxx = 10, syy = 6 -> r = 6 / sqrt(60)
        let r = pearson(&[1.0, 2.0, 3.0, 4.0, 5.0], &[2.0, 4.0, 5.0, 4.0, 5.0]);
        assert!(close(r, 6.0 / 60f64.sqrt()));
        assert_eq!(pearson(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]), None);
        assert_eq!(pearson(&[1.0, 2.0], &[1.0, 2.0]), None);
    }

    #[test]
    fn spearman_averages_tied_ranks() {
        assert_eq!(average_ranks(&[10.0, 20.0, 20.0, 30.0]), vec![1.0, 2.5, 2.5, 4.0]);
        // Monotone but not linear: rho = 1.
        assert!(close(spearman(&[1.0, 2.0, 3.0, 4.0], &[1.0, 8.0, 27.0, 64.0]), 1.0));
        // y ranks 2,4,5,4,5 -> 1, 2.5, 4.5, 2.5, 4.5 against 1..5:
        // sxy = 7, sxx = 10, syy = 9 -> rho = 7 / sqrt(90).
        assert!(close(spearman(&[1.0, 2.0, 3.0, 4.0, 5.0], &[2.0, 4.0, 5.0, 4.0, 5.0]), 7.0 / 90f64.sqrt()));
    }

    #[test]
    fn pearson_stat_interval_and_p_value_by_hand() {
        // x = 1..5, y = 2,1,4,3,5: deviations -2..2 and -1,-2,1,0,2:
        // sxy = 2 + 2 + 0 + 0 + 4 = 8, sxx = syy = 10 -> r = 0.8.
        let s = pearson_stat(&[1.0, 2.0, 3.0, 4.0, 5.0], &[2.0, 1.0, 4.0, 3.0, 5.0]).unwrap();
        assert!(near(s.r, 0.8, 1e-15));
        assert_eq!(s.n, 5);
        // atanh(0.8) = ln(1.8/0.2)/2 = ln 3, SE = 1/sqrt(2), a = Z95/sqrt(2);
        // tanh(ln 3 ± a) = (9 e^{±2a} − 1) / (9 e^{±2a} + 1).
        let e = (2.0 * Z95 / 2f64.sqrt()).exp();
        assert!(near(s.ci_lo, (9.0 / e - 1.0) / (9.0 / e + 1.0), 1e-13));
        assert!(near(s.ci_hi, (9.0 * e - 1.0) / (9.0 * e + 1.0), 1e-13));
        assert!(near(s.ci_lo, -0.279_640_041_969_355, 1e-13) && near(s.ci_hi, 0.986_196_193_301_271, 1e-13));
        // t = 0.8 sqrt(3 / 0.36) = 4/sqrt(3), df = 3. With tan θ = t/sqrt(df) = 4/3
        // (sin θ = 4/5, cos θ = 3/5), A&S 26.7.3 for df = 3 gives
        // p = 1 − (2/π)(θ + sin θ cos θ) = 1 − (2/π)(atan(4/3) + 12/25) = 0.104088…
        let p = 1.0 - 2.0 / PI * ((4.0f64 / 3.0).atan() + 12.0 / 25.0);
        assert!(near(s.p_value, p, 1e-12), "{} vs {p}", s.p_value);
        assert!(near(p, 0.104_088_038_661_828, 1e-14));
    }

    #[test]
    fn spearman_stat_on_a_tied_table_by_hand() {
        // x = 1,1,2,3,4,4 -> ranks 1.5,1.5,3,4,5.5,5.5; y = 1,2,2,3,3,5 -> ranks
        // 1,2.5,2.5,4.5,4.5,6. Both mean 3.5; deviations -2,-2,-.5,.5,2,2 and
        // -2.5,-1,-1,1,1,2.5: sxy = 5+2+.5+.5+2+5 = 15, sxx = syy = 16.5
        // -> rho = 15/16.5 = 10/11.
        let (x, y) = ([1.0, 1.0, 2.0, 3.0, 4.0, 4.0], [1.0, 2.0, 2.0, 3.0, 3.0, 5.0]);
        let s = spearman_stat(&x, &y).unwrap();
        assert!(near(s.r, 10.0 / 11.0, 1e-15));
        assert_eq!(s.n, 6);
        // atanh(10/11) = ln(21)/2; SE = sqrt(1.06/3); tanh(ln(21)/2 ± a) =
        // (21 e^{±2a} − 1)/(21 e^{±2a} + 1).
        let e = (2.0 * Z95 * (1.06f64 / 3.0).sqrt()).exp();
        assert!(near(s.ci_lo, (21.0 / e - 1.0) / (21.0 / e + 1.0), 1e-13));
        assert!(near(s.ci_hi, (21.0 * e - 1.0) / (21.0 * e + 1.0), 1e-13));
        // t = (10/11) sqrt(4 / (21/121)) = 20/sqrt(21), df = 4: sin θ = 10/11,
        // cos² θ = 21/121; A&S 26.7.3 for df = 4: p = 1 − sin θ (1 + cos² θ / 2)
        // = 1 − (10/11)(263/242) = 32/2662 = 16/1331.
        assert!(near(s.p_value, 16.0 / 1331.0, 1e-13), "{}", s.p_value);
        // Pearson on the same ranks: same r and p, interval with SE 1/sqrt(3).
        let p = pearson_stat(&average_ranks(&x), &average_ranks(&y)).unwrap();
        let e = (2.0 * Z95 / 3f64.sqrt()).exp();
        assert!(near(p.r, s.r, 1e-15) && near(p.p_value, s.p_value, 1e-15));
        assert!(near(p.ci_lo, (21.0 / e - 1.0) / (21.0 / e + 1.0), 1e-13));
        assert!(near(p.ci_hi, (21.0 * e - 1.0) / (21.0 * e + 1.0), 1e-13));
    }

    #[test]
    fn spearman_stat_untied_table() {
        // Ranks equal the values: rho = r = 0.8 (see the Pearson test); SE = sqrt(0.53).
        let s = spearman_stat(&[1.0, 2.0, 3.0, 4.0, 5.0], &[2.0, 1.0, 4.0, 3.0, 5.0]).unwrap();
        assert!(near(s.r, 0.8, 1e-15));
        let e = (2.0 * Z95 * 0.53f64.sqrt()).exp();
        assert!(near(s.ci_lo, (9.0 / e - 1.0) / (9.0 / e + 1.0), 1e-13));
        assert!(near(s.ci_hi, (9.0 * e - 1.0) / (9.0 * e + 1.0), 1e-13));
        assert!(near(s.p_value, 1.0 - 2.0 / PI * ((4.0f64 / 3.0).atan() + 12.0 / 25.0), 1e-12));
    }

    #[test]
    fn correlation_stats_edge_cases() {
        let (a, b) = ([1.0, 2.0, 3.0], [3.0, 1.0, 2.0]);
        assert_eq!(pearson_stat(&a, &b), None);
        assert_eq!(spearman_stat(&a, &b), None);
        assert_eq!(pearson_stat(&[], &[]), None);
        assert_eq!(spearman_stat(&[1.0; 6], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]), None);
        // A perfect Pearson r: points on a line, the normal model's [r, r]
        // and p = 0.
        let s = pearson_stat(&[1.0, 2.0, 3.0, 4.0, 5.0], &[2.0, 4.0, 6.0, 8.0, 10.0]).unwrap();
        assert_eq!((s.r, s.ci_lo, s.ci_hi, s.p_value), (1.0, 1.0, 1.0, 0.0));
        // A perfect ranking over 5 pairs: the far end from 1 − 12/120 = 0.9
        // (se √(1.06/2)), p = 2/5!.
        let s = spearman_stat(&[1.0, 2.0, 3.0, 4.0, 5.0], &[5.0, 4.0, 3.0, 2.0, 1.0]).unwrap();
        let far = -(0.9f64.atanh() - Z95 * (1.06f64 / 2.0).sqrt()).tanh();
        assert!(s.r == -1.0 && s.ci_lo == -1.0 && near(s.ci_hi, far, 1e-12), "{s:?}");
        assert!(near(s.p_value, 2.0 / 120.0, 1e-15));
        // Unequal lengths use the common prefix.
        let s = pearson_stat(&[1.0, 2.0, 3.0, 4.0, 5.0, 99.0], &[2.0, 1.0, 4.0, 3.0, 5.0]).unwrap();
        assert_eq!(s.n, 5);
        assert!(near(s.r, 0.8, 1e-15));
    }

    #[test]
    fn correlation_interval_contains_r_and_p_is_a_probability() {
        for seed in 0..50 {
            let n = 4 + (seed as usize % 40);
            let u = uniforms(seed, 2 * n);
            let (x, y) = u.split_at(n);
            let y: Vec<f64> = y.iter().zip(x).map(|(a, b)| a + 0.5 * b).collect();
            for s in [pearson_stat(x, &y).unwrap(), spearman_stat(x, &y).unwrap()] {
                assert!(s.ci_lo <= s.r && s.r <= s.ci_hi, "{s:?}");
                assert!((-1.0..=1.0).contains(&s.ci_lo) && (-1.0..=1.0).contains(&s.ci_hi));
                assert!((0.0..=1.0).contains(&s.p_value), "{s:?}");
            }
        }
    }

    #[test]
    fn cross_correlation_peaks_at_the_delay_of_y() {
        // y_t = x_{t−3}: x_t pairs with y_{t+3} exactly, so the peak is lag +3.
        let x: Vec<f64> = uniforms(7, 200);
        let y: Vec<f64> = (0..200).map(|t| if t >= 3 { x[t - 3] } else { 0.5 }).collect();
        let cc = cross_correlation(&x, &y, 5);
        assert_eq!(cc.len(), 11);
        let (best, _) = cc.iter().enumerate().map(|(i, v)| (i, v.unwrap())).max_by(|a, b| a.1.total_cmp(&b.1)).unwrap();
        assert_eq!(best as i64 - 5, 3);
        assert!(close(cc[5 + 3], 1.0));
        // Lag 0 is plain Pearson; swapping x and y mirrors the lags.
        assert_eq!(cc[5], pearson(&x, &y));
        let back = cross_correlation(&y, &x, 5);
        for i in 0..11 {
            assert!(near(back[i].unwrap(), cc[10 - i].unwrap(), 1e-12));
        }
    }

    #[test]
    fn cross_correlation_by_hand_and_undefined_lags() {
        // x = 1,2,3,4,5, y = 1,3,2,5,4. Lag +1 pairs (x_t, y_{t+1}) = (1,3),(2,2),
        // (3,5),(4,4): x dev -1.5,-.5,.5,1.5, y mean 3.5, dev -.5,-1.5,1.5,.5:
        // sxy = .75+.75+.75+.75 = 3, sxx = syy = 5 -> 0.6.
        // Lag −1 pairs (x_{t}, y_{t−1}) = (2,1),(3,3),(4,2),(5,5): y mean 2.75,
        // dev -1.75,.25,-.75,2.25: sxy = 2.625−.125−.375+3.375 = 5.5, syy = 8.75
        // -> 5.5 / sqrt(5 · 8.75).
        let cc = cross_correlation(&[1.0, 2.0, 3.0, 4.0, 5.0], &[1.0, 3.0, 2.0, 5.0, 4.0], 4);
        assert_eq!(cc.len(), 9);
        assert!(close(cc[5], 0.6));
        assert!(close(cc[3], 5.5 / (5.0f64 * 8.75).sqrt()));
        // Lags ±3 and ±4 leave fewer than 3 pairs.
        assert_eq!((cc[0], cc[1], cc[7], cc[8]), (None, None, None, None));
        assert_eq!(cross_correlation(&[], &[], 2), vec![None; 5]);
        assert_eq!(cross_correlation(&[1.0, 2.0, 3.0], &[1.0, 2.0, 3.0], 0), vec![Some(1.0)]);
    }
}
