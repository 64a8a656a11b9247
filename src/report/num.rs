//! Number formatting shared by the plots and `report.md`.

/// A whole number with thousands separators: `228,079`.
pub fn count(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".into();
    }
    let digits = format!("{:.0}", x.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if x < 0.0 && digits != "0" { format!("-{out}") } else { out }
}

/// Whether a number as printed is zero: only zeros among its digits
/// (`-0.00`, `0`, `+0.0e0` are; `-0.01` is not).
fn prints_zero(s: &str) -> bool {
    let mantissa = s.split(['e', 'E']).next().unwrap_or(s);
    mantissa.chars().filter(char::is_ascii_digit).all(|c| c == '0')
}

/// `x` with `d` decimals, never `-0.00`: a value that rounds to zero prints
/// without a sign.
pub fn fixed(x: f64, d: usize) -> String {
    let s = format!("{x:.d$}");
    if prints_zero(&s) { s.trim_start_matches(['-', '+']).to_string() } else { s }
}

/// `x` with `d` decimals and its sign (`+0.85`, `-0.10`); a value that rounds
/// to zero prints without one (`0.00`), never as `-0.00`.
pub fn fixed_signed(x: f64, d: usize) -> String {
    let s = format!("{x:+.d$}");
    if prints_zero(&s) { s.trim_start_matches(['-', '+']).to_string() } else { s }
}

/// A share as a percentage with one decimal: `21.6%`; `<0.1%` and
/// `>99.9%` for shares that would round to 0 or 100 without being so.
pub fn pct(x: Option<f64>) -> String {
    // A share that is not 0 (or not all) does not print as if it were.
    x.filter(|v| v.is_finite()).map_or("n/a".into(), |v| match fixed(v * 100.0, 1).as_str() {
        "0.0" if v > 0.0 => "<0.1%".into(),
        "100.0" if v < 1.0 => ">99.9%".into(),
        p => format!("{p}%"),
    })
}

/// A signed figure with `d` decimals: `+0.847`; `0.000` for a value that
/// rounds to zero.
pub fn signed(x: Option<f64>, d: usize) -> String {
    x.filter(|v| v.is_finite()).map_or("n/a".into(), |v| fixed_signed(v, d))
}

/// An amount of money with thousands separators and cents: `22,840,096.69`.
pub fn money(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".into();
    }
    let cents = (x.abs() * 100.0).round();
    let whole = count((cents / 100.0).trunc());
    let sign = if x < 0.0 && cents > 0.0 { "-" } else { "" };
    format!("{sign}{whole}.{:02}", (cents % 100.0) as u64)
}

/// The length of a window as an adjective: `5-minute`, `1-hour`, `90-second`.
pub fn window(secs: f64) -> String {
    let s = secs.round() as i64;
    if s > 0 && s % 3600 == 0 {
        format!("{}-hour", s / 3600)
    } else if s > 0 && s % 60 == 0 {
        format!("{}-minute", s / 60)
    } else {
        format!("{s}-second")
    }
}

/// The length of a window as a noun: `5 minutes`, `1 hour`, `90 seconds`.
pub fn window_noun(secs: f64) -> String {
    let s = secs.round() as i64;
    let (n, unit) = if s > 0 && s % 3600 == 0 {
        (s / 3600, "hour")
    } else if s > 0 && s % 60 == 0 {
        (s / 60, "minute")
    } else {
        (s, "second")
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(count(0.0), "0");
        assert_eq!(count(999.0), "999");
        assert_eq!(count(1000.0), "1,000");
        assert_eq!(count(228_079.0), "228,079");
        assert_eq!(count(-1_234_567.0), "-1,234,567");
        assert_eq!(pct(Some(0.21590363322473033)), "21.6%");
        assert_eq!(pct(None), "n/a");
        // Five rejections among 20,000 failures are not none of them.
        assert_eq!(pct(Some(5.0 / 20_000.0)), "<0.1%");
        assert_eq!(pct(Some(0.99996)), ">99.9%");
        assert_eq!((pct(Some(0.0)), pct(Some(1.0))), ("0.0%".to_string(), "100.0%".to_string()));
        assert_eq!(signed(Some(0.8470538), 3), "+0.847");
        assert_eq!(signed(Some(-0.05), 2), "-0.05");
        assert_eq!(money(22_840_096.69), "22,840,096.69");
        assert_eq!(money(-0.5), "-0.50");
        assert_eq!(window(300.0), "5-minute");
        assert_eq!(window(3600.0), "1-hour");
        assert_eq!(window(90.0), "90-second");
        assert_eq!(window_noun(300.0), "5 minutes");
        assert_eq!(window_noun(3600.0), "1 hour");
    }

    #[test]
    fn negative_zero_never_prints() {
        assert_eq!(fixed(-0.0001, 2), "0.00");
        assert_eq!(fixed(-0.0, 0), "0");
        assert_eq!(fixed(-0.006, 2), "-0.01");
        assert_eq!(fixed_signed(-0.0004, 3), "0.000");
        assert_eq!(fixed_signed(0.0004, 2), "0.00");
        assert_eq!(fixed_signed(0.5, 2), "+0.50");
        assert_eq!(signed(Some(-1e-9), 2), "0.00");
        assert_eq!(pct(Some(-1e-6)), "0.0%");
        assert_eq!(count(-0.4), "0");
        assert_eq!(money(-0.001), "0.00");
    }
}
