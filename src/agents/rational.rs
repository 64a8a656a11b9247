//! Rational customers: they value the product, compare the expected profit
//! of buying now and selling at T+1 with their funding cost at the loan rate,
//! trade only when the difference beats a threshold, and size positions
//! mean–variance style.
//!
//! The expectation follows Chiarella & Iori (2002), "A simulation analysis of
//! the microstructure of double auction markets", Quantitative Finance 2(5):
//! each agent weighs a fundamentalist term (the T+1 exit value against the
//! price), a chartist term (the recent trend) and noise, with weights g1 ~
//! |N(0, s1)|, g2 ~ N(0, s2) (trend followers and contrarians), n ~ |N(0, sn)|
//! drawn once per agent:
//!
//! E[R] = (g1·(V − p)/p + g2·L·r̄_L + n·ε) / (g1 + |g2| + n)
//!
//! (normalised by |g2| rather than g2 so a contrarian never flips the sign of
//! the whole expectation). V is what a lot bought today is expected to fetch
//! at T+1: next business day's NAV, less the redemption penalty weighted by
//! the recent share of sales that failed. The funding cost is the loan rate
//! over the calendar days to T+1. Position size is the Markowitz (1952)
//! optimum x* = (E[R] − r_f) / (γ σ²) as a fraction of free cash, with σ² the
//! variance of recent window returns scaled to the horizon.
//!
//! Lots that reach their holding limit today are sold first, at no less than
//! what the platform's redemption would pay (NAV less the penalty) and no
//! more than the market price: keeping them is the worse choice.

use super::order::draw_all_or_none;
use super::params::minutes;
use super::{
    Action, Actions, Agent, Behaviour, Context, GroupSetup, OrderRequest, Products, Wake, affordable, sellable,
    std_normal,
};
use crate::book::{OrderKind, Side};
use crate::random::{AgentRng, Chance};
use crate::scenario::{Duration, MAX_LOOKBACK};
use crate::units::{ceil_to_i64, floor_to_i64};

/// Floor of the return variance over the horizon, so a quiet market does not
/// ask for an unbounded position.
const MIN_VARIANCE: f64 = 1e-6;

crate::behaviour_params! {
    /// Parameters of the rational family (Chiarella & Iori 2002).
    pub struct RationalParams {
        /// Scale of the fundamentalist weight g1 (each agent draws |N(0, scale)|).
        fundamental_weight: f64 = 1.0, Real(0.0, 100.0), "a weight scale from 0 to 100";
        /// Scale of the chartist weight g2 (each agent draws N(0, scale): trend followers and contrarians).
        chartist_weight: f64 = 0.1, Real(0.0, 100.0), "a weight scale from 0 to 100";
        /// Scale of the noise weight n (each agent draws |N(0, scale)|).
        noise_weight: f64 = 0.2, Real(0.0, 100.0), "a weight scale from 0 to 100";
        /// Standard deviation of the noise term, as a return.
        noise_sd: f64 = 0.0005, Real(0.0, 1.0), "a return standard deviation from 0 to 1";
        /// Mean–variance risk aversion γ in `x* = (E[R] − r_f) / (γ σ²)`.
        risk_aversion: f64 = 2.0, Real(1e-6, 1e6), "a risk aversion above 0 and at most 1e6, e.g. 2";
        /// Least expected excess return (over the funding cost) worth a trade.
        threshold: f64 = 0.0001, Real(0.0, 1.0), "an excess return from 0 to 1, e.g. 0.0002";
        /// Windows of price history the chartist term averages over.
        lookback: i64 = 12, Int(1, MAX_LOOKBACK), "a whole number of windows from 1 to 64";
        /// Most lots in an order.
        max_lots: i64 = 500, Int(1, 100_000_000), "a whole number of lots from 1 to 100,000,000";
        /// Share of orders that are all-or-none (full delivery).
        aon_share: f64 = 0.0, Real(0.0, 1.0), "a probability from 0 to 1";
        /// How long a limit order stays in the book before it expires (at most to the close).
        order_ttl: Duration = minutes(30), PositiveDuration, "a duration above 0, e.g. \"30m\"";
    }
}

/// A rational customer's own weights: fundamentalist g1, chartist g2, noise n.
#[derive(Clone, Copy, Debug, Default)]
pub struct RationalState {
    /// [g1, g2, n], drawn once at the start.
    pub weights: [f32; 3],
}

/// The rational family.
#[derive(Clone, Debug)]
pub struct Rational {
    fundamental_weight: f64,
    chartist_weight: f64,
    noise_weight: f64,
    noise_sd: f64,
    risk_aversion: f64,
    threshold: f64,
    lookback: usize,
    max_lots: u32,
    aon: Chance,
    order_ttl: i64,
    products: Products,
}

