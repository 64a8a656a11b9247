//! What the engine tells the outside world as it runs: every trade, and (when
//! asked) every operation. The engine only calls a [`Recorder`]; files,
//! terminal views and tests decide what to do with the records.

use crate::book::{DoneReason, OrderKind, Side};
use crate::units::ProductIndex;

/// One execution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TradeRecord {
    /// When the trade happened: nanoseconds since 00:00 of the start date.
    pub time: i64,
    /// The product traded: its index among the scenario's products.
    pub product: ProductIndex,
    /// The trade price in absolute ticks (the resting order's price).
    pub price: i64,
    /// Lots that changed hands.
    pub lots: u32,
    /// The buyer's account id (0 is the platform).
    pub buyer: u32,
    /// The seller's account id (0 is the platform).
    pub seller: u32,
    /// The buy order's serial number, to match the trade with the operation log.
    pub buy_order: u64,
    /// The sell order's serial number, to match the trade with the operation log.
    pub sell_order: u64,
    /// The side of the incoming order that took liquidity from the book.
    pub aggressor: Side,
}

/// What happened to an order (or a holding).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// The order reached the platform, before its checks.
    Submitted,
    /// The order passed the platform's checks and goes to the book.
    Accepted,
    /// The platform refused the order; the reason's name as the event log writes it.
    Rejected(&'static str),
    /// Part or all of the order traded (one record per side of each trade).
    Traded,
    /// The order's whole quantity traded: it is closed.
    Filled,
    /// A cancel request withdrew what was left of the order.
    Cancelled,
    /// The order's good-till time passed with lots still resting.
    Expired,
    /// An IOC or market order's remainder, or an AON order that could not fill.
    Unfilled,
    /// A cancel reached the platform and found its order still resting.
    CancelRequested,
    /// A cancel that found its order already gone.
    CancelTooLate,
    /// A change of a resting order (`Action::Replace`) that the platform
    /// took: the new price and lots left to trade.
    Replaced,
    /// A change the platform refused, with the reason's name; the order
    /// stays as it was.
    ReplaceRejected(&'static str),
    /// A change that found its order already gone.
    ReplaceTooLate,
    /// A holding redeemed at the holding limit (a failed sale), at NAV less the penalty.
    RedeemedAtLimit,
    /// A holding redeemed at the end of the product's term, at NAV.
    Matured,
}

/// The line the log writes for an order's end, by the book's reason: one
/// mapping for the run's writer and `tplus replay`'s check of it.
impl From<DoneReason> for Op {
    fn from(reason: DoneReason) -> Op {
        match reason {
            DoneReason::Filled => Op::Filled,
            DoneReason::Cancelled => Op::Cancelled,
            DoneReason::Expired => Op::Expired,
            DoneReason::Unfilled => Op::Unfilled,
        }
    }
}

impl Op {
    /// Every operation's name, as [`Op::name`] gives it: what the `op`
    /// column of the event log may hold.
    pub const NAMES: [&'static str; 15] = [
        "submitted",
        "accepted",
        "rejected",
        "traded",
        "filled",
        "cancelled",
        "expired",
        "unfilled",
        "cancel_requested",
        "cancel_too_late",
        "replaced",
        "replace_rejected",
        "replace_too_late",
        "redeemed_at_limit",
        "matured",
    ];

    /// The operation's name in the `op` column of the event log.
    pub fn name(self) -> &'static str {
        match self {
            Op::Submitted => "submitted",
            Op::Accepted => "accepted",
            Op::Rejected(_) => "rejected",
            Op::Traded => "traded",
            Op::Filled => "filled",
            Op::Cancelled => "cancelled",
            Op::Expired => "expired",
            Op::Unfilled => "unfilled",
            Op::CancelRequested => "cancel_requested",
            Op::CancelTooLate => "cancel_too_late",
            Op::Replaced => "replaced",
            Op::ReplaceRejected(_) => "replace_rejected",
            Op::ReplaceTooLate => "replace_too_late",
            Op::RedeemedAtLimit => "redeemed_at_limit",
            Op::Matured => "matured",
        }
    }
}

