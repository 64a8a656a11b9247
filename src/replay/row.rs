//! A line of the operation log as the replay reads it: where its columns
//! are, and its cells parsed and held to what the log's writer writes.

use super::manifest::Grid;
use super::text::{amount, decimal, seconds};
use crate::book::{OrderKind, Side};
use crate::columns::{self, events as ev};

/// The operations of the log the replay reads: those that reach the book
/// (`accepted`, `replaced`, `cancelled`, `expired`), and the trades and
/// order ends the book's events write (`traded`, `filled`, `unfilled`; a
/// `cancelled` or `expired` line is its order's end too).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum LogOp {
    Accepted,
    Cancelled,
    Expired,
    Replaced,
    Traded,
    Filled,
    Unfilled,
}

impl LogOp {
    /// The op the log names `name`, if the replay reads it.
    pub fn of(name: &str) -> Option<LogOp> {
        Some(match name {
            "accepted" => LogOp::Accepted,
            "cancelled" => LogOp::Cancelled,
            "expired" => LogOp::Expired,
            "replaced" => LogOp::Replaced,
            "traded" => LogOp::Traded,
            "filled" => LogOp::Filled,
            "unfilled" => LogOp::Unfilled,
            _ => return None,
        })
    }

    /// Whether the line is an order's end, whose lots are what the order
    /// had left, the market's to say (0 for a filled order), and which has
    /// no price.
    pub fn is_end(self) -> bool {
        matches!(self, LogOp::Cancelled | LogOp::Expired | LogOp::Filled | LogOp::Unfilled)
    }
}

/// One parsed line of the log that the replay reads.
pub(super) struct Row {
    /// Nanoseconds since 00:00 of the start date.
    pub time: i64,
    pub op: LogOp,
    pub order: u64,
    pub agent: u32,
    pub product: usize,
    pub side: Side,
    pub kind: Option<OrderKind>,
    pub aon: bool,
    /// In absolute ticks, inside the product's band over the run.
    pub price: Option<i64>,
    pub lots: u32,
}

/// Where each column the replay reads sits in a line.
pub(super) struct Cols {
    pub time: usize,
    pub op: usize,
    pub order: usize,
    pub agent: usize,
    pub product: usize,
    pub side: usize,
    pub kind: usize,
    pub aon: usize,
    pub price: usize,
    pub lots: usize,
    pub reason: usize,
    /// How many columns a line has.
    pub count: usize,
}

impl Cols {
    pub fn of(header: &str) -> Option<Cols> {
        let names: Vec<&str> = header.split(',').collect();
        let at = |name: &str| names.iter().position(|n| *n == name);
        Some(Cols {
            time: at(columns::name!(ev::COLUMNS, "time"))?,
            op: at(columns::name!(ev::COLUMNS, "op"))?,
            order: at(columns::name!(ev::COLUMNS, "order"))?,
            agent: at(columns::name!(ev::COLUMNS, "agent"))?,
            product: at(columns::name!(ev::COLUMNS, "product"))?,
            side: at(columns::name!(ev::COLUMNS, "side"))?,
            kind: at(columns::name!(ev::COLUMNS, "kind"))?,
            aon: at(columns::name!(ev::COLUMNS, "aon"))?,
            price: at(columns::name!(ev::COLUMNS, "price"))?,
            lots: at(columns::name!(ev::COLUMNS, "lots"))?,
            reason: at(columns::name!(ev::COLUMNS, "reason"))?,
            count: names.len(),
        })
    }

    /// A line's product (its index in `grids`) and time (ns), the time no
    /// earlier than `last`'s, the time and number of the line before it in
    /// time order (None: no line, or this one need not be in order).
    pub fn product_time(
        &self,
        cells: &[&str],
        grids: &[Grid],
        last: Option<(i64, usize)>,
    ) -> Result<(usize, i64), String> {
        let product = grids
            .iter()
            .position(|g| g.id == cells[self.product])
            .ok_or_else(|| format!("product `{}` is not in manifest.json", cells[self.product]))?;
        let time = decimal(cells[self.time], 9).filter(|&t| t >= 0).ok_or_else(|| {
            format!("time `{}` is not a time in seconds with up to 9 decimals (e.g. 34200.05)", cells[self.time])
        })?;
        if let Some((last, at)) = last
            && time < last
        {
            return Err(format!(
                "time `{}` is earlier than line {at}'s, {}; the log's lines are in time order, but for the \
                 redemptions written at a close",
                cells[self.time],
                seconds(last)
            ));
        }
        Ok((product, time))
    }

