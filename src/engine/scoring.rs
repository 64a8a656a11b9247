//! The end-of-day credit pass: tomorrow's scores from today's behaviour, by
//! the scenario's fixed scorecard or, once `[credit.fit]` has fitted one, by
//! a scorecard refitted on the run's own history (`credit::refit`).
//!
//! Both read the accounts' behaviour counts; the fitted one reads none of the
//! refusals the credit gate made (see `credit::refit::FEATURES`).

use crate::credit::fit::{LogisticOptions, WoeOptions};
use crate::credit::refit::{FEATURES, FitRow, RefitOptions, Refitter};
use crate::credit::{Coefficients, Features, Scaling, Scorecard};
use crate::platform::Accounts;
use crate::scenario::{Alignment, Credit};

/// The band a drawn score stands for: a customer in it keeps its drawn score
/// at calibration, each band above or below moves it by the band's weight.
const MIDDLE_INCOME_BAND: f64 = 3.0;

/// The scorecards and what they read.
pub(super) struct Scoring {
    scaling: Scaling,
    /// The fixed weights, when scores are updated at each close.
    card: Option<Scorecard>,
    /// Per account: the fixed card's inputs and the customers' traits.
    features: Features,
    scores: Vec<f32>,
    refit: Option<Refit>,
}

/// A refitted scorecard's state and buffers.
struct Refit {
    refitter: Refitter,
    /// Per feature, every customer's value at this close (account 0 apart).
    columns: Vec<Vec<f64>>,
    failed_sales: Vec<u32>,
    log_odds: Vec<f64>,
    alignment: Alignment,
    /// Log-odds added to the model's at scoring, set at each refit.
    shift: f64,
}

impl Scoring {
    /// The scoring the scenario's `[credit]` asks for. `features` holds each
    /// account's income band and joining day; `initial_scores` the drawn
    /// scores the fixed card is calibrated to reproduce on day 0.
    pub(super) fn new(c: &Credit, mut features: Features, initial_scores: &[f32]) -> Scoring {
        let scaling = Scaling { base_score: c.base_score, base_odds: c.base_odds, pdo: c.pdo };
        let card = c.update.then(|| {
            let d = Coefficients::default();
            Scorecard {
                scaling,
                coef: Coefficients {
                    income_band: c.income_band.unwrap_or(d.income_band),
                    tenure: c.tenure.unwrap_or(d.tenure),
                    failed_sales: c.failed_sales.unwrap_or(d.failed_sales),
                    cancel_ratio: c.cancel_ratio.unwrap_or(d.cancel_ratio),
                    rejection_ratio: c.rejection_ratio.unwrap_or(d.rejection_ratio),
                },
            }
        });
        if let Some(card) = &card {
            card.calibrate(&mut features, initial_scores, 0);
            for (intercept, &band) in features.intercept.iter_mut().zip(&features.income_band).skip(1) {
                *intercept += (card.coef.income_band * (f64::from(band) - MIDDLE_INCOME_BAND)) as f32;
            }
        }
        let customers = features.len().saturating_sub(1);
        let refit = c.fit.map(|f| Refit {
            refitter: Refitter::new(RefitOptions {
                horizon_days: f.horizon_days,
                refit_days: f.refit_days,
                first_fit_day: f.first_fit_day(),
                woe: WoeOptions {
                    max_bins: f.bins as usize,
                    alpha: f.alpha,
                    logistic: LogisticOptions { ridge: f.ridge, ..LogisticOptions::default() },
                },
            }),
            columns: vec![vec![0.0; customers]; FEATURES.len()],
            failed_sales: vec![0; customers],
            log_odds: vec![0.0; customers],
            alignment: f.alignment,
            shift: 0.0,
        });
        Scoring { scaling, card, scores: vec![0.0; features.len()], features, refit }
    }

    /// The close of business day `day`; `next` is the calendar day (days
    /// since the start) the new scores apply from, which tenure counts to.
    pub(super) fn close(&mut self, day: u32, next: i64, accounts: &mut Accounts, n_products: usize) {
        if let Some(r) = &mut self.refit {
            r.observe(&self.features, next, accounts, n_products);
            let refitted = r.refitter.close(day, &r.columns, &r.failed_sales);
            if let Some(model) = r.refitter.model() {
                let cols: Vec<&[f64]> = r.columns.iter().map(Vec::as_slice).collect();
                // Lengths agree by construction: one entry per customer in every column.
                if model.log_odds_all(&cols, &mut r.log_odds).is_ok() {
                    let card = Scorecard { scaling: self.scaling, coef: Coefficients::default() };
                    let customers = accounts.all_mut().iter_mut().skip(1);
                    if refitted && r.alignment == Alignment::Mean && !r.log_odds.is_empty() {
                        // Summed in customer order, so the shift is the same on any thread count.
                        let before: f64 = customers.map(|a| card.score_to_log_odds(f64::from(a.score))).sum();
                        let after: f64 = r.log_odds.iter().sum();
                        r.shift = (before - after) / r.log_odds.len() as f64;
                    }
                    for (a, &l) in accounts.all_mut().iter_mut().skip(1).zip(&r.log_odds) {
                        a.score = card.log_odds_to_score(l + r.shift).clamp(0.0, 1000.0) as f32;
                    }
                    return;
                }
            }
        }
        if let Some(card) = &self.card {
            let f = &mut self.features;
            for i in 0..accounts.n_accounts() {
                let a = accounts.account(i as u32);
                (f.orders[i], f.cancels[i], f.rejections[i], f.failed_sales[i]) =
                    (a.orders, a.cancels, a.rejections, accounts.rare(i as u32).failed_sales);
            }
            card.score_all(f, next as i32, &mut self.scores);
            for (a, &score) in accounts.all_mut().iter_mut().zip(&self.scores) {
                a.score = score;
            }
        }
    }

    /// Every fit and out-of-time test of the refitted scorecard, if the
    /// scenario has one.
    pub(super) fn into_fit_rows(self) -> Option<Vec<FitRow>> {
        self.refit.map(|r| r.refitter.rows().to_vec())
    }
}

impl Refit {
    /// Every customer's features at this close, in `FEATURES` order.
    fn observe(&mut self, traits: &Features, next: i64, accounts: &Accounts, n_products: usize) {
        for k in 0..self.failed_sales.len() {
            let id = k as u32 + 1;
            let (a, failed_sales) = (accounts.account(id), accounts.rare(id).failed_sales);
            let orders = f64::from(a.orders.max(1));
            let lots: u64 = (0..n_products).map(|p| u64::from(accounts.held(p, id))).sum();
            let row = [
                (next - i64::from(traits.joined_day[id as usize])).max(0) as f64,
                f64::from(traits.income_band[id as usize]),
                f64::from(a.orders),
                f64::from(a.cancels) / orders,
                f64::from(a.unbacked) / orders,
                f64::from(failed_sales),
                lots as f64,
            ];
            for (column, x) in self.columns.iter_mut().zip(row) {
                column[k] = x;
            }
            self.failed_sales[k] = failed_sales;
        }
    }
}
