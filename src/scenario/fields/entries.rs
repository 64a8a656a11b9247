//! The entries of the field reference: one [`Field`] per scenario field,
//! in the order `tplus help scenario` lists them, and [`FIELDS`], the table
//! of them all. Validation names the entries it checks against
//! (`fields::P_NAV`, …).

use super::{Field, LEVEL, LEVEL_ACCEPTED, RATE, RATE_ACCEPTED, Range, Span, Type, field, names};
use crate::scenario::schema::{
    Abuse, Alignment, ArrivalProcess, CreditGate, EventTarget, LevelModelKind, RateModelKind,
};
use crate::scenario::time::Date;
use Range::{Int, Real};
use Type::*;

const SECOND: i64 = 1_000_000_000;

// The entries, one per field, which validation reads by name (`fd::SIM_DAYS`).

// [simulation]
pub(in crate::scenario) const SIM_NAME: Field = field(
    "simulation.name",
    Text,
    "",
    Range::Rule,
    "1–64 characters from A–Z, a–z, 0–9, `_`, `-`, `.` (not starting with `.`)",
    "Names the results folder (results/<name>/…).",
);
pub(in crate::scenario) const SIM_SEED: Field = field(
    "simulation.seed",
    Integer,
    "",
    Range::Rule,
    "a whole number from 0 to 18446744073709551615",
    "Seed of every random stream (`tplus run --seed` overrides it).",
);
pub(in crate::scenario) const SIM_START_DATE: Field = field(
    "simulation.start_date",
    Type::Date,
    "",
    Range::Rule,
    Date::ACCEPTED,
    "First calendar day; the simulation clock is 0 at 00:00 of this date.",
);
pub(in crate::scenario) const SIM_DAYS: Field = field(
    "simulation.days",
    Integer,
    "business days",
    Int(1, 10_000),
    "a whole number of business days from 1 to 10000",
    "Business days to simulate (weekends and holidays do not count).",
);
pub(in crate::scenario) const SIM_OPEN: Field = field(
    "simulation.open",
    Type::TimeOfDay,
    "",
    Range::Rule,
    "a time of day earlier than close",
    "Session open, each business day.",
);
pub(in crate::scenario) const SIM_CLOSE: Field = field(
    "simulation.close",
    Type::TimeOfDay,
    "",
    Range::Rule,
    "a close time later than the open time on the same day",
    "Session close, each business day.",
);
pub(in crate::scenario) const SIM_HOLIDAYS: Field = field(
    "simulation.holidays",
    Array,
    "",
    Range::Rule,
    "an array of dates, each once, e.g. [2026-01-01]",
    "Dates that do not trade (weekends never trade).",
);
pub(in crate::scenario) const SIM_WINDOW: Field = field(
    "simulation.window",
    Type::Duration,
    "",
    Range::Duration(Span::At(SECOND), Span::Session),
    "a window from \"1s\" to the session length, e.g. \"5m\"",
    "Length of a metrics window (a row of metrics.csv); the last window of a day may be shorter.",
);
pub(in crate::scenario) const SIM_MIN_LATENCY: Field = field(
    "simulation.min_latency",
    Type::Duration,
    "",
    Range::Duration(Span::At(1), Span::At(60 * SECOND)),
    "a duration above 0 and at most \"1m\", e.g. \"50ms\"",
    "Least time an order or cancel takes to reach the platform; also the lookahead of the parallel engine.",
);
pub(in crate::scenario) const SIM_LATENCY_JITTER: Field = field(
    "simulation.latency_jitter",
    Type::Duration,
    "",
    Range::Duration(Span::At(0), Span::At(60 * SECOND)),
    "a duration from \"0s\" to \"1m\"",
    "Mean of the exponential delay added to min_latency for each message (the actions of one wake-up travel together).",
);

