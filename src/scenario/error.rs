//! The one error type for anything wrong with a scenario, formatted the way a
//! compiler reports a mistake: `file:line:column: field: what is wrong`, then
//! what is accepted.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Boxed, so that a `Result` carrying it stays small on the path that
/// succeeds; with the I/O error that kept a file from being read, as its
/// [`std::error::Error::source`].
#[derive(Clone, Debug)]
pub struct ScenarioError(Box<ErrorDetail>, Option<Arc<std::io::Error>>);

/// Equal when they say the same (an I/O cause by its kind).
impl PartialEq for ScenarioError {
    fn eq(&self, other: &ScenarioError) -> bool {
        self.0 == other.0 && self.1.as_ref().map(|e| e.kind()) == other.1.as_ref().map(|e| e.kind())
    }
}

/// Where a scenario mistake is and what is accepted instead.
#[derive(Clone, Debug, PartialEq)]
pub struct ErrorDetail {
    /// The scenario or sweep file the mistake is in.
    pub file: PathBuf,
    /// 1-based line and column, where the mistake has a place in the file.
    pub line: Option<usize>,
    /// 1-based column (in characters) of the mistake, with `line`.
    pub column: Option<usize>,
    /// Field path such as `agents[1].arrival.rate` (array indices count from 0).
    pub field: Option<String>,
    /// What is wrong, in words.
    pub message: String,
    /// What the field accepts instead, when that can be said.
    pub accepted: Option<String>,
}

impl ScenarioError {
    /// A mistake with no one place in `file` (it cannot be read, say).
    pub fn whole_file(file: &Path, message: impl Into<String>) -> ScenarioError {
        ScenarioError(
            Box::new(ErrorDetail {
                file: file.to_path_buf(),
                line: None,
                column: None,
                field: None,
                message: message.into(),
                accepted: None,
            }),
            None,
        )
    }

    /// Where the mistake is and what is accepted, for a caller that formats it
    /// its own way.
    pub fn detail(&self) -> &ErrorDetail {
        &self.0
    }

    /// A mistake at byte range `span` of `text` (the file's contents), turned into
    /// a line and column; `field` is the field path, when known.
    pub fn at_span(
        file: &Path,
        text: &str,
        span: Option<std::ops::Range<usize>>,
        field: Option<String>,
        message: impl Into<String>,
    ) -> ScenarioError {
        let (line, column) = match span {
            Some(span) => {
                let (l, c) = line_column(text, span.start);
                (Some(l), Some(c))
            }
            None => (None, None),
        };
        ScenarioError(
            Box::new(ErrorDetail {
                file: file.to_path_buf(),
                line,
                column,
                field,
                message: message.into(),
                accepted: None,
            }),
            None,
        )
    }

    /// Keeps `cause`, the I/O error that kept the file from being read, as
    /// the error's source (its words are already in the message).
    pub(crate) fn caused_by(mut self, cause: std::io::Error) -> ScenarioError {
        self.1 = Some(Arc::new(cause));
        self
    }

    /// Adds what the field accepts instead.
    pub fn accepting(mut self, accepted: impl Into<String>) -> ScenarioError {
        self.0.accepted = Some(accepted.into());
        self
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = &self.0;
        write!(f, "{}", Escaped(&d.file.display().to_string()))?;
        if let (Some(line), Some(column)) = (d.line, d.column) {
            write!(f, ":{line}:{column}")?;
        }
        if let Some(field) = &d.field {
            write!(f, ": {}", Shortened(field))?;
        }
        write!(f, ": {}", Shortened(&d.message))?;
        if let Some(accepted) = &d.accepted {
            write!(f, "\n  accepted: {}", Shortened(accepted))?;
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.1.as_deref().map(|e| e as _)
    }
}

/// Text quoted from a file with its control characters escaped (`\u{1b}`,
/// `\r`), so that an ESC or BEL in a scenario cannot drive the terminal the
/// message is printed on.
struct Escaped<'a>(&'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.0.chars() {
            if c.is_control() {
                write!(f, "{}", c.escape_default())?;
            } else {
                write!(f, "{c}")?;
            }
        }
        Ok(())
    }
}

