//! What a finished run hands to the outputs ([`Outcome`]), and the check
//! of its cash that tells whether its results can be trusted ([`CashError`]).

use super::RunStats;
use crate::calendar::Calendar;
use crate::credit::refit::FitRow;
use crate::metrics::Metrics;
use crate::metrics::risk::Customer;
use crate::product::ProductSpec;

/// Everything a finished run hands to the outputs.
pub struct Outcome {
    /// The seed the run used (the scenario's, or the one [`super::RunOptions`] gave).
    pub seed: u64,
    /// The business days and sessions the run went through.
    pub calendar: Calendar,
    /// The products as the run built them from the scenario (prices in ticks,
    /// per-day NAVs, redemptions).
    pub products: Vec<ProductSpec>,
    /// The per-window and whole-run measurements the reports are made of.
    pub metrics: Metrics,
    /// Counts of what the run did.
    pub stats: RunStats,
    /// Cash of all accounts together, the platform's included, at the start:
    /// micros (millionths of the currency unit).
    pub cash_start: i128,
    /// Cash of all accounts together at the end, in micros: equal to
    /// `cash_start` when trades and redemptions only moved cash around.
    pub cash_end: i128,
    /// True when no customer ended with a negative balance, every
    /// reservation fits its holding and none outlived the last close: a check
    /// of the platform's bookkeeping.
    pub accounts_sound: bool,
    /// True when a buy took a customer's holding of a product past the
    /// `u32::MAX` lots its counter holds: the lots are wrong from there on.
    pub holdings_overflow: bool,
    /// Every customer's behaviour counts, for the risk report.
    pub customers: Vec<Customer>,
    /// Every fit and out-of-time test of the refitted scorecard, when the
    /// scenario has `[credit.fit]`.
    pub credit_fit: Option<Vec<FitRow>>,
    /// Each group's behaviour parameters as the run used them, in the
    /// scenario's group order: the group's `params` table with every
    /// parameter it leaves out at its behaviour's default, so that the
    /// manifest records what ran even if a later version changes a default.
    /// Empty for a run not started through [`super::run_with`] (the live
    /// view's engine).
    pub params_in_effect: Vec<toml::Table>,
}

impl Outcome {
    /// Whether the run's cash is conserved and its accounts sound: `Err`
    /// names the check that failed, with the start and end totals. A run
    /// that fails it has results that should not be trusted; `tplus run`
    /// exits with status 1.
    pub fn check(&self) -> Result<(), CashError> {
        let (start, end) = (self.cash_start, self.cash_end);
        if self.holdings_overflow {
            return Err(CashError::HoldingOverflow);
        }
        if start != end {
            return Err(CashError::NotConserved { start, end });
        }
        if !self.accounts_sound {
            return Err(CashError::Unsound { start, end });
        }
        Ok(())
    }
}

/// Why a finished run's cash cannot be trusted ([`Outcome::check`]). Totals
/// are of all accounts together, the platform's included, in micros
/// (millionths of the currency unit).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CashError {
    /// Trades and redemptions created or destroyed cash.
    #[error(
        "cash is not conserved: all accounts held {start} micros at the start and {end} at the end ({:+} micros)",
        end - start
    )]
    NotConserved {
        /// Cash of all accounts at the start.
        start: i128,
        /// Cash of all accounts at the end.
        end: i128,
    },
    /// A buy took a customer's holding of a product past the lots its
    /// counter holds.
    #[error(
        "a customer's holding of a product passed 4,294,967,295 lots (u32::MAX), the most its counter holds, so the run's lots are wrong from that trade on: fewer lots in the market (a smaller primary_supply_lots, fewer days or smaller initial_lots)"
    )]
    HoldingOverflow,
    /// A customer ended with negative cash or reserved cash, with more cash
    /// or lots reserved than held, or with a reservation left after the close.
    #[error(
        "an account is unsound: a customer ended with negative cash or reserved cash, with more reserved than held, or with a reservation left after the close (all accounts held {start} micros at the start and {end} at the end)"
    )]
    Unsound {
        /// Cash of all accounts at the start.
        start: i128,
        /// Cash of all accounts at the end.
        end: i128,
    },
}
