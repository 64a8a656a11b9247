//! The price level (an inflation index) that macro-driven demand reads as
//! its deviation ln(P / reference).
//!
//! The stochastic model is geometric Brownian motion in the log: ln P is a
//! Brownian motion with drift `inflation` per year and volatility `sigma`
//! — the log-normal price index of Jarrow & Yildirim (2003, J. Financial and
//! Quantitative Analysis 38), with a constant drift where theirs is the spread
//! of nominal over real rates, and alongside the Vasicek (1977) or
//! Cox–Ingersoll–Ross (1985) loan rate. Its transition over Δ is exact:
//! ln P_{t+Δ} = ln P_t + inflation·Δ + σ√Δ·Z, so the distribution at a time
//! does not depend on how often the engine steps it. `inflation` is the drift
//! of ln P, not of P, so E[ln P_t] = ln P_0 + inflation·t and a scenario's
//! "2% inflation" reads as 2% a year in the log whatever sigma is.

use rand::rngs::ChaCha8Rng;
use rand_distr::{Distribution as _, StandardNormal};

use super::ModelError;
use super::path::{StepPath, check_points};

/// Price level (inflation index) dynamics. Times are in years since the
/// run's start. Levels are positive index values (1.0 = the start level, say).
#[derive(Clone, Debug, PartialEq)]
pub enum LevelModel {
    /// A constant level (until a scripted shock moves it).
    Fixed {
        /// The level (a positive index value).
        value: f64,
    },
    /// ln P drifts by `inflation` a year with volatility `sigma`.
    Gbm {
        /// The level at time 0 (positive).
        p0: f64,
        /// Drift of ln P per year (0.02 is about 2% inflation a year).
        inflation: f64,
        /// Volatility of ln P per √year (0 makes the path deterministic).
        sigma: f64,
    },
    /// Step path, same semantics as [`RateModel::Path`](super::RateModel::Path).
    Path {
        /// `(time_years, level)` points, sorted by time; levels positive.
        points: Vec<(f64, f64)>,
    },
}

impl LevelModel {
    /// Why the model cannot be simulated, if it cannot: every number finite,
    /// levels (value, p0, path values) > 0, `sigma >= 0`.
    pub fn check(&self) -> Result<(), ModelError> {
        match *self {
            LevelModel::Fixed { value } => positive_level("fixed", "value", value),
            LevelModel::Gbm { p0, inflation, sigma } => {
                positive_level("gbm", "p0", p0)?;
                if !inflation.is_finite() {
                    return Err(ModelError::NotFinite { model: "gbm", field: "inflation", value: inflation });
                }
                if !(sigma.is_finite() && sigma >= 0.0) {
                    return Err(ModelError::Negative { model: "gbm", field: "sigma", value: sigma });
                }
                Ok(())
            }
            LevelModel::Path { ref points } => {
                check_points("price level path", points)?;
                match points.iter().position(|&(_, v)| v.is_nan() || v <= 0.0) {
                    Some(index) => Err(ModelError::LevelNotPositive { index, level: points[index].1 }),
                    None => Ok(()),
                }
            }
        }
    }
}

fn positive_level(model: &'static str, field: &'static str, value: f64) -> Result<(), ModelError> {
    if value.is_finite() && value > 0.0 { Ok(()) } else { Err(ModelError::NotPositive { model, field, value }) }
}

/// A price index must stay positive for ln(P / reference) to exist; a
/// scripted shock that would take it to 0 or below leaves it at the smallest
/// positive f64 instead, so the deviation stays finite (very negative).
fn floor_level(p: f64) -> f64 {
    p.max(f64::MIN_POSITIVE)
}

#[derive(Clone, Debug)]
enum Dynamics {
    Fixed,
    Gbm { inflation: f64, sigma: f64 },
    Path { path: StepPath, offset: f64 },
}

/// The price level moving through simulated time. Starts at time 0.
#[derive(Clone, Debug)]
pub struct PriceLevel {
    dynamics: Dynamics,
    t: f64,
    value: f64,
}

impl PriceLevel {
    /// # Panics
    /// If [`LevelModel::check`] rejects the model.
    pub fn new(model: LevelModel) -> PriceLevel {
        if let Err(e) = model.check() {
            panic!("invalid price level model: {e}");
        }
        let (dynamics, value) = match model {
            LevelModel::Fixed { value } => (Dynamics::Fixed, value),
            LevelModel::Gbm { p0, inflation, sigma } => (Dynamics::Gbm { inflation, sigma }, p0),
            LevelModel::Path { points } => {
                let path = StepPath::new(points);
                let value = path.at(0.0);
                (Dynamics::Path { path, offset: 0.0 }, value)
            }
        };
        PriceLevel { dynamics, t: 0.0, value }
    }

    /// The current level (positive index value) at [`time`](Self::time).
    pub fn value(&self) -> f64 {
        self.value
    }

    /// The time (years) the value refers to.
    pub fn time(&self) -> f64 {
        self.t
    }

    /// ln(P / reference): the log deviation from a reference level (the
    /// level at the start, usually), about the cumulative inflation.
    pub fn deviation(&self, reference: f64) -> f64 {
        (self.value / reference).ln()
    }

