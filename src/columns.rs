//! The columns of every CSV file tplus writes, each file's list defined once:
//! the writers take their header from it and write their rows through
//! `write_row!` or `cells!`, which check the cells' names against it when
//! the crate compiles (the line files, `trades.csv` and `events.csv`, are
//! formatted for speed by `results::line` in the columns' order, kept by
//! hand: a unit test counts the operation log's cells, and the replay reads
//! `trades.csv` back); the readers ask for columns by `name!`, checked the
//! same way; and
//! a test holds the column tables of `scenarios/README.md` and
//! `scenarios/sweeps/README.md` to it. The one-line meanings here are for code and tools; the READMEs say in
//! full how each figure is computed.
//!
//! A leaf: it uses nothing else in the crate but `const_str`, so every
//! room may use it.

use std::fmt;

/// One column of an output file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Column {
    /// The header name.
    pub name: &'static str,
    /// What a cell holds, in one line, with its unit.
    pub meaning: &'static str,
}

/// Whether `names` are the names of `columns`, in order. A `const fn` so a
/// writer's cells can be checked against the schema when it compiles.
pub const fn names_match(columns: &[Column], names: &[&str]) -> bool {
    if columns.len() != names.len() {
        return false;
    }
    let mut i = 0;
    while i < names.len() {
        if !crate::const_str::eq(columns[i].name, names[i]) {
            return false;
        }
        i += 1;
    }
    true
}

/// Whether `columns` has a column named `name`. A `const fn` so the names a
/// reader asks for can be checked against the schema when it compiles.
pub const fn has(columns: &[Column], name: &str) -> bool {
    let mut i = 0;
    while i < columns.len() {
        if crate::const_str::eq(columns[i].name, name) {
            return true;
        }
        i += 1;
    }
    false
}

/// The position of a column by name.
pub fn position(columns: &[Column], name: &str) -> Option<usize> {
    columns.iter().position(|c| c.name == name)
}

/// Defines a file's `COLUMNS` and its `HEADER` line (without the line break)
/// from one list, so the two cannot differ.
macro_rules! schema {
    ($(#[$doc:meta])* $file:ident { $first:literal: $first_meaning:literal $(, $name:literal: $meaning:literal)* $(,)? }) => {
        $(#[$doc])*
        pub mod $file {
            use super::Column;

            /// The columns, in file order.
            pub const COLUMNS: &[Column] = &[
                Column { name: $first, meaning: $first_meaning },
                $(Column { name: $name, meaning: $meaning },)*
            ];

            /// The header line, without its line break.
            pub const HEADER: &str = concat!($first $(, ",", $name)*);
        }
    };
}

/// Fails the build unless the cells' names are the schema's `COLUMNS`, in
/// order: the check shared by [`write_row`] and [`cells`].
macro_rules! check_names {
    ($columns:path; $($name:ident),+) => {
        const _: () = assert!(
            $crate::columns::names_match($columns, &[$(stringify!($name)),+]),
            "the cells are not the schema's columns in order"
        );
    };
}
pub(crate) use check_names;

/// A value a cell can hold, and whether it is a real number rather than a
/// count or a name.
///
/// A real's cell always shows a decimal point (`1.0`, never `1`): readers
/// that guess a column's type from its first rows (polars reads 100 by
/// default) would otherwise take a column that opens with whole values
/// (`nav` on the first day, `shock` before any shock) for integers and
/// then fail on its first fraction, and two runs' files would not agree on
/// a column's type.
pub trait CellValue: fmt::Display {
    /// Whether the value is a real number.
    const REAL: bool = false;
}

macro_rules! not_real {
    ($($t:ty),*) => { $(impl CellValue for $t {})* };
}
not_real!(u8, u16, u32, u64, usize, i32, i64, bool, str, String);

impl CellValue for f64 {
    const REAL: bool = true;
}

impl<T: CellValue + ?Sized> CellValue for &T {
    const REAL: bool = T::REAL;
}

/// A value as its cell shows it: as `Display` shows it, with `.0` after a
/// real that came out as digits alone.
pub struct AsCell<'a, T: ?Sized>(pub &'a T);

impl<T: CellValue + ?Sized> fmt::Display for AsCell<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !T::REAL {
            return self.0.fmt(f);
        }
        let mut shown = Pointless { f, digits: false, other: false };
        fmt::write(&mut shown, format_args!("{}", self.0))?;
        if shown.digits && !shown.other { f.write_str(".0") } else { Ok(()) }
    }
}

