//! The native module of the `tplus` Python package (`tplus._native`): the
//! simulator's library behind a small Python surface. Scenarios are read,
//! changed by parameter path and written back by the library's own code;
//! runs and sweeps run with the GIL released (so Python threads, Ray or
//! Dask workers run tplus in parallel) and hand back their outputs in
//! memory: the very bytes `tplus run` writes, and Arrow tables parsed from
//! them (`arrow.rs`) exported through the Arrow C stream interface.
//!
//! The pure-Python part of the package (`tplus/__init__.py`) re-exports
//! these names and adds the conversions of a sweep's design; `gym.rs` is
//! the native half of the Gymnasium environment (`tplus/gym.py`).
//! Behaviours written in Python plug in through `behaviour.rs`; Ctrl-C
//! stops a run through `signals.rs`.

mod args;
mod arrow;
mod behaviour;
mod gym;
mod signals;
mod values;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use arrow_array::ffi::FFI_ArrowSchema;
use arrow_array::ffi_stream::FFI_ArrowArrayStream;
use arrow_array::{RecordBatch, RecordBatchIterator};
use pyo3::exceptions::{PyFileNotFoundError, PyKeyError, PyOSError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyCapsule};
use serde_json::Value;
use tplus::agents::Registry;
use tplus::engine::{self, RunOptions};
use tplus::results::outdir::Terms;
use tplus::results::{MemoryRecorder, RunFiles};

pyo3::create_exception!(
    tplus,
    ScenarioError,
    PyValueError,
    "A mistake in a scenario, a parameter path or a value: `file`, `line`, `column` (1-based; None without a place), `field` (the parameter path), `message` and `accepted` (what the field accepts) as attributes."
);
pyo3::create_exception!(
    tplus,
    RunError,
    PyRuntimeError,
    "A run or a sweep that could not start or finish (threads, memory, files)."
);

/// The behaviours scenarios may name: the built-ins and the Python
/// behaviours registered so far.
fn registry() -> Registry {
    behaviour::registry(None)
}

/// A library scenario error as a Python `ScenarioError` with its parts as attributes.
fn scenario_error(py: Python<'_>, e: &tplus::scenario::ScenarioError, point: Option<usize>) -> PyErr {
    scenario_error_given(py, e, point, &[])
}

/// [`scenario_error`] for values set by path, `big` the integers given
/// beyond 64 bits (path, the integer as Python shows it): they reach the
/// scenario as floats, so a range's refusal would show `1.8446744073709552e19`
/// for the `2**64` the user wrote; it shows the integer instead.
fn scenario_error_given(
    py: Python<'_>,
    e: &tplus::scenario::ScenarioError,
    point: Option<usize>,
    big: &[(String, String)],
) -> PyErr {
    let d = e.detail();
    let mut text = match point {
        Some(p) => format!("point {p}: {e}"),
        None => e.to_string(),
    };
    let mut message = d.message.clone();
    let given = big.iter().find(|(path, _)| d.field.as_deref() == Some(path.trim()));
    if let Some((_, int)) = given.filter(|_| message.ends_with(" is out of range")) {
        let shown = format!("{int} is out of range");
        text = text.replacen(&message, &shown, 1);
        message = shown;
    }
    let place = Place { file: d.file.display().to_string(), line: d.line, column: d.column, point };
    with_parts(py, ScenarioError::new_err(text), place, d.field.clone(), message, d.accepted.clone())
}

/// An integer beyond 64 bits as Python shows it (cut short past 40
/// digits), or None for any other value.
fn beyond_64_bits(v: &Bound<'_, PyAny>) -> Option<String> {
    let int = v.is_instance_of::<pyo3::types::PyInt>() && !v.is_instance_of::<pyo3::types::PyBool>();
    (int && v.extract::<i64>().is_err() && v.extract::<u64>().is_err()).then(|| args::shown(v))
}

/// Where a Python `ScenarioError` points: its file, line and column, and
/// the design point.
struct Place {
    file: String,
    line: Option<usize>,
    column: Option<usize>,
    point: Option<usize>,
}

/// `err` (a `ScenarioError`) with its documented attributes set.
fn with_parts(
    py: Python<'_>,
    err: PyErr,
    place: Place,
    field: Option<String>,
    message: String,
    accepted: Option<String>,
) -> PyErr {
    let v = err.value(py);
    let texts: [(&str, Option<String>); 4] =
        [("file", Some(place.file)), ("field", field), ("message", Some(message)), ("accepted", accepted)];
    for (k, x) in texts {
        let _ = v.setattr(k, x);
    }
    let _ = v.setattr("line", place.line);
    let _ = v.setattr("column", place.column);
    let _ = v.setattr("point", place.point);
    err
}

