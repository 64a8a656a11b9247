//! Self-exciting arrivals: the Hawkes process with an exponential kernel,
//! for trading that "erupts instantaneously" in bursts.
//!
//! Hawkes, "Spectra of some self-exciting and mutually exciting point
//! processes", *Biometrika* 58 (1971): the intensity is
//!
//! ```text
//! λ(t) = μ + Σ_{t_i < t} α · e^{−β (t − t_i)}
//! ```
//!
//! Each event raises the intensity by α, and the raise decays at rate β. The
//! branching ratio n = α/β is the expected number of events one event
//! triggers directly; for n < 1 the process is stationary with mean rate
//! μ / (1 − n), and counts over windows long against 1/β have Fano factor
//! (variance / mean) near 1 / (1 − n)², so the arrivals are overdispersed
//! compared with Poisson.
//!
//! Events are drawn by Ogata's thinning, "On Lewis' simulation method for
//! point processes", *IEEE Trans. Inform. Theory* 27 (1981). With an
//! exponential kernel the intensity only decays between events, so its
//! value now bounds it until the next event: draw a candidate from a Poisson
//! process at that bound, accept it with probability λ(candidate) / bound,
//! and on rejection lower the bound to λ(candidate) and go on. The sum over
//! past events collapses to one number (the excess over μ) carried forward
//! as excess · e^{−β·dt}, so each step is O(1) whatever the history.
//!
//! Rates are per second; times are the simulation clock's nanoseconds.

use rand::{Rng, RngExt};
use rand_distr::{Distribution as _, Exp1};

const NS_PER_S: f64 = 1e9;

/// Rates per second: baseline `mu`, jump `alpha` added to the intensity at
/// each event, decay `beta`. Requires alpha/beta < 1.
#[derive(Clone, Debug, PartialEq)]
pub struct Hawkes {
    mu: f64,
    alpha: f64,
    beta: f64,
}

/// Intensity state: the excess over mu at time `t` (ns). O(1) to carry
/// forward: excess · e^{−beta·dt}.
#[derive(Clone, Copy, Debug)]
pub struct HawkesClock {
    /// When the state holds: nanoseconds since 00:00 of the start date.
    pub t: i64,
    /// Intensity above the baseline at `t`, in events per second.
    pub excess: f64,
}

impl Hawkes {
    /// The process with baseline `mu`, jump `alpha` and decay `beta`, all
    /// per second.
    ///
    /// # Panics
    /// Unless `mu` ≥ 0, `alpha` ≥ 0, `beta` > 0 and alpha/beta < 1, all
    /// finite: a supercritical process explodes, and the scenario's
    /// validation refuses one before it gets here.
    pub fn new(mu: f64, alpha: f64, beta: f64) -> Hawkes {
        assert!(mu.is_finite() && mu >= 0.0, "Hawkes baseline mu must be finite and ≥ 0, got {mu}");
        assert!(alpha.is_finite() && alpha >= 0.0, "Hawkes jump alpha must be finite and ≥ 0, got {alpha}");
        assert!(beta.is_finite() && beta > 0.0, "Hawkes decay beta must be finite and > 0, got {beta}");
        assert!(alpha < beta, "Hawkes branching ratio alpha/beta must be below 1, got {alpha}/{beta}");
        Hawkes { mu, alpha, beta }
    }

    /// Baseline intensity, in events per second.
    pub fn mu(&self) -> f64 {
        self.mu
    }

    /// Jump in the intensity at each event, in events per second.
    pub fn alpha(&self) -> f64 {
        self.alpha
    }

    /// Decay rate of the excess intensity, per second.
    pub fn beta(&self) -> f64 {
        self.beta
    }

    /// n = alpha/beta: events each event triggers directly, on average.
    pub fn branching_ratio(&self) -> f64 {
        self.alpha / self.beta
    }

    /// The stationary mean rate per second, mu / (1 − n).
    pub fn mean_rate(&self) -> f64 {
        self.mu / (1.0 - self.branching_ratio())
    }

    /// A clock at `t` with no excitation (as if nothing happened before).
    pub fn clock(&self, t: i64) -> HawkesClock {
        HawkesClock { t, excess: 0.0 }
    }

    /// A clock at `t` in the process's steady state: the excess at its
    /// stationary mean, mu · n / (1 − n), so the intensity starts at the
    /// mean rate mu / (1 − n), which its expectation then keeps (each event
    /// adds alpha as fast as the excess decays; Hawkes 1971). From
    /// [`Hawkes::clock`]'s empty start the expected intensity instead climbs
    /// from mu to the mean rate with time constant 1 / (beta (1 − n)) — half
    /// an hour at n = 0.85 and beta = 0.004/s — a ramp every session would
    /// open with and no market shows.
    pub fn stationary_clock(&self, t: i64) -> HawkesClock {
        HawkesClock { t, excess: self.mean_rate() - self.mu }
    }

    /// The intensity per second at `t` ≥ `clock.t`, no event in between.
    pub fn intensity_at(&self, clock: &HawkesClock, t: i64) -> f64 {
        self.mu + self.decayed(clock.excess, t.saturating_sub(clock.t))
    }

