//! A researcher's behaviour that sends what no platform could take (a
//! product the scenario does not have, a limit order that lives no time)
//! stops the run with an error that names the group, the agent and the
//! action, at 1 and 2 threads alike, where it used to crash the engine or
//! let expiries run before the orders they end. What the platform refuses
//! of any customer (an IOC order, which never rests, with no time to live)
//! still runs.

use std::path::Path;

use tplus::agents::{Action, Actions, Agent, Behaviour, Context, GroupSetup, OrderRequest, Registry, Wake};
use tplus::book::{OrderId, OrderKind, Side};
use tplus::engine::record::Discard;
use tplus::engine::{RunError, RunOptions, run_with};
use tplus::random::AgentRng;

tplus::behaviour_params! {
    /// Parameters of the misfit family.
    pub struct MisfitParams {
        /// Which mistake to make: 0 an order for product 9, 1 a cancel in
        /// product 9, 2 a limit order living -1 ns, 3 an IOC order with no
        /// time to live (which is fine).
        mode: i64 = 0, Int(0, 3), "0, 1, 2 or 3";
    }
}

/// Makes the mistake its parameter names at every wake-up.
struct Misfit {
    mode: i64,
}

impl Behaviour for Misfit {
    type Params = MisfitParams;
    type State = ();
    const NAME: &'static str = "misfit";
    const ABOUT: &'static str = "sends actions no platform could take";

    fn build(p: MisfitParams, _setup: GroupSetup) -> Misfit {
        Misfit { mode: p.mode }
    }

    fn init(&self, _rng: &mut AgentRng) {}

    fn decide(&self, _wake: Wake, _agent: &mut Agent<()>, ctx: &Context<'_>, out: &mut Actions) {
        let view = &ctx.snapshot.products[0];
        let order = |product, kind, ttl| OrderRequest {
            product,
            side: Side::Buy,
            kind,
            price: view.band_lo,
            lots: 1,
            all_or_none: false,
            ttl,
        };
        let kept = out.push(match self.mode {
            0 => Action::Submit(order(9, OrderKind::Limit, 60_000_000_000)),
            1 => Action::Cancel { product: 9, order: OrderId(1) },
            2 => Action::Submit(order(0, OrderKind::Limit, -1)),
            _ => Action::Submit(order(0, OrderKind::Ioc, 0)),
        });
        assert!(kept, "a wake-up's first action has room");
    }
}

/// The core market with a group of misfits after its customers.
const MISFITS: &str = r#"
[[agents]]
family = "misfit"
count = 5
arrival = { process = "poisson", rate = 2.0 }
budget = { dist = "fixed", value = 10000.0 }
credit_score = { dist = "fixed", value = 700.0 }
initial_lots = { dist = "fixed", value = 0.0 }

[agents.params]
mode = MODE
"#;

fn run(mode: u32, threads: usize) -> Result<(), RunError> {
    let mut registry = Registry::builtin();
    registry.register::<Misfit>();
    let core = std::fs::read_to_string("tests/data/core_market.toml").unwrap();
    let text = core + &MISFITS.replace("MODE", &mode.to_string());
    let scenario = tplus::scenario::parse(Path::new("misfit.toml"), &text, &registry).unwrap();
    run_with(&scenario, &RunOptions { seed: None, threads }, &registry, &mut Discard).map(drop)
}

#[test]
fn an_action_no_platform_could_take_stops_the_run_naming_it() {
    for (mode, says) in [
        (0, "sent an action for product 9, which the scenario does not have (its products are 0 to 0)"),
        (1, "sent an action for product 9"),
        (2, "sent a limit order to rest with a time to live of -1 ns (it needs one above 0)"),
    ] {
        for threads in [1, 2] {
            match run(mode, threads) {
                Err(e @ RunError::Halted { group: 1, .. }) => {
                    let text = e.to_string();
                    assert!(
                        text.starts_with("agents[1]: on business day 1, agent ") && text.contains("(misfit)"),
                        "{text}"
                    );
                    assert!(text.contains(says), "mode {mode}: {text}");
                }
                other => panic!("mode {mode}, {threads} threads: {other:?}"),
            }
        }
    }
}

#[test]
fn an_order_that_never_rests_needs_no_time_to_live() {
    run(3, 1).unwrap();
}
