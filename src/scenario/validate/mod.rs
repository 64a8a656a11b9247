//! Checks a parsed scenario for everything a type cannot say: ranges, units
//! that must divide each other, references between tables.
//!
//! Each rule returns the field path, what is wrong, what is accepted and
//! which kind of rule it is ([`InvalidKind`]); the caller turns the path into
//! a line and column.

use std::collections::HashSet;

use super::catalog::FamilyCatalog;
use super::fields::{self as fd, Field, Range};
use super::schema::*;

use crate::units::MICROS_PER_UNIT;
/// Largest price grid (in ticks) a book may span; keeps level arrays small.
pub const MAX_GRID_TICKS: f64 = 4_000_000.0;

/// A rule a scenario breaks: the field path, what is wrong, what is accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invalid {
    /// Field path such as `agents[1].arrival.rate` (array indices count from 0).
    pub field: String,
    /// What is wrong, in words.
    pub message: String,
    /// What the field accepts instead.
    pub accepted: String,
    /// Which sort of rule it is, for callers that act on it.
    pub kind: InvalidKind,
}

/// `field: message` (one line; what is accepted is in
/// [`Invalid::accepted`], which a `ScenarioError` prints on a line of its
/// own), so a behaviour's own `check` can be tested with `?` into any error.
impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for Invalid {}

/// Which sort of rule an [`Invalid`] breaks. Callers that treat mistakes
/// differently (a message that points at a name rather than at its value, a
/// sweep that must know whether a field takes whole numbers) match on this,
/// not on the words of [`Invalid::message`], which are written for people and
/// may be reworded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum InvalidKind {
    /// The field's name is not one its table takes (a behaviour parameter its
    /// family does not declare): the name is the mistake, not the value.
    UnknownField,
    /// The value is not of the type the field takes.
    WrongType(ValueType),
    /// A value of the right type outside what the field accepts (a share
    /// above 1, a duration that is not positive, a day after the last one).
    OutOfRange,
    /// Any other rule: fields needed or refused together, rules between
    /// fields, names of products, groups or families that do not exist.
    Other,
}

/// The type a field takes, as an [`InvalidKind::WrongType`] reports it: a
/// sweep varies a whole-number field only by whole numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ValueType {
    /// A real number (an integer is one too).
    Number,
    /// A whole number.
    Integer,
    /// A duration in quotes, such as `"30m"`.
    Duration,
    /// `true` or `false`.
    Boolean,
    /// A word in quotes, one of a list (a behaviour's mode).
    Choice,
}

type Check = Result<(), Invalid>;

fn invalid(
    kind: InvalidKind,
    field: impl Into<String>,
    message: impl Into<String>,
    accepted: impl Into<String>,
) -> Check {
    Err(Invalid { field: field.into(), message: message.into(), accepted: accepted.into(), kind })
}

/// A rule of kind [`InvalidKind::Other`].
fn bad(field: impl Into<String>, message: impl Into<String>, accepted: impl Into<String>) -> Check {
    invalid(InvalidKind::Other, field, message, accepted)
}

/// [`bad`] for a check that returns something when it passes.
fn other(field: String, message: String, accepted: String) -> Invalid {
    Invalid { field, message, accepted, kind: InvalidKind::Other }
}

/// A value outside what its field accepts ([`InvalidKind::OutOfRange`]).
fn out_of_range(field: impl Into<String>, message: impl Into<String>, accepted: impl Into<String>) -> Check {
    invalid(InvalidKind::OutOfRange, field, message, accepted)
}

fn in_range(field: &str, v: f64, lo: f64, hi: f64, accepted: &str) -> Check {
    if v.is_finite() && v >= lo && v <= hi {
        Ok(())
    } else {
        out_of_range(field, format!("{} is out of range", shown(v)), accepted)
    }
}

/// A number as a message shows it: as written for everyday sizes, in
/// exponent form beyond them (`1e300`, not its 301 digits).
pub(super) fn shown(v: f64) -> String {
    if v.is_finite() && v != 0.0 && !(1e-6..1e15).contains(&v.abs()) { format!("{v:e}") } else { format!("{v}") }
}

