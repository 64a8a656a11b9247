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

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Longest a pool thread stays awake, looking for work, after the last job
/// it took.
const SPIN_FOR: Duration = Duration::from_micros(200);

/// The awake thread's leash.
#[derive(Debug, Default)]
pub(super) struct Warm {
    /// Whether a pool thread is (or is about to be) kept awake.
    awake: Arc<AtomicBool>,
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
}
