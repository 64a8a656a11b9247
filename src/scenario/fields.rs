//! The field reference: every scenario field with its type, unit, accepted
//! range and meaning, declared once. Validation reads its range checks and
//! its `accepted:` words from here (`validate/`), and `tplus help FIELD`
//! prints the same entries, so the reference cannot disagree with what is
//! refused. Defaults are not written here: they are read from the schema's
//! own serde defaults ([`default_of`]).
//!
//! A behaviour's `params` are not in this table: each family declares its
//! own with `behaviour_params!` (`agents::params`), which the front end
//! prints beside these.

use super::schema::{
    Abuse, Alignment, ArrivalProcess, CreditGate, EventTarget, LevelModelKind, RateModelKind, Scenario,
};
use super::units::{Date, DayTime, Duration, TimeOfDay};

/// What a field's value is written as.
#[derive(Clone, Copy, Debug)]
pub enum Type {
    /// A string of text.
    Text,
    /// A real number (an integer is one too).
    Number,
    /// A whole number.
    Integer,
    /// `true` or `false`.
    Bool,
    /// A date, `2026-01-05`.
    Date,
    /// A time of day in quotes, `"09:30"`.
    TimeOfDay,
    /// A duration in quotes, `"5m"`.
    Duration,
    /// A business day and time in quotes, `"day 2 10:00"`.
    DayTime,
    /// One of the names an enum of the schema takes (listed from the enum).
    Name(fn() -> Option<String>),
    /// A distribution table, `{ dist = "fixed", value = 1.0 }`.
    Distribution,
    /// A table of other fields.
    Table,
    /// An array of dates, ids or points.
    Array,
}

impl Type {
    /// The type in words.
    pub fn words(self) -> String {
        match self {
            Type::Text => "text in quotes".into(),
            Type::Number => "number".into(),
            Type::Integer => "whole number".into(),
            Type::Bool => "true or false".into(),
            Type::Date => Date::ACCEPTED.into(),
            Type::TimeOfDay => TimeOfDay::ACCEPTED.into(),
            Type::Duration => Duration::ACCEPTED.into(),
            Type::DayTime => DayTime::ACCEPTED.into(),
            Type::Name(names) => format!("one of {}", names().unwrap_or_default()),
            Type::Distribution => {
                "distribution table: { dist = \"fixed\", value = … }, \"uniform\" with min and max, \"normal\" with mean and sd, \"lognormal\" with median and sigma".into()
            }
            Type::Table => "table".into(),
            Type::Array => "array [ … ]".into(),
        }
    }
}

/// A bound of a duration's range: a fixed length, or one that depends on
/// the scenario's session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Span {
    /// A fixed length, in nanoseconds.
    At(i64),
    /// The session's length (`close − open`).
    Session,
    /// A quarter of the session's length.
    QuarterSession,
    /// No bound.
    Unbounded,
}

impl Span {
    /// The bound in nanoseconds for a session of `session` nanoseconds.
    pub fn nanos(self, session: i64) -> i64 {
        match self {
            Span::At(ns) => ns,
            Span::Session => session,
            Span::QuarterSession => session / 4,
            Span::Unbounded => i64::MAX,
        }
    }

    fn words(self) -> String {
        match self {
            Span::At(ns) => Duration(ns).to_string(),
            Span::Session => "the session's length (close - open)".into(),
            Span::QuarterSession => "a quarter of the session's length".into(),
            Span::Unbounded => "no limit".into(),
        }
    }
}

/// What values validation accepts for a field, both ends included.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Range {
    /// A finite real number from lo to hi (for a distribution: its fixed
    /// value, min, max, mean and median; draws are clipped to it).
    Real(f64, f64),
    /// A whole number from lo to hi.
    Int(i64, i64),
    /// A duration from lo to hi.
    Duration(Span, Span),
    /// No range of its own: the rule is in [`Field::accepted`] (a name, a
    /// date, a bound that depends on another field).
    Rule,
}

impl Range {
    /// The range as `tplus help` prints it: `LO to HI`, machine-readable for
    /// numbers (Rust's shortest round-trip form).
    pub fn words(self) -> Option<String> {
        match self {
            Range::Real(lo, hi) => Some(format!("{lo} to {hi}")),
            Range::Int(lo, hi) => Some(format!("{lo} to {hi}")),
            Range::Duration(lo, hi) => Some(format!("{} to {}", lo.words(), hi.words())),
            Range::Rule => None,
        }
    }
}

/// One scenario field: the reference entry `tplus help` prints and the
/// range validation checks.
#[derive(Clone, Copy, Debug)]
pub struct Field {
    /// Its path, table names joined by `.` without indices
    /// (`product.price_band`, `agents.arrival.rate`).
    pub path: &'static str,
    /// What its value is written as.
    pub ty: Type,
    /// Its unit, empty when it has none.
    pub unit: &'static str,
    /// What validation accepts.
    pub range: Range,
    /// What is accepted, in the words of the errors' `accepted:` line.
    pub accepted: &'static str,
    /// What it means.
    pub meaning: &'static str,
    /// What happens when it is left out, where the schema's default does not
    /// say it (e.g. "required with target ..."); `None`: read from the schema.
    pub absent: Option<&'static str>,
}

const fn field(
    path: &'static str,
    ty: Type,
    unit: &'static str,
    range: Range,
    accepted: &'static str,
    meaning: &'static str,
) -> Field {
    Field { path, ty, unit, range, accepted, meaning, absent: None }
}

impl Field {
    const fn absent(self, note: &'static str) -> Field {
        Field { absent: Some(note), ..self }
    }

    /// The field's reference entry, as `tplus help PATH` prints it.
    pub fn describe(&self) -> String {
        let mut out = format!("{}\n  {}\n\n", self.path, self.meaning);
        out.push_str(&format!("  type:     {}\n", self.ty.words()));
        if !self.unit.is_empty() {
            out.push_str(&format!("  unit:     {}\n", self.unit));
        }
        out.push_str(&format!("  default:  {}\n", self.default_words()));
        if let Some(range) = self.range.words() {
            out.push_str(&format!("  range:    {range}\n"));
        }
        out.push_str(&format!("  accepted: {}\n", self.accepted));
        if matches!(self.path, "events.change" | "events.value") {
            out.push_str("\n  by target:\n");
            let how = if self.path == "events.change" { How::Change } else { How::Value };
            for r in EVENT_RANGES.iter().filter(|r| r.how == how) {
                let range = r.range.words().unwrap_or_default();
                out.push_str(&format!("    {:<19} range: {range}  ({})\n", r.target.name(), r.accepted));
            }
        }
        out
    }

