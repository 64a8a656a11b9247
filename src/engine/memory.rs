//! The memory a run may use: the machine's, or the job's control group's
//! limit where lower, or the user's override, against a run's estimated
//! peak ([`super::footprint`]), so that every front end (the command line,
//! the Python package) refuses a scenario that would not fit before
//! allocating anything, in the same words.

use std::path::Path;

use super::footprint::{self, Footprint};
use crate::agents::Registry;
use crate::scenario::Scenario;

/// How a front end spells what a user can do about a refusal, for its
/// messages.
#[derive(Clone, Copy, Debug)]
pub struct Override {
    /// The user's own limit, named when it is the one that applies
    /// (`--max-memory`).
    pub name: &'static str,
    /// How to run it all the same, after a comma (empty: no way).
    pub raise_it: &'static str,
}

/// What a front end holds in memory beside the runs themselves (a sweep's
/// rows for its sorted file, a run's files kept for the caller), counted
/// in the need, named among its parts, with what to do about it.
#[derive(Clone, Copy, Debug)]
pub struct Held {
    /// Its size in bytes.
    pub bytes: u64,
    /// What it is, among the largest parts.
    pub what: &'static str,
    /// How to hold less of it, after a comma.
    pub remedy: &'static str,
}

impl Override {
    /// The command line's words.
    pub const CLI: Override = Override { name: "--max-memory", raise_it: ", or --max-memory on a machine that has it" };

    /// A library caller's (the Python package's), which offers no
    /// override: the machine's memory, or the job's limit, is the limit.
    pub const LIBRARY: Override =
        Override { name: "the limit given", raise_it: ", or a machine (a job) with more memory" };
}

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

/// The limit that applies: `max_memory` if given (the user's override,
/// which messages call `Limit::name`), else the machine's memory or the
/// job's cgroup limit, whichever is lower; with its name for messages.
pub fn limit(max_memory: Option<u64>, over: &Override) -> Option<(u64, &'static str)> {
    const JOB: &str = "this job's memory limit (its cgroup: a batch system's --mem, a container's limit)";
    match (max_memory, machine_memory(), cgroup_memory()) {
        (Some(m), _, _) => Some((m, over.name)),
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
    over: &Override,
    registry: &Registry,
) -> Result<Footprint, String> {
    fits_holding(path, s, runs, None, max_memory, over, registry)
}

/// [`fits`] with `held` more held beside the runs.
pub fn fits_holding(
    path: &Path,
    s: &Scenario,
    runs: usize,
    held: Option<Held>,
    max_memory: Option<u64>,
    over: &Override,
    registry: &Registry,
) -> Result<Footprint, String> {
    let f = footprint::estimate(s, registry);
    let Some((limit, what)) = limit(max_memory, over) else { return Ok(f) };
    let need = f.memory_at_once(runs) + held.map_or(0, |h| h.bytes);
    if need <= limit {
        return Ok(f);
    }
    let mut parts: Vec<(u64, String)> = f.parts.iter().map(|p| (p.bytes, p.what.to_string())).collect();
    let mut remedy = String::new();
    if let Some(h) = held.filter(|h| h.bytes > 0) {
        parts.push((h.bytes, h.what.into()));
        parts.sort_by_key(|p| std::cmp::Reverse(p.0));
        remedy = h.remedy.into();
    }
    let parts: Vec<String> = parts.iter().take(3).map(|(bytes, what)| format!("{what} {}", human(*bytes))).collect();
    let times = if runs > 1 { format!(" ({runs} runs at once)") } else { String::new() };
    Err(format!(
        "{}: the run would need about {} of memory at its peak{times}, more than {what} ({}); \
         the largest parts: {}\n  accepted: a scenario whose estimate fits (fewer agents, products \
         or days, a longer simulation.window or metrics.return_step){remedy}{}",
        path.display(),
        human(need),
        human(limit),
        parts.join(", "),
        over.raise_it
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

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
