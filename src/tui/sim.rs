//! The simulation thread of the live view: it owns the [`LiveRun`], takes
//! [`Command`]s over a channel, advances by simulated time at the chosen
//! speed (or window by window as fast as it can), and publishes the latest
//! [`LiveSnapshot`] into a shared slot every `publish_every`, so drawing never
//! waits for the simulation and publishing costs it little.
//!
//! At a finite speed the thread keeps a schedule: anchored at a moment of
//! the wall clock and of the run, the simulated clock should stand at
//! `sim_anchor + speed × (now − wall_anchor)`. Each tick it runs the engine
//! up to that target (in chunks, so that a slow stretch still leaves time to
//! publish), publishes, and sleeps until the next tick of the same anchored
//! grid, so a late wake-up never adds up to drift. A quiet stretch with no
//! event passes at the same pace (the clock goes to the target, not to the
//! next event). A pause, a resume, a new speed, a step or a restart anchor
//! the schedule afresh; so does the night, which is skipped (the clock goes
//! from the close straight to the next open). When the engine cannot keep
//! up, the schedule slips rather than piling up a debt, and the snapshot
//! says so ([`LiveSnapshot::behind`]). The wall clock is a [`Clock`], so that a
//! test can drive the thread with a fake one.
//!
//! Speed never changes results: a live change takes effect at the next whole
//! simulated second whatever the speed, so a saved run replays exactly.
//!
//! With the control on ([`Command::Control`], [`SimOptions::control`]) the
//! thread runs a [`Control`] beside the live run: the same scenario and
//! seed without the live changes, on its own thread, told where the live
//! run stands after each step, restarted with it. Its latest view comes
//! with each snapshot ([`LiveSnapshot::control`]).

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, TryRecvError};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use crate::agents::Registry;
use crate::calendar::Calendar;
use crate::columns;
use crate::engine::live::NoChange;
use crate::engine::{self, RunOptions};
use crate::results::{self, PartialFile, RunWriter};
use crate::scenario::{self, Scenario, ScriptedEvent};
use crate::tui::control::{Control, Slot};
use crate::tui::view::{Knob, LiveRun, LiveView};

/// How fast simulated time runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Speed {
    /// Simulated seconds per real second.
    Times(u32),
    /// Window after window, as fast as the machine goes.
    Max,
}

/// The speeds `+` and `-` step through: real time, 10×, 30×, 60×, 300×,
/// 1800×, 7200× and as fast as possible.
pub const SPEEDS: [Speed; 8] = [
    Speed::Times(1),
    Speed::Times(10),
    Speed::Times(30),
    Speed::Times(60),
    Speed::Times(300),
    Speed::Times(1800),
    Speed::Times(7200),
    Speed::Max,
];

/// The index into [`SPEEDS`] a session starts at (300×: a session of five
/// and a half hours in a little over a minute).
pub const DEFAULT_SPEED: usize = 4;

/// The wall clock the simulation thread keeps its schedule by: the real
/// one ([`WallClock`]), or a fake one in tests.
pub trait Clock: Send + 'static {
    /// The time now.
    fn now(&self) -> Instant;
    /// Waits until `deadline` (None: for as long as it takes) or until a
    /// command comes, whichever is first.
    fn sleep_until(&self, deadline: Option<Instant>, commands: &Receiver<Command>) -> WakeReason;
}

/// Why [`Clock::sleep_until`] returned.
#[derive(Clone, Debug, PartialEq)]
pub enum WakeReason {
    /// The deadline passed.
    Deadline,
    /// A command came.
    Command(Command),
    /// The front end has gone: nobody can send a command any more.
    Hangup,
}

/// The real wall clock: [`Instant::now`], and sleeping on the command channel.
#[derive(Clone, Copy, Debug, Default)]
pub struct WallClock;

impl Clock for WallClock {
    fn now(&self) -> Instant {
        Instant::now()
    }

    fn sleep_until(&self, deadline: Option<Instant>, commands: &Receiver<Command>) -> WakeReason {
        let got = match deadline {
            None => commands.recv().map_err(|_| RecvTimeoutError::Disconnected),
            Some(d) => commands.recv_timeout(d.saturating_duration_since(Instant::now())),
        };
        match got {
            Ok(c) => WakeReason::Command(c),
            Err(RecvTimeoutError::Timeout) => WakeReason::Deadline,
            Err(RecvTimeoutError::Disconnected) => WakeReason::Hangup,
        }
    }
}

