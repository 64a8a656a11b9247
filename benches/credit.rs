//! The end-of-day credit pass alone: `Scorecard::score_all` over 1,000,000
//! customers (the scorecard of Siddiqi, 2006; see `src/credit/mod.rs`).
//! `cargo bench --bench credit`.
//!
//! The features are built before timing, seeded, shaped like a platform's
//! book of customers:
//! - income bands 1..=5 with weights 15/30/30/17/8%;
//! - tenure: joined an exponential number of days before the run (mean 600,
//!   at most ten years), or, for 5%, on one of the run's first 30 days;
//! - orders log-normal (median 40, σ = 1 in logs); cancels a uniform share
//!   of them up to 60%, rejections up to 10%; failed sales Poisson (0.3);
//! - initial scores normal (650, 70) within [300, 900], calibrated on day 0;
//!   the pass scores day 20.
//!
//! `score_all` runs in a pool of every core, as in a run with `--threads`
//! at the core count (outside any pool it runs on the calling thread);
//! `one_thread` runs the same call inside a one-thread pool, for the
//! parallel speed-up. The median of `score_all` in ms is printed before
//! divan's table, from its own 21 timed runs; the target is under 100 ms on
//! the 2-core development machine.

use std::sync::OnceLock;
use std::time::Instant;

use divan::counter::ItemsCount;
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, Exp, LogNormal, Normal, Poisson};
use tplus::credit::{Features, Scorecard};

const N: usize = 1_000_000;
const DAY: i32 = 20;

fn build(seed: u64) -> Features {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let tenure: Exp<f64> = Exp::new(1.0 / 600.0).expect("positive rate");
    let orders = LogNormal::new(40f64.ln(), 1.0).expect("valid sigma");
    let failed = Poisson::new(0.3).expect("positive mean");
    let score: Normal<f64> = Normal::new(650.0, 70.0).expect("valid sigma");
    let mut f = Features::new(N);
    let mut initial = vec![0.0f32; N];
    for (i, slot) in initial.iter_mut().enumerate() {
        let u: f64 = rng.random();
        f.income_band[i] = match u {
            u if u < 0.15 => 1,
            u if u < 0.45 => 2,
            u if u < 0.75 => 3,
            u if u < 0.92 => 4,
            _ => 5,
        };
        f.joined_day[i] =
            if rng.random_bool(0.05) { rng.random_range(0..30) } else { -(tenure.sample(&mut rng).min(3650.0) as i32) };
        let o = orders.sample(&mut rng).round().min(1e6) as u32;
        f.orders[i] = o;
        f.cancels[i] = (f64::from(o) * rng.random_range(0.0..0.6)).round() as u32;
        f.rejections[i] = (f64::from(o) * rng.random_range(0.0..0.1)).round() as u32;
        f.failed_sales[i] = failed.sample(&mut rng) as u32;
        *slot = score.sample(&mut rng).clamp(300.0, 900.0) as f32;
    }
    Scorecard::default().calibrate(&mut f, &initial, 0);
    f
}

static FEATURES: OnceLock<Features> = OnceLock::new();

/// A pool of every core, as a run's with `--threads` at the core count.
fn pool() -> &'static rayon::ThreadPool {
    static POOL: OnceLock<rayon::ThreadPool> = OnceLock::new();
    POOL.get_or_init(|| rayon::ThreadPoolBuilder::new().build().expect("a pool of every core"))
}

fn features() -> &'static Features {
    FEATURES.get_or_init(|| build(2026))
}

fn main() {
    let f = features();
    let sc = Scorecard::default();
    let mut scores = vec![0.0f32; N];
    let mut ms: Vec<f64> = (0..21)
        .map(|_| {
            let start = Instant::now();
            pool().install(|| sc.score_all(f, DAY, &mut scores));
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    ms.sort_by(f64::total_cmp);
    let mean = scores.iter().map(|&s| f64::from(s)).sum::<f64>() / N as f64;
    let low = scores.iter().filter(|&&s| s < 600.0).count();
    eprintln!(
        "score_all, {N} customers on {} threads: median {:.2} ms (min {:.2}, max {:.2}); mean score {mean:.1}, {:.1}% below 600",
        pool().current_num_threads(),
        ms[ms.len() / 2],
        ms[0],
        ms[ms.len() - 1],
        100.0 * low as f64 / N as f64,
    );
    divan::main();
}

#[divan::bench(sample_count = 25, sample_size = 1)]
fn score_all(bencher: divan::Bencher) {
    let f = features();
    let sc = Scorecard::default();
    let mut scores = vec![0.0f32; N];
    bencher.counter(ItemsCount::new(N)).bench_local(|| {
        pool().install(|| sc.score_all(f, DAY, &mut scores));
        divan::black_box(&scores);
    });
}

#[divan::bench(sample_count = 25, sample_size = 1)]
fn one_thread(bencher: divan::Bencher) {
    let f = features();
    let sc = Scorecard::default();
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("a one-thread pool");
    let mut scores = vec![0.0f32; N];
    bencher.counter(ItemsCount::new(N)).bench_local(|| {
        pool.install(|| sc.score_all(f, DAY, &mut scores));
        divan::black_box(&scores);
    });
}
