//! The re-matching: the log's lines that reach the book fed to one book per
//! product, in log order, and the lines the book's events call for (each
//! trade's two `traded` lines, each order's end) checked against the log's
//! own, where the run writes them: right after the line whose operation
//! made them, in the order of the events.

use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;

use super::aside::{self, Aside, Pairs};
use super::manifest::Grid;
use super::row::{Cols, LogOp, Row};
use super::text::shown;
use super::{ReplayError, ReplayReport};
use crate::book::{Book, BookEvent, DoneReason, NewOrder, OrderId, ReplaceError, Side};
use crate::engine::record::{Op, OpRecord, TradeRecord};
use crate::platform::PLATFORM;
use crate::results::events::{format_op, side_name};
use crate::results::line::Line;

/// An order the log accepted.
struct Accepted {
    product: usize,
    /// Its owner and side, as its accepted line gives them.
    agent: u32,
    side: Side,
    /// The log line that accepted it.
    line: usize,
    /// Its id in its product's book while it rests there.
    resting: Option<OrderId>,
}

/// The replay's state as it reads the log.
pub(super) struct Replay<'a> {
    grids: &'a [Grid],
    /// The run's closes (ns), and how many of them the log has passed.
    closes: &'a [i64],
    passed: usize,
    /// (id, micros per tick) of each product, for formatting lines.
    pub names: Vec<(String, i64)>,
    books: Vec<Book>,
    /// Every order accepted so far, by serial number.
    orders: HashMap<u64, Accepted>,
    /// The lines the book's events call for (a trade's two `traded` lines,
    /// an order's end) that the log has not given yet, in the order the run
    /// writes them, with the line whose operation made them.
    owed: VecDeque<(OpRecord, usize)>,
    /// The replay's trades, in order.
    pub made: Vec<TradeRecord>,
    events: Vec<BookEvent>,
    /// What the replay went through so far.
    pub report: ReplayReport,
    /// The time and line of the last line in time order (all but the
    /// redemptions).
    last: Option<(i64, usize)>,
    /// The lines the run writes in pairs.
    pairs: Pairs,
    path: PathBuf,
    line: Line,
    text: Vec<u8>,
}

