//! The log's lines that no book takes part in — an order's `submitted` and
//! `rejected`, a cancel's `cancel_requested` and `cancel_too_late`, a
//! change's `replace_rejected` and `replace_too_late`, the redemptions
//! `redeemed_at_limit` and `matured` — held to what the run's writer
//! (`engine/observer.rs`) writes for each, and the lines it always writes
//! together: an order's `submitted` right before its `accepted` or
//! `rejected`, the same in every cell but the op and the reason, and a
//! `cancel_requested` right before its order's `cancelled`.
//!
//! The replay does not re-match these lines, but a log that holds one no
//! run writes is not a run's log: `tplus replay` refuses it at its line
//! (exit 2), as it does a line it re-matches.

use super::manifest::Grid;
use super::row::Cols;
use super::text::{amount, decimal};
use crate::platform::Reject;

/// An operation of the log that no book takes part in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Aside {
    Submitted,
    Rejected,
    CancelRequested,
    CancelTooLate,
    ReplaceRejected,
    ReplaceTooLate,
    RedeemedAtLimit,
    Matured,
}

/// Whether a cell must hold a value or must be empty.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cell {
    Given,
    Empty,
}

/// What the writer puts in a line of one operation.
struct Shape {
    /// The order's serial number, from 1; else 0 (a redemption, or a
    /// cancel or change that found no order).
    order: Cell,
    side: Cell,
    kind: Cell,
    /// Given: a price; Empty: none; for an order, none exactly when it is
    /// a market order.
    price: Option<Cell>,
    /// The fewest lots, and whether the line must have exactly that many.
    lots: (u32, bool),
    /// A reason, one of the platform's (`credit_score`, …).
    reason: Cell,
}

impl Aside {
    /// The op the log names `name`, if no book takes part in it.
    pub fn of(name: &str) -> Option<Aside> {
        Some(match name {
            "submitted" => Aside::Submitted,
            "rejected" => Aside::Rejected,
            "cancel_requested" => Aside::CancelRequested,
            "cancel_too_late" => Aside::CancelTooLate,
            "replace_rejected" => Aside::ReplaceRejected,
            "replace_too_late" => Aside::ReplaceTooLate,
            "redeemed_at_limit" => Aside::RedeemedAtLimit,
            "matured" => Aside::Matured,
            _ => return None,
        })
    }

    /// A redemption: written at a close, after the lines of the orders that
    /// came too late for it, so out of time order.
    pub fn is_redemption(self) -> bool {
        matches!(self, Aside::RedeemedAtLimit | Aside::Matured)
    }

    fn shape(self) -> Shape {
        use Cell::{Empty, Given};
        let order = |price| Shape { order: Given, side: Given, kind: Given, price, lots: (0, false), reason: Empty };
        let none_found =
            |price| Shape { order: Empty, side: Empty, kind: Empty, price, lots: (0, false), reason: Empty };
        match self {
            Aside::Submitted => order(None),
            Aside::Rejected => Shape { reason: Given, ..order(None) },
            Aside::CancelRequested => {
                Shape { order: Given, side: Given, kind: Empty, price: Some(Empty), lots: (0, true), reason: Empty }
            }
            Aside::CancelTooLate => Shape { lots: (0, true), ..none_found(Some(Empty)) },
            Aside::ReplaceRejected => {
                Shape { order: Given, side: Given, kind: Empty, price: Some(Given), lots: (0, false), reason: Given }
            }
            Aside::ReplaceTooLate => none_found(Some(Given)),
            Aside::RedeemedAtLimit | Aside::Matured => {
                Shape { order: Empty, side: Given, kind: Empty, price: Some(Empty), lots: (1, false), reason: Empty }
            }
        }
    }
}

