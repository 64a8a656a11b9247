//! `manifest.json`, one type for its writer and its readers: the run
//! directory's writer ([`super::RunWriter::finish`]) serialises a
//! [`Manifest`] of the scenario it ran (`Manifest<&Scenario, &RunStats>`)
//! and the report deserialises the same type with the parts of the scenario
//! it reads ([`RunManifest`]: `Manifest<RecordedScenario, RunStats>`), so a
//! key renamed in one is renamed in the other. A missing value reads as its
//! default (a run from an older version lacks some), a value of the wrong
//! type is an error naming its path.

use serde::{Deserialize, Serialize};

use crate::engine::RunStats;

/// `manifest.json`: what ran, with what, how it went and which files it
/// wrote. `S` is the scenario (the whole [`crate::scenario::Scenario`] when
/// written, a [`RecordedScenario`] when read back), `C` the run's counts.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Manifest<S, C> {
    /// `tplus`.
    pub tool: String,
    /// The tplus version that wrote the run.
    pub version: Option<String>,
    /// When the run was written, `2026-11-25T06:15:00Z`.
    pub created_utc: String,
    /// The run's seed (the scenario's, or `--seed`).
    pub seed: Option<u64>,
    /// Worker threads for agent decisions (results do not depend on them).
    pub threads: usize,
    /// The engine's wall time for the run, in seconds.
    pub wall_seconds: f64,
    /// The run's memory: estimated before it and measured.
    pub memory: MemoryUse,
    /// Counts of what the run did.
    pub counts: C,
    /// Whether the cash in the market at the end is the cash at the start.
    pub cash_conserved: bool,
    /// Whether every account ended with nothing negative.
    pub accounts_non_negative: bool,
    /// Why the run's cash cannot be trusted; None (null) when it can.
    pub failure: Option<String>,
    /// The files the run wrote, `manifest.json` aside.
    pub files: Vec<String>,
    /// Each of those files' size in bytes as the run wrote it, by name: a
    /// file cut short or changed since (a copy that stopped, an editor)
    /// can be told from a run that went otherwise. Empty in a manifest from
    /// before the sizes.
    pub file_bytes: std::collections::BTreeMap<String, u64>,
    /// The scenario as run (validated, every default filled in).
    pub scenario: S,
}

/// A run's memory: what `tplus check` estimated and what the process used.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MemoryUse {
    /// The estimated peak, in bytes.
    pub estimated_peak_bytes: u64,
    /// The process's peak resident set so far (all runs of a sweep worker
    /// included); null where the system does not say.
    pub process_peak_rss_bytes: Option<u64>,
}

/// `manifest.json` as read back.
pub type RunManifest = Manifest<RecordedScenario, RunStats>;

/// The parts of the recorded scenario a reader of `manifest.json` uses,
/// under the names the scenario's own serialisation gives them (a test
/// writes a scenario's manifest and reads these back).
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct RecordedScenario {
    /// `[simulation]`.
    pub simulation: RecordedSimulation,
    /// `[metrics]`.
    pub metrics: RecordedMetrics,
    /// `[[events]]`: the scripted events, live changes saved from the live
    /// view included.
    pub events: Vec<RecordedEvent>,
}

/// What a reader uses of the recorded `[simulation]`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct RecordedSimulation {
    /// The scenario's name.
    pub name: Option<String>,
}

/// What a reader uses of the recorded `[metrics]`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct RecordedMetrics {
    /// K of the rolling correlations.
    pub rolling_windows: Option<u64>,
}

/// A recorded scripted event, as the scenario writes it.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct RecordedEvent {
    /// When: `day N HH:MM[:SS]`.
    pub at: String,
    /// What it changes, by the scenario's name for it (`loan_rate`, …).
    pub target: String,
    /// By how much (a change), if so.
    #[serde(default)]
    pub change: Option<f64>,
    /// To what (a value), if so.
    #[serde(default)]
    pub value: Option<f64>,
    /// The product it applies to, if one.
    #[serde(default)]
    pub product: Option<String>,
    /// The group it applies to, if one.
    #[serde(default)]
    pub group: Option<i64>,
    /// The live parameter a `group_param` event changes.
    #[serde(default)]
    pub param: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the writer writes, the reader reads back whole: the same type
    /// both ways (here with the scenario as a JSON tree).
    #[test]
    fn a_manifest_round_trips() {
        let scenario = serde_json::json!({
            "simulation": {"name": "x", "seed": 7},
            "metrics": {"rolling_windows": 12},
            "events": [{"at": "day 1 12:00", "target": "loan_rate", "change": 0.015}],
        });
        let counts = RunStats { events: 10, wakeups: 4, orders: 3, trades: 2, largest_batch: 2, ..RunStats::default() };
        let written = Manifest {
            tool: "tplus".to_string(),
            version: Some("0.1.0".to_string()),
            created_utc: "2026-11-25T06:15:00Z".to_string(),
            seed: Some(7),
            threads: 2,
            wall_seconds: 0.25,
            memory: MemoryUse { estimated_peak_bytes: 1 << 20, process_peak_rss_bytes: Some(3 << 20) },
            counts: &counts,
            cash_conserved: true,
            accounts_non_negative: true,
            failure: None,
            files: vec!["metrics.csv".to_string()],
            file_bytes: [("metrics.csv".to_string(), 1234)].into(),
            scenario: &scenario,
        };
        let text = serde_json::to_string_pretty(&written).unwrap();
        let read: Manifest<serde_json::Value, RunStats> = serde_json::from_str(&text).unwrap();
        assert_eq!(read.counts, counts);
        assert_eq!(read.scenario, scenario);
        assert_eq!(serde_json::to_string_pretty(&read).unwrap(), text, "written again, the same text");
        // The reader's own view of the scenario.
        let run: RunManifest = serde_json::from_str(&text).unwrap();
        assert_eq!((run.seed, run.version.as_deref(), run.threads), (Some(7), Some("0.1.0"), 2));
        assert_eq!(run.scenario.simulation.name.as_deref(), Some("x"));
        assert_eq!(run.scenario.metrics.rolling_windows, Some(12));
        let e = &run.scenario.events[0];
        assert_eq!(
            (e.at.as_str(), e.target.as_str(), e.change, e.value),
            ("day 1 12:00", "loan_rate", Some(0.015), None)
        );
        // A run from an older version, without most keys, reads as defaults.
        let old: RunManifest = serde_json::from_str(r#"{"seed": 3}"#).unwrap();
        assert_eq!(old, RunManifest { seed: Some(3), ..RunManifest::default() });
        // A wrong type is an error, not a default.
        assert!(serde_json::from_str::<RunManifest>(r#"{"seed": "3"}"#).is_err());
    }
}
