//! Whether a costly behaviour's decisions pay off on two threads:
//! `cargo bench --bench parallel`.
//!
//! Every built-in family of `scenarios/bench/scale_100k.toml` (100,020
//! customers) is registered again under its own name, wrapped so that each
//! decision first does about 5 µs of work: a researcher's behaviour that
//! costs microseconds. The engine decides from a batch's measured cost
//! whether to spread it over threads. The bench runs the scenario's first
//! `TPLUS_BENCH_DAYS` business days (default 1) on 1 and 2 threads,
//! interleaved, and prints the median wall times, the median of the paired
//! ratios, and checks the two give the same trades
//! (`TPLUS_BENCH_THREADS=n` runs the costly scenario once on n threads, to
//! profile). It also times the plain
//! built-in baseline on 1 and 2 threads, which must not get slower.
//!
//! Last it prints what this host allows (`TPLUS_BENCH_CEILING=0` skips
//! it): the same scenario with the wrapper's work left out, on 1 thread
//! (the part no second thread shortens: the engine's own work and the
//! built-in decisions), and the busy loop timed alone against two copies
//! of it on both cores at once (two vCPUs need not be two free cores).
//! From these and the batches' shape it gives the most 2 threads could
//! gain with no overhead at all.
//!
//! Each round also prints the time one cache line takes to go from one
//! core to the other and back, measured for 0.1 s just before the 2-thread
//! run: on a shared virtual machine it moves with where the host puts the
//! two vCPUs (from about 80 ns to over 1 µs, changing within a minute, on
//! the AMD host of docs/performance.md), and the 2-thread run, which hands
//! every spread batch across, may move with it.

use std::hint::black_box;
use std::path::Path;
use std::sync::OnceLock;
use std::time::Instant;

use tplus::agents::Registry;
use tplus::engine::{RunOptions, RunStats, record::Discard, run_with};
use tplus::scenario::{self, Scenario};

#[path = "../tests/common/costed.rs"]
mod costed;

/// Spins of the busy loop that take about 5 µs on this machine.
fn spins() -> u64 {
    static SPINS: OnceLock<u64> = OnceLock::new();
    *SPINS.get_or_init(|| {
        if let Some(n) = std::env::var("TPLUS_BENCH_SPINS").ok().and_then(|n| n.parse().ok()) {
            return n;
        }
        let n = 1_000_000u64;
        let t = Instant::now();
        busy(n);
        (n as f64 * 5e-6 / t.elapsed().as_secs_f64()) as u64
    })
}

fn busy(n: u64) -> u64 {
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    for i in 0..n {
        x = black_box(x.rotate_left(5) ^ i).wrapping_mul(0x2545_F491_4F6C_DD1D);
    }
    x
}

/// About 5 µs of work before each decision; the engine measures it.
struct Slow;

impl costed::Cost for Slow {
    const HINT_NS: Option<f64> = None;
    fn spend() {
        black_box(busy(spins()));
    }
}

/// No work added: the scenario's own cost, what 2 threads cannot shorten.
struct Free;

impl costed::Cost for Free {
    const HINT_NS: Option<f64> = None;
    fn spend() {}
}

/// Median of paired ratios: the busy loop's time on this thread while a
/// second thread runs it too, over its time alone (1.0 when the two
/// vCPUs are as good as two free cores).
fn side_by_side(rounds: usize) -> f64 {
    // About 10 ms of work a timing.
    let n = spins() * 2000;
    let alone = || {
        let t = Instant::now();
        black_box(busy(n));
        t.elapsed().as_secs_f64()
    };
    let mut ratio = Vec::new();
    for _ in 0..rounds {
        let a = alone();
        let start = std::sync::Barrier::new(2);
        let b = std::thread::scope(|scope| {
            scope.spawn(|| {
                start.wait();
                black_box(busy(n));
            });
            start.wait();
            alone()
        });
        ratio.push(b / a);
    }
    median(ratio)
}

/// Median nanoseconds of a cache line's round trip between this thread and
/// another, over `secs` of ping-pong in blocks of 1,000 round trips (a
/// block that a descheduled thread stretched past 5 ms, 5 µs a round trip
/// where even a slow placement takes about 1 µs, is left out and counted):
/// (median, blocks left out).
fn round_trip(secs: f64) -> (f64, usize) {
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    #[repr(align(128))]
    struct Line(AtomicU64);
    let (ball, stop) = (Line(AtomicU64::new(0)), AtomicBool::new(false));
    std::thread::scope(|scope| {
        scope.spawn(|| {
            let mut v = 1;
            loop {
                while ball.0.load(Ordering::Acquire) != v {
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    std::hint::spin_loop();
                }
                ball.0.store(v + 1, Ordering::Release);
                v += 2;
            }
        });
        let (start, mut v, mut blocks, mut stalls) = (Instant::now(), 0, Vec::new(), 0);
        while start.elapsed().as_secs_f64() < secs {
            let t = Instant::now();
            for _ in 0..1000 {
                ball.0.store(v + 1, Ordering::Release);
                v += 2;
                while ball.0.load(Ordering::Acquire) != v {
                    std::hint::spin_loop();
                }
            }
            let ns = t.elapsed().as_nanos() as f64 / 1000.0;
            if ns > 5000.0 {
                stalls += 1;
            } else {
                blocks.push(ns);
            }
        }
        stop.store(true, Ordering::Relaxed);
        (if blocks.is_empty() { f64::NAN } else { median(blocks) }, stalls)
    })
}

