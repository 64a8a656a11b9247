//! One writer per output directory: [`DirLock`], a lock file whose
//! owner holds the kernel's lock on it.
//!
//! A run (or sweep) takes [`DirLock`] on its directory before it writes a
//! byte: the lock is a file, `.tplus.lock`, holding the owner's pid, host
//! and process start time, on which the owner holds the kernel's lock
//! (`flock`) for as long as it runs. The kernel releases that when the
//! process ends, however it ends, so it is what tells a live holder from a
//! dead one: of several processes that find a lock left behind, exactly one
//! gets the kernel's lock and takes the file over. The owner removes the
//! file when the [`DirLock`] drops; one left by `kill -9` or a crash is
//! taken over by the next run. Its text still counts where the kernel's
//! lock cannot: a process on this host that `/proc` shows alive and that
//! took no kernel lock (an older tplus) holds it, and so does any process
//! on another host, since a
//! network file system may not show that host's locks here (if it is gone,
//! the message says to delete the file).
//!
//! Where the file system has no kernel locks (some network ones), the text
//! alone tells: a lock naming this host and a process no longer there (the
//! start time tells a reused pid from the owner) is stale, never judged by
//! its age, so a slow run on a cluster's shared disk is not robbed of its
//! directory; only a lock that can be read and does not say who holds it
//! (its writer killed between creating and writing it) is stale once it
//! has stayed so for a minute. There two processes that find the same
//! stale lock at the same moment can both take it.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::FileError;

/// The lock file's name inside a locked directory.
pub const LOCK_FILE: &str = ".tplus.lock";

/// The words a front end uses for what an output directory's errors
/// advise: choosing another directory, and allowing a run's files to be
/// replaced. The errors' `Display` uses the command line's ([`Terms::CLI`]);
/// a front end with other names for them (the Python package's
/// `Run.save(dir, force=...)`) shows them with `message(its terms)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Terms {
    /// The directory's option, as in "choose another --out".
    pub dir: &'static str,
    /// The permission, as in "not replaced, even with --force".
    pub force: &'static str,
    /// Giving the permission, as in "add --force to delete …".
    pub add_force: &'static str,
}

impl Terms {
    /// The command line's: `--out` and `--force`.
    pub const CLI: Terms = Terms { dir: "--out", force: "--force", add_force: "add --force" };
}

/// Why a directory's lock could not be taken.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LockError {
    /// The lock file is a symbolic link, which tplus never makes: locking
    /// it would write through it to whatever it points at.
    #[error("{}", self.message(Terms::CLI))]
    IsLink(PathBuf),
    /// Another process holds the directory.
    #[error("{}", self.message(Terms::CLI))]
    Locked {
        /// The directory.
        dir: PathBuf,
        /// The lock file.
        lock: PathBuf,
        /// The holder's pid.
        pid: u32,
        /// The holder's host.
        host: String,
        /// Whether the holder holds the kernel's lock or runs on this host,
        /// where tplus tells for itself once it is gone: then the message
        /// does not suggest deleting the lock.
        alive: bool,
    },
    /// Reading or writing the lock file failed.
    #[error("{}", self.message(Terms::CLI))]
    Io(#[from] FileError),
}

impl LockError {
    /// The message, with the directory and the permission named in `terms`.
    pub fn message(&self, terms: Terms) -> String {
        match self {
            LockError::IsLink(lock) => format!(
                "{}: the lock file is a symbolic link, which tplus never makes; remove it, or choose another {}",
                lock.display(),
                terms.dir
            ),
            LockError::Locked { dir, lock, pid, host, alive } => format!(
                "{}: in use by tplus process {pid} on {host} (lock file {}); wait for it to finish, or choose another {}{}",
                dir.display(),
                lock.display(),
                terms.dir,
                if *alive { "" } else { "; if that process is gone, delete the lock file" }
            ),
            LockError::Io(e) if e.is_denied() => format!("{e}: {}", denied_advice(e, terms)),
            LockError::Io(e) => e.to_string(),
        }
    }

    /// The exit code: 2 for a directory the user must change (bad usage:
    /// one this user may not write, or one that takes no file, too), 1 for
    /// a failing file system.
    pub fn exit_code(&self) -> u8 {
        match self {
            LockError::Io(e) if e.is_unusable_place() => 2,
            LockError::Io(_) => 1,
            _ => 2,
        }
    }
}

