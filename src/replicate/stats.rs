//! The statistics across seeds: a figure's mean, standard deviation and
//! 95% t-interval over replications ([`spread`]), and the paired comparison
//! of a treatment with its same-seed control ([`paired`]): the mean of the
//! per-seed differences with its paired t-interval, Cohen's d_z and how many
//! seeds moved each way.
//!
//! The t-interval comes from `metrics::stats`, cut to the range the figure
//! cannot leave (a share's, a correlation's). Every function is pure and
//! deterministic (sums in the order given); an undefined figure is `None`.

use serde::Serialize;

use crate::metrics::stats::{mean_t_interval, student_t_two_sided_p};

/// A figure over seeds: how many had it, their mean, standard deviation
/// (n − 1 divisor) and the 95% t-interval of the mean,
/// mean ± t(0.975, n − 1) · sd / √n.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Spread {
    /// Values the figure had (seeds where it was defined).
    pub n: usize,
    /// Their mean; None without values.
    pub mean: Option<f64>,
    /// Their standard deviation (n − 1 divisor); None below 2 values.
    pub sd: Option<f64>,
    /// Low end of the 95% t-interval of the mean; None below 2 values.
    pub lo: Option<f64>,
    /// High end of the 95% t-interval of the mean; None below 2 values.
    pub hi: Option<f64>,
}

/// The mean, standard deviation and 95% t-interval of `x` (non-finite
/// values are left out), the interval cut to `range`, what the values
/// cannot leave ([`mean_t_interval`]).
pub fn spread(x: &[f64], range: (f64, f64)) -> Spread {
    match mean_t_interval(x, range) {
        None => Spread::default(),
        Some(m) => Spread { n: m.n, mean: Some(m.mean), sd: m.sd, lo: m.ci.map(|c| c.0), hi: m.ci.map(|c| c.1) },
    }
}

/// A treatment against its control, paired by seed.
///
/// Each arm's mean is its own, over the seeds where it has the figure
/// (`control_n`, `treatment_n`), so that a figure undefined in every seed
/// of one arm still shows the other's; the differences, and everything
/// taken from them, are over the `n` seeds where both have it. Where every
/// seed has it in both, `treatment_mean − control_mean` is the mean
/// difference.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Paired {
    /// Seeds with the figure defined in both arms.
    pub n: usize,
    /// Mean of the control's values, over the seeds where it has them.
    pub control_mean: Option<f64>,
    /// Mean of the treatment's values, over the seeds where it has them.
    pub treatment_mean: Option<f64>,
    /// Seeds where the control has the figure.
    pub control_n: usize,
    /// Seeds where the treatment has the figure.
    pub treatment_n: usize,
    /// The differences treatment − control: their mean, sd and 95% paired t-interval.
    pub diff: Spread,
    /// diff mean / the control's mean over the same `n` seeds; None unless
    /// that mean is above 0 and the figure cannot be negative (a relative
    /// change of a correlation, or of a negative level, reads backwards).
    pub relative: Option<f64>,
    /// Cohen's d_z, the mean difference over the differences' sd; None when the sd is 0.
    pub effect_size_dz: Option<f64>,
    /// Two-sided p-value of the paired t-test of a zero mean difference;
    /// None when every seed has the same non-zero difference (the test is
    /// undefined without spread: two seeds' whole-number counts agree by
    /// chance often enough) or below 2 seeds. 1 when every difference is 0.
    pub p_value: Option<f64>,
    /// `p_value` adjusted by Holm's step-down method over the figures
    /// compared beside it (one scope's table, [`holm`]): what says whether
    /// the figure moved beyond seed-to-seed noise when many are read at
    /// once. None for a figure compared alone (a window's) and where
    /// `p_value` is None.
    pub p_holm: Option<f64>,
    /// Seeds where the treatment is higher.
    pub seeds_up: usize,
    /// Seeds where the treatment is lower.
    pub seeds_down: usize,
    /// Seeds where the two are equal.
    pub seeds_equal: usize,
}

