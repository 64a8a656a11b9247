//! End-to-end runs of the `tplus` binary: the files a run writes, their
//! consistency with each other, T+1 and the holding limit seen in the log, and
//! byte-identical results whatever the thread count.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// `text` with each `(from, to)` replaced, asserting every `from` was there.
fn edit(text: &str, edits: &[(&str, &str)]) -> String {
    let mut out = text.to_string();
    for (from, to) in edits {
        assert!(out.contains(from), "scenario text has no `{from}`");
        out = out.replacen(from, to, 1);
    }
    out
}

fn scratch(name: &str) -> PathBuf {
    let dir =
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("tplus-run-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `scratch` for a sub-directory that may not exist yet.
fn ensure(dir: &Path) -> &Path {
    std::fs::create_dir_all(dir).unwrap();
    dir
}

/// Runs `tplus run` on scenario text; returns the run directory.
fn run(dir: &Path, scenario: &str, args: &[&str]) -> PathBuf {
    let file = dir.join("scenario.toml");
    std::fs::write(&file, scenario).unwrap();
    let out = dir.join(format!("out{}", args.join("").replace(['-', ' '], "")));
    let status = Command::new(env!("CARGO_BIN_EXE_tplus"))
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .arg("--quiet")
        .args(args)
        .output()
        .unwrap();
    assert!(status.status.success(), "tplus run failed: {}", String::from_utf8_lossy(&status.stderr));
    out
}

fn read(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn json(dir: &Path, file: &str) -> serde_json::Value {
    serde_json::from_str(&read(dir, file)).unwrap()
}

/// Rows of a CSV file as maps from column name to cell.
fn csv(dir: &Path, file: &str) -> Vec<HashMap<String, String>> {
    let text = read(dir, file);
    let mut lines = text.lines();
    let header: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
    lines.map(|l| header.iter().cloned().zip(l.split(',').map(String::from)).collect()).collect()
}

fn num(row: &HashMap<String, String>, col: &str) -> f64 {
    row[col].parse().unwrap_or_else(|_| panic!("{col} = `{}`", row[col]))
}

/// A small, quick market of zero-intelligence customers: 2,000 of them over
/// 4 business days. Its own text, so the bundled scenarios may change freely.
fn small() -> String {
    r#"
[simulation]
name = "small"
seed = 42
start_date = 2026-01-05
days = 4
window = "5m"
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
primary_supply_lots = 4000

[[agents]]
family = "zero_intelligence"
count = 2000
arrival = { process = "poisson", rate = 4.0 }
budget = { dist = "lognormal", median = 20000.0, sigma = 0.6 }
credit_score = { dist = "normal", mean = 640.0, sd = 60.0 }
initial_lots = { dist = "uniform", min = 0.0, max = 40.0 }

[agents.params]
cancel_prob = 0.1
order_ttl = "30m"
"#
    .to_string()
}

/// Every bundled scenario (not the benchmark ones), by file name.
fn bundled() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut out: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap()))
        .collect();
    out.sort();
    out
}

