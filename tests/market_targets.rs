//! The bundled baseline behaves like the platform it models, over seeds 1–5:
//!
//! - the credit gate never refuses a sale (it vets subscriptions only);
//! - the book quotes both sides in at least 90% of the one-minute grid points;
//! - the median trade is within 10 bp of the day's NAV, and 99% of trades
//!   within 50 bp (a note redeemable at NAV does not trade at a premium
//!   while the issuer sells and buys it back at NAV);
//! - the stylized facts, computed on the mid of a two-sided book only, still
//!   show heavy tails, volatility clustering and a positive correlation of
//!   a grid interval's volume with its absolute return (Karpoff 1987).
//!
//! Measured on the bundled baseline (seeds 1–5): two-sided at every point,
//! median trade 0–0.1 bp from NAV, at least 99.99% of trades within 50 bp
//! (seeds 3–5 have 6, 8 and 9 beyond it, up to 132 bp, all within 25 s
//! of an open); 1-minute
//! excess kurtosis 6–13 (Hill tail index 2.9–3.8); lag-1 autocorrelation of
//! |returns| 0.52–0.60; volume–|return| Pearson 0.32–0.56 (Spearman
//! 0.40–0.67), mean 0.41.
//! Each run also checks that cash is conserved.
//!
//! The volume–volatility correlation is positive because the issuer paces
//! its quotas (`primary_pacing`, `src/engine/primary.rs`): offered whole at
//! the open, its quotes pinned the mid a tick wide while absorbing most of
//! the volume, and the correlation was −0.01 to −0.27 on these seeds.

use std::path::Path;

use tplus::engine::record::{Op, OpRecord, Recorder, TradeRecord};
use tplus::engine::{self, RunOptions};
use tplus::scenario;

/// Trades (time, absolute ticks) and the credit-score refusals of sales.
#[derive(Default)]
struct Watch {
    trades: Vec<(i64, i64)>,
    sales_refused_for_credit: u64,
}

impl Recorder for Watch {
    fn trade(&mut self, t: &TradeRecord) {
        self.trades.push((t.time, t.price));
    }
    fn wants_ops(&self) -> bool {
        true
    }
    fn op(&mut self, op: &OpRecord) {
        if op.op == Op::Rejected("credit_score") && op.side == Some(tplus::book::Side::Sell) {
            self.sales_refused_for_credit += 1;
        }
    }
}

/// Least volume–|return| Pearson correlation of each seed (seeds 1–25 gave
/// 0.12–0.56), and of their mean over seeds 1–5.
const LEAST_VOLUME_VOLATILITY: f64 = 0.1;
const LEAST_MEAN_VOLUME_VOLATILITY: f64 = 0.25;

#[test]
fn the_baseline_trades_near_nav_on_a_two_sided_book() {
    let mut volume_volatility = Vec::new();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml");
    let s = scenario::load(&path, &tplus::agents::Registry::builtin()).expect("the baseline is valid");
    for seed in 1..=5 {
        let mut watch = Watch::default();
        let out = engine::run(&s, &RunOptions { seed: Some(seed), threads: 1 }, &mut watch).expect("run");
        assert_eq!(out.cash_start, out.cash_end, "seed {seed}: cash not conserved");
        assert_eq!(watch.sales_refused_for_credit, 0, "seed {seed}: the credit gate refused sales");

        let facts = out.metrics.grid.facts(0, 0.05);
        let two_sided = facts.two_sided_share.expect("grid points");
        assert!(two_sided >= 0.9, "seed {seed}: both sides quoted in only {two_sided:.3} of the points");

        // Distance of each trade from its day's NAV, in basis points.
        let days = out.calendar.days();
        let nav = &out.products[0].nav_ticks;
        let mut bp: Vec<f64> = watch
            .trades
            .iter()
            .map(|&(t, price)| {
                let day = days.iter().rposition(|d| d.open <= t).unwrap_or(0);
                (price as f64 / nav[day] - 1.0) * 1e4
            })
            .collect();
        assert!(bp.len() > 1000, "seed {seed}: only {} trades", bp.len());
        bp.sort_by(f64::total_cmp);
        let median = bp[bp.len() / 2];
        let within = bp.iter().filter(|x| x.abs() <= 50.0).count() as f64 / bp.len() as f64;
        assert!(median.abs() <= 10.0, "seed {seed}: median trade {median:.1} bp from NAV");
        assert!(within >= 0.99, "seed {seed}: only {within:.3} of trades within 50 bp of NAV");

        let kurtosis = facts.excess_kurtosis[0].value.expect("1-minute returns");
        let clustering = facts.acf_abs_returns[0].value.expect("lag-1 acf of |r|");
        assert!(kurtosis > 1.0, "seed {seed}: 1-minute excess kurtosis {kurtosis:.2}: no heavy tails");
        assert!(clustering > 0.1, "seed {seed}: lag-1 acf of |r| {clustering:.2}: no volatility clustering");
        let hill = facts.hill_tail_index.as_ref().map(|h| h.alpha);
        let pair = &facts.volume_abs_return;
        let (pearson, spearman) = (pair.pearson.expect("volume-|r| pearson"), pair.spearman.expect("spearman"));
        assert!(
            pearson > LEAST_VOLUME_VOLATILITY,
            "seed {seed}: volume-|r| pearson {pearson:.3} (spearman {spearman:.3}): volume and volatility do not rise together"
        );
        volume_volatility.push(pearson);
        println!(
            "seed {seed}: two-sided {two_sided:.3}, median {median:.1} bp, within 50 bp {within:.4}, \
             kurtosis {kurtosis:.1}, hill {hill:.2?}, acf|r| {clustering:.2}, volume-|r| pearson {pearson:.3} spearman {spearman:.3} \
             over {} returns",
            pair.n
        );
    }
    let mean = volume_volatility.iter().sum::<f64>() / volume_volatility.len() as f64;
    println!("mean volume-|r| pearson over the seeds {mean:.3}");
    assert!(mean > LEAST_MEAN_VOLUME_VOLATILITY, "mean volume-|r| pearson {mean:.3}");
}