/// Passes text on, noting whether it was digits (and signs) alone.
struct Pointless<'a, 'b> {
    f: &'a mut fmt::Formatter<'b>,
    digits: bool,
    other: bool,
}

impl fmt::Write for Pointless<'_, '_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for b in s.bytes() {
            match b {
                b'0'..=b'9' => self.digits = true,
                b'-' => {}
                // A point, an exponent, `NaN` or `inf`.
                _ => self.other = true,
            }
        }
        self.f.write_str(s)
    }
}

/// `value` as its cell shows it, as text (for files whose rows are
/// assembled from strings, `sweep.csv`).
pub fn cell_text<T: CellValue + ?Sized>(value: &T) -> String {
    AsCell(value).to_string()
}

/// A figure's cell: empty when it is undefined or not finite, else the
/// shortest text that reads back as the same `f64`, with its point.
pub fn figure_text(x: Option<f64>) -> String {
    match x {
        Some(v) if v.is_finite() => cell_text(&v),
        _ => String::new(),
    }
}

/// Writes one row of a schema's file, each cell named by its column: the
/// names are checked against `COLUMNS` (order included) when the crate
/// compiles, so the row cannot drift from the header. Cells are written
/// as [`AsCell`] shows them, comma-separated, then a line break.
macro_rules! write_row {
    ($out:expr, $columns:path; $first:ident = $first_value:expr $(, $name:ident = $value:expr)* $(,)?) => {{
        $crate::columns::check_names!($columns; $first $(, $name)*);
        write!($out, "{}", $crate::columns::AsCell(&$first_value))?;
        $(write!($out, ",{}", $crate::columns::AsCell(&$value))?;)*
        writeln!($out)
    }};
}
pub(crate) use write_row;

/// The cells of one row as strings, each named by its column and checked
/// against `COLUMNS` (order included) when the crate compiles, as
/// [`write_row`] does: for a file whose rows are assembled from parts
/// before they are written (`sweep.csv`). A cell is `name = value`, or
/// `name` alone for a variable of the column's name.
macro_rules! cells {
    (@cell $name:ident) => { $name };
    (@cell $name:ident = $value:expr) => { $value };
    ($columns:path; $($name:ident $(= $value:expr)?),+ $(,)?) => {{
        $crate::columns::check_names!($columns; $($name),+);
        vec![$($crate::columns::cells!(@cell $name $(= $value)?)),+]
    }};
}
pub(crate) use cells;

/// A column's name as a reader asks for it, checked against the schema's
/// `COLUMNS` when the crate compiles: a column the writer renames or drops
/// fails the build instead of reading as absent. The reports and the
/// replay are its users.
macro_rules! name {
    ($columns:path, $name:literal) => {{
        const _: () = assert!($crate::columns::has($columns, $name), concat!("no column `", $name, "` in the schema"));
        $name
    }};
}
pub(crate) use name;

