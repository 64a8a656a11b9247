//! Reading a finished run directory into plain data: the rows of
//! `metrics.csv` by product, `summary.json` (through the writer's own type,
//! [`SummaryFile`]) and the name, seed and settings in `manifest.json`.
//!
//! Columns are found by their header name, each name the reader asks for
//! checked against the writer's schema (`crate::columns`) when the crate
//! compiles. The core columns (see
//! [`REQUIRED`]) must be there; every other one is optional, so a report can
//! be drawn from runs written before or after a column was added. An empty
//! cell is "undefined" (`None`). In the JSON files unknown keys are ignored
//! and a figure of the wrong type is an error; a missing figure of
//! `manifest.json` is `None`, and of `summary.json` what [`SummaryFile`]
//! says.

use std::collections::HashMap;

use serde_json::error::Category;

use serde::de::DeserializeOwned;

use crate::batch::csv::split_closed;
use crate::metrics::{Summary, SummaryFile};
use crate::results::manifest::RunManifest;

/// What is wrong in a run's file (`metrics.csv`, `summary.json` or
/// `manifest.json`): typed, so that a caller can tell a file cut short from
/// a garbled one; [`super::ReportError::Garbled`] adds the file's path.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// `metrics.csv` has no header line.
    #[error("the file is empty (no header line)")]
    Empty,
    /// A cell opens a quote that its line does not close.
    #[error("line {line}: a quoted cell is not closed")]
    UnclosedQuote {
        /// The line, from 1.
        line: usize,
    },
    /// The header lacks columns of [`REQUIRED`].
    #[error("line 1: the header lacks the column(s) {}", .columns.join(", "))]
    MissingColumns {
        /// The required columns it lacks, in [`REQUIRED`] order.
        columns: Vec<&'static str>,
    },
    /// A row has more or fewer cells than the header has columns.
    #[error("line {line}: {cells} cells where the header has {columns} columns")]
    CellCount {
        /// The line, from 1.
        line: usize,
        /// Cells in the row.
        cells: usize,
        /// Columns in the header.
        columns: usize,
    },
    /// A cell that must hold a number holds something else.
    #[error(
        "line {line}, column `{column}`: `{value}` is not a number (tplus writes a finite number, or an empty cell for an undefined one)"
    )]
    NotANumber {
        /// The line, from 1.
        line: usize,
        /// The column's name.
        column: &'static str,
        /// The cell as written.
        value: String,
    },
    /// A cell that must hold a whole number holds something else.
    #[error("line {line}, column `{column}`: `{value}` is not a whole number")]
    NotAWholeNumber {
        /// The line, from 1.
        line: usize,
        /// The column's name.
        column: &'static str,
        /// The cell as written.
        value: String,
    },
    /// A cell every row needs is empty.
    #[error("line {line}, column `{column}`: empty, but every row needs it")]
    EmptyCell {
        /// The line, from 1.
        line: usize,
        /// The column's name.
        column: &'static str,
    },
    /// A row names no product.
    #[error("line {line}, column `product`: empty")]
    NoProduct {
        /// The line, from 1.
        line: usize,
    },
    /// A window ends before it starts.
    #[error("line {line}: t_end {t_end} is before t_start {t_start}")]
    EndBeforeStart {
        /// The line, from 1.
        line: usize,
        /// The window's start, as read.
        t_start: f64,
        /// The window's end, as read.
        t_end: f64,
    },
    /// `metrics.csv` has a header and nothing else.
    #[error("no rows after the header")]
    NoRows,
    /// A JSON file does not parse.
    #[error("not valid JSON: {0}")]
    Json(#[source] serde_json::Error),
    /// A JSON file is valid JSON but not an object.
    #[error("not a JSON object")]
    NotAnObject,
    /// A value in `summary.json` or `manifest.json` is not what the
    /// writer's type holds there (a missing one is no error: see
    /// [`SummaryFile`] and [`RunManifest`]).
    #[error("`{path}`: {source}")]
    Figure {
        /// The value's path from the document's root, e.g. `products[0].volume`.
        path: String,
        /// What serde found wrong with it.
        #[source]
        source: serde_json::Error,
    },
    /// A value in `manifest.json` that its type reads but the report cannot
    /// use: a scripted event's moment that is not `day N HH:MM`.
    #[error("`{path}` is not {expected}")]
    WrongType {
        /// The value's dotted path from the document's root, e.g. `products[0].volume`.
        path: String,
        /// What it should be, e.g. `a whole number`.
        expected: &'static str,
    },
}

