//! A replications directory's own files: `replications.csv` (one row per
//! seed) and `replications.json` (the scenario, seeds, change and the spread
//! of each headline figure), written after the runs and read back by
//! `compare`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::stats::{Spread, spread};
use super::windows::Window;
use super::{ReplicateError, SEED_RULE, json_text, write_file};
use crate::batch::csv::{RESULT_COLUMNS, cell, split};
use crate::calendar::Calendar;
use crate::columns::replications::KEY;
use crate::columns::result_range;
use crate::results::FileError;
use crate::results::manifest::RunManifest;
use crate::scenario::Scenario;

/// The headline figures summarised and compared: the result columns of
/// `sweep.csv` less the interval ends of single runs (Wilson's and the
/// serial one) and
/// `cash_conserved` (not a number; a run failing it stops the replications).
pub fn figure_names() -> Vec<&'static str> {
    RESULT_COLUMNS
        .iter()
        .map(|c| c.name)
        .filter(|n| !n.ends_with("_lo") && !n.ends_with("_hi") && *n != "cash_conserved")
        .collect()
}

/// The scripted change a comparison marks: the scenario's first event in time.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    /// When, as the scenario writes it ("day 3 10:00").
    pub at: String,
    /// What it changes (the event's target).
    pub target: String,
    /// The global metrics window it falls in.
    pub window: usize,
}

/// The first scripted event of a scenario, with its window.
pub fn change_of(scenario: &Scenario) -> Option<Change> {
    let cal = Calendar::new(&scenario.simulation);
    let first = scenario.events.iter().min_by_key(|e| e.at)?;
    let t = cal.at(first.at);
    let day = (first.at.day as usize).clamp(1, cal.days().len()) - 1;
    Some(Change {
        at: first.at.to_string(),
        target: first.target.name().to_string(),
        window: cal.window_of(day as u32, t),
    })
}

/// What two directories must share for their runs to pair window by window:
/// the `[simulation]` table but its name and seed, and the product ids.
pub fn pairing_key(scenario: &Scenario) -> Value {
    let mut sim = serde_json::to_value(&scenario.simulation).unwrap_or(Value::Null);
    if let Some(m) = sim.as_object_mut() {
        m.remove("name");
        m.remove("seed");
    }
    json!({ "simulation": sim, "products": scenario.products.iter().map(|p| p.id.clone()).collect::<Vec<_>>() })
}

/// Writes `replications.csv` and `replications.json` into `dir`, given each
/// seed's result fields (in `RESULT_COLUMNS` order), seeds in order.
pub fn write(
    dir: &Path,
    scenario: &Scenario,
    scenario_file: &Path,
    control: bool,
    runs: &[(u64, Vec<String>)],
) -> Result<(), ReplicateError> {
    let mut csv = KEY.iter().chain(RESULT_COLUMNS).map(|c| c.name).collect::<Vec<_>>().join(",");
    csv.push('\n');
    for (k, (seed, fields)) in runs.iter().enumerate() {
        let _ = write!(csv, "{k},{seed}");
        for f in fields {
            csv.push(',');
            csv.push_str(&cell(f));
        }
        csv.push('\n');
    }
    write_file(dir, "replications.csv", csv.as_bytes())?;
    let figures: Vec<Value> = figure_names()
        .iter()
        .map(|name| {
            let i = RESULT_COLUMNS.iter().position(|c| c.name == *name).unwrap_or(0);
            let values: Vec<f64> = runs.iter().filter_map(|(_, f)| f.get(i)?.parse().ok()).collect();
            let s: Spread = spread(&values, result_range::of(name));
            json!({ "figure": name, "meaning": RESULT_COLUMNS[i].meaning, "n": s.n, "mean": s.mean, "sd": s.sd, "lo": s.lo, "hi": s.hi })
        })
        .collect();
    let change = change_of(scenario).map(|c| json!({ "at": c.at, "target": c.target, "window": c.window }));
    let doc = json!({
        "tool": "tplus",
        "version": crate::results::VERSION,
        "scenario": scenario.simulation.name,
        "scenario_file": scenario_file.display().to_string(),
        "control": control,
        "events_removed": control,
        "seed": runs.first().map(|r| r.0),
        "replications": runs.len(),
        "seed_rule": SEED_RULE,
        "seeds": runs.iter().map(|r| r.0).collect::<Vec<_>>(),
        "change": change,
        "pairing": pairing_key(scenario),
        "interval": "95% t-interval of the mean over seeds: mean ± t(0.975, n − 1) · sd / √n, cut to the figure's range (a share's [0, 1], a correlation's [-1, 1], a count's [0, inf)), which keeps its coverage",
        "figures": figures,
    });
    write_file(dir, "replications.json", json_text(&doc).as_bytes())
}

