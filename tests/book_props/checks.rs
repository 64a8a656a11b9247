//! The model-free checks of one submit's or replace's events against the
//! book as it was before: the matching's order and prices, AON all-or-none,
//! and the shape of the event list.

use super::harness::Harness;
use super::{Check, Orders, better, done_of, limit_of, reaches};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use tplus::book::{
    BookEvent, DoneReason, Execution, MatchingRule, NewOrder, OrderId, OrderKind, Qty, ReplaceError, RestingOrder, Tick,
};

impl Harness {
    /// Model-free checks of one accepted submit's events against the book as
    /// it was before (`pre`).
    pub(crate) fn check_submit(
        &mut self,
        pre: &[Orders; 2],
        o: &NewOrder,
        id: Option<OrderId>,
        ev: &[BookEvent],
    ) -> Check {
        let limit = limit_of(o, self.n_ticks);
        let (last, body) = ev.split_last().ok_or_else(|| TestCaseError::fail("accepted submit emitted nothing"))?;
        let filled = self.check_matching(pre, o, limit, body, ev)?;

        // Then the incoming order's own Rested or Done.
        let remaining = o.qty - filled;
        match *last {
            BookEvent::Rested { id: rid, side, price, remaining: rem, owner, tag } => {
                prop_assert_eq!(Some(rid), id, "Rested id differs from the returned one");
                prop_assert!(o.kind == OrderKind::Limit && remaining > 0, "{:?} rested", o);
                prop_assert_eq!((side, price, rem, owner, tag), (o.side, o.price, remaining, o.owner, o.tag));
            }
            BookEvent::Done { .. } => {
                prop_assert_eq!(id, None, "order done on arrival returned an id");
                prop_assert!(remaining == 0 || o.kind != OrderKind::Limit, "limit remainder not rested");
                let reason = if remaining == 0 { DoneReason::Filled } else { DoneReason::Unfilled };
                let done = BookEvent::Done {
                    side: o.side,
                    price: limit,
                    owner: o.owner,
                    tag: o.tag,
                    qty: o.qty,
                    filled,
                    reason,
                    resting: None,
                };
                prop_assert_eq!(*last, done);
                self.stats.ioc_killed += u64::from(remaining > 0 && !o.all_or_none);
            }
            BookEvent::Trade(_) => prop_assert!(false, "submit's last event is a trade: {:?}", ev),
        }
        self.stats.aon_incoming_filled += u64::from(o.all_or_none && filled > 0);
        self.stats.market_fills += u64::from(o.kind == OrderKind::Market && filled > 0);
        Ok(())
    }

