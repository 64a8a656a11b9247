//! Mistakes in the newer parts of a scenario — `[macro]`, `[credit]`,
//! `[[events]]`, Hawkes arrivals, income bands and tenure, and the rational,
//! herding, macro and market-maker families — are clear errors, never panics:
//! exit status 2, the file, the line and column of the wrong value, the field
//! path and what is accepted, and nothing written.
//!
//! Each case breaks `tests/data/full_market.toml` with one small textual edit;
//! the harness is in `tests/common/mod.rs`. Lines and columns are found in the
//! edited text, never written down as numbers. Groups in the fixture:
//! agents[0] market_maker, agents[1] rational, agents[2] herding (Hawkes),
//! agents[3] macro, agents[4] zero_intelligence; events[0] moves the loan rate,
//! events[1] sets the herding of agents[2].

mod common;

use common::*;

const RATE_HEADER: &str = "[macro.loan_rate]";
const DEPOSIT_FIXED: &str = "model = \"fixed\"\nvalue = 0.015";

/// The fixture with the deposit rate following the path `points` (TOML array).
fn deposit_path(points: &str) -> Scenario {
    FULL.edit(DEPOSIT_FIXED, &format!("model = \"path\"\npoints = {points}"))
}

/// The fixture with the loan rate a CIR process instead of Vasicek.
fn cir() -> Scenario {
    FULL.edit("model = \"vasicek\"", "model = \"cir\"")
}

#[test]
fn the_fixture_is_valid() {
    whole(&FULL.text()).passes();
}

// ---------------------------------------------------------------- rate models

#[test]
fn an_unknown_rate_model() {
    let s = FULL.edit("model = \"vasicek\"", "model = \"hull_white\"");
    let f = s.fails();
    f.at(s.pos("\"hull_white\"")).field("macro.loan_rate.model").says("hull_white");
    f.accepts("`vasicek`").accepts("`cir`").accepts("`path`");
}

#[test]
fn a_vasicek_rate_without_sigma() {
    // Points at the table that lacks the field.
    let s = FULL.edit("sigma = 0.012\n", "");
    let f = s.fails();
    f.at(s.pos_before(RATE_HEADER)).field("macro.loan_rate").says("model `vasicek` needs `sigma`");
    f.accepts("kappa, theta and sigma");
}

#[test]
fn a_field_that_does_not_apply_to_a_fixed_rate() {
    let s = FULL.edit(DEPOSIT_FIXED, "model = \"fixed\"\nvalue = 0.015\nkappa = 0.5");
    let f = s.fails();
    f.at(s.pos("0.5")).field("macro.deposit_rate.kappa").says("`kappa` does not apply to model `fixed`");
    f.accepts("model = \"fixed\" with value");
}

#[test]
fn a_fixed_rate_without_a_value() {
    let s = FULL.edit(DEPOSIT_FIXED, "model = \"fixed\"");
    let f = s.fails();
    f.at(s.pos_before("[macro.deposit_rate]")).field("macro.deposit_rate").says("model `fixed` needs `value`");
    f.accepts("with value");
}

#[test]
fn a_cir_rate_that_fails_the_feller_condition() {
    let s = cir().then("sigma = 0.012", "sigma = 0.5");
    let f = s.fails();
    f.at(s.pos("0.5")).field("macro.loan_rate.sigma").says("Feller").says("2·kappa·theta");
    f.accepts("2·kappa·theta ≥ sigma²");
}

#[test]
fn a_cir_rate_that_meets_the_feller_condition_is_accepted() {
    // 2 × 0.8 × 0.045 = 0.072 ≥ 0.012²
    cir().passes();
}

#[test]
fn a_cir_rate_starting_below_zero() {
    let s = cir().then("value = 0.0435", "value = -0.01");
    let f = s.fails();
    f.at(s.pos("-0.01")).field("macro.loan_rate.value").says("negative").accepts("starting value of at least 0");
}

#[test]
fn a_cir_rate_with_a_long_run_mean_of_zero() {
    let s = cir().then("theta = 0.045", "theta = 0.0");
    let f = s.fails();
    f.at(s.pos("0.0")).field("macro.loan_rate.theta").says("not above 0").accepts("theta above 0");
}

#[test]
fn a_loan_rate_below_the_range() {
    let s = FULL.edit("value = 0.0435", "value = -0.06");
    let f = s.fails();
    f.at(s.pos("-0.06")).field("macro.loan_rate.value").says("-0.06 is out of range");
    f.accepts("between -0.05 and 1");
}

#[test]
fn a_deposit_rate_given_in_percent() {
    let s = FULL.edit("value = 0.015", "value = 1.5");
    let f = s.fails();
    f.at(s.pos("1.5")).field("macro.deposit_rate.value").says("1.5 is out of range").accepts("0.0435 = 4.35%");
}

