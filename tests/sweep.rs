//! Sweeps end to end, through the `tplus` binary: whole versus shards and
//! merge, resume after a cut or a kill, failed runs, merge's checks, bad
//! sweep files; and, through the library, a point run alone.
//!
//! Every column of `sweep.csv` but the last, `wall_seconds`, is a function
//! of the sweep; comparisons drop that column only.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;

const CI: &str = "scenarios/sweeps/ci.toml";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A fresh scratch directory, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
            "tplus-sweep-{name}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn path(&self, p: &str) -> PathBuf {
        self.0.join(p)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn tplus(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tplus")).args(args).current_dir(root()).output().expect("run tplus")
}

fn ok(args: &[&str]) -> Output {
    let out = tplus(args);
    assert!(out.status.success(), "tplus {args:?} failed:\n{}", String::from_utf8_lossy(&out.stderr));
    out
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn csv(dir: &Path) -> String {
    fs::read_to_string(dir.join("sweep.csv")).unwrap()
}

/// The file without its last column (`wall_seconds`).
fn without_wall(text: &str) -> String {
    text.lines().map(|l| l.rsplit_once(',').unwrap().0).collect::<Vec<_>>().join("\n")
}

fn json(dir: &Path) -> Value {
    serde_json::from_str(&fs::read_to_string(dir.join("sweep.json")).unwrap()).unwrap()
}

fn last_invocation(dir: &Path) -> Value {
    json(dir)["provenance"]["invocations"].as_array().unwrap().last().unwrap().clone()
}

/// The complete rows' (point, replication) keys, in file order.
fn keys(text: &str) -> Vec<(usize, u32)> {
    text.split_inclusive('\n')
        .skip(1)
        .filter(|l| l.ends_with('\n'))
        .map(|l| {
            let mut f = l.split(',');
            (f.next().unwrap().parse().unwrap(), f.next().unwrap().parse().unwrap())
        })
        .collect()
}

#[test]
fn whole_sweep_equals_three_shards_merged() {
    let t = Scratch::new("shards");
    let whole = t.path("whole");
    ok(&["sweep", CI, "--out", s(&whole), "--jobs", "2", "--quiet"]);
    let text = csv(&whole);
    let all = keys(&text);
    assert_eq!(all, (0..6).flat_map(|p| (0..2).map(move |r| (p, r))).collect::<Vec<_>>(), "sorted, every run once");
    assert!(text.lines().skip(1).all(|l| l.contains(",ok,")), "every run succeeds:\n{text}");

    let mut shards = Vec::new();
    for k in 1..=3 {
        let dir = t.path(&format!("shard-{k}"));
        ok(&["sweep", CI, "--out", s(&dir), "--shard", &format!("{k}/3"), "--jobs", "1", "--quiet"]);
        let mine = keys(&csv(&dir));
        assert!(!mine.is_empty() && mine.iter().all(|(p, _)| p % 3 == k - 1), "shard {k}/3 holds {mine:?}");
        shards.push(dir);
    }
    let merged = t.path("merged");
    let mut args = vec!["merge"];
    args.extend(shards.iter().map(|d| s(d)));
    args.extend(["--out", s(&merged)]);
    ok(&args);
    assert_eq!(without_wall(&csv(&merged)), without_wall(&text), "merged shards differ from the whole sweep");
    assert_eq!(json(&merged)["definition"], json(&whole)["definition"]);
    // The definition is byte-identical too: only provenance, written last, differs.
    let head = |d: &Path| {
        let t = fs::read_to_string(d.join("sweep.json")).unwrap();
        t[..t.find("\n  \"provenance\"").unwrap()].to_string()
    };
    assert_eq!(head(&merged), head(&whole));
}

#[test]
fn resume_after_a_cut_keeps_finished_rows_and_computes_only_the_rest() {
    let t = Scratch::new("cut");
    let whole = t.path("whole");
    ok(&["sweep", CI, "--out", s(&whole), "--jobs", "2", "--quiet"]);
    let text = csv(&whole);
    let lines: Vec<&str> = text.lines().collect();

    // As a process stopped mid-write leaves it: rows in completion order, the
    // last row missing and half of a line at the end.
    let cut = t.path("cut");
    fs::create_dir_all(&cut).unwrap();
    fs::copy(whole.join("sweep.json"), cut.join("sweep.json")).unwrap();
    let mut rows: Vec<&str> = lines[1..lines.len() - 1].to_vec();
    rows.reverse();
    let half = &lines[lines.len() - 1][..20];
    fs::write(cut.join("sweep.csv"), format!("{}\n{}\n{half}", lines[0], rows.join("\n"))).unwrap();

    // A report drawn from the rows so far goes when the resume changes
    // them, and the resume says so.
    ok(&["report", s(&cut)]);
    assert!(cut.join("report.md").exists());
    // The user's own plot, named like the report's, stays.
    fs::write(cut.join("cost_vs_rate.png"), "mine").unwrap();
    let o = ok(&["sweep", CI, "--out", s(&cut), "--jobs", "2", "--quiet"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("removed the report drawn from the rows an earlier invocation left"), "{err}");
    let mut left: Vec<String> =
        fs::read_dir(&cut).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    left.sort();
    assert_eq!(left, ["cost_vs_rate.png", "sweep.csv", "sweep.json"]);
    fs::remove_file(cut.join("cost_vs_rate.png")).unwrap();
    let resumed = csv(&cut);
    assert_eq!(without_wall(&resumed), without_wall(&text));
    // Kept rows are the very same lines (their wall time included): not recomputed.
    let again: Vec<&str> = resumed.lines().collect();
    assert_eq!(again[..again.len() - 1], lines[..lines.len() - 1]);
    let me = last_invocation(&cut);
    assert_eq!(me["runs_kept"], 11, "{me}");
    assert_eq!(me["runs_computed"], 1, "{me}");
    assert_eq!(me["lines_dropped"], 1, "{me}");

    // Done: running again computes nothing and changes nothing, the
    // report of the finished rows included.
    ok(&["report", s(&cut)]);
    ok(&["sweep", CI, "--out", s(&cut), "--quiet"]);
    assert_eq!(csv(&cut), resumed);
    assert!(cut.join("report.md").exists());
    assert_eq!(last_invocation(&cut)["runs_computed"], 0);
}

/// Rows whose seed or parameter values the design does not give, their
/// digests made again to match, are not kept by a resume: they are
/// computed again (a merge refuses them; a resume kept them).
#[test]
fn resume_computes_again_rows_that_are_not_the_designs() {
    let t = Scratch::new("edited");
    let whole = t.path("whole");
    ok(&["sweep", CI, "--out", s(&whole), "--quiet"]);
    let text = csv(&whole);
    let edited = t.path("edited");
    fs::create_dir_all(&edited).unwrap();
    fs::copy(whole.join("sweep.json"), edited.join("sweep.json")).unwrap();
    let redigest = |line: &str, column: usize, value: &str| {
        let mut cells: Vec<String> = line.split(',').map(String::from).collect();
        cells[column] = value.to_string();
        let n = cells.len();
        let before = cells[..n - 2].join(",");
        cells[n - 2] = format!("{:016x}", tplus::batch::csv::fnv1a(&before));
        cells.join(",")
    };
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    lines[1] = redigest(&lines[1], 2, "12345");
    lines[2] = redigest(&lines[2], 3, "0.03");
    fs::write(edited.join("sweep.csv"), lines.join("\n") + "\n").unwrap();
    ok(&["sweep", CI, "--out", s(&edited), "--quiet"]);
    assert_eq!(without_wall(&csv(&edited)), without_wall(&text));
    let me = last_invocation(&edited);
    assert_eq!(
        (&me["runs_kept"], &me["runs_computed"], &me["lines_dropped"]),
        (&10.into(), &2.into(), &2.into()),
        "{me}"
    );
}

/// Resumed without `--keep-runs` where an earlier invocation kept runs: the
/// folder a run cut short left half-written is cleared (nothing would
/// complete it), the kept runs' folders stay, and the start says the runs
/// computed now get none.
#[test]
fn a_resume_without_keep_runs_clears_the_half_written_run_folders() {
    let t = Scratch::new("unkept");
    let out = t.path("out");
    ok(&["sweep", CI, "--out", s(&out), "--keep-runs", "--quiet"]);
    let text = csv(&out);
    let lines: Vec<&str> = text.lines().collect();
    fs::write(out.join("sweep.csv"), lines[..lines.len() - 1].join("\n") + "\n").unwrap();
    let last: Vec<&str> = lines[lines.len() - 1].split(',').collect();
    let folder = out.join("runs").join(format!(
        "p{:05}-r{:03}",
        last[0].parse::<usize>().unwrap(),
        last[1].parse::<u32>().unwrap()
    ));
    fs::remove_file(folder.join("manifest.json")).unwrap();
    fs::write(folder.join(".trades.csv.999999-1.partial"), "cut").unwrap();
    let o = ok(&["sweep", CI, "--out", s(&out)]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("holds the runs an earlier invocation kept (--keep-runs); the 1 computed now get no folder there"),
        "{err}"
    );
    assert!(!folder.exists(), "the half-written folder is left");
    assert_eq!(fs::read_dir(out.join("runs")).unwrap().count(), lines.len() - 2, "the kept runs' folders stay");
    assert_eq!(without_wall(&csv(&out)), without_wall(&text));
}

/// Resumed with `--keep-runs` where the earlier invocation ran without it:
/// the start says the kept runs have no folder and will not get one.
#[test]
fn a_resume_adding_keep_runs_says_the_kept_runs_have_no_folder() {
    let t = Scratch::new("keep_late");
    let out = t.path("out");
    ok(&["sweep", CI, "--out", s(&out), "--quiet"]);
    let text = csv(&out);
    let lines: Vec<&str> = text.lines().collect();
    fs::write(out.join("sweep.csv"), lines[..lines.len() - 1].join("\n") + "\n").unwrap();
    let o = ok(&["sweep", CI, "--out", s(&out), "--keep-runs"]);
    let err = String::from_utf8_lossy(&o.stderr);
    let kept = lines.len() - 2;
    assert!(
        err.contains(&format!("note: {kept} of the {kept} runs kept from an earlier invocation have no folder in ")),
        "{err}"
    );
    assert_eq!(fs::read_dir(out.join("runs")).unwrap().count(), 1, "the run computed now has its folder");
}

#[test]
fn resume_after_ctrl_c_completes_the_sweep_exactly_once() {
    let t = Scratch::new("kill");
    let sweep = "scenarios/sweeps/bench.toml";
    let out = t.path("out");
    let mut child = Command::new(env!("CARGO_BIN_EXE_tplus"))
        .args(["sweep", sweep, "--out", s(&out), "--jobs", "1", "--quiet"])
        .current_dir(root())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while fs::read_to_string(out.join("sweep.csv")).map_or(0, |t| t.lines().count()) < 4 {
        assert!(start.elapsed() < Duration::from_secs(60), "no rows appear");
        std::thread::sleep(Duration::from_millis(5));
    }
    // Ctrl-C: SIGINT, no handler.
    let status = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert!(!exit.success(), "the sweep finished before it could be interrupted");
    let partial = csv(&out);
    let done = keys(&partial).len();
    assert!((3..64).contains(&done), "{done} rows after the interruption");

    ok(&["sweep", sweep, "--out", s(&out), "--jobs", "2", "--quiet"]);
    let me = last_invocation(&out);
    assert_eq!(me["runs_kept"].as_u64().unwrap() + me["runs_computed"].as_u64().unwrap(), 64, "{me}");
    assert!(me["runs_kept"].as_u64().unwrap() >= done as u64 - 1, "{me}");
    let whole = t.path("whole");
    ok(&["sweep", sweep, "--out", s(&whole), "--jobs", "2", "--quiet"]);
    assert_eq!(without_wall(&csv(&out)), without_wall(&csv(&whole)));
}

#[test]
fn a_failed_run_is_recorded_and_the_sweep_goes_on() {
    let t = Scratch::new("fail");
    let out = t.path("out");
    // A file where run (point 2, replication 0) keeps its results: it cannot write them.
    fs::create_dir_all(out.join("runs")).unwrap();
    fs::write(out.join("runs/p00002-r000"), "in the way").unwrap();
    let o = tplus(&["sweep", CI, "--out", s(&out), "--keep-runs", "--jobs", "2", "--quiet"]);
    assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("1 run(s) failed"));
    let text = csv(&out);
    assert_eq!(keys(&text).len(), 12);
    let failed: Vec<&str> = text.lines().filter(|l| l.contains(",failed,")).collect();
    assert_eq!(failed.len(), 1, "{text}");
    assert!(failed[0].starts_with("2,0,") && failed[0].contains("cannot write the run's results"), "{}", failed[0]);
    assert!(out.join("runs/p00003-r001/manifest.json").is_file(), "--keep-runs keeps each run's results");

    // Resuming keeps the failed row; --retry-failed computes it again.
    let o = tplus(&["sweep", CI, "--out", s(&out), "--keep-runs", "--quiet"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(last_invocation(&out)["runs_computed"], 0);
    fs::remove_file(out.join("runs/p00002-r000")).unwrap();
    // What a run cut short by a Ctrl-C'd invocation leaves: its temporary
    // files, beside anything of the user's.
    let run = out.join("runs/p00002-r000");
    fs::create_dir_all(&run).unwrap();
    fs::write(run.join(".trades.csv.4242-0.partial"), "cut short").unwrap();
    fs::write(run.join("notes.txt"), "mine").unwrap();
    ok(&["sweep", CI, "--out", s(&out), "--keep-runs", "--retry-failed", "--quiet"]);
    assert_eq!(last_invocation(&out)["runs_computed"], 1);
    let mut left: Vec<String> =
        fs::read_dir(&run).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    left.sort();
    assert_eq!(left, ["manifest.json", "metrics.csv", "notes.txt", "risk.csv", "summary.json", "trades.csv"]);
    let whole = t.path("whole");
    ok(&["sweep", CI, "--out", s(&whole), "--quiet"]);
    assert_eq!(without_wall(&csv(&out)), without_wall(&csv(&whole)));
}

#[test]
fn merge_refuses_a_missing_or_duplicated_shard() {
    let t = Scratch::new("merge");
    let shard = |k: u32| {
        let dir = t.path(&format!("s{k}"));
        ok(&["sweep", CI, "--out", s(&dir), "--shard", &format!("{k}/3"), "--quiet"]);
        dir
    };
    let (s1, s2, s3) = (shard(1), shard(2), shard(3));
    let out = t.path("merged");
    let refused = |dirs: &[&Path], wanted: &[&str]| {
        let mut args = vec!["merge"];
        args.extend(dirs.iter().map(|d| s(d)));
        args.extend(["--out", s(&out)]);
        let o = tplus(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        for w in wanted {
            assert!(err.contains(w), "`{w}` not in: {err}");
        }
        assert!(!out.exists(), "a refused merge writes nothing");
    };
    refused(&[&s1, &s3], &["4 of 12 runs missing", "point 1 replication 0", "shard(s) 2/3"]);
    refused(&[&s1, &s2, &s3, &s2], &["given twice"]);
    // The same shard run twice into two directories.
    let again = t.path("s2-again");
    ok(&["sweep", CI, "--out", s(&again), "--shard", "2/3", "--quiet"]);
    refused(&[&s1, &s2, &s3, &again], &["4 run(s) are in both", "point 4 replication 1"]);
    // A piece of another sweep.
    let other = t.path("other");
    ok(&["sweep", "scenarios/sweeps/bench.toml", "--out", s(&other), "--shard", "64/64", "--quiet"]);
    refused(&[&s1, &other], &["hold different sweeps"]);
    // And a directory that is no sweep's, or none at all.
    refused(&[&s1, t.0.as_path()], &["no sweep.json"]);
    refused(&[&s1, &t.path("nowhere")], &["nowhere: no such directory"]);
    // A sweep stopped before its first row: sweep.json, no rows.
    let unfinished = t.path("unfinished");
    fs::create_dir(&unfinished).unwrap();
    fs::copy(s1.join("sweep.json"), unfinished.join("sweep.json")).unwrap();
    refused(&[&unfinished, &s1], &["no sweep.csv, or an empty one", "run it again to resume"]);
    fs::write(unfinished.join("sweep.csv"), "").unwrap();
    refused(&[&unfinished, &s1], &["no sweep.csv, or an empty one"]);
    // A damaged definition (columns, or a point's values) is refused, not
    // a panic.
    let damaged = |name: &str, edit: &dyn Fn(&mut Value)| {
        let dir = t.path(name);
        fs::create_dir(&dir).unwrap();
        let mut doc = json(&s1);
        edit(&mut doc["definition"]);
        fs::write(dir.join("sweep.json"), doc.to_string()).unwrap();
        fs::copy(s1.join("sweep.csv"), dir.join("sweep.csv")).unwrap();
        dir
    };
    let status_first = damaged("status-first", &|d| d["columns"] = serde_json::json!(["status"]));
    refused(&[&status_first], &["sweep.json is damaged", "do not start with point, replication, seed"]);
    let short_point = damaged("short-point", &|d| d["points"][0]["values"] = serde_json::json!([1]));
    refused(&[&short_point], &["sweep.json is damaged", "point 0 has 1 value(s)"]);
    // Replications edited to a billion: not the runs it states (and not a
    // billion runs looked for).
    let billion = damaged("billion", &|d| d["sweep"]["replications"] = serde_json::json!(1_000_000_000u64));
    refused(&[&billion], &["sweep.json is damaged", "6 points × 1000000000 replications are not its 12 runs"]);
}

#[test]
fn an_output_directory_of_another_sweep_or_shard_is_refused() {
    let t = Scratch::new("other");
    let out = t.path("out");
    ok(&["sweep", CI, "--out", s(&out), "--shard", "1/3", "--quiet"]);
    let before = csv(&out);
    let o = tplus(&["sweep", CI, "--out", s(&out), "--quiet"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("holds shard 1/3 of this sweep, not the whole"));
    let o = tplus(&["sweep", "scenarios/sweeps/bench.toml", "--out", s(&out), "--quiet"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("holds another sweep"));
    assert_eq!(csv(&out), before, "a refused sweep leaves the directory alone");
    // `--check` finds the same, writing nothing: it used to say ok.
    let json_before = std::fs::read_to_string(out.join("sweep.json")).unwrap();
    for (args, says) in [
        (vec!["sweep", CI, "--out", s(&out), "--check"], "holds shard 1/3 of this sweep, not the whole"),
        (vec!["sweep", "scenarios/sweeps/bench.toml", "--out", s(&out), "--check"], "holds another sweep"),
    ] {
        let o = tplus(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&o.stderr).contains(says), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
        assert!(o.stdout.is_empty(), "{args:?}: a refused check says no ok");
    }
    let o = ok(&["sweep", CI, "--out", s(&out), "--shard", "1/3", "--check"]);
    let said = String::from_utf8_lossy(&o.stdout);
    assert!(said.contains("(holds this sweep's rows: the sweep resumes them)"), "{said}");
    let fresh = t.path("fresh");
    let o = ok(&["sweep", CI, "--out", s(&fresh), "--check"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("(starts afresh)"));
    assert!(!fresh.exists(), "--check made the output directory");
    assert_eq!((csv(&out), std::fs::read_to_string(out.join("sweep.json")).unwrap()), (before, json_before));
}

/// Line and column (from 1) of the first `needle` after the first `after`.
fn place(text: &str, after: &str, needle: &str) -> String {
    let from = text.find(after).unwrap_or_else(|| panic!("no `{after}`"));
    let at = from + text[from..].find(needle).unwrap_or_else(|| panic!("no `{needle}` after `{after}`"));
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    format!("{}:{}", text[..at].matches('\n').count() + 1, text[line_start..at].chars().count() + 1)
}

/// A scenario given to `sweep`, or a sweep file to `run` or `check`, is
/// refused with exit 2 and a word on which command takes it.
#[test]
fn a_file_of_the_other_kind_says_which_command_takes_it() {
    for (args, hint) in [
        (vec!["sweep", "scenarios/baseline.toml", "--check"], "this is a scenario file: run it with `tplus run FILE`"),
        (vec!["check", "scenarios/sweeps/ci.toml"], "this is a sweep file: run it with `tplus sweep FILE`"),
        (vec!["run", "scenarios/sweeps/ci.toml", "--out", "/nonexistent/never"], "this is a sweep file"),
    ] {
        let o = tplus(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("unknown field") && err.contains(hint), "{args:?}: {err}");
    }
}

#[test]
fn bad_sweep_files_are_refused_with_file_line_and_what_is_accepted() {
    let t = Scratch::new("bad");
    let base = root().join("scenarios/baseline.toml");
    let head = format!("[sweep]\nname = \"bad\"\nscenario = \"{}\"\nseed = 3\n", base.display());
    // (name, rest of the file, (after, needle) locating the error, field, words of the message, words of accepted)
    type Case<'a> = (&'a str, &'a str, (&'a str, &'a str), &'a str, &'a str, &'a str);
    let cases: &[Case] = &[
        (
            "unknown_path",
            "[[param]]\npath = \"agents[3].params.herdin\"\nvalues = [1.0]\n",
            ("path", "\"agents"),
            "param[0].path",
            "`herdin` is not a parameter of the herding family",
            "for herding: herding, autonomy",
        ),
        (
            "unknown_table",
            "[[param]]\npath = \"macro.loan_rat.theta\"\nvalues = [1.0]\n",
            ("path", "\"macro"),
            "param[0].path",
            "no field `loan_rat` in `macro`",
            "`loan_rate`",
        ),
        (
            "index_out_of_range",
            "[[param]]\npath = \"agents[7].count\"\nvalues = [10]\n",
            ("path", "\"agents"),
            "param[0].path",
            "`agents` has 5 entries: [0] to [4]",
            "agents[1].count",
        ),
        (
            "path_syntax",
            "[[param]]\npath = \"agents.[1]count\"\nvalues = [10]\n",
            ("path", "\"agents"),
            "param[0].path",
            "is not a parameter path",
            "dotted path",
        ),
        (
            "wrong_type",
            "[[param]]\npath = \"agents[3].count\"\nvalues = [100, 250.5]\n",
            ("values", "250.5"),
            "param[0].values[1]",
            "point 1 (agents[3].count = 250.5): invalid type: floating point `250.5`",
            "an integer",
        ),
        (
            "wrong_type_string",
            "[[param]]\npath = \"macro.loan_rate.value\"\nvalues = [\"high\"]\n",
            ("values", "\"high\""),
            "param[0].values[0]",
            "invalid type: string \"high\"",
            "a number",
        ),
        (
            "empty_grid",
            "[[param]]\npath = \"agents[3].params.herding\"\nvalues = []\n",
            ("values", "[]"),
            "param[0].values",
            "an empty list: the design would have no point",
            "one or more values",
        ),
        (
            "level_twice",
            "[[param]]\npath = \"agents[3].params.herding\"\nvalues = [0.4, 0.5, 0.40]\n",
            ("values", "0.40"),
            "param[0].values[2]",
            "0.4 is given twice (also values[0]): the two points would be the same scenario",
            "distinct values",
        ),
        (
            // A whole number for a duration is shown as written, not as the
            // real a real field would make of it.
            "whole_number_for_a_duration",
            "[[param]]\npath = \"simulation.window\"\nvalues = [300, 600]\n",
            ("values", "300"),
            "param[0].values[0]",
            "point 0 (simulation.window = 300): invalid type: integer `300`",
            "a duration such as",
        ),
        (
            "too_many_runs",
            "replications = 1000\n\n[[param]]\npath = \"agents[3].params.herding\"\nrange = { from = 0.0, to = 1.0, step = 0.0001 }\n",
            ("replications", "1000"),
            "sweep.replications",
            "10001 points × 1000 replications is 10001000 runs",
            "at most 10000000 runs",
        ),
        (
            "level_twice_once_read",
            "[[param]]\npath = \"simulation.window\"\nvalues = [\"5m\", \"10m\", \"300s\"]\n",
            ("values", "\"300s\""),
            "param[0].values[2]",
            "\"300s\" is the same `simulation.window` as values[0] (\"5m\") once read: the two points would be the same scenario",
            "distinct values",
        ),
        (
            "empty_range",
            "[[param]]\npath = \"agents[3].params.herding\"\nrange = { from = 2.0, to = 1.0, step = 0.5 }\n",
            ("to =", "1.0"),
            "param[0].range.to",
            "the range is empty",
            "to ≥ from",
        ),
        (
            "invalid_value",
            "[[param]]\npath = \"agents[3].params.herding\"\nvalues = [1.0, 2.0, -0.5]\n",
            ("values", "-0.5"),
            "param[0].values[2]",
            "point 2 (agents[3].params.herding = -0.5): -0.5 is out of range",
            "from 0 to 1000",
        ),
        (
            "invalid_value_of_a_draw",
            "design = \"random\"\nsamples = 20\n[[param]]\npath = \"product[0].min_credit_score\"\ndistribution = { dist = \"normal\", mean = 0.0, sd = 100.0 }\n",
            ("distribution", "{"),
            "param[0].distribution",
            "(product[0].min_credit_score = -",
            "0 to 1000",
        ),
        (
            "varied_twice_spelled_apart",
            "[[param]]\npath = \"agents[3].params.herding\"\nvalues = [0.4]\n[[param]]\npath = \"agents[03].params.herding\"\nvalues = [0.5]\n",
            ("path = \"agents[03]", "\"agents"),
            "param[1].path",
            "`agents[03].params.herding` is varied twice (also param[0], `agents[3].params.herding`)",
            "each scenario field varied by one [[param]] only",
        ),
        (
            "varied_within_another",
            "[[param]]\npath = \"agents[1].budget\"\nvalues = [1000.0]\n[[param]]\npath = \"agents[1].budget.value\"\nvalues = [5.0]\n",
            ("path = \"agents[1].budget.value", "\"agents"),
            "param[1].path",
            "and param[0]'s `agents[1].budget` vary the same field",
            "each scenario field varied by one [[param]] only",
        ),
        (
            "refused_by_the_model",
            "[[param]]\npath = \"macro.loan_rate.theta\"\nvalues = [0.05]\n",
            ("values", "0.05"),
            "param[0].values[0]",
            "`theta` does not apply to model `fixed`",
            "model = \"fixed\" with value",
        ),
        (
            "distribution_in_a_grid",
            "[[param]]\npath = \"agents[3].params.herding\"\ndistribution = { dist = \"uniform\", min = 0.1, max = 1.0 }\n",
            ("distribution", "{"),
            "param[0].distribution",
            "a distribution has no grid levels",
            "design = \"random\" or \"latin_hypercube\"",
        ),
        (
            "unknown_sweep_field",
            "replicates = 3\n",
            ("replicates", "replicates"),
            "sweep.replicates",
            "unknown field `replicates`",
            "`replications`",
        ),
        (
            "seed_is_the_sweeps",
            "[[param]]\npath = \"simulation.seed\"\nvalues = [1, 2]\n",
            ("path", "\"simulation"),
            "param[0].path",
            "each run's seed comes from the sweep",
            "replications",
        ),
    ];
    for (name, rest, (after, needle), field, message, accepted) in cases {
        let text = format!("{head}{rest}");
        let file = t.path(&format!("{name}.toml"));
        fs::write(&file, &text).unwrap();
        let out = t.path(&format!("{name}-out"));
        for args in [vec!["sweep", s(&file), "--out", s(&out)], vec!["sweep", s(&file), "--check"]] {
            let o = tplus(&args);
            let err = String::from_utf8_lossy(&o.stderr);
            assert_eq!(o.status.code(), Some(2), "{name}: {err}");
            let expected = format!("error: {}:{}: {field}: ", file.display(), place(&text, after, needle));
            assert!(err.starts_with(&expected), "{name}: expected `{expected}…`, got:\n{err}");
            assert!(err.contains(message), "{name}: `{message}` not in:\n{err}");
            let acc = err.split("\n  accepted: ").nth(1).unwrap_or_else(|| panic!("{name}: no accepted line:\n{err}"));
            assert!(acc.contains(accepted), "{name}: `{accepted}` not in accepted: {acc}");
            assert!(o.stdout.is_empty(), "{name}: printed {}", String::from_utf8_lossy(&o.stdout));
            assert!(!out.exists(), "{name}: wrote {}", out.display());
        }
    }

    // A base scenario that is not there, or not a file: the sweep file's
    // line, and why.
    for (scenario, why) in
        [("nowhere.toml", "no such file"), (".", "it is a directory"), ("/dev/null", "not a regular file")]
    {
        let text = format!("[sweep]\nname = \"bad\"\nscenario = \"{scenario}\"\n");
        let file = t.path("no_scenario.toml");
        fs::write(&file, text).unwrap();
        let o = tplus(&["sweep", s(&file)]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2));
        assert!(
            err.starts_with(&format!("error: {}:3:12: sweep.scenario: cannot read the scenario", file.display())),
            "{err}"
        );
        assert!(err.contains(why), "{scenario}: {err}");
    }
}

#[test]
fn paths_reach_tables_arrays_and_model_fields() {
    // Vasicek's theta, a Hawkes mu, a whole distribution table, an event's
    // moment and a duration, on the fixture with every table.
    let t = Scratch::new("paths");
    let scenario = root().join("tests/data/full_market.toml");
    let text = format!(
        "[sweep]\nname = \"paths\"\nscenario = \"{}\"\ndesign = \"random\"\nsamples = 3\n\n\
         [[param]]\npath = \"macro.loan_rate.theta\"\nrange = {{ from = 0.03, to = 0.05 }}\n\n\
         [[param]]\npath = \"agents[1].budget\"\nvalues = [{{ dist = \"fixed\", value = 1000.0 }}, {{ dist = \"uniform\", min = 10.0, max = 20.0 }}]\n\n\
         [[param]]\npath = \"simulation.window\"\nvalues = [\"5m\", \"10m\"]\n\n\
         [[param]]\npath = \"events[0].at\"\nvalues = [\"day 3 09:45\"]\n\n\
         [[param]]\npath = \"agents[2].arrival.mu\"\nrange = {{ from = 0.3, to = 0.9 }}\n\n\
         [[param]]\npath = \"agents[1].count\"\ndistribution = {{ dist = \"lognormal\", median = 40.0, sigma = 0.3 }}\n",
        scenario.display()
    );
    let file = t.path("paths.toml");
    fs::write(&file, &text).unwrap();
    let sweep =
        tplus::scenario::load_sweep(&file, &tplus::agents::Registry::builtin()).unwrap_or_else(|e| panic!("{e}"));
    assert!(sweep.params[5].integer, "count holds whole numbers");
    assert!(!sweep.params[0].integer);
    let points = tplus::batch::expand(&sweep);
    sweep.check_points(&points, &tplus::agents::Registry::builtin()).unwrap_or_else(|e| panic!("{e}"));
    for p in &points {
        let s = sweep.scenario_at(p, &tplus::agents::Registry::builtin()).unwrap();
        let theta = s.macro_env.loan_rate.theta.unwrap();
        assert!((0.03..=0.05).contains(&theta));
        assert_eq!(Some(theta), p.values[0].as_f64());
        assert_eq!(s.events[0].at.to_string(), "day 3 09:45");
        assert_eq!(s.agents[2].arrival.mu, p.values[4].as_f64());
        assert_eq!(s.agents[1].count, p.values[5].as_i64().unwrap());
    }
}

/// Each row's two intervals per side are its run's, as `summary.json` has
/// them: Wilson's, which takes every order as independent, and the
/// Newey–West one over the run's windows, which allows for serial
/// dependence and here is the wider.
#[test]
fn each_row_carries_its_runs_wilson_and_serial_intervals() {
    let t = Scratch::new("intervals");
    let out = t.path("out");
    ok(&["sweep", CI, "--out", s(&out), "--keep-runs", "--quiet"]);
    let text = csv(&out);
    let header = tplus::batch::csv::split(text.lines().next().unwrap());
    let at = |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"));
    let mut rows = 0;
    for line in text.lines().skip(1) {
        let cells = tplus::batch::csv::split(line);
        let (p, r): (usize, u32) = (cells[0].parse().unwrap(), cells[1].parse().unwrap());
        let summary: Value =
            serde_json::from_str(&fs::read_to_string(out.join(format!("runs/p{p:05}-r{r:03}/summary.json"))).unwrap())
                .unwrap();
        for (prefix, side) in [("sub", "subscriptions"), ("sale", "sales")] {
            let json = &summary["all"][side];
            let cell = |name: String| cells[at(&name)].parse::<f64>().unwrap();
            let [lo, hi] = [0, 1].map(|k| cell(format!("{prefix}_success_{}", ["lo", "hi"][k])));
            let [slo, shi] = [0, 1].map(|k| cell(format!("{prefix}_success_serial_{}", ["lo", "hi"][k])));
            // serde_json's parser (without its `float_roundtrip` feature)
            // may land an ulp off the number written: compare to 1e-15.
            let same = |a: [f64; 2], field: &str| {
                let b = [0, 1].map(|k| json[field][k].as_f64().unwrap());
                assert!(
                    (0..2).all(|k| (a[k] - b[k]).abs() <= 1e-15 * b[k].abs()),
                    "{p},{r} {side} {field}: {a:?} {b:?}"
                );
            };
            same([lo, hi], "success_ci_95");
            same([slo, shi], "success_ci_95_serial");
            assert!(shi - slo > hi - lo, "{p},{r} {side}: serial {slo}..{shi} against Wilson {lo}..{hi}");
        }
        rows += 1;
    }
    assert_eq!(rows, 12);
}

#[test]
fn a_point_run_alone_gives_its_row() {
    let t = Scratch::new("alone");
    let out = t.path("out");
    ok(&["sweep", CI, "--out", s(&out), "--quiet"]);
    let text = csv(&out);
    let sweep = tplus::scenario::load_sweep(root().join(CI), &tplus::agents::Registry::builtin()).unwrap();
    let points = tplus::batch::expand(&sweep);
    // The seed of a run depends on the sweep seed, the point and the replication only.
    assert_eq!(tplus::batch::run_seed(11, 0, 0), 4_565_960_255_282_684_191);
    for (p, r) in [(4usize, 1u32), (0, 0)] {
        let seed = tplus::batch::run_seed(sweep.seed, p, r);
        let scenario = sweep.scenario_at(&points[p], &tplus::agents::Registry::builtin()).unwrap();
        let opts = tplus::engine::RunOptions { seed: Some(seed), threads: 1 };
        let outcome = tplus::engine::run(&scenario, &opts, &mut tplus::engine::record::Discard).unwrap();
        let fields = tplus::batch::csv::result_fields(&outcome, &tplus::batch::csv::summarise(&scenario, &outcome));
        let row = text.lines().find(|l| l.starts_with(&format!("{p},{r},"))).unwrap();
        let cells = tplus::batch::csv::split(row);
        assert_eq!(cells[2], seed.to_string());
        let first = tplus::batch::csv::status_column(&sweep) + 2;
        // Then the digest and the wall time.
        assert_eq!(cells[first..cells.len() - 2], fields[..], "point {p} replication {r}");
    }
}

#[test]
fn sampled_designs_are_reproducible_and_stratified() {
    let file = root().join("scenarios/sweeps/lhs_rate_credit_herding.toml");
    let sweep = tplus::scenario::load_sweep(&file, &tplus::agents::Registry::builtin()).unwrap();
    let points = tplus::batch::expand(&sweep);
    assert_eq!(points, tplus::batch::expand(&sweep));
    let n = points.len();
    assert_eq!(n, 24);
    // Each parameter's n strata of equal probability are each hit once.
    let strata = |k: usize, cdf: &dyn Fn(f64) -> f64| {
        let mut hit: Vec<usize> =
            points.iter().map(|p| (cdf(p.values[k].as_f64().unwrap()) * n as f64) as usize).collect();
        hit.sort_unstable();
        assert_eq!(hit, (0..n).collect::<Vec<_>>(), "parameter {k}");
    };
    strata(0, &|x| (x - 0.02) / 0.06);
    strata(1, &|x| (x - 500.0) / 150.0);
    strata(2, &|x| (x.ln() - 0.1f64.ln()) / (10f64.ln() - 0.1f64.ln()));
}

/// `merge --out` replaces an earlier merge of the same sweep and nothing
/// else: not a piece being merged, a shard of this sweep that is not one,
/// this sweep run whole, or a shard of another sweep.
#[test]
fn merge_replaces_only_an_earlier_merge_of_the_same_sweep() {
    let t = Scratch::new("merge-out");
    let shard = |name: &str, k: &str, file: &str| {
        let dir = t.path(name);
        ok(&["sweep", file, "--out", s(&dir), "--shard", k, "--quiet"]);
        dir
    };
    let pieces = [shard("s1", "1/2", CI), shard("s2", "2/2", CI)];
    let merge = |out: &Path| {
        let mut args = vec!["merge"];
        args.extend(pieces.iter().map(|d| s(d)));
        args.extend(["--out", s(out)]);
        tplus(&args)
    };
    let refused = |out: &Path, wanted: &str| {
        let before = (fs::read(out.join("sweep.csv")).unwrap(), fs::read(out.join("sweep.json")).unwrap());
        let o = merge(out);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains(wanted), "`{wanted}` not in: {err}");
        let after = (fs::read(out.join("sweep.csv")).unwrap(), fs::read(out.join("sweep.json")).unwrap());
        assert!(before == after, "a refused merge leaves {} as it was", out.display());
    };
    refused(&pieces[1], "one of the pieces being merged");
    // Shards under a directory, as the README lays them out: a whole sweep
    // there is refused with the merge to run.
    let parent = t.path("parent");
    ok(&["sweep", CI, "--out", s(&parent.join("shard-1-of-2")), "--shard", "1/2", "--quiet"]);
    let o = tplus(&["sweep", CI, "--out", s(&parent), "--quiet"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("shard-1-of-2/") && err.contains("merge them (`tplus merge"), "{err}");
    let whole = t.path("whole");
    ok(&["sweep", CI, "--out", s(&whole), "--quiet"]);
    refused(&whole, "this sweep's own results, run whole");
    let third = shard("third", "1/3", CI);
    refused(&third, "shard 1/3's results of this sweep");
    let other = shard("other", "64/64", "scenarios/sweeps/bench.toml");
    refused(&other, "holds another sweep");
    // An earlier merge of this sweep is replaced by the same rows.
    let merged = t.path("merged");
    assert!(merge(&merged).status.success());
    let first = csv(&merged);
    let o = merge(&merged);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(without_wall(&csv(&merged)), without_wall(&first));
    // A sweep run into the merge would take its rows for its own and lose
    // the shards' provenance: it is refused, and --check says so too.
    let held = fs::read(merged.join("sweep.json")).unwrap();
    for check in [false, true] {
        let mut args = vec!["sweep", CI, "--out", s(&merged), "--quiet"];
        if check {
            args.push("--check");
        }
        let o = tplus(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains("holds a merge of this sweep's shards") && err.contains("merge again"), "{err}");
        assert_eq!(fs::read(merged.join("sweep.json")).unwrap(), held);
    }
    // Also after `tplus report` drew the merge: the report goes with the
    // rows it was drawn from, and the merge says so; a file the report did
    // not write still refuses the merge.
    ok(&["report", s(&merged)]);
    // A plot of the user's, named like the report's, is not the report's.
    for mine in ["cost_vs_rate.png", "heatmap_mine.svg"] {
        fs::write(merged.join(mine), "mine").unwrap();
        let o = merge(&merged);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains(mine), "{err}");
        fs::remove_file(merged.join(mine)).unwrap();
    }
    let o = merge(&merged);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("removed the report drawn from the merge this one replaced"), "{err}");
    let mut left: Vec<String> =
        fs::read_dir(&merged).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    left.sort();
    assert_eq!(left, ["sweep.csv", "sweep.json"]);
    assert_eq!(without_wall(&csv(&merged)), without_wall(&first));
}

/// Merge checks every row is the run it says it is: a wrong seed, an
/// off-design parameter value, an edited result, a status flipped to failed,
/// a malformed or overlong line and a line cut short are each an error
/// naming the shard's file, the line and what differs; the untouched shard
/// merges.
#[test]
fn merge_verifies_every_row() {
    let t = Scratch::new("verify");
    let whole = t.path("whole");
    ok(&["sweep", CI, "--out", s(&whole), "--quiet"]);
    let text = csv(&whole);
    let header = text.lines().next().unwrap().to_string();
    let cols: Vec<&str> = header.split(',').collect();
    let col = |name: &str| cols.iter().position(|c| *c == name).unwrap();
    let param = cols[3];
    let edit_cell = |line: &str, i: usize, to: &str| {
        let mut f: Vec<String> = line.split(',').map(str::to_string).collect();
        f[i] = to.to_string();
        f.join(",")
    };
    let row = text.lines().nth(3).unwrap().to_string();
    let cases: Vec<(&str, String, Vec<String>)> = vec![
        ("seed", edit_cell(&row, 2, "12345"), vec!["seed 12345, but the sweep's seed gives".into()]),
        ("param", edit_cell(&row, 3, "0.123456"), vec![format!("`{param}` is 0.123456, but the design's point")]),
        ("result", edit_cell(&row, col("volume"), "1"), vec!["does not match the row's text".into()]),
        ("status", edit_cell(&row, col("status"), "failed"), vec!["does not match the row's text".into()]),
        ("short", row.rsplit_once(',').unwrap().0.to_string(), vec!["fields, the header has".into()]),
        ("junk", "x".repeat(2 << 20), vec!["bytes, not a row".into()]),
    ];
    for (name, line, wanted) in cases {
        let dir = t.path(name);
        fs::create_dir_all(&dir).unwrap();
        fs::copy(whole.join("sweep.json"), dir.join("sweep.json")).unwrap();
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        lines[3] = line;
        fs::write(dir.join("sweep.csv"), lines.join("\n") + "\n").unwrap();
        let out = t.path(&format!("{name}-merged"));
        let o = tplus(&["merge", s(&dir), "--out", s(&out)]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{name}: {err}");
        assert!(err.contains(&format!("{}:4:", dir.join("sweep.csv").display())), "{name}: {err}");
        for w in &wanted {
            assert!(err.contains(w.as_str()), "{name}: `{w}` not in: {err}");
        }
        assert!(!out.exists(), "{name}: a refused merge writes nothing");
    }
    // A shard cut short in its last line.
    let cut = t.path("cut");
    fs::create_dir_all(&cut).unwrap();
    fs::copy(whole.join("sweep.json"), cut.join("sweep.json")).unwrap();
    fs::write(cut.join("sweep.csv"), &text[..text.len() - 5]).unwrap();
    let o = tplus(&["merge", s(&cut), "--out", s(&t.path("cut-merged"))]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("cut short"), "{}", String::from_utf8_lossy(&o.stderr));
    // The untouched sweep merges, and a resume recomputes an edited row.
    ok(&["merge", s(&whole), "--out", s(&t.path("merged"))]);
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines[3] = edit_cell(&row, col("volume"), "1");
    fs::write(whole.join("sweep.csv"), lines.join("\n") + "\n").unwrap();
    ok(&["sweep", CI, "--out", s(&whole), "--quiet"]);
    assert_eq!(last_invocation(&whole)["runs_computed"], 1);
    assert_eq!(without_wall(&csv(&whole)), without_wall(&text));
}

/// Rows of two builds of tplus in one file are said: a merge of shards
/// that two builds ran lists both (and records them in sweep.json), and a
/// resume that keeps rows another build computed warns.
#[test]
fn rows_of_two_builds_are_said() {
    let t = Scratch::new("builds");
    let shard = |k: u32| {
        let dir = t.path(&format!("s{k}"));
        ok(&["sweep", CI, "--out", s(&dir), "--shard", &format!("{k}/2"), "--quiet"]);
        dir
    };
    let (s1, s2) = (shard(1), shard(2));
    let rebuilt = |dir: &Path| {
        let text = fs::read_to_string(dir.join("sweep.json")).unwrap();
        let build = last_invocation(dir)["build"].as_str().unwrap().to_string();
        fs::write(dir.join("sweep.json"), text.replace(&build, "0.0.9 (1234567)")).unwrap();
        build
    };
    // One build: nothing said.
    let o = ok(&["merge", s(&s1), s(&s2), "--out", s(&t.path("one"))]);
    assert!(!String::from_utf8_lossy(&o.stderr).contains("builds"), "{}", String::from_utf8_lossy(&o.stderr));
    let ours = rebuilt(&s2);
    let merged = t.path("merged");
    let o = ok(&["merge", s(&s1), s(&s2), "--out", s(&merged)]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("computed by 2 builds of tplus (0.0.9 (1234567);"), "{err}");
    let recorded = json(&merged)["provenance"]["builds"].clone();
    assert_eq!(recorded, serde_json::json!(["0.0.9 (1234567)", ours]));
    // A resume of s2 keeping the rows the other build computed.
    let text = csv(&s2);
    let cut = text.trim_end_matches('\n').rfind('\n').unwrap() + 1;
    fs::write(s2.join("sweep.csv"), &text[..cut]).unwrap();
    let o = ok(&["sweep", CI, "--out", s(&s2), "--shard", "2/2", "--quiet"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("rows kept from before were computed by another build of tplus (0.0.9 (1234567))"), "{err}");
    // Nothing left to compute: every row is still one build's, or the
    // other's, as before: nothing said.
    let o = ok(&["sweep", CI, "--out", s(&s2), "--shard", "2/2", "--quiet"]);
    assert!(!String::from_utf8_lossy(&o.stderr).contains("build"), "{}", String::from_utf8_lossy(&o.stderr));
    // An invocation killed outright recorded neither its end nor its
    // count: its rows count as its build's.
    let mut doc = json(&s1);
    let first = &mut doc["provenance"]["invocations"][0];
    first["build"] = serde_json::json!("0.0.8 (killed)");
    first["runs_computed"] = serde_json::json!(0);
    first["finished_utc"] = serde_json::Value::Null;
    fs::write(s1.join("sweep.json"), doc.to_string()).unwrap();
    let o = ok(&["merge", s(&s1), s(&s2), "--out", s(&t.path("killed"))]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("0.0.8 (killed)"), "{err}");
}