impl<'a> Replay<'a> {
    /// The replay of the log at `path` through empty books of the products
    /// `grids`, over sessions closing at `closes`.
    pub fn new(grids: &'a [Grid], closes: &'a [i64], path: PathBuf) -> Replay<'a> {
        Replay {
            grids,
            closes,
            passed: 0,
            names: grids.iter().map(|g| (g.id.clone(), g.tick)).collect(),
            books: grids.iter().map(|g| Book::with_rule(g.n_ticks, 1 << 12, g.rule)).collect(),
            orders: HashMap::new(),
            owed: VecDeque::new(),
            made: Vec::new(),
            events: Vec::new(),
            report: ReplayReport::default(),
            last: None,
            pairs: Pairs::default(),
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
    fn read(&mut self, n: usize, raw: &[u8], op: LogOp, cols: &Cols, cells: &[&str]) -> Result<(), ReplayError> {
        let row = cols.parse(op, cells, self.grids, self.last).map_err(|what| self.bad(n, what))?;
        self.last = Some((row.time, n));
        self.closed_before(row.time, n, Some(raw))?;
        self.apply(n, raw, &row)
    }

    /// Every close before `time` (line `n`'s, `raw`; past the end of the
    /// log, none) left the books empty, as the run leaves them: an order the
    /// replay still has there is one whose `expired` line the log lacks.
    fn closed_before(&mut self, time: i64, n: usize, raw: Option<&[u8]>) -> Result<(), ReplayError> {
        while let Some(&close) = self.closes.get(self.passed).filter(|&&c| c < time) {
            self.settled(n, raw)?;
            self.passed += 1;
            for p in 0..self.books.len() {
                self.events.clear();
                self.books[p].clear(DoneReason::Expired, &mut self.events);
                let Some(&BookEvent::Done { side, owner, tag, qty, filled, .. }) = self.events.first() else {
                    continue;
                };
                let missing = OpRecord {
                    time: close,
                    op: Op::Expired,
                    order: tag,
                    agent: owner,
                    product: p as u16,
                    side: Some(side),
                    kind: None,
                    all_or_none: false,
                    price: None,
                    lots: qty.saturating_sub(filled),
                };
                let day = self.passed;
                let got = format!(
                    "{} (order {tag} rested at day {day}'s close, where the run expires every order left)",
                    shown(self.format(&missing))
                );
                return Err(Self::differs(n, raw, got));
            }
            self.report.closes += 1;
        }
        Ok(())
    }

    /// Line `n` (`raw`, split into `cells` at `cols`): checked, and acted
    /// on if it reaches a book.
    pub fn line(&mut self, n: usize, raw: &[u8], cols: &Cols, cells: &[&str]) -> Result<(), ReplayError> {
        let name = cells[cols.op];
        if let Some(op) = LogOp::of(name) {
            return self.read(n, raw, op, cols, cells);
        }
        let Some(op) = Aside::of(name) else {
            return Err(self.bad(n, format!("op `{name}` is not one the log writes ({})", Op::NAMES.join(", "))));
        };
        let time =
            aside::check(cols, op, cells, self.grids, self.last, self.closes).map_err(|what| self.bad(n, what))?;
        if !op.is_redemption() {
            self.last = Some((time, n));
        }
        // It may not stand among the lines the book's events call for.
        self.settled(n, Some(raw))
    }

    /// Line `n` (`cells`) with the line before it: the lines the run
    /// writes in pairs are there together.
    pub fn pair(&mut self, n: usize, cols: &Cols, cells: &[&str]) -> Result<(), ReplayError> {
        self.pairs.take(n, cells[cols.op], cols, cells).map_err(|what| self.bad(n, what))
    }

    /// At the end of the log (`n` lines long): every line the book's events
    /// call for is there.
    pub fn end(&mut self, n: usize) -> Result<(), ReplayError> {
        self.pairs.end().map_err(|(line, what)| self.bad(line, what))?;
        self.settled(n + 1, None)?;
        self.closed_before(i64::MAX, n + 1, None)
    }

    /// Line `n` (`raw`; None past the end) comes after every line the
    /// book's events of the lines before it call for.
    fn settled(&mut self, n: usize, raw: Option<&[u8]>) -> Result<(), ReplayError> {
        if let Some((expected, from)) = self.owed.front().copied() {
            let got = format!("{} ({})", shown(self.format(&expected)), made_by(&expected, from));
            return Err(Self::differs(n, raw, got));
        }
        Ok(())
    }

    /// Line `n` (`raw`, one of `op`) is the next line the book's events
    /// call for, byte for byte.
    fn owed(&mut self, n: usize, raw: &[u8], op: LogOp) -> Result<(), ReplayError> {
        let Some((expected, from)) = self.owed.pop_front() else {
            let none = match op {
                LogOp::Traded => "(no trade: the replay made none here)",
                _ => "(no order's end: the replay ended none here)",
            };
            return Err(Self::differs(n, Some(raw), none.into()));
        };
        if self.format(&expected) != raw {
            let got = format!("{} ({})", shown(&self.text), made_by(&expected, from));
            return Err(Self::differs(n, Some(raw), got));
        }
        if expected.op != Op::Traded {
            self.report.order_ends += 1;
        }
        Ok(())
    }

    /// Acts on line `n` (`raw`, parsed as `o`).
    fn apply(&mut self, n: usize, raw: &[u8], o: &Row) -> Result<(), ReplayError> {
        if matches!(o.op, LogOp::Traded | LogOp::Filled | LogOp::Unfilled) {
            return self.owed(n, raw, o.op);
        }
        self.settled(n, Some(raw))?;
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
                let Some(kind) = o.kind else {
                    return Err(bad(format!("order {} is accepted without a kind", o.order)));
                };
                self.within_limit(n, o)?;
                let order = NewOrder {
                    side: o.side,
                    kind,
                    price: o.price.and_then(|p| grid.index(p)).unwrap_or(0),
                    qty: o.lots,
                    all_or_none: o.aon,
                    owner: o.agent,
                    tag: o.order,
                };
                let accepted = Accepted { product: o.product, agent: o.agent, side: o.side, line: n, resting: None };
                self.orders.insert(o.order, accepted);
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
                self.within_limit(n, o)?;
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
            LogOp::Traded | LogOp::Filled | LogOp::Unfilled => {}
        }
        self.record(n, o);
        if o.op.is_end() {
            // A withdrawal's line is its order's end: the run writes it for
            // the book's `Done`, which the withdrawal has just made.
            self.owed(n, raw, o.op)?;
        }
        Ok(())
    }

