//! An output directory that never mixes runs.
//!
//! A run's directory is locked first ([`DirLock`], `lock.rs`: one writer
//! per directory); then [`prepare_run_dir`] refuses a directory that holds
//! anything, unless the user said `--force`: then it removes every file a
//! run writes ([`is_run_file`]) that is the run's there (a plot of one of
//! its products, the `scenario.toml` of a run saved live),
//! `manifest.json` (the completion marker) before the results, and nothing
//! else. A directory holding a sweep's, replications' or a comparison's
//! results it refuses even then, since a run there would sit beside them,
//! and so it does a directory inside their `runs/` (a replication's
//! `runs/seed-S`), which they would read as one of theirs.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::FileError;
pub use super::lock::Terms;
use super::lock::{DirLock, LOCK_FILE, LockError};

/// The files a run writes under their final names. `manifest.json` is the
/// completion marker: written last, removed before the results (after the
/// report and plots drawn from them).
pub const RUN_FILES: [&str; 10] = [
    "manifest.json",
    "metrics.csv",
    "summary.json",
    "trades.csv",
    "events.csv",
    "risk.csv",
    "credit_fit.csv",
    "report.md",
    // A live run saved from the terminal view.
    "scenario.toml",
    "live_changes.csv",
];

/// The stems of the plots `tplus report` (and `run --report`) draws into a
/// run directory, each followed by `_<product>` or nothing, then `.svg` or
/// `.png`. Kept here, below the report, so that `--force` knows them;
/// `tests/outdir.rs` checks every file the report writes is one.
pub const PLOT_STEMS: [&str; 6] = ["success", "volume", "scatter", "price", "rolling", "optimists"];

/// Files that mark a directory as another command's output, with what that
/// output is: `--force` replaces a run's files, never these, so a run there
/// would leave two kinds of result side by side.
const OTHER_OUTPUTS: [(&str, &str); 6] = [
    ("sweep.json", "a sweep"),
    ("sweep.csv", "a sweep"),
    ("replications.json", "replications"),
    ("replications.csv", "replications"),
    ("comparison.json", "a comparison"),
    ("comparison.csv", "a comparison"),
];

