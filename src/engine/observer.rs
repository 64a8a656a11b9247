//! What the engine does with the order path's news: the metrics, the trade
//! and operation records, the run's counts, and each agent's memory of its
//! resting orders. One [`Observer`] borrows those parts of the engine for
//! one call into the [`OrderPath`](super::order_path::OrderPath).

use super::control::Watch;
use super::order_path::{Closed, Fill, PathObserver, Replaced};
use super::record::{Op, OpRecord, Recorder, TradeRecord};
use super::{RunStats, group_of};
use crate::agents::{LiveOrder, OrderRequest, Population};
use crate::book::{OrderId, OrderKind, Side};
use crate::calendar::Calendar;
use crate::metrics::Metrics;
use crate::platform::{PLATFORM, Reject};
use crate::units::Nanos;

/// The engine's parts the order path's news changes, for one call.
pub(super) struct Observer<'a> {
    pub cal: &'a Calendar,
    pub day: u32,
    pub metrics: &'a mut Metrics,
    pub rec: &'a mut dyn Recorder,
    pub log_ops: bool,
    pub stats: &'a mut RunStats,
    pub groups: &'a mut [Box<dyn Population>],
    pub group_starts: &'a [u32],
    /// The customer a caller controls, whose orders are tallied.
    pub watch: &'a mut Watch,
}

impl Observer<'_> {
    /// Logs the record `op` builds; built only when logged, since filling
    /// a record on every event costs more than the branch.
    #[inline]
    fn log(&mut self, op: impl FnOnce() -> OpRecord) {
        if self.log_ops {
            record_op(self.rec, op);
        }
    }

    /// Logs `op` of order `serial`, as its request describes it.
    #[inline]
    fn log_order(&mut self, t: Nanos, op: Op, serial: u64, agent: u32, r: &OrderRequest) {
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

    #[inline]
    fn live_mut(&mut self, id: u32) -> &mut [LiveOrder; 2] {
        let g = group_of(self.group_starts, id);
        self.groups[g].live_mut(id)
    }
}

/// Builds and logs one record: out of line, so that a run without the
/// operation log keeps only a branch and a call on its hot path.
#[inline(never)]
fn record_op(rec: &mut dyn Recorder, op: impl FnOnce() -> OpRecord) {
    rec.op(&op());
}

impl PathObserver for Observer<'_> {
    #[inline]
    fn submitted(&mut self, t: Nanos, serial: u64, agent: u32, r: &OrderRequest) {
        self.stats.orders += 1;
        if self.watch.is(agent) {
            self.watch.submitted(r.lots);
        }
        self.log_order(t, Op::Submitted, serial, agent, r);
        if agent != PLATFORM {
            let w = self.cal.window_of(self.day, t);
            self.metrics.submitted(w, r.product as usize, r.side, agent);
        }
    }

    #[inline]
    fn rejected(&mut self, t: Nanos, serial: u64, agent: u32, r: &OrderRequest, why: Reject) {
        if agent != PLATFORM {
            let w = self.cal.window_of(self.day, t);
            self.metrics.rejected(w, r.product as usize, r.side, r.lots, why);
        }
        if self.watch.is(agent) {
            self.watch.rejected(why);
        }
        self.log_order(t, Op::Rejected(why.name()), serial, agent, r);
    }

    #[inline]
    fn accepted(&mut self, t: Nanos, serial: u64, agent: u32, r: &OrderRequest) {
        self.log_order(t, Op::Accepted, serial, agent, r);
    }

    #[inline]
    fn traded(&mut self, t: Nanos, f: &Fill) {
        let w = self.cal.window_of(self.day, t);
        self.metrics.traded(w, f.product, f.price, f.lots, f.value);
        match (f.buyer, f.seller) {
            (PLATFORM, PLATFORM) => {}
            (PLATFORM, _) => self.metrics.primary(f.product, Side::Sell, f.lots),
            (_, PLATFORM) => self.metrics.primary(f.product, Side::Buy, f.lots),
            _ => {}
        }
        let open = self.cal.day(self.day).open;
        self.metrics.grid.trade(self.day, t - open, f.product, f.lots, f.aggressor == Side::Buy);
        self.stats.trades += 1;
        if self.watch.is(f.buyer) || self.watch.is(f.seller) {
            self.watch.traded(f);
        }
        self.rec.trade(&TradeRecord {
            time: t,
            product: f.product as u16,
            price: f.price,
            lots: f.lots,
            buyer: f.buyer,
            seller: f.seller,
            buy_order: f.buy_order,
            sell_order: f.sell_order,
            aggressor: f.aggressor,
        });
        for (agent, order, side) in [(f.buyer, f.buy_order, Side::Buy), (f.seller, f.sell_order, Side::Sell)] {
            self.log(|| OpRecord {
                time: t,
                op: Op::Traded,
                order,
                agent,
                product: f.product as u16,
                side: Some(side),
                kind: None,
                all_or_none: false,
                price: Some(f.price),
                lots: f.lots,
            });
        }
    }

    #[inline]
    fn rested(&mut self, _t: Nanos, product: usize, id: OrderId, side: Side, owner: u32, serial: u64) {
        if owner != PLATFORM {
            self.live_mut(owner)[side as usize] = LiveOrder::new(product as u16, id, serial);
        }
        if self.watch.is(owner) {
            self.watch.rested(product, id, side, serial);
        }
    }

    #[inline]
    fn closed(&mut self, t: Nanos, c: &Closed) {
        if c.owner != PLATFORM {
            let w = self.cal.window_of(self.day, t);
            self.metrics.closed(w, c.product, c.side, c.lots, c.filled, c.fill_secs);
            let live = &mut self.live_mut(c.owner)[c.side as usize];
            if live.matches(c.serial) {
                *live = LiveOrder::NONE;
            }
        }
        if self.watch.is(c.owner) {
            self.watch.closed(c);
        }
        let op = Op::from(c.reason);
        self.log(|| OpRecord {
            time: t,
            op,
            order: c.serial,
            agent: c.owner,
            product: c.product as u16,
            side: Some(c.side),
            kind: None,
            all_or_none: false,
            price: None,
            lots: c.lots - c.filled,
        });
    }

    #[inline]
    fn cancel_requested(&mut self, t: Nanos, agent: u32, product: usize, found: Option<(u64, Side)>) {
        self.stats.cancels += 1;
        self.metrics.cancel_requested(product, found.is_none());
        if self.watch.is(agent) {
            self.watch.cancel_requested(found.is_some());
        }
        self.log(|| OpRecord {
            time: t,
            op: if found.is_some() { Op::CancelRequested } else { Op::CancelTooLate },
            order: found.map_or(0, |f| f.0),
            agent,
            product: product as u16,
            side: found.map(|f| f.1),
            kind: None,
            all_or_none: false,
            price: None,
            lots: 0,
        });
    }

    #[inline]
    fn replace_requested(&mut self, t: Nanos, r: &Replaced) {
        self.stats.replaces += 1;
        self.log(|| OpRecord {
            time: t,
            op: match (r.found, r.refused) {
                (None, _) => Op::ReplaceTooLate,
                (Some(_), Some(why)) => Op::ReplaceRejected(why.name()),
                (Some(_), None) => Op::Replaced,
            },
            order: r.found.map_or(0, |f| f.0),
            agent: r.agent,
            product: r.product as u16,
            side: r.found.map(|f| f.1),
            kind: None,
            all_or_none: false,
            price: Some(r.price),
            lots: r.lots,
        });
    }
}
