//! The reference model: a naive book written for obviousness rather than
//! speed (see the binary's docs), and the pro-rata allocation at one level.

use super::{Orders, SIDES, done_of, limit_of, reaches};
use tplus::book::{
    BookEvent, DoneReason, Execution, MatchingRule, NewOrder, OrderId, OrderKind, Qty, RejectReason, ReplaceError,
    RestingOrder, Side, Tick,
};

/// The pro-rata rule at one level, steps 1–4 of the `tplus::book` module docs: given the
/// incoming lots `r` and the level's orders in time priority as (remaining
/// quantity, AON), the lots allotted to each and the lots left over.
pub(crate) fn allocate(r: Qty, orders: &[(Qty, bool)], stats: &mut ModelStats) -> (Vec<Qty>, Qty) {
    let n = orders.len();
    // Step 1: P is every order of the level.
    let mut in_p = vec![true; n];
    let mut shares;
    loop {
        // Step 2.
        let t: u64 = (0..n).filter(|&i| in_p[i]).map(|i| u64::from(orders[i].0)).sum();
        shares = vec![0; n];
        if u64::from(r) >= t {
            for i in (0..n).filter(|&i| in_p[i]) {
                shares[i] = orders[i].0;
            }
        } else {
            for i in (0..n).filter(|&i| in_p[i]) {
                shares[i] = (u128::from(orders[i].0) * u128::from(r) / u128::from(t)) as Qty;
            }
            let mut odd = r - shares.iter().sum::<Qty>();
            for i in (0..n).filter(|&i| in_p[i]) {
                if odd == 0 {
                    break;
                }
                shares[i] += 1;
                odd -= 1;
            }
        }
        // Step 3.
        let short: Vec<usize> = (0..n).filter(|&i| in_p[i] && orders[i].1 && shares[i] < orders[i].0).collect();
        if short.is_empty() {
            break;
        }
        stats.aon_left_out += 1;
        for i in short {
            in_p[i] = false;
        }
    }
    // Step 4.
    let mut left = r - shares.iter().sum::<Qty>();
    for i in (0..n).filter(|&i| !in_p[i]) {
        if orders[i].0 <= left {
            shares[i] = orders[i].0;
            left -= orders[i].0;
            stats.aon_offered_the_rest += 1;
        }
    }
    (shares, left)
}

/// What the model saw happen inside pro-rata allocations.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct ModelStats {
    /// Step 3 took AON orders out of `P`.
    pub(crate) aon_left_out: u64,
    /// Step 4 filled an AON order taken out.
    pub(crate) aon_offered_the_rest: u64,
}

/// The naive reference book (see the docs atop `main.rs`).
pub(crate) struct Model {
    pub(crate) n_ticks: u32,
    pub(crate) rule: MatchingRule,
    /// Resting orders in time priority, under the ids the real book gave them.
    pub(crate) resting: Vec<(OrderId, RestingOrder)>,
    pub(crate) stats: ModelStats,
}

impl Model {
    pub(crate) fn new(n_ticks: u32, rule: MatchingRule) -> Model {
        Model { n_ticks, rule, resting: Vec::new(), stats: ModelStats::default() }
    }

    /// Indices into `resting` of one side's orders in priority order: better
    /// price first, then (price–size–time) larger remaining quantity, then
    /// time priority (the sort is stable).
    pub(crate) fn queue(&self, side: Side) -> Vec<usize> {
        let mut q: Vec<usize> = (0..self.resting.len()).filter(|&i| self.resting[i].1.side == side).collect();
        q.sort_by_key(|&i| {
            let r = &self.resting[i].1;
            let p = i64::from(r.price);
            let size = if self.rule == MatchingRule::PriceSizeTime { -i64::from(r.remaining) } else { 0 };
            (if side == Side::Buy { -p } else { p }, size)
        });
        q
    }

    pub(crate) fn orders(&self, side: Side) -> Orders {
        self.queue(side).into_iter().map(|i| self.resting[i]).collect()
    }

