//! The discrete-event kernel: the simulation clock, the event queue, the run
//! loop, and the glue between agents, the platform and the books.
//!
//! Conservative parallel simulation with lookahead (see ARCHITECTURE.md):
//! every order takes at least `min_latency` to reach the platform, so all
//! agents that wake in [t, t + min_latency) decide on the same snapshot of the
//! market at t, in parallel, without any of their orders being able to affect
//! another's decision. Their actions are then scheduled one at a time in
//! (arrival time, agent id) order. Decisions read only the snapshot, the
//! accounts and the agent's own state and random stream, so the results do
//! not depend on the number of threads.

mod arrivals;
pub mod control;
mod entry;
mod env;
pub mod footprint;
pub mod live;
mod lookahead;
pub mod memory;
mod observer;
pub mod order_path;
mod outcome;
mod primary;
mod queue;
pub mod record;
mod sales;
mod scoring;
mod snapshot;
mod warm;
mod window;

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::agents::{
    self, Action, GroupSetup, Hawkes, Latency, MarketStats, OrderRequest, Population, ProductView, Products, Registry,
    Snapshot,
};
use crate::book::{DoneReason, OrderId, Side};
use crate::calendar::{Calendar, Divisor};
use crate::credit::Features;
use crate::metrics::Metrics;
use crate::metrics::risk::Customer;
use crate::metrics::stylized::PriceGrid;
use crate::platform::Accounts;
use crate::product::{self, ProductSpec};
use crate::random::{self, GROUP_STREAMS, MACRO_STREAM, SALE_STREAMS, Streams};
use crate::scenario::{Abuse, ArrivalProcess, MAX_BUDGET, MAX_INITIAL_LOTS, Scenario};
use crate::units::ProductIndex;
use arrivals::{Feed, SaleFeed};
use env::Environment;
use observer::Observer;
use order_path::{At, OrderPath};
use queue::{EventKind, EventQueue};
use record::{Op, OpRecord, Recorder};

pub use entry::{RunError, run, run_with, run_with_stop};
pub use outcome::{CashError, Outcome};

/// Most threads a run decides with, and most runs a sweep does at once
/// (`--threads`, `--jobs`, and the Python package's `threads` and `jobs`).
pub const MAX_THREADS: u16 = 1024;

/// How to run a scenario beyond what the scenario says: a seed to replace
/// its own, and the threads to decide with (which never change the results).
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// Overrides the scenario's seed.
    pub seed: Option<u64>,
    /// Worker threads for agent decisions (1 = no thread pool).
    pub threads: usize,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions { seed: None, threads: 1 }
    }
}

/// Counts of what a run did, for the manifest and the human summary.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct RunStats {
    /// Queue events handled plus agent wake-ups.
    pub events: u64,
    /// Agent wake-ups (decisions taken).
    pub wakeups: u64,
    /// Orders that reached the platform, the platform's own included.
    pub orders: u64,
    /// Cancel requests that reached the platform, found or not.
    pub cancels: u64,
    /// Changes of resting orders that reached the platform, taken, refused
    /// or too late.
    pub replaces: u64,
    /// Executions (each fill between two orders counts once).
    pub trades: u64,
    /// Decision batches: groups of wake-ups within one lookahead that
    /// decide on the same market snapshot.
    pub batches: u64,
    /// Wake-ups in the largest batch, a bound on the parallelism available.
    pub largest_batch: usize,
    /// Wake-ups on the longer side of each batch: all of a batch decided
    /// on one thread, the larger half of one spread over threads. Against
    /// `wakeups`, the most two threads can gain on the decisions.
    #[serde(skip)]
    pub critical_wakeups: u64,
    /// Real (wall-clock) time the run took, for rates in the summary; not
    /// serialized with the counts (the manifest gives it as `wall_seconds`).
    #[serde(skip)]
    pub wall: Duration,
    /// The run's estimated peak memory in bytes, made with the registry it
    /// ran with ([`footprint::estimate`]), so a user's behaviour counts at
    /// its own state's size; the manifest gives it as
    /// `memory.estimated_peak_bytes`.
    #[serde(skip)]
    pub estimated_peak_bytes: u64,
}

/// Where a run stands between calls of [`Engine::advance_to`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Business day `n` has not started yet.
    Before(u32),
    In(u32),
    Finished,
}

