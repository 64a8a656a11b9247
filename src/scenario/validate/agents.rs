//! `[[agents]]` groups: sizes, arrivals, distributions.

use super::*;

fn sale_excitation(at: &str, x: &SaleExcitation) -> Check {
    real(&format!("{at}.beta"), x.beta, &fd::A_SALE_BETA)?;
    real(&format!("{at}.alpha"), x.alpha, &fd::A_SALE_ALPHA)
}

/// Sale applications a sale application sets off directly, summed over the
/// groups it excites: each excited wake-up sends at most one sale, so below
/// 1 the cascade dies out (a subcritical branching process).
pub(super) fn sale_branching(s: &Scenario) -> Check {
    let n: f64 = s.agents.iter().filter_map(|g| g.sale_excitation).map(|x| x.alpha / x.beta).sum();
    if n < 1.0 {
        return Ok(());
    }
    let i = s.agents.iter().rposition(|g| g.sale_excitation.is_some()).unwrap_or(0);
    bad(
        format!("agents[{i}].sale_excitation.alpha"),
        format!(
            "the groups' sale branching ratios sum(alpha/beta) come to {n:.3}, not below 1: a sale panic would never end"
        ),
        "alpha/beta summed over the groups with a sale_excitation below 1, e.g. alpha = 0.004 with beta = 0.01",
    )
}

/// A distribution's name as a scenario spells it.
pub(super) fn dist_name(d: DistKind) -> &'static str {
    match d {
        DistKind::Fixed => "fixed",
        DistKind::Uniform => "uniform",
        DistKind::Normal => "normal",
        DistKind::Lognormal => "lognormal",
    }
}

pub(super) fn group(at: &str, g: &AgentGroup, products: &HashSet<&str>, catalog: &dyn FamilyCatalog) -> Check {
    let f = |name: &str| format!("{at}.{name}");
    int(&f("count"), g.count, &fd::A_COUNT)?;
    arrival(&f("arrival"), &g.arrival)?;
    if let Some(x) = &g.sale_excitation {
        sale_excitation(&f("sale_excitation"), x)?;
    }
    distribution(&f("budget"), &g.budget, &fd::A_BUDGET)?;
    distribution(&f("credit_score"), &g.credit_score, &fd::A_CREDIT_SCORE)?;
    distribution(&f("initial_lots"), &g.initial_lots, &fd::A_INITIAL_LOTS)?;
    distribution(&f("income_band"), &g.income_band, &fd::A_INCOME_BAND)?;
    distribution(&f("tenure_days"), &g.tenure_days, &fd::A_TENURE_DAYS)?;
    if let Some(list) = &g.products {
        if list.is_empty() {
            return bad(f("products"), "an empty product list", fd::A_PRODUCTS.accepted);
        }
        for (i, id) in list.iter().enumerate() {
            if !products.contains(id.as_str()) {
                let mut known: Vec<&str> = products.iter().copied().collect();
                known.sort_unstable();
                return bad(
                    format!("{at}.products[{i}]"),
                    format!("no product `{id}`"),
                    format!("one of: {}", known.join(", ")),
                );
            }
        }
    }
    catalog.check_family(&g.family).map_err(|e| Invalid { field: f("family"), ..e })?;
    catalog
        .check_params(g.behaviour(), &g.params)
        .map_err(|e| Invalid { field: format!("{at}.params.{}", e.field), ..e })
}

