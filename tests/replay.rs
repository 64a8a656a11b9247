//! `tplus replay`: every bundled scenario's operation log, re-matched
//! through the book, gives its `trades.csv` byte for byte, under each
//! matching rule; a tampered trade is found at its line; a run without the
//! log is refused with what to do; an edited log or manifest is refused at
//! its line and field (exit 2: a line no run writes, such as a withdrawal
//! naming another agent or side than its order's, or a customer's order
//! above `max_order_lots`), a log whose `traded`, `filled`, `unfilled`,
//! `cancelled` or `expired` lines disagree with the re-matching (one
//! missing, extra, out of place, or with other lots) differs (exit 1).

use std::collections::{BTreeMap, HashMap};
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

/// Records the sizes of the run's `events.csv` and `trades.csv` as they are
/// now in its manifest, as if the run had written them so: a run whose
/// market went otherwise than the book's, which the replay must find as a
/// difference. Without it an edited file is one the run did not write
/// (`a_file_not_as_the_run_wrote_it_is_told_so`).
fn as_run_wrote(dir: &Path) {
    let path = dir.join("manifest.json");
    let mut m: serde_json::Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    for name in ["events.csv", "trades.csv"] {
        if let Ok(meta) = fs::metadata(dir.join(name)) {
            m["file_bytes"][name] = meta.len().into();
        }
    }
    fs::write(&path, serde_json::to_string_pretty(&m).unwrap()).unwrap();
}

/// What a run's log holds that the replay checks, counted into `seen`: each
/// op the replay reads, and the accepted orders by kind and all-or-none flag.
fn tally(out: &Path, seen: &mut BTreeMap<String, u64>) {
    let log = fs::read_to_string(out.join("events.csv")).unwrap();
    let header: Vec<&str> = log.lines().next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    for line in log.lines().skip(1) {
        let c: Vec<&str> = line.split(',').collect();
        let (op, kind, aon) = (c[col("op")], c[col("kind")], c[col("aon")]);
        *seen.entry(op.to_string()).or_default() += 1;
        if op == "accepted" {
            *seen.entry(format!("accepted {kind}")).or_default() += 1;
            *seen.entry(format!("accepted aon={aon}")).or_default() += 1;
        }
    }
}

/// Every kind of line the replay checks, that the logs `seen` must hold for
/// a clean replay of them to say something of each check. Changes
/// (`replaced`) come from no built-in family: tests/replace.rs replays a
/// run of a family that makes them, under each matching rule.
const CHECKED: [&str; 10] = [
    "accepted limit",
    "accepted ioc",
    "accepted market",
    "accepted aon=0",
    "accepted aon=1",
    "traded",
    "filled",
    "unfilled",
    "cancelled",
    "expired",
];

fn assert_covers(seen: &BTreeMap<String, u64>, what: &str) {
    for c in CHECKED {
        assert!(seen.get(c).is_some_and(|&k| k > 0), "{what}: no `{c}` line in the logs: {seen:?}");
    }
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
    let mut seen = BTreeMap::new();
    for s in &scenarios {
        let out = root.join(s.file_stem().unwrap());
        run(s, &out, true);
        let o = replay(&out);
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(o.status.success(), "{}: {}", s.display(), String::from_utf8_lossy(&o.stderr));
        assert!(text.contains("identical to trades.csv"), "{text}");
        tally(&out, &mut seen);
        fs::remove_dir_all(&out).unwrap();
    }
    assert_covers(&seen, "the bundled scenarios");
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
        let mut seen = BTreeMap::new();
        tally(&out, &mut seen);
        assert_covers(&seen, rule);
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
    as_run_wrote(&out);
    let o = replay(&out);
    assert_eq!(o.status.code(), Some(1));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("at line 101") && e.contains(&edited), "{e}");

    // A trade left out is found too.
    lines.remove(100);
    fs::write(out.join("trades.csv"), lines.join("\n") + "\n").unwrap();
    as_run_wrote(&out);
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
    // A directory that is not a run's lacks its manifest; one that does
    // not exist is said to be missing, as `report` says it.
    let o = replay(&root);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no manifest.json"));
    let o = replay(&root.join("nowhere"));
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("nowhere: no such directory") && !e.contains("manifest"), "{e}");
    let o = replay(&out.join("trades.csv"));
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("trades.csv: not a directory"));
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

/// A fresh `--log` run in a scratch directory of its own, with its log's
/// text, for editing one line at a time.
struct Logged {
    root: PathBuf,
    out: PathBuf,
    log: String,
    /// The log's lines, without their newlines.
    lines: Vec<String>,
}

