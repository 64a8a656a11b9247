//! The live view's model: what the screen shows of a stepped run at one
//! moment ([`LiveView`]), the parameters a teacher can turn ([`Knob`]: their
//! labels and step sizes), and the run with the markers of the changes made
//! so far ([`LiveRun`]). Built from the engine's read-only accessors; the
//! engine knows nothing of screens or keys.

use crate::agents::{MacroParams, ParamSet, Registry};
use crate::book::Side;
use crate::calendar::NS_PER_DAY;
use crate::engine::RunError;
use crate::engine::live::{LiveSim, NoChange};
use crate::metrics::stats::{self, Z95};
use crate::scenario::{Date, EventTarget, Scenario, ScriptedEvent};

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
    /// Every knob, in the order the screen lists them.
    pub const ALL: [Knob; 3] = [Knob::LoanRate, Knob::Herding, Knob::MacroActiveShare];

    /// The scenario event target the knob changes.
    pub fn target(self) -> EventTarget {
        match self {
            Knob::LoanRate => EventTarget::LoanRate,
            Knob::Herding => EventTarget::Herding,
            Knob::MacroActiveShare => EventTarget::MacroActiveShare,
        }
    }

    /// The knob's name on screen.
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

    /// A value of the knob as the screen shows it: "4.35%", "2.0/h", "60%".
    pub fn value_text(self, v: f64) -> String {
        match self {
            Knob::LoanRate => format!("{:.2}%", v * 100.0),
            Knob::Herding => format!("{v:.1}/h"),
            Knob::MacroActiveShare => format!("{:.0}%", v * 100.0),
        }
    }

    /// `steps` of the knob's step as people say it: "+25 bp", "-0.5/h", "+10 pp".
    pub fn amount(self, steps: f64) -> String {
        let change = self.step() * steps;
        match self {
            Knob::LoanRate => format!("{:+.0} bp", change * 1e4),
            Knob::MacroActiveShare => format!("{:+.0} pp", change * 100.0),
            Knob::Herding => format!("{change:+.1}/h"),
        }
    }

    fn index(self) -> usize {
        Knob::ALL.iter().position(|&k| k == self).unwrap_or(0)
    }
}

/// What a knob does in a scenario: whether some customer reads the
/// parameter it changes, and in words, what it does there or why it does
/// nothing.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Reach {
    /// Whether some customer in the scenario reads the knob's parameter.
    pub acts: bool,
    /// What turning the knob does in this scenario, or why it does nothing.
    pub what: String,
}

/// Who in `scenario` reads what `knob` changes, from the built-in families'
/// parameters (`agents/`):
///
/// - the loan rate: rational customers (their funding cost to T+1 is the
///   loan rate, whatever their other parameters) and macro-driven customers
///   whose `loan_sensitivity` is not 0 (it weighs the loan rate's excess
///   over the yield against buying); no other family reads it;
/// - the herding rate: herding groups (it is the crowd's recruitment rate b);
/// - the macro active share: macro-driven groups.
///
/// Planted abusers decide by their abuse's behaviour, which reads none of
/// these, and a group of no customers reads nothing.
pub fn reach(scenario: &Scenario, knob: Knob) -> Reach {
    let registry = Registry::builtin();
    let mut rational = 0;
    let mut macro_ = 0;
    let mut macro_loan = 0;
    let mut herding = 0;
    for g in scenario.agents.iter().filter(|g| g.count > 0 && g.abuse.is_none()) {
        let family = registry.get(&g.family).map_or(g.family.as_str(), |f| f.name);
        match family {
            "rational" => rational += g.count,
            "herding" => herding += g.count,
            "macro" => {
                macro_ += g.count;
                let p = MacroParams::from_table("macro", &g.params).unwrap_or_default();
                if p.loan_sensitivity != 0.0 {
                    macro_loan += g.count;
                }
            }
            _ => {}
        }
    }
    let (acts, what) = match knob {
        Knob::LoanRate if rational + macro_loan > 0 => {
            let mut parts = Vec::new();
            if rational > 0 {
                parts.push(format!("the funding cost of {rational} rational customers"));
            }
            if macro_loan > 0 {
                parts.push(format!("the buying of {macro_loan} macro-driven customers (their loan sensitivity)"));
            }
            (true, format!("moves {}", parts.join(" and ")))
        }
        Knob::LoanRate => (
            false,
            "no customer here reads the loan rate (rational customers do, and macro-driven ones with a loan sensitivity)"
                .to_string(),
        ),
        Knob::Herding if herding > 0 => {
            (true, format!("how fast {herding} herding customers win each other over to optimism or gloom"))
        }
        Knob::Herding => (false, "no herding customers here: nothing reads the herding rate".to_string()),
        Knob::MacroActiveShare if macro_ > 0 => {
            (true, format!("the share of {macro_} macro-driven customers who trade at all"))
        }
        Knob::MacroActiveShare => (false, "no macro-driven customers here: nothing reads their active share".to_string()),
    };
    Reach { acts, what }
}

