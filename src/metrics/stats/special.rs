//! The special functions behind the p-values: log-gamma, log-beta, the
//! regularized incomplete beta function and the Student t distribution,
//! implemented here (no numerics dependency) and exposed for reuse.

use std::f64::consts::PI;

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
    // Iterations needed grow like sqrt(max(a, b)); this bound is generous.
    let max_iter = 200 + (10.0 * a.max(b).sqrt()).min(1e7) as usize;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 / away_from_zero(1.0 - qab * x / qap);
    let mut h = d;
    for m in 1..=max_iter {
        let m = m as f64;
        let m2 = 2.0 * m;
        // Even step.
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        h *= lentz_step(aa, &mut c, &mut d);
        // Odd step.
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        let del = lentz_step(aa, &mut c, &mut d);
        h *= del;
        if (del - 1.0).abs() < EPS {
            return Some(h);
        }
    }
    None
}

/// Values nearer 0 than this are replaced by it in the Lentz method, so that
/// no division is by (nearly) zero.
const FPMIN: f64 = 1e-300;

/// `v`, or [`FPMIN`] where `v` is nearer 0 than that.
#[inline]
fn away_from_zero(v: f64) -> f64 {
    if v.abs() < FPMIN { FPMIN } else { v }
}

/// One step of the modified Lentz method with the partial numerator `aa`:
/// updates `c` and `d` and returns the factor `c·d` the fraction's value is
/// multiplied by.
#[inline]
fn lentz_step(aa: f64, c: &mut f64, d: &mut f64) -> f64 {
    *d = 1.0 / away_from_zero(1.0 + aa * *d);
    *c = away_from_zero(1.0 + aa / *c);
    *d * *c
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

/// The quantile of Student's t with `df` > 0 degrees of freedom: the t with
/// P(T ≤ t) = `p`, found by bisection on [`student_t_cdf`] to within 1e-12
/// (e.g. `student_t_quantile(0.975, 9.0)` = 2.262157…, the half-width
/// factor of a 95% t-interval from 10 values). `None` unless 0 < p < 1 and
/// df > 0 is finite.
pub fn student_t_quantile(p: f64, df: f64) -> Option<f64> {
    if !(p > 0.0 && p < 1.0) || df.is_nan() || df <= 0.0 || df.is_infinite() {
        return None;
    }
    if p == 0.5 {
        return Some(0.0);
    }
    // Bracket: widen until the cdf passes p (df = 1 at p = 1e-12 needs ~3e11).
    let (mut lo, mut hi) = (-1.0f64, 1.0f64);
    while student_t_cdf(lo, df)? > p {
        lo *= 2.0;
        if lo < -1e300 {
            return None;
        }
    }
    while student_t_cdf(hi, df)? < p {
        hi *= 2.0;
        if hi > 1e300 {
            return None;
        }
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if student_t_cdf(mid, df)? < p {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo <= 1e-12 * hi.abs().max(1.0) {
            break;
        }
    }
    Some(0.5 * (lo + hi))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::stats::Z95;
    use crate::metrics::stats::tests::near;

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

    #[test]
    fn student_t_quantiles_against_tables() {
        // t_{0.975} for df 1, 2, 5, 9, 10, 30 (tables) and the normal limit.
        for (df, q) in [
            (1.0, 12.706_204_736_174_71),
            (2.0, 4.302_652_729_749_464),
            (5.0, 2.570_581_835_636_314),
            (9.0, 2.262_157_162_798_205),
            (10.0, 2.228_138_851_986_274),
            (30.0, 2.042_272_456_301_238),
        ] {
            let got = student_t_quantile(0.975, df).unwrap();
            assert!(near(got, q, 1e-9), "df {df}: {got} vs {q}");
            assert!(near(student_t_quantile(0.025, df).unwrap(), -q, 1e-9));
        }
        assert!(near(student_t_quantile(0.975, 1e7).unwrap(), Z95, 1e-6));
        assert_eq!(student_t_quantile(0.5, 3.0), Some(0.0));
        assert_eq!(student_t_quantile(0.0, 3.0), None);
        assert_eq!(student_t_quantile(1.0, 3.0), None);
        assert_eq!(student_t_quantile(0.9, 0.0), None);
        assert_eq!(student_t_quantile(f64::NAN, 3.0), None);
    }
}
