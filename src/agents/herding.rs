//! Herd-following customers: each is optimistic (subscribes) or pessimistic
//! (sells), and the crowd's mood spreads by recruitment.
//!
//! The share of optimists follows the herding model of Kirman (1993, "Ants,
//! rationality, and recruitment", QJE 108(1)) in the continuous-time form of
//! Alfarano, Lux & Wagner (2005, Computational Economics 26): with k of N
//! members optimistic, pessimists turn optimist at total rate
//! (N − k)(a + b·k) and optimists turn pessimist at rate k(a + b·(N − k)),
//! where a is the autonomy (idiosyncratic switching) and b the herding
//! (recruitment) rate. The share z = k/N then moves as
//! dz = a(1 − 2z)dt + √(2b·z(1 − z)) dW whatever N is, with the stationary
//! law Beta(a/b, a/b): it piles up near 0 and 1 (bimodal) when a < b and
//! gathers around ½ when a ≫ b. As in Lux & Marchesi (1999, Nature 397),
//! switching is also pushed by the market: the autonomy becomes a·e^{U}
//! towards optimism and a·e^{−U} towards pessimism, U = price_push · (the
//! last window's return, in %) + flow_push · (its order imbalance), so
//! rising prices and buying pressure recruit optimists. The push acts on
//! the idiosyncratic part only: scaling the recruitment term b·k as well
//! would give a drift that grows with the group's size N.
//!
//! [`Sentiment`] simulates the group's count k by Poisson tau-leaping on the
//! engine's clock. In this model a member's own switching rate, a + b·k, is
//! far above its rate of visits to the platform, so at each wake-up a member
//! is optimistic with probability z, independently of its last visit; the
//! mood it acted on is kept in its state.
//!
//! A share of the group are blind followers: whatever their view, they buy
//! after a rise and sell after a fall ("chasing the latest gains").

use rand::rngs::ChaCha8Rng;
use rand::{Rng, RngExt};
use rand_distr::{Distribution as _, Poisson};

use super::order::OrderShape;
use super::params::minutes;
use super::{
    Action, Actions, Agent, Behaviour, Context, CrowdView, GroupSetup, OrderRequest, Products, Snapshot, Wake,
};
use crate::book::Side;
use crate::random::AgentRng;
use crate::scenario::Duration;
use crate::units::{ceil_to_i64, floor_to_i64};

crate::behaviour_params! {
    /// Parameters of the herding family (Kirman 1993; Alfarano, Lux & Wagner 2005; Lux & Marchesi 1999).
    pub struct HerdingParams {
        /// Recruitment rate b per hour (per optimist–pessimist pair, Alfarano–Lux–Wagner); changeable during a run.
        herding: f64 = 1.0, Real(0.0, 1000.0), "a recruitment rate per hour from 0 to 1000, e.g. 2";
        /// Idiosyncratic switching rate a per member per hour.
        autonomy: f64 = 0.3, Real(0.0, 1000.0), "a switching rate per hour from 0 to 1000, e.g. 0.5";
        /// Push of the recent price change on switching to optimism (per 1% move per window).
        price_push: f64 = 0.5, Real(-100.0, 100.0), "a weight from -100 to 100";
        /// Push of the recent order-flow imbalance (−1…1) on switching to optimism.
        flow_push: f64 = 0.0, Real(-100.0, 100.0), "a weight from -100 to 100";
        /// Share of blind followers, who chase the latest price change whatever their view.
        blind_share: f64 = 0.1, Real(0.0, 1.0), "a probability from 0 to 1";
        /// Share of optimists at the start.
        initial_optimists: f64 = 0.5, Real(0.0, 1.0), "a probability from 0 to 1";
        /// Fewest lots in an order.
        min_lots: i64 = 1, Int(1, 100_000_000), "a whole number of lots from 1 to 100,000,000";
        /// Most lots in an order (default: min_lots or 20, whichever is larger).
        max_lots: Option<i64> = None, Int(1, 100_000_000), "a whole number of lots from min_lots to 100,000,000";
        /// Share of orders that are all-or-none (full delivery).
        aon_share: f64 = 0.0, Real(0.0, 1.0), "a probability from 0 to 1";
        /// Share of orders sent as market orders.
        market_share: f64 = 0.2, Real(0.0, 1.0), "a probability from 0 to 1";
        /// How long a limit order stays in the book before it expires (at most to the close).
        order_ttl: Duration = minutes(10), PositiveDuration, "a duration above 0, e.g. \"30m\"";
    }
    check(p) {
        super::params::lots_in_order(p.min_lots, p.max_lots)
    }
}

/// Grid of the crowd's clock (2 s of session time), so its path does not
/// depend on when batches happen to fall.
const CROWD_STEP: i64 = 2_000_000_000;

/// Longest tau-leaping step, in hours (2 s): short against the crowd's time
/// scale 1/b for any herding rate a scenario may set.
const MAX_STEP_HOURS: f64 = 2.0 / 3600.0;

