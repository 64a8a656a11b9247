//! The behaviours a run may use, by the name scenarios give them
//! (`family = "herding"`). [`Registry::builtin`] holds the five built-in
//! families; a library user registers their own next to them, a Rust type
//! ([`Registry::register`]) or a family known only at run time, built by a
//! closure ([`Registry::register_dynamic`], how the Python package plugs in
//! behaviours written in Python), and runs with the result
//! ([`crate::engine::run_with`]).
//!
//! The registry is also what the scenario layer asks when it validates a
//! group (through [`FamilyCatalog`]): whether its family exists, whether its
//! `params` table fits the family's typed parameters, and which parameters a
//! scripted event may change.

use std::sync::Arc;

use super::behaviour::{Behaviour, GroupSetup};
use super::params::{ParamDoc, ParamSet};
use super::population::{Latency, Members, Population};
use super::{Churn, Herding, MacroDriven, MarketMaker, Rational, Spoof, Wash, ZeroIntelligence};
use crate::random::Streams;
use crate::scenario::{FamilyCatalog, Invalid, InvalidKind, ParamMeaning, ValueType, with_guess};

/// Builds one group's members: the family's parameters from the table, the
/// members from `first_id` on.
type BuildFn = fn(&toml::Table, GroupSetup, u32, &Streams, Latency) -> Result<Box<dyn Population>, Invalid>;

/// Checks a run-time family's `params` table: Ok, or the field (relative to
/// the table), what is wrong and what is accepted, as [`ParamSet::from_table`]
/// reports it.
pub type DynamicCheck = Arc<dyn Fn(&toml::Table) -> Result<(), Invalid> + Send + Sync>;

/// Builds the members of a group of a run-time family from its `params`
/// table (checked), its setup, its first member's id, the run's streams and
/// the messages' latency.
pub type DynamicBuild =
    Arc<dyn Fn(&toml::Table, GroupSetup, u32, &Streams, Latency) -> Result<Box<dyn Population>, Invalid> + Send + Sync>;

/// A family registered at run time ([`Registry::register_dynamic`]): its
/// parameters are a table of defaults rather than a typed struct, and its
/// members are built by a closure (the Python package's behaviours).
#[derive(Clone)]
pub struct DynamicFamily {
    /// Its name in scenario files. A registry lives as long as the process
    /// uses it, so a name made at run time is leaked once (`Box::leak`).
    pub name: &'static str,
    /// One line on what it models.
    pub about: &'static str,
    /// Every parameter's default, as a scenario would write it: every
    /// parameter the family accepts, since validation tells a parameter
    /// from a misspelt name by these keys ([`Family::has_param`]).
    pub defaults: toml::Table,
    /// The parameters scripted events may change during a run (each a key
    /// of `defaults` with a number for its default; the groups' `live_param`
    /// and `set_live_param` answer for them).
    pub live_params: &'static [&'static str],
    /// Bytes one member takes, for a run's memory estimate.
    pub agent_bytes: usize,
    /// Checks a group's `params` table; [`check_like_defaults`] is the
    /// usual choice.
    pub check: DynamicCheck,
    /// Builds a group's members.
    pub build: DynamicBuild,
}

impl std::fmt::Debug for DynamicFamily {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DynamicFamily").field("name", &self.name).finish_non_exhaustive()
    }
}

/// How a family checks its table, builds its members and gives its defaults.
#[derive(Clone)]
enum Plug {
    /// A [`Behaviour`] type: its typed parameters.
    Typed { check: fn(&str, &toml::Table) -> Result<(), Invalid>, build: BuildFn, defaults: fn() -> toml::Table },
    /// A family registered at run time.
    Dynamic { check: DynamicCheck, build: DynamicBuild, defaults: Arc<toml::Table> },
}

/// One registered behaviour.
#[derive(Clone)]
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
    /// Bytes one member takes (its generator, resting orders and state):
    /// what a run's memory estimate counts per agent.
    pub agent_bytes: usize,
    plug: Plug,
}

impl std::fmt::Debug for Family {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Family").field("name", &self.name).finish_non_exhaustive()
    }
}

