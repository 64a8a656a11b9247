//! Short-rate dynamics for the bank loan and deposit rates.
//!
//! - Vasicek (1977), "An equilibrium characterization of the term structure",
//!   J. Financial Economics 5: dr = κ(θ − r) dt + σ dW, an Ornstein–Uhlenbeck
//!   process whose transition over Δ is Gaussian with mean θ + (r − θ)e^{−κΔ}
//!   and variance σ²(1 − e^{−2κΔ})/(2κ).
//! - Cox, Ingersoll & Ross (1985), "A theory of the term structure of interest
//!   rates", Econometrica 53: dr = κ(θ − r) dt + σ√r dW. Its transition is a
//!   scaled non-central chi-square, r_{t+Δ} = c·χ'²_d(λ) with
//!   c = σ²(1 − e^{−κΔ})/(4κ), d = 4κθ/σ², λ = r_t e^{−κΔ}/c, simulated exactly
//!   as a Poisson mixture of central chi-squares (Glasserman 2004, *Monte
//!   Carlo Methods in Financial Engineering*, §3.4.1).
//!
//! Both are stepped with their exact transition law, never an Euler scheme:
//! the engine steps at metrics-window starts whose spacing the scenario
//! chooses, and the distribution at a given time must not depend on that
//! choice. The exact CIR law also keeps the rate non-negative whether or not
//! the Feller condition holds, where an Euler step would go negative.

use rand::rngs::ChaCha8Rng;
use rand_distr::{Distribution as _, Gamma, Poisson, StandardNormal};

use super::ModelError;
use super::path::{StepPath, check_points};

/// Short-rate / index dynamics. Times are in years (f64) since the run's
/// start, calendar time. Rates are fractions per year (0.05 = 5%).
#[derive(Clone, Debug, PartialEq)]
pub enum RateModel {
    /// A constant (until a scripted shock moves it).
    Fixed {
        /// The rate, a fraction per year.
        value: f64,
    },
    /// Vasicek (1977): mean reversion at speed `kappa` to `theta`, volatility `sigma`.
    Vasicek {
        /// The rate at time 0, a fraction per year.
        r0: f64,
        /// Speed of mean reversion, per year (>= 0; 0 is a driftless walk).
        kappa: f64,
        /// The long-run level the rate reverts to, a fraction per year.
        theta: f64,
        /// Volatility of the rate, per √year (>= 0).
        sigma: f64,
    },
    /// Cox–Ingersoll–Ross (1985): like Vasicek, volatility `sigma·√r`; never negative.
    Cir {
        /// The rate at time 0, a fraction per year (>= 0).
        r0: f64,
        /// Speed of mean reversion, per year (>= 0).
        kappa: f64,
        /// The long-run level the rate reverts to, a fraction per year (>= 0).
        theta: f64,
        /// Volatility scale: the rate's volatility is `sigma·√r` per √year (>= 0).
        sigma: f64,
    },
    /// Step path: value of the last point at or before t (first point's value
    /// before it). Points sorted by time.
    Path {
        /// `(time_years, rate)` points, sorted by time.
        points: Vec<(f64, f64)>,
    },
}

impl RateModel {
    /// Why the model cannot be simulated, if it cannot, as one line naming
    /// the parameter. Scenario validation should call this so that
    /// [`RateProcess::new`] never panics.
    ///
    /// Accepted: every number finite; `kappa >= 0` (0 is a driftless walk);
    /// `sigma >= 0` (0 is the deterministic relaxation to `theta`); for CIR
    /// also `theta >= 0` and `r0 >= 0`; a path non-empty and sorted by time.
    pub fn check(&self) -> Result<(), ModelError> {
        match *self {
            RateModel::Fixed { value } => finite("fixed", "value", value),
            RateModel::Vasicek { r0, kappa, theta, sigma } => {
                finite("vasicek", "r0", r0)?;
                finite("vasicek", "theta", theta)?;
                non_negative("vasicek", "kappa", kappa)?;
                non_negative("vasicek", "sigma", sigma)
            }
            RateModel::Cir { r0, kappa, theta, sigma } => {
                non_negative("cir", "r0", r0)?;
                non_negative("cir", "kappa", kappa)?;
                non_negative("cir", "theta", theta)?;
                non_negative("cir", "sigma", sigma)
            }
            RateModel::Path { ref points } => check_points("rate path", points),
        }
    }
}

fn finite(model: &'static str, field: &'static str, value: f64) -> Result<(), ModelError> {
    if value.is_finite() { Ok(()) } else { Err(ModelError::NotFinite { model, field, value }) }
}

