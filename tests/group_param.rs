//! Scripted changes of a family's live parameter (`target = "group_param"`):
//! a library user's behaviour declares which of its parameters a scenario's
//! `[[events]]` may change during a run, and the change reaches its groups
//! at the moment written; for a built-in family it is the same change as the
//! family's own target, byte for byte; and a mistaken event is refused with
//! its field and what is accepted, as any other scenario mistake is.

use std::path::Path;

use tplus::agents::{Action, Actions, Agent, Behaviour, Context, GroupSetup, OrderRequest, Products, Registry, Wake};
use tplus::book::{OrderKind, Side};
use tplus::engine::record::{Op, OpRecord, Recorder, TradeRecord};
use tplus::engine::{RunOptions, run, run_with};
use tplus::rand::RngExt;
use tplus::random::AgentRng;

tplus::behaviour_params! {
    /// Parameters of the eager family.
    pub struct EagerParams {
        /// Chance that a wake-up sends an order; scripted events may change it.
        activity: f64 = 0.8, Real(0.0, 1.0), "a probability from 0 to 1";
    }
}

/// Sends a small limit order near the anchor at a share of its wake-ups.
struct Eager {
    activity: f64,
    products: Products,
}

impl Behaviour for Eager {
    type Params = EagerParams;
    type State = ();
    const NAME: &'static str = "eager";
    const ABOUT: &'static str = "sends a small order at a share of its wake-ups that events may change";
    const LIVE_PARAMS: &'static [&'static str] = &["activity"];

    fn build(p: EagerParams, setup: GroupSetup) -> Eager {
        Eager { activity: p.activity, products: setup.products }
    }

    fn init(&self, _rng: &mut AgentRng) {}

    fn decide(&self, wake: Wake, agent: &mut Agent<()>, ctx: &Context<'_>, out: &mut Actions) {
        if !agent.rng.random_bool(self.activity) {
            return;
        }
        let Some(product) = self.products.pick(&mut agent.rng) else { return };
        let view = &ctx.snapshot.products[product as usize];
        let side = if agent.rng.random_bool(0.5) { Side::Buy } else { Side::Sell };
        let price = (view.anchor().round() as i64 + agent.rng.random_range(-3..=3)).clamp(view.band_lo, view.band_hi);
        let order = OrderRequest {
            product,
            side,
            kind: OrderKind::Limit,
            price,
            lots: agent.rng.random_range(1..=5),
            all_or_none: false,
            ttl: 10 * 60 * 1_000_000_000,
        };
        out.push_some(order.within_means(ctx, wake.id).map(Action::Submit));
    }

    fn live_param(&self, name: &str) -> Option<f64> {
        (name == "activity").then_some(self.activity)
    }

    fn set_live_param(&mut self, name: &str, value: f64) {
        if name == "activity" {
            // The engine brings a change within the declared 0 to 1.
            self.activity = value;
        }
    }
}

const SCENARIO: &str = r#"
[simulation]
name = "group_param"
seed = 9
start_date = 2026-01-05
days = 2
open = "09:30"
close = "15:00"
window = "5m"

[[product]]
id = "NOTE7"
nav = 1.0
annual_yield = 0.025
tick_size = 0.0001
lot_size = 100
term_days = 7
holding_limit_days = 3
price_band = 0.02
max_order_lots = 1000
primary_supply_lots = 5000

[[agents]]
family = "market_maker"
count = 2
arrival = { process = "poisson", rate = 120.0 }
budget = { dist = "fixed", value = 5000000.0 }
credit_score = { dist = "fixed", value = 800.0 }
initial_lots = { dist = "fixed", value = 5000.0 }

[[agents]]
family = "eager"
count = 200
arrival = { process = "poisson", rate = 12.0 }
budget = { dist = "fixed", value = 50000.0 }
credit_score = { dist = "fixed", value = 700.0 }
initial_lots = { dist = "fixed", value = 20.0 }
"#;

/// The moment of `day 2 12:00`: nanoseconds since 00:00 of the start date.
const DAY2_NOON: i64 = (24 + 12) * 3_600_000_000_000;

/// Orders the eager customers (accounts 3 to 202) submitted before and
/// after `DAY2_NOON`, and every trade of the run.
#[derive(Default)]
struct Submitted {
    before: u64,
    after: u64,
    trades: Vec<TradeRecord>,
}

impl Recorder for Submitted {
    fn trade(&mut self, t: &TradeRecord) {
        self.trades.push(*t);
    }
    fn wants_ops(&self) -> bool {
        true
    }
    fn op(&mut self, op: &OpRecord) {
        if op.op == Op::Submitted && (3..=202).contains(&op.agent) {
            if op.time < DAY2_NOON { self.before += 1 } else { self.after += 1 }
        }
    }
}