/// Argument `name` as a path: a `str` or an `os.PathLike`, else a
/// `TypeError` naming the argument (pyo3's own names only the types).
fn path_arg(v: &Bound<'_, PyAny>, name: &str) -> PyResult<PathBuf> {
    v.extract::<PathBuf>().map_err(|_| {
        let ty = v.get_type().name().map(|n| n.to_string()).unwrap_or_default();
        PyTypeError::new_err(format!("{name}: a path (str or os.PathLike), got {ty}"))
    })
}

/// A design's value that is no scenario value (None, NaN, an object) as the
/// `ScenarioError` any other bad point raises: `point` and `field` set,
/// no line or column (a design has none).
fn design_value_error(py: Python<'_>, source: &std::path::Path, point: usize, path: &str, e: PyErr) -> PyErr {
    let message = e.value(py).to_string();
    let message = message.strip_prefix(&format!("{path}: ")).unwrap_or(&message).to_string();
    let err = ScenarioError::new_err(format!("point {point}: {path}: {message}"));
    let _ = err.value(py).setattr("__cause__", e.value(py));
    let place = Place { file: format!("{} design", source.display()), line: None, column: None, point: Some(point) };
    let accepted = "a value of the field's type: a finite number, a string, a bool, or a list or dict of them";
    with_parts(py, err, place, Some(path.to_string()), message, Some(accepted.into()))
}

/// `s` with each group's `params` table holding every parameter of its
/// behaviour (the family's, or the planted abuse's) that has a default: the
/// scenario's own values, and the defaults for the rest. A run takes a
/// parameter left out at its default, so this is the same scenario, written
/// out in full; a parameter whose default depends on others (`max_lots`)
/// has none to write and stays out.
fn with_param_defaults(s: &tplus::scenario::Scenario) -> tplus::scenario::Scenario {
    let reg = registry();
    let mut s = s.clone();
    for group in &mut s.agents {
        let name = group.behaviour();
        let Some(family) = reg.get(name).or_else(|| reg.abuses().iter().find(|f| f.name == name)) else { continue };
        for (key, default) in family.defaults() {
            group.params.entry(key).or_insert(default);
        }
    }
    s
}

/// A validated scenario.
#[pyclass(frozen, module = "tplus", name = "Scenario")]
struct PyScenario {
    inner: Arc<tplus::scenario::Scenario>,
    /// Where it came from (a file, `<string>`, or the file and `with_params`), for messages.
    source: PathBuf,
}

#[pymethods]
impl PyScenario {
    /// Reads and validates a scenario file.
    #[staticmethod]
    fn from_file(py: Python<'_>, path: &Bound<'_, PyAny>) -> PyResult<PyScenario> {
        let path = path_arg(path, "path")?;
        // A scenario's text given for its path (`tplus.run(open(f).read())`)
        // would otherwise be refused as a file name far too long, quoted whole.
        let given = path.to_string_lossy();
        if given.contains('\n') {
            return Err(PyValueError::new_err(format!(
                "the path given is text of {} lines, not a file's path: read scenario text with \
                 tplus.Scenario.from_toml(text), or give the file's path",
                given.lines().count()
            )));
        }
        let loaded = py.detach(|| tplus::scenario::load(&path, &registry()));
        let s = loaded.map_err(|e| scenario_error(py, &e, None))?;
        Ok(PyScenario { inner: Arc::new(s), source: path })
    }

    /// Parses and validates scenario text; `name` stands for the file in messages.
    #[staticmethod]
    #[pyo3(signature = (text, name = None))]
    fn from_toml(py: Python<'_>, text: &Bound<'_, PyAny>, name: Option<&Bound<'_, PyAny>>) -> PyResult<PyScenario> {
        let text = &args::text(text, "text", "the scenario's TOML")?;
        let name = match name {
            Some(n) => args::text(n, "name", "what messages call the text")?,
            None => "<string>".to_string(),
        };
        // A file's path given for its text: one line naming a file there is.
        if !text.contains('\n') && std::path::Path::new(text.trim()).is_file() {
            return Err(PyValueError::new_err(format!(
                "{:?} is the path of a file, not scenario text: read a file with tplus.Scenario.from_file(path)",
                text.trim()
            )));
        }
        let path = PathBuf::from(name);
        let s = tplus::scenario::parse(&path, text, &registry()).map_err(|e| scenario_error(py, &e, None))?;
        Ok(PyScenario { inner: Arc::new(s), source: path })
    }

