//! The macro environment: stochastic processes on the simulation clock that
//! macro-driven and rational agents read — the bank loan and deposit rates,
//! a price level (inflation index) and an international shock.
//!
//! Models: Vasicek (1977) and Cox–Ingersoll–Ross (1985) short rates, the CIR
//! one simulated exactly through its non-central chi-square transition
//! (Glasserman 2004, §3.4); a log-normal price level; compound Poisson jumps
//! with exponential decay for the shock. Each can instead be fixed or follow
//! a scripted step path, and take scripted shocks (`shift`, `set`).
//!
//! Every process steps with its exact transition law, so the state at a time
//! has the same distribution however often the engine steps it (it steps at
//! each metrics window start). Randomness comes only from the generator
//! passed in, in a fixed order, so a seed fixes the whole macro path.
//! Times are years (f64) of calendar time since the run's start;
//! [`years`] converts the engine's nanosecond clock.

mod error;
mod level;
mod path;
mod rate;
mod shock;

pub use error::ModelError;
pub use level::{LevelModel, PriceLevel};
pub use rate::{RateModel, RateProcess, feller_ok};
pub use shock::{ShockModel, ShockProcess};

use rand::rngs::ChaCha8Rng;

/// Nanoseconds in a Julian year (365.25 days): rate and volatility
/// parameters are per calendar year, and the clock runs over weekends too.
pub const NANOS_PER_YEAR: f64 = 365.25 * 86_400.0 * 1e9;

/// Years since the run's start for the engine's clock (ns since the start).
pub fn years(nanos: i64) -> f64 {
    nanos as f64 / NANOS_PER_YEAR
}

/// Everything together, stepped by the engine at each metrics window start.
#[derive(Clone, Debug)]
pub struct MacroState {
    /// The bank loan rate (fraction per year) that macro-driven agents weigh
    /// against the products' returns.
    pub loan_rate: RateProcess,
    /// The bank deposit rate (fraction per year), the alternative to holding a
    /// product.
    pub deposit_rate: RateProcess,
    /// The price level (inflation index) whose deviation macro-driven demand reads.
    pub price_level: PriceLevel,
    /// The level [`price_deviation`](Self::price_deviation) is measured from.
    pub price_reference: f64,
    /// The international shock (shot noise) that moves macro-driven demand.
    pub shock: ShockProcess,
}

impl MacroState {
    /// With the price reference at the starting level, so the deviation
    /// starts at 0.
    pub fn new(
        loan_rate: RateProcess,
        deposit_rate: RateProcess,
        price_level: PriceLevel,
        shock: ShockProcess,
    ) -> MacroState {
        let price_reference = price_level.value();
        MacroState { loan_rate, deposit_rate, price_level, price_reference, shock }
    }

    /// Moves every process to `t_years`, drawing in a fixed order — loan,
    /// deposit, level, shock — so that adding randomness to one process never
    /// reorders another's draws within a step.
    pub fn advance_to(&mut self, t_years: f64, rng: &mut ChaCha8Rng) {
        self.loan_rate.advance_to(t_years, rng);
        self.deposit_rate.advance_to(t_years, rng);
        self.price_level.advance_to(t_years, rng);
        self.shock.advance_to(t_years, rng);
    }

    /// ln(P / price_reference).
    pub fn price_deviation(&self) -> f64 {
        self.price_level.deviation(self.price_reference)
    }
}

/// Sample moments with their standard errors, for the statistical tests of
/// the exact transitions.
#[cfg(test)]
pub(crate) mod test_stats {
    pub(crate) struct Sample {
        values: Vec<f64>,
        mean: f64,
        var: f64,
        m4: f64,
    }

    impl Sample {
        pub(crate) fn new(values: Vec<f64>) -> Sample {
            let n = values.len() as f64;
            let mean = values.iter().sum::<f64>() / n;
            let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
            let m4 = values.iter().map(|v| (v - mean).powi(4)).sum::<f64>() / n;
            Sample { values, mean, var, m4 }
        }

        pub(crate) fn values(&self) -> &[f64] {
            &self.values
        }

        pub(crate) fn mean(&self) -> f64 {
            self.mean
        }

        pub(crate) fn var(&self) -> f64 {
            self.var
        }

        pub(crate) fn min(&self) -> f64 {
            self.values.iter().copied().fold(f64::INFINITY, f64::min)
        }

