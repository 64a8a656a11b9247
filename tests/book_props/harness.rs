//! The harness: runs a stream against the book and the model in lockstep,
//! keeps each order's account and the running totals, and checks events,
//! views and conservation after every operation (the matching checks are in
//! `checks.rs`); `Stats` counts the interesting situations met.

use super::model::Model;
use super::ops::{NewPrice, NewQty, Op, Target};
use super::{Check, Orders, SIDES, better, done_of};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use tplus::book::{
    Book, BookEvent, DoneReason, Execution, MatchingRule, NewOrder, OrderId, Qty, RestingOrder, Side, Tick,
};

/// What the events (and replaces) have said so far about one accepted order.
#[derive(Debug)]
pub(crate) struct Account {
    /// Its quantity: as submitted, or as the last replace made it.
    pub(crate) qty: Qty,
    pub(crate) aon: bool,
    /// Set by its `Rested`.
    pub(crate) id: Option<OrderId>,
    pub(crate) traded: Qty,
    pub(crate) done: Option<DoneReason>,
    /// Its time priority while it rests: when it arrived, or was requeued.
    pub(crate) stamp: u64,
}

/// Running sums over all accepted orders.
#[derive(Debug, Default)]
pub(crate) struct Totals {
    pub(crate) submitted: u64,
    /// Lots replaces added to orders, and took away.
    pub(crate) added: u64,
    pub(crate) withdrawn: u64,
    /// Sum of trade quantities (each trade once).
    pub(crate) trades: u64,
    /// Quantity left unfilled when an order ended for each reason.
    pub(crate) cancelled: u64,
    pub(crate) expired: u64,
    pub(crate) unfilled: u64,
}

/// How often the interesting situations came up (for the vacuity checks).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Stats {
    pub(crate) trades: u64,
    pub(crate) multi_level_sweeps: u64,
    pub(crate) partial_resting_fills: u64,
    pub(crate) aon_incoming_filled: u64,
    pub(crate) aon_incoming_declined: u64,
    pub(crate) aon_resting_filled: u64,
    pub(crate) aon_skipped: u64,
    pub(crate) crossed_at_rest: u64,
    pub(crate) market_fills: u64,
    pub(crate) ioc_killed: u64,
    pub(crate) live_cancels: u64,
    pub(crate) stale_cancels: u64,
    pub(crate) clears: u64,
    pub(crate) rejected: u64,
    /// Price–size–time: a trade with an order that arrived after another
    /// still resting at its level.
    pub(crate) size_over_time: u64,
    /// Pro-rata: a matching that partly filled two or more orders of a level.
    pub(crate) shared_levels: u64,
    /// Pro-rata: the model's step 3 and 4 (see `ModelStats`).
    pub(crate) aon_left_out: u64,
    pub(crate) aon_offered_the_rest: u64,
    /// Replaces: a reduction kept in place; requeued (resting after, or
    /// filled); traded; to zero; of stale or forged ids; refused otherwise;
    /// a reduced AON order filled.
    pub(crate) replace_kept: u64,
    pub(crate) replace_requeued: u64,
    pub(crate) replace_traded: u64,
    pub(crate) replace_filled: u64,
    pub(crate) replace_zero: u64,
    pub(crate) replace_stale: u64,
    pub(crate) replace_refused: u64,
    pub(crate) aon_reduction_fills: u64,
}

