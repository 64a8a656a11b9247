//! `comparison.svg`: per window, the mean paired difference (treatment −
//! control) of each per-window figure with its 95% interval band over
//! seeds, zero dashed and a vertical line at the change; one panel per
//! figure, windows along the x axis.

use plotters::coord::ranged1d::Ranged;
use plotters::coord::types::RangedCoordf64;
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
                "{} − {} per window over {} seeds, each window's own 95% paired interval; {} at {}",
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

/// The most tick labels an axis gets: plotters' own default, so the ticks
/// stay where they were and only their labels change.
const LABELS: usize = 11;

/// The fewest decimals that print every tick exactly: none for whole
/// numbers. plotters' own labels print every `f64` with a decimal point,
/// so an axis of window numbers read `0.0, 10.0, 20.0`.
pub(super) fn tick_decimals(ticks: &[f64]) -> usize {
    (0..6)
        .find(|&d| {
            let scale = 10f64.powi(d);
            ticks.iter().all(|t| ((t * scale).round() - t * scale).abs() < 1e-6)
        })
        .map_or(6, |d| d as usize)
}

/// A tick's label with `d` decimals, never `-0`: a tick at zero computed
/// as a tiny negative would print as one.
pub(super) fn tick_label(v: f64, d: usize) -> String {
    let s = format!("{v:.d$}");
    if s.chars().all(|c| matches!(c, '-' | '0' | '.')) { s.trim_start_matches('-').to_string() } else { s }
}

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
    let (name, what) = FIGURES[figure];
    // A success is drawn in percentage points, a count in its own unit.
    let (scale, unit) = if name.contains("success") {
        (100.0, "percentage points")
    } else if name == "volume" {
        (1.0, "lots")
    } else {
        (1.0, "orders")
    };
    let (lo, hi) = (lo * scale, hi * scale);
    let pad = 0.05 * (hi - lo);
    let (x, y) = (0f64..n, (lo - pad)..(hi + pad));
    // No more labels than windows, so that plotters steps by whole windows
    // (a step of half a window needs 2n + 1 labels): window numbers are
    // whole, and a label between two of them would name no window.
    let x_labels = rows.len().clamp(1, LABELS);
    let y_decimals = tick_decimals(&RangedCoordf64::from(y.clone()).key_points(LABELS));
    let mut chart = ChartBuilder::on(area)
        .margin(8)
        .x_label_area_size(28)
        .y_label_area_size(70)
        .caption(format!("{name} ({what}): difference, treatment − control"), ("sans-serif", 14))
        .build_cartesian_2d(x, y)?;
    // Ticks at whole windows name the window's start: its business day and
    // time of day.
    let start = |v: f64| {
        let w = v.round();
        let row = rows.iter().find(|r| r.window as f64 == w && (v - w).abs() < 1e-9)?;
        let secs = row.t_start.rem_euclid(86_400.0) as u64;
        Some(format!("day {} {:02}:{:02}", row.day + 1, secs / 3600, secs % 3600 / 60))
    };
    // A tick past the last window's start names no window.
    let x_label = |v: &f64| start(*v).unwrap_or_default();
    chart
        .configure_mesh()
        .x_desc("window's start (business day, time of day)")
        .y_desc(unit)
        .x_labels(x_labels.min(7))
        .y_labels(LABELS)
        .x_label_formatter(&x_label)
        .y_label_formatter(&|v| tick_label(*v, y_decimals))
        .light_line_style(WHITE)
        .label_style(("sans-serif", 11))
        .draw()?;
    // The band, drawn as one polygon per run of windows with an interval.
    let mut run: Vec<(f64, f64, f64)> = Vec::new();
    let mut bands = Vec::new();
    for r in &rows {
        match (r.paired.diff.lo, r.paired.diff.hi) {
            (Some(l), Some(h)) => run.push((r.window as f64 + 0.5, l * scale, h * scale)),
            _ if !run.is_empty() => bands.push(std::mem::take(&mut run)),
            _ => {}
        }
    }
    if !run.is_empty() {
        bands.push(run);
    }
    // The legend, on the first panel only: the same four marks on each.
    let legend = figure == 0;
    for (k, b) in bands.into_iter().enumerate() {
        let poly: Vec<(f64, f64)> =
            b.iter().map(|&(x, l, _)| (x, l)).chain(b.iter().rev().map(|&(x, _, h)| (x, h))).collect();
        let drawn = chart.draw_series(std::iter::once(Polygon::new(poly, BLUE.mix(0.2).filled())))?;
        if legend && k == 0 {
            drawn
                .label("each window's 95% paired interval over seeds (pointwise)")
                .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 16, y + 5)], BLUE.mix(0.2).filled()));
        }
    }
    let zero = chart.draw_series(std::iter::once(DashedPathElement::new(vec![(0.0, 0.0), (n, 0.0)], 4, 4, GREY)))?;
    if legend {
        zero.label("no difference").legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], GREY));
    }
    let line: Vec<(f64, f64)> =
        rows.iter().filter_map(|r| Some((r.window as f64 + 0.5, r.paired.diff.mean? * scale))).collect();
    let mean = chart.draw_series(LineSeries::new(line, BLUE.stroke_width(1)))?;
    if legend {
        mean.label("mean difference over seeds")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], BLUE.stroke_width(1)));
    }
    if let Some(c) = &cmp.change {
        let x = c.window as f64;
        let change = chart.draw_series(std::iter::once(PathElement::new(
            vec![(x, lo - pad), (x, hi + pad)],
            VERMILION.stroke_width(2),
        )))?;
        if legend {
            change
                .label(format!("the change ({} at {})", c.target, c.at))
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], VERMILION.stroke_width(2)));
        }
    }
    if legend {
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(GREY)
            .label_font(("sans-serif", 11))
            .draw()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::compare::WindowRow;
    use super::super::dir::Change;
    use super::super::stats::paired;
    use super::*;

    /// A comparison over `windows` windows whose differences are whole
    /// numbers (4 to 8 lots, or orders, across three seeds), the change at
    /// window 2.
    fn comparison(windows: usize) -> Comparison {
        let rows = (0..FIGURES.len())
            .flat_map(|figure| {
                (0..windows).map(move |w| {
                    let c = 100.0 + w as f64;
                    let pairs = [(Some(c), Some(c + 4.0)), (Some(c), Some(c + 6.0)), (Some(c), Some(c + 8.0))];
                    WindowRow {
                        window: w,
                        day: 0,
                        t_start: 34_200.0 + 300.0 * w as f64,
                        figure,
                        paired: paired(&pairs, crate::metrics::stats::UNBOUNDED),
                    }
                })
            })
            .collect();
        Comparison {
            scenarios: ("control".into(), "treatment".into()),
            seeds: vec![1, 2, 3],
            change: Some(Change { at: "day 0 09:40".into(), target: "loan_rate".into(), window: 2 }),
            span: None,
            until: windows,
            span_outlasts_run: false,
            figures: Vec::new(),
            windows: rows,
            change_in_control_only: false,
        }
    }

    /// The text of every `<text>` element, trimmed.
    fn labels(svg: &str) -> Vec<String> {
        svg.split("</text>").filter_map(|t| t.rsplit_once('>').map(|(_, l)| l.trim().to_string())).collect()
    }

    #[test]
    fn windows_label_by_their_start_and_the_figures_by_their_unit() {
        let l = labels(&draw(&comparison(30)).unwrap());
        for want in ["day 1 09:30", "day 1 09:55", "day 1 10:20", "day 1 10:45", "percentage points", "lots", "orders"]
        {
            assert!(l.iter().any(|x| x == want), "no label `{want}` in {l:?}");
        }
        assert!(!l.iter().any(|x| x == "0.0" || x == "10.0" || x == "5"), "{l:?}");
        for want in ["mean difference over seeds", "no difference", "the change (loan_rate at day 0 09:40)"] {
            assert_eq!(l.iter().filter(|x| *x == want).count(), 1, "`{want}` not once in {l:?}");
        }
        // The differences are whole numbers too, and so are their ticks.
        assert!(!l.iter().any(|x| x.parse::<f64>().is_ok() && x.contains('.')), "{l:?}");
        // Three windows: no tick between two window numbers.
        let l = labels(&draw(&comparison(3)).unwrap());
        assert!(l.iter().any(|x| x == "day 1 09:40") && !l.iter().any(|x| x == "0.5" || x == "1.5"), "{l:?}");
    }

    #[test]
    fn ticks_get_the_decimals_they_need_and_no_negative_zero() {
        assert_eq!(tick_decimals(&[0.0, 10.0, 20.0]), 0);
        assert_eq!(tick_decimals(&[-0.4, -0.2, 0.0, 0.2]), 1);
        assert_eq!(tick_decimals(&[-0.05, 0.0, 0.05, 0.1]), 2);
        // plotters' ticks carry float error: 0.30000000000000004 is 0.3.
        assert_eq!(tick_decimals(&[0.1 + 0.2, 0.6]), 1);
        assert_eq!(tick_label(20.0, 0), "20");
        assert_eq!(tick_label(-1e-17, 1), "0.0");
        assert_eq!(tick_label(-0.35, 2), "-0.35");
    }
}
