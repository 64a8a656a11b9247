//! The scenario file's schema: one Rust type per TOML table, with defaults.
//!
//! Serde refuses unknown fields and wrong types; everything that needs more
//! than a type (ranges, cross-field rules) is checked in `validate`. Field
//! documentation for users lives in `scenarios/README.md`; keep the two in step.

use serde::{Deserialize, Serialize};

use super::units::{Date, Duration, TimeOfDay};

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub simulation: Simulation,
    #[serde(rename = "product")]
    pub products: Vec<Product>,
    #[serde(rename = "macro", default)]
    pub macro_env: MacroEnv,
    pub agents: Vec<AgentGroup>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Simulation {
    pub name: String,
    #[serde(default)]
    pub seed: u64,
    pub start_date: Date,
    pub days: i64,
    #[serde(default = "default_open")]
    pub open: TimeOfDay,
    #[serde(default = "default_close")]
    pub close: TimeOfDay,
    #[serde(default)]
    pub holidays: Vec<Date>,
    #[serde(default = "default_window")]
    pub window: Duration,
    #[serde(default = "default_min_latency")]
    pub min_latency: Duration,
    /// Mean of the exponential delay added to `min_latency` for each order.
    #[serde(default = "default_latency_jitter")]
    pub latency_jitter: Duration,
}

fn default_open() -> TimeOfDay {
    TimeOfDay(9 * 3_600_000_000_000 + 30 * 60_000_000_000)
}
fn default_close() -> TimeOfDay {
    TimeOfDay(15 * 3_600_000_000_000)
}
fn default_window() -> Duration {
    Duration(5 * 60_000_000_000)
}
fn default_min_latency() -> Duration {
    Duration(50_000_000)
}
fn default_latency_jitter() -> Duration {
    Duration(20_000_000)
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Product {
    pub id: String,
    pub nav: f64,
    pub annual_yield: f64,
    pub tick_size: f64,
    #[serde(default = "default_lot_size")]
    pub lot_size: i64,
    pub term_days: i64,
    pub holding_limit_days: i64,
    #[serde(default)]
    pub min_credit_score: f64,
    #[serde(default)]
    pub redemption_penalty: f64,
    /// Limit prices must lie within NAV × (1 ± price_band).
    #[serde(default = "default_price_band")]
    pub price_band: f64,
    #[serde(default = "default_max_order_lots")]
    pub max_order_lots: i64,
    /// Lots the platform offers at NAV at each session open.
    #[serde(default)]
    pub primary_supply_lots: i64,
}

fn default_lot_size() -> i64 {
    100
}
fn default_price_band() -> f64 {
    0.02
}
fn default_max_order_lots() -> i64 {
    10_000
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MacroEnv {
    #[serde(default)]
    pub loan_rate: LoanRate,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LoanRateModel {
    Fixed,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LoanRate {
    #[serde(default = "default_loan_model")]
    pub model: LoanRateModel,
    /// Annual rate as a fraction (0.0435 = 4.35%).
    pub value: f64,
}

fn default_loan_model() -> LoanRateModel {
    LoanRateModel::Fixed
}

impl Default for LoanRate {
    fn default() -> Self {
        LoanRate { model: LoanRateModel::Fixed, value: 0.0435 }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// Gode & Sunder (1993) budget-constrained zero-intelligence traders.
    #[serde(alias = "zi")]
    ZeroIntelligence,
}

impl Family {
    pub fn name(self) -> &'static str {
        match self {
            Family::ZeroIntelligence => "zero_intelligence",
        }
    }
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AgentGroup {
    pub family: Family,
    pub count: i64,
    pub arrival: Arrival,
    pub budget: Distribution,
    #[serde(default = "default_credit_score")]
    pub credit_score: Distribution,
    #[serde(default = "default_initial_lots")]
    pub initial_lots: Distribution,
    /// Products this group trades (ids); all products when absent.
    #[serde(default)]
    pub products: Option<Vec<String>>,
    #[serde(default)]
    pub params: FamilyParams,
}

fn default_credit_score() -> Distribution {
    Distribution::fixed(650.0)
}
fn default_initial_lots() -> Distribution {
    Distribution::fixed(0.0)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ArrivalProcess {
    Poisson,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Arrival {
    pub process: ArrivalProcess,
    /// Wake-ups per agent per hour of session time.
    pub rate: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DistKind {
    Fixed,
    Uniform,
    Normal,
    Lognormal,
}

/// A one-dimensional distribution; which fields it needs depends on `dist`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Distribution {
    pub dist: DistKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mean: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sd: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub median: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sigma: Option<f64>,
}

impl Distribution {
    pub fn fixed(value: f64) -> Distribution {
        Distribution {
            dist: DistKind::Fixed,
            value: Some(value),
            min: None,
            max: None,
            mean: None,
            sd: None,
            median: None,
            sigma: None,
        }
    }
}

/// Behavioural parameters. Each family reads the ones it knows; validation
/// refuses a parameter the group's family does not use.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FamilyParams {
    /// ZI: standard deviation of an agent's private value around NAV, as a fraction of NAV.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_spread: Option<f64>,
    /// ZI: width of the uniform price draw below the value (bids) or above the cost (asks), as a fraction of NAV.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_range: Option<f64>,
    /// Probability that a wake-up is a subscription (buy) rather than a sale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buy_prob: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_lots: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_lots: Option<i64>,
    /// Share of orders that are all-or-none (full delivery).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aon_share: Option<f64>,
    /// Share of orders sent as market orders.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub market_share: Option<f64>,
    /// Share of orders sent immediate-or-cancel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ioc_share: Option<f64>,
    /// Probability that a wake-up cancels the agent's resting order instead of trading.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel_prob: Option<f64>,
    /// How long a limit order stays in the book before it expires (at most to the close).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_ttl: Option<Duration>,
}
