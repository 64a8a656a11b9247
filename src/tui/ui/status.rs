//! The bottom lines (the live knobs, a status message too long for the
//! status line, the clock and status) and the help overlay.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::{DIM, WEEKDAYS, centre, title};
use crate::tui::app::{App, clock_text};
use crate::tui::sim::Speed;
use crate::tui::view::Knob;

pub(super) fn knob_value(knob: Knob, value: Option<f64>) -> String {
    value.map_or_else(|| "n/a".to_string(), |v| knob.value_text(v))
}

pub(super) fn knob_line(frame: &mut Frame, area: Rect, app: &App) {
    let mut spans = vec![Span::styled("↑↓ ", Style::new().fg(DIM))];
    for (i, &knob) in Knob::ALL.iter().enumerate() {
        let value = app.view.as_ref().and_then(|v| v.knobs.iter().find(|k| k.knob == knob)).and_then(|k| k.value);
        let text = format!(" {} {} ", knob.label(), knob_value(knob, value));
        let style = if i == app.knob {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        } else if value.is_none() {
            Style::new().fg(DIM)
        } else {
            Style::new()
        };
        spans.push(Span::styled(text, style));
    }
    let knob = app.selected_knob();
    let hint = match app.knob_value(knob) {
        Some(k) if k.value.is_none() => " ? says why".to_string(),
        _ => format!(" ←→ ±{}", knob.amount(1.0).trim_start_matches('+')),
    };
    spans.push(Span::styled(hint, Style::new().fg(DIM)));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// A pace as people read it: 0.8, 12, 950, 12k.
fn rate_text(r: f64) -> String {
    if r >= 1e4 {
        format!("{:.0}k", r / 1e3)
    } else if r >= 9.95 {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}

/// "300×", "max ≈12k×".
pub(super) fn speed_text(app: &App) -> String {
    match app.speed() {
        Speed::Times(x) => format!("{x}×"),
        Speed::Max => app.rate.map_or("max".to_string(), |r| format!("max ≈{}×", rate_text(r))),
    }
}

/// `text` cut to `width` columns, with an ellipsis when cut.
/// The first of `says` (longer forms first) whose text fits `width`
/// columns whole, or the last cut by [`fit`]: a panel's text in shorter
/// words where the longer do not fit, never cut mid-word while a form fits.
pub(super) fn first_fitting<S: AsRef<str>>(says: &[S], width: usize) -> String {
    match says.iter().map(AsRef::as_ref).find(|t| t.chars().count() <= width) {
        Some(t) => t.to_string(),
        None => says.last().map_or(String::new(), |t| fit(t.as_ref(), width)),
    }
}

pub(super) fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_string()
    } else if width == 0 {
        String::new()
    } else {
        text.chars().take(width - 1).chain(std::iter::once('…')).collect()
    }
}

/// The status line's parts: what it says on the left, the keys on the
/// right, and the columns left between them.
struct StatusParts {
    left: Vec<Span<'static>>,
    tail: Vec<String>,
    keys: &'static str,
    free: usize,
}

/// The keys the status line names where the whole list does not fit.
const SHORT_KEYS: &str = " ? help · q quit ";

