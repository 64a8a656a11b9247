//! The text of `report.md`: the run in one paragraph, the key figures of
//! `summary.json` in tables, then every plot (a relative image link, so the
//! page renders on a code-hosting site) with a sentence on what it shows.

use std::fmt::Write;

use super::num::{count, money, pct, signed};
use super::why::{Other, SuccessSide, WindowFigures, why_undefined};
use super::{RunFacts, Section};
use crate::metrics::{Correlation, ProductSummary, SideSummary, Summary, stats};

/// `p (95% CI lo–hi)` of a share.
fn share_ci(p: Option<f64>, ci: Option<[f64; 2]>) -> String {
    match (p, ci) {
        (Some(_), Some([lo, hi])) => format!("{} (95% CI {}–{})", pct(p), pct(Some(lo)), pct(Some(hi))),
        _ => pct(p),
    }
}

/// `p = 0.0123`, or `p < 0.0001`.
fn p_text(p: f64) -> String {
    if p < 1e-4 { "p < 0.0001".to_string() } else { format!("p = {p:.4}") }
}

/// `+0.426 to +0.800` of an interval.
fn range(lo: f64, hi: f64) -> String {
    format!("{} to {}", signed(Some(lo), 3), signed(Some(hi), 3))
}

/// `+0.847 (95% CI …, p = …)` of a correlation coefficient.
fn coefficient(r: Option<f64>, ci: Option<[f64; 2]>, p: Option<f64>) -> String {
    let mut s = signed(r, 3);
    if r.is_some() {
        let mut extra = Vec::new();
        if let Some([lo, hi]) = ci {
            extra.push(format!("95% CI {}", range(lo, hi)));
        }
        if let Some(p) = p {
            extra.push(p_text(p));
        }
        if !extra.is_empty() {
            let _ = write!(s, " ({})", extra.join(", "));
        }
    }
    s
}

