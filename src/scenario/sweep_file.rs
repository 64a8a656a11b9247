//! Sweep files: the TOML that names a base scenario, the parameters to vary
//! and how (a full grid, random samples or a Latin hypercube), and the
//! replications. This module parses and checks them; `crate::batch` expands
//! the design and runs it.
//!
//! A parameter is named by its path in the scenario (see [`super::param_path`]);
//! each value is set on the resolved scenario and read back through the
//! scenario's own schema and validation, so an error is refused with the same
//! words as in a scenario file and located at the sweep file's line for that
//! parameter (`param[1].values[2]`).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::catalog::{FamilyCatalog, ParamMeaning};
use super::error::ScenarioError;
use super::param_domain::{DistTable, Domain, RangeTable, distribution, range};
use super::param_path::{PATH_ACCEPTED, ParamPath, to_json, value_text};
use super::schema::Scenario;
use super::{explain, locate, validate};

/// Most runs (points × replications) a sweep may describe.
pub const MAX_RUNS: u64 = 10_000_000;
/// Most replications of a point.
pub const MAX_REPLICATIONS: i64 = 100_000;
/// Most points a sampled design may draw.
pub const MAX_SAMPLES: i64 = 1_000_000;

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

/// How a sweep chooses its points from the parameters' domains.
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
    /// The design's name as `sweep.json` writes it.
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
    /// The sweep's name (names its output directory).
    pub name: String,
    /// The base scenario's path as written in the sweep file (relative to it).
    pub scenario: String,
    /// The base scenario's path, resolved.
    #[serde(skip)]
    pub scenario_file: PathBuf,
    /// The sweep's seed: each run's seed derives from it, the point and the
    /// replication (`batch::run_seed`).
    pub seed: u64,
    /// Runs of each point, each with its own seed.
    pub replications: u32,
    /// How the points are chosen.
    pub design: DesignKind,
    /// Points of a random or Latin-hypercube design; none for a grid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub samples: Option<u32>,
    /// The varied parameters, in the sweep file's order (the order of a point's
    /// values and of the `sweep.csv` parameter columns).
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
    /// The scenario field varied, as a path into the scenario such as
    /// `macro.loan_rate.value` or `agents[3].params.buy_prob`.
    pub path: String,
    /// The field holds whole numbers: drawn values are rounded to integers.
    pub integer: bool,
    /// What values the parameter takes.
    pub domain: Domain,
    /// For a behaviour parameter (`agents[i].params.NAME`), its group's
    /// family.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub family: Option<String>,
    /// For a behaviour parameter, what it means in its family's words: kept
    /// in `sweep.json`, so that the report titles the axis with its unit
    /// without knowing the family (one only the sweeping program had).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meaning: Option<ParamMeaning>,
    #[serde(skip)]
    origin: Origin,
    #[serde(skip)]
    parsed: ParamPath,
    /// The field reads a real number (0.5 reads), not a whole number, a
    /// duration, a flag or a name: [`Param::is_real`].
    #[serde(skip)]
    real: bool,
}

impl Param {
    /// Whether the field holds a real number, so that a whole-number level
    /// given for it (`0` in `[0, 0.5]`) is the real `0.0`.
    pub fn is_real(&self) -> bool {
        self.real
    }
}

/// Where a parameter's values come from in the sweep file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Origin {
    Values,
    Range,
    Distribution,
}

/// One point of a design: a value for each parameter, in `params` order.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Point {
    /// The point's number, from 0 in design order (the `point` column of
    /// `sweep.csv`).
    pub index: usize,
    /// The parameters' values at this point, in [`Sweep::params`] order.
    pub values: Vec<Value>,
    /// For each value taken from a list of levels, its position in the list
    /// (errors then point at that entry of `values`).
    #[serde(skip)]
    pub levels: Vec<Option<usize>>,
}

impl Sweep {
    /// Runs in the sweep: points × replications.
    pub fn runs(&self, points: usize) -> u64 {
        points as u64 * u64::from(self.replications)
    }
}

// ---------------------------------------------------------------------------
// Loading.

/// Reads, parses and checks a sweep file and its base scenario. It does not
/// expand the design: see `crate::batch::expand` and [`Sweep::check_points`].
pub fn load_sweep(path: impl AsRef<Path>, families: &dyn FamilyCatalog) -> Result<Sweep, ScenarioError> {
    let path = path.as_ref();
    let bytes = super::read_bytes(path, "sweep", "a readable TOML sweep file, e.g. scenarios/sweeps/ci.toml")?;
    parse_sweep(path, super::decode(path, &bytes)?, families)
}