schema! {
    /// `metrics.csv`: one row per (window, product).
    metrics {
        "product": "product id",
        "window": "global window index from 0 (business day × windows a day + window of the day)",
        "day": "business-day index from 0",
        "date": "calendar date of the business day (YYYY-MM-DD)",
        "t_start": "window start, seconds since 00:00 of the start date",
        "t_end": "window end (exclusive, at most the close), seconds since 00:00 of the start date",
        "buy_closed": "customers' buy orders (subscriptions) that closed in the window",
        "buy_filled": "of those, the ones filled whole",
        "sub_success": "subscription success probability, buy_filled / buy_closed; empty when none closed",
        "sell_closed": "customers' sell orders that closed in the window, plus holdings redeemed at the limit",
        "sell_filled": "of those, the sell orders filled whole",
        "sale_success": "sale success probability, sell_filled / sell_closed; empty when none closed",
        "volume": "lots traded in the window, platform trades included",
        "last_price": "price of the latest trade so far, carried forward (currency); empty before any trade",
        "loan_rate": "loan rate at the window's start (annual, fraction)",
        "trades": "executions in the window",
        "buy_lots": "lots ordered by the buy orders counted in buy_closed",
        "buy_lots_filled": "lots filled of those orders",
        "sell_lots": "lots ordered by the sales counted in sell_closed (redeemed holdings included)",
        "sell_lots_filled": "lots filled of those sales",
        "rejected": "customers' orders rejected on arrival in the window, both sides",
        "redeemed_failed": "holdings redeemed at the holding limit in the window (a count of holdings)",
        "deposit_rate": "deposit rate at the window's start (annual, fraction)",
        "price_level": "price level at the window's start",
        "shock": "shock at the window's start",
        "optimist_share": "share of optimists among herding customers at the window's end; empty without herding",
        "buy_orders": "customers' buy orders that reached the platform in the window",
        "sell_orders": "customers' sell orders that reached the platform in the window",
        "sub_success_lo": "low end of the 95% Wilson interval of sub_success",
        "sub_success_hi": "high end of the 95% Wilson interval of sub_success",
        "sale_success_lo": "low end of the 95% Wilson interval of sale_success",
        "sale_success_hi": "high end of the 95% Wilson interval of sale_success",
        "sub_fill_ratio": "buy_lots_filled / buy_lots",
        "sale_fill_ratio": "sell_lots_filled / sell_lots",
        "sub_time_to_fill": "mean seconds from arrival to last fill of the buy orders filled whole",
        "sale_time_to_fill": "mean seconds from arrival to last fill of the sell orders filled whole",
        "mid_price": "(best bid + best ask) / 2 at the window's end (currency); empty when a side is empty",
        "nav": "the product's NAV on the window's business day (currency)",
        "roll_sub_pearson": "Pearson r of sub_success with volume over the last rolling_windows windows",
        "roll_sub_spearman": "Spearman rho of sub_success with volume over the last rolling_windows windows",
        "roll_sale_pearson": "Pearson r of sale_success with volume over the last rolling_windows windows",
        "roll_sale_spearman": "Spearman rho of sale_success with volume over the last rolling_windows windows",
        "net_buyers": "customers with more buys than sells of this product in the window",
        "net_sellers": "customers with more sells than buys of this product in the window",
        "lsv": "Lakonishok–Shleifer–Vishny herding measure of this product in the window; empty unless two or more products had net traders",
        "lsv_p_bar": "the window's p̄: mean over products with net traders of net_buyers / (net_buyers + net_sellers); empty with fewer than two",
        "bid_lots": "mean lots resting at the best five bid prices, sampled each return_step and at the window's end",
        "ask_lots": "mean lots resting at the best five ask prices, sampled each return_step and at the window's end",
        "buy_rejected": "of buy_closed, the buy orders rejected on arrival (never reached the book)",
        "sell_rejected": "of sell_closed, the sell orders rejected on arrival (never reached the book)",
        "roll_sub_pearson_lo": "low end of the 95% interval of roll_sub_pearson with Bartlett's effective number of windows",
        "roll_sub_pearson_hi": "high end of that interval",
        "roll_sale_pearson_lo": "low end of the 95% interval of roll_sale_pearson with Bartlett's effective number of windows",
        "roll_sale_pearson_hi": "high end of that interval",
    }
}

schema! {
    /// `trades.csv`: one row per execution.
    trades {
        "time": "seconds since 00:00 of the start date",
        "product": "product id",
        "price": "execution price (currency)",
        "lots": "lots traded",
        "buyer": "buyer's account id (0 the platform, customers 1…N)",
        "seller": "seller's account id (0 the platform, customers 1…N)",
        "buy_order": "the buy order's serial number, in arrival order",
        "sell_order": "the sell order's serial number, in arrival order",
        "aggressor": "side of the incoming order: buy or sell",
    }
}

