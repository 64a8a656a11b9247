//! The bundled teaching scenarios make their point on the results.
//!
//! Each test runs a scenario from `scenarios/` through the library and, where
//! the point is a comparison, a control: the same scenario with the same seed
//! and one thing changed (the scripted events removed, the herding rate
//! lowered, Hawkes arrivals replaced by Poisson ones at the same mean rate).
//! The thresholds sit well inside what the runs measure (figures in the
//! comments, measured on the scenarios as bundled), so they hold across small
//! changes to the agents, but they fail if the teaching point disappears.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

use tplus::calendar::{NS_PER_DAY, NS_PER_SEC};
use tplus::engine::record::{Discard, Op, OpRecord, Recorder, TradeRecord};
use tplus::engine::{self, Outcome, RunOptions};
use tplus::metrics::stats::{UNBOUNDED, mean_t_interval};
use tplus::metrics::{SideStats, WindowStats};
use tplus::platform::Reject;
use tplus::scenario::{self, ArrivalProcess, Scenario};

/// The only product of every teaching scenario.
const P: usize = 0;

fn load(name: &str) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(name);
    scenario::load(&path, &tplus::agents::Registry::builtin()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// One thread: the test harness already runs the tests in parallel, and the
/// results do not depend on the thread count.
fn run_with(s: &Scenario, rec: &mut dyn Recorder) -> Outcome {
    let out = engine::run(s, &RunOptions { seed: None, threads: 1 }, rec)
        .unwrap_or_else(|e| panic!("{}: {e}", s.simulation.name));
    assert!(out.accounts_sound, "{}: accounts went negative", s.simulation.name);
    assert_eq!(out.cash_start, out.cash_end, "{}: cash not conserved", s.simulation.name);
    out
}

fn run(s: &Scenario) -> Outcome {
    run_with(s, &mut Discard)
}

fn windows(out: &Outcome) -> impl Iterator<Item = &WindowStats> {
    (0..out.metrics.n_windows()).map(|w| out.metrics.window(w, P))
}

fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

/// The mean over the seeds of a per-seed effect (each seed's run against
/// its same-seed control) with its 95% Student-t interval, the interval
/// `tplus run --control` reports: printed under `what`, returned as
/// (mean, low, high). The interval covers the seeds' spread; each run's
/// own serial dependence is inside its per-seed figure.
fn paired(what: &str, effects: &[f64]) -> (f64, f64, f64) {
    let i = mean_t_interval(effects, UNBOUNDED).expect("finite effects");
    // mean_t_interval leaves non-finite values out (a control of 0 in a
    // ratio): a seed left out here is a failure, not a smaller n.
    assert_eq!(i.n, effects.len(), "{what}: a seed's effect is not finite: {effects:?}");
    let (lo, hi) = i.ci.expect("more than one seed");
    println!("{what}: mean {:.4}, 95% paired interval {lo:.4} to {hi:.4} over {} seeds", i.mean, i.n);
    (i.mean, lo, hi)
}

/// Sample variance (n − 1 in the denominator).
fn variance(x: &[f64]) -> f64 {
    let m = mean(x);
    x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (x.len() as f64 - 1.0)
}

/// Sarle's bimodality coefficient with the bias-adjusted sample skewness G1
/// and excess kurtosis G2: BC = (G1² + 1) / (G2 + 3(n − 1)² / ((n − 2)(n − 3))).
/// A uniform law gives 5/9; above it suggests two modes.
fn bimodality(x: &[f64]) -> f64 {
    let n = x.len() as f64;
    let m = mean(x);
    let c = |p: i32| x.iter().map(|v| (v - m).powi(p)).sum::<f64>() / n;
    let (m2, m3, m4) = (c(2), c(3), c(4));
    let g1 = m3 / m2.powf(1.5);
    let g2 = m4 / (m2 * m2) - 3.0;
    let skew = g1 * (n * (n - 1.0)).sqrt() / (n - 2.0);
    let kurt = ((n + 1.0) * g2 + 6.0) * (n - 1.0) / ((n - 2.0) * (n - 3.0));
    (skew * skew + 1.0) / (kurt + 3.0 * (n - 1.0).powi(2) / ((n - 2.0) * (n - 3.0)))
}

/// Per-window customer order imbalance (buy − sell) / (buy + sell), over the
/// windows with orders.
fn imbalances(out: &Outcome) -> Vec<f64> {
    windows(out)
        .filter(|w| w.buy_orders + w.sell_orders > 0)
        .map(|w| (w.buy_orders as f64 - w.sell_orders as f64) / (w.buy_orders + w.sell_orders) as f64)
        .collect()
}

fn optimist_shares(out: &Outcome) -> Vec<f64> {
    (0..out.metrics.n_windows())
        .map(|w| out.metrics.env(w).optimist_share.unwrap_or_else(|| panic!("window {w} has no optimist share")))
        .collect()
}

/// Subscriptions summed over the windows `range`.
fn buys(out: &Outcome, range: std::ops::Range<usize>) -> SideStats {
    let mut s = SideStats::default();
    for w in range {
        let b = out.metrics.window(w, P).buy;
        s.closed += b.closed;
        s.filled += b.filled;
        s.lots += b.lots;
        s.lots_filled += b.lots_filled;
        s.rejected += b.rejected;
    }
    s
}

/// Success among the orders the platform accepted (rejections apart).
fn accepted_success(s: &SideStats) -> f64 {
    s.accepted_success().expect("no accepted subscription closed")
}

/// The scenario's seed and the nine after it, each run with the scenario's
/// events and without them (the same-seed control), with the window that
/// holds the first event: the runs `tplus run FILE --control
/// --replications 10` compares.
fn ten_seed_runs(s: &Scenario) -> Vec<(Outcome, Outcome, usize)> {
    (0..10)
        .map(|k| {
            let mut treated = s.clone();
            treated.simulation.seed = s.simulation.seed + k;
            let mut control = treated.clone();
            control.events.clear();
            let (with, without) = (run(&treated), run(&control));
            let first = window_from(&with, with.calendar.at(s.events[0].at));
            (with, without, first)
        })
        .collect()
}

/// The window that holds time `t` (the first whose end is after it).
fn window_from(out: &Outcome, t: i64) -> usize {
    (0..out.metrics.n_windows())
        .find(|&w| out.calendar.window_bounds(w).2 > t)
        .expect("the moment falls inside the run")
}

/// Subscriptions from the first event's window to the end, with the
/// scenario's events and without them, over the runs of [`ten_seed_runs`].
fn ten_seed_pairs(s: &Scenario) -> Vec<(SideStats, SideStats)> {
    ten_seed_runs(s)
        .iter()
        .map(|(with, without, first)| {
            let n = with.metrics.n_windows();
            (buys(with, *first..n), buys(without, *first..n))
        })
        .collect()
}

/// Seeds (of the pairs) where `holds(treated, control)`.
fn seeds_where(pairs: &[(SideStats, SideStats)], holds: impl Fn(&SideStats, &SideStats) -> bool) -> usize {
    pairs.iter().filter(|(t, c)| holds(t, c)).count()
}

fn success(s: &SideStats) -> f64 {
    s.success().expect("no subscription closed")
}

/// How many standard errors `a`'s success probability lies below `b`'s
/// (two-proportion z statistic with the pooled proportion).
fn z_lower(a: &SideStats, b: &SideStats) -> f64 {
    let (na, nb) = (a.closed as f64, b.closed as f64);
    let pooled = (a.filled + b.filled) as f64 / (na + nb);
    let se = (pooled * (1.0 - pooled) * (1.0 / na + 1.0 / nb)).sqrt();
    (success(b) - success(a)) / se
}

/// Windows of each business day, in order.
fn days(out: &Outcome) -> Vec<std::ops::Range<usize>> {
    let per_day = out.calendar.windows_per_day() as usize;
    (0..out.calendar.days().len()).map(|d| d * per_day..(d + 1) * per_day).collect()
}

fn herding_run() -> &'static Outcome {
    static RUN: OnceLock<Outcome> = OnceLock::new();
    RUN.get_or_init(|| run(&load("herding.toml")))
}

