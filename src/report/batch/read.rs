//! Reading a sweep directory: the parameters from `sweep.json` and the rows
//! of `sweep.csv`, by column name, so that older or partial files still read.

use std::path::Path;

use serde_json::Value;
use serde_json::error::Category;

use super::super::{ReportError, check_dir, read_needed};
use super::keys::KEYS;
use crate::batch::sweep_json::RecordedSweepJson;
use crate::columns;

/// What is wrong in a sweep's file (`sweep.json` or `sweep.csv`): typed, so
/// that a caller can tell a cut-short file from another tool's;
/// [`ReportError::GarbledSweep`] adds the file's path.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SweepParseError {
    /// `sweep.json` does not parse.
    #[error("not JSON: {0}")]
    Json(#[source] serde_json::Error),
    /// `sweep.json` has no `definition`: another tool's file, or a sweep's
    /// cut short before its definition was written.
    #[error("has no `definition` object: not a sweep's")]
    NoDefinition,
    /// The definition has no `sweep` object.
    #[error("has no `definition.sweep` object")]
    NoSweep,
    /// The sweep's `params` is missing or not a list.
    #[error("`definition.sweep.params` is not a list")]
    ParamsNotAList,
    /// A parameter has no path to name its column.
    #[error("`definition.sweep.params[{index}].path` is missing or not a string")]
    NoParamPath {
        /// The parameter's index in `params`, from 0.
        index: usize,
    },
    /// A member of `sweep.json` is not what the writer's type holds there
    /// (a missing or `null` one is no error).
    #[error("`{path}`: {source}")]
    Member {
        /// The member's path, e.g. `definition.sweep.seed`.
        path: String,
        /// What serde found wrong with it.
        #[source]
        source: serde_json::Error,
    },
    /// `sweep.csv` has no header line.
    #[error("is empty")]
    Empty,
    /// `sweep.csv` lacks a column every sweep writes.
    #[error("lacks the column `{0}`")]
    MissingColumn(&'static str),
    /// `sweep.csv` lacks the column of a parameter `sweep.json` defines.
    #[error("lacks the column `{0}` of a parameter in sweep.json")]
    MissingParamColumn(String),
    /// A complete line has more or fewer fields than the header.
    #[error("line {line}: {fields} fields, the header has {columns}")]
    FieldCount {
        /// The line, from 1.
        line: usize,
        /// Fields in the line.
        fields: usize,
        /// Columns in the header.
        columns: usize,
    },
    /// A row's `digest` is not the hash of its text before it: a result or
    /// the status was edited, or the row damaged (`tplus merge` refuses such
    /// a row, and a resumed sweep computes its run again).
    #[error(
        "line {line}: {source}; `tplus sweep` run again on this directory computes that run again, or take the \
         row out"
    )]
    Digest {
        /// The line, from 1.
        line: usize,
        /// What the check found.
        #[source]
        source: crate::batch::csv::BadRow,
    },
    /// A cell does not hold what its column does.
    #[error("line {line}: `{column}` is `{value}`, not {expected}")]
    BadCell {
        /// The line, from 1.
        line: usize,
        /// The column's name.
        column: &'static str,
        /// The cell as written.
        value: String,
        /// What the column holds, e.g. `a whole number`.
        expected: &'static str,
    },
    /// A run is in `sweep.csv` twice: its replications would be counted
    /// twice over, and the intervals drawn too narrow.
    #[error(
        "line {line}: point {point} replication {replication} is also on line {first}: a run in the file twice (a \
         copy or a concatenation gone wrong); take one of the two out, or `tplus merge` the shards into a fresh \
         directory"
    )]
    TwiceOver {
        /// The later line, from 1.
        line: usize,
        /// The line it is first on.
        first: usize,
        /// Its point.
        point: usize,
        /// Its replication.
        replication: u64,
    },
    /// A row's point or replication is outside the sweep `sweep.json`
    /// defines: a row of another sweep.
    #[error(
        "line {line}: point {point} replication {replication} is not a run of this sweep ({points} points × \
         {replications} replications in sweep.json): a row of another sweep; take it out"
    )]
    OutsideSweep {
        /// The line, from 1.
        line: usize,
        /// Its point.
        point: usize,
        /// Its replication.
        replication: u64,
        /// Points the sweep defines.
        points: u64,
        /// Replications of each.
        replications: u64,
    },
    /// `sweep.csv` holds no complete row: no run has finished.
    #[error(
        "holds no finished run: a sweep stopped before its first run ended (run it again to resume it, then report), or a shard given no point of the sweep"
    )]
    NoRuns,
    /// `sweep.csv` has none of the key results the report plots.
    #[error("has none of the key result columns (`sub_success`, `sale_success`, `volume`, …)")]
    NoKeyColumns,
}

