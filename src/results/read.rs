//! A finished run's directory read back into memory ([`RunFiles::read`]):
//! what Python's `tplus.read_run` hands to the same typed tables as an
//! in-process run's, so that a run made by `tplus run` reads with every
//! column typed (a column empty in every row included, which a reader
//! guessing types from the cells cannot type).
//!
//! Only a whole run of one run is read: the manifest (written last) must
//! be there, every file it lists must be, and the summary must name the
//! manifest's scenario and seed; anything else in the directory (plots,
//! `report.md`, a user's notes) is left alone.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::manifest::RunManifest;
use super::outdir::RUN_FILES;
use super::{FileError, RunFiles};
use crate::metrics::SummaryFile;

/// The manifest's file name: a run writes it last.
const MANIFEST: &str = "manifest.json";

/// Why a run's directory could not be read back.
#[derive(Debug, thiserror::Error)]
pub enum ReadRunError {
    /// No `manifest.json`: not a run's directory, or one whose run never
    /// finished.
    #[error(
        "{}: no manifest.json, so not a finished run's directory (a run writes it last: a run cut short has none); \
         give the directory `tplus run` wrote",
        .0.display()
    )]
    NotARun(PathBuf),
    /// A file is not what a run writes there.
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

impl RunFiles {
    /// Reads the run directory `dir` back: every file its manifest lists,
    /// in that order, then the manifest; with the manifest itself, parsed.
    /// Refuses a directory without a manifest, one missing a listed file,
    /// a listed name that is not a run's file, and a summary of another
    /// scenario or seed than the manifest's (the files of two runs).
    pub fn read(dir: &Path) -> Result<(RunFiles, RunManifest), ReadRunError> {
        let manifest_path = dir.join(MANIFEST);
        let manifest_bytes = match fs::read(&manifest_path) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(ReadRunError::NotARun(dir.to_path_buf())),
            Err(e) => return Err(FileError::at("read", &manifest_path)(e).into()),
        };
        let bad = |path: &Path, why: String| ReadRunError::Bad { path: path.to_path_buf(), why };
        let manifest: RunManifest = serde_json::from_slice(&manifest_bytes)
            .map_err(|e| bad(&manifest_path, format!("not a run's manifest: {e}")))?;
        let mut files = Vec::with_capacity(manifest.files.len() + 1);
        for name in &manifest.files {
            let path = dir.join(name);
            // Result files only: never a path out of the directory.
            if name == MANIFEST || !RUN_FILES.contains(&name.as_str()) {
                return Err(bad(&manifest_path, format!("lists `{name}`, which is not a file a run writes")));
            }
            let bytes = match fs::read(&path) {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    return Err(bad(
                        &path,
                        "missing, though manifest.json lists it: the directory is not whole".into(),
                    ));
                }
                Err(e) => return Err(FileError::at("read", &path)(e).into()),
            };
            files.push((name.clone(), bytes));
        }
        let summary_path = dir.join("summary.json");
        let summary = match files.iter().find(|(n, _)| n == "summary.json") {
            None => Default::default(),
            Some((_, b)) => {
                let s: SummaryFile =
                    serde_json::from_slice(b).map_err(|e| bad(&summary_path, format!("not a run's summary: {e}")))?;
                let name = manifest.scenario.simulation.name.as_deref();
                if manifest.seed.is_some_and(|seed| seed != s.seed) || name.is_some_and(|n| n != s.scenario) {
                    return Err(bad(
                        &summary_path,
                        format!(
                            "of scenario `{}` seed {}, where manifest.json is of `{}` seed {}: the files of two runs",
                            s.scenario,
                            s.seed,
                            name.unwrap_or("?"),
                            manifest.seed.map_or("none".into(), |x| x.to_string())
                        ),
                    ));
                }
                s.summary
            }
        };
        files.push((MANIFEST.to_string(), manifest_bytes));
        Ok((RunFiles { files, summary }, manifest))
    }
}