/// Pairs (control, treatment) values of one figure, one pair per seed
/// (missing and non-finite values are left out: of their arm's mean, and
/// of the differences). `range` is what the figure cannot leave: a
/// difference cannot leave (lo − hi, hi − lo), and its interval is cut
/// there.
pub fn paired(pairs: &[(Option<f64>, Option<f64>)], range: (f64, f64)) -> Paired {
    let control = spread(&pairs.iter().filter_map(|p| p.0).collect::<Vec<_>>(), range);
    let treatment = spread(&pairs.iter().filter_map(|p| p.1).collect::<Vec<_>>(), range);
    let arms = Paired {
        control_mean: control.mean,
        treatment_mean: treatment.mean,
        control_n: control.n,
        treatment_n: treatment.n,
        ..Paired::default()
    };
    let both: Vec<(f64, f64)> =
        pairs.iter().filter_map(|&(c, t)| Some((c?, t?))).filter(|(c, t)| c.is_finite() && t.is_finite()).collect();
    if both.is_empty() {
        return arms;
    }
    let n = both.len();
    // The control's level on the seeds the differences are taken over.
    let control_paired = both.iter().map(|p| p.0).sum::<f64>() / n as f64;
    let d: Vec<f64> = both.iter().map(|(c, t)| t - c).collect();
    let width = range.1 - range.0;
    let mut diff = spread(&d, (-width, width));
    // Spread below rounding's: three differences of 0.1 have an sd of
    // 1.7e-17, not 0, which would read as a t of 1e16.
    let spread_of = |m: f64, sd: f64| sd > 1e-12 * m.abs();
    let dz = match (diff.mean, diff.sd) {
        (Some(m), Some(sd)) if spread_of(m, sd) => Some(m / sd),
        _ => None,
    };
    let p_value = match (diff.mean, diff.sd) {
        (Some(m), Some(sd)) if spread_of(m, sd) => student_t_two_sided_p(m / (sd / (n as f64).sqrt()), (n - 1) as f64),
        // No difference in any seed (the windows before the change).
        (Some(0.0), Some(_)) => Some(1.0),
        // The same difference in every seed: a t-interval would be a point
        // and its p-value 0, a certainty no finite number of seeds gives.
        (Some(_), Some(_)) => {
            (diff.lo, diff.hi) = (None, None);
            None
        }
        _ => None,
    };
    let ratio_scale = range.0 >= 0.0 && control_paired > 0.0;
    Paired {
        n,
        relative: diff.mean.filter(|_| ratio_scale).map(|m| m / control_paired),
        diff,
        effect_size_dz: dz,
        p_value,
        seeds_up: d.iter().filter(|x| **x > 0.0).count(),
        seeds_down: d.iter().filter(|x| **x < 0.0).count(),
        seeds_equal: d.iter().filter(|x| **x == 0.0).count(),
        ..arms
    }
}