    /// Model-free checks of a matching: `body`, part of `ev`, must be the
    /// trades of aggressor `o` (with effective limit `limit`) against the
    /// opposite side of `pre`, each completing one followed by that order's
    /// `Done`, as the rule orders them. Returns the lots the aggressor filled.
    pub(crate) fn check_matching(
        &mut self,
        pre: &[Orders; 2],
        o: &NewOrder,
        limit: Tick,
        body: &[BookEvent],
        ev: &[BookEvent],
    ) -> Result<Qty, TestCaseError> {
        let greedy = self.rule != MatchingRule::ProRata;
        let opp = &pre[o.side.opposite() as usize];
        let mut filled = 0;
        // Positions in `opp` traded with, and the lots each took.
        let mut traded: Vec<usize> = Vec::new();
        let mut share = vec![0; opp.len()];
        let mut partial = false;
        let mut partials = 0;
        let mut i = 0;
        while i < body.len() {
            let BookEvent::Trade(Execution {
                price,
                qty,
                aggressor_side,
                aggressor_owner,
                aggressor_tag,
                resting_owner,
                resting_tag,
                resting_id,
            }) = body[i]
            else {
                return Err(TestCaseError::fail(format!("expected a trade, got {:?} in {:?}", body[i], ev)));
            };
            prop_assert!(!greedy || !partial, "trade after a partial fill: {:?}", ev);
            prop_assert_eq!((aggressor_side, aggressor_owner, aggressor_tag), (o.side, o.owner, o.tag));
            let pos = opp.iter().position(|(rid, _)| *rid == resting_id);
            let pos = pos.ok_or_else(|| TestCaseError::fail(format!("trade with a non-resting order: {ev:?}")))?;
            let r = &opp[pos].1;
            // Priority order: matching only moves forward in the queue.
            prop_assert!(traded.last().is_none_or(|&p| p < pos), "trades out of priority order: {:?}", ev);
            prop_assert_eq!((resting_owner, resting_tag), (r.owner, r.tag));
            prop_assert_eq!(price, r.price, "fill not at the resting order's price");
            prop_assert!(reaches(o.side, limit, price), "fill at {} beyond limit {}", price, limit);
            prop_assert!(qty > 0 && qty <= r.remaining, "trade qty {} vs remaining {}", qty, r.remaining);
            if let Some(&p) = traded.last() {
                let prev = opp[p].1.price;
                prop_assert!(!better(o.side.opposite(), price, prev), "sweep prices not monotone: {:?}", ev);
            }
            // An order that arrived after a plain one still waiting at its
            // level (not traded in this matching so far).
            let stamp = self.stamp_of(r.tag);
            let overtook = opp.iter().enumerate().any(|(p, (_, x))| {
                x.price == r.price && !x.all_or_none && self.stamp_of(x.tag) < stamp && !traded.contains(&p)
            });
            self.stats.size_over_time += u64::from(overtook);
            traded.push(pos);
            share[pos] = qty;
            filled += qty;
            if qty == r.remaining {
                i += 1;
                prop_assert_eq!(
                    body.get(i),
                    Some(&done_of(resting_id, &RestingOrder { remaining: 0, ..*r }, DoneReason::Filled)),
                    "completing trade not followed by Done"
                );
                self.stats.aon_resting_filled += u64::from(r.all_or_none);
            } else {
                prop_assert!(!r.all_or_none, "resting AON order partially filled: {:?}", ev);
                partial = true;
                partials += 1;
                self.stats.partial_resting_fills += 1;
            }
            i += 1;
        }
        self.stats.trades += traded.len() as u64;
        if let (Some(&first), Some(&last)) = (traded.first(), traded.last()) {
            self.stats.multi_level_sweeps += u64::from(opp[first].1.price != opp[last].1.price);
        }
        prop_assert!(filled <= o.qty, "overfilled incoming order");
        prop_assert!(!greedy || !partial || filled == o.qty, "partial fill before the aggressor was filled");
        if o.all_or_none {
            prop_assert!(filled == 0 || filled == o.qty, "incoming AON partially filled: {:?}", ev);
        }
        let remaining = o.qty - filled;

        if greedy {
            // No non-AON order was jumped: every one ahead of the last order
            // traded was traded too (and, not being last, in full).
            if let Some(&last_pos) = traded.last() {
                for (p, (_, r)) in opp.iter().enumerate().take(last_pos) {
                    let skipped = !traded.contains(&p);
                    prop_assert!(!skipped || r.all_or_none, "non-AON order {:?} jumped: {:?}", r, ev);
                    self.stats.aon_skipped += u64::from(skipped);
                }
            }
        } else if let Some(&last_pos) = traded.last() {
            // Pro-rata: it moved on from a level only with every non-AON
            // order there filled; at its last level it shared its lots in
            // proportion, within a lot.
            let last_price = opp[last_pos].1.price;
            for (p, (_, r)) in opp.iter().enumerate().take(last_pos) {
                if r.price != last_price {
                    prop_assert!(
                        r.all_or_none || share[p] == r.remaining,
                        "non-AON order {:?} not filled at a level left behind: {:?}",
                        r,
                        ev
                    );
                    self.stats.aon_skipped += u64::from(share[p] == 0);
                }
            }
            let level: Vec<(Qty, Qty)> = (0..opp.len())
                .filter(|&p| opp[p].1.price == last_price && !opp[p].1.all_or_none)
                .map(|p| (share[p], opp[p].1.remaining))
                .collect();
            for &(si, qi) in &level {
                for &(sj, qj) in &level {
                    let (a, b) = (u64::from(si) * u64::from(qj), u64::from(sj) * u64::from(qi));
                    prop_assert!(
                        a.abs_diff(b) < u64::from(qi) + u64::from(qj),
                        "shares {}/{} and {}/{} out of proportion: {:?}",
                        si,
                        qi,
                        sj,
                        qj,
                        ev
                    );
                }
            }
            self.stats.shared_levels += u64::from(partials >= 2);
        }
        let within: Vec<(usize, &RestingOrder)> =
            opp.iter().map(|(_, r)| r).enumerate().filter(|(_, r)| reaches(o.side, limit, r.price)).collect();
        if o.all_or_none && filled == 0 {
            // Declined by the dry run: then the non-AON orders within reach
            // could not fill it (matching takes all of them or ends filled).
            let plain: u64 = within.iter().filter(|(_, r)| !r.all_or_none).map(|(_, r)| u64::from(r.remaining)).sum();
            prop_assert!(plain < u64::from(o.qty), "AON declined with {} non-AON lots within reach", plain);
            self.stats.aon_incoming_declined += u64::from(!within.is_empty());
        } else if remaining > 0 {
            // A remainder is left only behind AON orders too large for it.
            for (p, r) in &within {
                prop_assert!(
                    traded.contains(p) || (r.all_or_none && r.remaining > remaining),
                    "{} lots left unfilled with {:?} within reach",
                    remaining,
                    r
                );
            }
        }
        Ok(filled)
    }

