//! The scenario file's schema: one Rust type per TOML table, with defaults.
//!
//! Serde refuses unknown fields and wrong types; everything that needs more
//! than a type (ranges, cross-field rules) is checked in `validate`, against
//! the field reference in `fields/entries.rs` (what `tplus help FIELD` prints; a new
//! field needs an entry there). The long-form documentation for users is
//! `scenarios/README.md`.

use serde::{Deserialize, Serialize};

use super::time::{Date, DayTime, Duration, TimeOfDay};

/// A whole scenario file as read: the simulation's clock and calendar, the
/// products, the macro environment, the credit scorecard, the metrics
/// settings, the customer groups and the scripted events.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// `[simulation]`: name, seed, calendar, metrics window and latency.
    pub simulation: Simulation,
    /// `[[product]]`: the products traded, in file order (their index is the
    /// product number in the engine).
    #[serde(rename = "product")]
    pub products: Vec<Product>,
    /// `[macro]`: the loan and deposit rates, the price level and the shocks.
    #[serde(rename = "macro", default)]
    pub macro_env: MacroEnv,
    /// `[credit]`: the scorecard that rescores customers each evening.
    #[serde(default)]
    pub credit: Credit,
    /// How the run's results are measured.
    #[serde(default)]
    pub metrics: MetricsSpec,
    /// `[[agents]]`: the customer groups, in file order (account ids run 1…N in
    /// this order).
    pub agents: Vec<AgentGroup>,
    /// Changes scripted at given moments (a rate hike at day 5 10:00).
    #[serde(default)]
    pub events: Vec<ScriptedEvent>,
}

impl Scenario {
    /// The index in [`Scenario::agents`] of the group whose customer has
    /// account id `account`, as `trades.csv` and a recorder's records give
    /// it: customers are 1…N in group order; 0 (the platform) and ids past
    /// the customers are in none.
    pub fn group_of(&self, account: u32) -> Option<usize> {
        let mut last = 0u64;
        for (g, group) in self.agents.iter().enumerate() {
            last += group.count.max(0) as u64;
            if account != 0 && u64::from(account) <= last {
                return Some(g);
            }
        }
        None
    }
}

/// `[simulation]`: what the run is called, its seed, which days trade and when,
/// the metrics window and the order latency.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Simulation {
    /// Names the results folder (`results/<name>/…`).
    pub name: String,
    /// Seed of every random stream (`tplus run --seed` overrides it).
    #[serde(default)]
    pub seed: u64,
    /// First calendar day; the simulation clock is 0 at 00:00 of this date.
    pub start_date: Date,
    /// Business days to simulate (weekends and holidays do not count).
    pub days: i64,
    /// Session open, each business day.
    #[serde(default = "default_open")]
    pub open: TimeOfDay,
    /// Session close, each business day (after `open`).
    #[serde(default = "default_close")]
    pub close: TimeOfDay,
    /// Dates that do not trade (weekends never trade).
    #[serde(default)]
    pub holidays: Vec<Date>,
    /// Length of a metrics window; the last window of a day may be shorter.
    #[serde(default = "default_window")]
    pub window: Duration,
    /// Least time an order or cancel takes to reach the platform; also the
    /// lookahead of the parallel engine.
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

