//! Aggregating a sweep's runs for the figures: the runs at each value (or bin)
//! of one parameter, and the mean of each point of a two-parameter grid.

use std::collections::{HashMap, HashSet};

use super::keys::short;
use super::read::SweepData;
use crate::columns::result_range;
use crate::metrics::stats::{MeanInterval, mean_t_interval};

/// A numeric parameter with more distinct values than this is binned.
pub const MAX_LEVELS: usize = 12;
/// Bins of a binned parameter.
pub const BINS: usize = 8;

/// How a parameter's values are laid along the x axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scale {
    /// Positions 0, 1, … in the order of the sweep's points.
    Categorical,
    /// x = the value itself.
    Linear,
    /// x = log10(value).
    Log10,
}

/// The runs of one series in one group.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Cell {
    /// (x on the axis, value) of each `ok` run with a value.
    pub runs: Vec<(f64, f64)>,
    /// Mean and 95% t interval of the runs' values; None without any.
    pub stat: Option<MeanInterval>,
}

/// The runs at one value (or bin) of a parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct ValueGroup {
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
    /// How the parameter's values are laid along the x axis.
    pub scale: Scale,
    /// Whether the values were put into [`BINS`] bins (a numeric parameter with
    /// more than [`MAX_LEVELS`] distinct values).
    pub binned: bool,
    /// In axis order.
    pub groups: Vec<ValueGroup>,
}

/// The distinct values of parameter `p` in the order of the rows (by point).
pub(super) fn distinct(data: &SweepData, p: usize) -> Vec<String> {
    let mut seen: HashSet<&str> = HashSet::new();
    data.rows.iter().filter(|r| seen.insert(r.values[p].as_str())).map(|r| r.values[p].clone()).collect()
}

/// Each text's index in `texts`.
fn index_of(texts: &[String]) -> HashMap<&str, usize> {
    texts.iter().enumerate().map(|(i, t)| (t.as_str(), i)).collect()
}

pub(super) fn number(s: &str) -> Option<f64> {
    s.trim().parse::<f64>().ok().filter(|v| v.is_finite())
}

/// The distinct values of a parameter, numerically sorted when all are
/// numbers (with the numbers), by length when all are durations, else in
/// the order of the points.
pub(super) fn levels(data: &SweepData, p: usize) -> (Vec<String>, Option<Vec<f64>>) {
    let texts = distinct(data, p);
    let nums: Option<Vec<f64>> = texts.iter().map(|t| number(t)).collect();
    match nums {
        Some(nums) => {
            let mut pairs: Vec<(f64, String)> = nums.into_iter().zip(texts).collect();
            pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
            let (nums, texts): (Vec<f64>, Vec<String>) = pairs.into_iter().unzip();
            (texts, Some(nums))
        }
        // Durations ("5m", "1h") by their length, drawn as categories.
        None => match texts.iter().map(|t| crate::batch::design::level_order(t)).collect::<Option<Vec<f64>>>() {
            Some(order) => {
                let mut pairs: Vec<(f64, String)> = order.into_iter().zip(texts).collect();
                pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
                (pairs.into_iter().map(|p| p.1).collect(), None)
            }
            None => (texts, None),
        },
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
    let (group_of, mut groups): (Vec<usize>, Vec<ValueGroup>) = match &nums {
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
                groups.push(ValueGroup { label, x, cells: vec![Cell::default(); cols.len()] });
            }
            (group_of, groups)
        }
        _ => (
            (0..texts.len()).collect(),
            texts
                .iter()
                .enumerate()
                .map(|(i, t)| ValueGroup {
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
        for (c, &col) in g.cells.iter_mut().zip(cols) {
            let ys: Vec<f64> = c.runs.iter().map(|r| r.1).collect();
            c.stat = mean_interval(&ys, data.present[col]);
        }
    }
    Marginal { scale, binned, groups }
}

/// The mean over the replications of each point of a grid over the first
/// two parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Heat {
    /// Values of the first parameter (x), in axis order.
    pub x_levels: Vec<String>,
    /// Values of the second parameter (y), in axis order.
    pub y_levels: Vec<String>,
    /// `[series][ix * y_levels.len() + iy]`.
    pub panels: Vec<Vec<Option<MeanInterval>>>,
}

impl Heat {
    /// The mean and interval of series `series` at the x value `ix` and y value
    /// `iy`; None where no run has a value.
    pub fn cell(&self, series: usize, ix: usize, iy: usize) -> Option<MeanInterval> {
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
    let panels =
        values.iter().zip(cols).map(|(p, &c)| p.iter().map(|v| mean_interval(v, data.present[c])).collect()).collect();
    Heat { x_levels, y_levels, panels }
}

/// The mean of a key result's values (of the `sweep.csv` column `column`)
/// and its 95% t-interval, cut to the range the column cannot leave.
pub(super) fn mean_interval(values: &[f64], column: &str) -> Option<MeanInterval> {
    mean_t_interval(values, result_range::of(column))
}

/// Each point's mean of one column over its replications: (point, its
/// parameter values, the mean with its interval and n).
pub(super) fn point_means(data: &SweepData, col: usize) -> Vec<(usize, Vec<String>, MeanInterval)> {
    let mut out = Vec::new();
    for chunk in data.rows.chunk_by(|a, b| a.point == b.point) {
        let v: Vec<f64> = chunk.iter().filter(|r| r.ok).filter_map(|r| r.results[col]).collect();
        if let Some(s) = mean_interval(&v, data.present[col]) {
            out.push((chunk[0].point, chunk[0].values.clone(), s));
        }
    }
    out
}
