//! The native half of `tplus.gym`: one stepped run with one external
//! customer, whom the learner controls (`ExternalSim`). A step sends the
//! learner's action now, runs the market for a fixed stretch of simulated
//! time and hands back the observation as packed float32s, with the
//! customer's wealth marked at NAV and its refusals so far; the gymnasium
//! API, the spaces and the reward are in Python (`tplus/gym.py`). Keeping
//! the step in one call is what lets an episode run at tens of thousands
//! of steps a second.

use std::sync::{Arc, Mutex, MutexGuard, TryLockError};

use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyDict};
use tplus::agents::external::{ExternalSetup, add_external, with_external};
use tplus::agents::{Action, OrderRequest};
use tplus::book::{OrderKind, Side};
use tplus::engine::control::{ControlError, Tally};
use tplus::engine::live::LiveSim;
use tplus::platform::Reject;

use crate::{PyScenario, RunError, args, behaviour};

/// Floats in an observation; `tplus/gym.py` names them (`OBSERVATION`).
const OBS_LEN: usize = 25;

/// What the learner does at a step (the first component of its action).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Hold = 0,
    Subscribe = 1,
    Sell = 2,
    Cancel = 3,
}

impl Kind {
    fn from(k: i64) -> PyResult<Kind> {
        Ok(match k {
            0 => Kind::Hold,
            1 => Kind::Subscribe,
            2 => Kind::Sell,
            3 => Kind::Cancel,
            _ => return Err(PyValueError::new_err(format!("action kind {k}: 0 hold, 1 subscribe, 2 sell, 3 cancel"))),
        })
    }
}

fn control_error(e: ControlError) -> PyErr {
    PyValueError::new_err(e.to_string())
}

/// The run behind an [`ExternalSim`] and what its observations need.
struct Sim {
    live: LiveSim,
    /// The product the customer trades.
    product: usize,
    /// Micros per lot per tick of price.
    lot_micros_per_tick: f64,
    ticks_per_unit: f64,
    /// The run is over: the last session has closed, or a behaviour failed.
    done: bool,
    /// Where the run's Python behaviours leave the exception one raised.
    link: Arc<behaviour::RunLink>,
}

impl Sim {
    /// A behaviour of the run failed: the run ends (as a whole run stops at
    /// its next boundary) and its exception is raised as it was, or the
    /// engine's reason when there is none to raise.
    fn raise_failure(&mut self) -> PyResult<()> {
        let Some(e) = self.live.halted() else { return Ok(()) };
        self.done = true;
        Err(self.link.take_error().unwrap_or_else(|| RunError::new_err(e.to_string())))
    }

    /// Runs to just after the next open (the open's own work done), or to
    /// the end when no session is left.
    fn enter_session(&mut self) {
        match self.live.next_open() {
            Some(open) => self.live.advance_to(open + 1),
            None if self.live.current_window().is_none() => {
                self.live.advance_to(i64::MAX);
            }
            None => {}
        }
        self.done = self.live.finished();
    }

    /// Today's NAV in fractional ticks.
    fn nav_ticks(&self) -> f64 {
        let day = (self.live.day() as usize).min(self.live.products()[self.product].nav_ticks.len().saturating_sub(1));
        self.live.products()[self.product].nav_ticks.get(day).copied().unwrap_or(0.0)
    }

    /// The customer's cash and holding marked at today's NAV, in currency.
    fn wealth(&self) -> f64 {
        let nav_lot = self.nav_ticks() * self.lot_micros_per_tick;
        self.live.position(self.product).map_or(0.0, |p| (p.cash as f64 + f64::from(p.held) * nav_lot) / 1e6)
    }