#[test]
fn a_long_run_mean_below_the_range() {
    let s = FULL.edit("theta = 0.045", "theta = -0.3");
    s.fails().at(s.pos("-0.3")).field("macro.loan_rate.theta").says("-0.3").accepts("between -0.05 and 1");
}

#[test]
fn no_mean_reversion() {
    let s = FULL.edit("kappa = 0.8", "kappa = 0");
    s.fails().at(s.pos("0")).field("macro.loan_rate.kappa").says("0 is out of range").accepts("above 0");
}

#[test]
fn a_negative_rate_volatility() {
    let s = FULL.edit("sigma = 0.012", "sigma = -0.012");
    s.fails().at(s.pos("-0.012")).field("macro.loan_rate.sigma").says("-0.012").accepts("volatility");
}

#[test]
fn a_rate_written_as_a_number() {
    let s = FULL.edit("[macro.deposit_rate]\nmodel = \"fixed\"\nvalue = 0.015", "[macro]\ndeposit_rate = 0.015");
    let f = s.fails();
    f.at(s.pos("0.015")).field("macro.deposit_rate").says("0.015").accepts("model = \"fixed\", value = 0.0435");
    f.never_says("RateSpec").never_says("struct");
}

#[test]
fn a_rate_written_with_dotted_keys_is_located() {
    let written = "[macro.loan_rate]\nmodel = \"vasicek\"\nvalue = 0.0435\nkappa = 0.8\ntheta = 0.045\nsigma = 0.012\n";
    let dotted = "[macro]\nloan_rate.model = \"cir\"\nloan_rate.value = 0.0435\nloan_rate.kappa = 0.8\n\
                  loan_rate.theta = 0.045\nloan_rate.sigma = 0.5\n";
    let s = FULL.edit(written, dotted);
    s.fails().at(s.pos("0.5\n")).field("macro.loan_rate.sigma").says("Feller");
}

// ---------------------------------------------------------------- paths

#[test]
fn path_points_out_of_order() {
    let s = deposit_path("[{ at = \"day 3 10:00\", value = 0.02 }, { at = \"day 2 10:00\", value = 0.03 }]");
    let f = s.fails();
    f.at(s.pos("\"day 2 10:00\"")).field("macro.deposit_rate.points[1].at");
    f.says("day 2 10:00 is not after the point before it").accepts("points in time order");
}

#[test]
fn path_points_at_the_same_moment() {
    let s = deposit_path("[{ at = \"day 3 10:00\", value = 0.02 }, { at = \"day 3 10:00\", value = 0.03 }]");
    let f = s.fails();
    f.at(s.pos("\"day 3 10:00\", value = 0.03")).field("macro.deposit_rate.points[1].at");
    f.says("not after the point before it").accepts("time order");
}

#[test]
fn a_path_point_after_the_last_day() {
    let s = deposit_path("[{ at = \"day 3 10:00\", value = 0.02 }, { at = \"day 6 10:00\", value = 0.03 }]");
    let f = s.fails();
    f.at(s.pos("\"day 6 10:00\"")).field("macro.deposit_rate.points[1].at");
    f.says("day 6 is after the run's last day (5)").accepts("a day from 1 to 5");
}

#[test]
fn path_points_as_tables_out_of_order() {
    let tables = "model = \"path\"\n\n[[macro.deposit_rate.points]]\nat = \"day 2 10:00\"\nvalue = 0.02\n\n\
                  [[macro.deposit_rate.points]]\nat = \"day 1 14:00\"\nvalue = 0.03";
    let s = FULL.edit(DEPOSIT_FIXED, tables);
    s.fails().at(s.pos("\"day 1 14:00\"")).field("macro.deposit_rate.points[1].at").says("not after");
}

#[test]
fn an_empty_path() {
    let s = deposit_path("[]");
    s.fails().at(s.pos("[]")).field("macro.deposit_rate.points").says("an empty path").accepts("at least one point");
}

#[test]
fn a_path_model_without_points() {
    let s = FULL.edit(DEPOSIT_FIXED, "model = \"path\"");
    let f = s.fails();
    f.at(s.pos_before("[macro.deposit_rate]")).field("macro.deposit_rate").says("model `path` needs `points`");
    f.accepts("points = [{ at = \"day 1 09:30\"");
}

#[test]
fn a_value_beside_a_path() {
    let s =
        FULL.edit(DEPOSIT_FIXED, "model = \"path\"\nvalue = 0.015\npoints = [{ at = \"day 3 10:00\", value = 0.02 }]");
    let f = s.fails();
    f.at(s.pos("0.015")).field("macro.deposit_rate.value").says("`value` does not apply to model `path`");
    f.accepts("model = \"path\" with points");
}

