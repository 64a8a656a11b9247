//! Herding: the Lakonishok–Shleifer–Vishny (1992) measure, with its binomial
//! expectation summed exactly for small crowds.

use std::f64::consts::PI;

use super::special::ln_gamma;

/// Largest number of traders for which [`lsv`] sums the binomial expectation
/// exactly; above it the normal approximation is used.
pub const LSV_EXACT_MAX_N: u64 = 5000;

/// E|K/n − p| for K ~ Binomial(n, p), summing |k/n − p| times the pmf computed
/// in log space: ln pmf at the mode m = ⌊(n + 1)p⌋ from ln Γ, then outwards by
/// ln pmf(k + 1) − ln pmf(k) = ln((n − k)/(k + 1)) + ln(p/(1 − p)). The pmf is
/// log-concave, so each direction stops once the pmf falls below e⁻⁶⁰ of the
/// mode's: the terms left out sum to less than about 1e-27, far below the
/// precision of the result. O(min(n, 11·sqrt(np(1 − p)) + 60)); needs n > 0 and
/// 0 < p < 1.
fn binomial_mean_abs_dev_exact(n: u64, p: f64) -> f64 {
    const CUT: f64 = 60.0;
    let nf = n as f64;
    let (lp, lq) = (p.ln(), (-p).ln_1p());
    let ln_odds = lp - lq;
    let m = (((nf + 1.0) * p).floor() as u64).min(n);
    let mf = m as f64;
    let ln_mode = ln_gamma(nf + 1.0) - ln_gamma(mf + 1.0) - ln_gamma(nf - mf + 1.0) + mf * lp + (nf - mf) * lq;
    let term = |k: u64, ln_pmf: f64| ln_pmf.exp() * (k as f64 / nf - p).abs();
    let mut sum = term(m, ln_mode);
    let mut ln_pmf = ln_mode;
    for k in m..n {
        ln_pmf += ((n - k) as f64 / (k + 1) as f64).ln() + ln_odds;
        if ln_pmf < ln_mode - CUT {
            break;
        }
        sum += term(k + 1, ln_pmf);
    }
    let mut ln_pmf = ln_mode;
    for k in (1..=m).rev() {
        ln_pmf += (k as f64 / (n - k + 1) as f64).ln() - ln_odds;
        if ln_pmf < ln_mode - CUT {
            break;
        }
        sum += term(k - 1, ln_pmf);
    }
    sum
}

/// The normal approximation of E|K/n − p|, K ~ Binomial(n, p):
/// sqrt(2/π) · sqrt(p(1 − p)/n) (the mean absolute deviation of a normal).
fn binomial_mean_abs_dev_normal(n: u64, p: f64) -> f64 {
    (2.0 / PI).sqrt() * (p * (1.0 - p) / n as f64).sqrt()
}

