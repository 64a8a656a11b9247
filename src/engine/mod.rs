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

pub mod product;
mod queue;
pub mod record;
mod wheel;

use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::agents::{
    self, Action, AgentState, Context, Decision, Group, LiveOrder, OrderRequest, ProductView, Snapshot,
};
use crate::book::{Book, BookEvent, DoneReason, NewOrder, OrderId, OrderKind, Side};
use crate::calendar::Calendar;
use crate::metrics::Metrics;
use crate::platform::{Accounts, PLATFORM, Reject, Reservation};
use crate::random;
use crate::scenario::{MAX_BUDGET, MAX_INITIAL_LOTS, Scenario};
use product::ProductSpec;
use queue::{EventKind, EventQueue};
use record::{Op, OpRecord, Recorder, TradeRecord};
use wheel::WakeWheel;

pub use queue::Event;

/// Batches smaller than this are decided on the calling thread: spreading a
/// handful of decisions over threads costs more than it saves.
const PARALLEL_MIN_BATCH: usize = 256;

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
}

/// Runs a validated scenario to the end.
pub fn run(scenario: &Scenario, opts: &RunOptions, rec: &mut dyn Recorder) -> Result<Outcome, String> {
    let threads = opts.threads.max(1);
    if threads == 1 {
        return Ok(Engine::new(scenario, opts, rec, false).run());
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| format!("cannot start {threads} worker threads: {e}"))?;
    Ok(pool.install(|| Engine::new(scenario, opts, rec, true).run()))
}

struct Engine<'a> {
    seed: u64,
    streams: random::Streams,
    cal: Calendar,
    specs: Vec<ProductSpec>,
    books: Vec<Book>,
    last_price: Vec<Option<i64>>,
    accounts: Accounts,
    agents: Vec<AgentState>,
    groups: Vec<Group>,
    queue: EventQueue,
    wakes: WakeWheel,
    metrics: Metrics,
    rec: &'a mut dyn Recorder,
    log_ops: bool,
    parallel: bool,
    loan_rate: f64,
    snapshot: Snapshot,
    day: u32,
    next_serial: u64,
    stats: RunStats,
    // Reused buffers: nothing on the order path allocates once these are warm.
    book_events: Vec<BookEvent>,
    batch: Vec<(i64, u32)>,
    decisions: Vec<(AgentState, Decision)>,
    pending: Vec<(i64, u32, EventKind)>,
}

/// The order being submitted, so its own Done and trades can find its reservation.
#[derive(Clone, Copy)]
struct Incoming {
    serial: u64,
    reservation: Reservation,
}

