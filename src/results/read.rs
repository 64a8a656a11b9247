//! A finished run's directory read back into memory ([`RunFiles::read`]):
//! what Python's `tplus.read_run` hands to the same typed tables as an
//! in-process run's, so that a run made by `tplus run` reads with every
//! column typed (a column empty in every row included, which a reader
//! guessing types from the cells cannot type).
//!
//! Only one whole run is read. Its manifest (written last) must be tplus's
//! and name its seed; every file it lists must be a result file a run
//! writes, listed once, and there; the summary must be of the manifest's
//! scenario and seed; and the tables a run's counts fix must have those
//! rows (`metrics.csv` a row per window and product, `trades.csv` a row per
//! trade), so a file cut short, or one copied from another run, is
//! refused. Anything else in the directory (plots, `report.md`, the
//! `scenario.toml` of a live run, a user's notes) is left alone. That each
//! cell is its column's type is the reader's to check (Python parses every
//! table at once).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::manifest::RunManifest;
use super::{FileError, RunFiles};
use crate::metrics::SummaryFile;

/// The manifest's file name: a run writes it last.
const MANIFEST: &str = "manifest.json";

/// The files a run lists in its manifest: its results. The live view's
/// `scenario.toml` and `live_changes.csv`, and a report's files, sit
/// beside them unlisted.
const RESULT_FILES: [&str; 6] =
    ["trades.csv", "events.csv", "metrics.csv", "risk.csv", "credit_fit.csv", "summary.json"];

/// Why a run's directory could not be read back.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadRunError {
    /// Not a finished run's directory: it does not exist, is a file, holds
    /// no manifest (a run cut short has none), or holds another command's
    /// results.
    #[error("{}: {why}", dir.display())]
    NotARun {
        /// The path given.
        dir: PathBuf,
        /// What it is instead, and what to give.
        why: String,
    },
    /// A file is not what the run wrote there.
    #[error("{}: {why}", path.display())]
    Bad {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        why: String,
    },
    /// A file could not be read.
    #[error(transparent)]
    Io(#[from] FileError),
}

/// Another command's results, told by the file it leaves, and where its
/// runs are.
const OTHER_RESULTS: [(&str, &str); 3] = [
    ("replications.json", "replications: read one of its runs, runs/seed-S"),
    ("sweep.json", "a sweep: read one of its runs, runs/p…-r… (kept with --keep-runs)"),
    ("comparison.json", "a comparison: read the runs it compared"),
];

/// The directories directly in `dir` (not through a symbolic link;
/// unreadable ones left out): for naming what lies below a directory given
/// by mistake.
pub fn subdirs(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else { return Vec::new() };
    entries.flatten().filter(|e| e.file_type().is_ok_and(|t| t.is_dir())).map(|e| e.path()).collect()
}

/// The run directories (holding a manifest.json) one or two levels below
/// `dir`, sorted, for the error of a directory that is none.
fn runs_below(dir: &Path) -> Vec<PathBuf> {
    let is_run = |d: &Path| d.join(MANIFEST).is_file();
    let mut found = Vec::new();
    for child in subdirs(dir) {
        if is_run(&child) {
            found.push(child);
        } else {
            found.extend(subdirs(&child).into_iter().filter(|g| is_run(g)));
        }
    }
    found.sort();
    found
}

/// Data rows of a CSV file's bytes (lines after the header; a field never
/// holds a line break).
fn rows(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count().saturating_sub(1)
}

impl RunFiles {
    /// Reads the run directory `dir` back: every file its manifest lists,
    /// in that order, then the manifest; with the manifest itself, parsed.
    /// Refuses what is not one whole run (see the module docs), naming the
    /// file and what is wrong with it.
    pub fn read(dir: &Path) -> Result<(RunFiles, RunManifest), ReadRunError> {
        let (manifest_bytes, manifest) = manifest_of(dir)?;
        let mut files = listed_files(dir, &manifest)?;
        let summary = summary_of(dir, &files, &manifest)?;
        // The tables whose rows the run's counts fix.
        let products = summary.summary.products.len().max(1);
        let expected = [
            ("metrics.csv", summary.summary.windows * products, "a row per window and product"),
            ("trades.csv", manifest.counts.trades as usize, "a row per trade, as manifest.json counts them"),
        ];
        for (file, want, what) in expected {
            let Some((_, bytes)) = files.iter().find(|(n, _)| n == file) else { continue };
            let have = rows(bytes);
            if have != want {
                let why = format!(
                    "{have} rows where the run wrote {want} ({what}): cut short, or of another run; run the scenario \
                     again for whole files"
                );
                return Err(bad(&dir.join(file), why));
            }
        }
        files.push((MANIFEST.to_string(), manifest_bytes));
        Ok((RunFiles { files, summary: summary.summary }, manifest))
    }
}