fn int_range(field: &str, v: i64, lo: i64, hi: i64, accepted: &str) -> Check {
    if (lo..=hi).contains(&v) { Ok(()) } else { out_of_range(field, format!("{v} is out of range"), accepted) }
}

/// A real number against its field's range in the reference (`fields/`).
fn real(at: &str, v: f64, f: &Field) -> Check {
    match f.range {
        Range::Real(lo, hi) => in_range(at, v, lo, hi, f.accepted),
        _ => Ok(()),
    }
}

/// A whole number against its field's range in the reference.
fn int(at: &str, v: i64, f: &Field) -> Check {
    match f.range {
        Range::Int(lo, hi) => int_range(at, v, lo, hi, f.accepted),
        _ => Ok(()),
    }
}

/// A duration against its field's range in the reference, which may depend
/// on the session's length; `message` says what is wrong.
fn span(at: &str, d: super::Duration, session: i64, f: &Field, message: impl FnOnce() -> String) -> Check {
    match f.range {
        Range::Duration(lo, hi) if d.0 < lo.nanos(session) || d.0 > hi.nanos(session) => {
            out_of_range(at, message(), f.accepted)
        }
        _ => Ok(()),
    }
}

/// True when `x` is within rounding error of a whole number.
fn is_whole(x: f64) -> bool {
    (x - x.round()).abs() <= 1e-6 * x.abs().max(1.0)
}

/// Checks a parsed scenario; `catalog` answers for its groups' families.
pub fn validate(s: &Scenario, catalog: &dyn FamilyCatalog) -> Check {
    let lot_tops = market(&s.simulation, &s.products)?;
    let ids: HashSet<&str> = s.products.iter().map(|p| p.id.as_str()).collect();
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
    macro_env(&s.macro_env, sim.days)?;
    credit(&s.credit)?;
    metrics(&s.metrics, sim)?;
    if s.agents.is_empty() {
        return bad("agents", "no [[agents]] group", "at least one [[agents]] table");
    }
    let mut total: i64 = 0;
    for (i, g) in s.agents.iter().enumerate() {
        group(&format!("agents[{i}]"), g, &ids, catalog)?;
        total += g.count;
    }
    if total > 50_000_000 {
        return bad("agents", format!("{total} agents in all"), "at most 50,000,000 agents in all groups together");
    }
    sale_branching(s)?;
    for (i, g) in s.agents.iter().enumerate() {
        opening_position(&format!("agents[{i}]"), g, &s.products, &lot_tops)?;
    }
    for (i, e) in s.events.iter().enumerate() {
        event(&format!("events[{i}]"), e, s, catalog)?;
    }
    Ok(())
}

/// `[simulation]` and the `[[product]]` tables alone, by the rules
/// that `validate` holds a scenario to, in its order: what a run's recorded
/// calendar and products must meet before anything is sized from them.
/// `tplus replay` holds a run's manifest to them, since an edited one could
/// otherwise size its books without bound.
pub fn validate_market(sim: &Simulation, products: &[Product]) -> Check {
    market(sim, products).map(drop)
}

/// [`validate_market`]'s checks, giving the most a lot of each product can
/// cost, in micros ([`product_over_run`]).
fn market(sim: &Simulation, products: &[Product]) -> Result<Vec<i128>, Invalid> {
    simulation(sim)?;
    if products.is_empty() {
        return Err(other("product".into(), "no [[product]] table".into(), "at least one [[product]] table".into()));
    }
    let mut ids = HashSet::new();
    let last_day = last_business_day_elapsed(sim);
    let mut lot_tops = Vec::with_capacity(products.len());
    for (i, p) in products.iter().enumerate() {
        product(&format!("product[{i}]"), p)?;
        lot_tops.push(product_over_run(&format!("product[{i}]"), p, last_day)?);
        if !ids.insert(p.id.as_str()) {
            return Err(other(
                format!("product[{i}].id"),
                format!("product id `{}` is used twice", p.id),
                "a unique id per product".into(),
            ));
        }
    }
    Ok(lot_tops)
}

