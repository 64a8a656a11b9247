//! The run's scripted and live events, read back from its directory: the
//! scenario's `[[events]]` as `manifest.json` records them (a session saved
//! from the live view has its live changes appended there, and lists them in
//! `live_changes.csv`), each with a short label for the plots' markers, and
//! the before/after table of `report.md`: the key figures of each product
//! over the same number of windows either side of the window the event
//! first shows in.

use std::fmt::Write as _;

use crate::batch::csv::split;
use crate::columns;
use crate::results::manifest::RecordedEvent;

use super::axis::TimeAxis;
use super::data::{MetricsRow, ParseError};
use super::num::{count, fixed, fixed_signed, pct};

/// One scripted (or live) change of the run.
#[derive(Clone, Debug, PartialEq)]
pub struct RunEvent {
    /// Business-day index from 0 (the scenario's `day N` is N − 1).
    pub day: u64,
    /// Seconds after midnight of that day.
    pub time_of_day: f64,
    /// The moment as the scenario writes it (`day 3 10:00`).
    pub at: String,
    /// The event's `target` (`loan_rate`, `sale_panic`, …).
    pub target: String,
    /// Added to the current value.
    pub change: Option<f64>,
    /// Replaces the current value.
    pub value: Option<f64>,
    /// The product of a `min_credit_score` event.
    pub product: Option<String>,
    /// The group of a group event.
    pub group: Option<i64>,
    /// The live parameter of a `group_param` event.
    pub param: Option<String>,
    /// Made in the live view (listed in `live_changes.csv`), not scripted.
    pub live: bool,
}

/// Seconds after midnight of `HH:MM` or `HH:MM:SS`.
fn time_of_day(text: &str) -> Option<f64> {
    let parts: Vec<&str> = text.split(':').collect();
    let num = |s: &str| s.parse::<f64>().ok().filter(|v| v.is_finite() && *v >= 0.0);
    match parts.as_slice() {
        [h, m] => Some(num(h)? * 3600.0 + num(m)? * 60.0),
        [h, m, s] => Some(num(h)? * 3600.0 + num(m)? * 60.0 + num(s)?),
        _ => None,
    }
}

/// `day N HH:MM[:SS]` → (day index from 0, seconds after midnight).
fn moment(text: &str) -> Option<(u64, f64)> {
    let mut w = text.split_whitespace();
    (w.next()? == "day").then_some(())?;
    let day: u64 = w.next()?.parse().ok().filter(|d| *d >= 1)?;
    let tod = time_of_day(w.next()?)?;
    w.next().is_none().then_some((day - 1, tod))
}

/// The events of `manifest.json`'s `scenario.events` (read through the
/// writer's type, [`RunManifest`](crate::results::manifest::RunManifest)),
/// in scenario order; a moment that is not `day N HH:MM[:SS]` is an error
/// naming it.
pub(super) fn parse_events(list: &[RecordedEvent]) -> Result<Vec<RunEvent>, ParseError> {
    let mut out = Vec::new();
    for (i, e) in list.iter().enumerate() {
        let (day, time_of_day) = moment(&e.at).ok_or_else(|| ParseError::WrongType {
            path: format!("scenario.events[{i}].at"),
            expected: "a moment (`day N HH:MM`)",
        })?;
        out.push(RunEvent {
            day,
            time_of_day,
            at: e.at.clone(),
            target: e.target.clone(),
            change: e.change,
            value: e.value,
            product: e.product.clone(),
            group: e.group,
            param: e.param.clone(),
            live: false,
        });
    }
    Ok(out)
}