// [[product]]
pub(in crate::scenario) const P_ID: Field = field(
    "product.id",
    Text,
    "",
    Range::Rule,
    "1–32 letters, digits, `_`, `-`, `.`",
    "Unique product id used in the outputs.",
);
pub(in crate::scenario) const P_NAV: Field = field(
    "product.nav",
    Number,
    "currency per unit",
    Real(1e-6, 1e9),
    "a net asset value above 0 and at most 1e9, e.g. 1.0",
    "Net asset value at the start.",
);
pub(in crate::scenario) const P_ANNUAL_YIELD: Field = field(
    "product.annual_yield",
    Number,
    "fraction a year",
    Real(-0.5, 1.0),
    "an annual yield as a fraction between -0.5 and 1 (0.025 = 2.5%)",
    "NAV on a business day is nav × (1 + annual_yield × calendar days since start_date / 365).",
);
pub(in crate::scenario) const P_TICK_SIZE: Field = field(
    "product.tick_size",
    Number,
    "currency",
    Real(1e-6, 1e6),
    "a positive tick size, at most 1e6 and a whole number of 0.000001, e.g. 0.0001",
    "Price grid step; a whole number of micros that divides nav.",
);
pub(in crate::scenario) const P_LOT_SIZE: Field = field(
    "product.lot_size",
    Integer,
    "units per lot",
    Int(1, 1_000_000),
    "a whole number of units per lot from 1 to 1000000",
    "Units per lot; all quantities are in lots.",
);
pub(in crate::scenario) const P_TERM_DAYS: Field = field(
    "product.term_days",
    Integer,
    "calendar days",
    Int(1, 3650),
    "a term in calendar days from 1 to 3650",
    "Calendar days until a holding matures and is redeemed at NAV.",
);
pub(in crate::scenario) const P_HOLDING_LIMIT_DAYS: Field = field(
    "product.holding_limit_days",
    Integer,
    "business days",
    Int(1, 250),
    "a holding limit in business days from 1 to 250",
    "Business days a holding may be sold in before the platform redeems it at a penalty (a failed sale).",
);
pub(in crate::scenario) const P_MIN_CREDIT_SCORE: Field = field(
    "product.min_credit_score",
    Number,
    "points (0–1000)",
    Real(0.0, 1000.0),
    "a score from 0 to 1000",
    "Orders of customers scoring below this are rejected: subscriptions (buys) only, unless credit_gate says otherwise.",
);
pub(in crate::scenario) const P_CREDIT_GATE: Field = field(
    "product.credit_gate",
    Name(names::<CreditGate>),
    "",
    Range::Rule,
    "\"subscriptions\" (buys only) or \"all\" (buys and sales)",
    "Which orders the credit score vets.",
);
pub(in crate::scenario) const P_MATCHING: Field = field(
    "product.matching",
    Name(names::<crate::book::MatchingRule>),
    "",
    Range::Rule,
    "the name of a matching rule",
    "How the product's book ranks the orders resting at one price.",
);
pub(in crate::scenario) const P_REDEMPTION_PENALTY: Field = field(
    "product.redemption_penalty",
    Number,
    "fraction of NAV",
    Real(0.0, 0.99),
    "a fraction of NAV from 0 to 0.99",
    "Fraction of NAV cut when the platform redeems at the holding limit.",
);
pub(in crate::scenario) const P_PRICE_BAND: Field = field(
    "product.price_band",
    Number,
    "fraction of NAV",
    Real(1e-6, 0.5),
    "a fraction of NAV above 0 and at most 0.5, e.g. 0.02",
    "Limit prices must lie within NAV × (1 ± price_band); the band must hold at least one tick.",
);
pub(in crate::scenario) const P_MAX_ORDER_LOTS: Field = field(
    "product.max_order_lots",
    Integer,
    "lots",
    Int(1, 100_000_000),
    "a whole number of lots from 1 to 100000000",
    "Largest order; larger orders are rejected.",
);
pub(in crate::scenario) const P_PRIMARY_SUPPLY_LOTS: Field = field(
    "product.primary_supply_lots",
    Integer,
    "lots a day",
    Int(0, 1_000_000_000),
    "a whole number of lots from 0 to 1000000000",
    "The primary market's subscription quota: lots the issuer sells at the day's NAV, rounded up to a tick, each day until sold out or the close, paced by primary_pacing.",
);
pub(in crate::scenario) const P_REDEMPTION_QUOTA_LOTS: Field = field(
    "product.redemption_quota_lots",
    Integer,
    "lots a day",
    Int(0, 1_000_000_000),
    "a whole number of lots from 0 to 1000000000",
    "The primary market's redemption quota: lots the issuer buys back at the day's NAV, rounded down to a tick, each day until used up or the close.",
);
pub(in crate::scenario) const P_PRIMARY_PACING: Field = field(
    "product.primary_pacing",
    Type::Duration,
    "",
    Range::Duration(Span::At(SECOND), Span::At(86_400 * SECOND)),
    "a duration from \"1s\" to \"24h\", e.g. \"1m\" (the session's length or more: the whole quota at the open)",
    "How the issuer paces its daily quotas: every this long it offers what is left of each quota divided by the intervals left in the session.",
);

