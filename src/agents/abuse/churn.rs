//! Churning: many small round trips, each lot bought and sold again as
//! soon as the rules allow, trading for the sake of the turnover it makes
//! rather than for a position. Exchanges' rules against volume
//! manipulation cover it with wash trades (Cumming, Johan & Li 2011,
//! "Exchange trading rules and stock market liquidity", Journal of
//! Financial Economics 99(3)); FINRA Rule 2111 treats excessive trading
//! ("churning") by its turnover. Under T+1 a lot bought today can be sold
//! from tomorrow's open, so a churner's sales are of yesterday's purchases.
//!
//! At a wake-up the trader sells up to twice `lots` of what it may sell
//! today and buys `lots`, both immediate-or-cancel at the far touch (the
//! best bid, the best ask): each purchase comes back as a sale the next
//! business day.

use super::super::{Actions, Agent, Behaviour, Context, GroupSetup, Products, Wake};
use super::{far_touch, lots, order, submit};
use crate::book::{OrderKind, Side};
use crate::random::AgentRng;

crate::behaviour_params! {
    /// Parameters of planted churners.
    pub struct ChurnParams {
        /// Lots bought at a wake-up (sales take up to twice as many).
        lots: i64 = 1, Int(1, 100_000_000), "a whole number of lots from 1 to 100,000,000";
    }
}

/// Planted churners.
#[derive(Clone, Debug)]
pub struct Churn {
    lots: u32,
    products: Products,
}

impl Behaviour for Churn {
    type Params = ChurnParams;
    type State = ();
    const NAME: &'static str = "churn";
    const ABOUT: &'static str = "planted churner: small round trips, each lot resold as soon as T+1 allows";

    fn build(p: ChurnParams, setup: GroupSetup) -> Churn {
        Churn { lots: lots(p.lots, u32::MAX / 2), products: setup.products }
    }

    fn init(&self, _rng: &mut AgentRng) {}

    fn decide(&self, wake: Wake, agent: &mut Agent<()>, ctx: &Context<'_>, out: &mut Actions) {
        let Some(product) = self.products.pick(&mut agent.rng) else { return };
        let view = &ctx.snapshot.products[product as usize];
        let ioc = |side: Side, lots| order(product, side, OrderKind::Ioc, far_touch(view, side == Side::Buy), lots, 0);
        submit(ioc(Side::Sell, 2 * self.lots), ctx, wake, out);
        submit(ioc(Side::Buy, self.lots), ctx, wake, out);
    }
}