fn status_parts(app: &App, width: u16) -> StatusParts {
    let bar = Style::new().bg(Color::Blue).fg(Color::White);
    let mut left = Vec::new();
    let mut tail = Vec::new();
    if let Some(v) = app.view.as_deref() {
        let clock = clock_text(v.time_of_day as f64 / 1e9);
        let when = match v.date {
            Some(d) => format!(" {} {d} {clock} ", WEEKDAYS[d.weekday() as usize]),
            None => format!(" {clock} "),
        };
        left.push(Span::styled(when, bar.add_modifier(Modifier::BOLD)));
        left.push(Span::styled(format!("day {}/{} ", (v.day + 1).min(v.days), v.days), bar));
        let state = if v.finished {
            Span::styled(" ■ finished ", Style::new().bg(Color::Gray).fg(Color::Black))
        } else if let Some(why) = app.holds().filter(|_| !app.paused) {
            Span::styled(format!(" ‖ paused ({why}) "), Style::new().bg(Color::Yellow).fg(Color::Black))
        } else if app.is_paused() {
            // The speed it resumes at: `+` and `-` while paused change it,
            // and say so here.
            Span::styled(format!(" ‖ paused · {} ", speed_text(app)), Style::new().bg(Color::Yellow).fg(Color::Black))
        } else if let (Some(kept), Speed::Times(_)) = (app.behind, app.speed()) {
            // Honest about a machine that cannot keep up: the pace it does keep.
            let asked = if width >= 100 { format!("(asked {}) ", speed_text(app)) } else { String::new() };
            let text = format!(" ▶ behind: running at {}× {asked}", rate_text(kept));
            Span::styled(text, Style::new().bg(Color::LightRed).fg(Color::Black))
        } else {
            Span::styled(format!(" ▶ running {} ", speed_text(app)), Style::new().bg(Color::Green).fg(Color::Black))
        };
        left.push(state);
        if !v.in_session && !v.finished {
            // Whole, in the shorter words where the longer do not fit.
            let used: usize = left.iter().map(Span::width).sum();
            let fits = |t: &str| used + t.chars().count() + SHORT_KEYS.chars().count() <= usize::from(width);
            let text = if fits(" market closed") { " market closed" } else { " closed" };
            left.push(Span::styled(text, Style::new().fg(Color::Yellow)));
        }
        // The charts held on an earlier span, or how to get there.
        let zoom = app.history.zoom_text().map_or(String::new(), |z| format!(" · {z}"));
        if !app.history.live() {
            let text = if width >= 100 { format!(" ◀ history{zoom} · End: live") } else { " ◀ End: live".into() };
            left.push(Span::styled(text, Style::new().fg(Color::Yellow)));
        } else if v.finished || app.is_paused() {
            // A hint: only where it fits whole beside the short keys (at 80
            // columns, paused by the help, it was cut to "[ ] scroll b").
            // A finished run also says how to replay it, where that fits too.
            let scroll = format!(" [ ] scroll back{zoom}");
            let replay = format!(" r replays ·{scroll}");
            let used: usize = left.iter().map(Span::width).sum();
            let fits = |h: &String| used + h.chars().count() + SHORT_KEYS.chars().count() <= usize::from(width);
            let hints = if v.finished { vec![replay, scroll] } else { vec![scroll] };
            if let Some(hint) = hints.into_iter().find(fits) {
                left.push(Span::styled(hint, Style::new().fg(DIM)));
            }
        } else if !zoom.is_empty() && width >= 100 {
            left.push(Span::styled(zoom, Style::new().fg(DIM)));
        }
        // Set apart from a hint before it ("[ ] scroll back herding" read
        // as one phrase).
        tail.push(format!(" │ {} · seed {}", v.scenario, v.seed));
        tail.push(format!(" │ {}", v.scenario));
    }
    let all_keys = [" space pause · +- speed · s step · w save · ? help · q quit ", SHORT_KEYS];
    let used: usize = left.iter().map(Span::width).sum();
    let room = usize::from(width);
    let keys = if used + all_keys[0].chars().count() + 24 <= room { all_keys[0] } else { all_keys[1] };
    let free = room.saturating_sub(used + keys.chars().count());
    StatusParts { left, tail, keys, free }
}

