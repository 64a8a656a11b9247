//! The mean of a few runs with its 95% Student-t interval: what every point
//! of a sweep figure shows, since replications are few and t, not normal.

use crate::metrics::stats;

/// The quantile t with P(T ≤ t) = p of Student's t with `df` degrees of
/// freedom, by bisection on [`stats::student_t_cdf`] (to about 1e-12).
/// `None` for p outside (0, 1) or df ≤ 0.
pub fn t_quantile(p: f64, df: f64) -> Option<f64> {
    let valid = p > 0.0 && p < 1.0 && df > 0.0 && df.is_finite();
    if !valid {
        return None;
    }
    if p < 0.5 {
        return t_quantile(1.0 - p, df).map(|t| -t);
    }
    let (mut lo, mut hi) = (0.0_f64, 1.0_f64);
    while stats::student_t_cdf(hi, df)? < p {
        lo = hi;
        hi *= 2.0;
        if hi > 1e12 {
            return None;
        }
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if stats::student_t_cdf(mid, df)? < p {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo <= 1e-12 * hi.max(1.0) {
            break;
        }
    }
    Some(0.5 * (lo + hi))
}

/// The mean of some runs' values with its 95% Student-t interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Interval {
    /// Values the mean is over.
    pub n: usize,
    /// The mean of the values.
    pub mean: f64,
    /// Sample standard deviation (divisor n − 1); `None` for one value.
    pub sd: Option<f64>,
    /// mean ± t(0.975, n − 1)·sd/√n; `None` for one value.
    pub ci: Option<(f64, f64)>,
}

/// The mean and 95% t interval of `values` (non-finite ones left out);
/// `None` when there is none.
pub fn mean_interval(values: &[f64]) -> Option<Interval> {
    let v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    let n = v.len();
    if n == 0 {
        return None;
    }
    let mean = v.iter().sum::<f64>() / n as f64;
    if n == 1 {
        return Some(Interval { n, mean, sd: None, ci: None });
    }
    let sd = (v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1) as f64).sqrt();
    let ci = t_quantile(0.975, (n - 1) as f64).map(|t| {
        let half = t * sd / (n as f64).sqrt();
        (mean - half, mean + half)
    });
    Some(Interval { n, mean, sd: Some(sd), ci })
}
