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

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::strategy::ValueTree;
use proptest::test_runner::{TestCaseError, TestRunner};
use tplus::book::{
    Book, BookEvent, DoneReason, MatchingRule, NewOrder, OrderId, OrderKind, Qty, RejectReason, ReplaceError,
    RestingOrder, Side, Tick,
};

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
// Reference model
// ---------------------------------------------------------------------------

/// The pro-rata rule at one level, steps 1–4 of the module docs: given the
/// incoming lots `r` and the level's orders in time priority as (remaining
/// quantity, AON), the lots allotted to each and the lots left over.
fn allocate(r: Qty, orders: &[(Qty, bool)], stats: &mut ModelStats) -> (Vec<Qty>, Qty) {
    let n = orders.len();
    // Step 1: P is every order of the level.
    let mut in_p = vec![true; n];
    let mut shares;
    loop {
        // Step 2.
        let t: u64 = (0..n).filter(|&i| in_p[i]).map(|i| u64::from(orders[i].0)).sum();
        shares = vec![0; n];
        if u64::from(r) >= t {
            for i in (0..n).filter(|&i| in_p[i]) {
                shares[i] = orders[i].0;
            }
        } else {
            for i in (0..n).filter(|&i| in_p[i]) {
                shares[i] = (u128::from(orders[i].0) * u128::from(r) / u128::from(t)) as Qty;
            }
            let mut odd = r - shares.iter().sum::<Qty>();
            for i in (0..n).filter(|&i| in_p[i]) {
                if odd == 0 {
                    break;
                }
                shares[i] += 1;
                odd -= 1;
            }
        }
        // Step 3.
        let short: Vec<usize> = (0..n).filter(|&i| in_p[i] && orders[i].1 && shares[i] < orders[i].0).collect();
        if short.is_empty() {
            break;
        }
        stats.aon_left_out += 1;
        for i in short {
            in_p[i] = false;
        }
    }
    // Step 4.
    let mut left = r - shares.iter().sum::<Qty>();
    for i in (0..n).filter(|&i| !in_p[i]) {
        if orders[i].0 <= left {
            shares[i] = orders[i].0;
            left -= orders[i].0;
            stats.aon_offered_the_rest += 1;
        }
    }
    (shares, left)
}

/// What the model saw happen inside pro-rata allocations.
#[derive(Debug, Default, Clone, Copy)]
struct ModelStats {
    /// Step 3 took AON orders out of `P`.
    aon_left_out: u64,
    /// Step 4 filled an AON order taken out.
    aon_offered_the_rest: u64,
}

/// The naive reference book (see the file docs).
struct Model {
    n_ticks: u32,
    rule: MatchingRule,
    /// Resting orders in time priority, under the ids the real book gave them.
    resting: Vec<(OrderId, RestingOrder)>,
    stats: ModelStats,
}

impl Model {
    fn new(n_ticks: u32, rule: MatchingRule) -> Model {
        Model { n_ticks, rule, resting: Vec::new(), stats: ModelStats::default() }
    }

    /// Indices into `resting` of one side's orders in priority order: better
    /// price first, then (price–size–time) larger remaining quantity, then
    /// time priority (the sort is stable).
    fn queue(&self, side: Side) -> Vec<usize> {
        let mut q: Vec<usize> = (0..self.resting.len()).filter(|&i| self.resting[i].1.side == side).collect();
        q.sort_by_key(|&i| {
            let r = &self.resting[i].1;
            let p = i64::from(r.price);
            let size = if self.rule == MatchingRule::PriceSizeTime { -i64::from(r.remaining) } else { 0 };
            (if side == Side::Buy { -p } else { p }, size)
        });
        q
    }

    fn orders(&self, side: Side) -> Orders {
        self.queue(side).into_iter().map(|i| self.resting[i]).collect()
    }

    /// Which resting orders an aggressor on `side` with `limit` and `qty`
    /// fills, and by how much, in the order of the trades.
    fn matching(&mut self, side: Side, limit: Tick, qty: Qty) -> Vec<(usize, Qty)> {
        match self.rule {
            MatchingRule::PriceTime | MatchingRule::PriceSizeTime => self.greedy(side, limit, qty),
            MatchingRule::ProRata => self.pro_rata(side, limit, qty),
        }
    }

    /// The greedy walk over the opposite queue.
    fn greedy(&self, side: Side, limit: Tick, qty: Qty) -> Vec<(usize, Qty)> {
        let mut left = qty;
        let mut fills = Vec::new();
        for i in self.queue(side.opposite()) {
            let r = &self.resting[i].1;
            if left == 0 || !reaches(side, limit, r.price) {
                break;
            }
            if r.remaining <= left {
                fills.push((i, r.remaining));
                left -= r.remaining;
            } else if !r.all_or_none {
                fills.push((i, left));
                left = 0;
            }
            // Else: an AON order too large for what is left is skipped and
            // keeps its place.
        }
        fills
    }

    /// Pro-rata: the opposite levels in price order, each by [`allocate`].
    fn pro_rata(&mut self, side: Side, limit: Tick, qty: Qty) -> Vec<(usize, Qty)> {
        let queue = self.queue(side.opposite());
        let mut left = qty;
        let mut fills = Vec::new();
        for level in queue.chunk_by(|&a, &b| self.resting[a].1.price == self.resting[b].1.price) {
            if left == 0 || !reaches(side, limit, self.resting[level[0]].1.price) {
                break;
            }
            let orders: Vec<(Qty, bool)> =
                level.iter().map(|&i| (self.resting[i].1.remaining, self.resting[i].1.all_or_none)).collect();
            let (shares, rest) = allocate(left, &orders, &mut self.stats);
            fills.extend(level.iter().zip(shares).filter(|(_, s)| *s > 0).map(|(&i, s)| (i, s)));
            left = rest;
        }
        fills
    }

    /// Trades incoming (or requeued) order `o` against `fills`: the events,
    /// and the lots filled.
    fn trade(&mut self, o: &NewOrder, fills: Vec<(usize, Qty)>, events: &mut Vec<BookEvent>) -> Qty {
        let mut filled = 0;
        for (i, q) in fills {
            let (rid, r) = &mut self.resting[i];
            r.remaining -= q;
            filled += q;
            events.push(BookEvent::Trade {
                price: r.price,
                qty: q,
                aggressor_side: o.side,
                aggressor_owner: o.owner,
                aggressor_tag: o.tag,
                resting_owner: r.owner,
                resting_tag: r.tag,
                resting_id: *rid,
            });
            if r.remaining == 0 {
                events.push(done_of(*rid, r, DoneReason::Filled));
            }
        }
        self.resting.retain(|(_, r)| r.remaining > 0);
        filled
    }

