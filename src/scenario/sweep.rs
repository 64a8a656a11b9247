//! Sweep files: the TOML that names a base scenario, the parameters to vary
//! and how (a full grid, random samples or a Latin hypercube), and the
//! replications. This module parses and checks them; `crate::sweep` expands
//! the design and runs it.
//!
//! A parameter is named by its **path** in the scenario: the scenario's TOML
//! field names joined by `.`, with `[i]` (from 0) for an entry of an array —
//! `agents[1].count`, `agents[2].params.herding`, `agents[0].arrival.mu`,
//! `macro.loan_rate.theta`, `product[0].min_credit_score`,
//! `simulation.window`, `events[0].at`. Every scenario field is reachable,
//! including whole tables (`agents[0].budget`, with table values).
//!
//! A value is set on the scenario as resolved (defaults filled in): the
//! scenario is turned into a JSON tree, the path is set, and the tree is read
//! back through the scenario's own schema and validation. So a path that does
//! not exist, a value of the wrong type and a value that fails validation are
//! refused with the same words as in a scenario file, and located at the
//! sweep file's line for that parameter (`param[1].values[2]`).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::catalog::FamilyCatalog;
use super::error::ScenarioError;
use super::schema::Scenario;
use super::{explain_serde, locate, validate};

/// Most runs (points × replications) a sweep may describe.
pub const MAX_RUNS: u64 = 10_000_000;
/// Most replications of a point.
pub const MAX_REPLICATIONS: i64 = 100_000;
/// Most levels a `range` may expand to.
pub const MAX_LEVELS: f64 = 1_000_000.0;

/// The accepted spelling of a parameter path, for error messages.
pub const PATH_ACCEPTED: &str = "a dotted path of the scenario's field names, with [i] (from 0) for an entry of an \
     array, e.g. agents[1].count, agents[2].params.herding, macro.loan_rate.theta, product[0].min_credit_score";

