//! Drawing the live view: a pure function of the [`App`] state.
//!
//! Left column, on one time axis (one metrics window per braille dot
//! column at the usual zoom, the latest at the right while following the
//! run live; `App::history` scrolls and zooms it): success probabilities of
//! subscriptions (customers' buys) and sales with the current interval as
//! an error bar, volume per window, the optimist share of the herd
//! followers (when the scenario has them), price with NAV and the loan
//! rate. Right column: the rolling correlation of success with volume
//! (numbers, gauges and a scatter of recent windows), the histogram of the
//! windows by optimist share beside its chart, the order book of the
//! selected product (and the crowd's numbers without herd followers).
//! Live changes show as yellow vertical lines on the time charts, drawn
//! over the series. Colours and line styles: `palette.rs`.

mod axis;
mod charts;
mod control;
mod correlation;
mod crowd;
mod market;
mod palette;
mod status;
mod watch;

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::app::App;
use crate::tui::view::LiveView;
use axis::Span_;
use charts::{price_panel, success_panel, volume_panel};
pub use control::readout_text;
use correlation::correlation_panel;
pub use correlation::{Rolling, rolling};
use market::{book_panel, crowd_panel};
use palette::{DIM, LOAN, MARK, NAV, PRICE, SALE, SUB, VOLUME};
use status::{help, knob_line, message_box, message_rows, status_line};
pub(crate) use status::{help_overflow, message_pages};
use watch::{watch_line, watch_rows};

/// The narrowest terminal the view is drawn in, in columns; a smaller one
/// gets a message asking for more room.
pub const MIN_WIDTH: u16 = 80;
/// The lowest terminal the view is drawn in, in rows.
pub const MIN_HEIGHT: u16 = 24;

/// Width of the y-axis labels of the time charts (the same for all, so
/// their time axes line up).
const LABEL_W: usize = 6;

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// Draws the whole view into the frame.
pub fn draw(frame: &mut Frame, app: &App) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(frame, area, app);
        return;
    }
    let message = message_rows(app, area.width, area.height);
    let watch = watch_rows(app, area);
    let readout = control::readout_rows(app, area.width);
    let [main, ghost, watching, knobs, said, status] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(readout.len() as u16),
        Constraint::Length(watch.len() as u16),
        Constraint::Length(1),
        Constraint::Length(message.len() as u16),
        Constraint::Length(1),
    ])
    .areas(area);
    match app.view.as_deref() {
        Some(view) if !view.products.is_empty() => panels(frame, main, app, view),
        _ => {
            let text = Paragraph::new("starting the simulation …").alignment(Alignment::Center);
            frame.render_widget(text, centre(main, main.width, 1));
        }
    }
    control::readout(frame, ghost, app, &readout);
    watch_line(frame, watching, &watch);
    knob_line(frame, knobs, app);
    message_box(frame, said, &message);
    status_line(frame, status, app);
    if app.help {
        help(frame, area, app);
    }
}

/// The message instead of a garbled view, with the status message under
/// it: the question a `q` asks (changes not saved) must be seen to be
/// answered.
fn too_small(frame: &mut Frame, area: Rect, app: &App) {
    let mut text = vec![
        Line::from(Span::styled("The terminal is too small", Style::new().add_modifier(Modifier::BOLD))),
        Line::from(format!(
            "It is {}×{}; the live view needs at least {MIN_WIDTH}×{MIN_HEIGHT}.",
            area.width, area.height
        )),
        Line::from("Enlarge the window or make the font smaller."),
        Line::from("The simulation is paused until then; q quits, w saves, other keys do nothing."),
    ];
    if let Some((said, _)) = &app.message {
        text.push(Line::raw(""));
        text.push(Line::from(said.clone()));
    }
    let w = usize::from(area.width.max(1));
    let rows: usize = text.iter().map(|l| l.width().max(1).div_ceil(w)).sum();
    let height = u16::try_from(rows).unwrap_or(u16::MAX).min(area.height);
    frame.render_widget(
        Paragraph::new(text).alignment(Alignment::Center).wrap(Wrap { trim: true }),
        centre(area, area.width, height.saturating_add(2)),
    );
}

