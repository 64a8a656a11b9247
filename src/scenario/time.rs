//! The human spellings a scenario uses for time: durations (`"5m"`, `"50ms"`,
//! `"1h30m"`), times of day (`"09:30"`) and calendar dates (`2026-01-05`).
//!
//! Each type deserializes from the spelling and keeps an exact integer value, so
//! nothing downstream ever touches floating-point time.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// Nanoseconds per unit, for the units a duration may use.
const UNITS: [(&str, i64); 7] = [
    ("ns", 1),
    ("us", 1_000),
    ("ms", 1_000_000),
    ("s", 1_000_000_000),
    ("m", 60_000_000_000),
    ("h", 3_600_000_000_000),
    ("d", 86_400_000_000_000),
];

/// A length of simulated time, stored in nanoseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Duration(pub i64);

impl Duration {
    /// What a duration may look like, for error messages that name the expected
    /// spelling.
    pub const ACCEPTED: &'static str = "a duration such as \"50ms\", \"5m\", \"1h30m\" (units ns, us, ms, s, m, h, d)";

    /// The length in nanoseconds, the unit of the simulation clock.
    pub fn nanos(self) -> i64 {
        self.0
    }

    /// The length in seconds, for output and display (not for the clock).
    pub fn secs_f64(self) -> f64 {
        self.0 as f64 / 1e9
    }

    /// The longest duration a scenario may give: 100,000 days (about 274
    /// years), inside what the clock's `i64` of nanoseconds holds (about 292).
    pub const MAX: Duration = Duration(100_000 * 86_400_000_000_000);

    /// Parses `"1h30m"`, `"50ms"`, `"2.5s"`: one or more number–unit pairs.
    pub fn parse(text: &str) -> Option<Duration> {
        Duration::read(text).ok()
    }

    /// [`Duration::parse`], telling a spelling it does not know from a
    /// length past [`Duration::MAX`].
    fn read(text: &str) -> Result<Duration, Unread> {
        let s = text.trim();
        if s.is_empty() {
            return Err(Unread::Spelling);
        }
        let mut total: i64 = 0;
        let mut rest = s;
        while !rest.is_empty() {
            let num_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
            if num_len == 0 {
                return Err(Unread::Spelling);
            }
            let number: f64 = rest[..num_len].parse().map_err(|_| Unread::Spelling)?;
            rest = &rest[num_len..];
            let unit_len = rest.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len());
            let unit = rest[..unit_len].trim();
            rest = &rest[unit_len..];
            let scale = UNITS.iter().find(|(u, _)| *u == unit).ok_or(Unread::Spelling)?.1;
            let part = number * scale as f64;
            if !part.is_finite() || part > Duration::MAX.0 as f64 {
                return Err(Unread::TooLong);
            }
            total = total.checked_add(part.round() as i64).filter(|t| *t <= Duration::MAX.0).ok_or(Unread::TooLong)?;
        }
        Ok(Duration(total))
    }

    /// Why `text` is not a duration, for the scenario error.
    fn refusal(text: &str) -> String {
        match Duration::read(text) {
            Err(Unread::TooLong) => {
                format!("`{text}` is longer than a duration may be, {} days", Duration::MAX.0 / UNITS[6].1)
            }
            _ => format!("`{text}` is not a duration"),
        }
    }
}

/// Why a duration's text was not read.
enum Unread {
    /// Not number–unit pairs of the known units.
    Spelling,
    /// Past [`Duration::MAX`].
    TooLong,
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ns = self.0;
        if ns == 0 {
            return write!(f, "0s");
        }
        for (unit, scale) in UNITS.iter().rev() {
            if ns % scale == 0 {
                return write!(f, "{}{}", ns / scale, unit);
            }
        }
        write!(f, "{ns}ns")
    }
}

/// A time of day, stored as nanoseconds after midnight.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimeOfDay(pub i64);

impl TimeOfDay {
    /// What a time of day may look like, for error messages.
    pub const ACCEPTED: &'static str =
        "a time of day \"HH:MM\" or \"HH:MM:SS\" (24-hour clock, two digits each, e.g. \"09:30\")";

    /// Parses `"HH:MM"` or `"HH:MM:SS"` (24-hour clock, two digits each); None for
    /// anything else or an impossible time.
    pub fn parse(text: &str) -> Option<TimeOfDay> {
        let parts: Vec<&str> = text.trim().split(':').collect();
        if !(2..=3).contains(&parts.len()) || parts.iter().any(|p| p.len() != 2) {
            return None;
        }
        let num = |p: &str| p.parse::<i64>().ok();
        let h = num(parts[0])?;
        let m = num(parts[1])?;
        let s = if parts.len() == 3 { num(parts[2])? } else { 0 };
        if h > 23 || m > 59 || s > 59 {
            return None;
        }
        Some(TimeOfDay(((h * 60 + m) * 60 + s) * 1_000_000_000))
    }