pub(super) fn arrival(at: &str, a: &Arrival) -> Check {
    let f = |name: &str| format!("{at}.{name}");
    let fields =
        [("rate", a.rate.is_some()), ("mu", a.mu.is_some()), ("alpha", a.alpha.is_some()), ("beta", a.beta.is_some())];
    match a.process {
        ArrivalProcess::Poisson => {
            let accepted = "process = \"poisson\" with rate (wake-ups per agent per hour)";
            needs_exactly(at, ("process", "poisson"), &fields, &["rate"], accepted)?;
            real(&f("rate"), a.rate.unwrap_or(0.0), &fd::A_ARRIVAL_RATE)
        }
        ArrivalProcess::Hawkes => {
            let accepted = "process = \"hawkes\" with mu (baseline wake-ups per agent per hour), alpha and beta (per second, alpha/beta < 1)";
            needs_exactly(at, ("process", "hawkes"), &fields, &["mu", "alpha", "beta"], accepted)?;
            real(&f("mu"), a.mu.unwrap_or(0.0), &fd::A_ARRIVAL_MU)?;
            real(&f("beta"), a.beta.unwrap_or(0.0), &fd::A_ARRIVAL_BETA)?;
            real(&f("alpha"), a.alpha.unwrap_or(0.0), &fd::A_ARRIVAL_ALPHA)?;
            let (alpha, beta) = (a.alpha.unwrap_or(0.0), a.beta.unwrap_or(1.0));
            if alpha / beta >= 1.0 {
                return bad(
                    f("alpha"),
                    format!(
                        "the branching ratio alpha/beta = {:.3} is not below 1: the process would explode",
                        alpha / beta
                    ),
                    "alpha < beta (a branching ratio alpha/beta below 1, e.g. alpha = 0.04 with beta = 0.05)",
                );
            }
            Ok(())
        }
    }
}
/// Checks a distribution's fields; the reference's range of `field` bounds
/// its fixed values and parameters (random draws are clipped to the same range).
pub(super) fn distribution(at: &str, d: &Distribution, field: &Field) -> Check {
    let f = |name: &str| format!("{at}.{name}");
    let (lo, hi) = match field.range {
        Range::Real(lo, hi) => (lo, hi),
        _ => (f64::NEG_INFINITY, f64::INFINITY),
    };
    let meaning = field.accepted;
    let fields = [
        ("value", d.value),
        ("min", d.min),
        ("max", d.max),
        ("mean", d.mean),
        ("sd", d.sd),
        ("median", d.median),
        ("sigma", d.sigma),
    ];
    let (needs, accepted): (&[&str], &str) = match d.dist {
        DistKind::Fixed => (&["value"], "dist = \"fixed\" with value"),
        DistKind::Uniform => (&["min", "max"], "dist = \"uniform\" with min and max"),
        DistKind::Normal => {
            (&["mean", "sd"], "dist = \"normal\" with mean and sd (draws below the lower bound are clipped)")
        }
        DistKind::Lognormal => (&["median", "sigma"], "dist = \"lognormal\" with median and sigma (of the log)"),
    };
    for (name, v) in fields {
        match (needs.contains(&name), v) {
            (true, None) => return bad(at, format!("missing `{name}`"), format!("{accepted}; {meaning}")),
            (false, Some(_)) => {
                return bad(
                    f(name),
                    format!("`{name}` does not apply to this distribution"),
                    format!("{accepted}; {meaning}"),
                );
            }
            (true, Some(x)) if !x.is_finite() => {
                return out_of_range(f(name), format!("{x} is not a finite number"), meaning.to_string());
            }
            _ => {}
        }
    }
    for (name, v) in [("value", d.value), ("min", d.min), ("max", d.max), ("mean", d.mean), ("median", d.median)] {
        if let Some(x) = v
            && (x < lo || x > hi)
        {
            return out_of_range(f(name), format!("{} is out of range", super::shown(x)), meaning.to_string());
        }
    }
    let v = |x: Option<f64>| x.unwrap_or(0.0);
    match d.dist {
        DistKind::Uniform if v(d.max) < v(d.min) => {
            bad(f("max"), format!("max {} is below min {}", v(d.max), v(d.min)), "max at least min".to_string())
        }
        DistKind::Normal if v(d.sd) < 0.0 => {
            out_of_range(f("sd"), format!("{} is negative", v(d.sd)), "a standard deviation of at least 0".to_string())
        }
        DistKind::Lognormal if v(d.median) <= 0.0 => {
            out_of_range(f("median"), format!("{} is not positive", v(d.median)), "a median above 0".to_string())
        }
        DistKind::Lognormal if !(0.0..=5.0).contains(&v(d.sigma)) => out_of_range(
            f("sigma"),
            format!("{} is out of range", v(d.sigma)),
            "a log standard deviation from 0 to 5".to_string(),
        ),
        _ => Ok(()),
    }
}