    /// Model-free checks of a replace of `id` (the order `found`, if it
    /// rested) to `price` and `remaining`, which returned `res` and emitted
    /// `ev`; updates the order's account. Returns the tag of a requeued
    /// order that still rests.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn check_replace(
        &mut self,
        pre: &[Orders; 2],
        id: OrderId,
        found: Option<RestingOrder>,
        price: Tick,
        remaining: Qty,
        res: Result<Option<OrderId>, ReplaceError>,
        ev: &[BookEvent],
    ) -> Result<Option<u64>, TestCaseError> {
        let Some(r) = found else {
            prop_assert_eq!(res, Err(ReplaceError::UnknownOrder));
            self.stats.replace_stale += 1;
            return Ok(None);
        };
        if remaining == 0 {
            prop_assert_eq!(res, Ok(None));
            prop_assert_eq!(ev, &[done_of(id, &r, DoneReason::Cancelled)][..], "replace to zero is not a cancel");
            self.stats.replace_zero += 1;
            return Ok(None);
        }
        let filled_before = r.qty - r.remaining;
        if price >= self.n_ticks || filled_before.checked_add(remaining).is_none() {
            let why =
                if price >= self.n_ticks { ReplaceError::PriceOutOfRange } else { ReplaceError::QuantityOverflow };
            prop_assert_eq!(res, Err(why));
            self.stats.replace_refused += 1;
            return Ok(None);
        }
        let qty = filled_before + remaining;
        let requeued = r.requeues(price, remaining);
        prop_assert_eq!(requeued, price != r.price || remaining > r.remaining);
        // The account takes the new quantity before the trades are recorded.
        let a = self.account(r.tag)?;
        a.qty = qty;
        if remaining > r.remaining {
            self.totals.added += u64::from(remaining - r.remaining);
        } else {
            self.totals.withdrawn += u64::from(r.remaining - remaining);
        }
        if !requeued && ev.is_empty() {
            prop_assert_eq!(res, Ok(Some(id)));
            if r.all_or_none {
                // Its dry run, if it crosses, declined it.
                let o = NewOrder {
                    side: r.side,
                    kind: OrderKind::Limit,
                    price,
                    qty: remaining,
                    all_or_none: true,
                    owner: r.owner,
                    tag: r.tag,
                };
                self.check_matching(pre, &o, price, &[], ev)?;
            }
            let now = self.book.get(id).ok_or_else(|| TestCaseError::fail("reduced order gone"))?;
            prop_assert_eq!(now, RestingOrder { remaining, qty, ..r });
            self.stats.replace_kept += 1;
            return Ok(None);
        }
        // Trades as an incoming limit order (whole, for an AON order), then
        // its Done if it filled.
        let o = NewOrder {
            side: r.side,
            kind: OrderKind::Limit,
            price,
            qty: remaining,
            all_or_none: r.all_or_none,
            owner: r.owner,
            tag: r.tag,
        };
        let done = done_of(id, &RestingOrder { price, remaining: 0, qty, ..r }, DoneReason::Filled);
        let body = match res {
            Ok(None) => {
                prop_assert_eq!(ev.last(), Some(&done), "a replace that filled must end with its Done");
                &ev[..ev.len() - 1]
            }
            _ => ev,
        };
        let traded = self.check_matching(pre, &o, price, body, ev)?;
        self.stats.replace_traded += u64::from(traded > 0);
        if !requeued {
            // Only a reduced AON order trades, and then whole.
            prop_assert!(r.all_or_none && traded == remaining && res == Ok(None), "reduction traded: {:?}", ev);
            self.stats.aon_reduction_fills += 1;
            return Ok(None);
        }
        self.stats.replace_requeued += 1;
        match res {
            Ok(None) => {
                prop_assert_eq!(traded, remaining);
                self.stats.replace_filled += 1;
                Ok(None)
            }
            Ok(Some(rid)) => {
                prop_assert_eq!(rid, id, "a replace keeps the id");
                prop_assert!(traded < remaining);
                let now = self.book.get(id).ok_or_else(|| TestCaseError::fail("requeued order gone"))?;
                prop_assert_eq!(now, RestingOrder { price, remaining: remaining - traded, qty, ..r });
                Ok(Some(r.tag))
            }
            Err(e) => Err(TestCaseError::fail(format!("valid replace refused: {e:?}"))),
        }
    }
}
