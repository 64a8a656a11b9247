//! Property tests of the matching core, `tplus::book::Book`, over random
//! streams of submits (limit, IOC and market, on both sides, some all-or-none,
//! a few invalid), cancels (of live, stale and forged ids), replaces (of the
//! same) and clears, on small price grids where crossings are frequent, under
//! each matching rule (price–time, price–size–time, pro-rata; one per
//! stream).
//!
//! Every stream runs in lockstep against the book and against [`Model`], a
//! reference book written for obviousness rather than speed: after every
//! operation both must have emitted the same events and hold the same resting
//! orders in the same order. The model is trustworthy because it is a direct
//! transcription of the rules in the `tplus::book` module docs and shares none
//! of the machinery where the real book's bugs could hide. It keeps resting
//! orders in one `Vec` in time priority (arrival order; a requeued order moves
//! to the end) and recomputes a side's queue by a stable sort whenever it
//! needs it: on price (and, under price–size–time, on remaining quantity,
//! largest first), so each rule's priority holds by construction. Under
//! price–time and price–size–time an incoming order walks that queue with the
//! greedy rule (take a resting order whole if it fits, fill a non-AON one
//! partially and stop, skip an AON one that is too large); under pro-rata it
//! shares its lots level by level by [`allocate`], steps 1–4 of the docs
//! written out literally; and the AON dry run *is* that very matching, its
//! result thrown away if it would not fill the order. No levels, links,
//! bitsets, size groups, arrays, free lists, generations or cached best
//! prices.
//!
//! The model is not the only judge: the properties below are also checked
//! directly on the events and on the book's views, so a misreading of the
//! rules shared by the model and the book would still have to get past them.
//! After every operation:
//!
//! 1. no crossed book among non-AON orders; in every crossing pair one order
//!    is AON, with strictly more remaining quantity than the other if that
//!    one is not AON;
//! 2. quantity is conserved per order (its trades add up to the `filled` of
//!    its `Done`, or to what it no longer has resting) and overall: what was
//!    submitted, with what replaces added and less what they withdrew, is
//!    traded + cancelled + expired + unfilled + resting, where each trade
//!    counts once for the aggressor and once for the resting order;
//! 3. the rule's priority: events and resting orders equal the model's; each
//!    side lists its orders by price, then (price–size–time) remaining
//!    quantity, then time priority, which the harness tracks on its own from
//!    the events and the replaces; and, independently, matching visits resting
//!    orders forward in that order, fills at the resting order's price, never
//!    beyond the aggressor's limit, at monotone prices, and leaves behind
//!    (when not filled) only AON orders too large for its remainder. The
//!    greedy rules never jump a non-AON order and fill at most one resting
//!    order partially, last; pro-rata fills every non-AON order of a level
//!    it moves on from, and at its last level shares proportionally within
//!    one lot (`|s_i q_j - s_j q_i| < q_i + q_j` for non-AON orders);
//! 4. an AON order, incoming or resting, trades its whole quantity within one
//!    matching and is then done `Filled`, or never trades;
//! 5. every accepted order gets exactly one `Done`, after all its trades, and
//!    at most one `Rested`; a submit's events are its trades (each completing
//!    one followed by the resting order's `Done`), then its own `Rested` or
//!    `Done`; a replace's are its trades then, if it filled, its `Done`; a
//!    replace to zero is the cancel's `Done`; a reduction keeps the order's
//!    time priority and emits nothing unless a reduced AON order now fills;
//!    cancels and replaces of stale or forged ids fail and emit nothing;
//!    rejected submits and refused replaces (price off the grid, quantity
//!    overflow) emit nothing and change nothing;
//! 6. `best_bid`, `best_ask`, `depth`, `qty_at`, `resting_orders` and `get`
//!    agree with `Book::orders`.
//!
//! `stream_generators_reach_the_interesting_cases` (price–time, without
//! replaces, as before) and `rule_streams_reach_the_interesting_cases` (each
//! rule, with replaces) guard against vacuity: they run fixed-seed samples of
//! streams and assert that AON skips, crossed books at rest, declined AON dry
//! runs, stale cancels, shared pro-rata levels, AON orders left out of an
//! allocation, size priority overtaking time, replaces of every kind and so
//! on all occur.
//!
//! Failure persistence is off so that a failing run leaves no files behind;
//! a failure prints the shrunk op stream, which is the reproduction.