// [macro]
pub(in crate::scenario) const M_RATE_MODEL: Field = field(
    "macro.loan_rate.model",
    Name(names::<RateModelKind>),
    "",
    Range::Rule,
    "\"fixed\" (value), \"vasicek\" or \"cir\" (value, kappa, theta, sigma), \"path\" (points)",
    "Which model moves the rate; it decides which other fields are needed.",
);
pub(in crate::scenario) const M_RATE_VALUE: Field = field(
    "macro.loan_rate.value",
    Number,
    "fraction a year",
    RATE,
    RATE_ACCEPTED,
    "The fixed rate, or the starting value of a process. The loan rate is the alternative use of money macro-driven customers weigh.",
)
.absent("0.0435 when [macro] leaves loan_rate out; required in a loan_rate table of any model but \"path\"");
pub(in crate::scenario) const M_RATE_KAPPA: Field = field(
    "macro.loan_rate.kappa",
    Number,
    "per year",
    Real(1e-6, 1000.0),
    "a speed of mean reversion per year, above 0 and at most 1000",
    "Speed of mean reversion (vasicek, cir).",
)
.absent("required with model = \"vasicek\" or \"cir\"");
pub(in crate::scenario) const M_RATE_THETA: Field = field(
    "macro.loan_rate.theta",
    Number,
    "fraction a year",
    RATE,
    RATE_ACCEPTED,
    "Long-run mean (vasicek, cir; above 0 for cir).",
)
.absent("required with model = \"vasicek\" or \"cir\"");
pub(in crate::scenario) const M_RATE_SIGMA: Field = field(
    "macro.loan_rate.sigma",
    Number,
    "per square-root year",
    Real(0.0, 10.0),
    "a volatility per square-root year from 0 to 10",
    "Volatility (vasicek, cir; cir needs 2·kappa·theta ≥ sigma²).",
)
.absent("required with model = \"vasicek\" or \"cir\"");
pub(in crate::scenario) const M_RATE_POINTS: Field = field(
    "macro.loan_rate.points",
    Array,
    "",
    RATE,
    "points in time order, days within the run, each value an annual rate between -0.05 and 1",
    "The step path's points (path only): [{ at = \"day 1 09:30\", value = 0.0435 }, …].",
)
.absent("required with model = \"path\"");
pub(in crate::scenario) const M_DEPOSIT_MODEL: Field = Field { path: "macro.deposit_rate.model", ..M_RATE_MODEL };
pub(in crate::scenario) const M_DEPOSIT_VALUE: Field = Field {
    path: "macro.deposit_rate.value",
    meaning: "The fixed rate, or the starting value of a process: what customers earn on cash left in the bank.",
    absent: Some(
        "0.015 when [macro] leaves deposit_rate out; required in a deposit_rate table of any model but \"path\"",
    ),
    ..M_RATE_VALUE
};
pub(in crate::scenario) const M_DEPOSIT_KAPPA: Field = Field { path: "macro.deposit_rate.kappa", ..M_RATE_KAPPA };
pub(in crate::scenario) const M_DEPOSIT_THETA: Field = Field { path: "macro.deposit_rate.theta", ..M_RATE_THETA };
pub(in crate::scenario) const M_DEPOSIT_SIGMA: Field = Field { path: "macro.deposit_rate.sigma", ..M_RATE_SIGMA };
pub(in crate::scenario) const M_DEPOSIT_POINTS: Field = Field { path: "macro.deposit_rate.points", ..M_RATE_POINTS };
pub(in crate::scenario) const M_LEVEL_MODEL: Field = field(
    "macro.price_level.model",
    Name(names::<LevelModelKind>),
    "",
    Range::Rule,
    "\"fixed\" (value), \"gbm\" (value, inflation, sigma), \"path\" (points)",
    "Which model moves the price level (an inflation index).",
);
pub(in crate::scenario) const M_LEVEL_VALUE: Field =
    field("macro.price_level.value", Number, "index", LEVEL, LEVEL_ACCEPTED, "The fixed or starting level.");