    /// Which resting orders an aggressor on `side` with `limit` and `qty`
    /// fills, and by how much, in the order of the trades.
    pub(crate) fn matching(&mut self, side: Side, limit: Tick, qty: Qty) -> Vec<(usize, Qty)> {
        match self.rule {
            MatchingRule::PriceTime | MatchingRule::PriceSizeTime => self.greedy(side, limit, qty),
            MatchingRule::ProRata => self.pro_rata(side, limit, qty),
        }
    }

    /// The greedy walk over the opposite queue.
    pub(crate) fn greedy(&self, side: Side, limit: Tick, qty: Qty) -> Vec<(usize, Qty)> {
        let mut left = qty;
        let mut fills = Vec::new();
        for i in self.queue(side.opposite()) {
            let r = &self.resting[i].1;
            if left == 0 || !reaches(side, limit, r.price) {
                break;
            }
            if r.remaining <= left {
                fills.push((i, r.remaining));
                left -= r.remaining;
            } else if !r.all_or_none {
                fills.push((i, left));
                left = 0;
            }
            // Else: an AON order too large for what is left is skipped and
            // keeps its place.
        }
        fills
    }

    /// Pro-rata: the opposite levels in price order, each by [`allocate`].
    pub(crate) fn pro_rata(&mut self, side: Side, limit: Tick, qty: Qty) -> Vec<(usize, Qty)> {
        let queue = self.queue(side.opposite());
        let mut left = qty;
        let mut fills = Vec::new();
        for level in queue.chunk_by(|&a, &b| self.resting[a].1.price == self.resting[b].1.price) {
            if left == 0 || !reaches(side, limit, self.resting[level[0]].1.price) {
                break;
            }
            let orders: Vec<(Qty, bool)> =
                level.iter().map(|&i| (self.resting[i].1.remaining, self.resting[i].1.all_or_none)).collect();
            let (shares, rest) = allocate(left, &orders, &mut self.stats);
            fills.extend(level.iter().zip(shares).filter(|(_, s)| *s > 0).map(|(&i, s)| (i, s)));
            left = rest;
        }
        fills
    }

    /// Trades incoming (or requeued) order `o` against `fills`: the events,
    /// and the lots filled.
    pub(crate) fn trade(&mut self, o: &NewOrder, fills: Vec<(usize, Qty)>, events: &mut Vec<BookEvent>) -> Qty {
        let mut filled = 0;
        for (i, q) in fills {
            let (rid, r) = &mut self.resting[i];
            r.remaining -= q;
            filled += q;
            events.push(BookEvent::Trade(Execution {
                price: r.price,
                qty: q,
                aggressor_side: o.side,
                aggressor_owner: o.owner,
                aggressor_tag: o.tag,
                resting_owner: r.owner,
                resting_tag: r.tag,
                resting_id: *rid,
            }));
            if r.remaining == 0 {
                events.push(done_of(*rid, r, DoneReason::Filled));
            }
        }
        self.resting.retain(|(_, r)| r.remaining > 0);
        filled
    }

    /// Submits `o`. Ids are the real book's to choose, so `id` (what the book
    /// returned) is adopted if the order rests.
    pub(crate) fn submit(&mut self, o: &NewOrder, id: Option<OrderId>) -> Result<Vec<BookEvent>, RejectReason> {
        if o.qty == 0 {
            return Err(RejectReason::ZeroQuantity);
        }
        if o.kind != OrderKind::Market && o.price >= self.n_ticks {
            return Err(RejectReason::PriceOutOfRange);
        }
        let limit = limit_of(o, self.n_ticks);
        let mut fills = self.matching(o.side, limit, o.qty);
        if o.all_or_none && fills.iter().map(|f| f.1).sum::<Qty>() < o.qty {
            // The dry run would not fill it whole: no trades at all.
            fills.clear();
        }
        let mut events = Vec::new();
        let filled = self.trade(o, fills, &mut events);
        let remaining = o.qty - filled;
        if remaining > 0 && o.kind == OrderKind::Limit {
            let id = id.unwrap_or(OrderId(0));
            let r = RestingOrder {
                side: o.side,
                price: o.price,
                remaining,
                qty: o.qty,
                all_or_none: o.all_or_none,
                owner: o.owner,
                tag: o.tag,
            };
            events.push(BookEvent::Rested { id, side: o.side, price: o.price, remaining, owner: o.owner, tag: o.tag });
            self.resting.push((id, r));
        } else {
            let reason = if remaining == 0 { DoneReason::Filled } else { DoneReason::Unfilled };
            events.push(BookEvent::Done {
                side: o.side,
                price: limit,
                owner: o.owner,
                tag: o.tag,
                qty: o.qty,
                filled,
                reason,
                resting: None,
            });
        }
        Ok(events)
    }

