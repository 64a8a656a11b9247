//! The plots: each a pure function from the data read to the text of an SVG
//! file, drawn with `plotters` into a string. Text is written as SVG `<text>`
//! elements, so no font is needed to draw; the viewer picks a sans-serif one.
//!
//! Every plot has a title, axis descriptions with units and a legend (drawn
//! under the chart, so it never hides data). Time runs along the x axis as
//! trading hours with the sessions joined (see [`TimeAxis`]); each value is
//! drawn at the middle of its window, and a line breaks where a value is
//! undefined or a day ends.

use std::ops::Range;

use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::types::RangedCoordf64;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axis::TimeAxis;
use super::data::MetricsRow;
use super::legend::{Entry, Swatch, draw_legend, entry, legend_rows};
use super::num;
use crate::metrics::{Correlation, stats};

/// Width of every plot, in pixels.
pub(super) const WIDTH: u32 = 1000;
pub(super) const FONT: &str = "sans-serif";

// The Okabe–Ito palette: told apart with the common colour-vision deficiencies.
pub(super) const OKABE_BLUE: RGBColor = RGBColor(0, 114, 178);
pub(super) const VERMILION: RGBColor = RGBColor(213, 94, 0);
pub(super) const OKABE_GREEN: RGBColor = RGBColor(0, 158, 115);
const ORANGE: RGBColor = RGBColor(230, 159, 0);
const PURPLE: RGBColor = RGBColor(204, 121, 167);
const SKY: RGBColor = RGBColor(86, 180, 233);
pub(super) const DARK: RGBColor = RGBColor(40, 40, 40);
pub(super) const GREY: RGBColor = RGBColor(150, 150, 150);

/// A drawing failure: plotters' error, whose type depends on the backend.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct DrawError(Box<dyn std::error::Error + Send + Sync>);

impl<E: std::error::Error + Send + Sync + 'static> From<DrawingAreaErrorKind<E>> for DrawError {
    fn from(e: DrawingAreaErrorKind<E>) -> Self {
        DrawError(Box::new(e))
    }
}

pub(super) type Area<'b> = DrawingArea<SVGBackend<'b>, Shift>;
type TimeChart<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<TickRange, RangedCoordf64>>;

/// A linear coordinate with the given ticks, or plotters' own: the time
/// plots' hours carry the [`TimeAxis`]'s ticks (plotters' `WithKeyPoints`
/// over `f64` cannot take a label formatter), the sweep figures their levels.
pub(super) struct TickRange {
    inner: RangedCoordf64,
    ticks: Option<Vec<f64>>,
}

impl TickRange {
    pub(super) fn new(r: Range<f64>, ticks: Option<Vec<f64>>) -> TickRange {
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
        // Given ticks: only bold grid lines and labels, at the ticks.
        match &self.ticks {
            Some(_) if hint.weight().allow_light_points() => Vec::new(),
            Some(t) => t.clone(),
            None => self.inner.key_points(hint),
        }
    }

    fn range(&self) -> Range<f64> {
        self.inner.range()
    }
}

/// A time series: (window, day, x on the axis, value).
type Series<T = f64> = Vec<(u64, u64, f64, Option<T>)>;

fn series<T>(axis: &TimeAxis, rows: &[MetricsRow], f: impl Fn(&MetricsRow) -> Option<T>) -> Series<T> {
    rows.iter().map(|r| (r.window, r.day, mid_x(axis, r), f(r))).collect()
}

fn mid_x(axis: &TimeAxis, r: &MetricsRow) -> f64 {
    (axis.x(r.day, r.t_start) + axis.x(r.day, r.t_end)) / 2.0
}

/// The runs of consecutive defined values of a series, broken where a value
/// is undefined, a window is missing or a day ends.
fn segments<T: Copy>(s: &Series<T>) -> Vec<Vec<(f64, T)>> {
    let mut out: Vec<Vec<(f64, T)>> = Vec::new();
    let mut prev: Option<(u64, u64)> = None;
    for &(w, d, x, y) in s {
        match y {
            Some(y) => {
                let joined = prev.is_some_and(|(pw, pd)| pd == d && w == pw + 1);
                match out.last_mut() {
                    Some(seg) if joined => seg.push((x, y)),
                    _ => out.push(vec![(x, y)]),
                }
                prev = Some((w, d));
            }
            None => prev = None,
        }
    }
    out
}

/// The smallest and largest defined values, if any.
fn extent(values: impl IntoIterator<Item = Option<f64>>) -> Option<(f64, f64)> {
    values.into_iter().flatten().filter(|v| v.is_finite()).fold(None, |acc, v| match acc {
        None => Some((v, v)),
        Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
    })
}

/// A range around `lo..hi` with a margin, never empty.
fn padded(lo: f64, hi: f64, min_half_width: f64) -> Range<f64> {
    let span = hi - lo;
    if span <= 0.0 {
        let half = (lo.abs() * 0.001).max(min_half_width);
        return (lo - half)..(hi + half);
    }
    (lo - span * 0.06)..(hi + span * 0.06)
}

/// Decimals that tell apart ticks over a span.
pub(super) fn decimals(span: f64) -> usize {
    if span <= 0.0 || !span.is_finite() {
        return 2;
    }
    ((-(span / 5.0).log10()).ceil() as i64 + 1).clamp(0, 6) as usize
}

