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
mod env;
pub mod live;
mod queue;
pub mod record;

use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::agents::{
    self, Action, Context, Decision, GroupSetup, Hawkes, Latency, LiveOrder, MarketStats, OrderRequest, Population,
    ProductView, Products, Registry, Snapshot,
};
use crate::book::{Book, BookEvent, DoneReason, NewOrder, OrderId, OrderKind, Side};
use crate::calendar::{Calendar, Divisor};
use crate::credit::{Coefficients, Features, Scaling, Scorecard};
use crate::metrics::Metrics;
use crate::metrics::risk::Customer;
use crate::metrics::stylized::PriceGrid;
use crate::platform::{Accounts, PLATFORM, Reject, Reservation};
use crate::product::{self, ProductSpec};
use crate::random::{self, GROUP_STREAMS, MACRO_STREAM, Streams};
use crate::scenario::{ArrivalProcess, MAX_BUDGET, MAX_INITIAL_LOTS, Scenario};
use arrivals::Feed;
use env::Environment;
use queue::{EventKind, EventQueue};
use record::{Op, OpRecord, Recorder, TradeRecord};

pub use queue::Event;

/// Least expected work (nanoseconds of decisions) for which a batch is
/// spread over threads: below it, handing work to another thread and
/// waiting for it costs more than it saves. Built-in decisions cost well
/// under 100 ns, so their batches stay on the calling thread until they
/// hold hundreds of agents; a behaviour costing microseconds goes parallel
/// with a handful.
const PARALLEL_MIN_NS: f64 = 6_000.0;

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
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct RunStats {
    /// Queue events handled plus agent wake-ups.
    pub events: u64,
    pub wakeups: u64,
    pub orders: u64,
    pub cancels: u64,
    pub trades: u64,
    pub batches: u64,
    pub largest_batch: usize,
    #[serde(skip)]
    pub wall: Duration,
}

/// Everything a finished run hands to the outputs.
pub struct Outcome {
    pub seed: u64,
    pub calendar: Calendar,
    pub products: Vec<ProductSpec>,
    pub metrics: Metrics,
    pub stats: RunStats,
    /// Cash of all accounts together at the start and the end (must be equal).
    pub cash_start: i128,
    pub cash_end: i128,
    pub accounts_sound: bool,
    /// Every customer's behaviour counts, for the risk report.
    pub customers: Vec<Customer>,
}

/// Runs a validated scenario to the end with the built-in behaviours.
pub fn run(scenario: &Scenario, opts: &RunOptions, rec: &mut dyn Recorder) -> Result<Outcome, RunError> {
    run_with(scenario, opts, &Registry::builtin(), rec)
}

/// Runs a scenario validated against `registry` to the end, its groups'
/// behaviours taken from `registry`: the entry point for a library user's
/// own behaviours.
pub fn run_with(
    scenario: &Scenario,
    opts: &RunOptions,
    registry: &Registry,
    rec: &mut dyn Recorder,
) -> Result<Outcome, RunError> {
    let threads = opts.threads.max(1);
    if threads == 1 {
        return Ok(Engine::new(scenario, opts, registry, rec, false)?.run());
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| RunError::Threads { threads, source: e })?;
    pool.install(|| Ok(Engine::new(scenario, opts, registry, rec, true)?.run()))
}

/// Why a run could not start.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The worker threads could not be started.
    #[error("cannot start {threads} worker threads: {source}")]
    Threads {
        /// How many were asked for.
        threads: usize,
        /// The pool's error.
        source: rayon::ThreadPoolBuildError,
    },
    /// A group's family or parameters do not fit the registry the run uses
    /// (a scenario validated against another registry).
    #[error("agents[{group}].{}: {} (accepted: {})", .invalid.field, .invalid.message, .invalid.accepted)]
    Group {
        /// The group's index.
        group: usize,
        /// What is wrong.
        invalid: crate::scenario::Invalid,
    },
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

/// Queues what one decision of agent `id` sends.
#[inline]
fn schedule(id: u32, d: &Decision, pending: &mut Vec<(i64, u32, EventKind)>) {
    for action in d.actions.iter() {
        let kind = match *action {
            Action::Submit(request) => EventKind::Order { agent: id, request },
            Action::Cancel { product, order } => EventKind::Cancel { agent: id, product, order },
        };
        pending.push((d.at, id, kind));
    }
}