    /// The default in words: the schema's value, "required", or what
    /// leaving it out means.
    pub fn default_words(&self) -> String {
        if let Some(note) = self.absent {
            return note.to_string();
        }
        match default_of(self.path) {
            DefaultIs::Required => "required".into(),
            DefaultIs::Value(v) => v,
            DefaultIs::Absent => "none (leave it out)".into(),
        }
    }
}

/// A field's default, read from the schema.
#[derive(Clone, Debug, PartialEq)]
pub enum DefaultIs {
    /// The scenario is refused without it.
    Required,
    /// What serde fills in, as a scenario would write it.
    Value(String),
    /// Optional, and absent unless given.
    Absent,
}

/// The smallest scenario the schema reads, with every optional table that
/// has fields of its own (`[macro.shock]`, `[credit.fit]`) given its
/// required fields only: the keys here are the required ones (a test
/// removes each and sees the scenario refused), the rest are the schema's
/// defaults.
pub const MINIMAL: &str = r#"
[simulation]
name = "minimal"
start_date = 2026-01-05
days = 1

[[product]]
id = "NOTE7"
nav = 1.0
annual_yield = 0.025
tick_size = 0.0001
term_days = 7
holding_limit_days = 3

[macro.shock]
rate = 0.5

[credit.fit]

[[agents]]
family = "zero_intelligence"
count = 1
arrival = { process = "poisson", rate = 1.0 }
budget = { dist = "fixed", value = 1000.0 }
"#;

/// The value at a path without indices in a TOML tree, taking the first
/// entry of each array on the way.
fn at_path<'a>(root: &'a toml::Value, path: &str) -> Option<&'a toml::Value> {
    let mut v = root;
    for key in path.split('.') {
        if let toml::Value::Array(a) = v {
            v = a.first()?;
        }
        v = v.as_table()?.get(key)?;
    }
    Some(v)
}

/// The default the schema gives the field at `path` (a path of [`FIELDS`]).
pub fn default_of(path: &str) -> DefaultIs {
    let Ok(raw) = MINIMAL.parse::<toml::Table>() else { return DefaultIs::Absent };
    let raw = toml::Value::Table(raw);
    if at_path(&raw, path).is_some() {
        return DefaultIs::Required;
    }
    let resolved = toml::from_str::<Scenario>(MINIMAL).ok().and_then(|s| toml::Value::try_from(s).ok());
    match resolved.as_ref().and_then(|r| at_path(r, path)) {
        Some(v) => DefaultIs::Value(v.to_string()),
        None => DefaultIs::Absent,
    }
}

/// Whether a scripted event gives a `change` or a `value`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum How {
    /// Added to the current value.
    Change,
    /// Replaces it.
    Value,
}

/// What an event's `change` or `value` accepts for one target.
#[derive(Clone, Copy, Debug)]
pub struct EventRange {
    /// The event's target.
    pub target: EventTarget,
    /// `change` or `value`.
    pub how: How,
    /// What validation accepts.
    pub range: Range,
    /// The same in words.
    pub accepted: &'static str,
}

const fn ev(target: EventTarget, how: How, lo: f64, hi: f64, accepted: &'static str) -> EventRange {
    EventRange { target, how, range: Range::Real(lo, hi), accepted }
}

/// An annual rate's range, shared by the rates' values, long-run means,
/// path points and events that set them.
const RATE: Range = Range::Real(-0.05, 1.0);
/// [`RATE`] in words.
pub const RATE_ACCEPTED: &str = "an annual rate as a fraction between -0.05 and 1 (0.0435 = 4.35%)";
const LEVEL: Range = Range::Real(1e-9, 1e9);
const LEVEL_ACCEPTED: &str = "a price level above 0 and at most 1e9, e.g. 100";

/// The ranges of scripted events' `change` and `value`, by target.
pub const EVENT_RANGES: &[EventRange] = {
    use EventTarget::*;
    use How::{Change, Value};
    &[
        EventRange { target: LoanRate, how: Value, range: RATE, accepted: RATE_ACCEPTED },
        ev(LoanRate, Change, -1.0, 1.0, "a change of the annual rate from -1 to 1 (0.005 = +50 bp)"),
        EventRange { target: DepositRate, how: Value, range: RATE, accepted: RATE_ACCEPTED },
        ev(DepositRate, Change, -1.0, 1.0, "a change of the annual rate from -1 to 1 (0.005 = +50 bp)"),
        ev(PriceLevel, Value, 1e-9, 1e9, "a price level above 0"),
        ev(PriceLevel, Change, -1e9, 1e9, "a change of the price level"),
        ev(Shock, Value, -100.0, 100.0, "a shock from -100 to 100"),
        ev(Shock, Change, -100.0, 100.0, "a shock from -100 to 100"),
        ev(MinCreditScore, Value, 0.0, 1000.0, "a score from 0 to 1000"),
        ev(MinCreditScore, Change, -1000.0, 1000.0, "a change of score from -1000 to 1000"),
        ev(Herding, Value, 0.0, 1000.0, "a recruitment rate per hour from 0 to 1000"),
        ev(Herding, Change, -1000.0, 1000.0, "a change of the recruitment rate per hour"),
        ev(MacroActiveShare, Value, 0.0, 1.0, "a share from 0 to 1"),
        ev(MacroActiveShare, Change, -1.0, 1.0, "a change of the share from -1 to 1"),
        ev(SalePanic, Value, 0.0, 1e6, "sale wake-ups per second from 0 to 1000000"),
        ev(SalePanic, Change, -1e6, 1e6, "a change of sale wake-ups per second (the result stops at 0)"),
    ]
};

/// The range of an event's `change` or `value` for its target.
pub fn event_range(target: EventTarget, how: How) -> &'static EventRange {
    // Every (target, how) is in the table (a unit test walks them all);
    // the first entry stands in rather than a panic.
    EVENT_RANGES.iter().find(|r| r.target == target && r.how == how).unwrap_or(&EVENT_RANGES[0])
}

fn names<T: serde::de::DeserializeOwned>() -> Option<String> {
    super::explain::names::<T>()
}

use Range::{Int, Real};
use Type::*;

const SECOND: i64 = 1_000_000_000;

// The entries, one per field, which validation reads by name (`fd::SIM_DAYS`).

