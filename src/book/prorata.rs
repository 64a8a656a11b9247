//! Pro-rata: how one price level shares an incoming order's quantity among
//! its resting orders (the rule is stated in the module docs of
//! [`crate::book`], steps 1–5; [`allocate`] follows it step by step), and the
//! array each level keeps of its orders for that.
//!
//! An allocation reads every order of the level, not only those it fills,
//! so a linked queue, one dependent load per order, would dominate. A level
//! therefore keeps its orders in time priority in arrays — [`Queues`] — and
//! in nothing else: the level's `head` and `tail` stay `NIL`, and its empty
//! levels are those with nothing left. The remaining quantities have an
//! array of their own, which the sum of the floors reads alone (4 bytes an
//! order, in a loop the compiler vectorises); each order's slot and names
//! are in a second. A departing order (cancelled, or filled by a share)
//! leaves a hole, a quantity of 0, and the arrays are compacted once holes
//! are over two fifths of them.
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
use super::{Book, BookEvent, EventSink, Execution, NewOrder, OrderId, Qty, Rule, Tick, filled, trade};

/// What a trade reports of a resting order and never changes while it rests
/// (a replace keeps its id, owner and tag), with its slot: kept beside its
/// remaining quantity so that the quantities alone, which every allocation
/// reads, stay dense.
#[derive(Clone, Copy, Debug)]
struct Names {
    slot: u32,
    generation: u32,
    owner: u32,
    tag: u64,
}

/// One level's orders in time priority, as two parallel arrays: `qty[i]`
/// is the remaining quantity of the order `names[i]` names, and 0 for a
/// hole (whose names are stale). Every resting order has a lot left, so a
/// zero tells a hole, and sums and floors over `qty` may include holes.
#[derive(Clone, Debug, Default)]
struct LevelArray {
    qty: Vec<Qty>,
    names: Vec<Names>,
    holes: u32,
}

impl LevelArray {
    /// Compacts the array once holes are over two fifths of it (`pos` the
    /// entries' places by slot). Every share walks the holes twice, while a
    /// compaction moves each order once: on the bench's pro-rata stream two
    /// fifths and a third took the fewest instructions (2.841 G and 2.842 G
    /// for the replay, against 2.886 G at a quarter and 2.848 G at a half).
    #[inline(always)]
    fn settle(&mut self, pos: &mut [u32]) {
        if 5 * self.holes as usize > 2 * self.qty.len() {
            self.compact(pos);
        }
    }

    /// Drops the holes, the orders keeping their order (those before the
    /// first hole stay where they are).
    #[inline(never)]
    fn compact(&mut self, pos: &mut [u32]) {
        let len = self.qty.len();
        let (qty, names) = (&mut self.qty[..len], &mut self.names[..len]);
        let first = qty.iter().position(|&q| q == 0).unwrap_or(len);
        let mut n = first;
        walk_above(
            qty,
            first,
            0,
            #[inline(always)]
            |qty, j| {
                // `n <= j`: an entry only ever moves to the front.
                qty[n.min(j)] = qty[j];
                names[n.min(j)] = names[j];
                // Every resting order's slot has its place (`push` set it).
                if let Some(p) = pos.get_mut(names[j].slot as usize) {
                    *p = n as u32;
                }
                n += 1;
                true
            },
        );
        self.qty.truncate(n);
        self.names.truncate(n);
        self.holes = 0;
    }