        pub(crate) fn se_mean(&self) -> f64 {
            (self.var / self.values.len() as f64).sqrt()
        }

        /// From the sample's own fourth moment, since the CIR and shock laws
        /// are far from Gaussian and σ²√(2/n) would understate it.
        pub(crate) fn se_var(&self) -> f64 {
            ((self.m4 - self.var * self.var).max(0.0) / self.values.len() as f64).sqrt()
        }
    }

    /// Within 5 standard errors: a correct sampler fails that with
    /// probability below 1e-6 per check, and the seeds are fixed anyway.
    pub(crate) fn assert_near(what: &str, got: f64, want: f64, se: f64) {
        assert!((got - want).abs() <= 5.0 * se, "{what}: got {got}, expected {want} ± 5×{se}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn state() -> MacroState {
        MacroState::new(
            RateProcess::new(RateModel::Vasicek { r0: 0.04, kappa: 0.5, theta: 0.05, sigma: 0.01 }),
            RateProcess::new(RateModel::Cir { r0: 0.02, kappa: 0.8, theta: 0.02, sigma: 0.05 }),
            PriceLevel::new(LevelModel::Gbm { p0: 100.0, inflation: 0.02, sigma: 0.01 }),
            ShockProcess::new(Some(ShockModel { rate_per_year: 20.0, mean: 0.0, sd: 1.0, tau_years: 0.1 })),
        )
    }

    fn bits(m: &MacroState) -> [u64; 4] {
        [m.loan_rate.value(), m.deposit_rate.value(), m.price_level.value(), m.shock.value()].map(f64::to_bits)
    }

    #[test]
    fn same_seed_same_macro_path() {
        let run = |seed| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let mut m = state();
            (1..=60)
                .map(|d| {
                    m.advance_to(years(d * 86_400_000_000_000), &mut rng);
                    bits(&m)
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(run(41), run(41));
        assert_ne!(run(41), run(42));
    }

    #[test]
    fn draws_in_the_order_loan_deposit_level_shock() {
        let mut together = state();
        let mut rng = ChaCha8Rng::seed_from_u64(43);
        together.advance_to(0.25, &mut rng);

        let mut apart = state();
        let mut rng2 = ChaCha8Rng::seed_from_u64(43);
        apart.loan_rate.advance_to(0.25, &mut rng2);
        apart.deposit_rate.advance_to(0.25, &mut rng2);
        apart.price_level.advance_to(0.25, &mut rng2);
        apart.shock.advance_to(0.25, &mut rng2);
        assert_eq!(bits(&together), bits(&apart));
        assert_eq!(rng.get_word_pos(), rng2.get_word_pos());
    }

    #[test]
    fn same_time_is_a_no_op() {
        let mut m = state();
        let mut rng = ChaCha8Rng::seed_from_u64(44);
        m.advance_to(0.0, &mut rng);
        assert_eq!(rng.get_word_pos(), 0);
        m.advance_to(0.1, &mut rng);
        let (pos, before) = (rng.get_word_pos(), bits(&m));
        m.advance_to(0.1, &mut rng);
        assert_eq!((rng.get_word_pos(), bits(&m)), (pos, before));
    }

    #[test]
    fn all_fixed_draws_nothing() {
        let mut m = MacroState::new(
            RateProcess::new(RateModel::Fixed { value: 0.05 }),
            RateProcess::new(RateModel::Fixed { value: 0.01 }),
            PriceLevel::new(LevelModel::Fixed { value: 1.0 }),
            ShockProcess::new(None),
        );
        let mut rng = ChaCha8Rng::seed_from_u64(45);
        m.advance_to(10.0, &mut rng);
        assert_eq!(rng.get_word_pos(), 0);
        assert_eq!((m.loan_rate.value(), m.price_deviation(), m.shock.value()), (0.05, 0.0, 0.0));
    }

    #[test]
    fn price_reference_is_the_start_level() {
        let mut m = state();
        assert_eq!((m.price_reference, m.price_deviation()), (100.0, 0.0));
        m.price_level.set(110.0);
        assert!((m.price_deviation() - 1.1f64.ln()).abs() < 1e-15);
    }

    #[test]
    fn a_year_of_nanoseconds_is_one() {
        assert_eq!(years(0), 0.0);
        assert!((years(365 * 86_400_000_000_000 + 6 * 3_600_000_000_000) - 1.0).abs() < 1e-15);
    }
}
