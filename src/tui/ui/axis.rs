//! The time axis the left column's charts share: which windows are on
//! screen and where, the series, live-change markers and day lines drawn on
//! it, and its labels.

use ratatui::style::{Color, Style};
use ratatui::symbols::Marker;
use ratatui::text::Line;
use ratatui::widgets::{Axis, Chart, Dataset, GraphType};

use super::palette::{DOTTED, SOLID};
use super::{DIM, LABEL_W, MARK, WEEKDAYS};
use crate::tui::app::clock_text;
use crate::tui::view::{LiveView, ProductNow, WindowPoint};

/// The windows on screen (`start..end`) and where they go on the x axis:
/// window `i` is drawn at x = i + 1 (its end); the axis spans `cap` windows
/// from `start` ([`crate::tui::history::Visible`]).
#[derive(Clone, Copy, Debug)]
pub(super) struct Span_ {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) cap: usize,
}

impl Span_ {
    pub(super) fn bounds(self) -> [f64; 2] {
        [self.start as f64, (self.start + self.cap) as f64]
    }
}

/// A current value: the window's index, the value and its interval.
pub(super) type Now = (usize, (f64, (f64, f64)));

/// The latest value worth showing: the window in progress once it has one,
/// else the last window that had one.
pub(super) fn current<T>(windows: &[WindowPoint], f: impl Fn(&WindowPoint) -> Option<T>) -> Option<(usize, T)> {
    windows.iter().enumerate().rev().take(2).find_map(|(i, w)| f(w).map(|v| (i, v)))
}

/// The windows completed (the last one is in progress while in session).
pub(super) fn completed<'a>(view: &LiveView, p: &'a ProductNow) -> &'a [WindowPoint] {
    &p.windows[..p.windows.len() - usize::from(view.in_session && !p.windows.is_empty())]
}

pub(super) fn y_labels(labels: &[String]) -> Vec<Line<'static>> {
    labels.iter().map(|l| Line::from(format!("{l:>LABEL_W$}"))).collect()
}

/// x of each marker ([`LiveView::chart_markers`]) on the time axis.
pub(super) fn marker_xs(view: &LiveView, windows: &[WindowPoint]) -> Vec<f64> {
    view.chart_markers()
        .into_iter()
        .map(|m| match windows.iter().position(|w| w.t_end >= m.t) {
            Some(i) => {
                let into = 1.0 - (windows[i].t_end - m.t) / view.window_secs.max(1e-9);
                i as f64 + into.clamp(0.0, 1.0)
            }
            None => windows.len() as f64,
        })
        .collect()
}

/// Vertical marker lines from `lo` to `hi` (a bar dataset draws from the bottom).
pub(super) fn marker_points(view: &LiveView, windows: &[WindowPoint], span: Span_, hi: f64) -> Vec<(f64, f64)> {
    let [a, b] = span.bounds();
    marker_xs(view, windows).into_iter().filter(|x| *x >= a && *x <= b).map(|x| (x, hi)).collect()
}

/// Faint ticks at the foot of a chart whose y axis spans `y`, where a
/// business day starts: a fifth of the height, so that without colour (a
/// washed-out projector) they are not taken for the full-height lines of
/// the changes. None where most windows would have one (a metrics window
/// as long as the session makes every window a day's first), which would
/// paint the chart solid.
pub(super) fn day_points(view: &LiveView, windows: &[WindowPoint], span: Span_, y: [f64; 2]) -> Vec<(f64, f64)> {
    let range = span.start.max(1)..span.end.min(windows.len());
    let shown = range.len();
    let starts: Vec<(f64, f64)> = range
        .filter(|&i| windows[i].t_end - windows[i - 1].t_end > 1.5 * view.window_secs)
        .map(|i| (i as f64, y[0] + 0.2 * (y[1] - y[0])))
        .collect();
    if 3 * starts.len() > shown { Vec::new() } else { starts }
}

pub(super) fn day_set(data: &[(f64, f64)]) -> Dataset<'_> {
    Dataset::default().data(data).marker(Marker::Braille).graph_type(GraphType::Bar).style(Style::new().fg(DIM))
}

pub(super) fn series(windows: &[WindowPoint], span: Span_, f: impl Fn(&WindowPoint) -> Option<f64>) -> Vec<(f64, f64)> {
    let shown = span.end.saturating_sub(span.start);
    windows
        .iter()
        .enumerate()
        .skip(span.start)
        .take(shown)
        .filter_map(|(i, w)| f(w).map(|y| ((i + 1) as f64, y)))
        .collect()
}

/// A chart over the time axis whose plot has `rows` rows, with the y
/// labels that fit them ([`fitting`]).
pub(super) fn time_chart<'a>(
    datasets: Vec<Dataset<'a>>,
    span: Span_,
    y: [f64; 2],
    labels: &[String],
    rows: u16,
) -> Chart<'a> {
    Chart::new(datasets)
        .x_axis(Axis::default().bounds(span.bounds()))
        .y_axis(Axis::default().bounds(y).labels(y_labels(&fitting(labels, rows))).style(Style::new().fg(DIM)))
        .legend_position(None)
}

