//! tplus: a discrete-event, agent-based simulator of a market for short-term
//! internet-finance products. See ARCHITECTURE.md for the map of the code.
//!
//! The library runs scenarios ([`engine::run_with`]) with the built-in
//! behaviours or a user's own ([`agents::Registry`], [`agents::Behaviour`]);
//! the command line (`cli`), the live view (`tui`) and the plots (`report`)
//! are default features, left out with `default-features = false`.

// A panic is never the answer to input: every error is typed and told.
// Tests may unwrap (a failed unwrap there is a failed test).
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

/// The random-number crate behaviours draw with, so a user's behaviour uses
/// the same `rand` as tplus (`tplus::rand::RngExt`).
pub use rand;

/// The distributions crate of that `rand` (normal, log-normal, exponential
/// draws), so a user's behaviour needs no version of its own to match.
pub use rand_distr;

/// The TOML crate whose tables the registry's functions take and return
/// (a family's parameters, [`agents::Registry::build`]).
pub use toml;

// So that the paths `behaviour_params!` writes, `tplus::...`, name this
// crate inside it too (serde's `crate = "..."` takes a path in a string,
// where `$crate` is not expanded).
extern crate self as tplus;

/// What the macros expand to and a user's crate need not depend on itself.
#[doc(hidden)]
pub mod __private {
    pub use serde;
}

pub mod agents;
pub mod batch;
pub mod book;
pub mod cache;
pub mod calendar;
#[cfg(feature = "cli")]
pub mod cli;
pub mod columns;
mod const_str;
pub mod credit;
pub mod engine;
pub mod macro_env;
pub mod metrics;
pub mod platform;
pub mod product;
pub mod random;
pub mod replay;
pub mod replicate;
#[cfg(feature = "report")]
pub mod report;
pub mod results;
pub mod scenario;
#[cfg(feature = "tui")]
pub mod tui;
pub mod units;
