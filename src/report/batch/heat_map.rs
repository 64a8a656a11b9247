//! The heat map of a key result over a grid of two parameters: one panel per
//! side on one colour scale, with its colour bar.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::super::num;
use super::super::plot::{DARK, DrawError, FONT, TickRange, WIDTH, decimals};
use super::aggregate::Heat;
use super::frame::{clip, render};
use super::keys::{KeyResult, ValueKind, value_text};
use crate::metrics::stats::{MeanInterval, student_t_quantile};

/// Cells of a heat map without runs.
const NO_DATA: RGBColor = RGBColor(190, 190, 190);

/// A blue–white–red diverging map (ColorBrewer RdBu) at t in [0, 1], white at ½.
fn diverging(t: f64) -> RGBColor {
    const STOPS: [(u8, u8, u8); 5] = [(33, 102, 172), (103, 169, 207), (247, 247, 247), (239, 138, 98), (178, 24, 43)];
    ramp(&STOPS, t)
}

/// Cells whose simultaneous interval covers the scale's centre: a
/// difference within noise ([`HeatScale::neutral`]).
const NEUTRAL: RGBColor = RGBColor(247, 247, 247);

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

/// The colour scale of a heat map: diverging around a centre per panel, so
/// that colour shows a difference, not a level. For a share or a count the
/// centre is the panel's grand mean (the mean of all its runs) and the scale
/// reaches the largest difference of a cell mean from it; for a correlation
/// the centre is 0 and the range a fixed −1 to +1. A cell whose t interval
/// covers the centre is drawn neutral: its difference is within the noise
/// of its replications. The intervals are simultaneous at 95% over the
/// figure's cells (Bonferroni: each at 1 − 0.05/k for k cells with one),
/// because the map is read all at once: with each cell at 95%, a grid
/// where nothing differs colours about one cell in twenty, and more with
/// the few, skewed replications of a sweep (a 6 × 6 grid of 3 runs whose
/// cells did not differ coloured 13 of 72). Each cell's standard error
/// takes the spread within cells pooled over its panel (one-way ANOVA's
/// mean square within, on Σ (n − 1) degrees of freedom): from its own 3
/// runs, t(1 − 0.025/72, 2) = 37.9 made every interval so wide that a
/// real, steady effect coloured nothing. Pooled, the bundled
/// herding_x_loan sweep (3 runs a cell, a strong loan-rate effect)
/// colours 9 of 72 success cells and 11 of 36 volume cells, and the null
/// grid above 1 of 72 and 0 of 36.
#[derive(Clone, Debug, PartialEq)]
pub struct HeatScale {
    /// The centre of each panel: its grand mean, or 0 for a correlation.
    pub centres: Vec<f64>,
    /// Half the range of the colour bar: a difference of this much from the
    /// centre takes the darkest colour.
    pub half: f64,
    /// Whether the centre is the grand mean (shares, counts) rather than 0.
    pub grand_mean: bool,
    /// Cells with an interval (two runs or more), over every panel: the k
    /// of the Bonferroni level.
    pub cells: usize,
    /// Each panel's spread within cells, pooled: (standard deviation,
    /// degrees of freedom), None without a cell of two runs.
    pub pooled: Vec<Option<(f64, f64)>>,
}

impl HeatScale {
    /// The scale of `heat`, a key result of `kind`.
    pub fn new(kind: ValueKind, heat: &Heat) -> HeatScale {
        let cells = heat.panels.iter().flatten().flatten().filter(|c| c.n >= 2 && c.sd.is_some()).count();
        let pooled = heat
            .panels
            .iter()
            .map(|p| {
                let (ss, df) = p.iter().flatten().filter(|c| c.n >= 2).fold((0.0, 0.0), |(ss, df), c| {
                    let f = (c.n - 1) as f64;
                    (ss + f * c.sd.unwrap_or(0.0).powi(2), df + f)
                });
                (df > 0.0).then(|| ((ss / df).sqrt(), df))
            })
            .collect();
        if kind == ValueKind::Coefficient {
            return HeatScale { centres: vec![0.0; heat.panels.len()], half: 1.0, grand_mean: false, cells, pooled };
        }
        let centres: Vec<f64> = heat
            .panels
            .iter()
            .map(|p| {
                let (sum, n) = p.iter().flatten().fold((0.0, 0usize), |(s, n), c| (s + c.mean * c.n as f64, n + c.n));
                if n > 0 { sum / n as f64 } else { 0.0 }
            })
            .collect();
        let largest = heat
            .panels
            .iter()
            .zip(&centres)
            .flat_map(|(p, &m)| p.iter().flatten().map(move |c| (c.mean - m).abs()))
            .fold(0.0, f64::max);
        // Never narrower than half a percentage point or one lot, so that
        // float noise around a constant result takes no colour.
        let floor = match kind {
            ValueKind::Share => 0.005,
            _ => 1.0,
        };
        HeatScale { centres, half: largest.max(floor), grand_mean: true, cells, pooled }
    }

