//! `tplus report DIR` of a replications directory (`tplus run --replications
//! N`): `report.md`, each headline figure's spread over the seeds (mean,
//! 95% t-interval of the mean, standard deviation, seeds), and
//! `replications.svg`, the key figures seed by seed with that interval.
//!
//! The spread over seeds is what a single run's report sends its reader to
//! (a run's own intervals cover its windows, not what another seed gives),
//! so it gets a report of its own; the same-seed comparison, when the
//! directory has one, is `comparison.md`, which this one links.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use plotters::coord::ranged1d::Ranged;
use plotters::prelude::*;

use super::ReplicateError;
use super::dir::{ReplicationDir, figure_names};
use super::stats::{Spread, spread};
use crate::columns::result_range;
use crate::columns::sweep_results::COLUMNS as RESULT_COLUMNS;
use crate::results::FileError;

/// The figures `replications.svg` draws, one panel each, when the
/// directory has them.
const PLOTTED: [&str; 4] =
    ["sub_success", "sale_success", "sub_success_vs_volume_pearson", "sale_success_vs_volume_pearson"];

/// The plot's file, and its PNG copy.
const SVG: &str = "replications.svg";
const PNG: &str = "replications.png";

/// Whether `dir` is a replications directory: its `replications.json` is
/// there.
pub fn is_replications_dir(dir: &Path) -> bool {
    dir.join("replications.json").is_file()
}

/// One headline figure over the seeds.
struct Figure {
    name: &'static str,
    meaning: &'static str,
    /// Each seed's value, in seed order (None where undefined).
    values: Vec<Option<f64>>,
    spread: Spread,
}

/// Rasterises an SVG document to PNG bytes (the report's, passed in: this
/// module does not depend on the report).
pub type ToPng<'a> = &'a dyn Fn(&str) -> Result<Vec<u8>, Box<dyn std::error::Error + Send + Sync>>;

/// Reads the replications in `dir` and writes `replications.svg` (and
/// `replications.png` with `png`) and `report.md` there, all or none.
/// Returns the files written, `report.md` last.
///
/// # Errors
/// A directory whose `replications.json` or `.csv` cannot be read back
/// (as `tplus compare` reads them) or lists no seed, or a file that cannot
/// be drawn or written.
pub fn write_report(dir: &Path, png: Option<ToPng<'_>>) -> Result<Vec<PathBuf>, ReplicateError> {
    let rd = ReplicationDir::read(dir)?;
    if rd.seeds.is_empty() {
        return Err(ReplicateError::NotReplications {
            dir: dir.to_path_buf(),
            why: "replications.json lists no seed".into(),
            source: None,
        });
    }
    let figures: Vec<Figure> = figure_names()
        .into_iter()
        .filter_map(|name| {
            let values = rd.figures.get(name)?.clone();
            let meaning = RESULT_COLUMNS.iter().find(|c| c.name == name).map_or("", |c| c.meaning);
            let defined: Vec<f64> = values.iter().flatten().copied().collect();
            Some(Figure { name, meaning, spread: spread(&defined, result_range::of(name)), values })
        })
        .collect();
    let svg = draw(&rd, &figures).map_err(|source| ReplicateError::Plot { path: dir.join(SVG), source })?;
    let markdown = markdown(&rd, &figures, dir.join("comparison.md").is_file());
    let png_bytes = match png {
        Some(to_png) => Some(to_png(&svg).map_err(|source| ReplicateError::Plot { path: dir.join(PNG), source })?),
        None => None,
    };
    let mut files: Vec<(&str, &[u8])> = vec![(SVG, svg.as_bytes())];
    if let Some(bytes) = &png_bytes {
        files.push((PNG, bytes));
    }
    files.push(("report.md", markdown.as_bytes()));
    crate::results::write_all_or_none(dir, &files).map_err(|(path, e)| FileError::new("write", &path, e).into())
}

