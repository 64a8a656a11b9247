//! The statistics of a fitted scorecard: weight-of-evidence binning, logistic
//! regression on the binned features, and the two measures lenders read a
//! scorecard's power by (AUC and KS).
//!
//! Every function here speaks the scorecard's convention (see the parent
//! module): the target is a *bad* outcome (`bad[i] == true`), and a model's
//! output is the log-odds of *good*, so higher means a better risk, as a
//! score does.
//!
//! - **Weight of evidence** ([`WoeBins`]), after Siddiqi, *Credit Risk
//!   Scorecards* (Wiley, 2006), ch. 5: a numeric feature is cut into quantile
//!   bins, and bin `i` is replaced by
//!   `WoE_i = ln( (g_i / G) / (b_i / B) )`, the log of its share of all goods
//!   over its share of all bads. The counts are Laplace-smoothed,
//!   `(g_i + α) / (G + α·k)` over `k` bins, so a bin without goods or without
//!   bads gets a large but finite weight rather than ±∞. The feature's
//!   information value is `IV = Σ_i (g_i/G − b_i/B) · WoE_i` (Siddiqi's rule
//!   of thumb: below 0.02 useless, 0.1–0.3 medium, above 0.3 strong).
//! - **Logistic regression** ([`Logistic::fit`]), Hosmer & Lemeshow,
//!   *Applied Logistic Regression* (2nd ed., Wiley, 2000), ch. 1–2: maximum
//!   likelihood by Newton–Raphson, which for the logistic model is
//!   iteratively reweighted least squares. A small ridge term `λ/2 · Σ β_j²`
//!   (not on the intercept) keeps the Hessian invertible and the estimates
//!   finite when a feature separates the classes; each Newton step is halved
//!   until the penalised log-likelihood does not fall. Every sum runs in row
//!   order, so a fit is bit-for-bit deterministic.
//! - **AUC** ([`auc`]), Hanley & McNeil, "The meaning and use of the area
//!   under a receiver operating characteristic (ROC) curve", *Radiology* 143
//!   (1982): the Mann–Whitney probability that a random good scores above a
//!   random bad, ties counting one half.
//! - **KS** ([`ks`]): the Kolmogorov–Smirnov distance between the score
//!   distributions of goods and bads, `max_s |F_good(s) − F_bad(s)|`, taken
//!   only between distinct scores so ties cannot split (Siddiqi 2006, ch. 6).
//!
//! [`WoeModel`] puts them together: one set of bins per feature, a logistic
//! fit on the weights of evidence, and scoring one customer with a few
//! comparisons per feature.

/// Why a fit or a measure could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum FitError {
    /// No observations.
    #[error("no observations")]
    Empty,
    /// Inputs that should be parallel have different lengths.
    #[error("length mismatch: {what} has {got} entries, expected {expected}")]
    LengthMismatch {
        /// Which input.
        what: &'static str,
        /// Its length.
        got: usize,
        /// The length of the target.
        expected: usize,
    },
    /// A value is NaN or infinite.
    #[error("{what} has a non-finite value at row {row}")]
    NonFinite {
        /// Which input.
        what: &'static str,
        /// The first offending row.
        row: usize,
    },
    /// All observations are good, or all bad: nothing to separate.
    #[error("the target has only one class ({goods} goods, {bads} bads)")]
    OneClass {
        /// Goods seen.
        goods: usize,
        /// Bads seen.
        bads: usize,
    },
    /// An option is out of range.
    #[error("invalid option {what}: {why}")]
    InvalidOption {
        /// Which option.
        what: &'static str,
        /// Its constraint.
        why: &'static str,
    },
    /// The Newton system could not be solved (a singular Hessian).
    #[error("singular Hessian: a feature is constant or collinear and the ridge is zero")]
    Singular,
    /// Newton–Raphson did not converge in the allowed iterations.
    #[error("no convergence in {iterations} iterations (last step {step:e})")]
    NoConvergence {
        /// Iterations run.
        iterations: usize,
        /// Largest coefficient change in the last step.
        step: f64,
    },
}

impl FitError {
    /// A short name of the error for a CSV cell (no spaces or commas).
    pub fn code(&self) -> &'static str {
        match self {
            FitError::Empty => "empty",
            FitError::LengthMismatch { .. } => "length_mismatch",
            FitError::NonFinite { .. } => "non_finite",
            FitError::OneClass { .. } => "one_class",
            FitError::InvalidOption { .. } => "invalid_option",
            FitError::Singular => "singular",
            FitError::NoConvergence { .. } => "no_convergence",
        }
    }
}