/// herding.toml: with recruitment (6 per hour) far above autonomy (1 per
/// hour) the crowd spends its time near all-optimist or all-pessimist, so
/// the optimist-share series over the run's windows is bimodal
/// (bimodality coefficient above the uniform law's 5/9).
#[test]
fn herding_crowd_mood_is_bimodal() {
    let shares = optimist_shares(herding_run());
    let bc = bimodality(&shares);
    let near_edges = shares.iter().filter(|z| !(0.2..=0.8).contains(*z)).count() as f64 / shares.len() as f64;
    println!("herding.toml: optimist share BC {bc:.3}, share of windows outside 0.2..0.8 {near_edges:.2}");
    // Measured: BC 0.782, 78% of the windows outside 0.2..0.8.
    assert!(bc > 5.0 / 9.0, "optimist share over {} windows has BC {bc:.3}, not above 5/9", shares.len());
}

/// herding.toml against rational.toml (same size, same seed): the herd's
/// swings from all-buy to all-sell make the per-window order imbalance vary
/// far more than in a market of rational customers.
#[test]
fn herding_order_flow_lurches_against_rational() {
    let herd = variance(&imbalances(herding_run()));
    let rational = variance(&imbalances(&run(&load("rational.toml"))));
    println!("order-imbalance variance: herding.toml {herd:.4}, rational.toml {rational:.4}");
    // Measured (seed 7): 0.315 against 0.0137.
    assert!(
        herd > 3.0 * rational,
        "order-imbalance variance {herd:.4} in herding.toml is not 3x rational.toml's {rational:.4}"
    );
}