    /// Line `n` (`o`), an accepted order or a change, asks for no more than
    /// its product's `max_order_lots`, as the platform holds a customer to;
    /// the issuer (account 0) is not held to it.
    fn within_limit(&self, n: usize, o: &Row) -> Result<(), ReplayError> {
        let grid = &self.grids[o.product];
        if o.agent == PLATFORM || o.lots <= grid.max_order_lots {
            return Ok(());
        }
        Err(self.bad(
            n,
            format!(
                "lots `{}` is above {}'s max_order_lots, {} (scenario.product[{}].max_order_lots in manifest.json): \
                 the platform refuses a larger order or change from a customer (only the issuer's, account 0, may \
                 be larger)",
                o.lots, grid.id, grid.max_order_lots, o.product
            ),
        ))
    }

    /// The book id of the order that line `n` withdraws or changes: one
    /// accepted in the line's product, of the line's agent and side, and
    /// still resting.
    fn resting(&self, n: usize, raw: &[u8], o: &Row) -> Result<OrderId, ReplayError> {
        let Some(a) = self.orders.get(&o.order) else {
            return Err(self.bad(n, format!("order {} was never accepted before this line", o.order)));
        };
        let (order, line) = (o.order, a.line);
        let other = if a.product != o.product {
            let (id, was) = (&self.grids[o.product].id, &self.grids[a.product].id);
            Some(format!("product `{id}`: order {order} was accepted in `{was}` (line {line})"))
        } else if a.agent != o.agent {
            Some(format!("agent `{}`: order {order} is agent {}'s (accepted at line {line})", o.agent, a.agent))
        } else if a.side != o.side {
            let (side, was) = (side_name(o.side), side_name(a.side));
            Some(format!("side `{side}`: order {order} is a {was} order (accepted at line {line})"))
        } else {
            None
        };
        if let Some(what) = other {
            return Err(
                self.bad(n, format!("{what}; a withdrawal or change names the product, agent and side of its order"))
            );
        }
        a.resting.ok_or_else(|| {
            Self::differs(n, Some(raw), format!("(order {} rests in no book: the replay filled or ended it)", o.order))
        })
    }

    /// Takes the book's events of line `n`'s operation: the trades made,
    /// each owing the log its two `traded` lines, and the orders that rest
    /// or end, an end owing the log its line.
    fn record(&mut self, n: usize, o: &Row) {
        let base = self.grids[o.product].lo;
        let product = o.product as u16;
        // The lines the run writes for a trade's side and an order's end:
        // no kind, no all-or-none flag.
        let line = |op: Op, order: u64, agent: u32, side: Side, price: Option<i64>, lots: u32| OpRecord {
            time: o.time,
            op,
            order,
            agent,
            product,
            side: Some(side),
            kind: None,
            all_or_none: false,
            price,
            lots,
        };
        for e in &self.events {
            match *e {
                BookEvent::Trade(x) => {
                    let qty = x.qty;
                    let ((buyer, buy_order), (seller, sell_order)) = x.parties();
                    let price = base + i64::from(x.price);
                    // The run logs the buyer's side of a trade, then the seller's.
                    for (agent, order, side) in [(buyer, buy_order, Side::Buy), (seller, sell_order, Side::Sell)] {
                        self.owed.push_back((line(Op::Traded, order, agent, side, Some(price), qty), n));
                    }
                    let aggressor = x.aggressor_side;
                    let t = TradeRecord {
                        time: o.time,
                        product,
                        price,
                        lots: qty,
                        buyer,
                        seller,
                        buy_order,
                        sell_order,
                        aggressor,
                    };
                    self.made.push(t);
                }
                BookEvent::Rested { id, tag, .. } => {
                    if let Some(a) = self.orders.get_mut(&tag) {
                        a.resting = Some(id);
                    }
                }
                BookEvent::Done { side, owner, tag, qty, filled, reason, .. } => {
                    if let Some(a) = self.orders.get_mut(&tag) {
                        a.resting = None;
                    }
                    // The run writes an order's end with the lots it had left.
                    let left = qty.saturating_sub(filled);
                    self.owed.push_back((line(Op::from(reason), tag, owner, side, None, left), n));
                }
            }
        }
    }
}