fn check_len(what: &'static str, got: usize, expected: usize) -> Result<(), FitError> {
    if got == expected { Ok(()) } else { Err(FitError::LengthMismatch { what, got, expected }) }
}

fn check_finite(what: &'static str, x: &[f64]) -> Result<(), FitError> {
    match x.iter().position(|v| !v.is_finite()) {
        Some(row) => Err(FitError::NonFinite { what, row }),
        None => Ok(()),
    }
}

/// Goods and bads of a target, or why it cannot be fitted or measured.
fn classes(bad: &[bool]) -> Result<(usize, usize), FitError> {
    if bad.is_empty() {
        return Err(FitError::Empty);
    }
    let bads = bad.iter().filter(|&&b| b).count();
    let goods = bad.len() - bads;
    if goods == 0 || bads == 0 {
        return Err(FitError::OneClass { goods, bads });
    }
    Ok((goods, bads))
}

/// Quantile bins of one numeric feature with their weights of evidence
/// (Siddiqi 2006, ch. 5).
#[derive(Clone, Debug, PartialEq)]
pub struct WoeBins {
    /// Lower bounds of bins 1.. (bin 0 is everything below `edges[0]`),
    /// strictly increasing: a value `x` falls in bin `#{e : e ≤ x}`.
    pub edges: Vec<f64>,
    /// Goods per bin.
    pub goods: Vec<u64>,
    /// Bads per bin.
    pub bads: Vec<u64>,
    /// Weight of evidence per bin, `ln(good share / bad share)`, smoothed.
    pub woe: Vec<f64>,
    /// Information value of the feature.
    pub iv: f64,
}

impl WoeBins {
    /// Cuts `x` into at most `max_bins` quantile bins and computes each bin's
    /// weight of evidence with Laplace smoothing `alpha` (pseudo-count added
    /// to every bin's goods and bads; 0.5 is customary).
    ///
    /// Cut points are the sample quantiles `j/max_bins`; equal cut points
    /// merge, so a feature with few distinct values (a count that is mostly
    /// zero) gets fewer bins, and equal values always share a bin.
    pub fn fit(x: &[f64], bad: &[bool], max_bins: usize, alpha: f64) -> Result<WoeBins, FitError> {
        check_len("feature", x.len(), bad.len())?;
        let (n_good, n_bad) = classes(bad)?;
        check_finite("feature", x)?;
        if max_bins == 0 {
            return Err(FitError::InvalidOption { what: "max_bins", why: "must be at least 1" });
        }
        if !(alpha.is_finite() && alpha > 0.0) {
            return Err(FitError::InvalidOption { what: "alpha", why: "must be finite and > 0" });
        }
        let mut sorted = x.to_vec();
        sorted.sort_unstable_by(f64::total_cmp);
        let n = sorted.len();
        let mut edges: Vec<f64> = Vec::with_capacity(max_bins.saturating_sub(1));
        for j in 1..max_bins {
            let cut = sorted[j * n / max_bins];
            if cut > sorted[0] && edges.last().is_none_or(|&last| cut > last) {
                edges.push(cut);
            }
        }
        let k = edges.len() + 1;
        let mut goods = vec![0u64; k];
        let mut bads = vec![0u64; k];
        for (&v, &b) in x.iter().zip(bad) {
            let i = edges.partition_point(|&e| e <= v);
            if b {
                bads[i] += 1;
            } else {
                goods[i] += 1;
            }
        }
        let kf = k as f64;
        let g_total = n_good as f64 + alpha * kf;
        let b_total = n_bad as f64 + alpha * kf;
        let mut woe = Vec::with_capacity(k);
        let mut iv = 0.0;
        for i in 0..k {
            let g = (goods[i] as f64 + alpha) / g_total;
            let b = (bads[i] as f64 + alpha) / b_total;
            let w = (g / b).ln();
            iv += (g - b) * w;
            woe.push(w);
        }
        Ok(WoeBins { edges, goods, bads, woe, iv })
    }

    /// The number of bins.
    pub fn len(&self) -> usize {
        self.woe.len()
    }

    /// Whether there are no bins (never, for a fitted feature).
    pub fn is_empty(&self) -> bool {
        self.woe.is_empty()
    }

    /// The bin `x` falls in. NaN falls in bin 0.
    #[inline]
    pub fn bin(&self, x: f64) -> usize {
        self.edges.partition_point(|&e| e <= x)
    }

    /// The weight of evidence of `x`'s bin.
    #[inline]
    pub fn woe_of(&self, x: f64) -> f64 {
        self.woe[self.bin(x)]
    }
}