/// The y labels (bottom to top) a plot of `rows` rows can show truthfully.
/// The chart spreads its labels over the rows from the bottom one to the
/// top one, so more labels than rows land on one another: "0%" under
/// "50%" left a two-row chart whose bottom row, holding everything from 0
/// to 50%, read 50%. Two rows keep the ends; one row shows no label (the
/// panel's title gives the value now), blanks keeping the column's width.
pub(super) fn fitting(labels: &[String], rows: u16) -> Vec<String> {
    match (labels, rows) {
        (_, r) if usize::from(r) >= labels.len() => labels.to_vec(),
        ([first, .., last], 2..) => vec![first.clone(), last.clone()],
        _ => vec![String::new()],
    }
}

pub(super) fn line_set<'a>(data: &'a [(f64, f64)], color: Color) -> Dataset<'a> {
    Dataset::default().data(data).marker(SOLID).graph_type(GraphType::Line).style(Style::new().fg(color))
}

/// A dotted line: a dot (`•`) at each window, told from a [`line_set`]
/// without colour.
pub(super) fn dotted_set<'a>(data: &'a [(f64, f64)], color: Color) -> Dataset<'a> {
    line_set(data, color).marker(DOTTED).graph_type(GraphType::Scatter)
}

pub(super) fn marker_set(data: &[(f64, f64)]) -> Dataset<'_> {
    Dataset::default().data(data).marker(Marker::Braille).graph_type(GraphType::Bar).style(Style::new().fg(MARK))
}

/// Decimals that tell apart values `range` apart.
pub(super) fn decimals(range: f64) -> usize {
    if range <= 0.0 || !range.is_finite() { 4 } else { (-(range / 4.0).log10()).ceil().clamp(0.0, 6.0) as usize }
}

/// Bounds around the values, never empty.
pub(super) fn padded(values: impl Iterator<Item = f64>, min_half_width: f64) -> [f64; 2] {
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
    if !lo.is_finite() {
        return [0.0, 1.0];
    }
    let mid = (lo + hi) / 2.0;
    let half = ((hi - lo) / 2.0 * 1.1).max(min_half_width);
    [mid - half, mid + half]
}

/// The label of x = `i` on the time axis: the start of window `i` (the
/// open, for a day's first window), or the end of the last one.
pub(super) fn time_label(view: &LiveView, windows: &[WindowPoint], i: usize) -> String {
    let t = match windows.get(i) {
        Some(w) => Some(w.t_start),
        None => i.checked_sub(1).and_then(|i| windows.get(i)).map(|w| w.t_end),
    };
    let Some(t) = t else { return String::new() };
    let hm = clock_text(t)[..5].to_string();
    let day_offset = (t / 86_400.0).floor() as i64 - (view.t / 86_400.0).floor() as i64;
    match view.date {
        Some(d) => format!("{} {hm}", WEEKDAYS[d.add_days(day_offset).weekday() as usize]),
        None => hm,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A day's first window gets a tick a fifth of the height; a run whose
    /// every window starts a day gets none.
    #[test]
    fn days_are_ticks_and_only_where_they_are_few() {
        let mut view = super::super::tests::hand_view();
        let windows = &mut view.products[0].windows;
        // Windows 20 on a day later.
        for w in windows.iter_mut().skip(20) {
            w.t_start += 86_400.0;
            w.t_end += 86_400.0;
        }
        let p = view.products[0].clone();
        let span = Span_ { start: 0, end: 40, cap: 40 };
        assert_eq!(day_points(&view, &p.windows, span, [0.98, 1.02]), [(20.0, 0.98 + 0.2 * 0.04)]);
        // One window a day: every window a day's first.
        let mut daily = p.clone();
        for (i, w) in daily.windows.iter_mut().enumerate() {
            w.t_start = 86_400.0 * i as f64 + 34_200.0;
            w.t_end = w.t_start + 300.0;
        }
        assert!(day_points(&view, &daily.windows, span, [0.0, 1.0]).is_empty());
    }

    #[test]
    fn labels_fit_the_rows() {
        let three: Vec<String> = ["0%", "50%", "100%"].map(String::from).to_vec();
        assert_eq!(fitting(&three, 3), three);
        assert_eq!(fitting(&three, 9), three);
        assert_eq!(fitting(&three, 2), ["0%", "100%"]);
        assert_eq!(fitting(&three, 1), [""]);
        assert_eq!(fitting(&three, 0), [""]);
        let two: Vec<String> = ["4.10%", "4.60%"].map(String::from).to_vec();
        assert_eq!(fitting(&two, 2), two);
        assert_eq!(fitting(&two, 1), [""]);
    }
}
