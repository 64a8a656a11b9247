//! Seeded mutants of every bundled scenario (issue 14, finding 7): none may
//! panic, and every one that is refused must be refused in the promised form
//! — `file:line:column: field.path: what is wrong` and an `accepted:` line,
//! with no raw control character — by the library and, for a sample, by
//! `tplus check` with exit status 2.

use std::panic::{AssertUnwindSafe, catch_unwind};

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use tplus::agents::Registry;
use tplus::scenario;

#[path = "common/bin.rs"]
mod bin;

const MUTANTS: usize = 4000;
/// Mutants also run through the binary: each costs a process start.
const THROUGH_THE_BINARY: usize = 120;

fn bundled() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir("scenarios").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            out.push((path.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&path).unwrap()));
        }
    }
    out.sort();
    out
}

/// Values of every TOML type and some that every field refuses.
const VALUES: &[&str] = &[
    "-1",
    "0",
    "1e308",
    "-0.5",
    "nan",
    "inf",
    "99999999999999999999",
    "\"\"",
    "\"x\"",
    "\"\u{1b}[31mred\"",
    "true",
    "[]",
    "[1, \"a\"]",
    "{}",
    "{ a = 1 }",
    "1979-05-27",
    "07:32:00",
    "\"25:00\"",
    "\"1s\"",
    "\"-5m\"",
    "\"day 0 10:00\"",
];

/// Bytes that make the text something else: not UTF-8, control characters,
/// TOML punctuation.
const BYTES: &[u8] = &[0xff, 0xc3, 0x00, 0x1b, 0x07, b'\r', b'[', b']', b'=', b'"', b'{', b',', b'.', b'#', b'\n'];

fn mutate(original: &[u8], rng: &mut ChaCha8Rng) -> Vec<u8> {
    let mut bytes = original.to_vec();
    let text = String::from_utf8_lossy(original).into_owned();
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let line_i = rng.random_range(0..lines.len());
    match rng.random_range(0..9u8) {
        // A value replaced by one of another type or out of range.
        0 | 1 => {
            let candidates: Vec<usize> = (0..lines.len())
                .filter(|&i| lines[i].contains('=') && !lines[i].trim_start().starts_with('#'))
                .collect();
            let i = candidates[rng.random_range(0..candidates.len())];
            let (key, _) = lines[i].split_once('=').unwrap();
            let value = VALUES[rng.random_range(0..VALUES.len())];
            let mut out = String::new();
            for (j, l) in lines.iter().enumerate() {
                if j == i { out.push_str(&format!("{key}= {value}\n")) } else { out.push_str(l) }
            }
            bytes = out.into_bytes();
        }
        // A line removed (a required field or a header gone).
        2 => {
            let out: String = lines.iter().enumerate().filter(|(j, _)| *j != line_i).map(|(_, l)| *l).collect();
            bytes = out.into_bytes();
        }
        // A line written twice (a duplicate key or table).
        3 => {
            let mut out = String::new();
            for (j, l) in lines.iter().enumerate() {
                out.push_str(l);
                if j == line_i {
                    out.push_str(l);
                    if !l.ends_with('\n') {
                        out.push('\n');
                    }
                }
            }
            bytes = out.into_bytes();
        }
        // A key misspelt.
        4 => {
            let candidates: Vec<usize> = (0..lines.len())
                .filter(|&i| lines[i].contains('=') && !lines[i].trim_start().starts_with('#'))
                .collect();
            let i = candidates[rng.random_range(0..candidates.len())];
            let mut out = String::new();
            for (j, l) in lines.iter().enumerate() {
                if j == i {
                    let (key, rest) = l.split_once('=').unwrap();
                    out.push_str(&format!("{}x ={rest}", key.trim_end()));
                } else {
                    out.push_str(l);
                }
            }
            bytes = out.into_bytes();
        }
        // One byte replaced, inserted or removed.
        5 | 6 => {
            let at = rng.random_range(0..bytes.len());
            let b = BYTES[rng.random_range(0..BYTES.len())];
            match rng.random_range(0..3u8) {
                0 => bytes[at] = b,
                1 => bytes.insert(at, b),
                _ => {
                    bytes.remove(at);
                }
            }
        }
        // A table header renamed or an array of tables made a table.
        7 => {
            let out = text.replacen("[[agents]]", "[agents]", 1).replacen(
                "[simulation]",
                "[simulatio]",
                rng.random_range(0..2),
            );
            bytes = out.into_bytes();
        }
        // Cut short.
        _ => bytes.truncate(rng.random_range(0..bytes.len())),
    }
    bytes
}