    /// The time as HH:MM:SS always, for a column of a file read by
    /// machine, where [`Display`](fmt::Display)'s HH:MM on the whole
    /// minute would mix two forms in one column.
    pub fn hms(self) -> String {
        let (h, m, s) = self.parts();
        format!("{h:02}:{m:02}:{s:02}")
    }

    /// Hours, minutes and whole seconds.
    fn parts(self) -> (i64, i64, i64) {
        let secs = self.0 / 1_000_000_000;
        (secs / 3600, secs / 60 % 60, secs % 60)
    }
}

impl crate::columns::CellValue for TimeOfDay {}

impl fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (h, m, s) = self.parts();
        if s == 0 { write!(f, "{h:02}:{m:02}") } else { write!(f, "{h:02}:{m:02}:{s:02}") }
    }
}

/// A proleptic Gregorian calendar date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// The year (four digits in the scenario file).
    pub year: i32,
    /// The month, 1–12.
    pub month: u32,
    /// The day of the month, from 1.
    pub day: u32,
}

impl Date {
    /// What a date may look like, for error messages.
    pub const ACCEPTED: &'static str = "a date YYYY-MM-DD, e.g. 2026-01-05";

    /// Parses `YYYY-MM-DD`; None for anything else or a day the month does not have.
    pub fn parse(text: &str) -> Option<Date> {
        let t = text.trim();
        let parts: Vec<&str> = t.split('-').collect();
        if parts.len() != 3 || parts[0].len() != 4 || parts[1].len() != 2 || parts[2].len() != 2 {
            return None;
        }
        let year: i32 = parts[0].parse().ok()?;
        let month: u32 = parts[1].parse().ok()?;
        let day: u32 = parts[2].parse().ok()?;
        let date = Date { year, month, day };
        ((1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month)).then_some(date)
    }

    /// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
    pub fn days_since_epoch(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The inverse of [`Date::days_since_epoch`].
    pub fn from_days_since_epoch(z: i64) -> Date {
        let z = z + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    /// 0 = Monday … 6 = Sunday.
    pub fn weekday(self) -> u32 {
        // 1970-01-01 was a Thursday (3).
        (self.days_since_epoch() + 3).rem_euclid(7) as u32
    }

    /// Whether the date is a Saturday or a Sunday, which never trade.
    pub fn is_weekend(self) -> bool {
        self.weekday() >= 5
    }

    /// The date `n` calendar days later (earlier for a negative `n`).
    pub fn add_days(self, n: i64) -> Date {
        Date::from_days_since_epoch(self.days_since_epoch() + n)
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl crate::columns::CellValue for Date {}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// A moment of the run: a business day (1 = the first) and a time of day,
/// written `"day 5 10:00"`. Used by scripted events and rate paths.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DayTime {
    /// 1-based business day of the run.
    pub day: u32,
    /// The time of day on that business day.
    pub time: TimeOfDay,
}

impl DayTime {
    /// What a moment may look like, for error messages.
    pub const ACCEPTED: &'static str = "a business day of the run and a time of day, \"day N HH:MM\" (day 1 is the first; the hour in two digits), e.g. \"day 2 09:30\"";

    /// Parses `"day N HH:MM"` (or `HH:MM:SS`); None for anything else.
    pub fn parse(text: &str) -> Option<DayTime> {
        let mut words = text.split_whitespace();
        if words.next()? != "day" {
            return None;
        }
        let day: u32 = words.next()?.parse().ok()?;
        let time = TimeOfDay::parse(words.next()?)?;
        (words.next().is_none() && day >= 1).then_some(DayTime { day, time })
    }
}

impl fmt::Display for DayTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "day {} {}", self.day, self.time)
    }
}

/// Deserializes a value written as a string (or, for dates, a bare TOML date)
/// through `parse`, reporting `accepted` when it does not parse.
struct TextVisitor<T> {
    parse: fn(&str) -> Option<T>,
    /// What is wrong with a text `parse` refused.
    refusal: fn(&str) -> String,
    accepted: &'static str,
}

impl<'de, T> Visitor<'de> for TextVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.accepted)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        (self.parse)(v).ok_or_else(|| E::custom(format!("{}, expected {}", (self.refusal)(v), self.accepted)))
    }

    // A bare TOML date (`start = 2026-01-05`) arrives as toml's private
    // one-entry datetime map; its value is the date's text.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        let Some((_, text)) = map.next_entry::<String, String>()? else {
            return Err(de::Error::custom(format!("an empty table, expected {}", self.accepted)));
        };
        self.visit_str(&text)
    }
}