/// Options of a logistic fit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LogisticOptions {
    /// Ridge penalty λ on the coefficients (not the intercept).
    pub ridge: f64,
    /// Newton iterations allowed.
    pub max_iter: usize,
    /// Converged when no coefficient moves by more than this.
    pub tolerance: f64,
}

impl Default for LogisticOptions {
    fn default() -> LogisticOptions {
        LogisticOptions { ridge: 1e-6, max_iter: 50, tolerance: 1e-9 }
    }
}

/// A fitted logistic model of the log-odds of good,
/// `ln(P(good)/P(bad)) = intercept + Σ_j coefficients[j] · x_j`.
#[derive(Clone, Debug, PartialEq)]
pub struct Logistic {
    /// The intercept β₀.
    pub intercept: f64,
    /// One coefficient per feature.
    pub coefficients: Vec<f64>,
    /// Newton iterations taken.
    pub iterations: usize,
    /// The (unpenalised) log-likelihood at the estimate.
    pub log_likelihood: f64,
}

/// `ln(1 + e^z)` without overflow.
#[inline]
fn softplus(z: f64) -> f64 {
    z.max(0.0) + (-z.abs()).exp().ln_1p()
}

/// Log-likelihood of one observation with log-odds of good `eta`.
#[inline]
fn log_lik(eta: f64, bad: bool) -> f64 {
    if bad { -softplus(eta) } else { -softplus(-eta) }
}

/// Solves `a · x = b` for a symmetric positive definite `a` (row-major, `m×m`)
/// by Cholesky; `None` if `a` is not positive definite.
fn cholesky_solve(a: &[f64], b: &[f64], m: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; m * m];
    for i in 0..m {
        for j in 0..=i {
            let mut s = a[i * m + j];
            for k in 0..j {
                s -= l[i * m + k] * l[j * m + k];
            }
            if i == j {
                if s <= 0.0 || !s.is_finite() {
                    return None;
                }
                l[i * m + i] = s.sqrt();
            } else {
                l[i * m + j] = s / l[j * m + j];
            }
        }
    }
    let mut y = vec![0.0; m];
    for i in 0..m {
        let s = b[i] - (0..i).map(|k| l[i * m + k] * y[k]).sum::<f64>();
        y[i] = s / l[i * m + i];
    }
    let mut x = vec![0.0; m];
    for i in (0..m).rev() {
        let s = y[i] - (i + 1..m).map(|k| l[k * m + i] * x[k]).sum::<f64>();
        x[i] = s / l[i * m + i];
    }
    Some(x)
}

impl Logistic {
    /// The log-odds of good of one row of features.
    #[inline]
    pub fn log_odds(&self, row: &[f64]) -> f64 {
        self.intercept + self.coefficients.iter().zip(row).map(|(b, x)| b * x).sum::<f64>()
    }

