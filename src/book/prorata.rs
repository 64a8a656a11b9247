//! Pro-rata: how one price level shares an incoming order's quantity among
//! its resting orders (the rule is stated in the module docs of
//! [`crate::book`], steps 1–5; [`allocate`] follows it step by step), and the
//! array each level keeps of its orders for that.
//!
//! An allocation reads every order of the level, not only those it fills,
//! so a linked queue, one dependent load per order, would dominate. A level
//! therefore keeps its orders in time priority in an array of (slot,
//! remaining quantity) — [`Queues`] — and in nothing else: the level's
//! `head` and `tail` stay `NIL`, and its empty levels are those with nothing
//! left. A departing order (cancelled, or filled by a share) leaves a hole,
//! and the array is compacted once holes are half of it.
//!
//! A share is usually a few lots to each of tens of orders, most of which
//! stay resting. So that such a trade touches no line of the pool (each
//! order's slot is a random one, rarely in cache), the array keeps beside
//! each entry the order's id and names ([`Names`]), and **the array's
//! remaining quantity is the order's; its slot's copy is stale** while the
//! order rests. Whatever reads a resting pro-rata order's remaining
//! quantity reads it through [`Book::current`]; the slot's copy is right
//! only when the order enters a level (on arrival, or requeued by a
//! replace).
//!
//! The same allocation serves the real matching and the dry run of an
//! incoming all-or-none order, so the two cannot disagree.

use super::ladder::{ASKS, BIDS, Level, crosses};
use super::pool::{NIL, Pool, Slot};
use super::{Book, BookEvent, EventSink, NewOrder, OrderId, Qty, Tick, filled, trade};

/// One order of a level's array: its slot and remaining quantity; a hole is
/// `NIL` with quantity 0 (so sums over the array may include holes).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Entry {
    pub(crate) slot: u32,
    pub(crate) remaining: Qty,
}

impl Entry {
    pub(crate) const HOLE: Entry = Entry { slot: NIL, remaining: 0 };
}

/// What a trade reports of a resting order and never changes while it rests
/// (a replace keeps its id, owner and tag), kept beside its [`Entry`] so
/// that the entries alone, which every allocation reads, stay dense.
#[derive(Clone, Copy, Debug, Default)]
struct Names {
    generation: u32,
    owner: u32,
    tag: u64,
}

/// One level's orders: `names[i]` goes with `entries[i]`.
#[derive(Clone, Debug, Default)]
struct LevelArray {
    entries: Vec<Entry>,
    names: Vec<Names>,
    holes: u32,
}

impl LevelArray {
    /// Compacts the array once holes are half of it (`pos` the entries'
    /// places by slot).
    #[inline(always)]
    fn settle(&mut self, pos: &mut [u32]) {
        if 2 * self.holes as usize > self.entries.len() {
            self.compact(pos);
        }
    }

    /// Drops the holes, the orders keeping their order.
    #[inline(never)]
    fn compact(&mut self, pos: &mut [u32]) {
        let mut n = 0;
        for k in 0..self.entries.len() {
            let e = self.entries[k];
            if e.slot != NIL {
                self.entries[n] = e;
                self.names[n] = self.names[k];
                pos[e.slot as usize] = n as u32;
                n += 1;
            }
        }
        self.entries.truncate(n);
        self.names.truncate(n);
        self.holes = 0;
    }
}

/// Every level's orders in time priority, as arrays.
#[derive(Clone, Debug, Default)]
pub(crate) struct Queues {
    /// By level, in the order levels were first used (`Level::table`
    /// indexes them); kept for the life of the book, so a level's array
    /// allocates only when it holds more orders than ever before.
    levels: Vec<LevelArray>,
    /// By pool slot: the index of its order's entry in its level's array.
    pos: Vec<u32>,
}

impl Queues {
    /// The array of level `lvl`, made on its first use.
    #[inline]
    pub(crate) fn table_of(&mut self, lvl: &mut Level) -> usize {
        if lvl.table == NIL {
            lvl.table = self.levels.len() as u32;
            self.levels.push(LevelArray::default());
        }
        lvl.table as usize
    }