/// What made the owed line `line`, line `from`'s operation, as a
/// difference says it.
fn made_by(line: &OpRecord, from: usize) -> String {
    match line.op {
        Op::Traded => format!("a trade of line {from}"),
        op => format!("order {} {} by line {from}", line.order, op.name()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::columns::events::HEADER;

    /// Replays `lines` (the log without its header), as the driver does.
    fn replay(lines: &[&str]) -> Result<(), ReplayError> {
        replay_closing(lines, &[]).map(drop)
    }

    /// Replays `lines` over sessions closing at `closes` (seconds).
    fn replay_closing(lines: &[&str], closes: &[i64]) -> Result<ReplayReport, ReplayError> {
        let grids = [Grid::note7()];
        let closes: Vec<i64> = closes.iter().map(|c| c * 1_000_000_000).collect();
        let mut r = Replay::new(&grids, &closes, PathBuf::from("events.csv"));
        let cols = Cols::of(HEADER).unwrap();
        for (i, line) in lines.iter().enumerate() {
            let (n, raw) = (i + 2, format!("{line}\n"));
            let cells: Vec<&str> = line.split(',').collect();
            r.line(n, raw.as_bytes(), &cols, &cells)?;
        }
        r.end(lines.len() + 1)?;
        Ok(r.report)
    }

    /// A resting sell of 10, an IOC buy of 4 that fills against it, and
    /// the sell's remaining 6 cancelled, as the run writes them.
    const LOG: [&str; 8] = [
        "34200.0,accepted,1,5,NOTE7,sell,limit,0,1.0,10,",
        "34201.0,submitted,2,6,NOTE7,buy,ioc,0,1.0,4,",
        "34201.0,accepted,2,6,NOTE7,buy,ioc,0,1.0,4,",
        "34201.0,traded,2,6,NOTE7,buy,,0,1.0,4,",
        "34201.0,traded,1,5,NOTE7,sell,,0,1.0,4,",
        "34201.0,filled,2,6,NOTE7,buy,,0,,0,",
        "34202.0,cancel_requested,1,5,NOTE7,sell,,0,,0,",
        "34202.0,cancelled,1,5,NOTE7,sell,,0,,6,",
    ];

    fn with(edit: impl FnOnce(&mut Vec<&'static str>)) -> Result<(), ReplayError> {
        let mut lines = LOG.to_vec();
        edit(&mut lines);
        replay(&lines)
    }

    /// The error's exit code and text.
    fn says(r: Result<(), ReplayError>) -> (u8, String) {
        let e = r.expect_err("the replay should refuse or differ");
        (e.exit_code(), e.to_string())
    }

    #[test]
    fn the_book_s_trades_and_ends_are_owed_in_its_order() {
        replay(&LOG).unwrap();
        // The filled line left out: the next line, one the replay does not
        // read, differs.
        let (code, e) = says(with(|l| {
            l.remove(5);
        }));
        assert_eq!(code, 1);
        assert!(
            e.contains("at line 7:") && e.contains("34201.0,filled,2,6") && e.contains("order 2 filled by line 4"),
            "{e}"
        );
        // Its lots, or its op, changed.
        let (code, e) = says(with(|l| l[5] = "34201.0,filled,2,6,NOTE7,buy,,0,,4,"));
        assert!(code == 1 && e.contains("at line 7:"), "{e}");
        let (code, e) = says(with(|l| l[5] = "34201.0,unfilled,2,6,NOTE7,buy,,0,,0,"));
        assert!(code == 1 && e.contains("at line 7:"), "{e}");
        // One the book did not make.
        let (code, e) = says(with(|l| l.insert(6, "34201.0,unfilled,2,6,NOTE7,buy,,0,,0,")));
        assert!(code == 1 && e.contains("at line 8:") && e.contains("the replay ended none here"), "{e}");
        // Cut off before its end.
        let (code, e) = says(with(|l| l.truncate(5)));
        assert!(code == 1 && e.contains("at line 7:") && e.contains("(end of file)"), "{e}");
    }

    #[test]
    fn a_withdrawal_is_its_order_s_agent_side_and_lots_left() {
        let (code, e) = says(with(|l| l[7] = "34202.0,cancelled,1,7,NOTE7,sell,,0,,6,"));
        assert!(code == 2 && e.contains("events.csv:9: agent `7`: order 1 is agent 5's (accepted at line 2)"), "{e}");
        let (code, e) = says(with(|l| l[7] = "34202.0,cancelled,1,5,NOTE7,buy,,0,,6,"));
        assert!(code == 2 && e.contains("events.csv:9: side `buy`: order 1 is a sell order"), "{e}");
        // The lots it asked for, not the lots it had left.
        let (code, e) = says(with(|l| l[7] = "34202.0,cancelled,1,5,NOTE7,sell,,0,,10,"));
        assert!(code == 1 && e.contains("at line 9:") && e.contains("34202.0,cancelled,1,5,NOTE7,sell,,0,,6"), "{e}");
    }

    #[test]
    fn only_the_issuer_may_ask_for_more_than_max_order_lots() {
        let (code, e) = says(with(|l| l[0] = "34200.0,accepted,1,5,NOTE7,sell,limit,0,1.0,1001,"));
        assert!(code == 2 && e.contains("events.csv:2: lots `1001` is above NOTE7's max_order_lots, 1000"), "{e}");
        let issuer =
            ["34200.0,accepted,1,0,NOTE7,sell,limit,0,1.0,5000,", "34202.0,cancelled,1,0,NOTE7,sell,,0,,5000,"];
        replay(&issuer).unwrap();
        let change = [issuer[0], "34201.0,replaced,1,0,NOTE7,sell,,0,1.0,1001,"];
        replay(&change).unwrap();
        let (code, e) = says(replay(&[
            "34200.0,accepted,1,5,NOTE7,sell,limit,0,1.0,10,",
            "34201.0,replaced,1,5,NOTE7,sell,,0,1.0,1001,",
        ]));
        assert!(code == 2 && e.contains("events.csv:3: lots `1001` is above"), "{e}");
    }

    #[test]
    fn every_close_leaves_the_books_empty() {
        // Both orders ended before the close at 34,300 s: the two ends
        // counted, one close passed.
        let report = replay_closing(&LOG, &[34_300]).unwrap();
        assert_eq!((report.order_ends, report.closes), (2, 1));
        // The sell left resting at the close, its cancel come after it: the
        // replay names the expired line the log lacks.
        let mut late = LOG.to_vec();
        late[6] = "34400.0,cancel_requested,1,5,NOTE7,sell,,0,,0,";
        late[7] = "34400.0,cancelled,1,5,NOTE7,sell,,0,,6,";
        let (code, e) = says(replay_closing(&late, &[34_300]).map(drop));
        assert_eq!(code, 1);
        assert!(e.contains("at line 9:") && e.contains("34400.0,cancelled,1,5"), "{e}");
        assert!(e.contains("34300.0,expired,1,5,NOTE7,sell,,0,,6") && e.contains("rested at day 1's close"), "{e}");
        // Past the last close, at the end of the log.
        let (code, e) = says(replay_closing(&LOG[..6], &[34_300]).map(drop));
        assert!(code == 1 && e.contains("at line 8:") && e.contains("(end of file)"), "{e}");
        assert!(e.contains("34300.0,expired,1,5,NOTE7,sell,,0,,6"), "{e}");
    }

    #[test]
    fn each_end_is_written_under_its_reason() {
        let ends = [DoneReason::Filled, DoneReason::Cancelled, DoneReason::Expired, DoneReason::Unfilled];
        let names: Vec<&str> = ends.iter().map(|&r| Op::from(r).name()).collect();
        assert_eq!(names, ["filled", "cancelled", "expired", "unfilled"]);
    }
}
