//! The book itself: its state, and the operations callers see, each run
//! under the book's matching rule.

use super::ladder::{ASKS, BIDS, Ladder, Level, NONE, crosses};
use super::pool::{NIL, Pool, Slot};
use super::price_time::unlink;
use super::prorata;
use super::sizes::Sizes;
use super::*;

/// The rules as const parameters of the matching loop, so that each is
/// compiled on its own and price–time carries no test of the others.
pub(super) const PT: u8 = MatchingRule::PriceTime as u8;
pub(super) const PST: u8 = MatchingRule::PriceSizeTime as u8;
pub(super) const PR: u8 = MatchingRule::ProRata as u8;

/// The order book. See the module documentation for the matching rules.
// `repr(C)` keeps `rule`, which every operation tests first, on the cache
// line of the pool's pointer and length, which every operation reads anyway.
#[derive(Clone, Debug)]
#[repr(C)]
pub struct Book<K: Rule = MatchingRule> {
    pub(super) pool: Pool,
    pub(super) rule: K,
    pub(super) n_ticks: u32,
    /// Indexed by `Side as usize`: bids, asks.
    pub(super) ladders: [Ladder; 2],
    /// Price–size–time only (empty otherwise): the size groups of each level
    /// and the time stamp of each order.
    pub(super) sizes: Sizes,
    /// Pro-rata only (empty otherwise): each level's orders as an array.
    pub(super) queues: prorata::Queues,
    /// Pro-rata only: one level's allocation, reused.
    pub(super) shares: Vec<prorata::Share>,
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
}

impl<K: Rule> Book<K> {
    /// A book over ticks `[0, n_ticks)` matching by `rule`, with room for
    /// `order_capacity` resting orders before the pool has to grow.
    ///
    /// # Panics
    /// If `n_ticks` is zero or `u32::MAX` (reserved as a sentinel).
    pub fn with_rule(n_ticks: u32, order_capacity: usize, rule: K) -> Book<K> {
        assert!(n_ticks > 0 && n_ticks < u32::MAX, "n_ticks out of range");
        Book {
            n_ticks,
            rule,
            pool: Pool::with_capacity(order_capacity),
            ladders: [Ladder::new(n_ticks), Ladder::new(n_ticks)],
            sizes: Sizes::new(),
            queues: prorata::Queues::default(),
            shares: Vec::new(),
        }
    }

    /// Size of the price grid: valid limit prices are `0..n_ticks`.
    pub fn n_ticks(&self) -> u32 {
        self.n_ticks
    }

    /// The rule the book matches by.
    pub fn rule(&self) -> MatchingRule {
        self.rule.rule()
    }

    /// Returns Ok(Some(id)) if (a remainder of) the order rests, Ok(None) if
    /// it is done on arrival, Err if refused (no events emitted then).
    #[inline]
    pub fn submit<S: EventSink>(&mut self, order: &NewOrder, sink: &mut S) -> Result<Option<OrderId>, RejectReason> {
        match self.rule.rule() {
            MatchingRule::PriceTime => self.submit_rule::<PT, S>(order, sink),
            MatchingRule::ProRata => self.submit_rule::<PR, S>(order, sink),
            MatchingRule::PriceSizeTime => self.submit_by_rule(order, sink),
        }
    }

