//! The engine stepped by a front end (the live terminal view): run to a
//! moment or to the end of a window, look at the market, change a parameter
//! now, and save what happened as a scenario that replays it exactly.
//!
//! A live change takes effect at the next whole second of simulated time,
//! as a scripted event would: recorded that way, the scenario with the live
//! changes appended as `[[events]]` gives the same run, byte for byte.

use super::record::Discard;
use super::{Engine, Outcome, Phase, RunError, RunOptions};
use crate::agents::Registry;
use crate::book::Side;
use crate::calendar::{NS_PER_DAY, NS_PER_SEC};
use crate::metrics::stats::{self, Z95};
use crate::scenario::{Date, DayTime, EventTarget, Scenario, ScriptedEvent, TimeOfDay};

/// A parameter a teacher can change during a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Knob {
    /// The loan rate (changes in basis points).
    LoanRate,
    /// The herding rate b of every herd-following group.
    Herding,
    /// The active share of every macro-driven group.
    MacroActiveShare,
}

impl Knob {
    pub const ALL: [Knob; 3] = [Knob::LoanRate, Knob::Herding, Knob::MacroActiveShare];

    pub fn target(self) -> EventTarget {
        match self {
            Knob::LoanRate => EventTarget::LoanRate,
            Knob::Herding => EventTarget::Herding,
            Knob::MacroActiveShare => EventTarget::MacroActiveShare,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Knob::LoanRate => "loan rate",
            Knob::Herding => "herding rate",
            Knob::MacroActiveShare => "macro active share",
        }
    }

    /// What one step of the control adds (a rate hike of 25 bp, and so on).
    pub fn step(self) -> f64 {
        match self {
            Knob::LoanRate => 0.0025,
            Knob::Herding => 0.5,
            Knob::MacroActiveShare => 0.1,
        }
    }
}

/// One window of one product, as the live view draws it.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct WindowPoint {
    /// Seconds since the start of the run at the window's end (its current
    /// end for the window in progress).
    pub t_end: f64,
    pub sub_success: Option<f64>,
    pub sub_interval: Option<(f64, f64)>,
    pub sale_success: Option<f64>,
    pub sale_interval: Option<(f64, f64)>,
    pub volume: u64,
    /// Last trade price so far (currency units).
    pub price: Option<f64>,
    pub nav: f64,
    pub loan_rate: f64,
    pub optimist_share: Option<f64>,
    pub orders: u64,
    pub rejected: u64,
}

/// One product now.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProductNow {
    pub id: String,
    /// Best levels, best first: (price in currency units, lots).
    pub bids: Vec<(f64, u64)>,
    pub asks: Vec<(f64, u64)>,
    pub last_price: Option<f64>,
    pub nav: f64,
    /// Completed windows and the one in progress, in time order.
    pub windows: Vec<WindowPoint>,
}

/// A live change, for markers on the charts.
#[derive(Clone, Debug, PartialEq)]
pub struct Marker {
    /// Seconds since the start of the run.
    pub t: f64,
    pub label: String,
}

/// A knob's current value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct KnobValue {
    pub knob: Knob,
    /// None when the scenario has nothing the knob acts on (no herding group, …).
    pub value: Option<f64>,
}

/// Everything the live view shows, at one moment.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LiveView {
    pub scenario: String,
    pub seed: u64,
    /// Seconds since the start of the run.
    pub t: f64,
    pub date: Option<Date>,
    /// Nanoseconds since midnight.
    pub time_of_day: i64,
    /// 0-based business day, and how many there are.
    pub day: u32,
    pub days: u32,
    pub in_session: bool,
    pub finished: bool,
    pub products: Vec<ProductNow>,
    pub knobs: Vec<KnobValue>,
    pub markers: Vec<Marker>,
    /// Share of optimists among herd followers now.
    pub optimist_share: Option<f64>,
    /// Window length in seconds, and K of the rolling correlations.
    pub window_secs: f64,
    pub rolling_windows: usize,
}