#[test]
fn a_negative_rate_on_a_path() {
    let s = deposit_path("[{ at = \"day 3 10:00\", value = -0.2 }]");
    let f = s.fails();
    f.at(s.pos("-0.2")).field("macro.deposit_rate.points[0].value").says("-0.2 is out of range");
    f.accepts("between -0.05 and 1");
}

#[test]
fn a_path_point_without_a_value() {
    let s = deposit_path("[{ at = \"day 3 10:00\" }]");
    let f = s.fails();
    f.at(s.pos("{ at")).field("macro.deposit_rate.points[0].value").says("missing required field `value`");
    f.accepts("see `tplus help macro.deposit_rate.points`");
}

#[test]
fn a_path_point_that_is_a_number() {
    let s = deposit_path("[0.02, 0.03]");
    let f = s.fails();
    f.at(s.pos("0.02")).field("macro.deposit_rate.points[0]").accepts("{ at = \"day 2 10:00\", value = 0.05 }");
    f.never_says("PathPoint");
}

// ---------------------------------------------------------------- price level

#[test]
fn a_price_level_of_zero() {
    let s = FULL.edit("value = 101.0", "value = 0.0");
    let f = s.fails();
    f.at(s.pos("0.0")).field("macro.price_level.value").says("0 is out of range").accepts("price level above 0");
}

#[test]
fn a_negative_reference_level() {
    let s = FULL.edit("reference = 100.0", "reference = -100.0");
    let f = s.fails();
    f.at(s.pos("-100.0")).field("macro.price_level.reference").says("-100").accepts("price level above 0");
}

#[test]
fn an_unknown_price_level_model() {
    let s = FULL.edit("model = \"gbm\"", "model = \"random_walk\"");
    let f = s.fails();
    f.at(s.pos("\"random_walk\"")).field("macro.price_level.model").says("random_walk");
    f.accepts("`fixed`, `gbm`, `path`");
}

#[test]
fn a_gbm_level_without_inflation() {
    let s = FULL.edit("inflation = 0.02\n", "");
    let f = s.fails();
    f.at(s.pos_before("[macro.price_level]")).field("macro.price_level").says("model `gbm` needs `inflation`");
    f.accepts("inflation and sigma");
}

#[test]
fn inflation_on_a_fixed_level() {
    let s = FULL.edit("model = \"gbm\"", "model = \"fixed\"");
    let f = s.fails();
    f.at(s.pos("0.02")).field("macro.price_level.inflation").says("`inflation` does not apply to model `fixed`");
    f.accepts("model = \"fixed\" with value");
}

#[test]
fn a_level_path_through_zero() {
    let path = "model = \"path\"\nvalue = 101.0\npoints = [{ at = \"day 2 09:30\", value = 0.0 }]";
    let s = FULL.edit("model = \"gbm\"\nvalue = 101.0", path).and("inflation = 0.02\nsigma = 0.03\n", "");
    let f = s.fails();
    f.at(s.pos("0.0 }")).field("macro.price_level.points[0].value").says("0 is out of range");
    f.accepts("price level above 0");
}

#[test]
fn a_level_volatility_too_large() {
    let s = FULL.edit("sigma = 0.03", "sigma = 6.0");
    s.fails().at(s.pos("6.0")).field("macro.price_level.sigma").says("6 is out of range").accepts("from 0 to 5");
}

#[test]
fn deflation_beyond_the_range() {
    let s = FULL.edit("inflation = 0.02", "inflation = -0.7");
    s.fails().at(s.pos("-0.7")).field("macro.price_level.inflation").says("-0.7").accepts("from -0.5 to 10");
}

// ---------------------------------------------------------------- shocks

#[test]
fn a_negative_shock_sd() {
    let s = FULL.edit("sd = 0.75", "sd = -0.75");
    let f = s.fails();
    f.at(s.pos("-0.75")).field("macro.shock.sd").says("-0.75 is out of range").accepts("standard deviation from 0");
}

#[test]
fn a_shock_that_never_decays() {
    let s = FULL.edit("decay = \"2d\"", "decay = \"0s\"");
    let f = s.fails();
    f.at(s.pos("\"0s\"")).field("macro.shock.decay").says("0s is not positive").accepts("a duration above 0");
}

#[test]
fn a_negative_decay() {
    let s = FULL.edit("decay = \"2d\"", "decay = \"-2d\"");
    s.fails().at(s.pos("\"-2d\"")).field("macro.shock.decay").says("`-2d` is not a duration").accepts("\"5m\"");
}

#[test]
fn a_negative_shock_rate() {
    let s = FULL.edit("rate = 0.5 ", "rate = -0.5 ");
    s.fails()
        .at(s.pos("-0.5"))
        .field("macro.shock.rate")
        .says("-0.5 is out of range")
        .accepts("jumps per calendar day");
}

