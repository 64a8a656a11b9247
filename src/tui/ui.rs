//! Drawing the live view: a pure function of the [`App`] state.
//!
//! Left column, on one time axis (one metrics window per braille dot
//! column, the latest at the right): success probabilities of subscriptions
//! and sales with the current interval as an error bar, volume per window,
//! price with NAV and the loan rate. Right column: the rolling correlation
//! of success with volume (numbers, gauges and a scatter of recent windows),
//! the order book of the selected product and the crowd. Live changes show
//! as yellow vertical lines on the time charts.

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Block, Chart, Clear, Dataset, GraphType, Paragraph, Sparkline, Wrap};

use super::app::{App, clock_text, step_text};
use super::sim::Speed;
use crate::engine::live::{Knob, LiveView, ProductNow, WindowPoint};
use crate::metrics::stats;

/// The smallest terminal the view is drawn in.
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

/// Width of the y-axis labels of the time charts (the same for all, so
/// their time axes line up).
const LABEL_W: usize = 6;

const SUB: Color = Color::Green;
const SALE: Color = Color::Magenta;
const VOLUME: Color = Color::Cyan;
const PRICE: Color = Color::White;
const NAV: Color = Color::LightBlue;
const LOAN: Color = Color::LightRed;
const MARK: Color = Color::Yellow;
const DIM: Color = Color::DarkGray;

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// Draws the whole view into the frame.
pub fn draw(frame: &mut Frame, app: &App) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(frame, area);
        return;
    }
    let [main, knobs, status] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(1), Constraint::Length(1)]).areas(area);
    match app.view.as_deref() {
        Some(view) if !view.products.is_empty() => panels(frame, main, app, view),
        _ => {
            let text = Paragraph::new("starting the simulation …").alignment(Alignment::Center);
            frame.render_widget(text, centre(main, main.width, 1));
        }
    }
    knob_line(frame, knobs, app);
    status_line(frame, status, app);
    if app.help {
        help(frame, area);
    }
}

fn too_small(frame: &mut Frame, area: Rect) {
    let text = vec![
        Line::from(Span::styled("The terminal is too small", Style::new().add_modifier(Modifier::BOLD))),
        Line::from(format!(
            "It is {}×{}; the live view needs at least {MIN_WIDTH}×{MIN_HEIGHT}.",
            area.width, area.height
        )),
        Line::from("Enlarge the window or make the font smaller."),
        Line::from("q quits."),
    ];
    let height = (text.len() as u16).min(area.height);
    frame.render_widget(
        Paragraph::new(text).alignment(Alignment::Center).wrap(Wrap { trim: true }),
        centre(area, area.width, height + 2),
    );
}

/// A rectangle of at most `w`×`h` in the middle of `area`.
fn centre(area: Rect, w: u16, h: u16) -> Rect {
    let (w, h) = (w.min(area.width), h.min(area.height));
    Rect::new(area.x + (area.width - w) / 2, area.y + (area.height - h) / 2, w, h)
}

/// The windows on screen and where they go on the x axis: window `i` is
/// drawn at x = i + 1 (its end); the axis spans `cap` windows.
#[derive(Clone, Copy, Debug)]
struct Span_ {
    start: usize,
    cap: usize,
}

impl Span_ {
    fn bounds(self) -> [f64; 2] {
        [self.start as f64, (self.start + self.cap) as f64]
    }
}

