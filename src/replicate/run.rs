//! Running the replications (and the control) in parallel into a fresh
//! directory: each run on one thread of a pool, written as `tplus run`
//! writes a run; results collected in seed order, so nothing depends on the
//! pool's size or the order runs finish in.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use rayon::prelude::*;

use super::dir::{self, run_dir};
use super::staged::Staged;
use super::{ReplicateError, RunFailure, replication_seed};
use crate::agents::Registry;
use crate::batch::csv::result_fields;
use crate::batch::panic_message;
use crate::engine::{self, RunOptions};
use crate::results::{FileError, RunWriter};
use crate::scenario::Scenario;

/// How to run the replications.
#[derive(Clone, Debug)]
pub struct ReplicateOptions {
    /// How many seeds (at least 2).
    pub replications: u32,
    /// The first seed (replication 0); None: the scenario's.
    pub seed: Option<u64>,
    /// Runs at once (each run on one thread); results do not depend on it.
    pub threads: usize,
    /// Also run the control (the scenario without its events) and compare.
    pub control: bool,
    /// With `control`: how long after the change the comparison's
    /// after-change figures run (None: to the end of the run).
    pub span: Option<crate::scenario::Duration>,
    /// Also write each run's operation log (`events.csv`).
    pub log: bool,
    /// The output directory: must not exist, or be empty.
    pub out: PathBuf,
    /// Whether `out` is a name the program chose (the default), which gives
    /// way to `out-2`, `out-3`, … when another invocation holds or has
    /// filled it; [`Report::dir`] says where the results went. Never for a
    /// directory the user named.
    pub out_is_default: bool,
    /// The scenario file, for the record.
    pub scenario_file: PathBuf,
    /// The behaviours the scenario may name.
    pub registry: Registry,
    /// Set (by a Ctrl-C handler) to stop: the runs under way end at their
    /// next boundary, the rest do not start, nothing is left on disk, and
    /// the result is [`ReplicateError::Interrupted`].
    pub stop: Arc<AtomicBool>,
}

/// What a finished invocation did.
#[derive(Clone, Debug)]
pub struct Report {
    /// The output directory.
    pub dir: PathBuf,
    /// The seeds run, in order.
    pub seeds: Vec<u64>,
    /// Runs done (control runs included).
    pub runs: usize,
    /// Wall-clock time of the whole invocation, in seconds.
    pub wall_seconds: f64,
    /// The comparison, with `control`.
    pub comparison: Option<super::Comparison>,
}

/// Runs `opts.replications` seeds of `scenario` (and, with `opts.control`,
/// the same seeds of its control), writes the replications' files and the
/// comparison, and renames the finished directory to `opts.out` (or, for a
/// default name, the first free `out-N`: [`Report::dir`] says which).
pub fn replicate(scenario: &Scenario, opts: &ReplicateOptions) -> Result<Report, ReplicateError> {
    let clock = Instant::now();
    if !(2..=crate::scenario::MAX_REPLICATIONS).contains(&i64::from(opts.replications)) {
        return Err(ReplicateError::ReplicationsOutOfRange(opts.replications));
    }
    if opts.control && scenario.events.is_empty() {
        return Err(ReplicateError::NothingToCompare(scenario.simulation.name.clone()));
    }
    let staged = Staged::begin(&opts.out, opts.out_is_default)?;
    let out = &staged.out().to_path_buf();
    let tmp = staged.path().to_path_buf();

    let base = opts.seed.unwrap_or(scenario.simulation.seed);
    let seeds: Vec<u64> = (0..opts.replications).map(|k| replication_seed(base, k)).collect();
    let mut control = scenario.clone();
    control.events.clear();
    let control_dir = tmp.join("control");
    let mut jobs: Vec<(&Scenario, PathBuf, u64, &'static str)> =
        seeds.iter().map(|&s| (scenario, tmp.clone(), s, "")).collect();
    if opts.control {
        jobs.extend(seeds.iter().map(|&s| (&control, control_dir.clone(), s, " (control)")));
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads.max(1))
        .thread_name(|i| format!("tplus-rep-{i}"))
        .build()
        .map_err(|e| FileError::new("start the worker threads for", out, std::io::Error::other(e)))?;
    let results: Vec<Result<Vec<String>, ReplicateError>> = pool.install(|| {
        jobs.par_iter()
            .with_max_len(1)
            .map(|(s, dir, seed, arm)| {
                if opts.stop.load(Ordering::Relaxed) {
                    return Err(ReplicateError::Interrupted);
                }
                one_run(s, &run_dir(dir, *seed), *seed, arm, opts)
            })
            .collect()
    });
    // A run the stop cut short is no result; `staged` removes what was written.
    if opts.stop.load(Ordering::Relaxed) {
        return Err(ReplicateError::Interrupted);
    }
    let mut treatment_rows = Vec::with_capacity(seeds.len());
    let mut control_rows = Vec::with_capacity(seeds.len());
    for (r, (_, _, seed, arm)) in results.into_iter().zip(&jobs) {
        let fields = r?;
        if arm.is_empty() { &mut treatment_rows } else { &mut control_rows }.push((*seed, fields));
    }
    let finish = || -> Result<Option<super::Comparison>, ReplicateError> {
        dir::write(&tmp, scenario, &opts.scenario_file, false, &treatment_rows)?;
        if !opts.control {
            return Ok(None);
        }
        dir::write(&control_dir, &control, &opts.scenario_file, true, &control_rows)?;
        super::compare_into(&control_dir, &tmp, &tmp, opts.span).map(Some)
    };
    let comparison = finish()?;
    // A Ctrl-C while the files were written: nothing is kept.
    if opts.stop.load(Ordering::Relaxed) {
        return Err(ReplicateError::Interrupted);
    }
    staged.finish()?;
    Ok(Report { dir: out.clone(), runs: jobs.len(), seeds, wall_seconds: clock.elapsed().as_secs_f64(), comparison })
}

/// Runs one seed into `dir` as `tplus run --seed` does; its result fields.
fn one_run(
    scenario: &Scenario,
    dir: &Path,
    seed: u64,
    arm: &'static str,
    opts: &ReplicateOptions,
) -> Result<Vec<String>, ReplicateError> {
    let fail = |source: RunFailure| ReplicateError::Run { seed, arm, source };
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let run_opts = RunOptions { seed: Some(seed), threads: 1 };
        let mut writer = RunWriter::create(dir, scenario, opts.log).map_err(FileError::at("write results to", dir))?;
        let outcome = engine::run_with_stop(scenario, &run_opts, &opts.registry, &mut writer, &opts.stop)
            .map_err(|e| fail(e.into()))?;
        let summary = writer.finish(dir, scenario, &outcome, 1).map_err(FileError::at("write results to", dir))?;
        outcome.check().map_err(|e| fail(e.into()))?;
        Ok(result_fields(&outcome, &summary))
    }))
    .unwrap_or_else(|panic| Err(fail(RunFailure::Panicked(panic_message(panic.as_ref())))))
}