/// Checks line `cells`, of `op`, against what the writer writes for it,
/// for the products `grids`; `last` is the time and number of the last line
/// in time order before it, `closes` the run's closes (ns), at one of which
/// a redemption is. Returns the line's time, or what is wrong with it.
pub(super) fn check(
    cols: &Cols,
    op: Aside,
    cells: &[&str],
    grids: &[Grid],
    last: Option<(i64, usize)>,
    closes: &[i64],
) -> Result<i64, String> {
    let shape = op.shape();
    let name = cells[cols.op];
    let in_order = if op.is_redemption() { None } else { last };
    let (product, time) = cols.product_time(cells, grids, in_order)?;
    let grid = &grids[product];
    if op.is_redemption() && !closes.contains(&time) {
        return Err(format!("time `{}` is not a session's close, when holdings are redeemed", cells[cols.time]));
    }
    let text = cells[cols.order];
    match shape.order {
        Cell::Given if !text.parse::<u64>().is_ok_and(|o| o >= 1) => {
            return Err(format!("order `{text}` is not an order's serial number, a whole number from 1"));
        }
        Cell::Empty if text != "0" => {
            return Err(format!("order `{text}` on a line that names no order (the run writes 0)"));
        }
        _ => {}
    }
    if cells[cols.agent].parse::<u32>().is_err() {
        return Err(format!(
            "agent `{}` is not an account id, a whole number from 0 to {}",
            cells[cols.agent],
            u32::MAX
        ));
    }
    let side = cells[cols.side];
    let sides: &[&str] = match (shape.side, op.is_redemption()) {
        (Cell::Given, true) => &["sell"],
        (Cell::Given, false) => &["buy", "sell"],
        (Cell::Empty, _) => &[""],
    };
    if !sides.contains(&side) {
        let want = match sides {
            [""] => "none, as its order was gone".to_string(),
            [one] => format!("`{one}`"),
            _ => "`buy` or `sell`".to_string(),
        };
        return Err(format!("side `{side}` on a {} line, which has {want}", name));
    }
    let kind = cells[cols.kind];
    match shape.kind {
        Cell::Given if !matches!(kind, "limit" | "ioc" | "market") => {
            return Err(format!("kind `{kind}` is not `limit`, `ioc` or `market`"));
        }
        Cell::Empty if !kind.is_empty() => {
            return Err(format!("kind `{kind}` on a line that has none (the kind is an order's)"));
        }
        _ => {}
    }
    let aon = cells[cols.aon];
    let aons: &[&str] = if shape.kind == Cell::Given { &["0", "1"] } else { &["0"] };
    if !aons.contains(&aon) {
        return Err(format!("aon `{aon}` is not {}", aons.join(" or ")));
    }
    let price = cells[cols.price];
    let wants_price = shape.price.unwrap_or(if kind == "market" { Cell::Empty } else { Cell::Given });
    match (wants_price, price.is_empty()) {
        (Cell::Given, true) => return Err(format!("no price, which a {} line has", name)),
        (Cell::Empty, false) => {
            return Err(format!("price `{price}` on a {} line, which has none", name));
        }
        (Cell::Given, false) => {
            let micros = decimal(price, 6).ok_or_else(|| format!("price `{price}` is not a decimal amount"))?;
            if micros % grid.tick != 0 {
                return Err(format!("price `{price}` is not on {}'s tick grid of {}", grid.id, amount(grid.tick)));
            }
        }
        (Cell::Empty, true) => {}
    }
    let lots = cells[cols.lots];
    let (least, exact) = shape.lots;
    let fits = lots.parse::<u32>().is_ok_and(|l| l >= least && (!exact || l == least));
    if !fits {
        let want = if exact { format!("{least}") } else { format!("a whole number of lots from {least}") };
        return Err(format!("lots `{lots}` on a {} line, which has {want}", name));
    }
    let reason = cells[cols.reason];
    match shape.reason {
        Cell::Given if !Reject::ALL.iter().any(|r| r.name() == reason) => {
            let names: Vec<&str> = Reject::ALL.iter().map(|r| r.name()).collect();
            return Err(format!("reason `{reason}` is not one of the platform's ({})", names.join(", ")));
        }
        Cell::Empty if !reason.is_empty() => {
            return Err(format!("reason `{reason}` on a {} line, which has none", name));
        }
        _ => {}
    }
    Ok(time)
}

