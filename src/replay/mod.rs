//! `tplus replay RUN_DIR`: the operation log of a `--log` run re-matched
//! through the book, checked against the log's own trades and order ends
//! and the run's `trades.csv`, byte for byte.
//!
//! The log holds every order the platform accepted (with its side, kind,
//! all-or-none flag, limit and lots), every change it took and every
//! withdrawal (cancelled, expired), at the moments they reached the book and
//! in the order they did. Fed to one [`Book`](crate::book::Book) per product
//! under the product's matching rule, in log order, they must give the same
//! trades and order ends, in the same order, as the run: the platform's
//! checks, settlement and the agents do not take part, so a difference is
//! the matching core's (or the log's). Replaying needs no scenario but the
//! products and the run's business days, read from the run's
//! `manifest.json`: each book spans the product's price band over the run's
//! days, the grid the run's book had.
//!
//! Where the lines come from: the run writes `accepted` just before the
//! book takes the order, `replaced` just before the book changes it, and a
//! withdrawal's line (`cancelled`, `expired`: a cancel, an order's time to
//! live, the close, the issuer's withdrawal of its last instalment) for the
//! book's `Done` of it. Then, for each of the book's events in order: a
//! trade's two `traded` lines (the buyer's, then the seller's), and an
//! order's end (`filled`, `unfilled`, `cancelled`, `expired`, with the lots
//! it had left: 0 when filled) for each `Done`; nothing stands between
//! them. Every `filled` and `unfilled` line is a book's `Done`: the issuer's
//! orders go through the book too, a rejected order never reaches it and
//! has its `rejected` line only, and a redemption is written as
//! `redeemed_at_limit` or `matured`.
//!
//! What is checked, and how it ends:
//!
//! * Every line the replay reads (`accepted`, `cancelled`, `expired`,
//!   `replaced`, `traded`, `filled`, `unfilled`) must be one the log's
//!   writer could have written: whole numbers within their type (account
//!   ids within 32 bits, lots from 1, but from 0 on an order's end), a side,
//!   a price on the product's tick grid and inside its band over the run
//!   (and none on an order's end), an all-or-none flag of 0 or 1, a product
//!   the manifest lists, a time no earlier than the previous such line's
//!   (but for the redemptions, written at a close after the orders that
//!   came too late for it), each order accepted once, a customer's order or change of at
//!   most its product's `max_order_lots` (from the manifest; the issuer,
//!   account 0, is not held to it), and a withdrawal or change naming an
//!   accepted order of that product, agent and side. Anything else is bad
//!   input (exit 2, `events.csv:LINE: …`): no run writes it, whatever the
//!   market did.
//! * The lines no book takes part in (`submitted`, `rejected`,
//!   `cancel_requested`, `cancel_too_late`, `replace_rejected`,
//!   `replace_too_late`, `redeemed_at_limit`, `matured`) are held to what
//!   the run writes for each, in time order with the rest but for the
//!   redemptions, which are at a close; an order's `submitted` line is
//!   followed at once by its `accepted` or `rejected` twin, and a
//!   `cancel_requested` by its order's `cancelled`. Else bad input too
//!   (exit 2, see `aside.rs`).
//! * The lines the book's events call for are checked against the log's:
//!   each trade the replay makes, and each order it ends, must be followed
//!   at once by the lines the run writes for them, in the book's order,
//!   byte for byte (the lots of an order's end included: what the order had
//!   left when it filled, was killed or was withdrawn, not what it asked
//!   for); a withdrawal or a change must find its order still resting. A
//!   line missing, extra, out of place or different there disagrees with
//!   the re-matched market: the replay's difference (exit 1), as is one
//!   with `trades.csv`.
//! * A log that holds another number of `submitted` lines than the
//!   manifest's `counts.orders`, or a `trades.csv` that ends before the
//!   replay's trades and holds fewer than `counts.trades`, is a file cut
//!   short at a line's end (or not the run's): exit 2, with both counts.
//!   Without the check a log and a `trades.csv` cut at the same close
//!   replayed as a whole run.
//! * `manifest.json` records each file's size as written (`file_bytes`): a
//!   difference or a count found in an `events.csv` or a `trades.csv` of
//!   another size (a log cut after its last `submitted` line, whose count
//!   is whole; a file edited or converted) is the file's, not the market's:
//!   exit 2, with both sizes and what the replay found. A run from before
//!   the sizes is replayed without this check.
//! * At each session's close (from the manifest's calendar) the run expires
//!   every order still resting: past it (at the first line read after it,
//!   or the end of the log) the replay's books must be empty, or the log
//!   lacks an `expired` line, which the difference names.
//! * `trades.csv` is compared line by line as bytes, each line's newline
//!   included: a file with other line endings, or without its last newline,
//!   differs.

mod aside;
mod manifest;
mod rematch;
mod row;
mod text;
mod trades;

use std::fs;
use std::io::{self, BufReader};
use std::path::{Path, PathBuf};

use crate::columns::events as ev;
use manifest::read_manifest;
use rematch::Replay;
use row::Cols;
use text::{not_utf8, read_line};

