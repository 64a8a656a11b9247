//! Why a correlation of `summary.json` is undefined ("n/a"), in words, from
//! the windows of `metrics.csv` it is computed over: no window or too few
//! closed an order of the side, or one of the two series was constant (the
//! loan rate did not move, nothing traded, every order filled).

use super::data::MetricsRow;
use super::num::{count, pct};

/// A correlation needs at least this many windows (as `metrics::stats::pearson`).
const MIN_WINDOWS: usize = 3;

/// One window's figures for a summary block (a product, or all products together).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WindowFigures {
    /// Subscription success; `None` when no buy order closed.
    pub sub: Option<f64>,
    /// Sale success; `None` when no sell order closed.
    pub sale: Option<f64>,
    /// Lots traded.
    pub volume: f64,
    /// The loan rate at the window's start; `None` without the column.
    pub loan: Option<f64>,
    /// Buy orders filled whole and closed; `None` without the columns.
    pub sub_counts: Option<(f64, f64)>,
    /// Sell orders filled whole and closed; `None` without the columns.
    pub sale_counts: Option<(f64, f64)>,
}

/// The windows of one product.
pub fn product_windows(rows: &[MetricsRow]) -> Vec<WindowFigures> {
    rows.iter()
        .map(|r| WindowFigures {
            sub: r.sub_success,
            sale: r.sale_success,
            volume: r.volume,
            loan: r.loan_rate,
            sub_counts: r.buy_filled.zip(r.buy_closed),
            sale_counts: r.sell_filled.zip(r.sell_closed),
        })
        .collect()
}

/// The windows of all products together (the summary's `all` block): each
/// side's success pooled over the products (filled whole / closed), volume
/// summed. `None` when `metrics.csv` lacks the counts to pool.
pub fn pooled_windows(products: &[&[MetricsRow]]) -> Option<Vec<WindowFigures>> {
    let first = products.first()?;
    let mut out = Vec::with_capacity(first.len());
    for (i, r0) in first.iter().enumerate() {
        let mut w = WindowFigures { loan: r0.loan_rate, ..WindowFigures::default() };
        let (mut bf, mut bc, mut sf, mut sc) = (0.0, 0.0, 0.0, 0.0);
        for rows in products {
            let r = rows.get(i).filter(|r| r.window == r0.window)?;
            bf += r.buy_filled?;
            bc += r.buy_closed?;
            sf += r.sell_filled?;
            sc += r.sell_closed?;
            w.volume += r.volume;
        }
        w.sub = (bc > 0.0).then(|| bf / bc);
        w.sale = (sc > 0.0).then(|| sf / sc);
        (w.sub_counts, w.sale_counts) = (Some((bf, bc)), Some((sf, sc)));
        out.push(w);
    }
    Some(out)
}

/// Which side's success.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SuccessSide {
    /// Buy orders.
    Subscriptions,
    /// Sell orders.
    Sales,
}

/// What success is correlated with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Other {
    /// Lots traded in the window.
    Volume,
    /// The loan rate at the window's start.
    LoanRate,
}

/// Why the correlation of `side`'s success with `other` over `windows` is
/// undefined, as a clause: "the loan rate was constant (4.35%) over those
/// 66 windows". `None` when nothing in the windows explains it (it should
/// then be defined).
pub fn why_undefined(windows: &[WindowFigures], side: SuccessSide, other: Other) -> Option<String> {
    let (order, noun) = match side {
        SuccessSide::Subscriptions => ("buy order", "subscription success"),
        SuccessSide::Sales => ("sell order", "sale success"),
    };
    let success = |w: &WindowFigures| match side {
        SuccessSide::Subscriptions => w.sub,
        SuccessSide::Sales => w.sale,
    };
    let with_success = windows.iter().filter(|w| success(w).is_some()).count();
    if with_success == 0 {
        return Some(format!("no customer's {order} closed in any window"));
    }
    let pairs: Vec<(f64, f64)> = windows
        .iter()
        .filter_map(|w| {
            let y = match other {
                Other::Volume => Some(w.volume),
                Other::LoanRate => w.loan,
            };
            success(w).zip(y)
        })
        .collect();
    if other == Other::LoanRate && pairs.is_empty() {
        return Some("`metrics.csv` has no loan rate to tell why".into());
    }
    let n = pairs.len();
    if n < MIN_WINDOWS {
        let windows = if n == 1 { "window" } else { "windows" };
        return Some(format!("only {n} {windows} closed a {order}; a correlation needs {MIN_WINDOWS}"));
    }
    let over = format!("over the {} windows that closed a {order}", count(n as f64));
    let constant = |f: fn(&(f64, f64)) -> f64| pairs.iter().all(|p| f(p) == f(&pairs[0]));
    if constant(|p| p.1) {
        let v = pairs[0].1;
        return Some(match other {
            Other::LoanRate => format!("the loan rate was constant ({}) {over}", pct_rate(v)),
            Other::Volume if v == 0.0 => format!("nothing traded {over}"),
            Other::Volume => format!("the volume was the same ({} lots) in each of the {n} windows", count(v)),
        });
    }
    if constant(|p| p.0) {
        return Some(format!(
            "{noun} was {} in every one of the {} windows that closed a {order}",
            pct(Some(pairs[0].0)),
            count(n as f64)
        ));
    }
    None
}

