//! The event queue, ordered by (time, sequence number), so events at the same
//! nanosecond leave in the order they were scheduled and a run never depends
//! on how a heap breaks ties.
//!
//! Most events are order expiries, scheduled a fixed time-to-live after the
//! order arrived; since arrivals come in time order, each distinct TTL gives a
//! FIFO "lane" already sorted by time. Lanes cost O(1) a push and a pop and
//! keep the heap down to the few messages in flight.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};

use crate::agents::OrderRequest;
use crate::book::OrderId;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// An order reaches the platform.
    Order { agent: u32, request: OrderRequest },
    /// A cancel request reaches the platform.
    Cancel { agent: u32, product: u16, order: OrderId },
    /// A resting order's good-till time.
    Expire { product: u16, order: OrderId },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event {
    pub time: i64,
    pub seq: u64,
    pub kind: EventKind,
}

impl Ord for Event {
    fn cmp(&self, other: &Self) -> Ordering {
        // Reversed: BinaryHeap is a max-heap and we want the earliest first.
        (other.time, other.seq).cmp(&(self.time, self.seq))
    }
}

impl PartialOrd for Event {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// More distinct lanes than this and further ones go to the heap.
const MAX_LANES: usize = 8;

#[derive(Debug, Default)]
pub struct EventQueue {
    heap: BinaryHeap<Event>,
    lanes: Vec<(i64, VecDeque<Event>)>,
    next_seq: u64,
}

/// Where the earliest event is.
#[derive(Clone, Copy)]
enum Source {
    Heap,
    Lane(usize),
}

impl EventQueue {
    pub fn with_capacity(n: usize) -> EventQueue {
        EventQueue { heap: BinaryHeap::with_capacity(n), lanes: Vec::new(), next_seq: 0 }
    }

    fn next(&mut self, time: i64, kind: EventKind) -> Event {
        let ev = Event { time, seq: self.next_seq, kind };
        self.next_seq += 1;
        ev
    }

    pub fn push(&mut self, time: i64, kind: EventKind) {
        let ev = self.next(time, kind);
        self.heap.push(ev);
    }

    /// Schedules an event on lane `lane` (e.g. a TTL): the caller promises that
    /// events of one lane are pushed in non-decreasing time order.
    pub fn push_in_lane(&mut self, lane: i64, time: i64, kind: EventKind) {
        let ev = self.next(time, kind);
        let i = match self.lanes.iter().position(|(l, _)| *l == lane) {
            Some(i) => i,
            None if self.lanes.len() < MAX_LANES => {
                self.lanes.push((lane, VecDeque::with_capacity(1 << 12)));
                self.lanes.len() - 1
            }
            None => return self.heap.push(ev),
        };
        let queue = &mut self.lanes[i].1;
        if queue.back().is_some_and(|last| last.time > time) {
            // A broken promise must not reorder events: fall back to the heap.
            return self.heap.push(ev);
        }
        queue.push_back(ev);
    }

    fn earliest(&self) -> Option<(Source, &Event)> {
        let mut best = self.heap.peek().map(|e| (Source::Heap, e));
        for (i, (_, lane)) in self.lanes.iter().enumerate() {
            if let Some(e) = lane.front()
                && best.is_none_or(|(_, b)| (e.time, e.seq) < (b.time, b.seq))
            {
                best = Some((Source::Lane(i), e));
            }
        }
        best
    }

    pub fn peek_time(&self) -> Option<i64> {
        self.earliest().map(|(_, e)| e.time)
    }

    pub fn pop(&mut self) -> Option<Event> {
        match self.earliest()?.0 {
            Source::Heap => self.heap.pop(),
            Source::Lane(i) => self.lanes[i].1.pop_front(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn earliest_first_then_scheduling_order() {
        let mut q = EventQueue::default();
        let ev = |p| EventKind::Expire { product: p, order: OrderId(0) };
        q.push(20, ev(0));
        q.push(10, ev(1));
        q.push(20, ev(2));
        q.push(10, ev(3));
        let order: Vec<(i64, u16)> = std::iter::from_fn(|| q.pop())
            .map(|e| match e.kind {
                EventKind::Expire { product, .. } => (e.time, product),
                _ => unreachable!(),
            })
            .collect();
        assert_eq!(order, [(10, 1), (10, 3), (20, 0), (20, 2)]);
    }

    #[test]
    fn lanes_and_heap_interleave_by_time_then_sequence() {
        let mut q = EventQueue::default();
        let ev = |p| EventKind::Expire { product: p, order: OrderId(0) };
        q.push_in_lane(100, 15, ev(0));
        q.push(10, ev(1));
        q.push_in_lane(100, 20, ev(2));
        q.push_in_lane(7, 10, ev(3));
        q.push(20, ev(4));
        q.push_in_lane(100, 12, ev(5)); // out of order for its lane: goes to the heap
        let order: Vec<u16> = std::iter::from_fn(|| q.pop())
            .map(|e| match e.kind {
                EventKind::Expire { product, .. } => product,
                _ => unreachable!(),
            })
            .collect();
        assert_eq!(order, [1, 3, 5, 0, 2, 4]);
    }
}
