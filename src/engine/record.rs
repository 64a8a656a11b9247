//! What the engine tells the outside world as it runs: every trade, and (when
//! asked) every operation. The engine only calls a [`Recorder`]; files,
//! terminal views and tests decide what to do with the records.

use crate::book::{OrderKind, Side};

/// One execution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TradeRecord {
    pub time: i64,
    pub product: u16,
    /// Absolute tick.
    pub price: i64,
    pub lots: u32,
    pub buyer: u32,
    pub seller: u32,
    pub buy_order: u64,
    pub sell_order: u64,
    pub aggressor: Side,
}

/// What happened to an order (or a holding).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Submitted,
    Accepted,
    Rejected(&'static str),
    Traded,
    Filled,
    Cancelled,
    Expired,
    /// An IOC or market order's remainder, or an AON order that could not fill.
    Unfilled,
    CancelRequested,
    /// A cancel that found its order already gone.
    CancelTooLate,
    /// A holding redeemed at the holding limit (a failed sale), at NAV less the penalty.
    RedeemedAtLimit,
    /// A holding redeemed at the end of the product's term, at NAV.
    Matured,
}

impl Op {
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
            Op::RedeemedAtLimit => "redeemed_at_limit",
            Op::Matured => "matured",
        }
    }
}

/// One line of the operation log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpRecord {
    pub time: i64,
    pub op: Op,
    /// The order's serial number (0 for redemptions).
    pub order: u64,
    pub agent: u32,
    pub product: u16,
    pub side: Option<Side>,
    pub kind: Option<OrderKind>,
    pub all_or_none: bool,
    /// Absolute tick, where the operation has a price.
    pub price: Option<i64>,
    pub lots: u32,
}

/// Receives what a run produces, in simulated-time order.
pub trait Recorder: Send {
    fn trade(&mut self, trade: &TradeRecord);
    /// Whether [`Recorder::op`] wants records; the engine skips building them otherwise.
    fn wants_ops(&self) -> bool {
        false
    }
    fn op(&mut self, _op: &OpRecord) {}
}

/// Drops everything (benchmarks, tests that read only the metrics).
pub struct Discard;

impl Recorder for Discard {
    fn trade(&mut self, _: &TradeRecord) {}
}
