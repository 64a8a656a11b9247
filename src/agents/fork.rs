//! Two parts of a batch's decisions side by side: the heavier on the
//! calling thread, the lighter offered to the pool.
//!
//! `rayon::join` runs its first closure on the calling thread and, when the
//! second was stolen and is still running, waits for it the pool's way: a
//! few dozen `sched_yield`s, then a sleep that the other thread must wake
//! with a futex call. A spread batch of a handful of microsecond decisions
//! lasts about as long as that round trip, and the caller reaches the wait
//! at every batch whose halves are equal, so the wait cost a fifth of what
//! spreading saved. [`fork`] instead runs the heavier part itself, so the
//! lighter one (started a steal later) is usually done when it finishes,
//! and otherwise waits by spinning on a flag of its own; a part nobody
//! has started it runs itself, as `join` does. Which thread decides what never
//! changes a decision.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Runs `heavy` on the calling thread while `light` is offered to the
/// pool's other threads, and returns when both are done.
pub fn fork<A, B>(heavy: A, light: B)
where
    A: FnOnce() + Send,
    B: FnOnce() + Send,
{
    // Set by `light` as it starts: from then on it runs on another thread
    // (this one is busy with `heavy`), and `done` tells when it ends.
    let started = AtomicBool::new(false);
    let done = AtomicBool::new(false);
    OFFERS.fetch_add(1, Ordering::Release);
    rayon::join(
        || {
            heavy();
            // Not started: `join` runs it here next, at once. Started: wait
            // for it by spinning rather than in `join`'s sleepy wait. (If it
            // starts between this look and `join`'s, `join` waits its own
            // way: slower, never wrong.)
            if started.load(Ordering::Acquire) {
                wait(&done);
            }
        },
        || {
            /// Says the part is over on the way out, even when it panics:
            /// the calling thread may be spinning on `done` (the panic then
            /// reaches it through `join`).
            struct Over<'a>(&'a AtomicBool);
            impl Drop for Over<'_> {
                fn drop(&mut self) {
                    self.0.store(true, Ordering::Release);
                }
            }
            started.store(true, Ordering::Release);
            let _over = Over(&done);
            light();
        },
    );
}

/// How many parts [`fork`] has offered, in this process: a thread kept
/// awake for them watches it (one cached line) and looks into the pool's
/// queues only when it moves, where looking takes a few hundred
/// nanoseconds of every round of its wait.
static OFFERS: AtomicU64 = AtomicU64::new(0);

/// The count of parts [`fork`] has offered so far (see `OFFERS`).
pub fn offers() -> u64 {
    OFFERS.load(Ordering::Acquire)
}

/// Spins until `done`: out of line, so profiles show the wait.
#[inline(never)]
fn wait(done: &AtomicBool) {
    while !done.load(Ordering::Acquire) {
        std::hint::spin_loop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_parts_run_on_a_pool_of_any_size_and_off_the_pool() {
        for threads in [1, 2, 3] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            let (mut a, mut b) = (0, 0);
            pool.install(|| fork(|| a = 1, || b = 2));
            assert_eq!((a, b), (1, 2), "{threads} threads");
        }
        let (mut a, mut b) = (0, 0);
        fork(|| a = 3, || b = 4);
        assert_eq!((a, b), (3, 4));
    }

    #[test]
    fn a_panic_in_the_other_part_reaches_the_caller_instead_of_hanging_it() {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            pool.install(|| {
                fork(
                    // Long enough for the other thread to start the light part.
                    || std::thread::sleep(std::time::Duration::from_millis(50)),
                    || panic!("a decision failed"),
                )
            })
        }));
        assert!(caught.is_err());
    }

    #[test]
    fn nested_forks_finish() {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
        let mut parts = [0u32; 4];
        pool.install(|| {
            let (left, right) = parts.split_at_mut(2);
            fork(
                || {
                    let (x, y) = right.split_at_mut(1);
                    fork(|| x[0] = 3, || y[0] = 4);
                },
                || {
                    let (x, y) = left.split_at_mut(1);
                    fork(|| x[0] = 1, || y[0] = 2);
                },
            );
        });
        assert_eq!(parts, [1, 2, 3, 4]);
    }
}