/// herding.toml against its same-seed control, the header's experiment
/// (herding = 0.1 per hour instead of 6, autonomy still 1), over the
/// scenario's seed and the nine after it: the crowd's mood is bimodal and
/// the order imbalance swings far more than the control's.
#[test]
fn herding_lesson_holds_in_nine_seeds_of_ten() {
    let herd = load("herding.toml");
    let mut weak = herd.clone();
    for g in weak.agents.iter_mut().filter(|g| g.family == "herding") {
        g.params.insert("herding".into(), 0.1.into());
    }
    let (mut bimodal, mut lurches) = (0, 0);
    let (mut bc_up, mut var_times) = (Vec::new(), Vec::new());
    for k in 0..10 {
        let (mut h, mut w) = (herd.clone(), weak.clone());
        h.simulation.seed += k;
        w.simulation.seed += k;
        let (h, w) = (run(&h), run(&w));
        let (bc_h, bc_w) = (bimodality(&optimist_shares(&h)), bimodality(&optimist_shares(&w)));
        let (v_h, v_w) = (variance(&imbalances(&h)), variance(&imbalances(&w)));
        println!(
            "seed {}: BC {bc_h:.3} vs {bc_w:.3}; imbalance variance {v_h:.4} vs {v_w:.4}",
            herd.simulation.seed + k
        );
        bimodal += usize::from(bc_h > 5.0 / 9.0 && bc_w < 5.0 / 9.0);
        lurches += usize::from(v_h > 2.0 * v_w);
        bc_up.push(bc_h - bc_w);
        var_times.push(v_h / v_w);
    }
    // Measured (seeds 7–16): BC 0.752–0.806 against 0.325–0.446; imbalance
    // variance 0.289–0.359 against 0.093–0.118 (2.7–3.8 times). Paired over
    // the seeds: BC +0.393 (95% interval 0.363 to 0.424), the variance 3.16
    // times the control's (2.93 to 3.39).
    assert!(bimodal >= 9, "the mood is bimodal (and the control's not) in only {bimodal} seeds of 10");
    assert!(lurches >= 9, "order imbalance varies twice the control's in only {lurches} seeds of 10");
    let (_, lo, _) = paired("herding.toml: optimist-share BC less the control's", &bc_up);
    assert!(lo > 0.2, "the BC rose by {lo:.3} at the interval's low end");
    let (_, lo, _) = paired("herding.toml: order-imbalance variance over the control's", &var_times);
    assert!(lo > 2.0, "the imbalance variance was {lo:.2} times the control's at the interval's low end");
}

/// herding.toml with the herding rate lowered to 0.05 per hour (autonomy
/// still 1 per hour), the scenario comment's own experiment: the crowd
/// gathers around one half and the share is no longer bimodal. Without the
/// market's push the stationary law is Beta(a/b, a/b) = Beta(20, 20), with a
/// standard deviation of 0.08: practically always within 0.3..0.7.
#[test]
fn weak_herding_stays_near_half() {
    let mut s = load("herding.toml");
    let mut changed = 0;
    for g in s.agents.iter_mut().filter(|g| g.family == "herding") {
        g.params.insert("herding".into(), 0.05.into());
        assert_eq!(g.params["autonomy"].as_float(), Some(1.0), "herding.toml's autonomy changed");
        changed += 1;
    }
    assert!(changed > 0, "herding.toml has no herding group");
    let shares = optimist_shares(&run(&s));
    let bc = bimodality(&shares);
    let m = mean(&shares);
    let near_half = shares.iter().filter(|z| (0.3..=0.7).contains(*z)).count() as f64 / shares.len() as f64;
    let (lo, hi) = shares.iter().fold((1.0f64, 0.0f64), |(lo, hi), &z| (lo.min(z), hi.max(z)));
    // Measured: BC 0.349, mean 0.487, range 0.288..0.693: every window
    // within 0.3..0.7.
    println!("weak herding: BC {bc:.3}, mean share {m:.3}, range {lo:.3}..{hi:.3}, within 0.3..0.7 {near_half:.2}");
    assert!(bc < 5.0 / 9.0, "weak herding still bimodal: BC {bc:.3}");
    assert!((m - 0.5).abs() < 0.1, "weak herding's mean optimist share {m:.3} is not near 1/2");
    assert!(
        near_half > 0.95,
        "weak herding's share is within 0.3..0.7 in only {near_half:.2} of the windows (range {lo:.3}..{hi:.3})"
    );
}

/// rate_hike.toml against the same scenario without its `[[events]]`: the
/// +150 bp loan-rate step at day 3 10:00 lowers, from the step to the end,
/// both the subscription volume (buy lots filled) and the subscription
/// success probability. Before the step each pair of runs is identical,
/// window for window: the control differs only in the hike. The success
/// effect is a few points, so the test pools the scenario's seed and the
/// two after it, each run against its own same-seed control, rather than
/// resting on one realization.
#[test]
fn rate_hike_cuts_subscriptions_against_the_same_run_without_it() {
    let hike = load("rate_hike.toml");
    assert_eq!(hike.events.len(), 1, "rate_hike.toml should script one event");
    let (mut h, mut c) = (SideStats::default(), SideStats::default());
    for k in 0..3 {
        let mut with_hike = hike.clone();
        with_hike.simulation.seed = hike.simulation.seed + k;
        let mut control = with_hike.clone();
        control.events.clear();
        let (with, without) = (run(&with_hike), run(&control));

        let t = with.calendar.at(hike.events[0].at);
        let n = with.metrics.n_windows();
        let first = (0..n).find(|&w| with.calendar.window_bounds(w).1 >= t).expect("the hike falls inside the run");
        assert!(first > 0 && first < n, "hike window {first} of {n}");

        // The control is a true control: every window before the step is the same.
        for w in 0..first {
            let (a, b) = (with.metrics.window(w, P), without.metrics.window(w, P));
            assert_eq!(format!("{a:?}"), format!("{b:?}"), "window {w} (before the hike) differs from the control");
            let (a, b) = (with.metrics.env(w), without.metrics.env(w));
            assert_eq!(format!("{a:?}"), format!("{b:?}"), "environment of window {w} differs from the control");
        }
        // The step itself, as the loan_rate column shows it.
        let (before, after) = (with.metrics.env(first - 1).loan_rate, with.metrics.env(first).loan_rate);
        assert!((after - before - 0.015).abs() < 1e-12, "loan rate {before} -> {after} at the hike");
        assert_eq!(without.metrics.env(n - 1).loan_rate, before, "the control's loan rate moved");

        let (hk, ck) = (buys(&with, first..n), buys(&without, first..n));
        println!(
            "rate_hike.toml seed {} from window {first}: lots filled {} vs control {}, success {:.4} ({} closed) vs {:.4} ({} closed), z {:.2}",
            with_hike.simulation.seed,
            hk.lots_filled,
            ck.lots_filled,
            success(&hk),
            hk.closed,
            success(&ck),
            ck.closed,
            z_lower(&hk, &ck)
        );
        for (total, part) in [(&mut h, hk), (&mut c, ck)] {
            total.closed += part.closed;
            total.filled += part.filled;
            total.lots += part.lots;
            total.lots_filled += part.lots_filled;
        }
    }
    // The lesson is the volume: fewer customers clear their threshold, so
    // fewer lots are subscribed. Success among those who still bid is not
    // the lesson, and it depends on the primary market: it held with the
    // issuer's quotas offered whole at the open (0.413 against 0.402) and
    // falls with them paced (0.393 against 0.546); the test prints it.
    let z = z_lower(&h, &c);
    println!(
        "pooled: lots filled {} vs {} ({:.2} of the control), success {:.4} vs {:.4} (z {z:.2})",
        h.lots_filled,
        c.lots_filled,
        h.lots_filled as f64 / c.lots_filled as f64,
        success(&h),
        success(&c)
    );
    assert!(
        (h.lots_filled as f64) < 0.85 * c.lots_filled as f64,
        "subscription volume after the hike {} is not well below the control's {}",
        h.lots_filled,
        c.lots_filled
    );
}