/// A rate as a percentage with two decimals: `4.35%`.
fn pct_rate(v: f64) -> String {
    format!("{}%", super::num::fixed(v * 100.0, 2))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(sub: Option<f64>, volume: f64, loan: f64) -> WindowFigures {
        WindowFigures { sub, volume, loan: Some(loan), ..WindowFigures::default() }
    }

    #[test]
    fn each_reason_is_told() {
        let flat = vec![w(Some(0.2), 5.0, 0.0435), w(Some(0.4), 7.0, 0.0435), w(Some(0.3), 1.0, 0.0435)];
        assert_eq!(
            why_undefined(&flat, SuccessSide::Subscriptions, Other::LoanRate).unwrap(),
            "the loan rate was constant (4.35%) over the 3 windows that closed a buy order"
        );
        assert_eq!(why_undefined(&flat, SuccessSide::Subscriptions, Other::Volume), None);
        assert_eq!(
            why_undefined(&flat, SuccessSide::Sales, Other::Volume).unwrap(),
            "no customer's sell order closed in any window"
        );
        let two = vec![w(Some(0.2), 5.0, 0.04), w(None, 7.0, 0.05), w(Some(0.3), 1.0, 0.06)];
        assert_eq!(
            why_undefined(&two, SuccessSide::Subscriptions, Other::LoanRate).unwrap(),
            "only 2 windows closed a buy order; a correlation needs 3"
        );
        let idle = vec![w(Some(0.2), 0.0, 0.04), w(Some(0.1), 0.0, 0.05), w(Some(0.3), 0.0, 0.06)];
        assert!(why_undefined(&idle, SuccessSide::Subscriptions, Other::Volume).unwrap().starts_with("nothing traded"));
        let full = vec![w(Some(1.0), 3.0, 0.04), w(Some(1.0), 0.0, 0.05), w(Some(1.0), 2.0, 0.06)];
        assert_eq!(
            why_undefined(&full, SuccessSide::Subscriptions, Other::LoanRate).unwrap(),
            "subscription success was 100.0% in every one of the 3 windows that closed a buy order"
        );
        let no_rate = vec![WindowFigures { sub: Some(0.5), ..WindowFigures::default() }; 4];
        assert!(why_undefined(&no_rate, SuccessSide::Subscriptions, Other::LoanRate).unwrap().contains("no loan rate"));
    }

    #[test]
    fn pooled_success_is_filled_over_closed_of_all_products() {
        let row = |w, bf, bc, v| MetricsRow {
            window: w,
            buy_filled: Some(bf),
            buy_closed: Some(bc),
            sell_filled: Some(0.0),
            sell_closed: Some(0.0),
            volume: v,
            ..MetricsRow::default()
        };
        let a = vec![row(0, 1.0, 2.0, 3.0), row(1, 0.0, 0.0, 1.0)];
        let b = vec![row(0, 3.0, 6.0, 4.0), row(1, 1.0, 4.0, 0.0)];
        let p = pooled_windows(&[&a, &b]).unwrap();
        assert_eq!((p[0].sub, p[0].sale, p[0].volume), (Some(0.5), None, 7.0));
        assert_eq!(p[1].sub, Some(0.25));
        let bare = vec![MetricsRow::default()];
        assert_eq!(pooled_windows(&[&bare]), None);
    }
}
