//! Limit order book: the matching core of the simulator, with its matching
//! rule chosen per book ([`MatchingRule`]: price–time, price–size–time or
//! pro-rata).
//!
//! # Layout
//! Each side keeps a price ladder: one `Level` per tick (queue head/tail,
//! total resting quantity, number of all-or-none orders), a hierarchical
//! bitset of non-empty ticks, and a cached best price. Resting orders live in
//! a preallocated `pool` and are chained into their level's queue, in
//! priority order, by `u32` links. Price–size–time queues new orders that way
//! in arrival order, and sorts them into one queue per remaining quantity,
//! indexed per level, when a walk first needs the level's order (see
//! `sizes`); pro-rata also keeps each level's orders as an array in
//! time priority (see `prorata`), which its allocations read instead of the
//! links. Price–time pays for neither: every operation tests the rule once
//! and takes the path it always took. A book whose rule is fixed by its type
//! ([`Rule`]: `Book<PriceTime>` and so on, rather than the default
//! `Book<MatchingRule>`) does not even test it. Nothing on the submit/cancel path
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
mod ladder;
mod orderbook;
mod pool;
mod price_time;
mod prorata;
mod rule;
mod sizes;

pub use orderbook::Book;
use pool::Slot;
pub use rule::{MatchingRule, PriceSizeTime, PriceTime, ProRata, Rule, UnknownMatchingRule};

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

    /// `(buy, sell)` of a trade's two parties given as `(incoming, resting)`,
    /// the incoming order being of this side.
    #[inline]
    pub fn buy_sell<T>(self, incoming: T, resting: T) -> (T, T) {
        match self {
            Side::Buy => (incoming, resting),
            Side::Sell => (resting, incoming),
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
#[non_exhaustive]
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
    Trade(Execution),
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

/// One execution, always at the resting order's price: what
/// [`BookEvent::Trade`] reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Execution {
    /// Price traded at (the resting order's), in ticks of the grid.
    pub price: Tick,
    /// Lots traded.
    pub qty: Qty,
    /// Side of the incoming order that caused the trade.
    pub aggressor_side: Side,
    /// Account of the incoming order.
    pub aggressor_owner: u32,
    /// Caller's tag of the incoming order.
    pub aggressor_tag: u64,
    /// Account of the resting order.
    pub resting_owner: u32,
    /// Caller's tag of the resting order.
    pub resting_tag: u64,
    /// Handle of the resting order (stale once that order is done).
    pub resting_id: OrderId,
}

impl Execution {
    /// The buyer's and the seller's `(account, tag)`, in that order,
    /// whichever of them was the incoming order.
    #[inline]
    pub fn parties(&self) -> ((u32, u64), (u32, u64)) {
        self.aggressor_side.buy_sell((self.aggressor_owner, self.aggressor_tag), (self.resting_owner, self.resting_tag))
    }
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

/// The trade of incoming order `o` against the order resting in slot `cur`
/// (`s`), for `qty` lots at the resting price `p`.
#[inline(always)]
fn trade(o: &NewOrder, s: &Slot, cur: u32, p: Tick, qty: Qty) -> BookEvent {
    BookEvent::Trade(Execution {
        price: p,
        qty,
        aggressor_side: o.side,
        aggressor_owner: o.owner,
        aggressor_tag: o.tag,
        resting_owner: s.owner,
        resting_tag: s.tag,
        resting_id: OrderId::new(cur, s.generation),
    })
}

/// The `Done` of the resting order `s` (slot `cur`), completely filled.
#[inline(always)]
fn filled(s: &Slot, cur: u32) -> BookEvent {
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

#[cfg(test)]
mod tests;