/// rate_hike.toml's header claim, over its seed and the nine after it
/// against the same seeds without the hike: lots subscribed from the hike on
/// fall in every seed, and so does success among accepted subscriptions.
/// The fall is not at once: for the first two hours holders sell, so sell
/// orders and lots traded are up on the control, and only after that does
/// trading fall below it.
#[test]
fn rate_hike_lesson_holds_in_nine_seeds_of_ten() {
    let hike = load("rate_hike.toml");
    let runs = ten_seed_runs(&hike);
    let pairs: Vec<(SideStats, SideStats)> = runs
        .iter()
        .map(|(t, c, first)| {
            let n = t.metrics.n_windows();
            (buys(t, *first..n), buys(c, *first..n))
        })
        .collect();
    for (t, c) in &pairs {
        println!(
            "lots filled {:.3} of the control's; accepted success {:.3} vs {:.3}",
            t.lots_filled as f64 / c.lots_filled as f64,
            accepted_success(t),
            accepted_success(c)
        );
    }
    // Measured (seeds 11–20, from the hike's window): 0.71–0.80 of the
    // control's lots; accepted success 0.415–0.433 against 0.578–0.594.
    // Paired over the seeds: 0.754 of the control's lots (95% interval
    // 0.734 to 0.775), accepted success −0.162 (−0.164 to −0.160).
    let lots: Vec<f64> = pairs.iter().map(|(t, c)| t.lots_filled as f64 / c.lots_filled as f64).collect();
    let (_, _, hi) = paired("rate_hike.toml: lots subscribed over the control's", &lots);
    assert!(hi < 0.85, "lots subscribed were {hi:.3} of the control's at the interval's high end");
    let acc: Vec<f64> = pairs.iter().map(|(t, c)| accepted_success(t) - accepted_success(c)).collect();
    let (_, _, hi) = paired("rate_hike.toml: accepted subscriptions' success less the control's", &acc);
    assert!(hi < -0.05, "accepted success moved by {hi:.3} at the interval's high end");
    let fewer = seeds_where(&pairs, |t, c| (t.lots_filled as f64) < 0.85 * c.lots_filled as f64);
    assert!(fewer >= 9, "lots subscribed fell by 15% in only {fewer} seeds of 10");
    let lower = seeds_where(&pairs, |t, c| accepted_success(t) < accepted_success(c) - 0.05);
    assert!(lower >= 9, "accepted subscriptions' success fell by 0.05 in only {lower} seeds of 10");

    // The first two hours against the rest of the run, each over the
    // control's: (sell orders, lots traded) in each part, per seed.
    let two_hours = 2 * 3600 * NS_PER_SEC;
    let parts: Vec<[f64; 4]> = runs
        .iter()
        .map(|(t, c, first)| {
            let until = window_from(t, t.calendar.at(hike.events[0].at) + two_hours);
            let n = t.metrics.n_windows();
            let over = |range: std::ops::Range<usize>, f: fn(&WindowStats) -> u64| {
                let sum = |out: &Outcome| range.clone().map(|w| f(out.metrics.window(w, P))).sum::<u64>() as f64;
                sum(t) / sum(c)
            };
            let (sells, volume) = (|w: &WindowStats| w.sell_orders, |w: &WindowStats| w.volume);
            [over(*first..until, sells), over(*first..until, volume), over(until..n, sells), over(until..n, volume)]
        })
        .collect();
    for p in &parts {
        println!(
            "first two hours: sell orders {:.3}, lots traded {:.3} of the control's; after: {:.3} and {:.3}",
            p[0], p[1], p[2], p[3]
        );
    }
    let column = |k: usize| parts.iter().map(|p| p[k]).collect::<Vec<f64>>();
    // Measured (seeds 11–20, the 24 windows from 10:00 on day 3): sell
    // orders 1.53–1.57 of the control's (paired 1.552, 95% interval 1.542
    // to 1.562), lots traded 1.02–1.18 (1.087, 1.053 to 1.122); from noon
    // to the end, sell orders 0.81–0.82 and lots traded 0.66–0.73 of the
    // control's (0.695, 0.680 to 0.710).
    let (_, lo, _) = paired("rate_hike.toml: sell orders in the first two hours over the control's", &column(0));
    assert!(lo > 1.3, "sell orders in the two hours after the hike were {lo:.3} of the control's at the low end");
    let (_, lo, _) = paired("rate_hike.toml: lots traded in the first two hours over the control's", &column(1));
    assert!(lo > 1.0, "lots traded in the two hours after the hike were {lo:.3} of the control's at the low end");
    let (_, _, hi) = paired("rate_hike.toml: lots traded after the first two hours over the control's", &column(3));
    assert!(hi < 0.85, "lots traded after the first two hours were {hi:.3} of the control's at the high end");
    let up = parts.iter().filter(|p| p[1] > 1.0).count();
    assert!(up >= 9, "lots traded rose in the first two hours in only {up} seeds of 10");
}

