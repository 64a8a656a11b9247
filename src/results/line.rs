//! A reusable buffer for one CSV line, with number formatting that avoids
//! `core::fmt`: the trades file and the operation log write a line per
//! event, and through `write!` their formatting cost more than the matching.
//!
//! Output is byte-for-byte what the `Display` impls of [`crate::metrics::Secs`]
//! and [`crate::metrics::Micros`] print (exact decimals, no trailing zeros);
//! a test holds the two together.

use std::io::{self, Write};

#[derive(Debug, Default)]
pub struct Line {
    buf: Vec<u8>,
}

impl Line {
    pub fn new() -> Line {
        Line { buf: Vec::with_capacity(128) }
    }

    #[inline]
    pub fn str(&mut self, s: &str) -> &mut Line {
        self.buf.extend_from_slice(s.as_bytes());
        self
    }

    #[inline]
    pub fn comma(&mut self) -> &mut Line {
        self.buf.push(b',');
        self
    }

    /// An unsigned integer in decimal.
    #[inline]
    pub fn uint(&mut self, mut v: u64) -> &mut Line {
        let mut digits = [0u8; 20];
        let mut i = digits.len();
        loop {
            i -= 1;
            digits[i] = b'0' + (v % 10) as u8;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        self.buf.extend_from_slice(&digits[i..]);
        self
    }

    /// `v / 10^places` as an exact decimal without trailing zeros (`places` ≤ 18).
    #[inline]
    pub fn fixed(&mut self, v: i64, places: u32) -> &mut Line {
        if v < 0 {
            self.buf.push(b'-');
        }
        let v = v.unsigned_abs();
        let scale = 10u64.pow(places);
        let (whole, mut frac) = (v / scale, v % scale);
        self.uint(whole);
        if frac != 0 {
            // All `places` digits, zero-padded, then the trailing zeros cut.
            let mut digits = [b'0'; 18];
            let mut i = places as usize;
            while frac != 0 {
                i -= 1;
                digits[i] = b'0' + (frac % 10) as u8;
                frac /= 10;
            }
            let mut end = places as usize;
            while digits[end - 1] == b'0' {
                end -= 1;
            }
            self.buf.push(b'.');
            self.buf.extend_from_slice(&digits[..end]);
        }
        self
    }

    /// Nanoseconds as decimal seconds, like [`crate::metrics::Secs`].
    #[inline]
    pub fn secs(&mut self, ns: i64) -> &mut Line {
        self.fixed(ns, 9)
    }

    /// Micros as a decimal amount, like [`crate::metrics::Micros`].
    #[inline]
    pub fn micros(&mut self, v: i64) -> &mut Line {
        self.fixed(v, 6)
    }

    /// Ends the line, writes it to `out` and empties the buffer.
    #[inline]
    pub fn flush_to(&mut self, out: &mut impl Write) -> io::Result<()> {
        self.buf.push(b'\n');
        let r = out.write_all(&self.buf);
        self.buf.clear();
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::{Micros, Secs};

    fn text(f: impl FnOnce(&mut Line)) -> String {
        let mut l = Line::new();
        f(&mut l);
        String::from_utf8(l.buf).unwrap()
    }

    #[test]
    fn matches_the_display_impls() {
        for v in [0, 1, 7, 10, 999_999, 1_000_000, 1_000_100, 1_050_000_000, -1_500_000, 34_200_000_000_000, i64::MAX] {
            assert_eq!(
                text(|l| {
                    l.micros(v);
                }),
                Micros(v).to_string(),
                "micros {v}"
            );
            assert_eq!(
                text(|l| {
                    l.secs(v);
                }),
                Secs(v).to_string(),
                "secs {v}"
            );
        }
        assert_eq!(
            text(|l| {
                l.uint(u64::MAX);
            }),
            u64::MAX.to_string()
        );
    }

    #[test]
    fn builds_a_line() {
        let mut out = Vec::new();
        let mut l = Line::new();
        l.secs(34_200_050_000_000).comma().str("NOTE7").comma().micros(1_000_100).comma().uint(5);
        l.flush_to(&mut out).unwrap();
        l.uint(1).flush_to(&mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "34200.05,NOTE7,1.0001,5\n1\n");
    }
}