/// Why an output directory cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OutDirError {
    /// The path names a file.
    #[error("{}", self.message(Terms::CLI))]
    IsFile(PathBuf),
    /// The directory's lock could not be taken.
    #[error(transparent)]
    Lock(#[from] LockError),
    /// The directory holds files and `--force` was not given.
    #[error("{}", self.message(Terms::CLI))]
    NotEmpty {
        /// The directory.
        dir: PathBuf,
        /// Some of what it holds, in words.
        entries: String,
        /// What `--force` would remove, in words.
        removable: String,
    },
    /// The path cannot become a directory: it lies under a file, or it is
    /// a symbolic link to nothing.
    #[error("{}", self.message(Terms::CLI))]
    BadPath {
        /// The path given.
        dir: PathBuf,
        /// What is wrong with it.
        why: String,
    },
    /// The directory holds another command's output, which `--force` does
    /// not replace.
    #[error("{}", self.message(Terms::CLI))]
    OtherOutput {
        /// The directory.
        dir: PathBuf,
        /// What it holds: "a sweep", "replications", "a comparison".
        what: &'static str,
        /// The file that tells.
        file: &'static str,
    },
    /// The directory lies inside another command's output (a sweep's or
    /// replications' `runs/…`): a run written there would be read as one
    /// of theirs; or inside a finished run's directory, which holds that
    /// run's files alone.
    #[error("{}", self.message(Terms::CLI))]
    InsideOtherOutput {
        /// The directory.
        dir: PathBuf,
        /// The directory holding the other output.
        holder: PathBuf,
        /// What it holds: "a sweep", "replications", "a comparison", "a run".
        what: &'static str,
        /// The file that tells.
        file: &'static str,
    },
    /// Reading or writing the directory failed (with what to do, where the
    /// user may not write there).
    #[error("{}", self.message(Terms::CLI))]
    Io(#[from] FileError),
}

impl OutDirError {
    /// The message, with the directory and the permission named in `terms`.
    pub fn message(&self, terms: Terms) -> String {
        let Terms { dir: out, force, add_force } = terms;
        match self {
            OutDirError::IsFile(dir) => format!("{}: is a file, not a directory; choose another {out}", dir.display()),
            OutDirError::Lock(e) => e.message(terms),
            OutDirError::NotEmpty { dir, entries, removable } => format!(
                "{}: not empty (it holds {entries}); choose another {out}, or {add_force} to delete the files a run writes there ({removable}) and keep the rest",
                dir.display()
            ),
            OutDirError::BadPath { dir, why } => format!("{}: {why}; choose another {out}", dir.display()),
            OutDirError::OtherOutput { dir, what, file } => format!(
                "{}: holds the results of {what} ({file}), which a run does not replace, even with {force}; choose another {out} for the run",
                dir.display()
            ),
            OutDirError::InsideOtherOutput { dir, holder, what: RUN, file } => format!(
                "{}: lies inside the directory of {RUN} in {} ({file}), even with {force}: a run inside another's \
                 directory would be taken for part of it; choose another {out}, outside {}",
                dir.display(),
                holder.display(),
                holder.display()
            ),
            OutDirError::InsideOtherOutput { dir, holder, what, file } => format!(
                "{}: lies inside the results of {what} in {} ({file}), which no other command writes into, even with {force}: \
                 they would read it as one of theirs; choose another {out}, outside {}",
                dir.display(),
                holder.display(),
                holder.display()
            ),
            OutDirError::Io(e) if e.is_denied() => format!("{e}: {}", super::lock::denied_advice(e, terms)),
            OutDirError::Io(e) => e.to_string(),
        }
    }

    /// The exit code: 2 for a directory the user must change (bad usage), 1
    /// for a failing file system.
    pub fn exit_code(&self) -> u8 {
        match self {
            OutDirError::Io(e) if e.is_unusable_path() || e.is_denied() => 2,
            OutDirError::Io(_) => 1,
            OutDirError::Lock(e) => e.exit_code(),
            _ => 2,
        }
    }
}

/// Whether a file named `name` is one a run writes into its directory (a
/// result file, a plot of its report, or a temporary file of either).
pub fn is_run_file(name: &str) -> bool {
    if is_partial(name) {
        return true;
    }
    if RUN_FILES.contains(&name) {
        return true;
    }
    plot_product(name).is_some()
}

/// For a plot's name (a [`PLOT_STEMS`] stem, then `_<product>` or nothing,
/// then `.svg` or `.png`), the product (empty for none); None for another
/// name.
fn plot_product(name: &str) -> Option<&str> {
    let stem = name.strip_suffix(".svg").or_else(|| name.strip_suffix(".png"))?;
    PLOT_STEMS.iter().find_map(|p| match stem.strip_prefix(p)? {
        "" => Some(""),
        rest => rest.strip_prefix('_'),
    })
}

/// Whether a file named `name` is a temporary file of a result, plot or
/// report being written (`.NAME.PID-N.partial`, see `crate::results`).
fn is_partial(name: &str) -> bool {
    name.starts_with('.') && name.ends_with(".partial")
}

/// Removes from `dir` the temporary files process `pid` was writing there
/// (a file once whole is under its real name and stays), for a process
/// about to end at once on a second Ctrl-C; what cannot be removed is left
/// for the next run there, which clears it.
pub fn remove_partials_of(dir: &Path, pid: u32) {
    // `.NAME.PID-N.partial`: the PID is between the last dot before the
    // suffix and the dash.
    let of = |name: &str| -> Option<u32> {
        let (_, id) = name.strip_suffix(".partial")?.rsplit_once('.')?;
        id.split_once('-')?.0.parse().ok()
    };
    for e in fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if is_partial(&name) && of(&name) == Some(pid) {
            let _ = fs::remove_file(e.path());
        }
    }
}

/// Creates the output directory `dir` (and its parents) as a run, a sweep
/// or a merge does; a path that cannot become one for a reason the user can
/// see (a file, a file on the way, a link to nothing) is an error of exit
/// status 2 that says so, not the system's words alone.
pub fn create_out_dir(dir: &Path) -> Result<(), OutDirError> {
    if let Some(e) = not_a_dir(dir) {
        return Err(e);
    }
    let Err(e) = fs::create_dir_all(dir) else { return Ok(()) };
    let bad = |why: String| OutDirError::BadPath { dir: dir.to_path_buf(), why };
    if let Some(why) = under_a_file(dir) {
        return Err(bad(why));
    }
    if fs::symlink_metadata(dir).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(bad("is a symbolic link to a path that does not exist".into()));
    }
    Err(FileError::new("create", dir, e).into())
}

