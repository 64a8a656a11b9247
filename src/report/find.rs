//! What `tplus report` can draw: a run's directory or a sweep's, and, when
//! given neither (the parent of some, like `results/sweeps`), the run and
//! sweep directories one or two levels below it, so the error can name them.

use std::path::{Path, PathBuf};

use crate::results::read::subdirs;

/// A run directory: what a run writes first and last is there (a run cut
/// short still counts, so that its own error names the missing file).
pub fn is_run_dir(dir: &Path) -> bool {
    ["metrics.csv", "summary.json", "manifest.json"].iter().any(|f| dir.join(f).is_file())
}

/// A directory a report could be drawn for, found below another.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    /// Its path (the directory given, joined with one or two names).
    pub path: PathBuf,
    /// A sweep's (`sweep.csv`, `sweep.json`), else a run's.
    pub sweep: bool,
}

/// The run and sweep directories one or two levels below `dir`, sorted by
/// path; below a run or sweep directory found it does not look (a sweep's
/// `runs/` are its own). Symbolic links are not followed, unreadable
/// directories are skipped: this only helps to name the right one.
pub fn reportable_below(dir: &Path) -> Vec<Found> {
    let mut found = Vec::new();
    for child in subdirs(dir) {
        if let Some(f) = classify(&child) {
            found.push(f);
            continue;
        }
        found.extend(subdirs(&child).into_iter().filter_map(|g| classify(&g)));
    }
    found.sort_by(|a, b| a.path.cmp(&b.path));
    found
}

fn classify(dir: &Path) -> Option<Found> {
    if super::batch::is_sweep_dir(dir) {
        Some(Found { path: dir.to_path_buf(), sweep: true })
    } else if is_run_dir(dir) {
        Some(Found { path: dir.to_path_buf(), sweep: false })
    } else {
        None
    }
}

/// What `tplus report` says of a directory that is neither a run's nor a
/// sweep's: what it expected and what it found below.
pub fn neither_text(dir: &Path, found: &[Found]) -> String {
    use std::fmt::Write;
    const SHOWN: usize = 20;
    let mut t = format!(
        "{}: neither a run directory (with metrics.csv, summary.json or manifest.json) nor a sweep directory (with sweep.csv or sweep.json) nor a replications directory (with replications.json)",
        dir.display()
    );
    if found.is_empty() {
        t.push_str("; there is none one or two levels below it either: give the directory of a finished run (`tplus run … --out DIR`) or sweep");
        return t;
    }
    t.push_str("; the run and sweep directories below it:");
    for f in found.iter().take(SHOWN) {
        let _ = write!(t, "\n  {}  ({})", f.path.display(), if f.sweep { "sweep" } else { "run" });
    }
    if found.len() > SHOWN {
        let _ = write!(t, "\n  … and {} more", found.len() - SHOWN);
    }
    let _ = write!(t, "\ngive one of them, e.g. `tplus report {}`", found[0].path.display());
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_and_sweeps_one_and_two_levels_down_are_found_and_nothing_inside_them() {
        let root = std::env::temp_dir().join(format!("tplus-find-unit-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        for (dir, file) in [
            ("a_sweep", "sweep.json"),
            ("a_sweep/runs/p00000-r000", "metrics.csv"),
            ("name/20260101T000000Z-seed1", "summary.json"),
            ("name/other", "notes.txt"),
            ("deep/x/y", "metrics.csv"),
        ] {
            std::fs::create_dir_all(root.join(dir)).unwrap();
            std::fs::write(root.join(dir).join(file), "").unwrap();
        }
        let found = reportable_below(&root);
        assert_eq!(
            found,
            vec![
                Found { path: root.join("a_sweep"), sweep: true },
                Found { path: root.join("name/20260101T000000Z-seed1"), sweep: false },
            ]
        );
        let text = neither_text(&root, &found);
        assert!(text.contains("directories below it:\n  ") && text.contains("a_sweep  (sweep)"), "{text}");
        assert!(neither_text(&root.join("deep"), &[]).contains("none one or two levels below"));
        std::fs::remove_dir_all(&root).unwrap();
    }
}
