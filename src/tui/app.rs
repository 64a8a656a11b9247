//! The state of the live view's front end: what is selected and shown, and
//! the latest snapshot of the run. Keys change it and give the command the
//! simulation thread must carry out.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::history::History;
use super::sim::{Command, DEFAULT_SPEED, LiveSnapshot, Notice, SPEEDS, Speed};
use crate::engine::live::NoChange;
use crate::tui::view::{Knob, KnobValue, LiveView};

/// How long a status message stays on the status line.
pub const MESSAGE_FOR: Duration = Duration::from_secs(8);
/// How long each page of a status message too long for its rows stays up
/// before the next (the message stays until every page has been shown).
pub const PAGE_FOR: Duration = Duration::from_secs(4);

/// The front end's state; `ui::draw` is a function of it alone.
#[derive(Clone, Debug)]
pub struct App {
    /// The latest view of the run (None until the first one arrives).
    pub view: Option<Arc<LiveView>>,
    /// Simulated seconds per real second lately, as measured by the simulation thread.
    pub rate: Option<f64>,
    /// The pace kept while the engine cannot keep up with the speed asked.
    pub behind: Option<f64>,
    /// Index of the product shown.
    pub product: usize,
    /// Index into [`Knob::ALL`] of the parameter the arrows change.
    pub knob: usize,
    /// Index into [`SPEEDS`].
    pub speed: usize,
    /// Whether the teacher paused the simulation (space or `p` toggles,
    /// `s` steps). The help and a too-small window pause it too, for as
    /// long as they are up ([`App::holds`]).
    pub paused: bool,
    /// Whether the list of keys is drawn over the view (`?` toggles).
    pub help: bool,
    /// The first line of the help shown, when it does not fit the
    /// terminal (↑↓, PgUp/PgDn, Home/End scroll it).
    pub help_scroll: u16,
    /// Whether the window is too small to draw the view in.
    pub too_small: bool,
    /// A message for the status line, and until when it shows (at least:
    /// a message of several pages stays until each has been shown).
    pub message: Option<(String, Instant)>,
    /// When the message was said.
    pub message_since: Option<Instant>,
    /// The page of the message shown, when it takes more rows than the
    /// screen gives it (`ui::message_pages`): the pages turn every
    /// [`PAGE_FOR`].
    pub message_page: usize,
    /// Where `w` saves (`results`).
    pub results_root: PathBuf,
    /// Saves being written, saved and failed during the session (reported on quit).
    pub saving: Vec<PathBuf>,
    /// Directories saved to during the session.
    pub saved: Vec<PathBuf>,
    /// The live changes' markers when `w` was last pressed: a save holds
    /// the changes made so far, so the changes are unsaved while the
    /// view's markers differ from these.
    pub saved_markers: Option<Vec<super::view::Marker>>,
    /// A key just pressed with unsaved live changes that would lose them
    /// (`q` or Esc, `r`): pressed again next, it acts; any other key
    /// forgets it.
    pub asked: Option<Ask>,
    /// Saves that failed: the directory and the error.
    pub failed: Vec<(PathBuf, String)>,
    /// The stretch of the run the time charts show, and their zoom.
    pub history: History,
    /// The terminal's width in columns (the time charts' columns follow from it).
    pub width: u16,
    /// The terminal's height in rows.
    pub height: u16,
    /// What to watch in this scenario, from its header comment.
    pub watch: Option<String>,
    /// Whether the control runs beside the live run (`c` toggles, `--control` starts with it).
    pub control: bool,
    /// Why the control cannot be turned on, if it cannot (see [`super::ControlSetup`]).
    pub control_refused: Option<String>,
    /// The control's latest view, while it runs.
    pub control_view: Option<Arc<LiveView>>,
    /// The live run's time the control is catching up to, while the status
    /// line says it is: once it has, the line says so instead of a
    /// "catching up" that stays for [`MESSAGE_FOR`] after it is no longer true.
    pub catching_up: Option<f64>,
}

/// A key that would lose unsaved live changes, asked about once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ask {
    /// `q` or Esc: quit.
    Quit,
    /// `r`: restart.
    Restart,
}

