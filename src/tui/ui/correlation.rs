//! The rolling correlation of success with volume: numbers, gauges and a
//! scatter of the recent windows.

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Block, Chart, Dataset, Paragraph};

use super::axis::completed;
use super::{DIM, SALE, SUB, qty, title};
use crate::metrics::stats;
use crate::tui::view::{LiveView, ProductNow, WindowPoint};

/// Rolling correlations over the last K completed windows.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Rolling {
    /// Pearson r of subscription success with volume; None with too few windows
    /// or no variation.
    pub sub_r: Option<f64>,
    /// Spearman ρ of subscription success with volume.
    pub sub_rho: Option<f64>,
    /// Pearson r of sale success with volume.
    pub sale_r: Option<f64>,
    /// Spearman ρ of sale success with volume.
    pub sale_rho: Option<f64>,
    /// 95% interval of `sub_r` with its effective sample size (below).
    pub sub_ci: Option<(f64, f64)>,
    /// 95% interval of `sale_r` with its effective sample size.
    pub sale_ci: Option<(f64, f64)>,
    /// The fewer of the two effective sample sizes (Bartlett), the number
    /// of independent windows the K autocorrelated ones are worth.
    pub n_eff: Option<f64>,
    /// Completed windows the correlations look at (at most K).
    pub windows: usize,
}

/// Pearson r and Spearman rho of success with volume over the last `k` windows.
pub fn rolling(windows: &[WindowPoint], k: usize) -> Rolling {
    let recent = &windows[windows.len().saturating_sub(k)..];
    let pair = |f: fn(&WindowPoint) -> Option<f64>| -> (Vec<f64>, Vec<f64>) {
        recent.iter().filter_map(|w| f(w).map(|s| (s, w.volume as f64))).unzip()
    };
    let (sx, sv) = pair(|w| w.sub_success);
    let (ax, av) = pair(|w| w.sale_success);
    let (sub_r, sub_ci, sub_n) = stats::pearson_honest(&sx, &sv);
    let (sale_r, sale_ci, sale_n) = stats::pearson_honest(&ax, &av);
    let n_eff = match (sub_n, sale_n) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    Rolling {
        sub_r,
        sub_rho: stats::spearman(&sx, &sv),
        sale_r,
        sale_rho: stats::spearman(&ax, &av),
        sub_ci,
        sale_ci,
        n_eff,
        windows: recent.len(),
    }
}

/// A gauge for a correlation: a bar from the centre (0) right for positive,
/// left for negative, `width` cells.
pub(super) fn corr_bar(x: Option<f64>, width: usize, color: Color) -> Vec<Span<'static>> {
    let half = width.saturating_sub(1) / 2;
    let cells = x.map_or(0, |x| (x.abs().min(1.0) * half as f64).round() as usize);
    let empty = Style::new().fg(DIM);
    let fill = Style::new().fg(color);
    let (left, right) = match x {
        Some(x) if x < 0.0 => (cells, 0),
        _ => (0, cells),
    };
    vec![
        Span::styled("─".repeat(half - left), empty),
        Span::styled("█".repeat(left), fill),
        Span::styled("┼", empty),
        Span::styled("█".repeat(right), fill),
        Span::styled("─".repeat(half - right), empty),
    ]
}

/// What the intervals mean, in one sentence of at most `width` columns: in
/// shorter words where the longer do not fit, and cut with "…" only where
/// none does (at 80 columns it read "… with a val").
fn meaning(roll: &Rolling, width: usize) -> String {
    let says = match roll.n_eff {
        // Windows drift together: K of them carry what fewer independent
        // ones would, and the interval is that wide.
        Some(n) => [
            format!("[95%] {} drifting windows ≈ {n:.0} independent", roll.windows),
            format!("[95%] {} windows ≈ {n:.0} independent", roll.windows),
            format!("[95%] {} windows ≈ {n:.0} indep.", roll.windows),
        ],
        None => ["[95%] needs 4 windows with a value".into(), "[95%] needs 4 windows".into(), "[95%] n/a".into()],
    };
    super::status::first_fitting(&says, width)
}

/// A correlation to two places with its sign, and a value that rounds to
/// zero without one (not "-0.00", which reads as a negative correlation).
fn signed(v: f64) -> String {
    let text = format!("{v:+.2}");
    if text == "-0.00" || text == "+0.00" { " 0.00".into() } else { text }
}

