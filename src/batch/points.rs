//! A sweep given point by point and kept in memory: a table of parameter
//! paths × points, as a notebook builds it (a SALib or pyDOE design, an
//! Optuna trial's values), run into the rows `sweep.csv` would hold, with
//! no sweep file and no output directory. The Python package's
//! `tplus.sweep` is its user.
//!
//! Everything a sweep file's run computes is computed the same way: each
//! point's scenario by the parameter paths ([`crate::scenario::with_values`]),
//! run (point p, replication r)'s seed by [`super::run_seed`], the row by
//! [`super::csv::row_line`] (digest and wall time included), and a run that
//! fails or panics becomes a failed row rather than the end of the sweep.
//! A caller may stop the design part way ([`run_points_until`]: Ctrl-C in
//! Python): the runs under way end at their next boundary and no row is
//! returned, since a table with holes would read as a finished design.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use rayon::prelude::*;
use serde_json::Value;

use super::csv;
use super::{BatchError, PointError, panic_message, run_seed};
use crate::agents::Registry;
use crate::scenario::{Scenario, ScenarioError, with_values};

/// A design given point by point.
#[derive(Clone, Debug)]
pub struct PointsDesign {
    /// The varied fields' parameter paths (`agents[3].params.herding`), the
    /// order of each point's values and of the parameter columns.
    pub paths: Vec<String>,
    /// Each point's values, one per path.
    pub points: Vec<Vec<Value>>,
}

/// Why a design given point by point cannot run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PointsError {
    /// A point's values do not make a valid scenario (checked for every
    /// point before any run starts, as `tplus sweep` does).
    #[error("point {point}: {source}")]
    Point {
        /// The point's index.
        point: usize,
        /// What is wrong, with the field.
        #[source]
        source: ScenarioError,
    },
    /// A point with more or fewer values than paths.
    #[error("point {point} has {got} values for {paths} parameter paths")]
    Shape {
        /// The point's index.
        point: usize,
        /// Values it has.
        got: usize,
        /// Paths the design names.
        paths: usize,
    },
    /// The design varies the seed, which each run takes from the sweep
    /// (its seed, the point and the replication), as a sweep file may not.
    #[error(
        "`simulation.seed` cannot be varied: each run's seed comes from the sweep (its seed, the point and the replication); ask for more replications for more seeds per point"
    )]
    SeedVaried,
    /// More runs than a sweep file may ask for ([`crate::scenario::MAX_RUNS`]).
    #[error(
        "{points} points × {replications} replications is {runs} runs; at most {max}: fewer points or replications"
    )]
    TooMany {
        /// Points in the design.
        points: usize,
        /// Replications of each.
        replications: u32,
        /// Their product.
        runs: u64,
        /// The most allowed.
        max: u64,
    },
    /// The design's largest point, run on the workers at once with the
    /// rows held, would need more memory than the machine (or the job) has:
    /// refused before any run, as `tplus sweep` refuses it.
    #[error("{0}")]
    Memory(String),
    /// The workers could not start.
    #[error(transparent)]
    Sweep(#[from] BatchError),
    /// The caller stopped the design before its end ([`run_points_until`]).
    #[error("stopped before the design's end: {done} of {runs} runs had finished")]
    Stopped {
        /// Runs that had finished.
        done: usize,
        /// Runs the design has.
        runs: usize,
    },
}

impl PointsDesign {
    /// Point `p`'s scenario.
    fn scenario(
        &self,
        base: &Scenario,
        p: usize,
        origin: &Path,
        registry: &Registry,
    ) -> Result<Scenario, ScenarioError> {
        let values: Vec<(String, Value)> = self.paths.iter().cloned().zip(self.points[p].iter().cloned()).collect();
        with_values(base, &values, origin, registry)
    }
}

/// Runs every point of `design` `replications` times on `jobs` threads
/// (one run a thread) from `base`, the seeds derived from `seed`: the
/// `sweep.csv` header's columns and the rows, each with its line break, in
/// (point, replication) order. `origin` names the design in messages.
pub fn run_points(
    base: &Scenario,
    design: &PointsDesign,
    replications: u32,
    seed: u64,
    jobs: usize,
    origin: &Path,
    registry: &Registry,
) -> Result<(Vec<String>, Vec<String>), PointsError> {
    run_points_until(base, design, replications, seed, jobs, origin, registry, &AtomicBool::new(false))
}