    /// Price–size–time, out of line so that the inlined paths of the other
    /// two rules stay as they were.
    #[cold]
    #[inline(never)]
    fn submit_by_rule<S: EventSink>(&mut self, o: &NewOrder, sink: &mut S) -> Result<Option<OrderId>, RejectReason> {
        self.submit_rule::<PST, S>(o, sink)
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
    /// Puts the remainder of an incoming limit order at its place in its
    /// level: at the back of the level's queue (price–size–time: of its
    /// arrival queue, though the level may hold sorted orders while that
    /// queue is empty; pro-rata: of the level's array, its only queue).
    #[inline(always)]
    pub(super) fn rest<const BUY: bool, const R: u8, S: EventSink>(
        &mut self,
        o: &NewOrder,
        remaining: Qty,
        sink: &mut S,
    ) -> OrderId {
        let price = o.price;
        let ladder = &mut self.ladders[if BUY { BIDS } else { ASKS }];
        let lvl = &mut ladder.levels[price as usize];
        // Price–time's queue is empty exactly when its tail is NIL, the
        // test the link below makes anyway.
        let was_empty = if R == PT { lvl.tail == NIL } else { lvl.is_empty::<R>() };
        let (idx, slot) = self.pool.alloc();
        slot.next = NIL;
        slot.prev = if R == PR { NIL } else { lvl.tail };
        slot.price = price;
        slot.remaining = remaining;
        slot.qty = o.qty;
        slot.owner = o.owner;
        slot.side = o.side;
        slot.aon = o.all_or_none;
        slot.grouped = false;
        slot.tag = o.tag;
        let generation = slot.generation;
        if R == PR {
            let t = self.queues.table_of(lvl);
            self.queues.push(t, idx, generation, remaining, o.owner, o.tag);
        } else {
            if lvl.tail == NIL {
                lvl.head = idx;
            } else {
                self.pool.slots[lvl.tail as usize].next = idx;
            }
            lvl.tail = idx;
        }
        lvl.total += remaining as u64;
        lvl.aon += o.all_or_none as u32;
        if was_empty {
            ladder.occupy(price, BUY);
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
        if lvl.is_empty::<R>() {
            ladder.occupy(s.price, s.side == Side::Buy);
        }
        let lvl = &mut ladder.levels[s.price as usize];
        if R == PR {
            let t = self.queues.table_of(lvl);
            self.queues.push(t, idx, s.generation, s.remaining, s.owner, s.tag);
        } else {
            // At the back of the queue (price-size-time: of the arrival queue).
            let slots = &mut self.pool.slots;
            slots[idx as usize].prev = lvl.tail;
            slots[idx as usize].next = NIL;
            slots[idx as usize].grouped = false;
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
        let s = self.current::<R>(idx, self.pool.slots[idx as usize]);
        self.detach_slot::<R>(idx, &s);
    }

    /// [`Book::detach_rule`] given a copy `s` of the slot, its remaining
    /// quantity current ([`Book::current`]).
    #[inline(always)]
    fn detach_slot<const R: u8>(&mut self, idx: u32, s: &Slot) {
        let ladder = &mut self.ladders[s.side as usize];
        let p = s.price;
        let lvl = &mut ladder.levels[p as usize];
        lvl.total -= s.remaining as u64;
        lvl.aon -= s.aon as u32;
        match R {
            PST if s.grouped => self.sizes.remove(lvl, &mut self.pool.slots, idx, s.prev, s.next, s.remaining),
            PR => self.queues.remove(lvl.table as usize, idx),
            _ => unlink(lvl, &mut self.pool.slots, s.prev, s.next),
        }
        if lvl.is_empty::<R>() {
            ladder.vacate(p, s.side == Side::Buy);
        }
    }

    /// [`Book::detach_slot`] under pro-rata for a copy `s` of the slot whose
    /// remaining quantity is stale: takes the order out of its level's
    /// array, reading its remaining quantity there once; returns `s` with
    /// that quantity.
    #[inline(always)]
    fn detach_pro_rata(&mut self, idx: u32, mut s: Slot) -> Slot {
        let ladder = &mut self.ladders[s.side as usize];
        let lvl = &mut ladder.levels[s.price as usize];
        s.remaining = self.queues.take_out(lvl.table as usize, idx);
        lvl.total -= s.remaining as u64;
        lvl.aon -= s.aon as u32;
        if lvl.total == 0 {
            ladder.vacate(s.price, s.side == Side::Buy);
        }
        s
    }

    /// Removes a resting order (reason `Cancelled` or `Expired`) and emits its
    /// `Done`; returns false (no events) if the id is stale/unknown.
    #[inline]
    pub fn cancel<S: EventSink>(&mut self, id: OrderId, reason: DoneReason, sink: &mut S) -> bool {
        match self.rule.rule() {
            MatchingRule::PriceTime => self.cancel_rule::<PT, S>(id, reason, sink),
            MatchingRule::ProRata => self.cancel_rule::<PR, S>(id, reason, sink),
            MatchingRule::PriceSizeTime => self.cancel_by_rule(id, reason, sink),
        }
    }

    /// Price–size–time, out of line so that the inlined paths of the other
    /// two rules stay as they were.
    #[cold]
    #[inline(never)]
    fn cancel_by_rule<S: EventSink>(&mut self, id: OrderId, reason: DoneReason, sink: &mut S) -> bool {
        self.cancel_rule::<PST, S>(id, reason, sink)
    }

    #[inline(always)]
    fn cancel_rule<const R: u8, S: EventSink>(&mut self, id: OrderId, reason: DoneReason, sink: &mut S) -> bool {
        let idx = id.slot();
        let Some(&s) = self.pool.lookup(idx, id.generation()) else {
            return false;
        };
        let s = if R == PR {
            self.detach_pro_rata(idx, s)
        } else {
            self.detach_slot::<R>(idx, &s);
            s
        };
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
        let s = self.current_any(id.slot(), s);
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
        Ok(match (s.side, self.rule.rule()) {
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
            let old = self.current::<R>(idx, self.pool.slots[idx as usize]).remaining;
            let lvl = &mut self.ladders[if BUY { BIDS } else { ASKS }].levels[price as usize];
            lvl.total -= (old - remaining) as u64;
            // Price-size-time moves a sorted order by its new size; one in
            // the arrival queue is sorted in by it later.
            let s = self.pool.slots[idx as usize];
            let regroup = R == PST && s.grouped;
            if regroup {
                self.sizes.remove(lvl, &mut self.pool.slots, idx, s.prev, s.next, old);
            }
            let s = &mut self.pool.slots[idx as usize];
            (s.remaining, s.qty) = (remaining, qty);
            if regroup {
                self.sizes.relink(lvl, &mut self.pool.slots, idx);
            }
            if R == PR {
                self.queues.set_remaining(lvl.table as usize, idx, remaining);
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
                let done = |s: &Slot, cur: u32| BookEvent::Done {
                    side,
                    price: p,
                    owner: s.owner,
                    tag: s.tag,
                    qty: s.qty,
                    filled: s.qty - s.remaining,
                    reason,
                    resting: Some(OrderId::new(cur, s.generation)),
                };
                if self.rule.rule() == MatchingRule::ProRata {
                    let t = lvl.table as usize;
                    for (slot, remaining) in self.queues.orders(t) {
                        let s = Slot { remaining, ..self.pool.slots[slot as usize] };
                        sink.event(done(&s, slot));
                        self.pool.free(slot);
                    }
                    self.queues.clear_level(t);
                } else {
                    let pst = self.rule.rule() == MatchingRule::PriceSizeTime;
                    if pst {
                        self.sizes.sort_in(lvl, &mut self.pool.slots);
                    }
                    let mut cur = if pst { self.sizes.first(lvl) } else { lvl.head };
                    while cur != NIL {
                        // Freeing reuses the slot's link: copy it first.
                        let s = self.pool.slots[cur as usize];
                        sink.event(done(&s, cur));
                        self.pool.free(cur);
                        cur = if pst { self.sizes.after(lvl, s.next, s.remaining) } else { s.next };
                    }
                    if pst {
                        self.sizes.clear_level(lvl);
                    }
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

    /// [`Book::current`] under the book's rule.
    fn current_any(&self, idx: u32, s: Slot) -> Slot {
        if self.rule.rule() == MatchingRule::ProRata { self.current::<PR>(idx, s) } else { s }
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
        self.pool.lookup(id.slot(), id.generation()).map(|&s| RestingOrder::of(&self.current_any(id.slot(), s)))
    }

    /// Every resting order of a side in priority order (best price first,
    /// FIFO within a price) — for tests and snapshots, may allocate.
    pub fn orders(&self, side: Side) -> Vec<(OrderId, RestingOrder)> {
        let ladder = &self.ladders[side as usize];
        let mut v = Vec::new();
        let mut p = ladder.best;
        while p != NONE {
            let lvl = &ladder.levels[p as usize];
            let mut level = Vec::new();
            match self.rule.rule() {
                MatchingRule::PriceSizeTime => self.sizes.level_order(lvl, &self.pool.slots, &mut level),
                MatchingRule::ProRata => {
                    level.extend(self.queues.orders(lvl.table as usize).map(|(slot, _)| slot));
                }
                MatchingRule::PriceTime => {
                    let mut cur = lvl.head;
                    while cur != NIL {
                        level.push(cur);
                        cur = self.pool.slots[cur as usize].next;
                    }
                }
            }
            v.extend(level.into_iter().map(|cur| {
                let s = self.current_any(cur, self.pool.slots[cur as usize]);
                (OrderId::new(cur, s.generation), RestingOrder::of(&s))
            }));
            p = match side {
                Side::Buy => ladder.next_worse::<true>(p),
                Side::Sell => ladder.next_worse::<false>(p),
            };
        }
        v
    }
}
