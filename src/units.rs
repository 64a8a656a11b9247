//! The units the layers share, in one place that imports nothing else in the
//! crate: simulated time in nanoseconds, prices in ticks, cash in micros
//! (millionths of the currency unit), sizes in lots, and products by their
//! index in the scenario. Each is an integer so sums and comparisons are
//! exact and results do not depend on floating-point order.

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
