//! The primary market: the issuer (the platform's account 0) sells each
//! product at the day's NAV, rounded up to a tick, and buys it back at NAV,
//! rounded down (a tick lower when NAV sits on a tick, so that its bid and
//! ask never meet), within daily quotas (Chinese money-market notes are
//! subscribed and redeemed at NAV on demand, within daily quotas).
//!
//! The issuer paces its quotas over the session rather than offering each
//! whole at the open, as an execution schedule paces a parent order over a
//! day (Bertsimas & Lo 1998, "Optimal control of execution costs", Journal
//! of Financial Markets 1(1): 1–50): at the open and every `primary_pacing`
//! after, it withdraws what is left of its last instalment and offers what
//! is left of each quota divided by the intervals left in the session, so
//! that an interval's unused lots carry over and the last interval offers
//! all that remains.
//!
//! Pacing is what lets order flow move the price. A quota offered whole at
//! the open sits at the touch on both sides, a tick apart, until it runs
//! out: every order the market sends is absorbed at NAV and the mid cannot
//! move, so the heaviest trading comes with no price change at all and the
//! price moves only once a quota is spent, when trading thins. Paced, the
//! issuer supplies a bounded amount of immediacy per interval (Grossman &
//! Miller 1988, "Liquidity and market structure", Journal of Finance 43(3):
//! 617–633): demand beyond an interval's share walks the secondary book, so
//! bursts of order flow raise volume and move the price together, the
//! positive volume–volatility relation of real markets (Karpoff 1987, "The
//! relation between price changes and trading volume: a survey", Journal of
//! Financial and Quantitative Analysis 22(1): 109–126), while the next
//! instalment pulls the price back towards NAV.

use super::Engine;
use crate::agents::OrderRequest;
use crate::book::{DoneReason, OrderId, OrderKind, Side};
use crate::platform::PLATFORM;

/// One product's primary market today.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Pacing {
    /// The instalment resting in the book, per side (the ask, then the bid).
    quotes: [Option<OrderId>; 2],
    /// Lots of each daily quota not offered yet (the ask's, then the bid's).
    left: [u32; 2],
    /// When the next instalment is due (`i64::MAX` when none is left today).
    next: i64,
}

impl Engine<'_> {
    /// The primary market opens: each quota is whole again, and the first
    /// instalments go into the books.
    pub(super) fn open_primary(&mut self, open: i64) {
        for (pacing, spec) in self.primary.iter_mut().zip(&self.specs) {
            *pacing =
                Pacing { quotes: [None; 2], left: [spec.primary_supply_lots, spec.redemption_quota_lots], next: open };
        }
        self.release_primary(open);
    }

    /// The instalments due at `t`: each product whose next instalment is
    /// due withdraws what its last one left and offers the next.
    #[inline(never)]
    pub(super) fn release_primary(&mut self, t: i64) {
        let (day, close) = (self.clock.day, self.cal.day(self.clock.day).close);
        for p in 0..self.specs.len() {
            let Pacing { quotes, mut left, next } = self.primary[p];
            if next > t {
                continue;
            }
            let pacing = self.specs[p].primary_pacing.max(1);
            // Intervals left in the session, this one included.
            let intervals = ((close - t + pacing - 1) / pacing).max(1);
            let mut rested = [None; 2];
            for (s, side) in [Side::Sell, Side::Buy].into_iter().enumerate() {
                if let Some(id) = quotes[s]
                    && let Some(unused) = self.path.book(p).get(id).filter(|o| o.owner == PLATFORM)
                {
                    left[s] += unused.remaining;
                    // Withdrawn: `cancelled` in the operation log.
                    self.remove(t, p, id, DoneReason::Cancelled);
                }
                let lots = left[s].div_ceil(u32::try_from(intervals).unwrap_or(u32::MAX));
                if lots == 0 {
                    continue;
                }
                left[s] -= lots;
                let spec = &self.specs[p];
                let price = if side == Side::Sell { spec.supply_price(day) } else { spec.redemption_price(day) };
                let request = OrderRequest {
                    product: p as u16,
                    side,
                    kind: OrderKind::Limit,
                    price,
                    lots,
                    all_or_none: false,
                    ttl: i64::MAX / 4,
                };
                rested[s] = self.on_order(t, PLATFORM, request);
            }
            let next = if t + pacing < close { t + pacing } else { i64::MAX };
            self.primary[p] = Pacing { quotes: rested, left, next };
        }
        self.clock.next_release = self.primary.iter().map(|q| q.next).min().unwrap_or(i64::MAX);
    }
}

