//! Keeps one pool thread awake between spread batches.
//!
//! A thread of rayon's pool that finds no work spins briefly, then sleeps;
//! waking it costs a few microseconds, paid again at every spread batch when
//! the serial work between two batches (handling their orders) outlasts its
//! spin. With batches of a handful of costly decisions that handoff was a
//! fifth of the time saved. After a spread batch the engine therefore gives
//! the pool a job that spins until the next spread batch begins or
//! [`SPIN_FOR`] passes, so a thread is awake to take the next batch's
//! second half at once. Only runs with more than one thread whose batches
//! are worth spreading ever spin; which thread decides what never changes a
//! result.
//!
//! The awake thread also watches a mailbox ([`Warm::share`]): the engine
//! posts a batch's other half there instead of handing it through rayon's
//! queues. A handoff through `rayon::join` writes about half a dozen cache
//! lines that the other core then reads, or the other way round (the
//! offer, the deque's ends and slot, the job, its latch, the flags: counted
//! from what it touches, not measured line by line), and each such move is
//! a round trip between the cores: about 70 ns, on a shared host at times
//! 0.5 µs, at every spread batch. The mailbox is one line, posted to once
//! and settled once a batch (measured together with the changes beside it
//! in docs/performance.md).

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Longest a pool thread stays awake, looking for work, after the last job
/// it took.
const SPIN_FOR: Duration = Duration::from_micros(200);

/// The awake thread's leash.
#[derive(Debug, Default)]
pub(super) struct Warm {
    /// Whether a pool thread is (or is about to be) kept awake.
    awake: Arc<AtomicBool>,
    /// Where the engine posts work for it.
    mailbox: Arc<Mailbox>,
}

/// Work offered to the awake thread: a post's number and phase in one word
/// (`post << 3 | phase`), and the work itself while posted.
#[derive(Debug, Default)]
struct Mailbox {
    state: AtomicU64,
    /// The posted work, valid while the post is `POSTED` or `TAKEN`.
    job: AtomicPtr<Job<'static>>,
    /// What the work panicked with on the awake thread.
    panic: Mutex<Option<Box<dyn Any + Send>>>,
}

/// The phases of a post. Nothing posted, or the engine took it back.
const IDLE: u64 = 0;
/// Posted, and nobody has started it.
const POSTED: u64 = 1;
/// The awake thread is running it.
const TAKEN: u64 = 2;
/// The awake thread finished it.
const DONE: u64 = 3;
/// The awake thread finished it by panicking (the payload is in `panic`).
const PANICKED: u64 = 4;

/// Posted work: a thin pointer to it fits an `AtomicPtr`.
struct Job<'a>(&'a (dyn Fn() + Sync));

impl std::fmt::Debug for Job<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Job")
    }
}

impl Mailbox {
    /// On the awake thread: runs the posted work, if any is posted and
    /// nobody has taken it. Returns whether it ran something.
    fn take(&self) -> bool {
        let s = self.state.load(Ordering::Acquire);
        if s & 7 != POSTED
            || self.state.compare_exchange(s, s - POSTED + TAKEN, Ordering::AcqRel, Ordering::Relaxed).is_err()
        {
            return false;
        }
        // SAFETY: the post was `POSTED` and is now `TAKEN` by this thread:
        // `job` points at the poster's `Job`, which the poster keeps alive
        // until the phase becomes `DONE` or `PANICKED` (`Reclaim`).
        let job = unsafe { &*self.job.load(Ordering::Acquire) };
        let end = match catch_unwind(AssertUnwindSafe(job.0)) {
            Ok(()) => DONE,
            Err(payload) => {
                *self.panic.lock().unwrap_or_else(PoisonError::into_inner) = Some(payload);
                PANICKED
            }
        };
        self.state.store(s - POSTED + end, Ordering::Release);
        true
    }
}

/// Takes a post back, or waits until the awake thread has finished it:
/// on the way out of [`Warm::share`], unwinding included, so the posted
/// work never outlives the frame it borrows from. Returns whether the
/// awake thread panicked.
struct Reclaim<'a> {
    mailbox: &'a Mailbox,
    post: u64,
}