/// credit_squeeze.toml's header claim, over its seed and the nine after it
/// against the same seeds without the squeeze: subscription success falls,
/// and the fall is the gate's rejections — among accepted orders success
/// barely moves.
#[test]
fn credit_squeeze_lesson_holds_in_nine_seeds_of_ten() {
    let pairs = ten_seed_pairs(&load("credit_squeeze.toml"));
    for (t, c) in &pairs {
        println!(
            "success {:.3} vs {:.3}; accepted {:.3} vs {:.3}; rejected {} vs {}",
            success(t),
            success(c),
            accepted_success(t),
            accepted_success(c),
            t.rejected,
            c.rejected
        );
    }
    // Measured (seeds 13–22, from the first step's window): success
    // 0.209–0.218 against 0.311–0.320; among accepted orders 0.332–0.345
    // against 0.340–0.349; rejections 4.3–5.0 times the control's. Paired
    // over the seeds: success −0.102 (95% interval −0.103 to −0.101); among
    // accepted orders −0.0055 (−0.0070 to −0.0040): a real but small move,
    // an eighteenth of the fall.
    let fall: Vec<f64> = pairs.iter().map(|(t, c)| success(t) - success(c)).collect();
    let (fell, _, hi) = paired("credit_squeeze.toml: subscription success less the control's", &fall);
    assert!(hi < -0.05, "subscription success moved by {hi:.3} at the interval's high end");
    let acc: Vec<f64> = pairs.iter().map(|(t, c)| accepted_success(t) - accepted_success(c)).collect();
    let (_, lo, hi) = paired("credit_squeeze.toml: accepted subscriptions' success less the control's", &acc);
    assert!(lo > -0.03 && hi < 0.03, "accepted success moved by {lo:.4} to {hi:.4}");
    assert!(lo > 0.2 * fell, "the accepted orders' move ({lo:.4}) is over a fifth of the fall ({fell:.4})");
    let lower = seeds_where(&pairs, |t, c| success(t) < 0.8 * success(c));
    assert!(lower >= 9, "subscription success fell by a fifth in only {lower} seeds of 10");
    let rejected = seeds_where(&pairs, |t, c| t.rejected as f64 > 1.5 * c.rejected as f64);
    assert!(rejected >= 9, "rejections rose by half in only {rejected} seeds of 10");
    let same = seeds_where(&pairs, |t, c| (accepted_success(t) - accepted_success(c)).abs() < 0.03);
    assert!(same >= 9, "accepted subscriptions' success moved by 0.03 or more in {} seeds of 10", 10 - same);
}

/// Per-window customer order counts (buy_orders + sell_orders).
fn order_counts(out: &Outcome) -> Vec<f64> {
    windows(out).map(|w| (w.buy_orders + w.sell_orders) as f64).collect()
}

fn fano(x: &[f64]) -> f64 {
    variance(x) / mean(x)
}