schema! {
    /// `events.csv` (with `--log`): one row per operation.
    events {
        "time": "seconds since 00:00 of the start date",
        "op": "the operation: submitted, accepted, rejected, traded, filled, …",
        "order": "the order's serial number, in arrival order",
        "agent": "account id (0 the platform, customers 1…N)",
        "product": "product id",
        "side": "buy or sell; empty when the operation has none",
        "kind": "limit, ioc or market; empty when the operation has none",
        "aon": "1 for an all-or-none order, else 0",
        "price": "limit price (currency); empty for a market order or none",
        "lots": "lots concerned (for a final state: the unfilled remainder)",
        "reason": "why an order or a change was rejected; empty otherwise",
    }
}

schema! {
    /// `risk.csv`: one row per (customer, measure) far from its family.
    risk {
        "customer": "account id (customers 1…N)",
        "group": "index of the customer's [[agents]] group, from 0",
        "family": "the group's family: zero_intelligence, rational, herding, macro or market_maker",
        "planted": "the abuse the customer was planted with (wash, spoof, churn); empty for an ordinary customer",
        "measure": "order_rate, cancel_ratio, fleeting_ratio, rejection_rate, failed_sales_per_day, next_day_resale_share or self_trades",
        "value": "the customer's value of the measure",
        "family_median": "the family's median of the measure",
        "family_scale": "the family's robust scale: 1.4826 × MAD or 1.2533 × mean absolute deviation",
        "scale": "the scale z is measured in: sqrt(family_scale² + the customer's own sampling variance)",
        "robust_z": "(value − family_median) / scale; empty for self_trades",
    }
}

schema! {
    /// `credit_fit.csv` (with `[credit.fit]`): one row per fit of the scorecard
    /// and per out-of-time test of a fitted one.
    credit_fit {
        "day": "business-day index (from 0) of the close at which the fit or test ran",
        "date": "calendar date of that business day (YYYY-MM-DD)",
        "kind": "fit (a model fitted, power in sample) or out_of_time (an earlier model tested on a later sample)",
        "model": "the model concerned: its index among the fits, from 0",
        "sample_day": "business day whose close the sample's features were taken at",
        "rows": "customers in the sample",
        "bads": "of those, customers with a failed sale (a holding redeemed at the holding limit) after sample_day up to day",
        "auc": "area under the ROC curve: probability a good customer scores above a bad one (ties ½); empty if it could not be computed",
        "ks": "Kolmogorov–Smirnov distance between goods' and bads' scores; empty if it could not be computed",
        "status": "ok, or why the fit or test failed: one_class (no bads or no goods), singular, no_convergence, …",
        "iv_tenure_days": "information value of tenure_days in this fit (Siddiqi: <0.02 useless, >0.3 strong); empty on out_of_time rows",
        "iv_income_band": "information value of income_band in this fit (Siddiqi: <0.02 useless, >0.3 strong); empty on out_of_time rows",
        "iv_orders": "information value of orders in this fit (Siddiqi: <0.02 useless, >0.3 strong); empty on out_of_time rows",
        "iv_cancel_ratio": "information value of cancel_ratio in this fit (Siddiqi: <0.02 useless, >0.3 strong); empty on out_of_time rows",
        "iv_unbacked_ratio": "information value of unbacked_ratio in this fit (Siddiqi: <0.02 useless, >0.3 strong); empty on out_of_time rows",
        "iv_failed_sales": "information value of failed_sales in this fit (Siddiqi: <0.02 useless, >0.3 strong); empty on out_of_time rows",
        "iv_lots_held": "information value of lots_held in this fit (Siddiqi: <0.02 useless, >0.3 strong); empty on out_of_time rows",
        "coef_tenure_days": "logistic coefficient on tenure_days's weight of evidence; empty on out_of_time rows",
        "coef_income_band": "logistic coefficient on income_band's weight of evidence; empty on out_of_time rows",
        "coef_orders": "logistic coefficient on orders's weight of evidence; empty on out_of_time rows",
        "coef_cancel_ratio": "logistic coefficient on cancel_ratio's weight of evidence; empty on out_of_time rows",
        "coef_unbacked_ratio": "logistic coefficient on unbacked_ratio's weight of evidence; empty on out_of_time rows",
        "coef_failed_sales": "logistic coefficient on failed_sales's weight of evidence; empty on out_of_time rows",
        "coef_lots_held": "logistic coefficient on lots_held's weight of evidence; empty on out_of_time rows",
    }
}

