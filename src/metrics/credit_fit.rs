//! The `credit_fit` block of `summary.json`: the refitted scorecard's power
//! in sample and out of time, as the writer serialises it and the readers
//! read it back. (The fits themselves are `credit::refit`'s; `results` turns
//! its rows into this.)

use serde::{Deserialize, Serialize};

/// Mean AUC and KS over one kind of `credit_fit.csv` row.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PowerSummary {
    /// Rows of this kind with both classes (those with an AUC).
    pub measured: usize,
    /// Rows of this kind that failed (e.g. no bads in the sample).
    pub failed: usize,
    /// Mean AUC over the measured rows; null when none.
    pub auc_mean: Option<f64>,
    /// Lowest AUC.
    pub auc_min: Option<f64>,
    /// Mean KS over the measured rows.
    pub ks_mean: Option<f64>,
}

/// The `credit_fit` block of `summary.json`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CreditFitSummary {
    /// Business days over which a failed sale makes a customer bad.
    pub horizon_days: u32,
    /// Business days between refits.
    pub refit_days: u32,
    /// Business day of the first refit.
    pub first_fit_day: u32,
    /// The features, in `credit_fit.csv`'s order.
    pub features: Vec<String>,
    /// Power of each model on the sample it was fitted on.
    pub in_sample: PowerSummary,
    /// Power of each model on the next sample, taken after its fit.
    pub out_of_time: PowerSummary,
    /// The last model's information value per feature, in `features` order;
    /// null before a first successful fit.
    pub last_iv: Option<Vec<f64>>,
}
