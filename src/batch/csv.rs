//! `sweep.csv`: one row per run (point, replication).
//!
//! Columns: `point`, `replication`, `seed`, one column per parameter (named by
//! its path), `status` (`ok` or `failed`), `error`, the key results of
//! [`RESULT_COLUMNS`], `digest` (a hash of the row's text before it, which
//! merge and resume check) and `wall_seconds` last. Every column but
//! `wall_seconds` is a function of the sweep definition alone. A field is
//! quoted when it holds a comma or a quote, and never holds a line break, so
//! one line is one row.

use std::fmt::Write as _;

use serde_json::Value;

use super::PointError;
use crate::columns::{self, Column, figure_text as num, sweep as sweep_columns, sweep_results};
use crate::engine::Outcome;
use crate::metrics::stylized::{LagValue, StylizedFacts};
use crate::metrics::{SideSummary, Summary, risk};
use crate::scenario::{Scenario, Sweep, value_text};

/// The result columns, after `status` and `error`, before `wall_seconds`:
/// defined in [`crate::columns::sweep_results`].
pub const RESULT_COLUMNS: &[Column] = sweep_results::COLUMNS;

/// Index of `status` in a row: after the key and the parameters.
pub fn status_column(sweep: &Sweep) -> usize {
    status_column_for(sweep.params.len())
}

/// Index of `status` in a row of a design varying `params` parameters.
pub fn status_column_for(params: usize) -> usize {
    sweep_columns::KEY.len() + params
}

/// The header's column names.
pub fn columns(sweep: &Sweep) -> Vec<String> {
    columns_for(sweep.params.iter().map(|p| p.path.as_str()))
}

/// The header's column names for a design varying `paths`, in order.
pub fn columns_for<'a>(paths: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let names = |cols: &[Column]| cols.iter().map(|c| c.name.to_string()).collect::<Vec<_>>();
    let mut c = names(sweep_columns::KEY);
    c.extend(paths.into_iter().map(str::to_string));
    c.extend(names(sweep_columns::STATUS));
    c.extend(names(RESULT_COLUMNS));
    c.extend(names(sweep_columns::DIGEST));
    c.extend(names(sweep_columns::WALL));
    c
}

/// The header line, with its line break.
pub fn header_line(columns: &[String]) -> String {
    let mut s = columns.iter().map(|c| cell(c)).collect::<Vec<_>>().join(",");
    s.push('\n');
    s
}

/// One CSV field: line breaks become spaces; quoted when it holds a comma or a quote.
pub fn cell(s: &str) -> String {
    let s = s.replace(['\r', '\n'], " ");
    if s.contains([',', '"']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s }
}

/// Splits one line into fields, undoing [`cell`] (a `\r` left at its end by
/// a file saved with CRLF line ends is dropped); a quote left open keeps the
/// rest of the line in the last field.
pub fn split(line: &str) -> Vec<String> {
    fields(line).0
}

/// [`split`], or None when a quoted field is not closed: for readers that
/// refuse a malformed file rather than read on.
pub fn split_closed(line: &str) -> Option<Vec<String>> {
    let (out, closed) = fields(line);
    closed.then_some(out)
}

/// The fields of `line` (a trailing `\r` dropped: a file saved with CRLF
/// line ends), and whether every quote was closed.
fn fields(line: &str) -> (Vec<String>, bool) {
    let line = line.strip_suffix('\r').unwrap_or(line);
    let mut out = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => out.push(std::mem::take(&mut field)),
            (_, c) => field.push(c),
        }
    }
    out.push(field);
    (out, !quoted)
}

/// A row of `sweep.csv`: its key and its text (with the line break).
#[derive(Clone, Debug, PartialEq)]
pub struct RunLine {
    /// Index of the sweep point the row ran (0-based, in the order of `expand`).
    pub point: usize,
    /// Which replication of the point (0-based, below `Sweep::replications`).
    pub replication: u32,
    /// Whether the row's `status` column is `failed` (else `ok`).
    pub failed: bool,
    /// The row's text as written to `sweep.csv`, with its line break.
    pub line: String,
}

/// The FNV-1a 64-bit hash of `text` (Fowler, Noll and Vo): enough to find
/// an edited or damaged row, which is all the `digest` column is for.
pub fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// Reads a complete line (without its break) as a row of a file with
/// `n_columns` columns whose digest matches; None when it is not one.
pub fn parse_row(line: &str, n_columns: usize, status_column: usize) -> Option<RunLine> {
    let (row, _) = check_fields(line, n_columns, status_column).ok()?;
    check_digest(line).ok()?;
    Some(row)
}