impl Logged {
    fn new(name: &str, scenario: &Path) -> Logged {
        let root = scratch(name);
        let out = root.join("run");
        run(scenario, &out, true);
        let log = fs::read_to_string(out.join("events.csv")).unwrap();
        let lines = log.lines().map(str::to_string).collect();
        Logged { root, out, log, lines }
    }

    fn col(&self, name: &str) -> usize {
        self.log.lines().next().unwrap().split(',').position(|h| h == name).unwrap()
    }

    /// The line number (from 1) of the `nth` line (from 0) whose op is `op`.
    fn line_of(&self, op: &str, nth: usize) -> usize {
        let at = self.col("op");
        1 + self.log.lines().enumerate().filter(|(_, l)| l.split(',').nth(at) == Some(op)).nth(nth).unwrap().0
    }

    /// The log with line `n`'s cells changed by `edits` (column, value).
    fn with(&self, n: usize, edits: &[(&str, &str)]) -> String {
        let mut lines: Vec<String> = self.log.lines().map(str::to_string).collect();
        let mut cells: Vec<String> = lines[n - 1].split(',').map(str::to_string).collect();
        for (name, value) in edits {
            cells[self.col(name)] = value.to_string();
        }
        lines[n - 1] = cells.join(",");
        lines.join("\n") + "\n"
    }

    /// Replays the run with `log` as its events.csv, as if the run had
    /// written it ([`as_run_wrote`]): the exit code and stderr.
    fn replay_log(&self, log: &str) -> (Option<i32>, String) {
        fs::write(self.out.join("events.csv"), log).unwrap();
        as_run_wrote(&self.out);
        let o = replay(&self.out);
        (o.status.code(), String::from_utf8_lossy(&o.stderr).into_owned())
    }

    /// Line `n` (from 1), without its newline.
    fn line(&self, n: usize) -> &str {
        &self.lines[n - 1]
    }

    /// Cell `name` of line `n`.
    fn cell(&self, n: usize, name: &str) -> &str {
        self.line(n).split(',').nth(self.col(name)).unwrap()
    }

    /// The log with its lines (from 1) rearranged by `edit`.
    fn lines_with(&self, edit: impl FnOnce(&mut Vec<String>)) -> String {
        let mut lines = self.lines.clone();
        edit(&mut lines);
        lines.join("\n") + "\n"
    }

    /// Replays with `log`; asserts exit 1 and that the error names line `n`
    /// of events.csv and says each of `says` (the log's line, the replay's).
    fn differs(&self, log: &str, n: usize, says: &[&str]) {
        let (code, e) = self.replay_log(log);
        assert_eq!(code, Some(1), "{e}");
        assert!(e.contains(&format!("the replay differs from events.csv at line {n}:")), "line {n}: {e}");
        for s in says {
            assert!(e.contains(s), "{s:?}: {e}");
        }
    }

    /// Replays with line `n` edited; asserts exit 2 and that the error names
    /// events.csv:n and says `says`.
    fn refused(&self, n: usize, edits: &[(&str, &str)], says: &str) {
        let (code, e) = self.replay_log(&self.with(n, edits));
        assert_eq!(code, Some(2), "{edits:?}: {e}");
        assert!(e.contains(&format!("events.csv:{n}: {says}")), "{edits:?}: {e}");
        assert!(!e.contains("panicked") && !e.contains("memory allocation"), "{e}");
    }
}

impl Drop for Logged {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.root);
    }
}

/// An accepted order's price far outside the product's band used to size
/// the replay's book from the log's own prices (17–24 GB, then an abort);
/// a negative one reached the book as "the replay differs". Each is now
/// refused at its line with the band over the run; the book is sized by
/// the manifest's products and days, as the run's was.
#[test]
fn a_price_outside_the_band_is_refused_before_any_book_is_sized() {
    let run = Logged::new("price_band", Path::new("scenarios/rational.toml"));
    let n = run.line_of("accepted", 0);
    let price = run.log.lines().nth(n - 1).unwrap().split(',').nth(run.col("price")).unwrap();
    assert_eq!(price, "1.0", "the issuer's first offer, at NAV");
    for price in ["100000", "500000", "-0.5", "-1", "0"] {
        run.refused(n, &[("price", price)], &format!("price `{price}` is outside NOTE7's price band over the run"));
    }
    let (_, e) = run.replay_log(&run.with(n, &[("price", "100000")]));
    assert!(e.contains("a price from 0.98 to 1.02"), "the band's ends are said: {e}");
    run.refused(n, &[("price", "1.00005")], "price `1.00005` is not on NOTE7's tick grid of 0.0001");
    // A change's price is held to the same band.
    let c = run.line_of("cancelled", 0);
    run.refused(c, &[("op", "replaced"), ("price", "250000"), ("lots", "1")], "price `250000` is outside");
}

