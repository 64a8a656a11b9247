//! Customers and how they decide. Every family sits behind one interface,
//! [`Behaviour`]: given a read-only [`Context`] (a snapshot of the market at
//! the start of the lookahead window, and the platform's accounts) and the
//! agent's own state and random stream, it returns at most [`MAX_ACTIONS`]
//! actions. Decisions never touch shared state, which is what lets the engine
//! run an entire lookahead window of them in parallel.

pub mod hawkes;
mod herding;
mod macro_driven;
mod market_maker;
mod rational;
mod zero_intelligence;

use rand::{Rng, RngExt};
use rand_distr::{Distribution as _, Exp, LogNormal, Normal};

use crate::book::{OrderId, OrderKind, Side};
use crate::platform::Accounts;
use crate::random::AgentRng;
use crate::scenario::{AgentGroup, ArrivalProcess, DistKind, Distribution, Family};

pub use hawkes::{Hawkes, HawkesClock};

pub use herding::{Herding, Sentiment};
pub use macro_driven::MacroDriven;
pub use market_maker::MarketMaker;
pub use rational::Rational;
pub use zero_intelligence::ZeroIntelligence;

/// Most actions one wake-up may produce: a market maker replaces both quotes
/// (two cancels, two orders).
pub const MAX_ACTIONS: usize = 4;

/// The market as every agent in a lookahead window sees it.
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    pub time: i64,
    pub day: u32,
    /// Annual rates as fractions.
    pub loan_rate: f64,
    pub deposit_rate: f64,
    /// ln(price level / its reference).
    pub price_level_deviation: f64,
    pub shock: f64,
    /// Calendar days from today to the next business day (the T+1 horizon).
    pub days_to_next: f64,
    /// Metrics windows per business day, to scale per-window statistics.
    pub windows_per_day: f64,
    pub products: Vec<ProductView>,
    /// Per product: the recent history agents read (oldest first).
    pub markets: Vec<MarketStats>,
    /// Per `[[agents]]` group.
    pub groups: Vec<GroupView>,
}

/// One product in a snapshot; prices in absolute ticks.
#[derive(Clone, Copy, Debug, Default)]
pub struct ProductView {
    pub nav_ticks: f64,
    /// NAV on the next business day (what a T+1 sale is worth at NAV).
    pub nav_next_ticks: f64,
    pub annual_yield: f64,
    pub redemption_penalty: f64,
    pub band_lo: i64,
    pub band_hi: i64,
    pub best_bid: Option<i64>,
    pub best_ask: Option<i64>,
    pub last_price: Option<i64>,
    /// Micros per lot per tick: a lot at price p costs p * lot_micros_per_tick.
    pub lot_micros_per_tick: i64,
    /// Largest order the platform accepts, in lots.
    pub max_order_lots: u32,
}

impl ProductView {
    /// The price agents take as "the market": the mid when both sides
    /// quote, else the last trade, else NAV (fractional ticks).
    pub fn reference_price(&self) -> f64 {
        match (self.best_bid, self.best_ask, self.last_price) {
            (Some(b), Some(a), _) => (b + a) as f64 / 2.0,
            (_, _, Some(p)) => p as f64,
            _ => self.nav_ticks,
        }
    }
}

/// What happened to a product over the last windows.
#[derive(Clone, Debug, Default)]
pub struct MarketStats {
    /// Log returns of the window reference price, oldest first (at most `MAX_LOOKBACK`).
    pub returns: Vec<f64>,
    /// Customers' order imbalance in the last window: (buys − sells) / (buys + sells), 0 when none.
    pub imbalance: f64,
    /// Share of customers' sales that filled, smoothed over recent windows (1 before any closed).
    pub sale_success: f64,
}

impl MarketStats {
    /// Mean and standard deviation of the last `n` window returns (0, 0 with no history).
    pub fn trend_and_volatility(&self, n: usize) -> (f64, f64) {
        let r = &self.returns[self.returns.len().saturating_sub(n)..];
        if r.is_empty() {
            return (0.0, 0.0);
        }
        let mean = r.iter().sum::<f64>() / r.len() as f64;
        let var = r.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / r.len() as f64;
        (mean, var.sqrt())
    }

