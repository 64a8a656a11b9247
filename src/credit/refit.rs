//! A scorecard refitted on the run's own history, as a lender refits a
//! behavioural scorecard: the features every customer had at one close are
//! labelled by what happened over the next `horizon_days` business days, a
//! [`WoeModel`] is fitted on them, and it scores everyone until the next
//! refit. Each model is then measured out of time on the first sample taken
//! while it was in force, whose outcome it could not have seen.
//!
//! The schedule (Siddiqi, *Credit Risk Scorecards*, Wiley 2006, ch. 4 on the
//! sample window and performance window; Thomas, Edelman & Crook, *Credit
//! Scoring and its Applications*, SIAM 2002, ch. 8 on behavioural scoring):
//!
//! - refits happen at the closes of business days `first_fit_day`,
//!   `first_fit_day + refit_days`, …;
//! - the sample a refit on day `R` learns from is every customer's features
//!   at the close of day `R − horizon_days`, labelled *bad* when the customer
//!   had a holding redeemed at the holding limit (a failed sale) at a close
//!   in `(R − horizon_days, R]`;
//! - that same sample, taken while an earlier model was in force, is that
//!   model's out-of-time test: the model was fitted on outcomes up to a day no
//!   later than the sample's, so none of the outcomes it is tested on had
//!   happened when it was fitted.
//!
//! Everything here is sequential or per-row parallel, so a refit gives the
//! same model for any number of threads.

use std::collections::VecDeque;

use super::fit::{FitError, Power, WoeModel, WoeOptions};

/// The features a fitted scorecard reads, in column order. None of them
/// counts refusals by the credit gate (or by the closed session): those are
/// the score's own doing, and a model fed them would learn its own
/// decisions back (the `unbacked_ratio` counts only the refusals a customer
/// could have avoided: no cash, no sellable lots, size or price band).
pub const FEATURES: [&str; 7] =
    ["tenure_days", "income_band", "orders", "cancel_ratio", "unbacked_ratio", "failed_sales", "lots_held"];

/// When to refit and how.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RefitOptions {
    /// Business days over which a failed sale makes a sample bad (K).
    pub horizon_days: u32,
    /// Business days between refits.
    pub refit_days: u32,
    /// The business day (from 0) of the first refit; at least `horizon_days`.
    pub first_fit_day: u32,
    /// Binning, smoothing and the logistic fit's options.
    pub woe: WoeOptions,
}

/// Every customer's features at one close, column by column, with the
/// failed-sale counts the label will be measured from.
#[derive(Clone, Debug, PartialEq)]
struct Sample {
    day: u32,
    /// The model in force when the sample was taken (its index).
    model: Option<usize>,
    columns: Vec<Vec<f64>>,
    failed_sales: Vec<u32>,
}

/// What one row of `credit_fit.csv` reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowKind {
    /// A model fitted on the sample; power measured in sample.
    Fit,
    /// An earlier model measured on a sample from after its fit.
    OutOfTime,
}

impl RowKind {
    /// The name written in `credit_fit.csv`.
    pub fn name(self) -> &'static str {
        match self {
            RowKind::Fit => "fit",
            RowKind::OutOfTime => "out_of_time",
        }
    }
}

/// One fit or one out-of-time measurement.
#[derive(Clone, Debug, PartialEq)]
pub struct FitRow {
    /// The business day at whose close it happened.
    pub day: u32,
    /// Fit or out of time.
    pub kind: RowKind,
    /// The model concerned: its index among the fits, from 0.
    pub model: usize,
    /// The business day whose close the features were taken at.
    pub sample_day: u32,
    /// Customers in the sample.
    pub rows: usize,
    /// Of those, the bad ones.
    pub bads: usize,
    /// AUC and KS, or why they (or the fit) could not be computed.
    pub power: Result<Power, FitError>,
    /// For a successful fit, each feature's information value and
    /// coefficient (on its weight of evidence), in [`FEATURES`] order.
    pub features: Option<Vec<(f64, f64)>>,
}