/// `sweep.csv`: one row per run. Its parameter columns depend on the sweep,
/// so the file's columns are [`sweep::KEY`], one per parameter (named by its
/// path), [`sweep::STATUS`], [`sweep_results::COLUMNS`], [`sweep::DIGEST`]
/// and [`sweep::WALL`]; `crate::batch::csv::columns` joins them.
pub mod sweep {
    use super::Column;

    /// The run's key, first.
    pub const KEY: &[Column] = &[
        Column { name: "point", meaning: "index of the design point, from 0" },
        Column { name: "replication", meaning: "replication of the point, from 0" },
        Column { name: "seed", meaning: "the run's seed, from the sweep seed, point and replication" },
    ];

    /// After the parameter columns.
    pub const STATUS: &[Column] = &[
        Column { name: "status", meaning: "ok, or failed" },
        Column { name: "error", meaning: "why a failed run failed; empty for ok" },
    ];

    /// After the results: what `tplus merge` checks the row by.
    pub const DIGEST: &[Column] = &[Column {
        name: "digest",
        meaning: "FNV-1a 64-bit hash (16 hex digits) of the row's text before this cell; tplus merge checks it",
    }];

    /// Last: the only column that is not a function of the sweep.
    pub const WALL: &[Column] = &[Column { name: "wall_seconds", meaning: "the run's wall-clock time (seconds)" }];
}

schema! {
    /// `sweep.csv`'s result columns, after `status` and `error`: the figures
    /// of `summary.json` for all products together, but the stylized facts,
    /// which are the first product's. Empty for a failed run.
    sweep_results {
        "sub_closed": "customers' buy orders closed",
        "sub_filled": "of those, filled whole",
        "sub_success": "subscription success probability",
        "sub_success_lo": "low end of its 95% Wilson interval, which takes every order as independent (too narrow when windows are alike)",
        "sub_success_hi": "high end of its 95% Wilson interval",
        "sub_success_serial_lo": "low end of its 95% Newey–West interval over the run's windows, which allows for serial dependence (summary.json's success_ci_95_serial); wider than Wilson's when windows are alike",
        "sub_success_serial_hi": "high end of that interval",
        "sub_fill_ratio": "lots filled / lots ordered by buy orders",
        "sale_closed": "customers' sell orders closed, redeemed holdings included",
        "sale_filled": "of those, filled whole",
        "sale_success": "sale success probability",
        "sale_success_lo": "low end of its 95% Wilson interval, which takes every order as independent (too narrow when windows are alike)",
        "sale_success_hi": "high end of its 95% Wilson interval",
        "sale_success_serial_lo": "low end of its 95% Newey–West interval over the run's windows, which allows for serial dependence (summary.json's success_ci_95_serial); wider than Wilson's when windows are alike",
        "sale_success_serial_hi": "high end of that interval",
        "sale_fill_ratio": "lots filled / lots ordered by sell orders",
        "orders": "customers' orders submitted",
        "rejected": "customers' orders rejected",
        "trades": "executions",
        "volume": "lots traded",
        "turnover": "cash traded (currency)",
        "redeemed_failed_lots": "lots redeemed at the holding limit",
        "sub_success_vs_volume_pearson": "Pearson r of subscription success with volume over windows",
        "sub_success_vs_volume_spearman": "Spearman rho of subscription success with volume over windows",
        "sale_success_vs_volume_pearson": "Pearson r of sale success with volume over windows",
        "sale_success_vs_volume_spearman": "Spearman rho of sale success with volume over windows",
        "sub_success_vs_loan_rate_spearman": "Spearman rho of subscription success with the loan rate",
        "sale_success_vs_loan_rate_spearman": "Spearman rho of sale success with the loan rate",
        "excess_kurtosis_1m": "excess kurtosis of 1-minute returns (first product)",
        "hill_tail_index": "Hill estimate of the return tail index (first product)",
        "acf_return_lag1": "autocorrelation of returns at lag 1 (first product)",
        "acf_abs_return_lag1": "autocorrelation of absolute returns at lag 1 (first product)",
        "abs_acf_decay_exponent": "power-law decay exponent of the absolute-return ACF (first product)",
        "volume_abs_return_pearson": "Pearson r of volume with absolute return (first product)",
        "trade_sign_acf_lag1": "autocorrelation of trade signs at lag 1 (first product)",
        "optimist_share_mean": "mean share of optimists among herding customers",
        "optimist_share_bimodality": "bimodality coefficient of the optimist share",
        "order_imbalance_variance_ratio": "order-imbalance variance / its binomial value",
        "lsv_mean": "mean LSV herding measure over (window, product) cells; empty with one product",
        "cash_conserved": "true when cash was conserved and every account is sound",
    }
}

