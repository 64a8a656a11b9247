//! Turns serde's and toml's words for a value of the wrong shape into the
//! scenario's words: the field path the user wrote, what is wrong with it and
//! what the field accepts, named from the schema itself (the variant lists
//! come from the enums, so they cannot drift from what is accepted).

use serde::de::{DeserializeOwned, IntoDeserializer, value::Error as ValueError};

use super::param_domain::DistKind as SweepDistKind;
use super::schema::{
    Abuse, Alignment, ArrivalProcess, CreditGate, DistKind, EventTarget, LevelModelKind, RateModelKind,
};
use super::sweep_file::DesignKind;

/// A serde error, explained.
pub(super) struct Explained {
    /// The field the mistake is in (`None` for the file as a whole).
    pub field: Option<String>,
    /// What is wrong, in words.
    pub message: String,
    /// What the field accepts, when that can be said.
    pub accepted: Option<String>,
    /// The mistake is the field as a whole, not the place serde stopped at
    /// (a missing field, an array written for a table): locate it by path.
    pub whole_field: bool,
}

/// Fields of the schema that are arrays; an index under any other field is
/// serde reading a table from an array the user wrote in its place.
const ARRAY_FIELDS: &[&str] = &["product", "agents", "events", "holidays", "points", "products", "values", "param"];

/// Explains serde's `message` about the value at `path` (serde_path_to_error's
/// rendering, `.` for the root).
pub(super) fn serde_error(path: &str, message: &str) -> Explained {
    let path = (path != ".").then(|| path.to_string());
    let message = message.trim();
    if let Some(missing) = message.strip_prefix("missing field ") {
        let name = missing.trim_matches('`');
        let field = match &path {
            Some(p) => format!("{p}.{name}"),
            None => name.to_string(),
        };
        return Explained {
            message: format!("missing required field `{name}`"),
            accepted: accepted_for(&field),
            field: Some(field),
            whole_field: true,
        };
    }
    if let Some(p) = &path
        && let Some(table) = array_written_for_table(p)
    {
        return Explained {
            message: "an array was written where a table is expected".into(),
            accepted: Some(accepted_for(&table).unwrap_or_else(|| "a table { name = value, ... }".into())),
            field: Some(table),
            whole_field: true,
        };
    }
    if message.starts_with("wanted string or table") || message.starts_with("wanted exactly 1 element") {
        // toml's words for an enum given a value of the wrong shape.
        let accepted = path.as_deref().and_then(accepted_for);
        return Explained {
            field: path,
            message: "expected one of the names below, as a string".into(),
            accepted,
            whole_field: false,
        };
    }
    let (message, accepted) = explain_words(message);
    let accepted = accepted.or_else(|| path.as_deref().and_then(accepted_for));
    let accepted = match (accepted, &path) {
        (None, Some(p)) if message.ends_with(" is out of range") => Some(super::fields::see_help(Some(p))),
        (accepted, _) => accepted,
    };
    Explained { field: path, message, accepted, whole_field: false }
}

/// The table field serde read from an array, if `path` ends in an index
/// under a field that is not an array: `agents[0].arrival[1]` gives
/// `agents[0].arrival`.
fn array_written_for_table(path: &str) -> Option<String> {
    let open = path.rfind('[')?;
    if !path.ends_with(']') || path[open + 1..path.len() - 1].parse::<usize>().is_err() {
        return None;
    }
    let parent = &path[..open];
    let name = parent.rsplit('.').next().unwrap_or(parent);
    let name = name.split('[').next().unwrap_or(name);
    (!ARRAY_FIELDS.contains(&name)).then(|| parent.to_string())
}

/// The last key of a field path, without indices: `agents[1].budget` gives `budget`.
fn last_key(field: &str) -> &str {
    let key = field.rsplit('.').next().unwrap_or(field);
    key.split('[').next().unwrap_or(key)
}

/// What the field at `field` accepts, for the fields whose shape can be
/// stated in a line.
pub(super) fn accepted_for(field: &str) -> Option<String> {
    let parent = field.rsplit_once('.').map(|(p, _)| last_key(p)).unwrap_or("");
    let text = match last_key(field) {
        "simulation" => "a [simulation] table with name, start_date and days".into(),
        "product" => "one or more [[product]] tables".into(),
        "agents" => "one or more [[agents]] tables".into(),
        "arrival" => "an arrival table such as { process = \"poisson\", rate = 4.0 }".into(),
        "budget" | "credit_score" | "initial_lots" | "income_band" | "tenure_days" => {
            "a distribution table such as { dist = \"fixed\", value = 1.0 }".into()
        }
        "loan_rate" | "deposit_rate" if parent == "macro" => {
            "a rate table such as { model = \"fixed\", value = 0.0435 }".into()
        }
        "price_level" if parent == "macro" => "a price-level table such as { model = \"fixed\", value = 100.0 }".into(),
        "shock" => "a shock table such as { rate = 0.5, sd = 1.0, decay = \"2d\" }".into(),
        "points" => "an array of path points such as [{ at = \"day 2 10:00\", value = 0.05 }]".into(),
        "events" => {
            "an array of event tables such as { at = \"day 5 10:00\", target = \"loan_rate\", change = 0.005 }".into()
        }
        "credit" => "a [credit] table such as { base_score = 600.0, pdo = 20.0 }".into(),
        "macro" => "a [macro] table".into(),
        "family" => "the name of a behaviour family as a string, e.g. \"rational\"".into(),
        "sweep" => {
            "a [sweep] table with name and scenario, e.g. { name = \"s\", scenario = \"../baseline.toml\" }".into()
        }
        "param" => "one or more [[param]] tables, each with path and one of values, range or distribution".into(),
        "range" => "a range table such as { from = 0.1, to = 1.0, step = 0.1 }".into(),
        "distribution" => "a distribution table such as { dist = \"uniform\", min = 0.1, max = 1.0 }".into(),
        "design" => names::<DesignKind>()?,
        "dist" if parent == "distribution" => names::<SweepDistKind>()?,
        "process" => names::<ArrivalProcess>()?,
        "dist" => names::<DistKind>()?,
        "target" => names::<EventTarget>()?,
        "abuse" => names::<Abuse>()?,
        "credit_gate" => names::<CreditGate>()?,
        "alignment" => names::<Alignment>()?,
        "model" if parent == "price_level" => names::<LevelModelKind>()?,
        "model" => names::<RateModelKind>()?,
        _ => return None,
    };
    Some(text)
}