pub(in crate::scenario) const M_LEVEL_REFERENCE: Field = field(
    "macro.price_level.reference",
    Number,
    "index",
    LEVEL,
    LEVEL_ACCEPTED,
    "The level customers consider normal; deviation = ln(level / reference).",
)
.absent("the starting level");
pub(in crate::scenario) const M_LEVEL_INFLATION: Field = field(
    "macro.price_level.inflation",
    Number,
    "fraction a year",
    Real(-0.5, 10.0),
    "an annual inflation rate as a fraction from -0.5 to 10",
    "Annual inflation, the drift of the log level (gbm).",
)
.absent("required with model = \"gbm\"");
pub(in crate::scenario) const M_LEVEL_SIGMA: Field = field(
    "macro.price_level.sigma",
    Number,
    "per square-root year",
    Real(0.0, 5.0),
    "a volatility per square-root year from 0 to 5",
    "Volatility of ln(level) (gbm).",
)
.absent("required with model = \"gbm\"");
pub(in crate::scenario) const M_LEVEL_POINTS: Field = field(
    "macro.price_level.points",
    Array,
    "",
    LEVEL,
    "points in time order, days within the run, each value a price level above 0 and at most 1e9",
    "The step path's points (path only): [{ at = \"day 1 09:30\", value = 100.0 }, …].",
)
.absent("required with model = \"path\"");
pub(in crate::scenario) const M_SHOCK_RATE: Field = field(
    "macro.shock.rate",
    Number,
    "jumps per calendar day",
    Real(0.0, 1000.0),
    "jumps per calendar day, from 0 to 1000",
    "International shocks arrive as a Poisson process at this rate; each jump decays exponentially.",
);
pub(in crate::scenario) const M_SHOCK_MEAN: Field = field(
    "macro.shock.mean",
    Number,
    "shock units",
    Real(-100.0, 100.0),
    "a mean jump size from -100 to 100",
    "Mean jump size (what the macro family's shock_sensitivity multiplies).",
);
pub(in crate::scenario) const M_SHOCK_SD: Field = field(
    "macro.shock.sd",
    Number,
    "shock units",
    Real(0.0, 100.0),
    "a jump-size standard deviation from 0 to 100",
    "Standard deviation of the (normal) jump size.",
);
pub(in crate::scenario) const M_SHOCK_DECAY: Field = field(
    "macro.shock.decay",
    Type::Duration,
    "",
    Range::Duration(Span::At(1), Span::Unbounded),
    "a duration above 0, e.g. \"2d\"",
    "Mean lifetime of a jump (e-folding time).",
);

