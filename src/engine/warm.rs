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
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Longest a pool thread waits, awake, for the next spread batch.
const SPIN_FOR: Duration = Duration::from_micros(200);

/// The spinning job's leash: the number of the spread batch it waits for.
#[derive(Debug, Default)]
pub(super) struct Warm {
    /// Bumped when a spread batch begins; a spinner stops when it changes.
    batch: Arc<AtomicU64>,
    spinning: bool,
}

impl Warm {
    /// A spread batch begins: the spinner, if any, stops and its thread
    /// takes part of the batch.
    pub(super) fn release(&mut self) {
        if self.spinning {
            self.batch.fetch_add(1, Ordering::Release);
            self.spinning = false;
        }
    }

    /// A spread batch ended: one pool thread spins until the next begins.
    pub(super) fn keep(&mut self) {
        let batch = Arc::clone(&self.batch);
        let current = batch.load(Ordering::Relaxed);
        let engine = rayon::current_thread_index();
        rayon::spawn(move || {
            // A job spawned on a pool thread waits in that thread's own
            // queue: the engine's thread may run it itself while it waits
            // in a join, where spinning would only stall it.
            if rayon::current_thread_index() == engine {
                return;
            }
            let start = Instant::now();
            let mut spins = 0u32;
            while batch.load(Ordering::Acquire) == current {
                std::hint::spin_loop();
                spins = spins.wrapping_add(1);
                // The clock costs more than a spin: read it now and then.
                if spins.is_multiple_of(256) && start.elapsed() >= SPIN_FOR {
                    return;
                }
            }
        });
        self.spinning = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spinner_stops_when_released_or_after_its_time() {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
        pool.install(|| {
            let mut warm = Warm::default();
            warm.keep();
            warm.release();
            // Released: the next batch's work is taken at once.
            let (a, b) = rayon::join(|| 1, || 2);
            assert_eq!(a + b, 3);
            // Not released: the spinner gives up on its own.
            warm.keep();
        });
        // The pool's threads are free again: a join completes.
        assert_eq!(pool.install(|| rayon::join(|| 1, || 1)), (1, 1));
    }
}
