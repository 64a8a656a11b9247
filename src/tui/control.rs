//! The control of the live view: a second run of the same scenario and
//! seed on a thread of its own (the other core), which gets none of the
//! changes: neither the live ones nor the scenario's scripted `[[events]]`,
//! as `tplus run --control` leaves them out, so that a lesson's scripted
//! rumour or hike shows against the same seed without it (the two runs are
//! the same up to the first change). It
//! follows the live run's simulated clock: the simulation thread tells it
//! where the live run stands ([`Control::follow`]), and it runs up to
//! there and no further, so it is never ahead; paused, both stand at the
//! same moment. Once it has caught up, the live run waits for it whenever
//! it falls more than one step of the live run behind (an hour at max speed)
//! ([`Control::keep_up`]), so it is never far behind either. Started in the
//! middle of a session, it catches up as fast as it can, and the live run
//! does not wait for it meanwhile.
//!
//! Stepping a run by other moments changes no result (`LiveSim::advance_to`),
//! so the control's windows are those of a plain run of the scenario with
//! that seed.

use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::agents::Registry;
use crate::scenario::Scenario;
use crate::tui::view::{LiveRun, LiveView};

/// Least real time between two views the control publishes while it runs.
const PUBLISH_EVERY: Duration = Duration::from_millis(33);
/// How long the live run waits for the control at a time before it looks
/// whether the control's thread is still there.
const WAIT_SLICE: Duration = Duration::from_millis(50);

/// Where the control publishes its latest view, for the front end.
#[derive(Debug, Default)]
pub struct Slot {
    view: Mutex<Option<Arc<LiveView>>>,
    seq: AtomicU64,
}

impl Slot {
    /// The control's latest view (None while there is no control).
    pub fn get(&self) -> Option<Arc<LiveView>> {
        self.view.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Counts up with every view put (and with every clearing).
    pub fn seq(&self) -> u64 {
        self.seq.load(Ordering::SeqCst)
    }

    fn set(&self, view: Option<Arc<LiveView>>) {
        *self.view.lock().unwrap_or_else(PoisonError::into_inner) = view;
        self.seq.fetch_add(1, Ordering::SeqCst);
    }
}

/// What the simulation thread and the control's thread share.
#[derive(Debug, Default)]
struct State {
    /// Where the live run stands: the control runs up to here.
    target: i64,
    /// Where the control stands (the target itself once the control's run is over).
    reached: i64,
    /// Counts restarts: the control thread starts its run afresh when it changes.
    generation: u64,
    /// The control has stood at the target since it started or restarted.
    caught_up: bool,
    quit: bool,
}

#[derive(Debug, Default)]
struct Shared {
    state: Mutex<State>,
    /// Signalled for the control thread: a new target, a restart, quit.
    work: Condvar,
    /// Signalled for the simulation thread: the control moved.
    moved: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The simulation thread's handle on the control. Dropping it stops the
/// control's thread and clears its view from the slot.
pub struct Control {
    shared: Arc<Shared>,
    slot: Arc<Slot>,
    thread: Option<JoinHandle<()>>,
    /// The targets sent last and the one before.
    last: i64,
    before: i64,
}

impl Control {
    /// Starts the control of `scenario` with `seed` (a scenario the live
    /// run was built from, so it builds), following a live run that stands
    /// at `now`: it catches up from the start of the run.
    pub fn spawn(
        scenario: &Scenario,
        seed: Option<u64>,
        now: i64,
        slot: Arc<Slot>,
        registry: &Registry,
    ) -> io::Result<Control> {
        let shared = Arc::new(Shared::default());
        shared.lock().target = now;
        let mut plain = scenario.clone();
        plain.events.clear();
        let (scenario, theirs, their_slot) = (plain, Arc::clone(&shared), Arc::clone(&slot));
        let registry = registry.clone();
        let thread = std::thread::Builder::new()
            .name("tplus-live-control".into())
            .spawn(move || control_thread(&scenario, seed, &theirs, &their_slot, &registry))?;
        Ok(Control { shared, slot, thread: Some(thread), last: now, before: now })
    }

    /// The live run now stands at `t`: the control may run up to there.
    pub fn follow(&mut self, t: i64) {
        if t == self.last {
            return;
        }
        (self.before, self.last) = (self.last, t);
        let mut s = self.shared.lock();
        s.target = t;
        drop(s);
        self.shared.work.notify_one();
    }

