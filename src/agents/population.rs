//! One group's members at run time, behind a type-erased [`Population`]: the
//! engine holds one per `[[agents]]` group and never learns the behaviour's
//! types. [`Members`] stores the agents of one behaviour contiguously (one
//! cache line each for the built-ins), runs their wake-ups serially or in
//! parallel, and measures what a decision costs so the engine can tell
//! whether a batch is worth spreading over threads.

use std::time::Instant;

use rand_distr::{Distribution as _, Exp};

use super::behaviour::{Actions, Agent, Behaviour, CrowdView, Wake};
use super::fork::fork;
use super::lend::Lent;
use super::market::{Context, Snapshot};
use super::order::{Action, LiveOrder};
use super::params::{Bound, ParamSet};
use crate::cache::prefetch;
use crate::random::{AgentRng, Streams};

/// What one wake-up produced.
///
/// Laid out (`repr(C)`) so that the time, the count and the first action
/// lie together at the front: a decision made on the other core is read
/// back on the engine's, and each cache line read is a round trip between
/// the cores (about 70 ns, on a shared host up to about 0.5 µs). Most
/// decisions hold none or one action; reading one used to touch two or
/// three lines, with `at` and the count at the far end.
#[derive(Clone, Copy, Debug, Default)]
#[repr(C)]
pub struct Decision {
    /// When the wake-up's message (all its actions, in order) reaches the platform.
    pub at: i64,
    /// What the agent does.
    pub actions: Actions,
}

/// How long a message takes to reach the platform: at least the scenario's
/// `min_latency`, plus an exponential jitter when it has one.
#[derive(Clone, Copy, Debug)]
pub struct Latency {
    min: i64,
    jitter: Option<Exp<f64>>,
}

impl Latency {
    /// `min` nanoseconds plus an exponential jitter of mean `jitter_mean` (none at 0).
    pub fn new(min: i64, jitter_mean: i64) -> Latency {
        Latency { min, jitter: (jitter_mean > 0).then(|| Exp::new(1.0 / jitter_mean as f64).ok()).flatten() }
    }

    /// A message's delay, drawn from the sender's own generator (nothing
    /// drawn without jitter).
    pub fn draw(&self, rng: &mut AgentRng) -> i64 {
        self.min + self.jitter.map_or(0, |j| j.sample(rng) as i64)
    }
}

/// One wake-up of `agent` at `now`: its decision and when its message
/// arrives, written into `slot` in place (its unused action slots are not
/// touched: on two threads every line written here moves to the engine's
/// core when it reads the decision).
#[inline]
pub(super) fn decide_one<B: Behaviour>(
    b: &B,
    lat: &Latency,
    ctx: &Context<'_>,
    (now, id): (i64, u32),
    agent: &mut Agent<B::State>,
    slot: &mut (u32, Decision),
) {
    slot.0 = id;
    let d = &mut slot.1;
    d.actions.clear();
    b.decide(Wake { id, now }, agent, ctx, &mut d.actions);
    // One message per wake-up: its actions travel together and reach the
    // platform in the order the agent listed them.
    d.at = if d.actions.is_empty() { 0 } else { now + lat.draw(&mut agent.rng) };
}

/// Lists the actions of agent `id`'s wake-up at `now` in `out`: one message
/// (as in `decide_one`), arriving after the agent's latency.
#[inline]
fn post(
    actions: &Actions,
    latency: &Latency,
    (now, id): (i64, u32),
    rng: &mut AgentRng,
    out: &mut Vec<(i64, u32, Action)>,
) {
    if !actions.is_empty() {
        let at = now + latency.draw(rng);
        out.extend(actions.iter().map(|&a| (at, id, a)));
    }
}

/// Least expected work (nanoseconds of decisions) worth handing to another
/// thread: below it, the handoff and the wait cost more than they save.
/// Built-in decisions cost well under 100 ns, so their batches stay on the
/// calling thread until they hold hundreds of agents; a behaviour costing
/// microseconds goes parallel with a handful.
pub const SPREAD_MIN_NS: f64 = 6_000.0;

/// What every half of a split decides with.
struct Shared<'a, B: Behaviour> {
    behaviour: &'a B,
    latency: &'a Latency,
    ctx: &'a Context<'a>,
    /// Nanoseconds one decision costs.
    cost_ns: f64,
}

