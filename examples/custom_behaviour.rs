//! A behaviour that is not built in, registered and run through the library.
//!
//! A contrarian keeps its own memory of the price: an exponential moving
//! average of the prices it saw at its own wake-ups (per-agent
//! state of its own type). When the market is above that memory by more than
//! its threshold it sells, below it buys — betting that the move reverts.
//!
//! ```sh
//! cargo run --release --example custom_behaviour [-- SCENARIO [OUT_DIR]]
//! ```
//!
//! runs `examples/contrarian.toml` (or SCENARIO), whose third group says
//! `family = "contrarian"`, writes the run folder `tplus run` would
//! (`run_to_dir`) into OUT_DIR (by default a fresh one under the system's
//! temporary directory), and prints what each family did. The
//! contrarians' `threshold` is a live parameter, which the scenario's
//! `[[events]]` raise at noon on the second day (`target = "group_param"`),
//! as a scenario scripts a change of a built-in family's.

use std::path::PathBuf;
use std::process::ExitCode;

use tplus::agents::{Action, Actions, Agent, Behaviour, Context, GroupSetup, OrderRequest, Products, Registry, Wake};
use tplus::book::{OrderKind, Side};
use tplus::engine::RunOptions;
use tplus::engine::record::{Recorder, TradeRecord};
use tplus::rand::RngExt;
use tplus::random::AgentRng;
use tplus::results::run_dir::{DirOptions, run_to_dir};
use tplus::scenario::{Duration, Scenario};

tplus::behaviour_params! {
    /// Parameters of the contrarian family.
    pub struct ContrarianParams {
        /// Weight of the newest price in the agent's moving average (0 to 1).
        memory: f64 = 0.2, Real(0.01, 1.0), "a weight above 0 and at most 1, e.g. 0.2";
        /// How far the price must stray from the average, as a fraction, before the agent trades; scripted events may change it.
        threshold: f64 = 0.0005, Real(0.0, 0.1), "a fraction from 0 to 0.1";
        /// Most lots in an order.
        max_lots: i64 = 20, Int(1, 100_000), "a whole number of lots from 1 to 100000";
        /// How long an order rests before it expires.
        order_ttl: Duration = tplus::agents::minutes(15), PositiveDuration, "a duration above 0, e.g. \"15m\"";
    }
}

/// What one contrarian remembers.
#[derive(Clone, Copy, Debug, Default)]
struct Memory {
    /// Its moving average of the price (ticks); 0 before its first look.
    average: f64,
}

struct Contrarian {
    p: ContrarianParams,
    products: Products,
}

impl Behaviour for Contrarian {
    type Params = ContrarianParams;
    type State = Memory;
    const NAME: &'static str = "contrarian";
    const ABOUT: &'static str = "sells above its own moving average of the price, buys below it";
    const LIVE_PARAMS: &'static [&'static str] = &["threshold"];

    fn build(p: ContrarianParams, setup: GroupSetup) -> Contrarian {
        Contrarian { p, products: setup.products }
    }

    fn init(&self, _rng: &mut AgentRng) -> Memory {
        Memory::default()
    }

    fn decide(&self, wake: Wake, agent: &mut Agent<Memory>, ctx: &Context<'_>, out: &mut Actions) {
        let Some(product) = self.products.pick(&mut agent.rng) else { return };
        let view = &ctx.snapshot.products[product as usize];
        // The mid of a two-sided book, else NAV: never a stale last trade.
        let price = view.anchor();
        let memory = &mut agent.state;
        let before = if memory.average == 0.0 { price } else { memory.average };
        memory.average = before + self.p.memory * (price - before);
        let gap = (price - before) / before;
        let side = if gap > self.p.threshold {
            Side::Sell
        } else if gap < -self.p.threshold {
            Side::Buy
        } else {
            return;
        };
        if agent.live(side).is_some() {
            return;
        }
        // It leans against the move now: a buy at the best ask, a sale at
        // the best bid (the anchor when that side is empty).
        let limit = match side {
            Side::Buy => view.best_ask.unwrap_or(price.ceil() as i64),
            Side::Sell => view.best_bid.unwrap_or(price.floor() as i64),
        }
        .clamp(view.band_lo, view.band_hi);
        let lots = agent.rng.random_range(1..=self.p.max_lots as u32);
        let order = OrderRequest {
            product,
            side,
            kind: OrderKind::Limit,
            price: limit,
            lots,
            all_or_none: false,
            ttl: self.p.order_ttl.0,
        };
        out.push_some(order.within_means(ctx, wake.id).map(Action::Submit));
    }

    fn live_param(&self, name: &str) -> Option<f64> {
        (name == "threshold").then_some(self.p.threshold)
    }

    fn set_live_param(&mut self, name: &str, value: f64) {
        if name == "threshold" {
            // Already within the declared 0 to 0.1.
            self.p.threshold = value;
        }
    }
}

/// Counts the lots each group bought and sold, beside the run's files.
struct ByGroup<'a> {
    scenario: &'a Scenario,
    bought: Vec<u64>,
    sold: Vec<u64>,
}

impl Recorder for ByGroup<'_> {
    fn trade(&mut self, t: &TradeRecord) {
        if let Some(g) = self.scenario.group_of(t.buyer) {
            self.bought[g] += u64::from(t.lots);
        }
        if let Some(g) = self.scenario.group_of(t.seller) {
            self.sold[g] += u64::from(t.lots);
        }
    }
}

fn main() -> ExitCode {
    let path = std::env::args_os()
        .nth(1)
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/contrarian.toml"), PathBuf::from);
    let mut registry = Registry::builtin();
    registry.register::<Contrarian>();
    let scenario = match tplus::scenario::load(&path, &registry) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    // The run folder `tplus run` would write (trades.csv, metrics.csv,
    // summary.json, risk.csv, manifest.json), which `tplus report DIR` draws
    // and pandas reads; given as the second argument, or a fresh one under
    // the system's temporary directory.
    let out = std::env::args_os()
        .nth(2)
        .map_or_else(|| std::env::temp_dir().join(format!("tplus-contrarian-{}", std::process::id())), PathBuf::from);
    let n = scenario.agents.len();
    let mut rec = ByGroup { scenario: &scenario, bought: vec![0; n], sold: vec![0; n] };
    let opts = RunOptions { seed: None, threads: 2 };
    let outcome = match run_to_dir(&scenario, &opts, &registry, &out, DirOptions::default(), &mut rec) {
        Ok(run) => run.outcome,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(e.exit_code());
        }
    };
    // Cash conserved and no holding past its limit: a run that fails these
    // checks has results that cannot be trusted.
    if let Err(e) = outcome.check() {
        eprintln!("error: {e}");
        return ExitCode::from(1);
    }
    println!(
        "{}: {} orders, {} trades; results in {}",
        path.display(),
        outcome.stats.orders,
        outcome.stats.trades,
        out.display()
    );
    for (g, group) in scenario.agents.iter().enumerate() {
        println!(
            "  agents[{g}] {:>17} × {:<5} bought {:>7} lots, sold {:>7}",
            group.family, group.count, rec.bought[g], rec.sold[g]
        );
    }
    let contrarians = scenario.agents.iter().position(|g| g.family == Contrarian::NAME);
    match contrarians {
        Some(g) if rec.bought[g] + rec.sold[g] > 0 => ExitCode::SUCCESS,
        _ => {
            eprintln!("error: the contrarians did not trade");
            ExitCode::from(1)
        }
    }
}