/// The error for a path that exists and is no directory: a file, or a
/// device or another special file (`/dev/null`), which "cannot create:
/// File exists" would not tell.
pub fn not_a_dir(dir: &Path) -> Option<OutDirError> {
    if dir.is_file() {
        Some(OutDirError::IsFile(dir.to_path_buf()))
    } else if dir.exists() && !dir.is_dir() {
        let why = "is not a directory (a device or another special file)".to_string();
        Some(OutDirError::BadPath { dir: dir.to_path_buf(), why })
    } else {
        None
    }
}

/// Whether `dir` could be an output directory, for a check before a long
/// job (`tplus sweep --check`): the refusals [`create_out_dir`] and
/// [`inside_other_output`] would give, without making anything, then
/// [`can_write`]. What the directory holds is the caller's to read.
///
/// # Errors
/// The error the command would give for `dir` before writing in it.
pub fn check_usable(dir: &Path) -> Result<(), OutDirError> {
    if let Some(e) = not_a_dir(dir).or_else(|| inside_other_output(dir)) {
        return Err(e);
    }
    if !dir.exists() {
        let bad = |why: String| OutDirError::BadPath { dir: dir.to_path_buf(), why };
        if let Some(why) = under_a_file(dir) {
            return Err(bad(why));
        }
        if fs::symlink_metadata(dir).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(bad("is a symbolic link to a path that does not exist".into()));
        }
    }
    can_write(dir)
}

