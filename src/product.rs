//! A product's numbers as the engine uses them: prices in whole ticks, cash in
//! millionths of the currency unit, and the per-day NAV, price band and
//! redemption schedule, all worked out once before the run.

use crate::calendar::Calendar;
use crate::scenario::Product;
use crate::units::{ceil_to_i64, floor_to_i64};

pub use crate::units::MICROS_PER_UNIT as MICROS;

/// A holding cohort (the lots bought on one business day) that the platform
/// redeems at one day's close.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Redemption {
    /// Business day the lots were bought (-1: held at the start).
    pub cohort: i64,
    /// True when the holding limit ran out before the term: a failed sale,
    /// redeemed at NAV less the penalty. False: matured at term, at NAV.
    pub failed: bool,
}

/// One product of the scenario, worked out for the whole run: what the
/// platform checks orders against, values trades and redeems holdings at.
#[derive(Clone, Debug)]
pub struct ProductSpec {
    /// The product's id from the scenario, as the outputs name it.
    pub id: String,
    /// Units of the product per lot; every quantity is in lots.
    pub lot_size: i64,
    /// Tick size: micros per unit per tick of price.
    pub tick_micros: i64,
    /// Absolute tick (price / tick size) of book index 0.
    pub grid_base: i64,
    /// Size of the book's price grid, in ticks: from `grid_base` up to the
    /// highest band top of any day.
    pub n_ticks: u32,
    /// Credit score (0–1000 points) below which a customer's orders are rejected.
    pub min_credit_score: f64,
    /// The credit score vets sales too (`credit_gate = "all"`), not only buys.
    pub gate_sales: bool,
    /// How the product's book ranks the orders resting at one price.
    pub matching: crate::book::MatchingRule,
    /// Yield the NAV accrues, as a fraction per year (over calendar days / 365).
    pub annual_yield: f64,
    /// Fraction of NAV cut when the platform redeems a holding at its holding
    /// limit (a failed sale).
    pub redemption_penalty: f64,
    /// Largest order accepted, in lots.
    pub max_order_lots: u32,
    /// Lots the platform offers at NAV each day (the subscription quota; 0: none).
    pub primary_supply_lots: u32,
    /// Lots the issuer buys back at NAV each day (the redemption quota).
    pub redemption_quota_lots: u32,
    /// Nanoseconds between the issuer's instalments of its daily quotas.
    pub primary_pacing: i64,
    /// Business days a holding may be sold in before the platform redeems it.
    pub holding_limit: u32,
    /// Per business day: NAV in (fractional) ticks, band limits in whole ticks.
    pub nav_ticks: Vec<f64>,
    /// Per business day: the lowest limit price accepted, in absolute ticks.
    pub band_lo: Vec<i64>,
    /// Per business day: the highest limit price accepted (and what a market
    /// buy reserves cash at), in absolute ticks.
    pub band_hi: Vec<i64>,
    /// Per business day: redemption value per lot, in micros, at NAV and at NAV less the penalty.
    pub redeem_at_nav: Vec<i64>,
    /// Per business day: what a lot redeemed at the holding limit pays, in
    /// micros (NAV less the penalty).
    pub redeem_penalised: Vec<i64>,
    /// Per business day: the cohorts redeemed at that day's close.
    pub redemptions: Vec<Vec<Redemption>>,
}

impl ProductSpec {
    /// Works out a validated product over the calendar.
    pub fn new(p: &Product, cal: &Calendar) -> ProductSpec {
        let n_days = cal.days().len();
        let tick_micros = p.tick_micros();
        let mut nav_ticks = Vec::with_capacity(n_days);
        let mut band_lo = Vec::with_capacity(n_days);
        let mut band_hi = Vec::with_capacity(n_days);
        let mut redeem_at_nav = Vec::with_capacity(n_days);
        let mut redeem_penalised = Vec::with_capacity(n_days);
        for d in 0..n_days as u32 {
            let nav = p.nav_ticks_after(cal.calendar_days_elapsed(d));
            nav_ticks.push(nav);
            let (lo, hi) = p.band_ticks(nav);
            band_lo.push(lo);
            band_hi.push(hi);
            let unit_micros = nav * tick_micros as f64;
            redeem_at_nav.push((unit_micros * p.lot_size as f64).round() as i64);
            redeem_penalised.push((unit_micros * (1.0 - p.redemption_penalty) * p.lot_size as f64).round() as i64);
        }
        let grid_base = band_lo.iter().copied().min().unwrap_or(1);
        let grid_top = band_hi.iter().copied().max().unwrap_or(grid_base);
        let holding_limit = p.holding_limit_days as u32;
        ProductSpec {
            id: p.id.clone(),
            lot_size: p.lot_size,
            tick_micros,
            grid_base,
            n_ticks: (grid_top - grid_base + 1) as u32,
            min_credit_score: p.min_credit_score,
            gate_sales: p.credit_gate == crate::scenario::CreditGate::All,
            matching: p.matching,
            annual_yield: p.annual_yield,
            redemption_penalty: p.redemption_penalty,
            max_order_lots: p.max_order_lots as u32,
            primary_supply_lots: p.primary_supply_lots as u32,
            redemption_quota_lots: p.redemption_quota_lots as u32,
            primary_pacing: p.primary_pacing.0,
            holding_limit,
            nav_ticks,
            band_lo,
            band_hi,
            redeem_at_nav,
            redeem_penalised,
            redemptions: redemption_schedule(cal, holding_limit, p.term_days),
        }
    }

