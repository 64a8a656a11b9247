//! The harness shared by the bad-scenario tests (`scenario_errors.rs`,
//! `scenario_errors_environment.rs`).
//!
//! A case starts from a valid fixture in `tests/data/` ([`CORE`], [`FULL`]),
//! breaks it with one small textual edit (or is a whole file of its own), and
//! runs `tplus run FILE`, `tplus run FILE --out out` and `tplus check FILE` in
//! a fresh, empty directory. Each must exit with status 2, print the same error
//! naming the file, line:column, field path and what is accepted, and write
//! nothing. Expected lines and columns are found in the edited text, never
//! written down as numbers.

// Each test crate compiles its own copy of this module and uses only part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Name the broken scenario is written under, relative to the scratch directory.
pub const FILE: &str = "broken.toml";

/// Every way of reading a scenario: a run with default and explicit output, and a check.
pub const ALL: &[&[&str]] = &[&["run", FILE], &["run", FILE, "--out", "out"], &["check", FILE]];

/// A valid scenario in `tests/data/` that cases break.
pub struct Fixture(pub &'static str);

/// A one-family market that exercises every core table.
pub const CORE: Fixture = Fixture("core_market.toml");

/// A market with every table and family: `[macro]` (Vasicek loan rate, GBM
/// price level, shocks), `[credit]`, two `[[events]]`, Hawkes arrivals, income
/// bands and tenure.
pub const FULL: Fixture = Fixture("full_market.toml");

impl Fixture {
    /// The fixture's text.
    pub fn text(&self) -> String {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(self.0);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// The fixture with the first `from` replaced by `to`.
    pub fn edit(&self, from: &str, to: &str) -> Scenario {
        let base = self.text();
        assert!(base.contains(from), "{} has no `{from}`", self.0);
        whole(&base).then(from, to)
    }

    /// The fixture with the text from `start` up to (not including) `end` removed.
    pub fn cut(&self, start: &str, end: &str) -> Scenario {
        let base = self.text();
        let name = self.0;
        let from = base.find(start).unwrap_or_else(|| panic!("{name} has no `{start}`"));
        let to = from + base[from..].find(end).unwrap_or_else(|| panic!("{name} has no `{end}` after `{start}`"));
        let text = format!("{}{}", &base[..from], &base[to..]);
        assert!(text.len() < base.len() && !text.contains(start), "cutting `{start}` changed nothing");
        Scenario { text, edit_at: from }
    }
}

/// A scenario file written out in full.
pub fn whole(text: &str) -> Scenario {
    Scenario { text: text.to_string(), edit_at: 0 }
}

/// 1-based line and column (in characters) of byte `offset` of `text`.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |n| n + 1);
    (before.matches('\n').count() + 1, before[line_start..].chars().count() + 1)
}

/// A scenario text and the byte offset where it was edited.
pub struct Scenario {
    pub text: String,
    pub edit_at: usize,
}

impl Scenario {
    /// `text` with the first `from` replaced by `to`, and where.
    fn replace_first(&self, from: &str, to: &str) -> (String, usize) {
        let at = self.text.find(from).unwrap_or_else(|| panic!("the scenario has no `{from}`"));
        let text = format!("{}{to}{}", &self.text[..at], &self.text[at + from.len()..]);
        assert_ne!(text, self.text, "replacing `{from}` by `{to}` changed nothing");
        (text, at)
    }

    /// This scenario with the first `from` replaced by `to`; the edit point
    /// moves to this replacement.
    pub fn then(self, from: &str, to: &str) -> Scenario {
        let (text, edit_at) = self.replace_first(from, to);
        Scenario { text, edit_at }
    }

    /// This scenario with the first `from` replaced by `to` as well; the edit
    /// point stays on the text it was on.
    pub fn and(self, from: &str, to: &str) -> Scenario {
        let (text, at) = self.replace_first(from, to);
        let edit_at = if at + from.len() <= self.edit_at { self.edit_at + to.len() - from.len() } else { self.edit_at };
        Scenario { text, edit_at }
    }

    /// 1-based line and column (in characters) of the first `needle` at or after the edit.
    pub fn pos(&self, needle: &str) -> (usize, usize) {
        let found = self.text[self.edit_at..].find(needle);
        line_column(&self.text, self.edit_at + found.unwrap_or_else(|| panic!("no `{needle}` after the edit")))
    }

    /// 1-based line and column of the last `needle` before the edit, such as
    /// the header of the table a removed field belonged to.
    pub fn pos_before(&self, needle: &str) -> (usize, usize) {
        let found = self.text[..self.edit_at].rfind(needle);
        line_column(&self.text, found.unwrap_or_else(|| panic!("no `{needle}` before the edit")))
    }

    /// 1-based line of the first `needle` at or after the edit.
    pub fn line(&self, needle: &str) -> usize {
        self.pos(needle).0
    }

    /// Writes the scenario and expects `run`, `run --out` and `check` to refuse it.
    pub fn fails(&self) -> Failure {
        refuse(Some(self.text.as_bytes()), ALL)
    }

    /// Writes the scenario and expects `check` to accept it.
    pub fn passes(&self) {
        let dir = scratch();
        std::fs::write(dir.join(FILE), &self.text).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_tplus")).args(["check", FILE]).current_dir(&dir).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "`tplus check` refused the scenario:\n{stderr}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// A fresh, empty directory of its own for one invocation set.
pub fn scratch() -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("tplus-scenario-errors-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

/// Runs each argument list in a scratch directory holding `bytes` as [`FILE`]
/// (or nothing, when `bytes` is `None`). Each must exit with status 2, print
/// nothing on stdout, the same error on stderr, no panic, and write nothing.
pub fn refuse(bytes: Option<&[u8]>, runs: &[&[&str]]) -> Failure {
    let dir = scratch();
    if let Some(bytes) = bytes {
        std::fs::write(dir.join(FILE), bytes).unwrap();
    }
    let before = listing(&dir);
    let mut first: Option<String> = None;
    for args in runs {
        let out = Command::new(env!("CARGO_BIN_EXE_tplus")).args(*args).current_dir(&dir).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let cmd = format!("tplus {}", args.join(" "));
        assert_eq!(out.status.code(), Some(2), "`{cmd}` exit status; stderr:\n{stderr}");
        for bad in ["panicked", "RUST_BACKTRACE", "stack backtrace"] {
            assert!(!stderr.contains(bad), "`{cmd}` printed `{bad}`:\n{stderr}");
        }
        assert!(out.stdout.is_empty(), "`{cmd}` printed on stdout:\n{}", String::from_utf8_lossy(&out.stdout));
        assert!(!dir.join("results").exists(), "`{cmd}` created results/");
        assert!(!dir.join("out").exists(), "`{cmd}` created out/");
        assert_eq!(listing(&dir), before, "`{cmd}` wrote into its working directory");
        match &first {
            None => first = Some(stderr),
            Some(f) => assert_eq!(&stderr, f, "`{cmd}` reports differently from `tplus {}`", runs[0].join(" ")),
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    let stderr = first.unwrap();
    assert!(stderr.starts_with(&format!("error: {FILE}")), "the error does not start with the file name:\n{stderr}");
    Failure { stderr }
}

/// What `tplus` printed on stderr for a refused scenario.
pub struct Failure {
    pub stderr: String,
}

impl Failure {
    /// The error points at `line:column` of the file.
    pub fn at(&self, (line, column): (usize, usize)) -> &Self {
        let want = format!("error: {FILE}:{line}:{column}: ");
        assert!(self.stderr.starts_with(&want), "expected `{want}…`, got:\n{}", self.stderr);
        self
    }

    /// The error points at some column of `line`.
    pub fn on_line(&self, line: usize) -> &Self {
        let want = format!("error: {FILE}:{line}:");
        let column = self.stderr.strip_prefix(&want).and_then(|r| r.split(':').next()).map(str::parse::<usize>);
        assert!(matches!(column, Some(Ok(_))), "expected `{want}COLUMN: …`, got:\n{}", self.stderr);
        self
    }

    /// The error is about the whole file: no line and column.
    pub fn nowhere(&self) -> &Self {
        let want = format!("error: {FILE}: ");
        assert!(self.stderr.starts_with(&want), "expected `{want}…` without a line, got:\n{}", self.stderr);
        self
    }

    /// The error names the field path, in the `file:line:col: field: message` slot.
    pub fn field(&self, path: &str) -> &Self {
        let first = self.stderr.lines().next().unwrap_or_default();
        assert!(first.contains(&format!(": {path}: ")), "expected field `{path}` in:\n{}", self.stderr);
        self
    }

    /// The message line contains `text`.
    pub fn says(&self, text: &str) -> &Self {
        let first = self.stderr.lines().next().unwrap_or_default();
        assert!(first.contains(text), "expected `{text}` in the message:\n{}", self.stderr);
        self
    }

    /// An `accepted:` line follows and contains `text`.
    pub fn accepts(&self, text: &str) -> &Self {
        let accepted = self.stderr.lines().find_map(|l| l.trim_start().strip_prefix("accepted: "));
        let accepted = accepted.unwrap_or_else(|| panic!("no `accepted:` line in:\n{}", self.stderr));
        assert!(accepted.contains(text), "expected `{text}` in the accepted line:\n{}", self.stderr);
        self
    }

    /// Nothing in the output contains `text`.
    pub fn never_says(&self, text: &str) -> &Self {
        assert!(!self.stderr.contains(text), "`{text}` should not appear in:\n{}", self.stderr);
        self
    }
}
