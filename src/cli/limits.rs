//! The machine's limits against a run's estimated needs: `tplus check` and
//! `tplus run` refuse, before allocating anything, a scenario whose estimated
//! peak memory (see `engine::footprint`) is above the machine's memory or
//! `--max-memory`, and `check` warns of output over a gigabyte.

use std::path::Path;

use crate::agents::Registry;
use crate::engine::footprint::{self, Footprint};
use crate::scenario::{Point, Scenario, Sweep};

/// Output above this draws a warning from `tplus check`.
pub const LARGE_OUTPUT: u64 = 1 << 30;

/// Physical memory of this machine (`MemTotal` in `/proc/meminfo`); `None`
/// where it cannot be read, and then no limit applies but `--max-memory`.
pub fn machine_memory() -> Option<u64> {
    footprint::proc_bytes("/proc/meminfo", "MemTotal")
}

/// The memory limit of this process's control group, where it has one: the
/// lowest `memory.max` (cgroup v2) or `memory.limit_in_bytes` (v1) of its
/// group and the groups above it. A batch system (Slurm's `--mem` with its
/// cgroup plugin) or a container holds a job to it and kills the job past
/// it, whatever the machine has: a sweep task on a 256 GB node given 4 GB
/// must be refused a run that needs 6. `None` without a limit or where the
/// files cannot be read.
pub fn cgroup_memory() -> Option<u64> {
    let own = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    cgroup_limit(&own, Path::new("/sys/fs/cgroup"))
}

/// [`cgroup_memory`] from `/proc/self/cgroup`'s text `own`, with the
/// cgroup file systems mounted under `mounts`.
fn cgroup_limit(own: &str, mounts: &Path) -> Option<u64> {
    let mut lowest: Option<u64> = None;
    for line in own.lines() {
        let mut parts = line.splitn(3, ':');
        let (Some(_), Some(controllers), Some(path)) = (parts.next(), parts.next(), parts.next()) else { continue };
        let (root, file) = if controllers.is_empty() {
            // v2 alone at the mount, or beside v1 under `unified`.
            let unified = mounts.join("unified");
            (if unified.is_dir() { unified } else { mounts.to_path_buf() }, "memory.max")
        } else if controllers.split(',').any(|c| c == "memory") {
            (mounts.join("memory"), "memory.limit_in_bytes")
        } else {
            continue;
        };
        // Inside a namespace the path may not exist from this mount's root:
        // its parents, up to the root, are read all the same.
        let mut dir = root.join(path.trim_start_matches('/'));
        loop {
            let value = std::fs::read_to_string(dir.join(file)).ok();
            // v2 writes `max` for none, v1 a number near 2^63.
            if let Some(limit) = value.and_then(|v| v.trim().parse::<u64>().ok()).filter(|&l| l < 1 << 60) {
                lowest = Some(lowest.map_or(limit, |l| l.min(limit)));
            }
            if dir == root || !dir.pop() {
                break;
            }
        }
    }
    lowest
}

/// `--max-memory`, on the commands that run a scenario (run, check, sweep, tui).
#[derive(clap::Args, Clone, Copy, Debug, Default)]
pub struct MemoryLimit {
    /// Refuse a run whose estimated peak memory is above this (e.g. 8G,
    /// 512M; default: this machine's memory, or the job's cgroup limit where
    /// lower, e.g. Slurm's --mem). `tplus check` shows the estimate.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_memory: Option<u64>,
}

/// Parses a size such as `8G`, `512M`, `1.5GiB` or `2000000000` (bytes);
/// K, M, G and T are powers of 1024, with or without `iB`/`B`.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let shift = match unit.trim().to_ascii_uppercase().trim_end_matches("IB").trim_end_matches('B') {
        "" => 0,
        "K" => 10,
        "M" => 20,
        "G" => 30,
        "T" => 40,
        _ => return Err(format!("`{text}` is not a size; accepted: a number of bytes with K, M, G or T, e.g. 8G")),
    };
    match number.parse::<f64>() {
        Ok(n) if n > 0.0 && n.is_finite() => Ok((n * (1u64 << shift) as f64) as u64),
        _ => Err(format!("`{text}` is not a size; accepted: a number of bytes with K, M, G or T, e.g. 8G")),
    }
}

