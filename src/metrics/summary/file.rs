//! The types of `summary.json`: what the summary computes, as written and
//! as read back (the report reads the file through them).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::super::credit_fit::CreditFitSummary;
use super::super::risk::RiskSummary;
use super::super::stylized::StylizedFacts;

/// Customers' trades with the issuer's primary quotes, in lots.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Primary {
    /// Bought from the issuer at NAV (subscriptions).
    pub subscribed_lots: u64,
    /// Sold to the issuer at NAV (redemptions on demand: successful sales,
    /// unlike the penalised redemptions at the holding limit).
    pub redeemed_lots: u64,
}

/// `summary.json` as written and as read back: the scenario's name, the
/// run's seed, then the [`Summary`]. The report reads the file through this
/// type, so a figure the writer renames or drops cannot silently go missing
/// from the reader. Every part reads with defaults: a key missing from an
/// older run's file reads as 0 (a count) or undefined (a figure that may be
/// `null`), and keys this build does not know are ignored.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SummaryFile {
    /// The scenario's name (`simulation.name`).
    pub scenario: String,
    /// The run's seed.
    pub seed: u64,
    /// What the run measured.
    #[serde(flatten)]
    pub summary: Summary,
    /// The refitted scorecard's fits and tests: present only for a scenario
    /// with `[credit.fit]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credit_fit: Option<CreditFitSummary>,
}

/// What a run measured, for `summary.json`: per product, all products
/// together, the herding signature and the risk report.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Summary {
    /// Metrics windows of the run.
    pub windows: usize,
    /// One summary per product, in the scenario's order.
    pub products: Vec<ProductSummary>,
    /// All products together (product name `all`).
    pub all: ProductSummary,
    /// The herding signature of the run.
    pub herding: HerdingMeasures,
    /// The risk report's counts; not read back (the report draws nothing
    /// from it, and `risk.csv` is the risk report's own file).
    #[serde(skip_deserializing)]
    pub risk: RiskSummary,
}

impl Summary {
    /// The block of the product `id`.
    pub fn product(&self, id: &str) -> Option<&ProductSummary> {
        self.products.iter().find(|b| b.product == id)
    }
}

/// One product's run totals, success probabilities and correlations.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ProductSummary {
    /// The product's id from the scenario (`all` for every product together).
    pub product: String,
    /// Customers' orders: submitted, refused by reason and cancels.
    pub orders: OrderCounts,
    /// Subscriptions (buy side).
    pub subscriptions: SideSummary,
    /// Sales (sell side, failed sales at the holding limit included).
    pub sales: SideSummary,
    /// Lots traded.
    pub volume: u64,
    /// Trades (fills).
    pub trades: u64,
    /// Cash traded, in currency units.
    pub turnover: f64,
    /// Lots the platform redeemed at the holding limit (failed sales).
    pub redeemed_failed_lots: u64,
    /// Lots the platform redeemed at maturity, at NAV.
    pub matured_lots: u64,
    /// The primary market: what customers traded with the issuer at NAV,
    /// apart from the secondary book.
    pub primary: Primary,
    /// Correlations of success with volume, the loan rate and the price level,
    /// per window.
    pub correlation: Correlations,
    /// Stylized facts of the product's price series; None for `all`, which has no
    /// one price.
    /// Not read back: the report draws nothing from it.
    #[serde(skip_serializing_if = "Option::is_none", skip_deserializing)]
    pub stylized_facts: Option<StylizedFacts>,
}

/// Customers' orders over the run: submitted, refused and cancel requests.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct OrderCounts {
    /// Orders that reached the platform, both sides, refused ones included.
    pub submitted: u64,
    /// Buy orders that reached the platform.
    pub submitted_buy: u64,
    /// Sell orders that reached the platform.
    pub submitted_sell: u64,
    /// Orders refused on arrival, every reason.
    pub rejected: u64,
    /// Orders refused on arrival, by reason (`credit_score`, …).
    pub rejected_by_reason: BTreeMap<String, u64>,
    /// Cancels customers asked for.
    pub cancel_requests: u64,
    /// Cancels that found no order of the customer's under their handle: it
    /// had already filled, been cancelled or expired (or, from a user's
    /// behaviour, was never the customer's).
    pub cancels_too_late: u64,
}

