//! Parameter paths: a scenario field named by its TOML field names joined by
//! `.`, with `[i]` (from 0) for an entry of an array — `agents[1].count`,
//! `agents[2].params.herding`, `macro.loan_rate.theta`, `simulation.window`,
//! `events[0].at`. This module parses a path and sets a value at it in the
//! scenario's serde tree (the resolved scenario, defaults filled in, as
//! JSON); the caller reads the tree back through the schema and validation,
//! so a path that does not exist, a value of the wrong type and a value that
//! fails validation are refused with the same words as in a scenario file.
//!
//! Every scenario field is reachable, including whole tables
//! (`agents[0].budget`, with table values).

use serde_json::Value;

use super::catalog::FamilyCatalog;
use super::error::ScenarioError;
use super::schema::Scenario;
use super::validate::{self, Invalid, InvalidKind, ValueType};
use super::{explain, fields};

/// The accepted spelling of a parameter path, for error messages.
pub const PATH_ACCEPTED: &str = "a dotted path of the scenario's field names, with [i] (from 0) for an entry of an \
     array, e.g. agents[1].count, agents[2].params.herding, macro.loan_rate.theta, product[0].min_credit_score";

/// Why a path cannot be parsed or set in a tree.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PathError {
    #[error("the path is empty")]
    Empty,
    #[error("`{0}` is not a parameter path")]
    Malformed(String),
    #[error("`{at}` is {kind}, not a table: it has no field `{key}`")]
    NotATable { at: String, kind: &'static str, key: String },
    #[error("`{at}` is {kind}, not an array: it has no entry [{index}]")]
    NotAnArray { at: String, kind: &'static str, index: usize },
    #[error("`{at}` has no entries")]
    NoEntries { at: String },
    #[error("`{at}` has {len} entries: [0] to [{}]", .len - 1)]
    NoSuchEntry { at: String, len: usize },
}

/// Why a path does not name a scenario field.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProbeError {
    #[error(transparent)]
    Path(#[from] PathError),
    /// The schema has no such field; `expected` lists the fields it has.
    #[error("no field {field} in {within}")]
    UnknownField {
        field: String,
        within: String,
        expected: String,
        #[source]
        source: serde_json::Error,
    },
    /// A behaviour's parameter table does not take the name (its family says so).
    #[error("{}", .0.message)]
    NotAParameter(Invalid),
}

impl ProbeError {
    /// What a user may write instead, for the message's `accepted:` line.
    pub fn accepted(&self) -> String {
        match self {
            ProbeError::Path(_) => PATH_ACCEPTED.to_string(),
            ProbeError::UnknownField { expected, .. } => format!("{}; see `tplus help scenario`", expected.trim()),
            ProbeError::NotAParameter(invalid) => invalid.accepted.clone(),
        }
    }
}

/// A sweep file's value that has no place in the scenario's tree.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ValueError {
    #[error("{0} is not a finite number")]
    NotFinite(f64),
}

#[derive(Clone, Debug, PartialEq)]
enum Segment {
    Key(String),
    Index(usize),
}

/// A parsed parameter path.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamPath {
    segments: Vec<Segment>,
}