/// The names an enum accepts, as serde lists them for a name it does not know.
pub(super) fn names<T: DeserializeOwned>() -> Option<String> {
    let err = T::deserialize(IntoDeserializer::<ValueError>::into_deserializer("\u{0}")).err()?.to_string();
    let list = err.split_once("expected ")?.1;
    Some(list.trim_start_matches("one of ").replace('`', "\""))
}

/// Splits serde's message into what went wrong and, where serde lists them,
/// the accepted values, and renames Rust type names to the words users know.
pub(super) fn explain_words(message: &str) -> (String, Option<String>) {
    let message = message.trim();
    // A whole number the field's type cannot hold (past 64 bits, or below 0
    // for an unsigned field) is out of the field's range, and said so in the
    // words of a value past its range in the reference; no `accepted` here,
    // so that the caller names the field's own (`fields::see_help`).
    let number = || message.split('`').nth(1).unwrap_or("the number");
    if message.contains(" as i128") || message.contains(" as u128") {
        return (format!("{} is out of range", number()), None);
    }
    if message.starts_with("invalid value: integer `")
        && ["expected u8", "expected u16", "expected u32", "expected u64", "expected usize"]
            .iter()
            .any(|t| message.ends_with(t))
    {
        return (format!("{} is out of range", number()), None);
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
        .replace("expected struct SweepTable", "expected a [sweep] table")
        .replace("expected struct ParamTable", "expected a [[param]] table")
        .replace("expected struct RangeTable", "expected a range table such as { from = 0.1, to = 1.0, step = 0.1 }")
        .replace(
            "expected struct DistTable",
            "expected a distribution table such as { dist = \"uniform\", min = 0.1, max = 1.0 }",
        )
        .replace("expected struct ", "expected a table ");
    if let Some((what, expected)) = message.split_once(", expected ") {
        return (with_guess(what, expected), Some(expected.to_string()));
    }
    (message, None)
}

/// serde's "unknown field `dayz`" or "unknown variant `loan_rat`" with the
/// nearest of the `expected` names (serde quotes each in backticks), when
/// one is close: "…; did you mean `days`?".
fn with_guess(what: &str, expected: &str) -> String {
    let given = ["unknown field `", "unknown variant `"]
        .iter()
        .find_map(|p| what.strip_prefix(p))
        .and_then(|rest| rest.split('`').next());
    match given {
        Some(name) => super::fields::with_guess(what.to_string(), name, expected.split('`').skip(1).step_by(2)),
        None => what.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_misspelt_field_or_name_gets_the_nearest_one() {
        let (what, accepted) = explain_words("unknown field `dayz`, expected one of `days`, `window`, `seed`");
        assert_eq!(what, "unknown field `dayz`; did you mean `days`?");
        assert_eq!(accepted.as_deref(), Some("one of `days`, `window`, `seed`"));
        let (what, _) = explain_words("unknown variant `loan_rat`, expected `loan_rate` or `price_level`");
        assert_eq!(what, "unknown variant `loan_rat`; did you mean `loan_rate`?");
        let (what, _) = explain_words("unknown field `zzzzzz`, expected one of `days`, `window`");
        assert_eq!(what, "unknown field `zzzzzz`", "no guess when none is close");
    }

    #[test]
    fn enum_names_come_from_the_schema() {
        assert_eq!(names::<ArrivalProcess>().as_deref(), Some("\"poisson\" or \"hawkes\""));
        assert!(accepted_for("events[2].target").is_some_and(|a| a.contains("\"loan_rate\"")));
        assert!(accepted_for("macro.price_level.model").is_some_and(|a| a.contains("\"fixed\"")));
    }

    #[test]
    fn a_missing_field_is_named_with_its_table() {
        let e = serde_error("agents[1]", "missing field `budget`");
        assert_eq!(e.field.as_deref(), Some("agents[1].budget"));
        assert!(e.whole_field && e.accepted.is_some_and(|a| a.contains("distribution")));
        let e = serde_error(".", "missing field `simulation`");
        assert_eq!(e.field.as_deref(), Some("simulation"));
    }

    #[test]
    fn an_array_for_a_table_is_blamed_on_the_table() {
        let e = serde_error("agents[0].arrival[0]", "wanted string or table");
        assert_eq!(e.field.as_deref(), Some("agents[0].arrival"));
        assert!(e.accepted.is_some_and(|a| a.contains("poisson")));
        let e = serde_error("agents[3]", "invalid type: integer `1`, expected struct AgentGroup");
        assert_eq!(e.field.as_deref(), Some("agents[3]"));
    }
}