/// One side's orders over the run: counts, success probability and fill ratio.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SideSummary {
    /// Orders that reached their final state.
    pub closed: u64,
    /// Of those, orders filled in their whole quantity.
    pub filled: u64,
    /// filled / closed; None when nothing closed.
    pub success_probability: Option<f64>,
    /// Wilson score interval at 95%: every order taken as an independent
    /// draw, so too narrow when neighbouring windows are alike.
    pub success_ci_95: Option<[f64; 2]>,
    /// The 95% interval of `success_probability` over the run's windows,
    /// allowing for their serial dependence (Newey–West, as
    /// [`crate::metrics::stats::serial_ratio_interval`] computes it); None
    /// with fewer than two windows or nothing closed. It is still one run's:
    /// what another seed gives is measured by replications.
    pub success_ci_95_serial: Option<[f64; 2]>,
    /// L, the last lag of the windows' autocovariances that
    /// `success_ci_95_serial` weighs.
    pub success_ci_95_serial_lags: Option<u64>,
    /// Lots the closed orders asked for.
    pub lots: u64,
    /// Lots of the closed orders that filled.
    pub lots_filled: u64,
    /// lots_filled / lots; None when no lots closed.
    pub fill_ratio: Option<f64>,
    /// Seconds from arrival to the last fill, over fully filled orders.
    pub mean_time_to_fill: Option<f64>,
    /// Of the closed orders, those the platform refused on arrival (a gate:
    /// credit score, cash, shares, price band, size, session closed).
    pub rejected: u64,
    /// closed − rejected: orders that reached the book (for sales, with the
    /// holdings redeemed at the limit, which count as failed sales).
    pub accepted: u64,
    /// filled / accepted: success once the gates are passed; None when
    /// nothing was accepted.
    pub accepted_success_probability: Option<f64>,
    /// Wilson score interval at 95% of `accepted_success_probability`.
    pub accepted_success_ci_95: Option<[f64; 2]>,
    /// The 95% interval of `accepted_success_probability` over the run's
    /// windows, allowing for their serial dependence, as
    /// `success_ci_95_serial` (the same lags) with each window's accepted
    /// orders in place of its closed ones.
    pub accepted_success_ci_95_serial: Option<[f64; 2]>,
    /// rejected / (closed − filled): the share of the side's failures that
    /// were refusals on arrival; None without failures.
    pub rejected_share_of_failures: Option<f64>,
}

/// Correlations of each side's window success with volume, the loan rate
/// and the price level, over windows.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Correlations {
    /// `sub_success` against `volume`.
    pub subscription_success_vs_volume: Correlation,
    /// `sale_success` against `volume`.
    pub sale_success_vs_volume: Correlation,
    /// `sub_success` against `loan_rate`.
    pub subscription_success_vs_loan_rate: Correlation,
    /// `sale_success` against `loan_rate`.
    pub sale_success_vs_loan_rate: Correlation,
    /// `sub_success` against `price_level`.
    pub subscription_success_vs_price_level: Correlation,
    /// `sale_success` against `price_level`.
    pub sale_success_vs_price_level: Correlation,
    /// Success in one window against volume in another.
    pub lagged_success_vs_volume: Lagged,
}

/// Correlation across windows; windows where the side closed no order are
/// left out. Intervals by Fisher's z; p-values two-sided from Student's t.
/// The first figures treat the windows as independent; `serial_dependence`,
/// `block_bootstrap` and `deseasonalised` do not.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Correlation {
    /// Pearson's r.
    pub pearson: Option<f64>,
    /// Fisher-z 95% interval of r, the windows taken as independent.
    pub pearson_ci_95: Option<[f64; 2]>,
    /// t-test p-value of r with n − 2 degrees of freedom, the windows taken as independent.
    pub pearson_p_value: Option<f64>,
    /// Spearman's rho (average ranks).
    pub spearman: Option<f64>,
    /// Fisher-z 95% interval of rho (SE √(1.06/(n − 3))), the windows taken as independent.
    pub spearman_ci_95: Option<[f64; 2]>,
    /// t-test p-value of rho, the windows taken as independent.
    pub spearman_p_value: Option<f64>,
    /// n, the windows where the side's success is defined.
    pub windows: usize,
    /// The same inference with the windows' autocorrelation accounted for;
    /// None where `pearson_ci_95` is.
    pub serial_dependence: Option<SerialDependence>,
    /// Moving-block bootstrap interval of Pearson's r; None where `pearson` is.
    pub block_bootstrap: Option<BlockBootstrap>,
    /// Pearson's r after removing time-of-day means; None when the run's
    /// windows do not divide evenly into its days.
    pub deseasonalised: Option<Deseasonalised>,
}