/// A run that a front end steps.
pub struct LiveSim {
    engine: Engine<'static>,
    scenario: Scenario,
    seed: u64,
    changes: Vec<ScriptedEvent>,
    markers: Vec<Marker>,
}

impl LiveSim {
    /// A fresh run of a validated scenario (`seed` replaces the scenario's).
    pub fn new(scenario: &Scenario, seed: Option<u64>) -> Result<LiveSim, RunError> {
        LiveSim::with_registry(scenario, seed, &Registry::builtin())
    }

    /// A fresh run whose groups' behaviours come from `registry`.
    pub fn with_registry(scenario: &Scenario, seed: Option<u64>, registry: &Registry) -> Result<LiveSim, RunError> {
        // Discard is zero-sized: leaking a box of it allocates nothing.
        let rec: &'static mut Discard = Box::leak(Box::new(Discard));
        let engine = Engine::new(scenario, &RunOptions { seed, threads: 1 }, registry, rec, false)?;
        Ok(LiveSim { seed: engine.seed, engine, scenario: scenario.clone(), changes: Vec::new(), markers: Vec::new() })
    }

    /// The simulated time reached, in nanoseconds since the start.
    pub fn now(&self) -> i64 {
        self.engine.now()
    }

    pub fn finished(&self) -> bool {
        self.engine.phase == Phase::Finished
    }

    /// Runs everything before `t` (ns since the start).
    pub fn advance_to(&mut self, t: i64) {
        self.engine.advance_to(t);
        // Between sessions the clock stands at the last close until the next open.
        if t > self.engine.now
            && !matches!(self.engine.phase, Phase::In(_))
            && let Phase::Before(day) = self.engine.phase
            && let Some(d) = self.engine.cal.days().get(day as usize)
        {
            self.engine.now = t.min(d.open);
        }
    }

    /// The end of the window in progress, or of the next window to come.
    pub fn window_end(&self) -> i64 {
        let e = &self.engine;
        let w = match e.phase {
            Phase::In(_) => e.window,
            Phase::Before(day) if (day as usize) < e.cal.days().len() => e.cal.window_of(day, e.cal.day(day).open),
            _ => return i64::MAX,
        };
        e.cal.window_bounds(w).2
    }

    /// Runs to the end of the window in progress (or of the next one), and
    /// through the close when that window is the day's last.
    pub fn advance_window(&mut self) {
        let end = self.window_end();
        self.advance_to(end.saturating_add(1));
    }

    /// Changes `knob` by `steps` of [`Knob::step`] at the next whole second of
    /// simulated time (the next open, between sessions); false when the run
    /// is over or nothing in the scenario answers the knob.
    pub fn change(&mut self, knob: Knob, steps: f64) -> bool {
        if self.finished() || self.knob(knob).is_none() {
            return false;
        }
        let e = &self.engine;
        let day = match e.phase {
            Phase::In(d) | Phase::Before(d) => d,
            Phase::Finished => return false,
        };
        let bd = *e.cal.day(day);
        let next_second = (e.now / NS_PER_SEC + 1) * NS_PER_SEC;
        let (day, time) = if matches!(e.phase, Phase::Before(_)) || next_second < bd.open {
            (day, bd.open)
        } else if next_second < bd.close {
            (day, next_second)
        } else if (day as usize + 1) < e.cal.days().len() {
            (day + 1, e.cal.day(day + 1).open)
        } else {
            return false;
        };
        let midnight = (time / NS_PER_DAY) * NS_PER_DAY;
        let at = DayTime { day: day + 1, time: TimeOfDay(time - midnight) };
        let change = knob.step() * steps;
        self.engine.env.schedule(time, knob.target(), change, None);
        self.changes.push(ScriptedEvent {
            at,
            target: knob.target(),
            change: Some(change),
            value: None,
            product: None,
            group: None,
        });
        let shown = match knob {
            Knob::LoanRate => format!("{:+.0} bp", change * 1e4),
            _ => format!("{change:+}"),
        };
        self.markers.push(Marker { t: time as f64 / 1e9, label: format!("{} {shown}", knob.label()) });
        true
    }