impl Behaviour for Rational {
    type Params = RationalParams;
    type State = RationalState;
    const NAME: &'static str = "rational";
    const ABOUT: &'static str =
        "fundamentalist, chartist and noise expectations with mean-variance sizing (Chiarella & Iori 2002)";

    fn build(p: RationalParams, setup: GroupSetup) -> Rational {
        Rational {
            fundamental_weight: p.fundamental_weight,
            chartist_weight: p.chartist_weight,
            noise_weight: p.noise_weight,
            noise_sd: p.noise_sd,
            risk_aversion: p.risk_aversion,
            threshold: p.threshold,
            lookback: p.lookback as usize,
            max_lots: p.max_lots as u32,
            aon: Chance::new(p.aon_share),
            order_ttl: p.order_ttl.0,
            products: setup.products,
        }
    }

    fn init(&self, rng: &mut AgentRng) -> RationalState {
        RationalState {
            weights: [
                (std_normal(rng) * self.fundamental_weight).abs() as f32,
                (std_normal(rng) * self.chartist_weight) as f32,
                (std_normal(rng) * self.noise_weight).abs() as f32,
            ],
        }
    }

    fn decide(&self, wake: Wake, agent: &mut Agent<RationalState>, ctx: &Context<'_>, out: &mut Actions) {
        // A new view replaces the old: withdraw what still rests.
        let Some(product) = agent.pick_anew(&self.products, out) else { return };
        let snap = ctx.snapshot;
        let view = &snap.products[product as usize];
        let market = &snap.markets[product as usize];
        let epsilon = std_normal(&mut agent.rng) * self.noise_sd;

        let price = view.anchor();
        let failed = (1.0 - market.sale_success).clamp(0.0, 1.0);
        let exit = view.nav_next_ticks * (1.0 - failed * view.redemption_penalty);
        let fundamental = (exit - price) / price;
        let (trend, volatility) = market.trend_and_volatility(self.lookback);
        // The chartist expects the move of its look-back period to repeat
        // once (extrapolating a few minutes' trend over a whole day would
        // make chartists' feedback explode).
        let chartist = trend * self.lookback.min(market.returns.len()) as f64;
        // Window-return variance scaled to the one business day to T+1.
        let variance = (volatility * volatility * snap.windows_per_day).max(MIN_VARIANCE);
        let [g1, g2, noise] = agent.state.weights.map(f64::from);
        let norm = g1 + g2.abs() + noise;
        let expected =
            if norm > 0.0 { (g1 * fundamental + g2 * chartist + noise * epsilon) / norm } else { fundamental };
        let funding = snap.loan_rate * snap.days_to_next / 365.0;
        let excess = expected - funding;
        let expected_price = price * (1.0 + expected);
        let all_or_none = draw_all_or_none(&mut agent.rng, &self.aon);

        let held = sellable(ctx, wake.id, product, u32::MAX);
        let due = ctx.accounts.due_today(product as usize, wake.id, snap.day).min(held);
        let order = if due > 0 {
            // Lots the platform would redeem at the close at NAV less the
            // penalty: anything above that value beats keeping them.
            let floor = ceil_to_i64(view.nav_ticks * (1.0 - view.redemption_penalty));
            let limit = (ceil_to_i64(expected_price / (1.0 + funding - self.threshold).max(1e-9))
                .min(ceil_to_i64(price)))
            .max(floor)
            .clamp(view.band_lo, view.band_hi);
            Some((Side::Sell, limit, due.min(self.max_lots)))
        } else if excess > self.threshold {
            // Highest price at which the expected excess still meets the threshold.
            let limit =
                floor_to_i64(expected_price / (1.0 + funding + self.threshold)).clamp(view.band_lo, view.band_hi);
            let fraction = (excess / (self.risk_aversion * variance)).min(1.0);
            let budget = ctx.accounts.available_cash(wake.id) as f64 * fraction;
            let want = (budget / (limit * view.lot_micros_per_tick).max(1) as f64).min(f64::from(self.max_lots));
            let lots = affordable(ctx, wake.id, view, limit, want as u32);
            (lots > 0).then_some((Side::Buy, limit, lots))
        } else if excess < -self.threshold {
            // Lowest price worth more than holding on to T+1.
            let limit = ceil_to_i64(expected_price / (1.0 + funding - self.threshold).max(1e-9))
                .clamp(view.band_lo, view.band_hi);
            let fraction = (-excess / (self.risk_aversion * variance)).min(1.0);
            let lots = ((f64::from(held) * fraction).ceil() as u32).min(held).min(self.max_lots);
            (lots > 0).then_some((Side::Sell, limit, lots))
        } else {
            None
        };
        if let Some((side, price, lots)) = order {
            out.put(Action::Submit(OrderRequest {
                product,
                side,
                kind: OrderKind::Limit,
                price,
                lots,
                all_or_none,
                ttl: self.order_ttl,
            }));
        }
    }
}