/// `text` broken into lines of at most `width` columns, at spaces where it
/// can be (a word longer than a line is broken where it must).
pub(super) fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        loop {
            let used = line.chars().count();
            let gap = usize::from(used > 0);
            if used + gap + word.len() <= width {
                if gap == 1 {
                    line.push(' ');
                }
                line.extend(word.iter());
                break;
            }
            if used > 0 {
                lines.push(std::mem::take(&mut line));
                continue;
            }
            // A word longer than a whole line.
            let rest = word.split_off(width);
            lines.push(word.iter().collect());
            word = rest;
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Most rows a status message takes above the status line of a terminal
/// `height` rows high: 4 at 24 rows, up to 8 on a tall one.
fn message_rows_max(height: u16) -> usize {
    usize::from(height / 6).clamp(4, 8)
}

/// Columns a page's number takes at the end of its first row (" (12/12)").
const PAGE_MARK_W: usize = 8;

/// A status message too long for the status line, wrapped into the rows
/// above it: one page when it fits in [`message_rows_max`] rows, else
/// pages of that many rows, each numbered at the end of its first row
/// ("(1/3)"), which the front end shows in turn ([`App::expire`]), so that
/// nothing of it is ever cut. None when it fits on the status line, or
/// there is no message.
pub(crate) fn message_pages(app: &App, width: u16, height: u16) -> Vec<Vec<String>> {
    let Some((text, _)) = &app.message else { return Vec::new() };
    if text.chars().count() < status_parts(app, width).free {
        return Vec::new();
    }
    let w = usize::from(width).saturating_sub(1);
    let max = message_rows_max(height);
    let rows = wrap(text, w);
    if rows.len() <= max {
        return vec![rows];
    }
    let rows = wrap(text, w.saturating_sub(PAGE_MARK_W));
    let n = rows.len().div_ceil(max);
    rows.chunks(max)
        .enumerate()
        .map(|(i, chunk)| {
            let mut page = chunk.to_vec();
            let mark = format!("({}/{n})", i + 1);
            let first = &mut page[0];
            let pad = w.saturating_sub(first.chars().count() + mark.chars().count());
            first.extend(std::iter::repeat_n(' ', pad));
            first.push_str(&mark);
            page
        })
        .collect()
}

/// The rows above the status line that a status message too long for the
/// status line wraps into: the page [`App::message_page`] points at (none
/// when it fits on the status line, or there is none).
pub(super) fn message_rows(app: &App, width: u16, height: u16) -> Vec<String> {
    let mut pages = message_pages(app, width, height);
    if pages.is_empty() {
        return Vec::new();
    }
    let k = app.message_page % pages.len();
    pages.swap_remove(k)
}

pub(super) fn message_box(frame: &mut Frame, area: Rect, rows: &[String]) {
    let lines: Vec<Line> = rows.iter().map(|r| Line::raw(format!(" {r}"))).collect();
    frame.render_widget(Paragraph::new(lines).style(Style::new().fg(Color::Yellow)), area);
}

pub(super) fn status_line(frame: &mut Frame, area: Rect, app: &App) {
    let StatusParts { mut left, tail, keys, free } = status_parts(app, area.width);
    match &app.message {
        // A message that does not fit here is drawn whole above (`message_rows`).
        Some((text, _)) if text.chars().count() < free => {
            left.push(Span::styled(format!(" {text}"), Style::new().fg(Color::Yellow)));
        }
        _ => {
            if let Some(t) = tail.iter().find(|t| t.chars().count() <= free) {
                left.push(Span::raw(t.clone()));
            }
        }
    }
    let keys_w = keys.chars().count() as u16;
    let [l, r] = Layout::horizontal([Constraint::Fill(1), Constraint::Length(keys_w.min(area.width))]).areas(area);
    frame.render_widget(Paragraph::new(Line::from(left)), l);
    frame.render_widget(Paragraph::new(Span::styled(keys, Style::new().fg(Color::Black).bg(Color::Gray))), r);
}

pub(super) const HELP: &[(&str, &str)] = &[
    ("space", "pause / resume (the help and a too-small window pause too)"),
    ("+  -", "speed: 1× (real time), 10×, 30×, 60×, 300×, 1800×, 7200×, max"),
    ("s", "pause and run one metrics window"),
    ("↑↓  ←→", "choose a live parameter; change it one step from the next second"),
    ("tab", "next product"),
    ("[  ]", "scroll the time charts back / forward ({ } a whole span)"),
    ("Home End z Z", "charts: the run's start / follow live; zoom in / out"),
    ("r", "restart with the same seed, at the same speed (live changes are dropped: twice if unsaved)"),
    ("c", "control on/off: the same seed without your changes, as dim ▄"),
    (
        "w",
        "save the whole run, played to its end with the changes made so far, in results/<scenario>/live-<time>/ (its scenario.toml replays it)",
    ),
    ("?  h", "this help; ↑↓ PgUp PgDn Home End scroll it where it does not fit"),
    ("q  esc", "quit (esc closes this help first; twice if live changes are unsaved)"),
];

pub(super) const LEGEND: &[(&str, &str)] = &[
    ("success", "share of a window's subscriptions (buys) or sales that ended"),
    ("", "fully filled; in brackets its Wilson 95% interval"),
    ("r, ρ", "Pearson and Spearman correlation of success with volume"),
    ("", "over the last K windows (dim dots: older windows)"),
    ("⠒⠒  ••", "solid lines: subscriptions (buys), price; dotted: sales, NAV"),
    ("│", "yellow lines on the time charts: live changes"),
    ("orders/s", "orders and rejections a simulated second, in the last window"),
    ("▄", "dim low blocks: the control, the same seed without the live changes"),
];

/// Width of the help's key column, and of the whole box.
const KEY_W: usize = 12;
const HELP_W: u16 = 78;

/// What each knob does in this scenario, one step at a time: "loan rate
/// ±25 bp: moves …" or "… n/a: why".
fn knob_help(app: &App) -> Vec<(String, String)> {
    Knob::ALL
        .iter()
        .filter_map(|&knob| {
            let k = app.knob_value(knob)?;
            let what = match k.value {
                Some(_) => format!("±{} a step: {}", knob.amount(1.0).trim_start_matches('+'), k.what),
                None => format!("n/a: {}", k.what),
            };
            Some((knob.label().to_string(), what))
        })
        .collect()
}

/// The help's lines for a terminal `area`, and the area the box is drawn
/// over (above the knob and status lines, which say why the run is paused).
fn help_lines(app: &App, area: Rect) -> (Vec<Line<'static>>, Rect) {
    let text_w = usize::from(HELP_W.min(area.width).saturating_sub(2)).saturating_sub(KEY_W + 2).max(10);
    let key = Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD);
    let rows = |k: &str, what: &str, style: Style| -> Vec<Line<'static>> {
        wrap(what, text_w)
            .into_iter()
            .enumerate()
            .map(|(i, part)| {
                let k = if i == 0 { k } else { "" };
                Line::from(vec![Span::styled(format!("{k:>KEY_W$}  "), key), Span::styled(part, style)])
            })
            .collect()
    };
    let mut lines: Vec<Line> = match app.watch.as_deref() {
        Some(text) => rows("watch", text, Style::new().add_modifier(Modifier::BOLD)),
        None => Vec::new(),
    };
    lines.extend(HELP.iter().flat_map(|(k, what)| rows(k, what, Style::new())));
    let knobs = knob_help(app);
    if !knobs.is_empty() {
        lines.extend(rows("←→", "live parameters in this scenario:", Style::new().fg(DIM)));
        for (label, what) in &knobs {
            let style = if what.starts_with("n/a") { Style::new().fg(DIM) } else { Style::new() };
            let mut first = true;
            for part in wrap(&format!("{label} {what}"), text_w) {
                let mut spans = vec![Span::raw(" ".repeat(KEY_W + 2))];
                match part.strip_prefix(label.as_str()).filter(|_| first) {
                    Some(rest) => {
                        spans.push(Span::styled(label.clone(), style.add_modifier(Modifier::BOLD)));
                        spans.push(Span::styled(rest.to_string(), style));
                    }
                    None => spans.push(Span::styled(part, style)),
                }
                first = false;
                lines.push(Line::from(spans));
            }
        }
    }
    let area = Rect { height: area.height.saturating_sub(2), ..area };
    // The legend when it fits beside the rest; the keys and the knobs
    // scroll when they do not fit themselves.
    let room = usize::from(area.height).saturating_sub(2);
    if lines.len() + 1 + LEGEND.len() <= room {
        lines.push(Line::raw(""));
        lines.extend(LEGEND.iter().flat_map(|(k, what)| rows(k, what, Style::new())));
    }
    (lines, area)
}