    /// The knob's current value, if the scenario has something it acts on.
    pub fn knob(&self, knob: Knob) -> Option<f64> {
        let e = &self.engine;
        match knob.target().group_param() {
            None => Some(e.env.state.loan_rate.value()),
            Some(name) => e.groups.iter().find_map(|g| g.live_param(name)),
        }
    }

    /// The scenario that replays this run: the original with every live
    /// change appended as a scripted event.
    pub fn replay_scenario(&self) -> Scenario {
        let mut s = self.scenario.clone();
        s.simulation.seed = self.seed;
        s.events.extend(self.changes.iter().cloned());
        s
    }

    /// The live changes so far.
    pub fn changes(&self) -> &[ScriptedEvent] {
        &self.changes
    }

    /// Runs to the end and hands over the results.
    pub fn finish(mut self) -> Outcome {
        self.engine.advance_to(i64::MAX);
        self.engine.finish()
    }

    /// What the live view shows now, with `depth` book levels a side.
    pub fn view(&self, depth: usize) -> LiveView {
        let e = &self.engine;
        let now = e.now;
        let current = match e.phase {
            Phase::In(_) => Some(e.window),
            _ => None,
        };
        // Windows done: every window of the days before, and of today up to the current one.
        let done = match e.phase {
            Phase::In(_) => e.window,
            Phase::Before(day) => day as usize * e.cal.windows_per_day() as usize,
            Phase::Finished => e.metrics.n_windows(),
        };
        let upto = current.map_or(done, |w| w + 1);
        let mut buf = vec![(0u32, 0u64); depth];
        let products = e
            .specs
            .iter()
            .enumerate()
            .map(|(p, spec)| {
                let money = |ticks: f64| ticks * spec.tick_micros as f64 / 1e6;
                let mut levels = |side| {
                    let n = e.books[p].depth(side, &mut buf);
                    buf[..n].iter().map(|&(t, q)| (money((spec.grid_base + i64::from(t)) as f64), q)).collect()
                };
                let (bids, asks) = (levels(Side::Buy), levels(Side::Sell));
                let mut last = None;
                let windows = (0..upto)
                    .map(|w| {
                        let s = e.metrics.window(w, p);
                        let env = e.metrics.env(w);
                        if let Some(t) = s.last_price {
                            last = Some(money(t as f64));
                        }
                        let (_, _, end) = e.cal.window_bounds(w);
                        let in_progress = Some(w) == current;
                        WindowPoint {
                            t_end: if in_progress { now as f64 / 1e9 } else { end as f64 / 1e9 },
                            sub_success: s.buy.success(),
                            sub_interval: stats::wilson(s.buy.filled, s.buy.closed, Z95),
                            sale_success: s.sell.success(),
                            sale_interval: stats::wilson(s.sell.filled, s.sell.closed, Z95),
                            volume: s.volume,
                            price: last,
                            nav: money(if in_progress { e.snapshot.products[p].nav_ticks } else { s.nav_ticks }),
                            loan_rate: env.loan_rate,
                            optimist_share: if in_progress { herd_share(e) } else { env.optimist_share },
                            orders: s.buy_orders + s.sell_orders,
                            rejected: s.rejected,
                        }
                    })
                    .collect();
                ProductNow {
                    id: spec.id.clone(),
                    bids,
                    asks,
                    last_price: e.last_price[p].map(|t| money(t as f64)),
                    nav: money(spec.nav_ticks[(e.day as usize).min(spec.nav_ticks.len() - 1)]),
                    windows,
                }
            })
            .collect();
        let midnight = (now / NS_PER_DAY) * NS_PER_DAY;
        let date = e.cal.days().iter().find(|d| d.open / NS_PER_DAY == now / NS_PER_DAY).map(|d| d.date);
        LiveView {
            scenario: self.scenario.simulation.name.clone(),
            seed: self.seed,
            t: now as f64 / 1e9,
            date,
            time_of_day: now - midnight,
            day: e.day,
            days: e.cal.days().len() as u32,
            in_session: matches!(e.phase, Phase::In(_)),
            finished: self.finished(),
            products,
            knobs: Knob::ALL.iter().map(|&knob| KnobValue { knob, value: self.knob(knob) }).collect(),
            markers: self.markers.clone(),
            optimist_share: herd_share(e),
            window_secs: self.scenario.simulation.window.secs_f64(),
            rolling_windows: self.scenario.metrics.rolling_windows as usize,
        }
    }
}