    /// The latest window return (0 with no history).
    pub fn last_return(&self) -> f64 {
        self.returns.last().copied().unwrap_or(0.0)
    }
}

/// One `[[agents]]` group as its members see it.
#[derive(Clone, Copy, Debug, Default)]
pub struct GroupView {
    pub members: u32,
    /// Herd-following groups: members currently optimistic.
    pub optimists: u32,
    /// Herd-following groups: the recruitment rate b per hour (changeable live).
    pub herding: f64,
    /// Macro-driven groups: the share of members active (changeable live).
    pub active_share: f64,
}

impl GroupView {
    pub fn optimist_share(&self) -> f64 {
        if self.members == 0 { 0.5 } else { f64::from(self.optimists) / f64::from(self.members) }
    }
}

pub struct Context<'a> {
    pub snapshot: &'a Snapshot,
    pub accounts: &'a Accounts,
}

/// An order as an agent asks for it; the platform checks it on arrival.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OrderRequest {
    pub product: u16,
    pub side: Side,
    pub kind: OrderKind,
    /// Absolute tick; ignored for market orders.
    pub price: i64,
    pub lots: u32,
    pub all_or_none: bool,
    /// How long a resting remainder may live (capped at the close).
    pub ttl: i64,
}

impl OrderRequest {
    /// This order cut to what customer `id` can do: a buy to what its free
    /// cash pays for (a market buy reserves at the band top), a sale to what
    /// it may sell today, both to the size limit; None when nothing is left.
    pub fn within_means(mut self, ctx: &Context<'_>, id: u32) -> Option<OrderRequest> {
        let view = &ctx.snapshot.products[self.product as usize];
        self.lots = match self.side {
            Side::Buy => {
                let reserve_at = if self.kind == OrderKind::Market { view.band_hi } else { self.price };
                affordable(ctx, id, view, reserve_at, self.lots)
            }
            Side::Sell => sellable(ctx, id, self.product, self.lots),
        };
        (self.lots > 0).then_some(self)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Submit(OrderRequest),
    Cancel { product: u16, order: OrderId },
}

/// An order of an agent's that is resting in a book, as the engine last told
/// it. `OrderId(0)` (never a valid handle) marks an empty slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LiveOrder {
    pub order: OrderId,
    /// The low 32 bits of the order's serial number: enough to recognise its
    /// final event, since no order lives while 2^32 others are submitted.
    pub serial: u32,
    pub product: u16,
}

impl LiveOrder {
    pub const NONE: LiveOrder = LiveOrder { order: OrderId(0), serial: 0, product: 0 };

    pub fn new(product: u16, order: OrderId, serial: u64) -> LiveOrder {
        LiveOrder { order, serial: serial as u32, product }
    }

    pub fn is_some(&self) -> bool {
        self.order != OrderId(0)
    }

    pub fn matches(&self, serial: u64) -> bool {
        self.is_some() && self.serial == serial as u32
    }

    pub fn cancel(self) -> Action {
        Action::Cancel { product: self.product, order: self.order }
    }
}

/// Bits of [`AgentState::flags`].
pub mod flags {
    /// Herd-following: optimistic at the last wake-up.
    pub const OPTIMIST: u8 = 1;
    /// Herd-following: a blind follower of the latest price change.
    pub const BLIND: u8 = 2;
}

/// Per-agent state: everything a decision may change. One cache line, so a
/// wake-up touches one line of agent state, and a decision can run on a copy.
#[derive(Clone, Debug)]
#[repr(C, align(64))]
pub struct AgentState {
    /// The agent's own random generator (see [`crate::random`]).
    pub rng: AgentRng,
    /// The agent's resting orders, by side (`Side as usize`).
    pub live: [LiveOrder; 2],
    /// Family-specific traits drawn at the start (ZI: private value offset;
    /// rational: the three Chiarella–Iori weights; macro: a rank in [0, 1)
    /// that decides whether the agent is among the active share; market
    /// maker: the target inventory).
    pub traits: [f32; 3],
    pub group: u16,
    pub flags: u8,
}