// [credit]
pub(in crate::scenario) const C_UPDATE: Field = field(
    "credit.update",
    Bool,
    "",
    Range::Rule,
    "true or false",
    "Recompute scores at each end of day (false: scores stay as drawn).",
);
pub(in crate::scenario) const C_BASE_SCORE: Field = field(
    "credit.base_score",
    Number,
    "points",
    Real(0.0, 1000.0),
    "a score from 0 to 1000",
    "The score that stands for base_odds.",
);
pub(in crate::scenario) const C_BASE_ODDS: Field = field(
    "credit.base_odds",
    Number,
    "good:bad odds",
    Real(1e-6, 1e6),
    "good:bad odds above 0 and at most 1e6, e.g. 50",
    "Good:bad odds at base_score.",
);
pub(in crate::scenario) const C_PDO: Field = field(
    "credit.pdo",
    Number,
    "points",
    Real(1e-3, 1000.0),
    "points to double the odds, above 0 and at most 1000, e.g. 20",
    "Points to double the odds.",
);
const WEIGHT: Range = Real(-100.0, 100.0);
const WEIGHT_ACCEPTED: &str = "a log-odds weight from -100 to 100";
pub(in crate::scenario) const C_INCOME_BAND: Field = field(
    "credit.income_band",
    Number,
    "log-odds per band",
    WEIGHT,
    WEIGHT_ACCEPTED,
    "Weight of the income band (1–5) in the scorecard.",
)
.absent("0.25, the scorecard's default weight");
pub(in crate::scenario) const C_TENURE: Field = field(
    "credit.tenure",
    Number,
    "log-odds per unit of ln(1 + days)",
    WEIGHT,
    WEIGHT_ACCEPTED,
    "Weight of tenure (days as a customer).",
)
.absent("0.15, the scorecard's default weight");
pub(in crate::scenario) const C_FAILED_SALES: Field = field(
    "credit.failed_sales",
    Number,
    "log-odds per failed sale",
    WEIGHT,
    WEIGHT_ACCEPTED,
    "Weight of each failed sale.",
)
.absent("-0.35, the scorecard's default weight");
pub(in crate::scenario) const C_CANCEL_RATIO: Field = field(
    "credit.cancel_ratio",
    Number,
    "log-odds",
    WEIGHT,
    WEIGHT_ACCEPTED,
    "Weight of the cancel ratio (cancels / max(orders, 1)).",
)
.absent("-1.0, the scorecard's default weight");
pub(in crate::scenario) const C_REJECTION_RATIO: Field = field(
    "credit.rejection_ratio",
    Number,
    "log-odds",
    WEIGHT,
    WEIGHT_ACCEPTED,
    "Weight of the rejection ratio (rejections / max(orders, 1)).",
)
.absent("-0.7, the scorecard's default weight");
const FIT_DAYS: Range = Int(1, 250);
const FIT_DAYS_ACCEPTED: &str = "whole business days from 1 to 250";
pub(in crate::scenario) const C_FIT_HORIZON: Field = field(
    "credit.fit.horizon_days",
    Integer,
    "business days",
    FIT_DAYS,
    FIT_DAYS_ACCEPTED,
    "A failed sale within this many days makes a customer bad (the fitted scorecard's target).",
);
pub(in crate::scenario) const C_FIT_REFIT: Field = field(
    "credit.fit.refit_days",
    Integer,
    "business days",
    FIT_DAYS,
    FIT_DAYS_ACCEPTED,
    "Business days between refits.",
);
pub(in crate::scenario) const C_FIT_FIRST: Field = field(
    "credit.fit.first_fit_day",
    Integer,
    "business day (from 0)",
    Range::Rule,
    "a business day from horizon_days (the first with a labelled sample) to 10000",
    "Business day of the first refit.",
)
.absent("horizon_days");
pub(in crate::scenario) const C_FIT_BINS: Field = field(
    "credit.fit.bins",
    Integer,
    "bins per feature",
    Int(2, 100),
    "from 2 to 100 bins per feature, e.g. 10",
    "Quantile bins per feature, at most.",
);
pub(in crate::scenario) const C_FIT_ALPHA: Field = field(
    "credit.fit.alpha",
    Number,
    "pseudo-count",
    Real(1e-6, 1000.0),
    "a pseudo-count above 0 and at most 1000, e.g. 0.5",
    "Laplace pseudo-count added to each bin's goods and bads.",
);
pub(in crate::scenario) const C_FIT_RIDGE: Field = field(
    "credit.fit.ridge",
    Number,
    "",
    Real(1e-9, 1e6),
    "a ridge penalty above 0 and at most 1e6, e.g. 1",
    "Ridge penalty on the coefficients of the logistic fit.",
);
pub(in crate::scenario) const C_FIT_ALIGNMENT: Field = field(
    "credit.fit.alignment",
    Name(names::<Alignment>),
    "",
    Range::Rule,
    "\"mean\" (the customers' mean score kept at a refit) or \"none\" (at face value)",
    "How a new model's log-odds are put on the score scale.",
);

