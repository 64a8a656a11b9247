//! One run written as a run directory, the way `tplus run` writes it: the
//! directory taken ([`outdir::prepare_run_dir`]: created, locked, refused
//! when it holds anything unless `force`), the run made with any registry
//! of behaviours, its files written as it goes and `manifest.json` last. The
//! command line and a library user's own program share it, so a program
//! that registers its own behaviour writes the same folder the report,
//! `tplus replay` and pandas read.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use super::RunWriter;
use super::lock::DirLock;
use super::outdir::{self, OutDirError};
use crate::agents::Registry;
use crate::engine::record::Recorder;
use crate::engine::{self, Outcome, RunError, RunOptions};
use crate::metrics::Summary;
use crate::scenario::Scenario;

/// How [`run_to_dir`] treats the directory.
#[derive(Clone, Copy, Debug, Default)]
pub struct DirOptions {
    /// Write into a directory that holds files: first remove the files a
    /// run writes there (`manifest.json` first) and keep the rest.
    pub force: bool,
    /// Also write the operation log, `events.csv`.
    pub log_ops: bool,
}

/// A run written to its directory.
pub struct RunInDir {
    /// What the run did. Check [`Outcome::check`]: a run whose cash fails
    /// it is written too, and its `manifest.json` says why in `failure`.
    pub outcome: Outcome,
    /// The summary written to `summary.json`.
    pub summary: Summary,
    /// The directory's lock, held until dropped: keep it while writing
    /// more there (a report).
    pub lock: DirLock,
}

/// Why [`run_to_dir`] wrote no finished run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunDirError {
    /// The directory cannot be used (a file, held by another process, not
    /// empty without `force`, another command's output).
    #[error(transparent)]
    OutDir(#[from] OutDirError),
    /// A file could not be written; the run's files written so far are
    /// removed.
    #[error("cannot write results to {}: {source}", .dir.display())]
    Write {
        /// The run directory.
        dir: PathBuf,
        /// What the system said.
        #[source]
        source: io::Error,
    },
    /// The run itself failed (e.g. the registry lacks a family the
    /// scenario names).
    #[error("run failed for {}: {source}", .dir.display())]
    Run {
        /// The run directory.
        dir: PathBuf,
        /// Why.
        #[source]
        source: RunError,
    },
}

impl RunDirError {
    /// The exit code a command line gives it: 2 for a directory the user
    /// must change, 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        match self {
            RunDirError::OutDir(e) => e.exit_code(),
            _ => 1,
        }
    }
}

/// Runs `scenario` with the behaviours of `registry` into the run directory
/// `dir` (made if it is not there, and removed again if the run fails or
/// panics): `trades.csv`, `metrics.csv`, `summary.json`, `risk.csv`,
/// `manifest.json` (`events.csv` with `log_ops`, `credit_fit.csv` when the
/// scenario refits its scorecard), as `tplus run` writes them. `observer` sees every trade (and operation, if it wants
/// them) as the files do; pass [`engine::record::Discard`] for none.
///
/// ```no_run
/// use tplus::agents::Registry;
/// use tplus::engine::{RunOptions, record::Discard};
/// use tplus::results::run_dir::{DirOptions, run_to_dir};
///
/// let registry = Registry::builtin(); // and `registry.register::<MyBehaviour>()`
/// let scenario = tplus::scenario::load("scenarios/baseline.toml", &registry)?;
/// let run = run_to_dir(&scenario, &RunOptions::default(), &registry, "out/baseline".as_ref(), DirOptions::default(), &mut Discard)?;
/// run.outcome.check()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn run_to_dir(
    scenario: &Scenario,
    opts: &RunOptions,
    registry: &Registry,
    dir: &Path,
    how: DirOptions,
    observer: &mut (impl Recorder + ?Sized),
) -> Result<RunInDir, RunDirError> {
    let mut made = MadeDir { dir, made: !dir.exists() };
    let lock = outdir::prepare_run_dir(dir, how.force)?;
    let run = run_into(scenario, opts, registry, dir, lock, how.log_ops, observer, None)?;
    made.made = false;
    Ok(run)
}

/// A directory [`run_to_dir`] made for a run that went no further: removed
/// again when dropped, on an error or a panic unwinding out of a behaviour,
/// once the run's files and its lock are gone (so only while it is empty).
struct MadeDir<'a> {
    dir: &'a Path,
    made: bool,
}

