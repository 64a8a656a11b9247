//! Running a sweep (or one shard of it) into an output directory, resuming
//! what an earlier, interrupted invocation left there. See the module
//! documentation of `crate::batch` for the on-disk discipline.

use crate::agents::Registry;
use std::collections::HashSet;
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Instant, SystemTime};

use rayon::prelude::*;
use serde_json::Value;

use super::csv::{self, RunLine};
use super::progress::{Progress, Show};
use super::{
    BatchError, PointError, Shard, builds, definition, first_difference, hostname, read_json, slurm, write_json,
    write_rows,
};
use crate::engine::{self, RunOptions, record::Discard};
use crate::results::lock::DirLock;
use crate::results::outdir;
use crate::results::{FileError, RunWriter, utc_stamp};
use crate::scenario::{Point, Scenario, Sweep};

/// How `run` runs a sweep: where to write, how many runs at once, which shard,
/// what to show and what to keep.
#[derive(Clone, Debug)]
pub struct BatchOptions {
    /// The sweep's output directory (`sweep.csv`, `sweep.json`, and `runs/` with
    /// `keep_runs`); an earlier invocation's rows there are kept.
    pub out: PathBuf,
    /// Runs done at once (each run on one thread).
    pub jobs: usize,
    /// Only this shard's points (None: the whole sweep).
    pub shard: Option<Shard>,
    /// Also write each run's full results under `runs/`.
    pub keep_runs: bool,
    /// Compute again the rows an earlier invocation recorded as failed.
    pub retry_failed: bool,
    /// How progress is shown on standard error.
    pub show: Show,
    /// The command line, for provenance.
    pub command: Vec<String>,
    /// The behaviours the sweep's scenarios may name.
    pub registry: Registry,
}

/// What an invocation did.
#[derive(Clone, Debug)]
pub struct InvocationReport {
    /// The sweep's output directory.
    pub dir: PathBuf,
    /// Points of the whole sweep (not only the shard's).
    pub points: usize,
    /// Runs of this invocation's selection (the shard, or the whole sweep).
    pub runs: usize,
    /// Rows found complete from an earlier invocation and kept.
    pub kept: usize,
    /// Runs computed by this invocation.
    pub computed: usize,
    /// Rows of the finished file with `status = failed`.
    pub failed: usize,
    /// Wall-clock time the invocation took, in seconds.
    pub wall_seconds: f64,
    /// Files of a report drawn from the rows an earlier invocation left
    /// (`report.md` and its plots), removed since this one changed them.
    pub removed_report: usize,
    /// The builds of tplus other than this one (`tplus --version`) that
    /// computed rows kept from before, sorted: rows of two builds, which
    /// may differ by more than their seeds, now stand in one file.
    pub other_builds: Vec<String>,
}