/// Draws into an SVG string of the given height: the title at the top, the
/// legend at the bottom, and `body` gets the area between.
fn render(
    height: u32,
    title: &str,
    legend: &[Entry],
    body: impl FnOnce(&Area<'_>) -> Result<(), DrawError>,
) -> Result<String, DrawError> {
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE)?;
        let inner = root.titled(title, (FONT, 24).into_font().color(&DARK))?;
        let rows = legend_rows(legend);
        let (_, h) = inner.dim_in_pixel();
        let legend_h = (rows * 22 + 14).min(h / 2);
        let (chart, key) = inner.split_vertically(h - legend_h);
        body(&chart)?;
        draw_legend(&key, legend)?;
        root.present()?;
    }
    Ok(buf)
}

/// The colour of event markers.
const EVENT: RGBColor = RGBColor(120, 28, 129);

/// A chart over the time axis with its mesh, axis descriptions, lines at
/// each day's open and the axis's events: a dashed vertical line each, with
/// its label when `mark_labels` (the top panel of a figure).
fn time_chart<'a, 'b>(
    area: &'a Area<'b>,
    axis: &TimeAxis,
    y: Range<f64>,
    y_desc: &str,
    y_fmt: &dyn Fn(&f64) -> String,
    x_desc: bool,
    mark_labels: bool,
) -> Result<TimeChart<'a, 'b>, DrawError> {
    let (y0, y1) = (y.start, y.end);
    let mut ticks = axis.ticks(if axis.n_days() > 1 { 8 } else { 12 });
    if ticks.is_empty() {
        ticks.push(0.0);
    }
    let mut chart = ChartBuilder::on(area)
        .margin(10)
        .margin_right(30)
        .x_label_area_size(if x_desc { 50 } else { 25 })
        .y_label_area_size(80)
        .build_cartesian_2d(TickRange::new(0.0..axis.hours(), Some(ticks)), y)?;
    let x_fmt = |x: &f64| axis.label(*x);
    chart
        .configure_mesh()
        .x_desc(if x_desc { axis.description() } else { String::new() })
        .y_desc(y_desc)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(y_fmt)
        .y_labels(8)
        .label_style((FONT, 13).into_font().color(&DARK))
        .axis_desc_style((FONT, 15).into_font().color(&DARK))
        .bold_line_style(GREY.mix(0.25))
        .light_line_style(GREY.mix(0.08))
        .draw()?;
    chart.draw_series(
        axis.day_starts().into_iter().map(|x| PathElement::new(vec![(x, y0), (x, y1)], GREY.mix(0.8).stroke_width(1))),
    )?;
    draw_marks(&mut chart, axis, (y0, y1), mark_labels)?;
    Ok(chart)
}

/// The events of the axis: a dashed line each, and its label near the top,
/// staggered over three rows so that close events stay legible; a label in
/// the right quarter is written leftwards.
fn draw_marks(
    chart: &mut TimeChart<'_, '_>,
    axis: &TimeAxis,
    (y0, y1): (f64, f64),
    labels: bool,
) -> Result<(), DrawError> {
    let right = axis.hours() * 0.75;
    for (i, (x, label)) in axis.marks().iter().enumerate() {
        let line = DashedPathElement::new(vec![(*x, y0), (*x, y1)], 7, 4, EVENT.stroke_width(2));
        chart.draw_series(std::iter::once(line))?;
        if !labels {
            continue;
        }
        let y = y1 - (y1 - y0) * (0.04 + 0.07 * (i % 3) as f64);
        let (pos, dx) = if *x > right { (HPos::Right, -5) } else { (HPos::Left, 5) };
        let font = (FONT, 14).into_font().color(&EVENT).pos(Pos::new(pos, VPos::Center));
        let text = EmptyElement::at((*x, y)) + Text::new(label.clone(), (dx, 0), font);
        chart.draw_series(std::iter::once(text))?;
    }
    Ok(())
}

/// Draws a series as lines broken at gaps, with a dot at every value.
fn draw_line(
    chart: &mut TimeChart<'_, '_>,
    s: &Series,
    color: RGBColor,
    dashed: bool,
    dots: bool,
) -> Result<(), DrawError> {
    for seg in segments(s) {
        if dashed {
            chart.draw_series(std::iter::once(DashedPathElement::new(seg.clone(), 6, 4, color.stroke_width(2))))?;
        } else {
            chart.draw_series(std::iter::once(PathElement::new(seg.clone(), color.stroke_width(2))))?;
        }
        if dots || seg.len() == 1 {
            chart.draw_series(seg.iter().map(|&p| Circle::new(p, 2, color.filled())))?;
        }
    }
    Ok(())
}