    /// Submits `o`. Ids are the real book's to choose, so `id` (what the book
    /// returned) is adopted if the order rests.
    fn submit(&mut self, o: &NewOrder, id: Option<OrderId>) -> Result<Vec<BookEvent>, RejectReason> {
        if o.qty == 0 {
            return Err(RejectReason::ZeroQuantity);
        }
        if o.kind != OrderKind::Market && o.price >= self.n_ticks {
            return Err(RejectReason::PriceOutOfRange);
        }
        let limit = limit_of(o, self.n_ticks);
        let mut fills = self.matching(o.side, limit, o.qty);
        if o.all_or_none && fills.iter().map(|f| f.1).sum::<Qty>() < o.qty {
            // The dry run would not fill it whole: no trades at all.
            fills.clear();
        }
        let mut events = Vec::new();
        let filled = self.trade(o, fills, &mut events);
        let remaining = o.qty - filled;
        if remaining > 0 && o.kind == OrderKind::Limit {
            let id = id.unwrap_or(OrderId(0));
            let r = RestingOrder {
                side: o.side,
                price: o.price,
                remaining,
                qty: o.qty,
                all_or_none: o.all_or_none,
                owner: o.owner,
                tag: o.tag,
            };
            events.push(BookEvent::Rested { id, side: o.side, price: o.price, remaining, owner: o.owner, tag: o.tag });
            self.resting.push((id, r));
        } else {
            let reason = if remaining == 0 { DoneReason::Filled } else { DoneReason::Unfilled };
            events.push(BookEvent::Done {
                side: o.side,
                price: limit,
                owner: o.owner,
                tag: o.tag,
                qty: o.qty,
                filled,
                reason,
                resting: None,
            });
        }
        Ok(events)
    }

    fn cancel(&mut self, id: OrderId, reason: DoneReason) -> Vec<BookEvent> {
        match self.resting.iter().position(|(rid, _)| *rid == id) {
            Some(i) => {
                let (rid, r) = self.resting.remove(i);
                vec![done_of(rid, &r, reason)]
            }
            None => Vec::new(),
        }
    }

    /// `Book::replace`, as the module docs tell it.
    fn replace(
        &mut self,
        id: OrderId,
        price: Tick,
        remaining: Qty,
    ) -> Result<(Option<OrderId>, Vec<BookEvent>), ReplaceError> {
        let i = self.resting.iter().position(|(rid, _)| *rid == id).ok_or(ReplaceError::UnknownOrder)?;
        if remaining == 0 {
            return Ok((None, self.cancel(id, DoneReason::Cancelled)));
        }
        if price >= self.n_ticks {
            return Err(ReplaceError::PriceOutOfRange);
        }
        let r = self.resting[i].1;
        let qty = (r.qty - r.remaining).checked_add(remaining).ok_or(ReplaceError::QuantityOverflow)?;
        let o = NewOrder {
            side: r.side,
            kind: OrderKind::Limit,
            price,
            qty: remaining,
            all_or_none: r.all_or_none,
            owner: r.owner,
            tag: r.tag,
        };
        let mut events = Vec::new();
        let filled_now = RestingOrder { price, remaining: 0, qty, ..r };
        if price == r.price && remaining <= r.remaining {
            // A reduction: same place in time priority.
            self.resting[i].1.remaining = remaining;
            self.resting[i].1.qty = qty;
            if !r.all_or_none {
                return Ok((Some(id), events));
            }
            // A reduced AON order fills now if it can, whole; else it stays.
            let fills = self.matching(o.side, price, remaining);
            if fills.iter().map(|f| f.1).sum::<Qty>() < remaining {
                return Ok((Some(id), events));
            }
            self.trade(&o, fills, &mut events);
            self.resting.retain(|(rid, _)| *rid != id);
            events.push(done_of(id, &filled_now, DoneReason::Filled));
            return Ok((None, events));
        }
        // Requeued: out of the book, and in again as an incoming limit order
        // would come, under the same id.
        self.resting.remove(i);
        let mut fills = self.matching(o.side, price, remaining);
        if o.all_or_none && fills.iter().map(|f| f.1).sum::<Qty>() < remaining {
            fills.clear();
        }
        let left = remaining - self.trade(&o, fills, &mut events);
        if left == 0 {
            events.push(done_of(id, &filled_now, DoneReason::Filled));
            return Ok((None, events));
        }
        self.resting.push((id, RestingOrder { price, remaining: left, qty, ..r }));
        Ok((Some(id), events))
    }

    fn clear(&mut self, reason: DoneReason) -> Vec<BookEvent> {
        let events = SIDES
            .iter()
            .flat_map(|&s| self.queue(s))
            .map(|i| done_of(self.resting[i].0, &self.resting[i].1, reason))
            .collect();
        self.resting.clear();
        events
    }
}

// ---------------------------------------------------------------------------
// Operations and their generators
// ---------------------------------------------------------------------------

/// Which id a cancel or a replace names.
#[derive(Clone, Debug)]
enum Target {
    /// Any id a submit returned so far: resting, or long gone (stale).
    Returned(Index),
    /// An order resting right now.
    Live(Index),
    /// A returned id with its generation plus one, as its slot has right
    /// after the order leaves: even, so never a valid handle.
    FreedGeneration(Index),
    /// A constant such as `OrderId(0)`, documented as never valid.
    Fixed(OrderId),
}

/// A replace's new price, relative to the order's.
#[derive(Clone, Copy, Debug)]
enum NewPrice {
    Same,
    /// Moved by this many ticks (clamped to the grid).
    Shift(i32),
    /// Anywhere on the grid.
    Any(u32),
    /// `n_ticks`, off the grid.
    OffGrid,
}

/// A replace's new remaining quantity, relative to the order's.
#[derive(Clone, Copy, Debug)]
enum NewQty {
    Zero,
    /// Somewhere in `1..=remaining`.
    Less(Index),
    Same,
    /// Larger by this much.
    More(Qty),
    Any(Qty),
    /// `u32::MAX`: overflows once the order has filled anything.
    Huge,
}

