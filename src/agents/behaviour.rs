//! The behaviour seam: what a family of customers is to the engine.
//!
//! A [`Behaviour`] is built once per `[[agents]]` group from its typed
//! parameters ([`ParamSet`]) and a [`GroupSetup`]. It draws each member's
//! state of its own type at the start ([`Behaviour::init`]), and at each of a
//! member's wake-ups fills in the member's [`Actions`] from a read-only
//! [`Context`] and the member's own [`Agent`] record ([`Behaviour::decide`]).
//! Group-level dynamics (a herding crowd) live in the behaviour too: the
//! engine steps them between batches ([`Behaviour::advance`]) without
//! knowing what they are.
//!
//! Decisions never touch shared state, which is what lets the engine run a
//! lookahead window of them in parallel with results that do not depend on
//! the number of threads.

use rand::RngExt;
use rand::rngs::ChaCha8Rng;

use super::market::{Context, Snapshot};
use super::order::{Action, LiveOrder, panic_sale};
use super::params::ParamSet;
use crate::book::Side;
use crate::random::AgentRng;

/// Most actions one wake-up may produce: a market maker replaces both quotes
/// (two cancels, two orders).
pub const MAX_ACTIONS: usize = 4;

/// The actions of one wake-up, in the order they reach the platform.
///
/// `len` comes first (`repr(C)`): a reader of a short list, the usual one,
/// finds its length and its first actions on the same cache line (see
/// [`crate::agents::Decision`]).
#[derive(Clone, Copy, Debug)]
#[repr(C)]
pub struct Actions {
    len: u8,
    /// The first `len` are the actions; the rest are leftovers or filler,
    /// never read (plain values rather than options: the list is filled and
    /// read on every wake-up).
    slots: [Action; MAX_ACTIONS],
}

/// What fills an unused slot.
const FILLER: Action = Action::Cancel { product: 0, order: crate::book::OrderId(0) };

impl Default for Actions {
    fn default() -> Actions {
        Actions { slots: [FILLER; MAX_ACTIONS], len: 0 }
    }
}

/// Two lists of actions are equal when they hold the same actions in order
/// (slots past the length are leftovers and never read).
impl PartialEq for Actions {
    fn eq(&self, other: &Actions) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for Actions {}

impl Actions {
    /// Appends `action`; past [`MAX_ACTIONS`] it is dropped and false
    /// returned, which a caller must not ignore (a ladder of five orders
    /// would lose one without a sign).
    #[inline]
    #[must_use = "past MAX_ACTIONS the action is dropped: check the result"]
    pub fn push(&mut self, action: Action) -> bool {
        let Some(slot) = self.slots.get_mut(self.len as usize) else { return false };
        *slot = action;
        self.len += 1;
        true
    }

    /// Appends `action` if there is one: for a wake-up's last action, with
    /// fewer than [`MAX_ACTIONS`] before it. Past them it is dropped, as by
    /// [`Actions::push`], which debug builds (tests) assert never happens.
    #[inline]
    pub fn push_some(&mut self, action: Option<Action>) {
        if let Some(a) = action {
            self.put(a);
        }
    }

    /// [`Actions::push`] for a list that cannot be full by construction
    /// (the built-in families send at most [`MAX_ACTIONS`] in any case):
    /// debug builds assert that it was not.
    #[inline]
    pub(crate) fn put(&mut self, action: Action) {
        let kept = self.push(action);
        debug_assert!(kept, "more than MAX_ACTIONS actions in one wake-up: the last was dropped");
    }

    /// No action: the wake-up sends nothing.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The actions in order.
    pub fn iter(&self) -> impl Iterator<Item = &Action> {
        self.slots[..self.len as usize].iter()
    }

