//! Cash cannot overflow. Cash was an `i64` count of micros, and two kinds of
//! scenario inside the documented ranges used to wrap it while the run
//! exited 0 with a normal summary (only `manifest.json` said
//! `"cash_conserved": false`):
//!
//! - a macro-driven group holding close to 1e8 lots a customer: the issuer
//!   (the platform's account), which pays every customer's redemptions,
//!   passed `i64::MAX`. Its balance is an `i128`, as every customer's
//!   now is: the run is exact;
//! - a product with `lot_size = 1000000` and `max_order_lots = 100000000`:
//!   one order could cost 1e14 currency units. Validation now refuses it.
//!
//! Both are `scenarios/baseline.toml` with a small textual edit, run through
//! the `tplus` binary. A run whose cash fails its checks exits 1 and marks
//! its manifest; that path is driven through the library, since no scenario
//! that validates reaches it.
//!
//! Holdings are `u32` lots an account and product. A scenario whose one
//! customer buys a billion lots a day from the issuer for a week passes
//! 4,294,967,295; the run is refused at its end (exit 1, the cause named),
//! not left to report wrapped lots.

#[path = "common/bin.rs"]
mod bin;
mod common;

use std::ffi::OsStr;
use std::path::Path;

use common::whole;
use tplus::engine::{self, CashError, RunOptions};
use tplus::results::RunWriter;

fn baseline() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml")).unwrap()
}

/// The macro-driven group's line in baseline.toml (the fifth group, `agents[4]`).
const MACRO_GROUP: &str = "family = \"macro\"";
const FORTY_LOTS: &str = "initial_lots = { dist = \"uniform\", min = 0.0, max = 40.0 }";
const NEAR_1E8_LOTS: &str = "initial_lots = { dist = \"uniform\", min = 90000000.0, max = 100000000.0 }";

