//! A behaviour that is not built in, registered and run through the library:
//! the contrarian of `shared/contrarian.rs`, which keeps a moving average of
//! the price as per-agent state of its own type and trades against moves
//! away from it.
//!
//! ```sh
//! cargo run --release --example custom_behaviour [-- SCENARIO [OUT_DIR]]
//! ```
//!
//! runs `examples/contrarian.toml` (or SCENARIO), whose third group says
//! `family = "contrarian"`, writes the run folder `tplus run` would
//! (`run_to_dir`) into OUT_DIR (by default a fresh one under the system's
//! temporary directory), and prints what each family did. The
//! contrarians' `threshold` is a live parameter, which the scenario's
//! `[[events]]` raise at noon on the second day (`target = "group_param"`),
//! as a scenario scripts a change of a built-in family's.

use std::path::PathBuf;
use std::process::ExitCode;

use tplus::agents::{Behaviour, Registry};
use tplus::engine::RunOptions;
use tplus::engine::record::{Recorder, TradeRecord};
use tplus::results::run_dir::{DirOptions, run_to_dir};
use tplus::scenario::Scenario;

#[path = "shared/contrarian.rs"]
mod contrarian;
use contrarian::Contrarian;

/// Counts the lots each group bought and sold, beside the run's files.
struct ByGroup<'a> {
    scenario: &'a Scenario,
    bought: Vec<u64>,
    sold: Vec<u64>,
}

impl Recorder for ByGroup<'_> {
    fn trade(&mut self, t: &TradeRecord) {
        if let Some(g) = self.scenario.group_of(t.buyer) {
            self.bought[g] += u64::from(t.lots);
        }
        if let Some(g) = self.scenario.group_of(t.seller) {
            self.sold[g] += u64::from(t.lots);
        }
    }
}

fn main() -> ExitCode {
    let path = std::env::args_os()
        .nth(1)
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/contrarian.toml"), PathBuf::from);
    let mut registry = Registry::builtin();
    registry.register::<Contrarian>();
    let scenario = match tplus::scenario::load(&path, &registry) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    // The run folder `tplus run` would write (trades.csv, metrics.csv,
    // summary.json, risk.csv, manifest.json), which `tplus report DIR` draws
    // and pandas reads; given as the second argument, or a fresh one under
    // the system's temporary directory.
    let out = std::env::args_os()
        .nth(2)
        .map_or_else(|| std::env::temp_dir().join(format!("tplus-contrarian-{}", std::process::id())), PathBuf::from);
    let n = scenario.agents.len();
    let mut rec = ByGroup { scenario: &scenario, bought: vec![0; n], sold: vec![0; n] };
    let opts = RunOptions { seed: None, threads: 2 };
    let outcome = match run_to_dir(&scenario, &opts, &registry, &out, DirOptions::default(), &mut rec) {
        Ok(run) => run.outcome,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(e.exit_code());
        }
    };
    // Cash conserved and no holding past its limit: a run that fails these
    // checks has results that cannot be trusted.
    if let Err(e) = outcome.check() {
        eprintln!("error: {e}");
        return ExitCode::from(1);
    }
    println!(
        "{}: {} orders, {} trades; results in {}",
        path.display(),
        outcome.stats.orders,
        outcome.stats.trades,
        out.display()
    );
    for (g, group) in scenario.agents.iter().enumerate() {
        println!(
            "  agents[{g}] {:>17} × {:<5} bought {:>7} lots, sold {:>7}",
            group.family, group.count, rec.bought[g], rec.sold[g]
        );
    }
    let contrarians = scenario.agents.iter().position(|g| g.family == Contrarian::NAME);
    match contrarians {
        Some(g) if rec.bought[g] + rec.sold[g] > 0 => ExitCode::SUCCESS,
        _ => {
            eprintln!("error: the contrarians did not trade");
            ExitCode::from(1)
        }
    }
}