fn registry() -> Registry {
    let mut registry = Registry::builtin();
    registry.register::<Eager>();
    registry
}

fn submitted(text: &str, threads: usize) -> Submitted {
    let registry = registry();
    let scenario = tplus::scenario::parse(Path::new("group_param.toml"), text, &registry).unwrap();
    let mut rec = Submitted::default();
    let out = run_with(&scenario, &RunOptions { seed: None, threads }, &registry, &mut rec).unwrap();
    out.check().unwrap();
    rec
}

#[test]
fn a_scripted_change_reaches_a_user_familys_groups_at_its_moment() {
    let control = submitted(SCENARIO, 1);
    let event = "\n[[events]]\nat = \"day 2 12:00\"\ntarget = \"group_param\"\nparam = \"activity\"\nvalue = 0.0\n";
    let silenced = submitted(&format!("{SCENARIO}{event}"), 1);
    // Until the change the two runs are the same run.
    assert_eq!(silenced.before, control.before);
    assert!(control.after > 1000, "the control keeps trading: {}", control.after);
    assert_eq!(silenced.after, 0, "activity 0 from day 2 12:00 on");
    // A change (not a value) with the group named, clamped by the behaviour.
    let event = "\n[[events]]\nat = \"day 2 12:00\"\ntarget = \"group_param\"\nparam = \"activity\"\ngroup = 1\nchange = -5.0\n";
    let text = format!("{SCENARIO}{event}");
    let lowered = submitted(&text, 1);
    assert_eq!((lowered.before, lowered.after), (control.before, 0));
    // Whatever the thread count, trade for trade.
    let two = submitted(&text, 2);
    assert_eq!((two.before, two.after), (lowered.before, lowered.after));
    assert!(two.trades == lowered.trades);
}

/// All of a run's trades, in order.
#[derive(Default)]
struct Trades(Vec<TradeRecord>);

impl Recorder for Trades {
    fn trade(&mut self, t: &TradeRecord) {
        self.0.push(*t);
    }
}

#[test]
fn for_a_built_in_family_it_is_the_familys_own_target() {
    let base = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/herding.toml")).unwrap();
    let trades = |event: &str| {
        let text = format!("{base}\n[[events]]\nat = \"day 2 11:00\"\n{event}value = 40.0\n");
        let scenario = tplus::scenario::parse(Path::new("herding.toml"), &text, &Registry::builtin()).unwrap();
        let mut rec = Trades::default();
        run(&scenario, &RunOptions { seed: None, threads: 1 }, &mut rec).unwrap();
        rec.0
    };
    let by_family = trades("target = \"herding\"\n");
    let by_name = trades("target = \"group_param\"\nparam = \"herding\"\n");
    assert!(by_family.len() > 1000);
    assert!(by_family == by_name, "the same change, the same trades");
    let base_text = format!("{base}\n");
    let scenario = tplus::scenario::parse(Path::new("herding.toml"), &base_text, &Registry::builtin()).unwrap();
    let mut rec = Trades::default();
    run(&scenario, &RunOptions { seed: None, threads: 1 }, &mut rec).unwrap();
    assert!(rec.0 != by_family, "and the change changes the run");
}

#[test]
fn a_mistaken_group_param_event_is_located_and_explained() {
    let registry = registry();
    let path = Path::new("group_param.toml");
    for (event, field, accepted) in [
        // No `param`: the live parameters the scenario's groups have.
        ("target = \"group_param\"\nvalue = 0.5", "events[0].param", "activity"),
        // A name no family here has (a typo), and a parameter events may
        // not change: both on `param`, with the live ones there are.
        ("target = \"group_param\"\nparam = \"activty\"\nvalue = 0.5", "events[0].param", "parameters: activity"),
        ("target = \"group_param\"\nparam = \"spread\"\nvalue = 0.5", "events[0].param", "parameters: activity"),
        // A group whose family does not have it.
        ("target = \"group_param\"\nparam = \"activity\"\ngroup = 0\nvalue = 0.5", "events[0].group", "1"),
        // Outside the parameter's own range, as the family declares it.
        ("target = \"group_param\"\nparam = \"activity\"\nvalue = 1.5", "events[0].value", "a probability from 0 to 1"),
        // `param` with another target.
        ("target = \"loan_rate\"\nparam = \"activity\"\nchange = 0.01", "events[0].param", "group_param"),
        // A change that is not a number the behaviour can add.
        ("target = \"group_param\"\nparam = \"activity\"\nchange = nan", "events[0].change", "finite"),
    ] {
        let text = format!("{SCENARIO}\n[[events]]\nat = \"day 1 10:00\"\n{event}\n");
        let e = tplus::scenario::parse(path, &text, &registry).expect_err(event);
        let d = e.detail();
        assert_eq!(d.file, path, "{event}: {e}");
        assert!(d.line.is_some() && d.column.is_some(), "{event}: {e}");
        assert_eq!(d.field.as_deref(), Some(field), "{event}: {e}");
        assert!(d.accepted.as_deref().is_some_and(|a| a.contains(accepted)), "{event}: {e}");
    }
}

