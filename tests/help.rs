//! `tplus help`: every field path of the reference prints its entry, and the
//! range it prints is the one validation enforces: a value just outside is
//! refused as out of range at that field, the ends themselves are not. The
//! ranges are read back from the printed text, not from the library, so the
//! words a user reads are what is checked.

use std::process::{Command, Output};

use tplus::agents::Registry;
use tplus::scenario::fields::{self, EVENT_RANGES, How};
use tplus::scenario::{self, Duration, InvalidKind, Scenario};

fn help(topic: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tplus")).args(["help", topic]).output().expect("tplus runs")
}

/// The `range:` line of `tplus help PATH`, if it prints one. A numeric
/// range's top must also be in the `accepted:` words, which are all an error
/// message shows: "2e9 is out of range; accepted: a value above 0" would
/// not say where the range ends.
fn printed_range(topic: &str) -> Option<(String, String)> {
    let out = help(topic);
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "tplus help {topic}: {}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("type:") && text.contains("accepted:"), "tplus help {topic}:\n{text}");
    let line = text.lines().find_map(|l| l.trim().strip_prefix("range:"))?;
    let (lo, hi) = line.trim().split_once(" to ")?;
    if let Ok(top) = hi.parse::<f64>() {
        let accepted = text.lines().find_map(|l| l.trim().strip_prefix("accepted:")).unwrap_or_default();
        assert!(names_number(accepted, top), "tplus help {topic}: `accepted:{accepted}` does not say the top, {hi}");
    }
    Some((lo.to_string(), hi.to_string()))
}

/// Whether `words` write `x` in one of the ways the reference does: as
/// Rust prints it (`1000`, `0.5`), in exponent form (`1e9`) or with
/// thousands grouped (`100,000,000`).
fn names_number(words: &str, x: f64) -> bool {
    let plain = format!("{x}");
    let grouped = if x.fract() == 0.0 && x.abs() >= 1e4 {
        let digits = format!("{}", x.abs() as i64);
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        out
    } else {
        plain.clone()
    };
    let is_number_at = |w: &str| {
        words.match_indices(w).any(|(i, _)| {
            let after = words[i + w.len()..].chars().next();
            let before = words[..i].chars().next_back();
            !matches!(after, Some(c) if c.is_ascii_digit() || c == '.' && words[i + w.len() + 1..].starts_with(|d: char| d.is_ascii_digit()))
                && !matches!(before, Some(c) if c.is_ascii_digit() || c == '.' || c == ',')
        })
    };
    [plain.clone(), format!("{x:e}"), grouped].iter().any(|w| is_number_at(w))
}

/// The fixture with every table validation has ranges for: full_market.toml
/// with `[credit.fit]`, a sale excitation and a Vasicek deposit rate.
fn base() -> toml::Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/full_market.toml")).unwrap();
    let text = text.replacen(
        "model = \"fixed\"\nvalue = 0.015",
        "model = \"vasicek\"\nvalue = 0.015\nkappa = 0.5\ntheta = 0.02\nsigma = 0.01",
        1,
    );
    let text = text.replacen("count = 2\n", "count = 2\nsale_excitation = { alpha = 0.004, beta = 0.01 }\n", 1);
    let text = text.replacen("[[agents]]", "[credit.fit]\n\n[[agents]]", 1);
    toml::Value::Table(text.parse().unwrap())
}

/// The table holding `path`'s last key, taking the first entry of each
/// array that has the key (the hawkes group for `agents.arrival.mu`), and
/// the key; a distribution gives its first parameter that holds a value.
fn slot<'a>(root: &'a mut toml::Value, path: &str) -> (&'a mut toml::Table, String) {
    let keys: Vec<&str> = path.split('.').collect();
    let mut v = root;
    for (i, k) in keys.iter().enumerate() {
        if let toml::Value::Array(a) = v {
            let rest = keys[i..].join(".");
            let pick = a.iter().position(|e| has(e, &rest)).unwrap_or(0);
            v = &mut a[pick];
        }
        if i == keys.len() - 1 {
            let t = v.as_table_mut().unwrap();
            if let Some(toml::Value::Table(d)) = t.get(*k)
                && d.contains_key("dist")
            {
                let param = ["value", "min", "max", "mean", "median"].into_iter().find(|p| d.contains_key(*p)).unwrap();
                let toml::Value::Table(d) = t.get_mut(*k).unwrap() else { unreachable!() };
                return (d, param.to_string());
            }
            return (t, k.to_string());
        }
        v = v.as_table_mut().unwrap().entry(k.to_string()).or_insert_with(|| toml::Value::Table(Default::default()));
    }
    unreachable!()
}