/// Longest run of text without a space that a message shows whole. A value
/// quoted from the file may be any length (a name of ten million
/// characters); past this, its start and end are shown around the count of
/// characters left out, so that the message still fits a screen and says
/// what is wrong. The error's own fields ([`ScenarioError::detail`]) keep
/// the text whole.
const LONGEST_WORD: usize = 100;
/// Characters kept at the start and at the end of a shortened word.
const KEPT: (usize, usize) = (60, 20);

/// [`Escaped`] text with each over-long word cut to its ends.
struct Shortened<'a>(&'a str);

impl fmt::Display for Shortened<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, word) in self.0.split(' ').enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            let n = word.chars().count();
            if n <= LONGEST_WORD {
                write!(f, "{}", Escaped(word))?;
                continue;
            }
            let cut = |k: usize| word.char_indices().nth(k).map_or(word.len(), |(at, _)| at);
            let (head, tail) = (&word[..cut(KEPT.0)], &word[cut(n - KEPT.1)..]);
            write!(f, "{}…[{} characters]…{}", Escaped(head), n - KEPT.0 - KEPT.1, Escaped(tail))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_from_one() {
        let text = "a = 1\nbb = 2\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 6), (2, 1));
        assert_eq!(line_column(text, 11), (2, 6));
    }

    /// A file that cannot be read keeps its I/O error as the source, so a
    /// caller can tell a missing file from a refused one by its kind.
    #[test]
    fn an_unreadable_file_keeps_its_io_error() {
        use std::error::Error as _;
        let registry = crate::agents::Registry::builtin();
        let e = crate::scenario::load(Path::new("/nonexistent/tplus.toml"), &registry).unwrap_err();
        let io = e.source().and_then(|s| s.downcast_ref::<std::io::Error>()).map(std::io::Error::kind);
        assert_eq!(io, Some(std::io::ErrorKind::NotFound), "{e}");
        assert!(e.to_string().contains("no such file"), "{e}");
        let parsed = crate::scenario::parse(Path::new("s.toml"), "x = ", &registry).unwrap_err();
        assert!(parsed.source().is_none(), "a mistake in the text has no cause below it");
    }

    #[test]
    fn display_reads_like_a_compiler_message() {
        let e = ScenarioError::at_span(Path::new("s.toml"), "x = 1\ny = 2", Some(6..7), Some("y".into()), "bad")
            .accepting("good");
        assert_eq!(e.to_string(), "s.toml:2:1: y: bad\n  accepted: good");
    }

    #[test]
    fn an_over_long_value_is_shown_by_its_ends() {
        let name = format!("a{}z", "é".repeat(1_000_000));
        let e = ScenarioError::at_span(
            Path::new("s.toml"),
            "x",
            Some(0..1),
            Some("simulation.name".into()),
            format!("`{name}` cannot name a results folder"),
        );
        let shown = e.to_string();
        let kept = format!("`a{}…[{} characters]…{}z`", "é".repeat(58), 1_000_004 - 80, "é".repeat(18));
        assert_eq!(shown, format!("s.toml:1:1: simulation.name: {kept} cannot name a results folder"));
        assert_eq!(e.detail().message, format!("`{name}` cannot name a results folder"), "the field keeps it whole");
        let short = "x".repeat(LONGEST_WORD);
        let e = ScenarioError::whole_file(Path::new("s.toml"), short.clone());
        assert_eq!(e.to_string(), format!("s.toml: {short}"));
    }

    #[test]
    fn control_characters_from_the_file_are_escaped() {
        let e = ScenarioError::at_span(Path::new("s.toml"), "x", Some(0..1), Some("x".into()), "got \u{1b}[31m\u{7}\r")
            .accepting("a\tb");
        assert_eq!(e.to_string(), "s.toml:1:1: x: got \\u{1b}[31m\\u{7}\\r\n  accepted: a\\tb");
    }
}