/// What to do about a directory the system refused for want of permission
/// (or on a read-only file system): another option's directory, where the
/// command takes one (`--out`), else the permission.
pub(crate) fn denied_advice(e: &FileError, terms: Terms) -> String {
    let read_only = e.source.kind() == std::io::ErrorKind::ReadOnlyFilesystem;
    let what = if read_only { "the file system is read-only" } else { "this user may not do that there" };
    if terms.dir.starts_with("--") {
        format!("{what}; choose another {}", terms.dir)
    } else if read_only {
        format!("{what}; copy the directory to a writable one")
    } else {
        format!("{what}; get write permission on the directory, or copy it to one you can write")
    }
}

/// Who holds a lock.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Owner {
    pid: u32,
    host: String,
    /// The process's start time in clock ticks since boot (Linux), which
    /// tells a reused pid from the owner; 0 where unknown.
    start: u64,
}

impl Owner {
    fn me() -> Owner {
        let pid = std::process::id();
        Owner { pid, host: hostname(), start: start_time(pid).unwrap_or(0) }
    }

    fn text(&self) -> String {
        format!("pid {}\nhost {}\nstart {}\n", self.pid, self.host, self.start)
    }

    fn parse(text: &str) -> Option<Owner> {
        let mut pid = None;
        let mut host = None;
        let mut start = 0;
        for line in text.lines() {
            match line.split_once(' ') {
                Some(("pid", v)) => pid = v.trim().parse().ok(),
                Some(("host", v)) => host = Some(v.trim().to_string()),
                Some(("start", v)) => start = v.trim().parse().unwrap_or(0),
                _ => {}
            }
        }
        Some(Owner { pid: pid?, host: host?, start })
    }

    /// Whether the owner is known to be gone: it ran on this host and no
    /// process with its pid and start time is there now. Where `/proc` is
    /// missing nothing is known, and the lock is taken as held.
    fn is_gone(&self) -> bool {
        if self.host != hostname() || !Path::new("/proc/self").exists() {
            return false;
        }
        match start_time(self.pid) {
            None => true,
            Some(now) => self.start != 0 && now != self.start,
        }
    }

    /// Whether the owner is known to be running: it ran on this host and a
    /// process with its pid and start time is there now. Where `/proc` is
    /// missing nothing is known, and it is not.
    fn is_known_alive(&self) -> bool {
        self.host == hostname() && Path::new("/proc/self").exists() && !self.is_gone()
    }
}

/// This machine's name.
pub fn hostname() -> String {
    ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .find_map(|f| fs::read_to_string(f).ok().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()))
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "unknown".into())
}

/// Field 22 of `/proc/PID/stat`: the process's start time; None when there
/// is no such process (or no `/proc`).
fn start_time(pid: u32) -> Option<u64> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(19)?.parse().ok()
}

/// An exclusive hold on an output directory, released when dropped.
#[derive(Debug)]
pub struct DirLock {
    path: PathBuf,
    /// The lock file, open for as long as the hold lasts: the kernel's lock
    /// on it (where the file system has them) goes with it when the process
    /// ends, however it ends.
    _file: File,
}

impl DirLock {
    /// Takes the lock on `dir` (which must exist). A stale lock (see the
    /// module docs) is replaced; a live one is an error naming its holder.
    pub fn acquire(dir: &Path) -> Result<DirLock, LockError> {
        DirLock::acquire_by(dir.join(LOCK_FILE), dir)
    }

    /// Takes the lock on a directory that does not exist yet, built under
    /// a temporary name and renamed to `dir` when complete: the lock file
    /// is beside it, `.NAME.tplus.lock` in its parent (which must exist).
    pub fn acquire_beside(dir: &Path) -> Result<DirLock, LockError> {
        DirLock::acquire_by(beside(dir), dir)
    }