impl Family {
    fn of<B: Behaviour>() -> Family {
        const {
            assert!(
                super::params::live_params_declared(B::LIVE_PARAMS, B::Params::DOCS),
                "a behaviour's LIVE_PARAMS must name parameters its Params declare with a Real or Int bound"
            )
        };
        let defaults = B::Params::default();
        if let Err(e) = defaults.check_fields().and_then(|()| defaults.check_together()) {
            panic!(
                "behaviour `{}`: the defaults of its parameters break their own rules, so a scenario that leaves \
                 `{}` out could never load: {} (accepted: {}); change the default or the bound in its \
                 behaviour_params!",
                B::NAME,
                e.field,
                e.message,
                e.accepted
            );
        }
        Family {
            name: B::NAME,
            aliases: B::ALIASES,
            about: B::ABOUT,
            params: B::Params::DOCS,
            live_params: B::LIVE_PARAMS,
            agent_bytes: std::mem::size_of::<super::Agent<B::State>>() + B::STATE_HEAP_BYTES,
            plug: Plug::Typed { check: check::<B>, build: build::<B>, defaults: B::Params::defaults },
        }
    }

    fn dynamic(d: DynamicFamily) -> Family {
        Family {
            name: d.name,
            aliases: &[],
            about: d.about,
            // Documented by its defaults: no typed reference to show.
            params: &[],
            live_params: d.live_params,
            agent_bytes: d.agent_bytes,
            plug: Plug::Dynamic { check: d.check, build: d.build, defaults: Arc::new(d.defaults) },
        }
    }

    /// Every parameter's default, as a scenario would write it.
    pub fn defaults(&self) -> toml::Table {
        match &self.plug {
            Plug::Typed { defaults, .. } => defaults(),
            Plug::Dynamic { defaults, .. } => defaults.as_ref().clone(),
        }
    }

    /// Whether it has a parameter called `name`: a typed family's declared
    /// ones, a run-time family's defaults.
    pub fn has_param(&self, name: &str) -> bool {
        match &self.plug {
            Plug::Typed { .. } => self.params.iter().any(|p| p.name == name),
            Plug::Dynamic { defaults, .. } => defaults.contains_key(name),
        }
    }

    fn check(&self, family: &str, table: &toml::Table) -> Result<(), Invalid> {
        match &self.plug {
            Plug::Typed { check, .. } => check(family, table),
            Plug::Dynamic { check, .. } => check(table),
        }
    }

    fn build(
        &self,
        table: &toml::Table,
        setup: GroupSetup,
        first_id: u32,
        streams: &Streams,
        latency: Latency,
    ) -> Result<Box<dyn Population>, Invalid> {
        match &self.plug {
            Plug::Typed { build, .. } => build(table, setup, first_id, streams, latency),
            Plug::Dynamic { check, build, .. } => {
                // A scenario validated against another registry reaches here unchecked.
                check(table)?;
                build(table, setup, first_id, streams, latency)
            }
        }
    }
}

