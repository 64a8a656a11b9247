//! How well the risk report finds planted abusers (`[[agents]] abuse`):
//! the flags scored against the planted customers' ids, the ground truth.
//!
//! A customer counts as *flagged* when it has at least one row in
//! `risk.csv`. Overall, precision is the planted share of the flagged
//! customers and recall the flagged share of the planted ones; the
//! false-flag rate is the share of the customers *not* planted that are
//! flagged, defined in every run (with nothing planted it is the share
//! flagged at all). Per abuse kind, recall is the flagged share of that
//! kind's planted customers (flagged on any measure), and precision the
//! share of that kind among the customers flagged on the measures that
//! point to it (`self_trades` to wash trading, `cancel_ratio` and
//! `fleeting_ratio` to spoofing, `next_day_resale_ratio` to churning):
//! when the report says "spoofing", how often it is.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::{Customer, Flag, indicates};
use crate::scenario::Abuse;

/// The detector's score against the planted customers.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Detection {
    /// Customers planted with an abuse.
    pub planted: usize,
    /// Planted customers with at least one flag.
    pub flagged_planted: usize,
    /// Customers not planted with at least one flag.
    pub false_flags: usize,
    /// flagged_planted / flagged customers; null when nobody is flagged.
    pub precision: Option<f64>,
    /// flagged_planted / planted; null when nothing is planted.
    pub recall: Option<f64>,
    /// false_flags / customers not planted (0 when every customer is planted).
    pub false_flag_rate: f64,
    /// Per abuse kind planted in the run, by its name.
    pub by_kind: BTreeMap<&'static str, KindDetection>,
}

/// The detector's score against one kind of planted abuse.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct KindDetection {
    /// Customers planted with this abuse.
    pub planted: usize,
    /// Of them, those with at least one flag (on any measure).
    pub flagged: usize,
    /// flagged / planted.
    pub recall: f64,
    /// Customers flagged on a measure that points to this abuse.
    pub flagged_for_kind: usize,
    /// The share of those planted with this abuse; null when none is flagged so.
    pub precision: Option<f64>,
}

fn ratio(num: usize, den: usize) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

impl Detection {
    /// Scores `flags` (of the customers `customers`) against the planted ones.
    pub fn measure(customers: &[Customer], flags: &[Flag]) -> Detection {
        let flagged: BTreeSet<u32> = flags.iter().map(|f| f.customer).collect();
        let planted = customers.iter().filter(|c| c.planted.is_some()).count();
        let flagged_planted: BTreeMap<u32, Abuse> =
            flags.iter().filter_map(|f| f.planted.map(|kind| (f.customer, kind))).collect();
        let false_flags = flagged.len() - flagged_planted.len();
        let mut by_kind = BTreeMap::new();
        for kind in Abuse::ALL {
            let of_kind = customers.iter().filter(|c| c.planted == Some(kind)).count();
            if of_kind == 0 {
                continue;
            }
            let hit = flagged_planted.values().filter(|&&k| k == kind).count();
            let for_kind: BTreeMap<u32, Option<Abuse>> = flags
                .iter()
                .filter(|f| indicates(f.measure) == Some(kind))
                .map(|f| (f.customer, f.planted))
                .collect();
            let right = for_kind.values().filter(|&&p| p == Some(kind)).count();
            by_kind.insert(
                kind.name(),
                KindDetection {
                    planted: of_kind,
                    flagged: hit,
                    recall: hit as f64 / of_kind as f64,
                    flagged_for_kind: for_kind.len(),
                    precision: ratio(right, for_kind.len()),
                },
            );
        }
        Detection {
            planted,
            flagged_planted: flagged_planted.len(),
            false_flags,
            precision: ratio(flagged_planted.len(), flagged.len()),
            recall: ratio(flagged_planted.len(), planted),
            false_flag_rate: ratio(false_flags, customers.len() - planted).unwrap_or(0.0),
            by_kind,
        }
    }
}
