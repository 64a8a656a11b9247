//! `tplus help`: the scenario reference shipped in the binary. `help
//! scenario` prints the tables and every field path, `help PATH` one field's
//! type, unit, default, range and meaning, `help COMMAND` a subcommand's
//! usage. The entries are the ones validation checks against: the schema's
//! in `scenario::fields`, each family's parameters from its own
//! `behaviour_params!` declaration through the registry.

use std::process::ExitCode;

use clap::CommandFactory;

use crate::agents::{Bound, Family, ParamDoc, Registry};
use crate::scenario::fields;

/// What `help` was asked about.
pub fn help(topic: Option<&str>, registry: &Registry) -> ExitCode {
    let mut cli = super::Cli::command();
    // Built, subcommands' usage lines name the binary (`tplus run`).
    cli.build();
    let Some(topic) = topic else {
        let _ = cli.print_help();
        return ExitCode::SUCCESS;
    };
    if let Some(sub) = cli.find_subcommand_mut(topic) {
        let _ = sub.print_help();
        return ExitCode::SUCCESS;
    }
    match text(topic, registry) {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprint!("{message}");
            ExitCode::from(2)
        }
    }
}

/// The reference text for `topic`, or the error naming near matches.
pub fn text(topic: &str, registry: &Registry) -> Result<String, String> {
    let path = fields::normalise(topic);
    if path == "scenario" {
        return Ok(format!("{}\n{}", fields::overview(), params_overview(registry)));
    }
    if let Some(f) = fields::find(&path) {
        // The params table's entry is followed by what each family declares.
        let families = if path == "agents.params" { format!("\n{}", params_overview(registry)) } else { String::new() };
        return Ok(format!("{}{families}", f.describe()));
    }
    if let Some(name) = path.strip_prefix("agents.params.") {
        // `agents.params.NAME`, or `agents.params.FAMILY.NAME` for one family.
        let (only, name) = match name.split_once('.') {
            Some((family, name)) => (Some(family), name),
            None => (None, name),
        };
        let found: Vec<String> = behaviours(registry)
            .filter(|(f, _)| only.is_none_or(|o| o == f.name || f.aliases.contains(&o)))
            .filter_map(|(f, kind)| f.params.iter().find(|p| p.name == name).map(|p| describe_param(f, kind, p)))
            .collect();
        if !found.is_empty() {
            return Ok(found.join("\n"));
        }
    }
    // A behaviour's name: what it is, then each of its parameters.
    if let Some((f, kind)) = behaviours(registry).find(|(f, _)| f.name == path || f.aliases.contains(&path.as_str())) {
        let params: Vec<String> = f.params.iter().map(|p| describe_param(f, kind, p)).collect();
        let none = if params.is_empty() { "  (no parameters)\n" } else { "" };
        return Ok(format!("{} ({kind}): {}\n\n{none}{}", f.name, f.about, params.join("\n")));
    }
    let candidates = all_paths(registry);
    let near = fields::near(&path, candidates.iter().map(String::as_str), 5);
    let mut out = format!("error: `{topic}` is not a scenario field or a tplus command\n");
    if !near.is_empty() {
        out.push_str(&format!("  near matches: {}\n", near.join(", ")));
    }
    out.push_str("  accepted: a field path such as simulation.window, product.price_band or agents.params.herding, or a family such as herding; `tplus help scenario` lists them all\n");
    Err(out)
}

/// Every behaviour a group may use: the families, then the planted abuses.
fn behaviours(registry: &Registry) -> impl Iterator<Item = (&Family, &'static str)> {
    let families = registry.families().iter().map(|f| (f, "family"));
    families.chain(registry.abuses().iter().map(|f| (f, "abuse")))
}

/// Every path `help` answers for, for near matches.
fn all_paths(registry: &Registry) -> Vec<String> {
    let mut paths: Vec<String> = fields::FIELDS.iter().map(|f| f.path.to_string()).collect();
    for (family, _) in behaviours(registry) {
        for p in family.params {
            let path = format!("agents.params.{}", p.name);
            if !paths.contains(&path) {
                paths.push(path);
            }
        }
    }
    paths.extend(behaviours(registry).map(|(f, _)| f.name.to_string()));
    paths.push("scenario".into());
    paths
}

