//! `sweep.json`, one type for its writers and its readers: a sweep and a
//! merge write a [`SweepJson`] of the checked sweep's [`Definition`], and
//! the report reads the same types back ([`RecordedSweepJson`]) with the
//! parts of the sweep it uses, so a key renamed in one is renamed in the
//! other (a test writes a sweep's definition and reads it back).

use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The whole file: the definition, the same for a sweep, each of its
/// shards and their merge, and the provenance, which differs.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SweepJson<D, P> {
    /// What was run: a function of the sweep file and the base scenario alone.
    pub definition: D,
    /// Where, when and how it ran (shard, invocations, merge).
    pub provenance: P,
}

/// The deterministic part of `sweep.json`. `S` is the sweep, `B` the base
/// scenario, `Pt` the design's points.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Definition<S, B, Pt> {
    /// `tplus`.
    pub tool: String,
    /// The tplus version that ran the sweep.
    pub version: String,
    /// The sweep as checked: name, scenario, seed, replications, design, parameters.
    pub sweep: S,
    /// The base scenario as resolved.
    pub base_scenario: B,
    /// How each run's seed derives from the sweep's, in words.
    pub seeds: String,
    /// The design's points.
    pub points: Pt,
    /// Runs planned: points × replications.
    pub runs: Option<u64>,
    /// The columns of `sweep.csv`, in order.
    pub columns: Vec<String>,
}

/// `sweep.json` as the report reads it: a definition, if there is one, and
/// the provenance skipped.
pub type RecordedSweepJson = SweepJson<Option<RecordedDefinition>, IgnoredAny>;

/// The definition as the report reads it: the sweep, if there is one, and
/// the base scenario as a JSON tree (parameters' words come from it).
pub type RecordedDefinition = Definition<Option<RecordedSweep>, Value, IgnoredAny>;

/// What the report uses of the recorded sweep, under the names the
/// sweep's own serialisation gives them.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct RecordedSweep {
    /// The sweep's name.
    pub name: Option<String>,
    /// The base scenario's path as written in the sweep file.
    pub scenario: Option<String>,
    /// The sweep's seed.
    pub seed: Option<u64>,
    /// `grid`, `random` or `latin_hypercube`.
    pub design: Option<String>,
    /// Runs of each point.
    pub replications: Option<u64>,
    /// The varied parameters, in order (None: missing or null).
    pub params: Option<Vec<RecordedParam>>,
}

/// A recorded parameter.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct RecordedParam {
    /// Its path into the scenario (names its `sweep.csv` column).
    pub path: Option<String>,
    /// Its values, range or distribution, as written.
    pub domain: Option<Value>,
    /// A behaviour parameter's family.
    pub family: Option<String>,
    /// A behaviour parameter's meaning, in its family's words (absent from
    /// a sweep an older `tplus` wrote).
    pub meaning: Option<RecordedMeaning>,
}

/// A recorded behaviour parameter's meaning
/// ([`crate::scenario::ParamMeaning`]).
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct RecordedMeaning {
    /// What it means, with its unit.
    pub doc: Option<String>,
    /// The values accepted, in words.
    pub accepted: Option<String>,
}
