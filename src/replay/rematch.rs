//! The re-matching: the log's lines that reach the book fed to one book per
//! product, in log order, and the lines the book's events call for checked
//! against the log's own.

use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;

use super::manifest::Grid;
use super::row::{Cols, LogOp, Row};
use super::text::shown;
use super::{ReplayError, ReplayReport};
use crate::book::{Book, BookEvent, DoneReason, NewOrder, OrderId, ReplaceError, Side};
use crate::engine::record::{Op, OpRecord, TradeRecord};
use crate::results::events::format_op;
use crate::results::line::Line;

/// An order the log accepted.
struct Accepted {
    product: usize,
    /// The log line that accepted it.
    line: usize,
    /// Its id in its product's book while it rests there.
    resting: Option<OrderId>,
}

/// The replay's state as it reads the log.
pub(super) struct Replay<'a> {
    grids: &'a [Grid],
    /// (id, micros per tick) of each product, for formatting lines.
    pub names: Vec<(String, i64)>,
    books: Vec<Book>,
    /// Every order accepted so far, by serial number.
    orders: HashMap<u64, Accepted>,
    /// The `traded` lines the replay's trades call for that the log has not
    /// given yet, with the line whose operation made them.
    owed: VecDeque<(OpRecord, usize)>,
    /// The replay's trades, in order.
    pub made: Vec<TradeRecord>,
    events: Vec<BookEvent>,
    /// What the replay went through so far.
    pub report: ReplayReport,
    /// The time and line of the last line read that reaches the book.
    last: Option<(i64, usize)>,
    path: PathBuf,
    line: Line,
    text: Vec<u8>,
}