/// What the front end asks of the simulation thread.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Nothing for the simulation (the key changed only what is shown).
    None,
    /// Stop the simulation thread (the run is dropped, saves in progress finish).
    Quit,
    /// Pause (true) or resume (false).
    Pause(bool),
    /// Run at this speed from now on.
    Speed(Speed),
    /// Pause and run one metrics window.
    Step,
    /// Change a knob by this many of its steps, at the next whole second.
    Change(Knob, i32),
    /// Start again with the same scenario and seed (live changes dropped).
    Restart,
    /// Save the run so far under this results root: the replay scenario,
    /// the live changes and the replay's results.
    Save(PathBuf),
    /// Run the control beside the live run (true; started in the middle of
    /// the run, it catches up from the start) or stop it (false).
    Control(bool),
}

/// What the simulation thread tells the front end, besides snapshots.
#[derive(Clone, Debug, PartialEq)]
pub enum Notice {
    /// A knob change was scheduled (`at`: seconds since the start), or
    /// refused (`at`: why).
    Changed {
        /// The knob the change was asked for.
        knob: Knob,
        /// By how many of the knob's steps it changes (negative: down): fewer
        /// than asked, a fraction even, where the knob stops at its range.
        steps: f64,
        /// When it takes effect, in seconds since 00:00 of the start date;
        /// or why nothing changes.
        at: Result<f64, NoChange>,
    },
    /// The run started again from the beginning, as [`Command::Restart`] asked.
    Restarted,
    /// A save started writing into this directory.
    Saving(PathBuf),
    /// The save into this directory is complete.
    Saved(PathBuf),
    /// A save failed: the directory it was writing (empty when none was
    /// created) and what went wrong.
    SaveFailed(PathBuf, String),
    /// The control started (`Some`: the live run's time it catches up to,
    /// in seconds since the start), or stopped (`None`).
    Control(Option<f64>),
    /// The control could not start: why.
    ControlFailed(String),
}

/// One published state of the run.
#[derive(Clone, Debug)]
pub struct LiveSnapshot {
    /// What the screen shows of the run at the time of publication.
    pub view: Arc<LiveView>,
    /// Simulated seconds of session time per real second lately (None until measured).
    pub rate: Option<f64>,
    /// Set while the engine cannot keep up with the speed asked (its
    /// schedule slipped within the last second): the pace it does keep,
    /// in simulated seconds per real second.
    pub behind: Option<f64>,
    /// When it was published, by the simulation thread's clock.
    pub at: Instant,
    /// Counts up with every publication (of the live run or of the control).
    pub seq: u64,
    /// The control's latest view, while the control runs: the same
    /// scenario and seed without the live changes, at the live run's time
    /// or a little behind it.
    pub control: Option<Arc<LiveView>>,
}

/// How the thread starts.
#[derive(Clone, Debug)]
pub struct SimOptions {
    /// Start paused, waiting for a command, rather than running.
    pub paused: bool,
    /// How fast simulated time runs at the start.
    pub speed: Speed,
    /// Book levels a side in each view.
    pub depth: usize,
    /// Least time between two publications while running.
    pub publish_every: Duration,
    /// Least time between two publications while running at max speed
    /// (the front end draws 10 frames a second there: [`super::FRAME_AT_MAX`]).
    pub publish_every_at_max: Duration,
    /// Run the control from the start.
    pub control: bool,
    /// The behaviours the scenario's groups name: the built-in ones, or a
    /// researcher's beside them (`tplus::cli::main_with`).
    pub registry: Registry,
}

impl Default for SimOptions {
    fn default() -> Self {
        SimOptions {
            paused: false,
            speed: SPEEDS[DEFAULT_SPEED],
            depth: 10,
            publish_every: Duration::from_millis(33),
            publish_every_at_max: super::FRAME_AT_MAX,
            control: false,
            registry: Registry::builtin(),
        }
    }
}

