//! Decisions spread over threads give the results of decisions taken one
//! after another, whatever the thread count.
//!
//! Every built-in family of `tests/data/full_market.toml` is registered
//! again wrapped in [`Costly`], which declares each decision to cost 40 µs.
//! That sends every batch of two or more wake-ups down the parallel path:
//! batches are halved between groups and within a group, down to single
//! agents. The trades and the operation log must match the serial run's,
//! record for record, on 2, 3 and 4 threads.

use std::path::Path;

use tplus::agents::{
    Actions, Agent, Behaviour, Context, CrowdView, GroupSetup, Herding, MacroDriven, MarketMaker, Rational, Registry,
    Snapshot, Wake, ZeroIntelligence,
};
use tplus::engine::record::{OpRecord, Recorder, TradeRecord};
use tplus::engine::{RunOptions, run_with};
use tplus::random::AgentRng;

/// Behaviour `B`, declaring that a decision costs 40 µs (it does not).
struct Costly<B>(B);

impl<B: Behaviour> Behaviour for Costly<B> {
    type Params = B::Params;
    type State = B::State;
    const NAME: &'static str = B::NAME;
    const ABOUT: &'static str = B::ABOUT;
    const LIVE_PARAMS: &'static [&'static str] = B::LIVE_PARAMS;
    const ALIASES: &'static [&'static str] = B::ALIASES;
    const GROUP_DYNAMICS: bool = B::GROUP_DYNAMICS;

    fn build(params: B::Params, setup: GroupSetup) -> Self {
        Costly(B::build(params, setup))
    }
    fn init(&self, rng: &mut AgentRng) -> B::State {
        self.0.init(rng)
    }
    fn decide(&self, wake: Wake, agent: &mut Agent<B::State>, ctx: &Context<'_>, out: &mut Actions) {
        self.0.decide(wake, agent, ctx, out);
    }
    fn cost_hint_ns(&self) -> Option<f64> {
        Some(40_000.0)
    }
    fn open_day(&mut self, open: i64) {
        self.0.open_day(open);
    }
    fn advance(&mut self, t: i64, market: &Snapshot) {
        self.0.advance(t, market);
    }
    fn crowd(&self) -> Option<CrowdView> {
        self.0.crowd()
    }
    fn live_param(&self, name: &str) -> Option<f64> {
        self.0.live_param(name)
    }
    fn set_live_param(&mut self, name: &str, value: f64) {
        self.0.set_live_param(name, value);
    }
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

fn costly_registry() -> Registry {
    let mut r = Registry::builtin();
    r.register::<Costly<ZeroIntelligence>>()
        .register::<Costly<Rational>>()
        .register::<Costly<Herding>>()
        .register::<Costly<MacroDriven>>()
        .register::<Costly<MarketMaker>>();
    r
}

#[test]
fn spread_decisions_match_serial_ones_on_any_thread_count() {
    let registry = costly_registry();
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