/// A rectangle of at most `w`×`h` in the middle of `area`.
fn centre(area: Rect, w: u16, h: u16) -> Rect {
    let (w, h) = (w.min(area.width), h.min(area.height));
    Rect::new(area.x + (area.width - w) / 2, area.y + (area.height - h) / 2, w, h)
}

/// The left column and the right one.
fn columns(area: Rect) -> [Rect; 2] {
    Layout::horizontal([Constraint::Ratio(4, 7), Constraint::Ratio(3, 7)]).areas(area)
}

/// Plot columns of the time charts in a terminal `width` columns wide:
/// inside the border, right of the labels and the axis.
pub fn time_cols(width: u16) -> usize {
    let [left, _] = columns(Rect::new(0, 0, width, 1));
    usize::from(left.width.saturating_sub(2)).saturating_sub(LABEL_W + 1).max(1)
}

fn panels(frame: &mut Frame, area: Rect, app: &App, view: &LiveView) {
    let p = &view.products[app.product.min(view.products.len() - 1)];
    let shown = app.history.visible(p.windows.len(), time_cols(area.width));
    let span = Span_ { start: shown.start, end: shown.end, cap: shown.cap };
    if crowd::has_crowd(view, p) {
        // Three bands, so that the crowd's histogram sits beside its chart:
        // success and volume | correlation; optimists | histogram; price | book.
        let h = area.height;
        let mid = if h < 26 { 5 } else { (h * 8 / 29).max(6) }.min(h);
        let top = ((h - mid) * 11 / 20).max((h - mid).min(10));
        let [top, mid, bottom] =
            Layout::vertical([Constraint::Length(top), Constraint::Length(mid), Constraint::Fill(1)]).areas(area);
        let ([top_l, corr], [mid_l, hist], [price, book]) = (columns(top), columns(mid), columns(bottom));
        let [success, volume] = Layout::vertical([Constraint::Fill(7), Constraint::Fill(4)]).areas(top_l);
        success_panel(frame, success, app, view, p, span);
        volume_panel(frame, volume, app, view, p, span);
        correlation_panel(frame, corr, view, p);
        crowd::optimist_panel(frame, mid_l, view, p, span);
        crowd::histogram_panel(frame, hist, view, p);
        price_panel(frame, price, view, p, span);
        book_panel(frame, book, view, p);
        return;
    }
    let [left, right] = columns(area);
    let [success, volume, price] =
        Layout::vertical([Constraint::Fill(8), Constraint::Fill(4), Constraint::Fill(10)]).areas(left);
    let [corr, bottom] = Layout::vertical([Constraint::Fill(12), Constraint::Fill(10)]).areas(right);
    let [book, crowd] = Layout::horizontal([Constraint::Fill(1), Constraint::Fill(1)]).areas(bottom);
    success_panel(frame, success, app, view, p, span);
    volume_panel(frame, volume, app, view, p, span);
    price_panel(frame, price, view, p, span);
    correlation_panel(frame, corr, view, p);
    book_panel(frame, book, view, p);
    crowd_panel(frame, crowd, view, p);
}

fn title(text: impl Into<String>) -> Span<'static> {
    Span::styled(text.into(), Style::new().add_modifier(Modifier::BOLD))
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// Lots as people read them: 950, 12.3k, 1.20M.
fn qty(x: u64) -> String {
    match x {
        0..10_000 => x.to_string(),
        10_000..1_000_000 => format!("{:.1}k", x as f64 / 1e3),
        _ => format!("{:.2}M", x as f64 / 1e6),
    }
}

/// The view drawn into a `width`×`height` text grid (for tests, the README
/// capture and measuring the cost of drawing), one line per row.
pub fn render_text(app: &App, width: u16, height: u16) -> String {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    // A test backend's error type is `Infallible`: these patterns cannot fail.
    let Ok(mut terminal) = Terminal::new(TestBackend::new(width, height));
    let Ok(_) = terminal.draw(|frame| draw(frame, app));
    buffer_text(terminal.backend().buffer())
}

