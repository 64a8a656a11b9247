//! `tplus replay RUN_DIR`: the operation log of a `--log` run re-matched
//! through the book, checked against the run's `trades.csv` byte for byte.
//!
//! The log holds every order the platform accepted (with its side, kind,
//! all-or-none flag, limit and lots), every change it took and every
//! withdrawal (cancelled, expired), at the moments they reached the book and
//! in the order they did. Fed to one [`Book`] per product under the
//! product's matching rule, in log order, they must give the same trades, in
//! the same order, as the run: the platform's checks, settlement and the
//! agents do not take part, so a difference is the matching core's (or the
//! log's). Replaying needs no scenario but the products' ids, tick sizes and
//! rules, read from the run's `manifest.json`.

use std::collections::HashMap;
use std::fs;
use std::io::{self, BufRead, BufReader};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::book::{Book, BookEvent, DoneReason, MatchingRule, NewOrder, OrderId, OrderKind, Side};
use crate::columns::{self, events as ev};
use crate::engine::record::{Op, TradeRecord};
use crate::results::line::Line;
use crate::results::trade_line;
use crate::scenario::Product;

/// Why a replay could not be made, or did not reproduce the run.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// The directory lacks a file the replay needs.
    #[error("{}: no {file}{hint}", .dir.display())]
    Missing {
        /// The run directory.
        dir: PathBuf,
        /// The file it lacks.
        file: &'static str,
        /// What to do about it.
        hint: &'static str,
    },
    /// A file could not be read.
    #[error("cannot read {}: {source}", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The system's error.
        source: io::Error,
    },
    /// `manifest.json` does not list the products.
    #[error("{}: not a run's manifest: {source}", .path.display())]
    Manifest {
        /// The file.
        path: PathBuf,
        /// The parser's error.
        source: serde_json::Error,
    },
    /// A product in `manifest.json` has a tick no price can be on.
    #[error(
        "{}: product `{product}` has tick_size {tick_size}, which is not a positive whole number of millionths; \
         the manifest was edited or is not tplus's",
        .path.display()
    )]
    Tick {
        /// The file.
        path: PathBuf,
        /// The product's id.
        product: String,
        /// Its tick as the manifest gives it.
        tick_size: f64,
    },
    /// A line of `events.csv` that is not one the log writes.
    #[error("{}:{line}: {what}", .path.display())]
    BadLine {
        /// The file.
        path: PathBuf,
        /// Its line number, from 1.
        line: usize,
        /// What is wrong with it.
        what: String,
    },
    /// The replay's trades differ from the run's.
    #[error(
        "the replay differs from trades.csv at line {line}:\n  trades.csv: {}\n  replay:     {}",
        .expected.as_deref().unwrap_or("(end of file)"),
        .got.as_deref().unwrap_or("(end of file)")
    )]
    Differs {
        /// The first line that differs, from 1 (the header is line 1).
        line: usize,
        /// The run's line there.
        expected: Option<String>,
        /// The replay's line there.
        got: Option<String>,
    },
}

impl ReplayError {
    /// 1 when the replay ran and differs or a file cannot be read; 2 for a
    /// directory that is not a logged run.
    pub fn exit_code(&self) -> u8 {
        match self {
            ReplayError::Differs { .. } | ReplayError::Io { .. } => 1,
            _ => 2,
        }
    }
}

/// What a replay that reproduced its run went through.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReplayReport {
    /// Lines of the operation log read.
    pub log_lines: u64,
    /// Orders submitted to the books.
    pub orders: u64,
    /// Withdrawals (cancelled and expired) applied.
    pub withdrawals: u64,
    /// Changes (replaced) applied.
    pub replaces: u64,
    /// Trades made, each equal to its line of `trades.csv`.
    pub trades: u64,
}

/// What the replay reads of `manifest.json`: the products, as the run's
/// scenario wrote them.
#[derive(Deserialize)]
struct ManifestProducts {
    scenario: ScenarioProducts,
}

#[derive(Deserialize)]
struct ScenarioProducts {
    #[serde(rename = "product")]
    products: Vec<Product>,
}

/// One product's book in the replay, on a grid from `base` (absolute ticks).
struct ProductBook {
    book: Book,
    base: i64,
}

/// One parsed line of the log that the replay acts on.
struct LogOp<'a> {
    /// Its line in the log, from 1 (the header).
    line: usize,
    time: i64,
    op: &'a str,
    order: u64,
    agent: u32,
    product: usize,
    side: Option<Side>,
    kind: Option<OrderKind>,
    aon: bool,
    /// In absolute ticks.
    price: Option<i64>,
    lots: u32,
}

/// Where each column the replay reads sits in a line.
struct Cols {
    time: usize,
    op: usize,
    order: usize,
    agent: usize,
    product: usize,
    side: usize,
    kind: usize,
    aon: usize,
    price: usize,
    lots: usize,
    count: usize,
}

impl Cols {
    fn of(header: &str) -> Option<Cols> {
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
            count: names.len(),
        })
    }
}