    /// The orders (and holes) of the level with array `t`.
    #[inline]
    pub(crate) fn entries(&self, t: usize) -> &[Entry] {
        &self.levels[t].entries
    }

    /// Appends the order in `slot`, whose slot holds `s`, to the level with
    /// array `t` (the latest in time).
    #[inline(always)]
    pub(crate) fn push(&mut self, t: usize, slot: u32, s: &Slot) {
        let a = &mut self.levels[t];
        let i = slot as usize;
        if self.pos.len() <= i {
            self.pos.resize(i + 1, 0);
        }
        self.pos[i] = a.entries.len() as u32;
        a.entries.push(Entry { slot, remaining: s.remaining });
        a.names.push(Names { generation: s.generation, owner: s.owner, tag: s.tag });
    }

    /// The remaining quantity of the order in `slot`, in the level with
    /// array `t`.
    #[inline]
    pub(crate) fn remaining(&self, t: usize, slot: u32) -> Qty {
        self.levels[t].entries[self.pos[slot as usize] as usize].remaining
    }

    /// The order in `slot` has `remaining` lots left now.
    #[inline]
    pub(crate) fn set_remaining(&mut self, t: usize, slot: u32, remaining: Qty) {
        let a = &mut self.levels[t];
        a.entries[self.pos[slot as usize] as usize].remaining = remaining;
    }

    /// The array of the level with array `t`, to change in place, and the
    /// entries' places by slot.
    #[inline]
    fn level_mut(&mut self, t: usize) -> (&mut LevelArray, &mut [u32]) {
        (&mut self.levels[t], &mut self.pos)
    }

    /// The order in `slot` leaves the level with array `t`.
    #[inline(always)]
    pub(crate) fn remove(&mut self, t: usize, slot: u32) {
        let a = &mut self.levels[t];
        a.entries[self.pos[slot as usize] as usize] = Entry::HOLE;
        a.holes += 1;
        self.settle(t);
    }

    /// Compacts the array `t` once holes are half of it.
    #[inline(always)]
    pub(crate) fn settle(&mut self, t: usize) {
        self.levels[t].settle(&mut self.pos);
    }

    /// Forgets the orders of the level with array `t` (the book emptied it
    /// wholesale).
    pub(crate) fn clear_level(&mut self, t: usize) {
        let a = &mut self.levels[t];
        a.entries.clear();
        a.names.clear();
        a.holes = 0;
    }
}

/// One resting order's part in a level's allocation.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Share {
    /// Its pool slot.
    pub(crate) slot: u32,
    /// Its remaining quantity.
    remaining: Qty,
    /// Lots allotted to it.
    pub(crate) share: Qty,
    aon: bool,
    /// Still in the pool `P` of the rule (AON orders leave it in step 3).
    pooled: bool,
}

/// Shares `qty` incoming lots among the orders of `lvl` (`level` its array,
/// `slots` the pool, read only for AON flags): fills `out` with one entry
/// per order of the level, in time priority, and returns the lots left
/// unallotted. Changes nothing in the book.
pub(crate) fn allocate(lvl: &Level, level: &[Entry], slots: &[Slot], qty: Qty, out: &mut Vec<Share>) -> Qty {
    out.clear();
    // Steps 1 and 2 with R >= T: everyone in full.
    let full = u64::from(qty) >= lvl.total;
    let aons = lvl.aon != 0;
    for e in level.iter().filter(|e| e.slot != NIL) {
        let share = if full { e.remaining } else { 0 };
        let aon = aons && slots[e.slot as usize].aon;
        out.push(Share { slot: e.slot, remaining: e.remaining, share, aon, pooled: true });
    }
    if full {
        return qty - lvl.total as u32;
    }
    let mut total = lvl.total;
    let mut left = 0;
    loop {
        if u64::from(qty) >= total {
            // Only after AON orders left P: everyone left in P in full.
            let mut rest = qty;
            for e in out.iter_mut().filter(|e| e.pooled) {
                e.share = e.remaining;
                rest -= e.remaining;
            }
            left = rest;
            break;
        }
        prorate(out, qty, total);
        if !aons {
            break;
        }
        // Step 3: AON orders allotted less than their all leave P.
        let mut gone = 0;
        for e in out.iter_mut().filter(|e| e.pooled && e.aon && e.share < e.remaining) {
            e.pooled = false;
            e.share = 0;
            gone += u64::from(e.remaining);
        }
        if gone == 0 {
            break;
        }
        total -= gone;
    }
    // Step 4: what is left goes to the AON orders that left P, whole or not
    // at all, in time priority.
    if left != 0 {
        for e in out.iter_mut().filter(|e| !e.pooled) {
            if e.remaining <= left {
                e.share = e.remaining;
                left -= e.remaining;
            }
        }
    }
    left
}