    #[inline]
    fn decayed(&self, excess: f64, dt_ns: i64) -> f64 {
        excess * (-self.beta * (dt_ns as f64 / NS_PER_S)).exp()
    }

    /// The next event strictly after `clock.t`, by thinning; advances the
    /// clock to the event and adds alpha to its excess. Returns the event
    /// time in ns, at least `clock.t + 1` (`i64::MAX` when the intensity
    /// has fallen to zero, which needs mu = 0: no event ever again).
    pub fn next<R: Rng + ?Sized>(&self, clock: &mut HawkesClock, rng: &mut R) -> i64 {
        // Candidates are kept in f64 seconds after clock.t, so the rounding
        // to whole nanoseconds happens once, at the accepted event.
        let mut s = 0.0f64;
        let mut excess = clock.excess;
        loop {
            let bound = self.mu + excess;
            if bound <= 0.0 {
                clock.t = i64::MAX;
                clock.excess = 0.0;
                return i64::MAX;
            }
            let e: f64 = Exp1.sample(rng);
            let w = e / bound;
            s += w;
            excess *= (-self.beta * w).exp();
            let u: f64 = rng.random();
            if u * bound < self.mu + excess {
                break;
            }
        }
        // `as` saturates (an infinite wait becomes i64::MAX).
        let dt = ((s * NS_PER_S).round() as i64).max(1);
        let t = clock.t.saturating_add(dt);
        // The excess at the rounded time, so the clock's invariant (excess
        // at `t`) holds exactly whatever the rounding did.
        clock.excess = self.decayed(clock.excess, t - clock.t) + self.alpha;
        clock.t = t;
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn rng(seed: u64) -> rand::rngs::ChaCha8Rng {
        rand::rngs::ChaCha8Rng::seed_from_u64(seed)
    }

    /// The mean rate over `events` events from an unexcited start.
    fn empirical_rate(h: &Hawkes, events: usize, seed: u64) -> f64 {
        let mut clock = h.clock(0);
        let mut r = rng(seed);
        let mut t = 0;
        for _ in 0..events {
            t = h.next(&mut clock, &mut r);
        }
        events as f64 / (t as f64 / NS_PER_S)
    }

    /// Events in the first second, averaged over many starts: from the
    /// steady state the mean rate at once (its expectation is constant);
    /// from an empty start the ramp, m − (m − mu)(1 − e^{−c})/c with
    /// c = beta (1 − n) = 0.15/s over one second, 1.40 against 6.67.
    #[test]
    fn a_stationary_start_runs_at_the_mean_rate_from_the_first_moment() {
        let h = Hawkes::new(1.0, 0.85, 1.0);
        let first_second = |clock: fn(&Hawkes) -> HawkesClock| {
            let mut r = rng(3);
            let starts = 20_000;
            let mut events = 0usize;
            for _ in 0..starts {
                let mut c = clock(&h);
                while h.next(&mut c, &mut r) < NS_PER_S as i64 {
                    events += 1;
                }
            }
            events as f64 / f64::from(starts)
        };
        let m = h.mean_rate();
        let steady = first_second(|h| h.stationary_clock(0));
        assert!((steady / m - 1.0).abs() < 0.03, "{steady} events in the first second, mean rate {m}");
        let ramp = m - (m - 1.0) * (1.0 - (-0.15f64).exp()) / 0.15;
        let empty = first_second(|h| h.clock(0));
        assert!((empty / ramp - 1.0).abs() < 0.05, "{empty} events in the first second from empty, expected {ramp}");
    }

    #[test]
    fn long_run_rate_is_mu_over_one_minus_n() {
        // Var N(T) ≈ mean · 1/(1 − n)², so the rate estimate's relative sd
        // is 1/((1 − n) sqrt(N)): 0.2% at n = 0.5 and 0.5% at n = 0.8 with
        // N = 10^6; 3% is 6 sd.
        for n in [0.5, 0.8] {
            let h = Hawkes::new(1.0, n * 10.0, 10.0);
            assert!((h.branching_ratio() - n).abs() < 1e-12);
            assert!((h.mean_rate() - 1.0 / (1.0 - n)).abs() < 1e-9);
            let rate = empirical_rate(&h, 1_000_000, 11);
            let rel = rate / h.mean_rate() - 1.0;
            assert!(rel.abs() < 0.03, "n = {n}: rate {rate} vs {}", h.mean_rate());
        }
    }

    #[test]
    fn without_excitation_it_is_poisson() {
        let mu = 2.0;
        let h = Hawkes::new(mu, 0.0, 1.0);
        let mut clock = h.clock(1_000);
        let mut r = rng(5);
        let n = 200_000;
        let mut prev = clock.t;
        let (mut sum, mut sum2, mut above_mean) = (0.0, 0.0, 0usize);
        for _ in 0..n {
            let t = h.next(&mut clock, &mut r);
            assert_eq!(clock.excess, 0.0);
            let gap = (t - prev) as f64 / NS_PER_S;
            prev = t;
            sum += gap;
            sum2 += gap * gap;
            above_mean += usize::from(gap > 1.0 / mu);
        }
        let mean = sum / n as f64;
        let var = sum2 / n as f64 - mean * mean;
        // Exponential(mu): mean 1/mu (sd of the estimate 0.22%), variance
        // 1/mu² (sd 0.63%), P(gap > mean) = 1/e (sd 0.0011).
        assert!((mean * mu - 1.0).abs() < 0.015, "mean gap {mean}");
        assert!((var * mu * mu - 1.0).abs() < 0.04, "gap variance {var}");
        let p = above_mean as f64 / n as f64;
        assert!((p - (-1f64).exp()).abs() < 0.008, "P(gap > mean) = {p}");
    }

    /// Fano factor of counts in `windows` windows of `w` seconds after a
    /// burn-in, and its value for the stationary process (Hawkes 1971: the
    /// covariance density decays as e^{−κ|τ|}, κ = β(1 − n)).
    fn fano(h: &Hawkes, w: f64, windows: usize, seed: u64) -> (f64, f64) {
        let burn_in = (20.0 / (h.beta * (1.0 - h.branching_ratio())) * NS_PER_S) as i64;
        let w_ns = (w * NS_PER_S) as i64;
        let mut counts = vec![0u32; windows];
        let mut clock = h.clock(0);
        let mut r = rng(seed);
        loop {
            let t = h.next(&mut clock, &mut r);
            if t < burn_in {
                continue;
            }
            let k = ((t - burn_in) / w_ns) as usize;
            if k >= windows {
                break;
            }
            counts[k] += 1;
        }
        let m = counts.iter().map(|&c| f64::from(c)).sum::<f64>() / windows as f64;
        let v = counts.iter().map(|&c| (f64::from(c) - m).powi(2)).sum::<f64>() / (windows - 1) as f64;
        let n = h.branching_ratio();
        let kw = h.beta * (1.0 - n) * w;
        let expected = 1.0 + (1.0 / (1.0 - n).powi(2) - 1.0) * (1.0 - (1.0 - (-kw).exp()) / kw);
        (v / m, expected)
    }

    #[test]
    fn counts_are_overdispersed_with_fano_near_one_over_one_minus_n_squared() {
        // Windows 50/κ long, so the finite-window correction is 2%. The
        // Fano estimate's relative sd (over 30 seeds) is 1.5% at n = 0.5 and
        // 3% at n = 0.8; 15% is 5 sd or more.
        for (n, w, windows) in [(0.5, 10.0, 10_000), (0.8, 25.0, 4_000)] {
            let h = Hawkes::new(1.0, n * 10.0, 10.0);
            let (f, expected) = fano(&h, w, windows, 21);
            let asymptotic = 1.0 / (1.0f64 - n).powi(2);
            assert!((expected / asymptotic - 1.0).abs() < 0.03);
            assert!((f / expected - 1.0).abs() < 0.15, "n = {n}: Fano {f} vs {expected}");
            assert!(f > 0.6 * asymptotic && f > 2.5, "n = {n}: Fano {f}");
        }
    }

    #[test]
    fn same_seed_same_events() {
        let h = Hawkes::new(3.0, 6.0, 10.0);
        let run = |seed| {
            let mut clock = h.clock(-5_000_000_000);
            let mut r = rng(seed);
            (0..2_000).map(|_| h.next(&mut clock, &mut r)).collect::<Vec<_>>()
        };
        let a = run(7);
        assert_eq!(a, run(7));
        assert_ne!(a, run(8));
    }

    #[test]
    fn events_are_strictly_later_and_the_clock_follows() {
        // A rate of 10^12 per second puts nearly every candidate within the
        // same nanosecond: the floor of one nanosecond keeps events apart.
        for h in [Hawkes::new(1e12, 0.0, 1.0), Hawkes::new(5.0, 90.0, 100.0)] {
            let mut clock = h.clock(42);
            let mut r = rng(9);
            for _ in 0..10_000 {
                let before = clock;
                let t = h.next(&mut clock, &mut r);
                assert!(t > before.t);
                assert_eq!(clock.t, t);
                let expected = before.excess * (-h.beta() * (t - before.t) as f64 / NS_PER_S).exp() + h.alpha();
                assert!((clock.excess - expected).abs() <= 1e-12 * expected.max(1.0));
                assert!((h.intensity_at(&clock, t) - h.mu() - clock.excess).abs() < 1e-9);
            }
        }
    }

    #[test]
    fn with_no_baseline_the_process_dies_out() {
        let h = Hawkes::new(0.0, 0.5, 1.0);
        let mut r = rng(3);
        assert_eq!(h.next(&mut h.clock(0), &mut r), i64::MAX);
        let mut clock = HawkesClock { t: 0, excess: 5.0 };
        let mut last = 0;
        for _ in 0..1_000 {
            last = h.next(&mut clock, &mut r);
            if last == i64::MAX {
                break;
            }
        }
        assert_eq!(last, i64::MAX, "a subcritical cascade ends");
    }

    #[test]
    #[should_panic(expected = "branching ratio")]
    fn supercritical_is_refused() {
        let _ = Hawkes::new(1.0, 10.0, 10.0);
    }
}