#[test]
fn a_run_writes_consistent_files() {
    let dir = scratch("files");
    let out = run(&dir, &small(), &["--threads", "2"]);
    let names: Vec<String> =
        std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    for f in ["metrics.csv", "summary.json", "trades.csv", "manifest.json"] {
        assert!(names.contains(&f.to_string()), "{f} missing from {names:?}");
    }
    assert!(names.iter().all(|n| !n.ends_with(".partial")), "temporary files left: {names:?}");

    let metrics = csv(&out, "metrics.csv");
    let header = read(&out, "metrics.csv").lines().next().unwrap().to_string();
    assert!(header.starts_with(
        "product,window,day,date,t_start,t_end,buy_closed,buy_filled,sub_success,sell_closed,sell_filled,sale_success,volume,last_price,loan_rate"
    ));
    assert_eq!(metrics.len(), 4 * 66, "4 days of 66 five-minute windows");
    let trades = csv(&out, "trades.csv");
    let summary = json(&out, "summary.json");
    let manifest = json(&out, "manifest.json");

    // Volume agrees across the three files.
    let traded: f64 = trades.iter().map(|t| num(t, "lots")).sum();
    let windowed: f64 = metrics.iter().map(|m| num(m, "volume")).sum();
    assert_eq!(traded, windowed);
    assert_eq!(summary["all"]["volume"].as_f64().unwrap(), traded);
    assert_eq!(manifest["counts"]["trades"].as_u64().unwrap() as usize, trades.len());

    // Success is filled / closed, empty when nothing closed.
    for m in &metrics {
        let (closed, filled) = (num(m, "buy_closed"), num(m, "buy_filled"));
        if closed == 0.0 {
            assert_eq!(m["sub_success"], "");
        } else {
            assert!((num(m, "sub_success") - filled / closed).abs() < 1e-12);
        }
        assert!(num(m, "t_end") > num(m, "t_start"));
    }
    // Every customer order closes by the end of its day: submitted orders plus
    // failed-sale redemptions are exactly the closed ones.
    let all = &summary["all"];
    let closed = all["subscriptions"]["closed"].as_u64().unwrap() + all["sales"]["closed"].as_u64().unwrap();
    let redeemed: f64 = metrics.iter().map(|m| num(m, "redeemed_failed")).sum();
    assert_eq!(closed, all["orders"]["submitted"].as_u64().unwrap() + redeemed as u64);
    assert!(redeemed > 0.0, "the holding limit should force some redemptions");

    assert_eq!(manifest["cash_conserved"], true);
    assert_eq!(manifest["accounts_non_negative"], true);
    assert_eq!(manifest["threads"], 2);
    assert_eq!(manifest["scenario"]["simulation"]["name"], "small");
    // Correlations are reported with the number of windows they used.
    let c = &all["correlation"]["subscription_success_vs_volume"];
    assert!(c["windows"].as_u64().unwrap() > 100);
    assert!(c["pearson"].as_f64().unwrap().abs() <= 1.0);
    assert!(c["spearman"].as_f64().unwrap().abs() <= 1.0);
}

#[test]
fn the_log_shows_t_plus_1_and_the_holding_limit() {
    let dir = scratch("tplus1");
    let scenario = edit(
        &small(),
        &[
            (
                "initial_lots = { dist = \"uniform\", min = 0.0, max = 40.0 }",
                "initial_lots = { dist = \"fixed\", value = 0.0 }",
            ),
            ("holding_limit_days = 3", "holding_limit_days = 1"),
        ],
    );
    let out = run(&dir, &scenario, &["--log"]);
    let events = csv(&out, "events.csv");
    let manifest = json(&out, "manifest.json");
    let day_of = |t: f64| (t / 86_400.0).floor() as i64; // 2026-01-05 is a Monday: four straight business days
    // Per customer, lots bought per calendar day; sells may only use earlier days' lots.
    let mut bought: HashMap<String, HashMap<i64, i64>> = HashMap::new();
    let mut sold: HashMap<String, i64> = HashMap::new();
    let mut redeemed: HashMap<String, i64> = HashMap::new();
    let (mut sales, mut redemptions) = (0, 0);
    for e in &events {
        let agent = e["agent"].clone();
        let day = day_of(num(e, "time"));
        match (e["op"].as_str(), e["side"].as_str()) {
            ("traded", "buy") if agent != "0" => {
                *bought.entry(agent).or_default().entry(day).or_default() += num(e, "lots") as i64;
            }
            ("traded", "sell") if agent != "0" => {
                let before: i64 =
                    bought.get(&agent).map_or(0, |b| b.iter().filter(|(d, _)| **d < day).map(|(_, l)| l).sum());
                let gone = sold.get(&agent).copied().unwrap_or(0) + redeemed.get(&agent).copied().unwrap_or(0);
                let lots = num(e, "lots") as i64;
                assert!(
                    gone + lots <= before,
                    "agent {agent} sold {lots} lots on day {day} with only {} bought before it",
                    before - gone
                );
                *sold.entry(agent).or_default() += lots;
                sales += 1;
            }
            ("redeemed_at_limit", _) => {
                // Held since the day before at the latest: nothing bought today is redeemed.
                let lots = num(e, "lots") as i64;
                let old: i64 = bought[&agent].iter().filter(|(d, _)| **d < day).map(|(_, l)| l).sum();
                let gone = sold.get(&agent).copied().unwrap_or(0) + redeemed.get(&agent).copied().unwrap_or(0);
                assert!(gone + lots <= old, "agent {agent} redeemed {lots} lots on day {day} that were not old enough");
                *redeemed.entry(agent).or_default() += lots;
                redemptions += 1;
            }
            _ => {}
        }
    }
    assert!(sales > 100, "expected secondary sales, saw {sales}");
    assert!(redemptions > 0, "expected redemptions at the holding limit");
    let ops: Vec<&str> = events.iter().map(|e| e["op"].as_str()).collect();
    for op in ["submitted", "accepted", "rejected", "traded", "filled", "cancelled", "expired", "unfilled"] {
        assert!(ops.contains(&op), "no `{op}` in the log");
    }
    assert_eq!(manifest["cash_conserved"], true);
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let dir = scratch("threads");
    // A one-minute lookahead puts hundreds of agents in each decision batch,
    // so the parallel path really runs.
    let scenario = edit(
        &small(),
        &[
            ("min_latency = \"50ms\"", "min_latency = \"1m\""),
            ("days = 4", "days = 2"),
            ("count = 2000", "count = 6000"),
        ],
    );
    let runs: Vec<PathBuf> = ["1", "2", "4"].iter().map(|t| run(&dir, &scenario, &["--threads", t])).collect();
    let largest = json(&runs[0], "manifest.json")["counts"]["largest_batch"].as_u64().unwrap();
    assert!(largest >= 256, "batches of {largest} never reach the parallel path");
    for file in ["metrics.csv", "summary.json", "trades.csv"] {
        let first = std::fs::read(runs[0].join(file)).unwrap();
        for other in &runs[1..] {
            assert!(first == std::fs::read(other.join(file)).unwrap(), "{file} differs between thread counts");
        }
    }
    // And the seed matters.
    let reseeded = run(&dir, &scenario, &["--seed", "7"]);
    assert_ne!(read(&runs[0], "trades.csv"), read(&reseeded, "trades.csv"));
}