impl App {
    /// The state at start-up (first product and knob, 300× real time, running),
    /// saving under `results_root`.
    pub fn new(results_root: PathBuf) -> App {
        App {
            view: None,
            rate: None,
            behind: None,
            product: 0,
            knob: 0,
            speed: DEFAULT_SPEED,
            paused: false,
            help: false,
            help_scroll: 0,
            too_small: false,
            message: None,
            message_since: None,
            message_page: 0,
            results_root,
            saving: Vec::new(),
            saved: Vec::new(),
            saved_markers: None,
            asked: None,
            failed: Vec::new(),
            history: History::default(),
            width: super::ui::MIN_WIDTH,
            height: super::ui::MIN_HEIGHT,
            watch: None,
            control: false,
            control_refused: None,
            control_view: None,
            catching_up: None,
        }
    }

    /// The selected simulation speed.
    pub fn speed(&self) -> Speed {
        SPEEDS[self.speed]
    }

    /// What holds the simulation still besides the teacher's pause: the
    /// help or the too-small-window message, while either is up.
    pub fn holds(&self) -> Option<&'static str> {
        if self.too_small {
            Some("window too small")
        } else if self.help {
            Some("help")
        } else {
            None
        }
    }

    /// Whether the simulation is paused, by the teacher or by what is up.
    pub fn is_paused(&self) -> bool {
        self.paused || self.holds().is_some()
    }

    /// The command that keeps the simulation paused or running as
    /// [`App::is_paused`] says, when `before` was said last.
    fn pause_if_changed(&self, before: bool) -> Command {
        if self.is_paused() != before { Command::Pause(self.is_paused()) } else { Command::None }
    }

    /// The terminal is `width`×`height`: a window too small for the view
    /// pauses the simulation until it is large enough again.
    pub fn resize(&mut self, width: u16, height: u16) -> Command {
        let before = self.is_paused();
        self.width = width;
        self.height = height;
        self.too_small = width < super::ui::MIN_WIDTH || height < super::ui::MIN_HEIGHT;
        self.pause_if_changed(before)
    }

    /// The knob's current value, and what it does in this scenario (None
    /// before the first view).
    pub fn knob_value(&self, knob: Knob) -> Option<&KnobValue> {
        self.view.as_ref().and_then(|v| v.knobs.iter().find(|k| k.knob == knob))
    }

    /// The parameter the left and right arrows change.
    pub fn selected_knob(&self) -> Knob {
        Knob::ALL[self.knob]
    }

    /// Takes a newly published snapshot, at `now`. A scripted event of the
    /// scenario that took effect since the last one is said on the status
    /// line, beside its marker on the charts.
    pub fn update(&mut self, snapshot: &LiveSnapshot, now: Instant) {
        let before = self.view.as_ref().map_or(0, |v| v.scripted.len());
        if let Some(newest) = snapshot.view.scripted.get(before..).and_then(<[_]>::last) {
            self.say(format!("{} (the scenario's own event)", newest.label), now);
            // Its message hides a question asked: the question lapses.
            self.asked = None;
        }
        self.view = Some(Arc::clone(&snapshot.view));
        self.rate = snapshot.rate;
        self.behind = snapshot.behind;
        self.control_view = snapshot.control.clone();
        if let (Some(at), Some(control)) = (self.catching_up, &snapshot.control)
            && (control.t >= at || control.finished)
        {
            self.catching_up = None;
            if self.message.as_ref().is_some_and(|m| m.0 == control_text(Some(at))) {
                self.say(CAUGHT_UP, now);
            }
        }
        let n = snapshot.view.products.len().max(1);
        self.product = self.product.min(n - 1);
    }

    /// Shows a message on the status line for a while.
    pub fn say(&mut self, text: impl Into<String>, now: Instant) {
        self.message = Some((text.into(), now + MESSAGE_FOR));
        self.message_since = Some(now);
        self.message_page = 0;
    }

    /// Turns the status message's page every [`PAGE_FOR`] when it has
    /// several (on this terminal), and drops it once its time is up and
    /// every page has been shown. True when what is shown changed.
    pub fn expire(&mut self, now: Instant) -> bool {
        let Some((_, until)) = &self.message else { return false };
        let pages = super::ui::message_pages(self, self.width, self.height).len().max(1);
        let since = self.message_since.unwrap_or(now);
        let end = (*until).max(since + PAGE_FOR * u32::try_from(pages).unwrap_or(u32::MAX));
        if now >= end {
            self.message = None;
            self.message_page = 0;
            return true;
        }
        let turned = now.saturating_duration_since(since).as_nanos() / PAGE_FOR.as_nanos();
        let page = usize::try_from(turned).unwrap_or(0) % pages;
        let changed = page != self.message_page;
        self.message_page = page;
        changed
    }

    /// Turns what the simulation thread reports into a status message.
    pub fn on_notice(&mut self, notice: Notice, now: Instant) {
        let text = match notice {
            Notice::Changed { knob, steps, at: Ok(t) } => {
                format!("{} {} from {}", knob.label(), knob.amount(steps), clock_text(t))
            }
            Notice::Changed { knob, at: Err(NoChange::AtLimit(v)), .. } => {
                format!("{}: no change, it is at its limit ({})", knob.label(), knob.value_text(v))
            }
            Notice::Changed { knob, at: Err(why), .. } => format!("{}: no change, {why}", knob.label()),
            // At max speed the replay is over in moments, which looked as
            // if `r` had done nothing.
            Notice::Restarted if self.speed() == Speed::Max => {
                "restarted with the same seed, at max speed (- slows it down)".to_string()
            }
            Notice::Restarted => "restarted with the same seed".to_string(),
            Notice::Control(at) => {
                self.catching_up = at.filter(|&t| t > 0.0);
                control_text(at)
            }
            Notice::ControlFailed(e) => {
                self.control = false;
                format!("the control could not start: {e}")
            }
            Notice::Saving(dir) => {
                let text = format!("saving to {} …", dir.display());
                self.saving.push(dir);
                text
            }
            Notice::Saved(dir) => {
                let text = format!("saved to {}", dir.display());
                self.saving.retain(|d| *d != dir);
                self.saved.push(dir);
                text
            }
            Notice::SaveFailed(dir, e) => {
                let text = format!("save to {} failed: {e}; press w to save again once that is fixed", dir.display());
                self.saving.retain(|d| *d != dir);
                self.failed.push((dir, e));
                // The changes are not saved after all.
                self.saved_markers = None;
                text
            }
        };
        self.say(text, now);
    }

    /// What a key does; the returned command is for the simulation thread.
    pub fn on_key(&mut self, key: KeyEvent) -> Command {
        if key.kind == KeyEventKind::Release {
            return Command::None;
        }
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let before = self.is_paused();
        if ctrl && key.code == KeyCode::Char('c') {
            return Command::Quit;
        }
        let asked = self.asked.take();
        // Ctrl-W is not w (save), nor Ctrl-R r (restart): a chord the view
        // has no use for does nothing, as does a key behind the help
        // screen, where only closing it, quitting and the pause (kept for
        // after the help) act.
        let chord = key.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SUPER);
        let help_key =
            matches!(key.code, KeyCode::Char('?' | 'h' | 'q' | 'Q' | ' ' | 'p') | KeyCode::Esc | KeyCode::F(1));
        if chord {
            return Command::None;
        }
        // Behind the too-small message nothing is drawn: a key that changed
        // the speed, a knob or the pause there would act unseen, so only
        // quitting acts until the window is large enough again, and saving,
        // which the question a `q` asks there offers.
        if self.too_small && !matches!(key.code, KeyCode::Char('q' | 'Q' | 'w') | KeyCode::Esc) {
            self.asked = asked;
            return Command::None;
        }
        if self.help && !help_key {
            self.scroll_help(key.code);
            return Command::None;
        }
        match key.code {
            KeyCode::Esc if self.help => {
                self.help = false;
                self.pause_if_changed(before)
            }
            // A reflex Esc or a stray q (or r) would end a session of live
            // changes for good: with changes not saved, it takes two.
            KeyCode::Char('q') | KeyCode::Char('Q') | KeyCode::Esc
                if asked != Some(Ask::Quit) && self.unsaved_changes() =>
            {
                self.asked = Some(Ask::Quit);
                self.say(
                    "the live changes are not saved: q again quits without them, w saves them (Ctrl-C quits at once)",
                    Instant::now(),
                );
                Command::None
            }
            KeyCode::Char('r') if asked != Some(Ask::Restart) && self.unsaved_changes() => {
                self.asked = Some(Ask::Restart);
                self.say("the live changes are not saved: r again restarts without them, w saves them", Instant::now());
                Command::None
            }
            KeyCode::Char('q') | KeyCode::Char('Q') | KeyCode::Esc => Command::Quit,
            KeyCode::Char('?') | KeyCode::Char('h') | KeyCode::F(1) => {
                self.help = !self.help;
                self.help_scroll = 0;
                self.pause_if_changed(before)
            }
            KeyCode::Char(' ') | KeyCode::Char('p') => {
                self.paused = !self.paused;
                self.pause_if_changed(before)
            }
            KeyCode::Char('+') | KeyCode::Char('=') => {
                self.speed = (self.speed + 1).min(SPEEDS.len() - 1);
                Command::Speed(self.speed())
            }
            KeyCode::Char('-') | KeyCode::Char('_') => {
                self.speed = self.speed.saturating_sub(1);
                Command::Speed(self.speed())
            }
            KeyCode::Char('s') => {
                self.paused = true;
                Command::Step
            }
            KeyCode::Up => {
                self.knob = (self.knob + Knob::ALL.len() - 1) % Knob::ALL.len();
                Command::None
            }
            KeyCode::Down => {
                self.knob = (self.knob + 1) % Knob::ALL.len();
                Command::None
            }
            KeyCode::Left | KeyCode::Right => {
                let knob = self.selected_knob();
                match self.knob_value(knob) {
                    Some(KnobValue { value: None, what, .. }) => {
                        let text = format!("{} is n/a and cannot be changed: {what}", knob.label());
                        self.say(text, Instant::now());
                        Command::None
                    }
                    _ => Command::Change(knob, if key.code == KeyCode::Left { -1 } else { 1 }),
                }
            }
            KeyCode::Tab | KeyCode::BackTab => {
                let n = self.view.as_ref().map_or(1, |v| v.products.len().max(1));
                self.product =
                    if key.code == KeyCode::Tab { (self.product + 1) % n } else { (self.product + n - 1) % n };
                Command::None
            }
            KeyCode::Char('[' | ']' | '{' | '}' | 'z' | 'Z') | KeyCode::Home | KeyCode::End => {
                let p = self.view.as_ref().and_then(|v| v.products.get(self.product));
                self.history.on_key(key.code, p.map_or(0, |p| p.windows.len()), super::ui::time_cols(self.width));
                Command::None
            }
            KeyCode::Char('c') => {
                if let Some(why) = self.control_refused.as_ref().filter(|_| !self.control) {
                    let text = format!("the control cannot start: {why}");
                    self.say(text, Instant::now());
                    return Command::None;
                }
                self.control = !self.control;
                Command::Control(self.control)
            }
            KeyCode::Char('r') => Command::Restart,
            KeyCode::Char('w') => {
                self.saved_markers = self.view.as_ref().map(|v| v.markers.clone());
                Command::Save(self.results_root.clone())
            }
            _ => Command::None,
        }
    }

    /// Whether live changes were made since the last save (or at all).
    pub fn unsaved_changes(&self) -> bool {
        self.view.as_ref().is_some_and(|v| !v.markers.is_empty() && self.saved_markers.as_ref() != Some(&v.markers))
    }

    /// Scrolls the help, which a terminal of fewer rows than it has does
    /// not show whole (at 80×24 with three live parameters); other keys
    /// do nothing behind it.
    fn scroll_help(&mut self, code: KeyCode) {
        let over = super::ui::help_overflow(self);
        let page = self.height.saturating_sub(6).max(1);
        self.help_scroll = match code {
            KeyCode::Up | KeyCode::Char('k') => self.help_scroll.saturating_sub(1),
            KeyCode::Down | KeyCode::Char('j') => self.help_scroll.saturating_add(1),
            KeyCode::PageUp => self.help_scroll.saturating_sub(page),
            KeyCode::PageDown => self.help_scroll.saturating_add(page),
            KeyCode::Home => 0,
            KeyCode::End => over,
            _ => self.help_scroll,
        }
        .min(over);
    }
}

