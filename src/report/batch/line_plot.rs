//! The figure of a key result against one parameter: means with 95% t
//! intervals over the pooled runs, single runs faint.

use plotters::prelude::*;

use super::super::plot::{DARK, DrawError, FONT, GREY, TickRange};
use super::aggregate::{Marginal, Scale, ValueGroup};
use super::frame::{Chart, Mark, clip, log_ticks, marker, padded, render, y_label};
use super::keys::{KeyResult, ValueKind, series_color, short};
use crate::metrics::stats::MeanInterval;

/// What the plot of a key result against a parameter draws.
pub struct LineInput<'a> {
    /// The figure's title.
    pub title: &'a str,
    /// What the x axis (the parameter) is.
    pub x_desc: &'a str,
    /// The key result drawn: its series, colours and how its numbers read.
    pub key: &'a KeyResult,
    /// Labels of the series in `marginal`'s cells.
    pub labels: &'a [&'a str],
    /// The runs and means to draw, grouped by the parameter's values.
    pub marginal: &'a Marginal,
    /// The sentence under the figure.
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
    let y_range = padded(y_lo, y_hi, if p.key.kind == ValueKind::Count { 1.0 } else { 0.005 });
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
        if p.key.kind == ValueKind::Coefficient && y_range.start < 0.0 && y_range.end > 0.0 {
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
    groups: &[ValueGroup],
    s: usize,
    dx: f64,
    span: f64,
    color: RGBColor,
    tri: bool,
    join: bool,
) -> Result<(), DrawError> {
    let runs = groups.iter().flat_map(|g| g.cells[s].runs.iter().map(|&(x, y)| (x + dx, y)));
    chart.draw_series(runs.map(|p| marker(p, 3, color.mix(0.45).filled(), tri)))?;
    let means: Vec<(f64, MeanInterval)> =
        groups.iter().filter_map(|g| g.cells[s].stat.map(|st| (g.x + dx, st))).collect();
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
