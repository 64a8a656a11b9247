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
use crate::units::ProductIndex;

/// What an event does when its time comes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// An order reaches the platform.
    Order { agent: u32, request: OrderRequest },
    /// A cancel request reaches the platform.
    Cancel { agent: u32, product: ProductIndex, order: OrderId },
    /// A change of a resting order reaches the platform (price in absolute
    /// ticks, `qty` the new lots left to trade).
    Replace { agent: u32, product: ProductIndex, order: OrderId, price: i64, qty: u32 },
    /// A resting order's good-till time.
    Expire { product: ProductIndex, order: OrderId },
}

/// A scheduled event as the queue hands it back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event {
    /// When it happens: nanoseconds since 00:00 of the start date.
    pub time: i64,
    /// Its place among events scheduled for the same nanosecond (earlier
    /// scheduled, smaller), which keeps ties deterministic.
    pub seq: u64,
    /// What it does.
    pub kind: EventKind,
}

/// What the heap orders: the event's (time, sequence number) and where its
/// payload waits. Small, so a sift moves 24 bytes rather than a whole event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Key {
    time: i64,
    seq: u64,
    slot: u32,
}

impl Ord for Key {
    fn cmp(&self, other: &Self) -> Ordering {
        // Reversed: BinaryHeap is a max-heap and we want the earliest first.
        (other.time, other.seq).cmp(&(self.time, self.seq))
    }
}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// More distinct lanes than this and further ones go to the heap.
const MAX_LANES: usize = 8;

/// How far ahead of a lane's front a pop starts loading events.
const LANE_PREFETCH: usize = 8;

/// The pending events, handed back in (time, sequence number) order.
#[derive(Debug, Default)]
pub struct EventQueue {
    heap: BinaryHeap<Key>,
    /// Payloads of the heap's events, by slot; `free` lists the unused slots.
    slab: Vec<EventKind>,
    free: Vec<u32>,
    lanes: Vec<(i64, VecDeque<Expiry>)>,
    next_seq: u64,
    /// The earliest event's source and (time, seq), while nothing changed.
    earliest: Option<(Source, i64, u64)>,
}

/// An expiry waiting in a lane: a third of an [`Event`]'s size, which
/// matters since a lane holds every order resting for its time-to-live.
#[derive(Clone, Copy, Debug)]
struct Expiry {
    time: i64,
    seq: u64,
    order: OrderId,
    product: ProductIndex,
}

/// Where the earliest event is.
#[derive(Clone, Copy, Debug)]
enum Source {
    Heap,
    Lane(usize),
}

impl EventQueue {
    /// An empty queue with room for `n` events in flight before it grows.
    pub fn with_capacity(n: usize) -> EventQueue {
        EventQueue { heap: BinaryHeap::with_capacity(n), slab: Vec::with_capacity(n), ..EventQueue::default() }
    }

    fn seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq - 1
    }

    /// Keeps the cached earliest event right after a push of (time, seq) from `source`.
    fn pushed(&mut self, source: Source, time: i64, seq: u64) {
        if let Some((_, t, s)) = self.earliest
            && (time, seq) < (t, s)
        {
            self.earliest = Some((source, time, seq));
        }
    }

    /// Schedules `kind` at `time` (nanoseconds since 00:00 of the start date),
    /// after any event already scheduled for the same nanosecond.
    pub fn push(&mut self, time: i64, kind: EventKind) {
        let seq = self.seq();
        let slot = match self.free.pop() {
            Some(slot) => {
                self.slab[slot as usize] = kind;
                slot
            }
            None => {
                self.slab.push(kind);
                (self.slab.len() - 1) as u32
            }
        };
        self.heap.push(Key { time, seq, slot });
        self.pushed(Source::Heap, time, seq);
    }

    /// Schedules the expiry of `order` on lane `lane` (its TTL): the caller
    /// promises that expiries of one lane are pushed in non-decreasing time order.
    pub fn push_expiry(&mut self, lane: i64, time: i64, product: ProductIndex, order: OrderId) {
        let kind = EventKind::Expire { product, order };
        let i = match self.lanes.iter().position(|(l, _)| *l == lane) {
            Some(i) => i,
            None if self.lanes.len() < MAX_LANES => {
                self.lanes.push((lane, VecDeque::with_capacity(1 << 12)));
                self.lanes.len() - 1
            }
            None => return self.push(time, kind),
        };
        if self.lanes[i].1.back().is_some_and(|last| last.time > time) {
            // A broken promise must not reorder events: fall back to the heap.
            return self.push(time, kind);
        }
        let seq = self.seq();
        self.lanes[i].1.push_back(Expiry { time, seq, order, product });
        self.pushed(Source::Lane(i), time, seq);
    }

    fn earliest(&mut self) -> Option<(Source, i64, u64)> {
        if self.earliest.is_none() {
            let mut best = self.heap.peek().map(|k| (Source::Heap, k.time, k.seq));
            for (i, (_, lane)) in self.lanes.iter().enumerate() {
                if let Some(e) = lane.front()
                    && best.is_none_or(|(_, t, s)| (e.time, e.seq) < (t, s))
                {
                    best = Some((Source::Lane(i), e.time, e.seq));
                }
            }
            self.earliest = best;
        }
        self.earliest
    }

    /// When the earliest pending event happens (ns since 00:00 of the start
    /// date); None when nothing is pending.
    pub fn peek_time(&mut self) -> Option<i64> {
        self.earliest().map(|(_, t, _)| t)
    }

    /// Takes the earliest pending event (by time, then scheduling order).
    pub fn pop(&mut self) -> Option<Event> {
        let (source, ..) = self.earliest()?;
        self.earliest = None;
        match source {
            Source::Heap => {
                let key = self.heap.pop()?;
                self.free.push(key.slot);
                Some(Event { time: key.time, seq: key.seq, kind: self.slab[key.slot as usize] })
            }
            Source::Lane(i) => {
                let lane = &mut self.lanes[i].1;
                // A lane's front was written one time-to-live ago and has
                // left the cache since; start loading the next ones now.
                if let Some(ahead) = lane.get(LANE_PREFETCH) {
                    crate::cache::prefetch(ahead);
                }
                let e = lane.pop_front()?;
                Some(Event { time: e.time, seq: e.seq, kind: EventKind::Expire { product: e.product, order: e.order } })
            }
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
        q.push_expiry(100, 15, 0, OrderId(0));
        q.push(10, ev(1));
        q.push_expiry(100, 20, 2, OrderId(0));
        q.push_expiry(7, 10, 3, OrderId(0));
        q.push(20, ev(4));
        q.push_expiry(100, 12, 5, OrderId(0)); // out of order for its lane: goes to the heap
        let order: Vec<u16> = std::iter::from_fn(|| q.pop())
            .map(|e| match e.kind {
                EventKind::Expire { product, .. } => product,
                _ => unreachable!(),
            })
            .collect();
        assert_eq!(order, [1, 3, 5, 0, 2, 4]);
    }
}
