//! The international shock: a shot-noise process, i.e. compound Poisson jumps
//! whose effect decays exponentially,
//! S(t) = Σ_{t_i ≤ t} J_i · exp(−(t − t_i)/τ),
//! with jump times t_i from a Poisson process of `rate_per_year` and sizes
//! J_i ~ Normal(mean, sd) (compound Poisson jumps as in Merton 1976, "Option
//! pricing when underlying stock returns are discontinuous", J. Financial
//! Economics 3; exponential decay as in shot-noise models, Rice 1944).
//!
//! It is stepped exactly: over a step of length Δ the old value decays by
//! e^{−Δ/τ}, the number of new jumps is Poisson(rate·Δ), and given that number
//! the jump times are independent and uniform on the step, so each new jump
//! is drawn with its own time and decayed to the end of the step. The law of
//! S at a time therefore does not depend on the step grid. By Campbell's
//! theorem, from S(0) = 0, E[S(t)] = rate·mean·τ·(1 − e^{−t/τ}) and
//! Var[S(t)] = rate·(mean² + sd²)·τ/2·(1 − e^{−2t/τ}).

use rand::RngExt;
use rand::rngs::ChaCha8Rng;
use rand_distr::{Distribution as _, Poisson, StandardNormal};

use super::ModelError;

/// International shock parameters.
///
/// `tau_years` must be > 0; `f64::INFINITY` is allowed and means shocks never
/// fade (S is then the compound Poisson process itself). τ = 0 is refused
/// rather than given a meaning: "only the last window's jumps" would make the
/// process depend on the engine's step grid, which nothing else here does.
#[derive(Clone, Debug, PartialEq)]
pub struct ShockModel {
    /// Mean number of jumps per year (Poisson rate); 0 means no jumps.
    pub rate_per_year: f64,
    /// Mean jump size J (in the shock's own units, as macro-driven agents read it).
    pub mean: f64,
    /// Standard deviation of the jump size (0: every jump is `mean`).
    pub sd: f64,
    /// Decay time τ of a jump's effect, in years (> 0; infinity: never fades).
    pub tau_years: f64,
}

impl ShockModel {
    /// Why the model cannot be simulated, if it cannot: `rate_per_year`
    /// finite and >= 0, `mean` finite, `sd` finite and >= 0, `tau_years` > 0
    /// (infinity allowed).
    pub fn check(&self) -> Result<(), ModelError> {
        let ShockModel { rate_per_year, mean, sd, tau_years } = *self;
        if !(rate_per_year.is_finite() && rate_per_year >= 0.0) {
            return Err(ModelError::Negative { model: "shock", field: "rate_per_year", value: rate_per_year });
        }
        if !mean.is_finite() {
            return Err(ModelError::NotFinite { model: "shock", field: "mean", value: mean });
        }
        if !(sd.is_finite() && sd >= 0.0) {
            return Err(ModelError::Negative { model: "shock", field: "sd", value: sd });
        }
        if tau_years.is_nan() || tau_years <= 0.0 {
            return Err(ModelError::Tau(tau_years));
        }
        Ok(())
    }
}

/// The shock moving through simulated time. Starts at 0 at time 0.
#[derive(Clone, Debug)]
pub struct ShockProcess {
    model: Option<ShockModel>,
    t: f64,
    value: f64,
    jumps: u64,
}

impl ShockProcess {
    /// `None`: no jumps, the shock is 0 unless a scripted shock sets it, and
    /// then it keeps that value (there is no τ to decay with).
    ///
    /// # Panics
    /// If [`ShockModel::check`] rejects the model.
    pub fn new(model: Option<ShockModel>) -> ShockProcess {
        if let Some(Err(e)) = model.as_ref().map(ShockModel::check) {
            panic!("invalid shock model: {e}");
        }
        ShockProcess { model, t: 0.0, value: 0.0, jumps: 0 }
    }

    /// The shock S(t) at [`time`](Self::time): the decayed sum of the jumps so far,
    /// plus any scripted shock.
    pub fn value(&self) -> f64 {
        self.value
    }