#[derive(Clone, Debug)]
enum Op {
    /// The harness replaces the tag with a fresh one.
    Submit(NewOrder),
    Cancel(Target, DoneReason),
    Replace(Target, NewPrice, NewQty),
    Clear,
}

/// Shape of a family of streams: relative weights (all non-zero, except
/// `replace`: zero leaves replaces out) and ranges.
#[derive(Clone, Copy, Debug)]
struct Mix {
    ticks: (u32, u32),
    max_capacity: usize,
    submit: u32,
    cancel: u32,
    replace: u32,
    clear: u32,
    limit: u32,
    ioc: u32,
    market: u32,
    aon: f64,
}

/// The everyday mixture (no replaces: the price–time tests as they were).
const MIXED: Mix = Mix {
    ticks: (16, 40),
    max_capacity: 64,
    submit: 80,
    cancel: 16,
    replace: 0,
    clear: 1,
    limit: 70,
    ioc: 15,
    market: 8,
    aon: 0.15,
};

/// The everyday mixture with replaces, for every rule.
const WITH_REPLACES: Mix = Mix { cancel: 10, replace: 16, ..MIXED };

fn target() -> impl Strategy<Value = Target> {
    prop_oneof![
        8 => any::<Index>().prop_map(Target::Returned),
        8 => any::<Index>().prop_map(Target::Live),
        1 => any::<Index>().prop_map(Target::FreedGeneration),
        1 => Just(Target::Fixed(OrderId(0))),
        1 => Just(Target::Fixed(OrderId(u64::MAX))),
    ]
}

fn op(n_ticks: u32, mix: Mix) -> BoxedStrategy<Op> {
    let side = prop_oneof![Just(Side::Buy), Just(Side::Sell)];
    let kind = prop_oneof![
        mix.limit => Just(OrderKind::Limit),
        mix.ioc => Just(OrderKind::Ioc),
        mix.market => Just(OrderKind::Market),
    ];
    // Off-grid prices are refused except for market orders, which ignore them.
    let price = prop_oneof![40 => 0..n_ticks, 1 => n_ticks..n_ticks + 3, 1 => Just(u32::MAX)];
    let qty = prop_oneof![40 => 1..=20u32, 1 => Just(0u32)];
    let submit = (side, kind, price, qty, prop::bool::weighted(mix.aon), 0..4u32).prop_map(
        |(side, kind, price, qty, all_or_none, owner)| {
            Op::Submit(NewOrder { side, kind, price, qty, all_or_none, owner, tag: 0 })
        },
    );
    let reason = prop_oneof![3 => Just(DoneReason::Cancelled), 1 => Just(DoneReason::Expired)];
    let cancel = (target(), reason).prop_map(|(t, r)| Op::Cancel(t, r));
    if mix.replace == 0 {
        return prop_oneof![mix.submit => submit, mix.cancel => cancel, mix.clear => Just(Op::Clear)].boxed();
    }
    let new_price = prop_oneof![
        8 => Just(NewPrice::Same),
        6 => (-4..=4i32).prop_map(NewPrice::Shift),
        3 => (0..n_ticks).prop_map(NewPrice::Any),
        1 => Just(NewPrice::OffGrid),
    ];
    let new_qty = prop_oneof![
        2 => Just(NewQty::Zero),
        8 => any::<Index>().prop_map(NewQty::Less),
        2 => Just(NewQty::Same),
        4 => (1..=12u32).prop_map(NewQty::More),
        3 => (1..=20u32).prop_map(NewQty::Any),
        1 => Just(NewQty::Huge),
    ];
    let replace = (target(), new_price, new_qty).prop_map(|(t, p, q)| Op::Replace(t, p, q));
    prop_oneof![mix.submit => submit, mix.cancel => cancel, mix.replace => replace, mix.clear => Just(Op::Clear)]
        .boxed()
}

/// (n_ticks, order capacity, ops).
fn stream(mix: Mix) -> impl Strategy<Value = (u32, usize, Vec<Op>)> {
    (mix.ticks.0..=mix.ticks.1, 0..=mix.max_capacity).prop_flat_map(move |(n_ticks, capacity)| {
        (Just(n_ticks), Just(capacity), prop::collection::vec(op(n_ticks, mix), 1..=MAX_OPS))
    })
}

/// (rule, n_ticks, order capacity, ops): a rule per stream.
fn rule_stream(mix: Mix) -> impl Strategy<Value = (MatchingRule, u32, usize, Vec<Op>)> {
    let rule =
        prop_oneof![Just(MatchingRule::PriceTime), Just(MatchingRule::PriceSizeTime), Just(MatchingRule::ProRata)];
    (rule, stream(mix)).prop_map(|(rule, (n, c, ops))| (rule, n, c, ops))
}

// ---------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------

/// What the events (and replaces) have said so far about one accepted order.
#[derive(Debug)]
struct Account {
    /// Its quantity: as submitted, or as the last replace made it.
    qty: Qty,
    aon: bool,
    /// Set by its `Rested`.
    id: Option<OrderId>,
    traded: Qty,
    done: Option<DoneReason>,
    /// Its time priority while it rests: when it arrived, or was requeued.
    stamp: u64,
}

/// Running sums over all accepted orders.
#[derive(Debug, Default)]
struct Totals {
    submitted: u64,
    /// Lots replaces added to orders, and took away.
    added: u64,
    withdrawn: u64,
    /// Sum of trade quantities (each trade once).
    trades: u64,
    /// Quantity left unfilled when an order ended for each reason.
    cancelled: u64,
    expired: u64,
    unfilled: u64,
}

