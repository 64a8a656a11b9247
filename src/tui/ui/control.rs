//! The control on screen: its success and volume as dim "ghost"
//! lines on the live run's time charts, their legend, and the readout of
//! the live run against the control since the last live change; and the
//! labels of the live changes' markers (what changed, by how much in all).

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Dataset, GraphType, Paragraph};

use super::axis::{Span_, marker_xs};
use super::status::{fit, wrap};
use super::{DIM, LABEL_W, MARK, qty};
use crate::tui::app::{App, clock_text};
use crate::tui::view::{self, LivePaired, LiveView, WindowPoint, compare};

/// What the legend calls the control.
/// The ghost's glyph: the sales line is dotted (•), so the control is drawn
/// with low blocks, which read apart from both without colour.
pub(super) const LEGEND: &str = "▄ control (no changes)";

/// Most rows the readout takes.
const READOUT_ROWS: usize = 3;

/// The control's windows of the product shown that stand beside the live
/// run's: all of them when it stands at the live run's time, else those
/// complete in both (the control's view can be a little behind the live
/// run's, or a little ahead of the last one published). Empty while the
/// control is off.
pub(super) fn ghost_windows<'a>(app: &'a App, view: &LiveView) -> &'a [WindowPoint] {
    let Some(control) = app.control_view.as_deref().filter(|_| app.control) else { return &[] };
    let Some(p) = control.products.get(app.product) else { return &[] };
    if control.t == view.t {
        return &p.windows;
    }
    // Not at the same moment: its complete windows, none past the live run's.
    let live = view.products.get(app.product).map_or(0, |l| view::complete(view, l).len());
    let done = view::complete(control, p);
    &done[..done.len().min(live)]
}

/// A ghost line: the control's values as dim low blocks (readable without colour: the sales line is the dotted one).
pub(super) fn ghost_set(data: &[(f64, f64)]) -> Dataset<'_> {
    Dataset::default().data(data).marker(Marker::Bar).graph_type(GraphType::Scatter).style(Style::new().fg(DIM))
}

/// The ghost's legend, on the bottom border of a chart's box, when the
/// control is drawn.
pub(super) fn legend(frame: &mut Frame, area: Rect, app: &App) {
    if !app.control || app.control_view.is_none() || area.height < 2 || area.width < 12 {
        return;
    }
    let text = fit(&format!(" {LEGEND} "), usize::from(area.width) - 4);
    let row = Rect { x: area.x + 2, y: area.bottom() - 1, width: area.width - 4, height: 1 };
    let line = Line::from(Span::styled(text, Style::new().fg(DIM))).alignment(Alignment::Right);
    frame.render_widget(Paragraph::new(line), row);
}

/// Each marker's label ("loan rate +75 bp (total +150 bp)", "scripted
/// loan rate +150 bp") on the
/// top row of a time chart drawn in `plot`, beside its marker line (to its
/// left where there is no room on its right or a later label is there);
/// the latest first (drawn whatever the room). An earlier label with no
/// room on either side on the top row goes on the row below (two changes
/// minutes apart, a loan rate and a herding rate, both show), and one with
/// no room on either row is left out.
pub(super) fn marker_labels(frame: &mut Frame, plot: Rect, view: &LiveView, windows: &[WindowPoint], span: Span_) {
    let graph_x = plot.x + LABEL_W as u16 + 1;
    let graph_w = plot.right().saturating_sub(graph_x);
    if graph_w < 4 || plot.height == 0 {
        return;
    }
    let rows = plot.height.min(2);
    let [a, b] = span.bounds();
    // (row, first column, past the last) of each label drawn.
    let mut taken: Vec<(u16, u16, u16)> = Vec::new();
    for (m, x) in view.chart_markers().into_iter().zip(marker_xs(view, windows)).rev() {
        if x < a || x > b {
            continue;
        }
        let col = graph_x + (((x - a) / (b - a)) * f64::from(graph_w - 1)).round() as u16;
        let text = fit(&m.label, usize::from(graph_w) - 1);
        let w = text.chars().count() as u16;
        let right = (col + 1 + w <= plot.right()).then_some(col + 1);
        let left = (col >= graph_x + w).then(|| col - w);
        let free = |&(row, start): &(u16, u16)| !taken.iter().any(|&(r, s, e)| r == row && start < e && s < start + w);
        // The latest label is drawn whatever the room, over its own line if need be.
        let anyhow = taken.is_empty().then(|| plot.right().saturating_sub(w).max(graph_x));
        let places = (0..rows).flat_map(|row| right.into_iter().chain(left).map(move |start| (row, start)));
        let Some((row, start)) = places.chain(anyhow.map(|start| (0, start))).find(free) else { continue };
        taken.push((row, start, start + w));
        let area = Rect { x: start, y: plot.y + row, width: w, height: 1 };
        frame.render_widget(Paragraph::new(Span::styled(text, Style::new().fg(MARK))), area);
    }
}

