//! Limit order book: the matching core of the simulator, with its matching
//! rule chosen per book ([`MatchingRule`]: price–time, price–size–time or
//! pro-rata).
//!
//! # Layout
//! Each side keeps a price ladder: one `Level` per tick (queue head/tail,
//! total resting quantity, number of all-or-none orders), a hierarchical
//! bitset of non-empty ticks, and a cached best price. Resting orders live in
//! a preallocated `pool` and are chained into their level's queue, in
//! priority order, by `u32` links. Price–size–time also keeps, per level, the
//! first and last order of each remaining quantity (see `sizes`), and a time
//! stamp per order; pro-rata also keeps each level's orders as an array in
//! time priority (see `prorata`), which its allocations read instead of the
//! links. Price–time pays for neither: every operation tests the rule once
//! and takes the path it always took. Nothing on the submit/cancel path
//! allocates unless more orders rest than the capacity given to
//! [`Book::new`], or (other rules) a level is used for the first time or
//! holds more orders than ever before.
//!
//! # Price, then the rule
//! Under every rule an incoming buy trades against the asks from the lowest
//! price up while the ask is at or below its limit (sells mirror this), one
//! price level after the other, and every fill is at the resting order's
//! price. The [`MatchingRule`] decides what happens within a level.
//!
//! ## Price–time (`price_time`, the default)
//! A level is a queue in time priority: arrival order, where an order
//! re-entered by [`Book::replace`] counts as arriving then. The incoming
//! order walks it from the front, greedily: it takes a resting order whole if
//! that fits in what it has left, fills a larger non-AON order partially and
//! stops there, and skips a resting AON order larger than what it has left
//! (see all-or-none below).
//!
//! ## Price–size–time (`price_size_time`)
//! The same greedy walk over a level queued by *remaining* quantity, largest
//! first, and among equal remaining quantities by time priority. The queue is
//! at all times sorted by the current remaining quantities: a resting order
//! that is partially filled, or reduced by [`Book::replace`], drops behind
//! every order of its level that now has more left, and among the orders of
//! its new quantity it takes its place by time priority, which a partial fill
//! or a reduction does not change. A partial fill of a resting order only
//! ever ends an incoming order's walk, so no walk sees an order move.
//!
//! ## Pro-rata (`pro_rata`)
//! A level is a queue in time priority, as under price–time. An incoming
//! order with `R` lots left shares them among the level's resting orders:
//! 1. Let `P` be all the orders of the level and `T` the sum of their
//!    remaining quantities.
//! 2. If `R >= T`, each order of `P` is allotted its whole remaining
//!    quantity. Otherwise each order `i` of `P` is allotted
//!    `floor(q_i * R / T)` lots, `q_i` being its remaining quantity, and the
//!    lots this rounding down leaves over (`R` less the sum of the floors,
//!    fewer than the orders in `P`) go one each to the first orders of `P` in
//!    time priority. Exactly `R` lots are then allotted, and none beyond an
//!    order's remaining quantity (`R < T` keeps each floor below `q_i`).
//! 3. If some AON orders of `P` were allotted less than their whole remaining
//!    quantity, they all leave `P` (they get nothing) and step 2 runs again
//!    with the same `R` over the smaller `P`, until every AON order left in
//!    `P` is allotted its whole quantity (or `P` is empty).
//! 4. If lots are still unallotted (`R` was at least `P`'s total), the AON
//!    orders that left `P` are offered them in time priority, each taking its
//!    whole quantity if that fits in what is left, and skipped otherwise.
//! 5. The level trades: one trade per order allotted a non-zero quantity, in
//!    time priority. Lots still left go on to the next price level.
//!
//! So an incoming order with at least the level's total fills every order of
//! the level completely (AON ones included) and goes on with the rest; a
//! smaller one is shared out completely within the level. Time only breaks
//! the ties of the rounding. Example: resting 10, 20 and 70 lots (in time
//! priority) and an incoming 15: floors 1, 3 and 10, the 1 lot left goes to
//! the first, so 2, 3 and 10.
//!
//! # All-or-none
//! All-or-none (AON) orders trade their whole quantity in one go or not at
//! all, under every rule:
//! * An incoming AON order is first checked by a dry run of the very same
//!   matching (the greedy walk, or the pro-rata allocation, level by level);
//!   if that would not fill it completely there are no trades (a `Limit` AON
//!   then rests whole, an `Ioc`/`Market` AON is done `Unfilled`).
//! * A resting AON order is never partially filled: the greedy walk skips it
//!   when it is larger than what the incoming order has left (it keeps its
//!   place, and the walk goes on behind it); pro-rata takes it out of the
//!   allocation as in steps 3–4.
//! * Consequence: the book can rest crossed, but only through AON orders.
//!   For every resting bid `b` and ask `a` with `b.price >= a.price`, at least
//!   one of them is AON, and if one of them is not AON, the other (AON) one
//!   has strictly more remaining quantity. Two AON orders may cross with any
//!   sizes, equal ones included: the greedy dry run can take a smaller order
//!   first and then find the equal-sized AON too large for what is left (see
//!   the `aon_equal_sizes_can_cross` test; pro-rata does the same). Among
//!   non-AON orders the book is never crossed.
//!
//! # Replacing an order
//! [`Book::replace`] gives a resting order a new limit price and a new
//! remaining quantity (lots still to trade; its quantity becomes what it had
//! filled plus that). It keeps its id, owner, tag, side and AON flag.
//! * New quantity zero: the order is cancelled, exactly as by
//!   [`Book::cancel`] with [`DoneReason::Cancelled`].
//! * Same price, quantity not larger (a *reduction*): the order keeps its
//!   time priority and its place (under price–size–time it moves by its new
//!   size, as after a partial fill). It does not trade, except that a reduced
//!   AON order that crosses the opposite side is then matched, whole or not
//!   at all, like an incoming AON order: if the dry run says it fills, it
//!   trades and is done `Filled`; if not, it stays where it is.
//! * Anything else (a new price, or a larger quantity): the order is
//!   *requeued* ([`RestingOrder::requeues`]): it leaves its level, loses its
//!   time priority, and re-enters at its new price exactly as an incoming
//!   `Limit` order with its owner, tag and AON flag would (trading if it
//!   crosses), except that it keeps its id and that what remains rests at
//!   the back of its new level without a `Rested` event.
//! * A stale id (or an off-grid price, or a quantity the order's `u32` total
//!   cannot hold) is refused with a [`ReplaceError`], with no events and no
//!   change.
//!
//! A replace adds no kind of event: the caller knows the new terms it asked
//! for (and [`Book::get`] tells the old ones), and the order's later events
//! carry them (the `qty` of its `Done` is the new quantity).
//!
//! # Events
//! Events come in causal order. For an incoming order: its trades (each one
//! that completes a resting order is followed by that order's `Done`), then
//! either `Rested` or its own `Done`. For a replace: the trades it causes,
//! the replaced order being the aggressor (again each completing trade is
//! followed by the resting order's `Done`), then the replaced order's `Done`
//! if it is done; nothing if it still rests. For a cancel: the `Done`. Every
//! accepted order gets exactly one `Done`, and at most one `Rested`.
//! * For `Market` orders the price field is ignored; their `Done` reports the
//!   effective limit used, `n_ticks - 1` for a buy and `0` for a sell.
//! * A zero quantity is refused before the price is looked at.

