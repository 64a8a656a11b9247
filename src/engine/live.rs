//! The engine stepped by a front end (the live terminal view): run to a
//! moment or to the end of a window, read the market through read-only
//! accessors, change a parameter now, and save what happened as a scenario
//! that replays it exactly. What a front end shows and how it labels its
//! controls is the front end's business (`tui/`).
//!
//! A live change takes effect at the next whole second of simulated time,
//! as a scripted event would: recorded that way, the scenario with the live
//! changes appended as `[[events]]` gives the same run, byte for byte.

use super::record::Discard;
use super::{Engine, Outcome, Phase, RunError, RunOptions};
use crate::agents::Registry;
use crate::book::Side;
use crate::calendar::{Calendar, NS_PER_DAY, NS_PER_SEC};
use crate::metrics::Metrics;
use crate::product::ProductSpec;
use crate::scenario::{DayTime, EventTarget, Scenario, ScriptedEvent, TimeOfDay};
use crate::units::Nanos;

/// A run that a front end steps.
pub struct LiveSim {
    pub(super) engine: Engine<'static>,
    pub(super) scenario: Scenario,
    seed: u64,
    changes: Vec<ScriptedEvent>,
    /// When each of `changes` takes effect (ns since the start).
    change_times: Vec<Nanos>,
}

