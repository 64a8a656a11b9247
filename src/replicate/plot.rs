//! `comparison.svg`: per window, the mean paired difference (treatment −
//! control) of each per-window figure with its 95% interval band over
//! seeds, zero dashed and a vertical line at the change; one panel per
//! figure, windows along the x axis.

use plotters::element::DashedPathElement;
use plotters::prelude::*;

use super::compare::Comparison;
use super::windows::FIGURES;

const WIDTH: u32 = 1000;
const PANEL: u32 = 230;
const BLUE: RGBColor = RGBColor(0, 114, 178);
const VERMILION: RGBColor = RGBColor(213, 94, 0);
const GREY: RGBColor = RGBColor(150, 150, 150);

/// plotters' error, whose type depends on the backend, kept whole as the
/// cause of the run's error.
pub type PlotError = Box<dyn std::error::Error + Send + Sync>;

/// The SVG text, or what failed while drawing.
pub fn draw(cmp: &Comparison) -> Result<String, PlotError> {
    let mut svg = String::new();
    {
        let height = PANEL * FIGURES.len() as u32 + 40;
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE)?;
        let title = match &cmp.change {
            Some(c) => format!(
                "{} − {} per window over {} seeds, 95% paired interval; {} at {}",
                cmp.scenarios.1,
                cmp.scenarios.0,
                cmp.seeds.len(),
                c.target,
                c.at
            ),
            None => format!("{} − {} per window over {} seeds", cmp.scenarios.1, cmp.scenarios.0, cmp.seeds.len()),
        };
        let root = root.titled(&title, ("sans-serif", 18))?;
        let panels = root.split_evenly((FIGURES.len(), 1));
        for (i, area) in panels.iter().enumerate() {
            panel(cmp, i, area)?;
        }
        root.present()?;
    }
    Ok(svg)
}

type Area<'a> = DrawingArea<SVGBackend<'a>, plotters::coord::Shift>;

fn panel(cmp: &Comparison, figure: usize, area: &Area<'_>) -> Result<(), PlotError> {
    let rows: Vec<_> = cmp.windows.iter().filter(|r| r.figure == figure).collect();
    let n = rows.len().max(1) as f64;
    let (mut lo, mut hi) = (0.0f64, 0.0f64);
    for r in &rows {
        for v in [r.paired.diff.lo, r.paired.diff.hi, r.paired.diff.mean].into_iter().flatten() {
            lo = lo.min(v);
            hi = hi.max(v);
        }
    }
    if hi - lo <= 0.0 {
        (lo, hi) = (-1.0, 1.0);
    }
    let pad = 0.05 * (hi - lo);
    let (name, what) = FIGURES[figure];
    let mut chart = ChartBuilder::on(area)
        .margin(8)
        .x_label_area_size(28)
        .y_label_area_size(70)
        .caption(format!("{name} ({what}): difference, treatment − control"), ("sans-serif", 14))
        .build_cartesian_2d(0f64..n, (lo - pad)..(hi + pad))?;
    chart.configure_mesh().x_desc("window").light_line_style(WHITE).label_style(("sans-serif", 11)).draw()?;
    // The band, drawn as one polygon per run of windows with an interval.
    let mut run: Vec<(f64, f64, f64)> = Vec::new();
    let mut bands = Vec::new();
    for r in &rows {
        match (r.paired.diff.lo, r.paired.diff.hi) {
            (Some(l), Some(h)) => run.push((r.window as f64 + 0.5, l, h)),
            _ if !run.is_empty() => bands.push(std::mem::take(&mut run)),
            _ => {}
        }
    }
    if !run.is_empty() {
        bands.push(run);
    }
    for b in bands {
        let poly: Vec<(f64, f64)> =
            b.iter().map(|&(x, l, _)| (x, l)).chain(b.iter().rev().map(|&(x, _, h)| (x, h))).collect();
        chart.draw_series(std::iter::once(Polygon::new(poly, BLUE.mix(0.2).filled())))?;
    }
    chart.draw_series(std::iter::once(DashedPathElement::new(vec![(0.0, 0.0), (n, 0.0)], 4, 4, GREY)))?;
    let line: Vec<(f64, f64)> =
        rows.iter().filter_map(|r| Some((r.window as f64 + 0.5, r.paired.diff.mean?))).collect();
    chart.draw_series(LineSeries::new(line, BLUE.stroke_width(1)))?;
    if let Some(c) = &cmp.change {
        let x = c.window as f64;
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(x, lo - pad), (x, hi + pad)],
            VERMILION.stroke_width(2),
        )))?;
    }
    Ok(())
}
