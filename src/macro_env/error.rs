//! Why a macro model cannot be simulated: one error type for the rate,
//! price-level, shock and step-path checks, each naming the model and the
//! parameter to change.

/// A macro model's parameters that cannot be simulated.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ModelError {
    #[error("{model}: {field} must be finite, got {value}")]
    NotFinite { model: &'static str, field: &'static str, value: f64 },
    #[error("{model}: {field} must be finite and >= 0, got {value}")]
    Negative { model: &'static str, field: &'static str, value: f64 },
    #[error("{model}: {field} must be finite and > 0, got {value}")]
    NotPositive { model: &'static str, field: &'static str, value: f64 },
    /// A shock's decay time, where infinity (never fading) is allowed.
    #[error("shock: tau must be > 0, got {0}")]
    Tau(f64),
    #[error("{path}: a path needs at least one point")]
    EmptyPath { path: &'static str },
    #[error("{path}: path point {index} ({time}, {value}) is not finite")]
    PointNotFinite { path: &'static str, index: usize, time: f64, value: f64 },
    #[error("{path}: path point {index} at {time} comes before the previous one at {previous}")]
    PointOutOfOrder { path: &'static str, index: usize, time: f64, previous: f64 },
    #[error("price level path: point {index} has level {level} <= 0")]
    LevelNotPositive { index: usize, level: f64 },
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