/// How often the interesting situations came up (for the vacuity checks).
#[derive(Debug, Default, Clone, Copy)]
struct Stats {
    trades: u64,
    multi_level_sweeps: u64,
    partial_resting_fills: u64,
    aon_incoming_filled: u64,
    aon_incoming_declined: u64,
    aon_resting_filled: u64,
    aon_skipped: u64,
    crossed_at_rest: u64,
    market_fills: u64,
    ioc_killed: u64,
    live_cancels: u64,
    stale_cancels: u64,
    clears: u64,
    rejected: u64,
    /// Price–size–time: a trade with an order that arrived after another
    /// still resting at its level.
    size_over_time: u64,
    /// Pro-rata: a matching that partly filled two or more orders of a level.
    shared_levels: u64,
    /// Pro-rata: the model's step 3 and 4 (see `ModelStats`).
    aon_left_out: u64,
    aon_offered_the_rest: u64,
    /// Replaces: a reduction kept in place; requeued (resting after, or
    /// filled); traded; to zero; of stale or forged ids; refused otherwise;
    /// a reduced AON order filled.
    replace_kept: u64,
    replace_requeued: u64,
    replace_traded: u64,
    replace_filled: u64,
    replace_zero: u64,
    replace_stale: u64,
    replace_refused: u64,
    aon_reduction_fills: u64,
}

impl Stats {
    fn fields(&mut self) -> [(&'static str, &mut u64); 26] {
        [
            ("trades", &mut self.trades),
            ("multi-level sweeps", &mut self.multi_level_sweeps),
            ("partial fills of resting orders", &mut self.partial_resting_fills),
            ("incoming AON fills", &mut self.aon_incoming_filled),
            ("incoming AON declined while crossing", &mut self.aon_incoming_declined),
            ("resting AON fills", &mut self.aon_resting_filled),
            ("resting AON orders skipped", &mut self.aon_skipped),
            ("crossed books at rest", &mut self.crossed_at_rest),
            ("market order fills", &mut self.market_fills),
            ("IOC/market remainders killed", &mut self.ioc_killed),
            ("cancels of live orders", &mut self.live_cancels),
            ("cancels of stale or forged ids", &mut self.stale_cancels),
            ("clears of a non-empty book", &mut self.clears),
            ("rejected submits", &mut self.rejected),
            ("trades where size beat time", &mut self.size_over_time),
            ("shared pro-rata levels", &mut self.shared_levels),
            ("AON orders left out of an allocation", &mut self.aon_left_out),
            ("AON orders filled by the rest of a level", &mut self.aon_offered_the_rest),
            ("reductions kept in place", &mut self.replace_kept),
            ("requeued replaces", &mut self.replace_requeued),
            ("replaces that traded", &mut self.replace_traded),
            ("replaces that filled", &mut self.replace_filled),
            ("replaces to zero", &mut self.replace_zero),
            ("replaces of stale or forged ids", &mut self.replace_stale),
            ("refused replaces", &mut self.replace_refused),
            ("reduced AON orders filled", &mut self.aon_reduction_fills),
        ]
    }

    fn add(&mut self, o: &Stats) {
        let mut o = *o;
        for ((_, mine), (_, theirs)) in self.fields().into_iter().zip(o.fields()) {
            *mine += *theirs;
        }
    }
}

struct Harness {
    book: Book,
    model: Model,
    rule: MatchingRule,
    n_ticks: u32,
    /// Indexed by tag; tag 0 and rejected submits have no account.
    accounts: Vec<Option<Account>>,
    /// Every id a submit returned, in order.
    returned: Vec<OrderId>,
    /// Next time stamp.
    clock: u64,
    totals: Totals,
    stats: Stats,
}

/// Runs one price–time stream, checking everything after every operation.
fn run(n_ticks: u32, capacity: usize, ops: &[Op]) -> Result<Stats, TestCaseError> {
    run_rule(MatchingRule::PriceTime, n_ticks, capacity, ops)
}

/// Runs one stream under `rule`, checking everything after every operation.
fn run_rule(rule: MatchingRule, n_ticks: u32, capacity: usize, ops: &[Op]) -> Result<Stats, TestCaseError> {
    let mut h = Harness {
        book: Book::with_rule(n_ticks, capacity, rule),
        model: Model::new(n_ticks, rule),
        rule,
        n_ticks,
        accounts: vec![None],
        returned: Vec::new(),
        clock: 0,
        totals: Totals::default(),
        stats: Stats::default(),
    };
    for (i, op) in ops.iter().enumerate() {
        h.step(op).map_err(|e| TestCaseError::fail(format!("{rule}, op #{i} {op:?}: {e}")))?;
    }
    h.stats.aon_left_out = h.model.stats.aon_left_out;
    h.stats.aon_offered_the_rest = h.model.stats.aon_offered_the_rest;
    Ok(h.stats)
}

impl Harness {
    fn snapshot(&self) -> [Orders; 2] {
        [self.book.orders(Side::Buy), self.book.orders(Side::Sell)]
    }

    fn account(&mut self, tag: u64) -> Result<&mut Account, TestCaseError> {
        self.accounts
            .get_mut(tag as usize)
            .and_then(Option::as_mut)
            .ok_or_else(|| TestCaseError::fail(format!("event names unknown order tag {tag}")))
    }

    fn stamp_of(&self, tag: u64) -> u64 {
        self.accounts.get(tag as usize).and_then(Option::as_ref).map_or(u64::MAX, |a| a.stamp)
    }

    fn resolve(&self, target: &Target, pre: &[Orders; 2]) -> OrderId {
        let live: Vec<OrderId> = pre.iter().flatten().map(|(id, _)| *id).collect();
        match target {
            Target::Returned(i) if !self.returned.is_empty() => self.returned[i.index(self.returned.len())],
            Target::Live(i) if !live.is_empty() => live[i.index(live.len())],
            Target::FreedGeneration(i) if !self.returned.is_empty() => {
                OrderId(self.returned[i.index(self.returned.len())].0 + (1 << 32))
            }
            Target::Fixed(id) => *id,
            _ => OrderId(0),
        }
    }

    /// A replace's price and quantity for the order `r` (if it rests).
    fn replace_terms(&self, r: Option<&RestingOrder>, p: NewPrice, q: NewQty) -> (Tick, Qty) {
        let (price, remaining) = r.map_or((0, 1), |r| (r.price, r.remaining));
        let price = match p {
            NewPrice::Same => price,
            NewPrice::Shift(d) => (i64::from(price) + i64::from(d)).clamp(0, i64::from(self.n_ticks) - 1) as Tick,
            NewPrice::Any(x) => x,
            NewPrice::OffGrid => self.n_ticks,
        };
        let qty = match q {
            NewQty::Zero => 0,
            NewQty::Less(i) => 1 + i.index(remaining as usize) as Qty,
            NewQty::Same => remaining,
            NewQty::More(d) => remaining + d,
            NewQty::Any(x) => x,
            NewQty::Huge => u32::MAX,
        };
        (price, qty)
    }

