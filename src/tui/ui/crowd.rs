//! The crowd of herd followers, drawn to be read from the back of the
//! room: the optimist share as a chart on the time axis of the other charts
//! (0–100%, live changes and day lines on it), and beside it how the run's
//! windows so far spread over that share: a histogram with two humps, near
//! 0 and near 1, when herding is strong, and one near a half when it is
//! weak; with the share of extreme windows and the order and refusal rates.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Block, Paragraph};

use super::axis::{Span_, completed, day_points, day_set, line_set, marker_points, marker_set, series};
use super::axis::{time_chart, time_label};
use super::market::per_second;
use super::palette::{OPTIMISTS, REJECT};
use super::{DIM, title};
use crate::tui::view::{LiveView, ProductNow, WindowPoint};
use ratatui::layout::Alignment;

/// Bins of the histogram, each a tenth of the share.
pub(super) const BINS: usize = 10;

/// Whether the scenario has herd followers (a crowd to draw).
pub(super) fn has_crowd(view: &LiveView, p: &ProductNow) -> bool {
    view.optimist_share.is_some() || p.windows.iter().any(|w| w.optimist_share.is_some())
}

/// The windows counted in each tenth of the optimist share at their end.
pub(super) fn histogram(windows: &[WindowPoint]) -> [u64; BINS] {
    let mut counts = [0; BINS];
    for s in windows.iter().filter_map(|w| w.optimist_share).filter(|s| s.is_finite()) {
        counts[((s.clamp(0.0, 1.0) * BINS as f64) as usize).min(BINS - 1)] += 1;
    }
    counts
}

/// Share of the counted windows whose optimist share was extreme: below
/// 20% or from 80% up (the two bins at either end). None before any.
pub(super) fn extreme(counts: &[u64; BINS]) -> Option<f64> {
    let n: u64 = counts.iter().sum();
    let ends = counts[..2].iter().chain(&counts[BINS - 2..]).sum::<u64>();
    (n > 0).then(|| ends as f64 / n as f64)
}

/// The optimist share on the shared time axis.
pub(super) fn optimist_panel(frame: &mut Frame, area: Rect, view: &LiveView, p: &ProductNow, span: Span_) {
    let now = view.optimist_share.map_or("–".to_string(), |s| format!("{:.0}%", s * 100.0));
    let block = Block::bordered().title(Line::from(vec![
        title(" optimists among herd followers "),
        Span::styled(format!("· now {now} "), Style::new().fg(OPTIMISTS).add_modifier(Modifier::BOLD)),
    ]));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let shares = series(&p.windows, span, |w| w.optimist_share);
    let marks = marker_points(view, &p.windows, span, 1.0);
    let days = day_points(view, &p.windows, span, [0.0, 1.0]);
    let mut chart = time_chart(
        vec![day_set(&days), line_set(&shares, OPTIMISTS), marker_set(&marks)],
        span,
        [0.0, 1.0],
        &["0%".into(), "50%".into(), "100%".into()],
        // The time labels and the axis line take two rows, when drawn.
        if inner.height >= 6 { inner.height - 2 } else { inner.height },
    );
    // Its own time labels when there is room for them under the chart.
    if inner.height >= 6 {
        let labels = [span.start, span.start + span.cap / 2, span.start + span.cap]
            .iter()
            .map(|&i| Line::from(time_label(view, &p.windows, i)))
            .collect::<Vec<_>>();
        chart = chart.x_axis(
            Axis::default()
                .bounds(span.bounds())
                .labels(labels)
                .labels_alignment(Alignment::Right)
                .style(Style::new().fg(DIM)),
        );
    }
    frame.render_widget(chart, inner);
}

