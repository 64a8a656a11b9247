//! Market makers: the platform's dealers, quoting a bid and an ask around
//! the mid with the inventory control of Avellaneda & Stoikov (2008), "High-
//! frequency trading in a limit order book", Quantitative Finance 8(3):
//! 217–224. A maker holding q quotes' worth of stock away from its target
//! values the note at the reservation price
//!
//! r = s − q · γ · σ² · (T − t)
//!
//! and quotes a total spread of
//!
//! δ = γ · σ² · (T − t) + (2 / γ) · ln(1 + γ / k)
//!
//! around it, where s is the mid (NAV when a side is empty), γ the risk
//! aversion, σ the volatility of the mid per metrics window (from the
//! recent window returns, at least one tick), T − t the windows left in the
//! session, and k how fast the arrival of orders falls off with a quote's
//! distance from the mid. Prices are in ticks, γ and k per tick, q in
//! quotes (lots away from the target over `quote_lots`). A maker is a dealer
//! ([`Behaviour::DEALER`]): it may resell within the day what it bought.

use super::params::minutes;
use super::{
    Action, Actions, Agent, Behaviour, Context, GroupSetup, OrderRequest, Products, Wake, affordable, sellable,
};
use crate::book::{OrderKind, Side};
use crate::random::AgentRng;
use crate::scenario::{Duration, MAX_LOOKBACK};
use crate::units::{ceil_to_i64, floor_to_i64};

crate::behaviour_params! {
    /// Parameters of the market-maker family.
    pub struct MarketMakerParams {
        /// Least total spread quoted, as a fraction of NAV: a floor under the Avellaneda–Stoikov spread.
        spread: f64 = 0.0002, Real(1e-6, 0.5), "a fraction of NAV above 0 and at most 0.5, e.g. 0.0002";
        /// Lots quoted on each side.
        quote_lots: i64 = 100, Int(1, 100_000_000), "a whole number of lots from 1 to 100,000,000";
        /// Risk aversion γ, per tick: how far inventory moves the quotes and how wide they are.
        risk_aversion: f64 = 0.05, Real(1e-6, 10.0), "a number per tick above 0 and at most 10, e.g. 0.05";
        /// Order-arrival decay k, per tick: how fast fills fall off with a quote's distance from the mid.
        liquidity: f64 = 0.3, Real(1e-6, 100.0), "a number per tick above 0 and at most 100, e.g. 0.3";
        /// Metrics windows of returns the volatility σ is estimated from.
        lookback: i64 = 12, Int(1, MAX_LOOKBACK), "a whole number of windows from 1 to 64";
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
    risk_aversion: f64,
    liquidity: f64,
    lookback: usize,
    order_ttl: i64,
    products: Products,
}

impl Behaviour for MarketMaker {
    type Params = MarketMakerParams;
    type State = MakerState;
    const NAME: &'static str = "market_maker";
    const ABOUT: &'static str =
        "dealers quoting both sides around the mid with Avellaneda-Stoikov inventory control, exempt from T+1";
    const DEALER: bool = true;

    fn build(p: MarketMakerParams, setup: GroupSetup) -> MarketMaker {
        MarketMaker {
            spread: p.spread,
            quote_lots: p.quote_lots as u32,
            risk_aversion: p.risk_aversion,
            liquidity: p.liquidity,
            lookback: p.lookback as usize,
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
        let market = &ctx.snapshot.markets[product as usize];
        let mid = view.anchor();
        // σ per window in ticks, at least one tick: a quiet book is not riskless.
        let sigma = (market.trend_and_volatility(self.lookback).1 * mid).max(1.0);
        let tau = ctx.snapshot.session_left * ctx.snapshot.windows_per_day;
        let (gamma, k) = (self.risk_aversion, self.liquidity);
        let q = (held - f64::from(target)) / f64::from(self.quote_lots);
        let risk = gamma * sigma * sigma * tau;
        let reservation = mid - q * risk;
        let total = (risk + 2.0 / gamma * (1.0 + gamma / k).ln()).max(view.nav_ticks * self.spread);
        let half = (total / 2.0).max(0.5);
        let bid = floor_to_i64(reservation - half).clamp(view.band_lo, view.band_hi);
        let ask = ceil_to_i64(reservation + half).clamp(view.band_lo, view.band_hi).max(bid + 1);
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
            out.put(quote(Side::Buy, bid, bid_lots));
        }
        // Lots at their holding limit go out with the ask rather than to a penalised redemption.
        let due = ctx.accounts.due_today(product as usize, wake.id, ctx.snapshot.day);
        let ask_lots = sellable(ctx, wake.id, product, self.quote_lots.saturating_add(due));
        if ask_lots > 0 && ask <= view.band_hi {
            out.put(quote(Side::Sell, ask, ask_lots));
        }
    }
}