/// Marks as live the events that `live_changes.csv` lists (its columns by
/// name, from its header; a file without them marks nothing).
pub(super) fn mark_live(events: &mut [RunEvent], live_changes: &str) {
    let mut lines = live_changes.lines();
    let header = split(lines.next().unwrap_or_default());
    let col = |name: &str| header.iter().position(|h| h.trim() == name);
    let (Some(day_at), Some(tod_at), Some(target_at)) = (
        col(columns::name!(columns::live_changes::COLUMNS, "day")),
        col(columns::name!(columns::live_changes::COLUMNS, "time_of_day")),
        col(columns::name!(columns::live_changes::COLUMNS, "target")),
    ) else {
        return;
    };
    for line in lines {
        let cells = split(line);
        let cell = |k: usize| cells.get(k).map(|c| c.trim());
        let (Some(day), Some(tod), Some(target)) = (
            cell(day_at).and_then(|d| d.parse::<u64>().ok()).filter(|d| *d >= 1),
            cell(tod_at).and_then(time_of_day),
            cell(target_at),
        ) else {
            continue;
        };
        if let Some(e) =
            events.iter_mut().find(|e| !e.live && e.day == day - 1 && e.time_of_day == tod && e.target == *target)
        {
            e.live = true;
        }
    }
}

/// `+150 bp`, `= 4.35%` of a rate.
fn rate_words(change: Option<f64>, value: Option<f64>) -> String {
    match (change, value) {
        (Some(c), _) => format!("{} bp", fixed_signed(c * 10_000.0, 0)),
        (_, Some(v)) => format!("to {}%", fixed(v * 100.0, 2)),
        _ => String::new(),
    }
}

/// `+2`, `to 30` of a plain figure, with up to `d` decimals.
fn plain_words(change: Option<f64>, value: Option<f64>) -> String {
    let short = |v: f64, signed: bool| {
        let s = if signed { fixed_signed(v, 3) } else { fixed(v, 3) };
        if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
    };
    match (change, value) {
        (Some(c), _) => short(c, true),
        (_, Some(v)) => format!("to {}", short(v, false)),
        _ => String::new(),
    }
}

impl RunEvent {
    /// A short label for a plot's marker: `loan rate +150 bp`,
    /// `sale panic +5/s (group 1)`, `live: herding +2`.
    pub fn label(&self) -> String {
        let (c, v) = (self.change, self.value);
        // A `group_param` event on a built-in family's live parameter reads
        // as that family's own target does.
        let target = match (self.target.as_str(), self.param.as_deref()) {
            ("group_param", Some("herding")) => "herding",
            ("group_param", Some("active_share")) => "macro_active_share",
            (t, _) => t,
        };
        let mut s = match target {
            "loan_rate" => format!("loan rate {}", rate_words(c, v)),
            "deposit_rate" => format!("deposit rate {}", rate_words(c, v)),
            "price_level" => format!("price level {}", plain_words(c, v)),
            "shock" => format!("shock {}", plain_words(c, v)),
            "min_credit_score" => format!("min credit score {}", plain_words(c, v)),
            "herding" => format!("herding rate {}", plain_words(c, v)),
            "macro_active_share" => match (c, v) {
                (Some(c), _) => format!("active share {} pp", fixed_signed(c * 100.0, 0)),
                (_, Some(v)) => format!("active share to {}%", fixed(v * 100.0, 0)),
                _ => "active share".into(),
            },
            "sale_panic" => format!("sale panic {}/s", plain_words(c, v)),
            // Any parameter's scale: every significant digit, not three decimals.
            "group_param" => {
                let how = match (c, v) {
                    (Some(c), _) => format!("{c:+}"),
                    (_, Some(v)) => format!("to {v}"),
                    _ => String::new(),
                };
                format!("{} {how}", self.param.as_deref().unwrap_or("group parameter").replace('_', " "))
            }
            other => format!("{} {}", other.replace('_', " "), plain_words(c, v)),
        };
        if let Some(p) = &self.product {
            let _ = write!(s, " ({p})");
        }
        if let Some(g) = self.group {
            let _ = write!(s, " (group {g})");
        }
        if self.live { format!("live: {s}") } else { s }
    }

    /// The index into `rows` (one product's, in window order) of the first
    /// window the event shows in: the first starting at or after it (a
    /// change at or after a day's close shows from the next day's first
    /// window). `None` when it falls after the last window.
    pub fn first_row(&self, rows: &[MetricsRow]) -> Option<usize> {
        let midnight = rows.iter().find(|r| r.day == self.day).map(|r| (r.t_start / 86_400.0).floor() * 86_400.0);
        let t = midnight.map(|m| m + self.time_of_day);
        rows.iter().position(|r| r.day > self.day || (r.day == self.day && t.is_some_and(|t| r.t_start >= t - 1e-6)))
    }