/// What [`Engine::step`] did.
enum Step {
    Done,
    /// The next thing happens at or after the time asked for.
    NotBefore,
    /// Nothing is left before the close.
    DayOver,
}

/// The group of member `id`, given each group's first member id: a scan,
/// since a scenario has a handful of groups and this runs on every order.
#[inline(always)]
fn group_of(starts: &[u32], id: u32) -> usize {
    let mut g = 0;
    while g + 1 < starts.len() && starts[g + 1] <= id {
        g += 1;
    }
    g
}

/// The engine's parts the order path's news changes, borrowed field by
/// field so the path and the specs stay usable beside them.
macro_rules! observer {
    ($e:ident) => {
        Observer {
            cal: &$e.cal,
            day: $e.clock.day,
            metrics: &mut $e.metrics,
            rec: &mut *$e.rec,
            log_ops: $e.log_ops,
            stats: &mut $e.stats,
            groups: &mut $e.roster.groups,
            group_starts: &$e.roster.starts,
            watch: &mut $e.watch,
        }
    };
}

/// Stream numbers of a group's own draws: its arrivals and its group-level
/// dynamics (a herding crowd).
fn arrival_stream(group: usize) -> u64 {
    GROUP_STREAMS + 2 * group as u64
}
fn dynamics_stream(group: usize) -> u64 {
    GROUP_STREAMS + 2 * group as u64 + 1
}

struct Engine<'a> {
    seed: u64,
    cal: Calendar,
    specs: Vec<ProductSpec>,
    /// The platform's checks, the books and settlement.
    path: OrderPath,
    /// The customers' groups and their wake-ups.
    roster: Roster,
    /// Where the run stands in simulated time, and what falls due next today.
    clock: Clock,
    queue: EventQueue,
    min_latency: Divisor,
    metrics: Metrics,
    rec: &'a mut dyn Recorder,
    log_ops: bool,
    parallel: bool,
    env: Environment,
    /// The end-of-day credit pass.
    scoring: scoring::Scoring,
    /// Buffer: customers with a failed sale at this close.
    failed_sales: Vec<u32>,
    /// Per product, the issuer's paced quotas today.
    primary: Vec<primary::Pacing>,
    snapshot: Snapshot,
    /// The environment or the day may have changed since the snapshot last showed them.
    env_stale: bool,
    /// A book, or what the products' views show of the environment, may have changed.
    views_stale: bool,
    cash_start: i128,
    stats: RunStats,
    /// A lookahead batch's buffers, reused.
    scratch: BatchScratch,
    /// A pool thread kept awake between spread batches.
    warm: warm::Warm,
    /// The customer a caller controls, if any ([`live::LiveSim::control`]).
    watch: control::Watch,
    /// Set by a front end to stop the run early ([`run_with_stop`]).
    stop: Option<&'a AtomicBool>,
}

