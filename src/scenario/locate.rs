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

/// The field path of the line holding byte `offset`, for errors the TOML
/// parser reports before any path is known: `table.key` on a `key = value`
/// line (`[[agents]]` headers are counted), the table's own path on a table
/// header or a line that is neither, `None` above the first table.
pub fn field_at(text: &str, offset: usize) -> Option<String> {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let line = text[line_start..line_end].trim();
    // The tables opened above, then this line's own header, if it is one.
    let mut table = table_at(text, line_start);
    if line.starts_with('[') {
        let name = line.trim_start_matches('[');
        let name = name.split(']').next().unwrap_or(name).trim();
        if plausible_key(name) {
            return table_at(text, line_end).filter(|t| t.starts_with(name)).or(Some(name.to_string()));
        }
        // A header broken by a stray character: the name as far as it goes.
        let end = name.find(|c: char| !plausible_key(c.encode_utf8(&mut [0; 4]))).unwrap_or(name.len());
        return if end > 0 { Some(name[..end].to_string()) } else { table };
    }
    if let Some((key, _)) = line.split_once('=') {
        let key = key.trim();
        if plausible_key(key) {
            table = Some(match table {
                Some(t) => format!("{t}.{key}"),
                None => key.to_string(),
            });
        }
    }
    table
}

/// Whether `key` reads as a (dotted, possibly quoted) TOML key rather than
/// the debris of a mistake.
fn plausible_key(key: &str) -> bool {
    !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || "_-.\"'".contains(c))
}

/// The largest char boundary at or below `i`.
fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The path of the table the text before `end` leaves open: `agents[2]` for
/// the third `[[agents]]`, `agents[2].params` for a sub-table of it.
fn table_at(text: &str, end: usize) -> Option<String> {
    let mut table: Option<String> = None;
    let mut arrays: Vec<(String, usize)> = Vec::new();
    for line in text[..end].lines().map(str::trim) {
        if let Some(name) = line.strip_prefix("[[").and_then(|l| l.split_once("]]")).map(|(n, _)| n.trim()) {
            let count = match arrays.iter_mut().find(|(n, _)| n == name) {
                Some((_, c)) => {
                    *c += 1;
                    *c
                }
                None => {
                    arrays.push((name.to_string(), 0));
                    0
                }
            };
            table = Some(format!("{name}[{count}]"));
        } else if let Some(name) = line.strip_prefix('[').and_then(|l| l.split_once(']')).map(|(n, _)| n.trim()) {
            // A sub-table of the latest array element, e.g. [agents.params].
            let parent = name.split('.').next().unwrap_or(name);
            table = Some(match arrays.iter().find(|(n, _)| n == parent) {
                Some((_, c)) => format!("{parent}[{c}]{}", &name[parent.len()..]),
                None => name.to_string(),
            });
        }
    }
    table
}

/// The span of the key written before the value at `value`, in `key = value`
/// (a bare or quoted key); the value's own span when none is found.
pub fn key_before(text: &str, value: std::ops::Range<usize>) -> std::ops::Range<usize> {
    let bytes = text.as_bytes();
    let mut i = value.start;
    while i > 0 && matches!(bytes[i - 1], b' ' | b'\t') {
        i -= 1;
    }
    if i == 0 || bytes[i - 1] != b'=' {
        return value;
    }
    i -= 1;
    while i > 0 && matches!(bytes[i - 1], b' ' | b'\t') {
        i -= 1;
    }
    let end = i;
    while i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || matches!(bytes[i - 1], b'_' | b'-' | b'"' | b'\'')) {
        i -= 1;
    }
    if i == end { value } else { i..end }
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

    #[test]
    fn field_at_names_the_line_under_its_header() {
        let text =
            "# top\n[simulation]\nstart = 1\n[[agents]]\nx = 1\n[[agents]]\ny = 2\n[agents.params]\nz = 3\n?? x\n";
        assert_eq!(field_at(text, 0), None);
        assert_eq!(field_at(text, text.find("start").unwrap()).as_deref(), Some("simulation.start"));
        assert_eq!(field_at(text, text.find("y =").unwrap() + 4).as_deref(), Some("agents[1].y"));
        assert_eq!(field_at(text, text.find("z =").unwrap()).as_deref(), Some("agents[1].params.z"));
        assert_eq!(field_at(text, text.find("[[agents]]").unwrap()).as_deref(), Some("agents[0]"));
        assert_eq!(field_at(text, text.find("[simulation]").unwrap()).as_deref(), Some("simulation"));
        assert_eq!(field_at(text, text.find("??").unwrap()).as_deref(), Some("agents[1].params"));
        assert_eq!(field_at("[simulatio\nx = 1", 3).as_deref(), Some("simulatio"));
        assert_eq!(field_at("[simulati#n]\nx = 1", 3).as_deref(), Some("simulati"));
    }
}
