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
    let how = if how == "value" { fd::How::Value } else { fd::How::Change };
    let range = fd::event_range(target, how);
    let (lo, hi) = match range.range {
        Range::Real(lo, hi) => (lo, hi),
        _ => (f64::NEG_INFINITY, f64::INFINITY),
    };
    let name = if how == fd::How::Value { "value" } else { "change" };
    in_range(&f(name), v, lo, hi, range.accepted)?;
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
    // The live parameters this scenario's groups have: what `param` may name.
    let mut live_here: Vec<&str> =
        s.agents.iter().flat_map(|g| catalog.live_params(g.behaviour()).iter().copied()).collect();
    live_here.sort_unstable();
    live_here.dedup();
    let live_accepted = || {
        if live_here.is_empty() {
            "the name of a live parameter, but no group here has one".to_string()
        } else {
            format!("one of this scenario's groups' live parameters: {}", live_here.join(", "))
        }
    };
    match (&e.param, target) {
        (None, EventTarget::GroupParam) => {
            return bad(
                f("param"),
                "target `group_param` needs `param`, the live parameter it changes",
                live_accepted(),
            );
        }
        (Some(name), EventTarget::GroupParam) if !live_here.contains(&name.as_str()) => {
            // A parameter of a family here that events may not change is
            // told apart from a name no family has (a typo).
            // The group the event targets first, if it names one.
            let targeted = e.group.and_then(|g| usize::try_from(g).ok()).and_then(|g| Some((g, s.agents.get(g)?)));
            let fixed = targeted
                .filter(|(_, g)| catalog.has_param(g.behaviour(), name))
                .or_else(|| s.agents.iter().enumerate().find(|(_, g)| catalog.has_param(g.behaviour(), name)));
            let message = match fixed {
                Some((i, g)) => {
                    format!("`{name}` is a parameter of {} (agents[{i}]), but not one events may change", g.behaviour())
                }
                None => format!("no group here has a live parameter `{name}`"),
            };
            return bad(f("param"), message, live_accepted());
        }
        (Some(_), EventTarget::GroupParam) | (None, _) => {}
        (Some(_), _) => {
            return bad(
                f("param"),
                format!("`param` does not apply to target `{}`", target.name()),
                "`param` only with target = \"group_param\"",
            );
        }
    }
    // A group target changes the groups that have what it changes: a live
    // parameter of their family's, or a sale excitation.
    let live = e.live_param();
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
                    Some(grp) if grp.abuse.is_some() => format!(
                        "agents[{g}] is {} group planted with `{}`, whose behaviour has no {needs}",
                        with_article(&grp.family),
                        grp.behaviour()
                    ),
                    Some(grp) => format!("agents[{g}] is {} group, which has no {needs}", with_article(&grp.family)),
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
                "`group` only with target = \"sale_panic\", \"herding\", \"macro_active_share\" or \"group_param\"",
            );
        }
        (None, None) => {}
    }
    // A value set is checked, for every group it changes, as that group's
    // own parameter table would check it; a change is kept within range by
    // the behaviour.
    if let (EventTarget::GroupParam, Some(name), Some(v)) = (target, live, e.value) {
        for (i, grp) in s.agents.iter().enumerate() {
            if e.group.is_some_and(|g| usize::try_from(g).ok() != Some(i)) || !fits(grp) {
                continue;
            }
            let mut params = grp.params.clone();
            // A whole number goes in as an integer, which a real parameter
            // takes too, so a live parameter of either type can be set.
            let value =
                if v.fract() == 0.0 && v.abs() < 9e15 { toml::Value::Integer(v as i64) } else { toml::Value::Float(v) };
            params.insert(name.to_string(), value);
            catalog.check_params(grp.behaviour(), &params).map_err(|err| Invalid {
                field: f("value"),
                message: format!("for agents[{i}] ({}): {}", grp.family, err.message),
                ..err
            })?;
        }
    }
    Ok(())
}

/// `word` after "a" or "an", as it is spoken ("a macro", "an eager").
fn with_article(word: &str) -> String {
    let vowel = word.chars().next().is_some_and(|c| "aeiouAEIOU".contains(c));
    format!("{} {word}", if vowel { "an" } else { "a" })
}
