//! The `tplus` binary: see `tplus --help` and README.md.

fn main() -> std::process::ExitCode {
    tplus::cli::main()
}