/// A correlation's inference with n_eff = n / (1 + 2 Σ_{k=1..K} ρ_x(k) ρ_y(k))
/// effective windows in place of n: Bartlett (1935), Bayley & Hammersley
/// (1946), truncated at K = min(n/5, 250) as Pyper & Peterman (1998).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SerialDependence {
    /// Lag-1 autocorrelations of x and of y, over the windows used.
    pub autocorrelation_lag1: [f64; 2],
    /// K, the last lag summed.
    pub lags: usize,
    /// n_eff of the values, clamped to [3, n].
    pub effective_windows: f64,
    /// Fisher-z 95% interval of Pearson's r with n_eff for n.
    pub pearson_ci_95: Option<[f64; 2]>,
    /// t-test p-value of Pearson's r with n_eff − 2 degrees of freedom.
    pub pearson_p_value: Option<f64>,
    /// n_eff of the ranks.
    pub spearman_effective_windows: Option<f64>,
    /// Fisher-z 95% interval of Spearman's rho with the ranks' n_eff.
    pub spearman_ci_95: Option<[f64; 2]>,
    /// t-test p-value of Spearman's rho with the ranks' n_eff.
    pub spearman_p_value: Option<f64>,
}

/// Moving-block bootstrap of Pearson's r (Künsch 1989), percentile interval.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct BlockBootstrap {
    /// The 2.5% and 97.5% percentiles of r over the resamples.
    pub pearson_ci_95: [f64; 2],
    /// Consecutive windows in a block.
    pub block: usize,
    /// Resamples with a defined r, of 999.
    pub resamples: usize,
}

/// Pearson's r after subtracting from each window's x and y their means over
/// the windows at the same time of day (slot), slots seen fewer than twice
/// left out.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Deseasonalised {
    /// Pearson's r of the deseasonalised pairs.
    pub pearson: Option<f64>,
    /// Windows kept.
    pub windows: usize,
    /// Time-of-day slots kept.
    pub slots: usize,
    /// n_eff of the deseasonalised series, clamped to [3, windows].
    pub effective_windows: Option<f64>,
    /// Fisher-z 95% interval with n_eff.
    pub pearson_ci_95: Option<[f64; 2]>,
    /// t-test p-value with n_eff − 2 degrees of freedom.
    pub pearson_p_value: Option<f64>,
}

/// Success in window t against volume in window t + lag, lag −L..=L.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Lagged {
    /// The sign convention, spelled out.
    pub definition: String,
    /// Subscription success, one entry per lag.
    pub subscriptions: Vec<LaggedValue>,
    /// Sale success, one entry per lag.
    pub sales: Vec<LaggedValue>,
}

/// One lag of a lagged correlation.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct LaggedValue {
    /// The lag, in windows; positive pairs success with later volume.
    pub lag: i64,
    /// Pearson's r over the pairs.
    pub pearson: Option<f64>,
    /// Spearman's rho over the pairs.
    pub spearman: Option<f64>,
    /// The pairs used.
    pub windows: usize,
    /// The inference with the windows' autocorrelation accounted for, as
    /// for the lag-0 correlations.
    pub serial_dependence: Option<SerialDependence>,
    /// Moving-block bootstrap interval of Pearson's r at this lag.
    pub block_bootstrap: Option<BlockBootstrap>,
    /// Pearson's r at this lag after removing time-of-day means (the slot of
    /// the success window).
    pub deseasonalised: Option<Deseasonalised>,
}

/// The herding signature of the run.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct HerdingMeasures {
    /// Share of optimists among herd-following customers at window ends; none without them.
    pub optimist_share: Option<OptimistShare>,
    /// Customers' order imbalance (buys − sells) / (buys + sells) per window.
    pub order_imbalance: Option<OrderImbalance>,
    /// Lakonishok–Shleifer–Vishny measure over customers' net direction per
    /// (window, product), against the window's cross-section of products.
    pub lsv: Option<Lsv>,
}

/// The share of optimists among herd followers at window ends.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct OptimistShare {
    /// Mean share over the windows.
    pub mean: f64,
    /// Bimodality coefficient of the share (above 5/9 suggests two modes).
    pub bimodality_coefficient: Option<f64>,
    /// Windows with a share.
    pub windows: usize,
}

/// Customers' order imbalance across windows against a binomial benchmark.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct OrderImbalance {
    /// Variance of the imbalance across windows.
    pub variance: f64,
    /// What independent customers would give: the mean over windows of
    /// 4p(1 − p)/n, p the run's share of buys and n the window's orders.
    pub binomial_variance: f64,
    /// variance / binomial_variance; None when the benchmark is 0.
    pub ratio: Option<f64>,
    /// The run's share of buys among customers' orders.
    pub buy_share: f64,
    /// Windows with any order.
    pub windows: usize,
}

/// The Lakonishok–Shleifer–Vishny herding measure over the run's (window,
/// product) cells; none when no window had two products traded.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Lsv {
    /// Mean of the cells' measure (LSV's H averaged over stock-periods).
    pub mean: f64,
    /// (window, product) cells with a measure.
    pub cells: usize,
    /// Windows with a cross-section (two or more products traded).
    pub windows: usize,
}
