//! One lookahead batch: the agents that wake in [kL, (k+1)L) decide on one
//! snapshot of the market, on the calling thread or spread over the pool's
//! threads when the batch's measured cost makes that worth it, and their
//! messages are queued in (arrival time, agent id, the agent's own order).
//! See ARCHITECTURE.md, "Parallel decisions, deterministic results".

use std::ops::Range;

use super::Engine;
use super::queue::EventKind;
use crate::agents::{Action, Context, Population, SPREAD_MIN_NS, Sides, fork};

/// The queue's event for an action of agent `id`.
#[inline]
pub(super) fn event(id: u32, action: Action) -> EventKind {
    match action {
        Action::Submit(request) => EventKind::Order { agent: id, request },
        Action::Cancel { product, order } => EventKind::Cancel { agent: id, product, order },
        Action::Replace { product, order, price, qty } => EventKind::Replace { agent: id, product, order, price, qty },
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
        let mut next = i64::MAX;
        for feed in &mut self.feeds {
            feed.take_before(until, &mut self.batch);
            next = next.min(feed.next_time());
        }
        if !self.sales.is_empty() {
            next = next.min(self.take_urges(until));
        }
        self.next_wake_at = next;
        if self.batch.len() > 1 {
            // An agent decides at most once per lookahead window: a second
            // wake-up drawn for it in the same window merges into the first.
            // By id, each group's wake-ups lie together.
            self.batch.sort_unstable_by_key(|&(t, id)| (id, t));
            self.batch.dedup_by_key(|e| e.1);
        }
        let Some(t0) = self.batch.iter().chain(&self.urges).map(|&(t, _)| t).min() else { return };
        // Start loading the batch's agents and accounts while the snapshot is refreshed.
        self.batch_runs.clear();
        // Ids ascend, and so do the groups' first ids: one walk finds each
        // group's run of the batch.
        let mut g = 0;
        for (k, &(_, id)) in self.batch.iter().enumerate() {
            while self.group_starts.get(g + 1).is_some_and(|&start| start <= id) {
                g += 1;
            }
            match self.batch_runs.last_mut() {
                Some((last, run)) if *last == g => run.end = k + 1,
                _ => self.batch_runs.push((g, k..k + 1)),
            }
            self.path.accounts().prefetch(id);
            self.metrics.prefetch_customer(id);
        }
        for (g, run) in &self.batch_runs {
            self.groups[*g].prefetch_all(&self.batch[run.clone()]);
        }
        self.advance_groups(t0);
        self.refresh_snapshot(t0);
        self.stats.batches += 1;
        self.stats.wakeups += self.batch.len() as u64;
        self.stats.events += self.batch.len() as u64;
        self.stats.largest_batch = self.stats.largest_batch.max(self.batch.len());

        let spread = self.parallel
            && self.batch.len() > 1
            && self.batch_runs.iter().map(|(g, run)| self.groups[*g].cost_ns() * run.len() as f64).sum::<f64>()
                >= SPREAD_MIN_NS
            && !self.batch_runs.iter().any(|(g, _)| self.groups[*g].decides_alone());
        let ctx = Context { snapshot: &self.snapshot, accounts: self.path.accounts() };
        let (groups, batch, runs) = (&mut self.groups, &self.batch, &self.batch_runs);
        self.pending.clear();
        let n = self.batch.len() as u64;
        self.stats.critical_wakeups += if spread { n.div_ceil(2) } else { n };
        if spread {
            // Decisions read only the snapshot, the accounts and their own
            // agent, so the groups and the agents within each may decide at
            // once; each group keeps its own results, in wake-up order.
            if rayon::current_num_threads() == 2 {
                decide_in_two(groups, runs, batch, &ctx);
            } else {
                decide_spread(groups, 0, runs, batch, &ctx);
            }
            self.warm.keep();
            for &(g, _) in runs {
                for (id, d) in self.groups[g].decisions() {
                    self.pending.extend(d.actions.iter().map(|&a| (d.at, *id, a)));
                }
            }
        } else {
            // Each decision's actions are listed as it is made: nothing else is stored.
            for (g, run) in runs {
                groups[*g].decide(&batch[run.clone()], &ctx, &mut self.pending);
            }
        }
        // Each group's next agent to wake: its line loads while this batch's
        // messages are handled, well before its own batch. Only the groups
        // in this batch have a new one.
        for &(g, _) in &self.batch_runs {
            self.groups[g].prefetch(self.feeds[g].next_agent());
        }
        if !self.urges.is_empty() {
            self.decide_urges();
        }
        // Arrival order is (time, agent id, the agent's own order): a stable
        // sort keeps each agent's own order, and no two agents share an id.
        self.pending.sort_by_key(|&(at, id, _)| (at, id));
        for &(at, id, action) in &self.pending {
            self.queue.push(at, event(id, action));
        }
    }
}