/// burst.toml against the same market with Poisson arrivals at the Hawkes
/// mean rate mu / (1 − alpha/beta): self-excitation makes the per-window
/// order counts overdispersed, a Fano factor (variance / mean) far above 1
/// and far above the Poisson market's, at about the same mean.
/// burst.toml against its control: the same file and seed with each Hawkes
/// group's arrivals replaced by Poisson ones at the same mean rate, over
/// the scenario's seed and the nine after it.
#[test]
fn burst_arrivals_are_overdispersed_against_poisson() {
    let burst = load("burst.toml");
    let mut control = burst.clone();
    let mut hawkes_groups = 0;
    for g in &mut control.agents {
        if g.arrival.process == ArrivalProcess::Hawkes {
            let rate = g.arrival.mean_rate();
            g.arrival.process = ArrivalProcess::Poisson;
            g.arrival.rate = Some(rate);
            (g.arrival.mu, g.arrival.alpha, g.arrival.beta) = (None, None, None);
            hawkes_groups += 1;
        }
    }
    assert!(hawkes_groups > 0, "burst.toml has no Hawkes group");
    let (mut over, mut near) = (0, 0);
    let mut fano_times = Vec::new();
    for k in 0..10 {
        let (mut b, mut p) = (burst.clone(), control.clone());
        b.simulation.seed += k;
        p.simulation.seed += k;
        let (b, p) = (order_counts(&run(&b)), order_counts(&run(&p)));
        let (fb, fp) = (fano(&b), fano(&p));
        let ratio = mean(&b) / mean(&p);
        println!(
            "seed {}: burst mean {:.1} Fano {fb:.2}; Poisson control mean {:.1} Fano {fp:.2}",
            burst.simulation.seed + k,
            mean(&b),
            mean(&p)
        );
        over += usize::from(fb > 2.0 * fp && fb > 5.0);
        near += usize::from((0.7..1.3).contains(&ratio));
        fano_times.push(fb / fp);
    }
    // Paired over the seeds (5–14): the Fano factor 4.83 times the
    // control's (95% interval 4.50 to 5.17). Before each session opened in
    // the process's steady state, a ramp through every morning made most
    // of a similar ratio (4.87) at branching ratio 0.85; from the steady
    // state that file gave 1.43 (1.30 to 1.57).
    let (_, lo, _) = paired("burst.toml: Fano factor over the Poisson control's", &fano_times);
    assert!(lo > 2.0, "the Fano factor was {lo:.2} times the control's at the interval's low end");
    // The Poisson market is above 1 too, as a wake-up may send several
    // orders and the flow varies through the day.
    assert!(over >= 9, "burst.toml's Fano factor is twice the Poisson control's in only {over} seeds of 10");
    assert!(near >= 9, "mean orders per window within 30% of the control's in only {near} seeds of 10");
}

/// Counts credit-score rejections by business day.
struct CreditRejections {
    /// Calendar day (since the start date) to count.
    by_day: BTreeMap<i64, u64>,
}

impl Recorder for CreditRejections {
    fn trade(&mut self, _: &TradeRecord) {}
    fn wants_ops(&self) -> bool {
        true
    }
    fn op(&mut self, op: &OpRecord) {
        if op.op == Op::Rejected(Reject::CreditScore.name()) {
            *self.by_day.entry(op.time.div_euclid(NS_PER_DAY)).or_default() += 1;
        }
    }
}

/// Credit-score rejections per business day of a run, and the run.
fn credit_rejections(s: &Scenario) -> (Vec<u64>, Outcome) {
    let mut rec = CreditRejections { by_day: BTreeMap::new() };
    let out = run_with(s, &mut rec);
    let per_day: Vec<u64> = out
        .calendar
        .days()
        .iter()
        .map(|d| rec.by_day.get(&d.open.div_euclid(NS_PER_DAY)).copied().unwrap_or(0))
        .collect();
    assert_eq!(
        per_day.iter().sum::<u64>(),
        out.metrics.totals(P).rejected[Reject::CreditScore as usize],
        "the log's credit-score rejections do not add up to the run totals"
    );
    (per_day, out)
}

/// credit_squeeze.toml against the same scenario without its events: as the
/// minimum credit score rises 25 points each morning from day 2, credit-score
/// rejections climb day by day, above the control's from day 2 on, and the
/// last day's subscription success falls below the control's.
#[test]
fn credit_squeeze_rejects_more_each_day_and_cuts_success() {
    let squeeze = load("credit_squeeze.toml");
    let mut control = squeeze.clone();
    control.events.clear();
    let ((sq, with), (ctl, without)) = (credit_rejections(&squeeze), credit_rejections(&control));
    let last = days(&with).pop().unwrap();
    let (s_last, c_last) = (success(&buys(&with, last.clone())), success(&buys(&without, last)));
    println!("credit-score rejections per day: squeeze {sq:?}, control {ctl:?}");
    println!("last day's subscription success: squeeze {s_last:.4}, control {c_last:.4}");

    // Measured: squeeze [5607, 11337, 20062, 28897, 39338] against
    // control [5607, 6011, 6200, 3807, 4270].
    assert_eq!(sq[0], ctl[0], "day 1 (before any change) differs from the control");
    for d in 1..sq.len() {
        assert!(sq[d] > sq[d - 1], "credit-score rejections did not rise from day {} to day {}: {sq:?}", d, d + 1);
        assert!(
            sq[d] as f64 > 1.5 * ctl[d] as f64,
            "day {}: {} credit-score rejections, not well above the control's {}",
            d + 1,
            sq[d],
            ctl[d]
        );
    }
    // Measured: 0.128 against 0.254.
    assert!(
        s_last < 0.8 * c_last,
        "last day's subscription success {s_last:.4} is not below the control's {c_last:.4}"
    );
}

/// Trades on each side per `[[agents]]` group.
struct TradesByGroup {
    /// First account id of each group (customers are 1…N in group order).
    first: Vec<u32>,
    bought: Vec<u64>,
    sold: Vec<u64>,
}

impl TradesByGroup {
    fn group(&self, account: u32) -> Option<usize> {
        (account > 0).then(|| self.first.partition_point(|&f| f <= account) - 1)
    }
}

impl Recorder for TradesByGroup {
    fn trade(&mut self, t: &TradeRecord) {
        if let Some(g) = self.group(t.buyer) {
            self.bought[g] += 1;
        }
        if let Some(g) = self.group(t.seller) {
            self.sold[g] += 1;
        }
    }
}

