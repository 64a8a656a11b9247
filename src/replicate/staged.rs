//! An output directory built under a temporary name beside `--out` and
//! renamed to it when complete, so that it never mixes two invocations'
//! files: `--out` is checked before any run starts (a path, not a file or
//! a symbolic link, under directories, empty if it exists), held by a lock
//! beside it for the whole invocation (a second invocation on the same
//! `--out` is refused at once, not after computing everything), and the
//! temporary directory is removed whenever the invocation does not finish,
//! or, if it was killed outright, by the next invocation on that `--out`.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use super::ReplicateError;
use crate::results::FileError;
use crate::results::lock::{DirLock, LockError};
use crate::results::outdir;

/// A temporary directory `.NAME.partial-PID` beside `out`, renamed to
/// `out` by [`Staged::finish`] and removed if dropped before.
#[derive(Debug)]
pub(super) struct Staged {
    tmp: PathBuf,
    out: PathBuf,
    /// Released after the rename (or the removal).
    _lock: DirLock,
    finished: bool,
}

impl Staged {
    /// Checks `out`, takes its lock and makes the temporary directory. With
    /// `next_free` (`out` is a name the program chose, not the user), an
    /// `out` that another invocation holds or has filled gives way to
    /// `out-2`, `out-3`, … instead: two invocations that chose the same
    /// name in the same second each get a directory. [`Staged::out`] says
    /// which.
    pub(super) fn begin(out: &Path, next_free: bool) -> Result<Staged, ReplicateError> {
        if !next_free {
            return Staged::begin_at(out);
        }
        let taken = |e: &ReplicateError| {
            matches!(
                e,
                ReplicateError::OutDir(outdir::OutDirError::Lock(LockError::Locked { .. }))
                    | ReplicateError::OutNotEmpty(_)
            )
        };
        outdir::first_free(out, Staged::begin_at, taken).map(|(_, staged)| staged)
    }

    /// [`Staged::begin`] at `out` itself.
    fn begin_at(out: &Path) -> Result<Staged, ReplicateError> {
        let bad = |why: String| ReplicateError::BadOut { out: out.to_path_buf(), why };
        match fs::symlink_metadata(out) {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(bad("is a symbolic link; give the directory's own path".into()));
            }
            _ => {}
        }
        // A file or a device: as every command's output directory says it.
        if let Some(e) = outdir::not_a_dir(out) {
            return Err(e.into());
        }
        if let Some(e) = outdir::inside_other_output(out) {
            return Err(e.into());
        }
        let parent = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        if let Err(e) = fs::create_dir_all(parent) {
            // A file on the way: the user's path is wrong, not the disk.
            if let Some(why) = outdir::under_a_file(out) {
                return Err(bad(why));
            }
            return Err(FileError::new("create", parent, e).into());
        }
        let lock = DirLock::acquire_beside(out).map_err(outdir::OutDirError::from)?;
        // Looked at with the lock held: another invocation that finished
        // just before has renamed its directory here and let go.
        if out.read_dir().is_ok_and(|mut d| d.next().is_some()) {
            return Err(ReplicateError::OutNotEmpty(out.to_path_buf()));
        }
        let name = out.file_name().map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
        // With the lock held, any temporary directory of this `--out` is
        // a dead invocation's (one killed outright, e.g. by a second
        // Ctrl-C): a live one would hold the lock.
        let stem = format!(".{name}.partial-");
        for e in fs::read_dir(parent).map_err(FileError::at("read", parent))?.flatten() {
            let left =
                e.file_name().to_string_lossy().strip_prefix(&stem).is_some_and(|pid| pid.parse::<u32>().is_ok());
            if left && e.file_type().is_ok_and(|t| t.is_dir()) {
                fs::remove_dir_all(e.path()).map_err(FileError::at("clear", &e.path()))?;
            }
        }
        let tmp = parent.join(format!("{stem}{}", std::process::id()));
        fs::create_dir_all(&tmp).map_err(FileError::at("create", &tmp))?;
        staging().push((tmp.clone(), out.to_path_buf()));
        Ok(Staged { tmp, out: out.to_path_buf(), _lock: lock, finished: false })
    }

    /// The directory the finished invocation will be at.
    pub(super) fn out(&self) -> &Path {
        &self.out
    }

    /// The temporary directory, to write into.
    pub(super) fn path(&self) -> &Path {
        &self.tmp
    }

    /// Renames the complete temporary directory to `out` (replacing an
    /// empty directory there).
    pub(super) fn finish(mut self) -> Result<(), ReplicateError> {
        let out = &self.out;
        if out.is_dir() {
            match fs::remove_dir(out) {
                Ok(()) => {}
                // Something appeared there while this ran (the lock keeps
                // tplus out, not other programs).
                Err(e) if e.kind() == io::ErrorKind::DirectoryNotEmpty => {
                    return Err(ReplicateError::OutNotEmpty(out.clone()));
                }
                Err(e) => return Err(FileError::new("replace the empty directory", out, e).into()),
            }
        }
        // Held over the rename: a second signal's clean-up
        // ([`abandon_staging`]) waits, then finds nothing of this one's.
        let mut all = staging();
        fs::rename(&self.tmp, out).map_err(FileError::at("rename the finished directory to", out))?;
        all.retain(|(tmp, _)| *tmp != self.tmp);
        self.finished = true;
        Ok(())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.finished {
            let _ = fs::remove_dir_all(&self.tmp);
            staging().retain(|(tmp, _)| *tmp != self.tmp);
        }
    }
}