/// `[[product]]`: one product on sale, with its NAV schedule, price grid,
/// holding rules and order limits.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Product {
    /// Unique product id used in the outputs.
    pub id: String,
    /// Net asset value at the start, currency per unit.
    pub nav: f64,
    /// Yield as a fraction a year: NAV on a business day is
    /// `nav × (1 + yield × calendar days since start_date / 365)`.
    pub annual_yield: f64,
    /// Price grid step, in currency (a whole number of micros that divides `nav`).
    pub tick_size: f64,
    /// Units per lot; all quantities are in lots.
    #[serde(default = "default_lot_size")]
    pub lot_size: i64,
    /// Calendar days until a holding matures and is redeemed at NAV.
    pub term_days: i64,
    /// Business days a holding may be sold in before the platform redeems it at
    /// a penalty (a failed sale).
    pub holding_limit_days: i64,
    /// Orders of customers scoring below this are rejected (0–1000 points):
    /// subscriptions (buys) only, unless `credit_gate` says otherwise.
    #[serde(default)]
    pub min_credit_score: f64,
    /// Which orders the credit score vets.
    #[serde(default)]
    pub credit_gate: CreditGate,
    /// How the product's book ranks the orders resting at one price.
    #[serde(default)]
    pub matching: crate::book::MatchingRule,
    /// Fraction of NAV cut when the platform redeems at the holding limit.
    #[serde(default)]
    pub redemption_penalty: f64,
    /// Limit prices must lie within NAV × (1 ± price_band).
    #[serde(default = "default_price_band")]
    pub price_band: f64,
    /// Largest order, in lots; larger orders are rejected.
    #[serde(default = "default_max_order_lots")]
    pub max_order_lots: i64,
    /// The primary market's subscription quota: lots the issuer (the
    /// platform) sells at the day's NAV, rounded up to a tick, each day
    /// until sold out or the close, paced by `primary_pacing`.
    #[serde(default)]
    pub primary_supply_lots: i64,
    /// The primary market's redemption quota: lots the issuer buys back at
    /// the day's NAV, rounded down to a tick, each day until used up or the
    /// close, paced by `primary_pacing`.
    #[serde(default)]
    pub redemption_quota_lots: i64,
    /// How the issuer paces its daily quotas: from the open, every this
    /// long, it offers what is left of each quota divided by the intervals
    /// left in the session (what an interval leaves unused carries over).
    /// As long as the session or longer: the whole quota at the open. Paced,
    /// order flow beyond an interval's share moves the price, so volume and
    /// volatility rise together (the models: `engine/primary.rs`).
    #[serde(default = "default_primary_pacing")]
    pub primary_pacing: Duration,
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
fn default_primary_pacing() -> Duration {
    Duration(60_000_000_000)
}

/// The macro environment: processes on the simulation clock, stepped at
/// every metrics window.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MacroEnv {
    /// Rate banks charge on loans, the alternative use of money macro-driven
    /// customers weigh.
    #[serde(default = "default_loan_rate")]
    pub loan_rate: RateSpec,
    /// What customers earn on cash left in the bank.
    #[serde(default = "default_deposit_rate")]
    pub deposit_rate: RateSpec,
    /// The price level (an inflation index).
    #[serde(default)]
    pub price_level: LevelSpec,
    /// International shocks; none when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shock: Option<ShockSpec>,
}

impl Default for MacroEnv {
    fn default() -> Self {
        MacroEnv {
            loan_rate: default_loan_rate(),
            deposit_rate: default_deposit_rate(),
            price_level: LevelSpec::default(),
            shock: None,
        }
    }
}

fn default_loan_rate() -> RateSpec {
    RateSpec::fixed(0.0435)
}
fn default_deposit_rate() -> RateSpec {
    RateSpec::fixed(0.015)
}

/// Which model moves a rate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RateModelKind {
    /// A constant (until a scripted event changes it).
    Fixed,
    /// Vasicek (1977): dr = κ(θ − r)dt + σ dW.
    Vasicek,
    /// Cox–Ingersoll–Ross (1985): dr = κ(θ − r)dt + σ√r dW.
    Cir,
    /// A step path given point by point.
    Path,
}

/// An annual rate: fixed, a short-rate process, or a path. Which fields it
/// needs depends on `model`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RateSpec {
    /// Which model moves the rate; it decides which other fields are needed.
    #[serde(default = "default_rate_model")]
    pub model: RateModelKind,
    /// The fixed value, or the starting value of a process (annual, as a fraction).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// Speed of mean reversion, per year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kappa: Option<f64>,
    /// Long-run mean.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theta: Option<f64>,
    /// Volatility, per square-root year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sigma: Option<f64>,
    /// The step path's points (`path` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<Vec<PathPoint>>,
}

fn default_rate_model() -> RateModelKind {
    RateModelKind::Fixed
}

impl RateSpec {
    /// A rate fixed at `value` (a fraction per year), as the defaults are.
    pub fn fixed(value: f64) -> RateSpec {
        RateSpec {
            model: RateModelKind::Fixed,
            value: Some(value),
            kappa: None,
            theta: None,
            sigma: None,
            points: None,
        }
    }
}

/// One point of a path: from `at` on, the value is `value`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PathPoint {
    /// The moment from which the value applies.
    pub at: DayTime,
    /// The value from then on (a rate as a fraction per year, or a level).
    pub value: f64,
}

/// Which model moves the price level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LevelModelKind {
    /// A constant (until a scripted event changes it).
    Fixed,
    /// Log-normal index: d ln P = inflation · dt + σ dW.
    Gbm,
    /// A step path given point by point.
    Path,
}