/// The range a figure of [`sweep_results::COLUMNS`] cannot leave, for the
/// interval of its mean over seeds ([`crate::metrics::stats::mean_t_interval`]
/// cuts it there); a figure not listed has none (the decay exponent).
pub mod result_range {
    use super::sweep_results::COLUMNS;

    const SHARE: (f64, f64) = (0.0, 1.0);
    const COEFFICIENT: (f64, f64) = (-1.0, 1.0);
    const NON_NEGATIVE: (f64, f64) = (0.0, f64::INFINITY);

    /// (column, range). Correlations and the autocorrelations (the standard
    /// estimator, bounded by Cauchy–Schwarz) lie in [−1, 1], and so does
    /// LSV's H = |p − p̄| − AF, both of whose terms lie in [0, 1]. The
    /// excess kurtosis m4/m2² − 3 is at least −2 (m4 ≥ m2²); the
    /// bimodality coefficient is a positive ratio (its denominator is
    /// (n² − 1)(g₂ + 3)/((n − 2)(n − 3)) > 0).
    const RANGES: &[(&str, (f64, f64))] = &[
        ("sub_closed", NON_NEGATIVE),
        ("sub_filled", NON_NEGATIVE),
        ("sub_success", SHARE),
        ("sub_success_lo", SHARE),
        ("sub_success_hi", SHARE),
        ("sub_success_serial_lo", SHARE),
        ("sub_success_serial_hi", SHARE),
        ("sub_fill_ratio", SHARE),
        ("sale_closed", NON_NEGATIVE),
        ("sale_filled", NON_NEGATIVE),
        ("sale_success", SHARE),
        ("sale_success_lo", SHARE),
        ("sale_success_hi", SHARE),
        ("sale_success_serial_lo", SHARE),
        ("sale_success_serial_hi", SHARE),
        ("sale_fill_ratio", SHARE),
        ("orders", NON_NEGATIVE),
        ("rejected", NON_NEGATIVE),
        ("trades", NON_NEGATIVE),
        ("volume", NON_NEGATIVE),
        ("turnover", NON_NEGATIVE),
        ("redeemed_failed_lots", NON_NEGATIVE),
        ("sub_success_vs_volume_pearson", COEFFICIENT),
        ("sub_success_vs_volume_spearman", COEFFICIENT),
        ("sale_success_vs_volume_pearson", COEFFICIENT),
        ("sale_success_vs_volume_spearman", COEFFICIENT),
        ("sub_success_vs_loan_rate_spearman", COEFFICIENT),
        ("sale_success_vs_loan_rate_spearman", COEFFICIENT),
        ("excess_kurtosis_1m", (-2.0, f64::INFINITY)),
        ("hill_tail_index", NON_NEGATIVE),
        ("acf_return_lag1", COEFFICIENT),
        ("acf_abs_return_lag1", COEFFICIENT),
        ("volume_abs_return_pearson", COEFFICIENT),
        ("trade_sign_acf_lag1", COEFFICIENT),
        ("optimist_share_mean", SHARE),
        ("optimist_share_bimodality", NON_NEGATIVE),
        ("order_imbalance_variance_ratio", NON_NEGATIVE),
        ("lsv_mean", COEFFICIENT),
    ];

