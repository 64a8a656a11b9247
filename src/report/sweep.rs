//! The report of a sweep directory (`tplus sweep … --out DIR`): plots of the
//! key results against each swept parameter, heat maps for a grid over two
//! parameters, and `report.md`, written into the sweep directory.
//!
//! The same three steps as a run's report: [`read_sweep`] reads `sweep.csv`
//! and `sweep.json` into a [`SweepData`]; [`build_sweep`] aggregates and
//! draws, from the data alone, into strings; [`write_sweep_report`] does both
//! and writes the files.
//!
//! # Key results
//!
//! Read from `sweep.csv` by header name (figures of all products together);
//! a column the file lacks leaves its series out, with a note:
//!
//! | key | columns | what it is |
//! |---|---|---|
//! | `success` | `sub_success`, `sale_success` | success probability: orders filled whole / orders closed |
//! | `fill_ratio` | `sub_fill_ratio`, `sale_fill_ratio` | lots filled / lots ordered |
//! | `volume` | `volume` | lots traded over the run |
//! | `success_vs_volume_pearson` | `sub_…`, `sale_success_vs_volume_pearson` | Pearson r of success with volume over windows |
//! | `success_vs_volume_spearman` | `sub_…`, `sale_success_vs_volume_spearman` | Spearman ρ of the same |
//!
//! # Plots
//!
//! | file | what it shows |
//! |---|---|
//! | `KEY_vs_PARAM.svg` | the key result against one parameter: at each of its values the mean over the `ok` runs with that value (pooled over the other parameters and the replications) and the 95% Student-t interval, mean ± t(0.975, n − 1)·sd/√n; single runs as faint markers |
//! | `heatmap_KEY.svg` | only for a grid over exactly two parameters: the mean over the replications of each grid point as a cell colour, subscriptions and sales side by side on one colour scale, values printed in the cells when they fit |
//!
//! A numeric parameter is drawn on a numeric axis (logarithmic when its
//! sweep domain is log-uniform or log-normal); a parameter with more than
//! [`MAX_LEVELS`] distinct numeric values (a random or Latin-hypercube
//! design) is cut into [`BINS`] bins of consecutive values, each holding as
//! many distinct values as the others (±1), and the mean is taken per bin;
//! a parameter whose values are not all numbers is drawn on a categorical
//! axis in the order of the sweep's points. Runs whose status is not `ok`
//! are left out and counted in `report.md`.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use serde_json::Value;

use super::plot::{DARK, DrawError, FONT, GREY, OKABE_BLUE, OKABE_GREEN, VERMILION, WIDTH, decimals};
use super::{Plot, Report, ReportError, Section, file_part, num, read_text, write_file};
use crate::metrics::stats;

/// A numeric parameter with more distinct values than this is binned.
pub const MAX_LEVELS: usize = 12;
/// Bins of a binned parameter.
pub const BINS: usize = 8;

/// Cells of a heat map without runs.
const NO_DATA: RGBColor = RGBColor(220, 220, 220);

// ---------------------------------------------------------------------------
// Key results
// ---------------------------------------------------------------------------

/// How a key result's numbers read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A share in [0, 1], shown as a percentage.
    Share,
    /// A count of lots.
    Count,
    /// A correlation coefficient in [−1, 1].
    Coefficient,
}

/// One key result: one plot per parameter, one heat map.
#[derive(Clone, Copy, Debug)]
pub struct Key {
    /// The file-name part.
    pub key: &'static str,
    /// Title words, capitalised.
    pub title: &'static str,
    /// The y-axis description.
    pub y_desc: &'static str,
    /// (column of `sweep.csv`, label) of each series.
    pub series: &'static [(&'static str, &'static str)],
    pub kind: Kind,
    /// What the figure is, for `report.md`.
    pub what: &'static str,
}

/// The key results, in report order.
pub const KEYS: &[Key] = &[
    Key {
        key: "success",
        title: "Success probability",
        y_desc: "success probability (orders filled whole / closed, %)",
        series: &[("sub_success", "subscriptions"), ("sale_success", "sales")],
        kind: Kind::Share,
        what: "the share of customers' buy orders (subscriptions) and sell orders (sales) closed in the run that were \
               filled whole",
    },
    Key {
        key: "fill_ratio",
        title: "Fill ratio",
        y_desc: "fill ratio (lots filled / lots ordered, %)",
        series: &[("sub_fill_ratio", "subscriptions"), ("sale_fill_ratio", "sales")],
        kind: Kind::Share,
        what: "the lots filled as a share of the lots ordered, for buy and sell orders",
    },
    Key {
        key: "volume",
        title: "Volume",
        y_desc: "volume (lots traded over the run)",
        series: &[("volume", "all products")],
        kind: Kind::Count,
        what: "the lots traded over the run, all products and platform trades included",
    },
    Key {
        key: "success_vs_volume_pearson",
        title: "Correlation of success with volume (Pearson r)",
        y_desc: "Pearson r of success with volume over windows",
        series: &[("sub_success_vs_volume_pearson", "subscriptions"), ("sale_success_vs_volume_pearson", "sales")],
        kind: Kind::Coefficient,
        what: "the Pearson correlation, over a run's windows, of each side's success probability with the volume",
    },
    Key {
        key: "success_vs_volume_spearman",
        title: "Correlation of success with volume (Spearman ρ)",
        y_desc: "Spearman ρ of success with volume over windows",
        series: &[("sub_success_vs_volume_spearman", "subscriptions"), ("sale_success_vs_volume_spearman", "sales")],
        kind: Kind::Coefficient,
        what: "the Spearman rank correlation, over a run's windows, of each side's success probability with the \
               volume",
    },
];

fn series_color(label: &str) -> RGBColor {
    match label {
        "subscriptions" => OKABE_BLUE,
        "sales" => VERMILION,
        _ => OKABE_GREEN,
    }
}

/// A value of a key result as text: `44.4%`, `3.07%`, `74,677`, `+0.72`.
pub fn value_text(kind: Kind, v: f64) -> String {
    if !v.is_finite() {
        return "n/a".into();
    }
    match kind {
        Kind::Share if v.abs() >= 0.1 => format!("{:.1}%", v * 100.0),
        Kind::Share => format!("{:.2}%", v * 100.0),
        Kind::Count if v.abs() >= 100.0 => num::count(v),
        Kind::Count => short(v),
        Kind::Coefficient => format!("{v:+.2}"),
    }
}

/// A number with about four significant digits, trailing zeros dropped.
fn short(v: f64) -> String {
    if !v.is_finite() {
        return "n/a".into();
    }
    if v == 0.0 {
        return "0".into();
    }
    let mag = v.abs().log10().floor() as i64;
    if !(-4..7).contains(&mag) {
        return format!("{v:.3e}");
    }
    let d = (3 - mag).clamp(0, 10) as usize;
    let s = format!("{v:.d$}");
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
}

// ---------------------------------------------------------------------------
// Statistics
// ---------------------------------------------------------------------------

/// The quantile t with P(T ≤ t) = p of Student's t with `df` degrees of
/// freedom, by bisection on [`stats::student_t_cdf`] (to about 1e-12).
/// `None` for p outside (0, 1) or df ≤ 0.
pub fn t_quantile(p: f64, df: f64) -> Option<f64> {
    let valid = p > 0.0 && p < 1.0 && df > 0.0 && df.is_finite();
    if !valid {
        return None;
    }
    if p < 0.5 {
        return t_quantile(1.0 - p, df).map(|t| -t);
    }
    let (mut lo, mut hi) = (0.0_f64, 1.0_f64);
    while stats::student_t_cdf(hi, df)? < p {
        lo = hi;
        hi *= 2.0;
        if hi > 1e12 {
            return None;
        }
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if stats::student_t_cdf(mid, df)? < p {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo <= 1e-12 * hi.max(1.0) {
            break;
        }
    }
    Some(0.5 * (lo + hi))
}

/// The mean of some runs' values with its 95% Student-t interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Interval {
    pub n: usize,
    pub mean: f64,
    /// Sample standard deviation (divisor n − 1); `None` for one value.
    pub sd: Option<f64>,
    /// mean ± t(0.975, n − 1)·sd/√n; `None` for one value.
    pub ci: Option<(f64, f64)>,
}

/// The mean and 95% t interval of `values` (non-finite ones left out);
/// `None` when there is none.
pub fn mean_interval(values: &[f64]) -> Option<Interval> {
    let v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    let n = v.len();
    if n == 0 {
        return None;
    }
    let mean = v.iter().sum::<f64>() / n as f64;
    if n == 1 {
        return Some(Interval { n, mean, sd: None, ci: None });
    }
    let sd = (v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1) as f64).sqrt();
    let ci = t_quantile(0.975, (n - 1) as f64).map(|t| {
        let half = t * sd / (n as f64).sqrt();
        (mean - half, mean + half)
    });
    Some(Interval { n, mean, sd: Some(sd), ci })
}

// ---------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------

/// A swept parameter, as `sweep.json` defines it.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamInfo {
    /// The scenario path, which is also its column in `sweep.csv`.
    pub path: String,
    /// Its domain is log-uniform or log-normal: drawn on a log axis.
    pub log: bool,
}

/// One row of `sweep.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepRow {
    pub point: usize,
    pub replication: u64,
    /// `status` is `ok`.
    pub ok: bool,
    /// The parameter cells, in [`SweepData::params`] order.
    pub values: Vec<String>,
    /// The key-result cells, in [`SweepData::present`] order; `None` is empty.
    pub results: Vec<Option<f64>>,
}

