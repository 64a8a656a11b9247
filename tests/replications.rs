//! `tplus run --replications N`, `--control` and `tplus compare`, through
//! the binary: replication k is the plain run with seed + k, file for file;
//! the outputs do not depend on the thread count; the control's comparison
//! shows an effect where one is planted; bad input exits 2 with a clear
//! message and writes nothing.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn scratch(name: &str) -> PathBuf {
    let dir =
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("tplus-rep-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A quick market: 600 zero-intelligence customers over 2 business days,
/// and, with `event`, the minimum credit score raised to 700 at day 2 10:00
/// (about four in five buyers then fail the gate).
fn small(event: bool) -> String {
    let mut s = r#"
[simulation]
name = "tiny"
seed = 7
start_date = 2026-01-05
days = 2
window = "15m"
min_latency = "50ms"
latency_jitter = "20ms"

[[product]]
id = "NOTE7"
nav = 1.0
annual_yield = 0.025
tick_size = 0.0001
lot_size = 100
term_days = 7
holding_limit_days = 3
min_credit_score = 550
redemption_penalty = 0.005
max_order_lots = 1000
primary_supply_lots = 2000

[[agents]]
family = "zero_intelligence"
count = 600
arrival = { process = "poisson", rate = 4.0 }
budget = { dist = "lognormal", median = 20000.0, sigma = 0.6 }
credit_score = { dist = "normal", mean = 640.0, sd = 60.0 }
initial_lots = { dist = "uniform", min = 0.0, max = 40.0 }

[agents.params]
cancel_prob = 0.1
order_ttl = "30m"
"#
    .to_string();
    if event {
        s.push_str("\n[[events]]\nat = \"day 2 10:00\"\ntarget = \"min_credit_score\"\nvalue = 700.0\n");
    }
    s
}

fn tplus(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tplus")).args(args).output().unwrap()
}

fn ok(out: Output) -> Output {
    assert!(out.status.success(), "tplus failed: {}", String::from_utf8_lossy(&out.stderr));
    out
}

fn scenario(dir: &Path, event: bool) -> String {
    let file = dir.join(if event { "event.toml" } else { "plain.toml" });
    std::fs::write(&file, small(event)).unwrap();
    file.display().to_string()
}

fn p(path: &Path) -> String {
    path.display().to_string()
}

/// Every file under `dir`, by relative path, with its bytes; `manifest.json`
/// left out (it holds the time of writing).
fn tree(dir: &Path) -> HashMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut HashMap<PathBuf, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else if path.file_name().unwrap() != "manifest.json" {
                out.insert(path.strip_prefix(root).unwrap().to_path_buf(), std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = HashMap::new();
    walk(dir, dir, &mut out);
    out
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn replications_are_the_plain_runs_and_do_not_depend_on_threads() {
    let dir = scratch("same");
    let file = scenario(&dir, false);
    let (one, two) = (dir.join("t1"), dir.join("t2"));
    ok(tplus(&["run", &file, "--replications", "3", "--threads", "1", "--out", &p(&one), "--quiet"]));
    ok(tplus(&["run", &file, "--replications", "3", "--threads", "2", "--out", &p(&two), "--quiet"]));
    let (a, b) = (tree(&one), tree(&two));
    assert!(a.contains_key(Path::new("replications.csv")) && a.contains_key(Path::new("replications.json")));
    assert_eq!(a.len(), b.len());
    for (name, bytes) in &a {
        assert!(b.get(name) == Some(bytes), "{} differs between 1 and 2 threads", name.display());
    }
    // Replication k is `tplus run --seed 7+k`, byte for byte.
    for k in 0..3u64 {
        let seed = 7 + k;
        let plain = dir.join(format!("plain-{seed}"));
        ok(tplus(&["run", &file, "--seed", &seed.to_string(), "--out", &p(&plain), "--quiet"]));
        for f in ["metrics.csv", "trades.csv", "summary.json", "risk.csv"] {
            let rep = one.join("runs").join(format!("seed-{seed}")).join(f);
            assert_eq!(std::fs::read(&rep).unwrap(), std::fs::read(plain.join(f)).unwrap(), "seed {seed}: {f}");
        }
    }
    // The summary's mean and interval are those of the three rows.
    let summary = json(&one.join("replications.json"));
    assert_eq!(summary["seeds"], serde_json::json!([7, 8, 9]));
    let text = std::fs::read_to_string(one.join("replications.csv")).unwrap();
    let volume = text.lines().next().unwrap().split(',').position(|c| c == "volume").unwrap();
    let rows: Vec<f64> = text.lines().skip(1).map(|l| l.split(',').nth(volume).unwrap().parse().unwrap()).collect();
    let fig = summary["figures"].as_array().unwrap().iter().find(|f| f["figure"] == "volume").unwrap();
    let mean = rows.iter().sum::<f64>() / 3.0;
    let sd = (rows.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / 2.0).sqrt();
    let half = 4.302_652_729_749_464 * sd / 3f64.sqrt(); // t(0.975, 2)
    assert_eq!(fig["n"], 3);
    assert!((fig["mean"].as_f64().unwrap() - mean).abs() < 1e-9 * mean);
    assert!((fig["lo"].as_f64().unwrap() - (mean - half)).abs() < 1e-6 * mean);
    assert!((fig["hi"].as_f64().unwrap() - (mean + half)).abs() < 1e-6 * mean);
    // No temporary directory is left beside the output.
    let names: Vec<String> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    assert!(names.iter().all(|n| !n.contains("partial")), "{names:?}");
}

#[test]
fn the_control_shows_a_planted_effect_and_compare_gives_the_same() {
    let dir = scratch("control");
    let file = scenario(&dir, true);
    let out = dir.join("out");
    let stdout = ok(tplus(&["run", &file, "--control", "--replications", "3", "--out", &p(&out)])).stdout;
    let text = String::from_utf8_lossy(&stdout);
    assert!(text.contains("after the change (min_credit_score at day 2 10:00)"), "{text}");
    for f in ["comparison.csv", "comparison_windows.csv", "comparison.json", "comparison.md", "comparison.svg"] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    assert!(out.join("control/runs/seed-9/metrics.csv").is_file());
    let cmp = json(&out.join("comparison.json"));
    let row = |scope: &str, figure: &str| {
        cmp["figures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["scope"] == scope && r["figure"] == figure)
            .unwrap()
            .clone()
    };
    // The gate refuses most buyers after the change: subscription success
    // falls in every seed, and the interval says so.
    let sub = row("after_change", "sub_success");
    assert_eq!(sub["n"], 3);
    assert_eq!(sub["seeds_down"], 3);
    assert!(sub["diff"]["hi"].as_f64().unwrap() < 0.0, "{sub}");
    assert!(sub["effect_size_dz"].as_f64().unwrap() < 0.0);
    // Before the change the runs are the same: every difference is 0.
    for w in cmp["windows"].as_array().unwrap().iter().filter(|w| w["after_change"] == false) {
        assert!(w["diff_mean"].is_null() || w["diff_mean"] == 0.0, "{w}");
    }
    let md = std::fs::read_to_string(out.join("comparison.md")).unwrap();
    assert!(md.contains("| sub_success ** |"), "{md}");
    // `tplus compare` on the two halves writes the same figures.
    let again = dir.join("again");
    ok(tplus(&["compare", &p(&out.join("control")), &p(&out), "--out", &p(&again), "--quiet"]));
    assert_eq!(
        std::fs::read(again.join("comparison.csv")).unwrap(),
        std::fs::read(out.join("comparison.csv")).unwrap()
    );
    assert_eq!(
        std::fs::read(again.join("comparison_windows.csv")).unwrap(),
        std::fs::read(out.join("comparison_windows.csv")).unwrap()
    );
}

/// `--span`: the after-change figures are over that much simulated time
/// from the change's window, summed from those windows of each run's
/// `metrics.csv`, and `compare --span` gives the same.
#[test]
fn a_span_measures_the_after_change_figures_over_its_windows_only() {
    let dir = scratch("span");
    let file = scenario(&dir, true);
    let out = dir.join("out");
    let args = ["run", &file, "--control", "--replications", "2", "--span", "30m", "--out", &p(&out)];
    let stdout = ok(tplus(&args)).stdout;
    let text = String::from_utf8_lossy(&stdout);
    assert!(text.contains("in the 30m from the change (min_credit_score at day 2 10:00)"), "{text}");
    let cmp = json(&out.join("comparison.json"));
    let (from, until) = (cmp["change"]["window"].as_u64().unwrap(), cmp["change"]["until_window"].as_u64().unwrap());
    // 15-minute windows: the change's and the next.
    assert_eq!((until - from, &cmp["change"]["span"]), (2, &serde_json::json!("30m")), "{cmp}");
    let flagged = cmp["windows"].as_array().unwrap().iter().filter(|w| w["after_change"] == true);
    assert_eq!(flagged.filter(|w| w["figure"] == "volume").count(), 2);
    // The control's mean volume over those windows, from its runs' files.
    let volume_in = |run: &Path| -> f64 {
        let text = std::fs::read_to_string(run.join("metrics.csv")).unwrap();
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
        let (w, v) = (col("window"), col("volume"));
        lines
            .map(|l| l.split(',').collect::<Vec<_>>())
            .filter(|c| (from..until).contains(&c[w].parse::<u64>().unwrap()))
            .map(|c| c[v].parse::<f64>().unwrap())
            .sum()
    };
    let control = out.join("control/runs");
    let mean = (volume_in(&control.join("seed-7")) + volume_in(&control.join("seed-8"))) / 2.0;
    let row =
        cmp["figures"].as_array().unwrap().iter().find(|r| r["scope"] == "after_change" && r["figure"] == "volume");
    assert_eq!(row.unwrap()["control_mean"].as_f64().unwrap(), mean);
    let again = dir.join("again");
    ok(tplus(&["compare", &p(&out.join("control")), &p(&out), "--out", &p(&again), "--span", "30m", "--quiet"]));
    assert_eq!(
        std::fs::read(again.join("comparison.csv")).unwrap(),
        std::fs::read(out.join("comparison.csv")).unwrap()
    );
    assert_eq!(cmp["change"]["span_outlasts_run"], false);
    // A span longer than the run has left: to its end, and said so.
    let long = dir.join("long");
    let o = ok(tplus(&["compare", &p(&out.join("control")), &p(&out), "--out", &p(&long), "--span", "100d"]));
    let said = String::from_utf8_lossy(&o.stdout);
    assert!(said.contains("in the 100d from the change (the run ends first: to its end)"), "{said}");
    let md = std::fs::read_to_string(long.join("comparison.md")).unwrap();
    assert!(md.contains("; the run ends first: to its end)"), "{md}");
    assert_eq!(json(&long.join("comparison.json"))["change"]["span_outlasts_run"], true);
    // Without a change to measure from, a span is refused.
    let arms = [dir.join("plain"), dir.join("plain2")];
    for arm in &arms {
        ok(tplus(&["run", &scenario(&dir, false), "--replications", "2", "--out", &p(arm)]));
    }
    let args = ["compare", &p(&arms[0]), &p(&arms[1]), "--out", &p(&dir.join("x")), "--span", "1h"];
    refused(&args, "--span needs a scripted change to measure from");
    assert!(!dir.join("x").exists());
}

fn refused(args: &[&str], says: &str) {
    let out = tplus(args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert!(err.contains(says), "{args:?}: `{err}` does not say `{says}`");
}

#[test]
fn bad_input_exits_2_and_writes_nothing() {
    let dir = scratch("bad");
    let (plain, event) = (scenario(&dir, false), scenario(&dir, true));
    let out = dir.join("out");
    refused(&["run", &plain, "--control", "--out", &p(&out)], "nothing to compare");
    refused(
        &["run", &plain, "--replications", "1", "--out", &p(&out)],
        "from 2 (a spread across seeds needs two) to 100000",
    );
    // Refused before any run or allocation (it used to abort, out of memory).
    refused(&["run", &plain, "--replications", "1000000000", "--out", &p(&out)], "to 100000 are accepted");
    refused(&["run", &plain, "--replications", "1000000000"], "to 100000 are accepted");
    assert!(!out.exists(), "nothing written");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("x"), "").unwrap();
    refused(&["run", &plain, "--replications", "2", "--out", &p(&out)], "not empty");
    refused(&["compare", &p(&dir), &p(&out), "--out", &p(&dir.join("c"))], "not a replications directory");
    // Seeds that do not pair.
    let (a, b) = (dir.join("a"), dir.join("b"));
    ok(tplus(&["run", &plain, "--replications", "2", "--out", &p(&a), "--quiet"]));
    ok(tplus(&["run", &event, "--replications", "2", "--seed", "8", "--out", &p(&b), "--quiet"]));
    refused(&["compare", &p(&a), &p(&b), "--out", &p(&dir.join("c"))], "seeds differ");
    // Calendars that do not pair.
    let longer = dir.join("longer.toml");
    std::fs::write(&longer, small(false).replace("days = 2", "days = 3")).unwrap();
    let l = dir.join("l");
    ok(tplus(&["run", &p(&longer), "--replications", "2", "--out", &p(&l), "--quiet"]));
    refused(&["compare", &p(&a), &p(&l), "--out", &p(&dir.join("c"))], "simulation.days");
    assert!(!dir.join("c").exists());
    // Two replication directories of the same seeds pair; without a change, whole runs.
    let e = dir.join("e");
    ok(tplus(&["run", &event, "--replications", "2", "--out", &p(&e), "--quiet"]));
    ok(tplus(&["compare", &p(&a), &p(&e), "--out", &p(&dir.join("c")), "--quiet"]));
    assert!(dir.join("c/comparison.md").is_file());
}

#[test]
fn a_run_is_never_written_into_replications_and_compare_finds_one_that_was() {
    let dir = scratch("inside");
    let (plain, event) = (scenario(&dir, false), scenario(&dir, true));
    let (a, e) = (dir.join("a"), dir.join("e"));
    ok(tplus(&["run", &plain, "--replications", "2", "--out", &p(&a), "--quiet"]));
    ok(tplus(&["run", &event, "--replications", "2", "--out", &p(&e), "--quiet"]));
    // Before, `--force` took a replication's own run directory, and compare
    // then paired that run (another scenario, another seed) as the
    // replication's with no word: a corrupted effect.
    let seed8 = e.join("runs/seed-8");
    let seed8_arg = p(&seed8);
    let before = tree(&e);
    for force in [&["--force"][..], &[]] {
        let args = [&["run", &plain, "--seed", "42", "--out", &seed8_arg, "--quiet"][..], force].concat();
        refused(&args, "lies inside the results of replications in");
    }
    refused(&["run", &plain, "--out", &p(&e.join("runs/new")), "--quiet"], "choose another --out, outside");
    assert!(tree(&e) == before, "nothing written, nothing removed");
    assert!(!e.join("runs/new").exists());
    // A run written over a replication's some other way (copied there):
    // compare names it and pairs nothing.
    let stray = dir.join("stray");
    ok(tplus(&["run", &plain, "--seed", "42", "--out", &p(&stray), "--quiet"]));
    for f in std::fs::read_dir(&stray).unwrap() {
        let f = f.unwrap().path();
        std::fs::copy(&f, seed8.join(f.file_name().unwrap())).unwrap();
    }
    refused(
        &["compare", &p(&a), &p(&e), "--out", &p(&dir.join("c"))],
        "runs/seed-8 holds a run of `tiny` with seed 42 (its manifest.json), not this directory's `tiny` with seed 8",
    );
    assert!(!dir.join("c").exists());
    // One of the same name and seed but without the event: its manifest
    // names the same, but its windows are not the replication's.
    let twin = dir.join("twin");
    ok(tplus(&["run", &plain, "--seed", "8", "--out", &p(&twin), "--quiet"]));
    for f in std::fs::read_dir(&twin).unwrap() {
        let f = f.unwrap().path();
        std::fs::copy(&f, seed8.join(f.file_name().unwrap())).unwrap();
    }
    refused(&["compare", &p(&a), &p(&e), "--out", &p(&dir.join("c"))], "runs/seed-8/metrics.csv's windows sum to");
    assert!(!dir.join("c").exists());
}

/// Two replication directories of the same seeds: `a` without the event,
/// `e` with it.
fn two_arms(dir: &Path) -> (PathBuf, PathBuf) {
    let (plain, event) = (scenario(dir, false), scenario(dir, true));
    let (a, e) = (dir.join("a"), dir.join("e"));
    ok(tplus(&["run", &plain, "--replications", "2", "--out", &p(&a), "--quiet"]));
    ok(tplus(&["run", &event, "--replications", "2", "--out", &p(&e), "--quiet"]));
    (a, e)
}

/// A run gone from a replications directory leaves it incomplete, the
/// user's to fill: compare names the run and says to run the replications
/// again (exit 2). It used to fail reading the run's manifest.json (exit 1).
#[test]
fn compare_names_a_missing_run_and_what_to_do() {
    let dir = scratch("missing");
    let (a, e) = two_arms(&dir);
    let out = dir.join("c");
    std::fs::remove_dir_all(e.join("runs/seed-8")).unwrap();
    refused(&["compare", &p(&a), &p(&e), "--out", &p(&out)], "incomplete: runs/seed-8 is missing");
    refused(&["compare", &p(&a), &p(&e), "--out", &p(&out)], "run the replications again into a new directory");
    std::fs::remove_file(a.join("runs/seed-7/metrics.csv")).unwrap();
    refused(&["compare", &p(&a), &p(&e), "--out", &p(&out)], "runs/seed-7/metrics.csv is missing");
    assert!(!out.exists(), "nothing written");
    // A cell made unreadable is refused, not read as n/a: that quietly
    // averaged the figure over fewer seeds.
    let csv = std::fs::read_to_string(e.join("replications.csv")).unwrap();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let at = header.iter().position(|h| *h == "volume").unwrap();
    let mut lines: Vec<String> = csv.lines().map(String::from).collect();
    let mut cells: Vec<String> = lines[1].split(',').map(String::from).collect();
    let seed = cells[header.iter().position(|h| *h == "seed").unwrap()].clone();
    cells[at] = "abc".into();
    lines[1] = cells.join(",");
    std::fs::write(e.join("replications.csv"), lines.join("\n") + "\n").unwrap();
    refused(&["compare", &p(&a), &p(&e), "--out", &p(&out)], &format!("seed {seed}'s `volume` is `abc`, not a number"));
    assert!(!out.exists(), "nothing written");
}

/// A figure undefined in every seed of the control (here blanked in its
/// replications.csv, as a success is where nothing closed) leaves the
/// differences undefined, but the treatment's mean stands with its seeds:
/// it used to read n/a on both sides.
#[test]
fn an_arm_without_a_figure_still_shows_the_others_mean() {
    let dir = scratch("one_arm");
    let (a, e) = two_arms(&dir);
    let csv = std::fs::read_to_string(a.join("replications.csv")).unwrap();
    let at = csv.lines().next().unwrap().split(',').position(|h| h == "sub_success").unwrap();
    let blanked: String = csv
        .lines()
        .enumerate()
        .map(|(i, l)| {
            let mut cells: Vec<&str> = l.split(',').collect();
            if i > 0 {
                cells[at] = "";
            }
            cells.join(",") + "\n"
        })
        .collect();
    std::fs::write(a.join("replications.csv"), blanked).unwrap();
    let out = dir.join("c");
    ok(tplus(&["compare", &p(&a), &p(&e), "--out", &p(&out), "--quiet"]));
    let cmp = json(&out.join("comparison.json"));
    let row = cmp["figures"].as_array().unwrap().iter().find(|r| r["scope"] == "run" && r["figure"] == "sub_success");
    let row = row.unwrap();
    assert_eq!(
        (row["n"].as_u64(), row["control_n"].as_u64(), row["treatment_n"].as_u64()),
        (Some(0), Some(0), Some(2))
    );
    assert!(row["control_mean"].is_null() && row["diff"]["mean"].is_null(), "{row}");
    let treatment = row["treatment_mean"].as_f64().expect("the treatment's own mean");
    assert!(treatment > 0.0 && treatment < 1.0, "{row}");
    let md = std::fs::read_to_string(out.join("comparison.md")).unwrap();
    let whole = md.split("## Whole run").nth(1).unwrap();
    let line = whole.lines().find(|l| l.starts_with("| sub_success |")).unwrap();
    let cells: Vec<&str> = line.split(" | ").collect();
    assert_eq!((cells[1], cells[3]), ("n/a", "n/a"), "{line}");
    assert!(cells[2] != "n/a" && cells[2].ends_with("(2 seeds)"), "{line}");
    // The CSV row says the same, in the documented columns.
    let text = std::fs::read_to_string(out.join("comparison.csv")).unwrap();
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    let csv_row: Vec<&str> = text.lines().find(|l| l.starts_with("run,sub_success,")).unwrap().split(',').collect();
    let cell = |name: &str| csv_row[header.iter().position(|h| *h == name).unwrap()];
    assert_eq!((cell("n"), cell("control_mean"), cell("diff_mean")), ("0", "", ""));
    assert_eq!((cell("control_n"), cell("treatment_n")), ("0", "2"));
    assert!(!cell("treatment_mean").is_empty());
}

/// `compare C C` paired each run with itself: every difference 0, a
/// finding of no effect that is none. Refused, by any path to the same
/// directory, before anything is written.
#[test]
fn a_directory_compared_with_itself_is_refused() {
    let dir = scratch("itself");
    let (a, _) = two_arms(&dir);
    let out = dir.join("c");
    refused(&["compare", &p(&a), &p(&a), "--out", &p(&out)], "are the same directory");
    refused(&["compare", &p(&a), &format!("{}/.", p(&a)), "--out", &p(&out)], "every difference would be 0");
    // A file given twice is not called a directory.
    let file = p(&a.join("replications.csv"));
    refused(&["compare", &file, &file, "--out", &p(&out)], "not a replications directory (a file, not a directory)");
    let o = tplus(&["compare", &file, &file, "--out", &p(&out)]);
    assert!(!String::from_utf8_lossy(&o.stderr).contains("same directory"), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(!out.exists(), "nothing written");
}

/// Arms given the wrong way round (the scripted change in the control),
/// or two directories of the same scenario and seeds, are compared as
/// asked, with a warning that says what the figures cannot show.
#[test]
fn swapped_or_identical_arms_are_warned_of() {
    let dir = scratch("warned");
    let (a, e) = two_arms(&dir);
    let warned = |control: &Path, treatment: &Path, out: &str, says: &str| {
        let o = ok(tplus(&["compare", &p(control), &p(treatment), "--out", &p(&dir.join(out)), "--quiet"]));
        let err = String::from_utf8_lossy(&o.stderr).into_owned();
        assert!(err.contains(says), "{err}");
        err
    };
    let right = ok(tplus(&["compare", &p(&a), &p(&e), "--out", &p(&dir.join("right")), "--quiet"]));
    assert!(!String::from_utf8_lossy(&right.stderr).contains("warning"), "{}", String::from_utf8_lossy(&right.stderr));
    warned(
        &e,
        &a,
        "swapped",
        "warning: the control has a scripted change and the treatment none: were the two swapped?",
    );
    let again = dir.join("a2");
    ok(tplus(&["run", &scenario(&dir, false), "--replications", "2", "--out", &p(&again), "--quiet"]));
    warned(&a, &again, "same", "warning: every difference is 0 in every seed: the two arms ran identically");
}

/// `tplus report` of a replications directory: report.md gives each
/// headline figure's spread over the seeds as replications.json has it,
/// links the comparison when there is one, and draws replications.svg;
/// the control's directory gets its own report.
#[test]
fn a_replications_directory_gets_a_report_of_the_spread_over_seeds() {
    let dir = scratch("report");
    let file = scenario(&dir, true);
    let out = dir.join("out");
    ok(tplus(&["run", &file, "--control", "--replications", "4", "--out", &p(&out), "--quiet"]));
    let printed = String::from_utf8_lossy(&ok(tplus(&["report", &p(&out)])).stdout).into_owned();
    let files: Vec<&str> = printed.lines().collect();
    assert_eq!(files, [p(&out.join("replications.svg")), p(&out.join("report.md"))]);
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.starts_with("# Replications report: `tiny`, 4 runs (seeds 7–10)"), "{md}");
    assert!(
        md.contains("[comparison.md](comparison.md)") && md.contains("![The key figures run by run](replications.svg)")
    );
    assert!(md.contains("With fewer than 5 runs"), "{md}");
    // The sub_success row is replications.json's figure, to four decimals.
    let doc = json(&out.join("replications.json"));
    let f = doc["figures"].as_array().unwrap().iter().find(|f| f["figure"] == "sub_success").unwrap().clone();
    let four = |k: &str| format!("{:.4}", f[k].as_f64().unwrap());
    let row = format!(
        "| `sub_success` | subscription success probability | {} | {} to {} | {} | 4 |",
        four("mean"),
        four("lo"),
        four("hi"),
        four("sd")
    );
    assert!(md.contains(&row), "{row} not in:\n{md}");
    let svg = std::fs::read_to_string(out.join("replications.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("sub_success (subscription success probability)"));
    assert_eq!(svg.matches("<circle").count(), 4 * 4, "a dot per run in each of the four panels");
    // The control's own directory: no comparison to link; with --png, a
    // PNG too, all or none.
    let control = out.join("control");
    std::fs::create_dir(control.join("replications.png")).unwrap();
    let o = tplus(&["report", "--png", &p(&control)]);
    assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(!control.join("report.md").exists() && !control.join("replications.svg").exists());
    std::fs::remove_dir(control.join("replications.png")).unwrap();
    ok(tplus(&["report", "--png", &p(&control)]));
    assert!(control.join("replications.png").is_file());
    let md = std::fs::read_to_string(control.join("report.md")).unwrap();
    assert!(md.contains("without its scripted events") && !md.contains("comparison.md"), "{md}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `tplus run --replications N --report` draws the same report as `tplus
/// report DIR` afterwards, into the finished directory, and `--json` names
/// its files.
#[test]
fn run_with_report_draws_the_replications_report() {
    let dir = scratch("run-report");
    let file = scenario(&dir, false);
    let (drawn, later) = (dir.join("drawn"), dir.join("later"));
    let o = ok(tplus(&["run", &file, "--replications", "3", "--report", "--png", "--json", "--out", &p(&drawn)]));
    let said: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let files: Vec<String> = ["replications.svg", "replications.png", "report.md"].map(|f| p(&drawn.join(f))).into();
    assert_eq!(said["report"], serde_json::json!(files));
    ok(tplus(&["run", &file, "--replications", "3", "--out", &p(&later), "--quiet"]));
    assert!(!later.join("report.md").exists(), "no report unless asked");
    ok(tplus(&["report", &p(&later)]));
    let md = |d: &Path| std::fs::read_to_string(d.join("report.md")).unwrap();
    assert_eq!(md(&drawn), md(&later), "the report drawn by run is the one `tplus report` draws");
    assert!(drawn.join("replications.png").is_file());
    let _ = std::fs::remove_dir_all(&dir);
}
