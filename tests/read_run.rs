//! A finished run's directory read back ([`RunFiles::read`], what Python's
//! `tplus.read_run` stands on): the files a run wrote, byte for byte, in its
//! manifest's order with the manifest last, and a clear refusal of a
//! directory that is not one whole run.

#[path = "common/bin.rs"]
mod bin;

use std::ffi::OsStr;
use std::fs;
use std::path::Path;

use tplus::engine::{self, RunOptions};
use tplus::results::read::ReadRunError;
use tplus::results::{RunFiles, RunWriter};

/// A one-day run of baseline.toml written to `dir`.
fn write_run(dir: &Path) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml");
    let text = fs::read_to_string(&path).unwrap().replace("days = 5 ", "days = 1 ");
    let scenario = tplus::scenario::parse(&path, &text, &tplus::agents::Registry::builtin()).unwrap();
    let mut writer = RunWriter::create(dir, &scenario, false).unwrap();
    let outcome = engine::run(&scenario, &RunOptions::default(), &mut writer).unwrap();
    writer.finish(dir, &scenario, &outcome, 1).unwrap();
}

fn manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&fs::read(dir.join("manifest.json")).unwrap()).unwrap()
}

#[test]
fn a_run_reads_back_as_it_was_written() {
    let dir = bin::scratch("read_run", "whole");
    write_run(&dir);
    // A report's files beside the run's are left alone.
    fs::write(dir.join("report.md"), "# notes").unwrap();
    let (files, m) = RunFiles::read(&dir).unwrap();
    let listed: Vec<String> = serde_json::from_value(manifest(&dir)["files"].clone()).unwrap();
    let names: Vec<&str> = files.files.iter().map(|(n, _)| n.as_str()).collect();
    let mut want: Vec<&str> = listed.iter().map(String::as_str).collect();
    want.push("manifest.json");
    assert_eq!(names, want);
    for (name, bytes) in &files.files {
        assert_eq!(bytes, &fs::read(dir.join(name)).unwrap(), "{name}");
    }
    assert_eq!(m.seed, Some(42));
    assert!(files.summary.windows > 0);

    // What the binary wrote reads back as well.
    let cli = bin::scratch("read_run", "cli");
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml");
    let args = ["run", file.to_str().unwrap(), "--seed", "5", "--quiet", "--out", cli.to_str().unwrap()];
    let out = bin::tplus(&args.map(OsStr::new));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (files, m) = RunFiles::read(&cli).unwrap();
    assert_eq!((m.seed, files.files.last().map(|f| f.0.as_str())), (Some(5), Some("manifest.json")));
    assert!(files.get("trades.csv").is_some_and(|t| t == fs::read(cli.join("trades.csv")).unwrap()));
    let _ = fs::remove_dir_all(&dir);
    let _ = fs::remove_dir_all(&cli);
}

#[test]
fn what_is_not_one_whole_run_is_refused_and_says_why() {
    let dir = bin::scratch("read_run", "refused");
    let says = |at: &Path, words: &[&str]| {
        let e = RunFiles::read(at).unwrap_err().to_string();
        for w in words {
            assert!(e.contains(w), "`{w}` not in: {e}");
        }
    };
    // Not a run's directory at all.
    says(&dir.join("nowhere"), &["nowhere: does not exist"]);
    fs::write(dir.join("a_file"), "x").unwrap();
    says(&dir.join("a_file"), &["is a file, not a directory"]);
    let e = RunFiles::read(&dir).unwrap_err();
    assert!(matches!(e, ReadRunError::NotARun { .. }), "{e}");
    assert!(e.to_string().contains("holds no manifest.json") && e.to_string().contains("cut short"), "{e}");
    fs::write(dir.join("replications.json"), "{}").unwrap();
    says(&dir, &["holds the results of replications: read one of its runs, runs/seed-S"]);
    fs::remove_file(dir.join("replications.json")).unwrap();
    fs::remove_file(dir.join("a_file")).unwrap();

    write_run(&dir);
    let original = fs::read_to_string(dir.join("manifest.json")).unwrap();
    let with_manifest = |text: &str| fs::write(dir.join("manifest.json"), text).unwrap();

    // A listed file gone.
    fs::rename(dir.join("trades.csv"), dir.join("kept.csv")).unwrap();
    says(&dir, &["trades.csv: missing, though manifest.json lists it"]);
    fs::rename(dir.join("kept.csv"), dir.join("trades.csv")).unwrap();

    // Manifests that are not a run's, or list what a run does not.
    with_manifest(&original.replacen("\"trades.csv\"", "\"../trades.csv\"", 1));
    says(&dir, &["lists `../trades.csv` and a run lists its results only"]);
    with_manifest(&original.replacen("\"trades.csv\"", "\"scenario.toml\"", 1));
    says(&dir, &["lists `scenario.toml`"]);
    with_manifest(&original.replacen("\"risk.csv\"", "\"trades.csv\"", 1));
    says(&dir, &["lists `trades.csv` twice"]);
    with_manifest("{\"seed\": \"three\"}");
    says(&dir, &["manifest.json: not a run's manifest", "line 1"]);
    with_manifest("{}");
    says(&dir, &["manifest.json: not a run's manifest: it does not name tplus"]);
    with_manifest("[]");
    says(&dir, &["manifest.json: not a run's manifest"]);
    with_manifest(&original.replacen("\"summary.json\"", "\"events.csv\"", 1));
    says(&dir, &["does not list summary.json, which every run writes"]);
    with_manifest(&original);

    // Summaries that are not this run's.
    let summary = fs::read_to_string(dir.join("summary.json")).unwrap();
    fs::write(dir.join("summary.json"), summary.replacen("\"seed\": 42", "\"seed\": 7", 1)).unwrap();
    says(&dir, &["summary.json: of scenario `baseline` seed 7", "the files of two runs"]);
    fs::write(dir.join("summary.json"), "{\"a\": 1}").unwrap();
    says(&dir, &["summary.json: not a run's summary"]);
    fs::write(dir.join("summary.json"), &summary).unwrap();

    // Tables cut short at a line's end: every row parses, but they are not all there.
    let trades = fs::read_to_string(dir.join("trades.csv")).unwrap();
    let half: String = trades.lines().take(trades.lines().count() / 2).map(|l| format!("{l}\n")).collect();
    fs::write(dir.join("trades.csv"), half).unwrap();
    says(&dir, &["trades.csv: ", "rows where the run wrote", "a row per trade", "run the scenario again"]);
    fs::write(dir.join("trades.csv"), &trades).unwrap();
    let metrics = fs::read_to_string(dir.join("metrics.csv")).unwrap();
    let nine: String = metrics.lines().take(10).map(|l| format!("{l}\n")).collect();
    fs::write(dir.join("metrics.csv"), nine).unwrap();
    says(&dir, &["metrics.csv: 9 rows where the run wrote", "a row per window and product"]);
    fs::write(dir.join("metrics.csv"), &metrics).unwrap();
    assert!(RunFiles::read(&dir).is_ok());

    // The folder above some runs, given by mistake, names them.
    let parent = bin::scratch("read_run", "parent");
    fs::create_dir_all(parent.join("baseline/r1")).unwrap();
    write_run(&parent.join("baseline/r1"));
    let r1 = parent.join("baseline/r1").display().to_string();
    says(&parent, &["holds no manifest.json", &format!("such as {r1}")]);
    let _ = fs::remove_dir_all(&dir);
    let _ = fs::remove_dir_all(&parent);
}
