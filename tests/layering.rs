//! The crate's layering, as ARCHITECTURE.md writes it, holds in the code,
//! and its rooms stay readable (file sizes, one name per public type).
//!
//! ARCHITECTURE.md's "Where things live" table gives, for every top-level
//! module under `src/`, the modules it may use (the backticked names in its
//! last column). This test reads that table, finds every `crate::…` path in
//! each module's code (tests inside a file are left out: they may build
//! whatever they need), and fails on any use the table does not allow, on a
//! module the table does not list, and on a cycle in the table itself.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The top-level modules: `src/NAME.rs` and `src/NAME/`, less the crate roots.
fn modules() -> BTreeSet<String> {
    std::fs::read_dir(root().join("src"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter_map(|p| {
            let name = p.file_stem()?.to_str()?.to_string();
            (p.is_dir() || p.extension().is_some_and(|e| e == "rs")).then_some(name)
        })
        .filter(|n| n != "lib" && n != "main")
        .collect()
}

/// Module → the modules it may use, from ARCHITECTURE.md's table.
fn allowed(known: &BTreeSet<String>) -> BTreeMap<String, BTreeSet<String>> {
    let text = std::fs::read_to_string(root().join("ARCHITECTURE.md")).unwrap();
    let mut table = BTreeMap::new();
    for line in text.lines().filter(|l| l.starts_with("| `src/")) {
        let cells: Vec<&str> = line.trim_matches('|').split(" | ").collect();
        let path = cells[0].trim().trim_matches('`');
        let name = path.trim_start_matches("src/").trim_end_matches('/').trim_end_matches(".rs").to_string();
        let may_use = cells.last().unwrap();
        let uses: BTreeSet<String> =
            may_use.split('`').skip(1).step_by(2).filter(|n| known.contains(*n)).map(String::from).collect();
        table.insert(name, uses);
    }
    table
}

/// Every `.rs` file under `dir`.
fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of a file without its comments and without its test module
/// (from the `#[cfg(test)]` that opens a `mod`; one on a single item
/// keeps the code after it).
fn code(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    if path.file_name().is_some_and(|n| n == "tests.rs") {
        return String::new();
    }
    const TEST: &str = "#[cfg(test)]";
    let end = text
        .match_indices(TEST)
        .map(|(i, _)| i)
        .find(|&i| text[i + TEST.len()..].trim_start().starts_with("mod "))
        .unwrap_or(text.len());
    let text = &text[..end];
    text.lines().map(|l| l.split("//").next().unwrap_or_default()).collect::<Vec<_>>().join("\n")
}

/// The crate modules `code` names through `crate::` paths, grouped imports included.
fn used(code: &str, known: &BTreeSet<String>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + "crate::".len()..];
        let names: Vec<&str> = if let Some(group) = rest.strip_prefix('{') {
            let inner = &group[..group.find('}').unwrap_or(group.len())];
            inner.split(',').map(|p| p.trim().split("::").next().unwrap_or_default()).collect()
        } else {
            vec![rest.split(|c: char| !(c.is_alphanumeric() || c == '_')).next().unwrap_or_default()]
        };
        out.extend(names.into_iter().filter(|n| known.contains(*n)).map(String::from));
    }
    out
}

#[test]
fn every_use_of_another_module_is_one_the_architecture_allows() {
    let known = modules();
    let table = allowed(&known);
    let unlisted: Vec<&String> = known.iter().filter(|m| !table.contains_key(*m)).collect();
    assert!(unlisted.is_empty(), "ARCHITECTURE.md's table has no row for {unlisted:?}");
    let mut all = Vec::new();
    files(&root().join("src"), &mut all);
    let mut broken = Vec::new();
    for file in all {
        let rel = file.strip_prefix(root().join("src")).unwrap();
        let top = rel.iter().next().unwrap().to_str().unwrap().trim_end_matches(".rs").to_string();
        if top == "lib" || top == "main" {
            continue;
        }
        for m in used(&code(&file), &known) {
            if m != top && !table[&top].contains(&m) {
                broken.push(format!("src/{}: uses `{m}`, which `{top}` may not use", rel.display()));
            }
        }
    }
    assert!(broken.is_empty(), "layering broken (see ARCHITECTURE.md, Where things live):\n{}", broken.join("\n"));
}

#[test]
fn the_layering_has_no_cycle() {
    let table = allowed(&modules());
    // Kahn's algorithm: a module goes once everything it uses has gone.
    let mut left = table.clone();
    let mut order = Vec::new();
    while !left.is_empty() {
        let ready: Vec<String> = left
            .iter()
            .filter(|(_, uses)| uses.iter().all(|u| !left.contains_key(u)))
            .map(|(m, _)| m.clone())
            .collect();
        assert!(!ready.is_empty(), "a cycle among {:?}", left.keys().collect::<Vec<_>>());
        for m in ready {
            left.remove(&m);
            order.push(m);
        }
    }
    assert_eq!(order.len(), table.len());
}

#[test]
fn the_reader_finds_grouped_and_plain_paths() {
    let known: BTreeSet<String> = ["book", "engine", "units"].iter().map(|s| s.to_string()).collect();
    let code = "use crate::{book::Side, units::Nanos};\nlet x = crate::engine::run(); // crate::other";
    assert_eq!(used(code, &known), known);
}

/// Rooms a newcomer can read whole (issue 10): no source file over 900
/// lines; a longer one is split by what its parts do.
#[test]
fn no_source_file_is_over_900_lines() {
    let mut all = Vec::new();
    files(&root().join("src"), &mut all);
    assert!(all.len() > 50, "found only {} files", all.len());
    let long: Vec<String> = all
        .iter()
        .filter_map(|p| {
            let n = std::fs::read_to_string(p).unwrap().lines().count();
            (n > 900).then(|| format!("{} ({n} lines)", p.display()))
        })
        .collect();
    assert!(long.is_empty(), "split these files: {long:?}");
}

/// No two public types share a name (issue 10): a reader who meets
/// `Snapshot` or `Options` in a signature knows which one it is without
/// its path. Counts every `pub struct`, `pub enum`, `pub trait` and
/// `pub type` outside tests (items of private modules included: a
/// re-export may make them public at any time).
#[test]
fn no_two_public_types_share_a_name() {
    let mut all = Vec::new();
    files(&root().join("src"), &mut all);
    let mut seen: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for path in &all {
        for line in code(path).lines() {
            let words: Vec<&str> = line.split_whitespace().collect();
            if let ["pub", "struct" | "enum" | "trait" | "type", name, ..] = words[..] {
                let name: String = name.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                // A macro's `pub struct $name`: its types are the macro's callers'.
                if name.is_empty() {
                    continue;
                }
                let at = path.strip_prefix(root()).unwrap_or(path).display().to_string();
                seen.entry(name).or_default().push(at);
            }
        }
    }
    assert!(seen.len() > 100, "found only {} public types", seen.len());
    let clashes: Vec<String> =
        seen.iter().filter(|(_, at)| at.len() > 1).map(|(name, at)| format!("{name} in {at:?}")).collect();
    assert!(clashes.is_empty(), "rename one of each: {clashes:?}");
}
