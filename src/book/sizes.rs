//! Price–size–time priority: how a level keeps its orders by remaining
//! quantity (largest first), then by time priority.
//!
//! A level sorts its orders in only when it has to: a new order is appended
//! to the level's *arrival queue* (its `head`/`tail`, linked through the
//! pool's slots exactly as a price–time queue), and is sorted in by size the
//! first time an incoming order walks the level (or a dry run, or a
//! [`crate::book::Book::clear`], needs its order). Most orders in a busy book
//! are cancelled before any walk reaches their price, and those never touch
//! the index below: arriving and cancelling cost what they cost under
//! price–time. Each order's [`Slot::grouped`] says which of the two it is in.
//!
//! Sorted orders are kept in one queue per remaining quantity present (a
//! *group*), linked through the slots in time priority, and an index of the
//! groups: which quantities are present, and the first and last order of
//! each. The level's priority order is its groups from the largest quantity
//! down, each from its first order, and the greedy walk moves on to the next
//! group below through the index. So:
//! * sorting an order in appends it to its group, touching one other order
//!   (the last of the group);
//! * a departing sorted order unlinks from its neighbours in its group and
//!   rewrites its group's ends.
//!
//! Quantities below [`SMALL`] (the usual case: lots) have an entry each in a
//! table with a bitmap of those present, so every step is O(1); larger ones
//! are kept in a short sorted vector.
//!
//! Within a group orders are sorted by their time stamp, given when the order
//! is sorted in. The arrival queue is in time priority and is sorted in
//! whole, in its order, so stamps follow time priority within a level, and a
//! new stamp is larger than every other there: a sorted-in order goes to the
//! end of its group. Only an order that keeps its stamp while its quantity
//! drops (a partial fill, a reduction) walks back over the later orders of
//! its new group.
//!
//! A level's table (1 KiB) is allocated when orders are first sorted in at
//! that price, and kept for the life of the book; `Level::table` names it.

use super::Qty;
use super::ladder::Level;
use super::pool::{NIL, Slot};
use std::hint::select_unpredictable;

/// Quantities below this are indexed by a table; the others by a vector.
const SMALL: Qty = 128;
const WORDS: usize = SMALL as usize / 64;

/// First and last order of a group, in time priority.
#[derive(Clone, Copy, Debug)]
struct Ends {
    first: u32,
    last: u32,
}

/// One level's index of its groups. The bitmap shares its cache line with
/// the first entries (`repr(C)` keeps it first).
#[derive(Clone, Copy, Debug)]
#[repr(C)]
struct Table {
    /// Bit `q` set: quantity `q < SMALL` has a group.
    present: [u64; WORDS],
    /// How many groups of quantities from `SMALL` up the level has (in
    /// `Sizes::large`), so that a walk need not look there when none.
    large: u32,
    /// By quantity `q < SMALL`: its group, where `present` says so.
    small: [Ends; SMALL as usize],
}

#[derive(Clone, Debug)]
pub(crate) struct Sizes {
    /// The levels' tables, in the order levels were first used
    /// (`Level::table` indexes them).
    tables: Vec<Table>,
    /// The levels' larger quantities (ascending, with their groups), likewise.
    large: Vec<Vec<(Qty, Ends)>>,
    /// Time stamp of the order in each pool slot.
    stamps: Vec<u64>,
    /// Next stamp to hand out.
    clock: u64,
}

impl Sizes {
    pub(crate) fn new() -> Sizes {
        Sizes { tables: Vec::new(), large: Vec::new(), stamps: Vec::new(), clock: 0 }
    }

    /// The group of quantity `q` in level table `t`, if there is one.
    #[inline(always)]
    fn group(&mut self, t: usize, q: Qty) -> Option<&mut Ends> {
        if q < SMALL {
            let table = &mut self.tables[t];
            let present = table.present[q as usize / 64] & (1 << (q % 64)) != 0;
            present.then(|| &mut table.small[q as usize])
        } else {
            let large = &mut self.large[t];
            let k = large.partition_point(|&(s, _)| s < q);
            large.get_mut(k).filter(|(s, _)| *s == q).map(|(_, e)| e)
        }
    }

    /// Makes `idx` the only order of a new group of quantity `q`.
    #[inline(always)]
    fn add_group(&mut self, t: usize, q: Qty, idx: u32) {
        let ends = Ends { first: idx, last: idx };
        let table = &mut self.tables[t];
        if q < SMALL {
            table.present[q as usize / 64] |= 1 << (q % 64);
            table.small[q as usize] = ends;
        } else {
            table.large += 1;
            let large = &mut self.large[t];
            let k = large.partition_point(|&(s, _)| s < q);
            large.insert(k, (q, ends));
        }
    }