    /// A copy with fields set by parameter path (`{"agents[3].params.herding": 2.0}`).
    fn with_params(&self, py: Python<'_>, params: &Bound<'_, PyAny>) -> PyResult<PyScenario> {
        if !params.hasattr("items")? {
            return Err(PyTypeError::new_err(format!(
                "with_params: a mapping of parameter path → value, e.g. {{\"simulation.days\": 2}}; got {}",
                params.get_type().name()?
            )));
        }
        let items = params.call_method0("items")?;
        let mut values = Vec::new();
        let mut big = Vec::new();
        for item in items.try_iter()? {
            let (k, v): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item?.extract()?;
            let k: String = k.extract().map_err(|_| {
                let ty = k.get_type().name().map(|n| n.to_string()).unwrap_or_default();
                PyTypeError::new_err(format!(
                    "with_params: a parameter path is a string such as \"simulation.days\", got {ty}"
                ))
            })?;
            let json = values::to_json(&v, &k)?;
            if let Some(int) = beyond_64_bits(&v) {
                big.push((k.clone(), int));
            }
            values.push((k, json));
        }
        // Said once however many times the copies are chained.
        let source = self.source.display().to_string();
        let origin = if source.ends_with(" with_params") {
            self.source.clone()
        } else {
            PathBuf::from(format!("{source} with_params"))
        };
        let s = tplus::scenario::with_values(&self.inner, &values, &origin, &registry())
            .map_err(|e| scenario_error_given(py, &e, None, &big))?;
        Ok(PyScenario { inner: Arc::new(s), source: origin })
    }

    /// The scenario run over `days` business days, for a gym episode:
    /// `simulation.days` set, and the scripted events after the last of
    /// them left out (they could not fire in it; validation refuses an
    /// event past the run's end).
    fn _first_days(&self, py: Python<'_>, days: u32) -> PyResult<PyScenario> {
        let mut trimmed = (*self.inner).clone();
        // Those at or after the last kept session's close too: validation
        // refuses an event after the run's last close.
        let close = trimmed.simulation.close;
        trimmed.events.retain(|e| e.at.day < days || (e.at.day == days && e.at.time < close));
        let source = self.source.display().to_string();
        let origin = PathBuf::from(format!("{source} (its first {days} day(s))"));
        let values = [("simulation.days".to_string(), serde_json::Value::from(days))];
        let s = tplus::scenario::with_values(&trimmed, &values, &origin, &registry())
            .map_err(|e| scenario_error(py, &e, None))?;
        Ok(PyScenario { inner: Arc::new(s), source: origin })
    }

    /// The scenario as TOML, every default written out (each group's
    /// family's parameters included); `from_toml` reads it back to the same scenario.
    fn to_toml(&self) -> String {
        tplus::scenario::to_toml(&with_param_defaults(&self.inner))
    }

    /// The scenario's name (`[simulation] name`).
    #[getter]
    fn name(&self) -> String {
        self.inner.simulation.name.clone()
    }

    /// The scenario's seed (`[simulation] seed`).
    #[getter]
    fn seed(&self) -> u64 {
        self.inner.simulation.seed
    }

    /// The business days the scenario runs (`[simulation] days`).
    #[getter]
    fn days(&self) -> i64 {
        self.inner.simulation.days
    }

    /// The products' ids (`[[product]] id`), in the order the scenario
    /// lists them: a product's number in the outputs and the Gym
    /// environment's `product` is its place here.
    #[getter]
    fn products(&self) -> Vec<String> {
        self.inner.products.iter().map(|p| p.id.clone()).collect()
    }

    /// Where the scenario came from.
    #[getter]
    fn source(&self) -> String {
        self.source.display().to_string()
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        // Equal when their resolved trees are (the schema has no `PartialEq`),
        // a parameter left to its default and one written out alike.
        let tree = |s: &tplus::scenario::Scenario| serde_json::to_value(with_param_defaults(s)).ok();
        other.cast::<PyScenario>().is_ok_and(|o| tree(&o.get().inner).is_some_and(|t| Some(t) == tree(&self.inner)))
    }

    /// Pickling (multiprocessing, Ray, Dask send scenarios to workers): the
    /// scenario as TOML, read back by `from_toml` under the same source name.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, (String, String))> {
        let from_toml = py.get_type::<PyScenario>().getattr("from_toml")?;
        Ok((from_toml, (self.to_toml(), self.source.display().to_string())))
    }

    fn __repr__(&self) -> String {
        format!("Scenario({:?} from {:?})", self.inner.simulation.name, self.source.display().to_string())
    }
}

/// An Arrow table in memory, exported through the Arrow C stream interface.
#[pyclass(frozen, module = "tplus", name = "Table")]
struct PyTable {
    batch: RecordBatch,
}

