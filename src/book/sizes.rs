//! Price–size–time priority: the index that keeps each level's queue sorted
//! by remaining quantity (largest first), then by time priority.
//!
//! A level's orders stay in its doubly linked queue, in priority order; the
//! orders of one remaining quantity (a *group*) are contiguous in it. Each
//! level also has an index of its groups, giving the first and the last order
//! of each, and which quantities are present. So a new order's place is known
//! without walking the queue (right behind the last order of its quantity,
//! or of the next larger one), and a departing order updates its group from
//! the index alone. Quantities below [`SMALL`] (the usual case: lots) have an
//! entry each in a table with a bitmap of those present, so every step is
//! O(1); larger ones are kept in a short sorted vector.
//!
//! Within a group orders are sorted by their time stamp. A new stamp is
//! larger than every other, so a new order goes to the end of its group; only
//! an order that keeps its stamp while its quantity drops (a partial fill, a
//! reduction) walks back over the later orders of its new group.
//!
//! A level's table (1 KiB) is allocated when an order first rests at that
//! price, and kept for the life of the book; `Level::table` names it.

use super::Qty;
use super::ladder::Level;
use super::pool::{NIL, Slot};

/// Quantities below this are indexed by a table; the others by a vector.
const SMALL: Qty = 128;
const WORDS: usize = SMALL as usize / 64;

/// First and last order of a group, in queue order.
#[derive(Clone, Copy, Debug)]
struct Ends {
    first: u32,
    last: u32,
}

/// One level's groups of small quantities. The bitmap shares its cache line
/// with the first entries (`repr(C)` keeps it first).
#[derive(Clone, Copy, Debug)]
#[repr(C)]
struct Table {
    /// Bit `q` set: quantity `q < SMALL` has a group.
    present: [u64; WORDS],
    /// By quantity: its group, where `present` says so.
    small: [Ends; SMALL as usize],
}

/// The groups of one level: its table of small quantities and its larger
/// quantities (ascending, with their groups).
struct Groups<'a> {
    table: &'a mut Table,
    large: &'a mut Vec<(Qty, Ends)>,
}

