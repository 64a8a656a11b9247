//! One lookahead batch: the agents that wake in [kL, (k+1)L) decide on one
//! snapshot of the market, on the calling thread or spread over the pool's
//! threads when the batch's measured cost makes that worth it, and their
//! messages are queued in (arrival time, agent id, the agent's own order).
//! See ARCHITECTURE.md, "Parallel decisions, deterministic results".

use std::mem::MaybeUninit;
use std::ops::Range;

use super::Engine;
use super::queue::EventKind;
use super::warm::Warm;
use crate::agents::{Action, Claims, Context, Lent, Population, SPREAD_MIN_NS, fork};
use crate::units::ProductIndex;

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
        self.scratch.wakes.clear();
        let until = end.min(close);
        let mut next = i64::MAX;
        for feed in &mut self.roster.feeds {
            feed.take_before(until, &mut self.scratch.wakes);
            next = next.min(feed.next_time());
        }
        if !self.roster.sales.is_empty() {
            next = next.min(self.take_urges(until));
        }
        self.roster.next_wake_at = next;
        if self.scratch.wakes.len() > 1 {
            // An agent decides at most once per lookahead window: a second
            // wake-up drawn for it in the same window merges into the first.
            // By id, each group's wake-ups lie together.
            self.scratch.wakes.sort_unstable_by_key(|&(t, id)| (id, t));
            self.scratch.wakes.dedup_by_key(|e| e.1);
        }
        let Some(t0) = self.scratch.wakes.iter().chain(&self.scratch.urges).map(|&(t, _)| t).min() else { return };
        // Start loading the batch's agents and accounts while the snapshot is refreshed.
        self.scratch.runs.clear();
        // Ids ascend, and so do the groups' first ids: one walk finds each
        // group's run of the batch.
        let mut g = 0;
        for (k, &(_, id)) in self.scratch.wakes.iter().enumerate() {
            while self.roster.starts.get(g + 1).is_some_and(|&start| start <= id) {
                g += 1;
            }
            match self.scratch.runs.last_mut() {
                Some((last, run)) if *last == g => run.end = k + 1,
                _ => self.scratch.runs.push((g, k..k + 1)),
            }
            self.path.accounts().prefetch(id);
            self.metrics.prefetch_customer(id);
        }
        for (g, run) in &self.scratch.runs {
            self.roster.groups[*g].prefetch_all(&self.scratch.wakes[run.clone()]);
        }
        self.advance_groups(t0);
        self.refresh_snapshot(t0);
        self.stats.batches += 1;
        self.stats.wakeups += self.scratch.wakes.len() as u64;
        self.stats.events += self.scratch.wakes.len() as u64;
        self.stats.largest_batch = self.stats.largest_batch.max(self.scratch.wakes.len());

        let spread = self.parallel
            && self.scratch.wakes.len() > 1
            && self
                .scratch
                .runs
                .iter()
                .map(|(g, run)| self.roster.groups[*g].cost_ns() * run.len() as f64)
                .sum::<f64>()
                >= SPREAD_MIN_NS
            && !self.scratch.runs.iter().any(|(g, _)| self.roster.groups[*g].decides_alone());
        let ctx = Context { snapshot: &self.snapshot, accounts: self.path.accounts() };
        let (groups, wakes, runs) = (&mut self.roster.groups, &self.scratch.wakes, &self.scratch.runs);
        self.scratch.pending.clear();
        let n = self.scratch.wakes.len() as u64;
        self.stats.critical_wakeups += if spread { n.div_ceil(2) } else { n };
        if spread {
            // Decisions read only the snapshot, the accounts and their own
            // agent, so the groups and the agents within each may decide at
            // once; each group keeps its own results, in wake-up order.
            if rayon::current_num_threads() != 2 || !decide_in_two(groups, runs, wakes, &ctx, &self.warm) {
                decide_spread(groups, 0, runs, wakes, &ctx);
            }
            self.warm.keep();
            // Half the decisions were written on the other core: ask for
            // all their lines at once, so that their round trips between
            // the cores overlap instead of following one another. A
            // decision's time, count and first action lie in its first 56
            // bytes (`Decision`), on one line or two.
            for &(g, _) in runs {
                for slot in self.roster.groups[g].decisions() {
                    let at = std::ptr::from_ref(slot).cast::<u8>();
                    crate::cache::prefetch_ptr(at);
                    crate::cache::prefetch_ptr(at.wrapping_add(55));
                }
            }
            for &(g, _) in runs {
                for (id, d) in self.roster.groups[g].decisions() {
                    self.scratch.pending.extend(d.actions.iter().map(|&a| (d.at, *id, a)));
                }
            }
        } else {
            // Each decision's actions are listed as it is made: nothing else is stored.
            for (g, run) in runs {
                groups[*g].decide(&wakes[run.clone()], &ctx, &mut self.scratch.pending);
            }
        }
        // Each group's next agent to wake: its line loads while this batch's
        // messages are handled, well before its own batch. Only the groups
        // in this batch have a new one.
        for &(g, _) in &self.scratch.runs {
            self.roster.groups[g].prefetch(self.roster.feeds[g].next_agent());
        }
        if !self.scratch.urges.is_empty() {
            self.decide_urges();
        }
        // Arrival order is (time, agent id, the agent's own order): a stable
        // sort keeps each agent's own order, and no two agents share an id.
        self.scratch.pending.sort_by_key(|&(at, id, _)| (at, id));
        for &(at, id, action) in &self.scratch.pending {
            self.queue.push(at, event(id, action));
        }
    }

    /// Agent `agent`'s behaviour sent what no platform could take: an
    /// action for `product`, which the scenario does not have, or (`ttl`) a
    /// limit order to rest for no time at all. The action goes no further
    /// and the run stops at the next boundary, naming the first such
    /// action ([`super::RunError::Halted`]). A user's behaviour can send either;
    /// the built-ins never do.
    #[cold]
    #[inline(never)]
    pub(super) fn unfit(&mut self, agent: u32, product: ProductIndex, ttl: Option<i64>) {
        if self.roster.unfit.is_some() {
            return;
        }
        let why = match ttl {
            None => format!(
                "an action for product {product}, which the scenario does not have (its products are 0 to {})",
                self.specs.len().saturating_sub(1)
            ),
            Some(ttl) => format!("a limit order to rest with a time to live of {ttl} ns (it needs one above 0)"),
        };
        let group = self.group_of(agent);
        let (family, day) = (self.roster.labels[group].0, self.clock.day + 1);
        self.roster.unfit = Some((group, format!("on business day {day}, agent {agent} ({family}) sent {why}")));
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

/// Most groups one batch may hold to be shared out on two threads
/// ([`decide_in_two`]); a batch of more is halved ([`decide_spread`]).
const MAX_LENT: usize = 16;

/// Decides the batch's `runs` (group, part of `batch`; together all of
/// `batch`, in order) of `groups` on two threads that share the wake-ups
/// out as they go (see `agents::lend`): the calling thread takes them from
/// the batch's front, the other from its back, until they meet. Returns
/// false, having decided nothing, when a group cannot lend its members or
/// the batch holds more than [`MAX_LENT`] groups.
///
/// A cut fixed in advance, even one balanced to within a decision, kept the
/// calling thread waiting 0.3-0.5 s of a 7.4 s run whenever the other
/// thread's part ran late.
fn decide_in_two(
    groups: &mut [Box<dyn Population>],
    runs: &[(usize, Range<usize>)],
    batch: &[(i64, u32)],
    ctx: &Context<'_>,
    warm: &Warm,
) -> bool {
    if runs.len() > MAX_LENT {
        return false;
    }
    debug_assert!(runs.first().is_some_and(|r| r.1.start == 0) && runs.last().is_some_and(|r| r.1.end == batch.len()));
    // Left unset until lent: an array of `Option`s was cleared whole on
    // every batch, a 1.3 KB `memset` that took about 1% of the calling
    // thread's time in a 2-thread run's profile.
    let mut lent: [MaybeUninit<Lent<'_>>; MAX_LENT] = [const { MaybeUninit::uninit() }; MAX_LENT];
    // Runs ascend by group: one walk over the groups finds each.
    let mut rest = groups.iter_mut().enumerate();
    for (slot, (g, run)) in lent.iter_mut().zip(runs) {
        let Some((_, group)) = rest.by_ref().find(|(i, _)| i == g) else { return false };
        let Some(members) = group.lend(&batch[run.clone()]) else { return false };
        slot.write(members);
    }
    // SAFETY: the loop wrote the first `runs.len()` (at most `MAX_LENT`)
    // entries, or returned. `Lent` has no drop glue, so the entries need
    // no dropping, here or on the early returns.
    let lent: &[Lent<'_>] = unsafe { std::slice::from_raw_parts(lent.as_ptr().cast::<Lent<'_>>(), runs.len()) };
    let Ok(n) = u32::try_from(batch.len()) else { return false };
    let claims = Claims::new(n);
    let work = |front: bool| {
        let mut i = if front { 0 } else { runs.len() - 1 };
        while let Some(k) = if front { claims.front() } else { claims.back() } {
            while k < runs[i].1.start {
                i -= 1;
            }
            while k >= runs[i].1.end {
                i += 1;
            }
            // The wake-up this thread will most likely claim next: its
            // lines load while this one is decided. The runs cover the
            // batch end to end, so a neighbouring index is in this run or
            // the next one along.
            if let Some(next) = if front { Some(k + 1) } else { k.checked_sub(1) }.filter(|&n| n < batch.len()) {
                let j = if next < runs[i].1.start {
                    i - 1
                } else if next >= runs[i].1.end {
                    i + 1
                } else {
                    i
                };
                lent[j].prefetch(next - runs[j].1.start, ctx);
            }
            let members = &lent[i];
            // SAFETY: `claims` hands out each wake-up of the batch once, and
            // the runs are disjoint ranges of it, each lent on its own, so
            // wake-up k is the (k - start)-th of run i's and no other's.
            unsafe { members.decide(k - runs[i].1.start, ctx) };
        }
    };
    // The other half goes through the awake thread's mailbox when one is
    // awake (a handoff of two cache lines), else through the pool.
    if !warm.share(|| work(true), &|| work(false)) {
        fork(|| work(true), || work(false));
    }
    true
}