#[test]
fn a_shock_mean_beyond_the_range() {
    let s = FULL.edit("mean = -0.25", "mean = -250.0");
    s.fails().at(s.pos("-250.0")).field("macro.shock.mean").says("-250").accepts("from -100 to 100");
}

#[test]
fn a_shock_without_a_rate() {
    let s = FULL.edit("rate = 0.5                   # jumps per calendar day\n", "");
    let f = s.fails();
    f.at(s.pos_before("[macro.shock]"))
        .field("macro.shock.rate")
        .says("missing required field `rate`")
        .accepts("see `tplus help macro.shock.rate`");
}

// ---------------------------------------------------------------- credit

#[test]
fn zero_points_to_double_the_odds() {
    let s = FULL.edit("pdo = 20.0", "pdo = 0");
    s.fails().at(s.pos("0")).field("credit.pdo").says("0 is out of range").accepts("points to double the odds");
}

#[test]
fn zero_base_odds() {
    let s = FULL.edit("base_odds = 50.0", "base_odds = 0.0");
    s.fails().at(s.pos("0.0")).field("credit.base_odds").says("0 is out of range").accepts("odds above 0");
}

#[test]
fn a_base_score_above_1000() {
    let s = FULL.edit("base_score = 600.0", "base_score = 1600.0");
    s.fails().at(s.pos("1600.0")).field("credit.base_score").says("1600").accepts("a score from 0 to 1000");
}

#[test]
fn a_scorecard_weight_beyond_the_range() {
    let s = FULL.edit("failed_sales = -0.6", "failed_sales = -600");
    let f = s.fails();
    f.at(s.pos("-600")).field("credit.failed_sales").says("-600 is out of range").accepts("log-odds weight");
}

#[test]
fn a_scorecard_weight_that_is_not_a_number() {
    let s = FULL.edit("cancel_ratio = -1.2", "cancel_ratio = nan");
    s.fails().at(s.pos("nan")).field("credit.cancel_ratio").says("NaN").accepts("from -100 to 100");
}

/// The fixture with a `[credit.fit]` table after `[credit]`'s weights.
fn with_fit(fit: &str) -> Scenario {
    FULL.edit("rejection_ratio = -0.9\n", &format!("rejection_ratio = -0.9\n\n[credit.fit]\n{fit}\n"))
}

#[test]
fn a_fitted_scorecard_passes() {
    with_fit("horizon_days = 2\nrefit_days = 1\nbins = 8\nalignment = \"none\"").passes();
}

#[test]
fn a_first_fit_before_any_sample_is_labelled() {
    let s = with_fit("horizon_days = 3\nfirst_fit_day = 1");
    let f = s.fails();
    f.at(s.pos("1")).field("credit.fit.first_fit_day").says("1 is out of range").accepts("from horizon_days");
}

#[test]
fn a_fit_with_one_bin() {
    let s = with_fit("bins = 1");
    s.fails().at(s.pos("1")).field("credit.fit.bins").says("1 is out of range").accepts("from 2 to 100 bins");
}

#[test]
fn an_unknown_alignment() {
    let s = with_fit("alignment = \"median\"");
    s.fails().at(s.pos("\"median\"")).field("credit.fit.alignment").says("unknown variant").accepts("`mean` or `none`");
}

#[test]
fn an_unknown_fit_option() {
    let s = with_fit("binz = 3");
    let f = s.fails();
    f.at(s.pos("binz")).field("credit.fit.binz").says("unknown field").accepts("`horizon_days`").accepts("`ridge`");
}

#[test]
fn an_unknown_scorecard_weight() {
    let s = FULL.edit("tenure = 0.002", "tenure_weight = 0.002");
    let f = s.fails();
    f.at(s.pos("tenure_weight")).field("credit.tenure_weight").says("unknown field");
    f.accepts("`tenure`").accepts("`pdo`");
}

#[test]
fn credit_update_as_a_word() {
    let s = FULL.edit("update = true", "update = \"yes\"");
    s.fails().at(s.pos("\"yes\"")).field("credit.update").says("yes").accepts("boolean");
}

// ---------------------------------------------------------------- scripted events

#[test]
fn an_event_with_both_change_and_value() {
    let s = FULL.edit("change = 0.005 ", "change = 0.005\nvalue = 0.05 ");
    let f = s.fails();
    f.at(s.pos("0.05 ")).field("events[0].value").says("both `change` and `value`");
    f.accepts("either `change` (added) or `value` (set)");
}

#[test]
fn an_event_with_neither_change_nor_value() {
    let s = FULL.edit("change = 0.005               # +50 bp\n", "");
    let f = s.fails();
    f.at(s.pos_before("[[events]]")).field("events[0]").says("neither `change` nor `value`");
    f.accepts("either `change`");
}

