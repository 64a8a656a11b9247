//! Design expansion and run seeds.
//!
//! Everything here is a pure function of the sweep definition, so every
//! shard of a sweep, on any machine, expands the same points and gives run
//! (point, replication) the same seed.
//!
//! **Points.** A grid is every combination of the parameters' levels, the
//! first parameter varying slowest (nested loops in the order the file lists
//! them). A random design draws each of its `samples` points and each
//! parameter in turn, independently. A Latin hypercube cuts each parameter's
//! probability range into `samples` strata of equal probability and uses each
//! stratum once, in a random order per parameter (McKay, Beckman & Conover
//! 1979). Draws come from ChaCha8 (a named, portable generator) keyed by the
//! sweep seed, stream [`DESIGN_STREAM`]: u = (⌊x / 2¹¹⌋ + ½) / 2⁵³ from each
//! 64-bit output x; a permutation is a Fisher–Yates shuffle drawing indices
//! below k by rejection. A value is the quantile of u: a list entry
//! ⌊u · len⌋, `uniform` min + u (max − min), `loguniform` its exponential
//! form, `normal` and `lognormal` through Φ⁻¹ (Wichura 1988, AS241). Drawn
//! numbers are rounded to 12 significant digits, then to a whole number when
//! the field is an integer. A whole-number level of a real field (`2` in
//! `values = [2, 2.5]`) is the real `2.0`: the field reads it so, and
//! `sweep.csv` shows every real number with its decimal point.
//!
//! **Seeds.** Run (point p, replication r) of a sweep with seed S has the
//! scenario seed `mix(mix(mix(S) ^ p) ^ r)`, where `mix` is the SplitMix64
//! output function (Steele, Lea & Flood 2014): z = x + 0x9E3779B97F4A7C15,
//! z = (z ^ z >> 30) · 0xBF58476D1CE4E5B9, z = (z ^ z >> 27) · 0x94D049BB133111EB,
//! z ^ z >> 31 (wrapping 64-bit arithmetic). It depends on nothing but
//! (S, p, r): not on the order runs are done in, the shard or the machine.

use rand::rngs::ChaCha8Rng;
use rand::{Rng, SeedableRng};
use serde_json::Value;

use crate::scenario::{DesignKind, Domain, Param, Point, Sweep, round_sig};

/// ChaCha8 stream of the design's draws.
pub const DESIGN_STREAM: u64 = 0x0053_5745_4550; // "SWEEP" in ASCII

/// The SplitMix64 output function of `x`.
pub fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The scenario seed of run (point, replication).
pub fn run_seed(sweep_seed: u64, point: usize, replication: u32) -> u64 {
    splitmix64(splitmix64(splitmix64(sweep_seed) ^ point as u64) ^ u64::from(replication))
}

/// How seeds are derived, in words (recorded in `sweep.json`).
pub const SEED_RULE: &str = "seed of run (point p, replication r) = mix(mix(mix(S) ^ p) ^ r), S the sweep seed, \
     mix the SplitMix64 output function: z = x + 0x9E3779B97F4A7C15; z = (z ^ z >> 30) * 0xBF58476D1CE4E5B9; \
     z = (z ^ z >> 27) * 0x94D049BB133111EB; z ^ z >> 31 (wrapping 64-bit)";

/// Every point of the sweep's design, in index order.
pub fn expand(sweep: &Sweep) -> Vec<Point> {
    match sweep.design {
        DesignKind::Grid => grid(&sweep.params),
        DesignKind::Random => random(&sweep.params, sweep.samples.unwrap_or(1) as usize, sweep.seed),
        DesignKind::LatinHypercube => latin_hypercube(&sweep.params, sweep.samples.unwrap_or(1) as usize, sweep.seed),
    }
}

