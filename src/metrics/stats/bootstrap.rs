//! The moving-block bootstrap of Pearson's r (Künsch 1989, "The jackknife
//! and the bootstrap for general stationary observations", Annals of
//! Statistics 17): resampling blocks of consecutive pairs keeps the serial
//! dependence within a block that resampling single pairs would destroy, so
//! the interval widens with the autocorrelation of the series.

use rand::rngs::ChaCha8Rng;
use rand::{Rng, SeedableRng};

/// Resamples of the bootstrap: 999, so that the 2.5% and 97.5% percentiles
/// are the 25th and 975th of the sorted values (Davison & Hinkley 1997, §5.2).
pub const BOOTSTRAP_RESAMPLES: usize = 999;

/// Resamples summed side by side: one resample's sums wait on each
/// addition's latency, four keep the floating-point unit busy.
const TOGETHER: usize = 4;

/// A fixed constant mixed into every bootstrap seed.
const SEED: u64 = 0x7470_6c75_735f_626f; // "tplus_bo"

/// A moving-block bootstrap percentile interval.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct BootstrapInterval {
    /// The 2.5% percentile of the resampled r.
    pub lo: f64,
    /// The 97.5% percentile of the resampled r.
    pub hi: f64,
    /// Consecutive pairs in a block.
    pub block: usize,
    /// Resamples with a defined r (those where a series came out constant are
    /// left out), out of [`BOOTSTRAP_RESAMPLES`].
    pub resamples: usize,
}

