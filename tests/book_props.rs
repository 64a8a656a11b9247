//! Property tests of the matching core, `tplus::book::Book`, over random
//! streams of submits (limit, IOC and market, on both sides, some all-or-none,
//! a few invalid), cancels (of live, stale and forged ids) and clears, on
//! small price grids where crossings are frequent.
//!
//! Every stream runs in lockstep against the book and against [`Model`], a
//! reference book written for obviousness rather than speed: after every
//! operation both must have emitted the same events and hold the same resting
//! orders in the same order. The model is trustworthy because it is a direct
//! transcription of the rules in the `tplus::book` module docs and shares none
//! of the machinery where the real book's bugs could hide. It keeps resting
//! orders in one `Vec` in arrival order and recomputes a side's queue by a
//! stable sort on price whenever it needs it, so price–time priority holds by
//! construction; an incoming order walks that queue with the greedy rule (take
//! a resting order whole if it fits, fill a non-AON one partially and stop,
//! skip an AON one that is too large); and the AON dry run *is* that very walk,
//! its result thrown away if it would not fill the order. No levels, links,
//! bitsets, free lists, generations or cached best prices.
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
//!    its `Done`, or to what it no longer has resting) and overall: submitted
//!    = traded + cancelled + expired + unfilled + resting, where each trade
//!    counts once for the aggressor and once for the resting order;
//! 3. price–time priority: events and resting orders equal the model's; and,
//!    independently, a sweep visits resting orders in the book's priority
//!    order, never jumps a non-AON order, fills at the resting order's price,
//!    never beyond the aggressor's limit, at monotone prices, and leaves
//!    behind (when not filled) only AON orders too large for its remainder;
//! 4. an AON order, incoming or resting, trades its whole quantity within one
//!    incoming order's matching and is then done `Filled`, or never trades;
//! 5. every accepted order gets exactly one `Done`, after all its trades;
//!    a submit's events are its trades (each completing one followed by the
//!    resting order's `Done`), then its own `Rested` or `Done`; cancels of
//!    stale or forged ids return false and emit nothing; rejected submits
//!    (zero quantity, price off the grid) emit nothing and change nothing;
//! 6. `best_bid`, `best_ask`, `depth`, `qty_at`, `resting_orders` and `get`
//!    agree with `Book::orders`.
//!
//! `stream_generators_reach_the_interesting_cases` guards against vacuity:
//! it runs a fixed-seed sample of streams and asserts that AON skips, crossed
//! books at rest, declined AON dry runs, stale cancels and so on all occur.
//!
//! Failure persistence is off so that a failing run leaves no files behind;
//! a failure prints the shrunk op stream, which is the reproduction.

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::strategy::ValueTree;
use proptest::test_runner::{TestCaseError, TestRunner};
use tplus::book::{
    Book, BookEvent, DoneReason, NewOrder, OrderId, OrderKind, Qty, RejectReason, RestingOrder, Side, Tick,
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

// ---------------------------------------------------------------------------
// Reference model
// ---------------------------------------------------------------------------

/// The naive reference book (see the file docs).
struct Model {
    n_ticks: u32,
    /// Resting orders in arrival order, under the ids the real book gave them.
    resting: Vec<(OrderId, RestingOrder)>,
}

impl Model {
    fn new(n_ticks: u32) -> Model {
        Model { n_ticks, resting: Vec::new() }
    }

    /// Indices into `resting` of one side's orders in priority order: better
    /// price first, then arrival (the sort is stable).
    fn queue(&self, side: Side) -> Vec<usize> {
        let mut q: Vec<usize> = (0..self.resting.len()).filter(|&i| self.resting[i].1.side == side).collect();
        q.sort_by_key(|&i| {
            let p = i64::from(self.resting[i].1.price);
            if side == Side::Buy { -p } else { p }
        });
        q
    }

    fn orders(&self, side: Side) -> Orders {
        self.queue(side).into_iter().map(|i| self.resting[i]).collect()
    }

    /// The greedy walk of an aggressor on `side` with `limit` and `qty` over
    /// the opposite queue: which resting orders it fills, and by how much.
    fn walk(&self, side: Side, limit: Tick, qty: Qty) -> Vec<(usize, Qty)> {
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

    /// Submits `o`. Ids are the real book's to choose, so `id` (what the book
    /// returned) is adopted if the order rests.
    fn submit(&mut self, o: &NewOrder, id: Option<OrderId>) -> Result<Vec<BookEvent>, RejectReason> {
        if o.qty == 0 {
            return Err(RejectReason::ZeroQuantity);
        }
        let limit = match (o.kind, o.side) {
            (OrderKind::Market, Side::Buy) => self.n_ticks - 1,
            (OrderKind::Market, Side::Sell) => 0,
            _ if o.price >= self.n_ticks => return Err(RejectReason::PriceOutOfRange),
            _ => o.price,
        };
        let mut fills = self.walk(o.side, limit, o.qty);
        if o.all_or_none && fills.iter().map(|f| f.1).sum::<Qty>() < o.qty {
            // The dry run would not fill it whole: no trades at all.
            fills.clear();
        }
        let mut events = Vec::new();
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

/// Which id a cancel names.
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

#[derive(Clone, Debug)]
enum Op {
    /// The harness replaces the tag with a fresh one.
    Submit(NewOrder),
    Cancel(Target, DoneReason),
    Clear,
}

/// Shape of a family of streams: relative weights (all non-zero) and ranges.
#[derive(Clone, Copy, Debug)]
struct Mix {
    ticks: (u32, u32),
    max_capacity: usize,
    submit: u32,
    cancel: u32,
    clear: u32,
    limit: u32,
    ioc: u32,
    market: u32,
    aon: f64,
}

/// The everyday mixture.
const MIXED: Mix = Mix {
    ticks: (16, 40),
    max_capacity: 64,
    submit: 80,
    cancel: 16,
    clear: 1,
    limit: 70,
    ioc: 15,
    market: 8,
    aon: 0.15,
};

fn op(n_ticks: u32, mix: Mix) -> impl Strategy<Value = Op> {
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
    let target = prop_oneof![
        8 => any::<Index>().prop_map(Target::Returned),
        8 => any::<Index>().prop_map(Target::Live),
        1 => any::<Index>().prop_map(Target::FreedGeneration),
        1 => Just(Target::Fixed(OrderId(0))),
        1 => Just(Target::Fixed(OrderId(u64::MAX))),
    ];
    let reason = prop_oneof![3 => Just(DoneReason::Cancelled), 1 => Just(DoneReason::Expired)];
    let cancel = (target, reason).prop_map(|(t, r)| Op::Cancel(t, r));
    prop_oneof![mix.submit => submit, mix.cancel => cancel, mix.clear => Just(Op::Clear)]
}

/// (n_ticks, order capacity, ops).
fn stream(mix: Mix) -> impl Strategy<Value = (u32, usize, Vec<Op>)> {
    (mix.ticks.0..=mix.ticks.1, 0..=mix.max_capacity).prop_flat_map(move |(n_ticks, capacity)| {
        (Just(n_ticks), Just(capacity), prop::collection::vec(op(n_ticks, mix), 1..=MAX_OPS))
    })
}

// ---------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------

/// What the events have said so far about one accepted order.
#[derive(Debug)]
struct Account {
    qty: Qty,
    aon: bool,
    /// Set by its `Rested`.
    id: Option<OrderId>,
    traded: Qty,
    done: Option<DoneReason>,
}

/// Running sums over all accepted orders.
#[derive(Debug, Default)]
struct Totals {
    submitted: u64,
    /// Sum of trade quantities (each trade once).
    trades: u64,
    /// Quantity left unfilled when an order ended for each reason.
    cancelled: u64,
    expired: u64,
    unfilled: u64,
}

/// How often the interesting situations came up (for the vacuity check).
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
}

impl Stats {
    fn add(&mut self, o: &Stats) {
        let fields = [
            (&mut self.trades, o.trades),
            (&mut self.multi_level_sweeps, o.multi_level_sweeps),
            (&mut self.partial_resting_fills, o.partial_resting_fills),
            (&mut self.aon_incoming_filled, o.aon_incoming_filled),
            (&mut self.aon_incoming_declined, o.aon_incoming_declined),
            (&mut self.aon_resting_filled, o.aon_resting_filled),
            (&mut self.aon_skipped, o.aon_skipped),
            (&mut self.crossed_at_rest, o.crossed_at_rest),
            (&mut self.market_fills, o.market_fills),
            (&mut self.ioc_killed, o.ioc_killed),
            (&mut self.live_cancels, o.live_cancels),
            (&mut self.stale_cancels, o.stale_cancels),
            (&mut self.clears, o.clears),
            (&mut self.rejected, o.rejected),
        ];
        for (mine, theirs) in fields {
            *mine += theirs;
        }
    }
}

struct Harness {
    book: Book,
    model: Model,
    n_ticks: u32,
    /// Indexed by tag; tag 0 and rejected submits have no account.
    accounts: Vec<Option<Account>>,
    /// Every id a submit returned, in order.
    returned: Vec<OrderId>,
    totals: Totals,
    stats: Stats,
}

/// Runs one stream, checking everything after every operation.
fn run(n_ticks: u32, capacity: usize, ops: &[Op]) -> Result<Stats, TestCaseError> {
    let mut h = Harness {
        book: Book::new(n_ticks, capacity),
        model: Model::new(n_ticks),
        n_ticks,
        accounts: vec![None],
        returned: Vec::new(),
        totals: Totals::default(),
        stats: Stats::default(),
    };
    for (i, op) in ops.iter().enumerate() {
        h.step(op).map_err(|e| TestCaseError::fail(format!("op #{i} {op:?}: {e}")))?;
    }
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

    fn step(&mut self, op: &Op) -> Check {
        let pre = self.snapshot();
        let mut ev = Vec::new();
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
        self.check_views()?;
        self.check_accounts()
    }

    /// Model-free checks of one accepted submit's events against the book as
    /// it was before (`pre`).
    fn check_submit(&mut self, pre: &[Orders; 2], o: &NewOrder, id: Option<OrderId>, ev: &[BookEvent]) -> Check {
        let limit = match (o.kind, o.side) {
            (OrderKind::Market, Side::Buy) => self.n_ticks - 1,
            (OrderKind::Market, Side::Sell) => 0,
            _ => o.price,
        };
        let opp = &pre[o.side.opposite() as usize];
        let (last, body) = ev.split_last().ok_or_else(|| TestCaseError::fail("accepted submit emitted nothing"))?;

        // Trades, each completing one followed by that order's Done.
        let mut filled = 0;
        let mut traded: Vec<usize> = Vec::new();
        let mut partial = false;
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
            prop_assert!(!partial, "trade after a partial fill: {:?}", ev);
            prop_assert_eq!((aggressor_side, aggressor_owner, aggressor_tag), (o.side, o.owner, o.tag));
            let pos = opp.iter().position(|(rid, _)| *rid == resting_id);
            let pos = pos.ok_or_else(|| TestCaseError::fail(format!("trade with a non-resting order: {ev:?}")))?;
            let r = &opp[pos].1;
            // Priority order: the walk only moves forward in the queue.
            prop_assert!(traded.last().is_none_or(|&p| p < pos), "trades out of priority order: {:?}", ev);
            prop_assert_eq!((resting_owner, resting_tag), (r.owner, r.tag));
            prop_assert_eq!(price, r.price, "fill not at the resting order's price");
            prop_assert!(reaches(o.side, limit, price), "fill at {} beyond limit {}", price, limit);
            prop_assert!(qty > 0 && qty <= r.remaining, "trade qty {} vs remaining {}", qty, r.remaining);
            if let Some(&p) = traded.last() {
                let prev = opp[p].1.price;
                prop_assert!(!better(o.side.opposite(), price, prev), "sweep prices not monotone: {:?}", ev);
            }
            traded.push(pos);
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
                self.stats.partial_resting_fills += 1;
            }
            i += 1;
        }
        self.stats.trades += traded.len() as u64;
        if let (Some(&first), Some(&last)) = (traded.first(), traded.last()) {
            self.stats.multi_level_sweeps += u64::from(opp[first].1.price != opp[last].1.price);
        }
        prop_assert!(filled <= o.qty, "overfilled incoming order");
        prop_assert!(!partial || filled == o.qty, "partial fill of a resting order before the aggressor was filled");
        if o.all_or_none {
            prop_assert!(filled == 0 || filled == o.qty, "incoming AON partially filled: {:?}", ev);
        }

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

        // No non-AON order was jumped: every one ahead of the last order
        // traded was traded too (and, not being last, in full).
        if let Some(&last_pos) = traded.last() {
            for (p, (_, r)) in opp.iter().enumerate().take(last_pos) {
                let skipped = !traded.contains(&p);
                prop_assert!(!skipped || r.all_or_none, "non-AON order {:?} jumped: {:?}", r, ev);
                self.stats.aon_skipped += u64::from(skipped);
            }
        }
        let within: Vec<(usize, &RestingOrder)> =
            opp.iter().map(|(_, r)| r).enumerate().filter(|(_, r)| reaches(o.side, limit, r.price)).collect();
        if o.all_or_none && filled == 0 {
            // Declined by the dry run: then the non-AON orders within reach
            // could not fill it (the walk takes all of them or ends filled).
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
        self.stats.aon_incoming_filled += u64::from(o.all_or_none && filled > 0);
        self.stats.market_fills += u64::from(o.kind == OrderKind::Market && filled > 0);
        Ok(())
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
                    let a = self.account(tag)?;
                    prop_assert!(a.id.is_none() && a.done.is_none(), "order {} rested twice or after its Done", tag);
                    prop_assert_eq!(remaining, a.qty - a.traded);
                    a.id = Some(id);
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

    /// Resting orders versus the model, the non-crossing invariant, and the
    /// book's other views versus `Book::orders`.
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
                let ordered = better(side, a.price, b.price) || (a.price == b.price && a.tag < b.tag);
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
            for (_, a) in sides[1].iter().take_while(|(_, a)| a.price <= b.price) {
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
            t.submitted,
            traded + t.cancelled + t.expired + t.unfilled + resting,
            "submitted = traded + cancelled + expired + unfilled + resting; {:?}, traded {}, resting {}",
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
}

/// The generators must actually produce the situations the properties are
/// about; otherwise they would pass vacuously.
#[test]
fn stream_generators_reach_the_interesting_cases() {
    let mut runner = TestRunner::deterministic();
    let mut total = Stats::default();
    for mix in [MIXED, Mix { aon: 0.5, ..MIXED }] {
        let strategy = stream(mix);
        for _ in 0..64 {
            let (n_ticks, capacity, ops) = strategy.new_tree(&mut runner).expect("generate").current();
            total.add(&run(n_ticks, capacity, &ops).expect("properties hold"));
        }
    }
    let Stats {
        trades,
        multi_level_sweeps,
        partial_resting_fills,
        aon_incoming_filled,
        aon_incoming_declined,
        aon_resting_filled,
        aon_skipped,
        crossed_at_rest,
        market_fills,
        ioc_killed,
        live_cancels,
        stale_cancels,
        clears,
        rejected,
    } = total;
    for (what, n) in [
        ("trades", trades),
        ("multi-level sweeps", multi_level_sweeps),
        ("partial fills of resting orders", partial_resting_fills),
        ("incoming AON fills", aon_incoming_filled),
        ("incoming AON declined while crossing", aon_incoming_declined),
        ("resting AON fills", aon_resting_filled),
        ("resting AON orders skipped", aon_skipped),
        ("crossed books at rest", crossed_at_rest),
        ("market order fills", market_fills),
        ("IOC/market remainders killed", ioc_killed),
        ("cancels of live orders", live_cancels),
        ("cancels of stale or forged ids", stale_cancels),
        ("clears of a non-empty book", clears),
        ("rejected submits", rejected),
    ] {
        assert!(n >= 10, "only {n} {what} in the sample: {total:?}");
    }
}