/// One window of one product, as the live view draws it.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct WindowPoint {
    /// Seconds since the start of the run at the window's start.
    pub t_start: f64,
    /// Seconds since the start of the run at the window's end (its current
    /// end for the window in progress).
    pub t_end: f64,
    /// Share of the subscriptions (customers' buy orders) closed in the
    /// window that filled whole; None when none closed.
    pub sub_success: Option<f64>,
    /// The 95% Wilson interval of `sub_success` (low, high); None when none closed.
    pub sub_interval: Option<(f64, f64)>,
    /// Share of the sales (customers' sell orders, failed sales at the
    /// holding limit included) closed in the window that filled whole.
    pub sale_success: Option<f64>,
    /// The 95% Wilson interval of `sale_success` (low, high); None when none closed.
    pub sale_interval: Option<(f64, f64)>,
    /// Lots traded in the window, the platform's trades included.
    pub volume: u64,
    /// Last trade price so far (currency units).
    pub price: Option<f64>,
    /// NAV in currency units: on the window's day, or as agents see it now
    /// for the window in progress.
    pub nav: f64,
    /// Bank loan rate (fraction per year) at the window's start.
    pub loan_rate: f64,
    /// Share of optimists among herd-following customers at the window's
    /// end (now, for the window in progress); None without such customers.
    pub optimist_share: Option<f64>,
    /// Customers' orders submitted in the window, both sides.
    pub orders: u64,
    /// Of them, sales (sell orders): what a hike or a rumour moves first.
    pub sells: u64,
    /// Customers' orders the platform refused in the window.
    pub rejected: u64,
}

/// One product now.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProductNow {
    /// The product's id in the scenario.
    pub id: String,
    /// Best bid levels, best (highest) first: (price in currency units, lots).
    pub bids: Vec<(f64, u64)>,
    /// Best ask levels, best (lowest) first: (price in currency units, lots).
    pub asks: Vec<(f64, u64)>,
    /// The run's last trade price in currency units; None before the first trade.
    pub last_price: Option<f64>,
    /// Today's NAV (the business day reached), in currency units.
    pub nav: f64,
    /// Completed windows and the one in progress, in time order.
    pub windows: Vec<WindowPoint>,
}

/// A live change, for markers on the charts: one knob's presses within
/// one metrics window, merged.
#[derive(Clone, Debug, PartialEq)]
pub struct Marker {
    /// Seconds since the start of the run (when the first press of the
    /// marker takes effect).
    pub t: f64,
    /// What changed and by how much in total since the start, as the chart
    /// labels it: "loan rate +25 bp", "loan rate +75 bp (total +150 bp)".
    pub label: String,
}

/// What a marker merges: the knob, the metrics window its first press
/// falls in, and how many steps its presses add up to.
#[derive(Clone, Copy, Debug)]
struct Mark {
    knob: Knob,
    window: usize,
    steps: f64,
}

/// A knob's current value.
#[derive(Clone, Debug, PartialEq)]
pub struct KnobValue {
    /// The knob.
    pub knob: Knob,
    /// None when no customer in the scenario reads the knob's parameter
    /// (shown as "n/a"; the knob cannot be changed).
    pub value: Option<f64>,
    /// What the knob does in this scenario, or why it does nothing ([`reach`]).
    pub what: String,
}

