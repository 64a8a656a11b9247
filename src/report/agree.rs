//! Whether a run directory's files come from one run: `metrics.csv`,
//! `summary.json` and `manifest.json` are written together, but a copy by
//! hand, or a file kept from an earlier run, can pair two runs' files, and
//! a report drawn from them would mix their figures without a sign. The
//! summary's run totals are sums over the windows of `metrics.csv`, so the
//! two files must agree on the windows, the products and those sums; the
//! manifest names the scenario and seed the summary names.

use super::data::{ManifestInfo, MetricsTable, ProductRows};
use crate::metrics::{ProductSummary, SummaryFile};

/// What two of the run's files disagree on, in words: `None` when they
/// agree on everything both of them hold (a figure a file lacks, as an
/// older run's may, is not compared).
pub fn disagreement(metrics: &MetricsTable, summary: &SummaryFile, manifest: Option<&ManifestInfo>) -> Option<String> {
    if let Some(m) = manifest {
        if let Some(name) = m.scenario.as_deref().filter(|n| *n != summary.scenario) {
            return Some(format!("manifest.json is of scenario `{name}`, summary.json of `{}`", summary.scenario));
        }
        if let Some(seed) = m.seed.filter(|s| *s != summary.seed) {
            return Some(format!("manifest.json is of seed {seed}, summary.json of seed {}", summary.seed));
        }
    }
    let s = &summary.summary;
    let in_metrics: Vec<&str> = metrics.products.iter().map(|p| p.product.as_str()).collect();
    let in_summary: Vec<&str> = s.products.iter().map(|p| p.product.as_str()).collect();
    if !in_summary.is_empty() && in_metrics != in_summary {
        return Some(format!(
            "metrics.csv has the products {}, summary.json {}",
            in_metrics.join(", "),
            in_summary.join(", ")
        ));
    }
    for rows in &metrics.products {
        if s.windows != 0 && rows.rows.len() != s.windows {
            return Some(format!(
                "metrics.csv has {} windows of {}, summary.json says the run had {}",
                rows.rows.len(),
                rows.product,
                s.windows
            ));
        }
        if let Some(block) = s.product(&rows.product)
            && let Some(what) = totals_differ(rows, block)
        {
            return Some(format!("{} of metrics.csv against summary.json: {what}", rows.product));
        }
    }
    None
}

/// The first of a product's run totals that its windows do not sum to.
fn totals_differ(rows: &ProductRows, block: &ProductSummary) -> Option<String> {
    let sum = |f: fn(&super::data::MetricsRow) -> Option<f64>| -> Option<u64> {
        rows.rows.iter().map(f).sum::<Option<f64>>().map(|x| x.round() as u64)
    };
    let checks: [(&str, Option<u64>, u64); 5] = [
        ("volume", sum(|r| Some(r.volume)), block.volume),
        ("buy_closed", sum(|r| r.buy_closed), block.subscriptions.closed),
        ("buy_filled", sum(|r| r.buy_filled), block.subscriptions.filled),
        ("sell_closed", sum(|r| r.sell_closed), block.sales.closed),
        ("sell_filled", sum(|r| r.sell_filled), block.sales.filled),
    ];
    checks.into_iter().find_map(|(column, windows, total)| {
        windows.filter(|w| *w != total).map(|w| format!("its windows' {column} sum to {w}, the run's total is {total}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::data::MetricsRow;

    fn table(products: &[(&str, &[(f64, f64)])]) -> MetricsTable {
        MetricsTable {
            columns: vec!["window".into(), "product".into(), "volume".into(), "buy_closed".into()],
            products: products
                .iter()
                .map(|(id, rows)| ProductRows {
                    product: id.to_string(),
                    rows: rows
                        .iter()
                        .enumerate()
                        .map(|(w, &(volume, closed))| MetricsRow {
                            window: w as u64,
                            volume,
                            buy_closed: Some(closed),
                            ..MetricsRow::default()
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    fn summary(windows: usize, products: &[(&str, u64, u64)]) -> SummaryFile {
        let mut s = SummaryFile { scenario: "s".into(), seed: 7, ..SummaryFile::default() };
        s.summary.windows = windows;
        for &(id, volume, closed) in products {
            let mut b = ProductSummary { product: id.into(), volume, ..ProductSummary::default() };
            b.subscriptions.closed = closed;
            s.summary.products.push(b);
        }
        s
    }

    fn manifest(scenario: &str, seed: u64) -> ManifestInfo {
        ManifestInfo {
            scenario: Some(scenario.into()),
            seed: Some(seed),
            version: None,
            rolling_windows: None,
            events: Vec::new(),
        }
    }

    #[test]
    fn one_runs_files_agree() {
        let m = table(&[("A", &[(3.0, 1.0), (4.0, 2.0)]), ("B", &[(0.0, 0.0), (1.0, 5.0)])]);
        let s = summary(2, &[("A", 7, 3), ("B", 1, 5)]);
        assert_eq!(disagreement(&m, &s, Some(&manifest("s", 7))), None);
        assert_eq!(disagreement(&m, &s, None), None);
    }

    #[test]
    fn two_runs_files_are_told_apart() {
        let m = table(&[("A", &[(3.0, 1.0), (4.0, 2.0)])]);
        let ok = summary(2, &[("A", 7, 3)]);
        let said = |s: &SummaryFile, man: Option<&ManifestInfo>| disagreement(&m, s, man).unwrap_or_default();
        assert_eq!(said(&ok, Some(&manifest("t", 7))), "manifest.json is of scenario `t`, summary.json of `s`");
        assert_eq!(said(&ok, Some(&manifest("s", 8))), "manifest.json is of seed 8, summary.json of seed 7");
        assert_eq!(
            said(&summary(3, &[("A", 7, 3)]), None),
            "metrics.csv has 2 windows of A, summary.json says the run had 3"
        );
        assert_eq!(said(&summary(2, &[("B", 7, 3)]), None), "metrics.csv has the products A, summary.json B");
        assert!(said(&summary(2, &[("A", 8, 3)]), None).ends_with("volume sum to 7, the run's total is 8"));
        assert!(said(&summary(2, &[("A", 7, 4)]), None).ends_with("buy_closed sum to 3, the run's total is 4"));
    }

    /// An older run's metrics.csv without the count columns, or a summary
    /// without the windows, compares what is there.
    #[test]
    fn what_a_file_lacks_is_not_compared() {
        let mut m = table(&[("A", &[(3.0, 1.0), (4.0, 2.0)])]);
        for r in &mut m.products[0].rows {
            r.buy_closed = None;
        }
        assert_eq!(disagreement(&m, &summary(0, &[("A", 7, 99)]), None), None);
        assert_eq!(disagreement(&m, &summary(2, &[]), None), None);
    }
}