fn panels(frame: &mut Frame, area: Rect, app: &App, view: &LiveView) {
    let p = &view.products[app.product.min(view.products.len() - 1)];
    let [left, right] = Layout::horizontal([Constraint::Ratio(4, 7), Constraint::Ratio(3, 7)]).areas(area);
    let [success, volume, price] =
        Layout::vertical([Constraint::Fill(8), Constraint::Fill(4), Constraint::Fill(10)]).areas(left);
    let [corr, bottom] = Layout::vertical([Constraint::Fill(12), Constraint::Fill(10)]).areas(right);
    let [book, crowd] = Layout::horizontal([Constraint::Fill(1), Constraint::Fill(1)]).areas(bottom);
    // Plot columns of the time charts: inside the border, right of the labels and the axis.
    let cols = usize::from(left.width.saturating_sub(2)).saturating_sub(LABEL_W + 1).max(1);
    let cap = 2 * cols;
    let span = Span_ { start: p.windows.len().saturating_sub(cap), cap };
    success_panel(frame, success, app, view, p, span);
    volume_panel(frame, volume, view, p, span);
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

/// A current value: the window's index, the value and its interval.
type Now = (usize, (f64, (f64, f64)));

/// The latest value worth showing: the window in progress once it has one,
/// else the last window that had one.
fn current<T>(windows: &[WindowPoint], f: impl Fn(&WindowPoint) -> Option<T>) -> Option<(usize, T)> {
    windows.iter().enumerate().rev().take(2).find_map(|(i, w)| f(w).map(|v| (i, v)))
}

/// The windows completed (the last one is in progress while in session).
fn completed<'a>(view: &LiveView, p: &'a ProductNow) -> &'a [WindowPoint] {
    &p.windows[..p.windows.len() - usize::from(view.in_session && !p.windows.is_empty())]
}

fn y_labels(labels: &[String]) -> Vec<Line<'static>> {
    labels.iter().map(|l| Line::from(format!("{l:>LABEL_W$}"))).collect()
}

/// x of each live change on the time axis.
fn marker_xs(view: &LiveView, windows: &[WindowPoint]) -> Vec<f64> {
    view.markers
        .iter()
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
fn marker_points(view: &LiveView, windows: &[WindowPoint], span: Span_, hi: f64) -> Vec<(f64, f64)> {
    let [a, b] = span.bounds();
    marker_xs(view, windows).into_iter().filter(|x| *x >= a && *x <= b).map(|x| (x, hi)).collect()
}

/// Faint vertical lines where a business day starts (from `lo` up to `hi`).
fn day_points(view: &LiveView, windows: &[WindowPoint], span: Span_, hi: f64) -> Vec<(f64, f64)> {
    (span.start.max(1)..windows.len())
        .filter(|&i| windows[i].t_end - windows[i - 1].t_end > 1.5 * view.window_secs)
        .map(|i| (i as f64, hi))
        .collect()
}

fn day_set(data: &[(f64, f64)]) -> Dataset<'_> {
    Dataset::default().data(data).marker(Marker::Braille).graph_type(GraphType::Bar).style(Style::new().fg(DIM))
}

fn series(windows: &[WindowPoint], span: Span_, f: impl Fn(&WindowPoint) -> Option<f64>) -> Vec<(f64, f64)> {
    windows.iter().enumerate().skip(span.start).filter_map(|(i, w)| f(w).map(|y| ((i + 1) as f64, y))).collect()
}

fn time_chart<'a>(datasets: Vec<Dataset<'a>>, span: Span_, y: [f64; 2], labels: &[String]) -> Chart<'a> {
    Chart::new(datasets)
        .x_axis(Axis::default().bounds(span.bounds()))
        .y_axis(Axis::default().bounds(y).labels(y_labels(labels)).style(Style::new().fg(DIM)))
        .legend_position(None)
}

fn line_set<'a>(data: &'a [(f64, f64)], color: Color) -> Dataset<'a> {
    Dataset::default().data(data).marker(Marker::Braille).graph_type(GraphType::Line).style(Style::new().fg(color))
}

fn marker_set(data: &[(f64, f64)]) -> Dataset<'_> {
    Dataset::default().data(data).marker(Marker::Braille).graph_type(GraphType::Bar).style(Style::new().fg(MARK))
}