/// Everything the live view shows, at one moment.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LiveView {
    /// The scenario's name, for the title.
    pub scenario: String,
    /// The seed the run uses.
    pub seed: u64,
    /// Seconds since the start of the run.
    pub t: f64,
    /// Today's date when today is a business day; None between business
    /// days (weekends, holidays).
    pub date: Option<Date>,
    /// Nanoseconds since midnight.
    pub time_of_day: i64,
    /// The business day reached (0-based).
    pub day: u32,
    /// Business days in the run.
    pub days: u32,
    /// Whether a session is open (a metrics window is in progress).
    pub in_session: bool,
    /// Whether the run is over.
    pub finished: bool,
    /// Every product, in the scenario's order.
    pub products: Vec<ProductNow>,
    /// Every knob's current value, in the order of [`Knob::ALL`].
    pub knobs: Vec<KnobValue>,
    /// The live changes made so far, in the order made.
    pub markers: Vec<Marker>,
    /// The scenario's own scripted events that have taken effect, in time
    /// order ("scripted loan rate +150 bp"): marked on the charts as the
    /// live changes are, since they are often the lesson (a rate hike) and
    /// a step in one small chart is easy to miss. Not live changes: the
    /// control runs them too.
    pub scripted: Vec<Marker>,
    /// Share of optimists among herd followers now.
    pub optimist_share: Option<f64>,
    /// Length of a metrics window, in seconds.
    pub window_secs: f64,
    /// K: how many windows each rolling correlation spans.
    pub rolling_windows: usize,
}

/// A stepped run and the markers of the live changes made to it.
pub struct LiveRun {
    live: LiveSim,
    markers: Vec<Marker>,
    /// What each marker merges, one to one with `markers`.
    marks: Vec<Mark>,
    /// When each live change takes effect (seconds since the start), one
    /// to one with the engine's changes.
    times: Vec<f64>,
    /// The steps each knob of [`Knob::ALL`] has been changed by so far.
    totals: [f64; 3],
    /// What each knob of [`Knob::ALL`] does in the scenario.
    reach: Vec<Reach>,
}

impl LiveRun {
    /// A fresh run of a validated scenario (`seed` replaces the scenario's).
    pub fn new(scenario: &Scenario, seed: Option<u64>) -> Result<LiveRun, RunError> {
        LiveRun::with_registry(scenario, seed, &Registry::builtin())
    }

    /// [`LiveRun::new`] with the behaviours of `registry`.
    pub fn with_registry(scenario: &Scenario, seed: Option<u64>, registry: &Registry) -> Result<LiveRun, RunError> {
        let reach = Knob::ALL.iter().map(|&k| reach(scenario, k)).collect();
        Ok(LiveRun {
            live: LiveSim::with_registry(scenario, seed, registry)?,
            markers: Vec::new(),
            marks: Vec::new(),
            times: Vec::new(),
            totals: [0.0; 3],
            reach,
        })
    }

    /// What `knob` does in this run's scenario.
    pub fn reach(&self, knob: Knob) -> &Reach {
        &self.reach[knob.index()]
    }

    /// The run itself.
    pub fn sim(&self) -> &LiveSim {
        &self.live
    }

    /// The run itself, to step it.
    pub fn sim_mut(&mut self) -> &mut LiveSim {
        &mut self.live
    }

    /// Changes `knob` by `steps` of [`Knob::step`] at the next whole second
    /// of simulated time, stopping at the edge of its range; returns the
    /// steps made, or why there are none (the run is over, no customer in
    /// the scenario reads the knob's parameter, or it is at its limit). The
    /// change is marked with the knob's total change so far; presses of the
    /// same knob one after the other within one metrics window make one
    /// marker.
    pub fn change(&mut self, knob: Knob, steps: f64) -> Result<f64, NoChange> {
        if self.live.finished() {
            return Err(NoChange::Over);
        }
        if !self.reach(knob).acts {
            return Err(NoChange::NotRead);
        }
        let (time, change) = self.live.change(knob.target(), knob.step() * steps)?;
        let steps = change / knob.step();
        let t = time as f64 / 1e9;
        self.times.push(t);
        self.totals[knob.index()] += steps;
        let total = self.totals[knob.index()];
        let window = match self.live.changes().last() {
            Some(e) => self.live.calendar().window_of(e.at.day.saturating_sub(1), time),
            None => usize::MAX,
        };
        let label = |steps: f64| {
            let step = knob.amount(steps);
            let total = knob.amount(total);
            if step == total {
                format!("{} {step}", knob.label())
            } else {
                format!("{} {step} (total {total})", knob.label())
            }
        };
        match (self.marks.last_mut(), self.markers.last_mut()) {
            (Some(mark), Some(marker)) if mark.knob == knob && mark.window == window => {
                mark.steps += steps;
                marker.label = label(mark.steps);
            }
            _ => {
                self.marks.push(Mark { knob, window, steps });
                self.markers.push(Marker { t, label: label(steps) });
            }
        }
        Ok(steps)
    }