/// How many of the help's lines do not fit in the app's terminal: the
/// furthest the help scrolls (0 when it fits).
pub fn help_overflow(app: &App) -> u16 {
    let (lines, area) = help_lines(app, Rect::new(0, 0, app.width, app.height));
    let room = usize::from(area.height).saturating_sub(2);
    u16::try_from(lines.len().saturating_sub(room)).unwrap_or(u16::MAX)
}

pub(super) fn help(frame: &mut Frame, area: Rect, app: &App) {
    let (lines, area) = help_lines(app, area);
    let room = usize::from(area.height).saturating_sub(2);
    let over = lines.len().saturating_sub(room);
    let top = usize::from(app.help_scroll).min(over);
    let popup = centre(area, HELP_W, (lines.len() + 2) as u16);
    frame.render_widget(Clear, popup);
    let mut block = Block::bordered().title(title(" tplus tui: keys ")).border_style(Style::new().fg(Color::Yellow));
    if over > 0 {
        // Which lines show, and how to see the rest.
        let more = match (top > 0, top < over) {
            (true, true) => "↑↓ more",
            (false, _) => "↓ more",
            (true, false) => "↑ more",
        };
        let shown = format!(" {more} · lines {}–{} of {} ", top + 1, top + room, lines.len());
        block = block.title_bottom(Line::from(Span::styled(shown, Style::new().fg(Color::Yellow))).right_aligned());
    }
    frame.render_widget(Paragraph::new(lines).block(block).scroll((top as u16, 0)), popup);
}