/// Longest line read as a row: a longer one is damage, not a run.
const LONGEST: usize = 1 << 20;

/// Why a line of `sweep.csv` is not one of its rows.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BadRow {
    /// Longer than any row.
    #[error("a line of {0} bytes, not a row (rows are under {LONGEST} bytes)")]
    TooLong(usize),
    /// Not the header's number of fields.
    #[error("{found} fields, the header has {expected}")]
    Fields {
        /// Fields in the line.
        found: usize,
        /// Columns in the header.
        expected: usize,
    },
    /// A status other than `ok` or `failed`.
    #[error("status `{0}`, not `ok` or `failed`")]
    Status(String),
    /// A point or replication that is not a whole number.
    #[error("{column} `{text}` is not a whole number")]
    NotWhole {
        /// `point` or `replication`.
        column: &'static str,
        /// The field as written.
        text: String,
    },
    /// A replication past `u32`.
    #[error("replication `{0}` is too large")]
    ReplicationTooLarge(String),
    /// The `digest` cell is not the hash of the text before it.
    #[error(
        "digest `{found}` does not match the row's text (its hash is {want}): a result or the status was edited, or the row damaged"
    )]
    Digest {
        /// The cell as written.
        found: String,
        /// The hash of the row's text before it.
        want: String,
    },
}

/// Reads a complete line (without its break) as a row of a file with
/// `n_columns` columns, and its fields; what is wrong with it if it is not
/// one. The digest is not checked here ([`check_digest`]).
pub fn check_fields(line: &str, n_columns: usize, status_column: usize) -> Result<(RunLine, Vec<String>), BadRow> {
    if line.len() > LONGEST {
        return Err(BadRow::TooLong(line.len()));
    }
    let fields = split(line);
    if fields.len() != n_columns {
        return Err(BadRow::Fields { found: fields.len(), expected: n_columns });
    }
    let failed = match fields[status_column].as_str() {
        "ok" => false,
        "failed" => true,
        s => return Err(BadRow::Status(s.to_string())),
    };
    let whole = |i: usize, column: &'static str| -> Result<u64, BadRow> {
        fields[i].parse().map_err(|_| BadRow::NotWhole { column, text: fields[i].clone() })
    };
    let point = whole(0, "point")? as usize;
    let replication =
        u32::try_from(whole(1, "replication")?).map_err(|_| BadRow::ReplicationTooLarge(fields[1].clone()))?;
    Ok((RunLine { point, replication, failed, line: format!("{line}\n") }, fields))
}

/// Whether a row's `digest` cell is the hash of its text before the cell.
pub fn check_digest(line: &str) -> Result<(), BadRow> {
    // The digest and the wall time hold no comma.
    let mut tail = line.rsplitn(3, ',');
    let (_, digest, before) = (tail.next(), tail.next().unwrap_or(""), tail.next().unwrap_or(""));
    let want = format!("{:016x}", fnv1a(before));
    if digest == want { Ok(()) } else { Err(BadRow::Digest { found: digest.to_string(), want }) }
}

/// A `sweep.csv` whose header is not the sweep's columns: the file is another
/// sweep's (or not a sweep's), so its rows cannot be kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("its header is not this sweep's columns")]
pub struct ForeignHeader;

