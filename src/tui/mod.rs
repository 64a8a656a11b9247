//! `tplus tui`: the live terminal view for teaching. The simulation runs on
//! its own thread ([`sim`]) and publishes snapshots; the front end keeps the
//! state of what is shown ([`app`]) and draws it with a pure function
//! ([`ui`]), at 30 frames a second (10 at max speed), polling the keyboard
//! in between.
//!
//! The terminal is restored exactly once on every way out: quit (`q`,
//! Ctrl-C, and SIGTERM, SIGHUP or SIGINT from outside, which end the loop as
//! `q` does), error (a guard restores it on return) and panic on either
//! thread (a hook waits for a frame being written, restores it, then prints
//! the message; the drawing loop stops).

pub mod app;
pub mod control;
pub mod history;
pub mod sim;
pub mod ui;
pub mod view;

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::{Arc, Mutex, TryLockError};
use std::time::{Duration, Instant};

use crossterm::event::{self, Event};

use crate::agents::Registry;
use crate::scenario::Scenario;
use app::App;
use sim::{Command, SimOptions};

/// Time between two frames (30 frames a second).
pub const FRAME: Duration = Duration::from_millis(33);
/// Time between two frames while the run goes as fast as it can (10 a
/// second): the charts move by a window or more between two frames
/// anyway, and a frame of a large terminal takes a few milliseconds of
/// the two cores the live run and its control need (ARCHITECTURE.md,
/// "The live view").
pub const FRAME_AT_MAX: Duration = Duration::from_millis(100);

/// The time between two frames of what `app` shows: [`FRAME_AT_MAX`] while
/// the run goes at max speed, else [`FRAME`].
pub fn frame_every(app: &App) -> Duration {
    if app.speed() == sim::Speed::Max && !app.is_paused() { FRAME_AT_MAX } else { FRAME }
}

/// Set by the panic hook: the terminal is restored, draw no more.
static PANICKED: AtomicBool = AtomicBool::new(false);
/// The terminal is in raw mode on the alternate screen.
static TERMINAL_ON: AtomicBool = AtomicBool::new(false);
/// Held while a frame is written, so that a panic on the simulation thread
/// restores the terminal between frames rather than in the middle of one.
static DRAWING: Mutex<()> = Mutex::new(());

/// Restores the terminal if it is not restored yet (leaving the alternate
/// screen twice would move the cursor back over what was printed since).
fn restore_terminal() {
    if TERMINAL_ON.swap(false, Ordering::SeqCst) {
        // After a hang-up there is no terminal to restore: nothing to say.
        let _ = ratatui::try_restore();
    }
}

/// The signals that end the live view as `q` does.
#[cfg(unix)]
const QUIT_SIGNALS: &[i32] = &[signal_hook::consts::SIGTERM, signal_hook::consts::SIGHUP, signal_hook::consts::SIGINT];
#[cfg(not(unix))]
const QUIT_SIGNALS: &[i32] = &[signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT];

/// Set once the drawing loop has returned (on any way out).
static LOOP_ENDED: AtomicBool = AtomicBool::new(false);

/// Watches for [`QUIT_SIGNALS`] on a thread of its own, instead of letting
/// them end the process there and then (which would leave the terminal in
/// raw mode on the alternate screen): a signal sets `flag`, and the drawing
/// loop ends at its next frame as on `q`. A loop reading a terminal that
/// hung up never gets there (crossterm's read spins on the dead terminal),
/// so if the loop has not ended a second later, the watcher restores what
/// can be restored and ends the process itself. Stops when dropped.
struct QuitSignals(signal_hook::iterator::Handle);