// [metrics]
pub(in crate::scenario) const X_ROLLING: Field = field(
    "metrics.rolling_windows",
    Integer,
    "windows",
    Int(3, 10_000),
    "a whole number of windows from 3 to 10000",
    "Windows in the rolling correlation of success with volume (K).",
);
pub(in crate::scenario) const X_MAX_LAG: Field = field(
    "metrics.max_lag",
    Integer,
    "windows",
    Int(0, 1000),
    "a whole number of windows from 0 to 1000",
    "Largest lag of the cross-correlation of success with volume (L).",
);
pub(in crate::scenario) const X_RETURN_STEP: Field = field(
    "metrics.return_step",
    Type::Duration,
    "",
    Range::Duration(Span::At(SECOND), Span::QuarterSession),
    "a duration from \"1s\" to a quarter of the session, e.g. \"1m\"",
    "Grid on which mid prices are sampled for the stylized facts.",
);
pub(in crate::scenario) const X_TAIL: Field = field(
    "metrics.tail_fraction",
    Number,
    "share",
    Real(0.001, 0.5),
    "a share from 0.001 to 0.5, e.g. 0.05",
    "Share of the largest absolute returns the Hill tail index uses.",
);
pub(in crate::scenario) const X_RISK: Field = field(
    "metrics.risk_threshold",
    Number,
    "robust z-score",
    Real(0.5, 100.0),
    "a robust z-score from 0.5 to 100, e.g. 3.5",
    "Robust z-score above which a customer is reported as abnormal.",
);