/// What a sweep directory holds, as read.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepData {
    pub name: Option<String>,
    pub scenario: Option<String>,
    pub seed: Option<u64>,
    /// `grid`, `random` or `latin_hypercube`.
    pub design: Option<String>,
    pub replications: Option<u64>,
    /// Runs the definition has (all shards).
    pub planned_runs: Option<u64>,
    pub params: Vec<ParamInfo>,
    /// The key-result columns that `sweep.csv` has, in [`KEYS`] order.
    pub present: Vec<&'static str>,
    /// Sorted by (point, replication).
    pub rows: Vec<SweepRow>,
    /// A last line cut short (no line break, wrong field count) was left out.
    pub cut_line: bool,
}

impl SweepData {
    /// The index in `present` of a column.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.present.iter().position(|c| *c == name)
    }
}

/// Whether a directory is a sweep's: it holds `sweep.csv` or `sweep.json`.
pub fn is_sweep_dir(dir: &Path) -> bool {
    dir.is_dir() && (dir.join("sweep.csv").exists() || dir.join("sweep.json").exists())
}

/// An optional member: absent or `null` is `None`, another type an error.
fn opt<'a, T>(
    obj: &'a Value,
    key: &str,
    what: &str,
    get: impl Fn(&'a Value) -> Option<T>,
) -> Result<Option<T>, String> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => get(v).map(Some).ok_or_else(|| format!("`{what}.{key}` is not {}", expected(key))),
    }
}

fn expected(key: &str) -> &'static str {
    match key {
        "seed" | "replications" | "runs" => "a whole number",
        _ => "a string",
    }
}

/// The parts of `sweep.json` the report uses.
struct Definition {
    name: Option<String>,
    scenario: Option<String>,
    seed: Option<u64>,
    design: Option<String>,
    replications: Option<u64>,
    runs: Option<u64>,
    params: Vec<ParamInfo>,
}

fn parse_definition(text: &str) -> Result<Definition, String> {
    let doc: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let def = doc.get("definition").filter(|d| d.is_object()).ok_or("has no `definition` object: not a sweep's")?;
    let sweep = def.get("sweep").filter(|s| s.is_object()).ok_or("has no `definition.sweep` object")?;
    let w = "definition.sweep";
    let params = sweep.get("params").and_then(Value::as_array).ok_or("`definition.sweep.params` is not a list")?;
    let params = params
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let path = p
                .get("path")
                .and_then(Value::as_str)
                .ok_or_else(|| format!("`definition.sweep.params[{i}].path` is missing or not a string"))?;
            let log = p
                .get("domain")
                .and_then(Value::as_object)
                .is_some_and(|d| d.contains_key("loguniform") || d.contains_key("lognormal"));
            Ok(ParamInfo { path: path.to_string(), log })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let string = |v: &Value| v.as_str().map(str::to_string);
    Ok(Definition {
        name: opt(sweep, "name", w, string)?,
        scenario: opt(sweep, "scenario", w, string)?,
        seed: opt(sweep, "seed", w, Value::as_u64)?,
        design: opt(sweep, "design", w, string)?,
        replications: opt(sweep, "replications", w, Value::as_u64)?,
        runs: opt(def, "runs", "definition", Value::as_u64)?,
        params,
    })
}

/// Parses `sweep.csv` for the parameters of `def`. Errors name the line.
fn parse_csv(text: &str, params: &[ParamInfo]) -> Result<(Vec<&'static str>, Vec<SweepRow>, bool), String> {
    let mut lines = text.split_inclusive('\n').enumerate().filter(|(_, l)| !l.trim().is_empty());
    let Some((_, header)) = lines.next() else {
        return Err("is empty".into());
    };
    let header = crate::sweep::csv::split(header.trim_end_matches(['\n', '\r']));
    let find = |name: &str| header.iter().position(|c| c == name);
    let need = |name: &str| find(name).ok_or_else(|| format!("lacks the column `{name}`"));
    let (i_point, i_rep, i_status) = (need("point")?, need("replication")?, need("status")?);
    let i_params = params
        .iter()
        .map(|p| find(&p.path).ok_or_else(|| format!("lacks the column `{}` of a parameter in sweep.json", p.path)))
        .collect::<Result<Vec<_>, String>>()?;
    let mut present = Vec::new();
    let mut i_results = Vec::new();
    for (col, _) in KEYS.iter().flat_map(|k| k.series) {
        if let Some(i) = find(col) {
            present.push(*col);
            i_results.push(i);
        }
    }
    let mut rows = Vec::new();
    let mut cut = false;
    for (i, raw) in lines {
        let line_no = i + 1;
        let complete = raw.ends_with('\n');
        let fields = crate::sweep::csv::split(raw.trim_end_matches(['\n', '\r']));
        if fields.len() != header.len() {
            if !complete {
                cut = true;
                continue;
            }
            return Err(format!("line {line_no}: {} fields, the header has {}", fields.len(), header.len()));
        }
        let bad = |col: &str, what: &str, cell: &str| format!("line {line_no}: `{col}` is `{cell}`, not {what}");
        let point = fields[i_point].trim().parse().map_err(|_| bad("point", "a whole number", &fields[i_point]))?;
        let replication =
            fields[i_rep].trim().parse().map_err(|_| bad("replication", "a whole number", &fields[i_rep]))?;
        let ok = match fields[i_status].trim() {
            "ok" => true,
            "failed" => false,
            s => return Err(bad("status", "`ok` or `failed`", s)),
        };
        let values = i_params.iter().map(|&c| fields[c].clone()).collect();
        let results = i_results
            .iter()
            .zip(&present)
            .map(|(&c, name)| {
                let cell = fields[c].trim();
                if cell.is_empty() {
                    return Ok(None);
                }
                match cell.parse::<f64>() {
                    Ok(v) if v.is_finite() => Ok(Some(v)),
                    _ if !ok => Ok(None),
                    _ => Err(bad(name, "a number", cell)),
                }
            })
            .collect::<Result<Vec<_>, String>>()?;
        rows.push(SweepRow { point, replication, ok, values, results });
    }
    rows.sort_by_key(|r| (r.point, r.replication));
    Ok((present, rows, cut))
}

/// Reads `sweep.json` and `sweep.csv` (both needed) from a sweep directory.
pub fn read_sweep(dir: &Path) -> Result<SweepData, ReportError> {
    if !dir.exists() {
        return Err(ReportError::NoRunDir { dir: dir.to_path_buf(), why: "no such directory" });
    }
    if !dir.is_dir() {
        return Err(ReportError::NoRunDir { dir: dir.to_path_buf(), why: "not a directory" });
    }
    let need = |name: &str| -> Result<(PathBuf, String), ReportError> {
        let path = dir.join(name);
        match read_text(&path)? {
            Some(text) => Ok((path, text)),
            None => Err(ReportError::MissingFile(path)),
        }
    };
    let (json_path, json) = need("sweep.json")?;
    let (csv_path, csv) = need("sweep.csv")?;
    let def = parse_definition(&json).map_err(|m| ReportError::Garbled(json_path, m))?;
    let table = parse_csv(&csv, &def.params).map_err(|m| ReportError::Garbled(csv_path, m))?;
    Ok(SweepData::new(def, table))
}

impl SweepData {
    fn new(def: Definition, (present, rows, cut_line): (Vec<&'static str>, Vec<SweepRow>, bool)) -> SweepData {
        SweepData {
            name: def.name,
            scenario: def.scenario,
            seed: def.seed,
            design: def.design,
            replications: def.replications,
            planned_runs: def.runs,
            params: def.params,
            present,
            rows,
            cut_line,
        }
    }
}

// ---------------------------------------------------------------------------
// Aggregation
// ---------------------------------------------------------------------------

/// How a parameter's values are laid along the x axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scale {
    /// Positions 0, 1, … in the order of the sweep's points.
    Categorical,
    Linear,
    /// x = log10(value).
    Log10,
}

/// The runs of one series in one group.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Cell {
    /// (x on the axis, value) of each `ok` run with a value.
    pub runs: Vec<(f64, f64)>,
    pub stat: Option<Interval>,
}

/// The runs at one value (or bin) of a parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    /// The value as in `sweep.csv`, or `lo–hi` for a bin.
    pub label: String,
    /// Position on the axis.
    pub x: f64,
    /// One per series asked for.
    pub cells: Vec<Cell>,
}

/// A key result against one parameter, the other parameters pooled.
#[derive(Clone, Debug, PartialEq)]
pub struct Marginal {
    pub scale: Scale,
    pub binned: bool,
    /// In axis order.
    pub groups: Vec<Group>,
}

/// The distinct values of parameter `p` in the order of the rows (by point).
fn distinct(data: &SweepData, p: usize) -> Vec<String> {
    let mut seen: HashSet<&str> = HashSet::new();
    data.rows.iter().filter(|r| seen.insert(r.values[p].as_str())).map(|r| r.values[p].clone()).collect()
}

/// Each text's index in `texts`.
fn index_of(texts: &[String]) -> HashMap<&str, usize> {
    texts.iter().enumerate().map(|(i, t)| (t.as_str(), i)).collect()
}

fn number(s: &str) -> Option<f64> {
    s.trim().parse::<f64>().ok().filter(|v| v.is_finite())
}