    /// Where the marker goes on the time axis: the start of the first
    /// window it shows in, or the moment itself when that is within a window.
    pub fn x(&self, axis: &TimeAxis, rows: &[MetricsRow]) -> Option<f64> {
        let i = self.first_row(rows)?;
        let r = &rows[i];
        if r.day == self.day {
            let t = (r.t_start / 86_400.0).floor() * 86_400.0 + self.time_of_day;
            Some(axis.x(self.day, t.min(r.t_start)))
        } else {
            Some(axis.x(r.day, r.t_start))
        }
    }
}

/// The markers of the events on a time axis: (x, label).
pub fn markers(events: &[RunEvent], axis: &TimeAxis, rows: &[MetricsRow]) -> Vec<(f64, String)> {
    events.iter().filter_map(|e| e.x(axis, rows).map(|x| (x, e.label()))).collect()
}

/// Windows compared on each side of an event: those of an hour, at least 3.
pub fn span_windows(window_secs: f64) -> usize {
    if window_secs > 0.0 { ((3600.0 / window_secs).ceil() as usize).max(3) } else { 3 }
}

/// One figure over a span of windows.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Figure {
    /// A share (success), pooled: filled whole / closed.
    Share(Option<f64>),
    /// A mean per window (lots, orders).
    PerWindow(Option<f64>),
    /// A mean price.
    Price(Option<f64>),
    /// A mean rate (fraction per year).
    Rate(Option<f64>),
}

/// The key figures of some windows of one product: (name, figure).
pub fn figures(rows: &[MetricsRow]) -> Vec<(&'static str, Figure)> {
    let pooled = |filled: fn(&MetricsRow) -> Option<f64>, closed: fn(&MetricsRow) -> Option<f64>| {
        let (f, c) =
            rows.iter().fold((0.0, 0.0), |(f, c), r| (f + filled(r).unwrap_or(0.0), c + closed(r).unwrap_or(0.0)));
        (c > 0.0).then(|| f / c)
    };
    let mean = |get: fn(&MetricsRow) -> Option<f64>| {
        let v: Vec<f64> = rows.iter().filter_map(get).collect();
        (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
    };
    let has = |get: fn(&MetricsRow) -> Option<f64>| rows.iter().any(|r| get(r).is_some());
    let mut out = Vec::new();
    if has(|r| r.buy_filled) && has(|r| r.buy_closed) {
        out.push((
            "subscription success (filled whole / closed)",
            Figure::Share(pooled(|r| r.buy_filled, |r| r.buy_closed)),
        ));
        out.push(("sale success (filled whole / closed)", Figure::Share(pooled(|r| r.sell_filled, |r| r.sell_closed))));
    } else {
        out.push(("subscription success (mean over windows)", Figure::Share(mean(|r| r.sub_success))));
        out.push(("sale success (mean over windows)", Figure::Share(mean(|r| r.sale_success))));
    }
    out.push(("volume (lots per window)", Figure::PerWindow(mean(|r| Some(r.volume)))));
    if has(|r| r.buy_orders) {
        out.push(("buy orders per window", Figure::PerWindow(mean(|r| r.buy_orders))));
    }
    if has(|r| r.sell_orders) {
        out.push(("sell orders per window", Figure::PerWindow(mean(|r| r.sell_orders))));
    }
    if has(|r| r.last_price) {
        out.push(("last trade price (mean)", Figure::Price(mean(|r| r.last_price))));
    }
    if has(|r| r.loan_rate) {
        out.push(("loan rate (mean)", Figure::Rate(mean(|r| r.loan_rate))));
    }
    out
}

/// (before, after, after − before) of a figure, as text.
pub fn compare(before: Figure, after: Figure) -> [String; 3] {
    let na = || "n/a".to_string();
    match (before, after) {
        (Figure::Share(a), Figure::Share(b)) => {
            [pct(a), pct(b), a.zip(b).map_or_else(na, |(a, b)| format!("{} pp", fixed_signed((b - a) * 100.0, 1)))]
        }
        (Figure::PerWindow(a), Figure::PerWindow(b)) => {
            let f = |v: Option<f64>| v.map_or_else(na, |v| if v.abs() >= 100.0 { count(v) } else { fixed(v, 1) });
            let d = |d: f64| match count(d) {
                c if d.abs() >= 100.0 && !c.starts_with('-') => format!("+{c}"),
                c if d.abs() >= 100.0 => c,
                _ => fixed_signed(d, 1),
            };
            [f(a), f(b), a.zip(b).map_or_else(na, |(a, b)| d(b - a))]
        }
        (Figure::Price(a), Figure::Price(b)) => {
            let f = |v: Option<f64>| v.map_or_else(na, |v| fixed(v, 4));
            [f(a), f(b), a.zip(b).map_or_else(na, |(a, b)| fixed_signed(b - a, 4))]
        }
        (Figure::Rate(a), Figure::Rate(b)) => {
            let f = |v: Option<f64>| v.map_or_else(na, |v| format!("{}%", fixed(v * 100.0, 2)));
            [f(a), f(b), a.zip(b).map_or_else(na, |(a, b)| format!("{} bp", fixed_signed((b - a) * 10_000.0, 0)))]
        }
        _ => [na(), na(), na()],
    }
}

/// The rows compared for an event: (before, after), the same number of
/// windows each side (at most `k`), clipped to the run.
pub fn spans<'a>(e: &RunEvent, rows: &'a [MetricsRow], k: usize) -> Option<(&'a [MetricsRow], &'a [MetricsRow])> {
    let i = e.first_row(rows)?;
    let n = k.min(i).min(rows.len() - i);
    Some((&rows[i - n..i], &rows[i..i + n]))
}