/// The reference entries of a rate's fields (the loan and the deposit rate
/// have the same ranges under their own paths; a path's points take the
/// value's range).
struct RateFields {
    value: Field,
    kappa: Field,
    theta: Field,
    sigma: Field,
}

fn macro_env(m: &MacroEnv, days: i64) -> Check {
    let loan = RateFields {
        value: fd::M_RATE_VALUE,
        kappa: fd::M_RATE_KAPPA,
        theta: fd::M_RATE_THETA,
        sigma: fd::M_RATE_SIGMA,
    };
    let deposit = RateFields {
        value: fd::M_DEPOSIT_VALUE,
        kappa: fd::M_DEPOSIT_KAPPA,
        theta: fd::M_DEPOSIT_THETA,
        sigma: fd::M_DEPOSIT_SIGMA,
    };
    rate("macro.loan_rate", &m.loan_rate, days, &loan)?;
    rate("macro.deposit_rate", &m.deposit_rate, days, &deposit)?;
    level("macro.price_level", &m.price_level, days)?;
    if let Some(sh) = &m.shock {
        real("macro.shock.rate", sh.rate, &fd::M_SHOCK_RATE)?;
        real("macro.shock.mean", sh.mean, &fd::M_SHOCK_MEAN)?;
        real("macro.shock.sd", sh.sd, &fd::M_SHOCK_SD)?;
        span("macro.shock.decay", sh.decay, 0, &fd::M_SHOCK_DECAY, || format!("{} is not positive", sh.decay))?;
    }
    Ok(())
}

/// Which optional fields each model needs; the rest must be absent. `kind`
/// is the name of the field that chooses (`model`, or `process` for arrivals).
fn needs_exactly(
    at: &str,
    (kind, model): (&str, &str),
    fields: &[(&str, bool)],
    needed: &[&str],
    accepted: &str,
) -> Check {
    for &(name, present) in fields {
        match (needed.contains(&name), present) {
            (true, false) => return bad(at, format!("{kind} `{model}` needs `{name}`"), accepted.to_string()),
            (false, true) => {
                return bad(
                    format!("{at}.{name}"),
                    format!("`{name}` does not apply to {kind} `{model}`"),
                    accepted.to_string(),
                );
            }
            _ => {}
        }
    }
    Ok(())
}

fn rate(at: &str, r: &RateSpec, days: i64, spec: &RateFields) -> Check {
    let f = |name: &str| format!("{at}.{name}");
    let fields = [
        ("value", r.value.is_some()),
        ("kappa", r.kappa.is_some()),
        ("theta", r.theta.is_some()),
        ("sigma", r.sigma.is_some()),
        ("points", r.points.is_some()),
    ];
    let (model, needed, accepted): (&str, &[&str], &str) = match r.model {
        RateModelKind::Fixed => ("fixed", &["value"], "model = \"fixed\" with value"),
        RateModelKind::Vasicek => (
            "vasicek",
            &["value", "kappa", "theta", "sigma"],
            "model = \"vasicek\" with value (the start), kappa, theta and sigma",
        ),
        RateModelKind::Cir => (
            "cir",
            &["value", "kappa", "theta", "sigma"],
            "model = \"cir\" with value (the start), kappa, theta and sigma",
        ),
        RateModelKind::Path => {
            ("path", &["points"], "model = \"path\" with points = [{ at = \"day 1 09:30\", value = 0.0435 }, ...]")
        }
    };
    needs_exactly(at, ("model", model), &fields, needed, accepted)?;
    if let Some(v) = r.value {
        real(&f("value"), v, &spec.value)?;
    }
    if let Some(k) = r.kappa {
        real(&f("kappa"), k, &spec.kappa)?;
    }
    if let Some(t) = r.theta {
        real(&f("theta"), t, &spec.theta)?;
    }
    if let Some(sg) = r.sigma {
        real(&f("sigma"), sg, &spec.sigma)?;
    }
    if r.model == RateModelKind::Cir {
        let (k, t, sg, v) =
            (r.kappa.unwrap_or(0.0), r.theta.unwrap_or(0.0), r.sigma.unwrap_or(0.0), r.value.unwrap_or(0.0));
        let cir_ok = "a starting value of at least 0 and a long-run mean theta above 0";
        if v < 0.0 {
            return out_of_range(f("value"), format!("{v} is negative, and a CIR rate cannot be"), cir_ok);
        }
        if t <= 0.0 {
            return out_of_range(f("theta"), format!("{t} is not above 0, so a CIR rate would sink to zero"), cir_ok);
        }
        if 2.0 * k * t < sg * sg {
            return bad(
                f("sigma"),
                format!(
                    "2·kappa·theta = {:.6} is below sigma² = {:.6}: the Feller condition fails and the rate would touch zero",
                    2.0 * k * t,
                    sg * sg
                ),
                "parameters with 2·kappa·theta ≥ sigma² (lower sigma, or raise kappa or theta)",
            );
        }
    }
    if let Some(points) = &r.points {
        path_points(&f("points"), points, days, &spec.value)?;
    }
    Ok(())
}

