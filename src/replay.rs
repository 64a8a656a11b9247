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
//! log's). Replaying needs no scenario but the products and the run's
//! business days, read from the run's `manifest.json`: each book spans the
//! product's price band over the run's days, the grid the run's book had.
//!
//! What is checked, and how it ends:
//!
//! * Every line the replay reads (`accepted`, `cancelled`, `expired`,
//!   `replaced`, `traded`) must be one the log's writer could have written:
//!   whole numbers within their type (lots from 1, account ids within 32
//!   bits), a price on the product's tick grid and inside its band over the
//!   run, an all-or-none flag of 0 or 1, a product the manifest lists, a
//!   time no earlier than the previous such line's (the rows that never
//!   reach the book, rejections after the close and the redemptions at it,
//!   are written out of time order and are not read), each order accepted
//!   once, and a withdrawal or change naming an accepted order of that
//!   product. Anything else is bad input (exit 2, `events.csv:LINE: …`).
//! * The log's `traded` lines are checked against the re-matched trades:
//!   each trade the replay makes must be followed, before the next line
//!   that reaches the book, by the two `traded` lines the run writes for it
//!   (the buyer's, then the seller's), byte for byte; a withdrawal or a
//!   change must find its order still resting. A difference there is the
//!   replay's (exit 1), as is one with `trades.csv`.
//! * `trades.csv` is compared line by line as bytes, each line's newline
//!   included: a file with other line endings, or without its last newline,
//!   differs.

use std::collections::{HashMap, VecDeque};
use std::fs;
use std::io::{self, BufRead, BufReader};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::book::{Book, BookEvent, DoneReason, MatchingRule, NewOrder, OrderId, OrderKind, ReplaceError, Side};
use crate::columns::{self, events as ev};
use crate::engine::record::{Op, OpRecord, TradeRecord};
use crate::results::events::format_op;
use crate::results::line::Line;
use crate::results::trade_line;
use crate::scenario::{Product, Simulation};

/// Why a replay could not be made, or did not reproduce the run.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// The directory given does not exist, or is not a directory.
    #[error("{}: {why}; give the directory of a finished `tplus run … --log` run", .dir.display())]
    NoRunDir {
        /// The directory given.
        dir: PathBuf,
        /// What is wrong with it (`no such directory`, `not a directory`).
        why: &'static str,
    },
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
    /// `manifest.json` does not list the products and the run's calendar.
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
    /// The manifest's calendar or products break a rule validation holds a
    /// scenario to, so no book can be sized from them.
    #[error(
        "{}: scenario.{field}: {message} (accepted: {accepted}); the manifest was edited or is not tplus's",
        .path.display()
    )]
    ManifestRule {
        /// The file.
        path: PathBuf,
        /// The field's path in the recorded scenario (`product[0].price_band`).
        field: String,
        /// What is wrong with it.
        message: String,
        /// What the field accepts.
        accepted: String,
    },
    /// A line of `events.csv` (or `trades.csv`) that is not one the run writes.
    #[error("{}:{line}: {what}", .path.display())]
    BadLine {
        /// The file.
        path: PathBuf,
        /// Its line number, from 1.
        line: usize,
        /// What is wrong with it.
        what: String,
    },
    /// The replay's trades differ from the run's `trades.csv`, or from the
    /// log's own `traded` lines and withdrawals.
    #[error(
        "the replay differs from {file} at line {line}:\n  {file}: {}\n  replay: {}{}",
        .expected.as_deref().unwrap_or("(end of file)"),
        " ".repeat(.file.len().saturating_sub(6)),
        .got.as_deref().unwrap_or("(end of file)")
    )]
    Differs {
        /// The file: `trades.csv` or `events.csv`.
        file: &'static str,
        /// The first line that differs, from 1 (the header is line 1).
        line: usize,
        /// The run's line there (control characters escaped, a missing
        /// newline said).
        expected: Option<String>,
        /// What the replay has there.
        got: Option<String>,
    },
}

