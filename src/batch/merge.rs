//! `tplus merge`: joins the output directories of a sweep's shards (or any
//! pieces of one sweep) into one, after checking that they are pieces of the
//! same sweep and that together they hold every run exactly once.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde_json::Value;

use super::csv::{self, RunLine};
use super::design::run_seed;
use super::{
    BatchError, builds, first_difference, hostname, read_json, remove_report, report_files, write_json, write_rows,
};
use crate::columns::sweep as sweep_columns;
use crate::results::FileError;
use crate::results::lock::DirLock;
use crate::results::lock::LockError;
use crate::results::utc_stamp;
use crate::scenario::value_text;

/// What a merge wrote.
#[derive(Clone, Debug)]
pub struct MergeReport {
    /// The directory the merged sweep was written to.
    pub dir: PathBuf,
    /// Rows (runs) of the merged `sweep.csv`.
    pub runs: usize,
    /// Rows of the merged `sweep.csv` with `status = failed`.
    pub failed: usize,
    /// Files of the report drawn from the earlier merge this one replaced
    /// (`report.md` and its plots), removed: `tplus report` draws it again.
    pub removed_report: usize,
    /// The builds of tplus that computed the merged rows (`tplus
    /// --version`), sorted: more than one, and rows of two builds, which
    /// may differ by more than their seeds, stand in one file.
    pub builds: Vec<String>,
}

/// Most runs named one by one in an error message.
const LIST: usize = 8;

/// Whether `a` and `b` name the same directory.
fn same_dir(a: &Path, b: &Path) -> bool {
    a == b || fs::canonicalize(a).ok().is_some_and(|x| fs::canonicalize(b).ok() == Some(x))
}

