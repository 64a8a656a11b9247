//! The operations a stream is made of and their generators: the mixtures
//! (`Mix`) and the strategies for one operation, a stream and a rule's stream.

use super::MAX_OPS;
use proptest::prelude::*;
use proptest::sample::Index;
use tplus::book::{DoneReason, MatchingRule, NewOrder, OrderId, OrderKind, Qty, Side};

/// Which id a cancel or a replace names.
#[derive(Clone, Debug)]
pub(crate) enum Target {
    /// Any id a submit returned so far: resting, or long gone (stale).
    Returned(Index),
    /// An order resting right now.
    Live(Index),
    /// A returned id with its generation plus one, as its slot has right
    /// after the order leaves: even, so never a valid handle.
    FreedGeneration(Index),
    /// A constant such as `OrderId(0)`, documented as never valid.
    Fixed(OrderId),
}

/// A replace's new price, relative to the order's.
#[derive(Clone, Copy, Debug)]
pub(crate) enum NewPrice {
    Same,
    /// Moved by this many ticks (clamped to the grid).
    Shift(i32),
    /// Anywhere on the grid.
    Any(u32),
    /// `n_ticks`, off the grid.
    OffGrid,
}

/// A replace's new remaining quantity, relative to the order's.
#[derive(Clone, Copy, Debug)]
pub(crate) enum NewQty {
    Zero,
    /// Somewhere in `1..=remaining`.
    Less(Index),
    Same,
    /// Larger by this much.
    More(Qty),
    Any(Qty),
    /// `u32::MAX`: overflows once the order has filled anything.
    Huge,
}

#[derive(Clone, Debug)]
pub(crate) enum Op {
    /// The harness replaces the tag with a fresh one.
    Submit(NewOrder),
    Cancel(Target, DoneReason),
    Replace(Target, NewPrice, NewQty),
    Clear,
}

/// Shape of a family of streams: relative weights (all non-zero, except
/// `replace`: zero leaves replaces out) and ranges.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Mix {
    pub(crate) ticks: (u32, u32),
    pub(crate) max_capacity: usize,
    pub(crate) submit: u32,
    pub(crate) cancel: u32,
    pub(crate) replace: u32,
    pub(crate) clear: u32,
    pub(crate) limit: u32,
    pub(crate) ioc: u32,
    pub(crate) market: u32,
    pub(crate) aon: f64,
}

/// The everyday mixture (no replaces: the price–time tests as they were).
pub(crate) const MIXED: Mix = Mix {
    ticks: (16, 40),
    max_capacity: 64,
    submit: 80,
    cancel: 16,
    replace: 0,
    clear: 1,
    limit: 70,
    ioc: 15,
    market: 8,
    aon: 0.15,
};

/// The everyday mixture with replaces, for every rule.
pub(crate) const WITH_REPLACES: Mix = Mix { cancel: 10, replace: 16, ..MIXED };

pub(crate) fn target() -> impl Strategy<Value = Target> {
    prop_oneof![
        8 => any::<Index>().prop_map(Target::Returned),
        8 => any::<Index>().prop_map(Target::Live),
        1 => any::<Index>().prop_map(Target::FreedGeneration),
        1 => Just(Target::Fixed(OrderId(0))),
        1 => Just(Target::Fixed(OrderId(u64::MAX))),
    ]
}

pub(crate) fn op(n_ticks: u32, mix: Mix) -> BoxedStrategy<Op> {
    let side = prop_oneof![Just(Side::Buy), Just(Side::Sell)];
    let kind = prop_oneof![
        mix.limit => Just(OrderKind::Limit),
        mix.ioc => Just(OrderKind::Ioc),
        mix.market => Just(OrderKind::Market),
    ];
    // Off-grid prices are refused except for market orders, which ignore them.
    let price = prop_oneof![40 => 0..n_ticks, 1 => n_ticks..n_ticks + 3, 1 => Just(u32::MAX)];
    let qty = prop_oneof![40 => 1..=20u32, 1 => Just(0u32)];
    let submit = (side, kind, price, qty, prop::bool::weighted(mix.aon), 0..4u32).prop_map(
        |(side, kind, price, qty, all_or_none, owner)| {
            Op::Submit(NewOrder { side, kind, price, qty, all_or_none, owner, tag: 0 })
        },
    );
    let reason = prop_oneof![3 => Just(DoneReason::Cancelled), 1 => Just(DoneReason::Expired)];
    let cancel = (target(), reason).prop_map(|(t, r)| Op::Cancel(t, r));
    if mix.replace == 0 {
        return prop_oneof![mix.submit => submit, mix.cancel => cancel, mix.clear => Just(Op::Clear)].boxed();
    }
    let new_price = prop_oneof![
        8 => Just(NewPrice::Same),
        6 => (-4..=4i32).prop_map(NewPrice::Shift),
        3 => (0..n_ticks).prop_map(NewPrice::Any),
        1 => Just(NewPrice::OffGrid),
    ];
    let new_qty = prop_oneof![
        2 => Just(NewQty::Zero),
        8 => any::<Index>().prop_map(NewQty::Less),
        2 => Just(NewQty::Same),
        4 => (1..=12u32).prop_map(NewQty::More),
        3 => (1..=20u32).prop_map(NewQty::Any),
        1 => Just(NewQty::Huge),
    ];
    let replace = (target(), new_price, new_qty).prop_map(|(t, p, q)| Op::Replace(t, p, q));
    prop_oneof![mix.submit => submit, mix.cancel => cancel, mix.replace => replace, mix.clear => Just(Op::Clear)]
        .boxed()
}

/// (n_ticks, order capacity, ops).
pub(crate) fn stream(mix: Mix) -> impl Strategy<Value = (u32, usize, Vec<Op>)> {
    (mix.ticks.0..=mix.ticks.1, 0..=mix.max_capacity).prop_flat_map(move |(n_ticks, capacity)| {
        (Just(n_ticks), Just(capacity), prop::collection::vec(op(n_ticks, mix), 1..=MAX_OPS))
    })
}

/// (rule, n_ticks, order capacity, ops): a rule per stream.
pub(crate) fn rule_stream(mix: Mix) -> impl Strategy<Value = (MatchingRule, u32, usize, Vec<Op>)> {
    let rule =
        prop_oneof![Just(MatchingRule::PriceTime), Just(MatchingRule::PriceSizeTime), Just(MatchingRule::ProRata)];
    (rule, stream(mix)).prop_map(|(rule, (n, c, ops))| (rule, n, c, ops))
}
