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

use rand::{Rng, RngExt};
use rand_distr::{Distribution as _, Poisson};

use super::{Action, AgentState, Behaviour, Context, MAX_ACTIONS, OrderRequest, flags};
use crate::book::{OrderKind, Side};
use crate::random::AgentRng;
use crate::scenario::FamilyParams;

/// Longest tau-leaping step, in hours (2 s): short against the crowd's time
/// scale 1/b for any herding rate a scenario may set.
const MAX_STEP_HOURS: f64 = 2.0 / 3600.0;

/// The mood of one herd-following group: k optimists among N members.
#[derive(Clone, Debug)]
pub struct Sentiment {
    pub members: u32,
    pub optimists: u32,
    /// Idiosyncratic switching rate per member per hour.
    pub autonomy: f64,
    pub price_push: f64,
    pub flow_push: f64,
}

impl Sentiment {
    pub fn new(members: u32, initial_share: f64, p: &FamilyParams) -> Sentiment {
        Sentiment {
            members,
            optimists: (f64::from(members) * initial_share).round() as u32,
            autonomy: p.autonomy.unwrap_or(Herding::DEFAULT_AUTONOMY),
            price_push: p.price_push.unwrap_or(0.5),
            flow_push: p.flow_push.unwrap_or(0.0),
        }
    }

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

#[derive(Clone, Debug)]
pub struct Herding {
    blind_share: f64,
    min_lots: u32,
    max_lots: u32,
    aon_share: f64,
    market_share: f64,
    order_ttl: i64,
    products: Vec<u16>,
}

impl Herding {
    /// Herding rate b (per hour) when the scenario gives none.
    pub const DEFAULT_HERDING: f64 = 1.0;
    /// Autonomy a (per hour) when the scenario gives none.
    pub const DEFAULT_AUTONOMY: f64 = 0.3;

    /// Defaults for every parameter the scenario leaves out (see scenarios/README.md).
    /// The crowd's dynamics live in the engine's [`Sentiment`]; the herding
    /// rate itself in the group's view, where it can change during a run.
    pub fn new(p: &FamilyParams, products: Vec<u16>) -> Herding {
        let min_lots = p.min_lots.unwrap_or(1) as u32;
        Herding {
            blind_share: p.blind_share.unwrap_or(0.1),
            min_lots,
            max_lots: p.max_lots.map_or(min_lots.max(20), |m| m as u32),
            aon_share: p.aon_share.unwrap_or(0.0),
            market_share: p.market_share.unwrap_or(0.2),
            order_ttl: p.order_ttl.map_or(10 * 60_000_000_000, |d| d.0),
            products,
        }
    }
}

impl Behaviour for Herding {
    fn init(&self, state: &mut AgentState, rng: &mut AgentRng) {
        if rng.random_bool(self.blind_share) {
            state.flags |= flags::BLIND;
        }
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
        let snap = ctx.snapshot;
        let group = &snap.groups[state.group as usize];
        let product = self.products[rng.random_range(0..self.products.len())];
        let last = snap.markets[product as usize].last_return();
        if rng.random_bool(group.optimist_share().clamp(0.0, 1.0)) {
            state.flags |= flags::OPTIMIST;
        } else {
            state.flags &= !flags::OPTIMIST;
        }
        let buy = if state.flags & flags::BLIND != 0 && last != 0.0 { last > 0.0 } else { state.is_optimist() };
        let side = if buy { Side::Buy } else { Side::Sell };
        let mut n = 0;
        // A changed mind withdraws the order of the other view.
        if let Some(live) = state.live(side.opposite()) {
            out[n] = Some(live.cancel());
            n += 1;
        }
        if state.live(side).is_some() {
            return;
        }
        let view = &snap.products[product as usize];
        let kind = if rng.random_bool(self.market_share) { OrderKind::Market } else { OrderKind::Limit };
        let all_or_none = self.aon_share > 0.0 && rng.random_bool(self.aon_share);
        let want = rng.random_range(self.min_lots..=self.max_lots);
        // Herders take liquidity: they join the opposite touch, or the reference price when that side is empty.
        let reference = view.reference_price();
        let price = match side {
            Side::Buy => view.best_ask.unwrap_or(reference.ceil() as i64),
            Side::Sell => view.best_bid.unwrap_or(reference.floor() as i64),
        }
        .clamp(view.band_lo, view.band_hi);
        let order = OrderRequest { product, side, kind, price, lots: want, all_or_none, ttl: self.order_ttl };
        out[n] = order.within_means(ctx, id).map(Action::Submit);
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
        let p = FamilyParams { autonomy: Some(autonomy), price_push: Some(0.0), ..FamilyParams::default() };
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
        let p = FamilyParams { autonomy: Some(0.5), price_push: Some(1.0), ..FamilyParams::default() };
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
