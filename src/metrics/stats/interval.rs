//! Binomial intervals: the Wilson score interval of a success rate.

/// The standard normal quantile for a two-sided 95% interval, Φ⁻¹(0.975).
pub const Z95: f64 = 1.959963984540054;

/// Wilson score interval for `k` successes out of `n` at normal quantile `z`
/// (use [`Z95`] for 95%), Wilson (1927), "Probable inference, the law of
/// succession, and statistical inference", JASA 22:
///
/// (2k + z² ± z·sqrt(z² + 4k(n − k)/n)) / (2(n + z²)),
///
/// equivalently (p̂ + z²/2n ± z·sqrt(p̂(1 − p̂)/n + z²/4n²)) / (1 + z²/n).
/// The ends are clamped to [0, 1] and are exactly 0 at k = 0 and 1 at k = n.
/// `None` when n = 0, k > n or z is not finite (|z| is used).
pub fn wilson(k: u64, n: u64, z: f64) -> Option<(f64, f64)> {
    if n == 0 || k > n || !z.is_finite() {
        return None;
    }
    let (kf, nf, z) = (k as f64, n as f64, z.abs());
    let z2 = z * z;
    let centre = 2.0 * kf + z2;
    let half = z * (z2 + 4.0 * kf * ((n - k) as f64) / nf).sqrt();
    let denom = 2.0 * (nf + z2);
    let lo = if k == 0 { 0.0 } else { ((centre - half) / denom).clamp(0.0, 1.0) };
    let hi = if k == n { 1.0 } else { ((centre + half) / denom).clamp(0.0, 1.0) };
    Some((lo, hi))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::stats::tests::near;

    #[test]
    fn wilson_by_hand() {
        let z2 = Z95 * Z95; // 3.841458820694124
        // k = 0: the lower end is 0 and the upper z²/(n + z²) = 3.8415/13.8415.
        let (lo, hi) = wilson(0, 10, Z95).unwrap();
        assert_eq!(lo, 0.0);
        assert!(near(hi, z2 / (10.0 + z2), 1e-15));
        assert!(near(hi, 0.277_53, 1e-5));
        // k = n mirrors it.
        let (lo, hi) = wilson(10, 10, Z95).unwrap();
        assert!(near(lo, 10.0 / (10.0 + z2), 1e-15));
        assert!(near(lo, 0.722_47, 1e-5));
        assert_eq!(hi, 1.0);
        // k = 5, n = 10: (10 + z² ± z sqrt(z² + 10)) / (2(10 + z²))
        // = (13.841459 ± 7.291873) / 27.682918 = 0.236593, 0.763407.
        let (lo, hi) = wilson(5, 10, Z95).unwrap();
        let half = Z95 * (z2 + 10.0).sqrt() / (2.0 * (10.0 + z2));
        assert!(near(lo, 0.5 - half, 1e-15) && near(hi, 0.5 + half, 1e-15));
        assert!(near(lo, 0.236_593, 1e-6) && near(hi, 0.763_407, 1e-6));
        assert_eq!(wilson(0, 0, Z95), None);
        assert_eq!(wilson(3, 2, Z95), None);
        assert_eq!(wilson(1, 2, f64::NAN), None);
    }

    #[test]
    fn wilson_contains_the_proportion_and_is_symmetric() {
        for n in 1..60u64 {
            for k in 0..=n {
                let (lo, hi) = wilson(k, n, Z95).unwrap();
                let p = k as f64 / n as f64;
                assert!(0.0 <= lo && lo <= p && p <= hi && hi <= 1.0);
                let (lo2, hi2) = wilson(n - k, n, Z95).unwrap();
                assert!(near(lo, 1.0 - hi2, 1e-12) && near(hi, 1.0 - lo2, 1e-12));
            }
        }
    }
}