/// Draws the band between the bounds (lo, hi) where they are defined: a
/// polygon per run of windows, a vertical bar for a lone window.
fn draw_band(chart: &mut TimeChart<'_, '_>, band: &Series<(f64, f64)>, color: RGBColor) -> Result<(), DrawError> {
    for seg in segments(band) {
        if let [(x, (lo, hi))] = seg[..] {
            let bar = PathElement::new(vec![(x, lo), (x, hi)], color.mix(0.35).stroke_width(3));
            chart.draw_series(std::iter::once(bar))?;
            continue;
        }
        let mut poly: Vec<(f64, f64)> = seg.iter().map(|&(x, (_, hi))| (x, hi)).collect();
        poly.extend(seg.iter().rev().map(|&(x, (lo, _))| (x, lo)));
        chart.draw_series(std::iter::once(Polygon::new(poly, color.mix(0.2).filled())))?;
    }
    Ok(())
}

fn pct_label(y: &f64) -> String {
    format!("{}%", num::fixed(y * 100.0, 0))
}

/// Plot 1: subscription and sale success over time, with the Wilson band
/// when `bands` (the interval columns exist).
pub fn success(
    title: &str,
    axis: &TimeAxis,
    rows: &[MetricsRow],
    window: &str,
    bands: bool,
) -> Result<String, DrawError> {
    let sub = series(axis, rows, |r| r.sub_success);
    let sale = series(axis, rows, |r| r.sale_success);
    let mut legend = vec![
        entry(Swatch::Line(OKABE_BLUE), "subscriptions (buy orders filled whole / closed)"),
        entry(Swatch::Line(VERMILION), "sales (sell orders filled whole / closed)"),
    ];
    if bands {
        legend.push(entry(Swatch::Band(OKABE_BLUE), "subscriptions: 95% Wilson interval"));
        legend.push(entry(Swatch::Band(VERMILION), "sales: 95% Wilson interval"));
    }
    render(560, title, &legend, |area| {
        let y_desc = format!("success probability per {window} window (%)");
        let mut chart = time_chart(area, axis, -0.02..1.02, &y_desc, &pct_label, true, true)?;
        if bands {
            draw_band(&mut chart, &series(axis, rows, |r| r.sub_lo.zip(r.sub_hi)), OKABE_BLUE)?;
            draw_band(&mut chart, &series(axis, rows, |r| r.sale_lo.zip(r.sale_hi)), VERMILION)?;
        }
        draw_line(&mut chart, &sub, OKABE_BLUE, false, true)?;
        draw_line(&mut chart, &sale, VERMILION, false, true)?;
        Ok(())
    })
}

/// Plot 2: lots traded per window, as bars spanning their windows.
pub fn volume(title: &str, axis: &TimeAxis, rows: &[MetricsRow], window: &str) -> Result<String, DrawError> {
    let top = rows.iter().map(|r| r.volume).fold(0.0, f64::max);
    let legend =
        [entry(Swatch::Bar(OKABE_BLUE), format!("lots traded in the {window} window (platform trades included)"))];
    render(520, title, &legend, |area| {
        let y_top = if top > 0.0 { top * 1.08 } else { 1.0 };
        let y_desc = format!("volume (lots per {window} window)");
        let mut chart = time_chart(area, axis, 0.0..y_top, &y_desc, &|y| num::count(y.round()), true, true)?;
        chart.draw_series(rows.iter().filter(|r| r.volume > 0.0).map(|r| {
            let (x0, x1) = (axis.x(r.day, r.t_start), axis.x(r.day, r.t_end));
            let gap = (x1 - x0) * 0.08;
            Rectangle::new([(x0 + gap, 0.0), (x1 - gap, r.volume)], OKABE_BLUE.mix(0.8).filled())
        }))?;
        Ok(())
    })
}

/// The least-squares line y = a + b·x; `None` with fewer than two points or
/// no spread in x.
pub fn least_squares(x: &[f64], y: &[f64]) -> Option<(f64, f64)> {
    let n = x.len().min(y.len());
    if n < 2 {
        return None;
    }
    let mx = x[..n].iter().sum::<f64>() / n as f64;
    let my = y[..n].iter().sum::<f64>() / n as f64;
    let sxx: f64 = x[..n].iter().map(|a| (a - mx) * (a - mx)).sum();
    if sxx <= 0.0 {
        return None;
    }
    let sxy: f64 = x[..n].iter().zip(&y[..n]).map(|(a, b)| (a - mx) * (b - my)).sum();
    let b = sxy / sxx;
    Some((my - b * mx, b))
}

/// The part of the line y = a + b·x over `x0..x1` that stays within `y0..y1`.
fn clipped_line((a, b): (f64, f64), (x0, x1): (f64, f64), (y0, y1): (f64, f64)) -> Option<[(f64, f64); 2]> {
    let (mut lo, mut hi) = (x0, x1);
    if b.abs() > 0.0 {
        let (xa, xb) = ((y0 - a) / b, (y1 - a) / b);
        lo = lo.max(xa.min(xb));
        hi = hi.min(xa.max(xb));
    } else if !(y0..=y1).contains(&a) {
        return None;
    }
    (lo <= hi).then_some([(lo, a + b * lo), (hi, a + b * hi)])
}

/// The pairs (volume, success) of the windows where the side's success is defined.
fn pairs(rows: &[MetricsRow], f: impl Fn(&MetricsRow) -> Option<f64>) -> (Vec<f64>, Vec<f64>) {
    rows.iter().filter_map(|r| f(r).map(|s| (r.volume, s))).unzip()
}

