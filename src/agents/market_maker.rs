//! Market makers: liquidity providers that keep a bid and an ask around NAV
//! and refresh both at every wake-up, shading them against their inventory
//! (the inventory-control quoting of Ho & Stoll 1981 and Avellaneda & Stoikov
//! 2008 in its simplest linear form: quotes move down by `inventory_skew`
//! of NAV per lot held above the starting holding, and up per lot below it).

use rand::RngExt;

use super::{Action, AgentState, Behaviour, Context, MAX_ACTIONS, OrderRequest, affordable, sellable};
use crate::book::{OrderKind, Side};
use crate::random::AgentRng;
use crate::scenario::FamilyParams;

#[derive(Clone, Debug)]
pub struct MarketMaker {
    spread: f64,
    quote_lots: u32,
    inventory_skew: f64,
    order_ttl: i64,
    products: Vec<u16>,
}

impl MarketMaker {
    /// Defaults for every parameter the scenario leaves out (see scenarios/README.md).
    pub fn new(p: &FamilyParams, products: Vec<u16>) -> MarketMaker {
        MarketMaker {
            spread: p.spread.unwrap_or(0.001),
            quote_lots: p.quote_lots.unwrap_or(100) as u32,
            inventory_skew: p.inventory_skew.unwrap_or(0.000_000_02),
            order_ttl: p.order_ttl.map_or(60 * 60_000_000_000, |d| d.0),
            products,
        }
    }
}

impl Behaviour for MarketMaker {
    fn init(&self, _state: &mut AgentState, _rng: &mut AgentRng) {}

    fn decide(
        &self,
        id: u32,
        _now: i64,
        state: &mut AgentState,
        rng: &mut AgentRng,
        ctx: &Context<'_>,
        out: &mut [Option<Action>; MAX_ACTIONS],
    ) {
        if self.products.is_empty() {
            return;
        }
        // One product's quotes per wake-up, the products in turn at random.
        let product = self.products[rng.random_range(0..self.products.len())];
        let mut n = 0;
        for live in state.live_orders() {
            out[n] = Some(live.cancel());
            n += 1;
        }
        let view = &ctx.snapshot.products[product as usize];
        let held = f64::from(ctx.accounts.held(product as usize, id));
        // The first wake-up remembers the starting holding as the target inventory.
        if state.traits[1] == 0.0 {
            state.traits = [held as f32, 1.0, 0.0];
        }
        let nav = view.nav_ticks;
        let centre = nav * (1.0 - self.inventory_skew * (held - f64::from(state.traits[0])));
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
        let bid_lots = affordable(ctx, id, view, bid, self.quote_lots);
        if bid_lots > 0 {
            out[n] = Some(quote(Side::Buy, bid, bid_lots));
            n += 1;
        }
        // Lots at their holding limit go out with the ask rather than to a penalised redemption.
        let due = ctx.accounts.due_today(product as usize, id, ctx.snapshot.day);
        let ask_lots = sellable(ctx, id, product, self.quote_lots.saturating_add(due));
        if ask_lots > 0 && ask <= view.band_hi {
            out[n] = Some(quote(Side::Sell, ask, ask_lots));
        }
    }
}
