//! Scripted events: when they apply, what they change and by how much.

use super::*;

pub(super) fn event(at: &str, e: &ScriptedEvent, s: &Scenario, catalog: &dyn FamilyCatalog) -> Check {
    let f = |name: &str| format!("{at}.{name}");
    let days = s.simulation.days;
    if i64::from(e.at.day) > days {
        return out_of_range(
            f("at"),
            format!("day {} is after the run's last day ({days})", e.at.day),
            format!("a day from 1 to {days}"),
        );
    }
    if i64::from(e.at.day) == days && e.at.time >= s.simulation.close {
        return out_of_range(
            f("at"),
            format!(
                "{} is at or after the last session's close ({}): the change would never apply",
                e.at, s.simulation.close
            ),
            format!("a moment before day {days} {}", s.simulation.close),
        );
    }
    let (v, how) = match (e.change, e.value) {
        (Some(c), None) => (c, "change"),
        (None, Some(v)) => (v, "value"),
        (Some(_), Some(_)) => {
            return bad(f("value"), "both `change` and `value` are given", "either `change` (added) or `value` (set)");
        }
        (None, None) => {
            return bad(at, "neither `change` nor `value` is given", "either `change` (added) or `value` (set)");
        }
    };
    let target = e.target;
    let (lo, hi, accepted) = match (target, how) {
        (EventTarget::LoanRate | EventTarget::DepositRate, "value") => (-0.05, 1.0, RATE_ACCEPTED),
        (EventTarget::LoanRate | EventTarget::DepositRate, _) => {
            (-1.0, 1.0, "a change of the annual rate from -1 to 1 (0.005 = +50 bp)")
        }
        (EventTarget::PriceLevel, "value") => (1e-9, 1e9, "a price level above 0"),
        (EventTarget::PriceLevel, _) => (-1e9, 1e9, "a change of the price level"),
        (EventTarget::Shock, _) => (-100.0, 100.0, "a shock from -100 to 100"),
        (EventTarget::MinCreditScore, "value") => (0.0, 1000.0, "a score from 0 to 1000"),
        (EventTarget::MinCreditScore, _) => (-1000.0, 1000.0, "a change of score from -1000 to 1000"),
        (EventTarget::Herding, "value") => (0.0, 1000.0, "a recruitment rate per hour from 0 to 1000"),
        (EventTarget::Herding, _) => (-1000.0, 1000.0, "a change of the recruitment rate per hour"),
        (EventTarget::MacroActiveShare, "value") => (0.0, 1.0, "a share from 0 to 1"),
        (EventTarget::MacroActiveShare, _) => (-1.0, 1.0, "a change of the share from -1 to 1"),
        (EventTarget::SalePanic, "value") => (0.0, 1e6, "sale wake-ups per second from 0 to 1000000"),
        (EventTarget::SalePanic, _) => (-1e6, 1e6, "a change of sale wake-ups per second (the result stops at 0)"),
    };
    in_range(&f(how), v, lo, hi, accepted)?;
    match (&e.product, target) {
        (Some(id), EventTarget::MinCreditScore) if !s.products.iter().any(|p| &p.id == id) => {
            let known: Vec<&str> = s.products.iter().map(|p| p.id.as_str()).collect();
            return bad(f("product"), format!("no product `{id}`"), format!("one of: {}", known.join(", ")));
        }
        (Some(_), EventTarget::MinCreditScore) => {}
        (Some(_), _) => {
            return bad(
                f("product"),
                format!("`product` does not apply to target `{}`", target.name()),
                "`product` only with target = \"min_credit_score\"",
            );
        }
        _ => {}
    }
    // A group target changes the groups that have what it changes: a live
    // parameter of their family's, or a sale excitation.
    let live = target.group_param();
    let fits = |grp: &AgentGroup| match (target, live) {
        (EventTarget::SalePanic, _) => grp.sale_excitation.is_some(),
        (_, Some(name)) => catalog.live_params(grp.behaviour()).contains(&name),
        (_, None) => false,
    };
    let needs = match (target, live) {
        (EventTarget::SalePanic, _) => Some("`sale_excitation`".to_string()),
        (_, Some(name)) => Some(format!("live `{name}`")),
        (_, None) => None,
    };
    match (e.group, needs) {
        (Some(g), Some(needs)) => {
            let found = usize::try_from(g).ok().and_then(|g| s.agents.get(g));
            if found.is_none_or(|grp| !fits(grp)) {
                let fitting: Vec<String> =
                    s.agents.iter().enumerate().filter(|(_, grp)| fits(grp)).map(|(i, _)| i.to_string()).collect();
                let what = match found {
                    Some(grp) => format!("agents[{g}] is a {} group, which has no {needs}", grp.family),
                    None => {
                        format!("there is no agents[{g}]: the scenario has {} groups, numbered from 0", s.agents.len())
                    }
                };
                return bad(
                    f("group"),
                    what,
                    format!(
                        "the index of a group with a {needs}: {}",
                        if fitting.is_empty() { "there is none".to_string() } else { fitting.join(", ") }
                    ),
                );
            }
        }
        (None, Some(needs)) => {
            if !s.agents.iter().any(fits) {
                return bad(
                    f("target"),
                    format!("no group with a {needs} for target `{}`", target.name()),
                    format!("a scenario with a group with a {needs}"),
                );
            }
        }
        (Some(_), None) => {
            return bad(
                f("group"),
                format!("`group` does not apply to target `{}`", target.name()),
                "`group` only with target = \"sale_panic\", \"herding\" or \"macro_active_share\"",
            );
        }
        (None, None) => {}
    }
    Ok(())
}