/// A swept parameter, as `sweep.json` defines it.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamInfo {
    /// The scenario path, which is also its column in `sweep.csv`.
    pub path: String,
    /// Its domain is log-uniform or log-normal: drawn on a log axis.
    pub log: bool,
    /// The parameter in words, for figure titles (`buy_prob of group 3,
    /// zero_intelligence`); the path when there are none.
    pub name: String,
    /// `name` with its unit, for an axis (`… (probability)`).
    pub title: String,
    /// What a behaviour parameter means, in its family's words, as
    /// `sweep.json` recorded them.
    pub doc: Option<String>,
}

/// One row of `sweep.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepRow {
    /// Index of the sweep point (the `point` column).
    pub point: usize,
    /// Replication of the point, from 0 (the `replication` column).
    pub replication: u64,
    /// `status` is `ok`.
    pub ok: bool,
    /// The parameter cells, in [`SweepData::params`] order.
    pub values: Vec<String>,
    /// The key-result cells, in [`SweepData::present`] order; `None` is empty.
    pub results: Vec<Option<f64>>,
}

/// What a sweep directory holds, as read.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepData {
    /// The sweep's name, from `sweep.json`.
    pub name: Option<String>,
    /// The scenario the sweep varies, from `sweep.json`.
    pub scenario: Option<String>,
    /// The sweep's seed, from `sweep.json`: each run's seed derives from it.
    pub seed: Option<u64>,
    /// `grid`, `random` or `latin_hypercube`.
    pub design: Option<String>,
    /// Replications of each point.
    pub replications: Option<u64>,
    /// Runs the definition has (all shards).
    pub planned_runs: Option<u64>,
    /// The parameters varied, in `sweep.csv` column order.
    pub params: Vec<ParamInfo>,
    /// The key-result columns that `sweep.csv` has, in [`KEYS`] order.
    pub present: Vec<&'static str>,
    /// Sorted by (point, replication).
    pub rows: Vec<SweepRow>,
    /// A last line cut short (no line break, wrong field count) was left out.
    pub cut_line: bool,
}

impl SweepData {
    /// The index in `present` of a column.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.present.iter().position(|c| *c == name)
    }
}

/// Whether a directory is a sweep's: it holds `sweep.csv` or `sweep.json`.
pub fn is_sweep_dir(dir: &Path) -> bool {
    dir.is_dir() && (dir.join("sweep.csv").exists() || dir.join("sweep.json").exists())
}

/// The parts of `sweep.json` the report uses.
pub(super) struct Definition {
    name: Option<String>,
    scenario: Option<String>,
    seed: Option<u64>,
    design: Option<String>,
    replications: Option<u64>,
    runs: Option<u64>,
    pub(super) params: Vec<ParamInfo>,
}

pub(super) fn parse_definition(text: &str) -> Result<Definition, SweepParseError> {
    // Through the writer's own types: a missing or null member is None, one
    // of the wrong type an error naming its path.
    let mut de = serde_json::Deserializer::from_str(text);
    let doc: RecordedSweepJson = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let e = e.into_inner();
        match e.classify() {
            Category::Data => SweepParseError::Member { path, source: e },
            Category::Io | Category::Syntax | Category::Eof => SweepParseError::Json(e),
        }
    })?;
    de.end().map_err(SweepParseError::Json)?;
    let def = doc.definition.ok_or(SweepParseError::NoDefinition)?;
    let sweep = def.sweep.ok_or(SweepParseError::NoSweep)?;
    let base = Some(&def.base_scenario).filter(|b| !b.is_null());
    let params = sweep
        .params
        .ok_or(SweepParseError::ParamsNotAList)?
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            let path = p.path.ok_or(SweepParseError::NoParamPath { index: i })?;
            let log = p
                .domain
                .as_ref()
                .and_then(Value::as_object)
                .is_some_and(|d| d.contains_key("loguniform") || d.contains_key("lognormal"));
            let accepted = p.meaning.as_ref().and_then(|m| m.accepted.as_deref());
            let (name, title) = super::words::param_words(&path, base, accepted);
            let doc = p.meaning.and_then(|m| m.doc);
            Ok(ParamInfo { path, log, name, title, doc })
        })
        .collect::<Result<Vec<_>, SweepParseError>>()?;
    Ok(Definition {
        name: sweep.name,
        scenario: sweep.scenario,
        seed: sweep.seed,
        design: sweep.design,
        replications: sweep.replications,
        runs: def.runs,
        params,
    })
}