// [simulation]
pub(super) const SIM_NAME: Field = field(
    "simulation.name",
    Text,
    "",
    Range::Rule,
    "1–64 characters from A–Z, a–z, 0–9, `_`, `-`, `.` (not starting with `.`)",
    "Names the results folder (results/<name>/…).",
);
pub(super) const SIM_SEED: Field = field(
    "simulation.seed",
    Integer,
    "",
    Range::Rule,
    "a whole number from 0 to 18446744073709551615",
    "Seed of every random stream (`tplus run --seed` overrides it).",
);
pub(super) const SIM_START_DATE: Field = field(
    "simulation.start_date",
    Type::Date,
    "",
    Range::Rule,
    Date::ACCEPTED,
    "First calendar day; the simulation clock is 0 at 00:00 of this date.",
);
pub(super) const SIM_DAYS: Field = field(
    "simulation.days",
    Integer,
    "business days",
    Int(1, 10_000),
    "a whole number of business days from 1 to 10000",
    "Business days to simulate (weekends and holidays do not count).",
);
pub(super) const SIM_OPEN: Field = field(
    "simulation.open",
    Type::TimeOfDay,
    "",
    Range::Rule,
    "a time of day earlier than close",
    "Session open, each business day.",
);
pub(super) const SIM_CLOSE: Field = field(
    "simulation.close",
    Type::TimeOfDay,
    "",
    Range::Rule,
    "a close time later than the open time on the same day",
    "Session close, each business day.",
);
pub(super) const SIM_HOLIDAYS: Field = field(
    "simulation.holidays",
    Array,
    "",
    Range::Rule,
    "an array of dates, each once, e.g. [2026-01-01]",
    "Dates that do not trade (weekends never trade).",
);
pub(super) const SIM_WINDOW: Field = field(
    "simulation.window",
    Type::Duration,
    "",
    Range::Duration(Span::At(SECOND), Span::Session),
    "a window from \"1s\" to the session length, e.g. \"5m\"",
    "Length of a metrics window (a row of metrics.csv); the last window of a day may be shorter.",
);
pub(super) const SIM_MIN_LATENCY: Field = field(
    "simulation.min_latency",
    Type::Duration,
    "",
    Range::Duration(Span::At(1), Span::At(60 * SECOND)),
    "a duration above 0 and at most \"1m\", e.g. \"50ms\"",
    "Least time an order or cancel takes to reach the platform; also the lookahead of the parallel engine.",
);
pub(super) const SIM_LATENCY_JITTER: Field = field(
    "simulation.latency_jitter",
    Type::Duration,
    "",
    Range::Duration(Span::At(0), Span::At(60 * SECOND)),
    "a duration from \"0s\" to \"1m\"",
    "Mean of the exponential delay added to min_latency for each order.",
);

// [[product]]
pub(super) const P_ID: Field = field(
    "product.id",
    Text,
    "",
    Range::Rule,
    "1–32 letters, digits, `_`, `-`, `.`",
    "Unique product id used in the outputs.",
);
pub(super) const P_NAV: Field = field(
    "product.nav",
    Number,
    "currency per unit",
    Real(1e-6, 1e9),
    "a net asset value above 0, e.g. 1.0",
    "Net asset value at the start.",
);
pub(super) const P_ANNUAL_YIELD: Field = field(
    "product.annual_yield",
    Number,
    "fraction a year",
    Real(-0.5, 1.0),
    "an annual yield as a fraction between -0.5 and 1 (0.025 = 2.5%)",
    "NAV on a business day is nav × (1 + annual_yield × calendar days since start_date / 365).",
);
pub(super) const P_TICK_SIZE: Field = field(
    "product.tick_size",
    Number,
    "currency",
    Real(1e-6, 1e6),
    "a positive tick size that is a whole number of 0.000001, e.g. 0.0001",
    "Price grid step; a whole number of micros that divides nav.",
);
pub(super) const P_LOT_SIZE: Field = field(
    "product.lot_size",
    Integer,
    "units per lot",
    Int(1, 1_000_000),
    "a whole number of units per lot from 1 to 1000000",
    "Units per lot; all quantities are in lots.",
);
pub(super) const P_TERM_DAYS: Field = field(
    "product.term_days",
    Integer,
    "calendar days",
    Int(1, 3650),
    "a term in calendar days from 1 to 3650",
    "Calendar days until a holding matures and is redeemed at NAV.",
);
pub(super) const P_HOLDING_LIMIT_DAYS: Field = field(
    "product.holding_limit_days",
    Integer,
    "business days",
    Int(1, 250),
    "a holding limit in business days from 1 to 250",
    "Business days a holding may be sold in before the platform redeems it at a penalty (a failed sale).",
);
pub(super) const P_MIN_CREDIT_SCORE: Field = field(
    "product.min_credit_score",
    Number,
    "points (0–1000)",
    Real(0.0, 1000.0),
    "a score from 0 to 1000",
    "Orders of customers scoring below this are rejected: subscriptions (buys) only, unless credit_gate says otherwise.",
);
pub(super) const P_CREDIT_GATE: Field = field(
    "product.credit_gate",
    Name(names::<CreditGate>),
    "",
    Range::Rule,
    "\"subscriptions\" (buys only) or \"all\" (buys and sales)",
    "Which orders the credit score vets.",
);
pub(super) const P_MATCHING: Field = field(
    "product.matching",
    Name(names::<crate::book::MatchingRule>),
    "",
    Range::Rule,
    "the name of a matching rule",
    "How the product's book ranks the orders resting at one price.",
);
pub(super) const P_REDEMPTION_PENALTY: Field = field(
    "product.redemption_penalty",
    Number,
    "fraction of NAV",
    Real(0.0, 0.99),
    "a fraction of NAV from 0 to 0.99",
    "Fraction of NAV cut when the platform redeems at the holding limit.",
);
pub(super) const P_PRICE_BAND: Field = field(
    "product.price_band",
    Number,
    "fraction of NAV",
    Real(1e-6, 0.5),
    "a fraction of NAV above 0 and at most 0.5, e.g. 0.02",
    "Limit prices must lie within NAV × (1 ± price_band); the band must hold at least one tick.",
);
pub(super) const P_MAX_ORDER_LOTS: Field = field(
    "product.max_order_lots",
    Integer,
    "lots",
    Int(1, 100_000_000),
    "a whole number of lots from 1 to 100000000",
    "Largest order; larger orders are rejected.",
);
pub(super) const P_PRIMARY_SUPPLY_LOTS: Field = field(
    "product.primary_supply_lots",
    Integer,
    "lots a day",
    Int(0, 1_000_000_000),
    "a whole number of lots from 0 to 1000000000",
    "The primary market's subscription quota: lots the issuer sells at the day's NAV, rounded up to a tick, each day until sold out or the close, paced by primary_pacing.",
);
pub(super) const P_REDEMPTION_QUOTA_LOTS: Field = field(
    "product.redemption_quota_lots",
    Integer,
    "lots a day",
    Int(0, 1_000_000_000),
    "a whole number of lots from 0 to 1000000000",
    "The primary market's redemption quota: lots the issuer buys back at the day's NAV, rounded down to a tick, each day until used up or the close.",
);
pub(super) const P_PRIMARY_PACING: Field = field(
    "product.primary_pacing",
    Type::Duration,
    "",
    Range::Duration(Span::At(SECOND), Span::At(86_400 * SECOND)),
    "a duration from \"1s\" to \"24h\", e.g. \"1m\" (the session's length or more: the whole quota at the open)",
    "How the issuer paces its daily quotas: every this long it offers what is left of each quota divided by the intervals left in the session.",
);