impl AgentState {
    pub fn new(group: u16, rng: AgentRng) -> AgentState {
        AgentState { rng, live: [LiveOrder::NONE; 2], traits: [0.0; 3], group, flags: 0 }
    }

    pub fn is_optimist(&self) -> bool {
        self.flags & flags::OPTIMIST != 0
    }

    /// The resting order on `side`, if any.
    pub fn live(&self, side: Side) -> Option<LiveOrder> {
        Some(self.live[side as usize]).filter(LiveOrder::is_some)
    }

    /// Every resting order, bids first.
    pub fn live_orders(&self) -> impl Iterator<Item = LiveOrder> + '_ {
        self.live.iter().copied().filter(LiveOrder::is_some)
    }
}

/// What one wake-up produced.
#[derive(Clone, Copy, Debug, Default)]
pub struct Decision {
    /// When the wake-up's message (all its actions, in order) reaches the platform.
    pub at: i64,
    pub actions: [Option<Action>; MAX_ACTIONS],
}

/// A behavioural family.
pub trait Behaviour: Send + Sync {
    /// Decides what agent `id` does at `now`, filling `out` (empty on entry)
    /// from the front. `rng` is the agent's own stream, the only randomness
    /// a decision may use.
    fn decide(
        &self,
        id: u32,
        now: i64,
        state: &mut AgentState,
        rng: &mut AgentRng,
        ctx: &Context<'_>,
        out: &mut [Option<Action>; MAX_ACTIONS],
    );

    /// Draws the agent's private state at the start of the run.
    fn init(&self, state: &mut AgentState, rng: &mut AgentRng);
}

/// How a group's members wake up.
pub enum Arrivals {
    /// Exponential inter-arrival times: each member's rate per nanosecond.
    Poisson { per_agent_per_ns: f64 },
    /// One self-exciting process for the whole group, driven by the engine.
    Hawkes(Hawkes),
}

/// A group of agents from the scenario: its behaviour, arrivals and latency.
pub struct Group {
    pub family: Family,
    pub behaviour: Box<dyn Behaviour>,
    pub arrivals: Arrivals,
    pub min_latency: i64,
    pub jitter: Option<Exp<f64>>,
    pub products: Vec<u16>,
}

impl Group {
    pub fn new(g: &AgentGroup, product_ids: &[String], min_latency: i64, jitter_mean: i64) -> Group {
        let products: Vec<u16> = match &g.products {
            Some(list) => {
                list.iter().filter_map(|id| product_ids.iter().position(|p| p == id).map(|i| i as u16)).collect()
            }
            None => (0..product_ids.len() as u16).collect(),
        };
        let behaviour: Box<dyn Behaviour> = match g.family {
            Family::ZeroIntelligence => Box::new(ZeroIntelligence::new(&g.params, products.clone())),
            Family::Rational => Box::new(Rational::new(&g.params, products.clone())),
            Family::Herding => Box::new(Herding::new(&g.params, products.clone())),
            Family::Macro => Box::new(MacroDriven::new(&g.params, products.clone())),
            Family::MarketMaker => Box::new(MarketMaker::new(&g.params, products.clone())),
        };
        let a = &g.arrival;
        let arrivals = match a.process {
            // Validated: rates above 0; the fallbacks are never used.
            ArrivalProcess::Poisson => Arrivals::Poisson { per_agent_per_ns: a.rate.unwrap_or(1.0) / 3.6e12 },
            ArrivalProcess::Hawkes => Arrivals::Hawkes(Hawkes::new(
                a.mu.unwrap_or(1.0) * g.count as f64 / 3600.0,
                a.alpha.unwrap_or(0.0),
                a.beta.unwrap_or(1.0),
            )),
        };
        Group {
            family: g.family,
            behaviour,
            arrivals,
            min_latency,
            jitter: (jitter_mean > 0).then(|| Exp::new(1.0 / jitter_mean as f64).ok()).flatten(),
            products,
        }
    }