    /// The time (years) the value refers to.
    pub fn time(&self) -> f64 {
        self.t
    }

    /// How many jumps have arrived since the start (for the log and tests).
    pub fn jumps(&self) -> u64 {
        self.jumps
    }

    /// Moves to absolute time `t_years`. Draws: one Poisson count (skipped
    /// when rate·Δ is 0), then for each jump one uniform (its time) and one
    /// standard normal (its size; skipped when sd = 0). The current time, or
    /// no model, draws nothing.
    ///
    /// # Panics
    /// In debug builds, at an earlier (or NaN) time, which release builds
    /// ignore. If rate·Δ exceeds what the Poisson sampler accepts (about
    /// 1.8e19 jumps in one step), which no sensible scenario reaches.
    pub fn advance_to(&mut self, t_years: f64, rng: &mut ChaCha8Rng) {
        if t_years.is_nan() || t_years <= self.t {
            debug_assert!(t_years == self.t, "shock moved back from {} to {t_years}", self.t);
            return;
        }
        let dt = t_years - self.t;
        self.t = t_years;
        let Some(ShockModel { rate_per_year, mean, sd, tau_years }) = self.model else {
            return;
        };
        let mut s = self.value * (-dt / tau_years).exp();
        let lambda = rate_per_year * dt;
        if lambda > 0.0 {
            // Validated rates keep λ far below the sampler's limit; the cap
            // only keeps an absurd step from failing.
            let n: f64 = Poisson::new(lambda.min(Poisson::<f64>::MAX_LAMBDA)).map_or(0.0, |p| p.sample(rng));
            let n = n as u64;
            for _ in 0..n {
                // u ∈ [0, 1) is the time from the jump to the end of the step
                // as a fraction of Δ: jump times then lie in (t, t + Δ].
                let u: f64 = rng.random();
                let size = if sd == 0.0 {
                    mean
                } else {
                    let z: f64 = StandardNormal.sample(rng);
                    mean + sd * z
                };
                s += size * (-u * dt / tau_years).exp();
            }
            self.jumps += n;
        }
        self.value = s;
    }

    /// Scripted shock: adds `delta` to the current value, which then decays
    /// like a jump of that size.
    pub fn shift(&mut self, delta: f64) {
        self.value += delta;
    }

    /// Scripted shock: replaces the current value, which then decays.
    pub fn set(&mut self, value: f64) {
        self.value = value;
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_stats::{Sample, assert_near};
    use super::*;
    use rand::SeedableRng;

    /// (S(t), jump count) over `n` independent paths each on `steps` equal steps.
    fn sample_at(model: &ShockModel, t: f64, steps: usize, n: usize, seed: u64) -> (Sample, Sample) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let (mut values, mut counts) = (Vec::with_capacity(n), Vec::with_capacity(n));
        for _ in 0..n {
            let mut p = ShockProcess::new(Some(model.clone()));
            for k in 1..=steps {
                p.advance_to(t * k as f64 / steps as f64, &mut rng);
            }
            values.push(p.value());
            counts.push(p.jumps() as f64);
        }
        (Sample::new(values), Sample::new(counts))
    }

    #[test]
    fn jump_count_and_stationary_moments() {
        let m = ShockModel { rate_per_year: 6.0, mean: 0.5, sd: 0.3, tau_years: 0.25 };
        // 20 τ: the transient e^{−20} is far below the sampling error.
        let t = 20.0 * m.tau_years;
        let (s, count) = sample_at(&m, t, 1, 40_000, 31);
        assert_near("mean jump count", count.mean(), m.rate_per_year * t, (m.rate_per_year * t / 40_000.0).sqrt());
        assert_near("stationary mean", s.mean(), m.rate_per_year * m.mean * m.tau_years, s.se_mean());
        let var = m.rate_per_year * (m.mean * m.mean + m.sd * m.sd) * m.tau_years / 2.0;
        assert_near("stationary variance", s.var(), var, s.se_var());
    }