    /// Fits the model by Newton–Raphson (IRLS) with a ridge penalty
    /// (Hosmer & Lemeshow 2000, ch. 1–2). `columns[j][i]` is feature `j` of
    /// row `i`; `bad[i]` is the target.
    pub fn fit(columns: &[&[f64]], bad: &[bool], opts: &LogisticOptions) -> Result<Logistic, FitError> {
        let (n_good, n_bad) = classes(bad)?;
        for c in columns {
            check_len("feature column", c.len(), bad.len())?;
            check_finite("feature column", c)?;
        }
        if !(opts.ridge.is_finite() && opts.ridge >= 0.0) {
            return Err(FitError::InvalidOption { what: "ridge", why: "must be finite and ≥ 0" });
        }
        if !(opts.tolerance.is_finite() && opts.tolerance > 0.0) {
            return Err(FitError::InvalidOption { what: "tolerance", why: "must be finite and > 0" });
        }
        let p = columns.len();
        let m = p + 1;
        // β[0] is the intercept; start from the base rate, the usual start.
        let mut beta = vec![0.0; m];
        beta[0] = (n_good as f64 / n_bad as f64).ln();
        let eta_of = |beta: &[f64], i: usize| beta[0] + (0..p).map(|j| beta[j + 1] * columns[j][i]).sum::<f64>();
        let penalised = |beta: &[f64]| {
            let ll: f64 = (0..bad.len()).map(|i| log_lik(eta_of(beta, i), bad[i])).sum();
            ll - 0.5 * opts.ridge * beta[1..].iter().map(|b| b * b).sum::<f64>()
        };
        let mut current = penalised(&beta);
        let mut row = vec![0.0; m];
        for iteration in 1..=opts.max_iter {
            // Gradient and Hessian of the penalised log-likelihood.
            let mut grad = vec![0.0; m];
            let mut hess = vec![0.0; m * m];
            for i in 0..bad.len() {
                row[0] = 1.0;
                for j in 0..p {
                    row[j + 1] = columns[j][i];
                }
                let eta = eta_of(&beta, i);
                let mu = 1.0 / (1.0 + (-eta).exp());
                let y = if bad[i] { 0.0 } else { 1.0 };
                let w = mu * (1.0 - mu);
                for a in 0..m {
                    grad[a] += (y - mu) * row[a];
                    for b in 0..=a {
                        hess[a * m + b] += w * row[a] * row[b];
                    }
                }
            }
            for a in 0..m {
                for b in 0..a {
                    hess[b * m + a] = hess[a * m + b];
                }
            }
            for a in 1..m {
                grad[a] -= opts.ridge * beta[a];
                hess[a * m + a] += opts.ridge;
            }
            let step = cholesky_solve(&hess, &grad, m).ok_or(FitError::Singular)?;
            // Halve the step until the penalised likelihood does not fall.
            let mut scale = 1.0;
            let mut next: Vec<f64>;
            let mut value;
            loop {
                next = beta.iter().zip(&step).map(|(b, s)| b + scale * s).collect();
                value = penalised(&next);
                if value >= current || scale < 1e-10 {
                    break;
                }
                scale *= 0.5;
            }
            let moved = step.iter().map(|s| (scale * s).abs()).fold(0.0, f64::max);
            beta = next;
            current = value;
            if moved < opts.tolerance {
                let log_likelihood = (0..bad.len()).map(|i| log_lik(eta_of(&beta, i), bad[i])).sum();
                return Ok(Logistic {
                    intercept: beta[0],
                    coefficients: beta[1..].to_vec(),
                    iterations: iteration,
                    log_likelihood,
                });
            }
            if iteration == opts.max_iter {
                return Err(FitError::NoConvergence { iterations: iteration, step: moved });
            }
        }
        Err(FitError::NoConvergence { iterations: opts.max_iter, step: f64::NAN })
    }
}

/// A scorecard's discrimination: AUC and KS on one sample.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Power {
    /// Area under the ROC curve: P(a good outscores a bad), ties ½.
    pub auc: f64,
    /// Kolmogorov–Smirnov distance between goods' and bads' scores.
    pub ks: f64,
}

/// Row order by score, NaN-free input assumed.
fn order(scores: &[f64]) -> Vec<u32> {
    let mut idx: Vec<u32> = (0..scores.len() as u32).collect();
    idx.sort_unstable_by(|&a, &b| scores[a as usize].total_cmp(&scores[b as usize]));
    idx
}

/// Walks the scores in ascending order one tie group at a time, calling
/// `f(goods in group, bads in group)`.
fn tie_groups(scores: &[f64], bad: &[bool], mut f: impl FnMut(u64, u64)) {
    let idx = order(scores);
    let mut start = 0;
    while start < idx.len() {
        let s = scores[idx[start] as usize];
        let (mut g, mut b) = (0u64, 0u64);
        let mut end = start;
        while end < idx.len() && scores[idx[end] as usize] == s {
            if bad[idx[end] as usize] {
                b += 1;
            } else {
                g += 1;
            }
            end += 1;
        }
        f(g, b);
        start = end;
    }
}

fn check_scores(scores: &[f64], bad: &[bool]) -> Result<(usize, usize), FitError> {
    check_len("scores", scores.len(), bad.len())?;
    let counts = classes(bad)?;
    check_finite("scores", scores)?;
    Ok(counts)
}

/// AUC: the Mann–Whitney probability that a random good scores above a
/// random bad, ties counting ½ (Hanley & McNeil 1982). Higher scores are
/// better risks; 1 is a perfect ranking, 0.5 a random one.
pub fn auc(scores: &[f64], bad: &[bool]) -> Result<f64, FitError> {
    let (n_good, n_bad) = check_scores(scores, bad)?;
    let mut bads_below = 0u64;
    let mut pairs = 0.0f64;
    tie_groups(scores, bad, |g, b| {
        pairs += g as f64 * (bads_below as f64 + 0.5 * b as f64);
        bads_below += b;
    });
    Ok(pairs / (n_good as f64 * n_bad as f64))
}

