//! What the sweep figures share: the SVG frame (title, legend, wrapped
//! caption), markers, ranges and tick labels.

use std::ops::Range;

use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::super::num;
use super::super::plot::{Area, DARK, DrawError, FONT, TickRange, WIDTH, decimals};
use super::keys::ValueKind;

pub(super) type Chart<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<TickRange, RangedCoordf64>>;

/// The mark of a legend line.
#[derive(Clone, Copy, Debug)]
pub(super) enum Mark {
    /// A mean with its interval bar.
    Mean(RGBColor, bool),
    /// One run (faint).
    Run(RGBColor, bool),
}

/// A marker: a circle, or a triangle when `tri`.
pub(super) fn marker<'a, DB: DrawingBackend, C: Clone + 'static>(
    p: C,
    size: i32,
    style: ShapeStyle,
    tri: bool,
) -> DynElement<'a, DB, C> {
    if tri { TriangleMarker::new(p, size + 1, style).into_dyn() } else { Circle::new(p, size, style).into_dyn() }
}

/// Splits text into lines of at most about `width` characters.
pub(super) fn wrap(text: &str, width: usize) -> Vec<String> {
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
pub(super) fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n { s.to_string() } else { format!("{}…", s.chars().take(n - 1).collect::<String>()) }
}

/// Draws into an SVG string: the title at the top, then `body`, the legend
/// and the caption at the bottom.
pub(super) fn render(
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
pub(super) fn log_ticks(lo: f64, hi: f64) -> Vec<f64> {
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
pub(super) fn padded(lo: f64, hi: f64, min_half_width: f64) -> Range<f64> {
    let span = hi - lo;
    if span <= 0.0 {
        let half = (lo.abs() * 0.05).max(min_half_width);
        return (lo - half)..(hi + half);
    }
    (lo - span * 0.08)..(hi + span * 0.08)
}

/// The y-axis tick label of a kind over a span.
pub(super) fn y_label(kind: ValueKind, span: f64) -> impl Fn(&f64) -> String {
    move |y: &f64| match kind {
        ValueKind::Share => {
            let d = decimals(span * 100.0).saturating_sub(1);
            format!("{}%", num::fixed(y * 100.0, d))
        }
        ValueKind::Count if span >= 10.0 => num::count(y.round()),
        ValueKind::Count => num::fixed(*y, decimals(span)),
        ValueKind::Coefficient => num::fixed_signed(*y, decimals(span).max(1)),
    }
}
