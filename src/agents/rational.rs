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

use rand::RngExt;

use super::{Action, AgentState, Behaviour, Context, MAX_ACTIONS, OrderRequest, affordable, sellable, std_normal};
use crate::book::{OrderKind, Side};
use crate::random::AgentRng;
use crate::scenario::FamilyParams;

/// Floor of the return variance over the horizon, so a quiet market does not
/// ask for an unbounded position.
const MIN_VARIANCE: f64 = 1e-6;

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
    aon_share: f64,
    order_ttl: i64,
    products: Vec<u16>,
}

impl Rational {
    /// Defaults for every parameter the scenario leaves out (see scenarios/README.md).
    pub fn new(p: &FamilyParams, products: Vec<u16>) -> Rational {
        Rational {
            fundamental_weight: p.fundamental_weight.unwrap_or(1.0),
            chartist_weight: p.chartist_weight.unwrap_or(0.1),
            noise_weight: p.noise_weight.unwrap_or(0.2),
            noise_sd: p.noise_sd.unwrap_or(0.0005),
            risk_aversion: p.risk_aversion.unwrap_or(2.0),
            threshold: p.threshold.unwrap_or(0.0001),
            lookback: p.lookback.unwrap_or(12) as usize,
            max_lots: p.max_lots.unwrap_or(500) as u32,
            aon_share: p.aon_share.unwrap_or(0.0),
            order_ttl: p.order_ttl.map_or(30 * 60_000_000_000, |d| d.0),
            products,
        }
    }
}

impl Behaviour for Rational {
    fn init(&self, state: &mut AgentState, rng: &mut AgentRng) {
        state.traits = [
            (std_normal(rng) * self.fundamental_weight).abs() as f32,
            (std_normal(rng) * self.chartist_weight) as f32,
            (std_normal(rng) * self.noise_weight).abs() as f32,
        ];
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
        if self.products.is_empty() {
            return;
        }
        // A new view replaces the old: withdraw what still rests.
        let mut n = 0;
        for live in state.live_orders() {
            out[n] = Some(live.cancel());
            n += 1;
        }
        let product = self.products[rng.random_range(0..self.products.len())];
        let snap = ctx.snapshot;
        let view = &snap.products[product as usize];
        let market = &snap.markets[product as usize];
        let epsilon = std_normal(rng) * self.noise_sd;

        let price = view.reference_price();
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
        let [g1, g2, noise] = state.traits.map(f64::from);
        let norm = g1 + g2.abs() + noise;
        let expected =
            if norm > 0.0 { (g1 * fundamental + g2 * chartist + noise * epsilon) / norm } else { fundamental };
        let funding = snap.loan_rate * snap.days_to_next / 365.0;
        let excess = expected - funding;
        let expected_price = price * (1.0 + expected);
        let all_or_none = self.aon_share > 0.0 && rng.random_bool(self.aon_share);

        let held = sellable(ctx, id, product, u32::MAX);
        let due = ctx.accounts.due_today(product as usize, id, snap.day).min(held);
        let order = if due > 0 {
            // Lots the platform would redeem at the close at NAV less the
            // penalty: anything above that value beats keeping them.
            let floor = (view.nav_ticks * (1.0 - view.redemption_penalty)).ceil() as i64;
            let limit = (((expected_price / (1.0 + funding - self.threshold).max(1e-9)).ceil() as i64)
                .min(price.ceil() as i64))
            .max(floor)
            .clamp(view.band_lo, view.band_hi);
            Some((Side::Sell, limit, due.min(self.max_lots)))
        } else if excess > self.threshold {
            // Highest price at which the expected excess still meets the threshold.
            let limit =
                ((expected_price / (1.0 + funding + self.threshold)).floor() as i64).clamp(view.band_lo, view.band_hi);
            let fraction = (excess / (self.risk_aversion * variance)).min(1.0);
            let budget = ctx.accounts.available_cash(id) as f64 * fraction;
            let want = (budget / (limit * view.lot_micros_per_tick).max(1) as f64).min(f64::from(self.max_lots));
            let lots = affordable(ctx, id, view, limit, want as u32);
            (lots > 0).then_some((Side::Buy, limit, lots))
        } else if excess < -self.threshold {
            // Lowest price worth more than holding on to T+1.
            let limit = ((expected_price / (1.0 + funding - self.threshold).max(1e-9)).ceil() as i64)
                .clamp(view.band_lo, view.band_hi);
            let fraction = (-excess / (self.risk_aversion * variance)).min(1.0);
            let lots = ((f64::from(held) * fraction).ceil() as u32).min(held).min(self.max_lots);
            (lots > 0).then_some((Side::Sell, limit, lots))
        } else {
            None
        };
        if let Some((side, price, lots)) = order {
            out[n] = Some(Action::Submit(OrderRequest {
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