/// The distinct values of a parameter, numerically sorted when all are
/// numbers (with the numbers), else in the order of the points.
fn levels(data: &SweepData, p: usize) -> (Vec<String>, Option<Vec<f64>>) {
    let texts = distinct(data, p);
    let nums: Option<Vec<f64>> = texts.iter().map(|t| number(t)).collect();
    match nums {
        Some(nums) => {
            let mut pairs: Vec<(f64, String)> = nums.into_iter().zip(texts).collect();
            pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
            let (nums, texts): (Vec<f64>, Vec<String>) = pairs.into_iter().unzip();
            (texts, Some(nums))
        }
        None => (texts, None),
    }
}

/// Groups the `ok` runs by the value (or bin) of parameter `p` and takes
/// each series' mean and 95% t interval; `cols` are indices into
/// [`SweepData::present`]. A run counts in a series when its cell is defined.
pub fn marginal(data: &SweepData, p: usize, cols: &[usize]) -> Marginal {
    let (texts, nums) = levels(data, p);
    let log = data.params[p].log && nums.as_ref().is_some_and(|n| n.iter().all(|&v| v > 0.0));
    let scale = match (&nums, log) {
        (None, _) => Scale::Categorical,
        (Some(_), true) => Scale::Log10,
        (Some(_), false) => Scale::Linear,
    };
    let tx = |v: f64| if log { v.log10() } else { v };
    let binned = nums.is_some() && texts.len() > MAX_LEVELS;
    // For each distinct value: its group.
    let (group_of, mut groups): (Vec<usize>, Vec<Group>) = match &nums {
        Some(nums) if binned => {
            let n = texts.len();
            let mut group_of = vec![0; n];
            let mut groups = Vec::new();
            for b in 0..BINS {
                let (a, z) = (b * n / BINS, (b + 1) * n / BINS);
                if a == z {
                    continue;
                }
                group_of[a..z].fill(groups.len());
                let x = nums[a..z].iter().map(|&v| tx(v)).sum::<f64>() / (z - a) as f64;
                let label =
                    if z - a == 1 { short(nums[a]) } else { format!("{}–{}", short(nums[a]), short(nums[z - 1])) };
                groups.push(Group { label, x, cells: vec![Cell::default(); cols.len()] });
            }
            (group_of, groups)
        }
        _ => (
            (0..texts.len()).collect(),
            texts
                .iter()
                .enumerate()
                .map(|(i, t)| Group {
                    label: t.clone(),
                    x: nums.as_ref().map_or(i as f64, |n| tx(n[i])),
                    cells: vec![Cell::default(); cols.len()],
                })
                .collect(),
        ),
    };
    let index = index_of(&texts);
    for r in data.rows.iter().filter(|r| r.ok) {
        let Some(&i) = index.get(r.values[p].as_str()) else { continue };
        let g = &mut groups[group_of[i]];
        let x = if binned { nums.as_ref().map_or(g.x, |n| tx(n[i])) } else { g.x };
        for (s, &c) in cols.iter().enumerate() {
            if let Some(y) = r.results[c] {
                g.cells[s].runs.push((x, y));
            }
        }
    }
    for g in &mut groups {
        for c in &mut g.cells {
            let ys: Vec<f64> = c.runs.iter().map(|r| r.1).collect();
            c.stat = mean_interval(&ys);
        }
    }
    Marginal { scale, binned, groups }
}

/// The mean over the replications of each point of a grid over the first
/// two parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Heat {
    /// Values of the first parameter (x), of the second (y).
    pub x_levels: Vec<String>,
    pub y_levels: Vec<String>,
    /// `[series][ix * y_levels.len() + iy]`.
    pub panels: Vec<Vec<Option<Interval>>>,
}

impl Heat {
    pub fn cell(&self, series: usize, ix: usize, iy: usize) -> Option<Interval> {
        self.panels[series][ix * self.y_levels.len() + iy]
    }
}

/// [`Heat`] of the series `cols` (indices into [`SweepData::present`]).
pub fn heat(data: &SweepData, cols: &[usize]) -> Heat {
    let (x_levels, _) = levels(data, 0);
    let (y_levels, _) = levels(data, 1);
    let ny = y_levels.len();
    let mut values = vec![vec![Vec::new(); x_levels.len() * ny]; cols.len()];
    let (x_index, y_index) = (index_of(&x_levels), index_of(&y_levels));
    for r in data.rows.iter().filter(|r| r.ok) {
        let (Some(&ix), Some(&iy)) = (x_index.get(r.values[0].as_str()), y_index.get(r.values[1].as_str())) else {
            continue;
        };
        for (s, &c) in cols.iter().enumerate() {
            if let Some(v) = r.results[c] {
                values[s][ix * ny + iy].push(v);
            }
        }
    }
    let panels = values.iter().map(|p| p.iter().map(|v| mean_interval(v)).collect()).collect();
    Heat { x_levels, y_levels, panels }
}

/// Each point's mean of one column: (point, its parameter values, mean).
fn point_means(data: &SweepData, col: usize) -> Vec<(usize, Vec<String>, f64)> {
    let mut out = Vec::new();
    for chunk in data.rows.chunk_by(|a, b| a.point == b.point) {
        let v: Vec<f64> = chunk.iter().filter(|r| r.ok).filter_map(|r| r.results[col]).collect();
        if let Some(s) = mean_interval(&v) {
            out.push((chunk[0].point, chunk[0].values.clone(), s.mean));
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Drawing
// ---------------------------------------------------------------------------

type Area<'b> = DrawingArea<SVGBackend<'b>, Shift>;
type Chart<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<TickRange, RangedCoordf64>>;

/// A linear coordinate with the given ticks, or plotters' own.
struct TickRange {
    inner: RangedCoordf64,
    ticks: Option<Vec<f64>>,
}

impl TickRange {
    fn new(r: Range<f64>, ticks: Option<Vec<f64>>) -> TickRange {
        TickRange { inner: r.into(), ticks }
    }
}

impl Ranged for TickRange {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.inner.map(value, limit)
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        match &self.ticks {
            Some(t) if hint.weight().allow_light_points() => Vec::new(),
            Some(t) => t.clone(),
            None => self.inner.key_points(hint),
        }
    }

    fn range(&self) -> Range<f64> {
        self.inner.range()
    }
}

/// The mark of a legend line.
#[derive(Clone, Copy, Debug)]
enum Mark {
    /// A mean with its interval bar.
    Mean(RGBColor, bool),
    /// One run (faint).
    Run(RGBColor, bool),
}

/// A marker: a circle, or a triangle when `tri`.
fn marker<'a, DB: DrawingBackend, C: Clone + 'static>(
    p: C,
    size: i32,
    style: ShapeStyle,
    tri: bool,
) -> DynElement<'a, DB, C> {
    if tri { TriangleMarker::new(p, size + 1, style).into_dyn() } else { Circle::new(p, size, style).into_dyn() }
}

/// Splits text into lines of at most about `width` characters.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            out.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        out.push(line);
    }
    out
}

/// A label shortened to `n` characters.
fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n { s.to_string() } else { format!("{}…", s.chars().take(n - 1).collect::<String>()) }
}

/// Draws into an SVG string: the title at the top, then `body`, the legend
/// and the caption at the bottom.
fn render(
    height: u32,
    title: &str,
    legend: &[(Mark, String)],
    caption: &str,
    body: impl FnOnce(&Area<'_>) -> Result<(), DrawError>,
) -> Result<String, DrawError> {
    let caption = wrap(caption, 150);
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE)?;
        // A long title (long parameter paths) gets a smaller font, to fit the width.
        let size = (1900 / title.chars().count().max(1) as u32).clamp(14, 24);
        let inner = root.titled(title, (FONT, size).into_font().color(&DARK))?;
        let per_row = if legend.iter().any(|e| e.1.chars().count() > 55) { 1 } else { 2 };
        let rows = legend.len().div_ceil(per_row) as i32;
        let (w, h) = inner.dim_in_pixel();
        let foot = (rows * 22 + 10 + caption.len() as i32 * 18 + 8) as u32;
        let (chart, key) = inner.split_vertically(h - foot.min(h / 2));
        body(&chart)?;
        let col_w = (w as i32 - 100) / per_row as i32;
        let font = (FONT, 15).into_font().color(&DARK).pos(Pos::new(HPos::Left, VPos::Center));
        for (i, (mark, label)) in legend.iter().enumerate() {
            let x = 80 + (i % per_row) as i32 * col_w;
            let y = 12 + (i / per_row) as i32 * 22;
            match *mark {
                Mark::Mean(c, tri) => {
                    key.draw(&PathElement::new(vec![(x + 15, y - 9), (x + 15, y + 9)], c.stroke_width(2)))?;
                    key.draw(&PathElement::new(vec![(x, y), (x + 30, y)], c.mix(0.5).stroke_width(1)))?;
                    key.draw(&marker((x + 15, y), 5, c.filled(), tri))?;
                }
                Mark::Run(c, tri) => key.draw(&marker((x + 15, y), 3, c.mix(0.45).filled(), tri))?,
            }
            key.draw(&Text::new(label.clone(), (x + 40, y), font.clone()))?;
        }
        let small = (FONT, 13).into_font().color(&DARK).pos(Pos::new(HPos::Left, VPos::Center));
        for (i, line) in caption.iter().enumerate() {
            key.draw(&Text::new(line.clone(), (40, rows * 22 + 14 + i as i32 * 18), small.clone()))?;
        }
        root.present()?;
    }
    Ok(buf)
}

