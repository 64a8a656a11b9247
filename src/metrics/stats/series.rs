//! Time series tails and memory: the Hill estimator of the tail index, the
//! sample autocorrelation function and the power-law decay fitted to it.

/// Hill (1975) estimator of the tail index of |x|, "A simple general approach
/// to inference about the tail of a distribution", Annals of Statistics 3:
///
/// alpha = 1 / ((1/k) Σ_{i=1..k} ln(X₍ᵢ₎ / X₍ₖ₊₁₎)),
///
/// with X₍₁₎ ≥ X₍₂₎ ≥ … the values |x| in descending order: the k largest
/// values above the threshold X₍ₖ₊₁₎. k = max(⌈frac · n⌉, 2) with n = len x
/// (the caller gives frac, typically 0.05). Returns (alpha, k). `None` if fewer
/// than k + 1 values of |x| are positive (the threshold must be positive) or
/// the k largest all equal the threshold. O(n) by selection.
pub fn hill_tail_index(x: &[f64], frac: f64) -> Option<(f64, usize)> {
    let want = (frac * x.len() as f64).ceil();
    // NaN or negative frac → 0 → k = 2; a huge one saturates and fails below.
    let k = if want >= usize::MAX as f64 { usize::MAX } else { (want.max(0.0) as usize).max(2) };
    let mut a: Vec<f64> = x.iter().map(|v| v.abs()).filter(|v| *v > 0.0 && v.is_finite()).collect();
    if a.len() <= k {
        return None;
    }
    // Descending: after selection a[..k] are the k largest, a[k] is X₍ₖ₊₁₎.
    let (top, &mut threshold, _) = a.select_nth_unstable_by(k, |p, q| q.total_cmp(p));
    let ln_t = threshold.ln();
    let mean = top.iter().map(|v| v.ln() - ln_t).sum::<f64>() / k as f64;
    (mean > 0.0).then(|| (1.0 / mean, k))
}

/// Sample autocorrelation at lags 1..=max_lag by the standard (biased)
/// estimator r(l) = Σ_{t=0}^{n−1−l} (x_t − x̄)(x_{t+l} − x̄) / Σ_t (x_t − x̄)²
/// (Box & Jenkins 1976, eq. 2.1.12). Entry i is lag i + 1; `None` where
/// undefined: fewer than 2 points, zero variance, or lag ≥ n. O(n · max_lag).
pub fn acf<T: Copy + Into<f64>>(x: &[T], max_lag: usize) -> Vec<Option<f64>> {
    let n = x.len();
    let mut out = vec![None; max_lag];
    if n < 2 {
        return out;
    }
    let mean = x.iter().map(|&v| v.into()).sum::<f64>() / n as f64;
    let denom: f64 = x.iter().map(|&v| v.into() - mean).map(|d| d * d).sum();
    if denom.is_nan() || denom <= 0.0 {
        return out;
    }
    let top = max_lag.min(n - 1);
    if top == 0 {
        return out;
    }
    for (slot, num) in out.iter_mut().zip(lag_products(x, mean, top)) {
        *slot = Some(num / denom);
    }
    out
}

/// Lags summed side by side in [`lag_products`].
const LANES: usize = 8;
/// Points whose deviations [`lag_products`] holds at once (beside the lags
/// past the block's end): a few tens of kilobytes, so a run's trade signs (one
/// byte each) never need a vector of deviations eight times their size.
const BLOCK: usize = 2048;

/// Σ_{t=0}^{n−1−l} (x_t − mean)(x_{t+l} − mean) for each lag l in 1..=top
/// (top < n).
///
/// Each lag's sum adds its terms in order of t, exactly as a loop over one lag
/// would, so the results are bit for bit those of that loop. The lags are
/// taken [`LANES`] at a time, though: one sum waits on each addition's
/// latency, while eight independent sums keep the floating-point unit busy
/// (the summaries' effective sample sizes take 66 lags of each series, and
/// this was the largest cost after a run's last event).
fn lag_products<T: Copy + Into<f64>>(x: &[T], mean: f64, top: usize) -> Vec<f64> {
    let n = x.len();
    let mut sums = vec![0.0f64; top];
    let mut dev = Vec::with_capacity(BLOCK.min(n) + top + LANES);
    let mut t0 = 0;
    while t0 < n - 1 {
        let t1 = (t0 + BLOCK).min(n - 1);
        dev.clear();
        dev.extend(x[t0..(t1 + top).min(n)].iter().map(|&v| v.into() - mean));
        // Zeros past the end, so that the last group's unused lanes read
        // something (their sums are dropped).
        dev.extend([0.0; LANES]);
        for (g, group) in sums.chunks_mut(LANES).enumerate() {
            let first = 1 + g * LANES;
            let last = first + group.len() - 1;
            // Points of this block with a partner at every lag of the group.
            let all = t1.min(n.saturating_sub(last)).max(t0);
            let mut acc = [0.0f64; LANES];
            acc[..group.len()].copy_from_slice(group);
            for i in 0..all - t0 {
                let (di, ahead) = (dev[i], &dev[i + first..i + first + LANES]);
                for j in 0..LANES {
                    acc[j] += di * ahead[j];
                }
            }
            group.copy_from_slice(&acc[..group.len()]);
            // The points near the end that only the shorter lags reach.
            for (j, s) in group.iter_mut().enumerate() {
                for i in all - t0..t1.min(n - (first + j)).max(all) - t0 {
                    *s += dev[i] * dev[i + first + j];
                }
            }
        }
        t0 = t1;
    }
    sums
}