/// An exact decimal `text` in units of `10^-places` (`"1.0001"`, 6 → 1000100).
fn decimal(text: &str, places: u32) -> Option<i64> {
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty() || frac.len() > places as usize || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let mut f: i64 = if frac.is_empty() { 0 } else { frac.parse().ok()? };
    f *= 10i64.pow(places - frac.len() as u32);
    whole.checked_mul(10i64.pow(places))?.checked_add(f)
}

/// Re-matches the operation log of the run in `dir` and compares its trades
/// with the run's `trades.csv`.
pub fn replay(dir: &Path) -> Result<ReplayReport, ReplayError> {
    let file = |name: &'static str, hint: &'static str| {
        let path = dir.join(name);
        if path.is_file() { Ok(path) } else { Err(ReplayError::Missing { dir: dir.to_path_buf(), file: name, hint }) }
    };
    let manifest = file("manifest.json", ": not a finished run's directory")?;
    let log = file("events.csv", ": the run was made without --log; run it again with --log to replay it")?;
    let trades = file("trades.csv", ": not a finished run's directory")?;

    let text = fs::read_to_string(&manifest).map_err(|source| ReplayError::Io { path: manifest.clone(), source })?;
    let products = serde_json::from_str::<ManifestProducts>(&text)
        .map_err(|source| ReplayError::Manifest { path: manifest.clone(), source })?
        .scenario
        .products;
    let ids: HashMap<&str, usize> = products.iter().enumerate().map(|(i, p)| (p.id.as_str(), i)).collect();
    let tick_micros = products
        .iter()
        .map(|p| {
            // A manifest edited by hand may hold a tick validation would
            // refuse: refuse it by the same rule before dividing by it.
            crate::scenario::whole_tick_micros(p.tick_size).ok_or_else(|| ReplayError::Tick {
                path: manifest.clone(),
                product: p.id.clone(),
                tick_size: p.tick_size,
            })
        })
        .collect::<Result<Vec<i64>, _>>()?;
    let names: Vec<(String, i64)> = products.iter().map(|p| p.id.clone()).zip(tick_micros.iter().copied()).collect();

    let bad = |line: usize, what: String| ReplayError::BadLine { path: log.clone(), line, what };
    let log_bytes = fs::read(&log).map_err(|source| ReplayError::Io { path: log.clone(), source })?;
    let log_text = String::from_utf8(log_bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let line = 1 + bytes[..at].iter().filter(|&&b| b == b'\n').count();
        bad(line, format!("byte 0x{:02X} is not UTF-8 text: the log has been edited or damaged", bytes[at]))
    })?;
    let mut lines = log_text.lines();
    let cols = lines
        .next()
        .and_then(Cols::of)
        .ok_or_else(|| bad(1, format!("not the operation log's header (expected `{}`)", ev::HEADER)))?;

    // Parse once, keeping only the operations that reach the book.
    let mut ops = Vec::new();
    for (i, line) in lines.enumerate() {
        let n = i + 2;
        let cells: Vec<&str> = line.split(',').collect();
        if cells.len() != cols.count {
            return Err(bad(n, format!("{} cells, the header has {}", cells.len(), cols.count)));
        }
        let op = cells[cols.op];
        if !matches!(op, "accepted" | "cancelled" | "expired" | "replaced") {
            if !Op::NAMES.contains(&op) {
                return Err(bad(n, format!("op `{op}` is not one the log writes ({})", Op::NAMES.join(", "))));
            }
            continue;
        }
        let product = *ids
            .get(cells[cols.product])
            .ok_or_else(|| bad(n, format!("product `{}` is not in manifest.json", cells[cols.product])))?;
        let number = |c: usize, what: &str| -> Result<u64, ReplayError> {
            cells[c].parse().map_err(|_| bad(n, format!("{what} `{}` is not a whole number", cells[c])))
        };
        let price = match cells[cols.price] {
            "" => None,
            p => {
                let micros = decimal(p, 6).ok_or_else(|| bad(n, format!("price `{p}` is not a decimal amount")))?;
                if micros % tick_micros[product] != 0 {
                    return Err(bad(n, format!("price `{p}` is not on the product's tick grid")));
                }
                Some(micros / tick_micros[product])
            }
        };
        let time = decimal(cells[cols.time], 9).ok_or_else(|| {
            bad(
                n,
                format!("time `{}` is not a time in seconds with up to 9 decimals (e.g. 34200.05)", cells[cols.time]),
            )
        })?;
        // An accepted order goes to the book, which needs its side and kind.
        let side = match cells[cols.side] {
            "buy" => Some(Side::Buy),
            "sell" => Some(Side::Sell),
            s if op == "accepted" => return Err(bad(n, format!("side `{s}` is not `buy` or `sell`"))),
            _ => None,
        };
        let kind = match cells[cols.kind] {
            "limit" => Some(OrderKind::Limit),
            "ioc" => Some(OrderKind::Ioc),
            "market" => Some(OrderKind::Market),
            k if op == "accepted" => return Err(bad(n, format!("kind `{k}` is not `limit`, `ioc` or `market`"))),
            _ => None,
        };
        ops.push(LogOp {
            line: n,
            time,
            op,
            order: number(cols.order, "order")?,
            agent: number(cols.agent, "agent")? as u32,
            product,
            side,
            kind,
            aon: cells[cols.aon] == "1",
            price,
            lots: number(cols.lots, "lots")? as u32,
        });
    }

    // Each book's grid spans every price the log gives it.
    let mut span: Vec<Option<(i64, i64)>> = vec![None; products.len()];
    for o in &ops {
        if let Some(p) = o.price {
            let s = span[o.product].get_or_insert((p, p));
            *s = (s.0.min(p), s.1.max(p));
        }
    }
    let mut books: Vec<ProductBook> = products
        .iter()
        .zip(&span)
        .map(|(p, s)| {
            let (lo, hi) = s.unwrap_or((1, 1));
            let base = lo - 1;
            let rule: MatchingRule = p.matching;
            ProductBook { book: Book::with_rule((hi - base + 2) as u32, 1 << 12, rule), base }
        })
        .collect();

    let mut report =
        ReplayReport { log_lines: log_text.lines().count().saturating_sub(1) as u64, ..Default::default() };
    let mut resting: HashMap<u64, OrderId> = HashMap::new();
    let mut events: Vec<BookEvent> = Vec::new();
    let mut made: Vec<TradeRecord> = Vec::new();
    for o in &ops {
        let pb = &mut books[o.product];
        events.clear();
        match o.op {
            "accepted" => {
                let (Some(side), Some(kind)) = (o.side, o.kind) else {
                    return Err(bad(o.line, format!("order {} is accepted without a side or kind", o.order)));
                };
                let order = NewOrder {
                    side,
                    kind,
                    price: o.price.map_or(0, |p| (p - pb.base) as u32),
                    qty: o.lots,
                    all_or_none: o.aon,
                    owner: o.agent,
                    tag: o.order,
                };
                // The platform's checks passed, so the book takes it.
                let _ = pb.book.submit(&order, &mut events);
                report.orders += 1;
            }
            "cancelled" | "expired" => {
                if let Some(id) = resting.remove(&o.order) {
                    let why = if o.op == "expired" { DoneReason::Expired } else { DoneReason::Cancelled };
                    pb.book.cancel(id, why, &mut events);
                    report.withdrawals += 1;
                }
            }
            _ => {
                if let (Some(&id), Some(p)) = (resting.get(&o.order), o.price) {
                    let _ = pb.book.replace(id, (p - pb.base) as u32, o.lots, &mut events);
                    report.replaces += 1;
                }
            }
        }
        for e in &events {
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
                    made.push(TradeRecord {
                        time: o.time,
                        product: o.product as u16,
                        price: pb.base + i64::from(price),
                        lots: qty,
                        buyer,
                        seller,
                        buy_order,
                        sell_order,
                        aggressor: aggressor_side,
                    });
                }
                BookEvent::Rested { id, tag, .. } => {
                    resting.insert(tag, id);
                }
                BookEvent::Done { tag, .. } => {
                    resting.remove(&tag);
                }
            }
        }
    }
    compare(&trades, &made, &names)?;
    report.trades = made.len() as u64;
    Ok(report)
}

