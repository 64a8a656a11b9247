//! One writer per output directory, and a directory that never mixes runs:
//! concurrent runs into one `--out`, re-runs into a finished directory
//! (refused, or cleared of a run's files by `--force`), planted symlinks,
//! live and stale locks, and runs and sweeps into each other's directories.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

#[path = "common/bin.rs"]
mod bin;
use bin::tplus;

const BASELINE: &str = "scenarios/baseline.toml";
const SWEEP: &str = "scenarios/sweeps/ci.toml";
const LOCK: &str = ".tplus.lock";

fn scratch(name: &str) -> PathBuf {
    bin::scratch("outdir", name)
}

fn run(out: &Path, extra: &[&str]) -> Output {
    let mut args: Vec<&std::ffi::OsStr> = vec!["run".as_ref(), BASELINE.as_ref(), "--out".as_ref(), out.as_os_str()];
    args.extend(["--quiet", "--threads", "1"].iter().chain(extra).map(std::ffi::OsStr::new));
    tplus(&args)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut n: Vec<String> =
        fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    n.sort();
    n
}

fn hostname() -> String {
    fs::read_to_string("/proc/sys/kernel/hostname").map_or_else(|_| "unknown".into(), |s| s.trim().to_string())
}

/// Two runs (seeds 1 and 2) started together into one directory: one writes
/// it, the other is refused with exit 2 and writes nothing, and what is
/// there is exactly the winner's run.
#[test]
fn two_runs_into_one_directory_never_mix() {
    let root = scratch("concurrent");
    let reference: Vec<Vec<u8>> = (1..=2)
        .map(|seed| {
            let dir = root.join(format!("ref{seed}"));
            assert!(run(&dir, &["--seed", &seed.to_string()]).status.success());
            fs::read(dir.join("trades.csv")).unwrap()
        })
        .collect();
    for trial in 0..5 {
        let out = root.join(format!("shared{trial}"));
        let children: Vec<_> = (1..=2)
            .map(|seed| {
                Command::new(env!("CARGO_BIN_EXE_tplus"))
                    .args(["run", BASELINE, "--quiet", "--threads", "1", "--seed", &seed.to_string(), "--out"])
                    .arg(&out)
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let outputs: Vec<Output> = children.into_iter().map(|c| c.wait_with_output().unwrap()).collect();
        let winners: Vec<usize> = (0..2).filter(|&i| outputs[i].status.success()).collect();
        assert_eq!(winners.len(), 1, "trial {trial}: exactly one run writes the directory");
        let loser = &outputs[1 - winners[0]];
        assert_eq!(loser.status.code(), Some(2), "trial {trial}: {}", stderr(loser));
        let e = stderr(loser);
        assert!(e.contains("in use by tplus process") || e.contains("not empty"), "trial {trial}: {e}");
        assert_eq!(fs::read(out.join("trades.csv")).unwrap(), reference[winners[0]], "trial {trial}: mixed trades");
        let manifest = fs::read_to_string(out.join("manifest.json")).unwrap();
        assert!(manifest.contains(&format!("\"seed\": {}", winners[0] + 1)), "trial {trial}");
        assert!(!names(&out).iter().any(|n| n.ends_with(".partial") || n == LOCK), "{:?}", names(&out));
    }
    fs::remove_dir_all(&root).unwrap();
}

/// A finished directory is refused without touching it; `--force` removes
/// the files a run writes (the old `events.csv` and report included), keeps
/// anything else, and leaves exactly the new run.
#[test]
fn a_finished_directory_is_refused_and_force_clears_only_a_runs_files() {
    let root = scratch("rerun");
    let out = root.join("run");
    assert!(run(&out, &["--log", "--report"]).status.success());
    fs::write(out.join("notes.txt"), "mine").unwrap();
    fs::create_dir(out.join("analysis")).unwrap();
    let before: Vec<(String, Vec<u8>)> = names(&out)
        .into_iter()
        .filter(|n| n != "analysis")
        .map(|n| (n.clone(), fs::read(out.join(&n)).unwrap()))
        .collect();
    assert!(before.iter().any(|(n, _)| n == "events.csv") && before.iter().any(|(n, _)| n == "report.md"));

    let refused = run(&out, &["--seed", "2"]);
    assert_eq!(refused.status.code(), Some(2));
    let e = stderr(&refused);
    assert!(e.contains("not empty") && e.contains("--force") && e.contains("manifest.json"), "{e}");
    let after: Vec<(String, Vec<u8>)> = names(&out)
        .into_iter()
        .filter(|n| n != "analysis")
        .map(|n| (n.clone(), fs::read(out.join(&n)).unwrap()))
        .collect();
    assert_eq!(after, before, "a refused run changes nothing");

    let forced = run(&out, &["--seed", "2", "--force"]);
    assert!(forced.status.success(), "{}", stderr(&forced));
    assert_eq!(
        names(&out),
        ["analysis", "manifest.json", "metrics.csv", "notes.txt", "risk.csv", "summary.json", "trades.csv"]
    );
    assert_eq!(fs::read_to_string(out.join("notes.txt")).unwrap(), "mine");
    let fresh = root.join("fresh");
    assert!(run(&fresh, &["--seed", "2"]).status.success());
    for f in ["trades.csv", "metrics.csv", "summary.json", "risk.csv"] {
        assert_eq!(fs::read(out.join(f)).unwrap(), fs::read(fresh.join(f)).unwrap(), "{f}");
    }
    fs::remove_dir_all(&root).unwrap();
}

/// Symlinks planted under a temporary name or a final name are removed by
/// `--force` and never written through; the victim is untouched.
#[test]
fn planted_symlinks_are_never_followed() {
    let root = scratch("symlink");
    let victim = root.join("victim.txt");
    fs::write(&victim, "precious").unwrap();
    let out = root.join("run");
    fs::create_dir_all(&out).unwrap();
    for name in [".trades.csv.partial", "trades.csv", ".metrics.csv.partial", "manifest.json"] {
        std::os::unix::fs::symlink(&victim, out.join(name)).unwrap();
    }
    let refused = run(&out, &[]);
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    let forced = run(&out, &["--force"]);
    assert!(forced.status.success(), "{}", stderr(&forced));
    assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
    for name in names(&out) {
        let meta = fs::symlink_metadata(out.join(&name)).unwrap();
        assert!(meta.file_type().is_file(), "{name} is not a plain file");
    }
    fs::remove_dir_all(&root).unwrap();
}

/// A lock held by a live process (this test's) is refused with its pid and
/// host; a dead process's lock is taken over; a sweep is locked the same way.
#[test]
fn a_live_lock_is_refused_and_a_dead_ones_is_taken_over() {
    let root = scratch("lock");
    let out = root.join("run");
    fs::create_dir_all(&out).unwrap();
    let me = std::process::id();
    fs::write(out.join(LOCK), format!("pid {me}\nhost {}\nstart 0\n", hostname())).unwrap();
    let refused = run(&out, &[]);
    assert_eq!(refused.status.code(), Some(2));
    let e = stderr(&refused);
    assert!(e.contains(&format!("in use by tplus process {me}")), "{e}");
    assert_eq!(names(&out), [LOCK], "a refused run writes nothing");

    let sweep = root.join("sweep");
    fs::create_dir_all(&sweep).unwrap();
    fs::write(sweep.join(LOCK), format!("pid {me}\nhost {}\nstart 0\n", hostname())).unwrap();
    let o = tplus(&["sweep".as_ref(), SWEEP.as_ref(), "--out".as_ref(), sweep.as_os_str(), "--quiet".as_ref()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("in use by tplus process"), "{}", stderr(&o));
    // `--check` tells of the holder without refusing (it may be done by the
    // time the sweep runs), and says nothing of a dead one's lock, which the
    // sweep takes over.
    let check = || {
        let o = tplus(&["sweep".as_ref(), SWEEP.as_ref(), "--out".as_ref(), sweep.as_os_str(), "--check".as_ref()]);
        assert!(o.status.success(), "{}", stderr(&o));
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let said = check();
    assert!(said.contains(&format!("warning   {}: in use by tplus process {me}", sweep.display())), "{said}");
    fs::write(sweep.join(LOCK), format!("pid {}\nhost {}\nstart 7\n", u32::MAX - 1, hostname())).unwrap();
    let said = check();
    assert!(said.contains("output") && !said.contains("in use"), "{said}");
    // Whether it may write there is tried, and nothing left of the try.
    let mut left: Vec<String> =
        fs::read_dir(&sweep).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    left.sort();
    assert_eq!(left, [LOCK], "only the lock put there");

    // A report of a run directory in use: its advice names the report's
    // argument, not the --out it does not have.
    let shown = root.join("shown");
    fs::create_dir_all(&shown).unwrap();
    fs::write(shown.join("summary.json"), "{}").unwrap();
    fs::write(shown.join(LOCK), format!("pid {me}\nhost {}\nstart 0\n", hostname())).unwrap();
    let o = tplus(&["report".as_ref(), shown.as_os_str()]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("in use by tplus process") && e.contains("choose another DIR") && !e.contains("--out"), "{e}");

    // No process has a pid this large.
    fs::write(out.join(LOCK), format!("pid {}\nhost {}\nstart 7\n", u32::MAX - 1, hostname())).unwrap();
    let taken = run(&out, &[]);
    assert!(taken.status.success(), "{}", stderr(&taken));
    assert!(!out.join(LOCK).exists(), "the lock is released at exit");
    fs::remove_dir_all(&root).unwrap();
}

/// A run is not written into a sweep's directory, nor a sweep (or a merge)
/// into a run's.
#[test]
fn runs_and_sweeps_keep_out_of_each_others_directories() {
    let root = scratch("mixed");
    let sweep = root.join("sweep");
    let o = tplus(&["sweep".as_ref(), SWEEP.as_ref(), "--out".as_ref(), sweep.as_os_str(), "--quiet".as_ref()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let into_sweep = run(&sweep, &[]);
    assert_eq!(into_sweep.status.code(), Some(2));
    // Told that --force would not help either.
    assert!(stderr(&into_sweep).contains("holds the results of a sweep (sweep.json)"), "{}", stderr(&into_sweep));
    assert!(stderr(&into_sweep).contains("even with --force"), "{}", stderr(&into_sweep));
    // Nor with --force, which replaces a run's files and nothing else.
    let forced = run(&sweep, &["--force"]);
    assert_eq!(forced.status.code(), Some(2));
    assert!(stderr(&forced).contains("holds the results of a sweep"), "{}", stderr(&forced));
    assert_eq!(names(&sweep), ["sweep.csv", "sweep.json"]);

    let out = root.join("run");
    assert!(run(&out, &[]).status.success());
    let o = tplus(&["sweep".as_ref(), SWEEP.as_ref(), "--out".as_ref(), out.as_os_str(), "--quiet".as_ref()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not a sweep's directory"), "{}", stderr(&o));
    let o = tplus(&["merge".as_ref(), sweep.as_os_str(), "--out".as_ref(), out.as_os_str()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not a sweep's directory"), "{}", stderr(&o));
    assert!(!out.join("sweep.csv").exists());
    // Nor a sweep, a merge or a comparison inside a sweep's `runs/`, which
    // the sweep reads as its own (a run there was refused already).
    let inside = sweep.join("runs").join("x");
    for args in [
        vec!["sweep".as_ref(), SWEEP.as_ref(), "--out".as_ref(), inside.as_os_str(), "--quiet".as_ref()],
        vec!["sweep".as_ref(), SWEEP.as_ref(), "--out".as_ref(), inside.as_os_str(), "--check".as_ref()],
        vec!["merge".as_ref(), sweep.as_os_str(), "--out".as_ref(), inside.as_os_str()],
        vec!["compare".as_ref(), out.as_os_str(), out.as_os_str(), "--out".as_ref(), inside.as_os_str()],
    ] {
        let o = tplus(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("lies inside the results of a sweep"), "{args:?}: {}", stderr(&o));
        assert!(!inside.exists(), "{args:?}");
    }
    // `--check` refuses what the sweep refuses, before trying to write: a
    // directory inside a finished run's, a symbolic link to nothing.
    let in_run = out.join("sub");
    let dangling = root.join("dangling");
    std::os::unix::fs::symlink(root.join("nowhere"), &dangling).unwrap();
    for (dir, says) in
        [(&in_run, "lies inside the directory of a run"), (&dangling, "symbolic link to a path that does not exist")]
    {
        for last in ["--quiet", "--check"] {
            let o = tplus(&["sweep".as_ref(), SWEEP.as_ref(), "--out".as_ref(), dir.as_os_str(), last.as_ref()]);
            assert_eq!(o.status.code(), Some(2), "{last} {}: {}", dir.display(), stderr(&o));
            assert!(stderr(&o).contains(says), "{last}: {}", stderr(&o));
        }
    }
    assert_eq!(names(&out).iter().filter(|n| n.starts_with(".tplus-check")).count(), 0, "no probe left in the run");
    // A probe left by a check killed before it removed it is no reason to refuse.
    let stale = root.join("stale");
    fs::create_dir_all(&stale).unwrap();
    // The shell leaves them under the process id tplus then runs as (exec).
    let o = Command::new("sh")
        .arg("-c")
        .arg("for n in 0 1 2; do : > \"$1/.tplus-check.$$-$n.partial\"; done; exec \"$2\" sweep \"$3\" --out \"$1\" --check")
        .args(["sh".as_ref(), stale.as_os_str(), env!("CARGO_BIN_EXE_tplus").as_ref(), SWEEP.as_ref()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(names(&stale).len(), 3, "the stale probes only: {:?}", names(&stale));
    fs::remove_dir_all(&root).unwrap();
}

/// As the cluster recipes do, a merge may write into the directory that
/// holds its shards, and again over its own earlier merge.
#[test]
fn a_merge_writes_beside_its_shards() {
    let root = scratch("merge");
    let shard = root.join("shard-1-of-1");
    let o = tplus(&[
        "sweep".as_ref(),
        SWEEP.as_ref(),
        "--shard".as_ref(),
        "1/1".as_ref(),
        "--out".as_ref(),
        shard.as_os_str(),
        "--quiet".as_ref(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    // The folder above the shards, given by mistake, names them.
    let o = tplus(&["merge".as_ref(), root.as_os_str(), "--out".as_ref(), root.join("m").as_os_str()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains(
            "no sweep.json: not the output directory of a sweep; it holds sweep directories (shard-1-of-1/): give those"
        ),
        "{}",
        stderr(&o)
    );
    // A shard a sweep is still writing is said to be, not "runs missing".
    fs::write(shard.join(LOCK), format!("pid {}\nhost {}\nstart 0\n", std::process::id(), hostname())).unwrap();
    let o = tplus(&["merge".as_ref(), shard.as_os_str(), "--out".as_ref(), root.as_os_str()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("is still writing it (its lock file is there); merge once it has finished"),
        "{}",
        stderr(&o)
    );
    fs::remove_file(shard.join(LOCK)).unwrap();
    for _ in 0..2 {
        let o = tplus(&["merge".as_ref(), shard.as_os_str(), "--out".as_ref(), root.as_os_str()]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    assert_eq!(names(&root), ["shard-1-of-1", "sweep.csv", "sweep.json"]);
    // Sharded again another way beside the first split: the new shards
    // merge over the earlier merge, the old shard left alone (it was
    // refused as "not a sweep's directory").
    let halves: Vec<PathBuf> = (1..=2).map(|k| root.join(format!("shard-{k}-of-2"))).collect();
    for (k, half) in halves.iter().enumerate() {
        let shard = format!("{}/2", k + 1);
        let args = ["sweep", SWEEP, "--shard", &shard, "--out", half.to_str().unwrap(), "--quiet"];
        assert!(tplus(&args.map(std::ffi::OsStr::new)).status.success());
    }
    let merge = |extra: &Path| {
        let mut args = vec!["merge".as_ref()];
        args.extend(halves.iter().map(|h| h.as_os_str()));
        args.extend(["--out".as_ref(), extra.as_os_str()]);
        tplus(&args)
    };
    let o = merge(&root);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(names(&root), ["shard-1-of-1", "shard-1-of-2", "shard-2-of-2", "sweep.csv", "sweep.json"]);
    // A folder of anything else still stops it.
    fs::create_dir(root.join("mine")).unwrap();
    let o = merge(&root);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("not empty and not a sweep's directory (it holds mine/)"), "{}", stderr(&o));
    fs::remove_dir_all(&root).unwrap();
}

/// An output path that cannot be made (under a device, under a missing
/// root) is the user's to change: every command that writes one says so
/// with exit 2, as for bad input, and `new` of a file there the same; a
/// failing disk is exit 1.
#[test]
fn an_output_path_that_cannot_be_made_is_exit_2_for_every_command() {
    let root = scratch("unmakeable");
    let out = root.join("run");
    assert!(run(&out, &[]).status.success());
    for bad in ["/dev/null/x", "/dev/null", "/proc/tplus-no-such/x", "/proc/tplus-no-such"] {
        let bad = Path::new(bad);
        let o = run(bad, &[]);
        assert_eq!(o.status.code(), Some(2), "run --out {}: {}", bad.display(), stderr(&o));
        for args in [
            vec!["sweep".as_ref(), SWEEP.as_ref(), "--out".as_ref(), bad.as_os_str(), "--quiet".as_ref()],
            // The check says what the sweep would: not "ok" for a path it then refuses.
            vec!["sweep".as_ref(), SWEEP.as_ref(), "--out".as_ref(), bad.as_os_str(), "--check".as_ref()],
            vec![
                "run".as_ref(),
                BASELINE.as_ref(),
                "--replications".as_ref(),
                "2".as_ref(),
                "--out".as_ref(),
                bad.as_os_str(),
            ],
            vec!["compare".as_ref(), out.as_os_str(), out.as_os_str(), "--out".as_ref(), bad.as_os_str()],
        ] {
            let o = tplus(&args);
            assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
            assert!(stderr(&o).starts_with("error: "), "{args:?}: {}", stderr(&o));
        }
        if bad.ends_with("x") {
            let o = tplus(&["new".as_ref(), bad.as_os_str()]);
            assert_eq!(o.status.code(), Some(2), "new {}: {}", bad.display(), stderr(&o));
        }
    }
    fs::remove_dir_all(&root).unwrap();
}

/// `--force` removes what the run there wrote, not a user's file whose name
/// has a result's shape: a `scenario.toml` (the very file being run, in
/// the reviewer's case) stays unless a run saved from the live view wrote
/// it, and `price_my_sketch.svg` stays unless `my_sketch` is a product of
/// the run there. A saved live run's own scenario.toml, run again into its
/// directory, is refused before anything is deleted.
#[test]
fn force_keeps_a_users_files_that_look_like_a_runs() {
    let root = scratch("lookalike");
    let out = root.join("run");
    fs::create_dir_all(&out).unwrap();
    let scenario = out.join("scenario.toml");
    fs::copy("scenarios/rational.toml", &scenario).unwrap();
    fs::write(out.join("price_my_sketch.svg"), "<svg/>").unwrap();
    let file = scenario.to_str().unwrap();
    let tplus = |args: &[&str]| tplus(&args.iter().map(std::ffi::OsStr::new).collect::<Vec<_>>());
    let o = tplus(&["run", file, "--out", out.to_str().unwrap(), "--force", "--report", "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(scenario.is_file() && out.join("price_my_sketch.svg").is_file(), "{:?}", names(&out));
    // The run's own plots go with its files on the next --force.
    let plots = |d: &Path| names(d).into_iter().filter(|n| n.ends_with(".svg")).collect::<Vec<_>>();
    assert!(plots(&out).len() > 1, "{:?}", names(&out));
    // Saved live: a run's manifest beside live_changes.csv.
    fs::write(out.join("live_changes.csv"), "time,target,change\n").unwrap();
    let before = names(&out);
    let o = tplus(&["run", file, "--out", out.to_str().unwrap(), "--force", "--quiet"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--force would delete this scenario file"), "{}", stderr(&o));
    assert_eq!(names(&out), before, "refused before anything is deleted");
    // So it is through a symbolic link of another name.
    #[cfg(unix)]
    {
        let link = root.join("mine.toml");
        std::os::unix::fs::symlink(&scenario, &link).unwrap();
        let o = tplus(&["run", link.to_str().unwrap(), "--out", out.to_str().unwrap(), "--force", "--quiet"]);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert_eq!(names(&out), before, "refused before anything is deleted");
        fs::remove_file(&link).unwrap();
    }
    let elsewhere = root.join("scenario.toml");
    fs::copy(&scenario, &elsewhere).unwrap();
    let o = tplus(&["run", elsewhere.to_str().unwrap(), "--out", out.to_str().unwrap(), "--force", "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!scenario.exists() && !out.join("live_changes.csv").exists());
    assert_eq!(plots(&out), ["price_my_sketch.svg"], "the old run's plots are gone, the user's stays");
    fs::remove_dir_all(&root).unwrap();
}