/// The seed of the bootstrap of `x` and `y`: `SEED` mixed with every bit of
/// the data (FNV-1a over the values' bits), so a run's intervals are the
/// same on every machine and thread count, and differ between series.
pub fn data_seed(x: &[f64], y: &[f64]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ SEED;
    for v in x.iter().chain(y) {
        h ^= v.to_bits();
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h ^ (x.len() as u64).rotate_left(32) ^ y.len() as u64
}

/// A uniform index in 0..m from a uniform 64-bit word (Lemire's
/// multiply-shift; the bias is below m/2⁶⁴, and the draw does not depend on
/// how the rand crate samples ranges).
fn index(word: u64, m: usize) -> usize {
    ((u128::from(word) * m as u128) >> 64) as usize
}

/// Prefix sums of dx, dy, dx², dy², dx·dy (deviations from each series'
/// mean; `x` and `y` of one length): a block's sums in O(1).
fn centred_prefix(x: &[f64], y: &[f64]) -> Vec<[f64; 5]> {
    let n = x.len();
    let mx = x.iter().sum::<f64>() / n as f64;
    let my = y.iter().sum::<f64>() / n as f64;
    let mut prefix = vec![[0.0f64; 5]; n + 1];
    for t in 0..n {
        let (dx, dy) = (x[t] - mx, y[t] - my);
        let p = prefix[t];
        prefix[t + 1] = [p[0] + dx, p[1] + dy, p[2] + dx * dx, p[3] + dy * dy, p[4] + dx * dy];
    }
    prefix
}

/// Moving-block bootstrap 95% percentile interval of Pearson's r of `x` and
/// `y` (the first min(len x, len y) pairs), Künsch (1989).
///
/// Each of `resamples` resamples joins ⌈n/`block`⌉ blocks of `block`
/// consecutive pairs, each starting at a uniform position in 0..=n − block,
/// and cuts the last block so the resample has n pairs; r is computed on the
/// resample (from prefix sums of the centred values: O(n/block) per
/// resample). The interval is the 2.5% and 97.5% percentiles of the defined
/// values (with R of them, the k-th and (R + 1 − k)-th smallest, k =
/// max(1, ⌊(R + 1)/40⌋): the 25th and 975th of 999). The generator is
/// ChaCha8 seeded with `seed`. `None` below 4 pairs, with a block of 0 or
/// longer than n, with a constant series, or when fewer than 39 resamples
/// give a defined r.
pub fn block_bootstrap_pearson(
    x: &[f64],
    y: &[f64],
    block: usize,
    resamples: usize,
    seed: u64,
) -> Option<BootstrapInterval> {
    let n = x.len().min(y.len());
    if n < 4 || block == 0 || block > n {
        return None;
    }
    let (x, y) = (&x[..n], &y[..n]);
    if x.iter().any(|v| !v.is_finite()) || y.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let prefix = centred_prefix(x, y);
    let full = prefix[n];
    if full[2] <= 0.0 || full[3] <= 0.0 {
        return None;
    }
    // A resample whose variance is below this share of the series' is
    // constant up to rounding.
    let (tiny_x, tiny_y) = (full[2] * 1e-12, full[3] * 1e-12);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let starts = n - block + 1;
    let mut values = Vec::with_capacity(resamples);
    // Every resample joins the same blocks: `blocks` starts, the last block
    // cut to `tail` pairs.
    let blocks = n.div_ceil(block);
    let tail = n - (blocks - 1) * block;
    let mut starts_drawn = vec![0usize; TOGETHER * blocks];
    let mut draw_bytes = vec![0u8; TOGETHER * blocks * 8];
    let nf = n as f64;
    let mut done = 0;
    while done < resamples {
        let together = TOGETHER.min(resamples - done);
        // The starts are drawn resample after resample, as one resample at a
        // time would draw them, in one `fill_bytes`: the same words in the
        // same order as a `next_u64` per draw (little-endian pairs of the
        // generator's 32-bit words), without a call and a refill test each.
        // The sums then run side by side, each adding its blocks in the order
        // drawn, so every r is bit for bit what one at a time gives.
        let bytes = &mut draw_bytes[..together * blocks * 8];
        rng.fill_bytes(bytes);
        for (a, word) in starts_drawn.iter_mut().zip(bytes.chunks_exact(8)) {
            *a = index(u64::from_le_bytes(word.try_into().unwrap_or_default()), starts);
        }
        // Always `TOGETHER` sums, so they stay in registers; in the last
        // group the ones past `together` reuse earlier starts and are dropped.
        let mut sums = [[0.0f64; 5]; TOGETHER];
        for b in 0..blocks {
            let len = if b + 1 == blocks { tail } else { block };
            for (q, s) in sums.iter_mut().enumerate() {
                let a = starts_drawn[q * blocks + b];
                let (lo, hi) = (&prefix[a], &prefix[a + len]);
                for j in 0..5 {
                    s[j] += hi[j] - lo[j];
                }
            }
        }
        for s in &sums[..together] {
            let sxx = s[2] - s[0] * s[0] / nf;
            let syy = s[3] - s[1] * s[1] / nf;
            if sxx <= tiny_x || syy <= tiny_y {
                continue;
            }
            let r = (s[4] - s[0] * s[1] / nf) / (sxx * syy).sqrt();
            values.push(r.clamp(-1.0, 1.0));
        }
        done += together;
    }
    let count = values.len();
    if count < 39 {
        return None;
    }
    let k = ((count + 1) / 40).max(1);
    // Two selections, not a sort: only the two order statistics are read.
    let (_, &mut lo, above) = values.select_nth_unstable_by(k - 1, f64::total_cmp);
    let (_, &mut hi, _) = above.select_nth_unstable_by(count - k - k, f64::total_cmp);
    Some(BootstrapInterval { lo, hi, block, resamples: count })
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::ChaCha8Rng;

    use super::*;
    use crate::metrics::stats::tests::ar1;
    use crate::metrics::stats::{pearson, pearson_stat};

    #[test]
    fn the_same_data_give_the_same_interval_and_the_interval_holds_r() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let x = ar1(&mut rng, 0.5, 200);
        let y: Vec<f64> = ar1(&mut rng, 0.5, 200).iter().zip(&x).map(|(e, x)| e + x).collect();
        let seed = data_seed(&x, &y);
        let a = block_bootstrap_pearson(&x, &y, 6, BOOTSTRAP_RESAMPLES, seed).unwrap();
        let b = block_bootstrap_pearson(&x, &y, 6, BOOTSTRAP_RESAMPLES, seed).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.resamples, BOOTSTRAP_RESAMPLES);
        let r = pearson(&x, &y).unwrap();
        assert!(a.lo < r && r < a.hi, "{a:?} r {r}");
        assert_ne!(data_seed(&x, &y), data_seed(&y, &x));
    }

    /// The estimator one resample at a time with a full sort, as first
    /// written (the prefix sums aside): the resamples side by side and the
    /// selections must give the same interval bit for bit.
    fn one_at_a_time(x: &[f64], y: &[f64], block: usize, resamples: usize, seed: u64) -> Option<(u64, u64, usize)> {
        let n = x.len();
        let prefix = centred_prefix(x, y);
        let full = prefix[n];
        let (tiny_x, tiny_y) = (full[2] * 1e-12, full[3] * 1e-12);
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut values = Vec::new();
        for _ in 0..resamples {
            let mut s = [0.0f64; 5];
            let mut left = n;
            while left > 0 {
                let a = index(rng.next_u64(), n - block + 1);
                let len = block.min(left);
                for j in 0..5 {
                    s[j] += prefix[a + len][j] - prefix[a][j];
                }
                left -= len;
            }
            let nf = n as f64;
            let (sxx, syy) = (s[2] - s[0] * s[0] / nf, s[3] - s[1] * s[1] / nf);
            if sxx > tiny_x && syy > tiny_y {
                values.push(((s[4] - s[0] * s[1] / nf) / (sxx * syy).sqrt()).clamp(-1.0, 1.0));
            }
        }
        values.sort_by(f64::total_cmp);
        let k = ((values.len() + 1) / 40).max(1);
        (values.len() >= 39).then(|| (values[k - 1].to_bits(), values[values.len() - k].to_bits(), values.len()))
    }

    #[test]
    fn resamples_side_by_side_give_the_one_at_a_time_interval_bit_for_bit() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        for (n, block) in [(330, 12), (200, 6), (97, 10), (50, 1), (40, 40), (13, 5)] {
            let x = ar1(&mut rng, 0.6, n);
            let y: Vec<f64> = ar1(&mut rng, 0.3, n).iter().zip(&x).map(|(e, x)| e + x).collect();
            for resamples in [39, 41, 42, 43, 999] {
                let seed = data_seed(&x, &y);
                let got = block_bootstrap_pearson(&x, &y, block, resamples, seed)
                    .map(|b| (b.lo.to_bits(), b.hi.to_bits(), b.resamples));
                assert_eq!(
                    got,
                    one_at_a_time(&x, &y, block, resamples, seed),
                    "n {n} block {block} resamples {resamples}"
                );
            }
        }
        // Mostly constant series: many resamples come out constant and are
        // left out, so the kept ones are not every fourth.
        let x: Vec<f64> = (0..60).map(|t| if t % 20 == 0 { 1.0 } else { 0.0 }).collect();
        let y: Vec<f64> = (0..60).map(|t| if t % 20 == 0 { 2.0 } else { t as f64 * 1e-3 }).collect();
        let got = block_bootstrap_pearson(&x, &y, 3, 999, 5).map(|b| (b.lo.to_bits(), b.hi.to_bits(), b.resamples));
        let want = one_at_a_time(&x, &y, 3, 999, 5);
        assert!(want.is_some_and(|w| w.2 < 999), "{want:?}");
        assert_eq!(got, want);
    }

    #[test]
    fn with_blocks_of_one_it_is_close_to_the_fisher_interval_for_iid_data() {
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let x = ar1(&mut rng, 0.0, 400);
        let y: Vec<f64> = ar1(&mut rng, 0.0, 400).iter().zip(&x).map(|(e, x)| e + 0.5 * x).collect();
        let b = block_bootstrap_pearson(&x, &y, 1, BOOTSTRAP_RESAMPLES, 9).unwrap();
        let f = pearson_stat(&x, &y).unwrap();
        let (wb, wf) = (b.hi - b.lo, f.ci_hi - f.ci_lo);
        assert!((wb / wf - 1.0).abs() < 0.2, "bootstrap {b:?} Fisher {f:?}");
    }

    #[test]
    fn the_interval_widens_with_autocorrelation() {
        // The same construction (y = x + noise, correlation 1/sqrt(2) in the
        // population) with iid and with AR(1) φ = 0.9 series: blocks of 12 see
        // the dependence, and the autocorrelated interval is much wider.
        let mut rng = ChaCha8Rng::seed_from_u64(4);
        let mut ratio = 0.0;
        for _ in 0..20 {
            let width = |phi: f64, rng: &mut ChaCha8Rng| {
                let x = ar1(rng, phi, 330);
                let y: Vec<f64> = ar1(rng, phi, 330).iter().zip(&x).map(|(e, x)| e + x).collect();
                let b = block_bootstrap_pearson(&x, &y, 12, BOOTSTRAP_RESAMPLES, data_seed(&x, &y)).unwrap();
                b.hi - b.lo
            };
            ratio += width(0.9, &mut rng) / width(0.0, &mut rng);
        }
        ratio /= 20.0;
        assert!(ratio > 1.8, "mean width ratio {ratio}");
    }

    #[test]
    fn degenerate_inputs_give_none() {
        assert_eq!(block_bootstrap_pearson(&[1.0, 2.0, 3.0], &[1.0, 2.0, 3.0], 1, 99, 0), None);
        let x = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        assert_eq!(block_bootstrap_pearson(&x, &[2.0; 6], 2, 99, 0), None);
        assert_eq!(block_bootstrap_pearson(&x, &x, 0, 99, 0), None);
        assert_eq!(block_bootstrap_pearson(&x, &x, 7, 99, 0), None);
        assert_eq!(block_bootstrap_pearson(&x, &[1.0, 2.0, f64::NAN, 4.0, 5.0, 6.0], 2, 99, 0), None);
        // Too few resamples to read a 95% interval.
        assert_eq!(block_bootstrap_pearson(&x, &x, 2, 20, 0), None);
        // A perfect correlation stays perfect in every resample.
        let b = block_bootstrap_pearson(&x, &x, 2, 99, 0).unwrap();
        assert_eq!((b.lo, b.hi), (1.0, 1.0));
    }
}