    #[inline(always)]
    fn drop_group(&mut self, t: usize, q: Qty) {
        let table = &mut self.tables[t];
        if q < SMALL {
            table.present[q as usize / 64] &= !(1 << (q % 64));
        } else {
            table.large -= 1;
            let large = &mut self.large[t];
            let k = large.partition_point(|&(s, _)| s < q);
            large.remove(k);
        }
    }

    /// The table of level `lvl`, made on its first use.
    #[inline(always)]
    fn table_of(&mut self, lvl: &mut Level) -> usize {
        if lvl.table == NIL {
            self.new_table(lvl);
        }
        lvl.table as usize
    }

    /// Only when an order first rests at a price.
    #[cold]
    #[inline(never)]
    fn new_table(&mut self, lvl: &mut Level) {
        lvl.table = self.tables.len() as u32;
        let none = Ends { first: NIL, last: NIL };
        self.tables.push(Table { present: [0; WORDS], large: 0, small: [none; SMALL as usize] });
        self.large.push(Vec::new());
    }

    /// The first sorted order of level `lvl` in priority order (`NIL` if
    /// none): the first of its largest group.
    #[inline(always)]
    pub(crate) fn first(&self, lvl: &Level) -> u32 {
        if lvl.table == NIL {
            return NIL;
        }
        let t = lvl.table as usize;
        if self.tables[t].large != 0
            && let Some(&(_, e)) = self.large[t].last()
        {
            return e.first;
        }
        self.small_below(t, SMALL)
    }

    /// The sorted order after one with `q` lots and `next` as the next in its
    /// group: that one, or else the first of the next smaller group (`NIL`
    /// after the last). The order itself may have left its group already.
    #[inline(always)]
    pub(crate) fn after(&self, lvl: &Level, next: u32, q: Qty) -> u32 {
        if next != NIL {
            return next;
        }
        let t = lvl.table as usize;
        if q > SMALL {
            let large = &self.large[t];
            let k = large.partition_point(|&(s, _)| s < q);
            if k > 0 {
                return large[k - 1].1.first;
            }
        }
        self.small_below(t, q.min(SMALL))
    }

    /// The first order of the largest small group below `q <= SMALL`.
    #[inline(always)]
    fn small_below(&self, t: usize, q: Qty) -> u32 {
        let table = &self.tables[t];
        let [low, high] = table.present;
        let bits = (u128::from(high) << 64 | u128::from(low)) & if q < SMALL { (1 << q) - 1 } else { !0 };
        if bits == 0 {
            return NIL;
        }
        table.small[127 - bits.leading_zeros() as usize].first
    }

    /// Sorts in the orders of level `lvl`'s arrival queue, in its order,
    /// and empties it. Leaves the level's totals alone.
    #[inline]
    pub(crate) fn sort_in(&mut self, lvl: &mut Level, slots: &mut [Slot]) {
        let mut cur = lvl.head;
        if cur == NIL {
            return;
        }
        let t = self.table_of(lvl);
        while cur != NIL {
            let next = slots[cur as usize].next;
            self.group_in(t, slots, cur);
            cur = next;
        }
        lvl.head = NIL;
        lvl.tail = NIL;
    }

    /// Stamps slot `idx` (remaining quantity set, in no queue) as the latest
    /// of table `t`'s level and appends it to its quantity's group.
    #[inline(always)]
    fn group_in(&mut self, t: usize, slots: &mut [Slot], idx: u32) {
        let i = idx as usize;
        if self.stamps.len() <= i {
            self.stamps.resize(i + 1, 0);
        }
        self.stamps[i] = self.clock;
        self.clock += 1;
        slots[i].grouped = true;
        let q = slots[i].remaining;
        let prev = if q < SMALL {
            // Without branches on whether the group is new (about half the
            // time): a new group's first order is `idx`, a present one's is
            // kept, and the link to `idx` is written into `idx` itself when
            // there is no last order to write it into.
            let (w, bit) = (q as usize / 64, 1 << (q % 64));
            let table = &mut self.tables[t];
            let present = table.present[w] & bit != 0;
            table.present[w] |= bit;
            let e = &mut table.small[q as usize];
            let prev = select_unpredictable(present, e.last, NIL);
            e.first = select_unpredictable(present, e.first, idx);
            e.last = idx;
            slots[select_unpredictable(present, prev, idx) as usize].next = idx;
            prev
        } else {
            match self.group(t, q) {
                Some(e) => std::mem::replace(&mut e.last, idx),
                None => {
                    self.add_group(t, q, idx);
                    NIL
                }
            }
        };
        if prev != NIL && q >= SMALL {
            slots[prev as usize].next = idx;
        }
        slots[i].prev = prev;
        slots[i].next = NIL;
    }