mod bitset;
mod pool;
mod prorata;
mod rule;
mod sizes;

use bitset::LevelBits;
use pool::{NIL, Pool, Slot};
pub use rule::{MatchingRule, UnknownMatchingRule};
use sizes::Sizes;

/// Price as an index into the book's price grid `[0, n_ticks)`.
pub type Tick = u32;
/// Quantity in lots.
pub type Qty = u32;

/// Which side of the book an order is on; `as usize` indexes per-side arrays
/// (bids 0, asks 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Side {
    /// A bid: wants to buy, trades against the asks.
    Buy = 0,
    /// An ask: wants to sell, trades against the bids.
    Sell = 1,
}

impl Side {
    /// The side an order of this side trades against.
    #[inline]
    pub fn opposite(self) -> Side {
        match self {
            Side::Buy => Side::Sell,
            Side::Sell => Side::Buy,
        }
    }
}

/// What becomes of an order's unfilled remainder, and whether its price counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OrderKind {
    /// Trades up to its limit price; the remainder rests in the book.
    Limit,
    /// Immediate-or-cancel: trades up to its limit price; the remainder is
    /// done [`DoneReason::Unfilled`] at once instead of resting.
    Ioc,
    /// Trades at any price on the grid (its price field is ignored); the
    /// remainder is done [`DoneReason::Unfilled`] at once.
    Market,
}

/// Handle of a resting order: generation << 32 | pool slot, so a stale handle
/// (order already gone) is detected in O(1) without an id hash map.
///
/// Generations of live orders are odd, so no valid handle is ever
/// `OrderId(0)`; callers may use that as a "no order" placeholder. A slot
/// must be reused 2^31 times before one of its old handles could match again.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OrderId(pub u64);

impl OrderId {
    #[inline]
    fn new(slot: u32, generation: u32) -> OrderId {
        OrderId(((generation as u64) << 32) | slot as u64)
    }
    /// The pool slot the order rests in: dense, so callers may keep per-order
    /// data of their own in a vector indexed by it.
    #[inline]
    pub fn slot(self) -> u32 {
        self.0 as u32
    }
    #[inline]
    fn generation(self) -> u32 {
        (self.0 >> 32) as u32
    }
}

/// An incoming order, as handed to [`Book::submit`].
#[derive(Clone, Copy, Debug)]
pub struct NewOrder {
    /// Buy or sell.
    pub side: Side,
    /// Whether a remainder rests, and whether `price` counts.
    pub kind: OrderKind,
    /// Limit price, in ticks of the book's grid; ignored for `Market`.
    pub price: Tick,
    /// Quantity wanted, in lots; zero is refused.
    pub qty: Qty,
    /// Trade the whole quantity in one go or not at all (see the module docs).
    pub all_or_none: bool,
    /// Account that placed the order; the book only carries it into the
    /// events, so the caller can settle trades.
    pub owner: u32,
    /// Caller's own value, carried into every event of the order (the engine
    /// puts the order's serial number here).
    pub tag: u64,
}

/// Why an order's life in the book ended (in [`BookEvent::Done`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DoneReason {
    /// Its whole quantity traded.
    Filled,
    /// Taken out on its owner's request (the caller passes the reason to
    /// [`Book::cancel`] and [`Book::clear`]).
    Cancelled,
    /// Taken out because its time to live ran out or the session closed.
    Expired,
    /// IOC/market remainder (or AON that could not fill) killed on arrival.
    Unfilled,
}

/// Why [`Book::submit`] refused an order outright (no events then).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RejectReason {
    /// The order asked for no lots.
    ZeroQuantity,
    /// The limit price of a `Limit` or `Ioc` order is not below `n_ticks`.
    PriceOutOfRange,
}

/// Why [`Book::replace`] refused a change outright (no events, no change then).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReplaceError {
    /// The id names no resting order (it is done, or was never valid).
    UnknownOrder,
    /// The new price is not below `n_ticks`.
    PriceOutOfRange,
    /// What the order has filled plus the new remaining quantity exceeds
    /// `u32::MAX` lots.
    QuantityOverflow,
}