impl ParamPath {
    pub fn parse(path: &str) -> Result<ParamPath, PathError> {
        let bad = || PathError::Malformed(path.to_string());
        if path.is_empty() {
            return Err(PathError::Empty);
        }
        let mut segments = Vec::new();
        for part in path.split('.') {
            let (key, mut rest) = match part.find('[') {
                Some(i) => (&part[..i], &part[i..]),
                None => (part, ""),
            };
            if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(bad());
            }
            segments.push(Segment::Key(key.to_string()));
            while !rest.is_empty() {
                let close = rest.find(']').ok_or_else(bad)?;
                if !rest.starts_with('[') {
                    return Err(bad());
                }
                let index = &rest[1..close];
                if index.is_empty() || !index.chars().all(|c| c.is_ascii_digit()) {
                    return Err(bad());
                }
                segments.push(Segment::Index(index.parse().map_err(|_| bad())?));
                rest = &rest[close + 1..];
            }
        }
        Ok(ParamPath { segments })
    }

    /// The group and parameter name of a path into a group's behaviour
    /// parameters (`agents[2].params.threshold` → `(2, "threshold")`).
    pub fn behaviour_param(&self) -> Option<(usize, &str)> {
        match self.segments.as_slice() {
            [Segment::Key(agents), Segment::Index(i), Segment::Key(params), Segment::Key(name)]
                if agents == "agents" && params == "params" =>
            {
                Some((*i, name))
            }
            _ => None,
        }
    }

    /// Whether setting one path may change what the other names: the same
    /// field however written (`agents[03]` is `agents[3]`), or one a table
    /// that holds the other (`agents[1].budget` and `agents[1].budget.value`).
    pub fn overlaps(&self, other: &ParamPath) -> bool {
        let n = self.segments.len().min(other.segments.len());
        self.segments[..n] == other.segments[..n]
    }

    /// The path as written, canonically.
    pub fn text(&self) -> String {
        text(&self.segments)
    }

    /// Sets the path in the tree to `value`. Missing tables on the way are
    /// created (the schema then says whether they may exist); an array index
    /// must name an existing entry.
    pub fn set(&self, root: &mut Value, value: Value) -> Result<(), PathError> {
        let segments = &self.segments;
        let mut node = root;
        for (k, seg) in segments.iter().enumerate() {
            let last = k + 1 == segments.len();
            let here = || text(&segments[..k]);
            match seg {
                Segment::Key(key) => {
                    if node.is_null() {
                        *node = Value::Object(Default::default());
                    }
                    let Value::Object(map) = node else {
                        return Err(PathError::NotATable { at: here(), kind: kind(node), key: key.clone() });
                    };
                    if last {
                        map.insert(key.clone(), value);
                        return Ok(());
                    }
                    node = map.entry(key.clone()).or_insert(Value::Null);
                }
                Segment::Index(i) => {
                    let Value::Array(items) = node else {
                        return Err(PathError::NotAnArray { at: here(), kind: kind(node), index: *i });
                    };
                    let n = items.len();
                    let Some(item) = items.get_mut(*i) else {
                        return Err(match n {
                            0 => PathError::NoEntries { at: here() },
                            _ => PathError::NoSuchEntry { at: here(), len: n },
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

    /// Checks that the path names a scenario field, by setting it to 0.5 on
    /// the base tree and reading the result back. Returns whether the field
    /// holds whole numbers.
    pub fn probe(&self, base: &Value, families: &dyn FamilyCatalog) -> Result<bool, ProbeError> {
        let mut tree = base.clone();
        self.set(&mut tree, Value::from(0.5))?;
        match serde_path_to_error::deserialize::<_, Scenario>(tree) {
            // A behaviour's parameters are a free table to the schema: their
            // family's own check says whether the name exists and takes integers.
            Ok(s) => match validate::validate(&s, families) {
                Err(v) if v.field == self.text() && v.kind == InvalidKind::UnknownField => {
                    Err(ProbeError::NotAParameter(v))
                }
                Err(v) => Ok(v.field == self.text() && v.kind == InvalidKind::WrongType(ValueType::Integer)),
                Ok(()) => Ok(false),
            },
            Err(e) => {
                let at = e.path().to_string();
                let source = e.into_inner();
                let message = source.to_string();
                if let Some(rest) = message.strip_prefix("unknown field ") {
                    let (field, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
                    let table = if at.ends_with(&format!(".{}", field.trim_matches('`'))) {
                        at.rsplit_once('.').map_or(String::new(), |(t, _)| t.to_string())
                    } else {
                        at.clone()
                    };
                    let within =
                        if table.is_empty() || table == "." { "the scenario".into() } else { format!("`{table}`") };
                    return Err(ProbeError::UnknownField {
                        field: field.to_string(),
                        within,
                        expected: expected.to_string(),
                        source,
                    });
                }
                Ok(at == self.text() && (message.ends_with("expected i64") || message.ends_with("expected u64")))
            }
        }
    }
}

/// `base` with each field named by a parameter path set to its value, in
/// order, read back through the schema and validated: a sweep point's
/// scenario built from values given in code (the Python package's
/// `Scenario.with_params`, a design given point by point). A path that does
/// not parse or exist, a value of the wrong type and a value that fails
/// validation are refused with the words of a scenario file's errors, the
/// field named; `origin` names where the values came from in the message
/// (there is no line to point to).
pub fn with_values(
    base: &Scenario,
    values: &[(String, Value)],
    origin: &std::path::Path,
    families: &dyn FamilyCatalog,
) -> Result<Scenario, ScenarioError> {
    let refuse = |field: &str, message: String, accepted: String| {
        ScenarioError::at_span(origin, "", None, Some(field.to_string()), message).accepting(accepted)
    };
    let mut tree = serde_json::to_value(base)
        .map_err(|e| ScenarioError::whole_file(origin, format!("cannot represent the scenario as a tree: {e}")))?;
    let mut given: Vec<(ParamPath, &str)> = Vec::with_capacity(values.len());
    for (path, value) in values {
        let parsed = ParamPath::parse(path).map_err(|e| refuse(path, e.to_string(), PATH_ACCEPTED.into()))?;
        // A field given twice would take the later value while a sweep's
        // row records both.
        if let Some((_, other)) = given.iter().find(|(q, _)| q.overlaps(&parsed)) {
            let message = format!("`{path}` and `{other}` set the same field (one is or holds the other)");
            return Err(refuse(path, message, "each scenario field set by one path only".into()));
        }
        // A whole number written as a float (100.0, as numpy, SALib and
        // pyDOE give every sample) is taken by a field of whole numbers.
        let value = match value.as_f64() {
            Some(x) if value.is_f64() && x.fract() == 0.0 && parsed.probe(&tree, families).unwrap_or(false) => {
                if x.abs() >= 9.0e15 {
                    // Beyond any whole-number field's range (and a float's
                    // exact integers): said so, not "invalid type: floating
                    // point" for what was given as an integer too big for 64 bits.
                    let message = format!("{} is out of range", super::validate::shown(x));
                    return Err(refuse(path, message, fields::see_help(Some(path))));
                }
                Value::from(x as i64)
            }
            _ => value.clone(),
        };
        parsed.set(&mut tree, value).map_err(|e| refuse(path, e.to_string(), PATH_ACCEPTED.into()))?;
        given.push((parsed, path));
    }
    let scenario: Scenario = serde_path_to_error::deserialize(tree).map_err(|e| {
        let at = e.path().to_string();
        let (message, accepted) = explain::explain_words(&e.into_inner().to_string());
        let accepted = accepted.unwrap_or_else(|| fields::see_help(Some(&at)));
        refuse(&at, message, accepted)
    })?;
    validate::validate(&scenario, families).map_err(|v| refuse(&v.field, v.message, v.accepted))?;
    Ok(scenario)
}

fn text(segments: &[Segment]) -> String {
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

/// A sweep file's TOML value as a value of the scenario's tree.
pub fn to_json(v: &toml::Value) -> Result<Value, ValueError> {
    Ok(match v {
        toml::Value::String(s) => Value::String(s.clone()),
        toml::Value::Integer(i) => Value::from(*i),
        toml::Value::Float(f) => {
            serde_json::Number::from_f64(*f).map(Value::Number).ok_or(ValueError::NotFinite(*f))?
        }
        toml::Value::Boolean(b) => Value::Bool(*b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.iter().map(to_json).collect::<Result<_, _>>()?),
        toml::Value::Table(t) => {
            Value::Object(t.iter().map(|(k, v)| Ok((k.clone(), to_json(v)?))).collect::<Result<_, ValueError>>()?)
        }
    })
}

/// A value as it reads in a message or a CSV cell: strings bare, the rest as JSON.
pub fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_parse_and_print() {
        let p = ParamPath::parse("agents[1].params.herding").unwrap();
        assert_eq!(
            p.segments,
            [
                Segment::Key("agents".into()),
                Segment::Index(1),
                Segment::Key("params".into()),
                Segment::Key("herding".into())
            ]
        );
        assert_eq!(p.text(), "agents[1].params.herding");
        for bad in ["", "a..b", "a[x]", "a[1", "a]", "[0].a", "a[]", "a b", "a.[0]"] {
            assert!(ParamPath::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn set_creates_tables_but_not_array_entries() {
        let mut v: Value = serde_json::json!({ "a": [ { "b": 1 } ], "s": "x" });
        let set = |v: &mut Value, p: &str| ParamPath::parse(p).unwrap().set(v, Value::from(2));
        set(&mut v, "a[0].c.d").unwrap();
        assert_eq!(v["a"][0]["c"]["d"], 2);
        assert!(set(&mut v, "a[1].b").unwrap_err().to_string().contains("1 entries"));
        assert!(set(&mut v, "s.t").unwrap_err().to_string().contains("not a table"));
        assert!(set(&mut v, "s[0]").unwrap_err().to_string().contains("not an array"));
    }

    /// A behaviour's parameter is known to the schema only as a free table:
    /// the probe learns from its family's error kind whether the name exists
    /// and whether it takes whole numbers.
    #[test]
    fn probe_tells_unknown_and_whole_number_parameters() {
        let registry = crate::agents::Registry::builtin();
        let text = include_str!("../../scenarios/baseline.toml");
        let s = super::super::parse(std::path::Path::new("baseline.toml"), text, &registry).unwrap();
        let base = serde_json::to_value(&s).unwrap();
        let probe = |p: &str| ParamPath::parse(p).unwrap().probe(&base, &registry);
        assert_eq!(s.agents[0].family, "market_maker");
        assert!(probe("agents[0].params.quote_lots").unwrap());
        assert!(!probe("agents[0].params.spread").unwrap());
        assert!(probe("agents[0].count").unwrap());
        match probe("agents[0].params.spreed") {
            Err(ProbeError::NotAParameter(v)) => {
                assert_eq!(v.kind, InvalidKind::UnknownField);
                assert_eq!(v.message, "`spreed` is not a parameter of the market_maker family; did you mean `spread`?");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn paths_overlap_when_one_is_or_holds_the_other() {
        let p = |t: &str| ParamPath::parse(t).unwrap();
        assert!(p("agents[3].params.herding").overlaps(&p("agents[03].params.herding")));
        assert!(p("agents[1].budget").overlaps(&p("agents[1].budget.value")));
        assert!(p("agents[1].budget.value").overlaps(&p("agents[1].budget")));
        assert!(!p("agents[1].budget").overlaps(&p("agents[2].budget")));
        assert!(!p("agents[1].budget").overlaps(&p("agents[1].budgets")));
    }

    /// Values given in code refuse a field set twice, however spelled.
    #[test]
    fn a_whole_number_beyond_any_fields_range_is_out_of_range_not_a_float() {
        let registry = crate::agents::Registry::builtin();
        let text = include_str!("../../scenarios/baseline.toml");
        let s = super::super::parse(std::path::Path::new("baseline.toml"), text, &registry).unwrap();
        for x in [2f64.powi(70), -1e16] {
            let values = [("simulation.days".to_string(), Value::from(x))];
            let e = with_values(&s, &values, std::path::Path::new("design"), &registry).unwrap_err().to_string();
            assert!(e.contains(" is out of range\n"), "{e}");
            assert!(e.contains("tplus help simulation.days"), "{e}");
        }
    }

    #[test]
    fn with_values_takes_a_whole_float_for_a_whole_number_field() {
        let registry = crate::agents::Registry::builtin();
        let text = include_str!("../../scenarios/baseline.toml");
        let s = super::super::parse(std::path::Path::new("baseline.toml"), text, &registry).unwrap();
        let values =
            [("agents[1].count".to_string(), Value::from(100.0)), ("simulation.days".into(), Value::from(2.0))];
        let t = with_values(&s, &values, std::path::Path::new("design"), &registry).unwrap();
        assert_eq!((t.agents[1].count, t.simulation.days), (100, 2));
        let half = [("agents[1].count".to_string(), Value::from(100.5))];
        assert!(with_values(&s, &half, std::path::Path::new("design"), &registry).is_err(), "not a whole number");
        let float = [("product[0].nav".to_string(), Value::from(2.0))];
        assert_eq!(with_values(&s, &float, std::path::Path::new("design"), &registry).unwrap().products[0].nav, 2.0);
    }

    #[test]
    fn with_values_refuses_a_field_set_twice() {
        let registry = crate::agents::Registry::builtin();
        let text = include_str!("../../scenarios/baseline.toml");
        let s = super::super::parse(std::path::Path::new("baseline.toml"), text, &registry).unwrap();
        let origin = std::path::Path::new("design");
        let twice = [("agents[1].count".to_string(), Value::from(5)), ("agents[01].count".to_string(), Value::from(7))];
        let e = with_values(&s, &twice, origin, &registry).unwrap_err().to_string();
        assert!(e.contains("`agents[01].count` and `agents[1].count` set the same field"), "{e}");
        let apart = [("agents[1].count".to_string(), Value::from(5)), ("agents[2].count".to_string(), Value::from(7))];
        let s2 = with_values(&s, &apart, origin, &registry).unwrap();
        assert_eq!((s2.agents[1].count, s2.agents[2].count), (5, 7));
    }

    #[test]
    fn messages_read_as_before() {
        let mut v: Value = serde_json::json!({ "a": [1, 2] });
        let e = ParamPath::parse("a[5]").unwrap().set(&mut v, Value::from(0)).unwrap_err();
        assert_eq!(e.to_string(), "`a` has 2 entries: [0] to [1]");
        assert_eq!(ParamPath::parse("a b").unwrap_err().to_string(), "`a b` is not a parameter path");
        assert_eq!(to_json(&toml::Value::Float(f64::NAN)).unwrap_err().to_string(), "NaN is not a finite number");
    }
}