// [macro]
pub(super) const M_RATE_MODEL: Field = field(
    "macro.loan_rate.model",
    Name(names::<RateModelKind>),
    "",
    Range::Rule,
    "\"fixed\" (value), \"vasicek\" or \"cir\" (value, kappa, theta, sigma), \"path\" (points)",
    "Which model moves the rate; it decides which other fields are needed.",
);
pub(super) const M_RATE_VALUE: Field = field(
    "macro.loan_rate.value",
    Number,
    "fraction a year",
    RATE,
    RATE_ACCEPTED,
    "The fixed rate, or the starting value of a process. The loan rate is the alternative use of money macro-driven customers weigh.",
);
pub(super) const M_RATE_KAPPA: Field = field(
    "macro.loan_rate.kappa",
    Number,
    "per year",
    Real(1e-6, 1000.0),
    "a speed of mean reversion per year, above 0 and at most 1000",
    "Speed of mean reversion (vasicek, cir).",
);
pub(super) const M_RATE_THETA: Field = field(
    "macro.loan_rate.theta",
    Number,
    "fraction a year",
    RATE,
    RATE_ACCEPTED,
    "Long-run mean (vasicek, cir; above 0 for cir).",
);
pub(super) const M_RATE_SIGMA: Field = field(
    "macro.loan_rate.sigma",
    Number,
    "per square-root year",
    Real(0.0, 10.0),
    "a volatility per square-root year from 0 to 10",
    "Volatility (vasicek, cir; cir needs 2·kappa·theta ≥ sigma²).",
);
pub(super) const M_RATE_POINTS: Field = field(
    "macro.loan_rate.points",
    Array,
    "",
    RATE,
    "points in time order, days within the run, each value an annual rate between -0.05 and 1",
    "The step path's points (path only): [{ at = \"day 1 09:30\", value = 0.0435 }, …].",
);
pub(super) const M_DEPOSIT_MODEL: Field = Field { path: "macro.deposit_rate.model", ..M_RATE_MODEL };
pub(super) const M_DEPOSIT_VALUE: Field = Field {
    path: "macro.deposit_rate.value",
    meaning: "The fixed rate, or the starting value of a process: what customers earn on cash left in the bank.",
    ..M_RATE_VALUE
};
pub(super) const M_DEPOSIT_KAPPA: Field = Field { path: "macro.deposit_rate.kappa", ..M_RATE_KAPPA };
pub(super) const M_DEPOSIT_THETA: Field = Field { path: "macro.deposit_rate.theta", ..M_RATE_THETA };
pub(super) const M_DEPOSIT_SIGMA: Field = Field { path: "macro.deposit_rate.sigma", ..M_RATE_SIGMA };
pub(super) const M_DEPOSIT_POINTS: Field = Field { path: "macro.deposit_rate.points", ..M_RATE_POINTS };
pub(super) const M_LEVEL_MODEL: Field = field(
    "macro.price_level.model",
    Name(names::<LevelModelKind>),
    "",
    Range::Rule,
    "\"fixed\" (value), \"gbm\" (value, inflation, sigma), \"path\" (points)",
    "Which model moves the price level (an inflation index).",
);
pub(super) const M_LEVEL_VALUE: Field =
    field("macro.price_level.value", Number, "index", LEVEL, LEVEL_ACCEPTED, "The fixed or starting level.");
pub(super) const M_LEVEL_REFERENCE: Field = field(
    "macro.price_level.reference",
    Number,
    "index",
    LEVEL,
    LEVEL_ACCEPTED,
    "The level customers consider normal; deviation = ln(level / reference).",
)
.absent("the starting level");
pub(super) const M_LEVEL_INFLATION: Field = field(
    "macro.price_level.inflation",
    Number,
    "fraction a year",
    Real(-0.5, 10.0),
    "an annual inflation rate as a fraction from -0.5 to 10",
    "Annual inflation, the drift of the log level (gbm).",
);
pub(super) const M_LEVEL_SIGMA: Field = field(
    "macro.price_level.sigma",
    Number,
    "per square-root year",
    Real(0.0, 5.0),
    "a volatility per square-root year from 0 to 5",
    "Volatility of ln(level) (gbm).",
);
pub(super) const M_LEVEL_POINTS: Field = field(
    "macro.price_level.points",
    Array,
    "",
    LEVEL,
    "points in time order, days within the run, each value a price level above 0 and at most 1e9",
    "The step path's points (path only): [{ at = \"day 1 09:30\", value = 100.0 }, …].",
);
pub(super) const M_SHOCK_RATE: Field = field(
    "macro.shock.rate",
    Number,
    "jumps per calendar day",
    Real(0.0, 1000.0),
    "jumps per calendar day, from 0 to 1000",
    "International shocks arrive as a Poisson process at this rate; each jump decays exponentially.",
);
pub(super) const M_SHOCK_MEAN: Field = field(
    "macro.shock.mean",
    Number,
    "shock units",
    Real(-100.0, 100.0),
    "a mean jump size from -100 to 100",
    "Mean jump size (what the macro family's shock_sensitivity multiplies).",
);
pub(super) const M_SHOCK_SD: Field = field(
    "macro.shock.sd",
    Number,
    "shock units",
    Real(0.0, 100.0),
    "a jump-size standard deviation from 0 to 100",
    "Standard deviation of the (normal) jump size.",
);
pub(super) const M_SHOCK_DECAY: Field = field(
    "macro.shock.decay",
    Type::Duration,
    "",
    Range::Duration(Span::At(1), Span::Unbounded),
    "a duration above 0, e.g. \"2d\"",
    "Mean lifetime of a jump (e-folding time).",
);

