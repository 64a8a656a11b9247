//! One batch's wake-ups decided by two threads that share them out as they
//! go: each takes the next undecided wake-up from its own end of the batch
//! ([`Claims`]) until they meet.
//!
//! A cut fixed before the batch starts ([`fork`](super::fork()) with one part
//! each) leaves the calling thread waiting whenever the other part runs
//! late: on a shared machine the second vCPU now and then takes 2–15 µs
//! longer for the same few decisions. Shared out as they go, the thread
//! that is ahead simply decides more of them, and the wait is at most the
//! other's decision in hand. Each wake-up is decided exactly once and
//! writes only its own agent and its own decision slot, so which thread
//! decides which never changes a result.
//!
//! Deciding one wake-up needs a mutable agent and slot chosen only at run
//! time, from either thread: a group lends its members as raw parts
//! ([`Lent`]), and the claims are what make each use exclusive.

use std::marker::PhantomData;
use std::sync::atomic::{AtomicU64, Ordering};

use super::behaviour::{Agent, Behaviour};
use super::market::Context;
use super::population::{Decision, Latency, decide_one};

/// The undecided wake-ups of a batch, `lo..hi`, packed in one word so that
/// a claim from either end is one compare-and-swap.
#[derive(Debug)]
pub(crate) struct Claims(AtomicU64);

impl Claims {
    /// Wake-ups `0..n` undecided.
    pub(crate) fn new(n: u32) -> Claims {
        Claims(AtomicU64::new(u64::from(n) << 32))
    }

    /// Claims the lowest undecided wake-up, if any is left.
    #[inline]
    pub(crate) fn front(&self) -> Option<usize> {
        self.claim(|lo, hi| (lo, (lo + 1, hi)))
    }

    /// Claims the highest undecided wake-up, if any is left.
    #[inline]
    pub(crate) fn back(&self) -> Option<usize> {
        self.claim(|lo, hi| (hi - 1, (lo, hi - 1)))
    }

    /// Claims the wake-up `take` names, leaving the range it returns, unless
    /// the range is empty. Every index is handed out at most once.
    #[inline]
    fn claim(&self, take: impl Fn(u32, u32) -> (u32, (u32, u32))) -> Option<usize> {
        let mut now = self.0.load(Ordering::Acquire);
        loop {
            let (lo, hi) = (now as u32, (now >> 32) as u32);
            if lo >= hi {
                return None;
            }
            let (k, (lo, hi)) = take(lo, hi);
            match self.0.compare_exchange_weak(
                now,
                u64::from(lo) | u64::from(hi) << 32,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return Some(k as usize),
                Err(seen) => now = seen,
            }
        }
    }
}

/// A group's members lent for one batch: wake-up `k` of the `wakes` the
/// group was lent for may be decided on any thread, each `k` once
/// (`Lent::decide`, within the crate), while the group itself stays borrowed.
pub struct Lent<'a> {
    behaviour: *const (),
    latency: *const Latency,
    wakes: *const (i64, u32),
    n_wakes: usize,
    agents: *mut (),
    n_agents: usize,
    agent_size: usize,
    first_id: u32,
    slots: *mut (u32, Decision),
    decide: unsafe fn(&Lent<'_>, usize, &Context<'_>),
    _group: PhantomData<&'a mut ()>,
}

// The engine keeps a batch's `Lent`s in an array it never drops entry by
// entry (`engine::lookahead`): they must need no dropping.
const _: () = assert!(!std::mem::needs_drop::<Lent<'static>>());

// SAFETY: a `Lent` stands for a shared borrow of a `Sync` behaviour, its
// latency and the wakes, and for exclusive borrows of the agents (whose
// state is `Send`: `Behaviour::State: Send + Sync`) and slots that
// `Lent::decide`'s contract hands to one thread per wake-up.
unsafe impl Send for Lent<'_> {}
// SAFETY: as for `Send`: concurrent `decide` calls touch disjoint agents and
// slots, and read only shared, unchanging data otherwise.
unsafe impl Sync for Lent<'_> {}

impl<'a> Lent<'a> {
    /// Lends `agents` (whose first member's id is `first_id`) and `slots`
    /// (one per wake-up, as long as `wakes`) for deciding `wakes` (ids
    /// ascending and distinct, every one in `agents`).
    ///
    /// # Panics
    /// If `slots` and `wakes` differ in length or a wake-up's agent is not
    /// in `agents`: checked here, once, so that deciding needs no check.
    pub(super) fn new<B: Behaviour>(
        behaviour: &'a B,
        latency: &'a Latency,
        wakes: &'a [(i64, u32)],
        agents: &'a mut [Agent<B::State>],
        first_id: u32,
        slots: &'a mut [(u32, Decision)],
    ) -> Lent<'a> {
        assert_eq!(slots.len(), wakes.len(), "one slot per wake-up");
        assert!(
            wakes.windows(2).all(|w| w[0].1 < w[1].1)
                && wakes.iter().all(|w| w.1.checked_sub(first_id).is_some_and(|i| (i as usize) < agents.len())),
            "wake-ups of distinct members of the group, ids ascending"
        );
        Lent {
            behaviour: (behaviour as *const B).cast(),
            latency,
            wakes: wakes.as_ptr(),
            n_wakes: wakes.len(),
            agents: agents.as_mut_ptr().cast(),
            n_agents: agents.len(),
            agent_size: std::mem::size_of::<Agent<B::State>>(),
            first_id,
            slots: slots.as_mut_ptr(),
            decide: decide_lent::<B>,
            _group: PhantomData,
        }
    }

    /// How many wake-ups were lent.
    pub fn len(&self) -> usize {
        self.n_wakes
    }

    /// Whether no wake-up was lent.
    pub fn is_empty(&self) -> bool {
        self.n_wakes == 0
    }

    /// Decides wake-up `k` into its slot.
    ///
    /// # Safety
    /// No other call with the same `k` on this `Lent` may run at the same
    /// time (claims from one [`Claims`] make it so).
    ///
    /// # Panics
    /// If `k` is not below [`Lent::len`].
    #[inline]
    pub(crate) unsafe fn decide(&self, k: usize, ctx: &Context<'_>) {
        assert!(k < self.n_wakes, "wake-up {k} of {} lent", self.n_wakes);
        // SAFETY: `k` is in range, and the caller promises it is decided once.
        unsafe { (self.decide)(self, k, ctx) }
    }
}