/// A path's points; each value is checked against `values`' range.
fn path_points(at: &str, points: &[PathPoint], days: i64, values: &Field) -> Check {
    if points.is_empty() {
        return bad(at, "an empty path", "at least one point { at = \"day 1 09:30\", value = ... }");
    }
    for (i, pt) in points.iter().enumerate() {
        if i64::from(pt.at.day) > days {
            return out_of_range(
                format!("{at}[{i}].at"),
                format!("day {} is after the run's last day ({days})", pt.at.day),
                format!("a day from 1 to {days}"),
            );
        }
        if i > 0 && pt.at <= points[i - 1].at {
            return bad(
                format!("{at}[{i}].at"),
                format!("{} is not after the point before it", pt.at),
                "points in time order",
            );
        }
        real(&format!("{at}[{i}].value"), pt.value, values)?;
    }
    Ok(())
}

fn level(at: &str, l: &LevelSpec, days: i64) -> Check {
    let f = |name: &str| format!("{at}.{name}");
    let fields = [("inflation", l.inflation.is_some()), ("sigma", l.sigma.is_some()), ("points", l.points.is_some())];
    let (model, needed, accepted): (&str, &[&str], &str) = match l.model {
        LevelModelKind::Fixed => ("fixed", &[], "model = \"fixed\" with value"),
        LevelModelKind::Gbm => {
            ("gbm", &["inflation", "sigma"], "model = \"gbm\" with value (the start), inflation and sigma")
        }
        LevelModelKind::Path => {
            ("path", &["points"], "model = \"path\" with points = [{ at = \"day 1 09:30\", value = 100.0 }, ...]")
        }
    };
    needs_exactly(at, ("model", model), &fields, needed, accepted)?;
    real(&f("value"), l.value, &fd::M_LEVEL_VALUE)?;
    if let Some(r) = l.reference {
        real(&f("reference"), r, &fd::M_LEVEL_REFERENCE)?;
    }
    if let Some(x) = l.inflation {
        real(&f("inflation"), x, &fd::M_LEVEL_INFLATION)?;
    }
    if let Some(x) = l.sigma {
        real(&f("sigma"), x, &fd::M_LEVEL_SIGMA)?;
    }
    if let Some(points) = &l.points {
        path_points(&f("points"), points, days, &fd::M_LEVEL_VALUE)?;
    }
    Ok(())
}

fn metrics(m: &MetricsSpec, sim: &Simulation) -> Check {
    int("metrics.rolling_windows", m.rolling_windows, &fd::X_ROLLING)?;
    int("metrics.max_lag", m.max_lag, &fd::X_MAX_LAG)?;
    let session = sim.close.0 - sim.open.0;
    span("metrics.return_step", m.return_step, session, &fd::X_RETURN_STEP, || {
        format!("{} does not fit the session of {}", m.return_step, super::Duration(session))
    })?;
    real("metrics.tail_fraction", m.tail_fraction, &fd::X_TAIL)?;
    real("metrics.risk_threshold", m.risk_threshold, &fd::X_RISK)
}