/// Runs the sweep's points (all, or the shard's) into `opts.out`. The
/// points must have been checked (`Sweep::check_points`); a point that fails
/// anyway is recorded as a failed row.
pub fn run(sweep: &Sweep, points: &[Point], opts: &BatchOptions) -> Result<InvocationReport, BatchError> {
    let started = SystemTime::now();
    let clock = Instant::now();
    let dir = &opts.out;
    let columns = csv::columns(sweep);
    let header = csv::header_line(&columns);
    let status_column = csv::status_column(sweep);
    let def = definition(sweep, points)?;
    let shard_text = opts.shard.map(|s| s.to_string());

    let selected: Vec<(usize, u32)> = points
        .iter()
        .filter(|p| opts.shard.is_none_or(|s| s.has(p.index)))
        .flat_map(|p| (0..sweep.replications).map(move |r| (p.index, r)))
        .collect();

    if let Some(e) = outdir::inside_other_output(dir) {
        return Err(e.into());
    }
    outdir::create_out_dir(dir)?;
    // One invocation at a time writes here, until it returns.
    let lock = DirLock::acquire(dir).map_err(outdir::OutDirError::from)?;
    let csv_path = dir.join("sweep.csv");

    // What an earlier invocation left.
    let mut invocations = earlier(dir, &def, shard_text.as_deref())?.unwrap_or_default();
    let wanted: HashSet<(usize, u32)> = selected.iter().copied().collect();
    let mut kept: Vec<RunLine> = Vec::new();
    let mut dropped = 0;
    if csv_path.exists() {
        let file = fs::File::open(&csv_path).map_err(FileError::at("read", &csv_path))?;
        let mut seen = HashSet::new();
        let mut key = String::new();
        // Row by row, so that the rows not kept are never held.
        let read = csv::read_rows(std::io::BufReader::new(file), &header, columns.len(), status_column, |row| {
            let run = (row.point, row.replication);
            if !wanted.contains(&run) || !seen.insert(run) || (row.failed && opts.retry_failed) {
                dropped += 1;
                return;
            }
            // A row whose seed or values are not the design's (edited, with
            // its digest made again) is not this sweep's run: computed again,
            // as a merge would refuse it.
            key.clear();
            let seed = super::run_seed(sweep.seed, row.point, row.replication);
            csv::key_cells(&mut key, row.point, row.replication, seed, &points[row.point].values);
            key.push(',');
            if row.line.starts_with(&key) {
                kept.push(row);
            } else {
                dropped += 1;
            }
        });
        dropped += match read {
            Ok(skipped) => skipped,
            Err(csv::ReadRowsError::Foreign(source)) => {
                return Err(BatchError::ForeignRows {
                    path: csv_path.clone(),
                    source,
                    hint: "; choose another --out, or delete the directory",
                });
            }
            Err(csv::ReadRowsError::Io(e)) => return Err(FileError::new("read", &csv_path, e).into()),
        };
    }
    let done: HashSet<(usize, u32)> = kept.iter().map(|r| (r.point, r.replication)).collect();
    let pending: Vec<(usize, u32)> = selected.iter().copied().filter(|k| !done.contains(k)).collect();
    let other_builds: Vec<String> = if kept.is_empty() || pending.is_empty() {
        Vec::new()
    } else {
        let mut built = std::collections::BTreeSet::new();
        builds(&serde_json::json!({ "invocations": invocations }), &mut built);
        built.into_iter().filter(|b| b != crate::results::VERSION).collect()
    };
    let runs_dir = dir.join("runs");
    let unkept = if opts.keep_runs || !runs_dir.is_dir() { 0 } else { clear_cut_short_runs(&runs_dir, &pending)? };
    // The other way round: runs kept from an invocation without
    // --keep-runs have no folder, and this one does not compute them again.
    let folderless = if opts.keep_runs {
        kept.iter().filter(|r| !run_folder(&runs_dir, r.point, r.replication).is_dir()).count()
    } else {
        0
    };

    // Start this invocation's record, then the file of kept rows.
    let mut me = serde_json::json!({
        "host": hostname(),
        // The build, commit included: the definition's `version` is the
        // package's alone, so a rebuild can still resume or add a shard.
        "build": crate::results::VERSION,
        "started_utc": utc_stamp(started, true),
        "finished_utc": null,
        "command": opts.command,
        "jobs": opts.jobs,
        "runs_kept": kept.len(),
        "lines_dropped": dropped,
        "runs_to_compute": pending.len(),
        "runs_computed": 0,
        "runs_failed": 0,
        "slurm": slurm(),
    });
    let provenance = |invocations: &[Value], complete: bool, rows: usize, failed: usize| {
        serde_json::json!({
            "shard": shard_text,
            "sweep_file": sweep.file.display().to_string(),
            "scenario_file": sweep.scenario_file.display().to_string(),
            "complete": complete,
            "rows": rows,
            "failed_rows": failed,
            "invocations": invocations,
        })
    };
    invocations.push(me.clone());
    // A report drawn from the rows so far would not describe the file this
    // invocation leaves.
    let removed_report =
        if pending.is_empty() && dropped == 0 { 0 } else { super::remove_report(dir, &super::report_files(dir)?)? };
    let failed_kept = kept.iter().filter(|r| r.failed).count();
    write_json(dir, &def, &provenance(&invocations, false, kept.len(), failed_kept))?;
    write_rows(dir, &header, kept.iter())?;
    // From here a stopping signal records this invocation from the rows.
    let running = super::stopped::Running::register(dir);

    let show = opts.show;
    if show != Show::Quiet {
        let scope = match opts.shard {
            Some(s) => format!("shard {s}: {} runs of {}", selected.len(), sweep.runs(points.len())),
            None => format!("{} run{}", selected.len(), if selected.len() == 1 { "" } else { "s" }),
        };
        let before = if kept.is_empty() && dropped == 0 {
            String::new()
        } else {
            // Cut short, twice over, outside this selection, not the design's
            // (a resume after a change of format), or failed and retried.
            let lines = if dropped == 1 { "line" } else { "lines" };
            format!(
                "; {} kept from an earlier invocation ({dropped} {lines} not kept, computed again where this run needs them)",
                kept.len()
            )
        };
        crate::results::say(format_args!(
            "sweep {}: {} points × {} replications, {scope}{before}; computing {} on {} worker(s) into {}",
            sweep.name,
            points.len(),
            sweep.replications,
            pending.len(),
            opts.jobs,
            dir.display()
        ));
    }
    if folderless > 0 && show != Show::Quiet {
        crate::results::say(format_args!(
            "note: {folderless} of the {} runs kept from an earlier invocation have no folder in {} (it ran without --keep-runs); only the runs computed now get one. For every run's folder, start the sweep afresh in a new --out",
            kept.len(),
            runs_dir.display()
        ));
    }
    if unkept > 0 && show != Show::Quiet {
        crate::results::say(format_args!(
            "note: {} holds the runs an earlier invocation kept (--keep-runs); the {unkept} computed now get no folder there: add --keep-runs to keep them too",
            runs_dir.display()
        ));
    }

    // The runs.
    // The rows computed, or why they could not all be written.
    let new_rows: Result<Vec<RunLine>, BatchError> = if pending.is_empty() {
        Ok(Vec::new())
    } else {
        let file = OpenOptions::new().append(true).open(&csv_path).map_err(FileError::at("open", &csv_path))?;
        let sink = Mutex::new((file, Vec::with_capacity(pending.len()), None::<std::io::Error>));
        let stop = AtomicBool::new(false);
        let progress = Progress::new(&sweep.name, pending.len() as u64, show);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(opts.jobs.max(1))
            .thread_name(|i| format!("tplus-sweep-{i}"))
            .build()
            .map_err(|source| BatchError::Workers { jobs: opts.jobs, source })?;
        pool.install(|| {
            pending.par_iter().with_max_len(1).for_each(|&(p, r)| {
                if stop.load(Ordering::Relaxed) {
                    return;
                }
                let row = one_run(sweep, &points[p], r, opts, dir, status_column, columns.len());
                if row.failed {
                    progress.note(&format!(
                        "sweep {}: point {p} replication {r} failed: {}",
                        sweep.name,
                        error_of(&row, status_column)
                    ));
                }
                let mut s = sink.lock().unwrap_or_else(|e| e.into_inner());
                let (file, rows, err) = &mut *s;
                if err.is_none() {
                    match super::stopped::append(|| file.write_all(row.line.as_bytes())) {
                        Some(Ok(())) => rows.push(row),
                        Some(Err(e)) => {
                            *err = Some(e);
                            stop.store(true, Ordering::Relaxed);
                        }
                        // A stopping signal is ending the process.
                        None => stop.store(true, Ordering::Relaxed),
                    }
                }
                drop(s);
                progress.inc();
            });
        });
        progress.finish();
        let (file, rows, err) = sink.into_inner().unwrap_or_else(|e| e.into_inner());
        match err {
            Some(e) => Err(FileError::new("append to", &csv_path, e).into()),
            None => file.sync_data().map(|()| rows).map_err(|e| FileError::new("write", &csv_path, e).into()),
        }
    };

    // The runs ended because a stopping signal sealed the appends: the
    // stop records this invocation as stopped (`record_stop`, which the
    // registration left in place reads) and ends the process
    // (`cli::interrupt::on_stop`). Writing the file sorted and the
    // invocation complete would be untrue, and would race that record;
    // returning an error of the appends would free the directory first.
    if super::stopped::sealed() {
        lock.hold_until_exit();
        return Err(BatchError::Stopped(dir.clone()));
    }
    let new_rows = new_rows?;
    // Sorted, complete file; then the final sweep.json.
    let _finishing = running.finish();
    let computed = new_rows.len();
    let mut rows = kept;
    rows.extend(new_rows);
    rows.sort_by_key(|r| (r.point, r.replication));
    let failed = rows.iter().filter(|r| r.failed).count();
    write_rows(dir, &header, rows.iter())?;
    me["finished_utc"] = Value::from(utc_stamp(SystemTime::now(), true));
    me["runs_computed"] = Value::from(computed);
    me["runs_failed"] =
        Value::from(rows.iter().filter(|r| r.failed && !done.contains(&(r.point, r.replication))).count());
    me["wall_seconds"] = Value::from(clock.elapsed().as_secs_f64());
    if let Some(last) = invocations.last_mut() {
        *last = me;
    }
    write_json(dir, &def, &provenance(&invocations, true, rows.len(), failed))?;
    Ok(InvocationReport {
        dir: dir.clone(),
        points: points.len(),
        runs: selected.len(),
        kept: done.len(),
        computed,
        failed,
        wall_seconds: clock.elapsed().as_secs_f64(),
        removed_report,
        other_builds,
    })
}