/// Parses and checks sweep text; `path` names the file in messages, and the
/// base scenario is found relative to its directory.
pub fn parse_sweep(path: &Path, text: &str, families: &dyn FamilyCatalog) -> Result<Sweep, ScenarioError> {
    let file = read_file(path, text)?;
    let bad = |field: String, message: String, accepted: &str| {
        ScenarioError::at_span(path, text, locate::span_of(text, &field), Some(field), message).accepting(accepted)
    };

    // [sweep]
    let s = &file.sweep;
    if !validate::names_a_folder(&s.name) {
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
            &format!("a whole number of runs per point from 1 to {MAX_REPLICATIONS}"),
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
                &format!("samples = N, a whole number from 1 to {MAX_SAMPLES}"),
            ));
        }
        (_, Some(n)) if !(1..=MAX_SAMPLES).contains(&n) => {
            return Err(bad(
                "sweep.samples".into(),
                format!("{n} is out of range"),
                &format!("a whole number from 1 to {MAX_SAMPLES}"),
            ));
        }
        (_, Some(n)) => Some(n as u32),
    };

    // The base scenario, relative to the sweep file.
    let raw = path.parent().unwrap_or(Path::new("")).join(&s.scenario);
    let tidied = tidy(&raw);
    let scenario_file =
        if std::fs::canonicalize(&raw).ok() == std::fs::canonicalize(&tidied).ok() { tidied } else { raw };
    // Each run reads the base again, so it must be a file, not a pipe.
    let unreadable = match std::fs::metadata(&scenario_file) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Some("no such file".to_string()),
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => Some("permission denied".to_string()),
        Err(e) => Some(e.to_string()),
        Ok(m) if m.is_dir() => Some("it is a directory".to_string()),
        Ok(m) if !m.is_file() => Some("it is not a regular file (a device or a pipe)".to_string()),
        Ok(_) => None,
    };
    if let Some(why) = unreadable {
        return Err(bad(
            "sweep.scenario".into(),
            format!("cannot read the scenario {}: {why}", scenario_file.display()),
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
        // At the figure that multiplies the points, where the file gives one.
        let field = if s.replications > 1 {
            "sweep.replications"
        } else if samples.is_some() {
            "sweep.samples"
        } else {
            "sweep"
        };
        return Err(bad(
            field.into(),
            format!("{points} points × {} replications is {runs} runs", s.replications),
            &format!("at most {MAX_RUNS} runs: fewer levels, samples or replications"),
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
fn read_file(path: &Path, text: &str) -> Result<SweepFile, ScenarioError> {
    let de = toml::de::Deserializer::parse(text).map_err(|e| super::syntax_error(path, text, &e))?;
    serde_path_to_error::deserialize(de)
        .map_err(|e| super::serde_error(path, text, &e, Some("scenarios/sweeps/README.md")))
}

/// One `[[param]]` table, checked: its path against the base scenario, its values.
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
    let parsed = ParamPath::parse(&p.path).map_err(|e| bad(at("path"), e.to_string(), PATH_ACCEPTED))?;
    if let Some((j, q)) = earlier.iter().enumerate().find(|(_, q)| q.parsed.overlaps(&parsed)) {
        let message = if q.parsed == parsed {
            format!("`{}` is varied twice (also param[{j}], `{}`)", p.path, q.path)
        } else {
            format!("`{}` and param[{j}]'s `{}` vary the same field (one holds the other)", p.path, q.path)
        };
        return Err(bad(at("path"), message, "each scenario field varied by one [[param]] only"));
    }
    if p.path == "simulation.seed" {
        return Err(bad(
            at("path"),
            "each run's seed comes from the sweep: [sweep] seed, the point and the replication".into(),
            "any other scenario field; set [sweep] replications for more seeds per point",
        ));
    }
    let integer = parsed.probe(base_json, families).map_err(|e| bad(at("path"), e.to_string(), &e.accepted()))?;
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
        let mut out: Vec<Value> = Vec::with_capacity(values.len());
        for (j, v) in values.iter().enumerate() {
            let v = to_json(v).map_err(|e| {
                bad(format!("param[{i}].values[{j}]"), e.to_string(), "a finite number, string, boolean or table")
            })?;
            // Two equal levels would be two points of one scenario, which a
            // report would set side by side as if they differed.
            if let Some(k) = out.iter().position(|w| same_level(w, &v)) {
                return Err(bad(
                    format!("param[{i}].values[{j}]"),
                    format!("{v} is given twice (also values[{k}]): the two points would be the same scenario"),
                    "distinct values; set [sweep] replications for more seeds per point",
                ));
            }
            out.push(v);
        }
        // Alike as the scenario reads them, though written otherwise: a
        // duration "5m" and "300s", a date with or without its quotes.
        let mut read = std::collections::HashMap::with_capacity(out.len());
        for (j, v) in out.iter().enumerate() {
            if let Some(k) = read_as(&parsed, base_json, v).and_then(|tree| read.insert(tree, j)) {
                return Err(bad(
                    format!("param[{i}].values[{j}]"),
                    format!(
                        "{v} is the same `{}` as values[{k}] ({}) once read: the two points would be the same scenario",
                        p.path, out[k]
                    ),
                    "distinct values; set [sweep] replications for more seeds per point",
                ));
            }
        }
        (Domain::Levels(out), Origin::Values)
    } else if let Some(r) = &p.range {
        (
            range(r, design == DesignKind::Grid, &|f, m, a| {
                bad(at(&format!("range.{f}")).trim_end_matches('.').into(), m, a)
            })?,
            Origin::Range,
        )
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
    let (family, meaning) = match parsed.behaviour_param() {
        Some((group, name)) => {
            let family = base_json.get("agents").and_then(|a| a.get(group)?.get("family")?.as_str());
            (family.map(str::to_string), family.and_then(|f| families.param_meaning(f, name)))
        }
        None => (None, None),
    };
    let real = !integer && read_as(&parsed, base_json, &Value::from(0.5)).is_some();
    Ok(Param { path: p.path.clone(), integer, domain, family, meaning, origin, parsed, real })
}

/// The scenario `base` becomes with the field at `parsed` set to `level`,
/// as the schema reads it back (durations in nanoseconds, numbers as their
/// field's type), as text to compare; None where the level alone does not
/// read (said when the points are checked).
fn read_as(parsed: &ParamPath, base: &Value, level: &Value) -> Option<String> {
    let mut tree = base.clone();
    parsed.set(&mut tree, level.clone()).ok()?;
    let scenario: Scenario = serde_json::from_value(tree).ok()?;
    serde_json::to_string(&scenario).ok()
}

/// Whether two levels of a `values` list set the field alike: numbers by
/// value (`1` and `1.0`, `0.02` and `0.020`), integers exactly (2^53 and
/// 2^53 + 1 are two seeds, which as floats would be one), anything else as
/// written.
fn same_level(a: &Value, b: &Value) -> bool {
    let whole = |v: &Value| v.as_i64().map(i128::from).or_else(|| v.as_u64().map(i128::from));
    // A float is an integer's level only if it is that integer exactly.
    let is = |f: f64, i: i128| f.fract() == 0.0 && f.abs() < 2f64.powi(100) && f as i128 == i;
    match (whole(a), whole(b), a.as_f64(), b.as_f64()) {
        (Some(x), Some(y), _, _) => x == y,
        (Some(i), None, _, Some(f)) | (None, Some(i), Some(f), _) => is(f, i),
        (None, None, Some(x), Some(y)) => x == y,
        _ => a == b,
    }
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

// ---------------------------------------------------------------------------
// A sweep's points applied to its base scenario.

impl Sweep {
    /// The scenario of one point: the base with each parameter set to the
    /// point's value, read back through the schema and validated. An error
    /// is located at the sweep file's entry for the parameter to blame.
    pub fn scenario_at(&self, point: &Point, families: &dyn FamilyCatalog) -> Result<Scenario, ScenarioError> {
        let mut tree = self.base_json.clone();
        for (i, (p, v)) in self.params.iter().zip(&point.values).enumerate() {
            p.parsed
                .set(&mut tree, v.clone())
                .map_err(|e| self.point_error(point, i, &p.path, e.to_string(), PATH_ACCEPTED))?;
        }
        let scenario: Scenario = serde_path_to_error::deserialize(tree).map_err(|e| {
            let at = e.path().to_string();
            let (message, accepted) = explain::explain_words(&e.into_inner().to_string());
            let accepted = accepted.unwrap_or_else(|| super::fields::see_help(Some(&at)));
            self.point_error(point, self.blame(&at), &at, message, &accepted)
        })?;
        validate::validate(&scenario, families).map_err(|v| {
            let i = self.blame(&v.field);
            self.point_error(point, i, &v.field, v.message, &v.accepted)
        })?;
        Ok(scenario)
    }

    /// Checks every point, in parallel; the error of the first bad point.
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
    use super::same_level;
    use serde_json::json;

    #[test]
    fn levels_are_alike_by_value_and_integers_exactly() {
        assert!(same_level(&json!(1), &json!(1.0)) && same_level(&json!(0.02), &json!(0.020)));
        let big = 1u64 << 53;
        assert!(!same_level(&json!(big), &json!(big + 1)), "two seeds, not one");
        assert!(same_level(&json!(big), &json!(big as f64)));
        assert!(!same_level(&json!(big + 1), &json!(big as f64)), "the float is 2^53, not 2^53 + 1");
        assert!(same_level(&json!(u64::MAX), &json!(u64::MAX)) && !same_level(&json!(-1), &json!(u64::MAX)));
        assert!(!same_level(&json!(1), &json!(1.5)) && same_level(&json!("a"), &json!("a")));
    }
}