/// Bytes in binary units with one decimal (`3.1 GiB`).
pub fn human(bytes: u64) -> String {
    let b = bytes as f64;
    if b >= (1u64 << 30) as f64 {
        format!("{:.1} GiB", b / (1u64 << 30) as f64)
    } else if b >= (1u64 << 20) as f64 {
        format!("{:.0} MiB", b / (1u64 << 20) as f64)
    } else {
        format!("{:.0} KiB", b / 1024.0)
    }
}

/// The limit that applies: `--max-memory` if given, else the machine's
/// memory or the job's cgroup limit, whichever is lower; with its name for
/// messages.
pub fn limit(max_memory: Option<u64>) -> Option<(u64, &'static str)> {
    const JOB: &str = "this job's memory limit (its cgroup: a batch system's --mem, a container's limit)";
    match (max_memory, machine_memory(), cgroup_memory()) {
        (Some(m), _, _) => Some((m, "--max-memory")),
        (None, Some(machine), Some(job)) if job < machine => Some((job, JOB)),
        (None, None, Some(job)) => Some((job, JOB)),
        (None, machine, _) => machine.map(|m| (m, "this machine's memory")),
    }
}

/// The estimate for `s`, or the message refusing it (`runs` of it at once):
/// the estimate, its largest parts and the limit.
pub fn fits(
    path: &Path,
    s: &Scenario,
    runs: usize,
    max_memory: Option<u64>,
    registry: &Registry,
) -> Result<Footprint, String> {
    fits_holding(path, s, runs, 0, max_memory, registry)
}

/// [`fits`] with `held` bytes more held beside the runs (a sweep's rows).
fn fits_holding(
    path: &Path,
    s: &Scenario,
    runs: usize,
    held: u64,
    max_memory: Option<u64>,
    registry: &Registry,
) -> Result<Footprint, String> {
    let f = footprint::estimate(s, registry);
    let Some((limit, what)) = limit(max_memory) else { return Ok(f) };
    let need = f.memory_at_once(runs) + held;
    if need <= limit {
        return Ok(f);
    }
    let mut parts: Vec<(u64, String)> = f.parts.iter().map(|p| (p.bytes, p.what.to_string())).collect();
    let mut remedy = String::new();
    if held > 0 {
        parts.push((held, "the sweep's rows, held for its sorted sweep.csv".into()));
        parts.sort_by_key(|p| std::cmp::Reverse(p.0));
        remedy = ", fewer rows in one process (fewer points or replications, or --shard K/N)".into();
    }
    let parts: Vec<String> = parts.iter().take(3).map(|(bytes, what)| format!("{what} {}", human(*bytes))).collect();
    let times = if runs > 1 { format!(" ({runs} runs at once)") } else { String::new() };
    Err(format!(
        "{}: the run would need about {} of memory at its peak{times}, more than {what} ({}); \
         the largest parts: {}\n  accepted: a scenario whose estimate fits (fewer agents, products \
         or days, a longer simulation.window or metrics.return_step){remedy}, or --max-memory on a machine that \
         has it",
        path.display(),
        human(need),
        human(limit),
        parts.join(", ")
    ))
}