impl ReplayError {
    /// 1 when the replay ran and differs or a file cannot be read; 2 for a
    /// directory that is not a logged run, or files no run writes.
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

/// What the replay reads of `manifest.json`: the products and the run's
/// calendar, as the run's scenario wrote them.
#[derive(Deserialize)]
struct ManifestMarket {
    scenario: ScenarioMarket,
}

#[derive(Deserialize)]
struct ScenarioMarket {
    simulation: Simulation,
    #[serde(rename = "product")]
    products: Vec<Product>,
}

/// One product as the replay knows it.
struct Grid {
    /// Its id, as the files name it.
    id: String,
    /// Micros per tick.
    tick: i64,
    /// The lowest and highest prices of its band over the run, in absolute
    /// ticks; the book's index 0 is `lo`.
    lo: i64,
    hi: i64,
    /// Ticks in the book's grid, `hi - lo + 1`.
    n_ticks: u32,
    rule: MatchingRule,
}

impl Grid {
    /// `ticks` (absolute) as the book's index, if it is inside the band.
    fn index(&self, ticks: i64) -> Option<u32> {
        ticks.checked_sub(self.lo).and_then(|i| u32::try_from(i).ok()).filter(|&i| i < self.n_ticks)
    }
}

/// Reads the products and their grids from `manifest.json`, holding them to
/// the rules a scenario is validated by first, so that an edited manifest
/// cannot size a book beyond what a run could have had.
fn read_manifest(path: &Path) -> Result<Vec<Grid>, ReplayError> {
    let text = fs::read_to_string(path).map_err(|source| ReplayError::Io { path: path.to_path_buf(), source })?;
    let market = serde_json::from_str::<ManifestMarket>(&text)
        .map_err(|source| ReplayError::Manifest { path: path.to_path_buf(), source })?
        .scenario;
    for p in &market.products {
        // Said first and in these words: a tick is what the replay divides by.
        if crate::scenario::whole_tick_micros(p.tick_size).is_none() {
            return Err(ReplayError::Tick { path: path.to_path_buf(), product: p.id.clone(), tick_size: p.tick_size });
        }
    }
    let rule = |field: String, message: String, accepted: String| ReplayError::ManifestRule {
        path: path.to_path_buf(),
        field,
        message,
        accepted,
    };
    crate::scenario::validate_market(&market.simulation, &market.products)
        .map_err(|e| rule(e.field, e.message, e.accepted))?;
    market
        .products
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let grid = p.band_over_run(&market.simulation).and_then(|(lo, hi)| {
                let n = hi.checked_sub(lo)?.checked_add(1)?;
                u32::try_from(n).ok().filter(|&n| n > 0 && n < u32::MAX).map(|n| (lo, hi, n))
            });
            let Some((lo, hi, n_ticks)) = grid else {
                return Err(rule(
                    format!("product[{i}].price_band"),
                    "the band holds no price over the run's days".into(),
                    "a band at least one tick wide on every day".into(),
                ));
            };
            Ok(Grid { id: p.id.clone(), tick: p.tick_micros(), lo, hi, n_ticks, rule: p.matching })
        })
        .collect()
}

/// The operations of the log the replay reads.
#[derive(Clone, Copy, PartialEq, Eq)]
enum LogOp {
    Accepted,
    Cancelled,
    Expired,
    Replaced,
    Traded,
}

impl LogOp {
    fn of(name: &str) -> Option<LogOp> {
        Some(match name {
            "accepted" => LogOp::Accepted,
            "cancelled" => LogOp::Cancelled,
            "expired" => LogOp::Expired,
            "replaced" => LogOp::Replaced,
            "traded" => LogOp::Traded,
            _ => return None,
        })
    }
}

/// One parsed line of the log that the replay reads.
struct Row {
    /// Nanoseconds since 00:00 of the start date.
    time: i64,
    op: LogOp,
    order: u64,
    agent: u32,
    product: usize,
    side: Option<Side>,
    kind: Option<OrderKind>,
    aon: bool,
    /// In absolute ticks, inside the product's band over the run.
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

/// An exact decimal `text` in units of `10^-places` (`"1.0001"`, 6 →
/// 1000100; `"-0.5"`, 6 → -500000): an optional `-`, digits, and optionally
/// a point followed by 1 to `places` digits. None for anything else or a
/// value beyond `i64`.
fn decimal(text: &str, places: u32) -> Option<i64> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, frac) = match digits.split_once('.') {
        Some((_, "")) => return None,
        Some((w, f)) => (w, f),
        None => (digits, ""),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !all_digits(whole) || frac.len() > places as usize || !all_digits(frac) {
        return None;
    }
    // Both parts are parsed without their sign, so "-0.5" keeps it.
    let scale = 10i64.pow(places - frac.len() as u32);
    let whole: i64 = whole.parse().ok()?;
    let frac: i64 = if frac.is_empty() { 0 } else { frac.parse().ok()? };
    let value = whole.checked_mul(10i64.pow(places))?.checked_add(frac * scale)?;
    Some(if negative { -value } else { value })
}

/// `micros` as the files write an amount (`0.98`, `1.0202`).
fn amount(micros: i64) -> String {
    written(|l| l.micros(micros))
}

/// Nanoseconds as the files write a time (`34200.05`).
fn seconds(ns: i64) -> String {
    written(|l| l.secs(ns))
}