/// Fits acf(l) ≈ c · l^(−exponent) by ordinary least squares of ln acf(l) on
/// ln l over the lags l (entry i is lag i + 1, as returned by [`acf`]) whose
/// autocorrelation is positive and finite. Returns (exponent, r²) with
/// r² = Sxy² / (Sxx · Syy) the squared correlation of the log-log points.
/// `None` with fewer than 3 such lags or when the log values are all equal
/// (r² undefined).
pub fn power_law_decay(acf: &[Option<f64>]) -> Option<(f64, f64)> {
    let points = || {
        acf.iter()
            .enumerate()
            .filter_map(|(i, a)| a.filter(|a| *a > 0.0 && a.is_finite()).map(|a| (((i + 1) as f64).ln(), a.ln())))
    };
    let (mut count, mut sx, mut sy) = (0usize, 0.0, 0.0);
    for (lx, ly) in points() {
        count += 1;
        sx += lx;
        sy += ly;
    }
    if count < 3 {
        return None;
    }
    let (mx, my) = (sx / count as f64, sy / count as f64);
    let (mut sxx, mut sxy, mut syy) = (0.0, 0.0, 0.0);
    for (lx, ly) in points() {
        let (dx, dy) = (lx - mx, ly - my);
        sxx += dx * dx;
        sxy += dx * dy;
        syy += dy * dy;
    }
    if sxx <= 0.0 || syy <= 0.0 {
        return None;
    }
    Some((-sxy / sxx, (sxy * sxy / (sxx * syy)).min(1.0)))
}

#[cfg(test)]
mod tests {
    use rand::rngs::ChaCha8Rng;
    use rand::{RngExt, SeedableRng};

    use super::*;
    use crate::metrics::stats::tests::{close, near};

    #[test]
    fn hill_by_hand() {
        // |x| = 8, 4, 2, 1, 0.5 and five zeros (n = 10). frac 0.05 -> ⌈0.5⌉ = 1 -> k = 2:
        // threshold 2, mean(ln 4, ln 2) = 1.5 ln 2 -> alpha = 1/(1.5 ln 2).
        let x = [0.5, -8.0, 0.0, 4.0, 0.0, 2.0, 0.0, -1.0, 0.0, 0.0];
        let (alpha, k) = hill_tail_index(&x, 0.05).unwrap();
        assert_eq!(k, 2);
        assert!(near(alpha, 1.0 / (1.5 * 2f64.ln()), 1e-14));
        // frac 0.3 -> k = 3: threshold 1, mean(ln 8, ln 4, ln 2) = 2 ln 2.
        let (alpha, k) = hill_tail_index(&x, 0.3).unwrap();
        assert_eq!(k, 3);
        assert!(near(alpha, 1.0 / (2.0 * 2f64.ln()), 1e-14));
        // frac 0.5 -> k = 5 needs 6 positive values; there are 5.
        assert_eq!(hill_tail_index(&x, 0.5), None);
        assert_eq!(hill_tail_index(&[], 0.05), None);
        assert_eq!(hill_tail_index(&[1.0, 2.0], 0.05), None);
        // Ties at the threshold: no spread, no estimate.
        assert_eq!(hill_tail_index(&[3.0; 10], 0.05), None);
        assert!(hill_tail_index(&x, f64::NAN).is_some_and(|(_, k)| k == 2));
        assert_eq!(hill_tail_index(&x, f64::INFINITY), None);
    }

    #[test]
    fn hill_recovers_a_pareto_tail() {
        // Exact quantiles of Pareto(x_m = 1, alpha = 3): X = (1 − u)^(−1/alpha),
        // u = (i − 1/2)/n, with random signs; k = 500 of n = 10000.
        let alpha = 3.0;
        let n = 10_000;
        let x: Vec<f64> = (0..n)
            .map(|i| {
                let u = (i as f64 + 0.5) / n as f64;
                let v = (1.0 - u).powf(-1.0 / alpha);
                if i % 3 == 0 { -v } else { v }
            })
            .collect();
        let (est, k) = hill_tail_index(&x, 0.05).unwrap();
        assert_eq!(k, 500);
        assert!(near(est, alpha, 0.01 * alpha), "alpha {est}");
    }

