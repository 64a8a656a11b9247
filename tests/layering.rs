//! The crate's layering, as ARCHITECTURE.md writes it, holds in the code,
//! and its rooms stay readable (file sizes, one name per public type).
//!
//! ARCHITECTURE.md's "Where things live" table gives, for every top-level
//! module under `src/`, the modules it may use (the backticked names in its
//! last column). This test reads that table, finds every `crate::…` path in
//! each module's code (tests inside a file are left out: they may build
//! whatever they need), and fails on any use the table does not allow, on a
//! use it allows that the code does not make (the table is the map of what
//! is, not of what might be), on a module the table does not list, and on a
//! cycle in the table itself. The rows for `tests/`, `benches/`,
//! `examples/`, `docs/` and `scenarios/` must name what those folders hold,
//! and each module folder's row every source file in it.

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

/// The code of a file without its comments and without its test modules: a
/// `#[cfg(test)]` before `mod NAME {` drops that module's braces, and one
/// before `mod NAME;` drops that line (the module's file is read on its
/// own, and a `tests.rs` is all test code). A `#[cfg(test)]` on any other
/// item keeps it.
fn code(path: &Path) -> String {
    if path.file_name().is_some_and(|n| n == "tests.rs") {
        return String::new();
    }
    let text = std::fs::read_to_string(path).unwrap();
    let text = text.lines().map(|l| l.split("//").next().unwrap_or_default()).collect::<Vec<_>>().join("\n");
    strip_test_modules(&text)
}

/// `code` without the modules `#[cfg(test)]` marks (see [`code`]): the
/// attribute may be followed by other attributes and a visibility before
/// `mod`. Braces inside character, string and raw string literals do not
/// count; a module whose braces never close fails the test.
fn strip_test_modules(code: &str) -> String {
    const TEST: &str = "#[cfg(test)]";
    let mut out = String::new();
    let mut rest = code;
    while let Some(i) = rest.find(TEST) {
        let after = &rest[i + TEST.len()..];
        let Some(item) = module_item(after) else {
            out.push_str(&rest[..i + TEST.len()]);
            rest = after;
            continue;
        };
        out.push_str(&rest[..i]);
        let start = after.len() - item.len();
        let (semi, brace) = (item.find(';'), item.find('{'));
        rest = match (semi, brace) {
            (Some(s), b) if b.is_none_or(|b| s < b) => &after[start + s + 1..],
            (_, Some(b)) => {
                let close =
                    closing_brace(&item[b..]).unwrap_or_else(|| panic!("a test module never closes: {item:.80}"));
                &after[start + b + close + 1..]
            }
            _ => panic!("`mod` without a body or `;`: {item:.80}"),
        };
    }
    out.push_str(rest);
    out
}

/// The text from `mod` on, when `text` (what follows a `#[cfg(test)]`)
/// declares a module after any further attributes and a visibility.
fn module_item(text: &str) -> Option<&str> {
    let mut t = text.trim_start();
    while t.starts_with("#[") {
        t = t[closing_bracket(t)? + 1..].trim_start();
    }
    if let Some(v) = t.strip_prefix("pub") {
        t = v.trim_start();
        if t.starts_with('(') {
            t = t[t.find(')')? + 1..].trim_start();
        }
    }
    t.starts_with("mod ").then_some(t)
}

/// The index of the `]` that closes the attribute `text` starts with.
fn closing_bracket(text: &str) -> Option<usize> {
    let mut depth = 0;
    for (k, c) in text.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(k);
                }
            }
            _ => {}
        }
    }
    None
}

/// The index of the `}` that closes the `{` that `text` starts with,
/// skipping literals: `'{'`, `"{"` and `r#"{"#` hold no brace of the code.
/// Lifetimes (`'a`) are not character literals.
fn closing_brace(text: &str) -> Option<usize> {
    let b = text.as_bytes();
    let (mut depth, mut k) = (0i32, 0);
    while k < b.len() {
        match b[k] {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(k);
                }
            }
            b'"' => {
                // A raw string: `r`, hashes, then the quote.
                let hashes = text[..k].bytes().rev().take_while(|&c| c == b'#').count();
                let raw = k > hashes && b[k - hashes - 1] == b'r';
                k += 1;
                if raw {
                    let end = format!("\"{}", "#".repeat(hashes));
                    k += text[k..].find(&end)? + end.len() - 1;
                } else {
                    while k < b.len() && b[k] != b'"' {
                        k += if b[k] == b'\\' { 2 } else { 1 };
                    }
                }
            }
            b'\'' => {
                // `'x'` or `'\n'`; a lifetime has no closing quote two or three on.
                if b.get(k + 1) == Some(&b'\\') {
                    // The escaped character is at k + 2; the closing quote after it.
                    k += text[k + 3..].find('\'').map_or(0, |e| e + 3);
                } else if b.get(k + 2) == Some(&b'\'') {
                    k += 2;
                } else if let Some(c) = text[k + 1..].chars().next() {
                    // A character of more than one byte.
                    let w = c.len_utf8();
                    if b.get(k + 1 + w) == Some(&b'\'') {
                        k += 1 + w;
                    }
                }
            }
            _ => {}
        }
        k += 1;
    }
    None
}

