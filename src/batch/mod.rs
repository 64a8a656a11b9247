//! Parameter sweeps: many runs of one scenario with some fields varied,
//! spread over cores (rayon) and, through shards, over machines.
//!
//! `crate::scenario::load_sweep` reads and checks the sweep file; here the
//! design is expanded ([`design`]), every point checked, and the runs done
//! ([`run`]), or shards' outputs joined ([`merge`]).
//!
//! # Output directory
//!
//! - `sweep.csv`: one row per run (point, replication), see [`csv`];
//! - `sweep.json`: `{ "definition": …, "provenance": … }`. The definition is
//!   the tool and version, the sweep as checked, the base scenario as
//!   resolved, the seed rule, every point and the CSV columns: the same for a
//!   whole sweep, each of its shards and their merge. The provenance (shard,
//!   hosts, times, commands, how many runs each invocation kept and computed)
//!   is what may differ;
//! - with `--keep-runs`, `runs/pPPPPP-rRRR/`: each run's full results.
//!
//! # Interruption and resume
//!
//! A row is appended to `sweep.csv` with one `write` on a file opened for
//! appending, as soon as its run ends, so rows appear in completion order.
//! A process stopped at any moment (Ctrl-C, `kill`, a job's time limit)
//! leaves complete rows and at most one cut-short last line. Run again with
//! the same command (same sweep, same `--out`, same `--shard`), it reads
//! `sweep.json` and refuses a directory that holds another sweep or another
//! shard; otherwise it keeps every complete row of the selection once
//! (dropping the cut line), rewrites the file with them, and computes only
//! the missing runs. No signal handler is needed for that: a sweep killed
//! at any point resumes so. The command line's handler does more for a
//! clean stop: it seals the appends to `sweep.csv`, records the stop in
//! `sweep.json`, releases the lock and prints the command that resumes
//! (`stopped.rs`, `cli::interrupt`). When every run is done the
//! rows are sorted by (point, replication) into a temporary file that is
//! renamed over `sweep.csv`, so a finished file has one order whatever the
//! order of completion, the number of workers or the interruptions, and a
//! stop during that rewrite leaves the unsorted file whole. A failed run is
//! a row with `status = failed` and its error; resuming keeps it unless
//! `--retry-failed` is given.
//!
//! # Shards
//!
//! Shard K of N (1 ≤ K ≤ N) takes the points whose index p has p mod N = K − 1
//! (round robin, so slow and fast regions of a grid spread evenly), with all
//! their replications. Seeds do not depend on the shard. [`merge`] checks that
//! shards' definitions are identical and that their rows cover every run
//! exactly once, then writes the same `sweep.csv` a whole run writes.

pub mod csv;
pub mod design;
mod merge;
mod points;
pub mod progress;
mod run;
mod stopped;
pub mod sweep_json;

use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::Value;

pub use design::{expand, run_seed};
pub use merge::{MergeReport, merge};
pub use points::{PointsDesign, PointsError, run_points, run_points_until};
pub use progress::Show;
pub(crate) use run::panic_message;
pub use run::{BatchOptions, InvocationReport, check_out, held_bytes, run};
pub use stopped::{record_stop, seal_appends, sweep_finished};

use crate::engine::{CashError, RunError};
use crate::results::FileError;
use crate::results::lock::hostname;
use crate::results::outdir::OutDirError;
use crate::scenario::{Point, ScenarioError, Sweep};

/// Shard K of N.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// 1…count.
    pub index: u32,
    /// How many shards the sweep is split into (N).
    pub count: u32,
}