    /// Takes the lock file `path`, which holds `dir` (named in messages).
    fn acquire_by(path: PathBuf, dir: &Path) -> Result<DirLock, LockError> {
        let me = Owner::me();
        // `alive`: the holder holds the kernel's lock.
        let held = |owner: Option<Owner>, alive: bool| {
            let (pid, host) = owner.map_or((0, "an unknown host".to_string()), |o| (o.pid, o.host));
            let alive = alive || host == me.host;
            LockError::Locked { dir: dir.to_path_buf(), lock: path.clone(), alive, pid, host }
        };
        // Each round ends in the lock, a holder, or a file that stopped
        // being the lock under us (its holder finished, or took over or
        // removed a stale one) before we locked it: then look again.
        for _ in 0..6 {
            if fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
                return Err(LockError::IsLink(path));
            }
            // `writable`: a dead owner's file that this process may not
            // write (another user's, in a shared directory) is taken over
            // by removing it, which needs the directory alone.
            let (mut file, created, writable) =
                match OpenOptions::new().read(true).write(true).create_new(true).open(&path) {
                    Ok(f) => (f, true, true),
                    Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                        match OpenOptions::new().read(true).write(true).open(&path) {
                            Ok(f) => (f, false, true),
                            Err(e) if e.kind() == io::ErrorKind::PermissionDenied => match File::open(&path) {
                                Ok(f) => (f, false, false),
                                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                                // Not ours to read either: held.
                                Err(_) => return Err(held(None, false)),
                            },
                            // Released between the two opens.
                            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                            Err(e) => return Err(FileError::new("lock", &path, e).into()),
                        }
                    }
                    Err(e) => return Err(FileError::new("lock", &path, e).into()),
                };
            match file.try_lock() {
                Ok(()) => {
                    if !is_same_file(&file, &path) {
                        continue;
                    }
                    // Nobody holds the kernel's lock, so no tplus process
                    // that took one is running with this file. Its text
                    // still holds against a process on this host known to
                    // be alive (one that took no kernel lock: an older
                    // tplus) and against one on another host (whose lock a
                    // network file system may not show here).
                    if !created
                        && let Some(owner) = Owner::parse(&read_text(&mut file))
                        && (owner.host != me.host || owner.is_known_alive())
                    {
                        return Err(held(Some(owner), false));
                    }
                    if writable {
                        return DirLock::write_owner(path, file, &me);
                    }
                    // Removed while still locked: whoever opened it
                    // meanwhile finds it gone once they lock it.
                    fs::remove_file(&path).map_err(FileError::at("remove the stale lock", &path))?;
                    drop(file);
                }
                Err(TryLockError::WouldBlock) => {
                    // Its holder is running, and writes its name in the
                    // microseconds after taking the lock.
                    let mut owner = read_owner(&path);
                    for _ in 0..5 {
                        if owner.is_some() {
                            break;
                        }
                        std::thread::sleep(std::time::Duration::from_millis(1));
                        owner = read_owner(&path);
                    }
                    return Err(held(owner, true));
                }
                // No kernel locks on this file system (some network ones):
                // the text alone tells.
                Err(TryLockError::Error(_)) => {
                    if created {
                        return DirLock::write_owner(path, file, &me);
                    }
                    drop(file);
                    match judge_by_text(&path) {
                        Held(owner) => return Err(held(owner, false)),
                        // A dead owner's: take it over. Two processes may
                        // both get here; without kernel locks nothing
                        // settles which, and both can hold the directory.
                        Stale => match fs::remove_file(&path) {
                            Err(e) if e.kind() != io::ErrorKind::NotFound => {
                                return Err(FileError::new("remove the stale lock", &path, e).into());
                            }
                            _ => {}
                        },
                    }
                }
            }
        }
        Err(FileError::new(
            "lock",
            &path,
            io::Error::other("other processes took and released the lock while this one tried"),
        )
        .into())
    }

    /// Writes `me` into the lock file `file` at `path`, now held, over
    /// whatever a dead owner left there.
    fn write_owner(path: PathBuf, mut file: File, me: &Owner) -> Result<DirLock, LockError> {
        let written = file
            .set_len(0)
            .and_then(|()| file.seek(SeekFrom::Start(0)))
            .and_then(|_| file.write_all(me.text().as_bytes()));
        if let Err(e) = written {
            // A full disk: an empty lock left behind would hold the
            // directory for good where the kernel's locks are missing.
            // Removed before it is released, as on drop.
            let _ = fs::remove_file(&path);
            drop(file);
            return Err(FileError::new("write the lock", &path, e).into());
        }
        Ok(DirLock { path, _file: file })
    }
}