/// What the status line says once the control has caught up with the live run.
const CAUGHT_UP: &str =
    "control on: caught up with the live run (dim low blocks: the same seed without the live changes)";

/// What the status line says when the control starts (`at`: the live
/// run's time it catches up to) or stops.
fn control_text(at: Option<f64>) -> String {
    match at {
        Some(t) if t > 0.0 => format!(
            "control on: the same seed without the live changes (dim low blocks), catching up from the start to {} …",
            clock_text(t)
        ),
        Some(_) => "control on: the same seed without the live changes (dim low blocks)".to_string(),
        None => "control off".to_string(),
    }
}

/// Seconds since the start as the time of day, `10:42:18`.
pub fn clock_text(t: f64) -> String {
    let s = (t.max(0.0) as i64) % 86_400;
    format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::view::ProductNow;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn app() -> App {
        let mut app = App::new(PathBuf::from("out"));
        let products = ["A", "B"].map(|id| ProductNow { id: id.into(), ..Default::default() }).to_vec();
        let knobs = Knob::ALL.map(|knob| KnobValue { knob, value: Some(1.0), what: String::new() }).to_vec();
        app.view = Some(Arc::new(LiveView { products, knobs, ..Default::default() }));
        app
    }

    /// With live changes not saved, q (or Esc) asks first; a second q
    /// quits, any other key forgets the question, and after a save one q
    /// quits again.
    #[test]
    fn quitting_with_unsaved_changes_takes_a_second_q() {
        use crate::tui::view::Marker;
        let mut a = app();
        let mut v = (**a.view.as_ref().unwrap()).clone();
        v.markers = vec![Marker { t: 10.0, label: "loan rate +25 bp".into() }];
        a.view = Some(Arc::new(v));
        assert_eq!(a.on_key(key(KeyCode::Esc)), Command::None);
        assert!(a.message.as_ref().is_some_and(|m| m.0.contains("q again quits")), "{:?}", a.message);
        assert_eq!(a.on_key(key(KeyCode::Char('q'))), Command::Quit);
        a.on_key(key(KeyCode::Char('q')));
        a.on_key(key(KeyCode::Down));
        assert_eq!(a.on_key(key(KeyCode::Char('q'))), Command::None, "another key forgot the question");
        assert_eq!(a.on_key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)), Command::Quit);
        // r (restart) asks the same way, and a q between forgets it.
        a.saved_markers = None;
        assert_eq!(a.on_key(key(KeyCode::Char('r'))), Command::None);
        assert!(a.message.as_ref().is_some_and(|m| m.0.contains("r again restarts")), "{:?}", a.message);
        assert_eq!(a.on_key(key(KeyCode::Char('q'))), Command::None, "q asks for itself");
        assert_eq!(a.on_key(key(KeyCode::Char('r'))), Command::None);
        assert_eq!(a.on_key(key(KeyCode::Char('r'))), Command::Restart);
        assert_eq!(a.on_key(key(KeyCode::Char('w'))), Command::Save(PathBuf::from("out")));
        assert_eq!(a.on_key(key(KeyCode::Char('q'))), Command::Quit, "saved: one q");
    }

    /// A scripted event that takes effect is said on the status line, once.
    #[test]
    fn a_scripted_event_is_said_when_it_takes_effect() {
        use crate::tui::sim::LiveSnapshot;
        use crate::tui::view::Marker;
        let mut a = app();
        let now = Instant::now();
        let snapshot = |scripted: Vec<Marker>| LiveSnapshot {
            view: Arc::new(LiveView { scripted, ..(**a.view.as_ref().unwrap()).clone() }),
            rate: None,
            behind: None,
            at: now,
            seq: 1,
            control: None,
        };
        let hike = Marker { t: 100.0, label: "scripted loan rate +150 bp".into() };
        let (quiet, with_hike) = (snapshot(Vec::new()), snapshot(vec![hike]));
        a.update(&quiet, now);
        assert!(a.message.is_none());
        a.asked = Some(Ask::Quit);
        a.update(&with_hike, now);
        let said = a.message.as_ref().map(|m| m.0.clone()).unwrap_or_default();
        assert_eq!(said, "scripted loan rate +150 bp (the scenario's own event)");
        assert_eq!(a.asked, None, "the question its message hid lapses");
        a.message = None;
        a.update(&with_hike, now);
        assert!(a.message.is_none(), "said once");
    }

    #[test]
    fn space_pauses_and_resumes() {
        let mut a = app();
        assert!(!a.paused);
        assert_eq!(a.on_key(key(KeyCode::Char(' '))), Command::Pause(true));
        assert!(a.paused);
        assert_eq!(a.on_key(key(KeyCode::Char(' '))), Command::Pause(false));
        assert!(!a.paused);
    }

    #[test]
    fn plus_and_minus_step_through_the_speeds_from_real_time_up_to_max() {
        let mut a = app();
        assert_eq!(a.speed(), Speed::Times(300));
        assert_eq!(a.on_key(key(KeyCode::Char('+'))), Command::Speed(Speed::Times(1800)));
        assert_eq!(a.on_key(key(KeyCode::Char('+'))), Command::Speed(Speed::Times(7200)));
        assert_eq!(a.on_key(key(KeyCode::Char('+'))), Command::Speed(Speed::Max));
        assert_eq!(a.on_key(key(KeyCode::Char('+'))), Command::Speed(Speed::Max), "max is the top");
        let down: Vec<Command> = (0..8).map(|_| a.on_key(key(KeyCode::Char('-')))).collect();
        let times = [7200, 1800, 300, 60, 30, 10, 1, 1].map(|x| Command::Speed(Speed::Times(x)));
        assert_eq!(down, times, "down through 60×, 30× and 10× to real time, the bottom");
    }

    #[test]
    fn s_pauses_and_steps() {
        let mut a = app();
        assert_eq!(a.on_key(key(KeyCode::Char('s'))), Command::Step);
        assert!(a.paused);
        assert_eq!(a.on_key(key(KeyCode::Char('s'))), Command::Step);
        assert!(a.paused);
    }

    #[test]
    fn arrows_select_a_knob_and_change_it() {
        let mut a = app();
        assert_eq!(a.selected_knob(), Knob::LoanRate);
        assert_eq!(a.on_key(key(KeyCode::Right)), Command::Change(Knob::LoanRate, 1));
        assert_eq!(a.on_key(key(KeyCode::Left)), Command::Change(Knob::LoanRate, -1));
        assert_eq!(a.on_key(key(KeyCode::Down)), Command::None);
        assert_eq!(a.selected_knob(), Knob::Herding);
        assert_eq!(a.on_key(key(KeyCode::Right)), Command::Change(Knob::Herding, 1));
        a.on_key(key(KeyCode::Down));
        assert_eq!(a.on_key(key(KeyCode::Left)), Command::Change(Knob::MacroActiveShare, -1));
        a.on_key(key(KeyCode::Down));
        assert_eq!(a.selected_knob(), Knob::LoanRate, "down wraps around");
        assert_eq!(a.on_key(key(KeyCode::Up)), Command::None);
        assert_eq!(a.selected_knob(), Knob::MacroActiveShare, "up wraps around");
    }

    #[test]
    fn a_knob_nobody_reads_cannot_be_changed_and_says_why() {
        let mut a = app();
        let mut view = (**a.view.as_ref().unwrap()).clone();
        view.knobs[0] = KnobValue { knob: Knob::LoanRate, value: None, what: "no customer here reads it".into() };
        a.view = Some(Arc::new(view));
        assert_eq!(a.selected_knob(), Knob::LoanRate);
        assert_eq!(a.on_key(key(KeyCode::Right)), Command::None);
        assert_eq!(a.on_key(key(KeyCode::Left)), Command::None);
        let said = &a.message.as_ref().expect("a status message").0;
        assert_eq!(said, "loan rate is n/a and cannot be changed: no customer here reads it");
        a.on_key(key(KeyCode::Down));
        assert_eq!(a.on_key(key(KeyCode::Right)), Command::Change(Knob::Herding, 1), "the others still act");
    }

    #[test]
    fn help_and_a_small_window_pause_and_give_back_the_state_before() {
        let mut a = app();
        // Running: the help pauses, closing it resumes.
        assert_eq!(a.on_key(key(KeyCode::Char('?'))), Command::Pause(true));
        assert!(a.is_paused() && !a.paused);
        assert_eq!(a.holds(), Some("help"));
        assert_eq!(a.on_key(key(KeyCode::Esc)), Command::Pause(false));
        assert!(!a.is_paused());
        // Paused by the teacher: the help leaves it paused.
        assert_eq!(a.on_key(key(KeyCode::Char(' '))), Command::Pause(true));
        assert_eq!(a.on_key(key(KeyCode::Char('?'))), Command::None);
        assert_eq!(a.on_key(key(KeyCode::Char('?'))), Command::None);
        assert!(a.is_paused());
        assert_eq!(a.on_key(key(KeyCode::Char(' '))), Command::Pause(false));
        // A window too small pauses until it is large enough again.
        assert_eq!(a.resize(79, 30), Command::Pause(true));
        assert_eq!(a.holds(), Some("window too small"));
        assert_eq!(a.resize(60, 20), Command::None);
        assert_eq!(a.resize(80, 24), Command::Pause(false));
        assert_eq!(a.resize(200, 60), Command::None);
        // Space while the help is up: the teacher's pause is kept for after.
        a.on_key(key(KeyCode::Char('?')));
        assert_eq!(a.on_key(key(KeyCode::Char(' '))), Command::None, "still paused by the help");
        assert_eq!(a.on_key(key(KeyCode::Char('?'))), Command::None, "and then by the teacher");
        assert!(a.paused);
    }

    #[test]
    fn tab_switches_product() {
        let mut a = app();
        assert_eq!(a.on_key(key(KeyCode::Tab)), Command::None);
        assert_eq!(a.product, 1);
        a.on_key(key(KeyCode::Tab));
        assert_eq!(a.product, 0);
        a.on_key(key(KeyCode::BackTab));
        assert_eq!(a.product, 1);
    }

    #[test]
    fn help_restart_save_and_quit() {
        let mut a = app();
        assert_eq!(a.on_key(key(KeyCode::Char('?'))), Command::Pause(true));
        assert!(a.help);
        assert_eq!(a.on_key(key(KeyCode::Esc)), Command::Pause(false), "esc closes the help first");
        assert!(!a.help);
        assert_eq!(a.on_key(key(KeyCode::Char('r'))), Command::Restart);
        assert_eq!(a.on_key(key(KeyCode::Char('w'))), Command::Save(PathBuf::from("out")));
        assert_eq!(a.on_key(key(KeyCode::Char('q'))), Command::Quit);
        assert_eq!(a.on_key(key(KeyCode::Esc)), Command::Quit);
        assert_eq!(a.on_key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)), Command::Quit);
        let release = KeyEvent::new_with_kind(KeyCode::Char('q'), KeyModifiers::NONE, KeyEventKind::Release);
        assert_eq!(a.on_key(release), Command::None, "key releases are ignored");
        for c in ['r', 'w', 's', 'q', 'z'] {
            assert_eq!(a.on_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)), Command::None, "ctrl-{c}");
            assert_eq!(a.on_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::ALT)), Command::None, "alt-{c}");
        }
        // Behind the help, only closing it, quitting and the pause act.
        a.on_key(key(KeyCode::Char('?')));
        let knob = a.knob;
        for code in [KeyCode::Down, KeyCode::Left, KeyCode::Char('+'), KeyCode::Char('r'), KeyCode::Char('w')] {
            assert_eq!(a.on_key(key(code)), Command::None, "{code:?} behind the help");
        }
        assert!(a.help && a.knob == knob);
        assert_eq!(a.on_key(key(KeyCode::Char('q'))), Command::Quit);
        // A control the memory limit does not hold is refused with the reason.
        let mut a = app();
        a.control_refused = Some("more than --max-memory".into());
        assert_eq!(a.on_key(key(KeyCode::Char('c'))), Command::None);
        assert!(!a.control && a.message.as_ref().unwrap().0.contains("cannot start: more than --max-memory"));
    }

    #[test]
    fn history_keys_scroll_and_zoom_the_time_charts() {
        let mut a = app();
        let mut view = (**a.view.as_ref().unwrap()).clone();
        view.products[0].windows = vec![Default::default(); 400];
        a.view = Some(Arc::new(view));
        a.resize(80, 24);
        let cap = 2 * crate::tui::ui::time_cols(80);
        assert!(a.history.live());
        assert_eq!(a.on_key(key(KeyCode::Char('['))), Command::None, "the simulation is not told");
        assert_eq!(a.history.end, Some(400 - cap / 8));
        a.on_key(key(KeyCode::Char('{')));
        assert_eq!(a.history.end, Some(400 - cap / 8 - cap));
        a.on_key(key(KeyCode::Char('}')));
        a.on_key(key(KeyCode::Char(']')));
        assert!(a.history.live(), "back at the last window: live");
        a.on_key(key(KeyCode::Home));
        assert_eq!(a.history.end, Some(cap));
        a.on_key(key(KeyCode::End));
        assert!(a.history.live());
        a.on_key(key(KeyCode::Char('z')));
        assert_eq!(a.history.zoom, -1);
        a.on_key(KeyEvent::new(KeyCode::Char('Z'), KeyModifiers::SHIFT));
        a.on_key(KeyEvent::new(KeyCode::Char('Z'), KeyModifiers::SHIFT));
        assert_eq!(a.history.zoom, 1);
        assert!(!a.paused, "history keys leave the run as it is");
    }

    /// "catching up" is not left on the status line once it is no longer true.
    #[test]
    fn the_status_line_says_when_the_control_has_caught_up() {
        use crate::tui::sim::LiveSnapshot;
        let mut a = app();
        let t0 = Instant::now();
        a.on_notice(Notice::Control(Some(42_720.0)), t0);
        let live = (**a.view.as_ref().unwrap()).clone();
        let with_control = |t: f64| LiveSnapshot {
            view: Arc::new(live.clone()),
            rate: None,
            behind: None,
            at: t0,
            seq: 1,
            control: Some(Arc::new(LiveView { t, ..live.clone() })),
        };
        a.update(&with_control(30_000.0), t0);
        assert!(a.message.as_ref().unwrap().0.contains("catching up"), "still behind");
        a.update(&with_control(42_720.0), t0);
        assert_eq!(a.message.as_ref().unwrap().0, CAUGHT_UP);
        assert_eq!(a.catching_up, None);
        // Said once; and a message said since is not replaced.
        a.say("speed 1800×", t0);
        a.update(&with_control(43_000.0), t0);
        assert_eq!(a.message.as_ref().unwrap().0, "speed 1800×");
        a.on_notice(Notice::Control(Some(42_720.0)), t0);
        a.say("loan rate +25 bp from 11:52:00", t0);
        a.update(&with_control(42_720.0), t0);
        assert_eq!(a.message.as_ref().unwrap().0, "loan rate +25 bp from 11:52:00");
    }

    #[test]
    fn c_toggles_the_control_and_ctrl_c_still_quits() {
        let mut a = app();
        assert!(!a.control);
        assert_eq!(a.on_key(key(KeyCode::Char('c'))), Command::Control(true));
        assert!(a.control);
        assert_eq!(a.on_key(key(KeyCode::Char('c'))), Command::Control(false));
        assert!(!a.control);
        assert_eq!(a.on_key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)), Command::Quit);
        assert!(!a.control, "ctrl-c is not a toggle");
        let t0 = Instant::now();
        a.on_notice(Notice::Control(Some(42_720.0)), t0);
        let said = &a.message.as_ref().unwrap().0;
        assert!(said.starts_with("control on: the same seed without the live changes"), "{said}");
        assert!(said.contains("catching up from the start to 11:52:00"), "{said}");
        a.on_notice(Notice::Control(Some(0.0)), t0);
        assert!(!a.message.as_ref().unwrap().0.contains("catching up"), "nothing to catch up at the start");
        a.on_notice(Notice::Control(None), t0);
        assert_eq!(a.message.as_ref().unwrap().0, "control off");
        a.control = true;
        a.on_notice(Notice::ControlFailed("no thread".into()), t0);
        assert!(!a.control);
        assert_eq!(a.message.as_ref().unwrap().0, "the control could not start: no thread");
    }

    #[test]
    fn notices_become_status_messages_that_expire() {
        let mut a = app();
        let t0 = Instant::now();
        a.on_notice(Notice::Changed { knob: Knob::LoanRate, steps: 2.0, at: Ok(37_801.0) }, t0);
        assert_eq!(a.message.as_ref().unwrap().0, "loan rate +50 bp from 10:30:01");
        a.on_notice(Notice::Saving(PathBuf::from("d")), t0);
        assert_eq!(a.saving, [PathBuf::from("d")]);
        a.on_notice(Notice::Saved(PathBuf::from("d")), t0);
        assert!(a.saving.is_empty());
        assert_eq!(a.saved, [PathBuf::from("d")]);
        a.expire(t0 + MESSAGE_FOR / 2);
        assert!(a.message.is_some());
        a.expire(t0 + MESSAGE_FOR);
        assert!(a.message.is_none());
    }
}
