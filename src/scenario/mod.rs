//! Scenario files: reading, parsing and validating the TOML that describes a market.
//!
//! This is the only module that parses TOML. [`load`] turns a path into a
//! validated [`Scenario`] or a [`ScenarioError`] that names the file, the line
//! and column, the field path (`agents[1].arrival.rate`) and what is accepted —
//! the same shape for a missing file, a syntax error, a wrong type, an unknown
//! field or a value that fails validation.

mod catalog;
mod error;
mod header;
mod locate;
mod param_domain;
mod param_path;
mod schema;
mod sweep_file;
pub mod units;
mod validate;

use std::path::Path;

pub use catalog::FamilyCatalog;
pub use error::{ErrorDetail, ScenarioError};
pub use header::what_to_watch;
pub use param_domain::{Domain, round_sig};
pub use param_path::value_text;
pub use schema::*;
pub use sweep_file::{DesignKind, Param, Point, Sweep, load_sweep, parse_sweep};
pub use units::{Date, DayTime, Duration, TimeOfDay};
pub use validate::{Invalid, InvalidKind, MAX_BUDGET, MAX_INITIAL_LOTS, MAX_LOOKBACK, ValueType};

/// Reads, parses and validates a scenario file; `families` answers for the
/// behaviours its groups name (e.g. `tplus::agents::Registry::builtin()`).
pub fn load(path: &Path, families: &dyn FamilyCatalog) -> Result<Scenario, ScenarioError> {
    let text = read_text(path, "scenario", "a readable TOML scenario file, e.g. scenarios/baseline.toml")?;
    parse(path, &text, families)
}

/// Checks a scenario built or changed in code (not read from a file) by
/// the same rules as [`load`]; the error names the field path.
pub fn check(scenario: &Scenario, families: &dyn FamilyCatalog) -> Result<(), Invalid> {
    validate::validate(scenario, families)
}

/// A scenario or sweep file's text; `what` names the kind of file in the message.
fn read_text(path: &Path, what: &str, accepted: &str) -> Result<String, ScenarioError> {
    std::fs::read_to_string(path).map_err(|e| {
        let why = match e.kind() {
            std::io::ErrorKind::NotFound => "no such file".to_string(),
            std::io::ErrorKind::InvalidData => "the file is not UTF-8 text".to_string(),
            _ => e.to_string(),
        };
        ScenarioError::whole_file(path, format!("cannot read the {what}: {why}")).accepting(accepted)
    })
}

/// Parses and validates scenario text; `path` is used only in messages.
pub fn parse(path: &Path, text: &str, families: &dyn FamilyCatalog) -> Result<Scenario, ScenarioError> {
    let de = toml::de::Deserializer::parse(text).map_err(|e| {
        let field = e.span().and_then(|s| locate::key_at(text, s.start));
        let message = e.message().trim();
        let accepted = if message.contains("date") || message.contains("time") {
            Date::ACCEPTED
        } else {
            "TOML syntax (https://toml.io); check quotes, brackets and `key = value` lines"
        };
        ScenarioError::at_span(path, text, e.span(), field, format!("not valid TOML: {message}")).accepting(accepted)
    })?;
    let scenario: Scenario = serde_path_to_error::deserialize(de).map_err(|e| {
        let field = e.path().to_string();
        let field = (field != ".").then_some(field);
        let inner = e.into_inner();
        let (message, accepted) = explain_serde(inner.message());
        let span = inner.span().or_else(|| field.as_deref().and_then(|f| locate::span_of(text, f)));
        let mut err = ScenarioError::at_span(path, text, span, field, message);
        if let Some(accepted) = accepted {
            err = err.accepting(accepted);
        }
        err
    })?;
    validate::validate(&scenario, families).map_err(|v| {
        let span = locate::span_of(text, &v.field);
        // A name the table does not take is shown at the name, not its value.
        let span = if v.kind == InvalidKind::UnknownField { span.map(|s| locate::key_before(text, s)) } else { span };
        ScenarioError::at_span(path, text, span, Some(v.field), v.message).accepting(v.accepted)
    })?;
    Ok(scenario)
}

/// A scenario written back as TOML (as `tplus tui` saves a replayable run);
/// `parse` reads it back to the same scenario.
pub fn to_toml(s: &Scenario) -> String {
    toml::to_string(s).unwrap_or_else(|e| format!("# the scenario could not be written as TOML: {e}\n"))
}

/// Splits serde's message into what went wrong and, where serde lists them,
/// the accepted values, and renames Rust type names to the words users know.
fn explain_serde(message: &str) -> (String, Option<String>) {
    let message = message.trim();
    if message.contains(" as i128") || message.contains(" as u128") {
        let number = message.split('`').nth(1).unwrap_or("the number");
        return (format!("{number} is too large"), Some("a number that fits in 64 bits".into()));
    }
    let message = message
        .replace("expected i64", "expected an integer")
        .replace("expected u64", "expected a non-negative integer")
        .replace("expected f64", "expected a number")
        .replace("expected a sequence", "expected an array [...]")
        .replace(
            "expected struct Distribution",
            "expected a distribution table such as { dist = \"fixed\", value = 1.0 }",
        )
        .replace("expected struct Arrival", "expected an arrival table such as { process = \"poisson\", rate = 4.0 }")
        .replace("expected struct RateSpec", "expected a rate table such as { model = \"fixed\", value = 0.0435 }")
        .replace(
            "expected struct LevelSpec",
            "expected a price-level table such as { model = \"fixed\", value = 100.0 }",
        )
        .replace("expected struct PathPoint", "expected a path point such as { at = \"day 2 10:00\", value = 0.05 }")
        .replace("expected struct ShockSpec", "expected a shock table such as { rate = 0.5, sd = 1.0, decay = \"2d\" }")
        .replace("expected struct MacroEnv", "expected a [macro] table")
        .replace("expected struct Credit", "expected a [credit] table such as { base_score = 600.0, pdo = 20.0 }")
        .replace(
            "expected struct ScriptedEvent",
            "expected an event table such as { at = \"day 5 10:00\", target = \"loan_rate\", change = 0.005 }",
        )
        .replace("expected struct ", "expected a table ");
    if let Some((what, expected)) = message.split_once(", expected ") {
        return (what.to_string(), Some(expected.to_string()));
    }
    if let Some(field) = message.strip_prefix("missing field ") {
        return (format!("missing required field {field}"), Some("see scenarios/README.md for every field".into()));
    }
    (message, None)
}