/// Refuses a sweep whose largest point, run on `jobs` workers at once,
/// with the rows of its `selected` points held for its final sorted write
/// ([`crate::batch::held_bytes`]), would not fit: every point's scenario is
/// estimated (in parallel). What it needs, and how many runs at once, when
/// it fits.
pub fn sweep_fits(
    path: &Path,
    sweep: &Sweep,
    points: &[Point],
    selected: usize,
    jobs: usize,
    max: Option<u64>,
    registry: &Registry,
) -> Result<Option<(u64, usize)>, String> {
    use rayon::prelude::*;
    let largest = points
        .par_iter()
        .filter_map(|p| sweep.scenario_at(p, registry).ok())
        .map(|s| (footprint::estimate(&s, registry).memory(), s))
        .max_by_key(|(bytes, _)| *bytes);
    let Some((_, s)) = largest else { return Ok(None) };
    // The workers take (point, replication) pairs, so one point with many
    // seeds runs `jobs` at once too.
    let runs = (jobs as u64).min(sweep.runs(points.len())).max(1) as usize;
    let rows = sweep.runs(selected);
    let held = crate::batch::held_bytes(crate::batch::csv::columns(sweep).len(), rows);
    match fits_holding(path, &s, runs, held, max, registry) {
        Ok(f) => Ok(Some((f.memory_at_once(runs) + held, runs))),
        Err(message) if runs > 1 => Err(format!("{message}, or fewer runs at once (--jobs)")),
        Err(message) => Err(message),
    }
}

/// What `tplus check` prints of a run's needs, with a warning for large output.
pub fn needs_text(f: &Footprint, max_memory: Option<u64>) -> String {
    use std::fmt::Write;
    let mut o = String::new();
    let limit = limit(max_memory).map_or(String::new(), |(l, what)| format!(" (limit {}: {what})", human(l)));
    let _ = writeln!(o, "  needs     about {} of memory at its peak{limit}", human(f.memory()));
    for p in f.parts.iter().take(4) {
        let _ = writeln!(o, "              {:>9}  {}", human(p.bytes), p.what);
    }
    let _ = writeln!(
        o,
        "            output about {} (trades.csv), {} more with --log (events.csv)",
        human(f.output(false)),
        human(f.events_bytes)
    );
    if f.output(true) > LARGE_OUTPUT {
        let _ = writeln!(
            o,
            "  warning   the output may exceed {} (about {} with --log): check the disk has room",
            human(LARGE_OUTPUT),
            human(f.output(true))
        );
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_in_binary_units() {
        assert_eq!(parse_size("8G"), Ok(8 << 30));
        assert_eq!(parse_size("512MiB"), Ok(512 << 20));
        assert_eq!(parse_size("1.5g"), Ok(3 << 29));
        assert_eq!(parse_size("1000"), Ok(1000));
        assert!(parse_size("lots").is_err() && parse_size("-1G").is_err() && parse_size("0").is_err());
    }

    /// A job's limit is read from its group and the groups above it, the
    /// lowest taken; "max" and v1's near-2^63 are none.
    #[test]
    fn a_cgroup_limit_is_the_lowest_above_the_process() {
        let root = std::env::temp_dir().join(format!("tplus-cgroup-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let write = |dir: &str, file: &str, value: &str| {
            let d = root.join(dir);
            std::fs::create_dir_all(&d).unwrap();
            std::fs::write(d.join(file), value).unwrap();
        };
        // v2: the job's step under the job, the job's limit the lower.
        write("", "memory.max", "max\n");
        write("slurm/job_7", "memory.max", "4294967296\n");
        write("slurm/job_7/step_0", "memory.max", "max\n");
        assert_eq!(cgroup_limit("0::/slurm/job_7/step_0\n", &root), Some(4 << 30));
        assert_eq!(cgroup_limit("0::/\n", &root), None);
        // v1: the memory controller's line only; no limit is near 2^63.
        write("memory/docker/abc", "memory.limit_in_bytes", "2147483648\n");
        write("memory", "memory.limit_in_bytes", "9223372036854771712\n");
        let v1 = "4:memory:/docker/abc\n3:cpu:/docker/abc\n";
        assert_eq!(cgroup_limit(v1, &root), Some(2 << 30));
        // A path this mount does not show (a namespace's): its parents.
        assert_eq!(cgroup_limit("4:memory:/elsewhere/xyz\n", &root), None);
        assert_eq!(cgroup_limit("garbage", &root), None);
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn this_machine_has_memory() {
        if cfg!(target_os = "linux") {
            assert!(machine_memory().is_some_and(|m| m > 1 << 28));
        }
    }
}