/// Whole numbers wider than their type were cut to 32 bits (lots
/// 4294967300 became 4, agent 4294967297 became 1); zero lots, an
/// all-or-none flag other than the 0 and 1 the log writes, an order
/// accepted twice and a line earlier than the one before it passed.
#[test]
fn numbers_flags_repeats_and_times_out_of_order_are_refused() {
    let run = Logged::new("numbers", Path::new("scenarios/rational.toml"));
    let n = run.line_of("accepted", 3);
    for (col, value, says) in [
        ("lots", "4294967300", "lots `4294967300` is not a whole number of lots from 1 to 4294967295"),
        ("lots", "0", "lots `0` is not a whole number of lots from 1"),
        ("lots", "-3", "lots `-3` is not a whole number of lots"),
        ("agent", "4294967297", "agent `4294967297` is not an account id, a whole number from 0 to 4294967295"),
        ("order", "18446744073709551616", "order `18446744073709551616` is not an order's serial number"),
        ("aon", "2", "aon `2` is not 0 or 1"),
        ("aon", "true", "aon `true` is not 0 or 1"),
        ("aon", "", "aon `` is not 0 or 1"),
    ] {
        run.refused(n, &[(col, value)], says);
    }
    // The log writes 0 and 1, and both replay.
    let aon = run.col("aon");
    assert!(run.log.lines().any(|l| l.split(',').nth(aon) == Some("1")), "the scenario has all-or-none orders");
    // The fourth accepted order takes the first one's serial number.
    let first = run.line_of("accepted", 0);
    let serial = run.log.lines().nth(first - 1).unwrap().split(',').nth(run.col("order")).unwrap().to_string();
    run.refused(n, &[("order", &serial)], &format!("order {serial} was accepted before, at line {first}"));
    // A time before the previous line that reaches the book.
    let (code, e) = run.replay_log(&run.with(n, &[("time", "1")]));
    assert_eq!(code, Some(2), "{e}");
    assert!(e.contains(&format!("events.csv:{n}: time `1` is earlier than line")) && e.contains("time order"), "{e}");
    // A market order has no limit, a limit order has one.
    let (op, kind) = (run.col("op"), run.col("kind"));
    let m = 1 + run
        .log
        .lines()
        .position(|l| l.split(',').nth(op) == Some("accepted") && l.split(',').nth(kind) == Some("market"))
        .expect("the scenario has market orders");
    run.refused(m, &[("price", "1")], "price `1` on a market order");
    run.refused(n, &[("kind", "limit"), ("price", "")], "no price");
}

/// With two products, a withdrawal naming the other product passed: the
/// resting orders were keyed by serial number alone. A withdrawal of an
/// order never accepted is refused too.
#[test]
fn a_withdrawal_names_the_product_its_order_rests_in() {
    let root = scratch("two_products");
    fs::create_dir_all(&root).unwrap();
    let text = fs::read_to_string("scenarios/two_products.toml").unwrap();
    let one_day = text.replacen("\ndays = 5 ", "\ndays = 1 ", 1);
    assert_ne!(one_day, text, "the scenario's days are where this test shortens them");
    let file = root.join("two_products.toml");
    fs::write(&file, one_day).unwrap();
    let run = Logged::new("two_products_run", &file);
    let n = run.line_of("cancelled", 0);
    let cells: Vec<&str> = run.log.lines().nth(n - 1).unwrap().split(',').collect();
    let (order, product) = (cells[run.col("order")], cells[run.col("product")]);
    let other = if product == "NOTE7" { "NOTE14" } else { "NOTE7" };
    run.refused(n, &[("product", other)], &format!("product `{other}`: order {order} was accepted in `{product}`"));
    let e = run.line_of("expired", 0);
    run.refused(e, &[("order", "999999999")], "order 999999999 was never accepted before this line");
    fs::remove_dir_all(&root).unwrap();
}

