//! Whole runs through the library, outputs discarded: the engine, agents,
//! platform and books together. `cargo bench --bench run`.
//!
//! Reports the median wall time of a run of `scenarios/baseline.toml`
//! (10,000 customers, 5 business days) on 1 and 2 threads, and prints the
//! events and orders it processed so a time converts to a rate.

use std::path::Path;

use tplus::engine::{self, RunOptions, record::Discard};
use tplus::scenario;

fn main() {
    let scenario = baseline();
    let outcome = engine::run(&scenario, &RunOptions { seed: None, threads: 1 }, &mut Discard).expect("run");
    eprintln!(
        "baseline: {} events, {} orders, {} trades per run",
        outcome.stats.events, outcome.stats.orders, outcome.stats.trades
    );
    divan::main();
}

fn baseline() -> scenario::Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml");
    scenario::load(&path).expect("the bundled baseline scenario is valid")
}

#[divan::bench(args = [1, 2], sample_count = 7, sample_size = 1)]
fn baseline_run(bencher: divan::Bencher, threads: usize) {
    let scenario = baseline();
    let opts = RunOptions { seed: None, threads };
    bencher.bench(|| engine::run(&scenario, &opts, &mut Discard).map(|o| o.stats.trades));
}