/// Parses `sweep.csv` for the parameters of `def`, each run at most once
/// and, where `sweep.json` says how many there are, within the sweep.
/// Errors name the line.
pub(super) fn parse_csv(
    text: &str,
    def: &Definition,
) -> Result<(Vec<&'static str>, Vec<SweepRow>, bool), SweepParseError> {
    let params = &def.params;
    let shape = def.replications.filter(|&r| r > 0).zip(def.runs).map(|(r, runs)| (runs / r, r));
    let mut seen = std::collections::HashMap::new();
    let mut lines = text.split_inclusive('\n').enumerate().filter(|(_, l)| !l.trim().is_empty());
    let Some((_, header)) = lines.next() else {
        return Err(SweepParseError::Empty);
    };
    let header = crate::batch::csv::split(header.trim_end_matches(['\n', '\r']));
    let find = |name: &str| header.iter().position(|c| c == name);
    let need = |name: &'static str| find(name).ok_or(SweepParseError::MissingColumn(name));
    let (i_point, i_rep, i_status) = (
        need(columns::name!(columns::sweep::KEY, "point"))?,
        need(columns::name!(columns::sweep::KEY, "replication"))?,
        need(columns::name!(columns::sweep::STATUS, "status"))?,
    );
    // A sweep written before rows had a digest has no such column.
    let i_digest = find(columns::name!(columns::sweep::DIGEST, "digest"));
    let i_params = params
        .iter()
        .map(|p| find(&p.path).ok_or_else(|| SweepParseError::MissingParamColumn(p.path.clone())))
        .collect::<Result<Vec<_>, SweepParseError>>()?;
    let mut present = Vec::new();
    let mut i_results = Vec::new();
    for (col, _) in KEYS.iter().flat_map(|k| k.series) {
        if let Some(i) = find(col) {
            present.push(*col);
            i_results.push(i);
        }
    }
    let mut rows = Vec::new();
    let mut cut = false;
    for (i, raw) in lines {
        let line_no = i + 1;
        let complete = raw.ends_with('\n');
        let fields = crate::batch::csv::split(raw.trim_end_matches(['\n', '\r']));
        if fields.len() != header.len() {
            if !complete {
                cut = true;
                continue;
            }
            return Err(SweepParseError::FieldCount { line: line_no, fields: fields.len(), columns: header.len() });
        }
        if i_digest.is_some()
            && let Err(source) = crate::batch::csv::check_digest(raw.trim_end_matches(['\n', '\r']))
        {
            // A last line cut inside its digest is a line cut short.
            if !complete {
                cut = true;
                continue;
            }
            return Err(SweepParseError::Digest { line: line_no, source });
        }
        let bad = |column: &'static str, expected: &'static str, cell: &str| SweepParseError::BadCell {
            line: line_no,
            column,
            value: cell.to_string(),
            expected,
        };
        let point = fields[i_point].trim().parse().map_err(|_| bad("point", "a whole number", &fields[i_point]))?;
        let replication =
            fields[i_rep].trim().parse().map_err(|_| bad("replication", "a whole number", &fields[i_rep]))?;
        if let Some(first) = seen.insert((point, replication), line_no) {
            return Err(SweepParseError::TwiceOver { line: line_no, first, point, replication });
        }
        if let Some((points, replications)) = shape
            && (point as u64 >= points || replication >= replications)
        {
            return Err(SweepParseError::OutsideSweep { line: line_no, point, replication, points, replications });
        }
        let ok = match fields[i_status].trim() {
            "ok" => true,
            "failed" => false,
            s => return Err(bad("status", "`ok` or `failed`", s)),
        };
        let values = i_params.iter().map(|&c| fields[c].clone()).collect();
        let results = i_results
            .iter()
            .zip(&present)
            .map(|(&c, name)| {
                let cell = fields[c].trim();
                if cell.is_empty() {
                    return Ok(None);
                }
                match cell.parse::<f64>() {
                    Ok(v) if v.is_finite() => Ok(Some(v)),
                    _ if !ok => Ok(None),
                    _ => Err(bad(name, "a number", cell)),
                }
            })
            .collect::<Result<Vec<_>, SweepParseError>>()?;
        rows.push(SweepRow { point, replication, ok, values, results });
    }
    rows.sort_by_key(|r| (r.point, r.replication));
    Ok((present, rows, cut))
}

/// Reads `sweep.json` and `sweep.csv` (both needed) from a sweep directory.
pub fn read_sweep(dir: &Path) -> Result<SweepData, ReportError> {
    check_dir(dir)?;
    let need = |name: &str| read_needed(dir, name);
    let (json_path, json) = need("sweep.json")?;
    let (csv_path, csv) = need("sweep.csv")?;
    let def = parse_definition(&json).map_err(|e| ReportError::GarbledSweep(json_path, e))?;
    let table = parse_csv(&csv, &def).map_err(|e| ReportError::GarbledSweep(csv_path, e))?;
    Ok(SweepData::new(def, table))
}

impl SweepData {
    pub(super) fn new(
        def: Definition,
        (present, rows, cut_line): (Vec<&'static str>, Vec<SweepRow>, bool),
    ) -> SweepData {
        SweepData {
            name: def.name,
            scenario: def.scenario,
            seed: def.seed,
            design: def.design,
            replications: def.replications,
            planned_runs: def.runs,
            params: def.params,
            present,
            rows,
            cut_line,
        }
    }
}
