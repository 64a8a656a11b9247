//! The heat map of a key result over a grid of two parameters: one panel per
//! side on one colour scale, with its colour bar.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::super::num;
use super::super::plot::{DARK, DrawError, FONT, TickRange, WIDTH, decimals};
use super::aggregate::Heat;
use super::frame::{clip, render};
use super::keys::{KeyResult, ValueKind, value_text};

/// Cells of a heat map without runs.
const NO_DATA: RGBColor = RGBColor(220, 220, 220);

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
fn color_range(kind: ValueKind, heat: &Heat) -> (f64, f64) {
    let vals = heat.panels.iter().flatten().flatten().map(|s| s.mean);
    let (lo, hi) = vals.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    match kind {
        ValueKind::Coefficient => {
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
    /// The figure's title.
    pub title: &'a str,
    /// What the x axis (the first parameter) is.
    pub x_desc: &'a str,
    /// What the y axis (the second parameter) is.
    pub y_desc: &'a str,
    /// The key result drawn: its series, colours and how its numbers read.
    pub key: &'a KeyResult,
    /// Labels of the panels (the series of `heat`).
    pub labels: &'a [&'a str],
    /// The means to colour the cells with, one panel per series.
    pub heat: &'a Heat,
    /// The sentence under the figure.
    pub caption: &'a str,
}

/// Whether the values fit in the cells of a heat map with `panels` panels.
pub fn values_fit(panels: usize, nx: usize, ny: usize, height: u32) -> bool {
    let panel_w = (WIDTH as f64 - 130.0) / panels.max(1) as f64 - 110.0;
    let panel_h = height as f64 - 200.0;
    panel_w / nx.max(1) as f64 >= 38.0 && panel_h / ny.max(1) as f64 >= 18.0
}

pub(super) fn heat_height(ny: usize) -> u32 {
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
        if kind == ValueKind::Coefficient { diverging(t) } else { viridis(t) }
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
fn colorbar_label(kind: ValueKind, v: f64, span: f64) -> String {
    match kind {
        ValueKind::Share => format!("{}%", num::fixed(v * 100.0, decimals(span * 100.0).saturating_sub(1).max(1))),
        ValueKind::Count if span >= 10.0 => num::count(v.round()),
        ValueKind::Count => num::fixed(v, decimals(span)),
        ValueKind::Coefficient => num::fixed_signed(v, decimals(span).max(2)),
    }
}
