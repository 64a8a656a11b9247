//! A reusable buffer for one CSV line, with number formatting that avoids
//! `core::fmt`: the trades file and the operation log write a line per
//! event, and through `write!` their formatting cost more than the matching.
//!
//! Output is byte-for-byte what [`crate::columns::AsCell`] prints of
//! [`crate::metrics::Secs`] and [`crate::metrics::MicrosDecimal`] (exact
//! decimals, no trailing zeros but the one of a whole number, `2.0`); a
//! test holds the two together.

use std::io::{self, Write};

/// Longest line: a trade or log line holds a product id (at most 32 bytes,
/// see validation), a reason name and at most ten numbers of at most 21
/// characters.
const CAPACITY: usize = 384;

/// "00" "01" … "99": two digits per division.
const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// A fixed-capacity byte buffer that one CSV line is built in, field by
/// field, and then written out; reused from line to line so writing a line
/// allocates nothing.
#[derive(Debug)]
pub struct Line {
    buf: [u8; CAPACITY],
    len: usize,
}

impl Default for Line {
    fn default() -> Line {
        Line::new()
    }
}

impl Line {
    /// An empty line.
    pub fn new() -> Line {
        Line { buf: [0; CAPACITY], len: 0 }
    }

    #[inline]
    fn push(&mut self, b: u8) {
        self.buf[self.len] = b;
        self.len += 1;
    }

    /// Appends `s` as it is, unquoted: the caller gives text that needs no CSV
    /// quoting.
    #[inline]
    pub fn str(&mut self, s: &str) -> &mut Line {
        let end = self.len + s.len();
        self.buf[self.len..end].copy_from_slice(s.as_bytes());
        self.len = end;
        self
    }

    /// Appends the field separator.
    #[inline]
    pub fn comma(&mut self) -> &mut Line {
        self.push(b',');
        self
    }

    /// Writes the `n` decimal digits of `v` (zero-padded on the left) at the end of the line.
    #[inline]
    fn digits(&mut self, mut v: u64, n: usize) {
        let mut end = self.len + n;
        let start = self.len;
        while end - start >= 2 {
            let pair = (v % 100) as usize * 2;
            v /= 100;
            end -= 2;
            self.buf[end] = PAIRS[pair];
            self.buf[end + 1] = PAIRS[pair + 1];
        }
        if end > start {
            self.buf[start] = b'0' + (v % 10) as u8;
        }
        self.len += n;
    }

    /// Number of decimal digits of `v` (1 for 0).
    #[inline]
    fn count(v: u64) -> usize {
        let mut n = 1;
        let mut p = 10u64;
        while n < 20 && v >= p {
            n += 1;
            p = p.wrapping_mul(10);
        }
        n
    }

    /// An unsigned integer in decimal.
    #[inline]
    pub fn uint(&mut self, v: u64) -> &mut Line {
        self.digits(v, Line::count(v));
        self
    }

    /// `v / 10^places` as an exact decimal without trailing zeros, a whole
    /// number with one (`2.0`: a real's cell shows its point, see
    /// [`crate::columns::CellValue`]); `places` ≤ 18.
    #[inline]
    pub fn fixed(&mut self, v: i64, places: u32) -> &mut Line {
        if v < 0 {
            self.push(b'-');
        }
        let v = v.unsigned_abs();
        let scale = 10u64.pow(places);
        let (whole, mut frac) = (v / scale, v % scale);
        self.uint(whole);
        if frac != 0 {
            let mut n = places as usize;
            while frac % 10 == 0 {
                frac /= 10;
                n -= 1;
            }
            self.push(b'.');
            self.digits(frac, n);
        } else {
            self.push(b'.');
            self.push(b'0');
        }
        self
    }

    /// Nanoseconds as decimal seconds, like [`crate::metrics::Secs`].
    #[inline]
    pub fn secs(&mut self, ns: i64) -> &mut Line {
        self.fixed(ns, 9)
    }

    /// Micros as a decimal amount, like [`crate::metrics::MicrosDecimal`].
    #[inline]
    pub fn micros(&mut self, v: i64) -> &mut Line {
        self.fixed(v, 6)
    }

    /// Ends the line, writes it to `out` and empties the buffer.
    #[inline]
    pub fn flush_to(&mut self, out: &mut impl Write) -> io::Result<()> {
        self.push(b'\n');
        let r = out.write_all(&self.buf[..self.len]);
        self.len = 0;
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::columns::cell_text;
    use crate::metrics::{MicrosDecimal, Secs};

    fn text(f: impl FnOnce(&mut Line)) -> String {
        let mut l = Line::new();
        f(&mut l);
        String::from_utf8(l.buf[..l.len].to_vec()).unwrap()
    }

    #[test]
    fn matches_the_display_impls() {
        for v in [0, 1, 7, 10, 999_999, 1_000_000, 1_000_100, 1_050_000_000, -1_500_000, 34_200_000_000_000, i64::MAX] {
            assert_eq!(
                text(|l| {
                    l.micros(v);
                }),
                cell_text(&MicrosDecimal(v)),
                "micros {v}"
            );
            assert_eq!(
                text(|l| {
                    l.secs(v);
                }),
                cell_text(&Secs(v)),
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
        l.uint(1).comma().micros(2_000_000).comma().secs(0).flush_to(&mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "34200.05,NOTE7,1.0001,5\n1,2.0,0.0\n");
    }
}