    /// Moves to absolute time `t_years` with the exact log-normal step: one
    /// standard normal for Gbm with `sigma > 0`, nothing otherwise. The
    /// current time is a no-op that draws nothing; an earlier (or NaN) time
    /// panics in debug builds and is ignored in release builds.
    pub fn advance_to(&mut self, t_years: f64, rng: &mut ChaCha8Rng) {
        if t_years.is_nan() || t_years <= self.t {
            debug_assert!(t_years == self.t, "price level moved back from {} to {t_years}", self.t);
            return;
        }
        let dt = t_years - self.t;
        self.value = match self.dynamics {
            Dynamics::Fixed => self.value,
            Dynamics::Gbm { inflation, sigma } => {
                let noise = if sigma == 0.0 {
                    0.0
                } else {
                    let z: f64 = StandardNormal.sample(rng);
                    sigma * dt.sqrt() * z
                };
                self.value * (inflation * dt + noise).exp()
            }
            Dynamics::Path { ref path, offset } => floor_level(path.at(t_years) + offset),
        };
        self.t = t_years;
    }

    /// Scripted shock: adds `delta` to the level (not to its log); the
    /// dynamics continue from there, and for a Path the shift stays added to
    /// later path values. The level is kept positive.
    pub fn shift(&mut self, delta: f64) {
        self.set(self.value + delta);
    }

    /// Scripted shock: replaces the level (same rules as [`shift`](Self::shift)).
    pub fn set(&mut self, value: f64) {
        let value = floor_level(value);
        if let Dynamics::Path { ref mut offset, .. } = self.dynamics {
            *offset += value - self.value;
        }
        self.value = value;
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_stats::{Sample, assert_near};
    use super::*;
    use rand::SeedableRng;

    fn log_levels_at(model: &LevelModel, t: f64, steps: usize, n: usize, seed: u64) -> Sample {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let mut p = PriceLevel::new(model.clone());
            for k in 1..=steps {
                p.advance_to(t * k as f64 / steps as f64, &mut rng);
            }
            out.push(p.deviation(1.0));
        }
        Sample::new(out)
    }

    #[test]
    fn gbm_log_level_has_the_exact_mean_and_variance_on_any_grid() {
        let (p0, inflation, sigma, t) = (1.0, 0.03, 0.05, 2.0);
        let model = LevelModel::Gbm { p0, inflation, sigma };
        let one = log_levels_at(&model, t, 1, 50_000, 21);
        let many = log_levels_at(&model, t, 40, 20_000, 22);
        for s in [&one, &many] {
            assert_near("mean ln P", s.mean(), p0.ln() + inflation * t, s.se_mean());
            assert_near("var ln P", s.var(), sigma * sigma * t, s.se_var());
        }
    }

    #[test]
    fn deviation_is_the_log_ratio() {
        let mut rng = ChaCha8Rng::seed_from_u64(23);
        let mut p = PriceLevel::new(LevelModel::Gbm { p0: 2.0, inflation: 0.1, sigma: 0.0 });
        assert_eq!(p.deviation(2.0), 0.0);
        p.advance_to(1.5, &mut rng);
        assert!((p.deviation(2.0) - 0.15).abs() < 1e-12);
        assert_eq!(rng.get_word_pos(), 0, "sigma = 0 draws nothing");
    }

    #[test]
    fn path_steps_and_keeps_shifts_and_stays_positive() {
        let mut rng = ChaCha8Rng::seed_from_u64(24);
        let mut p = PriceLevel::new(LevelModel::Path { points: vec![(0.0, 1.0), (0.25, 1.1)] });
        p.advance_to(0.2, &mut rng);
        assert_eq!(p.value(), 1.0);
        p.shift(-0.5);
        assert_eq!(p.value(), 0.5);
        p.advance_to(0.25, &mut rng);
        assert!((p.value() - 0.6).abs() < 1e-15);
        p.set(-3.0);
        assert!(p.value() > 0.0 && p.deviation(1.0).is_finite());
        assert_eq!(rng.get_word_pos(), 0);
    }

    #[test]
    fn gbm_shift_moves_the_level_and_the_dynamics_continue() {
        let mut rng = ChaCha8Rng::seed_from_u64(25);
        let mut p = PriceLevel::new(LevelModel::Gbm { p0: 1.0, inflation: 0.02, sigma: 0.0 });
        p.shift(0.1);
        p.advance_to(1.0, &mut rng);
        assert!((p.value() - 1.1 * 0.02f64.exp()).abs() < 1e-15);
        p.advance_to(1.0, &mut rng);
        assert!((p.value() - 1.1 * 0.02f64.exp()).abs() < 1e-15);
    }

    #[test]
    fn check_rejects_non_positive_levels() {
        assert!(LevelModel::Fixed { value: 0.0 }.check().is_err());
        assert!(LevelModel::Gbm { p0: -1.0, inflation: 0.0, sigma: 0.0 }.check().is_err());
        assert!(LevelModel::Gbm { p0: 1.0, inflation: 0.0, sigma: -0.1 }.check().is_err());
        assert!(LevelModel::Path { points: vec![(0.0, 1.0), (1.0, 0.0)] }.check().is_err());
        assert!(LevelModel::Gbm { p0: 1.0, inflation: -0.01, sigma: 0.02 }.check().is_ok());
    }
}