/// A number for the table: whole numbers and large ones whole, others to
/// four decimals (a success, a correlation), in scientific form where
/// four decimals would print a non-zero value as zero.
fn num(v: Option<f64>) -> String {
    // −0 reads as 0.
    match v.map(|v| v + 0.0) {
        None => "n/a".into(),
        Some(v) if v.fract() == 0.0 || v.abs() >= 1000.0 => format!("{v:.0}"),
        Some(v) if v.abs() >= 100.0 => format!("{v:.1}"),
        Some(v) if v.abs() >= 1.0 => format!("{v:.3}"),
        Some(v) if v.abs() >= 5e-5 => format!("{v:.4}"),
        Some(v) => format!("{v:.2e}"),
    }
}

fn markdown(rd: &ReplicationDir, figures: &[Figure], comparison: bool) -> String {
    let mut o = String::new();
    let n = rd.seeds.len();
    let seeds = match (rd.seeds.first(), rd.seeds.last()) {
        (Some(a), Some(b)) if n > 1 => format!("seeds {a}–{b}"),
        (Some(a), _) => format!("seed {a}"),
        _ => "no seeds".into(),
    };
    let what = if rd.control { " without its scripted events (a same-seed control)" } else { "" };
    let runs = if n == 1 { "1 run".to_string() } else { format!("{n} runs") };
    let _ = writeln!(o, "# Replications report: `{}`{what}, {runs} ({seeds})\n", rd.scenario);
    let _ = writeln!(
        o,
        "Each run is the scenario with its own seed (replication k runs with seed + k), so the runs are \
         independent draws of the market. For each headline figure the table gives the mean over the runs, \
         the 95% t-interval of that mean (mean ± t(0.975, n − 1)·sd/√n, cut to the range the figure cannot \
         leave), the standard deviation across runs and n, the runs where the figure is defined. Unlike a \
         single run's intervals, which cover that run's windows only, these include what changes from seed to \
         seed (the macro path, the days' swings): they are the uncertainty to quote for the scenario.{}\n",
        if n < 5 {
            " With fewer than 5 runs the interval rests on a poorly known standard deviation and is wide; \
             `--replications 20` or more gives a usable one."
        } else {
            ""
        }
    );
    if comparison {
        let _ = writeln!(
            o,
            "This directory also holds a same-seed control (`control/`): the change's effect, run against \
             the control seed by seed, is in [comparison.md](comparison.md).\n"
        );
    }
    let _ = writeln!(o, "| figure | meaning | mean | 95% CI of the mean | sd across runs | n |");
    let _ = writeln!(o, "|---|---|---|---|---|---|");
    for f in figures {
        let s = &f.spread;
        let ci = match (s.lo, s.hi) {
            (Some(lo), Some(hi)) => format!("{} to {}", num(Some(lo)), num(Some(hi))),
            _ => "n/a".into(),
        };
        let _ = writeln!(o, "| `{}` | {} | {} | {ci} | {} | {} |", f.name, f.meaning, num(s.mean), num(s.sd), s.n);
    }
    let _ = writeln!(o);
    if figures.iter().any(|f| PLOTTED.contains(&f.name)) {
        let _ = writeln!(o, "## Plots\n");
        let _ = writeln!(
            o,
            "**The key figures run by run.** One dot per run (replication k on the x axis); the line is the \
             mean over the runs and the band its 95% t-interval. The band is the mean's, not a run's: single \
             runs scatter about √n times as wide (the table's sd), so dots outside it are expected. A run of \
             interest has its own directory, `runs/seed-S/`, whose report `tplus report` draws.\n"
        );
        let _ = writeln!(o, "![The key figures run by run]({SVG})\n");
    }
    let _ = writeln!(o, "## Notes\n");
    if figures.iter().any(|f| f.spread.n == 0) {
        let _ = writeln!(
            o,
            "- n = 0: the figure is undefined in every run (a correlation with a loan rate the scenario holds \
             constant, an LSV measure with one product); `runs/seed-S/summary.json` says why."
        );
    }
    let _ = writeln!(
        o,
        "- Each run's own figures are in `replications.csv` (one row per run) and its directory \
         `runs/seed-S/`; `replications.json` holds this table's figures."
    );
    let _ = writeln!(
        o,
        "- Figures of many runs and many figures: a single interval that excludes a value is one figure's \
         reading at 95%, not a test of the whole table."
    );
    o
}