fn credit(c: &Credit) -> Check {
    real("credit.base_score", c.base_score, &fd::C_BASE_SCORE)?;
    real("credit.base_odds", c.base_odds, &fd::C_BASE_ODDS)?;
    real("credit.pdo", c.pdo, &fd::C_PDO)?;
    for (field, v) in [
        (fd::C_INCOME_BAND, c.income_band),
        (fd::C_TENURE, c.tenure),
        (fd::C_FAILED_SALES, c.failed_sales),
        (fd::C_CANCEL_RATIO, c.cancel_ratio),
        (fd::C_REJECTION_RATIO, c.rejection_ratio),
    ] {
        if let Some(x) = v {
            real(field.path, x, &field)?;
        }
    }
    if let Some(f) = &c.fit {
        int("credit.fit.horizon_days", f.horizon_days.into(), &fd::C_FIT_HORIZON)?;
        int("credit.fit.refit_days", f.refit_days.into(), &fd::C_FIT_REFIT)?;
        if let Some(first) = f.first_fit_day {
            // Its lower bound is another field's value, so the reference
            // states it in words only.
            int_range(
                "credit.fit.first_fit_day",
                first.into(),
                f.horizon_days.into(),
                10_000,
                fd::C_FIT_FIRST.accepted,
            )?;
        }
        int("credit.fit.bins", f.bins.into(), &fd::C_FIT_BINS)?;
        real("credit.fit.alpha", f.alpha, &fd::C_FIT_ALPHA)?;
        real("credit.fit.ridge", f.ridge, &fd::C_FIT_RIDGE)?;
    }
    Ok(())
}

/// Whether `name` can name a results folder, as a scenario's or a sweep's
/// name must: 1 to 64 ASCII letters, digits, `_`, `-` and `.`, not
/// starting with `.`.
pub fn names_a_folder(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        && !name.starts_with('.')
}

fn simulation(sim: &Simulation) -> Check {
    if !names_a_folder(&sim.name) {
        return bad("simulation.name", format!("`{}` cannot name a results folder", sim.name), fd::SIM_NAME.accepted);
    }
    int("simulation.days", sim.days, &fd::SIM_DAYS)?;
    if sim.close <= sim.open {
        return bad(
            "simulation.close",
            format!("the session closes at {} but opens at {}", sim.close, sim.open),
            fd::SIM_CLOSE.accepted,
        );
    }
    let session = sim.close.0 - sim.open.0;
    span("simulation.window", sim.window, session, &fd::SIM_WINDOW, || {
        if sim.window.0 > session {
            format!("a window of {} does not fit a session of {}", sim.window, super::Duration(session))
        } else {
            format!("a window of {} is out of range", sim.window)
        }
    })?;
    span("simulation.min_latency", sim.min_latency, session, &fd::SIM_MIN_LATENCY, || {
        format!("{} is out of range", sim.min_latency)
    })?;
    span("simulation.latency_jitter", sim.latency_jitter, session, &fd::SIM_LATENCY_JITTER, || {
        format!("{} is out of range", sim.latency_jitter)
    })?;
    for (i, h) in sim.holidays.iter().enumerate() {
        if sim.holidays[..i].contains(h) {
            return bad(format!("simulation.holidays[{i}]"), format!("{h} is listed twice"), "each holiday once");
        }
    }
    Ok(())
}

