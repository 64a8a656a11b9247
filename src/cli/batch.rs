//! `tplus sweep` and `tplus merge`: argument parsing and the human-facing
//! text; the work is in `crate::batch`.
//!
//! Exit status: 0 success; 1 a failure while running or writing, or a sweep
//! that finished with failed runs (their rows say why); 2 a bad sweep file,
//! bad arguments, an output directory holding another sweep, or shards
//! that do not make up the sweep (`merge`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::interrupt;
use super::limits::human;
use crate::agents::Registry;
use crate::batch::{self, BatchError, BatchOptions, Shard, Show};
use crate::scenario::{self, DesignKind, Domain, Sweep, value_text};

#[derive(clap::Args, Debug)]
pub struct SweepArgs {
    /// Sweep file (TOML), e.g. scenarios/sweeps/herding_x_loan.toml.
    pub file: PathBuf,
    /// Output directory (default: results/sweeps/<name>, or
    /// results/sweeps/<name>/shard-K-of-N with --shard). Running the same
    /// command again resumes an interrupted sweep there.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Runs done at once, each on one thread (default: all cores).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=i64::from(crate::engine::MAX_THREADS)))]
    pub jobs: Option<u16>,
    /// Run only shard K of N (1 ≤ K ≤ N): the points p with p mod N = K − 1.
    /// Join the shards' directories with `tplus merge`.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,
    /// Also keep each run's full results in <out>/runs/pPPPPP-rRRR/.
    #[arg(long)]
    pub keep_runs: bool,
    /// On resume, compute again the runs recorded as failed.
    #[arg(long)]
    pub retry_failed: bool,
    /// Check the sweep file, every point and the output directory, print what it describes, run nothing.
    #[arg(long)]
    pub check: bool,
    /// No progress; print only the output directory.
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub memory: super::limits::MemoryLimit,
}

#[derive(clap::Args, Debug)]
pub struct MergeArgs {
    /// Output directories of the shards (or other pieces) of one sweep.
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// Directory for the merged sweep.csv and sweep.json.
    #[arg(long)]
    pub out: PathBuf,
}

/// Points from which `tplus sweep` says it is checking them: 60,000 took
/// 6.6 s on this project's 2-core machine (the baseline's scenario).
const CHECK_NOTICE_POINTS: usize = 50_000;

/// `tplus sweep`.
pub fn sweep(args: SweepArgs, registry: &Registry) -> ExitCode {
    let def = match scenario::load_sweep(&args.file, registry) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let points = batch::expand(&def);
    // Every point's scenario is built and validated first (about 0.2 ms of
    // CPU each): a large design would otherwise sit silent for minutes.
    if points.len() >= CHECK_NOTICE_POINTS && !args.quiet {
        eprintln!("tplus sweep: checking the scenarios of {} points before any run…", points.len());
    }
    if let Err(e) = def.check_points(&points, registry) {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    let jobs = args.jobs.map_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()), usize::from);
    let selected = points.iter().filter(|p| args.shard.is_none_or(|s| s.has(p.index))).count();
    let memory = super::limits::sweep_fits(&args.file, &def, &points, selected, jobs, super::max_memory(), registry);
    let needs = match memory {
        Ok(needs) => needs,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let out = args.out.clone().unwrap_or_else(|| default_out(&def, args.shard));
    if args.check {
        // The output directory as the sweep would find it, read only: one it
        // would refuse is refused now, not after the user queued the job.
        let resumes = match batch::check_out(&def, &points, &out, args.shard) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(e.exit_status());
            }
        };
        // A writer there now is told, not refused: it may be done by the
        // time the sweep runs.
        let holder = crate::results::lock::holder(&out).map(|e| e.to_string());
        print!("{}", describe(&args, &def, &points, &out, resumes, holder.as_deref(), needs));
        return ExitCode::SUCCESS;
    }
    let opts = BatchOptions {
        out,
        jobs,
        shard: args.shard,
        keep_runs: args.keep_runs,
        retry_failed: args.retry_failed,
        show: if args.quiet { Show::Quiet } else { Show::Auto },
        command: std::env::args().collect(),
        registry: registry.clone(),
    };
    if let Some(s) = args.shard.filter(|_| selected == 0) {
        eprintln!("warning: {}", empty_shard(s, points.len()));
    }
    interrupt::on_stop(&opts.out, def.runs(selected));
    match batch::run(&def, &points, &opts) {
        Ok(report) => {
            note_removed_report(report.removed_report, "the rows an earlier invocation left", &report.dir);
            if !report.other_builds.is_empty() {
                eprintln!(
                    "warning: rows kept from before were computed by another build of tplus ({}), the new ones by \
                     {}: if the model changed between them, the rows differ by more than their seeds; to have one \
                     build's rows, run the sweep again into a fresh --out",
                    report.other_builds.join("; "),
                    crate::results::VERSION
                );
            }
            if args.quiet {
                println!("{}", report.dir.display());
            } else {
                println!(
                    "sweep `{}`: {}{} done in {:.2} s on {} worker(s): {} computed, {} kept from before, {} failed",
                    def.name,
                    super::count(report.runs as u64, "run"),
                    args.shard.map_or(String::new(), |s| format!(" (shard {s})")),
                    report.wall_seconds,
                    jobs,
                    report.computed,
                    report.kept,
                    report.failed
                );
                println!("  results in {}", report.dir.join("sweep.csv").display());
            }
            if report.failed > 0 {
                eprintln!(
                    "error: {} run(s) failed (status = failed in {}); run again with --retry-failed to compute them again",
                    report.failed,
                    report.dir.join("sweep.csv").display()
                );
                return ExitCode::from(1);
            }
            ExitCode::SUCCESS
        }
        // The stop thread `on_stop` started sealed the appends: it is
        // recording the invocation and ends the process with the signal's
        // status. Returning would end it first, the record unwritten.
        Err(BatchError::Stopped(_)) => loop {
            std::thread::park();
        },
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_status())
        }
    }
}