    /// Forgets every action (the slots past the length are never read).
    #[inline]
    pub fn clear(&mut self) {
        self.len = 0;
    }
}

/// One member of a group: its generator, its resting orders and the state its
/// behaviour keeps. With the built-in families' 16-byte states it fills one
/// cache line, so a wake-up touches one line of agent memory.
#[derive(Clone, Debug)]
#[repr(C, align(64))]
pub struct Agent<S> {
    /// The agent's own random generator (see [`crate::random`]): the only
    /// randomness a decision may use.
    pub rng: AgentRng,
    /// The agent's resting orders, by side (`Side as usize`), as the engine
    /// last told it: one handle a side, the latest order that came to rest
    /// on it. A second order resting on the same side (another price, or
    /// another product) takes the slot: the first rests on until it fills,
    /// expires or the close, and the agent can no longer cancel or replace
    /// it. A behaviour that keeps several orders a side must withdraw the
    /// one it has before it sends the next.
    pub live: [LiveOrder; 2],
    /// What the behaviour keeps for this agent.
    pub state: S,
}

impl<S> Agent<S> {
    /// A new agent with its generator and state.
    pub fn new(rng: AgentRng, state: S) -> Agent<S> {
        Agent { rng, live: [LiveOrder::NONE; 2], state }
    }

    /// The resting order on `side`, if any.
    pub fn live(&self, side: Side) -> Option<LiveOrder> {
        Some(self.live[side as usize]).filter(LiveOrder::is_some)
    }

    /// Every resting order, bids first.
    pub fn live_orders(&self) -> impl Iterator<Item = LiveOrder> + '_ {
        self.live.iter().copied().filter(LiveOrder::is_some)
    }

    /// A cancel of every resting order, bids first, appended to `out`: a new
    /// view replaces the old. At most two (one order a side), so called
    /// first in a decision they always fit; past [`MAX_ACTIONS`] a cancel is
    /// dropped, as by [`Actions::push`], which debug builds (tests) assert
    /// never happens, as [`Actions::push_some`] does.
    pub fn cancel_all(&self, out: &mut Actions) {
        for live in self.live_orders() {
            out.put(live.cancel());
        }
    }

    /// The start of a decision that replaces the agent's view: a product
    /// drawn from `products` ([`Products::pick`]), then a cancel of every
    /// resting order ([`Agent::cancel_all`]); None, and no cancels, when the
    /// group trades nothing.
    pub(crate) fn pick_anew(&mut self, products: &Products, out: &mut Actions) -> Option<u16> {
        let product = products.pick(&mut self.rng)?;
        self.cancel_all(out);
        Some(product)
    }
}

/// Who wakes and when.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Wake {
    /// The agent's account id (customers are 1…N in `[[agents]]` order).
    pub id: u32,
    /// The simulated time, nanoseconds since the start date's midnight.
    pub now: i64,
}

/// The products a group trades, as indices into the snapshot's products.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Products(pub Vec<u16>);

impl Products {
    /// One product drawn uniformly from `rng` (one draw, even with one
    /// product, so a family's stream does not depend on how many it trades);
    /// None when the group trades nothing.
    #[inline]
    pub fn pick(&self, rng: &mut AgentRng) -> Option<u16> {
        if self.0.is_empty() {
            return None;
        }
        Some(self.0[rng.random_range(0..self.0.len())])
    }

    /// The first product, which a group-level process (a crowd) watches.
    pub fn first(&self) -> Option<u16> {
        self.0.first().copied()
    }
}

/// What a behaviour is built with besides its parameters.
pub struct GroupSetup {
    /// The group's index among the scenario's `[[agents]]` tables.
    pub index: usize,
    /// How many members it has.
    pub members: u32,
    /// The products it trades.
    pub products: Products,
    /// The group's own stream for group-level dynamics, independent of its
    /// members' and of its arrivals.
    pub rng: ChaCha8Rng,
}

/// A group's crowd mood, for the metrics and the live view: members
/// currently optimistic (buying) out of all.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CrowdView {
    /// Members in the group.
    pub members: u32,
    /// Members currently optimistic.
    pub optimists: u32,
}

impl CrowdView {
    /// The optimists' share (½ for an empty group).
    pub fn share(&self) -> f64 {
        if self.members == 0 { 0.5 } else { f64::from(self.optimists) / f64::from(self.members) }
    }
}