/// The lines written in pairs: an order's `submitted` and its `accepted`
/// or `rejected`; a `cancel_requested` and its order's `cancelled`.
#[derive(Default)]
pub(super) struct Pairs {
    /// The number and op of a line waiting for its partner.
    pending: Option<(usize, &'static str)>,
    /// Its cells that the partner repeats, each followed by a comma.
    same: String,
    /// The same cells of the line at hand (kept to reuse its buffer).
    here: String,
}

impl Pairs {
    /// Writes into `out` the cells of a pair's two lines that are the same:
    /// every one but the op and the reason for an order's; its time, order,
    /// agent, product and side for a cancel's (the `cancelled` line says
    /// the lots left).
    fn same_into(out: &mut String, cols: &Cols, cells: &[&str], whole: bool) {
        let at =
            [cols.time, cols.order, cols.agent, cols.product, cols.side, cols.kind, cols.aon, cols.price, cols.lots];
        out.clear();
        for &i in &at[..if whole { at.len() } else { 5 }] {
            out.push_str(cells[i]);
            out.push(',');
        }
    }

    /// Takes line `n` (`cells`, its op named `name`); what is wrong with
    /// the pairs, if anything.
    pub fn take(&mut self, n: usize, name: &str, cols: &Cols, cells: &[&str]) -> Result<(), String> {
        if let Some((line, op)) = self.pending.take() {
            let whole = op == "submitted";
            let partner = if whole { matches!(name, "accepted" | "rejected") } else { name == "cancelled" };
            Self::same_into(&mut self.here, cols, cells, whole);
            if !partner || self.here != self.same {
                let want = if whole {
                    "the order's `accepted` or `rejected` line, the same in every cell but the op and the reason"
                } else {
                    "its order's `cancelled` line, of the same time, order, agent, product and side"
                };
                return Err(format!("line {line} is a `{op}` line: the run writes {want} right after it"));
            }
            return Ok(());
        }
        let op = match name {
            "submitted" => "submitted",
            "cancel_requested" => "cancel_requested",
            "accepted" | "rejected" => {
                return Err(format!(
                    "order {}'s `{name}` line has no `submitted` line right before it, as the run writes one",
                    cells[cols.order]
                ));
            }
            _ => return Ok(()),
        };
        Self::same_into(&mut self.same, cols, cells, op == "submitted");
        self.pending = Some((n, op));
        Ok(())
    }

