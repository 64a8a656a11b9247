//! Market makers with several products quote one of them at each wake-up,
//! drawn at random (scenarios/README.md, `params` of `market_maker`): over a
//! run of `scenarios/two_products.toml` each of the two notes gets about
//! half of the makers' orders.

use std::path::Path;

use tplus::agents::Registry;
use tplus::engine::record::{Op, OpRecord, Recorder, TradeRecord};
use tplus::engine::{RunOptions, run_with};

/// Orders the makers (accounts 1 and 2, the file's first group) submitted, by product.
#[derive(Default)]
struct MakerOrders([u64; 2]);

impl Recorder for MakerOrders {
    fn trade(&mut self, _: &TradeRecord) {}

    fn wants_ops(&self) -> bool {
        true
    }

    fn op(&mut self, op: &OpRecord) {
        if matches!(op.op, Op::Submitted) && (1..=2).contains(&op.agent) {
            self.0[usize::from(op.product)] += 1;
        }
    }
}

#[test]
fn a_maker_group_with_two_products_quotes_both_about_equally() {
    let registry = Registry::builtin();
    let path = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/two_products.toml"));
    let scenario = tplus::scenario::load(path, &registry).unwrap();
    assert_eq!(scenario.agents[0].family, "market_maker");
    assert_eq!((scenario.agents[0].count, scenario.products.len()), (2, 2));
    let mut orders = MakerOrders::default();
    run_with(&scenario, &RunOptions { seed: None, threads: 1 }, &registry, &mut orders).unwrap();
    let [a, b] = orders.0;
    println!("maker orders: {} {a}, {} {b}", scenario.products[0].id, scenario.products[1].id);
    // Each wake-up picks a product with probability 1/2: over thousands of
    // wake-ups the shares stay well within 45–55%.
    let share = a as f64 / (a + b) as f64;
    assert!(a > 1000 && b > 1000, "{a} and {b}");
    assert!((0.45..=0.55).contains(&share), "NOTE7's share of the makers' orders is {share:.3} ({a} against {b})");
}