fn product(at: &str, p: &Product) -> Check {
    let f = |name: &str| format!("{at}.{name}");
    if p.id.is_empty()
        || p.id.len() > 32
        || !p.id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    {
        return bad(f("id"), format!("`{}` is not a usable product id", p.id), fd::P_ID.accepted);
    }
    real(&f("nav"), p.nav, &fd::P_NAV)?;
    real(&f("annual_yield"), p.annual_yield, &fd::P_ANNUAL_YIELD)?;
    real(&f("tick_size"), p.tick_size, &fd::P_TICK_SIZE)?;
    // Cash is counted in millionths of the currency unit, so a tick must be
    // a whole number of them.
    if super::derived::whole_tick_micros(p.tick_size).is_none() {
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
    int(&f("lot_size"), p.lot_size, &fd::P_LOT_SIZE)?;
    int(&f("term_days"), p.term_days, &fd::P_TERM_DAYS)?;
    int(&f("holding_limit_days"), p.holding_limit_days, &fd::P_HOLDING_LIMIT_DAYS)?;
    real(&f("min_credit_score"), p.min_credit_score, &fd::P_MIN_CREDIT_SCORE)?;
    real(&f("redemption_penalty"), p.redemption_penalty, &fd::P_REDEMPTION_PENALTY)?;
    real(&f("price_band"), p.price_band, &fd::P_PRICE_BAND)?;
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
    int(&f("max_order_lots"), p.max_order_lots, &fd::P_MAX_ORDER_LOTS)?;
    int(&f("primary_supply_lots"), p.primary_supply_lots, &fd::P_PRIMARY_SUPPLY_LOTS)?;
    int(&f("redemption_quota_lots"), p.redemption_quota_lots, &fd::P_REDEMPTION_QUOTA_LOTS)?;
    span(&f("primary_pacing"), p.primary_pacing, 0, &fd::P_PRIMARY_PACING, || {
        format!("{} is out of range", p.primary_pacing)
    })
}

/// Most (window, product) rows a run may produce.
pub const MAX_METRIC_CELLS: i64 = 10_000_000;
/// Largest budget (currency units): an opening budget in micros stays far
/// inside the `i64` that `Accounts::open_account` takes.
pub const MAX_BUDGET: f64 = 1e11;
/// Largest opening holding (lots), far inside the u32 a holding is kept in
/// (one that grows past it fails the run: ARCHITECTURE.md, "Money and prices").
pub const MAX_INITIAL_LOTS: f64 = 1e8;

/// Longest price history (windows) an agent may look back over.
pub const MAX_LOOKBACK: i64 = 64;

mod agents;
mod events;
mod money;

use agents::{group, sale_branching};
use events::event;
use money::{last_business_day_elapsed, opening_position, product_over_run};

#[cfg(test)]
mod tests {
    use super::money::{MAX_AMOUNT_MICROS, currency};
    use super::*;

    /// The kind is set where the rule is, not read back from the words.
    #[test]
    fn rules_say_their_kind() {
        let registry = crate::agents::Registry::builtin();
        let text = include_str!("../../../scenarios/baseline.toml");
        let base = super::super::parse(std::path::Path::new("baseline.toml"), text, &registry).unwrap();
        let kind = |change: &dyn Fn(&mut Scenario)| {
            let mut s = base.clone();
            change(&mut s);
            validate(&s, &registry).unwrap_err().kind
        };
        assert_eq!(kind(&|s| s.products[0].price_band = 0.9), InvalidKind::OutOfRange);
        assert_eq!(kind(&|s| s.simulation.days = 0), InvalidKind::OutOfRange);
        assert_eq!(kind(&|s| s.simulation.min_latency = super::super::Duration(0)), InvalidKind::OutOfRange);
        assert_eq!(kind(&|s| s.products.push(s.products[0].clone())), InvalidKind::Other);
        assert_eq!(kind(&|s| s.agents[0].family = "nobody".into()), InvalidKind::Other);
        let mut s = base.clone();
        s.agents[0].params.insert("spreed".into(), toml::Value::Float(0.1));
        let e = validate(&s, &registry).unwrap_err();
        assert_eq!((e.field.as_str(), e.kind), ("agents[0].params.spreed", InvalidKind::UnknownField));
    }

    #[test]
    fn huge_and_tiny_numbers_are_shown_in_exponent_form() {
        assert_eq!(shown(1e300), "1e300");
        assert_eq!(shown(-2.5e20), "-2.5e20");
        assert_eq!(shown(3e-9), "3e-9");
        assert_eq!(
            (shown(-5.0), shown(0.0), shown(2000.0), shown(0.25)),
            ("-5".into(), "0".into(), "2000".into(), "0.25".into())
        );
        let registry = crate::agents::Registry::builtin();
        let text = include_str!("../../../scenarios/baseline.toml");
        let mut s = super::super::parse(std::path::Path::new("baseline.toml"), text, &registry).unwrap();
        s.agents[0].budget.value = Some(1e300);
        assert_eq!(validate(&s, &registry).unwrap_err().message, "1e300 is out of range");
    }

    #[test]
    fn currency_is_exact_and_grouped() {
        assert_eq!(currency(0), "0");
        assert_eq!(currency(1), "0.000001");
        assert_eq!(currency(1_020_200_500_000), "1,020,200.5");
        assert_eq!(currency(-123_456_000_000), "-123,456");
        assert_eq!(currency(MAX_AMOUNT_MICROS), "1,000,000,000,000");
    }

    /// The bound is the engine's own numbers: checked against `Calendar` and
    /// `ProductSpec` over runs that rise, fall, skip holidays and last years.
    #[test]
    fn the_top_lot_value_bounds_every_amount_the_engine_works_out() {
        use crate::calendar::Calendar;
        use crate::product::ProductSpec;
        let registry = crate::agents::Registry::builtin();
        let text = include_str!("../../../scenarios/baseline.toml");
        let base = super::super::parse(std::path::Path::new("baseline.toml"), text, &registry).unwrap();
        let cases = [
            (5, 0.025, 1.0, 0.0001, 100, vec![]),
            (250, 1.0, 1.0, 0.0001, 100, vec!["2026-01-06", "2026-12-25"]),
            (260, -0.3, 3.7, 0.001, 1000, vec!["2026-02-02"]),
            (2000, 0.7, 1234.5, 0.5, 7, vec![]),
            (10_000, 0.0, 1e9, 1000.0, 1, vec![]),
        ];
        for (days, y, nav, tick, lot, holidays) in cases {
            let mut s = base.clone();
            s.simulation.days = days;
            s.simulation.window = super::super::Duration::parse("330m").unwrap();
            s.simulation.holidays = holidays.into_iter().map(|d| super::super::Date::parse(d).unwrap()).collect();
            let p = &mut s.products[0];
            (p.annual_yield, p.nav, p.tick_size, p.lot_size, p.max_order_lots) = (y, nav, tick, lot, 1);
            let cal = Calendar::new(&s.simulation);
            assert_eq!(
                last_business_day_elapsed(&s.simulation),
                cal.calendar_days_elapsed(days as u32 - 1),
                "{days} days"
            );
            let top = product_over_run("product[0]", &s.products[0], cal.calendar_days_elapsed(days as u32 - 1))
                .unwrap_or_else(|e| panic!("{days} days, yield {y}: {e:?}"));
            let spec = ProductSpec::new(&s.products[0], &cal);
            let tm = i128::from(spec.tick_micros);
            let lot = i128::from(spec.lot_size);
            let band_top = spec.band_hi.iter().map(|&t| i128::from(t) * tm * lot).max().unwrap();
            assert_eq!(top, band_top, "the bound is the band top over the run ({days} days, yield {y})");
            for d in 0..days as u32 {
                let supply = i128::from(spec.supply_price(d)) * tm * lot;
                let (at_nav, penalised) =
                    (i128::from(spec.redeem_at_nav[d as usize]), i128::from(spec.redeem_penalised[d as usize]));
                assert!(supply <= top && at_nav <= top && (0..=top).contains(&penalised), "day {d} of {days}");
                assert!(spec.band_lo[d as usize] <= spec.supply_price(d), "the band holds the supply on day {d}");
            }
        }
    }

    #[test]
    fn a_band_that_loses_its_last_tick_as_the_nav_falls_is_refused() {
        let registry = crate::agents::Registry::builtin();
        let text = include_str!("../../../scenarios/baseline.toml");
        let mut s = super::super::parse(std::path::Path::new("baseline.toml"), text, &registry).unwrap();
        s.simulation.window = super::super::Duration::parse("330m").unwrap();
        (s.simulation.days, s.products[0].annual_yield) = (1000, -0.5);
        let e = validate(&s, &registry).unwrap_err();
        assert_eq!(e.field, "product[0].annual_yield");
        assert!(e.message.contains("not above 0"), "{}", e.message);
        s.products[0].annual_yield = -0.1;
        assert_eq!(validate(&s, &registry), Ok(()), "the NAV falls to 0.62: the band still holds 124 ticks");
    }
}
