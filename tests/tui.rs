//! The live view's simulation thread driven headless: commands in, snapshots
//! and notices out, a saved run that replays, and what drawing the view
//! costs the simulation (printed; run with `--nocapture` to see it).

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tplus::engine::live::{LiveSim, NoChange};
use tplus::engine::{self, RunOptions, record::Discard};
use tplus::results::RunWriter;
use tplus::scenario::{self, EventTarget, Scenario};
use tplus::tui::app::App;
use tplus::tui::sim::{self, Clock, Command, LiveSnapshot, Notice, SimHandle, SimOptions, Speed, WakeReason};
use tplus::tui::ui;
use tplus::tui::view::{Knob, LiveView};

const WAIT: Duration = Duration::from_secs(60);

fn load(file: &str) -> Scenario {
    scenario::load(Path::new(env!("CARGO_MANIFEST_DIR")).join(file), &tplus::agents::Registry::builtin())
        .expect("the bundled scenarios are valid")
}

fn herding_one_day() -> Scenario {
    let mut s = load("scenarios/herding.toml");
    s.simulation.days = 1;
    s
}

fn scratch(name: &str) -> PathBuf {
    let dir =
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("tplus-tui-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Waits for a snapshot that satisfies `ok`.
fn wait_view(h: &SimHandle, ok: impl Fn(&LiveView) -> bool) -> Arc<LiveView> {
    let until = Instant::now() + WAIT;
    loop {
        if let Some(s) = h.latest()
            && ok(&s.view)
        {
            return Arc::clone(&s.view);
        }
        assert!(Instant::now() < until, "no snapshot as expected within {WAIT:?}");
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn wait_notice(h: &SimHandle, ok: impl Fn(&Notice) -> bool) -> Notice {
    let until = Instant::now() + WAIT;
    while Instant::now() < until {
        if let Some(n) = h.wait_notice(Duration::from_millis(100))
            && ok(&n)
        {
            return n;
        }
    }
    panic!("no notice as expected within {WAIT:?}");
}

fn paused() -> SimOptions {
    SimOptions { paused: true, ..SimOptions::default() }
}

#[test]
fn live_changes_are_saved_as_a_scenario_that_replays_the_run() {
    let s = herding_one_day();
    let root = scratch("save");
    let h = sim::spawn(s.clone(), None, paused()).unwrap();
    wait_view(&h, |v| v.t == 0.0 && !v.in_session);
    // Two windows in, raise the herding rate by 1/h; one more, lower it by 0.5/h.
    h.send(Command::Step);
    h.send(Command::Step);
    let v = wait_view(&h, |v| v.products[0].windows.len() == 3);
    assert!(v.in_session);
    h.send(Command::Change(Knob::Herding, 2));
    let Notice::Changed { knob: Knob::Herding, steps, at: Ok(at) } = wait_notice(&h, |_| true) else {
        panic!("the change is scheduled");
    };
    assert_eq!(steps, 2.0);
    assert!(at > v.t && at <= v.t + 1.0, "a change takes effect at the next whole second");
    h.send(Command::Step);
    h.send(Command::Change(Knob::Herding, -1));
    assert!(matches!(wait_notice(&h, |_| true), Notice::Changed { knob: Knob::Herding, at: Ok(_), .. }));
    // Nobody here reads the loan rate, and there is no macro-driven group:
    // those changes are refused.
    h.send(Command::Change(Knob::LoanRate, 1));
    assert!(matches!(
        wait_notice(&h, |_| true),
        Notice::Changed { knob: Knob::LoanRate, at: Err(NoChange::NotRead), .. }
    ));
    h.send(Command::Change(Knob::MacroActiveShare, 1));
    assert!(matches!(wait_notice(&h, |_| true), Notice::Changed { at: Err(NoChange::NotRead), .. }));
    h.send(Command::Step);
    let v = wait_view(&h, |v| v.products[0].windows.len() == 5);
    assert_eq!(v.markers.len(), 2, "both changes are marked on the charts");
    assert_eq!(v.knobs[0].value, None, "the loan rate knob is n/a");
    assert_eq!(v.knobs[1].value, Some(6.5));

    h.send(Command::Save(root.clone()));
    let Notice::Saving(dir) = wait_notice(&h, |n| matches!(n, Notice::Saving(_))) else { unreachable!() };
    assert!(dir.starts_with(root.join("herding")));
    assert!(dir.file_name().unwrap().to_str().unwrap().starts_with("live-"));
    match wait_notice(&h, |n| matches!(n, Notice::Saved(_) | Notice::SaveFailed(..))) {
        Notice::Saved(d) => assert_eq!(d, dir),
        other => panic!("the save failed: {other:?}"),
    }
    // Another save gets its own directory (suffixed when in the same second).
    h.send(Command::Save(root.clone()));
    let Notice::Saving(dir2) = wait_notice(&h, |n| matches!(n, Notice::Saving(_))) else { unreachable!() };
    assert_ne!(dir, dir2);
    assert!(matches!(wait_notice(&h, |n| matches!(n, Notice::Saved(_) | Notice::SaveFailed(..))), Notice::Saved(_)));

    // The replay scenario: valid, with the live changes as events.
    let text = std::fs::read_to_string(dir.join("scenario.toml")).unwrap();
    let replay = scenario::parse(&dir.join("scenario.toml"), &text, &tplus::agents::Registry::builtin())
        .expect("the saved scenario parses");
    assert_eq!(replay.events.len(), s.events.len() + 2);
    let live_events = &replay.events[s.events.len()..];
    assert_eq!(live_events[0].target, EventTarget::Herding);
    assert_eq!(live_events[0].change, Some(1.0));
    assert_eq!(live_events[1].target, EventTarget::Herding);
    assert_eq!(live_events[1].change, Some(-0.5));
    assert_eq!(replay.simulation.seed, s.simulation.seed);
    // The list of live changes.
    let csv = std::fs::read_to_string(dir.join("live_changes.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], tplus::columns::live_changes::HEADER);
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(lines[1].starts_with(&format!("{at:.1},1,")) && lines[1].ends_with(",herding,1.0"), "{csv}");
    assert!(lines[2].ends_with(",herding,-0.5"), "{csv}");
    // One form of time in its column, seconds included on the minute too.
    for line in &lines[1..] {
        let time_of_day = line.split(',').nth(2).unwrap_or_default();
        assert!(time_of_day.len() == 8 && time_of_day.matches(':').count() == 2, "{csv}");
    }
    // The results of the replay, run to the end.
    for f in ["metrics.csv", "summary.json", "trades.csv", "manifest.json"] {
        assert!(dir.join(f).is_file(), "{f} is missing from {}", dir.display());
    }

    // The live run, carried on to the end without more changes, is the replay.
    h.send(Command::Speed(Speed::Max));
    h.send(Command::Pause(false));
    let end = wait_view(&h, |v| v.finished);
    let metrics = std::fs::read_to_string(dir.join("metrics.csv")).unwrap();
    let header: Vec<&str> = metrics.lines().next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (vol, loan, optimists) = (col("volume"), col("loan_rate"), col("optimist_share"));
    let rows: Vec<Vec<&str>> = metrics.lines().skip(1).map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), end.products[0].windows.len());
    for (row, w) in rows.iter().zip(&end.products[0].windows) {
        assert_eq!(row[vol].parse::<u64>().unwrap(), w.volume);
        assert!((row[loan].parse::<f64>().unwrap() - w.loan_rate).abs() < 1e-12);
        assert!((row[optimists].parse::<f64>().unwrap() - w.optimist_share.unwrap()).abs() < 1e-6);
    }
    let mut h = h;
    h.stop().unwrap();
    assert_eq!(h.stop().unwrap_err(), tplus::tui::sim::StopError::AlreadyStopped);
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn pause_speed_step_and_restart() {
    let s = herding_one_day();
    let h = sim::spawn(s, None, SimOptions { speed: Speed::Times(7200), ..SimOptions::default() }).unwrap();
    // Running: the market opens and time goes on.
    let v = wait_view(&h, |v| v.in_session && v.products[0].windows.len() >= 2);
    assert!(!v.finished);
    h.send(Command::Pause(true));
    // Paused: simulated time stands still (once the thread has taken the command).
    let until = Instant::now() + WAIT;
    let a = loop {
        let a = h.latest().unwrap();
        std::thread::sleep(Duration::from_millis(100));
        if h.latest().unwrap().view.t == a.view.t {
            break a;
        }
        assert!(Instant::now() < until, "the run does not pause");
    };
    h.send(Command::Step);
    let n = a.view.products[0].windows.len();
    let v = wait_view(&h, |v| v.products[0].windows.len() == n + 1);
    assert!(v.t > a.view.t);
    h.send(Command::Speed(Speed::Max));
    h.send(Command::Pause(false));
    let v = wait_view(&h, |v| v.finished);
    assert_eq!(v.products[0].windows.len(), 66, "one day of 5-minute windows, 09:30–15:00");
    h.send(Command::Change(Knob::LoanRate, 1));
    assert!(
        matches!(wait_notice(&h, |_| true), Notice::Changed { at: Err(NoChange::Over), .. }),
        "no change after the end"
    );
    assert!(v.markers.is_empty());
    h.send(Command::Pause(true));
    h.send(Command::Restart);
    assert_eq!(wait_notice(&h, |_| true), Notice::Restarted);
    let v = wait_view(&h, |v| !v.finished);
    assert_eq!((v.t, v.products[0].windows.len(), v.markers.len()), (0.0, 0, 0), "back to the start");
    let mut h = h;
    let report = h.stop().unwrap();
    assert!(report.publications > 0);
    assert!(!h.is_running());
}

/// A wall clock the test moves. The simulation thread's sleeps are met one
/// at a time: the thread says until when it sleeps, the test looks at what
/// it published, then wakes it a little late (0–9 ms, as a loaded machine
/// would). Each look at the clock costs `cost` of fake time, as if the
/// engine's work took that long. A sleep with no deadline (paused) waits
/// for a command in real time.
struct FakeClock {
    now: Arc<Mutex<Instant>>,
    cost: Duration,
    sleeping: mpsc::SyncSender<Instant>,
    wake: Mutex<Receiver<Instant>>,
}

impl Clock for FakeClock {
    fn now(&self) -> Instant {
        let mut now = self.now.lock().unwrap();
        *now += self.cost;
        *now
    }

    fn sleep_until(&self, deadline: Option<Instant>, commands: &Receiver<Command>) -> WakeReason {
        let Some(deadline) = deadline else {
            return commands.recv().map_or(WakeReason::Hangup, WakeReason::Command);
        };
        if self.sleeping.send(deadline).is_err() {
            return WakeReason::Hangup;
        }
        let Ok(at) = self.wake.lock().unwrap().recv() else { return WakeReason::Hangup };
        let mut now = self.now.lock().unwrap();
        *now = (*now).max(at);
        match commands.try_recv() {
            Ok(c) => WakeReason::Command(c),
            Err(TryRecvError::Empty) => WakeReason::Deadline,
            Err(TryRecvError::Disconnected) => WakeReason::Hangup,
        }
    }
}

/// The simulation thread on a [`FakeClock`], and the test's side of it.
struct Driver {
    // Dropped first, so that a thread asleep on the fake clock wakes to
    // hang up before the handle waits for it.
    sleeping: Receiver<Instant>,
    wake: mpsc::Sender<Instant>,
    h: SimHandle,
    now: Arc<Mutex<Instant>>,
    start: Instant,
    /// The deadline of the sleep the thread is in, if it is in one.
    asleep: Option<Instant>,
    k: u64,
}

/// (fake seconds since the start, simulated seconds since the start, the
/// business day while in a session, behind)
type Sample = (f64, f64, Option<u32>, Option<f64>);

impl Driver {
    fn new(s: Scenario, speed: Speed, cost: Duration) -> Driver {
        let start = Instant::now();
        let now = Arc::new(Mutex::new(start));
        let (sleep_tx, sleeping) = mpsc::sync_channel(0);
        let (wake, wake_rx) = mpsc::channel();
        let clock = FakeClock { now: Arc::clone(&now), cost, sleeping: sleep_tx, wake: Mutex::new(wake_rx) };
        let opts = SimOptions { speed, ..SimOptions::default() };
        let h = sim::spawn_with_clock(s, None, opts, clock).unwrap();
        Driver { sleeping, wake, h, now, start, asleep: None, k: 0 }
    }

    fn sample(&self, s: &LiveSnapshot) -> Sample {
        ((s.at - self.start).as_secs_f64(), s.view.t, s.view.in_session.then_some(s.view.day), s.behind)
    }

    /// Lets `secs` of fake time go by, tick by tick; what was published at each tick.
    fn run_for(&mut self, secs: f64) -> Vec<Sample> {
        let until = *self.now.lock().unwrap() + Duration::from_secs_f64(secs);
        let mut samples = Vec::new();
        loop {
            if let Some(deadline) = self.asleep.take() {
                self.k += 1;
                let late = Duration::from_micros(self.k * 7_919 % 9_000);
                self.wake.send(deadline + late).unwrap();
            }
            let deadline = self.sleeping.recv_timeout(WAIT).expect("the running thread sleeps until its next tick");
            self.asleep = Some(deadline);
            samples.push(self.sample(&self.h.latest().unwrap()));
            if deadline >= until {
                return samples;
            }
        }
    }

    /// Sends a command, to be taken when the thread wakes.
    fn send(&mut self, c: Command) {
        self.h.send(c);
    }

    /// Wakes the thread now (to take a command that leaves it paused).
    fn wake_now(&mut self) {
        if let Some(deadline) = self.asleep.take() {
            self.wake.send(deadline).unwrap();
        }
    }
}

/// Over every stretch of at least `over` seconds within one session, how
/// far the simulated clock's pace strays from `x`× (the worst relative
/// deviation), and how many such stretches there were.
fn worst_deviation(samples: &[Sample], x: f64, over: f64) -> (f64, usize) {
    let s: Vec<&Sample> = samples.iter().filter(|s| s.2.is_some()).collect();
    let (mut worst, mut n) = (0.0f64, 0);
    for (i, a) in s.iter().enumerate() {
        if let Some(b) = s[i..].iter().take_while(|b| b.2 == a.2).find(|b| b.0 - a.0 >= over) {
            let pace = (b.1 - a.1) / (b.0 - a.0);
            worst = worst.max((pace / x - 1.0).abs());
            n += 1;
        }
    }
    (worst, n)
}

fn check_pace(what: &str, samples: &[Sample], x: f64) -> f64 {
    let (worst, n) = worst_deviation(samples, x, 10.0);
    println!(
        "{what}: {n} stretches of 10 s in {} ticks, worst deviation from {x}× {:.5}%",
        samples.len(),
        worst * 100.0
    );
    assert!(n >= 10, "{what}: too few stretches of 10 s ({n})");
    assert!(worst <= 0.05, "{what}: the clock strays {:.2}% from {x}×", worst * 100.0);
    worst
}

#[test]
fn the_simulated_clock_keeps_the_speed_asked_by_a_fake_wall_clock() {
    let mut d = Driver::new(herding_one_day(), Speed::Times(1), Duration::from_micros(50));
    // The first tick skips the night before the first session: to the open.
    let first = d.run_for(0.0);
    assert_eq!(first.last().unwrap().1, 9.5 * 3600.0, "the clock starts at the open");
    check_pace("1×", &d.run_for(12.0), 1.0);
    d.send(Command::Speed(Speed::Times(10)));
    check_pace("10×", &d.run_for(12.0), 10.0);
    d.send(Command::Speed(Speed::Times(60)));
    let at60 = d.run_for(12.0);
    check_pace("60×", &at60, 60.0);
    // A pause: fake time goes by, simulated time stands; a resume anchors afresh.
    d.send(Command::Pause(true));
    d.wake_now();
    let paused_at = wait_view(&d.h, |v| v.t > 0.0 && d.h.latest().is_some_and(|s| s.rate.is_none())).t;
    *d.now.lock().unwrap() += Duration::from_secs(5);
    d.send(Command::Pause(false));
    let resumed = d.run_for(12.0);
    // (Had the 5 s run, the clock would be 300 s on.)
    assert!(
        (0.0..6.0).contains(&(resumed[0].1 - paused_at)),
        "nothing ran while paused: {paused_at}, {:?}",
        resumed[0]
    );
    check_pace("60× after a pause", &resumed, 60.0);
    assert!(resumed.iter().chain(&at60).all(|s| s.3.is_none()), "never behind");
}

#[test]
fn the_clock_moves_through_a_quiet_stretch() {
    // One customer who trades about once a day and nobody else: for minutes
    // on end no event happens, and the clock must move all the same.
    let mut s = herding_one_day();
    s.agents.retain(|g| g.family == "zero_intelligence");
    s.agents[0].count = 1;
    s.agents[0].arrival.rate = Some(0.2);
    for (x, secs) in [(1, 12.0), (60, 12.0)] {
        let mut d = Driver::new(s.clone(), Speed::Times(x), Duration::from_micros(50));
        let samples = d.run_for(secs);
        check_pace(&format!("quiet, {x}×"), &samples, f64::from(x));
        let v = d.h.latest().unwrap().view.clone();
        let orders: u64 = v.products[0].windows.iter().map(|w| w.orders).sum();
        assert!(orders <= 1, "the stretch is quiet: {orders} orders");
    }
}

#[test]
fn a_machine_that_cannot_keep_up_says_so() {
    // Each look at the clock costs 20 ms: at 7200× the engine cannot keep
    // the schedule. The clock still moves, and the snapshot says how fast.
    let mut d = Driver::new(herding_one_day(), Speed::Times(7200), Duration::from_millis(20));
    let samples = d.run_for(6.0);
    let kept: Vec<f64> = samples.iter().filter_map(|s| s.3).collect();
    assert!(!kept.is_empty(), "behind is reported");
    assert!(kept.iter().all(|&k| k > 0.0 && k < 7200.0 * 0.95), "{kept:?}");
    let (a, b) = (samples[samples.len() / 2], *samples.last().unwrap());
    assert!(b.1 > a.1, "the clock moves");
}

/// The real clock on this machine, at 60× for 3 s: within 5% (the pace
/// over shorter stretches errs more for the same lateness, so this is
/// stricter than the 10 s of the requirement).
#[test]
fn the_real_clock_keeps_pace() {
    let opts = SimOptions { speed: Speed::Times(60), ..SimOptions::default() };
    let h = sim::spawn(herding_one_day(), None, opts).unwrap();
    let first = wait_view(&h, |v| v.in_session);
    let t0 = Instant::now();
    let a = h.latest().unwrap();
    std::thread::sleep(Duration::from_secs(3));
    let b = h.latest().unwrap();
    assert!(a.view.t >= first.t);
    let pace = (b.view.t - a.view.t) / (b.at - a.at).as_secs_f64();
    println!("real clock, 60× over {:.2} s: {pace:.2}×", t0.elapsed().as_secs_f64());
    assert!((pace / 60.0 - 1.0).abs() <= 0.05, "{pace}× at 60×");
}

/// The real clock at every finite speed for `TPLUS_PACE_SECS` (10) seconds
/// each, printed: `cargo test --release --test tui real_clock_at_every_speed
/// -- --ignored --nocapture`.
#[test]
#[ignore = "takes a minute of real time"]
fn real_clock_at_every_speed() {
    let secs = std::env::var("TPLUS_PACE_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(10.0);
    for &speed in &sim::SPEEDS {
        let Speed::Times(x) = speed else { continue };
        let mut s = load("scenarios/baseline.toml");
        s.simulation.days = 5;
        let origin = Instant::now();
        let h = sim::spawn(s, None, SimOptions { speed, ..SimOptions::default() }).unwrap();
        wait_view(&h, |v| v.in_session);
        let (mut samples, until) = (Vec::new(), Instant::now() + Duration::from_secs_f64(secs + 0.5));
        let mut behind = 0;
        while Instant::now() < until {
            let snap = h.latest().unwrap();
            behind += usize::from(snap.behind.is_some());
            samples.push((
                snap.at.duration_since(origin).as_secs_f64(),
                snap.view.t,
                snap.view.in_session.then_some(snap.view.day),
                snap.behind,
            ));
            std::thread::sleep(Duration::from_millis(33));
        }
        // At 7200× a session lasts 2.75 s: the stretches are as long as a session allows.
        let over = (secs.min(10.0) - 0.2).min(5.5 * 3600.0 / f64::from(x) - 0.3);
        let (worst, n) = worst_deviation(&samples, f64::from(x), over);
        println!(
            "{x:>5}×: {n} stretches of {over:.1} s, worst deviation {:.3}%, behind in {behind} of {} looks",
            worst * 100.0,
            samples.len()
        );
    }
}

/// Runs a scenario through the simulation thread at max speed while a
/// headless front end draws it at 30 frames a second; returns (simulation
/// wall time to the end, frames, real time drawing took, the longest frame,
/// the thread's report).
fn with_view(s: &Scenario, size: (u16, u16), draw: bool) -> (Duration, f64, Duration, Duration, sim::SimReport) {
    with_view_and_control(s, size, draw, false)
}

/// [`with_view`], with the control beside the live run (and drawn) when `control` is set.
fn with_view_and_control(
    s: &Scenario,
    size: (u16, u16),
    draw: bool,
    control: bool,
) -> (Duration, f64, Duration, Duration, sim::SimReport) {
    let r = with_view_at(s, size, draw, control, None);
    (r.wall, r.fps, r.per_frame, r.longest, r.report)
}

/// Time a thread spent on a CPU and waiting for one, from the kernel's
/// scheduler statistics (`/proc/…/schedstat`, ns); None where there are none.
#[derive(Clone, Copy, Debug, Default)]
struct Sched {
    cpu: Duration,
    waiting: Duration,
}

fn schedstat(path: &Path) -> Option<Sched> {
    let text = std::fs::read_to_string(path).ok()?;
    let mut f = text.split_whitespace().map(|x| x.parse::<u64>().ok());
    Some(Sched { cpu: Duration::from_nanos(f.next()??), waiting: Duration::from_nanos(f.next()??) })
}

/// This process's threads now: (id, name, scheduler statistics).
fn threads() -> Vec<(String, String, Sched)> {
    let Ok(dir) = std::fs::read_dir("/proc/self/task") else { return Vec::new() };
    dir.flatten()
        .filter_map(|t| {
            let comm = std::fs::read_to_string(t.path().join("comm")).ok()?;
            let sched = schedstat(&t.path().join("schedstat"))?;
            Some((t.file_name().to_string_lossy().into_owned(), comm.trim_end().to_string(), sched))
        })
        .collect()
}

/// The scheduler statistics, summed, of the threads named `name` that are
/// not among `before` (threads a thread starts take its name: the live
/// run's and the control's worker threads count as theirs).
fn new_threads_sched(before: &[(String, String, Sched)], name: &str) -> Sched {
    threads()
        .iter()
        .filter(|(id, comm, _)| comm == name && !before.iter().any(|(b, _, _)| b == id))
        .fold(Sched::default(), |a, (_, _, s)| Sched { cpu: a.cpu + s.cpu, waiting: a.waiting + s.waiting })
}

/// One run of the live view at max speed, timed.
struct ViewRun {
    /// The live run's wall time from its start to its end.
    wall: Duration,
    fps: f64,
    per_frame: Duration,
    longest: Duration,
    report: sim::SimReport,
    /// CPU time of the live run's thread, of the control's and of the
    /// front end (this thread), when the live run ended, and the time
    /// the live run's thread waited for a CPU.
    live: Sched,
    control: Sched,
    front: Sched,
}

/// [`with_view_and_control`]; with `frame` set, the front end draws and
/// the simulation thread publishes every `frame` at max speed instead of
/// the live view's own rate ([`tplus::tui::frame_every`]).
fn with_view_at(s: &Scenario, size: (u16, u16), draw: bool, control: bool, frame: Option<Duration>) -> ViewRun {
    let front0 = schedstat(Path::new("/proc/thread-self/schedstat")).unwrap_or_default();
    let mut opts = SimOptions { speed: Speed::Max, control, ..SimOptions::default() };
    if let Some(f) = frame {
        opts.publish_every_at_max = f;
    }
    let before = threads();
    let mut h = sim::spawn(s.clone(), None, opts).unwrap();
    let mut app = App::new(PathBuf::from("results"));
    app.speed = sim::SPEEDS.len() - 1;
    app.control = control;
    let mut terminal = Terminal::new(TestBackend::new(size.0, size.1)).unwrap();
    let (mut frames, mut drawing, mut longest) = (0u64, Duration::ZERO, Duration::ZERO);
    let start = Instant::now();
    // As the terminal loop does: a frame when a new snapshot came, at most
    // one per frame time of what is shown.
    let mut seq = 0;
    loop {
        let t = Instant::now();
        if let Some(s) = h.latest()
            && s.seq != seq
        {
            seq = s.seq;
            app.update(&s, t);
            if draw {
                terminal.draw(|f| ui::draw(f, &app)).unwrap();
                frames += 1;
                drawing += t.elapsed();
                longest = longest.max(t.elapsed());
            }
        }
        if app.view.as_ref().is_some_and(|v| v.finished) {
            break;
        }
        let every = frame.unwrap_or_else(|| tplus::tui::frame_every(&app));
        std::thread::sleep((t + every).saturating_duration_since(Instant::now()));
    }
    let fps = frames.saturating_sub(1) as f64 / start.elapsed().as_secs_f64();
    let live = new_threads_sched(&before, "tplus-live-sim");
    let control = new_threads_sched(&before, "tplus-live-cont");
    let front1 = schedstat(Path::new("/proc/thread-self/schedstat")).unwrap_or_default();
    let front = Sched { cpu: front1.cpu - front0.cpu, waiting: front1.waiting - front0.waiting };
    let report = h.stop().unwrap();
    ViewRun {
        wall: report.to_finish.unwrap(),
        fps,
        per_frame: drawing / frames.max(1) as u32,
        longest,
        report,
        live,
        control,
        front,
    }
}

fn median(mut x: Vec<Duration>) -> Duration {
    x.sort();
    x[x.len() / 2]
}

fn median_f(mut x: Vec<f64>) -> f64 {
    x.sort_by(f64::total_cmp);
    x[x.len() / 2]
}

/// Best and median of the repetitions, and the best against the baseline's best.
fn figures(x: &[Duration], base: Option<Duration>) -> String {
    let best = *x.iter().min().unwrap();
    let med = median(x.to_vec());
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let vs =
        base.map_or(String::new(), |b| format!("  {:+5.1}%", (best.as_secs_f64() / b.as_secs_f64() - 1.0) * 100.0));
    format!("best {:7.1} ms  median {:7.1} ms{vs}", ms(best), ms(med))
}

/// What the live view costs the simulation, printed (no timing assertion:
/// machines differ). `cargo test --release --test tui -- --nocapture`;
/// `TPLUS_TUI_COST_DAYS=30` runs the scenarios that many days, and
/// `TPLUS_TUI_COST_REPS=15` repeats more, for steadier figures. The modes
/// take turns, and the best of the repetitions is compared, so that load
/// from elsewhere on the machine weighs little.
#[test]
fn the_cost_of_the_view() {
    let env = |name: &str| std::env::var(name).ok().and_then(|d| d.parse::<u32>().ok());
    let reps = env("TPLUS_TUI_COST_REPS").unwrap_or(if cfg!(debug_assertions) { 1 } else { 7 });
    let mut files: Vec<(&str, Scenario)> = vec![
        ("scenarios/herding.toml", load("scenarios/herding.toml")),
        ("scenarios/baseline.toml", load("scenarios/baseline.toml")),
    ];
    for (_, s) in &mut files {
        if let Some(days) = env("TPLUS_TUI_COST_DAYS") {
            s.simulation.days = i64::from(days);
        } else if cfg!(debug_assertions) {
            s.simulation.days = 1;
        }
    }
    let out = scratch("cost");
    for (file, s) in &files {
        let [mut straight, mut run, mut written, mut silent, mut viewed, mut viewed_small] =
            std::array::from_fn::<Vec<Duration>, 6, _>(|_| Vec::new());
        let (mut fps, mut per_frame, mut longest, mut publish_share) =
            (Vec::new(), Vec::new(), Duration::ZERO, Vec::new());
        for _ in 0..reps {
            // LiveSim straight through, no view.
            let mut live = LiveSim::new(s, None).unwrap();
            let t = Instant::now();
            while !live.finished() {
                live.advance_window();
            }
            straight.push(t.elapsed());
            // The simulation thread at max speed, publishing, nobody drawing.
            silent.push(with_view(s, (160, 48), false).0);
            // … and with a front end drawing at 30 frames a second.
            let (wall, rate, drawing, long, report) = with_view(s, (160, 48), true);
            viewed.push(wall);
            fps.push(rate);
            per_frame.push(drawing);
            longest = longest.max(long);
            publish_share.push(report.publishing.as_secs_f64() / report.advancing.as_secs_f64());
            viewed_small.push(with_view(s, (80, 24), true).0);
            // The engine as `tplus run` drives it (one thread), outputs discarded, then written.
            let t = Instant::now();
            engine::run(s, &RunOptions { seed: None, threads: 1 }, &mut Discard).unwrap();
            run.push(t.elapsed());
            let t = Instant::now();
            let mut writer = RunWriter::create(&out, s, false).unwrap();
            let outcome = engine::run(s, &RunOptions { seed: None, threads: 1 }, &mut writer).unwrap();
            writer.finish(&out, s, &outcome, 1).unwrap();
            written.push(t.elapsed());
        }
        let base = *straight.iter().min().unwrap();
        println!("{file} ({} days), {reps} repetitions; simulation wall time to the end:", s.simulation.days);
        println!("  LiveSim straight through, no view        {}", figures(&straight, None));
        println!("  engine::run, 1 thread (tplus run's core)  {}", figures(&run, Some(base)));
        println!("  tplus run with its files, 1 thread        {}", figures(&written, Some(base)));
        println!("  sim thread at max, publishing only        {}", figures(&silent, Some(base)));
        println!("  sim thread at max, drawn 160×48 at 30 fps {}", figures(&viewed, Some(base)));
        println!("  sim thread at max, drawn 80×24 at 30 fps  {}", figures(&viewed_small, Some(base)));
        println!(
            "  {:.1} frames/s; a 160×48 frame takes {:.2} ms to draw on average, {:.2} ms at most; publishing {:.2}% of the simulation's time",
            median_f(fps),
            median(per_frame).as_secs_f64() * 1e3,
            longest.as_secs_f64() * 1e3,
            median_f(publish_share) * 100.0
        );
    }
    let _ = std::fs::remove_dir_all(&out);
}

/// Waits for a snapshot whose control stands at the live run's time and satisfies `ok`.
fn wait_control(h: &SimHandle, ok: impl Fn(&LiveView, &LiveView) -> bool) -> (Arc<LiveView>, Arc<LiveView>) {
    let until = Instant::now() + WAIT;
    loop {
        if let Some(s) = h.latest()
            && let Some(c) = &s.control
            && c.t == s.view.t
            && ok(&s.view, c)
        {
            return (Arc::clone(&s.view), Arc::clone(c));
        }
        assert!(Instant::now() < until, "no control as expected within {WAIT:?}");
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// A plain run of `s` stepped to `t` (ns) without changes: its windows.
/// The windows of a plain run of `s` without its scripted events (what the
/// control runs) up to `t` seconds.
fn plain_windows(s: &Scenario, t: f64) -> Vec<tplus::tui::view::WindowPoint> {
    let mut s = s.clone();
    s.events.clear();
    let mut run = tplus::tui::view::LiveRun::new(&s, None).unwrap();
    run.sim_mut().advance_to((t * 1e9).round() as i64);
    run.view(0).products[0].windows.clone()
}

#[test]
fn the_control_is_a_plain_run_and_identical_to_the_live_run_before_a_change() {
    let s = herding_one_day();
    let opts = SimOptions { control: true, ..paused() };
    let mut h = sim::spawn(s.clone(), None, opts).unwrap();
    for _ in 0..6 {
        h.send(Command::Step);
    }
    let (live, control) = wait_control(&h, |v, _| v.products[0].windows.len() == 7);
    assert_eq!(live.products[0].windows, control.products[0].windows, "no change yet: identical, value for value");
    assert_eq!(control.products[0].windows, plain_windows(&s, control.t));
    // A change: the live run moves away, the control stays a plain run.
    h.send(Command::Change(Knob::Herding, -8));
    wait_notice(&h, |n| matches!(n, Notice::Changed { at: Ok(_), .. }));
    for _ in 0..6 {
        h.send(Command::Step);
    }
    let (live, control) = wait_control(&h, |v, _| v.products[0].windows.len() == 13);
    assert_eq!(control.products[0].windows, plain_windows(&s, control.t), "the control gets no live change");
    assert_ne!(live.products[0].windows, control.products[0].windows, "the live run does");
    assert_eq!(live.products[0].windows[..6], control.products[0].windows[..6], "the same before the change's window");
    // Restart restarts both; off and on again catches up from the start.
    h.send(Command::Restart);
    wait_notice(&h, |n| *n == Notice::Restarted);
    let (live, _) = wait_control(&h, |v, c| v.t == 0.0 && c.products[0].windows.is_empty());
    assert!(live.markers.is_empty());
    for _ in 0..3 {
        h.send(Command::Step);
    }
    h.send(Command::Control(false));
    assert_eq!(wait_notice(&h, |n| matches!(n, Notice::Control(_))), Notice::Control(None));
    wait_view(&h, |v| v.products[0].windows.len() == 4);
    assert!(h.latest().unwrap().control.is_none(), "off: no control view");
    for _ in 0..5 {
        h.send(Command::Step);
    }
    let v = wait_view(&h, |v| v.products[0].windows.len() == 9);
    h.send(Command::Control(true));
    assert_eq!(wait_notice(&h, |n| matches!(n, Notice::Control(_))), Notice::Control(Some(v.t)));
    let (live, control) = wait_control(&h, |v, _| v.products[0].windows.len() == 9);
    assert_eq!(live.products[0].windows, control.products[0].windows, "caught up, and identical");
    // At max speed to the end, the control with it.
    h.send(Command::Speed(Speed::Max));
    h.send(Command::Pause(false));
    let (live, control) = wait_control(&h, |v, c| v.finished && c.finished);
    assert_eq!(live.products[0].windows, control.products[0].windows);
    assert_eq!(control.products[0].windows.len(), 66);
    h.stop().unwrap();
}

/// A lesson's scripted event (sale_panic's rumour, rate_hike's hike) is a
/// change the control does not get, as `tplus run --control` leaves it
/// out: the two runs are the same up to it, the live run moves away after,
/// and the readout compares them since it.
#[test]
fn the_control_runs_without_the_scenarios_scripted_events() {
    let mut s = load("scenarios/rate_hike.toml");
    s.simulation.days = 1;
    // The hike at 10:00 on the first day, the sixth window of 5 minutes.
    s.events[0].at = tplus::scenario::DayTime::parse("day 1 10:00").unwrap();
    let opts = SimOptions { control: true, ..paused() };
    let mut h = sim::spawn(s.clone(), None, opts).unwrap();
    for _ in 0..12 {
        h.send(Command::Step);
    }
    let (live, control) = wait_control(&h, |v, _| v.products[0].windows.len() == 13);
    assert_eq!(control.products[0].windows, plain_windows(&s, control.t), "the control has no hike");
    assert_eq!(live.products[0].windows[..6], control.products[0].windows[..6], "the same before the hike's window");
    assert_ne!(live.products[0].windows, control.products[0].windows, "the live run has it");
    assert!(live.markers.is_empty() && live.scripted.len() == 1, "a scripted change, no live one");
    h.stop().unwrap();
}

#[path = "../examples/shared/contrarian.rs"]
mod contrarian;

/// A family that is not built in (the contrarian of the examples) runs in
/// the live view, in its control and in a save, from the registry the view
/// was given (`tplus::cli::main_with`'s): each used to build the built-in
/// families only, and refused the scenario.
#[test]
fn a_behaviour_of_ones_own_runs_live_in_the_control_and_in_a_save() {
    let mut registry = tplus::agents::Registry::builtin();
    registry.register::<contrarian::Contrarian>();
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/contrarian.toml");
    let s = scenario::load(&file, &registry).unwrap();
    assert!(sim::spawn(s.clone(), None, paused()).is_err(), "the built-in families alone do not know it");
    let opts = SimOptions { control: true, registry: registry.clone(), ..paused() };
    let mut h = sim::spawn(s.clone(), None, opts).unwrap();
    for _ in 0..4 {
        h.send(Command::Step);
    }
    let (live, control) = wait_control(&h, |v, c| v.products[0].windows.len() == 5 && c.t == v.t);
    assert_eq!(live.products[0].windows, control.products[0].windows);
    assert!(live.products[0].windows.iter().any(|w| w.volume > 0), "{:?}", live.products[0].windows);
    let root = scratch("own-family");
    h.send(Command::Save(root.clone()));
    let dir = match wait_notice(&h, |n| matches!(n, Notice::Saved(_) | Notice::SaveFailed(..))) {
        Notice::Saved(d) => d,
        other => panic!("the save failed: {other:?}"),
    };
    let text = std::fs::read_to_string(dir.join("scenario.toml")).unwrap();
    assert!(scenario::parse(&dir.join("scenario.toml"), &text, &registry).is_ok());
    let trades = std::fs::read_to_string(dir.join("trades.csv")).unwrap();
    assert!(trades.lines().count() > 1, "the saved run has its trades");
    h.stop().unwrap();
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn the_control_is_never_ahead_of_the_live_run() {
    let s = herding_one_day();
    let slot = Arc::new(tplus::tui::control::Slot::default());
    let mut c =
        tplus::tui::control::Control::spawn(&s, None, 0, Arc::clone(&slot), &tplus::agents::Registry::builtin())
            .unwrap();
    let open = s.simulation.open.0;
    let mut t = open;
    for k in 0..40 {
        t += 37_000_000_000 + k * 11_000_000_000;
        c.follow(t);
        for _ in 0..20 {
            assert!(c.reached() <= t, "ahead: {} > {t}", c.reached());
        }
        c.keep_up();
    }
    let until = Instant::now() + WAIT;
    while c.reached() < t {
        assert!(c.reached() <= t);
        assert!(Instant::now() < until, "the control does not reach the target");
        std::thread::sleep(Duration::from_millis(1));
    }
    assert!(c.caught_up());
    let until = Instant::now() + WAIT;
    while slot.get().is_none_or(|v| v.t < t as f64 / 1e9) {
        assert!(Instant::now() < until, "the control does not publish where it stands");
        std::thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(slot.get().unwrap().products[0].windows, plain_windows(&s, t as f64 / 1e9));
    drop(c);
    assert!(slot.get().is_none(), "a stopped control leaves no view");
}

/// What the control and drawing cost the live run at max speed, printed:
/// `cargo test --release --test tui the_cost_of_the_control -- --ignored
/// --nocapture` (`TPLUS_TUI_COST_REPS`, 7; `TPLUS_TUI_COST_DAYS`, the
/// scenario's). Four modes take turns within each round, in an order that
/// rotates from round to round: neither, the control alone, drawing alone
/// (160×48 at 30 frames a second), both. Each round's times are compared
/// within the round (paired ratios), so that other load on the machine
/// weighs little; the medians over the rounds are printed.
#[test]
#[ignore = "takes a minute; prints figures"]
fn the_cost_of_the_control() {
    let env = |name: &str| std::env::var(name).ok().and_then(|d| d.parse::<u32>().ok());
    let reps = env("TPLUS_TUI_COST_REPS").unwrap_or(7) as usize;
    for file in ["scenarios/herding.toml", "scenarios/baseline.toml"] {
        let mut s = load(file);
        if let Some(days) = env("TPLUS_TUI_COST_DAYS") {
            s.simulation.days = i64::from(days);
        }
        // (draw, control, frame time at max speed) of each mode: the last
        // one draws and publishes at 30 frames a second, as the view did
        // at max speed before it drew 10.
        let modes = [
            (false, false, None),
            (false, true, None),
            (true, false, None),
            (true, true, None),
            (true, true, Some(tplus::tui::FRAME)),
        ];
        let n = modes.len();
        let mut times = vec![Vec::new(); n];
        let mut runs: Vec<Vec<ViewRun>> = (0..n).map(|_| Vec::new()).collect();
        for round in 0..reps {
            for k in 0..n {
                let m = (round + k) % n;
                let (draw, control, frame) = modes[m];
                let r = with_view_at(&s, (160, 48), draw, control, frame);
                times[m].push(r.wall);
                runs[m].push(r);
            }
        }
        let secs = |d: Duration| d.as_secs_f64();
        let ratio = |a: usize, b: usize| median_f((0..reps).map(|r| secs(times[a][r]) / secs(times[b][r])).collect());
        println!(
            "{file} ({} days), {reps} rounds; the live run's wall time to the end at max speed:",
            s.simulation.days
        );
        for (m, name) in [
            "no control, not drawn",
            "control, not drawn",
            "no control, drawn",
            "control, drawn",
            "control, drawn at 30 fps",
        ]
        .iter()
        .enumerate()
        {
            println!("  {name:<26} {}", figures(&times[m], None));
        }
        println!(
            "  paired medians: control/none {:.3}, drawn/none {:.3}, control drawn/drawn {:.3}, control drawn/none {:.3}, \
             control drawn at 30 fps/none {:.3}",
            ratio(1, 0),
            ratio(2, 0),
            ratio(3, 2),
            ratio(3, 0),
            ratio(4, 0)
        );
        let per_round: Vec<String> =
            (0..reps).map(|r| format!("{:.3}", secs(times[3][r]) / secs(times[0][r]))).collect();
        println!("  control drawn/none by round: {}", per_round.join(" "));
        // Where the CPU went (the kernel's scheduler statistics), so that
        // the cost can be told apart from other tenants' load: the live
        // run's own CPU time, the control's and the front end's, and the
        // time the live run waited for a CPU. On two cores otherwise idle,
        // the live run and its control each keep one busy, so the front
        // end's CPU comes out of theirs: the three need live + control +
        // front of CPU on two cores, and the live run, which waits for a
        // control more than an hour behind, ends no sooner than
        // live + (max(control − live, 0) + front)/2 (threads' names are
        // cut to 15 characters in /proc).
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        println!(
            "  CPU (medians, ms): live run, control, front end; live run waiting for a CPU; bound on 2 idle cores"
        );
        let bound = |r: &ViewRun| {
            let (l, c, f) = (secs(r.live.cpu), secs(r.control.cpu), secs(r.front.cpu));
            l + ((c - l).max(0.0) + f) / 2.0
        };
        for (m, name) in ["none", "control", "drawn", "control, drawn", "control, drawn at 30 fps"].iter().enumerate() {
            let med = |f: &dyn Fn(&ViewRun) -> f64| median_f(runs[m].iter().map(f).collect());
            println!(
                "  {name:<26} {:7.1} {:7.1} {:6.1}; waiting {:7.1}; bound {:7.1} ms, {:.3} of none's live CPU (paired median)",
                med(&|r| ms(r.live.cpu)),
                med(&|r| ms(r.control.cpu)),
                med(&|r| ms(r.front.cpu)),
                med(&|r| ms(r.live.waiting)),
                med(&|r| bound(r) * 1e3),
                median_f((0..reps).map(|k| bound(&runs[m][k]) / secs(runs[0][k].live.cpu)).collect()),
            );
        }
    }
}

/// The real clock with the control on, at 300×, 1800× and 7200× for 3 s
/// each on baseline.toml, printed: the pace kept, how often the snapshot
/// said "behind", and how far the control stood behind the live run.
/// `cargo test --release --test tui pace_with_the_control -- --ignored --nocapture`.
#[test]
#[ignore = "takes 10 s of real time; prints figures"]
fn pace_with_the_control() {
    for x in [300, 1800, 7200] {
        let opts = SimOptions { speed: Speed::Times(x), control: true, ..SimOptions::default() };
        let mut h = sim::spawn(load("scenarios/baseline.toml"), None, opts).unwrap();
        wait_view(&h, |v| v.in_session);
        let a = h.latest().unwrap();
        let (mut looks, mut behind, mut lag) = (0, 0, 0.0f64);
        let until = Instant::now() + Duration::from_secs(3);
        while Instant::now() < until {
            let s = h.latest().unwrap();
            looks += 1;
            behind += usize::from(s.behind.is_some());
            if let Some(c) = &s.control {
                lag = lag.max(s.view.t - c.t);
            }
            std::thread::sleep(Duration::from_millis(33));
        }
        let b = h.latest().unwrap();
        let pace = (b.view.t - a.view.t) / (b.at - a.at).as_secs_f64();
        println!(
            "{x:>5}× with the control: pace {pace:.0}×, behind in {behind} of {looks} looks, control at most {lag:.0} s behind"
        );
        h.stop().unwrap();
    }
}

/// The live view of `herding.toml` at 100×30 as the README shows it, on
/// day 2 at 12:22 after the herding rate was cut from 6 to 2 an hour at
/// 11:00: without the control, and with it (`--control`). Each run is
/// stepped by hand, so the screen is the same on every machine.
fn readme_captures() -> [String; 2] {
    let file = "scenarios/herding.toml";
    let s = load(file);
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(file)).unwrap();
    let mut live = tplus::tui::view::LiveRun::new(&s, None).unwrap();
    let mut control = tplus::tui::view::LiveRun::new(&s, None).unwrap();
    let open = live.sim().calendar().days()[1].open;
    let hour = 3_600_000_000_000;
    live.sim_mut().advance_to(open + 3 * hour / 2);
    assert!(live.change(Knob::Herding, -8.0).is_ok(), "6/h to 2/h");
    let at = open + 2 * hour + 52 * hour / 60;
    live.sim_mut().advance_to(at);
    control.sim_mut().advance_to(at);
    let mut app = App::new(PathBuf::from("results"));
    app.watch = tplus::scenario::what_to_watch(&text);
    app.resize(100, 30);
    app.view = Some(Arc::new(live.view(10)));
    let plain = ui::render_text(&app, 100, 30);
    app.control = true;
    app.control_view = Some(Arc::new(control.view(0)));
    [plain, ui::render_text(&app, 100, 30)]
}

/// The ```text blocks of README.md's "### The live view" section.
fn readme_blocks(readme: &str) -> Vec<(usize, usize)> {
    let start = readme.find("### The live view").expect("README has a live view section");
    let end = readme[start + 1..].find("\n### ").map_or(readme.len(), |e| start + 1 + e);
    let mut blocks = Vec::new();
    let mut at = start;
    while let Some(b) = readme[at..end].find("```text\n") {
        let from = at + b + "```text\n".len();
        let to = from + readme[from..].find("```").expect("a closed block");
        blocks.push((from, to));
        at = to + 3;
    }
    blocks
}

fn trimmed(text: &str) -> String {
    text.lines().map(str::trim_end).collect::<Vec<_>>().join("\n") + "\n"
}

/// The README's captures of the live view, without the control and with
/// it, are what the view draws now (lines compared without trailing
/// spaces). `TPLUS_BLESS_README=1` writes the current screens into it.
#[test]
fn the_readme_shows_the_live_view_as_drawn_now() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let blocks = readme_blocks(&readme);
    assert_eq!(blocks.len(), 2, "the live view section shows two captures: without the control and with it");
    let captures = readme_captures();
    if std::env::var_os("TPLUS_BLESS_README").is_some() {
        let mut out = readme.clone();
        for ((from, to), screen) in blocks.iter().zip(&captures).rev() {
            out.replace_range(from..to, &trimmed(screen));
        }
        std::fs::write(&path, out).unwrap();
        return;
    }
    for (k, ((from, to), screen)) in blocks.iter().zip(&captures).enumerate() {
        assert_eq!(
            trimmed(&readme[*from..*to]),
            trimmed(screen),
            "README capture {} is not the screen drawn now (TPLUS_BLESS_README=1 rewrites it):\n{screen}",
            k + 1
        );
    }
    // The one with the control shows its ghost and readout; the other neither.
    assert!(!captures[0].contains("control"), "{}", captures[0]);
    for needle in ["▄ control", "live vs control", "herding rate -4.0/h"] {
        assert!(captures[1].contains(needle), "`{needle}` is missing:\n{}", captures[1]);
    }
}
