//! A customer driven from outside the run: a learning agent (the Python
//! package's Gymnasium environment) or any caller that steps a
//! [`LiveSim`](crate::engine::live::LiveSim) and sends the customer's
//! orders itself (`LiveSim::send`). Its behaviour never acts on its own
//! wake-ups, so everything it does comes through the caller.
//!
//! It is not a built-in family: [`with_external`] gives a registry that
//! holds it beside the given families, and [`add_external`] appends a
//! one-member group of it to a scenario. The group comes last, so every
//! other customer keeps its id, its opening draws and its streams: with
//! the external customer idle, the market runs as without it (unless its
//! one wake-up in about a million hours falls within the run, which only
//! adds a decision batch that sends nothing).

use super::behaviour::{Actions, Agent, Behaviour, GroupSetup, Wake};
use super::market::Context;
use super::registry::Registry;
use crate::random::AgentRng;
use crate::scenario::{AgentGroup, Arrival, ArrivalProcess, Distribution, Scenario};

crate::behaviour_params! {
    /// The external customer has no parameter: its caller decides for it.
    pub struct ExternalParams {}
}

/// The behaviour of a customer whose orders come from outside the run: it
/// does nothing when it wakes.
#[derive(Clone, Copy, Debug, Default)]
pub struct External;

impl Behaviour for External {
    type Params = ExternalParams;
    type State = ();
    const NAME: &'static str = "external";
    const ABOUT: &'static str = "a customer driven from outside the run (a learning agent): never acts on its own";

    fn build(_params: ExternalParams, _setup: GroupSetup) -> External {
        External
    }

    fn init(&self, _rng: &mut AgentRng) {}

    fn decide(&self, _wake: Wake, _agent: &mut Agent<()>, _ctx: &Context<'_>, _out: &mut Actions) {}

    /// A sale urge is the caller's to act on too.
    fn urge_sell(&self, _wake: Wake, _agent: &mut Agent<()>, _ctx: &Context<'_>, _out: &mut Actions) {}

    fn cost_hint_ns(&self) -> Option<f64> {
        Some(1.0)
    }
}

/// `base` with the external behaviour registered as a family
/// ([`External::NAME`]).
pub fn with_external(base: &Registry) -> Registry {
    let mut r = base.clone();
    r.register::<External>();
    r
}

/// The opening position of an external customer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ExternalSetup {
    /// Opening cash, in currency.
    pub cash: f64,
    /// Lots of each product held at the start (sellable on the first day).
    pub lots: f64,
    /// Credit score at the start, in points (0–1000).
    pub credit_score: f64,
}

impl Default for ExternalSetup {
    /// The median customer of the bundled scenarios: 20,000 in cash, 20
    /// lots of each product, a score of 700 (above their credit gates).
    fn default() -> ExternalSetup {
        ExternalSetup { cash: 20_000.0, lots: 20.0, credit_score: 700.0 }
    }
}

/// The least arrival rate a scenario accepts (wake-ups per agent per hour):
/// the external customer's wake-ups are no-ops, so the fewer the better.
const SILENT_RATE: f64 = 1e-6;

/// `scenario` with one external customer appended as a group of its own;
/// its account id (customers are numbered 1… in group order). The result
/// still has to be validated against [`with_external`]'s registry (the
/// engine checks it when the run starts).
pub fn add_external(scenario: &Scenario, setup: ExternalSetup) -> (Scenario, u32) {
    let mut s = scenario.clone();
    let fixed = Distribution::fixed;
    let id = s.agents.iter().map(|g| g.count.max(0) as u64).sum::<u64>() + 1;
    let defaults = s.agents.first().cloned();
    s.agents.push(AgentGroup {
        family: External::NAME.to_string(),
        count: 1,
        arrival: Arrival {
            process: ArrivalProcess::Poisson,
            rate: Some(SILENT_RATE),
            mu: None,
            alpha: None,
            beta: None,
        },
        sale_excitation: None,
        budget: fixed(setup.cash),
        credit_score: fixed(setup.credit_score),
        initial_lots: fixed(setup.lots),
        // The credit features of the first group's customers: a scorecard
        // then rates the external customer as one of them.
        income_band: defaults.as_ref().map_or_else(|| fixed(3.0), |g| g.income_band.clone()),
        tenure_days: defaults.as_ref().map_or_else(|| fixed(365.0), |g| g.tenure_days.clone()),
        products: None,
        abuse: None,
        params: toml::Table::new(),
    });
    (s, u32::try_from(id).unwrap_or(u32::MAX))
}
