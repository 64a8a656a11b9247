//! `credit_fit.csv` and the `credit_fit` block of `summary.json`: each fit of
//! a refitted scorecard with its in-sample power, and each out-of-time test.

use std::io::{self, Write};

use crate::calendar::Calendar;
use crate::columns::{credit_fit, write_row};
use crate::credit::refit::{FEATURES, FitRow, RowKind};
use crate::metrics::OptDisplay;
use crate::metrics::credit_fit::{CreditFitSummary, PowerSummary};
use crate::scenario::CreditFit;

/// Writes `credit_fit.csv`: one row per fit and out-of-time test.
pub fn write_csv(rows: &[FitRow], cal: &Calendar, w: &mut impl Write) -> io::Result<()> {
    writeln!(w, "{}", credit_fit::HEADER)?;
    for r in rows {
        let (auc, ks, status) = match &r.power {
            Ok(p) => (Some(p.auc), Some(p.ks), "ok"),
            Err(e) => (None, None, e.code()),
        };
        let iv = |k: usize| OptDisplay(r.features.as_ref().map(|f| f[k].0));
        let coef = |k: usize| OptDisplay(r.features.as_ref().map(|f| f[k].1));
        write_row!(w, credit_fit::COLUMNS;
            day = r.day,
            date = cal.day(r.day).date,
            kind = r.kind.name(),
            model = r.model,
            sample_day = r.sample_day,
            rows = r.rows,
            bads = r.bads,
            auc = OptDisplay(auc),
            ks = OptDisplay(ks),
            status = status,
            iv_tenure_days = iv(0),
            iv_income_band = iv(1),
            iv_orders = iv(2),
            iv_cancel_ratio = iv(3),
            iv_unbacked_ratio = iv(4),
            iv_failed_sales = iv(5),
            iv_lots_held = iv(6),
            coef_tenure_days = coef(0),
            coef_income_band = coef(1),
            coef_orders = coef(2),
            coef_cancel_ratio = coef(3),
            coef_unbacked_ratio = coef(4),
            coef_failed_sales = coef(5),
            coef_lots_held = coef(6),
        )?;
    }
    Ok(())
}

fn power_summary(rows: &[FitRow], kind: RowKind) -> PowerSummary {
    let of_kind = || rows.iter().filter(move |r| r.kind == kind);
    let measured: Vec<(f64, f64)> = of_kind().filter_map(|r| r.power.as_ref().ok().map(|p| (p.auc, p.ks))).collect();
    let n = measured.len();
    let mean = |f: fn(&(f64, f64)) -> f64| (n > 0).then(|| measured.iter().map(f).sum::<f64>() / n as f64);
    PowerSummary {
        measured: n,
        failed: of_kind().count() - n,
        auc_mean: mean(|p| p.0),
        auc_min: measured.iter().map(|p| p.0).reduce(f64::min),
        ks_mean: mean(|p| p.1),
    }
}

/// The summary of a run's fits and tests.
pub fn summary(rows: &[FitRow], fit: &CreditFit) -> CreditFitSummary {
    CreditFitSummary {
        horizon_days: fit.horizon_days,
        refit_days: fit.refit_days,
        first_fit_day: fit.first_fit_day(),
        features: FEATURES.iter().map(|f| f.to_string()).collect(),
        in_sample: power_summary(rows, RowKind::Fit),
        out_of_time: power_summary(rows, RowKind::OutOfTime),
        last_iv: rows.iter().rev().find_map(|r| r.features.as_ref()).map(|f| f.iter().map(|&(iv, _)| iv).collect()),
    }
}