/// What the sweep directory `dir` holds for the sweep defined by `def`
/// (shard `shard_text`), read before anything is written there: this
/// sweep's, with the earlier invocations' records (Some), or nothing of a
/// sweep (None: it starts afresh); the error an invocation gives for a
/// directory it refuses (another sweep or shard, rows without a
/// `sweep.json`, files of something else).
fn earlier(dir: &Path, def: &Value, shard_text: Option<&str>) -> Result<Option<Vec<Value>>, BatchError> {
    match read_json(dir)? {
        Some((old, provenance)) => {
            if old != *def {
                return Err(BatchError::AnotherSweep {
                    dir: dir.to_path_buf(),
                    difference: first_difference(&old, def, ["in the directory", "now"]),
                });
            }
            // A merge has no invocations of its own, and its provenance
            // is the shards': a sweep resumed there would lose it.
            if provenance.get("merged_from").is_some() {
                return Err(BatchError::MergedHere(dir.to_path_buf()));
            }
            let old_shard = provenance.get("shard").and_then(Value::as_str);
            if old_shard != shard_text {
                let name = |s: Option<&str>| s.map_or("the whole".to_string(), |s| format!("shard {s}"));
                return Err(BatchError::AnotherShard {
                    dir: dir.to_path_buf(),
                    held: name(old_shard),
                    wanted: name(shard_text),
                });
            }
            let list = provenance.get("invocations").and_then(Value::as_array);
            Ok(Some(list.cloned().unwrap_or_default()))
        }
        None if dir.join("sweep.csv").exists() => Err(BatchError::OrphanRows(dir.to_path_buf())),
        None => {
            // `runs/` (with --keep-runs) is the sweep's own.
            if let Some(entries) = super::foreign_entries(dir, |n| n == "runs", &[])? {
                let below = super::sweeps_below(dir);
                if !below.is_empty() {
                    return Err(BatchError::ShardsHere { dir: dir.to_path_buf(), below });
                }
                return Err(BatchError::NotASweepDir { dir: dir.to_path_buf(), entries });
            }
            Ok(None)
        }
    }
}

