//! Moments of a sample: skewness, excess kurtosis and the bimodality
//! coefficient.

/// The mean and the central moments m2, m3, m4 (divisor n), two-pass.
fn central_moments(x: &[f64]) -> (f64, f64, f64, f64) {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let (mut m2, mut m3, mut m4) = (0.0, 0.0, 0.0);
    for &v in x {
        let d = v - mean;
        let d2 = d * d;
        m2 += d2;
        m3 += d2 * d;
        m4 += d2 * d2;
    }
    (mean, m2 / n, m3 / n, m4 / n)
}

/// Sample skewness g₁ = m3 / m2^(3/2) with m_k = (1/n) Σ (x − x̄)^k (the plain
/// moment estimator; Joanes & Gill 1998, "Comparing measures of sample skewness
/// and kurtosis", The Statistician 47, eq. g₁). `None` below 3 points or for
/// zero variance.
pub fn skewness(x: &[f64]) -> Option<f64> {
    if x.len() < 3 {
        return None;
    }
    let (_, m2, m3, _) = central_moments(x);
    (m2 > 0.0).then(|| m3 / (m2 * m2.sqrt()))
}

/// Sample excess kurtosis g₂ = m4 / m2² − 3 with m_k = (1/n) Σ (x − x̄)^k (the
/// plain moment estimator; Joanes & Gill 1998, eq. g₂). `None` below 4 points
/// or for zero variance.
pub fn excess_kurtosis(x: &[f64]) -> Option<f64> {
    if x.len() < 4 {
        return None;
    }
    let (_, m2, _, m4) = central_moments(x);
    (m2 > 0.0).then(|| m4 / (m2 * m2) - 3.0)
}

/// Bimodality coefficient BC = (G₁² + 1) / (G₂ + 3(n − 1)² / ((n − 2)(n − 3)))
/// with the sample-size-adjusted skewness G₁ = g₁·sqrt(n(n − 1)) / (n − 2) and
/// excess kurtosis G₂ = ((n + 1)g₂ + 6)(n − 1) / ((n − 2)(n − 3)) (SAS
/// Institute 1990; Pfister et al. 2013, "Good things peak in pairs: a note on
/// the bimodality coefficient", Frontiers in Psychology 4:700). BC > 5/9 (the
/// value for a uniform distribution) suggests bimodality. The denominator
/// equals (n² − 1)(g₂ + 3) / ((n − 2)(n − 3)), which is positive whenever the
/// variance is. `None` below 4 points or for zero variance.
pub fn bimodality_coefficient(x: &[f64]) -> Option<f64> {
    if x.len() < 4 {
        return None;
    }
    let (_, m2, m3, m4) = central_moments(x);
    if m2 <= 0.0 {
        return None;
    }
    let n = x.len() as f64;
    let g1 = m3 / (m2 * m2.sqrt());
    let g2 = m4 / (m2 * m2) - 3.0;
    let skew = g1 * (n * (n - 1.0)).sqrt() / (n - 2.0);
    let kurt = ((n + 1.0) * g2 + 6.0) * (n - 1.0) / ((n - 2.0) * (n - 3.0));
    Some((skew * skew + 1.0) / (kurt + 3.0 * (n - 1.0) * (n - 1.0) / ((n - 2.0) * (n - 3.0))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::stats::tests::{close, near};

    #[test]
    fn moments_by_hand() {
        // 1..5: mean 3, deviations -2..2: m2 = 10/5 = 2, m3 = 0, m4 = 34/5 = 6.8
        // -> skew 0, excess kurtosis 6.8/4 − 3 = −1.3.
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert!(close(skewness(&x), 0.0));
        assert!(close(excess_kurtosis(&x), -1.3));
        // 0,0,0,1: mean 1/4, deviations −1/4 (×3), 3/4: m2 = 3/16, m3 = 3/32,
        // m4 = 21/256 -> skew (3/32)/(3/16)^1.5 = 2/sqrt(3), kurtosis 7/3 − 3 = −2/3
        // (Bernoulli(1/4): (1 − 2p)/sqrt(pq) and (1 − 6pq)/(pq)).
        let x = [0.0, 0.0, 0.0, 1.0];
        assert!(close(skewness(&x), 2.0 / 3f64.sqrt()));
        assert!(close(excess_kurtosis(&x), -2.0 / 3.0));
        // Shift and scale invariant; sign of skew flips with the data.
        let y: Vec<f64> = x.iter().map(|v| 1000.0 - 3.0 * v).collect();
        assert!(close(skewness(&y), -2.0 / 3f64.sqrt()));
        assert!(close(excess_kurtosis(&y), -2.0 / 3.0));
        assert_eq!(skewness(&[1.0, 2.0]), None);
        assert_eq!(skewness(&[2.0; 5]), None);
        assert_eq!(excess_kurtosis(&[1.0, 2.0, 3.0]), None);
        assert_eq!(excess_kurtosis(&[2.0; 5]), None);
        assert_eq!(excess_kurtosis(&[]), None);
    }

    #[test]
    fn bimodality_coefficient_by_hand() {
        // 1..5: G1 = 0; G2 = ((6)(−1.3) + 6)·4/(3·2) = −1.2; 3·16/6 = 8
        // -> BC = 1/6.8 = 5/34.
        assert!(close(bimodality_coefficient(&[1.0, 2.0, 3.0, 4.0, 5.0]), 5.0 / 34.0));
        // 0,0,0,1 (n = 4): G1 = (2/sqrt 3)·sqrt(12)/2 = 2; G2 = (5(−2/3) + 6)·3/2 = 4;
        // 3·9/2 = 13.5 -> BC = (4 + 1)/17.5 = 2/7.
        assert!(close(bimodality_coefficient(&[0.0, 0.0, 0.0, 1.0]), 2.0 / 7.0));
        // Five 0s and five 1s: g1 = 0, g2 = −2, so the denominator is
        // (n² − 1)(g2 + 3)/((n − 2)(n − 3)) = 99/56 -> BC = 56/99 > 5/9.
        let two_peaks = [0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0];
        let bc = bimodality_coefficient(&two_peaks).unwrap();
        assert!(near(bc, 56.0 / 99.0, 1e-12) && bc > 5.0 / 9.0);
        assert_eq!(bimodality_coefficient(&[1.0, 2.0, 3.0]), None);
        assert_eq!(bimodality_coefficient(&[4.0; 8]), None);
    }
}
