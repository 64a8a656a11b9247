//! The risk report: customers whose behaviour is far above that of their
//! behavioural family, and self-trades; with planted abusers, how well it
//! finds them ([`detection`]).
//!
//! Built from the same events as the operation log (each customer's orders,
//! cancels, refusals, fleeting orders, failed sales and next-day resales are
//! counted as they happen), so it needs no second pass over the log. For
//! each family and each measure, the family's centre is its median and its
//! spread the robust scale 1.4826 · MAD (Iglewicz & Hoaglin 1993); when the
//! MAD is 0 (most customers alike), 1.2533 · the mean absolute deviation
//! instead. A customer's value is a rate or a ratio over its own few events,
//! so its z-score also counts its own sampling error, as a funnel plot does
//! (Spiegelhalter 2005, "Funnel plots for comparing institutional
//! performance", Statistics in Medicine 24(8)): z = (x − median) /
//! sqrt(scale² + v), v the binomial (ratios) or Poisson (rates) variance of
//! the customer's value at the family's pooled rate. A customer is reported
//! for each measure whose z is *above* the scenario's `risk_threshold` (less
//! activity than one's peers is no abuse), and for every trade it made with
//! itself.

pub mod detection;

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use super::stats;
use crate::scenario::Abuse;
pub use detection::{Detection, KindDetection};

/// What the report needs to know of one customer at the end of a run.
#[derive(Clone, Copy, Debug, Default)]
pub struct Customer {
    /// The customer's agent id (its account number).
    pub id: u32,
    /// Index of the scenario's customer group it was drawn from.
    pub group: u16,
    /// Its behavioural family (the behaviour's name; for a planted customer
    /// the family its group is filed under): customers are compared within it.
    pub family: &'static str,
    /// The abuse it was planted with, if any: the ground truth the report
    /// is measured against, never used to flag.
    pub planted: Option<Abuse>,
    /// Orders it submitted over the run.
    pub orders: u32,
    /// Cancels it sent.
    pub cancels: u32,
    /// Its orders the platform refused for want of cash or sellable lots,
    /// their size or their price band (not the credit gate's or the close's).
    pub rejections: u32,
    /// Its resting orders that left the book unfilled within seconds of
    /// arriving, cancelled or at their time to live.
    pub fleeting: u32,
    /// Failed sales: holdings the platform redeemed from it at the holding limit.
    pub failed_sales: u32,
    /// Trades in which it was both buyer and seller.
    pub self_trades: u32,
    /// Sale fills that took lots it bought the business day before.
    pub next_day_resales: u32,
    /// Sale fills: trades in which it sold.
    pub sale_fills: u32,
}

/// What a measure counts its events over (its exposure), which sets how
/// noisy one customer's value of it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// A count per order: binomial noise over the customer's orders.
    Orders,
    /// A count per sale fill: binomial noise over the customer's sale fills.
    Sales,
    /// A count per session hour: Poisson noise over the run's hours.
    Hours,
    /// A count per business day: Poisson noise over the run's days.
    Days,
}

/// One measure compared within a family.
#[derive(Clone, Copy, Debug)]
pub struct Measure {
    /// Its name in `risk.csv` and `summary.json`.
    pub name: &'static str,
    kind: Kind,
    count: fn(&Customer) -> u32,
}

/// The measures compared within a family, in the order rows list them.
pub const MEASURES: [Measure; 6] = [
    Measure { name: "order_rate", kind: Kind::Hours, count: |c| c.orders },
    Measure { name: "cancel_ratio", kind: Kind::Orders, count: |c| c.cancels },
    Measure { name: "fleeting_ratio", kind: Kind::Orders, count: |c| c.fleeting },
    Measure { name: "rejection_rate", kind: Kind::Orders, count: |c| c.rejections },
    Measure { name: "failed_sales_per_day", kind: Kind::Days, count: |c| c.failed_sales },
    Measure { name: "next_day_resale_share", kind: Kind::Sales, count: |c| c.next_day_resales },
];