/// Why a replay could not be made, or did not reproduce the run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
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
    /// `manifest.json` names another tool than tplus.
    #[error("{}: written by `{tool}`, not tplus: replay re-matches tplus's runs only", .path.display())]
    NotTplus {
        /// The file.
        path: PathBuf,
        /// The tool it names.
        tool: String,
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
    /// `events.csv` or `trades.csv` holds fewer (or more) lines of a kind
    /// than `manifest.json` counts: cut short at a line's end, or not the
    /// run's.
    #[error(
        "{}: {found} {what}, where manifest.json counts {counted}: the file is {}; run the scenario again with \
         --log (same seed) to replay it",
        .path.display(),
        if .found < .counted { "cut short" } else { "not this run's" }
    )]
    Count {
        /// The file.
        path: PathBuf,
        /// What was counted: `orders submitted`, `trades`.
        what: &'static str,
        /// How many the file holds.
        found: u64,
        /// How many the manifest counts.
        counted: u64,
    },
    /// `events.csv` or `trades.csv` is not the size the run wrote
    /// (`manifest.json`'s `file_bytes`): cut short or changed since, so
    /// what the replay found in it says nothing of the market.
    #[error(
        "{}: {found} bytes, where manifest.json records {written} written by the run: the file was {} after \
         the run, so the replay cannot vouch for it; run the scenario again with --log (same seed) to replay \
         it{}",
        .path.display(),
        if .found < .written { "cut short" } else { "changed" },
        .found_first.as_ref().map_or(String::new(), |e| format!("\n  what the replay found in it: {e}"))
    )]
    NotAsWritten {
        /// The file.
        path: PathBuf,
        /// Its size now.
        found: u64,
        /// Its size as the run wrote it.
        written: u64,
        /// What the replay of the files as they are found (a difference or
        /// a count), if anything.
        found_first: Option<Box<ReplayError>>,
    },
    /// A difference ([`ReplayError::Differs`]) in a run another build of
    /// tplus wrote: the builds' matching may differ.
    #[error(
        "{difference}\n  note: the run was written by tplus {written_by}, this is tplus {}: the difference may \
         be the builds' (replay with the build that wrote it)",
        crate::results::VERSION
    )]
    DiffersAcrossBuilds {
        /// The build that wrote the run, as manifest.json names it.
        written_by: String,
        /// The difference.
        difference: Box<ReplayError>,
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
            ReplayError::Differs { .. } | ReplayError::DiffersAcrossBuilds { .. } | ReplayError::Io { .. } => 1,
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
    /// Orders' ends (filled, unfilled, cancelled, expired) made by the
    /// books and found in the log, each with its lots left.
    pub order_ends: u64,
    /// Sessions' closes passed, after each of which the books were found
    /// empty, as the run leaves them.
    pub closes: u64,
    /// Trades made, each equal to its line of `trades.csv`.
    pub trades: u64,
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

    let market = read_manifest(&manifest)?;
    // A run another build wrote may differ by the builds' matching: said
    // beside a difference.
    let other_build = market.version.clone().filter(|v| v != crate::results::VERSION);
    // A file that is not as the run wrote it explains a difference or a
    // count better than the market could (a log cut after its last order
    // keeps the count whole, and its missing ends read as a difference). A
    // line no run writes stays that line's error: it says where.
    let replayed = match rematch_and_compare(&market, &log, &trades) {
        Ok(report) => Ok(report),
        Err(e @ (ReplayError::Differs { .. } | ReplayError::Count { .. })) => Err(Box::new(e)),
        Err(e) => return Err(e),
    };
    for (path, name) in [(&log, "events.csv"), (&trades, "trades.csv")] {
        let Some(&written) = market.file_bytes.get(name) else { continue };
        let found = fs::metadata(path).map_err(|source| ReplayError::Io { path: path.clone(), source })?.len();
        if found != written {
            return Err(ReplayError::NotAsWritten { path: path.clone(), found, written, found_first: replayed.err() });
        }
    }
    replayed.map_err(|e| match (*e, other_build) {
        (e @ ReplayError::Differs { .. }, Some(written_by)) => {
            ReplayError::DiffersAcrossBuilds { written_by, difference: Box::new(e) }
        }
        (e, _) => e,
    })
}

/// The replay proper, once the manifest is read.
fn rematch_and_compare(market: &manifest::Market, log: &Path, trades: &Path) -> Result<ReplayReport, ReplayError> {
    let mut r = Replay::new(&market.grids, &market.closes, log.to_path_buf());

    let f = fs::File::open(log).map_err(|source| ReplayError::Io { path: log.to_path_buf(), source })?;
    let mut input = BufReader::new(f);
    let mut raw = Vec::new();
    let cols = Cols::of(ev::HEADER).ok_or_else(|| r.bad(1, "the log's own header lacks a column".into()))?;
    let (mut n, mut submitted) = (0, 0u64);
    while read_line(&mut input, &mut raw, log)? {
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
        r.line(n, &raw, &cols, &cells)?;
        r.pair(n, &cols, &cells)?;
        submitted += u64::from(cells[cols.op] == "submitted");
    }
    if n == 0 {
        return Err(r.bad(1, format!("empty; the operation log starts with its header `{}`", ev::HEADER)));
    }
    // A log cut at a line's end reads as a market that stopped early: the
    // run's own count tells it apart from a replay that differs.
    let short = |path: &Path, what, found, counted: Option<u64>| match counted {
        Some(counted) if counted != found => Err(ReplayError::Count { path: path.to_path_buf(), what, found, counted }),
        _ => Ok(()),
    };
    short(log, "orders submitted", submitted, market.counts.orders)?;
    r.end(n)?;
    r.report.log_lines = n as u64 - 1;
    match trades::compare(trades, &r.made, &r.names) {
        // trades.csv ends before the replay's trades: cut short, if the
        // run counted more trades than the file holds.
        Err(e @ ReplayError::Differs { expected: None, .. }) => {
            short(trades, "trades", trades::rows(trades)?, market.counts.trades)?;
            return Err(e);
        }
        done => done?,
    }
    r.report.trades = r.made.len() as u64;
    Ok(r.report)
}