/// The lock file of a directory not made yet: `.NAME.tplus.lock` in its
/// parent.
fn beside(dir: &Path) -> PathBuf {
    let name = dir.file_name().map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    let parent = dir.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    parent.join(format!(".{name}{LOCK_FILE}"))
}

/// What a lock file's text alone says, where the kernel's locks are missing.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    /// Held by the owner it names, if it names one.
    Held(Option<Owner>),
    /// Left by a process that is gone: to be taken over.
    Stale,
}
use Verdict::{Held, Stale};

/// Judges the lock file at `path` by its text: stale when it names a
/// process of this host that is gone, or names no one and has stayed so
/// for a minute (written in the microseconds after its creation, so it was
/// never finished: its writer killed at that instant); held otherwise,
/// including when this process cannot read it (another user's).
fn judge_by_text(path: &Path) -> Verdict {
    let read = fs::read_to_string(path);
    match Owner::parse(read.as_deref().unwrap_or_default()) {
        Some(owner) if owner.is_gone() => Stale,
        Some(owner) => Held(Some(owner)),
        None if read.is_ok() && unfinished_for_a_minute(path) => Stale,
        None => Held(None),
    }
}

/// The text of an open lock file, empty where it cannot be read.
fn read_text(file: &mut File) -> String {
    let mut text = String::new();
    if file.read_to_string(&mut text).is_err() {
        text.clear();
    }
    text
}

/// The holder named in the lock file at `path`, if it can be read.
fn read_owner(path: &Path) -> Option<Owner> {
    Owner::parse(&fs::read_to_string(path).ok()?)
}

/// Whether `path` still names the open `file`: the lock file is removed
/// when released, and a stale one's text rewritten in place, so a file that
/// is no longer at `path` was someone's lock and is no one's now.
#[cfg(unix)]
fn is_same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::symlink_metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn is_same_file(_: &File, path: &Path) -> bool {
    path.exists()
}

/// Whether the file at `path` was last changed over a minute ago.
fn unfinished_for_a_minute(path: &Path) -> bool {
    fs::metadata(path)
        .and_then(|m| m.modified())
        .is_ok_and(|t| t.elapsed().is_ok_and(|age| age > std::time::Duration::from_secs(60)))
}

/// Who holds `dir` now as its lock file's text tells, read only and
/// without touching the kernel's lock (so a writer taking it at this very
/// moment is not turned away): `None` where there is no lock, or one
/// [`DirLock::acquire`] would take over (its holder on this host and gone,
/// or never named and a minute old). A directory that does not exist yet is
/// looked up by the lock [`DirLock::acquire_beside`] takes. For a preview
/// such as `tplus sweep --check`: the holder may be gone by the time the
/// directory is written, and a holder on another host cannot be seen alive
/// from here.
pub fn holder(dir: &Path) -> Option<LockError> {
    let path = if dir.is_dir() { dir.join(LOCK_FILE) } else { beside(dir) };
    if fs::symlink_metadata(&path).is_err() {
        return None;
    }
    let owner = match judge_by_text(&path) {
        Stale => return None,
        Held(owner) => owner,
    };
    let alive = owner.as_ref().is_some_and(Owner::is_known_alive);
    let (pid, host) = owner.map_or((0, "an unknown host".to_string()), |o| (o.pid, o.host));
    Some(LockError::Locked { dir: dir.to_path_buf(), lock: path, pid, host, alive })
}

/// Removes `dir`'s lock file when it names this process as its holder: for
/// a process about to exit on a signal, whose [`DirLock`] will not be
/// dropped. The kernel's lock goes with the exit, just after, as it does
/// after a drop. A lock another process holds is left alone.
pub fn remove_own_lock(dir: &Path) {
    remove_if_mine(&dir.join(LOCK_FILE));
}

/// [`remove_own_lock`] for a lock taken beside `dir` ([`DirLock::acquire_beside`]).
pub fn remove_own_lock_beside(dir: &Path) {
    remove_if_mine(&beside(dir));
}

fn remove_if_mine(path: &Path) {
    if read_owner(path).is_some_and(|o| o == Owner::me()) {
        let _ = fs::remove_file(path);
    }
}

impl DirLock {
    /// Keeps the hold for the rest of the process, file and kernel lock
    /// both: for a sweep a stopping signal ended, whose stop records the
    /// invocation after the sweep has returned and then removes the file
    /// itself ([`remove_own_lock`]) as the process exits. Dropped there,
    /// the lock would free the directory to another process before that
    /// record is written.
    pub fn hold_until_exit(self) {
        std::mem::forget(self);
    }
}