/// Holm's step-down adjustment of the p-values `p` (Holm 1979, "A simple
/// sequentially rejective multiple test procedure", Scand. J. Statist. 6):
/// the i-th smallest of the m defined ones becomes max over j ≤ i of
/// min(1, (m − j + 1) · p_(j)). Rejecting where the adjusted value is below
/// α keeps the chance of any false rejection among the m at most α, under
/// any dependence between the tests. Undefined p-values stay None and do
/// not count in m.
pub fn holm(p: &[Option<f64>]) -> Vec<Option<f64>> {
    let mut order: Vec<usize> = (0..p.len()).filter(|&i| p[i].is_some_and(f64::is_finite)).collect();
    order.sort_by(|&a, &b| p[a].unwrap_or(1.0).total_cmp(&p[b].unwrap_or(1.0)).then(a.cmp(&b)));
    let m = order.len();
    let mut out = vec![None; p.len()];
    let mut running: f64 = 0.0;
    for (j, &i) in order.iter().enumerate() {
        let scaled = ((m - j) as f64 * p[i].unwrap_or(1.0)).min(1.0);
        running = running.max(scaled);
        out[i] = Some(running);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::stats::UNBOUNDED;

    fn near(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-9)
    }

    #[test]
    fn a_t_interval_by_hand() {
        // 1, 2, 3, 4, 5: mean 3, sd sqrt(2.5) = 1.5811388, se 0.7071068,
        // t(0.975, 4) = 2.7764451, half-width 1.9632432.
        let s = spread(&[1.0, 2.0, 3.0, 4.0, 5.0], UNBOUNDED);
        assert_eq!(s.n, 5);
        assert!(near(s.mean, 3.0));
        assert!(near(s.sd, 2.5f64.sqrt()));
        assert!(near(s.lo, 3.0 - 1.963_243_161_1));
        assert!(near(s.hi, 3.0 + 1.963_243_161_1));
    }

    #[test]
    fn too_few_values_give_what_they_can() {
        assert_eq!(spread(&[], UNBOUNDED), Spread::default());
        let one = spread(&[2.0, f64::NAN], UNBOUNDED);
        assert_eq!((one.n, one.mean, one.sd, one.lo), (1, Some(2.0), None, None));
        let same = spread(&[2.0, 2.0, 2.0], UNBOUNDED);
        assert_eq!((same.sd, same.lo, same.hi), (Some(0.0), Some(2.0), Some(2.0)));
    }

    #[test]
    fn a_paired_comparison_by_hand() {
        // Differences 1, 2, 3 (and one pair left out): mean 2, sd 1,
        // t(0.975, 2) = 4.3026527, half-width 4.3026527 / sqrt 3 = 2.4841377;
        // d_z = 2; t = 2 sqrt 3 = 3.4641016, p = 0.0741799.
        let p = paired(
            &[(Some(10.0), Some(11.0)), (Some(20.0), Some(22.0)), (Some(30.0), Some(33.0)), (None, Some(1.0))],
            (0.0, f64::INFINITY),
        );
        assert_eq!(p.n, 3);
        assert!(near(p.control_mean, 20.0));
        // The treatment's own mean has the seed without a control: (11 + 22 + 33 + 1) / 4.
        assert_eq!((p.control_n, p.treatment_n), (3, 4));
        assert!(near(p.treatment_mean, 16.75));
        assert!(near(p.diff.mean, 2.0));
        assert!(near(p.diff.sd, 1.0));
        assert!(near(p.diff.lo, 2.0 - 2.484_137_711_750_331));
        assert!(near(p.diff.hi, 2.0 + 2.484_137_711_750_331));
        assert!(near(p.effect_size_dz, 2.0));
        assert!(near(p.relative, 0.1));
        assert!((p.p_value.unwrap() - 0.074_179_9).abs() < 1e-6);
        assert_eq!(p.p_holm, None, "adjusted only beside other figures");
        assert_eq!((p.seeds_up, p.seeds_down, p.seeds_equal), (3, 0, 0));
        // A figure that may be negative (a correlation, an autocorrelation)
        // has no relative change: −0.0104 on a control of −0.366 read +2.8%.
        let signed = paired(&[(Some(-0.3), Some(-0.31)), (Some(-0.4), Some(-0.42))], (-1.0, 1.0));
        assert!(signed.diff.mean.is_some() && signed.relative.is_none());
    }

    #[test]
    fn the_paired_interval_is_narrower_than_the_unpaired_one_when_seeds_share_noise() {
        // Seed noise shared by both arms cancels in the differences.
        let pairs: Vec<_> = [5.0, 15.0, 25.4, 35.0].iter().map(|&c| (Some(c), Some(c + 1.0 + c / 1000.0))).collect();
        let p = paired(&pairs, UNBOUNDED);
        let unpaired = |x: &[f64]| spread(x, UNBOUNDED).sd.unwrap_or(0.0);
        let arms = [
            pairs.iter().map(|p| p.0.unwrap_or(0.0)).collect::<Vec<_>>(),
            pairs.iter().map(|p| p.1.unwrap_or(0.0)).collect(),
        ];
        assert!(p.diff.sd.unwrap() < unpaired(&arms[0]) / 100.0 && p.diff.sd.unwrap() < unpaired(&arms[1]) / 100.0);
        assert!(p.p_value.is_some_and(|p| p < 1e-4), "{p:?}");
        let none = paired(&[(Some(1.0), Some(1.0)), (Some(2.0), Some(2.0))], UNBOUNDED);
        assert_eq!((none.seeds_equal, none.p_value, none.diff.lo, none.diff.hi), (2, Some(1.0), Some(0.0), Some(0.0)));
    }

    /// The same non-zero difference in every seed (two seeds' counts that
    /// happen to agree) has no spread to judge it by: no interval and no
    /// p-value, where a t-interval would be a point and p = 0.
    #[test]
    fn the_same_difference_in_every_seed_is_not_a_certainty() {
        let pairs: Vec<_> = [5.0, 15.0].iter().map(|&c| (Some(c), Some(c - 6.0))).collect();
        let p = paired(&pairs, (0.0, f64::INFINITY));
        assert_eq!((p.diff.mean, p.diff.sd), (Some(-6.0), Some(0.0)));
        assert_eq!((p.diff.lo, p.diff.hi, p.p_value, p.effect_size_dz), (None, None, None, None));
        assert_eq!(p.seeds_down, 2);
        // The same up to rounding: 0.1 three times has an sd of 1.7e-17.
        let tenths: Vec<_> = [0.2, 0.7, 0.9].iter().map(|&c| (Some(c), Some(c + 0.1))).collect();
        let p = paired(&tenths, (0.0, 1.0));
        assert!(p.diff.sd.is_some_and(|sd| sd < 1e-15), "{p:?}");
        assert_eq!((p.p_value, p.diff.lo, p.effect_size_dz), (None, None, None));
    }

    /// Holm's adjustment by hand: p = 0.01, 0.04, 0.03, 0.5 (m = 4) sorted
    /// 0.01, 0.03, 0.04, 0.5 become 0.04, 0.09, max(0.09, 0.08) = 0.09, 0.5;
    /// an undefined one stays so and does not count.
    #[test]
    fn holm_by_hand() {
        let adj = holm(&[Some(0.01), Some(0.04), None, Some(0.03), Some(0.5)]);
        let want = [Some(0.04), Some(0.09), None, Some(0.09), Some(0.5)];
        for (a, w) in adj.iter().zip(want) {
            assert_eq!(a.is_some(), w.is_some());
            assert!(a.zip(w).is_none_or(|(a, w)| (a - w).abs() < 1e-12), "{adj:?}");
        }
        assert_eq!(holm(&[Some(0.6), Some(0.7)]), [Some(1.0), Some(1.0)]);
        assert!(holm(&[]).is_empty());
        assert_eq!(paired(&[], UNBOUNDED), Paired::default());
    }

    /// A figure undefined in every seed of one arm (a success where that
    /// arm closed nothing) leaves the differences undefined, not the other
    /// arm's mean: it used to read n/a on both sides.
    #[test]
    fn an_arm_without_values_leaves_the_other_arms_mean() {
        let p = paired(&[(None, Some(0.5)), (None, Some(0.7)), (Some(f64::NAN), Some(0.9))], UNBOUNDED);
        assert_eq!(p.n, 0);
        assert_eq!((p.control_mean, p.control_n), (None, 0));
        assert_eq!(p.treatment_n, 3);
        assert!(near(p.treatment_mean, 0.7));
        assert_eq!((p.diff, p.relative, p.effect_size_dz, p.p_value), (Spread::default(), None, None, None));
        assert_eq!((p.seeds_up, p.seeds_down, p.seeds_equal), (0, 0, 0));
    }

    /// A share's seeds near 1: each arm's interval stops at 1, and a
    /// difference of shares at ±1.
    #[test]
    fn a_bounded_figure_keeps_its_range() {
        let s = spread(&[0.99, 0.97, 0.999, 0.95, 0.998], (0.0, 1.0));
        assert_eq!(s.hi, Some(1.0));
        assert!(s.lo.is_some_and(|lo| lo < 0.96));
        let p = paired(&[(Some(0.0), Some(1.0)), (Some(0.1), Some(0.9)), (Some(0.0), Some(1.0))], (0.0, 1.0));
        assert_eq!(p.diff.hi, Some(1.0));
        assert!(p.diff.lo.is_some_and(|lo| lo < 0.8));
    }
}