/// The customers: their groups, who is in which, and when each wakes next.
struct Roster {
    /// Per `[[agents]]` group, its members and their behaviour.
    groups: Vec<Box<dyn Population>>,
    /// Per group, its first member's id; members are consecutive.
    starts: Vec<u32>,
    /// Per group, the family the risk report compares its members with
    /// (the registry's name for the group's `family`) and the abuse it was
    /// planted with, if any.
    labels: Vec<(&'static str, Option<Abuse>)>,
    /// The groups with dynamics of their own (a herding crowd).
    dynamic: Vec<usize>,
    /// Every customer: the platform's account 0 is not one.
    n_customers: u32,
    /// Per group, its wake-ups.
    feeds: Vec<Feed>,
    /// Per group with a `sale_excitation`: the group and its sale wake-ups.
    sales: Vec<(usize, SaleFeed)>,
    /// The earliest of the feeds' and the sale feeds' next wake-ups.
    next_wake_at: i64,
    /// The first group whose behaviour sent an action no platform could
    /// take (see `Engine::unfit`), and what it was: the run stops at the
    /// next boundary, as for a group that halted.
    unfit: Option<(usize, String)>,
}

/// Where the run stands in simulated time, and today's next scheduled work.
struct Clock {
    day: u32,
    phase: Phase,
    /// The simulated time reached (the last thing done, or the day's open or close).
    now: i64,
    /// Start of the next metrics window within the day (`i64::MAX` after the last).
    next_window: i64,
    window: usize,
    /// The next point of the stylized-facts price grid; after the last one
    /// today it lies past the close, which `step` never reaches.
    next_grid: i64,
    /// The earliest next instalment of the primary market (`i64::MAX` when none).
    next_release: i64,
}

/// A lookahead batch's buffers: nothing on the order path allocates once
/// these are warm.
struct BatchScratch {
    /// The batch's wake-ups (time, id).
    wakes: Vec<(i64, u32)>,
    /// The batch's sale wake-ups (time, id).
    urges: Vec<(i64, u32)>,
    /// The groups in the batch, each with its part of it (a range of `wakes`).
    runs: Vec<(usize, std::ops::Range<usize>)>,
    /// The batch's messages (arrival time, agent, action), before they are queued.
    pending: Vec<(i64, u32, Action)>,
}

impl<'a> Engine<'a> {
    fn new(
        s: &Scenario,
        opts: &RunOptions,
        registry: &Registry,
        rec: &'a mut dyn Recorder,
        parallel: bool,
    ) -> Result<Engine<'a>, RunError> {
        // A library user may hand over a scenario built in code: the
        // processes below rely on the scenario's rules, so check them first.
        crate::scenario::check(s, registry).map_err(RunError::Invalid)?;
        let seed = opts.seed.unwrap_or(s.simulation.seed);
        let cal = Calendar::new(&s.simulation);
        let specs: Vec<ProductSpec> = s.products.iter().map(|p| ProductSpec::new(p, &cal)).collect();
        let n_customers: usize = s.agents.iter().map(|g| g.count as usize).sum();
        let n_accounts = n_customers + 1;
        let min_latency = s.simulation.min_latency.0;
        let latency = Latency::new(min_latency, s.simulation.latency_jitter.0);

