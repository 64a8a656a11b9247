//! Removing a daily pattern: each value less the mean of the values at the
//! same time of day, so that what two series share only through the shape
//! of the trading day no longer shows in their correlation.

/// Two series with their time-of-day means removed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DeseasonalisedPairs {
    /// x less its slot's mean, for the pairs kept, in their order.
    pub x: Vec<f64>,
    /// y less its slot's mean, for the same pairs.
    pub y: Vec<f64>,
    /// Slots with at least 2 pairs, whose pairs are kept.
    pub slots: usize,
}

/// Subtracts from each pair (x_i, y_i) the means of x and y over the pairs of
/// its slot `slot[i]` (a window's time of day: its index within its day), and
/// keeps the pairs of slots holding at least 2 of them (a slot seen once
/// would be left with nothing but zeros). The first min(len x, len y, len
/// slot) pairs are used; O(n + the largest slot).
pub fn deseasonalise(x: &[f64], y: &[f64], slot: &[usize]) -> DeseasonalisedPairs {
    let n = x.len().min(y.len()).min(slot.len());
    let (x, y, slot) = (&x[..n], &y[..n], &slot[..n]);
    let size = slot.iter().max().map_or(0, |m| m + 1);
    let mut sums = vec![(0usize, 0.0f64, 0.0f64); size];
    for i in 0..n {
        let s = &mut sums[slot[i]];
        s.0 += 1;
        s.1 += x[i];
        s.2 += y[i];
    }
    let mut out =
        DeseasonalisedPairs { slots: sums.iter().filter(|s| s.0 >= 2).count(), ..DeseasonalisedPairs::default() };
    for i in 0..n {
        let (count, sx, sy) = sums[slot[i]];
        if count >= 2 {
            out.x.push(x[i] - sx / count as f64);
            out.y.push(y[i] - sy / count as f64);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::ChaCha8Rng;

    use super::*;
    use crate::metrics::stats::pearson;
    use crate::metrics::stats::tests::{ar1, near};

    #[test]
    fn by_hand_with_a_slot_seen_once() {
        // Slots 0, 1, 0, 1, 2: slot 0 means (1 + 3)/2 = 2 and (10 + 30)/2 = 20,
        // slot 1 means 3 and 25; slot 2 holds one pair and is left out.
        let d = deseasonalise(&[1.0, 2.0, 3.0, 4.0, 9.0], &[10.0, 20.0, 30.0, 30.0, 9.0], &[0, 1, 0, 1, 2]);
        assert_eq!(d.slots, 2);
        assert_eq!(d.x, vec![-1.0, -1.0, 1.0, 1.0]);
        assert_eq!(d.y, vec![-10.0, -5.0, 10.0, 5.0]);
        assert_eq!(deseasonalise(&[], &[], &[]), DeseasonalisedPairs::default());
    }

    #[test]
    fn a_shared_time_of_day_pattern_leaves_no_correlation() {
        // Five days of 66 windows: both series follow the same U-shaped day
        // (strongly correlated as they stand) plus independent noise; with
        // the day's shape removed, what is left is the noise: r ≈ 0.
        let mut rng = ChaCha8Rng::seed_from_u64(8);
        let (days, per_day) = (5, 66);
        let shape = |k: usize| {
            let u = k as f64 / per_day as f64 - 0.5;
            10.0 * u * u
        };
        let (ex, ey) = (ar1(&mut rng, 0.3, days * per_day), ar1(&mut rng, 0.3, days * per_day));
        let slot: Vec<usize> = (0..days * per_day).map(|w| w % per_day).collect();
        let x: Vec<f64> = slot.iter().zip(&ex).map(|(&k, e)| shape(k) + 0.3 * e).collect();
        let y: Vec<f64> = slot.iter().zip(&ey).map(|(&k, e)| 2.0 * shape(k) + 0.6 * e).collect();
        assert!(pearson(&x, &y).unwrap() > 0.6);
        let d = deseasonalise(&x, &y, &slot);
        assert_eq!((d.slots, d.x.len()), (per_day, days * per_day));
        let r = pearson(&d.x, &d.y).unwrap();
        assert!(near(r, 0.0, 0.12), "r after {r}");
        // A link beyond the day's shape survives it.
        let y: Vec<f64> = slot.iter().zip(&ex).map(|(&k, e)| 2.0 * shape(k) + 0.6 * e).collect();
        let d = deseasonalise(&x, &y, &slot);
        assert!(near(pearson(&d.x, &d.y).unwrap(), 1.0, 1e-9));
    }
}