/// Where the time of the simulation thread went, for measuring what the
/// live view costs it.
#[derive(Clone, Copy, Debug, Default)]
pub struct SimReport {
    /// Time spent advancing the simulation.
    pub advancing: Duration,
    /// Time spent building and publishing views.
    pub publishing: Duration,
    /// Snapshots published.
    pub publications: u64,
    /// From the start of the run (once built; again at a restart) until it finished (None: it did not).
    pub to_finish: Option<Duration>,
}

struct Shared {
    latest: Mutex<Option<Arc<LiveSnapshot>>>,
    /// The control's latest view.
    control: Arc<Slot>,
}

/// The front end's handle on the simulation thread.
pub struct SimHandle {
    commands: Sender<Command>,
    notices: Receiver<Notice>,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<SimReport>>,
}

/// Starts the simulation thread on a validated scenario, paced by the wall clock.
pub fn spawn(scenario: Scenario, seed: Option<u64>, opts: SimOptions) -> io::Result<SimHandle> {
    spawn_with_clock(scenario, seed, opts, WallClock)
}

/// Starts the simulation thread on a validated scenario, paced by `clock`.
pub fn spawn_with_clock(
    scenario: Scenario,
    seed: Option<u64>,
    opts: SimOptions,
    clock: impl Clock,
) -> io::Result<SimHandle> {
    let (commands, rx) = mpsc::channel();
    let (tell, notices) = mpsc::channel();
    let shared = Arc::new(Shared { latest: Mutex::new(None), control: Arc::new(Slot::default()) });
    let slot = Arc::clone(&shared);
    let live = LiveRun::with_registry(&scenario, seed, &opts.registry)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
    let thread = std::thread::Builder::new()
        .name("tplus-live-sim".into())
        .spawn(move || Sim::new(scenario, live, seed, opts, Box::new(clock), slot, tell).run(rx))?;
    Ok(SimHandle { commands, notices, shared, thread: Some(thread) })
}

impl SimHandle {
    /// Sends a command; false when the thread has stopped.
    pub fn send(&self, command: Command) -> bool {
        command == Command::None || self.commands.send(command).is_ok()
    }

    /// The latest snapshot published, with the control's latest view.
    pub fn latest(&self) -> Option<Arc<LiveSnapshot>> {
        let snapshot = self.shared.latest.lock().unwrap_or_else(PoisonError::into_inner).clone()?;
        let slot = &self.shared.control;
        let seq = slot.seq();
        if seq == 0 {
            return Some(snapshot);
        }
        let control = slot.get();
        Some(Arc::new(LiveSnapshot { control, seq: snapshot.seq + seq, ..(*snapshot).clone() }))
    }

    /// The next notice, if any.
    pub fn try_notice(&self) -> Option<Notice> {
        self.notices.try_recv().ok()
    }

    /// Waits up to `timeout` for the next notice.
    pub fn wait_notice(&self, timeout: Duration) -> Option<Notice> {
        self.notices.recv_timeout(timeout).ok()
    }

    /// False once the thread has ended (after `Quit`, or a panic).
    pub fn is_running(&self) -> bool {
        self.thread.as_ref().is_some_and(|t| !t.is_finished())
    }

    /// Asks the thread to quit and waits for it, and for any save still
    /// being written; Err if the thread panicked or was stopped before.
    pub fn stop(&mut self) -> Result<SimReport, StopError> {
        let _ = self.commands.send(Command::Quit);
        match self.thread.take() {
            Some(thread) => thread.join().map_err(|e| StopError::Panicked(panic_text(&*e))),
            None => Err(StopError::AlreadyStopped),
        }
    }

    /// Notices left when the thread has stopped (saves finished meanwhile).
    pub fn drain_notices(&self) -> Vec<Notice> {
        self.notices.try_iter().collect()
    }
}

/// Why [`SimHandle::stop`] has no report of the run to give.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StopError {
    /// The simulation thread panicked; the panic's message.
    #[error("{0}")]
    Panicked(String),
    /// `stop` was called before: the thread and its report are gone.
    #[error("the simulation thread was stopped already")]
    AlreadyStopped,
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        if let Some(thread) = self.thread.take() {
            let _ = self.commands.send(Command::Quit);
            let _ = thread.join();
        }
    }
}

/// The message of a panic payload.
pub fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "the simulation thread panicked".to_string()
    }
}