/// Why the rows of a `sweep.csv` could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadRowsError {
    /// The file is another sweep's, or not a sweep's.
    #[error(transparent)]
    Foreign(#[from] ForeignHeader),
    /// The file could not be read.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Reads the rows of a `sweep.csv` from `input`, one line at a time, and
/// hands each to `row` in file order, so the file is never held whole (a
/// resumed sweep keeps only the rows it wants). The header must be
/// `header`; a last line without its line break (a write cut short) is
/// left out, and so are malformed lines. Returns how many lines were left
/// out.
pub fn read_rows(
    mut input: impl std::io::BufRead,
    header: &str,
    n_columns: usize,
    status_column: usize,
    mut row: impl FnMut(RunLine),
) -> Result<usize, ReadRowsError> {
    let mut buf = Vec::new();
    let mut skipped = 0;
    let mut first = true;
    loop {
        buf.clear();
        if input.read_until(b'\n', &mut buf)? == 0 {
            break;
        }
        if buf.pop() != Some(b'\n') {
            // At the end of the file: a row cut short.
            skipped += 1;
            break;
        }
        if buf.last() == Some(&b'\r') {
            buf.pop();
        }
        let line = String::from_utf8_lossy(&buf);
        if std::mem::take(&mut first) {
            if header.strip_suffix('\n') != Some(&*line) {
                return Err(ForeignHeader.into());
            }
            continue;
        }
        match parse_row(&line, n_columns, status_column) {
            Some(r) => row(r),
            None => skipped += 1,
        }
    }
    Ok(skipped)
}

/// The result fields of a finished run, in [`RESULT_COLUMNS`] order, each
/// named by its column.
pub fn result_fields(outcome: &Outcome, summary: &Summary) -> Vec<String> {
    let a = &summary.all;
    let (sub, sale) = (&a.subscriptions, &a.sales);
    let ci = |c: Option<[f64; 2]>, k: usize| num(c.map(|c| c[k]));
    let c = &a.correlation;
    let facts = summary.products.first().and_then(|p| p.stylized_facts.as_ref());
    // The first lag of one of the first product's autocorrelations.
    let lag = |acf: fn(&StylizedFacts) -> &[LagValue]| num(facts.and_then(|f| acf(f).first()?.value));
    let h = &summary.herding;
    let side = |s: &SideSummary| {
        [
            s.closed.to_string(),
            s.filled.to_string(),
            num(s.success_probability),
            ci(s.success_ci_95, 0),
            ci(s.success_ci_95, 1),
            ci(s.success_ci_95_serial, 0),
            ci(s.success_ci_95_serial, 1),
            num(s.fill_ratio),
        ]
    };
    let [
        sub_closed,
        sub_filled,
        sub_success,
        sub_success_lo,
        sub_success_hi,
        sub_success_serial_lo,
        sub_success_serial_hi,
        sub_fill_ratio,
    ] = side(sub);
    let [
        sale_closed,
        sale_filled,
        sale_success,
        sale_success_lo,
        sale_success_hi,
        sale_success_serial_lo,
        sale_success_serial_hi,
        sale_fill_ratio,
    ] = side(sale);
    columns::cells!(sweep_results::COLUMNS;
        sub_closed, sub_filled, sub_success, sub_success_lo, sub_success_hi,
        sub_success_serial_lo, sub_success_serial_hi, sub_fill_ratio,
        sale_closed, sale_filled, sale_success, sale_success_lo, sale_success_hi,
        sale_success_serial_lo, sale_success_serial_hi, sale_fill_ratio,
        orders = a.orders.submitted.to_string(),
        rejected = a.orders.rejected.to_string(),
        trades = a.trades.to_string(),
        volume = a.volume.to_string(),
        turnover = num(Some(a.turnover)),
        redeemed_failed_lots = a.redeemed_failed_lots.to_string(),
        sub_success_vs_volume_pearson = num(c.subscription_success_vs_volume.pearson),
        sub_success_vs_volume_spearman = num(c.subscription_success_vs_volume.spearman),
        sale_success_vs_volume_pearson = num(c.sale_success_vs_volume.pearson),
        sale_success_vs_volume_spearman = num(c.sale_success_vs_volume.spearman),
        sub_success_vs_loan_rate_spearman = num(c.subscription_success_vs_loan_rate.spearman),
        sale_success_vs_loan_rate_spearman = num(c.sale_success_vs_loan_rate.spearman),
        excess_kurtosis_1m = num(facts.and_then(|f| f.excess_kurtosis.iter().find(|s| s.minutes == 1.0).and_then(|s| s.value))),
        hill_tail_index = num(facts.and_then(|f| f.hill_tail_index.as_ref().map(|h| h.alpha))),
        acf_return_lag1 = lag(|f| &f.acf_returns),
        acf_abs_return_lag1 = lag(|f| &f.acf_abs_returns),
        abs_acf_decay_exponent = num(facts.and_then(|f| f.abs_acf_power_law.as_ref().map(|p| p.exponent))),
        volume_abs_return_pearson = num(facts.and_then(|f| f.volume_abs_return.pearson)),
        trade_sign_acf_lag1 = lag(|f| &f.trade_sign_acf),
        optimist_share_mean = num(h.optimist_share.as_ref().map(|o| o.mean)),
        optimist_share_bimodality = num(h.optimist_share.as_ref().and_then(|o| o.bimodality_coefficient)),
        order_imbalance_variance_ratio = num(h.order_imbalance.as_ref().and_then(|o| o.ratio)),
        lsv_mean = num(h.lsv.as_ref().map(|l| l.mean)),
        cash_conserved = (outcome.cash_start == outcome.cash_end && outcome.accounts_sound).to_string(),
    )
}

/// The summary `summary.json` holds for a finished run (with its risk report).
pub fn summarise(scenario: &Scenario, outcome: &Outcome) -> Summary {
    let sim = &scenario.simulation;
    let days = outcome.calendar.days().len() as f64;
    let session_hours = days * (sim.close.0 - sim.open.0) as f64 / 3.6e12;
    let (_, risk) = risk::report(&outcome.customers, session_hours, days, scenario.metrics.risk_threshold);
    outcome.metrics.summary(&outcome.products, risk)
}

/// Writes the cells a row of run (`point`, `replication`) begins with,
/// which the design alone decides: the key, the seed and the parameter
/// values, without the comma after them.
pub fn key_cells(s: &mut String, point: usize, replication: u32, seed: u64, values: &[Value]) {
    let _ = write!(s, "{point},{replication},{seed}");
    for v in values {
        s.push(',');
        s.push_str(&cell(&value_text(v)));
    }
}

/// A whole row: key, seed, parameter values, status, error, results (empty
/// for a failed run), digest and wall time; with its line break.
pub fn row_line(
    point: usize,
    replication: u32,
    seed: u64,
    values: &[Value],
    result: Result<&[String], &PointError>,
    wall: f64,
) -> String {
    let mut s = String::with_capacity(512);
    key_cells(&mut s, point, replication, seed, values);
    match result {
        Ok(fields) => {
            s.push_str(",ok,");
            for f in fields {
                s.push(',');
                s.push_str(&cell(f));
            }
        }
        Err(e) => {
            s.push_str(",failed,");
            s.push_str(&cell(&e.to_string()));
            for _ in RESULT_COLUMNS {
                s.push(',');
            }
        }
    }
    let digest = fnv1a(&s);
    let _ = writeln!(s, ",{digest:016x},{wall:.6}");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_round_trip() {
        for s in ["plain", "a,b", "say \"hi\"", "", "\"", "x,\"y\",z"] {
            let line = format!("1,{},2", cell(s));
            assert_eq!(split(&line), ["1", s, "2"], "{line}");
        }
        assert_eq!(cell("two\nlines"), "two lines");
    }

    #[test]
    fn a_failed_row_holds_the_error_message() {
        let row = |e: PointError| {
            let line = row_line(3, 1, 7, &[], Err(&e), 0.5);
            split(line.trim_end_matches('\n'))[3..5].to_vec()
        };
        assert_eq!(row(PointError::Panicked("boom, twice".into())), ["failed", "the run panicked: boom, twice"]);
        let e = PointError::Write { dir: "runs/p00003-r001".into(), source: std::io::Error::other("disk full") };
        assert!(std::error::Error::source(&e).is_some());
        assert_eq!(row(e), ["failed", "cannot write the run's results to runs/p00003-r001: disk full"]);
        // A run whose cash fails its checks is a failed row, as `tplus run` exits 1 on it.
        let cash = row(PointError::Cash(crate::engine::CashError::NotConserved { start: 10, end: 17 }));
        assert_eq!(cash[0], "failed");
        assert!(cash[1].starts_with("cash is not conserved"), "{cash:?}");
    }

    #[test]
    fn a_cut_line_is_left_out() {
        let header = "point,replication,status,digest,wall_seconds\n";
        let row = |s: &str| format!("{s},{:016x},0.25\n", fnv1a(s));
        let edited = row("3,0,ok").replace("3,0,ok", "3,0,failed");
        let text = format!("{header}{}{}{edited}2,0,o", row("0,0,ok"), row("1,0,failed"));
        let mut rows = Vec::new();
        let skipped = read_rows(text.as_bytes(), header, 5, 2, |r| rows.push(r)).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(skipped, 2, "the cut line and the edited one");
        assert!(rows[1].failed);
        assert_eq!(rows[0].line, row("0,0,ok"));
        // Line breaks of two bytes read as one; a header cut short is a cut line.
        let mut crlf = Vec::new();
        let skipped = read_rows(text.replace('\n', "\r\n").as_bytes(), header, 5, 2, |r| crlf.push(r)).unwrap();
        assert_eq!((crlf.len(), skipped), (2, 2));
        assert_eq!(crlf[0].line, row("0,0,ok"));
        assert_eq!(read_rows(&b"point,repl"[..], header, 5, 2, |_| ()).unwrap(), 1);
        assert_eq!(read_rows(&b""[..], header, 5, 2, |_| ()).unwrap(), 0);
        assert!(matches!(read_rows(&b"a,b\n"[..], header, 5, 2, |_| ()), Err(ReadRowsError::Foreign(ForeignHeader))));
    }
}