    #[test]
    fn the_law_does_not_depend_on_the_step_grid() {
        let m = ShockModel { rate_per_year: 12.0, mean: -0.2, sd: 0.4, tau_years: 0.5 };
        let t = 0.6;
        let decay = (-t / m.tau_years).exp();
        let mean = m.rate_per_year * m.mean * m.tau_years * (1.0 - decay);
        let var = m.rate_per_year * (m.mean * m.mean + m.sd * m.sd) * m.tau_years / 2.0 * (1.0 - decay * decay);
        let (one, _) = sample_at(&m, t, 1, 40_000, 32);
        let (many, many_count) = sample_at(&m, t, 30, 10_000, 33);
        for s in [&one, &many] {
            assert_near("mean", s.mean(), mean, s.se_mean());
            assert_near("variance", s.var(), var, s.se_var());
        }
        assert_near("count", many_count.mean(), m.rate_per_year * t, many_count.se_mean());
    }

    #[test]
    fn infinite_tau_is_a_compound_poisson_sum() {
        let m = ShockModel { rate_per_year: 3.0, mean: 1.0, sd: 0.0, tau_years: f64::INFINITY };
        let mut rng = ChaCha8Rng::seed_from_u64(34);
        let mut p = ShockProcess::new(Some(m));
        for k in 1..=50 {
            p.advance_to(k as f64 * 0.1, &mut rng);
            assert_eq!(p.value(), p.jumps() as f64, "unit jumps that never fade count themselves");
        }
        assert!(p.jumps() > 0);
    }

    #[test]
    fn scripted_shocks_decay_like_jumps() {
        let m = ShockModel { rate_per_year: 0.0, mean: 0.0, sd: 0.0, tau_years: 0.5 };
        let mut rng = ChaCha8Rng::seed_from_u64(35);
        let mut p = ShockProcess::new(Some(m));
        p.shift(2.0);
        p.advance_to(0.5, &mut rng);
        assert!((p.value() - 2.0 * (-1.0f64).exp()).abs() < 1e-15);
        p.set(-1.0);
        p.advance_to(1.0, &mut rng);
        assert!((p.value() + (-1.0f64).exp()).abs() < 1e-15);
        assert_eq!(rng.get_word_pos(), 0, "no intensity, no draws");
    }

    #[test]
    fn no_model_is_zero_and_draws_nothing() {
        let mut rng = ChaCha8Rng::seed_from_u64(36);
        let mut p = ShockProcess::new(None);
        p.advance_to(3.0, &mut rng);
        assert_eq!((p.value(), p.jumps(), rng.get_word_pos()), (0.0, 0, 0));
        p.shift(0.7);
        p.advance_to(4.0, &mut rng);
        assert_eq!(p.value(), 0.7, "a scripted value persists without a model");
    }

    #[test]
    fn same_time_draws_nothing_and_same_seed_repeats() {
        let m = ShockModel { rate_per_year: 50.0, mean: 0.1, sd: 1.0, tau_years: 0.1 };
        let run = |seed| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let mut p = ShockProcess::new(Some(m.clone()));
            let mut out = Vec::new();
            for k in 1..=40 {
                p.advance_to(k as f64 / 100.0, &mut rng);
                let pos = rng.get_word_pos();
                p.advance_to(k as f64 / 100.0, &mut rng);
                assert_eq!(rng.get_word_pos(), pos);
                out.push(p.value().to_bits());
            }
            out
        };
        assert_eq!(run(37), run(37));
        assert_ne!(run(37), run(38));
    }

    #[test]
    fn check_refuses_zero_tau() {
        let ok = ShockModel { rate_per_year: 1.0, mean: 0.0, sd: 1.0, tau_years: 1.0 };
        assert!(ok.check().is_ok());
        assert!(ShockModel { tau_years: 0.0, ..ok.clone() }.check().is_err());
        assert!(ShockModel { tau_years: f64::NAN, ..ok.clone() }.check().is_err());
        assert!(ShockModel { rate_per_year: -1.0, ..ok.clone() }.check().is_err());
        assert!(ShockModel { sd: -1.0, ..ok }.check().is_err());
    }
}
