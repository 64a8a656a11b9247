//! `tplus replay`: every bundled scenario's operation log, re-matched
//! through the book, gives its `trades.csv` byte for byte, under each
//! matching rule; a tampered trade is found at its line; a run without the
//! log is refused with what to do.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

#[path = "common/bin.rs"]
mod bin;
use bin::tplus;

fn scratch(name: &str) -> PathBuf {
    bin::scratch("replay", name)
}

fn run(scenario: &Path, out: &Path, log: bool) {
    let mut args: Vec<&std::ffi::OsStr> =
        vec!["run".as_ref(), scenario.as_os_str(), "--out".as_ref(), out.as_os_str(), "--quiet".as_ref()];
    if log {
        args.push("--log".as_ref());
    }
    let o = tplus(&args);
    assert!(o.status.success(), "{}: {}", scenario.display(), String::from_utf8_lossy(&o.stderr));
}

fn replay(dir: &Path) -> Output {
    tplus(&["replay".as_ref(), dir.as_os_str()])
}

#[test]
fn every_bundled_scenario_replays_to_its_trades() {
    let root = scratch("bundled");
    let mut scenarios: Vec<PathBuf> = fs::read_dir("scenarios")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    scenarios.sort();
    assert!(scenarios.len() >= 9);
    for s in &scenarios {
        let out = root.join(s.file_stem().unwrap());
        run(s, &out, true);
        let o = replay(&out);
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(o.status.success(), "{}: {}", s.display(), String::from_utf8_lossy(&o.stderr));
        assert!(text.contains("identical to trades.csv"), "{text}");
        fs::remove_dir_all(&out).unwrap();
    }
    fs::remove_dir_all(&root).unwrap();
}

#[test]
fn the_baseline_replays_under_every_matching_rule() {
    let root = scratch("rules");
    let base = fs::read_to_string("scenarios/baseline.toml").unwrap();
    for rule in ["price_size_time", "pro_rata"] {
        assert!(base.contains("[[product]]"));
        let text = base.replacen("[[product]]", &format!("[[product]]\nmatching = \"{rule}\""), 1);
        let file = root.join(format!("{rule}.toml"));
        fs::write(&file, text).unwrap();
        let out = root.join(rule);
        run(&file, &out, true);
        let o = replay(&out);
        assert!(o.status.success(), "{rule}: {}", String::from_utf8_lossy(&o.stderr));
    }
    fs::remove_dir_all(&root).unwrap();
}

#[test]
fn a_tampered_trade_is_found_at_its_line() {
    let root = scratch("tampered");
    let out = root.join("run");
    run(Path::new("scenarios/rational.toml"), &out, true);
    let trades = fs::read_to_string(out.join("trades.csv")).unwrap();
    let mut lines: Vec<String> = trades.lines().map(str::to_string).collect();
    let cells: Vec<&str> = lines[100].split(',').collect();
    let lots: u64 = cells[3].parse().unwrap();
    let edited = [&cells[..3], &[(lots + 1).to_string().as_str()], &cells[4..]].concat().join(",");
    lines[100] = edited.clone();
    fs::write(out.join("trades.csv"), lines.join("\n") + "\n").unwrap();
    let o = replay(&out);
    assert_eq!(o.status.code(), Some(1));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("at line 101") && e.contains(&edited), "{e}");

    // A trade left out is found too.
    lines.remove(100);
    fs::write(out.join("trades.csv"), lines.join("\n") + "\n").unwrap();
    assert_eq!(replay(&out).status.code(), Some(1));
    fs::remove_dir_all(&root).unwrap();
}

#[test]
fn a_run_without_the_log_or_a_run_is_refused() {
    let root = scratch("nolog");
    let out = root.join("run");
    run(Path::new("scenarios/rational.toml"), &out, false);
    let o = replay(&out);
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("no events.csv") && e.contains("--log"), "{e}");
    let o = replay(&root.join("nowhere"));
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no manifest.json"));
    fs::remove_dir_all(&root).unwrap();
}

#[test]
fn an_edited_manifest_is_refused_not_a_panic() {
    let root = scratch("manifest");
    let out = root.join("run");
    run(Path::new("scenarios/rational.toml"), &out, true);
    let path = out.join("manifest.json");
    let text = fs::read_to_string(&path).unwrap();
    let at = text.find("\"tick_size\":").expect("the manifest carries each product's tick");
    let end = at + text[at..].find([',', '\n']).unwrap();
    for tick in ["0.0", "1e-9", "-0.01", "0.0000015"] {
        fs::write(&path, format!("{}\"tick_size\": {tick}{}", &text[..at], &text[end..])).unwrap();
        let o = replay(&out);
        let e = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "tick {tick}: {e}");
        assert!(e.contains("tick_size") && e.contains("millionths") && !e.contains("panicked"), "{e}");
    }
    fs::write(&path, "{ not json").unwrap();
    let o = replay(&out);
    let e = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{e}");
    assert!(e.contains("not a run's manifest") && e.contains("line 1"), "{e}");
    fs::remove_dir_all(&root).unwrap();
}

/// Lines of an edited log are refused at their line with what is wrong: an
/// op the log never writes, an accepted order's side or kind, a time, a
/// byte that is not UTF-8 (each used to pass silently, or to say less).
#[test]
fn an_edited_log_line_is_refused_at_its_line() {
    let root = scratch("edited_log");
    let out = root.join("run");
    run(Path::new("scenarios/rational.toml"), &out, true);
    let path = out.join("events.csv");
    let text = fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let n = 1 + lines.iter().position(|l| l.split(',').nth(col("op")) == Some("accepted")).unwrap();
    let edit = |name: &str, value: &str| {
        let mut cells: Vec<&str> = lines[n - 1].split(',').collect();
        cells[col(name)] = value;
        let mut all: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        all[n - 1] = cells.join(",");
        all.join("\n") + "\n"
    };
    for (name, value, says) in [
        ("op", "acceptedX", "op `acceptedX` is not one the log writes"),
        ("side", "sideways", "side `sideways` is not `buy` or `sell`"),
        ("kind", "stop", "kind `stop` is not `limit`, `ioc` or `market`"),
        ("time", "-1e308", "time `-1e308` is not a time in seconds"),
    ] {
        fs::write(&path, edit(name, value)).unwrap();
        let o = replay(&out);
        let e = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{name}: {e}");
        assert!(e.contains(&format!("events.csv:{n}: {says}")), "{name}: {e}");
    }
    let mut bytes = edit("op", "accepted").into_bytes();
    let at = bytes.iter().enumerate().filter(|(_, b)| **b == b'\n').nth(n - 1).unwrap().0 - 1;
    bytes[at] = 0xFF;
    fs::write(&path, bytes).unwrap();
    let o = replay(&out);
    let e = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{e}");
    assert!(e.contains(&format!("events.csv:{n}: byte 0xFF is not UTF-8")), "{e}");
    fs::remove_dir_all(&root).unwrap();
}
