//! Spoofing: a large order at the touch that the trader means to withdraw
//! before it executes, with a small genuine order on the other side. The
//! Dodd-Frank Act's definition (§747, Commodity Exchange Act §4c(a)(5)(C)):
//! "bidding or offering with the intent to cancel the bid or offer before
//! execution". Lee, Eom & Park (2013), "Microstructure-based manipulation:
//! Strategic behavior and performance of spoofing traders", Journal of
//! Financial Markets 16(2), describe the pattern on the Korea Exchange:
//! large orders near the touch that move the visible depth, cancelled
//! within seconds, while the spoofer trades small on the other side.
//!
//! At a wake-up the trader withdraws whatever it still has resting, draws a
//! side for its genuine order and sends, in one message, the spoof on the
//! other side at the near touch (a sell at the best ask, a buy at the best
//! bid), `spoof_lots` cut to what it may sell or pay for and living
//! `spoof_ttl`, then the genuine order, `genuine_lots` at its own near
//! touch. A spoof the market takes before it goes is the spoofer's risk.

use rand::RngExt;

use super::super::params::minutes;
use super::super::{Actions, Agent, Behaviour, Context, GroupSetup, Products, Wake};
use super::{lots, order, submit};
use crate::book::{OrderKind, Side};
use crate::random::AgentRng;
use crate::scenario::Duration;
use crate::units::{ceil_to_i64, floor_to_i64};

crate::behaviour_params! {
    /// Parameters of planted spoofers.
    pub struct SpoofParams {
        /// Lots of a spoof order (cut to what the trader may sell or can pay for).
        spoof_lots: i64 = 200, Int(1, 100_000_000), "a whole number of lots from 1 to 100,000,000";
        /// How long a spoof rests before it expires, unless withdrawn at the next wake-up first.
        spoof_ttl: Duration = Duration(1_000_000_000), PositiveDuration, "a duration above 0, e.g. \"1s\"";
        /// Lots of a genuine order.
        genuine_lots: i64 = 2, Int(1, 100_000_000), "a whole number of lots from 1 to 100,000,000";
        /// How long a genuine order rests before it expires (at most to the close).
        genuine_ttl: Duration = minutes(10), PositiveDuration, "a duration above 0, e.g. \"10m\"";
    }
}

/// Planted spoofers.
#[derive(Clone, Debug)]
pub struct Spoof {
    spoof_lots: u32,
    spoof_ttl: i64,
    genuine_lots: u32,
    genuine_ttl: i64,
    products: Products,
}

impl Behaviour for Spoof {
    type Params = SpoofParams;
    type State = ();
    const NAME: &'static str = "spoof";
    const ABOUT: &'static str = "planted spoofer: large orders at the touch withdrawn within seconds, small genuine ones opposite (Lee, Eom & Park 2013)";

    fn build(p: SpoofParams, setup: GroupSetup) -> Spoof {
        Spoof {
            spoof_lots: lots(p.spoof_lots, u32::MAX),
            spoof_ttl: p.spoof_ttl.0,
            genuine_lots: lots(p.genuine_lots, u32::MAX),
            genuine_ttl: p.genuine_ttl.0,
            products: setup.products,
        }
    }

    fn init(&self, _rng: &mut AgentRng) {}

    fn decide(&self, wake: Wake, agent: &mut Agent<()>, ctx: &Context<'_>, out: &mut Actions) {
        let Some(product) = agent.pick_anew(&self.products, out) else { return };
        let view = &ctx.snapshot.products[product as usize];
        let genuine = if agent.rng.random_bool(0.5) { Side::Buy } else { Side::Sell };
        let near = |side: Side| {
            let p = match side {
                Side::Buy => view.best_bid.unwrap_or(floor_to_i64(view.anchor()) - 1),
                Side::Sell => view.best_ask.unwrap_or(ceil_to_i64(view.anchor()) + 1),
            };
            p.clamp(view.band_lo, view.band_hi)
        };
        let limit = |side: Side, lots, ttl| order(product, side, OrderKind::Limit, near(side), lots, ttl);
        submit(limit(genuine.opposite(), self.spoof_lots, self.spoof_ttl), ctx, wake, out);
        submit(limit(genuine, self.genuine_lots, self.genuine_ttl), ctx, wake, out);
    }
}
