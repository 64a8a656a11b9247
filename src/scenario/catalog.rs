//! What validation (and a sweep's record of what it varies) needs to know of
//! the behaviours a scenario may name. The scenario layer knows no family
//! itself: the agents layer's registry answers for the built-in ones and any
//! a library user registers.

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

    /// What family `family`'s parameter `name` means and the values it
    /// accepts, in the family's own words; `None` when there is no such
    /// family or parameter.
    fn param_meaning(&self, family: &str, name: &str) -> Option<ParamMeaning>;
}

/// A behaviour parameter in its family's words, as the family declares it
/// (`behaviour_params!`): what a sweep records of a parameter it varies, so
/// that its report can title an axis with the unit even when the family is
/// one only the sweeping program knew.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ParamMeaning {
    /// What it means, with its unit.
    pub doc: &'static str,
    /// The values accepted, in words (`a probability from 0 to 1`).
    pub accepted: &'static str,
}