fn success_panel(frame: &mut Frame, area: Rect, app: &App, view: &LiveView, p: &ProductNow, span: Span_) {
    let many = view.products.len() > 1;
    let name = if many {
        format!(" {} ({}/{}, tab) ", p.id, app.product + 1, view.products.len())
    } else {
        format!(" {} ", p.id)
    };
    let block = Block::bordered().title(Line::from(vec![
        Span::styled(name, Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED)),
        title(" success probability, 95% interval "),
    ]));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [values, plot] = Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(inner);

    let sub = current(&p.windows, |w| w.sub_success.zip(w.sub_interval));
    let sale = current(&p.windows, |w| w.sale_success.zip(w.sale_interval));
    let value_text = |name: &str, v: Option<Now>, digits: usize| match v {
        Some((_, (x, (lo, hi)))) => {
            format!("{name} {} ({:.digits$}–{:.digits$})", pct(x), lo * 100.0, hi * 100.0)
        }
        None => format!("{name} –"),
    };
    let digits = if usize::from(inner.width) >= 46 { 1 } else { 0 };
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(value_text("sub", sub, digits), Style::new().fg(SUB)),
            Span::raw("  "),
            Span::styled(value_text("sale", sale, digits), Style::new().fg(SALE)),
        ])),
        values,
    );

    let subs = series(&p.windows, span, |w| w.sub_success);
    let sales = series(&p.windows, span, |w| w.sale_success);
    let marks = marker_points(view, &p.windows, span, 1.0);
    let days = day_points(view, &p.windows, span, 1.0);
    let bar = |v: Option<Now>| {
        v.filter(|(i, _)| *i >= span.start).map_or(Vec::new(), |(i, (_, (lo, hi)))| {
            let x = (i + 1) as f64;
            vec![(x, lo), (x, hi)]
        })
    };
    let (sub_bar, sale_bar) = (bar(sub), bar(sale));
    let chart = time_chart(
        vec![
            day_set(&days),
            marker_set(&marks),
            line_set(&subs, SUB),
            line_set(&sales, SALE),
            line_set(&sub_bar, SUB),
            line_set(&sale_bar, SALE),
        ],
        span,
        [0.0, 1.0],
        &["0%".into(), "50%".into(), "100%".into()],
    );
    frame.render_widget(chart, plot);
}

/// Lots as people read them: 950, 12.3k, 1.20M.
fn qty(x: u64) -> String {
    match x {
        0..10_000 => x.to_string(),
        10_000..1_000_000 => format!("{:.1}k", x as f64 / 1e3),
        _ => format!("{:.2}M", x as f64 / 1e6),
    }
}

fn volume_panel(frame: &mut Frame, area: Rect, view: &LiveView, p: &ProductNow, span: Span_) {
    let last = completed(view, p).last().map_or("–".to_string(), |w| qty(w.volume));
    let block = Block::bordered().title(Line::from(vec![
        title(" volume per window "),
        Span::styled(format!("· last {last} lots "), Style::new().fg(VOLUME)),
    ]));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let bars = series(&p.windows, span, |w| Some(w.volume as f64));
    let top = bars.iter().map(|b| b.1).fold(0.0, f64::max).max(1.0);
    let marks = marker_points(view, &p.windows, span, top);
    let days = day_points(view, &p.windows, span, top);
    let chart = time_chart(
        vec![
            day_set(&days),
            marker_set(&marks),
            Dataset::default()
                .data(&bars)
                .marker(Marker::Braille)
                .graph_type(GraphType::Bar)
                .style(Style::new().fg(VOLUME)),
        ],
        span,
        [0.0, top],
        &["0".into(), qty(top as u64)],
    );
    frame.render_widget(chart, inner);
}

/// Decimals that tell apart values `range` apart.
fn decimals(range: f64) -> usize {
    if range <= 0.0 || !range.is_finite() { 4 } else { (-(range / 4.0).log10()).ceil().clamp(0.0, 6.0) as usize }
}

/// Bounds around the values, never empty.
fn padded(values: impl Iterator<Item = f64>, min_half_width: f64) -> [f64; 2] {
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
    if !lo.is_finite() {
        return [0.0, 1.0];
    }
    let mid = (lo + hi) / 2.0;
    let half = ((hi - lo) / 2.0 * 1.1).max(min_half_width);
    [mid - half, mid + half]
}