/// Decides `wakes` (ids ascending, every one in `agents`, whose first
/// member's id is `base`) into `out`, one slot per wake-up, halving the work
/// between threads for as long as the part to halve is worth
/// [`SPREAD_MIN_NS`].
fn decide_split<B: Behaviour>(
    with: &Shared<'_, B>,
    wakes: &[(i64, u32)],
    agents: &mut [Agent<B::State>],
    base: u32,
    out: &mut [(u32, Decision)],
) {
    if wakes.len() < 2 || with.cost_ns * (wakes.len() as f64) < SPREAD_MIN_NS {
        for (&(now, id), slot) in wakes.iter().zip(out) {
            let agent = &mut agents[(id - base) as usize];
            decide_one(with.behaviour, with.latency, with.ctx, (now, id), agent, slot);
        }
        return;
    }
    // Ids ascend, so the two halves' agents lie on either side of the
    // second half's first: each half owns its agents outright.
    let mid = wakes.len() / 2;
    let split = wakes[mid].1;
    let (left, right) = agents.split_at_mut((split - base) as usize);
    let (wakes_l, wakes_r) = wakes.split_at(mid);
    let (out_l, out_r) = out.split_at_mut(mid);
    // The second half is the larger when they differ: this thread takes it
    // (see `fork`).
    fork(|| decide_split(with, wakes_r, right, split, out_r), || decide_split(with, wakes_l, left, base, out_l));
}

/// A group at run time, whatever its behaviour.
pub trait Population: Send + Sync {
    /// The family's name in scenario files.
    fn family(&self) -> &'static str;
    /// Member `id`'s resting orders, as the engine tells it of them.
    fn live_mut(&mut self, id: u32) -> &mut [LiveOrder; 2];
    /// Starts loading member `id`'s record into the cache.
    fn prefetch(&self, id: u32);
    /// Starts loading the records of the members `wakes` lists (time, id).
    fn prefetch_all(&self, wakes: &[(i64, u32)]);
    /// Wakes the members `wakes` lists (time, id; ids ascending, all of this
    /// group) one after another on the calling thread, appending each
    /// action to `out` as (arrival time, agent id, action) as it is decided.
    fn decide(&mut self, wakes: &[(i64, u32)], ctx: &Context<'_>, out: &mut Vec<(i64, u32, Action)>);
    /// Wakes the members `wakes` lists (ids ascending, all of this group),
    /// halving them between the pool's threads while the part to halve is
    /// expected to cost at least [`SPREAD_MIN_NS`]; the results wait in
    /// [`Population::decisions`] until the next call.
    fn decide_apart(&mut self, wakes: &[(i64, u32)], ctx: &Context<'_>);
    /// Lends the members `wakes` lists (ids ascending, all of this group) for
    /// deciding on two threads at once, each wake-up claimed by one of them
    /// ([`Lent`]); the results wait in [`Population::decisions`] as with
    /// [`Population::decide_apart`]. None (the default) when the group
    /// cannot lend them: the engine then halves the batch between the
    /// threads instead.
    fn lend<'a>(&'a mut self, wakes: &'a [(i64, u32)]) -> Option<Lent<'a>> {
        let _ = wakes;
        None
    }
    /// Wakes the members `wakes` lists (ids ascending, all of this group)
    /// on the calling thread into [`Population::decisions`]. By default
    /// [`Population::decide_apart`].
    fn decide_alone(&mut self, wakes: &[(i64, u32)], ctx: &Context<'_>) {
        self.decide_apart(wakes, ctx);
    }
    /// Member `wake` (time, id, of this group) woke in a run of sale
    /// applications: its [`Behaviour::urge_sell`], appended to `out` as in
    /// [`Population::decide`].
    fn urge_sell(&mut self, wake: (i64, u32), ctx: &Context<'_>, out: &mut Vec<(i64, u32, Action)>);
    /// The decisions of the last [`Population::decide_apart`] (or
    /// [`Population::decide_alone`], or of the wake-ups last lent by
    /// [`Population::lend`]) by agent id, in `wakes` order.
    fn decisions(&self) -> &[(u32, Decision)];
    /// Nanoseconds one decision costs: declared by the behaviour or measured
    /// (0 until measured).
    fn cost_ns(&self) -> f64;
    /// See [`Behaviour::GROUP_DYNAMICS`].
    fn has_dynamics(&self) -> bool;
    /// See [`Behaviour::DEALER`].
    fn is_dealer(&self) -> bool;
    /// See [`Behaviour::open_day`].
    fn open_day(&mut self, open: i64);
    /// See [`Behaviour::advance`].
    fn advance(&mut self, t: i64, market: &Snapshot);
    /// See [`Behaviour::crowd`].
    fn crowd(&self) -> Option<CrowdView>;
    /// See [`Behaviour::LIVE_PARAMS`].
    fn live_params(&self) -> &'static [&'static str];
    /// See [`Behaviour::live_param`].
    fn live_param(&self, name: &str) -> Option<f64>;
    /// See [`Behaviour::set_live_param`].
    fn set_live_param(&mut self, name: &str, value: f64);
    /// The values live parameter `name` can take ([`set_live_param`](Self::set_live_param)
    /// keeps it within them), if it has a bound: what a front end tells
    /// the user it stops at.
    fn live_param_bound(&self, name: &str) -> Option<Bound> {
        let _ = name;
        None
    }
    /// Whether the group must decide on the engine's own thread, never
    /// spread beside other groups: its decisions call into something that
    /// runs one caller at a time and whose order of calls must not depend
    /// on the threads (an interpreter). False for the built-ins.
    fn decides_alone(&self) -> bool {
        false
    }
    /// Why the group can decide no more (its behaviour failed), if it
    /// cannot: the engine then stops the run at the next boundary
    /// ([`crate::engine::RunError::Halted`]). None for the built-ins.
    fn halted(&self) -> Option<String> {
        None
    }
}

/// Serial decide calls between two timed ones: timing every call would cost
/// the cheap built-in decisions a few per cent.
const TIME_EVERY: u32 = 64;

/// The first `n` of a group's decision `slots`, for a batch of `n`
/// wake-ups, `decided` set to `n`. Every slot is written in place: the old
/// ones need no clearing (on two threads, clearing them here would only
/// move their lines to this core and back), and slots are added only when
/// a batch is the group's largest yet.
fn slots<'a>(slots: &'a mut Vec<(u32, Decision)>, decided: &mut usize, n: usize) -> &'a mut [(u32, Decision)] {
    if slots.len() < n {
        slots.resize(n, (0, Decision::default()));
    }
    *decided = n;
    &mut slots[..n]
}

