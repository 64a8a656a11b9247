//! Whole runs through the library, outputs discarded: the engine, agents,
//! platform and books together. `cargo bench --bench run`.
//!
//! Reports the median wall time of a run of `scenarios/baseline.toml`
//! (10,002 customers of all families, 5 business days) on 1 and 2 threads,
//! and of the reference market and its tenfold copy
//! (`scenarios/bench/reference_market*.toml`, one 6.5-hour day), and prints
//! the events and orders each run processes so a time converts to a rate.
//! The 100,000- and 1,000,000-customer runs take seconds each; time them
//! with `tplus run scenarios/bench/scale_100k.toml` (see ARCHITECTURE.md).
//!
//! `baseline_summary` times what a run does after its last event, on a
//! finished baseline run (run once, untimed): the risk report and the
//! summary's statistics (each correlation's effective sample size and
//! moving-block bootstrap, the stylized facts), as `summary.json` takes them.

use std::path::Path;
use std::sync::OnceLock;

use tplus::engine::{self, RunOptions, record::Discard};
use tplus::scenario;

const SCENARIOS: [&str; 3] =
    ["scenarios/baseline.toml", "scenarios/bench/reference_market.toml", "scenarios/bench/reference_market_x10.toml"];

fn main() {
    for file in SCENARIOS {
        let s = load(file);
        let outcome = engine::run(&s, &RunOptions { seed: None, threads: 1 }, &mut Discard).expect("run");
        eprintln!(
            "{file}: {} events, {} orders, {} cancels, {} trades per run",
            outcome.stats.events, outcome.stats.orders, outcome.stats.cancels, outcome.stats.trades
        );
    }
    divan::main();
}

fn load(file: &str) -> scenario::Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    scenario::load(&path, &tplus::agents::Registry::builtin()).expect("the bundled scenarios are valid")
}

#[divan::bench(args = [1, 2], sample_count = 7, sample_size = 1)]
fn baseline(bencher: divan::Bencher, threads: usize) {
    let s = load(SCENARIOS[0]);
    let opts = RunOptions { seed: None, threads };
    bencher.bench(|| engine::run(&s, &opts, &mut Discard).map(|o| o.stats.trades));
}

#[divan::bench(sample_count = 21, sample_size = 1)]
fn reference_market(bencher: divan::Bencher) {
    let s = load(SCENARIOS[1]);
    let opts = RunOptions { seed: None, threads: 1 };
    bencher.bench(|| engine::run(&s, &opts, &mut Discard).map(|o| o.stats.trades));
}

#[divan::bench(sample_count = 9, sample_size = 1)]
fn reference_market_x10(bencher: divan::Bencher) {
    let s = load(SCENARIOS[2]);
    let opts = RunOptions { seed: None, threads: 1 };
    bencher.bench(|| engine::run(&s, &opts, &mut Discard).map(|o| o.stats.trades));
}

#[divan::bench(sample_count = 21, sample_size = 1)]
fn baseline_summary(bencher: divan::Bencher) {
    static RUN: OnceLock<(scenario::Scenario, engine::Outcome)> = OnceLock::new();
    let (s, outcome) = RUN.get_or_init(|| {
        let s = load(SCENARIOS[0]);
        let outcome = engine::run(&s, &RunOptions { seed: None, threads: 1 }, &mut Discard).expect("run");
        (s, outcome)
    });
    bencher.bench(|| outcome.metrics.summary(&outcome.products, tplus::results::risk_report(s, outcome).1));
}