/// What `write` puts in a line, as text.
fn written(write: impl FnOnce(&mut Line) -> &mut Line) -> String {
    let mut line = Line::new();
    let mut out = Vec::new();
    write(&mut line);
    // Writing to a Vec cannot fail.
    let _ = line.flush_to(&mut out);
    out.pop();
    String::from_utf8_lossy(&out).into_owned()
}

/// A line of a file as an error shows it: without its newline (saying so
/// when it has none), control characters such as a carriage return escaped.
fn shown(bytes: &[u8]) -> String {
    let (body, newline) = match bytes.strip_suffix(b"\n") {
        Some(body) => (body, ""),
        None => (bytes, " (no newline at its end)"),
    };
    format!("{}{newline}", String::from_utf8_lossy(body).escape_debug())
}

/// The line number of the first byte of `bytes` that is not UTF-8, and the
/// byte, if there is one; `first` is the number of `bytes`' first line.
fn not_utf8(bytes: &[u8], first: usize) -> Option<(usize, u8)> {
    let at = std::str::from_utf8(bytes).err()?.valid_up_to();
    Some((first + bytes[..at].iter().filter(|&&b| b == b'\n').count(), bytes[at]))
}

/// Reads the next line of `r` into `buf`, its newline kept; false at the end.
fn read_line(r: &mut impl BufRead, buf: &mut Vec<u8>, path: &Path) -> Result<bool, ReplayError> {
    buf.clear();
    let n = r.read_until(b'\n', buf).map_err(|source| ReplayError::Io { path: path.to_path_buf(), source })?;
    Ok(n > 0)
}

/// A directory must exist and be one before its files are looked for.
fn check_dir(dir: &Path) -> Result<(), ReplayError> {
    let why = if !dir.exists() {
        "no such directory"
    } else if !dir.is_dir() {
        "not a directory"
    } else {
        return Ok(());
    };
    Err(ReplayError::NoRunDir { dir: dir.to_path_buf(), why })
}

/// An order the log accepted.
struct Accepted {
    product: usize,
    /// The log line that accepted it.
    line: usize,
    /// Its id in its product's book while it rests there.
    resting: Option<OrderId>,
}

/// The replay's state as it reads the log.
struct Replay<'a> {
    grids: &'a [Grid],
    /// (id, micros per tick) of each product, for formatting lines.
    names: Vec<(String, i64)>,
    books: Vec<Book>,
    /// Every order accepted so far, by serial number.
    orders: HashMap<u64, Accepted>,
    /// The `traded` lines the replay's trades call for that the log has not
    /// given yet, with the line whose operation made them.
    owed: VecDeque<(OpRecord, usize)>,
    /// The replay's trades, in order.
    made: Vec<TradeRecord>,
    events: Vec<BookEvent>,
    report: ReplayReport,
    /// The time and line of the last line read that reaches the book.
    last: Option<(i64, usize)>,
    path: PathBuf,
    line: Line,
    text: Vec<u8>,
}

