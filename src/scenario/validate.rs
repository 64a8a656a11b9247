//! Checks a parsed scenario for everything a type cannot say: ranges, units
//! that must divide each other, references between tables.
//!
//! Each rule returns the field path, what is wrong and what is accepted; the
//! caller turns the path into a line and column.

use std::collections::HashSet;

use super::schema::*;

/// Cash is counted in millionths of the currency unit, so a tick must be a
/// whole number of them.
pub const MICROS_PER_UNIT: f64 = 1e6;
/// Largest price grid (in ticks) a book may span; keeps level arrays small.
pub const MAX_GRID_TICKS: f64 = 4_000_000.0;

pub struct Invalid {
    pub field: String,
    pub message: String,
    pub accepted: String,
}

type Check = Result<(), Invalid>;

fn bad(field: impl Into<String>, message: impl Into<String>, accepted: impl Into<String>) -> Check {
    Err(Invalid { field: field.into(), message: message.into(), accepted: accepted.into() })
}

fn in_range(field: &str, v: f64, lo: f64, hi: f64, accepted: &str) -> Check {
    if v.is_finite() && v >= lo && v <= hi { Ok(()) } else { bad(field, format!("{v} is out of range"), accepted) }
}

fn int_range(field: &str, v: i64, lo: i64, hi: i64, accepted: &str) -> Check {
    if (lo..=hi).contains(&v) { Ok(()) } else { bad(field, format!("{v} is out of range"), accepted) }
}

/// True when `x` is within rounding error of a whole number.
fn is_whole(x: f64) -> bool {
    (x - x.round()).abs() <= 1e-6 * x.abs().max(1.0)
}

pub fn validate(s: &Scenario) -> Check {
    simulation(&s.simulation)?;
    if s.products.is_empty() {
        return bad("product", "no [[product]] table", "at least one [[product]] table");
    }
    let mut ids = HashSet::new();
    for (i, p) in s.products.iter().enumerate() {
        product(&format!("product[{i}]"), p)?;
        if !ids.insert(p.id.as_str()) {
            return bad(
                format!("product[{i}].id"),
                format!("product id `{}` is used twice", p.id),
                "a unique id per product",
            );
        }
    }
    let sim = &s.simulation;
    let per_day = (sim.close.0 - sim.open.0 + sim.window.0 - 1) / sim.window.0.max(1);
    let cells = per_day * sim.days * s.products.len() as i64;
    if cells > MAX_METRIC_CELLS {
        return bad(
            "simulation.window",
            format!(
                "{} days × {per_day} windows a day × {} products is {cells} metric rows",
                sim.days,
                s.products.len()
            ),
            format!("at most {MAX_METRIC_CELLS} rows: a longer window or fewer days"),
        );
    }
    in_range(
        "macro.loan_rate.value",
        s.macro_env.loan_rate.value,
        -0.05,
        1.0,
        "an annual rate as a fraction between -0.05 and 1 (0.0435 = 4.35%)",
    )?;
    if s.agents.is_empty() {
        return bad("agents", "no [[agents]] group", "at least one [[agents]] table");
    }
    let mut total: i64 = 0;
    for (i, g) in s.agents.iter().enumerate() {
        group(&format!("agents[{i}]"), g, &ids)?;
        total += g.count;
    }
    if total > 50_000_000 {
        return bad("agents", format!("{total} agents in all"), "at most 50,000,000 agents in all groups together");
    }
    Ok(())
}

fn simulation(sim: &Simulation) -> Check {
    let name_ok = !sim.name.is_empty()
        && sim.name.len() <= 64
        && sim.name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        && !sim.name.starts_with('.');
    if !name_ok {
        return bad(
            "simulation.name",
            format!("`{}` cannot name a results folder", sim.name),
            "1–64 characters from A–Z, a–z, 0–9, `_`, `-`, `.` (not starting with `.`)",
        );
    }
    int_range("simulation.days", sim.days, 1, 10_000, "a whole number of business days from 1 to 10000")?;
    if sim.close <= sim.open {
        return bad(
            "simulation.close",
            format!("the session closes at {} but opens at {}", sim.close, sim.open),
            "a close time later than the open time on the same day",
        );
    }
    let session = sim.close.0 - sim.open.0;
    if sim.window.0 < 1_000_000_000 || sim.window.0 > session {
        return bad(
            "simulation.window",
            format!("a window of {} does not fit a session of {}", sim.window, super::Duration(session)),
            "a window from \"1s\" to the session length, e.g. \"5m\"",
        );
    }
    if sim.min_latency.0 <= 0 || sim.min_latency.0 > 60_000_000_000 {
        return bad(
            "simulation.min_latency",
            format!("{} is out of range", sim.min_latency),
            "a duration above 0 and at most \"1m\", e.g. \"50ms\"",
        );
    }
    if sim.latency_jitter.0 < 0 || sim.latency_jitter.0 > 60_000_000_000 {
        return bad(
            "simulation.latency_jitter",
            format!("{} is out of range", sim.latency_jitter),
            "a duration from \"0s\" to \"1m\"",
        );
    }
    for (i, h) in sim.holidays.iter().enumerate() {
        if sim.holidays[..i].contains(h) {
            return bad(format!("simulation.holidays[{i}]"), format!("{h} is listed twice"), "each holiday once");
        }
    }
    Ok(())
}