fn has(v: &toml::Value, path: &str) -> bool {
    let mut v = v;
    for k in path.split('.') {
        match v.as_table().and_then(|t| t.get(k)) {
            Some(x) => v = x,
            None => return false,
        }
    }
    true
}

/// Whether validation refuses the scenario with `path` set to `value` as
/// out of range at that field.
fn refused(path: &str, value: toml::Value) -> bool {
    let mut root = base();
    let (table, key) = slot(&mut root, path);
    table.insert(key, value);
    let s: Scenario = root.try_into().unwrap_or_else(|e| panic!("{path}: {e}"));
    match scenario::check(&s, &Registry::builtin()) {
        Err(e) if e.kind == InvalidKind::OutOfRange => {
            let at = fields::normalise(&e.field);
            at == path || at.starts_with(&format!("{path}."))
        }
        _ => false,
    }
}

fn eps(x: f64) -> f64 {
    x.abs().max(1e-6) * 1e-6
}

fn real_ends(path: &str, lo: f64, hi: f64) {
    assert!(refused(path, toml::Value::Float(lo - eps(lo))), "{path}: {} is accepted", lo - eps(lo));
    assert!(refused(path, toml::Value::Float(hi + eps(hi))), "{path}: {} is accepted", hi + eps(hi));
    assert!(!refused(path, toml::Value::Float(lo)), "{path}: {lo} is refused");
    assert!(!refused(path, toml::Value::Float(hi)), "{path}: {hi} is refused");
}

/// full_market.toml's session, 09:30 to 15:00.
const SESSION: i64 = 330 * 60_000_000_000;

fn duration_bound(words: &str) -> Option<i64> {
    match words {
        "the session's length (close - open)" => Some(SESSION),
        "a quarter of the session's length" => Some(SESSION / 4),
        "no limit" => None,
        d => Some(Duration::parse(d).unwrap_or_else(|| panic!("`{d}` is not a duration")).0),
    }
}

#[test]
fn every_field_prints_the_range_validation_enforces() {
    let mut checked = 0;
    for f in fields::FIELDS {
        let Some((lo, hi)) = printed_range(f.path) else { continue };
        let path = f.path;
        if let (Ok(lo), Ok(hi)) = (lo.parse::<i64>(), hi.parse::<i64>())
            && matches!(f.range, fields::Range::Int(..))
        {
            assert!(refused(path, toml::Value::Integer(lo - 1)), "{path}: {} is accepted", lo - 1);
            assert!(refused(path, toml::Value::Integer(hi + 1)), "{path}: {} is accepted", hi + 1);
            assert!(!refused(path, toml::Value::Integer(lo)), "{path}: {lo} is refused");
            assert!(!refused(path, toml::Value::Integer(hi)), "{path}: {hi} is refused");
        } else if let (Ok(lo), Ok(hi)) = (lo.parse::<f64>(), hi.parse::<f64>()) {
            if path.ends_with(".points") {
                continue; // a point's value: checked through the value's entry
            }
            real_ends(path, lo, hi);
        } else {
            let text = |ns: i64| toml::Value::String(Duration(ns).to_string());
            let lo = duration_bound(&lo).unwrap();
            if lo > 0 {
                assert!(refused(path, text(lo - 1)), "{path}: {}ns is accepted", lo - 1);
            }
            assert!(!refused(path, text(lo)), "{path}: {lo}ns is refused");
            if let Some(hi) = duration_bound(&hi) {
                assert!(refused(path, text(hi + 1)), "{path}: {}ns is accepted", hi + 1);
                assert!(!refused(path, text(hi)), "{path}: {hi}ns is refused");
            }
        }
        checked += 1;
    }
    // Every entry with a range but the path-point lists.
    let ranged = fields::FIELDS.iter().filter(|f| f.range.words().is_some() && !f.path.ends_with(".points")).count();
    assert_eq!(checked, ranged, "ranges checked");
}