impl QuitSignals {
    /// `flag` takes the number of the first signal that comes.
    fn watch(flag: &Arc<AtomicI32>) -> io::Result<QuitSignals> {
        let mut signals = signal_hook::iterator::Signals::new(QUIT_SIGNALS)?;
        let handle = signals.handle();
        let flag = Arc::clone(flag);
        std::thread::Builder::new().name("tplus-live-signals".into()).spawn(move || {
            if let Some(signal) = signals.forever().next() {
                flag.store(signal, Ordering::SeqCst);
                std::thread::sleep(Duration::from_secs(1));
                if !LOOP_ENDED.load(Ordering::SeqCst) {
                    restore_terminal();
                    std::process::exit(Ended::Signal(signal).exit_status());
                }
            }
        })?;
        Ok(QuitSignals(handle))
    }
}

impl Drop for QuitSignals {
    fn drop(&mut self) {
        self.0.close();
    }
}

/// Restores the terminal when dropped (every return path, errors included).
struct Restore;

impl Drop for Restore {
    fn drop(&mut self) {
        restore_terminal();
    }
}

/// Replaces the panic hook ratatui installs with one that restores the
/// terminal once, after any frame being written, then reports the panic
/// as the hook before did.
fn set_panic_hook(report: Box<dyn Fn(&std::panic::PanicHookInfo<'_>) + Sync + Send>) {
    let _ratatui_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        PANICKED.store(true, Ordering::SeqCst);
        // The drawing thread may hold the lock itself (a panic while drawing): wait briefly.
        let until = Instant::now() + Duration::from_millis(200);
        let _frame_done = loop {
            match DRAWING.try_lock() {
                Ok(g) => break Some(g),
                Err(TryLockError::Poisoned(p)) => break Some(p.into_inner()),
                Err(TryLockError::WouldBlock) if Instant::now() < until => {
                    std::thread::sleep(Duration::from_millis(1));
                }
                Err(TryLockError::WouldBlock) => break None,
            }
        };
        restore_terminal();
        report(info);
    }));
}

/// The control run at the start of the live view.
#[derive(Clone, Debug, Default)]
pub struct ControlSetup {
    /// Run it from the start (`--control`).
    pub on: bool,
    /// Why `c` may not start it (the machine's memory, or `--max-memory`,
    /// does not hold a second run), said instead when `c` is pressed.
    pub refused: Option<String>,
}

/// How the live view ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ended {
    /// The user quit (`q`, esc, or Ctrl-C pressed in the view).
    Quit,
    /// A signal from outside ended it (SIGTERM, SIGHUP, or a SIGINT not
    /// typed in the view, such as `kill -INT`).
    Signal(i32),
}

impl Ended {
    /// The process's exit status: 0 when the user quit, 128 + the signal's
    /// number when a signal ended it, as a shell reports a process the
    /// signal killed (so a script or a supervisor can tell the two apart).
    pub fn exit_status(self) -> i32 {
        match self {
            Ended::Quit => 0,
            Ended::Signal(signal) => 128 + signal,
        }
    }
}

