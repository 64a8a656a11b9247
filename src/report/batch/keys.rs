//! The key results of a sweep report: which `sweep.csv` columns each figure
//! draws, how its numbers read, and their colours.

use plotters::style::RGBColor;

use super::super::num;
use super::super::plot::{OKABE_BLUE, OKABE_GREEN, VERMILION};

/// How a key result's numbers read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueKind {
    /// A share in [0, 1], shown as a percentage.
    Share,
    /// A count of lots.
    Count,
    /// A correlation coefficient in [−1, 1].
    Coefficient,
}

/// One key result: one plot per parameter, one heat map.
#[derive(Clone, Copy, Debug)]
pub struct KeyResult {
    /// The file-name part.
    pub key: &'static str,
    /// Title words, capitalised.
    pub title: &'static str,
    /// The y-axis description.
    pub y_desc: &'static str,
    /// (column of `sweep.csv`, label) of each series.
    pub series: &'static [(&'static str, &'static str)],
    /// How the numbers read (a share, a count, a coefficient), for the axis and
    /// the colours.
    pub kind: ValueKind,
    /// What the figure is, for `report.md`.
    pub what: &'static str,
    /// The unit of the heat map's colour bar: of a difference from the
    /// grand mean (a share's percentage points, a count's lots), or the
    /// coefficient itself.
    pub bar_unit: &'static str,
}

/// A result column of `sweep.csv` by name, checked against the writer's
/// schema ([`crate::columns::sweep_results`]) when the crate compiles.
macro_rules! result {
    ($name:literal) => {
        crate::columns::name!(crate::columns::sweep_results::COLUMNS, $name)
    };
}

/// The key results, in report order.
pub const KEYS: &[KeyResult] = &[
    KeyResult {
        key: "success",
        title: "Success probability",
        y_desc: "success probability (orders filled whole / closed, %)",
        series: &[(result!("sub_success"), "subscriptions"), (result!("sale_success"), "sales")],
        kind: ValueKind::Share,
        what: "the share of customers' buy orders (subscriptions) and sell orders (sales) closed in the run that were \
               filled whole",
        bar_unit: "percentage points",
    },
    KeyResult {
        key: "fill_ratio",
        title: "Fill ratio",
        y_desc: "fill ratio (lots filled / lots ordered, %)",
        series: &[(result!("sub_fill_ratio"), "subscriptions"), (result!("sale_fill_ratio"), "sales")],
        kind: ValueKind::Share,
        what: "the lots filled as a share of the lots ordered, for buy and sell orders",
        bar_unit: "percentage points",
    },
    KeyResult {
        key: "volume",
        title: "Volume",
        y_desc: "volume (lots traded over the run)",
        series: &[(result!("volume"), "all products")],
        kind: ValueKind::Count,
        what: "the lots traded over the run, all products and platform trades included",
        bar_unit: "lots traded",
    },
    KeyResult {
        key: "success_vs_volume_pearson",
        title: "Correlation of success with volume (Pearson r)",
        y_desc: "Pearson r of success with volume over windows",
        series: &[
            (result!("sub_success_vs_volume_pearson"), "subscriptions"),
            (result!("sale_success_vs_volume_pearson"), "sales"),
        ],
        kind: ValueKind::Coefficient,
        what: "the Pearson correlation, over a run's windows, of each side's success probability with the volume",
        bar_unit: "Pearson r",
    },
    KeyResult {
        key: "success_vs_volume_spearman",
        title: "Correlation of success with volume (Spearman ρ)",
        y_desc: "Spearman ρ of success with volume over windows",
        series: &[
            (result!("sub_success_vs_volume_spearman"), "subscriptions"),
            (result!("sale_success_vs_volume_spearman"), "sales"),
        ],
        kind: ValueKind::Coefficient,
        what: "the Spearman rank correlation, over a run's windows, of each side's success probability with the \
               volume",
        bar_unit: "Spearman ρ",
    },
];

pub(super) fn series_color(label: &str) -> RGBColor {
    match label {
        "subscriptions" => OKABE_BLUE,
        "sales" => VERMILION,
        _ => OKABE_GREEN,
    }
}

/// A value of a key result as text: `44.4%`, `3.07%`, `74,677`, `+0.72`.
pub fn value_text(kind: ValueKind, v: f64) -> String {
    if !v.is_finite() {
        return "n/a".into();
    }
    match kind {
        ValueKind::Share if v.abs() >= 0.1 => format!("{}%", num::fixed(v * 100.0, 1)),
        ValueKind::Share => format!("{}%", num::fixed(v * 100.0, 2)),
        ValueKind::Count if v.abs() >= 100.0 => num::count(v),
        ValueKind::Count => short(v),
        ValueKind::Coefficient => num::fixed_signed(v, 2),
    }
}

/// A number with about four significant digits, trailing zeros dropped.
pub(super) fn short(v: f64) -> String {
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
    let s = num::fixed(v, d);
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::columns::sweep_results::COLUMNS;

    /// The report finds its series by name in `sweep.csv`: each must be a
    /// result column the sweep writes, or its figure would never be drawn.
    #[test]
    fn every_series_is_a_column_the_sweep_writes() {
        for (col, _) in KEYS.iter().flat_map(|k| k.series) {
            assert!(COLUMNS.iter().any(|c| c.name == *col), "{col} is not a sweep.csv result column");
        }
    }
}