/// The crate modules `code` names through `crate::` paths: plain ones, and
/// the first segment of each path in a group, nested groups included.
fn used(code: &str, known: &BTreeSet<String>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + "crate::".len()..];
        let mut names = Vec::new();
        if let Some(group) = rest.strip_prefix('{') {
            // The first name of each item at the group's own depth.
            let (mut depth, mut item_start) = (1, true);
            for (k, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    ',' if depth == 1 => item_start = true,
                    c if item_start && depth == 1 && (c.is_alphanumeric() || c == '_') => {
                        item_start = false;
                        names.push(ident(&group[k..]));
                    }
                    _ => {}
                }
            }
        } else {
            names.push(ident(rest));
        }
        out.extend(names.into_iter().filter(|n| known.contains(*n)).map(String::from));
    }
    out
}

/// The identifier at the start of `s`.
fn ident(s: &str) -> &str {
    s.split(|c: char| !(c.is_alphanumeric() || c == '_')).next().unwrap_or_default()
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
    let mut uses: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
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
            if m != top {
                uses.entry(top.clone()).or_default().insert(m);
            }
        }
    }
    assert!(broken.is_empty(), "layering broken (see ARCHITECTURE.md, Where things live):\n{}", broken.join("\n"));
    // And the table allows no more than the code uses: it is the map of
    // what each room does use, not of what it might.
    let unused: Vec<String> = table
        .iter()
        .flat_map(|(m, allowed)| {
            let got = uses.get(m).cloned().unwrap_or_default();
            allowed.difference(&got).map(move |u| format!("`{m}` may use `{u}` but does not")).collect::<Vec<_>>()
        })
        .collect();
    assert!(unused.is_empty(), "ARCHITECTURE.md's table allows uses the code does not make:\n{}", unused.join("\n"));
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
    let known: BTreeSet<String> =
        ["book", "engine", "units", "metrics", "platform"].iter().map(|s| s.to_string()).collect();
    let code = "use crate::{book::Side, units::Nanos};\nlet x = crate::engine::run();";
    assert_eq!(used(code, &known), ["book", "engine", "units"].iter().map(|s| s.to_string()).collect());
    // Nested groups: every top-level item counts, inner names do not.
    let nested = "use crate::{\n    book::{Book, Side},\n    metrics::{self, Metrics},\n    platform,\n};";
    assert_eq!(used(nested, &known), ["book", "metrics", "platform"].iter().map(|s| s.to_string()).collect());
}

#[test]
fn test_modules_are_left_out_and_the_code_after_them_is_read() {
    let text = "use crate::book::Side;\n#[cfg(test)]\nmod tests;\nuse crate::engine::X;\n\
                #[cfg(test)]\nmod inline {\n    fn f() { let _ = crate::metrics::Y; }\n}\n\
                fn g() {}\n#[cfg(test)]\nuse crate::platform::Z;\nuse crate::units::Nanos;";
    let code = strip_test_modules(text);
    assert!(code.contains("crate::engine::X") && code.contains("crate::units::Nanos"), "{code}");
    assert!(!code.contains("crate::metrics") && code.contains("fn g()"), "{code}");
    // A test-only item that is not a module is still read.
    assert!(code.contains("crate::platform::Z"), "{code}");
    // A visibility and attributes before `mod`; braces in literals.
    let text = "#[cfg(test)]\n#[allow(dead_code)]\npub(crate) mod tests {\n    const A: char = '{';\n    \
                const B: &str = \"{{\";\n    const Q: char = '\\'';\n    const U: char = '\\u{7b}';\n    const C: &str = r#\"}\"#;\n    fn f<'a>(x: &'a str) -> &'a str { x }\n    \
                use crate::metrics::Y;\n}\nuse crate::engine::X;";
    let code = strip_test_modules(text);
    assert!(!code.contains("crate::metrics") && code.contains("crate::engine::X"), "{code}");
}

