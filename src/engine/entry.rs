//! Where a run starts: the entry points that build the engine for a
//! scenario and run it to its end, on the calling thread or in a pool of
//! worker threads, optionally stopped early by a front end's flag; and why
//! a run could not start or finish ([`RunError`]).

use std::sync::atomic::AtomicBool;

use super::record::Recorder;
use super::{Engine, Outcome, RunOptions};
use crate::agents::Registry;
use crate::scenario::Scenario;

/// Runs a validated scenario to the end with the built-in behaviours.
pub fn run(scenario: &Scenario, opts: &RunOptions, rec: &mut dyn Recorder) -> Result<Outcome, RunError> {
    run_with(scenario, opts, &Registry::builtin(), rec)
}

/// Runs a scenario validated against `registry` to the end, its groups'
/// behaviours taken from `registry`: the entry point for a library user's
/// own behaviours.
pub fn run_with(
    scenario: &Scenario,
    opts: &RunOptions,
    registry: &Registry,
    rec: &mut dyn Recorder,
) -> Result<Outcome, RunError> {
    run_until(scenario, opts, registry, rec, None)
}

/// [`run_with`], stopped early ([`RunError::Stopped`]) once `stop` is set:
/// a front end's cancellation (Ctrl-C in Python). The flag is read at each
/// boundary of the run (window, price-grid point, primary instalment), a
/// few simulated seconds apart.
pub fn run_with_stop(
    scenario: &Scenario,
    opts: &RunOptions,
    registry: &Registry,
    rec: &mut dyn Recorder,
    stop: &AtomicBool,
) -> Result<Outcome, RunError> {
    run_until(scenario, opts, registry, rec, Some(stop))
}

fn run_until(
    scenario: &Scenario,
    opts: &RunOptions,
    registry: &Registry,
    rec: &mut dyn Recorder,
    stop: Option<&AtomicBool>,
) -> Result<Outcome, RunError> {
    let threads = opts.threads.max(1);
    let mut start = |parallel| {
        let mut engine = Engine::new(scenario, opts, registry, rec, parallel)?;
        engine.stop = stop;
        let mut outcome = engine.run()?;
        outcome.params_in_effect =
            scenario.agents.iter().map(|g| registry.params_in_effect(g.behaviour(), &g.params)).collect();
        Ok(outcome)
    };
    if threads == 1 {
        return start(false);
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| RunError::Threads { threads, source: e })?;
    pool.install(|| start(true))
}

/// Why a run could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// The worker threads could not be started.
    #[error("cannot start {threads} worker threads: {source}")]
    Threads {
        /// How many were asked for.
        threads: usize,
        /// The pool's error.
        source: rayon::ThreadPoolBuildError,
    },
    /// The scenario breaks a rule of the scenario format (one built or
    /// changed in code without [`crate::scenario::check`]).
    #[error("{}: {} (accepted: {})", .0.field, .0.message, .0.accepted)]
    Invalid(crate::scenario::Invalid),
    /// The run was stopped before its end ([`run_with_stop`]).
    #[error("the run was stopped before its end")]
    Stopped,
    /// A group's behaviour failed and can decide no more
    /// ([`crate::agents::Population::halted`]): the run stopped at the next boundary.
    #[error("agents[{group}]: {reason}")]
    Halted {
        /// The group's index.
        group: usize,
        /// Why, in the behaviour's words.
        reason: String,
    },
    /// A group's family or parameters do not fit the registry the run uses
    /// (a scenario validated against another registry).
    #[error("agents[{group}].{}: {} (accepted: {})", .invalid.field, .invalid.message, .invalid.accepted)]
    Group {
        /// The group's index.
        group: usize,
        /// What is wrong.
        invalid: crate::scenario::Invalid,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::record::Discard;

    /// A stop flag set stops the run at its first boundary, whatever the
    /// threads; unset, the run is the one `run_with` makes.
    #[test]
    fn a_stop_flag_stops_the_run() {
        let registry = Registry::builtin();
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml");
        let mut s = crate::scenario::load(&path, &registry).unwrap();
        s.simulation.days = 1;
        for threads in [1, 2] {
            let opts = RunOptions { seed: None, threads };
            let stop = AtomicBool::new(true);
            let out = run_with_stop(&s, &opts, &registry, &mut Discard, &stop);
            assert!(matches!(out, Err(RunError::Stopped)), "{:?}", out.err());
        }
        let opts = RunOptions { seed: None, threads: 1 };
        let free = run_with_stop(&s, &opts, &registry, &mut Discard, &AtomicBool::new(false)).unwrap();
        let plain = run_with(&s, &opts, &registry, &mut Discard).unwrap();
        assert_eq!(free.stats.trades, plain.stats.trades);
        assert!(plain.stats.trades > 0);
    }
}
