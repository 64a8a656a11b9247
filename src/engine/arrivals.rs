//! When agents wake up: one arrival process per `[[agents]]` group, each of
//! whose events wakes one member drawn uniformly from the group's own stream.
//!
//! For a Poisson group this is exact, not an approximation: N independent
//! Poisson processes of rate λ superpose into one of rate Nλ, and marking
//! each of its events with a uniformly drawn member splits it back into N
//! independent Poisson processes of rate λ (the superposition and marking
//! theorems; Kingman, *Poisson Processes*, 1993, ch. 2 and 5). Drawing the
//! group's stream instead of N per-agent streams gives every member the same
//! law of wake-ups while the engine keeps no per-agent schedule at all: no
//! timing structure to push into and pop from once per wake-up, which was
//! the run's largest cost. A Hawkes group is one self-exciting process by
//! definition (see [`crate::agents::hawkes`]).

use rand::rngs::{ChaCha8Rng, Xoshiro256PlusPlus};
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution as _, Exp1};

use crate::agents::{Hawkes, HawkesClock};
use crate::units::ceil_to_i64;

/// The process behind one group's wake-ups.
pub enum Process {
    /// Mean gap of the whole group in nanoseconds (infinite for a silent
    /// group); `carry` is the fraction of a nanosecond the last gap left
    /// over, so whole-nanosecond times do not bias the rate however short
    /// the mean gap.
    Poisson {
        mean_gap: f64,
        carry: f64,
    },
    Hawkes {
        hawkes: Hawkes,
        clock: HawkesClock,
    },
}

/// One group's wake-ups: the next one drawn ahead, and the draws after it.
pub struct Feed {
    process: Process,
    first_agent: u32,
    members: u32,
    /// Seeded once from the group's ChaCha8 stream: a draw per wake-up
    /// costs a few cycles, not a share of a keystream block.
    rng: Xoshiro256PlusPlus,
    /// The next wake-up (`i64::MAX` when none is left) and the member it wakes.
    next: (i64, u32),
}

impl Feed {
    /// A Poisson group: each of `members` agents wakes `per_agent_per_ns`
    /// times per nanosecond on average.
    pub fn poisson(per_agent_per_ns: f64, first_agent: u32, members: u32, stream: ChaCha8Rng) -> Feed {
        let mean_gap = 1.0 / (per_agent_per_ns * f64::from(members));
        Feed::new(Process::Poisson { mean_gap, carry: 0.0 }, first_agent, members, stream)
    }

    pub fn hawkes(hawkes: Hawkes, first_agent: u32, members: u32, stream: ChaCha8Rng) -> Feed {
        let clock = hawkes.clock(0);
        Feed::new(Process::Hawkes { hawkes, clock }, first_agent, members, stream)
    }

    fn new(process: Process, first_agent: u32, members: u32, mut stream: ChaCha8Rng) -> Feed {
        let rng = Xoshiro256PlusPlus::from_rng(&mut stream);
        Feed { process, first_agent, members, rng, next: (i64::MAX, 0) }
    }

    /// Starts the day at `open`: nothing carries over the night (the
    /// Poisson process is memoryless; a Hawkes group's own bursts end with
    /// the session), and a Hawkes group opens in its steady state, at its
    /// mean rate, rather than climbing to it through the morning.
    pub fn open(&mut self, open: i64) {
        match &mut self.process {
            Process::Poisson { carry, .. } => *carry = 0.0,
            Process::Hawkes { hawkes, clock } => *clock = hawkes.stationary_clock(open),
        }
        self.next = (open, 0);
        self.advance();
    }

    /// Time of the next wake-up (`i64::MAX` when none is left).
    #[inline]
    pub fn next_time(&self) -> i64 {
        self.next.0
    }

    /// The agent the next wake-up wakes.
    #[inline]
    pub fn next_agent(&self) -> u32 {
        self.next.1
    }

    /// Appends every wake-up before `until` to `out` as (time, agent).
    #[inline]
    pub fn take_before(&mut self, until: i64, out: &mut Vec<(i64, u32)>) {
        while self.next.0 < until {
            out.push(self.next);
            self.advance();
        }
    }

    /// Draws the wake-up after the current one.
    fn advance(&mut self) {
        if self.members == 0 {
            self.next.0 = i64::MAX;
            return;
        }
        let t = match &mut self.process {
            Process::Poisson { mean_gap, carry } => {
                if !mean_gap.is_finite() {
                    i64::MAX
                } else {
                    let e: f64 = Exp1.sample(&mut self.rng);
                    let gap = e * *mean_gap + *carry;
                    // Truncation is the floor here (gap >= 0), and saturates
                    // for a gap past the end of time (a vanishing rate).
                    let whole = gap as i64;
                    *carry = gap - whole as f64;
                    self.next.0.saturating_add(whole)
                }
            }
            Process::Hawkes { hawkes, clock } => hawkes.next(clock, &mut self.rng),
        };
        let member = self.rng.random_range(0..self.members);
        self.next = (t, self.first_agent + member);
    }
}