    fn step(&mut self, op: &Op) -> Check {
        let pre = self.snapshot();
        let mut ev = Vec::new();
        let mut requeued = None;
        match op {
            Op::Submit(o) => {
                let tag = self.accounts.len() as u64;
                let o = NewOrder { tag, ..*o };
                let res = self.book.submit(&o, &mut ev);
                let model = self.model.submit(&o, res.ok().flatten());
                match (res, model) {
                    (Err(e), Err(m)) => {
                        prop_assert_eq!(e, m, "wrong reject reason");
                        prop_assert!(ev.is_empty(), "rejected submit emitted {:?}", ev);
                        prop_assert_eq!(&self.snapshot(), &pre, "rejected submit changed the book");
                        self.accounts.push(None);
                        self.stats.rejected += 1;
                    }
                    (Ok(id), Ok(m)) => {
                        prop_assert_eq!(&ev, &m, "events differ from the model's");
                        self.accounts.push(Some(Account {
                            qty: o.qty,
                            aon: o.all_or_none,
                            id: None,
                            traded: 0,
                            done: None,
                            stamp: u64::MAX,
                        }));
                        self.totals.submitted += u64::from(o.qty);
                        self.returned.extend(id);
                        self.check_submit(&pre, &o, id, &ev)?;
                    }
                    (res, model) => prop_assert!(false, "book says {:?}, model says {:?}", res, model),
                }
            }
            Op::Cancel(target, reason) => {
                let id = self.resolve(target, &pre);
                let found = pre.iter().flatten().find(|(rid, _)| *rid == id).map(|(_, r)| *r);
                let ok = self.book.cancel(id, *reason, &mut ev);
                prop_assert_eq!(ok, found.is_some(), "cancel({:?}) result; resting: {:?}", id, found);
                prop_assert_eq!(&ev, &self.model.cancel(id, *reason), "events differ from the model's");
                let mut expected = pre.clone();
                match found {
                    Some(r) => {
                        prop_assert_eq!(&ev, &vec![done_of(id, &r, *reason)]);
                        expected[r.side as usize].retain(|(rid, _)| *rid != id);
                        self.stats.live_cancels += 1;
                    }
                    None => {
                        prop_assert!(ev.is_empty(), "failed cancel emitted {:?}", ev);
                        self.stats.stale_cancels += 1;
                    }
                }
                prop_assert_eq!(&self.snapshot(), &expected, "cancel left the wrong book");
            }
            Op::Replace(target, p, q) => {
                let id = self.resolve(target, &pre);
                let found = pre.iter().flatten().find(|(rid, _)| *rid == id).map(|(_, r)| *r);
                let (price, remaining) = self.replace_terms(found.as_ref(), *p, *q);
                let res = self.book.replace(id, price, remaining, &mut ev);
                let model = self.model.replace(id, price, remaining);
                match (res, model) {
                    (Err(e), Err(m)) => {
                        prop_assert_eq!(e, m, "wrong replace error");
                        prop_assert!(ev.is_empty(), "refused replace emitted {:?}", ev);
                        prop_assert_eq!(&self.snapshot(), &pre, "refused replace changed the book");
                    }
                    (Ok(r), Ok((m, mev))) => {
                        prop_assert_eq!(r, m, "replace result differs from the model's");
                        prop_assert_eq!(&ev, &mev, "events differ from the model's");
                    }
                    (res, model) => prop_assert!(false, "book says {:?}, model says {:?}", res, model),
                }
                requeued = self.check_replace(&pre, id, found, price, remaining, res, &ev)?;
            }
            Op::Clear => {
                self.book.clear(DoneReason::Expired, &mut ev);
                prop_assert_eq!(&ev, &self.model.clear(DoneReason::Expired), "events differ from the model's");
                // Bids first, then asks, each in priority order.
                let expected: Vec<BookEvent> =
                    pre.iter().flatten().map(|(rid, r)| done_of(*rid, r, DoneReason::Expired)).collect();
                prop_assert_eq!(&ev, &expected);
                self.stats.clears += u64::from(!ev.is_empty());
            }
        }
        self.record(&ev)?;
        if let Some(tag) = requeued {
            // A requeued order that still rests arrived again.
            let stamp = self.clock;
            self.clock += 1;
            self.account(tag)?.stamp = stamp;
        }
        self.check_views()?;
        self.check_accounts()
    }

    /// Model-free checks of one accepted submit's events against the book as
    /// it was before (`pre`).
    fn check_submit(&mut self, pre: &[Orders; 2], o: &NewOrder, id: Option<OrderId>, ev: &[BookEvent]) -> Check {
        let limit = limit_of(o, self.n_ticks);
        let (last, body) = ev.split_last().ok_or_else(|| TestCaseError::fail("accepted submit emitted nothing"))?;
        let filled = self.check_matching(pre, o, limit, body, ev)?;

        // Then the incoming order's own Rested or Done.
        let remaining = o.qty - filled;
        match *last {
            BookEvent::Rested { id: rid, side, price, remaining: rem, owner, tag } => {
                prop_assert_eq!(Some(rid), id, "Rested id differs from the returned one");
                prop_assert!(o.kind == OrderKind::Limit && remaining > 0, "{:?} rested", o);
                prop_assert_eq!((side, price, rem, owner, tag), (o.side, o.price, remaining, o.owner, o.tag));
            }
            BookEvent::Done { .. } => {
                prop_assert_eq!(id, None, "order done on arrival returned an id");
                prop_assert!(remaining == 0 || o.kind != OrderKind::Limit, "limit remainder not rested");
                let reason = if remaining == 0 { DoneReason::Filled } else { DoneReason::Unfilled };
                let done = BookEvent::Done {
                    side: o.side,
                    price: limit,
                    owner: o.owner,
                    tag: o.tag,
                    qty: o.qty,
                    filled,
                    reason,
                    resting: None,
                };
                prop_assert_eq!(*last, done);
                self.stats.ioc_killed += u64::from(remaining > 0 && !o.all_or_none);
            }
            BookEvent::Trade { .. } => prop_assert!(false, "submit's last event is a trade: {:?}", ev),
        }
        self.stats.aon_incoming_filled += u64::from(o.all_or_none && filled > 0);
        self.stats.market_fills += u64::from(o.kind == OrderKind::Market && filled > 0);
        Ok(())
    }