/// Merges `inputs` into `out`. Bad inputs (not sweep directories, different
/// sweeps, a run missing or present twice) are errors of exit status 2
/// ([`BatchError::exit_status`]), and nothing is written.
pub fn merge(inputs: &[PathBuf], out: &Path) -> Result<MergeReport, BatchError> {
    if inputs.is_empty() {
        return Err(BatchError::NothingToMerge);
    }
    for (i, a) in inputs.iter().enumerate() {
        if inputs[..i].iter().any(|b| same_dir(a, b)) {
            return Err(BatchError::GivenTwice(a.clone()));
        }
    }
    let mut definition: Option<(Value, &Path)> = None;
    let mut pieces = Vec::new();
    for dir in inputs {
        if dir.exists() && !dir.is_dir() {
            return Err(BatchError::NotADirectory(dir.clone()));
        }
        if !dir.exists() {
            return Err(BatchError::NoSuchPiece(dir.clone()));
        }
        let Some((def, provenance)) = read_json(dir)? else {
            return Err(BatchError::NotASweep { dir: dir.clone(), below: super::sweeps_below(dir) });
        };
        if !dir.join("sweep.csv").exists() {
            return Err(BatchError::NoRows(dir.clone()));
        }
        if let Some(LockError::Locked { pid, host, alive, .. }) = crate::results::lock::holder(dir) {
            return Err(BatchError::PieceInUse { dir: dir.clone(), pid, host, alive });
        }
        match &definition {
            None => definition = Some((def, dir)),
            Some((first, first_dir)) if *first != def => {
                return Err(BatchError::DifferentSweeps {
                    first: first_dir.to_path_buf(),
                    other: dir.clone(),
                    difference: first_difference(first, &def, ["in the first", "in the second"]),
                });
            }
            Some(_) => {}
        }
        pieces.push((dir, provenance));
    }
    let Some((def, _)) = definition else {
        return Err(BatchError::NothingToMerge);
    };
    let columns: Vec<String> =
        def["columns"].as_array().into_iter().flatten().filter_map(|c| c.as_str().map(str::to_string)).collect();
    let status_column =
        columns.iter().position(|c| c == "status").ok_or_else(|| BatchError::NoStatusColumn(inputs[0].clone()))?;
    let damaged = |why: String| BatchError::DamagedDefinition { dir: inputs[0].clone(), why };
    let key: Vec<&str> = sweep_columns::KEY.iter().map(|c| c.name).collect();
    if status_column < key.len() || !columns.iter().zip(&key).all(|(c, k)| c == k) {
        return Err(damaged(format!(
            "its columns do not start with {}, then the parameters and `status`",
            key.join(", ")
        )));
    }
    let params = status_column - key.len();
    let points = def["points"].as_array().map_or(0, Vec::len);
    let replications = def["sweep"]["replications"].as_u64().unwrap_or(1);
    // The definition states its runs; the product of its own points and
    // replications must be them, or the runs a merge looks for are not the
    // sweep's (and an edited count could ask for billions).
    let runs = (points as u64).checked_mul(replications);
    let replications = match u32::try_from(replications) {
        // A definition from before it stated its runs has no `runs`.
        Ok(r) if r > 0 && runs.is_some() && (def["runs"].is_null() || def["runs"].as_u64() == runs) => r,
        _ => {
            return Err(damaged(format!(
                "its {points} points × {replications} replications are not its {} runs",
                def["runs"].as_u64().map_or("(missing)".into(), |r| r.to_string())
            )));
        }
    };
    let header = csv::header_line(&columns);

    let design = Design {
        n_columns: columns.len(),
        status_column,
        seed: def["sweep"]["seed"].as_u64().unwrap_or(0),
        points: def["points"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| p["values"].as_array().map_or_else(Vec::new, |v| v.iter().map(value_text).collect()))
            .collect(),
        param_names: columns[sweep_columns::KEY.len()..status_column].to_vec(),
    };
    if let Some(i) = design.points.iter().position(|v| v.len() != params) {
        return Err(damaged(format!(
            "point {i} has {} value(s) where the columns name {params} parameter(s)",
            design.points[i].len()
        )));
    }
    // Rows that are not what the sweep wrote: the shard's file, the line
    // and what differs.
    let mut bad: Vec<String> = Vec::new();
    // Every row, by run, with the input it came from.
    let mut rows: BTreeMap<(usize, u32), (RunLine, usize)> = BTreeMap::new();
    let mut twice: BTreeMap<(usize, usize), Vec<String>> = BTreeMap::new();
    let mut outside = Vec::new();
    for (i, (dir, _)) in pieces.iter().enumerate() {
        let path = dir.join("sweep.csv");
        let bytes = fs::read(&path).map_err(FileError::at("read", &path))?;
        if bytes.is_empty() {
            return Err(BatchError::NoRows(dir.to_path_buf()));
        }
        let found = verified_rows(&path, &bytes, &header, &design)?;
        bad.extend(found.1);
        for row in found.0 {
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

    if !bad.is_empty() {
        return Err(BatchError::BadRows { problems: bad });
    }
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
        return Err(BatchError::Coverage { problems });
    }

    // Write: sweep.json first (so sweep.csv is never without it), then the rows.
    if let Some(e) = crate::results::outdir::inside_other_output(out) {
        return Err(e.into());
    }
    crate::results::outdir::create_out_dir(out)?;
    let _lock = DirLock::acquire(out).map_err(crate::results::outdir::OutDirError::from)?;
    let earlier = read_json(out)?;
    // Whether `out` holds an earlier merge of this sweep, which this one
    // replaces with the report drawn from it.
    let remerge =
        matches!(&earlier, Some((held, provenance)) if *held == def && provenance.get("merged_from").is_some());
    // The merged files replace an earlier merge's, never a run's or
    // something else's.
    let report = if remerge { report_files(out)? } else { Vec::new() };
    // Only an earlier merge of this sweep is replaced: rows a sweep ran
    // there (a shard's, an input's, an unfinished sweep's) are never lost.
    let dir = || out.to_path_buf();
    match earlier {
        Some((held, _)) if held != def => {
            return Err(BatchError::AnotherSweep {
                dir: dir(),
                difference: first_difference(&held, &def, ["in the directory", "in the merge"]),
            });
        }
        Some((_, provenance)) if provenance.get("merged_from").is_none() => {
            let shard = provenance.get("shard").and_then(Value::as_str);
            let complete = provenance.get("complete").and_then(Value::as_bool).unwrap_or(false);
            let what = match shard {
                _ if inputs.iter().any(|i| same_dir(i, out)) => "one of the pieces being merged".to_string(),
                Some(k) => format!("shard {k}'s results of this sweep"),
                None if complete => "this sweep's own results, run whole".to_string(),
                None => "this sweep's results so far (an unfinished sweep)".to_string(),
            };
            return Err(BatchError::MergeOverResults { dir: dir(), what });
        }
        Some(_) => {}
        None if out.join("sweep.csv").exists() => return Err(BatchError::OrphanRows(dir())),
        None => {}
    }
    // Besides the merge's own files, the directory may hold pieces of this
    // sweep that are not merged now: shards of an earlier split (a sweep
    // sharded 1/2, then again 1/3), which the merge leaves alone.
    let piece_of_this_sweep = |n: &str| matches!(read_json(&out.join(n)), Ok(Some((held, _))) if held == def);
    let own =
        |n: &str| n == "sweep.json" || n == "sweep.csv" || report.iter().any(|r| r == n) || piece_of_this_sweep(n);
    if let Some(entries) = super::foreign_entries(out, own, inputs)? {
        return Err(BatchError::NotASweepDir { dir: out.to_path_buf(), entries });
    }
    // The earlier merge's report describes rows this merge replaces: it
    // goes before them (`report.md` first), so no report sits beside rows
    // it was not drawn from.
    let removed_report = remove_report(out, &report)?;
    let failed = rows.values().filter(|(r, _)| r.failed).count();
    let mut built = std::collections::BTreeSet::new();
    for (_, p) in &pieces {
        builds(p, &mut built);
    }
    let built: Vec<String> = built.into_iter().collect();
    let provenance = serde_json::json!({
        "shard": null,
        "complete": true,
        "rows": rows.len(),
        "failed_rows": failed,
        "merged_utc": utc_stamp(SystemTime::now(), true),
        "merged_on": hostname(),
        "builds": built,
        "merged_from": pieces.iter().map(|(d, p)| serde_json::json!({ "dir": d.display().to_string(), "provenance": p })).collect::<Vec<_>>(),
    });
    write_json(out, &def, &provenance)?;
    write_rows(out, &header, rows.values().map(|(r, _)| r))?;
    Ok(MergeReport { dir: out.to_path_buf(), runs: rows.len(), failed, removed_report, builds: built })
}

/// What merge checks each row against: the sweep's columns, seed and
/// design.
struct Design {
    n_columns: usize,
    status_column: usize,
    seed: u64,
    /// Each point's parameter values, as `sweep.csv` writes them.
    points: Vec<Vec<String>>,
    param_names: Vec<String>,
}

/// The rows of one shard's `sweep.csv` (`bytes`, at `path`) that are what
/// the sweep wrote, and what is wrong with each line that is not: malformed,
/// cut short, an edited digest, a seed or parameter value the design does
/// not give. A header that is not the sweep's is an error at once.
fn verified_rows(
    path: &Path,
    bytes: &[u8],
    header: &str,
    design: &Design,
) -> Result<(Vec<RunLine>, Vec<String>), BatchError> {
    let at = |n: usize| format!("{}:{n}", path.display());
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let line = bytes[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count() + 1;
            return Ok((Vec::new(), vec![format!("{}: not UTF-8 text (byte {})", at(line), e.valid_up_to())]));
        }
    };
    let mut lines = text.split_inclusive('\n');
    if lines.next() != Some(header) {
        return Err(BatchError::ForeignRows { path: path.to_path_buf(), source: csv::ForeignHeader, hint: "" });
    }
    let (mut rows, mut bad) = (Vec::new(), Vec::new());
    for (k, raw) in lines.enumerate() {
        let n = k + 2;
        let Some(line) = raw.strip_suffix('\n') else {
            bad.push(format!("{}: cut short (no line break): did the shard finish? run it again to resume", at(n)));
            continue;
        };
        let (row, fields) = match csv::check_fields(line, design.n_columns, design.status_column) {
            Ok(r) => r,
            Err(why) => {
                bad.push(format!("{}: {why}", at(n)));
                continue;
            }
        };
        if let Some(values) = design.points.get(row.point) {
            let want = run_seed(design.seed, row.point, row.replication);
            if fields[2] != want.to_string() {
                bad.push(format!(
                    "{}: seed {}, but the sweep's seed gives {want} for point {} replication {}",
                    at(n),
                    fields[2],
                    row.point,
                    row.replication
                ));
                continue;
            }
            let first = sweep_columns::KEY.len();
            if let Some(j) = (0..values.len()).find(|&j| fields[first + j] != values[j]) {
                bad.push(format!(
                    "{}: `{}` is {}, but the design's point {} has {}",
                    at(n),
                    design.param_names[j],
                    fields[first + j],
                    row.point,
                    values[j]
                ));
                continue;
            }
        }
        if let Err(why) = csv::check_digest(line) {
            bad.push(format!("{}: {why}", at(n)));
            continue;
        }
        rows.push(row);
    }
    Ok((rows, bad))
}

/// The first problems, one per line, and how many more.
pub(super) fn first_lines(problems: &[String]) -> String {
    let mut s = problems.iter().take(LIST).cloned().collect::<Vec<_>>().join("\n  ");
    if problems.len() > LIST {
        s.push_str(&format!("\n  and {} more", problems.len() - LIST));
    }
    s
}

fn list(items: &[String]) -> String {
    let mut s = items.iter().take(LIST).cloned().collect::<Vec<_>>().join(", ");
    if items.len() > LIST {
        s.push_str(&format!(" and {} more", items.len() - LIST));
    }
    s
}