/// Whether a sweep of `points` (its shard `shard`, if any) could be written
/// into `out`, leaving nothing written (`tplus sweep --check`; whether
/// `out` can be made or written in is tried, [`outdir::check_usable`]):
/// `Ok(true)` when `out` holds this sweep's rows already, which the sweep
/// resumes, `Ok(false)` when it would start afresh; the error the sweep
/// would give for a directory it refuses. A lock another invocation holds
/// is not looked at: it may be gone by the time the sweep runs.
///
/// # Errors
/// As [`run`] gives them for the same directory before any run.
pub fn check_out(sweep: &Sweep, points: &[Point], out: &Path, shard: Option<Shard>) -> Result<bool, BatchError> {
    outdir::check_usable(out)?;
    if !out.exists() {
        return Ok(false);
    }
    let def = definition(sweep, points)?;
    Ok(earlier(out, &def, shard.map(|s| s.to_string()).as_deref())?.is_some())
}

/// The folder under `runs/` of run (`point`, `replication`).
fn run_folder(runs: &Path, point: usize, replication: u32) -> PathBuf {
    runs.join(format!("p{point:05}-r{replication:03}"))
}

/// For an invocation that keeps no runs in a directory where an earlier one
/// did (`--keep-runs`): clears the folders of the `pending` runs that a
/// run cut short left half-written (no `manifest.json`, the file a run
/// writes last), which nothing would complete now, and removes them when
/// that empties them. Returns how many pending runs will have no folder.
fn clear_cut_short_runs(runs: &Path, pending: &[(usize, u32)]) -> Result<usize, BatchError> {
    for &(p, r) in pending {
        let folder = run_folder(runs, p, r);
        if folder.is_dir() && !folder.join("manifest.json").exists() {
            outdir::clear_run_dir(&folder)?;
            let _ = fs::remove_dir(&folder);
        }
    }
    Ok(pending.len())
}

