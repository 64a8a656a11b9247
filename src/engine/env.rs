//! The world around the books as the engine steps it: the macro processes,
//! the changes a scenario scripts at given moments, and the per-window
//! market statistics agents read (recent returns, order imbalance, sale
//! success).
//!
//! Macro processes advance in calendar time at every window start (and at
//! every scripted moment), drawing only from their own random stream, so
//! they are the same whatever the agents do and however many threads run.

use rand::rngs::ChaCha8Rng;

use super::arrivals::SaleFeed;
use crate::agents::{MarketStats, Population, ProductView};
use crate::calendar::Calendar;
use crate::macro_env::{LevelModel, MacroState, PriceLevel, RateModel, RateProcess, ShockModel, ShockProcess, years};
use crate::metrics::{Metrics, WindowEnv};
use crate::scenario::{
    EventTarget, LevelModelKind, LevelSpec, MAX_LOOKBACK, PathPoint, RateModelKind, RateSpec, Scenario,
};

use crate::product::ProductSpec;

/// Calendar days in the year the macro processes are quoted per (see [`years`]).
const DAYS_PER_YEAR: f64 = 365.25;

/// Weight of the newest window in the smoothed sale success.
const SALE_SUCCESS_WEIGHT: f64 = 0.3;

fn path(points: &[PathPoint], cal: &Calendar) -> Vec<(f64, f64)> {
    points.iter().map(|p| (years(cal.at(p.at)), p.value)).collect()
}

fn rate_model(r: &RateSpec, cal: &Calendar) -> RateModel {
    let v = r.value.unwrap_or(0.0);
    let (kappa, theta, sigma) = (r.kappa.unwrap_or(0.0), r.theta.unwrap_or(0.0), r.sigma.unwrap_or(0.0));
    match r.model {
        RateModelKind::Fixed => RateModel::Fixed { value: v },
        RateModelKind::Vasicek => RateModel::Vasicek { r0: v, kappa, theta, sigma },
        RateModelKind::Cir => RateModel::Cir { r0: v, kappa, theta, sigma },
        RateModelKind::Path => RateModel::Path { points: path(r.points.as_deref().unwrap_or(&[]), cal) },
    }
}

fn level_model(l: &LevelSpec, cal: &Calendar) -> LevelModel {
    match l.model {
        LevelModelKind::Fixed => LevelModel::Fixed { value: l.value },
        LevelModelKind::Gbm => {
            LevelModel::Gbm { p0: l.value, inflation: l.inflation.unwrap_or(0.0), sigma: l.sigma.unwrap_or(0.0) }
        }
        LevelModelKind::Path => LevelModel::Path { points: path(l.points.as_deref().unwrap_or(&[]), cal) },
    }
}

/// A scripted change, resolved to the simulation clock.
#[derive(Clone, Debug)]
struct Scripted {
    time: i64,
    target: EventTarget,
    change: Option<f64>,
    value: Option<f64>,
    product: Option<usize>,
    group: Option<usize>,
    /// The live group parameter it changes, for the targets that change one.
    live: Option<String>,
}

pub struct Environment {
    pub state: MacroState,
    rng: ChaCha8Rng,
    scripted: Vec<Scripted>,
    next_scripted: usize,
    /// Calendar time the processes have reached, in years.
    t_years: f64,
    /// Per product: the anchor price (fractional ticks) at the last window boundary.
    last_anchor: Vec<Option<f64>>,
}

impl Environment {
    pub fn new(s: &Scenario, cal: &Calendar, rng: ChaCha8Rng) -> Environment {
        let m = &s.macro_env;
        let state = MacroState {
            loan_rate: RateProcess::new(rate_model(&m.loan_rate, cal)),
            deposit_rate: RateProcess::new(rate_model(&m.deposit_rate, cal)),
            price_level: PriceLevel::new(level_model(&m.price_level, cal)),
            price_reference: m.price_level.reference_level(),
            shock: ShockProcess::new(m.shock.as_ref().map(|sh| ShockModel {
                rate_per_year: sh.rate * DAYS_PER_YEAR,
                mean: sh.mean,
                sd: sh.sd,
                tau_years: years(sh.decay.0),
            })),
        };
        let mut scripted: Vec<Scripted> = s
            .events
            .iter()
            .map(|e| Scripted {
                time: cal.at(e.at),
                target: e.target,
                change: e.change,
                value: e.value,
                product: e.product.as_ref().and_then(|id| s.products.iter().position(|p| &p.id == id)),
                group: e.group.map(|g| g as usize),
                live: e.live_param().map(String::from),
            })
            .collect();
        // Stable: events at the same moment apply in the order written.
        scripted.sort_by_key(|e| e.time);
        Environment { state, rng, scripted, next_scripted: 0, t_years: 0.0, last_anchor: vec![None; s.products.len()] }
    }

    /// Adds a change at `time` (not before the changes already applied),
    /// after every change scheduled for the same moment: the order a
    /// scenario listing them would give.
    pub fn schedule(&mut self, time: i64, target: EventTarget, change: f64, group: Option<usize>) {
        let at = self.next_scripted + self.scripted[self.next_scripted..].partition_point(|e| e.time <= time);
        let live = target.group_param().map(String::from);
        self.scripted
            .insert(at, Scripted { time, target, change: Some(change), value: None, product: None, group, live });
    }

    /// Time of the last scripted change applied (i64::MIN before the
    /// first): the changes scheduled at a later time are still to come.
    pub fn applied_through(&self) -> i64 {
        self.next_scripted.checked_sub(1).and_then(|i| self.scripted.get(i)).map_or(i64::MIN, |e| e.time)
    }

