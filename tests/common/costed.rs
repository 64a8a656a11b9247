//! The built-in families wrapped so that a decision costs more, or says it
//! does: shared by `tests/spread.rs` (a declared cost that sends batches
//! down the parallel path) and `benches/parallel.rs` (real work per
//! decision). Each includes this file with `#[path]`.
//!
//! A wrapped family keeps its name, parameters and every trait constant of
//! the built-in, and is registered over it, so a bundled scenario runs with
//! it unchanged.

use std::marker::PhantomData;

use tplus::agents::{
    Actions, Agent, Behaviour, Context, CrowdView, GroupSetup, Herding, MacroDriven, MarketMaker, Rational, Registry,
    Snapshot, Wake, ZeroIntelligence,
};
use tplus::random::AgentRng;

/// What a decision costs on top of the family's own.
pub trait Cost: Send + Sync + 'static {
    /// The cost declared to the engine (`Behaviour::cost_hint_ns`); None
    /// leaves the engine to measure it.
    const HINT_NS: Option<f64>;
    /// Done before each decision.
    fn spend();
}

/// Behaviour `B`, each decision first paying the cost `C`.
pub struct Costed<C, B>(B, PhantomData<C>);

impl<C: Cost, B: Behaviour> Behaviour for Costed<C, B> {
    type Params = B::Params;
    type State = B::State;
    const NAME: &'static str = B::NAME;
    const ABOUT: &'static str = B::ABOUT;
    const ALIASES: &'static [&'static str] = B::ALIASES;
    const GROUP_DYNAMICS: bool = B::GROUP_DYNAMICS;
    const DEALER: bool = B::DEALER;
    const LIVE_PARAMS: &'static [&'static str] = B::LIVE_PARAMS;
    const STATE_HEAP_BYTES: usize = B::STATE_HEAP_BYTES;

    fn build(params: B::Params, setup: GroupSetup) -> Self {
        Costed(B::build(params, setup), PhantomData)
    }
    fn init(&self, rng: &mut AgentRng) -> B::State {
        self.0.init(rng)
    }
    fn decide(&self, wake: Wake, agent: &mut Agent<B::State>, ctx: &Context<'_>, out: &mut Actions) {
        C::spend();
        self.0.decide(wake, agent, ctx, out);
    }
    fn urge_sell(&self, wake: Wake, agent: &mut Agent<B::State>, ctx: &Context<'_>, out: &mut Actions) {
        self.0.urge_sell(wake, agent, ctx, out);
    }
    fn cost_hint_ns(&self) -> Option<f64> {
        C::HINT_NS.or_else(|| self.0.cost_hint_ns())
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

/// The built-in registry with every built-in family wrapped to cost `C`.
pub fn registry<C: Cost>() -> Registry {
    let mut r = Registry::builtin();
    r.register::<Costed<C, ZeroIntelligence>>()
        .register::<Costed<C, Rational>>()
        .register::<Costed<C, Herding>>()
        .register::<Costed<C, MacroDriven>>()
        .register::<Costed<C, MarketMaker>>();
    r
}
