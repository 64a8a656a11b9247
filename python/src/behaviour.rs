//! Behaviours written in Python: a class registered by name
//! (`tplus.register_behaviour`) becomes a family scenarios may name, next
//! to the built-ins, through the library's run-time families
//! ([`Registry::register_dynamic`]).
//!
//! Its `params` class attribute gives the parameters' defaults, which the
//! scenario's table is checked against ([`check_like_defaults`]: the
//! built-ins' messages, file, line and column included). At run time a
//! group is one instance of the class behind [`PyGroup`], a [`Population`]
//! that makes one call into Python per lookahead batch: `decide(ctx)` with
//! the batch's agents as arrays ([`Batch`], converted to Python only when
//! read), which returns the batch's orders and cancels as tuples
//! (`tplus.buy`, `tplus.sell`, `tplus.cancel`). Every return is checked; a
//! bad one, or an exception, halts the group and the run stops at its next
//! boundary, the exception kept for `tplus.run` to raise.
//!
//! Determinism: the group draws every random number it hands to Python
//! from its agents' own generators, decides on the engine's thread only
//! ([`Population::decides_alone`]) and calls Python in the order of the
//! batches, so a run does not depend on the thread count.

use std::sync::{Arc, Mutex};

use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyFloat, PyInt, PyString, PyTuple};
use tplus::agents::{
    Action, Actions, Agent, Context, Decision, DynamicFamily, GroupSetup, Latency, LiveOrder, MAX_ACTIONS,
    OrderRequest, Population, Registry, Wake, check_like_defaults, panic_sale,
};
use tplus::book::{OrderKind, Side};
use tplus::rand::RngExt;
use tplus::random::Streams;
use tplus::scenario::{Invalid, InvalidKind};

pyo3::create_exception!(
    tplus,
    BehaviourError,
    crate::RunError,
    "A behaviour written in Python returned something tplus cannot read (an action of the wrong shape, an agent index or a product out of range, too many actions for one agent)."
);

/// The codes of the actions' tuples (`tplus.BUY`, `SELL`, `CANCEL`).
const BUY: i64 = 0;
const SELL: i64 = 1;
const CANCEL: i64 = 2;
/// Order flags: all-or-none, immediate-or-cancel.
const AON: i64 = 1;
const IOC: i64 = 2;

/// A registered Python class.
struct PyFamily {
    name: &'static str,
    /// The first line of the class's docstring.
    about: &'static str,
    cls: Py<PyAny>,
    defaults: toml::Table,
    /// The parameters scripted events may change (`live_params`), each with
    /// a number for its default.
    live: &'static [&'static str],
    /// Uniforms each agent draws from its own generator per wake-up.
    draws: usize,
    /// The class's `bounds`: (parameter, lowest, highest) a scenario may
    /// give a number parameter, checked when the scenario is read.
    bounds: Vec<(String, f64, f64)>,
}

/// Checks the numbers of a group's `table` against the class's `bounds`,
/// with the built-ins' message ("0.5 is out of range", what is accepted).
fn check_bounds(bounds: &[(String, f64, f64)], defaults: &toml::Table, table: &toml::Table) -> Result<(), Invalid> {
    for (key, lo, hi) in bounds {
        let v = match table.get(key) {
            Some(toml::Value::Float(x)) => *x,
            Some(toml::Value::Integer(i)) => *i as f64,
            _ => continue,
        };
        if !(*lo <= v && v <= *hi) {
            let whole = matches!(defaults.get(key), Some(toml::Value::Integer(_)));
            return Err(Invalid {
                field: key.clone(),
                message: format!("{v} is out of range"),
                accepted: format!("{} from {lo} to {hi}", if whole { "a whole number" } else { "a number" }),
                kind: InvalidKind::OutOfRange,
            });
        }
    }
    Ok(())
}

/// The classes registered so far, by name (a later registration replaces).
static FAMILIES: Mutex<Vec<Arc<PyFamily>>> = Mutex::new(Vec::new());
/// Names and descriptions made `'static` once each: a registry lives as long
/// as the process, and the same name registered again reuses its string.
static INTERNED: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());

fn intern(s: &str) -> &'static str {
    let mut all = INTERNED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(&known) = all.iter().find(|&&k| k == s) {
        return known;
    }
    let leaked: &'static str = Box::leak(s.to_owned().into_boxed_str());
    all.push(leaked);
    leaked
}

/// What a run's groups report back besides the run's files: the first
/// Python exception a group met, which `tplus.run` raises as it was.
#[derive(Default)]
pub struct RunLink {
    error: Mutex<Option<PyErr>>,
}

impl RunLink {
    /// The exception a group met, if any (taken: a run raises it once).
    pub fn take_error(&self) -> Option<PyErr> {
        self.error.lock().unwrap_or_else(|e| e.into_inner()).take()
    }

    fn keep(&self, e: PyErr) {
        let mut slot = self.error.lock().unwrap_or_else(|e| e.into_inner());
        if slot.is_none() {
            *slot = Some(e);
        }
    }
}

/// The built-in families and every registered Python class; a run's groups
/// report their exceptions to `link`.
pub fn registry(link: Option<Arc<RunLink>>) -> Registry {
    let mut r = Registry::builtin();
    r.own_behaviours_by("a Python class registered first, tplus.register_behaviour(\"name\", TheClass)");
    let families = FAMILIES.lock().unwrap_or_else(|e| e.into_inner()).clone();
    for fam in families {
        let (name, defaults, bounds) = (fam.name, fam.defaults.clone(), fam.bounds.clone());
        let link = link.clone();
        r.register_dynamic(DynamicFamily {
            name,
            about: fam.about,
            defaults: fam.defaults.clone(),
            live_params: fam.live,
            agent_bytes: std::mem::size_of::<Agent<()>>(),
            check: Arc::new(move |t| {
                check_like_defaults(name, &defaults, t).and_then(|()| check_bounds(&bounds, &defaults, t))
            }),
            build: Arc::new(move |t, setup, first, streams, latency| {
                PyGroup::build(&fam, link.clone(), t, setup, first, streams, latency)
            }),
        });
    }
    r
}

