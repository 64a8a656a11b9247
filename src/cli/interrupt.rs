//! Ctrl-C, and the signals a batch system or a closed terminal stops a job
//! with (SIGTERM: Slurm's time limit, `scancel`, preemption; SIGHUP). A run
//! and the replications stop at their next boundary and leave nothing
//! half-written ([`stop_flag`]). A sweep says how far it got and the exact
//! command that resumes it, releases its lock, then exits as a command
//! ended by that signal does: 130, 143 or 129 ([`on_stop`]).
//!
//! Resuming a sweep needs no handler (the rows on disk are the state, see
//! `crate::batch`); this one tells the user what to type, and releases the
//! lock, which a task resubmitted on another node of a cluster would
//! otherwise find held (a lock naming another host counts as held, see
//! `crate::results::lock`). It runs on a thread of its own (signal-hook's
//! iterator), so nothing is done inside the signal handler itself, and it
//! exits the process without waiting for the runs in flight: their rows
//! are simply not there, and the resumed sweep computes them.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use super::shell::quote;
use signal_hook::consts::{SIGHUP, SIGINT, SIGPIPE, SIGTERM};
use signal_hook::iterator::Signals;

/// The signals that stop a command the way Ctrl-C does.
const STOPPING: [i32; 3] = [SIGINT, SIGTERM, SIGHUP];

/// The signals that stop a sweep: [`STOPPING`]'s and SIGPIPE, which a reader
/// of its progress sends by closing the pipe early (`tplus sweep … 2>&1 |
/// head`). Its default action would end the sweep at once, leaving its lock
/// and no record of how it ended; handled, a write to the closed pipe fails
/// instead (`cli::out` drops it) and the sweep stops as on SIGTERM.
const SWEEP_STOPPING: [i32; 4] = [SIGINT, SIGTERM, SIGHUP, SIGPIPE];

/// The last stopping signal received (0: none yet).
fn last_signal() -> &'static Arc<AtomicUsize> {
    static LAST: OnceLock<Arc<AtomicUsize>> = OnceLock::new();
    LAST.get_or_init(|| Arc::new(AtomicUsize::new(0)))
}

/// A flag a stopping signal sets: the command stops at its runs' next
/// boundary and removes what it wrote. A second signal ends the process at
/// once, first removing the temporary files it was writing in the
/// directories given to [`clean_on_abort`] (and each such directory it
/// made, if that leaves it empty) and its lock there, and replications'
/// temporary directories ([`crate::replicate::abandon_staging`]). If the handlers
/// cannot be set up, the signals end the process as they would without
/// them; if only the watch for the second cannot, that one ends it at once
/// without the clean-up (the next run there clears what is left).
pub fn stop_flag() -> Arc<AtomicBool> {
    use signal_hook::flag;
    let stop = Arc::new(AtomicBool::new(false));
    // The signals counted in the handler itself: the watch below may wake
    // once for two that came close together.
    let seen = Arc::new(AtomicUsize::new(0));
    let mut counted = true;
    for sig in STOPPING {
        let seen = Arc::clone(&seen);
        // SAFETY: the action runs inside the signal handler, where it only
        // adds to an atomic counter: async-signal-safe, no allocation, no
        // lock.
        let count = unsafe {
            signal_hook::low_level::register(sig, move || {
                seen.fetch_add(1, Ordering::SeqCst);
            })
        };
        counted &= count.is_ok();
    }
    // Set up after the counters, whose actions run first: a wake-up finds
    // its signal counted.
    let watch = if counted { Signals::new(STOPPING).ok() } else { None };
    for sig in STOPPING {
        // Without the watch a second signal ends the process at once here;
        // registered before the flag, it acts first: on a second signal the
        // flag is already set.
        let shutdown =
            watch.is_some() || flag::register_conditional_shutdown(sig, 128 + sig, Arc::clone(&stop)).is_ok();
        if shutdown {
            let _ = flag::register(sig, Arc::clone(&stop));
            let _ = flag::register_usize(sig, Arc::clone(last_signal()), sig as usize);
        }
    }
    if let Some(mut signals) = watch {
        let spawned = std::thread::Builder::new().name("stop".into()).spawn(move || {
            for sig in signals.forever() {
                if seen.load(Ordering::SeqCst) >= 2 {
                    abort(sig);
                }
            }
        });
        drop(spawned);
    }
    stop
}

/// The directories a second stopping signal cleans up (see [`stop_flag`]),
/// each with whether this process made it.
static ABORT_CLEANS: Mutex<Vec<(PathBuf, bool)>> = Mutex::new(Vec::new());

/// On a second stopping signal, removes from `dir` the temporary files this
/// process was writing and its lock, then `dir` itself if `made` (this
/// process created it) and nothing else is left in it.
pub fn clean_on_abort(dir: &Path, made: bool) {
    ABORT_CLEANS.lock().unwrap_or_else(|e| e.into_inner()).push((dir.to_path_buf(), made));
}