/// Share of optimists among all herd followers now.
fn herd_share(e: &Engine<'_>) -> Option<f64> {
    let (mut members, mut optimists) = (0u64, 0u64);
    for crowd in e.groups.iter().filter_map(|g| g.crowd()) {
        members += u64::from(crowd.members);
        optimists += u64::from(crowd.optimists);
    }
    (members > 0).then(|| optimists as f64 / members as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine;

    fn herding() -> Scenario {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/herding.toml");
        let mut s = crate::scenario::load(&path, &Registry::builtin()).unwrap();
        s.simulation.days = 2;
        s
    }

    #[test]
    fn stepping_gives_the_same_run_as_running_straight_through() {
        let s = herding();
        let straight = engine::run(&s, &RunOptions::default(), &mut Discard).unwrap();
        let mut live = LiveSim::new(&s, None).unwrap();
        while !live.finished() {
            live.advance_window();
            let _ = live.view(5);
        }
        let stepped = live.finish();
        assert_eq!(stepped.stats.trades, straight.stats.trades);
        let a = straight.metrics.summary(&straight.products, crate::metrics::risk::report(&[], 1.0, 1.0, 3.5).1);
        let b = stepped.metrics.summary(&stepped.products, crate::metrics::risk::report(&[], 1.0, 1.0, 3.5).1);
        assert_eq!(serde_json::to_string(&a).unwrap(), serde_json::to_string(&b).unwrap());
    }

    #[test]
    fn live_changes_replay_exactly_from_the_saved_scenario() {
        let s = herding();
        let mut live = LiveSim::new(&s, None).unwrap();
        live.advance_to(s.simulation.open.0 + 3_600_000_000_000 + 123_456_789);
        assert!(live.change(Knob::LoanRate, 2.0));
        assert!(live.change(Knob::Herding, -4.0));
        live.advance_to(live.now() + 5 * NS_PER_SEC);
        assert!((live.knob(Knob::LoanRate).unwrap() - (0.0435 + 0.005)).abs() < 1e-12);
        assert_eq!(live.view(3).markers.len(), 2);
        let replay = live.replay_scenario();
        assert_eq!(replay.events.len(), s.events.len() + 2);
        // The saved scenario is valid and gives the live run again.
        let text = crate::scenario::to_toml(&replay);
        let again = crate::scenario::parse(std::path::Path::new("replay.toml"), &text, &Registry::builtin())
            .expect("the replay scenario is valid");
        let live_out = live.finish();
        let replay_out = engine::run(&again, &RunOptions::default(), &mut Discard).unwrap();
        assert_eq!(live_out.stats.trades, replay_out.stats.trades);
        assert_eq!(live_out.stats.orders, replay_out.stats.orders);
        assert_eq!(
            live_out.metrics.env(live_out.metrics.n_windows() - 1).loan_rate,
            replay_out.metrics.env(replay_out.metrics.n_windows() - 1).loan_rate
        );
    }

    #[test]
    fn a_view_shows_the_book_and_the_windows_so_far() {
        let s = herding();
        let mut live = LiveSim::new(&s, None).unwrap();
        live.advance_to(s.simulation.open.0 + 2 * s.simulation.window.0 + 1);
        let v = live.view(5);
        assert!(v.in_session && !v.finished);
        assert_eq!(v.products[0].windows.len(), 3, "two windows done and one in progress");
        assert!(v.products[0].bids.len() <= 5);
        assert!(v.optimist_share.is_some());
        assert_eq!(v.knobs.len(), 3);
        assert!(
            v.knobs.iter().all(|k| k.knob != Knob::MacroActiveShare || k.value.is_none()),
            "herding.toml has no macro group"
        );
    }
}