/// The promised form, or what is missing from it.
fn check_form(message: &str, file: &str, text: &[u8]) -> Result<(), String> {
    if message.chars().any(|c| c.is_control() && c != '\n') {
        return Err("a raw control character".into());
    }
    let mut lines = message.lines();
    let first = lines.next().unwrap_or("");
    let rest = first.strip_prefix(file).and_then(|r| r.strip_prefix(':')).ok_or("no file name")?;
    let mut parts = rest.splitn(4, ':');
    let line: usize = parts.next().and_then(|l| l.parse().ok()).ok_or("no line")?;
    let _column: usize = parts.next().and_then(|c| c.parse().ok()).ok_or("no column")?;
    let line_count = text.split(|&b| b == b'\n').count();
    if line == 0 || line > line_count {
        return Err(format!("line {line} is not in the file ({line_count} lines)"));
    }
    let field = parts.next().ok_or("nothing after the column")?.trim();
    // A line belongs to the table whose header is above it: above the first
    // header, and on the first header itself (a mutant can make a comment
    // line a broken header), it belongs to no field.
    let lossy = String::from_utf8_lossy(text);
    let under_a_table = lossy.lines().take(line - 1).any(|l| l.trim_start().starts_with('['));
    if under_a_table && (field.is_empty() || field.contains(' ')) {
        return Err(format!("no field path (`{field}`)"));
    }
    if !message.lines().any(|l| l.starts_with("  accepted: ")) {
        return Err("no accepted: line".into());
    }
    Ok(())
}

#[test]
fn mutants_of_the_bundled_scenarios_are_run_or_refused_in_the_promised_form() {
    let originals = bundled();
    let families = Registry::builtin();
    let dir = bin::scratch("fuzz", "mutants");
    let mut rng = ChaCha8Rng::seed_from_u64(147);
    let mut refused = 0;
    let mut failures: Vec<String> = Vec::new();
    let mut sample = Vec::new();
    for n in 0..MUTANTS {
        let (name, original) = &originals[n % originals.len()];
        let mutant = mutate(original, &mut rng);
        let file = format!("mutant-{n}-{name}");
        let path = dir.join(&file);
        let outcome = catch_unwind(AssertUnwindSafe(|| scenario::from_bytes(&path, &mutant, &families)));
        let Ok(outcome) = outcome else {
            failures.push(format!("{file}: panicked"));
            std::fs::write(&path, &mutant).unwrap();
            continue;
        };
        if let Err(e) = outcome {
            refused += 1;
            let message = e.to_string();
            let shown = path.display().to_string();
            if let Err(why) = check_form(&message, &shown, &mutant) {
                std::fs::write(&path, &mutant).unwrap();
                failures.push(format!("{why}: {message}"));
            } else if sample.len() < THROUGH_THE_BINARY && n % 7 == 0 {
                std::fs::write(&path, &mutant).unwrap();
                sample.push((path, message));
            }
        }
    }
    assert!(refused >= MUTANTS / 2, "only {refused} of {MUTANTS} mutants were refused: the mutations are too mild");
    if !failures.is_empty() {
        panic!(
            "{} of {refused} refusals fall short (mutants kept in {}):\n{}",
            failures.len(),
            dir.display(),
            failures.iter().take(4000).cloned().collect::<Vec<_>>().join("\n")
        );
    }
    for (path, message) in &sample {
        let out = bin::tplus(&["check".as_ref(), path.as_os_str()]);
        assert_eq!(out.status.code(), Some(2), "{}", path.display());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.trim_end(), format!("error: {message}"), "{}", path.display());
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_form_checker_knows_a_good_message_from_a_short_one() {
    let text = b"a = 1\nb = 2\n";
    assert!(check_form("f.toml:2:5: b: wrong\n  accepted: a number", "f.toml", text).is_ok());
    assert!(check_form("f.toml:2:5: wrong words here\n  accepted: x", "f.toml", text).is_ok());
    assert!(check_form("f.toml:3:1: wrong words here\n  accepted: x", "f.toml", b"[t]\na = 1\nb = 2").is_err());
    assert!(check_form("f.toml:2:5: b: wrong", "f.toml", text).is_err());
    assert!(check_form("f.toml: b: wrong\n  accepted: x", "f.toml", text).is_err());
    assert!(check_form("f.toml:9:1: b: wrong\n  accepted: x", "f.toml", text).is_err());
    assert!(check_form("f.toml:2:5: b: \u{1b}[31m\n  accepted: x", "f.toml", text).is_err());
}
