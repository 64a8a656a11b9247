//! A run's results on disk: `metrics.csv`, `risk.csv`, `summary.json`,
//! `trades.csv`, `manifest.json`, `credit_fit.csv` when the scenario refits
//! its scorecard and, on request, `events.csv`, in one run directory.
//!
//! Every file is written under a temporary name of its own
//! (`.NAME.PID-N.partial`, created exclusively, never through a symlink) and
//! renamed when complete, and `manifest.json` is written last: a directory
//! with a manifest is a finished run, and a killed run never leaves a half
//! file that looks whole. A run holds its directory's lock ([`outdir`]) while
//! it writes.

use std::borrow::Cow;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;

/// The version a run's, a sweep's and a comparison's files record, as
/// `tplus --version` prints it: the package version and the git commit
/// built from, with ", modified" if the tree differed from it (`0.1.0
/// (7c9c251, modified)`); the version alone when built outside a git
/// checkout (see build.rs). Two builds of one package version are told
/// apart, so a run can be repeated with the build that made it.
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), env!("TPLUS_VERSION_SUFFIX"));

pub mod credit_fit;
pub mod events;
pub mod line;
pub mod lock;
pub mod manifest;
pub mod outdir;
pub mod read;
pub mod run_dir;

use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use crate::columns;
use crate::engine::Outcome;
use crate::engine::footprint;
use crate::engine::record::{OpRecord, Recorder, TradeRecord};
use crate::metrics::{Summary, SummaryFile, risk};
use crate::scenario::{Date, Scenario};
use line::Line;
use manifest::{Manifest, MemoryUse};

/// Bytes a file takes between syncs while it is written.
const SYNC_EVERY: usize = 4 << 20;

/// A file that syncs its data to disk every 4 MB (`SYNC_EVERY`) as it is
/// written, so that the sync before its rename waits for the last few
/// megabytes only. Unsynced, the whole file sits in the page cache until
/// then: the baseline's 15 MB `trades.csv` took 25–30 ms to sync at the end
/// of a run, and the summary's files queued behind it.
#[derive(Debug)]
pub struct SyncingFile {
    file: File,
    unsynced: usize,
}