impl Reclaim<'_> {
    fn settle(&self) -> bool {
        let posted = self.post << 3 | POSTED;
        if self
            .mailbox
            .state
            .compare_exchange(posted, self.post << 3 | IDLE, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
        {
            return false;
        }
        loop {
            let s = self.mailbox.state.load(Ordering::Acquire);
            if s & 7 >= DONE {
                return s & 7 == PANICKED;
            }
            std::hint::spin_loop();
        }
    }
}

impl Drop for Reclaim<'_> {
    fn drop(&mut self) {
        self.settle();
    }
}

impl Warm {
    /// A spread batch ended: unless one already is, a pool thread stays
    /// awake, taking whatever work the pool offers (the next spread
    /// batch's halves), until [`SPIN_FOR`] passes without any.
    pub(super) fn keep(&mut self) {
        if self.awake.swap(true, Ordering::AcqRel) {
            return;
        }
        let awake = Arc::clone(&self.awake);
        let mailbox = Arc::clone(&self.mailbox);
        let engine = rayon::current_thread_index();
        rayon::spawn(move || {
            // A job spawned on a pool thread waits in that thread's own
            // queue: the engine's thread may run it itself while it waits
            // in a join, where spinning would only stall it.
            if rayon::current_thread_index() != engine {
                let mut last = Instant::now();
                let mut seen = 0;
                let mut idle = 0u32;
                loop {
                    if mailbox.take() {
                        idle = 0;
                        last = Instant::now();
                        continue;
                    }
                    // Looks for work (the next spread batch's part) only
                    // when one was offered since the last look: a look
                    // costs a few hundred nanoseconds, a watch of the count
                    // one cached line.
                    let offered = crate::agents::offers();
                    if offered != seen {
                        match rayon::yield_now() {
                            Some(rayon::Yield::Executed) => {
                                seen = offered;
                                idle = 0;
                                last = Instant::now();
                                continue;
                            }
                            // Offered but not yet in the queue, or taken back.
                            _ if idle % 64 == 63 => seen = offered,
                            _ => {}
                        }
                    }
                    std::hint::spin_loop();
                    idle = idle.wrapping_add(1);
                    // The clock costs more than a look: read it now and then.
                    if idle.is_multiple_of(64) && last.elapsed() >= SPIN_FOR {
                        break;
                    }
                }
            }
            awake.store(false, Ordering::Release);
        });
    }

