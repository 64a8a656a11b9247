//! One lookahead batch: the agents that wake in [kL, (k+1)L) decide on one
//! snapshot of the market, on the calling thread or spread over the pool's
//! threads when the batch's measured cost makes that worth it, and their
//! messages are queued in (arrival time, agent id, the agent's own order).
//! See ARCHITECTURE.md, "Parallel decisions, deterministic results".

use rayon::prelude::*;

use super::Engine;
use super::queue::EventKind;
use crate::agents::{Action, Context};

/// Least expected work (nanoseconds of decisions) for which a batch is
/// spread over threads: below it, handing work to another thread and
/// waiting for it costs more than it saves. Built-in decisions cost well
/// under 100 ns, so their batches stay on the calling thread until they
/// hold hundreds of agents; a behaviour costing microseconds goes parallel
/// with a handful.
const PARALLEL_MIN_NS: f64 = 6_000.0;

/// The queue's event for an action of agent `id`.
#[inline]
fn event(id: u32, action: Action) -> EventKind {
    match action {
        Action::Submit(request) => EventKind::Order { agent: id, request },
        Action::Cancel { product, order } => EventKind::Cancel { agent: id, product, order },
    }
}

impl Engine<'_> {
    /// The agents that wake in the lookahead window [kL, (k+1)L) holding the
    /// earliest wake-up `first` decide on the snapshot at the earliest of them,
    /// t0: every order they send arrives at or after t0 + L >= (k+1)L, after
    /// the last of them has decided.
    pub(super) fn decide_batch(&mut self, close: i64, first: i64) {
        let end = (self.min_latency.div(first) + 1) * self.min_latency.get();
        self.batch.clear();
        let until = end.min(close);
        let (mut next, mut next_group) = (i64::MAX, 0);
        for (g, feed) in self.feeds.iter_mut().enumerate() {
            feed.take_before(until, &mut self.batch);
            if feed.next_time() < next {
                (next, next_group) = (feed.next_time(), g);
            }
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
        // Ids ascend, and so do the groups' first ids: one walk finds each run.
        let mut g = 0;
        for (k, &(_, id)) in self.batch.iter().enumerate() {
            while self.group_starts.get(g + 1).is_some_and(|&start| start <= id) {
                g += 1;
            }
            let run = &mut self.batch_runs[g];
            if run.start == run.end {
                *run = k..k;
            }
            run.end = k + 1;
            self.groups[g].prefetch(id);
            self.path.accounts().prefetch(id);
        }
        self.advance_groups(t0);
        self.refresh_snapshot(t0);
        self.stats.batches += 1;
        self.stats.wakeups += self.batch.len() as u64;
        self.stats.events += self.batch.len() as u64;
        self.stats.largest_batch = self.stats.largest_batch.max(self.batch.len());

        if self.parallel && self.batch.len() > 1 {
            for (group, run) in self.groups.iter().zip(&self.batch_runs) {
                cost += group.cost_ns() * run.len() as f64;
            }
        }
        let ctx = Context { snapshot: &self.snapshot, accounts: self.path.accounts() };
        let (groups, batch, runs) = (&mut self.groups, &self.batch, &self.batch_runs);
        self.pending.clear();
        if self.parallel && self.batch.len() > 1 && cost >= PARALLEL_MIN_NS {
            // Decisions read only the snapshot, the accounts and their own
            // agent, so the groups and the agents within each may decide at
            // once; each group keeps its own results.
            // A group's own wake-ups are spread too when they alone are
            // worth it; else the groups run side by side.
            groups.par_iter_mut().zip(runs.par_iter()).with_max_len(1).for_each(|(group, run)| {
                if !run.is_empty() {
                    let worth = group.cost_ns() * run.len() as f64 >= PARALLEL_MIN_NS;
                    group.decide_apart(&batch[run.clone()], &ctx, worth && run.len() > 1);
                }
            });
            for (group, run) in self.groups.iter().zip(&self.batch_runs) {
                if !run.is_empty() {
                    for &(id, d) in group.decisions() {
                        self.pending.extend(d.actions.iter().map(|&a| (d.at, id, a)));
                    }
                }
            }
        } else {
            // Each decision's actions are listed as it is made: nothing else is stored.
            for (group, run) in groups.iter_mut().zip(runs) {
                if !run.is_empty() {
                    group.decide(&batch[run.clone()], &ctx, &mut self.pending);
                }
            }
        }
        // The agent that wakes next: its line loads while this batch's
        // messages are handled.
        if let (Some(feed), Some(group)) = (self.feeds.get(next_group), self.groups.get(next_group)) {
            group.prefetch(feed.next_agent());
        }
        // Arrival order is (time, agent id, the agent's own order): a stable
        // sort keeps each agent's own order, and no two agents share an id.
        self.pending.sort_by_key(|&(at, id, _)| (at, id));
        for &(at, id, action) in &self.pending {
            self.queue.push(at, event(id, action));
        }
    }
}
