//! Small pieces of English for the sweep report's captions and text.

use super::interval::Interval;

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
pub(super) fn n_range<'a>(stats: impl Iterator<Item = &'a Interval>) -> String {
    let (lo, hi) = stats.fold((usize::MAX, 0), |(a, b), s| (a.min(s.n), b.max(s.n)));
    match (lo, hi) {
        (usize::MAX, _) => "n = 0 runs".into(),
        (1, 1) => "n = 1 run".into(),
        (a, b) if a == b => format!("n = {a} runs"),
        (a, b) => format!("n = {a}–{b} runs"),
    }
}