        let mut accounts = Accounts::new(n_accounts, &specs);
        let streams = Streams::new(seed);
        let mut features = Features::new(n_accounts);
        let mut initial_scores = vec![0f32; n_accounts];
        let mut setup = random::setup_stream(seed);
        let mut initial = vec![0u32; specs.len()];
        let mut groups = Vec::with_capacity(s.agents.len());
        let mut group_starts = Vec::with_capacity(s.agents.len());
        let mut group_labels = Vec::with_capacity(s.agents.len());
        let mut feeds = Vec::with_capacity(s.agents.len());
        let mut sales = Vec::new();
        let mut next_id = 1u32;
        for (gi, g) in s.agents.iter().enumerate() {
            let first_agent = next_id;
            let products = Products(match &g.products {
                Some(list) => {
                    list.iter().filter_map(|id| specs.iter().position(|p| &p.id == id)).map(|i| i as u16).collect()
                }
                None => (0..specs.len() as u16).collect(),
            });
            for _ in 0..g.count {
                let id = next_id;
                next_id += 1;
                let cash = (agents::draw(&g.budget, &mut setup, 0.0, MAX_BUDGET) * product::MICROS).round() as i64;
                let score = agents::draw(&g.credit_score, &mut setup, 0.0, 1000.0) as f32;
                for (p, lots) in initial.iter_mut().enumerate() {
                    *lots = if products.0.contains(&(p as u16)) {
                        agents::draw(&g.initial_lots, &mut setup, 0.0, MAX_INITIAL_LOTS).round() as u32
                    } else {
                        0
                    };
                }
                features.income_band[id as usize] = agents::draw(&g.income_band, &mut setup, 1.0, 5.0).round() as u8;
                features.joined_day[id as usize] =
                    -(agents::draw(&g.tenure_days, &mut setup, 0.0, 36_500.0).round() as i32);
                initial_scores[id as usize] = score;
                accounts.open_account(id, cash, score, &initial);
            }
            let count = g.count as u32;
            let group_setup =
                GroupSetup { index: gi, members: count, products, rng: streams.stream(dynamics_stream(gi)) };
            let members = registry
                .build(g.behaviour(), &g.params, group_setup, first_agent, &streams, latency)
                .map_err(|invalid| RunError::Group { group: gi, invalid })?;
            group_labels.push((registry.get(&g.family).map_or(members.family(), |f| f.name), g.abuse));
            groups.push(members);
            group_starts.push(first_agent);
            if let Some(x) = g.sale_excitation {
                let stream = streams.stream(SALE_STREAMS + gi as u64);
                sales.push((gi, SaleFeed::new(x.alpha, x.beta, first_agent, count, stream)));
            }
            let rng = streams.stream(arrival_stream(gi));
            let a = &g.arrival;
            feeds.push(match a.process {
                // Validated: rates above 0; the fallbacks are never used.
                ArrivalProcess::Poisson => Feed::poisson(a.rate.unwrap_or(1.0) / 3.6e12, first_agent, count, rng),
                ArrivalProcess::Hawkes => {
                    let hawkes = Hawkes::new(
                        a.mu.unwrap_or(1.0) * g.count as f64 / 3600.0,
                        a.alpha.unwrap_or(0.0),
                        a.beta.unwrap_or(1.0),
                    );
                    Feed::hawkes(hawkes, first_agent, count, rng)
                }
            });
        }
        let scoring = scoring::Scoring::new(&s.credit, features, &initial_scores);
        let n_windows = cal.n_windows();
        let n_products = specs.len();
        let env = Environment::new(s, &cal, streams.stream(MACRO_STREAM));
        let cash_start = accounts.total_cash();
        let mut metrics = Metrics::new(
            n_windows,
            n_products,
            PriceGrid::new(
                s.metrics.return_step.0,
                s.simulation.close.0 - s.simulation.open.0,
                s.simulation.days as usize,
                n_products,
            ),
            s.metrics.clone(),
        );
        metrics.track_customers(n_accounts);
        let dynamic_groups = (0..groups.len()).filter(|&g| groups[g].has_dynamics()).collect();
        for (g, group) in groups.iter().enumerate() {
            if group.is_dealer() {
                accounts.add_dealers(group_starts[g]..group_starts[g] + s.agents[g].count as u32);
            }
        }
        Ok(Engine {
            seed,
            metrics,
            primary: vec![primary::Pacing::default(); n_products],
            snapshot: Snapshot {
                products: vec![ProductView::default(); n_products],
                markets: vec![MarketStats { sale_success: 1.0, ..MarketStats::default() }; n_products],
                windows_per_day: f64::from(cal.windows_per_day()),
                session_left: 1.0,
                ..Snapshot::default()
            },
            cal,
            path: OrderPath::new(accounts, &specs),
            specs,
            roster: Roster {
                groups,
                starts: group_starts,
                labels: group_labels,
                dynamic: dynamic_groups,
                n_customers: n_customers as u32,
                feeds,
                sales,
                next_wake_at: i64::MAX,
                unfit: None,
            },
            clock: Clock {
                day: 0,
                phase: Phase::Before(0),
                now: 0,
                next_window: i64::MAX,
                window: 0,
                next_grid: i64::MAX,
                next_release: i64::MAX,
            },
            queue: EventQueue::with_capacity(1 << 16),
            min_latency: Divisor::new(min_latency.max(1)),
            log_ops: rec.wants_ops(),
            rec,
            parallel,
            env,
            scoring,
            failed_sales: Vec::new(),
            env_stale: true,
            views_stale: true,
            cash_start,
            stats: RunStats { estimated_peak_bytes: footprint::estimate(s, registry).memory(), ..RunStats::default() },
            scratch: BatchScratch {
                wakes: Vec::with_capacity(1024),
                urges: Vec::new(),
                runs: Vec::with_capacity(s.agents.len()),
                pending: Vec::with_capacity(1024),
            },
            warm: warm::Warm::default(),
            watch: control::Watch::default(),
            stop: None,
        })
    }

    fn run(mut self) -> Result<Outcome, RunError> {
        let started = Instant::now();
        self.advance_to(i64::MAX);
        if let Some(e) = self.stopped() {
            return Err(e);
        }
        self.stats.wall = started.elapsed();
        Ok(self.finish())
    }

    /// Why the run must stop early: a group that can decide no more or sent
    /// an action no platform could take, or the front end's stop flag.
    fn stopped(&self) -> Option<RunError> {
        let halted = self.roster.unfit.clone().or_else(|| {
            self.roster.groups.iter().enumerate().find_map(|(group, g)| g.halted().map(|reason| (group, reason)))
        });
        if let Some((group, reason)) = halted {
            return Some(RunError::Halted { group, reason });
        }
        self.stop.is_some_and(|s| s.load(Ordering::Relaxed)).then_some(RunError::Stopped)
    }