// [credit]
pub(super) const C_UPDATE: Field = field(
    "credit.update",
    Bool,
    "",
    Range::Rule,
    "true or false",
    "Recompute scores at each end of day (false: scores stay as drawn).",
);
pub(super) const C_BASE_SCORE: Field = field(
    "credit.base_score",
    Number,
    "points",
    Real(0.0, 1000.0),
    "a score from 0 to 1000",
    "The score that stands for base_odds.",
);
pub(super) const C_BASE_ODDS: Field = field(
    "credit.base_odds",
    Number,
    "good:bad odds",
    Real(1e-6, 1e6),
    "good:bad odds above 0, e.g. 50",
    "Good:bad odds at base_score.",
);
pub(super) const C_PDO: Field = field(
    "credit.pdo",
    Number,
    "points",
    Real(1e-3, 1000.0),
    "points to double the odds, above 0, e.g. 20",
    "Points to double the odds.",
);
const WEIGHT: Range = Real(-100.0, 100.0);
const WEIGHT_ACCEPTED: &str = "a log-odds weight from -100 to 100";
pub(super) const C_INCOME_BAND: Field = field(
    "credit.income_band",
    Number,
    "log-odds per band",
    WEIGHT,
    WEIGHT_ACCEPTED,
    "Weight of the income band (1–5) in the scorecard.",
)
.absent("the scorecard's default weight");
pub(super) const C_TENURE: Field = field(
    "credit.tenure",
    Number,
    "log-odds per unit of ln(1 + days)",
    WEIGHT,
    WEIGHT_ACCEPTED,
    "Weight of tenure (days as a customer).",
)
.absent("the scorecard's default weight");
pub(super) const C_FAILED_SALES: Field = field(
    "credit.failed_sales",
    Number,
    "log-odds per failed sale",
    WEIGHT,
    WEIGHT_ACCEPTED,
    "Weight of each failed sale.",
)
.absent("the scorecard's default weight");
pub(super) const C_CANCEL_RATIO: Field = field(
    "credit.cancel_ratio",
    Number,
    "log-odds",
    WEIGHT,
    WEIGHT_ACCEPTED,
    "Weight of the cancel ratio (cancels / max(orders, 1)).",
)
.absent("the scorecard's default weight");
pub(super) const C_REJECTION_RATIO: Field = field(
    "credit.rejection_ratio",
    Number,
    "log-odds",
    WEIGHT,
    WEIGHT_ACCEPTED,
    "Weight of the rejection ratio (rejections / max(orders, 1)).",
)
.absent("the scorecard's default weight");
const FIT_DAYS: Range = Int(1, 250);
const FIT_DAYS_ACCEPTED: &str = "whole business days from 1 to 250";
pub(super) const C_FIT_HORIZON: Field = field(
    "credit.fit.horizon_days",
    Integer,
    "business days",
    FIT_DAYS,
    FIT_DAYS_ACCEPTED,
    "A failed sale within this many days makes a customer bad (the fitted scorecard's target).",
);
pub(super) const C_FIT_REFIT: Field = field(
    "credit.fit.refit_days",
    Integer,
    "business days",
    FIT_DAYS,
    FIT_DAYS_ACCEPTED,
    "Business days between refits.",
);
pub(super) const C_FIT_FIRST: Field = field(
    "credit.fit.first_fit_day",
    Integer,
    "business day (from 0)",
    Range::Rule,
    "a business day from horizon_days (the first with a labelled sample) to 10000",
    "Business day of the first refit.",
)
.absent("horizon_days");
pub(super) const C_FIT_BINS: Field = field(
    "credit.fit.bins",
    Integer,
    "bins per feature",
    Int(2, 100),
    "from 2 to 100 bins per feature, e.g. 10",
    "Quantile bins per feature, at most.",
);
pub(super) const C_FIT_ALPHA: Field = field(
    "credit.fit.alpha",
    Number,
    "pseudo-count",
    Real(1e-6, 1000.0),
    "a pseudo-count above 0, e.g. 0.5",
    "Laplace pseudo-count added to each bin's goods and bads.",
);
pub(super) const C_FIT_RIDGE: Field = field(
    "credit.fit.ridge",
    Number,
    "",
    Real(1e-9, 1e6),
    "a ridge penalty above 0, e.g. 1",
    "Ridge penalty on the coefficients of the logistic fit.",
);
pub(super) const C_FIT_ALIGNMENT: Field = field(
    "credit.fit.alignment",
    Name(names::<Alignment>),
    "",
    Range::Rule,
    "\"mean\" (the customers' mean score kept at a refit) or \"none\" (at face value)",
    "How a new model's log-odds are put on the score scale.",
);

// [metrics]
pub(super) const X_ROLLING: Field = field(
    "metrics.rolling_windows",
    Integer,
    "windows",
    Int(3, 10_000),
    "a whole number of windows from 3 to 10000",
    "Windows in the rolling correlation of success with volume (K).",
);
pub(super) const X_MAX_LAG: Field = field(
    "metrics.max_lag",
    Integer,
    "windows",
    Int(0, 1000),
    "a whole number of windows from 0 to 1000",
    "Largest lag of the cross-correlation of success with volume (L).",
);
pub(super) const X_RETURN_STEP: Field = field(
    "metrics.return_step",
    Type::Duration,
    "",
    Range::Duration(Span::At(SECOND), Span::QuarterSession),
    "a duration from \"1s\" to a quarter of the session, e.g. \"1m\"",
    "Grid on which mid prices are sampled for the stylized facts.",
);
pub(super) const X_TAIL: Field = field(
    "metrics.tail_fraction",
    Number,
    "share",
    Real(0.001, 0.5),
    "a share from 0.001 to 0.5, e.g. 0.05",
    "Share of the largest absolute returns the Hill tail index uses.",
);
pub(super) const X_RISK: Field = field(
    "metrics.risk_threshold",
    Number,
    "robust z-score",
    Real(0.5, 100.0),
    "a robust z-score from 0.5 to 100, e.g. 3.5",
    "Robust z-score above which a customer is reported as abnormal.",
);