/// How far (in real time's worth of the schedule) the engine may lag behind
/// its target before the schedule slips: past it the run goes on from where
/// it is, at the pace it can keep, and says it is behind, rather than racing
/// later to pay back a debt.
const MAX_LAG: Duration = Duration::from_millis(250);
/// Real time's worth of the schedule the engine runs between two looks at
/// the clock while it catches up with its target.
const CHUNK: Duration = Duration::from_millis(4);
/// How far (simulated time) the control may trail the live run at full
/// speed: one session hour, a fraction of a second of wall time there.
const MAX_SPEED_SLACK: i64 = 3_600_000_000_000;

/// How long "behind" stays up after the schedule last slipped.
const BEHIND_FOR: Duration = Duration::from_secs(1);
/// Least real time the measured rate is taken over.
const RATE_OVER: Duration = Duration::from_millis(500);

/// Simulated session time up to `t`: the time of the sessions before it,
/// with nights, weekends and holidays left out (ns).
fn session_time(cal: &Calendar, t: i64) -> i64 {
    cal.days().iter().take_while(|d| d.open < t).map(|d| t.min(d.close) - d.open).sum()
}

/// Simulated nanoseconds the schedule asks for `elapsed` real time at `x`×.
fn scheduled(x: u32, elapsed: Duration) -> i64 {
    i64::try_from(elapsed.as_nanos().saturating_mul(u128::from(x))).unwrap_or(i64::MAX)
}

struct Sim {
    scenario: Scenario,
    seed: Option<u64>,
    live: LiveRun,
    opts: SimOptions,
    clock: Box<dyn Clock>,
    paused: bool,
    speed: Speed,
    shared: Arc<Shared>,
    tell: Sender<Notice>,
    saves: Vec<JoinHandle<()>>,
    report: SimReport,
    started: Instant,
    seq: u64,
    last_publish: Option<Instant>,
    /// The schedule at a finite speed: (wall clock, simulated time) at its
    /// anchor; None until the next tick anchors it afresh.
    anchor: Option<(Instant, i64)>,
    /// Until when the snapshot says the run is behind, and the pace it kept.
    behind: Option<(Instant, f64)>,
    /// (wall clock, session time) at the start of the rate measurement.
    rate_from: Option<(Instant, i64)>,
    rate: Option<f64>,
    /// The control, while it runs.
    control: Option<Control>,
}

impl Sim {
    fn new(
        scenario: Scenario,
        live: LiveRun,
        seed: Option<u64>,
        opts: SimOptions,
        clock: Box<dyn Clock>,
        shared: Arc<Shared>,
        tell: Sender<Notice>,
    ) -> Sim {
        let started = clock.now();
        Sim {
            scenario,
            seed,
            live,
            paused: opts.paused,
            speed: opts.speed,
            opts,
            clock,
            shared,
            tell,
            saves: Vec::new(),
            report: SimReport::default(),
            started,
            seq: 0,
            last_publish: None,
            anchor: None,
            behind: None,
            rate_from: None,
            rate: None,
            control: None,
        }
    }

    fn idle(&self) -> bool {
        self.paused || self.live.sim().finished()
    }