/// Ticks of a log10 axis over `lo..hi` (in log10 units): at 1, 2 and 5 times
/// the powers of ten, or every whole multiple when those are too few.
fn log_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let (a, b) = (lo.floor() as i32, hi.ceil() as i32);
    let at = |ms: &[f64]| -> Vec<f64> {
        (a..=b)
            .flat_map(|k| ms.iter().map(move |m| (m * 10f64.powi(k)).log10()))
            .filter(|x| *x >= lo && *x <= hi)
            .collect()
    };
    let ticks = at(&[1.0, 2.0, 5.0]);
    if ticks.len() >= 3 { ticks } else { at(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]) }
}

/// A range around `lo..hi` with a margin, never empty.
fn padded(lo: f64, hi: f64, min_half_width: f64) -> Range<f64> {
    let span = hi - lo;
    if span <= 0.0 {
        let half = (lo.abs() * 0.05).max(min_half_width);
        return (lo - half)..(hi + half);
    }
    (lo - span * 0.08)..(hi + span * 0.08)
}

/// The y-axis tick label of a kind over a span.
fn y_label(kind: Kind, span: f64) -> impl Fn(&f64) -> String {
    move |y: &f64| match kind {
        Kind::Share => {
            let d = decimals(span * 100.0).saturating_sub(1);
            format!("{:.d$}%", y * 100.0)
        }
        Kind::Count if span >= 10.0 => num::count(y.round()),
        Kind::Count => format!("{y:.*}", decimals(span)),
        Kind::Coefficient => format!("{y:+.*}", decimals(span).max(1)),
    }
}

/// What the plot of a key result against a parameter draws.
pub struct LineInput<'a> {
    pub title: &'a str,
    pub x_desc: &'a str,
    pub key: &'a Key,
    /// Labels of the series in `marginal`'s cells.
    pub labels: &'a [&'a str],
    pub marginal: &'a Marginal,
    pub caption: &'a str,
}

/// A key result against a parameter: means with 95% t intervals, single runs faint.
pub fn line_plot(p: &LineInput<'_>) -> Result<String, DrawError> {
    let m = p.marginal;
    let groups = &m.groups;
    let per = if m.binned { "per bin" } else { "at each value" };
    let mut legend = Vec::new();
    for (s, label) in p.labels.iter().enumerate() {
        let c = series_color(label);
        let tri = s == 1;
        legend.push((Mark::Mean(c, tri), format!("{label}: mean {per}, 95% t interval")));
        legend.push((Mark::Run(c, tri), format!("{label}: one run")));
    }
    // x extent and the series' offsets.
    let xs: Vec<f64> = groups
        .iter()
        .map(|g| g.x)
        .chain(groups.iter().flat_map(|g| g.cells.iter().flat_map(|c| c.runs.iter().map(|r| r.0))))
        .collect();
    let (x_lo, x_hi) = xs.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| (a.min(x), b.max(x)));
    let (x_lo, x_hi) = if x_lo.is_finite() { (x_lo, x_hi) } else { (0.0, 1.0) };
    let x_range = match m.scale {
        Scale::Categorical => -0.5..(groups.len().max(1) as f64 - 0.5),
        _ => padded(x_lo, x_hi, 0.5_f64.max(x_lo.abs() * 0.1)),
    };
    let span = x_range.end - x_range.start;
    let n_series = p.labels.len();
    let dx = |s: usize| if n_series < 2 { 0.0 } else { (s as f64 - (n_series - 1) as f64 / 2.0) * span * 0.012 };
    let ys = groups.iter().flat_map(|g| {
        g.cells.iter().flat_map(|c| {
            c.runs.iter().map(|r| r.1).chain(
                c.stat.iter().flat_map(|s| [Some(s.mean), s.ci.map(|c| c.0), s.ci.map(|c| c.1)].into_iter().flatten()),
            )
        })
    });
    let (y_lo, y_hi) = ys.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), y| (a.min(y), b.max(y)));
    let (y_lo, y_hi) = if y_lo.is_finite() { (y_lo, y_hi) } else { (0.0, 1.0) };
    let y_range = padded(y_lo, y_hi, if p.key.kind == Kind::Count { 1.0 } else { 0.005 });
    let y_fmt = y_label(p.key.kind, y_range.end - y_range.start);
    let ticks = match m.scale {
        _ if !m.binned => Some(groups.iter().map(|g| g.x).collect::<Vec<f64>>()),
        Scale::Log10 => Some(log_ticks(x_range.start, x_range.end)),
        _ => None,
    };
    let labels: Vec<(f64, String)> = groups.iter().map(|g| (g.x, clip(&g.label, 14))).collect();
    let (scale, binned) = (m.scale, m.binned);
    let x_fmt = move |x: &f64| -> String {
        let level = labels.iter().find(|(gx, _)| (gx - x).abs() <= 1e-9 * gx.abs().max(1.0));
        match (level, scale) {
            (Some((_, l)), _) if !binned => l.clone(),
            (_, Scale::Log10) => short(10f64.powf(*x)),
            _ => short(*x),
        }
    };
    render(600, p.title, &legend, p.caption, |area| {
        let mut chart = ChartBuilder::on(area)
            .margin(10)
            .margin_right(30)
            .x_label_area_size(50)
            .y_label_area_size(80)
            .build_cartesian_2d(TickRange::new(x_range.clone(), ticks), y_range.clone())?;
        chart
            .configure_mesh()
            .x_desc(p.x_desc)
            .y_desc(p.key.y_desc)
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&y_fmt)
            .y_labels(8)
            .x_labels(10)
            .label_style((FONT, 13).into_font().color(&DARK))
            .axis_desc_style((FONT, 15).into_font().color(&DARK))
            .bold_line_style(GREY.mix(0.25))
            .light_line_style(GREY.mix(0.08))
            .draw()?;
        if p.key.kind == Kind::Coefficient && y_range.start < 0.0 && y_range.end > 0.0 {
            let zero = PathElement::new(vec![(x_range.start, 0.0), (x_range.end, 0.0)], DARK.mix(0.5));
            chart.draw_series(std::iter::once(zero))?;
        }
        for s in 0..n_series {
            draw_series(
                &mut chart,
                groups,
                s,
                dx(s),
                span,
                series_color(p.labels[s]),
                s == 1,
                scale != Scale::Categorical,
            )?;
        }
        Ok(())
    })
}

/// One series: faint runs, the line through the means (numeric axes), the
/// interval bars and the means.
#[allow(clippy::too_many_arguments)]
fn draw_series(
    chart: &mut Chart<'_, '_>,
    groups: &[Group],
    s: usize,
    dx: f64,
    span: f64,
    color: RGBColor,
    tri: bool,
    join: bool,
) -> Result<(), DrawError> {
    let runs = groups.iter().flat_map(|g| g.cells[s].runs.iter().map(|&(x, y)| (x + dx, y)));
    chart.draw_series(runs.map(|p| marker(p, 3, color.mix(0.45).filled(), tri)))?;
    let means: Vec<(f64, Interval)> = groups.iter().filter_map(|g| g.cells[s].stat.map(|st| (g.x + dx, st))).collect();
    if join && means.len() > 1 {
        let line: Vec<(f64, f64)> = means.iter().map(|(x, st)| (*x, st.mean)).collect();
        chart.draw_series(std::iter::once(PathElement::new(line, color.mix(0.6).stroke_width(2))))?;
    }
    let cap = span * 0.008;
    for (x, st) in &means {
        if let Some((lo, hi)) = st.ci {
            let style = color.stroke_width(2);
            chart.draw_series([
                PathElement::new(vec![(*x, lo), (*x, hi)], style),
                PathElement::new(vec![(x - cap, lo), (x + cap, lo)], style),
                PathElement::new(vec![(x - cap, hi), (x + cap, hi)], style),
            ])?;
        }
    }
    chart.draw_series(means.iter().map(|(x, st)| marker((*x, st.mean), 5, color.filled(), tri)))?;
    Ok(())
}

/// The viridis colour map (matplotlib's, sampled at nine points) at t in [0, 1].
fn viridis(t: f64) -> RGBColor {
    const STOPS: [(u8, u8, u8); 9] = [
        (68, 1, 84),
        (71, 44, 122),
        (59, 81, 139),
        (44, 113, 142),
        (33, 144, 141),
        (39, 173, 129),
        (92, 200, 99),
        (170, 220, 50),
        (253, 231, 37),
    ];
    ramp(&STOPS, t)
}

/// A blue–white–red diverging map (ColorBrewer RdBu) at t in [0, 1], white at ½.
fn diverging(t: f64) -> RGBColor {
    const STOPS: [(u8, u8, u8); 5] = [(33, 102, 172), (103, 169, 207), (247, 247, 247), (239, 138, 98), (178, 24, 43)];
    ramp(&STOPS, t)
}

fn ramp(stops: &[(u8, u8, u8)], t: f64) -> RGBColor {
    let t = if t.is_finite() { t.clamp(0.0, 1.0) } else { 0.5 };
    let pos = t * (stops.len() - 1) as f64;
    let i = (pos.floor() as usize).min(stops.len() - 2);
    let f = pos - i as f64;
    let mix = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * f).round() as u8;
    let (a, b) = (stops[i], stops[i + 1]);
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Dark text on a light colour, white on a dark one.
fn text_on(c: RGBColor) -> RGBColor {
    let lum = 0.2126 * c.0 as f64 + 0.7152 * c.1 as f64 + 0.0722 * c.2 as f64;
    if lum > 140.0 { DARK } else { WHITE }
}

