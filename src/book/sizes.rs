//! Price–size–time priority: the index that keeps each level's queue sorted
//! by remaining quantity (largest first), then by time priority.
//!
//! A level's orders stay in its doubly linked queue, in priority order; the
//! orders of one remaining quantity (a *group*) are contiguous in it. Each
//! level also has an index of its groups, giving the first and the last order
//! of each, and which quantities are present. With both ends of every group
//! known, a new order's neighbours in the queue are known without walking it
//! (the last order of the next larger group and the first of the next
//! smaller one), and a departing order updates its group from the index
//! alone. Quantities below [`SMALL`] (the usual case: lots) have a slot each
//! in a table with a bitmap of those present, so every step is O(1); larger
//! ones are kept in a short sorted vector.
//!
//! Within a group orders are sorted by their time stamp. A new stamp is
//! larger than every other, so a new order goes to the end of its group; only
//! an order that keeps its stamp while its quantity drops (a partial fill, a
//! reduction) walks back over the later orders of its new group.
//!
//! A level's table is allocated when an order first rests at that price, and
//! kept (1 KiB) for the life of the book.

use super::pool::{NIL, Slot};
use super::{Level, Qty};

/// Quantities below this are indexed by a table; the others by a vector.
const SMALL: Qty = 128;
const WORDS: usize = SMALL as usize / 64;

/// First and last order of a group, in queue order.
#[derive(Clone, Copy, Debug)]
struct Ends {
    first: u32,
    last: u32,
}

/// Which quantities of one level have a group, and where its table is: one
/// per tick, dense, so that a level's bitmap costs no extra indirection.
#[derive(Clone, Copy, Debug)]
struct Meta {
    /// Bit `q` set: quantity `q < SMALL` has a group.
    present: [u64; WORDS],
    /// Index of the level's tables in `Sizes::small` and `Sizes::large`
    /// (`NIL` until an order first rests at this price).
    table: u32,
}

/// The groups of one level: its `Meta`, its table by small quantity, and its
/// larger quantities (ascending, with their groups).
struct Groups<'a> {
    meta: &'a mut Meta,
    small: &'a mut [Ends; SMALL as usize],
    large: &'a mut Vec<(Qty, Ends)>,
}

impl Groups<'_> {
    /// The group of quantity `q`, if there is one.
    #[inline]
    fn get(&mut self, q: Qty) -> Option<&mut Ends> {
        if q < SMALL {
            let present = self.meta.present[q as usize / 64] & (1 << (q % 64)) != 0;
            present.then(|| &mut self.small[q as usize])
        } else {
            let k = self.large.partition_point(|&(s, _)| s < q);
            self.large.get_mut(k).filter(|(s, _)| *s == q).map(|(_, e)| e)
        }
    }

    #[inline]
    fn insert(&mut self, q: Qty, ends: Ends) {
        if q < SMALL {
            self.meta.present[q as usize / 64] |= 1 << (q % 64);
            self.small[q as usize] = ends;
        } else {
            let k = self.large.partition_point(|&(s, _)| s < q);
            self.large.insert(k, (q, ends));
        }
    }

    #[inline]
    fn remove(&mut self, q: Qty) {
        if q < SMALL {
            self.meta.present[q as usize / 64] &= !(1 << (q % 64));
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
        // Small quantities below min(q, SMALL): highest present bit.
        let top = q.min(SMALL) as usize;
        for w in (0..top.div_ceil(64)).rev() {
            let word = self.meta.present[w];
            let bits = if w == top / 64 { word & ((1 << (top % 64)) - 1) } else { word };
            if bits != 0 {
                return Some(self.small[w * 64 + 63 - bits.leading_zeros() as usize]);
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
                let word = self.meta.present[w];
                let bits = if w == from / 64 { word & (!0 << (from % 64)) } else { word };
                if bits != 0 {
                    return Some(self.small[w * 64 + bits.trailing_zeros() as usize]);
                }
            }
        }
        let k = self.large.partition_point(|&(s, _)| s <= q);
        self.large.get(k).map(|&(_, e)| e)
    }
}