    /// Model-free checks of a matching: `body`, part of `ev`, must be the
    /// trades of aggressor `o` (with effective limit `limit`) against the
    /// opposite side of `pre`, each completing one followed by that order's
    /// `Done`, as the rule orders them. Returns the lots the aggressor filled.
    fn check_matching(
        &mut self,
        pre: &[Orders; 2],
        o: &NewOrder,
        limit: Tick,
        body: &[BookEvent],
        ev: &[BookEvent],
    ) -> Result<Qty, TestCaseError> {
        let greedy = self.rule != MatchingRule::ProRata;
        let opp = &pre[o.side.opposite() as usize];
        let mut filled = 0;
        // Positions in `opp` traded with, and the lots each took.
        let mut traded: Vec<usize> = Vec::new();
        let mut share = vec![0; opp.len()];
        let mut partial = false;
        let mut partials = 0;
        let mut i = 0;
        while i < body.len() {
            let BookEvent::Trade {
                price,
                qty,
                aggressor_side,
                aggressor_owner,
                aggressor_tag,
                resting_owner,
                resting_tag,
                resting_id,
            } = body[i]
            else {
                return Err(TestCaseError::fail(format!("expected a trade, got {:?} in {:?}", body[i], ev)));
            };
            prop_assert!(!greedy || !partial, "trade after a partial fill: {:?}", ev);
            prop_assert_eq!((aggressor_side, aggressor_owner, aggressor_tag), (o.side, o.owner, o.tag));
            let pos = opp.iter().position(|(rid, _)| *rid == resting_id);
            let pos = pos.ok_or_else(|| TestCaseError::fail(format!("trade with a non-resting order: {ev:?}")))?;
            let r = &opp[pos].1;
            // Priority order: matching only moves forward in the queue.
            prop_assert!(traded.last().is_none_or(|&p| p < pos), "trades out of priority order: {:?}", ev);
            prop_assert_eq!((resting_owner, resting_tag), (r.owner, r.tag));
            prop_assert_eq!(price, r.price, "fill not at the resting order's price");
            prop_assert!(reaches(o.side, limit, price), "fill at {} beyond limit {}", price, limit);
            prop_assert!(qty > 0 && qty <= r.remaining, "trade qty {} vs remaining {}", qty, r.remaining);
            if let Some(&p) = traded.last() {
                let prev = opp[p].1.price;
                prop_assert!(!better(o.side.opposite(), price, prev), "sweep prices not monotone: {:?}", ev);
            }
            // An order that arrived after a plain one still waiting at its
            // level (not traded in this matching so far).
            let stamp = self.stamp_of(r.tag);
            let overtook = opp.iter().enumerate().any(|(p, (_, x))| {
                x.price == r.price && !x.all_or_none && self.stamp_of(x.tag) < stamp && !traded.contains(&p)
            });
            self.stats.size_over_time += u64::from(overtook);
            traded.push(pos);
            share[pos] = qty;
            filled += qty;
            if qty == r.remaining {
                i += 1;
                prop_assert_eq!(
                    body.get(i),
                    Some(&done_of(resting_id, &RestingOrder { remaining: 0, ..*r }, DoneReason::Filled)),
                    "completing trade not followed by Done"
                );
                self.stats.aon_resting_filled += u64::from(r.all_or_none);
            } else {
                prop_assert!(!r.all_or_none, "resting AON order partially filled: {:?}", ev);
                partial = true;
                partials += 1;
                self.stats.partial_resting_fills += 1;
            }
            i += 1;
        }
        self.stats.trades += traded.len() as u64;
        if let (Some(&first), Some(&last)) = (traded.first(), traded.last()) {
            self.stats.multi_level_sweeps += u64::from(opp[first].1.price != opp[last].1.price);
        }
        prop_assert!(filled <= o.qty, "overfilled incoming order");
        prop_assert!(!greedy || !partial || filled == o.qty, "partial fill before the aggressor was filled");
        if o.all_or_none {
            prop_assert!(filled == 0 || filled == o.qty, "incoming AON partially filled: {:?}", ev);
        }
        let remaining = o.qty - filled;

        if greedy {
            // No non-AON order was jumped: every one ahead of the last order
            // traded was traded too (and, not being last, in full).
            if let Some(&last_pos) = traded.last() {
                for (p, (_, r)) in opp.iter().enumerate().take(last_pos) {
                    let skipped = !traded.contains(&p);
                    prop_assert!(!skipped || r.all_or_none, "non-AON order {:?} jumped: {:?}", r, ev);
                    self.stats.aon_skipped += u64::from(skipped);
                }
            }
        } else if let Some(&last_pos) = traded.last() {
            // Pro-rata: it moved on from a level only with every non-AON
            // order there filled; at its last level it shared its lots in
            // proportion, within a lot.
            let last_price = opp[last_pos].1.price;
            for (p, (_, r)) in opp.iter().enumerate().take(last_pos) {
                if r.price != last_price {
                    prop_assert!(
                        r.all_or_none || share[p] == r.remaining,
                        "non-AON order {:?} not filled at a level left behind: {:?}",
                        r,
                        ev
                    );
                    self.stats.aon_skipped += u64::from(share[p] == 0);
                }
            }
            let level: Vec<(Qty, Qty)> = (0..opp.len())
                .filter(|&p| opp[p].1.price == last_price && !opp[p].1.all_or_none)
                .map(|p| (share[p], opp[p].1.remaining))
                .collect();
            for &(si, qi) in &level {
                for &(sj, qj) in &level {
                    let (a, b) = (u64::from(si) * u64::from(qj), u64::from(sj) * u64::from(qi));
                    prop_assert!(
                        a.abs_diff(b) < u64::from(qi) + u64::from(qj),
                        "shares {}/{} and {}/{} out of proportion: {:?}",
                        si,
                        qi,
                        sj,
                        qj,
                        ev
                    );
                }
            }
            self.stats.shared_levels += u64::from(partials >= 2);
        }
        let within: Vec<(usize, &RestingOrder)> =
            opp.iter().map(|(_, r)| r).enumerate().filter(|(_, r)| reaches(o.side, limit, r.price)).collect();
        if o.all_or_none && filled == 0 {
            // Declined by the dry run: then the non-AON orders within reach
            // could not fill it (matching takes all of them or ends filled).
            let plain: u64 = within.iter().filter(|(_, r)| !r.all_or_none).map(|(_, r)| u64::from(r.remaining)).sum();
            prop_assert!(plain < u64::from(o.qty), "AON declined with {} non-AON lots within reach", plain);
            self.stats.aon_incoming_declined += u64::from(!within.is_empty());
        } else if remaining > 0 {
            // A remainder is left only behind AON orders too large for it.
            for (p, r) in &within {
                prop_assert!(
                    traded.contains(p) || (r.all_or_none && r.remaining > remaining),
                    "{} lots left unfilled with {:?} within reach",
                    remaining,
                    r
                );
            }
        }
        Ok(filled)
    }

