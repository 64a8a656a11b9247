//! Agent wake-ups, kept in a timing wheel whose buckets are one lookahead wide.
//!
//! A bucket [kL, (k+1)L) is exactly a set of agents that may decide together:
//! the earliest of them wakes at t0 >= kL, so every order they send arrives at
//! or after t0 + L >= (k+1)L, after the last of them has decided. Taking whole
//! buckets replaces a heap pop per wake-up (the run's hottest spot when it was
//! a heap) with an O(1) push and a sort of each small batch.
//!
//! Two levels keep the wheel small enough to stay in cache: 256 coarse
//! buckets, one per block of 256 lookaheads ahead, and an overflow heap for
//! anything further. When a block comes up, its wake-ups are counting-sorted
//! by fine bucket into one contiguous run, which the block's batches then
//! read front to back: one write per wake-up into a coarse bucket and one
//! into the run, both sequential. Wake-ups pushed into the block after it
//! was laid out (a short sleep) wait in small per-bucket lists beside it.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::calendar::Divisor;

const BITS: u32 = 8;
const SPAN: i64 = 1 << BITS;
const MASK: i64 = SPAN - 1;
/// How many fine buckets [`WakeWheel::upcoming`] looks ahead.
const UPCOMING_BUCKETS: i64 = 2;

pub struct WakeWheel {
    width: Divisor,
    /// The current block's wake-ups as laid out, grouped by fine bucket:
    /// bucket `b`'s are `run[starts[b]..starts[b + 1]]` (emptied once taken).
    run: Vec<(i64, u32)>,
    starts: [u32; SPAN as usize + 1],
    in_run: usize,
    /// Per fine bucket of the current block: wake-ups pushed after it was laid out.
    late: Vec<Vec<(i64, u32)>>,
    in_late: usize,
    coarse: Vec<Vec<(i64, u32)>>,
    /// Absolute fine-bucket index (time / width) of the earliest bucket that may be non-empty.
    cursor: i64,
    in_coarse: usize,
    overflow: BinaryHeap<Reverse<(i64, u32)>>,
    /// The earliest wake-up, while known (pushes keep it, a take forgets it).
    earliest: Option<i64>,
    /// Scratch for laying out a block: each wake-up's fine bucket.
    fine_of: Vec<u8>,
}

impl WakeWheel {
    pub fn new(width: i64) -> WakeWheel {
        WakeWheel {
            width: Divisor::new(width.max(1)),
            run: Vec::new(),
            starts: [0; SPAN as usize + 1],
            in_run: 0,
            late: (0..SPAN).map(|_| Vec::new()).collect(),
            in_late: 0,
            coarse: (0..SPAN).map(|_| Vec::new()).collect(),
            cursor: 0,
            in_coarse: 0,
            overflow: BinaryHeap::new(),
            earliest: None,
            fine_of: Vec::new(),
        }
    }

    /// Starts an empty wheel at time `t`: nothing may be pushed before it.
    pub fn start_at(&mut self, t: i64) {
        debug_assert!(self.is_empty(), "restarting a wheel that still holds wake-ups");
        self.cursor = self.width.div(t);
        // An empty layout for the block the cursor is in.
        self.run.clear();
        self.starts = [0; SPAN as usize + 1];
    }

    pub fn is_empty(&self) -> bool {
        self.in_run == 0 && self.in_late == 0 && self.in_coarse == 0 && self.overflow.is_empty()
    }

