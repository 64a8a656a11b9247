//! A tiny XML well-formedness check for the SVG plots the report tests read:
//! tags balance and nest, attributes are quoted, entities are complete, one
//! root `svg` element.

/// A tiny XML check: tags balance and nest, attributes are quoted, entities
/// are complete, and there is one root `svg` element.
pub fn check_xml(text: &str) -> Result<(), String> {
    let body = text.trim_start();
    let body =
        if body.starts_with("<?xml") { &body[body.find("?>").ok_or("unclosed XML declaration")? + 2..] } else { body };
    if !body.trim_start().starts_with("<svg") {
        return Err("does not start with <svg".into());
    }
    let b = body.as_bytes();
    let mut stack: Vec<&str> = Vec::new();
    let mut roots = 0;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'<' => {
                if body[i..].starts_with("<!--") {
                    i += body[i..].find("-->").ok_or("unclosed comment")? + 3;
                    continue;
                }
                // Find the end of the tag, skipping quoted attribute values.
                let mut j = i + 1;
                let mut quote = None;
                while j < b.len() {
                    match (quote, b[j]) {
                        (None, b'"' | b'\'') => quote = Some(b[j]),
                        (Some(q), c) if c == q => quote = None,
                        (None, b'>') => break,
                        (None, b'<') => return Err(format!("`<` inside a tag at byte {j}")),
                        _ => {}
                    }
                    j += 1;
                }
                if j >= b.len() {
                    return Err("unclosed tag".into());
                }
                let tag = &body[i + 1..j];
                if let Some(name) = tag.strip_prefix('/') {
                    let open = stack.pop().ok_or_else(|| format!("`</{name}>` closes nothing"))?;
                    if open != name.trim() {
                        return Err(format!("`</{}>` closes `<{open}>`", name.trim()));
                    }
                } else {
                    let name = tag.split(|c: char| c.is_whitespace() || c == '/').next().unwrap_or("");
                    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == ':') {
                        return Err(format!("bad tag name in `<{tag}>`"));
                    }
                    if stack.is_empty() {
                        roots += 1;
                    }
                    if !tag.ends_with('/') {
                        stack.push(name);
                    }
                }
                i = j + 1;
            }
            b'&' => {
                let end = body[i..].find(';').ok_or("unterminated entity")?;
                let entity = &body[i + 1..i + end];
                let known = ["lt", "gt", "amp", "quot", "apos"].contains(&entity)
                    || entity.strip_prefix('#').is_some_and(|n| !n.is_empty());
                if !known {
                    return Err(format!("unknown entity `&{entity};`"));
                }
                i += end + 1;
            }
            _ => i += 1,
        }
    }
    if !stack.is_empty() {
        return Err(format!("unclosed elements {stack:?}"));
    }
    if roots != 1 {
        return Err(format!("{roots} root elements"));
    }
    Ok(())
}

/// Checks one plot file in `dir` (non-empty, well-formed, closed, titled
/// `title`, no non-finite coordinate) and returns its text.
pub fn check_plot(dir: &std::path::Path, file: &str, title: &str) -> String {
    let text = std::fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
    assert!(!text.is_empty(), "{file} is empty");
    assert!(text.trim_end().ends_with("</svg>"), "{file} has no closing </svg>");
    if let Err(e) = check_xml(&text) {
        panic!("{file} is not well-formed: {e}");
    }
    assert!(text.contains(title), "{file} lacks its title `{title}`");
    assert!(!text.contains("NaN") && !text.contains("inf\""), "{file} has a non-finite coordinate");
    text
}

/// Checks the PNG beside an SVG plot: the PNG signature, twice the SVG's
/// width and height (read from its `width="…" height="…"`), and more bytes
/// than a blank picture of that size compresses to (something is drawn;
/// the unit tests check that text is). Returns (width, height).
#[allow(dead_code)]
pub fn check_png(svg_path: &std::path::Path) -> (u32, u32) {
    let png_path = svg_path.with_extension("png");
    let png = std::fs::read(&png_path).unwrap_or_else(|e| panic!("{}: {e}", png_path.display()));
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{} is not a PNG", png_path.display());
    assert_eq!(&png[12..16], b"IHDR");
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    let (w, h) = (be(&png[16..20]), be(&png[20..24]));
    let svg = std::fs::read_to_string(svg_path).unwrap();
    let attr = |name: &str| -> u32 {
        let at = svg.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        svg[at..].split('"').next().unwrap().parse().unwrap()
    };
    assert_eq!((w, h), (2 * attr("width"), 2 * attr("height")), "{}", png_path.display());
    assert!(png.len() > 20_000, "{} looks blank ({} bytes)", png_path.display(), png.len());
    (w, h)
}