impl<'a> Engine<'a> {
    fn new(s: &Scenario, opts: &RunOptions, rec: &'a mut dyn Recorder, parallel: bool) -> Engine<'a> {
        let seed = opts.seed.unwrap_or(s.simulation.seed);
        let cal = Calendar::new(&s.simulation);
        let specs: Vec<ProductSpec> = s.products.iter().map(|p| ProductSpec::new(p, &cal)).collect();
        let product_ids: Vec<String> = specs.iter().map(|p| p.id.clone()).collect();
        let n_customers: usize = s.agents.iter().map(|g| g.count as usize).sum();
        let n_accounts = n_customers + 1;
        let groups: Vec<Group> = s
            .agents
            .iter()
            .map(|g| Group::new(g, &product_ids, s.simulation.min_latency.0, s.simulation.latency_jitter.0))
            .collect();

        let mut accounts = Accounts::new(n_accounts, &specs);
        let mut agents = Vec::with_capacity(n_accounts);
        let streams = random::Streams::new(seed);
        agents.push(AgentState { group: u16::MAX, rng_pos: 0, value_offset: 0.0, live: None });
        let mut setup = random::setup_stream(seed);
        let mut initial = vec![0u32; specs.len()];
        for (gi, g) in s.agents.iter().enumerate() {
            for _ in 0..g.count {
                let id = agents.len() as u32;
                let cash = (agents::draw(&g.budget, &mut setup, 0.0, MAX_BUDGET) * product::MICROS).round() as i64;
                let score = agents::draw(&g.credit_score, &mut setup, 0.0, 1000.0) as f32;
                for (p, lots) in initial.iter_mut().enumerate() {
                    let trades_it = groups[gi].products.contains(&(p as u16));
                    *lots = if trades_it {
                        agents::draw(&g.initial_lots, &mut setup, 0.0, MAX_INITIAL_LOTS).round() as u32
                    } else {
                        0
                    };
                }
                accounts.open_account(id, cash, score, &initial);
                let mut state = AgentState { group: gi as u16, rng_pos: 0, value_offset: 0.0, live: None };
                let mut rng = streams.open(id, 0);
                groups[gi].behaviour.init(&mut state, &mut rng);
                state.rng_pos = random::Streams::position(&rng);
                agents.push(state);
            }
        }
        let n_windows = cal.n_windows();
        let books = specs.iter().map(|p| Book::new(p.n_ticks, 1 << 14)).collect();
        let n_products = specs.len();
        Engine {
            seed,
            streams,
            metrics: Metrics::new(n_windows, n_products),
            books,
            last_price: vec![None; n_products],
            snapshot: Snapshot { products: vec![ProductView::default(); n_products], ..Snapshot::default() },
            cal,
            specs,
            accounts,
            agents,
            groups,
            queue: EventQueue::with_capacity(1 << 16),
            wakes: WakeWheel::new(s.simulation.min_latency.0),
            log_ops: rec.wants_ops(),
            rec,
            parallel,
            loan_rate: s.macro_env.loan_rate.value,
            day: 0,
            next_serial: 1,
            stats: RunStats::default(),
            book_events: Vec::with_capacity(256),
            batch: Vec::with_capacity(1024),
            decisions: Vec::with_capacity(1024),
            pending: Vec::with_capacity(1024),
        }
    }

    fn run(mut self) -> Outcome {
        let started = Instant::now();
        let cash_start = self.accounts.total_cash();
        for day in 0..self.cal.days().len() as u32 {
            self.run_day(day);
        }
        self.stats.wall = started.elapsed();
        Outcome {
            seed: self.seed,
            cash_start,
            cash_end: self.accounts.total_cash(),
            accounts_sound: self.accounts.all_non_negative(),
            calendar: self.cal,
            products: self.specs,
            metrics: self.metrics,
            stats: self.stats,
        }
    }

    fn run_day(&mut self, day: u32) {
        self.day = day;
        let (open, close) = (self.cal.day(day).open, self.cal.day(day).close);
        let wpd = self.cal.windows_per_day() as usize;
        for w in day as usize * wpd..(day as usize + 1) * wpd {
            self.metrics.set_loan_rate(w, self.loan_rate);
        }
        self.post_primary_supply(open);
        self.wakes.start_at(open);
        for id in 1..self.agents.len() as u32 {
            let state = &mut self.agents[id as usize];
            let mut rng = self.streams.open(id, state.rng_pos);
            let t = open + self.groups[state.group as usize].gap(&mut rng);
            state.rng_pos = random::Streams::position(&rng);
            if t < close {
                self.wakes.push(t, id);
            }
        }
        loop {
            let event_at = self.queue.peek_time().filter(|&t| t < close);
            let wake_at = self.wakes.peek_time();
            match (event_at, wake_at) {
                (Some(e), Some(w)) if e <= w => self.handle_next_event(),
                (Some(_), None) => self.handle_next_event(),
                (_, Some(_)) => self.decide_batch(close),
                (None, None) => break,
            }
        }
        self.close_session(close);
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

    /// The agents of the next wake-up bucket (all within one lookahead of the
    /// earliest of them, t0) decide on the snapshot at t0.
    fn decide_batch(&mut self, close: i64) {
        self.wakes.take_bucket(&mut self.batch);
        let Some(&(t0, _)) = self.batch.first() else { return };
        self.refresh_snapshot(t0);
        self.stats.batches += 1;
        self.stats.wakeups += self.batch.len() as u64;
        self.stats.events += self.batch.len() as u64;
        self.stats.largest_batch = self.stats.largest_batch.max(self.batch.len());

        let ctx = Context { snapshot: &self.snapshot, accounts: &self.accounts };
        let (agents, groups, streams) = (&self.agents, &self.groups, &self.streams);
        let decide = |&(t, id): &(i64, u32)| {
            let mut state = agents[id as usize];
            let decision = groups[state.group as usize].wake(id, t, &mut state, streams, &ctx);
            (state, decision)
        };
        if self.parallel && self.batch.len() >= PARALLEL_MIN_BATCH {
            self.batch.par_iter().with_min_len(64).map(decide).collect_into_vec(&mut self.decisions);
        } else {
            self.decisions.clear();
            self.decisions.extend(self.batch.iter().map(decide));
        }

        self.pending.clear();
        for (&(_, id), (state, decision)) in self.batch.iter().zip(self.decisions.drain(..)) {
            self.agents[id as usize] = state;
            for timed in decision.actions.into_iter().flatten() {
                let kind = match timed.action {
                    Action::Submit(request) => EventKind::Order { agent: id, request },
                    Action::Cancel { product, order, .. } => EventKind::Cancel { agent: id, product, order },
                };
                self.pending.push((timed.at, id, kind));
            }
            if decision.next_wake < close {
                self.wakes.push(decision.next_wake, id);
            }
        }
        // Arrival order is (time, agent id, the agent's own order): a stable sort keeps the last.
        self.pending.sort_by_key(|&(at, id, _)| (at, id));
        for &(at, _, kind) in &self.pending {
            self.queue.push(at, kind);
        }
    }

    fn refresh_snapshot(&mut self, t: i64) {
        let d = self.day as usize;
        self.snapshot.time = t;
        self.snapshot.day = self.day;
        self.snapshot.loan_rate = self.loan_rate;
        for (p, view) in self.snapshot.products.iter_mut().enumerate() {
            let spec = &self.specs[p];
            let book = &self.books[p];
            *view = ProductView {
                nav_ticks: spec.nav_ticks[d],
                band_lo: spec.band_lo[d],
                band_hi: spec.band_hi[d],
                best_bid: book.best_bid().map(|t| spec.grid_base + i64::from(t)),
                best_ask: book.best_ask().map(|t| spec.grid_base + i64::from(t)),
                last_price: self.last_price[p],
                lot_micros_per_tick: spec.value(1, 1),
            };
        }
    }

    fn log(&mut self, op: OpRecord) {
        if self.log_ops {
            self.rec.op(&op);
        }
    }

    fn on_order(&mut self, t: i64, agent: u32, r: OrderRequest) {
        let serial = self.next_serial;
        self.next_serial += 1;
        self.stats.orders += 1;
        let p = r.product as usize;
        let customer = agent != PLATFORM;
        let w = self.cal.window_of(self.day, t);
        let limit = (r.kind != OrderKind::Market).then_some(r.price);
        let mut record = OpRecord {
            time: t,
            op: Op::Submitted,
            order: serial,
            agent,
            product: r.product,
            side: Some(r.side),
            kind: Some(r.kind),
            all_or_none: r.all_or_none,
            price: limit,
            lots: r.lots,
        };
        self.log(record);
        if customer {
            self.metrics.submitted(p, r.side);
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
                }
                record.op = Op::Rejected(why.name());
                self.log(record);
                return;
            }
        };
        record.op = Op::Accepted;
        self.log(record);
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
                self.queue.push_in_lane(r.ttl, expiry, EventKind::Expire { product: r.product, order: id });
            }
        }
    }

    fn on_cancel(&mut self, t: i64, agent: u32, product: u16, order: OrderId) {
        self.stats.cancels += 1;
        let p = product as usize;
        let found = self.books[p].get(order).filter(|o| o.owner == agent);
        self.metrics.cancel_requested(p, found.is_none());
        let serial = found.map_or(0, |o| o.tag);
        self.log(OpRecord {
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
                ..
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
                self.metrics.traded(w, p, abs, qty, value);
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
            BookEvent::Rested { id, owner, tag, .. } => {
                if owner != PLATFORM {
                    self.agents[owner as usize].live = Some(LiveOrder { product: p as u16, order: id, serial: tag });
                }
            }
            BookEvent::Done { side, price, owner, tag, qty, filled, reason } => {
                let reservation = match incoming {
                    Some(i) if i.serial == tag => i.reservation,
                    _ if side == Side::Buy => Reservation { per_lot: spec.value(spec.grid_base + i64::from(price), 1) },
                    _ => Reservation { per_lot: 0 },
                };
                self.accounts.release(owner, p, side, reservation, qty - filled);
                if owner != PLATFORM {
                    self.metrics.closed(w, p, side, qty, filled);
                    let state = &mut self.agents[owner as usize];
                    if state.live.is_some_and(|l| l.serial == tag) {
                        state.live = None;
                    }
                }
                let op = match reason {
                    DoneReason::Filled => Op::Filled,
                    DoneReason::Cancelled => Op::Cancelled,
                    DoneReason::Expired => Op::Expired,
                    DoneReason::Unfilled => Op::Unfilled,
                };
                self.log(OpRecord {
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
                self.accounts.redeem(p, r, per_lot, |agent, lots| {
                    metrics.redeemed(w, p, lots, r.failed);
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
            }
            self.specs[p].redemptions[day as usize] = redemptions;
        }
        debug_assert!(self.accounts.all_non_negative(), "an account went negative on day {day}");
    }
}