/// The mood of one herd-following group: k optimists among N members.
#[derive(Clone, Debug)]
pub struct Sentiment {
    /// N, the group's size.
    pub members: u32,
    /// k, members currently optimistic.
    pub optimists: u32,
    /// Idiosyncratic switching rate per member per hour.
    pub autonomy: f64,
    /// Weight of the last window's return (in %) in the push U.
    pub price_push: f64,
    /// Weight of the last window's order imbalance in the push U.
    pub flow_push: f64,
}

impl Sentiment {
    /// `members` of whom a share `initial_share` start optimistic; the
    /// switching parameters from `p`.
    pub fn new(members: u32, initial_share: f64, p: &HerdingParams) -> Sentiment {
        Sentiment {
            members,
            optimists: (f64::from(members) * initial_share).round() as u32,
            autonomy: p.autonomy,
            price_push: p.price_push,
            flow_push: p.flow_push,
        }
    }

    /// The optimists' share z = k/N (½ for an empty group).
    pub fn share(&self) -> f64 {
        if self.members == 0 { 0.5 } else { f64::from(self.optimists) / f64::from(self.members) }
    }

    /// The market's push U from the last window's return (a log return) and order imbalance.
    pub fn push(&self, last_return: f64, imbalance: f64) -> f64 {
        (self.price_push * last_return * 100.0 + self.flow_push * imbalance).clamp(-20.0, 20.0)
    }

    /// Advances the count by `hours` at herding rate `herding` (per hour) under push `push`.
    pub fn advance<R: Rng + ?Sized>(&mut self, hours: f64, herding: f64, push: f64, rng: &mut R) {
        if self.members == 0 || hours <= 0.0 {
            return;
        }
        let steps = (hours / MAX_STEP_HOURS).ceil().max(1.0);
        let dt = hours / steps;
        let n = f64::from(self.members);
        let (a_up, a_down) = (self.autonomy * push.exp(), self.autonomy * (-push).exp());
        for _ in 0..steps as u64 {
            let k = f64::from(self.optimists);
            let up = (n - k) * (a_up + herding * k) * dt;
            let down = k * (a_down + herding * (n - k)) * dt;
            let draw = |mean: f64, rng: &mut R| {
                if mean <= 0.0 { 0.0 } else { Poisson::new(mean).map_or(mean, |p| p.sample(rng)) }
            };
            let (u, d) = (draw(up, rng), draw(down, rng));
            self.optimists = (k + u - d).clamp(0.0, n) as u32;
        }
    }
}

/// A herd-follower's own state: the mood it acted on last, and whether it
/// is a blind follower.
#[derive(Clone, Copy, Debug, Default)]
pub struct HerdingState {
    /// Optimistic at the last wake-up.
    pub optimist: bool,
    /// Chases the latest price change whatever its view.
    pub blind: bool,
}

/// The herding family: members and their crowd.
#[derive(Debug)]
pub struct Herding {
    blind_share: f64,
    shape: OrderShape,
    order_ttl: i64,
    products: Products,
    /// The recruitment rate b per hour (a live parameter).
    herding: f64,
    crowd: Sentiment,
    /// The product whose price and order flow push the crowd.
    watched: usize,
    /// Session time the crowd has been stepped to.
    crowd_t: i64,
    rng: ChaCha8Rng,
}