/// The temporary directories of this process's unfinished invocations,
/// with their `out`.
static STAGING: Mutex<Vec<(PathBuf, PathBuf)>> = Mutex::new(Vec::new());

fn staging() -> MutexGuard<'static, Vec<(PathBuf, PathBuf)>> {
    STAGING.lock().unwrap_or_else(|e| e.into_inner())
}

/// Removes the temporary directory and the lock of every unfinished
/// invocation of this process, for one about to exit at once (a second
/// Ctrl-C) without unwinding to the invocation's own clean-up. Returns the
/// directories removed.
pub fn abandon_staging() -> Vec<PathBuf> {
    let all = staging();
    for (tmp, out) in all.iter() {
        let _ = fs::remove_dir_all(tmp);
        crate::results::lock::remove_own_lock_beside(out);
    }
    all.iter().map(|(tmp, _)| tmp.clone()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("tplus-staged-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        d
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut n: Vec<String> =
            fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        n.sort();
        n
    }

    #[test]
    fn a_finished_directory_replaces_an_empty_out_and_leaves_nothing_beside() {
        let d = scratch("finish");
        let out = d.join("out");
        fs::create_dir(&out).unwrap();
        let staged = Staged::begin(&out, false).unwrap();
        fs::write(staged.path().join("x.csv"), "1").unwrap();
        staged.finish().unwrap();
        assert_eq!(names(&d), ["out"]);
        assert_eq!(names(&out), ["x.csv"]);
        fs::remove_dir_all(&d).unwrap();
    }

    /// Two invocations that chose the same default name in the same second:
    /// the second takes the next free one, while a name the user gave is
    /// refused.
    #[test]
    fn a_default_name_gives_way_to_the_next_free_one() {
        let d = scratch("default");
        let out = d.join("run-x5-replications");
        let first = Staged::begin(&out, true).unwrap();
        assert_eq!(first.out(), out);
        let second = Staged::begin(&out, true).unwrap();
        assert_eq!(second.out(), d.join("run-x5-replications-2"));
        // One finished before the third began.
        fs::create_dir_all(d.join("run-x5-replications-3")).unwrap();
        fs::write(d.join("run-x5-replications-3").join("x.csv"), "1").unwrap();
        let third = Staged::begin(&out, true).unwrap();
        assert_eq!(third.out(), d.join("run-x5-replications-4"));
        assert!(Staged::begin(&out, false).is_err());
        for s in [first, second, third] {
            fs::write(s.path().join("x.csv"), "1").unwrap();
            s.finish().unwrap();
        }
        assert_eq!(
            names(&d),
            ["run-x5-replications", "run-x5-replications-2", "run-x5-replications-3", "run-x5-replications-4"]
        );
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn an_unfinished_one_is_removed_and_a_second_holder_refused() {
        let d = scratch("drop");
        let out = d.join("out");
        let first = Staged::begin(&out, false).unwrap();
        let second = Staged::begin(&out, false).unwrap_err();
        assert!(matches!(second, ReplicateError::OutDir(_)), "{second}");
        assert!(second.to_string().contains("in use by tplus process") && second.exit_status() == 2, "{second}");
        drop(first);
        assert!(names(&d).is_empty(), "{:?}", names(&d));
        fs::remove_dir_all(&d).unwrap();
    }

    /// A killed invocation's temporary directory is cleared by the next one
    /// on the same `--out`, and nothing else is touched.
    #[test]
    fn a_dead_invocations_temporary_directory_is_cleared() {
        let d = scratch("dead");
        let out = d.join("out");
        fs::create_dir_all(d.join(".out.partial-4242").join("runs")).unwrap();
        fs::create_dir(d.join(".other.partial-4242")).unwrap();
        fs::create_dir(d.join(".out.partial-x")).unwrap();
        let staged = Staged::begin(&out, false).unwrap();
        staged.finish().unwrap();
        assert_eq!(names(&d), [".other.partial-4242", ".out.partial-x", "out"]);
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn bad_paths_are_refused_before_anything_is_made() {
        let d = scratch("bad");
        fs::write(d.join("afile"), "x").unwrap();
        std::os::unix::fs::symlink(d.join("nowhere"), d.join("dangling")).unwrap();
        fs::create_dir(d.join("full")).unwrap();
        fs::write(d.join("full").join("y"), "y").unwrap();
        for (out, says) in [
            ("afile", "is a file"),
            ("dangling", "is a symbolic link"),
            ("afile/sub", "lies under"),
            ("full", "not empty"),
        ] {
            let e = Staged::begin(&d.join(out), false).unwrap_err();
            assert!(e.to_string().contains(says) && e.exit_status() == 2, "{out}: {e}");
        }
        assert_eq!(names(&d), ["afile", "dangling", "full"]);
        fs::remove_dir_all(&d).unwrap();
    }
}
