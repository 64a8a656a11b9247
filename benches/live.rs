//! What the live view costs the simulation it shows, at full speed:
//! `cargo bench --bench live`.
//!
//! Each sample runs `scenarios/herding.toml` (5 days) on the live view's
//! simulation thread at max speed, from spawn to the end of the run, in one
//! of four modes: alone (`none`), with the control beside it (`control`),
//! with a front end drawing it into a 160×48 `TestBackend` at the live
//! view's frame rate (`drawn`), and both (`control_drawn`). The front end
//! draws as `tplus tui` does: when a new snapshot came, at most once per
//! [`tui::frame_every`] of the speed shown. The target is
//! `control_drawn` within 10% of `none`.
//!
//! divan runs each mode's samples one after the other, so load from
//! elsewhere on a shared machine shifts them unevenly; for paired ratios
//! (modes interleaved round by round, one ratio per round) run
//! `cargo test --release --test tui the_cost_of_the_control -- --ignored
//! --nocapture` instead.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tplus::scenario::{self, Scenario};
use tplus::tui::{self, app::App, sim, sim::SimOptions, sim::Speed, ui};

fn main() {
    divan::main();
}

fn load(file: &str) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    scenario::load(&path, &tplus::agents::Registry::builtin()).expect("the bundled scenarios are valid")
}

/// Runs `s` at max speed to its end, with the control and a drawing front
/// end as asked; the live run's wall time from its start to its end.
fn live(s: &Scenario, draw: bool, control: bool) -> Duration {
    let opts = SimOptions { speed: Speed::Max, control, ..SimOptions::default() };
    let mut h = sim::spawn(s.clone(), None, opts).expect("the simulation thread starts");
    let mut app = App::new(PathBuf::from("results"));
    app.speed = sim::SPEEDS.len() - 1;
    app.control = control;
    let mut terminal = Terminal::new(TestBackend::new(160, 48)).expect("a test backend");
    let mut seq = 0;
    loop {
        let t = Instant::now();
        if let Some(snap) = h.latest()
            && snap.seq != seq
        {
            seq = snap.seq;
            app.update(&snap, t);
            if draw {
                terminal.draw(|f| ui::draw(f, &app)).expect("a test backend never fails");
            }
        }
        if app.view.as_ref().is_some_and(|v| v.finished) {
            break;
        }
        std::thread::sleep((t + tui::frame_every(&app)).saturating_duration_since(Instant::now()));
    }
    h.stop().expect("the simulation thread ends").to_finish.expect("the run finished")
}

#[divan::bench(args = ["none", "control", "drawn", "control_drawn"], sample_count = 9, sample_size = 1)]
fn herding_max_speed(bencher: divan::Bencher, mode: &str) {
    let s = load("scenarios/herding.toml");
    let (draw, control) = match mode {
        "none" => (false, false),
        "control" => (false, true),
        "drawn" => (true, false),
        _ => (true, true),
    };
    bencher.bench(|| live(&s, draw, control));
}
