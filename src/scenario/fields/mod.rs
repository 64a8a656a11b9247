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
//!
//! Names mistyped are matched here too: `help`'s near matches of a path
//! ([`near`]) and the one guess an unknown family or parameter's message
//! offers ([`nearest`], [`with_guess`]).

use super::schema::{EventTarget, Scenario};
use super::time::{Date, DayTime, Duration, TimeOfDay};

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
                out.push_str(&match r.range.words() {
                    Some(range) => format!("    {:<19} range: {range}  ({})\n", r.target.name(), r.accepted),
                    None => format!("    {:<19} {}\n", r.target.name(), r.accepted),
                });
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
/// `RATE` in words.
pub const RATE_ACCEPTED: &str = "an annual rate as a fraction between -0.05 and 1 (0.0435 = 4.35%)";
const LEVEL: Range = Range::Real(1e-9, 1e9);
const LEVEL_ACCEPTED: &str = "a price level above 0 and at most 1e9, e.g. 100";

/// What target `group_param`'s `value` accepts: the parameter's own range.
const GROUP_PARAM_VALUE: &str = "the parameter's own range (`tplus help agents.params.FAMILY.NAME`)";
/// What target `group_param`'s `change` accepts: the sum is kept within the
/// parameter's declared range before the behaviour sees it.
const GROUP_PARAM_CHANGE: &str = "a finite change; the result is kept within the parameter's range";

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
        EventRange { target: GroupParam, how: Value, range: Range::Rule, accepted: GROUP_PARAM_VALUE },
        EventRange { target: GroupParam, how: Change, range: Range::Rule, accepted: GROUP_PARAM_CHANGE },
    ]
};

/// The range of an event's `change` or `value` for its target.
pub fn event_range(target: EventTarget, how: How) -> &'static EventRange {
    // Every (target, how) is in the table (a unit test walks them all);
    // the first entry stands in rather than a panic.
    EVENT_RANGES.iter().find(|r| r.target == target && r.how == how).unwrap_or(&EVENT_RANGES[0])
}

/// The values `target` can hold, from the range its events' `value`
/// accepts: a change by any amount lands within them (the engine clamps the
/// sum). None for the targets whose range is a group parameter's own.
pub fn value_bounds(target: EventTarget) -> Option<(f64, f64)> {
    match event_range(target, How::Value).range {
        Range::Real(lo, hi) => Some((lo, hi)),
        _ => None,
    }
}

fn names<T: serde::de::DeserializeOwned>() -> Option<String> {
    super::explain::names::<T>()
}

mod entries;
#[cfg(test)]
mod tests;

pub use entries::FIELDS;
pub(super) use entries::*;

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
            let d = strsim::levenshtein(&path, c).min(strsim::levenshtein(&last, key) + 2);
            (if shared { d.min(key.len().abs_diff(last.len())) } else { d }, c)
        })
        .collect();
    scored.sort();
    let limit = (path.len() / 2).max(3);
    scored.into_iter().filter(|(d, _)| *d <= limit).take(n).map(|(_, c)| c).collect()
}

/// Of `candidates`, the one `name` is most likely a misspelling of: the
/// nearest by Damerau–Levenshtein distance (a swap of neighbours is one
/// edit), if it is at most a third of the longer name's length (at least
/// 1) and no other is as near. For an unknown name's "did you mean".
pub fn nearest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(usize, &'a str)> = None;
    let mut tied = false;
    for c in candidates {
        let d = strsim::damerau_levenshtein(name, c);
        if d == 0 || d > (name.chars().count().max(c.chars().count()) / 3).max(1) {
            continue;
        }
        match best {
            Some((b, _)) if d > b => {}
            Some((b, _)) if d == b => tied = true,
            _ => {
                best = Some((d, c));
                tied = false;
            }
        }
    }
    best.filter(|_| !tied).map(|(_, c)| c)
}

/// `message`, with "; did you mean `x`?" when `name` looks like a
/// misspelling of one of `candidates` ([`nearest`]).
pub fn with_guess<'a>(message: String, name: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    match nearest(name, candidates) {
        Some(c) => format!("{message}; did you mean `{c}`?"),
        None => message,
    }
}
