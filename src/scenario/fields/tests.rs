//! Tests of the field reference against the schema and validation.

use super::*;
use crate::scenario::schema::{EventTarget, Scenario};

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
    assert!(crate::scenario::parse(path, MINIMAL, &registry).is_ok());
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
        assert!(crate::scenario::parse(path, &text, &registry).is_err(), "{field} is not required");
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

/// A note that names the value a field takes when its table is left out
/// gives the schema's own default, not a copy that could drift from it.
#[test]
fn a_note_naming_a_default_gives_the_schemas() {
    for f in [M_RATE_VALUE, M_DEPOSIT_VALUE] {
        let DefaultIs::Value(v) = default_of(f.path) else { panic!("{}: no schema default", f.path) };
        let note = f.default_words();
        assert!(note.starts_with(&format!("{v} when [macro] leaves ")), "{}: {note} against {v}", f.path);
    }
    assert_eq!(E_AT.default_words(), "required in each [[events]] table");
    let w = crate::credit::Coefficients::default();
    for (f, v) in [
        (C_INCOME_BAND, w.income_band),
        (C_TENURE, w.tenure),
        (C_FAILED_SALES, w.failed_sales),
        (C_CANCEL_RATIO, w.cancel_ratio),
        (C_REJECTION_RATIO, w.rejection_ratio),
    ] {
        assert_eq!(f.default_words(), format!("{v:?}, the scorecard's default weight"), "{}", f.path);
    }
}

#[test]
fn every_event_target_has_both_ranges() {
    let targets: Vec<EventTarget> = EVENT_RANGES.iter().filter(|r| r.how == How::Value).map(|r| r.target).collect();
    assert_eq!(targets.len(), 9);
    for t in targets {
        assert_eq!(event_range(t, How::Change).target, t);
        assert_eq!(event_range(t, How::Value).target, t);
    }
}

#[test]
fn errors_point_to_the_nearest_entry() {
    assert!(see_help(Some("macro.shock.rate")).ends_with("see `tplus help macro.shock.rate`"));
    assert!(see_help(Some("macro.deposit_rate.points[0].value")).ends_with("`tplus help macro.deposit_rate.points`"));
    assert_eq!(see_help(None), "see `tplus help scenario` for every field");
}

#[test]
fn near_matches_find_the_field() {
    let all = FIELDS.iter().map(|f| f.path);
    assert_eq!(near("product.price_bnd", all.clone(), 3)[0], "product.price_band");
    assert!(near("window", all, 3).contains(&"simulation.window"));
}

#[test]
fn a_misspelt_name_gets_its_nearest_and_a_stranger_none() {
    let families = ["rational", "herding", "macro", "market_maker", "ma_trader"];
    assert_eq!(nearest("ma_trade", families), Some("ma_trader"));
    assert_eq!(nearest("hreding", families), Some("herding"), "a swap is one edit");
    assert_eq!(nearest("rationl", families), Some("rational"));
    assert_eq!(nearest("contrarian", families), None);
    assert_eq!(nearest("herding", families), None, "an exact name is not a guess");
    // Too far for a short name; a tie guesses nothing.
    assert_eq!(nearest("mac", ["macro"]), None);
    assert_eq!(nearest("ab", ["ac", "ad"]), None);
    assert_eq!(
        with_guess("`windw` is not a parameter".into(), "windw", ["band", "window", "max_lots"]),
        "`windw` is not a parameter; did you mean `window`?"
    );
    assert_eq!(with_guess("x".into(), "zzz", ["band"]), "x");
}
