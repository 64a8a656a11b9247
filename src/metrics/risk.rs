//! The risk report: customers whose behaviour is far from that of their
//! behavioural family, and self-trades.
//!
//! Built from the same events as the operation log (each customer's orders,
//! cancels, rejections and failed sales are counted as they happen), so it
//! needs no second pass over the log. For each family and each measure, a
//! customer's robust z-score is (x − median) / (1.4826 · MAD) over the
//! family's customers (Iglewicz & Hoaglin 1993); when the MAD is 0 (most
//! customers alike), the scale is 1.2533 · the mean absolute deviation
//! instead, and when that is 0 too nobody differs. A customer is reported
//! for each measure whose |z| is above the scenario's `risk_threshold`, and
//! for every trade it made with itself.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use super::stats;

/// What the report needs to know of one customer at the end of a run.
#[derive(Clone, Copy, Debug)]
pub struct Customer {
    /// The customer's agent id (its account number).
    pub id: u32,
    /// Index of the scenario's customer group it was drawn from.
    pub group: u16,
    /// Its behavioural family (the behaviour's name): customers are compared
    /// within it.
    pub family: &'static str,
    /// Orders it submitted over the run.
    pub orders: u32,
    /// Cancels it sent.
    pub cancels: u32,
    /// Its orders the platform refused.
    pub rejections: u32,
    /// Failed sales: holdings the platform redeemed from it at the holding limit.
    pub failed_sales: u32,
    /// Trades in which it was both buyer and seller.
    pub self_trades: u32,
}

/// The measures compared within a family.
pub const MEASURES: [&str; 4] = ["order_rate", "cancel_ratio", "rejection_rate", "failed_sales_per_day"];