/// Step 2 with `qty < total` (the sum of the pooled orders' remaining
/// quantities): the floor of each pooled order's proportional share, then
/// the odd lots one each to the first pooled orders.
fn prorate(out: &mut [Share], qty: Qty, total: u64) {
    debug_assert!(u64::from(qty) < total);
    let per = Per::new(qty, total);
    let mut given = 0;
    for e in out.iter_mut().filter(|e| e.pooled) {
        e.share = per.floor(e.remaining);
        given += e.share;
    }
    let mut odd = qty - given;
    for e in out.iter_mut().filter(|e| e.pooled) {
        if odd == 0 {
            break;
        }
        e.share += 1;
        odd -= 1;
    }
}

/// `floor(q * r / t)` for many `q` and one `r < t` (so each result is below
/// `q`), exactly and without a division per `q`.
/// * Up to `t = 2^32` (any level of fewer than two `u32` orders' worth):
///   with `m = ceil(r * 2^64 / t)`, `q * m / 2^64` exceeds `q * r / t` by
///   less than `q / 2^64 < 2^-32 <= 1 / t`, while the fraction of `q * r / t`
///   is a multiple of `1 / t` below one: the high half of `q * m` is the
///   floor, one multiplication per `q`.
/// * Beyond: with `m = floor(2^64 / t)` the high half of `n * m` (`n = q * r
///   < 2^64`) is the true quotient or one less, and one check settles which.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Per {
    r: u64,
    t: u64,
    m: u64,
    narrow: bool,
}

impl Per {
    pub(crate) fn new(r: Qty, t: u64) -> Per {
        debug_assert!(u64::from(r) < t);
        let (r, wide) = (u64::from(r), u128::from(t));
        if t <= 1 << 32 {
            // Below 2^64: `r < t`.
            let m = ((u128::from(r) << 64).div_ceil(wide)) as u64;
            Per { r, t, m, narrow: true }
        } else {
            Per { r, t, m: ((1u128 << 64) / wide) as u64, narrow: false }
        }
    }

    #[inline(always)]
    pub(crate) fn floor(&self, q: Qty) -> Qty {
        if self.narrow { self.floor_by::<true>(q) } else { self.floor_by::<false>(q) }
    }

    /// [`Per::floor`] for a `Per` whose `narrow` is `NARROW`.
    #[inline(always)]
    fn floor_by<const NARROW: bool>(&self, q: Qty) -> Qty {
        if NARROW {
            let f = ((u128::from(q) * u128::from(self.m)) >> 64) as u64;
            debug_assert_eq!(f, u64::from(q) * self.r / self.t);
            return f as Qty;
        }
        let n = u64::from(q) * self.r;
        let f = ((u128::from(n) * u128::from(self.m)) >> 64) as u64;
        let f = f + u64::from(n - f * self.t >= self.t);
        debug_assert_eq!(f, n / self.t);
        f as Qty
    }
}

/// What step 2 alone changes as it trades one level out.
struct Shared<'a, S> {
    o: &'a NewOrder,
    p: Tick,
    /// The level's total.
    total: &'a mut u64,
    pool: &'a mut Pool,
    sink: &'a mut S,
}