/// The log's `traded` lines were not read, so garbage in them passed. They
/// are parsed as every line the replay reads, and checked against the
/// trades the replay makes: the buyer's line, then the seller's, byte for
/// byte, before the next line that reaches the book. A withdrawal of an
/// order the replay no longer has resting differs too.
#[test]
fn the_logs_traded_lines_are_checked_against_the_replay() {
    let run = Logged::new("traded", Path::new("scenarios/rational.toml"));
    let n = run.line_of("traded", 10);
    run.refused(n, &[("lots", "abc")], "lots `abc` is not a whole number of lots");
    run.refused(n, &[("side", "")], "side `` is not `buy` or `sell`");
    run.refused(n, &[("price", "x")], "price `x` is not a decimal amount");
    let line = run.log.lines().nth(n - 1).unwrap();
    let lots: u32 = line.split(',').nth(run.col("lots")).unwrap().parse().unwrap();
    let edited = run.with(n, &[("lots", &(lots + 1).to_string())]);
    let (code, e) = run.replay_log(&edited);
    assert_eq!(code, Some(1), "{e}");
    assert!(e.contains(&format!("the replay differs from events.csv at line {n}:")) && e.contains(line), "{e}");
    // A trade's lines left out of the log: the next line differs.
    let without: String =
        run.log.lines().enumerate().filter(|(i, _)| *i + 1 != n).map(|(_, l)| format!("{l}\n")).collect();
    let (code, e) = run.replay_log(&without);
    assert_eq!(code, Some(1), "{e}");
    assert!(e.contains("the replay differs from events.csv at line"), "{e}");
    // A trade the replay did not make.
    let mut lines: Vec<&str> = run.log.lines().collect();
    let accepted = run.line_of("accepted", 0);
    lines.insert(accepted - 1, line);
    let (code, e) = run.replay_log(&(lines.join("\n") + "\n"));
    assert_eq!(code, Some(1), "{e}");
    assert!(e.contains(&format!("at line {accepted}:")) && e.contains("the replay made none here"), "{e}");
    // An order the replay filled cannot be withdrawn: a `cancelled` line
    // for the first order, long filled or withdrawn, put at the end.
    let first = run.line_of("accepted", 0);
    let cells: Vec<&str> = run.log.lines().nth(first - 1).unwrap().split(',').collect();
    let end = run.log.lines().last().unwrap().split(',').next().unwrap().to_string();
    let late = format!("{end},cancelled,{},{},{},{},,0,,1,\n", cells[2], cells[3], cells[4], cells[5]);
    let (code, e) = run.replay_log(&format!("{}{late}", run.log));
    assert_eq!(code, Some(1), "{e}");
    assert!(e.contains(&format!("order {} rests in no book", cells[2])), "{e}");
}

/// "Byte for byte" is meant: trades.csv with CR LF line endings or without
/// its last newline differs, shown with what cannot be seen; a byte that is
/// not UTF-8 in it is refused at its line (exit 2), as in events.csv; and
/// so are converted line endings and a cut-short last line in events.csv.
#[test]
fn trades_are_compared_as_bytes_line_endings_included() {
    let run = Logged::new("bytes", Path::new("scenarios/rational.toml"));
    let path = run.out.join("trades.csv");
    let trades = fs::read_to_string(&path).unwrap();
    fs::write(&path, trades.replace('\n', "\r\n")).unwrap();
    as_run_wrote(&run.out);
    let o = replay(&run.out);
    let e = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{e}");
    assert!(e.contains("differs from trades.csv at line 1:") && e.contains("aggressor\\r"), "{e}");
    fs::write(&path, trades.strip_suffix('\n').unwrap()).unwrap();
    as_run_wrote(&run.out);
    let o = replay(&run.out);
    let e = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{e}");
    assert!(
        e.contains(&format!("at line {}:", trades.lines().count())) && e.contains("(no newline at its end)"),
        "{e}"
    );
    let mut bytes = trades.clone().into_bytes();
    let at = bytes.iter().enumerate().filter(|(_, b)| **b == b'\n').nth(4).unwrap().0 - 1;
    bytes[at] = 0xFF;
    fs::write(&path, bytes).unwrap();
    let o = replay(&run.out);
    let e = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{e}");
    assert!(e.contains("trades.csv:5: byte 0xFF is not UTF-8"), "{e}");
    fs::write(&path, &trades).unwrap();
    let (code, e) = run.replay_log(&run.log.replace('\n', "\r\n"));
    assert_eq!(code, Some(2), "{e}");
    assert!(e.contains("events.csv:1: a carriage return"), "{e}");
    let (code, e) = run.replay_log(run.log.strip_suffix('\n').unwrap());
    assert_eq!(code, Some(2), "{e}");
    assert!(e.contains("the log is cut short"), "{e}");
    // Unedited, it replays.
    let (code, e) = run.replay_log(&run.log);
    assert_eq!(code, Some(0), "{e}");
}