/// KS: `max_s |F_good(s) − F_bad(s)|` over the empirical score distributions,
/// taken at the end of each group of equal scores.
pub fn ks(scores: &[f64], bad: &[bool]) -> Result<f64, FitError> {
    let (n_good, n_bad) = check_scores(scores, bad)?;
    let (mut cg, mut cb) = (0u64, 0u64);
    let mut best = 0.0f64;
    tie_groups(scores, bad, |g, b| {
        cg += g;
        cb += b;
        best = best.max((cg as f64 / n_good as f64 - cb as f64 / n_bad as f64).abs());
    });
    Ok(best)
}

/// AUC and KS of one sample.
pub fn power(scores: &[f64], bad: &[bool]) -> Result<Power, FitError> {
    Ok(Power { auc: auc(scores, bad)?, ks: ks(scores, bad)? })
}

/// Options of a WoE scorecard fit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WoeOptions {
    /// Quantile bins per feature, at most.
    pub max_bins: usize,
    /// Laplace pseudo-count per bin and class.
    pub alpha: f64,
    /// The logistic fit's options.
    pub logistic: LogisticOptions,
}

impl Default for WoeOptions {
    fn default() -> WoeOptions {
        WoeOptions { max_bins: 10, alpha: 0.5, logistic: LogisticOptions::default() }
    }
}

/// A fitted scorecard: WoE bins per feature and a logistic model on them.
#[derive(Clone, Debug, PartialEq)]
pub struct WoeModel {
    /// One set of bins per feature.
    pub bins: Vec<WoeBins>,
    /// The logistic model on the features' weights of evidence.
    pub logistic: Logistic,
}

impl WoeModel {
    /// Bins every feature, then fits the logistic model on the weights of
    /// evidence. `columns[j][i]` is feature `j` of row `i`.
    pub fn fit(columns: &[&[f64]], bad: &[bool], opts: &WoeOptions) -> Result<WoeModel, FitError> {
        let bins =
            columns.iter().map(|c| WoeBins::fit(c, bad, opts.max_bins, opts.alpha)).collect::<Result<Vec<_>, _>>()?;
        let woe: Vec<Vec<f64>> =
            bins.iter().zip(columns).map(|(b, c)| c.iter().map(|&x| b.woe_of(x)).collect()).collect();
        let woe_refs: Vec<&[f64]> = woe.iter().map(Vec::as_slice).collect();
        let logistic = Logistic::fit(&woe_refs, bad, &opts.logistic)?;
        Ok(WoeModel { bins, logistic })
    }

    /// The log-odds of good of one customer's raw features (one per bin set).
    #[inline]
    pub fn log_odds(&self, row: &[f64]) -> f64 {
        // Summed in the order `log_odds_all` sums, so the two agree exactly.
        self.bins
            .iter()
            .zip(&self.logistic.coefficients)
            .zip(row)
            .fold(self.logistic.intercept, |acc, ((b, c), &x)| acc + c * b.woe_of(x))
    }

    /// The log-odds of good of every row of `columns` into `out`, in parallel
    /// on the rayon pool the caller runs in (see `score_all`); each row's
    /// value depends only on its own features.
    pub fn log_odds_all(&self, columns: &[&[f64]], out: &mut [f64]) -> Result<(), FitError> {
        check_len("feature columns", columns.len(), self.bins.len())?;
        for c in columns {
            check_len("feature column", c.len(), out.len())?;
        }
        super::each_chunk(out, 4096, |chunk, out| {
            let base = chunk * 4096;
            out.fill(self.logistic.intercept);
            for ((b, &coef), col) in self.bins.iter().zip(&self.logistic.coefficients).zip(columns) {
                for (k, o) in out.iter_mut().enumerate() {
                    *o += coef * b.woe_of(col[base + k]);
                }
            }
        });
        Ok(())
    }

