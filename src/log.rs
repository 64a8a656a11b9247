//! The operation log: every order submitted, accepted, rejected (with the
//! reason), traded, filled, cancelled, expired or killed, and every holding
//! the platform redeemed, one CSV line each in simulated-time order.
//!
//! Written only when a run asks for it (`tplus run --log`), as `events.csv`.

use std::io::{self, Write};

use crate::book::{OrderKind, Side};
use crate::engine::record::{Op, OpRecord};
use crate::metrics::{Micros, Secs};

pub const HEADER: &str = "time,op,order,agent,product,side,kind,aon,price,lots,reason";

pub fn side_name(side: Side) -> &'static str {
    match side {
        Side::Buy => "buy",
        Side::Sell => "sell",
    }
}

pub fn kind_name(kind: OrderKind) -> &'static str {
    match kind {
        OrderKind::Limit => "limit",
        OrderKind::Ioc => "ioc",
        OrderKind::Market => "market",
    }
}

/// Writes one log line. `products` maps a product index to (id, micros per tick).
pub fn write_op(out: &mut impl Write, op: &OpRecord, products: &[(String, i64)]) -> io::Result<()> {
    let (id, tick) = &products[op.product as usize];
    write!(out, "{},{},{},{},{},", Secs(op.time), op.op.name(), op.order, op.agent, id)?;
    if let Some(side) = op.side {
        out.write_all(side_name(side).as_bytes())?;
    }
    out.write_all(b",")?;
    if let Some(kind) = op.kind {
        out.write_all(kind_name(kind).as_bytes())?;
    }
    write!(out, ",{},", u8::from(op.all_or_none))?;
    if let Some(p) = op.price {
        write!(out, "{}", Micros(p * tick))?;
    }
    write!(out, ",{},", op.lots)?;
    if let Op::Rejected(reason) = op.op {
        out.write_all(reason.as_bytes())?;
    }
    out.write_all(b"\n")
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
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "34200.05,rejected,7,3,NOTE7,buy,limit,1,1.0001,5,insufficient_cash\n"
        );
        assert_eq!(HEADER.split(',').count(), 11);
    }
}
