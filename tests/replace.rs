//! Agents changing their resting orders (`Action::Replace`): a behaviour
//! that is not built in follows the market by repricing and resizing its
//! orders instead of cancelling them, in a market of market makers and
//! zero-intelligence customers. The platform takes some changes, refuses
//! others (cash, sellable lots) and finds some orders gone; through all of
//! it cash is conserved, no reservation outlives the close, and the holdings
//! the trades and redemptions imply never go negative, nor does a customer
//! sell lots it bought the same day.

use std::collections::HashMap;
use std::path::Path;

use tplus::agents::{Action, Actions, Agent, Behaviour, Context, GroupSetup, OrderRequest, Products, Registry, Wake};
use tplus::book::{OrderKind, Side};
use tplus::engine::record::{Op, OpRecord, Recorder, TradeRecord};
use tplus::engine::{RunOptions, run_with};
use tplus::rand::RngExt;
use tplus::random::AgentRng;

tplus::behaviour_params! {
    /// Parameters of the repricing family.
    pub struct RepricerParams {
        /// Most lots in an order or a change.
        max_lots: i64 = 40, Int(1, 100_000), "a whole number of lots from 1 to 100000";
    }
}

/// Keeps one order on a side it draws, and moves it with the market.
struct Repricer {
    max_lots: u32,
    products: Products,
}

impl Behaviour for Repricer {
    type Params = RepricerParams;
    type State = ();
    const NAME: &'static str = "repricer";
    const ABOUT: &'static str = "changes its resting orders to follow the market instead of cancelling them";

    fn build(p: RepricerParams, setup: GroupSetup) -> Repricer {
        Repricer { max_lots: p.max_lots as u32, products: setup.products }
    }

    fn init(&self, _rng: &mut AgentRng) {}

    fn decide(&self, wake: Wake, agent: &mut Agent<()>, ctx: &Context<'_>, out: &mut Actions) {
        let Some(product) = self.products.pick(&mut agent.rng) else { return };
        let view = &ctx.snapshot.products[product as usize];
        let side = if agent.rng.random_bool(0.5) { Side::Buy } else { Side::Sell };
        let offset = agent.rng.random_range(-4..=4);
        // The mid, else the last trade, else NAV: a stale last trade now and
        // then puts a change far from the market, where some arrive too late.
        let market = match (view.best_bid, view.best_ask, view.last_price) {
            (Some(b), Some(a), _) => (b + a) as f64 / 2.0,
            (_, _, Some(p)) => p as f64,
            _ => view.nav_ticks,
        };
        let price = (market.round() as i64 + offset).clamp(view.band_lo, view.band_hi);
        // Sizes up to twice what it usually asks for, so that some changes
        // ask for more than its cash or sellable lots allow.
        let lots = agent.rng.random_range(1..=2 * self.max_lots);
        match agent.live(side).filter(|o| o.product == product) {
            Some(live) => {
                assert!(out.push(live.replace(price, lots)), "a wake-up's first action has room");
            }
            None => {
                let order = OrderRequest {
                    product,
                    side,
                    kind: OrderKind::Limit,
                    price,
                    lots: lots.min(self.max_lots),
                    all_or_none: false,
                    ttl: 20 * 60 * 1_000_000_000,
                };
                out.push_some(order.within_means(ctx, wake.id).map(Action::Submit));
            }
        }
    }
}

const SCENARIO: &str = r#"
[simulation]
name = "replace"
seed = 5
start_date = 2026-01-05
days = 3
open = "09:30"
close = "15:00"
window = "5m"
min_latency = "50ms"
latency_jitter = "20ms"

[[product]]
id = "NOTE7"
nav = 1.0
annual_yield = 0.025
tick_size = 0.0001
lot_size = 100
term_days = 7
holding_limit_days = 2
min_credit_score = 550
redemption_penalty = 0.005
price_band = 0.02
max_order_lots = 1000
primary_supply_lots = 5000

[macro]
loan_rate = { model = "fixed", value = 0.0435 }

[[agents]]
family = "market_maker"
count = 2
arrival = { process = "poisson", rate = 120.0 }
budget = { dist = "fixed", value = 5000000.0 }
credit_score = { dist = "fixed", value = 800.0 }
initial_lots = { dist = "fixed", value = 5000.0 }