/// One line of the operation log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpRecord {
    /// When it happened: nanoseconds since 00:00 of the start date.
    pub time: i64,
    /// What happened.
    pub op: Op,
    /// The order's serial number (0 for redemptions).
    pub order: u64,
    /// The account id of the order's (or the holding's) owner (0 is the platform).
    pub agent: u32,
    /// The product: its index among the scenario's products.
    pub product: ProductIndex,
    /// The order's side (a sell for redemptions); None for a cancel that
    /// found its order gone.
    pub side: Option<Side>,
    /// The order's kind, on the records that carry the request (submitted,
    /// accepted, rejected); None on the others.
    pub kind: Option<OrderKind>,
    /// Whether the order must fill whole or not at all (set only on the
    /// records that carry the request).
    pub all_or_none: bool,
    /// Absolute tick, where the operation has a price.
    pub price: Option<i64>,
    /// Lots concerned: the request's size when it arrives, the lots traded
    /// for a trade, the lots left unfilled when an order closes, the lots
    /// redeemed for a redemption, the new lots left to trade for a change;
    /// 0 for cancel requests.
    pub lots: u32,
}

/// Receives what a run produces, in simulated-time order.
pub trait Recorder: Send {
    /// Takes one execution, as it happens.
    fn trade(&mut self, trade: &TradeRecord);
    /// Whether [`Recorder::op`] wants records; the engine skips building them otherwise.
    fn wants_ops(&self) -> bool {
        false
    }
    /// Takes one operation, as it happens; called only when
    /// [`Recorder::wants_ops`] says so.
    fn op(&mut self, _op: &OpRecord) {}
}

/// Drops everything (benchmarks, tests that read only the metrics).
pub struct Discard;

impl Recorder for Discard {
    fn trade(&mut self, _: &TradeRecord) {}
}

impl<R: Recorder + ?Sized> Recorder for &mut R {
    fn trade(&mut self, trade: &TradeRecord) {
        (**self).trade(trade);
    }
    fn wants_ops(&self) -> bool {
        (**self).wants_ops()
    }
    fn op(&mut self, op: &OpRecord) {
        (**self).op(op);
    }
}

/// Two recorders at once, e.g. a run's files and a user's own tally: each
/// takes every trade, and the operations if it wants them.
impl<A: Recorder, B: Recorder> Recorder for (A, B) {
    fn trade(&mut self, trade: &TradeRecord) {
        self.0.trade(trade);
        self.1.trade(trade);
    }
    fn wants_ops(&self) -> bool {
        self.0.wants_ops() || self.1.wants_ops()
    }
    fn op(&mut self, op: &OpRecord) {
        if self.0.wants_ops() {
            self.0.op(op);
        }
        if self.1.wants_ops() {
            self.1.op(op);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Op;

    /// `Op::NAMES` lists each variant's name once. A variant added to the
    /// enum breaks the exhaustive match below, which brings whoever adds it
    /// here to add it to `all` too.
    #[test]
    fn names_list_every_operation_once() {
        let all = [
            Op::Submitted,
            Op::Accepted,
            Op::Rejected("x"),
            Op::Traded,
            Op::Filled,
            Op::Cancelled,
            Op::Expired,
            Op::Unfilled,
            Op::CancelRequested,
            Op::CancelTooLate,
            Op::Replaced,
            Op::ReplaceRejected("x"),
            Op::ReplaceTooLate,
            Op::RedeemedAtLimit,
            Op::Matured,
        ];
        for op in all {
            // Exhaustive: a new variant fails to compile here; add it to `all`.
            match op {
                Op::Submitted
                | Op::Accepted
                | Op::Rejected(_)
                | Op::Traded
                | Op::Filled
                | Op::Cancelled
                | Op::Expired
                | Op::Unfilled
                | Op::CancelRequested
                | Op::CancelTooLate
                | Op::Replaced
                | Op::ReplaceRejected(_)
                | Op::ReplaceTooLate
                | Op::RedeemedAtLimit
                | Op::Matured => {}
            }
        }
        let names: Vec<&str> = all.iter().map(|o| o.name()).collect();
        assert_eq!(names, Op::NAMES);
    }
}
