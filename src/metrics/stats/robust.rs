//! Robust location and scale: the median, the scaled median absolute
//! deviation and robust z-scores.

/// The factor that makes the median absolute deviation a consistent estimator
/// of the standard deviation of a normal distribution: 1 / Φ⁻¹(3/4) ≈ 1.4826.
pub const MAD_SCALE: f64 = 1.4826;

/// The median of a scratch buffer (reordered), O(n) by selection; the mean of
/// the two middle values for even n. The buffer must not be empty.
fn median_in_place(a: &mut [f64]) -> f64 {
    let n = a.len();
    let (lower, &mut mid, _) = a.select_nth_unstable_by(n / 2, f64::total_cmp);
    if n % 2 == 1 {
        mid
    } else {
        // The largest of the lower half is the other middle value.
        let below = lower.iter().copied().max_by(f64::total_cmp).unwrap_or(mid);
        0.5 * (below + mid)
    }
}

/// Median and the median absolute deviation scaled by [`MAD_SCALE`] = 1.4826,
/// MAD = 1.4826 · median_i |x_i − median(x)| (Hampel 1974; consistent for the
/// standard deviation of a normal). For even n the median is the mean of the
/// two middle values. `None` for an empty slice. O(n) by selection.
pub fn median_mad(x: &[f64]) -> Option<(f64, f64)> {
    if x.is_empty() {
        return None;
    }
    let mut a = x.to_vec();
    let median = median_in_place(&mut a);
    for v in &mut a {
        *v = (*v - median).abs();
    }
    Some((median, MAD_SCALE * median_in_place(&mut a)))
}

/// Robust z-score (x − median) / mad, with `mad` the scaled MAD of
/// [`median_mad`]. `None` when the MAD is not positive and finite.
pub fn robust_z(x: f64, median: f64, mad: f64) -> Option<f64> {
    (mad > 0.0 && mad.is_finite()).then(|| (x - median) / mad)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::stats::tests::{close, near, uniforms};

    #[test]
    fn median_mad_by_hand() {
        // 1.0,1.1,1.2,1.3,10.0: median 1.2; |deviations| .2,.1,0,.1,8.8 -> median .1.
        let (m, mad) = median_mad(&[1.0, 1.1, 1.2, 1.3, 10.0]).unwrap();
        assert!(near(m, 1.2, 1e-15) && near(mad, 0.14826, 1e-12));
        // Even n: 4, 1, 3, 2, 8, 6 -> sorted 1,2,3,4,6,8, median 3.5; |dev| 2.5,1.5,.5,.5,2.5,4.5
        // -> sorted .5,.5,1.5,2.5,2.5,4.5, median 2 -> MAD 2.9652.
        let (m, mad) = median_mad(&[4.0, 1.0, 3.0, 2.0, 8.0, 6.0]).unwrap();
        assert_eq!(m, 3.5);
        assert!(near(mad, 2.0 * 1.4826, 1e-15));
        assert_eq!(median_mad(&[7.0]), Some((7.0, 0.0)));
        assert_eq!(median_mad(&[]), None);
        // Against a full sort on pseudo-random data.
        for n in 1..40 {
            let u = uniforms(n as u64, n);
            let mut s = u.clone();
            s.sort_by(f64::total_cmp);
            let med = if n % 2 == 1 { s[n / 2] } else { 0.5 * (s[n / 2 - 1] + s[n / 2]) };
            let mut d: Vec<f64> = u.iter().map(|v| (v - med).abs()).collect();
            d.sort_by(f64::total_cmp);
            let md = if n % 2 == 1 { d[n / 2] } else { 0.5 * (d[n / 2 - 1] + d[n / 2]) };
            assert_eq!(median_mad(&u), Some((med, MAD_SCALE * md)));
        }
    }

    #[test]
    fn robust_z_by_hand() {
        assert!(close(robust_z(10.0, 1.2, 0.14826), 8.8 / 0.14826));
        assert_eq!(robust_z(3.0, 3.0, 2.0), Some(0.0));
        assert_eq!(robust_z(3.0, 1.0, 0.0), None);
        assert_eq!(robust_z(3.0, 1.0, f64::NAN), None);
    }
}