    // Every name above is a result column: a renamed column fails the build.
    const _: () = {
        let mut i = 0;
        while i < RANGES.len() {
            assert!(super::has(COLUMNS, RANGES[i].0), "a range names no result column");
            i += 1;
        }
    };

    /// The range of the result column `name`: (−∞, ∞) when it has none.
    pub fn of(name: &str) -> (f64, f64) {
        RANGES.iter().find(|r| r.0 == name).map_or((f64::NEG_INFINITY, f64::INFINITY), |r| r.1)
    }
}

/// `replications.csv` (`tplus run --replications N`): one row per seed, the
/// columns [`replications::KEY`] then [`sweep_results::COLUMNS`], the
/// headline figures of each run.
pub mod replications {
    use super::Column;

    /// The run's key, first.
    pub const KEY: &[Column] = &[
        Column { name: "replication", meaning: "replication k, from 0" },
        Column { name: "seed", meaning: "the run's seed: the scenario's seed + k (mod 2^64)" },
    ];
}

schema! {
    /// `comparison.csv` (`tplus compare`, `tplus run --control`): one row per
    /// (scope, headline figure), paired over seeds.
    comparison {
        "scope": "run (the whole run's headline figure) or after_change (from the change's window on: to the end, or over --span)",
        "figure": "the figure: a sweep.csv result column, or a metrics.csv column summed after the change",
        "n": "seeds with the figure defined in both arms (those of the differences)",
        "control_mean": "mean of the control's figure over the seeds where it is defined (control_n)",
        "treatment_mean": "mean of the treatment's figure over the seeds where it is defined (treatment_n)",
        "diff_mean": "mean paired difference, treatment − control",
        "diff_sd": "standard deviation of the paired differences (n − 1 divisor)",
        "diff_lo": "low end of the 95% paired t-interval of the mean difference, cut to what a difference can be (±1 for a share, ±2 for a correlation); empty when every seed has the same non-zero difference",
        "diff_hi": "high end of that interval",
        "relative": "diff_mean / the control's mean over the same n seeds; empty unless that mean is above 0 and the figure cannot be negative",
        "effect_size_dz": "Cohen's d_z: diff_mean / diff_sd; empty when diff_sd is 0",
        "p_value": "two-sided paired t-test p-value of a zero mean difference; 1 when every difference is 0, empty when every seed has the same non-zero difference (no spread to test) or n < 2",
        "p_holm": "p_value adjusted by Holm's method over the figures of the same scope; below 0.05 is what comparison.md marks ** as beyond seed-to-seed noise",
        "seeds_up": "seeds where the treatment's figure is higher",
        "seeds_down": "seeds where it is lower",
        "seeds_equal": "seeds where the two are equal",
        "control_n": "seeds where the control's figure is defined",
        "treatment_n": "seeds where the treatment's figure is defined",
    }
}

schema! {
    /// `comparison_windows.csv`: one row per (window, figure), paired over
    /// seeds, every product together.
    comparison_windows {
        "window": "global window index, as in metrics.csv",
        "day": "business-day index from 0",
        "t_start": "window start, seconds since 00:00 of the start date",
        "after_change": "true from the change's window on (to the end, or within --span)",
        "figure": "sub_success, sale_success, volume, buy_orders or sell_orders (every product together)",
        "n": "seeds with the figure defined in both arms (those of the differences)",
        "control_mean": "mean of the control's value over the seeds where it is defined (control_n)",
        "treatment_mean": "mean of the treatment's value over the seeds where it is defined (treatment_n)",
        "diff_mean": "mean paired difference, treatment − control",
        "diff_lo": "low end of the 95% paired t-interval, cut to what a difference can be (±1 for a share); empty when every seed has the same non-zero difference. One window's own interval: among the windows some exclude 0 by chance",
        "diff_hi": "high end of that interval",
        "control_n": "seeds where the control's value is defined",
        "treatment_n": "seeds where the treatment's value is defined",
    }
}