/// The range of a parameter as `help` prints it (as [`fields::Range`] does).
pub fn bound_words(bound: Bound) -> String {
    match bound {
        Bound::Real(lo, hi) => format!("{lo} to {hi}"),
        Bound::Int(lo, hi) => format!("{lo} to {hi}"),
        Bound::PositiveDuration => "1ns to no limit".into(),
        Bound::Flag => "true or false".into(),
        Bound::OneOf(words) => format!("one of: {}", words.join(", ")),
    }
}

fn describe_param(family: &Family, kind: &str, p: &ParamDoc) -> String {
    let ty = match p.bound {
        Bound::Real(..) => "number",
        Bound::Int(..) => "whole number",
        Bound::PositiveDuration => "a duration in quotes, such as \"30m\"",
        Bound::Flag => "true or false",
        Bound::OneOf(_) => "a word in quotes",
    };
    let default = family
        .defaults()
        .get(p.name)
        .map_or_else(|| "no fixed value: the family's own rule when left out".to_string(), |v| v.to_string());
    let live = if family.live_params.contains(&p.name) { " (scripted events may change it)" } else { "" };
    format!(
        "agents.params.{name} ({kind} {family}){live}\n  {doc}\n\n  type:     {ty}\n  default:  {default}\n  range:    {range}\n  accepted: {accepted}\n",
        name = p.name,
        family = family.name,
        doc = p.doc,
        range = bound_words(p.bound),
        accepted = p.accepted,
    )
}

/// The families and their parameters, one line each.
fn params_overview(registry: &Registry) -> String {
    let mut out = String::from(
        "Behaviour parameters ([agents.params], by the group's family; `tplus help FAMILY` for a family's, `tplus help agents.params.NAME` for one):\n",
    );
    for (f, kind) in behaviours(registry) {
        let names: Vec<String> = f
            .params
            .iter()
            .map(|p| if f.live_params.contains(&p.name) { format!("{} (live)", p.name) } else { p.name.to_string() })
            .collect();
        out.push_str(&format!("\n  {} ({kind}): {}\n    {}\n", f.name, f.about, names.join(", ")));
    }
    out.push_str(
        "\n(live): a scripted event may change it during a run (`target = \"group_param\"`, `param = \"NAME\"`).\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_parameter_is_found_in_every_family_that_declares_it() {
        let r = Registry::builtin();
        let t = text("agents.params.max_lots", &r).unwrap();
        assert!(t.contains("family zero_intelligence") && t.contains("family rational"), "{t}");
        let t = text("agents.params.herding.max_lots", &r).unwrap();
        assert!(!t.contains("rational"), "{t}");
        let e = text("agents.params.herding_rate", &r).unwrap_err();
        assert!(e.contains("agents.params.herding"), "{e}");
        let e = text("product.price_bnd", &r).unwrap_err();
        assert!(e.contains("product.price_band"), "{e}");
    }

    /// `help FAMILY` gives the family's line and each of its parameters,
    /// for a built-in family, an alias and a planted abuse; a misspelt one
    /// is offered by name.
    #[test]
    fn a_family_is_a_topic_with_all_its_parameters() {
        let r = Registry::builtin();
        let t = text("herding", &r).unwrap();
        assert!(t.starts_with("herding (family): "), "{t}");
        let herding = r.get("herding").unwrap();
        assert_eq!(t.matches("agents.params.").count(), herding.params.len(), "{t}");
        assert!(t.contains("agents.params.herding (family herding) (scripted events may change it)"), "{t}");
        for alias in herding.aliases {
            assert_eq!(text(alias, &r).unwrap(), t);
        }
        assert!(text("spoof", &r).unwrap().starts_with("spoof (abuse): "));
        let e = text("hearding", &r).unwrap_err();
        assert!(e.contains("near matches: herding"), "{e}");
    }
}
