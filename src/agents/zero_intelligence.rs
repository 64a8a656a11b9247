//! Zero-intelligence traders with a budget constraint (ZI-C), after Gode &
//! Sunder (1993), "Allocative efficiency of markets with zero-intelligence
//! traders", Journal of Political Economy 101(1).
//!
//! Each agent holds a private valuation (value for a buyer, cost for a
//! seller) near NAV. A bid is drawn uniformly below the value, an ask
//! uniformly above the cost, so no agent ever trades at a loss against its own
//! valuation; the budget constraint is the cash (buys) and the T+1-sellable
//! lots (sells) the platform reports.

use rand::RngExt;
use rand_distr::{Distribution as _, Normal};

use super::order::OrderShape;
use super::params::{lots_in_order, minutes, shares_add_up};
use super::{Action, Actions, Agent, Behaviour, Context, GroupSetup, OrderRequest, Products, Wake};
use crate::book::{OrderKind, Side};
use crate::random::{AgentRng, Chance};
use crate::scenario::Duration;
use crate::units::{ceil_to_i64, floor_to_i64};

crate::behaviour_params! {
    /// Parameters of the zero-intelligence family.
    pub struct ZeroIntelligenceParams {
        /// Standard deviation of an agent's private value around NAV, as a fraction of NAV.
        value_spread: f64 = 0.002, Real(0.0, 0.5), "a fraction of NAV from 0 to 0.5";
        /// Width of the uniform price draw below the value (bids) or above the cost (asks), as a fraction of NAV.
        price_range: f64 = 0.004, Real(1e-6, 0.5), "a fraction of NAV above 0 and at most 0.5";
        /// Probability that a wake-up is a subscription (buy) rather than a sale.
        buy_prob: f64 = 0.5, Real(0.0, 1.0), "a probability from 0 to 1";
        /// Fewest lots in an order.
        min_lots: i64 = 1, Int(1, 100_000_000), "a whole number of lots from 1 to 100,000,000";
        /// Most lots in an order (default: min_lots or 10, whichever is larger).
        max_lots: Option<i64> = None, Int(1, 100_000_000), "a whole number of lots from min_lots to 100,000,000";
        /// Share of orders that are all-or-none (full delivery).
        aon_share: f64 = 0.1, Real(0.0, 1.0), "a probability from 0 to 1";
        /// Share of orders sent as market orders.
        market_share: f64 = 0.05, Real(0.0, 1.0), "a probability from 0 to 1";
        /// Share of orders sent immediate-or-cancel.
        ioc_share: f64 = 0.05, Real(0.0, 1.0), "a probability from 0 to 1";
        /// Probability that a wake-up cancels the agent's resting order instead of trading.
        cancel_prob: f64 = 0.1, Real(0.0, 1.0), "a probability from 0 to 1";
        /// How long a limit order stays in the book before it expires (at most to the close).
        order_ttl: Duration = minutes(30), PositiveDuration, "a duration above 0, e.g. \"30m\"";
    }
    check(p) {
        lots_in_order(p.min_lots, p.max_lots)?;
        shares_add_up(p.market_share, p.ioc_share)
    }
}

/// A zero-intelligence trader's own state: its private valuation's offset
/// from NAV (a fraction of NAV).
#[derive(Clone, Copy, Debug, Default)]
pub struct ZiState {
    /// Private value = NAV × (1 + offset).
    pub value_offset: f32,
}

/// The zero-intelligence family (ZI-C).
#[derive(Clone, Debug)]
pub struct ZeroIntelligence {
    value_spread: f64,
    price_range: f64,
    buy: Chance,
    shape: OrderShape,
    ioc_share: f64,
    cancel: Chance,
    order_ttl: i64,
    products: Products,
}

impl Behaviour for ZeroIntelligence {
    type Params = ZeroIntelligenceParams;
    type State = ZiState;
    const NAME: &'static str = "zero_intelligence";
    const ABOUT: &'static str = "budget-constrained zero-intelligence traders (Gode & Sunder 1993)";
    const ALIASES: &'static [&'static str] = &["zi"];

    fn build(p: ZeroIntelligenceParams, setup: GroupSetup) -> ZeroIntelligence {
        ZeroIntelligence {
            value_spread: p.value_spread,
            price_range: p.price_range,
            buy: Chance::new(p.buy_prob),
            shape: OrderShape::new(p.min_lots, p.max_lots, 10, p.aon_share, p.market_share),
            ioc_share: p.ioc_share,
            cancel: Chance::new(p.cancel_prob),
            order_ttl: p.order_ttl.0,
            products: setup.products,
        }
    }

    fn init(&self, rng: &mut AgentRng) -> ZiState {
        let offset = Normal::new(0.0, self.value_spread).map_or(0.0, |n| n.sample(rng));
        ZiState { value_offset: offset as f32 }
    }

    fn decide(&self, wake: Wake, agent: &mut Agent<ZiState>, ctx: &Context<'_>, out: &mut Actions) {
        let resting = agent.live_orders().next();
        if let Some(live) = resting
            && self.cancel.draw(&mut agent.rng)
        {
            out.put(live.cancel());
            return;
        }
        let Some(product) = self.products.pick(&mut agent.rng) else { return };
        let view = &ctx.snapshot.products[product as usize];
        let value = view.nav_ticks * (1.0 + f64::from(agent.state.value_offset));
        let width = (view.nav_ticks * self.price_range).max(1.0);
        let side = if self.buy.draw(&mut agent.rng) { Side::Buy } else { Side::Sell };
        let u: f64 = agent.rng.random();
        let kind = if u < self.shape.market.p() {
            OrderKind::Market
        } else if u < self.shape.market.p() + self.ioc_share {
            OrderKind::Ioc
        } else {
            OrderKind::Limit
        };
        // Unlike the other families' draw_all_or_none, a draw even at a zero share.
        let all_or_none = self.shape.aon.draw(&mut agent.rng);
        let lots = self.shape.draw_lots(&mut agent.rng);
        let draw: f64 = agent.rng.random();
        let price = match side {
            Side::Buy => floor_to_i64(value - draw * width),
            Side::Sell => ceil_to_i64(value + draw * width),
        }
        .clamp(view.band_lo, view.band_hi);
        // Budget constraint: never bid for more than the free cash covers,
        // never offer more than is sellable.
        let order = OrderRequest { product, side, kind, price, lots, all_or_none, ttl: self.order_ttl };
        out.push_some(order.within_means(ctx, wake.id).map(Action::Submit));
    }
}