    fn observation(&self) -> [f32; OBS_LEN] {
        let live = &self.live;
        let p = self.product;
        let nav = self.nav_ticks();
        let rel = |price: i64| price as f64 - nav;
        let mut o = [0f64; OBS_LEN];
        let cal = live.calendar();
        let day = live.day();
        if let Some(d) = cal.days().get(day as usize) {
            o[0] = ((live.now() - d.open) as f64 / (d.close - d.open).max(1) as f64).clamp(0.0, 1.0);
        }
        o[1] = f64::from(day) / cal.days().len().max(1) as f64;
        o[2] = nav / self.ticks_per_unit;
        let base = live.products()[p].grid_base;
        let mut level = [(0u32, 0u64); 1];
        let bid = (live.depth(p, Side::Buy, &mut level) == 1).then(|| (base + i64::from(level[0].0), level[0].1));
        let ask = (live.depth(p, Side::Sell, &mut level) == 1).then(|| (base + i64::from(level[0].0), level[0].1));
        if let Some((price, lots)) = bid {
            (o[3], o[5], o[8]) = (rel(price), 1.0, lots as f64);
        }
        if let Some((price, lots)) = ask {
            (o[4], o[6], o[9]) = (rel(price), 1.0, lots as f64);
        }
        if let (Some((b, _)), Some((a, _))) = (bid, ask) {
            o[7] = (a - b) as f64;
        }
        o[10] = live.last_price(p).map_or(0.0, rel);
        o[11] = live.market_stats(p).map_or(0.0, |m| m.last_return());
        if let Some(pos) = live.position(p) {
            o[12] = pos.cash as f64 / 1e6;
            o[13] = (pos.cash - pos.reserved_cash) as f64 / 1e6;
            (o[14], o[15], o[16]) = (f64::from(pos.held), f64::from(pos.sellable), f64::from(pos.locked));
        }
        if let Some(r) = live.resting(Side::Buy) {
            (o[17], o[18]) = (rel(r.price), f64::from(r.remaining));
        }
        if let Some(r) = live.resting(Side::Sell) {
            (o[19], o[20]) = (rel(r.price), f64::from(r.remaining));
        }
        // The market's success in the last finished window (1 with nothing
        // closed, as the agents' own smoothed sale success starts).
        let (buy, sell) = match live.windows_done().checked_sub(1) {
            Some(w) => {
                let s = live.metrics().window(w, p);
                (s.buy.success(), s.sell.success())
            }
            None => (None, None),
        };
        (o[21], o[22]) = (buy.unwrap_or(1.0), sell.unwrap_or(1.0));
        let t = live.tally();
        if t.closed_lots > 0 {
            o[23] = t.closed_lots_filled as f64 / t.closed_lots as f64;
        }
        if t.orders > 0 {
            o[24] = t.rejected as f64 / t.orders as f64;
        }
        o.map(|x| x as f32)
    }

    /// Sends the action, runs `step_ns` of simulated time (to the next
    /// open when the session closes on the way); nothing once the run is over.
    fn step(&mut self, kind: Kind, lots: u32, offset: i64, step_ns: i64, ttl: i64) -> PyResult<()> {
        if self.done {
            return Ok(());
        }
        let (actions, n) = self.actions(kind, lots, offset, ttl);
        if n > 0 {
            self.live.send(&actions[..n]).map_err(control_error)?;
        }
        let close = self.live.calendar().day(self.live.day()).close;
        let target = self.live.now().saturating_add(step_ns);
        if target < close {
            self.live.advance_to(target);
        } else {
            // Through the close (the day's redemptions), then into the next session.
            self.live.advance_to(close + 1);
            self.enter_session();
        }
        self.raise_failure()
    }

    /// The actions of a step: a new order replaces the resting one on its side.
    fn actions(&self, kind: Kind, lots: u32, offset: i64, ttl: i64) -> ([Action; 2], usize) {
        let p = self.product as u16;
        let cancel = |side| self.live.resting(side).map(|r| Action::Cancel { product: r.product, order: r.order });
        let filler = Action::Cancel { product: p, order: tplus::book::OrderId(0) };
        let mut out = [filler; 2];
        let mut n = 0;
        let mut push = |a: Option<Action>| {
            if let Some(a) = a {
                out[n] = a;
                n += 1;
            }
        };
        let order = |side| {
            Action::Submit(OrderRequest {
                product: p,
                side,
                kind: OrderKind::Limit,
                price: (self.nav_ticks().round() as i64).saturating_add(offset),
                lots,
                all_or_none: false,
                ttl,
            })
        };
        match kind {
            Kind::Hold => {}
            Kind::Subscribe => {
                push(cancel(Side::Buy));
                push(Some(order(Side::Buy)));
            }
            Kind::Sell => {
                push(cancel(Side::Sell));
                push(Some(order(Side::Sell)));
            }
            Kind::Cancel => {
                push(cancel(Side::Buy));
                push(cancel(Side::Sell));
            }
        }
        (out, n)
    }
}

/// A run of a scenario with one external customer appended, whom the caller
/// controls through `step`. The run belongs to the object, not to a
/// thread: any thread may call it, one call at a time (a call while
/// another thread's is under way raises `RuntimeError`).
#[pyclass(frozen, module = "tplus", name = "ExternalSim")]
pub struct ExternalSim {
    sim: Mutex<Sim>,
}