    /// The markers of the live changes so far.
    pub fn markers(&self) -> &[Marker] {
        &self.markers
    }

    /// The knob's current value, if some customer in the scenario reads it.
    pub fn knob(&self, knob: Knob) -> Option<f64> {
        self.live.param(knob.target()).filter(|_| self.reach(knob).acts)
    }

    /// The live changes so far, with when each takes effect (seconds since the start).
    pub fn changes(&self) -> impl Iterator<Item = (f64, &ScriptedEvent)> {
        self.times.iter().copied().zip(self.live.changes())
    }

    /// What the live view shows now, with `depth` book levels a side.
    pub fn view(&self, depth: usize) -> LiveView {
        let live = &self.live;
        let (cal, metrics) = (live.calendar(), live.metrics());
        let now = live.now();
        let current = live.current_window();
        let done = live.windows_done();
        let upto = current.map_or(done, |w| w + 1);
        let mut buf = vec![(0u32, 0u64); depth];
        let products = live
            .products()
            .iter()
            .enumerate()
            .map(|(p, spec)| {
                let money = |ticks: f64| ticks * spec.tick_micros as f64 / 1e6;
                let mut levels = |side| {
                    let n = live.depth(p, side, &mut buf);
                    buf[..n].iter().map(|&(t, q)| (money((spec.grid_base + i64::from(t)) as f64), q)).collect()
                };
                let (bids, asks) = (levels(Side::Buy), levels(Side::Sell));
                let mut last = None;
                let windows = (0..upto)
                    .map(|w| {
                        let s = metrics.window(w, p);
                        let env = metrics.env(w);
                        if let Some(t) = s.last_price {
                            last = Some(money(t as f64));
                        }
                        let (_, start, end) = cal.window_bounds(w);
                        let in_progress = Some(w) == current;
                        WindowPoint {
                            t_start: start as f64 / 1e9,
                            t_end: if in_progress { now as f64 / 1e9 } else { end as f64 / 1e9 },
                            sub_success: s.buy.success(),
                            sub_interval: stats::wilson(s.buy.filled, s.buy.closed, Z95),
                            sale_success: s.sell.success(),
                            sale_interval: stats::wilson(s.sell.filled, s.sell.closed, Z95),
                            volume: s.volume,
                            price: last,
                            nav: money(if in_progress { live.nav_ticks_now(p) } else { s.nav_ticks }),
                            loan_rate: env.loan_rate,
                            optimist_share: if in_progress { live.optimist_share() } else { env.optimist_share },
                            orders: s.buy_orders + s.sell_orders,
                            sells: s.sell_orders,
                            rejected: s.rejected,
                        }
                    })
                    .collect();
                ProductNow {
                    id: spec.id.clone(),
                    bids,
                    asks,
                    last_price: live.last_price(p).map(|t| money(t as f64)),
                    nav: money(spec.nav_ticks[(live.day() as usize).min(spec.nav_ticks.len() - 1)]),
                    windows,
                }
            })
            .collect();
        let midnight = (now / NS_PER_DAY) * NS_PER_DAY;
        let date = cal.days().iter().find(|d| d.open / NS_PER_DAY == now / NS_PER_DAY).map(|d| d.date);
        LiveView {
            scenario: live.scenario().simulation.name.clone(),
            seed: live.seed(),
            t: now as f64 / 1e9,
            date,
            time_of_day: now - midnight,
            day: live.day(),
            days: cal.days().len() as u32,
            in_session: current.is_some(),
            finished: live.finished(),
            products,
            knobs: Knob::ALL
                .iter()
                .map(|&knob| KnobValue { knob, value: self.knob(knob), what: self.reach(knob).what.clone() })
                .collect(),
            markers: self.markers.clone(),
            scripted: scripted_markers(live.scenario(), cal, now),
            optimist_share: live.optimist_share(),
            window_secs: live.scenario().simulation.window.secs_f64(),
            rolling_windows: live.scenario().metrics.rolling_windows as usize,
        }
    }
}

