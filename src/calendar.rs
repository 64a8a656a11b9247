//! The business-day calendar: which dates trade, when each session opens and
//! closes on the simulation clock, and which metrics window a moment falls in.
//!
//! The simulation clock counts integer nanoseconds from 00:00 of the
//! scenario's start date, so `t / 1e9` is "seconds since the start" in every
//! output file.

use crate::scenario::{Date, DayTime, Simulation};

pub use crate::units::{NS_PER_DAY, NS_PER_SEC};

/// Division of clock times by a fixed positive step (a lookahead, a metrics
/// window), done once or twice per event: a float estimate and one integer
/// correction instead of the hardware divide, which costs tens of cycles.
/// Gives exactly what `/` gives.
#[derive(Clone, Copy, Debug)]
pub struct Divisor {
    d: i64,
    inv: f64,
}

impl Divisor {
    /// Times below this are exact as `f64`, which the estimate relies on
    /// (2^52 ns is 142 years of simulated time).
    const EXACT: i64 = 1 << 52;

    /// `d` must be positive.
    pub fn new(d: i64) -> Divisor {
        assert!(d > 0, "a step of {d} ns cannot divide time");
        Divisor { d, inv: 1.0 / d as f64 }
    }

    /// The step it divides by (nanoseconds when it divides clock times).
    pub fn get(&self) -> i64 {
        self.d
    }

    /// `n / d`, truncated toward zero like `/`.
    #[inline]
    pub fn div(&self, n: i64) -> i64 {
        if !(0..Self::EXACT).contains(&n) {
            return n / self.d;
        }
        // n and the true quotient are below 2^52, so the estimate is off by
        // less than one either way.
        let q = (n as f64 * self.inv) as i64;
        let r = n - q * self.d;
        if r < 0 {
            q - 1
        } else if r >= self.d {
            q + 1
        } else {
            q
        }
    }
}

/// One trading day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BusinessDay {
    /// The calendar date of the trading day.
    pub date: Date,
    /// Session open on the simulation clock (ns since 00:00 of the start date).
    pub open: i64,
    /// Session close on the simulation clock (ns since 00:00 of the start date).
    pub close: i64,
}

/// The run's trading days (weekends and holidays skipped) and its metrics
/// windows: maps a moment on the clock to its day and window so the engine
/// and the metrics agree on which window an event counts in.
#[derive(Clone, Debug)]
pub struct Calendar {
    start: Date,
    days: Vec<BusinessDay>,
    window: i64,
    window_div: Divisor,
    windows_per_day: u32,
}

impl Calendar {
    /// Lays out `sim.days` business days from the start date, skipping
    /// weekends and listed holidays. The scenario must be validated.
    pub fn new(sim: &Simulation) -> Calendar {
        let days: Vec<BusinessDay> = sim
            .business_dates()
            .map(|date| {
                let midnight = (date.days_since_epoch() - sim.start_date.days_since_epoch()) * NS_PER_DAY;
                BusinessDay { date, open: midnight + sim.open.0, close: midnight + sim.close.0 }
            })
            .collect();
        let session = sim.close.0 - sim.open.0;
        let window = sim.window.0;
        Calendar {
            start: sim.start_date,
            days,
            window,
            window_div: Divisor::new(window),
            windows_per_day: ((session + window - 1) / window) as u32,
        }
    }

    /// The run's business days in date order; a day index elsewhere indexes this.
    pub fn days(&self) -> &[BusinessDay] {
        &self.days
    }

    /// Business day number `index` (0-based); panics past the last day.
    pub fn day(&self, index: u32) -> &BusinessDay {
        &self.days[index as usize]
    }

    /// Metrics windows per session: the session length divided by the window,
    /// rounded up (the last window of a day may be shorter).
    pub fn windows_per_day(&self) -> u32 {
        self.windows_per_day
    }

    /// Metrics windows over the whole run (days × windows per day): the rows of
    /// `metrics.csv`.
    pub fn n_windows(&self) -> usize {
        self.days.len() * self.windows_per_day as usize
    }

    /// Global index of the window holding time `t` of business day `day`.
    /// Moments at or after the close (expiries, redemptions) belong to the
    /// day's last window.
    #[inline]
    pub fn window_of(&self, day: u32, t: i64) -> usize {
        let d = &self.days[day as usize];
        let k = self.window_div.div((t - d.open).max(0)).min(i64::from(self.windows_per_day) - 1);
        day as usize * self.windows_per_day as usize + k as usize
    }