/// [`run_points`], stopped once `stop` is set: the runs under way end at
/// their next boundary, the others do not start, and the result is
/// [`PointsError::Stopped`].
#[allow(clippy::too_many_arguments)]
pub fn run_points_until(
    base: &Scenario,
    design: &PointsDesign,
    replications: u32,
    seed: u64,
    jobs: usize,
    origin: &Path,
    registry: &Registry,
    stop: &AtomicBool,
) -> Result<(Vec<String>, Vec<String>), PointsError> {
    let paths = design.paths.len();
    if design.paths.iter().any(|p| p.trim() == "simulation.seed") {
        return Err(PointsError::SeedVaried);
    }
    let runs = (design.points.len() as u64).saturating_mul(u64::from(replications));
    if runs > crate::scenario::MAX_RUNS {
        let (points, max) = (design.points.len(), crate::scenario::MAX_RUNS);
        return Err(PointsError::TooMany { points, replications, runs, max });
    }
    for (point, values) in design.points.iter().enumerate() {
        if values.len() != paths {
            return Err(PointsError::Shape { point, got: values.len(), paths });
        }
    }
    let columns = csv::columns_for(design.paths.iter().map(String::as_str));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.max(1))
        .thread_name(|i| format!("tplus-sweep-{i}"))
        .build()
        .map_err(|source| BatchError::Workers { jobs, source })?;
    // Every point checked first, so a mistake in the design costs no run,
    // and the largest kept for the memory check.
    let largest = pool.install(|| {
        (0..design.points.len())
            .into_par_iter()
            .map(|p| {
                let s = design
                    .scenario(base, p, origin, registry)
                    .map_err(|source| PointsError::Point { point: p, source })?;
                Ok::<_, PointsError>((crate::engine::footprint::estimate(&s, registry).memory(), p, s))
            })
            .try_reduce_with(|a, b| {
                Ok(if (b.0, std::cmp::Reverse(b.1)) > (a.0, std::cmp::Reverse(a.1)) { b } else { a })
            })
    });
    if let Some(found) = largest {
        let (_, _, s) = found?;
        let at_once = (jobs.max(1) as u64).min(runs).max(1) as usize;
        use crate::engine::memory::{Held, Override, fits_holding};
        let held = Held {
            bytes: super::held_bytes(columns.len(), runs),
            what: "the design's rows, kept for its table",
            remedy: ", fewer points or replications",
        };
        fits_holding(origin, &s, at_once, Some(held), None, &Override::LIBRARY, registry).map_err(|message| {
            // The runs at once are the caller's `jobs`.
            PointsError::Memory(if at_once > 1 { format!("{message}, or fewer runs at once (jobs=)") } else { message })
        })?;
    }
    let runs: Vec<(usize, u32)> =
        (0..design.points.len()).flat_map(|p| (0..replications).map(move |r| (p, r))).collect();
    let rows = pool.install(|| {
        runs.par_iter()
            .with_max_len(1)
            .map(|&(p, r)| {
                if stop.load(Ordering::Relaxed) {
                    return None;
                }
                let seed = run_seed(seed, p, r);
                let clock = Instant::now();
                let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    let scenario = design.scenario(base, p, origin, registry)?;
                    super::run::result_fields_until(&scenario, seed, registry, Some(stop))
                }))
                .unwrap_or_else(|panic| Err(PointError::Panicked(panic_message(panic.as_ref()))));
                // A run the stop cut short is not a result.
                if stop.load(Ordering::Relaxed) {
                    return None;
                }
                Some(csv::row_line(p, r, seed, &design.points[p], result.as_deref(), clock.elapsed().as_secs_f64()))
            })
            .collect::<Vec<_>>()
    });
    if stop.load(Ordering::Relaxed) {
        let done = rows.iter().flatten().count();
        return Err(PointsError::Stopped { done, runs: runs.len() });
    }
    Ok((columns, rows.into_iter().flatten().collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn baseline() -> Scenario {
        let text = include_str!("../../scenarios/baseline.toml");
        let mut s = crate::scenario::parse(Path::new("baseline.toml"), text, &Registry::builtin()).unwrap();
        // One short day keeps the test quick.
        s.simulation.days = 1;
        s
    }

    /// A row computed here is the row a sweep file's run computes for the
    /// same point and seed (the wall time aside).
    #[test]
    fn rows_are_the_sweep_files_rows() {
        let base = baseline();
        let registry = Registry::builtin();
        let design = PointsDesign {
            paths: vec!["agents[1].count".into()],
            points: vec![vec![Value::from(50)], vec![Value::from(80)]],
        };
        let (columns, rows) = run_points(&base, &design, 2, 9, 2, Path::new("design"), &registry).unwrap();
        assert_eq!(columns[..4], ["point", "replication", "seed", "agents[1].count"]);
        assert_eq!(rows.len(), 4);
        let values: Vec<(String, Value)> = vec![("agents[1].count".into(), Value::from(80))];
        let scenario = with_values(&base, &values, Path::new("design"), &registry).unwrap();
        let fields = super::super::run::result_fields(&scenario, run_seed(9, 1, 1), &registry).unwrap();
        let want = csv::row_line(1, 1, run_seed(9, 1, 1), &[Value::from(80)], Ok(&fields), 0.0);
        let cut = |s: &str| s.rsplit_once(',').map(|(a, _)| a.to_string()).unwrap();
        assert_eq!(cut(&rows[3]), cut(&want));
        assert!(csv::parse_row(rows[3].trim_end(), columns.len(), csv::status_column_for(1)).is_some());
    }

    #[test]
    fn a_bad_point_is_refused_before_any_run() {
        let design = PointsDesign {
            paths: vec!["agents[1].count".into()],
            points: vec![vec![Value::from(5)], vec![Value::from("many")]],
        };
        let e = run_points(&baseline(), &design, 1, 0, 1, Path::new("design"), &Registry::builtin()).unwrap_err();
        match e {
            PointsError::Point { point, source } => {
                assert_eq!(point, 1);
                assert_eq!(source.detail().field.as_deref(), Some("agents[1].count"));
            }
            other => panic!("{other}"),
        }
        let ragged = PointsDesign { paths: vec!["agents[1].count".into()], points: vec![vec![]] };
        let e = run_points(&baseline(), &ragged, 1, 0, 1, Path::new("design"), &Registry::builtin()).unwrap_err();
        assert_eq!(e.to_string(), "point 0 has 0 values for 1 parameter paths");
        // The seed is the sweep's, as in a sweep file; and as many runs at most.
        let seeded = PointsDesign { paths: vec!["simulation.seed".into()], points: vec![vec![Value::from(1)]] };
        let e = run_points(&baseline(), &seeded, 1, 0, 1, Path::new("design"), &Registry::builtin()).unwrap_err();
        assert!(matches!(e, PointsError::SeedVaried), "{e}");
        let one = PointsDesign { paths: vec!["agents[1].count".into()], points: vec![vec![Value::from(5)]] };
        let e = run_points(&baseline(), &one, 10_000_001, 0, 1, Path::new("design"), &Registry::builtin()).unwrap_err();
        assert!(matches!(e, PointsError::TooMany { runs: 10_000_001, .. }), "{e}");
    }

    /// A stop set from another thread while runs are under way ends them
    /// at their next boundary, and no row comes back.
    #[test]
    fn a_stop_ends_the_design_without_rows() {
        let mut base = baseline();
        base.simulation.days = 400;
        let design = PointsDesign {
            paths: vec!["agents[1].count".into()],
            points: vec![vec![Value::from(50)], vec![Value::from(80)], vec![Value::from(90)]],
        };
        let stop = AtomicBool::new(false);
        let started = Instant::now();
        let result = std::thread::scope(|scope| {
            scope.spawn(|| {
                std::thread::sleep(std::time::Duration::from_millis(200));
                stop.store(true, Ordering::Relaxed);
            });
            run_points_until(&base, &design, 1, 0, 2, Path::new("design"), &Registry::builtin(), &stop)
        });
        match result {
            Err(PointsError::Stopped { done, runs }) => assert_eq!((done, runs), (0, 3)),
            other => panic!("{other:?}"),
        }
        // 400 days would take minutes a run; the stop is seen within seconds.
        assert!(started.elapsed().as_secs() < 20, "{:?}", started.elapsed());
    }
}