const BLUE: RGBColor = RGBColor(0, 114, 178);

/// The key figures' panels, or an empty plot's text when the directory has
/// none of them.
fn draw(rd: &ReplicationDir, figures: &[Figure]) -> Result<String, super::plot::PlotError> {
    let shown: Vec<&Figure> = PLOTTED.iter().filter_map(|p| figures.iter().find(|f| f.name == *p)).collect();
    let mut svg = String::new();
    {
        let height = 240 * shown.len().max(1) as u32 + 40;
        let root = SVGBackend::with_string(&mut svg, (900, height)).into_drawing_area();
        root.fill(&WHITE)?;
        let title = format!("{}: the key figures over {} runs, each run a dot", rd.scenario, rd.seeds.len());
        let root = root.titled(&title, ("sans-serif", 18))?;
        for (f, area) in shown.iter().zip(root.split_evenly((shown.len().max(1), 1)).iter()) {
            panel(f, area)?;
        }
        root.present()?;
    }
    Ok(svg)
}

fn panel(f: &Figure, area: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>) -> Result<(), super::plot::PlotError> {
    let success = f.name.ends_with("success");
    let scale = if success { 100.0 } else { 1.0 };
    let unit = if success { "percent" } else { "Pearson r" };
    let dots: Vec<(f64, f64)> =
        f.values.iter().enumerate().filter_map(|(k, v)| Some((k as f64, (*v)? * scale))).collect();
    let band = f.spread.lo.zip(f.spread.hi).map(|(lo, hi)| (lo * scale, hi * scale));
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for y in dots.iter().map(|d| d.1).chain(band.into_iter().flat_map(|(a, b)| [a, b])) {
        lo = lo.min(y);
        hi = hi.max(y);
    }
    if !(lo.is_finite() && hi.is_finite()) {
        (lo, hi) = (0.0, 1.0);
    }
    // A figure the same in every run still gets a band of axis around it.
    let pad = if hi > lo { 0.08 * (hi - lo) } else { 0.01 * scale };
    let runs = f.values.len().max(1) as f64;
    let y = (lo - pad)..(hi + pad);
    let y_decimals =
        super::plot::tick_decimals(&plotters::coord::types::RangedCoordf64::from(y.clone()).key_points(11));
    let mut chart = ChartBuilder::on(area)
        .margin(8)
        .x_label_area_size(30)
        .y_label_area_size(60)
        .caption(format!("{} ({})", f.name, f.meaning), ("sans-serif", 14))
        .build_cartesian_2d(-0.5..runs - 0.5, y)?;
    chart
        .configure_mesh()
        .x_desc("replication k (seed + k)")
        .y_desc(unit)
        .x_labels(f.values.len().clamp(1, 11))
        .x_label_formatter(&|v| if v.fract() == 0.0 && *v >= 0.0 { format!("{v:.0}") } else { String::new() })
        .y_label_formatter(&|v| super::plot::tick_label(*v, y_decimals))
        .light_line_style(WHITE)
        .label_style(("sans-serif", 11))
        .draw()?;
    if let Some((blo, bhi)) = band {
        chart
            .draw_series(std::iter::once(Rectangle::new([(-0.5, blo), (runs - 0.5, bhi)], BLUE.mix(0.15).filled())))?;
    }
    if let Some(m) = f.spread.mean {
        chart.draw_series(std::iter::once(PathElement::new(vec![(-0.5, m * scale), (runs - 0.5, m * scale)], BLUE)))?;
    }
    chart.draw_series(dots.iter().map(|&p| Circle::new(p, 3, BLACK.filled())))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_a_table_needs_them() {
        assert_eq!(num(None), "n/a");
        assert_eq!(num(Some(91624.0)), "91624");
        assert_eq!(num(Some(91624.33)), "91624");
        assert_eq!(num(Some(0.480_135_8)), "0.4801");
        assert_eq!(num(Some(-0.000_01)), "-1.00e-5");
        assert_eq!(num(Some(12.3456)), "12.346");
        assert_eq!(num(Some(-0.0)), "0");
    }
}