/// Correlation figures of a side: (n, Pearson r, Spearman rho, fitted line).
pub type SideFit = (usize, Option<f64>, Option<f64>, Option<(f64, f64)>);

/// n, r, rho and the least-squares line of success against volume for one side.
pub fn side_fit(rows: &[MetricsRow], f: impl Fn(&MetricsRow) -> Option<f64>) -> SideFit {
    let (x, y) = pairs(rows, f);
    (x.len(), stats::pearson(&x, &y), stats::spearman(&x, &y), least_squares(&x, &y))
}

/// The 95% interval of a side's Pearson r that allows for the windows'
/// serial dependence, as `summary.json` gives it (`serial_dependence`:
/// Fisher's z with Bartlett's effective number of windows), and Spearman's
/// ρ's (the same with the ranks' effective number, and the variance factor
/// 1.06 of Fieller, Hartley and Pearson 1957).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RInterval {
    /// The interval's low and high ends.
    pub ci_95: [f64; 2],
    /// The effective number of windows it stands on.
    pub effective_windows: f64,
    /// ρ's interval, when the summary has it for the same ρ.
    pub rho_ci_95: Option<[f64; 2]>,
}

impl RInterval {
    /// The interval `summary.json` gives in `c`, when it is the interval of
    /// the r that `fit` recomputed from `metrics.csv`: the same windows and
    /// the same r. A summary of other data (a file replaced by hand) gives
    /// none, so that no plot pairs an r with another r's interval.
    pub fn of(c: &Correlation, fit: &SideFit) -> Option<RInterval> {
        let (n, r, rho, _) = *fit;
        let d = c.serial_dependence.as_ref()?;
        let close = |a: Option<f64>, b: Option<f64>| matches!((a, b), (Some(a), Some(b)) if (a - b).abs() <= 1e-6);
        let same = c.windows == n && close(c.pearson, r);
        let ci_95 = d.pearson_ci_95.filter(|_| same)?;
        let rho_ci_95 = d.spearman_ci_95.filter(|_| close(c.spearman, rho));
        Some(RInterval { ci_95, effective_windows: d.effective_windows, rho_ci_95 })
    }
}

/// `ρ = +0.512 (95% CI +0.301 to +0.676)` with the interval that allows
/// for serial dependence, when there is one; else `ρ = +0.512`.
pub fn rho_with_interval(rho: Option<f64>, ci: Option<RInterval>) -> String {
    let text = format!("ρ = {}", num::signed(rho, 3));
    match (rho, ci.and_then(|c| c.rho_ci_95)) {
        (Some(_), Some([lo, hi])) => {
            format!("{text} (95% CI {} to {})", num::signed(Some(lo), 3), num::signed(Some(hi), 3))
        }
        _ => text,
    }
}

/// `r = +0.793 (95% CI +0.670 to +0.874)` with the interval that allows for
/// serial dependence; without one, `r = +0.793 (windows taken as
/// independent)`, so that a bare r does not claim more certainty than it has.
pub fn r_with_interval(r: Option<f64>, ci: Option<RInterval>) -> String {
    let text = format!("r = {}", num::signed(r, 3));
    match (r, ci) {
        (None, _) => text,
        (Some(_), Some(RInterval { ci_95: [lo, hi], .. })) => {
            format!("{text} (95% CI {} to {})", num::signed(Some(lo), 3), num::signed(Some(hi), 3))
        }
        (Some(_), None) => format!("{text} (windows taken as independent)"),
    }
}

