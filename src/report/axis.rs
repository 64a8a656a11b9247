//! The time axis of the plots: the trading sessions of the run joined end to
//! end, in hours, so nights, weekends and holidays leave no empty stretches.
//! Tick labels give the time of day (and the date when the run has several
//! business days).

use super::data::MetricsRow;

/// One business day on the axis.
#[derive(Clone, Debug, PartialEq)]
struct DaySpan {
    day: u64,
    /// `MM-DD`, or `day N` when the date is unknown.
    label: String,
    /// Seconds since 00:00 of the start date at the day's first window start.
    open: f64,
    /// Hours on the axis where the day begins.
    offset: f64,
    /// Hours the day's windows span.
    hours: f64,
}

/// Maps (business day, seconds since the start) to hours on the axis.
#[derive(Clone, Debug, PartialEq)]
pub struct TimeAxis {
    days: Vec<DaySpan>,
    /// Events to mark on every plot over the axis: (x, label).
    marks: Vec<(f64, String)>,
}

impl TimeAxis {
    /// The axis over the windows of `rows` (any one product's rows: every
    /// product has the same windows).
    pub fn new(rows: &[MetricsRow]) -> TimeAxis {
        let mut days: Vec<DaySpan> = Vec::new();
        for r in rows {
            match days.iter_mut().find(|d| d.day == r.day) {
                Some(d) => {
                    let end = (d.open + d.hours * 3600.0).max(r.t_end);
                    d.open = d.open.min(r.t_start);
                    d.hours = (end - d.open) / 3600.0;
                }
                None => days.push(DaySpan {
                    day: r.day,
                    label: r
                        .date
                        .as_deref()
                        .map_or_else(|| format!("day {}", r.day), |d| d.get(5..).unwrap_or(d).into()),
                    open: r.t_start,
                    offset: 0.0,
                    hours: (r.t_end - r.t_start) / 3600.0,
                }),
            }
        }
        days.sort_by_key(|d| d.day);
        let mut offset = 0.0;
        for d in &mut days {
            d.offset = offset;
            offset += d.hours;
        }
        TimeAxis { days, marks: Vec::new() }
    }

    /// The axis with events to mark: (x in hours, label).
    pub fn with_marks(mut self, marks: Vec<(f64, String)>) -> TimeAxis {
        self.marks = marks;
        self
    }

    /// The events to mark: (x in hours, label).
    pub fn marks(&self) -> &[(f64, String)] {
        &self.marks
    }

    /// Number of business days.
    pub fn n_days(&self) -> usize {
        self.days.len()
    }

    /// Length of the axis in hours (never zero, so a range over it is never empty).
    pub fn hours(&self) -> f64 {
        let total = self.days.last().map_or(0.0, |d| d.offset + d.hours);
        if total > 0.0 { total } else { 1.0 }
    }

    /// Hours on the axis of the moment `t` (seconds since the start) of business day `day`.
    pub fn x(&self, day: u64, t: f64) -> f64 {
        match self.days.iter().find(|d| d.day == day) {
            Some(d) => d.offset + ((t - d.open) / 3600.0).clamp(0.0, d.hours),
            None => 0.0,
        }
    }

    /// Where each business day after the first begins.
    pub fn day_starts(&self) -> Vec<f64> {
        self.days.iter().skip(1).map(|d| d.offset).collect()
    }

    /// The label of the point `x` hours along the axis: `HH:MM`, with the
    /// day's `MM-DD` in front when the run has several days.
    pub fn label(&self, x: f64) -> String {
        let Some(d) = self.days.iter().rev().find(|d| d.offset <= x + 1e-9).or(self.days.first()) else {
            return format!("{x:.1} h");
        };
        let secs = (d.open + (x - d.offset) * 3600.0).round() as i64;
        let tod = secs.rem_euclid(86_400);
        let hm = format!("{:02}:{:02}", tod / 3600, tod % 3600 / 60);
        if self.days.len() > 1 { format!("{} {hm}", d.label) } else { hm }
    }