    /// Parses a line's `cells` as a line of `op`, one the replay reads, for
    /// the products `grids`; `last` is the time and number of the last line
    /// read before it. What is wrong with it, if anything, as an error says it.
    pub fn parse(&self, op: LogOp, cells: &[&str], grids: &[Grid], last: Option<(i64, usize)>) -> Result<Row, String> {
        let cols = self;
        let (product, time) = cols.product_time(cells, grids, last)?;
        let grid = &grids[product];
        let order = cells[cols.order].parse::<u64>().ok().filter(|&o| o >= 1).ok_or_else(|| {
            format!("order `{}` is not an order's serial number, a whole number from 1", cells[cols.order])
        })?;
        let agent = cells[cols.agent].parse::<u32>().map_err(|_| {
            format!("agent `{}` is not an account id, a whole number from 0 to {}", cells[cols.agent], u32::MAX)
        })?;
        // An order, a change and a trade are of at least a lot; an order's
        // end says what it had left, 0 when it filled.
        let least = u32::from(!op.is_end());
        let lots = cells[cols.lots].parse::<u32>().ok().filter(|&l| l >= least).ok_or_else(|| {
            format!("lots `{}` is not a whole number of lots from {least} to {}", cells[cols.lots], u32::MAX)
        })?;
        let aon = match cells[cols.aon] {
            "0" => false,
            "1" => true,
            a => return Err(format!("aon `{a}` is not 0 or 1")),
        };
        // Every line the replay reads has a side: its order's, or a trade's.
        let side = match cells[cols.side] {
            "buy" => Side::Buy,
            "sell" => Side::Sell,
            s => return Err(format!("side `{s}` is not `buy` or `sell`")),
        };
        // Only an accepted order has a kind.
        let kind = match (cells[cols.kind], op) {
            ("limit", LogOp::Accepted) => Some(OrderKind::Limit),
            ("ioc", LogOp::Accepted) => Some(OrderKind::Ioc),
            ("market", LogOp::Accepted) => Some(OrderKind::Market),
            ("", _) if op != LogOp::Accepted => None,
            (k, LogOp::Accepted) => return Err(format!("kind `{k}` is not `limit`, `ioc` or `market`")),
            (k, _) => return Err(format!("kind `{k}` on a line that has none (the kind is an accepted order's)")),
        };
        let price = match cells[cols.price] {
            "" => None,
            p if op.is_end() => {
                return Err(format!(
                    "price `{p}` on an order's end, which has none (its limit is its accepted line's)"
                ));
            }
            p => {
                let micros = decimal(p, 6).ok_or_else(|| format!("price `{p}` is not a decimal amount"))?;
                if micros % grid.tick != 0 {
                    return Err(format!("price `{p}` is not on {}'s tick grid of {}", grid.id, amount(grid.tick)));
                }
                let ticks = micros / grid.tick;
                if grid.index(ticks).is_none() {
                    return Err(format!(
                        "price `{p}` is outside {}'s price band over the run: a price from {} to {} (NAV × (1 ± \
                         price_band) on the run's days, from manifest.json)",
                        grid.id,
                        amount(grid.lo * grid.tick),
                        amount(grid.hi * grid.tick)
                    ));
                }
                Some(ticks)
            }
        };
        // A market order has no limit; every other order, change and trade has a price.
        match (kind, price) {
            (Some(OrderKind::Market), Some(_)) => {
                return Err(format!("price `{}` on a market order, which has none", cells[cols.price]));
            }
            (Some(OrderKind::Market), None) | (_, Some(_)) => {}
            (_, None) if matches!(op, LogOp::Accepted | LogOp::Replaced | LogOp::Traded) => {
                return Err("no price, which every order but a market one, change and trade has".into());
            }
            (_, None) => {}
        }
        Ok(Row { time, op, order, agent, product, side, kind, aon, price, lots })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Result<Row, String> {
        let grids = [Grid::note7()];
        let cols = Cols::of(ev::HEADER).unwrap();
        let cells: Vec<&str> = line.split(',').collect();
        let op = LogOp::of(cells[cols.op]).unwrap();
        cols.parse(op, &cells, &grids, None)
    }

    /// An order's end says the lots it had left, 0 when it filled, and has
    /// no price; an order, a change and a trade are of a lot at least.
    #[test]
    fn an_order_s_end_may_have_no_lots_left_and_has_no_price() {
        assert_eq!(parse("34201,filled,2,6,NOTE7,buy,,0,,0,").map(|r| r.lots), Ok(0));
        assert_eq!(parse("34201,unfilled,2,6,NOTE7,buy,,0,,3,").map(|r| r.lots), Ok(3));
        let e = parse("34201,filled,2,6,NOTE7,buy,,0,1,0,").err().unwrap_or_default();
        assert!(e.contains("price `1` on an order's end"), "{e}");
        let e = parse("34201,traded,2,6,NOTE7,buy,,0,1,0,").err().unwrap_or_default();
        assert!(e.contains("lots `0` is not a whole number of lots from 1"), "{e}");
        let e = parse("34201,cancelled,2,6,NOTE7,,,0,,3,").err().unwrap_or_default();
        assert!(e.contains("side `` is not `buy` or `sell`"), "{e}");
    }
}