/// A column of `metrics.csv` by name, checked against the writer's schema
/// ([`crate::columns::metrics`]) when the crate compiles.
macro_rules! column {
    ($name:literal) => {
        crate::columns::name!(crate::columns::metrics::COLUMNS, $name)
    };
}
pub(super) use column;

/// Columns `metrics.csv` must have.
pub const REQUIRED: [&str; 8] = [
    column!("product"),
    column!("window"),
    column!("day"),
    column!("t_start"),
    column!("t_end"),
    column!("volume"),
    column!("sub_success"),
    column!("sale_success"),
];

/// One (window, product) row of `metrics.csv`; `None` is an empty cell or an
/// absent column.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MetricsRow {
    /// Global window index from 0 (business day × windows a day + window of the day).
    pub window: u64,
    /// Business-day index from 0.
    pub day: u64,
    /// Calendar date of the business day (YYYY-MM-DD).
    pub date: Option<String>,
    /// Seconds since 00:00 of the start date.
    pub t_start: f64,
    /// Window end (exclusive, at most the close), seconds since 00:00 of the
    /// start date.
    pub t_end: f64,
    /// Customers' buy orders (subscriptions) that closed in the window.
    pub buy_closed: Option<f64>,
    /// Customers' sell orders that closed in the window, failed sales included.
    pub sell_closed: Option<f64>,
    /// Of `buy_closed`, the ones filled whole.
    pub buy_filled: Option<f64>,
    /// Of `sell_closed`, the ones filled whole.
    pub sell_filled: Option<f64>,
    /// Customers' buy orders that reached the platform in the window.
    pub buy_orders: Option<f64>,
    /// Customers' sell orders that reached the platform in the window.
    pub sell_orders: Option<f64>,
    /// Subscription success probability (column `sub_success`).
    pub sub_success: Option<f64>,
    /// Low end of the 95% Wilson interval of `sub_success`.
    pub sub_lo: Option<f64>,
    /// High end of the 95% Wilson interval of `sub_success`.
    pub sub_hi: Option<f64>,
    /// Sale success probability (column `sale_success`).
    pub sale_success: Option<f64>,
    /// Low end of the 95% Wilson interval of `sale_success`.
    pub sale_lo: Option<f64>,
    /// High end of the 95% Wilson interval of `sale_success`.
    pub sale_hi: Option<f64>,
    /// Lots filled / lots ordered by the buy orders that closed.
    pub sub_fill_ratio: Option<f64>,
    /// Lots filled / lots ordered by the sales that closed.
    pub sale_fill_ratio: Option<f64>,
    /// Lots traded in the window.
    pub volume: f64,
    /// Executions in the window.
    pub trades: Option<f64>,
    /// Price of the latest trade so far, carried forward, in currency units.
    pub last_price: Option<f64>,
    /// (best bid + best ask) / 2 at the window's end, in currency units.
    pub mid_price: Option<f64>,
    /// The product's NAV on the window's business day, in currency units.
    pub nav: Option<f64>,
    /// Loan rate at the window's start (fraction per year).
    pub loan_rate: Option<f64>,
    /// Deposit rate at the window's start (fraction per year).
    pub deposit_rate: Option<f64>,
    /// Share of optimists among herding customers at the window's end.
    pub optimist_share: Option<f64>,
    /// Rolling Pearson r of subscription success with volume (over the last
    /// `rolling_windows` windows).
    pub roll_sub_pearson: Option<f64>,
    /// Rolling Spearman ρ of subscription success with volume.
    pub roll_sub_spearman: Option<f64>,
    /// Rolling Pearson r of sale success with volume.
    pub roll_sale_pearson: Option<f64>,
    /// Rolling Spearman ρ of sale success with volume.
    pub roll_sale_spearman: Option<f64>,
    /// Low end of the 95% interval of `roll_sub_pearson` that allows for the
    /// windows' serial dependence (Fisher's z with Bartlett's effective n).
    pub roll_sub_lo: Option<f64>,
    /// High end of that interval of `roll_sub_pearson`.
    pub roll_sub_hi: Option<f64>,
    /// Low end of the same interval of `roll_sale_pearson`.
    pub roll_sale_lo: Option<f64>,
    /// High end of the same interval of `roll_sale_pearson`.
    pub roll_sale_hi: Option<f64>,
}