/// The measure every self-trade is reported under.
pub const SELF_TRADES: &str = "self_trades";

impl Measure {
    /// The measure's value for `c` and the exposure it is over: its orders
    /// (at least 1), the run's session hours or its business days.
    fn value(&self, c: &Customer, hours: f64, days: f64) -> (f64, f64) {
        let exposure = match self.kind {
            Kind::Orders => f64::from(c.orders.max(1)),
            Kind::Sales => f64::from(c.sale_fills.max(1)),
            Kind::Hours => hours.max(1e-9),
            Kind::Days => days.max(1.0),
        };
        (f64::from((self.count)(c)) / exposure, exposure)
    }

    /// The variance of a customer's value over `exposure` from sampling
    /// alone, at the family's pooled rate `rate`, and never less than that
    /// of one event: a single event is no evidence on its own, however rare
    /// such events are in the family (the normal approximation to a count
    /// with an expectation well below 1 would make it one).
    fn sampling_variance(&self, rate: f64, exposure: f64) -> f64 {
        let per_exposure = match self.kind {
            Kind::Orders | Kind::Sales => {
                let p = rate.clamp(0.0, 1.0);
                p * (1.0 - p)
            }
            Kind::Hours | Kind::Days => rate.max(0.0),
        };
        (per_exposure * exposure).max(1.0) / (exposure * exposure)
    }
}

/// One reason to look at one customer.
#[derive(Clone, Debug, PartialEq)]
pub struct Flag {
    /// The flagged customer's agent id.
    pub customer: u32,
    /// Index of its customer group.
    pub group: u16,
    /// Its behavioural family, the population it is compared with.
    pub family: &'static str,
    /// The abuse it was planted with, if any.
    pub planted: Option<Abuse>,
    /// Which of [`MEASURES`] is off, or `self_trades`.
    pub measure: &'static str,
    /// The customer's value of the measure (orders per session hour, a ratio per
    /// order, a count per business day, or a count of self-trades).
    pub value: f64,
    /// Median of the measure over the family (0 for self-trades).
    pub family_median: f64,
    /// The family's robust scale: 1.4826 · MAD, or 1.2533 · the mean
    /// absolute deviation when the MAD is 0 (0 for self-trades).
    pub family_scale: f64,
    /// The scale z is measured in: the family's and the customer's own
    /// sampling error together, sqrt(family_scale² + v) (0 for self-trades).
    pub scale: f64,
    /// None for self-trades, which are reported whatever their number.
    pub robust_z: Option<f64>,
}

/// What the risk report found, for `summary.json`: how many customers and
/// flags, by measure and family, and how well it found planted abusers.
#[derive(Clone, Debug, Default, Serialize)]
pub struct RiskSummary {
    /// The z above which a customer is flagged (the scenario's `risk_threshold`).
    pub threshold: f64,
    /// Customers examined.
    pub customers: usize,
    /// Customers with at least one flag.
    pub flagged_customers: usize,
    /// Flags by measure, and by family then measure.
    pub flags_by_measure: BTreeMap<&'static str, usize>,
    /// Flags by family, then by measure.
    pub flags_by_family: BTreeMap<&'static str, BTreeMap<&'static str, usize>>,
    /// Trades of customers with themselves.
    pub self_trades: SelfTrades,
    /// The flags against the planted abusers: precision, recall and the
    /// false-flag rate.
    pub detection: Detection,
}

/// How many customers traded with themselves, and how often.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SelfTrades {
    /// Customers with at least one self-trade.
    pub customers: usize,
    /// Self-trades over all customers.
    pub trades: u64,
}