impl Shard {
    /// Whether point `p` belongs to this shard.
    pub fn has(&self, point: usize) -> bool {
        point as u64 % u64::from(self.count) == u64::from(self.index - 1)
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// Text that does not name a shard (`--shard`), kept as given for the message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a shard: expected K/N with 1 ≤ K ≤ N, e.g. 2/8")]
pub struct ShardParseError {
    /// The text given.
    pub text: String,
}

impl std::str::FromStr for Shard {
    type Err = ShardParseError;

    fn from_str(s: &str) -> Result<Shard, ShardParseError> {
        let bad = || ShardParseError { text: s.to_string() };
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let (index, count): (u32, u32) = (k.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
        if index == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

/// Why a sweep or a merge stopped before its end. The `*Input`-like variants
/// are mistakes in what was given (exit status 2); the others are failures
/// of the machine (exit status 1). Nothing is half-written in either case.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BatchError {
    /// `tplus merge` without a directory.
    #[error("no directory to merge")]
    NothingToMerge,
    /// A directory named twice in one merge.
    #[error("cannot merge: {} is given twice", .0.display())]
    GivenTwice(PathBuf),
    /// A piece of a merge that does not exist.
    #[error("{}: no such directory (give the directories the shards wrote, e.g. results/sweeps/NAME/shard-*)", .0.display())]
    NoSuchPiece(PathBuf),
    /// A file given where a sweep's output directory is expected.
    #[error("{}: a file, not the output directory of a sweep (give the directories the shards wrote)", .0.display())]
    NotADirectory(PathBuf),
    /// A directory without a `sweep.json`.
    #[error("{}: no sweep.json: not the output directory of a sweep{}", .dir.display(), below_words(.below))]
    NotASweep {
        /// The directory.
        dir: PathBuf,
        /// The sweep directories right inside it (shards, say), which the
        /// user may have meant.
        below: Vec<String>,
    },
    /// A directory to merge that a sweep is still writing.
    #[error(
        "cannot merge {}: tplus process {pid} on {host} is still writing it (its lock file is there); merge once it has finished{}",
        .dir.display(),
        if *.alive { "" } else { ", or delete the lock file if that process is gone" }
    )]
    PieceInUse {
        /// The directory.
        dir: PathBuf,
        /// The writer's pid.
        pid: u32,
        /// The writer's host.
        host: String,
        /// Whether the writer is known to be alive.
        alive: bool,
    },
    /// A `sweep.json` that does not parse as one, or has no definition.
    #[error("{}: not a sweep's sweep.json{}", .path.display(), .detail.as_ref().map_or(" (no definition)".to_string(), |e| format!(": {e}")))]
    BadSweepJson {
        /// The file.
        path: PathBuf,
        /// What the JSON parser said, if it is the JSON that is broken.
        #[source]
        detail: Option<serde_json::Error>,
    },
    /// Directories of two different sweeps given to one merge.
    #[error("{} and {} hold different sweeps (their sweep.json differ in {difference})", .first.display(), .other.display())]
    DifferentSweeps {
        /// The first directory.
        first: PathBuf,
        /// The one that differs from it.
        other: PathBuf,
        /// The first setting in which they differ, with both values.
        difference: String,
    },
    /// A `sweep.json` whose columns lack `status`.
    #[error("{}: sweep.json has no status column", .0.display())]
    NoStatusColumn(PathBuf),
    /// A `sweep.json` whose definition cannot be the one a sweep wrote:
    /// its columns or its points do not fit together.
    #[error(
        "{}: sweep.json is damaged: {why}; merge only directories `tplus sweep` wrote (run the shard again into a \
         fresh --out if this one was edited)",
        .dir.display()
    )]
    DamagedDefinition {
        /// The directory.
        dir: PathBuf,
        /// What does not fit.
        why: String,
    },
    /// A piece of a merge with a `sweep.json` and no `sweep.csv` (or an
    /// empty one): its sweep stopped before it wrote its first row.
    #[error(
        "{}: sweep.json but no sweep.csv, or an empty one: the sweep stopped before it wrote a row; run it \
         again to resume (the command that ran it, with the same --out), then merge",
        .0.display()
    )]
    NoRows(PathBuf),
    /// A `sweep.csv` whose header is not the sweep's.
    #[error("{}: {source}{hint}", .path.display())]
    ForeignRows {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        #[source]
        source: csv::ForeignHeader,
        /// What to do about it.
        hint: &'static str,
    },
    /// Shards that do not cover the sweep exactly once.
    #[error("cannot merge: {}", .problems.join("; "))]
    Coverage {
        /// Each problem, in words: runs in two shards, rows outside the sweep, runs missing.
        problems: Vec<String>,
    },
    /// Rows of the shards that are not what the sweep wrote.
    #[error("cannot merge: {} line(s) are not rows this sweep wrote:\n  {}", .problems.len(), merge::first_lines(.problems))]
    BadRows {
        /// Each line's shard file and line number, and what differs.
        problems: Vec<String>,
    },
    /// `--out` holds another sweep.
    #[error("{} holds another sweep (its sweep.json differs in {difference}); choose another --out, or delete the directory to start again", .dir.display())]
    AnotherSweep {
        /// The directory.
        dir: PathBuf,
        /// The first setting in which the sweeps differ, with both values.
        difference: String,
    },
    /// `tplus merge --out` names a directory holding a sweep's own results
    /// (a shard's, one of the inputs, or a sweep still running or stopped),
    /// not an earlier merge of this sweep: merging would replace its rows.
    #[error("{} holds {what}, which a merge would replace; merge into a new or empty directory (or over an earlier merge of this sweep)", .dir.display())]
    MergeOverResults {
        /// The directory.
        dir: PathBuf,
        /// What it holds, in words.
        what: String,
    },
    /// `--out` holds a merge of this sweep's shards, whose rows are the
    /// shards': a sweep run there would take it for its own.
    #[error(
        "{} holds a merge of this sweep's shards (sweep.json's merged_from), not rows a sweep runs on; to add \
         missing or failed runs, run their shards again in the shards' own directories (--retry-failed for \
         failed ones) and merge again into this one; or give the sweep another --out",
        .0.display()
    )]
    MergedHere(PathBuf),
    /// `--out` holds the shards of a sweep and nothing else of one.
    #[error(
        "{}: not empty and not a sweep's directory: it holds the sweep directories {} (shards?); merge them \
         (`tplus merge {}/shard-* --out {}`), or choose another --out",
        .dir.display(), .below.join(", "), .dir.display(), .dir.display()
    )]
    ShardsHere {
        /// The directory.
        dir: PathBuf,
        /// The sweep directories right inside it.
        below: Vec<String>,
    },
    /// `--out` holds another shard of this sweep.
    #[error("{} holds {held} of this sweep, not {wanted}; give each shard its own --out", .dir.display())]
    AnotherShard {
        /// The directory.
        dir: PathBuf,
        /// What it holds ("shard 1/4" or "the whole").
        held: String,
        /// What this invocation computes.
        wanted: String,
    },
    /// `--out` cannot be used: another process holds it, or it is a file.
    #[error(transparent)]
    OutDir(#[from] OutDirError),
    /// `--out` holds files and no sweep.
    #[error("{}: not empty and not a sweep's directory (it holds {entries}); choose another --out", .dir.display())]
    NotASweepDir {
        /// The directory.
        dir: PathBuf,
        /// Some of what it holds.
        entries: String,
    },
    /// `--out` has a `sweep.csv` and no `sweep.json`.
    #[error("{} has a sweep.csv but no sweep.json: not a sweep's directory; choose another --out", .0.display())]
    OrphanRows(PathBuf),
    /// A file or directory could not be created, read or written.
    #[error(transparent)]
    Io(#[from] FileError),
    /// `sweep.json` could not be written out as JSON.
    #[error("cannot encode sweep.json: {0}")]
    Encode(#[source] serde_json::Error),
    /// A stopping signal sealed this process's appends to `sweep.csv`
    /// ([`seal_appends`]) while the sweep ran: the runs in flight finished,
    /// the rows recorded so far are on disk, and whoever sealed the appends
    /// records the invocation as stopped ([`record_stop`]). The same
    /// command resumes the sweep.
    #[error("the sweep in {} was stopped before it finished; its rows so far are in sweep.csv, and the same command resumes it", .0.display())]
    Stopped(PathBuf),
    /// The pool of worker threads could not start.
    #[error("cannot start {jobs} workers: {source}")]
    Workers {
        /// Workers asked for.
        jobs: usize,
        /// What rayon said.
        #[source]
        source: rayon::ThreadPoolBuildError,
    },
}

impl BatchError {
    /// The process exit status this error ends `tplus` with: 2 for bad input, 1 for a failure.
    pub fn exit_status(&self) -> u8 {
        match self {
            BatchError::Io(e) if e.is_unusable_path() => 2,
            BatchError::Io(_) | BatchError::Encode(_) | BatchError::Workers { .. } => 1,
            // As a shell reports a command Ctrl-C ended (the CLI exits with
            // the signal's own status, `cli::interrupt::stopped_status`).
            BatchError::Stopped(_) => 130,
            BatchError::OutDir(e) => e.exit_code(),
            _ => 2,
        }
    }
}

/// Why one run of a sweep failed. A failed run is a row of `sweep.csv` (its
/// `error` cell holds this message), not the end of the sweep, so it is kept
/// apart from [`BatchError`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PointError {
    /// The point's values do not make a valid scenario.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// The run could not start.
    #[error(transparent)]
    Run(#[from] RunError),
    /// The run's own results (`--keep-runs`) could not be written.
    #[error("cannot write the run's results to {}: {source}", .dir.display())]
    Write {
        /// The run's directory under `runs/`.
        dir: PathBuf,
        /// What the file system said.
        #[source]
        source: std::io::Error,
    },
    /// The run finished, but its cash is not conserved or an account is
    /// unsound ([`crate::engine::Outcome::check`]): its results are not
    /// kept as a row's, as `tplus run` exits 1 on them (with
    /// `--keep-runs` its files stay for a post-mortem).
    #[error(transparent)]
    Cash(#[from] CashError),
    /// The run panicked: a bug, caught so that the other runs go on.
    #[error("the run panicked: {0}")]
    Panicked(String),
}

/// What a built-in family's behaviour parameter means (with its unit) and
/// the values it accepts, as the family declares them (`behaviour_params!`):
/// the words a sweep's report titles its axes with. `None` for a family or
/// parameter that is not built in.
pub fn param_doc(family: &str, param: &str) -> Option<(&'static str, &'static str)> {
    let registry = crate::agents::Registry::builtin();
    let family = registry.get(family)?;
    family.params.iter().find(|p| p.name == param).map(|p| (p.doc, p.accepted))
}

/// The deterministic part of `sweep.json` ([`sweep_json::Definition`]), as
/// a JSON tree (shards and resumes compare theirs with the one on disk).
///
/// # Errors
/// [`BatchError::Encode`] if the definition does not encode as JSON.
pub fn definition(sweep: &Sweep, points: &[Point]) -> Result<Value, BatchError> {
    let def = sweep_json::Definition {
        tool: "tplus".to_string(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        sweep,
        base_scenario: &sweep.base,
        seeds: design::SEED_RULE.to_string(),
        points,
        runs: Some(sweep.runs(points.len())),
        columns: csv::columns(sweep),
    };
    serde_json::to_value(def).map_err(BatchError::Encode)
}

/// Writes `sweep.json` ([`sweep_json::SweepJson`]) under a temporary name, then renames it.
fn write_json(dir: &Path, definition: &Value, provenance: &Value) -> Result<(), BatchError> {
    let doc = sweep_json::SweepJson { definition, provenance };
    let mut text = serde_json::to_string_pretty(&doc).map_err(BatchError::Encode)?;
    text.push('\n');
    write_atomically(dir, "sweep.json", text.as_bytes())
}

/// Writes `sweep.csv` (under a temporary name, then renamed): `header`, then
/// `rows` in their order. Streamed from the rows, not built as one text
/// first, so the rows are the only copy a sweep holds of its results.
fn write_rows<'a>(dir: &Path, header: &str, rows: impl Iterator<Item = &'a csv::RunLine>) -> Result<(), BatchError> {
    use std::io::Write;
    crate::results::write_file(dir, "sweep.csv", |w| {
        w.write_all(header.as_bytes())?;
        rows.into_iter().try_for_each(|r| w.write_all(r.line.as_bytes()))
    })
    .map_err(FileError::at("write", &dir.join("sweep.csv")))?;
    Ok(())
}

fn write_atomically(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), BatchError> {
    use std::io::Write;
    crate::results::write_file(dir, name, |w| w.write_all(bytes)).map_err(FileError::at("write", &dir.join(name)))?;
    Ok(())
}

/// How a sweep report's `report.md` begins (the sweep's name follows):
/// what tells a merge that a `report.md` there is the report's.
pub const SWEEP_REPORT_TITLE: &str = "# Sweep report: ";

/// The files of the sweep report `tplus report` drew in `dir`: its
/// `report.md` and the plots that links (each SVG, and the PNG `--png`
/// drew beside it), `report.md` first; none when there is no sweep report.
/// Read from the report itself, so that a file of the user's there, a plot
/// of their own included, is never taken for one of its.
pub(super) fn report_files(dir: &Path) -> Result<Vec<String>, BatchError> {
    let path = dir.join("report.md");
    let text = match std::fs::read(&path) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(FileError::new("read", &path, e).into()),
    };
    if !text.starts_with(SWEEP_REPORT_TITLE) {
        return Ok(Vec::new());
    }
    let mut files = vec!["report.md".to_string()];
    for link in text.split("](").skip(1) {
        let Some(svg) = link.split_once(')').map(|(name, _)| name).filter(|n| !n.contains('/')) else { continue };
        let Some(stem) = svg.strip_suffix(".svg") else { continue };
        for name in [svg.to_string(), format!("{stem}.png")] {
            if !files.contains(&name) && std::fs::symlink_metadata(dir.join(&name)).is_ok_and(|m| m.is_file()) {
                files.push(name);
            }
        }
    }
    Ok(files)
}

/// Removes the sweep report's files `names` ([`report_files`], `report.md`
/// first: the plots without it are only pictures) from `dir`; returns how
/// many there were. Called before a merge or a resumed sweep changes the
/// rows the report was drawn from, so no report sits beside rows it does
/// not describe.
pub(super) fn remove_report(dir: &Path, names: &[String]) -> Result<usize, BatchError> {
    for name in names {
        let path = dir.join(name);
        std::fs::remove_file(&path).map_err(FileError::at("remove", &path))?;
    }
    Ok(names.len())
}

/// "; it holds sweep directories (a/, b/): give those" for the sweep
/// directories inside one that is not a sweep's.
fn below_words(below: &[String]) -> String {
    match below {
        [] => String::new(),
        _ => format!("; it holds sweep directories ({}): give those", below.join(", ")),
    }
}

/// The directories right inside `dir` that hold a `sweep.json`, as `name/`,
/// sorted; the first four, then how many more.
fn sweeps_below(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut names: Vec<String> = entries
        .flatten()
        .filter(|e| e.path().join("sweep.json").is_file())
        .map(|e| format!("{}/", e.file_name().to_string_lossy()))
        .collect();
    names.sort();
    let n = names.len();
    names.truncate(4);
    if n > 4 {
        names.push(format!("and {} more", n - 4));
    }
    names
}

/// What `dir` holds besides its lock, the entries whose names `own` accepts
/// and the directories in `inputs` (a merge's shards may live inside its
/// output), in words ("a.csv, b/ and 3 more"); None when nothing.
fn foreign_entries(dir: &Path, own: impl Fn(&str) -> bool, inputs: &[PathBuf]) -> Result<Option<String>, BatchError> {
    let inputs: Vec<PathBuf> = inputs.iter().filter_map(|p| std::fs::canonicalize(p).ok()).collect();
    let mut names = Vec::new();
    for e in std::fs::read_dir(dir).map_err(FileError::at("read", dir))? {
        let e = e.map_err(FileError::at("read", dir))?;
        let name = e.file_name().to_string_lossy().into_owned();
        if name == crate::results::lock::LOCK_FILE || own(&name) {
            continue;
        }
        // A temporary file of an earlier invocation killed on the way.
        if name.starts_with('.') && name.ends_with(".partial") {
            continue;
        }
        if !inputs.is_empty() && std::fs::canonicalize(e.path()).is_ok_and(|p| inputs.contains(&p)) {
            continue;
        }
        names.push(if e.file_type().is_ok_and(|t| t.is_dir()) { format!("{name}/") } else { name });
    }
    names.sort();
    if names.is_empty() {
        return Ok(None);
    }
    let n = names.len();
    names.truncate(4);
    if n > 4 {
        names.push(format!("and {} more", n - 4));
    }
    Ok(Some(names.join(", ")))
}

/// A `sweep.json` read back: its definition and provenance.
fn read_json(dir: &Path) -> Result<Option<(Value, Value)>, BatchError> {
    let path = dir.join("sweep.json");
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(FileError::new("read", &path, e).into()),
    };
    let mut doc: Value =
        serde_json::from_str(&text).map_err(|e| BatchError::BadSweepJson { path: path.clone(), detail: Some(e) })?;
    let (Some(d), Some(p)) = (doc.get_mut("definition").map(Value::take), doc.get_mut("provenance").map(Value::take))
    else {
        return Err(BatchError::BadSweepJson { path, detail: None });
    };
    Ok(Some((d, p)))
}

/// The builds of tplus (`tplus --version`, commit included) that computed
/// the rows of a sweep directory whose provenance is `provenance`: each
/// invocation's that computed a run, and for a merge its pieces'. The
/// definition holds the package's version alone, so that a rebuild can
/// resume a sweep or add a shard; these are what tell a user that rows of
/// two builds are about to stand in one file.
fn builds(provenance: &Value, into: &mut std::collections::BTreeSet<String>) {
    for invocation in provenance["invocations"].as_array().into_iter().flatten() {
        // An invocation killed outright (SIGKILL, a node lost) never
        // recorded its end or its count, and its rows may be there.
        let unfinished = invocation["finished_utc"].is_null();
        let computed = unfinished || invocation["runs_computed"].as_u64().is_none_or(|n| n > 0);
        if let Some(build) = invocation["build"].as_str().filter(|_| computed) {
            into.insert(build.to_string());
        }
    }
    for piece in provenance["merged_from"].as_array().into_iter().flatten() {
        builds(&piece["provenance"], into);
    }
}

/// Where two definitions first differ, down to the setting, with both
/// values named by `sides`: "`sweep.replications` (3 in the directory, 5
/// now)". The top-level keys are read in the order a user thinks of them
/// (the sweep file before the scenario, before what follows from both).
fn first_difference(held: &Value, new: &Value, sides: [&str; 2]) -> String {
    let keys = ["tool", "version", "sweep", "base_scenario", "seeds", "points", "runs", "columns"];
    let found = keys.iter().find_map(|k| leaf_difference(held.get(*k), new.get(*k), (*k).to_string()));
    let Some((path, there, here)) = found else { return "its layout".into() };
    format!("`{path}` ({} {}, {} {})", brief(there), sides[0], brief(here), sides[1])
}

/// The first path below `path` at which `a` and `b` differ, with the two
/// values there (None where one side has nothing).
fn leaf_difference<'a>(
    a: Option<&'a Value>,
    b: Option<&'a Value>,
    path: String,
) -> Option<(String, Option<&'a Value>, Option<&'a Value>)> {
    match (a, b) {
        _ if a == b => None,
        (Some(Value::Object(x)), Some(Value::Object(y))) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            keys.into_iter().find_map(|k| leaf_difference(x.get(k), y.get(k), format!("{path}.{k}")))
        }
        (Some(Value::Array(x)), Some(Value::Array(y))) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (p, q))| leaf_difference(Some(p), Some(q), format!("{path}[{i}]"))),
        _ => Some((path, a, b)),
    }
}

