//! `tplus run FILE --replications N [--control]` and `tplus compare`:
//! argument handling and the human-facing text; the work is in
//! `crate::replicate`.
//!
//! Exit status: 0 success; 1 a run or a file failed; 2 bad input (a bad
//! scenario, too few replications, `--control` without events, a non-empty
//! `--out`, directories that are not replications or do not pair).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::agents::Registry;
use crate::replicate::{self, Comparison, ReplicateOptions, Report, stats::Paired};
use crate::results;
use crate::scenario::Duration;

/// Replications asked for with `--control` alone.
pub const DEFAULT_REPLICATIONS: u32 = 10;

/// What `tplus run` was given, for replications.
pub struct RunArgs {
    /// The scenario file.
    pub scenario: PathBuf,
    /// Replications (None: [`DEFAULT_REPLICATIONS`], with `--control`).
    pub replications: Option<u32>,
    /// Also run the control and compare.
    pub control: bool,
    /// The first seed instead of the scenario's.
    pub seed: Option<u64>,
    /// The output directory.
    pub out: Option<PathBuf>,
    /// Runs at once.
    pub threads: usize,
    /// Also write each run's operation log.
    pub log: bool,
    /// With `control`: the span after the change the comparison measures.
    pub span: Option<Duration>,
    /// What to print on success.
    pub print: super::Print,
    /// Also draw the replications' report (report.md, replications.svg)
    /// into the finished directory, as `tplus report DIR` does.
    pub report: bool,
    /// With `report`, also each plot as PNG.
    pub png: bool,
}

/// `tplus run FILE --replications N [--control]`.
pub fn run(args: RunArgs, registry: &Registry) -> ExitCode {
    let replications = args.replications.unwrap_or(DEFAULT_REPLICATIONS);
    // The runs at once: each worker runs one replication (and its control).
    let at_once = args.threads.min(replications as usize).max(1) * if args.control { 2 } else { 1 };
    let scenario = match super::load_to_run(&args.scenario, at_once, registry) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let seed = args.seed.unwrap_or(scenario.simulation.seed);
    let out_is_default = args.out.is_none();
    let out = args.out.unwrap_or_else(|| {
        let arm = if args.control { "control" } else { "replications" };
        results::default_run_dir(
            Path::new("results"),
            &scenario.simulation.name,
            seed,
            &format!("-x{replications}-{arm}"),
        )
    });
    let opts = ReplicateOptions {
        replications,
        seed: args.seed,
        threads: args.threads,
        control: args.control,
        span: args.span,
        log: args.log,
        out,
        out_is_default,
        scenario_file: args.scenario.clone(),
        registry: registry.clone(),
        stop: super::interrupt::stop_flag(),
    };
    let stop = std::sync::Arc::clone(&opts.stop);
    match replicate::replicate(&scenario, &opts) {
        Ok(report) => {
            // The directory is whole before its report is drawn: a report
            // that cannot be drawn leaves the results, and says so.
            let (files, code) =
                if args.report { draw_report(&report.dir, args.png, &stop) } else { (None, ExitCode::SUCCESS) };
            match args.print {
                super::Print::Quiet => println!("{}", report.dir.display()),
                super::Print::Human => {
                    print!("{}", summary_text(&scenario.simulation.name, &report, args.threads));
                    files.iter().flatten().for_each(|f| println!("{}", f.display()));
                }
                super::Print::Json => {
                    let mut json = summary_json(&scenario.simulation.name, &report, args.threads);
                    if args.report {
                        json["report"] = serde_json::json!(files);
                    }
                    println!("{json}");
                }
            }
            code
        }
        // 130, 143 or 129 by the signal that stopped it (the terminal may be gone).
        Err(replicate::ReplicateError::Interrupted) => {
            super::interrupt::say(&format!("error: {}", replicate::ReplicateError::Interrupted));
            ExitCode::from(super::interrupt::stopped_status())
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_status())
        }
    }
}

/// Draws the report of the finished replications directory `dir` under its
/// lock: the files written (None if it could not be), and the exit status.
fn draw_report(dir: &Path, png: bool, stop: &std::sync::atomic::AtomicBool) -> (Option<Vec<PathBuf>>, ExitCode) {
    let _lock = match crate::results::lock::DirLock::acquire(dir) {
        Ok(lock) => lock,
        Err(e) => {
            eprintln!(
                "error: the replications are whole, but their report was not drawn: {}",
                e.message(crate::results::lock::Terms::CLI)
            );
            return (None, ExitCode::from(e.exit_code()));
        }
    };
    super::interrupt::clean_on_abort(dir, false);
    match super::draw_report(dir, png, stop) {
        Ok(files) => (Some(files), ExitCode::SUCCESS),
        Err(code) => (None, code),
    }
}

/// `tplus compare CONTROL_DIR TREATMENT_DIR --out DIR`.
#[derive(clap::Args, Debug)]
pub struct CompareArgs {
    /// The control's replications directory (`tplus run FILE --replications N`).
    pub control: PathBuf,
    /// The treatment's replications directory, same seeds and calendar.
    pub treatment: PathBuf,
    /// Directory for the comparison (must not exist, or be empty).
    #[arg(long)]
    pub out: PathBuf,
    /// Measure the figures after the change over this much simulated time
    /// from the change's window (e.g. 15m) instead of to the end of the run.
    #[arg(long, value_name = "DURATION", value_parser = parse_span)]
    pub span: Option<Duration>,
    /// Print only the output directory.
    #[arg(long, short)]
    pub quiet: bool,
}

