//! Small statistics used by the metrics: correlations (Pearson's r, Spearman's
//! rho with average ranks for ties) with Fisher-z intervals and t-test p-values,
//! binomial intervals (Wilson), moments (skewness, kurtosis, the bimodality
//! coefficient), heavy-tail and long-memory measures (Hill, autocorrelation and
//! its power-law decay), robust location and scale (median, MAD) and the LSV
//! herding measure.
//!
//! Every function is pure. Where a statistic is undefined (too few points, zero
//! variance, an argument out of range) the result is `None`; no input panics.
//! The special functions behind the p-values (log-gamma, the regularized
//! incomplete beta function, the Student t distribution) are implemented here
//! and exposed for reuse.

use std::f64::consts::PI;

/// The standard normal quantile for a two-sided 95% interval, Φ⁻¹(0.975).
pub const Z95: f64 = 1.959963984540054;

/// The factor that makes the median absolute deviation a consistent estimator
/// of the standard deviation of a normal distribution: 1 / Φ⁻¹(3/4) ≈ 1.4826.
pub const MAD_SCALE: f64 = 1.4826;

/// Largest number of traders for which [`lsv`] sums the binomial expectation
/// exactly; above it the normal approximation is used.
pub const LSV_EXACT_MAX_N: u64 = 5000;

// ---------------------------------------------------------------------------
// Correlation
// ---------------------------------------------------------------------------

/// Pearson's correlation; `None` with fewer than 3 pairs or a constant series.
///
/// r = Σ (x − x̄)(y − ȳ) / sqrt(Σ (x − x̄)² · Σ (y − ȳ)²) over the first
/// min(len x, len y) pairs, clamped to [−1, 1].
pub fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len().min(y.len());
    if n < 3 {
        return None;
    }
    // A constant series has no correlation; checked exactly, since its
    // floating-point deviations from the mean need not be exactly zero.
    if x[..n].iter().all(|&v| v == x[0]) || y[..n].iter().all(|&v| v == y[0]) {
        return None;
    }
    let mx = x[..n].iter().sum::<f64>() / n as f64;
    let my = y[..n].iter().sum::<f64>() / n as f64;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (&a, &b) in x[..n].iter().zip(&y[..n]) {
        let (dx, dy) = (a - mx, b - my);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    if sxx <= 0.0 || syy <= 0.0 {
        return None;
    }
    Some((sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0))
}

/// Ranks from 1, ties sharing the average of the ranks they span.
pub fn average_ranks(x: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..x.len()).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut ranks = vec![0.0; x.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && x[order[j + 1]] == x[order[i]] {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            ranks[k] = rank;
        }
        i = j + 1;
    }
    ranks
}

/// Spearman's rank correlation: Pearson's r of the average ranks (so ties are
/// handled as in the "tie-corrected" rho).
pub fn spearman(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len().min(y.len());
    pearson(&average_ranks(&x[..n]), &average_ranks(&y[..n]))
}

/// A correlation with its inference.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct CorrStat {
    /// The correlation coefficient.
    pub r: f64,
    /// Number of pairs.
    pub n: usize,
    /// Lower end of the 95% Fisher-z interval.
    pub ci_lo: f64,
    /// Upper end of the 95% Fisher-z interval.
    pub ci_hi: f64,
    /// Two-sided p-value of the t test of zero correlation.
    pub p_value: f64,
}

/// The interval and p-value of a correlation `r` from `n` pairs, with `se` the
/// standard error of atanh(r).
fn corr_stat(r: f64, n: usize, se: f64) -> CorrStat {
    // atanh(±1) = ±∞ and tanh(±∞ ± finite) = ±1: a perfect correlation gets
    // the degenerate interval [r, r].
    let z = r.atanh();
    let (ci_lo, ci_hi) = ((z - Z95 * se).tanh(), (z + Z95 * se).tanh());
    let df = (n - 2) as f64;
    // t = r·sqrt(df / (1 − r²)); ∞ for |r| = 1, which gives p = 0.
    let t = r * (df / (1.0 - r * r)).sqrt();
    let p_value = student_t_two_sided_p(t, df).unwrap_or(f64::NAN);
    CorrStat { r, n, ci_lo, ci_hi, p_value }
}

/// Pearson's r with a 95% Fisher-z interval and a two-sided p-value.
///
/// Interval: tanh(atanh(r) ± z₀.₉₇₅ / sqrt(n − 3)) (Fisher 1921).
/// p-value: t = r·sqrt((n − 2) / (1 − r²)) has a Student t distribution with
/// n − 2 degrees of freedom under zero correlation of a bivariate normal;
/// p = P(|T| ≥ |t|), computed by [`student_t_two_sided_p`].
/// `None` below 4 pairs (the interval needs n − 3 > 0) or for a constant series.
pub fn pearson_stat(x: &[f64], y: &[f64]) -> Option<CorrStat> {
    let n = x.len().min(y.len());
    if n < 4 {
        return None;
    }
    let r = pearson(x, y)?;
    Some(corr_stat(r, n, 1.0 / ((n - 3) as f64).sqrt()))
}

/// Spearman's rho (Pearson on average ranks) with a 95% Fisher-z interval and
/// a two-sided p-value.
///
/// Interval: tanh(atanh(rho) ± z₀.₉₇₅ · sqrt(1.06 / (n − 3))), the standard
/// error of Fieller, Hartley & Pearson (1957), "Tests for rank correlation
/// coefficients. I", Biometrika 44. p-value: the t approximation
/// t = rho·sqrt((n − 2) / (1 − rho²)) with n − 2 degrees of freedom, as for
/// [`pearson_stat`]. `None` below 4 pairs or when either series is constant.
pub fn spearman_stat(x: &[f64], y: &[f64]) -> Option<CorrStat> {
    let n = x.len().min(y.len());
    if n < 4 {
        return None;
    }
    let r = spearman(x, y)?;
    Some(corr_stat(r, n, (1.06 / (n - 3) as f64).sqrt()))
}

/// Cross-correlation of x_t with y_{t+lag}: Pearson's r over the overlapping
/// pairs (x_t, y_{t+lag}), 0 ≤ t, t + lag < n with n = min(len x, len y), for
/// lag in −max_lag..=max_lag. Entry i is lag −max_lag + i; an entry is `None`
/// where [`pearson`] is undefined (fewer than 3 overlapping pairs, a constant
/// stretch). A positive peak lag means y follows x (y_t ≈ x_{t−lag}).
/// Cost O(n · max_lag), no allocation besides the result.
pub fn cross_correlation(x: &[f64], y: &[f64], max_lag: usize) -> Vec<Option<f64>> {
    let n = x.len().min(y.len());
    let (x, y) = (&x[..n], &y[..n]);
    let at = |lag: usize, negative: bool| -> Option<f64> {
        if lag >= n {
            return None;
        }
        if negative { pearson(&x[lag..], &y[..n - lag]) } else { pearson(&x[..n - lag], &y[lag..]) }
    };
    (0..max_lag)
        .rev()
        .map(|i| at(i + 1, true))
        .chain(std::iter::once(at(0, false)))
        .chain((1..=max_lag).map(|lag| at(lag, false)))
        .collect()
}

// ---------------------------------------------------------------------------
// Binomial interval
// ---------------------------------------------------------------------------

/// Wilson score interval for `k` successes out of `n` at normal quantile `z`
/// (use [`Z95`] for 95%), Wilson (1927), "Probable inference, the law of
/// succession, and statistical inference", JASA 22:
///
/// (2k + z² ± z·sqrt(z² + 4k(n − k)/n)) / (2(n + z²)),
///
/// equivalently (p̂ + z²/2n ± z·sqrt(p̂(1 − p̂)/n + z²/4n²)) / (1 + z²/n).
/// The ends are clamped to [0, 1] and are exactly 0 at k = 0 and 1 at k = n.
/// `None` when n = 0, k > n or z is not finite (|z| is used).
pub fn wilson(k: u64, n: u64, z: f64) -> Option<(f64, f64)> {
    if n == 0 || k > n || !z.is_finite() {
        return None;
    }
    let (kf, nf, z) = (k as f64, n as f64, z.abs());
    let z2 = z * z;
    let centre = 2.0 * kf + z2;
    let half = z * (z2 + 4.0 * kf * ((n - k) as f64) / nf).sqrt();
    let denom = 2.0 * (nf + z2);
    let lo = if k == 0 { 0.0 } else { ((centre - half) / denom).clamp(0.0, 1.0) };
    let hi = if k == n { 1.0 } else { ((centre + half) / denom).clamp(0.0, 1.0) };
    Some((lo, hi))
}