/// The price level (inflation index) and the reference it is judged against.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LevelSpec {
    /// Which model moves the level; it decides which other fields are needed.
    #[serde(default = "default_level_model")]
    pub model: LevelModelKind,
    /// The fixed or starting level (a path starts at its first point).
    #[serde(default = "default_level")]
    pub value: f64,
    /// The level customers consider normal; deviation = ln(level / reference).
    /// Absent: the starting level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<f64>,
    /// Annual inflation (drift of the log level), for `gbm`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inflation: Option<f64>,
    /// Volatility of ln(level), per square-root year (`gbm` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sigma: Option<f64>,
    /// The step path's points (`path` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<Vec<PathPoint>>,
}

impl LevelSpec {
    /// The level the run starts from.
    pub fn start(&self) -> f64 {
        match (&self.model, &self.points) {
            (LevelModelKind::Path, Some(points)) => points.first().map_or(self.value, |p| p.value),
            _ => self.value,
        }
    }

    /// The level deviations are measured against.
    pub fn reference_level(&self) -> f64 {
        self.reference.unwrap_or_else(|| self.start())
    }
}

fn default_level_model() -> LevelModelKind {
    LevelModelKind::Fixed
}
fn default_level() -> f64 {
    100.0
}

impl Default for LevelSpec {
    fn default() -> Self {
        LevelSpec {
            model: LevelModelKind::Fixed,
            value: 100.0,
            reference: None,
            inflation: None,
            sigma: None,
            points: None,
        }
    }
}

/// International shocks: jumps arriving as a Poisson process, each decaying
/// exponentially; the shock is the sum of what is left of them.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ShockSpec {
    /// Jumps per calendar day.
    pub rate: f64,
    /// Mean jump size, in shock units (what the macro family's
    /// `shock_sensitivity` multiplies).
    #[serde(default)]
    pub mean: f64,
    /// Standard deviation of the (normal) jump size, in shock units.
    #[serde(default = "default_shock_sd")]
    pub sd: f64,
    /// Mean lifetime of a jump (e-folding time).
    #[serde(default = "default_shock_decay")]
    pub decay: Duration,
}

fn default_shock_sd() -> f64 {
    1.0
}
fn default_shock_decay() -> Duration {
    Duration(86_400_000_000_000)
}

/// The credit scorecard: points-to-double-odds scaling and the weights of the
/// behaviour that moves a customer's score at each end of day.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Credit {
    /// Recompute scores at each end of day (false: scores stay as drawn).
    #[serde(default = "default_true")]
    pub update: bool,
    /// The score, in points, that stands for `base_odds`.
    #[serde(default = "default_base_score")]
    pub base_score: f64,
    /// Good:bad odds at `base_score`.
    #[serde(default = "default_base_odds")]
    pub base_odds: f64,
    /// Points to double the odds.
    #[serde(default = "default_pdo")]
    pub pdo: f64,
    /// Log-odds weights; absent ones take the scorecard's defaults.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub income_band: Option<f64>,
    /// Weight of tenure, log-odds per unit of ln(1 + days as a customer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenure: Option<f64>,
    /// Weight of each failed sale, in log-odds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed_sales: Option<f64>,
    /// Weight of the cancel ratio (cancels / max(orders, 1)), in log-odds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel_ratio: Option<f64>,
    /// Weight of the rejection ratio (rejections / max(orders, 1)), in log-odds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejection_ratio: Option<f64>,
    /// A scorecard fitted on the run's own history (`[credit.fit]`), which
    /// replaces the fixed weights from its first fit on; absent: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fit: Option<CreditFit>,
}

/// `[credit.fit]`: refit a weight-of-evidence logistic scorecard on the
/// simulated history every `refit_days`, the target a failed sale within
/// `horizon_days` (see `credit::refit`).
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CreditFit {
    /// Business days over which a failed sale makes a customer bad.
    #[serde(default = "default_fit_days")]
    pub horizon_days: u32,
    /// Business days between refits.
    #[serde(default = "default_fit_days")]
    pub refit_days: u32,
    /// Business day (from 0) of the first refit; absent: `horizon_days`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_fit_day: Option<u32>,
    /// Quantile bins per feature, at most.
    #[serde(default = "default_fit_bins")]
    pub bins: u32,
    /// Laplace pseudo-count added to each bin's goods and bads.
    #[serde(default = "default_fit_alpha")]
    pub alpha: f64,
    /// Ridge penalty on the coefficients of the logistic fit.
    #[serde(default = "default_fit_ridge")]
    pub ridge: f64,
    /// How a new model's log-odds are put on the score scale.
    #[serde(default)]
    pub alignment: Alignment,
}