/// The `error` field of a row.
fn error_of(row: &RunLine, status_column: usize) -> String {
    csv::split(row.line.trim_end_matches('\n')).get(status_column + 1).cloned().unwrap_or_default()
}

/// Runs one (point, replication) and formats its row; any failure, a
/// panic included, becomes a failed row.
fn one_run(
    sweep: &Sweep,
    point: &Point,
    replication: u32,
    opts: &BatchOptions,
    dir: &Path,
    status: usize,
    n: usize,
) -> RunLine {
    let seed = super::run_seed(sweep.seed, point.index, replication);
    let clock = Instant::now();
    // The run's result fields or its PointError (the panic's arm below fixes
    // the error type for the `?`s).
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let scenario = sweep.scenario_at(point, &opts.registry)?;
        let run_opts = RunOptions { seed: Some(seed), threads: 1 };
        if opts.keep_runs {
            let run_dir = run_folder(&dir.join("runs"), point.index, replication);
            let write = |source| PointError::Write { dir: run_dir.clone(), source };
            // A run cut short by a Ctrl-C'd invocation left temporary files here.
            outdir::clear_run_dir(&run_dir).map_err(|e| write(e.source))?;
            let written = (|| {
                let mut writer = RunWriter::create(&run_dir, &scenario, false).map_err(write)?;
                let outcome = engine::run_with(&scenario, &run_opts, &opts.registry, &mut writer)?;
                Ok((writer.finish(&run_dir, &scenario, &outcome, 1).map_err(write)?, outcome))
            })();
            let (summary, outcome) = written.inspect_err(|_: &PointError| {
                // The writer removed its temporary files; a failed row
                // leaves no empty folder beside the kept runs either.
                let _ = std::fs::remove_dir(&run_dir);
            })?;
            outcome.check()?;
            Ok(csv::result_fields(&outcome, &summary))
        } else {
            result_fields(&scenario, seed, &opts.registry)
        }
    }))
    .unwrap_or_else(|panic| Err(PointError::Panicked(panic_message(panic.as_ref()))));
    let wall = clock.elapsed().as_secs_f64();
    let line = csv::row_line(point.index, replication, seed, &point.values, result.as_deref(), wall);
    csv::parse_row(line.trim_end_matches('\n'), n, status).unwrap_or(RunLine {
        point: point.index,
        replication,
        failed: result.is_err(),
        line,
    })
}

/// Runs `scenario` with `seed` on one thread, writing nothing: the result
/// fields of its `sweep.csv` row.
pub(crate) fn result_fields(scenario: &Scenario, seed: u64, registry: &Registry) -> Result<Vec<String>, PointError> {
    result_fields_until(scenario, seed, registry, None)
}

/// [`result_fields`], the run ended early ([`engine::RunError::Stopped`])
/// once `stop` is set.
pub(crate) fn result_fields_until(
    scenario: &Scenario,
    seed: u64,
    registry: &Registry,
    stop: Option<&std::sync::atomic::AtomicBool>,
) -> Result<Vec<String>, PointError> {
    let opts = RunOptions { seed: Some(seed), threads: 1 };
    let outcome = match stop {
        Some(stop) => engine::run_with_stop(scenario, &opts, registry, &mut Discard, stop)?,
        None => engine::run_with(scenario, &opts, registry, &mut Discard)?,
    };
    outcome.check()?;
    Ok(csv::result_fields(&outcome, &csv::summarise(scenario, &outcome)))
}

/// What a caught panic said: its message, or "unknown panic" when it carried
/// neither a `&str` nor a `String`.
pub(crate) fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

/// About how many bytes a sweep holds for `runs` rows of `columns` columns
/// until its final sorted write (each row's key and text, streamed to
/// `sweep.csv` from there), for the memory check before it starts. A cell averages
/// about 13 characters (645 bytes a row for 49 columns on the bundled
/// `herding_x_loan` sweep): 16 a cell, with the row's allocation.
pub fn held_bytes(columns: usize, runs: u64) -> u64 {
    let row = std::mem::size_of::<RunLine>() as u64 + 16 * columns as u64 + 16;
    runs.saturating_mul(row)
}
