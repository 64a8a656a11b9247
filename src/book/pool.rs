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

    /// Takes a slot for a new order: returns its index and the slot, whose
    /// generation is already the order's (odd) and whose every other field
    /// is stale, for the caller to set, field by field.
    ///
    /// Field by field, not as a whole `Slot` built beforehand: the compiler
    /// builds such a value on the stack in pieces and copies it in wide
    /// loads, which cannot be forwarded from the narrow stores that made it,
    /// and the replay stalled on that copy (perf, `cargo bench --bench book`).
    #[inline]
    pub(crate) fn alloc(&mut self) -> (u32, &mut Slot) {
        self.live += 1;
        if self.free != NIL {
            let idx = self.free;
            let slot = &mut self.slots[idx as usize];
            self.free = slot.next;
            slot.generation = slot.generation.wrapping_add(1);
            (idx, slot)
        } else {
            self.grow()
        }
    }

    /// Cold path: only reached when more orders rest than ever before, so the
    /// amortised `Vec` growth stays out of the inlined hot path.
    #[cold]
    #[inline(never)]
    fn grow(&mut self) -> (u32, &mut Slot) {
        let idx = self.slots.len();
        assert!(idx < NIL as usize, "order pool exhausted");
        self.slots.push(Slot {
            next: NIL,
            prev: NIL,
            generation: 1,
            price: 0,
            remaining: 0,
            qty: 0,
            owner: 0,
            side: Side::Buy,
            aon: false,
            grouped: false,
            tag: 0,
        });
        (idx as u32, &mut self.slots[idx])
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

    /// Allocates a slot for an order tagged `tag`: (index, generation).
    fn put(p: &mut Pool, tag: u64) -> (u32, u32) {
        let (idx, s) = p.alloc();
        s.tag = tag;
        (idx, s.generation)
    }

    #[test]
    fn slot_is_40_bytes() {
        assert_eq!(std::mem::size_of::<Slot>(), 40);
    }

    #[test]
    fn reuse_bumps_generation() {
        let mut p = Pool::with_capacity(1);
        let (a, ga) = put(&mut p, 1);
        assert_eq!((a, ga), (0, 1));
        assert!(p.lookup(a, ga).is_some());
        p.free(a);
        assert!(p.lookup(a, ga).is_none());
        // Free slot: even generation is never a valid handle.
        assert!(p.lookup(a, ga + 1).is_none());
        let (b, gb) = put(&mut p, 2);
        assert_eq!((b, gb), (0, 3));
        assert!(p.lookup(a, ga).is_none());
        assert_eq!(p.lookup(b, gb).map(|s| s.tag), Some(2));
        // Beyond capacity the pool grows.
        let (c, _) = put(&mut p, 3);
        assert_eq!(c, 1);
        assert_eq!(p.live(), 2);
        assert!(p.lookup(99, 1).is_none());
    }
}
