//! Customers and how they decide. Every family sits behind one seam,
//! [`Behaviour`], built from its own typed parameters ([`ParamSet`],
//! declared with [`behaviour_params!`](crate::behaviour_params)) and found by
//! name in a [`Registry`]. At a wake-up a behaviour reads a read-only
//! [`Context`] (a snapshot of the market at the start of the lookahead
//! window, and the platform's accounts) and its member's own [`Agent`]
//! record, and appends at most [`MAX_ACTIONS`] actions. Decisions never
//! touch shared state, which is what lets the engine run a lookahead window
//! of them in parallel.
//!
//! The built-in families: zero intelligence ([`ZeroIntelligence`]), rational
//! ([`Rational`]), herding with its crowd ([`Herding`], [`Sentiment`]),
//! macro-driven ([`MacroDriven`]) and market makers ([`MarketMaker`]). The
//! planted abuses a scenario may give a group (`abuse = "..."`, see
//! [`abuse`]): wash trading ([`Wash`]), spoofing ([`Spoof`]) and churning
//! ([`Churn`]). A customer driven from outside the run (a learning agent)
//! has a behaviour that never acts, registered only where asked
//! ([`external`]).

pub mod abuse;
mod behaviour;
pub mod external;
mod fork;
pub mod hawkes;
mod herding;
mod lend;
mod macro_driven;
mod market;
mod market_maker;
mod order;
mod params;
mod population;
mod rational;
mod registry;
mod zero_intelligence;

use rand::{Rng, RngExt};
use rand_distr::{Distribution as _, LogNormal, Normal};

use crate::scenario::{DistKind, Distribution};

pub use abuse::{Churn, ChurnParams, Spoof, SpoofParams, Wash, WashParams};
pub use behaviour::{Actions, Agent, Behaviour, CrowdView, GroupSetup, MAX_ACTIONS, Products, Wake};
pub use external::{External, ExternalParams};
pub use fork::{fork, offers};
pub use hawkes::{Hawkes, HawkesClock};
pub use herding::{Herding, HerdingParams, HerdingState, Sentiment};
pub(crate) use lend::Claims;
pub use lend::Lent;
pub use macro_driven::{MacroDriven, MacroParams, MacroRank};
pub use market::{Context, MarketStats, ProductView, Snapshot};
pub use market_maker::{MakerState, MarketMaker, MarketMakerParams};
pub use order::{Action, LiveOrder, OrderRequest, affordable, panic_sale, sellable};
pub use params::{Bound, OutOfBound, ParamDoc, ParamSet, ParamValue, lots_in_order, minutes, shares_add_up};
pub use population::{Decision, Latency, Members, Population, SPREAD_MIN_NS};
pub use rational::{Rational, RationalParams, RationalState};
pub use registry::{DynamicBuild, DynamicCheck, DynamicFamily, Family, Registry, check_like_defaults};
pub use zero_intelligence::{ZeroIntelligence, ZeroIntelligenceParams, ZiState};

/// A draw from a standard normal that never fails.
pub(crate) fn std_normal<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    rand_distr::StandardNormal.sample(rng)
}

/// Draws from a validated scenario distribution, clipped to [lo, hi].
pub fn draw<R: Rng + ?Sized>(d: &Distribution, rng: &mut R, lo: f64, hi: f64) -> f64 {
    let v = |x: Option<f64>| x.unwrap_or(0.0);
    let x = match d.dist {
        DistKind::Fixed => v(d.value),
        DistKind::Uniform => {
            let (lo, hi) = (v(d.min), v(d.max));
            if hi > lo { rng.random_range(lo..=hi) } else { lo }
        }
        DistKind::Normal => Normal::new(v(d.mean), v(d.sd)).map_or(v(d.mean), |n| n.sample(rng)),
        DistKind::Lognormal => LogNormal::new(v(d.median).ln(), v(d.sigma)).map_or(v(d.median), |n| n.sample(rng)),
    };
    x.clamp(lo, hi)
}