/// The markers of `scenario`'s scripted events that have taken effect by
/// `now` (nanoseconds since the start), in time order.
fn scripted_markers(scenario: &Scenario, cal: &crate::calendar::Calendar, now: i64) -> Vec<Marker> {
    let mut at: Vec<(i64, &ScriptedEvent)> =
        scenario.events.iter().map(|e| (cal.at(e.at), e)).filter(|(t, _)| *t <= now).collect();
    at.sort_by_key(|(t, _)| *t);
    at.into_iter().map(|(t, e)| Marker { t: t as f64 / 1e9, label: scripted_label(e) }).collect()
}

/// A scripted event as a chart labels it: "scripted loan rate +150 bp",
/// "scripted herding rate = 2.0/h", "scripted min credit score +40".
pub fn scripted_label(e: &ScriptedEvent) -> String {
    let knob = Knob::ALL.into_iter().find(|k| k.target() == e.target);
    let what = match (knob, e.target) {
        (Some(k), _) => k.label().to_string(),
        (None, EventTarget::GroupParam) => e.live_param().unwrap_or("group parameter").replace('_', " "),
        (None, t) => t.name().replace('_', " "),
    };
    let how = match (knob, e.change, e.value) {
        (Some(k), Some(c), _) => k.amount(c / k.step()),
        (Some(k), None, Some(v)) => format!("= {}", k.value_text(v)),
        (None, Some(c), _) => format!("{c:+}"),
        (None, None, Some(v)) => format!("= {v}"),
        (_, None, None) => String::new(),
    };
    format!("scripted {what} {how}").trim_end().to_string()
}

impl LiveView {
    /// Every marker the charts draw, the scripted events' and the live
    /// changes', in time order.
    pub fn chart_markers(&self) -> Vec<&Marker> {
        let mut all: Vec<&Marker> = self.scripted.iter().chain(&self.markers).collect();
        all.sort_by(|a, b| a.t.total_cmp(&b.t));
        all
    }
}

/// One measure of the live run against its control over the same windows.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LivePaired {
    /// The live run's mean over the windows.
    pub live: f64,
    /// The control's mean over the same windows.
    pub control: f64,
    /// How many windows both have a value in.
    pub windows: usize,
    /// Half the width of the 95% interval of the mean difference (live −
    /// control, window by window), allowing for neighbouring windows being
    /// alike ([`stats::serial_mean_interval`]: one run, so its windows are
    /// not independent draws; a window where either run has no value is
    /// skipped); None with fewer than two windows.
    pub half: Option<f64>,
}

impl LivePaired {
    /// Live − control.
    pub fn difference(&self) -> f64 {
        self.live - self.control
    }

    fn of(pairs: impl Iterator<Item = (f64, f64)>) -> Option<LivePaired> {
        let pairs: Vec<(f64, f64)> = pairs.collect();
        let n = pairs.len();
        if n == 0 {
            return None;
        }
        let mean = |f: fn(&(f64, f64)) -> f64| pairs.iter().map(f).sum::<f64>() / n as f64;
        let (live, control) = (mean(|p| p.0), mean(|p| p.1));
        let d: Vec<f64> = pairs.iter().map(|p| p.0 - p.1).collect();
        let half = stats::serial_mean_interval(&d).and_then(|s| s.1);
        Some(LivePaired { live, control, windows: n, half })
    }
}

