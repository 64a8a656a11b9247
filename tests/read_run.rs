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
    // No manifest: not a run, or one cut short.
    fs::create_dir_all(&dir).unwrap();
    let e = RunFiles::read(&dir).unwrap_err();
    assert!(matches!(e, ReadRunError::NotARun(_)), "{e}");
    assert!(e.to_string().contains("no manifest.json") && e.to_string().contains("cut short"), "{e}");

    write_run(&dir);
    let original = fs::read(dir.join("manifest.json")).unwrap();

    // A listed file gone.
    fs::rename(dir.join("trades.csv"), dir.join("kept.csv")).unwrap();
    let e = RunFiles::read(&dir).unwrap_err().to_string();
    assert!(e.contains("trades.csv") && e.contains("missing, though manifest.json lists it"), "{e}");
    fs::rename(dir.join("kept.csv"), dir.join("trades.csv")).unwrap();

    // A manifest naming a file out of the directory.
    let text = String::from_utf8(original.clone()).unwrap().replacen("\"trades.csv\"", "\"../trades.csv\"", 1);
    fs::write(dir.join("manifest.json"), text).unwrap();
    let e = RunFiles::read(&dir).unwrap_err().to_string();
    assert!(e.contains("lists `../trades.csv`, which is not a file a run writes"), "{e}");

    // A manifest that is not one.
    fs::write(dir.join("manifest.json"), "{\"seed\": \"three\"}").unwrap();
    let e = RunFiles::read(&dir).unwrap_err().to_string();
    assert!(e.contains("manifest.json: not a run's manifest") && e.contains("line 1"), "{e}");
    fs::write(dir.join("manifest.json"), &original).unwrap();

    // Another run's summary beside this manifest.
    let summary = fs::read_to_string(dir.join("summary.json")).unwrap();
    fs::write(dir.join("summary.json"), summary.replacen("\"seed\": 42", "\"seed\": 7", 1)).unwrap();
    let e = RunFiles::read(&dir).unwrap_err().to_string();
    assert!(e.contains("summary.json: of scenario `baseline` seed 7") && e.contains("the files of two runs"), "{e}");
    let _ = fs::remove_dir_all(&dir);
}
