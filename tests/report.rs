//! `tplus report` end to end: a small run through the binary, then its
//! report: every plot is there, is well-formed SVG with its title, and
//! report.md shows it; bad run directories exit 2 with a clear message.

use std::path::{Path, PathBuf};

#[path = "common/bin.rs"]
mod bin;
#[path = "common/svg.rs"]
mod svg;
use bin::tplus;
use svg::{check_plot, check_png, check_xml};

fn scratch(name: &str) -> PathBuf {
    bin::scratch("report", name)
}

/// Runs `tplus run` on scenario text; returns the run directory.
fn run(dir: &Path, scenario: &str) -> PathBuf {
    let file = dir.join("scenario.toml");
    std::fs::write(&file, scenario).unwrap();
    let out = dir.join("run");
    let o = tplus(&["run".as_ref(), file.as_os_str(), "--out".as_ref(), out.as_os_str(), "--quiet".as_ref()]);
    assert!(o.status.success(), "tplus run failed: {}", String::from_utf8_lossy(&o.stderr));
    out
}

/// `tplus report DIR`: (exit code, stdout, stderr).
fn report(dir: &Path) -> (i32, String, String) {
    let o = tplus(&["report".as_ref(), dir.as_os_str()]);
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// 500 zero-intelligence customers over one business day, two products.
fn small() -> String {
    let product = |id: &str, term: u32| {
        format!(
            r#"
[[product]]
id = "{id}"
nav = 1.0
annual_yield = 0.025
tick_size = 0.0001
lot_size = 100
term_days = {term}
holding_limit_days = 3
min_credit_score = 550
redemption_penalty = 0.005
max_order_lots = 1000
primary_supply_lots = 2000
"#
        )
    };
    format!(
        r#"
[simulation]
name = "report_small"
seed = 11
start_date = 2026-01-05
days = 1
window = "15m"
min_latency = "50ms"
latency_jitter = "20ms"
{}{}
[[agents]]
family = "zero_intelligence"
count = 500
arrival = {{ process = "poisson", rate = 4.0 }}
budget = {{ dist = "lognormal", median = 20000.0, sigma = 0.6 }}
credit_score = {{ dist = "normal", mean = 640.0, sd = 60.0 }}
initial_lots = {{ dist = "uniform", min = 0.0, max = 40.0 }}

[agents.params]
cancel_prob = 0.1
order_ttl = "30m"
"#,
        product("NOTE7", 7),
        product("NOTE14", 14)
    )
}

#[test]
fn the_xml_check_catches_broken_svg() {
    assert!(check_xml("<svg a=\"1>2\"><g><text>a &amp; b</text></g><rect/></svg>\n").is_ok());
    assert!(check_xml("<?xml version=\"1.0\"?>\n<svg></svg>").is_ok());
    assert!(check_xml("<svg><g></svg>").is_err());
    assert!(check_xml("<svg></svg><svg></svg>").is_err());
    assert!(check_xml("<svg><text>a & b</text></svg>").is_err());
    assert!(check_xml("<svg>").is_err());
    assert!(check_xml("<html></html>").is_err());
}

/// Runs the report of `dir` and checks every plot that `expected` names
/// (file, title), and that report.md shows each of them.
fn check_report(dir: &Path, expected: &[(String, String)]) -> String {
    let (code, stdout, stderr) = report(dir);
    assert_eq!(code, 0, "tplus report failed: {stderr}");
    let listed: Vec<&str> = stdout.lines().collect();
    let md_path = dir.join("report.md");
    assert!(listed.iter().any(|l| Path::new(l) == md_path), "report.md not listed in {listed:?}");
    for l in &listed {
        assert!(Path::new(l).is_file(), "listed file {l} is not there");
    }
    let md = std::fs::read_to_string(&md_path).unwrap();
    for (file, title) in expected {
        assert!(listed.iter().any(|l| Path::new(l) == dir.join(file)), "{file} not listed in {listed:?}");
        check_plot(dir, file, title);
        assert!(md.contains(&format!("]({file})")), "report.md does not show {file}");
    }
    // Every listed image is shown, and every image shown is listed.
    let svgs: Vec<&str> = listed.iter().filter(|l| l.ends_with(".svg")).copied().collect();
    assert_eq!(svgs.len(), expected.len(), "unexpected plots: {svgs:?}");
    assert_eq!(md.matches("![").count(), expected.len(), "report.md:\n{md}");
    md
}

fn header(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("metrics.csv")).unwrap().lines().next().unwrap().to_string()
}

