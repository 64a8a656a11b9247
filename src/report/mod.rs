//! The report of a finished run: plots (SVG) and a readable `report.md`,
//! written into the run directory.
//!
//! Three steps, each a plain function: [`read_run`] reads `metrics.csv`,
//! `summary.json` and `manifest.json` into a [`RunData`]; [`build`] turns
//! that into the plots and the text, drawing nothing but strings; and
//! [`write_report`] does both and writes the files (each under a temporary
//! name, then renamed, as the run's own files are).
//!
//! The plots, per product `P` unless said otherwise:
//!
//! | file | what it shows |
//! |---|---|
//! | `success_P.svg` | subscription and sale success probability per window, with the 95% Wilson band |
//! | `volume_P.svg` | lots traded per window |
//! | `scatter_P.svg` | success against volume over windows, least-squares lines, r with its 95% interval allowing for serial dependence (from `summary.json`) and ρ |
//! | `price_P.svg` | last and mid price and NAV; loan and deposit rates in a lower panel |
//! | `optimists.svg` | share of optimists among herd followers (market-wide; only with herding groups) |
//! | `rolling_P.svg` | rolling Pearson and Spearman correlation of success with volume, a panel per side, Pearson's r over its 95% interval allowing for serial dependence |
//!
//! Every time plot marks the run's scripted and live events (from
//! `manifest.json`, live ones listed in `live_changes.csv`) with a dashed
//! line and a label, and `report.md` compares each product's key figures
//! before and after each event ([`events`]).
//!
//! Columns that a run did not write (older runs) leave out the plot element
//! that needs them, with a note in `report.md`.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

mod agree;
mod axis;
pub mod batch;
pub mod data;
pub mod events;
pub mod find;
mod legend;
mod markdown;
mod num;
pub mod plot;
pub mod png;
mod why;

pub use crate::metrics::SummaryFile;
pub use axis::TimeAxis;
pub use batch::SweepParseError;
pub use data::{ManifestInfo, MetricsTable, ParseError, parse_summary};

/// Why a report could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// The run directory does not exist, or is not a directory.
    #[error("{}: {why}; give the directory of a finished run (`tplus run … --out DIR`)", .dir.display())]
    NoRunDir {
        /// The directory given.
        dir: PathBuf,
        /// What is wrong with it (`no such directory`, `not a directory`).
        why: &'static str,
    },
    /// The directory is neither a run's nor a sweep's (a parent of some,
    /// say): the ones found below it are named.
    #[error("{}", find::neither_text(.dir, .found))]
    NeitherRunNorSweep {
        /// The directory given.
        dir: PathBuf,
        /// The run and sweep directories one or two levels below it.
        found: Vec<find::Found>,
    },
    /// A file the report needs is not in the run directory.
    #[error("{}: missing; is this the directory of a finished run?", .0.display())]
    MissingFile(PathBuf),
    /// A file could not be read.
    #[error("{}: cannot read: {}", .0.display(), .1)]
    Read(PathBuf, #[source] io::Error),
    /// A file is not UTF-8 text, so it cannot be one a run or sweep writes.
    #[error("{}: not UTF-8 text", .0.display())]
    NotText(PathBuf, #[source] std::str::Utf8Error),
    /// A run's file does not hold what a run writes.
    #[error("{}: {}", .0.display(), .1)]
    Garbled(PathBuf, #[source] ParseError),
    /// The run's files are not all from one run (copied together by hand,
    /// or one kept from an earlier run): a report would mix their figures.
    #[error(
        "{}: its files are not from one run: {}; give a directory one run wrote whole, or run the scenario again into an empty one (`tplus run SCENARIO --out DIR`)",
        .dir.display(),
        .what
    )]
    MixedRun {
        /// The run directory.
        dir: PathBuf,
        /// What two of its files disagree on.
        what: String,
    },
    /// A sweep's file does not hold what a sweep writes.
    #[error("{}: {}", .0.display(), .1)]
    GarbledSweep(PathBuf, #[source] SweepParseError),
    /// A plot could not be drawn.
    #[error("cannot draw {file}: {source}")]
    Draw {
        /// The SVG file being drawn.
        file: String,
        /// What the drawing backend said.
        #[source]
        source: plot::DrawError,
    },
    /// A plot could not be rasterised to PNG.
    #[error("cannot make the PNG of {file}: {source}")]
    Png {
        /// The SVG file being rasterised.
        file: String,
        /// What went wrong.
        #[source]
        source: png::PngError,
    },
    /// A file could not be written.
    #[error("{}: cannot write: {}", .0.display(), .1)]
    Write(PathBuf, #[source] io::Error),
}

impl ReportError {
    /// Whether the fault is in the run directory given (exit status 2), not
    /// in drawing or writing (exit status 1).
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            ReportError::NoRunDir { .. }
                | ReportError::NeitherRunNorSweep { .. }
                | ReportError::MissingFile(_)
                | ReportError::NotText(..)
                | ReportError::Garbled(..)
                | ReportError::MixedRun { .. }
                | ReportError::GarbledSweep(..)
        )
    }
}