    /// Tick positions: a step (a quarter hour to six hours) that gives at most
    /// `max` ticks, counted from each day's open; or each day's open alone,
    /// thinned to at most `max`, for long runs.
    pub fn ticks(&self, max: usize) -> Vec<f64> {
        let max = max.max(2);
        for step in [0.25, 0.5, 1.0, 2.0, 3.0, 4.0, 6.0] {
            let mut ticks = Vec::new();
            for d in &self.days {
                let mut k = 0.0;
                // Ticks strictly inside the day, so a day's close and the next day's open do not collide.
                while k * step < d.hours - 1e-9 || (k == 0.0 && d.hours <= 1e-9) {
                    ticks.push(d.offset + k * step);
                    k += 1.0;
                }
            }
            if ticks.len() <= max {
                return ticks;
            }
        }
        let every = self.days.len().div_ceil(max);
        self.days.iter().step_by(every.max(1)).map(|d| d.offset).collect()
    }

    /// What the axis shows, for its description.
    pub fn description(&self) -> String {
        match self.days.as_slice() {
            [d] => format!("time of day on {} (hh:mm, simulated)", d.label),
            _ => "simulated time (MM-DD hh:mm; trading sessions joined, nights and holidays left out)".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(day: u64, date: &str, t0: f64, t1: f64) -> MetricsRow {
        MetricsRow { day, date: Some(date.into()), t_start: t0, t_end: t1, ..MetricsRow::default() }
    }

    /// Two days of 09:30–15:00 in 30-minute windows.
    fn two_days() -> Vec<MetricsRow> {
        let mut rows = Vec::new();
        for (day, date, base) in [(0, "2026-01-09", 0.0), (1, "2026-01-12", 3.0 * 86_400.0)] {
            for w in 0..11 {
                let t0 = base + 34_200.0 + w as f64 * 1800.0;
                rows.push(row(day, date, t0, t0 + 1800.0));
            }
        }
        rows
    }

    #[test]
    fn sessions_are_joined_without_the_weekend() {
        let a = TimeAxis::new(&two_days());
        assert_eq!(a.n_days(), 2);
        assert_eq!(a.hours(), 11.0);
        assert_eq!(a.x(0, 34_200.0), 0.0);
        assert_eq!(a.x(0, 54_000.0), 5.5);
        assert_eq!(a.x(1, 3.0 * 86_400.0 + 34_200.0), 5.5);
        assert_eq!(a.x(1, 3.0 * 86_400.0 + 37_800.0), 6.5);
        assert_eq!(a.day_starts(), vec![5.5]);
        assert_eq!(a.label(0.0), "01-09 09:30");
        assert_eq!(a.label(5.5), "01-12 09:30");
        assert_eq!(a.label(6.0), "01-12 10:00");
    }

    #[test]
    fn ticks_fit_the_limit_and_stay_inside_days() {
        let a = TimeAxis::new(&two_days());
        let t = a.ticks(12);
        assert!(t.len() <= 12 && t.len() >= 4, "{t:?}");
        assert!(t.contains(&0.0) && t.contains(&5.5));
        assert!(t.iter().all(|&x| x < 11.0));
        // Many days: one tick per day's open at most, thinned.
        let mut rows = Vec::new();
        for day in 0..40 {
            let t0 = day as f64 * 86_400.0 + 34_200.0;
            rows.push(row(day, "2026-01-05", t0, t0 + 19_800.0));
        }
        let t = TimeAxis::new(&rows).ticks(8);
        assert!(t.len() <= 8 && t.len() >= 4, "{t:?}");
    }

    #[test]
    fn one_day_labels_are_times_of_day() {
        let rows: Vec<MetricsRow> = two_days().into_iter().filter(|r| r.day == 0).collect();
        let a = TimeAxis::new(&rows);
        assert_eq!(a.label(1.25), "10:45");
        assert!(a.description().contains("01-09"));
        let t = a.ticks(12);
        assert_eq!(t.first(), Some(&0.0));
        assert!(t.len() <= 12);
    }

    #[test]
    fn empty_and_degenerate_axes_have_a_length() {
        let a = TimeAxis::new(&[]);
        assert_eq!(a.hours(), 1.0);
        assert_eq!(a.label(0.5), "0.5 h");
        assert!(!a.ticks(10).is_empty() || a.n_days() == 0);
        let a = TimeAxis::new(&[row(0, "2026-01-05", 100.0, 100.0)]);
        assert_eq!(a.hours(), 1.0);
        assert_eq!(a.ticks(10), vec![0.0]);
        // Without a date the day number stands in.
        let a = TimeAxis::new(&[
            MetricsRow { day: 3, t_start: 0.0, t_end: 60.0, ..MetricsRow::default() },
            MetricsRow { day: 4, t_start: 86_400.0, t_end: 86_460.0, ..MetricsRow::default() },
        ]);
        assert_eq!(a.label(0.0), "day 3 00:00");
    }
}
