//! Small pieces of English for the sweep report's captions and text.

use crate::metrics::stats::MeanInterval;

/// `Success probability` → `success probability`.
pub(super) fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or(String::new(), |f| f.to_lowercase().chain(c).collect())
}

pub(super) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `a`, `a and b`, `a, b and c`.
pub(super) fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [a] => a.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// `n = 4 runs`, `n = 1 run` or `n = 3–4 runs`, over the intervals.
pub(super) fn n_range<'a>(stats: impl Iterator<Item = &'a MeanInterval>) -> String {
    let (lo, hi) = stats.fold((usize::MAX, 0), |(a, b), s| (a.min(s.n), b.max(s.n)));
    match (lo, hi) {
        (usize::MAX, _) => "n = 0 runs".into(),
        (1, 1) => "n = 1 run".into(),
        (a, b) if a == b => format!("n = {a} runs"),
        (a, b) => format!("n = {a}–{b} runs"),
    }
}

/// A swept parameter in words, from its path and the base scenario of
/// `sweep.json`: (`name`, `title`) where the name is for a figure's title
/// (`buy_prob of group 3, zero_intelligence`) and the title for its axis,
/// the name with its unit (`… (probability)`). The units are those of the
/// scenario reference (scenarios/README.md) and of the families'
/// parameter declarations: `accepted`, the words `sweep.json` recorded for a
/// behaviour parameter (a family's of the sweeping program's, built in or
/// not), else a built-in family's; a path they do not cover is its own name.
pub(super) fn param_words(path: &str, base: Option<&serde_json::Value>, accepted: Option<&str>) -> (String, String) {
    let steps: Vec<(&str, Option<usize>)> = path
        .split('.')
        .map(|seg| match seg.split_once('[') {
            Some((name, rest)) => (name, rest.strip_suffix(']').and_then(|i| i.trim().parse().ok())),
            None => (seg, None),
        })
        .collect();
    let both = |name: String, unit: &str| {
        let title = if unit.is_empty() { name.clone() } else { format!("{name} ({unit})") };
        (name, title)
    };
    let at = |list: &str, i: usize, key: &str| -> Option<String> {
        base?.get(list)?.get(i)?.get(key)?.as_str().map(str::to_string)
    };
    match steps.as_slice() {
        [("agents", Some(i)), rest @ ..] => {
            let family = at("agents", *i, "family");
            let group = match &family {
                Some(f) => format!("group {i}, {f}"),
                None => format!("group {i}"),
            };
            match rest {
                [("params", None), (param, None)] => {
                    let builtin = || family.as_deref().and_then(|f| crate::batch::param_doc(f, param)).map(|(_, a)| a);
                    let unit = accepted.or_else(builtin).map_or(String::new(), unit_of);
                    both(format!("{param} of {group}"), &unit)
                }
                [("count", None)] => both(format!("customers in {group}"), "count"),
                [("arrival", None), ("rate", None)] => {
                    both(format!("arrival rate of {group}"), "wake-ups per customer per session hour")
                }
                _ => (path.to_string(), path.to_string()),
            }
        }
        [("product", Some(i)), (field, None)] => {
            let id = at("product", *i, "id").unwrap_or_else(|| format!("product {i}"));
            match *field {
                "min_credit_score" => both(format!("minimum credit score of {id}"), "score, 0–1000"),
                f => both(format!("{f} of {id}"), ""),
            }
        }
        [("macro", None), (process, None), (field, None)] => {
            let what = process.replace('_', " ");
            let rate = matches!(*process, "loan_rate" | "deposit_rate");
            match (*field, rate) {
                ("value", true) => both(format!("{what} at the start"), "fraction per year"),
                ("theta", true) => both(format!("{what}: long-run mean theta"), "fraction per year"),
                ("kappa", _) => both(format!("{what}: mean-reversion speed kappa"), "per year"),
                ("sigma", _) => both(format!("{what}: volatility sigma"), "per square-root year"),
                ("value", false) => both(format!("{what} at the start"), ""),
                ("rate", false) => both(format!("{what}: jump rate"), "jumps per calendar day"),
                (f, _) => both(format!("{what}: {f}"), ""),
            }
        }
        _ => (path.to_string(), path.to_string()),
    }
}

/// The unit in the words a family gives for a parameter's accepted values:
/// `a probability from 0 to 1` → `probability`, `a recruitment rate per hour
/// from 0 to 1000, e.g. 2` → `recruitment rate per hour`.
fn unit_of(accepted: &str) -> String {
    let s = accepted.trim();
    let s = s.strip_prefix("a ").or_else(|| s.strip_prefix("an ")).unwrap_or(s);
    let cut = [" from ", " above ", " at least", " at most", ",", " e.g."]
        .iter()
        .filter_map(|m| s.find(m))
        .min()
        .unwrap_or(s.len());
    s[..cut].trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_named_in_words_with_their_units() {
        let base = serde_json::json!({
            "agents": [{"family": "market_maker"}, {"family": "zero_intelligence"}, {}, {"family": "herding"}],
            "product": [{"id": "NOTE7"}]
        });
        let w = |p: &str| param_words(p, Some(&base), None);
        assert_eq!(w("agents[1].params.buy_prob").1, "buy_prob of group 1, zero_intelligence (probability)");
        assert_eq!(w("agents[3].params.herding").1, "herding of group 3, herding (recruitment rate per hour)");
        assert_eq!(w("agents[3].params.herding").0, "herding of group 3, herding");
        assert_eq!(w("macro.loan_rate.value").1, "loan rate at the start (fraction per year)");
        assert_eq!(w("product[0].min_credit_score").1, "minimum credit score of NOTE7 (score, 0–1000)");
        assert_eq!(w("agents[2].count").1, "customers in group 2 (count)");
        assert_eq!(param_words("agents[1].params.buy_prob", None, None).1, "buy_prob of group 1");
        assert_eq!(w("simulation.days").1, "simulation.days");
        assert_eq!(unit_of("a whole number of lots, at least 1"), "whole number of lots");
    }

    #[test]
    fn a_recorded_meaning_gives_the_unit_of_a_family_not_built_in() {
        let base = serde_json::json!({"agents": [{}, {}, {"family": "contrarian"}]});
        let path = "agents[2].params.threshold";
        assert_eq!(param_words(path, Some(&base), None).1, "threshold of group 2, contrarian");
        let recorded = param_words(path, Some(&base), Some("a fraction from 0 to 0.1"));
        assert_eq!(recorded.1, "threshold of group 2, contrarian (fraction)");
        assert_eq!(recorded.0, "threshold of group 2, contrarian");
    }
}