#[pymethods]
impl PyTable {
    /// Equal when their schemas (names, types, metadata) and values are:
    /// a pickled table and the original, or one file of two runs of a seed.
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<PyTable>().is_ok_and(|o| o.get().batch == self.batch)
    }

    /// The Arrow PyCapsule stream protocol: pyarrow, polars, duckdb and
    /// others import the table from it without copying. A requested schema
    /// is not applied (the protocol allows it): the table's own is exported.
    #[pyo3(signature = (requested_schema = None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let _ = requested_schema;
        let reader = RecordBatchIterator::new([Ok(self.batch.clone())], self.batch.schema());
        let stream = FFI_ArrowArrayStream::new(Box::new(reader));
        PyCapsule::new_with_value(py, stream, c"arrow_array_stream")
    }

    /// The Arrow PyCapsule schema protocol.
    fn __arrow_c_schema__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyCapsule>> {
        let schema = FFI_ArrowSchema::try_from(self.batch.schema().as_ref())
            .map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
        PyCapsule::new_with_value(py, schema, c"arrow_schema")
    }

    /// Rows.
    #[getter]
    fn num_rows(&self) -> usize {
        self.batch.num_rows()
    }

    /// Columns.
    #[getter]
    fn num_columns(&self) -> usize {
        self.batch.num_columns()
    }

    /// The column names, in order.
    #[getter]
    fn column_names(&self) -> Vec<String> {
        self.batch.schema().fields().iter().map(|f| f.name().clone()).collect()
    }

    /// Each column's Arrow type, by name (`int64`, `uint64`, `double`, `string`, `bool`, `date32`).
    #[getter]
    fn dtypes(&self) -> Vec<(String, String)> {
        self.batch.schema().fields().iter().map(|f| (f.name().clone(), type_name(f.data_type()))).collect()
    }

    /// A `pyarrow.Table` (needs pyarrow).
    fn to_pyarrow<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        slf.py().import("pyarrow")?.call_method1("table", (slf,))
    }

    /// A `polars.DataFrame` (needs polars).
    fn to_polars<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        slf.py().import("polars")?.call_method1("DataFrame", (slf,))
    }

    /// A `pandas.DataFrame` (needs pandas and pyarrow), through pyarrow.
    fn to_pandas<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        Self::to_pyarrow(slf)?.call_method0("to_pandas")
    }

    fn __len__(&self) -> usize {
        self.batch.num_rows()
    }

    /// Pickling (multiprocessing, joblib, concurrent.futures send results
    /// between processes): the table's schema and columns as bytes, read
    /// back by `Table._from_bytes`.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, PyBytes>,))> {
        let bytes = py.detach(|| arrow::to_bytes(&self.batch)).map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
        let from_bytes = py.get_type::<PyTable>().getattr("_from_bytes")?;
        Ok((from_bytes, (PyBytes::new(py, &bytes),)))
    }

    /// The table `__reduce__` pickled.
    #[staticmethod]
    fn _from_bytes(py: Python<'_>, data: &[u8]) -> PyResult<PyTable> {
        let batch = py.detach(|| arrow::from_bytes(data)).map_err(|e| PyValueError::new_err(e.to_string()))?;
        Ok(PyTable { batch })
    }

    fn __repr__(&self) -> String {
        let file = self.batch.schema().metadata().get("tplus.file").cloned().unwrap_or_else(|| "table".into());
        format!("tplus.Table({file}: {} rows × {} columns)", self.batch.num_rows(), self.batch.num_columns())
    }
}

/// Arrow's short names of the types the tables use.
fn type_name(t: &arrow_schema::DataType) -> String {
    use arrow_schema::DataType::*;
    match t {
        Int64 => "int64".into(),
        UInt64 => "uint64".into(),
        Float64 => "double".into(),
        Utf8 => "string".into(),
        Boolean => "bool".into(),
        Date32 => "date32".into(),
        other => other.to_string(),
    }
}

/// A finished run's outputs, in memory.
#[pyclass(frozen, module = "tplus", name = "Run")]
struct PyRun {
    files: RunFiles,
    seed: u64,
    threads: usize,
    failure: Option<String>,
    /// Tables parsed so far, by file name.
    tables: Mutex<HashMap<String, Py<PyTable>>>,
}

impl PyRun {
    /// The table of file `name`, parsed once (without the GIL) and kept;
    /// None when the run did not write the file. A file that does not
    /// parse is this package's fault for a run made in memory: a
    /// `RuntimeError`.
    fn table(&self, py: Python<'_>, name: &str) -> PyResult<Option<Py<PyTable>>> {
        self.parsed(py, name).map_err(|e| match e {
            TableOr::Py(e) => e,
            TableOr::Table(e) => PyRuntimeError::new_err(e.to_string()),
        })
    }