/// A parameter's value as a scenario table holds it.
fn to_toml(name: &str, key: &str, v: &Bound<'_, PyAny>) -> PyResult<toml::Value> {
    // bool before int: Python's bool is an int.
    if let Ok(b) = v.cast::<pyo3::types::PyBool>() {
        return Ok(toml::Value::Boolean(b.is_true()));
    }
    if v.is_instance_of::<PyInt>() {
        return Ok(toml::Value::Integer(crate::args::whole(v, &format!("{name}.params[{key:?}]"))?));
    }
    if v.is_instance_of::<PyFloat>() {
        let x: f64 = v.extract()?;
        if !x.is_finite() {
            return Err(PyValueError::new_err(format!("{name}.params[{key:?}]: {x} is not finite")));
        }
        return Ok(toml::Value::Float(x));
    }
    if v.is_instance_of::<PyString>() {
        return Ok(toml::Value::String(v.extract()?));
    }
    Err(PyValueError::new_err(format!(
        "{name}.params[{key:?}]: a default must be a bool, int, float or str, not {}",
        v.get_type().name()?
    )))
}

/// A scenario value as Python takes it; an integer given for a real
/// parameter becomes a float.
fn to_py<'py>(py: Python<'py>, v: &toml::Value, default: Option<&toml::Value>) -> PyResult<Bound<'py, PyAny>> {
    Ok(match (v, default) {
        (toml::Value::Integer(i), Some(toml::Value::Float(_))) => PyFloat::new(py, *i as f64).into_any(),
        (toml::Value::Integer(i), _) => i.into_pyobject(py)?.into_any(),
        (toml::Value::Float(x), _) => PyFloat::new(py, *x).into_any(),
        (toml::Value::Boolean(b), _) => pyo3::types::PyBool::new(py, *b).to_owned().into_any(),
        (toml::Value::String(s), _) => PyString::new(py, s).into_any(),
        (other, _) => PyString::new(py, &other.to_string()).into_any(),
    })
}

/// Registers `cls` as family `name`: `cls.params` (a dict, optional) gives
/// the parameters' defaults, `cls.draws` (optional, default 1) the uniforms
/// each agent draws per wake-up.
#[pyfunction]
pub fn register_behaviour(name: &Bound<'_, PyAny>, cls: &Bound<'_, PyAny>) -> PyResult<()> {
    let name = crate::args::text(name, "name", "the family's name, e.g. \"contrarian\"")?;
    let name = name.as_str();
    let plain = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !plain {
        return Err(PyValueError::new_err(format!(
            "behaviour name {name:?}: letters, digits and _ only, starting with a letter"
        )));
    }
    if Registry::builtin().families().iter().any(|f| f.name == name || f.aliases.contains(&name))
        || Registry::builtin().abuses().iter().any(|f| f.name == name)
    {
        return Err(PyValueError::new_err(format!("behaviour name {name:?} is a built-in family's")));
    }
    if !cls.is_instance_of::<pyo3::types::PyType>() {
        let of = cls.get_type().name()?;
        return Err(PyTypeError::new_err(format!(
            "behaviour {name}: a class with a decide(self, ctx) method, which each group instantiates; got {} of \
             type {of}",
            cls.repr().map(|r| r.to_string()).unwrap_or_default()
        )));
    }
    if !cls.hasattr("decide")? || !cls.getattr("decide")?.is_callable() {
        return Err(PyValueError::new_err(format!("behaviour {name}: the class has no decide(self, ctx) method")));
    }
    let mut defaults = toml::Table::new();
    if let Ok(params) = cls.getattr("params")
        && !params.is_none()
    {
        let params = params.cast::<PyDict>().map_err(|_| {
            PyValueError::new_err(format!("behaviour {name}: `params` must be a dict of name → default"))
        })?;
        for (k, v) in params.iter() {
            let key: String = k
                .extract()
                .map_err(|_| PyValueError::new_err(format!("behaviour {name}: parameter names are strings")))?;
            // Each parameter becomes an instance attribute: one named like a
            // method would hide it (`decide`, `setup`, or any other).
            if matches!(key.as_str(), "decide" | "setup") || cls.getattr(key.as_str()).is_ok_and(|a| a.is_callable()) {
                return Err(PyValueError::new_err(format!(
                    "behaviour {name}: parameter {key:?} would hide the class's method of that name (each \
                     parameter is set as an instance attribute): rename the parameter"
                )));
            }
            if !key.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            {
                return Err(PyValueError::new_err(format!(
                    "behaviour {name}: parameter name {key:?}: letters, digits and _ only, not starting with a \
                     digit (a scenario writes it as a key, the class reads it as an attribute)"
                )));
            }
            // `self.from` does not parse: a keyword is no attribute a class
            // can read.
            let keyword = cls.py().import("keyword")?.getattr("iskeyword")?.call1((key.as_str(),))?.is_truthy()?;
            if keyword {
                return Err(PyValueError::new_err(format!(
                    "behaviour {name}: parameter name {key:?} is a Python keyword, which the class could not read \
                     as self.{key}: rename the parameter"
                )));
            }
            defaults.insert(key.clone(), to_toml(name, &key, &v)?);
        }
    }
    let live = live_params(name, cls, &defaults)?;
    let bounds = bounds(name, cls, &defaults)?;
    let draws = match cls.getattr("draws") {
        Ok(d) if !d.is_none() => d.extract::<usize>().ok().filter(|&d| d <= 64).ok_or_else(|| {
            PyValueError::new_err(format!("behaviour {name}: `draws` must be a whole number from 0 to 64"))
        })?,
        _ => 1,
    };
    let doc = cls.getattr("__doc__").ok().and_then(|d| d.extract::<String>().ok());
    let about = intern(doc.as_deref().and_then(|d| d.trim().lines().next()).unwrap_or("a behaviour written in Python"));
    let family =
        Arc::new(PyFamily { name: intern(name), about, cls: cls.clone().unbind(), defaults, live, draws, bounds });
    let mut all = FAMILIES.lock().unwrap_or_else(|e| e.into_inner());
    match all.iter_mut().find(|f| f.name == name) {
        Some(old) => *old = family,
        None => all.push(family),
    }
    Ok(())
}