/// The table's rows for `tests/`, `benches/`, `examples/`, `docs/` and
/// `scenarios/` name every file and folder in them (in backticks, as `name`
/// or `name/`): a new test file or doc cannot stay off the map.
#[test]
fn the_table_names_every_test_bench_example_and_doc() {
    let text = std::fs::read_to_string(root().join("ARCHITECTURE.md")).unwrap();
    for (dir, skip) in [
        ("tests", &[][..]),
        ("benches", &[][..]),
        ("examples", &[][..]),
        ("docs", &[][..]),
        // Scenario files are the teaching ones; the folders are named.
        ("scenarios", &["toml"][..]),
    ] {
        let row = text
            .lines()
            .find(|l| l.starts_with(&format!("| `{dir}/` |")))
            .unwrap_or_else(|| panic!("ARCHITECTURE.md has no row for {dir}/"));
        let named: BTreeSet<&str> = row.split('`').skip(1).step_by(2).collect();
        let mut missing = Vec::new();
        for entry in std::fs::read_dir(root().join(dir)).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_str().unwrap().to_string();
            if path.extension().and_then(|e| e.to_str()).is_some_and(|e| skip.contains(&e)) {
                continue;
            }
            let shown = if path.is_dir() { format!("{name}/") } else { name.clone() };
            if !named.contains(shown.as_str()) && !named.contains(name.as_str()) {
                missing.push(shown);
            }
        }
        assert!(missing.is_empty(), "ARCHITECTURE.md's `{dir}/` row does not name {missing:?}");
        // And every file or folder it names is there (at any depth).
        let mut present = BTreeSet::new();
        names_under(&root().join(dir), &mut present);
        let gone: Vec<&str> = named
            .iter()
            .copied()
            .filter(|n| !n.contains(' ') && [".rs", ".md", ".toml", "/"].iter().any(|e| n.ends_with(e)))
            .filter(|n| {
                // A bare name anywhere under the folder; a path from the
                // folder or from the crate's root.
                let path = n.trim_end_matches('/');
                !(present.contains(*n) || root().join(dir).join(path).exists() || root().join(path).exists())
            })
            .collect();
        assert!(gone.is_empty(), "ARCHITECTURE.md's `{dir}/` row names {gone:?}, which are not there");
    }
}

/// Each `src/NAME/` row's second cell names every file of that module, so
/// the map leads to every room: as the file's name (`ladder.rs`), its path
/// from the module's folder (`risk/mod.rs`) or a folder holding it
/// (`stats/`). The module's own `mod.rs` and the `tests.rs` files beside the
/// code are read with the module.
#[test]
fn the_table_names_every_source_file_of_a_module_folder() {
    let text = std::fs::read_to_string(root().join("ARCHITECTURE.md")).unwrap();
    let mut missing = Vec::new();
    for line in text.lines().filter(|l| l.starts_with("| `src/") && l.contains("/` |")) {
        let cells: Vec<&str> = line.trim_matches('|').split(" | ").collect();
        let dir = cells[0].trim().trim_matches('`');
        let named: BTreeSet<&str> = cells[1].split('`').skip(1).step_by(2).collect();
        let mut sources = Vec::new();
        files(&root().join(dir), &mut sources);
        for path in sources {
            let rel = path.strip_prefix(root().join(dir)).unwrap().to_str().unwrap().replace('\\', "/");
            let name = rel.rsplit('/').next().unwrap();
            if rel == "mod.rs" || name == "tests.rs" {
                continue;
            }
            let folders = rel.match_indices('/').map(|(i, _)| &rel[..=i]);
            let shown =
                named.contains(name) || named.contains(rel.as_str()) || folders.clone().any(|f| named.contains(f));
            if !shown {
                missing.push(format!("{dir}{rel}"));
            }
        }
    }
    assert!(missing.is_empty(), "ARCHITECTURE.md's rows for the module folders do not name {missing:?}");
}

/// The names of every file (`name`) and folder (`name/`) under `dir`.
fn names_under(dir: &Path, out: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        if path.is_dir() {
            out.insert(format!("{name}/"));
            names_under(&path, out);
        } else {
            out.insert(name);
        }
    }
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
    let codes: Vec<(&PathBuf, String)> = all.iter().map(|p| (p, code(p))).collect();
    // Macros that declare a type named by their caller (`pub struct $name`):
    // each call's first identifier is a public type too.
    let declaring: Vec<String> = codes
        .iter()
        .flat_map(|(_, code)| code.match_indices("macro_rules!").map(move |(i, _)| &code[i..]))
        .filter_map(|m| {
            let name = ident(m["macro_rules!".len()..].trim_start()).to_string();
            let body_end = m.find("\n}").unwrap_or(m.len());
            let body = &m[..body_end];
            ["pub struct $", "pub enum $", "pub trait $", "pub type $"].iter().any(|d| body.contains(d)).then_some(name)
        })
        .collect();
    assert!(declaring.iter().any(|m| m == "typed_rule"), "found {declaring:?}");
    for (path, code) in &codes {
        let at = path.strip_prefix(root()).unwrap_or(path).display().to_string();
        for m in &declaring {
            for (i, _) in code.match_indices(&format!("{m}!(")) {
                let call = code[i + m.len() + 2..].trim_start();
                let name = ident(call);
                if !name.is_empty() {
                    seen.entry(name.to_string()).or_default().push(at.clone());
                }
            }
        }
        for line in code.lines() {
            let words: Vec<&str> = line.split_whitespace().collect();
            if let ["pub", "struct" | "enum" | "trait" | "type", name, ..] = words[..] {
                let name: String = name.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                // A macro's `pub struct $name`: its types are the macro's callers'.
                if name.is_empty() {
                    continue;
                }
                seen.entry(name).or_default().push(at.clone());
            }
        }
    }
    assert!(seen.len() > 100, "found only {} public types", seen.len());
    assert!(seen.contains_key("ProRata"), "the types `typed_rule!` declares are counted");
    let clashes: Vec<String> =
        seen.iter().filter(|(_, at)| at.len() > 1).map(|(name, at)| format!("{name} in {at:?}")).collect();
    assert!(clashes.is_empty(), "rename one of each: {clashes:?}");
}
