//! The operation log: every order submitted, accepted, rejected (with the
//! reason), traded, filled, cancelled, expired or killed, every change of a
//! resting order (taken, rejected with the reason, or too late), and every holding
//! the platform redeemed, one CSV line each in simulated-time order.
//!
//! Written only when a run asks for it (`tplus run --log`), as `events.csv`;
//! it lives with the other files a run writes so that the results depend on
//! the engine's records and not the other way round.

use std::io::{self, Write};

use super::line::Line;
use crate::book::{OrderKind, Side};
use crate::engine::record::{Op, OpRecord};

/// The side as the output files spell it (`buy`, `sell`).
pub fn side_name(side: Side) -> &'static str {
    match side {
        Side::Buy => "buy",
        Side::Sell => "sell",
    }
}

/// The order kind as the operation log spells it (`limit`, `ioc`, `market`).
pub fn kind_name(kind: OrderKind) -> &'static str {
    match kind {
        OrderKind::Limit => "limit",
        OrderKind::Ioc => "ioc",
        OrderKind::Market => "market",
    }
}

/// Formats one log line into `line` (ended by the caller). `products` maps
/// a product index to (id, micros per tick).
pub fn format_op(line: &mut Line, op: &OpRecord, products: &[(String, i64)]) {
    let (id, tick) = &products[op.product as usize];
    line.secs(op.time).comma().str(op.op.name()).comma().uint(op.order).comma();
    line.uint(u64::from(op.agent)).comma().str(id).comma();
    if let Some(side) = op.side {
        line.str(side_name(side));
    }
    line.comma();
    if let Some(kind) = op.kind {
        line.str(kind_name(kind));
    }
    line.comma().uint(u64::from(op.all_or_none)).comma();
    if let Some(p) = op.price {
        line.micros(p * tick);
    }
    line.comma().uint(u64::from(op.lots)).comma();
    if let Op::Rejected(reason) | Op::ReplaceRejected(reason) = op.op {
        line.str(reason);
    }
}

/// Writes one log line.
pub fn write_op(out: &mut impl Write, op: &OpRecord, products: &[(String, i64)]) -> io::Result<()> {
    let mut line = Line::new();
    format_op(&mut line, op, products);
    line.flush_to(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rejection_line_names_its_reason() {
        let op = OpRecord {
            time: 34_200_050_000_000,
            op: Op::Rejected("insufficient_cash"),
            order: 7,
            agent: 3,
            product: 0,
            side: Some(Side::Buy),
            kind: Some(OrderKind::Limit),
            all_or_none: true,
            price: Some(10_001),
            lots: 5,
        };
        let mut out = Vec::new();
        write_op(&mut out, &op, &[("NOTE7".into(), 100)]).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text, "34200.05,rejected,7,3,NOTE7,buy,limit,1,1.0001,5,insufficient_cash\n");
        assert_eq!(text.split(',').count(), crate::columns::events::COLUMNS.len(), "a cell per column");
    }
}