/// The rows of one product, in window order.
#[derive(Clone, Debug, PartialEq)]
pub struct ProductRows {
    /// The product's id.
    pub product: String,
    /// Its rows, one per window.
    pub rows: Vec<MetricsRow>,
}

/// `metrics.csv` as read.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricsTable {
    /// The header, in file order.
    pub columns: Vec<String>,
    /// Products in order of first appearance.
    pub products: Vec<ProductRows>,
}

impl MetricsTable {
    /// Whether the file has the column (whatever its cells hold).
    pub fn has(&self, column: &str) -> bool {
        self.columns.iter().any(|c| c == column)
    }

    /// Parses the text of `metrics.csv`. Errors name the line and the column.
    pub fn parse(text: &str) -> Result<MetricsTable, ParseError> {
        let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
        let Some((_, header)) = lines.next() else {
            return Err(ParseError::Empty);
        };
        let columns: Vec<String> = split_closed(header).ok_or(ParseError::UnclosedQuote { line: 1 })?;
        let index: HashMap<&str, usize> = columns.iter().enumerate().map(|(i, c)| (c.as_str(), i)).collect();
        let missing: Vec<&'static str> = REQUIRED.iter().copied().filter(|c| !index.contains_key(c)).collect();
        if !missing.is_empty() {
            return Err(ParseError::MissingColumns { columns: missing });
        }
        let mut products: Vec<ProductRows> = Vec::new();
        for (i, line) in lines {
            let n = i + 1;
            let cells = split_closed(line).ok_or(ParseError::UnclosedQuote { line: n })?;
            if cells.len() != columns.len() {
                return Err(ParseError::CellCount { line: n, cells: cells.len(), columns: columns.len() });
            }
            let cell = |c: &str| index.get(c).map(|&i| cells[i].trim());
            let num = |c: &'static str| -> Result<Option<f64>, ParseError> {
                match cell(c) {
                    None | Some("") => Ok(None),
                    Some(s) => match s.parse::<f64>() {
                        Ok(v) if v.is_finite() => Ok(Some(v)),
                        // tplus writes an undefined figure as an empty cell,
                        // never NaN or inf: such a cell was put there by
                        // something else, and drawing it as undefined would
                        // hide that.
                        _ => Err(ParseError::NotANumber { line: n, column: c, value: s.to_string() }),
                    },
                }
            };
            let need = |c: &'static str| -> Result<f64, ParseError> {
                num(c)?.ok_or(ParseError::EmptyCell { line: n, column: c })
            };
            let whole = |c: &'static str| -> Result<u64, ParseError> {
                let s = cell(c).unwrap_or("");
                s.parse::<u64>().map_err(|_| ParseError::NotAWholeNumber { line: n, column: c, value: s.to_string() })
            };
            let product = cell(column!("product")).unwrap_or("").to_string();
            if product.is_empty() {
                return Err(ParseError::NoProduct { line: n });
            }
            let row = MetricsRow {
                window: whole(column!("window"))?,
                day: whole(column!("day"))?,
                date: cell(column!("date")).filter(|s| !s.is_empty()).map(str::to_string),
                t_start: need(column!("t_start"))?,
                t_end: need(column!("t_end"))?,
                buy_closed: num(column!("buy_closed"))?,
                sell_closed: num(column!("sell_closed"))?,
                buy_filled: num(column!("buy_filled"))?,
                sell_filled: num(column!("sell_filled"))?,
                buy_orders: num(column!("buy_orders"))?,
                sell_orders: num(column!("sell_orders"))?,
                sub_success: num(column!("sub_success"))?,
                sub_lo: num(column!("sub_success_lo"))?,
                sub_hi: num(column!("sub_success_hi"))?,
                sale_success: num(column!("sale_success"))?,
                sale_lo: num(column!("sale_success_lo"))?,
                sale_hi: num(column!("sale_success_hi"))?,
                sub_fill_ratio: num(column!("sub_fill_ratio"))?,
                sale_fill_ratio: num(column!("sale_fill_ratio"))?,
                volume: need(column!("volume"))?,
                trades: num(column!("trades"))?,
                last_price: num(column!("last_price"))?,
                mid_price: num(column!("mid_price"))?,
                nav: num(column!("nav"))?,
                loan_rate: num(column!("loan_rate"))?,
                deposit_rate: num(column!("deposit_rate"))?,
                optimist_share: num(column!("optimist_share"))?,
                roll_sub_pearson: num(column!("roll_sub_pearson"))?,
                roll_sub_spearman: num(column!("roll_sub_spearman"))?,
                roll_sale_pearson: num(column!("roll_sale_pearson"))?,
                roll_sale_spearman: num(column!("roll_sale_spearman"))?,
                roll_sub_lo: num(column!("roll_sub_pearson_lo"))?,
                roll_sub_hi: num(column!("roll_sub_pearson_hi"))?,
                roll_sale_lo: num(column!("roll_sale_pearson_lo"))?,
                roll_sale_hi: num(column!("roll_sale_pearson_hi"))?,
            };
            if row.t_end < row.t_start {
                return Err(ParseError::EndBeforeStart { line: n, t_start: row.t_start, t_end: row.t_end });
            }
            match products.iter_mut().find(|p| p.product == product) {
                Some(p) => p.rows.push(row),
                None => products.push(ProductRows { product, rows: vec![row] }),
            }
        }
        if products.is_empty() {
            return Err(ParseError::NoRows);
        }
        for p in &mut products {
            p.rows.sort_by_key(|r| r.window);
        }
        Ok(MetricsTable { columns, products })
    }
}

