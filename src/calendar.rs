//! The business-day calendar: which dates trade, when each session opens and
//! closes on the simulation clock, and which metrics window a moment falls in.
//!
//! The simulation clock counts integer nanoseconds from 00:00 of the
//! scenario's start date, so `t / 1e9` is "seconds since the start" in every
//! output file.

use crate::scenario::{Date, DayTime, Simulation};

pub const NS_PER_SEC: i64 = 1_000_000_000;
pub const NS_PER_DAY: i64 = 86_400 * NS_PER_SEC;

/// One trading day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BusinessDay {
    pub date: Date,
    /// Session open and close on the simulation clock.
    pub open: i64,
    pub close: i64,
}

#[derive(Clone, Debug)]
pub struct Calendar {
    start: Date,
    days: Vec<BusinessDay>,
    window: i64,
    windows_per_day: u32,
}

impl Calendar {
    /// Lays out `sim.days` business days from the start date, skipping
    /// weekends and listed holidays. The scenario must be validated.
    pub fn new(sim: &Simulation) -> Calendar {
        let mut days = Vec::with_capacity(sim.days as usize);
        let mut date = sim.start_date;
        while days.len() < sim.days as usize {
            if !date.is_weekend() && !sim.holidays.contains(&date) {
                let midnight = (date.days_since_epoch() - sim.start_date.days_since_epoch()) * NS_PER_DAY;
                days.push(BusinessDay { date, open: midnight + sim.open.0, close: midnight + sim.close.0 });
            }
            date = date.add_days(1);
        }
        let session = sim.close.0 - sim.open.0;
        let window = sim.window.0;
        Calendar { start: sim.start_date, days, window, windows_per_day: ((session + window - 1) / window) as u32 }
    }

    pub fn days(&self) -> &[BusinessDay] {
        &self.days
    }

    pub fn day(&self, index: u32) -> &BusinessDay {
        &self.days[index as usize]
    }

    pub fn windows_per_day(&self) -> u32 {
        self.windows_per_day
    }

    pub fn n_windows(&self) -> usize {
        self.days.len() * self.windows_per_day as usize
    }

    /// Global index of the window holding time `t` of business day `day`.
    /// Moments at or after the close (expiries, redemptions) belong to the
    /// day's last window.
    #[inline]
    pub fn window_of(&self, day: u32, t: i64) -> usize {
        let d = &self.days[day as usize];
        let k = ((t - d.open).max(0) / self.window).min(i64::from(self.windows_per_day) - 1);
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
        self.days.iter().position(|d| d.date >= date).map(|i| i as u32)
    }
}

#[cfg(test)]
mod tests {
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