[[agents]]
family = "zero_intelligence"
count = 300
arrival = { process = "poisson", rate = 6.0 }
budget = { dist = "lognormal", median = 20000.0, sigma = 0.6 }
credit_score = { dist = "normal", mean = 640.0, sd = 60.0 }
initial_lots = { dist = "uniform", min = 0.0, max = 40.0 }

[[agents]]
family = "repricer"
count = 100
arrival = { process = "poisson", rate = 60.0 }
budget = { dist = "fixed", value = 10000.0 }
credit_score = { dist = "fixed", value = 700.0 }
initial_lots = { dist = "fixed", value = 100.0 }

[agents.params]
max_lots = 60
"#;

/// What the run told: per account the lots held (from each account's
/// opening lots, the trades and the redemptions) and bought on the current
/// day, and the operations counted by name.
#[derive(Default)]
struct Ledger {
    held: HashMap<u32, i64>,
    bought_today: HashMap<u32, (i64, i64)>,
    dealers: Vec<u32>,
    ops: HashMap<String, u64>,
    trades: u64,
    replaced_orders: HashMap<u64, u32>,
    replaced_traded: u64,
}

const DAY: i64 = 86_400 * 1_000_000_000;

impl Recorder for Ledger {
    fn trade(&mut self, t: &TradeRecord) {
        self.trades += 1;
        let day = t.time / DAY;
        let lots = i64::from(t.lots);
        if t.buyer != 0 {
            *self.held.get_mut(&t.buyer).unwrap() += lots;
            let b = self.bought_today.entry(t.buyer).or_insert((day, 0));
            *b = if b.0 == day { (day, b.1 + lots) } else { (day, lots) };
        }
        if t.seller != 0 {
            let held = self.held.get_mut(&t.seller).unwrap();
            *held -= lots;
            assert!(*held >= 0, "customer {} sold lots it did not hold", t.seller);
            let today = match self.bought_today.get(&t.seller) {
                Some(&(d, b)) if d == day && !self.dealers.contains(&t.seller) => b,
                _ => 0,
            };
            assert!(*held >= today, "customer {} sold lots it bought today", t.seller);
        }
        if self.replaced_orders.contains_key(&t.buy_order) || self.replaced_orders.contains_key(&t.sell_order) {
            self.replaced_traded += 1;
        }
    }

    fn wants_ops(&self) -> bool {
        true
    }

    fn op(&mut self, op: &OpRecord) {
        let name = match op.op {
            Op::ReplaceRejected(why) => format!("replace_rejected {why}"),
            other => other.name().to_string(),
        };
        *self.ops.entry(name).or_default() += 1;
        match op.op {
            Op::Replaced => *self.replaced_orders.entry(op.order).or_default() += 1,
            Op::RedeemedAtLimit | Op::Matured => {
                let held = self.held.get_mut(&op.agent).unwrap();
                *held -= i64::from(op.lots);
                assert!(*held >= 0, "customer {} redeemed lots it did not hold", op.agent);
            }
            _ => {}
        }
    }
}