/// A buffer's symbols, one line per row.
pub fn buffer_text(buffer: &ratatui::buffer::Buffer) -> String {
    let area = buffer.area;
    let mut out = String::with_capacity(usize::from(area.width + 1) * usize::from(area.height) * 3);
    for y in area.top()..area.bottom() {
        for x in area.left()..area.right() {
            out.push_str(buffer[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Date;
    use crate::tui::app::clock_text;
    use crate::tui::view::{Knob, KnobValue, LiveRun, Marker as LiveMarker, ProductNow, WindowPoint};
    use std::path::{Path, PathBuf};
    use std::sync::Arc;

    /// A view built by hand: 40 windows of 5 minutes from 09:30 on Monday
    /// 2026-01-05, success rising and falling with volume.
    pub(super) fn hand_view() -> LiveView {
        let open = 9.5 * 3600.0;
        let windows = (0..40)
            .map(|i| {
                let x = (i as f64 / 4.0).sin();
                let sub = 0.5 + 0.4 * x;
                let sale = 0.6 - 0.2 * x;
                WindowPoint {
                    t_start: open + 300.0 * i as f64,
                    t_end: open + 300.0 * (i + 1) as f64,
                    sub_success: Some(sub),
                    sub_interval: Some((sub - 0.05, sub + 0.05)),
                    sale_success: Some(sale),
                    sale_interval: Some((sale - 0.04, sale + 0.04)),
                    volume: (1000.0 + 800.0 * x) as u64,
                    price: Some(1.0 + 0.001 * x),
                    nav: 1.0001,
                    loan_rate: if i < 30 { 0.0435 } else { 0.046 },
                    optimist_share: Some(0.5 + 0.3 * x),
                    orders: 600,
                    sells: 200,
                    rejected: 30,
                }
            })
            .collect();
        LiveView {
            scenario: "herding".into(),
            seed: 7,
            t: open + 300.0 * 40.0,
            date: Date::parse("2026-01-05"),
            time_of_day: (open as i64 + 12_000) * 1_000_000_000 + 17_000_000_000,
            day: 0,
            days: 5,
            in_session: true,
            finished: false,
            products: vec![ProductNow {
                id: "NOTE7".into(),
                bids: vec![(0.9998, 300), (0.9997, 1200), (0.9995, 45)],
                asks: vec![(1.0012, 20000), (1.0013, 77), (1.0020, 5)],
                last_price: Some(1.0004),
                nav: 1.0001,
                windows,
            }],
            knobs: vec![
                KnobValue {
                    knob: Knob::LoanRate,
                    value: Some(0.046),
                    what: "moves the funding cost of 9 rational customers".into(),
                },
                KnobValue {
                    knob: Knob::Herding,
                    value: Some(6.0),
                    what: "how fast 3000 herding customers win each other over".into(),
                },
                KnobValue {
                    knob: Knob::MacroActiveShare,
                    value: None,
                    what: "no macro-driven customers here: nothing reads their active share".into(),
                },
            ],
            markers: vec![LiveMarker { t: open + 300.0 * 29.5, label: "loan rate +25 bp".into() }],
            scripted: Vec::new(),
            optimist_share: Some(0.47),
            window_secs: 300.0,
            rolling_windows: 12,
        }
    }

    pub(super) fn app_with(view: LiveView) -> App {
        let mut app = App::new(PathBuf::from("results"));
        app.view = Some(Arc::new(view));
        app
    }

    pub(super) fn assert_has(text: &str, needles: &[&str]) {
        for n in needles {
            assert!(text.contains(n), "`{n}` is missing from the view:\n{text}");
        }
    }

    /// At 80 × 24 the success chart has two rows: labelled 0% and 100%,
    /// not 100% and 50% (a third label landed on the bottom row, which
    /// then read 50% for everything from 0 to 50%).
    #[test]
    fn a_short_chart_labels_only_what_its_rows_show() {
        let text = render_text(&app_with(hand_view()), 80, 24);
        let success: Vec<&str> = text.lines().take_while(|l| !l.starts_with('└')).collect();
        let labels: Vec<&str> =
            success.iter().filter_map(|l| l.split('│').nth(1)).filter(|c| c.ends_with('%')).map(str::trim).collect();
        assert_eq!(labels, ["100%", "0%"], "{text}");
        // The loan strip under the prices has one row: no label, not a
        // bound read as the rate.
        let price = text.lines().skip_while(|l| !l.contains("price 1.0004")).nth(3).unwrap_or_default();
        assert!(price.starts_with("│      │"), "{text}");
    }

    #[test]
    fn the_view_shows_every_panel_at_80x24_160x48_and_200x60() {
        let view = hand_view();
        let roll = rolling(&view.products[0].windows[..39], 12);
        let app = app_with(view);
        for (w, h) in [(80, 24), (160, 48), (200, 60)] {
            let text = render_text(&app, w, h);
            assert_eq!(text.lines().count(), usize::from(h));
            assert_has(
                &text,
                &[
                    "NOTE7",
                    "success probability",
                    "volume per window",
                    "price 1.0004",
                    "NAV 1.0001",
                    "loan rate 4.60%",
                    "book NOTE7",
                    "all 39 windows",
                    "optimists among herd followers",
                    "orders/s",
                    "rejects/s",
                    "Mon 2026-01-05 12:50:17",
                    "day 1/5",
                    "running 300×",
                    "? help",
                    "herding rate 6.0/h",
                    "macro active share n/a",
                ],
            );
            // The sales among the orders (a hike's or a rumour's first
            // sign), where there is room: 200 sells over a 300 s window.
            if w >= 160 {
                assert_has(&text, &["(sells 0.7)"]);
            }
            // The rolling correlations, as numbers.
            for x in [roll.sub_r, roll.sub_rho, roll.sale_r, roll.sale_rho] {
                assert_has(&text, &[&format!("{:+.2}", x.unwrap())]);
            }
            // Book levels with their quantities.
            assert_has(&text, &[" 1.0012", "20.0k", " 0.9998", "300", "1200"]);
            // The current values with their intervals (the window in progress).
            let last = app.view.as_ref().unwrap().products[0].windows[39];
            assert_has(&text, &[&format!("subscriptions (buys) {}", pct(last.sub_success.unwrap()))]);
            assert_has(&text, &[&format!("sales {}", pct(last.sale_success.unwrap()))]);
            assert_has(&text, &["success of subscriptions (buys)", "success of sales"]);
            // Said to be the window in progress's share so far.
            assert_has(&text, &[&format!("subscriptions (buys) {} (", pct(last.sub_success.unwrap())), ") so far"]);
            for short in ["sub ", "sale "] {
                assert!(!text.contains(short), "`{short}` is shorthand, not plain words:\n{text}");
            }
        }
        let wide = render_text(&app, 160, 48);
        assert_has(&wide, &["space pause", "herding · seed 7", "Mon 09:30"]);
        // The honest figure leads: r with its interval from the effective
        // sample size, and one sentence on what that means.
        let (lo, hi) = roll.sub_ci.expect("12 windows give an interval");
        assert!(lo <= roll.sub_r.unwrap() && roll.sub_r.unwrap() <= hi);
        assert_has(&wide, &[&format!("[{lo:+.2},{hi:+.2}]"), "drifting windows ≈", "independent"]);
    }

    #[test]
    fn the_status_line_says_paused_finished_and_messages() {
        let mut app = app_with(hand_view());
        app.paused = true;
        let text = render_text(&app, 80, 24);
        assert_has(&text, &["paused · 300×"]);
        assert!(!text.contains("running"));
        // `+` while paused: the speed it resumes at, said at once.
        app.on_key(crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Char('+')));
        assert_has(&render_text(&app, 80, 24), &["paused · 1800×"]);
        let mut view = hand_view();
        view.finished = true;
        app.view = Some(Arc::new(view));
        assert_has(&render_text(&app, 80, 24), &["finished"]);
        app.say("saved to results/herding/live-20260105T101010Z", std::time::Instant::now());
        assert_has(&render_text(&app, 100, 30), &["saved to results/herding/live-2026"]);
    }

    #[test]
    fn a_status_message_too_long_for_the_status_line_wraps_whole_above_it() {
        let mut app = app_with(hand_view());
        let long = "macro active share is n/a and cannot be changed: no macro-driven customers here: \
                    nothing reads their active share (the end of this message must show)";
        app.say(long, std::time::Instant::now());
        for (w, h) in [(80, 24), (200, 60)] {
            let text = render_text(&app, w, h);
            assert_eq!(text.lines().count(), usize::from(h));
            let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(flat.contains(long), "the message is cut at {w}×{h}:\n{text}");
            assert!(!text.contains('…'), "nothing is cut at {w}×{h}:\n{text}");
            assert_has(&text, &["book NOTE7", "day 1/5", "? help"]);
        }
        // A short one stays on the status line where there is room for it.
        app.say("restarted with the same seed", std::time::Instant::now());
        let text = render_text(&app, 200, 60);
        assert!(text.lines().last().unwrap().contains("restarted with the same seed"), "{text}");
        let text = render_text(&app, 80, 24);
        assert_eq!(text.lines().nth(22).unwrap().trim(), "restarted with the same seed", "{text}");
    }

    #[test]
    fn a_status_message_longer_than_its_rows_turns_pages_and_is_never_cut() {
        let mut app = app_with(hand_view());
        // About 40 rows at 80 columns and 16 at 200: more than the rows any screen gives it.
        let words: Vec<String> = (1..=600).map(|i| format!("w{i}")).collect();
        let long = format!("save to results/herding/live-20260105T101010Z failed: {} (the end)", words.join(" "));
        app.say(&long, std::time::Instant::now());
        for (w, h, rows) in [(80, 24, 4), (200, 60, 8)] {
            let pages = status::message_pages(&app, w, h);
            assert!(pages.len() >= 2, "{w}×{h}: one page");
            let mut seen = Vec::new();
            for (k, page) in pages.iter().enumerate() {
                assert!(page.len() <= rows, "{w}×{h}: page {k} takes {} rows", page.len());
                app.message_page = k;
                let text = render_text(&app, w, h);
                assert_eq!(text.lines().count(), usize::from(h));
                assert!(!text.contains('…'), "nothing is cut at {w}×{h}:\n{text}");
                assert_has(&text, &["book NOTE7", "day 1/5", "? help", &format!("({}/{})", k + 1, pages.len())]);
                for row in page {
                    assert!(text.contains(row.as_str()), "{w}×{h}: page {k} is not drawn whole:\n{text}");
                    let row = row.trim_end();
                    let row = row.strip_suffix(&format!("({}/{})", k + 1, pages.len())).unwrap_or(row);
                    seen.push(row.trim_end().to_string());
                }
            }
            // The pages together hold the whole message, in order.
            assert_eq!(seen.join(" "), long, "{w}×{h}");
        }
        // It stays until every page has been shown, one every PAGE_FOR.
        app.resize(80, 24);
        let t0 = std::time::Instant::now();
        app.say(&long, t0);
        let n = status::message_pages(&app, 80, 24).len();
        assert!(n >= 3, "{n} pages of 4 rows at 80×24");
        for k in 0..n {
            let at = t0 + crate::tui::app::PAGE_FOR * k as u32 + std::time::Duration::from_millis(10);
            assert_eq!(app.expire(at), k > 0, "page {k} turns once");
            assert_eq!(app.message_page, k);
            assert!(app.message.is_some(), "dropped before page {k} was shown");
        }
        assert!(app.expire(t0 + crate::tui::app::PAGE_FOR * n as u32));
        assert!(app.message.is_none());
    }

    #[test]
    fn wrapping_breaks_at_spaces_and_long_words_where_it_must() {
        assert_eq!(status::wrap("a bb ccc dddd", 6), ["a bb", "ccc", "dddd"]);
        assert_eq!(status::wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(status::wrap("", 4), [""]);
    }

    #[test]
    fn the_status_line_says_what_holds_the_simulation_and_when_it_is_behind() {
        let mut app = app_with(hand_view());
        app.help = true;
        for (w, h) in [(80, 24), (200, 60)] {
            let text = render_text(&app, w, h);
            assert_has(&text, &["paused (help)"]);
            // A hint is shown whole or not at all.
            let status = text.lines().last().unwrap_or_default();
            assert!(!status.contains("[ ]") || status.contains("[ ] scroll back"), "{status}");
        }
        assert_has(&render_text(&app, 200, 60), &["[ ] scroll back"]);
        // Between sessions, "market closed" is said whole (or as "closed"),
        // never cut by the keys.
        let mut closed = (**app.view.as_ref().unwrap()).clone();
        closed.in_session = false;
        app.view = Some(Arc::new(closed));
        for (w, h) in [(80, 24), (200, 60)] {
            let text = render_text(&app, w, h);
            let status = text.lines().last().unwrap_or_default();
            assert!(status.contains(" closed ") && !status.contains("[ ] scroll b "), "{status}");
        }
        assert_has(&render_text(&app, 200, 60), &["market closed", "[ ] scroll back"]);
        app.help = false;
        // The last window is complete: its figure is not "so far".
        let text = render_text(&app, 200, 60);
        assert_has(&text, &["subscriptions (buys) "]);
        assert!(!text.contains(") so far"), "{text}");
        app.behind = Some(212.4);
        for (w, h) in [(80, 24), (200, 60)] {
            assert_has(&render_text(&app, w, h), &["behind: running at 212×"]);
        }
        assert_has(&render_text(&app, 200, 60), &["behind: running at 212× (asked 300×)"]);
        app.paused = true;
        assert!(!render_text(&app, 80, 24).contains("behind"), "paused is not behind");
    }

    #[test]
    fn a_small_terminal_gets_a_message_not_a_garbled_view() {
        let app = app_with(hand_view());
        let text = render_text(&app, 60, 20);
        assert_has(&text, &["too small", "60×20", "80×24", "paused until then"]);
        assert!(!text.contains("book"));
        let text = render_text(&app, 79, 40);
        assert_has(&text, &["too small", "79×40"]);
        assert_has(&render_text(&app, 80, 24), &["book NOTE7"]);
    }

    #[test]
    fn behind_the_small_terminal_message_only_quitting_acts() {
        use crate::tui::sim::Command;
        use crossterm::event::{KeyCode, KeyEvent};
        let mut app = app_with(hand_view());
        app.resize(60, 20);
        let (speed, knob) = (app.speed, app.knob);
        for code in [KeyCode::Char(' '), KeyCode::Char('+'), KeyCode::Right, KeyCode::Down, KeyCode::Char('?')] {
            assert_eq!(app.on_key(KeyEvent::from(code)), Command::None, "{code:?}");
        }
        assert!(!app.paused && !app.help && app.speed == speed && app.knob == knob, "nothing changed unseen");
        // The question a q asks with changes not saved (the hand view has a
        // live change) is seen and answered.
        assert!(app.unsaved_changes());
        assert_eq!(app.on_key(KeyEvent::from(KeyCode::Char('q'))), Command::None);
        let text = render_text(&app, 60, 20);
        assert_has(&text.split_whitespace().collect::<Vec<_>>().join(" "), &["too small", "q again quits", "w saves"]);
        // w, which the question offers, saves there too.
        assert!(matches!(app.on_key(KeyEvent::from(KeyCode::Char('w'))), Command::Save(_)));
        assert_eq!(app.on_key(KeyEvent::from(KeyCode::Char('q'))), Command::Quit, "saved: one q");
    }

    /// The text inside the box titled `title`, its lines joined by spaces
    /// and runs of spaces made one.
    fn boxed(text: &str, title: &str) -> String {
        let lines: Vec<Vec<char>> = text.lines().map(|l| l.chars().collect()).collect();
        let top = lines.iter().position(|l| l.iter().collect::<String>().contains(title)).expect("the box is drawn");
        let t: Vec<char> = title.chars().collect();
        let at = (0..lines[top].len()).find(|&i| lines[top][i..].starts_with(&t)).unwrap();
        let left = (0..at).rev().find(|&i| lines[top][i] == '┌').unwrap();
        let right = (at..lines[top].len()).find(|&i| lines[top][i] == '┐').unwrap();
        let inside: Vec<String> = lines[top + 1..]
            .iter()
            .take_while(|l| l[left] != '└')
            .map(|l| l[left + 1..right].iter().collect())
            .collect();
        inside.join(" ").split_whitespace().collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn help_lists_the_keys_and_what_each_knob_does_here() {
        let mut app = app_with(hand_view());
        app.help = true;
        for (w, h) in [(80, 24), (200, 60)] {
            app.resize(w, h);
            app.help_scroll = 0;
            let text = render_text(&app, w, h);
            // Where it scrolls, what its end shows too.
            app.help_scroll = help_overflow(&app);
            let flat = format!(
                "{} {}",
                boxed(&text, " tplus tui: keys "),
                boxed(&render_text(&app, w, h), " tplus tui: keys ")
            );
            assert_has(&text, &["keys", "pause / resume", "restart with the same seed", "quit", "1× (real time), 10×"]);
            assert_has(
                &flat,
                &[
                    "live parameters in this scenario:",
                    "loan rate ±25 bp a step: moves the funding cost of 9 rational customers",
                    "herding rate ±0.5/h a step: how fast 3000 herding customers",
                    "macro active share n/a: no macro-driven customers here: nothing reads their active share",
                ],
            );
            assert_has(&text, &["paused (help)"]);
            if h >= 60 {
                assert_has(&flat, &["subscriptions (buys) or sales"]);
            }
        }
    }

    #[test]
    fn help_scrolls_where_it_does_not_fit() {
        use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
        let key = |app: &mut App, code| app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
        let mut app = app_with(hand_view());
        app.watch = Some("what an ordinary week looks like when every kind of customer is present.".into());
        app.resize(80, 24);
        key(&mut app, KeyCode::Char('?'));
        let over = help_overflow(&app);
        assert!(over > 0, "the help of three live parameters and a watch line is over 24 rows");
        let first = render_text(&app, 80, 24);
        assert_has(&first, &["↓ more · lines 1–", "pause / resume"]);
        assert!(!first.contains("macro active share n/a: no macro-driven"), "{first}");
        // End shows the last line; further down stays there; Home goes back.
        key(&mut app, KeyCode::End);
        assert_eq!(app.help_scroll, over);
        key(&mut app, KeyCode::Down);
        key(&mut app, KeyCode::PageDown);
        assert_eq!(app.help_scroll, over, "scrolling stops at the last line");
        let last = render_text(&app, 80, 24);
        assert_has(&boxed(&last, " tplus tui: keys "), &["macro active share n/a: no macro-driven customers here"]);
        assert_has(&last, &["↑ more", "paused (help)"]);
        key(&mut app, KeyCode::Up);
        assert_has(&render_text(&app, 80, 24), &["↑↓ more"]);
        key(&mut app, KeyCode::Home);
        assert_eq!(app.help_scroll, 0);
        assert!(app.help, "scrolling keeps the help up");
        // Reopened, it starts at the top; where it fits, nothing scrolls.
        key(&mut app, KeyCode::End);
        key(&mut app, KeyCode::Esc);
        key(&mut app, KeyCode::Char('?'));
        assert_eq!(app.help_scroll, 0);
        app.resize(200, 60);
        assert_eq!(help_overflow(&app), 0);
        key(&mut app, KeyCode::Down);
        assert_eq!(app.help_scroll, 0);
        assert!(!render_text(&app, 200, 60).contains("more ·"));
    }

    #[test]
    fn an_na_knob_shows_na_and_points_to_the_help() {
        let mut app = app_with(hand_view());
        app.knob = 2;
        for (w, h) in [(80, 24), (200, 60)] {
            assert_has(&render_text(&app, w, h), &["macro active share n/a", "? says why"]);
        }
    }

    #[test]
    fn before_the_first_snapshot_the_view_says_it_is_starting() {
        let app = App::new(PathBuf::from("results"));
        assert_has(&render_text(&app, 80, 24), &["starting the simulation"]);
    }

    #[test]
    fn rolling_correlations_use_the_last_k_windows_with_a_value() {
        let w =
            |s: Option<f64>, v: u64| WindowPoint { sub_success: s, sale_success: s, volume: v, ..Default::default() };
        let windows = [w(Some(0.9), 1), w(Some(0.1), 10), w(Some(0.2), 20), w(None, 25), w(Some(0.3), 30)];
        let r = rolling(&windows, 4);
        assert_eq!(r.windows, 4);
        assert!((r.sub_rho.unwrap() - 1.0).abs() < 1e-12);
        assert!((r.sub_r.unwrap() - 1.0).abs() < 1e-12);
        assert_eq!(rolling(&windows[..1], 4).sub_r, None);
    }

    #[test]
    fn a_real_run_draws_at_both_sizes() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/herding.toml");
        let s = crate::scenario::load(&path, &crate::agents::Registry::builtin()).unwrap();
        let mut live = LiveRun::new(&s, None).unwrap();
        for _ in 0..30 {
            live.sim_mut().advance_window();
        }
        assert!(live.change(Knob::LoanRate, 2.0).is_err(), "nobody in herding.toml reads the loan rate");
        assert!(live.change(Knob::Herding, -4.0).is_ok());
        for _ in 0..5 {
            live.sim_mut().advance_window();
        }
        let now = live.sim().now();
        live.sim_mut().advance_to(now + 100_000_000_000);
        let view = live.view(10);
        let p = &view.products[0];
        let mut app = app_with(view.clone());
        app.paused = true;
        for (w, h) in [(80, 24), (160, 48), (200, 60)] {
            let text = render_text(&app, w, h);
            let when = format!("Mon 2026-01-05 {}", clock_text(view.time_of_day as f64 / 1e9));
            assert_has(&text, &["book NOTE7", "paused", "day 1/5", "loan rate 4.35%", "loan rate n/a", &when]);
            assert_has(&text, &["herding rate 4.0/h", "macro active share n/a"]);
            // The loan rate moves, but nobody here reads it: said where it fits.
            if w >= 160 {
                assert_has(&text, &["loan rate 4.35% (no customer reads it)"]);
            }
            if let Some(&(price, _)) = p.bids.first() {
                assert_has(&text, &[&format!("{price:.4}")]);
            }
        }
    }

    /// The text capture in the README: `cargo test --release --lib
    /// readme_capture -- --ignored --nocapture`.
    #[test]
    #[ignore = "prints the README capture"]
    fn readme_capture() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/herding.toml");
        let s = crate::scenario::load(&path, &crate::agents::Registry::builtin()).unwrap();
        let mut live = LiveRun::new(&s, None).unwrap();
        for _ in 0..86 {
            live.sim_mut().advance_window();
        }
        let now = live.sim().now();
        live.sim_mut().advance_to(now + 61_000_000_000);
        assert!(live.change(Knob::Herding, -8.0).is_ok());
        for _ in 0..14 {
            live.sim_mut().advance_window();
        }
        let now = live.sim().now();
        live.sim_mut().advance_to(now + 137_000_000_000);
        let mut app = app_with(live.view(10));
        app.watch = crate::scenario::what_to_watch(&std::fs::read_to_string(&path).unwrap());
        println!("{}", render_text(&app, 100, 30));
    }
}