    /// Business day and [start, end) of a global window on the simulation clock.
    pub fn window_bounds(&self, w: usize) -> (u32, i64, i64) {
        let day = (w / self.windows_per_day as usize) as u32;
        let k = (w % self.windows_per_day as usize) as i64;
        let d = &self.days[day as usize];
        let start = d.open + k * self.window;
        (day, start, (start + self.window).min(d.close))
    }

    /// Calendar days from the start date to a business day (for NAV accrual).
    pub fn calendar_days_elapsed(&self, day: u32) -> i64 {
        self.days[day as usize].date.days_since_epoch() - self.start.days_since_epoch()
    }

    /// The simulation time of a moment written "day N HH:MM" (day 1 = the first business day).
    pub fn at(&self, when: DayTime) -> i64 {
        let d = &self.days[(when.day as usize).clamp(1, self.days.len()) - 1];
        (d.date.days_since_epoch() - self.start.days_since_epoch()) * NS_PER_DAY + when.time.0
    }

    /// The first business day in the run on or after `date`, if any.
    pub fn first_day_on_or_after(&self, date: Date) -> Option<u32> {
        // Days are in date order: a binary search, as every cohort of a
        // 10,000-day run asks (a scan made building a product quadratic).
        let i = self.days.partition_point(|d| d.date < date);
        (i < self.days.len()).then_some(i as u32)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn divisor_divides_exactly_like_the_operator() {
        let steps = [1, 2, 3, 7, 1000, 49_999_999, 50_000_000, 300 * NS_PER_SEC, NS_PER_DAY, (1 << 40) + 1];
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for &d in &steps {
            let div = Divisor::new(d);
            let edges = [0, 1, d - 1, d, d + 1, 2 * d - 1, (1 << 52) - 1, 1 << 52, i64::MAX, -1, -d, i64::MIN + 1];
            for n in edges {
                assert_eq!(div.div(n), n / d, "{n} / {d}");
            }
            for _ in 0..20_000 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                // Multiples of d and their neighbours, where an estimate would slip.
                let n = (x >> 12) as i64;
                for m in [n, n - n % d, n - n % d - 1, (n - n % d).saturating_add(d)] {
                    assert_eq!(div.div(m), m / d, "{m} / {d}");
                }
            }
        }
    }

    use super::*;
    use crate::scenario::{Duration, TimeOfDay};

    fn sim(start: &str, days: i64, holidays: &[&str]) -> Simulation {
        Simulation {
            name: "t".into(),
            seed: 1,
            start_date: Date::parse(start).unwrap(),
            days,
            open: TimeOfDay::parse("09:30").unwrap(),
            close: TimeOfDay::parse("15:00").unwrap(),
            holidays: holidays.iter().map(|h| Date::parse(h).unwrap()).collect(),
            window: Duration::parse("1h").unwrap(),
            min_latency: Duration::parse("50ms").unwrap(),
            latency_jitter: Duration::parse("0s").unwrap(),
        }
    }

    #[test]
    fn weekends_and_holidays_are_skipped() {
        // Friday 2026-01-02 start, Monday 5th a holiday.
        let cal = Calendar::new(&sim("2026-01-02", 3, &["2026-01-05"]));
        let dates: Vec<String> = cal.days().iter().map(|d| d.date.to_string()).collect();
        assert_eq!(dates, ["2026-01-02", "2026-01-06", "2026-01-07"]);
        assert_eq!(cal.calendar_days_elapsed(1), 4);
        assert_eq!(cal.day(1).open, 4 * NS_PER_DAY + 34_200 * NS_PER_SEC);
    }

    #[test]
    fn windows_cover_the_session_and_the_close() {
        let cal = Calendar::new(&sim("2026-01-05", 2, &[]));
        assert_eq!(cal.windows_per_day(), 6, "5.5 hours in 1-hour windows");
        let d1 = *cal.day(1);
        assert_eq!(cal.window_of(1, d1.open), 6);
        assert_eq!(cal.window_of(1, d1.close - 1), 11);
        assert_eq!(cal.window_of(1, d1.close), 11);
        assert_eq!(cal.window_bounds(11), (1, d1.open + 5 * 3600 * NS_PER_SEC, d1.close));
    }
}
