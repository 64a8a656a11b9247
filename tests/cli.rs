//! The command line's own surface (issue 15): `--version` naming the commit,
//! shell completions and the man page from the clap definition, `run
//! --quiet` printing the directory alone whatever else is asked, `run
//! --json` printing one JSON object, Ctrl-C of a sweep naming the command
//! that resumes it, and `report` of a directory that is neither a run nor a
//! sweep naming the ones below it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

#[path = "common/bin.rs"]
mod bin;

fn scratch(name: &str) -> PathBuf {
    bin::scratch("cli", name)
}

fn tplus(args: &[&str]) -> Output {
    let args: Vec<&std::ffi::OsStr> = args.iter().map(std::ffi::OsStr::new).collect();
    bin::tplus(&args)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn ok(args: &[&str]) -> String {
    let o = tplus(args);
    assert!(o.status.success(), "tplus {args:?}: {:?}\n{}", o.status, text(&o.stderr));
    text(&o.stdout)
}

fn git(args: &[&str]) -> Option<String> {
    let o = Command::new("git").arg("-C").arg(env!("CARGO_MANIFEST_DIR")).args(args).output().ok()?;
    o.status.success().then(|| text(&o.stdout).trim().to_string())
}

#[test]
fn the_version_names_the_commit_and_whether_the_tree_was_modified() {
    let out = ok(&["--version"]);
    let line = out.strip_suffix('\n').unwrap_or(&out);
    let rest = line.strip_prefix(concat!("tplus ", env!("CARGO_PKG_VERSION"))).expect(line);
    // In a git checkout (this one, when git is here) the commit is named;
    // built from a tarball there is nothing after the version.
    match git(&["rev-parse", "--short=7", "HEAD"]) {
        Some(head) => {
            let inner = rest.strip_prefix(" (").and_then(|r| r.strip_suffix(')')).expect(line);
            let (commit, flag) = inner.split_once(", ").map_or((inner, None), |(c, f)| (c, Some(f)));
            assert_eq!(commit, head, "{line}: not the checked-out commit");
            assert!(flag.is_none() || flag == Some("modified"), "{line}");
        }
        None => assert_eq!(rest, "", "{line}"),
    }
    assert_eq!(ok(&["-V"]), out);
}

/// The subcommands as `tplus --help` lists them.
fn subcommands() -> Vec<String> {
    let help = ok(&["--help"]);
    let list = help.split("Commands:").nth(1).expect("a Commands: section").split("\n\n").next().unwrap_or_default();
    // A command's line is indented by two; its wrapped text, by more.
    let names: Vec<String> = list
        .lines()
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|n| *n != "help")
        .map(String::from)
        .collect();
    assert!(names.len() >= 10 && names.iter().any(|n| n == "completions"), "{names:?}");
    names
}