// [[agents]]
pub(in crate::scenario) const A_FAMILY: Field = field(
    "agents.family",
    Text,
    "",
    Range::Rule,
    "the name of a behaviour family: zero_intelligence, rational, herding, macro, market_maker (or a library user's own)",
    "The behaviour of the group's customers; its parameters go in [agents.params] (`tplus help agents.params`).",
);
pub(in crate::scenario) const A_COUNT: Field = field(
    "agents.count",
    Integer,
    "customers",
    Int(1, 50_000_000),
    "a whole number of agents from 1 to 50000000",
    "Customers in the group (at most 50,000,000 in all groups together).",
);
pub(in crate::scenario) const A_ARRIVAL_PROCESS: Field = field(
    "agents.arrival.process",
    Name(names::<ArrivalProcess>),
    "",
    Range::Rule,
    "\"poisson\" with rate, or \"hawkes\" with mu, alpha and beta",
    "How the group's members wake up to decide: independent exponential gaps, or one self-exciting process for the group.",
);
pub(in crate::scenario) const A_ARRIVAL_RATE: Field = field(
    "agents.arrival.rate",
    Number,
    "wake-ups per agent per hour of session time",
    Real(1e-6, 360_000.0),
    "wake-ups per agent per hour, above 0 and at most 360000",
    "Poisson: how often each member wakes.",
)
.absent("required with process = \"poisson\"");
pub(in crate::scenario) const A_ARRIVAL_MU: Field = field(
    "agents.arrival.mu",
    Number,
    "wake-ups per agent per hour",
    Real(1e-6, 360_000.0),
    "baseline wake-ups per agent per hour, above 0 and at most 360000",
    "Hawkes: the baseline intensity.",
)
.absent("required with process = \"hawkes\"");
pub(in crate::scenario) const A_ARRIVAL_ALPHA: Field = field(
    "agents.arrival.alpha",
    Number,
    "per second",
    Real(0.0, 1e6),
    "a jump per second from 0 to 1e6",
    "Hawkes: jump of the group's intensity at each wake-up (alpha/beta must be below 1).",
)
.absent("required with process = \"hawkes\"");
pub(in crate::scenario) const A_ARRIVAL_BETA: Field = field(
    "agents.arrival.beta",
    Number,
    "per second",
    Real(1e-6, 1e6),
    "a decay rate per second above 0 and at most 1e6, e.g. 0.05 (a 20 s memory)",
    "Hawkes: decay rate of the excitation.",
)
.absent("required with process = \"hawkes\"");
pub(in crate::scenario) const A_SALE_ALPHA: Field = field(
    "agents.sale_excitation.alpha",
    Number,
    "wake-ups per second",
    Real(0.0, 1e6),
    "a jump of sale wake-ups per second from 0 to 1e6",
    "Jump of the group's sale wake-up intensity at each customer sale application (sum of alpha/beta over groups below 1).",
)
.absent("required in a sale_excitation table (no excitation without one)");
pub(in crate::scenario) const A_SALE_BETA: Field = field(
    "agents.sale_excitation.beta",
    Number,
    "per second",
    Real(1e-6, 1e6),
    "a decay rate per second above 0 and at most 1e6, e.g. 0.01 (a 100 s memory)",
    "Decay rate of the sale excitation (1/beta is its memory).",
)
.absent("required in a sale_excitation table (no excitation without one)");
pub(in crate::scenario) const A_BUDGET: Field = field(
    "agents.budget",
    Distribution,
    "currency",
    Real(0.0, crate::scenario::validate::MAX_BUDGET),
    "a budget in currency units from 0 to 100000000000",
    "Opening cash of each customer.",
);
pub(in crate::scenario) const A_CREDIT_SCORE: Field = field(
    "agents.credit_score",
    Distribution,
    "points",
    Real(0.0, 1000.0),
    "a credit score from 0 to 1000",
    "Each customer's credit score at the start.",
);
pub(in crate::scenario) const A_INITIAL_LOTS: Field = field(
    "agents.initial_lots",
    Distribution,
    "lots",
    Real(0.0, crate::scenario::validate::MAX_INITIAL_LOTS),
    "a number of lots from 0 to 100000000",
    "Lots of each traded product held at the start, drawn separately for each product.",
);
pub(in crate::scenario) const A_INCOME_BAND: Field = field(
    "agents.income_band",
    Distribution,
    "band",
    Real(1.0, 5.0),
    "an income band from 1 (lowest) to 5",
    "Income band, a credit-score feature.",
);
pub(in crate::scenario) const A_TENURE_DAYS: Field = field(
    "agents.tenure_days",
    Distribution,
    "days",
    Real(0.0, 36_500.0),
    "days with the platform from 0 to 36500",
    "Days a customer has been with the platform at the start, a credit-score feature.",
);
pub(in crate::scenario) const A_PRODUCTS: Field = field(
    "agents.products",
    Array,
    "",
    Range::Rule,
    "product ids from the [[product]] tables, or leave the field out for all",
    "Products this group trades.",
)
.absent("all products");
pub(in crate::scenario) const A_ABUSE: Field = field(
    "agents.abuse",
    Name(names::<Abuse>),
    "",
    Range::Rule,
    "\"wash\", \"spoof\" or \"churn\"",
    "Plants the group's members as abusive customers of this kind, filed under family; the risk report is scored against them.",
)
.absent("none: ordinary customers");
pub(in crate::scenario) const A_PARAMS: Field = field(
    "agents.params",
    Table,
    "",
    Range::Rule,
    "the parameters the group's family declares (`tplus help agents.params.NAME`)",
    "The behaviour's parameters; absent ones take the family's defaults.",
);

// [[events]]
pub(in crate::scenario) const E_AT: Field = field(
    "events.at",
    Type::DayTime,
    "",
    Range::Rule,
    "a business day from 1 to the run's days and a time before the last close",
    "When the change applies.",
)
.absent("required in each [[events]] table");
pub(in crate::scenario) const E_TARGET: Field = field(
    "events.target",
    Name(names::<EventTarget>),
    "",
    Range::Rule,
    "the name of what the event changes",
    "What the event changes.",
)
.absent("required in each [[events]] table");
pub(in crate::scenario) const E_CHANGE: Field = field(
    "events.change",
    Number,
    "the target's own",
    Range::Rule,
    "by target, below; give either change or value",
    "Added to the target's current value.",
)
.absent("give exactly one of change and value");
pub(in crate::scenario) const E_VALUE: Field = field(
    "events.value",
    Number,
    "the target's own",
    Range::Rule,
    "by target, below; give either change or value",
    "Replaces the target's current value.",
)
.absent("give exactly one of change and value");
pub(in crate::scenario) const E_PRODUCT: Field = field(
    "events.product",
    Text,
    "",
    Range::Rule,
    "a product id, only with target = \"min_credit_score\"",
    "The product whose min_credit_score changes.",
)
.absent("every product");
pub(in crate::scenario) const E_GROUP: Field = field(
    "events.group",
    Integer,
    "",
    Range::Rule,
    "the index (from 0) of a group the target changes, with target \"sale_panic\", \"herding\", \"macro_active_share\" or \"group_param\"",
    "The [[agents]] group the change applies to.",
)
.absent("every group the target changes");
pub(in crate::scenario) const E_PARAM: Field = field(
    "events.param",
    Text,
    "",
    Range::Rule,
    "the name of a live parameter of the group's family, only with target = \"group_param\"",
    "The live parameter a group_param event changes (`tplus help agents.params` marks the built-in families' live parameters).",
)
.absent("required with target = \"group_param\"");