impl Stats {
    pub(crate) fn fields(&mut self) -> [(&'static str, &mut u64); 26] {
        [
            ("trades", &mut self.trades),
            ("multi-level sweeps", &mut self.multi_level_sweeps),
            ("partial fills of resting orders", &mut self.partial_resting_fills),
            ("incoming AON fills", &mut self.aon_incoming_filled),
            ("incoming AON declined while crossing", &mut self.aon_incoming_declined),
            ("resting AON fills", &mut self.aon_resting_filled),
            ("resting AON orders skipped", &mut self.aon_skipped),
            ("crossed books at rest", &mut self.crossed_at_rest),
            ("market order fills", &mut self.market_fills),
            ("IOC/market remainders killed", &mut self.ioc_killed),
            ("cancels of live orders", &mut self.live_cancels),
            ("cancels of stale or forged ids", &mut self.stale_cancels),
            ("clears of a non-empty book", &mut self.clears),
            ("rejected submits", &mut self.rejected),
            ("trades where size beat time", &mut self.size_over_time),
            ("shared pro-rata levels", &mut self.shared_levels),
            ("AON orders left out of an allocation", &mut self.aon_left_out),
            ("AON orders filled by the rest of a level", &mut self.aon_offered_the_rest),
            ("reductions kept in place", &mut self.replace_kept),
            ("requeued replaces", &mut self.replace_requeued),
            ("replaces that traded", &mut self.replace_traded),
            ("replaces that filled", &mut self.replace_filled),
            ("replaces to zero", &mut self.replace_zero),
            ("replaces of stale or forged ids", &mut self.replace_stale),
            ("refused replaces", &mut self.replace_refused),
            ("reduced AON orders filled", &mut self.aon_reduction_fills),
        ]
    }

    pub(crate) fn add(&mut self, o: &Stats) {
        let mut o = *o;
        for ((_, mine), (_, theirs)) in self.fields().into_iter().zip(o.fields()) {
            *mine += *theirs;
        }
    }
}

pub(crate) struct Harness {
    pub(crate) book: Book,
    pub(crate) model: Model,
    pub(crate) rule: MatchingRule,
    pub(crate) n_ticks: u32,
    /// Indexed by tag; tag 0 and rejected submits have no account.
    pub(crate) accounts: Vec<Option<Account>>,
    /// Every id a submit returned, in order.
    pub(crate) returned: Vec<OrderId>,
    /// Next time stamp.
    pub(crate) clock: u64,
    pub(crate) totals: Totals,
    pub(crate) stats: Stats,
}

/// Runs one price–time stream, checking everything after every operation.
pub(crate) fn run(n_ticks: u32, capacity: usize, ops: &[Op]) -> Result<Stats, TestCaseError> {
    run_rule(MatchingRule::PriceTime, n_ticks, capacity, ops)
}

/// Runs one stream under `rule`, checking everything after every operation.
pub(crate) fn run_rule(rule: MatchingRule, n_ticks: u32, capacity: usize, ops: &[Op]) -> Result<Stats, TestCaseError> {
    let mut h = Harness {
        book: Book::with_rule(n_ticks, capacity, rule),
        model: Model::new(n_ticks, rule),
        rule,
        n_ticks,
        accounts: vec![None],
        returned: Vec::new(),
        clock: 0,
        totals: Totals::default(),
        stats: Stats::default(),
    };
    for (i, op) in ops.iter().enumerate() {
        h.step(op).map_err(|e| TestCaseError::fail(format!("{rule}, op #{i} {op:?}: {e}")))?;
    }
    h.stats.aon_left_out = h.model.stats.aon_left_out;
    h.stats.aon_offered_the_rest = h.model.stats.aon_offered_the_rest;
    Ok(h.stats)
}

impl Harness {
    pub(crate) fn snapshot(&self) -> [Orders; 2] {
        [self.book.orders(Side::Buy), self.book.orders(Side::Sell)]
    }

    pub(crate) fn account(&mut self, tag: u64) -> Result<&mut Account, TestCaseError> {
        self.accounts
            .get_mut(tag as usize)
            .and_then(Option::as_mut)
            .ok_or_else(|| TestCaseError::fail(format!("event names unknown order tag {tag}")))
    }

    pub(crate) fn stamp_of(&self, tag: u64) -> u64 {
        self.accounts.get(tag as usize).and_then(Option::as_ref).map_or(u64::MAX, |a| a.stamp)
    }

    pub(crate) fn resolve(&self, target: &Target, pre: &[Orders; 2]) -> OrderId {
        let live: Vec<OrderId> = pre.iter().flatten().map(|(id, _)| *id).collect();
        match target {
            Target::Returned(i) if !self.returned.is_empty() => self.returned[i.index(self.returned.len())],
            Target::Live(i) if !live.is_empty() => live[i.index(live.len())],
            Target::FreedGeneration(i) if !self.returned.is_empty() => {
                OrderId(self.returned[i.index(self.returned.len())].0 + (1 << 32))
            }
            Target::Fixed(id) => *id,
            _ => OrderId(0),
        }
    }