/// A behavioural family: how the members of one group decide.
pub trait Behaviour: Send + Sync + Sized + 'static {
    /// Its parameters, as a scenario's `params` table gives them.
    type Params: ParamSet;
    /// What it keeps for each agent (besides the generator and resting orders).
    type State: Clone + Send + Sync + 'static;

    /// The family's name in scenario files (`family = "..."`).
    const NAME: &'static str;
    /// One line on what it models, for `tplus check` and the docs.
    const ABOUT: &'static str;
    /// Other names scenarios may give it (e.g. `zi`).
    const ALIASES: &'static [&'static str] = &[];
    /// Whether it has group-level dynamics ([`Behaviour::open_day`],
    /// [`Behaviour::advance`]); the engine steps only the groups that do.
    const GROUP_DYNAMICS: bool = false;
    /// Whether its members are dealers: the platform's market makers, who
    /// may resell within the day what they bought today. T+1 binds
    /// customers; a market maker bound by it could not turn its stock over
    /// and its asks would dry up as it bought.
    const DEALER: bool = false;
    /// The group-level parameters a scripted event or the live view may
    /// change while the run goes on (e.g. `herding`): a scenario changes
    /// any of them with `target = "group_param"` and `param = "NAME"`,
    /// through [`Behaviour::live_param`] and [`Behaviour::set_live_param`],
    /// which must answer for each. Each must be a parameter of
    /// [`Behaviour::Params`] with a `Real` or `Int` bound (registering a
    /// behaviour that breaks this does not compile).
    const LIVE_PARAMS: &'static [&'static str] = &[];
    /// Bytes each member's [`Behaviour::State`] holds on the heap, beyond
    /// the type's own size (e.g. a price history's `Vec`): counted in the
    /// memory estimate `tplus check` prints and `tplus run` refuses a
    /// scenario by, which otherwise sees `size_of::<State>()` alone. A
    /// constant, so it cannot follow a scenario's parameters: give what
    /// the largest value your parameters' bounds accept makes it (a
    /// window bounded at 256 prices of 8 bytes: 2048); 0 by default.
    const STATE_HEAP_BYTES: usize = 0;

    /// Builds the group's behaviour.
    fn build(params: Self::Params, setup: GroupSetup) -> Self;

    /// Draws a member's state at the start of the run from its own stream.
    fn init(&self, rng: &mut AgentRng) -> Self::State;

    /// Decides what the member `wake.id` does now, appending to `out` (empty
    /// on entry). Reads only `ctx` and the member's own record.
    ///
    /// The platform checks each order on arrival as any customer's and
    /// counts what it refuses; an action no platform could take (a product
    /// the scenario does not have, a limit order left to rest with a `ttl`
    /// of 0 or less) stops the run with [`crate::engine::RunError::Halted`] naming it. A
    /// panic here unwinds out of [`crate::engine::run_with`] as any panic
    /// does (a sweep's or replications' run catches it and records that
    /// run as failed, with the panic's message: put the group or agent in
    /// it if you want them there).
    fn decide(&self, wake: Wake, agent: &mut Agent<Self::State>, ctx: &Context<'_>, out: &mut Actions);

    /// The member woke in a run of sale applications (its group's
    /// `sale_excitation`) and applies to sell, appending to `out` (empty on
    /// entry). By default [`panic_sale`]: withdraw, then offer all it may
    /// sell at the best bid. A family that panics differently overrides it.
    fn urge_sell(&self, wake: Wake, agent: &mut Agent<Self::State>, ctx: &Context<'_>, out: &mut Actions) {
        panic_sale(wake, agent, ctx, out);
    }

    /// Expected nanoseconds per decision, if known; the engine measures it
    /// otherwise. It decides whether a batch is worth spreading over threads.
    fn cost_hint_ns(&self) -> Option<f64> {
        None
    }

    /// The session opens at `open` (group-level dynamics restart their clock).
    fn open_day(&mut self, _open: i64) {}

    /// Steps group-level dynamics to `t`, before a batch decides or a window
    /// closes. The market is as the snapshot shows it.
    fn advance(&mut self, _t: i64, _market: &Snapshot) {}

    /// The group's crowd mood, for behaviours that have one.
    fn crowd(&self) -> Option<CrowdView> {
        None
    }

    /// The current value of live parameter `name`: `Some` for every name in
    /// [`Behaviour::LIVE_PARAMS`] (a run refuses to start otherwise).
    fn live_param(&self, _name: &str) -> Option<f64> {
        None
    }

    /// Sets live parameter `name`. `value` is already within the
    /// parameter's declared bound (rounded, for a whole number).
    fn set_live_param(&mut self, _name: &str, _value: f64) {}
}
