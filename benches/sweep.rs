//! A sweep of 64 small points (`scenarios/sweeps/bench.toml`: an 8 × 8 grid
//! on the one-day reference market, 1,114 customers) with 1 and 2 workers,
//! through the library as `tplus sweep` runs it: every run, its summary and
//! its row appended to `sweep.csv`, then the sorted rewrite and `sweep.json`.
//! `cargo bench --bench sweep`; on a 2-core machine 2 workers should be at
//! least 1.8 times as fast as 1 (runs are independent and single-threaded).
//! It first prints the median speed-up of back-to-back pairs, then divan's
//! table.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use tplus::batch::{self, BatchOptions, Show};
use tplus::scenario::{self, Point, Sweep};

fn main() {
    let (def, points) = load();
    eprintln!("{}: {} points, {} runs per sweep", def.file.display(), points.len(), def.runs(points.len()));
    paired(&def, &points, 7);
    divan::main();
}

/// The machine is shared and its speed drifts over seconds: besides divan's
/// medians (all 1-worker samples, then all 2-worker ones), time `pairs`
/// back-to-back (1 worker, 2 workers) pairs and print the median of the
/// pairs' speed-ups, which a slow spell affects far less.
fn paired(def: &Sweep, points: &[Point], pairs: usize) {
    let time = |jobs: usize| {
        let dir = Fresh::new();
        let start = std::time::Instant::now();
        batch::run(def, points, &options(&dir, jobs)).expect("the sweep runs");
        start.elapsed().as_secs_f64()
    };
    let mut one = Vec::new();
    let mut two = Vec::new();
    let mut ratio = Vec::new();
    for _ in 0..pairs {
        let (a, b) = (time(1), time(2));
        one.push(a);
        two.push(b);
        ratio.push(a / b);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    eprintln!(
        "paired: median 1 worker {:.3} s, 2 workers {:.3} s; median speed-up of {pairs} pairs {:.2}x (range {:.2}–{:.2})",
        median(&mut one),
        median(&mut two),
        median(&mut ratio),
        ratio[0],
        ratio[pairs - 1]
    );
}

fn options(dir: &Fresh, jobs: usize) -> BatchOptions {
    BatchOptions {
        out: dir.0.clone(),
        jobs,
        shard: None,
        keep_runs: false,
        retry_failed: false,
        show: Show::Quiet,
        command: Vec::new(),
        registry: tplus::agents::Registry::builtin(),
    }
}

fn load() -> (Sweep, Vec<Point>) {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/sweeps/bench.toml");
    let def = scenario::load_sweep(&file, &tplus::agents::Registry::builtin()).expect("the bench sweep is valid");
    let points = batch::expand(&def);
    def.check_points(&points, &tplus::agents::Registry::builtin()).expect("every point is valid");
    (def, points)
}

/// An output directory of its own for each sweep, removed after timing.
struct Fresh(PathBuf);

impl Fresh {
    fn new() -> Fresh {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        Fresh(std::env::temp_dir().join(format!("tplus-bench-sweep-{}-{n}", std::process::id())))
    }
}

impl Drop for Fresh {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[divan::bench(args = [1, 2], sample_count = 9, sample_size = 1)]
fn sixty_four_points(bencher: divan::Bencher, jobs: usize) {
    let (def, points) = load();
    bencher.with_inputs(Fresh::new).bench_local_values(|dir| {
        let report = batch::run(&def, &points, &options(&dir, jobs)).expect("the sweep runs");
        assert_eq!(report.computed, 64);
        dir
    });
}