// [[agents]]
pub(super) const A_FAMILY: Field = field(
    "agents.family",
    Text,
    "",
    Range::Rule,
    "the name of a behaviour family: zero_intelligence, rational, herding, macro, market_maker (or a library user's own)",
    "The behaviour of the group's customers; its parameters go in [agents.params] (`tplus help agents.params`).",
);
pub(super) const A_COUNT: Field = field(
    "agents.count",
    Integer,
    "customers",
    Int(1, 50_000_000),
    "a whole number of agents from 1 to 50000000",
    "Customers in the group (at most 50,000,000 in all groups together).",
);
pub(super) const A_ARRIVAL_PROCESS: Field = field(
    "agents.arrival.process",
    Name(names::<ArrivalProcess>),
    "",
    Range::Rule,
    "\"poisson\" with rate, or \"hawkes\" with mu, alpha and beta",
    "How the group's members wake up to decide: independent exponential gaps, or one self-exciting process for the group.",
);
pub(super) const A_ARRIVAL_RATE: Field = field(
    "agents.arrival.rate",
    Number,
    "wake-ups per agent per hour of session time",
    Real(1e-6, 360_000.0),
    "wake-ups per agent per hour, above 0 and at most 360000",
    "Poisson: how often each member wakes.",
)
.absent("required with process = \"poisson\"");
pub(super) const A_ARRIVAL_MU: Field = field(
    "agents.arrival.mu",
    Number,
    "wake-ups per agent per hour",
    Real(1e-6, 360_000.0),
    "baseline wake-ups per agent per hour, above 0 and at most 360000",
    "Hawkes: the baseline intensity.",
)
.absent("required with process = \"hawkes\"");
pub(super) const A_ARRIVAL_ALPHA: Field = field(
    "agents.arrival.alpha",
    Number,
    "per second",
    Real(0.0, 1e6),
    "a jump per second of at least 0",
    "Hawkes: jump of the group's intensity at each wake-up (alpha/beta must be below 1).",
)
.absent("required with process = \"hawkes\"");
pub(super) const A_ARRIVAL_BETA: Field = field(
    "agents.arrival.beta",
    Number,
    "per second",
    Real(1e-6, 1e6),
    "a decay rate per second above 0, e.g. 0.05 (a 20 s memory)",
    "Hawkes: decay rate of the excitation.",
)
.absent("required with process = \"hawkes\"");
pub(super) const A_SALE_ALPHA: Field = field(
    "agents.sale_excitation.alpha",
    Number,
    "wake-ups per second",
    Real(0.0, 1e6),
    "a jump of sale wake-ups per second of at least 0",
    "Jump of the group's sale wake-up intensity at each customer sale application (sum of alpha/beta over groups below 1).",
);
pub(super) const A_SALE_BETA: Field = field(
    "agents.sale_excitation.beta",
    Number,
    "per second",
    Real(1e-6, 1e6),
    "a decay rate per second above 0, e.g. 0.01 (a 100 s memory)",
    "Decay rate of the sale excitation (1/beta is its memory).",
);
pub(super) const A_BUDGET: Field = field(
    "agents.budget",
    Distribution,
    "currency",
    Real(0.0, super::validate::MAX_BUDGET),
    "a budget in currency units from 0 to 100000000000",
    "Opening cash of each customer.",
);
pub(super) const A_CREDIT_SCORE: Field = field(
    "agents.credit_score",
    Distribution,
    "points",
    Real(0.0, 1000.0),
    "a credit score from 0 to 1000",
    "Each customer's credit score at the start.",
);
pub(super) const A_INITIAL_LOTS: Field = field(
    "agents.initial_lots",
    Distribution,
    "lots",
    Real(0.0, super::validate::MAX_INITIAL_LOTS),
    "a number of lots from 0 to 100000000",
    "Lots of each traded product held at the start, drawn separately for each product.",
);
pub(super) const A_INCOME_BAND: Field = field(
    "agents.income_band",
    Distribution,
    "band",
    Real(1.0, 5.0),
    "an income band from 1 (lowest) to 5",
    "Income band, a credit-score feature.",
);
pub(super) const A_TENURE_DAYS: Field = field(
    "agents.tenure_days",
    Distribution,
    "days",
    Real(0.0, 36_500.0),
    "days with the platform from 0 to 36500",
    "Days a customer has been with the platform at the start, a credit-score feature.",
);
pub(super) const A_PRODUCTS: Field = field(
    "agents.products",
    Array,
    "",
    Range::Rule,
    "product ids from the [[product]] tables, or leave the field out for all",
    "Products this group trades.",
)
.absent("all products");
pub(super) const A_ABUSE: Field = field(
    "agents.abuse",
    Name(names::<Abuse>),
    "",
    Range::Rule,
    "\"wash\", \"spoof\" or \"churn\"",
    "Plants the group's members as abusive customers of this kind, filed under family; the risk report is scored against them.",
)
.absent("none: ordinary customers");
pub(super) const A_PARAMS: Field = field(
    "agents.params",
    Table,
    "",
    Range::Rule,
    "the parameters the group's family declares (`tplus help agents.params.NAME`)",
    "The behaviour's parameters; absent ones take the family's defaults.",
);

// [[events]]
pub(super) const E_AT: Field = field(
    "events.at",
    Type::DayTime,
    "",
    Range::Rule,
    "a business day from 1 to the run's days and a time before the last close",
    "When the change applies.",
);
pub(super) const E_TARGET: Field = field(
    "events.target",
    Name(names::<EventTarget>),
    "",
    Range::Rule,
    "the name of what the event changes",
    "What the event changes.",
);
pub(super) const E_CHANGE: Field = field(
    "events.change",
    Number,
    "the target's own",
    Range::Rule,
    "by target, below; give either change or value",
    "Added to the target's current value.",
)
.absent("give exactly one of change and value");
pub(super) const E_VALUE: Field = field(
    "events.value",
    Number,
    "the target's own",
    Range::Rule,
    "by target, below; give either change or value",
    "Replaces the target's current value.",
)
.absent("give exactly one of change and value");
pub(super) const E_PRODUCT: Field = field(
    "events.product",
    Text,
    "",
    Range::Rule,
    "a product id, only with target = \"min_credit_score\"",
    "The product whose min_credit_score changes.",
)
.absent("every product");
pub(super) const E_GROUP: Field = field(
    "events.group",
    Integer,
    "",
    Range::Rule,
    "the index (from 0) of a group the target changes, with target \"sale_panic\", \"herding\" or \"macro_active_share\"",
    "The [[agents]] group the change applies to.",
)
.absent("every group the target changes");