#[test]
fn a_wrong_param_name_says_whether_it_is_a_parameter_at_all() {
    let registry = registry();
    let says = |param: &str| {
        let text = format!(
            "{SCENARIO}\n[[events]]\nat = \"day 1 10:00\"\ntarget = \"group_param\"\nparam = \"{param}\"\nvalue = 0.5\n"
        );
        tplus::scenario::parse(Path::new("group_param.toml"), &text, &registry).unwrap_err().to_string()
    };
    assert!(says("activty").contains("no group here has a live parameter `activty`"), "{}", says("activty"));
    // The market makers' `spread` is a parameter, fixed for the run.
    let e = says("spread");
    assert!(e.contains("`spread` is a parameter of market_maker (agents[0]), but not one events may change"), "{e}");
    // An event naming its group is told of that group's family, not the
    // first group's that has a parameter of that name.
    let two_makers = SCENARIO.replace("family = \"eager\"", "family = \"market_maker\"");
    let text = format!(
        "{two_makers}\n[[events]]\nat = \"day 1 10:00\"\ntarget = \"group_param\"\nparam = \"spread\"\ngroup = 1\nvalue = 0.5\n"
    );
    let e = tplus::scenario::parse(Path::new("group_param.toml"), &text, &registry).unwrap_err().to_string();
    assert!(e.contains("a parameter of market_maker (agents[1])"), "{e}");
}

tplus::behaviour_params! {
    /// Parameters of the wide family.
    pub struct WideParams {
        /// A rate with the built-in herding rate's name and a wider range.
        herding: f64 = 900.0, Real(0.0, 5000.0), "a rate from 0 to 5000";
    }
}

/// Never trades; has a live parameter named as the built-in herding rate,
/// with a range wider than the built-in one.
struct Wide {
    herding: f64,
}

impl Behaviour for Wide {
    type Params = WideParams;
    type State = ();
    const NAME: &'static str = "wide";
    const ABOUT: &'static str = "never trades; its herding parameter accepts up to 5000";
    const LIVE_PARAMS: &'static [&'static str] = &["herding"];

    fn build(p: WideParams, _setup: GroupSetup) -> Wide {
        Wide { herding: p.herding }
    }

    fn init(&self, _rng: &mut AgentRng) {}

    fn decide(&self, _wake: Wake, _agent: &mut Agent<()>, _ctx: &Context<'_>, _out: &mut Actions) {}

    fn live_param(&self, name: &str) -> Option<f64> {
        (name == "herding").then_some(self.herding)
    }

    fn set_live_param(&mut self, name: &str, value: f64) {
        if name == "herding" {
            self.herding = value;
        }
    }
}

#[test]
fn a_scripted_change_stops_at_the_familys_own_bound() {
    use tplus::engine::live::LiveSim;
    use tplus::scenario::EventTarget;
    let mut registry = Registry::builtin();
    registry.register::<Wide>();
    let group = SCENARIO.replace("family = \"eager\"", "family = \"wide\"");
    // The rate at 11:00 after the changes, one an hour from 10:00.
    let value = |changes: &[f64]| {
        let events: String = changes
            .iter()
            .enumerate()
            .map(|(i, c)| format!("\n[[events]]\nat = \"day 1 {}:00\"\ntarget = \"herding\"\nchange = {c}\n", 10 + i))
            .collect();
        let scenario = tplus::scenario::parse(Path::new("wide.toml"), &format!("{group}{events}"), &registry).unwrap();
        let mut live = LiveSim::with_registry(&scenario, None, &registry).unwrap();
        live.advance_to((10 + changes.len() as i64) * 3_600_000_000_000);
        live.param(EventTarget::Herding).unwrap()
    };
    // Past the built-in range (0 to 1000) but inside the family's.
    assert_eq!(value(&[600.0]), 1500.0);
    // Past the family's, it stops at its edges.
    assert_eq!(value(&[1000.0; 5]), 5000.0);
    assert_eq!(value(&[-1000.0]), 0.0);
}