    /// [`PyRun::table`], telling a file that does not parse apart.
    fn parsed(&self, py: Python<'_>, name: &str) -> Result<Option<Py<PyTable>>, TableOr> {
        if let Some(t) = self.tables.lock().unwrap_or_else(|e| e.into_inner()).get(name) {
            return Ok(Some(t.clone_ref(py)));
        }
        let Some(bytes) = self.files.get(name) else { return Ok(None) };
        let batch = py.detach(|| {
            let text = std::str::from_utf8(bytes).map_err(|e| arrow::TableError(format!("{name}: {e}")))?;
            arrow::parse(name, text, &arrow::run_file_specs(name)?)
        })?;
        let table = Py::new(py, PyTable { batch })?;
        self.tables.lock().unwrap_or_else(|e| e.into_inner()).insert(name.to_string(), table.clone_ref(py));
        Ok(Some(table))
    }

    fn json<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
        let bytes = self.files.get(name).ok_or_else(|| PyKeyError::new_err(name.to_string()))?;
        py.import("json")?.call_method1("loads", (PyBytes::new(py, bytes),))
    }
}

/// How `Run.save(dir, force=...)` names what an output directory's errors
/// advise (the command line's are `--out` and `--force`).
const SAVE_TERMS: Terms = Terms { dir: "dir", force: "force=True", add_force: "pass force=True" };

#[pymethods]
impl PyRun {
    /// Equal when every file is, byte for byte, and the seed, threads and
    /// failure: a pickled run and the original. Two runs of one seed differ
    /// in `manifest.json` (when and how fast each ran): compare their tables.
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<PyRun>().is_ok_and(|o| {
            let o = o.get();
            o.files.files == self.files.files
                && (o.seed, o.threads, &o.failure) == (self.seed, self.threads, &self.failure)
        })
    }

    /// `metrics.csv`: one row per (window, product).
    #[getter]
    fn metrics(&self, py: Python<'_>) -> PyResult<Option<Py<PyTable>>> {
        self.table(py, "metrics.csv")
    }

    /// `trades.csv`: one row per execution.
    #[getter]
    fn trades(&self, py: Python<'_>) -> PyResult<Option<Py<PyTable>>> {
        self.table(py, "trades.csv")
    }

    /// `events.csv`, the operation log: None unless run with `log=True`.
    #[getter]
    fn events(&self, py: Python<'_>) -> PyResult<Option<Py<PyTable>>> {
        self.table(py, "events.csv")
    }

    /// `risk.csv`: customers far from their family.
    #[getter]
    fn risk(&self, py: Python<'_>) -> PyResult<Option<Py<PyTable>>> {
        self.table(py, "risk.csv")
    }

    /// `credit_fit.csv`: None unless the scenario refits its scorecard.
    #[getter]
    fn credit_fit(&self, py: Python<'_>) -> PyResult<Option<Py<PyTable>>> {
        self.table(py, "credit_fit.csv")
    }

    /// `summary.json` as a dict.
    #[getter]
    fn summary<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.json(py, "summary.json")
    }

    /// `manifest.json` as a dict.
    #[getter]
    fn manifest<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.json(py, "manifest.json")
    }

    /// The seed the run used.
    #[getter]
    fn seed(&self) -> u64 {
        self.seed
    }

    /// The worker threads it decided with.
    #[getter]
    fn threads(&self) -> usize {
        self.threads
    }

    /// Why the run's cash cannot be trusted (`manifest.json`'s `failure`); None for a sound run.
    #[getter]
    fn failure(&self) -> Option<String> {
        self.failure.clone()
    }

    /// The names of the run's files, in the manifest's order, `manifest.json` last.
    #[getter]
    fn files(&self) -> Vec<String> {
        self.files.files.iter().map(|(n, _)| n.clone()).collect()
    }

    /// The bytes of one of the run's files, as `tplus run` writes it.
    fn file<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyBytes>> {
        let bytes = self.files.get(name).ok_or_else(|| PyKeyError::new_err(name.to_string()))?;
        Ok(PyBytes::new(py, bytes))
    }

    /// Writes the run's files into `dir` as `tplus run --out DIR` does.
    #[pyo3(signature = (dir, force = None))]
    fn save(&self, py: Python<'_>, dir: &Bound<'_, PyAny>, force: Option<&Bound<'_, PyAny>>) -> PyResult<String> {
        let dir = path_arg(dir, "dir")?;
        let force = force.map_or(Ok(false), |f| args::flag(f, "force"))?;
        py.detach(|| self.files.save(&dir, force)).map_err(|e| PyOSError::new_err(e.message(SAVE_TERMS)))?;
        Ok(dir.display().to_string())
    }

    /// Pickling (multiprocessing, joblib, concurrent.futures send results
    /// between processes): the run's files, seed, threads and failure, read
    /// back by `Run._from_files`; its tables are parsed again when read.
    #[allow(clippy::type_complexity)]
    fn __reduce__<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<(Bound<'py, PyAny>, (Vec<(String, Bound<'py, PyBytes>)>, u64, usize, Option<String>))> {
        let files = self.files.files.iter().map(|(n, b)| (n.clone(), PyBytes::new(py, b))).collect();
        let from_files = py.get_type::<PyRun>().getattr("_from_files")?;
        Ok((from_files, (files, self.seed, self.threads, self.failure.clone())))
    }

    /// The run `__reduce__` pickled.
    #[staticmethod]
    fn _from_files(
        files: Vec<(String, Vec<u8>)>,
        seed: u64,
        threads: usize,
        failure: Option<String>,
    ) -> PyResult<PyRun> {
        let summary = files
            .iter()
            .find(|(n, _)| n == "summary.json")
            .map(|(_, b)| serde_json::from_slice::<tplus::metrics::SummaryFile>(b))
            .transpose()
            .map_err(|e| PyValueError::new_err(format!("a pickled run's summary.json: {e}")))?
            .map(|f| f.summary)
            .unwrap_or_default();
        let files = RunFiles { files, summary };
        Ok(PyRun { files, seed, threads, failure, tables: Mutex::new(HashMap::new()) })
    }

    fn __repr__(&self) -> String {
        format!("tplus.Run(seed={}, files={:?})", self.seed, self.files())
    }
}