    /// Model-free checks of a replace of `id` (the order `found`, if it
    /// rested) to `price` and `remaining`, which returned `res` and emitted
    /// `ev`; updates the order's account. Returns the tag of a requeued
    /// order that still rests.
    #[allow(clippy::too_many_arguments)]
    fn check_replace(
        &mut self,
        pre: &[Orders; 2],
        id: OrderId,
        found: Option<RestingOrder>,
        price: Tick,
        remaining: Qty,
        res: Result<Option<OrderId>, ReplaceError>,
        ev: &[BookEvent],
    ) -> Result<Option<u64>, TestCaseError> {
        let Some(r) = found else {
            prop_assert_eq!(res, Err(ReplaceError::UnknownOrder));
            self.stats.replace_stale += 1;
            return Ok(None);
        };
        if remaining == 0 {
            prop_assert_eq!(res, Ok(None));
            prop_assert_eq!(ev, &[done_of(id, &r, DoneReason::Cancelled)][..], "replace to zero is not a cancel");
            self.stats.replace_zero += 1;
            return Ok(None);
        }
        let filled_before = r.qty - r.remaining;
        if price >= self.n_ticks || filled_before.checked_add(remaining).is_none() {
            let why =
                if price >= self.n_ticks { ReplaceError::PriceOutOfRange } else { ReplaceError::QuantityOverflow };
            prop_assert_eq!(res, Err(why));
            self.stats.replace_refused += 1;
            return Ok(None);
        }
        let qty = filled_before + remaining;
        let requeued = r.requeues(price, remaining);
        prop_assert_eq!(requeued, price != r.price || remaining > r.remaining);
        // The account takes the new quantity before the trades are recorded.
        let a = self.account(r.tag)?;
        a.qty = qty;
        if remaining > r.remaining {
            self.totals.added += u64::from(remaining - r.remaining);
        } else {
            self.totals.withdrawn += u64::from(r.remaining - remaining);
        }
        if !requeued && ev.is_empty() {
            prop_assert_eq!(res, Ok(Some(id)));
            if r.all_or_none {
                // Its dry run, if it crosses, declined it.
                let o = NewOrder {
                    side: r.side,
                    kind: OrderKind::Limit,
                    price,
                    qty: remaining,
                    all_or_none: true,
                    owner: r.owner,
                    tag: r.tag,
                };
                self.check_matching(pre, &o, price, &[], ev)?;
            }
            let now = self.book.get(id).ok_or_else(|| TestCaseError::fail("reduced order gone"))?;
            prop_assert_eq!(now, RestingOrder { remaining, qty, ..r });
            self.stats.replace_kept += 1;
            return Ok(None);
        }
        // Trades as an incoming limit order (whole, for an AON order), then
        // its Done if it filled.
        let o = NewOrder {
            side: r.side,
            kind: OrderKind::Limit,
            price,
            qty: remaining,
            all_or_none: r.all_or_none,
            owner: r.owner,
            tag: r.tag,
        };
        let done = done_of(id, &RestingOrder { price, remaining: 0, qty, ..r }, DoneReason::Filled);
        let body = match res {
            Ok(None) => {
                prop_assert_eq!(ev.last(), Some(&done), "a replace that filled must end with its Done");
                &ev[..ev.len() - 1]
            }
            _ => ev,
        };
        let traded = self.check_matching(pre, &o, price, body, ev)?;
        self.stats.replace_traded += u64::from(traded > 0);
        if !requeued {
            // Only a reduced AON order trades, and then whole.
            prop_assert!(r.all_or_none && traded == remaining && res == Ok(None), "reduction traded: {:?}", ev);
            self.stats.aon_reduction_fills += 1;
            return Ok(None);
        }
        self.stats.replace_requeued += 1;
        match res {
            Ok(None) => {
                prop_assert_eq!(traded, remaining);
                self.stats.replace_filled += 1;
                Ok(None)
            }
            Ok(Some(rid)) => {
                prop_assert_eq!(rid, id, "a replace keeps the id");
                prop_assert!(traded < remaining);
                let now = self.book.get(id).ok_or_else(|| TestCaseError::fail("requeued order gone"))?;
                prop_assert_eq!(now, RestingOrder { price, remaining: remaining - traded, qty, ..r });
                Ok(Some(r.tag))
            }
            Err(e) => Err(TestCaseError::fail(format!("valid replace refused: {e:?}"))),
        }
    }