    /// A replace's price and quantity for the order `r` (if it rests).
    pub(crate) fn replace_terms(&self, r: Option<&RestingOrder>, p: NewPrice, q: NewQty) -> (Tick, Qty) {
        let (price, remaining) = r.map_or((0, 1), |r| (r.price, r.remaining));
        let price = match p {
            NewPrice::Same => price,
            NewPrice::Shift(d) => (i64::from(price) + i64::from(d)).clamp(0, i64::from(self.n_ticks) - 1) as Tick,
            NewPrice::Any(x) => x,
            NewPrice::OffGrid => self.n_ticks,
        };
        let qty = match q {
            NewQty::Zero => 0,
            NewQty::Less(i) => 1 + i.index(remaining as usize) as Qty,
            NewQty::Same => remaining,
            // Wrapping, as release builds (which CI tests with) always did:
            // after a `Huge` replace this gives a small quantity.
            NewQty::More(d) => remaining.wrapping_add(d),
            NewQty::Any(x) => x,
            NewQty::Huge => u32::MAX,
        };
        (price, qty)
    }

    pub(crate) fn step(&mut self, op: &Op) -> Check {
        let pre = self.snapshot();
        let mut ev = Vec::new();
        let mut requeued = None;
        match op {
            Op::Submit(o) => {
                let tag = self.accounts.len() as u64;
                let o = NewOrder { tag, ..*o };
                let res = self.book.submit(&o, &mut ev);
                let model = self.model.submit(&o, res.ok().flatten());
                match (res, model) {
                    (Err(e), Err(m)) => {
                        prop_assert_eq!(e, m, "wrong reject reason");
                        prop_assert!(ev.is_empty(), "rejected submit emitted {:?}", ev);
                        prop_assert_eq!(&self.snapshot(), &pre, "rejected submit changed the book");
                        self.accounts.push(None);
                        self.stats.rejected += 1;
                    }
                    (Ok(id), Ok(m)) => {
                        prop_assert_eq!(&ev, &m, "events differ from the model's");
                        self.accounts.push(Some(Account {
                            qty: o.qty,
                            aon: o.all_or_none,
                            id: None,
                            traded: 0,
                            done: None,
                            stamp: u64::MAX,
                        }));
                        self.totals.submitted += u64::from(o.qty);
                        self.returned.extend(id);
                        self.check_submit(&pre, &o, id, &ev)?;
                    }
                    (res, model) => prop_assert!(false, "book says {:?}, model says {:?}", res, model),
                }
            }
            Op::Cancel(target, reason) => {
                let id = self.resolve(target, &pre);
                let found = pre.iter().flatten().find(|(rid, _)| *rid == id).map(|(_, r)| *r);
                let ok = self.book.cancel(id, *reason, &mut ev);
                prop_assert_eq!(ok, found.is_some(), "cancel({:?}) result; resting: {:?}", id, found);
                prop_assert_eq!(&ev, &self.model.cancel(id, *reason), "events differ from the model's");
                let mut expected = pre.clone();
                match found {
                    Some(r) => {
                        prop_assert_eq!(&ev, &vec![done_of(id, &r, *reason)]);
                        expected[r.side as usize].retain(|(rid, _)| *rid != id);
                        self.stats.live_cancels += 1;
                    }
                    None => {
                        prop_assert!(ev.is_empty(), "failed cancel emitted {:?}", ev);
                        self.stats.stale_cancels += 1;
                    }
                }
                prop_assert_eq!(&self.snapshot(), &expected, "cancel left the wrong book");
            }
            Op::Replace(target, p, q) => {
                let id = self.resolve(target, &pre);
                let found = pre.iter().flatten().find(|(rid, _)| *rid == id).map(|(_, r)| *r);
                let (price, remaining) = self.replace_terms(found.as_ref(), *p, *q);
                let res = self.book.replace(id, price, remaining, &mut ev);
                let model = self.model.replace(id, price, remaining);
                match (res, model) {
                    (Err(e), Err(m)) => {
                        prop_assert_eq!(e, m, "wrong replace error");
                        prop_assert!(ev.is_empty(), "refused replace emitted {:?}", ev);
                        prop_assert_eq!(&self.snapshot(), &pre, "refused replace changed the book");
                    }
                    (Ok(r), Ok((m, mev))) => {
                        prop_assert_eq!(r, m, "replace result differs from the model's");
                        prop_assert_eq!(&ev, &mev, "events differ from the model's");
                    }
                    (res, model) => prop_assert!(false, "book says {:?}, model says {:?}", res, model),
                }
                requeued = self.check_replace(&pre, id, found, price, remaining, res, &ev)?;
            }
            Op::Clear => {
                self.book.clear(DoneReason::Expired, &mut ev);
                prop_assert_eq!(&ev, &self.model.clear(DoneReason::Expired), "events differ from the model's");
                // Bids first, then asks, each in priority order.
                let expected: Vec<BookEvent> =
                    pre.iter().flatten().map(|(rid, r)| done_of(*rid, r, DoneReason::Expired)).collect();
                prop_assert_eq!(&ev, &expected);
                self.stats.clears += u64::from(!ev.is_empty());
            }
        }
        self.record(&ev)?;
        if let Some(tag) = requeued {
            // A requeued order that still rests arrived again.
            let stamp = self.clock;
            self.clock += 1;
            self.account(tag)?.stamp = stamp;
        }
        self.check_views()?;
        self.check_accounts()
    }

