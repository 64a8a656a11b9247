//! Whole-number arguments. pyo3's own conversion of a Python int into a
//! Rust integer raises `OverflowError` for a value that does not fit (`-1`
//! for a seed, `2**70` for a thread count), naming neither the argument nor
//! what it accepts; an `OverflowError` is not even a `ValueError`. Every
//! integer a user gives the package goes through [`whole`] instead (the
//! Python side through its wrapper, `tplus._native.check_whole`), so an
//! argument out of range is a `ValueError` of one form:
//! `seed=-1 is out of range: a whole number from 0 to 18446744073709551615`.

use pyo3::exceptions::{PyOverflowError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyBool;

/// An integer type an argument may be read into, with its range.
pub trait Whole: Copy {
    /// The smallest and largest values of the type.
    const MIN: i128;
    const MAX: i128;
    /// The value, known to be within `MIN..=MAX`.
    fn from_i128(x: i128) -> Self;
}

macro_rules! whole {
    ($($t:ty),*) => {$(
        impl Whole for $t {
            const MIN: i128 = <$t>::MIN as i128;
            const MAX: i128 = <$t>::MAX as i128;
            fn from_i128(x: i128) -> $t {
                x as $t
            }
        }
    )*};
}
whole!(u32, u64, usize, i64, i128);

/// Argument `name` as a `T` anywhere in `T`'s range.
pub fn whole<T: Whole>(v: &Bound<'_, PyAny>, name: &str) -> PyResult<T> {
    whole_in(v, name, T::MIN, T::MAX)
}

/// Argument `name` as a `T` from `lo` to `hi` (within `T`'s range): a
/// Python int or anything with `__index__` (numpy's integers), as pyo3
/// takes them, or a whole number written as a float (`2.0`, as a numpy or
/// pandas column of floats holds it), as a scenario's parameter paths take
/// one; out of range, a `ValueError` naming it and the range; not a whole
/// number (`2.5`, a string, a bool: `True` is not the seed 1), a
/// `TypeError` saying so.
pub fn whole_in<T: Whole>(v: &Bound<'_, PyAny>, name: &str, lo: i128, hi: i128) -> PyResult<T> {
    let (lo, hi) = (lo.max(T::MIN), hi.min(T::MAX));
    let out_of_range =
        || PyValueError::new_err(format!("{name}={} is out of range: a whole number from {lo} to {hi}", shown(v)));
    let not_whole =
        |what: String| PyTypeError::new_err(format!("{name}: a whole number from {lo} to {hi}, not {what}"));
    let ty = type_name(v);
    if is_bool(v) {
        return Err(not_whole(format!("a bool ({})", shown(v))));
    }
    match v.extract::<i128>() {
        Ok(x) if (lo..=hi).contains(&x) => return Ok(T::from_i128(x)),
        Ok(_) => return Err(out_of_range()),
        Err(e) if e.is_instance_of::<PyOverflowError>(v.py()) => return Err(out_of_range()),
        Err(_) => {}
    }
    // Not an integer: a real number (a float, numpy's floats, Decimal,
    // Fraction) taken when it equals its integer part exactly, compared
    // by Python itself, so that no type is rounded through a float on the
    // way (Decimal(2**53 + 1) is not 2**53).
    if v.extract::<f64>().is_err() {
        return Err(not_whole(format!("a {ty}")));
    }
    // int() of NaN or an infinity raises: not a whole number either.
    let Ok(int) = v.call_method0("__int__") else { return Err(not_whole(shown(v))) };
    if !v.eq(&int).unwrap_or(false) {
        return Err(not_whole(shown(v)));
    }
    match int.extract::<i128>() {
        Ok(x) if (lo..=hi).contains(&x) => Ok(T::from_i128(x)),
        _ => Err(out_of_range()),
    }
}

/// A `bool` argument, strictly (`force=1` is a `TypeError` naming it, as
/// `log=1` is).
pub fn flag(v: &Bound<'_, PyAny>, name: &str) -> PyResult<bool> {
    if is_bool(v) {
        return v.is_truthy();
    }
    Err(PyTypeError::new_err(format!("{name}: True or False, got {}", type_name(v))))
}

/// A `str` argument, a `TypeError` naming it otherwise (`what` says what
/// the string is, e.g. "the scenario's TOML text").
pub fn text(v: &Bound<'_, PyAny>, name: &str, what: &str) -> PyResult<String> {
    v.extract::<String>().map_err(|_| PyTypeError::new_err(format!("{name}: a str ({what}), got {}", type_name(v))))
}

/// Whether `v` is a bool: Python's, or numpy's (`bool_` before numpy 2,
/// `bool` from it), which is not a Python bool.
pub fn is_bool(v: &Bound<'_, PyAny>) -> bool {
    v.is_instance_of::<PyBool>() || matches!(type_name(v).as_str(), "bool" | "bool_")
}

/// The name of `v`'s type, for messages.
pub fn type_name(v: &Bound<'_, PyAny>) -> String {
    v.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "?".into())
}

/// A value as a message shows it: its repr, an integer of hundreds of digits cut short.
pub fn shown(v: &Bound<'_, PyAny>) -> String {
    let Ok(repr) = v.repr().map(|r| r.to_string()) else {
        // Python refuses the repr of an int of over 4,300 digits.
        return match v.call_method0("bit_length").and_then(|b| b.extract::<u64>()) {
            Ok(bits) => format!("an integer of about {} digits", (bits as f64 * std::f64::consts::LOG10_2) as u64 + 1),
            Err(_) => "?".into(),
        };
    };
    const MOST: usize = 40;
    if repr.len() <= MOST || !repr.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
        return repr;
    }
    let digits = repr.trim_start_matches('-').len();
    format!("{}... ({digits} digits)", &repr[..20])
}

/// [`whole`] for an optional argument: None stays None.
pub fn opt_whole<T: Whole>(v: Option<&Bound<'_, PyAny>>, name: &str) -> PyResult<Option<T>> {
    v.filter(|v| !v.is_none()).map(|v| whole(v, name)).transpose()
}

/// [`whole_in`] for the Python side of the package (`tplus.gym`'s sizes,
/// offsets, product and seeds, ...): the value as a Python int.
#[pyfunction]
#[pyo3(signature = (value, name, lo, hi))]
pub fn check_whole(value: &Bound<'_, PyAny>, name: &str, lo: i128, hi: i128) -> PyResult<i128> {
    whole_in::<i128>(value, name, lo, hi)
}