fn product(at: &str, p: &Product) -> Check {
    let f = |name: &str| format!("{at}.{name}");
    if p.id.is_empty() || !p.id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')) {
        return bad(f("id"), format!("`{}` is not a usable product id", p.id), "letters, digits, `_`, `-`, `.`");
    }
    in_range(&f("nav"), p.nav, 1e-6, 1e9, "a net asset value above 0, e.g. 1.0")?;
    in_range(
        &f("annual_yield"),
        p.annual_yield,
        -0.5,
        1.0,
        "an annual yield as a fraction between -0.5 and 1 (0.025 = 2.5%)",
    )?;
    in_range(
        &f("tick_size"),
        p.tick_size,
        1e-6,
        1e6,
        "a positive tick size that is a whole number of 0.000001, e.g. 0.0001",
    )?;
    if !is_whole(p.tick_size * MICROS_PER_UNIT) {
        return bad(
            f("tick_size"),
            format!("{} is not a whole number of millionths", p.tick_size),
            "a tick size that is a multiple of 0.000001",
        );
    }
    let nav_ticks = p.nav / p.tick_size;
    if !is_whole(nav_ticks) {
        return bad(
            f("tick_size"),
            format!("the tick {} does not divide the NAV {} (NAV / tick = {nav_ticks})", p.tick_size, p.nav),
            "a tick size that divides the NAV into a whole number of ticks",
        );
    }
    int_range(&f("lot_size"), p.lot_size, 1, 1_000_000, "a whole number of units per lot from 1 to 1000000")?;
    int_range(&f("term_days"), p.term_days, 1, 3650, "a term in calendar days from 1 to 3650")?;
    int_range(
        &f("holding_limit_days"),
        p.holding_limit_days,
        1,
        250,
        "a holding limit in business days from 1 to 250",
    )?;
    in_range(&f("min_credit_score"), p.min_credit_score, 0.0, 1000.0, "a score from 0 to 1000")?;
    in_range(&f("redemption_penalty"), p.redemption_penalty, 0.0, 0.99, "a fraction of NAV from 0 to 0.99")?;
    in_range(&f("price_band"), p.price_band, 1e-6, 0.5, "a fraction of NAV above 0 and at most 0.5, e.g. 0.02")?;
    if nav_ticks * p.price_band < 1.0 {
        return bad(
            f("price_band"),
            format!("a band of {} around NAV {} holds no tick of {}", p.price_band, p.nav, p.tick_size),
            "a band at least one tick wide",
        );
    }
    if nav_ticks * (1.0 + p.price_band) * (1.0 + p.annual_yield.max(0.0)) > MAX_GRID_TICKS {
        return bad(
            f("tick_size"),
            format!(
                "{} is too fine for NAV {}: the price grid would need more than {MAX_GRID_TICKS} ticks",
                p.tick_size, p.nav
            ),
            "a coarser tick",
        );
    }
    int_range(&f("max_order_lots"), p.max_order_lots, 1, 100_000_000, "a whole number of lots from 1 to 100000000")?;
    int_range(
        &f("primary_supply_lots"),
        p.primary_supply_lots,
        0,
        1_000_000_000,
        "a whole number of lots from 0 to 1000000000",
    )
}

fn group(at: &str, g: &AgentGroup, products: &HashSet<&str>) -> Check {
    let f = |name: &str| format!("{at}.{name}");
    int_range(&f("count"), g.count, 1, 50_000_000, "a whole number of agents from 1 to 50000000")?;
    in_range(
        &f("arrival.rate"),
        g.arrival.rate,
        1e-6,
        360_000.0,
        "wake-ups per agent per hour, above 0 and at most 360000",
    )?;
    distribution(&f("budget"), &g.budget, 0.0, MAX_BUDGET, "a budget in currency units from 0 to 100000000000")?;
    distribution(&f("credit_score"), &g.credit_score, 0.0, 1000.0, "a credit score from 0 to 1000")?;
    distribution(&f("initial_lots"), &g.initial_lots, 0.0, MAX_INITIAL_LOTS, "a number of lots from 0 to 100000000")?;
    if let Some(list) = &g.products {
        if list.is_empty() {
            return bad(
                f("products"),
                "an empty product list",
                "product ids from the [[product]] tables, or leave the field out for all",
            );
        }
        for (i, id) in list.iter().enumerate() {
            if !products.contains(id.as_str()) {
                let mut known: Vec<&str> = products.iter().copied().collect();
                known.sort_unstable();
                return bad(
                    format!("{at}.products[{i}]"),
                    format!("no product `{id}`"),
                    format!("one of: {}", known.join(", ")),
                );
            }
        }
    }
    params(&f("params"), g.family, &g.params)
}