    /// Links sorted slot `idx` back into level `lvl` after its remaining
    /// quantity dropped (and [`Sizes::remove`]), keeping its time stamp:
    /// among the orders of its new quantity, behind those stamped before it.
    /// Leaves the totals alone.
    pub(crate) fn relink(&mut self, lvl: &mut Level, slots: &mut [Slot], idx: u32) {
        let i = idx as usize;
        let (q, stamp) = (slots[i].remaining, self.stamps[i]);
        let t = self.table_of(lvl);
        let Some(&mut Ends { first, last }) = self.group(t, q) else {
            self.add_group(t, q, idx);
            slots[i].prev = NIL;
            slots[i].next = NIL;
            return;
        };
        // Back from the group's end past every later stamp.
        let mut after = last;
        while after != NIL && self.stamps[after as usize] > stamp {
            after = slots[after as usize].prev;
        }
        let next = if after == NIL { first } else { slots[after as usize].next };
        slots[i].prev = after;
        slots[i].next = next;
        if after != NIL {
            slots[after as usize].next = idx;
        }
        if next != NIL {
            slots[next as usize].prev = idx;
        }
        if let Some(e) = self.group(t, q) {
            if after == NIL {
                e.first = idx;
            }
            if next == NIL {
                e.last = idx;
            }
        }
    }

    /// Unlinks sorted slot `idx` of level `lvl`, with `q` lots and `prev` and
    /// `next` as neighbours in its group. Leaves the level's totals alone.
    #[inline(always)]
    pub(crate) fn remove(&mut self, lvl: &Level, slots: &mut [Slot], idx: u32, prev: u32, next: u32, q: Qty) {
        let (first, last) = (prev == NIL, next == NIL);
        let t = lvl.table as usize;
        if q < SMALL {
            // Without branches on where in its group the order is (small
            // groups make that unpredictable): a link with no neighbour to
            // go to is written into the departing slot itself, and the
            // group's ends and bit are rewritten whether they change or not.
            slots[select_unpredictable(first, idx, prev) as usize].next = next;
            slots[select_unpredictable(last, idx, next) as usize].prev = prev;
            let table = &mut self.tables[t];
            let e = &mut table.small[q as usize];
            e.first = select_unpredictable(first, next, e.first);
            e.last = select_unpredictable(last, prev, e.last);
            table.present[q as usize / 64] &= !(((first & last) as u64) << (q % 64));
            return;
        }
        if !first {
            slots[prev as usize].next = next;
        }
        if !last {
            slots[next as usize].prev = prev;
        }
        if first && last {
            self.drop_group(t, q);
        } else if let Some(e) = self.group(t, q) {
            if first {
                e.first = next;
            } else if last {
                e.last = prev;
            }
        }
    }

    /// The orders of level `lvl` in priority order, into `out`, without
    /// sorting anything in (for [`crate::book::Book::orders`]): the sorted
    /// orders, with those of the arrival queue merged in, each behind the
    /// sorted ones of its quantity.
    pub(crate) fn level_order(&self, lvl: &Level, slots: &[Slot], out: &mut Vec<u32>) {
        let mut arrivals = Vec::new();
        let mut cur = lvl.head;
        while cur != NIL {
            arrivals.push(cur);
            cur = slots[cur as usize].next;
        }
        // Stable: arrival order within a quantity.
        arrivals.sort_by_key(|&a| std::cmp::Reverse(slots[a as usize].remaining));
        let mut arrivals = arrivals.into_iter().peekable();
        let mut cur = self.first(lvl);
        while cur != NIL {
            let q = slots[cur as usize].remaining;
            while let Some(a) = arrivals.next_if(|&a| slots[a as usize].remaining > q) {
                out.push(a);
            }
            out.push(cur);
            cur = self.after(lvl, slots[cur as usize].next, q);
            let next_q = if cur == NIL { 0 } else { slots[cur as usize].remaining };
            if next_q != q {
                // The group of `q` is done: arrivals of `q` go behind it.
                while let Some(a) = arrivals.next_if(|&a| slots[a as usize].remaining == q) {
                    out.push(a);
                }
            }
        }
        out.extend(arrivals);
    }

    /// Forgets the groups of level `lvl` (the book empties it wholesale, its
    /// arrival queue included).
    pub(crate) fn clear_level(&mut self, lvl: &Level) {
        if lvl.table != NIL {
            let table = &mut self.tables[lvl.table as usize];
            table.present = [0; WORDS];
            table.large = 0;
            self.large[lvl.table as usize].clear();
        }
    }

    /// Whether level `lvl` has no groups (for tests).
    #[cfg(test)]
    pub(crate) fn level_is_empty(&self, lvl: &Level) -> bool {
        lvl.table == NIL
            || (self.tables[lvl.table as usize].present == [0; WORDS] && self.large[lvl.table as usize].is_empty())
    }
}