/// The error of a file that is not what the run wrote there.
fn bad(path: &Path, why: String) -> ReadRunError {
    ReadRunError::Bad { path: path.to_path_buf(), why }
}

/// The manifest of the run in `dir`, its bytes and parsed: tplus's, with a
/// seed, listing what every run writes. A `dir` that is not a run's
/// directory is told for what it is.
fn manifest_of(dir: &Path) -> Result<(Vec<u8>, RunManifest), ReadRunError> {
    let not_a_run = |why: String| ReadRunError::NotARun { dir: dir.to_path_buf(), why };
    match fs::metadata(dir) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(not_a_run("does not exist".into())),
        Err(e) => return Err(FileError::at("read", dir)(e).into()),
        Ok(m) if !m.is_dir() => return Err(not_a_run("is a file, not a directory: give the run's directory".into())),
        Ok(_) => {}
    }
    let path = dir.join(MANIFEST);
    let bytes = match fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(not_a_run(no_manifest(dir))),
        Err(e) => return Err(FileError::at("read", &path)(e).into()),
    };
    let manifest: RunManifest =
        serde_json::from_slice(&bytes).map_err(|e| bad(&path, format!("not a run's manifest: {e}")))?;
    if manifest.tool != "tplus" {
        return Err(bad(&path, "not a run's manifest: it does not name tplus as its tool".into()));
    }
    if manifest.seed.is_none() {
        return Err(bad(&path, "names no seed: written by a tplus older than this one reads".into()));
    }
    for needed in ["metrics.csv", "summary.json"] {
        if !manifest.files.iter().any(|f| f == needed) {
            return Err(bad(&path, format!("does not list {needed}, which every run writes")));
        }
    }
    Ok((bytes, manifest))
}

/// What a directory without a manifest holds instead: another command's
/// results, or runs below it, named.
fn no_manifest(dir: &Path) -> String {
    if let Some((_, what)) = OTHER_RESULTS.iter().find(|(f, _)| dir.join(f).is_file()) {
        return format!("holds the results of {what}");
    }
    let mut why = "holds no manifest.json, so it is not a finished run's directory (a run writes its manifest \
                   last: one cut short has none); give a directory `tplus run` finished"
        .to_string();
    let below = runs_below(dir);
    if !below.is_empty() {
        let shown: Vec<String> = below.iter().take(5).map(|p| p.display().to_string()).collect();
        why += &format!(", such as {}", shown.join(", "));
        if below.len() > 5 {
            why += &format!(" (and {} more below it)", below.len() - 5);
        }
    }
    why
}

/// The files `manifest` lists, read from `dir` in its order: result files
/// only (never a path out of the directory), each once, each there.
fn listed_files(dir: &Path, manifest: &RunManifest) -> Result<Vec<(String, Vec<u8>)>, ReadRunError> {
    let manifest_path = dir.join(MANIFEST);
    let mut files: Vec<(String, Vec<u8>)> = Vec::with_capacity(manifest.files.len() + 1);
    for name in &manifest.files {
        if !RESULT_FILES.contains(&name.as_str()) {
            return Err(bad(&manifest_path, format!("lists `{name}` and a run lists its results only")));
        }
        if files.iter().any(|(n, _)| n == name) {
            return Err(bad(&manifest_path, format!("lists `{name}` twice")));
        }
        let path = dir.join(name);
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(bad(&path, "missing, though manifest.json lists it: the directory is not whole".into()));
            }
            Err(e) => return Err(FileError::at("read", &path)(e).into()),
        };
        files.push((name.clone(), bytes));
    }
    Ok(files)
}

/// The run's summary among `files`: one, and of the manifest's scenario
/// and seed.
fn summary_of(dir: &Path, files: &[(String, Vec<u8>)], manifest: &RunManifest) -> Result<SummaryFile, ReadRunError> {
    let path = dir.join("summary.json");
    let bytes = files.iter().find(|(n, _)| n == "summary.json").map_or(&[][..], |(_, b)| b);
    let s: SummaryFile = serde_json::from_slice(bytes).map_err(|e| bad(&path, format!("not a run's summary: {e}")))?;
    if s.scenario.is_empty() || s.summary.windows == 0 {
        return Err(bad(&path, "not a run's summary: it names no scenario or no windows".into()));
    }
    let name = manifest.scenario.simulation.name.as_deref();
    if manifest.seed != Some(s.seed) || name.is_some_and(|n| n != s.scenario) {
        let why = format!(
            "of scenario `{}` seed {}, where manifest.json is of `{}` seed {}: the files of two runs",
            s.scenario,
            s.seed,
            name.unwrap_or("?"),
            manifest.seed.map_or("none".into(), |x| x.to_string()),
        );
        return Err(bad(&path, why));
    }
    Ok(s)
}
