//! The `tplus` binary for the end-to-end tests, and scratch directories for
//! its output.

use std::path::PathBuf;
use std::process::{Command, Output};

/// An empty scratch directory `tplus-<suite>-<pid>-<name>` in the temp dir.
pub fn scratch(suite: &str, name: &str) -> PathBuf {
    let dir =
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("tplus-{suite}-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs the `tplus` binary with `args`.
pub fn tplus(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tplus")).args(args).output().unwrap()
}