/// The colour scale of a heat map: (lo, hi) of its values; symmetric about 0
/// for correlations.
fn color_range(kind: Kind, heat: &Heat) -> (f64, f64) {
    let vals = heat.panels.iter().flatten().flatten().map(|s| s.mean);
    let (lo, hi) = vals.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    match kind {
        Kind::Coefficient => {
            let m = lo.abs().max(hi.abs()).max(1e-3);
            (-m, m)
        }
        _ if hi > lo => (lo, hi),
        _ => {
            let half = (lo.abs() * 0.05).max(1e-3);
            (lo - half, hi + half)
        }
    }
}

/// What a heat map draws.
pub struct HeatInput<'a> {
    pub title: &'a str,
    pub x_desc: &'a str,
    pub y_desc: &'a str,
    pub key: &'a Key,
    /// Labels of the panels (the series of `heat`).
    pub labels: &'a [&'a str],
    pub heat: &'a Heat,
    pub caption: &'a str,
}

/// Whether the values fit in the cells of a heat map with `panels` panels.
pub fn values_fit(panels: usize, nx: usize, ny: usize, height: u32) -> bool {
    let panel_w = (WIDTH as f64 - 130.0) / panels.max(1) as f64 - 110.0;
    let panel_h = height as f64 - 200.0;
    panel_w / nx.max(1) as f64 >= 38.0 && panel_h / ny.max(1) as f64 >= 18.0
}

fn heat_height(ny: usize) -> u32 {
    (560 + ny.saturating_sub(8) as u32 * 24).min(1000)
}

/// A heat map of a key result over a two-parameter grid: one panel per
/// series on one colour scale, with its colour bar.
pub fn heat_map(p: &HeatInput<'_>) -> Result<String, DrawError> {
    let h = p.heat;
    let (nx, ny) = (h.x_levels.len(), h.y_levels.len());
    let kind = p.key.kind;
    let (lo, hi) = color_range(kind, h);
    let color = move |v: f64| {
        let t = (v - lo) / (hi - lo);
        if kind == Kind::Coefficient { diverging(t) } else { viridis(t) }
    };
    let height = heat_height(ny);
    let show = values_fit(p.labels.len(), nx, ny, height);
    let x_labels: Vec<String> = h.x_levels.iter().map(|l| clip(l, 12)).collect();
    let y_labels: Vec<String> = h.y_levels.iter().map(|l| clip(l, 12)).collect();
    let at = |labels: &[String], v: f64| {
        let i = (v - 0.5).round();
        if i >= 0.0 && (i as usize) < labels.len() && (v - 0.5 - i).abs() < 1e-9 {
            labels[i as usize].clone()
        } else {
            String::new()
        }
    };
    render(height, p.title, &[], p.caption, |area| {
        let (w, _) = area.dim_in_pixel();
        let (panels_area, bar_area) = area.split_horizontally(w - 130);
        let panels = panels_area.split_evenly((1, p.labels.len().max(1)));
        let mut plot_rows = (0, 0);
        for (s, pa) in panels.iter().enumerate().take(p.labels.len()) {
            let centres = |n: usize| Some((0..n).map(|i| i as f64 + 0.5).collect::<Vec<f64>>());
            let mut chart = ChartBuilder::on(pa)
                .caption(p.labels[s], (FONT, 17).into_font().color(&DARK))
                .margin(10)
                .x_label_area_size(50)
                .y_label_area_size(90)
                .build_cartesian_2d(
                    TickRange::new(0.0..nx.max(1) as f64, centres(nx)),
                    TickRange::new(0.0..ny.max(1) as f64, centres(ny)),
                )?;
            chart
                .configure_mesh()
                .disable_x_mesh()
                .disable_y_mesh()
                .x_desc(p.x_desc)
                .y_desc(p.y_desc)
                .x_label_formatter(&|x| at(&x_labels, *x))
                .y_label_formatter(&|y| at(&y_labels, *y))
                .label_style((FONT, 13).into_font().color(&DARK))
                .axis_desc_style((FONT, 15).into_font().color(&DARK))
                .draw()?;
            let (pw, ph) = chart.plotting_area().dim_in_pixel();
            let top = chart.plotting_area().get_base_pixel().1;
            plot_rows = (top, top + ph as i32);
            let size = match pw as f64 / nx.max(1) as f64 {
                w if w >= 70.0 => 15,
                w if w >= 46.0 => 13,
                _ => 11,
            };
            for ix in 0..nx {
                for iy in 0..ny {
                    let (x0, y0) = (ix as f64, iy as f64);
                    let cell = h.cell(s, ix, iy);
                    let fill = cell.map_or(NO_DATA, |c| color(c.mean));
                    chart.draw_series([
                        Rectangle::new([(x0, y0), (x0 + 1.0, y0 + 1.0)], fill.filled()),
                        Rectangle::new([(x0, y0), (x0 + 1.0, y0 + 1.0)], WHITE.stroke_width(1)),
                    ])?;
                    if show {
                        let text = cell.map_or("no run".to_string(), |c| value_text(kind, c.mean));
                        let font =
                            (FONT, size).into_font().color(&text_on(fill)).pos(Pos::new(HPos::Center, VPos::Center));
                        chart.draw_series(std::iter::once(Text::new(text, (x0 + 0.5, y0 + 0.5), font)))?;
                    }
                }
            }
        }
        // The colour bar, level with the panels' plotting areas.
        let base = bar_area.get_base_pixel();
        let (top, bottom) = (plot_rows.0 - base.1, plot_rows.1 - base.1);
        let (top, bottom) = if bottom - top > 20 { (top, bottom) } else { (40, 300) };
        let steps = 96;
        for i in 0..steps {
            let t0 = i as f64 / steps as f64;
            let y1 = bottom - ((bottom - top) as f64 * t0) as i32;
            let y0 = bottom - ((bottom - top) as f64 * (i + 1) as f64 / steps as f64) as i32;
            bar_area.draw(&Rectangle::new(
                [(14, y0), (38, y1)],
                color(lo + (hi - lo) * (t0 + 0.5 / steps as f64)).filled(),
            ))?;
        }
        bar_area.draw(&Rectangle::new([(14, top), (38, bottom)], DARK.stroke_width(1)))?;
        let font = (FONT, 13).into_font().color(&DARK).pos(Pos::new(HPos::Left, VPos::Center));
        for k in 0..=4 {
            let v = lo + (hi - lo) * k as f64 / 4.0;
            let y = bottom - ((bottom - top) as f64 * k as f64 / 4.0) as i32;
            bar_area.draw(&PathElement::new(vec![(38, y), (43, y)], DARK.stroke_width(1)))?;
            bar_area.draw(&Text::new(colorbar_label(kind, v, hi - lo), (46, y), font.clone()))?;
        }
        let head = (FONT, 13).into_font().color(&DARK).pos(Pos::new(HPos::Left, VPos::Bottom));
        bar_area.draw(&Text::new("mean".to_string(), (10, top - 8), head))?;
        Ok(())
    })
}

/// A colour-bar tick label.
fn colorbar_label(kind: Kind, v: f64, span: f64) -> String {
    match kind {
        Kind::Share => format!("{:.*}%", decimals(span * 100.0).saturating_sub(1).max(1), v * 100.0),
        Kind::Count if span >= 10.0 => num::count(v.round()),
        Kind::Count => format!("{v:.*}", decimals(span)),
        Kind::Coefficient => format!("{v:+.*}", decimals(span).max(2)),
    }
}

// ---------------------------------------------------------------------------
// The report
// ---------------------------------------------------------------------------

/// A key result with the series `sweep.csv` has: (index into `present`, label).
struct Found<'a> {
    key: &'a Key,
    series: Vec<(usize, &'static str)>,
}

/// `Success probability` → `success probability`.
fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or(String::new(), |f| f.to_lowercase().chain(c).collect())
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [a] => a.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// `n = 4 runs`, `n = 1 run` or `n = 3–4 runs`, over the intervals.
fn n_range<'a>(stats: impl Iterator<Item = &'a Interval>) -> String {
    let (lo, hi) = stats.fold((usize::MAX, 0), |(a, b), s| (a.min(s.n), b.max(s.n)));
    match (lo, hi) {
        (usize::MAX, _) => "n = 0 runs".into(),
        (1, 1) => "n = 1 run".into(),
        (a, b) if a == b => format!("n = {a} runs"),
        (a, b) => format!("n = {a}–{b} runs"),
    }
}

/// The other parameters, described (`q` with its value count), `tick`
/// quoting each path (backticks for Markdown, nothing for SVG).
fn others(data: &SweepData, p: usize, tick: &str) -> Vec<String> {
    (0..data.params.len())
        .filter(|&q| q != p)
        .map(|q| {
            let k = distinct(data, q).len();
            format!("{tick}{}{tick} ({})", data.params[q].path, plural(k, "value", "values"))
        })
        .collect()
}

/// How the runs at a value are aggregated, for a caption or a sentence.
fn pooled(data: &SweepData, p: usize, tick: &str) -> String {
    let o = others(data, p, tick);
    match o.len() {
        0 => "over the replications".into(),
        1 => format!("pooled over the other parameter, {}, and the replications", o[0]),
        _ => format!("pooled over the other parameters, {}, and the replications", and_list(&o)),
    }
}