/// A manifest edited to a calendar or products no run could have is
/// refused by validation's rules before a book is sized from it (a band
/// of 1e300 or a million years of days would size one without bound).
#[test]
fn a_manifest_beyond_what_a_run_could_have_is_refused() {
    let run = Logged::new("manifest_rules", Path::new("scenarios/rational.toml"));
    let path = run.out.join("manifest.json");
    let text = fs::read_to_string(&path).unwrap();
    for (from, to, says) in [
        ("\"price_band\": 0.02", "\"price_band\": 1e300", "scenario.product[0].price_band"),
        ("\"days\": 5", "\"days\": 1000000000000", "scenario.simulation.days"),
        ("\"nav\": 1.0", "\"nav\": 1e300", "scenario.product[0].nav"),
    ] {
        assert!(text.contains(from), "{from}");
        fs::write(&path, text.replacen(from, to, 1)).unwrap();
        let o = replay(&run.out);
        let e = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{to}: {e}");
        assert!(e.contains(says) && e.contains("accepted:") && e.contains("the manifest was edited"), "{e}");
    }
}

/// The `filled` and `unfilled` lines were not read, so one left out,
/// changed or added passed. Every order's end the replay's book makes (the
/// `Done` of an order filled, killed unfilled, cancelled or expired) calls
/// for the line the run writes for it, with the lots the order had left,
/// right after the line whose operation made it, in the book's order (see
/// src/engine/order_path.rs, where each `Done` becomes one line through
/// src/engine/observer.rs's `closed`).
#[test]
fn the_logs_order_ends_are_checked_against_the_replay() {
    let run = Logged::new("ends", Path::new("scenarios/rational.toml"));
    let f = run.line_of("filled", 20);
    let filled = run.line(f).to_string();
    assert_eq!(run.cell(f, "lots"), "0", "a filled order has nothing left");
    // Left out: the line after it differs, the replay owing the filled line.
    let without = run.lines_with(|l| {
        l.remove(f - 1);
    });
    let order = run.cell(f, "order");
    run.differs(&without, f, &[&filled, &format!("order {order} filled by line")]);
    // Changed: its lots, its op.
    run.differs(&run.with(f, &[("lots", "1")]), f, &[&filled]);
    run.differs(&run.with(f, &[("op", "unfilled")]), f, &[&filled]);
    // Moved below the next line, one the replay does not read: the run
    // writes an order's end right after the line that ended it.
    let moved = run.lines_with(|l| l.swap(f - 1, f));
    let next = run.line(f + 1).to_string();
    assert!(!next.contains(",traded,") && !next.contains(",filled,"), "{next}");
    run.differs(&moved, f, &[&next, &filled]);
    // Added: an `unfilled` line the replay's book did not make.
    let u = run.line_of("unfilled", 5);
    let unfilled = run.line(u).to_string();
    let twice = run.lines_with(|l| l.insert(u, unfilled.clone()));
    run.differs(&twice, u + 1, &[&unfilled, "the replay ended none here"]);
    // An end that says lots below zero or a price is no line the run writes.
    run.refused(f, &[("lots", "-1")], "lots `-1` is not a whole number of lots from 0");
    run.refused(u, &[("price", "1")], "price `1` on an order's end, which has none");
    run.refused(u, &[("side", "")], "side `` is not `buy` or `sell`");
    // Unedited, it replays.
    let (code, e) = run.replay_log(&run.log);
    assert_eq!(code, Some(0), "{e}");
}