    /// Cash value of `lots` at absolute tick `price`, in micros.
    #[inline]
    pub fn value(&self, price: i64, lots: u32) -> i64 {
        price * self.tick_micros * self.lot_size * i64::from(lots)
    }

    /// The platform's primary-supply price on `day`: NAV rounded up to a tick.
    pub fn supply_price(&self, day: u32) -> i64 {
        ceil_to_i64(self.nav_ticks[day as usize] - 1e-9)
    }

    /// The issuer's redemption price on `day`: NAV rounded down to a tick,
    /// and a tick below the supply price when NAV sits on a tick, so that
    /// the issuer's own bid and ask never meet.
    pub fn redemption_price(&self, day: u32) -> i64 {
        floor_to_i64(self.nav_ticks[day as usize] + 1e-9).min(self.supply_price(day) - 1)
    }

    /// Ring slots a holding needs: the cohorts alive at one day's close.
    pub fn ring_len(&self) -> usize {
        Self::ring_len_of(self.holding_limit)
    }

    /// [`ProductSpec::ring_len`] for a holding limit of `holding_limit_days`.
    pub fn ring_len_of(holding_limit_days: u32) -> usize {
        holding_limit_days as usize + 1
    }
}

/// For every business day, the cohorts whose deadline falls on its close. A
/// cohort bought on day b must be sold by the close of day b + limit; if the
/// term (calendar days) ends first, it matures at the close of the first
/// business day on or after b's date + term instead.
fn redemption_schedule(cal: &Calendar, limit: u32, term_days: i64) -> Vec<Vec<Redemption>> {
    let n = cal.days().len() as i64;
    let mut out = vec![Vec::new(); n as usize];
    for cohort in -1..n {
        let limit_day = cohort + i64::from(limit);
        let maturity = if cohort < 0 {
            None
        } else {
            let due = cal.day(cohort as u32).date.add_days(term_days);
            Some(cal.first_day_on_or_after(due).map_or(i64::MAX, i64::from))
        };
        let (day, failed) = match maturity {
            Some(m) if m <= limit_day => (m, false),
            _ => (limit_day, true),
        };
        if (0..n).contains(&day) {
            out[day as usize].push(Redemption { cohort, failed });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Date, Duration, Simulation, TimeOfDay};

    fn simulation(days: i64) -> Simulation {
        Simulation {
            name: "t".into(),
            seed: 1,
            start_date: Date::parse("2026-01-05").unwrap(),
            days,
            open: TimeOfDay::parse("09:30").unwrap(),
            close: TimeOfDay::parse("15:00").unwrap(),
            holidays: vec![],
            window: Duration::parse("5m").unwrap(),
            min_latency: Duration::parse("50ms").unwrap(),
            latency_jitter: Duration::parse("0s").unwrap(),
        }
    }

    fn calendar(days: i64) -> Calendar {
        Calendar::new(&simulation(days))
    }

    /// The replay sizes its books by `Product::band_over_run`: it must span
    /// the engine's grid exactly, whichever way the NAV moves.
    #[test]
    fn the_band_over_the_run_is_the_books_grid() {
        let product = |y: &str| -> Product {
            let text = format!(
                "id = \"P\"\nnav = 1.0\ntick_size = 0.0001\nannual_yield = {y}\nterm_days = 7\nholding_limit_days = 3"
            );
            toml::from_str(&text).unwrap()
        };
        let sim = simulation(250);
        for y in ["0.0", "0.0365", "-0.2", "0.9"] {
            let p = product(y);
            let spec = ProductSpec::new(&p, &Calendar::new(&sim));
            let top = spec.grid_base + i64::from(spec.n_ticks) - 1;
            assert_eq!(p.band_over_run(&sim), Some((spec.grid_base, top)), "yield {y}");
        }
        assert_eq!(product("0.0").band_over_run(&simulation(0)), None, "no business day, no band");
    }

    #[test]
    fn holding_limit_before_term_is_a_failed_sale() {
        let cal = calendar(10);
        let s = redemption_schedule(&cal, 3, 30);
        assert_eq!(s[2], vec![Redemption { cohort: -1, failed: true }]);
        assert_eq!(s[3], vec![Redemption { cohort: 0, failed: true }]);
    }

    #[test]
    fn term_before_holding_limit_matures_at_nav() {
        // Monday 5 Jan + 2 calendar days = Wednesday (day 2) < limit day 0 + 5.
        let cal = calendar(10);
        let s = redemption_schedule(&cal, 5, 2);
        assert!(s[2].contains(&Redemption { cohort: 0, failed: false }));
        // Friday (day 4) + 2 = Sunday: matures Monday (day 5).
        assert!(s[5].contains(&Redemption { cohort: 4, failed: false }));
        assert!(s[5].contains(&Redemption { cohort: 3, failed: false }));
    }
}
