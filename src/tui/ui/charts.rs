//! The left column's time charts: success probabilities with their
//! intervals, volume per window, and price with NAV and the loan rate.

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Block, Dataset, GraphType, Paragraph};

use super::axis::{
    Now, Span_, completed, current, day_points, day_set, decimals, dotted_set, line_set, marker_points, marker_set,
    padded, series, time_chart, time_label,
};
use super::control::{ghost_set, ghost_windows, legend, marker_labels};
use super::palette::{DOTTED_KEY, SOLID_KEY};
use super::{DIM, LOAN, NAV, PRICE, SALE, SUB, VOLUME, pct, qty, title};
use crate::tui::app::App;
use crate::tui::view::{Knob, LiveView, ProductNow};

pub(super) fn success_panel(frame: &mut Frame, area: Rect, app: &App, view: &LiveView, p: &ProductNow, span: Span_) {
    let many = view.products.len() > 1;
    let name = if many {
        format!(" {} ({}/{}, tab) ", p.id, app.product + 1, view.products.len())
    } else {
        format!(" {} ", p.id)
    };
    let room = usize::from(area.width).saturating_sub(2 + name.chars().count());
    let says = [" success probability per window, 95% interval ", " success probability, 95% interval "];
    let block = Block::bordered().title(Line::from(vec![
        Span::styled(name, Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED)),
        title(super::status::first_fitting(&says, room)),
    ]));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    legend(frame, area, app);

    let sub = current(&p.windows, |w| w.sub_success.zip(w.sub_interval));
    let sale = current(&p.windows, |w| w.sale_success.zip(w.sale_interval));
    // The figure is the window in progress's once it has one: a share of
    // the orders so far, said so, not a window's result.
    let in_progress = |i: usize| view.in_session && i + 1 == p.windows.len();
    let value_text = |name: &str, v: Option<Now>, digits: usize| match v {
        Some((i, (x, (lo, hi)))) => {
            let so_far = if in_progress(i) { " so far" } else { "" };
            format!("{name} {} ({:.digits$}–{:.digits$}){so_far}", pct(x), lo * 100.0, hi * 100.0)
        }
        None => format!("{name} –"),
    };
    let digits = if usize::from(inner.width) >= 46 { 1 } else { 0 };
    // In plain words: the customers' buys are subscriptions, their sells sales.
    let (subs_text, sales_text) = (
        value_text(&format!("{SOLID_KEY} subscriptions (buys)"), sub, digits),
        value_text(&format!("{DOTTED_KEY} sales"), sale, digits),
    );
    let one_line = subs_text.chars().count() + 2 + sales_text.chars().count() <= usize::from(inner.width);
    let (subs_span, sales_span) =
        (Span::styled(subs_text, Style::new().fg(SUB)), Span::styled(sales_text, Style::new().fg(SALE)));
    let values_text = if one_line {
        vec![Line::from(vec![subs_span, Span::raw("  "), sales_span])]
    } else {
        vec![Line::from(subs_span), Line::from(sales_span)]
    };
    let [values, plot] =
        Layout::vertical([Constraint::Length(values_text.len() as u16), Constraint::Fill(1)]).areas(inner);
    frame.render_widget(Paragraph::new(values_text), values);

    let subs = series(&p.windows, span, |w| w.sub_success);
    let sales = series(&p.windows, span, |w| w.sale_success);
    let marks = marker_points(view, &p.windows, span, 1.0);
    let days = day_points(view, &p.windows, span, [0.0, 1.0]);
    let bar = |v: Option<Now>| {
        v.filter(|(i, _)| *i >= span.start).map_or(Vec::new(), |(i, (_, (lo, hi)))| {
            let x = (i + 1) as f64;
            vec![(x, lo), (x, hi)]
        })
    };
    let (sub_bar, sale_bar) = (bar(sub), bar(sale));
    let ghost = ghost_windows(app, view);
    let ghost_subs = series(ghost, span, |w| w.sub_success);
    let ghost_sales = series(ghost, span, |w| w.sale_success);
    let chart = time_chart(
        vec![
            day_set(&days),
            ghost_set(&ghost_subs),
            ghost_set(&ghost_sales),
            line_set(&subs, SUB),
            dotted_set(&sales, SALE),
            line_set(&sub_bar, SUB),
            line_set(&sale_bar, SALE),
            marker_set(&marks),
        ],
        span,
        [0.0, 1.0],
        &["0%".into(), "50%".into(), "100%".into()],
        plot.height,
    );
    frame.render_widget(chart, plot);
    marker_labels(frame, plot, view, &p.windows, span);
}