/// Checks a run-time family's `params` table against its defaults, with the
/// messages of a typed family's ([`ParamSet::from_table`]): a name without
/// a default is refused with the names there are; a value must have its
/// default's type (an integer stands for a real number), and a real number
/// must be finite.
pub fn check_like_defaults(family: &str, defaults: &toml::Table, table: &toml::Table) -> Result<(), Invalid> {
    use toml::Value as V;
    for (key, value) in table {
        let Some(default) = defaults.get(key) else {
            let names: Vec<&str> = defaults.keys().map(String::as_str).collect();
            let accepted = if names.is_empty() {
                format!("{family} takes no parameter")
            } else {
                format!("for {family}: {}", names.join(", "))
            };
            return Err(Invalid {
                field: key.clone(),
                message: with_guess(format!("`{key}` is not a parameter of the {family} family"), key, names),
                accepted,
                kind: InvalidKind::UnknownField,
            });
        };
        let wrong = |wanted: &str, accepted: &str, kind| Invalid {
            field: key.clone(),
            message: format!("invalid type: {}, expected {wanted}", value.type_str()),
            accepted: accepted.to_string(),
            kind,
        };
        match (default, value) {
            (V::Float(_), V::Float(x)) if !x.is_finite() => {
                return Err(Invalid {
                    field: key.clone(),
                    message: format!("{x} is out of range"),
                    accepted: "a finite number".into(),
                    kind: InvalidKind::OutOfRange,
                });
            }
            (V::Float(_), V::Float(_) | V::Integer(_))
            | (V::Integer(_), V::Integer(_))
            | (V::Boolean(_), V::Boolean(_))
            | (V::String(_), V::String(_)) => {}
            (V::Float(_), _) => return Err(wrong("a number", "a number", InvalidKind::WrongType(ValueType::Number))),
            (V::Integer(_), _) => {
                return Err(wrong("an integer", "a whole number", InvalidKind::WrongType(ValueType::Integer)));
            }
            (V::Boolean(_), _) => return Err(wrong("a boolean", "true or false", InvalidKind::Other)),
            (V::String(_), _) => return Err(wrong("a string", "a string in quotes", InvalidKind::Other)),
            (d, _) => {
                return Err(wrong(d.type_str(), &format!("a {}", d.type_str()), InvalidKind::Other));
            }
        }
    }
    Ok(())
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
    /// How a behaviour of one's own becomes known, where an unknown family
    /// is refused; `None` for the Rust library's way.
    own: Option<&'static str>,
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
    ///
    /// # Panics
    ///
    /// As [`Registry::register`].
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
    /// the same name, a built-in's too (so a researcher may swap in a
    /// herding family of their own). A name that is another family's alias
    /// (`zi`) names `B` from then on; the other keeps its own name.
    ///
    /// # Panics
    ///
    /// If the defaults of `B`'s parameters break their own bounds or rules
    /// (a mistake in its `behaviour_params!`, which no scenario could work
    /// around): the message names the parameter.
    pub fn register<B: Behaviour>(&mut self) -> &mut Registry {
        self.put(Family::of::<B>())
    }

    /// Adds a family known only at run time (its parameters' defaults, a
    /// closure that checks a table and one that builds a group), replacing
    /// one of the same name.
    pub fn register_dynamic(&mut self, family: DynamicFamily) -> &mut Registry {
        self.put(Family::dynamic(family))
    }

    fn put(&mut self, family: Family) -> &mut Registry {
        match self.families.iter_mut().find(|f| f.name == family.name) {
            Some(old) => *old = family,
            None => self.families.push(family),
        }
        self
    }

    /// The family called `name`, else the one with `name` among its
    /// aliases (a family registered under a built-in's alias wins it).
    pub fn get(&self, name: &str) -> Option<&Family> {
        let families = || self.families.iter();
        families().find(|f| f.name == name).or_else(|| families().find(|f| f.aliases.contains(&name)))
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
                message: with_guess(format!("unknown family `{name}`"), name, self.names()),
                accepted: self.accepted(),
                kind: InvalidKind::Other,
            });
        };
        let members = family.build(params, setup, first_id, streams, latency)?;
        // A live parameter the behaviour cannot read back would let a
        // scripted change pass validation and then do nothing.
        if let Some(missing) = members.live_params().iter().find(|p| members.live_param(p).is_none()) {
            return Err(Invalid {
                field: "family".into(),
                message: format!(
                    "behaviour `{name}` lists `{missing}` in LIVE_PARAMS, but its live_param(\"{missing}\") returns None"
                ),
                accepted: "a behaviour whose live_param and set_live_param answer for each of its LIVE_PARAMS".into(),
                kind: InvalidKind::Other,
            });
        }
        Ok(members)
    }

    /// The parameters a group of behaviour `name` (a family, or a planted
    /// abuse) runs with, given its scenario `params`: those the table gives,
    /// and every other at its default. A behaviour the registry lacks keeps
    /// the table as given.
    pub fn params_in_effect(&self, name: &str, params: &toml::Table) -> toml::Table {
        let Some(family) = self.behaviour(name) else { return params.clone() };
        let mut all = family.defaults();
        all.extend(params.iter().map(|(k, v)| (k.clone(), v.clone())));
        all
    }

    /// The families' names and aliases, for a misspelt one's "did you mean".
    fn names(&self) -> impl Iterator<Item = &str> {
        self.families.iter().flat_map(|f| std::iter::once(f.name).chain(f.aliases.iter().copied()))
    }

    /// The families, and where another comes from: a behaviour of one's own
    /// is known only where it is registered (a scenario naming one fails in
    /// `tplus` itself, which knows the built-in ones alone).
    fn accepted(&self) -> String {
        let names: Vec<&str> = self.families.iter().map(|f| f.name).collect();
        let own = self.own.unwrap_or(
            "registered in the Registry the scenario is loaded and run with (Registry::register, see \
             examples/custom_behaviour.rs), or in a `tplus` of your own built with tplus::cli::main_with (see \
             examples/custom_cli.rs)",
        );
        format!("one of: {} (a behaviour of your own: {own})", names.join(", "))
    }

    /// Says `how` a behaviour of one's own becomes known, where a scenario
    /// naming an unknown family is refused, in place of the Rust library's
    /// way (a front end in another language: the Python package's
    /// `tplus.register_behaviour`).
    pub fn own_behaviours_by(&mut self, how: &'static str) -> &mut Registry {
        self.own = Some(how);
        self
    }
}