    /// The live run started again from the beginning: so does the control.
    pub fn restart(&mut self) {
        (self.before, self.last) = (0, 0);
        let mut s = self.shared.lock();
        s.generation += 1;
        (s.target, s.reached, s.caught_up) = (0, 0, true);
        drop(s);
        self.shared.work.notify_one();
    }

    /// Whether the control stands where the live run stood at the last
    /// target but one (and has caught up since it started).
    pub fn caught_up(&self) -> bool {
        self.shared.lock().caught_up
    }

    /// Waits, once the control has caught up, until it stands where the
    /// live run stood before its last step: the control is then at most
    /// one step of the live run behind. Returns at once while it catches
    /// up, and when its thread has gone.
    pub fn keep_up(&self) {
        self.keep_within(0);
    }

    /// [`Control::keep_up`], letting the control fall `slack` ns further
    /// behind first: at full speed the live run then rarely waits for it,
    /// and the ghost trails the live run by at most that much.
    pub fn keep_within(&self, slack: i64) {
        let mut s = self.shared.lock();
        while s.caught_up && s.reached.saturating_add(slack) < self.before && !s.quit {
            if self.thread.as_ref().is_none_or(|t| t.is_finished()) {
                return;
            }
            s = self.shared.moved.wait_timeout(s, WAIT_SLICE).unwrap_or_else(PoisonError::into_inner).0;
        }
    }

    /// Where the control stands (ns since the start).
    pub fn reached(&self) -> i64 {
        self.shared.lock().reached
    }
}

impl Drop for Control {
    fn drop(&mut self) {
        self.shared.lock().quit = true;
        self.shared.work.notify_one();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        self.slot.set(None);
    }
}

/// The control's thread: runs up to each target in steps of at most one
/// metrics window, publishing its view at most every [`PUBLISH_EVERY`] as
/// it goes, and once it has stood still at the target for that long (so
/// a paused run shows the control where it stands). At max speed the live
/// run moves the target every window: a view built at each would cost the
/// control, which the live run waits for, a view of the whole run per window.
fn control_thread(scenario: &Scenario, seed: Option<u64>, shared: &Shared, slot: &Slot, registry: &Registry) {
    let Ok(mut run) = LiveRun::with_registry(scenario, seed, registry) else { return };
    let mut generation = 0;
    let mut published = Instant::now();
    // Whether the run moved since its view was last published.
    let mut unpublished = false;
    let publish = |run: &LiveRun, published: &mut Instant| {
        slot.set(Some(Arc::new(run.view(0))));
        *published = Instant::now();
    };
    publish(&run, &mut published);
    loop {
        let target = {
            let mut s = shared.lock();
            loop {
                if s.quit {
                    return;
                }
                if s.generation != generation || s.reached < s.target {
                    break;
                }
                // At the target: publish once it has stood there a while.
                if unpublished {
                    let left = PUBLISH_EVERY.saturating_sub(published.elapsed());
                    if left.is_zero() {
                        drop(s);
                        publish(&run, &mut published);
                        unpublished = false;
                        s = shared.lock();
                    } else {
                        s = shared.work.wait_timeout(s, left).unwrap_or_else(PoisonError::into_inner).0;
                    }
                    continue;
                }
                s = shared.work.wait(s).unwrap_or_else(PoisonError::into_inner);
            }
            if s.generation != generation {
                generation = s.generation;
                drop(s);
                let Ok(fresh) = LiveRun::with_registry(scenario, seed, registry) else { return };
                run = fresh;
                publish(&run, &mut published);
                unpublished = false;
                continue;
            }
            s.target
        };
        let sim = run.sim();
        let next = target.min(sim.window_end().saturating_add(1));
        if !sim.finished() && next > sim.now() {
            run.sim_mut().advance_to(next);
        }
        let (now, finished) = (run.sim().now(), run.sim().finished());
        let mut s = shared.lock();
        if s.generation != generation {
            continue;
        }
        s.reached = if finished { s.target.max(now) } else { now };
        s.caught_up |= s.reached >= s.target;
        drop(s);
        shared.moved.notify_all();
        unpublished = true;
        if published.elapsed() >= PUBLISH_EVERY {
            publish(&run, &mut published);
            unpublished = false;
        }
    }
}