/// How a refitted scorecard's log-odds become points.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Alignment {
    /// Shifted so the customers' mean score at the refit is the mean of the
    /// scores in force just before it: the model ranks customers and spreads
    /// them by `pdo`, but a new target's base rate does not move every score
    /// past the products' `min_credit_score` at once.
    #[default]
    Mean,
    /// At face value: the model's odds of avoiding a failed sale within
    /// `horizon_days`, scaled by `base_score`, `base_odds` and `pdo`.
    None,
}

fn default_fit_days() -> u32 {
    5
}
fn default_fit_bins() -> u32 {
    10
}
fn default_fit_alpha() -> f64 {
    0.5
}
fn default_fit_ridge() -> f64 {
    1.0
}

impl CreditFit {
    /// The business day of the first refit.
    pub fn first_fit_day(&self) -> u32 {
        self.first_fit_day.unwrap_or(self.horizon_days)
    }
}

fn default_true() -> bool {
    true
}
fn default_base_score() -> f64 {
    600.0
}
fn default_base_odds() -> f64 {
    50.0
}
fn default_pdo() -> f64 {
    20.0
}

impl Default for Credit {
    fn default() -> Self {
        Credit {
            update: true,
            base_score: 600.0,
            base_odds: 50.0,
            pdo: 20.0,
            income_band: None,
            tenure: None,
            failed_sales: None,
            cancel_ratio: None,
            rejection_ratio: None,
            fit: None,
        }
    }
}

/// Settings of the measurements: rolling correlations, lags, stylized facts
/// and the risk report.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsSpec {
    /// Windows in the rolling correlation of success with volume (K).
    #[serde(default = "default_rolling_windows")]
    pub rolling_windows: i64,
    /// Largest lag, in windows, of the cross-correlation of success with volume (L).
    #[serde(default = "default_max_lag")]
    pub max_lag: i64,
    /// Grid on which mid prices are sampled for the stylized facts.
    #[serde(default = "default_return_step")]
    pub return_step: Duration,
    /// Share of the largest absolute returns the Hill tail index uses.
    #[serde(default = "default_tail_fraction")]
    pub tail_fraction: f64,
    /// Robust z-score above which a customer is reported as abnormal.
    #[serde(default = "default_risk_threshold")]
    pub risk_threshold: f64,
}

fn default_rolling_windows() -> i64 {
    12
}
fn default_max_lag() -> i64 {
    6
}
fn default_return_step() -> Duration {
    Duration(60_000_000_000)
}
fn default_tail_fraction() -> f64 {
    0.05
}
fn default_risk_threshold() -> f64 {
    3.5
}

impl Default for MetricsSpec {
    fn default() -> Self {
        MetricsSpec {
            rolling_windows: default_rolling_windows(),
            max_lag: default_max_lag(),
            return_step: default_return_step(),
            tail_fraction: default_tail_fraction(),
            risk_threshold: default_risk_threshold(),
        }
    }
}

/// What a scripted event changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventTarget {
    /// The bank loan rate.
    LoanRate,
    /// The bank deposit rate.
    DepositRate,
    /// The price level.
    PriceLevel,
    /// The international shock.
    Shock,
    /// A product's minimum credit score (`product`, or every product).
    MinCreditScore,
    /// The `herding` parameter of herd-following groups (`group`, or all of them).
    Herding,
    /// The `active_share` of macro-driven groups (`group`, or all of them).
    MacroActiveShare,
    /// The excess sale intensity of groups with `sale_excitation` (`group`,
    /// or all of them), in sale wake-ups per second: a rumour that sets off
    /// a run of sale applications, which then excite more of their own.
    SalePanic,
    /// The live parameter `param` of the groups whose family declares it
    /// (`group`, or all of them): how a scenario scripts a change of a
    /// library user's behaviour, as `herding` and `macro_active_share` do
    /// for two built-in ones.
    GroupParam,
}