pub(super) fn volume_panel(frame: &mut Frame, area: Rect, app: &App, view: &LiveView, p: &ProductNow, span: Span_) {
    let last = completed(view, p).last().map_or("–".to_string(), |w| qty(w.volume));
    let block = Block::bordered().title(Line::from(vec![
        title(" volume per window "),
        Span::styled(format!("· last {last} lots "), Style::new().fg(VOLUME)),
    ]));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    legend(frame, area, app);
    let bars = series(&p.windows, span, |w| Some(w.volume as f64));
    let ghost = series(ghost_windows(app, view), span, |w| Some(w.volume as f64));
    let top = bars.iter().chain(&ghost).map(|b| b.1).fold(0.0, f64::max).max(1.0);
    let marks = marker_points(view, &p.windows, span, top);
    let days = day_points(view, &p.windows, span, [0.0, top]);
    let chart = time_chart(
        vec![
            day_set(&days),
            Dataset::default()
                .data(&bars)
                .marker(Marker::Braille)
                .graph_type(GraphType::Bar)
                .style(Style::new().fg(VOLUME)),
            ghost_set(&ghost),
            marker_set(&marks),
        ],
        span,
        [0.0, top],
        &["0".into(), qty(top as u64)],
        inner.height,
    );
    frame.render_widget(chart, inner);
}

pub(super) fn price_panel(frame: &mut Frame, area: Rect, view: &LiveView, p: &ProductNow, span: Span_) {
    let loan_now = p.windows.last().map(|w| w.loan_rate);
    let price_text = p.last_price.map_or("–".to_string(), |x| format!("{x:.4}"));
    // The line styles' keys where the title has room for them.
    let keyed = |gap: &str, key: &str| if area.width >= 64 { format!("{gap}{key}") } else { String::new() };
    // The macro path moves whether or not anyone reads it; where nobody
    // does (the knob line's "n/a"), the title says so and the strip is dim.
    let unread = view.knobs.iter().any(|k| k.knob == Knob::LoanRate && k.value.is_none());
    let loan_style = if unread { Style::new().fg(LOAN).add_modifier(Modifier::DIM) } else { Style::new().fg(LOAN) };
    let mut spans = vec![
        title(" price "),
        Span::styled(price_text, Style::new().fg(PRICE)),
        Span::styled(keyed(" ", SOLID_KEY), Style::new().fg(PRICE)),
        Span::styled(format!("  NAV {:.4}", p.nav), Style::new().fg(NAV)),
        Span::styled(keyed(" ", DOTTED_KEY), Style::new().fg(NAV)),
    ];
    let loan = format!("  loan rate {}", loan_now.map_or("–".into(), |r| format!("{:.2}%", r * 100.0)));
    let says = if unread {
        vec![format!("{loan} (no customer reads it) "), format!("{loan}, unread "), format!("{loan} ")]
    } else {
        vec![format!("{loan} ")]
    };
    let room = usize::from(area.width).saturating_sub(2 + spans.iter().map(|s| s.width()).sum::<usize>());
    spans.push(Span::styled(super::status::first_fitting(&says, room), loan_style));
    let block = Block::bordered().title(Line::from(spans));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let loan_h = (inner.height / 3 + 2).max(4).min(inner.height.saturating_sub(2));
    let [top, bottom] = Layout::vertical([Constraint::Fill(1), Constraint::Length(loan_h)]).areas(inner);

    let prices = series(&p.windows, span, |w| w.price);
    let navs = series(&p.windows, span, |w| Some(w.nav));
    let y = padded(prices.iter().chain(&navs).map(|v| v.1), 0.0005);
    let d = decimals(y[1] - y[0]);
    let marks = marker_points(view, &p.windows, span, y[1]);
    let days = day_points(view, &p.windows, span, y);
    let price_chart = time_chart(
        vec![day_set(&days), dotted_set(&navs, NAV), line_set(&prices, PRICE), marker_set(&marks)],
        span,
        y,
        &[format!("{:.d$}", y[0]), format!("{:.d$}", y[1])],
        top.height,
    );
    frame.render_widget(price_chart, top);

    let loans = series(&p.windows, span, |w| Some(w.loan_rate));
    let y = padded(loans.iter().map(|v| v.1), 0.0025);
    let marks = marker_points(view, &p.windows, span, y[1]);
    let days = day_points(view, &p.windows, span, y);
    let x_labels = [span.start, span.start + span.cap / 2, span.start + span.cap]
        .iter()
        .map(|&i| Line::from(time_label(view, &p.windows, i)))
        .collect::<Vec<_>>();
    let loan_chart = time_chart(
        vec![day_set(&days), line_set(&loans, LOAN).style(loan_style), marker_set(&marks)],
        span,
        y,
        &[format!("{:.2}%", y[0] * 100.0), format!("{:.2}%", y[1] * 100.0)],
        // The time labels and the axis line take two rows.
        bottom.height.saturating_sub(2),
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