    /// The orders, in time priority: (slot, remaining quantity).
    #[inline]
    fn orders(&self) -> impl Iterator<Item = (u32, Qty)> + '_ {
        self.qty.iter().zip(&self.names).filter(|(q, _)| **q != 0).map(|(q, n)| (n.slot, *q))
    }

    /// Calls `f(slot, remaining quantity)` for each order in time priority.
    #[inline(always)]
    fn each(&self, mut f: impl FnMut(u32, Qty)) {
        let n = self.qty.len();
        let (qty, names) = (&self.qty[..n], &self.names[..n]);
        for (k, &q) in qty.iter().enumerate() {
            if q != 0 {
                f(names[k].slot, q);
            }
        }
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

    /// The orders of the level with array `t`, in time priority: (slot,
    /// remaining quantity).
    #[inline]
    pub(crate) fn orders(&self, t: usize) -> impl Iterator<Item = (u32, Qty)> + '_ {
        self.levels[t].orders()
    }

    /// Appends the order in `slot` (its generation, remaining quantity,
    /// owner and tag) to the level with array `t` (the latest in time).
    #[inline(always)]
    pub(crate) fn push(&mut self, t: usize, slot: u32, generation: u32, remaining: Qty, owner: u32, tag: u64) {
        let a = &mut self.levels[t];
        let at = a.qty.len() as u32;
        a.qty.push(remaining);
        a.names.push(Names { slot, generation, owner, tag });
        match self.pos.get_mut(slot as usize) {
            Some(p) => *p = at,
            None => self.place_beyond(slot, at),
        }
    }

    /// `pos[slot] = at` for a slot beyond any placed before (the pool grew).
    #[cold]
    #[inline(never)]
    fn place_beyond(&mut self, slot: u32, at: u32) {
        self.pos.resize(slot as usize + 1, 0);
        self.pos[slot as usize] = at;
    }

    /// The remaining quantity of the order in `slot`, in the level with
    /// array `t`.
    #[inline]
    pub(crate) fn remaining(&self, t: usize, slot: u32) -> Qty {
        self.levels[t].qty[self.pos[slot as usize] as usize]
    }

    /// The order in `slot` has `remaining` lots left now.
    #[inline]
    pub(crate) fn set_remaining(&mut self, t: usize, slot: u32, remaining: Qty) {
        let a = &mut self.levels[t];
        a.qty[self.pos[slot as usize] as usize] = remaining;
    }

    /// The array of the level with array `t`, to change in place, and the
    /// entries' places by slot.
    #[inline]
    fn level_mut(&mut self, t: usize) -> (&mut LevelArray, &mut [u32]) {
        (&mut self.levels[t], &mut self.pos)
    }

    /// The order in `slot` leaves the level with array `t`: its quantity
    /// becomes a hole's.
    #[inline(always)]
    pub(crate) fn remove(&mut self, t: usize, slot: u32) {
        let a = &mut self.levels[t];
        a.qty[self.pos[slot as usize] as usize] = 0;
        a.holes += 1;
        self.settle(t);
    }

    /// The order in `slot` leaves the level with array `t`, as by
    /// [`Queues::remove`]; returns its remaining quantity.
    #[inline(always)]
    pub(crate) fn take_out(&mut self, t: usize, slot: u32) -> Qty {
        let a = &mut self.levels[t];
        let q = &mut a.qty[self.pos[slot as usize] as usize];
        let remaining = *q;
        *q = 0;
        a.holes += 1;
        a.settle(&mut self.pos);
        remaining
    }

    /// Compacts the array `t` once holes are over two fifths of it.
    #[inline(always)]
    pub(crate) fn settle(&mut self, t: usize) {
        self.levels[t].settle(&mut self.pos);
    }

    /// Forgets the orders of the level with array `t` (the book emptied it
    /// wholesale).
    pub(crate) fn clear_level(&mut self, t: usize) {
        let a = &mut self.levels[t];
        a.qty.clear();
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
pub(crate) fn allocate(
    lvl: &Level,
    level: impl Iterator<Item = (u32, Qty)>,
    slots: &[Slot],
    qty: Qty,
    out: &mut Vec<Share>,
) -> Qty {
    out.clear();
    // Steps 1 and 2 with R >= T: everyone in full.
    let full = u64::from(qty) >= lvl.total;
    let aons = lvl.aon != 0;
    for (slot, remaining) in level {
        let share = if full { remaining } else { 0 };
        let aon = aons && slots[slot as usize].aon;
        out.push(Share { slot, remaining, share, aon, pooled: true });
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

/// `floor(q * r / t)` for many `q <= t` and one `r < t` (so each result is
/// below `q`), exactly and without a division per `q`. Three ways, by the
/// size of `t` (the width, [`SHORT`], [`NARROW`] or [`WIDE`]):
/// * Up to `t = 2^16` (most levels): with `m = ceil(r * 2^32 / t)`, below
///   `2^32` since `r / t <= 1 - 2^-16`, `q * m / 2^32` exceeds `q * r / t`
///   by less than `q / 2^32 <= t / 2^32 <= 1 / t`, while the fraction of
///   `q * r / t` is a multiple of `1 / t` below one: the high half of the
///   64-bit product `q * m` is the floor. One 32 × 32-bit multiplication per
///   `q`, which vector units do several at a time.
/// * Up to `t = 2^32` (any level of fewer than two `u32` orders' worth):
///   the same with `m = ceil(r * 2^64 / t)`, where `q / 2^64 < 2^-32 <=
///   1 / t`: the high half of the 128-bit product `q * m`.
/// * Beyond: with `m = floor(2^64 / t)` the high half of `n * m` (`n = q * r
///   < 2^64`) is the true quotient or one less, and one check settles which.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Per {
    r: u64,
    t: u64,
    m: u64,
    width: u8,
}

/// [`Per`]'s way for `t <= 2^16`.
pub(crate) const SHORT: u8 = 0;
/// [`Per`]'s way for `2^16 < t <= 2^32`.
pub(crate) const NARROW: u8 = 1;
/// [`Per`]'s way for `t > 2^32`.
pub(crate) const WIDE: u8 = 2;

impl Per {
    pub(crate) fn new(r: Qty, t: u64) -> Per {
        debug_assert!(u64::from(r) < t);
        let (r, wide) = (u64::from(r), u128::from(t));
        if t <= 1 << 16 {
            // Below 2^48, and the quotient below 2^32 (see above).
            let m = (r << 32).div_ceil(t);
            Per { r, t, m, width: SHORT }
        } else if t <= 1 << 32 {
            // Below 2^64: `r < t`.
            let m = ((u128::from(r) << 64).div_ceil(wide)) as u64;
            Per { r, t, m, width: NARROW }
        } else {
            Per { r, t, m: ((1u128 << 64) / wide) as u64, width: WIDE }
        }
    }

    /// The largest `q` whose floor is 0: `q * r < t` exactly when `q <=
    /// (t - 1) / r`.
    #[inline(always)]
    fn zero_floor_max(&self) -> Qty {
        ((self.t - 1) / self.r).min(u64::from(Qty::MAX)) as Qty
    }

    #[inline(always)]
    pub(crate) fn floor(&self, q: Qty) -> Qty {
        match self.width {
            SHORT => self.floor_by::<SHORT>(q),
            NARROW => self.floor_by::<NARROW>(q),
            _ => self.floor_by::<WIDE>(q),
        }
    }

    /// [`Per::floor`] for a `Per` whose `width` is `W`.
    #[inline(always)]
    fn floor_by<const W: u8>(&self, q: Qty) -> Qty {
        debug_assert!(u64::from(q) <= self.t);
        let f = match W {
            SHORT => (u64::from(q) * u64::from(self.m as u32)) >> 32,
            NARROW => ((u128::from(q) * u128::from(self.m)) >> 64) as u64,
            _ => {
                let n = u64::from(q) * self.r;
                let f = ((u128::from(n) * u128::from(self.m)) >> 64) as u64;
                f + u64::from(n - f * self.t >= self.t)
            }
        };
        debug_assert_eq!(f, u64::from(q) * self.r / self.t);
        f as Qty
    }

    /// The sum of the floors of every `q` of `qty` (holes, 0, add nothing),
    /// for a `Per` whose `width` is `W`: below `r`, so it fits a `Qty`. A
    /// plain loop over the quantities alone, which the compiler vectorises.
    #[inline(always)]
    fn sum_floors<const W: u8>(&self, qty: &[Qty]) -> Qty {
        qty.iter().fold(0, |sum: Qty, &q| sum.wrapping_add(self.floor_by::<W>(q)))
    }
}

/// Entries [`above`] tests at once.
const LANES: usize = 8;

/// Calls `f(qty, j)`, in order, for each `j` from `from` on where `qty[j] >
/// t` (as it was when `j`'s chunk of [`LANES`] was tested), until a call
/// returns false; returns the index past that call's, or `qty.len()`.
///
/// A level's walks (a share's two, a compaction's) skip holes and orders
/// that get no lot: tested one by one, each test is a branch mispredicted
/// about as often as skipped and visited entries alternate. Tested eight
/// at a time, as a mask of those to visit, a walk branches once per chunk
/// and once per visited entry (see docs/performance.md for what it saved).
#[inline(always)]
fn walk_above(qty: &mut [Qty], from: usize, t: Qty, mut f: impl FnMut(&mut [Qty], usize) -> bool) -> usize {
    let n = qty.len();
    let mut k = from;
    while k < n {
        let end = (k + LANES).min(n);
        let mut mask = above(&qty[k..end], t);
        while mask != 0 {
            let j = k + mask.trailing_zeros() as usize;
            mask &= mask - 1;
            if !f(qty, j) {
                return j + 1;
            }
        }
        k = end;
    }
    n
}

/// Bit `i` set where `q[i] > t`, for up to [`LANES`] entries.
#[inline(always)]
fn above(q: &[Qty], t: Qty) -> u32 {
    match <&[Qty; LANES]>::try_from(q) {
        Ok(chunk) => above_8(chunk, t),
        Err(_) => above_each(q, t),
    }
}

/// [`above`] one entry at a time: a short tail, or a full chunk off x86_64.
#[inline(always)]
fn above_each(q: &[Qty], t: Qty) -> u32 {
    q.iter().enumerate().fold(0, |mask, (i, &x)| mask | u32::from(x > t) << i)
}

/// [`above`] of a full chunk: two vector comparisons and their sign bits.
/// SSE2 has no unsigned comparison: both sides are offset by 2^31, which
/// keeps their order as signed numbers. (Safe code that LLVM vectorises,
/// bytes of 0 or 1 gathered by a multiplication, took 7% more of the
/// replay's instructions.)
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn above_8(q: &[Qty; LANES], t: Qty) -> u32 {
    use std::arch::x86_64::{_mm_castsi128_ps, _mm_cmpgt_epi32, _mm_movemask_ps, _mm_set_epi32, _mm_set1_epi32};
    let signed = |x: Qty| (x ^ 0x8000_0000) as i32;
    // SAFETY: these intrinsics need SSE2 only, which every x86_64 processor
    // has (it is part of the target's baseline), and touch no memory.
    let half = |h: &[Qty]| unsafe {
        let v = _mm_set_epi32(signed(h[3]), signed(h[2]), signed(h[1]), signed(h[0]));
        _mm_movemask_ps(_mm_castsi128_ps(_mm_cmpgt_epi32(v, _mm_set1_epi32(signed(t))))) as u32
    };
    half(&q[..4]) | half(&q[4..]) << 4
}

#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn above_8(q: &[Qty; LANES], t: Qty) -> u32 {
    above_each(q, t)
}

/// What step 2 alone changes as it trades one level out.
struct Shared<'a, S> {
    o: &'a NewOrder,
    p: Tick,
    /// The level's total.
    total: &'a mut u64,
    pool: &'a mut Pool,
    sink: &'a mut S,
    /// The orders filled so far: holes left in the array.
    filled: u32,
}