impl Write for SyncingFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.file.write(buf)?;
        self.unsynced += n;
        if self.unsynced >= SYNC_EVERY {
            self.file.sync_data()?;
            self.unsynced = 0;
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

/// A file being written under a temporary name.
pub struct PartialFile {
    path: PathBuf,
    tmp: PathBuf,
    out: BufWriter<SyncingFile>,
    /// Renamed to its real name.
    done: bool,
}

/// Writes a line of `args` to stderr, if it can: a sweep's progress and
/// notes are not worth a panic when stderr is closed or full (std's
/// `eprintln!` panics then), and the command's exit status still tells.
pub fn say(args: std::fmt::Arguments<'_>) {
    let mut e = io::stderr().lock();
    let _ = e.write_fmt(args).and_then(|()| e.write_all(b"\n"));
}

/// Tells apart the temporary files one process opens.
static PARTIALS: AtomicU64 = AtomicU64::new(0);

impl PartialFile {
    /// Opens `dir/.name.PID-N.partial` for writing; [`finish`](Self::finish)
    /// renames it to `dir/name`, so a reader never sees a half-written file
    /// under its real name. The name is this file's alone and is created
    /// exclusively (`O_EXCL`, which does not follow a symlink planted there);
    /// dropped unfinished, the file is removed.
    pub fn create(dir: &Path, name: &str) -> io::Result<PartialFile> {
        let n = PARTIALS.fetch_add(1, Ordering::Relaxed);
        let tmp = dir.join(format!(".{name}.{}-{n}.partial", std::process::id()));
        let file = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        let file = SyncingFile { file, unsynced: 0 };
        Ok(PartialFile { path: dir.join(name), tmp, out: BufWriter::with_capacity(1 << 20, file), done: false })
    }

    /// The buffered writer to write the file's contents to.
    pub fn writer(&mut self) -> &mut BufWriter<SyncingFile> {
        &mut self.out
    }

    /// Flushes and syncs the file, still under its temporary name: a
    /// writer of several files that must appear together readies them all
    /// before it names any.
    pub fn ready(&mut self) -> io::Result<()> {
        self.out.flush()?;
        self.out.get_ref().file.sync_data()
    }

    /// Flushes, syncs and gives the file its real name.
    pub fn finish(mut self) -> io::Result<PathBuf> {
        self.out.flush()?;
        self.out.get_ref().file.sync_data()?;
        fs::rename(&self.tmp, &self.path)?;
        self.done = true;
        Ok(std::mem::take(&mut self.path))
    }
}

impl Drop for PartialFile {
    /// An unfinished file (an error on the way) leaves nothing behind.
    fn drop(&mut self) {
        if !self.done {
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

/// A file or directory that could not be created, read or written: what was
/// being done, to which path, and what the system said. The output
/// directory's, the sweeps' and the replications' errors all carry it, so the
/// message reads the same from each.
#[derive(Debug, thiserror::Error)]
#[error("cannot {what} {}: {source}", .path.display())]
pub struct FileError {
    /// What was being done: "create", "read", "write", "rename" …
    pub what: &'static str,
    /// The file or directory.
    pub path: PathBuf,
    /// What the system said.
    #[source]
    pub source: io::Error,
}

impl FileError {
    /// The error of doing `what` to `path`.
    pub fn new(what: &'static str, path: &Path, source: io::Error) -> FileError {
        FileError { what, path: path.to_path_buf(), source }
    }

    /// Whether the path itself is what must change: a directory or file
    /// that cannot be made where the user put it (no such parent, a file or
    /// a device in the way, no permission, a read-only or invalid name), as
    /// against a file system failing under a good path (full, an I/O error).
    pub fn is_unusable_path(&self) -> bool {
        matches!(self.what, "create" | "write in")
            && (self.source.kind() == io::ErrorKind::AlreadyExists || self.is_unusable_place())
    }

    /// Whether the system refused a file in a place that takes none: no
    /// such directory (a pseudo file system's, such as `/proc`), not a
    /// directory, no permission, read-only, or an invalid name.
    pub fn is_unusable_place(&self) -> bool {
        use io::ErrorKind as K;
        matches!(
            self.source.kind(),
            K::NotFound | K::NotADirectory | K::PermissionDenied | K::ReadOnlyFilesystem | K::InvalidFilename
        )
    }

    /// Whether the system refused for want of permission (or a read-only
    /// file system): the user's to change, not a failing disk.
    pub fn is_denied(&self) -> bool {
        matches!(self.source.kind(), io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem)
    }

    /// [`FileError::new`] waiting for its cause, for `map_err`.
    pub fn at(what: &'static str, path: &Path) -> impl FnOnce(io::Error) -> FileError + use<> {
        let path = path.to_path_buf();
        move |source| FileError { what, path, source }
    }
}

/// Writes one whole file through a [`PartialFile`]: `f` writes its
/// contents, and the file appears under its name only once complete.
pub fn write_file(
    dir: &Path,
    name: &str,
    f: impl FnOnce(&mut BufWriter<SyncingFile>) -> io::Result<()>,
) -> io::Result<()> {
    let mut file = PartialFile::create(dir, name)?;
    f(file.writer())?;
    file.finish().map(|_| ())
}

/// Writes each `(name, bytes)` into `dir`, all or none: every file is
/// written and synced under a temporary name before any takes its own, and
/// a directory in a file's place is found before any is written (its
/// rename would fail only after the files before it had theirs). Returns
/// the paths written, in order; on failure, the path and what the system
/// said, with none of the files left.
pub fn write_all_or_none(dir: &Path, files: &[(&str, &[u8])]) -> Result<Vec<PathBuf>, (PathBuf, io::Error)> {
    if let Some((name, _)) = files.iter().find(|(name, _)| dir.join(name).is_dir()) {
        let e = io::Error::new(io::ErrorKind::IsADirectory, "a directory has the file's name");
        return Err((dir.join(name), e));
    }
    let mut ready = Vec::with_capacity(files.len());
    for (name, bytes) in files {
        let path = dir.join(name);
        let written = PartialFile::create(dir, name).and_then(|mut file| {
            file.writer().write_all(bytes)?;
            file.ready()?;
            Ok(file)
        });
        match written {
            Ok(file) => ready.push((path, file)),
            Err(e) => return Err((path, e)),
        }
    }
    ready.into_iter().map(|(path, file)| file.finish().map_err(|e| (path, e))).collect()
}

/// The recorder a run writes through: trades (and the log) stream to disk as
/// the run goes; the first I/O error is kept and reported at the end.
/// One record for the line files.
#[derive(Clone, Copy, Debug)]
enum Record {
    Trade(TradeRecord),
    Op(OpRecord),
}

/// Records handed to the writer thread at a time.
const CHUNK: usize = 4096;

/// What the run tells the writer thread.
enum Msg {
    Chunk(Vec<Record>),
    /// Everything is sent: finish the files. Without it (a run abandoned on
    /// an error) they keep their temporary names.
    Finish,
}

/// Formats `t` as its line of `trades.csv` into `l` (without the line
/// break); `products` are the products' ids and tick sizes in micros.
pub fn trade_line(l: &mut Line, t: &TradeRecord, products: &[(String, i64)]) {
    let (id, tick) = &products[t.product as usize];
    l.secs(t.time).comma().str(id).comma().micros(t.price * tick).comma().uint(u64::from(t.lots)).comma();
    l.uint(u64::from(t.buyer)).comma().uint(u64::from(t.seller)).comma();
    l.uint(t.buy_order).comma().uint(t.sell_order).comma().str(events::side_name(t.aggressor));
}

/// The line files and the state that formats them; lives on the writer thread.
struct LineFiles {
    products: Vec<(String, i64)>,
    line: Line,
    trades: PartialFile,
    ops: Option<PartialFile>,
}

impl LineFiles {
    fn write(&mut self, r: &Record) -> io::Result<()> {
        match r {
            Record::Trade(t) => {
                trade_line(&mut self.line, t, &self.products);
                self.line.flush_to(self.trades.writer())
            }
            Record::Op(op) => match self.ops.as_mut() {
                Some(f) => {
                    events::format_op(&mut self.line, op, &self.products);
                    self.line.flush_to(f.writer())
                }
                None => Ok(()),
            },
        }
    }

    /// Writes chunks until the run hangs up, then finishes the files.
    fn serve(mut self, rx: Receiver<Msg>, back: SyncSender<Vec<Record>>) -> io::Result<Vec<PathBuf>> {
        let mut failed = None;
        let mut finish = false;
        for msg in rx {
            let mut chunk = match msg {
                Msg::Chunk(chunk) => chunk,
                Msg::Finish => {
                    finish = true;
                    break;
                }
            };
            if failed.is_none() {
                for r in &chunk {
                    if let Err(e) = self.write(r) {
                        failed = Some(e);
                        break;
                    }
                }
            }
            chunk.clear();
            // The run may have finished already; then the buffer is simply dropped.
            let _ = back.try_send(chunk);
        }
        if let Some(e) = failed {
            return Err(e);
        }
        if !finish {
            return Ok(Vec::new());
        }
        let mut files = vec![self.trades.finish()?];
        if let Some(ops) = self.ops {
            files.push(ops.finish()?);
        }
        Ok(files)
    }
}

/// Writes a run's files. The per-event files (`trades.csv`, `events.csv`)
/// are formatted and written on a thread of their own, fed in chunks, so a
/// run's own thread spends no time on text; their content does not depend
/// on it.
pub struct RunWriter {
    chunk: Vec<Record>,
    to_writer: Option<SyncSender<Msg>>,
    /// Emptied chunks coming back for reuse.
    spare: Receiver<Vec<Record>>,
    writer: Option<JoinHandle<io::Result<Vec<PathBuf>>>>,
    wants_ops: bool,
}

impl RunWriter {
    /// Creates `dir` and starts the run's output files there (`trades.csv`, and
    /// `events.csv` when `log_ops`) with a writer thread, so writing overlaps the
    /// simulation.
    pub fn create(dir: &Path, scenario: &Scenario, log_ops: bool) -> io::Result<RunWriter> {
        fs::create_dir_all(dir)?;
        let products = product_ticks(scenario);
        let mut trades = PartialFile::create(dir, "trades.csv")?;
        writeln!(trades.writer(), "{}", columns::trades::HEADER)?;
        let ops = if log_ops {
            let mut f = PartialFile::create(dir, "events.csv")?;
            writeln!(f.writer(), "{}", columns::events::HEADER)?;
            Some(f)
        } else {
            None
        };
        let files = LineFiles { products, line: Line::new(), trades, ops };
        let (to_writer, rx) = sync_channel(4);
        let (back, spare) = sync_channel(4);
        let writer = std::thread::Builder::new().name("tplus-writer".into()).spawn(move || files.serve(rx, back))?;
        Ok(RunWriter {
            chunk: Vec::with_capacity(CHUNK),
            to_writer: Some(to_writer),
            spare,
            writer: Some(writer),
            wants_ops: log_ops,
        })
    }

    #[inline]
    fn record(&mut self, r: Record) {
        self.chunk.push(r);
        if self.chunk.len() == CHUNK {
            self.send();
        }
    }

    fn send(&mut self) {
        let next = self.spare.try_recv().unwrap_or_else(|_| Vec::with_capacity(CHUNK));
        let full = std::mem::replace(&mut self.chunk, next);
        if let Some(tx) = &self.to_writer
            && tx.send(Msg::Chunk(full)).is_err()
        {
            // The writer stopped on an error; it reports it when joined.
            self.to_writer = None;
        }
    }

    /// Sends what is left and waits for the line files to be complete.
    /// Hands the writer thread the last records and tells it to finish its files.
    fn end_lines(&mut self) {
        if !self.chunk.is_empty() {
            self.send();
        }
        if let Some(tx) = self.to_writer.take() {
            let _ = tx.send(Msg::Finish);
        }
    }

    /// Waits for the writer thread; the line files it finished.
    fn join_lines(&mut self) -> io::Result<Vec<PathBuf>> {
        match self.writer.take().map(JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(io::Error::other("the file writer thread failed")),
            None => Ok(Vec::new()),
        }
    }

    /// Writes the remaining files, `manifest.json` last; returns the summary
    /// it wrote. A run whose cash fails [`Outcome::check`] is written too,
    /// and its manifest says why in `failure` (null for a sound run).
    ///
    /// When a file cannot be written (a full disk), every file a run writes
    /// there is removed, `manifest.json` first: no results are left without
    /// a manifest, nor a manifest without its results.
    pub fn finish(mut self, dir: &Path, scenario: &Scenario, outcome: &Outcome, threads: usize) -> io::Result<Summary> {
        // The writer thread flushes and syncs the line files while this one
        // computes and writes the rest.
        self.end_lines();
        let mut put = |name: &str, f: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>| write_file(dir, name, |w| f(w));
        let ended = end_files(scenario, outcome, &mut put);
        let lines = self.join_lines();
        let result = match (ended, lines) {
            (Ok((written, file)), Ok(mut files)) => {
                files.extend(written.into_iter().map(|f| dir.join(f)));
                let sized = files
                    .iter()
                    .filter_map(|f| Some((f.file_name()?.to_string_lossy().into_owned(), fs::metadata(f).ok()?.len())))
                    .collect();
                let manifest = manifest(scenario, outcome, threads, sized);
                write_file(dir, "manifest.json", |w| json(w, &manifest)).map(|()| file.summary)
            }
            (Err(e), _) | (_, Err(e)) => Err(e),
        };
        if result.is_err() {
            // Every file a run writes here, `manifest.json` first: one left
            // by an earlier attempt (a sweep's `--retry-failed` reruns into
            // its run's directory) must not vouch for files now gone. The
            // line files too: the writer thread may have put one in place
            // before another failed.
            for name in [
                "manifest.json",
                "summary.json",
                "metrics.csv",
                "risk.csv",
                "credit_fit.csv",
                "trades.csv",
                "events.csv",
            ] {
                let _ = fs::remove_file(dir.join(name));
            }
        }
        result
    }
}

/// Where [`end_files`] puts a whole file: its name and a function that
/// writes its contents (to a directory, or to memory).
type PutFile<'a> = dyn FnMut(&str, &mut dyn FnMut(&mut dyn Write) -> io::Result<()>) -> io::Result<()> + 'a;

/// The files computed once the run has ended (`metrics.csv`, `risk.csv`,
/// `credit_fit.csv` with a refitted scorecard, `summary.json`), each given
/// to `put` in that order: one code path for a run written to disk and a
/// run kept in memory, so their bytes are the same. Returns the names
/// written and `summary.json`'s contents.
fn end_files(
    scenario: &Scenario,
    outcome: &Outcome,
    put: &mut PutFile<'_>,
) -> io::Result<(Vec<&'static str>, SummaryFile)> {
    put("metrics.csv", &mut |w| outcome.metrics.write_csv(&outcome.calendar, &outcome.products, &mut { w }))?;
    let (flags, risk) = risk_report(scenario, outcome);
    put("risk.csv", &mut |w| risk::write_csv(&flags, &mut { w }))?;
    let mut written = vec!["metrics.csv", "risk.csv"];
    let fitted = outcome.credit_fit.as_deref().zip(scenario.credit.fit.as_ref());
    if let Some((rows, _)) = fitted {
        put("credit_fit.csv", &mut |w| credit_fit::write_csv(rows, &outcome.calendar, &mut { w }))?;
        written.push("credit_fit.csv");
    }
    let file = SummaryFile {
        scenario: scenario.simulation.name.clone(),
        seed: outcome.seed,
        summary: outcome.metrics.summary(&outcome.products, risk),
        credit_fit: fitted.map(|(rows, fit)| credit_fit::summary(rows, fit)),
    };
    put("summary.json", &mut |w| json(&mut { w }, &file))?;
    written.push("summary.json");
    Ok((written, file))
}

/// The risk report of a finished run ([`risk::report`]) over its business
/// days' session hours, with the scenario's threshold.
pub fn risk_report(scenario: &Scenario, outcome: &Outcome) -> (Vec<risk::Flag>, risk::RiskSummary) {
    let sim = &scenario.simulation;
    let days = outcome.calendar.days().len() as f64;
    let session_hours = days * (sim.close.0 - sim.open.0) as f64 / 3.6e12;
    risk::report(&outcome.customers, session_hours, days, scenario.metrics.risk_threshold)
}

/// `manifest.json`'s contents for a finished run whose files are `files`
/// (name, size in bytes), in the order written.
fn manifest<'a>(
    scenario: &'a Scenario,
    outcome: &'a Outcome,
    threads: usize,
    files: Vec<(String, u64)>,
) -> Manifest<Cow<'a, Scenario>, &'a crate::engine::RunStats> {
    // Each group's parameters as the run used them, defaults filled in,
    // where the run knows them.
    let mut scenario = Cow::Borrowed(scenario);
    if outcome.params_in_effect.len() == scenario.agents.len() {
        for (g, params) in scenario.to_mut().agents.iter_mut().zip(&outcome.params_in_effect) {
            g.params = params.clone();
        }
    }
    Manifest {
        tool: "tplus".to_string(),
        version: Some(VERSION.to_string()),
        created_utc: utc_stamp(SystemTime::now(), true),
        seed: Some(outcome.seed),
        threads,
        wall_seconds: outcome.stats.wall.as_secs_f64(),
        memory: MemoryUse {
            estimated_peak_bytes: outcome.stats.estimated_peak_bytes,
            process_peak_rss_bytes: footprint::process_peak_rss(),
        },
        counts: &outcome.stats,
        cash_conserved: outcome.cash_start == outcome.cash_end,
        accounts_non_negative: outcome.accounts_sound,
        failure: outcome.check().err().map(|e| e.to_string()),
        file_bytes: files.iter().cloned().collect(),
        files: files.into_iter().map(|(name, _)| name).collect(),
        scenario,
    }
}

/// A recorder that keeps a run's line files (`trades.csv`, and `events.csv`
/// when the log is asked for) in memory, formatted by the same code as
/// [`RunWriter`]'s writer thread: for a front end that hands the results
/// over without touching the disk (the Python package), and writes them
/// later with [`RunFiles::save`] if asked.
pub struct MemoryRecorder {
    products: Vec<(String, i64)>,
    line: Line,
    trades: Vec<u8>,
    ops: Option<Vec<u8>>,
}

impl MemoryRecorder {
    /// An empty recorder for a run of `scenario`, the headers written;
    /// `log_ops` also keeps the operation log.
    pub fn new(scenario: &Scenario, log_ops: bool) -> MemoryRecorder {
        let header = |h: &str| format!("{h}\n").into_bytes();
        MemoryRecorder {
            products: product_ticks(scenario),
            line: Line::new(),
            trades: header(columns::trades::HEADER),
            ops: log_ops.then(|| header(columns::events::HEADER)),
        }
    }

    /// The run's whole set of files, `manifest.json` last, as
    /// [`RunWriter::finish`] would write them for the same run.
    pub fn finish(self, scenario: &Scenario, outcome: &Outcome, threads: usize) -> io::Result<RunFiles> {
        let mut files = vec![("trades.csv".to_string(), self.trades)];
        if let Some(ops) = self.ops {
            files.push(("events.csv".to_string(), ops));
        }
        let mut put = |name: &str, f: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>| {
            let mut bytes = Vec::new();
            f(&mut bytes)?;
            files.push((name.to_string(), bytes));
            Ok(())
        };
        let (_, file) = end_files(scenario, outcome, &mut put)?;
        let sized = files.iter().map(|(n, b)| (n.clone(), b.len() as u64)).collect();
        let mut bytes = Vec::new();
        json(&mut bytes, &manifest(scenario, outcome, threads, sized))?;
        files.push(("manifest.json".to_string(), bytes));
        Ok(RunFiles { files, summary: file.summary })
    }
}

impl Recorder for MemoryRecorder {
    fn trade(&mut self, t: &TradeRecord) {
        trade_line(&mut self.line, t, &self.products);
        // Writing to a Vec cannot fail.
        let _ = self.line.flush_to(&mut self.trades);
    }

    fn wants_ops(&self) -> bool {
        self.ops.is_some()
    }

    fn op(&mut self, op: &OpRecord) {
        if let Some(ops) = self.ops.as_mut() {
            events::format_op(&mut self.line, op, &self.products);
            let _ = self.line.flush_to(ops);
        }
    }
}

/// A finished run's files in memory: each file's name and bytes, in the
/// order a run directory's manifest lists them, `manifest.json` last.
#[derive(Clone, Debug)]
pub struct RunFiles {
    /// (file name, contents), `manifest.json` last.
    pub files: Vec<(String, Vec<u8>)>,
    /// `summary.json`'s summary.
    pub summary: Summary,
}

impl RunFiles {
    /// The contents of file `name` (`trades.csv`, `metrics.csv`, …), if the run wrote it.
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.files.iter().find(|(n, _)| n == name).map(|(_, b)| b.as_slice())
    }

    /// Writes the files into `dir` as `tplus run --out DIR` does: the
    /// directory locked and refused unless empty (with `force`, a run's
    /// files there removed first), each file under a temporary name then
    /// renamed, `manifest.json` last.
    pub fn save(&self, dir: &Path, force: bool) -> Result<(), SaveError> {
        let _lock = outdir::prepare_run_dir(dir, force)?;
        for (name, bytes) in &self.files {
            write_file(dir, name, |w| w.write_all(bytes))
                .map_err(|source| SaveError::Io { path: dir.join(name), source })?;
        }
        Ok(())
    }
}

/// Why [`RunFiles::save`] could not write a run's files.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SaveError {
    /// The directory cannot take a run (another process holds it, it is a
    /// file, or it holds files).
    #[error(transparent)]
    OutDir(#[from] outdir::OutDirError),
    /// A file could not be written.
    #[error("cannot write {}: {source}", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: io::Error,
    },
}

impl SaveError {
    /// The message, with the directory and the permission named in `terms`
    /// (`Display` names the command line's `--out` and `--force`).
    pub fn message(&self, terms: outdir::Terms) -> String {
        match self {
            SaveError::OutDir(e) => e.message(terms),
            SaveError::Io { .. } => self.to_string(),
        }
    }
}

/// The products' ids and tick sizes in micros, as the line files print prices.
fn product_ticks(scenario: &Scenario) -> Vec<(String, i64)> {
    scenario.products.iter().map(|p| (p.id.clone(), p.tick_micros())).collect()
}

fn json(w: &mut impl Write, value: &impl Serialize) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, value)?;
    w.write_all(b"\n")
}