/// What the report uses of `manifest.json`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ManifestInfo {
    /// The scenario's name.
    pub scenario: Option<String>,
    /// The run's seed.
    pub seed: Option<u64>,
    /// The tplus version that wrote the run.
    pub version: Option<String>,
    /// K of the rolling correlations (`scenario.metrics.rolling_windows`).
    pub rolling_windows: Option<u64>,
    /// The scenario's scripted events (`scenario.events`), live changes
    /// saved from the live view included.
    pub events: Vec<super::events::RunEvent>,
}

/// Parses the text of `summary.json` through the writer's own type,
/// [`SummaryFile`] (see there what a missing key reads as). A value of the
/// wrong type is an error naming its path.
pub fn parse_summary(text: &str) -> Result<SummaryFile, ParseError> {
    read::<SummaryFile>(text).map_err(|e| match e {
        // The figures are flattened into the file, and serde loses the path
        // of a wrong value in there: read them alone to find it.
        ParseError::NotAnObject => read::<Summary>(text).err().unwrap_or(e),
        e => e,
    })
}

/// Deserialises a whole JSON document, naming the path of a wrong value.
fn read<T: DeserializeOwned>(text: &str) -> Result<T, ParseError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let at_root = e.path().iter().next().is_none();
        let e = e.into_inner();
        match e.classify() {
            Category::Data if at_root => ParseError::NotAnObject,
            Category::Data => ParseError::Figure { path, source: e },
            Category::Io | Category::Syntax | Category::Eof => ParseError::Json(e),
        }
    })?;
    de.end().map_err(ParseError::Json)?;
    Ok(value)
}