/// The live run against its control (the same scenario and seed without
/// the live changes) over the metrics windows complete in both that end
/// after a moment: the window the change took effect in, and every one
/// since.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LiveComparison {
    /// Windows complete in both runs since the moment.
    pub windows: usize,
    /// Success of subscriptions (customers' buys), over the windows where both runs have one.
    pub sub: Option<LivePaired>,
    /// Success of sales, over the windows where both runs have one.
    pub sale: Option<LivePaired>,
    /// Lots traded per window.
    pub lots: Option<LivePaired>,
}

/// The windows of `p` that are complete in `view`.
pub fn complete<'a>(view: &LiveView, p: &'a ProductNow) -> &'a [WindowPoint] {
    &p.windows[..p.windows.len() - usize::from(view.in_session && !p.windows.is_empty())]
}

/// Product `product` of `live` against the same product of `control`
/// since `since` (seconds since the start).
pub fn compare(live: &LiveView, control: &LiveView, product: usize, since: f64) -> LiveComparison {
    let (Some(a), Some(b)) = (live.products.get(product), control.products.get(product)) else {
        return LiveComparison::default();
    };
    let (a, b) = (complete(live, a), complete(control, b));
    let both: Vec<(&WindowPoint, &WindowPoint)> = a.iter().zip(b).filter(|(x, _)| x.t_end > since).collect();
    let pairs = |f: fn(&WindowPoint) -> Option<f64>| both.iter().filter_map(move |(x, y)| f(x).zip(f(y)));
    LiveComparison {
        windows: both.len(),
        sub: LivePaired::of(pairs(|w| w.sub_success)),
        sale: LivePaired::of(pairs(|w| w.sale_success)),
        lots: LivePaired::of(pairs(|w| Some(w.volume as f64))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::live::tests::herding;

    fn bundled(name: &str) -> Scenario {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(name);
        crate::scenario::load(&path, &Registry::builtin()).unwrap()
    }

    fn acts(s: &Scenario) -> [bool; 3] {
        Knob::ALL.map(|k| reach(s, k).acts)
    }

    #[test]
    fn a_knob_acts_only_where_some_customer_reads_its_parameter() {
        // herding.toml: market makers, herding and zero-intelligence customers;
        // none of them reads the loan rate.
        let h = bundled("herding.toml");
        assert_eq!(acts(&h), [false, true, false]);
        assert!(reach(&h, Knob::Herding).what.contains("3000 herding customers"));
        assert!(reach(&h, Knob::LoanRate).what.contains("no customer here reads the loan rate"));
        // rational.toml: the loan rate is the rational customers' funding cost.
        let r = bundled("rational.toml");
        assert_eq!(acts(&r), [true, false, false]);
        assert_eq!(reach(&r, Knob::LoanRate).what, "moves the funding cost of 3000 rational customers");
        // The baseline has every family.
        assert_eq!(acts(&bundled("baseline.toml")), [true, true, true]);
        let b = bundled("burst.toml");
        assert_eq!(acts(&b), [true, false, true], "macro-driven customers with a loan sensitivity");
        assert!(reach(&b, Knob::LoanRate).what.contains("the buying of 1000 macro-driven customers"));
        // Without a loan sensitivity they do not read the loan rate; an
        // alias names the same family.
        let mut m = b.clone();
        for g in m.agents.iter_mut().filter(|g| g.family == "macro") {
            g.params.insert("loan_sensitivity".into(), toml::Value::Float(0.0));
            g.family = "macro_driven".into();
        }
        assert_eq!(acts(&m), [false, false, true]);
        // Nobody in a group reads nothing; planted abusers decide by their abuse.
        let mut e = h.clone();
        for g in e.agents.iter_mut().filter(|g| g.family == "herding") {
            g.count = 0;
        }
        assert_eq!(acts(&e), [false, false, false]);
        let mut planted = h.clone();
        for g in planted.agents.iter_mut().filter(|g| g.family == "herding") {
            g.abuse = Some(crate::scenario::Abuse::Wash);
        }
        assert!(!reach(&planted, Knob::Herding).acts);
    }

    /// The scenario's own events are marked once they take effect, as the
    /// lesson of rate_hike.toml (a 150 bp hike at 10:00 on day 3) was only
    /// a step in the loan-rate strip; they are not live changes.
    #[test]
    fn a_scripted_event_is_marked_once_it_takes_effect() {
        let s = bundled("rate_hike.toml");
        let hike = s.events[0].at;
        let cal = crate::calendar::Calendar::new(&s.simulation);
        let mut live = LiveRun::new(&s, None).unwrap();
        live.sim_mut().advance_to(cal.at(hike) - 60_000_000_000);
        assert!(live.view(1).scripted.is_empty(), "not before it takes effect");
        live.sim_mut().advance_to(cal.at(hike) + 60_000_000_000);
        let view = live.view(1);
        let labels: Vec<&str> = view.scripted.iter().map(|m| m.label.as_str()).collect();
        assert_eq!(labels, ["scripted loan rate +150 bp"]);
        assert!((view.scripted[0].t - cal.at(hike) as f64 / 1e9).abs() < 1e-9);
        assert!(view.markers.is_empty(), "not a live change");
        assert_eq!(view.chart_markers().len(), 1);
    }

    #[test]
    fn scripted_events_are_labelled_as_people_say_them() {
        let event = |text: &str| -> ScriptedEvent { toml::from_str(text).unwrap() };
        let e = event("at = \"day 1 10:00\"\ntarget = \"herding\"\nvalue = 2.0");
        assert_eq!(scripted_label(&e), "scripted herding rate = 2.0/h");
        let e = event("at = \"day 1 10:00\"\ntarget = \"min_credit_score\"\nchange = 40.0");
        assert_eq!(scripted_label(&e), "scripted min credit score +40");
        let e = event("at = \"day 1 10:00\"\ntarget = \"loan_rate\"\nchange = -0.005");
        assert_eq!(scripted_label(&e), "scripted loan rate -50 bp");
    }

    #[test]
    fn a_change_is_marked_with_its_knob_and_amount() {
        let s = herding();
        let mut live = LiveRun::new(&s, None).unwrap();
        live.sim_mut().advance_to(s.simulation.open.0 + 3_600_000_000_000);
        assert!(live.change(Knob::LoanRate, 2.0).is_err(), "nobody in herding.toml reads the loan rate");
        assert!(live.change(Knob::Herding, -4.0).is_ok());
        assert!(live.change(Knob::MacroActiveShare, 1.0).is_err(), "herding.toml has no macro group");
        // Presses within one window make one marker, with their sum.
        assert!(live.change(Knob::Herding, 1.0).is_ok());
        let first = live.markers()[0].t;
        let labels = |live: &LiveRun| live.view(3).markers.iter().map(|m| m.label.clone()).collect::<Vec<_>>();
        assert_eq!(labels(&live), ["herding rate -1.5/h"]);
        assert_eq!(live.changes().count(), 2, "two changes all the same");
        assert_eq!(live.markers()[0].t, first, "marked where the first press took effect");
        // In a later window, a new marker with the total so far.
        let now = live.sim().now();
        live.sim_mut().advance_to(now + 600_000_000_000);
        assert!(live.change(Knob::Herding, -1.0).is_ok());
        assert!(live.change(Knob::Herding, -1.0).is_ok());
        assert_eq!(labels(&live), ["herding rate -1.5/h", "herding rate -1.0/h (total -2.5/h)"]);
        let times: Vec<f64> = live.changes().map(|(t, _)| t).collect();
        assert_eq!(times.len(), 4);
        assert!(times[0] == first && times[2] > first && times[3] == times[2], "{times:?}");
        let v = live.view(3);
        assert_eq!(v.knobs.iter().map(|k| k.value.is_some()).collect::<Vec<_>>(), [false, true, false]);
        assert_eq!(v.knobs[1].value, Some(6.0 - 2.5), "the last two show before they take effect at the next second");
        // The loan rate in basis points, the active share in points.
        assert_eq!(Knob::LoanRate.amount(6.0), "+150 bp");
        assert_eq!(Knob::MacroActiveShare.amount(-3.0), "-30 pp");
    }

    #[test]
    fn a_view_shows_the_book_and_the_windows_so_far() {
        let s = herding();
        let mut live = LiveRun::new(&s, None).unwrap();
        live.sim_mut().advance_to(s.simulation.open.0 + 2 * s.simulation.window.0 + 1);
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