/// Plot 3: success against volume over windows, both sides, with their
/// least-squares lines and correlations; r with the interval of
/// `intervals` (subscriptions, sales) where there is one.
pub fn scatter(
    title: &str,
    rows: &[MetricsRow],
    window: &str,
    intervals: [Option<RInterval>; 2],
) -> Result<String, DrawError> {
    let (sx, sy) = pairs(rows, |r| r.sub_success);
    let (ax, ay) = pairs(rows, |r| r.sale_success);
    let sub = side_fit(rows, |r| r.sub_success);
    let sale = side_fit(rows, |r| r.sale_success);
    let [sub_ci, sale_ci] = intervals;
    let corr = |(_, r, rho, _): SideFit, ci| format!("{}, {}", r_with_interval(r, ci), rho_with_interval(rho, ci));
    let windows = |n: usize, ci: Option<RInterval>| match ci {
        Some(ci) => format!("{n} windows, effective n ≈ {}", num::count(ci.effective_windows)),
        None => format!("{n} windows"),
    };
    let mut legend = vec![
        entry(Swatch::Circle(OKABE_BLUE), format!("subscriptions: one dot per window ({})", windows(sub.0, sub_ci))),
        entry(Swatch::Triangle(VERMILION), format!("sales: one triangle per window ({})", windows(sale.0, sale_ci))),
        entry(Swatch::Line(OKABE_BLUE), format!("subscriptions, least-squares line: {}", corr(sub, sub_ci))),
        entry(Swatch::Line(VERMILION), format!("sales, least-squares line: {}", corr(sale, sale_ci))),
    ];
    if sub_ci.is_some() || sale_ci.is_some() {
        legend.push(entry(
            Swatch::Note,
            "95% CIs allowing for serial dependence: Fisher's z with the effective n of the windows (of their ranks, for ρ)",
        ));
    }
    let top = sx.iter().chain(&ax).copied().fold(0.0, f64::max);
    let x_top = if top > 0.0 { top * 1.05 } else { 1.0 };
    render(660, title, &legend, |area| {
        let mut chart = ChartBuilder::on(area)
            .margin(10)
            .margin_right(30)
            .x_label_area_size(50)
            .y_label_area_size(80)
            .build_cartesian_2d(0.0..x_top, -0.02..1.02)?;
        chart
            .configure_mesh()
            .x_desc(format!("volume (lots traded per {window} window)"))
            .y_desc(format!("success probability per {window} window (%)"))
            .x_label_formatter(&|x| num::count(x.round()))
            .y_label_formatter(&pct_label)
            .label_style((FONT, 13).into_font().color(&DARK))
            .axis_desc_style((FONT, 15).into_font().color(&DARK))
            .bold_line_style(GREY.mix(0.25))
            .light_line_style(GREY.mix(0.08))
            .draw()?;
        chart.draw_series(sx.iter().zip(&sy).map(|(&x, &y)| Circle::new((x, y), 3, OKABE_BLUE.mix(0.55).filled())))?;
        chart.draw_series(
            ax.iter().zip(&ay).map(|(&x, &y)| TriangleMarker::new((x, y), 4, VERMILION.mix(0.55).filled())),
        )?;
        for (fit, xs, color) in [(sub.3, &sx, OKABE_BLUE), (sale.3, &ax, VERMILION)] {
            let Some(line) = fit else { continue };
            let (x0, x1) = xs.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| (a.min(x), b.max(x)));
            if let Some(seg) = clipped_line(line, (x0, x1), (-0.02, 1.02)) {
                chart.draw_series(std::iter::once(PathElement::new(seg.to_vec(), color.stroke_width(2))))?;
            }
        }
        Ok(())
    })
}

/// What the price plot has to draw.
pub struct PriceInput<'a> {
    /// The product's rows of `metrics.csv`, in window order.
    pub rows: &'a [MetricsRow],
    /// Whether `metrics.csv` has a `mid_price` column to draw.
    pub has_mid: bool,
    /// Whether it has a `nav` column to draw.
    pub has_nav: bool,
    /// Whether it has a `loan_rate` column (the lower panel).
    pub has_loan: bool,
    /// Whether it has a `deposit_rate` column (the lower panel).
    pub has_deposit: bool,
}

/// Plot 4: last and mid price and NAV (top panel), loan and deposit rates
/// (bottom panel, when present).
pub fn price(title: &str, axis: &TimeAxis, p: &PriceInput<'_>) -> Result<String, DrawError> {
    let rows = p.rows;
    let last = series(axis, rows, |r| r.last_price);
    let mid = series(axis, rows, |r| r.mid_price);
    let nav = series(axis, rows, |r| r.nav);
    let mut legend = vec![entry(Swatch::Line(DARK), "last trade price (carried forward)")];
    if p.has_mid {
        legend.push(entry(Swatch::Line(SKY), "mid price at the window's end (best bid + best ask) / 2"));
    }
    if p.has_nav {
        legend.push(entry(Swatch::Dashed(OKABE_GREEN), "net asset value (NAV)"));
    }
    let rates = p.has_loan || p.has_deposit;
    if p.has_loan {
        legend.push(entry(Swatch::Line(VERMILION), "bank loan rate at the window's start (lower panel)"));
    }
    if p.has_deposit {
        legend.push(entry(Swatch::Dashed(PURPLE), "deposit rate at the window's start (lower panel)"));
    }
    let prices = extent(rows.iter().flat_map(|r| [r.last_price, r.mid_price, r.nav]));
    render(if rates { 760 } else { 560 }, title, &legend, |area| {
        let (top, bottom) = if rates {
            let (_, h) = area.dim_in_pixel();
            let (t, b) = area.split_vertically(h * 62 / 100);
            (t, Some(b))
        } else {
            (area.clone(), None)
        };
        let (lo, hi) = prices.unwrap_or((0.0, 1.0));
        let y = padded(lo, hi, 1e-4);
        let d = decimals(y.end - y.start);
        let price_fmt = |v: &f64| num::fixed(*v, d);
        let mut chart =
            time_chart(&top, axis, y, "price (currency units per unit)", &price_fmt, bottom.is_none(), true)?;
        if p.has_nav {
            draw_line(&mut chart, &nav, OKABE_GREEN, true, false)?;
        }
        draw_line(&mut chart, &last, DARK, false, false)?;
        if p.has_mid {
            draw_line(&mut chart, &mid, SKY, false, false)?;
        }
        if let Some(bottom) = bottom {
            let loan = series(axis, rows, |r| r.loan_rate.map(|v| v * 100.0));
            let deposit = series(axis, rows, |r| r.deposit_rate.map(|v| v * 100.0));
            let (lo, hi) = extent(loan.iter().chain(&deposit).map(|s| s.3)).unwrap_or((0.0, 1.0));
            let y = padded(lo, hi, 0.25);
            let d = decimals(y.end - y.start);
            let mut chart =
                time_chart(&bottom, axis, y, "rate (% per year)", &|v| format!("{}%", num::fixed(*v, d)), true, false)?;
            if p.has_loan {
                draw_line(&mut chart, &loan, VERMILION, false, false)?;
            }
            if p.has_deposit {
                draw_line(&mut chart, &deposit, PURPLE, true, false)?;
            }
        }
        Ok(())
    })
}