/// The class's `bounds`: a dict of parameter name → (lowest, highest), each
/// a parameter of `params` with a number for its default, inside them.
fn bounds(name: &str, cls: &Bound<'_, PyAny>, defaults: &toml::Table) -> PyResult<Vec<(String, f64, f64)>> {
    let Ok(b) = cls.getattr("bounds") else { return Ok(Vec::new()) };
    if b.is_none() {
        return Ok(Vec::new());
    }
    let bad = |why: String| PyValueError::new_err(format!("behaviour {name}: `bounds` {why}"));
    let dict = b.cast::<PyDict>().map_err(|_| bad("must be a dict of parameter name → (lowest, highest)".into()))?;
    let mut out = Vec::new();
    for (k, v) in dict.iter() {
        let key: String = k.extract().map_err(|_| bad("has parameter names (strings) for keys".into()))?;
        let default = match defaults.get(&key) {
            Some(toml::Value::Float(x)) => *x,
            Some(toml::Value::Integer(i)) => *i as f64,
            Some(_) => return Err(bad(format!("names {key:?}, whose default in `params` is not a number"))),
            None => return Err(bad(format!("names {key:?}, which is not in `params`"))),
        };
        let (lo, hi): (f64, f64) =
            v.extract().map_err(|_| bad(format!("[{key:?}] must be a pair of numbers (lowest, highest)")))?;
        if lo.is_nan() || hi.is_nan() || lo > hi {
            return Err(bad(format!("[{key:?}] = ({lo}, {hi}): the lowest must be at most the highest")));
        }
        if !(lo <= default && default <= hi) {
            return Err(bad(format!(
                "[{key:?}] = ({lo}, {hi}) leaves out the default {default}, so a scenario that leaves {key:?} out \
                 could never run"
            )));
        }
        out.push((key, lo, hi));
    }
    Ok(out)
}