    /// Whether a cell of `panel` is within noise: its simultaneous interval
    /// covers the centre, |mean − centre| ≤ t(1 − 0.025/k, df)·s/√n with
    /// the panel's pooled s and df. A cell of one run has no interval and
    /// is not.
    pub fn neutral(&self, panel: usize, cell: &MeanInterval) -> bool {
        let c = self.centres.get(panel).copied().unwrap_or(0.0);
        let Some(Some((sd, df))) = self.pooled.get(panel).copied().filter(|_| cell.n >= 2 && cell.sd.is_some()) else {
            return false;
        };
        let level = 1.0 - 0.025 / self.cells.max(1) as f64;
        student_t_quantile(level, df).is_some_and(|t| (cell.mean - c).abs() <= t * sd / (cell.n as f64).sqrt())
    }

    /// The colour of a cell of `panel`.
    pub fn color(&self, panel: usize, cell: &MeanInterval) -> RGBColor {
        if self.neutral(panel, cell) {
            return NEUTRAL;
        }
        let c = self.centres.get(panel).copied().unwrap_or(0.0);
        diverging(0.5 + (cell.mean - c) / (2.0 * self.half))
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
    let scale = HeatScale::new(kind, h);
    let half = scale.half;
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
                    let fill = cell.map_or(NO_DATA, |c| scale.color(s, &c));
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
        // The colour bar, level with the panels' plotting areas: a gradient
        // drawn one pixel row at a time (each row overlapping the next, so
        // no seam shows between them).
        let base = bar_area.get_base_pixel();
        let (top, bottom) = (plot_rows.0 - base.1, plot_rows.1 - base.1);
        let (top, bottom) = if bottom - top > 20 { (top, bottom) } else { (40, 300) };
        let rows = (bottom - top).max(1);
        for y in top..bottom {
            let t = (bottom - y) as f64 / rows as f64;
            bar_area.draw(&Rectangle::new([(14, y), (38, y + 2)], diverging(t).filled()))?;
        }
        bar_area.draw(&Rectangle::new([(14, top), (38, bottom)], DARK.stroke_width(1)))?;
        let font = (FONT, 13).into_font().color(&DARK).pos(Pos::new(HPos::Left, VPos::Center));
        for k in 0..=4 {
            let v = -half + 2.0 * half * k as f64 / 4.0;
            let y = bottom - ((bottom - top) as f64 * k as f64 / 4.0) as i32;
            bar_area.draw(&PathElement::new(vec![(38, y), (43, y)], DARK.stroke_width(1)))?;
            bar_area.draw(&Text::new(colorbar_label(kind, v, 2.0 * half), (46, y), font.clone()))?;
        }
        // What the bar measures, in its unit: a difference from the grand
        // mean in percentage points or lots, or the coefficient itself.
        let head = (FONT, 13).into_font().color(&DARK).pos(Pos::new(HPos::Left, VPos::Bottom));
        for (k, line) in colorbar_head(p.key, scale.grand_mean).iter().rev().enumerate() {
            bar_area.draw(&Text::new(line.to_string(), (6, top - 8 - 16 * k as i32), head.clone()))?;
        }
        // The neutral swatch: a cell whose interval covers the centre.
        let (y0, small) = (bottom + 14, (FONT, 12).into_font().color(&DARK).pos(Pos::new(HPos::Left, VPos::Center)));
        bar_area.draw(&Rectangle::new([(14, y0), (38, y0 + 16)], NEUTRAL.filled()))?;
        bar_area.draw(&Rectangle::new([(14, y0), (38, y0 + 16)], DARK.stroke_width(1)))?;
        bar_area.draw(&Text::new("joint 95% CI".to_string(), (44, y0 + 4), small.clone()))?;
        let covers = if scale.grand_mean { "covers mean" } else { "covers 0" };
        bar_area.draw(&Text::new(covers.to_string(), (44, y0 + 17), small))?;
        Ok(())
    })
}

/// The colour bar's title, one line each: its unit, and what the ticks
/// are measured from (`["lots traded", "vs grand mean"]`, `["Pearson r"]`).
fn colorbar_head(key: &KeyResult, grand_mean: bool) -> Vec<&'static str> {
    if grand_mean { vec![key.bar_unit, "vs grand mean"] } else { vec![key.bar_unit] }
}