/// What a run directory holds, as read.
#[derive(Clone, Debug)]
pub struct RunData {
    /// The rows of `metrics.csv`, by product.
    pub metrics: MetricsTable,
    /// `summary.json`, read through the writer's own type.
    pub summary: SummaryFile,
    /// `None` when the run has no `manifest.json`.
    pub manifest: Option<ManifestInfo>,
}

/// One plot: its file name, title, the sentence `report.md` gives it, and the SVG text.
#[derive(Clone, Debug)]
pub struct Plot {
    /// The SVG file's name, written next to `report.md`.
    pub file: String,
    /// The plot's title, also its heading in `report.md`.
    pub title: String,
    /// The sentence `report.md` gives under the plot: what it shows and how to
    /// read it.
    pub about: String,
    /// The SVG document.
    pub svg: String,
}

/// The plots under one heading of `report.md` (a product, or the market).
#[derive(Clone, Debug)]
pub struct Section {
    /// The heading: a product's id, or the market as a whole.
    pub heading: String,
    /// The plots under it, in the order they appear.
    pub plots: Vec<Plot>,
}

/// Everything the report writes, before it is written.
#[derive(Clone, Debug)]
pub struct DrawnReport {
    /// The headings and their plots, in `report.md` order.
    pub sections: Vec<Section>,
    /// Plot elements left out and why.
    pub notes: Vec<String>,
    /// The text of `report.md`.
    pub markdown: String,
}

/// A run's or sweep's directory must exist and be one.
fn check_dir(dir: &Path) -> Result<(), ReportError> {
    if !dir.exists() {
        return Err(ReportError::NoRunDir { dir: dir.to_path_buf(), why: "no such directory" });
    }
    if !dir.is_dir() {
        return Err(ReportError::NoRunDir { dir: dir.to_path_buf(), why: "not a directory" });
    }
    Ok(())
}

/// A file the report cannot do without: its path and text.
fn read_needed(dir: &Path, name: &str) -> Result<(PathBuf, String), ReportError> {
    let path = dir.join(name);
    let text = read_text(&path)?;
    Ok((path, text))
}

/// A file's text; [`ReportError::MissingFile`] when it is not there, so that
/// a caller for whom the file is optional can tell.
fn read_text(path: &Path) -> Result<String, ReportError> {
    match fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes).map_err(|e| ReportError::NotText(path.to_path_buf(), e.utf8_error())),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Err(ReportError::MissingFile(path.to_path_buf())),
        Err(e) => Err(ReportError::Read(path.to_path_buf(), e)),
    }
}

/// Reads `metrics.csv` and `summary.json` (both needed) and `manifest.json`
/// (optional) from a run directory, and checks that they are of one run.
pub fn read_run(run_dir: &Path) -> Result<RunData, ReportError> {
    check_dir(run_dir)?;
    let need = |name: &str| read_needed(run_dir, name);
    let (path, text) = need("metrics.csv")?;
    let metrics = MetricsTable::parse(&text).map_err(|e| ReportError::Garbled(path, e))?;
    let (path, text) = need("summary.json")?;
    let summary = parse_summary(&text).map_err(|e| ReportError::Garbled(path, e))?;
    let path = run_dir.join("manifest.json");
    let mut manifest = match read_text(&path) {
        Ok(text) => Some(ManifestInfo::parse(&text).map_err(|e| ReportError::Garbled(path, e))?),
        Err(ReportError::MissingFile(_)) => None,
        Err(e) => return Err(e),
    };
    // A session saved from the live view lists its live changes apart.
    if let Some(m) = &mut manifest {
        match read_text(&run_dir.join("live_changes.csv")) {
            Ok(text) => events::mark_live(&mut m.events, &text),
            Err(ReportError::MissingFile(_)) => {}
            Err(e) => return Err(e),
        }
    }
    if let Some(what) = agree::disagreement(&metrics, &summary, manifest.as_ref()) {
        return Err(ReportError::MixedRun { dir: run_dir.to_path_buf(), what });
    }
    Ok(RunData { metrics, summary, manifest })
}

