//! Finds where a field path such as `agents[1].arrival.rate` is written in the
//! scenario text, so that errors found after parsing still point at a line.

use toml::de::{DeTable, DeValue};

enum Segment<'a> {
    Key(&'a str),
    Index(usize),
}

fn segments(path: &str) -> Vec<Segment<'_>> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let (key, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !key.is_empty() {
            out.push(Segment::Key(key));
        }
        while let Some(close) = rest.find(']') {
            if let Ok(i) = rest[1..close].parse() {
                out.push(Segment::Index(i));
            }
            rest = &rest[close + 1..];
        }
    }
    out
}

/// Byte span of the deepest part of `path` present in `text`: the value when
/// the field is written, else the table that should hold it.
pub fn span_of(text: &str, path: &str) -> Option<std::ops::Range<usize>> {
    let root = DeTable::parse(text).ok()?;
    let mut span = None;
    let mut table: Option<&DeTable<'_>> = Some(root.get_ref());
    let mut value: Option<&DeValue<'_>> = None;
    for seg in segments(path) {
        let next = match (seg, table, value) {
            (Segment::Key(k), Some(t), _) => t.iter().find(|(key, _)| key.get_ref().as_ref() == k).map(|(key, v)| {
                // An empty inline value has a span of its own; fall back to the key.
                if v.span().is_empty() { (key.span(), v) } else { (v.span(), v) }
            }),
            (Segment::Index(i), _, Some(DeValue::Array(a))) => a.get(i).map(|v| (v.span(), v)),
            _ => None,
        };
        let Some((s, v)) = next else { break };
        span = Some(s);
        table = match v.get_ref() {
            DeValue::Table(t) => Some(t),
            _ => None,
        };
        value = Some(v.get_ref());
    }
    span
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nested_fields_in_arrays_of_tables() {
        let text = "[[agents]]\ncount = 1\n\n[[agents]]\ncount = 2\narrival = { process = \"poisson\", rate = -1.0 }\n";
        let span = span_of(text, "agents[1].arrival.rate").unwrap();
        assert_eq!(&text[span], "-1.0");
        let span = span_of(text, "agents[1].count").unwrap();
        assert_eq!(&text[span], "2");
        // Missing field: the deepest table found.
        assert!(span_of(text, "agents[0].budget").is_some());
    }
}