/// Lakonishok, Shleifer & Vishny (1992), "The impact of institutional trading
/// on stock prices", Journal of Financial Economics 32, herding measure for one
/// period:
///
/// H = |p − p̄| − E|p − p̄|,
///
/// p = buyers / (buyers + sellers), p̄ the expected share of buyers (over all
/// periods), and the adjustment factor E|p − p̄| taken under
/// buyers ~ Binomial(buyers + sellers, p̄). It is computed exactly (the sum over
/// k of the pmf computed in log space, negligible tails dropped) for
/// n = buyers + sellers ≤ [`LSV_EXACT_MAX_N`] and by the normal approximation
/// sqrt(2/π)·sqrt(p̄(1 − p̄)/n) above. For p̄ = 0 or 1 the expectation is 0. `None` when buyers + sellers = 0 or p̄ is outside
/// [0, 1].
pub fn lsv(buyers: u64, sellers: u64, p_bar: f64) -> Option<f64> {
    let n = buyers.checked_add(sellers)?;
    if n == 0 || !(0.0..=1.0).contains(&p_bar) {
        return None;
    }
    let p = buyers as f64 / n as f64;
    let expected = if p_bar == 0.0 || p_bar == 1.0 {
        0.0
    } else if n <= LSV_EXACT_MAX_N {
        binomial_mean_abs_dev_exact(n, p_bar)
    } else {
        binomial_mean_abs_dev_normal(n, p_bar)
    };
    Some((p - p_bar).abs() - expected)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::stats::tests::{close, near};

    /// De Moivre's closed form of the binomial mean absolute deviation:
    /// E|K − np| = 2 (m + 1) C(n, m + 1) p^(m+1) (1 − p)^(n−m) with m = ⌊np⌋
    /// (Diaconis & Zabell 1991, "Closed form summation for classical
    /// distributions"), divided by n.
    fn de_moivre(n: u64, p: f64) -> f64 {
        let (nf, m) = (n as f64, (n as f64 * p).floor());
        let ln_c = ln_gamma(nf + 1.0) - ln_gamma(m + 2.0) - ln_gamma(nf - m);
        2.0 * (m + 1.0) * (ln_c + (m + 1.0) * p.ln() + (nf - m) * (1.0 - p).ln()).exp() / nf
    }

    #[test]
    fn lsv_exact_expectation_by_hand() {
        // n = 2, p̄ = 1/2: K = 0, 1, 2 w.p. 1/4, 1/2, 1/4; |K/2 − 1/2| = 1/2, 0, 1/2
        // -> E = 1/4. Both buy: 1/2 − 1/4 = 1/4; one each: 0 − 1/4.
        assert!(close(lsv(2, 0, 0.5), 0.25));
        assert!(close(lsv(0, 2, 0.5), 0.25));
        assert!(close(lsv(1, 1, 0.5), -0.25));
        // n = 3, p̄ = 1/3: pmf 8/27, 12/27, 6/27, 1/27; |K/3 − 1/3| = 1/3, 0, 1/3, 2/3
        // -> E = (8 + 6 + 2)/81 = 16/81; all buy: 2/3 − 16/81 = 38/81.
        assert!(close(lsv(3, 0, 1.0 / 3.0), 38.0 / 81.0));
        assert!(close(lsv(1, 2, 1.0 / 3.0), -16.0 / 81.0));
        // n = 1: E|K − p| = 2p(1 − p).
        assert!(close(lsv(1, 0, 0.3), 0.7 - 0.42));
        // Degenerate p̄: no sampling spread.
        assert_eq!(lsv(3, 1, 0.0), Some(0.75));
        assert_eq!(lsv(3, 1, 1.0), Some(0.25));
        assert_eq!(lsv(0, 0, 0.5), None);
        assert_eq!(lsv(1, 1, 1.5), None);
        assert_eq!(lsv(1, 1, f64::NAN), None);
        assert_eq!(lsv(u64::MAX, 1, 0.5), None);
    }

    #[test]
    fn lsv_exact_sum_matches_de_moivre() {
        for &n in &[1u64, 2, 3, 7, 20, 101, 1000, 5000] {
            for &p in &[1e-6, 0.01, 0.1, 1.0 / 3.0, 0.5, 0.77, 0.999, 1.0 - 1e-9] {
                let (sum, closed) = (binomial_mean_abs_dev_exact(n, p), de_moivre(n, p));
                assert!(near(sum, closed, 1e-10 * closed.max(1e-300)), "n {n} p {p}: {sum} vs {closed}");
            }
        }
        assert!(near(de_moivre(3, 1.0 / 3.0), 16.0 / 81.0, 1e-15));
    }

    #[test]
    fn lsv_normal_approximation_is_close_at_5000() {
        for &p in &[0.1, 0.3, 0.5, 0.8] {
            let (exact, normal) = (binomial_mean_abs_dev_exact(5000, p), binomial_mean_abs_dev_normal(5000, p));
            assert!(near(exact, normal, 2e-3 * exact), "p {p}: {exact} vs {normal}");
        }
        // Above the cut-off lsv uses the approximation: 5001 traders, p̄ = 1/2,
        // sqrt(2/π)·sqrt(0.25/5001).
        let e = (2.0 / PI).sqrt() * (0.25f64 / 5001.0).sqrt();
        assert!(close(lsv(2501, 2500, 0.5), (2501.0f64 / 5001.0 - 0.5).abs() - e));
    }
}