    /// Books the events into the accounts: exactly one `Done` per order,
    /// per-order conservation, AON orders never partially filled.
    pub(crate) fn record(&mut self, ev: &[BookEvent]) -> Check {
        let mut aon_traded = Vec::new();
        for e in ev {
            match *e {
                BookEvent::Trade(Execution { qty, aggressor_tag, resting_tag, .. }) => {
                    self.totals.trades += u64::from(qty);
                    for tag in [aggressor_tag, resting_tag] {
                        let a = self.account(tag)?;
                        prop_assert!(a.done.is_none(), "order {} traded after its Done", tag);
                        a.traded += qty;
                        prop_assert!(a.traded <= a.qty, "order {} overfilled", tag);
                        if a.aon {
                            aon_traded.push(tag);
                        }
                    }
                }
                BookEvent::Rested { id, tag, remaining, .. } => {
                    let stamp = self.clock;
                    self.clock += 1;
                    let a = self.account(tag)?;
                    prop_assert!(a.id.is_none() && a.done.is_none(), "order {} rested twice or after its Done", tag);
                    prop_assert_eq!(remaining, a.qty - a.traded);
                    a.id = Some(id);
                    a.stamp = stamp;
                }
                BookEvent::Done { tag, qty, filled, reason, .. } => {
                    let a = self.account(tag)?;
                    prop_assert!(a.done.is_none(), "second Done for order {}", tag);
                    prop_assert_eq!(qty, a.qty);
                    prop_assert_eq!(filled, a.traded, "Done.filled of order {} disagrees with its trades", tag);
                    prop_assert_eq!(reason == DoneReason::Filled, filled == qty, "order {} done {:?}", tag, reason);
                    // Unfilled is for orders killed on arrival; Cancelled and
                    // Expired for orders taken off the book.
                    prop_assert_eq!(reason == DoneReason::Unfilled, a.id.is_none() && filled < qty);
                    a.done = Some(reason);
                    let left = u64::from(qty - filled);
                    match reason {
                        DoneReason::Filled => {}
                        DoneReason::Cancelled => self.totals.cancelled += left,
                        DoneReason::Expired => self.totals.expired += left,
                        DoneReason::Unfilled => self.totals.unfilled += left,
                    }
                }
            }
        }
        for tag in aon_traded {
            let a = self.account(tag)?;
            prop_assert!(
                a.traded == a.qty && a.done == Some(DoneReason::Filled),
                "AON order {} traded {} of {} in one matching",
                tag,
                a.traded,
                a.qty
            );
        }
        Ok(())
    }

