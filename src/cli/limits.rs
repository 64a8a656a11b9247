//! The machine's limits against a run's estimated needs: `tplus check` and
//! `tplus run` refuse, before allocating anything, a scenario whose estimated
//! peak memory (see `engine::footprint`) is above the machine's memory or
//! `--max-memory`, and `check` warns of output over a gigabyte.

use std::path::Path;

use crate::agents::Registry;
use crate::engine::footprint::{self, Footprint};
pub use crate::engine::memory::human;
use crate::engine::memory::{self, Override};
use crate::scenario::{Point, Scenario, Sweep};

/// Output above this draws a warning from `tplus check`.
pub const LARGE_OUTPUT: u64 = 1 << 30;

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

/// The estimate for `s`, or the message refusing it (`runs` of it at once),
/// in the command line's words ([`memory::fits`]).
pub fn fits(
    path: &Path,
    s: &Scenario,
    runs: usize,
    max_memory: Option<u64>,
    registry: &Registry,
) -> Result<Footprint, String> {
    memory::fits(path, s, runs, max_memory, &Override::CLI, registry)
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
    let held = memory::Held {
        bytes: crate::batch::held_bytes(crate::batch::csv::columns(sweep).len(), rows),
        what: "the sweep's rows, held for its sorted sweep.csv",
        remedy: ", fewer rows in one process (fewer points or replications, or --shard K/N)",
    };
    match memory::fits_holding(path, &s, runs, Some(held), max, &Override::CLI, registry) {
        Ok(f) => Ok(Some((f.memory_at_once(runs) + held.bytes, runs))),
        Err(message) if runs > 1 => Err(format!("{message}, or fewer runs at once (--jobs)")),
        Err(message) => Err(message),
    }
}

/// What `tplus check` prints of a run's needs, with a warning for large output.
pub fn needs_text(f: &Footprint, max_memory: Option<u64>) -> String {
    use std::fmt::Write;
    let mut o = String::new();
    let limit = memory::limit(max_memory, &Override::CLI)
        .map_or(String::new(), |(l, what)| format!(" (limit {}: {what})", human(l)));
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
}