    /// The run's results, once it is over.
    fn finish(self) -> Outcome {
        let customers = (1..=self.roster.n_customers)
            .map(|id| {
                let (a, rare, group) =
                    (self.path.accounts().account(id), self.path.accounts().rare(id), self.group_of(id));
                let (family, planted) = self.roster.labels[group];
                Customer {
                    id,
                    group: group as u16,
                    family,
                    planted,
                    orders: a.orders,
                    cancels: a.cancels,
                    rejections: a.unbacked,
                    fleeting: rare.fleeting,
                    failed_sales: rare.failed_sales,
                    self_trades: a.self_trades,
                    next_day_resales: a.next_day_resales,
                    sale_fills: a.sale_fills,
                }
            })
            .collect();
        Outcome {
            customers,
            seed: self.seed,
            cash_start: self.cash_start,
            cash_end: self.path.accounts().total_cash(),
            accounts_sound: self.path.accounts().all_non_negative() && self.path.accounts().nothing_reserved(),
            holdings_overflow: self.path.accounts().holdings_overflowed(),
            calendar: self.cal,
            products: self.specs,
            metrics: self.metrics,
            stats: self.stats,
            credit_fit: self.scoring.into_fit_rows(),
            params_in_effect: Vec::new(),
        }
    }

    /// Runs everything that happens before simulated time `until` (all of
    /// the run for `i64::MAX`); the run can be continued from there.
    fn advance_to(&mut self, until: i64) {
        loop {
            match self.clock.phase {
                Phase::Finished => return,
                Phase::Before(day) => {
                    if day as usize >= self.cal.days().len() {
                        self.clock.phase = Phase::Finished;
                        return;
                    }
                    if self.cal.day(day).open >= until {
                        return;
                    }
                    self.begin_day(day);
                    self.clock.phase = Phase::In(day);
                }
                Phase::In(day) => match self.step(until) {
                    Step::Done => {}
                    Step::NotBefore => return,
                    Step::DayOver => {
                        let close = self.cal.day(day).close;
                        if close >= until {
                            return;
                        }
                        self.close_session(close);
                        self.clock.phase = Phase::Before(day + 1);
                    }
                },
            }
        }
    }

    /// The simulated time the run has reached.
    fn now(&self) -> i64 {
        self.clock.now
    }

    #[inline(never)]
    fn begin_day(&mut self, day: u32) {
        self.clock.day = day;
        self.env_stale = true;
        let (open, close) = (self.cal.day(day).open, self.cal.day(day).close);
        self.clock.now = open;
        self.clock.window = self.cal.window_of(day, open);
        self.start_window(open);
        self.clock.next_window = self.window_start(self.clock.window + 1, close);
        self.clock.next_grid = open + self.metrics.grid.step();
        self.open_primary(open);
        for group in &mut self.roster.groups {
            group.open_day(open);
        }
        for feed in &mut self.roster.feeds {
            feed.open(open);
        }
        for (_, sale) in &mut self.roster.sales {
            sale.open(open);
        }
        self.roster.next_wake_at = self.roster.feeds.iter().map(Feed::next_time).min().unwrap_or(i64::MAX);
    }

    /// Does the next thing of the day (a boundary, an event or a batch of
    /// wake-ups) if it happens before `until`.
    fn step(&mut self, until: i64) -> Step {
        let close = self.cal.day(self.clock.day).close;
        let event_at = self.queue.peek_time().filter(|&t| t < close);
        let wake_at = Some(self.roster.next_wake_at).filter(|&t| t < close);
        let next = match (event_at, wake_at) {
            (Some(e), Some(w)) => Some(e.min(w)),
            (e, w) => e.or(w),
        };
        let boundary = self
            .clock
            .next_window
            .min(self.clock.next_grid)
            .min(self.clock.next_release)
            .min(self.env.next_scripted().filter(|&t| t < close).unwrap_or(i64::MAX));
        if boundary < close && next.is_none_or(|t| boundary <= t) {
            if boundary >= until {
                return Step::NotBefore;
            }
            self.clock.now = self.clock.now.max(boundary);
            self.on_boundary(boundary, close);
            return Step::Done;
        }
        let Some(t) = next else { return Step::DayOver };
        if t >= until {
            return Step::NotBefore;
        }
        self.clock.now = self.clock.now.max(t);
        match (event_at, wake_at) {
            (Some(e), w) if w.is_none_or(|w| e <= w) => {
                // Events run back to back until whatever would come next
                // instead: nothing they do moves a wake-up or a boundary.
                let before = until.min(close).min(if boundary < close { boundary } else { i64::MAX });
                loop {
                    self.handle_next_event();
                    // A sale application may have brought a sale wake-up forward.
                    match self.queue.peek_time() {
                        Some(e) if e < before && e <= self.roster.next_wake_at => {
                            self.clock.now = self.clock.now.max(e)
                        }
                        _ => break,
                    }
                }
            }
            (_, Some(w)) => self.decide_batch(close, w),
            (_, None) => {}
        }
        Step::Done
    }

