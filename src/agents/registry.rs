//! The behaviours a run may use, by the name scenarios give them
//! (`family = "herding"`). [`Registry::builtin`] holds the five built-in
//! families; a library user registers their own next to them
//! ([`Registry::register`]) and runs with the result
//! ([`crate::engine::run_with`]).
//!
//! The registry is also what the scenario layer asks when it validates a
//! group (through [`FamilyCatalog`]): whether its family exists, whether its
//! `params` table fits the family's typed parameters, and which parameters a
//! scripted event may change.

use super::behaviour::{Behaviour, GroupSetup};
use super::params::{ParamDoc, ParamSet};
use super::population::{Latency, Members, Population};
use super::{Churn, Herding, MacroDriven, MarketMaker, Rational, Spoof, Wash, ZeroIntelligence};
use crate::random::Streams;
use crate::scenario::{FamilyCatalog, Invalid, InvalidKind};

/// Builds one group's members: the family's parameters from the table, the
/// members from `first_id` on.
type BuildFn = fn(&toml::Table, GroupSetup, u32, &Streams, Latency) -> Result<Box<dyn Population>, Invalid>;

/// One registered behaviour.
#[derive(Clone, Copy)]
pub struct Family {
    /// Its name in scenario files.
    pub name: &'static str,
    /// Other names scenarios may give it.
    pub aliases: &'static [&'static str],
    /// One line on what it models.
    pub about: &'static str,
    /// Its parameters' reference.
    pub params: &'static [ParamDoc],
    /// The parameters scripted events may change during a run.
    pub live_params: &'static [&'static str],
    /// Every parameter's default, as a scenario would write it.
    pub defaults: fn() -> toml::Table,
    /// Bytes one member takes (its generator, resting orders and state):
    /// what a run's memory estimate counts per agent.
    pub agent_bytes: usize,
    check: fn(&str, &toml::Table) -> Result<(), Invalid>,
    build: BuildFn,
}

impl std::fmt::Debug for Family {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Family").field("name", &self.name).finish_non_exhaustive()
    }
}

impl Family {
    fn of<B: Behaviour>() -> Family {
        Family {
            name: B::NAME,
            aliases: B::ALIASES,
            about: B::ABOUT,
            params: B::Params::DOCS,
            live_params: B::LIVE_PARAMS,
            defaults: B::Params::defaults,
            agent_bytes: std::mem::size_of::<super::Agent<B::State>>(),
            check: check::<B>,
            build: build::<B>,
        }
    }
}

fn check<B: Behaviour>(family: &str, table: &toml::Table) -> Result<(), Invalid> {
    B::Params::from_table(family, table).map(|_| ())
}

fn build<B: Behaviour>(
    table: &toml::Table,
    setup: GroupSetup,
    first_id: u32,
    streams: &Streams,
    latency: Latency,
) -> Result<Box<dyn Population>, Invalid> {
    let params = B::Params::from_table(B::NAME, table)?;
    let members = setup.members;
    Ok(Box::new(Members::new(B::build(params, setup), first_id, members, streams, latency)))
}

/// The behaviours a run may use, by name: the families a group may name as
/// `family`, and the abuses a group may be planted with (`abuse`), which
/// are behaviours too but never a family of their own (a planted group is
/// filed under an ordinary family).
#[derive(Clone, Debug, Default)]
pub struct Registry {
    families: Vec<Family>,
    abuses: Vec<Family>,
}

impl Registry {
    /// A registry without any behaviour.
    pub fn new() -> Registry {
        Registry::default()
    }

    /// The built-in families: zero_intelligence, rational, herding, macro, market_maker.
    pub fn builtin() -> Registry {
        let mut r = Registry::new();
        r.register::<ZeroIntelligence>()
            .register::<Rational>()
            .register::<Herding>()
            .register::<MacroDriven>()
            .register::<MarketMaker>();
        r.register_abuse::<Wash>().register_abuse::<Spoof>().register_abuse::<Churn>();
        r
    }

    /// Adds behaviour `B` as a planted abuse under its [`Behaviour::NAME`]
    /// (which a scenario's `abuse` names), replacing one of the same name.
    pub fn register_abuse<B: Behaviour>(&mut self) -> &mut Registry {
        let abuse = Family::of::<B>();
        match self.abuses.iter_mut().find(|f| f.name == B::NAME) {
            Some(old) => *old = abuse,
            None => self.abuses.push(abuse),
        }
        self
    }