/// The label of x = `i` on the time axis: the start of window `i`.
fn time_label(view: &LiveView, windows: &[WindowPoint], i: usize) -> String {
    let t = match i {
        0 => windows.first().map(|w| w.t_end - view.window_secs),
        _ => windows.get(i - 1).map(|w| w.t_end),
    };
    let Some(t) = t else { return String::new() };
    let hm = clock_text(t)[..5].to_string();
    let day_offset = (t / 86_400.0).floor() as i64 - (view.t / 86_400.0).floor() as i64;
    match view.date {
        Some(d) => format!("{} {hm}", WEEKDAYS[d.add_days(day_offset).weekday() as usize]),
        None => hm,
    }
}

fn price_panel(frame: &mut Frame, area: Rect, view: &LiveView, p: &ProductNow, span: Span_) {
    let loan_now = p.windows.last().map(|w| w.loan_rate);
    let price_text = p.last_price.map_or("–".to_string(), |x| format!("{x:.4}"));
    let block = Block::bordered().title(Line::from(vec![
        title(" price "),
        Span::styled(price_text, Style::new().fg(PRICE)),
        Span::styled(format!("  NAV {:.4}", p.nav), Style::new().fg(NAV)),
        Span::styled(
            format!("  loan rate {} ", loan_now.map_or("–".into(), |r| format!("{:.2}%", r * 100.0))),
            Style::new().fg(LOAN),
        ),
    ]));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let loan_h = (inner.height / 3 + 2).max(4).min(inner.height.saturating_sub(2));
    let [top, bottom] = Layout::vertical([Constraint::Fill(1), Constraint::Length(loan_h)]).areas(inner);

    let prices = series(&p.windows, span, |w| w.price);
    let navs = series(&p.windows, span, |w| Some(w.nav));
    let y = padded(prices.iter().chain(&navs).map(|v| v.1), 0.0005);
    let d = decimals(y[1] - y[0]);
    let marks = marker_points(view, &p.windows, span, y[1]);
    let days = day_points(view, &p.windows, span, y[1]);
    let price_chart = time_chart(
        vec![day_set(&days), marker_set(&marks), line_set(&navs, NAV), line_set(&prices, PRICE)],
        span,
        y,
        &[format!("{:.d$}", y[0]), format!("{:.d$}", y[1])],
    );
    frame.render_widget(price_chart, top);

    let loans = series(&p.windows, span, |w| Some(w.loan_rate));
    let y = padded(loans.iter().map(|v| v.1), 0.0025);
    let marks = marker_points(view, &p.windows, span, y[1]);
    let days = day_points(view, &p.windows, span, y[1]);
    let x_labels = [span.start, span.start + span.cap / 2, span.start + span.cap]
        .iter()
        .map(|&i| Line::from(time_label(view, &p.windows, i)))
        .collect::<Vec<_>>();
    let loan_chart = time_chart(
        vec![day_set(&days), marker_set(&marks), line_set(&loans, LOAN)],
        span,
        y,
        &[format!("{:.2}%", y[0] * 100.0), format!("{:.2}%", y[1] * 100.0)],
    )
    .x_axis(
        Axis::default()
            .bounds(span.bounds())
            .labels(x_labels)
            .labels_alignment(Alignment::Right)
            .style(Style::new().fg(DIM)),
    );
    frame.render_widget(loan_chart, bottom);
}

/// Rolling correlations over the last K completed windows.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Rolling {
    pub sub_r: Option<f64>,
    pub sub_rho: Option<f64>,
    pub sale_r: Option<f64>,
    pub sale_rho: Option<f64>,
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
    Rolling {
        sub_r: stats::pearson(&sx, &sv),
        sub_rho: stats::spearman(&sx, &sv),
        sale_r: stats::pearson(&ax, &av),
        sale_rho: stats::spearman(&ax, &av),
        windows: recent.len(),
    }
}