// ---------------------------------------------------------------------------
// The file as written.

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SweepFile {
    sweep: SweepTable,
    #[serde(default)]
    param: Vec<ParamTable>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SweepTable {
    name: String,
    scenario: String,
    #[serde(default)]
    seed: u64,
    #[serde(default = "one")]
    replications: i64,
    #[serde(default = "default_design")]
    design: DesignKind,
    #[serde(default)]
    samples: Option<i64>,
}

fn one() -> i64 {
    1
}

fn default_design() -> DesignKind {
    DesignKind::Grid
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DesignKind {
    /// Every combination of every parameter's levels.
    Grid,
    /// `samples` points, each parameter drawn independently.
    Random,
    /// `samples` points; each parameter's range cut into `samples` strata of
    /// equal probability, each stratum used once (McKay, Beckman & Conover 1979).
    #[serde(alias = "lhs")]
    LatinHypercube,
}

impl DesignKind {
    pub fn name(self) -> &'static str {
        match self {
            DesignKind::Grid => "grid",
            DesignKind::Random => "random",
            DesignKind::LatinHypercube => "latin_hypercube",
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ParamTable {
    path: String,
    #[serde(default)]
    values: Option<Vec<toml::Value>>,
    #[serde(default)]
    range: Option<RangeTable>,
    #[serde(default)]
    distribution: Option<DistTable>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RangeTable {
    from: toml::Value,
    to: toml::Value,
    #[serde(default)]
    step: Option<toml::Value>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
enum DistKind {
    Uniform,
    #[serde(alias = "log_uniform")]
    Loguniform,
    Normal,
    Lognormal,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DistTable {
    dist: DistKind,
    #[serde(default)]
    min: Option<f64>,
    #[serde(default)]
    max: Option<f64>,
    #[serde(default)]
    mean: Option<f64>,
    #[serde(default)]
    sd: Option<f64>,
    #[serde(default)]
    median: Option<f64>,
    #[serde(default)]
    sigma: Option<f64>,
}

// ---------------------------------------------------------------------------
// The sweep as checked.

/// A checked sweep: its base scenario, design and parameters.
#[derive(Clone, Debug, Serialize)]
pub struct Sweep {
    /// The sweep file, as given (messages only).
    #[serde(skip)]
    pub file: PathBuf,
    #[serde(skip)]
    text: String,
    pub name: String,
    /// The base scenario's path as written in the sweep file (relative to it).
    pub scenario: String,
    /// The base scenario's path, resolved.
    #[serde(skip)]
    pub scenario_file: PathBuf,
    pub seed: u64,
    pub replications: u32,
    pub design: DesignKind,
    /// Points of a random or Latin-hypercube design; none for a grid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub samples: Option<u32>,
    pub params: Vec<Param>,
    /// The base scenario as resolved.
    #[serde(skip)]
    pub base: Scenario,
    #[serde(skip)]
    base_json: Value,
}

/// One varied parameter.
#[derive(Clone, Debug, Serialize)]
pub struct Param {
    pub path: String,
    /// The field holds whole numbers: drawn values are rounded to integers.
    pub integer: bool,
    pub domain: Domain,
    #[serde(skip)]
    origin: Origin,
    #[serde(skip)]
    segments: Vec<Segment>,
}

/// Where a parameter's values come from in the sweep file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Origin {
    Values,
    Range,
    Distribution,
}

/// What values a parameter takes.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Domain {
    /// A finite list: `values`, or a `range` with a `step`. A grid uses each;
    /// random and Latin-hypercube designs pick one with equal probability.
    Levels(Vec<Value>),
    /// `range` without a step, or `{ dist = "uniform" }`: uniform on [min, max].
    Uniform {
        min: f64,
        max: f64,
    },
    /// ln x uniform on [ln min, ln max].
    Loguniform {
        min: f64,
        max: f64,
    },
    Normal {
        mean: f64,
        sd: f64,
    },
    /// ln x ~ N(ln median, sigma²).
    Lognormal {
        median: f64,
        sigma: f64,
    },
}

impl Domain {
    /// The levels of a finite domain.
    pub fn levels(&self) -> Option<&[Value]> {
        match self {
            Domain::Levels(v) => Some(v),
            _ => None,
        }
    }
}

/// One point of a design: a value for each parameter, in `params` order.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Point {
    pub index: usize,
    pub values: Vec<Value>,
    /// For each value taken from a list of levels, its position in the list
    /// (errors then point at that entry of `values`).
    #[serde(skip)]
    pub levels: Vec<Option<usize>>,
}

#[derive(Clone, Debug, PartialEq)]
enum Segment {
    Key(String),
    Index(usize),
}

/// A value as it reads in a message or a CSV cell: strings bare, the rest as JSON.
pub fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

// ---------------------------------------------------------------------------
// Loading.

/// Reads, parses and checks a sweep file and its base scenario. It does not
/// expand the design: see `crate::sweep::expand` and [`Sweep::check_points`].
#[allow(clippy::result_large_err)]
pub fn load_sweep(path: &Path, families: &dyn FamilyCatalog) -> Result<Sweep, ScenarioError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        let what = match e.kind() {
            std::io::ErrorKind::NotFound => "no such file".to_string(),
            std::io::ErrorKind::InvalidData => "the file is not UTF-8 text".to_string(),
            _ => e.to_string(),
        };
        ScenarioError::whole_file(path, format!("cannot read the sweep: {what}"))
            .accepting("a readable TOML sweep file, e.g. scenarios/sweeps/ci.toml")
    })?;
    parse_sweep(path, &text, families)
}

/// Parses and checks sweep text; `path` names the file in messages, and the
/// base scenario is found relative to its directory.
#[allow(clippy::result_large_err)]
pub fn parse_sweep(path: &Path, text: &str, families: &dyn FamilyCatalog) -> Result<Sweep, ScenarioError> {
    let file = read_file(path, text)?;
    let bad = |field: String, message: String, accepted: &str| {
        ScenarioError::at_span(path, text, locate::span_of(text, &field), Some(field), message).accepting(accepted)
    };

    // [sweep]
    let s = &file.sweep;
    let name_ok = !s.name.is_empty()
        && s.name.len() <= 64
        && s.name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        && !s.name.starts_with('.');
    if !name_ok {
        return Err(bad(
            "sweep.name".into(),
            format!("`{}` cannot name a results folder", s.name),
            "1–64 characters from A–Z, a–z, 0–9, `_`, `-`, `.` (not starting with `.`)",
        ));
    }
    if !(1..=MAX_REPLICATIONS).contains(&s.replications) {
        return Err(bad(
            "sweep.replications".into(),
            format!("{} is out of range", s.replications),
            "a whole number of runs per point from 1 to 100000",
        ));
    }
    let samples = match (s.design, s.samples) {
        (DesignKind::Grid, None) => None,
        (DesignKind::Grid, Some(_)) => {
            return Err(bad(
                "sweep.samples".into(),
                "a grid has one point per combination of levels; `samples` is for sampled designs".into(),
                "no `samples` with design = \"grid\", or design = \"random\" or \"latin_hypercube\"",
            ));
        }
        (_, None) => {
            return Err(bad(
                "sweep.design".into(),
                format!("design = \"{}\" needs `samples`, the number of points", s.design.name()),
                "samples = N, a whole number from 1 to 1000000",
            ));
        }
        (_, Some(n)) if !(1..=1_000_000).contains(&n) => {
            return Err(bad(
                "sweep.samples".into(),
                format!("{n} is out of range"),
                "a whole number from 1 to 1000000",
            ));
        }
        (_, Some(n)) => Some(n as u32),
    };

    // The base scenario, relative to the sweep file.
    let raw = path.parent().unwrap_or(Path::new("")).join(&s.scenario);
    let tidied = tidy(&raw);
    let scenario_file =
        if std::fs::canonicalize(&raw).ok() == std::fs::canonicalize(&tidied).ok() { tidied } else { raw };
    if !scenario_file.is_file() {
        return Err(bad(
            "sweep.scenario".into(),
            format!("cannot read the scenario {}: no such file", scenario_file.display()),
            "the path of a scenario file, relative to the sweep file, e.g. \"../baseline.toml\"",
        ));
    }
    let base = super::load(&scenario_file, families)?;
    let base_json = serde_json::to_value(&base).map_err(|e| {
        ScenarioError::whole_file(&scenario_file, format!("cannot represent the scenario as a tree: {e}"))
    })?;

    // [[param]]
    let mut params: Vec<Param> = Vec::with_capacity(file.param.len());
    for (i, p) in file.param.iter().enumerate() {
        let next = param(i, p, s.design, &base_json, &params, &bad, families)?;
        params.push(next);
    }

    let points: u64 = match s.design {
        DesignKind::Grid => {
            params.iter().map(|p| p.domain.levels().map_or(1, |l| l.len() as u64)).fold(1u64, u64::saturating_mul)
        }
        _ => u64::from(samples.unwrap_or(1)),
    };
    let runs = points.saturating_mul(s.replications as u64);
    if runs > MAX_RUNS {
        return Err(bad(
            "sweep".into(),
            format!("{points} points × {} replications is {runs} runs", s.replications),
            "at most 10000000 runs: fewer levels, samples or replications",
        ));
    }

    Ok(Sweep {
        file: path.to_path_buf(),
        text: text.to_string(),
        name: s.name.clone(),
        scenario: s.scenario.clone(),
        scenario_file,
        seed: s.seed,
        replications: s.replications as u32,
        design: s.design,
        samples,
        params,
        base,
        base_json,
    })
}

/// The sweep file as written: TOML syntax and the schema's types.
#[allow(clippy::result_large_err)]
fn read_file(path: &Path, text: &str) -> Result<SweepFile, ScenarioError> {
    let de = toml::de::Deserializer::parse(text).map_err(|e| {
        let field = e.span().and_then(|s| locate::key_at(text, s.start));
        let message = e.message().trim();
        ScenarioError::at_span(path, text, e.span(), field, format!("not valid TOML: {message}"))
            .accepting("TOML syntax (https://toml.io); check quotes, brackets and `key = value` lines")
    })?;
    serde_path_to_error::deserialize(de).map_err(|e| {
        let field = e.path().to_string();
        let field = (field != ".").then_some(field);
        let inner = e.into_inner();
        let message = inner
            .message()
            .replace("expected struct SweepTable", "expected a [sweep] table")
            .replace("expected struct ParamTable", "expected a [[param]] table")
            .replace(
                "expected struct RangeTable",
                "expected a range table such as { from = 0.1, to = 1.0, step = 0.1 }",
            )
            .replace(
                "expected struct DistTable",
                "expected a distribution table such as { dist = \"uniform\", min = 0.1, max = 1.0 }",
            );
        let (mut message, accepted) = explain_serde(&message);
        if message.starts_with("missing required field") && field.is_none() {
            message.push_str(" (the [sweep] table)");
        }
        let span = inner.span().or_else(|| field.as_deref().and_then(|f| locate::span_of(text, f)));
        let mut err = ScenarioError::at_span(path, text, span, field, message);
        let accepted = accepted.map(|a| {
            if a.starts_with("see scenarios/README.md") {
                "see scenarios/sweeps/README.md for every field".into()
            } else {
                a
            }
        });
        if let Some(accepted) = accepted {
            err = err.accepting(accepted);
        }
        err
    })
}

/// One `[[param]]` table, checked: its path against the base scenario, its values.
#[allow(clippy::result_large_err)]
fn param(
    i: usize,
    p: &ParamTable,
    design: DesignKind,
    base_json: &Value,
    earlier: &[Param],
    bad: &dyn Fn(String, String, &str) -> ScenarioError,
    families: &dyn FamilyCatalog,
) -> Result<Param, ScenarioError> {
    let at = |f: &str| format!("param[{i}].{f}");
    let segments = parse_path(&p.path).map_err(|m| bad(at("path"), m, PATH_ACCEPTED))?;
    if let Some(j) = earlier.iter().position(|q| q.path == p.path) {
        return Err(bad(
            at("path"),
            format!("`{}` is varied twice (also param[{j}])", p.path),
            "each parameter path once",
        ));
    }
    if p.path == "simulation.seed" {
        return Err(bad(
            at("path"),
            "each run's seed comes from the sweep: [sweep] seed, the point and the replication".into(),
            "any other scenario field; set [sweep] replications for more seeds per point",
        ));
    }
    let integer = probe(base_json, &segments, families).map_err(|(m, a)| bad(at("path"), m, &a))?;
    let given = [p.values.is_some(), p.range.is_some(), p.distribution.is_some()];
    if given.iter().filter(|&&g| g).count() != 1 {
        return Err(bad(
            format!("param[{i}]"),
            format!("`{}` needs exactly one of `values`, `range` and `distribution`", p.path),
            "values = [a, b, …], range = { from = a, to = b, step = s }, or distribution = { dist = \"uniform\", min = a, max = b }",
        ));
    }
    let (domain, origin) = if let Some(values) = &p.values {
        if values.is_empty() {
            return Err(bad(
                at("values"),
                "an empty list: the design would have no point".into(),
                "one or more values, e.g. values = [0.5, 1.0, 2.0]",
            ));
        }
        let mut out = Vec::with_capacity(values.len());
        for (j, v) in values.iter().enumerate() {
            out.push(
                to_json(v).map_err(|m| {
                    bad(format!("param[{i}].values[{j}]"), m, "a finite number, string, boolean or table")
                })?,
            );
        }
        (Domain::Levels(out), Origin::Values)
    } else if let Some(r) = &p.range {
        (range(r, design, &|f, m, a| bad(at(&format!("range.{f}")).trim_end_matches('.').into(), m, a))?, Origin::Range)
    } else if let Some(d) = &p.distribution {
        if design == DesignKind::Grid {
            return Err(bad(
                at("distribution"),
                "a distribution has no grid levels".into(),
                "values = [...] or range = { from = a, to = b, step = s } in a grid; a distribution needs design = \"random\" or \"latin_hypercube\"",
            ));
        }
        (
            distribution(d, &|f, m, a| bad(at(&format!("distribution.{f}")).trim_end_matches('.').into(), m, a))?,
            Origin::Distribution,
        )
    } else {
        unreachable!("exactly one source was checked above")
    };
    Ok(Param { path: p.path.clone(), integer, domain, origin, segments })
}

/// `a/b/../c` as `a/c` (lexically: for messages, and to open the same file).
fn tidy(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.components().next_back(), Some(Component::Normal(_))) => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

type Bad<'a> = dyn Fn(&str, String, &str) -> ScenarioError + 'a;

/// A number of the sweep file: integer or float.
fn number(v: &toml::Value) -> Option<(f64, bool)> {
    match v {
        toml::Value::Integer(i) => Some((*i as f64, true)),
        toml::Value::Float(f) if f.is_finite() => Some((*f, false)),
        _ => None,
    }
}

#[allow(clippy::result_large_err)]
fn range(r: &RangeTable, design: DesignKind, bad: &Bad<'_>) -> Result<Domain, ScenarioError> {
    let num = |f: &str, v: &toml::Value| number(v).ok_or_else(|| bad(f, format!("{v} is not a number"), "a number"));
    let (from, from_int) = num("from", &r.from)?;
    let (to, to_int) = num("to", &r.to)?;
    if to < from {
        return Err(bad("to", format!("`to` ({to}) is below `from` ({from}): the range is empty"), "to ≥ from"));
    }
    let Some(step) = &r.step else {
        if design == DesignKind::Grid {
            return Err(bad(
                "",
                "a range without a step has no grid levels".into(),
                "range = { from = a, to = b, step = s } in a grid; without a step, design = \"random\" or \"latin_hypercube\" draws uniformly from [from, to]",
            ));
        }
        return Ok(Domain::Uniform { min: from, max: to });
    };
    let (step, step_int) = num("step", step)?;
    if step <= 0.0 {
        return Err(bad("step", format!("{step} is not above 0"), "a step above 0"));
    }
    let count = ((to - from) / step * (1.0 + 1e-12) + 1e-9).floor() + 1.0;
    if count > MAX_LEVELS {
        return Err(bad("step", format!("the range has {count} levels"), "at most 1000000 levels: a larger step"));
    }
    let levels = (0..count as usize)
        .map(|k| {
            if from_int && to_int && step_int {
                Value::from(from as i64 + k as i64 * step as i64)
            } else {
                Value::from(round_sig(from + k as f64 * step))
            }
        })
        .collect();
    Ok(Domain::Levels(levels))
}

#[allow(clippy::result_large_err)]
fn distribution(d: &DistTable, bad: &Bad<'_>) -> Result<Domain, ScenarioError> {
    let given =
        [("min", d.min), ("max", d.max), ("mean", d.mean), ("sd", d.sd), ("median", d.median), ("sigma", d.sigma)];
    let (needs, accepted): (&[&str], &str) = match d.dist {
        DistKind::Uniform => (&["min", "max"], "{ dist = \"uniform\", min = a, max = b } with b ≥ a"),
        DistKind::Loguniform => (&["min", "max"], "{ dist = \"loguniform\", min = a, max = b } with 0 < a ≤ b"),
        DistKind::Normal => (&["mean", "sd"], "{ dist = \"normal\", mean = m, sd = s } with s ≥ 0"),
        DistKind::Lognormal => {
            (&["median", "sigma"], "{ dist = \"lognormal\", median = m, sigma = s } with m > 0, s ≥ 0")
        }
    };
    for (name, v) in given {
        match (needs.contains(&name), v) {
            (true, None) => return Err(bad("", format!("`{name}` is missing"), accepted)),
            (false, Some(_)) => {
                return Err(bad(name, format!("`{name}` is not a field of this distribution"), accepted));
            }
            (_, Some(x)) if !x.is_finite() => return Err(bad(name, format!("{x} is not a finite number"), accepted)),
            _ => {}
        }
    }
    let g = |v: Option<f64>| v.unwrap_or(0.0);
    Ok(match d.dist {
        DistKind::Uniform | DistKind::Loguniform => {
            let (min, max) = (g(d.min), g(d.max));
            if max < min {
                return Err(bad("max", format!("max ({max}) is below min ({min})"), accepted));
            }
            if d.dist == DistKind::Loguniform {
                if min <= 0.0 {
                    return Err(bad("min", format!("{min} is not above 0"), accepted));
                }
                Domain::Loguniform { min, max }
            } else {
                Domain::Uniform { min, max }
            }
        }
        DistKind::Normal => {
            if g(d.sd) < 0.0 {
                return Err(bad("sd", format!("{} is below 0", g(d.sd)), accepted));
            }
            Domain::Normal { mean: g(d.mean), sd: g(d.sd) }
        }
        DistKind::Lognormal => {
            if g(d.median) <= 0.0 {
                return Err(bad("median", format!("{} is not above 0", g(d.median)), accepted));
            }
            if g(d.sigma) < 0.0 {
                return Err(bad("sigma", format!("{} is below 0", g(d.sigma)), accepted));
            }
            Domain::Lognormal { median: g(d.median), sigma: g(d.sigma) }
        }
    })
}

/// `x` rounded to 12 significant digits, so levels read as written
/// (0.1 + 2 × 0.1 is 0.3) and drawn values do not depend on the last bit of
/// a platform's `ln`/`exp`.
pub fn round_sig(x: f64) -> f64 {
    if !x.is_finite() || x == 0.0 {
        return x;
    }
    format!("{x:.11e}").parse().unwrap_or(x)
}

fn to_json(v: &toml::Value) -> Result<Value, String> {
    Ok(match v {
        toml::Value::String(s) => Value::String(s.clone()),
        toml::Value::Integer(i) => Value::from(*i),
        toml::Value::Float(f) => {
            serde_json::Number::from_f64(*f).map(Value::Number).ok_or_else(|| format!("{f} is not a finite number"))?
        }
        toml::Value::Boolean(b) => Value::Bool(*b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.iter().map(to_json).collect::<Result<_, _>>()?),
        toml::Value::Table(t) => {
            Value::Object(t.iter().map(|(k, v)| Ok((k.clone(), to_json(v)?))).collect::<Result<_, String>>()?)
        }
    })
}

// ---------------------------------------------------------------------------
// Paths.

fn parse_path(path: &str) -> Result<Vec<Segment>, String> {
    let bad = || format!("`{path}` is not a parameter path");
    if path.is_empty() {
        return Err("the path is empty".into());
    }
    let mut out = Vec::new();
    for part in path.split('.') {
        let (key, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(bad());
        }
        out.push(Segment::Key(key.to_string()));
        while !rest.is_empty() {
            let close = rest.find(']').ok_or_else(bad)?;
            if !rest.starts_with('[') {
                return Err(bad());
            }
            let index = &rest[1..close];
            if index.is_empty() || !index.chars().all(|c| c.is_ascii_digit()) {
                return Err(bad());
            }
            out.push(Segment::Index(index.parse().map_err(|_| bad())?));
            rest = &rest[close + 1..];
        }
    }
    Ok(out)
}

fn path_text(segments: &[Segment]) -> String {
    let mut s = String::new();
    for seg in segments {
        match seg {
            Segment::Key(k) => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(k);
            }
            Segment::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

/// Sets `segments` in the tree to `value`. Missing tables on the way are
/// created (the schema then says whether they may exist); an array index
/// must name an existing entry.
fn set(root: &mut Value, segments: &[Segment], value: Value) -> Result<(), String> {
    let mut node = root;
    for (k, seg) in segments.iter().enumerate() {
        let last = k + 1 == segments.len();
        let here = || path_text(&segments[..k]);
        match seg {
            Segment::Key(key) => {
                if node.is_null() {
                    *node = Value::Object(Default::default());
                }
                let Value::Object(map) = node else {
                    return Err(format!("`{}` is {}, not a table: it has no field `{key}`", here(), kind(node)));
                };
                if last {
                    map.insert(key.clone(), value);
                    return Ok(());
                }
                node = map.entry(key.clone()).or_insert(Value::Null);
            }
            Segment::Index(i) => {
                let Value::Array(items) = node else {
                    return Err(format!("`{}` is {}, not an array: it has no entry [{i}]", here(), kind(node)));
                };
                let n = items.len();
                let Some(item) = items.get_mut(*i) else {
                    return Err(match n {
                        0 => format!("`{}` has no entries", here()),
                        _ => format!("`{}` has {n} entries: [0] to [{}]", here(), n - 1),
                    });
                };
                if last {
                    *item = value;
                    return Ok(());
                }
                node = item;
            }
        }
    }
    Ok(())
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "absent",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "a table",
    }
}

/// Checks that a path names a scenario field, by setting it to 0.5 on the
/// base and reading the result back. Returns whether the field holds whole
/// numbers; a path error comes with what is accepted.
fn probe(base: &Value, segments: &[Segment], families: &dyn FamilyCatalog) -> Result<bool, (String, String)> {
    let mut tree = base.clone();
    set(&mut tree, segments, Value::from(0.5)).map_err(|m| (m, PATH_ACCEPTED.to_string()))?;
    match serde_path_to_error::deserialize::<_, Scenario>(tree) {
        // A behaviour's parameters are a free table to the schema: their
        // family's own check says whether the name exists and takes integers.
        Ok(s) => match validate::validate(&s, families) {
            Err(v) if v.field == path_text(segments) && v.message.contains("is not a parameter") => {
                Err((v.message, v.accepted))
            }
            Err(v) => Ok(v.field == path_text(segments) && v.message.ends_with("expected an integer")),
            Ok(()) => Ok(false),
        },
        Err(e) => {
            let at = e.path().to_string();
            let message = e.into_inner().to_string();
            if let Some(rest) = message.strip_prefix("unknown field ") {
                let (field, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
                let table = if at.ends_with(&format!(".{}", field.trim_matches('`'))) {
                    at.rsplit_once('.').map_or(String::new(), |(t, _)| t.to_string())
                } else {
                    at.clone()
                };
                let within =
                    if table.is_empty() || table == "." { "the scenario".into() } else { format!("`{table}`") };
                return Err((
                    format!("no field {field} in {within}"),
                    format!("{}; see scenarios/README.md", expected.trim()),
                ));
            }
            let whole = path_text(segments);
            Ok(at == whole && (message.ends_with("expected i64") || message.ends_with("expected u64")))
        }
    }
}

// ---------------------------------------------------------------------------
// Points.

impl Sweep {
    /// Runs in the sweep: points × replications.
    pub fn runs(&self, points: usize) -> u64 {
        points as u64 * u64::from(self.replications)
    }

    /// The scenario of one point: the base with each parameter set to the
    /// point's value, read back through the schema and validated. An error
    /// is located at the sweep file's entry for the parameter to blame.
    #[allow(clippy::result_large_err)]
    pub fn scenario_at(&self, point: &Point, families: &dyn FamilyCatalog) -> Result<Scenario, ScenarioError> {
        let mut tree = self.base_json.clone();
        for (i, (p, v)) in self.params.iter().zip(&point.values).enumerate() {
            set(&mut tree, &p.segments, v.clone())
                .map_err(|m| self.point_error(point, i, &p.path, m, PATH_ACCEPTED))?;
        }
        let scenario: Scenario = serde_path_to_error::deserialize(tree).map_err(|e| {
            let at = e.path().to_string();
            let (message, accepted) = explain_serde(&e.into_inner().to_string());
            let accepted = accepted.unwrap_or_else(|| "see scenarios/README.md".into());
            self.point_error(point, self.blame(&at), &at, message, &accepted)
        })?;
        validate::validate(&scenario, families).map_err(|v| {
            let i = self.blame(&v.field);
            self.point_error(point, i, &v.field, v.message, &v.accepted)
        })?;
        Ok(scenario)
    }

    /// Checks every point, in parallel; the error of the first bad point.
    #[allow(clippy::result_large_err)]
    pub fn check_points(&self, points: &[Point], families: &dyn FamilyCatalog) -> Result<(), ScenarioError> {
        use rayon::prelude::*;
        match points.par_iter().find_map_first(|p| self.scenario_at(p, families).err()) {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// The parameter a scenario field's error belongs to: the one whose
    /// path is that field or holds it (or is held by it), else the first.
    fn blame(&self, field: &str) -> usize {
        let within =
            |a: &str, b: &str| a == b || (a.starts_with(b) && matches!(a.as_bytes().get(b.len()), Some(b'.' | b'[')));
        self.params
            .iter()
            .enumerate()
            .filter(|(_, p)| within(field, &p.path) || within(&p.path, field))
            .max_by_key(|(_, p)| p.path.len())
            .map_or(0, |(i, _)| i)
    }

    /// The point's values, for messages: `a = 1, b = 0.5`.
    pub fn describe(&self, point: &Point) -> String {
        self.params
            .iter()
            .zip(&point.values)
            .map(|(p, v)| format!("{} = {}", p.path, value_text(v)))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn point_error(&self, point: &Point, i: usize, field: &str, message: String, accepted: &str) -> ScenarioError {
        let at = match self.params.get(i) {
            None => "param".to_string(),
            Some(p) => match (p.origin, point.levels.get(i).copied().flatten()) {
                (Origin::Values, Some(j)) => format!("param[{i}].values[{j}]"),
                (Origin::Values, None) => format!("param[{i}].values"),
                (Origin::Range, _) => format!("param[{i}].range"),
                (Origin::Distribution, _) => format!("param[{i}].distribution"),
            },
        };
        let what = if self.params.is_empty() { String::new() } else { format!(" ({})", self.describe(point)) };
        let whose = match self.params.get(i) {
            Some(p) if p.path == field => String::new(),
            _ => format!(" makes {field} of {} wrong", self.scenario_file.display()),
        };
        ScenarioError::at_span(
            &self.file,
            &self.text,
            locate::span_of(&self.text, &at),
            Some(at),
            format!("point {}{what}{whose}: {message}", point.index),
        )
        .accepting(accepted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_parse_and_print() {
        let p = parse_path("agents[1].params.herding").unwrap();
        assert_eq!(
            p,
            [
                Segment::Key("agents".into()),
                Segment::Index(1),
                Segment::Key("params".into()),
                Segment::Key("herding".into())
            ]
        );
        assert_eq!(path_text(&p), "agents[1].params.herding");
        for bad in ["", "a..b", "a[x]", "a[1", "a]", "[0].a", "a[]", "a b", "a.[0]"] {
            assert!(parse_path(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn set_creates_tables_but_not_array_entries() {
        let mut v: Value = serde_json::json!({ "a": [ { "b": 1 } ], "s": "x" });
        set(&mut v, &parse_path("a[0].c.d").unwrap(), Value::from(2)).unwrap();
        assert_eq!(v["a"][0]["c"]["d"], 2);
        assert!(set(&mut v, &parse_path("a[1].b").unwrap(), Value::from(2)).unwrap_err().contains("1 entries"));
        assert!(set(&mut v, &parse_path("s.t").unwrap(), Value::from(2)).unwrap_err().contains("not a table"));
        assert!(set(&mut v, &parse_path("s[0]").unwrap(), Value::from(2)).unwrap_err().contains("not an array"));
    }

    #[test]
    fn twelve_significant_digits() {
        assert_eq!(round_sig(0.1 + 0.2), 0.3);
        assert_eq!(round_sig(0.02 + 3.0 * 0.01), 0.05);
        assert_eq!(round_sig(123456.0), 123456.0);
        assert_eq!(round_sig(-1.0e-7 * 3.0), -3.0e-7);
    }
}
