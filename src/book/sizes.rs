//! Price–size–time priority: the index that keeps each level's queue sorted
//! by remaining quantity (largest first), then by arrival.
//!
//! A level's orders stay in its doubly linked queue, in priority order. On
//! top of it each level keeps its *size groups*: one per distinct remaining
//! quantity, naming the first and last order of that quantity in the queue
//! (the orders of one quantity are contiguous). The groups are a small
//! vector sorted by ascending quantity, so the head of the queue belongs to
//! the last group, and finding where an order goes is a binary search over
//! the distinct quantities of its level rather than a walk over its orders.
//! Within a group orders are sorted by their arrival stamp; a new stamp is
//! larger than every other, so a new order simply goes to the end of its
//! group, and only an order that keeps its stamp while its quantity drops (a
//! partial fill, a reduction) needs a walk, over the orders of its new group.

use super::pool::{NIL, Slot};
use super::{Level, Qty};

/// The orders of one level with one remaining quantity: a run of the queue.
#[derive(Clone, Copy, Debug)]
struct Group {
    remaining: Qty,
    first: u32,
    last: u32,
}

#[derive(Clone, Debug)]
pub(crate) struct Sizes {
    /// Per side (`Side as usize`), per tick: the level's groups, ascending
    /// by quantity.
    groups: [Vec<Vec<Group>>; 2],
    /// Arrival stamp of the order in each pool slot (time priority).
    stamps: Vec<u64>,
    /// Next stamp to hand out.
    clock: u64,
}

impl Sizes {
    /// For a book under another rule: nothing allocated, never used.
    pub(crate) fn none() -> Sizes {
        Sizes { groups: [Vec::new(), Vec::new()], stamps: Vec::new(), clock: 0 }
    }

    pub(crate) fn new(n_ticks: u32) -> Sizes {
        Sizes {
            groups: [vec![Vec::new(); n_ticks as usize], vec![Vec::new(); n_ticks as usize]],
            stamps: Vec::new(),
            clock: 0,
        }
    }

    /// Gives the order in slot `idx` the latest arrival stamp.
    #[inline]
    pub(crate) fn stamp(&mut self, idx: u32) {
        let i = idx as usize;
        if self.stamps.len() <= i {
            self.stamps.resize(i + 1, 0);
        }
        self.stamps[i] = self.clock;
        self.clock += 1;
    }

    /// Links slot `idx` (its side, price, remaining quantity and stamp set)
    /// into level `lvl`'s queue at its priority position. Leaves the level's
    /// totals alone.
    pub(crate) fn link(&mut self, lvl: &mut Level, slots: &mut [Slot], idx: u32) {
        let s = &slots[idx as usize];
        let (q, stamp) = (s.remaining, self.stamps[idx as usize]);
        let groups = &mut self.groups[s.side as usize][s.price as usize];
        match groups.binary_search_by(|g| g.remaining.cmp(&q)) {
            Ok(k) => {
                let g = &mut groups[k];
                // Back from the group's end past every later arrival.
                let before_group = slots[g.first as usize].prev;
                let mut after = g.last;
                while after != before_group && self.stamps[after as usize] > stamp {
                    after = slots[after as usize].prev;
                }
                if after == before_group {
                    g.first = idx;
                }
                if after == g.last {
                    g.last = idx;
                }
                insert_after(lvl, slots, after, idx);
            }
            Err(k) => {
                // Right behind the next larger quantity, or at the head.
                let after = groups.get(k).map_or(NIL, |g| g.last);
                groups.insert(k, Group { remaining: q, first: idx, last: idx });
                insert_after(lvl, slots, after, idx);
            }
        }
    }

    /// Unlinks slot `idx` from level `lvl`'s queue (and its group); the
    /// slot's fields still say where it rests. Leaves the level's totals
    /// alone.
    pub(crate) fn unlink(&mut self, lvl: &mut Level, slots: &mut [Slot], idx: u32) {
        let s = slots[idx as usize];
        let groups = &mut self.groups[s.side as usize][s.price as usize];
        let k = groups.binary_search_by(|g| g.remaining.cmp(&s.remaining)).expect("resting order has a size group");
        let g = &mut groups[k];
        match (g.first == idx, g.last == idx) {
            (true, true) => {
                groups.remove(k);
            }
            (true, false) => g.first = s.next,
            (false, true) => g.last = s.prev,
            (false, false) => {}
        }
        super::unlink(lvl, slots, s.prev, s.next);
    }

    /// Forgets every group of the level at `price` on `side` (the book
    /// emptied it wholesale).
    pub(crate) fn clear_level(&mut self, side: usize, price: u32) {
        self.groups[side][price as usize].clear();
    }
}

/// Links `idx` into `lvl`'s queue right after `after` (`NIL`: at the head).
#[inline]
fn insert_after(lvl: &mut Level, slots: &mut [Slot], after: u32, idx: u32) {
    let next = if after == NIL { lvl.head } else { slots[after as usize].next };
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
