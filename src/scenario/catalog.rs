//! What validation needs to know of the behaviours a scenario may name. The
//! scenario layer knows no family itself: the agents layer's registry
//! answers for the built-in ones and any a library user registers.

use super::validate::Invalid;

/// The behaviours a scenario may name, as validation asks about them.
pub trait FamilyCatalog: Sync {
    /// Ok when a family called `name` exists; else what is accepted.
    fn check_family(&self, name: &str) -> Result<(), Invalid>;

    /// Ok when `params` fits family `family`'s parameters; else the field
    /// (relative to the table), what is wrong and what is accepted.
    fn check_params(&self, family: &str, params: &toml::Table) -> Result<(), Invalid>;

    /// Whether family `family` has a parameter called `name`, live or not.
    fn has_param(&self, family: &str, name: &str) -> bool;

    /// The group-level parameters of family `family` that a scripted event
    /// may change during a run (e.g. `herding`).
    fn live_params(&self, family: &str) -> &'static [&'static str];
}