    pub(crate) fn cancel(&mut self, id: OrderId, reason: DoneReason) -> Vec<BookEvent> {
        match self.resting.iter().position(|(rid, _)| *rid == id) {
            Some(i) => {
                let (rid, r) = self.resting.remove(i);
                vec![done_of(rid, &r, reason)]
            }
            None => Vec::new(),
        }
    }

    /// `Book::replace`, as the `tplus::book` module docs tell it.
    pub(crate) fn replace(
        &mut self,
        id: OrderId,
        price: Tick,
        remaining: Qty,
    ) -> Result<(Option<OrderId>, Vec<BookEvent>), ReplaceError> {
        let i = self.resting.iter().position(|(rid, _)| *rid == id).ok_or(ReplaceError::UnknownOrder)?;
        if remaining == 0 {
            return Ok((None, self.cancel(id, DoneReason::Cancelled)));
        }
        if price >= self.n_ticks {
            return Err(ReplaceError::PriceOutOfRange);
        }
        let r = self.resting[i].1;
        let qty = (r.qty - r.remaining).checked_add(remaining).ok_or(ReplaceError::QuantityOverflow)?;
        let o = NewOrder {
            side: r.side,
            kind: OrderKind::Limit,
            price,
            qty: remaining,
            all_or_none: r.all_or_none,
            owner: r.owner,
            tag: r.tag,
        };
        let mut events = Vec::new();
        let filled_now = RestingOrder { price, remaining: 0, qty, ..r };
        if price == r.price && remaining <= r.remaining {
            // A reduction: same place in time priority.
            self.resting[i].1.remaining = remaining;
            self.resting[i].1.qty = qty;
            if !r.all_or_none {
                return Ok((Some(id), events));
            }
            // A reduced AON order fills now if it can, whole; else it stays.
            let fills = self.matching(o.side, price, remaining);
            if fills.iter().map(|f| f.1).sum::<Qty>() < remaining {
                return Ok((Some(id), events));
            }
            self.trade(&o, fills, &mut events);
            self.resting.retain(|(rid, _)| *rid != id);
            events.push(done_of(id, &filled_now, DoneReason::Filled));
            return Ok((None, events));
        }
        // Requeued: out of the book, and in again as an incoming limit order
        // would come, under the same id.
        self.resting.remove(i);
        let mut fills = self.matching(o.side, price, remaining);
        if o.all_or_none && fills.iter().map(|f| f.1).sum::<Qty>() < remaining {
            fills.clear();
        }
        let left = remaining - self.trade(&o, fills, &mut events);
        if left == 0 {
            events.push(done_of(id, &filled_now, DoneReason::Filled));
            return Ok((None, events));
        }
        self.resting.push((id, RestingOrder { price, remaining: left, qty, ..r }));
        Ok((Some(id), events))
    }

    pub(crate) fn clear(&mut self, reason: DoneReason) -> Vec<BookEvent> {
        let events = SIDES
            .iter()
            .flat_map(|&s| self.queue(s))
            .map(|i| done_of(self.resting[i].0, &self.resting[i].1, reason))
            .collect();
        self.resting.clear();
        events
    }
}