/// A product id as a file-name part: letters, digits, `-`, `_` and `.` kept, anything else `_`.
fn file_part(id: &str) -> String {
    id.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') { c } else { '_' }).collect()
}

/// A name in words as a file-name part a shell needs no quotes for:
/// `herding of group 3, herding` → `herding_of_group_3_herding`. Runs of
/// anything but ASCII letters and digits become one `_`.
fn words_part(words: &str) -> String {
    let mut out = String::with_capacity(words.len());
    for c in words.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    let out = out.trim_end_matches('_');
    if out.is_empty() { "parameter".to_string() } else { out.to_string() }
}

/// Whether `metrics.csv` has every one of `columns` (a plot element needs
/// them all); if not, a note says which `what` it lacks and what is left
/// out (`then`).
fn columns_or_note(m: &MetricsTable, what: &str, columns: [&str; 4], then: &str, notes: &mut Vec<String>) -> bool {
    let all = columns.iter().all(|c| m.has(c));
    if !all {
        let listed: Vec<String> = columns.iter().map(|c| format!("`{c}`")).collect();
        notes.push(format!("`metrics.csv` has no {what} ({}): {then}.", listed.join(", ")));
    }
    all
}

/// The most common window length in seconds.
fn window_secs(rows: &[data::MetricsRow]) -> f64 {
    let mut lengths: Vec<i64> = rows.iter().map(|r| (r.t_end - r.t_start).round() as i64).collect();
    lengths.sort_unstable();
    let mut best = (0, 0usize);
    for chunk in lengths.chunk_by(|a, b| a == b) {
        if chunk.len() > best.1 {
            best = (chunk[0], chunk.len());
        }
    }
    best.0 as f64
}

/// What the text of `report.md` needs to know about the run besides the
/// summary: the names, the seed and the time span it states.
#[derive(Clone)]
pub(crate) struct RunFacts {
    /// The scenario's name, from the manifest or the summary.
    pub scenario: Option<String>,
    /// The run's seed, from the manifest or the summary.
    pub seed: Option<u64>,
    /// The tplus version that wrote the run, from the manifest.
    pub version: Option<String>,
    /// Product ids, in file order.
    pub products: Vec<String>,
    /// Metrics windows per product.
    pub windows: usize,
    /// Business days the run spans.
    pub days: usize,
    /// Date of the first business day (YYYY-MM-DD), when `metrics.csv` has dates.
    pub first_date: Option<String>,
    /// Date of the last business day (YYYY-MM-DD), when `metrics.csv` has dates.
    pub last_date: Option<String>,
    /// The usual window length as an adjective for the text (`5-minute`).
    pub window: String,
    /// The usual window length as a noun for the text (`5 minutes`).
    pub window_length: String,
    /// The windows of each summary block (a product's id, or `All products`),
    /// to say why a correlation is undefined.
    pub block_windows: Vec<(String, Vec<why::WindowFigures>)>,
    /// The optimists' share among herd followers at each window's end, in
    /// window order (market-wide; empty without herd followers).
    pub optimist_shares: Vec<f64>,
}

