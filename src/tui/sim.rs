//! The simulation thread of the live view: it owns the [`LiveRun`], takes
//! [`Command`]s over a channel, advances by simulated time at the chosen
//! speed (or window by window as fast as it can), and publishes the latest
//! [`Snapshot`] into a shared slot at most every `publish_every`, so drawing
//! never waits for the simulation and publishing costs it little.
//!
//! Speed never changes results: a live change takes effect at the next whole
//! simulated second whatever the speed, so a saved run replays exactly.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, TryRecvError};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use crate::engine::{self, RunOptions};
use crate::results::{self, PartialFile, RunWriter};
use crate::scenario::{self, Scenario, ScriptedEvent};
use crate::tui::view::{Knob, LiveRun, LiveView};

/// How fast simulated time runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Speed {
    /// Simulated seconds per real second.
    Times(u32),
    /// Window after window, as fast as the machine goes.
    Max,
}

/// The speeds `+` and `-` step through.
pub const SPEEDS: [Speed; 5] =
    [Speed::Times(60), Speed::Times(300), Speed::Times(1800), Speed::Times(7200), Speed::Max];

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
}

/// What the simulation thread tells the front end, besides snapshots.
#[derive(Clone, Debug, PartialEq)]
pub enum Notice {
    /// A knob change was scheduled (`at`: seconds since the start), or
    /// refused (`at` None: the run is over or nothing answers the knob).
    Changed {
        /// The knob the change was asked for.
        knob: Knob,
        /// By how many of the knob's steps (negative: down).
        steps: i32,
        /// When it takes effect, in seconds since 00:00 of the start date;
        /// None when refused.
        at: Option<f64>,
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
}

/// One published state of the run.
#[derive(Clone, Debug)]
pub struct Snapshot {
    /// What the screen shows of the run at the time of publication.
    pub view: Arc<LiveView>,
    /// Simulated seconds of session time per real second lately (None until measured).
    pub rate: Option<f64>,
    /// Counts up with every publication.
    pub seq: u64,
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
}

impl Default for SimOptions {
    fn default() -> Self {
        SimOptions { paused: false, speed: Speed::Times(300), depth: 10, publish_every: Duration::from_millis(33) }
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
    latest: Mutex<Option<Arc<Snapshot>>>,
}

/// The front end's handle on the simulation thread.
pub struct SimHandle {
    commands: Sender<Command>,
    notices: Receiver<Notice>,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<SimReport>>,
}

/// Starts the simulation thread on a validated scenario.
pub fn spawn(scenario: Scenario, seed: Option<u64>, opts: SimOptions) -> io::Result<SimHandle> {
    let (commands, rx) = mpsc::channel();
    let (tell, notices) = mpsc::channel();
    let shared = Arc::new(Shared { latest: Mutex::new(None) });
    let slot = Arc::clone(&shared);
    let live = LiveRun::new(&scenario, seed).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e.to_string()))?;
    let thread = std::thread::Builder::new()
        .name("tplus-live-sim".into())
        .spawn(move || Sim::new(scenario, live, seed, opts, slot, tell).run(rx))?;
    Ok(SimHandle { commands, notices, shared, thread: Some(thread) })
}

impl SimHandle {
    /// Sends a command; false when the thread has stopped.
    pub fn send(&self, command: Command) -> bool {
        command == Command::None || self.commands.send(command).is_ok()
    }