fn grid(params: &[Param]) -> Vec<Point> {
    let levels: Vec<&[Value]> = params.iter().map(|p| p.domain.levels().unwrap_or(&[])).collect();
    let total: usize = levels.iter().map(|l| l.len()).product();
    (0..total)
        .map(|index| {
            let mut at = vec![0; levels.len()];
            let mut rest = index;
            for d in (0..levels.len()).rev() {
                at[d] = rest % levels[d].len();
                rest /= levels[d].len();
            }
            Point {
                index,
                values: at.iter().zip(&levels).zip(params).map(|((&j, l), p)| level(p, &l[j])).collect(),
                levels: at.into_iter().map(Some).collect(),
            }
        })
        .collect()
}

/// A level's text as `sweep.csv` holds it, as a number to order levels by:
/// the number, or a duration's seconds (`"5m"`: 300), so that a report
/// sets durations in their order ("5m, 10m, 15m"), not the points'; None
/// for anything else.
pub fn level_order(text: &str) -> Option<f64> {
    let t = text.trim();
    t.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .or_else(|| crate::scenario::Duration::parse(t).map(|d| d.secs_f64()))
}

/// A level of `p` as the point holds it: a whole number as a real where
/// the field holds a real number (not for a duration, a flag or a name,
/// whose error then shows the level as written).
fn level(p: &Param, v: &Value) -> Value {
    match v.as_number() {
        Some(n) if p.is_real() && (n.is_i64() || n.is_u64()) => n.as_f64().map_or_else(|| v.clone(), Value::from),
        _ => v.clone(),
    }
}

fn design_rng(seed: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(DESIGN_STREAM);
    rng
}