/// One group's sale wake-ups: the sale side of a marked Hawkes process
/// (see [`crate::scenario::SaleExcitation`]). Its intensity has no baseline:
/// it is the excess `alpha · e^(−beta·age)` left by customer sale
/// applications (and scripted panics), so it is zero until a sale arrives.
///
/// The next wake-up is drawn by inverting the compensator: from `t` with
/// excess `x`, the expected count over the rest of time is x/β, so with an
/// Exp(1) draw `u` no wake-up comes when u ≥ x/β, else one comes after
/// −ln(1 − uβ/x)/β. A sale application at `t` raises the excess and draws
/// the next wake-up again from `t`: the pending draw lay after `t`, and by
/// the memorylessness of the exponential a fresh draw under the new
/// intensity has the process's law (Ogata 1981, as in
/// [`crate::agents::hawkes`]).
pub struct SaleFeed {
    /// Jump of the intensity per sale application, per nanosecond.
    alpha: f64,
    /// Decay per nanosecond.
    beta: f64,
    /// The excess intensity at `t`, per nanosecond.
    excess: f64,
    t: i64,
    first_agent: u32,
    members: u32,
    rng: Xoshiro256PlusPlus,
    next: (i64, u32),
}

impl SaleFeed {
    /// `alpha` and `beta` per second, as the scenario gives them.
    pub fn new(alpha: f64, beta: f64, first_agent: u32, members: u32, mut stream: ChaCha8Rng) -> SaleFeed {
        let rng = Xoshiro256PlusPlus::from_rng(&mut stream);
        SaleFeed {
            alpha: alpha / 1e9,
            beta: beta / 1e9,
            excess: 0.0,
            t: 0,
            first_agent,
            members,
            rng,
            next: (i64::MAX, 0),
        }
    }

    /// Starts the day at `open`: the excitation ends with the session.
    pub fn open(&mut self, open: i64) {
        self.excess = 0.0;
        self.t = open;
        self.next = (i64::MAX, 0);
    }

    /// Time of the next sale wake-up (`i64::MAX` when none is due).
    #[inline]
    pub fn next_time(&self) -> i64 {
        self.next.0
    }

    /// The excess intensity at `t` (not before the last change), in sale
    /// wake-ups per second.
    #[cfg(test)]
    pub fn intensity_at(&self, t: i64) -> f64 {
        self.excess * (-self.beta * (t - self.t).max(0) as f64).exp() * 1e9
    }

    /// A customer's sale application reached the platform at `t`.
    #[inline]
    pub fn excite(&mut self, t: i64) {
        let x = self.excess_at(t) + self.alpha;
        self.restart(t, x);
    }

    /// Adds `change` sale wake-ups per second to the excess at `t`, or sets
    /// it to `value`; it never goes below 0.
    pub fn shift(&mut self, t: i64, change: f64, value: Option<f64>) {
        let now = self.excess_at(t) * 1e9;
        let x = value.unwrap_or(now + change).max(0.0) / 1e9;
        self.restart(t, x);
    }

    /// Appends every sale wake-up before `until` to `out` as (time, agent).
    pub fn take_before(&mut self, until: i64, out: &mut Vec<(i64, u32)>) {
        while self.next.0 < until {
            out.push(self.next);
            let (t, x) = (self.next.0, self.excess_at(self.next.0));
            self.restart(t, x);
        }
    }

    fn excess_at(&self, t: i64) -> f64 {
        self.excess * (-self.beta * (t - self.t).max(0) as f64).exp()
    }