    /// The latest snapshot published.
    pub fn latest(&self) -> Option<Arc<Snapshot>> {
        self.shared.latest.lock().unwrap_or_else(PoisonError::into_inner).clone()
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

/// Real time between two advances at a finite speed.
const TICK: Duration = Duration::from_millis(10);
/// Real time one advance may catch up at most (a slow machine falls behind
/// the speed asked rather than stalling the controls).
const MAX_CATCH_UP: Duration = Duration::from_millis(100);

struct Sim {
    scenario: Scenario,
    seed: Option<u64>,
    live: LiveRun,
    opts: SimOptions,
    paused: bool,
    speed: Speed,
    shared: Arc<Shared>,
    tell: Sender<Notice>,
    saves: Vec<JoinHandle<()>>,
    report: SimReport,
    started: Instant,
    seq: u64,
    last_publish: Option<Instant>,
    /// (real time, completed windows) at the start of the rate measurement.
    rate_from: Option<(Instant, usize)>,
    rate: Option<f64>,
    window_ns: i64,
}

impl Sim {
    fn new(
        scenario: Scenario,
        live: LiveRun,
        seed: Option<u64>,
        opts: SimOptions,
        shared: Arc<Shared>,
        tell: Sender<Notice>,
    ) -> Sim {
        Sim {
            window_ns: scenario.simulation.window.0,
            scenario,
            seed,
            live,
            paused: opts.paused,
            speed: opts.speed,
            opts,
            shared,
            tell,
            saves: Vec::new(),
            report: SimReport::default(),
            started: Instant::now(),
            seq: 0,
            last_publish: None,
            rate_from: None,
            rate: None,
        }
    }

    fn run(mut self, rx: Receiver<Command>) -> SimReport {
        self.publish();
        let mut pending: Option<Command> = None;
        let mut clock = Instant::now();
        'run: loop {
            let idle = self.paused || self.live.sim().finished();
            // Commands: wait for one while idle, else take what has come.
            let mut first = pending.take();
            if first.is_none() && idle {
                match rx.recv() {
                    Ok(c) => first = Some(c),
                    Err(_) => break,
                }
            }
            let mut changed = false;
            let mut next = first;
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
            if changed {
                clock = Instant::now();
                self.rate_from = None;
            }
            if !self.paused && !self.live.sim().finished() {
                let t0 = Instant::now();
                match self.speed {
                    Speed::Max => self.live.sim_mut().advance_window(),
                    Speed::Times(x) => {
                        let dt = (t0 - clock).min(MAX_CATCH_UP);
                        clock = t0;
                        let now = self.live.sim().now();
                        let mut target = now.saturating_add((x as f64 * dt.as_nanos() as f64) as i64);
                        // Between sessions, skip the night: on to the next open.
                        let end = self.live.sim().window_end();
                        if end != i64::MAX && end - now > self.window_ns {
                            target = target.max(end - self.window_ns);
                        }
                        self.live.sim_mut().advance_to(target);
                    }
                }
                self.report.advancing += t0.elapsed();
                if self.live.sim().finished() && self.report.to_finish.is_none() {
                    self.report.to_finish = Some(self.started.elapsed());
                }
                changed = true;
            }
            let due = self.last_publish.is_none_or(|t| t.elapsed() >= self.opts.publish_every);
            if changed && (due || self.paused || self.live.sim().finished()) {
                self.publish();
            }
            if let Speed::Times(_) = self.speed
                && !self.paused
                && !self.live.sim().finished()
            {
                // Wait for the next tick, or a command.
                let wait = TICK.saturating_sub(clock.elapsed());
                match rx.recv_timeout(wait) {
                    Ok(c) => pending = Some(c),
                    Err(RecvTimeoutError::Timeout) => {}
                    Err(RecvTimeoutError::Disconnected) => break,
                }
            }
        }
        for save in self.saves.drain(..) {
            let _ = save.join();
        }
        self.report
    }

    fn handle(&mut self, command: Command) {
        match command {
            Command::None | Command::Quit => {}
            Command::Pause(p) => self.paused = p,
            Command::Speed(s) => self.speed = s,
            Command::Step => {
                self.paused = true;
                if !self.live.sim().finished() {
                    let t0 = Instant::now();
                    self.live.sim_mut().advance_window();
                    self.report.advancing += t0.elapsed();
                }
            }
            Command::Change(knob, steps) => {
                let at = self.live.change(knob, f64::from(steps)).then(|| self.scheduled_at());
                let _ = self.tell.send(Notice::Changed { knob, steps, at: at.flatten() });
            }
            Command::Restart => {
                // The same scenario built at the start, so it builds again;
                // were it not to, the run in progress simply goes on.
                if let Ok(live) = LiveRun::new(&self.scenario, self.seed) {
                    self.live = live;
                    self.report.to_finish = None;
                    self.started = Instant::now();
                    let _ = self.tell.send(Notice::Restarted);
                }
            }
            Command::Save(root) => self.save(&root),
        }
    }

    /// When the latest live change takes effect (seconds since the start).
    fn scheduled_at(&self) -> Option<f64> {
        self.live.changes().last().map(|(t, _)| t)
    }

    fn publish(&mut self) {
        let t0 = Instant::now();
        let view = self.live.view(self.opts.depth);
        let done = view.products.first().map_or(0, |p| p.windows.len().saturating_sub(usize::from(view.in_session)));
        match self.rate_from {
            Some((since, from)) if t0 - since >= Duration::from_millis(500) => {
                let secs = (t0 - since).as_secs_f64();
                self.rate = Some((done.saturating_sub(from)) as f64 * view.window_secs / secs);
                self.rate_from = Some((t0, done));
            }
            Some(_) => {}
            None => self.rate_from = Some((t0, done)),
        }
        if self.paused || view.finished {
            self.rate = None;
        }
        self.seq += 1;
        let snapshot = Arc::new(Snapshot { view: Arc::new(view), rate: self.rate, seq: self.seq });
        *self.shared.latest.lock().unwrap_or_else(PoisonError::into_inner) = Some(snapshot);
        self.last_publish = Some(Instant::now());
        self.report.publishing += t0.elapsed();
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
        let worker = std::thread::Builder::new().name("tplus-live-save".into()).spawn(move || {
            let notice = match write_live_run(&dir, &replay, &changes) {
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

/// `live_changes.csv`: one row per live change, in the order made.
pub const LIVE_CHANGES_HEADER: &str = "time,day,time_of_day,target,change";

/// Why a save of the live run failed: reported to the front end as a
/// [`Notice::SaveFailed`] message.
#[derive(Debug, thiserror::Error)]
enum SaveError {
    /// A file of the save could not be written.
    #[error("cannot write to {}: {source}", .dir.display())]
    Write {
        /// The save's directory.
        dir: PathBuf,
        /// What the file system said.
        #[source]
        source: io::Error,
    },
    /// The replay of the saved scenario could not run.
    #[error("the replay run failed: {0}")]
    Replay(#[source] engine::RunError),
}

/// Writes the replay scenario, the live changes and the replay's results.
fn write_live_run(dir: &Path, replay: &Scenario, changes: &[(f64, ScriptedEvent)]) -> Result<(), SaveError> {
    let io_err = |source: io::Error| SaveError::Write { dir: dir.to_path_buf(), source };
    let mut toml = PartialFile::create(dir, "scenario.toml").map_err(io_err)?;
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
    .map_err(io_err)?;
    toml.finish().map_err(io_err)?;
    let mut csv = PartialFile::create(dir, "live_changes.csv").map_err(io_err)?;
    writeln!(csv.writer(), "{LIVE_CHANGES_HEADER}").map_err(io_err)?;
    for (t, e) in changes {
        writeln!(csv.writer(), "{t},{},{},{},{}", e.at.day, e.at.time, e.target.name(), e.change.unwrap_or(0.0))
            .map_err(io_err)?;
    }
    csv.finish().map_err(io_err)?;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut writer = RunWriter::create(dir, replay, false).map_err(io_err)?;
    let outcome = engine::run(replay, &RunOptions { seed: None, threads }, &mut writer).map_err(SaveError::Replay)?;
    writer.finish(dir, replay, &outcome, threads).map_err(io_err)?;
    Ok(())
}