    /// Time of the next scripted change, if any is left.
    pub fn next_scripted(&self) -> Option<i64> {
        self.scripted.get(self.next_scripted).map(|e| e.time)
    }

    /// Moves the macro processes to `t` and applies every scripted change due
    /// by then (in time order, each after the processes reach its moment).
    pub fn advance_to(
        &mut self,
        t: i64,
        specs: &mut [ProductSpec],
        groups: &mut [Box<dyn Population>],
        sales: &mut [(usize, SaleFeed)],
    ) {
        while let Some(e) = self.scripted.get(self.next_scripted).filter(|e| e.time <= t).cloned() {
            self.step_to(years(e.time));
            self.apply(&e, specs, groups, sales);
            self.next_scripted += 1;
        }
        self.step_to(years(t));
    }

    fn step_to(&mut self, t_years: f64) {
        if t_years > self.t_years {
            self.state.advance_to(t_years, &mut self.rng);
            self.t_years = t_years;
        }
    }

    fn apply(
        &mut self,
        e: &Scripted,
        specs: &mut [ProductSpec],
        groups: &mut [Box<dyn Population>],
        sales: &mut [(usize, SaleFeed)],
    ) {
        // Changes that add up past what a scenario could set (a rate
        // below -5%, a score above 1000) stop at the edge, as a group
        // parameter's do: the processes never see a value no scenario holds.
        // A value the process itself took out of the range (a path's
        // offset, a Vasicek rate's drift) is changed as written: the clamp
        // only keeps a value that was inside from being pushed out.
        let within = |old: f64, bounds: Option<(f64, f64)>| {
            let v = e.value.unwrap_or(old + e.change.unwrap_or(0.0));
            match bounds {
                Some((lo, hi)) if (lo..=hi).contains(&old) => v.clamp(lo, hi),
                _ => v,
            }
        };
        let bounds = crate::scenario::fields::value_bounds(e.target);
        let new = |old: f64| within(old, bounds);
        let st = &mut self.state;
        match e.target {
            EventTarget::LoanRate => {
                let v = new(st.loan_rate.value());
                st.loan_rate.set(v);
            }
            EventTarget::DepositRate => {
                let v = new(st.deposit_rate.value());
                st.deposit_rate.set(v);
            }
            EventTarget::PriceLevel => {
                let v = new(st.price_level.value());
                st.price_level.set(v);
            }
            EventTarget::Shock => {
                let v = new(st.shock.value());
                st.shock.set(v);
            }
            EventTarget::MinCreditScore => {
                for (p, spec) in specs.iter_mut().enumerate() {
                    if e.product.is_none_or(|q| q == p) {
                        spec.min_credit_score = new(spec.min_credit_score);
                    }
                }
            }
            EventTarget::SalePanic => {
                for (g, sale) in sales.iter_mut() {
                    if e.group.is_none_or(|x| x == *g) {
                        sale.shift(e.time, e.change.unwrap_or(0.0), e.value);
                    }
                }
            }
            EventTarget::Herding | EventTarget::MacroActiveShare | EventTarget::GroupParam => {
                // Validation made sure the name is given and that some group
                // has it; a group without it is not changed.
                let name = e.live.as_deref().unwrap_or_default();
                for (g, group) in groups.iter_mut().enumerate() {
                    if e.group.is_some_and(|x| x != g) {
                        continue;
                    }
                    // A group parameter stops at the bound its family
                    // declares (as a live change does: `LiveSim::bounds`),
                    // not the event table's, which a user's family may
                    // widen.
                    if let Some(old) = group.live_param(name) {
                        let bounds = group.live_param_bound(name).and_then(crate::agents::Bound::as_range);
                        group.set_live_param(name, within(old, bounds));
                    }
                }
            }
        }
    }

    /// The environment as a metrics row records it.
    pub fn window_env(&self) -> WindowEnv {
        WindowEnv {
            loan_rate: self.state.loan_rate.value(),
            deposit_rate: self.state.deposit_rate.value(),
            price_level: self.state.price_level.value(),
            shock: self.state.shock.value(),
            optimist_share: None,
        }
    }

    /// Closes window `w` for the agents' statistics: the return of each
    /// product's anchor price since the last boundary (the mid of a
    /// two-sided book, else NAV: never a stale last trade, whose flips
    /// against the mid read as returns of up to the price band when one
    /// side empties), the window's order imbalance and the smoothed sale
    /// success.
    pub fn close_window(&mut self, w: usize, views: &[ProductView], markets: &mut [MarketStats], metrics: &Metrics) {
        for (p, (view, market)) in views.iter().zip(markets.iter_mut()).enumerate() {
            let anchor = view.anchor();
            if let Some(prev) = self.last_anchor[p]
                && prev > 0.0
                && anchor > 0.0
            {
                if market.returns.len() == MAX_LOOKBACK as usize {
                    market.returns.remove(0);
                }
                market.returns.push((anchor / prev).ln());
            }
            self.last_anchor[p] = Some(anchor);
            let s = metrics.window(w, p);
            let orders = s.buy_orders + s.sell_orders;
            market.imbalance =
                if orders == 0 { 0.0 } else { (s.buy_orders as f64 - s.sell_orders as f64) / orders as f64 };
            if let Some(success) = s.sell.success() {
                market.sale_success += SALE_SUCCESS_WEIGHT * (success - market.sale_success);
            }
        }
    }
}