impl ManifestInfo {
    /// Parses the text of `manifest.json` through the writer's own type,
    /// [`RunManifest`] (a missing value reads as undefined; one of the
    /// wrong type is an error naming its path).
    pub fn parse(text: &str) -> Result<ManifestInfo, ParseError> {
        let m: RunManifest = read(text)?;
        Ok(ManifestInfo {
            scenario: m.scenario.simulation.name,
            seed: m.seed,
            version: m.version,
            rolling_windows: m.scenario.metrics.rolling_windows,
            events: super::events::parse_events(&m.scenario.events)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "product,window,day,date,t_start,t_end,sub_success,sale_success,volume";

    /// The reader asks for columns by name (each checked against the
    /// writer's schema when the crate compiles): a row of every column the
    /// schema has fills every field.
    #[test]
    fn every_column_read_is_one_the_schema_writes() {
        use crate::columns::metrics::{COLUMNS, HEADER};
        for c in REQUIRED {
            assert!(COLUMNS.iter().any(|s| s.name == c), "{c} is required but not written");
        }
        let cells: Vec<String> = COLUMNS
            .iter()
            .map(|c| match c.name {
                "product" => "P".to_string(),
                "date" => "2026-01-05".to_string(),
                "t_end" => "60".to_string(),
                _ => "1".to_string(),
            })
            .collect();
        let m = MetricsTable::parse(&format!("{HEADER}\n{}\n", cells.join(","))).unwrap();
        let r = &m.products[0].rows[0];
        let optional = [
            r.buy_closed,
            r.sell_closed,
            r.buy_filled,
            r.sell_filled,
            r.buy_orders,
            r.sell_orders,
            r.sub_success,
            r.sub_lo,
            r.sub_hi,
            r.sale_success,
            r.sale_lo,
            r.sale_hi,
            r.sub_fill_ratio,
            r.sale_fill_ratio,
            r.trades,
            r.last_price,
            r.mid_price,
            r.nav,
            r.loan_rate,
            r.deposit_rate,
            r.optimist_share,
            r.roll_sub_pearson,
            r.roll_sub_spearman,
            r.roll_sale_pearson,
            r.roll_sale_spearman,
            r.roll_sub_lo,
            r.roll_sub_hi,
            r.roll_sale_lo,
            r.roll_sale_hi,
        ];
        assert!(optional.iter().all(Option::is_some), "{r:?}");
        assert!(r.date.is_some() && r.t_end == 60.0 && r.volume == 1.0);
    }

    #[test]
    fn csv_cells_split_with_quotes() {
        assert_eq!(split_closed("a,,\"b,c\",\"d\"\"e\"").unwrap(), vec!["a", "", "b,c", "d\"e"]);
        assert_eq!(split_closed("").unwrap(), vec![""]);
        assert_eq!(split_closed("a,\"b"), None);
    }

    #[test]
    fn empty_cells_are_undefined_and_absent_columns_none() {
        let text = format!("{HEADER}\nP,0,0,2026-01-05,34200,34500,,0.5,10\nP,1,0,2026-01-05,34500,34800,1,,0\n");
        let m = MetricsTable::parse(&text).unwrap();
        assert_eq!(m.products.len(), 1);
        let rows = &m.products[0].rows;
        assert_eq!(rows[0].sub_success, None);
        assert_eq!(rows[0].sale_success, Some(0.5));
        assert_eq!(rows[1].sub_success, Some(1.0));
        assert_eq!(rows[1].sale_success, None);
        // Optional columns absent from the header read as undefined.
        assert_eq!(rows[0].sub_lo, None);
        assert_eq!(rows[0].mid_price, None);
        assert_eq!(rows[0].optimist_share, None);
        assert!(!m.has("sub_success_lo"));
        assert!(m.has("volume"));
        assert_eq!(rows[0].date.as_deref(), Some("2026-01-05"));
    }

    #[test]
    fn rows_group_by_product_in_window_order() {
        let text = format!("{HEADER}\nA,1,0,,60,120,,,1\nB,1,0,,60,120,,,2\nA,0,0,,0,60,,,3\nB,0,0,,0,60,,,4\n\n");
        let m = MetricsTable::parse(&text).unwrap();
        let names: Vec<&str> = m.products.iter().map(|p| p.product.as_str()).collect();
        assert_eq!(names, ["A", "B"]);
        assert_eq!(m.products[0].rows.iter().map(|r| r.volume).collect::<Vec<_>>(), [3.0, 1.0]);
        assert_eq!(m.products[0].rows[0].date, None);
    }

    #[test]
    fn optional_columns_are_read_when_present() {
        let text = "product,window,day,t_start,t_end,sub_success,sale_success,volume,sub_success_lo,sub_success_hi,mid_price,nav,roll_sub_pearson,optimist_share\n\
                    P,0,0,0,300,0.5,,7,0.2,0.8,1.0005,1.0,,0.25\n";
        let r = &MetricsTable::parse(text).unwrap().products[0].rows[0];
        assert_eq!((r.sub_lo, r.sub_hi), (Some(0.2), Some(0.8)));
        assert_eq!((r.mid_price, r.nav), (Some(1.0005), Some(1.0)));
        assert_eq!(r.roll_sub_pearson, None);
        assert_eq!((r.roll_sub_lo, r.roll_sale_hi), (None, None));
        assert_eq!(r.optimist_share, Some(0.25));
    }

    #[test]
    fn missing_required_columns_are_named() {
        let e = MetricsTable::parse("product,window,t_start,t_end\nP,0,0,1\n").unwrap_err();
        assert!(matches!(&e, ParseError::MissingColumns { columns } if columns.contains(&"day")), "{e}");
        assert_eq!(e.to_string(), "line 1: the header lacks the column(s) day, volume, sub_success, sale_success");
    }

    #[test]
    fn garbled_cells_name_line_and_column() {
        let e = |text: &str| MetricsTable::parse(text).unwrap_err().to_string();
        let not_a_number = "is not a number (tplus writes a finite number, or an empty cell for an undefined one)";
        assert_eq!(
            e(&format!("{HEADER}\nP,0,0,,0,300,abc,,1\n")),
            format!("line 2, column `sub_success`: `abc` {not_a_number}")
        );
        // NaN and inf are numbers to the parser, never what tplus writes.
        for bad in ["NaN", "inf", "-inf"] {
            assert_eq!(
                e(&format!("{HEADER}\nP,0,0,,0,300,{bad},,1\n")),
                format!("line 2, column `sub_success`: `{bad}` {not_a_number}")
            );
        }
        assert_eq!(e(&format!("{HEADER}\nP,0,0,,0,300\n")), "line 2: 6 cells where the header has 9 columns");
        assert_eq!(e(&format!("{HEADER}\nP,x,0,,0,300,,,1\n")), "line 2, column `window`: `x` is not a whole number");
        assert_eq!(
            e(&format!("{HEADER}\nP,0,0,,0,300,,,\n")),
            "line 2, column `volume`: empty, but every row needs it"
        );
        assert_eq!(e(&format!("{HEADER}\n,0,0,,0,300,,,1\n")), "line 2, column `product`: empty");
        assert_eq!(e(&format!("{HEADER}\nP,0,0,,300,0,,,1\n")), "line 2: t_end 0 is before t_start 300");
        assert_eq!(e(&format!("{HEADER}\nP,0,0,\"x,0,300,,,1\n")), "line 2: a quoted cell is not closed");
        assert_eq!(e(""), "the file is empty (no header line)");
        assert_eq!(e(&format!("{HEADER}\n")), "no rows after the header");
        let n = MetricsTable::parse(&format!("{HEADER}\n\nP,0,0,,0,300,1e,,1\n")).unwrap_err();
        assert!(
            matches!(n, ParseError::NotANumber { line: 3, column: "sub_success", ref value } if value == "1e"),
            "{n:?}"
        );
    }

    #[test]
    fn summary_reads_known_figures_and_ignores_the_rest() {
        let text = r#"{
            "scenario": "s", "seed": 7, "windows": 12, "new_thing": {"x": [1, 2]},
            "products": [{
                "product": "P",
                "orders": {"submitted": 100, "rejected": 3},
                "subscriptions": {"closed": 10, "filled": 5, "success_probability": 0.5,
                                  "success_ci_95": [0.2, 0.8], "fill_ratio": 0.6, "rejected": 2,
                                  "accepted_success_probability": 0.625, "accepted_success_ci_95": [0.3, 0.9],
                                  "rejected_share_of_failures": 0.4},
                "sales": {"closed": 0, "filled": 0, "success_probability": null},
                "volume": 40, "trades": 4, "turnover": 4000.5,
                "correlation": {
                    "subscription_success_vs_volume": {"pearson": 0.3, "spearman": null, "windows": 9,
                        "serial_dependence": {"autocorrelation_lag1": [0.8, 0.7], "effective_windows": 5.5,
                                              "pearson_ci_95": [-0.6, 0.9], "pearson_p_value": 0.6},
                        "block_bootstrap": {"pearson_ci_95": [-0.2, 0.7], "block": 4, "resamples": 999},
                        "deseasonalised": {"pearson": 0.1, "windows": 8, "slots": 4, "effective_windows": 4.5,
                                           "pearson_ci_95": [-0.9, 0.95], "pearson_p_value": 0.9}},
                    "sale_success_vs_volume": {"pearson": null, "spearman": null, "windows": 0}
                }
            }],
            "all": {"product": "all", "volume": 40},
            "herding": {"optimist_share": {"mean": 0.4, "bimodality_coefficient": 0.7, "windows": 12}}
        }"#;
        let f = parse_summary(text).unwrap();
        assert_eq!((f.scenario.as_str(), f.seed, f.summary.windows), ("s", 7, 12));
        let p = f.summary.product("P").unwrap();
        assert_eq!(p.subscriptions.success_ci_95, Some([0.2, 0.8]));
        // A key the file lacks reads as the writer's default.
        assert_eq!(p.subscriptions.lots, 0);
        assert_eq!(p.sales.success_probability, None);
        let c = &p.correlation.subscription_success_vs_volume;
        assert_eq!((c.pearson, c.windows), (Some(0.3), 9));
        let d = c.serial_dependence.as_ref().unwrap();
        assert_eq!((d.autocorrelation_lag1, d.effective_windows), ([0.8, 0.7], 5.5));
        assert_eq!((d.pearson_ci_95, d.pearson_p_value), (Some([-0.6, 0.9]), Some(0.6)));
        let b = c.block_bootstrap.as_ref().unwrap();
        assert_eq!((b.pearson_ci_95, b.block), ([-0.2, 0.7], 4));
        let d = c.deseasonalised.as_ref().unwrap();
        assert_eq!((d.pearson, d.pearson_ci_95), (Some(0.1), Some([-0.9, 0.95])));
        assert_eq!((d.pearson_p_value, d.effective_windows), (Some(0.9), Some(4.5)));
        assert!(p.correlation.sale_success_vs_volume.serial_dependence.is_none());
        let b = &p.subscriptions;
        assert_eq!(
            (b.rejected, b.accepted_success_probability, b.accepted_success_ci_95),
            (2, Some(0.625), Some([0.3, 0.9]))
        );
        assert_eq!(b.rejected_share_of_failures, Some(0.4));
        assert_eq!(p.correlation.subscription_success_vs_loan_rate.windows, 0);
        assert_eq!(f.summary.all.volume, 40);
        assert_eq!(f.summary.herding.optimist_share.as_ref().unwrap().mean, 0.4);
    }

    #[test]
    fn summary_of_the_wrong_shape_is_an_error() {
        let e = parse_summary("{").unwrap_err();
        assert!(matches!(e, ParseError::Json(_)) && std::error::Error::source(&e).is_some(), "{e:?}");
        assert!(e.to_string().starts_with("not valid JSON: EOF while parsing"), "{e}");
        assert_eq!(parse_summary("[1]").unwrap_err().to_string(), "not a JSON object");
        let e = parse_summary(r#"{"products": [{"product": "P", "volume": "lots"}]}"#).unwrap_err();
        assert!(matches!(&e, ParseError::Figure { path, .. } if path == "products[0].volume"), "{e:?}");
        assert!(e.to_string().starts_with("`products[0].volume`: invalid type: string \"lots\""), "{e}");
        let e = parse_summary(r#"{"all": {"subscriptions": {"success_ci_95": [1]}}}"#).unwrap_err();
        assert!(e.to_string().starts_with("`all.subscriptions.success_ci_95`: invalid length 1"), "{e}");
        let e = parse_summary(r#"{"seed": 3} x"#).unwrap_err();
        assert!(matches!(e, ParseError::Json(_)), "{e:?}");
        let e = ManifestInfo::parse(r#"{"scenario": {"simulation": {"name": 3}}}"#).unwrap_err();
        assert!(matches!(&e, ParseError::Figure { path, .. } if path == "scenario.simulation.name"), "{e:?}");
        assert!(e.to_string().starts_with("`scenario.simulation.name`: invalid type: integer `3`"), "{e}");
        // An empty object is a summary without figures.
        let f = parse_summary("{}").unwrap();
        assert_eq!((f.scenario.as_str(), f.seed, f.summary.products.len()), ("", 0, 0));
    }

    #[test]
    fn manifest_reads_name_seed_and_rolling_windows() {
        let m = ManifestInfo::parse(
            r#"{"seed": 3, "version": "0.1.0", "scenario": {"simulation": {"name": "x"}, "metrics": {"rolling_windows": 12}}}"#,
        )
        .unwrap();
        assert_eq!(m.scenario.as_deref(), Some("x"));
        assert_eq!((m.seed, m.rolling_windows), (Some(3), Some(12)));
        assert_eq!(ManifestInfo::parse("{}").unwrap(), ManifestInfo::default());
    }
}