/// The refit schedule, the samples waiting for their outcome, the models
/// fitted so far and the report of each fit and test.
#[derive(Clone, Debug)]
pub struct Refitter {
    opts: RefitOptions,
    pending: VecDeque<Sample>,
    /// Every model fitted, by index (a failed fit adds none).
    fits: usize,
    current: Option<(usize, WoeModel)>,
    /// Models that still have an out-of-time test to come, by index.
    awaiting_test: Vec<(usize, WoeModel)>,
    rows: Vec<FitRow>,
}

impl Refitter {
    /// A refitter with no history. Options are assumed validated by the
    /// scenario layer (`horizon_days`, `refit_days` ≥ 1 and
    /// `first_fit_day ≥ horizon_days`); others still refit, just never.
    pub fn new(opts: RefitOptions) -> Refitter {
        Refitter { opts, pending: VecDeque::new(), fits: 0, current: None, awaiting_test: Vec::new(), rows: Vec::new() }
    }

    /// Whether `day`'s close is a refit.
    fn is_refit_day(&self, day: u32) -> bool {
        let o = &self.opts;
        o.refit_days > 0 && day >= o.first_fit_day && (day - o.first_fit_day).is_multiple_of(o.refit_days)
    }

    /// Whether the close of `day` takes a sample: one `horizon_days` before a refit.
    pub fn samples_on(&self, day: u32) -> bool {
        self.is_refit_day(day + self.opts.horizon_days)
    }

    /// The model scoring customers now, if one has been fitted.
    pub fn model(&self) -> Option<&WoeModel> {
        self.current.as_ref().map(|(_, m)| m)
    }

    /// Every fit and out-of-time test so far, in the order they happened.
    pub fn rows(&self) -> &[FitRow] {
        &self.rows
    }

    /// The close of business day `day`: `columns` are every customer's
    /// features now (in [`FEATURES`] order) and `failed_sales` their failed
    /// sales to date. A sample taken `horizon_days` ago gets its labels, is
    /// the test of the model that was in force when it was taken, and the
    /// new model is fitted on it; today's sample is kept if a refit will
    /// want it. Returns whether a new model is now in force.
    pub fn close(&mut self, day: u32, columns: &[Vec<f64>], failed_sales: &[u32]) -> bool {
        let mut refitted = false;
        while let Some(sample) = self.pending.front() {
            if sample.day + self.opts.horizon_days > day {
                break;
            }
            let Some(sample) = self.pending.pop_front() else { break };
            if sample.day + self.opts.horizon_days == day {
                refitted |= self.learn(day, sample, failed_sales);
            }
        }
        if self.samples_on(day) {
            self.pending.push_back(Sample {
                day,
                model: self.current.as_ref().map(|(i, _)| *i),
                columns: columns.to_vec(),
                failed_sales: failed_sales.to_vec(),
            });
        }
        refitted
    }