/// Why a table could not be had: Python's error, or the file's.
enum TableOr {
    Py(PyErr),
    Table(arrow::TableError),
}

impl From<PyErr> for TableOr {
    fn from(e: PyErr) -> Self {
        TableOr::Py(e)
    }
}

impl From<arrow::TableError> for TableOr {
    fn from(e: arrow::TableError) -> Self {
        TableOr::Table(e)
    }
}

/// A finished run's directory, as `tplus run` or `Run.save` wrote it, read
/// back into a `Run` whose tables are typed as an in-process run's (a
/// column empty in every row included). Every table is parsed here, so a
/// file edited by hand is refused now, named, not when first read.
/// `FileNotFoundError` without a `manifest.json`; `ValueError` for a
/// directory that is not one whole run (a listed file missing, another
/// run's summary, a cell that is not its column's type); `OSError` when
/// the system cannot read a file.
#[pyfunction]
fn read_run(py: Python<'_>, dir: &Bound<'_, PyAny>) -> PyResult<PyRun> {
    let dir = path_arg(dir, "dir")?;
    use tplus::results::read::ReadRunError;
    let (files, manifest) = py.detach(|| RunFiles::read(&dir)).map_err(|e| match e {
        ReadRunError::NotARun { .. } => PyFileNotFoundError::new_err(e.to_string()),
        ReadRunError::Bad { .. } => PyValueError::new_err(e.to_string()),
        ReadRunError::Io(_) => PyOSError::new_err(e.to_string()),
        // A kind of failure the library adds later: a run that cannot be read.
        _ => PyValueError::new_err(e.to_string()),
    })?;
    let seed = manifest.seed.ok_or_else(|| {
        PyValueError::new_err(format!(
            "{}: names no seed: written by a tplus older than this package reads",
            dir.join("manifest.json").display()
        ))
    })?;
    let run = PyRun { files, seed, threads: manifest.threads, failure: manifest.failure, tables: Mutex::default() };
    let tables: Vec<String> =
        run.files.files.iter().map(|(n, _)| n.clone()).filter(|n| arrow::file_columns(n).is_some()).collect();
    for name in tables {
        run.parsed(py, &name).map_err(|e| match e {
            TableOr::Py(e) => e,
            TableOr::Table(e) => PyValueError::new_err(format!(
                "{}: {e}: not as the run wrote it; run the scenario again for whole files",
                dir.display()
            )),
        })?;
    }
    Ok(run)
}

