//! Sale bursts in the engine: customer sale applications excite the sale
//! feeds of the groups that have a `sale_excitation`, and the sale wake-ups
//! they bring are decided with the batch of their lookahead window, as the
//! members' urges to sell ([`crate::agents::Behaviour::urge_sell`]).
//! Everything here is idle (one branch per order) in a scenario without one.

use super::Engine;
use super::arrivals::Feed;
use crate::agents::Context;
use crate::platform::PLATFORM;

impl Engine<'_> {
    /// A sale application of `agent` reached the platform at `t`: a
    /// customer's excites every sale feed (a dealer's quotes and the
    /// issuer's redemptions are not applications).
    #[cold]
    #[inline(never)]
    pub(super) fn excite_sales(&mut self, t: i64, agent: u32) {
        if agent == PLATFORM || self.roster.groups[self.group_of(agent)].is_dealer() {
            return;
        }
        for (_, sale) in &mut self.roster.sales {
            sale.excite(t);
        }
        self.sales_moved();
    }

    /// A sale feed's next wake-up may have moved: the earliest wake-up of all
    /// is looked for again.
    pub(super) fn sales_moved(&mut self) {
        if self.roster.sales.is_empty() {
            return;
        }
        let feeds = self.roster.feeds.iter().map(Feed::next_time);
        let sales = self.roster.sales.iter().map(|(_, s)| s.next_time());
        self.roster.next_wake_at = feeds.chain(sales).min().unwrap_or(i64::MAX);
    }

    /// Takes the sale wake-ups before `until` into `urges` (by id, one per
    /// agent) and drops the same agents' ordinary wake-ups from the batch:
    /// an agent decides once per lookahead window, and the urge wins.
    /// Returns the earliest sale feed's next wake-up after them.
    pub(super) fn take_urges(&mut self, until: i64) -> i64 {
        self.scratch.urges.clear();
        let mut next = i64::MAX;
        for (_, sale) in &mut self.roster.sales {
            sale.take_before(until, &mut self.scratch.urges);
            next = next.min(sale.next_time());
        }
        if !self.scratch.urges.is_empty() {
            self.scratch.urges.sort_unstable_by_key(|&(t, id)| (id, t));
            self.scratch.urges.dedup_by_key(|e| e.1);
            let urges = &self.scratch.urges;
            self.scratch.wakes.retain(|&(_, id)| urges.binary_search_by_key(&id, |u| u.1).is_err());
        }
        next
    }

    /// The urges to sell of this batch, decided on the batch's snapshot,
    /// their messages appended to `pending`.
    pub(super) fn decide_urges(&mut self) {
        let ctx = Context { snapshot: &self.snapshot, accounts: self.path.accounts() };
        for &(t, id) in &self.scratch.urges {
            let g = super::group_of(&self.roster.starts, id);
            self.roster.groups[g].urge_sell((t, id), &ctx, &mut self.scratch.pending);
        }
    }
}