/// A value as a message shows it: short values whole, a table or a long
/// list by its size.
fn brief(v: Option<&Value>) -> String {
    match v {
        None => "absent".into(),
        Some(Value::Array(a)) if a.len() > 4 => format!("{} items", a.len()),
        Some(Value::Object(o)) => format!("a table of {} keys", o.len()),
        Some(v) => {
            let text = v.to_string();
            if text.chars().count() > 40 { format!("{}…", text.chars().take(39).collect::<String>()) } else { text }
        }
    }
}

/// The Slurm job this process runs in, if any.
fn slurm() -> Value {
    let vars =
        ["SLURM_JOB_ID", "SLURM_ARRAY_JOB_ID", "SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT", "SLURM_CLUSTER_NAME"];
    let found: serde_json::Map<String, Value> = vars
        .iter()
        .filter_map(|v| {
            std::env::var(v).ok().map(|x| (v.to_lowercase().trim_start_matches("slurm_").to_string(), Value::from(x)))
        })
        .collect();
    if found.is_empty() { Value::Null } else { Value::Object(found) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_difference_is_named_down_to_the_setting() {
        let held = serde_json::json!({"tool": "tplus", "sweep": {"replications": 3, "params": [{"path": "a", "values": [1, 2]}]}});
        let mut new = held.clone();
        new["sweep"]["params"][0]["values"][1] = Value::from(5);
        let sides = ["in the directory", "now"];
        assert_eq!(first_difference(&held, &new, sides), "`sweep.params[0].values[1]` (2 in the directory, 5 now)");
        new["sweep"]["replications"] = Value::from(4);
        assert_eq!(first_difference(&held, &new, sides), "`sweep.params[0].values[1]` (2 in the directory, 5 now)");
        new["sweep"]["params"][0]["values"] = serde_json::json!([1, 2, 3, 4, 5, 6]);
        assert_eq!(
            first_difference(&held, &new, sides),
            "`sweep.params[0].values` ([1,2] in the directory, 6 items now)"
        );
        new["sweep"].as_object_mut().map(|o| o.remove("replications"));
        assert_eq!(
            first_difference(&held, &new, sides),
            "`sweep.params[0].values` ([1,2] in the directory, 6 items now)"
        );
        new["sweep"]["params"] = held["sweep"]["params"].clone();
        assert_eq!(first_difference(&held, &new, sides), "`sweep.replications` (3 in the directory, absent now)");
        assert_eq!(first_difference(&held, &held, sides), "its layout");
    }

    #[test]
    fn shards_parse_and_refuse_with_the_text_given() {
        assert_eq!("2/8".parse::<Shard>(), Ok(Shard { index: 2, count: 8 }));
        assert_eq!(" 1 / 1 ".trim().parse::<Shard>(), Ok(Shard { index: 1, count: 1 }));
        for bad in ["0/4", "5/4", "2", "a/b", "2/", "-1/4"] {
            let e = bad.parse::<Shard>().unwrap_err();
            assert_eq!(e, ShardParseError { text: bad.to_string() });
            assert_eq!(e.to_string(), format!("`{bad}` is not a shard: expected K/N with 1 ≤ K ≤ N, e.g. 2/8"));
        }
    }
}
