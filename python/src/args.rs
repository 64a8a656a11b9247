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
/// takes them; out of range, a `ValueError` naming it and the range; not
/// a whole number (a float, a string), a `TypeError` saying so.
pub fn whole_in<T: Whole>(v: &Bound<'_, PyAny>, name: &str, lo: i128, hi: i128) -> PyResult<T> {
    let (lo, hi) = (lo.max(T::MIN), hi.min(T::MAX));
    let out_of_range = || {
        let shown = v.repr().map(|r| r.to_string()).unwrap_or_else(|_| "?".into());
        PyValueError::new_err(format!("{name}={shown} is out of range: a whole number from {lo} to {hi}"))
    };
    match v.extract::<i128>() {
        Ok(x) if (lo..=hi).contains(&x) => Ok(T::from_i128(x)),
        Ok(_) => Err(out_of_range()),
        Err(e) if e.is_instance_of::<PyOverflowError>(v.py()) => Err(out_of_range()),
        Err(_) => {
            let ty = v.get_type().name().map(|n| n.to_string()).unwrap_or_default();
            Err(PyTypeError::new_err(format!("{name}: a whole number from {lo} to {hi}, not a {ty}")))
        }
    }
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
