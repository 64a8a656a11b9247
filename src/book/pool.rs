//! Preallocated slab of resting orders with a free list and per-slot generations.
//!
//! Slots are addressed by `u32` index so the FIFO links of a price level are
//! half the size of pointers, and the whole resting population stays dense in
//! one `Vec` (cache friendly, no allocation per order). A slot's generation is
//! odd while it holds an order and even while free; it is bumped on every
//! allocation and release, so an `OrderId` (generation << 32 | index) of an
//! order that has gone no longer matches, and no id-to-slot map is needed.

use super::Side;

/// Null link; `u32::MAX` can never be a slot index because indices come from
/// a `Vec` whose length is checked against it.
pub(crate) const NIL: u32 = u32::MAX;

/// One resting order. Kept at 40 bytes: the walk over a level touches one of
/// these per order, so size is cache traffic.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Slot {
    pub(crate) next: u32,
    pub(crate) prev: u32,
    pub(crate) generation: u32,
    pub(crate) price: u32,
    pub(crate) remaining: u32,
    pub(crate) qty: u32,
    pub(crate) owner: u32,
    pub(crate) side: Side,
    pub(crate) aon: bool,
    /// Price–size–time only: the order is sorted into its level's size
    /// groups (else it is still in the level's arrival queue; see `sizes`).
    pub(crate) grouped: bool,
    pub(crate) tag: u64,
}

#[derive(Clone, Debug)]
pub(crate) struct Pool {
    pub(crate) slots: Vec<Slot>,
    /// Head of the free list, threaded through `Slot::next`. LIFO, so the
    /// slot just released (still in cache) is the next one handed out.
    free: u32,
    live: usize,
}

impl Pool {
    pub(crate) fn with_capacity(capacity: usize) -> Pool {
        Pool { slots: Vec::with_capacity(capacity), free: NIL, live: 0 }
    }

    #[inline]
    pub(crate) fn live(&self) -> usize {
        self.live
    }

    /// Stores `s` (its `generation` is ignored) and returns (index, generation).
    #[inline]
    pub(crate) fn alloc(&mut self, mut s: Slot) -> (u32, u32) {
        self.live += 1;
        if self.free != NIL {
            let idx = self.free;
            let slot = &mut self.slots[idx as usize];
            self.free = slot.next;
            s.generation = slot.generation.wrapping_add(1);
            *slot = s;
            (idx, s.generation)
        } else {
            self.grow(s)
        }
    }

    /// Cold path: only reached when more orders rest than ever before, so the
    /// amortised `Vec` growth stays out of the inlined hot path.
    #[cold]
    #[inline(never)]
    fn grow(&mut self, mut s: Slot) -> (u32, u32) {
        let idx = self.slots.len();
        assert!(idx < NIL as usize, "order pool exhausted");
        s.generation = 1;
        self.slots.push(s);
        (idx as u32, 1)
    }

    /// Releases slot `idx`; its links must already be detached by the caller.
    #[inline]
    pub(crate) fn free(&mut self, idx: u32) {
        let slot = &mut self.slots[idx as usize];
        slot.generation = slot.generation.wrapping_add(1);
        slot.next = self.free;
        self.free = idx;
        self.live -= 1;
    }

    /// Index of the live order named by (index, generation), if any.
    #[inline]
    pub(crate) fn lookup(&self, idx: u32, generation: u32) -> Option<&Slot> {
        let s = self.slots.get(idx as usize)?;
        // An even generation is a free slot: a forged handle must not reach it.
        (s.generation == generation && generation & 1 == 1).then_some(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot(tag: u64) -> Slot {
        Slot {
            next: NIL,
            prev: NIL,
            generation: 0,
            price: 0,
            remaining: 1,
            qty: 1,
            owner: 0,
            side: Side::Buy,
            aon: false,
            grouped: false,
            tag,
        }
    }

    #[test]
    fn slot_is_40_bytes() {
        assert_eq!(std::mem::size_of::<Slot>(), 40);
    }

    #[test]
    fn reuse_bumps_generation() {
        let mut p = Pool::with_capacity(1);
        let (a, ga) = p.alloc(slot(1));
        assert_eq!((a, ga), (0, 1));
        assert!(p.lookup(a, ga).is_some());
        p.free(a);
        assert!(p.lookup(a, ga).is_none());
        // Free slot: even generation is never a valid handle.
        assert!(p.lookup(a, ga + 1).is_none());
        let (b, gb) = p.alloc(slot(2));
        assert_eq!((b, gb), (0, 3));
        assert!(p.lookup(a, ga).is_none());
        assert_eq!(p.lookup(b, gb).map(|s| s.tag), Some(2));
        // Beyond capacity the pool grows.
        let (c, _) = p.alloc(slot(3));
        assert_eq!(c, 1);
        assert_eq!(p.live(), 2);
        assert!(p.lookup(99, 1).is_none());
    }
}
