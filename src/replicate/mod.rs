//! Replications and same-seed controls: `tplus run FILE --replications N`
//! (N seeds of one scenario, run in parallel, summarised across seeds),
//! `--control` (the same seeds with the scenario's `[[events]]` removed, and
//! the paired comparison) and `tplus compare CONTROL_DIR TREATMENT_DIR`.
//!
//! # Seeds
//!
//! Replication k (from 0) runs with the scenario's seed (or `--seed`) plus k
//! ([`replication_seed`]): replication 0 is the plain run, and any
//! replication is the run `tplus run FILE --seed S+k` writes, file for file
//! (`metrics.csv`, `trades.csv`, `summary.json`, `risk.csv` byte for byte).
//! The control runs the same seeds.
//!
//! # Output directory
//!
//! - `runs/seed-S/`: each run's full results, as `tplus run` writes them;
//! - `replications.csv`: one row per seed, its headline figures (the result
//!   columns of `sweep.csv`, from `batch::csv::result_fields`);
//! - `replications.json`: the scenario, the seeds, the change (the first
//!   scripted event and its window) and, per headline figure, n, mean,
//!   standard deviation and 95% t-interval across seeds;
//! - with `--control`: `control/`, the same layout for the control, and the
//!   comparison ([`compare`]): `comparison.csv`, `comparison_windows.csv`,
//!   `comparison.json`, `comparison.md` and, with the `report` feature,
//!   `comparison.svg`.
//!
//! Nothing in these files depends on the number of threads or on the order
//! runs finish in. The directory is built under a temporary name beside
//! `--out` and renamed when complete, a non-empty `--out` is refused and a
//! lock beside it keeps a second invocation out (`staged.rs`), so a directory
//! never mixes runs of two invocations.

use crate::results::FileError;
use std::path::{Path, PathBuf};

mod compare;
mod dir;
#[cfg(feature = "report")]
mod plot;
#[cfg(feature = "report")]
pub mod report;
mod run;
mod staged;
pub use staged::abandon_staging;
pub mod stats;
mod windows;

pub use compare::{Comparison, compare, compare_into, interval, p_text, sig};
pub use dir::{ReplicationDir, figure_names};
pub use run::{ReplicateOptions, Report, replicate};

/// How the seeds of replications are derived, in words (written to `replications.json`).
pub const SEED_RULE: &str = "replication k (from 0) runs with seed + k (mod 2^64); replication 0 is the plain run";

/// The seed of replication `k` of a scenario whose seed is `seed`: `seed + k`
/// (wrapping past u64::MAX).
pub fn replication_seed(seed: u64, k: u32) -> u64 {
    seed.wrapping_add(u64::from(k))
}