/// The one sentence that says what a correlation of success with volume over
/// windows is worth: r, how autocorrelated the windows are and their
/// effective number, the interval that accounts for it, the block-bootstrap
/// interval, and r once the shape of the trading day is removed. None when
/// the summary has no serial-dependence figures (an older run) or r is
/// undefined.
fn honest_sentence(what: &str, y: &str, c: &Correlation) -> Option<String> {
    let d = c.serial_dependence.as_ref()?;
    let (r, n, n_eff, [lo, hi]) = (c.pearson?, c.windows, d.effective_windows, d.pearson_ci_95?);
    let mut s = format!("**{what}:** r = {} over {} windows", signed(Some(r), 3), count(n as f64));
    let acf = {
        let [a, b] = d.autocorrelation_lag1;
        format!("lag-1 autocorrelation {} for success, {} for {y}; ", signed(Some(a), 2), signed(Some(b), 2))
    };
    // Strongly: the windows are worth less than a third of their number.
    let strong = n_eff < n as f64 / 3.0;
    if n_eff >= 0.8 * n as f64 {
        let _ = write!(s, ", which are close to independent ({acf}effective n ≈ {})", count(n_eff));
    } else {
        let how = if strong { "strongly autocorrelated" } else { "autocorrelated" };
        let _ = write!(s, ", but the windows are {how} ({acf}effective n ≈ {})", count(n_eff));
    }
    let _ = write!(s, ", so the 95% interval is {}", range(lo, hi));
    if let Some(p) = d.pearson_p_value {
        let _ = write!(s, " ({})", p_text(p));
    }
    if let Some(b) = &c.block_bootstrap {
        let [blo, bhi] = b.pearson_ci_95;
        let block = format!(" (blocks of {} windows)", b.block);
        let _ = write!(s, "; the block-bootstrap 95% interval{block} is {}", range(blo, bhi));
    }
    let zero_in = |[lo, hi]: [f64; 2]| lo <= 0.0 && 0.0 <= hi;
    let seasonal = c.deseasonalised.as_ref();
    match (seasonal.and_then(|d| d.pearson), seasonal.and_then(|d| d.pearson_ci_95)) {
        (Some(d), ci) => {
            let _ = write!(s, "; after removing time-of-day means r = {}", signed(Some(d), 3));
            if let Some([dlo, dhi]) = ci {
                let ne = seasonal
                    .and_then(|d| d.effective_windows)
                    .map_or(String::new(), |n| format!(", effective n ≈ {}", count(n)));
                let _ = write!(s, " (95% CI {}{ne})", range(dlo, dhi));
            }
            // Which of the last two a run gets can change with its seed (the
            // sales of 210 baseline seeds split about evenly): the sentence
            // is this run's, and says so.
            const ONE_SEED: &str = " (one seed's reading, which other seeds may not share: `--replications` tells).";
            // The sign each interval is sure of, if any.
            let sign = |[lo, hi]: [f64; 2]| if zero_in([lo, hi]) { None } else { Some(hi > 0.0) };
            let word = |up: bool| if up { "positive" } else { "negative" };
            match (sign([lo, hi]), ci.map(sign)) {
                (None, Some(Some(up))) => {
                    let _ = write!(
                        s,
                        ": with so few effective windows even the sign of the link is uncertain, though within \
                         a time of day it is {}{ONE_SEED}",
                        word(up)
                    );
                }
                (None, _) => s.push_str(": with so few effective windows even the sign of the link is uncertain."),
                (Some(_), Some(None)) => {
                    let _ =
                        write!(s, ": in this run the link may be no more than the shape of the trading day{ONE_SEED}");
                }
                (Some(raw), Some(Some(within))) if raw == within => {
                    let _ = write!(s, ": in this run the link holds beyond the shape of the trading day{ONE_SEED}");
                }
                // Two real links of opposite signs: the day's shape moves
                // both one way, and within a time of day they move the other.
                (Some(raw), Some(Some(_))) => {
                    let _ = write!(
                        s,
                        ": in this run the link reverses once the shape of the trading day is removed: the {} r \
                         is the day's shape, and within a time of day the link is {}{ONE_SEED}",
                        word(raw),
                        word(!raw)
                    );
                }
                (Some(_), None) => s.push('.'),
            }
        }
        (None, _) if zero_in([lo, hi]) => {
            s.push_str(": with so few effective windows even the sign of the link is uncertain.")
        }
        (None, _) => s.push('.'),
    }
    Some(s)
}

fn count_windows(c: &Correlation) -> String {
    count(c.windows as f64)
}

fn fill(s: &SideSummary) -> String {
    format!("{} of {} lots", pct(s.fill_ratio), count(s.lots as f64))
}

/// A correlation cell: the coefficient, or `n/a` and why (when the windows
/// of `metrics.csv` tell).
fn with_reason(text: String, defined: bool, why: Option<String>) -> String {
    match why {
        Some(why) if !defined => format!("{text}: {why}"),
        _ => text,
    }
}