/// Whether this process may create `dir` (or, when it exists, write in it):
/// tried with a file made and removed at once in the nearest directory
/// that exists, so that a permission, a read-only file system or a pseudo
/// file system (`/proc`) is told now rather than after a check said yes.
/// Nothing is left behind.
///
/// # Errors
/// [`OutDirError::Io`] naming `dir`, with what the system said.
pub fn can_write(dir: &Path) -> Result<(), OutDirError> {
    let Some(existing) =
        dir.ancestors().map(|a| if a.as_os_str().is_empty() { Path::new(".") } else { a }).find(|a| a.is_dir())
    else {
        return Ok(());
    };
    let verb = if existing == dir { "write in" } else { "create" };
    // A temporary file's name (`.NAME.PID-N.partial`), which every command
    // takes for a dead invocation's should a check be killed before it
    // removes it, and one of its own: such a file, its process id since
    // reused, is no reason to refuse.
    for n in 0..64 {
        let probe = existing.join(format!(".tplus-check.{}-{n}.partial", std::process::id()));
        match fs::OpenOptions::new().write(true).create_new(true).open(&probe) {
            Ok(_) => {
                let _ = fs::remove_file(&probe);
                return Ok(());
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(FileError::new(verb, dir, e).into()),
        }
    }
    Ok(())
}

/// "lies under F, which is a file" when a directory above `path` is a file
/// or another thing that is not a directory, such as a device (so `path`
/// cannot be made), else None.
pub fn under_a_file(path: &Path) -> Option<String> {
    let file = path.ancestors().skip(1).find(|a| a.exists() && !a.is_dir())?;
    let what = if file.is_file() { "a file" } else { "not a directory" };
    Some(format!("lies under {}, which is {what}", file.display()))
}

/// Makes `dir` ready for one run: creates it, locks it and checks it holds
/// nothing; with `force`, first removes the files a run writes there
/// (`manifest.json` first) and keeps anything else. Temporary files are
/// removed whatever `force` says: with the lock held, they are a dead
/// invocation's (one killed, or ended at once by a second Ctrl-C), since a
/// live one would hold the lock. Hold the returned lock until the run's last
/// file is written.
pub fn prepare_run_dir(dir: &Path, force: bool) -> Result<DirLock, OutDirError> {
    if let Some(e) = inside_other_output(dir) {
        return Err(e);
    }
    create_out_dir(dir)?;
    let lock = DirLock::acquire(dir)?;
    let (mut entries, mut left) = (Vec::new(), Vec::new());
    for e in fs::read_dir(dir).map_err(FileError::at("read", dir))? {
        let e = e.map_err(FileError::at("read", dir))?;
        let name = e.file_name().to_string_lossy().into_owned();
        let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
        if !is_dir && is_partial(&name) {
            left.push(name);
        } else if name != LOCK_FILE {
            entries.push((name, is_dir));
        }
    }
    remove_run_files(dir, left.iter().map(String::as_str))?;
    if entries.is_empty() {
        return Ok(lock);
    }
    if let Some(&(file, what)) = OTHER_OUTPUTS.iter().find(|(f, _)| entries.iter().any(|(n, _)| n == f)) {
        return Err(OutDirError::OtherOutput { dir: dir.to_path_buf(), what, file });
    }
    if !force {
        entries.sort();
        let mut shown: Vec<String> =
            entries.iter().take(4).map(|(n, d)| if *d { format!("{n}/") } else { n.clone() }).collect();
        if entries.len() > 4 {
            shown.push(format!("and {} more", entries.len() - 4));
        }
        return Err(OutDirError::NotEmpty {
            dir: dir.to_path_buf(),
            entries: shown.join(", "),
            removable: "results, report, plots, temporary files".into(),
        });
    }
    let held = Held::of(dir);
    remove_run_files(dir, entries.iter().filter(|(n, d)| !d && held.force_removes(n)).map(|(n, _)| n.as_str()))?;
    Ok(lock)
}

/// What a directory shows of the run it holds, so that `--force` removes
/// that run's files and no file of the user's that happens to share a
/// name's shape: `price_my_sketch.svg` is a plot only if `my_sketch` is one
/// of the run's products, and `scenario.toml` is a run's only beside the
/// `live_changes.csv` a live run saved from the terminal view writes with it.
#[derive(Debug, Default)]
struct Held {
    /// The products of the run whose `manifest.json` is there (none
    /// without one).
    products: Vec<String>,
    /// A run saved from the live view: a run's manifest and
    /// `live_changes.csv`.
    saved_live: bool,
}

impl Held {
    fn of(dir: &Path) -> Held {
        let Some(manifest) = run_manifest(dir) else { return Held::default() };
        let products = manifest["scenario"]["product"]
            .as_array()
            .map(|ps| ps.iter().filter_map(|p| p["id"].as_str().map(str::to_string)).collect())
            .unwrap_or_default();
        Held { products, saved_live: dir.join("live_changes.csv").is_file() }
    }

    /// Whether `--force` removes the file `name` (not a directory).
    fn force_removes(&self, name: &str) -> bool {
        if name == "scenario.toml" {
            return self.saved_live;
        }
        if is_partial(name) || RUN_FILES.contains(&name) {
            return true;
        }
        plot_product(name).is_some_and(|p| p.is_empty() || self.products.iter().any(|q| q == p))
    }
}

/// Whether `--force` would remove the file `name` from the directory `dir`
/// (as [`prepare_run_dir`] would judge it now): a command can refuse before
/// deleting the very file it was given.
pub fn force_would_remove(dir: &Path, name: &str) -> bool {
    Held::of(dir).force_removes(name)
}

/// The error for a `dir` inside another command's runs: below a `runs`
/// directory whose parent holds a sweep's, replications' or comparison's
/// files, where they keep (and read back) their own runs; or below a
/// finished run's directory (one holding `manifest.json`), whose files
/// are that run's alone (a run's own directory is not below it). The path is
/// taken as the system will resolve it: its nearest existing ancestor
/// canonical (symbolic links followed, `..` resolved), the rest appended
/// with `..` and `.` resolved by name.
pub fn inside_other_output(dir: &Path) -> Option<OutDirError> {
    let full = resolved(dir);
    let within_runs = full.ancestors().filter(|a| a.file_name().is_some_and(|n| n == "runs")).find_map(|runs| {
        let holder = runs.parent()?;
        let &(file, what) = OTHER_OUTPUTS.iter().find(|(f, _)| holder.join(f).is_file())?;
        Some(OutDirError::InsideOtherOutput { dir: dir.to_path_buf(), holder: holder.to_path_buf(), what, file })
    });
    within_runs.or_else(|| {
        let run = full.ancestors().skip(1).find(|a| holds_run_manifest(a))?;
        Some(OutDirError::InsideOtherOutput {
            dir: dir.to_path_buf(),
            holder: run.to_path_buf(),
            what: RUN,
            file: RUN_FILES[0],
        })
    })
}

/// Whether `dir` holds a run's `manifest.json`: one tplus wrote (its
/// `tool`), not another tool's file of that name (a web app's, a browser
/// extension's), which must not make a project's folders refuse runs.
fn holds_run_manifest(dir: &Path) -> bool {
    run_manifest(dir).is_some()
}

/// The `manifest.json` in `dir` if tplus wrote it, as JSON.
fn run_manifest(dir: &Path) -> Option<serde_json::Value> {
    let path = dir.join(RUN_FILES[0]);
    // A run's manifest is a few kilobytes; anything far larger is not one.
    if !fs::metadata(&path).is_ok_and(|m| m.is_file() && m.len() < 1 << 24) {
        return None;
    }
    let bytes = fs::read(&path).ok()?;
    let v = serde_json::from_slice::<serde_json::Value>(&bytes).ok()?;
    (v.get("tool").and_then(|t| t.as_str()) == Some("tplus")).then_some(v)
}

/// [`OutDirError::InsideOtherOutput`]'s `what` for a run's directory.
const RUN: &str = "a run";

/// `dir` as an absolute path, resolved as [`inside_other_output`] says.
fn resolved(dir: &Path) -> PathBuf {
    let abs = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    let mut tail = Vec::new();
    let mut at = abs.as_path();
    let mut base = loop {
        if let Ok(real) = fs::canonicalize(at) {
            break real;
        }
        match (at.parent(), at.file_name()) {
            (Some(parent), Some(name)) => {
                tail.push(name.to_os_string());
                at = parent;
            }
            // `..` or the root: nothing exists to resolve against.
            _ => return abs,
        }
    };
    for name in tail.into_iter().rev() {
        match name.to_str() {
            Some("..") => {
                base.pop();
            }
            Some(".") => {}
            _ => base.push(name),
        }
    }
    base
}

/// Removes, of the files `names` in `dir`, those a run writes there
/// ([`is_run_file`]): the report and plots, then `manifest.json`, then the
/// results, so that an interrupted removal never leaves a "finished"
/// directory beside removed or new results.
fn remove_run_files<'a>(dir: &Path, names: impl Iterator<Item = &'a str>) -> Result<(), FileError> {
    let mut doomed: Vec<&str> = names.filter(|n| is_run_file(n)).collect();
    // The report and its plots before the manifest, which tells whose
    // products they are: a removal cut short leaves none of them behind
    // without it. Then the manifest, the completion marker, then the rest.
    doomed.sort_by_key(|n| match *n {
        "manifest.json" => 1,
        n if n == "report.md" || plot_product(n).is_some() => 0,
        _ => 2,
    });
    for name in doomed {
        let path = dir.join(name);
        // A symlink is removed itself, never followed.
        fs::remove_file(&path).map_err(FileError::at("remove", &path))?;
    }
    Ok(())
}