impl Behaviour for Herding {
    type Params = HerdingParams;
    type State = HerdingState;
    const NAME: &'static str = "herding";
    const ABOUT: &'static str =
        "herd-following customers whose crowd mood spreads by recruitment (Alfarano, Lux & Wagner 2005)";
    const ALIASES: &'static [&'static str] = &["herd"];
    const GROUP_DYNAMICS: bool = true;
    const LIVE_PARAMS: &'static [&'static str] = &["herding"];

    fn build(p: HerdingParams, setup: GroupSetup) -> Herding {
        Herding {
            blind_share: p.blind_share,
            shape: OrderShape::new(p.min_lots, p.max_lots, 20, p.aon_share, p.market_share),
            order_ttl: p.order_ttl.0,
            herding: p.herding,
            crowd: Sentiment::new(setup.members, p.initial_optimists, &p),
            watched: setup.products.first().map_or(0, usize::from),
            products: setup.products,
            crowd_t: 0,
            rng: setup.rng,
        }
    }

    fn init(&self, rng: &mut AgentRng) -> HerdingState {
        HerdingState { optimist: false, blind: rng.random_bool(self.blind_share) }
    }

    fn decide(&self, wake: Wake, agent: &mut Agent<HerdingState>, ctx: &Context<'_>, out: &mut Actions) {
        let Some(product) = self.products.pick(&mut agent.rng) else { return };
        let snap = ctx.snapshot;
        let rng = &mut agent.rng;
        let last = snap.markets[product as usize].last_return();
        agent.state.optimist = rng.random_bool(self.crowd.share().clamp(0.0, 1.0));
        let buy = if agent.state.blind && last != 0.0 { last > 0.0 } else { agent.state.optimist };
        let side = if buy { Side::Buy } else { Side::Sell };
        // A changed mind withdraws the order of the other view.
        if let Some(live) = agent.live(side.opposite()) {
            out.put(live.cancel());
        }
        if agent.live(side).is_some() {
            return;
        }
        let view = &snap.products[product as usize];
        let (kind, all_or_none, want) = self.shape.draw(&mut agent.rng);
        // Herders take liquidity: they join the opposite touch, or anchor
        // to the mid or NAV when that side is empty (not to a stale trade).
        let anchor = view.anchor();
        let price = match side {
            Side::Buy => view.best_ask.unwrap_or(ceil_to_i64(anchor)),
            Side::Sell => view.best_bid.unwrap_or(floor_to_i64(anchor)),
        }
        .clamp(view.band_lo, view.band_hi);
        let order = OrderRequest { product, side, kind, price, lots: want, all_or_none, ttl: self.order_ttl };
        out.push_some(order.within_means(ctx, wake.id).map(Action::Submit));
    }

    fn open_day(&mut self, open: i64) {
        // The crowd moves in session time only.
        self.crowd_t = open;
    }

    fn advance(&mut self, t: i64, market: &Snapshot) {
        if t < self.crowd_t + CROWD_STEP {
            return;
        }
        let t = t - (t - self.crowd_t).rem_euclid(CROWD_STEP);
        if t <= self.crowd_t {
            return;
        }
        let m = &market.markets[self.watched];
        let push = self.crowd.push(m.last_return(), m.imbalance);
        self.crowd.advance((t - self.crowd_t) as f64 / 3.6e12, self.herding, push, &mut self.rng);
        self.crowd_t = t;
    }

    fn crowd(&self) -> Option<CrowdView> {
        Some(CrowdView { members: self.crowd.members, optimists: self.crowd.optimists })
    }

    fn live_param(&self, name: &str) -> Option<f64> {
        (name == "herding").then_some(self.herding)
    }

    fn set_live_param(&mut self, name: &str, value: f64) {
        if name == "herding" {
            self.herding = value;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::agent_stream;

    /// Bimodality coefficient (g² + 1) / (κ + 3), κ the excess kurtosis: 5/9 for a uniform law.
    fn bimodality(x: &[f64]) -> f64 {
        let n = x.len() as f64;
        let m = x.iter().sum::<f64>() / n;
        let c = |p: i32| x.iter().map(|v| (v - m).powi(p)).sum::<f64>() / n;
        let (m2, m3, m4) = (c(2), c(3), c(4));
        let g = m3 / m2.powf(1.5);
        (g * g + 1.0) / (m4 / (m2 * m2))
    }

    fn share_path(herding: f64, autonomy: f64) -> Vec<f64> {
        let p = HerdingParams { autonomy, price_push: 0.0, ..HerdingParams::default() };
        let mut s = Sentiment::new(2000, 0.5, &p);
        let mut rng = agent_stream(3, 3);
        // 400 hours sampled every 6 minutes.
        (0..4000)
            .map(|_| {
                s.advance(0.1, herding, 0.0, &mut rng);
                s.share()
            })
            .collect()
    }

    #[test]
    fn strong_herding_is_bimodal_weak_herding_stays_near_half() {
        let strong = share_path(2.0, 0.2);
        let weak = share_path(0.05, 1.0);
        let near_edges = strong.iter().filter(|&&z| !(0.1..=0.9).contains(&z)).count() as f64 / strong.len() as f64;
        assert!(bimodality(&strong) > 5.0 / 9.0, "strong herding BC {}", bimodality(&strong));
        assert!(near_edges > 0.4, "strong herding spends {near_edges} of its time near 0 or 1");
        assert!(bimodality(&weak) < 5.0 / 9.0, "weak herding BC {}", bimodality(&weak));
        let near_half = weak.iter().filter(|z| (0.3..=0.7).contains(*z)).count() as f64 / weak.len() as f64;
        assert!(near_half > 0.95, "weak herding spends only {near_half} of its time within 0.3..0.7");
    }

    #[test]
    fn stationary_mean_and_variance_follow_the_beta_law() {
        // Beta(a/b, a/b): mean 1/2, variance 1 / (4 (2a/b + 1)).
        let (a, b) = (0.5, 0.5);
        let z = share_path(b, a);
        let n = z.len() as f64;
        let mean = z.iter().sum::<f64>() / n;
        let var = z.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
        let expected = 1.0 / (4.0 * (2.0 * a / b + 1.0));
        assert!((mean - 0.5).abs() < 0.1, "mean {mean}");
        assert!((var / expected - 1.0).abs() < 0.35, "variance {var} against {expected}");
    }

    #[test]
    fn a_rising_market_recruits_optimists() {
        let p = HerdingParams { autonomy: 0.5, price_push: 1.0, ..HerdingParams::default() };
        let mut s = Sentiment::new(1000, 0.5, &p);
        let mut rng = agent_stream(5, 5);
        let push = s.push(0.005, 0.0);
        assert!(push > 0.0);
        let mut total = 0.0;
        for _ in 0..500 {
            s.advance(0.1, 0.5, push, &mut rng);
            total += s.share();
        }
        assert!(total / 500.0 > 0.6, "mean share {} under a positive push", total / 500.0);
    }
}