#[test]
fn the_completions_know_every_command() {
    let bash = ok(&["completions", "bash"]);
    for name in subcommands() {
        assert!(bash.contains(&format!("tplus,{name})")), "bash completion lacks `{name}`");
    }
    assert!(bash.contains("complete -F _tplus"), "{bash}");
    assert!(bash.contains("--replications") && bash.contains("--retry-failed"), "options are completed too");
    assert!(ok(&["completions", "zsh"]).starts_with("#compdef tplus"));
    assert!(ok(&["completions", "fish"]).contains("complete -c tplus"));
    let o = tplus(&["completions", "tcsh"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
}

/// Every line of a roff page is a request (`.XX`), a comment or text, and
/// the page has its title and name.
fn assert_roff(page: &str, title: &str) {
    assert!(page.lines().any(|l| l.starts_with(&format!(".TH {title} 1 "))), "no .TH {title}:\n{page}");
    assert!(page.contains("\n.SH NAME\n") && page.contains("\n.SH SYNOPSIS\n"), "{page}");
    for l in page.lines().filter(|l| l.starts_with('.')) {
        let request = l[1..].split_whitespace().next().unwrap_or_default();
        assert!(
            !request.is_empty() && request.chars().all(|c| c.is_ascii_alphanumeric() || c == '\\' || c == '"'),
            "not a roff request: {l}"
        );
    }
}

#[test]
fn the_man_page_is_roff_with_a_page_per_command() {
    let page = ok(&["man"]);
    assert_roff(&page, "tplus");
    assert!(page.contains(concat!("tplus ", env!("CARGO_PKG_VERSION"))), "the version is on the page");
    for name in subcommands() {
        assert!(page.contains(&format!("tplus\\-{}(1)", name.replace('-', "\\-"))), "the page lacks `{name}`");
    }
    assert_eq!(ok(&["man-page"]), page);
    let run = ok(&["man", "run"]);
    assert_roff(&run, "tplus-run");
    assert!(run.contains("\\-\\-replications"), "{run}");
    let o = tplus(&["man", "nope"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("no command `nope`; the commands are run, "), "{}", text(&o.stderr));
}

const SMALL: &str = "scenarios/bench/reference_market.toml";
const EVENTS: &str = "scenarios/rate_hike.toml";

#[test]
fn quiet_prints_the_directory_alone_whatever_else_is_asked() {
    let dir = scratch("quiet");
    let cases: [(&str, &[&str]); 5] = [
        ("report", &[SMALL, "--report", "--log", "--threads", "1"]),
        ("json", &[SMALL, "--json", "--report"]),
        ("short", &[SMALL, "-q", "--json"]),
        ("reps", &[SMALL, "--replications", "2", "--json"]),
        ("control", &[EVENTS, "--replications", "2", "--control", "--log"]),
    ];
    for (name, args) in cases {
        let out = dir.join(name);
        let out_s = out.to_str().unwrap();
        let mut all = vec!["run"];
        all.extend_from_slice(args);
        all.extend(["--out", out_s]);
        if !args.contains(&"-q") {
            all.push("--quiet");
        }
        assert_eq!(ok(&all), format!("{out_s}\n"), "tplus {all:?}");
        assert!(out.is_dir());
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn json_prints_one_object_with_the_summary_figures() {
    let dir = scratch("json");
    let out = dir.join("run");
    let stdout = ok(&["run", SMALL, "--json", "--report", "--threads", "1", "--out", out.to_str().unwrap()]);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    let j: serde_json::Value = serde_json::from_str(&stdout).expect("stdout is JSON");
    assert!(j.is_object());
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    let all = &summary["all"];
    assert_eq!(j["dir"], out.to_str().unwrap());
    assert_eq!(j["seed"], manifest["seed"]);
    assert_eq!(j["threads"], 1);
    assert_eq!(j["orders"], manifest["counts"]["orders"]);
    assert_eq!(j["trades"], manifest["counts"]["trades"]);
    assert_eq!(j["cancels"], manifest["counts"]["cancels"]);
    assert_eq!(j["volume"], all["volume"]);
    assert_eq!(j["windows"], summary["windows"]);
    assert_eq!(j["rejected"], all["orders"]["rejected"]);
    for side in ["subscriptions", "sales"] {
        for k in ["success_probability", "success_ci_95_serial", "fill_ratio", "closed"] {
            assert_eq!(j[side][k], all[side][k], "{side}.{k}");
        }
        assert!(j[side]["success_ci_95_serial"].is_array(), "{side}: the interval over the run's windows");
    }
    assert_eq!(j["sales"]["redeemed_failed_lots"], all["redeemed_failed_lots"]);
    let c = &all["correlation"]["subscription_success_vs_volume"];
    assert_eq!(j["success_vs_volume"]["subscriptions"]["pearson"], c["pearson"]);
    let dependence = &c["serial_dependence"];
    assert_eq!(j["success_vs_volume"]["subscriptions"]["effective_windows"], dependence["effective_windows"]);
    assert_eq!(j["success_vs_volume"]["subscriptions"]["pearson_ci_95"], dependence["pearson_ci_95"]);
    assert!(j["wall_seconds"].as_f64().is_some_and(|w| w > 0.0));
    assert!(j["version"].as_str().is_some_and(|v| v.starts_with(env!("CARGO_PKG_VERSION"))));
    let report = j["report"].as_array().expect("the report's files");
    assert!(report.iter().any(|f| f.as_str().is_some_and(|f| f.ends_with("report.md"))), "{report:?}");

    // Replications with their control: one object too, the comparison in it.
    let reps = dir.join("reps");
    let stdout = ok(&["run", EVENTS, "--json", "--replications", "2", "--control", "--out", reps.to_str().unwrap()]);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    let j: serde_json::Value = serde_json::from_str(&stdout).expect("stdout is JSON");
    assert_eq!(j["replications"], 2);
    assert_eq!(j["control"], true);
    assert!(j["comparison"]["after_change"]["volume"]["diff"]["mean"].is_number(), "{j}");
    assert!(j["comparison"]["run"]["sale_success"].is_object(), "{j}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The human summary gives each success its interval over the run's
/// windows and says what the brackets cover, and says nothing of brackets
/// where a run of one window has none.
#[test]
fn the_summary_says_what_its_intervals_cover() {
    let dir = scratch("brackets");
    let said = ok(&["run", SMALL, "--threads", "1", "--out", dir.join("run").to_str().unwrap()]);
    let line = said.lines().find(|l| l.contains("subscriptions: success")).unwrap_or_default();
    assert!(line.contains("% [") && line.matches(" [").count() == 2, "{said}");
    assert!(said.contains("[ ]: 95% intervals over this run's windows"), "{said}");
    let text = std::fs::read_to_string(SMALL).unwrap();
    let one = dir.join("one.toml");
    let whole = text.lines().map(|l| if l.starts_with("window = ") { "window = \"6h30m\"" } else { l });
    std::fs::write(&one, whole.collect::<Vec<_>>().join("\n")).unwrap();
    let said = ok(&["run", one.to_str().unwrap(), "--threads", "1", "--out", dir.join("one").to_str().unwrap()]);
    assert!(said.contains("1 business day, 1 window;") && !said.contains("[ ]") && !said.contains("% ["), "{said}");
    assert!(said.contains("rho n/a (1 window)"), "{said}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Waits until `f` holds, for up to a minute.
fn wait_for(what: &str, f: impl Fn() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(start.elapsed() < Duration::from_secs(60), "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn rows(csv: &Path) -> usize {
    std::fs::read_to_string(csv).map_or(0, |t| t.lines().count().saturating_sub(1))
}

/// `line` with its last command run by `exec`, so the shell's process is
/// the sweep's (and gets the signal).
fn exec_last(line: &str) -> String {
    match line.rsplit_once(" && ") {
        Some((first, last)) => format!("{first} && exec {last}"),
        None => format!("exec {line}"),
    }
}

/// Starts `sh -c line`, waits for `min_rows` rows in `csv`, sends SIGINT:
/// its exit code and stderr (through a file: a pipe nobody reads while it
/// runs would fill with progress lines and stop it).
fn interrupt(line: &str, csv: &Path, min_rows: usize) -> (Option<i32>, String) {
    signal(line, csv, min_rows, "INT")
}

/// [`interrupt`] with signal `sig` (a name `kill -s` takes).
fn signal(line: &str, csv: &Path, min_rows: usize, sig: &str) -> (Option<i32>, String) {
    // Beside the sweep's directory, not in it (a sweep refuses a directory
    // with anything else in it).
    let err = csv.parent().and_then(Path::parent).unwrap().join(format!("stderr-{min_rows}.txt"));
    let err_file = std::fs::File::create(&err).unwrap();
    let mut child = Command::new("sh")
        .args(["-c", &exec_last(line)])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::null())
        .stderr(err_file)
        .spawn()
        .unwrap();
    wait_for("rows in sweep.csv", || rows(csv) >= min_rows);
    let kill = Command::new("kill").args(["-s", sig, &child.id().to_string()]).status().unwrap();
    assert!(kill.success());
    let status = child.wait().unwrap();
    (status.code(), std::fs::read_to_string(&err).unwrap_or_default())
}

#[test]
fn a_ctrl_c_sweep_says_the_command_that_resumes_it_and_exits_130() {
    let dir = scratch("sigint");
    let out = dir.join("sweep");
    let csv = out.join("sweep.csv");
    let bin = env!("CARGO_BIN_EXE_tplus");
    let first = format!("{bin} sweep scenarios/sweeps/herding_x_loan.toml --out {} --jobs 1", out.display());
    let (code, stderr) = interrupt(&first, &csv, 1);
    assert_eq!(code, Some(130), "{stderr}");
    let resume = format!("cd {} && {first}", env!("CARGO_MANIFEST_DIR"));
    let said = stderr.lines().skip_while(|l| !l.starts_with("tplus sweep: interrupted with ")).collect::<Vec<_>>();
    assert!(said.len() >= 2, "{stderr}");
    let tail = format!(" of 108 runs recorded in {}; to resume (only the missing runs are computed):", csv.display());
    assert!(said[0].ends_with(&tail), "{stderr}");
    assert_eq!(said[1], format!("  {resume}"), "{stderr}");
    let before = rows(&csv);
    assert!(before >= 1);
    assert!(!out.join(".tplus.lock").exists(), "the interrupted sweep's lock is left behind");

    // The command said resumes it: it keeps what was done and goes on, and
    // says the same again when interrupted in its turn.
    let (code, stderr) = interrupt(said[1].trim(), &csv, before + 1);
    assert_eq!(code, Some(130), "{stderr}");
    assert!(stderr.contains(&format!("; {before} kept from an earlier invocation")), "{stderr}");
    assert!(stderr.contains(&format!("  {resume}")), "{stderr}");
    assert!(rows(&csv) > before);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A sweep stopped as a batch system stops a task (Slurm's time limit,
/// `scancel`, preemption: SIGTERM) or as a closed terminal does (SIGHUP):
/// what it finished is kept, its lock released, and it exits 143 or 129.
/// Before, SIGTERM ended it at once and left the lock, which a task
/// resubmitted on another node finds held (it names another host).
#[test]
fn a_sweep_stopped_by_sigterm_or_sighup_releases_its_lock_and_resumes() {
    let dir = scratch("sigterm");
    let out = dir.join("sweep");
    let csv = out.join("sweep.csv");
    let bin = env!("CARGO_BIN_EXE_tplus");
    let line = format!("{bin} sweep scenarios/sweeps/herding_x_loan.toml --out {} --jobs 1", out.display());
    let mut before = 0;
    for (sig, code) in [("TERM", 143), ("HUP", 129)] {
        let (got, stderr) = signal(&line, &csv, before + 1, sig);
        assert_eq!(got, Some(code), "{stderr}");
        assert!(stderr.contains(&format!("tplus sweep: interrupted by SIG{sig} with ")), "{stderr}");
        assert!(!out.join(".tplus.lock").exists(), "SIG{sig}: the sweep's lock is left behind");
        assert!(rows(&csv) > before);
        before = rows(&csv);
        // sweep.json credits each stopped invocation with the rows it
        // computed and says how it ended (it said 0 computed, unfinished).
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("sweep.json")).unwrap()).unwrap();
        let invocations = json["provenance"]["invocations"].as_array().unwrap();
        let me = invocations.last().unwrap();
        assert_eq!(me["stopped_by"], format!("SIG{sig}"), "{me}");
        assert!(me["finished_utc"].is_string(), "{me}");
        assert_eq!(me["runs_kept"].as_u64().unwrap() + me["runs_computed"].as_u64().unwrap(), before as u64, "{me}");
        let computed: u64 = invocations.iter().map(|i| i["runs_computed"].as_u64().unwrap()).sum();
        assert_eq!(computed, before as u64, "every row credited to the invocation that computed it");
        assert_eq!(json["provenance"]["rows"], before, "{json}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A stop while fast runs are under way (a few milliseconds each, so the
/// workers finish soon after the stop seals their appends): the sweep is
/// recorded as stopped, never as complete, whatever thread gets there first.
/// Before, the sweep's own thread went on to write `"complete": true` and
/// exit 0 while the stop was being recorded.
#[test]
fn a_stop_among_fast_runs_is_recorded_as_a_stop() {
    let dir = scratch("sigterm-fast");
    std::fs::create_dir_all(&dir).unwrap();
    let base =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/bench/reference_market.toml"))
            .unwrap()
            .replace("window = \"5m\"", "window = \"390m\"")
            .replace("count = 100\n", "count = 1\n")
            .replace("count = 12\n", "count = 1\n")
            .replace("count = 1000\n", "count = 2\n");
    std::fs::write(dir.join("tiny.toml"), base).unwrap();
    let sweep = "[sweep]\nname = \"fast\"\nscenario = \"tiny.toml\"\nreplications = 20000\n\n\
                 [[param]]\npath = \"agents[0].count\"\nvalues = [2]\n";
    std::fs::write(dir.join("fast.toml"), sweep).unwrap();
    let bin = env!("CARGO_BIN_EXE_tplus");
    for round in 0..3 {
        let out = dir.join(format!("out{round}"));
        let csv = out.join("sweep.csv");
        let line = format!("{bin} sweep {} --out {} --jobs 2 --quiet", dir.join("fast.toml").display(), out.display());
        let (code, stderr) = signal(&line, &csv, 300, "TERM");
        assert_eq!(code, Some(143), "round {round}: {stderr}");
        assert!(!out.join(".tplus.lock").exists(), "round {round}: the lock is left behind");
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("sweep.json")).unwrap()).unwrap();
        let me = json["provenance"]["invocations"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(json["provenance"]["complete"], false, "round {round}: {json}");
        assert_eq!(me["stopped_by"], "SIGTERM", "round {round}: {me}");
        assert_eq!(json["provenance"]["rows"], rows(&csv), "round {round}: {json}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A sweep whose reader closes the pipe early (`tplus sweep … 2>&1 | head`)
/// stops as on SIGTERM: its lock released, its stop recorded, every row on
/// disk counted, exit 141. Before, SIGPIPE's default action ended it at once
/// and left the lock and a `sweep.json` that said nothing of the stop.
#[test]
fn a_sweep_whose_pipe_closes_stops_as_on_sigterm() {
    use std::io::BufRead;
    let dir = scratch("sigpipe-sweep");
    let out = dir.join("sweep");
    let mut child = Command::new(env!("CARGO_BIN_EXE_tplus"))
        .args(["sweep", "scenarios/sweeps/herding_x_loan.toml", "--jobs", "1", "--out"])
        .arg(&out)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut reader = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut first = String::new();
    reader.read_line(&mut first).unwrap();
    assert!(first.starts_with("sweep herding_x_loan: "), "{first}");
    // The reader goes: the sweep's next progress line meets a closed pipe.
    drop(reader);
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(141), "{status:?}");
    assert!(!out.join(".tplus.lock").exists(), "the sweep's lock is left behind");
    let on_disk = rows(&out.join("sweep.csv"));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("sweep.json")).unwrap()).unwrap();
    let me = json["provenance"]["invocations"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(me["stopped_by"], "SIGPIPE", "{me}");
    assert_eq!(me["runs_computed"], on_disk, "{me}");
    assert_eq!(json["provenance"]["rows"], on_disk, "{json}");
    assert!(on_disk < 108, "stopped before the end: {on_disk} rows");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A run stopped by SIGTERM stops as on Ctrl-C, and exits 143.
#[test]
fn a_run_stopped_by_sigterm_leaves_nothing_and_exits_143() {
    let dir = scratch("sigterm-run");
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("run");
    let child = spawn_run(&["scenarios/bench/scale_100k.toml", "--threads", "1"], &out);
    let writing = || {
        std::fs::read_dir(&out)
            .is_ok_and(|d| d.flatten().any(|e| e.file_name().to_string_lossy().ends_with(".partial")))
    };
    wait_for("the run's first file", writing);
    let kill = Command::new("kill").args(["-s", "TERM", &child.id().to_string()]).status().unwrap();
    assert!(kill.success());
    let o = child.wait_with_output().unwrap();
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(143), "{err}");
    assert!(err.contains("interrupted: no results were written"), "{err}");
    assert!(!out.exists(), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `tplus run ARGS --quiet --out OUT` started, its stderr piped.
fn spawn_run(args: &[&str], out: &Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_tplus"))
        .arg("run")
        .args(args)
        .args(["--quiet", "--out"])
        .arg(out)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Sends `child` SIGINT and waits for it.
fn ctrl_c(child: std::process::Child) -> std::process::Output {
    let kill = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(kill.success());
    child.wait_with_output().unwrap()
}

/// `tplus report` on the directory of a run still being written names the
/// process writing it, as for a sweep, not "neither a run nor a sweep".
#[test]
fn report_of_a_run_being_written_names_its_writer() {
    let dir = scratch("report-busy");
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("run");
    let child = spawn_run(&["scenarios/bench/scale_100k.toml"], &out);
    wait_for("the run's lock", || out.join(".tplus.lock").exists());
    let o = tplus(&["report", out.to_str().unwrap()]);
    let stderr = text(&o.stderr);
    let pid = child.id();
    let _ = ctrl_c(child);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(&format!("in use by tplus process {pid} ")), "{stderr}");
    assert!(stderr.contains("wait for it to finish") && !stderr.contains("neither a run"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Ctrl-C during replications: the runs stop, exit 130, and neither the
/// temporary directory nor the lock beside `--out` is left.
#[test]
fn ctrl_c_replications_leave_nothing_behind() {
    let dir = scratch("sigint-reps");
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("reps");
    let child = spawn_run(&["scenarios/baseline.toml", "--replications", "40", "--threads", "2"], &out);
    let partial = dir.join(format!(".reps.partial-{}", child.id()));
    wait_for("the replications' first run", || partial.join("runs").exists());
    let o = ctrl_c(child);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(130), "{err}");
    assert!(err.contains("interrupted: no replication directory was written"), "{err}");
    let left: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(left.is_empty(), "left behind: {left:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A second signal during replications ends them at once, and their
/// temporary directory and lock go with them (it was left for the next
/// invocation on that `--out` to clear).
#[test]
fn a_second_ctrl_c_ends_replications_at_once_and_leaves_nothing() {
    let dir = scratch("sigint-reps-twice");
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("reps");
    let child = spawn_run(&["scenarios/bench/scale_100k.toml", "--replications", "40", "--threads", "1"], &out);
    let partial = dir.join(format!(".reps.partial-{}", child.id()));
    wait_for("the replications' first run", || partial.join("runs").exists());
    two_signals_at_once(child, &partial);
    let left: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(left.is_empty(), "left behind: {left:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Sends `child` SIGINT and SIGTERM together and checks it ended at once,
/// saying it removed the temporary files it was writing in `dir`; its
/// stderr. Both from one shell (two `kill` processes one after the other
/// may be far enough apart for the first's orderly stop to end it), and of
/// two kinds: the kernel merges a signal sent while one of its kind is
/// still pending.
fn two_signals_at_once(child: std::process::Child, dir: &Path) -> String {
    let pid = child.id();
    let kill = Command::new("sh").args(["-c", &format!("kill -INT {pid}; kill -TERM {pid}")]).status().unwrap();
    assert!(kill.success());
    let o = child.wait_with_output().unwrap();
    let err = text(&o.stderr);
    // 128 + the signal the second came by, whichever was taken first.
    assert!(matches!(o.status.code(), Some(130 | 143)), "{:?}: {err}", o.status);
    let at_once =
        format!("stopped at once by a second signal; the temporary files it was writing in {} removed", dir.display());
    assert!(err.contains(&at_once), "{err}");
    err
}

/// A stopped run's `out` as before it: gone if the run made it, else
/// (`kept`) empty; `err` the run's stderr.
fn left_as_found(out: &Path, kept: bool, err: &str) {
    assert_eq!(out.exists(), kept, "{err}");
    if kept {
        let left: Vec<_> = std::fs::read_dir(out).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert!(left.is_empty(), "left behind: {left:?}");
    }
}

/// Ctrl-C during a run: it stops at its next boundary, exits 130, and
/// leaves none of its files (the temporary ones included) nor its lock; a
/// directory it made (and those it made above it) is removed, one the user
/// made is left empty.
#[test]
fn ctrl_c_run_leaves_nothing_behind() {
    let dir = scratch("sigint-run");
    std::fs::create_dir_all(dir.join("made")).unwrap();
    // `above/new`: the directories it made above its own go too; through
    // `..` the text does not tell which it made, and `made` stays.
    for (name, kept) in [("new", false), ("made", true), ("above/new", false), ("gone/../made/sub", false)] {
        let out = dir.join(name);
        let child = spawn_run(&["scenarios/bench/scale_100k.toml", "--threads", "1"], &out);
        // The handler is set before the run's first file is opened.
        let writing = || {
            std::fs::read_dir(&out)
                .is_ok_and(|d| d.flatten().any(|e| e.file_name().to_string_lossy().ends_with(".partial")))
        };
        wait_for("the run's first file", writing);
        let o = ctrl_c(child);
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(130), "{err}");
        let said = if kept { "holds none of its files" } else { "removed" };
        assert!(err.contains(&format!("interrupted: no results were written ({} {said})", out.display())), "{err}");
        left_as_found(&out, kept, &err);
    }
    assert!(!dir.join("above").exists(), "the directory made above the run's is removed with it");
    assert!(dir.join("made").is_dir(), "a directory the user made is never removed");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A second stopping signal (Ctrl-C, then SIGTERM) ends a run at once,
/// before its next boundary: it still leaves none of its temporary files
/// nor its lock, and a directory it made is removed. The run is caught well
/// under way (20 MB of its log written), where the first signal's orderly
/// stop takes about 20 ms, so the second arrives before it is done.
#[test]
fn a_second_ctrl_c_ends_a_run_at_once_and_leaves_nothing() {
    let dir = scratch("sigint-twice");
    std::fs::create_dir_all(dir.join("made")).unwrap();
    for (name, kept) in [("new", false), ("made", true)] {
        let out = dir.join(name);
        let child = spawn_run(&["scenarios/bench/scale_100k.toml", "--threads", "1", "--log"], &out);
        let under_way = || {
            std::fs::read_dir(&out).is_ok_and(|d| {
                d.flatten().any(|e| {
                    e.file_name().to_string_lossy().starts_with(".events.csv.")
                        && e.metadata().is_ok_and(|m| m.len() > 20 << 20)
                })
            })
        };
        wait_for("20 MB of the run's log", under_way);
        let err = two_signals_at_once(child, &out);
        left_as_found(&out, kept, &err);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn report_of_a_parent_directory_names_the_runs_and_sweeps_below_it() {
    let dir = scratch("parent");
    let run = dir.join("runs").join("small");
    ok(&["run", SMALL, "--quiet", "--out", run.to_str().unwrap()]);
    let sweep = dir.join("sweeps").join("ci");
    ok(&["sweep", "scenarios/sweeps/ci.toml", "--quiet", "--out", sweep.to_str().unwrap()]);
    for (given, found) in [(&dir, vec![&run, &sweep]), (&dir.join("sweeps"), vec![&sweep])] {
        let o = tplus(&["report", given.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2));
        assert!(o.stdout.is_empty());
        let err = text(&o.stderr);
        assert!(
            err.starts_with(&format!(
                "error: {}: neither a run directory (with metrics.csv, summary.json or manifest.json) nor a sweep directory (with sweep.csv or sweep.json) nor a replications directory (with replications.json); the run and sweep directories below it:\n",
                given.display()
            )),
            "{err}"
        );
        for f in found {
            let kind = if f.ends_with("ci") { "sweep" } else { "run" };
            assert!(err.contains(&format!("\n  {}  ({kind})\n", f.display())), "{err}");
        }
        assert!(!given.join(".tplus.lock").exists(), "no lock taken in a directory that is not reported");
    }
    let empty = dir.join("empty");
    std::fs::create_dir(&empty).unwrap();
    let err = text(&tplus(&["report", empty.to_str().unwrap()]).stderr);
    assert!(err.contains("there is none one or two levels below it either"), "{err}");
    // What is found can be reported.
    ok(&["report", sweep.to_str().unwrap()]);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Ctrl-C while `tplus report` draws lets the drawing finish, then exits
/// 130 saying so: no half-drawn report, no lock left (before, the default
/// action killed it with 9 of 14 plots drawn, no report.md and a stale
/// lock).
#[test]
fn ctrl_c_during_a_report_leaves_it_whole_and_unlocked() {
    let dir = scratch("report-sigint");
    let run = dir.join("run");
    let o = tplus(&["run", "scenarios/baseline.toml", "--quiet", "--out", run.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let child = Command::new(env!("CARGO_BIN_EXE_tplus"))
        .args(["report", "--png"])
        .arg(&run)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The report's files appear together at its end (all or none): its
    // lock, taken once the handlers are set, says it has begun.
    let drawing = || run.join(".tplus.lock").exists();
    wait_for("the report's lock", drawing);
    let o = ctrl_c(child);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(130), "{err}");
    assert!(err.contains("interrupted while the report was drawn; it is whole in"), "{err}");
    let names: Vec<String> =
        std::fs::read_dir(&run).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(names.iter().any(|n| n == "report.md"), "{names:?}");
    assert!(!names.iter().any(|n| n.ends_with(".partial") || n == ".tplus.lock"), "{names:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Words that cannot be written (stdout or stderr on a full disk, as
/// `/dev/full` is) are no panic: a run's results are written whole, and the
/// exit status says what happened, 1 for the lost words on stdout, 2 still
/// for a bad scenario whose message was lost.
#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_under_stdout_or_stderr_is_an_exit_status_not_a_panic() {
    let full = || std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let dir = scratch("full");
    let out = dir.join("run");
    let o = Command::new(env!("CARGO_BIN_EXE_tplus"))
        .args(["run", "scenarios/bench/reference_market.toml", "--out"])
        .arg(&out)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(full())
        .output()
        .unwrap();
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("error: cannot write to stdout: No space left on device") && !err.contains("panicked"),
        "{err}"
    );
    assert!(out.join("manifest.json").is_file() && !out.join(".tplus.lock").exists());
    for (args, code) in
        [(&["check", "scenarios/nonexistent.toml"][..], 2), (&["check", "scenarios/baseline.toml"][..], 0)]
    {
        let o = Command::new(env!("CARGO_BIN_EXE_tplus"))
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdout(Stdio::null())
            .stderr(full())
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(code), "{args:?}");
    }
    // clap's own words, `--help` and `--version`, too.
    for args in [&["--help"][..], &["--version"], &["run", "--help"]] {
        let o = Command::new(env!("CARGO_BIN_EXE_tplus")).args(args).stdout(full()).output().unwrap();
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        assert!(text(&o.stderr).contains("error: cannot write to stdout"), "{args:?}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A reader that stops early (`tplus help scenario | head -1`) ends the
/// command the way it ends any Unix filter, by SIGPIPE, not with a panic
/// about the failed write.
#[cfg(unix)]
#[test]
fn a_closed_pipe_ends_the_command_quietly() {
    use std::os::unix::process::ExitStatusExt;
    let (reader, writer) = std::io::pipe().unwrap();
    // Nobody will read: the first write fails.
    drop(reader);
    let out = Command::new(env!("CARGO_BIN_EXE_tplus")).args(["help", "scenario"]).stdout(writer).output().unwrap();
    assert!(!text(&out.stderr).contains("panicked"), "{}", text(&out.stderr));
    assert_eq!(out.status.signal(), Some(13), "ended by SIGPIPE: {:?}", out.status);
    // A run prints once its files are whole and its lock released, so
    // SIGPIPE leaves a finished run directory and no lock file in it.
    let dir = scratch("sigpipe-run");
    for how in ["--quiet", "--json"] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let run = dir.join(how.trim_start_matches('-'));
        let out = Command::new(env!("CARGO_BIN_EXE_tplus"))
            .args(["run", "scenarios/bench/reference_market.toml", how, "--out"])
            .arg(&run)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdout(writer)
            .output()
            .unwrap();
        assert_eq!(out.status.signal(), Some(13), "{how}: ended by SIGPIPE: {:?}", out.status);
        assert!(run.join("manifest.json").is_file() && !run.join(".tplus.lock").exists(), "{how}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_seed_out_of_range_says_what_is_accepted() {
    // Before: `-1` was taken for an option (with a tip that led nowhere),
    // `--seed=-1` was "invalid digit found in string" and 2^64 "number too
    // large to fit in target type", none naming the range.
    for bad in [&["--seed", "-1"][..], &["--seed=-1"], &["--seed", "18446744073709551616"], &["--seed", "1.5"]] {
        let args = [&["run", "scenarios/baseline.toml"][..], bad, &["--out", "/nonexistent/never"]].concat();
        let out = tplus(&args);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("is not a seed: a whole number from 0 to 18446744073709551615 is accepted"), "{err}");
    }
    let out = tplus(&["tui", "scenarios/baseline.toml", "--seed", "-3"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("`-3` is not a seed"), "{}", text(&out.stderr));
}

#[test]
fn a_shard_without_points_says_so() {
    // Shards split points, not runs: with more shards than points, the
    // extra tasks idle. Before, nothing said so.
    let o = tplus(&["sweep", "scenarios/sweeps/ci.toml", "--shard", "7/8", "--check"]);
    assert!(o.status.success());
    let out = text(&o.stdout);
    assert!(out.contains("shard 7/8 holds no point: shards split the sweep's 6 point(s), not its runs"), "{out}");
    let o = tplus(&["sweep", "scenarios/sweeps/ci.toml", "--shard", "6/8", "--check"]);
    assert!(!text(&o.stdout).contains("holds no point"));
}