    /// Books the events into the accounts: exactly one `Done` per order,
    /// per-order conservation, AON orders never partially filled.
    fn record(&mut self, ev: &[BookEvent]) -> Check {
        let mut aon_traded = Vec::new();
        for e in ev {
            match *e {
                BookEvent::Trade { qty, aggressor_tag, resting_tag, .. } => {
                    self.totals.trades += u64::from(qty);
                    for tag in [aggressor_tag, resting_tag] {
                        let a = self.account(tag)?;
                        prop_assert!(a.done.is_none(), "order {} traded after its Done", tag);
                        a.traded += qty;
                        prop_assert!(a.traded <= a.qty, "order {} overfilled", tag);
                        if a.aon {
                            aon_traded.push(tag);
                        }
                    }
                }
                BookEvent::Rested { id, tag, remaining, .. } => {
                    let stamp = self.clock;
                    self.clock += 1;
                    let a = self.account(tag)?;
                    prop_assert!(a.id.is_none() && a.done.is_none(), "order {} rested twice or after its Done", tag);
                    prop_assert_eq!(remaining, a.qty - a.traded);
                    a.id = Some(id);
                    a.stamp = stamp;
                }
                BookEvent::Done { tag, qty, filled, reason, .. } => {
                    let a = self.account(tag)?;
                    prop_assert!(a.done.is_none(), "second Done for order {}", tag);
                    prop_assert_eq!(qty, a.qty);
                    prop_assert_eq!(filled, a.traded, "Done.filled of order {} disagrees with its trades", tag);
                    prop_assert_eq!(reason == DoneReason::Filled, filled == qty, "order {} done {:?}", tag, reason);
                    // Unfilled is for orders killed on arrival; Cancelled and
                    // Expired for orders taken off the book.
                    prop_assert_eq!(reason == DoneReason::Unfilled, a.id.is_none() && filled < qty);
                    a.done = Some(reason);
                    let left = u64::from(qty - filled);
                    match reason {
                        DoneReason::Filled => {}
                        DoneReason::Cancelled => self.totals.cancelled += left,
                        DoneReason::Expired => self.totals.expired += left,
                        DoneReason::Unfilled => self.totals.unfilled += left,
                    }
                }
            }
        }
        for tag in aon_traded {
            let a = self.account(tag)?;
            prop_assert!(
                a.traded == a.qty && a.done == Some(DoneReason::Filled),
                "AON order {} traded {} of {} in one matching",
                tag,
                a.traded,
                a.qty
            );
        }
        Ok(())
    }

    /// Resting orders versus the model, the rule's priority, the non-crossing
    /// invariant, and the book's other views versus `Book::orders`.
    fn check_views(&mut self) -> Check {
        let sides = self.snapshot();
        let mut buf = vec![(0, 0); self.n_ticks as usize + 1];
        for (&side, list) in SIDES.iter().zip(&sides) {
            prop_assert_eq!(list, &self.model.orders(side), "{:?} orders differ from the model's", side);
            for (id, r) in list {
                prop_assert_eq!(r.side, side);
                prop_assert!(r.remaining > 0 && r.remaining <= r.qty && r.price < self.n_ticks, "bad order {:?}", r);
                prop_assert!(!r.all_or_none || r.remaining == r.qty, "resting AON partially filled: {:?}", r);
                prop_assert_eq!(self.book.get(*id), Some(*r));
            }
            for w in list.windows(2) {
                let (a, b) = (&w[0].1, &w[1].1);
                let earlier = self.stamp_of(a.tag) < self.stamp_of(b.tag);
                let ordered = better(side, a.price, b.price)
                    || (a.price == b.price
                        && match self.rule {
                            MatchingRule::PriceSizeTime => {
                                a.remaining > b.remaining || (a.remaining == b.remaining && earlier)
                            }
                            _ => earlier,
                        });
                prop_assert!(ordered, "{:?} orders out of priority order: {:?} before {:?}", side, a, b);
            }
            let mut levels: Vec<(Tick, u64)> = Vec::new();
            for (_, r) in list {
                match levels.last_mut() {
                    Some((p, q)) if *p == r.price => *q += u64::from(r.remaining),
                    _ => levels.push((r.price, u64::from(r.remaining))),
                }
            }
            let best = match side {
                Side::Buy => self.book.best_bid(),
                Side::Sell => self.book.best_ask(),
            };
            prop_assert_eq!(best, levels.first().map(|l| l.0), "best {:?} price", side);
            let n = self.book.depth(side, &mut buf);
            prop_assert_eq!(&buf[..n], &levels[..], "{:?} depth", side);
            let n = self.book.depth(side, &mut buf[..2]);
            prop_assert_eq!(&buf[..n], &levels[..levels.len().min(2)], "{:?} depth into a short buffer", side);
            for p in (0..self.n_ticks + 2).chain([u32::MAX]) {
                let want = levels.iter().find(|l| l.0 == p).map_or(0, |l| l.1);
                prop_assert_eq!(self.book.qty_at(side, p), want, "{:?} qty_at({})", side, p);
            }
        }
        prop_assert_eq!(self.book.resting_orders(), sides[0].len() + sides[1].len());

        // Crossing pairs: bids best (highest) first, asks best (lowest) first.
        let mut crossed = false;
        for (_, b) in &sides[0] {
            for (_, a) in sides[1].iter().filter(|(_, a)| a.price <= b.price) {
                crossed = true;
                prop_assert!(b.all_or_none || a.all_or_none, "crossed non-AON orders: bid {:?}, ask {:?}", b, a);
                prop_assert!(b.all_or_none || a.remaining > b.remaining, "AON ask {:?} not larger than bid {:?}", a, b);
                prop_assert!(a.all_or_none || b.remaining > a.remaining, "AON bid {:?} not larger than ask {:?}", b, a);
            }
        }
        self.stats.crossed_at_rest += u64::from(crossed);
        Ok(())
    }

    /// Every accepted order is either done or resting under its id, and the
    /// quantities add up.
    fn check_accounts(&self) -> Check {
        let (mut live, mut traded, mut resting) = (0, 0u64, 0u64);
        for (tag, a) in self.accounts.iter().enumerate() {
            let Some(a) = a else { continue };
            traded += u64::from(a.traded);
            match (a.done, a.id) {
                (None, None) => prop_assert!(false, "order {} neither rests nor is done", tag),
                (None, Some(id)) => {
                    let r = self.book.get(id).ok_or_else(|| TestCaseError::fail(format!("order {tag} lost")))?;
                    prop_assert_eq!((r.tag, r.qty, r.remaining), (tag as u64, a.qty, a.qty - a.traded));
                    live += 1;
                    resting += u64::from(r.remaining);
                }
                (Some(_), Some(id)) => {
                    prop_assert_eq!(self.book.get(id), None, "stale id of done order {} still resolves", tag)
                }
                (Some(_), None) => {}
            }
        }
        prop_assert_eq!(live, self.book.resting_orders(), "resting orders versus open accounts");
        let t = &self.totals;
        prop_assert_eq!(traded, 2 * t.trades, "per-order fills versus trades");
        prop_assert_eq!(
            t.submitted + t.added - t.withdrawn,
            traded + t.cancelled + t.expired + t.unfilled + resting,
            "submitted + added - withdrawn = traded + cancelled + expired + unfilled + resting; {:?}, traded {}, resting {}",
            t,
            traded,
            resting
        );
        Ok(())
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