/// Every field of the reference, in the order `tplus help scenario` lists them.
pub const FIELDS: &[Field] = &[
    SIM_NAME,
    SIM_SEED,
    SIM_START_DATE,
    SIM_DAYS,
    SIM_OPEN,
    SIM_CLOSE,
    SIM_HOLIDAYS,
    SIM_WINDOW,
    SIM_MIN_LATENCY,
    SIM_LATENCY_JITTER,
    P_ID,
    P_NAV,
    P_ANNUAL_YIELD,
    P_TICK_SIZE,
    P_LOT_SIZE,
    P_TERM_DAYS,
    P_HOLDING_LIMIT_DAYS,
    P_MIN_CREDIT_SCORE,
    P_CREDIT_GATE,
    P_MATCHING,
    P_REDEMPTION_PENALTY,
    P_PRICE_BAND,
    P_MAX_ORDER_LOTS,
    P_PRIMARY_SUPPLY_LOTS,
    P_REDEMPTION_QUOTA_LOTS,
    P_PRIMARY_PACING,
    M_RATE_MODEL,
    M_RATE_VALUE,
    M_RATE_KAPPA,
    M_RATE_THETA,
    M_RATE_SIGMA,
    M_RATE_POINTS,
    M_DEPOSIT_MODEL,
    M_DEPOSIT_VALUE,
    M_DEPOSIT_KAPPA,
    M_DEPOSIT_THETA,
    M_DEPOSIT_SIGMA,
    M_DEPOSIT_POINTS,
    M_LEVEL_MODEL,
    M_LEVEL_VALUE,
    M_LEVEL_REFERENCE,
    M_LEVEL_INFLATION,
    M_LEVEL_SIGMA,
    M_LEVEL_POINTS,
    M_SHOCK_RATE,
    M_SHOCK_MEAN,
    M_SHOCK_SD,
    M_SHOCK_DECAY,
    C_UPDATE,
    C_BASE_SCORE,
    C_BASE_ODDS,
    C_PDO,
    C_INCOME_BAND,
    C_TENURE,
    C_FAILED_SALES,
    C_CANCEL_RATIO,
    C_REJECTION_RATIO,
    C_FIT_HORIZON,
    C_FIT_REFIT,
    C_FIT_FIRST,
    C_FIT_BINS,
    C_FIT_ALPHA,
    C_FIT_RIDGE,
    C_FIT_ALIGNMENT,
    X_ROLLING,
    X_MAX_LAG,
    X_RETURN_STEP,
    X_TAIL,
    X_RISK,
    A_FAMILY,
    A_COUNT,
    A_ARRIVAL_PROCESS,
    A_ARRIVAL_RATE,
    A_ARRIVAL_MU,
    A_ARRIVAL_ALPHA,
    A_ARRIVAL_BETA,
    A_SALE_ALPHA,
    A_SALE_BETA,
    A_BUDGET,
    A_CREDIT_SCORE,
    A_INITIAL_LOTS,
    A_INCOME_BAND,
    A_TENURE_DAYS,
    A_PRODUCTS,
    A_ABUSE,
    A_PARAMS,
    E_AT,
    E_TARGET,
    E_CHANGE,
    E_VALUE,
    E_PRODUCT,
    E_GROUP,
    E_PARAM,
];