/// Decides the batch's `runs` (group, part of `batch`) of `groups`, whose
/// first is group number `first`: split in two halves of about equal
/// expected cost, decided side by side, each half split again the same way;
/// a single group halves its own wake-ups
/// ([`Population::decide_apart`]). Which thread decides what never changes
/// a decision.
fn decide_spread(
    groups: &mut [Box<dyn Population>],
    first: usize,
    runs: &[(usize, Range<usize>)],
    batch: &[(i64, u32)],
    ctx: &Context<'_>,
) {
    let cost = |groups: &[Box<dyn Population>], (g, run): &(usize, Range<usize>)| {
        // An unmeasured group counts as one nanosecond a decision, so it
        // still weighs by its size.
        groups[g - first].cost_ns().max(1.0) * run.len() as f64
    };
    match runs {
        [] => {}
        [(g, run)] => groups[g - first].decide_apart(&batch[run.clone()], ctx),
        _ => {
            let total: f64 = runs.iter().map(|r| cost(groups, r)).sum();
            // The split after the k-th run that leaves the halves closest in cost.
            let (mut k, mut left, mut best, mut low_cost) = (1, 0.0, f64::INFINITY, 0.0);
            for (i, r) in runs[..runs.len() - 1].iter().enumerate() {
                left += cost(groups, r);
                let gap = (2.0 * left - total).abs();
                if gap < best {
                    (k, best, low_cost) = (i + 1, gap, left);
                }
            }
            let middle = runs[k].0;
            let (low, high) = groups.split_at_mut(middle - first);
            let low = || decide_spread(low, first, &runs[..k], batch, ctx);
            let high = || decide_spread(high, middle, &runs[k..], batch, ctx);
            // This thread takes the costlier part (see `agents::fork`).
            if 2.0 * low_cost >= total { fork(low, high) } else { fork(high, low) }
        }
    }
}

/// Decides the batch's `runs` (group, part of `batch`) of `groups` on two
/// threads, one part each: the wake-ups in batch order are cut where the
/// expected cost is halved, even inside a group's run
/// ([`Population::decide_straddling`]), so one hand-off per batch balances
/// it to within one decision. Recursive halving ([`decide_spread`]) cuts
/// only between groups and then halves again within them, which with
/// batches of a few agents from as many groups took two or three
/// hand-offs, each a steal late, for the same balance.
fn decide_in_two(
    groups: &mut [Box<dyn Population>],
    runs: &[(usize, Range<usize>)],
    batch: &[(i64, u32)],
    ctx: &Context<'_>,
) {
    // An unmeasured group counts as one nanosecond a decision, so it still
    // weighs by its size.
    let each = |g: usize| groups[g].cost_ns().max(1.0);
    let total: f64 = runs.iter().map(|(g, run)| each(*g) * run.len() as f64).sum();
    // The run holding the cost's midpoint, and the cut inside it nearest to it.
    let (mut k, mut before) = (runs.len() - 1, 0.0);
    for (i, (g, run)) in runs.iter().enumerate() {
        let cost = each(*g) * run.len() as f64;
        if 2.0 * (before + cost) >= total {
            k = i;
            break;
        }
        before += cost;
    }
    let (g, ref run) = runs[k];
    let at = (((0.5 * total - before) / each(g)).round() as usize).min(run.len());
    let low_heavy = 2.0 * (before + at as f64 * each(g)) >= total;
    let (low, rest) = groups.split_at_mut(g);
    let Some((straddling, high)) = rest.split_first_mut() else { return };
    let alone = |groups: &mut [Box<dyn Population>], first: usize, runs: &[(usize, Range<usize>)]| {
        for (g, run) in runs {
            groups[g - first].decide_alone(&batch[run.clone()], ctx);
        }
    };
    let sides = Sides {
        before: &mut || alone(low, 0, &runs[..k]),
        after: &mut || alone(high, g + 1, &runs[k + 1..]),
        low_heavy,
    };
    straddling.decide_straddling(&batch[run.clone()], at, ctx, sides);
}