/// Plot 5: the share of optimists among herd followers at each window's end.
pub fn optimists(title: &str, axis: &TimeAxis, rows: &[MetricsRow]) -> Result<String, DrawError> {
    let s = series(axis, rows, |r| r.optimist_share);
    let legend = [
        entry(Swatch::Line(ORANGE), "optimists among all herd followers at the window's end (%)"),
        entry(Swatch::Dashed(GREY), "one half: as many optimists as pessimists"),
    ];
    render(520, title, &legend, |area| {
        let mut chart = time_chart(
            area,
            axis,
            -0.02..1.02,
            "share of herd followers who are optimists (%)",
            &pct_label,
            true,
            true,
        )?;
        chart.draw_series(std::iter::once(DashedPathElement::new(
            vec![(0.0, 0.5), (axis.hours(), 0.5)],
            6,
            4,
            GREY.stroke_width(1),
        )))?;
        draw_line(&mut chart, &s, ORANGE, false, true)?;
        Ok(())
    })
}

/// Plot 6: the rolling correlations of success with volume over the last K
/// windows, a panel per side (subscriptions above, sales below), each
/// Pearson r over its 95% interval allowing for the windows' serial
/// dependence when `bands` (the interval columns exist). One panel per side
/// because two wide bands over one another blend into a colour that is
/// neither side's.
pub fn rolling(
    title: &str,
    axis: &TimeAxis,
    rows: &[MetricsRow],
    k: Option<u64>,
    bands: bool,
) -> Result<String, DrawError> {
    let last = k.map_or("the last K windows".to_string(), |k| format!("the last {k} windows (fewer at first)"));
    let mut legend = vec![
        entry(Swatch::Line(OKABE_BLUE), format!("subscriptions: Pearson r over {last}")),
        entry(Swatch::Dashed(OKABE_BLUE), format!("subscriptions: Spearman ρ over {last}")),
        entry(Swatch::Line(VERMILION), format!("sales: Pearson r over {last}")),
        entry(Swatch::Dashed(VERMILION), format!("sales: Spearman ρ over {last}")),
    ];
    if bands {
        legend.push(entry(Swatch::Band(OKABE_BLUE), "subscriptions: 95% interval of r"));
        legend.push(entry(Swatch::Band(VERMILION), "sales: 95% interval of r"));
        legend.push(entry(
            Swatch::Note,
            "95% intervals allow for serial dependence: Fisher's z with the effective number of windows",
        ));
    }
    type Pick = fn(&MetricsRow) -> Option<f64>;
    type PickBand = fn(&MetricsRow) -> Option<(f64, f64)>;
    let sides: [(&str, RGBColor, Pick, Pick, PickBand); 2] = [
        (
            "subscriptions",
            OKABE_BLUE,
            |r| r.roll_sub_pearson,
            |r| r.roll_sub_spearman,
            |r| r.roll_sub_lo.zip(r.roll_sub_hi),
        ),
        ("sales", VERMILION, |r| r.roll_sale_pearson, |r| r.roll_sale_spearman, |r| r.roll_sale_lo.zip(r.roll_sale_hi)),
    ];
    render(800, title, &legend, |area| {
        let (_, h) = area.dim_in_pixel();
        let (top, bottom) = area.split_vertically(h / 2 - 12);
        for (i, (panel, (side, color, pearson, spearman, band))) in [top, bottom].iter().zip(sides).enumerate() {
            let y_desc = format!("{side}: correlation with volume");
            let fmt = |v: &f64| num::fixed_signed(*v, 1);
            // The time axis is described under the lower panel, the events labelled over the upper.
            let mut chart = time_chart(panel, axis, -1.05..1.05, &y_desc, &fmt, i == 1, i == 0)?;
            // The band first, so that the lines are drawn over it.
            if bands {
                draw_band(&mut chart, &series(axis, rows, band), color)?;
            }
            let zero = PathElement::new(vec![(0.0, 0.0), (axis.hours(), 0.0)], DARK.mix(0.6));
            chart.draw_series(std::iter::once(zero))?;
            draw_line(&mut chart, &series(axis, rows, pearson), color, false, false)?;
            draw_line(&mut chart, &series(axis, rows, spearman), color, true, false)?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows() -> Vec<MetricsRow> {
        (0..6)
            .map(|w| MetricsRow {
                window: w,
                day: w / 3,
                date: Some(if w < 3 { "2026-01-05" } else { "2026-01-06" }.into()),
                t_start: (w / 3) as f64 * 86_400.0 + 34_200.0 + (w % 3) as f64 * 300.0,
                t_end: (w / 3) as f64 * 86_400.0 + 34_500.0 + (w % 3) as f64 * 300.0,
                sub_success: (w != 1).then_some(0.1 * w as f64),
                sub_lo: (w != 1).then_some(0.0),
                sub_hi: (w != 1).then_some(0.9),
                sale_success: Some(0.5),
                volume: 10.0 * w as f64,
                last_price: (w > 0).then_some(1.0001),
                loan_rate: Some(0.0435),
                roll_sub_pearson: (w >= 2).then_some(0.5),
                roll_sub_lo: (w >= 2).then_some(-0.2),
                roll_sub_hi: (w >= 2).then_some(0.9),
                roll_sale_pearson: (w >= 3).then_some(-0.3),
                roll_sale_lo: (w >= 3).then_some(-0.8),
                roll_sale_hi: (w >= 3).then_some(0.4),
                ..MetricsRow::default()
            })
            .collect()
    }

    #[test]
    fn segments_break_at_gaps_and_days() {
        let r = rows();
        let axis = TimeAxis::new(&r);
        let s = series(&axis, &r, |r| r.sub_success);
        let lens: Vec<usize> = segments(&s).iter().map(Vec::len).collect();
        // Window 1 undefined, day 0 ends after window 2.
        assert_eq!(lens, [1, 1, 3]);
    }

    #[test]
    fn least_squares_fits_a_line() {
        let (a, b) = least_squares(&[0.0, 1.0, 2.0], &[1.0, 3.0, 5.0]).unwrap();
        assert!((a - 1.0).abs() < 1e-12 && (b - 2.0).abs() < 1e-12);
        assert_eq!(least_squares(&[1.0, 1.0], &[0.0, 1.0]), None);
        assert_eq!(least_squares(&[1.0], &[0.0]), None);
    }

    #[test]
    fn fitted_lines_are_clipped_to_the_chart() {
        let [p, q] = clipped_line((0.0, 1.0), (0.0, 10.0), (0.0, 1.0)).unwrap();
        assert_eq!((p, q), ((0.0, 0.0), (1.0, 1.0)));
        assert!(clipped_line((5.0, 0.0), (0.0, 1.0), (0.0, 1.0)).is_none());
    }

    #[test]
    fn ranges_are_never_empty() {
        let r = padded(1.0, 1.0, 1e-4);
        assert!(r.start < r.end);
        assert_eq!(decimals(0.0), 2);
        assert_eq!(decimals(0.001), 5);
    }

    fn well_formed(svg: &str, title: &str) {
        assert!(svg.starts_with("<svg"), "{}", &svg[..50.min(svg.len())]);
        assert!(svg.trim_end().ends_with("</svg>"));
        assert!(svg.contains(title), "no title `{title}`");
        assert!(!svg.contains("NaN"), "NaN in the drawing");
    }

    #[test]
    fn every_plot_draws_ordinary_and_degenerate_data() {
        let r = rows();
        let axis = TimeAxis::new(&r);
        well_formed(&success("S", &axis, &r, "5-minute", true).unwrap(), "S");
        well_formed(&volume("V", &axis, &r, "5-minute").unwrap(), "V");
        well_formed(&scatter("X", &r, "5-minute", [None, None]).unwrap(), "X");
        let p = PriceInput { rows: &r, has_mid: true, has_nav: true, has_loan: true, has_deposit: false };
        well_formed(&price("P", &axis, &p).unwrap(), "P");
        well_formed(&optimists("O", &axis, &r).unwrap(), "O");
        well_formed(&rolling("R", &axis, &r, Some(12), true).unwrap(), "R");
        // Events are marked, with their labels, on every time plot.
        let marked = axis.clone().with_marks(vec![(0.5, "loan rate +150 bp".into())]);
        for svg in [
            success("S", &marked, &r, "5-minute", true).unwrap(),
            volume("V", &marked, &r, "5-minute").unwrap(),
            price("P", &marked, &p).unwrap(),
            optimists("O", &marked, &r).unwrap(),
            rolling("R", &marked, &r, Some(12), true).unwrap(),
        ] {
            assert!(svg.contains(">loan rate +150 bp<") || svg.contains("loan rate +150 bp"), "no marker label");
        }
        // One window with nothing defined and no volume.
        let one = vec![MetricsRow { t_start: 0.0, t_end: 300.0, ..MetricsRow::default() }];
        let axis = TimeAxis::new(&one);
        well_formed(&success("S", &axis, &one, "5-minute", true).unwrap(), "S");
        well_formed(&volume("V", &axis, &one, "5-minute").unwrap(), "V");
        well_formed(&scatter("X", &one, "5-minute", [None, None]).unwrap(), "X");
        let p = PriceInput { rows: &one, has_mid: false, has_nav: false, has_loan: false, has_deposit: false };
        well_formed(&price("P", &axis, &p).unwrap(), "P");
        well_formed(&rolling("R", &axis, &one, None, true).unwrap(), "R");
    }

    /// The SVG elements that `fill` a shape with the colour `c`, as plotters writes them.
    fn filled(svg: &str, c: RGBColor) -> Vec<usize> {
        let fill = format!("fill=\"#{:02X}{:02X}{:02X}\"", c.0, c.1, c.2);
        svg.match_indices("<polygon")
            .filter(|&(i, _)| svg[i..].split('>').next().is_some_and(|e| e.contains(&fill)))
            .map(|(i, _)| i)
            .collect()
    }

    /// The index of the first opaque line stroked in the colour `c` (a
    /// band's bar over a lone window is translucent).
    fn first_line(svg: &str, c: RGBColor) -> Option<usize> {
        let stroke = format!("opacity=\"1\" stroke=\"#{:02X}{:02X}{:02X}\"", c.0, c.1, c.2);
        svg.match_indices("<polyline")
            .map(|(i, _)| i)
            .find(|&i| svg[i..].split('>').next().is_some_and(|e| e.contains(&stroke)))
    }

    #[test]
    fn rolling_r_is_drawn_over_its_interval() {
        let r = rows();
        let axis = TimeAxis::new(&r);
        let svg = rolling("R", &axis, &r, Some(12), true).unwrap();
        for c in [OKABE_BLUE, VERMILION] {
            let bands = filled(&svg, c);
            // Subscriptions: a bar over window 2, alone on day 0, then a polygon over day 1; sales: a polygon.
            assert!(!bands.is_empty(), "no band of {c:?}");
            assert!(svg[bands[0]..].starts_with("<polygon opacity=\"0.2\""), "the band is not translucent");
            assert!(bands[0] < first_line(&svg, c).unwrap(), "the band of {c:?} is drawn over its line");
        }
        assert!(svg.contains("subscriptions: 95% interval of r") && svg.contains("sales: 95% interval of r"));
        assert!(svg.contains("95% intervals allow for serial dependence"), "the legend does not say what the band is");
        // A run written before the interval columns: the lines, no band, no word of one.
        let svg = rolling("R", &axis, &r, Some(12), false).unwrap();
        assert!(filled(&svg, OKABE_BLUE).is_empty() && filled(&svg, VERMILION).is_empty());
        assert!(first_line(&svg, OKABE_BLUE).is_some() && !svg.contains("serial dependence"));
    }

    #[test]
    fn scatter_gives_r_with_its_honest_interval_or_says_it_has_none() {
        let r = rows();
        let ci = RInterval { ci_95: [0.12, 0.95], effective_windows: 3.4, rho_ci_95: Some([-0.3, 0.9]) };
        let svg = scatter("X", &r, "5-minute", [Some(ci), None]).unwrap();
        let (_, sub_r, sub_rho, _) = side_fit(&r, |r| r.sub_success);
        let sub = format!(
            "r = {} (95% CI +0.120 to +0.950), ρ = {} (95% CI -0.300 to +0.900)",
            num::signed(sub_r, 3),
            num::signed(sub_rho, 3)
        );
        assert!(svg.contains(&sub), "no `{sub}`");
        assert!(svg.contains("(5 windows, effective n ≈ 3)"), "no effective n");
        assert!(svg.contains("95% CIs allowing for serial dependence"), "the legend does not say what the CI is");
        // Sale success is the same in every window: an undefined r has no interval to give or disclaim.
        assert!(svg.contains("sales, least-squares line: r = n/a, ρ = n/a"));
        // Without the summary's interval, r says what it assumes rather than standing bare.
        let svg = scatter("X", &r, "5-minute", [None, None]).unwrap();
        assert!(svg.contains(&format!("r = {} (windows taken as independent)", num::signed(sub_r, 3))));
        assert!(!svg.contains("95% CI"));
    }

    #[test]
    fn only_the_interval_of_the_same_r_is_taken() {
        use crate::metrics::summary::SerialDependence;
        let fit: SideFit = (40, Some(0.5), None, None);
        let c = Correlation {
            pearson: Some(0.5),
            windows: 40,
            serial_dependence: Some(SerialDependence {
                effective_windows: 9.5,
                pearson_ci_95: Some([-0.2, 0.85]),
                ..SerialDependence::default()
            }),
            ..Correlation::default()
        };
        assert_eq!(
            RInterval::of(&c, &fit),
            Some(RInterval { ci_95: [-0.2, 0.85], effective_windows: 9.5, rho_ci_95: None })
        );
        // ρ's interval only with the same ρ.
        let ranked = |spearman| Correlation {
            spearman,
            serial_dependence: c
                .serial_dependence
                .clone()
                .map(|d| SerialDependence { spearman_ci_95: Some([0.1, 0.7]), ..d }),
            ..c.clone()
        };
        let with_rho: SideFit = (40, Some(0.5), Some(0.45), None);
        assert_eq!(RInterval::of(&ranked(Some(0.45)), &with_rho).and_then(|i| i.rho_ci_95), Some([0.1, 0.7]));
        assert_eq!(RInterval::of(&ranked(Some(0.4)), &with_rho).and_then(|i| i.rho_ci_95), None);
        let i = RInterval::of(&ranked(Some(0.45)), &with_rho);
        assert_eq!(rho_with_interval(Some(0.45), i), "ρ = +0.450 (95% CI +0.100 to +0.700)");
        assert_eq!(rho_with_interval(Some(0.45), None), "ρ = +0.450");
        assert_eq!(RInterval::of(&c, &(39, Some(0.5), None, None)), None);
        assert_eq!(RInterval::of(&c, &(40, Some(0.6), None, None)), None);
        assert_eq!(RInterval::of(&Correlation { serial_dependence: None, ..c }, &fit), None);
        assert_eq!(r_with_interval(None, None), "r = n/a");
        assert_eq!(r_with_interval(Some(0.79), None), "r = +0.790 (windows taken as independent)");
    }
}