impl Lent<'_> {
    /// Starts loading what deciding wake-up `k` reads and writes (its
    /// agent, its slot, its account) on the calling thread's core; a hint,
    /// nothing else. The thread that decides a wake-up is often not the one
    /// that prefetched the batch (the engine does, at its start), and a line
    /// in the other core's cache costs a round trip between the cores, on a
    /// shared host up to about 0.5 µs: a thread that asks for its next
    /// wake-up's lines while it decides the current one has them in hand.
    /// No effect when `k` is out of range.
    #[inline]
    pub(crate) fn prefetch(&self, k: usize, ctx: &Context<'_>) {
        if k >= self.n_wakes {
            return;
        }
        // SAFETY: `k < n_wakes`, so wake-up `k` is inside the lent `wakes`,
        // which nothing writes while lent.
        let id = unsafe { (*self.wakes.add(k)).1 };
        let i = (id - self.first_id) as usize;
        // Addresses only (`wrapping_add`: no claim that they are in bounds,
        // though `new` checked they are); the other thread may be writing
        // there, so no reference is made.
        crate::cache::prefetch_ptr(self.agents.cast::<u8>().wrapping_add(i * self.agent_size));
        crate::cache::prefetch_ptr(self.slots.wrapping_add(k));
        ctx.accounts.prefetch(id);
    }
}

/// [`Lent::decide`] for behaviour `B`.
///
/// # Safety
/// `lent` was made by [`Lent::new::<B>`], `k < lent.n_wakes`, and no other
/// call for the same `k` runs at the same time.
unsafe fn decide_lent<B: Behaviour>(lent: &Lent<'_>, k: usize, ctx: &Context<'_>) {
    // SAFETY: the pointers come from the borrows `Lent::new` took for the
    // lifetime of `lent`. `k` is in range; the wake-up's agent is in range
    // (checked in `new`) and no other wake-up names it (ids distinct), so
    // the agent and slot `k` are touched by this call alone.
    unsafe {
        let behaviour = &*lent.behaviour.cast::<B>();
        let wake = *lent.wakes.add(k);
        let i = (wake.1 - lent.first_id) as usize;
        debug_assert!(i < lent.n_agents);
        let agent = &mut *lent.agents.cast::<Agent<B::State>>().add(i);
        let slot = &mut *lent.slots.add(k);
        decide_one(behaviour, &*lent.latency, ctx, wake, agent, slot);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_wake_up_is_claimed_once_from_either_end() {
        let ends = Claims::new(5);
        assert_eq!(ends.front(), Some(0));
        assert_eq!(ends.back(), Some(4));
        assert_eq!(ends.back(), Some(3));
        assert_eq!(ends.front(), Some(1));
        assert_eq!(ends.front(), Some(2));
        assert_eq!(ends.back(), None);
        assert_eq!(ends.front(), None);
        assert_eq!(Claims::new(0).front(), None);
    }

    #[test]
    fn two_threads_racing_claim_each_index_exactly_once() {
        for n in [1u32, 2, 7, 1000] {
            let ends = Claims::new(n);
            let (a, b) = std::thread::scope(|s| {
                let front = s.spawn(|| std::iter::from_fn(|| ends.front()).collect::<Vec<_>>());
                let back = s.spawn(|| std::iter::from_fn(|| ends.back()).collect::<Vec<_>>());
                (front.join().unwrap(), back.join().unwrap())
            });
            // The front's claims ascend, the back's descend, and together
            // they are every index once.
            assert!(a.windows(2).all(|w| w[0] < w[1]) && b.windows(2).all(|w| w[0] > w[1]));
            let mut all = [a, b].concat();
            all.sort_unstable();
            assert_eq!(all, (0..n as usize).collect::<Vec<_>>(), "n = {n}");
        }
    }
}