/// The table of one summary block, after the sentences on its correlations;
/// `windows` are the block's windows of `metrics.csv`, to say why a
/// correlation is undefined.
fn block_table(o: &mut String, b: &ProductSummary, windows: Option<&[WindowFigures]>) {
    let why = |side, other| windows.and_then(|w| why_undefined(w, side, other));
    let c = &b.correlation;
    let lead: Vec<String> = [
        ("Subscription success vs volume", &c.subscription_success_vs_volume),
        ("Sale success vs volume", &c.sale_success_vs_volume),
    ]
    .into_iter()
    .filter_map(|(what, c)| honest_sentence(what, "volume", c))
    .collect();
    for l in &lead {
        let _ = writeln!(o, "- {l}");
    }
    if !lead.is_empty() {
        let _ = writeln!(o);
    }
    let (s, a) = (&b.subscriptions, &b.sales);
    let _ = writeln!(o, "| figure | subscriptions (buy orders) | sales (sell orders) |");
    let _ = writeln!(o, "|---|---:|---:|");
    let mut row = |name: &str, x: String, y: String| {
        let _ = writeln!(o, "| {name} | {x} | {y} |");
    };
    row("orders closed", count(s.closed as f64), count(a.closed as f64));
    row("filled whole", count(s.filled as f64), count(a.filled as f64));
    row(
        "success probability (95% CI, orders taken as independent)",
        share_ci(s.success_probability, s.success_ci_95),
        share_ci(a.success_probability, a.success_ci_95),
    );
    // summary.json carries it since it has the fields; a run written before
    // has it recomputed from its windows in metrics.csv.
    let serial = |x: &SideSummary, counts: fn(&WindowFigures) -> Option<(f64, f64)>| {
        let found = match (x.success_ci_95_serial, x.success_ci_95_serial_lags) {
            (Some([lo, hi]), Some(lags)) => Some((lo, hi, lags)),
            _ => windows.and_then(|w| {
                let counts: Vec<Option<(f64, f64)>> = w.iter().map(counts).collect();
                stats::serial_ratio_interval(&counts, None).map(|i| (i.lo, i.hi, i.lags as u64))
            }),
        };
        found.map(|(lo, hi, lags)| format!("{}–{} (L = {lags})", pct(Some(lo)), pct(Some(hi))))
    };
    let (sub_serial, sale_serial) = (serial(s, |w| w.sub_counts), serial(a, |w| w.sale_counts));
    if sub_serial.is_some() || sale_serial.is_some() {
        let na = |x: Option<String>| x.unwrap_or_else(|| "n/a".into());
        row("its 95% CI allowing for alike neighbouring windows (Newey–West)", na(sub_serial), na(sale_serial));
    }
    if s.accepted_success_probability.is_some() || a.accepted_success_probability.is_some() {
        row(
            "success among accepted orders (rejections on arrival set apart)",
            share_ci(s.accepted_success_probability, s.accepted_success_ci_95),
            share_ci(a.accepted_success_probability, a.accepted_success_ci_95),
        );
        // From summary.json alone: a run written before it had the field
        // has no row (metrics.csv's windows are not read for rejections).
        let serial = |x: &SideSummary| {
            let lags = x.success_ci_95_serial_lags.map_or(String::new(), |l| format!(" (L = {l})"));
            x.accepted_success_ci_95_serial.map(|[lo, hi]| format!("{}–{}{lags}", pct(Some(lo)), pct(Some(hi))))
        };
        if let (sub, sale) = (serial(s), serial(a))
            && (sub.is_some() || sale.is_some())
        {
            let na = |x: Option<String>| x.unwrap_or_else(|| "n/a".into());
            row("its 95% CI allowing for alike neighbouring windows (Newey–West)", na(sub), na(sale));
        }
    }
    let share = |x: &SideSummary| match x.rejected_share_of_failures {
        Some(f) => format!("{} ({} of failures)", count(x.rejected as f64), pct(Some(f))),
        None => count(x.rejected as f64),
    };
    row("rejected on arrival (share of the failures)", share(s), share(a));
    row("fill ratio (lots filled / lots ordered)", fill(s), fill(a));
    if s.mean_time_to_fill.is_some() || a.mean_time_to_fill.is_some() {
        let secs = |x: Option<f64>| x.map_or("n/a".into(), |v| format!("{v:.1} s"));
        row("mean time to fill (filled orders)", secs(s.mean_time_to_fill), secs(a.mean_time_to_fill));
    }
    let (cs, ca) = (&c.subscription_success_vs_volume, &c.sale_success_vs_volume);
    let (ws, wa) = (why(SuccessSide::Subscriptions, Other::Volume), why(SuccessSide::Sales, Other::Volume));
    row(
        "success vs volume: Pearson r (windows taken as independent)",
        with_reason(coefficient(cs.pearson, cs.pearson_ci_95, cs.pearson_p_value), cs.pearson.is_some(), ws.clone()),
        with_reason(coefficient(ca.pearson, ca.pearson_ci_95, ca.pearson_p_value), ca.pearson.is_some(), wa.clone()),
    );
    row(
        "success vs volume: Spearman ρ (windows taken as independent)",
        with_reason(coefficient(cs.spearman, cs.spearman_ci_95, cs.spearman_p_value), cs.spearman.is_some(), ws),
        with_reason(coefficient(ca.spearman, ca.spearman_ci_95, ca.spearman_p_value), ca.spearman.is_some(), wa),
    );
    row("windows in the correlation (side closed an order)", count_windows(cs), count_windows(ca));
    let (cs, ca) = (&c.subscription_success_vs_loan_rate, &c.sale_success_vs_loan_rate);
    let loan = |c: &Correlation, side| match (c.pearson, c.spearman) {
        (None, None) => {
            let why = why(side, Other::LoanRate).map_or(String::new(), |w| format!(": {w}"));
            format!("n/a ({} windows){why}", count_windows(c))
        }
        (r, rho) => {
            // The rate moves slowly (a step or a drift), so its windows are
            // far from independent: r's interval is the one allowing for it.
            let serial = c.serial_dependence.as_ref().filter(|_| r.is_some());
            let ci = serial.and_then(|d| d.pearson_ci_95.map(|ci| (ci, d.effective_windows, d.pearson_p_value)));
            let r = match ci {
                Some(([lo, hi], n_eff, p)) => {
                    let p = p.map_or(String::new(), |p| format!(", {}", p_text(p)));
                    format!("{} (95% CI {}, effective n ≈ {}{p})", signed(r, 3), range(lo, hi), count(n_eff))
                }
                None => signed(r, 3),
            };
            format!("{r} / {} ({} windows)", signed(rho, 3), count_windows(c))
        }
    };
    let with_ci = [cs, ca].iter().any(|c| c.pearson.is_some() && c.serial_dependence.is_some());
    row(
        if with_ci {
            "success vs loan rate: Pearson r (95% CI allowing for alike neighbouring windows) / Spearman ρ"
        } else {
            "success vs loan rate: Pearson r / Spearman ρ"
        },
        loan(cs, SuccessSide::Subscriptions),
        loan(ca, SuccessSide::Sales),
    );
    let _ = writeln!(o);
    let mut line = format!("Volume: {} lots", count(b.volume as f64));
    let _ = write!(line, " in {} trades", count(b.trades as f64));
    let _ = write!(line, ", turnover {}", money(b.turnover));
    let _ = write!(line, "; {} orders submitted", count(b.orders.submitted as f64));
    let _ = write!(line, ", {} rejected", count(b.orders.rejected as f64));
    let _ =
        write!(line, "; {} lots redeemed at the holding limit (failed sales)", count(b.redeemed_failed_lots as f64));
    let _ = writeln!(o, "{line}.\n");
}