/// The lines no book takes part in (an order's `submitted` and `rejected`,
/// a cancel's `cancel_requested`, the redemptions) used to be passed over
/// by their op's name alone, so an edited one replayed as "identical". Each
/// is now held to what the run writes (exit 2 at its line), and the lines
/// the run writes in pairs must be there together.
#[test]
fn lines_no_book_takes_part_in_are_checked_too() {
    let run = Logged::new("aside", Path::new("scenarios/baseline.toml"));
    let redeemed = run.line_of("redeemed_at_limit", 0);
    run.refused(redeemed, &[("time", "not-a-time")], "time `not-a-time` is not a time in seconds");
    run.refused(redeemed, &[("side", "buy")], "side `buy` on a redeemed_at_limit line, which has `sell`");
    run.refused(redeemed, &[("time", "40000")], "time `40000` is not a session's close");
    let rejected = run.line_of("rejected", 0);
    run.refused(rejected, &[("reason", "bogus_reason")], "reason `bogus_reason` is not one of the platform's");
    run.refused(rejected, &[("product", "NOTE8")], "product `NOTE8` is not in manifest.json");
    let cancel = run.line_of("cancel_requested", 0);
    run.refused(cancel, &[("product", "NOTE9")], "product `NOTE9` is not in manifest.json");
    run.refused(cancel, &[("lots", "3")], "lots `3` on a cancel_requested line, which has 0");
    // A submitted line that is not its accepted line's twin, or out of time order.
    let s = (1..=run.lines.len())
        .find(|&n| {
            run.cell(n, "op") == "submitted" && run.cell(n, "kind") == "limit" && run.cell(n, "time") != "34200.0"
        })
        .unwrap();
    run.refused(s, &[("kind", "market")], "price");
    let side = if run.cell(s, "side") == "buy" { "sell" } else { "buy" };
    let (code, e) = run.replay_log(&run.with(s, &[("side", side)]));
    assert_eq!(code, Some(2), "{e}");
    assert!(
        e.contains(&format!("events.csv:{}: line {s} is a `submitted` line: the run writes the order's", s + 1)),
        "{e}"
    );
    run.refused(s, &[("time", "34000")], "time `34000` is earlier than line");
    // Taken out: its accepted line has no submitted line before it.
    let without = run.lines_with(|l| {
        l.remove(s - 1);
    });
    let (code, e) = run.replay_log(&without);
    assert_eq!(code, Some(2), "{e}");
    assert!(e.contains(&format!("events.csv:{s}: order {}'s `", run.cell(s, "order"))), "{e}");
    let (code, e) = run.replay_log(&run.log);
    assert_eq!(code, Some(0), "{e}");
}

/// At each close the run expires every order left resting. A log lacking
/// one of those `expired` lines used to replay as if the order had been
/// withdrawn then; it now differs at the first line the replay reads after
/// that close, or, for the last close, at the end of the log.
#[test]
fn an_order_left_resting_at_a_close_is_found() {
    let run = Logged::new("closes", Path::new("scenarios/rational.toml"));
    // rational.toml: five business days from Monday 2026-01-05, closing at
    // 15:00 (54,000 s after each midnight).
    let reads = ["accepted", "cancelled", "expired", "replaced", "traded", "filled", "unfilled"];
    let seconds = |n: usize| run.cell(n, "time").parse::<f64>().unwrap();
    for (day, close) in [(1, 54_000.0), (5, 4.0 * 86_400.0 + 54_000.0)] {
        let at_close: Vec<usize> =
            (2..=run.lines.len()).filter(|&n| run.cell(n, "op") == "expired" && seconds(n) == close).collect();
        assert!(at_close.len() > 1, "no orders rest at day {day}'s close");
        let gone = at_close[at_close.len() / 2];
        let line = run.line(gone).to_string();
        let without = run.lines_with(|l| {
            l.remove(gone - 1);
        });
        let says = [line.as_str(), &format!("rested at day {day}'s close, where the run expires every order left")];
        // The first line read after the close, one up for the line taken out.
        match (gone + 1..=run.lines.len()).find(|&n| seconds(n) > close && reads.contains(&run.cell(n, "op"))) {
            Some(next) => run.differs(&without, next - 1, &says),
            None => run.differs(&without, run.lines.len(), &[&says[..], &["(end of file)"]].concat()),
        }
    }
    let (code, e) = run.replay_log(&run.log);
    assert_eq!(code, Some(0), "{e}");
}

/// A `cancelled` or `expired` line was checked for its order and product
/// only. Its agent and side are its accepted order's, or no run wrote it
/// (exit 2); its lots are what the order had left when it was withdrawn,
/// not what it asked for, and a line that says otherwise differs from the
/// re-matched market (exit 1).
#[test]
fn a_withdrawals_agent_side_and_lots_are_its_orders() {
    let run = Logged::new("withdrawals", Path::new("scenarios/rational.toml"));
    // Each order's accepted line, by serial number.
    let mut accepted = HashMap::new();
    for n in 1..=run.lines.len() {
        if run.cell(n, "op") == "accepted" {
            accepted.insert(run.cell(n, "order").to_string(), n);
        }
    }
    for kind in ["cancelled", "expired"] {
        // A customer's order that traded in part before it was withdrawn.
        let (n, a) = (1..=run.lines.len())
            .filter(|&n| run.cell(n, "op") == kind && run.cell(n, "agent") != "0")
            .map(|n| (n, accepted[run.cell(n, "order")]))
            .find(|&(n, a)| run.cell(a, "lots") != run.cell(n, "lots"))
            .unwrap();
        let (serial, agent, side) = (run.cell(n, "order"), run.cell(n, "agent"), run.cell(n, "side"));
        let line = run.line(n).to_string();
        let other_agent = (agent.parse::<u32>().unwrap() + 1).to_string();
        run.refused(
            n,
            &[("agent", &other_agent)],
            &format!("agent `{other_agent}`: order {serial} is agent {agent}'s (accepted at line {a})"),
        );
        let other_side = if side == "buy" { "sell" } else { "buy" };
        run.refused(
            n,
            &[("side", other_side)],
            &format!("side `{other_side}`: order {serial} is a {side} order (accepted at line {a})"),
        );
        // The lots it asked for are not what it had left.
        let asked = run.cell(a, "lots");
        run.differs(&run.with(n, &[("lots", asked)]), n, &[&line, &format!("order {serial} {kind} by line {n}")]);
        let left: u32 = run.cell(n, "lots").parse().unwrap();
        run.differs(&run.with(n, &[("lots", &(left + 1).to_string())]), n, &[&line]);
    }
}