    /// At the end of the log: no line waits for its partner.
    pub fn end(&self) -> Result<(), (usize, String)> {
        match self.pending {
            Some((line, op)) => {
                Err((line, format!("a `{op}` line ends the log: the run writes its partner right after it")))
            }
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::columns::events as ev;

    fn grids() -> [Grid; 1] {
        [Grid::note7()]
    }

    /// `line` checked as the replay checks it, after a line at 34,200 s,
    /// over one close at 54,000 s.
    fn checked(line: &str) -> Result<i64, String> {
        let cols = Cols::of(ev::HEADER).unwrap();
        let cells: Vec<&str> = line.split(',').collect();
        let op = Aside::of(cells[cols.op]).unwrap();
        check(&cols, op, &cells, &grids(), Some((34_200_000_000_000, 2)), &[54_000_000_000_000])
    }

    #[test]
    fn each_line_is_held_to_what_the_writer_writes() {
        for good in [
            "34201,submitted,2,6,NOTE7,buy,limit,0,1.0001,4,",
            "34201,submitted,2,6,NOTE7,buy,market,1,,4,",
            "34201,rejected,2,6,NOTE7,buy,limit,0,1.5,4,price_band",
            "34201,cancel_requested,2,6,NOTE7,sell,,0,,0,",
            "34201,cancel_too_late,0,6,NOTE7,,,0,,0,",
            "34201,replace_rejected,2,6,NOTE7,sell,,0,1,9,size_limit",
            "34201,replace_too_late,0,6,NOTE7,,,0,1,9,",
            "54000,redeemed_at_limit,0,6,NOTE7,sell,,0,,9,",
            "54000,matured,0,6,NOTE7,sell,,0,,9,",
        ] {
            assert!(checked(good).is_ok(), "{good}: {:?}", checked(good));
        }
        for (bad, says) in [
            ("34199,submitted,2,6,NOTE7,buy,limit,0,1,4,", "earlier than line 2's"),
            ("34201,submitted,0,6,NOTE7,buy,limit,0,1,4,", "order `0` is not an order's serial number"),
            ("34201,submitted,2,6,NOTE8,buy,limit,0,1,4,", "product `NOTE8` is not in manifest.json"),
            ("34201,submitted,2,6,NOTE7,up,limit,0,1,4,", "side `up` on a submitted line"),
            ("34201,submitted,2,6,NOTE7,buy,stop,0,1,4,", "kind `stop` is not"),
            ("34201,submitted,2,6,NOTE7,buy,market,0,1,4,", "price `1` on a submitted line, which has none"),
            ("34201,submitted,2,6,NOTE7,buy,limit,0,,4,", "no price"),
            ("34201,submitted,2,6,NOTE7,buy,limit,0,1.00001,4,", "not on NOTE7's tick grid"),
            ("34201,submitted,2,-6,NOTE7,buy,limit,0,1,4,", "agent `-6`"),
            ("34201,submitted,2,6,NOTE7,buy,limit,2,1,4,", "aon `2` is not 0 or 1"),
            ("34201,submitted,2,6,NOTE7,buy,limit,0,1,4,credit_score", "reason `credit_score` on a submitted line"),
            ("34201,rejected,2,6,NOTE7,buy,limit,0,1,4,bogus", "reason `bogus` is not one of the platform's"),
            ("34201,rejected,2,6,NOTE7,buy,limit,0,1,4,", "reason `` is not one of"),
            ("34201,cancel_requested,2,6,NOTE7,sell,,0,,3,", "lots `3` on a cancel_requested line, which has 0"),
            ("34201,cancel_requested,2,6,NOTE7,sell,,1,,0,", "aon `1` is not 0"),
            ("34201,cancel_too_late,5,6,NOTE7,,,0,,0,", "order `5` on a line that names no order"),
            ("34201,cancel_too_late,0,6,NOTE7,buy,,0,,0,", "side `buy` on a cancel_too_late line"),
            ("34201,replace_too_late,0,6,NOTE7,,,0,,9,", "no price"),
            ("54001,matured,0,6,NOTE7,sell,,0,,9,", "not a session's close"),
            ("54000,matured,0,6,NOTE7,buy,,0,,9,", "side `buy` on a matured line, which has `sell`"),
            ("54000,matured,0,6,NOTE7,sell,,0,,0,", "lots `0` on a matured line"),
            ("x,matured,0,6,NOTE7,sell,,0,,1,", "time `x` is not a time"),
        ] {
            let e = checked(bad).err().unwrap_or_default();
            assert!(e.contains(says), "{bad}: {e}");
        }
    }

    #[test]
    fn pairs_are_written_together() {
        let cols = Cols::of(ev::HEADER).unwrap();
        let run = |lines: &[&str]| -> Result<(), String> {
            let mut pairs = Pairs::default();
            for (i, line) in lines.iter().enumerate() {
                let cells: Vec<&str> = line.split(',').collect();
                pairs.take(i + 2, cells[cols.op], &cols, &cells)?;
            }
            pairs.end().map_err(|(_, e)| e)
        };
        let submitted = "34201,submitted,2,6,NOTE7,buy,limit,0,1,4,";
        let cancel = "34202,cancel_requested,2,6,NOTE7,buy,,0,,0,";
        assert_eq!(run(&[submitted, "34201,accepted,2,6,NOTE7,buy,limit,0,1,4,"]), Ok(()));
        assert_eq!(run(&[submitted, "34201,rejected,2,6,NOTE7,buy,limit,0,1,4,credit_score"]), Ok(()));
        assert_eq!(run(&[cancel, "34202,cancelled,2,6,NOTE7,buy,,0,,4,"]), Ok(()));
        let e = run(&[submitted, "34201,accepted,2,6,NOTE7,buy,limit,0,1,5,"]).unwrap_err();
        assert!(e.contains("line 2 is a `submitted` line: the run writes the order's `accepted`"), "{e}");
        let e = run(&[submitted, cancel]).unwrap_err();
        assert!(e.contains("line 2 is a `submitted` line"), "{e}");
        let e = run(&["34201,accepted,2,6,NOTE7,buy,limit,0,1,4,"]).unwrap_err();
        assert!(e.contains("order 2's `accepted` line has no `submitted` line right before it"), "{e}");
        let e = run(&[cancel, "34202,cancelled,3,6,NOTE7,buy,,0,,4,"]).unwrap_err();
        assert!(e.contains("its order's `cancelled` line"), "{e}");
        let e = run(&[submitted]).unwrap_err();
        assert!(e.contains("a `submitted` line ends the log"), "{e}");
    }
}