mod checks;
mod harness;
mod model;
mod ops;

use harness::{Stats, run, run_rule};
use ops::{MIXED, Mix, WITH_REPLACES, rule_stream, stream};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{TestCaseError, TestRunner};
use tplus::book::{BookEvent, DoneReason, MatchingRule, NewOrder, OrderId, OrderKind, RestingOrder, Side, Tick};

type Check = Result<(), TestCaseError>;
/// One side of the book as `Book::orders` lists it: priority order.
type Orders = Vec<(OrderId, RestingOrder)>;

const SIDES: [Side; 2] = [Side::Buy, Side::Sell];

/// Longest generated stream.
const MAX_OPS: usize = 200;

/// Whether a resting order at `price` is within the limit of an aggressor on
/// `side`.
fn reaches(side: Side, limit: Tick, price: Tick) -> bool {
    match side {
        Side::Buy => price <= limit,
        Side::Sell => price >= limit,
    }
}

/// Whether price `a` has strictly better priority than `b` on `side`.
fn better(side: Side, a: Tick, b: Tick) -> bool {
    match side {
        Side::Buy => a > b,
        Side::Sell => a < b,
    }
}

/// The final event of a resting order that leaves the book for `reason`.
fn done_of(id: OrderId, r: &RestingOrder, reason: DoneReason) -> BookEvent {
    BookEvent::Done {
        side: r.side,
        price: r.price,
        owner: r.owner,
        tag: r.tag,
        qty: r.qty,
        filled: r.qty - r.remaining,
        reason,
        resting: Some(id),
    }
}

/// The effective limit of an incoming order on a grid of `n_ticks`.
fn limit_of(o: &NewOrder, n_ticks: u32) -> Tick {
    match (o.kind, o.side) {
        (OrderKind::Market, Side::Buy) => n_ticks - 1,
        (OrderKind::Market, Side::Sell) => 0,
        _ => o.price,
    }
}

// ---------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------

fn config(cases: u32) -> ProptestConfig {
    let mut c = ProptestConfig::with_cases(cases);
    c.failure_persistence = None;
    c
}

proptest! {
    #![proptest_config(config(512))]

    /// All properties over the everyday mixture: mostly limits, some IOC and
    /// market orders, 15% AON, some cancels, rare clears.
    #[test]
    fn mixed_streams((n_ticks, capacity, ops) in stream(MIXED)) {
        run(n_ticks, capacity, &ops)?;
    }

    /// Half the orders AON: skips, declined dry runs and crossed books at rest
    /// are the norm rather than the exception.
    #[test]
    fn aon_heavy_streams((n_ticks, capacity, ops) in stream(Mix { aon: 0.5, ..MIXED })) {
        run(n_ticks, capacity, &ops)?;
    }

    /// The everyday mixture with replaces, under a rule drawn per stream.
    #[test]
    fn rule_streams((rule, n_ticks, capacity, ops) in rule_stream(WITH_REPLACES)) {
        run_rule(rule, n_ticks, capacity, &ops)?;
    }

    /// Half the orders AON, with replaces, under a rule drawn per stream:
    /// pro-rata leaves AON orders out of its allocations, reduced AON orders
    /// fill.
    #[test]
    fn rule_aon_heavy_streams((rule, n_ticks, capacity, ops) in rule_stream(Mix { aon: 0.5, ..WITH_REPLACES })) {
        run_rule(rule, n_ticks, capacity, &ops)?;
    }
}