/// The plots, each with its sentence and image link, then the notes: the
/// end of a run's and of a sweep's report.
pub(super) fn plots_and_notes(o: &mut String, sections: &[Section], notes: &[String]) {
    if !sections.is_empty() {
        let _ = writeln!(o, "## Plots\n");
    }
    for s in sections {
        let _ = writeln!(o, "### {}\n", s.heading);
        for p in &s.plots {
            let _ = writeln!(o, "**{}.** {}\n", p.title, p.about);
            let _ = writeln!(o, "![{}]({})\n", p.title, p.file);
        }
    }
    if !notes.is_empty() {
        let _ = writeln!(o, "## Notes\n");
        for n in notes {
            let _ = writeln!(o, "- {n}");
        }
        let _ = writeln!(o);
    }
}

/// The whole of `report.md`; `events` is its `## Events` section.
pub fn render(ctx: &RunFacts, summary: &Summary, events: &str, sections: &[Section], notes: &[String]) -> String {
    let mut o = String::new();
    let name = ctx.scenario.as_deref().unwrap_or("unnamed");
    let seed = ctx.seed.map_or(String::new(), |s| format!(", seed {s}"));
    let _ = writeln!(o, "# Run report: `{name}`{seed}\n");
    let span = match (&ctx.first_date, &ctx.last_date) {
        (Some(a), Some(b)) if a != b => format!(", {a} to {b}"),
        (Some(a), _) => format!(", {a}"),
        _ => String::new(),
    };
    let _ = writeln!(
        o,
        "Scenario `{name}`{seed}: {} windows of {} over {} business day{}{span}; {} product{} ({}). \
         Written by `tplus report`{} from `metrics.csv` and `summary.json` in this directory; time on the plots \
         is simulated time with the trading sessions joined (nights and holidays left out).\n",
        count(ctx.windows as f64),
        ctx.window_length,
        ctx.days,
        if ctx.days == 1 { "" } else { "s" },
        ctx.products.len(),
        if ctx.products.len() == 1 { "" } else { "s" },
        ctx.products.join(", "),
        ctx.version.as_deref().map_or(String::new(), |v| format!(" (tplus {v})")),
    );

    let _ = writeln!(o, "## Key figures\n");
    let _ = writeln!(
        o,
        "Success probability: the share of customers' orders closing in the run that were filled whole, with \
         its 95% Wilson interval, which takes every order as an independent draw and is too narrow when \
         neighbouring windows are alike, and below it the interval that allows for that (Newey–West over the \
         windows, neighbours up to L windows apart). Both describe this run only: what another seed gives \
         varies more, which `tplus run … --replications N` measures. Correlations are over the {} windows in which the side \
         closed at least one order. Neighbouring windows are alike, so such a correlation is worth fewer \
         independent observations than there are windows: each block opens with the figures that account for \
         this (Bartlett's effective number of windows, a moving-block bootstrap, and the correlation once the \
         average shape of the trading day is removed); the table's intervals and p-values of the correlations \
         with volume treat the windows as independent and are too narrow, while its correlation with the loan \
         rate carries the interval that allows for alike windows.\n",
        ctx.window
    );
    let mut blocks: Vec<(&str, &ProductSummary)> = Vec::new();
    for id in &ctx.products {
        match summary.product(id) {
            Some(b) => blocks.push((id, b)),
            None => {
                let _ = writeln!(o, "*`summary.json` has no block for {id}.*\n");
            }
        }
    }
    if ctx.products.len() > 1 {
        blocks.push(("All products", &summary.all));
    }
    for (heading, b) in blocks {
        let _ = writeln!(o, "### {heading}\n");
        let windows = ctx.block_windows.iter().find(|(h, _)| h == heading).map(|(_, w)| w.as_slice());
        block_table(&mut o, b, windows);
    }
    if let Some(h) = &summary.herding.optimist_share {
        // The share drifts from window to window: its interval allows for it.
        let ci = stats::serial_mean_interval(&ctx.optimist_shares)
            .and_then(|(mean, half)| Some((mean - half?, mean + half?)))
            .map_or(String::new(), |(lo, hi)| {
                format!(
                    " (95% CI {}–{}, allowing for alike neighbouring windows)",
                    pct(Some(lo.max(0.0))),
                    pct(Some(hi.min(1.0)))
                )
            });
        let _ = writeln!(
            o,
            "Herd followers: on average {} of them optimists over {} windows{ci}{}.\n",
            pct(Some(h.mean)),
            count(h.windows as f64),
            h.bimodality_coefficient.map_or(String::new(), |b| format!(
                "; the share's bimodality coefficient is {b:.3}, {} 0.555, a uniform share's: {}. It is one run's \
                 reading and has no interval; `--replications` gives its spread over seeds \
                 (`optimist_share_bimodality`)",
                if b > 5.0 / 9.0 { "above" } else { "at or below" },
                if b > 5.0 / 9.0 {
                    "in this run the share's values had two modes or a strong skew, as a crowd that swings \
                     between two moods gives (a skew alone can raise it too: the optimists plot tells them apart)"
                } else {
                    "in this run the crowd did not split into two moods"
                }
            ))
        );
    }

    o.push_str(events);
    plots_and_notes(&mut o, sections, notes);
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::summary::{BlockBootstrap, Deseasonalised, SerialDependence};
    use crate::report::Plot;

    #[test]
    fn the_text_links_every_plot_and_gives_the_figures() {
        let ctx = RunFacts {
            scenario: Some("s".into()),
            seed: Some(7),
            version: None,
            products: vec!["P".into()],
            windows: 66,
            days: 1,
            first_date: Some("2026-01-05".into()),
            last_date: Some("2026-01-05".into()),
            window: "5-minute".into(),
            window_length: "5 minutes".into(),
            block_windows: Vec::new(),
            optimist_shares: Vec::new(),
        };
        let mut b = ProductSummary { product: "P".into(), volume: 1234, ..ProductSummary::default() };
        b.subscriptions.success_probability = Some(0.25);
        b.subscriptions.success_ci_95 = Some([0.2, 0.3]);
        b.correlation.subscription_success_vs_volume.pearson = Some(0.5);
        b.correlation.subscription_success_vs_volume.windows = 60;
        // The loan rate moves slowly: its r carries the interval that
        // allows for alike windows.
        b.correlation.sale_success_vs_loan_rate = Correlation {
            pearson: Some(-0.623),
            spearman: Some(-0.7),
            windows: 60,
            serial_dependence: Some(SerialDependence {
                effective_windows: 13.4,
                pearson_ci_95: Some([-0.87, -0.123]),
                pearson_p_value: Some(0.0201),
                ..SerialDependence::default()
            }),
            ..Correlation::default()
        };
        let summary = Summary { products: vec![b.clone()], ..Summary::default() };
        let plot =
            Plot { file: "success_P.svg".into(), title: "P: success".into(), about: "What.".into(), svg: "".into() };
        let sections = vec![Section { heading: "P".into(), plots: vec![plot] }];
        let md = render(&ctx, &summary, "", &sections, &["a note".into()]);
        assert!(md.starts_with("# Run report: `s`, seed 7"), "{md}");
        assert!(md.contains("![P: success](success_P.svg)"), "{md}");
        assert!(md.contains("25.0% (95% CI 20.0%–30.0%)"), "{md}");
        assert!(md.contains("| +0.500 |") && md.contains("| 60 |"), "{md}");
        assert!(md.contains("1,234 lots"), "{md}");
        assert!(md.contains("- a note"), "{md}");
        assert!(
            md.contains("| -0.623 (95% CI -0.870 to -0.123, effective n ≈ 13, p = 0.0201) / -0.700 (60 windows) |"),
            "{md}"
        );
        assert!(md.contains("66 windows of 5 minutes over 1 business day, 2026-01-05"), "{md}");
        // An older summary without the serial-dependence figures: no lead sentence.
        assert!(!md.contains("**Subscription success vs volume:**"), "{md}");
        // The herd's share: its mean with the interval allowing for alike
        // windows, and what the bimodality coefficient says of this run.
        let mut herd = summary.clone();
        herd.herding.optimist_share =
            Some(crate::metrics::summary::OptimistShare { mean: 0.5, bimodality_coefficient: Some(0.75), windows: 8 });
        let shares = vec![0.1, 0.05, 0.2, 0.9, 0.95, 0.85, 0.9, 0.05];
        let herd_ctx = RunFacts { optimist_shares: shares.clone(), ..ctx.clone() };
        let md = render(&herd_ctx, &herd, "", &sections, &[]);
        let (m, half) = stats::serial_mean_interval(&shares).unwrap();
        let (lo, hi) = ((m - half.unwrap()).max(0.0), (m + half.unwrap()).min(1.0));
        let ci = format!("(95% CI {}–{}, allowing", pct(Some(lo)), pct(Some(hi)));
        assert!(
            md.contains(&format!("Herd followers: on average 50.0% of them optimists over 8 windows {ci}")),
            "{md}"
        );
        assert!(
            md.contains("bimodality coefficient is 0.750, above 0.555, a uniform share's: in this run the share's")
        );
        assert!(md.contains("It is one run's reading and has no interval"), "{md}");
        // With the windows at hand an undefined correlation says why.
        let flat = |sub| WindowFigures { sub, volume: 4.0, loan: Some(0.0435), ..WindowFigures::default() };
        let ctx = RunFacts {
            block_windows: vec![("P".into(), vec![flat(Some(0.1)), flat(Some(0.3)), flat(Some(0.2))])],
            ..ctx
        };
        let md = render(&ctx, &summary, "", &sections, &[]);
        assert!(
            md.contains(
                "| n/a (0 windows): the loan rate was constant (4.35%) over the 3 windows that closed a buy order |"
            ),
            "{md}"
        );
        assert!(md.contains("| n/a: no customer's sell order closed in any window |"), "{md}");
    }

    #[test]
    fn each_block_leads_with_what_the_correlation_is_worth() {
        let dependence = |effective_windows, ci, p| {
            Some(SerialDependence {
                autocorrelation_lag1: [0.0, 0.0],
                effective_windows,
                pearson_ci_95: Some(ci),
                pearson_p_value: p,
                ..SerialDependence::default()
            })
        };
        let c = Correlation {
            pearson: Some(0.9),
            windows: 330,
            serial_dependence: dependence(45.2, [0.8, 0.95], Some(1e-9))
                .map(|d| SerialDependence { autocorrelation_lag1: [0.88, 0.82], ..d }),
            block_bootstrap: Some(BlockBootstrap { pearson_ci_95: [0.75, 0.96], block: 12, resamples: 999 }),
            deseasonalised: Some(Deseasonalised {
                pearson: Some(0.2),
                pearson_ci_95: Some([-0.1, 0.5]),
                effective_windows: Some(30.0),
                ..Deseasonalised::default()
            }),
            ..Correlation::default()
        };
        let s = honest_sentence("Subscription success vs volume", "volume", &c).unwrap();
        assert_eq!(
            s,
            "**Subscription success vs volume:** r = +0.900 over 330 windows, but the windows are strongly \
             autocorrelated (lag-1 autocorrelation +0.88 for success, +0.82 for volume; effective n ≈ 45), so the \
             95% interval is +0.800 to +0.950 (p < 0.0001); the block-bootstrap 95% interval (blocks of 12 windows) \
             is +0.750 to +0.960; after removing time-of-day means r = +0.200 (95% CI -0.100 to +0.500, effective \
             n ≈ 30): in this run the link may be no more than the shape of the trading day (one seed's \
             reading, which other seeds may not share: `--replications` tells)."
        );
        // Each way the two intervals can read: the run's r, then the r
        // within a time of day.
        let with_within = |ci: [f64; 2], within: [f64; 2]| Correlation {
            pearson: Some(if ci[1] > 0.0 { 0.4 } else { -0.4 }),
            windows: 330,
            serial_dependence: dependence(45.0, ci, None),
            deseasonalised: Some(Deseasonalised {
                pearson: Some((within[0] + within[1]) / 2.0),
                pearson_ci_95: Some(within),
                ..Deseasonalised::default()
            }),
            ..Correlation::default()
        };
        let ending = |ci, within| {
            let s = honest_sentence("Sale success vs volume", "volume", &with_within(ci, within)).unwrap();
            s[s.rfind("):").map_or(0, |i| i + 3)..].to_string()
        };
        let one_seed = " (one seed's reading, which other seeds may not share: `--replications` tells).";
        assert_eq!(
            ending([0.15, 0.68], [-0.75, -0.05]),
            format!(
                "in this run the link reverses once the shape of the trading day is removed: the positive r is the \
                 day's shape, and within a time of day the link is negative{one_seed}"
            )
        );
        assert_eq!(
            ending([-0.6, -0.2], [0.1, 0.4]),
            format!(
                "in this run the link reverses once the shape of the trading day is removed: the negative r is the \
                 day's shape, and within a time of day the link is positive{one_seed}"
            )
        );
        assert_eq!(
            ending([0.15, 0.68], [0.05, 0.5]),
            format!("in this run the link holds beyond the shape of the trading day{one_seed}")
        );
        assert_eq!(
            ending([-0.1, 0.5], [0.05, 0.5]),
            format!(
                "with so few effective windows even the sign of the link is uncertain, though within a time of day \
                 it is positive{one_seed}"
            )
        );
        assert!(ending([-0.1, 0.5], [-0.1, 0.5]).ends_with("even the sign of the link is uncertain."));
        // Nearly independent windows, and an interval that holds zero.
        let c = Correlation {
            pearson: Some(0.1),
            windows: 100,
            serial_dependence: dependence(97.0, [-0.1, 0.29], None)
                .map(|d| SerialDependence { autocorrelation_lag1: [0.05, -0.1], ..d }),
            ..Correlation::default()
        };
        let s = honest_sentence("Sale success vs volume", "volume", &c).unwrap();
        assert!(s.contains("which are close to independent"), "{s}");
        assert!(s.ends_with("even the sign of the link is uncertain."), "{s}");
        let undefined = Correlation { serial_dependence: dependence(5.0, [0.0, 1.0], None), ..Correlation::default() };
        assert_eq!(honest_sentence("x", "volume", &undefined), None);
        let ctx = RunFacts {
            scenario: None,
            seed: None,
            version: None,
            products: vec!["P".into()],
            windows: 330,
            days: 5,
            first_date: None,
            last_date: None,
            window: "5-minute".into(),
            window_length: "5 minutes".into(),
            block_windows: Vec::new(),
            optimist_shares: Vec::new(),
        };
        let mut b = ProductSummary { product: "P".into(), ..ProductSummary::default() };
        b.correlation.subscription_success_vs_volume = Correlation {
            pearson: Some(0.5),
            windows: 330,
            serial_dependence: dependence(40.0, [0.2, 0.7], None),
            ..Correlation::default()
        };
        b.subscriptions.accepted_success_probability = Some(0.5);
        b.subscriptions.accepted_success_ci_95_serial = Some([0.4, 0.6]);
        b.subscriptions.success_ci_95_serial_lags = Some(5);
        b.subscriptions.rejected = 30;
        b.subscriptions.rejected_share_of_failures = Some(0.25);
        let md = render(&ctx, &Summary { products: vec![b], ..Summary::default() }, "", &[], &[]);
        let lead = md.find("**Subscription success vs volume:**").unwrap();
        assert!(lead < md.find("| figure |").unwrap(), "the honest figure comes first: {md}");
        assert!(md.contains("| success among accepted orders (rejections on arrival set apart) | 50.0% |"), "{md}");
        // Its interval over the windows, from summary.json, on the next row.
        let accepted = md.find("| success among accepted orders").unwrap();
        let next = md[accepted..].lines().nth(1).unwrap();
        assert_eq!(
            next, "| its 95% CI allowing for alike neighbouring windows (Newey–West) | 40.0%–60.0% (L = 5) | n/a |",
            "{md}"
        );
        assert!(md.contains("| 30 (25.0% of failures) |"), "{md}");
    }
}