/// A gauge for a correlation: a bar from the centre (0) right for positive,
/// left for negative, `width` cells.
fn corr_bar(x: Option<f64>, width: usize, color: Color) -> Vec<Span<'static>> {
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

fn correlation_panel(frame: &mut Frame, area: Rect, view: &LiveView, p: &ProductNow) {
    let done = completed(view, p);
    let k = view.rolling_windows.max(2);
    let roll = rolling(done, k);
    let block = Block::bordered().title(title(format!(" success ~ volume (last {}) ", roll.windows)));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [gauges, scatter] = Layout::vertical([Constraint::Length(4), Constraint::Fill(1)]).areas(inner);
    let bar_w = usize::from(inner.width).saturating_sub(14).max(3);
    let row = |name: &'static str, sym: &'static str, x: Option<f64>, color: Color| {
        let mut spans = vec![
            Span::styled(format!("{name:<5}"), Style::new().fg(color)),
            Span::raw(format!("{sym} ")),
            Span::styled(
                x.map_or("  n/a".into(), |v| format!("{v:+.2}")),
                Style::new().fg(color).add_modifier(Modifier::BOLD),
            ),
            Span::raw(" "),
        ];
        spans.extend(corr_bar(x, bar_w, if x.unwrap_or(0.0) < 0.0 { Color::Red } else { color }));
        Line::from(spans)
    };
    frame.render_widget(
        Paragraph::new(vec![
            row("sub", "r", roll.sub_r, SUB),
            row("", "ρ", roll.sub_rho, SUB),
            row("sale", "r", roll.sale_r, SALE),
            row("", "ρ", roll.sale_rho, SALE),
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

fn book_panel(frame: &mut Frame, area: Rect, _view: &LiveView, p: &ProductNow) {
    let block = Block::bordered().title(title(format!(" book {} ", p.id)));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let levels = usize::from(inner.height.saturating_sub(1)) / 2;
    let asks = &p.asks[..p.asks.len().min(levels)];
    let bids = &p.bids[..p.bids.len().min(levels)];
    let w = usize::from(inner.width);
    let max_q = asks.iter().chain(bids).map(|l| l.1).max().unwrap_or(1).max(1);
    let bar_w = w.saturating_sub(15);
    let level = |(price, lots): (f64, u64), color: Color| {
        let bar = ((lots as f64 / max_q as f64) * bar_w as f64).ceil() as usize;
        Line::from(vec![
            Span::styled(format!("{price:>7.4} {:>6} ", qty(lots)), Style::new().fg(color)),
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
    lines.extend(asks.iter().rev().map(|&l| level(l, Color::Red)));
    let mid = match (p.bids.first(), p.asks.first(), p.last_price) {
        (Some(b), Some(a), _) => format!("spread {:.4}", a.0 - b.0),
        (_, _, Some(x)) => format!("last {x:.4}"),
        _ => "empty".to_string(),
    };
    lines.push(Line::styled(format!("{:─^w$}", format!(" {mid} ")), Style::new().fg(DIM)));
    lines.extend(bids.iter().map(|&l| level(l, Color::Green)));
    if bids.is_empty() {
        lines.push(Line::styled("   no bids", Style::new().fg(DIM)));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// Orders and rejections per second in the last completed window.
fn per_second(view: &LiveView, done: &[WindowPoint]) -> Option<(f64, f64)> {
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
    Some((w.orders as f64 / secs, w.rejected as f64 / secs))
}

fn crowd_panel(frame: &mut Frame, area: Rect, view: &LiveView, p: &ProductNow) {
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
    let (orders, rejects) = per_second(view, done).unzip();
    let num = |x: Option<f64>| x.map_or("–".to_string(), |v| format!("{v:.1}"));
    let mut lines = vec![
        right("orders/s", num(orders), Style::new().add_modifier(Modifier::BOLD)),
        right("rejects/s", num(rejects), Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)),
    ];
    match view.optimist_share {
        Some(share) => {
            lines.push(right(
                "optimists",
                format!("{:.0}%", share * 100.0),
                Style::new().fg(SUB).add_modifier(Modifier::BOLD),
            ));
            let on = ((share * w as f64).round() as usize).min(w);
            lines.push(Line::from(vec![
                Span::styled("█".repeat(on), Style::new().fg(SUB)),
                Span::styled("█".repeat(w - on), Style::new().fg(Color::Red)),
            ]));
        }
        None => lines.push(Line::styled("no herd followers", Style::new().fg(DIM))),
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
        frame.render_widget(Sparkline::default().data(shares).max(100).style(Style::new().fg(SUB)), spark);
    }
}

fn knob_value(knob: Knob, value: Option<f64>) -> String {
    match (knob, value) {
        (_, None) => "n/a".to_string(),
        (Knob::LoanRate, Some(v)) => format!("{:.2}%", v * 100.0),
        (Knob::Herding, Some(v)) => format!("{v:.1}/h"),
        (Knob::MacroActiveShare, Some(v)) => format!("{:.0}%", v * 100.0),
    }
}

fn knob_line(frame: &mut Frame, area: Rect, app: &App) {
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
fn speed_text(app: &App) -> String {
    let rate = |r: f64| if r >= 1e4 { format!("{:.0}k×", r / 1e3) } else { format!("{r:.0}×") };
    match app.speed() {
        Speed::Times(x) => format!("{x}×"),
        Speed::Max => app.rate.map_or("max".to_string(), |r| format!("max ≈{}", rate(r))),
    }
}

/// `text` cut to `width` columns, with an ellipsis when cut.
fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_string()
    } else if width == 0 {
        String::new()
    } else {
        text.chars().take(width - 1).chain(std::iter::once('…')).collect()
    }
}

fn status_line(frame: &mut Frame, area: Rect, app: &App) {
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

const HELP: &[(&str, &str)] = &[
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

const LEGEND: &[(&str, &str)] = &[
    ("sub, sale", "share of a window's subscriptions (buys) or sales that ended"),
    ("", "fully filled; in brackets its Wilson 95% interval"),
    ("r, ρ", "Pearson and Spearman correlation of success with volume"),
    ("", "over the last K windows (dim dots: older windows)"),
    ("│", "yellow lines on the time charts: live changes"),
];

fn help(frame: &mut Frame, area: Rect) {
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

/// The view drawn into a `width`×`height` text grid (for tests, the README
/// capture and measuring the cost of drawing), one line per row.
pub fn render_text(app: &App, width: u16, height: u16) -> String {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("a test backend never fails");
    terminal.draw(|frame| draw(frame, app)).expect("a test backend never fails");
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
    use crate::engine::live::{KnobValue, LiveSim, Marker as LiveMarker};
    use crate::scenario::Date;
    use std::path::{Path, PathBuf};
    use std::sync::Arc;

    /// A view built by hand: 40 windows of 5 minutes from 09:30 on Monday
    /// 2026-01-05, success rising and falling with volume.
    fn hand_view() -> LiveView {
        let open = 9.5 * 3600.0;
        let windows = (0..40)
            .map(|i| {
                let x = (i as f64 / 4.0).sin();
                let sub = 0.5 + 0.4 * x;
                let sale = 0.6 - 0.2 * x;
                WindowPoint {
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
                KnobValue { knob: Knob::LoanRate, value: Some(0.046) },
                KnobValue { knob: Knob::Herding, value: Some(6.0) },
                KnobValue { knob: Knob::MacroActiveShare, value: None },
            ],
            markers: vec![LiveMarker { t: open + 300.0 * 29.5, label: "loan rate +25 bp".into() }],
            optimist_share: Some(0.47),
            window_secs: 300.0,
            rolling_windows: 12,
        }
    }

    fn app_with(view: LiveView) -> App {
        let mut app = App::new(PathBuf::from("results"));
        app.view = Some(Arc::new(view));
        app
    }

    fn assert_has(text: &str, needles: &[&str]) {
        for n in needles {
            assert!(text.contains(n), "`{n}` is missing from the view:\n{text}");
        }
    }

    #[test]
    fn the_view_shows_every_panel_at_80x24_and_160x48() {
        let view = hand_view();
        let roll = rolling(&view.products[0].windows[..39], 12);
        let app = app_with(view);
        for (w, h) in [(80, 24), (160, 48)] {
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
                    "crowd",
                    "optimists",
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
            // The rolling correlations, as numbers.
            for x in [roll.sub_r, roll.sub_rho, roll.sale_r, roll.sale_rho] {
                assert_has(&text, &[&format!("{:+.2}", x.unwrap())]);
            }
            // Book levels with their quantities.
            assert_has(&text, &[" 1.0012", "20.0k", " 0.9998", "300", "1200"]);
            // The current values with their intervals (the window in progress).
            let last = app.view.as_ref().unwrap().products[0].windows[39];
            assert_has(&text, &[&format!("sub {}", pct(last.sub_success.unwrap()))]);
            assert_has(&text, &[&format!("sale {}", pct(last.sale_success.unwrap()))]);
        }
        let wide = render_text(&app, 160, 48);
        assert_has(&wide, &["space pause", "herding · seed 7", "Mon 09:30"]);
    }

    #[test]
    fn the_status_line_says_paused_finished_and_messages() {
        let mut app = app_with(hand_view());
        app.paused = true;
        let text = render_text(&app, 80, 24);
        assert_has(&text, &["paused"]);
        assert!(!text.contains("running"));
        let mut view = hand_view();
        view.finished = true;
        app.view = Some(Arc::new(view));
        assert_has(&render_text(&app, 80, 24), &["finished"]);
        app.say("saved to results/herding/live-20260105T101010Z", std::time::Instant::now());
        assert_has(&render_text(&app, 100, 30), &["saved to results/herding/live-2026"]);
    }

    #[test]
    fn a_small_terminal_gets_a_message_not_a_garbled_view() {
        let app = app_with(hand_view());
        let text = render_text(&app, 60, 20);
        assert_has(&text, &["too small", "60×20", "80×24"]);
        assert!(!text.contains("book"));
        let text = render_text(&app, 79, 40);
        assert_has(&text, &["too small", "79×40"]);
        assert_has(&render_text(&app, 80, 24), &["book NOTE7"]);
    }

    #[test]
    fn help_lists_the_keys() {
        let mut app = app_with(hand_view());
        app.help = true;
        let text = render_text(&app, 80, 24);
        assert_has(&text, &["keys", "pause / resume", "restart with the same seed", "quit"]);
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
        let mut live = LiveSim::new(&s, None).unwrap();
        for _ in 0..30 {
            live.advance_window();
        }
        assert!(live.change(Knob::LoanRate, 2.0));
        for _ in 0..5 {
            live.advance_window();
        }
        live.advance_to(live.now() + 100_000_000_000);
        let view = live.view(10);
        let p = &view.products[0];
        let mut app = app_with(view.clone());
        app.paused = true;
        for (w, h) in [(80, 24), (160, 48)] {
            let text = render_text(&app, w, h);
            let when = format!("Mon 2026-01-05 {}", clock_text(view.time_of_day as f64 / 1e9));
            assert_has(&text, &["book NOTE7", "paused", "day 1/5", "loan rate 4.85%", &when]);
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
        let mut live = LiveSim::new(&s, None).unwrap();
        for _ in 0..86 {
            live.advance_window();
        }
        live.advance_to(live.now() + 61_000_000_000);
        assert!(live.change(Knob::LoanRate, 2.0));
        for _ in 0..14 {
            live.advance_window();
        }
        live.advance_to(live.now() + 137_000_000_000);
        let app = app_with(live.view(10));
        println!("{}", render_text(&app, 100, 30));
    }
}
