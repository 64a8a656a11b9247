//! What a run will need before it starts: its peak memory and the size of
//! its output, estimated from the scenario alone (agents, products, windows,
//! the price grid, the order flow), so that `tplus check` and `tplus run`
//! can refuse a scenario that would not fit before allocating anything.
//!
//! Each term is the size of the structure the engine allocates for it
//! (`size_of` of the real types, so the estimate follows the code), times
//! how many the scenario asks for. What no type states — what the order
//! flow leaves behind (books, expiries, trade signs) and the process's own
//! base — is calibrated on measured peak RSS of the bench scenarios; the
//! test `tests/footprint.rs` holds the estimate to within a factor of 1.5
//! of the measured peak.

use std::mem::size_of;

use crate::agents::Registry;
use crate::calendar::Calendar;
use crate::credit::Features;
use crate::metrics::risk::Customer;
use crate::metrics::{WindowEnv, WindowStats};
use crate::platform::{Account, RareCounts};
use crate::product::ProductSpec;
use crate::scenario::Scenario;

/// The process before any scenario: the binary, the thread stacks, the
/// allocator's arenas and the output files' buffers (measured: 13.7 MiB peak
/// RSS for the reference market's 1,114 customers).
const BASE: f64 = 13.0 * (1 << 20) as f64;

/// Bytes the order flow holds per wake-up of a business day at its peak:
/// resting orders in the books' pools, their arrival times and expiries, the
/// writer's chunks in flight. Calibrated on peak RSS of `scenarios/bench`
/// and days/products variants of `scale_100k` (2.1 to 2.9 bytes).
const PER_WAKE_OF_A_DAY: f64 = 2.5;

/// Bytes kept per wake-up over the whole run: the stylized facts' trade
/// signs (one byte per trade, about a quarter of wake-ups trade, in a
/// vector that doubles). Calibrated with `PER_WAKE_OF_A_DAY`.
const PER_WAKE_OF_THE_RUN: f64 = 0.3;

/// Bytes of `trades.csv` per wake-up: about a quarter of wake-ups make a
/// trade and a line is about 64 bytes (13 to 20 bytes a wake-up measured
/// on the bundled and bench scenarios, 29 with 100 products).
const TRADES_BYTES_PER_WAKE: f64 = 16.0;

/// Bytes of `events.csv` per wake-up: the order and what became of it
/// (135 to 212 measured).
const EVENTS_BYTES_PER_WAKE: f64 = 150.0;

/// One part of a run's memory.
#[derive(Clone, Debug, PartialEq)]
pub struct Part {
    /// What it holds, in words (`holdings (accounts × products)`).
    pub what: &'static str,
    /// Bytes.
    pub bytes: u64,
}

/// A run's estimated needs.
#[derive(Clone, Debug, PartialEq)]
pub struct Footprint {
    /// Peak memory, by part, largest first.
    pub parts: Vec<Part>,
    /// Wake-ups expected over the run (each group's mean arrival rate times
    /// its members times the session hours): the order flow's scale.
    pub wakes: f64,
    /// Bytes of `trades.csv`, about.
    pub trades_bytes: u64,
    /// Bytes of `events.csv` with `--log`, about.
    pub events_bytes: u64,
}

impl Footprint {
    /// Peak memory in bytes.
    pub fn memory(&self) -> u64 {
        self.parts.iter().map(|p| p.bytes).sum()
    }

    /// Peak memory of `runs` runs of this scenario at once in one process
    /// (a sweep's workers, the live view's run and its control): the
    /// process's own part once, the rest once per run.
    pub fn memory_at_once(&self, runs: usize) -> u64 {
        let own = (BASE as u64).min(self.memory());
        (self.memory() - own).saturating_mul(runs as u64).saturating_add(own)
    }

    /// Bytes written, about, with or without the operation log.
    pub fn output(&self, log_ops: bool) -> u64 {
        self.trades_bytes + if log_ops { self.events_bytes } else { 0 }
    }
}