/// baseline.toml with the macro-driven group opening with 9e7–1e8 lots a customer.
fn macro_group_near_1e8_lots() -> String {
    let text = baseline();
    let group = text.find(MACRO_GROUP).expect("baseline.toml has a macro group");
    let at = group + text[group..].find(FORTY_LOTS).expect("the macro group's initial_lots");
    format!("{}{NEAR_1E8_LOTS}{}", &text[..at], &text[at + FORTY_LOTS.len()..])
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn an_order_that_could_cost_1e14_currency_units_is_refused() {
    let s = whole(&baseline())
        .then("max_order_lots = 1000\n", "max_order_lots = 100000000\n")
        .and("lot_size = 100\n", "lot_size = 1000000\n");
    s.fails()
        .at(s.pos("100000000"))
        .field("product[0].max_order_lots")
        .says("an order of 100,000,000 lots could cost up to 102,020,000,000,000 currency units")
        .says("1,020,200 a lot")
        .accepts("at most 980,199 lots for this product")
        .accepts("1,000,000,000,000 currency units");
    // The largest accepted value is accepted.
    whole(&baseline())
        .then("max_order_lots = 1000\n", "max_order_lots = 980199\n")
        .and("lot_size = 100\n", "lot_size = 1000000\n")
        .passes();
}

#[test]
fn a_macro_group_holding_close_to_1e8_lots_a_customer_runs_with_exact_cash() {
    let dir = bin::scratch("cash", "macro-1e8");
    let file = dir.join("scenario.toml");
    std::fs::write(&file, macro_group_near_1e8_lots()).unwrap();
    let out = dir.join("out");
    let run = bin::tplus(&[OsStr::new("run"), file.as_os_str(), OsStr::new("--out"), out.as_os_str()]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(0), "tplus run: {stderr}");
    let manifest = json(&out.join("manifest.json"));
    assert_eq!(manifest["cash_conserved"], true, "{stderr}");
    assert_eq!(manifest["accounts_non_negative"], true);
    assert_eq!(manifest["failure"], serde_json::Value::Null);
    // The issuer redeemed the opening holdings at the holding limit: some
    // 1.9e11 lots at 99.5 currency units, more micros than an i64 holds.
    let redeemed = json(&out.join("summary.json"))["all"]["redeemed_failed_lots"].as_u64().unwrap();
    assert!(redeemed as f64 * 99.0e6 > i64::MAX as f64, "only {redeemed} lots redeemed");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_same_holdings_of_million_unit_lots_are_refused() {
    // 1e8 lots of 1,020,200 currency units: 1e14 units in one customer's hands.
    let text = macro_group_near_1e8_lots();
    let s = whole(&text).then("lot_size = 100\n", "lot_size = 1000000\n");
    let at = s.text.find(NEAR_1E8_LOTS).unwrap();
    let s = common::Scenario { edit_at: at, ..s };
    s.fails()
        .at(s.pos("{ dist = \"uniform\", min = 90000000.0"))
        .field("agents[4].initial_lots")
        .says("up to 100,000,000 lots of each product it trades, worth up to 102,020,000,000,000 currency units")
        .accepts("at most 4,000,000,000,000 currency units a customer");
}

#[test]
fn a_lognormal_holding_is_capped_at_1e8_lots_and_said_so() {
    let lognormal = "initial_lots = { dist = \"lognormal\", median = 40.0, sigma = 1.0 }";
    let s = whole(&baseline()).then(FORTY_LOTS, lognormal).and("lot_size = 100\n", "lot_size = 100000\n");
    s.fails()
        .at(s.pos("{ dist = \"lognormal\""))
        .field("agents[1].initial_lots")
        .accepts("a lognormal draw is capped only at 100,000,000");
    // At lot_size 100 (102 currency units a lot) a lognormal holding is fine.
    whole(&baseline()).then(FORTY_LOTS, lognormal).passes();
}

#[test]
fn a_band_that_loses_its_last_tick_as_the_nav_falls_is_refused() {
    let s = whole(&baseline()).then("days = 5 ", "days = 1000 ").and("annual_yield = 0.025", "annual_yield = -0.5");
    let at = s.text.find("annual_yield = -0.5").unwrap();
    let s = common::Scenario { edit_at: at, ..s };
    s.fails()
        .at(s.pos("-0.5"))
        .field("product[0].annual_yield")
        .says("the NAV falls to -0.913699, not above 0, by the last day")
        .accepts("a band at least one tick wide on every day");
}

/// A short run of baseline.toml written to `dir`, and its outcome.
fn short_run(dir: &Path) -> (tplus::scenario::Scenario, RunWriter, engine::Outcome) {
    let text = baseline().replace("days = 5 ", "days = 1 ");
    let scenario =
        tplus::scenario::parse(Path::new("baseline.toml"), &text, &tplus::agents::Registry::builtin()).unwrap();
    let mut writer = RunWriter::create(dir, &scenario, false).unwrap();
    let outcome = engine::run(&scenario, &RunOptions::default(), &mut writer).unwrap();
    (scenario, writer, outcome)
}

#[test]
fn a_run_whose_cash_fails_its_checks_says_which_and_its_manifest_is_marked() {
    let dir = bin::scratch("cash", "checks");
    let (scenario, writer, mut outcome) = short_run(&dir);
    assert_eq!(outcome.check(), Ok(()));
    let (start, end) = (outcome.cash_start, outcome.cash_end);

    outcome.accounts_sound = false;
    let unsound = outcome.check().unwrap_err();
    assert_eq!(unsound, CashError::Unsound { start, end });
    assert!(unsound.to_string().starts_with("an account is unsound"), "{unsound}");

    outcome.cash_end += 7;
    let lost = outcome.check().unwrap_err();
    assert_eq!(lost, CashError::NotConserved { start, end: end + 7 });
    let text = lost.to_string();
    assert!(text.starts_with("cash is not conserved"), "{text}");
    assert!(
        text.contains(&start.to_string()) && text.contains(&(end + 7).to_string()) && text.contains("+7"),
        "{text}"
    );

    // The run is written, and its manifest says it is not to be trusted.
    writer.finish(&dir, &scenario, &outcome, 1).unwrap();
    let manifest = json(&dir.join("manifest.json"));
    assert_eq!(manifest["failure"], serde_json::Value::String(lost.to_string()));
    assert_eq!(manifest["cash_conserved"], false);
    assert_eq!(manifest["accounts_non_negative"], false);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_holding_past_u32_lots_fails_the_run_and_names_the_cause() {
    let dir = bin::scratch("cash", "lots-u32");
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/lots_past_u32.toml");
    let out = dir.join("out");
    let run = bin::tplus(&[OsStr::new("run"), file.as_os_str(), OsStr::new("--out"), out.as_os_str()]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "tplus run: {stderr}");
    assert!(stderr.contains("a customer's holding of a product passed 4,294,967,295 lots"), "{stderr}");
    let manifest = json(&out.join("manifest.json"));
    assert_eq!(manifest["failure"], serde_json::Value::String(CashError::HoldingOverflow.to_string()));
    let _ = std::fs::remove_dir_all(&dir);
}
