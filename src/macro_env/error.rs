//! Why a macro model cannot be simulated: one error type for the rate,
//! price-level, shock and step-path checks, each naming the model and the
//! parameter to change.

/// A macro model's parameters that cannot be simulated.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    /// A parameter is NaN or infinite.
    #[error("{model}: {field} must be finite, got {value}")]
    NotFinite {
        /// The model's name as the scenario spells it (`cir`, `gbm`, `shock`…).
        model: &'static str,
        /// The parameter to change.
        field: &'static str,
        /// The value given.
        value: f64,
    },
    /// A parameter that must be finite and >= 0 (a volatility, a speed, a rate
    /// of jumps) is not.
    #[error("{model}: {field} must be finite and >= 0, got {value}")]
    Negative {
        /// The model's name as the scenario spells it (`cir`, `gbm`, `shock`…).
        model: &'static str,
        /// The parameter to change.
        field: &'static str,
        /// The value given.
        value: f64,
    },
    /// A parameter that must be finite and > 0 (a price level) is not.
    #[error("{model}: {field} must be finite and > 0, got {value}")]
    NotPositive {
        /// The model's name as the scenario spells it (`cir`, `gbm`, `shock`…).
        model: &'static str,
        /// The parameter to change.
        field: &'static str,
        /// The value given.
        value: f64,
    },
    /// A shock's decay time, where infinity (never fading) is allowed.
    #[error("shock: tau must be > 0, got {0}")]
    Tau(f64),
    /// A step path with no points, which would have no value at any time.
    #[error("{path}: a path needs at least one point")]
    EmptyPath {
        /// The process the path scripts (`rate path`, `price level path`).
        path: &'static str,
    },
    /// A step path's point with a NaN or infinite time or value.
    #[error("{path}: path point {index} ({time}, {value}) is not finite")]
    PointNotFinite {
        /// The process the path scripts (`rate path`, `price level path`).
        path: &'static str,
        /// Position of the point in the path (0-based).
        index: usize,
        /// The point's time, in years since the run's start.
        time: f64,
        /// The point's value.
        value: f64,
    },
    /// A step path's point earlier than the one before it: points must be
    /// sorted by time.
    #[error("{path}: path point {index} at {time} comes before the previous one at {previous}")]
    PointOutOfOrder {
        /// The process the path scripts (`rate path`, `price level path`).
        path: &'static str,
        /// Position of the point in the path (0-based).
        index: usize,
        /// The point's time, in years since the run's start.
        time: f64,
        /// The previous point's time, in years since the run's start.
        previous: f64,
    },
    /// A price-level path's point at or below 0, where ln(P / reference)
    /// does not exist.
    #[error("price level path: point {index} has level {level} <= 0")]
    LevelNotPositive {
        /// Position of the point in the path (0-based).
        index: usize,
        /// The level given.
        level: f64,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_model_and_the_parameter() {
        let e = ModelError::Negative { model: "cir", field: "sigma", value: -0.5 };
        assert_eq!(e.to_string(), "cir: sigma must be finite and >= 0, got -0.5");
        let e = ModelError::PointOutOfOrder { path: "rate path", index: 2, time: 0.5, previous: 1.0 };
        assert_eq!(e.to_string(), "rate path: path point 2 at 0.5 comes before the previous one at 1");
        assert_eq!(ModelError::Tau(0.0).to_string(), "shock: tau must be > 0, got 0");
    }
}