/// What the book tells its [`EventSink`] as it matches, rests and removes
/// orders, in causal order (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BookEvent {
    /// One execution; always at the resting order's price.
    Trade {
        /// Price traded at (the resting order's), in ticks of the grid.
        price: Tick,
        /// Lots traded.
        qty: Qty,
        /// Side of the incoming order that caused the trade.
        aggressor_side: Side,
        /// Account of the incoming order.
        aggressor_owner: u32,
        /// Caller's tag of the incoming order.
        aggressor_tag: u64,
        /// Account of the resting order.
        resting_owner: u32,
        /// Caller's tag of the resting order.
        resting_tag: u64,
        /// Handle of the resting order (stale once that order is done).
        resting_id: OrderId,
    },
    /// The (remainder of the) incoming order now rests in the book.
    Rested {
        /// Handle to cancel or look the order up by.
        id: OrderId,
        /// Side it rests on.
        side: Side,
        /// Its limit price, in ticks of the grid.
        price: Tick,
        /// Lots left to trade (the original quantity less what traded on arrival).
        remaining: Qty,
        /// Account that placed it.
        owner: u32,
        /// Caller's tag of the order.
        tag: u64,
    },
    /// Final state of an order (incoming or resting): every accepted order
    /// gets exactly one `Done`.
    Done {
        /// The order's side.
        side: Side,
        /// Its limit price in ticks of the grid (for a market order, the
        /// effective limit: `n_ticks - 1` for a buy, 0 for a sell).
        price: Tick,
        /// Account that placed it.
        owner: u32,
        /// Caller's tag of the order.
        tag: u64,
        /// Quantity, in lots: the original one, or after a
        /// [`Book::replace`] what had filled before it plus the new remaining.
        qty: Qty,
        /// Lots that traded over the order's life.
        filled: Qty,
        /// Why it is done.
        reason: DoneReason,
        /// The order's id while it rested in the book; None for an order
        /// done on arrival. A caller that keeps something per resting order
        /// (by [`OrderId::slot`]) finds it here, whatever came before.
        resting: Option<OrderId>,
    },
}

/// Receiver of the book's events; monomorphised into the matching loop, so a
/// sink that folds events into counters costs no dynamic dispatch.
pub trait EventSink {
    /// Takes one event, as it happens.
    fn event(&mut self, ev: BookEvent);
}

impl EventSink for Vec<BookEvent> {
    #[inline]
    fn event(&mut self, ev: BookEvent) {
        self.push(ev);
    }
}

/// Discards every event.
impl EventSink for () {
    #[inline]
    fn event(&mut self, _ev: BookEvent) {}
}

impl<S: EventSink + ?Sized> EventSink for &mut S {
    #[inline]
    fn event(&mut self, ev: BookEvent) {
        (**self).event(ev);
    }
}

/// Snapshot of a resting order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RestingOrder {
    /// Side it rests on.
    pub side: Side,
    /// Its limit price, in ticks of the grid.
    pub price: Tick,
    /// Lots still to trade.
    pub remaining: Qty,
    /// Quantity, in lots: the original one, or after a [`Book::replace`]
    /// what had filled before it plus the new remaining.
    pub qty: Qty,
    /// Whether it only trades its whole remaining quantity at once.
    pub all_or_none: bool,
    /// Account that placed it.
    pub owner: u32,
    /// Caller's tag of the order.
    pub tag: u64,
}

impl RestingOrder {
    /// Whether [`Book::replace`] to `price` and `remaining` would requeue
    /// this order: a new price or a larger remaining quantity, which loses
    /// its time priority and may trade. False for a reduction at the same
    /// price, or no change, which keeps its place (and for zero, a cancel).
    pub fn requeues(&self, price: Tick, remaining: Qty) -> bool {
        remaining != 0 && (price != self.price || remaining > self.remaining)
    }

    fn of(s: &Slot) -> RestingOrder {
        RestingOrder {
            side: s.side,
            price: s.price,
            remaining: s.remaining,
            qty: s.qty,
            all_or_none: s.aon,
            owner: s.owner,
            tag: s.tag,
        }
    }
}

/// Sentinel for "no best price". As an ask it compares above every limit,
/// which lets a buy's crossing test skip the emptiness check.
const NONE: u32 = u32::MAX;

/// One price level of one side.
#[derive(Clone, Copy, Debug)]
struct Level {
    head: u32,
    tail: u32,
    /// AON orders in the level; zero lets a dry run take `total` at once.
    aon: u32,
    /// Price–size–time: the level's table in `sizes`, `NIL` until first
    /// used; it outlives the level's orders. (Otherwise padding.)
    table: u32,
    /// `u64`: many `u32` orders may share a price.
    total: u64,
}

impl Level {
    const EMPTY: Level = Level { head: NIL, tail: NIL, aon: 0, table: NIL, total: 0 };
}

/// Price ladder of one side.
#[derive(Clone, Debug)]
struct Ladder {
    levels: Vec<Level>,
    bits: LevelBits,
    /// Best occupied price or `NONE`.
    best: u32,
}

impl Ladder {
    fn new(n_ticks: u32) -> Ladder {
        Ladder { levels: vec![Level::EMPTY; n_ticks as usize], bits: LevelBits::new(n_ticks), best: NONE }
    }

    /// Next occupied price strictly worse than `p` on a bid (`BID`) or ask
    /// ladder, or `NONE`.
    #[inline]
    fn next_worse<const BID: bool>(&self, p: u32) -> u32 {
        let r = if BID {
            match p.checked_sub(1) {
                Some(q) => self.bits.prev_at_or_below(q),
                None => None,
            }
        } else {
            self.bits.next_at_or_above(p.wrapping_add(1))
        };
        r.unwrap_or(NONE)
    }
}

/// Whether an aggressor (buy if `BUY`) with `limit` trades against opposite
/// best `p` (`NONE` never trades).
#[inline(always)]
fn crosses<const BUY: bool>(p: u32, limit: u32) -> bool {
    if BUY {
        // NONE = u32::MAX exceeds every valid limit.
        p <= limit
    } else {
        p != NONE && p >= limit
    }
}

const BIDS: usize = Side::Buy as usize;
const ASKS: usize = Side::Sell as usize;

/// The rules as const parameters of the matching loop, so that each is
/// compiled on its own and price–time carries no test of the others.
const PT: u8 = MatchingRule::PriceTime as u8;
const PST: u8 = MatchingRule::PriceSizeTime as u8;
const PR: u8 = MatchingRule::ProRata as u8;

/// The order book. See the module documentation for the matching rules.
// `repr(C)` keeps `rule`, which every operation tests first, on the cache
// line of the pool's pointer and length, which every operation reads anyway.
#[derive(Clone, Debug)]
#[repr(C)]
pub struct Book {
    pool: Pool,
    rule: MatchingRule,
    n_ticks: u32,
    /// Indexed by `Side as usize`: bids, asks.
    ladders: [Ladder; 2],
    /// Price–size–time only (empty otherwise): the size groups of each level
    /// and the time stamp of each order.
    sizes: Sizes,
    /// Pro-rata only (empty otherwise): each level's orders as an array.
    queues: prorata::Queues,
    /// Pro-rata only: one level's allocation, reused.
    shares: Vec<prorata::Share>,
    /// Pro-rata only: one level's floors, reused.
    floors: Vec<Qty>,
}