    /// Runs one wake-up into `out`: the decision and the arrival time of its message.
    #[inline]
    pub fn wake(&self, id: u32, now: i64, state: &mut AgentState, ctx: &Context<'_>, out: &mut Decision) {
        // The generator leaves the state while the behaviour holds both.
        let mut rng = state.rng.clone();
        out.actions = [None; MAX_ACTIONS];
        self.behaviour.decide(id, now, state, &mut rng, ctx, &mut out.actions);
        if out.actions[0].is_some() {
            // One message per wake-up: its actions travel together and reach
            // the platform in the order the agent listed them.
            out.at = now + self.latency(&mut rng);
        }
        state.rng = rng;
    }

    fn latency(&self, rng: &mut AgentRng) -> i64 {
        self.min_latency + self.jitter.map_or(0, |j| j.sample(rng) as i64)
    }
}

/// Lots a customer can pay for at `price` (absolute ticks) with its free
/// cash, at most `want` and at most the platform's size limit.
pub fn affordable(ctx: &Context<'_>, id: u32, view: &ProductView, price: i64, want: u32) -> u32 {
    let per_lot = (price * view.lot_micros_per_tick).max(1);
    let lots = ctx.accounts.available_cash(id) / per_lot;
    want.min(lots.clamp(0, i64::from(u32::MAX)) as u32).min(view.max_order_lots)
}

/// Lots a customer may offer in one sale: at most `want`, what it may sell
/// today (bought before today, not promised to a resting sell) and the
/// platform's size limit.
pub fn sellable(ctx: &Context<'_>, id: u32, product: u16, want: u32) -> u32 {
    let view = &ctx.snapshot.products[product as usize];
    want.min(ctx.accounts.sellable(product as usize, id, ctx.snapshot.day)).min(view.max_order_lots)
}

/// A draw from a standard normal that never fails.
pub(crate) fn std_normal<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    rand_distr::StandardNormal.sample(rng)
}

/// Draws from a validated scenario distribution, clipped to [lo, hi].
pub fn draw<R: Rng + ?Sized>(d: &Distribution, rng: &mut R, lo: f64, hi: f64) -> f64 {
    let v = |x: Option<f64>| x.unwrap_or(0.0);
    let x = match d.dist {
        DistKind::Fixed => v(d.value),
        DistKind::Uniform => {
            let (lo, hi) = (v(d.min), v(d.max));
            if hi > lo { rng.random_range(lo..=hi) } else { lo }
        }
        DistKind::Normal => Normal::new(v(d.mean), v(d.sd)).map_or(v(d.mean), |n| n.sample(rng)),
        DistKind::Lognormal => LogNormal::new(v(d.median).ln(), v(d.sigma)).map_or(v(d.median), |n| n.sample(rng)),
    };
    x.clamp(lo, hi)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::agent_stream;

    #[test]
    fn draws_respect_the_distribution_and_the_floor() {
        let mut rng = agent_stream(1, 1);
        let u = Distribution {
            dist: DistKind::Uniform,
            value: None,
            min: Some(2.0),
            max: Some(3.0),
            ..Distribution::fixed(0.0)
        };
        for _ in 0..1000 {
            let x = draw(&u, &mut rng, 0.0, 10.0);
            assert!((2.0..=3.0).contains(&x));
        }
        let n = Distribution {
            dist: DistKind::Normal,
            value: None,
            mean: Some(0.0),
            sd: Some(1.0),
            ..Distribution::fixed(0.0)
        };
        assert!((0..1000).all(|_| draw(&n, &mut rng, 0.0, 10.0) >= 0.0));
        let mean: f64 = (0..20_000).map(|_| draw(&n, &mut rng, f64::MIN, f64::MAX)).sum::<f64>() / 20_000.0;
        assert!(mean.abs() < 0.05, "normal mean {mean}");
    }
}