/// A replications directory read back.
#[derive(Clone, Debug)]
pub struct ReplicationDir {
    /// The directory.
    pub dir: PathBuf,
    /// The scenario's name.
    pub scenario: String,
    /// Whether it is a control (events removed).
    pub control: bool,
    /// The seeds, in replication order.
    pub seeds: Vec<u64>,
    /// What must match for pairing (`pairing_key`).
    pub pairing: Value,
    /// The scenario's first scripted event, if any.
    pub change: Option<Change>,
    /// Per headline figure, its value for each seed (in `seeds` order).
    pub figures: BTreeMap<String, Vec<Option<f64>>>,
}

impl ReplicationDir {
    /// Reads `replications.json` and `replications.csv` of `dir`.
    pub fn read(dir: &Path) -> Result<ReplicationDir, ReplicateError> {
        let bad = |why: String| ReplicateError::NotReplications { dir: dir.to_path_buf(), why, source: None };
        let failed = |why: &str, e: Box<dyn std::error::Error + Send + Sync>| ReplicateError::NotReplications {
            dir: dir.to_path_buf(),
            why: why.to_string(),
            source: Some(e),
        };
        if dir.is_file() {
            return Err(bad("a file, not a directory".into()));
        }
        if !dir.is_dir() {
            return Err(bad("no such directory".into()));
        }
        let json_path = dir.join("replications.json");
        let text = std::fs::read_to_string(&json_path).map_err(|e| failed("replications.json", e.into()))?;
        let doc: Value = serde_json::from_str(&text).map_err(|e| failed("replications.json", e.into()))?;
        let seeds: Vec<u64> = doc["seeds"]
            .as_array()
            .ok_or_else(|| bad("replications.json has no seeds".into()))?
            .iter()
            .map(|s| s.as_u64().ok_or_else(|| bad("replications.json: a seed is not a number".into())))
            .collect::<Result<_, _>>()?;
        let change = doc["change"].as_object().and_then(|c| {
            Some(Change {
                at: c.get("at")?.as_str()?.to_string(),
                target: c.get("target")?.as_str()?.to_string(),
                window: usize::try_from(c.get("window")?.as_u64()?).ok()?,
            })
        });
        let csv_path = dir.join("replications.csv");
        let text = std::fs::read_to_string(&csv_path).map_err(FileError::at("read", &csv_path))?;
        let mut lines = text.lines();
        let header = split(lines.next().unwrap_or_default());
        let col = |name: &str| header.iter().position(|h| h == name);
        let seed_col = col("seed").ok_or_else(|| bad("replications.csv has no seed column".into()))?;
        let mut by_seed: BTreeMap<u64, Vec<String>> = BTreeMap::new();
        for line in lines {
            let fields = split(line);
            let seed = fields.get(seed_col).and_then(|s| s.parse().ok());
            match seed {
                Some(s) if fields.len() == header.len() => by_seed.insert(s, fields),
                _ => return Err(bad(format!("replications.csv: a malformed row `{line}`"))),
            };
        }
        let mut figures = BTreeMap::new();
        for name in figure_names() {
            let i = col(name).ok_or_else(|| bad(format!("replications.csv has no `{name}` column")))?;
            let mut values = Vec::with_capacity(seeds.len());
            for s in &seeds {
                let row = by_seed.get(s).ok_or_else(|| bad(format!("replications.csv has no row for seed {s}")))?;
                // Empty is n/a; anything else must be the number it was.
                let cell = row[i].as_str();
                let value = match cell {
                    "" => None,
                    _ => Some(cell.parse::<f64>().map_err(|_| {
                        bad(format!(
                            "replications.csv: seed {s}'s `{name}` is `{cell}`, not a number (the file was changed \
                             after the run: run the replications again)"
                        ))
                    })?),
                };
                values.push(value);
            }
            figures.insert(name.to_string(), values);
        }
        Ok(ReplicationDir {
            dir: dir.to_path_buf(),
            scenario: doc["scenario"].as_str().unwrap_or_default().to_string(),
            control: doc["control"].as_bool().unwrap_or(false),
            seeds,
            pairing: doc["pairing"].clone(),
            change,
            figures,
        })
    }

