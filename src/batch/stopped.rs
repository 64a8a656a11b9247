//! The record of a sweep invocation stopped by a signal. A stopped sweep
//! exits at once (`cli::interrupt`), so its own end-of-run write of
//! `sweep.json` never happens; [`record_stop`] writes the invocation's
//! record from the rows on disk instead, so that the provenance credits
//! the runs it computed and says how it ended, whether or not the sweep is
//! ever resumed (a Slurm task cancelled for good, say).

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::SystemTime;

use serde_json::Value;

use super::{BatchError, csv, read_json, write_json};
use crate::results::{FileError, utc_stamp};

/// Whether this process may still append rows to a `sweep.csv`: a stop
/// closes it ([`seal_appends`]) before it counts the rows it records, and a
/// worker appends while holding it ([`append`]), so that no row lands after
/// the count, or after the lock that stop then releases.
static APPENDS_OPEN: Mutex<bool> = Mutex::new(true);

fn appends_open() -> MutexGuard<'static, bool> {
    APPENDS_OPEN.lock().unwrap_or_else(|e| e.into_inner())
}

/// Runs `write` (a row's append) unless a stop has sealed this process's
/// appends; `None` if it has (the row is not written, the resume computes
/// it). A stop waits for a write in progress.
pub(super) fn append<T>(write: impl FnOnce() -> T) -> Option<T> {
    let open = appends_open();
    if *open { Some(write()) } else { None }
}

/// Ends this process's appends to `sweep.csv` for good, once any append in
/// progress is done: a stopping signal's first step, before the rows are
/// counted and the lock released. For a process about to exit: every sweep
/// it runs from then on returns [`BatchError::Stopped`] and holds its
/// directory's lock until the process ends.
pub fn seal_appends() {
    *appends_open() = false;
}

/// Whether a stop has sealed the appends: the sweep's runs ended because a
/// stopping signal is recording the invocation and ending the process, so
/// the sweep must not go on to write itself complete.
pub(super) fn sealed() -> bool {
    !*appends_open()
}

/// Output directories whose sweep this process finished: their last record
/// is written (or being written, under `RUNNING`).
static FINISHED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Whether this process's sweep in `dir` has finished, every run recorded:
/// waits for a last record being written, so that the caller (a stopping
/// signal's) finds the files whole.
pub fn sweep_finished(dir: &Path) -> bool {
    let _last_record = running();
    FINISHED.lock().unwrap_or_else(|e| e.into_inner()).iter().any(|d| d == dir)
}

/// Output directories of the sweeps this process is running, from their
/// first record in `sweep.json` to their last.
static RUNNING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn running() -> MutexGuard<'static, Vec<PathBuf>> {
    RUNNING.lock().unwrap_or_else(|e| e.into_inner())
}

/// A sweep's invocation, running into `dir` since it wrote its first record.
pub(super) struct Running {
    dir: PathBuf,
}

impl Running {
    pub(super) fn register(dir: &Path) -> Running {
        running().push(dir.to_path_buf());
        Running { dir: dir.to_path_buf() }
    }

    /// The invocation is ending normally: hold the guard over its last write
    /// of `sweep.json`, so that a stop meanwhile waits for it and then finds
    /// nothing to record.
    pub(super) fn finish(mut self) -> MutexGuard<'static, Vec<PathBuf>> {
        let mut all = running();
        all.retain(|d| *d != self.dir);
        FINISHED.lock().unwrap_or_else(|e| e.into_inner()).push(self.dir.clone());
        self.dir = PathBuf::new();
        all
    }
}

impl Drop for Running {
    /// Ends the registration, unless a stop has sealed the appends: that
    /// stop's [`record_stop`] then owns the invocation's record, and finds
    /// it registered whenever it looks.
    fn drop(&mut self) {
        if !self.dir.as_os_str().is_empty() && !sealed() {
            running().retain(|d| *d != self.dir);
        }
    }
}

/// Records in `dir/sweep.json` that this process's sweep there was stopped
/// `by` a signal (`"SIGINT"`, …): its invocation's end time, the runs it
/// computed and the failed ones among them, read from the complete rows of
/// `sweep.csv` after those it kept. Nothing is written when no sweep of this
/// process is running there, or when it has just written its own last
/// record; a file that cannot be read or written is left as it is (the
/// rows on disk remain the state a resume reads).
pub fn record_stop(dir: &Path, by: &str) {
    let all = running();
    if all.iter().any(|d| d == dir) {
        let _ = write_stopped(dir, by);
    }
    drop(all);
}

fn write_stopped(dir: &Path, by: &str) -> Result<(), BatchError> {
    let Some((def, mut provenance)) = read_json(dir)? else { return Ok(()) };
    let columns: Vec<String> = def
        .get("columns")
        .and_then(Value::as_array)
        .map(|c| c.iter().filter_map(Value::as_str).map(String::from).collect())
        .unwrap_or_default();
    let Some(status) = columns.iter().position(|c| c == "status") else { return Ok(()) };
    let path = dir.join("sweep.csv");
    let file = std::fs::File::open(&path).map_err(FileError::at("read", &path))?;
    let Some(me) = provenance.get_mut("invocations").and_then(Value::as_array_mut).and_then(|a| a.last_mut()) else {
        return Ok(());
    };
    let kept = me.get("runs_kept").and_then(Value::as_u64).unwrap_or(0) as usize;
    // Counted row by row: a stop need not hold the file.
    let (mut rows, mut failed, mut computed, mut computed_failed) = (0, 0, 0, 0);
    let read = csv::read_rows(std::io::BufReader::new(file), &csv::header_line(&columns), columns.len(), status, |r| {
        if rows >= kept {
            computed += 1;
            computed_failed += usize::from(r.failed);
        }
        rows += 1;
        failed += usize::from(r.failed);
    });
    if read.is_err() {
        return Ok(());
    }
    me["finished_utc"] = Value::from(utc_stamp(SystemTime::now(), true));
    me["stopped_by"] = Value::from(by);
    me["runs_computed"] = Value::from(computed);
    me["runs_failed"] = Value::from(computed_failed);
    provenance["complete"] = Value::from(false);
    provenance["rows"] = Value::from(rows);
    provenance["failed_rows"] = Value::from(failed);
    write_json(dir, &def, &provenance)
}