#[test]
fn an_event_after_the_last_day() {
    let s = FULL.edit("at = \"day 2 10:00\"", "at = \"day 6 10:00\"");
    let f = s.fails();
    f.at(s.pos("\"day 6 10:00\"")).field("events[0].at").says("day 6 is after the run's last day (5)");
    f.accepts("a day from 1 to 5");
}

#[test]
fn an_event_after_the_last_close() {
    let s = FULL.edit("at = \"day 2 10:00\"", "at = \"day 5 16:30\"");
    let f = s.fails();
    f.at(s.pos("\"day 5 16:30\"")).field("events[0].at").says("after the last session's close");
    f.accepts("a moment before day 5 15:00");
}

#[test]
fn an_event_on_day_0() {
    let s = FULL.edit("at = \"day 2 10:00\"", "at = \"day 0 10:00\"");
    let f = s.fails();
    f.at(s.pos("\"day 0 10:00\"")).field("events[0].at").says("`day 0 10:00` is not a day and time");
    f.accepts("day 1 is the first");
}

#[test]
fn an_event_tomorrow() {
    let s = FULL.edit("at = \"day 2 10:00\"", "at = \"tomorrow\"");
    let f = s.fails();
    f.at(s.pos("\"tomorrow\"")).field("events[0].at").says("`tomorrow` is not a day and time");
    f.accepts("\"day N HH:MM\"");
}

#[test]
fn an_event_at_a_day_without_a_time() {
    let s = FULL.edit("at = \"day 2 10:00\"", "at = \"day 2\"");
    s.fails()
        .at(s.pos("\"day 2\""))
        .field("events[0].at")
        .says("`day 2`")
        .accepts("the hour in two digits), e.g. \"day 2 09:30\"");
}

#[test]
fn herding_event_on_a_group_that_does_not_herd() {
    let s = FULL.edit("group = 2", "group = 3");
    let f = s.fails();
    f.at(s.pos("3")).field("events[1].group").says("agents[3] is a macro group, which has no live `herding`");
    f.accepts("the index of a group with a live `herding`: 2");
}

#[test]
fn herding_event_on_a_group_that_does_not_exist() {
    let s = FULL.edit("group = 2", "group = 9");
    let f = s.fails();
    f.at(s.pos("9")).field("events[1].group").says("there is no agents[9]").says("5 groups");
    f.accepts("live `herding`: 2");
}

#[test]
fn herding_event_on_a_negative_group() {
    let s = FULL.edit("group = 2", "group = -1");
    s.fails().at(s.pos("-1")).field("events[1].group").says("no agents[-1]").accepts("live `herding`: 2");
}

#[test]
fn a_group_index_that_is_a_fraction() {
    let s = FULL.edit("group = 2", "group = 2.5");
    s.fails().at(s.pos("2.5")).field("events[1].group").says("2.5").accepts("an integer");
}

#[test]
fn macro_active_share_event_on_a_herding_group() {
    let s = FULL.edit("target = \"herding\"", "target = \"macro_active_share\"").and("value = 4.0", "value = 0.5");
    let f = s.fails();
    f.at(s.pos("2\n")).field("events[1].group").says("agents[2] is a herding group, which has no live `active_share`");
    f.accepts("live `active_share`: 3");
}

#[test]
fn a_group_on_a_rate_event() {
    let s = FULL.edit("target = \"loan_rate\"", "target = \"loan_rate\"\ngroup = 2");
    let f = s.fails();
    f.at(s.pos("2\n")).field("events[0].group").says("`group` does not apply to target `loan_rate`");
    f.accepts("\"macro_active_share\" or \"group_param\"");
}

#[test]
fn a_product_on_a_rate_event() {
    let s = FULL.edit("target = \"loan_rate\"", "target = \"loan_rate\"\nproduct = \"NOTE7\"");
    let f = s.fails();
    f.at(s.pos("\"NOTE7\"")).field("events[0].product").says("`product` does not apply to target `loan_rate`");
    f.accepts("target = \"min_credit_score\"");
}

#[test]
fn a_credit_event_on_an_unknown_product() {
    let s = FULL.edit("target = \"loan_rate\"", "target = \"min_credit_score\"\nproduct = \"NOTE9\"");
    s.fails().at(s.pos("\"NOTE9\"")).field("events[0].product").says("no product `NOTE9`").accepts("NOTE7");
}

#[test]
fn a_minimum_score_set_above_1000() {
    let s = FULL.edit("target = \"loan_rate\"\nchange = 0.005", "target = \"min_credit_score\"\nvalue = 1200.0");
    s.fails().at(s.pos("1200.0")).field("events[0].value").says("1200").accepts("a score from 0 to 1000");
}