#[test]
fn every_event_range_printed_is_enforced() {
    for how in [How::Change, How::Value] {
        let topic = if how == How::Value { "events.value" } else { "events.change" };
        let text = String::from_utf8_lossy(&help(topic).stdout).to_string();
        for r in EVENT_RANGES.iter().filter(|r| r.how == how) {
            let name = r.target.name();
            let line = text.lines().find(|l| l.trim_start().starts_with(&format!("{name} "))).unwrap();
            if r.target == tplus::scenario::EventTarget::GroupParam {
                // The parameter's own range, checked in tests/group_param.rs.
                assert!(line.contains(r.accepted), "{line}");
                continue;
            }
            let range = line.split("range: ").nth(1).unwrap().split("  (").next().unwrap();
            let (lo, hi) = range.split_once(" to ").unwrap();
            let (lo, hi): (f64, f64) = (lo.parse().unwrap(), hi.parse().unwrap());
            let key = if how == How::Value { "value" } else { "change" };
            let event_refused = |v: f64| {
                let mut root = base();
                let events = root.get_mut("events").and_then(|e| e.as_array_mut()).unwrap();
                let mut e = toml::Table::new();
                e.insert("at".into(), toml::Value::String("day 2 10:00".into()));
                e.insert("target".into(), toml::Value::String(name.into()));
                e.insert(key.into(), toml::Value::Float(v));
                events[0] = toml::Value::Table(e);
                let s: Scenario = root.try_into().unwrap();
                match scenario::check(&s, &Registry::builtin()) {
                    Err(e) => e.kind == InvalidKind::OutOfRange && e.field == format!("events[0].{key}"),
                    Ok(()) => false,
                }
            };
            assert!(event_refused(lo - eps(lo)) && event_refused(hi + eps(hi)), "{name} {key}");
            assert!(!event_refused(lo) && !event_refused(hi), "{name} {key}");
        }
    }
}

#[test]
fn every_family_parameter_prints_the_range_it_checks() {
    let registry = Registry::builtin();
    for family in registry.families().iter().chain(registry.abuses()) {
        for p in family.params {
            let topic = format!("agents.params.{}.{}", family.name, p.name);
            let Some((lo, hi)) = printed_range(&topic) else { panic!("{topic} prints no range") };
            let refused = |v: toml::Value| {
                let mut t = toml::Table::new();
                t.insert(p.name.into(), v);
                matches!(tplus::scenario::FamilyCatalog::check_params(&registry, family.name, &t),
                    Err(e) if e.kind == InvalidKind::OutOfRange && e.field == p.name)
            };
            if let (Ok(lo), Ok(hi)) = (lo.parse::<i64>(), hi.parse::<i64>()) {
                assert!(refused(toml::Value::Integer(lo - 1)) && refused(toml::Value::Integer(hi + 1)), "{topic}");
                assert!(!refused(toml::Value::Integer(lo)) && !refused(toml::Value::Integer(hi)), "{topic}");
            } else if let (Ok(lo), Ok(hi)) = (lo.parse::<f64>(), hi.parse::<f64>()) {
                let f = toml::Value::Float;
                assert!(refused(f(lo - eps(lo))) && refused(f(hi + eps(hi))), "{topic}");
                assert!(!refused(f(lo)) && !refused(f(hi)), "{topic}");
            } else {
                assert_eq!((lo.as_str(), hi.as_str()), ("1ns", "no limit"), "{topic}");
                assert!(refused(toml::Value::String("0s".into())), "{topic}");
                assert!(!refused(toml::Value::String("1ns".into())), "{topic}");
            }
        }
    }
}

#[test]
fn the_overview_lists_every_table_and_field() {
    let out = help("scenario");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for f in fields::FIELDS {
        assert!(text.contains(f.path), "{} is not listed", f.path);
    }
    for table in ["[simulation]", "[[product]]", "[macro]", "[credit]", "[metrics]", "[[agents]]", "[[events]]"] {
        assert!(text.contains(table), "{table}");
    }
    assert!(text.contains("herding (family)"));
}

#[test]
fn an_unknown_path_names_near_matches_and_exits_2() {
    let out = help("product.price_bnd");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("`product.price_bnd` is not a scenario field"), "{err}");
    assert!(err.contains("near matches: product.price_band"), "{err}");
    let out = help("agents.params.herding_rate");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("near matches: agents.params.herding"));
}

#[test]
fn indices_and_commands_are_accepted() {
    assert!(printed_range("agents[2].arrival.mu").is_some());
    let out = help("run");
    assert!(out.status.success() && String::from_utf8_lossy(&out.stdout).contains("Usage: tplus run"));
}