    /// The state is `x` at `t`; draws the next wake-up from there.
    fn restart(&mut self, t: i64, x: f64) {
        (self.t, self.excess) = (t, x);
        self.next.0 = i64::MAX;
        if self.members == 0 || x <= 0.0 {
            return;
        }
        let u: f64 = Exp1.sample(&mut self.rng);
        let mass = x / self.beta;
        if u >= mass {
            return;
        }
        let gap = -(-u / mass).ln_1p() / self.beta;
        // At least a nanosecond on: the wake-up answers what arrived at `t`.
        let at = t.saturating_add(ceil_to_i64(gap).max(1));
        let member = self.rng.random_range(0..self.members);
        self.next = (at, self.first_agent + member);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::agent_stream;

    /// Every member's wake-ups are Poisson at the per-agent rate: counts per
    /// member have mean and variance λT, and gaps are exponential.
    #[test]
    fn each_member_of_a_poisson_group_wakes_at_its_own_rate() {
        let members = 50u32;
        let per_agent_per_s = 2.0;
        let mut feed = Feed::poisson(per_agent_per_s / 1e9, 10, members, agent_stream(3, 7));
        feed.open(0);
        let horizon = 2_000 * 1_000_000_000i64;
        let mut wakes = Vec::new();
        feed.take_before(horizon, &mut wakes);
        assert!(wakes.windows(2).all(|w| w[0].0 <= w[1].0), "in time order");
        let mut counts = vec![0f64; members as usize];
        for &(_, id) in &wakes {
            assert!((10..10 + members).contains(&id));
            counts[(id - 10) as usize] += 1.0;
        }
        let expected = per_agent_per_s * 2_000.0;
        let mean = counts.iter().sum::<f64>() / f64::from(members);
        let var = counts.iter().map(|c| (c - mean).powi(2)).sum::<f64>() / f64::from(members - 1);
        // Mean of 50 counts of mean 4000: sd 9; variance within sampling error (sd ~ 0.2 × 4000).
        assert!((mean - expected).abs() < 40.0, "mean count {mean}, expected {expected}");
        assert!((var / expected - 1.0).abs() < 0.5, "variance {var} against Poisson {expected}");
        // One member's gaps: exponential, so the coefficient of variation is 1.
        let own: Vec<f64> = wakes.iter().filter(|w| w.1 == 10).map(|w| w.0 as f64).collect();
        let gaps: Vec<f64> = own.windows(2).map(|w| w[1] - w[0]).collect();
        let m = gaps.iter().sum::<f64>() / gaps.len() as f64;
        let sd = (gaps.iter().map(|g| (g - m).powi(2)).sum::<f64>() / gaps.len() as f64).sqrt();
        assert!((sd / m - 1.0).abs() < 0.08, "coefficient of variation {}", sd / m);
    }

    /// Whole-nanosecond times must not round the rate up when gaps are a few nanoseconds long.
    #[test]
    fn short_gaps_keep_the_rate() {
        let mut feed = Feed::poisson(0.3, 0, 1, agent_stream(5, 7));
        feed.open(1_000);
        let mut wakes = Vec::new();
        feed.take_before(1_000 + 1_000_000, &mut wakes);
        let rate = wakes.len() as f64 / 1_000_000.0;
        assert!((rate / 0.3 - 1.0).abs() < 0.01, "rate {rate} per ns against 0.3");
    }

    /// One impulse of excess x decays into x/β expected wake-ups in all
    /// (Poisson in number, since they do not excite each other here).
    #[test]
    fn an_impulse_brings_its_expected_count_of_sale_wakes() {
        let (x, beta) = (2.0, 0.05);
        let runs = 4_000;
        let mut total = 0usize;
        let mut out = Vec::new();
        for run in 0..runs {
            let mut feed = SaleFeed::new(0.0, beta, 1, 100, agent_stream(9, run));
            feed.open(0);
            assert_eq!(feed.next_time(), i64::MAX, "silent without a sale");
            feed.shift(1_000, x, None);
            out.clear();
            feed.take_before(i64::MAX, &mut out);
            assert!(out.windows(2).all(|w| w[0].0 <= w[1].0));
            assert!(out.iter().all(|&(t, id)| t > 1_000 && (1..101).contains(&id)));
            total += out.len();
        }
        let mean = total as f64 / f64::from(runs);
        // Mean 40, so the mean of 4000 runs has sd 0.1.
        assert!((mean - x / beta).abs() < 0.5, "mean {mean} wake-ups against {}", x / beta);
    }

    /// Each sale raises the intensity by alpha: right after three sales it is 3·alpha.
    #[test]
    fn sales_raise_the_intensity_and_it_decays() {
        let mut feed = SaleFeed::new(0.5, 0.1, 1, 10, agent_stream(2, 2));
        feed.open(0);
        for k in 0..3 {
            feed.excite(k);
        }
        assert!((feed.intensity_at(2) - 1.5).abs() < 1e-6);
        let ten_s = 10_000_000_002;
        assert!((feed.intensity_at(ten_s) - 1.5 * (-1.0f64).exp()).abs() < 1e-6);
        feed.open(20_000_000_000);
        assert_eq!(feed.intensity_at(20_000_000_000), 0.0, "nothing carries over the night");
    }

    #[test]
    fn an_empty_or_silent_group_never_wakes() {
        let mut empty = Feed::poisson(1e-9, 0, 0, agent_stream(1, 1));
        empty.open(0);
        assert_eq!(empty.next_time(), i64::MAX);
        let mut silent = Feed::poisson(0.0, 0, 5, agent_stream(1, 1));
        silent.open(0);
        assert_eq!(silent.next_time(), i64::MAX);
        let mut out = Vec::new();
        silent.take_before(i64::MAX, &mut out);
        assert!(out.is_empty());
    }
}
