//! Price–time priority: a level is a queue in time priority, linked through
//! the pool's slots, and an incoming order walks it greedily (also the walk
//! price–size–time makes over its queue).

use super::ladder::{ASKS, BIDS, Level, crosses};
use super::orderbook::{PR, PST};
use super::pool::{NIL, Slot};
use super::*;

impl<K: Rule> Book<K> {
    /// Dry run of [`Book::take`] for an incoming AON order: whether the same
    /// matching would fill all of `qty`. No change to the book.
    #[inline(never)]
    pub(super) fn can_fill<const BUY: bool, const R: u8>(&mut self, limit: Tick, qty: Qty) -> bool {
        if R == PR {
            return self.can_fill_pro_rata::<BUY>(limit, qty);
        }
        // The greedy walk, over the queue in whichever order the rule keeps it.
        let side = if BUY { ASKS } else { BIDS };
        let mut need = qty;
        let mut p = self.ladders[side].best;
        while crosses::<BUY>(p, limit) {
            if R == PST && self.ladders[side].levels[p as usize].aon != 0 {
                self.sizes.sort_in(&mut self.ladders[side].levels[p as usize], &mut self.pool.slots);
            }
            let (ladder, slots) = (&self.ladders[side], &self.pool.slots);
            let lvl = &ladder.levels[p as usize];
            if lvl.aon == 0 {
                // No resting order here can be skipped: the walk would take
                // the level's whole quantity or finish inside it.
                if lvl.covers(&mut need) {
                    return true;
                }
            } else {
                let mut cur = if R == PST { self.sizes.first(lvl) } else { lvl.head };
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
                    cur = if R == PST { self.sizes.after(lvl, s.next, s.remaining) } else { s.next };
                }
            }
            p = if BUY { ladder.next_worse::<false>(p) } else { ladder.next_worse::<true>(p) };
        }
        false
    }

    /// Matches an incoming order against the opposite side; returns the
    /// quantity filled. The opposite side must cross at its best price.
    #[inline(always)]
    pub(super) fn take<const BUY: bool, const R: u8, S: EventSink>(
        &mut self,
        o: &NewOrder,
        limit: Tick,
        sink: &mut S,
    ) -> Qty {
        if R == PR {
            return self.take_pro_rata::<BUY, S>(o, limit, sink);
        }
        // The greedy walk; price–size–time walks its groups, largest first.
        let ladder = &mut self.ladders[if BUY { ASKS } else { BIDS }];
        let pool = &mut self.pool;
        let sizes = &mut self.sizes;
        let first = ladder.best;
        let mut p = first;
        let mut rem = o.qty;
        loop {
            let lvl = &mut ladder.levels[p as usize];
            if R == PST {
                sizes.sort_in(lvl, &mut pool.slots);
            }
            let mut cur = if R == PST { sizes.first(lvl) } else { lvl.head };
            while cur != NIL {
                let s = &mut pool.slots[cur as usize];
                let (next, size) = (s.next, s.remaining);
                if size <= rem {
                    // Resting order completes (AON or not).
                    let q = s.remaining;
                    rem -= q;
                    lvl.total -= q as u64;
                    lvl.aon -= s.aon as u32;
                    let s = *s;
                    sink.event(trade(o, &s, cur, p, q));
                    sink.event(filled(&s, cur));
                    if R == PST {
                        sizes.remove(lvl, &mut pool.slots, cur, s.prev, next, q);
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
                        let (prev, q) = (s.prev, s.remaining);
                        sizes.remove(lvl, &mut pool.slots, cur, prev, next, q);
                        pool.slots[cur as usize].remaining -= rem;
                        sizes.relink(lvl, &mut pool.slots, cur);
                    } else {
                        s.remaining -= rem;
                    }
                    rem = 0;
                    break;
                }
                // Else: an AON order too large for what is left: skip it. (A
                // filled order's group may be gone: `after` allows for it.)
                cur = if R == PST { sizes.after(lvl, next, size) } else { next };
            }
            if lvl.is_empty::<R>() {
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
        if ladder.levels[first as usize].is_empty::<R>() {
            // The first non-empty level left is at or beyond the last one
            // visited, so the search is short.
            ladder.best = if BUY { ladder.next_worse::<false>(first) } else { ladder.next_worse::<true>(first) };
        }
        o.qty - rem
    }
}

/// Detaches the order whose neighbours are `prev`/`next` from `lvl`'s FIFO.
#[inline(always)]
pub(super) fn unlink(lvl: &mut Level, slots: &mut [Slot], prev: u32, next: u32) {
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