impl Replay<'_> {
    fn bad(&self, line: usize, what: String) -> ReplayError {
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

    /// Parses line `n` (`cells`) as one the replay reads.
    fn parse(&self, n: usize, op: LogOp, cols: &Cols, cells: &[&str]) -> Result<Row, ReplayError> {
        let bad = |what: String| self.bad(n, what);
        let product = self
            .grids
            .iter()
            .position(|g| g.id == cells[cols.product])
            .ok_or_else(|| bad(format!("product `{}` is not in manifest.json", cells[cols.product])))?;
        let grid = &self.grids[product];
        let time = decimal(cells[cols.time], 9).filter(|&t| t >= 0).ok_or_else(|| {
            bad(format!("time `{}` is not a time in seconds with up to 9 decimals (e.g. 34200.05)", cells[cols.time]))
        })?;
        if let Some((last, at)) = self.last
            && time < last
        {
            return Err(bad(format!(
                "time `{}` is earlier than line {at}'s, {}; the lines that reach the book are in time order",
                cells[cols.time],
                seconds(last)
            )));
        }
        let order = cells[cols.order].parse::<u64>().ok().filter(|&o| o >= 1).ok_or_else(|| {
            bad(format!("order `{}` is not an order's serial number, a whole number from 1", cells[cols.order]))
        })?;
        let agent = cells[cols.agent].parse::<u32>().map_err(|_| {
            bad(format!("agent `{}` is not an account id, a whole number from 0 to {}", cells[cols.agent], u32::MAX))
        })?;
        let lots = cells[cols.lots].parse::<u32>().ok().filter(|&l| l >= 1).ok_or_else(|| {
            bad(format!("lots `{}` is not a whole number of lots from 1 to {}", cells[cols.lots], u32::MAX))
        })?;
        let aon = match cells[cols.aon] {
            "0" => false,
            "1" => true,
            a => return Err(bad(format!("aon `{a}` is not 0 or 1"))),
        };
        // An accepted order and a trade have a side; a withdrawal or a
        // change has its order's.
        let side = match cells[cols.side] {
            "buy" => Some(Side::Buy),
            "sell" => Some(Side::Sell),
            "" if !matches!(op, LogOp::Accepted | LogOp::Traded) => None,
            s => return Err(bad(format!("side `{s}` is not `buy` or `sell`"))),
        };
        // Only an accepted order has a kind.
        let kind = match (cells[cols.kind], op) {
            ("limit", LogOp::Accepted) => Some(OrderKind::Limit),
            ("ioc", LogOp::Accepted) => Some(OrderKind::Ioc),
            ("market", LogOp::Accepted) => Some(OrderKind::Market),
            ("", LogOp::Cancelled | LogOp::Expired | LogOp::Replaced | LogOp::Traded) => None,
            (k, LogOp::Accepted) => return Err(bad(format!("kind `{k}` is not `limit`, `ioc` or `market`"))),
            (k, _) => return Err(bad(format!("kind `{k}` on a line that has none (the kind is an accepted order's)"))),
        };
        let price = match cells[cols.price] {
            "" => None,
            p => {
                let micros = decimal(p, 6).ok_or_else(|| bad(format!("price `{p}` is not a decimal amount")))?;
                if micros % grid.tick != 0 {
                    return Err(bad(format!("price `{p}` is not on {}'s tick grid of {}", grid.id, amount(grid.tick))));
                }
                let ticks = micros / grid.tick;
                if grid.index(ticks).is_none() {
                    return Err(bad(format!(
                        "price `{p}` is outside {}'s price band over the run: a price from {} to {} (NAV × (1 ± \
                         price_band) on the run's days, from manifest.json)",
                        grid.id,
                        amount(grid.lo * grid.tick),
                        amount(grid.hi * grid.tick)
                    )));
                }
                Some(ticks)
            }
        };
        // A market order has no limit; every other order, change and trade has a price.
        match (kind, price) {
            (Some(OrderKind::Market), Some(_)) => {
                return Err(bad(format!("price `{}` on a market order, which has none", cells[cols.price])));
            }
            (Some(OrderKind::Market), None) | (_, Some(_)) => {}
            (_, None) if matches!(op, LogOp::Accepted | LogOp::Replaced | LogOp::Traded) => {
                return Err(bad("no price, which every order but a market one, change and trade has".into()));
            }
            (_, None) => {}
        }
        Ok(Row { time, op, order, agent, product, side, kind, aon, price, lots })
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

/// Re-matches the operation log of the run in `dir` and compares its trades
/// with the log's `traded` lines and the run's `trades.csv`.
pub fn replay(dir: &Path) -> Result<ReplayReport, ReplayError> {
    check_dir(dir)?;
    let file = |name: &'static str, hint: &'static str| {
        let path = dir.join(name);
        if path.is_file() { Ok(path) } else { Err(ReplayError::Missing { dir: dir.to_path_buf(), file: name, hint }) }
    };
    let manifest = file("manifest.json", ": not a finished run's directory")?;
    let log = file("events.csv", ": the run was made without --log; run it again with --log to replay it")?;
    let trades = file("trades.csv", ": not a finished run's directory")?;

    let grids = read_manifest(&manifest)?;
    let names: Vec<(String, i64)> = grids.iter().map(|g| (g.id.clone(), g.tick)).collect();
    let books = grids.iter().map(|g| Book::with_rule(g.n_ticks, 1 << 12, g.rule)).collect();
    let mut r = Replay {
        grids: &grids,
        names,
        books,
        orders: HashMap::new(),
        owed: VecDeque::new(),
        made: Vec::new(),
        events: Vec::new(),
        report: ReplayReport::default(),
        last: None,
        path: log.clone(),
        line: Line::new(),
        text: Vec::new(),
    };

    let f = fs::File::open(&log).map_err(|source| ReplayError::Io { path: log.clone(), source })?;
    let mut input = BufReader::new(f);
    let mut raw = Vec::new();
    let cols = Cols::of(ev::HEADER).ok_or_else(|| r.bad(1, "the log's own header lacks a column".into()))?;
    let mut n = 0;
    while read_line(&mut input, &mut raw, &log)? {
        n += 1;
        if let Some((line, byte)) = not_utf8(&raw, n) {
            return Err(r.bad(line, format!("byte 0x{byte:02X} is not UTF-8 text: the log has been edited or damaged")));
        }
        // Checked just above.
        let text = std::str::from_utf8(&raw).unwrap_or_default();
        let Some(body) = text.strip_suffix('\n') else {
            return Err(r.bad(n, "the last line has no newline at its end: the log is cut short".into()));
        };
        if body.contains('\r') {
            return Err(r.bad(
                n,
                "a carriage return (CR): the log's lines end in a line feed alone (were its line endings converted?)"
                    .into(),
            ));
        }
        if n == 1 {
            if body != ev::HEADER {
                return Err(r.bad(1, format!("not the operation log's header (expected `{}`)", ev::HEADER)));
            }
            continue;
        }
        let cells: Vec<&str> = body.split(',').collect();
        if cells.len() != cols.count {
            return Err(r.bad(n, format!("{} cells, the header has {}", cells.len(), cols.count)));
        }
        let name = cells[cols.op];
        let Some(op) = LogOp::of(name) else {
            if !Op::NAMES.contains(&name) {
                return Err(r.bad(n, format!("op `{name}` is not one the log writes ({})", Op::NAMES.join(", "))));
            }
            continue;
        };
        let row = r.parse(n, op, &cols, &cells)?;
        r.last = Some((row.time, n));
        r.apply(n, &raw, &row)?;
    }
    if n == 0 {
        return Err(r.bad(1, format!("empty; the operation log starts with its header `{}`", ev::HEADER)));
    }
    if let Some((expected, from)) = r.owed.front().copied() {
        let got = format!("{} (a trade of line {from})", shown(r.format(&expected)));
        return Err(Replay::differs(n + 1, None, got));
    }
    r.report.log_lines = n as u64 - 1;
    compare(&trades, &r.made, &r.names)?;
    r.report.trades = r.made.len() as u64;
    Ok(r.report)
}

/// Compares the replay's trades, formatted as the run writes them, with
/// `trades.csv` line by line, as bytes, each line's newline included.
fn compare(path: &Path, made: &[TradeRecord], names: &[(String, i64)]) -> Result<(), ReplayError> {
    let f = fs::File::open(path).map_err(|source| ReplayError::Io { path: path.to_path_buf(), source })?;
    let mut run = BufReader::new(f);
    let mut line = Line::new();
    let (mut expected, mut got) = (Vec::new(), Vec::new());
    let header = format!("{}\n", columns::trades::HEADER);
    // The header, then each trade; a line beyond them is one too many.
    for n in 1..=made.len() + 2 {
        got.clear();
        if n == 1 {
            got.extend_from_slice(header.as_bytes());
        } else if let Some(t) = made.get(n - 2) {
            trade_line(&mut line, t, names);
            // Writing to a Vec cannot fail.
            let _ = line.flush_to(&mut got);
        }
        let more = read_line(&mut run, &mut expected, path)?;
        if expected == got {
            continue;
        }
        if let Some((at, byte)) = not_utf8(&expected, n) {
            return Err(ReplayError::BadLine {
                path: path.to_path_buf(),
                line: at,
                what: format!("byte 0x{byte:02X} is not UTF-8 text: the file has been edited or damaged"),
            });
        }
        return Err(ReplayError::Differs {
            file: "trades.csv",
            line: n,
            expected: more.then(|| shown(&expected)),
            got: (!got.is_empty()).then(|| shown(&got)),
        });
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

    /// The sign is read apart from the digits: "-0.5" is -0.5 (its whole
    /// part "-0" parsed as a number would lose it), and only a leading `-`
    /// is one.
    #[test]
    fn negative_decimals_keep_their_sign() {
        assert_eq!(decimal("-0.5", 6), Some(-500_000));
        assert_eq!(decimal("-0.000001", 6), Some(-1));
        assert_eq!(decimal("-1.25", 6), Some(-1_250_000));
        assert_eq!(decimal("-3", 6), Some(-3_000_000));
        assert_eq!(decimal("-0", 6), Some(0));
        for bad in ["+1", "--1", "-", "-.5", "1-2", "5.", " 1", "1e3", "0.5.1", "99999999999999999999"] {
            assert_eq!(decimal(bad, 6), None, "{bad}");
        }
    }

    #[test]
    fn lines_are_shown_with_what_cannot_be_seen() {
        assert_eq!(shown(b"1,2\n"), "1,2");
        assert_eq!(shown(b"1,2\r\n"), "1,2\\r");
        assert_eq!(shown(b"1,2"), "1,2 (no newline at its end)");
    }
}