impl<S: EventSink> Shared<'_, S> {
    /// Shares `qty` incoming lots among the orders of the level's array `a`
    /// (all non-AON, `qty` below their total, `per` of `qty` and the total)
    /// and trades them in time priority. Holes have no quantity, so no
    /// floor, and get no odd lot.
    ///
    /// An order it fills leaves a hole like a cancel's; the array is
    /// compacted (`pos` the entries' places by slot) only once holes are
    /// half of it, so a share moves no entry and writes no place.
    #[inline(always)]
    fn share<const NARROW: bool>(mut self, per: &Per, a: &mut LevelArray, pos: &mut [u32], qty: Qty) {
        let mut given = 0;
        for e in &a.entries {
            given += per.floor_by::<NARROW>(e.remaining);
        }
        let mut odd = qty - given;
        // Every lot is handed out.
        *self.total -= u64::from(qty);
        let mut holes = 0;
        for (e, names) in a.entries.iter_mut().zip(&a.names) {
            if e.slot == NIL {
                continue;
            }
            // The odd lots go one each to the first orders.
            let mut share = per.floor_by::<NARROW>(e.remaining);
            if odd != 0 {
                share += 1;
                odd -= 1;
            }
            if share == e.remaining {
                self.fill(e.slot, share);
                *e = Entry::HOLE;
                holes += 1;
            } else if share != 0 {
                // The order rests on: its slot is not touched (see the
                // module docs).
                e.remaining -= share;
                let o = self.o;
                self.sink.event(BookEvent::Trade {
                    price: self.p,
                    qty: share,
                    aggressor_side: o.side,
                    aggressor_owner: o.owner,
                    aggressor_tag: o.tag,
                    resting_owner: names.owner,
                    resting_tag: names.tag,
                    resting_id: OrderId::new(e.slot, names.generation),
                });
            }
        }
        a.holes += holes;
        a.settle(pos);
    }

    /// Trades all `qty` lots the order in slot `cur` has left, which
    /// completes it.
    #[inline(always)]
    fn fill(&mut self, cur: u32, qty: Qty) {
        let s = self.pool.slots[cur as usize];
        self.sink.event(trade(self.o, &s, cur, self.p, qty));
        self.sink.event(filled(&s, cur));
        self.pool.free(cur);
    }
}

impl Book {
    /// The resting order in slot `idx`, a copy `s` of its slot, with its
    /// remaining quantity as it is now: under pro-rata, the one in its
    /// level's array (the slot's is stale while it rests).
    #[inline(always)]
    pub(super) fn current<const R: u8>(&self, idx: u32, mut s: Slot) -> Slot {
        if R == super::orderbook::PR {
            let t = self.ladders[s.side as usize].levels[s.price as usize].table;
            s.remaining = self.queues.remaining(t as usize, idx);
        }
        s
    }

    /// The pro-rata dry run: the allocation of [`allocate`], level
    /// by level, as [`Book::take_pro_rata`] would make it.
    pub(super) fn can_fill_pro_rata<const BUY: bool>(&mut self, limit: Tick, qty: Qty) -> bool {
        let ladder = &self.ladders[if BUY { ASKS } else { BIDS }];
        let mut need = qty;
        let mut p = ladder.best;
        while crosses::<BUY>(p, limit) {
            let lvl = &ladder.levels[p as usize];
            if lvl.aon == 0 {
                // Without AON orders the allocation hands out all it is
                // given up to the level's total: no need to make it.
                if lvl.covers(&mut need) {
                    return true;
                }
            } else {
                let level = self.queues.entries(lvl.table as usize);
                need = allocate(lvl, level, &self.pool.slots, need, &mut self.shares);
                if need == 0 {
                    return true;
                }
            }
            p = if BUY { ladder.next_worse::<false>(p) } else { ladder.next_worse::<true>(p) };
        }
        false
    }