    /// The behaviour called `name`: a family (or one of its aliases), else
    /// a planted abuse.
    fn behaviour(&self, name: &str) -> Option<&Family> {
        self.get(name).or_else(|| self.abuses.iter().find(|f| f.name == name))
    }

    /// Adds behaviour `B` under its [`Behaviour::NAME`], replacing one of
    /// the same name.
    pub fn register<B: Behaviour>(&mut self) -> &mut Registry {
        let family = Family::of::<B>();
        match self.families.iter_mut().find(|f| f.name == B::NAME) {
            Some(old) => *old = family,
            None => self.families.push(family),
        }
        self
    }

    /// The family called `name` (or one of its aliases).
    pub fn get(&self, name: &str) -> Option<&Family> {
        self.families.iter().find(|f| f.name == name || f.aliases.contains(&name))
    }

    /// Every registered family, in registration order.
    pub fn families(&self) -> &[Family] {
        &self.families
    }

    /// The registered abuses, in registration order.
    pub fn abuses(&self) -> &[Family] {
        &self.abuses
    }

    /// Builds the members of a group whose behaviour is `name` (a family,
    /// or a planted abuse).
    pub fn build(
        &self,
        name: &str,
        params: &toml::Table,
        setup: GroupSetup,
        first_id: u32,
        streams: &Streams,
        latency: Latency,
    ) -> Result<Box<dyn Population>, Invalid> {
        let Some(family) = self.behaviour(name) else {
            return Err(Invalid {
                field: "family".into(),
                message: format!("unknown family `{name}`"),
                accepted: self.accepted(),
                kind: InvalidKind::Other,
            });
        };
        (family.build)(params, setup, first_id, streams, latency)
    }

    fn accepted(&self) -> String {
        let names: Vec<&str> = self.families.iter().map(|f| f.name).collect();
        format!("one of: {}", names.join(", "))
    }
}

impl FamilyCatalog for Registry {
    fn check_family(&self, name: &str) -> Result<(), Invalid> {
        match self.get(name) {
            Some(_) => Ok(()),
            None => Err(Invalid {
                field: String::new(),
                message: format!("unknown family `{name}`"),
                accepted: self.accepted(),
                kind: InvalidKind::Other,
            }),
        }
    }

    fn check_params(&self, family: &str, params: &toml::Table) -> Result<(), Invalid> {
        self.behaviour(family).map_or(Ok(()), |f| (f.check)(family, params))
    }

    fn live_params(&self, family: &str) -> &'static [&'static str] {
        self.behaviour(family).map_or(&[], |f| f.live_params)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_families_are_registered_once_each() {
        let r = Registry::builtin();
        let names: Vec<&str> = r.families().iter().map(|f| f.name).collect();
        assert_eq!(names, ["zero_intelligence", "rational", "herding", "macro", "market_maker"]);
        let mut again = r.clone();
        again.register::<Herding>();
        assert_eq!(again.families().len(), 5);
        assert_eq!(r.live_params("herding"), ["herding"]);
        assert_eq!(r.live_params("macro"), ["active_share"]);
        assert!(r.check_family("momentum").unwrap_err().accepted.contains("market_maker"));
        // Abuses are behaviours a group is planted with, never a family.
        let abuses: Vec<&str> = r.abuses().iter().map(|f| f.name).collect();
        assert_eq!(abuses, ["wash", "spoof", "churn"]);
        assert!(r.check_family("spoof").is_err());
        assert!(r.check_params("spoof", &toml::Table::new()).is_ok());
    }

    #[test]
    fn a_family_checks_its_own_table() {
        let r = Registry::builtin();
        assert_eq!(r.get("zi").map(|f| f.name), Some("zero_intelligence"));
        assert_eq!(r.get("herd").map(|f| f.name), Some("herding"));
        assert_eq!(r.get("macro_driven").map(|f| f.name), Some("macro"));
        let t: toml::Table = "herding = 2.0".parse().unwrap();
        assert!(r.check_params("herding", &t).is_ok());
        let e = r.check_params("macro", &t).unwrap_err();
        assert_eq!(e.message, "`herding` is not a parameter of the macro family");
        assert_eq!((r.get("herding").unwrap().defaults)()["herding"].as_float(), Some(1.0));
    }
}