/// The `## Events` section of `report.md`.
pub fn section(
    o: &mut String,
    events: Option<&[RunEvent]>,
    products: &[(&str, &[MetricsRow])],
    k: usize,
    window_noun: &str,
) {
    let _ = writeln!(o, "## Events\n");
    let Some(events) = events else {
        let _ = writeln!(o, "No `manifest.json` in this directory: the run's scripted events are not known.\n");
        return;
    };
    if events.is_empty() {
        let _ = writeln!(o, "No scripted or live events in this run.\n");
        return;
    }
    let _ = writeln!(
        o,
        "Each event is marked on every time plot by a dashed vertical line with its label, where it first shows (a \
         change shows from the window that starts at or after it). For each event, the key figures of each product \
         over up to {k} windows of {window_noun} before the first window it shows in and as many from that window \
         on (the same number each side, fewer when the run is shorter); success is pooled over the span (orders \
         filled whole / orders closed), counts and prices are means per window. Later events may fall inside an \
         earlier one's span, and a span may cross a night, mixing times of day. These are one run's before and \
         after, with no interval: the market moves on its own through a day, so they show what happened, not \
         what the event did. The event's effect is the difference from the same seeds without it, over many \
         seeds: `tplus run SCENARIO --control --replications N` gives it with a paired interval.\n"
    );
    for (n, e) in events.iter().enumerate() {
        let kind = if e.live { "live change" } else { "scripted" };
        let _ = writeln!(o, "### Event {}: {} at {} ({kind})\n", n + 1, e.label(), e.at);
        let mut table = String::new();
        let mut span_text = None;
        for (id, rows) in products {
            let Some((before, after)) = spans(e, rows, k) else { continue };
            if before.is_empty() {
                continue;
            }
            span_text.get_or_insert_with(|| {
                let w = |r: &MetricsRow| r.date.clone().unwrap_or_else(|| format!("day {}", r.day + 1));
                format!(
                    "{} windows each side: before from {} (window {}), after from {} (window {}).",
                    before.len(),
                    w(&before[0]),
                    before[0].window,
                    w(&after[0]),
                    after[0].window
                )
            });
            let (fb, fa) = (figures(before), figures(after));
            for ((name, b), (_, a)) in fb.iter().zip(&fa) {
                let [b, a, d] = compare(*b, *a);
                let _ = writeln!(table, "| {id} | {name} | {b} | {a} | {d} |");
            }
        }
        match span_text {
            None => {
                // Which side is missing: the event shows from no window
                // (none starts at or after it), or from the run's first.
                let shows = products.iter().find_map(|(_, rows)| e.first_row(rows));
                let why = match shows {
                    None => {
                        "No window of the run starts at or after it, so no window shows it: it has no marker on the \
                         plots and nothing after it to compare."
                    }
                    Some(_) => "It shows from the run's first window: no window before it to compare.",
                };
                let _ = writeln!(o, "{why}\n");
            }
            Some(span) => {
                let _ = writeln!(o, "{span}\n");
                let _ = writeln!(o, "| product | figure | before | after | difference |");
                let _ = writeln!(o, "|---|---|---:|---:|---:|");
                let _ = writeln!(o, "{table}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(at: &str, target: &str, change: Option<f64>, value: Option<f64>) -> RunEvent {
        let (day, time_of_day) = moment(at).unwrap();
        RunEvent {
            day,
            time_of_day,
            at: at.into(),
            target: target.into(),
            change,
            value,
            product: None,
            group: None,
            param: None,
            live: false,
        }
    }

    #[test]
    fn moments_and_labels_read_as_the_scenario_writes_them() {
        assert_eq!(moment("day 3 10:30"), Some((2, 37_800.0)));
        assert_eq!(moment("day 1 09:30:15"), Some((0, 34_215.0)));
        assert_eq!(moment("day 0 10:00"), None);
        assert_eq!(moment("3 10:00"), None);
        assert_eq!(event("day 3 10:00", "loan_rate", Some(0.015), None).label(), "loan rate +150 bp");
        assert_eq!(event("day 3 10:00", "loan_rate", None, Some(0.0435)).label(), "loan rate to 4.35%");
        assert_eq!(event("day 3 10:00", "sale_panic", Some(5.0), None).label(), "sale panic +5/s");
        assert_eq!(event("day 3 10:00", "macro_active_share", Some(-0.1), None).label(), "active share -10 pp");
        let mut e = event("day 2 11:00", "min_credit_score", Some(50.0), None);
        e.product = Some("NOTE7".into());
        e.live = true;
        assert_eq!(e.label(), "live: min credit score +50 (NOTE7)");
        let mut e = event("day 2 11:00", "group_param", None, Some(3.0));
        e.param = Some("look_back".into());
        e.group = Some(2);
        assert_eq!(e.label(), "look back to 3 (group 2)");
        let mut e = event("day 2 11:00", "group_param", Some(-0.0004), None);
        e.param = Some("threshold".into());
        assert_eq!(e.label(), "threshold -0.0004");
        e.param = Some("herding".into());
        assert_eq!(e.label(), event("day 2 11:00", "herding", Some(-0.0004), None).label());
    }

    #[test]
    fn events_are_read_from_the_manifest_and_live_ones_marked() {
        let events = |json: &str| super::super::data::ManifestInfo::parse(json).map(|m| m.events);
        let mut ev = events(
            r#"{"scenario": {"events": [
                {"at": "day 3 10:00", "target": "loan_rate", "change": 0.015},
                {"at": "day 3 11:00:00", "target": "herding", "value": 2.0, "group": 1}]}}"#,
        )
        .unwrap();
        assert_eq!(ev.len(), 2);
        assert_eq!((ev[1].day, ev[1].time_of_day, ev[1].group), (2, 39_600.0, Some(1)));
        mark_live(&mut ev, "time,day,time_of_day,target,change\n212400,3,11:00:00,herding,0.5\n");
        assert!(!ev[0].live && ev[1].live);
        assert_eq!(events("{}").unwrap(), vec![]);
        let bad = r#"{"scenario": {"events": [{"at": "tomorrow", "target": "loan_rate"}]}}"#;
        assert!(events(bad).unwrap_err().to_string().contains("scenario.events[0].at"));
        let bad = r#"{"scenario": {"events": [{"at": "day 1 10:00", "target": 3}]}}"#;
        assert!(events(bad).unwrap_err().to_string().contains("scenario.events[0].target"));
    }

    fn rows() -> Vec<MetricsRow> {
        // Two days of four 1-hour windows from 10:00.
        (0..8u64)
            .map(|w| {
                let (day, k) = (w / 4, (w % 4) as f64);
                let t0 = day as f64 * 86_400.0 + 36_000.0 + k * 3600.0;
                MetricsRow {
                    window: w,
                    day,
                    t_start: t0,
                    t_end: t0 + 3600.0,
                    buy_filled: Some(w as f64),
                    buy_closed: Some(10.0),
                    sell_filled: Some(1.0),
                    sell_closed: Some(2.0),
                    volume: 10.0 * w as f64,
                    loan_rate: Some(if w < 5 { 0.04 } else { 0.055 }),
                    ..MetricsRow::default()
                }
            })
            .collect()
    }

    #[test]
    fn an_event_shows_from_the_window_at_or_after_it() {
        let r = rows();
        assert_eq!(event("day 1 10:00", "shock", Some(1.0), None).first_row(&r), Some(0));
        assert_eq!(event("day 1 09:00", "shock", Some(1.0), None).first_row(&r), Some(0));
        assert_eq!(event("day 1 10:30", "shock", Some(1.0), None).first_row(&r), Some(1));
        // After the close: the next day's first window.
        assert_eq!(event("day 1 15:00", "shock", Some(1.0), None).first_row(&r), Some(4));
        assert_eq!(event("day 2 15:00", "shock", Some(1.0), None).first_row(&r), None);
        let axis = TimeAxis::new(&r);
        let e = event("day 2 11:00", "loan_rate", Some(0.015), None);
        assert_eq!(e.x(&axis, &r), Some(5.0));
        assert_eq!(markers(&[e], &axis, &r), vec![(5.0, "loan rate +150 bp".to_string())]);
    }

    #[test]
    fn before_and_after_take_as_many_windows_each_side() {
        let r = rows();
        let e = event("day 2 11:00", "loan_rate", Some(0.015), None);
        let (b, a) = spans(&e, &r, 12).unwrap();
        assert_eq!((b.len(), a.len(), b[0].window, a[0].window), (3, 3, 2, 5));
        let (fb, fa) = (figures(b), figures(a));
        // Success pooled: (2 + 3 + 4) / 30 against (5 + 6 + 7) / 30.
        assert_eq!(compare(fb[0].1, fa[0].1), ["30.0%", "60.0%", "+30.0 pp"]);
        assert_eq!(compare(fb[2].1, fa[2].1), ["30.0", "60.0", "+30.0"]);
        let (x, y) = (Figure::PerWindow(Some(8098.0)), Figure::PerWindow(Some(6879.4)));
        assert_eq!(compare(x, y), ["8,098", "6,879", "-1,219"]);
        let loan = fb.iter().position(|f| f.0 == "loan rate (mean)").unwrap();
        assert_eq!(compare(fb[loan].1, fa[loan].1), ["4.00%", "5.50%", "+150 bp"]);
        let mut md = String::new();
        section(&mut md, Some(&[e]), &[("P", &r)], 12, "1 hour");
        assert!(md.contains("### Event 1: loan rate +150 bp at day 2 11:00 (scripted)"), "{md}");
        assert!(md.contains("| P | subscription success (filled whole / closed) | 30.0% | 60.0% | +30.0 pp |"), "{md}");
        let mut md = String::new();
        section(&mut md, Some(&[]), &[("P", &r)], 12, "1 hour");
        assert!(md.contains("No scripted or live events in this run."), "{md}");
        // An event no window shows, and one from the first window: each
        // says which side is missing.
        let late = event("day 2 15:00", "shock", Some(1.0), None);
        let first = event("day 1 09:00", "shock", Some(1.0), None);
        let mut md = String::new();
        section(&mut md, Some(&[late, first]), &[("P", &r)], 12, "1 hour");
        assert!(md.contains("No window of the run starts at or after it, so no window shows it"), "{md}");
        assert!(md.contains("It shows from the run's first window: no window before it to compare."), "{md}");
    }
}
