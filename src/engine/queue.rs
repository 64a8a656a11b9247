//! The event queue: a binary heap ordered by (time, sequence number), so
//! events at the same nanosecond leave in the order they were scheduled and a
//! run never depends on how the heap breaks ties.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

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

#[derive(Debug, Default)]
pub struct EventQueue {
    heap: BinaryHeap<Event>,
    next_seq: u64,
}

impl EventQueue {
    pub fn with_capacity(n: usize) -> EventQueue {
        EventQueue { heap: BinaryHeap::with_capacity(n), next_seq: 0 }
    }

    pub fn push(&mut self, time: i64, kind: EventKind) {
        self.heap.push(Event { time, seq: self.next_seq, kind });
        self.next_seq += 1;
    }

    pub fn peek_time(&self) -> Option<i64> {
        self.heap.peek().map(|e| e.time)
    }

    pub fn pop(&mut self) -> Option<Event> {
        self.heap.pop()
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
}