/// The trade of incoming order `o` against the order resting in slot `cur`
/// (`s`), for `qty` lots at the resting price `p`.
#[inline(always)]
fn trade(o: &NewOrder, s: &pool::Slot, cur: u32, p: Tick, qty: Qty) -> BookEvent {
    BookEvent::Trade {
        price: p,
        qty,
        aggressor_side: o.side,
        aggressor_owner: o.owner,
        aggressor_tag: o.tag,
        resting_owner: s.owner,
        resting_tag: s.tag,
        resting_id: OrderId::new(cur, s.generation),
    }
}

/// The `Done` of the resting order `s` (slot `cur`), completely filled.
#[inline(always)]
fn filled(s: &pool::Slot, cur: u32) -> BookEvent {
    BookEvent::Done {
        side: s.side,
        price: s.price,
        owner: s.owner,
        tag: s.tag,
        qty: s.qty,
        filled: s.qty,
        reason: DoneReason::Filled,
        resting: Some(OrderId::new(cur, s.generation)),
    }
}

impl Book {
    /// A price–time book over ticks `[0, n_ticks)` with room for
    /// `order_capacity` resting orders before the pool has to grow; the same
    /// as [`Book::with_rule`] with [`MatchingRule::PriceTime`].
    ///
    /// # Panics
    /// If `n_ticks` is zero or `u32::MAX` (reserved as a sentinel).
    pub fn new(n_ticks: u32, order_capacity: usize) -> Book {
        Book::with_rule(n_ticks, order_capacity, MatchingRule::PriceTime)
    }

    /// A book over ticks `[0, n_ticks)` matching by `rule`, with room for
    /// `order_capacity` resting orders before the pool has to grow.
    ///
    /// # Panics
    /// If `n_ticks` is zero or `u32::MAX` (reserved as a sentinel).
    pub fn with_rule(n_ticks: u32, order_capacity: usize, rule: MatchingRule) -> Book {
        assert!(n_ticks > 0 && n_ticks < u32::MAX, "n_ticks out of range");
        Book {
            n_ticks,
            rule,
            pool: Pool::with_capacity(order_capacity),
            ladders: [Ladder::new(n_ticks), Ladder::new(n_ticks)],
            sizes: Sizes::new(),
            queues: if rule == MatchingRule::ProRata { prorata::Queues::new(n_ticks) } else { prorata::Queues::none() },
            shares: Vec::new(),
            floors: Vec::new(),
        }
    }

    /// Size of the price grid: valid limit prices are `0..n_ticks`.
    pub fn n_ticks(&self) -> u32 {
        self.n_ticks
    }

    /// The rule the book matches by.
    pub fn rule(&self) -> MatchingRule {
        self.rule
    }

    /// Returns Ok(Some(id)) if (a remainder of) the order rests, Ok(None) if
    /// it is done on arrival, Err if refused (no events emitted then).
    #[inline]
    pub fn submit<S: EventSink>(&mut self, order: &NewOrder, sink: &mut S) -> Result<Option<OrderId>, RejectReason> {
        if self.rule != MatchingRule::PriceTime {
            return self.submit_by_rule(order, sink);
        }
        self.submit_rule::<PT, S>(order, sink)
    }

    /// The other rules, out of line so that price–time's inlined path stays
    /// as it was.
    #[cold]
    #[inline(never)]
    fn submit_by_rule<S: EventSink>(&mut self, o: &NewOrder, sink: &mut S) -> Result<Option<OrderId>, RejectReason> {
        match self.rule {
            MatchingRule::PriceTime => self.submit_rule::<PT, S>(o, sink),
            MatchingRule::PriceSizeTime => self.submit_rule::<PST, S>(o, sink),
            MatchingRule::ProRata => self.submit_rule::<PR, S>(o, sink),
        }
    }

    #[inline(always)]
    fn submit_rule<const R: u8, S: EventSink>(
        &mut self,
        order: &NewOrder,
        sink: &mut S,
    ) -> Result<Option<OrderId>, RejectReason> {
        if order.qty == 0 {
            return Err(RejectReason::ZeroQuantity);
        }
        let limit = match (order.kind, order.side) {
            (OrderKind::Market, Side::Buy) => self.n_ticks - 1,
            (OrderKind::Market, Side::Sell) => 0,
            _ if order.price >= self.n_ticks => return Err(RejectReason::PriceOutOfRange),
            _ => order.price,
        };
        Ok(match order.side {
            Side::Buy => self.submit_side::<true, R, S>(order, limit, sink),
            Side::Sell => self.submit_side::<false, R, S>(order, limit, sink),
        })
    }

    #[inline(always)]
    fn submit_side<const BUY: bool, const R: u8, S: EventSink>(
        &mut self,
        o: &NewOrder,
        limit: Tick,
        sink: &mut S,
    ) -> Option<OrderId> {
        let opp = if BUY { ASKS } else { BIDS };
        let mut filled = 0;
        if crosses::<BUY>(self.ladders[opp].best, limit) && (!o.all_or_none || self.can_fill::<BUY, R>(limit, o.qty)) {
            filled = self.take::<BUY, R, S>(o, limit, sink);
        }
        let remaining = o.qty - filled;
        if remaining != 0 && o.kind == OrderKind::Limit {
            return Some(self.rest::<BUY, R, S>(o, remaining, sink));
        }
        sink.event(BookEvent::Done {
            side: o.side,
            price: limit,
            owner: o.owner,
            tag: o.tag,
            qty: o.qty,
            filled,
            reason: if remaining == 0 { DoneReason::Filled } else { DoneReason::Unfilled },
            resting: None,
        });
        None
    }