/// baseline.toml: an ordinary mixed week. Every customer family trades on
/// both sides, subscription and sale success probabilities lie strictly
/// between 0 and 1, and the herd's optimist share is reported every window.
#[test]
fn baseline_every_family_trades() {
    let s = load("baseline.toml");
    let mut first = Vec::new();
    let mut next = 1u32;
    for g in &s.agents {
        first.push(next);
        next += g.count as u32;
    }
    let mut rec = TradesByGroup { first, bought: vec![0; s.agents.len()], sold: vec![0; s.agents.len()] };
    let out = run_with(&s, &mut rec);

    for family in ["zero_intelligence", "rational", "herding", "macro"] {
        let groups: Vec<usize> = (0..s.agents.len()).filter(|&g| s.agents[g].family == family).collect();
        assert!(!groups.is_empty(), "baseline.toml has no {} group", family);
        let bought: u64 = groups.iter().map(|&g| rec.bought[g]).sum();
        let sold: u64 = groups.iter().map(|&g| rec.sold[g]).sum();
        println!("baseline.toml: {} bought in {bought} trades, sold in {sold}", family);
        assert!(bought > 100 && sold > 100, "{}: bought in {bought} trades, sold in {sold}", family);
    }

    let summary = out.metrics.summary(&out.products, tplus::metrics::risk::report(&[], 1.0, 1.0, 3.5).1);
    let (sub, sale) = (&summary.all.subscriptions, &summary.all.sales);
    for (what, p) in [("subscription", sub.success_probability), ("sale", sale.success_probability)] {
        let p = p.unwrap_or_else(|| panic!("no {what} closed"));
        println!("baseline.toml: {what} success {p:.4}");
        assert!(p > 0.0 && p < 1.0, "{what} success probability {p} is not strictly between 0 and 1");
    }
    let shares = optimist_shares(&out);
    assert!(shares.iter().all(|z| (0.0..=1.0).contains(z)), "optimist share outside 0..1");
}

/// sale_panic.toml: over seeds 1–10, in the 15 minutes from the rumour
/// against the same seed without it, customers apply to sell far more, their
/// sales fill less often, and the bids a seller could hit thin. Measured as
/// bundled, the issuer's quotas paced and agents' returns taken from the
/// mid (else NAV): sell orders 2.6× the control's (every seed at least
/// 2.11×), sale success 0.22 against 0.42 on average (lower in 10 of 10
/// seeds), mean depth of the five best bids 141 lots against 319 (thinner
/// in 8 of 10; 96 against 279 and 9 of 10 when the quotas stood whole).
#[test]
fn sale_panic_surges_sales_collapses_success_and_thins_bids() {
    let panic = load("sale_panic.toml");
    assert_eq!(panic.events.len(), 1, "sale_panic.toml should script one rumour");
    let (mut surged, mut collapsed, mut thinned) = (0, 0, 0);
    // Per seed, treatment − control: sale success, and bid depth in lots.
    let (mut success_drop, mut depth_drop, mut sells_times) = (Vec::new(), Vec::new(), Vec::new());
    let seeds = 1..=10u64;
    for seed in seeds.clone() {
        let mut with = panic.clone();
        with.simulation.seed = seed;
        let mut control = with.clone();
        control.events.clear();
        let (a, b) = (run(&with), run(&control));
        let t = a.calendar.at(panic.events[0].at);
        let n = a.metrics.n_windows();
        let first = (0..n).find(|&w| a.calendar.window_bounds(w).1 >= t).expect("the rumour falls inside the run");
        for w in 0..first {
            assert_eq!(
                format!("{:?}", a.metrics.window(w, P)),
                format!("{:?}", b.metrics.window(w, P)),
                "window {w}, before the rumour, differs from the control"
            );
        }
        let after = first..first + 3;
        let sum = |out: &Outcome, f: &dyn Fn(&WindowStats) -> f64| {
            after.clone().map(|w| f(out.metrics.window(w, P))).sum::<f64>()
        };
        let sells = |out: &Outcome| sum(out, &|s| s.sell_orders as f64);
        let sale = |out: &Outcome| {
            let mut s = SideStats::default();
            for w in after.clone() {
                let x = out.metrics.window(w, P).sell;
                (s.closed, s.filled) = (s.closed + x.closed, s.filled + x.filled);
            }
            success(&s)
        };
        let bids = |out: &Outcome| sum(out, &|s| s.depth.mean().map_or(0.0, |d| d.0)) / 3.0;
        println!(
            "sale_panic.toml seed {seed}: sell orders {} vs {}, sale success {:.3} vs {:.3}, bid lots {:.0} vs {:.0}",
            sells(&a),
            sells(&b),
            sale(&a),
            sale(&b),
            bids(&a),
            bids(&b)
        );
        surged += usize::from(sells(&a) >= 1.5 * sells(&b));
        collapsed += usize::from(sale(&a) < sale(&b));
        thinned += usize::from(bids(&a) < bids(&b));
        success_drop.push(sale(&a) - sale(&b));
        sells_times.push(sells(&a) / sells(&b));
        depth_drop.push(bids(&a) - bids(&b));
    }
    assert!(surged >= 9, "sell orders surged in {surged} of 10 seeds");
    assert!(collapsed >= 9, "sale success fell in {collapsed} of 10 seeds");
    assert!(thinned >= 8, "bids thinned in {thinned} of 10 seeds");
    // Not only a fall in most seeds but a real one, shown by the 95% paired
    // t-interval over the seeds: sell orders 2.63 times the control's (2.32
    // to 2.94), sale success down by more than a tenth (absolute; measured
    // -0.20, -0.26 to -0.14), the bids a seller can hit down, the interval
    // clear of zero (measured -178 lots, -303 to -52; the control's depth
    // varies a lot from seed to seed).
    let (_, lo, _) = paired("sale_panic.toml: sell orders over the control's", &sells_times);
    assert!(lo > 1.5, "sell orders were {lo:.2} times the control's at the interval's low end");
    let (_, lo, hi) = paired("sale_panic.toml: sale success less the control's", &success_drop);
    assert!(hi < -0.1, "sale success changed by {lo:.3} to {hi:.3} (95% paired interval)");
    let (_, lo, hi) = paired("sale_panic.toml: bid lots less the control's", &depth_drop);
    assert!(hi < 0.0, "bid depth changed by {lo:.0} to {hi:.0} lots (95% paired interval)");
}