proptest! {
    #![proptest_config(config(256))]

    /// Grids of 1 to 4 ticks: every price level holds long queues, market
    /// orders meet the grid edges.
    #[test]
    fn tiny_grid_streams((n_ticks, capacity, ops) in stream(Mix { ticks: (1, 4), market: 15, aon: 0.3, ..MIXED })) {
        run(n_ticks, capacity, &ops)?;
    }

    /// Many cancels and clears over a pool with room for at most two orders
    /// at first: slots are reused constantly, so stale ids of reused slots
    /// are common.
    #[test]
    fn churn_streams((n_ticks, capacity, ops) in stream(Mix { max_capacity: 2, cancel: 60, clear: 4, ..MIXED })) {
        run(n_ticks, capacity, &ops)?;
    }

    /// Long queues under each rule: sizes, shares and time priority within a
    /// level matter most.
    #[test]
    fn rule_tiny_grid_streams(
        (rule, n_ticks, capacity, ops) in rule_stream(Mix { ticks: (1, 4), market: 15, aon: 0.3, ..WITH_REPLACES })
    ) {
        run_rule(rule, n_ticks, capacity, &ops)?;
    }

    /// Replaces and cancels dominate over a small pool, under each rule.
    #[test]
    fn rule_churn_streams(
        (rule, n_ticks, capacity, ops) in rule_stream(Mix { max_capacity: 2, cancel: 30, replace: 60, clear: 4, ..MIXED })
    ) {
        run_rule(rule, n_ticks, capacity, &ops)?;
    }
}

/// Runs 64 fixed-seed streams of each mix under `rule` and sums the stats
/// (printed, for a look with `--nocapture`).
fn sample(rule: MatchingRule, mixes: &[Mix]) -> Stats {
    let mut runner = TestRunner::deterministic();
    let mut total = Stats::default();
    for &mix in mixes {
        let strategy = stream(mix);
        for _ in 0..64 {
            let (n_ticks, capacity, ops) = strategy.new_tree(&mut runner).expect("generate").current();
            total.add(&run_rule(rule, n_ticks, capacity, &ops).expect("properties hold"));
        }
    }
    println!("{rule}: {total:?}");
    total
}

/// Asserts that every situation named in `wanted` came up at least 10 times.
fn assert_reached(what: &str, mut total: Stats, wanted: &[&str]) {
    let counts: Vec<(&str, u64)> = total.fields().into_iter().map(|(name, n)| (name, *n)).collect();
    for name in wanted {
        let n = counts.iter().find(|(c, _)| c == name).unwrap_or_else(|| panic!("no stat {name}")).1;
        assert!(n >= 10, "{what}: only {n} {name} in the sample: {total:?}");
    }
}

/// The situations every rule must meet.
const COMMON: [&str; 14] = [
    "trades",
    "multi-level sweeps",
    "partial fills of resting orders",
    "incoming AON fills",
    "incoming AON declined while crossing",
    "resting AON fills",
    "resting AON orders skipped",
    "crossed books at rest",
    "market order fills",
    "IOC/market remainders killed",
    "cancels of live orders",
    "cancels of stale or forged ids",
    "clears of a non-empty book",
    "rejected submits",
];

/// The generators must actually produce the situations the properties are
/// about; otherwise they would pass vacuously.
#[test]
fn stream_generators_reach_the_interesting_cases() {
    let total = sample(MatchingRule::PriceTime, &[MIXED, Mix { aon: 0.5, ..MIXED }]);
    assert_reached("price_time", total, &COMMON);
}

/// The same under every rule, with replaces, and each rule's own situations.
#[test]
fn rule_streams_reach_the_interesting_cases() {
    let replaces = [
        "reductions kept in place",
        "requeued replaces",
        "replaces that traded",
        "replaces that filled",
        "replaces to zero",
        "replaces of stale or forged ids",
        "refused replaces",
        "reduced AON orders filled",
    ];
    for rule in MatchingRule::ALL {
        let crowded = Mix { ticks: (1, 4), aon: 0.5, replace: 40, ..WITH_REPLACES };
        let total = sample(rule, &[WITH_REPLACES, Mix { aon: 0.5, ..WITH_REPLACES }, crowded]);
        let own: &[&str] = match rule {
            MatchingRule::PriceTime => &[],
            MatchingRule::PriceSizeTime => &["trades where size beat time"],
            MatchingRule::ProRata => &[
                "shared pro-rata levels",
                "AON orders left out of an allocation",
                "AON orders filled by the rest of a level",
            ],
        };
        let wanted: Vec<&str> = COMMON.iter().chain(&replaces).chain(own).copied().collect();
        assert_reached(rule.name(), total, &wanted);
    }
}