macro_rules! text_serde {
    ($ty:ty, $what:literal) => {
        text_serde!($ty, |text: &str| format!("`{text}` is not {}", $what));
    };
    ($ty:ty, $refusal:expr) => {
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                d.deserialize_any(TextVisitor { parse: <$ty>::parse, refusal: $refusal, accepted: <$ty>::ACCEPTED })
            }
        }

        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
    };
}

text_serde!(Duration, Duration::refusal);
text_serde!(TimeOfDay, "a time of day");
text_serde!(Date, "a date");
text_serde!(DayTime, "a day and time");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_of_day_for_people_and_for_a_column() {
        let t = |text: &str| TimeOfDay::parse(text).unwrap();
        assert_eq!((t("10:54").to_string(), t("10:54").hms()), ("10:54".into(), "10:54:00".into()));
        assert_eq!((t("10:54:08").to_string(), t("10:54:08").hms()), ("10:54:08".into(), "10:54:08".into()));
    }

    #[test]
    fn durations_parse_in_every_unit_and_combination() {
        assert_eq!(Duration::parse("50ms"), Some(Duration(50_000_000)));
        assert_eq!(Duration::parse("5m"), Some(Duration(300_000_000_000)));
        assert_eq!(Duration::parse("1h30m"), Some(Duration(5_400_000_000_000)));
        assert_eq!(Duration::parse("2.5s"), Some(Duration(2_500_000_000)));
        assert_eq!(Duration::parse("250us"), Some(Duration(250_000)));
        assert_eq!(Duration::parse("5"), None);
        assert_eq!(Duration::parse("m"), None);
        assert_eq!(Duration::parse("5 parsecs"), None);
        assert_eq!(Duration::parse(""), None);
        assert_eq!(Duration(5_400_000_000_000).to_string(), "90m");
    }

    #[test]
    fn a_duration_past_the_longest_is_too_long_not_misspelt() {
        assert_eq!(Duration::parse("100000d"), Some(Duration::MAX));
        for long in ["100000d1ns", "99999999999999999999h", "1e400s", "60000d60000d"] {
            let expected =
                if long == "1e400s" { "not a duration" } else { "longer than a duration may be, 100000 days" };
            assert_eq!(Duration::parse(long), None, "{long}");
            assert!(Duration::refusal(long).ends_with(expected), "{long}: {}", Duration::refusal(long));
        }
        let e = toml::from_str::<std::collections::BTreeMap<String, Duration>>("w = \"99999999999999999999h\"");
        let message = e.map(|_| ()).unwrap_err().message().to_string();
        assert!(message.starts_with("`99999999999999999999h` is longer than a duration may be"), "{message}");
    }

    #[test]
    fn times_of_day_are_checked() {
        assert_eq!(TimeOfDay::parse("09:30"), Some(TimeOfDay(34_200_000_000_000)));
        assert_eq!(TimeOfDay::parse("15:00:30").map(|t| t.to_string()), Some("15:00:30".into()));
        assert_eq!(TimeOfDay::parse("24:00"), None);
        assert_eq!(TimeOfDay::parse("9:30"), None);
    }

    #[test]
    fn day_times_parse() {
        let t = DayTime::parse("day 5 10:00").unwrap();
        assert_eq!((t.day, t.time), (5, TimeOfDay::parse("10:00").unwrap()));
        assert_eq!(t.to_string(), "day 5 10:00");
        assert_eq!(DayTime::parse("day 0 10:00"), None);
        assert_eq!(DayTime::parse("5 10:00"), None);
        assert_eq!(DayTime::parse("day 5"), None);
        assert_eq!(DayTime::parse("day 5 10:00 extra"), None);
    }

    #[test]
    fn dates_round_trip_and_know_their_weekday() {
        let d = Date::parse("2026-01-05").unwrap();
        assert_eq!(d.weekday(), 0, "2026-01-05 is a Monday");
        assert_eq!(Date::from_days_since_epoch(d.days_since_epoch()), d);
        assert_eq!(d.add_days(-5).to_string(), "2025-12-31");
        assert_eq!(Date::parse("2024-02-29").map(|d| d.add_days(1).to_string()), Some("2024-03-01".into()));
        assert_eq!(Date::parse("2026-02-29"), None);
        assert_eq!(Date::parse("2026-13-01"), None);
        for z in -1000..1000 {
            assert_eq!(Date::from_days_since_epoch(z).days_since_epoch(), z);
        }
    }
}