/// What went wrong: bad input exits 2, a failed run or file exits 1
/// ([`ReplicateError::exit_status`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReplicateError {
    /// Fewer than two replications (no spread across seeds), or more than a
    /// sweep's point may have ([`crate::scenario::MAX_REPLICATIONS`]).
    #[error("--replications {0}: from 2 (a spread across seeds needs two) to {max} are accepted", max = crate::scenario::MAX_REPLICATIONS)]
    ReplicationsOutOfRange(u32),
    /// `--span` where neither arm scripts a change to measure it from.
    #[error("--span needs a scripted change to measure from, and neither scenario has [[events]]")]
    SpanWithoutChange,
    /// `--control` on a scenario without scripted events.
    #[error("scenario `{0}` has no [[events]]: its control would be the same scenario, so there is nothing to compare")]
    NothingToCompare(String),
    /// `--out` cannot be a directory: a file, a symbolic link, or under a file.
    #[error("--out {}: {why}", .out.display())]
    BadOut {
        /// The path given.
        out: PathBuf,
        /// What is wrong with it.
        why: String,
    },
    /// `--out` is held by another invocation.
    #[error(transparent)]
    OutDir(#[from] crate::results::outdir::OutDirError),
    /// The output directory exists and is not empty.
    #[error("{}: exists and is not empty; choose another --out (replications and comparisons write only into a new or empty directory, so their files never mix with others)", .0.display())]
    OutNotEmpty(PathBuf),
    /// A directory given to `compare` is not one `--replications` wrote.
    #[error(
        "{}: not a replications directory ({why}{}); write one with `tplus run FILE --replications N`",
        .dir.display(),
        .source.as_ref().map(|e| format!(": {e}")).unwrap_or_default()
    )]
    NotReplications {
        /// The directory given.
        dir: PathBuf,
        /// What is missing or wrong.
        why: String,
        /// The reader's or parser's error behind it, if any.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// A replications directory whose `replications.json` lists a seed
    /// whose run, or a file of it the comparison reads, is gone.
    #[error(
        "{}: incomplete: {missing} is missing, though replications.json lists seed {seed}; the directory cannot be \
         compared without it: run the replications again into a new directory (`tplus run FILE --replications N`, \
         with the same --seed, and --control if it had one)",
        .dir.display()
    )]
    Incomplete {
        /// The replications directory.
        dir: PathBuf,
        /// The seed whose run is incomplete.
        seed: u64,
        /// What is missing, relative to `dir` (`runs/seed-102`).
        missing: String,
    },
    /// `compare` given one directory as both control and treatment.
    #[error(
        "{} and {} are the same directory: each run would be paired with itself, so every difference would be 0 \
         and say nothing; give the control's replications and the treatment's",
        .control.display(),
        .treatment.display()
    )]
    SameDirectory {
        /// The control directory given.
        control: PathBuf,
        /// The treatment directory given.
        treatment: PathBuf,
    },
    /// Two replication directories whose runs cannot be paired.
    #[error("cannot pair {} with {}: {why}", .control.display(), .treatment.display())]
    Unpaired {
        /// The control directory.
        control: PathBuf,
        /// The treatment directory.
        treatment: PathBuf,
        /// Which seeds or which part of the scenarios differ.
        why: String,
    },
    /// A run failed (could not start, panicked, or its cash failed the checks).
    #[error("the run with seed {seed}{arm} failed: {source}")]
    Run {
        /// The run's seed.
        seed: u64,
        /// " (control)" for a control run, else empty.
        arm: &'static str,
        /// Why.
        #[source]
        source: RunFailure,
    },
    /// The comparison's plot could not be drawn (plotters' error, whose
    /// type depends on the backend).
    #[error("cannot draw {}: {source}", .path.display())]
    Plot {
        /// The plot's file.
        path: PathBuf,
        /// What plotters said.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A file could not be read or written.
    #[error(transparent)]
    Io(#[from] FileError),
    /// Stopped before the end ([`ReplicateOptions::stop`]): nothing written.
    #[error("interrupted: no replication directory was written")]
    Interrupted,
}

/// Why one replication's run failed.
#[derive(Debug, thiserror::Error)]
pub enum RunFailure {
    /// It could not start or finish.
    #[error(transparent)]
    Run(#[from] crate::engine::RunError),
    /// Its cash failed the end-of-run checks.
    #[error(transparent)]
    Cash(#[from] crate::engine::CashError),
    /// It panicked (a bug of tplus), with the panic's message.
    #[error("the run panicked: {0}")]
    Panicked(String),
}

impl ReplicateError {
    /// The exit status `tplus` ends with: 2 for bad input, 1 for a failure.
    pub fn exit_status(&self) -> u8 {
        match self {
            ReplicateError::Io(e) if e.is_unusable_path() => 2,
            ReplicateError::Run { .. } | ReplicateError::Io(_) | ReplicateError::Plot { .. } => 1,
            ReplicateError::OutDir(e) => e.exit_code(),
            // As a shell reports a command ended by SIGINT.
            ReplicateError::Interrupted => 130,
            _ => 2,
        }
    }
}

/// Writes `bytes` to `dir/name` (under a temporary name, then renamed).
fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), ReplicateError> {
    use std::io::Write;
    crate::results::write_file(dir, name, |w| w.write_all(bytes)).map_err(FileError::at("write", &dir.join(name)))?;
    Ok(())
}

/// Pretty JSON with a final line break.
fn json_text(value: &serde_json::Value) -> String {
    let mut s = serde_json::to_string_pretty(value).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_count_up_from_the_scenarios() {
        assert_eq!(replication_seed(42, 0), 42);
        assert_eq!(replication_seed(42, 3), 45);
        assert_eq!(replication_seed(u64::MAX, 1), 0);
    }
}