/// Every field of the reference, in the order `tplus help scenario` lists them.
pub const FIELDS: &[Field] = &[
    SIM_NAME,
    SIM_SEED,
    SIM_START_DATE,
    SIM_DAYS,
    SIM_OPEN,
    SIM_CLOSE,
    SIM_HOLIDAYS,
    SIM_WINDOW,
    SIM_MIN_LATENCY,
    SIM_LATENCY_JITTER,
    P_ID,
    P_NAV,
    P_ANNUAL_YIELD,
    P_TICK_SIZE,
    P_LOT_SIZE,
    P_TERM_DAYS,
    P_HOLDING_LIMIT_DAYS,
    P_MIN_CREDIT_SCORE,
    P_CREDIT_GATE,
    P_MATCHING,
    P_REDEMPTION_PENALTY,
    P_PRICE_BAND,
    P_MAX_ORDER_LOTS,
    P_PRIMARY_SUPPLY_LOTS,
    P_REDEMPTION_QUOTA_LOTS,
    P_PRIMARY_PACING,
    M_RATE_MODEL,
    M_RATE_VALUE,
    M_RATE_KAPPA,
    M_RATE_THETA,
    M_RATE_SIGMA,
    M_RATE_POINTS,
    M_DEPOSIT_MODEL,
    M_DEPOSIT_VALUE,
    M_DEPOSIT_KAPPA,
    M_DEPOSIT_THETA,
    M_DEPOSIT_SIGMA,
    M_DEPOSIT_POINTS,
    M_LEVEL_MODEL,
    M_LEVEL_VALUE,
    M_LEVEL_REFERENCE,
    M_LEVEL_INFLATION,
    M_LEVEL_SIGMA,
    M_LEVEL_POINTS,
    M_SHOCK_RATE,
    M_SHOCK_MEAN,
    M_SHOCK_SD,
    M_SHOCK_DECAY,
    C_UPDATE,
    C_BASE_SCORE,
    C_BASE_ODDS,
    C_PDO,
    C_INCOME_BAND,
    C_TENURE,
    C_FAILED_SALES,
    C_CANCEL_RATIO,
    C_REJECTION_RATIO,
    C_FIT_HORIZON,
    C_FIT_REFIT,
    C_FIT_FIRST,
    C_FIT_BINS,
    C_FIT_ALPHA,
    C_FIT_RIDGE,
    C_FIT_ALIGNMENT,
    X_ROLLING,
    X_MAX_LAG,
    X_RETURN_STEP,
    X_TAIL,
    X_RISK,
    A_FAMILY,
    A_COUNT,
    A_ARRIVAL_PROCESS,
    A_ARRIVAL_RATE,
    A_ARRIVAL_MU,
    A_ARRIVAL_ALPHA,
    A_ARRIVAL_BETA,
    A_SALE_ALPHA,
    A_SALE_BETA,
    A_BUDGET,
    A_CREDIT_SCORE,
    A_INITIAL_LOTS,
    A_INCOME_BAND,
    A_TENURE_DAYS,
    A_PRODUCTS,
    A_ABUSE,
    A_PARAMS,
    E_AT,
    E_TARGET,
    E_CHANGE,
    E_VALUE,
    E_PRODUCT,
    E_GROUP,
];

/// The tables of a scenario and what each is for, as `tplus help scenario`
/// opens with.
pub const TABLES: &[(&str, &str)] = &[
    ("[simulation]", "the run's name, seed, calendar, session, metrics window and order latency (required)"),
    (
        "[[product]]",
        "one table per product on sale: NAV and yield, tick and lot, term and holding limit, credit gate, price band, primary market (at least one)",
    ),
    (
        "[macro]",
        "the loan and deposit rates ([macro.loan_rate], [macro.deposit_rate]), the price level ([macro.price_level]) and international shocks ([macro.shock]); fixed defaults",
    ),
    (
        "[credit]",
        "the scorecard that rescores customers each evening, and [credit.fit], a scorecard refitted on the run's own history",
    ),
    ("[metrics]", "how the run's results are measured: rolling correlations, lags, stylized facts, the risk report"),
    (
        "[[agents]]",
        "one table per group of customers: family, count, arrivals, opening cash and holdings, credit features, and the family's [agents.params] (at least one)",
    ),
    (
        "[[events]]",
        "changes scripted at given moments: a rate hike, a credit tightening, a herding change, a sale panic",
    ),
];

/// The path without array indices: `agents[1].arrival.rate` gives
/// `agents.arrival.rate`.
pub fn normalise(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut depth = 0;
    for c in path.trim().chars() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// The field at `path` (indices allowed: `product[0].price_band`).
pub fn find(path: &str) -> Option<&'static Field> {
    let path = normalise(path);
    FIELDS.iter().find(|f| f.path == path)
}

/// What an error's `accepted:` line says when nothing nearer can be said:
/// the field's accepted values and the `tplus help` command for it (or for
/// the nearest table above it that has an entry), else the overview.
pub fn see_help(path: Option<&str>) -> String {
    let mut at = path.map(normalise).unwrap_or_default();
    while !at.is_empty() {
        if let Some(f) = FIELDS.iter().find(|f| f.path == at) {
            return format!("{}; see `tplus help {}`", f.accepted, f.path);
        }
        at = at.rsplit_once('.').map_or(String::new(), |(parent, _)| parent.to_string());
    }
    "see `tplus help scenario` for every field".into()
}

/// The overview `tplus help scenario` prints: the tables, then every field
/// path with its type.
pub fn overview() -> String {
    let mut out = String::from("A scenario file is TOML with these tables:\n\n");
    for (table, what) in TABLES {
        out.push_str(&format!("  {table:<13} {what}\n"));
    }
    out.push_str(
        "\nFields (`tplus help PATH` for one: type, unit, default, range, meaning; \
         indices such as product[0] may be given or left out):\n",
    );
    let mut last = "";
    for f in FIELDS {
        let top = f.path.split('.').next().unwrap_or("");
        if top != last {
            out.push('\n');
            last = top;
        }
        let ty = match f.ty {
            Type::Name(_) => "name".to_string(),
            Type::Date => "date".into(),
            Type::TimeOfDay => "time of day".into(),
            Type::Duration => "duration".into(),
            Type::DayTime => "day and time".into(),
            Type::Distribution => "distribution".into(),
            t => t.words(),
        };
        out.push_str(&format!("  {:<32} {ty}\n", f.path));
    }
    out
}