/// Refuses (`RunError`, before allocating anything) a scenario whose
/// estimated peak memory is above this machine's memory or the job's
/// cgroup limit, as `tplus run` does: past it the process would be killed,
/// a notebook's kernel with it. With `files`, the run's files are kept in memory too (`trades.csv`, and
/// `events.csv` with its `log`): counted in the need.
pub(crate) fn fits_memory(
    source: &std::path::Path,
    s: &tplus::scenario::Scenario,
    reg: &tplus::agents::Registry,
    files: Option<bool>,
) -> PyResult<()> {
    use tplus::engine::memory::{Held, Override, fits_holding};
    let held = files.map(|log| Held {
        bytes: tplus::engine::footprint::estimate(s, reg).output(log),
        what: "the run's files, kept in memory (trades.csv, and events.csv with log=True)",
        remedy: ", log=False, or the command line's `tplus run`, which writes them as the run goes",
    });
    fits_holding(source, s, 1, held, None, &Override::LIBRARY, reg).map(|_| ()).map_err(RunError::new_err)
}

/// Worker threads by default: every core, as `tplus run` does.
fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Runs a scenario to its end; the outputs stay in memory.
#[pyfunction]
#[pyo3(signature = (scenario, seed = None, threads = None, log = false))]
fn run(
    py: Python<'_>,
    scenario: &PyScenario,
    seed: Option<Bound<'_, PyAny>>,
    threads: Option<Bound<'_, PyAny>>,
    log: bool,
) -> PyResult<PyRun> {
    let seed = args::opt_whole::<u64>(seed.as_ref(), "seed")?;
    let threads = match &threads {
        Some(t) if !t.is_none() => args::whole_in(t, "threads", 1, i128::from(tplus::engine::MAX_THREADS))?,
        _ => default_threads(),
    };
    let s = scenario.inner.clone();
    let opts = RunOptions { seed, threads };
    // The run's Python behaviours report their exceptions here; Ctrl-C sets `stop`.
    let link = Arc::new(behaviour::RunLink::default());
    let reg = behaviour::registry(Some(link.clone()));
    fits_memory(&scenario.source, &s, &reg, Some(log))?;
    let stop = AtomicBool::new(false);
    let (done, interrupted) = signals::run_interruptible(py, &stop, || -> Result<_, String> {
        let mut rec = MemoryRecorder::new(&s, log);
        let outcome = engine::run_with_stop(&s, &opts, &reg, &mut rec, &stop).map_err(|e| e.to_string())?;
        let failure = outcome.check().err().map(|e| e.to_string());
        let files = rec.finish(&s, &outcome, threads).map_err(|e| e.to_string())?;
        Ok((files, outcome.seed, failure))
    });
    if let Some(e) = interrupted.or_else(|| link.take_error()) {
        return Err(e);
    }
    let done = done.ok_or_else(|| RunError::new_err("the run's thread ended without a result"))?;
    let (files, seed, failure) = done.map_err(RunError::new_err)?;
    Ok(PyRun { files, seed, threads, failure, tables: Mutex::new(HashMap::new()) })
}

/// Runs a design given point by point: `paths` (parameter paths) and
/// `points` (one list of values per point, in `paths` order); returns the
/// rows of `sweep.csv` as a table.
#[pyfunction]
#[pyo3(signature = (scenario, paths, points, replications = None, seed = None, jobs = None))]
fn sweep_points(
    py: Python<'_>,
    scenario: &PyScenario,
    paths: Vec<String>,
    points: Vec<Vec<Bound<'_, PyAny>>>,
    replications: Option<Bound<'_, PyAny>>,
    seed: Option<Bound<'_, PyAny>>,
    jobs: Option<Bound<'_, PyAny>>,
) -> PyResult<PyTable> {
    // From 1 to a sweep file's cap on `sweep.replications`.
    let most = i128::from(tplus::scenario::MAX_REPLICATIONS);
    let replications: u32 = match &replications {
        Some(r) => args::whole_in(r, "replications", 1, most)?,
        None => 1,
    };
    let seed = args::opt_whole::<u64>(seed.as_ref(), "seed")?;
    let jobs = match &jobs {
        Some(j) if !j.is_none() => args::whole_in(j, "jobs", 1, i128::from(tplus::engine::MAX_THREADS))?,
        _ => default_threads(),
    };
    let mut json_points = Vec::with_capacity(points.len());
    // Integers beyond 64 bits, by point: (path, the integer as given).
    let mut big: Vec<Vec<(String, String)>> = vec![Vec::new(); points.len()];
    for (p, row) in points.iter().enumerate() {
        let mut values = Vec::with_capacity(row.len());
        for (i, v) in row.iter().enumerate() {
            let path = paths.get(i).map_or("?", String::as_str);
            if let Some(int) = beyond_64_bits(v) {
                big[p].push((path.to_string(), int));
            }
            let value = values::to_json(v, path).map_err(|e| design_value_error(py, &scenario.source, p, path, e));
            values.push(value?);
        }
        json_points.push(values);
    }
    let design = tplus::batch::PointsDesign { paths, points: json_points };
    let base = scenario.inner.clone();
    let seed = seed.unwrap_or(base.simulation.seed);
    let origin = PathBuf::from(format!("{} design", scenario.source.display()));
    let kinds = param_kinds(&design);
    // Ctrl-C stops the runs under way at their next boundary and raises
    // KeyboardInterrupt once they have ended.
    let stop = AtomicBool::new(false);
    let (result, interrupted) = signals::run_interruptible(py, &stop, || {
        tplus::batch::run_points_until(&base, &design, replications, seed, jobs, &origin, &registry(), &stop).map(
            |(columns, rows)| {
                let specs = sweep_specs(&columns, &kinds);
                let mut text = tplus::batch::csv::header_line(&columns);
                rows.iter().for_each(|r| text.push_str(r));
                specs.map(|specs| arrow::parse("sweep.csv", &text, &specs))
            },
        )
    });
    if let Some(e) = interrupted {
        return Err(e);
    }
    let result = result.ok_or_else(|| RunError::new_err("the sweep's thread ended without a result"))?;
    match result {
        Ok(Ok(Ok(batch))) => Ok(PyTable { batch }),
        Ok(Ok(Err(e))) | Ok(Err(e)) => Err(PyRuntimeError::new_err(e.to_string())),
        Err(tplus::batch::PointsError::Point { point, source }) => {
            Err(scenario_error_given(py, &source, Some(point), big.get(point).map_or(&[], Vec::as_slice)))
        }
        Err(
            e @ (tplus::batch::PointsError::Shape { .. }
            | tplus::batch::PointsError::SeedVaried
            | tplus::batch::PointsError::TooMany { .. }),
        ) => Err(PyValueError::new_err(e.to_string())),
        Err(e) => Err(RunError::new_err(e.to_string())),
    }
}