impl Drop for DirLock {
    fn drop(&mut self) {
        // Removed while still locked (the file closes after this), so a
        // process that opened it meanwhile finds, once it gets the kernel's
        // lock, that it is no longer at the path, and looks again.
        let _ = fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A directory this user may not write is the user's to change (exit
    /// 2, with what to do); a disk that fails is not (exit 1).
    #[test]
    fn a_directory_without_permission_is_bad_usage_and_a_failing_disk_is_not() {
        let at = |kind| LockError::Io(FileError::new("lock", Path::new("d/.tplus.lock"), io::Error::from(kind)));
        for kind in [io::ErrorKind::PermissionDenied, io::ErrorKind::ReadOnlyFilesystem] {
            let e = at(kind);
            assert_eq!(e.exit_code(), 2, "{kind:?}");
            assert!(e.to_string().contains("; choose another --out"), "{e}");
        }
        let e = at(io::ErrorKind::StorageFull);
        assert_eq!(e.exit_code(), 1);
        assert!(!e.to_string().contains("choose another"), "{e}");
    }

    fn scratch(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("tplus-lock-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        d
    }

    #[test]
    fn a_second_lock_is_refused_and_the_first_released_on_drop() {
        let d = scratch("lock");
        fs::create_dir_all(&d).unwrap();
        let first = DirLock::acquire(&d).unwrap();
        let err = DirLock::acquire(&d).unwrap_err();
        assert!(matches!(err, LockError::Locked { pid, alive: true, .. } if pid == std::process::id()), "{err}");
        drop(first);
        assert!(!d.join(LOCK_FILE).exists());
        DirLock::acquire(&d).unwrap();
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn a_dead_owners_lock_is_taken_over_but_not_another_hosts() {
        let d = scratch("stale");
        fs::create_dir_all(&d).unwrap();
        // A pid far above any pid_max on this host.
        let dead = Owner { pid: u32::MAX - 1, host: hostname(), start: 5 };
        fs::write(d.join(LOCK_FILE), dead.text()).unwrap();
        let lock = DirLock::acquire(&d).unwrap();
        assert!(fs::read_to_string(d.join(LOCK_FILE)).unwrap().contains(&format!("pid {}", std::process::id())));
        drop(lock);
        let far = Owner { pid: 1, host: "elsewhere.example".into(), start: 5 };
        fs::write(d.join(LOCK_FILE), far.text()).unwrap();
        let err = DirLock::acquire(&d).unwrap_err();
        assert!(err.to_string().contains("elsewhere.example") && err.to_string().contains("delete the lock file"));
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn an_unwritten_lock_is_taken_unless_its_kernel_lock_is_held() {
        let d = scratch("unwritten");
        fs::create_dir_all(&d).unwrap();
        let lock = d.join(LOCK_FILE);
        fs::write(&lock, "").unwrap();
        // Its writer, between creating and writing it.
        let writer = File::open(&lock).unwrap();
        writer.try_lock().unwrap();
        assert!(matches!(DirLock::acquire(&d), Err(LockError::Locked { pid: 0, .. })));
        // Its writer killed at that instant.
        drop(writer);
        let taken = DirLock::acquire(&d).unwrap();
        assert!(fs::read_to_string(&lock).unwrap().contains(&format!("pid {}", std::process::id())));
        drop(taken);
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn a_held_kernel_lock_holds_whatever_the_text_says() {
        let d = scratch("kernel");
        fs::create_dir_all(&d).unwrap();
        let lock = d.join(LOCK_FILE);
        let dead = Owner { pid: u32::MAX - 1, host: hostname(), start: 5 };
        fs::write(&lock, dead.text()).unwrap();
        let holder = File::open(&lock).unwrap();
        holder.try_lock().unwrap();
        let err = DirLock::acquire(&d).unwrap_err();
        assert!(matches!(err, LockError::Locked { pid, .. } if pid == u32::MAX - 1), "{err}");
        assert_eq!(fs::read_to_string(&lock).unwrap(), dead.text(), "a refusal writes nothing");
        assert!(!err.to_string().contains("delete the lock file"), "its holder is running: {err}");
        fs::remove_dir_all(&d).unwrap();
    }

    /// A lock file that is a symbolic link is never written through (the
    /// file it points at is left as it was), nor is a dangling one mistaken
    /// for a race.
    #[test]
    fn a_lock_file_that_is_a_link_is_refused() {
        let d = scratch("link");
        fs::create_dir_all(d.join("out")).unwrap();
        fs::write(d.join("victim"), "important").unwrap();
        std::os::unix::fs::symlink(d.join("victim"), d.join("out").join(LOCK_FILE)).unwrap();
        let err = DirLock::acquire(&d.join("out")).unwrap_err();
        assert!(matches!(err, LockError::IsLink(_)) && err.exit_code() == 2, "{err}");
        assert_eq!(fs::read_to_string(d.join("victim")).unwrap(), "important");
        fs::remove_file(d.join("victim")).unwrap();
        assert!(matches!(DirLock::acquire(&d.join("out")), Err(LockError::IsLink(_))));
        fs::remove_dir_all(&d).unwrap();
    }

    /// The race a lock judged by its text alone loses: several processes
    /// find the same dead owner's lock at once, and each, having judged it
    /// stale, removes the file the one before it had just made its own.
    #[test]
    fn of_many_takers_of_a_stale_lock_exactly_one_gets_it() {
        let d = scratch("race");
        fs::create_dir_all(&d).unwrap();
        let dead = Owner { pid: u32::MAX - 1, host: hostname(), start: 5 };
        for round in 0..50 {
            fs::write(d.join(LOCK_FILE), dead.text()).unwrap();
            let start = std::sync::Barrier::new(4);
            let won: Vec<DirLock> = std::thread::scope(|s| {
                let takers: Vec<_> = (0..4)
                    .map(|_| {
                        s.spawn(|| {
                            start.wait();
                            DirLock::acquire(&d).ok()
                        })
                    })
                    .collect();
                takers.into_iter().filter_map(|t| t.join().unwrap()).collect()
            });
            assert_eq!(won.len(), 1, "round {round}");
            drop(won);
            assert!(!d.join(LOCK_FILE).exists());
        }
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn without_kernel_locks_the_text_tells() {
        let d = scratch("text");
        fs::create_dir_all(&d).unwrap();
        let lock = d.join(LOCK_FILE);
        let me = Owner::me();
        fs::write(&lock, me.text()).unwrap();
        assert_eq!(judge_by_text(&lock), Held(Some(me)));
        fs::write(&lock, Owner { pid: u32::MAX - 1, host: hostname(), start: 5 }.text()).unwrap();
        assert_eq!(judge_by_text(&lock), Stale);
        let far = Owner { pid: 1, host: "elsewhere.example".into(), start: 5 };
        fs::write(&lock, far.text()).unwrap();
        assert_eq!(judge_by_text(&lock), Held(Some(far)));
        fs::write(&lock, "").unwrap();
        assert_eq!(judge_by_text(&lock), Held(None), "a fresh unwritten lock is held");
        let old = std::time::SystemTime::now() - std::time::Duration::from_secs(120);
        File::options().write(true).open(&lock).unwrap().set_modified(old).unwrap();
        assert_eq!(judge_by_text(&lock), Stale, "for a minute only");
        fs::remove_dir_all(&d).unwrap();
    }

    /// A process that took no kernel lock (an older tplus) and is alive: its
    /// text holds the directory.
    #[test]
    fn a_live_owner_without_a_kernel_lock_holds() {
        let d = scratch("older");
        fs::create_dir_all(&d).unwrap();
        let me = Owner::me();
        fs::write(d.join(LOCK_FILE), me.text()).unwrap();
        if me.start != 0 {
            let err = DirLock::acquire(&d).unwrap_err();
            assert!(matches!(err, LockError::Locked { pid, .. } if pid == me.pid), "{err}");
        }
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn a_reused_pid_does_not_hold_the_lock() {
        let d = scratch("reused");
        fs::create_dir_all(&d).unwrap();
        let me = Owner::me();
        if me.start != 0 {
            let old = Owner { start: me.start + 1, ..me };
            fs::write(d.join(LOCK_FILE), old.text()).unwrap();
            DirLock::acquire(&d).unwrap();
        }
        fs::remove_dir_all(&d).unwrap();
    }
}