/// A mean difference with its 95% interval and `unit`: "-7.0 ±4.1 pp";
/// without one (a single window), "-13.3 pp, ± needs 2 windows", so that
/// one window's difference is not read as a finding.
fn difference(p: &LivePaired, scale: f64, digits: usize, unit: &str) -> String {
    let d = p.difference() * scale;
    match p.half {
        Some(h) => format!("{d:+.digits$} ±{:.digits$}{unit}", h * scale),
        None => format!("{d:+.digits$}{unit}, ± needs 2 windows"),
    }
}

/// The readout in words: the live run against the control over the
/// windows since the last live change (None while the control is off).
pub fn readout_text(app: &App) -> Option<(String, String)> {
    if !app.control {
        return None;
    }
    let Some(view) = app.view.as_deref() else { return Some((String::new(), "control: starting …".into())) };
    let Some(control) = app.control_view.as_deref() else {
        return Some((String::new(), "control: starting …".into()));
    };
    if control.t + view.window_secs < view.t && !control.finished {
        let text = format!(
            "control (no changes) catching up: at {}, the live run at {}",
            clock_text(control.t),
            clock_text(view.t)
        );
        return Some((String::new(), text));
    }
    // The latest change, live or scripted: the control has neither.
    let last = view.markers.iter().chain(&view.scripted).filter(|m| m.t <= view.t).max_by(|a, b| a.t.total_cmp(&b.t));
    let Some(last) = last else {
        return Some((String::new(), "no change yet: the two runs are identical".into()));
    };
    let since = format!("since {} at {}", last.label, &clock_text(last.t)[..5]);
    let c = compare(view, control, app.product, last.t);
    if c.windows == 0 {
        return Some((since, ": no window complete in both runs yet".into()));
    }
    let pct = |name: &str, p: Option<LivePaired>, control: &str| match p {
        Some(p) => format!(
            "{name} {:.1}% vs {:.1}%{control} ({})",
            p.live * 100.0,
            p.control * 100.0,
            difference(&p, 100.0, 1, " pp")
        ),
        None => format!("{name} –"),
    };
    let lots = match c.lots {
        Some(p) => format!(
            "lots/window {} vs {} ({})",
            qty(p.live.round() as u64),
            qty(p.control.round() as u64),
            difference(&p, 1.0, 0, "")
        ),
        None => "lots/window –".into(),
    };
    let mut windows = if c.windows == 1 { "1 window".to_string() } else { format!("{} windows", c.windows) };
    // With several products the figures are the selected tab's: named.
    if let Some(p) = view.products.get(app.product).filter(|_| view.products.len() > 1) {
        windows.push_str(&format!(" of {}", p.id));
    }
    let rest = format!(
        ", {windows}, live vs control: {}, {}, {lots}",
        pct("subscriptions", c.sub, " control"),
        pct("sales", c.sale, "")
    );
    Some((since, rest))
}

/// The readout's rows at `width` columns (none while the control is off).
pub(super) fn readout_rows(app: &App, width: u16) -> Vec<String> {
    let Some((since, rest)) = readout_text(app) else { return Vec::new() };
    let width = usize::from(width).saturating_sub(1);
    let mut rows = wrap(&format!("{since}{rest}"), width);
    if rows.len() > READOUT_ROWS {
        rows.truncate(READOUT_ROWS);
        let last = &mut rows[READOUT_ROWS - 1];
        *last = fit(&format!("{last} …"), width);
    }
    rows
}