impl EventTarget {
    /// The live group parameter the target changes, for targets that
    /// change a fixed one (`herding` → `herding`, `macro_active_share` →
    /// `active_share`); `group_param` names its own in the event
    /// ([`ScriptedEvent::live_param`]).
    pub fn group_param(self) -> Option<&'static str> {
        match self {
            EventTarget::Herding => Some("herding"),
            EventTarget::MacroActiveShare => Some("active_share"),
            _ => None,
        }
    }

    /// The target's name in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            EventTarget::LoanRate => "loan_rate",
            EventTarget::DepositRate => "deposit_rate",
            EventTarget::PriceLevel => "price_level",
            EventTarget::Shock => "shock",
            EventTarget::MinCreditScore => "min_credit_score",
            EventTarget::Herding => "herding",
            EventTarget::MacroActiveShare => "macro_active_share",
            EventTarget::SalePanic => "sale_panic",
            EventTarget::GroupParam => "group_param",
        }
    }
}

/// A change at a given moment: `change` is added to the current value, or
/// `value` replaces it.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptedEvent {
    /// When the change applies.
    pub at: DayTime,
    /// What it changes.
    pub target: EventTarget,
    /// Added to the current value (give exactly one of `change` and `value`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<f64>,
    /// Replaces the current value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// The product whose `min_credit_score` changes (only with that target;
    /// absent: every product).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    /// Index of an `[[agents]]` group (0 = the first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<i64>,
    /// The live parameter that target `group_param` changes: one its
    /// groups' family declares (`Behaviour::LIVE_PARAMS`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub param: Option<String>,
}

impl ScriptedEvent {
    /// The name of the live group parameter the event changes, for targets
    /// that change one (`herding`, `macro_active_share`, `group_param`).
    pub fn live_param(&self) -> Option<&str> {
        match self.target {
            EventTarget::GroupParam => self.param.as_deref(),
            t => t.group_param(),
        }
    }
}

/// `[[agents]]`: a group of customers of one behavioural family, with how they
/// wake and what they start with.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AgentGroup {
    /// The behaviour's name in the registry (`zero_intelligence`, `rational`,
    /// `herding`, `macro`, `market_maker`, or a library user's own).
    pub family: String,
    /// Customers in the group.
    pub count: i64,
    /// How the group's members wake up.
    pub arrival: Arrival,
    /// Sales that excite sales: besides `arrival`, members wake to sell at an
    /// intensity that every customer's sale application raises (absent: never).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sale_excitation: Option<SaleExcitation>,
    /// Opening cash of each customer, in currency.
    pub budget: Distribution,
    /// Each customer's credit score at the start, in points (0–1000).
    #[serde(default = "default_credit_score")]
    pub credit_score: Distribution,
    /// Lots of each traded product held at the start, drawn separately for each
    /// product.
    #[serde(default = "default_initial_lots")]
    pub initial_lots: Distribution,
    /// Income band 1 (lowest) to 5, a credit-score feature.
    #[serde(default = "default_income_band")]
    pub income_band: Distribution,
    /// Days a customer has been with the platform at the start, a credit-score feature.
    #[serde(default = "default_tenure_days")]
    pub tenure_days: Distribution,
    /// Products this group trades (ids); all products when absent.
    #[serde(default)]
    pub products: Option<Vec<String>>,
    /// Plants the group's members as abusive customers of this kind: they
    /// decide by the abuse's behaviour (configured by `params`) while the
    /// platform files them, and the risk report compares them, under
    /// `family`. Their ids are the ground truth the report's precision and
    /// recall are measured against. Absent: ordinary customers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abuse: Option<Abuse>,
    /// The behaviour's parameters; the family's own typed parameters (the
    /// abuse's, for a planted group) check and fill them in (see
    /// `crate::agents::ParamSet`).
    #[serde(default)]
    pub params: toml::Table,
}

impl AgentGroup {
    /// The name of the behaviour that decides for the group's members: the
    /// abuse's for a planted group, else the family's.
    pub fn behaviour(&self) -> &str {
        match self.abuse {
            Some(abuse) => abuse.name(),
            None => &self.family,
        }
    }
}

/// A kind of planted abuse (`[[agents]] abuse = "..."`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Abuse {
    /// Wash trading: trades with itself, with no change of position.
    Wash,
    /// Spoofing: large orders at the touch withdrawn within seconds, small
    /// genuine orders on the other side.
    Spoof,
    /// Churning: many small round trips, each lot sold as soon as T+1 allows.
    Churn,
}