    /// The directory of the run with `seed`.
    pub fn run_dir(&self, seed: u64) -> PathBuf {
        run_dir(&self.dir, seed)
    }

    /// Checks that the run of `seed` is still this directory's: its
    /// `manifest.json` names the same seed and scenario. A run written
    /// over it afterwards (`tplus run --out DIR/runs/seed-S`, which tplus
    /// itself now refuses, or a copy) would otherwise be paired as if it
    /// were the replication, and `compare` would mix two experiments.
    ///
    /// A run, or a file of it the comparison reads, that is gone leaves the
    /// directory incomplete: the user's to fill by running the replications
    /// again (bad input, exit 2), not a failure to read.
    pub fn check_run(&self, seed: u64) -> Result<(), ReplicateError> {
        let run = format!("runs/seed-{seed}");
        let missing = |what: String| ReplicateError::Incomplete { dir: self.dir.clone(), seed, missing: what };
        if !self.run_dir(seed).is_dir() {
            return Err(missing(run));
        }
        for file in ["manifest.json", "metrics.csv"] {
            if !self.run_dir(seed).join(file).is_file() {
                return Err(missing(format!("{run}/{file}")));
            }
        }
        let path = self.run_dir(seed).join("manifest.json");
        let text = std::fs::read_to_string(&path).map_err(FileError::at("read", &path))?;
        let m: RunManifest = serde_json::from_str(&text).map_err(|e| ReplicateError::NotReplications {
            dir: self.dir.clone(),
            why: format!("runs/seed-{seed}/manifest.json cannot be read"),
            source: Some(e.into()),
        })?;
        let name = m.scenario.simulation.name.unwrap_or_default();
        if m.seed == Some(seed) && name == self.scenario {
            return Ok(());
        }
        let held = m.seed.map_or("no seed".into(), |s| format!("seed {s}"));
        Err(ReplicateError::NotReplications {
            dir: self.dir.clone(),
            why: format!(
                "runs/seed-{seed} holds a run of `{name}` with {held} (its manifest.json), not this directory's \
                 `{}` with seed {seed}: it was written over after the replications; run them again into a new directory",
                self.scenario
            ),
            source: None,
        })
    }

    /// Checks that the windows of the run of `seed` (its `metrics.csv`,
    /// read back per window) sum to the totals `replications.csv`
    /// holds for that seed. [`ReplicationDir::check_run`] compares names
    /// and seeds only, so a run of the same scenario name and seed but
    /// other parameters (a copy, a rerun after an edit) copied over the
    /// replication's would pass it, and `compare` would pair its windows
    /// with the other arm's as if they were this arm's.
    pub fn check_windows(&self, seed: u64, windows: &[Window]) -> Result<(), ReplicateError> {
        let Some(k) = self.seeds.iter().position(|s| *s == seed) else { return Ok(()) };
        let all = super::windows::between(windows, 0, windows.len());
        let sums = [
            ("sub_closed", all.buy.0),
            ("sub_filled", all.buy.1),
            ("sale_closed", all.sell.0),
            ("sale_filled", all.sell.1),
            ("volume", all.volume),
        ];
        for (name, sum) in sums {
            // A figure the file lacks (an older version's) is not compared.
            let Some(total) = self.figures.get(name).and_then(|v| v.get(k).copied().flatten()) else { continue };
            if total != sum as f64 {
                return Err(ReplicateError::NotReplications {
                    dir: self.dir.clone(),
                    why: format!(
                        "runs/seed-{seed}/metrics.csv's windows sum to {sum} for `{name}`, but replications.csv \
                         has {total} for seed {seed}: the run was written over after the replications; run them \
                         again into a new directory"
                    ),
                    source: None,
                });
            }
        }
        Ok(())
    }
}

/// `dir/runs/seed-S`.
pub fn run_dir(dir: &Path, seed: u64) -> PathBuf {
    dir.join("runs").join(format!("seed-{seed}"))
}