/// Draws the readout's rows; the words before the figures ("since …") in
/// the markers' colour.
pub(super) fn readout(frame: &mut Frame, area: Rect, app: &App, rows: &[String]) {
    let since = readout_text(app).map_or(0, |(s, _)| s.chars().count());
    let mut left = since;
    let lines: Vec<Line> = rows
        .iter()
        .map(|row| {
            let n = row.chars().count();
            let head: String = row.chars().take(left).collect();
            let tail: String = row.chars().skip(left).collect();
            // A wrapped row drops the space it broke at.
            left = left.saturating_sub(n + 1);
            Line::from(vec![
                Span::raw(" "),
                Span::styled(head, Style::new().fg(MARK).add_modifier(Modifier::BOLD)),
                Span::raw(tail),
            ])
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), area);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::ui::render_text;
    use crate::tui::view::{Knob, LiveRun};
    use std::path::{Path, PathBuf};
    use std::sync::Arc;

    fn herding() -> crate::scenario::Scenario {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/herding.toml");
        crate::scenario::load(&path, &crate::agents::Registry::builtin()).unwrap()
    }

    /// The live run and its control, `before` windows in, then (if `change`)
    /// the herding rate cut by 2/h, then `after` windows and 100 s more.
    fn runs(before: usize, change: bool, after: usize) -> (LiveView, LiveView) {
        let s = herding();
        let (mut live, mut control) = (LiveRun::new(&s, None).unwrap(), LiveRun::new(&s, None).unwrap());
        for run in [&mut live, &mut control] {
            for _ in 0..before {
                run.sim_mut().advance_window();
            }
        }
        if change {
            assert!(live.change(Knob::Herding, -4.0).is_ok());
        }
        for run in [&mut live, &mut control] {
            for _ in 0..after {
                run.sim_mut().advance_window();
            }
            let now = run.sim().now();
            run.sim_mut().advance_to(now + 100_000_000_000);
        }
        (live.view(10), control.view(0))
    }

    fn app(live: LiveView, control: LiveView) -> App {
        let mut app = App::new(PathBuf::from("results"));
        app.paused = true;
        app.control = true;
        app.view = Some(Arc::new(live));
        app.control_view = Some(Arc::new(control));
        app
    }

    fn flat(text: &str) -> String {
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn the_ghost_and_the_readout_since_the_last_change_draw_at_80x24_and_200x60() {
        let (live, control) = runs(30, true, 8);
        let a = app(live, control);
        let (since, rest) = readout_text(&a).unwrap();
        assert!(since.starts_with("since herding rate -2.0/h at "), "{since}");
        assert!(rest.starts_with(", 8 windows, live vs control: subscriptions "), "{rest}");
        assert!(
            rest.contains("% control (") && rest.contains(" pp), sales ") && rest.contains("lots/window"),
            "{rest}"
        );
        for (w, h) in [(80, 24), (200, 60)] {
            let text = render_text(&a, w, h);
            assert_eq!(text.lines().count(), usize::from(h));
            let f = flat(&text);
            assert!(f.contains(&flat(&format!("{since}{rest}"))) || w < 200, "the readout at {w}×{h}:\n{text}");
            assert!(f.contains("since herding rate -2.0/h at"), "the readout at {w}×{h}:\n{text}");
            assert!(f.contains("live vs control: subscriptions"), "the readout at {w}×{h}:\n{text}");
            assert!(text.contains(LEGEND), "the legend at {w}×{h}:\n{text}");
            assert!(text.matches('▄').count() > 4, "the ghost at {w}×{h}:\n{text}");
            assert!(text.contains("book NOTE7") && text.contains("day 1/5"), "the rest at {w}×{h}:\n{text}");
        }
        // Off: neither ghost nor readout.
        let mut off = a.clone();
        off.control = false;
        assert_eq!(readout_text(&off), None);
        let text = render_text(&off, 200, 60);
        assert!(!text.contains(LEGEND) && !text.contains("live vs control"), "{text}");
    }

    /// A scripted event is a change the control does not get: the readout
    /// runs since the latest change, scripted or live.
    #[test]
    fn the_readout_runs_since_a_scripted_change_too() {
        let (mut live, control) = runs(30, true, 8);
        let live_change = live.markers[0].t;
        let later = live_change + 2.0 * live.window_secs;
        live.scripted.push(crate::tui::view::Marker { t: later, label: "scripted loan rate +150 bp".into() });
        let (since, rest) = readout_text(&app(live.clone(), control.clone())).unwrap();
        assert!(since.starts_with("since scripted loan rate +150 bp at "), "{since}");
        assert!(rest.starts_with(", 6 windows, live vs control: "), "{rest}");
        // One not yet reached does not count.
        live.scripted[0].t = live.t + live.window_secs;
        let (since, _) = readout_text(&app(live, control)).unwrap();
        assert!(since.starts_with("since herding rate -2.0/h at "), "{since}");
    }

    /// With several products the readout names the tab its figures are
    /// for; with one it needs not.
    #[test]
    fn the_readout_names_its_product_when_there_are_several() {
        let (mut live, mut control) = runs(30, true, 8);
        let (_, rest) = readout_text(&app(live.clone(), control.clone())).unwrap();
        assert!(rest.starts_with(", 8 windows, live vs control: "), "{rest}");
        for v in [&mut live, &mut control] {
            let mut other = v.products[0].clone();
            other.id = "BOND".into();
            v.products.push(other);
        }
        let mut a = app(live, control);
        let (_, rest) = readout_text(&a).unwrap();
        assert!(rest.starts_with(", 8 windows of NOTE7, live vs control: "), "{rest}");
        a.product = 1;
        let (_, rest) = readout_text(&a).unwrap();
        assert!(rest.starts_with(", 8 windows of BOND, live vs control: "), "{rest}");
    }

    /// One window after a change has no spread to judge its difference
    /// by: the readout says so instead of showing a bare difference.
    #[test]
    fn one_window_after_a_change_has_no_interval_and_says_so() {
        let (live, control) = runs(30, true, 1);
        let (_, rest) = readout_text(&app(live, control)).unwrap();
        assert!(rest.starts_with(", 1 window, live vs control: "), "{rest}");
        assert!(rest.contains(" pp, ± needs 2 windows), sales "), "{rest}");
        assert!(!rest.contains(" ±0"), "{rest}");
    }

    #[test]
    fn without_a_change_the_readout_says_the_runs_are_identical() {
        let (live, control) = runs(20, false, 0);
        let lp = &live.products[0];
        assert_eq!(lp.windows, control.products[0].windows, "the same windows, value for value");
        let a = app(live, control);
        for (w, h) in [(80, 24), (200, 60)] {
            let text = render_text(&a, w, h);
            assert!(text.contains("no change yet: the two runs are identical"), "{text}");
            assert!(text.contains(LEGEND), "{text}");
        }
    }

    #[test]
    fn a_control_behind_says_it_is_catching_up() {
        let (live, _) = runs(30, false, 0);
        let (control, _) = runs(3, false, 0);
        let a = app(live, control);
        let (_, text) = readout_text(&a).unwrap();
        assert!(text.starts_with("control (no changes) catching up: at 09:46:40, the live run at 12:01:40"), "{text}");
        for (w, h) in [(80, 24), (200, 60)] {
            assert!(render_text(&a, w, h).contains("catching up"));
        }
    }

    #[test]
    fn a_marker_is_labelled_with_the_total_change_on_the_chart() {
        let s = herding();
        let mut live = LiveRun::new(&s, None).unwrap();
        for _ in 0..20 {
            live.sim_mut().advance_window();
        }
        assert!(live.change(Knob::Herding, -2.0).is_ok());
        assert!(live.change(Knob::Herding, -2.0).is_ok(), "merged with the press before");
        for _ in 0..10 {
            live.sim_mut().advance_window();
        }
        assert!(live.change(Knob::Herding, -2.0).is_ok());
        live.sim_mut().advance_window();
        let mut a = App::new(PathBuf::from("results"));
        a.view = Some(Arc::new(live.view(10)));
        for (w, h) in [(80, 24), (200, 60)] {
            let text = render_text(&a, w, h);
            // On the success chart, in its top rows.
            let top: String = text.lines().take(6).collect::<Vec<_>>().join("\n");
            assert!(top.contains("herding rate -1.0/h (total -3.0/h)"), "at {w}×{h}:\n{text}");
        }
    }

    #[test]
    fn two_changes_close_together_are_both_labelled() {
        use crate::tui::view::Marker;
        let mut view = crate::tui::ui::tests::hand_view();
        let open = 9.5 * 3600.0;
        view.markers = vec![
            Marker { t: open + 300.0 * 30.5, label: "loan rate -75 bp".into() },
            Marker { t: open + 300.0 * 31.5, label: "herding rate +0.5/h".into() },
        ];
        let mut a = App::new(PathBuf::from("results"));
        a.view = Some(Arc::new(view));
        for (w, h) in [(80, 24), (120, 40)] {
            let text = render_text(&a, w, h);
            let top: String = text.lines().take(6).collect::<Vec<_>>().join("\n");
            assert!(top.contains("loan rate -75 bp") && top.contains("herding rate +0.5/h"), "at {w}×{h}:\n{text}");
        }
    }

    /// The control's capture in the README: `cargo test --release --lib
    /// control_capture -- --ignored --nocapture`.
    #[test]
    #[ignore = "prints the README capture"]
    fn control_capture() {
        let (live, control) = runs(30, true, 8);
        let a = app(live, control);
        println!("{}", render_text(&a, 100, 30));
        println!("{}", render_text(&a, 80, 24));
    }
}
