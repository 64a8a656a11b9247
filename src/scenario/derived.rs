//! What follows from a scenario's fields by arithmetic alone: the business
//! dates of the run, a product's tick in micros, its NAV and price band in
//! ticks. Validation bounds the run with these and the engine's calendar and
//! products are built from them, so the two cannot round differently.

use super::time::Date;
use super::{Product, Simulation};
use crate::units::{MICROS_PER_UNIT, floor_to_i64};

/// A tick size in micros, rounded to the nearest: how every layer turns a
/// validated tick into micros.
pub fn tick_micros(tick_size: f64) -> i64 {
    (tick_size * MICROS_PER_UNIT).round() as i64
}

/// The tick size in micros if it is a whole number of them, up to rounding
/// error (0.0001 is 100), and at least one: the rule validation holds a
/// scenario's tick to, and the replay a manifest's.
pub fn whole_tick_micros(tick_size: f64) -> Option<i64> {
    let x = tick_size * MICROS_PER_UNIT;
    let whole = (x - x.round()).abs() <= 1e-6 * x.abs().max(1.0);
    (whole && x.round() >= 1.0 && x.round() < i64::MAX as f64).then(|| x.round() as i64)
}

impl Simulation {
    /// Whether `date` trades: not a weekend, not a listed holiday.
    pub fn is_business_day(&self, date: Date) -> bool {
        !date.is_weekend() && !self.holidays.contains(&date)
    }

    /// The run's business dates in order, from the start date: `days` of them.
    pub fn business_dates(&self) -> impl Iterator<Item = Date> + '_ {
        let mut date = self.start_date;
        std::iter::from_fn(move || {
            loop {
                let d = date;
                date = d.add_days(1);
                if self.is_business_day(d) {
                    return Some(d);
                }
            }
        })
        .take(usize::try_from(self.days).unwrap_or(0))
    }
}

impl Product {
    /// The tick in micros ([`tick_micros`] of `tick_size`).
    pub fn tick_micros(&self) -> i64 {
        tick_micros(self.tick_size)
    }

    /// The NAV on the start date in ticks, rounded to the nearest.
    pub fn nav0_ticks(&self) -> f64 {
        (self.nav / self.tick_size).round()
    }

    /// The NAV in (fractional) ticks `calendar_days` after the start date:
    /// the start NAV accrued at `annual_yield` over calendar days / 365.
    pub fn nav_ticks_after(&self, calendar_days: i64) -> f64 {
        self.nav0_ticks() * (1.0 + self.annual_yield * calendar_days as f64 / 365.0)
    }

    /// The lowest and highest limit prices accepted at a NAV of `nav` ticks,
    /// in whole ticks: the band rounded inwards (never below one tick), with
    /// a margin of 1e-9 tick so that a band edge on a tick keeps it.
    pub fn band_ticks(&self, nav: f64) -> (i64, i64) {
        let lo = ((nav * (1.0 - self.price_band)) - 1e-9).ceil().max(1.0) as i64;
        (lo, floor_to_i64((nav * (1.0 + self.price_band)) + 1e-9))
    }

    /// The lowest and highest limit prices accepted on any business day of
    /// `sim`'s run, in whole ticks: each day's band ([`Product::band_ticks`]
    /// at that day's NAV), as the engine's `ProductSpec` works them out and
    /// spans its book's price grid with, so that the replay's book is the
    /// run's. None for a run without business days.
    pub fn band_over_run(&self, sim: &Simulation) -> Option<(i64, i64)> {
        let start = sim.start_date.days_since_epoch();
        sim.business_dates()
            .map(|date| self.band_ticks(self.nav_ticks_after(date.days_since_epoch() - start)))
            .reduce(|(lo, hi), (l, h)| (lo.min(l), hi.max(h)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn product(text: &str) -> Product {
        toml::from_str(&format!("id = \"P\"\nterm_days = 7\nholding_limit_days = 3\n{text}")).unwrap()
    }

    #[test]
    fn the_band_rounds_inwards_and_keeps_edges_on_a_tick() {
        let p = product("nav = 1.0\nannual_yield = 0.0365\ntick_size = 0.0001\nprice_band = 0.02");
        assert_eq!(p.tick_micros(), 100);
        assert_eq!(p.nav0_ticks(), 10_000.0);
        assert_eq!(p.nav_ticks_after(100), 10_100.0, "3.65% a year over 100 days of 365: 1%");
        // 10,000 × 0.98 and × 1.02 land on ticks (up to rounding): kept.
        assert_eq!(p.band_ticks(p.nav0_ticks()), (9_800, 10_200));
        assert_eq!(p.band_ticks(10_000.5), (9_801, 10_200));
        assert_eq!(p.band_ticks(0.5).0, 1, "never below one tick");
    }

    #[test]
    fn ticks_in_micros_round_to_the_nearest_and_whole_ones_are_told() {
        assert_eq!(tick_micros(0.0001), 100);
        assert_eq!(tick_micros(0.01), 10_000);
        assert_eq!(tick_micros(1e-7), 0);
        assert_eq!(whole_tick_micros(0.0001), Some(100));
        assert_eq!(whole_tick_micros(0.000001), Some(1));
        assert_eq!(whole_tick_micros(0.0000015), None, "one and a half millionths");
        for bad in [0.0, 1e-9, -0.01, f64::NAN, f64::INFINITY] {
            assert_eq!(whole_tick_micros(bad), None, "{bad}");
        }
    }
}