    /// Labels a matured sample, tests the model that was in force when it was
    /// taken and fits a new one on it.
    fn learn(&mut self, day: u32, sample: Sample, failed_now: &[u32]) -> bool {
        let bad: Vec<bool> = sample.failed_sales.iter().zip(failed_now).map(|(&then, &now)| now > then).collect();
        let bads = bad.iter().filter(|&&b| b).count();
        let cols: Vec<&[f64]> = sample.columns.iter().map(Vec::as_slice).collect();
        let row = |kind, model, power, features| FitRow {
            day,
            kind,
            model,
            sample_day: sample.day,
            rows: bad.len(),
            bads,
            power,
            features,
        };
        if let Some(tested) = sample.model
            && let Some(k) = self.awaiting_test.iter().position(|(i, _)| *i == tested)
        {
            let (i, model) = self.awaiting_test.swap_remove(k);
            self.rows.push(row(RowKind::OutOfTime, i, model.power(&cols, &bad), None));
        }
        let index = self.fits;
        match WoeModel::fit(&cols, &bad, &self.opts.woe) {
            Ok(model) => {
                let power = model.power(&cols, &bad);
                let features = model.bins.iter().zip(&model.logistic.coefficients).map(|(b, &c)| (b.iv, c)).collect();
                self.rows.push(row(RowKind::Fit, index, power, Some(features)));
                self.fits += 1;
                self.awaiting_test.push((index, model.clone()));
                self.current = Some((index, model));
                true
            }
            Err(e) => {
                self.rows.push(row(RowKind::Fit, index, Err(e), None));
                false
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(horizon: u32, refit: u32, first: u32) -> RefitOptions {
        RefitOptions { horizon_days: horizon, refit_days: refit, first_fit_day: first, woe: WoeOptions::default() }
    }

    /// A market where customers with more lots fail more: customer `i` holds
    /// `i % 10` lots and fails on a day when `(i * 7 + day) % 13 < lots`.
    struct Toy {
        n: usize,
        failed: Vec<u32>,
    }

    impl Toy {
        fn new(n: usize) -> Toy {
            Toy { n, failed: vec![0; n] }
        }

        fn lots(&self, i: usize) -> f64 {
            (i % 10) as f64
        }

        fn step(&mut self, day: u32) -> Vec<Vec<f64>> {
            for i in 0..self.n {
                if ((i * 7 + day as usize * 3) % 13) < i % 10 {
                    self.failed[i] += 1;
                }
            }
            let mut cols = vec![vec![0.0; self.n]; FEATURES.len()];
            cols[0] = (0..self.n).map(|i| (i % 300) as f64).collect();
            cols[1] = vec![3.0; self.n];
            cols[2] = (0..self.n).map(|i| (i % 17) as f64).collect();
            cols[6] = (0..self.n).map(|i| self.lots(i)).collect();
            cols
        }
    }

    #[test]
    fn samples_are_taken_a_horizon_before_each_refit() {
        let r = Refitter::new(opts(2, 3, 4));
        let sampled: Vec<u32> = (0..15).filter(|&d| r.samples_on(d)).collect();
        assert_eq!(sampled, vec![2, 5, 8, 11, 14]);
        let r = Refitter::new(opts(5, 5, 5));
        let sampled: Vec<u32> = (0..21).filter(|&d| r.samples_on(d)).collect();
        assert_eq!(sampled, vec![0, 5, 10, 15, 20]);
    }

    #[test]
    fn refits_on_schedule_and_tests_each_model_out_of_time() {
        let mut r = Refitter::new(opts(2, 2, 2));
        let mut toy = Toy::new(3000);
        let mut new_models = Vec::new();
        for day in 0..9 {
            let cols = toy.step(day);
            if r.close(day, &cols, &toy.failed) {
                new_models.push(day);
            }
        }
        assert_eq!(new_models, vec![2, 4, 6, 8]);
        let kinds: Vec<(u32, RowKind, usize, u32)> =
            r.rows().iter().map(|x| (x.day, x.kind, x.model, x.sample_day)).collect();
        assert_eq!(
            kinds,
            vec![
                (2, RowKind::Fit, 0, 0),
                (4, RowKind::OutOfTime, 0, 2),
                (4, RowKind::Fit, 1, 2),
                (6, RowKind::OutOfTime, 1, 4),
                (6, RowKind::Fit, 2, 4),
                (8, RowKind::OutOfTime, 2, 6),
                (8, RowKind::Fit, 3, 6),
            ]
        );
        for row in r.rows() {
            let p = row.power.as_ref().expect("both classes present");
            assert!(p.auc > 0.7, "lots held predict failures: {row:?}");
            assert_eq!(row.rows, 3000);
            assert!(row.bads > 0 && row.bads < 3000);
        }
        let fit = &r.rows()[0];
        let features = fit.features.as_ref().expect("a fit reports its features");
        let lots_iv = features[6].0;
        assert!(lots_iv > features[1].0 + 0.1, "lots carry information, a constant band none: {features:?}");
        assert!(r.model().is_some());
    }

    #[test]
    fn a_sample_with_one_class_is_reported_and_the_old_model_kept() {
        let mut r = Refitter::new(opts(1, 1, 1));
        let n = 100;
        let cols = vec![vec![1.0; n]; FEATURES.len()];
        let failed = vec![0u32; n];
        assert!(!r.close(0, &cols, &failed));
        assert!(!r.close(1, &cols, &failed), "no failures: nothing to fit");
        assert!(matches!(r.rows()[0].power, Err(FitError::OneClass { goods: 100, bads: 0 })));
        assert!(r.model().is_none());
    }
}
