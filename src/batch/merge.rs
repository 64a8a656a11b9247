//! `tplus merge`: joins the output directories of a sweep's shards (or any
//! pieces of one sweep) into one, after checking that they are pieces of the
//! same sweep and that together they hold every run exactly once.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde_json::Value;

use super::csv::{self, RunLine};
use super::{Error, first_difference, hostname, io, read_json, write_atomically, write_json};
use crate::results::outdir::DirLock;
use crate::results::utc_stamp;

/// What a merge wrote.
#[derive(Clone, Debug)]
pub struct MergeReport {
    /// The directory the merged sweep was written to.
    pub dir: PathBuf,
    /// Rows (runs) of the merged `sweep.csv`.
    pub runs: usize,
    /// Rows of the merged `sweep.csv` with `status = failed`.
    pub failed: usize,
}

/// Most runs named one by one in an error message.
const LIST: usize = 8;

/// Merges `inputs` into `out`. Bad inputs (not sweep directories, different
/// sweeps, a run missing or present twice) are `Error::Input`, and nothing
/// is written.
pub fn merge(inputs: &[PathBuf], out: &Path) -> Result<MergeReport, Error> {
    if inputs.is_empty() {
        return Err(Error::NothingToMerge);
    }
    for (i, a) in inputs.iter().enumerate() {
        let same =
            |b: &PathBuf| a == b || (fs::canonicalize(a).ok().is_some_and(|x| fs::canonicalize(b).ok() == Some(x)));
        if inputs[..i].iter().any(same) {
            return Err(Error::GivenTwice(a.clone()));
        }
    }
    let mut definition: Option<(Value, &Path)> = None;
    let mut pieces = Vec::new();
    for dir in inputs {
        let Some((def, provenance)) = read_json(dir)? else {
            return Err(Error::NotASweep(dir.clone()));
        };
        match &definition {
            None => definition = Some((def, dir)),
            Some((first, first_dir)) if *first != def => {
                return Err(Error::DifferentSweeps {
                    first: first_dir.to_path_buf(),
                    other: dir.clone(),
                    difference: first_difference(first, &def),
                });
            }
            Some(_) => {}
        }
        pieces.push((dir, provenance));
    }
    let Some((def, _)) = definition else {
        return Err(Error::NothingToMerge);
    };
    let columns: Vec<String> =
        def["columns"].as_array().into_iter().flatten().filter_map(|c| c.as_str().map(str::to_string)).collect();
    let status_column =
        columns.iter().position(|c| c == "status").ok_or_else(|| Error::NoStatusColumn(inputs[0].clone()))?;
    let points = def["points"].as_array().map_or(0, Vec::len);
    let replications = def["sweep"]["replications"].as_u64().unwrap_or(1) as u32;
    let header = csv::header_line(&columns);

    // Every row, by run, with the input it came from.
    let mut rows: BTreeMap<(usize, u32), (RunLine, usize)> = BTreeMap::new();
    let mut twice: BTreeMap<(usize, usize), Vec<String>> = BTreeMap::new();
    let mut outside = Vec::new();
    for (i, (dir, _)) in pieces.iter().enumerate() {
        let path = dir.join("sweep.csv");
        let bytes = fs::read(&path).map_err(|e| io("read", &path, e))?;
        let (found, _) = csv::read_rows(&String::from_utf8_lossy(&bytes), &header, columns.len(), status_column)
            .map_err(|source| Error::ForeignRows { path: path.clone(), source, hint: "" })?;
        for row in found {
            let key = (row.point, row.replication);
            if row.point >= points || row.replication >= replications {
                outside.push(format!("point {} replication {} (in {})", row.point, row.replication, dir.display()));
            } else if let Some((_, j)) = rows.get(&key) {
                twice.entry((*j, i)).or_default().push(format!("point {} replication {}", row.point, row.replication));
            } else {
                rows.insert(key, (row, i));
            }
        }
    }
    let missing: Vec<(usize, u32)> =
        (0..points).flat_map(|p| (0..replications).map(move |r| (p, r))).filter(|k| !rows.contains_key(k)).collect();

    let mut problems = Vec::new();
    for ((j, i), runs) in &twice {
        problems.push(format!(
            "{} run(s) are in both {} and {}: {}",
            runs.len(),
            pieces[*j].0.display(),
            pieces[*i].0.display(),
            list(runs)
        ));
    }
    if !outside.is_empty() {
        problems.push(format!("{} row(s) outside the sweep: {}", outside.len(), list(&outside)));
    }
    if !missing.is_empty() {
        let named: Vec<String> = missing.iter().map(|(p, r)| format!("point {p} replication {r}")).collect();
        let mut m = format!("{} of {} runs missing: {}", missing.len(), points * replications as usize, list(&named));
        let counts: Vec<u32> =
            pieces.iter().filter_map(|(_, p)| p["shard"].as_str()?.split_once('/')?.1.parse().ok()).collect();
        if let Some(&n) = counts.first().filter(|&&n| counts.iter().all(|&c| c == n)) {
            let mut shards: Vec<usize> = missing.iter().map(|(p, _)| p % n as usize + 1).collect();
            shards.dedup();
            shards.sort_unstable();
            shards.dedup();
            let names: Vec<String> = shards.iter().map(|k| format!("{k}/{n}")).collect();
            m.push_str(&format!(
                " — they belong to shard(s) {}: is a directory left out, or did a shard not finish (run it again to resume)?",
                names.join(", ")
            ));
        }
        problems.push(m);
    }
    if !problems.is_empty() {
        return Err(Error::Coverage { problems });
    }

    // Write: sweep.json first (so sweep.csv is never without it), then the rows.
    if out.is_file() {
        return Err(Error::OutIsFile(out.to_path_buf()));
    }
    fs::create_dir_all(out).map_err(|e| io("create", out, e))?;
    let _lock = DirLock::acquire(out)?;
    // The merged files replace an earlier merge's, never a run's or
    // something else's.
    if let Some(entries) = super::foreign_entries(out, &["sweep.json", "sweep.csv"], inputs)? {
        return Err(Error::NotASweepDir { dir: out.to_path_buf(), entries });
    }
    let failed = rows.values().filter(|(r, _)| r.failed).count();
    let provenance = serde_json::json!({
        "shard": null,
        "complete": true,
        "rows": rows.len(),
        "failed_rows": failed,
        "merged_utc": utc_stamp(SystemTime::now(), true),
        "merged_on": hostname(),
        "merged_from": pieces.iter().map(|(d, p)| serde_json::json!({ "dir": d.display().to_string(), "provenance": p })).collect::<Vec<_>>(),
    });
    write_json(out, &def, &provenance)?;
    let mut text = header;
    rows.values().for_each(|(r, _)| text.push_str(&r.line));
    write_atomically(out, "sweep.csv", text.as_bytes())?;
    Ok(MergeReport { dir: out.to_path_buf(), runs: rows.len(), failed })
}

fn list(items: &[String]) -> String {
    let mut s = items.iter().take(LIST).cloned().collect::<Vec<_>>().join(", ");
    if items.len() > LIST {
        s.push_str(&format!(" and {} more", items.len() - LIST));
    }
    s
}