#[test]
fn an_unknown_event_target() {
    let s = FULL.edit("target = \"loan_rate\"", "target = \"interest_rate\"");
    let f = s.fails();
    f.at(s.pos("\"interest_rate\"")).field("events[0].target").says("interest_rate");
    f.accepts("`loan_rate`").accepts("`macro_active_share`");
}

#[test]
fn a_rate_change_given_in_percent() {
    let s = FULL.edit("change = 0.005", "change = 2.0");
    let f = s.fails();
    f.at(s.pos("2.0")).field("events[0].change").says("2 is out of range").accepts("0.005 = +50 bp");
}

#[test]
fn a_negative_herding_rate_set_by_an_event() {
    let s = FULL.edit("value = 4.0", "value = -4.0");
    let f = s.fails();
    f.at(s.pos("-4.0")).field("events[1].value").says("-4 is out of range").accepts("recruitment rate per hour");
}

#[test]
fn events_as_a_list_of_numbers() {
    let base = FULL.text();
    let s = whole(&format!("events = [3]\n\n{}", &base[..base.find("[[events]]").unwrap()]));
    let f = s.fails();
    f.at(s.pos("3]")).field("events[0]").accepts("{ at = \"day 5 10:00\", target = \"loan_rate\"");
    f.never_says("ScriptedEvent");
}

#[test]
fn a_syntax_error_in_an_event_names_the_field() {
    let s = FULL.edit("group = 2", "group = = 2");
    s.fails().at(s.pos("= 2")).field("events[1].group").says("not valid TOML");
}

// ---------------------------------------------------------------- arrivals

#[test]
fn hawkes_with_alpha_equal_to_beta() {
    let s = FULL.edit("alpha = 0.0034", "alpha = 0.004");
    let f = s.fails();
    f.at(s.pos("0.004,")).field("agents[2].arrival.alpha").says("branching ratio").says("= 1.000 is not below 1");
    f.accepts("alpha < beta");
}

#[test]
fn hawkes_with_alpha_above_beta() {
    let s = FULL.edit("alpha = 0.0034", "alpha = 0.005");
    let f = s.fails();
    f.at(s.pos("0.005")).field("agents[2].arrival.alpha").says("branching ratio alpha/beta = 1.250");
    f.accepts("branching ratio alpha/beta below 1");
}

#[test]
fn poisson_with_mu() {
    let s = FULL.edit("process = \"poisson\", rate = 6.0", "process = \"poisson\", rate = 6.0, mu = 0.6");
    let f = s.fails();
    f.at(s.pos("0.6 }")).field("agents[1].arrival.mu").says("`mu` does not apply to process `poisson`");
    f.accepts("process = \"poisson\" with rate");
}

#[test]
fn hawkes_without_mu() {
    let s = FULL.edit("process = \"hawkes\", mu = 0.6, ", "process = \"hawkes\", ");
    let f = s.fails();
    f.at(s.pos_before("{")).field("agents[2].arrival").says("process `hawkes` needs `mu`");
    f.accepts("mu (baseline wake-ups per agent per hour), alpha and beta");
}

#[test]
fn hawkes_with_a_poisson_rate() {
    let s = FULL.edit("mu = 0.6, alpha", "rate = 0.6, alpha");
    let f = s.fails();
    f.at(s.pos("0.6")).field("agents[2].arrival.rate").says("`rate` does not apply to process `hawkes`");
    f.accepts("process = \"hawkes\" with mu");
}

#[test]
fn hawkes_without_decay() {
    let s = FULL.edit("beta = 0.004", "beta = 0");
    s.fails()
        .at(s.pos("0 }"))
        .field("agents[2].arrival.beta")
        .says("0 is out of range")
        .accepts("decay rate per second");
}

#[test]
fn hawkes_with_a_negative_jump() {
    let s = FULL.edit("alpha = 0.0034", "alpha = -0.0034");
    s.fails().at(s.pos("-0.0034")).field("agents[2].arrival.alpha").says("-0.0034").accepts("from 0 to 1e6");
}

#[test]
fn hawkes_without_a_baseline() {
    let s = FULL.edit("mu = 0.6", "mu = 0");
    s.fails().at(s.pos("0,")).field("agents[2].arrival.mu").says("0 is out of range").accepts("above 0");
}

#[test]
fn an_unknown_arrival_process() {
    let s = FULL.edit("process = \"hawkes\"", "process = \"cox\"");
    s.fails().at(s.pos("\"cox\"")).field("agents[2].arrival.process").says("cox").accepts("`hawkes`");
}

// ---------------------------------------------------------------- income band and tenure

#[test]
fn an_income_band_of_7() {
    let s =
        FULL.edit("income_band = { dist = \"fixed\", value = 2.0 }", "income_band = { dist = \"fixed\", value = 7 }");
    let f = s.fails();
    f.at(s.pos("7")).field("agents[4].income_band.value").says("7 is out of range");
    f.accepts("income band from 1 (lowest) to 5");
}

