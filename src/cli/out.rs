//! The command line's `print!`, `println!` and `eprintln!` (the macros of
//! `cli/mod.rs` shadow std's in every `cli` module): a write that fails
//! never panics, as std's do. A result's words on stdout that cannot be
//! written (a full disk under a batch job's log) are remembered, and the
//! command exits 1 saying so once its work is done ([`failed`]); a message
//! to a stderr that cannot take it is dropped, and the command's exit
//! status still says what happened. A closed pipe ends the process by
//! SIGPIPE before either is seen (see `main_with`).

use std::fmt;
use std::io::Write;
use std::sync::OnceLock;

/// The first error writing to stdout.
static FAILED: OnceLock<String> = OnceLock::new();

/// Writes `args` to stdout, remembering a failure.
pub(crate) fn out(args: fmt::Arguments<'_>) {
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout.write_fmt(args) {
        let _ = FAILED.set(e.to_string());
    }
}

/// Writes `args` to stderr, if it can.
pub(crate) fn err(args: fmt::Arguments<'_>) {
    let _ = std::io::stderr().lock().write_fmt(args);
}

/// Why stdout could not be written, if it could not: everything printed is
/// flushed first, so a last line without its line break counts too.
pub(crate) fn failed() -> Option<&'static str> {
    if let Err(e) = std::io::stdout().lock().flush() {
        let _ = FAILED.set(e.to_string());
    }
    FAILED.get().map(String::as_str)
}
