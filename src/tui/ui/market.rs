//! The order book of the selected product and the crowd (optimist share,
//! order and rejection rates).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Sparkline};

use super::axis::completed;
use super::palette::{ASK, BID, OPTIMISTS, PESSIMISTS, REJECT};
use super::{DIM, qty, title};
use crate::tui::view::{LiveView, ProductNow, WindowPoint};

pub(super) fn book_panel(frame: &mut Frame, area: Rect, _view: &LiveView, p: &ProductNow) {
    // The units where the border has room for them, never cut mid-word.
    let says = [format!(" book {} · price, lots ", p.id), format!(" book {} ", p.id)];
    let block =
        Block::bordered().title(title(super::status::first_fitting(&says, usize::from(area.width).saturating_sub(2))));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let levels = usize::from(inner.height.saturating_sub(1)) / 2;
    let asks = &p.asks[..p.asks.len().min(levels)];
    let bids = &p.bids[..p.bids.len().min(levels)];
    let w = usize::from(inner.width);
    let max_q = asks.iter().chain(bids).map(|l| l.1).max().unwrap_or(1).max(1);
    // Bids and asks told apart by their words as well as their colours and
    // places (asks above the spread, bids below), where there is room: the
    // words before the depth bars, which then take what is left.
    let tag = w >= 19;
    let bar_w = w.saturating_sub(if tag { 19 } else { 15 });
    let level = |(price, lots): (f64, u64), side: &str, color: Color| {
        let bar = ((lots as f64 / max_q as f64) * bar_w as f64).ceil() as usize;
        let side = if tag { format!("{side} ") } else { String::new() };
        Line::from(vec![
            Span::styled(format!("{side}{price:>7.4} {:>6} ", qty(lots)), Style::new().fg(color)),
            Span::styled("▆".repeat(bar.min(bar_w)), Style::new().fg(color).add_modifier(Modifier::DIM)),
        ])
    };
    let mut lines = Vec::with_capacity(2 * levels + 1);
    for _ in asks.len()..levels {
        lines.push(Line::raw(""));
    }
    if asks.is_empty() {
        lines.pop();
        lines.push(Line::styled("   no asks", Style::new().fg(DIM)));
    }
    lines.extend(asks.iter().rev().map(|&l| level(l, "ask", ASK)));
    let mid = match (p.bids.first(), p.asks.first(), p.last_price) {
        (Some(b), Some(a), _) => format!("spread {:.4}", a.0 - b.0),
        (_, _, Some(x)) => format!("last {x:.4}"),
        _ => "empty".to_string(),
    };
    lines.push(Line::styled(format!("{:─^w$}", format!(" {mid} ")), Style::new().fg(DIM)));
    lines.extend(bids.iter().map(|&l| level(l, "bid", BID)));
    if bids.is_empty() {
        lines.push(Line::styled("   no bids", Style::new().fg(DIM)));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// Orders, sales among them, and rejections per second in the last
/// completed window.
pub(super) fn per_second(view: &LiveView, done: &[WindowPoint]) -> Option<(f64, f64, f64)> {
    let n = done.len();
    let w = done.last()?;
    let secs = match n {
        2.. => {
            let d = w.t_end - done[n - 2].t_end;
            if d > 0.0 && d <= view.window_secs { d } else { view.window_secs }
        }
        _ => view.window_secs,
    }
    .max(1e-9);
    Some((w.orders as f64 / secs, w.sells as f64 / secs, w.rejected as f64 / secs))
}

pub(super) fn crowd_panel(frame: &mut Frame, area: Rect, view: &LiveView, p: &ProductNow) {
    let block = Block::bordered().title(title(" crowd "));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let w = usize::from(inner.width);
    let right = |name: &str, value: String, style: Style| {
        Line::from(vec![
            Span::raw(name.to_string()),
            Span::styled(format!("{value:>0$}", w.saturating_sub(name.len())), style),
        ])
    };
    let done = completed(view, p);
    let rates = per_second(view, done);
    let num = |x: Option<f64>| x.map_or("–".to_string(), |v| format!("{v:.1}"));
    let mut lines = vec![
        right("orders/s", num(rates.map(|r| r.0)), Style::new().add_modifier(Modifier::BOLD)),
        right("rejects/s", num(rates.map(|r| r.2)), Style::new().fg(REJECT).add_modifier(Modifier::BOLD)),
    ];
    // The sales among the orders, where the panel has a line for them.
    let sells = right(" of them sells/s", num(rates.map(|r| r.1)), Style::new());
    match view.optimist_share {
        Some(share) => {
            lines.push(right(
                "optimists",
                format!("{:.0}%", share * 100.0),
                Style::new().fg(OPTIMISTS).add_modifier(Modifier::BOLD),
            ));
            let on = ((share * w as f64).round() as usize).min(w);
            lines.push(Line::from(vec![
                Span::styled("█".repeat(on), Style::new().fg(OPTIMISTS)),
                Span::styled("░".repeat(w - on), Style::new().fg(PESSIMISTS)),
            ]));
        }
        None => {
            let text = super::status::first_fitting(&["no herd followers", "no herd"], usize::from(inner.width));
            lines.push(Line::styled(text, Style::new().fg(DIM)));
        }
    }
    if usize::from(inner.height) > lines.len() {
        lines.insert(1, sells);
    }
    let text_h = (lines.len() as u16).min(inner.height);
    let [top, spark] = Layout::vertical([Constraint::Length(text_h), Constraint::Fill(1)]).areas(inner);
    frame.render_widget(Paragraph::new(lines), top);
    if view.optimist_share.is_some() && spark.height > 0 {
        // The optimist share of the last windows, one a column.
        let shares: Vec<u64> = p.windows[p.windows.len().saturating_sub(w)..]
            .iter()
            .map(|x| x.optimist_share.map_or(0, |s| (s * 100.0).round() as u64))
            .collect();
        let spark = Rect { height: spark.height.min(6), y: spark.bottom() - spark.height.min(6), ..spark };
        frame.render_widget(Sparkline::default().data(shares).max(100).style(Style::new().fg(OPTIMISTS)), spark);
    }
}