/// Empties a run directory inside a directory this process holds the lock
/// of (a sweep's `runs/p…-r…`) of what a run writes, before the run is made
/// there again: the files of an earlier attempt, and the temporary files of
/// one that was cut short (a Ctrl-C'd sweep's). Anything else stays. A
/// directory that does not exist is left so.
pub fn clear_run_dir(dir: &Path) -> Result<(), FileError> {
    let names: Vec<String> = match fs::read_dir(dir) {
        Ok(entries) => entries
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| !t.is_dir()))
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(FileError::new("read", dir, e)),
    };
    remove_run_files(dir, names.iter().map(String::as_str))
}

/// [`prepare_run_dir`] for a name the program chose (`dir`, the default
/// `--out`), which gives way to `dir-2`, `dir-3`, … when another process
/// holds or has filled it: two runs that chose the same name in the same
/// second each get a directory. Returns the one taken.
pub fn prepare_new_run_dir(dir: PathBuf) -> Result<(PathBuf, DirLock), OutDirError> {
    first_free(
        &dir,
        |at| prepare_run_dir(at, false),
        |e| {
            matches!(
                e,
                OutDirError::Lock(LockError::Locked { .. })
                    | OutDirError::NotEmpty { .. }
                    | OutDirError::OtherOutput { .. }
            )
        },
    )
}