/// Compares the replay's trades, formatted as the run writes them, with
/// `trades.csv` line by line.
fn compare(path: &Path, made: &[TradeRecord], names: &[(String, i64)]) -> Result<(), ReplayError> {
    let f = fs::File::open(path).map_err(|source| ReplayError::Io { path: path.to_path_buf(), source })?;
    let mut run = BufReader::new(f).lines();
    let io = |source| ReplayError::Io { path: path.to_path_buf(), source };
    let header = run.next().transpose().map_err(io)?;
    if header.as_deref() != Some(columns::trades::HEADER) {
        return Err(ReplayError::Differs { line: 1, expected: header, got: Some(columns::trades::HEADER.into()) });
    }
    let mut line = Line::new();
    let mut buf = Vec::new();
    for (i, t) in made.iter().enumerate() {
        buf.clear();
        trade_line(&mut line, t, names);
        line.flush_to(&mut buf).map_err(io)?;
        let got = String::from_utf8_lossy(&buf[..buf.len() - 1]).into_owned();
        let expected = run.next().transpose().map_err(io)?;
        if expected.as_deref() != Some(got.as_str()) {
            return Err(ReplayError::Differs { line: i + 2, expected, got: Some(got) });
        }
    }
    if let Some(extra) = run.next().transpose().map_err(io)? {
        return Err(ReplayError::Differs { line: made.len() + 2, expected: Some(extra), got: None });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_read_exactly() {
        assert_eq!(decimal("1.0001", 6), Some(1_000_100));
        assert_eq!(decimal("34200.1869502", 9), Some(34_200_186_950_200));
        assert_eq!(decimal("7", 6), Some(7_000_000));
        assert_eq!(decimal("1.0000001", 6), None);
        assert_eq!(decimal("x", 6), None);
        assert_eq!(decimal(".5", 6), None);
    }
}