/// Each parameter column's type from its values as given: int64 when every
/// value is an integer, float64 when every one is a number (a whole-number
/// float included: the column keeps the type the user's design has), bool,
/// else text.
fn param_kinds(design: &tplus::batch::PointsDesign) -> Vec<arrow::Kind> {
    (0..design.paths.len())
        .map(|i| {
            let col = || design.points.iter().filter_map(move |p| p.get(i));
            if col().all(|v| v.is_i64()) {
                arrow::Kind::Int
            } else if col().all(Value::is_number) {
                arrow::Kind::Float
            } else if col().all(Value::is_boolean) {
                arrow::Kind::Bool
            } else {
                arrow::Kind::Text
            }
        })
        .collect()
}

/// The typed columns of a sweep table whose parameter columns have `kinds`.
fn sweep_specs(columns: &[String], kinds: &[arrow::Kind]) -> Result<Vec<arrow::ColumnSpec>, arrow::TableError> {
    let key = tplus::columns::sweep::KEY.len();
    let meaning = |name: &str| {
        let all = tplus::columns::sweep::KEY
            .iter()
            .chain(tplus::columns::sweep::STATUS)
            .chain(tplus::columns::sweep_results::COLUMNS)
            .chain(tplus::columns::sweep::DIGEST)
            .chain(tplus::columns::sweep::WALL);
        all.clone().find(|c| c.name == name).map(|c| c.meaning.to_string())
    };
    columns
        .iter()
        .enumerate()
        .map(|(i, name)| {
            if (key..key + kinds.len()).contains(&i) {
                return Ok(arrow::ColumnSpec {
                    name: name.clone(),
                    kind: kinds[i - key],
                    meaning: "the parameter's value at this point".into(),
                });
            }
            let kind = arrow::sweep_kind(name)
                .ok_or_else(|| arrow::TableError(format!("column {name} of sweep.csv has no declared type")))?;
            Ok(arrow::ColumnSpec { name: name.clone(), kind, meaning: meaning(name).unwrap_or_default() })
        })
        .collect()
}

/// The `tplus._native` module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyScenario>()?;
    m.add_class::<PyRun>()?;
    m.add_class::<PyTable>()?;
    m.add_class::<gym::ExternalSim>()?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(read_run, m)?)?;
    m.add_function(wrap_pyfunction!(sweep_points, m)?)?;
    m.add_function(wrap_pyfunction!(args::check_whole, m)?)?;
    m.add_class::<behaviour::Batch>()?;
    m.add_function(wrap_pyfunction!(behaviour::register_behaviour, m)?)?;
    m.add_function(wrap_pyfunction!(behaviour::behaviours, m)?)?;
    m.add("BehaviourError", m.py().get_type::<behaviour::BehaviourError>())?;
    m.add("ScenarioError", m.py().get_type::<ScenarioError>())?;
    m.add("RunError", m.py().get_type::<RunError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