/// An accepted order above its product's `max_order_lots` passed: the
/// platform refuses such an order from a customer, so no run writes it.
/// The issuer's instalments (account 0) are not held to it.
#[test]
fn an_order_above_max_order_lots_is_refused() {
    let run = Logged::new("max_order_lots", Path::new("scenarios/rational.toml"));
    let path = run.out.join("manifest.json");
    let manifest = fs::read_to_string(&path).unwrap();
    assert!(manifest.contains("\"max_order_lots\": 1000"), "rational.toml's limit, in the manifest");
    let accepted: Vec<usize> = (1..=run.lines.len()).filter(|&n| run.cell(n, "op") == "accepted").collect();
    let lots = |n: usize| run.cell(n, "lots").parse::<u32>().unwrap();
    // The issuer offers more at once, and the log replays.
    assert!(accepted.iter().any(|&n| run.cell(n, "agent") == "0" && lots(n) > 1000));
    let (code, e) = run.replay_log(&run.log);
    assert_eq!(code, Some(0), "{e}");
    // A customer's order one lot above it.
    let n = accepted.iter().copied().find(|&n| run.cell(n, "agent") != "0").unwrap();
    let says =
        "lots `1001` is above NOTE7's max_order_lots, 1000 (scenario.product[0].max_order_lots in manifest.json)";
    run.refused(n, &[("lots", "1001")], says);
    // The limit is the manifest's: lowered there, the first customer order
    // above it is refused.
    let first = accepted.iter().copied().find(|&m| run.cell(m, "agent") != "0" && lots(m) > 1).unwrap();
    fs::write(&path, manifest.replace("\"max_order_lots\": 1000", "\"max_order_lots\": 1")).unwrap();
    let (code, e) = run.replay_log(&run.log);
    assert_eq!(code, Some(2), "{e}");
    let over = lots(first);
    assert!(e.contains(&format!("events.csv:{first}: lots `{over}` is above NOTE7's max_order_lots, 1 ")), "{e}");
}

/// A log or a trades.csv cut at a line's end reads as a market that
/// stopped early; the run's own counts (manifest.json) tell it apart from a
/// replay that differs: exit 2, "cut short", with the counts. Both files cut
/// at the same close used to replay as a whole run.
#[test]
fn files_cut_at_a_lines_end_are_told_cut_short() {
    let run = Logged::new("cut", Path::new("scenarios/rational.toml"));
    let counted = |what: &str| {
        let m: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(run.out.join("manifest.json")).unwrap()).unwrap();
        m["counts"][what].as_u64().unwrap()
    };
    let half = run.lines.len() / 2;
    let cut = run.lines_with(|l| l.truncate(half));
    let submitted = cut.lines().filter(|l| l.split(',').nth(run.col("op")) == Some("submitted")).count();
    let (code, e) = run.replay_log(&cut);
    assert_eq!(code, Some(2), "{e}");
    let says = format!("events.csv: {submitted} orders submitted, where manifest.json counts {}", counted("orders"));
    assert!(e.contains(&says) && e.contains("the file is cut short"), "{e}");
    // Both files cut at day 3's close (rational.toml closes at 15:00).
    let close = 2.0 * 86_400.0 + 54_000.0;
    let seconds = |l: &str| l.split(',').next().unwrap().parse::<f64>().unwrap();
    let log = run.lines_with(|l| l.retain(|x| x.starts_with("time") || seconds(x) <= close));
    let path = run.out.join("trades.csv");
    let trades = fs::read_to_string(&path).unwrap();
    let kept: Vec<&str> = trades.lines().filter(|x| x.starts_with("time") || seconds(x) <= close).collect();
    fs::write(&path, kept.join("\n") + "\n").unwrap();
    let (code, e) = run.replay_log(&log);
    assert_eq!(code, Some(2), "{e}");
    assert!(e.contains("orders submitted, where manifest.json counts") && e.contains("cut short"), "{e}");
    // trades.csv alone cut at a line's end.
    let (code, e) = run.replay_log(&run.log);
    assert_eq!(code, Some(2), "{e}");
    let says = format!("trades.csv: {} trades, where manifest.json counts {}", kept.len() - 1, counted("trades"));
    assert!(e.contains(&says) && e.contains("cut short"), "{e}");
    fs::write(&path, &trades).unwrap();
    let (code, e) = run.replay_log(&run.log);
    assert_eq!(code, Some(0), "{e}");
}