/// The extreme group means of a series: "subscriptions from 40.1% (at 0.4) to 47.2% (at 0.6)".
fn extremes(kind: Kind, label: &str, groups: &[Group], s: usize) -> Option<String> {
    let means: Vec<(&str, f64)> =
        groups.iter().filter_map(|g| g.cells[s].stat.map(|st| (g.label.as_str(), st.mean))).collect();
    let lo = means.iter().min_by(|a, b| a.1.total_cmp(&b.1))?;
    let hi = means.iter().max_by(|a, b| a.1.total_cmp(&b.1))?;
    Some(if means.len() == 1 {
        format!("{label} {} (at {})", value_text(kind, lo.1), lo.0)
    } else {
        format!("{label} from {} (at {}) to {} (at {})", value_text(kind, lo.1), lo.0, value_text(kind, hi.1), hi.0)
    })
}

/// Whether each parameter has so many distinct numeric values (a sampled
/// design) that its values are shown to four significant digits.
fn sampled(data: &SweepData) -> Vec<bool> {
    (0..data.params.len()).map(|p| matches!(levels(data, p), (t, Some(_)) if t.len() > MAX_LEVELS)).collect()
}

/// A parameter value as shown: four significant digits for a sampled parameter.
fn shown(text: &str, sampled: bool) -> String {
    match number(text) {
        Some(v) if sampled => short(v),
        _ => text.to_string(),
    }
}

fn point_label(data: &SweepData, sampled: &[bool], point: usize, values: &[String]) -> String {
    if data.params.is_empty() {
        return format!("point {point}");
    }
    let parts: Vec<String> = data
        .params
        .iter()
        .zip(values)
        .zip(sampled)
        .map(|((p, v), &s)| format!("`{}` = {}", p.path, shown(v, s)))
        .collect();
    parts.join(", ")
}

/// Draws every plot and writes the text of a sweep's report, from the data alone.
pub fn build_sweep(data: &SweepData) -> Result<Report, ReportError> {
    let draw_err = |file: &str| {
        let file = file.to_string();
        move |e: DrawError| ReportError::Draw { file, message: e.0 }
    };
    let mut notes = Vec::new();
    let ok = data.rows.iter().filter(|r| r.ok).count();
    let failed = data.rows.len() - ok;
    if failed > 0 {
        notes.push(format!(
            "{} failed (`status` = `failed` in `sweep.csv`) and {} left out of every figure.",
            plural(failed, "run", "runs"),
            if failed == 1 { "is" } else { "are" }
        ));
    }
    if data.cut_line {
        notes.push(
            "The last line of `sweep.csv` was cut short (a sweep still running or stopped) and is left out.".into(),
        );
    }
    if let Some(planned) = data.planned_runs
        && (data.rows.len() as u64) < planned
    {
        notes.push(format!(
            "`sweep.csv` holds {} of the {} runs the sweep defines: the sweep is not finished, or this is one shard.",
            data.rows.len(),
            planned
        ));
    }
    let mut found = Vec::new();
    for key in KEYS {
        let mut series = Vec::new();
        for &(col, label) in key.series {
            match data.column(col) {
                Some(i) => series.push((i, label)),
                None => notes.push(format!("`sweep.csv` has no `{col}` column: {} leave out the {label}.", key.title)),
            }
        }
        if series.is_empty() {
            continue;
        }
        let defined = data.rows.iter().filter(|r| r.ok).any(|r| series.iter().any(|&(i, _)| r.results[i].is_some()));
        if !defined && ok > 0 {
            notes.push(format!("No `ok` run has a value of {}: no plots of it.", key.title.to_lowercase()));
            continue;
        }
        found.push(Found { key, series });
    }
    if found.is_empty() {
        return Err(ReportError::Garbled(
            "sweep.csv".into(),
            "has none of the key result columns (`sub_success`, `sale_success`, `volume`, …)".into(),
        ));
    }
    if ok == 0 {
        notes.push("No run has status `ok`: nothing to plot.".into());
    }
    if data.params.is_empty() {
        notes.push("The sweep varies no parameter: there is nothing to plot the results against.".into());
    }

    let mut sections = Vec::new();
    let mut used: Vec<String> = Vec::new();
    for (p, param) in data.params.iter().enumerate() {
        if ok == 0 {
            break;
        }
        let mut part = file_part(&param.path);
        if used.contains(&part) {
            part = format!("{part}_{}", used.len());
        }
        used.push(part.clone());
        let mut plots = Vec::new();
        for f in &found {
            let cols: Vec<usize> = f.series.iter().map(|s| s.0).collect();
            let labels: Vec<&str> = f.series.iter().map(|s| s.1).collect();
            let m = marginal(data, p, &cols);
            let file = format!("{}_vs_{part}.svg", f.key.key);
            let title = format!("{} against {}", f.key.title, param.path);
            let ns = n_range(m.groups.iter().flat_map(|g| g.cells.iter().filter_map(|c| c.stat.as_ref())));
            let at = if m.binned {
                format!("in each of {} bins of consecutive values of {}", m.groups.len(), param.path)
            } else {
                format!("at each value of {}", param.path)
            };
            let lone = m.groups.iter().flat_map(|g| &g.cells).any(|c| c.stat.is_some_and(|s| s.n == 1));
            let caption = format!(
                "Large markers: the mean of the runs with status ok {at} ({ns}), {}; bars: the 95% Student-t \
                 interval, mean ± t(0.975, n − 1)·sd/√n{}. Faint markers: single runs{}.",
                pooled(data, p, ""),
                if lone { " (none for a mean of one run)" } else { "" },
                if failed > 0 { "; failed runs left out" } else { "" },
            );
            let x_desc = match m.scale {
                Scale::Log10 => format!("{} (log scale)", param.path),
                _ => param.path.clone(),
            };
            let input = LineInput {
                title: &title,
                x_desc: &x_desc,
                key: f.key,
                labels: &labels,
                marginal: &m,
                caption: &caption,
            };
            let svg = line_plot(&input).map_err(draw_err(&file))?;
            let facts: Vec<String> =
                labels.iter().enumerate().filter_map(|(s, l)| extremes(f.key.kind, l, &m.groups, s)).collect();
            let about = format!(
                "The mean {} {}, over the `ok` runs ({ns}) {}, with its 95% Student-t interval (single runs faint): \
                 {}.",
                lower_first(f.key.title),
                if m.binned {
                    format!("in each of {} bins of consecutive values of `{}`", m.groups.len(), param.path)
                } else {
                    format!("at each value of `{}`", param.path)
                },
                pooled(data, p, "`"),
                if facts.is_empty() { "no value".to_string() } else { and_list(&facts) },
            );
            plots.push(Plot { file, title, about, svg });
        }
        sections.push(Section { heading: format!("Against `{}`", param.path), plots });
    }

    let grid2 = data.design.as_deref() == Some("grid") && data.params.len() == 2;
    if !grid2 {
        notes.push(format!(
            "Heat maps are drawn for a grid over exactly two parameters; this sweep is {} over {}.",
            match data.design.as_deref() {
                Some("grid") => "a grid".to_string(),
                Some("latin_hypercube") => "a Latin hypercube".to_string(),
                Some(d) => format!("a {d} design"),
                None => "a design of unknown kind".to_string(),
            },
            plural(data.params.len(), "parameter", "parameters")
        ));
    } else if ok > 0 {
        let (px, py) = (&data.params[0].path, &data.params[1].path);
        let mut plots = Vec::new();
        for f in &found {
            let cols: Vec<usize> = f.series.iter().map(|s| s.0).collect();
            let labels: Vec<&str> = f.series.iter().map(|s| s.1).collect();
            let h = heat(data, &cols);
            let file = format!("heatmap_{}.svg", f.key.key);
            let title = format!("{}: {px} × {py}", f.key.title);
            let ns = n_range(h.panels.iter().flatten().flatten());
            let shown = values_fit(labels.len(), h.x_levels.len(), h.y_levels.len(), heat_height(h.y_levels.len()));
            let caption = format!(
                "Cell colour: the mean over the replications with status ok of each grid point ({ns} per cell){}; \
                 grey: no ok run with a value. {}",
                if shown { ", printed in the cell" } else { "" },
                match (labels.len(), f.key.kind) {
                    (1, Kind::Coefficient) => "The colour scale is centred on 0.",
                    (_, Kind::Coefficient) => "The panels share one colour scale, centred on 0.",
                    (1, _) => "",
                    _ => "The panels share one colour scale.",
                }
            );
            let input = HeatInput {
                title: &title,
                x_desc: px,
                y_desc: py,
                key: f.key,
                labels: &labels,
                heat: &h,
                caption: &caption,
            };
            let svg = heat_map(&input).map_err(draw_err(&file))?;
            let facts: Vec<String> = labels
                .iter()
                .enumerate()
                .filter_map(|(s, l)| {
                    let cells = (0..h.x_levels.len())
                        .flat_map(|ix| (0..h.y_levels.len()).map(move |iy| (ix, iy)))
                        .filter_map(|(ix, iy)| h.cell(s, ix, iy).map(|c| (ix, iy, c.mean)));
                    let best = cells.max_by(|a, b| a.2.total_cmp(&b.2))?;
                    Some(format!(
                        "{} for {l} (`{px}` = {}, `{py}` = {})",
                        value_text(f.key.kind, best.2),
                        h.x_levels[best.0],
                        h.y_levels[best.1]
                    ))
                })
                .collect();
            let about = format!(
                "{} over the {} × {} grid of `{px}` (across) and `{py}` (up): each cell's colour is the mean over the \
                 point's `ok` replications ({ns}){}{}; the highest mean is {}.",
                f.key.title,
                h.x_levels.len(),
                h.y_levels.len(),
                if labels.len() > 1 { ", one panel per side on one colour scale" } else { "" },
                if shown { ", printed in the cell" } else { "" },
                if facts.is_empty() { "no cell has a value".to_string() } else { and_list(&facts) }
            );
            plots.push(Plot { file, title, about, svg });
        }
        sections.push(Section { heading: format!("Heat maps: `{px}` × `{py}`"), plots });
    }
    let markdown = render_markdown(data, &found, &sections, &notes);
    Ok(Report { sections, notes, markdown })
}