/// What the refitted scorecard changed from day 4 on (the first day a
/// fitted card scores), and how well it ranked out of time.
struct FitEffect {
    failed: u64,
    control_failed: u64,
    rejected_share: f64,
    control_rejected_share: f64,
    /// Lots traded (`metrics.csv`'s `volume`), with and without the fits.
    volume: u64,
    control_volume: u64,
    out_of_time_auc: Vec<f64>,
}

fn credit_fit_effect(seed: u64) -> FitEffect {
    let mut treated = load("credit_fit.toml");
    treated.simulation.seed = seed;
    let mut control = treated.clone();
    control.credit.fit = None;
    let (with, without) = (run(&treated), run(&control));
    let from = 4 * with.calendar.windows_per_day() as usize;
    let n = with.metrics.n_windows();
    let failed = |o: &Outcome| (from..n).map(|w| o.metrics.window(w, P).redeemed_failed).sum::<u64>();
    let volume = |o: &Outcome| (from..n).map(|w| o.metrics.window(w, P).volume).sum::<u64>();
    let share = |o: &Outcome| {
        let b = buys(o, from..n);
        b.rejected as f64 / b.closed as f64
    };
    let rows = with.credit_fit.as_deref().expect("credit_fit.toml refits its scorecard");
    let out_of_time_auc = rows
        .iter()
        .filter(|r| r.kind == tplus::credit::refit::RowKind::OutOfTime)
        .map(|r| r.power.as_ref().expect("both classes in every test sample").auc)
        .collect();
    FitEffect {
        failed: failed(&with),
        control_failed: failed(&without),
        rejected_share: share(&with),
        control_rejected_share: share(&without),
        volume: volume(&with),
        control_volume: volume(&without),
        out_of_time_auc,
    }
}

#[test]
fn credit_fit_lesson_holds_in_nine_seeds_of_ten() {
    let effects: Vec<FitEffect> = (1..=10).map(credit_fit_effect).collect();
    for e in &effects {
        println!(
            "failed {} vs {}; rejected {:.3} vs {:.3}; lots traded {} vs {}; out-of-time AUC {:?}",
            e.failed,
            e.control_failed,
            e.rejected_share,
            e.control_rejected_share,
            e.volume,
            e.control_volume,
            e.out_of_time_auc
        );
    }
    // Measured (seeds 1–10, 2026-12-06): failed sales 29–55% fewer than
    // with the fixed card; rejected subscriptions 43–57% against 16–19%;
    // lots traded 11–31% fewer; mean out-of-time AUC 0.83–0.91, the lowest
    // single test 0.70. Paired over the seeds: failed sales 41.7% fewer (95%
    // interval 35.8% to 47.6%), the share refused +29.2 points (26.5 to
    // 32.0), lots traded 23.3% fewer (18.5% to 28.2%).
    let fewer_failed: Vec<f64> = effects.iter().map(|e| 1.0 - e.failed as f64 / e.control_failed as f64).collect();
    let (_, lo, _) = paired("credit_fit.toml: failed sales, share fewer than the control's", &fewer_failed);
    assert!(lo > 0.15, "failed sales fell by {lo:.3} at the interval's low end");
    let refused: Vec<f64> = effects.iter().map(|e| e.rejected_share - e.control_rejected_share).collect();
    let (_, lo, _) = paired("credit_fit.toml: share of subscriptions refused less the control's", &refused);
    assert!(lo > 0.1, "the share refused rose by {lo:.3} at the interval's low end");
    let fewer_lots: Vec<f64> = effects.iter().map(|e| 1.0 - e.volume as f64 / e.control_volume as f64).collect();
    let (_, lo, _) = paired("credit_fit.toml: lots traded, share fewer than the control's", &fewer_lots);
    assert!(lo > 0.0, "lots traded fell by {lo:.3} at the interval's low end");
    let fewer = effects.iter().filter(|e| (e.failed as f64) < 0.85 * e.control_failed as f64).count();
    assert!(fewer >= 9, "failed sales fell by 15% in only {fewer} seeds of 10");
    let refused = effects.iter().filter(|e| e.rejected_share > e.control_rejected_share + 0.1).count();
    assert!(refused >= 9, "the fitted card refused 10 points more subscriptions in only {refused} seeds of 10");
    let ranks = effects
        .iter()
        .filter(|e| e.out_of_time_auc.len() == 3 && e.out_of_time_auc.iter().all(|&auc| auc > 0.6))
        .count();
    assert!(ranks >= 9, "every out-of-time AUC above 0.6 in only {ranks} seeds of 10");
}