/// Most (window, product) rows a run may produce.
pub const MAX_METRIC_CELLS: i64 = 10_000_000;
/// Largest budget (currency units): cash in micros stays far inside an i64.
pub const MAX_BUDGET: f64 = 1e11;
/// Largest opening holding (lots): holdings stay far inside a u32.
pub const MAX_INITIAL_LOTS: f64 = 1e8;

/// Checks a distribution's fields; `lo`..=`hi` bounds its fixed values and
/// parameters (random draws are clipped to the same range).
fn distribution(at: &str, d: &Distribution, lo: f64, hi: f64, meaning: &str) -> Check {
    let f = |name: &str| format!("{at}.{name}");
    let fields = [
        ("value", d.value),
        ("min", d.min),
        ("max", d.max),
        ("mean", d.mean),
        ("sd", d.sd),
        ("median", d.median),
        ("sigma", d.sigma),
    ];
    let (needs, accepted): (&[&str], &str) = match d.dist {
        DistKind::Fixed => (&["value"], "dist = \"fixed\" with value"),
        DistKind::Uniform => (&["min", "max"], "dist = \"uniform\" with min and max"),
        DistKind::Normal => {
            (&["mean", "sd"], "dist = \"normal\" with mean and sd (draws below the lower bound are clipped)")
        }
        DistKind::Lognormal => (&["median", "sigma"], "dist = \"lognormal\" with median and sigma (of the log)"),
    };
    for (name, v) in fields {
        match (needs.contains(&name), v) {
            (true, None) => return bad(at, format!("missing `{name}`"), format!("{accepted}; {meaning}")),
            (false, Some(_)) => {
                return bad(
                    f(name),
                    format!("`{name}` does not apply to this distribution"),
                    format!("{accepted}; {meaning}"),
                );
            }
            (true, Some(x)) if !x.is_finite() => {
                return bad(f(name), format!("{x} is not a finite number"), meaning.to_string());
            }
            _ => {}
        }
    }
    for (name, v) in [("value", d.value), ("min", d.min), ("max", d.max), ("mean", d.mean), ("median", d.median)] {
        if let Some(x) = v
            && (x < lo || x > hi)
        {
            return bad(f(name), format!("{x} is out of range"), meaning.to_string());
        }
    }
    let v = |x: Option<f64>| x.unwrap_or(0.0);
    match d.dist {
        DistKind::Uniform if v(d.max) < v(d.min) => {
            bad(f("max"), format!("max {} is below min {}", v(d.max), v(d.min)), "max at least min".to_string())
        }
        DistKind::Normal if v(d.sd) < 0.0 => {
            bad(f("sd"), format!("{} is negative", v(d.sd)), "a standard deviation of at least 0".to_string())
        }
        DistKind::Lognormal if v(d.median) <= 0.0 => {
            bad(f("median"), format!("{} is not positive", v(d.median)), "a median above 0".to_string())
        }
        DistKind::Lognormal if !(0.0..=5.0).contains(&v(d.sigma)) => bad(
            f("sigma"),
            format!("{} is out of range", v(d.sigma)),
            "a log standard deviation from 0 to 5".to_string(),
        ),
        _ => Ok(()),
    }
}

fn params(at: &str, family: Family, p: &FamilyParams) -> Check {
    let f = |name: &str| format!("{at}.{name}");
    let share = "a probability from 0 to 1";
    match family {
        Family::ZeroIntelligence => {
            if let Some(x) = p.value_spread {
                in_range(&f("value_spread"), x, 0.0, 0.5, "a fraction of NAV from 0 to 0.5")?;
            }
            if let Some(x) = p.price_range {
                in_range(&f("price_range"), x, 1e-6, 0.5, "a fraction of NAV above 0 and at most 0.5")?;
            }
            for (name, x) in [
                ("buy_prob", p.buy_prob),
                ("aon_share", p.aon_share),
                ("market_share", p.market_share),
                ("ioc_share", p.ioc_share),
                ("cancel_prob", p.cancel_prob),
            ] {
                if let Some(x) = x {
                    in_range(&f(name), x, 0.0, 1.0, share)?;
                }
            }
            if p.market_share.unwrap_or(0.0) + p.ioc_share.unwrap_or(0.0) > 1.0 {
                return bad(f("ioc_share"), "market_share + ioc_share exceeds 1", "shares that add up to at most 1");
            }
            let min = p.min_lots.unwrap_or(1);
            int_range(&f("min_lots"), min, 1, 100_000_000, "a whole number of lots, at least 1")?;
            if let Some(max) = p.max_lots {
                int_range(&f("max_lots"), max, min, 100_000_000, "a whole number of lots, at least min_lots")?;
            }
            if let Some(ttl) = p.order_ttl
                && ttl.0 <= 0
            {
                return bad(f("order_ttl"), format!("{ttl} is not positive"), "a duration above 0, e.g. \"30m\"");
            }
            Ok(())
        }
    }
}