impl Drop for MadeDir<'_> {
    fn drop(&mut self) {
        if self.made {
            let _ = std::fs::remove_dir(self.dir);
        }
    }
}

/// [`run_to_dir`] into a directory already taken, whose `lock` is held,
/// stopped early ([`RunError::Stopped`]) once `stop` is set. A run that
/// fails or stops leaves none of its files (their temporary names are
/// removed) and releases the lock.
#[allow(clippy::too_many_arguments)]
pub(crate) fn run_into(
    scenario: &Scenario,
    opts: &RunOptions,
    registry: &Registry,
    dir: &Path,
    lock: DirLock,
    log_ops: bool,
    observer: &mut (impl Recorder + ?Sized),
    stop: Option<&AtomicBool>,
) -> Result<RunInDir, RunDirError> {
    let write = |source| RunDirError::Write { dir: dir.to_path_buf(), source };
    let mut writer = RunWriter::create(dir, scenario, log_ops).map_err(write)?;
    let outcome = {
        let mut both = (&mut writer, observer);
        match stop {
            Some(stop) => engine::run_with_stop(scenario, opts, registry, &mut both, stop),
            None => engine::run_with(scenario, opts, registry, &mut both),
        }
        .map_err(|source| RunDirError::Run { dir: dir.to_path_buf(), source })?
    };
    let summary = writer.finish(dir, scenario, &outcome, opts.threads).map_err(write)?;
    Ok(RunInDir { outcome, summary, lock })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::record::{Discard, TradeRecord};

    /// Trades by buyer's group, and all of them.
    struct Tally<'a> {
        scenario: &'a Scenario,
        by_group: Vec<u64>,
        trades: u64,
    }

    impl Recorder for Tally<'_> {
        fn trade(&mut self, t: &TradeRecord) {
            self.trades += 1;
            if let Some(g) = self.scenario.group_of(t.buyer) {
                self.by_group[g] += 1;
            }
        }
    }

    #[test]
    fn a_run_is_written_whole_beside_an_observer_and_a_full_directory_refused() {
        let registry = Registry::builtin();
        let text = include_str!("../../scenarios/baseline.toml");
        let mut s = crate::scenario::parse(Path::new("baseline.toml"), text, &registry).unwrap();
        s.simulation.days = 1;
        let dir = std::env::temp_dir().join(format!("tplus-run-to-dir-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let mut tally = Tally { scenario: &s, by_group: vec![0; s.agents.len()], trades: 0 };
        let opts = RunOptions { seed: Some(7), threads: 1 };
        let run = run_to_dir(&s, &opts, &registry, &dir, DirOptions::default(), &mut tally).unwrap();
        run.outcome.check().unwrap();
        assert!(tally.trades > 0 && tally.trades == run.outcome.stats.trades, "the observer saw every trade");
        assert!(tally.by_group.iter().sum::<u64>() > 0);
        // Account ids: 1…N in group order.
        let first = s.agents[0].count as u32;
        let all = s.agents.iter().map(|g| g.count as u32).sum::<u32>();
        assert_eq!(
            [0, 1, first, first + 1, all, all + 1].map(|id| s.group_of(id)),
            [None, Some(0), Some(0), Some(1), Some(s.agents.len() - 1), None]
        );
        let trades = std::fs::read_to_string(dir.join("trades.csv")).unwrap();
        assert_eq!(trades.lines().count() as u64, tally.trades + 1, "header and one line a trade");
        assert!(dir.join("manifest.json").exists());
        drop(run);
        // Written twice, the same bytes; refused without `force`.
        let first = std::fs::read(dir.join("trades.csv")).unwrap();
        let e = run_to_dir(&s, &opts, &registry, &dir, DirOptions::default(), &mut Discard).err().unwrap();
        assert!(matches!(e, RunDirError::OutDir(OutDirError::NotEmpty { .. })) && e.exit_code() == 2, "{e}");
        let force = DirOptions { force: true, ..DirOptions::default() };
        drop(run_to_dir(&s, &opts, &registry, &dir, force, &mut Discard).unwrap());
        assert_eq!(std::fs::read(dir.join("trades.csv")).unwrap(), first);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    crate::behaviour_params! {
        /// Nothing to set but a level.
        pub struct HoardParams {
            /// Unused.
            level: f64 = 0.5, Real(0.0, 1.0), "a level from 0 to 1";
        }
    }

    /// Never trades; keeps 4 KiB of state per agent.
    struct Hoard;

    impl crate::agents::Behaviour for Hoard {
        type Params = HoardParams;
        type State = [u64; 512];
        const NAME: &'static str = "hoard";
        const ABOUT: &'static str = "keeps a large state and never trades";
        fn build(_: HoardParams, _: crate::agents::GroupSetup) -> Hoard {
            Hoard
        }
        fn init(&self, _: &mut crate::random::AgentRng) -> [u64; 512] {
            [0; 512]
        }
        fn decide(
            &self,
            _: crate::agents::Wake,
            _: &mut crate::agents::Agent<[u64; 512]>,
            _: &crate::agents::Context<'_>,
            _: &mut crate::agents::Actions,
        ) {
        }
    }

    /// Fails at its first decision, as a researcher's behaviour with a bug
    /// may.
    struct Bomb;

    impl crate::agents::Behaviour for Bomb {
        type Params = HoardParams;
        type State = ();
        const NAME: &'static str = "bomb";
        const ABOUT: &'static str = "panics when it first decides";
        fn build(_: HoardParams, _: crate::agents::GroupSetup) -> Bomb {
            Bomb
        }
        fn init(&self, _: &mut crate::random::AgentRng) {}
        fn decide(
            &self,
            _: crate::agents::Wake,
            _: &mut crate::agents::Agent<()>,
            _: &crate::agents::Context<'_>,
            _: &mut crate::agents::Actions,
        ) {
            panic!("the bomb behaviour's bug");
        }
    }

    /// A run that fails (its registry lacks a family) or panics (in a
    /// behaviour's `decide`) leaves no directory it made, and leaves one
    /// that was there before, empty.
    #[test]
    fn a_failed_or_panicking_run_leaves_no_directory_it_made() {
        let mut with_bomb = Registry::builtin();
        with_bomb.register::<Bomb>();
        let text = include_str!("../../scenarios/baseline.toml");
        let mut s = crate::scenario::parse(Path::new("baseline.toml"), text, &with_bomb).unwrap();
        s.simulation.days = 1;
        s.agents[0].family = "bomb".into();
        s.agents[0].params = toml::Table::new();
        let root = std::env::temp_dir().join(format!("tplus-run-to-dir-failed-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let opts = RunOptions { seed: Some(7), threads: 1 };
        let dir = root.join("new");
        let e = run_to_dir(&s, &opts, &Registry::builtin(), &dir, DirOptions::default(), &mut Discard).err().unwrap();
        assert!(matches!(e, RunDirError::Run { .. }), "{e}");
        assert!(!dir.exists(), "{e}");
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            run_to_dir(&s, &opts, &with_bomb, &dir, DirOptions::default(), &mut Discard).map(drop)
        }));
        assert!(panicked.is_err());
        assert!(!dir.exists());
        let kept = root.join("kept");
        std::fs::create_dir_all(&kept).unwrap();
        let e = run_to_dir(&s, &opts, &Registry::builtin(), &kept, DirOptions::default(), &mut Discard).err().unwrap();
        assert!(matches!(e, RunDirError::Run { .. }), "{e}");
        assert_eq!(std::fs::read_dir(&kept).unwrap().count(), 0);
        std::fs::remove_dir_all(&root).unwrap();
    }

    /// The manifest's memory estimate counts a user's behaviour at its own
    /// state's size, not at the built-in families' guess.
    #[test]
    fn the_manifest_estimates_memory_with_the_registry_the_run_used() {
        let mut registry = Registry::builtin();
        registry.register::<Hoard>();
        let text = include_str!("../../scenarios/baseline.toml");
        let mut s = crate::scenario::parse(Path::new("baseline.toml"), text, &registry).unwrap();
        s.simulation.days = 1;
        s.agents[0].family = "hoard".into();
        s.agents[0].params = toml::Table::new();
        let dir = std::env::temp_dir().join(format!("tplus-run-to-dir-memory-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let opts = RunOptions { seed: Some(7), threads: 1 };
        drop(run_to_dir(&s, &opts, &registry, &dir, DirOptions::default(), &mut Discard).unwrap());
        let manifest: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
        let written = manifest["memory"]["estimated_peak_bytes"].as_u64().unwrap();
        let with_registry = crate::engine::footprint::estimate(&s, &registry).memory();
        assert_eq!(written, with_registry);
        let hoarders = s.agents[0].count as u64 * 4096;
        assert!(
            with_registry
                > crate::engine::footprint::estimate(&s, &crate::agents::Registry::builtin()).memory() + hoarders / 2
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