    /// Dry run of [`Book::take`] for an incoming AON order: whether the same
    /// matching would fill all of `qty`. No change to the book.
    #[inline(never)]
    fn can_fill<const BUY: bool, const R: u8>(&mut self, limit: Tick, qty: Qty) -> bool {
        if R == PR {
            return self.can_fill_pro_rata::<BUY>(limit, qty);
        }
        // The greedy walk, over the queue in whichever order the rule keeps it.
        let ladder = &self.ladders[if BUY { ASKS } else { BIDS }];
        let slots = &self.pool.slots;
        let mut need = qty;
        let mut p = ladder.best;
        while crosses::<BUY>(p, limit) {
            let lvl = &ladder.levels[p as usize];
            if lvl.aon == 0 {
                // No resting order here can be skipped: the walk would take
                // the level's whole quantity or finish inside it.
                if lvl.total >= need as u64 {
                    return true;
                }
                need -= lvl.total as u32;
            } else {
                let mut cur = lvl.head;
                while cur != NIL {
                    let s = &slots[cur as usize];
                    if s.remaining <= need {
                        need -= s.remaining;
                        if need == 0 {
                            return true;
                        }
                    } else if !s.aon {
                        return true;
                    }
                    cur = s.next;
                }
            }
            p = if BUY { ladder.next_worse::<false>(p) } else { ladder.next_worse::<true>(p) };
        }
        false
    }

    /// The pro-rata dry run: the allocation of [`prorata::allocate`], level
    /// by level, as [`Book::take_pro_rata`] would make it.
    fn can_fill_pro_rata<const BUY: bool>(&mut self, limit: Tick, qty: Qty) -> bool {
        let ladder = &self.ladders[if BUY { ASKS } else { BIDS }];
        let mut need = qty;
        let mut p = ladder.best;
        while crosses::<BUY>(p, limit) {
            let lvl = &ladder.levels[p as usize];
            if lvl.aon == 0 {
                // Without AON orders the allocation hands out all it is
                // given up to the level's total: no need to make it.
                if lvl.total >= need as u64 {
                    return true;
                }
                need -= lvl.total as u32;
            } else {
                let level = self.queues.entries(if BUY { ASKS } else { BIDS }, p);
                need = prorata::allocate(lvl, level, &self.pool.slots, need, &mut self.shares);
                if need == 0 {
                    return true;
                }
            }
            p = if BUY { ladder.next_worse::<false>(p) } else { ladder.next_worse::<true>(p) };
        }
        false
    }

    /// Matches an incoming order against the opposite side; returns the
    /// quantity filled. The opposite side must cross at its best price.
    #[inline(always)]
    fn take<const BUY: bool, const R: u8, S: EventSink>(&mut self, o: &NewOrder, limit: Tick, sink: &mut S) -> Qty {
        if R == PR {
            return self.take_pro_rata::<BUY, S>(o, limit, sink);
        }
        // The greedy walk; price–size–time also keeps its size groups.
        let ladder = &mut self.ladders[if BUY { ASKS } else { BIDS }];
        let pool = &mut self.pool;
        let sizes = &mut self.sizes;
        let first = ladder.best;
        let mut p = first;
        let mut rem = o.qty;
        loop {
            let lvl = &mut ladder.levels[p as usize];
            let mut cur = lvl.head;
            while cur != NIL {
                let s = &mut pool.slots[cur as usize];
                let next = s.next;
                if s.remaining <= rem {
                    // Resting order completes (AON or not).
                    let q = s.remaining;
                    rem -= q;
                    lvl.total -= q as u64;
                    lvl.aon -= s.aon as u32;
                    let s = *s;
                    sink.event(trade(o, &s, cur, p, q));
                    sink.event(filled(&s, cur));
                    if R == PST {
                        sizes.unlink(lvl, &mut pool.slots, cur);
                    } else {
                        unlink(lvl, &mut pool.slots, s.prev, next);
                    }
                    pool.free(cur);
                    if rem == 0 {
                        break;
                    }
                } else if !s.aon {
                    // Partial fill of the resting order ends the aggressor.
                    lvl.total -= rem as u64;
                    sink.event(trade(o, s, cur, p, rem));
                    if R == PST {
                        // Fewer lots left: it moves back by its new size.
                        sizes.unlink(lvl, &mut pool.slots, cur);
                        pool.slots[cur as usize].remaining -= rem;
                        sizes.link_again(lvl, &mut pool.slots, cur);
                    } else {
                        s.remaining -= rem;
                    }
                    rem = 0;
                    break;
                }
                // Else: an AON order too large for what is left: skip it.
                cur = next;
            }
            if lvl.head == NIL {
                ladder.bits.clear(p);
            }
            if rem == 0 {
                break;
            }
            p = if BUY { ladder.next_worse::<false>(p) } else { ladder.next_worse::<true>(p) };
            if !crosses::<BUY>(p, limit) {
                break;
            }
        }
        if ladder.levels[first as usize].head == NIL {
            // The first non-empty level left is at or beyond the last one
            // visited, so the search is short.
            ladder.best = if BUY { ladder.next_worse::<false>(first) } else { ladder.next_worse::<true>(first) };
        }
        o.qty - rem
    }