/// Every level's groups.
#[derive(Clone, Debug)]
struct Index {
    /// Per side (`Side as usize`), per tick.
    meta: [Vec<Meta>; 2],
    /// The levels' tables by small quantity, in the order levels were
    /// first used.
    small: Vec<[Ends; SMALL as usize]>,
    /// The levels' larger quantities, likewise.
    large: Vec<Vec<(Qty, Ends)>>,
}

impl Index {
    /// The groups of the level of `s` (its side and price).
    #[inline]
    fn groups(&mut self, s: &Slot) -> Groups<'_> {
        let meta = &mut self.meta[s.side as usize][s.price as usize];
        if meta.table == NIL {
            meta.table = self.small.len() as u32;
            self.small.push([Ends { first: NIL, last: NIL }; SMALL as usize]);
            self.large.push(Vec::new());
        }
        let t = meta.table as usize;
        Groups { meta, small: &mut self.small[t], large: &mut self.large[t] }
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Sizes {
    index: Index,
    /// Time stamp of the order in each pool slot.
    stamps: Vec<u64>,
    /// Next stamp to hand out.
    clock: u64,
}

impl Sizes {
    /// For a book under another rule: nothing allocated, never used.
    pub(crate) fn none() -> Sizes {
        let index = Index { meta: [Vec::new(), Vec::new()], small: Vec::new(), large: Vec::new() };
        Sizes { index, stamps: Vec::new(), clock: 0 }
    }

    pub(crate) fn new(n_ticks: u32) -> Sizes {
        let meta = || vec![Meta { present: [0; WORDS], table: NIL }; n_ticks as usize];
        let index = Index { meta: [meta(), meta()], small: Vec::new(), large: Vec::new() };
        Sizes { index, stamps: Vec::new(), clock: 0 }
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
        let mut g = self.index.groups(&slots[i]);
        // Between the end of the larger quantities and the start of the
        // smaller ones.
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
        let mut g = self.index.groups(&slots[i]);
        let below = g.below(q).map_or(NIL, |e| e.first);
        let (after, next) = match g.get(q) {
            Some(e) => {
                // Back from the group's end past every later stamp.
                let mut after = e.last;
                let mut next = below;
                while next != e.first && self.stamps[after as usize] > stamp {
                    next = after;
                    after = slots[after as usize].prev;
                }
                if next == below {
                    e.last = idx;
                }
                if next == e.first {
                    // Walked past the whole group: ahead of all of it.
                    e.first = idx;
                }
                (after, next)
            }
            None => {
                let after = g.above(q).map_or(NIL, |e| e.last);
                g.insert(q, Ends { first: idx, last: idx });
                (after, below)
            }
        };
        insert_between(lvl, slots, after, next, idx);
    }

    /// Unlinks slot `idx` from level `lvl`'s queue; the slot's fields still
    /// say where it rests. Leaves the level's totals alone.
    #[inline]
    pub(crate) fn unlink(&mut self, lvl: &mut Level, slots: &mut [Slot], idx: u32) {
        let s = slots[idx as usize];
        let mut g = self.index.groups(&s);
        let e = g.get(s.remaining).expect("resting order has a size group");
        match (e.first == idx, e.last == idx) {
            (true, true) => g.remove(s.remaining),
            (true, false) => e.first = s.next,
            (false, true) => e.last = s.prev,
            (false, false) => {}
        }
        super::unlink(lvl, slots, s.prev, s.next);
    }

    /// Forgets the level at `price` on `side` (the book emptied it wholesale).
    pub(crate) fn clear_level(&mut self, side: usize, price: u32) {
        let meta = &mut self.index.meta[side][price as usize];
        meta.present = [0; WORDS];
        if meta.table != NIL {
            self.index.large[meta.table as usize].clear();
        }
    }

    /// Whether the index of the level at `price` on `side` is empty (for
    /// tests).
    #[cfg(test)]
    pub(crate) fn level_is_empty(&self, side: usize, price: u32) -> bool {
        let meta = &self.index.meta[side][price as usize];
        meta.present == [0; WORDS] && (meta.table == NIL || self.index.large[meta.table as usize].is_empty())
    }
}

/// Links `idx` into `lvl`'s queue between `after` and `next`, neighbours
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
