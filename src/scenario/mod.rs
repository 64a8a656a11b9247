//! Scenario files: reading, parsing and validating the TOML that describes a market.
//!
//! This is the only module that parses TOML. [`load`] turns a path into a
//! validated [`Scenario`] or a [`ScenarioError`] that names the file, the line
//! and column, the field path (`agents[1].arrival.rate`) and what is accepted —
//! the same shape for a missing file, a syntax error, a wrong type, an unknown
//! field or a value that fails validation.

mod catalog;
mod derived;
mod error;
mod explain;
pub mod fields;
mod header;
mod locate;
mod param_domain;
mod param_path;
mod schema;
mod sweep_file;
pub mod time;
mod validate;

use std::path::Path;

pub use catalog::{FamilyCatalog, ParamMeaning};
pub use derived::{tick_micros, whole_tick_micros};
pub use error::{ErrorDetail, ScenarioError};
pub use fields::{nearest, with_guess};
pub use header::what_to_watch;
pub use param_domain::{Domain, round_sig};
pub use param_path::{value_text, with_values};
pub use schema::*;
pub use sweep_file::{DesignKind, MAX_REPLICATIONS, MAX_RUNS, Param, Point, Sweep, load_sweep, parse_sweep};
pub use time::{Date, DayTime, Duration, TimeOfDay};
pub use validate::{
    Invalid, InvalidKind, MAX_BUDGET, MAX_INITIAL_LOTS, MAX_LOOKBACK, ValueType, names_a_folder, validate_market,
};

/// Reads, parses and validates a scenario file; `families` answers for the
/// behaviours its groups name (e.g. `tplus::agents::Registry::builtin()`).
pub fn load(path: impl AsRef<Path>, families: &dyn FamilyCatalog) -> Result<Scenario, ScenarioError> {
    let path = path.as_ref();
    let bytes = read_bytes(path, "scenario", "a readable TOML scenario file, e.g. scenarios/baseline.toml")?;
    from_bytes(path, &bytes, families)
}

/// Decodes, parses and validates a scenario file's bytes as [`load`] does;
/// `path` is used only in messages.
pub fn from_bytes(path: &Path, bytes: &[u8], families: &dyn FamilyCatalog) -> Result<Scenario, ScenarioError> {
    parse(path, decode(path, bytes)?, families)
}

/// Checks a scenario built or changed in code (not read from a file) by
/// the same rules as [`load`]; the error names the field path.
pub fn check(scenario: &Scenario, families: &dyn FamilyCatalog) -> Result<(), Invalid> {
    validate::validate(scenario, families)
}

/// The largest scenario or sweep file read: far above any real one (the
/// bundled ones are a few kilobytes), and checked before reading, so that
/// `/dev/zero` or a multi-gigabyte file given by mistake is refused at once.
pub const MAX_FILE_BYTES: u64 = 16 << 20;

/// A scenario or sweep file's bytes, at most [`MAX_FILE_BYTES`]; `what` names
/// the kind of file in the message.
fn read_bytes(path: &Path, what: &str, accepted: &str) -> Result<Vec<u8>, ScenarioError> {
    use std::io::Read;
    let refuse =
        |why: String| ScenarioError::whole_file(path, format!("cannot read the {what}: {why}")).accepting(accepted);
    let io_err = |e: std::io::Error| {
        let why = match e.kind() {
            std::io::ErrorKind::NotFound => "no such file".to_string(),
            std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
            _ => e.to_string(),
        };
        refuse(why).caused_by(e)
    };
    let meta = std::fs::metadata(path).map_err(io_err)?;
    if meta.is_dir() {
        return Err(refuse("it is a directory".into()));
    }
    let too_big =
        || refuse(format!("it is larger than {} MiB, far more than any scenario or sweep file", MAX_FILE_BYTES >> 20));
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_big());
    }
    // A device or a pipe reports no length: read one byte past the limit.
    let mut bytes = Vec::new();
    std::fs::File::open(path).and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)).map_err(io_err)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_big());
    }
    Ok(bytes)
}

/// A scenario or sweep file's bytes as text; a byte that is not UTF-8 is
/// reported with its line, column, byte offset and the field it is in.
fn decode<'a>(path: &Path, bytes: &'a [u8]) -> Result<&'a str, ScenarioError> {
    std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        // The text up to the end of the bad byte's line, with bad bytes
        // replaced, locates the field the byte is in.
        let line_end = bytes[at..].iter().position(|&b| b == b'\n').map_or(bytes.len(), |i| at + i);
        let lossy = String::from_utf8_lossy(&bytes[..line_end]);
        let valid = std::str::from_utf8(&bytes[..at]).unwrap_or_default();
        let field = locate::field_at(&lossy, at);
        ScenarioError::at_span(
            path,
            valid,
            Some(at..at),
            field,
            format!("byte 0x{:02X} at byte offset {at} is not UTF-8 text", bytes[at]),
        )
        .accepting("a text file in UTF-8 (save it as UTF-8 in your editor)")
    })
}