/// Ends the process at once on a second signal `sig`, after the clean-up of
/// [`clean_on_abort`]'s directories.
fn abort(sig: i32) -> ! {
    let dirs = ABORT_CLEANS.lock().map_or_else(|e| e.into_inner().clone(), |d| d.clone());
    for (dir, made) in &dirs {
        crate::results::outdir::remove_partials_of(dir, std::process::id());
        crate::results::lock::remove_own_lock(dir);
        if *made {
            let _ = std::fs::remove_dir(dir);
        }
    }
    // Replications build their directory under a temporary name.
    let staged = crate::replicate::abandon_staging();
    let what = match (dirs.as_slice(), staged.as_slice()) {
        ([], []) => String::new(),
        ([(dir, _)], []) | ([], [dir]) => format!("; the temporary files it was writing in {} removed", dir.display()),
        _ => "; the temporary files it was writing removed".into(),
    };
    say(&format!("\ntplus: stopped at once by a second signal{what}"));
    std::process::exit(128 + sig)
}

/// The exit status of a command stopped by [`stop_flag`]'s flag: 128 + the
/// signal's number, as a shell reports a command that signal ended (130
/// for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP).
pub fn stopped_status() -> u8 {
    match last_signal().load(Ordering::Relaxed) {
        0 => 128 + SIGINT as u8,
        sig => 128 + sig as u8,
    }
}

/// Watches for the stopping signals (SIGPIPE too: [`SWEEP_STOPPING`]) from
/// now on; on one, ends the appends of rows ([`crate::batch::seal_appends`],
/// so that what follows counts every row there will be), prints to stderr
/// the runs recorded in `out/sweep.csv` out of `total` and the command to
/// resume, records in `sweep.json` how the invocation ended and what it
/// computed ([`crate::batch::record_stop`]), removes the sweep's lock on
/// `out` (as its release at a normal exit does) and exits 128 + the
/// signal's number. If the watch cannot be
/// set up, the signal stops the sweep as it would without it (the resume
/// still works on this host and takes over the lock left behind; only the
/// message is missing).
pub fn on_stop(out: &Path, total: u64) {
    let Ok(mut signals) = Signals::new(SWEEP_STOPPING) else { return };
    let out = out.to_path_buf();
    let command = resume_command(&std::env::args().collect::<Vec<_>>(), std::env::current_dir().ok());
    let spawned = std::thread::Builder::new().name("stop".into()).spawn(move || {
        if let Some(sig) = signals.forever().next() {
            crate::batch::seal_appends();
            if crate::batch::sweep_finished(&out) {
                // Every run was recorded before the signal (a reader that
                // closed the pipe on the last line, a late Ctrl-C): nothing
                // to resume, and the lock is released as at a normal exit.
                if sig != SIGPIPE {
                    say("\ntplus sweep: stopped after the sweep had finished; every run is recorded");
                }
                crate::results::lock::remove_own_lock(&out);
                std::process::exit(128 + sig);
            }
            say(&format!("\n{}", message(&out, total, &command, sig)));
            let name = match sig {
                SIGTERM => "SIGTERM",
                SIGHUP => "SIGHUP",
                SIGPIPE => "SIGPIPE",
                _ => "SIGINT",
            };
            crate::batch::record_stop(&out, name);
            crate::results::lock::remove_own_lock(&out);
            std::process::exit(128 + sig);
        }
    });
    drop(spawned);
}

/// Writes `line` to stderr, if it can: after SIGHUP the terminal may be
/// gone, and `eprintln!` would panic instead of letting the command end as
/// the signal asks.
pub fn say(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// What is printed on a stopping signal `sig`.
fn message(out: &Path, total: u64, command: &str, sig: i32) -> String {
    let csv = out.join("sweep.csv");
    let done = recorded_rows(&csv);
    let by = match sig {
        SIGTERM => " by SIGTERM",
        SIGHUP => " by SIGHUP",
        SIGPIPE => " by SIGPIPE (the pipe it wrote to was closed)",
        _ => "",
    };
    format!(
        "tplus sweep: interrupted{by} with {done} of {total} runs recorded in {}; to resume (only the missing runs are computed):\n  {command}",
        csv.display()
    )
}

/// Complete rows of `sweep.csv` (a cut-short last line is not one), 0 if
/// there is no file yet.
fn recorded_rows(csv: &Path) -> usize {
    std::fs::read(csv).map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count().saturating_sub(1))
}

/// The command line as given, quoted for a POSIX shell, after a `cd` to the
/// directory it was run in: relative paths (the sweep file, `--out`, the
/// default `results/sweeps/…`) mean the same wherever it is pasted.
fn resume_command(args: &[String], cwd: Option<PathBuf>) -> String {
    let line: Vec<String> = args.iter().map(|a| quote(a)).collect();
    match cwd {
        Some(dir) => format!("cd {} && {}", quote(&dir.to_string_lossy()), line.join(" ")),
        None => line.join(" "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_resume_command_is_one_line_for_a_shell() {
        let args = ["tplus", "sweep", "my sweep.toml", "--jobs", "2"].map(String::from);
        assert_eq!(
            resume_command(&args, Some(PathBuf::from("/work/x"))),
            "cd /work/x && tplus sweep 'my sweep.toml' --jobs 2"
        );
    }
}