    fn run(mut self, rx: Receiver<Command>) -> SimReport {
        if self.opts.control {
            self.control(true);
        }
        let now = self.clock.now();
        self.publish(now);
        let mut woken: Option<Command> = None;
        'run: loop {
            // Commands: the one that woke the thread, then whatever else has come.
            let mut changed = false;
            let mut next = woken.take();
            loop {
                let command = match next.take() {
                    Some(c) => c,
                    None => match rx.try_recv() {
                        Ok(c) => c,
                        Err(TryRecvError::Empty) => break,
                        Err(TryRecvError::Disconnected) => break 'run,
                    },
                };
                if command == Command::Quit {
                    break 'run;
                }
                self.handle(command);
                changed = true;
            }
            let now = self.clock.now();
            let deadline = if self.idle() {
                if changed {
                    self.publish(now);
                }
                None
            } else {
                match self.speed {
                    Speed::Max => {
                        self.run_max(now);
                        // No sleep: straight on to the next window, commands first.
                        continue;
                    }
                    Speed::Times(x) => Some(self.pace(x, now)),
                }
            };
            match self.clock.sleep_until(deadline, &rx) {
                WakeReason::Deadline => {}
                WakeReason::Command(c) => woken = Some(c),
                WakeReason::Hangup => break,
            }
        }
        self.control = None;
        for save in self.saves.drain(..) {
            let _ = save.join();
        }
        self.report
    }

    /// Starts or stops the control, and says so.
    fn control(&mut self, on: bool) {
        if on == self.control.is_some() {
            return;
        }
        if !on {
            self.control = None;
            let _ = self.tell.send(Notice::Control(None));
            return;
        }
        let now = self.live.sim().now();
        match Control::spawn(&self.scenario, self.seed, now, Arc::clone(&self.shared.control), &self.opts.registry) {
            Ok(c) => {
                self.control = Some(c);
                self.follow();
                let _ = self.tell.send(Notice::Control(Some(now as f64 / 1e9)));
            }
            Err(e) => {
                let _ = self.tell.send(Notice::ControlFailed(e.to_string()));
            }
        }
    }

    /// Tells the control where the live run stands (once the live run is
    /// over, that the control may run to its end too).
    fn follow(&mut self) {
        let sim = self.live.sim();
        let now = if sim.finished() { i64::MAX } else { sim.now() };
        if let Some(c) = &mut self.control {
            c.follow(now);
        }
    }

    /// Waits for a control that has fallen more than a step behind.
    fn keep_up(&self) {
        if let Some(c) = &self.control {
            c.keep_up();
        }
    }

    /// One window as fast as possible, published when a tick is due. The
    /// control may trail by up to [`MAX_SPEED_SLACK`] here, so that the two
    /// runs, each on its own core, rarely wait for each other.
    fn run_max(&mut self, now: Instant) {
        if let Some(c) = &self.control {
            c.keep_within(MAX_SPEED_SLACK);
        }
        self.live.sim_mut().advance_window();
        self.follow();
        self.report.advancing += self.clock.now().saturating_duration_since(now);
        self.note_finish();
        let now = self.clock.now();
        let every = self.opts.publish_every.max(self.opts.publish_every_at_max);
        let due = self.last_publish.is_none_or(|t| now.saturating_duration_since(t) >= every);
        if due || self.idle() {
            self.publish(now);
        }
    }

    /// One tick at `x`×: runs the engine up to where the schedule says the
    /// clock should stand now, publishes, and gives the next tick's time.
    fn pace(&mut self, x: u32, now: Instant) -> Instant {
        let tick = self.opts.publish_every.max(Duration::from_millis(1));
        let (mut wall0, mut sim0) = *self.anchor.get_or_insert((now, self.live.sim().now()));
        // The next tick on the anchored grid: a late wake-up does not move it.
        let next_tick = |wall0: Instant, at: Instant| {
            let k = at.saturating_duration_since(wall0).as_nanos() / tick.as_nanos() + 1;
            wall0 + tick * u32::try_from(k).unwrap_or(u32::MAX)
        };
        let tick_end = next_tick(wall0, now);
        self.keep_up();
        let chunk = scheduled(x, CHUNK).max(1);
        // Where the clock should stand now: the target of this tick.
        let target = sim0.saturating_add(scheduled(x, now.saturating_duration_since(wall0)));
        loop {
            let sim = self.live.sim();
            if sim.finished() {
                break;
            }
            // Between sessions, skip the night: on to the next open, anchored there.
            if let Some(open) = sim.next_open().filter(|&open| open > sim.now()) {
                self.live.sim_mut().advance_to(open);
                (wall0, sim0) = (self.clock.now(), open);
                self.anchor = Some((wall0, sim0));
                self.rate_from = None;
                break;
            }
            let reached = sim.now();
            if reached >= target {
                break;
            }
            self.live.sim_mut().advance_to(target.min(reached.saturating_add(chunk)));
            if self.clock.now() >= tick_end {
                break;
            }
        }
        self.follow();
        let done = self.clock.now();
        self.report.advancing += done.saturating_duration_since(now);
        self.note_finish();
        // Fallen behind by more than the schedule allows: slip, and say so.
        let reached = self.live.sim().now();
        let now = done;
        let target = sim0.saturating_add(scheduled(x, now.saturating_duration_since(wall0)));
        if !self.live.sim().finished() && target - reached > scheduled(x, MAX_LAG) {
            let secs = now.saturating_duration_since(wall0).as_secs_f64();
            let kept = if secs > 0.0 { (reached - sim0) as f64 / 1e9 / secs } else { 0.0 };
            self.behind = Some((now + BEHIND_FOR, kept));
            self.anchor = Some((now, reached));
            wall0 = now;
        }
        self.publish(now);
        next_tick(wall0, self.clock.now())
    }

    fn note_finish(&mut self) {
        if self.live.sim().finished() && self.report.to_finish.is_none() {
            self.report.to_finish = Some(self.clock.now().saturating_duration_since(self.started));
        }
    }

    fn handle(&mut self, command: Command) {
        // Anything but a knob change or a save starts the schedule afresh.
        if !matches!(command, Command::Change(..) | Command::Save(_) | Command::None | Command::Control(_)) {
            self.anchor = None;
            self.behind = None;
            self.rate_from = None;
        }
        match command {
            Command::None | Command::Quit => {}
            Command::Pause(p) => self.paused = p,
            Command::Speed(s) => self.speed = s,
            Command::Step => {
                self.paused = true;
                if !self.live.sim().finished() {
                    let t0 = self.clock.now();
                    self.keep_up();
                    self.live.sim_mut().advance_window();
                    self.follow();
                    self.report.advancing += self.clock.now().saturating_duration_since(t0);
                }
            }
            Command::Change(knob, steps) => {
                let notice = match self.live.change(knob, f64::from(steps)) {
                    Ok(made) => Notice::Changed { knob, steps: made, at: self.scheduled_at().ok_or(NoChange::Over) },
                    Err(why) => Notice::Changed { knob, steps: 0.0, at: Err(why) },
                };
                let _ = self.tell.send(notice);
            }
            Command::Restart => {
                // The same scenario built at the start, so it builds again;
                // were it not to, the run in progress simply goes on.
                if let Ok(live) = LiveRun::with_registry(&self.scenario, self.seed, &self.opts.registry) {
                    self.live = live;
                    if let Some(c) = &mut self.control {
                        c.restart();
                    }
                    self.report.to_finish = None;
                    self.started = self.clock.now();
                    let _ = self.tell.send(Notice::Restarted);
                }
            }
            Command::Save(root) => self.save(&root),
            Command::Control(on) => self.control(on),
        }
    }

    /// When the latest live change takes effect (seconds since the start).
    fn scheduled_at(&self) -> Option<f64> {
        self.live.changes().last().map(|(t, _)| t)
    }

    fn publish(&mut self, now: Instant) {
        let t0 = now;
        let view = self.live.view(self.opts.depth);
        let session = session_time(self.live.sim().calendar(), self.live.sim().now());
        match self.rate_from {
            Some((since, from)) if now.saturating_duration_since(since) >= RATE_OVER => {
                let secs = now.saturating_duration_since(since).as_secs_f64();
                self.rate = Some((session - from) as f64 / 1e9 / secs);
                self.rate_from = Some((now, session));
            }
            Some(_) => {}
            None => self.rate_from = Some((now, session)),
        }
        if self.idle() {
            self.rate = None;
        }
        let behind = match (self.behind, self.speed) {
            (Some((until, kept)), Speed::Times(_)) if now < until && !self.idle() => Some(kept),
            _ => None,
        };
        self.seq += 1;
        let snapshot = Arc::new(LiveSnapshot {
            view: Arc::new(view),
            rate: self.rate,
            behind,
            at: now,
            seq: self.seq,
            control: None,
        });
        *self.shared.latest.lock().unwrap_or_else(PoisonError::into_inner) = Some(snapshot);
        let done = self.clock.now();
        self.last_publish = Some(done);
        self.report.publishing += done.saturating_duration_since(t0);
        self.report.publications += 1;
    }

    /// Starts writing the run so far into a fresh directory under `root`.
    fn save(&mut self, root: &Path) {
        let replay = self.live.sim().replay_scenario();
        let changes: Vec<(f64, ScriptedEvent)> = self.live.changes().map(|(t, e)| (t, e.clone())).collect();
        let dir = match new_live_dir(root, &replay.simulation.name) {
            Ok(dir) => dir,
            Err((dir, e)) => {
                let _ = self.tell.send(Notice::SaveFailed(dir, e.to_string()));
                return;
            }
        };
        let _ = self.tell.send(Notice::Saving(dir.clone()));
        let tell = self.tell.clone();
        let registry = self.opts.registry.clone();
        let worker = std::thread::Builder::new().name("tplus-live-save".into()).spawn(move || {
            let notice = match write_live_run(&dir, &replay, &changes, &registry) {
                Ok(()) => Notice::Saved(dir),
                Err(e) => Notice::SaveFailed(dir, e.to_string()),
            };
            let _ = tell.send(notice);
        });
        match worker {
            Ok(w) => self.saves.push(w),
            Err(e) => {
                let _ = self.tell.send(Notice::SaveFailed(PathBuf::new(), e.to_string()));
            }
        }
    }
}

