//! Small statistics used by the metrics: correlations (Pearson's r, Spearman's
//! rho with average ranks for ties) with Fisher-z intervals and t-test p-values,
//! the same corrected for serial dependence (Bartlett's effective sample size),
//! a moving-block bootstrap interval and the removal of time-of-day means,
//! binomial intervals (Wilson), moments (skewness, kurtosis, the bimodality
//! coefficient), heavy-tail and long-memory measures (Hill, autocorrelation and
//! its power-law decay), robust location and scale (median, MAD) and the LSV
//! herding measure.
//!
//! Every function is pure. Where a statistic is undefined (too few points, zero
//! variance, an argument out of range) the result is `None`; no input panics.
//! The special functions behind the p-values (log-gamma, the regularized
//! incomplete beta function, the Student t distribution) are implemented in
//! the private `special` module and exposed for reuse. Each kind of
//! statistic has its module, its tests beside it; everything is re-exported
//! here.

mod bootstrap;
mod correlation;
mod dependence;
mod herding;
mod interval;
mod moments;
mod robust;
mod season;
mod series;
mod special;

pub use bootstrap::*;
pub use correlation::*;
pub use dependence::*;
pub use herding::*;
pub use interval::*;
pub use moments::*;
pub use robust::*;
pub use season::*;
pub use series::*;
pub use special::*;

#[cfg(test)]
mod tests {
    use rand::rngs::ChaCha8Rng;
    use rand_distr::{Distribution, StandardNormal};

    use super::*;

    pub(super) fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-12)
    }

    pub(super) fn near(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    /// A fixed pseudo-random sequence in [0, 1) (64-bit LCG, Knuth's MMIX
    /// constants), for property-style checks without a generator dependency.
    pub(super) fn uniforms(seed: u64, n: usize) -> Vec<f64> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                (s >> 11) as f64 / (1u64 << 53) as f64
            })
            .collect()
    }

    /// An AR(1) series x_t = φ x_{t−1} + e_t, started from its stationary law.
    pub(super) fn ar1(rng: &mut ChaCha8Rng, phi: f64, n: usize) -> Vec<f64> {
        let mut x = Vec::with_capacity(n);
        let mut v: f64 = StandardNormal.sample(rng);
        v /= (1.0 - phi * phi).sqrt();
        for _ in 0..n {
            x.push(v);
            let e: f64 = StandardNormal.sample(rng);
            v = phi * v + e;
        }
        x
    }

    #[test]
    fn nothing_panics_on_degenerate_inputs() {
        let inputs: [&[f64]; 5] = [&[], &[1.0], &[1.0, 1.0], &[0.0; 7], &[f64::INFINITY, 1.0, 2.0, 3.0]];
        for x in inputs {
            let _ = (pearson_stat(x, x), spearman_stat(x, x), cross_correlation(x, x, 3));
            let _ = (excess_kurtosis(x), skewness(x), bimodality_coefficient(x), hill_tail_index(x, 0.05));
            let _ = (acf(x, 3), median_mad(x), spearman(x, x), pearson(x, x));
            let _ = (effective_n(x, x), block_bootstrap_pearson(x, x, 2, 99, 1), deseasonalise(x, x, &[0, 1, 0]));
        }
        let _ = power_law_decay(&[Some(f64::INFINITY), Some(f64::NAN), Some(1.0), Some(0.5)]);
        let _ = wilson(u64::MAX, u64::MAX, Z95);
        let _ = lsv(u64::MAX / 2, u64::MAX / 2, 0.5);
        let _ = (
            adjusted_corr_stat(0.5, f64::INFINITY, Coefficient::Pearson),
            adjusted_corr_stat(1.0, f64::NAN, Coefficient::Spearman),
        );
    }
}