/// Draws every plot and writes the text, from the data alone.
pub fn build(data: &RunData) -> Result<DrawnReport, ReportError> {
    let m = &data.metrics;
    let Some(first) = m.products.first().map(|p| &p.rows) else {
        return Err(ReportError::Garbled("metrics.csv".into(), ParseError::NoRows));
    };
    let run_events = data.manifest.as_ref().map(|x| x.events.as_slice());
    let axis = TimeAxis::new(first);
    let marks = events::markers(run_events.unwrap_or(&[]), &axis, first);
    let axis = axis.with_marks(marks);
    let window = num::window(window_secs(first));
    let rolling_k = data.manifest.as_ref().and_then(|x| x.rolling_windows);
    let draw_err = |file: &str| {
        let file = file.to_string();
        move |source: plot::DrawError| ReportError::Draw { file, source }
    };
    let mut notes = Vec::new();
    let bands = columns_or_note(
        m,
        "Wilson interval columns",
        [
            data::column!("sub_success_lo"),
            data::column!("sub_success_hi"),
            data::column!("sale_success_lo"),
            data::column!("sale_success_hi"),
        ],
        "the success plots show no band",
        &mut notes,
    );
    for (col, what) in [
        (data::column!("mid_price"), "mid price"),
        (data::column!("nav"), "NAV"),
        (data::column!("loan_rate"), "loan rate"),
        (data::column!("deposit_rate"), "deposit rate"),
    ] {
        if !m.has(col) {
            notes.push(format!("`metrics.csv` has no `{col}` column: the price plots show no {what}."));
        }
    }
    let has_rolling = columns_or_note(
        m,
        "rolling correlation columns",
        [
            data::column!("roll_sub_pearson"),
            data::column!("roll_sub_spearman"),
            data::column!("roll_sale_pearson"),
            data::column!("roll_sale_spearman"),
        ],
        "no rolling correlation plots",
        &mut notes,
    );
    let roll_bands = has_rolling
        && columns_or_note(
            m,
            "interval columns of the rolling Pearson r",
            [
                data::column!("roll_sub_pearson_lo"),
                data::column!("roll_sub_pearson_hi"),
                data::column!("roll_sale_pearson_lo"),
                data::column!("roll_sale_pearson_hi"),
            ],
            "the rolling correlation plots show no band",
            &mut notes,
        );

    let mut sections = Vec::new();
    let mut used: Vec<String> = Vec::new();
    for p in &m.products {
        let id = &p.product;
        let rows = &p.rows;
        let mut part = file_part(id);
        if used.contains(&part) {
            part = format!("{part}_{}", used.len());
        }
        used.push(part.clone());
        let mut plots = Vec::new();

        let file = format!("success_{part}.svg");
        let title = format!("{id}: subscription and sale success probability");
        let svg = plot::success(&title, &axis, rows, &window, bands).map_err(draw_err(&file))?;
        let about = format!(
            "The share of customers' buy orders (subscriptions) and sell orders (sales) closing in each {window} window \
             that were filled whole{}; a gap is a window in which no order of that side closed.",
            if bands { ", with the 95% Wilson interval shaded" } else { "" }
        );
        plots.push(Plot { file, title, about, svg });

        let file = format!("volume_{part}.svg");
        let title = format!("{id}: volume per {window} window");
        let svg = plot::volume(&title, &axis, rows, &window).map_err(draw_err(&file))?;
        let busiest = rows.iter().filter(|r| r.volume > 0.0).max_by(|a, b| a.volume.total_cmp(&b.volume));
        let about = format!(
            "Lots traded in {id} in each {window} window, platform trades included; {}.",
            match busiest {
                Some(r) => format!(
                    "the busiest window, from {}, traded {} lots",
                    axis.label(axis.x(r.day, r.t_start)),
                    num::count(r.volume)
                ),
                None => "nothing traded in any window".into(),
            }
        );
        plots.push(Plot { file, title, about, svg });

        let file = format!("scatter_{part}.svg");
        let title = format!("{id}: success probability against volume");
        let fits = [plot::side_fit(rows, |r| r.sub_success), plot::side_fit(rows, |r| r.sale_success)];
        let correlation = data.summary.summary.product(id).map(|b| &b.correlation);
        let intervals = [
            correlation.and_then(|c| plot::RInterval::of(&c.subscription_success_vs_volume, &fits[0])),
            correlation.and_then(|c| plot::RInterval::of(&c.sale_success_vs_volume, &fits[1])),
        ];
        let svg = plot::scatter(&title, rows, &window, intervals).map_err(draw_err(&file))?;
        let fit_text = |name: &str, (n, r, rho, _): plot::SideFit, ci: Option<plot::RInterval>| {
            let n_eff = ci.map_or(String::new(), |c| format!(", effective n ≈ {}", num::count(c.effective_windows)));
            format!(
                "{name} {}, {} over {n} windows{n_eff}",
                plot::r_with_interval(r, ci),
                plot::rho_with_interval(rho, ci)
            )
        };
        let about = format!(
            "Each {window} window's success probability against its volume, one marker per window and side, with \
             each side's least-squares line: {}; {}.{}",
            fit_text("subscriptions", fits[0], intervals[0]),
            fit_text("sales", fits[1], intervals[1]),
            if intervals.iter().any(Option::is_some) {
                " The 95% intervals of r and ρ allow for the serial dependence of neighbouring windows (Fisher's z \
                 with the effective number of windows, of their ranks for ρ, from `summary.json`), so each is at \
                 least as wide as one that takes the windows as independent."
            } else {
                ""
            }
        );
        plots.push(Plot { file, title, about, svg });

        let file = format!("price_{part}.svg");
        let input = plot::PriceInput {
            rows,
            has_mid: m.has(data::column!("mid_price")),
            has_nav: m.has(data::column!("nav")),
            has_loan: m.has(data::column!("loan_rate")),
            has_deposit: m.has(data::column!("deposit_rate")),
        };
        let rates = input.has_loan || input.has_deposit;
        let title = if rates { format!("{id}: price, NAV and rates") } else { format!("{id}: price and NAV") };
        let svg = plot::price(&title, &axis, &input).map_err(draw_err(&file))?;
        let range = rows
            .iter()
            .filter_map(|r| r.last_price)
            .fold(None, |acc: Option<(f64, f64)>, v| Some(acc.map_or((v, v), |(lo, hi)| (lo.min(v), hi.max(v)))));
        let about = format!(
            "The last trade price{}{} of {id} over time{}; {}.",
            if input.has_mid { " and the mid price" } else { "" },
            if input.has_nav { " against the NAV" } else { "" },
            if rates {
                ", and below them the bank loan and deposit rates (% per year) that funding costs follow"
            } else {
                ""
            },
            match range {
                // The plot's points are the windows' last trades: the range
                // of every trade's price is wider (trades.csv holds it).
                Some((lo, hi)) => {
                    format!(
                        "at the windows' ends the last trade price ranged from {lo} to {hi} (trades.csv has every trade)"
                    )
                }
                None => "no trade took place".into(),
            }
        );
        plots.push(Plot { file, title, about, svg });

        if has_rolling {
            let file = format!("rolling_{part}.svg");
            if rows.iter().all(|r| {
                r.roll_sub_pearson.is_none()
                    && r.roll_sub_spearman.is_none()
                    && r.roll_sale_pearson.is_none()
                    && r.roll_sale_spearman.is_none()
            }) {
                notes.push(format!(
                    "{id}: the rolling correlations are undefined in every window (too few windows with closed \
                     orders, or no variation): no rolling correlation plot."
                ));
            } else {
                let title = format!("{id}: rolling correlation of success with volume");
                let svg = plot::rolling(&title, &axis, rows, rolling_k, roll_bands).map_err(draw_err(&file))?;
                let last = rolling_k.map_or("the last K windows".into(), |k| format!("the last {k} windows"));
                let about = format!(
                    "Pearson r (solid) and Spearman ρ (dashed) of success probability with volume over {last} up to \
                     each window (over those there are in the run's first windows), subscriptions above and sales \
                     below; a gap is a window where too few of those windows closed orders of that side, or nothing \
                     varied.{}",
                    if roll_bands {
                        " The shaded band is the 95% interval of r allowing for the serial dependence of those \
                         windows (Fisher's z with Bartlett's effective number of windows): over so few windows it \
                         is usually wide, so read it before reading a swing of r as a change; over 3 windows there is \
                         none."
                    } else {
                        ""
                    }
                );
                plots.push(Plot { file, title, about, svg });
            }
        }
        sections.push(Section { heading: id.clone(), plots });
    }

    let mut market = Vec::new();
    if !m.has(data::column!("optimist_share")) {
        notes.push("`metrics.csv` has no `optimist_share` column: no plot of the herd's optimists.".into());
    } else if first.iter().all(|r| r.optimist_share.is_none()) {
        notes
            .push("No herding group in this run (`optimist_share` is empty in every window): no optimist plot.".into());
    } else {
        let file = "optimists.svg".to_string();
        let title = "Herd followers: share of optimists".to_string();
        let svg = plot::optimists(&title, &axis, first).map_err(draw_err(&file))?;
        let shares: Vec<f64> = first.iter().filter_map(|r| r.optimist_share).collect();
        let mean = shares.iter().sum::<f64>() / shares.len() as f64;
        let about = format!(
            "The share of optimists among all herd-following customers at the end of each window (mean {}); a crowd \
             that spends its time near 0% or 100% and swings between them is herding, one near 50% is not.",
            num::pct(Some(mean))
        );
        market.push(Plot { file, title, about, svg });
    }
    if !market.is_empty() {
        sections.push(Section { heading: "Market-wide".into(), plots: market });
    }

    let dates: Vec<&str> = first.iter().filter_map(|r| r.date.as_deref()).collect();
    let ctx = RunFacts {
        scenario: data
            .manifest
            .as_ref()
            .and_then(|x| x.scenario.clone())
            .or_else(|| Some(data.summary.scenario.clone()).filter(|s| !s.is_empty())),
        seed: data.manifest.as_ref().and_then(|x| x.seed).or(Some(data.summary.seed)),
        version: data.manifest.as_ref().and_then(|x| x.version.clone()),
        products: m.products.iter().map(|p| p.product.clone()).collect(),
        windows: first.len(),
        days: axis.n_days(),
        first_date: dates.first().map(|s| s.to_string()),
        last_date: dates.last().map(|s| s.to_string()),
        window_length: num::window_noun(window_secs(first)),
        window,
        block_windows: block_windows(m),
        optimist_shares: first.iter().filter_map(|r| r.optimist_share).collect(),
    };
    let mut event_text = String::new();
    let products: Vec<(&str, &[data::MetricsRow])> =
        m.products.iter().map(|p| (p.product.as_str(), p.rows.as_slice())).collect();
    let span = events::span_windows(window_secs(first));
    events::section(&mut event_text, run_events, &products, span, &ctx.window_length);
    let markdown = markdown::render(&ctx, &data.summary.summary, &event_text, &sections, &notes);
    Ok(DrawnReport { sections, notes, markdown })
}