impl ExternalSim {
    /// The run, for one call. Not waited for: a call that held the GIL
    /// while waiting could block the other call forever (a Python
    /// behaviour in the run needs the GIL to go on).
    fn sim(&self) -> PyResult<MutexGuard<'_, Sim>> {
        match self.sim.try_lock() {
            Ok(sim) => Ok(sim),
            // A panic in a call (raised as pyo3's PanicException) leaves
            // the run as that call left it, as before the lock.
            Err(TryLockError::Poisoned(p)) => Ok(p.into_inner()),
            Err(TryLockError::WouldBlock) => Err(PyRuntimeError::new_err(
                "the environment is in use: another call into it (from another thread, or from a behaviour \
                 inside its own step) has not returned; call it once at a time",
            )),
        }
    }
}

/// [`ExternalSim::check`]: the scenario with the customer appended held to
/// the scenario's rules; an error about the customer's fields is a
/// `ValueError` naming the argument they came from, any other (none, for
/// a checked scenario) a `RunError`.
fn check_setup(scenario: &tplus::scenario::Scenario, setup: ExternalSetup) -> PyResult<()> {
    let (s, _) = add_external(scenario, setup);
    let group = format!("agents[{}].", s.agents.len() - 1);
    let Err(e) = tplus::scenario::check(&s, &with_external(&behaviour::registry(None))) else {
        return Ok(());
    };
    let arg = match e.field.strip_prefix(&group).and_then(|f| f.split('.').next()) {
        Some("budget") => "cash",
        Some("initial_lots") => "lots",
        Some("credit_score") => "credit_score",
        _ => return Err(RunError::new_err(format!("{}: {} (accepted: {})", e.field, e.message, e.accepted))),
    };
    Err(PyValueError::new_err(format!("{arg}: {} (accepted: {})", e.message, e.accepted)))
}

#[pymethods]
impl ExternalSim {
    /// A fresh run of `scenario` (seed replaced by `seed`) with one external
    /// customer appended, run to just after the first open.
    #[new]
    #[pyo3(signature = (scenario, seed = None, product = None, cash = 20_000.0, lots = 20.0, credit_score = 700.0))]
    fn new(
        py: Python<'_>,
        scenario: &PyScenario,
        seed: Option<Bound<'_, PyAny>>,
        product: Option<Bound<'_, PyAny>>,
        cash: f64,
        lots: f64,
        credit_score: f64,
    ) -> PyResult<ExternalSim> {
        let seed = args::opt_whole::<u64>(seed.as_ref(), "seed")?;
        // An index into the scenario's products.
        let last = scenario.inner.products.len() as i128 - 1;
        let product: usize = match &product {
            Some(p) => args::whole_in(p, "product", 0, last)?,
            None => 0,
        };
        let setup = ExternalSetup { cash, lots, credit_score };
        check_setup(&scenario.inner, setup)?;
        let (s, id) = add_external(&scenario.inner, setup);
        let link = Arc::new(behaviour::RunLink::default());
        let reg = with_external(&behaviour::registry(Some(link.clone())));
        // A step's run keeps no files.
        crate::fits_memory(&scenario.source, &s, &reg, None)?;
        // Setting up the agents and running to the first open take the
        // GIL only where a Python behaviour decides, as a step.
        let sim = py.detach(|| -> PyResult<Sim> {
            let mut live = LiveSim::with_registry(&s, seed, &reg).map_err(|e| RunError::new_err(e.to_string()))?;
            live.control(id).map_err(control_error)?;
            let spec = &live.products()[product];
            let lot_micros_per_tick = (spec.tick_micros * spec.lot_size) as f64;
            let ticks_per_unit = 1e6 / spec.tick_micros as f64;
            let mut sim = Sim { live, product, lot_micros_per_tick, ticks_per_unit, done: false, link };
            sim.enter_session();
            sim.raise_failure()?;
            Ok(sim)
        })?;
        Ok(ExternalSim { sim: Mutex::new(sim) })
    }

    /// Checks the customer's opening position against `scenario` as its
    /// run would when it starts (the budget, initial lots and credit score
    /// fields' ranges, and what one account may open with); the error, a
    /// `ValueError`, names the argument.
    #[staticmethod]
    #[pyo3(signature = (scenario, cash = 20_000.0, lots = 20.0, credit_score = 700.0))]
    fn check(scenario: &PyScenario, cash: f64, lots: f64, credit_score: f64) -> PyResult<()> {
        check_setup(&scenario.inner, ExternalSetup { cash, lots, credit_score })
    }