/// The class's `live_params`: names of its `params` whose default is a
/// number (not a bool), which a scenario's `group_param` events may change.
fn live_params(name: &str, cls: &Bound<'_, PyAny>, defaults: &toml::Table) -> PyResult<&'static [&'static str]> {
    let Ok(list) = cls.getattr("live_params") else { return Ok(&[]) };
    if list.is_none() {
        return Ok(&[]);
    }
    // A string is iterable too, but as its letters.
    if list.is_instance_of::<pyo3::types::PyString>() {
        return Err(PyValueError::new_err(format!(
            "behaviour {name}: `live_params` must be a list of parameter names, not one string (e.g. [{}])",
            list.repr()?
        )));
    }
    let mut live = Vec::new();
    for item in list.try_iter().map_err(|_| {
        PyValueError::new_err(format!("behaviour {name}: `live_params` must be a list of parameter names"))
    })? {
        let key: String = item?.extract().map_err(|_| {
            PyValueError::new_err(format!("behaviour {name}: `live_params` holds parameter names (strings)"))
        })?;
        match defaults.get(&key) {
            Some(toml::Value::Float(_) | toml::Value::Integer(_)) => live.push(intern(&key)),
            Some(_) => {
                return Err(PyValueError::new_err(format!(
                    "behaviour {name}: live parameter {key:?} must have a number for its default in `params`"
                )));
            }
            None => {
                return Err(PyValueError::new_err(format!(
                    "behaviour {name}: live parameter {key:?} is not in `params`"
                )));
            }
        }
    }
    // Registrations are few and a registry lives as long as the process.
    Ok(Box::leak(live.into_boxed_slice()))
}

/// The names of the registered Python behaviours, in registration order.
#[pyfunction]
pub fn behaviours() -> Vec<String> {
    FAMILIES.lock().unwrap_or_else(|e| e.into_inner()).iter().map(|f| f.name.to_string()).collect()
}

/// `items` as a Python tuple.
fn tuple_of<'py, T: IntoPyObject<'py> + Copy>(py: Python<'py>, items: &[T]) -> PyResult<Py<PyTuple>> {
    Ok(PyTuple::new(py, items.iter().copied())?.unbind())
}

/// Declares `Batch`'s getters: of cached tuples, each built from its Rust
/// array the first time it is read in a batch, then handed out again; then
/// of plain numbers. Every one refuses a batch whose call has returned.
macro_rules! cached {
    (
        $($(#[$doc:meta])* $name:ident => |$s:ident, $py:ident| $make:expr;)* ;
        $($(#[$sdoc:meta])* $scalar:ident: $sty:ty;)* ;
        $($extra:item)*
    ) => {
        /// Tuples already built in this batch, by getter.
        #[derive(Default)]
        struct Cache { $($name: Option<Py<PyTuple>>,)* }

        #[pymethods]
        impl Batch {
            $(
                $(#[$doc])*
                #[getter]
                fn $name(&mut self, $py: Python<'_>) -> PyResult<Py<PyTuple>> {
                    let d = self.data_mut()?;
                    if let Some(t) = &d.cache.$name {
                        return Ok(t.clone_ref($py));
                    }
                    let $s = &*d;
                    let t: Py<PyTuple> = $make;
                    d.cache.$name = Some(t.clone_ref($py));
                    Ok(t)
                }
            )*
            $(
                $(#[$sdoc])*
                #[getter]
                fn $scalar(&self) -> PyResult<$sty> {
                    self.data().map(|d| d.$scalar)
                }
            )*
            $($extra)*
        }
    };
}

/// One lookahead batch of a Python group, as `decide(ctx)` reads it: the
/// agents waking (index `i` into every per-agent array), their own
/// accounts and orders, the market at the start of the batch. Valid
/// during the call only (after it, reading it raises `RuntimeError`); the
/// arrays are tuples, built when first read.
#[pyclass(module = "tplus", name = "Batch")]
pub struct Batch {
    /// The batch's arrays while its `decide` call is under way; taken back
    /// by the group when the call returns, which leaves the object closed.
    data: Option<Box<BatchData>>,
}

/// What a [`Batch`] holds: the arrays, which the group keeps from call to
/// call (and with them the tuples still good).
pub struct BatchData {
    /// Products in the scenario.
    n_products: usize,
    ids: Vec<u32>,
    times: Vec<i64>,
    members: Vec<u32>,
    cash: Vec<f64>,
    /// Per agent then product.
    held: Vec<u32>,
    sellable: Vec<u32>,
    locked: Vec<u32>,
    due: Vec<u32>,
    /// Per agent: the product of its resting bid and ask, -1 for none.
    resting: Vec<[i64; 2]>,
    /// Uniforms each agent drew (the class's `draws`).
    draws: usize,
    uniforms: Vec<f64>,
    /// Per product.
    nav: Vec<f64>,
    nav_next: Vec<f64>,
    best_bid: Vec<Option<i64>>,
    best_ask: Vec<Option<i64>>,
    last_price: Vec<Option<i64>>,
    band_lo: Vec<i64>,
    band_hi: Vec<i64>,
    lot_value: Vec<f64>,
    max_order_lots: Vec<u32>,
    last_return: Vec<f64>,
    sale_success: Vec<f64>,
    imbalance: Vec<f64>,
    /// Per product, its recent window returns (oldest first), one after another.
    returns: Vec<f64>,
    returns_at: Vec<usize>,
    group_products: Vec<u16>,
    /// When the batch's snapshot was taken, in nanoseconds since 00:00 of the start date.
    time: i64,
    /// Business day, 0 = the first.
    day: u32,
    /// Share of today's session still to come, 1 at the open to 0 at the close.
    session_left: f64,
    /// Rate customers borrow at, a fraction per year.
    loan_rate: f64,
    /// Bank deposit rate, a fraction per year.
    deposit_rate: f64,
    /// Metrics windows per business day.
    windows_per_day: f64,
    /// Members in the group (`members` runs from 0 to this minus 1).
    group_size: u32,
    cache: Cache,
}

/// Rows of `width` from a flat per-agent array, as a tuple of tuples.
fn rows<'py>(py: Python<'py>, flat: &[u32], width: usize) -> PyResult<Py<PyTuple>> {
    let rows: PyResult<Vec<Bound<'py, PyTuple>>> = flat.chunks(width.max(1)).map(|r| PyTuple::new(py, r)).collect();
    Ok(PyTuple::new(py, rows?)?.unbind())
}

cached! {
    /// Each agent's account id.
    ids => |s, py| tuple_of(py, &s.ids)?;
    /// When each agent woke, in nanoseconds since 00:00 of the start date.
    times => |s, py| tuple_of(py, &s.times)?;
    /// Each agent's place in its group, 0 to group_size - 1 (for state kept per member).
    members => |s, py| tuple_of(py, &s.members)?;
    /// Each agent's free cash (not promised to resting buys), in currency units.
    cash => |s, py| tuple_of(py, &s.cash)?;
    /// held[i][p]: lots of product p agent i holds.
    held => |s, py| rows(py, &s.held, s.n_products)?;
    /// sellable[i][p]: lots agent i may sell today (bought before today, not promised to a resting sale).
    sellable => |s, py| rows(py, &s.sellable, s.n_products)?;
    /// locked[i][p]: lots agent i bought today, which T+1 keeps from being sold before the next business day.
    locked => |s, py| rows(py, &s.locked, s.n_products)?;
    /// due[i][p]: lots the platform redeems at today's close (at the holding limit) unless agent i sells them.
    due => |s, py| rows(py, &s.due, s.n_products)?;
    /// The product of each agent's resting bid, None when it has none.
    resting_bid => |s, py| PyTuple::new(py, s.resting.iter().map(|r| (r[0] >= 0).then_some(r[0])))?.unbind();
    /// The product of each agent's resting ask, None when it has none.
    resting_ask => |s, py| PyTuple::new(py, s.resting.iter().map(|r| (r[1] >= 0).then_some(r[1])))?.unbind();
    /// uniforms[i * draws + k]: agent i's k-th uniform on [0, 1) of this wake-up, from its own generator.
    uniforms => |s, py| tuple_of(py, &s.uniforms)?;
    /// Per product: today's NAV, in ticks (fractional).
    nav => |s, py| tuple_of(py, &s.nav)?;
    /// Per product: the NAV on the next business day, in ticks.
    nav_next => |s, py| tuple_of(py, &s.nav_next)?;
    /// Per product: the best bid in ticks, None when no one bids.
    best_bid => |s, py| tuple_of(py, &s.best_bid)?;
    /// Per product: the best ask in ticks, None when no one offers.
    best_ask => |s, py| tuple_of(py, &s.best_ask)?;
    /// Per product: the last trade's price in ticks, None before the first.
    last_price => |s, py| tuple_of(py, &s.last_price)?;
    /// Per product: the lowest limit price accepted today, in ticks.
    band_lo => |s, py| tuple_of(py, &s.band_lo)?;
    /// Per product: the highest limit price accepted today, in ticks.
    band_hi => |s, py| tuple_of(py, &s.band_hi)?;
    /// Per product: what one lot costs per tick of price, in currency units.
    lot_value => |s, py| tuple_of(py, &s.lot_value)?;
    /// Per product: the largest order accepted, in lots.
    max_order_lots => |s, py| tuple_of(py, &s.max_order_lots)?;
    /// Per product: the last metrics window's log return of the anchor price (the mid of a two-sided book, else NAV; 0 before any).
    last_return => |s, py| tuple_of(py, &s.last_return)?;
    /// Per product: share of customers' sales that filled, smoothed over recent windows.
    sale_success => |s, py| tuple_of(py, &s.sale_success)?;
    /// Per product: customers' order imbalance in the last window, (buys - sells) / (buys + sells).
    imbalance => |s, py| tuple_of(py, &s.imbalance)?;
    /// Per product: the recent windows' log returns, oldest first.
    returns => |s, py| {
        let each: PyResult<Vec<Bound<'_, PyTuple>>> =
            s.returns_at.windows(2).map(|w| PyTuple::new(py, &s.returns[w[0]..w[1]])).collect();
        PyTuple::new(py, each?)?.unbind()
    };
    /// The products this group trades (indices into the per-product arrays).
    products => |s, py| tuple_of(py, &s.group_products)?;
    ;
    /// Products in the scenario.
    n_products: usize;
    /// Uniforms each agent drew (the class's `draws`).
    draws: usize;
    /// When the batch's snapshot was taken, in nanoseconds since 00:00 of the start date.
    time: i64;
    /// Business day, 0 = the first.
    day: u32;
    /// Share of today's session still to come, 1 at the open to 0 at the close.
    session_left: f64;
    /// Rate customers borrow at, a fraction per year.
    loan_rate: f64;
    /// Bank deposit rate, a fraction per year.
    deposit_rate: f64;
    /// Metrics windows per business day.
    windows_per_day: f64;
    /// Members in the group (`members` runs from 0 to this minus 1).
    group_size: u32;
    ;
    /// Agents in the batch.
    fn __len__(&self) -> PyResult<usize> {
        self.data().map(|d| d.ids.len())
    }

    fn __repr__(&self) -> String {
        match self.data() {
            Ok(d) => format!("tplus.Batch({} agents at {} ns, day {})", d.ids.len(), d.time, d.day),
            Err(_) => "tplus.Batch(closed: its decide call has returned)".into(),
        }
    }
}

impl Batch {
    /// The batch's arrays, or the error of a batch whose `decide` call has
    /// returned: the group hands each call a `Batch` of its own and takes
    /// the arrays back after, so a batch kept (in a list, on `self`) is
    /// refused, not read as another call's.
    fn data(&self) -> PyResult<&BatchData> {
        self.data.as_deref().ok_or_else(closed)
    }

    /// [`Batch::data`], to change (its tuples kept).
    fn data_mut(&mut self) -> PyResult<&mut BatchData> {
        self.data.as_deref_mut().ok_or_else(closed)
    }
}

/// The error of a group whose arrays a call kept: cannot happen while
/// getters hold no borrow past their return, but halts the group if it does.
fn lost() -> PyErr {
    PyRuntimeError::new_err("tplus: a Batch's arrays were not handed back after its call (a bug: please report it)")
}

/// The error of reading a [`Batch`] whose call has returned.
fn closed() -> PyErr {
    PyRuntimeError::new_err(
        "a tplus.Batch is valid during its decide call only, and this one's call has returned: copy what you \
         need while the call runs (e.g. list(ctx.cash) or ctx.nav[p])",
    )
}

impl BatchData {
    fn new(draws: usize, group_products: Vec<u16>, group_size: u32) -> BatchData {
        BatchData {
            n_products: 0,
            ids: Vec::new(),
            times: Vec::new(),
            members: Vec::new(),
            cash: Vec::new(),
            held: Vec::new(),
            sellable: Vec::new(),
            locked: Vec::new(),
            due: Vec::new(),
            resting: Vec::new(),
            draws,
            uniforms: Vec::new(),
            nav: Vec::new(),
            nav_next: Vec::new(),
            best_bid: Vec::new(),
            best_ask: Vec::new(),
            last_price: Vec::new(),
            band_lo: Vec::new(),
            band_hi: Vec::new(),
            lot_value: Vec::new(),
            max_order_lots: Vec::new(),
            last_return: Vec::new(),
            sale_success: Vec::new(),
            imbalance: Vec::new(),
            returns: Vec::new(),
            returns_at: Vec::new(),
            group_products,
            time: 0,
            day: 0,
            session_left: 0.0,
            loan_rate: 0.0,
            deposit_rate: 0.0,
            windows_per_day: 0.0,
            group_size,
            cache: Cache::default(),
        }
    }

    /// Refills every array for the batch `wakes` of the group whose first
    /// member is `first`: the buffers keep their capacity, so a warm group
    /// allocates nothing in Rust.
    fn fill(&mut self, wakes: &[(i64, u32)], ctx: &Context<'_>, agents: &mut [Agent<()>], first: u32) {
        // The agents' arrays are new in every batch; the products' often
        // are not (see `refill`).
        let c = &mut self.cache;
        for t in [
            &mut c.ids,
            &mut c.times,
            &mut c.members,
            &mut c.cash,
            &mut c.held,
            &mut c.sellable,
            &mut c.locked,
            &mut c.due,
            &mut c.resting_bid,
            &mut c.resting_ask,
            &mut c.uniforms,
        ] {
            *t = None;
        }
        let snap = ctx.snapshot;
        let acc = ctx.accounts;
        let n_products = snap.products.len();
        self.n_products = n_products;
        self.time = snap.time;
        self.day = snap.day;
        self.session_left = snap.session_left;
        self.loan_rate = snap.loan_rate;
        self.deposit_rate = snap.deposit_rate;
        self.windows_per_day = snap.windows_per_day;
        for v in [&mut self.held, &mut self.sellable, &mut self.locked, &mut self.due] {
            v.clear();
        }
        self.ids.clear();
        self.times.clear();
        self.members.clear();
        self.cash.clear();
        self.resting.clear();
        self.uniforms.clear();
        for &(now, id) in wakes {
            let member = id - first;
            self.ids.push(id);
            self.times.push(now);
            self.members.push(member);
            self.cash.push(acc.available_cash(id) as f64 / 1e6);
            for p in 0..n_products {
                self.held.push(acc.held(p, id));
                self.sellable.push(acc.sellable(p, id, snap.day));
                self.locked.push(acc.locked_today(p, id, snap.day));
                self.due.push(acc.due_today(p, id, snap.day));
            }
            let agent = &mut agents[member as usize];
            let side = |s: Side| agent.live(s).map_or(-1, |l| i64::from(l.product));
            self.resting.push([side(Side::Buy), side(Side::Sell)]);
            for _ in 0..self.draws {
                self.uniforms.push(agent.rng.random::<f64>());
            }
        }
        let (views, markets) = (&snap.products, &snap.markets);
        let c = &mut self.cache;
        refill(&mut self.nav, &mut c.nav, views.iter().map(|v| v.nav_ticks));
        refill(&mut self.nav_next, &mut c.nav_next, views.iter().map(|v| v.nav_next_ticks));
        refill(&mut self.best_bid, &mut c.best_bid, views.iter().map(|v| v.best_bid));
        refill(&mut self.best_ask, &mut c.best_ask, views.iter().map(|v| v.best_ask));
        refill(&mut self.last_price, &mut c.last_price, views.iter().map(|v| v.last_price));
        refill(&mut self.band_lo, &mut c.band_lo, views.iter().map(|v| v.band_lo));
        refill(&mut self.band_hi, &mut c.band_hi, views.iter().map(|v| v.band_hi));
        refill(&mut self.lot_value, &mut c.lot_value, views.iter().map(|v| v.lot_micros_per_tick as f64 / 1e6));
        refill(&mut self.max_order_lots, &mut c.max_order_lots, views.iter().map(|v| v.max_order_lots));
        refill(&mut self.last_return, &mut c.last_return, markets.iter().map(|m| m.last_return()));
        refill(&mut self.sale_success, &mut c.sale_success, markets.iter().map(|m| m.sale_success));
        refill(&mut self.imbalance, &mut c.imbalance, markets.iter().map(|m| m.imbalance));
        let same_returns = self.returns_at.len() == markets.len() + 1
            && markets.iter().zip(self.returns_at.windows(2)).all(|(m, w)| m.returns[..] == self.returns[w[0]..w[1]]);
        if !same_returns {
            c.returns = None;
            self.returns.clear();
            self.returns_at.clear();
            self.returns_at.push(0);
            for m in markets {
                self.returns.extend_from_slice(&m.returns);
                self.returns_at.push(self.returns.len());
            }
        }
    }
}

/// Sets `v` to the values `new` gives, in place; a tuple built from the
/// old values is dropped only if they changed. A product's view changes
/// with trades and windows, not with every batch, so a behaviour reading
/// `ctx.nav` in each call mostly gets the tuple it had.
fn refill<T: PartialEq>(v: &mut Vec<T>, cached: &mut Option<Py<PyTuple>>, new: impl Iterator<Item = T>) {
    let mut same = true;
    let mut n = 0;
    for x in new {
        match v.get_mut(n) {
            Some(old) if *old == x => {}
            Some(old) => {
                *old = x;
                same = false;
            }
            None => {
                v.push(x);
                same = false;
            }
        }
        n += 1;
    }
    if v.len() != n {
        v.truncate(n);
        same = false;
    }
    if !same {
        *cached = None;
    }
}

/// A group of a Python behaviour at run time.
pub struct PyGroup {
    name: &'static str,
    /// The group's index among the scenario's `[[agents]]`.
    index: usize,
    /// The group's instance, whose attributes hold its parameters.
    obj: Py<PyAny>,
    /// The bound `decide` method of the group's instance.
    decide: Py<PyAny>,
    /// Its live parameters, each with whether its default is a whole number
    /// and the range its class's `bounds` give it.
    live: &'static [&'static str],
    whole: Vec<bool>,
    range: Vec<Option<(f64, f64)>>,
    /// The batch's arrays between calls: each call gets a `tplus.Batch`
    /// of its own holding them, and they are taken back, the object left
    /// closed, once it returns (None only while a call holds them).
    batch: Option<Box<BatchData>>,
    first_id: u32,
    /// Each member's generator and resting orders.
    agents: Vec<Agent<()>>,
    latency: Latency,
    /// The products the group trades.
    products: Vec<u16>,
    /// Per agent of the batch, the messages its actions send, in order
    /// (a cancel of both sides is two; reused from batch to batch).
    actions: Vec<Vec<Action>>,
    /// Per agent of the batch, the actions `decide` returned for it: at
    /// most [`MAX_ACTIONS`], as docs/python.md says.
    counts: Vec<usize>,
    decisions: Vec<(u32, Decision)>,
    /// Why the group stopped deciding, once it has.
    failed: Option<String>,
    link: Option<Arc<RunLink>>,
    /// The Python thread state this group bound to the engine's thread.
    bound: Option<ThreadBinding>,
}

/// A Python thread state made for a thread Python does not know (a pool
/// thread the engine runs on with `threads` above 1), kept for the run.
/// Without it every batch's attach makes and deletes a thread state: 8.6 µs
/// a decision (median of 3 pairs, 2 days) at `--threads 2` in
/// `benches/behaviour_overhead.py`, against 0.7 µs with it (7 pairs, 5 days).
struct ThreadBinding {
    thread: std::thread::ThreadId,
    state: pyo3::ffi::PyGILState_STATE,
    /// The thread state, released (`PyEval_SaveThread`) between batches; an
    /// address, so that the group stays `Send`.
    saved: usize,
}

impl PyGroup {
    /// Binds a Python thread state to the calling thread for the rest of
    /// the run if it has none.
    fn bind_thread(&mut self) {
        if self.bound.is_some() {
            return;
        }
        // SAFETY: the interpreter is initialised (this module is loaded in
        // it) and the calling thread does not hold the GIL (the engine
        // never holds it between batches). Ensure makes a thread state and
        // takes the GIL; SaveThread gives the GIL back and keeps the state,
        // which pyo3's attach then finds and restores at each batch. The
        // state is released on this same thread when the group is dropped.
        unsafe {
            if !pyo3::ffi::PyGILState_GetThisThreadState().is_null() {
                return;
            }
            let state = pyo3::ffi::PyGILState_Ensure();
            let saved = pyo3::ffi::PyEval_SaveThread() as usize;
            self.bound = Some(ThreadBinding { thread: std::thread::current().id(), state, saved });
        }
    }
}

impl Drop for PyGroup {
    fn drop(&mut self) {
        let Some(b) = self.bound.take() else { return };
        if b.thread != std::thread::current().id() {
            // Only its own thread may release it: left to the interpreter's end.
            return;
        }
        // SAFETY: on the thread `bind_thread` bound, which holds no GIL
        // (the engine has finished with the group): restoring the saved
        // state takes the GIL, and Release, its counter back to zero,
        // deletes the state and gives the GIL back.
        unsafe {
            pyo3::ffi::PyEval_RestoreThread(b.saved as *mut pyo3::ffi::PyThreadState);
            pyo3::ffi::PyGILState_Release(b.state);
        }
    }
}

impl PyGroup {
    fn build(
        fam: &PyFamily,
        link: Option<Arc<RunLink>>,
        table: &toml::Table,
        setup: GroupSetup,
        first_id: u32,
        streams: &Streams,
        latency: Latency,
    ) -> Result<Box<dyn Population>, Invalid> {
        let products = setup.products.0.clone();
        let made = Python::attach(|py| -> PyResult<(Py<PyAny>, Py<PyAny>)> {
            let obj = fam.cls.bind(py).call0()?;
            for (k, default) in &fam.defaults {
                let v = table.get(k).unwrap_or(default);
                obj.setattr(k.as_str(), to_py(py, v, Some(default))?)?;
            }
            if obj.hasattr("setup")? {
                let group = PyDict::new(py);
                group.set_item("index", setup.index)?;
                group.set_item("size", setup.members)?;
                group.set_item("first_id", first_id)?;
                group.set_item("products", products.clone())?;
                obj.call_method1("setup", (group,))?;
            }
            let decide = obj.getattr("decide")?.unbind();
            Ok((obj.unbind(), decide))
        });
        let batch = Some(Box::new(BatchData::new(fam.draws, products.clone(), setup.members)));
        let (obj, decide) = made.map_err(|e| {
            let message = format!("{} could not be set up: {e}", fam.name);
            if let Some(link) = &link {
                link.keep(e);
            }
            Invalid { field: "family".into(), message, accepted: String::new(), kind: InvalidKind::Other }
        })?;
        let agents = (first_id..first_id + setup.members).map(|id| Agent::new(streams.agent(id), ())).collect();
        Ok(Box::new(PyGroup {
            name: fam.name,
            index: setup.index,
            obj,
            decide,
            live: fam.live,
            whole: fam.live.iter().map(|k| matches!(fam.defaults.get(*k), Some(toml::Value::Integer(_)))).collect(),
            range: fam
                .live
                .iter()
                .map(|k| fam.bounds.iter().find(|(b, ..)| b == k).map(|&(_, lo, hi)| (lo, hi)))
                .collect(),
            batch,
            first_id,
            agents,
            latency,
            products,
            actions: Vec::new(),
            counts: Vec::new(),
            decisions: Vec::new(),
            failed: None,
            link,
            bound: None,
        }))
    }

    /// Calls `decide` on the batch `wakes` and reads its actions into
    /// `self.actions` (one list per agent of the batch); false, with the
    /// group halted, if Python raised or returned something unreadable.
    fn call(&mut self, wakes: &[(i64, u32)], ctx: &Context<'_>) -> bool {
        if self.failed.is_some() {
            return false;
        }
        self.actions.iter_mut().for_each(Vec::clear);
        if self.actions.len() < wakes.len() {
            self.actions.resize_with(wakes.len(), Vec::new);
        }
        self.counts.clear();
        self.counts.resize(wakes.len(), 0);
        self.bind_thread();
        let outcome = Python::attach(|py| -> PyResult<()> {
            let mut data = self.batch.take().ok_or_else(lost)?;
            data.fill(wakes, ctx, &mut self.agents, self.first_id);
            let given = Py::new(py, Batch { data: Some(data) })?;
            let read = self.decide.bind(py).call1((given.bind(py),)).and_then(|ret| self.read(&ret, wakes));
            // The arrays back for the next call: no getter holds a borrow
            // once it returns.
            self.batch = given.bind(py).try_borrow_mut().ok().and_then(|mut b| b.data.take());
            read?;
            self.batch.as_ref().map(|_| ()).ok_or_else(lost)
        });
        match outcome {
            Ok(()) => true,
            Err(e) => {
                self.failed = Some(format!("{}.decide: {e}", self.name));
                if let Some(link) = &self.link {
                    link.keep(e);
                }
                false
            }
        }
    }

    /// Reads `decide`'s return: None, or an iterable of action tuples.
    fn read(&mut self, ret: &Bound<'_, PyAny>, wakes: &[(i64, u32)]) -> PyResult<()> {
        if ret.is_none() {
            return Ok(());
        }
        let bad = |k: usize, what: String| {
            BehaviourError::new_err(format!(
                "{} (agents[{}]).decide returned a bad action {k}: {what}",
                self.name, self.index
            ))
        };
        // One action returned bare, not in a list: a tuple whose first item is
        // an action code would otherwise be read item by item.
        if let Ok(t) = ret.cast::<PyTuple>()
            && t.get_item(0).is_ok_and(|c| c.is_instance_of::<PyInt>())
        {
            return Err(BehaviourError::new_err(format!(
                "{}.decide returned one action, not a list of them: return [tplus.buy(...)], or None for no action",
                self.name
            )));
        }
        let iter = ret.try_iter().map_err(|_| {
            BehaviourError::new_err(format!(
                "{}.decide must return None or a list of actions (tplus.buy, tplus.sell, tplus.cancel), not {}",
                self.name,
                ret.get_type().name().map(|n| n.to_string()).unwrap_or_default()
            ))
        })?;
        for (k, item) in iter.enumerate() {
            let item = item?;
            let Ok(t) = item.cast::<PyTuple>() else {
                let ty = item.get_type().name().map(|n| n.to_string()).unwrap_or_default();
                return Err(bad(
                    k,
                    format!("expected a tuple made by tplus.buy, tplus.sell or tplus.cancel, got {ty}"),
                ));
            };
            let int = |j: usize, what: &str| -> PyResult<i64> {
                let v = t.get_item(j).map_err(|_| bad(k, format!("no {what} (item {j})")))?;
                // An int, or what stands for one as `operator.index` takes it
                // (numpy's integers), but not a bool.
                let ty = || v.get_type().name().map(|n| n.to_string()).unwrap_or_default();
                let integral = v.is_instance_of::<PyInt>() || v.hasattr("__index__").unwrap_or(false);
                if v.is_instance_of::<pyo3::types::PyBool>() || !integral {
                    return Err(bad(k, format!("{what} must be an int, got {}", ty())));
                }
                v.extract::<i64>().map_err(|e| {
                    if e.is_instance_of::<pyo3::exceptions::PyOverflowError>(v.py()) {
                        bad(k, format!("{what} is out of range"))
                    } else {
                        bad(k, format!("{what} must be an int, got {}", ty()))
                    }
                })
            };
            let code = int(0, "the action code")?;
            let i = int(1, "the agent index")?;
            let Some(slot) = usize::try_from(i).ok().filter(|&i| i < wakes.len()) else {
                return Err(bad(
                    k,
                    format!("agent index {i} is not in 0..{} (indices into ctx's arrays)", wakes.len()),
                ));
            };
            self.counts[slot] += 1;
            if self.counts[slot] > MAX_ACTIONS {
                return Err(bad(
                    k,
                    format!(
                        "agent {i}: more than {MAX_ACTIONS} actions in one call (each tplus.buy, tplus.sell and \
                         tplus.cancel is one)"
                    ),
                ));
            }
            let action = match code {
                BUY | SELL => {
                    if t.len() != 7 {
                        return Err(bad(k, format!("an order has 7 items, this one {}", t.len())));
                    }
                    let product = int(2, "the product")?;
                    if !self.products.iter().any(|&p| i64::from(p) == product) {
                        return Err(bad(k, format!("product {product}: the group trades {:?}", self.products)));
                    }
                    let lots = int(3, "lots")?;
                    let Some(lots) = u32::try_from(lots).ok().filter(|&l| l > 0) else {
                        return Err(bad(k, format!("lots {lots}: a whole number from 1 to {}", u32::MAX)));
                    };
                    let price = t.get_item(4)?;
                    let flags = int(5, "the flags")?;
                    if !(0..=AON | IOC).contains(&flags) {
                        return Err(bad(k, format!("flags {flags}: 0 to 3 (1 all-or-none, 2 immediate-or-cancel)")));
                    }
                    let ttl = int(6, "the time to live")?;
                    if ttl <= 0 {
                        return Err(bad(k, format!("time to live {ttl} ns: above 0")));
                    }
                    let (kind, price) = if price.is_none() {
                        (OrderKind::Market, 0)
                    } else {
                        let p = int(4, "the price")?;
                        if p <= 0 {
                            return Err(bad(k, format!("price {p} ticks: above 0 (None for a market order)")));
                        }
                        (if flags & IOC != 0 { OrderKind::Ioc } else { OrderKind::Limit }, p)
                    };
                    Action::Submit(OrderRequest {
                        product: product as u16,
                        side: if code == BUY { Side::Buy } else { Side::Sell },
                        kind,
                        price,
                        lots,
                        all_or_none: flags & AON != 0,
                        ttl,
                    })
                }
                CANCEL => {
                    if t.len() != 3 {
                        return Err(bad(k, format!("a cancel has 3 items, this one {}", t.len())));
                    }
                    let side = int(2, "the side")?;
                    let agent = &self.agents[(wakes[slot].1 - self.first_id) as usize];
                    let sides: &[Side] = match side {
                        0 => &[Side::Buy],
                        1 => &[Side::Sell],
                        2 => &[Side::Buy, Side::Sell],
                        _ => return Err(bad(k, format!("side {side}: 0 (bid), 1 (ask) or 2 (both)"))),
                    };
                    // One message per resting order it withdraws (none when none rests).
                    for &s in sides {
                        if let Some(live) = agent.live(s) {
                            self.actions[slot].push(live.cancel());
                        }
                    }
                    continue;
                }
                other => return Err(bad(k, format!("action code {other}: 0 (buy), 1 (sell) or 2 (cancel)"))),
            };
            self.actions[slot].push(action);
        }
        Ok(())
    }
}

impl Population for PyGroup {
    fn family(&self) -> &'static str {
        self.name
    }

    fn live_mut(&mut self, id: u32) -> &mut [LiveOrder; 2] {
        &mut self.agents[(id - self.first_id) as usize].live
    }

    fn prefetch(&self, _id: u32) {}

    fn prefetch_all(&self, _wakes: &[(i64, u32)]) {}

    fn decide(&mut self, wakes: &[(i64, u32)], ctx: &Context<'_>, out: &mut Vec<(i64, u32, Action)>) {
        if !self.call(wakes, ctx) {
            return;
        }
        for (&(now, id), actions) in wakes.iter().zip(&self.actions) {
            if !actions.is_empty() {
                // One message per wake-up, as the built-ins send.
                let at = now + self.latency.draw(&mut self.agents[(id - self.first_id) as usize].rng);
                out.extend(actions.iter().map(|&a| (at, id, a)));
            }
        }
    }

    fn decide_apart(&mut self, wakes: &[(i64, u32)], ctx: &Context<'_>) {
        // The engine keeps this group on its own thread (decides_alone);
        // should it ask anyway, the batch is still one call, in order.
        self.decisions.clear();
        if !self.call(wakes, ctx) {
            return;
        }
        for (&(now, id), actions) in wakes.iter().zip(&self.actions) {
            // A decision holds MAX_ACTIONS messages, and four actions may
            // send five (a cancel of both sides is two): more halts the group.
            let mut d = Decision { at: 0, actions: Actions::default() };
            if !actions.iter().all(|&a| d.actions.push(a)) {
                let e = format!("{}: agent {id} sent more than {MAX_ACTIONS} messages in one decision", self.name);
                self.failed = Some(e.clone());
                if let Some(link) = &self.link {
                    link.keep(BehaviourError::new_err(e));
                }
                self.decisions.clear();
                return;
            }
            if !actions.is_empty() {
                d.at = now + self.latency.draw(&mut self.agents[(id - self.first_id) as usize].rng);
            }
            self.decisions.push((id, d));
        }
    }

    fn urge_sell(&mut self, (now, id): (i64, u32), ctx: &Context<'_>, out: &mut Vec<(i64, u32, Action)>) {
        // A run of sale applications: the default panic sale, in Rust.
        let agent = &mut self.agents[(id - self.first_id) as usize];
        let mut actions = Actions::default();
        panic_sale(Wake { id, now }, agent, ctx, &mut actions);
        if !actions.is_empty() {
            let at = now + self.latency.draw(&mut agent.rng);
            out.extend(actions.iter().map(|&a| (at, id, a)));
        }
    }

    fn decisions(&self) -> &[(u32, Decision)] {
        &self.decisions
    }

    fn cost_ns(&self) -> f64 {
        // Never spread (decides_alone): its cost decides nothing.
        0.0
    }

    fn has_dynamics(&self) -> bool {
        false
    }

    fn is_dealer(&self) -> bool {
        false
    }

    fn open_day(&mut self, _open: i64) {}

    fn advance(&mut self, _t: i64, _market: &tplus::agents::Snapshot) {}

    fn crowd(&self) -> Option<tplus::agents::CrowdView> {
        None
    }

    fn live_params(&self) -> &'static [&'static str] {
        self.live
    }

    fn live_param(&self, name: &str) -> Option<f64> {
        if !self.live.contains(&name) {
            return None;
        }
        Python::attach(|py| self.obj.bind(py).getattr(name).and_then(|v| v.extract::<f64>()).ok())
    }

    /// Sets the instance's attribute, kept within the class's `bounds` for
    /// it (as a built-in family's is kept within its declared range), a
    /// whole number for a parameter whose default is one. An exception (a
    /// property that refuses the value) halts the group as one from
    /// `decide` does.
    fn set_live_param(&mut self, name: &str, value: f64) {
        let Some(i) = self.live.iter().position(|&k| k == name) else { return };
        // A whole-number parameter is rounded first and kept to the whole
        // numbers within its bounds (its default is one of them).
        let value = match (self.range[i], self.whole[i]) {
            (Some((lo, hi)), true) => value.round().clamp(lo.ceil(), hi.floor()),
            (Some((lo, hi)), false) => value.clamp(lo, hi),
            (None, _) => value,
        };
        let set = Python::attach(|py| -> PyResult<()> {
            let obj = self.obj.bind(py);
            if self.whole[i] { obj.setattr(name, value.round() as i64) } else { obj.setattr(name, value) }
        });
        if let Err(e) = set {
            self.failed = Some(format!("{}: setting {name}: {e}", self.name));
            if let Some(link) = &self.link {
                link.keep(e);
            }
        }
    }

    fn decides_alone(&self) -> bool {
        true
    }

    fn halted(&self) -> Option<String> {
        self.failed.clone()
    }
}