/// The windows of each summary block: each product's, and all products'
/// pooled (when `metrics.csv` has the counts to pool).
fn block_windows(m: &MetricsTable) -> Vec<(String, Vec<why::WindowFigures>)> {
    let mut out: Vec<(String, Vec<why::WindowFigures>)> =
        m.products.iter().map(|p| (p.product.clone(), why::product_windows(&p.rows))).collect();
    let all: Vec<&[data::MetricsRow]> = m.products.iter().map(|p| p.rows.as_slice()).collect();
    if let Some(w) = why::pooled_windows(&all) {
        out.push(("All products".into(), w));
    }
    out
}

/// Writes the plots of `sections` (each SVG, and beside it its PNG when
/// `png`) and then `report.md` (`markdown`) into `dir`, all or none: every
/// file is drawn, written and synced under a temporary name before any
/// takes its own, so a report that fails (a PNG that cannot be drawn, a
/// full disk, a plot's name taken by a directory) leaves none of its files
/// beside an older report's. Returns the files written, `report.md` last.
fn write_report_files(
    dir: &Path,
    sections: &[Section],
    png: bool,
    markdown: &str,
) -> Result<Vec<PathBuf>, ReportError> {
    let mut files: Vec<(String, std::borrow::Cow<'_, [u8]>)> = Vec::new();
    for plot in sections.iter().flat_map(|s| &s.plots) {
        files.push((plot.file.clone(), plot.svg.as_bytes().into()));
        if png {
            let bytes =
                png::svg_to_png(&plot.svg).map_err(|source| ReportError::Png { file: plot.file.clone(), source })?;
            files.push((format!("{}.png", plot.file.strip_suffix(".svg").unwrap_or(&plot.file)), bytes.into()));
        }
    }
    files.push(("report.md".into(), markdown.as_bytes().into()));
    let named: Vec<(&str, &[u8])> = files.iter().map(|(n, b)| (n.as_str(), b.as_ref())).collect();
    crate::results::write_all_or_none(dir, &named).map_err(|(path, e)| ReportError::Write(path, e))
}

/// Reads the run in `run_dir`, draws its plots and writes them (SVG) with
/// `report.md` into the same directory. Returns the files written, plots
/// first and `report.md` last. A sweep's directory (with `sweep.csv` or
/// `sweep.json`) gets the sweep's report instead: see [`batch`].
pub fn write_report(run_dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    write_report_with(run_dir, false)
}

/// [`write_report`], with a PNG beside each SVG when `png` (rasterised
/// in-process, twice the SVG's size: see [`png`]).
pub fn write_report_with(run_dir: &Path, png: bool) -> Result<Vec<PathBuf>, ReportError> {
    check_reportable(run_dir)?;
    if batch::is_sweep_dir(run_dir) {
        return batch::write_sweep_report(run_dir, png);
    }
    let data = read_run(run_dir)?;
    let report = build(&data)?;
    write_report_files(run_dir, &report.sections, png, &report.markdown)
}

/// Refuses what no report can be drawn for: a path that is not a
/// directory, and a directory that is neither a run's nor a sweep's (the
/// ones below it named).
pub fn check_reportable(dir: &Path) -> Result<(), ReportError> {
    check_dir(dir)?;
    if !batch::is_sweep_dir(dir) && !find::is_run_dir(dir) {
        return Err(ReportError::NeitherRunNorSweep { dir: dir.to_path_buf(), found: find::reportable_below(dir) });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use super::*;

    #[test]
    fn file_parts_are_safe() {
        assert_eq!(file_part("NOTE7"), "NOTE7");
        assert_eq!(file_part("a b/c"), "a_b_c");
        assert_eq!(words_part("herding of group 3, herding"), "herding_of_group_3_herding");
        assert_eq!(words_part("buy_prob of group 1, zero_intelligence"), "buy_prob_of_group_1_zero_intelligence");
        assert_eq!(words_part("agents[3].params.herding"), "agents_3_params_herding");
        assert_eq!(words_part("minimum credit score of P1"), "minimum_credit_score_of_p1");
        assert_eq!(words_part("(…)"), "parameter");
    }

    /// A run of twelve 5-minute windows of product `P`, with the rolling
    /// interval columns when `intervals` (a run written before them has none).
    fn rolling_run(intervals: bool) -> RunData {
        let mut text = String::from(
            "product,window,day,t_start,t_end,sub_success,sale_success,volume,\
             roll_sub_pearson,roll_sub_spearman,roll_sale_pearson,roll_sale_spearman",
        );
        if intervals {
            text.push_str(",roll_sub_pearson_lo,roll_sub_pearson_hi,roll_sale_pearson_lo,roll_sale_pearson_hi");
        }
        for w in 0..12u32 {
            let t0 = 34_200 + 300 * w;
            let success = [0.2, 0.5, 0.3, 0.8][w as usize % 4];
            let _ = write!(text, "\nP,{w},0,{t0},{},{success},0.4,{},0.6,0.5,-0.2,-0.1", t0 + 300, 10 + 7 * (w % 5));
            if intervals {
                text.push_str(",-0.1,0.9,-0.7,0.4");
            }
        }
        let metrics = MetricsTable::parse(&text).unwrap();
        RunData { metrics, summary: SummaryFile::default(), manifest: None }
    }

    fn plot<'a>(r: &'a DrawnReport, file: &str) -> &'a Plot {
        r.sections.iter().flat_map(|s| &s.plots).find(|p| p.file == file).unwrap()
    }

    #[test]
    fn the_rolling_band_is_drawn_when_the_run_has_its_columns() {
        let with = build(&rolling_run(true)).unwrap();
        let p = plot(&with, "rolling_P.svg");
        assert!(p.svg.contains("<polygon opacity=\"0.2\" fill=\"#0072B2\""), "no band of subscriptions");
        assert!(p.about.contains("95% interval of r allowing for the serial dependence"), "{}", p.about);
        assert!(!with.notes.iter().any(|n| n.contains("roll_sub_pearson_lo")), "{:?}", with.notes);
        // Written before the interval columns: the lines alone, and a note why.
        let without = build(&rolling_run(false)).unwrap();
        let p = plot(&without, "rolling_P.svg");
        assert!(!p.svg.contains("<polygon") && !p.about.contains("interval"), "{}", p.about);
        assert!(without.notes.iter().any(|n| n.contains("show no band")), "{:?}", without.notes);
    }

    #[test]
    fn the_scatter_takes_the_interval_of_r_from_the_summary() {
        let mut data = rolling_run(true);
        let p = plot(&build(&data).unwrap(), "scatter_P.svg").clone();
        // No summary figures: r says the windows were taken as independent.
        assert!(p.about.contains(" (windows taken as independent), ρ = "), "{}", p.about);
        assert!(p.svg.contains("(windows taken as independent)"));
        let fit = plot::side_fit(&data.metrics.products[0].rows, |r| r.sub_success);
        let mut block = crate::metrics::ProductSummary { product: "P".into(), ..Default::default() };
        block.correlation.subscription_success_vs_volume = crate::metrics::Correlation {
            pearson: fit.1,
            windows: fit.0,
            serial_dependence: Some(crate::metrics::summary::SerialDependence {
                effective_windows: 4.2,
                pearson_ci_95: Some([-0.25, 0.75]),
                ..Default::default()
            }),
            ..Default::default()
        };
        data.summary.summary.products.push(block);
        let p = plot(&build(&data).unwrap(), "scatter_P.svg").clone();
        assert!(p.svg.contains("(95% CI -0.250 to +0.750)") && p.svg.contains("effective n ≈ 4"), "no interval");
        assert!(p.about.contains("(95% CI -0.250 to +0.750), ρ = ") && p.about.contains("serial dependence"));
    }

    #[test]
    fn the_common_window_length_wins() {
        let row = |a: f64, b: f64| data::MetricsRow { t_start: a, t_end: b, ..data::MetricsRow::default() };
        assert_eq!(window_secs(&[row(0.0, 300.0), row(300.0, 600.0), row(600.0, 700.0)]), 300.0);
    }

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("tplus-report-unit-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn input_errors_are_told_apart() {
        let dir = scratch("errors");
        let e = write_report(&dir.join("nope")).unwrap_err();
        assert!(e.is_bad_input() && e.to_string().contains("no such directory"), "{e}");
        let e = write_report(&dir).unwrap_err();
        assert!(matches!(e, ReportError::NeitherRunNorSweep { .. }) && e.is_bad_input(), "{e}");
        fs::write(dir.join("manifest.json"), "{}").unwrap();
        let e = write_report(&dir).unwrap_err();
        assert!(e.is_bad_input() && e.to_string().contains("metrics.csv: missing"), "{e}");
        fs::remove_file(dir.join("manifest.json")).unwrap();
        fs::write(dir.join("metrics.csv"), b"product,\xff\n").unwrap();
        let e = write_report(&dir).unwrap_err();
        assert!(matches!(e, ReportError::NotText(..)) && e.is_bad_input(), "{e:?}");
        assert_eq!(e.to_string(), format!("{}: not UTF-8 text", dir.join("metrics.csv").display()));
        assert!(std::error::Error::source(&e).is_some());
        fs::write(dir.join("metrics.csv"), "product,window\nP,0\n").unwrap();
        let e = write_report(&dir).unwrap_err();
        assert!(matches!(e, ReportError::Garbled(_, ParseError::MissingColumns { .. })), "{e:?}");
        assert!(e.to_string().contains("lacks"), "{e}");
        fs::write(
            dir.join("metrics.csv"),
            "product,window,day,date,t_start,t_end,sub_success,sale_success,volume\nP,0,0,2026-01-05,34200,34500,1,,5\n",
        )
        .unwrap();
        let e = write_report(&dir).unwrap_err();
        assert!(e.to_string().contains("summary.json: missing"), "{e}");
        fs::write(dir.join("summary.json"), "{\"products\": 3}").unwrap();
        let e = write_report(&dir).unwrap_err();
        assert!(e.to_string().contains("`products`: invalid type: integer `3`, expected a sequence"), "{e}");
        fs::write(dir.join("summary.json"), "{}").unwrap();
        fs::write(dir.join("manifest.json"), "not json").unwrap();
        let e = write_report(&dir).unwrap_err();
        assert!(e.to_string().contains("manifest.json") && e.to_string().contains("JSON"), "{e}");
        // A run from before the added columns, without a manifest: plots and notes, no error.
        fs::remove_file(dir.join("manifest.json")).unwrap();
        let files = write_report(&dir).unwrap();
        let names: Vec<String> = files.iter().map(|p| p.file_name().unwrap().to_string_lossy().into()).collect();
        assert_eq!(names, ["success_P.svg", "volume_P.svg", "scatter_P.svg", "price_P.svg", "report.md"]);
        let md = fs::read_to_string(dir.join("report.md")).unwrap();
        assert!(md.contains("no Wilson interval columns") && md.contains("no `optimist_share` column"), "{md}");
        let _ = fs::remove_dir_all(&dir);
    }
}