/// A `--span`: a duration above 0, in the scenario's spelling.
pub fn parse_span(text: &str) -> Result<Duration, String> {
    match Duration::parse(text) {
        Some(d) if d.nanos() > 0 => Ok(d),
        _ => Err(format!("`{text}` is not a span; accepted: {} above 0", Duration::ACCEPTED)),
    }
}

/// `tplus compare`.
pub fn compare(args: CompareArgs) -> ExitCode {
    match replicate::compare(&args.control, &args.treatment, &args.out, args.span) {
        Ok(cmp) => {
            for w in cmp.warnings() {
                eprintln!("warning: {w}");
            }
            if args.quiet {
                println!("{}", args.out.display());
            } else {
                let mut t = comparison_text(&cmp);
                let _ = writeln!(t, "  comparison in {}", args.out.display());
                print!("{t}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_status())
        }
    }
}

fn summary_text(name: &str, r: &Report, threads: usize) -> String {
    let mut t = String::new();
    let (a, b) = (r.seeds.first().copied().unwrap_or(0), r.seeds.last().copied().unwrap_or(0));
    let _ = writeln!(
        t,
        "tplus {} — `{name}`, {} replications (seeds {a}–{b}){}, {} runs on {threads} thread(s) in {:.2} s",
        env!("CARGO_PKG_VERSION"),
        r.seeds.len(),
        if r.comparison.is_some() { " and their control" } else { "" },
        r.runs,
        r.wall_seconds
    );
    if let Some(cmp) = &r.comparison {
        t.push_str(&comparison_text(cmp));
    }
    let _ = writeln!(t, "  results in {}", r.dir.display());
    t
}

/// `tplus run --replications N [--control] --json`: the figures of
/// [`summary_text`], by name; each comparison figure is the paired
/// statistics of `comparison.csv` for that scope and figure.
fn summary_json(name: &str, r: &Report, threads: usize) -> serde_json::Value {
    use serde_json::json;
    let mut j = json!({
        "tool": "tplus",
        "version": super::VERSION,
        "scenario": name,
        "replications": r.seeds.len(),
        "seeds": r.seeds,
        "control": r.comparison.is_some(),
        "runs": r.runs,
        "threads": threads,
        "wall_seconds": r.wall_seconds,
        "dir": r.dir,
    });
    if let Some(cmp) = &r.comparison {
        j["comparison"] = comparison_json(cmp);
    }
    j
}

/// The figures [`comparison_text`] prints, by scope and name.
fn comparison_json(cmp: &Comparison) -> serde_json::Value {
    use serde_json::{Map, Value, json};
    let figures = |scope: &str, names: &[&str]| {
        let m: Map<String, Value> = names
            .iter()
            .filter_map(|f| Some(((*f).to_string(), serde_json::to_value(cmp.figure(scope, f)?).ok()?)))
            .collect();
        Value::Object(m)
    };
    let mut j = json!({ "seeds": cmp.seeds, "run": figures("run", &RUN_FIGURES) });
    if let Some(ch) = &cmp.change {
        j["change"] = json!({ "target": ch.target, "at": ch.at });
        j["after_change"] = figures("after_change", &AFTER_CHANGE_FIGURES);
    }
    j
}

/// The figures compared after the change, in the order printed.
const AFTER_CHANGE_FIGURES: [&str; 7] = [
    "volume",
    "sub_success",
    "sale_success",
    "sub_success_accepted",
    "sale_success_accepted",
    "buy_orders",
    "sell_orders",
];

/// The figures compared over the whole run.
const RUN_FIGURES: [&str; 3] = ["volume", "sub_success", "sale_success"];

fn line(t: &mut String, label: &str, p: Option<&Paired>) {
    let Some(p) = p else { return };
    let f = replicate::sig;
    let _ = writeln!(
        t,
        "    {label:<28} control {} treatment {} diff {} (95% {}), {}, d_z {}, p (Holm) {}, {} up / {} down",
        f(p.control_mean),
        f(p.treatment_mean),
        f(p.diff.mean),
        replicate::interval(p),
        p.relative.map_or("n/a".into(), |r| format!("{:+.1}%", r * 100.0)),
        p.effect_size_dz.map_or("n/a".into(), |d| format!("{d:+.2}")),
        replicate::p_text(p.p_holm),
        p.seeds_up,
        p.seeds_down
    );
}

fn comparison_text(cmp: &Comparison) -> String {
    let mut t = String::new();
    if let Some(ch) = &cmp.change {
        let when = match cmp.span {
            None => "after the change".to_string(),
            Some(s) if cmp.span_outlasts_run => format!("in the {s} from the change (the run ends first: to its end)"),
            Some(s) => format!("in the {s} from the change"),
        };
        let _ =
            writeln!(t, "  {when} ({} at {}), treatment − control over {} seeds:", ch.target, ch.at, cmp.seeds.len());
        for f in AFTER_CHANGE_FIGURES {
            line(&mut t, f, cmp.figure("after_change", f));
        }
    }
    let _ = writeln!(t, "  whole run:");
    for f in RUN_FIGURES {
        line(&mut t, f, cmp.figure("run", f));
    }
    t
}