    /// [`Book::take`] under pro-rata: each level's allocation traded in time
    /// priority. A level without AON orders is either taken whole or shared
    /// by step 2 alone, which needs no scratch space; one with AON orders
    /// goes through [`allocate`].
    #[inline(never)]
    pub(super) fn take_pro_rata<const BUY: bool, S: EventSink>(
        &mut self,
        o: &NewOrder,
        limit: Tick,
        sink: &mut S,
    ) -> Qty {
        let ladder = &mut self.ladders[if BUY { ASKS } else { BIDS }];
        let pool = &mut self.pool;
        let queues = &mut self.queues;
        let first = ladder.best;
        let mut p = first;
        let mut rem = o.qty;
        while rem != 0 && crosses::<BUY>(p, limit) {
            let lvl = &mut ladder.levels[p as usize];
            let t = lvl.table as usize;
            if u64::from(rem) >= lvl.total {
                // Everyone in full, AON orders included.
                for e in queues.entries(t).iter().filter(|e| e.slot != NIL) {
                    let s = pool.slots[e.slot as usize];
                    sink.event(trade(o, &s, e.slot, p, e.remaining));
                    sink.event(filled(&s, e.slot));
                    pool.free(e.slot);
                }
                rem -= lvl.total as u32;
                *lvl = Level { table: lvl.table, ..Level::EMPTY };
                queues.clear_level(t);
            } else if lvl.aon == 0 {
                // Step 2 alone: floors, then the odd lots in time priority.
                let per = Per::new(rem, lvl.total);
                let (a, pos) = queues.level_mut(t);
                let shared = Shared { o, p, total: &mut lvl.total, pool: &mut *pool, sink: &mut *sink };
                if per.narrow {
                    shared.share::<true>(&per, a, pos, rem);
                } else {
                    shared.share::<false>(&per, a, pos, rem);
                }
                rem = 0;
            } else {
                let left = allocate(lvl, queues.entries(t), &pool.slots, rem, &mut self.shares);
                for sh in self.shares.iter().filter(|sh| sh.share != 0) {
                    let cur = sh.slot;
                    let s = pool.slots[cur as usize];
                    lvl.total -= u64::from(sh.share);
                    if sh.share == sh.remaining {
                        lvl.aon -= s.aon as u32;
                        sink.event(trade(o, &s, cur, p, sh.share));
                        sink.event(filled(&s, cur));
                        queues.remove(t, cur);
                        pool.free(cur);
                    } else {
                        queues.set_remaining(t, cur, sh.remaining - sh.share);
                        sink.event(trade(o, &s, cur, p, sh.share));
                    }
                }
                rem = left;
            }
            if lvl.total == 0 {
                ladder.bits.clear(p);
            }
            p = if BUY { ladder.next_worse::<false>(p) } else { ladder.next_worse::<true>(p) };
        }
        if ladder.levels[first as usize].total == 0 {
            ladder.best = if BUY { ladder.next_worse::<false>(first) } else { ladder.next_worse::<true>(first) };
        }
        o.qty - rem
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::ChaCha8Rng;
    use rand::{RngExt, SeedableRng};

    #[test]
    fn per_floor_is_exact() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let edges = [1u64, 2, 3, 7, 1 << 31, u32::MAX as u64 - 1, u32::MAX as u64, 1 << 40, u64::MAX / 3];
        for _ in 0..200_000 {
            let t: u64 = match rng.random_range(0..4) {
                0 => rng.random_range(2..100),
                1 => rng.random_range(2..1 << 20),
                2 => rng.random_range(2..u64::MAX),
                _ => edges[rng.random_range(0..edges.len())].max(2),
            };
            let r = rng.random_range(1..t.min(u64::from(u32::MAX) + 1)) as Qty;
            let q: Qty = if rng.random_bool(0.5) { rng.random_range(1..=200) } else { rng.random() };
            let q = q.max(1);
            let want = (u128::from(q) * u128::from(r) / u128::from(t)) as Qty;
            assert_eq!(Per::new(r, t).floor(q), want, "q={q} r={r} t={t}");
        }
    }
}
