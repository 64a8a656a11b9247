//! Python values as the JSON values of the scenario's serde tree, which
//! parameter paths set (`Scenario.with_params`, a sweep's design): bool,
//! int, float, str, and lists and dicts of them. numpy and pandas scalars
//! convert through `__index__` / `__float__` as Python numbers do; None, NaN
//! and infinities have no place in a scenario and are refused by name.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde_json::Value;

/// `v` as a JSON value; `what` names it in messages (`agents[1].count`).
pub fn to_json(v: &Bound<'_, PyAny>, what: &str) -> PyResult<Value> {
    if v.is_none() {
        return Err(PyValueError::new_err(format!("{what}: None (a missing value) has no place in a scenario")));
    }
    if crate::args::is_bool(v) {
        return Ok(Value::Bool(v.is_truthy()?));
    }
    if v.is_instance_of::<PyString>() {
        return Ok(Value::String(v.extract::<String>()?));
    }
    if v.is_instance_of::<PyFloat>() {
        return float(v.extract::<f64>()?, what);
    }
    let type_name = crate::args::type_name(v);
    if let Ok(i) = v.extract::<i64>() {
        return Ok(Value::from(i));
    }
    if let Ok(u) = v.extract::<u64>() {
        return Ok(Value::from(u));
    }
    if v.is_instance_of::<PyInt>() {
        // Beyond 64 bits: a float, which the field's range then refuses,
        // while a float holds it.
        return match v.extract::<f64>() {
            Ok(f) => float(f, what),
            Err(_) => Err(PyValueError::new_err(format!("{what}: {} is out of range", crate::args::shown(v)))),
        };
    }
    if let Ok(d) = v.cast::<PyDict>() {
        let mut map = serde_json::Map::new();
        for (k, item) in d.iter() {
            let key: String =
                k.extract().map_err(|_| PyTypeError::new_err(format!("{what}: a table's keys are strings")))?;
            let inner = to_json(&item, &format!("{what}.{key}"))?;
            map.insert(key, inner);
        }
        return Ok(Value::Object(map));
    }
    if v.is_instance_of::<PyList>() || v.is_instance_of::<PyTuple>() {
        let items: Vec<Bound<'_, PyAny>> = v.try_iter()?.collect::<PyResult<_>>()?;
        return items
            .iter()
            .enumerate()
            .map(|(i, x)| to_json(x, &format!("{what}[{i}]")))
            .collect::<PyResult<_>>()
            .map(Value::Array);
    }
    // Other numbers (numpy.float32, decimal.Decimal) through `__float__`.
    if let Ok(f) = v.extract::<f64>() {
        return float(f, what);
    }
    Err(PyTypeError::new_err(format!(
        "{what}: a {type_name} has no place in a scenario (give a bool, int, float, str, or a list or dict of them)"
    )))
}

fn float(f: f64, what: &str) -> PyResult<Value> {
    serde_json::Number::from_f64(f)
        .map(Value::Number)
        .ok_or_else(|| PyValueError::new_err(format!("{what}: {f} is not a finite number")))
}