/// The text of a sweep's `report.md`.
fn render_markdown(data: &SweepData, found: &[Found<'_>], sections: &[Section], notes: &[String]) -> String {
    let mut o = String::new();
    let name = data.name.as_deref().unwrap_or("unnamed");
    let _ = writeln!(o, "# Sweep report: `{name}`\n");
    let ok = data.rows.iter().filter(|r| r.ok).count();
    let points = data.rows.chunk_by(|a, b| a.point == b.point).count();
    let design = match data.design.as_deref() {
        Some("grid") => format!("a grid of {}", plural(points, "point", "points")),
        Some("random") => format!("a random design of {}", plural(points, "point", "points")),
        Some("latin_hypercube") => format!("a Latin hypercube of {}", plural(points, "point", "points")),
        Some(d) => format!("a `{d}` design of {}", plural(points, "point", "points")),
        None => plural(points, "point", "points"),
    };
    let reps = data
        .replications
        .map_or(String::new(), |r| format!(" × {}", plural(r as usize, "replication", "replications")));
    let _ = writeln!(
        o,
        "`sweep.csv` in this directory holds {} of {}{}: {design}{reps}; {ok} ok, {} failed. Written by `tplus report` \
         from `sweep.csv` and `sweep.json`; every figure is drawn from the runs with status `ok` only.\n",
        plural(data.rows.len(), "run", "runs"),
        data.scenario.as_deref().map_or("the base scenario".to_string(), |s| format!("`{s}`")),
        data.seed.map_or(String::new(), |s| format!(" (sweep seed {s})")),
        data.rows.len() - ok,
    );
    let many = sampled(data);
    if !data.params.is_empty() {
        let _ = writeln!(o, "| parameter | values in `sweep.csv` | axis |");
        let _ = writeln!(o, "|---|---|---|");
        for (p, param) in data.params.iter().enumerate() {
            let (texts, nums) = levels(data, p);
            let texts: Vec<String> = texts.iter().map(|t| shown(t, many[p])).collect();
            let shown = if texts.len() <= 8 {
                texts.join(", ")
            } else {
                format!("{} … {}", texts[..3].join(", "), texts[texts.len() - 2..].join(", "))
            };
            let axis = match (&nums, texts.len() > MAX_LEVELS) {
                (None, _) => "categorical, in the order of the points",
                (Some(_), true) if param.log => "logarithmic, binned",
                (Some(_), true) => "numeric, binned",
                (Some(_), false) if param.log => "logarithmic",
                (Some(_), false) => "numeric",
            };
            let _ = writeln!(o, "| `{}` | {}: {shown} | {axis} |", param.path, texts.len());
        }
        let _ = writeln!(o);
    }
    let _ = writeln!(o, "## Key results\n");
    let _ = writeln!(
        o,
        "Read from `sweep.csv` (all products together; the definitions are those of `summary.json`): {}. A point's \
         mean is over its replications; the plots against a parameter pool the runs at each of its values over the \
         other parameters, with the 95% Student-t interval mean ± t(0.975, n − 1)·sd/√n.\n",
        and_list(&found.iter().map(|f| format!("{} ({})", lower_first(f.key.title), f.key.what)).collect::<Vec<_>>())
    );
    let _ = writeln!(
        o,
        "| result | column | runs with a value | mean over runs | lowest point mean | highest point mean |"
    );
    let _ = writeln!(o, "|---|---|---:|---:|---|---|");
    for f in found {
        for &(i, label) in &f.series {
            let col = data.present[i];
            let vals: Vec<f64> = data.rows.iter().filter(|r| r.ok).filter_map(|r| r.results[i]).collect();
            let all = mean_interval(&vals);
            let pm = point_means(data, i);
            let lo = pm.iter().min_by(|a, b| a.2.total_cmp(&b.2));
            let hi = pm.iter().max_by(|a, b| a.2.total_cmp(&b.2));
            let show = |x: Option<&(usize, Vec<String>, f64)>| {
                x.map_or("n/a".into(), |(p, v, m)| {
                    format!("{} ({})", value_text(f.key.kind, *m), point_label(data, &many, *p, v))
                })
            };
            let _ = writeln!(
                o,
                "| {}: {label} | `{col}` | {} | {} | {} | {} |",
                f.key.title,
                vals.len(),
                all.map_or("n/a".into(), |a| value_text(f.key.kind, a.mean)),
                show(lo),
                show(hi)
            );
        }
    }
    let _ = writeln!(o);
    super::markdown::plots_and_notes(&mut o, sections, notes);
    o
}

/// Reads the sweep in `dir`, draws its plots and writes them with
/// `report.md` into the same directory. Returns the files written, plots
/// first and `report.md` last.
pub fn write_sweep_report(dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    let data = read_sweep(dir)?;
    let report = build_sweep(&data).map_err(|e| match e {
        ReportError::Garbled(p, m) if p == Path::new("sweep.csv") => ReportError::Garbled(dir.join("sweep.csv"), m),
        e => e,
    })?;
    let mut written = Vec::new();
    for plot in report.sections.iter().flat_map(|s| &s.plots) {
        written.push(write_file(dir, &plot.file, plot.svg.as_bytes())?);
    }
    written.push(write_file(dir, "report.md", report.markdown.as_bytes())?);
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn t_quantiles_match_the_tables() {
        for (df, t) in [(1.0, 12.706_204_736), (2.0, 4.302_652_730), (4.0, 2.776_445_105), (10.0, 2.228_138_852)] {
            let q = t_quantile(0.975, df).unwrap();
            assert!(close(q, t, 1e-6), "df {df}: {q} vs {t}");
        }
        assert!(close(t_quantile(0.025, 10.0).unwrap(), -2.228_138_852, 1e-6));
        assert!(close(t_quantile(0.5, 3.0).unwrap(), 0.0, 1e-9));
        // Large df approaches the normal quantile.
        assert!(close(t_quantile(0.975, 1e6).unwrap(), 1.959_966, 1e-4));
        assert_eq!(t_quantile(1.0, 3.0), None);
        assert_eq!(t_quantile(0.9, 0.0), None);
    }

    #[test]
    fn means_and_intervals_by_hand() {
        // 100, 120, 80: mean 100, sd 20, half-width t(0.975, 2)·20/√3.
        let s = mean_interval(&[100.0, 120.0, 80.0]).unwrap();
        assert_eq!(s.n, 3);
        assert!(close(s.mean, 100.0, 1e-12) && close(s.sd.unwrap(), 20.0, 1e-12));
        let half = 4.302_652_730 * 20.0 / 3f64.sqrt();
        let (lo, hi) = s.ci.unwrap();
        assert!(close(lo, 100.0 - half, 1e-6) && close(hi, 100.0 + half, 1e-6), "{lo} {hi}");
        let one = mean_interval(&[0.3]).unwrap();
        assert_eq!((one.n, one.mean, one.sd, one.ci), (1, 0.3, None, None));
        assert_eq!(mean_interval(&[]), None);
        assert_eq!(mean_interval(&[f64::NAN]), None);
        // Equal values: a zero-width interval.
        let flat = mean_interval(&[2.0, 2.0]).unwrap();
        assert_eq!(flat.ci, Some((2.0, 2.0)));
    }

    const JSON: &str = r#"{"definition": {"sweep": {"name": "hand", "scenario": "s.toml", "seed": 5,
        "replications": 2, "design": "grid", "params": [
        {"path": "a", "domain": {"levels": [1, 2]}}, {"path": "b", "domain": {"levels": ["x", "y"]}}]},
        "runs": 8}, "provenance": {}}"#;

    /// A 2 × 2 grid, 2 replications; one run failed, one cell empty.
    const CSV: &str = "point,replication,seed,a,b,status,error,sub_success,sale_success,volume,wall_seconds
