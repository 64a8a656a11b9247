//! Ctrl-C. A run and the replications stop at their next boundary and
//! leave nothing half-written ([`stop_flag`]). A sweep says how far it got
//! and the exact command that resumes it, then exits 130 as an interrupted
//! command does ([`on_ctrl_c`]).
//!
//! Resuming a sweep needs no handler (the rows on disk are the state, see
//! `crate::batch`); this one only tells the user what to type. It runs on a
//! thread of its own (signal-hook's iterator), so nothing is done inside
//! the signal handler itself, and it exits the process without waiting for
//! the runs in flight: their rows are simply not there, and the resumed
//! sweep computes them.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use signal_hook::consts::SIGINT;
use signal_hook::iterator::Signals;

/// A flag Ctrl-C sets: the command stops at its runs' next boundary and
/// removes what it wrote. A second Ctrl-C ends the process at once. If the
/// handlers cannot be set up, Ctrl-C ends the process as it would without
/// them.
pub fn stop_flag() -> Arc<AtomicBool> {
    use signal_hook::flag;
    let stop = Arc::new(AtomicBool::new(false));
    // The first registered acts first: on a second Ctrl-C the flag is set.
    if flag::register_conditional_shutdown(SIGINT, 130, Arc::clone(&stop)).is_ok() {
        let _ = flag::register(SIGINT, Arc::clone(&stop));
    }
    stop
}

/// Watches for SIGINT from now on; on one, prints to stderr the runs recorded
/// in `out/sweep.csv` out of `total` and the command to resume, removes the
/// sweep's lock on `out` (as its release at a normal exit does) and exits
/// 130. If the watch cannot be set up, Ctrl-C stops the sweep as it would
/// without it (the resume still works and takes over the lock left behind;
/// only the message is missing).
pub fn on_ctrl_c(out: &Path, total: u64) {
    let Ok(mut signals) = Signals::new([SIGINT]) else { return };
    let out = out.to_path_buf();
    let command = resume_command(&std::env::args().collect::<Vec<_>>(), std::env::current_dir().ok());
    let spawned = std::thread::Builder::new().name("ctrl-c".into()).spawn(move || {
        if signals.forever().next().is_some() {
            eprintln!("\n{}", message(&out, total, &command));
            crate::results::lock::remove_own_lock(&out);
            std::process::exit(130);
        }
    });
    drop(spawned);
}

/// What is printed on Ctrl-C.
fn message(out: &Path, total: u64, command: &str) -> String {
    let csv = out.join("sweep.csv");
    let done = recorded_rows(&csv);
    format!(
        "tplus sweep: interrupted with {done} of {total} runs recorded in {}; to resume (only the missing runs are computed):\n  {command}",
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

/// `s` as one word for a POSIX shell: as it is when only safe characters,
/// else in single quotes (a quote inside written as '\'').
fn quote(s: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "-_./:=,+@%".contains(c);
    if !s.is_empty() && s.chars().all(safe) { s.to_string() } else { format!("'{}'", s.replace('\'', "'\\''")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_quoted_only_when_a_shell_would_split_or_expand_them() {
        assert_eq!(quote("scenarios/sweeps/ci.toml"), "scenarios/sweeps/ci.toml");
        assert_eq!(quote("--shard=2/3"), "--shard=2/3");
        assert_eq!(quote("a b"), "'a b'");
        assert_eq!(quote("it's $HOME"), "'it'\\''s $HOME'");
        assert_eq!(quote(""), "''");
        let args = ["tplus", "sweep", "my sweep.toml", "--jobs", "2"].map(String::from);
        assert_eq!(
            resume_command(&args, Some(PathBuf::from("/work/x"))),
            "cd /work/x && tplus sweep 'my sweep.toml' --jobs 2"
        );
    }
}
