//! The files' text as the replay reads and shows it: exact decimals,
//! amounts and times written as the run writes them, lines shown with what
//! cannot be seen, and lines read with their newline.

use std::io::BufRead;
use std::path::Path;

use super::ReplayError;
use crate::results::line::Line;

/// An exact decimal `text` in units of `10^-places` (`"1.0001"`, 6 →
/// 1000100; `"-0.5"`, 6 → -500000): an optional `-`, digits, and optionally
/// a point followed by 1 to `places` digits. None for anything else or a
/// value beyond `i64`.
pub(super) fn decimal(text: &str, places: u32) -> Option<i64> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, frac) = match digits.split_once('.') {
        Some((_, "")) => return None,
        Some((w, f)) => (w, f),
        None => (digits, ""),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !all_digits(whole) || frac.len() > places as usize || !all_digits(frac) {
        return None;
    }
    // Both parts are parsed without their sign, so "-0.5" keeps it.
    let scale = 10i64.pow(places - frac.len() as u32);
    let whole: i64 = whole.parse().ok()?;
    let frac: i64 = if frac.is_empty() { 0 } else { frac.parse().ok()? };
    let value = whole.checked_mul(10i64.pow(places))?.checked_add(frac * scale)?;
    Some(if negative { -value } else { value })
}

/// `micros` as the files write an amount (`0.98`, `1.0202`).
pub(super) fn amount(micros: i64) -> String {
    written(|l| l.micros(micros))
}

/// Nanoseconds as the files write a time (`34200.05`).
pub(super) fn seconds(ns: i64) -> String {
    written(|l| l.secs(ns))
}

/// What `write` puts in a line, as text.
fn written(write: impl FnOnce(&mut Line) -> &mut Line) -> String {
    let mut line = Line::new();
    let mut out = Vec::new();
    write(&mut line);
    // Writing to a Vec cannot fail.
    let _ = line.flush_to(&mut out);
    out.pop();
    String::from_utf8_lossy(&out).into_owned()
}

/// A line of a file as an error shows it: without its newline (saying so
/// when it has none), control characters such as a carriage return escaped.
pub(super) fn shown(bytes: &[u8]) -> String {
    let (body, newline) = match bytes.strip_suffix(b"\n") {
        Some(body) => (body, ""),
        None => (bytes, " (no newline at its end)"),
    };
    format!("{}{newline}", String::from_utf8_lossy(body).escape_debug())
}

/// The line number of the first byte of `bytes` that is not UTF-8, and the
/// byte, if there is one; `first` is the number of `bytes`' first line.
pub(super) fn not_utf8(bytes: &[u8], first: usize) -> Option<(usize, u8)> {
    let at = std::str::from_utf8(bytes).err()?.valid_up_to();
    Some((first + bytes[..at].iter().filter(|&&b| b == b'\n').count(), bytes[at]))
}

/// Reads the next line of `r` into `buf`, its newline kept; false at the end.
pub(super) fn read_line(r: &mut impl BufRead, buf: &mut Vec<u8>, path: &Path) -> Result<bool, ReplayError> {
    buf.clear();
    let n = r.read_until(b'\n', buf).map_err(|source| ReplayError::Io { path: path.to_path_buf(), source })?;
    Ok(n > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_read_exactly() {
        assert_eq!(decimal("1.0001", 6), Some(1_000_100));
        assert_eq!(decimal("34200.1869502", 9), Some(34_200_186_950_200));
        assert_eq!(decimal("7", 6), Some(7_000_000));
        assert_eq!(decimal("1.0000001", 6), None);
        assert_eq!(decimal("x", 6), None);
        assert_eq!(decimal(".5", 6), None);
    }

    /// The sign is read apart from the digits: "-0.5" is -0.5 (its whole
    /// part "-0" parsed as a number would lose it), and only a leading `-`
    /// is one.
    #[test]
    fn negative_decimals_keep_their_sign() {
        assert_eq!(decimal("-0.5", 6), Some(-500_000));
        assert_eq!(decimal("-0.000001", 6), Some(-1));
        assert_eq!(decimal("-1.25", 6), Some(-1_250_000));
        assert_eq!(decimal("-3", 6), Some(-3_000_000));
        assert_eq!(decimal("-0", 6), Some(0));
        for bad in ["+1", "--1", "-", "-.5", "1-2", "5.", " 1", "1e3", "0.5.1", "99999999999999999999"] {
            assert_eq!(decimal(bad, 6), None, "{bad}");
        }
    }

    #[test]
    fn lines_are_shown_with_what_cannot_be_seen() {
        assert_eq!(shown(b"1,2\n"), "1,2");
        assert_eq!(shown(b"1,2\r\n"), "1,2\\r");
        assert_eq!(shown(b"1,2"), "1,2 (no newline at its end)");
    }
}