/// Estimates what running `s` needs; `registry` gives each family's
/// per-agent state. The scenario must have passed validation.
pub fn estimate(s: &Scenario, registry: &Registry) -> Footprint {
    let sim = &s.simulation;
    let cal = Calendar::new(sim);
    let days = cal.days().len() as f64;
    let n_products = s.products.len() as f64;
    let customers: f64 = s.agents.iter().map(|g| g.count as f64).sum();
    let accounts = customers + 1.0;
    let session_hours = (sim.close.0 - sim.open.0) as f64 / 3.6e12;

    // Per account: its record and rarer counts, score features, opening
    // score, end-of-run customer record, and per product its holdings'
    // cohort ring and its net direction this window.
    let per_account = (size_of::<Account>()
        + size_of::<RareCounts>()
        + Features::BYTES_PER_ACCOUNT
        + size_of::<f32>()
        + size_of::<Customer>()) as f64;
    let per_holding: f64 = s
        .products
        .iter()
        .map(|p| {
            let ring = ProductSpec::ring_len_of(p.holding_limit_days as u32);
            // [total, reserved, cohorts …] as u32, and (window, count) as (u32, i32).
            ((2 + ring) * size_of::<u32>() + 2 * size_of::<u32>()) as f64
        })
        .sum();
    let agents: f64 = s
        .agents
        .iter()
        .map(|g| {
            let state = registry.get(&g.family).map_or(64, |f| f.agent_bytes);
            g.count as f64 * state as f64
        })
        .sum();
    let windows = cal.n_windows() as f64;
    let step = s.metrics.return_step.0.max(1) as f64;
    let grid_points = ((sim.close.0 - sim.open.0) as f64 / step).floor() * sim.days as f64 * n_products;
    let wakes_per_day: f64 =
        s.agents.iter().map(|g| g.count as f64 * g.arrival.mean_rate() * session_hours).sum::<f64>();
    let wakes = wakes_per_day * days;

    let parts = [
        Part { what: "the process and its buffers", bytes: BASE as u64 },
        Part { what: "accounts, scores and customer records", bytes: (accounts * per_account) as u64 },
        Part { what: "holdings (accounts × products)", bytes: (accounts * per_holding) as u64 },
        Part { what: "agents' states", bytes: agents as u64 },
        Part {
            what: "metrics windows (windows × products)",
            bytes: (windows * (n_products * size_of::<WindowStats>() as f64 + size_of::<WindowEnv>() as f64)) as u64,
        },
        Part {
            what: "stylized-facts price grid (points × products)",
            bytes: (grid_points * (size_of::<f64>() + size_of::<u64>()) as f64) as u64,
        },
        Part {
            what: "order flow (books, expiries, trade signs)",
            bytes: (wakes_per_day * PER_WAKE_OF_A_DAY + wakes * PER_WAKE_OF_THE_RUN) as u64,
        },
    ];
    let mut parts: Vec<Part> = parts.into_iter().filter(|p| p.bytes > 0).collect();
    parts.sort_by_key(|p| std::cmp::Reverse(p.bytes));
    Footprint {
        parts,
        wakes,
        trades_bytes: (wakes * TRADES_BYTES_PER_WAKE) as u64,
        events_bytes: (wakes * EVENTS_BYTES_PER_WAKE) as u64,
    }
}

/// This process's peak resident set size so far (`VmHWM` in
/// `/proc/self/status`); `None` where the system does not report it.
pub fn process_peak_rss() -> Option<u64> {
    proc_bytes("/proc/self/status", "VmHWM")
}

/// The size on the `KEY: N kB` line of a Linux `/proc` file, in bytes
/// (`/proc/meminfo`'s `MemTotal`, `/proc/self/status`'s `VmHWM`); `None`
/// where the file or the line is missing or malformed.
pub fn proc_bytes(file: &str, key: &str) -> Option<u64> {
    kib_line(&std::fs::read_to_string(file).ok()?, key)
}

fn kib_line(text: &str, key: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.strip_prefix(key).is_some_and(|rest| rest.starts_with(':')))?;
    let mut words = line[key.len() + 1..].split_whitespace();
    let n: u64 = words.next()?.parse().ok()?;
    match words.next() {
        Some("kB") => n.checked_mul(1024),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proc_lines_are_read_in_bytes() {
        let text = "MemTotal:       24576000 kB\nMemFree: 10 kB\nVmHWMx: 3 kB\nVmHWM:\t  1024 kB\nOdd: 5 MB\n";
        assert_eq!(kib_line(text, "MemTotal"), Some(24_576_000 * 1024));
        assert_eq!(kib_line(text, "VmHWM"), Some(1024 * 1024));
        assert_eq!(kib_line(text, "Odd"), None);
        assert_eq!(kib_line(text, "Swap"), None);
    }
}