/// The members of one group of behaviour `B`.
pub struct Members<B: Behaviour> {
    behaviour: B,
    first_id: u32,
    agents: Vec<Agent<B::State>>,
    latency: Latency,
    /// Slots for the decisions of the last spread batch: its first
    /// `decided`. Never shortened, so that a batch larger than the last
    /// writes no filler into slots that the other thread wrote last.
    decisions: Vec<(u32, Decision)>,
    decided: usize,
    /// The serial wake-ups' list, reused from one to the next.
    actions: Actions,
    calls: u32,
    /// Measured nanoseconds per decision (moving average), 0 until measured.
    measured_ns: f64,
}

impl<B: Behaviour> Members<B> {
    /// Decides `wakes` into [`Population::decisions`], split over the pool
    /// while a part is expected to cost at least [`SPREAD_MIN_NS`] at
    /// `cost_ns` a decision.
    fn decide_into(&mut self, wakes: &[(i64, u32)], ctx: &Context<'_>, cost_ns: f64) {
        let slots = slots(&mut self.decisions, &mut self.decided, wakes.len());
        let with = Shared { behaviour: &self.behaviour, latency: &self.latency, ctx, cost_ns };
        decide_split(&with, wakes, &mut self.agents, self.first_id, slots);
    }

    /// The `count` members from account id `first_id` on, each with its own
    /// stream of `streams` and a state drawn from it.
    pub fn new(behaviour: B, first_id: u32, count: u32, streams: &Streams, latency: Latency) -> Members<B> {
        let agents = (first_id..first_id + count)
            .map(|id| {
                let mut rng = streams.agent(id);
                let state = behaviour.init(&mut rng);
                Agent::new(rng, state)
            })
            .collect();
        Members {
            behaviour,
            first_id,
            agents,
            latency,
            decisions: Vec::with_capacity(64),
            decided: 0,
            actions: Actions::default(),
            calls: 0,
            measured_ns: 0.0,
        }
    }

    #[inline]
    fn decide_serial(&mut self, wakes: &[(i64, u32)], ctx: &Context<'_>, out: &mut Vec<(i64, u32, Action)>) {
        let actions = &mut self.actions;
        for &(now, id) in wakes {
            let agent = &mut self.agents[(id - self.first_id) as usize];
            actions.clear();
            self.behaviour.decide(Wake { id, now }, agent, ctx, actions);
            post(actions, &self.latency, (now, id), &mut agent.rng, out);
        }
    }