/// The income band a scenario's drawn credit score describes.
const MIDDLE_INCOME_BAND: f64 = 3.0;

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
    books: Vec<Book>,
    last_price: Vec<Option<i64>>,
    accounts: Accounts,
    /// Per `[[agents]]` group, its members and their behaviour.
    groups: Vec<Box<dyn Population>>,
    /// Per group, its first member's id; members are consecutive.
    group_starts: Vec<u32>,
    /// Every customer: the platform's account 0 is not one.
    n_customers: u32,
    /// Per group, its wake-ups.
    feeds: Vec<Feed>,
    /// The earliest of the feeds' next wake-ups.
    next_wake_at: i64,
    queue: EventQueue,
    min_latency: Divisor,
    metrics: Metrics,
    rec: &'a mut dyn Recorder,
    log_ops: bool,
    parallel: bool,
    env: Environment,
    scorecard: Option<Scorecard>,
    /// The scorecard's inputs; the behaviour counts are copied in from the
    /// accounts at each close.
    features: Features,
    scores: Vec<f32>,
    /// Buffer: customers with a failed sale at this close.
    failed_sales: Vec<u32>,
    /// Per product, by pool slot: when the order resting there arrived.
    rested_at: Vec<Vec<i64>>,
    /// The next point of the stylized-facts price grid today.
    next_grid: i64,
    snapshot: Snapshot,
    /// The environment or the day may have changed since the snapshot last showed them.
    env_stale: bool,
    /// A book, or what the products' views show of the environment, may have changed.
    views_stale: bool,
    day: u32,
    phase: Phase,
    /// The simulated time reached (the last thing done, or the day's open or close).
    now: i64,
    cash_start: i128,
    /// Start of the next metrics window within the day (`i64::MAX` after the last).
    next_window: i64,
    window: usize,
    next_serial: u64,
    stats: RunStats,
    // Reused buffers: nothing on the order path allocates once these are warm.
    book_events: Vec<BookEvent>,
    batch: Vec<(i64, u32)>,
    /// Per group, its part of the batch (a range of `batch`).
    batch_runs: Vec<std::ops::Range<usize>>,
    pending: Vec<(i64, u32, EventKind)>,
}

/// The order being submitted, so its own Done and trades can find its reservation.
#[derive(Clone, Copy)]
struct Incoming {
    serial: u64,
    reservation: Reservation,
}

