//! Market makers: liquidity providers that keep a bid and an ask around NAV
//! and refresh both at every wake-up, shading them against their inventory
//! (the inventory-control quoting of Ho & Stoll 1981 and Avellaneda & Stoikov
//! 2008 in its simplest linear form: quotes move down by `inventory_skew`
//! of NAV per lot held above the starting holding, and up per lot below it).

use super::params::minutes;
use super::{
    Action, Actions, Agent, Behaviour, Context, GroupSetup, OrderRequest, Products, Wake, affordable, sellable,
};
use crate::book::{OrderKind, Side};
use crate::random::AgentRng;
use crate::scenario::Duration;

crate::behaviour_params! {
    /// Parameters of the market-maker family.
    pub struct MarketMakerParams {
        /// Quoted spread, as a fraction of NAV (bid and ask sit half of it either side).
        spread: f64 = 0.001, Real(1e-6, 0.5), "a fraction of NAV above 0 and at most 0.5, e.g. 0.001";
        /// Lots quoted on each side.
        quote_lots: i64 = 100, Int(1, 100_000_000), "a whole number of lots, at least 1";
        /// Quote shift per lot of inventory away from the starting holding, as a fraction of NAV.
        inventory_skew: f64 = 0.000_000_02, Real(0.0, 0.1), "a fraction of NAV per lot from 0 to 0.1";
        /// How long a quote stays in the book before it expires (at most to the close).
        order_ttl: Duration = minutes(60), PositiveDuration, "a duration above 0, e.g. \"30m\"";
    }
}

/// A market maker's own state: the inventory it steers towards.
#[derive(Clone, Copy, Debug, Default)]
pub struct MakerState {
    /// The holding at its first wake-up; None before it.
    pub target: Option<f32>,
}

/// The market-maker family.
#[derive(Clone, Debug)]
pub struct MarketMaker {
    spread: f64,
    quote_lots: u32,
    inventory_skew: f64,
    order_ttl: i64,
    products: Products,
}

impl Behaviour for MarketMaker {
    type Params = MarketMakerParams;
    type State = MakerState;
    const NAME: &'static str = "market_maker";
    const ABOUT: &'static str = "liquidity providers quoting both sides around NAV, shaded against their inventory";

    fn build(p: MarketMakerParams, setup: GroupSetup) -> MarketMaker {
        MarketMaker {
            spread: p.spread,
            quote_lots: p.quote_lots as u32,
            inventory_skew: p.inventory_skew,
            order_ttl: p.order_ttl.0,
            products: setup.products,
        }
    }

    fn init(&self, _rng: &mut AgentRng) -> MakerState {
        MakerState::default()
    }

    fn decide(&self, wake: Wake, agent: &mut Agent<MakerState>, ctx: &Context<'_>, out: &mut Actions) {
        // One product's quotes per wake-up, the products in turn at random.
        let Some(product) = agent.pick_anew(&self.products, out) else { return };
        let view = &ctx.snapshot.products[product as usize];
        let held = f64::from(ctx.accounts.held(product as usize, wake.id));
        // The first wake-up remembers the starting holding as the target inventory.
        let target = *agent.state.target.get_or_insert(held as f32);
        let nav = view.nav_ticks;
        let centre = nav * (1.0 - self.inventory_skew * (held - f64::from(target)));
        let half = (nav * self.spread / 2.0).max(0.5);
        let bid = ((centre - half).floor() as i64).clamp(view.band_lo, view.band_hi);
        let ask = ((centre + half).ceil() as i64).clamp(view.band_lo, view.band_hi).max(bid + 1);
        let quote = |side, price, lots| {
            Action::Submit(OrderRequest {
                product,
                side,
                kind: OrderKind::Limit,
                price,
                lots,
                all_or_none: false,
                ttl: self.order_ttl,
            })
        };
        let bid_lots = affordable(ctx, wake.id, view, bid, self.quote_lots);
        if bid_lots > 0 {
            out.push(quote(Side::Buy, bid, bid_lots));
        }
        // Lots at their holding limit go out with the ask rather than to a penalised redemption.
        let due = ctx.accounts.due_today(product as usize, wake.id, ctx.snapshot.day);
        let ask_lots = sellable(ctx, wake.id, product, self.quote_lots.saturating_add(due));
        if ask_lots > 0 && ask <= view.band_hi {
            out.push(quote(Side::Sell, ask, ask_lots));
        }
    }
}