    /// Start of global window `w` if it belongs to today, else `i64::MAX`.
    fn window_start(&self, w: usize, close: i64) -> i64 {
        if w >= self.metrics.n_windows() {
            return i64::MAX;
        }
        let (day, start, _) = self.cal.window_bounds(w);
        if day == self.clock.day && start < close { start } else { i64::MAX }
    }

    /// A window starts, the primary market's next instalment or a scripted
    /// change falls due, or the price grid has a point at `t` (in that order
    /// at one time: the grid and the window's end see the book as trading
    /// left it).
    #[inline(never)]
    fn on_boundary(&mut self, t: i64, close: i64) {
        if self.stopped().is_some() {
            self.clock.phase = Phase::Finished;
            return;
        }
        if t >= self.clock.next_grid {
            self.sample_grid();
            return;
        }
        if t >= self.clock.next_window {
            self.end_window(t);
            self.clock.window += 1;
            self.start_window(t);
            self.clock.next_window = self.window_start(self.clock.window + 1, close);
        } else if t >= self.clock.next_release {
            self.release_primary(t);
        } else {
            // A change within a window shows in the metrics from the next window on.
            self.env.advance_to(t, &mut self.specs, &mut self.roster.groups, &mut self.roster.sales);
            self.env_stale = true;
            self.sales_moved();
        }
    }

    /// Steps every group's own dynamics (a herding crowd) to `t`.
    fn advance_groups(&mut self, t: i64) {
        for &g in &self.roster.dynamic {
            self.roster.groups[g].advance(t, &self.snapshot);
        }
    }

    /// The group member `id` belongs to.
    #[inline]
    fn group_of(&self, id: u32) -> usize {
        group_of(&self.roster.starts, id)
    }

    fn handle_next_event(&mut self) {
        if let Some(ev) = self.queue.pop() {
            self.handle(ev);
        }
    }

    #[inline]
    fn handle(&mut self, ev: queue::Event) {
        self.stats.events += 1;
        match ev.kind {
            EventKind::Order { agent, request } => {
                self.on_order(ev.time, agent, request);
            }
            EventKind::Cancel { agent, product, order } => self.on_cancel(ev.time, agent, product, order),
            EventKind::Replace { agent, product, order, price, qty } => {
                self.on_replace(ev.time, agent, product, order, price, qty)
            }
            EventKind::Expire { product, order } => self.remove(ev.time, product as usize, order, DoneReason::Expired),
        }
    }

    /// Order `order` of product `p` leaves the book at `t` for `reason`.
    fn remove(&mut self, t: i64, p: usize, order: OrderId, reason: DoneReason) {
        let day = self.clock.day;
        self.path.remove(At { t, day }, &self.specs[p], p, order, reason, &mut observer!(self));
        self.views_stale = true;
    }

    /// Order `r` of `agent` reaches the platform at `t`; the id it rests
    /// under in the book, if it does.
    fn on_order(&mut self, t: i64, agent: u32, r: OrderRequest) -> Option<OrderId> {
        if r.side == Side::Sell && !self.roster.sales.is_empty() {
            self.excite_sales(t, agent);
        }
        let close = self.cal.day(self.clock.day).close;
        let (day, p) = (self.clock.day, r.product as usize);
        if p >= self.specs.len() {
            self.unfit(agent, r.product, None);
            return None;
        }
        let Ok(rested) = self.path.submit(At { t, day }, close, agent, &r, &self.specs[p], &mut observer!(self)) else {
            // Refused before the book: nothing the snapshot shows changed.
            return None;
        };
        self.views_stale = true;
        if let Some(id) = rested {
            if r.ttl <= 0 {
                // Its expiry would fall before its arrival.
                self.unfit(agent, r.product, Some(r.ttl));
                return rested;
            }
            let expiry = t.saturating_add(r.ttl);
            if expiry < close {
                self.queue.push_expiry(r.ttl, expiry, r.product, id);
            }
        }
        rested
    }

