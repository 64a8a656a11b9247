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

use super::order::OrderShape;
use super::params::minutes;
use super::{Action, Actions, Agent, Behaviour, Context, GroupSetup, OrderRequest, Products, Wake};
use crate::book::Side;
use crate::random::AgentRng;
use crate::scenario::Duration;
use crate::units::{ceil_to_i64, floor_to_i64};

crate::behaviour_params! {
    /// Parameters of the macro-driven family (logistic demand).
    pub struct MacroParams {
        /// Log-odds of a subscription at a wake-up when every driver is zero.
        intercept_buy: f64 = -1.0, Real(-50.0, 50.0), "log-odds from -50 to 50";
        /// Log-odds of a sale at a wake-up when every driver is zero.
        intercept_sell: f64 = -1.0, Real(-50.0, 50.0), "log-odds from -50 to 50";
        /// Weight of the product's yield over the deposit rate (per percentage point).
        spread_sensitivity: f64 = 1.0, Real(-100.0, 100.0), "a weight per percentage point from -100 to 100";
        /// Weight of the loan rate's excess over the yield (per percentage point), against buying.
        loan_sensitivity: f64 = 0.5, Real(-100.0, 100.0), "a weight per percentage point from -100 to 100";
        /// Weight of the price level's deviation from its reference (per 1%), against buying.
        price_level_sensitivity: f64 = 0.2, Real(-100.0, 100.0), "a weight per 1% from -100 to 100";
        /// Weight of the international shock, for buying.
        shock_sensitivity: f64 = 0.5, Real(-100.0, 100.0), "a weight from -100 to 100";
        /// Share of the group that is active (the rest stay out of the market); changeable during a run.
        active_share: f64 = 1.0, Real(0.0, 1.0), "a probability from 0 to 1";
        /// Fewest lots in an order.
        min_lots: i64 = 1, Int(1, 100_000_000), "a whole number of lots from 1 to 100,000,000";
        /// Most lots in an order (default: min_lots or 20, whichever is larger).
        max_lots: Option<i64> = None, Int(1, 100_000_000), "a whole number of lots from min_lots to 100,000,000";
        /// Share of orders that are all-or-none (full delivery).
        aon_share: f64 = 0.1, Real(0.0, 1.0), "a probability from 0 to 1";
        /// Share of orders sent as market orders.
        market_share: f64 = 0.1, Real(0.0, 1.0), "a probability from 0 to 1";
        /// How long a limit order stays in the book before it expires (at most to the close).
        order_ttl: Duration = minutes(30), PositiveDuration, "a duration above 0, e.g. \"30m\"";
    }
    check(p) {
        super::params::lots_in_order(p.min_lots, p.max_lots)
    }
}

/// A macro-driven customer's own state: its rank in [0, 1), which decides
/// whether it is among the group's active share.
#[derive(Clone, Copy, Debug, Default)]
pub struct MacroRank {
    /// Active while below the group's active share.
    pub rank: f32,
}

/// The macro-driven family.
#[derive(Clone, Debug)]
pub struct MacroDriven {
    intercept_buy: f64,
    intercept_sell: f64,
    spread_sensitivity: f64,
    loan_sensitivity: f64,
    price_level_sensitivity: f64,
    shock_sensitivity: f64,
    /// The share of members active (a live parameter).
    active_share: f64,
    shape: OrderShape,
    order_ttl: i64,
    products: Products,
}

fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

impl MacroDriven {
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
    type Params = MacroParams;
    type State = MacroRank;
    const NAME: &'static str = "macro";
    const ABOUT: &'static str = "customers whose demand is a logistic function of rates, the price level and shocks";
    const ALIASES: &'static [&'static str] = &["macro_driven"];
    const LIVE_PARAMS: &'static [&'static str] = &["active_share"];

    fn build(p: MacroParams, setup: GroupSetup) -> MacroDriven {
        MacroDriven {
            intercept_buy: p.intercept_buy,
            intercept_sell: p.intercept_sell,
            spread_sensitivity: p.spread_sensitivity,
            loan_sensitivity: p.loan_sensitivity,
            price_level_sensitivity: p.price_level_sensitivity,
            shock_sensitivity: p.shock_sensitivity,
            active_share: p.active_share,
            shape: OrderShape::new(p.min_lots, p.max_lots, 20, p.aon_share, p.market_share),
            order_ttl: p.order_ttl.0,
            products: setup.products,
        }
    }

    fn init(&self, rng: &mut AgentRng) -> MacroRank {
        MacroRank { rank: rng.random::<f32>() }
    }

    fn decide(&self, wake: Wake, agent: &mut Agent<MacroRank>, ctx: &Context<'_>, out: &mut Actions) {
        if self.products.0.is_empty() || f64::from(agent.state.rank) >= self.active_share {
            return;
        }
        let Some(product) = self.products.pick(&mut agent.rng) else { return };
        let rng = &mut agent.rng;
        let view = &ctx.snapshot.products[product as usize];
        let x = self.index(view.annual_yield, ctx);
        let side = if rng.random_bool(logistic(self.intercept_buy + x)) {
            Side::Buy
        } else if rng.random_bool(logistic(self.intercept_sell - x)) {
            Side::Sell
        } else {
            return;
        };
        if agent.live(side).is_some() {
            return;
        }
        let (kind, all_or_none, want) = self.shape.draw(&mut agent.rng);
        // Subscriptions at NAV or the best ask if cheaper; sales at NAV or the best bid if dearer.
        let nav = view.nav_ticks;
        let price = match side {
            Side::Buy => view.best_ask.map_or(ceil_to_i64(nav), |a| a.min(ceil_to_i64(nav))),
            Side::Sell => view.best_bid.map_or(floor_to_i64(nav), |b| b.max(floor_to_i64(nav))),
        }
        .clamp(view.band_lo, view.band_hi);
        let order = OrderRequest { product, side, kind, price, lots: want, all_or_none, ttl: self.order_ttl };
        out.push_some(order.within_means(ctx, wake.id).map(Action::Submit));
    }

    fn live_param(&self, name: &str) -> Option<f64> {
        (name == "active_share").then_some(self.active_share)
    }

    fn set_live_param(&mut self, name: &str, value: f64) {
        if name == "active_share" {
            self.active_share = value;
        }
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