/// Levenshtein distance, for near matches of a mistyped path.
pub fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// Up to `n` of `candidates` nearest `path`: those that contain its last
/// key or its last key contains, then by edit distance.
pub fn near<'a>(path: &str, candidates: impl IntoIterator<Item = &'a str>, n: usize) -> Vec<&'a str> {
    let path = normalise(path);
    let last = path.rsplit('.').next().unwrap_or(&path).to_string();
    let mut scored: Vec<(usize, &str)> = candidates
        .into_iter()
        .map(|c| {
            let key = c.rsplit('.').next().unwrap_or(c);
            // A key that holds the one asked for, or is held in it, is near
            // by how much longer or shorter it is.
            let shared = key.len() >= 3 && last.len() >= 3 && (key.contains(last.as_str()) || last.contains(key));
            let d = distance(&path, c).min(distance(&last, key) + 2);
            (if shared { d.min(key.len().abs_diff(last.len())) } else { d }, c)
        })
        .collect();
    scored.sort();
    let limit = (path.len() / 2).max(3);
    scored.into_iter().filter(|(d, _)| *d <= limit).take(n).map(|(_, c)| c).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_path_is_listed_once() {
        let mut seen = std::collections::HashSet::new();
        for f in FIELDS {
            assert!(seen.insert(f.path), "{} twice", f.path);
        }
    }

    /// Each key of MINIMAL is required: removing it gets the scenario refused.
    #[test]
    fn the_minimal_scenario_holds_only_required_fields() {
        let registry = crate::agents::Registry::builtin();
        let path = std::path::Path::new("minimal.toml");
        assert!(super::super::parse(path, MINIMAL, &registry).is_ok());
        let required: Vec<&str> =
            FIELDS.iter().filter(|f| default_of(f.path) == DefaultIs::Required).map(|f| f.path).collect();
        assert_eq!(required.len(), 15, "{required:?}");
        for field in required {
            let mut root = toml::Value::Table(MINIMAL.parse().unwrap());
            let (parent, key) = field.rsplit_once('.').unwrap();
            let mut v = &mut root;
            for k in parent.split('.') {
                if let toml::Value::Array(a) = v {
                    v = &mut a[0];
                }
                v = v.as_table_mut().unwrap().get_mut(k).unwrap();
            }
            if let toml::Value::Array(a) = v {
                v = &mut a[0];
            }
            assert!(v.as_table_mut().unwrap().remove(key).is_some(), "{field}");
            let text = toml::to_string(&root).unwrap();
            assert!(super::super::parse(path, &text, &registry).is_err(), "{field} is not required");
        }
    }

    /// Every field the schema reads has an entry here, so `tplus help`
    /// knows every key a scenario can hold: the bundled scenarios and the
    /// `tplus new` templates, resolved with the schema's defaults, are
    /// walked key by key (a behaviour's `params` are its family's own, and
    /// a distribution's `dist`, `value`, `min`, … belong to its entry).
    #[test]
    fn every_schema_field_has_an_entry() {
        fn walk(v: &toml::Value, path: &str, out: &mut Vec<String>) {
            match v {
                // A table is listed by `tplus help scenario`'s overview; a
                // distribution or a family's `params` is one field.
                toml::Value::Table(t) => {
                    if t.contains_key("dist") || path.ends_with(".params") {
                        out.push(path.to_string());
                        return;
                    }
                    for (k, v) in t {
                        walk(v, &if path.is_empty() { k.clone() } else { format!("{path}.{k}") }, out);
                    }
                }
                toml::Value::Array(a) if a.is_empty() => {}
                toml::Value::Array(a) if a.iter().any(|v| v.is_table()) => {
                    for v in a {
                        walk(v, path, out);
                    }
                }
                _ => out.push(path.to_string()),
            }
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        let mut files: Vec<std::path::PathBuf> = Vec::new();
        for dir in [root.clone(), root.join("bench")] {
            for e in std::fs::read_dir(dir).unwrap() {
                let p = e.unwrap().path();
                if p.extension().is_some_and(|x| x == "toml") {
                    files.push(p);
                }
            }
        }
        assert!(files.len() >= 12, "{files:?}");
        let mut missing = std::collections::BTreeSet::new();
        let mut seen = 0;
        for file in &files {
            let text = std::fs::read_to_string(file).unwrap();
            let scenario: Scenario = toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            let resolved = toml::Value::try_from(scenario).unwrap();
            let mut paths = Vec::new();
            walk(&resolved, "", &mut paths);
            for p in paths {
                seen += 1;
                if find(&p).is_none() {
                    missing.insert(p);
                }
            }
        }
        assert!(seen > 500, "walked only {seen} keys");
        assert!(missing.is_empty(), "fields without an entry in FIELDS (tplus help cannot describe them): {missing:?}");
    }

    #[test]
    fn defaults_come_from_the_schema() {
        assert_eq!(default_of("product.price_band"), DefaultIs::Value("0.02".into()));
        assert_eq!(default_of("simulation.window"), DefaultIs::Value("\"5m\"".into()));
        assert_eq!(default_of("simulation.days"), DefaultIs::Required);
        assert_eq!(default_of("agents.budget"), DefaultIs::Required);
        assert_eq!(default_of("agents.sale_excitation.alpha"), DefaultIs::Absent);
        assert_eq!(default_of("credit.fit.bins"), DefaultIs::Value("10".into()));
    }

    #[test]
    fn every_event_target_has_both_ranges() {
        let targets: Vec<EventTarget> = EVENT_RANGES.iter().filter(|r| r.how == How::Value).map(|r| r.target).collect();
        assert_eq!(targets.len(), 8);
        for t in targets {
            assert_eq!(event_range(t, How::Change).target, t);
            assert_eq!(event_range(t, How::Value).target, t);
        }
    }

    #[test]
    fn errors_point_to_the_nearest_entry() {
        assert!(see_help(Some("macro.shock.rate")).ends_with("see `tplus help macro.shock.rate`"));
        assert!(
            see_help(Some("macro.deposit_rate.points[0].value")).ends_with("`tplus help macro.deposit_rate.points`")
        );
        assert_eq!(see_help(None), "see `tplus help scenario` for every field");
    }

    #[test]
    fn near_matches_find_the_field() {
        let all = FIELDS.iter().map(|f| f.path);
        assert_eq!(near("product.price_bnd", all.clone(), 3)[0], "product.price_band");
        assert!(near("window", all, 3).contains(&"simulation.window"));
    }
}