impl FamilyCatalog for Registry {
    fn check_family(&self, name: &str) -> Result<(), Invalid> {
        match self.get(name) {
            Some(_) => Ok(()),
            None => Err(Invalid {
                field: String::new(),
                message: with_guess(format!("unknown family `{name}`"), name, self.names()),
                accepted: self.accepted(),
                kind: InvalidKind::Other,
            }),
        }
    }

    fn check_params(&self, family: &str, params: &toml::Table) -> Result<(), Invalid> {
        self.behaviour(family).map_or(Ok(()), |f| f.check(family, params))
    }

    fn has_param(&self, family: &str, name: &str) -> bool {
        self.behaviour(family).is_some_and(|f| f.has_param(name))
    }

    fn live_params(&self, family: &str) -> &'static [&'static str] {
        self.behaviour(family).map_or(&[], |f| f.live_params)
    }

    fn param_meaning(&self, family: &str, name: &str) -> Option<ParamMeaning> {
        let p = self.behaviour(family)?.params.iter().find(|p| p.name == name)?;
        Some(ParamMeaning { doc: p.doc, accepted: p.accepted })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A group of no members, for building one.
    fn empty_setup() -> GroupSetup {
        GroupSetup {
            index: 0,
            members: 0,
            products: super::super::Products(vec![0]),
            rng: crate::random::Streams::new(1).stream(9),
        }
    }

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
        assert!(r.has_param("herding", "herding") && r.has_param("rational", "risk_aversion"));
        assert!(!r.has_param("herding", "risk_aversion") && !r.has_param("momentum", "herding"));
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
        assert_eq!(r.get("herding").unwrap().defaults()["herding"].as_float(), Some(1.0));
    }

    /// A family registered at run time is checked by its defaults and built
    /// by its closure, next to the built-ins, which keep their place.
    #[test]
    fn a_dynamic_family_is_checked_and_built_by_its_closures() {
        let defaults: toml::Table = "threshold = 0.01\nlots = 5\nside = \"buy\"".parse().unwrap();
        let d = defaults.clone();
        let mut r = Registry::builtin();
        r.register_dynamic(DynamicFamily {
            name: "contrarian",
            about: "buys after a fall",
            defaults,
            live_params: &[],
            agent_bytes: 64,
            check: Arc::new(move |t| check_like_defaults("contrarian", &d, t)),
            build: Arc::new(|t, setup, first, streams, latency| {
                let lots = t.get("lots").and_then(toml::Value::as_integer).unwrap_or(5);
                let b = ZeroIntelligence::build(
                    crate::agents::ZeroIntelligenceParams { min_lots: lots, ..Default::default() },
                    setup,
                );
                Ok(Box::new(Members::new(b, first, 0, streams, latency)) as Box<dyn Population>)
            }),
        });
        assert_eq!(r.families().len(), 6);
        assert_eq!(r.families()[0].name, "zero_intelligence");
        assert!(r.check_family("contrarian").is_ok());
        assert_eq!(r.get("contrarian").unwrap().defaults()["lots"].as_integer(), Some(5));
        assert!(r.has_param("contrarian", "side") && !r.has_param("contrarian", "treshold"));
        let ok: toml::Table = "threshold = 1\nlots = 7".parse().unwrap();
        assert!(r.check_params("contrarian", &ok).is_ok());
        let e = r.check_params("contrarian", &"treshold = 0.1".parse().unwrap()).unwrap_err();
        assert_eq!((e.field.as_str(), e.kind), ("treshold", InvalidKind::UnknownField));
        assert_eq!(e.message, "`treshold` is not a parameter of the contrarian family; did you mean `threshold`?");
        assert_eq!(e.accepted, "for contrarian: lots, side, threshold");
        let e = r.check_params("contrarian", &"lots = 1.5".parse().unwrap()).unwrap_err();
        assert_eq!(e.kind, InvalidKind::WrongType(ValueType::Integer));
        let e = r.check_params("contrarian", &"threshold = nan".parse().unwrap()).unwrap_err();
        assert_eq!(e.kind, InvalidKind::OutOfRange);
        assert!(r.check_params("contrarian", &"side = 1".parse().unwrap()).is_err());
        let setup = empty_setup();
        let streams = Streams::new(1);
        let built = r.build("contrarian", &ok, setup, 1, &streams, Latency::new(1, 0));
        assert_eq!(built.map(|p| p.family()).ok(), Some("zero_intelligence"));
        // The closure's check runs before its build, whoever validated the scenario.
        let setup = empty_setup();
        let bad: toml::Table = "lot = 7".parse().unwrap();
        assert!(r.build("contrarian", &bad, setup, 1, &streams, Latency::new(1, 0)).is_err());
    }

    crate::behaviour_params! {
        /// A live level.
        pub struct MuteParams {
            /// The level.
            level: f64 = 0.5, Real(0.0, 1.0), "a level from 0 to 1";
        }
    }

    /// A scripted change of a live parameter the behaviour cannot read back
    /// would pass validation and do nothing: the group is refused instead.
    #[test]
    fn a_live_parameter_the_behaviour_does_not_answer_for_is_refused() {
        let mut r = Registry::builtin();
        r.register::<Quiet<MuteParams, MUTE>>();
        assert_eq!(r.live_params("mute"), ["level"]);
        let setup = empty_setup();
        let streams = Streams::new(1);
        let e = r.build("mute", &toml::Table::new(), setup, 1, &streams, Latency::new(1, 0)).err().unwrap();
        assert_eq!(e.field, "family");
        assert!(e.message.contains("lists `level` in LIVE_PARAMS"), "{}", e.message);
    }
    crate::behaviour_params! {
        /// A count whose default breaks its bound.
        pub struct WrongDefaultParams {
            /// The count.
            count: i64 = 0, Int(2, 256), "a whole number from 2 to 256";
        }
    }

    /// What each test's behaviour gets wrong, by its name: `mute` lists a
    /// live parameter it cannot read back (and declares 4 KiB of state on
    /// the heap); `wrong_default` declares a
    /// default its bound refuses (with [`WrongDefaultParams`]); `zi` takes
    /// the zero-intelligence family's alias.
    const MUTE: u8 = 0;
    const WRONG_DEFAULT: u8 = 1;
    const ZI: u8 = 2;

    /// Decides nothing; what else it is, its `KIND` says.
    struct Quiet<P, const KIND: u8>(std::marker::PhantomData<P>);

    impl<P: ParamSet + Send + Sync + 'static, const KIND: u8> Behaviour for Quiet<P, KIND> {
        type Params = P;
        type State = ();
        const NAME: &'static str = match KIND {
            MUTE => "mute",
            WRONG_DEFAULT => "wrong_default",
            _ => "zi",
        };
        const ABOUT: &'static str = "decides nothing";
        const LIVE_PARAMS: &'static [&'static str] = if KIND == MUTE { &["level"] } else { &[] };
        const STATE_HEAP_BYTES: usize = if KIND == MUTE { 4096 } else { 0 };
        fn build(_: P, _: GroupSetup) -> Self {
            Quiet(std::marker::PhantomData)
        }
        fn init(&self, _: &mut crate::random::AgentRng) {}
        fn decide(
            &self,
            _: super::super::Wake,
            _: &mut super::super::Agent<()>,
            _: &super::super::Context<'_>,
            _: &mut super::super::Actions,
        ) {
        }
    }

    /// What a member's state holds on the heap, as its behaviour declares
    /// it, is counted in the bytes a member takes (the memory estimate's).
    #[test]
    fn a_members_bytes_count_its_states_heap() {
        let own = std::mem::size_of::<super::super::Agent<()>>();
        let mut r = Registry::new();
        r.register::<Quiet<MuteParams, MUTE>>().register::<Quiet<MuteParams, ZI>>();
        assert_eq!(r.get("mute").map(|f| f.agent_bytes), Some(own + 4096));
        assert_eq!(r.get("zi").map(|f| f.agent_bytes), Some(own));
    }

    #[test]
    #[should_panic(expected = "behaviour `wrong_default`: the defaults of its parameters break their own rules")]
    fn a_default_outside_its_own_bound_is_refused_at_registration() {
        Registry::builtin().register::<Quiet<WrongDefaultParams, WRONG_DEFAULT>>();
    }

    /// A family registered under a built-in's alias is what the alias names
    /// from then on; the built-in keeps its own name.
    #[test]
    fn a_name_that_was_an_alias_names_the_new_family() {
        let mut r = Registry::builtin();
        r.register::<Quiet<MuteParams, ZI>>();
        assert_eq!(r.get("zi").map(|f| f.name), Some("zi"));
        assert_eq!(r.get("zero_intelligence").map(|f| f.name), Some("zero_intelligence"));
        assert!(r.check_params("zi", &"level = 0.2".parse().unwrap()).is_ok());
    }
}
