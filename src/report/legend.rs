//! The legend under every plot: one entry per series, the mark that
//! stands for it and its label, two to a row unless a label is too long;
//! a note on how to read the entries takes a row of its own.

use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::plot::{Area, DARK, DrawError, FONT};

/// How a legend entry is drawn, in the colour it carries: the mark that
/// stands for the series in the chart.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Swatch {
    /// A solid line, for a series drawn as a line.
    Line(RGBColor),
    /// A dashed line, for a reference series (NAV, the deposit rate).
    Dashed(RGBColor),
    /// A translucent band, for a confidence interval.
    Band(RGBColor),
    /// A filled bar, for a bar chart.
    Bar(RGBColor),
    /// A dot, for a scatter of subscriptions.
    Circle(RGBColor),
    /// A triangle, for a scatter of sales.
    Triangle(RGBColor),
    /// No mark: a line of the legend that says how to read the entries
    /// above it.
    Note,
}

/// One line of a legend.
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    /// The mark drawn before the label.
    pub swatch: Swatch,
    /// The legend text: what the series is, in words.
    pub label: String,
}

/// An entry of the legend.
pub(super) fn entry(swatch: Swatch, label: impl Into<String>) -> Entry {
    Entry { swatch, label: label.into() }
}

/// Entries a legend row holds: two, or one when a label is too long to
/// share the width. A [`Swatch::Note`] takes a row of its own either way.
fn per_row(entries: &[Entry]) -> usize {
    let long = entries.iter().any(|e| !matches!(e.swatch, Swatch::Note) && e.label.chars().count() > 58);
    if long { 1 } else { 2 }
}

/// Where each entry goes: (row, column).
fn legend_cells(entries: &[Entry]) -> Vec<(usize, usize)> {
    let per_row = per_row(entries);
    let (mut row, mut col) = (0, 0);
    let mut out = Vec::with_capacity(entries.len());
    for e in entries {
        let note = matches!(e.swatch, Swatch::Note);
        if col == per_row || (note && col > 0) {
            (row, col) = (row + 1, 0);
        }
        out.push((row, col));
        col = if note { per_row } else { col + 1 };
    }
    out
}

/// Rows the legend takes.
pub(super) fn legend_rows(entries: &[Entry]) -> u32 {
    legend_cells(entries).last().map_or(0, |&(row, _)| row as u32 + 1)
}

/// Draws the legend's entries into `area`, in rows from the top.
pub(super) fn draw_legend(area: &Area<'_>, entries: &[Entry]) -> Result<(), DrawError> {
    let (w, _) = area.dim_in_pixel();
    let col_w = (w as i32 - 100) / per_row(entries) as i32;
    let font = (FONT, 15).into_font().color(&DARK).pos(Pos::new(HPos::Left, VPos::Center));
    for (e, (row, col)) in entries.iter().zip(legend_cells(entries)) {
        let x = 80 + col as i32 * col_w;
        let y = 12 + row as i32 * 22;
        let (a, b) = (x, x + 30);
        match e.swatch {
            Swatch::Line(c) => area.draw(&PathElement::new(vec![(a, y), (b, y)], c.stroke_width(2)))?,
            Swatch::Dashed(c) => {
                area.draw(&DashedPathElement::new(vec![(a, y), (b, y)], 6, 4, c.stroke_width(2)))?;
            }
            Swatch::Band(c) => area.draw(&Rectangle::new([(a, y - 7), (b, y + 7)], c.mix(0.25).filled()))?,
            Swatch::Bar(c) => area.draw(&Rectangle::new([(a + 5, y - 7), (b - 5, y + 7)], c.mix(0.8).filled()))?,
            Swatch::Circle(c) => area.draw(&Circle::new((a + 15, y), 4, c.mix(0.7).filled()))?,
            Swatch::Triangle(c) => area.draw(&TriangleMarker::new((a + 15, y), 5, c.mix(0.7).filled()))?,
            Swatch::Note => {}
        }
        area.draw(&Text::new(e.label.clone(), (b + 10, y), font.clone()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_takes_a_legend_row_of_its_own() {
        let line = |s: &str| entry(Swatch::Line(DARK), s);
        let note = entry(Swatch::Note, "how to read the entries above: a line longer than fifty-eight characters");
        let cells = legend_cells(&[line("a"), line("b"), line("c"), note.clone()]);
        assert_eq!(cells, [(0, 0), (0, 1), (1, 0), (2, 0)]);
        // A long note does not push the other entries into one column.
        assert_eq!(per_row(&[line("a"), note.clone()]), 2);
        assert_eq!(legend_rows(&[note, line("a")]), 2);
        assert_eq!(legend_rows(&[]), 0);
    }
}