pub(super) fn correlation_panel(frame: &mut Frame, area: Rect, view: &LiveView, p: &ProductNow) {
    let done = completed(view, p);
    let k = view.rolling_windows.max(2);
    let roll = rolling(done, k);
    let block = Block::bordered().title(title(format!(" success ~ volume (last {}) ", roll.windows)));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [gauges, scatter] = Layout::vertical([Constraint::Length(7), Constraint::Fill(1)]).areas(inner);
    let bar_w = usize::from(inner.width).saturating_sub(24).max(3);
    let row = |sym: &'static str, x: Option<f64>, ci: Option<(f64, f64)>, color: Color| {
        let mut spans = vec![
            Span::raw(format!("  {sym} ")),
            Span::styled(x.map_or("  n/a".into(), signed), Style::new().fg(color).add_modifier(Modifier::BOLD)),
            Span::styled(
                ci.map_or(" ".repeat(14), |(lo, hi)| format!(" [{},{}]", signed(lo), signed(hi))),
                Style::new().fg(color),
            ),
            Span::raw(" "),
        ];
        spans.extend(corr_bar(x, bar_w, if x.unwrap_or(0.0) < 0.0 { super::palette::VERMILLION } else { color }));
        Line::from(spans)
    };
    frame.render_widget(
        Paragraph::new(vec![
            Line::styled("success of subscriptions (buys)", Style::new().fg(SUB)),
            row("r", roll.sub_r, roll.sub_ci, SUB),
            row("ρ", roll.sub_rho, None, SUB),
            Line::styled("success of sales", Style::new().fg(SALE)),
            row("r", roll.sale_r, roll.sale_ci, SALE),
            row("ρ", roll.sale_rho, None, SALE),
            Line::styled(meaning(&roll, usize::from(gauges.width)), Style::new().fg(DIM)),
        ]),
        gauges,
    );
    if scatter.height < 2 {
        return;
    }
    // The K windows of the numbers, bright; older ones (up to 5 K more), dim.
    let n = done.len();
    let recent = n.saturating_sub(k);
    let older = n.saturating_sub(6 * k);
    let points = |range: std::ops::Range<usize>, f: fn(&WindowPoint) -> Option<f64>| -> Vec<(f64, f64)> {
        done[range].iter().filter_map(|w| f(w).map(|s| (w.volume as f64, s))).collect()
    };
    let old_sub = points(older..recent, |w| w.sub_success);
    let old_sale = points(older..recent, |w| w.sale_success);
    let new_sub = points(recent..n, |w| w.sub_success);
    let new_sale = points(recent..n, |w| w.sale_success);
    let top = done[older..].iter().map(|w| w.volume).max().unwrap_or(0).max(1) as f64 * 1.05;
    let dots = |data, color| Dataset::default().data(data).marker(Marker::Dot).style(Style::new().fg(color));
    let chart = Chart::new(vec![dots(&old_sub, DIM), dots(&old_sale, DIM), dots(&new_sub, SUB), dots(&new_sale, SALE)])
        .x_axis(Axis::default().bounds([0.0, top]))
        .y_axis(Axis::default().bounds([0.0, 1.0]).labels(["0%", "100%"]).style(Style::new().fg(DIM)))
        .legend_position(None);
    let [plot, foot] = Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(scatter);
    frame.render_widget(chart, plot);
    let foot_text = format!("volume 0–{} lots →", qty(top as u64));
    frame.render_widget(Paragraph::new(foot_text).alignment(Alignment::Right).style(Style::new().fg(DIM)), foot);
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_correlation_that_rounds_to_zero_has_no_sign() {
        assert_eq!(super::signed(-0.004), " 0.00");
        assert_eq!(super::signed(0.004), " 0.00");
        assert_eq!(super::signed(-0.0051), "-0.01");
        assert_eq!(super::signed(0.7), "+0.70");
    }

    /// The note under the gauges is said in words that fit, not cut.
    #[test]
    fn the_meaning_fits_in_whole_words() {
        let roll = super::Rolling { windows: 12, n_eff: Some(6.2), ..Default::default() };
        assert_eq!(super::meaning(&roll, 60), "[95%] 12 drifting windows ≈ 6 independent");
        assert_eq!(super::meaning(&roll, 32), "[95%] 12 windows ≈ 6 independent");
        assert_eq!(super::meaning(&roll, 28), "[95%] 12 windows ≈ 6 indep.");
        assert_eq!(super::meaning(&roll, 12), "[95%] 12 wi…");
        let none = super::Rolling { n_eff: None, ..roll };
        assert_eq!(super::meaning(&none, 30), "[95%] needs 4 windows");
    }
}