impl<'a> Replay<'a> {
    /// The replay of the log at `path` through empty books of the products `grids`.
    pub fn new(grids: &'a [Grid], path: PathBuf) -> Replay<'a> {
        Replay {
            grids,
            names: grids.iter().map(|g| (g.id.clone(), g.tick)).collect(),
            books: grids.iter().map(|g| Book::with_rule(g.n_ticks, 1 << 12, g.rule)).collect(),
            orders: HashMap::new(),
            owed: VecDeque::new(),
            made: Vec::new(),
            events: Vec::new(),
            report: ReplayReport::default(),
            last: None,
            path,
            line: Line::new(),
            text: Vec::new(),
        }
    }

    /// Line `n` of the log, what is wrong with it being `what`.
    pub fn bad(&self, line: usize, what: String) -> ReplayError {
        ReplayError::BadLine { path: self.path.clone(), line, what }
    }

    /// A difference between the log's line `n` (`raw`) and the replay.
    fn differs(n: usize, raw: Option<&[u8]>, got: String) -> ReplayError {
        ReplayError::Differs { file: "events.csv", line: n, expected: raw.map(shown), got: Some(got) }
    }

    /// The log line the run writes for `op`, newline included.
    fn format(&mut self, op: &OpRecord) -> &[u8] {
        self.text.clear();
        format_op(&mut self.line, op, &self.names);
        // Writing to a Vec cannot fail.
        let _ = self.line.flush_to(&mut self.text);
        &self.text
    }

    /// Reads line `n` (`raw`, split into `cells` at `cols`), one of `op`,
    /// and acts on it.
    pub fn read(&mut self, n: usize, raw: &[u8], op: LogOp, cols: &Cols, cells: &[&str]) -> Result<(), ReplayError> {
        let row = cols.parse(op, cells, self.grids, self.last).map_err(|what| self.bad(n, what))?;
        self.last = Some((row.time, n));
        self.apply(n, raw, &row)
    }

    /// At the end of the log (`n` lines long): every trade has its lines.
    pub fn end(&mut self, n: usize) -> Result<(), ReplayError> {
        if let Some((expected, from)) = self.owed.front().copied() {
            let got = format!("{} (a trade of line {from})", shown(self.format(&expected)));
            return Err(Self::differs(n + 1, None, got));
        }
        Ok(())
    }

    /// Acts on line `n` (`raw`, parsed as `o`).
    fn apply(&mut self, n: usize, raw: &[u8], o: &Row) -> Result<(), ReplayError> {
        if o.op == LogOp::Traded {
            let Some((expected, from)) = self.owed.pop_front() else {
                return Err(Self::differs(n, Some(raw), "(no trade: the replay made none here)".into()));
            };
            if self.format(&expected) != raw {
                let got = shown(&self.text);
                return Err(Self::differs(n, Some(raw), format!("{got} (a trade of line {from})")));
            }
            return Ok(());
        }
        // Every trade of the lines before has its two `traded` lines by now.
        if let Some((expected, from)) = self.owed.front().copied() {
            let got = format!("{} (a trade of line {from})", shown(self.format(&expected)));
            return Err(Self::differs(n, Some(raw), got));
        }
        self.events.clear();
        let bad = |what: String| ReplayError::BadLine { path: self.path.clone(), line: n, what };
        let grid = &self.grids[o.product];
        match o.op {
            LogOp::Accepted => {
                if let Some(before) = self.orders.get(&o.order) {
                    let first = before.line;
                    return Err(bad(format!(
                        "order {} was accepted before, at line {first}; each order is accepted once",
                        o.order
                    )));
                }
                let (Some(side), Some(kind)) = (o.side, o.kind) else {
                    return Err(bad(format!("order {} is accepted without a side or kind", o.order)));
                };
                let order = NewOrder {
                    side,
                    kind,
                    price: o.price.and_then(|p| grid.index(p)).unwrap_or(0),
                    qty: o.lots,
                    all_or_none: o.aon,
                    owner: o.agent,
                    tag: o.order,
                };
                self.orders.insert(o.order, Accepted { product: o.product, line: n, resting: None });
                // The checks above keep the price on the grid and the lots
                // above zero, so the book has no reason left to refuse.
                if let Err(e) = self.books[o.product].submit(&order, &mut self.events) {
                    return Err(bad(format!("the book refuses the order: {e:?}")));
                }
                self.report.orders += 1;
            }
            LogOp::Cancelled | LogOp::Expired => {
                let id = self.resting(n, raw, o)?;
                let why = if o.op == LogOp::Expired { DoneReason::Expired } else { DoneReason::Cancelled };
                self.books[o.product].cancel(id, why, &mut self.events);
                self.report.withdrawals += 1;
            }
            LogOp::Replaced => {
                let id = self.resting(n, raw, o)?;
                let tick = o.price.and_then(|p| grid.index(p)).unwrap_or(0);
                match self.books[o.product].replace(id, tick, o.lots, &mut self.events) {
                    Ok(_) => self.report.replaces += 1,
                    Err(ReplaceError::QuantityOverflow) => {
                        return Err(bad(format!(
                            "lots `{}`: with what order {} has filled, more than {} lots",
                            o.lots,
                            o.order,
                            u32::MAX
                        )));
                    }
                    Err(e) => return Err(bad(format!("the book refuses the change: {e:?}"))),
                }
            }
            LogOp::Traded => {}
        }
        self.record(n, o);
        Ok(())
    }

    /// The book id of the order that line `n` withdraws or changes: one
    /// accepted in the line's product and still resting there.
    fn resting(&self, n: usize, raw: &[u8], o: &Row) -> Result<OrderId, ReplayError> {
        let Some(a) = self.orders.get(&o.order) else {
            return Err(self.bad(n, format!("order {} was never accepted before this line", o.order)));
        };
        if a.product != o.product {
            return Err(self.bad(
                n,
                format!(
                    "product `{}`: order {} was accepted in `{}` (line {}); a withdrawal or change names the \
                     product of its order",
                    self.grids[o.product].id, o.order, self.grids[a.product].id, a.line
                ),
            ));
        }
        a.resting.ok_or_else(|| {
            Self::differs(n, Some(raw), format!("(order {} rests in no book: the replay filled or ended it)", o.order))
        })
    }

    /// Takes the book's events of line `n`'s operation: the trades made
    /// (each owing the log its two `traded` lines) and which orders rest.
    fn record(&mut self, n: usize, o: &Row) {
        let base = self.grids[o.product].lo;
        for e in &self.events {
            match *e {
                BookEvent::Trade {
                    price,
                    qty,
                    aggressor_side,
                    aggressor_owner,
                    aggressor_tag,
                    resting_owner,
                    resting_tag,
                    ..
                } => {
                    let ((buyer, buy_order), (seller, sell_order)) =
                        aggressor_side.buy_sell((aggressor_owner, aggressor_tag), (resting_owner, resting_tag));
                    let t = TradeRecord {
                        time: o.time,
                        product: o.product as u16,
                        price: base + i64::from(price),
                        lots: qty,
                        buyer,
                        seller,
                        buy_order,
                        sell_order,
                        aggressor: aggressor_side,
                    };
                    // The run logs the buyer's side of a trade, then the seller's.
                    for (agent, order, side) in [(buyer, buy_order, Side::Buy), (seller, sell_order, Side::Sell)] {
                        let line = OpRecord {
                            time: t.time,
                            op: Op::Traded,
                            order,
                            agent,
                            product: t.product,
                            side: Some(side),
                            kind: None,
                            all_or_none: false,
                            price: Some(t.price),
                            lots: t.lots,
                        };
                        self.owed.push_back((line, n));
                    }
                    self.made.push(t);
                }
                BookEvent::Rested { id, tag, .. } => {
                    if let Some(a) = self.orders.get_mut(&tag) {
                        a.resting = Some(id);
                    }
                }
                BookEvent::Done { tag, .. } => {
                    if let Some(a) = self.orders.get_mut(&tag) {
                        a.resting = None;
                    }
                }
            }
        }
    }
}