/// Runs the live view of a validated scenario until the user quits, with
/// `watch` (what to watch, from the scenario's header) above the knobs, and
/// the control from the start when `control` is set. Fails before touching
/// the terminal when it is not a terminal; in one smaller than 80×24 the
/// simulation waits, paused, until the window is enlarged.
pub fn run(
    scenario: Scenario,
    seed: Option<u64>,
    watch: Option<String>,
    control: ControlSetup,
    registry: &Registry,
) -> io::Result<Ended> {
    let ControlSetup { on: control, refused } = control;
    if !io::stdout().is_terminal() || !io::stdin().is_terminal() {
        return Err(io::Error::other("tplus tui needs a terminal (stdin and stdout must not be redirected)"));
    }
    // A window too small for the view starts paused, saying so, until it
    // is enlarged (as it pauses when made too small later).
    let (w, h) = crossterm::terminal::size()?;
    let too_small = w < ui::MIN_WIDTH || h < ui::MIN_HEIGHT;
    let quit = Arc::new(AtomicI32::new(0));
    let _signals = QuitSignals::watch(&quit)?;
    // The lines said after the view (saves finishing, saved, failed) must
    // not end the process if their reader has gone (stderr into a pipe whose
    // reader a Ctrl-C ended): with a handler, a write to a closed pipe fails,
    // and is let go, instead of killing the process mid-save (exit 141).
    #[cfg(unix)]
    signal_hook::flag::register(signal_hook::consts::SIGPIPE, Arc::new(AtomicBool::new(false)))?;
    let opts = SimOptions { control, paused: too_small, registry: registry.clone(), ..SimOptions::default() };
    let handle = sim::spawn(scenario, seed, opts)?;
    let report = std::panic::take_hook();
    let mut terminal = ratatui::try_init().inspect_err(|_| ratatui::restore())?;
    TERMINAL_ON.store(true, Ordering::SeqCst);
    let guard = Restore;
    set_panic_hook(report);
    let mut app = App::new(PathBuf::from("results"));
    app.watch = watch;
    app.control = control;
    app.control_refused = refused;
    let result = event_loop(&mut terminal, &mut app, &handle, &quit);
    LOOP_ENDED.store(true, Ordering::SeqCst);
    drop(guard);
    // Back to the standard hook.
    drop(std::panic::take_hook());
    // With the terminal back, wait for the simulation thread and any save.
    while let Some(notice) = handle.try_notice() {
        app.on_notice(notice, Instant::now());
    }
    // (After a hang-up nobody reads these lines: writing them must not fail.)
    for dir in &app.saving {
        let _ = writeln!(io::stderr(), "finishing the save to {} …", dir.display());
    }
    let mut handle = handle;
    let stopped = handle.stop();
    for notice in handle.drain_notices() {
        app.on_notice(notice, Instant::now());
    }
    for dir in &app.saved {
        let _ = writeln!(io::stdout(), "saved {}", dir.display());
    }
    for (dir, e) in &app.failed {
        let _ = writeln!(io::stderr(), "error: the save to {} failed: {e}", dir.display());
    }
    if let Err(panic) = stopped {
        return Err(io::Error::other(format!("the simulation failed: {panic}")));
    }
    result
}

/// Draws when something changed (a new snapshot, a key, a resize, a
/// message expiring), at most once a frame, and polls the keyboard between;
/// ends as on `q` when `quit` is set (a signal).
fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    app: &mut App,
    handle: &sim::SimHandle,
    quit: &AtomicI32,
) -> io::Result<Ended> {
    let mut seq = 0;
    let mut dirty = true;
    let size = terminal.size()?;
    handle.send(app.resize(size.width, size.height));
    loop {
        let signal = quit.load(Ordering::SeqCst);
        if signal != 0 {
            return Ok(Ended::Signal(signal));
        }
        if PANICKED.load(Ordering::SeqCst) || !handle.is_running() {
            return Err(io::Error::other("the simulation thread stopped"));
        }
        let now = Instant::now();
        if let Some(s) = handle.latest()
            && s.seq != seq
        {
            seq = s.seq;
            app.update(&s, now);
            dirty = true;
        }
        while let Some(notice) = handle.try_notice() {
            app.on_notice(notice, now);
            dirty = true;
        }
        if app.message.is_some() {
            dirty |= app.expire(now);
        }
        if dirty {
            let _frame = DRAWING.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if PANICKED.load(Ordering::SeqCst) {
                return Err(io::Error::other("stopped by a panic"));
            }
            terminal.draw(|frame| ui::draw(frame, app))?;
            dirty = false;
        }
        // Keys until the next frame is due.
        let next = now + frame_every(app);
        loop {
            let left = next.saturating_duration_since(Instant::now());
            if left.is_zero() || !event::poll(left)? {
                break;
            }
            match event::read()? {
                Event::Key(key) => {
                    dirty = true;
                    match app.on_key(key) {
                        Command::Quit => return Ok(Ended::Quit),
                        command => {
                            handle.send(command);
                        }
                    }
                }
                Event::Resize(w, h) => {
                    // Too small pauses the simulation until it is large enough again.
                    handle.send(app.resize(w, h));
                    dirty = true;
                    break;
                }
                _ => {}
            }
        }
    }
}