    /// Runs `mine` on this thread while offering `theirs` to the awake
    /// thread; returns false, having run neither, when no thread is awake.
    ///
    /// `theirs` is help, not a share: it may run (at once, or once `mine`
    /// is under way) or never, so `mine` must finish the work whatever
    /// `theirs` does (the two claim the same work items, as
    /// `agents::Claims` hands them out). Returns once `mine` is done and
    /// `theirs` is either done or will never run; a panic in `theirs`
    /// reaches the caller.
    pub(super) fn share(&self, mine: impl FnOnce(), theirs: &(dyn Fn() + Sync)) -> bool {
        if !self.awake.load(Ordering::Acquire) {
            return false;
        }
        let mailbox = &*self.mailbox;
        // Only this thread posts: the next post's number follows the last.
        let post = (mailbox.state.load(Ordering::Relaxed) >> 3) + 1;
        let job = Job(theirs);
        mailbox.job.store(std::ptr::from_ref(&job).cast_mut().cast(), Ordering::Relaxed);
        mailbox.state.store(post << 3 | POSTED, Ordering::Release);
        let reclaim = Reclaim { mailbox, post };
        mine();
        let panicked = reclaim.settle();
        std::mem::forget(reclaim);
        if panicked && let Some(payload) = mailbox.panic.lock().unwrap_or_else(PoisonError::into_inner).take() {
            resume_unwind(payload);
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spinner_takes_the_next_batch_and_stops_after_its_time() {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
        pool.install(|| {
            let mut warm = Warm::default();
            warm.keep();
            // The awake thread takes the next batch's work at once.
            let (a, b) = rayon::join(|| 1, || 2);
            assert_eq!(a + b, 3);
            // Kept again while still awake: one spinner, which gives up on its own.
            warm.keep();
        });
        // The pool's threads are free again: a join completes.
        assert_eq!(pool.install(|| rayon::join(|| 1, || 1)), (1, 1));
    }

    /// Shares `n` items between the caller and the awake thread as the
    /// engine does: both claim from one `Claims`. Returns each item's count
    /// and whether the awake thread claimed any.
    fn share_items(warm: &Warm, n: u32) -> Option<(Vec<u32>, bool)> {
        use crate::agents::Claims;
        use std::sync::atomic::AtomicU32;
        let claims = Claims::new(n);
        let counts: Vec<AtomicU32> = (0..n).map(|_| AtomicU32::new(0)).collect();
        let helped = AtomicBool::new(false);
        let work = |front: bool| {
            while let Some(k) = if front { claims.front() } else { claims.back() } {
                counts[k].fetch_add(1, Ordering::Relaxed);
                if !front {
                    helped.store(true, Ordering::Relaxed);
                }
                // Long enough for the other side to take some.
                std::thread::sleep(Duration::from_micros(50));
            }
        };
        warm.share(|| work(true), &|| work(false))
            .then(|| (counts.iter().map(|c| c.load(Ordering::Relaxed)).collect(), helped.load(Ordering::Relaxed)))
    }

    #[test]
    fn nothing_is_shared_while_no_thread_is_awake() {
        assert!(share_items(&Warm::default(), 4).is_none());
    }

    #[test]
    fn shared_items_are_each_done_once_and_the_awake_thread_helps() {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
        let helped = pool.install(|| {
            let mut warm = Warm::default();
            let mut helped = 0;
            for round in 0..200u32 {
                warm.keep();
                let (counts, help) = share_items(&warm, 1 + round % 9).expect("a thread was kept awake");
                assert!(counts.iter().all(|&c| c == 1), "round {round}: {counts:?}");
                helped += u32::from(help);
            }
            helped
        });
        // A thread that is awake takes the post within microseconds, and
        // the items take 50 µs each; but the tests share two cores, so only
        // that it helps at all is asserted.
        assert!(helped > 0, "the awake thread never helped in 200 rounds");
    }

    /// On a pool of two with a thread kept awake: shares `mine`, called
    /// once the awake thread has started `theirs` (or 5 s have passed),
    /// and `theirs`, which is told to say it started; returns what
    /// reached the caller.
    fn share_once(mine: impl FnOnce() + Send, theirs: impl Fn() + Sync + Send) -> std::thread::Result<bool> {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
        pool.install(|| {
            let mut warm = Warm::default();
            warm.keep();
            let started = AtomicBool::new(false);
            catch_unwind(AssertUnwindSafe(|| {
                warm.share(
                    || {
                        let t = Instant::now();
                        while !started.load(Ordering::Acquire) && t.elapsed() < Duration::from_secs(5) {
                            std::hint::spin_loop();
                        }
                        mine();
                    },
                    &|| {
                        started.store(true, Ordering::Release);
                        theirs();
                    },
                )
            }))
        })
    }

    #[test]
    fn a_panic_on_the_awake_thread_reaches_the_caller() {
        let caught = share_once(|| {}, || panic!("a decision failed"));
        let payload = caught.expect_err("the panic reached the caller");
        assert_eq!(payload.downcast_ref::<&str>(), Some(&"a decision failed"));
    }

    #[test]
    fn a_panic_on_the_caller_waits_for_the_awake_threads_part() {
        let finished = AtomicBool::new(false);
        let caught = share_once(
            || panic!("mine failed"),
            || {
                std::thread::sleep(Duration::from_millis(20));
                finished.store(true, Ordering::Release);
            },
        );
        assert!(caught.is_err());
        // The posted part borrowed this frame's `started`: the caller's
        // unwinding waited for it to end.
        assert!(finished.load(Ordering::Acquire));
    }
}