#[test]
fn an_income_band_range_reaching_7() {
    let s = FULL.edit("min = 1.0, max = 5.0", "min = 1.0, max = 7.0");
    s.fails().at(s.pos("7.0")).field("agents[3].income_band.max").says("7").accepts("from 1 (lowest) to 5");
}

#[test]
fn an_income_band_of_0() {
    let s = FULL.edit("min = 1.0, max = 5.0", "min = 0.0, max = 5.0");
    s.fails().at(s.pos("0.0")).field("agents[3].income_band.min").says("0 is out of range").accepts("1 (lowest)");
}

#[test]
fn an_income_band_written_as_a_number() {
    let s = FULL.edit("income_band = { dist = \"fixed\", value = 2.0 }", "income_band = 7");
    s.fails().at(s.pos("7")).field("agents[4].income_band").says("7").accepts("{ dist = \"fixed\", value = 1.0 }");
}

#[test]
fn a_tenure_of_minus_one_day() {
    let s = FULL.edit(
        "tenure_days = { dist = \"normal\", mean = 400.0, sd = 120.0 }",
        "tenure_days = { dist = \"fixed\", value = -1 }",
    );
    let f = s.fails();
    f.at(s.pos("-1")).field("agents[4].tenure_days.value").says("-1 is out of range");
    f.accepts("days with the platform from 0 to 36500");
}

#[test]
fn a_tenure_range_starting_below_zero() {
    let s = FULL.edit("min = 30.0, max = 1500.0", "min = -1.0, max = 1500.0");
    s.fails().at(s.pos("-1.0")).field("agents[3].tenure_days.min").says("-1").accepts("days with the platform");
}

#[test]
fn a_tenure_with_a_negative_sd() {
    let s = FULL.edit("mean = 400.0, sd = 120.0", "mean = 400.0, sd = -120.0");
    s.fails().at(s.pos("-120.0")).field("agents[4].tenure_days.sd").says("negative").accepts("at least 0");
}

// ---------------------------------------------------------------- parameters of another family

#[test]
fn a_rational_parameter_on_a_herding_group() {
    let s = FULL.edit("herding = 6.0 ", "herding = 6.0\nlookback = 12 ");
    let f = s.fails();
    f.at(s.pos("lookback"))
        .field("agents[2].params.lookback")
        .says("`lookback` is not a parameter of the herding family");
    f.accepts("for herding: herding, autonomy");
}

#[test]
fn a_herding_parameter_on_a_macro_group() {
    let s = FULL.edit("active_share = 0.9", "active_share = 0.9\nherding = 2.0");
    let f = s.fails();
    f.at(s.pos("herding")).field("agents[3].params.herding").says("not a parameter of the macro family");
    f.accepts("for macro: intercept_buy");
}

#[test]
fn a_zero_intelligence_parameter_on_a_market_maker() {
    let s = FULL.edit("spread = 0.001", "spread = 0.001\nbuy_prob = 0.5");
    let f = s.fails();
    f.at(s.pos("buy_prob")).field("agents[0].params.buy_prob").says("not a parameter of the market_maker family");
    f.accepts("for market_maker: spread, quote_lots, risk_aversion, liquidity, lookback, order_ttl");
}

#[test]
fn a_market_maker_looks_back_no_further_than_the_returns_kept() {
    // The engine keeps 64 window returns; a longer lookback would silently act as 64.
    let s = FULL.edit("spread = 0.001", "spread = 0.001\nlookback = 65");
    let f = s.fails();
    f.at(s.pos("65")).field("agents[0].params.lookback").says("65 is out of range");
    f.accepts("a whole number of windows from 1 to 64");
    FULL.edit("spread = 0.001", "spread = 0.001\nlookback = 64").passes();
}

#[test]
fn a_market_maker_parameter_on_a_rational_group() {
    let s = FULL.edit("lookback = 12", "lookback = 12\nquote_lots = 10");
    let f = s.fails();
    f.at(s.pos("quote_lots")).field("agents[1].params.quote_lots").says("not a parameter of the rational family");
    f.accepts("for rational: fundamental_weight");
}

#[test]
fn a_macro_parameter_on_a_zero_intelligence_group() {
    let s = FULL.edit("buy_prob = 0.5", "buy_prob = 0.5\nactive_share = 0.75");
    let f = s.fails();
    f.at(s.pos("active_share"))
        .field("agents[4].params.active_share")
        .says("not a parameter of the zero_intelligence family");
    f.accepts("for zero_intelligence: value_spread");
}

// ---------------------------------------------------------------- parameter ranges, family by family