impl Recorder for RunWriter {
    fn trade(&mut self, t: &TradeRecord) {
        self.record(Record::Trade(*t));
    }

    fn wants_ops(&self) -> bool {
        self.wants_ops
    }

    fn op(&mut self, op: &OpRecord) {
        self.record(Record::Op(*op));
    }
}

impl Drop for RunWriter {
    /// A run abandoned before `finish` stops its writer thread; the
    /// temporary files stay temporary.
    fn drop(&mut self) {
        self.to_writer = None;
        if let Some(w) = self.writer.take() {
            let _ = w.join();
        }
    }
}

/// `20261125T061500Z` (compact, for directory names) or `2026-11-25T06:15:00Z`.
pub fn utc_stamp(t: SystemTime, readable: bool) -> String {
    let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()) as i64;
    let date = Date::from_days_since_epoch(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    let (h, m, sec) = (s / 3600, s / 60 % 60, s % 60);
    if readable {
        format!("{date}T{h:02}:{m:02}:{sec:02}Z")
    } else {
        format!("{:04}{:02}{:02}T{h:02}{m:02}{sec:02}Z", date.year, date.month, date.day)
    }
}

/// The default run directory `root/<scenario>/<UTC time>-seed<seed>`
/// followed by `suffix` (e.g. `-x20-replications`, or nothing). Whoever
/// takes it moves to `-2`, `-3`, … when it is held or filled
/// ([`outdir::prepare_new_run_dir`], and replications' staging), since a
/// check here could not see a run that starts in the same second.
pub fn default_run_dir(root: &Path, scenario: &str, seed: u64, suffix: &str) -> PathBuf {
    root.join(scenario).join(format!("{}-seed{seed}{suffix}", utc_stamp(SystemTime::now(), false)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_written_together_appear_all_or_none() {
        let dir = std::env::temp_dir().join(format!("tplus-all-or-none-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("b.svg")).unwrap();
        let files: [(&str, &[u8]); 3] = [("a.svg", b"a"), ("b.svg", b"b"), ("report.md", b"r")];
        let (path, e) = write_all_or_none(&dir, &files).unwrap_err();
        assert_eq!((path, e.kind()), (dir.join("b.svg"), io::ErrorKind::IsADirectory));
        let left: Vec<_> = fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(left, ["b.svg"], "nothing written beside the directory");
        fs::remove_dir(dir.join("b.svg")).unwrap();
        let written = write_all_or_none(&dir, &files).unwrap();
        assert_eq!(written, files.map(|(n, _)| dir.join(n)));
        assert_eq!(fs::read(dir.join("report.md")).unwrap(), b"r");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn partial_files_appear_only_when_finished() {
        let dir = std::env::temp_dir().join(format!("tplus-partial-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let mut f = PartialFile::create(&dir, "x.csv").unwrap();
        writeln!(f.writer(), "a,b").unwrap();
        assert!(!dir.join("x.csv").exists());
        let partials = || {
            fs::read_dir(&dir)
                .unwrap()
                .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().ends_with(".partial"))
                .count()
        };
        assert_eq!(partials(), 1);
        // A second writer of the same name gets a file of its own.
        let other = PartialFile::create(&dir, "x.csv").unwrap();
        assert_eq!(partials(), 2);
        drop(other);
        assert_eq!(partials(), 1, "an unfinished file is removed when dropped");
        f.finish().unwrap();
        assert_eq!(fs::read_to_string(dir.join("x.csv")).unwrap(), "a,b\n");
        assert_eq!(partials(), 0);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_file_synced_as_it_grows_keeps_every_byte() {
        let dir = std::env::temp_dir().join(format!("tplus-syncing-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let mut f = PartialFile::create(&dir, "big.csv").unwrap();
        // Lines of uneven lengths across two and a half sync periods.
        let mut want = Vec::new();
        let mut i = 0u64;
        while want.len() < 2 * SYNC_EVERY + SYNC_EVERY / 2 {
            let line = format!("{i},{}\n", "x".repeat((i % 97) as usize));
            f.writer().write_all(line.as_bytes()).unwrap();
            want.extend_from_slice(line.as_bytes());
            i += 1;
        }
        assert!(f.writer().get_ref().unsynced < SYNC_EVERY);
        f.finish().unwrap();
        assert!(fs::read(dir.join("big.csv")).unwrap() == want);
        fs::remove_dir_all(&dir).unwrap();
    }

    /// A file that cannot be put in place (here `summary.json`, a directory
    /// by that name standing in for a full disk) takes back the run's files
    /// written before it, and an earlier attempt's `manifest.json`: no
    /// results without a manifest, no manifest without its results.
    #[test]
    fn a_run_that_cannot_write_a_file_leaves_none_of_its_files() {
        let registry = crate::agents::Registry::builtin();
        let text = include_str!("../../scenarios/baseline.toml");
        let mut s = crate::scenario::parse(Path::new("baseline.toml"), text, &registry).unwrap();
        s.simulation.days = 1;
        let dir = std::env::temp_dir().join(format!("tplus-unwritable-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("summary.json").join("in-the-way")).unwrap();
        fs::write(dir.join("manifest.json"), "{}").unwrap();
        let mut writer = RunWriter::create(&dir, &s, true).unwrap();
        let outcome =
            crate::engine::run(&s, &crate::engine::RunOptions { seed: None, threads: 1 }, &mut writer).unwrap();
        assert!(writer.finish(&dir, &s, &outcome, 1).is_err());
        let left: Vec<String> =
            fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        assert_eq!(left, ["summary.json"], "only what was there before");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn utc_stamps() {
        let t = UNIX_EPOCH + std::time::Duration::from_secs(1_795_000_000);
        assert_eq!(utc_stamp(t, true), "2026-11-18T11:06:40Z");
        assert_eq!(utc_stamp(t, false), "20261118T110640Z");
    }
}