/// A uniform draw in (0, 1) from the top 53 bits.
fn unit(rng: &mut ChaCha8Rng) -> f64 {
    ((rng.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
}

/// A uniform integer below `n` (n ≥ 1), by rejection.
fn below(rng: &mut ChaCha8Rng, n: u64) -> u64 {
    let limit = u64::MAX - u64::MAX % n;
    loop {
        let x = rng.next_u64();
        if x < limit {
            return x % n;
        }
    }
}

fn random(params: &[Param], n: usize, seed: u64) -> Vec<Point> {
    let mut rng = design_rng(seed);
    (0..n)
        .map(|index| {
            let (values, levels) = params.iter().map(|p| quantile(p, unit(&mut rng))).unzip();
            Point { index, values, levels }
        })
        .collect()
}

fn latin_hypercube(params: &[Param], n: usize, seed: u64) -> Vec<Point> {
    let mut rng = design_rng(seed);
    let mut points: Vec<Point> = (0..n).map(|index| Point { index, values: Vec::new(), levels: Vec::new() }).collect();
    for p in params {
        let mut strata: Vec<usize> = (0..n).collect();
        for k in (1..n).rev() {
            strata.swap(k, below(&mut rng, k as u64 + 1) as usize);
        }
        for (point, &stratum) in points.iter_mut().zip(&strata) {
            let u = (stratum as f64 + unit(&mut rng)) / n as f64;
            let (v, level) = quantile(p, u.clamp(f64::MIN_POSITIVE, 1.0 - f64::EPSILON / 2.0));
            point.values.push(v);
            point.levels.push(level);
        }
    }
    points
}

/// The parameter's value at probability `u` in (0, 1), and its level index
/// when it comes from a list.
fn quantile(p: &Param, u: f64) -> (Value, Option<usize>) {
    let x = match &p.domain {
        Domain::Levels(l) => {
            let j = ((u * l.len() as f64) as usize).min(l.len() - 1);
            return (level(p, &l[j]), Some(j));
        }
        Domain::Uniform { min, max } => min + u * (max - min),
        Domain::Loguniform { min, max } => (min.ln() + u * (max.ln() - min.ln())).exp(),
        Domain::Normal { mean, sd } => mean + sd * inverse_normal(u),
        Domain::Lognormal { median, sigma } => median * (sigma * inverse_normal(u)).exp(),
    };
    let x = round_sig(x);
    let v = if p.integer { Value::from(x.round() as i64) } else { Value::from(x) };
    (v, None)
}

/// Φ⁻¹(p) for p in (0, 1): Wichura's AS241 (PPND16), relative error about
/// 1e-16. Coefficients as published (Applied Statistics 37, 477–484, 1988).
#[allow(clippy::excessive_precision, clippy::unreadable_literal)]
pub fn inverse_normal(p: f64) -> f64 {
    const A: [f64; 8] = [
        3.3871328727963666080e0,
        1.3314166789178437745e+2,
        1.9715909503065514427e+3,
        1.3731693765509461125e+4,
        4.5921953931549871457e+4,
        6.7265770927008700853e+4,
        3.3430575583588128105e+4,
        2.5090809287301226727e+3,
    ];
    const B: [f64; 8] = [
        1.0,
        4.2313330701600911252e+1,
        6.8718700749205790830e+2,
        5.3941960214247511077e+3,
        2.1213794301586595867e+4,
        3.9307895800092710610e+4,
        2.8729085735721942674e+4,
        5.2264952788528545610e+3,
    ];
    const C: [f64; 8] = [
        1.42343711074968357734e0,
        4.63033784615654529590e0,
        5.76949722146069140550e0,
        3.64784832476320460504e0,
        1.27045825245236838258e0,
        2.41780725177450611770e-1,
        2.27238449892691845833e-2,
        7.74545014278341407640e-4,
    ];
    const D: [f64; 8] = [
        1.0,
        2.05319162663775882187e0,
        1.67638483018380384940e0,
        6.89767334985100004550e-1,
        1.48103976427480074590e-1,
        1.51986665636164571966e-2,
        5.47593808499534494600e-4,
        1.05075007164441684324e-9,
    ];
    const E: [f64; 8] = [
        6.65790464350110377720e0,
        5.46378491116411436990e0,
        1.78482653991729133580e0,
        2.96560571828504891230e-1,
        2.65321895265761230930e-2,
        1.24266094738807843860e-3,
        2.71155556874348757815e-5,
        2.01033439929228813265e-7,
    ];
    const F: [f64; 8] = [
        1.0,
        5.99832206555887937690e-1,
        1.36929880922735805310e-1,
        1.48753612908506148525e-2,
        7.86869131145613259100e-4,
        1.84631831751005468180e-5,
        1.42151175831644588870e-7,
        2.04426310338993978564e-15,
    ];
    let poly = |c: &[f64; 8], x: f64| c.iter().rev().fold(0.0, |acc, &k| acc * x + k);
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180625 - q * q;
        return q * poly(&A, r) / poly(&B, r);
    }
    let r = (-(if q < 0.0 { p } else { 1.0 - p }).ln()).sqrt();
    let x = if r <= 5.0 {
        let r = r - 1.6;
        poly(&C, r) / poly(&D, r)
    } else {
        let r = r - 5.0;
        poly(&E, r) / poly(&F, r)
    };
    if q < 0.0 { -x } else { x }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_are_a_function_of_the_run_alone() {
        assert_eq!(run_seed(7, 3, 1), run_seed(7, 3, 1));
        let mut seen = std::collections::HashSet::new();
        for p in 0..200 {
            for r in 0..20 {
                assert!(seen.insert(run_seed(7, p, r)), "seed of ({p}, {r}) repeats");
            }
        }
        assert_ne!(run_seed(7, 0, 0), run_seed(8, 0, 0));
        // SplitMix64's first output from state 0 (reference implementation).
        assert_eq!(splitmix64(0), 0xE220_A839_7B1D_CDAF);
    }

    #[test]
    fn inverse_normal_matches_known_quantiles() {
        let cases = [
            (0.5, 0.0),
            (0.975, 1.959_963_984_540_054),
            (0.025, -1.959_963_984_540_054),
            (1e-10, -6.361_340_902_404_056),
        ];
        for (p, z) in cases {
            assert!((inverse_normal(p) - z).abs() < 1e-12, "Φ⁻¹({p}) = {} not {z}", inverse_normal(p));
        }
    }

    #[test]
    fn draws_are_portable_and_in_range() {
        let mut a = design_rng(42);
        let mut b = design_rng(42);
        for _ in 0..1000 {
            let (x, y) = (unit(&mut a), unit(&mut b));
            assert_eq!(x, y);
            assert!(x > 0.0 && x < 1.0);
            assert!(below(&mut a, 7) < 7);
            below(&mut b, 7);
        }
    }
}