    /// Resting orders versus the model, the rule's priority, the non-crossing
    /// invariant, and the book's other views versus `Book::orders`.
    pub(crate) fn check_views(&mut self) -> Check {
        let sides = self.snapshot();
        let mut buf = vec![(0, 0); self.n_ticks as usize + 1];
        for (&side, list) in SIDES.iter().zip(&sides) {
            prop_assert_eq!(list, &self.model.orders(side), "{:?} orders differ from the model's", side);
            for (id, r) in list {
                prop_assert_eq!(r.side, side);
                prop_assert!(r.remaining > 0 && r.remaining <= r.qty && r.price < self.n_ticks, "bad order {:?}", r);
                prop_assert!(!r.all_or_none || r.remaining == r.qty, "resting AON partially filled: {:?}", r);
                prop_assert_eq!(self.book.get(*id), Some(*r));
            }
            for w in list.windows(2) {
                let (a, b) = (&w[0].1, &w[1].1);
                let earlier = self.stamp_of(a.tag) < self.stamp_of(b.tag);
                let ordered = better(side, a.price, b.price)
                    || (a.price == b.price
                        && match self.rule {
                            MatchingRule::PriceSizeTime => {
                                a.remaining > b.remaining || (a.remaining == b.remaining && earlier)
                            }
                            _ => earlier,
                        });
                prop_assert!(ordered, "{:?} orders out of priority order: {:?} before {:?}", side, a, b);
            }
            let mut levels: Vec<(Tick, u64)> = Vec::new();
            for (_, r) in list {
                match levels.last_mut() {
                    Some((p, q)) if *p == r.price => *q += u64::from(r.remaining),
                    _ => levels.push((r.price, u64::from(r.remaining))),
                }
            }
            let best = match side {
                Side::Buy => self.book.best_bid(),
                Side::Sell => self.book.best_ask(),
            };
            prop_assert_eq!(best, levels.first().map(|l| l.0), "best {:?} price", side);
            let n = self.book.depth(side, &mut buf);
            prop_assert_eq!(&buf[..n], &levels[..], "{:?} depth", side);
            let n = self.book.depth(side, &mut buf[..2]);
            prop_assert_eq!(&buf[..n], &levels[..levels.len().min(2)], "{:?} depth into a short buffer", side);
            for p in (0..self.n_ticks + 2).chain([u32::MAX]) {
                let want = levels.iter().find(|l| l.0 == p).map_or(0, |l| l.1);
                prop_assert_eq!(self.book.qty_at(side, p), want, "{:?} qty_at({})", side, p);
            }
        }
        prop_assert_eq!(self.book.resting_orders(), sides[0].len() + sides[1].len());

        // Crossing pairs: bids best (highest) first, asks best (lowest) first.
        let mut crossed = false;
        for (_, b) in &sides[0] {
            for (_, a) in sides[1].iter().filter(|(_, a)| a.price <= b.price) {
                crossed = true;
                prop_assert!(b.all_or_none || a.all_or_none, "crossed non-AON orders: bid {:?}, ask {:?}", b, a);
                prop_assert!(b.all_or_none || a.remaining > b.remaining, "AON ask {:?} not larger than bid {:?}", a, b);
                prop_assert!(a.all_or_none || b.remaining > a.remaining, "AON bid {:?} not larger than ask {:?}", b, a);
            }
        }
        self.stats.crossed_at_rest += u64::from(crossed);
        Ok(())
    }

    /// Every accepted order is either done or resting under its id, and the
    /// quantities add up.
    pub(crate) fn check_accounts(&self) -> Check {
        let (mut live, mut traded, mut resting) = (0, 0u64, 0u64);
        for (tag, a) in self.accounts.iter().enumerate() {
            let Some(a) = a else { continue };
            traded += u64::from(a.traded);
            match (a.done, a.id) {
                (None, None) => prop_assert!(false, "order {} neither rests nor is done", tag),
                (None, Some(id)) => {
                    let r = self.book.get(id).ok_or_else(|| TestCaseError::fail(format!("order {tag} lost")))?;
                    prop_assert_eq!((r.tag, r.qty, r.remaining), (tag as u64, a.qty, a.qty - a.traded));
                    live += 1;
                    resting += u64::from(r.remaining);
                }
                (Some(_), Some(id)) => {
                    prop_assert_eq!(self.book.get(id), None, "stale id of done order {} still resolves", tag)
                }
                (Some(_), None) => {}
            }
        }
        prop_assert_eq!(live, self.book.resting_orders(), "resting orders versus open accounts");
        let t = &self.totals;
        prop_assert_eq!(traded, 2 * t.trades, "per-order fills versus trades");
        prop_assert_eq!(
            t.submitted + t.added - t.withdrawn,
            traded + t.cancelled + t.expired + t.unfilled + resting,
            "submitted + added - withdrawn = traded + cancelled + expired + unfilled + resting; {:?}, traded {}, resting {}",
            t,
            traded,
            resting
        );
        Ok(())
    }
}