impl Groups<'_> {
    /// The group of quantity `q`, if there is one.
    #[inline]
    fn get(&mut self, q: Qty) -> Option<&mut Ends> {
        if q < SMALL {
            let present = self.table.present[q as usize / 64] & (1 << (q % 64)) != 0;
            present.then(|| &mut self.table.small[q as usize])
        } else {
            let k = self.large.partition_point(|&(s, _)| s < q);
            self.large.get_mut(k).filter(|(s, _)| *s == q).map(|(_, e)| e)
        }
    }

    #[inline]
    fn insert(&mut self, q: Qty, ends: Ends) {
        if q < SMALL {
            self.table.present[q as usize / 64] |= 1 << (q % 64);
            self.table.small[q as usize] = ends;
        } else {
            let k = self.large.partition_point(|&(s, _)| s < q);
            self.large.insert(k, (q, ends));
        }
    }

    #[inline]
    fn remove(&mut self, q: Qty) {
        if q < SMALL {
            self.table.present[q as usize / 64] &= !(1 << (q % 64));
        } else {
            let k = self.large.partition_point(|&(s, _)| s < q);
            self.large.remove(k);
        }
    }

    /// The group of the largest quantity below `q`.
    #[inline]
    fn below(&self, q: Qty) -> Option<Ends> {
        if q > SMALL {
            let k = self.large.partition_point(|&(s, _)| s < q);
            if k > 0 {
                return Some(self.large[k - 1].1);
            }
        }
        // Small quantities below min(q, SMALL): the highest bit present.
        let top = q.min(SMALL) as usize;
        for w in (0..top.div_ceil(64)).rev() {
            let word = self.table.present[w];
            let bits = if w == top / 64 { word & ((1 << (top % 64)) - 1) } else { word };
            if bits != 0 {
                return Some(self.table.small[w * 64 + 63 - bits.leading_zeros() as usize]);
            }
        }
        None
    }

    /// The group of the smallest quantity above `q`.
    #[inline]
    fn above(&self, q: Qty) -> Option<Ends> {
        if q < SMALL - 1 {
            let from = q as usize + 1;
            for w in from / 64..WORDS {
                let word = self.table.present[w];
                let bits = if w == from / 64 { word & (!0 << (from % 64)) } else { word };
                if bits != 0 {
                    return Some(self.table.small[w * 64 + bits.trailing_zeros() as usize]);
                }
            }
        }
        let k = self.large.partition_point(|&(s, _)| s <= q);
        self.large.get(k).map(|&(_, e)| e)
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Sizes {
    /// The levels' tables of small quantities, in the order levels were
    /// first used (`Level::table` indexes them).
    tables: Vec<Table>,
    /// The levels' larger quantities, likewise.
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

    /// The groups of level `lvl`, which gets its table on first use.
    #[inline]
    fn groups<'a>(tables: &'a mut Vec<Table>, large: &'a mut Vec<Vec<(Qty, Ends)>>, lvl: &mut Level) -> Groups<'a> {
        if lvl.table == NIL {
            lvl.table = tables.len() as u32;
            tables.push(Table { present: [0; WORDS], small: [Ends { first: NIL, last: NIL }; SMALL as usize] });
            large.push(Vec::new());
        }
        let t = lvl.table as usize;
        Groups { table: &mut tables[t], large: &mut large[t] }
    }

    /// Links slot `idx` (side, price and remaining quantity set, not in any
    /// level) into level `lvl`'s queue as the latest arrival: at the end of
    /// its quantity's group. Leaves the level's totals alone.
    #[inline]
    pub(crate) fn link_new(&mut self, lvl: &mut Level, slots: &mut [Slot], idx: u32) {
        let i = idx as usize;
        if self.stamps.len() <= i {
            self.stamps.resize(i + 1, 0);
        }
        self.stamps[i] = self.clock;
        self.clock += 1;
        let q = slots[i].remaining;
        let mut g = Sizes::groups(&mut self.tables, &mut self.large, lvl);
        // Behind the last order of its quantity, or of the next larger one,
        // and ahead of the first of the next smaller one: both neighbours
        // come from the table, so linking only writes to their slots (reading
        // a neighbour's link would wait on a slot that may be far from cache).
        let next = g.below(q).map_or(NIL, |e| e.first);
        let after = match g.get(q) {
            Some(e) => std::mem::replace(&mut e.last, idx),
            None => {
                let after = g.above(q).map_or(NIL, |e| e.last);
                g.insert(q, Ends { first: idx, last: idx });
                after
            }
        };
        insert_between(lvl, slots, after, next, idx);
    }

    /// Links slot `idx` back into level `lvl`'s queue after its remaining
    /// quantity changed, keeping its time stamp: among the orders of its new
    /// quantity, behind those stamped before it. Leaves the totals alone.
    pub(crate) fn link_again(&mut self, lvl: &mut Level, slots: &mut [Slot], idx: u32) {
        let i = idx as usize;
        let (q, stamp) = (slots[i].remaining, self.stamps[i]);
        let mut g = Sizes::groups(&mut self.tables, &mut self.large, lvl);
        let after = match g.get(q) {
            Some(e) => {
                // Back from the group's end past every later stamp.
                let mut after = e.last;
                let mut passed_first = false;
                while !passed_first && self.stamps[after as usize] > stamp {
                    passed_first = after == e.first;
                    after = slots[after as usize].prev;
                }
                if after == e.last {
                    e.last = idx;
                }
                if passed_first {
                    e.first = idx;
                }
                after
            }
            None => {
                let after = g.above(q).map_or(NIL, |e| e.last);
                g.insert(q, Ends { first: idx, last: idx });
                after
            }
        };
        insert_after(lvl, slots, after, idx);
    }

    /// Unlinks slot `idx` from level `lvl`'s queue; the slot's fields still
    /// say where it rests. Leaves the level's totals alone.
    #[inline]
    pub(crate) fn unlink(&mut self, lvl: &mut Level, slots: &mut [Slot], idx: u32) {
        let s = slots[idx as usize];
        let mut g = Sizes::groups(&mut self.tables, &mut self.large, lvl);
        let e = g.get(s.remaining).expect("resting order has a size group");
        match (e.first == idx, e.last == idx) {
            (true, true) => g.remove(s.remaining),
            (true, false) => e.first = s.next,
            (false, true) => e.last = s.prev,
            (false, false) => {}
        }
        super::price_time::unlink(lvl, slots, s.prev, s.next);
    }

    /// Forgets the groups of level `lvl` (the book empties it wholesale).
    pub(crate) fn clear_level(&mut self, lvl: &Level) {
        if lvl.table != NIL {
            self.tables[lvl.table as usize].present = [0; WORDS];
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

/// Links `idx` into `lvl`'s queue right after `after` (`NIL`: at the head).
#[inline]
fn insert_after(lvl: &mut Level, slots: &mut [Slot], after: u32, idx: u32) {
    let next = if after == NIL { lvl.head } else { slots[after as usize].next };
    insert_between(lvl, slots, after, next, idx);
}

/// Links `idx` into `lvl`'s queue between neighbours `after` and `next`
/// (`NIL`: the head, the tail).
#[inline]
fn insert_between(lvl: &mut Level, slots: &mut [Slot], after: u32, next: u32, idx: u32) {
    {
        let s = &mut slots[idx as usize];
        s.prev = after;
        s.next = next;
    }
    if after == NIL {
        lvl.head = idx;
    } else {
        slots[after as usize].next = idx;
    }
    if next == NIL {
        lvl.tail = idx;
    } else {
        slots[next as usize].prev = idx;
    }
}