    /// Schedules agent `id` at `t`, which must not be before the bucket
    /// last taken (or the start).
    #[inline]
    pub fn push(&mut self, t: i64, id: u32) {
        let b = self.width.div(t);
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
            self.late[(b & MASK) as usize].push(entry);
            self.in_late += 1;
        } else if blocks_ahead < SPAN {
            let bucket = &mut self.coarse[((b >> BITS) & MASK) as usize];
            bucket.push(entry);
            // 256 buckets fill at random, too many streams for the hardware
            // to follow: fetch the line this bucket writes next, a few of its
            // pushes (hundreds of wake-ups) before it is needed.
            super::prefetch_write(bucket.as_ptr().wrapping_add(bucket.len() + 4));
            self.in_coarse += 1;
        } else {
            self.overflow.push(Reverse(entry));
        }
    }

    /// Fine bucket `b` (within the current block) holds nothing.
    #[inline]
    fn bucket_is_empty(&self, b: usize) -> bool {
        self.starts[b] == self.starts[b + 1] && self.late[b].is_empty()
    }

    /// Moves the cursor to the earliest non-empty fine bucket; false if none.
    fn settle(&mut self) -> bool {
        loop {
            if self.in_run + self.in_late > 0 {
                while self.bucket_is_empty((self.cursor & MASK) as usize) {
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
                self.width.div(t) >> BITS
            } else {
                return false;
            };
            self.cursor = next_block << BITS;
            while let Some(&Reverse((t, id))) = self.overflow.peek() {
                let b = self.width.div(t);
                if (b >> BITS) - next_block >= SPAN {
                    break;
                }
                self.overflow.pop();
                self.place(b, (t, id));
            }
            self.lay_out(next_block);
        }
    }

    /// Counting-sorts coarse bucket `block`'s wake-ups by fine bucket into the run.
    fn lay_out(&mut self, block: i64) {
        let mut entries = std::mem::take(&mut self.coarse[(block & MASK) as usize]);
        self.in_coarse -= entries.len();
        let mut counts = [0u32; SPAN as usize + 1];
        self.fine_of.clear();
        for &(t, _) in &entries {
            let f = (self.width.div(t) & MASK) as u8;
            self.fine_of.push(f);
            counts[f as usize + 1] += 1;
        }
        for b in 0..SPAN as usize {
            counts[b + 1] += counts[b];
        }
        self.starts = counts;
        self.run.clear();
        self.run.resize(entries.len(), (0, 0));
        for (&e, &f) in entries.iter().zip(&self.fine_of) {
            let at = &mut counts[f as usize];
            self.run[*at as usize] = e;
            *at += 1;
        }
        self.in_run = entries.len();
        entries.clear();
        self.coarse[(block & MASK) as usize] = entries;
    }

    /// Time of the earliest wake-up.
    pub fn peek_time(&mut self) -> Option<i64> {
        if self.earliest.is_none() {
            if !self.settle() {
                return None;
            }
            let b = (self.cursor & MASK) as usize;
            let laid = &self.run[self.starts[b] as usize..self.starts[b + 1] as usize];
            self.earliest = laid.iter().chain(&self.late[b]).map(|&(t, _)| t).min();
        }
        self.earliest
    }

    /// The wake-ups already in the next few fine buckets after the current
    /// one (possibly more will join them): what is worth loading into the
    /// cache before it is needed.
    pub fn upcoming(&self) -> impl Iterator<Item = &(i64, u32)> {
        let first = self.cursor + 1;
        let last = ((self.cursor | MASK) + 1).min(first + UPCOMING_BUCKETS);
        (first..last).flat_map(move |b| {
            let b = (b & MASK) as usize;
            self.run[self.starts[b] as usize..self.starts[b + 1] as usize].iter().chain(&self.late[b])
        })
    }

    /// Takes the earliest bucket into `out` (cleared first), sorted by (time, agent).
    pub fn take_bucket(&mut self, out: &mut Vec<(i64, u32)>) {
        out.clear();
        self.earliest = None;
        if !self.settle() {
            return;
        }
        let b = (self.cursor & MASK) as usize;
        let (from, to) = (self.starts[b] as usize, self.starts[b + 1] as usize);
        out.extend_from_slice(&self.run[from..to]);
        self.starts[b] = self.starts[b + 1];
        self.in_run -= to - from;
        let late = &mut self.late[b];
        self.in_late -= late.len();
        out.append(late);
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