/// Flags the members of one family on every measure, appending to `flags`.
fn flag_family(members: &[&Customer], hours: f64, days: f64, threshold: f64, flags: &mut Vec<Flag>) {
    let mut column = Vec::with_capacity(members.len());
    let mut exposures = Vec::with_capacity(members.len());
    for m in &MEASURES {
        column.clear();
        exposures.clear();
        let (mut events, mut exposure) = (0.0, 0.0);
        for c in members {
            let (x, e) = m.value(c, hours, days);
            column.push(x);
            exposures.push(e);
            events += f64::from((m.count)(c));
            exposure += e;
        }
        let Some((median, mad)) = stats::median_mad(&column) else { continue };
        let family_scale = if mad > 0.0 {
            mad
        } else {
            1.2533 * column.iter().map(|x| (x - median).abs()).sum::<f64>() / column.len() as f64
        };
        let rate = if exposure > 0.0 { events / exposure } else { 0.0 };
        for ((c, &x), &e) in members.iter().zip(&column).zip(&exposures) {
            let scale = (family_scale * family_scale + m.sampling_variance(rate, e)).sqrt();
            if scale <= 0.0 {
                continue;
            }
            let z = (x - median) / scale;
            if z > threshold {
                flags.push(Flag {
                    customer: c.id,
                    group: c.group,
                    family: c.family,
                    planted: c.planted,
                    measure: m.name,
                    value: x,
                    family_median: median,
                    family_scale,
                    scale,
                    robust_z: Some(z),
                });
            }
        }
    }
}

/// The flags, ordered by customer then measure, and their summary.
pub fn report(customers: &[Customer], session_hours: f64, days: f64, threshold: f64) -> (Vec<Flag>, RiskSummary) {
    let mut by_family: BTreeMap<&'static str, Vec<&Customer>> = BTreeMap::new();
    for c in customers {
        by_family.entry(c.family).or_default().push(c);
    }
    let mut flags = Vec::new();
    for members in by_family.values() {
        flag_family(members, session_hours, days, threshold, &mut flags);
    }
    let mut self_traders = 0;
    let mut self_trades = 0;
    for c in customers.iter().filter(|c| c.self_trades > 0) {
        self_traders += 1;
        self_trades += u64::from(c.self_trades);
        flags.push(Flag {
            customer: c.id,
            group: c.group,
            family: c.family,
            planted: c.planted,
            measure: SELF_TRADES,
            value: f64::from(c.self_trades),
            family_median: 0.0,
            family_scale: 0.0,
            scale: 0.0,
            robust_z: None,
        });
    }
    flags.sort_by(|a, b| (a.customer, a.measure).cmp(&(b.customer, b.measure)));
    let mut flags_by_measure = BTreeMap::new();
    let mut flags_by_family: BTreeMap<&'static str, BTreeMap<&'static str, usize>> = BTreeMap::new();
    let mut flagged = std::collections::BTreeSet::new();
    for f in &flags {
        *flags_by_measure.entry(f.measure).or_insert(0) += 1;
        *flags_by_family.entry(f.family).or_default().entry(f.measure).or_insert(0) += 1;
        flagged.insert(f.customer);
    }
    let summary = RiskSummary {
        threshold,
        customers: customers.len(),
        flagged_customers: flagged.len(),
        flags_by_measure,
        flags_by_family,
        self_trades: SelfTrades { customers: self_traders, trades: self_trades },
        detection: Detection::measure(customers, &flags),
    };
    (flags, summary)
}

/// Writes `risk.csv` (its columns are `columns::risk`'s).
pub fn write_csv(flags: &[Flag], out: &mut impl Write) -> io::Result<()> {
    writeln!(out, "{}", crate::columns::risk::HEADER)?;
    for f in flags {
        crate::columns::write_row!(out, crate::columns::risk::COLUMNS;
            customer = f.customer,
            group = f.group,
            family = f.family,
            planted = f.planted.map_or("", Abuse::name),
            measure = f.measure,
            value = f.value,
            family_median = f.family_median,
            family_scale = f.family_scale,
            scale = f.scale,
            robust_z = crate::metrics::OptDisplay(f.robust_z),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
