//! How well the risk report finds planted abusers (`[[agents]] abuse`):
//! the flags scored against the planted customers' ids, the ground truth.
//!
//! A customer counts as *flagged* when it has at least one row in
//! `risk.csv`. Overall, precision is the planted share of the flagged
//! customers and recall the flagged share of the planted ones; the
//! false-flag rate is the share of the customers *not* planted that are
//! flagged, defined in every run (with nothing planted it is the share
//! flagged at all). Per abuse kind, recall is the flagged share of that
//! kind's planted customers, and precision that kind's flagged customers
//! over themselves and the falsely flagged (ordinary) ones: the precision
//! the report would have if only that kind were planted. A flag does not
//! say which abuse it found, so the kinds are told apart by the ground
//! truth only.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::{Customer, Flag};
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
    /// Of them, those with at least one flag.
    pub flagged: usize,
    /// flagged / planted.
    pub recall: f64,
    /// flagged / (flagged + the run's false flags); null when both are 0.
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
            by_kind.insert(
                kind.name(),
                KindDetection {
                    planted: of_kind,
                    flagged: hit,
                    recall: hit as f64 / of_kind as f64,
                    precision: ratio(hit, hit + false_flags),
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
