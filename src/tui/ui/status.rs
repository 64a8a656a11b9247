//! The two bottom lines (the live knobs, the clock and status) and the help
//! overlay.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::{DIM, WEEKDAYS, centre, title};
use crate::tui::app::{App, clock_text, step_text};
use crate::tui::sim::Speed;
use crate::tui::view::Knob;

pub(super) fn knob_value(knob: Knob, value: Option<f64>) -> String {
    match (knob, value) {
        (_, None) => "n/a".to_string(),
        (Knob::LoanRate, Some(v)) => format!("{:.2}%", v * 100.0),
        (Knob::Herding, Some(v)) => format!("{v:.1}/h"),
        (Knob::MacroActiveShare, Some(v)) => format!("{:.0}%", v * 100.0),
    }
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
    spans.push(Span::styled(format!(" ←→ ±{}", step_text(knob, 1).trim_start_matches('+')), Style::new().fg(DIM)));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// "300×", "max (≈ 12,000×)".
pub(super) fn speed_text(app: &App) -> String {
    let rate = |r: f64| if r >= 1e4 { format!("{:.0}k×", r / 1e3) } else { format!("{r:.0}×") };
    match app.speed() {
        Speed::Times(x) => format!("{x}×"),
        Speed::Max => app.rate.map_or("max".to_string(), |r| format!("max ≈{}", rate(r))),
    }
}

/// `text` cut to `width` columns, with an ellipsis when cut.
pub(super) fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_string()
    } else if width == 0 {
        String::new()
    } else {
        text.chars().take(width - 1).chain(std::iter::once('…')).collect()
    }
}

pub(super) fn status_line(frame: &mut Frame, area: Rect, app: &App) {
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
        } else if app.paused {
            Span::styled(" ‖ paused ", Style::new().bg(Color::Yellow).fg(Color::Black))
        } else {
            Span::styled(format!(" ▶ running {} ", speed_text(app)), Style::new().bg(Color::Green).fg(Color::Black))
        };
        left.push(state);
        if !v.in_session && !v.finished {
            left.push(Span::styled(" market closed", Style::new().fg(Color::Yellow)));
        }
        tail.push(format!(" {} · seed {}", v.scenario, v.seed));
        tail.push(format!(" {}", v.scenario));
    }
    let keys = [" space pause · +- speed · s step · w save · ? help · q quit ", " ? help · q quit "];
    let used: usize = left.iter().map(Span::width).sum();
    let room = usize::from(area.width);
    let keys = if used + keys[0].chars().count() + 24 <= room { keys[0] } else { keys[1] };
    let free = room.saturating_sub(used + keys.chars().count());
    match &app.message {
        Some((text, _)) => {
            left.push(Span::styled(fit(&format!(" {text}"), free), Style::new().fg(Color::Yellow)));
        }
        None => {
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
    ("space", "pause / resume"),
    ("+  -", "faster / slower: 60×, 300×, 1800×, 7200× simulated time, max"),
    ("s", "pause and run one metrics window"),
    ("↑  ↓", "choose the live parameter (the highlighted one)"),
    ("←  →", "change it one step (25 bp, 0.5/h, 10 pp) from the next second"),
    ("tab", "next product"),
    ("r", "restart with the same seed (live changes are dropped)"),
    ("w", "save the run: results/<scenario>/live-<time>/ holds"),
    ("", "scenario.toml (replays it), live_changes.csv, results"),
    ("?", "this help (esc closes it)"),
    ("q  esc", "quit"),
];

pub(super) const LEGEND: &[(&str, &str)] = &[
    ("sub, sale", "share of a window's subscriptions (buys) or sales that ended"),
    ("", "fully filled; in brackets its Wilson 95% interval"),
    ("r, ρ", "Pearson and Spearman correlation of success with volume"),
    ("", "over the last K windows (dim dots: older windows)"),
    ("│", "yellow lines on the time charts: live changes"),
];

pub(super) fn help(frame: &mut Frame, area: Rect) {
    let popup = centre(area, 78, (HELP.len() + LEGEND.len() + 3) as u16);
    frame.render_widget(Clear, popup);
    let key = Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD);
    let line = |(k, what): &(&'static str, &'static str)| {
        Line::from(vec![Span::styled(format!("{k:>10}  "), key), Span::raw(*what)])
    };
    let mut lines: Vec<Line> = HELP.iter().map(line).collect();
    lines.push(Line::raw(""));
    lines.extend(LEGEND.iter().map(line));
    let block = Block::bordered().title(title(" tplus tui: keys ")).border_style(Style::new().fg(Color::Yellow));
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}