impl<'a> Engine<'a> {
    fn new(
        s: &Scenario,
        opts: &RunOptions,
        registry: &Registry,
        rec: &'a mut dyn Recorder,
        parallel: bool,
    ) -> Result<Engine<'a>, RunError> {
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
        let mut feeds = Vec::with_capacity(s.agents.len());
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
                .build(&g.family, &g.params, group_setup, first_agent, &streams, latency)
                .map_err(|invalid| RunError::Group { group: gi, invalid })?;
            groups.push(members);
            group_starts.push(first_agent);
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
        let c = &s.credit;
        let scorecard = c.update.then(|| {
            let d = Coefficients::default();
            Scorecard {
                scaling: Scaling { base_score: c.base_score, base_odds: c.base_odds, pdo: c.pdo },
                coef: Coefficients {
                    income_band: c.income_band.unwrap_or(d.income_band),
                    tenure: c.tenure.unwrap_or(d.tenure),
                    failed_sales: c.failed_sales.unwrap_or(d.failed_sales),
                    cancel_ratio: c.cancel_ratio.unwrap_or(d.cancel_ratio),
                    rejection_ratio: c.rejection_ratio.unwrap_or(d.rejection_ratio),
                },
            }
        });
        if let Some(card) = &scorecard {
            // A drawn score is that of a customer in the middle income band;
            // each band above or below moves it by the band's weight.
            card.calibrate(&mut features, &initial_scores, 0);
            for (intercept, &band) in features.intercept.iter_mut().zip(&features.income_band).skip(1) {
                *intercept += (card.coef.income_band * (f64::from(band) - MIDDLE_INCOME_BAND)) as f32;
            }
        }
        let n_windows = cal.n_windows();
        let books = specs.iter().map(|p| Book::new(p.n_ticks, 1 << 14)).collect();
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
        Ok(Engine {
            seed,
            metrics,
            rested_at: vec![Vec::new(); n_products],
            next_grid: i64::MAX,
            books,
            last_price: vec![None; n_products],
            snapshot: Snapshot {
                products: vec![ProductView::default(); n_products],
                markets: vec![MarketStats { sale_success: 1.0, ..MarketStats::default() }; n_products],
                windows_per_day: f64::from(cal.windows_per_day()),
                ..Snapshot::default()
            },
            cal,
            specs,
            accounts,
            groups,
            group_starts,
            n_customers: n_customers as u32,
            feeds,
            next_wake_at: i64::MAX,
            queue: EventQueue::with_capacity(1 << 16),
            min_latency: Divisor::new(min_latency.max(1)),
            log_ops: rec.wants_ops(),
            rec,
            parallel,
            env,
            scorecard,
            scores: vec![0.0; features.len()],
            features,
            failed_sales: Vec::new(),
            env_stale: true,
            views_stale: true,
            day: 0,
            phase: Phase::Before(0),
            now: 0,
            cash_start,
            next_window: i64::MAX,
            window: 0,
            next_serial: 1,
            stats: RunStats::default(),
            book_events: Vec::with_capacity(256),
            batch: Vec::with_capacity(1024),
            batch_runs: Vec::with_capacity(s.agents.len()),
            pending: Vec::with_capacity(1024),
        })
    }

    fn run(mut self) -> Outcome {
        let started = Instant::now();
        self.advance_to(i64::MAX);
        self.stats.wall = started.elapsed();
        self.finish()
    }

    /// The run's results, once it is over.
    fn finish(self) -> Outcome {
        let customers = (1..=self.n_customers)
            .map(|id| {
                let (a, group) = (self.accounts.account(id), self.group_of(id));
                Customer {
                    id,
                    group: group as u16,
                    family: self.groups[group].family(),
                    orders: a.orders,
                    cancels: a.cancels,
                    rejections: a.rejections,
                    failed_sales: a.failed_sales,
                    self_trades: a.self_trades,
                }
            })
            .collect();
        Outcome {
            customers,
            seed: self.seed,
            cash_start: self.cash_start,
            cash_end: self.accounts.total_cash(),
            accounts_sound: self.accounts.all_non_negative(),
            calendar: self.cal,
            products: self.specs,
            metrics: self.metrics,
            stats: self.stats,
        }
    }

    /// Runs everything that happens before simulated time `until` (all of
    /// the run for `i64::MAX`); the run can be continued from there.
    fn advance_to(&mut self, until: i64) {
        loop {
            match self.phase {
                Phase::Finished => return,
                Phase::Before(day) => {
                    if day as usize >= self.cal.days().len() {
                        self.phase = Phase::Finished;
                        return;
                    }
                    if self.cal.day(day).open >= until {
                        return;
                    }
                    self.begin_day(day);
                    self.phase = Phase::In(day);
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
                        self.phase = Phase::Before(day + 1);
                    }
                },
            }
        }
    }

    /// The simulated time the run has reached.
    fn now(&self) -> i64 {
        self.now
    }

    fn begin_day(&mut self, day: u32) {
        self.day = day;
        self.env_stale = true;
        let (open, close) = (self.cal.day(day).open, self.cal.day(day).close);
        self.now = open;
        self.window = self.cal.window_of(day, open);
        self.start_window(open);
        self.next_window = self.window_start(self.window + 1, close);
        self.next_grid = open + self.metrics.grid.step();
        self.post_primary_supply(open);
        for group in &mut self.groups {
            group.open_day(open);
        }
        for feed in &mut self.feeds {
            feed.open(open);
        }
        self.next_wake_at = self.feeds.iter().map(Feed::next_time).min().unwrap_or(i64::MAX);
    }

    /// Does the next thing of the day (a boundary, an event or a batch of
    /// wake-ups) if it happens before `until`.
    fn step(&mut self, until: i64) -> Step {
        let close = self.cal.day(self.day).close;
        let event_at = self.queue.peek_time().filter(|&t| t < close);
        let wake_at = Some(self.next_wake_at).filter(|&t| t < close);
        let next = match (event_at, wake_at) {
            (Some(e), Some(w)) => Some(e.min(w)),
            (e, w) => e.or(w),
        };
        let boundary = self
            .next_window
            .min(self.next_grid)
            .min(self.env.next_scripted().filter(|&t| t < close).unwrap_or(i64::MAX));
        if boundary < close && next.is_none_or(|t| boundary <= t) {
            if boundary >= until {
                return Step::NotBefore;
            }
            self.now = self.now.max(boundary);
            self.on_boundary(boundary, close);
            return Step::Done;
        }
        let Some(t) = next else { return Step::DayOver };
        if t >= until {
            return Step::NotBefore;
        }
        self.now = self.now.max(t);
        match (event_at, wake_at) {
            (Some(e), w) if w.is_none_or(|w| e <= w) => {
                // Events run back to back until whatever would come next
                // instead: nothing they do moves a wake-up or a boundary.
                let before = until.min(close).min(if boundary < close { boundary } else { i64::MAX });
                let wake = w.unwrap_or(i64::MAX);
                loop {
                    self.handle_next_event();
                    match self.queue.peek_time() {
                        Some(e) if e < before && e <= wake => self.now = self.now.max(e),
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
        if day == self.day && start < close { start } else { i64::MAX }
    }

    /// A window starts, a scripted change falls due, or the price grid has a point at `t`.
    fn on_boundary(&mut self, t: i64, close: i64) {
        if t >= self.next_grid {
            self.sample_grid();
            return;
        }
        if t >= self.next_window {
            self.end_window(t);
            self.window += 1;
            self.start_window(t);
            self.next_window = self.window_start(self.window + 1, close);
        } else {
            // A change within a window shows in the metrics from the next window on.
            self.env.advance_to(t, &mut self.specs, &mut self.groups);
            self.env_stale = true;
        }
    }

    /// Records every product's price at the grid point `next_grid` and moves to the next.
    fn sample_grid(&mut self) {
        self.refresh_views();
        let open = self.cal.day(self.day).open;
        let k = ((self.next_grid - open) / self.metrics.grid.step()) as usize;
        for (p, view) in self.snapshot.products.iter().enumerate() {
            self.metrics.grid.sample(self.day, k, p, view.reference_price());
        }
        self.next_grid += self.metrics.grid.step();
    }

    /// Steps the environment to the start of the current window and records it.
    fn start_window(&mut self, t: i64) {
        self.env.advance_to(t, &mut self.specs, &mut self.groups);
        self.env_stale = true;
        *self.metrics.env_mut(self.window) = self.env.window_env();
    }

    /// Steps every group's own dynamics (a herding crowd) to `t`.
    fn advance_groups(&mut self, t: i64) {
        for group in &mut self.groups {
            group.advance(t, &self.snapshot);
        }
    }

    /// The group member `id` belongs to.
    #[inline]
    fn group_of(&self, id: u32) -> usize {
        self.group_starts.partition_point(|&start| start <= id) - 1
    }

    /// Member `id`'s resting orders.
    #[inline]
    fn live_mut(&mut self, id: u32) -> &mut [LiveOrder; 2] {
        let g = self.group_of(id);
        self.groups[g].live_mut(id)
    }

    /// Closes the current window at `t`: the crowd's mood and the statistics agents read.
    fn end_window(&mut self, t: i64) {
        self.advance_groups(t);
        self.refresh_views();
        let (mut members, mut optimists) = (0u64, 0u64);
        for crowd in self.groups.iter().filter_map(|g| g.crowd()) {
            members += u64::from(crowd.members);
            optimists += u64::from(crowd.optimists);
        }
        self.metrics.env_mut(self.window).optimist_share = (members > 0).then(|| optimists as f64 / members as f64);
        for (p, view) in self.snapshot.products.iter().enumerate() {
            let row = self.metrics.window_mut(self.window, p);
            row.mid_x2 = view.best_bid.zip(view.best_ask).map(|(b, a)| b + a);
            row.nav_ticks = view.nav_ticks;
        }
        self.env.close_window(self.window, &self.snapshot.products, &mut self.snapshot.markets, &self.metrics);
    }

    fn post_primary_supply(&mut self, open: i64) {
        for p in 0..self.specs.len() {
            let lots = self.specs[p].primary_supply_lots;
            if lots == 0 {
                continue;
            }
            let request = OrderRequest {
                product: p as u16,
                side: Side::Sell,
                kind: OrderKind::Limit,
                price: self.specs[p].supply_price(self.day),
                lots,
                all_or_none: false,
                ttl: i64::MAX / 4,
            };
            self.on_order(open, PLATFORM, request);
        }
    }

    fn handle_next_event(&mut self) {
        let Some(ev) = self.queue.pop() else { return };
        self.stats.events += 1;
        match ev.kind {
            EventKind::Order { agent, request } => self.on_order(ev.time, agent, request),
            EventKind::Cancel { agent, product, order } => self.on_cancel(ev.time, agent, product, order),
            EventKind::Expire { product, order } => {
                self.with_book_events(ev.time, product as usize, None, |book, sink| {
                    book.cancel(order, DoneReason::Expired, sink);
                });
            }
        }
    }

    /// The agents that wake in the lookahead window [kL, (k+1)L) holding the
    /// earliest wake-up `first` decide on the snapshot at the earliest of them,
    /// t0: every order they send arrives at or after t0 + L >= (k+1)L, after
    /// the last of them has decided.
    fn decide_batch(&mut self, close: i64, first: i64) {
        let end = (self.min_latency.div(first) + 1) * self.min_latency.get();
        self.batch.clear();
        let until = end.min(close);
        let mut next = i64::MAX;
        for feed in &mut self.feeds {
            feed.take_before(until, &mut self.batch);
            next = next.min(feed.next_time());
        }
        self.next_wake_at = next;
        if self.batch.len() > 1 {
            // An agent decides at most once per lookahead window: a second
            // wake-up drawn for it in the same window merges into the first.
            // By id, each group's wake-ups lie together.
            self.batch.sort_unstable_by_key(|&(t, id)| (id, t));
            self.batch.dedup_by_key(|e| e.1);
        }
        let Some(t0) = self.batch.iter().map(|&(t, _)| t).min() else { return };
        // Start loading the batch's agents and accounts while the snapshot is refreshed.
        self.batch_runs.clear();
        self.batch_runs.resize(self.groups.len(), 0..0);
        let mut cost = 0.0;
        for (k, &(_, id)) in self.batch.iter().enumerate() {
            let g = self.group_of(id);
            let run = &mut self.batch_runs[g];
            if run.start == run.end {
                *run = k..k;
            }
            run.end = k + 1;
            self.groups[g].prefetch(id);
            self.accounts.prefetch(id);
        }
        self.advance_groups(t0);
        self.refresh_snapshot(t0);
        self.stats.batches += 1;
        self.stats.wakeups += self.batch.len() as u64;
        self.stats.events += self.batch.len() as u64;
        self.stats.largest_batch = self.stats.largest_batch.max(self.batch.len());

        for (group, run) in self.groups.iter().zip(&self.batch_runs) {
            cost += group.cost_ns() * run.len() as f64;
        }
        let ctx = Context { snapshot: &self.snapshot, accounts: &self.accounts };
        let (groups, batch, runs) = (&mut self.groups, &self.batch, &self.batch_runs);
        if self.parallel && self.batch.len() > 1 && cost >= PARALLEL_MIN_NS {
            // Decisions read only the snapshot, the accounts and their own
            // agent, so the groups and the agents within each may decide at
            // once; each group keeps its own results.
            // A group's own wake-ups are spread too when they alone are
            // worth it; else the groups run side by side.
            groups.par_iter_mut().zip(runs.par_iter()).with_max_len(1).for_each(|(group, run)| {
                if !run.is_empty() {
                    let worth = group.cost_ns() * run.len() as f64 >= PARALLEL_MIN_NS;
                    group.decide(&batch[run.clone()], &ctx, worth && run.len() > 1);
                }
            });
        } else {
            for (group, run) in groups.iter_mut().zip(runs) {
                if !run.is_empty() {
                    group.decide(&batch[run.clone()], &ctx, false);
                }
            }
        }
        self.pending.clear();
        for (group, run) in self.groups.iter().zip(&self.batch_runs) {
            if !run.is_empty() {
                for (id, decision) in group.decisions() {
                    schedule(*id, decision, &mut self.pending);
                }
            }
        }
        // The agents that wake next: their lines load while this batch's
        // messages are handled.
        for (feed, group) in self.feeds.iter().zip(&self.groups) {
            group.prefetch(feed.next_agent());
        }
        // Arrival order is (time, agent id, the agent's own order): a stable
        // sort keeps each agent's own order, and no two agents share an id.
        self.pending.sort_by_key(|&(at, id, _)| (at, id));
        for &(at, _, kind) in &self.pending {
            self.queue.push(at, kind);
        }
    }

    fn refresh_snapshot(&mut self, t: i64) {
        self.snapshot.time = t;
        if self.views_stale || self.env_stale {
            self.refresh_views();
        }
        if !self.env_stale {
            return;
        }
        self.env_stale = false;
        let d = self.day as usize;
        self.snapshot.day = self.day;
        let m = &self.env.state;
        self.snapshot.loan_rate = m.loan_rate.value();
        self.snapshot.deposit_rate = m.deposit_rate.value();
        self.snapshot.price_level_deviation = m.price_level.deviation(m.price_reference);
        self.snapshot.shock = m.shock.value();
        self.snapshot.days_to_next = match self.cal.days().get(d + 1) {
            Some(next) => (next.date.days_since_epoch() - self.cal.day(self.day).date.days_since_epoch()) as f64,
            None => 1.0,
        };
    }

    /// Each product's numbers for today and its book's touch.
    fn refresh_views(&mut self) {
        self.views_stale = false;
        let d = self.day as usize;
        for (p, view) in self.snapshot.products.iter_mut().enumerate() {
            let spec = &self.specs[p];
            let book = &self.books[p];
            let nav = spec.nav_ticks[d];
            *view = ProductView {
                nav_ticks: nav,
                nav_next_ticks: spec.nav_ticks.get(d + 1).copied().unwrap_or(nav * (1.0 + spec.annual_yield / 365.0)),
                annual_yield: spec.annual_yield,
                redemption_penalty: spec.redemption_penalty,
                band_lo: spec.band_lo[d],
                band_hi: spec.band_hi[d],
                best_bid: book.best_bid().map(|t| spec.grid_base + i64::from(t)),
                best_ask: book.best_ask().map(|t| spec.grid_base + i64::from(t)),
                last_price: self.last_price[p],
                lot_micros_per_tick: spec.value(1, 1),
                max_order_lots: spec.max_order_lots,
            };
        }
    }

    /// Logs the record `op` builds; built only when logged, since filling
    /// a record on every event costs more than the branch.
    #[inline]
    fn log(&mut self, op: impl FnOnce() -> OpRecord) {
        if self.log_ops {
            self.rec.op(&op());
        }
    }

    /// Logs `op` of order `serial`, as its request describes it.
    #[inline]
    fn log_order(&mut self, t: i64, op: Op, serial: u64, agent: u32, r: &OrderRequest) {
        self.log(|| OpRecord {
            time: t,
            op,
            order: serial,
            agent,
            product: r.product,
            side: Some(r.side),
            kind: Some(r.kind),
            all_or_none: r.all_or_none,
            price: (r.kind != OrderKind::Market).then_some(r.price),
            lots: r.lots,
        });
    }

    fn on_order(&mut self, t: i64, agent: u32, r: OrderRequest) {
        let serial = self.next_serial;
        self.next_serial += 1;
        self.stats.orders += 1;
        let p = r.product as usize;
        let customer = agent != PLATFORM;
        let w = self.cal.window_of(self.day, t);
        let limit = (r.kind != OrderKind::Market).then_some(r.price);
        self.log_order(t, Op::Submitted, serial, agent, &r);
        if customer {
            self.metrics.submitted(w, p, r.side, agent);
            self.accounts.account_mut(agent).orders += 1;
        }
        let close = self.cal.day(self.day).close;
        let checked = if t >= close {
            Err(Reject::SessionClosed)
        } else {
            self.accounts.check_and_reserve(agent, p, &self.specs[p], self.day, r.side, limit, r.lots)
        };
        let reservation = match checked {
            Ok(res) => res,
            Err(why) => {
                if customer {
                    self.metrics.rejected(w, p, r.side, r.lots, why);
                    self.accounts.account_mut(agent).rejections += 1;
                }
                self.log_order(t, Op::Rejected(why.name()), serial, agent, &r);
                return;
            }
        };
        self.log_order(t, Op::Accepted, serial, agent, &r);
        let order = NewOrder {
            side: r.side,
            kind: r.kind,
            price: limit.map_or(0, |x| (x - self.specs[p].grid_base) as u32),
            qty: r.lots,
            all_or_none: r.all_or_none,
            owner: agent,
            tag: serial,
        };
        let incoming = Incoming { serial, reservation };
        let mut rested = None;
        self.with_book_events(t, p, Some(incoming), |book, sink| {
            // The band check above keeps every price on the grid, so the
            // book has no reason left to refuse.
            rested = book.submit(&order, sink).ok().flatten();
        });
        if let Some(id) = rested {
            let expiry = t.saturating_add(r.ttl);
            if expiry < close {
                self.queue.push_expiry(r.ttl, expiry, r.product, id);
            }
        }
    }

    fn on_cancel(&mut self, t: i64, agent: u32, product: u16, order: OrderId) {
        self.stats.cancels += 1;
        self.accounts.account_mut(agent).cancels += 1;
        let p = product as usize;
        let found = self.books[p].get(order).filter(|o| o.owner == agent);
        self.metrics.cancel_requested(p, found.is_none());
        let serial = found.map_or(0, |o| o.tag);
        self.log(|| OpRecord {
            time: t,
            op: if found.is_some() { Op::CancelRequested } else { Op::CancelTooLate },
            order: serial,
            agent,
            product,
            side: found.map(|o| o.side),
            kind: None,
            all_or_none: false,
            price: None,
            lots: 0,
        });
        if found.is_some() {
            self.with_book_events(t, p, None, |book, sink| {
                book.cancel(order, DoneReason::Cancelled, sink);
            });
        }
    }

    /// Runs `f` on product `p`'s book and handles the events it emits.
    fn with_book_events(
        &mut self,
        t: i64,
        p: usize,
        incoming: Option<Incoming>,
        f: impl FnOnce(&mut Book, &mut Vec<BookEvent>),
    ) {
        self.views_stale = true;
        let mut events = std::mem::take(&mut self.book_events);
        events.clear();
        f(&mut self.books[p], &mut events);
        for ev in &events {
            self.on_book_event(t, p, ev, incoming);
        }
        self.book_events = events;
    }

    fn on_book_event(&mut self, t: i64, p: usize, ev: &BookEvent, incoming: Option<Incoming>) {
        let spec = &self.specs[p];
        let w = self.cal.window_of(self.day, t);
        match *ev {
            BookEvent::Trade {
                price,
                qty,
                aggressor_side,
                aggressor_owner,
                aggressor_tag,
                resting_owner,
                resting_tag,
                resting_id: _,
            } => {
                let abs = spec.grid_base + i64::from(price);
                let value = spec.value(abs, qty);
                let incoming_res = incoming.map_or(Reservation { per_lot: 0 }, |i| i.reservation);
                let (buyer, seller, buyer_res, buy_order, sell_order) = match aggressor_side {
                    Side::Buy => (aggressor_owner, resting_owner, incoming_res, aggressor_tag, resting_tag),
                    // A resting buy reserved its own limit, which is the trade price.
                    Side::Sell => (
                        resting_owner,
                        aggressor_owner,
                        Reservation { per_lot: spec.value(abs, 1) },
                        resting_tag,
                        aggressor_tag,
                    ),
                };
                self.accounts.settle(p, self.day, buyer, seller, value, qty, buyer_res);
                if buyer == seller && buyer != PLATFORM {
                    self.accounts.account_mut(buyer).self_trades += 1;
                }
                self.metrics.traded(w, p, abs, qty, value);
                let open = self.cal.day(self.day).open;
                self.metrics.grid.trade(self.day, t - open, p, qty, aggressor_side == Side::Buy);
                self.last_price[p] = Some(abs);
                self.stats.trades += 1;
                let trade = TradeRecord {
                    time: t,
                    product: p as u16,
                    price: abs,
                    lots: qty,
                    buyer,
                    seller,
                    buy_order,
                    sell_order,
                    aggressor: aggressor_side,
                };
                self.rec.trade(&trade);
                if self.log_ops {
                    for (agent, order, side) in [(buyer, buy_order, Side::Buy), (seller, sell_order, Side::Sell)] {
                        self.rec.op(&OpRecord {
                            time: t,
                            op: Op::Traded,
                            order,
                            agent,
                            product: p as u16,
                            side: Some(side),
                            kind: None,
                            all_or_none: false,
                            price: Some(abs),
                            lots: qty,
                        });
                    }
                }
            }
            BookEvent::Rested { id, side, owner, tag, .. } => {
                let at = &mut self.rested_at[p];
                let slot = id.slot() as usize;
                if at.len() <= slot {
                    at.resize(slot + 1, 0);
                }
                at[slot] = t;
                if owner != PLATFORM {
                    self.live_mut(owner)[side as usize] = LiveOrder::new(p as u16, id, tag);
                }
            }
            BookEvent::Done { side, price, owner, tag, qty, filled, reason, resting } => {
                // A resting order's fill took from its arrival in the book;
                // one filled on arrival took no time.
                let fill_secs = match resting {
                    Some(id) if filled == qty => {
                        let arrived = self.rested_at[p].get(id.slot() as usize).copied().unwrap_or(t);
                        (t - arrived) as f64 / 1e9
                    }
                    _ => 0.0,
                };
                let reservation = match incoming {
                    Some(i) if i.serial == tag => i.reservation,
                    _ if side == Side::Buy => Reservation { per_lot: spec.value(spec.grid_base + i64::from(price), 1) },
                    _ => Reservation { per_lot: 0 },
                };
                self.accounts.release(owner, p, side, reservation, qty - filled);
                if owner != PLATFORM {
                    self.metrics.closed(w, p, side, qty, filled, fill_secs);
                    let live = &mut self.live_mut(owner)[side as usize];
                    if live.matches(tag) {
                        *live = LiveOrder::NONE;
                    }
                }
                let op = match reason {
                    DoneReason::Filled => Op::Filled,
                    DoneReason::Cancelled => Op::Cancelled,
                    DoneReason::Expired => Op::Expired,
                    DoneReason::Unfilled => Op::Unfilled,
                };
                self.log(|| OpRecord {
                    time: t,
                    op,
                    order: tag,
                    agent: owner,
                    product: p as u16,
                    side: Some(side),
                    kind: None,
                    all_or_none: false,
                    price: None,
                    lots: qty - filled,
                });
            }
        }
    }

    /// The close: every resting order expires, late arrivals are refused,
    /// and holdings at their deadline are redeemed.
    fn close_session(&mut self, close: i64) {
        self.now = close;
        while self.next_grid <= close {
            self.sample_grid();
        }
        // The day's last window ends with the book as trading left it.
        self.end_window(close);
        for p in 0..self.books.len() {
            self.with_book_events(close, p, None, |book, sink| book.clear(DoneReason::Expired, sink));
        }
        while let Some(ev) = self.queue.pop() {
            self.stats.events += 1;
            match ev.kind {
                EventKind::Order { agent, request } => self.on_order(ev.time, agent, request),
                EventKind::Cancel { agent, product, order } => self.on_cancel(ev.time, agent, product, order),
                EventKind::Expire { .. } => {}
            }
        }
        let day = self.day;
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
                self.accounts.redeem(p, r, per_lot, |agent, lots| {
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
                    self.accounts.account_mut(agent).failed_sales += 1;
                }
                failed_sales.clear();
                self.failed_sales = failed_sales;
            }
            self.specs[p].redemptions[day as usize] = redemptions;
        }
        debug_assert!(self.accounts.all_non_negative(), "an account went negative on day {day}");
        if let Some(card) = &self.scorecard {
            // Tomorrow's scores from today's behaviour; tenure counts from tomorrow's date.
            let next = if (day as usize + 1) < self.cal.days().len() {
                self.cal.calendar_days_elapsed(day + 1)
            } else {
                self.cal.calendar_days_elapsed(day) + 1
            };
            let f = &mut self.features;
            for (i, a) in self.accounts.all_mut().iter().enumerate() {
                (f.orders[i], f.cancels[i], f.rejections[i], f.failed_sales[i]) =
                    (a.orders, a.cancels, a.rejections, a.failed_sales);
            }
            card.score_all(f, next as i32, &mut self.scores);
            for (a, &score) in self.accounts.all_mut().iter_mut().zip(&self.scores) {
                a.score = score;
            }
        }
    }
}