impl Customer {
    /// The measures, in [`MEASURES`] order: orders per session hour, cancels
    /// and rejections per order, failed sales per business day.
    fn measures(&self, session_hours: f64, days: f64) -> [f64; 4] {
        let orders = f64::from(self.orders.max(1));
        [
            f64::from(self.orders) / session_hours.max(1e-9),
            f64::from(self.cancels) / orders,
            f64::from(self.rejections) / orders,
            f64::from(self.failed_sales) / days.max(1.0),
        ]
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
    /// Which of [`MEASURES`] is off, or `self_trades`.
    pub measure: &'static str,
    /// The customer's value of the measure (orders per session hour, a ratio per
    /// order, failed sales per business day, or a count of self-trades).
    pub value: f64,
    /// Median of the measure over the family (0 for self-trades).
    pub family_median: f64,
    /// The robust scale z is measured in: 1.4826 · MAD, or 1.2533 · the mean
    /// absolute deviation when the MAD is 0 (0 for self-trades).
    pub family_scale: f64,
    /// None for self-trades, which are reported whatever their number.
    pub robust_z: Option<f64>,
}

/// What the risk report found, for `summary.json`: how many customers and
/// flags, by measure and family.
#[derive(Clone, Debug, Serialize)]
pub struct RiskSummary {
    /// The |robust z| above which a customer is flagged (the scenario's
    /// `risk_threshold`).
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
}

/// How many customers traded with themselves, and how often.
#[derive(Clone, Debug, Serialize)]
pub struct SelfTrades {
    /// Customers with at least one self-trade.
    pub customers: usize,
    /// Self-trades over all customers.
    pub trades: u64,
}

/// The flags, ordered by customer then measure, and their summary.
pub fn report(customers: &[Customer], session_hours: f64, days: f64, threshold: f64) -> (Vec<Flag>, RiskSummary) {
    let mut by_family: BTreeMap<&'static str, Vec<&Customer>> = BTreeMap::new();
    for c in customers {
        by_family.entry(c.family).or_default().push(c);
    }
    let mut flags = Vec::new();
    for members in by_family.values() {
        let values: Vec<[f64; 4]> = members.iter().map(|c| c.measures(session_hours, days)).collect();
        for (m, &measure) in MEASURES.iter().enumerate() {
            let column: Vec<f64> = values.iter().map(|v| v[m]).collect();
            let Some((median, mad)) = stats::median_mad(&column) else { continue };
            let scale = if mad > 0.0 {
                mad
            } else {
                1.2533 * column.iter().map(|x| (x - median).abs()).sum::<f64>() / column.len() as f64
            };
            if scale <= 0.0 {
                continue;
            }
            for (c, &x) in members.iter().zip(&column) {
                let z = (x - median) / scale;
                if z.abs() > threshold {
                    flags.push(Flag {
                        customer: c.id,
                        group: c.group,
                        family: c.family,
                        measure,
                        value: x,
                        family_median: median,
                        family_scale: scale,
                        robust_z: Some(z),
                    });
                }
            }
        }
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
            measure: "self_trades",
            value: f64::from(c.self_trades),
            family_median: 0.0,
            family_scale: 0.0,
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
    };
    (flags, summary)
}

/// The header line of `risk.csv` (defined in `columns::risk`).
pub const HEADER: &str = crate::columns::risk::HEADER;

/// Writes `risk.csv`.
pub fn write_csv(flags: &[Flag], out: &mut impl Write) -> io::Result<()> {
    writeln!(out, "{HEADER}")?;
    for f in flags {
        write!(
            out,
            "{},{},{},{},{},{},{},",
            f.customer, f.group, f.family, f.measure, f.value, f.family_median, f.family_scale
        )?;
        if let Some(z) = f.robust_z {
            write!(out, "{z}")?;
        }
        writeln!(out)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn customer(id: u32, orders: u32, cancels: u32) -> Customer {
        Customer {
            id,
            group: 0,
            family: "zero_intelligence",
            orders,
            cancels,
            rejections: 0,
            failed_sales: 0,
            self_trades: 0,
        }
    }

    #[test]
    fn an_outlier_is_flagged_with_its_robust_z() {
        // Orders 10, 11, 12, 13, 100 over 10 hours: rates 1.0, 1.1, 1.2, 1.3, 10.0.
        // Median 1.2; deviations 0.2, 0.1, 0, 0.1, 8.8 → MAD 0.1, scale 0.14826.
        let cs: Vec<Customer> =
            [10, 11, 12, 13, 100].iter().enumerate().map(|(i, &o)| customer(i as u32 + 1, o, 0)).collect();
        let (flags, summary) = report(&cs, 10.0, 1.0, 3.5);
        let rate: Vec<&Flag> = flags.iter().filter(|f| f.measure == "order_rate").collect();
        assert_eq!(rate.len(), 1);
        assert_eq!(rate[0].customer, 5);
        let z = rate[0].robust_z.unwrap();
        assert!((z - (10.0 - 1.2) / 0.14826).abs() < 1e-6, "z {z}");
        assert_eq!(summary.flags_by_measure["order_rate"], 1);
    }

    #[test]
    fn a_zero_mad_falls_back_to_the_mean_deviation_and_self_trades_are_always_reported() {
        // Cancels per order: 0, 0, 0, 0, 0.5 → median 0, MAD 0; mean deviation 0.1, scale 0.12533.
        let mut cs: Vec<Customer> = (1..=5).map(|i| customer(i, 10, 0)).collect();
        cs[4].cancels = 5;
        cs[1].self_trades = 2;
        let (flags, summary) = report(&cs, 10.0, 1.0, 3.5);
        let cancel: Vec<&Flag> = flags.iter().filter(|f| f.measure == "cancel_ratio").collect();
        assert_eq!(cancel.len(), 1);
        assert!((cancel[0].robust_z.unwrap() - 0.5 / 0.12533).abs() < 1e-6);
        assert_eq!(summary.self_trades.customers, 1);
        assert_eq!(summary.self_trades.trades, 2);
        assert!(flags.iter().any(|f| f.measure == "self_trades" && f.customer == 2 && f.robust_z.is_none()));
        let mut out = Vec::new();
        write_csv(&flags, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with(HEADER));
        assert!(text.contains("2,0,zero_intelligence,self_trades,2,0,0,\n"));
    }

    #[test]
    fn families_are_compared_separately() {
        let mut cs: Vec<Customer> = (1..=5).map(|i| customer(i, 10 + i, 0)).collect();
        for i in 6..=10 {
            let mut c = customer(i, 100 + i, 0);
            c.family = "rational";
            cs.push(c);
        }
        // Rates differ tenfold between the families, but within each they are alike.
        let (flags, _) = report(&cs, 10.0, 1.0, 3.5);
        assert!(flags.iter().all(|f| f.measure != "order_rate"), "{flags:?}");
    }
}
