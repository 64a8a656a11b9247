//! The contrarian: a behaviour that is not built in, shared by the
//! examples that register it (`custom_behaviour.rs` runs it through the
//! library, `custom_cli.rs` builds a `tplus` that knows it).
//!
//! A contrarian keeps its own memory of the price: an exponential moving
//! average of the prices it saw at its own wake-ups (per-agent state of its
//! own type). When the market is above that memory by more than its
//! threshold it sells, below it buys — betting that the move reverts. Its
//! `threshold` is a live parameter, which a scenario's `[[events]]` may
//! change (`target = "group_param"`), as they may a built-in family's.

use tplus::agents::{Action, Actions, Agent, Behaviour, Context, GroupSetup, OrderRequest, Products, Wake};
use tplus::book::{OrderKind, Side};
use tplus::rand::RngExt;
use tplus::random::AgentRng;
use tplus::scenario::Duration;

tplus::behaviour_params! {
    /// Parameters of the contrarian family.
    pub struct ContrarianParams {
        /// Weight of the newest price in the agent's moving average (0 to 1).
        memory: f64 = 0.2, Real(0.01, 1.0), "a weight above 0 and at most 1, e.g. 0.2";
        /// How far the price must stray from the average, as a fraction, before the agent trades; scripted events may change it.
        threshold: f64 = 0.0005, Real(0.0, 0.1), "a fraction from 0 to 0.1";
        /// Most lots in an order.
        max_lots: i64 = 20, Int(1, 100_000), "a whole number of lots from 1 to 100000";
        /// How long an order rests before it expires.
        order_ttl: Duration = tplus::agents::minutes(15), PositiveDuration, "a duration above 0, e.g. \"15m\"";
    }
}

/// What one contrarian remembers.
#[derive(Clone, Copy, Debug, Default)]
pub struct Memory {
    /// Its moving average of the price (ticks); 0 before its first look.
    average: f64,
}

pub struct Contrarian {
    p: ContrarianParams,
    products: Products,
}

impl Behaviour for Contrarian {
    type Params = ContrarianParams;
    type State = Memory;
    const NAME: &'static str = "contrarian";
    const ABOUT: &'static str = "sells above its own moving average of the price, buys below it";
    const LIVE_PARAMS: &'static [&'static str] = &["threshold"];

    fn build(p: ContrarianParams, setup: GroupSetup) -> Contrarian {
        Contrarian { p, products: setup.products }
    }

    fn init(&self, _rng: &mut AgentRng) -> Memory {
        Memory::default()
    }

    fn decide(&self, wake: Wake, agent: &mut Agent<Memory>, ctx: &Context<'_>, out: &mut Actions) {
        let Some(product) = self.products.pick(&mut agent.rng) else { return };
        let view = &ctx.snapshot.products[product as usize];
        // The mid of a two-sided book, else NAV: never a stale last trade.
        let price = view.anchor();
        let memory = &mut agent.state;
        let before = if memory.average == 0.0 { price } else { memory.average };
        memory.average = before + self.p.memory * (price - before);
        let gap = (price - before) / before;
        let side = if gap > self.p.threshold {
            Side::Sell
        } else if gap < -self.p.threshold {
            Side::Buy
        } else {
            return;
        };
        if agent.live(side).is_some() {
            return;
        }
        // It leans against the move now: a buy at the best ask, a sale at
        // the best bid (the anchor when that side is empty).
        let limit = match side {
            Side::Buy => view.best_ask.unwrap_or(price.ceil() as i64),
            Side::Sell => view.best_bid.unwrap_or(price.floor() as i64),
        }
        .clamp(view.band_lo, view.band_hi);
        let lots = agent.rng.random_range(1..=self.p.max_lots as u32);
        let order = OrderRequest {
            product,
            side,
            kind: OrderKind::Limit,
            price: limit,
            lots,
            all_or_none: false,
            ttl: self.p.order_ttl.0,
        };
        out.push_some(order.within_means(ctx, wake.id).map(Action::Submit));
    }

    fn live_param(&self, name: &str) -> Option<f64> {
        (name == "threshold").then_some(self.p.threshold)
    }

    fn set_live_param(&mut self, name: &str, value: f64) {
        if name == "threshold" {
            // Already within the declared 0 to 0.1.
            self.p.threshold = value;
        }
    }
}