    /// [`Book::take`] under pro-rata: each level's allocation traded in time
    /// priority. A level without AON orders is either taken whole or shared
    /// by step 2 alone, which needs no scratch space; one with AON orders
    /// goes through [`prorata::allocate`].
    #[inline(never)]
    fn take_pro_rata<const BUY: bool, S: EventSink>(&mut self, o: &NewOrder, limit: Tick, sink: &mut S) -> Qty {
        let side = if BUY { ASKS } else { BIDS };
        let ladder = &mut self.ladders[side];
        let pool = &mut self.pool;
        let queues = &mut self.queues;
        let first = ladder.best;
        let mut p = first;
        let mut rem = o.qty;
        while rem != 0 && crosses::<BUY>(p, limit) {
            let lvl = &mut ladder.levels[p as usize];
            if u64::from(rem) >= lvl.total {
                // Everyone in full, AON orders included.
                for e in queues.entries(side, p).iter().filter(|e| e.slot != NIL) {
                    let s = pool.slots[e.slot as usize];
                    sink.event(trade(o, &s, e.slot, p, s.remaining));
                    sink.event(filled(&s, e.slot));
                    pool.free(e.slot);
                }
                rem -= lvl.total as u32;
                *lvl = Level::EMPTY;
                queues.clear_level(side, p);
            } else if lvl.aon == 0 {
                // Step 2 alone: floors, then the odd lots in time priority.
                let per = prorata::Per::new(rem, lvl.total);
                let (entries, holes) = queues.level_mut(side, p);
                // Holes have no quantity, so no floor.
                let floors = &mut self.floors;
                floors.clear();
                floors.extend(entries.iter().map(|e| per.floor(e.remaining)));
                let mut odd = rem - floors.iter().sum::<Qty>();
                for (e, &floor) in entries.iter_mut().zip(floors.iter()).filter(|(e, _)| e.slot != NIL) {
                    let mut share = floor;
                    if odd != 0 {
                        share += 1;
                        odd -= 1;
                    }
                    if share == 0 {
                        continue;
                    }
                    let cur = e.slot;
                    lvl.total -= u64::from(share);
                    if share == e.remaining {
                        let s = pool.slots[cur as usize];
                        sink.event(trade(o, &s, cur, p, share));
                        sink.event(filled(&s, cur));
                        unlink(lvl, &mut pool.slots, s.prev, s.next);
                        pool.free(cur);
                        *e = prorata::Entry::HOLE;
                        *holes += 1;
                    } else {
                        e.remaining -= share;
                        let s = &mut pool.slots[cur as usize];
                        s.remaining = e.remaining;
                        sink.event(trade(o, s, cur, p, share));
                    }
                }
                queues.settle(side, p);
                rem = 0;
            } else {
                let left = prorata::allocate(lvl, queues.entries(side, p), &pool.slots, rem, &mut self.shares);
                for sh in self.shares.iter().filter(|sh| sh.share != 0) {
                    let cur = sh.slot;
                    let s = &mut pool.slots[cur as usize];
                    lvl.total -= u64::from(sh.share);
                    if sh.share == s.remaining {
                        lvl.aon -= s.aon as u32;
                        let s = *s;
                        sink.event(trade(o, &s, cur, p, sh.share));
                        sink.event(filled(&s, cur));
                        unlink(lvl, &mut pool.slots, s.prev, s.next);
                        queues.remove(side, p, cur);
                        pool.free(cur);
                    } else {
                        s.remaining -= sh.share;
                        queues.set_remaining(side, p, cur, s.remaining);
                        sink.event(trade(o, s, cur, p, sh.share));
                    }
                }
                rem = left;
            }
            if lvl.head == NIL {
                ladder.bits.clear(p);
            }
            p = if BUY { ladder.next_worse::<false>(p) } else { ladder.next_worse::<true>(p) };
        }
        if ladder.levels[first as usize].head == NIL {
            ladder.best = if BUY { ladder.next_worse::<false>(first) } else { ladder.next_worse::<true>(first) };
        }
        o.qty - rem
    }

    /// Puts the remainder of an incoming limit order at its place in its level.
    #[inline(always)]
    fn rest<const BUY: bool, const R: u8, S: EventSink>(
        &mut self,
        o: &NewOrder,
        remaining: Qty,
        sink: &mut S,
    ) -> OrderId {
        let price = o.price;
        if R == PST {
            let (idx, generation) = self.pool.alloc(Slot {
                next: NIL,
                prev: NIL,
                generation: 0,
                price,
                remaining,
                qty: o.qty,
                owner: o.owner,
                side: o.side,
                aon: o.all_or_none,
                tag: o.tag,
            });
            self.attach::<PST>(idx);
            let id = OrderId::new(idx, generation);
            sink.event(BookEvent::Rested { id, side: o.side, price, remaining, owner: o.owner, tag: o.tag });
            return id;
        }
        // At the back of the level's queue.
        let ladder = &mut self.ladders[if BUY { BIDS } else { ASKS }];
        let lvl = &mut ladder.levels[price as usize];
        let (idx, generation) = self.pool.alloc(Slot {
            next: NIL,
            prev: lvl.tail,
            generation: 0,
            price,
            remaining,
            qty: o.qty,
            owner: o.owner,
            side: o.side,
            aon: o.all_or_none,
            tag: o.tag,
        });
        if lvl.tail == NIL {
            lvl.head = idx;
            ladder.bits.set(price);
            let better = if BUY { ladder.best == NONE || price > ladder.best } else { price < ladder.best };
            if better {
                ladder.best = price;
            }
        } else {
            self.pool.slots[lvl.tail as usize].next = idx;
        }
        lvl.tail = idx;
        lvl.total += remaining as u64;
        lvl.aon += o.all_or_none as u32;
        if R == PR {
            self.queues.push(o.side as usize, price, idx, remaining);
        }
        let id = OrderId::new(idx, generation);
        sink.event(BookEvent::Rested { id, side: o.side, price, remaining, owner: o.owner, tag: o.tag });
        id
    }

    /// Links the order in slot `idx` (side, price and remaining quantity set,
    /// not in any level) into its level as the latest arrival, at the place
    /// rule `R` gives it.
    fn attach<const R: u8>(&mut self, idx: u32) {
        let s = self.pool.slots[idx as usize];
        let ladder = &mut self.ladders[s.side as usize];
        let lvl = &mut ladder.levels[s.price as usize];
        if lvl.head == NIL {
            ladder.bits.set(s.price);
            let better = match s.side {
                Side::Buy => ladder.best == NONE || s.price > ladder.best,
                Side::Sell => s.price < ladder.best,
            };
            if better {
                ladder.best = s.price;
            }
        }
        if R == PST {
            self.sizes.link_new(lvl, &mut self.pool.slots, idx);
        } else {
            if R == PR {
                self.queues.push(s.side as usize, s.price, idx, s.remaining);
            }
            let slots = &mut self.pool.slots;
            slots[idx as usize].prev = lvl.tail;
            slots[idx as usize].next = NIL;
            if lvl.tail == NIL {
                lvl.head = idx;
            } else {
                slots[lvl.tail as usize].next = idx;
            }
            lvl.tail = idx;
        }
        lvl.total += s.remaining as u64;
        lvl.aon += s.aon as u32;
    }