    #[test]
    fn acf_sums_each_lag_in_order_bit_for_bit() {
        // The one-lag-at-a-time estimator the lanes must reproduce exactly.
        fn reference(x: &[f64], max_lag: usize) -> Vec<Option<f64>> {
            let n = x.len();
            let mut out = vec![None; max_lag];
            let mean = x.iter().sum::<f64>() / n as f64;
            let denom: f64 = x.iter().map(|v| (v - mean) * (v - mean)).sum();
            for (i, slot) in out.iter_mut().enumerate().take(n - 1) {
                let lag = i + 1;
                let num: f64 = (0..n - lag).map(|t| (x[t] - mean) * (x[t + lag] - mean)).sum();
                *slot = Some(num / denom);
            }
            out
        }
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        // Lengths around the block and lane edges, lags past the series' end.
        for n in [2, 3, 9, 17, 330, 2047, 2048, 2049, 2050, 4100, 5000] {
            let x: Vec<f64> = (0..n).map(|_| rng.random::<f64>().powi(3) * 1e3 - 7.0).collect();
            for max_lag in [1, 7, 8, 9, 16, 66, 250, n + 3] {
                let (a, b) = (acf(&x, max_lag), reference(&x, max_lag));
                let bits = |v: &[Option<f64>]| v.iter().map(|o| o.map(f64::to_bits)).collect::<Vec<_>>();
                assert_eq!(bits(&a), bits(&b), "n {n}, max_lag {max_lag}");
            }
        }
        let signs: Vec<i8> = (0..3000).map(|_| if rng.random::<bool>() { 1 } else { -1 }).collect();
        let as_f64: Vec<f64> = signs.iter().map(|&s| f64::from(s)).collect();
        assert_eq!(acf(&signs, 10), reference(&as_f64, 10));
    }

    #[test]
    fn acf_by_hand() {
        // Alternating ±1 (n = 10): mean 0, Σd² = 10; lag 1: 9 products of −1 -> −0.9;
        // lag 2: 8 of +1 -> 0.8.
        let x: Vec<f64> = (0..10).map(|t| if t % 2 == 0 { 1.0 } else { -1.0 }).collect();
        let r = acf(&x, 2);
        assert!(close(r[0], -0.9) && close(r[1], 0.8));
        // 1..5: deviations −2..2, Σd² = 10; lag 1: 2 + 0 + 0 + 2 = 4; lag 2: 0 − 1 + 0 = −1;
        // lag 3: −2 − 2 = −4; lag 4: −4; lag 5: no pairs.
        let r = acf(&[1.0, 2.0, 3.0, 4.0, 5.0], 5);
        assert!(close(r[0], 0.4) && close(r[1], -0.1) && close(r[2], -0.4) && close(r[3], -0.4));
        assert_eq!(r[4], None);
        assert_eq!(acf::<f64>(&[], 3), vec![None; 3]);
        assert_eq!(acf(&[2.0; 6], 2), vec![None; 2]);
        assert_eq!(acf(&[1.0, 2.0], 0), vec![]);
    }

    #[test]
    fn power_law_fit_recovers_an_exact_power_law() {
        // acf(l) = 0.4 l^(−0.3), with some lags missing or negative (skipped).
        let mut a: Vec<Option<f64>> = (1..=50).map(|l| Some(0.4 * (l as f64).powf(-0.3))).collect();
        a[3] = None;
        a[10] = Some(-0.05);
        a[11] = Some(0.0);
        let (exponent, r2) = power_law_decay(&a).unwrap();
        assert!(near(exponent, 0.3, 1e-12) && near(r2, 1.0, 1e-12));
        // Hand table: lags 1, 2, 4 with 1, 1/4, 1/16 lie on l^(−2).
        let (exponent, r2) = power_law_decay(&[Some(1.0), Some(0.25), None, Some(1.0 / 16.0)]).unwrap();
        assert!(near(exponent, 2.0, 1e-14) && near(r2, 1.0, 1e-14));
        // Hand table off the line: ln a = 0, 0, −2u at ln l = 0, u, 2u (u = ln 2):
        // x̄ = u, ȳ = −2u/3; dx = −u, 0, u; dy = 2u/3, 2u/3, −4u/3; Sxx = 2u²,
        // Sxy = −2u²/3 − 4u²/3 = −2u² (slope −1), Syy = 24u²/9
        // -> r² = 4u⁴ / (2u² · 24u²/9) = 3/4.
        let (exponent, r2) = power_law_decay(&[Some(1.0), Some(1.0), None, Some(0.25)]).unwrap();
        assert!(near(exponent, 1.0, 1e-14) && near(r2, 0.75, 1e-14));
        assert_eq!(power_law_decay(&[Some(0.5), Some(0.2), Some(-0.1), None]), None);
        assert_eq!(power_law_decay(&[Some(0.3); 5]), None);
        assert_eq!(power_law_decay(&[]), None);
    }
}
