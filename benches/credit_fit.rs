//! A fitted WoE scorecard (`src/credit/fit.rs`): scoring one customer,
//! scoring 1,000,000 customers, and fitting on 1,000,000.
//! `cargo bench --bench credit_fit`.
//!
//! Five behavioural features, seeded, shaped like `benches/credit.rs`'s book
//! of customers: tenure in days (exponential, mean 600, at most ten years),
//! orders (log-normal, median 40), cancel ratio (uniform up to 60%),
//! rejection ratio (uniform up to 10%), failed sales (Poisson 0.3). The
//! target is drawn from a known logistic model of them, about 15% bad. The
//! model is fitted once before timing (10 bins, α = 0.5, ridge 1e-6).
//!
//! Targets: one customer well under a millisecond, 1,000,000 well under a
//! second on the 2-core development machine (`score_one` reads a customer at
//! a stride through the columns, so it includes the cache misses of a
//! random customer). The median of the batch in ms and the fit's in-sample
//! AUC and KS are printed before divan's table.

use std::sync::OnceLock;
use std::time::Instant;

use divan::counter::ItemsCount;
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, Exp, LogNormal, Poisson};
use tplus::credit::fit::{WoeModel, WoeOptions, power};

const N: usize = 1_000_000;
const P: usize = 5;

struct Data {
    columns: Vec<Vec<f64>>,
    bad: Vec<bool>,
    model: WoeModel,
}

fn build(seed: u64) -> Data {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let tenure: Exp<f64> = Exp::new(1.0 / 600.0).expect("positive rate");
    let orders = LogNormal::new(40f64.ln(), 1.0).expect("valid sigma");
    let failed = Poisson::new(0.3).expect("positive mean");
    let mut columns: Vec<Vec<f64>> = (0..P).map(|_| Vec::with_capacity(N)).collect();
    let mut bad = Vec::with_capacity(N);
    for _ in 0..N {
        let row = [
            tenure.sample(&mut rng).min(3650.0).floor(),
            orders.sample(&mut rng).round().min(1e6),
            rng.random_range(0.0..0.6),
            rng.random_range(0.0..0.1),
            failed.sample(&mut rng),
        ];
        let log_odds_good = 1.6 + 0.2 * row[0].ln_1p() - 1.0 * row[2] - 7.0 * row[3] - 0.8 * row[4];
        bad.push(rng.random::<f64>() >= 1.0 / (1.0 + (-log_odds_good).exp()));
        for (c, v) in columns.iter_mut().zip(row) {
            c.push(v);
        }
    }
    let refs: Vec<&[f64]> = columns.iter().map(Vec::as_slice).collect();
    let model = WoeModel::fit(&refs, &bad, &WoeOptions::default()).expect("a fit on well-formed data");
    Data { columns, bad, model }
}

static DATA: OnceLock<Data> = OnceLock::new();

/// A pool of every core, as a run's with `--threads` at the core count
/// (outside a pool `log_odds_all` runs on the calling thread alone).
fn pool() -> &'static rayon::ThreadPool {
    static POOL: OnceLock<rayon::ThreadPool> = OnceLock::new();
    POOL.get_or_init(|| rayon::ThreadPoolBuilder::new().build().expect("a pool of every core"))
}

fn data() -> &'static Data {
    DATA.get_or_init(|| build(2026))
}

fn refs(d: &Data) -> Vec<&[f64]> {
    d.columns.iter().map(Vec::as_slice).collect()
}

fn main() {
    let d = data();
    let cols = refs(d);
    let mut out = vec![0.0f64; N];
    let mut ms: Vec<f64> = (0..21)
        .map(|_| {
            let start = Instant::now();
            pool().install(|| d.model.log_odds_all(&cols, &mut out)).expect("matching lengths");
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    ms.sort_by(f64::total_cmp);
    let p = power(&out, &d.bad).expect("both classes");
    eprintln!(
        "log_odds_all, {N} customers on {} threads: median {:.2} ms (min {:.2}, max {:.2}); in-sample AUC {:.4}, KS {:.4}; {:.1}% bad",
        pool().current_num_threads(),
        ms[ms.len() / 2],
        ms[0],
        ms[ms.len() - 1],
        p.auc,
        p.ks,
        100.0 * d.bad.iter().filter(|&&b| b).count() as f64 / N as f64,
    );
    divan::main();
}

#[divan::bench]
fn score_one(bencher: divan::Bencher) {
    let d = data();
    let mut i = 0usize;
    bencher.bench_local(|| {
        i = (i + 7919) % N;
        let row: [f64; P] = std::array::from_fn(|j| d.columns[j][i]);
        divan::black_box(d.model.log_odds(divan::black_box(&row)))
    });
}

#[divan::bench(sample_count = 25, sample_size = 1)]
fn score_batch(bencher: divan::Bencher) {
    let d = data();
    let cols = refs(d);
    let mut out = vec![0.0f64; N];
    bencher.counter(ItemsCount::new(N)).bench_local(|| {
        pool().install(|| d.model.log_odds_all(&cols, &mut out)).expect("matching lengths");
        divan::black_box(&out);
    });
}

#[divan::bench(sample_count = 5, sample_size = 1)]
fn fit(bencher: divan::Bencher) {
    let d = data();
    let cols = refs(d);
    bencher.counter(ItemsCount::new(N)).bench_local(|| {
        divan::black_box(WoeModel::fit(&cols, &d.bad, &WoeOptions::default()).expect("a fit"));
    });
}
