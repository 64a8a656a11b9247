//! Ctrl-C during a run: the run works on a thread of its own while the
//! caller's thread waits with the GIL released, waking every 50 ms to let
//! Python run its signal handlers (they run on the main thread only, and
//! only when it holds the GIL). A handler that raises (Ctrl-C's
//! `KeyboardInterrupt`) sets the run's stop flag, which the engine reads at
//! its next boundary, and the exception is raised once the run has ended.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, mpsc};
use std::time::Duration;

use pyo3::prelude::*;

/// How often the waiting thread lets Python check for signals.
const POLL: Duration = Duration::from_millis(50);

/// Runs `work` on a thread of its own; returns its result and the
/// exception a signal handler raised meanwhile (after which `stop` is set).
pub fn run_interruptible<T: Send>(
    py: Python<'_>,
    stop: &AtomicBool,
    work: impl FnOnce() -> T + Send,
) -> (Option<T>, Option<PyErr>) {
    let (tx, rx) = mpsc::channel();
    // Behind a lock only to be shared with the detached closures (a
    // receiver is not Sync); nothing else takes it.
    let rx = Mutex::new(rx);
    std::thread::scope(|scope| {
        scope.spawn(move || {
            // A thread state bound for the whole run: a Python behaviour's
            // calls then re-attach to it instead of making one per batch.
            let out = Python::attach(|py| py.detach(work));
            let _ = tx.send(out);
        });
        let mut raised = None;
        loop {
            let received = py.detach(|| rx.lock().unwrap_or_else(|e| e.into_inner()).recv_timeout(POLL));
            match received {
                Ok(out) => return (Some(out), raised),
                Err(mpsc::RecvTimeoutError::Disconnected) => return (None, raised),
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if raised.is_none()
                        && let Err(e) = py.check_signals()
                    {
                        raised = Some(e);
                        stop.store(true, Ordering::Relaxed);
                    }
                }
            }
        }
    })
}
