//! Agent wake-ups, kept in a timing wheel whose buckets are one lookahead wide.
//!
//! A bucket [kL, (k+1)L) is exactly a set of agents that may decide together:
//! the earliest of them wakes at t0 >= kL, so every order they send arrives at
//! or after t0 + L >= (k+1)L, after the last of them has decided. Taking whole
//! buckets replaces a heap pop per wake-up (the run's hottest spot when it was
//! a heap) with an O(1) push and a sort of each small batch.
//!
//! Wake-ups further ahead than the ring covers wait in an overflow heap and
//! move into the ring as it turns.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Buckets in the ring: 65,536 lookaheads ahead are kept in O(1) buckets.
const RING: usize = 1 << 16;

pub struct WakeWheel {
    width: i64,
    buckets: Vec<Vec<(i64, u32)>>,
    /// Absolute index (time / width) of the earliest bucket that may be non-empty.
    cursor: i64,
    in_ring: usize,
    overflow: BinaryHeap<Reverse<(i64, u32)>>,
}

impl WakeWheel {
    pub fn new(width: i64) -> WakeWheel {
        WakeWheel {
            width: width.max(1),
            buckets: (0..RING).map(|_| Vec::new()).collect(),
            cursor: 0,
            in_ring: 0,
            overflow: BinaryHeap::new(),
        }
    }

    #[inline]
    fn slot(b: i64) -> usize {
        (b as usize) & (RING - 1)
    }

    /// Starts an empty wheel at time `t`: nothing may be pushed before it.
    pub fn start_at(&mut self, t: i64) {
        debug_assert!(self.is_empty(), "restarting a wheel that still holds wake-ups");
        self.cursor = t / self.width;
    }

    /// Schedules agent `id` at `t`, which must not be before the bucket
    /// last taken (or the start).
    #[inline]
    pub fn push(&mut self, t: i64, id: u32) {
        let b = t / self.width;
        assert!(b >= self.cursor, "wake-up scheduled before the wheel's current bucket");
        if b < self.cursor + RING as i64 {
            self.buckets[Self::slot(b)].push((t, id));
            self.in_ring += 1;
        } else {
            self.overflow.push(Reverse((t, id)));
        }
    }

    pub fn is_empty(&self) -> bool {
        self.in_ring == 0 && self.overflow.is_empty()
    }

    /// Moves the cursor to the earliest non-empty bucket; false if none.
    fn settle(&mut self) -> bool {
        loop {
            while let Some(&Reverse((t, id))) = self.overflow.peek() {
                if t / self.width >= self.cursor + RING as i64 {
                    break;
                }
                self.overflow.pop();
                self.buckets[Self::slot(t / self.width)].push((t, id));
                self.in_ring += 1;
            }
            if self.in_ring == 0 {
                match self.overflow.peek() {
                    Some(&Reverse((t, _))) => {
                        self.cursor = t / self.width;
                        continue;
                    }
                    None => return false,
                }
            }
            if !self.buckets[Self::slot(self.cursor)].is_empty() {
                return true;
            }
            self.cursor += 1;
        }
    }

    /// Time of the earliest wake-up.
    pub fn peek_time(&mut self) -> Option<i64> {
        if !self.settle() {
            return None;
        }
        self.buckets[Self::slot(self.cursor)].iter().map(|&(t, _)| t).min()
    }

    /// Takes the earliest bucket into `out` (cleared first), sorted by (time, agent).
    pub fn take_bucket(&mut self, out: &mut Vec<(i64, u32)>) {
        out.clear();
        if !self.settle() {
            return;
        }
        std::mem::swap(out, &mut self.buckets[Self::slot(self.cursor)]);
        self.in_ring -= out.len();
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
        for (t, id) in [(35, 1), (31, 2), (12, 3), (19, 4), (12, 0), (10 * RING as i64 + 5, 9)] {
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
        assert_eq!(w.peek_time(), Some(10 * RING as i64 + 5), "from the overflow heap");
        w.take_bucket(&mut out);
        assert_eq!(out, [(10 * RING as i64 + 5, 9)]);
        assert!(w.is_empty());
        assert_eq!(w.peek_time(), None);
    }

    #[test]
    fn overflow_moves_into_the_ring_in_order() {
        let mut w = WakeWheel::new(1);
        w.start_at(0);
        let far = RING as i64 + 3;
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