    /// Sends the action (`kind`: 0 hold, 1 subscribe, 2 sell, 3 cancel;
    /// `lots`; price `offset` in ticks from NAV rounded to a tick), runs
    /// `step_ns` of simulated time (to the next open when the session
    /// closes on the way), and returns (observation as float32 bytes,
    /// wealth at NAV in currency, refusals so far, whether the run is over).
    ///
    /// The GIL is released while the market runs, as in `tplus.run`: other
    /// Python threads go on meanwhile (a Python behaviour in the scenario
    /// takes it back for its own decisions).
    #[pyo3(signature = (kind, lots, offset, step_ns, ttl_ns = None))]
    fn step<'py>(
        &self,
        py: Python<'py>,
        kind: &Bound<'py, PyAny>,
        lots: &Bound<'py, PyAny>,
        offset: &Bound<'py, PyAny>,
        step_ns: &Bound<'py, PyAny>,
        ttl_ns: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<(Bound<'py, PyByteArray>, f64, u64, bool)> {
        let kind = Kind::from(args::whole(kind, "kind")?)?;
        let lots: u32 = args::whole(lots, "lots")?;
        let offset: i64 = args::whole(offset, "offset")?;
        let step_ns: i64 = args::whole_in(step_ns, "step_ns", 1, i128::from(i64::MAX))?;
        let ttl_ns: i64 = match ttl_ns.filter(|t| !t.is_none()) {
            Some(t) => args::whole_in(t, "ttl_ns", 1, i128::from(i64::MAX))?,
            None => i64::MAX,
        };
        let mut guard = self.sim()?;
        let sim: &mut Sim = &mut guard;
        py.detach(|| sim.step(kind, lots, offset, step_ns, ttl_ns))?;
        sim.observe_tuple(py)
    }

    /// The observation now, with the wealth, refusals and end flag as `step` gives them.
    fn observe<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyByteArray>, f64, u64, bool)> {
        self.sim()?.observe_tuple(py)
    }

    /// What the customer's orders came to so far, as a dict.
    fn tally<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let t: Tally = self.sim()?.live.tally();
        let d = PyDict::new(py);
        d.set_item("orders", t.orders)?;
        d.set_item("lots_sent", t.lots_sent)?;
        d.set_item("rejected", t.rejected)?;
        let by = PyDict::new(py);
        for (r, n) in Reject::ALL.iter().zip(t.rejected_by) {
            by.set_item(r.name(), n)?;
        }
        d.set_item("rejected_by", by)?;
        d.set_item("fills", t.fills)?;
        d.set_item("lots_bought", t.lots_bought)?;
        d.set_item("lots_sold", t.lots_sold)?;
        d.set_item("paid", t.paid as f64 / 1e6)?;
        d.set_item("received", t.received as f64 / 1e6)?;
        d.set_item("closed", t.closed)?;
        d.set_item("closed_filled", t.closed_filled)?;
        d.set_item("closed_lots", t.closed_lots)?;
        d.set_item("closed_lots_filled", t.closed_lots_filled)?;
        d.set_item("cancels", t.cancels)?;
        d.set_item("cancels_too_late", t.cancels_too_late)?;
        Ok(d)
    }

    /// Simulated time reached, nanoseconds since 00:00 of the start date.
    #[getter]
    fn time(&self) -> PyResult<i64> {
        Ok(self.sim()?.live.now())
    }

    /// The business day reached (0-based).
    #[getter]
    fn day(&self) -> PyResult<u32> {
        Ok(self.sim()?.live.day())
    }

    /// Business days in the run.
    #[getter]
    fn days(&self) -> PyResult<usize> {
        Ok(self.sim()?.live.calendar().days().len())
    }

    /// The seed the run uses.
    #[getter]
    fn seed(&self) -> PyResult<u64> {
        Ok(self.sim()?.live.seed())
    }

    /// The external customer's account id.
    #[getter]
    fn account(&self) -> PyResult<u32> {
        Ok(self.sim()?.live.controlled().unwrap_or(0))
    }

    /// Today's NAV in currency per unit.
    #[getter]
    fn nav(&self) -> PyResult<f64> {
        let sim = self.sim()?;
        Ok(sim.nav_ticks() / sim.ticks_per_unit)
    }

    /// Currency per tick of price.
    #[getter]
    fn tick_size(&self) -> PyResult<f64> {
        Ok(1.0 / self.sim()?.ticks_per_unit)
    }

    /// Units in a lot.
    #[getter]
    fn lot_size(&self) -> PyResult<i64> {
        let sim = self.sim()?;
        Ok(sim.live.products()[sim.product].lot_size)
    }

    /// Whether the last session has closed.
    #[getter]
    fn done(&self) -> PyResult<bool> {
        Ok(self.sim()?.done)
    }
}

impl Sim {
    fn observe_tuple<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyByteArray>, f64, u64, bool)> {
        let obs = self.observation();
        let mut bytes = [0u8; OBS_LEN * 4];
        for (chunk, x) in bytes.chunks_exact_mut(4).zip(obs) {
            chunk.copy_from_slice(&x.to_ne_bytes());
        }
        Ok((PyByteArray::new(py, &bytes), self.wealth(), self.live.tally().rejected, self.done))
    }
}