    /// Takes the resting order in slot `idx` out of its level (the slot stays
    /// allocated, its fields as they were).
    #[inline(always)]
    fn detach_rule<const R: u8>(&mut self, idx: u32) {
        let s = self.pool.slots[idx as usize];
        self.detach_slot::<R>(idx, &s);
    }

    /// [`Book::detach_rule`] given a copy `s` of the slot.
    #[inline(always)]
    fn detach_slot<const R: u8>(&mut self, idx: u32, s: &Slot) {
        let ladder = &mut self.ladders[s.side as usize];
        let p = s.price;
        let lvl = &mut ladder.levels[p as usize];
        lvl.total -= s.remaining as u64;
        lvl.aon -= s.aon as u32;
        match R {
            PST => self.sizes.unlink(lvl, &mut self.pool.slots, idx),
            PR => {
                unlink(lvl, &mut self.pool.slots, s.prev, s.next);
                self.queues.remove(s.side as usize, p, idx);
            }
            _ => unlink(lvl, &mut self.pool.slots, s.prev, s.next),
        }
        if lvl.head == NIL {
            ladder.bits.clear(p);
            if ladder.best == p {
                ladder.best = match s.side {
                    Side::Buy => ladder.next_worse::<true>(p),
                    Side::Sell => ladder.next_worse::<false>(p),
                };
            }
        }
    }

    /// Removes a resting order (reason `Cancelled` or `Expired`) and emits its
    /// `Done`; returns false (no events) if the id is stale/unknown.
    #[inline]
    pub fn cancel<S: EventSink>(&mut self, id: OrderId, reason: DoneReason, sink: &mut S) -> bool {
        if self.rule != MatchingRule::PriceTime {
            return self.cancel_by_rule(id, reason, sink);
        }
        self.cancel_rule::<PT, S>(id, reason, sink)
    }

    /// The other rules, out of line so that price–time's inlined path stays
    /// as it was.
    #[cold]
    #[inline(never)]
    fn cancel_by_rule<S: EventSink>(&mut self, id: OrderId, reason: DoneReason, sink: &mut S) -> bool {
        match self.rule {
            MatchingRule::PriceTime => self.cancel_rule::<PT, S>(id, reason, sink),
            MatchingRule::PriceSizeTime => self.cancel_rule::<PST, S>(id, reason, sink),
            MatchingRule::ProRata => self.cancel_rule::<PR, S>(id, reason, sink),
        }
    }

    #[inline(always)]
    fn cancel_rule<const R: u8, S: EventSink>(&mut self, id: OrderId, reason: DoneReason, sink: &mut S) -> bool {
        let idx = id.slot();
        let Some(&s) = self.pool.lookup(idx, id.generation()) else {
            return false;
        };
        self.detach_slot::<R>(idx, &s);
        self.pool.free(idx);
        sink.event(BookEvent::Done {
            side: s.side,
            price: s.price,
            owner: s.owner,
            tag: s.tag,
            qty: s.qty,
            filled: s.qty - s.remaining,
            reason,
            resting: Some(id),
        });
        true
    }

    /// Changes the resting order `id` to limit price `price` with
    /// `remaining` lots left to trade (see "Replacing an order" in the module
    /// docs for the rules and the events).
    ///
    /// Returns Ok(Some(id)) — the same id — if the order still rests
    /// afterwards, Ok(None) if it is done (cancelled by a zero quantity, or
    /// filled by the trades the change caused), and Err, with no events and
    /// no change, if the id is stale or unknown, or (for a non-zero quantity)
    /// the price is off the grid or the quantity too large.
    pub fn replace<S: EventSink>(
        &mut self,
        id: OrderId,
        price: Tick,
        remaining: Qty,
        sink: &mut S,
    ) -> Result<Option<OrderId>, ReplaceError> {
        let Some(&s) = self.pool.lookup(id.slot(), id.generation()) else {
            return Err(ReplaceError::UnknownOrder);
        };
        if remaining == 0 {
            self.cancel(id, DoneReason::Cancelled, sink);
            return Ok(None);
        }
        if price >= self.n_ticks {
            return Err(ReplaceError::PriceOutOfRange);
        }
        let qty = (s.qty - s.remaining).checked_add(remaining).ok_or(ReplaceError::QuantityOverflow)?;
        let requeued = RestingOrder::of(&s).requeues(price, remaining);
        let (p, r) = (price, remaining);
        Ok(match (s.side, self.rule) {
            (Side::Buy, MatchingRule::PriceTime) => self.replace_side::<true, PT, S>(id, p, r, qty, requeued, sink),
            (Side::Sell, MatchingRule::PriceTime) => self.replace_side::<false, PT, S>(id, p, r, qty, requeued, sink),
            (Side::Buy, MatchingRule::PriceSizeTime) => {
                self.replace_side::<true, PST, S>(id, p, r, qty, requeued, sink)
            }
            (Side::Sell, MatchingRule::PriceSizeTime) => {
                self.replace_side::<false, PST, S>(id, p, r, qty, requeued, sink)
            }
            (Side::Buy, MatchingRule::ProRata) => self.replace_side::<true, PR, S>(id, p, r, qty, requeued, sink),
            (Side::Sell, MatchingRule::ProRata) => self.replace_side::<false, PR, S>(id, p, r, qty, requeued, sink),
        })
    }

