//! Agent wake-ups, kept in a timing wheel whose buckets are one lookahead wide.
//!
//! A bucket [kL, (k+1)L) is exactly a set of agents that may decide together:
//! the earliest of them wakes at t0 >= kL, so every order they send arrives at
//! or after t0 + L >= (k+1)L, after the last of them has decided. Taking whole
//! buckets replaces a heap pop per wake-up (the run's hottest spot when it was
//! a heap) with an O(1) push and a sort of each small batch.
//!
//! Two levels keep the wheel small enough to stay in cache: 256 fine buckets
//! for the current block of 256 lookaheads, 256 coarse buckets for the blocks
//! after it (cascaded into fine buckets when their block comes up), and an
//! overflow heap for anything further ahead.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

const BITS: u32 = 8;
const SPAN: i64 = 1 << BITS;
const MASK: i64 = SPAN - 1;

pub struct WakeWheel {
    width: i64,
    fine: Vec<Vec<(i64, u32)>>,
    coarse: Vec<Vec<(i64, u32)>>,
    /// Absolute fine-bucket index (time / width) of the earliest bucket that may be non-empty.
    cursor: i64,
    in_fine: usize,
    in_coarse: usize,
    overflow: BinaryHeap<Reverse<(i64, u32)>>,
    /// The earliest wake-up, while known (pushes keep it, a take forgets it).
    earliest: Option<i64>,
}

impl WakeWheel {
    pub fn new(width: i64) -> WakeWheel {
        WakeWheel {
            width: width.max(1),
            fine: (0..SPAN).map(|_| Vec::new()).collect(),
            coarse: (0..SPAN).map(|_| Vec::new()).collect(),
            cursor: 0,
            in_fine: 0,
            in_coarse: 0,
            overflow: BinaryHeap::new(),
            earliest: None,
        }
    }

    /// Starts an empty wheel at time `t`: nothing may be pushed before it.
    pub fn start_at(&mut self, t: i64) {
        debug_assert!(self.is_empty(), "restarting a wheel that still holds wake-ups");
        self.cursor = t / self.width;
    }

    pub fn is_empty(&self) -> bool {
        self.in_fine == 0 && self.in_coarse == 0 && self.overflow.is_empty()
    }

    /// Schedules agent `id` at `t`, which must not be before the bucket
    /// last taken (or the start).
    #[inline]
    pub fn push(&mut self, t: i64, id: u32) {
        let b = t / self.width;
        assert!(b >= self.cursor, "wake-up scheduled before the wheel's current bucket");
        self.place(b, (t, id));
        if self.earliest.is_some_and(|e| t < e) {
            self.earliest = Some(t);
        }
    }

    #[inline]
    fn place(&mut self, b: i64, entry: (i64, u32)) {
        let blocks_ahead = (b >> BITS) - (self.cursor >> BITS);
        if blocks_ahead == 0 {
            self.fine[(b & MASK) as usize].push(entry);
            self.in_fine += 1;
        } else if blocks_ahead < SPAN {
            self.coarse[((b >> BITS) & MASK) as usize].push(entry);
            self.in_coarse += 1;
        } else {
            self.overflow.push(Reverse(entry));
        }
    }

    /// Moves the cursor to the earliest non-empty fine bucket; false if none.
    fn settle(&mut self) -> bool {
        loop {
            if self.in_fine > 0 {
                while self.fine[(self.cursor & MASK) as usize].is_empty() {
                    self.cursor += 1;
                }
                return true;
            }
            // The current block is done: move to the next block that holds anything.
            let next_block = if self.in_coarse > 0 {
                let mut block = (self.cursor >> BITS) + 1;
                while self.coarse[(block & MASK) as usize].is_empty() {
                    block += 1;
                }
                block
            } else if let Some(&Reverse((t, _))) = self.overflow.peek() {
                (t / self.width) >> BITS
            } else {
                return false;
            };
            self.cursor = next_block << BITS;
            let mut cascade = std::mem::take(&mut self.coarse[(next_block & MASK) as usize]);
            self.in_coarse -= cascade.len();
            for &(t, id) in &cascade {
                self.place(t / self.width, (t, id));
            }
            cascade.clear();
            self.coarse[(next_block & MASK) as usize] = cascade;
            while let Some(&Reverse((t, id))) = self.overflow.peek() {
                if ((t / self.width) >> BITS) - next_block >= SPAN {
                    break;
                }
                self.overflow.pop();
                self.place(t / self.width, (t, id));
            }
        }
    }

    /// Time of the earliest wake-up.
    pub fn peek_time(&mut self) -> Option<i64> {
        if self.earliest.is_none() {
            if !self.settle() {
                return None;
            }
            self.earliest = self.fine[(self.cursor & MASK) as usize].iter().map(|&(t, _)| t).min();
        }
        self.earliest
    }

    /// Takes the earliest bucket into `out` (cleared first), sorted by (time, agent).
    pub fn take_bucket(&mut self, out: &mut Vec<(i64, u32)>) {
        out.clear();
        self.earliest = None;
        if !self.settle() {
            return;
        }
        std::mem::swap(out, &mut self.fine[(self.cursor & MASK) as usize]);
        self.in_fine -= out.len();
        out.sort_unstable();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_come_out_in_time_order_and_sorted() {
        let mut w = WakeWheel::new(10);
        w.start_at(0);
        for (t, id) in [(35, 1), (31, 2), (12, 3), (19, 4), (12, 0), (10 * SPAN * SPAN + 5, 9)] {
            w.push(t, id);
        }
        let mut out = Vec::new();
        assert_eq!(w.peek_time(), Some(12));
        w.take_bucket(&mut out);
        assert_eq!(out, [(12, 0), (12, 3), (19, 4)]);
        // A wake-up pushed into the bucket being worked on is taken next.
        w.push(18, 5);
        w.take_bucket(&mut out);
        assert_eq!(out, [(18, 5)]);
        w.take_bucket(&mut out);
        assert_eq!(out, [(31, 2), (35, 1)]);
        assert_eq!(w.peek_time(), Some(10 * SPAN * SPAN + 5), "from the overflow heap");
        w.take_bucket(&mut out);
        assert_eq!(out, [(10 * SPAN * SPAN + 5, 9)]);
        assert!(w.is_empty());
        assert_eq!(w.peek_time(), None);
    }

    #[test]
    fn overflow_moves_into_the_ring_in_order() {
        let mut w = WakeWheel::new(1);
        w.start_at(0);
        let far = SPAN * SPAN + 3;
        w.push(0, 0);
        w.push(far, 1);
        w.push(far - 1, 2);
        let mut out = Vec::new();
        let mut seen = Vec::new();
        while !w.is_empty() {
            w.take_bucket(&mut out);
            seen.extend(out.iter().copied());
        }
        assert_eq!(seen, [(0, 0), (far - 1, 2), (far, 1)]);
    }
}
