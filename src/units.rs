//! The units the layers share, in one place that imports nothing else in the
//! crate: simulated time in nanoseconds, prices in ticks, cash in micros
//! (millionths of the currency unit), sizes in lots, and products by their
//! index in the scenario. Each is an integer so sums and comparisons are
//! exact and results do not depend on floating-point order.
//!
//! Agents price in fractional ticks and send whole ones, and the products'
//! bands are whole ticks worked out from the NAV; the roundings from one to
//! the other live here too (`floor_to_i64`, `ceil_to_i64`).

/// Simulated time: nanoseconds since 00:00 of the scenario's start date (or
/// a duration in nanoseconds).
pub type Nanos = i64;

/// A price in whole ticks (price / tick size): absolute in the engine and
/// agents, relative to the book's grid base inside the book.
pub type Ticks = i64;

/// Cash: millionths of the currency unit.
pub type Micros = i64;

/// An order's or a holding's size in lots.
pub type Lots = u32;

/// A product's index among the scenario's `[[product]]` tables (0 = the first).
pub type ProductIndex = u16;

/// Nanoseconds per second.
pub const NS_PER_SEC: Nanos = 1_000_000_000;

/// Nanoseconds per calendar day.
pub const NS_PER_DAY: Nanos = 86_400 * NS_PER_SEC;

/// Micros per currency unit: the integer cash scale.
pub const MICROS_PER_UNIT: f64 = 1e6;

/// `x.floor() as i64`, exactly, for every `x`: NaN gives 0 and values
/// beyond `i64` saturate, as `as` does. x86-64's baseline has no rounding
/// instruction (`roundsd` is SSE4.1), so `f64::floor` is a call into a
/// software routine; agents round a price to whole ticks on nearly every
/// decision, about 1.1 million times in the baseline.
#[inline]
pub fn floor_to_i64(x: f64) -> i64 {
    // Truncation is one instruction; it is the floor unless it went up,
    // which it does only below zero for a fraction. Beyond 2^52 every f64
    // is whole, so the comparison is exact wherever `t` did not saturate.
    let t = x as i64;
    t.saturating_sub(i64::from(t as f64 > x))
}

/// `x.ceil() as i64`, exactly, for every `x` (see [`floor_to_i64`]).
#[inline]
pub fn ceil_to_i64(x: f64) -> i64 {
    let t = x as i64;
    t.saturating_add(i64::from((t as f64) < x))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bit for bit what `f64::floor`/`ceil` then `as i64` give, at the
    /// edges (halves, ±0, the ends of `i64` and of exact integers, the
    /// infinities, NaN) and over many values of every magnitude.
    #[test]
    fn floor_and_ceil_match_the_library() {
        let mut xs = vec![
            0.0,
            -0.0,
            0.5,
            -0.5,
            1.0,
            -1.0,
            1.5,
            -1.5,
            f64::EPSILON,
            -f64::EPSILON,
            f64::MIN_POSITIVE,
            -f64::MIN_POSITIVE,
            4_503_599_627_370_495.5,
            -4_503_599_627_370_495.5,
            9_007_199_254_740_993.0,
            9_223_372_036_854_774_784.0,
            9_223_372_036_854_775_808.0,
            -9_223_372_036_854_775_808.0,
            -9_223_372_036_854_777_856.0,
            1e300,
            -1e300,
            f64::MAX,
            f64::MIN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            -f64::NAN,
        ];
        // Every exponent, a spread of mantissas, both signs, and the
        // neighbours of each value.
        let mut bits: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..200_000 {
            bits ^= bits << 13;
            bits ^= bits >> 7;
            bits ^= bits << 17;
            let x = f64::from_bits(bits);
            xs.extend([x, x / 2f64.powi((bits % 1100) as i32), f64::from_bits(bits.wrapping_add(1))]);
        }
        for k in -70..=70 {
            let p = 2f64.powi(k);
            xs.extend([p, -p, p + 0.5, -p - 0.5, p - 0.5, 0.5 - p]);
        }
        for x in xs {
            assert_eq!(floor_to_i64(x), x.floor() as i64, "floor of {x:e} ({:#x})", x.to_bits());
            assert_eq!(ceil_to_i64(x), x.ceil() as i64, "ceil of {x:e} ({:#x})", x.to_bits());
        }
    }
}