    /// AUC and KS of the model on a sample: in-sample on the rows it was
    /// fitted on, out-of-time on rows from after the fitting window.
    pub fn power(&self, columns: &[&[f64]], bad: &[bool]) -> Result<Power, FitError> {
        let mut out = vec![0.0; bad.len()];
        self.log_odds_all(columns, &mut out)?;
        power(&out, bad)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::ChaCha8Rng;
    use rand::{RngExt, SeedableRng};

    fn sigmoid(z: f64) -> f64 {
        1.0 / (1.0 + (-z).exp())
    }

    /// Draws `bad` from a known logistic model of the log-odds of good.
    fn draw(rng: &mut ChaCha8Rng, log_odds_good: f64) -> bool {
        rng.random::<f64>() >= sigmoid(log_odds_good)
    }

    #[test]
    fn logistic_recovers_known_coefficients() {
        let mut rng = ChaCha8Rng::seed_from_u64(12);
        let n = 100_000;
        let (b0, b1, b2) = (0.5, 1.2, -0.8);
        let x1: Vec<f64> = (0..n).map(|_| rng.random_range(-2.0..2.0)).collect();
        let x2: Vec<f64> = (0..n).map(|_| rng.random_range(0.0..3.0)).collect();
        let bad: Vec<bool> = (0..n).map(|i| draw(&mut rng, b0 + b1 * x1[i] + b2 * x2[i])).collect();
        let fit = Logistic::fit(&[&x1, &x2], &bad, &LogisticOptions::default()).unwrap();
        // Standard errors at this n are about 0.01–0.02; allow ~4 of them.
        assert!((fit.intercept - b0).abs() < 0.06, "{fit:?}");
        assert!((fit.coefficients[0] - b1).abs() < 0.05, "{fit:?}");
        assert!((fit.coefficients[1] - b2).abs() < 0.05, "{fit:?}");
        assert!(fit.iterations < 15);
    }

    #[test]
    fn logistic_fit_is_deterministic() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let x: Vec<f64> = (0..5000).map(|_| rng.random_range(-1.0..1.0)).collect();
        let bad: Vec<bool> = x.iter().map(|&v| draw(&mut rng, 2.0 * v)).collect();
        let a = Logistic::fit(&[&x], &bad, &LogisticOptions::default()).unwrap();
        let b = Logistic::fit(&[&x], &bad, &LogisticOptions::default()).unwrap();
        assert_eq!(a.intercept.to_bits(), b.intercept.to_bits());
        assert_eq!(a.coefficients[0].to_bits(), b.coefficients[0].to_bits());
    }

    #[test]
    fn ridge_keeps_a_separating_feature_finite() {
        let x: Vec<f64> = (0..100).map(|i| i as f64).collect();
        let bad: Vec<bool> = (0..100).map(|i| i < 50).collect();
        let opts = LogisticOptions { ridge: 1.0, ..LogisticOptions::default() };
        let fit = Logistic::fit(&[&x], &bad, &opts).unwrap();
        assert!(fit.coefficients[0].is_finite() && fit.coefficients[0] > 0.0);
        assert_eq!(auc(&x, &bad).unwrap(), 1.0);
    }

    #[test]
    fn a_constant_feature_without_ridge_is_singular() {
        let x = vec![1.0; 10];
        let bad: Vec<bool> = (0..10).map(|i| i % 3 == 0).collect();
        let opts = LogisticOptions { ridge: 0.0, ..LogisticOptions::default() };
        assert_eq!(Logistic::fit(&[&x], &bad, &opts), Err(FitError::Singular));
    }

    #[test]
    fn woe_of_a_single_feature_gets_coefficient_one() {
        // With one WoE feature, β = 1 and β₀ = ln(G/B) reproduce every bin's
        // observed odds, so they are the maximum-likelihood estimate (exactly,
        // without smoothing and ridge; nearly, with them).
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let n = 50_000;
        let x: Vec<f64> = (0..n).map(|_| rng.random_range(0.0..10.0)).collect();
        let bad: Vec<bool> = x.iter().map(|&v| draw(&mut rng, -1.0 + 0.4 * v)).collect();
        let opts = WoeOptions { alpha: 1e-6, ..WoeOptions::default() };
        let model = WoeModel::fit(&[&x], &bad, &opts).unwrap();
        let bads = bad.iter().filter(|&&b| b).count() as f64;
        assert!((model.logistic.coefficients[0] - 1.0).abs() < 1e-3, "{:?}", model.logistic);
        assert!((model.logistic.intercept - ((n as f64 - bads) / bads).ln()).abs() < 1e-3);
    }