/// Says on stderr that `n` files of a report drawn from `from` were
/// removed from `dir` (none: nothing said), and how to draw it again.
fn note_removed_report(n: usize, from: &str, dir: &Path) {
    if n != 0 {
        eprintln!(
            "note: removed the report drawn from {from} ({n} files: report.md and its plots); `tplus report {}` draws it again",
            super::shell::path_argument(dir)
        );
    }
}

/// `tplus merge`.
pub fn merge(args: MergeArgs) -> ExitCode {
    match batch::merge(&args.dirs, &args.out) {
        Ok(report) => {
            println!(
                "merged {} director{}: {} runs ({} failed) in {}",
                args.dirs.len(),
                if args.dirs.len() == 1 { "y" } else { "ies" },
                report.runs,
                report.failed,
                report.dir.join("sweep.csv").display()
            );
            note_removed_report(report.removed_report, "the merge this one replaced", &report.dir);
            if report.builds.len() > 1 {
                eprintln!(
                    "warning: the merged rows were computed by {} builds of tplus ({}); if the model changed \
                     between them, the rows differ by more than their seeds (sweep.json's provenance.builds lists \
                     them, merged_from says which shard ran on which)",
                    report.builds.len(),
                    report.builds.join("; ")
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_status())
        }
    }
}

/// Why shard `s` of a sweep of `points` points has nothing to do: shards
/// split the points, not the runs, so a task of an array with more tasks
/// than points idles (and speeds nothing up).
fn empty_shard(s: Shard, points: usize) -> String {
    format!(
        "shard {s} holds no point: shards split the sweep's {points} point(s), not its runs, so at most {points} \
         shard(s) have work; this one writes an empty sweep.csv (which merge takes)"
    )
}

fn default_out(def: &Sweep, shard: Option<Shard>) -> PathBuf {
    let base = PathBuf::from("results").join("sweeps").join(&def.name);
    match shard {
        Some(s) => base.join(format!("shard-{}-of-{}", s.index, s.count)),
        None => base,
    }
}

/// What `tplus sweep --check` prints.
fn describe(
    args: &SweepArgs,
    def: &Sweep,
    points: &[scenario::Point],
    out: &Path,
    resumes: bool,
    holder: Option<&str>,
    needs: Option<(u64, usize)>,
) -> String {
    use std::fmt::Write;
    let mut o = String::new();
    let design = match def.design {
        DesignKind::Grid => "a full grid".to_string(),
        DesignKind::Random => format!("{} random points", points.len()),
        DesignKind::LatinHypercube => format!("a Latin hypercube of {} points", points.len()),
    };
    let _ = writeln!(
        o,
        "{}: ok — sweep `{}` of {} ({}), seed {}",
        args.file.display(),
        def.name,
        def.scenario_file.display(),
        design,
        def.seed
    );
    for p in &def.params {
        let domain = match &p.domain {
            Domain::Levels(l) => {
                let shown: Vec<String> = l.iter().take(8).map(value_text).collect();
                format!("{} level(s): {}{}", l.len(), shown.join(", "), if l.len() > 8 { ", …" } else { "" })
            }
            Domain::Uniform { min, max } => format!("uniform on [{min}, {max}]"),
            Domain::Loguniform { min, max } => format!("log-uniform on [{min}, {max}]"),
            Domain::Normal { mean, sd } => format!("normal, mean {mean}, sd {sd}"),
            Domain::Lognormal { median, sigma } => format!("log-normal, median {median}, sigma {sigma}"),
        };
        let _ = writeln!(o, "  param     {}{}: {domain}", p.path, if p.integer { " (whole numbers)" } else { "" });
    }
    let runs = def.runs(points.len());
    let _ = writeln!(
        o,
        "  runs      {} point(s) × {} replication(s) = {runs} runs, every point checked",
        points.len(),
        def.replications
    );
    if let Some(s) = args.shard {
        let mine = points.iter().filter(|p| s.has(p.index)).count();
        let _ = writeln!(o, "  shard     {s}: {mine} point(s), {} runs", mine as u64 * u64::from(def.replications));
        if mine == 0 {
            let _ = writeln!(o, "  warning   {}", empty_shard(s, points.len()));
        }
    }
    if let Some((bytes, at_once)) = needs {
        let times = if at_once > 1 { format!(", {at_once} runs at once") } else { String::new() };
        let _ = writeln!(
            o,
            "  needs     about {} of memory at its peak (the largest point{times}, and the rows)",
            human(bytes)
        );
    }
    let state = if resumes { "holds this sweep's rows: the sweep resumes them" } else { "starts afresh" };
    let _ = writeln!(o, "  output    {} ({state})", out.display());
    if let Some(h) = holder {
        let _ = writeln!(o, "  warning   {h}");
    }
    o
}