#[cfg(test)]
mod tests {
    use crate::agents::Registry;
    use crate::book::Side;
    use crate::engine::record::{Op, OpRecord, Recorder, TradeRecord};
    use crate::engine::{self, RunOptions};

    /// The issuer's operations: (time, op, side, lots).
    #[derive(Default)]
    struct Issuer(Vec<(i64, Op, Side, u32)>);

    impl Recorder for Issuer {
        fn trade(&mut self, _: &TradeRecord) {}
        fn wants_ops(&self) -> bool {
            true
        }
        fn op(&mut self, op: &OpRecord) {
            if op.agent == 0
                && let Some(side) = op.side
            {
                self.0.push((op.time, op.op, side, op.lots));
            }
        }
    }

    /// One day of 330 minutes: 2,000 zero-intelligence customers against
    /// quotas of 4,000 and 2,000 lots, paced by `pacing`.
    fn run(pacing: &str) -> (Vec<(i64, Op, Side, u32)>, i64) {
        let text = format!(
            r#"
[simulation]
name = "pacing"
seed = 7
start_date = 2026-01-05
days = 1

[[product]]
id = "NOTE7"
nav = 1.0
annual_yield = 0.025
tick_size = 0.0001
term_days = 7
holding_limit_days = 3
max_order_lots = 1000
primary_supply_lots = 4000
redemption_quota_lots = 2000
primary_pacing = "{pacing}"

[[agents]]
family = "zero_intelligence"
count = 2000
arrival = {{ process = "poisson", rate = 4.0 }}
budget = {{ dist = "lognormal", median = 20000.0, sigma = 0.6 }}
initial_lots = {{ dist = "uniform", min = 0.0, max = 40.0 }}
"#
        );
        let s = crate::scenario::parse(std::path::Path::new("pacing.toml"), &text, &Registry::builtin()).unwrap();
        let mut issuer = Issuer::default();
        let out = engine::run(&s, &RunOptions::default(), &mut issuer).unwrap();
        (issuer.0, out.calendar.day(0).open)
    }

    #[test]
    fn each_instalment_offers_what_is_left_over_the_intervals_left() {
        const MINUTE: i64 = 60_000_000_000;
        let (ops, open) = run("1m");
        for (side, quota) in [(Side::Sell, 4000u32), (Side::Buy, 2000)] {
            let offers: Vec<(i64, u32)> =
                ops.iter().filter(|o| o.1 == Op::Accepted && o.2 == side).map(|o| (o.0, o.3)).collect();
            assert_eq!(offers[0], (open, quota.div_ceil(330)), "{side:?}: the first instalment");
            for (k, &(t, lots)) in offers.iter().enumerate() {
                assert_eq!(t, open + k as i64 * MINUTE, "{side:?}: one instalment a minute from the open");
                // What the issuer traded before this instalment is all that has left the quota.
                let traded: u32 = ops.iter().filter(|o| o.1 == Op::Traded && o.2 == side && o.0 < t).map(|o| o.3).sum();
                let intervals = 330 - k as u32;
                assert_eq!(lots, (quota - traded).div_ceil(intervals), "{side:?} instalment {k}");
            }
            let sold: u32 = ops.iter().filter(|o| o.1 == Op::Traded && o.2 == side).map(|o| o.3).sum();
            assert!(sold <= quota && sold > quota / 2, "{side:?}: {sold} of {quota} lots traded");
        }
    }

    #[test]
    fn a_pacing_as_long_as_the_session_offers_each_quota_whole_at_the_open() {
        let (ops, open) = run("330m");
        let offers: Vec<_> = ops.iter().filter(|o| o.1 == Op::Accepted).map(|o| (o.0, o.2, o.3)).collect();
        assert_eq!(offers, [(open, Side::Sell, 4000), (open, Side::Buy, 2000)]);
    }
}