impl Abuse {
    /// Every kind, in the order reports list them.
    pub const ALL: [Abuse; 3] = [Abuse::Wash, Abuse::Spoof, Abuse::Churn];

    /// The kind as a scenario spells it, and its behaviour's name.
    pub fn name(self) -> &'static str {
        match self {
            Abuse::Wash => "wash",
            Abuse::Spoof => "spoof",
            Abuse::Churn => "churn",
        }
    }
}

fn default_credit_score() -> Distribution {
    Distribution::fixed(650.0)
}
fn default_initial_lots() -> Distribution {
    Distribution::fixed(0.0)
}
fn default_income_band() -> Distribution {
    Distribution::fixed(3.0)
}
fn default_tenure_days() -> Distribution {
    Distribution::fixed(365.0)
}

/// Which orders a product's minimum credit score applies to.
///
/// A platform vets who may *buy* (subscribe): the score stands for the risk
/// that a customer cannot carry what it buys. It never stops a holder from
/// selling, which is what a customer in trouble needs to do; `all` exists
/// for a scenario that wants to study that artefact.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CreditGate {
    /// Buys only (the default).
    #[default]
    Subscriptions,
    /// Buys and sales alike.
    All,
}

/// How a group's members wake up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ArrivalProcess {
    /// Each agent wakes at exponential gaps.
    Poisson,
    /// The group's wake-ups form one self-exciting process (Hawkes 1971):
    /// each wakes a member drawn at random.
    Hawkes,
}

/// `arrival`: how often a group's members wake up to decide.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Arrival {
    /// Poisson or Hawkes; it decides which rate fields are needed.
    pub process: ArrivalProcess,
    /// Poisson: wake-ups per agent per hour of session time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<f64>,
    /// Hawkes: baseline wake-ups per agent per hour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mu: Option<f64>,
    /// Hawkes: jump of the group's intensity at each wake-up, per second.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alpha: Option<f64>,
    /// Hawkes: decay rate of the excitation, per second.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub beta: Option<f64>,
}

impl Arrival {
    /// Mean wake-ups per agent per hour.
    pub fn mean_rate(&self) -> f64 {
        match self.process {
            ArrivalProcess::Poisson => self.rate.unwrap_or(0.0),
            ArrivalProcess::Hawkes => {
                let n = self.alpha.unwrap_or(0.0) / self.beta.unwrap_or(1.0);
                self.mu.unwrap_or(0.0) / (1.0 - n)
            }
        }
    }
}

/// `sale_excitation`: a self-exciting stream of sale wake-ups, one side of a
/// marked Hawkes process (Hawkes 1971; per-side kernels as in Bacry, Mastromatteo
/// and Muzy, "Hawkes processes in finance", *Market Microstructure and
/// Liquidity* 1, 2015). Its intensity is the sum over past customer sale
/// applications of `alpha · e^(−beta·age)`: sales excite sales, buys excite
/// nothing. It has no baseline; scripted `sale_panic` events add to it.
#[derive(Clone, Copy, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SaleExcitation {
    /// Jump of the group's sale wake-up intensity at each customer sale
    /// application, in wake-ups per second.
    pub alpha: f64,
    /// Decay rate of the excitation, per second (1/beta is its memory).
    pub beta: f64,
}

/// Which law a [`Distribution`] draws from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DistKind {
    /// Always `value`.
    Fixed,
    /// Uniform on [`min`, `max`].
    Uniform,
    /// Normal with `mean` and `sd`.
    Normal,
    /// Log-normal with `median` and `sigma` (the standard deviation of the log).
    Lognormal,
}

/// A one-dimensional distribution; which fields it needs depends on `dist`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Distribution {
    /// Which law; it decides which other fields are needed.
    pub dist: DistKind,
    /// The value of a `fixed` distribution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// Lower end of a `uniform` distribution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Upper end of a `uniform` distribution (≥ `min`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// Mean of a `normal` distribution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mean: Option<f64>,
    /// Standard deviation of a `normal` distribution (≥ 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sd: Option<f64>,
    /// Median of a `lognormal` distribution (> 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub median: Option<f64>,
    /// Standard deviation of the logarithm of a `lognormal` distribution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sigma: Option<f64>,
}

impl Distribution {
    /// A distribution that always gives `value` (how the defaults are written).
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