    /// [`Members::decide_serial`], timed: kept out of line so that the
    /// untimed calls' code stays compact.
    #[cold]
    #[inline(never)]
    fn decide_timed(&mut self, wakes: &[(i64, u32)], ctx: &Context<'_>, out: &mut Vec<(i64, u32, Action)>) {
        let started = Instant::now();
        self.decide_serial(wakes, ctx, out);
        let ns = started.elapsed().as_nanos() as f64 / wakes.len().max(1) as f64;
        self.measured_ns = if self.measured_ns == 0.0 { ns } else { 0.75 * self.measured_ns + 0.25 * ns };
    }
}

impl<B: Behaviour> Population for Members<B> {
    fn family(&self) -> &'static str {
        B::NAME
    }

    #[inline]
    fn live_mut(&mut self, id: u32) -> &mut [LiveOrder; 2] {
        &mut self.agents[(id - self.first_id) as usize].live
    }

    #[inline]
    fn prefetch(&self, id: u32) {
        if let Some(agent) = self.agents.get(id.wrapping_sub(self.first_id) as usize) {
            prefetch(agent);
        }
    }

    #[inline]
    fn prefetch_all(&self, wakes: &[(i64, u32)]) {
        for &(_, id) in wakes {
            self.prefetch(id);
        }
    }

    fn decide(&mut self, wakes: &[(i64, u32)], ctx: &Context<'_>, out: &mut Vec<(i64, u32, Action)>) {
        self.calls = self.calls.wrapping_add(1);
        if self.calls % TIME_EVERY != 1 || self.behaviour.cost_hint_ns().is_some() {
            return self.decide_serial(wakes, ctx, out);
        }
        self.decide_timed(wakes, ctx, out);
    }

    fn decide_apart(&mut self, wakes: &[(i64, u32)], ctx: &Context<'_>) {
        self.decide_into(wakes, ctx, self.cost_ns());
    }

    fn lend<'a>(&'a mut self, wakes: &'a [(i64, u32)]) -> Option<Lent<'a>> {
        let slots = slots(&mut self.decisions, &mut self.decided, wakes.len());
        let agents = &mut self.agents;
        Some(Lent::new(&self.behaviour, &self.latency, wakes, agents, self.first_id, slots))
    }

    fn decide_alone(&mut self, wakes: &[(i64, u32)], ctx: &Context<'_>) {
        // A cost of 0 never splits.
        self.decide_into(wakes, ctx, 0.0);
    }

    fn urge_sell(&mut self, (now, id): (i64, u32), ctx: &Context<'_>, out: &mut Vec<(i64, u32, Action)>) {
        let agent = &mut self.agents[(id - self.first_id) as usize];
        self.actions.clear();
        self.behaviour.urge_sell(Wake { id, now }, agent, ctx, &mut self.actions);
        post(&self.actions, &self.latency, (now, id), &mut agent.rng, out);
    }

    fn decisions(&self) -> &[(u32, Decision)] {
        &self.decisions[..self.decided]
    }

    fn cost_ns(&self) -> f64 {
        self.behaviour.cost_hint_ns().unwrap_or(self.measured_ns)
    }

    fn has_dynamics(&self) -> bool {
        B::GROUP_DYNAMICS
    }

    fn is_dealer(&self) -> bool {
        B::DEALER
    }

    fn open_day(&mut self, open: i64) {
        self.behaviour.open_day(open);
    }

    fn advance(&mut self, t: i64, market: &Snapshot) {
        self.behaviour.advance(t, market);
    }

    fn crowd(&self) -> Option<CrowdView> {
        self.behaviour.crowd()
    }

    fn live_params(&self) -> &'static [&'static str] {
        B::LIVE_PARAMS
    }

    fn live_param(&self, name: &str) -> Option<f64> {
        self.behaviour.live_param(name)
    }

    fn set_live_param(&mut self, name: &str, value: f64) {
        // A change by any amount lands within the parameter's declared
        // bound: a behaviour sees only values its parameters could hold.
        let bound = self.live_param_bound(name);
        self.behaviour.set_live_param(name, bound.map_or(value, |b| b.clamp(value)));
    }

    fn live_param_bound(&self, name: &str) -> Option<Bound> {
        B::Params::DOCS.iter().find(|d| d.name == name).map(|d| d.bound)
    }
}