// ---------------------------------------------------------------------------
// Special functions
// ---------------------------------------------------------------------------

/// ln Γ(x) for x > 0 by the Lanczos approximation (g = 7, 9 coefficients;
/// Lanczos 1964, coefficients of Godfrey), relative error about 1e-15, with
/// the reflection formula Γ(x)Γ(1 − x) = π / sin(πx) below 1/2. `NaN` for
/// x ≤ 0 or NaN.
pub fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x.is_nan() || x <= 0.0 {
        return f64::NAN;
    }
    if x < 0.5 {
        return (PI / (PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = C[0];
    for (i, &c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    let t = x + G + 0.5;
    0.5 * (2.0 * PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// The remainder of Stirling's series, ln Γ(x) − ((x − ½) ln x − x + ½ ln 2π)
/// = 1/(12x) − 1/(360x³) + 1/(1260x⁵) − 1/(1680x⁷) + 1/(1188x⁹) − …
/// (Abramowitz & Stegun 6.1.41), accurate to about 1e-14 for x ≥ 10.
fn stirling_remainder(x: f64) -> f64 {
    let x2 = 1.0 / (x * x);
    (1.0 / 12.0 - x2 * (1.0 / 360.0 - x2 * (1.0 / 1260.0 - x2 * (1.0 / 1680.0 - x2 / 1188.0)))) / x
}

/// ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b) for a, b > 0. When the larger
/// argument is 10 or more the large ln Γ terms are cancelled analytically with
/// Stirling's series and `ln_1p` (as in R's `lbeta`), so a ≈ 10⁶, b = ½ keeps
/// full relative precision.
pub fn ln_beta(a: f64, b: f64) -> f64 {
    if !(a > 0.0 && b > 0.0) {
        return f64::NAN;
    }
    let (p, q) = (a.min(b), a.max(b));
    if q < 10.0 {
        return ln_gamma(p) + ln_gamma(q) - ln_gamma(p + q);
    }
    let corr = stirling_remainder(q) - stirling_remainder(p + q);
    let ln_rest = (-p / (p + q)).ln_1p();
    if p >= 10.0 {
        let corr = corr + stirling_remainder(p);
        0.5 * (2.0 * PI).ln() - 0.5 * q.ln() + corr + (p - 0.5) * (p / (p + q)).ln() + q * ln_rest
    } else {
        ln_gamma(p) + corr + p - p * (p + q).ln() + (q - 0.5) * ln_rest
    }
}

/// The continued fraction of the incomplete beta function by the modified
/// Lentz method (Press et al., Numerical Recipes, 3rd ed., §6.4 `betacf`);
/// `None` if it does not converge.
fn beta_cf(a: f64, b: f64, x: f64) -> Option<f64> {
    const EPS: f64 = 1e-15;
    const FPMIN: f64 = 1e-300;
    // Iterations needed grow like sqrt(max(a, b)); this bound is generous.
    let max_iter = 200 + (10.0 * a.max(b).sqrt()).min(1e7) as usize;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < FPMIN {
        d = FPMIN;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..=max_iter {
        let m = m as f64;
        let m2 = 2.0 * m;
        // Even step.
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if d.abs() < FPMIN {
            d = FPMIN;
        }
        c = 1.0 + aa / c;
        if c.abs() < FPMIN {
            c = FPMIN;
        }
        d = 1.0 / d;
        h *= d * c;
        // Odd step.
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if d.abs() < FPMIN {
            d = FPMIN;
        }
        c = 1.0 + aa / c;
        if c.abs() < FPMIN {
            c = FPMIN;
        }
        d = 1.0 / d;
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() < EPS {
            return Some(h);
        }
    }
    None
}

/// I_x(a, b) with y = 1 − x given separately (so that a y close to 0 keeps its
/// precision).
fn reg_inc_beta_xy(x: f64, y: f64, a: f64, b: f64) -> Option<f64> {
    // Written so that NaN anywhere fails the test.
    if !(x >= 0.0 && y >= 0.0 && a > 0.0 && b > 0.0 && a.is_finite() && b.is_finite()) {
        return None;
    }
    if x == 0.0 {
        return Some(0.0);
    }
    if y == 0.0 {
        return Some(1.0);
    }
    // Prefactor x^a y^b / B(a, b), in log space; ln of the larger of x and y via
    // ln_1p of the smaller, which keeps its precision.
    let (ln_x, ln_y) = if x <= y { (x.ln(), (-x).ln_1p()) } else { ((-y).ln_1p(), y.ln()) };
    let ln_front = a * ln_x + b * ln_y - ln_beta(a, b);
    let front = ln_front.exp();
    // The continued fraction converges fast for x < (a + 1) / (a + b + 2);
    // otherwise use I_x(a, b) = 1 − I_{1−x}(b, a).
    let value =
        if x < (a + 1.0) / (a + b + 2.0) { front * beta_cf(a, b, x)? / a } else { 1.0 - front * beta_cf(b, a, y)? / b };
    Some(value.clamp(0.0, 1.0))
}

/// The regularized incomplete beta function
/// I_x(a, b) = (1 / B(a, b)) ∫₀ˣ t^(a−1) (1 − t)^(b−1) dt
/// by its continued fraction (Numerical Recipes, 3rd ed., §6.4 `betai`/`betacf`;
/// Abramowitz & Stegun 26.5.8). `None` unless 0 ≤ x ≤ 1 and a, b > 0 are finite.
pub fn reg_inc_beta(x: f64, a: f64, b: f64) -> Option<f64> {
    if !(0.0..=1.0).contains(&x) {
        return None;
    }
    reg_inc_beta_xy(x, 1.0 - x, a, b)
}

/// Two-sided p-value P(|T| ≥ |t|) of Student's t with `df` > 0 degrees of
/// freedom: I_{df/(df+t²)}(df/2, 1/2) (Abramowitz & Stegun 26.7.1 with
/// 26.5.27). |t| = ∞ gives 0. `None` for NaN or df ≤ 0.
pub fn student_t_two_sided_p(t: f64, df: f64) -> Option<f64> {
    if t.is_nan() || df.is_nan() || df <= 0.0 || df.is_infinite() {
        return None;
    }
    if t.is_infinite() {
        return Some(0.0);
    }
    let t2 = t * t;
    reg_inc_beta_xy(df / (df + t2), t2 / (df + t2), 0.5 * df, 0.5)
}

/// The cumulative distribution function P(T ≤ t) of Student's t with `df` > 0
/// degrees of freedom: 1 − p/2 for t ≥ 0 and p/2 for t < 0 with p the
/// two-sided p-value of [`student_t_two_sided_p`]. `None` for NaN or df ≤ 0.
pub fn student_t_cdf(t: f64, df: f64) -> Option<f64> {
    let p = student_t_two_sided_p(t, df)?;
    Some(if t >= 0.0 { 1.0 - 0.5 * p } else { 0.5 * p })
}

// ---------------------------------------------------------------------------
// Moments
// ---------------------------------------------------------------------------

/// The mean and the central moments m2, m3, m4 (divisor n), two-pass.
fn central_moments(x: &[f64]) -> (f64, f64, f64, f64) {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let (mut m2, mut m3, mut m4) = (0.0, 0.0, 0.0);
    for &v in x {
        let d = v - mean;
        let d2 = d * d;
        m2 += d2;
        m3 += d2 * d;
        m4 += d2 * d2;
    }
    (mean, m2 / n, m3 / n, m4 / n)
}

/// Sample skewness g₁ = m3 / m2^(3/2) with m_k = (1/n) Σ (x − x̄)^k (the plain
/// moment estimator; Joanes & Gill 1998, "Comparing measures of sample skewness
/// and kurtosis", The Statistician 47, eq. g₁). `None` below 3 points or for
/// zero variance.
pub fn skewness(x: &[f64]) -> Option<f64> {
    if x.len() < 3 {
        return None;
    }
    let (_, m2, m3, _) = central_moments(x);
    (m2 > 0.0).then(|| m3 / (m2 * m2.sqrt()))
}

/// Sample excess kurtosis g₂ = m4 / m2² − 3 with m_k = (1/n) Σ (x − x̄)^k (the
/// plain moment estimator; Joanes & Gill 1998, eq. g₂). `None` below 4 points
/// or for zero variance.
pub fn excess_kurtosis(x: &[f64]) -> Option<f64> {
    if x.len() < 4 {
        return None;
    }
    let (_, m2, _, m4) = central_moments(x);
    (m2 > 0.0).then(|| m4 / (m2 * m2) - 3.0)
}

/// Bimodality coefficient BC = (G₁² + 1) / (G₂ + 3(n − 1)² / ((n − 2)(n − 3)))
/// with the sample-size-adjusted skewness G₁ = g₁·sqrt(n(n − 1)) / (n − 2) and
/// excess kurtosis G₂ = ((n + 1)g₂ + 6)(n − 1) / ((n − 2)(n − 3)) (SAS
/// Institute 1990; Pfister et al. 2013, "Good things peak in pairs: a note on
/// the bimodality coefficient", Frontiers in Psychology 4:700). BC > 5/9 (the
/// value for a uniform distribution) suggests bimodality. The denominator
/// equals (n² − 1)(g₂ + 3) / ((n − 2)(n − 3)), which is positive whenever the
/// variance is. `None` below 4 points or for zero variance.
pub fn bimodality_coefficient(x: &[f64]) -> Option<f64> {
    if x.len() < 4 {
        return None;
    }
    let (_, m2, m3, m4) = central_moments(x);
    if m2 <= 0.0 {
        return None;
    }
    let n = x.len() as f64;
    let g1 = m3 / (m2 * m2.sqrt());
    let g2 = m4 / (m2 * m2) - 3.0;
    let skew = g1 * (n * (n - 1.0)).sqrt() / (n - 2.0);
    let kurt = ((n + 1.0) * g2 + 6.0) * (n - 1.0) / ((n - 2.0) * (n - 3.0));
    Some((skew * skew + 1.0) / (kurt + 3.0 * (n - 1.0) * (n - 1.0) / ((n - 2.0) * (n - 3.0))))
}

// ---------------------------------------------------------------------------
// Tails and memory
// ---------------------------------------------------------------------------

/// Hill (1975) estimator of the tail index of |x|, "A simple general approach
/// to inference about the tail of a distribution", Annals of Statistics 3:
///
/// alpha = 1 / ((1/k) Σ_{i=1..k} ln(X₍ᵢ₎ / X₍ₖ₊₁₎)),
///
/// with X₍₁₎ ≥ X₍₂₎ ≥ … the values |x| in descending order: the k largest
/// values above the threshold X₍ₖ₊₁₎. k = max(⌈frac · n⌉, 2) with n = len x
/// (the caller gives frac, typically 0.05). Returns (alpha, k). `None` if fewer
/// than k + 1 values of |x| are positive (the threshold must be positive) or
/// the k largest all equal the threshold. O(n) by selection.
pub fn hill_tail_index(x: &[f64], frac: f64) -> Option<(f64, usize)> {
    let want = (frac * x.len() as f64).ceil();
    // NaN or negative frac → 0 → k = 2; a huge one saturates and fails below.
    let k = if want >= usize::MAX as f64 { usize::MAX } else { (want.max(0.0) as usize).max(2) };
    let mut a: Vec<f64> = x.iter().map(|v| v.abs()).filter(|v| *v > 0.0 && v.is_finite()).collect();
    if a.len() <= k {
        return None;
    }
    // Descending: after selection a[..k] are the k largest, a[k] is X₍ₖ₊₁₎.
    let (top, &mut threshold, _) = a.select_nth_unstable_by(k, |p, q| q.total_cmp(p));
    let ln_t = threshold.ln();
    let mean = top.iter().map(|v| v.ln() - ln_t).sum::<f64>() / k as f64;
    (mean > 0.0).then(|| (1.0 / mean, k))
}

/// Sample autocorrelation at lags 1..=max_lag by the standard (biased)
/// estimator r(l) = Σ_{t=0}^{n−1−l} (x_t − x̄)(x_{t+l} − x̄) / Σ_t (x_t − x̄)²
/// (Box & Jenkins 1976, eq. 2.1.12). Entry i is lag i + 1; `None` where
/// undefined: fewer than 2 points, zero variance, or lag ≥ n. O(n · max_lag).
pub fn acf(x: &[f64], max_lag: usize) -> Vec<Option<f64>> {
    let n = x.len();
    let mut out = vec![None; max_lag];
    if n < 2 {
        return out;
    }
    let mean = x.iter().sum::<f64>() / n as f64;
    let d: Vec<f64> = x.iter().map(|v| v - mean).collect();
    let denom: f64 = d.iter().map(|v| v * v).sum();
    if denom.is_nan() || denom <= 0.0 {
        return out;
    }
    for (i, slot) in out.iter_mut().enumerate().take(n - 1) {
        let lag = i + 1;
        let num: f64 = d[..n - lag].iter().zip(&d[lag..]).map(|(a, b)| a * b).sum();
        *slot = Some(num / denom);
    }
    out
}

/// Fits acf(l) ≈ c · l^(−exponent) by ordinary least squares of ln acf(l) on
/// ln l over the lags l (entry i is lag i + 1, as returned by [`acf`]) whose
/// autocorrelation is positive and finite. Returns (exponent, r²) with
/// r² = Sxy² / (Sxx · Syy) the squared correlation of the log-log points.
/// `None` with fewer than 3 such lags or when the log values are all equal
/// (r² undefined).
pub fn power_law_decay(acf: &[Option<f64>]) -> Option<(f64, f64)> {
    let points = || {
        acf.iter()
            .enumerate()
            .filter_map(|(i, a)| a.filter(|a| *a > 0.0 && a.is_finite()).map(|a| (((i + 1) as f64).ln(), a.ln())))
    };
    let (mut count, mut sx, mut sy) = (0usize, 0.0, 0.0);
    for (lx, ly) in points() {
        count += 1;
        sx += lx;
        sy += ly;
    }
    if count < 3 {
        return None;
    }
    let (mx, my) = (sx / count as f64, sy / count as f64);
    let (mut sxx, mut sxy, mut syy) = (0.0, 0.0, 0.0);
    for (lx, ly) in points() {
        let (dx, dy) = (lx - mx, ly - my);
        sxx += dx * dx;
        sxy += dx * dy;
        syy += dy * dy;
    }
    if sxx <= 0.0 || syy <= 0.0 {
        return None;
    }
    Some((-sxy / sxx, (sxy * sxy / (sxx * syy)).min(1.0)))
}

// ---------------------------------------------------------------------------
// Robust location and scale
// ---------------------------------------------------------------------------

/// The median of a scratch buffer (reordered), O(n) by selection; the mean of
/// the two middle values for even n. The buffer must not be empty.
fn median_in_place(a: &mut [f64]) -> f64 {
    let n = a.len();
    let (lower, &mut mid, _) = a.select_nth_unstable_by(n / 2, f64::total_cmp);
    if n % 2 == 1 {
        mid
    } else {
        // The largest of the lower half is the other middle value.
        let below = lower.iter().copied().max_by(f64::total_cmp).unwrap_or(mid);
        0.5 * (below + mid)
    }
}

/// Median and the median absolute deviation scaled by [`MAD_SCALE`] = 1.4826,
/// MAD = 1.4826 · median_i |x_i − median(x)| (Hampel 1974; consistent for the
/// standard deviation of a normal). For even n the median is the mean of the
/// two middle values. `None` for an empty slice. O(n) by selection.
pub fn median_mad(x: &[f64]) -> Option<(f64, f64)> {
    if x.is_empty() {
        return None;
    }
    let mut a = x.to_vec();
    let median = median_in_place(&mut a);
    for v in &mut a {
        *v = (*v - median).abs();
    }
    Some((median, MAD_SCALE * median_in_place(&mut a)))
}

/// Robust z-score (x − median) / mad, with `mad` the scaled MAD of
/// [`median_mad`]. `None` when the MAD is not positive and finite.
pub fn robust_z(x: f64, median: f64, mad: f64) -> Option<f64> {
    (mad > 0.0 && mad.is_finite()).then(|| (x - median) / mad)
}

// ---------------------------------------------------------------------------
// Herding
// ---------------------------------------------------------------------------

/// E|K/n − p| for K ~ Binomial(n, p), summing |k/n − p| times the pmf computed
/// in log space: ln pmf at the mode m = ⌊(n + 1)p⌋ from ln Γ, then outwards by
/// ln pmf(k + 1) − ln pmf(k) = ln((n − k)/(k + 1)) + ln(p/(1 − p)). The pmf is
/// log-concave, so each direction stops once the pmf falls below e⁻⁶⁰ of the
/// mode's: the terms left out sum to less than about 1e-27, far below the
/// precision of the result. O(min(n, 11·sqrt(np(1 − p)) + 60)); needs n > 0 and
/// 0 < p < 1.
fn binomial_mean_abs_dev_exact(n: u64, p: f64) -> f64 {
    const CUT: f64 = 60.0;
    let nf = n as f64;
    let (lp, lq) = (p.ln(), (-p).ln_1p());
    let ln_odds = lp - lq;
    let m = (((nf + 1.0) * p).floor() as u64).min(n);
    let mf = m as f64;
    let ln_mode = ln_gamma(nf + 1.0) - ln_gamma(mf + 1.0) - ln_gamma(nf - mf + 1.0) + mf * lp + (nf - mf) * lq;
    let term = |k: u64, ln_pmf: f64| ln_pmf.exp() * (k as f64 / nf - p).abs();
    let mut sum = term(m, ln_mode);
    let mut ln_pmf = ln_mode;
    for k in m..n {
        ln_pmf += ((n - k) as f64 / (k + 1) as f64).ln() + ln_odds;
        if ln_pmf < ln_mode - CUT {
            break;
        }
        sum += term(k + 1, ln_pmf);
    }
    let mut ln_pmf = ln_mode;
    for k in (1..=m).rev() {
        ln_pmf += (k as f64 / (n - k + 1) as f64).ln() - ln_odds;
        if ln_pmf < ln_mode - CUT {
            break;
        }
        sum += term(k - 1, ln_pmf);
    }
    sum
}

/// The normal approximation of E|K/n − p|, K ~ Binomial(n, p):
/// sqrt(2/π) · sqrt(p(1 − p)/n) (the mean absolute deviation of a normal).
fn binomial_mean_abs_dev_normal(n: u64, p: f64) -> f64 {
    (2.0 / PI).sqrt() * (p * (1.0 - p) / n as f64).sqrt()
}

/// Lakonishok, Shleifer & Vishny (1992), "The impact of institutional trading
/// on stock prices", Journal of Financial Economics 32, herding measure for one
/// period:
///
/// H = |p − p̄| − E|p − p̄|,
///
/// p = buyers / (buyers + sellers), p̄ the expected share of buyers (over all
/// periods), and the adjustment factor E|p − p̄| taken under
/// buyers ~ Binomial(buyers + sellers, p̄). It is computed exactly (the sum over
/// k of the pmf computed in log space, negligible tails dropped) for
/// n = buyers + sellers ≤ [`LSV_EXACT_MAX_N`] and by the normal approximation
/// sqrt(2/π)·sqrt(p̄(1 − p̄)/n) above. For p̄ = 0 or 1 the expectation is 0. `None` when buyers + sellers = 0 or p̄ is outside
/// [0, 1].
pub fn lsv(buyers: u64, sellers: u64, p_bar: f64) -> Option<f64> {
    let n = buyers.checked_add(sellers)?;
    if n == 0 || !(0.0..=1.0).contains(&p_bar) {
        return None;
    }
    let p = buyers as f64 / n as f64;
    let expected = if p_bar == 0.0 || p_bar == 1.0 {
        0.0
    } else if n <= LSV_EXACT_MAX_N {
        binomial_mean_abs_dev_exact(n, p_bar)
    } else {
        binomial_mean_abs_dev_normal(n, p_bar)
    };
    Some((p - p_bar).abs() - expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-12)
    }

    fn near(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    /// A fixed pseudo-random sequence in [0, 1) (64-bit LCG, Knuth's MMIX
    /// constants), for property-style checks without a generator dependency.
    fn uniforms(seed: u64, n: usize) -> Vec<f64> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                (s >> 11) as f64 / (1u64 << 53) as f64
            })
            .collect()
    }

    // --- correlation -------------------------------------------------------

    #[test]
    fn a_constant_series_has_no_correlation_even_when_its_mean_is_inexact() {
        let rate = [0.0435; 7];
        assert_eq!(pearson(&rate, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]), None);
        assert_eq!(pearson_stat(&rate, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]), None);
    }

    #[test]
    fn pearson_matches_a_hand_computation() {
        // x = 1..5, y = 2,4,5,4,5: sxy = 6, sxx = 10, syy = 6 -> r = 6 / sqrt(60)
        let r = pearson(&[1.0, 2.0, 3.0, 4.0, 5.0], &[2.0, 4.0, 5.0, 4.0, 5.0]);
        assert!(close(r, 6.0 / 60f64.sqrt()));
        assert_eq!(pearson(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]), None);
        assert_eq!(pearson(&[1.0, 2.0], &[1.0, 2.0]), None);
    }

    #[test]
    fn spearman_averages_tied_ranks() {
        assert_eq!(average_ranks(&[10.0, 20.0, 20.0, 30.0]), vec![1.0, 2.5, 2.5, 4.0]);
        // Monotone but not linear: rho = 1.
        assert!(close(spearman(&[1.0, 2.0, 3.0, 4.0], &[1.0, 8.0, 27.0, 64.0]), 1.0));
        // y ranks 2,4,5,4,5 -> 1, 2.5, 4.5, 2.5, 4.5 against 1..5:
        // sxy = 7, sxx = 10, syy = 9 -> rho = 7 / sqrt(90).
        assert!(close(spearman(&[1.0, 2.0, 3.0, 4.0, 5.0], &[2.0, 4.0, 5.0, 4.0, 5.0]), 7.0 / 90f64.sqrt()));
    }

    #[test]
    fn pearson_stat_interval_and_p_value_by_hand() {
        // x = 1..5, y = 2,1,4,3,5: deviations -2..2 and -1,-2,1,0,2:
        // sxy = 2 + 2 + 0 + 0 + 4 = 8, sxx = syy = 10 -> r = 0.8.
        let s = pearson_stat(&[1.0, 2.0, 3.0, 4.0, 5.0], &[2.0, 1.0, 4.0, 3.0, 5.0]).unwrap();
        assert!(near(s.r, 0.8, 1e-15));
        assert_eq!(s.n, 5);
        // atanh(0.8) = ln(1.8/0.2)/2 = ln 3, SE = 1/sqrt(2), a = Z95/sqrt(2);
        // tanh(ln 3 ± a) = (9 e^{±2a} − 1) / (9 e^{±2a} + 1).
        let e = (2.0 * Z95 / 2f64.sqrt()).exp();
        assert!(near(s.ci_lo, (9.0 / e - 1.0) / (9.0 / e + 1.0), 1e-13));
        assert!(near(s.ci_hi, (9.0 * e - 1.0) / (9.0 * e + 1.0), 1e-13));
        assert!(near(s.ci_lo, -0.279_640_041_969_355, 1e-13) && near(s.ci_hi, 0.986_196_193_301_271, 1e-13));
        // t = 0.8 sqrt(3 / 0.36) = 4/sqrt(3), df = 3. With tan θ = t/sqrt(df) = 4/3
        // (sin θ = 4/5, cos θ = 3/5), A&S 26.7.3 for df = 3 gives
        // p = 1 − (2/π)(θ + sin θ cos θ) = 1 − (2/π)(atan(4/3) + 12/25) = 0.104088…
        let p = 1.0 - 2.0 / PI * ((4.0f64 / 3.0).atan() + 12.0 / 25.0);
        assert!(near(s.p_value, p, 1e-12), "{} vs {p}", s.p_value);
        assert!(near(p, 0.104_088_038_661_828, 1e-14));
    }

    #[test]
    fn spearman_stat_on_a_tied_table_by_hand() {
        // x = 1,1,2,3,4,4 -> ranks 1.5,1.5,3,4,5.5,5.5; y = 1,2,2,3,3,5 -> ranks
        // 1,2.5,2.5,4.5,4.5,6. Both mean 3.5; deviations -2,-2,-.5,.5,2,2 and
        // -2.5,-1,-1,1,1,2.5: sxy = 5+2+.5+.5+2+5 = 15, sxx = syy = 16.5
        // -> rho = 15/16.5 = 10/11.
        let (x, y) = ([1.0, 1.0, 2.0, 3.0, 4.0, 4.0], [1.0, 2.0, 2.0, 3.0, 3.0, 5.0]);
        let s = spearman_stat(&x, &y).unwrap();
        assert!(near(s.r, 10.0 / 11.0, 1e-15));
        assert_eq!(s.n, 6);
        // atanh(10/11) = ln(21)/2; SE = sqrt(1.06/3); tanh(ln(21)/2 ± a) =
        // (21 e^{±2a} − 1)/(21 e^{±2a} + 1).
        let e = (2.0 * Z95 * (1.06f64 / 3.0).sqrt()).exp();
        assert!(near(s.ci_lo, (21.0 / e - 1.0) / (21.0 / e + 1.0), 1e-13));
        assert!(near(s.ci_hi, (21.0 * e - 1.0) / (21.0 * e + 1.0), 1e-13));
        // t = (10/11) sqrt(4 / (21/121)) = 20/sqrt(21), df = 4: sin θ = 10/11,
        // cos² θ = 21/121; A&S 26.7.3 for df = 4: p = 1 − sin θ (1 + cos² θ / 2)
        // = 1 − (10/11)(263/242) = 32/2662 = 16/1331.
        assert!(near(s.p_value, 16.0 / 1331.0, 1e-13), "{}", s.p_value);
        // Pearson on the same ranks: same r and p, interval with SE 1/sqrt(3).
        let p = pearson_stat(&average_ranks(&x), &average_ranks(&y)).unwrap();
        let e = (2.0 * Z95 / 3f64.sqrt()).exp();
        assert!(near(p.r, s.r, 1e-15) && near(p.p_value, s.p_value, 1e-15));
        assert!(near(p.ci_lo, (21.0 / e - 1.0) / (21.0 / e + 1.0), 1e-13));
        assert!(near(p.ci_hi, (21.0 * e - 1.0) / (21.0 * e + 1.0), 1e-13));
    }

    #[test]
    fn spearman_stat_untied_table() {
        // Ranks equal the values: rho = r = 0.8 (see the Pearson test); SE = sqrt(0.53).
        let s = spearman_stat(&[1.0, 2.0, 3.0, 4.0, 5.0], &[2.0, 1.0, 4.0, 3.0, 5.0]).unwrap();
        assert!(near(s.r, 0.8, 1e-15));
        let e = (2.0 * Z95 * 0.53f64.sqrt()).exp();
        assert!(near(s.ci_lo, (9.0 / e - 1.0) / (9.0 / e + 1.0), 1e-13));
        assert!(near(s.ci_hi, (9.0 * e - 1.0) / (9.0 * e + 1.0), 1e-13));
        assert!(near(s.p_value, 1.0 - 2.0 / PI * ((4.0f64 / 3.0).atan() + 12.0 / 25.0), 1e-12));
    }

    #[test]
    fn correlation_stats_edge_cases() {
        let (a, b) = ([1.0, 2.0, 3.0], [3.0, 1.0, 2.0]);
        assert_eq!(pearson_stat(&a, &b), None);
        assert_eq!(spearman_stat(&a, &b), None);
        assert_eq!(pearson_stat(&[], &[]), None);
        assert_eq!(spearman_stat(&[1.0; 6], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]), None);
        // Perfect correlation: degenerate interval and p = 0.
        let s = pearson_stat(&[1.0, 2.0, 3.0, 4.0, 5.0], &[2.0, 4.0, 6.0, 8.0, 10.0]).unwrap();
        assert_eq!((s.r, s.ci_lo, s.ci_hi, s.p_value), (1.0, 1.0, 1.0, 0.0));
        let s = spearman_stat(&[1.0, 2.0, 3.0, 4.0, 5.0], &[5.0, 4.0, 3.0, 2.0, 1.0]).unwrap();
        assert_eq!((s.r, s.ci_lo, s.ci_hi, s.p_value), (-1.0, -1.0, -1.0, 0.0));
        // Unequal lengths use the common prefix.
        let s = pearson_stat(&[1.0, 2.0, 3.0, 4.0, 5.0, 99.0], &[2.0, 1.0, 4.0, 3.0, 5.0]).unwrap();
        assert_eq!(s.n, 5);
        assert!(near(s.r, 0.8, 1e-15));
    }

    #[test]
    fn correlation_interval_contains_r_and_p_is_a_probability() {
        for seed in 0..50 {
            let n = 4 + (seed as usize % 40);
            let u = uniforms(seed, 2 * n);
            let (x, y) = u.split_at(n);
            let y: Vec<f64> = y.iter().zip(x).map(|(a, b)| a + 0.5 * b).collect();
            for s in [pearson_stat(x, &y).unwrap(), spearman_stat(x, &y).unwrap()] {
                assert!(s.ci_lo <= s.r && s.r <= s.ci_hi, "{s:?}");
                assert!((-1.0..=1.0).contains(&s.ci_lo) && (-1.0..=1.0).contains(&s.ci_hi));
                assert!((0.0..=1.0).contains(&s.p_value), "{s:?}");
            }
        }
    }

    #[test]
    fn cross_correlation_peaks_at_the_delay_of_y() {
        // y_t = x_{t−3}: x_t pairs with y_{t+3} exactly, so the peak is lag +3.
        let x: Vec<f64> = uniforms(7, 200);
        let y: Vec<f64> = (0..200).map(|t| if t >= 3 { x[t - 3] } else { 0.5 }).collect();
        let cc = cross_correlation(&x, &y, 5);
        assert_eq!(cc.len(), 11);
        let (best, _) = cc.iter().enumerate().map(|(i, v)| (i, v.unwrap())).max_by(|a, b| a.1.total_cmp(&b.1)).unwrap();
        assert_eq!(best as i64 - 5, 3);
        assert!(close(cc[5 + 3], 1.0));
        // Lag 0 is plain Pearson; swapping x and y mirrors the lags.
        assert_eq!(cc[5], pearson(&x, &y));
        let back = cross_correlation(&y, &x, 5);
        for i in 0..11 {
            assert!(near(back[i].unwrap(), cc[10 - i].unwrap(), 1e-12));
        }
    }

    #[test]
    fn cross_correlation_by_hand_and_undefined_lags() {
        // x = 1,2,3,4,5, y = 1,3,2,5,4. Lag +1 pairs (x_t, y_{t+1}) = (1,3),(2,2),
        // (3,5),(4,4): x dev -1.5,-.5,.5,1.5, y mean 3.5, dev -.5,-1.5,1.5,.5:
        // sxy = .75+.75+.75+.75 = 3, sxx = syy = 5 -> 0.6.
        // Lag −1 pairs (x_{t}, y_{t−1}) = (2,1),(3,3),(4,2),(5,5): y mean 2.75,
        // dev -1.75,.25,-.75,2.25: sxy = 2.625−.125−.375+3.375 = 5.5, syy = 8.75
        // -> 5.5 / sqrt(5 · 8.75).
        let cc = cross_correlation(&[1.0, 2.0, 3.0, 4.0, 5.0], &[1.0, 3.0, 2.0, 5.0, 4.0], 4);
        assert_eq!(cc.len(), 9);
        assert!(close(cc[5], 0.6));
        assert!(close(cc[3], 5.5 / (5.0f64 * 8.75).sqrt()));
        // Lags ±3 and ±4 leave fewer than 3 pairs.
        assert_eq!((cc[0], cc[1], cc[7], cc[8]), (None, None, None, None));
        assert_eq!(cross_correlation(&[], &[], 2), vec![None; 5]);
        assert_eq!(cross_correlation(&[1.0, 2.0, 3.0], &[1.0, 2.0, 3.0], 0), vec![Some(1.0)]);
    }

    // --- Wilson ------------------------------------------------------------

    #[test]
    fn wilson_by_hand() {
        let z2 = Z95 * Z95; // 3.841458820694124
        // k = 0: the lower end is 0 and the upper z²/(n + z²) = 3.8415/13.8415.
        let (lo, hi) = wilson(0, 10, Z95).unwrap();
        assert_eq!(lo, 0.0);
        assert!(near(hi, z2 / (10.0 + z2), 1e-15));
        assert!(near(hi, 0.277_53, 1e-5));
        // k = n mirrors it.
        let (lo, hi) = wilson(10, 10, Z95).unwrap();
        assert!(near(lo, 10.0 / (10.0 + z2), 1e-15));
        assert!(near(lo, 0.722_47, 1e-5));
        assert_eq!(hi, 1.0);
        // k = 5, n = 10: (10 + z² ± z sqrt(z² + 10)) / (2(10 + z²))
        // = (13.841459 ± 7.291873) / 27.682918 = 0.236593, 0.763407.
        let (lo, hi) = wilson(5, 10, Z95).unwrap();
        let half = Z95 * (z2 + 10.0).sqrt() / (2.0 * (10.0 + z2));
        assert!(near(lo, 0.5 - half, 1e-15) && near(hi, 0.5 + half, 1e-15));
        assert!(near(lo, 0.236_593, 1e-6) && near(hi, 0.763_407, 1e-6));
        assert_eq!(wilson(0, 0, Z95), None);
        assert_eq!(wilson(3, 2, Z95), None);
        assert_eq!(wilson(1, 2, f64::NAN), None);
    }

    #[test]
    fn wilson_contains_the_proportion_and_is_symmetric() {
        for n in 1..60u64 {
            for k in 0..=n {
                let (lo, hi) = wilson(k, n, Z95).unwrap();
                let p = k as f64 / n as f64;
                assert!(0.0 <= lo && lo <= p && p <= hi && hi <= 1.0);
                let (lo2, hi2) = wilson(n - k, n, Z95).unwrap();
                assert!(near(lo, 1.0 - hi2, 1e-12) && near(hi, 1.0 - lo2, 1e-12));
            }
        }
    }

    // --- special functions ---------------------------------------------------

    #[test]
    fn ln_gamma_known_values() {
        assert!(near(ln_gamma(1.0), 0.0, 1e-15));
        assert!(near(ln_gamma(2.0), 0.0, 1e-15));
        assert!(near(ln_gamma(0.5), PI.sqrt().ln(), 1e-14));
        assert!(near(ln_gamma(0.25), 3.625_609_908_221_908_f64.ln(), 1e-14));
        // ln(9!) = ln 362880.
        assert!(near(ln_gamma(10.0), 362_880f64.ln(), 1e-13));
        // ln(99!) = 359.13420536957540.
        assert!(near(ln_gamma(100.0), 359.134_205_369_575_4, 1e-11));
        assert!(ln_gamma(0.0).is_nan() && ln_gamma(-1.0).is_nan());
    }

    #[test]
    fn ln_beta_against_closed_forms() {
        // B(1/2, 1/2) = π; B(a, 1) = 1/a; B(3, 4) = 2!·3!/6! = 1/60;
        // B(12, 15) = 11!·14!/26!; B(1/2, 1/2 + m) = π (2m)! / (4^m (m!)²) for m = 20.
        assert!(near(ln_beta(0.5, 0.5), PI.ln(), 1e-15));
        assert!(near(ln_beta(3.0, 4.0), -(60f64.ln()), 1e-14));
        for a in [2.0, 9.5, 10.0, 37.0, 1e3, 1e6, 1e9] {
            assert!(near(ln_beta(a, 1.0), -a.ln(), 1e-14 * a.ln().abs().max(1.0)), "a {a}");
            assert!(near(ln_beta(1.0, a), -a.ln(), 1e-14 * a.ln().abs().max(1.0)), "a {a}");
        }
        let f = |n: u32| (1..=n).map(|i| f64::from(i).ln()).sum::<f64>();
        assert!(near(ln_beta(12.0, 15.0), f(11) + f(14) - f(26), 1e-12));
        let c = PI.ln() + f(40) - 20.0 * 4f64.ln() - 2.0 * f(20);
        assert!(near(ln_beta(0.5, 20.5), c, 1e-13));
        // Continuity across the branch at 10.
        assert!(near(ln_beta(0.5, 10.0 - 1e-12), ln_beta(0.5, 10.0), 1e-12));
        assert!(near(ln_beta(10.0 - 1e-12, 10.0), ln_beta(10.0, 10.0), 1e-12));
        assert!(ln_beta(0.0, 1.0).is_nan() && ln_beta(f64::NAN, 1.0).is_nan());
    }

    #[test]
    fn incomplete_beta_closed_forms() {
        for &x in &[0.0, 0.01, 0.2, 0.5, 0.77, 0.99, 1.0] {
            // I_x(1, b) = 1 − (1 − x)^b; I_x(a, 1) = x^a; I_x(1/2, 1/2) = (2/π) asin(sqrt x).
            assert!(near(reg_inc_beta(x, 1.0, 3.5).unwrap(), 1.0 - (1.0f64 - x).powf(3.5), 1e-14));
            assert!(near(reg_inc_beta(x, 2.5, 1.0).unwrap(), x.powf(2.5), 1e-14));
            assert!(near(reg_inc_beta(x, 0.5, 0.5).unwrap(), 2.0 / PI * x.sqrt().asin(), 1e-14));
            // Symmetry I_x(a, b) = 1 − I_{1−x}(b, a).
            let (a, b) = (reg_inc_beta(x, 7.0, 2.5).unwrap(), reg_inc_beta(1.0 - x, 2.5, 7.0).unwrap());
            assert!(near(a, 1.0 - b, 1e-14));
        }
        assert_eq!(reg_inc_beta(1.5, 1.0, 1.0), None);
        assert_eq!(reg_inc_beta(0.5, 0.0, 1.0), None);
        assert_eq!(reg_inc_beta(f64::NAN, 1.0, 1.0), None);
    }

    #[test]
    fn student_t_against_tables_and_closed_forms() {
        // Two-sided p-values (tables; checked with mpmath.betainc to 1e-15).
        let table = [
            (2.0, 10.0, 0.073_388_034_770_740_37),
            (2.228_138_851_986_274, 10.0, 0.05),
            (3.169_272_672_616_953, 10.0, 0.01),
            (2.570_581_835_636_314, 5.0, 0.05),
            (12.706_204_736_174_71, 1.0, 0.05),
            (2.042_272_456_301_238, 30.0, 0.05),
            // Nearly normal: the 97.5% normal quantile.
            (Z95, 1e6, 0.050_000_277_295_221_67),
        ];
        for (t, df, p) in table {
            let got = student_t_two_sided_p(t, df).unwrap();
            assert!(near(got, p, 1e-12), "t {t} df {df}: {got} vs {p}");
            assert!(near(student_t_two_sided_p(-t, df).unwrap(), p, 1e-12));
            assert!(near(student_t_cdf(t, df).unwrap(), 1.0 - p / 2.0, 1e-12));
            assert!(near(student_t_cdf(-t, df).unwrap(), p / 2.0, 1e-12));
        }
        for &t in &[0.1, 0.5, 1.0, 3.0, 30.0] {
            // df = 1 (Cauchy): p = 1 − (2/π) atan|t|; df = 2: p = 1 − t/sqrt(2 + t²).
            let t: f64 = t;
            assert!(near(student_t_two_sided_p(t, 1.0).unwrap(), 1.0 - 2.0 / PI * t.atan(), 1e-14));
            assert!(near(student_t_two_sided_p(t, 2.0).unwrap(), 1.0 - t / (2.0 + t * t).sqrt(), 1e-14));
        }
        assert_eq!(student_t_two_sided_p(0.0, 5.0), Some(1.0));
        assert_eq!(student_t_two_sided_p(f64::INFINITY, 5.0), Some(0.0));
        assert_eq!(student_t_two_sided_p(1.0, 0.0), None);
        assert_eq!(student_t_two_sided_p(f64::NAN, 3.0), None);
    }

    // --- moments -------------------------------------------------------------

    #[test]
    fn moments_by_hand() {
        // 1..5: mean 3, deviations -2..2: m2 = 10/5 = 2, m3 = 0, m4 = 34/5 = 6.8
        // -> skew 0, excess kurtosis 6.8/4 − 3 = −1.3.
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert!(close(skewness(&x), 0.0));
        assert!(close(excess_kurtosis(&x), -1.3));
        // 0,0,0,1: mean 1/4, deviations −1/4 (×3), 3/4: m2 = 3/16, m3 = 3/32,
        // m4 = 21/256 -> skew (3/32)/(3/16)^1.5 = 2/sqrt(3), kurtosis 7/3 − 3 = −2/3
        // (Bernoulli(1/4): (1 − 2p)/sqrt(pq) and (1 − 6pq)/(pq)).
        let x = [0.0, 0.0, 0.0, 1.0];
        assert!(close(skewness(&x), 2.0 / 3f64.sqrt()));
        assert!(close(excess_kurtosis(&x), -2.0 / 3.0));
        // Shift and scale invariant; sign of skew flips with the data.
        let y: Vec<f64> = x.iter().map(|v| 1000.0 - 3.0 * v).collect();
        assert!(close(skewness(&y), -2.0 / 3f64.sqrt()));
        assert!(close(excess_kurtosis(&y), -2.0 / 3.0));
        assert_eq!(skewness(&[1.0, 2.0]), None);
        assert_eq!(skewness(&[2.0; 5]), None);
        assert_eq!(excess_kurtosis(&[1.0, 2.0, 3.0]), None);
        assert_eq!(excess_kurtosis(&[2.0; 5]), None);
        assert_eq!(excess_kurtosis(&[]), None);
    }

    #[test]
    fn bimodality_coefficient_by_hand() {
        // 1..5: G1 = 0; G2 = ((6)(−1.3) + 6)·4/(3·2) = −1.2; 3·16/6 = 8
        // -> BC = 1/6.8 = 5/34.
        assert!(close(bimodality_coefficient(&[1.0, 2.0, 3.0, 4.0, 5.0]), 5.0 / 34.0));
        // 0,0,0,1 (n = 4): G1 = (2/sqrt 3)·sqrt(12)/2 = 2; G2 = (5(−2/3) + 6)·3/2 = 4;
        // 3·9/2 = 13.5 -> BC = (4 + 1)/17.5 = 2/7.
        assert!(close(bimodality_coefficient(&[0.0, 0.0, 0.0, 1.0]), 2.0 / 7.0));
        // Five 0s and five 1s: g1 = 0, g2 = −2, so the denominator is
        // (n² − 1)(g2 + 3)/((n − 2)(n − 3)) = 99/56 -> BC = 56/99 > 5/9.
        let two_peaks = [0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0];
        let bc = bimodality_coefficient(&two_peaks).unwrap();
        assert!(near(bc, 56.0 / 99.0, 1e-12) && bc > 5.0 / 9.0);
        assert_eq!(bimodality_coefficient(&[1.0, 2.0, 3.0]), None);
        assert_eq!(bimodality_coefficient(&[4.0; 8]), None);
    }

    // --- tails and memory ----------------------------------------------------

    #[test]
    fn hill_by_hand() {
        // |x| = 8, 4, 2, 1, 0.5 and five zeros (n = 10). frac 0.05 -> ⌈0.5⌉ = 1 -> k = 2:
        // threshold 2, mean(ln 4, ln 2) = 1.5 ln 2 -> alpha = 1/(1.5 ln 2).
        let x = [0.5, -8.0, 0.0, 4.0, 0.0, 2.0, 0.0, -1.0, 0.0, 0.0];
        let (alpha, k) = hill_tail_index(&x, 0.05).unwrap();
        assert_eq!(k, 2);
        assert!(near(alpha, 1.0 / (1.5 * 2f64.ln()), 1e-14));
        // frac 0.3 -> k = 3: threshold 1, mean(ln 8, ln 4, ln 2) = 2 ln 2.
        let (alpha, k) = hill_tail_index(&x, 0.3).unwrap();
        assert_eq!(k, 3);
        assert!(near(alpha, 1.0 / (2.0 * 2f64.ln()), 1e-14));
        // frac 0.5 -> k = 5 needs 6 positive values; there are 5.
        assert_eq!(hill_tail_index(&x, 0.5), None);
        assert_eq!(hill_tail_index(&[], 0.05), None);
        assert_eq!(hill_tail_index(&[1.0, 2.0], 0.05), None);
        // Ties at the threshold: no spread, no estimate.
        assert_eq!(hill_tail_index(&[3.0; 10], 0.05), None);
        assert!(hill_tail_index(&x, f64::NAN).is_some_and(|(_, k)| k == 2));
        assert_eq!(hill_tail_index(&x, f64::INFINITY), None);
    }

    #[test]
    fn hill_recovers_a_pareto_tail() {
        // Exact quantiles of Pareto(x_m = 1, alpha = 3): X = (1 − u)^(−1/alpha),
        // u = (i − 1/2)/n, with random signs; k = 500 of n = 10000.
        let alpha = 3.0;
        let n = 10_000;
        let x: Vec<f64> = (0..n)
            .map(|i| {
                let u = (i as f64 + 0.5) / n as f64;
                let v = (1.0 - u).powf(-1.0 / alpha);
                if i % 3 == 0 { -v } else { v }
            })
            .collect();
        let (est, k) = hill_tail_index(&x, 0.05).unwrap();
        assert_eq!(k, 500);
        assert!(near(est, alpha, 0.01 * alpha), "alpha {est}");
    }

    #[test]
    fn acf_by_hand() {
        // Alternating ±1 (n = 10): mean 0, Σd² = 10; lag 1: 9 products of −1 -> −0.9;
        // lag 2: 8 of +1 -> 0.8.
        let x: Vec<f64> = (0..10).map(|t| if t % 2 == 0 { 1.0 } else { -1.0 }).collect();
        let r = acf(&x, 2);
        assert!(close(r[0], -0.9) && close(r[1], 0.8));
        // 1..5: deviations −2..2, Σd² = 10; lag 1: 2 + 0 + 0 + 2 = 4; lag 2: 0 − 1 + 0 = −1;
        // lag 3: −2 − 2 = −4; lag 4: −4; lag 5: no pairs.
        let r = acf(&[1.0, 2.0, 3.0, 4.0, 5.0], 5);
        assert!(close(r[0], 0.4) && close(r[1], -0.1) && close(r[2], -0.4) && close(r[3], -0.4));
        assert_eq!(r[4], None);
        assert_eq!(acf(&[], 3), vec![None; 3]);
        assert_eq!(acf(&[2.0; 6], 2), vec![None; 2]);
        assert_eq!(acf(&[1.0, 2.0], 0), vec![]);
    }

    #[test]
    fn power_law_fit_recovers_an_exact_power_law() {
        // acf(l) = 0.4 l^(−0.3), with some lags missing or negative (skipped).
        let mut a: Vec<Option<f64>> = (1..=50).map(|l| Some(0.4 * (l as f64).powf(-0.3))).collect();
        a[3] = None;
        a[10] = Some(-0.05);
        a[11] = Some(0.0);
        let (exponent, r2) = power_law_decay(&a).unwrap();
        assert!(near(exponent, 0.3, 1e-12) && near(r2, 1.0, 1e-12));
        // Hand table: lags 1, 2, 4 with 1, 1/4, 1/16 lie on l^(−2).
        let (exponent, r2) = power_law_decay(&[Some(1.0), Some(0.25), None, Some(1.0 / 16.0)]).unwrap();
        assert!(near(exponent, 2.0, 1e-14) && near(r2, 1.0, 1e-14));
        // Hand table off the line: ln a = 0, 0, −2u at ln l = 0, u, 2u (u = ln 2):
        // x̄ = u, ȳ = −2u/3; dx = −u, 0, u; dy = 2u/3, 2u/3, −4u/3; Sxx = 2u²,
        // Sxy = −2u²/3 − 4u²/3 = −2u² (slope −1), Syy = 24u²/9
        // -> r² = 4u⁴ / (2u² · 24u²/9) = 3/4.
        let (exponent, r2) = power_law_decay(&[Some(1.0), Some(1.0), None, Some(0.25)]).unwrap();
        assert!(near(exponent, 1.0, 1e-14) && near(r2, 0.75, 1e-14));
        assert_eq!(power_law_decay(&[Some(0.5), Some(0.2), Some(-0.1), None]), None);
        assert_eq!(power_law_decay(&[Some(0.3); 5]), None);
        assert_eq!(power_law_decay(&[]), None);
    }

    // --- robust location and scale -----------------------------------------------

    #[test]
    fn median_mad_by_hand() {
        // 1.0,1.1,1.2,1.3,10.0: median 1.2; |deviations| .2,.1,0,.1,8.8 -> median .1.
        let (m, mad) = median_mad(&[1.0, 1.1, 1.2, 1.3, 10.0]).unwrap();
        assert!(near(m, 1.2, 1e-15) && near(mad, 0.14826, 1e-12));
        // Even n: 4, 1, 3, 2, 8, 6 -> sorted 1,2,3,4,6,8, median 3.5; |dev| 2.5,1.5,.5,.5,2.5,4.5
        // -> sorted .5,.5,1.5,2.5,2.5,4.5, median 2 -> MAD 2.9652.
        let (m, mad) = median_mad(&[4.0, 1.0, 3.0, 2.0, 8.0, 6.0]).unwrap();
        assert_eq!(m, 3.5);
        assert!(near(mad, 2.0 * 1.4826, 1e-15));
        assert_eq!(median_mad(&[7.0]), Some((7.0, 0.0)));
        assert_eq!(median_mad(&[]), None);
        // Against a full sort on pseudo-random data.
        for n in 1..40 {
            let u = uniforms(n as u64, n);
            let mut s = u.clone();
            s.sort_by(f64::total_cmp);
            let med = if n % 2 == 1 { s[n / 2] } else { 0.5 * (s[n / 2 - 1] + s[n / 2]) };
            let mut d: Vec<f64> = u.iter().map(|v| (v - med).abs()).collect();
            d.sort_by(f64::total_cmp);
            let md = if n % 2 == 1 { d[n / 2] } else { 0.5 * (d[n / 2 - 1] + d[n / 2]) };
            assert_eq!(median_mad(&u), Some((med, MAD_SCALE * md)));
        }
    }

    #[test]
    fn robust_z_by_hand() {
        assert!(close(robust_z(10.0, 1.2, 0.14826), 8.8 / 0.14826));
        assert_eq!(robust_z(3.0, 3.0, 2.0), Some(0.0));
        assert_eq!(robust_z(3.0, 1.0, 0.0), None);
        assert_eq!(robust_z(3.0, 1.0, f64::NAN), None);
    }

    // --- LSV -------------------------------------------------------------------

    /// De Moivre's closed form of the binomial mean absolute deviation:
    /// E|K − np| = 2 (m + 1) C(n, m + 1) p^(m+1) (1 − p)^(n−m) with m = ⌊np⌋
    /// (Diaconis & Zabell 1991, "Closed form summation for classical
    /// distributions"), divided by n.
    fn de_moivre(n: u64, p: f64) -> f64 {
        let (nf, m) = (n as f64, (n as f64 * p).floor());
        let ln_c = ln_gamma(nf + 1.0) - ln_gamma(m + 2.0) - ln_gamma(nf - m);
        2.0 * (m + 1.0) * (ln_c + (m + 1.0) * p.ln() + (nf - m) * (1.0 - p).ln()).exp() / nf
    }

    #[test]
    fn lsv_exact_expectation_by_hand() {
        // n = 2, p̄ = 1/2: K = 0, 1, 2 w.p. 1/4, 1/2, 1/4; |K/2 − 1/2| = 1/2, 0, 1/2
        // -> E = 1/4. Both buy: 1/2 − 1/4 = 1/4; one each: 0 − 1/4.
        assert!(close(lsv(2, 0, 0.5), 0.25));
        assert!(close(lsv(0, 2, 0.5), 0.25));
        assert!(close(lsv(1, 1, 0.5), -0.25));
        // n = 3, p̄ = 1/3: pmf 8/27, 12/27, 6/27, 1/27; |K/3 − 1/3| = 1/3, 0, 1/3, 2/3
        // -> E = (8 + 6 + 2)/81 = 16/81; all buy: 2/3 − 16/81 = 38/81.
        assert!(close(lsv(3, 0, 1.0 / 3.0), 38.0 / 81.0));
        assert!(close(lsv(1, 2, 1.0 / 3.0), -16.0 / 81.0));
        // n = 1: E|K − p| = 2p(1 − p).
        assert!(close(lsv(1, 0, 0.3), 0.7 - 0.42));
        // Degenerate p̄: no sampling spread.
        assert_eq!(lsv(3, 1, 0.0), Some(0.75));
        assert_eq!(lsv(3, 1, 1.0), Some(0.25));
        assert_eq!(lsv(0, 0, 0.5), None);
        assert_eq!(lsv(1, 1, 1.5), None);
        assert_eq!(lsv(1, 1, f64::NAN), None);
        assert_eq!(lsv(u64::MAX, 1, 0.5), None);
    }

    #[test]
    fn lsv_exact_sum_matches_de_moivre() {
        for &n in &[1u64, 2, 3, 7, 20, 101, 1000, 5000] {
            for &p in &[1e-6, 0.01, 0.1, 1.0 / 3.0, 0.5, 0.77, 0.999, 1.0 - 1e-9] {
                let (sum, closed) = (binomial_mean_abs_dev_exact(n, p), de_moivre(n, p));
                assert!(near(sum, closed, 1e-10 * closed.max(1e-300)), "n {n} p {p}: {sum} vs {closed}");
            }
        }
        assert!(near(de_moivre(3, 1.0 / 3.0), 16.0 / 81.0, 1e-15));
    }

    #[test]
    fn lsv_normal_approximation_is_close_at_5000() {
        for &p in &[0.1, 0.3, 0.5, 0.8] {
            let (exact, normal) = (binomial_mean_abs_dev_exact(5000, p), binomial_mean_abs_dev_normal(5000, p));
            assert!(near(exact, normal, 2e-3 * exact), "p {p}: {exact} vs {normal}");
        }
        // Above the cut-off lsv uses the approximation: 5001 traders, p̄ = 1/2,
        // sqrt(2/π)·sqrt(0.25/5001).
        let e = (2.0 / PI).sqrt() * (0.25f64 / 5001.0).sqrt();
        assert!(close(lsv(2501, 2500, 0.5), (2501.0f64 / 5001.0 - 0.5).abs() - e));
    }

    #[test]
    fn nothing_panics_on_degenerate_inputs() {
        let inputs: [&[f64]; 5] = [&[], &[1.0], &[1.0, 1.0], &[0.0; 7], &[f64::INFINITY, 1.0, 2.0, 3.0]];
        for x in inputs {
            let _ = (pearson_stat(x, x), spearman_stat(x, x), cross_correlation(x, x, 3));
            let _ = (excess_kurtosis(x), skewness(x), bimodality_coefficient(x), hill_tail_index(x, 0.05));
            let _ = (acf(x, 3), median_mad(x), spearman(x, x), pearson(x, x));
        }
        let _ = power_law_decay(&[Some(f64::INFINITY), Some(f64::NAN), Some(1.0), Some(0.5)]);
        let _ = wilson(u64::MAX, u64::MAX, Z95);
        let _ = lsv(u64::MAX / 2, u64::MAX / 2, 0.5);
    }
}