#[test]
fn a_lookback_of_0() {
    let s = FULL.edit("lookback = 12", "lookback = 0");
    s.fails().at(s.pos("0")).field("agents[1].params.lookback").says("0 is out of range").accepts("from 1 to 64");
}

#[test]
fn a_lookback_of_100() {
    let s = FULL.edit("lookback = 12", "lookback = 100");
    s.fails().at(s.pos("100")).field("agents[1].params.lookback").says("100 is out of range").accepts("from 1 to 64");
}

#[test]
fn no_risk_aversion() {
    let s = FULL.edit("risk_aversion = 2.0", "risk_aversion = 0.0");
    s.fails().at(s.pos("0.0")).field("agents[1].params.risk_aversion").says("0 is out of range").accepts("above 0");
}

#[test]
fn a_negative_herding_rate() {
    let s = FULL.edit("herding = 6.0", "herding = -6.0");
    let f = s.fails();
    f.at(s.pos("-6.0")).field("agents[2].params.herding").says("-6 is out of range").accepts("recruitment rate");
}

#[test]
fn a_blind_share_above_one() {
    let s = FULL.edit("blind_share = 0.1", "blind_share = 1.5");
    s.fails().at(s.pos("1.5")).field("agents[2].params.blind_share").says("1.5").accepts("a probability from 0 to 1");
}

#[test]
fn an_active_share_above_one() {
    let s = FULL.edit("active_share = 0.9", "active_share = 1.5");
    s.fails().at(s.pos("1.5")).field("agents[3].params.active_share").says("1.5").accepts("from 0 to 1");
}

#[test]
fn an_intercept_beyond_the_range() {
    let s = FULL.edit("intercept_buy = -1.0", "intercept_buy = -60.0");
    s.fails().at(s.pos("-60.0")).field("agents[3].params.intercept_buy").says("-60").accepts("log-odds from -50 to 50");
}

#[test]
fn a_market_maker_without_a_spread() {
    let s = FULL.edit("spread = 0.001", "spread = 0");
    s.fails().at(s.pos("0\n")).field("agents[0].params.spread").says("0 is out of range").accepts("above 0");
}

#[test]
fn a_market_maker_quoting_no_lots() {
    let s = FULL.edit("quote_lots = 300", "quote_lots = 0");
    s.fails()
        .at(s.pos("0"))
        .field("agents[0].params.quote_lots")
        .says("0 is out of range")
        .accepts("from 1 to 100,000,000");
}

#[test]
fn every_family_parameter_out_of_range() {
    // (fixture text, wrong value, field, a phrase of the accepted line)
    let cases: &[(&str, &str, &str, &str)] = &[
        ("risk_aversion = 0.05", "20.0", "agents[0].params.risk_aversion", "per tick above 0 and at most 10"),
        ("order_ttl = \"1h\"", "\"0s\"", "agents[0].params.order_ttl", "a duration above 0"),
        ("fundamental_weight = 1.0", "-1.0", "agents[1].params.fundamental_weight", "from 0 to 100"),
        ("chartist_weight = 0.1", "200.0", "agents[1].params.chartist_weight", "from 0 to 100"),
        ("noise_weight = 0.2", "-0.2", "agents[1].params.noise_weight", "from 0 to 100"),
        ("noise_sd = 0.0005", "2.0", "agents[1].params.noise_sd", "from 0 to 1"),
        ("threshold = 0.0001", "-0.0001", "agents[1].params.threshold", "excess return from 0 to 1"),
        ("autonomy = 1.0", "2000.0", "agents[2].params.autonomy", "switching rate per hour"),
        ("price_push = 0.2", "500.0", "agents[2].params.price_push", "from -100 to 100"),
        ("flow_push = 0.3", "-500.0", "agents[2].params.flow_push", "from -100 to 100"),
        ("initial_optimists = 0.5", "-0.1", "agents[2].params.initial_optimists", "probability from 0 to 1"),
        ("intercept_sell = -1.5", "51.0", "agents[3].params.intercept_sell", "from -50 to 50"),
        ("spread_sensitivity = 1.1", "101.0", "agents[3].params.spread_sensitivity", "per percentage point"),
        ("loan_sensitivity = 0.8", "-200.0", "agents[3].params.loan_sensitivity", "per percentage point"),
        ("price_level_sensitivity = 0.25", "250.0", "agents[3].params.price_level_sensitivity", "per 1%"),
        ("shock_sensitivity = 0.5", "-150.0", "agents[3].params.shock_sensitivity", "from -100 to 100"),
    ];
    for &(written, wrong, field, accepted) in cases {
        let (name, _) = written.split_once(" = ").unwrap();
        let s = FULL.edit(written, &format!("{name} = {wrong}"));
        s.fails().at(s.pos(wrong)).field(field).accepts(accepted);
    }
}