/// Calls `take` on `dir`, then on `dir-2`, `dir-3`, … for as long as it
/// fails with an error `taken` says means that name is another's; returns
/// the path it succeeded on (or the first other error). Taking a name where
/// its lock is taken, not checking it beforehand, is what lets two
/// invocations that chose the same name at once each get one.
pub fn first_free<T, E>(
    dir: &Path,
    mut take: impl FnMut(&Path) -> Result<T, E>,
    taken: impl Fn(&E) -> bool,
) -> Result<(PathBuf, T), E> {
    let name = dir.file_name().map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    let mut at = dir.to_path_buf();
    let mut n = 1u64;
    loop {
        match take(&at) {
            Err(e) if taken(&e) => {
                n += 1;
                at = dir.with_file_name(format!("{name}-{n}"));
            }
            result => return result.map(|t| (at, t)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("tplus-outdir-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        d
    }

    /// A directory this user may not read or change is theirs to change
    /// (exit 2, with what to do), as one that cannot be made is.
    #[test]
    fn a_directory_without_permission_is_exit_2() {
        let denied = FileError::new("read", Path::new("d"), io::Error::from(io::ErrorKind::PermissionDenied));
        let e = OutDirError::Io(denied);
        assert_eq!(e.exit_code(), 2);
        assert!(e.message(Terms::CLI).contains("this user may not do that there; choose another --out"), "{e}");
        let full = FileError::new("write", Path::new("d/x"), io::Error::from(io::ErrorKind::StorageFull));
        assert_eq!(OutDirError::Io(full).exit_code(), 1);
    }

    #[test]
    fn run_files_are_recognised_and_others_are_not() {
        for f in ["manifest.json", "trades.csv", "success_P.svg", "optimists.png", ".trades.csv.123-0.partial"] {
            assert!(is_run_file(f), "{f}");
        }
        for f in ["notes.txt", "successful.svg", "data.csv", "success_P.pdf", "sweep.csv", "sweep.json"] {
            assert!(!is_run_file(f), "{f}");
        }
    }

    #[test]
    fn force_removes_run_files_only() {
        let d = scratch("force");
        fs::create_dir_all(d.join("sub")).unwrap();
        for f in ["trades.csv", "events.csv", "report.md", "price_P.svg", "notes.txt", "price_sketch.svg"] {
            fs::write(d.join(f), "x").unwrap();
        }
        // A user's own scenario.toml beside a run that was not saved live.
        fs::write(d.join("scenario.toml"), "mine").unwrap();
        fs::write(d.join("manifest.json"), r#"{"tool": "tplus", "scenario": {"product": [{"id": "P"}]}}"#).unwrap();
        let err = prepare_run_dir(&d, false).unwrap_err();
        assert!(matches!(err, OutDirError::NotEmpty { .. }), "{err}");
        assert!(err.to_string().contains("--force"));
        assert!(!d.join(LOCK_FILE).exists(), "a refusal releases the lock");
        let lock = prepare_run_dir(&d, true).unwrap();
        let mut left: Vec<String> =
            fs::read_dir(&d).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        left.sort();
        assert_eq!(left, [LOCK_FILE, "notes.txt", "price_sketch.svg", "scenario.toml", "sub"]);
        drop(lock);
        // A run saved from the live view: its scenario.toml goes with it.
        for f in ["manifest.json", "live_changes.csv"] {
            let text = if f == "manifest.json" { r#"{"tool": "tplus"}"# } else { "x" };
            fs::write(d.join(f), text).unwrap();
        }
        assert!(force_would_remove(&d, "scenario.toml") && !force_would_remove(&d, "price_sketch.svg"));
        let lock = prepare_run_dir(&d, true).unwrap();
        assert!(!d.join("scenario.toml").exists() && !d.join("live_changes.csv").exists());
        drop(lock);
        fs::remove_dir_all(&d).unwrap();
    }

    /// A dead invocation's temporary files and stale lock (a second Ctrl-C's
    /// leftovers) do not make a directory non-empty: the run that takes the
    /// lock clears them. One ended at once removes its own first.
    #[test]
    fn a_dead_invocations_temporary_files_are_cleared_by_the_next_run() {
        let d = scratch("debris");
        fs::create_dir_all(&d).unwrap();
        fs::write(d.join(".events.csv.4000000-1.partial"), "half").unwrap();
        fs::write(d.join(".trades.csv.4000000-0.partial"), "half").unwrap();
        fs::write(d.join(LOCK_FILE), format!("pid 4000000\nhost {}\nstart 7\n", super::super::lock::hostname()))
            .unwrap();
        let lock = prepare_run_dir(&d, false).unwrap();
        let names = |d: &Path| {
            let mut n: Vec<String> =
                fs::read_dir(d).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
            n.sort();
            n
        };
        assert_eq!(names(&d), [LOCK_FILE]);
        drop(lock);
        let me = std::process::id();
        for f in [format!(".trades.csv.{me}-3.partial"), ".metrics.csv.1-3.partial".into(), "trades.csv".into()] {
            fs::write(d.join(f), "x").unwrap();
        }
        remove_partials_of(&d, me);
        assert_eq!(names(&d), [".metrics.csv.1-3.partial", "trades.csv"], "another process's and whole files stay");
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn force_refuses_another_commands_output_and_removes_nothing() {
        for (file, what) in OTHER_OUTPUTS {
            let d = scratch("other");
            fs::create_dir_all(&d).unwrap();
            fs::write(d.join(file), "x").unwrap();
            fs::write(d.join("trades.csv"), "x").unwrap();
            let err = prepare_run_dir(&d, true).unwrap_err();
            assert!(matches!(err, OutDirError::OtherOutput { .. }), "{err}");
            assert!(err.to_string().contains(what) && err.to_string().contains(file), "{err}");
            assert_eq!(err.exit_code(), 2);
            assert!(d.join("trades.csv").exists() && !d.join(LOCK_FILE).exists());
            fs::remove_dir_all(&d).unwrap();
        }
    }

    /// A run's directory holds its own files alone: a run, a sweep or
    /// replications below it are refused, and nothing is made there; the
    /// run's own directory (`--force` again) and a sibling are not below it.
    #[test]
    fn a_directory_inside_a_finished_run_is_refused_and_not_made() {
        let d = scratch("inside_run");
        fs::create_dir_all(d.join("run")).unwrap();
        fs::write(d.join("run/manifest.json"), r#"{"tool": "tplus", "seed": 1}"#).unwrap();
        // Another tool's manifest.json (a web app's) refuses nothing below it.
        fs::create_dir_all(d.join("app")).unwrap();
        fs::write(d.join("app/manifest.json"), r#"{"name": "my-web-app"}"#).unwrap();
        drop(prepare_run_dir(&d.join("app/results/b1"), false).unwrap());
        for (at, force) in [("run/sub", false), ("run/sub", true), ("run/a/b", false)] {
            let err = prepare_run_dir(&d.join(at), force).unwrap_err();
            assert!(matches!(err, OutDirError::InsideOtherOutput { what: RUN, .. }), "{err}");
            let text = err.to_string();
            assert!(text.contains("inside the directory of a run") && text.contains("manifest.json"), "{text}");
            assert!(text.contains("choose another --out, outside"), "{text}");
            assert_eq!(err.exit_code(), 2);
        }
        assert!(!d.join("run/sub").exists() && !d.join("run/a").exists());
        drop(prepare_run_dir(&d.join("run"), true).unwrap());
        drop(prepare_run_dir(&d.join("beside"), false).unwrap());
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn a_directory_inside_another_commands_output_is_refused_and_not_made() {
        for (file, what) in OTHER_OUTPUTS {
            let d = scratch("inside");
            fs::create_dir_all(d.join("runs/seed-1")).unwrap();
            fs::write(d.join(file), "x").unwrap();
            for (at, force) in [("runs/seed-1", true), ("runs/seed-1", false), ("runs/new/deeper", false)] {
                let err = prepare_run_dir(&d.join(at), force).unwrap_err();
                assert!(matches!(err, OutDirError::InsideOtherOutput { .. }), "{err}");
                assert!(err.to_string().contains(what) && err.to_string().contains(file), "{err}");
                assert_eq!(err.exit_code(), 2);
            }
            assert!(!d.join("runs/new").exists() && !d.join("runs/seed-1").join(LOCK_FILE).exists());
            // Beside the runs, or climbing out of them, is not inside: the
            // marker files alone (a user's own sweep.csv) refuse nothing.
            for at in ["mine", "runs/seed-1/../../mine2", "results/x"] {
                drop(prepare_run_dir(&d.join(at), false).unwrap());
            }
            // Through a symbolic link to the runs, it is.
            #[cfg(unix)]
            {
                std::os::unix::fs::symlink(d.join("runs"), d.join("lnk")).unwrap();
                let err = prepare_run_dir(&d.join("lnk/seed-1"), true).unwrap_err();
                assert!(matches!(err, OutDirError::InsideOtherOutput { .. }), "{err}");
            }
            fs::remove_dir_all(&d).unwrap();
        }
    }

    #[test]
    fn paths_that_cannot_become_a_directory_are_told() {
        let d = scratch("paths");
        fs::create_dir_all(&d).unwrap();
        fs::write(d.join("afile"), "x").unwrap();
        std::os::unix::fs::symlink(d.join("nowhere"), d.join("dangling")).unwrap();
        for (out, says) in [("afile/sub", "lies under"), ("afile/a/b", "lies under"), ("dangling", "symbolic link")] {
            let e = create_out_dir(&d.join(out)).unwrap_err();
            assert!(matches!(e, OutDirError::BadPath { .. }) && e.exit_code() == 2, "{out}: {e}");
            assert!(e.to_string().contains(says), "{out}: {e}");
        }
        create_out_dir(&d.join("new/deeper")).unwrap();
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn each_message_advises_in_the_terms_it_is_given() {
        let p = || PathBuf::from("out");
        let all = [
            OutDirError::IsFile(p()),
            OutDirError::Lock(LockError::IsLink(p())),
            OutDirError::Lock(LockError::Locked { dir: p(), lock: p(), pid: 1, host: "h".into(), alive: false }),
            OutDirError::NotEmpty { dir: p(), entries: "x".into(), removable: "y".into() },
            OutDirError::BadPath { dir: p(), why: "lies under f, which is a file".into() },
            OutDirError::OtherOutput { dir: p(), what: "a sweep", file: "sweep.csv" },
            OutDirError::InsideOtherOutput { dir: p(), holder: p(), what: "a sweep", file: "sweep.csv" },
        ];
        let other = Terms { dir: "DIR", force: "FORCE", add_force: "ALLOW" };
        for e in &all {
            let (cli, theirs) = (e.to_string(), e.message(other));
            assert!(cli.contains("choose another --out"), "{cli}");
            assert!(theirs.contains("choose another DIR") && !theirs.contains("--"), "{theirs}");
            assert_eq!(cli, e.message(Terms::CLI));
        }
        assert!(all[3].message(other).contains("or ALLOW to delete"), "{}", all[3].message(other));
        for e in &all[5..] {
            assert!(e.to_string().contains("even with --force") && e.message(other).contains("even with FORCE"), "{e}");
        }
    }

    #[test]
    fn a_default_name_gives_way_to_the_next_free_one() {
        let d = scratch("default");
        let first = d.join("run");
        let (at, held) = prepare_new_run_dir(first.clone()).unwrap();
        assert_eq!(at, first);
        let (at, _second) = prepare_new_run_dir(first.clone()).unwrap();
        assert_eq!(at, d.join("run-2"), "held by the first");
        drop(held);
        fs::write(first.join("trades.csv"), "x").unwrap();
        let (at, _third) = prepare_new_run_dir(first.clone()).unwrap();
        assert_eq!(at, d.join("run-3"), "filled by the first, and run-2 held");
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn a_file_is_refused() {
        let d = scratch("file");
        fs::write(&d, "x").unwrap();
        assert!(matches!(prepare_run_dir(&d, true), Err(OutDirError::IsFile(_))));
        fs::remove_file(&d).unwrap();
    }
}