/// The histogram and the crowd's numbers.
pub(super) fn histogram_panel(frame: &mut Frame, area: Rect, view: &LiveView, p: &ProductNow) {
    let done = completed(view, p);
    let counts = histogram(done);
    let n: u64 = counts.iter().sum();
    // Every window since the start, where the chart beside it shows a
    // stretch: the title says so where it has room.
    let says = [
        format!(" all {n} windows so far, by optimist share "),
        format!(" all {n} windows by optimist share "),
        format!(" all {n} windows by optimism "),
    ];
    let block =
        Block::bordered().title(title(super::status::first_fitting(&says, usize::from(area.width).saturating_sub(2))));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let w = usize::from(inner.width);
    let per = per_second(view, done);
    let (orders, sells, rejects) = (per.map(|r| r.0), per.map(|r| r.1), per.map(|r| r.2));
    let num = |x: Option<f64>| x.map_or("–".to_string(), |v| format!("{v:.1}"));
    let bold = Style::new().add_modifier(Modifier::BOLD);
    let mut rates = vec![Span::raw("orders/s "), Span::styled(num(orders), bold)];
    // The sales among them where the line has room for them.
    let sells = format!(" (sells {})", num(sells));
    let rest = format!("  rejects/s {}", num(rejects));
    if "orders/s ".len() + num(orders).len() + sells.chars().count() + rest.len() <= w {
        rates.push(Span::raw(sells));
    }
    rates.extend([Span::raw("  rejects/s "), Span::styled(num(rejects), bold.fg(REJECT))]);
    let mut lines = vec![Line::from(rates)];
    if inner.height >= 7 {
        let text = match extreme(&counts) {
            Some(x) => format!("extreme (below 20% or above 80%): {:.0}% of windows", x * 100.0),
            None => "extreme (below 20% or above 80%): –".to_string(),
        };
        lines.extend(super::status::wrap(&text, w).into_iter().map(|l| Line::styled(l, Style::new().fg(OPTIMISTS))));
    }
    let text_h = (lines.len() as u16).min(inner.height);
    let [top, bars] = Layout::vertical([Constraint::Length(text_h), Constraint::Fill(1)]).areas(inner);
    frame.render_widget(Paragraph::new(lines), top);
    frame.render_widget(Paragraph::new(histogram_lines(&counts, bars.width, bars.height)), bars);
}

/// The histogram drawn into `width`×`height` cells: bars of eighth blocks,
/// each count just above its bar where it fits, and the share under them.
pub(super) fn histogram_lines(counts: &[u64; BINS], width: u16, height: u16) -> Vec<Line<'static>> {
    let (w, h) = (usize::from(width), usize::from(height));
    if h == 0 || w < BINS {
        return Vec::new();
    }
    let rows = h - 1; // the last row is the share axis
    let bin_w = w / BINS;
    let bar_w = if bin_w >= 3 { bin_w - 1 } else { bin_w };
    let left = (w - bin_w * BINS) / 2;
    let max = counts.iter().copied().max().unwrap_or(0).max(1);
    // A row above the tallest bar for its count, where there are rows to spare.
    let bar_rows = if rows >= 3 { rows - 1 } else { rows };
    let mut grid = vec![vec![' '; w]; rows];
    for (b, &c) in counts.iter().enumerate() {
        let eighths =
            if c == 0 { 0 } else { ((c as f64 / max as f64 * (bar_rows * 8) as f64).round() as usize).max(1) };
        let x0 = left + b * bin_w;
        for r in 0..bar_rows {
            let level = bar_rows - 1 - r; // rows from the bottom
            let cell = match eighths.saturating_sub(level * 8) {
                0 => ' ',
                e if e >= 8 => '█',
                e => [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇'][e],
            };
            grid[rows - bar_rows + r][x0..x0 + bar_w].fill(cell);
        }
        // The count in the row above the bar's top.
        let label = c.to_string();
        let top = rows - eighths.div_ceil(8).min(bar_rows);
        if c > 0 && top > 0 && label.len() <= bin_w {
            let x = x0 + (bar_w.saturating_sub(label.len())) / 2;
            for (k, ch) in label.chars().enumerate() {
                grid[top - 1][(x + k).min(w - 1)] = ch;
            }
        }
    }
    let mut lines: Vec<Line> = grid
        .into_iter()
        .map(|row| Line::styled(row.into_iter().collect::<String>(), Style::new().fg(OPTIMISTS)))
        .collect();
    // The share under the bars: 0% at the left edge, 50% in the middle, 100% at the right.
    let mut axis = vec![' '; w];
    let span = bin_w * BINS;
    let mut marks = vec![("0%", left), ("100%", left + span - 4)];
    if span >= 14 {
        marks.push(("50%", left + span / 2 - 1));
    }
    for (text, at) in marks {
        for (k, ch) in text.chars().enumerate() {
            if let Some(c) = axis.get_mut(at + k) {
                *c = ch;
            }
        }
    }
    lines.push(Line::styled(axis.into_iter().collect::<String>(), Style::new().fg(DIM)));
    lines
}

#[cfg(test)]
mod tests {
    use super::super::tests::{app_with, assert_has, hand_view};
    use super::super::{MARK, buffer_text, draw, render_text};
    use super::*;
    use crate::scenario::Date;
    use crate::tui::app::App;
    use crate::tui::history::History;
    use crate::tui::view::Marker as LiveMarker;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::style::Color;

