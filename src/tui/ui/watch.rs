//! The "What to watch" line above the knobs: the lesson of the scenario,
//! from its header comment (`scenario::what_to_watch`).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::MARK;
use crate::tui::app::App;

/// Rows of the "What to watch" line: one, two on a tall screen, none on a
/// short one (under 30 rows) or without one.
pub(super) fn watch_rows(app: &App, area: Rect) -> Vec<String> {
    let Some(text) = app.watch.as_deref() else { return Vec::new() };
    let width = usize::from(area.width).saturating_sub(1);
    let mut rows = super::status::wrap(&format!("What to watch: {text}"), width);
    // At the smallest sizes the charts need every row: the help says it then.
    let most = match area.height {
        ..30 => return Vec::new(),
        30..40 => 1,
        _ => 2,
    };
    if rows.len() > most {
        // Cut short, the end (often what to look for) is in the help.
        rows.truncate(most);
        let last = &mut rows[most - 1];
        let more = " … (? shows it all)";
        let keep = width.saturating_sub(more.chars().count());
        let cut: String = last.chars().take(keep).collect();
        // At a word's end, where there is one.
        let whole = match last.chars().nth(keep) {
            Some(' ') | None => cut.as_str(),
            Some(_) => cut.rfind(' ').map_or(cut.as_str(), |at| &cut[..at]),
        };
        *last = format!("{}{more}", whole.trim_end());
    }
    rows
}

pub(super) fn watch_line(frame: &mut Frame, area: Rect, rows: &[String]) {
    let lines: Vec<Line> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| match r.strip_prefix("What to watch:").filter(|_| i == 0) {
            Some(rest) => Line::from(vec![
                Span::styled(" What to watch:", Style::new().fg(MARK).add_modifier(Modifier::BOLD)),
                Span::raw(rest.to_string()),
            ]),
            None => Line::raw(format!(" {r}")),
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), area);
}

#[cfg(test)]
mod tests {
    use super::super::render_text;
    use super::super::tests::{app_with, assert_has, hand_view};

    #[test]
    fn what_to_watch_shows_above_the_knobs_where_there_is_room_and_in_the_help() {
        let mut app = app_with(hand_view());
        app.watch = Some("the optimist share swinging between near 0 and near 1.".into());
        let text = render_text(&app, 200, 60);
        assert_has(&text, &["What to watch: the optimist share swinging between near 0 and near 1."]);
        let rows: Vec<&str> = text.lines().collect();
        assert!(rows[57].contains("What to watch:"), "just above the knob line");
        assert!(rows[57].contains("What to watch:") && rows[58].contains("loan rate"));
        let small = render_text(&app, 80, 24);
        assert!(!small.contains("What to watch"), "80×24 needs every row for the charts");
        assert_has(&small, &["success probability", "book NOTE7"]);
        app.help = true;
        assert_has(&render_text(&app, 80, 24), &["watch", "the optimist share swinging"]);
        // Too long for its rows: cut where the help gives the rest.
        app.help = false;
        app.watch = Some("the optimist share swinging between near 0 and near 1 ".repeat(8));
        let text = render_text(&app, 120, 35);
        let row = text.lines().find(|l| l.contains("What to watch:")).unwrap_or_default();
        assert!(row.trim_end().ends_with("… (? shows it all)"), "{row}");
        assert!(row.chars().count() <= 120, "{row}");
    }
}