    #[test]
    fn woe_is_monotone_on_a_monotone_relation() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let x: Vec<f64> = (0..40_000).map(|_| rng.random_range(0.0..1.0)).collect();
        let bad: Vec<bool> = x.iter().map(|&v| draw(&mut rng, -1.0 + 4.0 * v)).collect();
        let bins = WoeBins::fit(&x, &bad, 10, 0.5).unwrap();
        assert_eq!(bins.len(), 10);
        assert!(bins.woe.windows(2).all(|w| w[1] > w[0]), "{:?}", bins.woe);
        assert!(bins.iv > 0.3, "a strong feature: {}", bins.iv);
    }

    #[test]
    fn an_unrelated_feature_has_almost_no_information() {
        let mut rng = ChaCha8Rng::seed_from_u64(8);
        let x: Vec<f64> = (0..40_000).map(|_| rng.random_range(0.0..1.0)).collect();
        let bad: Vec<bool> = (0..40_000).map(|_| rng.random::<f64>() < 0.2).collect();
        let bins = WoeBins::fit(&x, &bad, 10, 0.5).unwrap();
        assert!(bins.iv < 0.02, "{}", bins.iv);
    }

    #[test]
    fn ties_share_a_bin_and_empty_classes_stay_finite() {
        // A count that is mostly zero: the zeros are one bin, whatever the
        // quantiles say; the top bin has no goods at all.
        let x = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 5.0, 5.0];
        let bad = [false, false, false, true, false, false, false, true, true, true];
        let bins = WoeBins::fit(&x, &bad, 5, 0.5).unwrap();
        assert_eq!(bins.edges, vec![1.0, 5.0]);
        assert_eq!(bins.goods, vec![5, 1, 0]);
        assert_eq!(bins.bads, vec![1, 1, 2]);
        assert!(bins.woe.iter().all(|w| w.is_finite()));
        assert!(bins.woe[0] > 0.0 && bins.woe[2] < 0.0);
        // By hand: G = 6 + 1.5, B = 4 + 1.5, bin 2 is ln((0.5/7.5)/(2.5/5.5)).
        assert!((bins.woe[2] - ((0.5 / 7.5) / (2.5 / 5.5f64)).ln()).abs() < 1e-12);
        assert_eq!(bins.bin(-3.0), 0);
        assert_eq!(bins.bin(1.0), 1);
        assert_eq!(bins.bin(4.9), 1);
        assert_eq!(bins.bin(100.0), 2);
    }

    #[test]
    fn auc_of_perfect_reversed_and_tied_scorers() {
        let scores: Vec<f64> = (0..100).map(f64::from).collect();
        let bad: Vec<bool> = (0..100).map(|i| i < 30).collect();
        assert_eq!(auc(&scores, &bad).unwrap(), 1.0);
        let reversed: Vec<f64> = scores.iter().map(|s| -s).collect();
        assert_eq!(auc(&reversed, &bad).unwrap(), 0.0);
        assert_eq!(auc(&[7.0; 100], &bad).unwrap(), 0.5);
        assert_eq!(ks(&scores, &bad).unwrap(), 1.0);
        assert_eq!(ks(&[7.0; 100], &bad).unwrap(), 0.0);
    }

    #[test]
    fn auc_of_a_random_scorer_is_about_one_half() {
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        let scores: Vec<f64> = (0..20_000).map(|_| rng.random::<f64>()).collect();
        let bad: Vec<bool> = (0..20_000).map(|_| rng.random::<f64>() < 0.3).collect();
        // Hanley–McNeil standard error at 0.5 with 6,000 bads is about 0.004.
        assert!((auc(&scores, &bad).unwrap() - 0.5).abs() < 0.02);
    }

    #[test]
    fn auc_by_hand_and_against_all_pairs_with_ties() {
        // Goods at 2 and 4, bads at 1 and 3: 3 of the 4 pairs are ordered.
        assert_eq!(auc(&[1.0, 2.0, 3.0, 4.0], &[true, false, true, false]).unwrap(), 0.75);
        let mut rng = ChaCha8Rng::seed_from_u64(10);
        let scores: Vec<f64> = (0..300).map(|_| f64::from(rng.random_range(0..12u8))).collect();
        let bad: Vec<bool> = (0..300).map(|_| rng.random::<f64>() < 0.4).collect();
        let (mut sum, mut pairs) = (0.0, 0.0);
        for g in (0..300).filter(|&i| !bad[i]) {
            for b in (0..300).filter(|&i| bad[i]) {
                sum += match scores[g].total_cmp(&scores[b]) {
                    std::cmp::Ordering::Greater => 1.0,
                    std::cmp::Ordering::Equal => 0.5,
                    std::cmp::Ordering::Less => 0.0,
                };
                pairs += 1.0;
            }
        }
        assert!((auc(&scores, &bad).unwrap() - sum / pairs).abs() < 1e-12);
    }

    #[test]
    fn ks_by_hand() {
        // Ascending: bad, bad, good, bad, good, good. After 2: F_bad = 2/3,
        // F_good = 0; after 4: 1 and 1/3. KS = 2/3.
        let scores = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let bad = [true, true, false, true, false, false];
        assert!((ks(&scores, &bad).unwrap() - 2.0 / 3.0).abs() < 1e-15);
        // Equal scores move both distributions at once: with bads at 1 and
        // 2 and goods at 2 and 3, splitting the tie bad-first would give 1;
        // the tie group jumps F_bad to 1 and F_good to 1/2 together.
        assert_eq!(ks(&[1.0, 2.0, 2.0, 3.0], &[true, true, false, false]).unwrap(), 0.5);
        let p = power(&scores, &bad).unwrap();
        // Goods at 3, 5, 6 over bads at 1, 2, 4: 8 of the 9 pairs.
        assert!((p.auc - 8.0 / 9.0).abs() < 1e-15);
        assert!((p.ks - 2.0 / 3.0).abs() < 1e-15);
    }

    #[test]
    fn out_of_time_power_is_measured_on_a_later_sample() {
        // Fit on one draw, assess on a fresh one from the same model: the
        // two AUCs agree within sampling error, and the fresh KS is lower
        // than 1 and above 0.
        let mut rng = ChaCha8Rng::seed_from_u64(13);
        let sample = |rng: &mut ChaCha8Rng| {
            let x: Vec<f64> = (0..20_000).map(|_| rng.random_range(0.0..1.0)).collect();
            let bad: Vec<bool> = x.iter().map(|&v| draw(rng, 3.0 * v - 0.5)).collect();
            (x, bad)
        };
        let (x_fit, bad_fit) = sample(&mut rng);
        let (x_later, bad_later) = sample(&mut rng);
        let model = WoeModel::fit(&[&x_fit], &bad_fit, &WoeOptions::default()).unwrap();
        let inside = model.power(&[&x_fit], &bad_fit).unwrap();
        let later = model.power(&[&x_later], &bad_later).unwrap();
        assert!((inside.auc - later.auc).abs() < 0.02, "{inside:?} {later:?}");
        assert!(later.ks > 0.2 && later.ks < 1.0, "{later:?}");
        assert!(model.power(&[&x_later], &bad_later[..10]).is_err());
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        assert_eq!(auc(&[], &[]), Err(FitError::Empty));
        assert_eq!(auc(&[1.0, 2.0], &[true, true]), Err(FitError::OneClass { goods: 0, bads: 2 }));
        assert!(matches!(auc(&[1.0], &[true, false]), Err(FitError::LengthMismatch { .. })));
        assert_eq!(ks(&[1.0, f64::NAN], &[true, false]), Err(FitError::NonFinite { what: "scores", row: 1 }));
        assert!(matches!(WoeBins::fit(&[1.0, 2.0], &[true, false], 0, 0.5), Err(FitError::InvalidOption { .. })));
        assert!(matches!(WoeBins::fit(&[1.0, 2.0], &[true, false], 4, 0.0), Err(FitError::InvalidOption { .. })));
        assert!(matches!(
            Logistic::fit(&[&[1.0, f64::INFINITY]], &[true, false], &LogisticOptions::default()),
            Err(FitError::NonFinite { .. })
        ));
        let model =
            WoeModel::fit(&[&[1.0, 2.0, 3.0, 4.0]], &[true, false, true, false], &WoeOptions::default()).unwrap();
        let mut out = vec![0.0; 3];
        assert!(model.log_odds_all(&[&[1.0, 2.0]], &mut out).is_err());
        assert!(model.log_odds_all(&[], &mut out).is_err());
    }

    #[test]
    fn batch_scoring_equals_one_at_a_time_and_ranks_well() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let n = 20_000;
        let x1: Vec<f64> = (0..n).map(|_| f64::from(rng.random_range(0..6u8))).collect();
        let x2: Vec<f64> = (0..n).map(|_| rng.random_range(0.0..1.0)).collect();
        let bad: Vec<bool> = (0..n).map(|i| draw(&mut rng, 1.0 - 0.5 * x1[i] + 2.0 * x2[i])).collect();
        let model = WoeModel::fit(&[&x1, &x2], &bad, &WoeOptions::default()).unwrap();
        let mut out = vec![0.0; n];
        model.log_odds_all(&[&x1, &x2], &mut out).unwrap();
        for i in (0..n).step_by(97) {
            assert_eq!(out[i].to_bits(), model.log_odds(&[x1[i], x2[i]]).to_bits());
        }
        // The fitted scorecard ranks about as well as the true model does.
        let truth: Vec<f64> = (0..n).map(|i| 1.0 - 0.5 * x1[i] + 2.0 * x2[i]).collect();
        let (fitted, best) = (auc(&out, &bad).unwrap(), auc(&truth, &bad).unwrap());
        assert!(fitted > 0.7 && (fitted - best).abs() < 0.01, "{fitted} vs {best}");
    }
}