fn non_negative(model: &'static str, field: &'static str, value: f64) -> Result<(), ModelError> {
    if value.is_finite() && value >= 0.0 { Ok(()) } else { Err(ModelError::Negative { model, field, value }) }
}

/// Feller condition for CIR: 2κθ >= σ². When it holds the rate never
/// reaches zero; when it fails zero is reachable (and reflecting), which the
/// exact simulation reproduces — the rate still never goes negative.
pub fn feller_ok(kappa: f64, theta: f64, sigma: f64) -> bool {
    2.0 * kappa * theta >= sigma * sigma
}

/// The model's parameters once the starting value has been taken out of it.
#[derive(Clone, Debug)]
enum Dynamics {
    Fixed,
    Vasicek { kappa: f64, theta: f64, sigma: f64 },
    Cir { kappa: f64, theta: f64, sigma: f64 },
    // `offset` is the sum of scripted shocks: they shift the rest of the path
    // rather than being overwritten at the next point.
    Path { path: StepPath, offset: f64 },
}

/// A rate that moves through simulated time. Starts at time 0.
#[derive(Clone, Debug)]
pub struct RateProcess {
    dynamics: Dynamics,
    t: f64,
    value: f64,
}

impl RateProcess {
    /// # Panics
    /// If [`RateModel::check`] rejects the model: an invalid model would
    /// otherwise turn into NaN rates silently.
    pub fn new(model: RateModel) -> RateProcess {
        if let Err(e) = model.check() {
            panic!("invalid rate model: {e}");
        }
        let (dynamics, value) = match model {
            RateModel::Fixed { value } => (Dynamics::Fixed, value),
            RateModel::Vasicek { r0, kappa, theta, sigma } => (Dynamics::Vasicek { kappa, theta, sigma }, r0),
            RateModel::Cir { r0, kappa, theta, sigma } => (Dynamics::Cir { kappa, theta, sigma }, r0),
            RateModel::Path { points } => {
                let path = StepPath::new(points);
                let value = path.at(0.0);
                (Dynamics::Path { path, offset: 0.0 }, value)
            }
        };
        RateProcess { dynamics, t: 0.0, value }
    }

    /// The current rate (fraction per year) at [`time`](Self::time).
    pub fn value(&self) -> f64 {
        self.value
    }

    /// The time (years) the value refers to.
    pub fn time(&self) -> f64 {
        self.t
    }

    /// Moves the process to absolute time `t_years` with the exact transition
    /// law. The current time is a no-op that draws nothing; so are Fixed and
    /// Path models, and a zero `sigma`. An earlier (or NaN) time is a bug in
    /// the caller: debug builds panic, release builds ignore it.
    ///
    /// Draws: Vasicek one standard normal; CIR one Poisson (skipped when the
    /// rate is 0) then one gamma (skipped when its shape is 0).
    pub fn advance_to(&mut self, t_years: f64, rng: &mut ChaCha8Rng) {
        if t_years.is_nan() || t_years <= self.t {
            debug_assert!(t_years == self.t, "rate process moved back from {} to {t_years}", self.t);
            return;
        }
        let dt = t_years - self.t;
        self.value = match self.dynamics {
            Dynamics::Fixed => self.value,
            Dynamics::Vasicek { kappa, theta, sigma } => vasicek_step(self.value, kappa, theta, sigma, dt, rng),
            Dynamics::Cir { kappa, theta, sigma } => cir_step(self.value, kappa, theta, sigma, dt, rng),
            Dynamics::Path { ref path, offset } => path.at(t_years) + offset,
        };
        self.t = t_years;
    }

    /// Scripted shock: adds `delta` to the current value; the dynamics
    /// continue from there. For a Path the shift stays added to later path
    /// values. A CIR rate is kept at 0 or above, as its model requires.
    pub fn shift(&mut self, delta: f64) {
        self.set(self.value + delta);
    }

    /// Scripted shock: replaces the current value (same rules as [`shift`](Self::shift)).
    pub fn set(&mut self, value: f64) {
        let value = match self.dynamics {
            Dynamics::Cir { .. } => value.max(0.0),
            _ => value,
        };
        if let Dynamics::Path { ref mut offset, .. } = self.dynamics {
            *offset += value - self.value;
        }
        self.value = value;
    }
}

/// ∫₀^Δ e^{−a s} ds = (1 − e^{−aΔ})/a, with its limit Δ at a = 0. `exp_m1`
/// keeps it accurate when aΔ is tiny (short steps, slow reversion), where
/// 1 − e^{−aΔ} would cancel.
fn decay_integral(a: f64, dt: f64) -> f64 {
    if a == 0.0 { dt } else { -(-a * dt).exp_m1() / a }
}

