//! Scripted step paths shared by the rate and price-level processes: a
//! piecewise-constant schedule (for teaching, "the loan rate jumps to 6% on
//! day 5") that the scenario states instead of a stochastic model. Not a
//! model from the literature; it replaces one, so it draws nothing.

use super::ModelError;

/// A right-continuous step function of time given by `(time_years, value)`
/// points sorted by time: at `t` it is the value of the last point at or
/// before `t`, and the first point's value before the first point.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct StepPath {
    points: Vec<(f64, f64)>,
}

impl StepPath {
    /// The caller has checked the points (see [`check_points`]).
    pub(crate) fn new(points: Vec<(f64, f64)>) -> StepPath {
        StepPath { points }
    }

    pub(crate) fn at(&self, t: f64) -> f64 {
        // Among equal times the last point wins, so a scenario can state a
        // value and its replacement at one instant and the later line counts.
        let after = self.points.partition_point(|&(time, _)| time <= t);
        match after.checked_sub(1) {
            Some(i) => self.points[i].1,
            None => self.points.first().map_or(0.0, |p| p.1),
        }
    }
}

/// Why `points` cannot be a step path, if it cannot: empty, a non-finite
/// time or value, or times out of order. `path` names the process in the
/// message.
pub(crate) fn check_points(path: &'static str, points: &[(f64, f64)]) -> Result<(), ModelError> {
    if points.is_empty() {
        return Err(ModelError::EmptyPath { path });
    }
    for (index, &(time, value)) in points.iter().enumerate() {
        if !time.is_finite() || !value.is_finite() {
            return Err(ModelError::PointNotFinite { path, index, time, value });
        }
        if index > 0 && time < points[index - 1].0 {
            return Err(ModelError::PointOutOfOrder { path, index, time, previous: points[index - 1].0 });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_semantics() {
        let p = StepPath::new(vec![(0.5, 1.0), (1.0, 2.0), (1.0, 3.0), (2.0, 4.0)]);
        assert_eq!(p.at(0.0), 1.0, "before the first point: the first value");
        assert_eq!(p.at(0.5), 1.0);
        assert_eq!(p.at(0.99), 1.0);
        assert_eq!(p.at(1.0), 3.0, "equal times: the last point wins");
        assert_eq!(p.at(1.5), 3.0);
        assert_eq!(p.at(2.0), 4.0);
        assert_eq!(p.at(1e9), 4.0);
    }

    #[test]
    fn check_rejects_bad_paths() {
        assert!(check_points("x", &[]).is_err());
        assert!(check_points("x", &[(0.0, f64::NAN)]).is_err());
        assert!(check_points("x", &[(f64::INFINITY, 1.0)]).is_err());
        assert!(check_points("x", &[(1.0, 1.0), (0.5, 1.0)]).is_err());
        assert!(check_points("x", &[(0.0, 1.0), (0.0, 2.0), (3.0, -1.0)]).is_ok());
    }
}