/// Why [`LiveSim::change`] changed nothing.
#[derive(Clone, Copy, Debug, PartialEq, thiserror::Error)]
pub enum NoChange {
    /// The run is over (or its last session has closed).
    #[error("the run is over")]
    Over,
    /// Nothing in the scenario reads the target.
    #[error("nothing in the scenario acts on it")]
    NotRead,
    /// The target is already at the edge of its range in that direction:
    /// the value it stays at.
    #[error("it is at its limit, {0}")]
    AtLimit(f64),
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
        Ok(LiveSim {
            seed: engine.seed,
            engine,
            scenario: scenario.clone(),
            changes: Vec::new(),
            change_times: Vec::new(),
        })
    }

    /// Why the run cannot go on, if it cannot: a group whose behaviour
    /// failed and decides no more ([`RunError::Halted`]). A front end that
    /// steps the run asks after each step, as a whole run stops at its next
    /// boundary.
    pub fn halted(&self) -> Option<RunError> {
        self.engine.stopped()
    }

    /// The simulated time reached, in nanoseconds since the start.
    pub fn now(&self) -> i64 {
        self.engine.now()
    }

    /// Whether the last business day has closed: the run is over and
    /// advancing further does nothing.
    pub fn finished(&self) -> bool {
        self.engine.clock.phase == Phase::Finished
    }

    /// Runs everything before `t` (ns since the start) and moves the clock
    /// to `t`, whether or not anything happened on the way: a quiet stretch
    /// of a session passes at the pace asked like any other. (Between
    /// sessions the clock stops at the next open.) Nothing left to run comes
    /// before `t`, so the next event sets the clock to its own time, as an
    /// unstepped run would: moving it changes no result.
    pub fn advance_to(&mut self, t: i64) {
        self.engine.advance_to(t);
        if t <= self.engine.clock.now {
            return;
        }
        match self.engine.clock.phase {
            Phase::In(day) => self.engine.clock.now = t.min(self.engine.cal.day(day).close),
            Phase::Before(day) => {
                if let Some(d) = self.engine.cal.days().get(day as usize) {
                    self.engine.clock.now = t.min(d.open);
                }
            }
            Phase::Finished => {}
        }
    }

    /// The open of the next session while the market is closed between
    /// sessions (None in a session and once the run is over).
    pub fn next_open(&self) -> Option<i64> {
        match self.engine.clock.phase {
            Phase::Before(day) => self.engine.cal.days().get(day as usize).map(|d| d.open),
            _ => None,
        }
    }

    /// The end of the window in progress, or of the next window to come.
    pub fn window_end(&self) -> i64 {
        let e = &self.engine;
        let w = match e.clock.phase {
            Phase::In(_) => e.clock.window,
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

    /// Changes `target` by `change` (an absolute amount in the target's
    /// unit: +0.0025 is a 25 bp hike of a rate) at the next whole second of
    /// simulated time (the next open, between sessions). A change that
    /// would take the target past its range ([`Self::bounds`]) stops at
    /// the edge. Returns when it takes effect (nanoseconds since the start)
    /// and the change made, which is the one recorded; or why there is none.
    pub fn change(&mut self, target: EventTarget, change: f64) -> Result<(Nanos, f64), NoChange> {
        if self.finished() {
            return Err(NoChange::Over);
        }
        let from = self.param(target).ok_or(NoChange::NotRead)?;
        // Within the range the change is kept as asked (exactly: it is the
        // amount saved with the run); past an edge it is what reaches it.
        // From outside the range (where a process took the value) a change
        // back towards it is kept, one further out is none; the engine
        // applies the same rule.
        let change = match self.bounds(target) {
            Some((lo, hi)) if (lo..=hi).contains(&from) && !(lo..=hi).contains(&(from + change)) => {
                let edge = if from + change < lo { lo } else { hi };
                let exact = edge - from;
                // Saved as a 12-decimal amount (-0.001, not the
                // -0.000999999999999987 that float steps leave), rounded
                // outward so that it still reaches the edge, where the
                // engine stops it, here and in the replay alike.
                let round = if exact < 0.0 { f64::floor } else { f64::ceil };
                let clean = round(exact * 1e12) / 1e12;
                let reaches = if exact < 0.0 { from + clean <= edge } else { from + clean >= edge };
                if reaches { clean } else { exact }
            }
            Some((lo, hi)) if (from < lo && change < 0.0) || (from > hi && change > 0.0) => 0.0,
            _ => change,
        };
        if change.abs() <= 1e-12 * from.abs().max(1.0) {
            return Err(NoChange::AtLimit(from));
        }
        let e = &self.engine;
        let day = match e.clock.phase {
            Phase::In(d) | Phase::Before(d) => d,
            Phase::Finished => return Err(NoChange::Over),
        };
        let bd = *e.cal.day(day);
        let next_second = (e.clock.now / NS_PER_SEC + 1) * NS_PER_SEC;
        let (day, time) = if matches!(e.clock.phase, Phase::Before(_)) || next_second < bd.open {
            (day, bd.open)
        } else if next_second < bd.close {
            (day, next_second)
        } else if (day as usize + 1) < e.cal.days().len() {
            (day + 1, e.cal.day(day + 1).open)
        } else {
            return Err(NoChange::Over);
        };
        let midnight = (time / NS_PER_DAY) * NS_PER_DAY;
        let at = DayTime { day: day + 1, time: TimeOfDay(time - midnight) };
        self.engine.env.schedule(time, target, change, None);
        self.changes.push(ScriptedEvent {
            at,
            target,
            change: Some(change),
            value: None,
            product: None,
            group: None,
            param: None,
        });
        self.change_times.push(time);
        Ok((time, change))
    }

    /// The value of what `target` changes once the live changes already
    /// made take effect (they wait for the next whole second): the loan
    /// rate, or the live parameter of the first group that has it; None
    /// when the scenario has nothing the target acts on. (Targets other
    /// than the loan rate and group parameters are not offered live.)
    pub fn param(&self, target: EventTarget) -> Option<f64> {
        let e = &self.engine;
        let now = match target.group_param() {
            Some(name) => e.roster.groups.iter().find_map(|g| g.live_param(name)),
            None if target == EventTarget::LoanRate => Some(e.env.state.loan_rate.value()),
            None => None,
        }?;
        let applied = e.env.applied_through();
        let bounds = self.bounds(target);
        // One change after another, each stopped at the range as the engine
        // stops it when it applies them, so that the value seen is the one
        // it will have to the last bit.
        let pending = self
            .changes
            .iter()
            .zip(&self.change_times)
            .filter(|&(c, &t)| t > applied && c.target == target)
            .filter_map(|(c, _)| c.change);
        Some(pending.fold(now, |v, c| match bounds {
            Some((lo, hi)) if (lo..=hi).contains(&v) => (v + c).clamp(lo, hi),
            _ => v + c,
        }))
    }

    /// The values `target` can take: a live change stops at them. For a
    /// group parameter, the bound the first group that has it declares.
    pub fn bounds(&self, target: EventTarget) -> Option<(f64, f64)> {
        match target.group_param() {
            Some(name) => self.engine.roster.groups.iter().find_map(|g| g.live_param_bound(name))?.as_range(),
            None => crate::scenario::fields::value_bounds(target),
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

    /// The scenario being run.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The seed the run uses.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The run's business days and windows.
    pub fn calendar(&self) -> &Calendar {
        &self.engine.cal
    }

    /// The products, with their per-day numbers.
    pub fn products(&self) -> &[ProductSpec] {
        &self.engine.specs
    }

    /// What the run has measured so far.
    pub fn metrics(&self) -> &Metrics {
        &self.engine.metrics
    }

    /// Product `p`'s best `buf.len()` levels on `side` as (tick above the
    /// grid base, lots), best first; how many there are.
    pub fn depth(&self, p: usize, side: Side, buf: &mut [(u32, u64)]) -> usize {
        self.engine.path.book(p).depth(side, buf)
    }

    /// Product `p`'s last trade price (absolute ticks), if any.
    pub fn last_price(&self, p: usize) -> Option<i64> {
        self.engine.path.last_price(p)
    }

    /// Product `p`'s NAV as agents see it now (fractional ticks).
    pub fn nav_ticks_now(&self, p: usize) -> f64 {
        self.engine.snapshot.products[p].nav_ticks
    }

    /// The business day reached (0-based).
    pub fn day(&self) -> u32 {
        self.engine.clock.day
    }

    /// The window in progress while the session is open.
    pub fn current_window(&self) -> Option<usize> {
        match self.engine.clock.phase {
            Phase::In(_) => Some(self.engine.clock.window),
            _ => None,
        }
    }

    /// Windows finished: every window of the days before, and of today up
    /// to the one in progress.
    pub fn windows_done(&self) -> usize {
        let e = &self.engine;
        match e.clock.phase {
            Phase::In(_) => e.clock.window,
            Phase::Before(day) => day as usize * e.cal.windows_per_day() as usize,
            Phase::Finished => e.metrics.n_windows(),
        }
    }

    /// Share of optimists among all groups with a crowd, now.
    pub fn optimist_share(&self) -> Option<f64> {
        self.engine.optimist_share()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::engine;

    /// herding.toml cut to two days, for tests of stepped runs.
    pub(crate) fn herding() -> Scenario {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/herding.toml");
        let mut s = crate::scenario::load(&path, &Registry::builtin()).unwrap();
        s.simulation.days = 2;
        s
    }

    #[test]
    fn a_scenario_broken_in_code_is_refused_not_run() {
        let mut s = herding();
        s.agents[0].count = 0;
        let err = engine::run(&s, &RunOptions::default(), &mut Discard).err();
        assert!(matches!(&err, Some(RunError::Invalid(i)) if i.field == "agents[0].count"), "{err:?}");
        assert!(LiveSim::new(&s, None).is_err());
    }

    #[test]
    fn stepping_gives_the_same_run_as_running_straight_through() {
        let s = herding();
        let straight = engine::run(&s, &RunOptions::default(), &mut Discard).unwrap();
        let mut live = LiveSim::new(&s, None).unwrap();
        while !live.finished() {
            live.advance_window();
        }
        let stepped = live.finish();
        assert_eq!(stepped.stats.trades, straight.stats.trades);
        let a = straight.metrics.summary(&straight.products, crate::metrics::risk::report(&[], 1.0, 1.0, 3.5).1);
        let b = stepped.metrics.summary(&stepped.products, crate::metrics::risk::report(&[], 1.0, 1.0, 3.5).1);
        assert_eq!(serde_json::to_string(&a).unwrap(), serde_json::to_string(&b).unwrap());
    }

    #[test]
    fn the_clock_moves_through_quiet_stretches_and_results_do_not_depend_on_the_steps() {
        let mut s = herding();
        s.simulation.days = 1;
        let straight = engine::run(&s, &RunOptions::default(), &mut Discard).unwrap();
        let mut live = LiveSim::new(&s, None).unwrap();
        // Irregular steps, as a paced front end takes them: the clock stands
        // where it was asked to go, events or not.
        let mut t = 0;
        let mut k = 0u64;
        while !live.finished() {
            k += 1;
            t += 1 + (k * 7_919_000_017 % 9_000_000_000) as i64;
            if let Some(open) = live.next_open() {
                t = t.max(open);
            }
            live.advance_to(t);
            if live.current_window().is_some() {
                assert_eq!(live.now(), t, "in a session the clock stands where it was asked to go");
            }
        }
        let stepped = live.finish();
        assert_eq!(stepped.stats.trades, straight.stats.trades);
        assert_eq!(stepped.stats.events, straight.stats.events);
        let a = straight.metrics.summary(&straight.products, crate::metrics::risk::report(&[], 1.0, 1.0, 3.5).1);
        let b = stepped.metrics.summary(&stepped.products, crate::metrics::risk::report(&[], 1.0, 1.0, 3.5).1);
        assert_eq!(serde_json::to_string(&a).unwrap(), serde_json::to_string(&b).unwrap());
    }

    /// A change shows in the value at once, before it takes effect, and
    /// stops at the edge of the target's range; the change recorded is the
    /// one made, and a press past the edge changes nothing.
    #[test]
    fn live_changes_show_at_once_and_stop_at_the_range() {
        let s = herding();
        let mut live = LiveSim::new(&s, None).unwrap();
        live.advance_to(s.simulation.open.0 + 3_600_000_000_000);
        let rate = live.param(EventTarget::LoanRate).unwrap();
        let (lo, _) = live.bounds(EventTarget::LoanRate).unwrap();
        assert_eq!(lo, -0.05);
        let (_, made) = live.change(EventTarget::LoanRate, -0.0025).unwrap();
        assert_eq!(made, -0.0025);
        assert!((live.param(EventTarget::LoanRate).unwrap() - (rate - 0.0025)).abs() < 1e-15, "seen before it applies");
        let (_, made) = live.change(EventTarget::LoanRate, -5.0).unwrap();
        assert!((made - (lo - (rate - 0.0025))).abs() <= 1e-12, "{made}");
        assert_eq!(live.change(EventTarget::LoanRate, -0.0025), Err(NoChange::AtLimit(lo)));
        let herding = live.param(EventTarget::Herding).unwrap();
        let (h_lo, _) = live.bounds(EventTarget::Herding).unwrap();
        let (_, made) = live.change(EventTarget::Herding, -1e6).unwrap();
        assert!((made - (h_lo - herding)).abs() <= 1e-12, "{made}");
        assert!(matches!(live.change(EventTarget::Herding, -0.5), Err(NoChange::AtLimit(_))));
        live.advance_to(live.now() + 5 * NS_PER_SEC);
        assert_eq!(live.param(EventTarget::LoanRate), Some(lo), "applied: the same value");
        assert_eq!(live.param(EventTarget::Herding), Some(h_lo));
        let recorded: Vec<f64> = live.changes().iter().filter_map(|c| c.change).collect();
        assert_eq!(recorded.len(), 3);
        crate::scenario::check(&live.replay_scenario(), &Registry::builtin())
            .expect("the saved changes are valid events");
    }

    /// A change stopped at an edge is saved as a clean amount, not with the
    /// float noise of the steps before it (a review saw
    /// `change = -0.000999999999999987` in a saved scenario), and still
    /// takes the value to the edge exactly.
    #[test]
    fn a_change_stopped_at_the_edge_is_a_clean_amount() {
        let s = herding();
        let mut live = LiveSim::new(&s, None).unwrap();
        live.advance_to(s.simulation.open.0 + 3_600_000_000_000);
        let (lo, _) = live.bounds(EventTarget::LoanRate).unwrap();
        // Steps of 7 bp (not exact in binary) down to the edge, the last one stopped there.
        let mut made = Vec::new();
        while let Ok((_, m)) = live.change(EventTarget::LoanRate, -0.0007) {
            made.push(m);
        }
        let last = *made.last().unwrap();
        assert!(last > -0.0007 && last < 0.0, "{made:?}");
        assert_eq!(last, (last * 1e12).round() / 1e12, "{last} is not a 12-decimal amount");
        live.advance_to(live.now() + 5 * NS_PER_SEC);
        assert_eq!(live.param(EventTarget::LoanRate), Some(lo), "at the edge exactly");
    }

    /// A scripted change of the loan rate by `change`, `secs` after day 1's open.
    fn rate_change(s: &Scenario, secs: i64, change: f64) -> ScriptedEvent {
        ScriptedEvent {
            at: DayTime { day: 1, time: TimeOfDay(s.simulation.open.0 + secs * NS_PER_SEC) },
            target: EventTarget::LoanRate,
            change: Some(change),
            value: None,
            product: None,
            group: None,
            param: None,
        }
    }

    /// Scripted changes that add up past a target's range stop at its edge.
    #[test]
    fn scripted_changes_stop_at_the_range() {
        let mut s = herding();
        for _ in 0..3 {
            s.events.push(rate_change(&s, 60, -0.5));
        }
        crate::scenario::check(&s, &Registry::builtin()).unwrap();
        let mut live = LiveSim::new(&s, None).unwrap();
        live.advance_to(s.simulation.open.0 + 120 * NS_PER_SEC);
        assert_eq!(live.param(EventTarget::LoanRate), Some(-0.05));
        // Where a process took the value out of the range (a path keeps an
        // event's shift), a change is applied as written, and a live press
        // further out changes nothing while one back towards it is kept.
        let mut s = herding();
        s.macro_env.loan_rate = crate::scenario::RateSpec {
            model: crate::scenario::RateModelKind::Path,
            value: None,
            kappa: None,
            theta: None,
            sigma: None,
            points: Some(vec![
                crate::scenario::PathPoint { at: DayTime { day: 1, time: s.simulation.open }, value: 0.0 },
                crate::scenario::PathPoint {
                    at: DayTime { day: 1, time: TimeOfDay(s.simulation.open.0 + 600 * NS_PER_SEC) },
                    value: -0.04,
                },
            ]),
        };
        s.events.push(rate_change(&s, 60, -0.04));
        crate::scenario::check(&s, &Registry::builtin()).unwrap();
        let mut live = LiveSim::new(&s, None).unwrap();
        live.advance_to(s.simulation.open.0 + 700 * NS_PER_SEC);
        let rate = live.param(EventTarget::LoanRate).unwrap();
        assert!((rate + 0.08).abs() < 1e-12, "the path's -4% and the event's shift: {rate}");
        assert_eq!(live.change(EventTarget::LoanRate, -0.0025), Err(NoChange::AtLimit(rate)));
        assert_eq!(live.change(EventTarget::LoanRate, 0.0025).map(|(_, c)| c), Ok(0.0025));
        live.advance_to(live.now() + 5 * NS_PER_SEC);
        assert!((live.param(EventTarget::LoanRate).unwrap() + 0.0775).abs() < 1e-12);
    }

    #[test]
    fn live_changes_replay_exactly_from_the_saved_scenario() {
        let s = herding();
        let mut live = LiveSim::new(&s, None).unwrap();
        live.advance_to(s.simulation.open.0 + 3_600_000_000_000 + 123_456_789);
        assert!(live.change(EventTarget::LoanRate, 0.005).is_ok());
        assert!(live.change(EventTarget::Herding, -2.0).is_ok());
        assert_eq!(live.change(EventTarget::MacroActiveShare, 0.1), Err(NoChange::NotRead), "no macro group");
        live.advance_to(live.now() + 5 * NS_PER_SEC);
        assert!((live.param(EventTarget::LoanRate).unwrap() - (0.0435 + 0.005)).abs() < 1e-12);
        assert_eq!(live.changes().len(), 2);
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
}
