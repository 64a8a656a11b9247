//! The header comment of a scenario file: the lesson it teaches, in the
//! words of its author, for the live view's "What to watch" line.

/// What to watch in a scenario, from the comment block at the top of its
/// `text`: the paragraph that starts "What to watch:" (up to an empty
/// comment line or the next "Label:" line), else the first sentence after
/// "Teaches:", else the first sentence of the block. Whitespace is joined
/// into single spaces; None when the file starts with no comment.
pub fn what_to_watch(text: &str) -> Option<String> {
    // The leading comment block, "#" and one space stripped from each line.
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .take_while(|l| l.starts_with('#'))
        .map(|l| l.trim_start_matches('#').trim())
        .collect();
    let paragraph = |label: &str| -> Option<String> {
        let at = lines.iter().position(|l| starts_with_ignore_case(l, label))?;
        let mut words = vec![lines[at][label.len()..].trim()];
        for l in &lines[at + 1..] {
            if l.is_empty() || is_label(l) {
                break;
            }
            words.push(l);
        }
        Some(join(&words))
    };
    if let Some(p) = paragraph("What to watch:").filter(|p| !p.is_empty()) {
        return Some(p);
    }
    if let Some(p) = paragraph("Teaches:").filter(|p| !p.is_empty()) {
        return Some(first_sentence(&p));
    }
    let all = join(&lines);
    (!all.is_empty()).then(|| first_sentence(&all))
}

fn starts_with_ignore_case(line: &str, prefix: &str) -> bool {
    line.get(..prefix.len()).is_some_and(|p| p.eq_ignore_ascii_case(prefix))
}

/// A line that opens a labelled paragraph: "Teaches: …", "Control: …".
fn is_label(line: &str) -> bool {
    match line.split_once(':') {
        Some((label, _)) => {
            !label.is_empty() && label.len() <= 20 && label.chars().all(|c| c.is_alphabetic() || c == ' ')
        }
        None => false,
    }
}

fn join(parts: &[&str]) -> String {
    parts.iter().flat_map(|p| p.split_whitespace()).collect::<Vec<_>>().join(" ")
}

/// Up to and with the first full stop followed by a space (or the end).
fn first_sentence(text: &str) -> String {
    match text.find(". ") {
        Some(i) => text[..=i].to_string(),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every bundled scenario says what to watch in the live view: the
    /// fallback, the first sentence of "Teaches:", pointed at what the
    /// view does not show (planted_abuse.toml's risk report).
    #[test]
    fn every_bundled_scenario_says_what_to_watch() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        let mut seen = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "toml") {
                let text = std::fs::read_to_string(&path).unwrap();
                let header: Vec<&str> = text.lines().take_while(|l| l.starts_with('#')).collect();
                assert!(
                    header.iter().any(|l| starts_with_ignore_case(l.trim_start_matches("# "), "What to watch:")),
                    "{} has no \"What to watch:\" paragraph in its header",
                    path.display()
                );
                seen += 1;
            }
        }
        assert!(seen >= 10, "{seen} scenarios");
    }

    #[test]
    fn a_what_to_watch_paragraph_is_taken_whole() {
        let text = "# x.toml — a market.\n#\n# Teaches: imitation. More here.\n# What to watch: the share\n#   swings between 0 and 1.\n#\n# Measured with …\n[simulation]\n";
        assert_eq!(what_to_watch(text).as_deref(), Some("the share swings between 0 and 1."));
        let next_label = "# What to watch: prices.\n# Control: the same file.\n";
        assert_eq!(what_to_watch(next_label).as_deref(), Some("prices."));
        assert_eq!(what_to_watch("# what to watch: case.\n").as_deref(), Some("case."), "any case");
    }

    #[test]
    fn without_one_the_lesson_or_the_first_sentence_stands_in() {
        let teaches = "# x.toml — a market.\n#\n# Teaches: imitation makes a crowd\n# swing. Three thousand …\n";
        assert_eq!(what_to_watch(teaches).as_deref(), Some("imitation makes a crowd swing."));
        let plain = "# A quiet market. Nothing happens.\n\n# not the header\n[simulation]\n";
        assert_eq!(what_to_watch(plain).as_deref(), Some("A quiet market."));
        assert_eq!(what_to_watch("[simulation]\n# late comment\n"), None, "no header comment");
        assert_eq!(what_to_watch(""), None);
        assert_eq!(what_to_watch("#\n#\n"), None, "an empty header");
        assert_eq!(
            what_to_watch("# What to watch:\n# Teaches: x. y\n").as_deref(),
            Some("x."),
            "an empty one is skipped"
        );
    }

    #[test]
    fn every_teaching_scenario_says_what_to_watch() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        for name in ["herding.toml", "rate_hike.toml", "burst.toml", "credit_squeeze.toml"] {
            let text = std::fs::read_to_string(dir.join(name)).unwrap();
            let watch = what_to_watch(&text).unwrap();
            assert!(text.contains("# What to watch:"), "{name}");
            assert!(watch.len() > 30 && watch.ends_with('.'), "{name}: {watch}");
        }
    }
}
