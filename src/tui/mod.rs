//! `tplus tui`: the live terminal view for teaching. The simulation runs on
//! its own thread ([`sim`]) and publishes snapshots; the front end keeps the
//! state of what is shown ([`app`]) and draws it with a pure function
//! ([`ui`]), at 30 frames a second, polling the keyboard in between.
//!
//! The terminal is restored exactly once on every way out: quit, error (a
//! guard restores it on return) and panic on either thread (a hook waits
//! for a frame being written, restores it, then prints the message; the
//! drawing loop stops).

pub mod app;
pub mod sim;
pub mod ui;
pub mod view;

use std::io::{self, IsTerminal};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, TryLockError};
use std::time::{Duration, Instant};

use crossterm::event::{self, Event};

use crate::scenario::Scenario;
use app::App;
use sim::{Command, SimOptions};

/// Time between two frames (30 frames a second).
pub const FRAME: Duration = Duration::from_millis(33);

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
        ratatui::restore();
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

/// Runs the live view of a validated scenario until the user quits. Fails
/// before touching the terminal when it is not a terminal or is smaller
/// than 80×24.
pub fn run(scenario: Scenario, seed: Option<u64>) -> io::Result<()> {
    if !io::stdout().is_terminal() || !io::stdin().is_terminal() {
        return Err(io::Error::other("tplus tui needs a terminal (stdin and stdout must not be redirected)"));
    }
    let (w, h) = crossterm::terminal::size()?;
    if w < ui::MIN_WIDTH || h < ui::MIN_HEIGHT {
        return Err(io::Error::other(format!(
            "the terminal is {w}×{h}; the live view needs at least {}×{}: enlarge the window and run it again",
            ui::MIN_WIDTH,
            ui::MIN_HEIGHT
        )));
    }
    let handle = sim::spawn(scenario, seed, SimOptions::default())?;
    let report = std::panic::take_hook();
    let mut terminal = ratatui::try_init().inspect_err(|_| ratatui::restore())?;
    TERMINAL_ON.store(true, Ordering::SeqCst);
    let guard = Restore;
    set_panic_hook(report);
    let mut app = App::new(PathBuf::from("results"));
    let result = event_loop(&mut terminal, &mut app, &handle);
    drop(guard);
    // Back to the standard hook.
    drop(std::panic::take_hook());
    // With the terminal back, wait for the simulation thread and any save.
    while let Some(notice) = handle.try_notice() {
        app.on_notice(notice, Instant::now());
    }
    for dir in &app.saving {
        eprintln!("finishing the save to {} …", dir.display());
    }
    let mut handle = handle;
    let stopped = handle.stop();
    for notice in handle.drain_notices() {
        app.on_notice(notice, Instant::now());
    }
    for dir in &app.saved {
        println!("saved {}", dir.display());
    }
    for (dir, e) in &app.failed {
        eprintln!("error: the save to {} failed: {e}", dir.display());
    }
    if let Err(panic) = stopped {
        return Err(io::Error::other(format!("the simulation failed: {panic}")));
    }
    result
}

/// Draws when something changed (a new snapshot, a key, a resize, a
/// message expiring), at most once a frame, and polls the keyboard between.
fn event_loop(terminal: &mut ratatui::DefaultTerminal, app: &mut App, handle: &sim::SimHandle) -> io::Result<()> {
    let mut seq = 0;
    let mut dirty = true;
    loop {
        if PANICKED.load(Ordering::SeqCst) || !handle.is_running() {
            return Err(io::Error::other("the simulation thread stopped"));
        }
        let now = Instant::now();
        if let Some(s) = handle.latest()
            && s.seq != seq
        {
            seq = s.seq;
            app.update(&s);
            dirty = true;
        }
        while let Some(notice) = handle.try_notice() {
            app.on_notice(notice, now);
            dirty = true;
        }
        if app.message.is_some() {
            app.expire(now);
            dirty |= app.message.is_none();
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
        let next = now + FRAME;
        loop {
            let left = next.saturating_duration_since(Instant::now());
            if left.is_zero() || !event::poll(left)? {
                break;
            }
            match event::read()? {
                Event::Key(key) => {
                    dirty = true;
                    match app.on_key(key) {
                        Command::Quit => return Ok(()),
                        command => {
                            handle.send(command);
                        }
                    }
                }
                Event::Resize(..) => {
                    dirty = true;
                    break;
                }
                _ => {}
            }
        }
    }
}
