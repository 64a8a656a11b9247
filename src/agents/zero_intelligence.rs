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

use super::{Action, AgentState, Behaviour, Context, MAX_ACTIONS, OrderRequest};
use crate::book::{OrderKind, Side};
use crate::random::AgentRng;
use crate::scenario::FamilyParams;

#[derive(Clone, Debug)]
pub struct ZeroIntelligence {
    value_spread: f64,
    price_range: f64,
    buy_prob: f64,
    min_lots: u32,
    max_lots: u32,
    aon_share: f64,
    market_share: f64,
    ioc_share: f64,
    cancel_prob: f64,
    order_ttl: i64,
    products: Vec<u16>,
}

impl ZeroIntelligence {
    /// Defaults for every parameter the scenario leaves out (see scenarios/README.md).
    pub fn new(p: &FamilyParams, products: Vec<u16>) -> ZeroIntelligence {
        let min_lots = p.min_lots.unwrap_or(1) as u32;
        ZeroIntelligence {
            value_spread: p.value_spread.unwrap_or(0.002),
            price_range: p.price_range.unwrap_or(0.004),
            buy_prob: p.buy_prob.unwrap_or(0.5),
            min_lots,
            max_lots: p.max_lots.map_or(min_lots.max(10), |m| m as u32),
            aon_share: p.aon_share.unwrap_or(0.1),
            market_share: p.market_share.unwrap_or(0.05),
            ioc_share: p.ioc_share.unwrap_or(0.05),
            cancel_prob: p.cancel_prob.unwrap_or(0.1),
            order_ttl: p.order_ttl.map_or(30 * 60_000_000_000, |d| d.0),
            products,
        }
    }
}

impl Behaviour for ZeroIntelligence {
    fn init(&self, state: &mut AgentState, rng: &mut AgentRng) {
        let offset = Normal::new(0.0, self.value_spread).map_or(0.0, |n| n.sample(rng));
        state.traits[0] = offset as f32;
    }

    fn decide(
        &self,
        id: u32,
        _now: i64,
        state: &mut AgentState,
        rng: &mut AgentRng,
        ctx: &Context<'_>,
        out: &mut [Option<Action>; MAX_ACTIONS],
    ) {
        if let Some(live) = state.live_orders().next()
            && rng.random_bool(self.cancel_prob)
        {
            out[0] = Some(live.cancel());
            return;
        }
        if self.products.is_empty() {
            return;
        }
        let product = self.products[rng.random_range(0..self.products.len())];
        let view = &ctx.snapshot.products[product as usize];
        let value = view.nav_ticks * (1.0 + f64::from(state.traits[0]));
        let width = (view.nav_ticks * self.price_range).max(1.0);
        let side = if rng.random_bool(self.buy_prob) { Side::Buy } else { Side::Sell };
        let u: f64 = rng.random();
        let kind = if u < self.market_share {
            OrderKind::Market
        } else if u < self.market_share + self.ioc_share {
            OrderKind::Ioc
        } else {
            OrderKind::Limit
        };
        let all_or_none = rng.random_bool(self.aon_share);
        let lots = rng.random_range(self.min_lots..=self.max_lots);
        let draw: f64 = rng.random();
        let price = match side {
            Side::Buy => (value - draw * width).floor() as i64,
            Side::Sell => (value + draw * width).ceil() as i64,
        }
        .clamp(view.band_lo, view.band_hi);
        // Budget constraint: never bid for more than the free cash covers,
        // never offer more than is sellable.
        let order = OrderRequest { product, side, kind, price, lots, all_or_none, ttl: self.order_ttl };
        out[0] = order.within_means(ctx, id).map(Action::Submit);
    }
}
