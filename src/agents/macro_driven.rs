//! Macro-driven customers: at each wake-up they subscribe, or else sell,
//! with probabilities that are logistic functions of the macro environment
//! (a discrete-choice demand in the manner of McFadden 1974, with the drivers
//! of money-market fund flows):
//!
//! x = s_spread·(yield − deposit rate) − s_loan·(loan rate − yield)
//!     − s_level·(ln(price level / reference)) + s_shock·shock
//! P(subscribe) = 1 / (1 + e^{−(c_buy + x)}),  P(sell) = 1 / (1 + e^{−(c_sell − x)})
//!
//! with rates and the level deviation in percentage points, so the
//! sensitivities are log-odds per point. Each agent draws a rank in [0, 1)
//! once; it is active while its rank is below the group's active share,
//! which a scenario event or the live view may change.

use rand::RngExt;

use super::{Action, AgentState, Behaviour, Context, MAX_ACTIONS, OrderRequest};
use crate::book::{OrderKind, Side};
use crate::random::AgentRng;
use crate::scenario::FamilyParams;

#[derive(Clone, Debug)]
pub struct MacroDriven {
    intercept_buy: f64,
    intercept_sell: f64,
    spread_sensitivity: f64,
    loan_sensitivity: f64,
    price_level_sensitivity: f64,
    shock_sensitivity: f64,
    min_lots: u32,
    max_lots: u32,
    aon_share: f64,
    market_share: f64,
    order_ttl: i64,
    products: Vec<u16>,
}

fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

impl MacroDriven {
    /// Active share when the scenario gives none.
    pub const DEFAULT_ACTIVE_SHARE: f64 = 1.0;

    /// Defaults for every parameter the scenario leaves out (see scenarios/README.md).
    pub fn new(p: &FamilyParams, products: Vec<u16>) -> MacroDriven {
        let min_lots = p.min_lots.unwrap_or(1) as u32;
        MacroDriven {
            intercept_buy: p.intercept_buy.unwrap_or(-1.0),
            intercept_sell: p.intercept_sell.unwrap_or(-1.0),
            spread_sensitivity: p.spread_sensitivity.unwrap_or(1.0),
            loan_sensitivity: p.loan_sensitivity.unwrap_or(0.5),
            price_level_sensitivity: p.price_level_sensitivity.unwrap_or(0.2),
            shock_sensitivity: p.shock_sensitivity.unwrap_or(0.5),
            min_lots,
            max_lots: p.max_lots.map_or(min_lots.max(20), |m| m as u32),
            aon_share: p.aon_share.unwrap_or(0.1),
            market_share: p.market_share.unwrap_or(0.1),
            order_ttl: p.order_ttl.map_or(30 * 60_000_000_000, |d| d.0),
            products,
        }
    }

    /// The demand index x for a product with annual yield `yield_` under the snapshot's environment.
    fn index(&self, yield_: f64, ctx: &Context<'_>) -> f64 {
        let s = ctx.snapshot;
        self.spread_sensitivity * (yield_ - s.deposit_rate) * 100.0
            - self.loan_sensitivity * (s.loan_rate - yield_) * 100.0
            - self.price_level_sensitivity * s.price_level_deviation * 100.0
            + self.shock_sensitivity * s.shock
    }
}

impl Behaviour for MacroDriven {
    fn init(&self, state: &mut AgentState, rng: &mut AgentRng) {
        state.traits[0] = rng.random::<f32>();
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
        let group = &ctx.snapshot.groups[state.group as usize];
        if self.products.is_empty() || f64::from(state.traits[0]) >= group.active_share {
            return;
        }
        let product = self.products[rng.random_range(0..self.products.len())];
        let view = &ctx.snapshot.products[product as usize];
        let x = self.index(view.annual_yield, ctx);
        let side = if rng.random_bool(logistic(self.intercept_buy + x)) {
            Side::Buy
        } else if rng.random_bool(logistic(self.intercept_sell - x)) {
            Side::Sell
        } else {
            return;
        };
        if state.live(side).is_some() {
            return;
        }
        let kind = if rng.random_bool(self.market_share) { OrderKind::Market } else { OrderKind::Limit };
        let all_or_none = self.aon_share > 0.0 && rng.random_bool(self.aon_share);
        let want = rng.random_range(self.min_lots..=self.max_lots);
        // Subscriptions at NAV or the best ask if cheaper; sales at NAV or the best bid if dearer.
        let nav = view.nav_ticks;
        let price = match side {
            Side::Buy => view.best_ask.map_or(nav.ceil() as i64, |a| a.min(nav.ceil() as i64)),
            Side::Sell => view.best_bid.map_or(nav.floor() as i64, |b| b.max(nav.floor() as i64)),
        }
        .clamp(view.band_lo, view.band_hi);
        let order = OrderRequest { product, side, kind, price, lots: want, all_or_none, ttl: self.order_ttl };
        out[0] = order.within_means(ctx, id).map(Action::Submit);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logistic_is_a_probability() {
        assert!((logistic(0.0) - 0.5).abs() < 1e-12);
        assert!(logistic(40.0) <= 1.0 && logistic(40.0) > 0.999);
        assert!(logistic(-40.0) >= 0.0 && logistic(-40.0) < 1e-9);
    }
}
