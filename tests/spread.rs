//! Decisions spread over threads give the results of decisions taken one
//! after another, whatever the thread count.
//!
//! Every built-in family of `tests/data/full_market.toml` is registered
//! again, wrapped (`common/costed.rs`) with [`Costly`], which declares each
//! decision to cost 40 µs. That sends every batch of two or more wake-ups down the parallel path:
//! batches are halved between groups and within a group, down to single
//! agents. The trades and the operation log must match the serial run's,
//! record for record, on 2, 3 and 4 threads.

use std::path::Path;

use tplus::engine::record::{OpRecord, Recorder, TradeRecord};
use tplus::engine::{RunOptions, run_with};

#[path = "common/costed.rs"]
mod costed;

/// Declares that a decision costs 40 µs (it does not).
struct Costly;

impl costed::Cost for Costly {
    const HINT_NS: Option<f64> = Some(40_000.0);
    fn spend() {}
}

/// Every trade and operation, formatted.
#[derive(Default)]
struct Log(Vec<String>);

impl Recorder for Log {
    fn trade(&mut self, t: &TradeRecord) {
        self.0.push(format!("{t:?}"));
    }
    fn wants_ops(&self) -> bool {
        true
    }
    fn op(&mut self, op: &OpRecord) {
        self.0.push(format!("{op:?}"));
    }
}

#[test]
fn spread_decisions_match_serial_ones_on_any_thread_count() {
    let registry = costed::registry::<Costly>();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/full_market.toml");
    let scenario = tplus::scenario::load(&path, &registry).expect("the test market is valid");
    let run = |threads| {
        let mut log = Log::default();
        let out = run_with(&scenario, &RunOptions { seed: None, threads }, &registry, &mut log).expect("run");
        (log.0, out.stats)
    };
    let (serial, stats) = run(1);
    assert!(stats.trades > 0, "the market traded nothing");
    assert!(stats.wakeups > stats.batches, "no batch held two wake-ups: nothing was spread");
    for threads in [2, 3, 4] {
        let (spread, _) = run(threads);
        assert_eq!(serial.len(), spread.len(), "{threads} threads: a different number of records");
        if let Some(i) = serial.iter().zip(&spread).position(|(a, b)| a != b) {
            panic!("{threads} threads: record {i} differs:\n  serial {}\n  spread {}", serial[i], spread[i]);
        }
    }
}