    fn on_cancel(&mut self, t: i64, agent: u32, product: ProductIndex, order: OrderId) {
        let (day, p) = (self.clock.day, product as usize);
        if p >= self.specs.len() {
            return self.unfit(agent, product, None);
        }
        self.path.cancel(At { t, day }, agent, order, &self.specs[p], p, &mut observer!(self));
        self.views_stale = true;
    }

    /// A change of `agent`'s resting order `order` to `price` and `qty` lots
    /// left reaches the platform at `t`; the order keeps its time to live.
    fn on_replace(&mut self, t: i64, agent: u32, product: ProductIndex, order: OrderId, price: i64, qty: u32) {
        let close = self.cal.day(self.clock.day).close;
        let (day, p) = (self.clock.day, product as usize);
        if p >= self.specs.len() {
            return self.unfit(agent, product, None);
        }
        let at = At { t, day };
        let changed = self.path.replace(at, close, agent, order, (price, qty), &self.specs[p], p, &mut observer!(self));
        self.views_stale |= changed.is_ok();
    }

    /// The close: every resting order expires, late arrivals are refused,
    /// and holdings at their deadline are redeemed.
    #[inline(never)]
    fn close_session(&mut self, close: i64) {
        self.clock.now = close;
        while self.clock.next_grid <= close {
            self.sample_grid();
        }
        // The day's last window ends with the book as trading left it.
        self.end_window(close);
        for p in 0..self.specs.len() {
            let day = self.clock.day;
            self.path.clear(At { t: close, day }, &self.specs[p], p, &mut observer!(self));
            self.views_stale = true;
        }
        while let Some(ev) = self.queue.pop() {
            if let EventKind::Expire { .. } = ev.kind {
                // The books were just cleared: nothing is left to expire.
                self.stats.events += 1;
            } else {
                self.handle(ev);
            }
        }
        let day = self.clock.day;
        let w = self.cal.window_of(day, close);
        for p in 0..self.specs.len() {
            let redemptions = std::mem::take(&mut self.specs[p].redemptions[day as usize]);
            for &r in &redemptions {
                let per_lot = if r.failed {
                    self.specs[p].redeem_penalised[day as usize]
                } else {
                    self.specs[p].redeem_at_nav[day as usize]
                };
                let (metrics, rec, log_ops) = (&mut self.metrics, &mut *self.rec, self.log_ops);
                let mut failed_sales = std::mem::take(&mut self.failed_sales);
                self.path.accounts_mut().redeem(p, r, per_lot, |agent, lots| {
                    metrics.redeemed(w, p, lots, r.failed);
                    if r.failed {
                        failed_sales.push(agent);
                    }
                    if log_ops {
                        rec.op(&OpRecord {
                            time: close,
                            op: if r.failed { Op::RedeemedAtLimit } else { Op::Matured },
                            order: 0,
                            agent,
                            product: p as u16,
                            side: Some(Side::Sell),
                            kind: None,
                            all_or_none: false,
                            price: None,
                            lots,
                        });
                    }
                });
                for &agent in &failed_sales {
                    self.path.accounts_mut().rare_mut(agent).failed_sales += 1;
                }
                failed_sales.clear();
                self.failed_sales = failed_sales;
            }
            self.specs[p].redemptions[day as usize] = redemptions;
        }
        debug_assert!(self.path.accounts().all_non_negative(), "an account went negative on day {day}");
        // Tomorrow's scores from today's behaviour; tenure counts from tomorrow's date.
        let next = if (day as usize + 1) < self.cal.days().len() {
            self.cal.calendar_days_elapsed(day + 1)
        } else {
            self.cal.calendar_days_elapsed(day) + 1
        };
        self.scoring.close(day, next, self.path.accounts_mut(), self.specs.len());
    }
}