schema! {
    /// `live_changes.csv` (a live session saved by `tplus tui`): one row per
    /// live change, in the order made.
    live_changes {
        "time": "seconds since 00:00 of the start date at which the change takes effect",
        "day": "business day of the change, from 1",
        "time_of_day": "its time of day, HH:MM:SS",
        "target": "what it changed: an [[events]] target (loan_rate, herding, macro_active_share, …)",
        "change": "the step added to the target's value, in the target's unit",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every file's columns.
    const ALL: [&[Column]; 9] = [
        metrics::COLUMNS,
        trades::COLUMNS,
        events::COLUMNS,
        risk::COLUMNS,
        credit_fit::COLUMNS,
        sweep_results::COLUMNS,
        comparison::COLUMNS,
        comparison_windows::COLUMNS,
        live_changes::COLUMNS,
    ];

    #[test]
    fn headers_are_the_names_in_order() {
        for cols in ALL {
            let names: Vec<&str> = cols.iter().map(|c| c.name).collect();
            assert!(names_match(cols, &names));
            assert!(!names_match(cols, &names[1..]), "a missing column is told");
        }
        assert_eq!(metrics::HEADER.split(',').count(), 54);
        assert_eq!(trades::HEADER, "time,product,price,lots,buyer,seller,buy_order,sell_order,aggressor");
        assert_eq!(events::HEADER, "time,op,order,agent,product,side,kind,aon,price,lots,reason");
        assert!(!names_match(
            trades::COLUMNS,
            &["time", "product", "price", "lots", "buyer", "seller", "buy_order", "sell_order", "aggresor"]
        ));
    }

    /// Every interval in every file is a 95% interval, and its ends are
    /// named alike everywhere: `X_lo` and `X_hi` beside `X` (issue 15 found
    /// `sub_success_lo` in metrics.csv but `sub_success_lo95` in sweep.csv),
    /// or `X_serial_lo` and `X_serial_hi` for a second interval of `X` that
    /// allows for serial dependence.
    #[test]
    fn interval_ends_have_one_name_in_every_file() {
        for cols in ALL {
            for c in cols {
                assert!(!c.name.contains("lo9") && !c.name.contains("hi9"), "{}: ends are X_lo and X_hi", c.name);
                if let Some(stem) = c.name.strip_suffix("_lo") {
                    let hi = format!("{stem}_hi");
                    assert!(position(cols, &hi).is_some(), "{} without {hi}", c.name);
                    let stem = stem.strip_suffix("_serial").unwrap_or(stem);
                    let estimate = position(cols, stem).or_else(|| position(cols, &format!("{stem}_mean")));
                    assert!(estimate.is_some(), "{} without {stem} (or {stem}_mean)", c.name);
                    assert!(c.meaning.contains("95%"), "{}: say the level", c.name);
                }
            }
        }
    }

    /// A real shows its point whatever its value; a count never gets one.
    #[test]
    fn a_real_cell_shows_its_point_and_a_count_none() {
        for (v, text) in [
            (1.0, "1.0"),
            (0.0, "0.0"),
            (-3.0, "-3.0"),
            (0.5, "0.5"),
            (34200.0, "34200.0"),
            (1e21, "1000000000000000000000.0"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "inf"),
        ] {
            assert_eq!(cell_text(&v), text);
        }
        assert_eq!(cell_text(&5u64), "5");
        assert_eq!(cell_text(&-7i64), "-7");
        assert_eq!(cell_text("NOTE7"), "NOTE7");
        assert_eq!(figure_text(Some(2.0)), "2.0");
        assert_eq!(figure_text(Some(f64::NAN)), "");
        assert_eq!(figure_text(None), "");
    }

    #[test]
    fn names_are_unique_within_a_file() {
        for cols in ALL {
            for (i, c) in cols.iter().enumerate() {
                assert_eq!(position(cols, c.name), Some(i), "{} twice", c.name);
                assert!(!c.meaning.is_empty() && !c.meaning.contains('\n'), "{}", c.name);
            }
        }
    }
}