/// A fresh directory `root/<scenario>/live-<UTC time>` (suffixed `-2`, `-3`,
/// … when two saves fall in the same second), created now so that the next
/// save cannot pick it.
fn new_live_dir(root: &Path, name: &str) -> Result<PathBuf, (PathBuf, io::Error)> {
    let parent = root.join(name);
    fs::create_dir_all(&parent).map_err(|e| (parent.clone(), e))?;
    let base = format!("live-{}", results::utc_stamp(SystemTime::now(), false));
    let mut n = 1;
    loop {
        let dir = if n == 1 { parent.join(&base) } else { parent.join(format!("{base}-{n}")) };
        match fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => n += 1,
            Err(e) => return Err((dir, e)),
        }
    }
}

/// Why a save of the live run failed: reported to the front end as a
/// [`Notice::SaveFailed`] message.
#[derive(Debug, thiserror::Error)]
enum SaveError {
    /// A file of the save could not be written (the notice that reports it
    /// names the directory).
    #[error("cannot write {what}: {source}")]
    Write {
        /// What was being written: a file's name, or the replay's results.
        what: &'static str,
        /// What the file system said.
        #[source]
        source: io::Error,
    },
    /// The replay of the saved scenario could not run.
    #[error("the replay run failed: {0}")]
    Replay(#[source] engine::RunError),
}

/// Writes the replay scenario, the live changes and the replay's results.
fn write_live_run(
    dir: &Path,
    replay: &Scenario,
    changes: &[(f64, ScriptedEvent)],
    registry: &Registry,
) -> Result<(), SaveError> {
    let io_err = |what: &'static str| move |source: io::Error| SaveError::Write { what, source };
    let mut toml = PartialFile::create(dir, "scenario.toml").map_err(io_err("scenario.toml"))?;
    write!(
        toml.writer(),
        "# Replay of a live `tplus tui` session of `{}` (seed {}): the scenario as\n\
         # loaded, with the {} live change(s) appended as [[events]].\n\
         # `tplus run` on this file gives the live run again, byte for byte.\n\n{}",
        replay.simulation.name,
        replay.simulation.seed,
        changes.len(),
        scenario::to_toml(replay)
    )
    .map_err(io_err("scenario.toml"))?;
    toml.finish().map_err(io_err("scenario.toml"))?;
    let mut csv = PartialFile::create(dir, "live_changes.csv").map_err(io_err("live_changes.csv"))?;
    writeln!(csv.writer(), "{}", columns::live_changes::HEADER).map_err(io_err("live_changes.csv"))?;
    for (t, e) in changes {
        let out = csv.writer();
        let mut row = || -> io::Result<()> {
            columns::write_row!(out, columns::live_changes::COLUMNS;
                time = t,
                day = e.at.day,
                time_of_day = e.at.time.hms(),
                target = e.target.name(),
                change = e.change.unwrap_or(0.0),
            )
        };
        row().map_err(io_err("live_changes.csv"))?;
    }
    csv.finish().map_err(io_err("live_changes.csv"))?;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut writer = RunWriter::create(dir, replay, false).map_err(io_err("the replay's results"))?;
    let outcome = engine::run_with(replay, &RunOptions { seed: None, threads }, registry, &mut writer)
        .map_err(SaveError::Replay)?;
    writer.finish(dir, replay, &outcome, threads).map_err(io_err("the replay's results"))?;
    Ok(())
}