0,0,1,1,x,ok,,0.5,0.4,100,0.1
0,1,2,1,x,ok,,0.7,,120,0.1
1,0,3,1,y,ok,,0.2,0.3,80,0.1
1,1,4,1,y,failed,\"boom, bang\",,,,0.1
2,0,5,2,x,ok,,0.4,0.6,90,0.1
2,1,6,2,x,ok,,0.6,0.8,110,0.1
3,1,8,2,y,ok,,0.3,0.7,60,0.1
3,0,7,2,y,ok,,0.1,0.5,70,0.1
";

    fn parse(json: &str, csv: &str) -> Result<SweepData, String> {
        let def = parse_definition(json)?;
        let table = parse_csv(csv, &def.params)?;
        Ok(SweepData::new(def, table))
    }

    fn cols(d: &SweepData, names: &[&str]) -> Vec<usize> {
        names.iter().map(|n| d.column(n).unwrap()).collect()
    }

    #[test]
    fn a_hand_table_reads_and_aggregates() {
        let d = parse(JSON, CSV).unwrap();
        assert_eq!(d.present, ["sub_success", "sale_success", "volume"]);
        assert_eq!(d.rows.len(), 8);
        assert_eq!((d.rows[6].point, d.rows[6].replication), (3, 0), "sorted by (point, replication)");
        assert!(!d.rows[3].ok && d.rows[1].results[1].is_none());
        assert!(!d.cut_line);

        let c = cols(&d, &["sub_success", "sale_success", "volume"]);
        let m = marginal(&d, 0, &c);
        assert_eq!((m.scale, m.binned), (Scale::Linear, false));
        let labels: Vec<&str> = m.groups.iter().map(|g| g.label.as_str()).collect();
        assert_eq!(labels, ["1", "2"]);
        let a1 = &m.groups[0];
        assert_eq!(a1.x, 1.0);
        let sub = a1.cells[0].stat.unwrap();
        assert_eq!(sub.n, 3, "the failed run is left out");
        assert!(close(sub.mean, (0.5 + 0.7 + 0.2) / 3.0, 1e-12));
        let sale = a1.cells[1].stat.unwrap();
        assert_eq!(sale.n, 2, "the empty cell is left out");
        assert!(close(sale.mean, 0.35, 1e-12));
        let vol = a1.cells[2].stat.unwrap();
        let half = 4.302_652_730 * 20.0 / 3f64.sqrt();
        assert!(close(vol.mean, 100.0, 1e-12) && close(vol.ci.unwrap().1, 100.0 + half, 1e-6));
        let a2 = &m.groups[1];
        assert_eq!(a2.cells[0].stat.unwrap().n, 4);
        assert!(close(a2.cells[0].stat.unwrap().mean, 0.35, 1e-12));
        assert!(close(a2.cells[1].stat.unwrap().mean, 0.65, 1e-12));
        assert!(close(a2.cells[2].stat.unwrap().mean, 82.5, 1e-12));
        assert_eq!(a2.cells[2].runs.len(), 4);

        // A parameter of strings: categorical, in the order of the points.
        let m = marginal(&d, 1, &c[..1]);
        assert_eq!(m.scale, Scale::Categorical);
        let g: Vec<(&str, f64, f64)> =
            m.groups.iter().map(|g| (g.label.as_str(), g.x, g.cells[0].stat.unwrap().mean)).collect();
        assert_eq!(g.len(), 2);
        assert_eq!((g[0].0, g[0].1), ("x", 0.0));
        assert!(close(g[0].2, 0.55, 1e-12) && close(g[1].2, 0.2, 1e-12));

        // The grid: each point's mean over its ok replications.
        let h = heat(&d, &c);
        assert_eq!(
            (h.x_levels.clone(), h.y_levels.clone()),
            (vec!["1".to_string(), "2".into()], vec!["x".into(), "y".into()])
        );
        let one = h.cell(0, 0, 1).unwrap();
        assert_eq!((one.n, one.mean, one.ci), (1, 0.2, None));
        assert!(close(h.cell(2, 1, 1).unwrap().mean, 65.0, 1e-12));
        assert!(close(h.cell(0, 0, 0).unwrap().mean, 0.6, 1e-12));
        assert_eq!(h.cell(1, 0, 0).unwrap().n, 1);
    }

    #[test]
    fn many_sampled_values_are_binned() {
        let json = r#"{"definition": {"sweep": {"design": "latin_hypercube", "params": [
            {"path": "r", "domain": {"loguniform": {"min": 0.001, "max": 1.0}}}]}}}"#;
        let mut csv = String::from("point,replication,seed,r,status,error,volume,wall_seconds\n");
        for p in 0..20 {
            let r = 0.001 * 1.4f64.powi(p);
            let _ = writeln!(csv, "{p},0,0,{r},ok,,{},0.1", 10 * p);
        }
        let d = parse(json, &csv).unwrap();
        let m = marginal(&d, 0, &cols(&d, &["volume"]));
        assert!(m.binned && m.scale == Scale::Log10);
        assert_eq!(m.groups.len(), BINS);
        let n: usize = m.groups.iter().map(|g| g.cells[0].stat.unwrap().n).sum();
        assert_eq!(n, 20);
        // Consecutive values: the first bin holds the smallest, in order.
        assert!(m.groups.windows(2).all(|w| w[0].x < w[1].x));
        assert!(close(m.groups[0].cells[0].stat.unwrap().mean, 5.0, 1e-12), "{:?}", m.groups[0]);
        // A log axis with ticks at 1, 2, 5 × 10^k.
        let t = log_ticks(-3.0, 0.0);
        assert!(t.len() >= 3 && t.iter().any(|x| close(*x, 2f64.log10() - 2.0, 1e-12)));
    }

    #[test]
    fn bad_files_are_told() {
        let e = |json: &str, csv: &str| parse(json, csv).unwrap_err();
        assert!(e("not json", CSV).contains("not JSON"));
        assert!(e("{}", CSV).contains("no `definition`"));
        assert!(e(r#"{"definition": {"sweep": {"params": [{"x": 1}]}}}"#, CSV).contains("params[0].path"));
        assert!(
            e(r#"{"definition": {"sweep": {"seed": "x", "params": []}}}"#, CSV).contains("`definition.sweep.seed`")
        );
        assert!(e(JSON, "").contains("empty"));
        assert!(e(JSON, &CSV.replace(",b,", ",c,")).contains("lacks the column `b`"));
        assert!(e(JSON, &CSV.replace("2,0,5,2,x,ok", "2,0,5,2,x,maybe")).contains("line 6: `status`"));
        assert!(e(JSON, &CSV.replace("2,0,5,2,x,ok,,0.4", "2,0,5,2,x,ok,,0.4,9")).contains("line 6: 12 fields"));
        assert!(e(JSON, &CSV.replace("0.6,0.8,110", "0.6,lots,110")).contains("`sale_success` is `lots`"));
        // A last line cut short is left out, not an error.
        let d = parse(JSON, &format!("{CSV}4,0,9,3,x,o")).unwrap();
        assert!(d.cut_line && d.rows.len() == 8);
    }

    #[test]
    fn the_report_draws_and_links_every_plot() {
        let d = parse(JSON, CSV).unwrap();
        let r = build_sweep(&d).unwrap();
        let files: Vec<&str> = r.sections.iter().flat_map(|s| s.plots.iter().map(|p| p.file.as_str())).collect();
        // No fill ratio columns: no fill ratio plots.
        let expected = [
            "success_vs_a.svg",
            "volume_vs_a.svg",
            "success_vs_b.svg",
            "volume_vs_b.svg",
            "heatmap_success.svg",
            "heatmap_volume.svg",
        ];
        assert_eq!(files, expected);
        for p in r.sections.iter().flat_map(|s| &s.plots) {
            assert!(p.svg.starts_with("<svg") && p.svg.trim_end().ends_with("</svg>"), "{}", p.file);
            assert!(p.svg.contains(&p.title) && !p.svg.contains("NaN"), "{}", p.file);
            assert!(r.markdown.contains(&format!("]({})", p.file)), "{}", p.file);
        }
        let svg = &r.sections[0].plots[0].svg;
        assert!(svg.contains("pooled over the other parameter, b (2 values)"), "the caption says how runs are pooled");
        let heat = &r.sections[2].plots[0].svg;
        assert!(heat.contains("60.0%") && !heat.contains("no run"), "values in the cells");
        let md = &r.markdown;
        assert!(md.starts_with("# Sweep report: `hand`"), "{md}");
        assert!(md.contains("1 run failed") && md.contains("no `sub_fill_ratio` column"), "{md}");
        assert!(md.contains("holds 8 runs"), "{md}");
        // Drawing is a function of the data.
        assert_eq!(build_sweep(&d).unwrap().markdown, r.markdown);
    }

    #[test]
    fn a_sweep_without_parameters_or_key_columns() {
        let json = r#"{"definition": {"sweep": {"design": "grid", "params": []}}}"#;
        let d = parse(json, "point,replication,status,volume\n0,0,ok,5\n0,1,ok,7\n").unwrap();
        let r = build_sweep(&d).unwrap();
        assert!(r.sections.is_empty());
        assert!(r.markdown.contains("varies no parameter") && r.markdown.contains("| 2 | 6 |"), "{}", r.markdown);
        let d = parse(json, "point,replication,status\n0,0,ok\n").unwrap();
        assert!(matches!(build_sweep(&d), Err(ReportError::Garbled(..))));
    }

    #[test]
    fn sweep_directories_are_recognised_and_checked() {
        let dir = std::env::temp_dir().join(format!("tplus-report-sweep-unit-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        assert!(!is_sweep_dir(&dir));
        std::fs::write(dir.join("sweep.csv"), CSV).unwrap();
        assert!(is_sweep_dir(&dir));
        let e = super::super::write_report(&dir).unwrap_err();
        assert!(e.is_bad_input() && e.to_string().contains("sweep.json: missing"), "{e}");
        std::fs::write(dir.join("sweep.json"), "[]").unwrap();
        let e = super::super::write_report(&dir).unwrap_err();
        assert!(matches!(e, ReportError::Garbled(..)) && e.to_string().contains("sweep.json"), "{e}");
        std::fs::write(dir.join("sweep.json"), JSON).unwrap();
        let files = super::super::write_report(&dir).unwrap();
        assert_eq!(files.last().unwrap().file_name().unwrap(), "report.md");
        assert!(files.iter().all(|f| f.is_file()));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
