//! The `tplus` command line: argument parsing and the human-facing text of
//! `run`, `check` and `report`. A thin front end; the work happens in the library.
//!
//! Exit status: 0 success, 1 a failure while running or writing results
//! (a run whose cash fails [`Outcome::check`] included), 2 a bad scenario,
//! bad arguments or a bad run directory (`report`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use clap::{Parser, Subcommand};

/// std's `println!`, for every `cli` module, through [`out`]: no panic when
/// stdout cannot be written.
macro_rules! println {
    () => {
        $crate::cli::out::out(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::cli::out::out(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// std's `print!`, through [`out`].
macro_rules! print {
    ($($arg:tt)*) => {
        $crate::cli::out::out(format_args!($($arg)*))
    };
}

/// std's `eprintln!`, through [`out`]: no panic when stderr cannot be
/// written.
macro_rules! eprintln {
    ($($arg:tt)*) => {
        $crate::cli::out::err(format_args!("{}\n", format_args!($($arg)*)))
    };
}

mod out;

mod batch;
mod describe;
pub use describe::describe;
mod help;
mod interrupt;
mod limits;
mod new;
mod replicate;
mod shell;
mod tui;

use crate::agents::Registry;
use crate::engine::record::Discard;
use crate::engine::{self, Outcome, RunError, RunOptions};
use crate::metrics::{ProductSummary, Summary};
use crate::results;
use crate::results::lock::{DirLock, Terms};
use crate::results::outdir;
use crate::results::run_dir::{RunDirError, RunInDir};
use crate::scenario::{self, Scenario};

/// What `tplus --version` prints after the name: the version every output
/// file records ([`crate::results::VERSION`]).
pub const VERSION: &str = crate::results::VERSION;

#[derive(Parser, Debug)]
#[command(
    name = "tplus",
    version = VERSION,
    about = "Agent-based simulator of a market for short-term internet-finance products",
    disable_help_subcommand = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run a scenario and write its results.
    Run {
        /// Scenario file (TOML), e.g. scenarios/baseline.toml.
        scenario: PathBuf,
        /// Seed to use instead of the scenario's (0 to 18446744073709551615).
        #[arg(long, value_parser = parse_seed, allow_negative_numbers = true)]
        seed: Option<u64>,
        /// Directory for the results (default: results/<name>/<UTC time>-seed<seed>, with
        /// -x<N>-replications or -x<N>-control after --replications; -2, -3, … when taken).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Worker threads for agent decisions (default: all cores). Results do not depend on it.
        #[arg(long, value_parser = clap::value_parser!(u16).range(1..=i64::from(crate::engine::MAX_THREADS)))]
        threads: Option<u16>,
        /// Also write the operation log of every event (events.csv).
        #[arg(long)]
        log: bool,
        /// Write into a --out that is not empty: first delete the files a run
        /// writes there (results, report, plots), keeping anything else.
        #[arg(long, requires = "out", conflicts_with_all = ["replications", "control"])]
        force: bool,
        /// Print only the results directory, whatever else is asked for.
        #[arg(long, short)]
        quiet: bool,
        /// Print the run's summary as one JSON object on stdout, and nothing
        /// else there (the human summary's figures; with --report, the files drawn).
        #[arg(long)]
        json: bool,
        /// Also draw the plots and write report.md (as `tplus report`); with
        /// --replications, the report of the spread over the seeds.
        #[arg(long)]
        report: bool,
        /// With --report, also write each plot as PNG beside its SVG (as `tplus report --png`).
        #[arg(long, requires = "report")]
        png: bool,
        /// Run N seeds (the scenario's seed, or --seed, plus 0…N−1) in parallel
        /// and summarise every headline figure across them (N from 2 to 100000).
        #[arg(long, value_name = "N")]
        replications: Option<u32>,
        /// Also run the same seeds with the scenario's [[events]] removed and
        /// write the paired comparison (10 replications unless --replications).
        #[arg(long)]
        control: bool,
        /// With --control: measure the figures after the change over this
        /// much simulated time from the change's window (e.g. 15m) instead
        /// of to the end of the run.
        #[arg(long, value_name = "DURATION", requires = "control", value_parser = replicate::parse_span)]
        span: Option<crate::scenario::Duration>,
        #[command(flatten)]
        memory: limits::MemoryLimit,
    },
    /// Write a new scenario file from a bundled template (never over an existing file).
    New(new::NewArgs),
    /// Validate a scenario and summarise what it describes.
    Check {
        /// Scenario file (TOML).
        scenario: PathBuf,
        #[command(flatten)]
        memory: limits::MemoryLimit,
    },
    /// Run a parameter sweep of a scenario (grid, random or Latin hypercube), resumable and shardable.
    Sweep(batch::SweepArgs),
    /// Join the output directories of a sweep's shards, checking they hold every run exactly once.
    Merge(batch::MergeArgs),
    /// Watch a scenario run live in the terminal and change parameters as it runs.
    Tui(tui::TuiArgs),
    /// Compare two replication directories run by run (paired by seed).
    Compare(replicate::CompareArgs),
    /// Re-match a --log run's operation log through the book and check it
    /// gives the run's trades.csv byte for byte.
    Replay {
        /// A run directory written with --log (manifest.json, events.csv, trades.csv).
        run_dir: PathBuf,
    },
    /// The scenario reference: `help scenario` lists the tables and fields,
    /// `help FIELD.PATH` (e.g. product.price_band, agents.params.herding)
    /// prints a field's type, unit, default, range and meaning; `help
    /// COMMAND` a command's usage.
    Help {
        /// `scenario`, a field path, or a command; none: the commands.
        topic: Option<String>,
    },
    /// Draw the plots (SVG) and write report.md into a finished run's, sweep's or replications' directory.
    Report {
        /// A run directory (metrics.csv, summary.json), a sweep directory (sweep.csv, sweep.json) or a
        /// replications directory (replications.json, from `tplus run --replications N`).
        run_dir: PathBuf,
        /// Also write each plot as PNG beside its SVG (twice its size, drawn in-process with a bundled font).
        #[arg(long)]
        png: bool,
    },
    /// Print shell completions, e.g. `tplus completions bash > ~/.local/share/bash-completion/completions/tplus`.
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) of tplus or of one command, e.g. `tplus man > tplus.1; man ./tplus.1`.
    #[command(visible_alias = "man-page")]
    Man {
        /// A command whose own page to print (`tplus man run` is tplus-run(1)).
        command: Option<String>,
    },
}

/// Entry point of the `tplus` binary: parses the command line, runs the
/// subcommand and maps its outcome to the exit status (0 ok, 1 failure, 2 bad
/// input or usage).
pub fn main() -> ExitCode {
    main_with(&Registry::builtin())
}

/// [`main`] with the behaviours of `registry`: a researcher's own binary,
/// whose scenarios may name their families (`family = "contrarian"`) in
/// every command (`run`, `check`, `help`, `sweep`, `tui`, replications),
/// is `tplus::cli::main_with(&registry)` with their behaviours registered
/// beside the built-in ones (see `examples/custom_cli.rs`).
pub fn main_with(registry: &Registry) -> ExitCode {
    // A reader that stops early (`tplus help scenario | head`) closes the
    // pipe: the default disposition of SIGPIPE ends the process quietly, as
    // it does any Unix filter, where Rust's (ignored, so `println!` panics on
    // the write error) would print a panic.
    #[cfg(unix)]
    // SAFETY: `signal` with `SIG_DFL` installs no handler of ours; it is
    // called before this process starts any thread.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let printed = e.print();
            if e.use_stderr() {
                return ExitCode::from(2);
            }
            // `--help` and `--version` are stdout's: lost words are a
            // failure, as for every other command (`out.rs`).
            return match printed.and_then(|()| std::io::Write::flush(&mut std::io::stdout())) {
                Ok(()) => ExitCode::SUCCESS,
                Err(err) => {
                    eprintln!("error: cannot write to stdout: {err}");
                    ExitCode::from(1)
                }
            };
        }
    };
    // Set once, before any scenario is loaded: every command that runs one
    // refuses it, before allocating, if its estimate is above the limit.
    let memory = match &cli.command {
        Command::Run { memory, .. } | Command::Check { memory, .. } => *memory,
        Command::Sweep(args) => args.memory,
        Command::Tui(args) => args.memory,
        _ => limits::MemoryLimit::default(),
    };
    let _ = MAX_MEMORY.set(memory.max_memory);
    let code = match cli.command {
        Command::Check { scenario, .. } => check(&scenario, registry),
        Command::Help { topic } => help::help(topic.as_deref(), registry),
        Command::New(args) => new::new(args),
        Command::Report { run_dir, png } => report(&run_dir, png),
        Command::Replay { run_dir } => replay(&run_dir),
        Command::Sweep(args) => batch::sweep(args, registry),
        Command::Merge(args) => batch::merge(args),
        Command::Tui(args) => tui::tui(args, registry),
        Command::Compare(args) => replicate::compare(args),
        Command::Completions { shell } => shell::completions(shell),
        Command::Man { command } => shell::man(command.as_deref()),
        Command::Run {
            scenario,
            seed,
            out,
            threads,
            log,
            quiet,
            json,
            replications,
            control,
            span,
            report,
            png,
            ..
        } if replications.is_some() || control => {
            let threads = threads.map_or_else(default_threads, usize::from);
            let print = Print::from_flags(quiet, json);
            let args = replicate::RunArgs {
                scenario,
                replications,
                control,
                seed,
                out,
                threads,
                log,
                span,
                print,
                report,
                png,
            };
            replicate::run(args, registry)
        }
        Command::Run { scenario, seed, out, threads, log, force, quiet, json, report: with_report, png, .. } => {
            let threads = threads.map_or_else(default_threads, usize::from);
            let print = Print::from_flags(quiet, json);
            let (dir, lock, said, stop) = match run(
                &scenario,
                RunOptions { seed, threads },
                out,
                RunOutput { log_ops: log, force, print },
                registry,
            ) {
                Ok(done) => done,
                Err(code) => return code,
            };
            // The directory stays locked while the report is drawn into it.
            let (files, code) = if with_report {
                match draw_report(&dir, png, &stop) {
                    Ok(files) => (Some(files), ExitCode::SUCCESS),
                    Err(code) => (None, code),
                }
            } else {
                (None, ExitCode::SUCCESS)
            };
            drop(lock);
            match said {
                Said::Json(mut json) => {
                    if with_report {
                        json["report"] = serde_json::json!(files);
                    }
                    println!("{json}");
                }
                Said::Text(text) => {
                    print!("{text}");
                    if print == Print::Human {
                        files.iter().flatten().for_each(|f| println!("{}", f.display()));
                    }
                }
            }
            code
        }
    };
    // What the command did stands; that its words were lost is said last.
    match out::failed() {
        Some(e) => {
            eprintln!("error: cannot write to stdout: {e}");
            if code == ExitCode::SUCCESS { ExitCode::from(1) } else { code }
        }
        None => code,
    }
}

fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// `--max-memory`, as given on the command line.
static MAX_MEMORY: std::sync::OnceLock<Option<u64>> = std::sync::OnceLock::new();

fn max_memory() -> Option<u64> {
    MAX_MEMORY.get().copied().flatten()
}

/// Loads a scenario to be run (`runs` at once): a bad one, or one whose
/// estimated peak memory times `runs` is above the limit, is refused with
/// exit 2 before anything is allocated.
fn load_to_run(path: &Path, runs: usize, registry: &Registry) -> Result<Scenario, ExitCode> {
    let s = load(path, registry)?;
    let max = max_memory();
    match limits::fits(path, &s, runs, max, registry) {
        Ok(_) => Ok(s),
        Err(message) => {
            eprintln!("error: {message}");
            Err(ExitCode::from(2))
        }
    }
}

fn load(path: &Path, registry: &Registry) -> Result<Scenario, ExitCode> {
    scenario::load(path, registry).map_err(|e| {
        eprintln!("error: {e}");
        ExitCode::from(2)
    })
}

fn check(path: &Path, registry: &Registry) -> ExitCode {
    let s = match load(path, registry) {
        Ok(s) => s,
        Err(code) => return code,
    };
    // Refused before the description, whose first line says "ok".
    let max = max_memory();
    match limits::fits(path, &s, 1, max, registry) {
        Ok(f) => {
            print!("{}{}", describe(path, &s), limits::needs_text(&f, max));
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

/// `tplus report`: prints the files written; a bad run directory exits 2, a
/// failure to draw or write exits 1.
/// `tplus report DIR`: holds the directory's lock while it writes there.
fn report(run_dir: &Path, png: bool) -> ExitCode {
    // Neither a run nor a sweep nor replications (a parent of some): said
    // before any lock is taken, so nothing is written there.
    let replications = crate::replicate::report::is_replications_dir(run_dir);
    if let Err(e) = crate::report::check_reportable(run_dir).or_else(|e| if replications { Ok(()) } else { Err(e) }) {
        // A run still writing there has no manifest yet: its lock says so
        // better than "neither a run nor a sweep".
        match crate::results::lock::holder(run_dir) {
            Some(held) => {
                eprintln!("error: {}", held.message(Terms { dir: "DIR", ..Terms::CLI }));
                return ExitCode::from(held.exit_code());
            }
            None => eprintln!("error: {e}"),
        }
        return ExitCode::from(2);
    }
    // Ctrl-C lets the drawing finish (a second or two), then says so; a
    // second one ends it at once, its temporary files removed. Set before
    // the lock is taken, so that a signal never finds the lock held and no
    // handler.
    let stop = interrupt::stop_flag();
    let _lock = match run_dir.is_dir().then(|| DirLock::acquire(run_dir)) {
        Some(Err(e)) => {
            // The directory is the command's argument here, not an --out.
            eprintln!("error: {}", e.message(Terms { dir: "DIR", ..Terms::CLI }));
            return ExitCode::from(e.exit_code());
        }
        lock => lock,
    };
    interrupt::clean_on_abort(run_dir, false);
    report_locked(run_dir, png, &stop)
}

/// Draws the report into `run_dir`, whose lock the caller holds, and prints
/// the files written.
fn report_locked(run_dir: &Path, png: bool, stop: &AtomicBool) -> ExitCode {
    match draw_report(run_dir, png, stop) {
        Ok(files) => {
            for f in files {
                println!("{}", f.display());
            }
            ExitCode::SUCCESS
        }
        Err(code) => code,
    }
}

/// Draws the report into `run_dir`, whose lock the caller holds: the files
/// written, or the exit status after saying why not. A stopping signal
/// (`stop` set) during the drawing ends the command once the report is
/// whole, with the signal's status.
fn draw_report(run_dir: &Path, png: bool, stop: &AtomicBool) -> Result<Vec<PathBuf>, ExitCode> {
    let files = if crate::replicate::report::is_replications_dir(run_dir) {
        let to_png = |svg: &str| {
            crate::report::png::svg_to_png(svg).map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)
        };
        crate::replicate::report::write_report(run_dir, png.then_some(&to_png as _)).map_err(|e| {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_status())
        })?
    } else {
        crate::report::write_report_with(run_dir, png).map_err(|e| {
            eprintln!("error: {e}");
            ExitCode::from(if e.is_bad_input() { 2 } else { 1 })
        })?
    };
    if stop.load(std::sync::atomic::Ordering::Relaxed) {
        interrupt::say(&format!("tplus: interrupted while the report was drawn; it is whole in {}", run_dir.display()));
        return Err(ExitCode::from(interrupt::stopped_status()));
    }
    Ok(files)
}

/// `tplus replay RUN_DIR`.
fn replay(dir: &Path) -> ExitCode {
    match crate::replay::replay(dir) {
        Ok(r) => {
            println!(
                "replay of {}: {} trades identical to trades.csv ({} orders, {} withdrawals, {} changes, {} order ends \
                 and {} closes checked, from {} log lines)",
                dir.display(),
                r.trades,
                r.orders,
                r.withdrawals,
                r.replaces,
                r.order_ends,
                r.closes,
                r.log_lines
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

/// What `tplus run` prints on stdout when it succeeds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Print {
    /// The human summary (and the report's files).
    Human,
    /// The run directory alone (`--quiet`, which wins over `--json`).
    Quiet,
    /// One JSON object (`--json`).
    Json,
}

impl Print {
    fn from_flags(quiet: bool, json: bool) -> Print {
        match (quiet, json) {
            (true, _) => Print::Quiet,
            (false, true) => Print::Json,
            (false, false) => Print::Human,
        }
    }
}

/// Removes the empty directory `dir` a run made, and the empty ones above
/// it up to `top` (the highest it made; `dir` alone without one): whether
/// `dir` is gone.
fn remove_made(dir: &Path, top: Option<&Path>) -> bool {
    if std::fs::remove_dir(dir).is_err() {
        return false;
    }
    let Some(top) = top else { return true };
    for above in dir.ancestors().skip(1) {
        if !above.starts_with(top) || std::fs::remove_dir(above).is_err() {
            break;
        }
    }
    true
}

/// Whether the scenario file `path` lies in `dir` as a file `--force`
/// would delete there (a saved live run's `scenario.toml`, run again into
/// its own directory).
fn deletes_its_input(path: &Path, dir: &Path) -> bool {
    // The file itself, a symbolic link to it followed: its own name counts.
    let Ok(file) = std::fs::canonicalize(path) else { return false };
    let Some(name) = file.file_name() else { return false };
    let same_dir = std::fs::canonicalize(dir).is_ok_and(|d| file.parent() == Some(d.as_path()));
    same_dir && outdir::force_would_remove(dir, &name.to_string_lossy())
}

/// How `tplus run` writes its results.
struct RunOutput {
    /// Also the operation log (`events.csv`).
    log_ops: bool,
    /// Clear a non-empty `--out` of a run's files first.
    force: bool,
    /// What to print.
    print: Print,
}

/// What `tplus run` has to print, printed once the directory's lock is
/// released: a reader that closes the pipe early (`| head -1`) ends the
/// command by SIGPIPE, which would leave the lock file behind.
enum Said {
    /// The human summary, or `--quiet`'s directory.
    Text(String),
    /// `--json`'s object, to which `--report` adds its files.
    Json(serde_json::Value),
}

/// Runs a scenario and writes its results; the run directory on success,
/// still locked, and what to print.
fn run(
    path: &Path,
    opts: RunOptions,
    out: Option<PathBuf>,
    how: RunOutput,
    registry: &Registry,
) -> Result<(PathBuf, DirLock, Said, Arc<AtomicBool>), ExitCode> {
    let scenario = load_to_run(path, 1, registry)?;
    let seed = opts.seed.unwrap_or(scenario.simulation.seed);
    // A directory this run makes is removed again if the run fails or Ctrl-C
    // stops it; one that was there before (a default name taken over while
    // empty included) is left.
    let default = results::default_run_dir(Path::new("results"), &scenario.simulation.name, seed, "");
    let (given, existed) = match &out {
        Some(dir) => (true, dir.exists()),
        None => (false, default.exists()),
    };
    // The highest directory of the path this run makes (`a` of `a/b/run`
    // when `a` is new): removed with the run's own if it fails or stops.
    // A path through `..` is left alone above the run's own directory: its
    // text does not say which directories existed (`new/../mine/run`).
    let target = out.as_deref().unwrap_or(&default);
    let through_parent = target.components().any(|c| c == std::path::Component::ParentDir);
    let made_top = target
        .ancestors()
        .take_while(|a| !through_parent && !a.as_os_str().is_empty() && !a.exists())
        .last()
        .map(Path::to_path_buf);
    if let Some(dir) = out.as_deref().filter(|_| how.force)
        && deletes_its_input(path, dir)
    {
        eprintln!(
            "error: {}: --force would delete this scenario file from {} (a run saved from the live view is \
             replaced whole); copy the file out of it first, or choose another --out",
            path.display(),
            dir.display()
        );
        return Err(ExitCode::from(2));
    }
    let prepared = match out {
        Some(dir) => outdir::prepare_run_dir(&dir, how.force).map(|lock| (dir, lock)),
        None => outdir::prepare_new_run_dir(default.clone()),
    };
    let (dir, lock) = match prepared {
        Ok(taken) => taken,
        Err(e) => {
            eprintln!("error: {e}");
            return Err(ExitCode::from(e.exit_code()));
        }
    };
    // The run's files and its lock are gone with a run that failed or stopped.
    let fresh = !existed || (!given && dir != default);
    let stop = interrupt::stop_flag();
    interrupt::clean_on_abort(&dir, fresh);
    let run =
        results::run_dir::run_into(&scenario, &opts, registry, &dir, lock, how.log_ops, &mut Discard, Some(&stop));
    let RunInDir { outcome, summary, lock } = match run {
        Ok(run) => run,
        Err(RunDirError::Run { source: RunError::Stopped, .. }) => {
            let removed = fresh && remove_made(&dir, made_top.as_deref());
            let left = if removed { "removed" } else { "holds none of its files" };
            interrupt::say(&format!("tplus run: interrupted: no results were written ({} {left})", dir.display()));
            return Err(ExitCode::from(interrupt::stopped_status()));
        }
        Err(e) => {
            if fresh {
                remove_made(&dir, made_top.as_deref());
            }
            eprintln!("error: {e}");
            return Err(ExitCode::from(e.exit_code()));
        }
    };
    if stop.load(std::sync::atomic::Ordering::Relaxed) {
        // Ctrl-C came after the last event, while the files were written:
        // they are whole, and nothing more (no report) is done.
        interrupt::say(&format!(
            "tplus run: interrupted after the run had ended: {} holds all of its results",
            dir.display()
        ));
        return Err(ExitCode::from(interrupt::stopped_status()));
    }
    if let Err(e) = outcome.check() {
        // No summary as if all were well: the files are kept for a post-mortem
        // and manifest.json names the failure.
        eprintln!("{}", run_failure(&dir, &e));
        return Err(ExitCode::from(1));
    }
    let said = match how.print {
        Print::Quiet => Said::Text(format!("{}\n", dir.display())),
        Print::Human => Said::Text(human_summary(&scenario, &outcome, &summary, opts.threads, &dir)),
        Print::Json => Said::Json(json_summary(&scenario, &outcome, &summary, opts.threads, &dir)),
    };
    Ok((dir, lock, said, stop))
}

/// What `tplus run` prints when the finished run's cash fails its checks.
fn run_failure(dir: &Path, e: &engine::CashError) -> String {
    format!(
        "error: run failed for {}: {e}\n  the results are written there but not to be trusted: manifest.json says so in `failure`",
        dir.display()
    )
}

fn pct(x: Option<f64>) -> String {
    x.map_or("n/a".into(), |v| format!("{:.1}%", v * 100.0))
}

/// A success probability with its interval over the run's windows that
/// allows for alike neighbouring windows (the Wilson interval, which takes
/// every order as independent, is far too narrow to print alone).
fn success_text(side: &crate::metrics::SideSummary) -> String {
    match side.success_ci_95_serial {
        Some([lo, hi]) => format!("{} [{:.1}, {:.1}]", pct(side.success_probability), lo * 100.0, hi * 100.0),
        None => pct(side.success_probability),
    }
}

/// `n` and the noun, `s` added unless n is 1: "1 window", "330 windows".
fn count(n: u64, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}

/// A success–volume correlation for the terminal: r with the interval that
/// allows for alike neighbouring windows and the effective number of
/// windows it stands on (330 windows may be worth 50), then rho.
fn correlation_text(c: &crate::metrics::Correlation) -> String {
    let f = |x: Option<f64>| x.map_or("n/a".into(), |v| format!("{v:+.3}"));
    let d = c.serial_dependence.as_ref();
    let interval = d.and_then(|d| d.pearson_ci_95).map_or(String::new(), |[lo, hi]| format!(" [{lo:+.2}, {hi:+.2}]"));
    let n = match d {
        Some(d) => format!("{}, effective n ≈ {:.0}", count(c.windows as u64, "window"), d.effective_windows),
        None => count(c.windows as u64, "window"),
    };
    format!("r {}{interval} rho {} ({n})", f(c.pearson), f(c.spearman))
}

/// `tplus run --json`: the figures of [`human_summary`], by name, `null`
/// for one that is not defined (n/a). Rates and success figures are
/// fractions (0.514, not 51.4%).
fn json_summary(s: &Scenario, o: &Outcome, summary: &Summary, threads: usize, dir: &Path) -> serde_json::Value {
    use serde_json::json;
    let a: &ProductSummary = &summary.all;
    let st = &o.stats;
    let secs = st.wall.as_secs_f64().max(1e-9);
    let c = &a.correlation;
    let side = |x: &crate::metrics::SideSummary| {
        json!({
            "success_probability": x.success_probability,
            "success_ci_95_serial": x.success_ci_95_serial,
            "fill_ratio": x.fill_ratio,
            "closed": x.closed,
        })
    };
    let mut sales = side(&a.sales);
    sales["redeemed_failed_lots"] = json!(a.redeemed_failed_lots);
    let corr = |x: &crate::metrics::Correlation| {
        let d = x.serial_dependence.as_ref();
        json!({
            "pearson": x.pearson,
            "spearman": x.spearman,
            "windows": x.windows,
            "effective_windows": d.map(|d| d.effective_windows),
            "pearson_ci_95": d.and_then(|d| d.pearson_ci_95),
        })
    };
    json!({
        "tool": "tplus",
        "version": VERSION,
        "scenario": s.simulation.name,
        "seed": o.seed,
        "threads": threads,
        "business_days": o.calendar.days().len(),
        "windows": summary.windows,
        "orders": st.orders,
        "rejected": a.orders.rejected,
        "cancels": st.cancels,
        "trades": st.trades,
        "volume": a.volume,
        "subscriptions": side(&a.subscriptions),
        "sales": sales,
        "success_vs_volume": {
            "subscriptions": corr(&c.subscription_success_vs_volume),
            "sales": corr(&c.sale_success_vs_volume),
        },
        "wall_seconds": st.wall.as_secs_f64(),
        "events_per_second": st.events as f64 / secs,
        "orders_per_second": st.orders as f64 / secs,
        "dir": dir,
    })
}

fn human_summary(s: &Scenario, o: &Outcome, summary: &Summary, threads: usize, dir: &Path) -> String {
    use std::fmt::Write;
    let a: &ProductSummary = &summary.all;
    let st = &o.stats;
    let secs = st.wall.as_secs_f64().max(1e-9);
    let mut t = String::new();
    let _ = writeln!(
        t,
        "tplus {} — `{}`, seed {}, {} thread(s)",
        env!("CARGO_PKG_VERSION"),
        s.simulation.name,
        o.seed,
        threads
    );
    let _ = writeln!(
        t,
        "  {}, {}; {} orders ({} rejected), {} cancels, {} trades, volume {} lots",
        count(o.calendar.days().len() as u64, "business day"),
        count(summary.windows as u64, "window"),
        st.orders,
        a.orders.rejected,
        st.cancels,
        st.trades,
        a.volume
    );
    let _ = writeln!(
        t,
        "  subscriptions: success {} (fill ratio {}) of {}; sales: success {} (fill ratio {}) of {}, {} lots redeemed at the holding limit",
        success_text(&a.subscriptions),
        pct(a.subscriptions.fill_ratio),
        a.subscriptions.closed,
        success_text(&a.sales),
        pct(a.sales.fill_ratio),
        a.sales.closed,
        a.redeemed_failed_lots
    );
    let c = &a.correlation;
    let _ = writeln!(
        t,
        "  success vs volume over windows: subscriptions {}; sales {}",
        correlation_text(&c.subscription_success_vs_volume),
        correlation_text(&c.sale_success_vs_volume),
    );
    // What the brackets cover, where any is shown (a run of one window has none).
    let bracketed = [&a.subscriptions, &a.sales].iter().any(|s| s.success_ci_95_serial.is_some())
        || [&c.subscription_success_vs_volume, &c.sale_success_vs_volume]
            .iter()
            .any(|x| x.serial_dependence.as_ref().is_some_and(|d| d.pearson_ci_95.is_some()));
    if bracketed {
        let _ = writeln!(
            t,
            "  [ ]: 95% intervals over this run's windows, alike neighbours allowed for; the spread over seeds: --replications N"
        );
    }
    let _ = writeln!(
        t,
        "  wall {:.3} s: {:.2} M events/s, {:.2} M orders/s",
        secs,
        st.events as f64 / secs / 1e6,
        st.orders as f64 / secs / 1e6
    );
    let _ = writeln!(t, "  results in {}", dir.display());
    t
}

/// Parses `--seed`: a whole number from 0 to 2^64 − 1, in words that say
/// so (clap's own said "invalid digit found in string", and took `-1` for
/// an option).
pub(crate) fn parse_seed(text: &str) -> Result<u64, String> {
    text.trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a seed: a whole number from 0 to {} is accepted", u64::MAX))
}