/// Every bundled scenario, as shipped, gives byte-identical results on 1, 2
/// and 4 threads.
#[test]
fn every_bundled_scenario_is_deterministic_across_thread_counts() {
    let dir = scratch("bundled");
    for (name, text) in bundled() {
        let runs: Vec<PathBuf> =
            ["1", "2", "4"].iter().map(|t| run(ensure(&dir.join(&name)), &text, &["--threads", t])).collect();
        for file in ["metrics.csv", "summary.json", "trades.csv", "risk.csv", "credit_fit.csv"] {
            if file == "credit_fit.csv" && !text.contains("[credit.fit]") {
                assert!(!runs[0].join(file).exists(), "{name}: credit_fit.csv without [credit.fit]");
                continue;
            }
            let first = std::fs::read(runs[0].join(file)).unwrap();
            assert!(!first.is_empty());
            for other in &runs[1..] {
                assert!(
                    first == std::fs::read(other.join(file)).unwrap(),
                    "{name}: {file} differs between thread counts"
                );
            }
        }
    }
}

/// The manifest records each group's parameters as the run used them:
/// those the scenario gives, and every other at its default; a scenario
/// that writes them all out runs the same market.
#[test]
fn the_manifest_records_every_parameter_the_run_used() {
    let dir = scratch("params");
    let given_dir = dir.join("given");
    let out = run(ensure(&given_dir), &small(), &[]);
    let manifest = json(&out, "manifest.json");
    let params = manifest["scenario"]["agents"][0]["params"].as_object().unwrap().clone();
    let registry = tplus::agents::Registry::builtin();
    let defaults = registry.get("zero_intelligence").unwrap().defaults();
    let mut names: Vec<&String> = params.keys().collect();
    names.sort();
    assert_eq!(names, defaults.keys().collect::<Vec<_>>());
    assert_eq!(params["cancel_prob"], 0.1, "a given value is kept");
    assert_eq!(params["order_ttl"], "30m");
    assert_eq!(params["buy_prob"].as_f64(), defaults["buy_prob"].as_float(), "a default is filled in");

    let written: String = params
        .iter()
        .map(|(k, v)| match v {
            serde_json::Value::String(s) => format!("{k} = \"{s}\"\n"),
            v => format!("{k} = {v}\n"),
        })
        .collect();
    let given = "[agents.params]\ncancel_prob = 0.1\norder_ttl = \"30m\"\n";
    assert!(small().ends_with(given));
    let full = small().replace(given, &format!("[agents.params]\n{written}"));
    let full_dir = dir.join("full");
    let again = run(ensure(&full_dir), &full, &[]);
    assert_eq!(read(&again, "trades.csv"), read(&out, "trades.csv"));
    assert_eq!(json(&again, "manifest.json")["scenario"]["agents"], manifest["scenario"]["agents"]);
}
