//! A run's needs are estimated before it starts and checked against what it
//! used (issue 14, finding 4): the estimate `tplus check` prints is within a
//! factor of 1.5 of the measured peak RSS on the bench scenarios, and a
//! scenario that would not fit in memory is refused by `check` and `run`
//! before anything is allocated or written, with the estimate and the limit
//! in the message.

use std::path::Path;
use std::time::Instant;

#[path = "common/bin.rs"]
mod bin;
use bin::tplus;

/// Runs `scenario` and returns (estimated, measured) peak bytes from its manifest.
fn estimated_and_measured(scenario: &str) -> (f64, f64) {
    let dir = bin::scratch("footprint", Path::new(scenario).file_stem().unwrap().to_str().unwrap());
    let out = dir.join("run");
    let o = tplus(&["run".as_ref(), scenario.as_ref(), "--out".as_ref(), out.as_os_str(), "--quiet".as_ref()]);
    assert!(o.status.success(), "{scenario}: {}", String::from_utf8_lossy(&o.stderr));
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    let memory = &manifest["memory"];
    let pair = (memory["estimated_peak_bytes"].as_f64().unwrap(), memory["process_peak_rss_bytes"].as_f64().unwrap());
    let _ = std::fs::remove_dir_all(&dir);
    pair
}

#[test]
#[cfg(target_os = "linux")]
fn the_estimate_is_within_a_factor_of_one_and_a_half_of_the_measured_peak() {
    let mut report = Vec::new();
    for scenario in [
        "scenarios/baseline.toml",
        "scenarios/bench/reference_market.toml",
        "scenarios/bench/reference_market_x10.toml",
        "scenarios/bench/scale_100k.toml",
        "scenarios/bench/scale_1m.toml",
    ] {
        let (estimated, measured) = estimated_and_measured(scenario);
        let ratio = estimated / measured;
        report.push(format!("{scenario}: estimated {estimated:.0}, measured {measured:.0}, ratio {ratio:.2}"));
        assert!((1.0 / 1.5..=1.5).contains(&ratio), "{}", report.join("\n"));
    }
    eprintln!("{}", report.join("\n"));
}

/// A scenario file built from baseline with `edits` applied.
fn bomb(name: &str, edits: &[(&str, &str)]) -> std::path::PathBuf {
    let mut text = std::fs::read_to_string("scenarios/baseline.toml").unwrap();
    for (from, to) in edits {
        assert!(text.contains(from), "{from}");
        text = text.replacen(from, to, 1);
    }
    let dir = bin::scratch("footprint", name);
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(&path, text).unwrap();
    path
}

/// `n` copies of baseline's product, with ids P0, P1, ….
fn products(n: usize) -> String {
    let text = std::fs::read_to_string("scenarios/baseline.toml").unwrap();
    let start = text.find("[[product]]").unwrap();
    let end = text.find("[macro]").unwrap();
    (0..n).map(|i| text[start..end].replace("id = \"NOTE7\"", &format!("id = \"P{i}\""))).collect()
}

/// `check` and `run` both refuse `path` with exit 2, at once, naming the
/// estimate and the limit, and `run` writes nothing.
fn refused(path: &Path, extra: &[&str], says: &str) {
    for command in ["check", "run"] {
        let out_dir = path.with_extension("out");
        let mut args: Vec<&std::ffi::OsStr> = vec![command.as_ref(), path.as_os_str()];
        if command == "run" {
            args.extend(["--out".as_ref(), out_dir.as_os_str()]);
        }
        args.extend(extra.iter().map(std::ffi::OsStr::new));
        let started = Instant::now();
        let o = tplus(&args);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{command} {}: {stderr}", path.display());
        assert!(started.elapsed().as_secs() < 20, "{command} took {:?} to refuse", started.elapsed());
        assert!(stderr.contains("would need about") && stderr.contains(says), "{stderr}");
        assert!(stderr.contains("accepted: "), "{stderr}");
        assert!(!out_dir.exists(), "{command} wrote {}", out_dir.display());
        let stdout = String::from_utf8_lossy(&o.stdout);
        assert!(!stdout.contains(": ok"), "{command} said ok and refused: {stdout}");
    }
}