#[test]
fn a_report_draws_every_plot_of_a_run() {
    let dir = scratch("small");
    let out = run(&dir, &small());
    let rolling = header(&out).split(',').any(|c| c == "roll_sub_pearson");
    let mut expected = Vec::new();
    for p in ["NOTE7", "NOTE14"] {
        expected.push((format!("success_{p}.svg"), format!("{p}: subscription and sale success probability")));
        expected.push((format!("volume_{p}.svg"), format!("{p}: volume per 15-minute window")));
        expected.push((format!("scatter_{p}.svg"), format!("{p}: success probability against volume")));
        expected.push((format!("price_{p}.svg"), format!("{p}: price, NAV and rates")));
        if rolling {
            expected.push((format!("rolling_{p}.svg"), format!("{p}: rolling correlation of success with volume")));
        }
    }
    let md = check_report(&out, &expected);
    assert!(md.starts_with("# Run report: `report_small`, seed 11"), "{md}");
    assert!(md.contains("### NOTE7") && md.contains("### NOTE14") && md.contains("### All products"), "{md}");
    assert!(md.contains("success probability") && md.contains("fill ratio") && md.contains("Spearman ρ"), "{md}");
    // Each block's success, and its success among accepted orders, has the
    // interval over its windows beside Wilson's, on the row after it, in the
    // three blocks (two products and all of them together).
    let lines: Vec<&str> = md.lines().collect();
    for figure in ["| success probability (95% CI", "| success among accepted orders"] {
        let below: Vec<&str> = lines.windows(2).filter(|w| w[0].starts_with(figure)).map(|w| w[1]).collect();
        assert_eq!(below.len(), 3, "{figure}: {md}");
        assert!(
            below.iter().all(|l| l.starts_with("| its 95% CI allowing for alike neighbouring windows (Newey–West) |")),
            "{figure}: {below:?}"
        );
    }
    // The loan rate has no process here: the correlations with it are n/a, and say why.
    assert!(!md.contains("n/a / n/a"), "{md}");
    assert!(
        md.contains("n/a (")
            && md.contains("): the loan rate was constant (")
            && md.contains("windows that closed a buy order"),
        "{md}"
    );
    assert!(md.contains("## Events\n\nNo scripted or live events in this run."), "{md}");
    // No herding group: no optimist plot, and the report says why.
    assert!(!out.join("optimists.svg").exists());
    assert!(md.contains("optimist"), "{md}");
    // The plots have their labels and legend text.
    let success = check_plot(&out, "success_NOTE7.svg", "success probability per 15-minute window");
    assert!(success.contains("subscriptions (buy orders filled whole / closed)"));
    let scatter = check_plot(&out, "scatter_NOTE7.svg", "least-squares line");
    assert!(scatter.contains("r = ") && scatter.contains("ρ = "));
    // r with summary.json's interval that allows for serial dependence, not bare.
    assert!(scatter.contains("(95% CI ") && scatter.contains("effective n ≈ "), "no interval of r in the scatter");
    if rolling {
        // Each rolling r over its interval, the band said to allow for serial dependence.
        let rolling = check_plot(&out, "rolling_NOTE7.svg", "95% interval of r");
        assert!(rolling.contains("<polygon opacity=\"0.2\"") && rolling.contains("allow for serial dependence"));
    }
    // A second report over the same run writes the same files.
    let first = std::fs::read(out.join("report.md")).unwrap();
    let (code, _, _) = report(&out);
    assert_eq!(code, 0);
    assert_eq!(std::fs::read(out.join("report.md")).unwrap(), first);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The cells of `metrics.csv` of one product: (header, rows).
fn metrics(dir: &Path, product: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(dir.join("metrics.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
    let rows = lines.map(|l| l.split(',').map(String::from).collect::<Vec<_>>()).filter(|r| r[0] == product).collect();
    (header, rows)
}

/// A scripted loan-rate rise at 12:00 is marked with its label on every time
/// plot, and report.md compares the figures of the hour before the first
/// window it shows in with the hour from it, as recomputed here from
/// metrics.csv.
#[test]
fn events_are_marked_and_compared_before_and_after() {
    let dir = scratch("events");
    let scenario = format!("{}\n[[events]]\nat = \"day 1 12:00\"\ntarget = \"loan_rate\"\nchange = 0.015\n", small());
    let out = run(&dir, &scenario);
    // With --png, a PNG beside every SVG, listed with it.
    let o = tplus(&["report".as_ref(), out.as_os_str(), "--png".as_ref()]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "tplus report --png failed: {stderr}");
    let listed = String::from_utf8_lossy(&o.stdout).into_owned();
    let svgs: Vec<&str> = listed.lines().filter(|l| l.ends_with(".svg")).collect();
    assert!(svgs.len() >= 8, "{listed}");
    for svg in &svgs {
        let png = svg.strip_suffix(".svg").unwrap().to_string() + ".png";
        assert!(listed.lines().any(|l| l == png), "{png} not listed");
        let (w, _) = check_png(Path::new(svg));
        assert_eq!(w, 2000);
    }
    for p in ["NOTE7", "NOTE14"] {
        for plot in ["success", "volume", "price", "rolling"] {
            let file = out.join(format!("{plot}_{p}.svg"));
            if plot == "rolling" && !file.exists() {
                continue;
            }
            let svg = std::fs::read_to_string(&file).unwrap();
            assert!(svg.contains("loan rate +150 bp"), "{} has no event marker", file.display());
        }
        let scatter = std::fs::read_to_string(out.join(format!("scatter_{p}.svg"))).unwrap();
        assert!(!scatter.contains("loan rate +150 bp"), "the scatter has no time axis");
    }
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("### Event 1: loan rate +150 bp at day 1 12:00 (scripted)"), "{md}");
    // Recompute NOTE7's rows of the table: 15-minute windows, so 4 each side.
    let (header, rows) = metrics(&out, "NOTE7");
    let col = |name: &str| header.iter().position(|c| c == name).unwrap();
    let num = |r: &Vec<String>, name: &str| r[col(name)].parse::<f64>().unwrap_or(0.0);
    let i = rows.iter().position(|r| num(r, "t_start") >= 43_200.0).unwrap();
    let k = 4.min(i).min(rows.len() - i);
    assert_eq!(k, 4);
    let (before, after) = (&rows[i - k..i], &rows[i..i + k]);
    let pooled = |rs: &[Vec<String>], f: &str, c: &str| {
        rs.iter().map(|r| num(r, f)).sum::<f64>() / rs.iter().map(|r| num(r, c)).sum::<f64>()
    };
    let (b, a) = (pooled(before, "buy_filled", "buy_closed"), pooled(after, "buy_filled", "buy_closed"));
    let row = format!(
        "| NOTE7 | subscription success (filled whole / closed) | {:.1}% | {:.1}% | {:+.1} pp |",
        b * 100.0,
        a * 100.0,
        (a - b) * 100.0
    );
    assert!(md.contains(&row), "no `{row}` in\n{md}");
    let mean = |rs: &[Vec<String>], c: &str| rs.iter().map(|r| num(r, c)).sum::<f64>() / rs.len() as f64;
    let (vb, va) = (mean(before, "volume"), mean(after, "volume"));
    // As the report writes them: thousands separators from 100 on, else one decimal.
    let cell = |v: f64, sign: bool| {
        if v.abs() < 100.0 {
            return if sign { format!("{v:+.1}") } else { format!("{v:.1}") };
        }
        let digits = format!("{:.0}", v.abs());
        let mut grouped = String::new();
        for (n, c) in digits.chars().enumerate() {
            if n > 0 && (digits.len() - n) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(c);
        }
        match (v < 0.0, sign) {
            (true, _) => format!("-{grouped}"),
            (false, true) => format!("+{grouped}"),
            (false, false) => grouped,
        }
    };
    let row = format!(
        "| NOTE7 | volume (lots per window) | {} | {} | {} |",
        cell(vb, false),
        cell(va, false),
        cell(va - vb, true)
    );
    assert!(md.contains(&row), "no `{row}` in\n{md}");
    assert!(md.contains("| NOTE7 | loan rate (mean) |") && md.contains("| +150 bp |"), "{md}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_herding_run_gets_the_optimist_plot() {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/herding.toml")).unwrap();
    assert!(text.contains("days = 5 "), "herding.toml no longer has `days = 5 `");
    let dir = scratch("herding");
    let out = run(&dir, &text.replacen("days = 5 ", "days = 1 ", 1));
    let rolling = header(&out).split(',').any(|c| c == "roll_sub_pearson");
    let mut expected = vec![
        ("success_NOTE7.svg".to_string(), "NOTE7: subscription and sale success probability".to_string()),
        ("volume_NOTE7.svg".into(), "NOTE7: volume per 5-minute window".into()),
        ("scatter_NOTE7.svg".into(), "NOTE7: success probability against volume".into()),
        ("price_NOTE7.svg".into(), "NOTE7: price, NAV and rates".into()),
        ("optimists.svg".into(), "Herd followers: share of optimists".into()),
    ];
    if rolling {
        expected.push(("rolling_NOTE7.svg".into(), "NOTE7: rolling correlation of success with volume".into()));
    }
    let md = check_report(&out, &expected);
    assert!(md.contains("### Market-wide"), "{md}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Three days of the small market, at 1 and 2 threads: each correlation of
/// `summary.json` carries its serial-dependence figures, block bootstrap and
/// deseasonalised r, byte-identical at both thread counts; `report.md` leads
/// each block with what the correlation is worth, and gives the success
/// among accepted orders.
#[test]
fn the_report_leads_with_what_the_correlations_are_worth() {
    let dir = scratch("honest");
    let scenario = small().replacen("days = 1", "days = 3", 1);
    assert!(scenario.contains("days = 3"));
    let file = dir.join("scenario.toml");
    std::fs::write(&file, &scenario).unwrap();
    let mut summaries = Vec::new();
    for threads in ["1", "2"] {
        let out = dir.join(format!("run{threads}"));
        let args: [&std::ffi::OsStr; 7] = [
            "run".as_ref(),
            file.as_os_str(),
            "--out".as_ref(),
            out.as_os_str(),
            "--threads".as_ref(),
            threads.as_ref(),
            "--quiet".as_ref(),
        ];
        let o = tplus(&args);
        assert!(o.status.success(), "tplus run failed: {}", String::from_utf8_lossy(&o.stderr));
        summaries.push(std::fs::read_to_string(out.join("summary.json")).unwrap());
    }
    assert_eq!(summaries[0], summaries[1], "summary.json differs between 1 and 2 threads");
    let s: serde_json::Value = serde_json::from_str(&summaries[0]).unwrap();
    let windows = s["windows"].as_u64().unwrap();
    assert_eq!(windows % 3, 0);
    for block in s["products"].as_array().unwrap().iter().chain([&s["all"]]) {
        let c = &block["correlation"]["subscription_success_vs_volume"];
        let n = c["windows"].as_f64().unwrap();
        let serial = &c["serial_dependence"];
        let n_eff = serial["effective_windows"].as_f64().unwrap();
        assert!((3.0..=n).contains(&n_eff), "{c}");
        assert_eq!(serial["lags"].as_f64().unwrap(), (n / 5.0).floor(), "{c}");
        assert!(serial["pearson_ci_95"].as_array().is_some_and(|ci| ci.len() == 2), "{c}");
        assert_eq!(c["block_bootstrap"]["block"], 12, "{c}");
        assert_eq!(c["deseasonalised"]["slots"].as_u64().unwrap(), windows / 3, "{c}");
        let subs = &block["subscriptions"];
        let (closed, rejected) = (subs["closed"].as_u64().unwrap(), subs["rejected"].as_u64().unwrap());
        assert_eq!(subs["accepted"].as_u64().unwrap(), closed - rejected);
    }
    let out = dir.join("run1");
    let (code, _, stderr) = report(&out);
    assert_eq!(code, 0, "tplus report failed: {stderr}");
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    for section in md.split("\n### ").skip(1).filter(|s| !s.starts_with("Market-wide")).take(3) {
        let lead = section.find("- **Subscription success vs volume:** r = ");
        let table = section.find("| figure |");
        assert!(lead.is_some() && lead < table, "no lead sentence before the table:\n{section}");
        assert!(section.contains("effective n ≈ ") && section.contains("block-bootstrap 95% interval"), "{section}");
        assert!(section.contains("success among accepted orders"), "{section}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_missing_run_directory_exits_2_with_a_clear_message() {
    let (code, stdout, stderr) = report(Path::new("/nonexistent"));
    assert_eq!(code, 2, "stderr: {stderr}");
    assert!(stdout.is_empty());
    assert!(stderr.contains("/nonexistent") && stderr.contains("no such directory"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn missing_and_garbled_files_exit_2_naming_the_file() {
    let dir = scratch("garbled");
    let (code, _, stderr) = report(&dir);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("neither a run directory"), "{stderr}");
    // A run cut short (its manifest there, no metrics): the file is named.
    std::fs::write(dir.join("manifest.json"), "{}").unwrap();
    let (code, _, stderr) = report(&dir);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("metrics.csv: missing"), "{stderr}");
    std::fs::remove_file(dir.join("manifest.json")).unwrap();

    let header = "product,window,day,date,t_start,t_end,sub_success,sale_success,volume";
    std::fs::write(dir.join("metrics.csv"), format!("{header}\nNOTE7,0,0,2026-01-05,34200,35100,0.5,1,12\n")).unwrap();
    let (code, _, stderr) = report(&dir);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("summary.json: missing"), "{stderr}");

    std::fs::write(dir.join("summary.json"), "{\"products\": [").unwrap();
    let (code, _, stderr) = report(&dir);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("summary.json") && stderr.contains("JSON"), "{stderr}");

    std::fs::write(dir.join("summary.json"), "{}").unwrap();
    std::fs::write(dir.join("metrics.csv"), format!("{header}\nNOTE7,0,0,2026-01-05,34200,35100,half,1,12\n")).unwrap();
    let (code, _, stderr) = report(&dir);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("metrics.csv") && stderr.contains("line 2") && stderr.contains("sub_success"), "{stderr}");

    std::fs::write(dir.join("metrics.csv"), "product,window\nNOTE7,0\n").unwrap();
    let (code, _, stderr) = report(&dir);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("lacks the column"), "{stderr}");

    let file = dir.join("metrics.csv");
    let (code, _, stderr) = report(&file);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("not a directory"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `tplus run --report --png` writes a PNG beside every SVG, as `tplus
/// report --png` does, and lists them; `--png` without `--report` is
/// refused (exit 2) before anything runs.
#[test]
fn run_report_png_writes_png_beside_every_svg() {
    let dir = scratch("run_png");
    let file = dir.join("scenario.toml");
    std::fs::write(&file, small()).unwrap();
    let out = dir.join("run");
    let o = tplus(&[
        "run".as_ref(),
        file.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--report".as_ref(),
        "--png".as_ref(),
    ]);
    assert!(o.status.success(), "tplus run --report --png failed: {}", String::from_utf8_lossy(&o.stderr));
    let listed = String::from_utf8_lossy(&o.stdout).into_owned();
    let svgs: Vec<&str> = listed.lines().filter(|l| l.ends_with(".svg")).collect();
    assert!(svgs.len() >= 8, "{listed}");
    for svg in &svgs {
        let png = svg.strip_suffix(".svg").unwrap().to_string() + ".png";
        assert!(listed.lines().any(|l| l == png), "{png} not listed:\n{listed}");
        assert_eq!(check_png(Path::new(svg)).0, 2000);
    }
    let alone = dir.join("alone");
    let o = tplus(&["run".as_ref(), file.as_os_str(), "--out".as_ref(), alone.as_os_str(), "--png".as_ref()]);
    assert_eq!(o.status.code(), Some(2), "--png without --report");
    assert!(String::from_utf8_lossy(&o.stderr).contains("--report"), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(!alone.exists(), "nothing runs");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `manifest.json` as `tplus run` writes it reads back through the
/// writer's own type (`results::manifest::RunManifest`): the seed, the
/// counts, and the scenario's name, K and events as the scenario gives them.
#[test]
fn the_manifest_reads_back_through_the_writers_type() {
    use tplus::results::manifest::RunManifest;
    let dir = scratch("manifest");
    let text = format!("{}\n[[events]]\nat = \"day 1 12:00\"\ntarget = \"loan_rate\"\nchange = 0.015\n", small());
    let out = run(&dir, &text);
    let m: RunManifest = serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    let s = tplus::scenario::load(dir.join("scenario.toml"), &tplus::agents::Registry::builtin()).unwrap();
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(m.tool, "tplus");
    assert_eq!(m.version.as_deref(), Some(tplus::results::VERSION));
    assert!(tplus::results::VERSION.starts_with(env!("CARGO_PKG_VERSION")));
    assert_eq!(m.seed, summary["seed"].as_u64());
    assert!(m.counts.orders > 0 && m.counts.trades > 0 && m.counts.trades <= m.counts.orders, "{:?}", m.counts);
    assert!(m.files.iter().any(|f| f == "metrics.csv"), "{:?}", m.files);
    assert_eq!(m.scenario.simulation.name.as_deref(), Some(s.simulation.name.as_str()));
    assert_eq!(m.scenario.metrics.rolling_windows, Some(s.metrics.rolling_windows as u64));
    assert_eq!(m.scenario.events.len(), s.events.len());
    for (read, written) in m.scenario.events.iter().zip(&s.events) {
        let w = serde_json::to_value(written).unwrap();
        assert_eq!(Some(read.at.as_str()), w["at"].as_str());
        assert_eq!(read.target, written.target.name());
        assert_eq!((read.change, read.value), (written.change, written.value));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A run directory holding files of two runs (a summary kept from an
/// earlier run of another seed) is refused, exit 2, naming what disagrees,
/// and nothing is drawn.
#[test]
fn a_directory_mixing_two_runs_is_refused() {
    let dir = scratch("mixed");
    let first = run(&dir, &small());
    let other = dir.join("other");
    std::fs::create_dir_all(&other).unwrap();
    let second = run(&other, &small().replace("seed = 11", "seed = 99"));
    std::fs::copy(second.join("summary.json"), first.join("summary.json")).unwrap();
    let (code, _, stderr) = report(&first);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("not from one run") && stderr.contains("seed 99"), "{stderr}");
    assert!(!first.join("report.md").exists());
    // The second run's own files agree.
    let (code, _, stderr) = report(&second);
    assert_eq!(code, 0, "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A report that cannot be written whole writes none of its files: a
/// directory in the place of one plot used to leave the plots drawn before
/// it, and no report.md.
#[test]
fn a_report_that_fails_leaves_none_of_its_files() {
    let dir = scratch("all-or-none");
    let out = run(&dir, &small());
    let before: std::collections::BTreeSet<_> =
        std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name()).collect();
    // One plot's name taken by a directory, once the report is drawn.
    let (code, _, stderr) = report(&out);
    assert_eq!(code, 0, "{stderr}");
    let drawn: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".svg"))
        .collect();
    assert!(drawn.len() > 3, "{drawn:?}");
    for name in drawn.iter().chain([&"report.md".to_string()]) {
        std::fs::remove_file(out.join(name)).unwrap();
    }
    let blocked = drawn.iter().max().unwrap();
    std::fs::create_dir(out.join(blocked)).unwrap();
    let (code, _, stderr) = report(&out);
    assert_ne!(code, 0, "{stderr}");
    assert!(stderr.contains(blocked.as_str()) && stderr.contains("a directory has the file's name"), "{stderr}");
    let after: std::collections::BTreeSet<_> =
        std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name()).filter(|n| *n != **blocked).collect();
    assert_eq!(after, before, "the failed report left files");
    std::fs::remove_dir_all(&dir).unwrap();
}
