//! The `tplus` binary: see `tplus --help` and README.md.

#![deny(clippy::unwrap_used, clippy::expect_used)]

fn main() -> std::process::ExitCode {
    tplus::cli::main()
}
