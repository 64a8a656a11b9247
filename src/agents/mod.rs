//! Customers and how they decide. Every family sits behind one interface,
//! [`Behaviour`]: given a read-only [`Context`] (a snapshot of the market at
//! the start of the lookahead window, and the platform's accounts) and the
//! agent's own state and random stream, it returns at most [`MAX_ACTIONS`]
//! actions. Decisions never touch shared state, which is what lets the engine
//! run an entire lookahead window of them in parallel.

mod zero_intelligence;

use rand::RngExt;
use rand::rngs::ChaCha8Rng;
use rand_distr::{Distribution as _, Exp, LogNormal, Normal};

use crate::book::{OrderId, OrderKind, Side};
use crate::platform::Accounts;
use crate::random::Streams;
use crate::scenario::{AgentGroup, DistKind, Distribution, Family};

pub use zero_intelligence::ZeroIntelligence;

/// Most actions one wake-up may produce.
pub const MAX_ACTIONS: usize = 2;

/// The market as every agent in a lookahead window sees it.
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    pub time: i64,
    pub day: u32,
    pub loan_rate: f64,
    pub products: Vec<ProductView>,
}

/// One product in a snapshot; prices in absolute ticks.
#[derive(Clone, Copy, Debug, Default)]
pub struct ProductView {
    pub nav_ticks: f64,
    pub band_lo: i64,
    pub band_hi: i64,
    pub best_bid: Option<i64>,
    pub best_ask: Option<i64>,
    pub last_price: Option<i64>,
    /// Micros per lot per tick: a lot at price p costs p * lot_micros_per_tick.
    pub lot_micros_per_tick: i64,
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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Submit(OrderRequest),
    Cancel { product: u16, order: OrderId, serial: u64 },
}

/// An action and the simulated time it reaches the platform.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timed {
    pub at: i64,
    pub action: Action,
}

/// The order of an agent's that is resting in a book, as the engine last told it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LiveOrder {
    pub product: u16,
    pub order: OrderId,
    pub serial: u64,
}

/// Per-agent state: everything a decision may change.
#[derive(Clone, Copy, Debug)]
pub struct AgentState {
    pub group: u16,
    /// Words drawn so far from the agent's random stream (see [`Streams`]).
    pub rng_pos: u64,
    /// Private valuation relative to NAV (Gode–Sunder value/cost), as a fraction.
    pub value_offset: f32,
    pub live: Option<LiveOrder>,
}

/// What one wake-up produced.
#[derive(Clone, Copy, Debug, Default)]
pub struct Decision {
    pub actions: [Option<Timed>; MAX_ACTIONS],
    /// The agent's next wake-up (may fall after the close; then it sleeps until tomorrow).
    pub next_wake: i64,
}

/// A behavioural family.
pub trait Behaviour: Send + Sync {
    /// Decides what agent `id` does at `now`. `rng` is the agent's own
    /// stream, the only randomness a decision may use.
    fn decide(
        &self,
        id: u32,
        now: i64,
        state: &mut AgentState,
        rng: &mut ChaCha8Rng,
        ctx: &Context<'_>,
    ) -> [Option<Action>; MAX_ACTIONS];

    /// Draws the agent's private state at the start of the run.
    fn init(&self, state: &mut AgentState, rng: &mut ChaCha8Rng);
}

/// A group of agents from the scenario: its behaviour, arrivals and latency.
pub struct Group {
    pub behaviour: Box<dyn Behaviour>,
    /// Exponential inter-arrival times (Poisson wake-ups), in nanoseconds.
    pub wake_gap: Exp<f64>,
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
        };
        let per_ns = g.arrival.rate / 3.6e12;
        Group {
            behaviour,
            wake_gap: Exp::new(per_ns).expect("validated: arrival rate > 0"),
            min_latency,
            jitter: (jitter_mean > 0).then(|| Exp::new(1.0 / jitter_mean as f64).ok()).flatten(),
            products,
        }
    }

    /// Runs one wake-up: the decision, the arrival time of each action and the next wake-up.
    pub fn wake(&self, id: u32, now: i64, state: &mut AgentState, streams: &Streams, ctx: &Context<'_>) -> Decision {
        let mut rng = streams.open(id, state.rng_pos);
        let actions = self.behaviour.decide(id, now, state, &mut rng, ctx);
        let mut out = Decision::default();
        for (slot, action) in out.actions.iter_mut().zip(actions) {
            if let Some(action) = action {
                *slot = Some(Timed { at: now + self.latency(&mut rng), action });
            }
        }
        out.next_wake = now + self.gap(&mut rng);
        state.rng_pos = Streams::position(&rng);
        out
    }

    /// Time to the next wake-up, at least one nanosecond.
    pub fn gap(&self, rng: &mut ChaCha8Rng) -> i64 {
        (self.wake_gap.sample(rng) as i64).max(1)
    }

    fn latency(&self, rng: &mut ChaCha8Rng) -> i64 {
        self.min_latency + self.jitter.map_or(0, |j| j.sample(rng) as i64)
    }
}

/// Draws from a validated scenario distribution, clipped to [lo, hi].
pub fn draw(d: &Distribution, rng: &mut ChaCha8Rng, lo: f64, hi: f64) -> f64 {
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
