//! Your own `tplus`: the whole command line with a behaviour of yours
//! registered beside the built-in families.
//!
//! ```sh
//! cargo run --release --example custom_cli -- check examples/contrarian.toml
//! cargo run --release --example custom_cli -- help contrarian
//! cargo run --release --example custom_cli -- sweep examples/contrarian_sweep.toml --out /tmp/contrarian-sweep
//! cargo run --release --example custom_cli -- tui examples/contrarian.toml
//! ```
//!
//! Every command of `tplus` is there (`run`, `check`, `help`, `sweep`,
//! `merge`, replications and `compare`, `tui`, `report`), and wherever a
//! scenario is read, `family = "contrarian"` is one of the families it
//! accepts, with its parameters checked and documented as a built-in's are.
//! Built once (`cargo build --release --example custom_cli`), the binary at
//! `target/release/examples/custom_cli` is what a cluster's job array runs
//! for a sweep over the contrarians' parameters.

use std::process::ExitCode;

use tplus::agents::Registry;

#[path = "shared/contrarian.rs"]
mod contrarian;

fn main() -> ExitCode {
    let mut registry = Registry::builtin();
    registry.register::<contrarian::Contrarian>();
    tplus::cli::main_with(&registry)
}