fn vasicek_step(r: f64, kappa: f64, theta: f64, sigma: f64, dt: f64, rng: &mut ChaCha8Rng) -> f64 {
    let mean = theta + (r - theta) * (-kappa * dt).exp();
    if sigma == 0.0 {
        return mean;
    }
    let sd = sigma * decay_integral(2.0 * kappa, dt).sqrt();
    let z: f64 = StandardNormal.sample(rng);
    mean + sd * z
}

fn cir_step(r: f64, kappa: f64, theta: f64, sigma: f64, dt: f64, rng: &mut ChaCha8Rng) -> f64 {
    let decay = (-kappa * dt).exp();
    if sigma == 0.0 {
        return theta + (r - theta) * decay;
    }
    let c = sigma * sigma * decay_integral(kappa, dt) / 4.0;
    if c <= 0.0 {
        // Only for a step so short that c underflows: the rate cannot move.
        return r;
    }
    let d = 4.0 * kappa * theta / (sigma * sigma);
    let half_lambda = r * decay / c / 2.0;
    if half_lambda > Poisson::<f64>::MAX_LAMBDA {
        // Beyond what the Poisson sampler accepts (a step of picoseconds, or
        // an absurd rate): the non-central chi-square is then Gaussian to
        // within any precision f64 has, so match its mean and variance.
        let lambda = 2.0 * half_lambda;
        let z: f64 = StandardNormal.sample(rng);
        return (c * (d + lambda) + c * (2.0 * (d + 2.0 * lambda)).sqrt() * z).max(0.0);
    }
    // χ'²_d(λ) is χ²_{d+2N} with N ~ Poisson(λ/2) (Glasserman 2004, §3.4.1);
    // c·χ²_k is Gamma(k/2, 2c). This holds for every d > 0, unlike the
    // (Z + √λ)² + χ²_{d−1} form, which needs d > 1, i.e. Feller-ish parameters.
    let n: f64 = if half_lambda > 0.0 { Poisson::new(half_lambda).map_or(0.0, |p| p.sample(rng)) } else { 0.0 };
    let shape = d / 2.0 + n;
    if shape == 0.0 {
        // d = 0 (θ = 0 or κ = 0) and no Poisson count: χ²₀ is the point mass
        // at 0, the absorbing state of those parameters.
        return 0.0;
    }
    // A zero scale (no volatility) is the point mass at the mean, 0 · shape.
    Gamma::new(shape, 2.0 * c).map_or(0.0, |g| g.sample(rng))
}

#[cfg(test)]
mod tests {
    use super::super::test_stats::{Sample, assert_near};
    use super::*;
    use rand::SeedableRng;

    fn rng(seed: u64) -> ChaCha8Rng {
        ChaCha8Rng::seed_from_u64(seed)
    }