#[test]
fn scenarios_that_cannot_fit_are_refused_before_allocating() {
    // 1,000 products × 1 M agents: holdings alone are 32 GB.
    let many = format!("{}[macro]", products(1000));
    let path = bomb("products", &[("count = 4000\n", "count = 1000000\n")]);
    let text = std::fs::read_to_string(&path).unwrap();
    let start = text.find("[[product]]").unwrap();
    let end = text.find("[macro]").unwrap();
    std::fs::write(&path, format!("{}{many}{}", &text[..start], &text[end + "[macro]".len()..])).unwrap();
    refused(&path, &[], "holdings");
    // One-second returns over 10,000 days of 100 products: a 316 GB grid.
    let hundred = format!("{}[macro]", products(100));
    let path = bomb("grid", &[("days = 5 ", "days = 10000 ")]);
    let text = std::fs::read_to_string(&path).unwrap();
    let start = text.find("[[product]]").unwrap();
    let end = text.find("[macro]").unwrap();
    let text = format!("{}{hundred}{}", &text[..start], &text[end + "[macro]".len()..]);
    let text = text.replace("window = \"5m\"", "window = \"1h\"");
    std::fs::write(&path, format!("{text}\n[metrics]\nreturn_step = \"1s\"\n")).unwrap();
    refused(&path, &[], "price grid");
}

#[test]
fn max_memory_sets_the_limit() {
    let path = bomb("limit", &[]);
    refused(&path, &["--max-memory", "4M"], "more than --max-memory (4 MiB)");
    let o = tplus(&["check".as_ref(), path.as_os_str(), "--max-memory".as_ref(), "lots".as_ref()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("accepted: a number of bytes"));
    let o = tplus(&["check".as_ref(), path.as_os_str(), "--max-memory".as_ref(), "1G".as_ref()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("needs     about") && stdout.contains("(limit 1.0 GiB: --max-memory)"), "{stdout}");
}

#[test]
fn large_output_is_warned_of() {
    let path = bomb("output", &[("days = 5 ", "days = 200 ")]);
    let o = tplus(&["check".as_ref(), path.as_os_str()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("warning   the output may exceed 1.0 GiB"), "{stdout}");
}

/// A sweep's runs at once share one process: its own 13 MiB (binary,
/// stacks, buffers) counts once, the rest once per run. Counted per run, a
/// 2-job sweep of the reference market was estimated at 27 MiB against a
/// measured 14 MB.
#[test]
fn a_sweep_whose_largest_point_would_not_fit_is_refused() {
    let o = tplus(&["sweep".as_ref(), "scenarios/sweeps/ci.toml".as_ref(), "--check".as_ref()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // Every point of ci.toml has the footprint of its base scenario.
    let (one, _) = estimated_and_measured("scenarios/bench/reference_market.toml");
    // And the sweep holds its 12 rows for its final sorted write.
    let columns = tplus::batch::csv::columns_for(["macro.loan_rate.value", "agents[3].params.buy_prob"]).len();
    let two = 2 * one as u64 - (13 << 20) + tplus::batch::held_bytes(columns, 12);
    let check = |jobs: &str, limit: u64| {
        let limit = limit.to_string();
        let args = ["sweep", "scenarios/sweeps/ci.toml", "--check", "--jobs", jobs, "--max-memory", &limit];
        tplus(&args.map(std::ffi::OsStr::new))
    };
    let o = check("2", two - 1);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("(2 runs at once)") && stderr.contains("more than --max-memory ("), "{stderr}");
    assert!(stderr.contains("or fewer runs at once (--jobs)"), "{stderr}");
    assert!(check("1", two - 1).status.success(), "one run at once fits");
    let o = check("2", two);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let said = String::from_utf8_lossy(&o.stdout);
    assert!(said.contains("of memory at its peak (the largest point, 2 runs at once, and the rows)"), "{said}");

    // One point with two seeds runs two at once as well: the workers take
    // (point, replication) pairs, not points.
    let dir = bin::scratch("footprint", "one_point");
    let base = std::fs::canonicalize("scenarios/bench/reference_market.toml").unwrap();
    let one_point = dir.join("one_point.toml");
    std::fs::write(
        &one_point,
        format!(
            "[sweep]\nname = \"one_point\"\nscenario = {:?}\nseed = 11\nreplications = 2\ndesign = \"grid\"\n\n\
             [[param]]\npath = \"macro.loan_rate.value\"\nvalues = [0.02]\n",
            base.display().to_string()
        ),
    )
    .unwrap();
    let columns = tplus::batch::csv::columns_for(["macro.loan_rate.value"]).len();
    let limit = (2 * one as u64 - (13 << 20) + tplus::batch::held_bytes(columns, 2) - 1).to_string();
    let args = ["sweep".as_ref(), one_point.as_os_str(), "--check".as_ref(), "--jobs".as_ref(), "2".as_ref()];
    let o = tplus(&[&args[..], &["--max-memory".as_ref(), limit.as_ref()]].concat());
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("(2 runs at once)"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}
