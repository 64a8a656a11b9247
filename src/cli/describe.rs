//! What `tplus check` prints of a scenario: one screen of its calendar,
//! metrics, macro processes, credit, products, groups and events.

use std::path::Path;

use crate::scenario::Scenario;

/// The one-screen description `tplus check` prints.
pub fn describe(path: &Path, s: &Scenario) -> String {
    use std::fmt::Write;
    let sim = &s.simulation;
    let cal = crate::calendar::Calendar::new(sim);
    let days = cal.days();
    let mut o = String::new();
    let _ = writeln!(o, "{}: ok — scenario `{}`, seed {}", path.display(), sim.name, sim.seed);
    let _ = writeln!(
        o,
        "  calendar  {} business days, {} to {}, session {}–{}, {} holiday(s) listed",
        days.len(),
        days[0].date,
        days[days.len() - 1].date,
        sim.open,
        sim.close,
        sim.holidays.len()
    );
    let _ = writeln!(
        o,
        "  metrics   {} windows of {} ({} a day); lookahead (min latency) {} + jitter {}",
        cal.n_windows(),
        sim.window,
        cal.windows_per_day(),
        sim.min_latency,
        sim.latency_jitter
    );
    let m = &s.macro_env;
    let _ = writeln!(
        o,
        "  macro     loan rate {}, deposit rate {}, price level {} from {} (reference {}), shocks {}",
        rate_text(&m.loan_rate),
        rate_text(&m.deposit_rate),
        format!("{:?}", m.price_level.model).to_lowercase(),
        m.price_level.start(),
        m.price_level.reference_level(),
        m.shock.as_ref().map_or("none".to_string(), |sh| format!(
            "{}/day of N({}, {}) decaying over {}",
            sh.rate, sh.mean, sh.sd, sh.decay
        ))
    );
    if !s.events.is_empty() {
        let _ = writeln!(o, "  events    {}", s.events.iter().map(event_text).collect::<Vec<_>>().join("; "));
    }
    if s.credit.update {
        let _ = writeln!(
            o,
            "  credit    scores recomputed each evening ({} points at {}:1 odds, {} to double)",
            s.credit.base_score, s.credit.base_odds, s.credit.pdo
        );
    } else {
        let _ = writeln!(o, "  credit    scores fixed as drawn");
    }
    for p in &s.products {
        let _ = writeln!(
            o,
            "  product   {}: NAV {} at {:.2}%/yr, tick {}, lot {}, term {} d, holding limit {} business d, min score {}, penalty {:.2}%, band ±{:.2}%, supply {} and redemption {} lots/day paced every {}",
            p.id,
            p.nav,
            p.annual_yield * 100.0,
            p.tick_size,
            p.lot_size,
            p.term_days,
            p.holding_limit_days,
            p.min_credit_score,
            p.redemption_penalty * 100.0,
            p.price_band * 100.0,
            p.primary_supply_lots,
            p.redemption_quota_lots,
            p.primary_pacing
        );
    }
    let mut total = 0;
    for g in &s.agents {
        total += g.count;
        let _ = writeln!(
            o,
            "  agents    {} × {}: {} arrivals at {:.3}/h each on average, budget {}, products {}",
            g.count,
            g.family,
            format!("{:?}", g.arrival.process).to_lowercase(),
            g.arrival.mean_rate(),
            format!("{:?}", g.budget.dist).to_lowercase(),
            g.products.as_ref().map_or("all".to_string(), |l| l.join(", "))
        );
    }
    let session_hours = (sim.close.0 - sim.open.0) as f64 / 3.6e12;
    let wakes: f64 =
        s.agents.iter().map(|g| g.count as f64 * g.arrival.mean_rate() * session_hours * days.len() as f64).sum();
    let _ = writeln!(o, "  in all    {total} customers, about {wakes:.0} wake-ups over the run");
    o
}

fn rate_text(r: &crate::scenario::RateSpec) -> String {
    use crate::scenario::RateModelKind;
    let pct = |x: Option<f64>| format!("{:.2}%", x.unwrap_or(0.0) * 100.0);
    match r.model {
        RateModelKind::Fixed => format!("fixed at {}", pct(r.value)),
        RateModelKind::Vasicek | RateModelKind::Cir => format!(
            "{} from {} towards {} (kappa {}, sigma {})",
            if r.model == RateModelKind::Cir { "CIR" } else { "Vasicek" },
            pct(r.value),
            pct(r.theta),
            r.kappa.unwrap_or(0.0),
            r.sigma.unwrap_or(0.0)
        ),
        RateModelKind::Path => format!("a path of {} points", r.points.as_ref().map_or(0, Vec::len)),
    }
}

fn event_text(e: &crate::scenario::ScriptedEvent) -> String {
    let how = match (e.change, e.value) {
        (Some(c), _) => format!("{c:+}"),
        (_, Some(v)) => format!("= {v}"),
        _ => String::new(),
    };
    let what = match &e.param {
        Some(p) => format!("{} `{p}`", e.target.name()),
        None => e.target.name().to_string(),
    };
    let group = e.group.map(|g| format!("(agents[{g}])")).unwrap_or_default();
    format!("{what} {} {group} {how} at {}", e.product.as_deref().unwrap_or(""), e.at)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}