/// A TOML syntax error, at its line and column and in the field whose line it is on.
fn syntax_error(path: &Path, text: &str, e: &toml::de::Error) -> ScenarioError {
    let field = e.span().and_then(|s| locate::field_at(text, s.start));
    let mut message = e.message().trim().to_string();
    // toml names neither the key nor the table written twice; the span does.
    if message.starts_with("duplicate")
        && !message.contains('`')
        && let Some(name) = e.span().and_then(|s| text.get(s)).map(str::trim).filter(|n| !n.is_empty())
    {
        message = format!("{message} `{name}` (written twice)");
    }
    let accepted = if message.starts_with("duplicate") {
        "each key and each [table] once (an array of tables is written [[name]])"
    } else if message.contains("date") || message.contains("time") {
        Date::ACCEPTED
    } else {
        "TOML syntax (https://toml.io); check quotes, brackets and `key = value` lines"
    };
    let span = e.span().or(Some(0..0));
    ScenarioError::at_span(path, text, span, field, format!("not valid TOML: {message}")).accepting(accepted)
}

/// Parses and validates scenario text; `path` is used only in messages.
pub fn parse(path: &Path, text: &str, families: &dyn FamilyCatalog) -> Result<Scenario, ScenarioError> {
    let de = toml::de::Deserializer::parse(text).map_err(|e| syntax_error(path, text, &e))?;
    let scenario: Scenario = serde_path_to_error::deserialize(de).map_err(|e| serde_error(path, text, &e, None))?;
    validate::validate(&scenario, families).map_err(|v| {
        // A field whose table the file leaves out (a default found at
        // fault, `metrics.return_step` against a short session) is shown at
        // 1:1, as the parser shows a missing table.
        let span = locate::span_of(text, &v.field).or(Some(0..0));
        // A name the table does not take is shown at the name, not its value.
        let span = if v.kind == InvalidKind::UnknownField { span.map(|s| locate::key_before(text, s)) } else { span };
        ScenarioError::at_span(path, text, span, Some(v.field), v.message).accepting(v.accepted)
    })?;
    Ok(scenario)
}

/// A value of the wrong shape, a missing or unknown field, at the place
/// it is written (or the table that should hold it); `docs` is the file
/// documenting every field, `None` for a scenario, whose fields `tplus help`
/// documents.
fn serde_error(
    path: &Path,
    text: &str,
    e: &serde_path_to_error::Error<toml::de::Error>,
    docs: Option<&str>,
) -> ScenarioError {
    let inner = e.inner();
    let ex = explain::serde_error(&e.path().to_string(), inner.message());
    let by_path = || ex.field.as_deref().and_then(|f| locate::span_of(text, f));
    let span = if ex.whole_field { by_path() } else { inner.span().or_else(by_path) };
    let mut accepted = ex.accepted.unwrap_or_else(|| match (docs, &ex.field) {
        (None, field) => fields::see_help(field.as_deref()),
        (Some(docs), Some(f)) => format!("see {docs} for `{f}`"),
        (Some(docs), None) => format!("see {docs} for every field"),
    });
    if let Some(hint) = other_kind_of_file(text, docs.is_some()) {
        accepted.push_str(hint);
    }
    // A mistake with no place of its own (a table missing from the file)
    // is shown at the file's start.
    ScenarioError::at_span(path, text, span.or(Some(0..0)), ex.field, ex.message).accepting(accepted)
}

/// A hint when a file read as a scenario is a sweep file, or the other way
/// round: its top-level tables tell them apart.
fn other_kind_of_file(text: &str, read_as_sweep: bool) -> Option<&'static str> {
    let table: toml::Table = text.parse().ok()?;
    if read_as_sweep && table.contains_key("simulation") && !table.contains_key("sweep") {
        Some(
            "; this is a scenario file: run it with `tplus run FILE`, or name it as `scenario` in a sweep file's [sweep] table",
        )
    } else if !read_as_sweep && table.contains_key("sweep") && !table.contains_key("simulation") {
        Some("; this is a sweep file: run it with `tplus sweep FILE`")
    } else {
        None
    }
}

/// A scenario written back as TOML (as `tplus tui` saves a replayable run);
/// `parse` reads it back to the same scenario.
pub fn to_toml(s: &Scenario) -> String {
    toml::to_string(s).unwrap_or_else(|e| format!("# the scenario could not be written as TOML: {e}\n"))
}