#[test]
fn agents_change_their_orders_and_the_run_conserves_cash_and_holdings() {
    let mut registry = Registry::builtin();
    registry.register::<Repricer>();
    let scenario = tplus::scenario::parse(Path::new("replace.toml"), SCENARIO, &registry).unwrap();
    let mut ledger = Ledger::default();
    let (makers, zi, repricers) = (1..=2u32, 3..=302u32, 303..=402u32);
    ledger.dealers = makers.clone().collect();
    // The makers' and the repricers' opening lots are fixed; a
    // zero-intelligence customer's are drawn, so its ledger starts from a
    // bound above them and checks only what the platform must keep anyway.
    ledger.held.extend(makers.map(|a| (a, 5000)));
    ledger.held.extend(zi.map(|a| (a, 40)));
    ledger.held.extend(repricers.clone().map(|a| (a, 100)));
    let out = run_with(&scenario, &RunOptions { seed: None, threads: 1 }, &registry, &mut ledger).unwrap();
    out.check().expect("cash conserved, accounts sound, no reservation left after the close");
    let ops = &ledger.ops;
    let count = |name: &str| ops.get(name).copied().unwrap_or(0);
    let summary = format!("{ops:?}");
    println!("{summary}");
    assert!(count("replaced") > 1000, "{summary}");
    assert!(count("replace_rejected insufficient_cash") > 0, "{summary}");
    assert!(count("replace_rejected insufficient_shares") > 0, "{summary}");
    assert!(count("replace_too_late") > 0, "{summary}");
    assert!(ledger.replaced_traded > 100, "changed orders trade: {}", ledger.replaced_traded);
    assert_eq!(
        out.stats.replaces,
        count("replaced")
            + count("replace_too_late")
            + ops.keys().filter(|k| k.starts_with("replace_rejected")).map(|k| ops[k]).sum::<u64>()
    );
    assert_eq!(out.stats.trades, ledger.trades);
    // Every accepted order ends once, changed or not.
    let ended = count("filled") + count("cancelled") + count("expired") + count("unfilled");
    assert_eq!(ended, count("accepted"), "{summary}");
    // The same run on two threads gives the same counts.
    let mut again = Ledger { held: ledger.held.keys().map(|&a| (a, 1 << 40)).collect(), ..Ledger::default() };
    let out2 = run_with(&scenario, &RunOptions { seed: None, threads: 2 }, &registry, &mut again).unwrap();
    assert_eq!((out2.stats.trades, out2.stats.replaces), (out.stats.trades, out.stats.replaces));
    assert_eq!(again.ops, ledger.ops);
}

/// The log of a run whose agents change their orders replays to its
/// trades byte for byte (`tplus replay`): each change is applied where the
/// log has it, under each matching rule.
#[test]
fn a_run_with_changes_replays_to_its_trades() {
    let mut registry = Registry::builtin();
    registry.register::<Repricer>();
    for rule in ["price_time", "price_size_time", "pro_rata"] {
        let text = SCENARIO.replacen("[[product]]", &format!("[[product]]\nmatching = \"{rule}\""), 1);
        let scenario = tplus::scenario::parse(Path::new("replace.toml"), &text, &registry).unwrap();
        let dir =
            Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("tplus-replace-replay-{}-{rule}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let mut writer = tplus::results::RunWriter::create(&dir, &scenario, true).unwrap();
        let out = run_with(&scenario, &RunOptions { seed: None, threads: 1 }, &registry, &mut writer).unwrap();
        writer.finish(&dir, &scenario, &out, 1).unwrap();
        let report = tplus::replay::replay(&dir).unwrap_or_else(|e| panic!("{rule}: {e}"));
        assert!(report.replaces > 1000, "{rule}: {report:?}");
        assert_eq!(report.trades, out.stats.trades, "{rule}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

/// A family registered by a library user gets the built-in families' error
/// quality: a parameter out of its range, of the wrong type or unknown is
/// refused with the file, the line and column of the value, the field path
/// and what the family's own declaration accepts.
#[test]
fn a_user_familys_bad_parameter_is_located_and_explained() {
    let mut registry = Registry::builtin();
    registry.register::<Repricer>();
    let path = Path::new("replace.toml");
    for (bad, field, accepted) in [
        ("max_lots = 0", "max_lots", "a whole number of lots from 1 to 100000"),
        ("max_lots = \"many\"", "max_lots", "a whole number of lots from 1 to 100000"),
        ("max_lot = 60", "max_lot", "max_lots"),
    ] {
        let text = SCENARIO.replace("max_lots = 60", bad);
        let e = tplus::scenario::parse(path, &text, &registry).expect_err(bad);
        let d = e.detail();
        // The line and column of the mistake, found in the text.
        let at = text.find(bad).unwrap();
        let line = text[..at].lines().count() + usize::from(text[..at].ends_with('\n'));
        assert_eq!(d.file, path, "{bad}: {e}");
        assert_eq!(d.line, Some(line), "{bad}: {e}");
        assert!(d.column.is_some(), "{bad}: {e}");
        assert_eq!(d.field.as_deref(), Some(&*format!("agents[2].params.{field}")), "{bad}: {e}");
        assert!(d.accepted.as_deref().is_some_and(|a| a.contains(accepted)), "{bad}: {e}");
        let shown = e.to_string();
        assert!(shown.contains(&format!("replace.toml:{line}:")) && shown.contains(field), "{shown}");
    }
}