fn load(file: &str, days: Option<i64>) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    let mut s = scenario::load(&path, &Registry::builtin()).expect("the bundled scenarios are valid");
    if let Some(d) = days {
        s.simulation.days = d;
    }
    s
}

/// Wall seconds and the engine's counts of one run; `shape` also prints
/// its wake-ups per batch.
fn time(s: &Scenario, registry: &Registry, threads: usize, shape: bool) -> (f64, RunStats) {
    let t = Instant::now();
    let out = run_with(s, &RunOptions { seed: None, threads }, registry, &mut Discard).expect("run");
    let wall = t.elapsed().as_secs_f64();
    let st = out.stats;
    if shape {
        println!(
            "  {} wake-ups in {} batches ({:.2} a batch, largest {}); {} on the longer sides ({:.2}x at most from splitting)",
            st.wakeups,
            st.batches,
            st.wakeups as f64 / st.batches.max(1) as f64,
            st.largest_batch,
            st.critical_wakeups,
            st.wakeups as f64 / st.critical_wakeups.max(1) as f64
        );
    }
    (wall, st)
}

fn median(mut x: Vec<f64>) -> f64 {
    x.sort_by(f64::total_cmp);
    x[x.len() / 2]
}

/// Interleaved runs on 1 and 2 threads: prints the medians and the median
/// paired ratio; returns the 1-thread median and the counts of a 2-thread
/// run.
fn compare(name: &str, s: &Scenario, registry: &Registry, rounds: usize) -> (f64, RunStats) {
    let (mut one, mut two, mut ratio, mut spread) = (Vec::new(), Vec::new(), Vec::new(), RunStats::default());
    for round in 0..rounds {
        let (a, stats_a) = time(s, registry, 1, false);
        let (trip, stalls) = round_trip(0.1);
        let (b, stats_b) = time(s, registry, 2, round == 0);
        assert_eq!(stats_a.trades, stats_b.trades, "{name}: 1 and 2 threads gave different trades");
        println!(
            "  round {}: 1 thread {a:.3} s, 2 threads {b:.3} s ({:.2}x); cross-core round trip before it {trip:.0} ns{}",
            round + 1,
            a / b,
            if stalls > 0 { format!(" ({stalls} blocks of 1,000 stalled past 5 ms)") } else { String::new() }
        );
        one.push(a);
        two.push(b);
        ratio.push(a / b);
        spread = stats_b;
    }
    let one = median(one);
    println!(
        "{name}: 1 thread {one:.3} s, 2 threads {:.3} s (medians of {rounds}); speedup {:.2}x (median of paired ratios)",
        median(two),
        median(ratio)
    );
    (one, spread)
}

/// Prints the most 2 threads could gain on this host for the costly run
/// whose 1-thread median is `costly` and whose 2-thread run counted
/// `spread`: its part outside the added work stays whole, the added work
/// shrinks to the batches' longer sides and slows by as much as two busy
/// cores slow each other. The built-in decisions (about 65 ns each, 0.1 s
/// of the run) count as whole.
fn ceiling(s: &Scenario, costly: f64, spread: &RunStats, rounds: usize) {
    let whole = median((0..rounds).map(|_| time(s, &costed::registry::<Free>(), 1, false).0).collect());
    let longer = spread.critical_wakeups as f64 / spread.wakeups.max(1) as f64;
    let slowed = side_by_side(21);
    let best = costly / (whole + (costly - whole).max(0.0) * longer * slowed);
    println!(
        "this host's ceiling: {whole:.3} s of the run is not the added work (median of {rounds}, 1 thread); \
         the busy loop runs {slowed:.3}x its time alone when both cores run it (median of 21 pairs); \
         so 2 threads gain at most {best:.2}x here, with no overhead"
    );
}

fn main() {
    let days = std::env::var("TPLUS_BENCH_DAYS").ok().and_then(|d| d.parse().ok()).unwrap_or(1);
    let rounds = std::env::var("TPLUS_BENCH_ROUNDS").ok().and_then(|d| d.parse().ok()).unwrap_or(3);
    println!("busy loop: {} spins ≈ 5 µs", spins());
    let s = load("scenarios/bench/scale_100k.toml", Some(days));
    // `TPLUS_BENCH_THREADS=n`: one costly run on n threads alone, to profile.
    if let Some(n) = std::env::var("TPLUS_BENCH_THREADS").ok().and_then(|n| n.parse().ok()) {
        let (wall, _) = time(&s, &costed::registry::<Slow>(), n, true);
        println!("scale_100k, {days} day(s), 5 µs decisions, {n} thread(s): {wall:.3} s");
        return;
    }
    let (costly, spread) =
        compare(&format!("scale_100k, {days} day(s), 5 µs decisions"), &s, &costed::registry::<Slow>(), rounds);
    let base = load("scenarios/baseline.toml", None);
    compare("baseline, built-in decisions", &base, &Registry::builtin(), rounds.max(5));
    if std::env::var("TPLUS_BENCH_CEILING").as_deref() != Ok("0") {
        ceiling(&s, costly, &spread, rounds);
    }
}