/// A manifest of another tool is refused (exit 2); a difference in a run
/// another build wrote says so beside it (exit 1), a build's matching may
/// differ; the same run by this build replays.
#[test]
fn the_manifests_tool_and_build_are_read() {
    let run = Logged::new("build", Path::new("scenarios/rational.toml"));
    let path = run.out.join("manifest.json");
    let original = fs::read_to_string(&path).unwrap();
    let mut m: serde_json::Value = serde_json::from_str(&original).unwrap();
    m["tool"] = serde_json::json!("other");
    fs::write(&path, m.to_string()).unwrap();
    let (code, e) = run.replay_log(&run.log);
    assert_eq!(code, Some(2), "{e}");
    assert!(e.contains("written by `other`, not tplus"), "{e}");
    m["tool"] = serde_json::json!("tplus");
    m["version"] = serde_json::json!("0.0.1 (old)");
    fs::write(&path, m.to_string()).unwrap();
    // Unchanged files replay whatever build wrote them.
    let (code, e) = run.replay_log(&run.log);
    assert_eq!(code, Some(0), "{e}");
    // A traded line's lots changed: the difference, and the note.
    let n = run.line_of("traded", 0);
    let lots = run.cell(n, "lots").parse::<u64>().unwrap() + 1;
    let (code, e) = run.replay_log(&run.with(n, &[("lots", &lots.to_string())]));
    assert_eq!(code, Some(1), "{e}");
    assert!(e.contains("the replay differs from events.csv") && e.contains("written by tplus 0.0.1 (old)"), "{e}");
    fs::write(&path, original).unwrap();
    let (code, e) = run.replay_log(&run.with(n, &[("lots", &lots.to_string())]));
    assert_eq!(code, Some(1), "{e}");
    assert!(!e.contains("written by tplus"), "{e}");
}

/// `manifest.json` records each file's size as written: a log cut after
/// its last `submitted` line (its count whole, its missing ends a
/// difference) or a trades.csv converted to CR LF is told as a file cut
/// short or changed after the run (exit 2, both sizes, what the replay
/// found), not as a market that went otherwise; a run from before the
/// sizes is replayed as before.
#[test]
fn a_file_not_as_the_run_wrote_it_is_told_so() {
    let run = Logged::new("as-written", Path::new("scenarios/rational.toml"));
    let last = run.line_of("submitted", run.log.lines().filter(|l| l.contains(",submitted,")).count() - 1);
    let cut = run.lines_with(|l| l.truncate(last + 1));
    let log = run.out.join("events.csv");
    fs::write(&log, &cut).unwrap();
    let o = replay(&run.out);
    let e = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{e}");
    let says = format!(
        "events.csv: {} bytes, where manifest.json records {} written by the run: the file was cut short",
        cut.len(),
        run.log.len()
    );
    assert!(e.contains(&says) && e.contains("what the replay found in it: the replay differs from events.csv"), "{e}");
    // Without the sizes (an older run's manifest), the difference alone.
    let path = run.out.join("manifest.json");
    let written = fs::read_to_string(&path).unwrap();
    let mut m: serde_json::Value = serde_json::from_str(&written).unwrap();
    m.as_object_mut().unwrap().remove("file_bytes");
    fs::write(&path, serde_json::to_string(&m).unwrap()).unwrap();
    let o = replay(&run.out);
    let e = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{e}");
    assert!(e.starts_with("error: the replay differs from events.csv"), "{e}");
    fs::write(&path, &written).unwrap();
    fs::write(&log, &run.log).unwrap();
    // trades.csv converted to CR LF: changed, not cut.
    let trades = run.out.join("trades.csv");
    let kept = fs::read_to_string(&trades).unwrap();
    fs::write(&trades, kept.replace('\n', "\r\n")).unwrap();
    let o = replay(&run.out);
    let e = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{e}");
    assert!(e.contains("trades.csv: ") && e.contains("the file was changed after the run"), "{e}");
    fs::write(&trades, &kept).unwrap();
    assert_eq!(replay(&run.out).status.code(), Some(0));
}