    /// [`Book::replace`] of a valid change to a non-zero quantity.
    fn replace_side<const BUY: bool, const R: u8, S: EventSink>(
        &mut self,
        id: OrderId,
        price: Tick,
        remaining: Qty,
        qty: Qty,
        requeued: bool,
        sink: &mut S,
    ) -> Option<OrderId> {
        let idx = id.slot();
        let opp = if BUY { ASKS } else { BIDS };
        let aon = self.pool.slots[idx as usize].aon;
        let trades;
        if requeued {
            // Cancel and resubmit, under the same id.
            self.detach_rule::<R>(idx);
            let s = &mut self.pool.slots[idx as usize];
            (s.price, s.remaining, s.qty) = (price, remaining, qty);
            trades =
                crosses::<BUY>(self.ladders[opp].best, price) && (!aon || self.can_fill::<BUY, R>(price, remaining));
        } else {
            // A reduction in place.
            let lvl = &mut self.ladders[if BUY { BIDS } else { ASKS }].levels[price as usize];
            let old = self.pool.slots[idx as usize].remaining;
            lvl.total -= (old - remaining) as u64;
            if R == PST {
                self.sizes.unlink(lvl, &mut self.pool.slots, idx);
            }
            let s = &mut self.pool.slots[idx as usize];
            (s.remaining, s.qty) = (remaining, qty);
            if R == PST {
                self.sizes.link_again(lvl, &mut self.pool.slots, idx);
            }
            if R == PR {
                self.queues.set_remaining(if BUY { BIDS } else { ASKS }, price, idx, remaining);
            }
            trades = aon && crosses::<BUY>(self.ladders[opp].best, price) && self.can_fill::<BUY, R>(price, remaining);
            if !trades {
                return Some(id);
            }
            self.detach_rule::<R>(idx);
        }
        let s = self.pool.slots[idx as usize];
        let o = NewOrder {
            side: s.side,
            kind: OrderKind::Limit,
            price,
            qty: remaining,
            all_or_none: aon,
            owner: s.owner,
            tag: s.tag,
        };
        let left = remaining - if trades { self.take::<BUY, R, S>(&o, price, sink) } else { 0 };
        if left == 0 {
            self.pool.free(idx);
            sink.event(filled(&s, idx));
            return None;
        }
        self.pool.slots[idx as usize].remaining = left;
        match R {
            PST => self.attach::<PST>(idx),
            PR => self.attach::<PR>(idx),
            _ => self.attach::<PT>(idx),
        }
        Some(id)
    }

    /// Cancels every resting order with the given reason (used at session
    /// close). `Done`s come for the bids first, then the asks, each side in
    /// priority order.
    pub fn clear<S: EventSink>(&mut self, reason: DoneReason, sink: &mut S) {
        for side in [Side::Buy, Side::Sell] {
            let ladder = &mut self.ladders[side as usize];
            let mut p = ladder.best;
            while p != NONE {
                let lvl = &mut ladder.levels[p as usize];
                let mut cur = lvl.head;
                while cur != NIL {
                    let s = self.pool.slots[cur as usize];
                    sink.event(BookEvent::Done {
                        side,
                        price: p,
                        owner: s.owner,
                        tag: s.tag,
                        qty: s.qty,
                        filled: s.qty - s.remaining,
                        reason,
                        resting: Some(OrderId::new(cur, s.generation)),
                    });
                    self.pool.free(cur);
                    cur = s.next;
                }
                match self.rule {
                    MatchingRule::PriceTime => {}
                    MatchingRule::PriceSizeTime => self.sizes.clear_level(lvl),
                    MatchingRule::ProRata => self.queues.clear_level(side as usize, p),
                }
                *lvl = Level { table: lvl.table, ..Level::EMPTY };
                // Bits are reset wholesale below; search before that.
                p = match side {
                    Side::Buy => ladder.next_worse::<true>(p),
                    Side::Sell => ladder.next_worse::<false>(p),
                };
            }
            ladder.bits.clear_all();
            ladder.best = NONE;
        }
    }

    /// Highest price a buy rests at, in ticks of the grid; None with no bids.
    #[inline]
    pub fn best_bid(&self) -> Option<Tick> {
        let b = self.ladders[BIDS].best;
        (b != NONE).then_some(b)
    }

    /// Lowest price a sell rests at, in ticks of the grid; None with no asks.
    #[inline]
    pub fn best_ask(&self) -> Option<Tick> {
        let a = self.ladders[ASKS].best;
        (a != NONE).then_some(a)
    }

    /// Fills `out` with up to out.len() best levels (price, total resting
    /// qty) of a side, best first; returns how many.
    pub fn depth(&self, side: Side, out: &mut [(Tick, u64)]) -> usize {
        let ladder = &self.ladders[side as usize];
        let mut p = ladder.best;
        let mut n = 0;
        while n < out.len() && p != NONE {
            out[n] = (p, ladder.levels[p as usize].total);
            n += 1;
            p = match side {
                Side::Buy => ladder.next_worse::<true>(p),
                Side::Sell => ladder.next_worse::<false>(p),
            };
        }
        n
    }

    /// Total resting quantity of a side at one price (0 off the grid).
    pub fn qty_at(&self, side: Side, price: Tick) -> u64 {
        self.ladders[side as usize].levels.get(price as usize).map_or(0, |l| l.total)
    }

    /// How many orders rest in the book, both sides together.
    #[inline]
    pub fn resting_orders(&self) -> usize {
        self.pool.live()
    }

    /// The resting order behind a handle; None once it is done (a stale
    /// handle), in O(1).
    pub fn get(&self, id: OrderId) -> Option<RestingOrder> {
        self.pool.lookup(id.slot(), id.generation()).map(RestingOrder::of)
    }

    /// Every resting order of a side in priority order (best price first,
    /// FIFO within a price) — for tests and snapshots, may allocate.
    pub fn orders(&self, side: Side) -> Vec<(OrderId, RestingOrder)> {
        let ladder = &self.ladders[side as usize];
        let mut v = Vec::new();
        let mut p = ladder.best;
        while p != NONE {
            let mut cur = ladder.levels[p as usize].head;
            while cur != NIL {
                let s = &self.pool.slots[cur as usize];
                v.push((OrderId::new(cur, s.generation), RestingOrder::of(s)));
                cur = s.next;
            }
            p = match side {
                Side::Buy => ladder.next_worse::<true>(p),
                Side::Sell => ladder.next_worse::<false>(p),
            };
        }
        v
    }
}

/// Detaches the order whose neighbours are `prev`/`next` from `lvl`'s FIFO.
#[inline(always)]
fn unlink(lvl: &mut Level, slots: &mut [Slot], prev: u32, next: u32) {
    if prev == NIL {
        lvl.head = next;
    } else {
        slots[prev as usize].next = next;
    }
    if next == NIL {
        lvl.tail = prev;
    } else {
        slots[next as usize].prev = prev;
    }
}

#[cfg(test)]
mod tests;