    fn windows(shares: impl Iterator<Item = f64>) -> Vec<WindowPoint> {
        shares.map(|s| WindowPoint { optimist_share: Some(s), ..Default::default() }).collect()
    }

    /// Strong herding: runs of windows near one end, then near the other.
    fn strong() -> Vec<WindowPoint> {
        windows((0..200).map(|i| {
            let end = if (i / 20) % 2 == 0 { 0.07 } else { 0.93 };
            end + 0.08 * (i as f64 * 1.3).sin()
        }))
    }

    /// Weak herding: the crowd stays near one half.
    fn weak() -> Vec<WindowPoint> {
        windows((0..200).map(|i| 0.5 + 0.14 * (i as f64 * 0.7).sin()))
    }

    #[test]
    fn strong_herding_makes_two_humps_and_weak_herding_one() {
        let (s, w) = (histogram(&strong()), histogram(&weak()));
        assert_eq!(s.iter().sum::<u64>(), 200);
        assert_eq!(w.iter().sum::<u64>(), 200);
        // Two humps: the largest bins at either end, an empty middle.
        let left_peak = (0..5).max_by_key(|&b| s[b]).unwrap();
        let right_peak = (5..BINS).max_by_key(|&b| s[b]).unwrap();
        assert!(left_peak <= 1 && right_peak >= 8, "{s:?}");
        assert!(s[3..7].iter().all(|&c| c == 0), "{s:?}");
        // One hump: the largest bins in the middle, empty ends.
        let peak = (0..BINS).max_by_key(|&b| w[b]).unwrap();
        assert!((3..=6).contains(&peak), "{w:?}");
        assert!(w[..2].iter().chain(&w[8..]).all(|&c| c == 0), "{w:?}");
        assert!(extreme(&s).unwrap() > 0.9 && extreme(&w).unwrap() < 0.1);
        assert_eq!(extreme(&[0; BINS]), None);
        // Drawn, they look different: the strong crowd's bars stand at the
        // ends with nothing in the middle, the weak one's in the middle.
        let text = |c: &[u64; BINS]| -> Vec<String> {
            histogram_lines(c, 40, 8).iter().map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect()).collect()
        };
        let (ts, tw) = (text(&s), text(&w));
        assert_eq!(ts.len(), 8);
        assert_ne!(ts, tw);
        let bottom = |t: &[String]| t[6].chars().collect::<Vec<_>>();
        let (bs, bw) = (bottom(&ts), bottom(&tw));
        assert!(bs[0] == '█' && bs[37] == '█' && bs[18] == ' ', "{ts:#?}");
        assert!(bw[0] == ' ' && bw[37] == ' ' && bw[18] == '█', "{tw:#?}");
        assert!(ts[7].starts_with("0%") && ts[7].trim_end().ends_with("100%") && ts[7].contains("50%"));
        // The counts stand above their bars.
        assert!(ts.iter().any(|l| l.contains(&s[0].to_string())), "{ts:#?}");
    }

    #[test]
    fn the_crowd_panels_draw_at_80x24_and_200x60() {
        let view = hand_view();
        let n = histogram(&view.products[0].windows[..39]).iter().sum::<u64>();
        assert_eq!(n, 39, "the windows completed");
        let app = app_with(view);
        for (w, h) in [(80, 24), (200, 60)] {
            let text = render_text(&app, w, h);
            assert_eq!(text.lines().count(), usize::from(h));
            assert_has(
                &text,
                &[
                    "optimists among herd followers",
                    "now 47%",
                    "all 39 windows",
                    "orders/s",
                    "rejects/s",
                    "100%",
                    "success probability",
                    "volume per window",
                    "book NOTE7",
                ],
            );
        }
        let text = render_text(&app, 200, 60);
        assert_has(&text, &["extreme (below 20% or above 80%):", "50%"]);
        // The whole run, where the chart beside it shows a stretch of it.
        assert_has(&text, &["all 39 windows so far, by optimist share"]);
        // Without herd followers, the crowd panel says so instead.
        let mut view = hand_view();
        view.optimist_share = None;
        view.products[0].windows.iter_mut().for_each(|w| w.optimist_share = None);
        let text = render_text(&app_with(view.clone()), 80, 24);
        // In whole words: "no herd" where "no herd followers" does not fit.
        assert_has(&text, &["│no herd  "]);
        assert!(!text.contains("no herd follow"), "cut mid-word:\n{text}");
        assert_has(&render_text(&app_with(view), 200, 60), &["no herd followers"]);
        assert!(!text.contains("windows by optimis"));
    }

    /// Five days of 66 windows of 5 minutes from 09:30 (Mon 2026-01-05 to
    /// Fri), finished, with a live change on Monday at 10:20.
    fn week() -> LiveView {
        let open = 9.5 * 3600.0;
        let mut view = hand_view();
        let template = view.products[0].windows[0];
        view.products[0].windows = (0..330)
            .map(|i| {
                let (day, k) = ((i / 66) as f64, (i % 66) as f64);
                let t_start = day * 86_400.0 + open + 300.0 * k;
                let x = (i as f64 / 9.0).sin();
                WindowPoint { t_start, t_end: t_start + 300.0, optimist_share: Some(0.5 + 0.45 * x), ..template }
            })
            .collect();
        view.markers = vec![LiveMarker { t: open + 300.0 * 10.0, label: "herding rate -2".into() }];
        view.finished = true;
        view.in_session = false;
        view.date = Date::parse("2026-01-09");
        view.t = 4.0 * 86_400.0 + 15.0 * 3600.0;
        view.time_of_day = 15 * 3600 * 1_000_000_000;
        view
    }

    /// The text and the number of cells drawn in the live changes' colour.
    fn drawn(app: &App, w: u16, h: u16) -> (String, usize) {
        let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
        terminal.draw(|f| draw(f, app)).unwrap();
        let buffer = terminal.backend().buffer();
        let marks = buffer.content().iter().filter(|c| c.fg == MARK && c.symbol() != " ").count();
        (buffer_text(buffer), marks)
    }

    #[test]
    fn a_finished_run_scrolls_back_to_its_start_and_zooms_out_to_the_whole_week() {
        let mut app = app_with(week());
        for (w, h) in [(80, 24), (200, 60)] {
            app.history = History::default();
            let (live, marks) = drawn(&app, w, h);
            assert!(live.contains("Fri 15:00"), "live: the latest windows\n{live}");
            assert!(!live.contains("Mon 09:30"));
            assert_eq!(marks, 0, "Monday's change is off the span");
            assert_has(&live, &["[ ] scroll back"]);
            // Home: Monday from the open, the change drawn on every time chart.
            app.history = History { end: Some(0), zoom: 0 };
            let (start, marks) = drawn(&app, w, h);
            assert_has(&start, &["Mon 09:30", "End: live"]);
            assert!(marks >= 5, "the change on every time chart: {marks}\n{start}");
            // Zoomed out: the whole week, the change still drawn.
            app.history = History { end: None, zoom: 6 };
            let (all, marks) = drawn(&app, w, h);
            assert_has(&all, &["Mon 09:30", "Fri 15:00"]);
            if w >= 100 {
                assert_has(&all, &["zoom out ×64"]);
            }
            assert!(marks >= 5, "{all}");
        }
    }

    #[test]
    fn the_axis_starts_at_the_open_not_a_window_before_it() {
        let mut view = hand_view();
        let open = 9.5 * 3600.0;
        view.products[0].windows.truncate(1);
        view.products[0].windows[0].t_start = open;
        view.products[0].windows[0].t_end = open + 120.0;
        view.t = open + 120.0;
        let text = render_text(&app_with(view), 200, 60);
        assert_has(&text, &["Mon 09:30"]);
        assert!(!text.contains("09:28") && !text.contains("09:27"), "{text}");
    }

    #[test]
    fn the_palette_is_not_red_and_green_and_the_book_says_bid_and_ask() {
        let app = app_with(hand_view());
        let mut terminal = Terminal::new(TestBackend::new(200, 60)).unwrap();
        terminal.draw(|f| draw(f, &app)).unwrap();
        let buffer = terminal.backend().buffer();
        let bad = [Color::Red, Color::Green, Color::LightRed, Color::LightGreen, Color::Magenta];
        assert!(buffer.content().iter().all(|c| !bad.contains(&c.fg)), "no series in red, green or magenta");
        let text = buffer_text(buffer);
        assert_has(&text, &["ask  1.0012", "bid  0.9998", "⠒⠒ subscriptions (buys)", "•• sales", "NAV 1.0001 ••"]);
    }

    #[test]
    fn the_book_keeps_its_words_before_its_bars() {
        // Without herd followers the crowd panel shares the book's row: at
        // 100 columns the book has 19 inside, where the bars took the words
        // before and only colour told bids from asks.
        let mut view = hand_view();
        view.optimist_share = None;
        for w in &mut view.products[0].windows {
            w.optimist_share = None;
        }
        for width in [100, 110, 120] {
            let text = render_text(&app_with(view.clone()), width, 30);
            assert_has(&text, &["ask  1.0012", "bid  0.9998"]);
        }
    }
}