    /// Values at `t` of `n` independent paths each stepped on `steps` equal steps.
    fn sample_at(model: &RateModel, t: f64, steps: usize, n: usize, seed: u64) -> Sample {
        let mut rng = rng(seed);
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let mut p = RateProcess::new(model.clone());
            for k in 1..=steps {
                p.advance_to(t * k as f64 / steps as f64, &mut rng);
            }
            out.push(p.value());
        }
        Sample::new(out)
    }

    fn vasicek_moments(r0: f64, kappa: f64, theta: f64, sigma: f64, dt: f64) -> (f64, f64) {
        let e = (-kappa * dt).exp();
        (theta + (r0 - theta) * e, sigma * sigma * (1.0 - (-2.0 * kappa * dt).exp()) / (2.0 * kappa))
    }

    fn cir_moments(r0: f64, kappa: f64, theta: f64, sigma: f64, dt: f64) -> (f64, f64) {
        let e = (-kappa * dt).exp();
        let mean = theta + (r0 - theta) * e;
        let var = r0 * sigma * sigma / kappa * (e - e * e) + theta * sigma * sigma / (2.0 * kappa) * (1.0 - e).powi(2);
        (mean, var)
    }

    #[test]
    fn vasicek_one_step_matches_closed_form() {
        let (r0, kappa, theta, sigma, dt) = (0.08, 1.5, 0.03, 0.02, 0.7);
        let s = sample_at(&RateModel::Vasicek { r0, kappa, theta, sigma }, dt, 1, 100_000, 1);
        let (mean, var) = vasicek_moments(r0, kappa, theta, sigma, dt);
        assert_near("mean", s.mean(), mean, s.se_mean());
        assert_near("variance", s.var(), var, s.se_var());
    }

    #[test]
    fn vasicek_does_not_depend_on_the_step_grid() {
        let model = RateModel::Vasicek { r0: 0.01, kappa: 0.8, theta: 0.05, sigma: 0.03 };
        let one = sample_at(&model, 1.0, 1, 20_000, 2);
        let hundred = sample_at(&model, 1.0, 100, 10_000, 3);
        let (mean, var) = vasicek_moments(0.01, 0.8, 0.05, 0.03, 1.0);
        for s in [&one, &hundred] {
            assert_near("mean", s.mean(), mean, s.se_mean());
            assert_near("variance", s.var(), var, s.se_var());
        }
        assert_near("mean 1 vs 100 steps", one.mean() - hundred.mean(), 0.0, one.se_mean().hypot(hundred.se_mean()));
        assert_near("var 1 vs 100 steps", one.var() - hundred.var(), 0.0, one.se_var().hypot(hundred.se_var()));
    }

    #[test]
    fn vasicek_without_reversion_is_a_brownian_motion() {
        let s = sample_at(&RateModel::Vasicek { r0: 0.02, kappa: 0.0, theta: 0.5, sigma: 0.1 }, 2.0, 1, 50_000, 4);
        assert_near("mean", s.mean(), 0.02, s.se_mean());
        assert_near("variance", s.var(), 0.01 * 2.0, s.se_var());
    }

    #[test]
    fn cir_matches_closed_form_when_feller_holds() {
        let (r0, kappa, theta, sigma, dt) = (0.02, 2.0, 0.05, 0.1, 0.5);
        assert!(feller_ok(kappa, theta, sigma));
        let s = sample_at(&RateModel::Cir { r0, kappa, theta, sigma }, dt, 1, 100_000, 5);
        let (mean, var) = cir_moments(r0, kappa, theta, sigma, dt);
        assert_near("mean", s.mean(), mean, s.se_mean());
        assert_near("variance", s.var(), var, s.se_var());
        assert!(s.min() > 0.0);
    }

    #[test]
    fn cir_stays_non_negative_and_exact_when_feller_fails() {
        // d = 4κθ/σ² ≈ 0.44 < 1: the rate touches 0 often.
        let (r0, kappa, theta, sigma) = (0.03, 0.5, 0.02, 0.3);
        assert!(!feller_ok(kappa, theta, sigma));
        let model = RateModel::Cir { r0, kappa, theta, sigma };
        let (mean, var) = cir_moments(r0, kappa, theta, sigma, 1.0);
        let one = sample_at(&model, 1.0, 1, 50_000, 6);
        let many = sample_at(&model, 1.0, 50, 10_000, 7);
        for s in [&one, &many] {
            assert!(s.min() >= 0.0 && s.values().iter().all(|v| v.is_finite()));
            assert_near("mean", s.mean(), mean, s.se_mean());
            assert_near("variance", s.var(), var, s.se_var());
        }
        assert!(many.values().iter().filter(|&&v| v < 1e-6).count() > 100, "zero should be visited");
    }

    #[test]
    fn cir_with_zero_long_run_level_is_absorbed_at_zero() {
        let mut p = RateProcess::new(RateModel::Cir { r0: 0.01, kappa: 5.0, theta: 0.0, sigma: 0.5 });
        let mut rng = rng(8);
        for k in 1..=200 {
            p.advance_to(k as f64 * 0.05, &mut rng);
            assert!(p.value() >= 0.0);
        }
        assert_eq!(p.value(), 0.0);
    }

    #[test]
    fn feller_on_both_sides() {
        assert!(feller_ok(2.0, 0.05, 0.1)); // 0.2 >= 0.01
        assert!(feller_ok(0.5, 0.25, 0.5)); // 0.25 >= 0.25 (exact in binary): the boundary holds
        assert!(!feller_ok(0.5, 0.02, 0.3)); // 0.02 < 0.09
        assert!(!feller_ok(0.0, 0.05, 0.01));
    }

    #[test]
    fn path_steps_and_keeps_shifts() {
        let mut p = RateProcess::new(RateModel::Path { points: vec![(0.1, 0.03), (0.5, 0.06), (1.0, 0.04)] });
        let mut rng = rng(9);
        let before = rng.get_word_pos();
        assert_eq!(p.value(), 0.03, "before the first point: its value");
        p.advance_to(0.2, &mut rng);
        assert_eq!(p.value(), 0.03);
        p.advance_to(0.5, &mut rng);
        assert_eq!(p.value(), 0.06, "at a point: that point");
        p.shift(0.01);
        assert!((p.value() - 0.07).abs() < 1e-15);
        p.advance_to(0.9, &mut rng);
        assert!((p.value() - 0.07).abs() < 1e-15);
        p.advance_to(1.0, &mut rng);
        assert!((p.value() - 0.05).abs() < 1e-15, "the shift stays added to later points");
        p.set(0.0);
        p.advance_to(3.0, &mut rng);
        assert!(p.value().abs() < 1e-15, "set acts like the equivalent shift");
        assert_eq!(rng.get_word_pos(), before, "a path draws nothing");
    }

    #[test]
    fn shocks_continue_under_the_dynamics() {
        let mut p = RateProcess::new(RateModel::Vasicek { r0: 0.03, kappa: 1.0, theta: 0.03, sigma: 0.0 });
        let mut rng = rng(10);
        p.shift(0.02);
        p.advance_to(1.0, &mut rng);
        assert!((p.value() - (0.03 + 0.02 * (-1.0f64).exp())).abs() < 1e-15);
        let mut c = RateProcess::new(RateModel::Cir { r0: 0.03, kappa: 1.0, theta: 0.03, sigma: 0.1 });
        c.shift(-0.05);
        assert_eq!(c.value(), 0.0, "a CIR rate is floored at 0");
        c.set(-1.0);
        assert_eq!(c.value(), 0.0);
        let mut f = RateProcess::new(RateModel::Fixed { value: 0.04 });
        f.shift(0.01);
        f.advance_to(5.0, &mut rng);
        assert!((f.value() - 0.05).abs() < 1e-15);
    }

    #[test]
    fn fixed_and_same_time_draw_nothing() {
        let mut rng = rng(11);
        let mut f = RateProcess::new(RateModel::Fixed { value: 0.04 });
        let mut v = RateProcess::new(RateModel::Vasicek { r0: 0.03, kappa: 1.0, theta: 0.03, sigma: 0.01 });
        let mut c = RateProcess::new(RateModel::Cir { r0: 0.03, kappa: 1.0, theta: 0.03, sigma: 0.1 });
        let start = rng.get_word_pos();
        f.advance_to(1.0, &mut rng);
        v.advance_to(0.0, &mut rng);
        c.advance_to(0.0, &mut rng);
        assert_eq!(rng.get_word_pos(), start);
        assert_eq!((f.value(), v.value(), c.value()), (0.04, 0.03, 0.03));
        v.advance_to(0.5, &mut rng);
        c.advance_to(0.5, &mut rng);
        let after = rng.get_word_pos();
        assert!(after > start);
        let (vv, cv) = (v.value(), c.value());
        v.advance_to(0.5, &mut rng);
        c.advance_to(0.5, &mut rng);
        assert_eq!(rng.get_word_pos(), after);
        assert_eq!((v.value().to_bits(), c.value().to_bits()), (vv.to_bits(), cv.to_bits()));
    }

    #[test]
    fn same_seed_same_path() {
        let model = RateModel::Cir { r0: 0.03, kappa: 0.5, theta: 0.02, sigma: 0.3 };
        let run = |seed| {
            let mut rng = rng(seed);
            let mut p = RateProcess::new(model.clone());
            (1..=100)
                .map(|k| {
                    p.advance_to(k as f64 / 52.0, &mut rng);
                    p.value().to_bits()
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(run(12), run(12));
        assert_ne!(run(12), run(13));
    }

    #[test]
    fn check_names_the_bad_parameter() {
        let bad = [
            RateModel::Fixed { value: f64::NAN },
            RateModel::Vasicek { r0: 0.0, kappa: -1.0, theta: 0.0, sigma: 0.1 },
            RateModel::Vasicek { r0: 0.0, kappa: 1.0, theta: 0.0, sigma: -0.1 },
            RateModel::Cir { r0: -0.01, kappa: 1.0, theta: 0.0, sigma: 0.1 },
            RateModel::Cir { r0: 0.01, kappa: 1.0, theta: -0.02, sigma: 0.1 },
            RateModel::Path { points: vec![] },
        ];
        for m in bad {
            assert!(m.check().is_err(), "{m:?} accepted");
        }
        assert!(RateModel::Cir { r0: 0.0, kappa: 0.0, theta: 0.0, sigma: 0.0 }.check().is_ok());
        let e = RateModel::Cir { r0: 0.01, kappa: 1.0, theta: 0.02, sigma: f64::INFINITY }.check().unwrap_err();
        assert!(e.to_string().contains("sigma"), "{e}");
    }
}