impl<S: EventSink> Shared<'_, S> {
    /// Shares `qty` incoming lots among the orders of the level's array `a`
    /// (all non-AON, `qty` below their total, `per` of `qty` and the total,
    /// of width `W`) and trades them in time priority: a pass over the
    /// quantities alone for the sum of the floors, which tells how many odd
    /// lots there are, then one over the orders that trades. Holes have no
    /// quantity, so no floor, and get no odd lot.
    ///
    /// An order it fills leaves a hole like a cancel's; the array is
    /// compacted (`pos` the entries' places by slot) only once holes are
    /// over two fifths of it, so a share moves no entry and writes no place.
    #[inline(always)]
    fn share<const W: u8>(mut self, per: &Per, a: &mut LevelArray, pos: &mut [u32], qty: Qty) {
        // The floors' lots not yet handed out: once none are, no order
        // further on has a floor, and the walk stops at the last order
        // with one rather than at the array's end.
        let mut owed = per.sum_floors::<W>(&a.qty);
        let mut odd = qty - owed;
        // Every lot is handed out.
        *self.total -= u64::from(qty);
        let n = a.qty.len();
        let (qty, names) = (&mut a.qty[..n], &a.names[..n]);
        // The odd lots go one each to the first orders (fewer odd lots than
        // orders, so these all trade).
        let mut k = 0;
        if odd != 0 {
            k = walk_above(
                qty,
                0,
                0,
                #[inline(always)]
                |qty, j| {
                    let f = per.floor_by::<W>(qty[j]);
                    self.take(&mut qty[j], &names[j], f + 1);
                    owed -= f;
                    odd -= 1;
                    odd != 0
                },
            );
        }
        // Past them an order trades if its floor is not zero, that is if it
        // has more than `zero` lots (a hole has none): one comparison skips
        // an order, where its floor would take a multiplication.
        if owed != 0 {
            walk_above(
                qty,
                k,
                per.zero_floor_max(),
                #[inline(always)]
                |qty, j| {
                    let f = per.floor_by::<W>(qty[j]);
                    self.take(&mut qty[j], &names[j], f);
                    owed -= f;
                    owed != 0
                },
            );
        }
        a.holes += self.filled;
        a.settle(pos);
    }

    /// Trades `share` lots (not zero, at most `*q`) of the resting order
    /// `names` with `*q` lots left; if that fills it, its quantity becomes
    /// a hole's.
    #[inline(always)]
    fn take(&mut self, q: &mut Qty, names: &Names, share: Qty) {
        if share == *q {
            self.fill(names.slot, share);
            *q = 0;
            self.filled += 1;
            return;
        }
        // The order rests on: its slot is not touched (see the module docs).
        *q -= share;
        let o = self.o;
        self.sink.event(BookEvent::Trade(Execution {
            price: self.p,
            qty: share,
            aggressor_side: o.side,
            aggressor_owner: o.owner,
            aggressor_tag: o.tag,
            resting_owner: names.owner,
            resting_tag: names.tag,
            resting_id: OrderId::new(names.slot, names.generation),
        }));
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

impl<K: Rule> Book<K> {
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
                let level = self.queues.orders(lvl.table as usize);
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
        // The caller checked that the best level crosses, and an order has
        // a lot.
        loop {
            let lvl = &mut ladder.levels[p as usize];
            let t = lvl.table as usize;
            if u64::from(rem) >= lvl.total {
                // Everyone in full, AON orders included.
                queues.levels[t].each(|slot, q| {
                    let s = pool.slots[slot as usize];
                    sink.event(trade(o, &s, slot, p, q));
                    sink.event(filled(&s, slot));
                    pool.free(slot);
                });
                rem -= lvl.total as u32;
                *lvl = Level { table: lvl.table, ..Level::EMPTY };
                queues.clear_level(t);
                ladder.bits.clear(p);
            } else if lvl.aon == 0 {
                // Step 2 alone: floors, then the odd lots in time priority.
                let per = Per::new(rem, lvl.total);
                let (a, pos) = queues.level_mut(t);
                let shared = Shared { o, p, total: &mut lvl.total, pool: &mut *pool, sink: &mut *sink, filled: 0 };
                match per.width {
                    SHORT => shared.share::<SHORT>(&per, a, pos, rem),
                    NARROW => shared.share::<NARROW>(&per, a, pos, rem),
                    _ => shared.share::<WIDE>(&per, a, pos, rem),
                }
                // All is handed out and the level keeps lots: no search
                // for the next one.
                rem = 0;
                break;
            } else {
                let left = allocate(lvl, queues.orders(t), &pool.slots, rem, &mut self.shares);
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
                if lvl.total == 0 {
                    ladder.bits.clear(p);
                }
            }
            if rem == 0 {
                break;
            }
            p = if BUY { ladder.next_worse::<false>(p) } else { ladder.next_worse::<true>(p) };
            if !crosses::<BUY>(p, limit) {
                break;
            }
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

    fn want(q: Qty, r: Qty, t: u64) -> Qty {
        (u128::from(q) * u128::from(r) / u128::from(t)) as Qty
    }

    /// Random cases of every width (`q <= t`, as every caller has it: an
    /// order's quantity within its level's total).
    #[test]
    fn per_floor_is_exact() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let edges = [
            1u64,
            2,
            3,
            7,
            (1 << 16) - 1,
            1 << 16,
            (1 << 16) + 1,
            1 << 31,
            u32::MAX as u64 - 1,
            u32::MAX as u64,
            1 << 32,
            (1 << 32) + 1,
            1 << 40,
            u64::MAX / 3,
        ];
        for _ in 0..400_000 {
            let t: u64 = match rng.random_range(0..5) {
                0 => rng.random_range(2..100),
                1 => rng.random_range(2..=1 << 16),
                2 => rng.random_range(2..1 << 20),
                3 => rng.random_range(2..u64::MAX),
                _ => edges[rng.random_range(0..edges.len())].max(2),
            };
            let below = t.min(u64::from(u32::MAX) + 1);
            let r = rng.random_range(1..below) as Qty;
            let q = match rng.random_range(0..3) {
                0 => rng.random_range(1..=below.min(200)),
                1 => rng.random_range(1..=below),
                _ => below - rng.random_range(0..below.min(3)),
            }
            .min(u64::from(Qty::MAX)) as Qty;
            assert_eq!(Per::new(r, t).floor(q), want(q, r, t), "q={q} r={r} t={t}");
        }
    }

    /// The short way, every `q` and `r` for small totals, and every `q`
    /// for the totals next to its limit, `2^16`, with `r` at its edges.
    #[test]
    fn per_floor_short_is_exact_exhaustively() {
        for t in 2..=160u64 {
            for r in 1..t as Qty {
                let per = Per::new(r, t);
                assert_eq!(per.width, SHORT);
                for q in 0..=t as Qty {
                    assert_eq!(per.floor(q), want(q, r, t), "q={q} r={r} t={t}");
                }
            }
        }
        let mut rng = ChaCha8Rng::seed_from_u64(16);
        for t in [(1u64 << 16) - 2, (1 << 16) - 1, 1 << 16] {
            let mut rs = vec![1, 2, 3, t / 2 - 1, t / 2, t / 2 + 1, t - 3, t - 2, t - 1];
            rs.extend((0..8).map(|_| rng.random_range(1..t)));
            for r in rs {
                let per = Per::new(r as Qty, t);
                assert_eq!(per.width, SHORT);
                let qty: Vec<Qty> = (0..=t as Qty).collect();
                for &q in &qty {
                    assert_eq!(per.floor(q), want(q, r as Qty, t), "q={q} r={r} t={t}");
                }
                let sum: u64 = qty.iter().map(|&q| u64::from(want(q, r as Qty, t))).sum();
                if sum < u64::from(u32::MAX) {
                    assert_eq!(u64::from(per.sum_floors::<SHORT>(&qty)), sum);
                }
            }
        }
        assert_eq!(Per::new(1, (1 << 16) + 1).width, NARROW);
    }

    /// The chunked walk visits exactly the entries a one-by-one test
    /// would, in order, across chunk edges, short tails and the values at
    /// the edges of the signed offset, and stops where told.
    #[test]
    fn walk_above_visits_what_a_test_per_entry_would() {
        let mut rng = ChaCha8Rng::seed_from_u64(8);
        let values = [0, 1, 2, 0x7FFF_FFFF, 0x8000_0000, 0x8000_0001, Qty::MAX - 1, Qty::MAX];
        for _ in 0..20_000 {
            let n = rng.random_range(0..40);
            let mut qty: Vec<Qty> = (0..n)
                .map(|_| {
                    if rng.random_bool(0.5) {
                        values[rng.random_range(0..values.len())]
                    } else {
                        rng.random_range(0..9)
                    }
                })
                .collect();
            let t =
                if rng.random_bool(0.5) { values[rng.random_range(0..values.len())] } else { rng.random_range(0..9) };
            let from = rng.random_range(0..=n);
            let stop_after = rng.random_range(1..=n.max(1));
            let want: Vec<usize> = (from..n).filter(|&j| qty[j] > t).take(stop_after).collect();
            let mut seen = Vec::new();
            let end = walk_above(&mut qty, from, t, |_, j| {
                seen.push(j);
                seen.len() < stop_after
            });
            assert_eq!(seen, want, "t={t} from={from} qty={qty:?}");
            let stopped = want.len() == stop_after;
            assert_eq!(end, if stopped { want[want.len() - 1] + 1 } else { n });
        }
    }
}