/// A colour-bar tick label: a difference from the grand mean (percentage
/// points of a share, lots of a count), or a correlation.
fn colorbar_label(kind: ValueKind, v: f64, span: f64) -> String {
    match kind {
        ValueKind::Share => {
            format!("{} pp", num::fixed_signed(v * 100.0, decimals(span * 100.0).saturating_sub(1).max(1)))
        }
        ValueKind::Count if span >= 10.0 => {
            let c = num::count(v.round());
            if c.starts_with('-') || c == "0" { c } else { format!("+{c}") }
        }
        ValueKind::Count => num::fixed_signed(v, decimals(span)),
        ValueKind::Coefficient => num::fixed_signed(v, 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A cell of ten runs with standard deviation `sd`.
    fn cell(mean: f64, sd: Option<f64>) -> Option<MeanInterval> {
        Some(MeanInterval { n: 10, mean, sd, ci: sd.map(|h| (mean - h, mean + h)) })
    }

    #[test]
    fn noise_is_neutral_and_the_scale_centres_on_the_grand_mean() {
        // Volume 1000 ± 25 over four cells, each interval wide enough to
        // cover the grand mean: every cell neutral.
        let noise = Heat {
            x_levels: vec!["a".into(), "b".into()],
            y_levels: vec!["x".into(), "y".into()],
            panels: vec![vec![
                cell(975.0, Some(60.0)),
                cell(1025.0, Some(60.0)),
                cell(990.0, Some(40.0)),
                cell(1010.0, Some(40.0)),
            ]],
        };
        let s = HeatScale::new(ValueKind::Count, &noise);
        assert_eq!(s.centres, vec![1000.0]);
        assert_eq!(s.half, 25.0);
        for c in noise.panels[0].iter().flatten() {
            assert_eq!(s.color(0, c), NEUTRAL);
        }
        // A real difference: narrow intervals away from the mean take colour,
        // above it red, below it blue.
        let effect = Heat {
            panels: vec![vec![cell(900.0, Some(5.0)), cell(1100.0, Some(5.0)), cell(1000.0, Some(5.0)), None]],
            ..noise
        };
        let s = HeatScale::new(ValueKind::Count, &effect);
        let (lo, hi) = (effect.panels[0][0].unwrap(), effect.panels[0][1].unwrap());
        assert_eq!(s.color(0, &lo), diverging(0.0));
        assert_eq!(s.color(0, &hi), diverging(1.0));
        assert_eq!(s.color(0, &effect.panels[0][2].unwrap()), NEUTRAL);
        // One run: no interval, coloured as it is.
        assert!(!s.neutral(0, &MeanInterval { n: 1, mean: 1000.0, sd: None, ci: None }));
        // The intervals are joint over the 3 cells with one, the spread
        // pooled over them (sd 5 on 27 degrees of freedom): for 10 runs,
        // ±t(1 − 0.025/3, 27) · 5/√10 = ±2.5525 · 1.5811 = ±4.036, where a
        // cell's own 95% interval on its 9 would be ±2.2622 · 1.5811 =
        // ±3.577. A cell 4.0 from the mean is white; one 4.1 from it is
        // coloured.
        assert_eq!(s.cells, 3);
        assert_eq!(s.pooled, vec![Some((5.0, 27.0))]);
        assert!(s.neutral(0, &cell(1004.0, Some(5.0)).unwrap()));
        assert!(!s.neutral(0, &cell(1004.1, Some(5.0)).unwrap()));
        // Correlations: centred on 0, a fixed range.
        let s = HeatScale::new(ValueKind::Coefficient, &effect);
        assert_eq!((s.centres[0], s.half, s.grand_mean), (0.0, 1.0, false));
    }

    #[test]
    fn the_colour_bar_states_its_unit() {
        let key = |k: &str| super::super::keys::KEYS.iter().find(|r| r.key == k).unwrap();
        assert_eq!(colorbar_head(key("volume"), true), ["lots traded", "vs grand mean"]);
        assert_eq!(colorbar_head(key("success"), true), ["percentage points", "vs grand mean"]);
        assert_eq!(colorbar_head(key("success_vs_volume_pearson"), false), ["Pearson r"]);
        assert_eq!(colorbar_head(key("success_vs_volume_spearman"), false), ["Spearman ρ"]);
    }

    #[test]
    fn colour_bar_labels_are_differences_without_negative_zero() {
        assert_eq!(colorbar_label(ValueKind::Share, -0.00001, 0.02), "0.0 pp");
        assert_eq!(colorbar_label(ValueKind::Share, 0.01, 0.02), "+1.0 pp");
        assert_eq!(colorbar_label(ValueKind::Count, -1200.0, 5000.0), "-1,200");
        assert_eq!(colorbar_label(ValueKind::Count, 1200.0, 5000.0), "+1,200");
        assert_eq!(colorbar_label(ValueKind::Count, -0.2, 5000.0), "0");
        assert_eq!(colorbar_label(ValueKind::Coefficient, -0.0, 2.0), "0.0");
    }
}
