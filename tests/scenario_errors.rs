//! Every mistake in a scenario file is a clear error, never a panic: the real
//! binary exits with status 2, names the file, the line and column, the field
//! path and what is accepted, and writes nothing.
//!
//! Each case breaks `tests/data/core_market.toml` (a one-family market that
//! exercises every core table) with one small textual edit (or
//! is a whole file of its own) and runs `tplus run FILE`, `tplus run FILE --out
//! out` and `tplus check FILE` in a fresh, empty directory. Expected lines and
//! columns are found in the edited text, never written down as numbers. The
//! harness is in `tests/common/mod.rs`; the macro environment, credit, events
//! and the other families are in `scenario_errors_environment.rs`.

mod common;

use std::process::Command;

use common::*;

// ---------------------------------------------------------------- the file itself

#[test]
fn a_missing_file() {
    refuse(None, ALL).nowhere().says("no such file").accepts("TOML scenario file");
}

#[test]
fn an_empty_file() {
    whole("")
        .fails()
        .at((1, 1))
        .field("simulation")
        .says("missing required field `simulation`")
        .accepts("[simulation] table");
}

#[test]
fn a_file_that_is_not_toml() {
    let s = whole("{\n  \"simulation\": { \"name\": \"baseline\" }\n}\n");
    s.fails().at((1, 1)).says("not valid TOML").accepts("TOML syntax");
}

#[test]
fn a_file_that_is_not_text() {
    // The first byte that is not UTF-8, by line, column and byte offset.
    refuse(Some(b"\x89PNG\r\n\x1a\n\xff\xfe"), ALL)
        .at((1, 1))
        .says("byte 0x89 at byte offset 0 is not UTF-8")
        .accepts("UTF-8");
    refuse(Some(b"[simulation]\nname = \"caf\xe9\"\n"), ALL)
        .at((2, 12))
        .field("simulation.name")
        .says("byte 0xE9 at byte offset 24 is not UTF-8")
        .accepts("UTF-8");
}

#[test]
fn a_directory_or_an_endless_device_is_refused_before_reading() {
    for (path, says) in [(".", "it is a directory"), ("/dev/zero", "larger than 16 MiB")] {
        let out = Command::new(env!("CARGO_BIN_EXE_tplus")).args(["check", path]).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.starts_with(&format!("error: {path}: cannot read the scenario: ")), "{stderr}");
        assert!(stderr.contains(says) && stderr.contains("accepted: "), "{stderr}");
    }
}

#[test]
fn control_characters_from_the_file_are_escaped() {
    // TOML's \u escapes put an ESC and a BEL into the family's name.
    let s = CORE.edit("family = \"zero_intelligence\"", "family = \"\\u001b[2J\\u0007\"");
    let f = s.fails();
    f.field("agents[0].family").says("\\u{1b}[2J\\u{7}");
    assert!(!f.stderr.contains('\u{1b}') && !f.stderr.contains('\u{7}'), "{}", f.stderr);
}

#[test]
fn a_name_of_the_wrong_type() {
    let s = CORE.edit("dist = \"normal\"", "dist = 3");
    s.fails().at(s.pos("3, mean")).field("agents[0].credit_score.dist").accepts("\"lognormal\"");
    let s = CORE.edit("family = \"zero_intelligence\"", "family = {}");
    s.fails().field("agents[0].family").accepts("a string");
}

#[test]
fn an_array_where_a_table_belongs() {
    let s = CORE.edit("arrival = { process = \"poisson\", rate = 4.0 }", "arrival = [1, 4.0]");
    s.fails().at(s.pos("[1, 4.0]")).field("agents[0].arrival").says("an array").accepts("an arrival table");
}

#[test]
fn a_syntax_error_in_a_key_value_line() {
    let s = CORE.edit("seed = 42", "seed = = 42");
    s.fails().at(s.pos("= 42")).says("not valid TOML").accepts("TOML syntax");
}

#[test]
fn an_unclosed_table_header() {
    let s = CORE.edit("[[product]]", "[[product]");
    s.fails().on_line(s.line("[[product]")).says("not valid TOML").accepts("TOML syntax");
}

#[test]
fn a_key_given_twice() {
    let s = CORE.edit("seed = 42\n", "seed = 42\nseed = 43\n");
    s.fails().at(s.pos("seed = 43")).field("simulation.seed").says("duplicate key `seed`").accepts("each key");
}

#[test]
fn the_simulation_table_removed() {
    let s = CORE.cut("[simulation]", "[[product]]");
    s.fails().at((1, 1)).field("simulation").says("missing required field `simulation`").accepts("[simulation] table");
}

#[test]
fn a_required_field_removed() {
    // Points at the table that lacks the field.
    let s = Scenario { edit_at: 0, ..CORE.edit("nav = 1.0\n", "") };
    s.fails()
        .at(s.pos("[[product]]"))
        .field("product[0].nav")
        .says("missing required field `nav`")
        .accepts("see `tplus help product.nav`");
}

// ---------------------------------------------------------------- unknown fields

#[test]
fn an_unknown_top_level_field() {
    let s = CORE.edit("[simulation]", "colour = \"blue\"\n\n[simulation]");
    s.fails().at(s.pos("colour")).field("colour").says("unknown field").accepts("`simulation`");
}

#[test]
fn an_unknown_field_in_simulation() {
    let s = CORE.edit("seed = 42", "sead = 42");
    s.fails().at(s.pos("sead")).field("simulation.sead").says("unknown field").accepts("`seed`");
}

#[test]
fn an_unknown_field_in_agents_params() {
    let s = CORE.edit("buy_prob = 0.5", "buy_probability = 0.5");
    let f = s.fails();
    f.at(s.pos("buy_probability")).field("agents[0].params.buy_probability").accepts("buy_prob");
}

#[test]
fn an_unknown_field_in_an_inline_table() {
    let s = CORE.edit("rate = 4.0 }", "rate = 4.0, burst = 2 }");
    s.fails().at(s.pos("burst")).field("agents[0].arrival.burst").says("unknown field").accepts("`rate`");
}

// ---------------------------------------------------------------- wrong types and names

#[test]
fn a_string_for_a_number() {
    let s = CORE.edit("tick_size = 0.0001", "tick_size = \"0.0001\"");
    s.fails().at(s.pos("\"0.0001\"")).field("product[0].tick_size").says("string").accepts("a number");
}

#[test]
fn a_fraction_for_an_integer() {
    let s = CORE.edit("count = 10000", "count = 100.5");
    s.fails().at(s.pos("100.5")).field("agents[0].count").says("100.5").accepts("an integer");
}

#[test]
fn a_negative_seed() {
    let s = CORE.edit("seed = 42", "seed = -1");
    let f = s.fails();
    f.at(s.pos("-1")).field("simulation.seed").says("-1 is out of range").accepts("a whole number from 0 to 1844");
    // One past the top reads the same, where it used to say "too large"
    // and accept "a number that fits in 64 bits".
    let s = CORE.edit("seed = 42", "seed = 18446744073709551616");
    let f = s.fails();
    f.field("simulation.seed").says("18446744073709551616 is out of range").accepts("a whole number from 0 to 1844");
}

#[test]
fn an_unknown_agent_family() {
    let s = CORE.edit("family = \"zero_intelligence\"", "family = \"momentum\"");
    s.fails().at(s.pos("\"momentum\"")).field("agents[0].family").says("momentum").accepts("zero_intelligence");
}

#[test]
fn an_unknown_distribution() {
    let s = CORE.edit("dist = \"normal\"", "dist = \"gaussian\"");
    s.fails().at(s.pos("\"gaussian\"")).field("agents[0].credit_score.dist").accepts("`lognormal`");
}

#[test]
fn agents_as_a_table_instead_of_an_array_of_tables() {
    let s = CORE.edit("[[agents]]", "[agents]");
    s.fails().at(s.pos("[agents]")).field("agents").accepts("array");
}

// ---------------------------------------------------------------- spellings of time

#[test]
fn a_duration_spelled_out() {
    let s = CORE.edit("window = \"5m\"", "window = \"5 minutes\"");
    s.fails().at(s.pos("\"5 minutes\"")).field("simulation.window").says("`5 minutes` is not a duration");
}

#[test]
fn a_duration_past_the_clock_is_too_long_not_misspelt() {
    let s = CORE.edit("window = \"5m\"", "window = \"99999999999999999999h\"");
    let f = s.fails();
    f.at(s.pos("\"9999")).field("simulation.window").says("is longer than a duration may be, 100000 days");
}

#[test]
fn an_over_long_name_is_shown_by_its_ends() {
    let name = "n".repeat(100_000);
    let s = CORE.edit("name = \"baseline\"", &format!("name = \"{name}\""));
    let f = s.fails();
    f.field("simulation.name").says(&format!("`{}…[99922 characters]…{}` cannot name", "n".repeat(59), "n".repeat(19)));
    assert!(f.stderr.len() < 500, "{} bytes", f.stderr.len());
}

#[test]
fn a_time_of_day_past_midnight() {
    let s = CORE.edit("open = \"09:30\"", "open = \"25:00\"");
    s.fails().at(s.pos("\"25:00\"")).field("simulation.open").says("`25:00` is not a time of day");
}

#[test]
fn a_date_that_does_not_exist() {
    let s = CORE.edit("start_date = 2026-01-05", "start_date = \"2026-02-30\"");
    s.fails().at(s.pos("\"2026-02-30\"")).field("simulation.start_date").says("`2026-02-30` is not a date");
}

#[test]
fn a_bare_date_that_does_not_exist() {
    let s = CORE.edit("start_date = 2026-01-05", "start_date = 2026-02-30");
    s.fails().at(s.pos("2026-02-30")).says("invalid date");
}

#[test]
fn a_bare_date_that_does_not_exist_names_the_field() {
    let s = CORE.edit("start_date = 2026-01-05", "start_date = 2026-02-30");
    s.fails().field("simulation.start_date").accepts("YYYY-MM-DD");
}

#[test]
fn spellings_of_time_have_an_accepted_line() {
    CORE.edit("window = \"5m\"", "window = \"5 minutes\"").fails().accepts("\"5m\"");
    CORE.edit("open = \"09:30\"", "open = \"25:00\"").fails().accepts("HH:MM");
    CORE.edit("start_date = 2026-01-05", "start_date = \"2026-02-30\"").fails().accepts("YYYY-MM-DD");
    CORE.edit("holidays = []", "holidays = [\"2026-13-01\"]").fails().accepts("YYYY-MM-DD");
}

// ---------------------------------------------------------------- values out of range

#[test]
fn a_negative_agent_count() {
    let s = CORE.edit("count = 10000", "count = -5");
    s.fails().at(s.pos("-5")).field("agents[0].count").says("-5").accepts("1 to 50000000");
}

#[test]
fn zero_days() {
    let s = CORE.edit("days = 5 ", "days = 0 ");
    s.fails().at(s.pos("0")).field("simulation.days").says("0 is out of range").accepts("1 to 10000");
}

#[test]
fn a_negative_arrival_rate() {
    let s = CORE.edit("rate = 4.0", "rate = -4.0");
    s.fails().at(s.pos("-4.0")).field("agents[0].arrival.rate").says("-4").accepts("above 0");
}

#[test]
fn a_share_above_one() {
    let s = CORE.edit("aon_share = 0.1", "aon_share = 1.5");
    s.fails().at(s.pos("1.5")).field("agents[0].params.aon_share").says("1.5").accepts("0 to 1");
}

#[test]
fn max_lots_below_min_lots() {
    let s = CORE.edit("min_lots = 1\nmax_lots = 50", "min_lots = 60\nmax_lots = 50");
    s.fails().at(s.pos("50")).field("agents[0].params.max_lots").says("50").accepts("from min_lots to 100,000,000");
}

#[test]
fn a_too_large_integer() {
    let s = CORE.edit("count = 10000", "count = 99999999999999999999");
    s.fails().at(s.pos("99999999999999999999")).field("agents[0].count").accepts("");
}

#[test]
fn a_too_large_integer_is_called_too_large() {
    let s = CORE.edit("count = 10000", "count = 99999999999999999999");
    s.fails().never_says("i128").never_says("invalid type");
}

// ---------------------------------------------------------------- rules between fields

#[test]
fn close_before_open() {
    let s = CORE.edit("close = \"15:00\"", "close = \"09:00\"");
    let f = s.fails();
    f.at(s.pos("\"09:00\"")).field("simulation.close").says("09:00").says("09:30").accepts("later than the open");
}

#[test]
fn a_window_longer_than_the_session() {
    let s = CORE.edit("window = \"5m\"", "window = \"6h\"");
    s.fails().at(s.pos("\"6h\"")).field("simulation.window").says("6h").accepts("session length");
}

#[test]
fn too_many_metric_windows() {
    let s = CORE.edit("window = \"5m\"", "window = \"1s\"");
    let s = Scenario { text: s.text.replacen("days = 5 ", "days = 10000 ", 1), edit_at: s.edit_at };
    s.fails().at(s.pos("\"1s\"")).field("simulation.window").says("metric rows").accepts("longer window");
}

#[test]
fn a_window_too_short_to_count() {
    let s = CORE.edit("window = \"5m\"", "window = \"1ns\"");
    s.fails().at(s.pos("\"1ns\"")).field("simulation.window").accepts("window");
    // Too short is not said to be too long for the session.
    let s = CORE.edit("window = \"5m\"", "window = \"500ms\"");
    s.fails()
        .at(s.pos("\"500ms\""))
        .field("simulation.window")
        .says("a window of 500ms is out of range")
        .accepts("\"1s\"");
}

#[test]
fn a_tick_that_does_not_divide_the_nav() {
    let s = CORE.edit("tick_size = 0.0001", "tick_size = 0.0003");
    s.fails().at(s.pos("0.0003")).field("product[0].tick_size").says("does not divide").accepts("divides the NAV");
}

#[test]
fn a_price_band_narrower_than_a_tick() {
    let s = CORE.edit("price_band = 0.02", "price_band = 0.00005");
    s.fails().at(s.pos("0.00005")).field("product[0].price_band").says("no tick").accepts("one tick");
}

#[test]
fn a_primary_pacing_out_of_range() {
    let s = CORE.edit("primary_supply_lots = 20000", "primary_supply_lots = 20000\nprimary_pacing = \"500ms\"");
    s.fails()
        .at(s.pos("\"500ms\""))
        .field("product[0].primary_pacing")
        .says("out of range")
        .accepts("\"1s\" to \"24h\"");
    let s = CORE.edit("primary_supply_lots = 20000", "primary_supply_lots = 20000\nprimary_pacing = \"25h\"");
    s.fails()
        .at(s.pos("\"25h\""))
        .field("product[0].primary_pacing")
        .says("25h is out of range")
        .accepts("whole quota");
}

#[test]
fn a_primary_pacing_that_is_not_a_duration() {
    let s = CORE.edit("primary_supply_lots = 20000", "primary_supply_lots = 20000\nprimary_pacing = \"fast\"");
    s.fails()
        .at(s.pos("\"fast\""))
        .field("product[0].primary_pacing")
        .says("`fast` is not a duration")
        .accepts("\"5m\"");
}

#[test]
fn duplicate_product_ids() {
    let second = "[[product]]\nid = \"NOTE7\"\nnav = 1.0\nannual_yield = 0.02\ntick_size = 0.0001\nterm_days = 7\n\
                  holding_limit_days = 3\n\n[macro.loan_rate]";
    let s = CORE.edit("[macro.loan_rate]", second);
    s.fails().at(s.pos("\"NOTE7\"")).field("product[1].id").says("used twice").accepts("unique");
}

#[test]
fn a_product_list_naming_an_unknown_product() {
    let s = CORE.edit("initial_lots =", "products = [\"NOTE7\", \"NOTE14\"]\ninitial_lots =");
    s.fails().at(s.pos("\"NOTE14\"")).field("agents[0].products[1]").says("NOTE14").accepts("NOTE7");
}

#[test]
fn a_mistake_in_the_second_agent_group() {
    let group = "order_ttl = \"30m\"\n\n[[agents]]\nfamily = \"zi\"\ncount = 10\n\
                 arrival = { process = \"poisson\", rate = -1.0 }\nbudget = { dist = \"fixed\", value = 100.0 }\n";
    let s = CORE.edit("order_ttl = \"30m\"\n", group);
    s.fails().at(s.pos("-1.0")).field("agents[1].arrival.rate").accepts("above 0");
}

// ---------------------------------------------------------------- distributions

#[test]
fn a_lognormal_without_sigma() {
    let s = CORE.edit(
        "budget = { dist = \"lognormal\", median = 20000.0, sigma = 0.6 }",
        "budget = { dist = \"lognormal\", median = 20000.0 }",
    );
    s.fails().at(s.pos("{")).field("agents[0].budget").says("missing `sigma`").accepts("median and sigma");
}

#[test]
fn a_field_that_does_not_apply_to_the_distribution() {
    let s = CORE.edit("mean = 640.0, sd = 60.0", "mean = 640.0, sd = 60.0, sigma = 1.0");
    s.fails().at(s.pos("1.0")).field("agents[0].credit_score.sigma").says("does not apply").accepts("mean and sd");
}

#[test]
fn a_uniform_with_max_below_min() {
    let s = CORE.edit("min = 0.0, max = 40.0", "min = 10.0, max = 5.0");
    s.fails().at(s.pos("5.0")).field("agents[0].initial_lots.max").says("below min").accepts("max at least min");
}

#[test]
fn a_number_for_a_distribution() {
    let s = CORE.edit("budget = { dist = \"lognormal\", median = 20000.0, sigma = 0.6 }", "budget = 20000.0");
    s.fails().at(s.pos("20000.0")).field("agents[0].budget").never_says("struct").accepts("dist");
}

#[test]
fn a_budget_too_large_to_count() {
    let s = CORE.edit("median = 20000.0", "median = 1e15");
    s.fails().at(s.pos("1e15")).field("agents[0].budget.median").accepts("budget");
}

#[test]
fn initial_lots_too_many_to_count() {
    let s = CORE.edit("min = 0.0, max = 40.0", "min = 0.0, max = 1e10");
    s.fails().at(s.pos("1e10")).field("agents[0].initial_lots.max").accepts("lots");
}

// ---------------------------------------------------------------- line endings

#[test]
fn windows_line_endings_keep_lines_and_columns() {
    let s = CORE.edit("days = 5 ", "days = 0 ");
    let at = s.pos("0");
    let s = Scenario { text: s.text.replace('\n', "\r\n"), edit_at: 0 };
    s.fails().at(at).field("simulation.days");
}

// ---------------------------------------------------------------- the bundled scenario

#[test]
fn check_summarises_the_baseline() {
    let out = Command::new(env!("CARGO_BIN_EXE_tplus"))
        .args(["check", "scenarios/baseline.toml"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "stderr:\n{stderr}");
    assert!(stderr.is_empty(), "check printed on stderr:\n{stderr}");
    assert!(stdout.starts_with("scenarios/baseline.toml: ok"), "{stdout}");
    assert!(stdout.contains("`baseline`"), "no scenario name in:\n{stdout}");
    assert!(stdout.contains("NOTE7"), "no product id in:\n{stdout}");
}

// ---------------------------------------------------------------- sale excitation

const EXCITED: &str = "arrival = { process = \"poisson\", rate = 4.0 }          # wake-ups per agent per hour\nsale_excitation = { alpha = 0.004, beta = 0.01 }";

#[test]
fn a_sale_excitation_that_would_never_die_out() {
    let s =
        CORE.edit("arrival = { process = \"poisson\", rate = 4.0 }          # wake-ups per agent per hour", EXCITED);
    s.passes();
    let s = s.then("alpha = 0.004", "alpha = 0.02");
    s.fails().at(s.pos("0.02")).field("agents[0].sale_excitation.alpha").says("2.000, not below 1").accepts("below 1");
}

#[test]
fn a_sale_excitation_without_decay() {
    let s =
        CORE.edit("arrival = { process = \"poisson\", rate = 4.0 }          # wake-ups per agent per hour", EXCITED);
    let s = s.then("beta = 0.01", "beta = 0.0");
    s.fails().at(s.pos("0.0 }")).field("agents[0].sale_excitation.beta").accepts("decay rate per second above 0");
}

#[test]
fn a_sale_panic_with_no_group_to_panic() {
    let s = CORE
        .edit("[[agents]]", "[[events]]\nat = \"day 2 10:00\"\ntarget = \"sale_panic\"\nchange = 5.0\n\n[[agents]]");
    s.fails().field("events[0].target").says("no group with a `sale_excitation`").accepts("sale_excitation");
    let s = CORE
        .edit("arrival = { process = \"poisson\", rate = 4.0 }          # wake-ups per agent per hour", EXCITED)
        .then(
            "[[agents]]",
            "[[events]]\nat = \"day 2 10:00\"\ntarget = \"sale_panic\"\nchange = 5.0\ngroup = 1\n\n[[agents]]",
        );
    s.fails().at(s.pos("1\n\n[[agents]]")).field("events[0].group").says("no agents[1]").accepts("0");
}

// ---------------------------------------------------------------- planted abuse

#[test]
fn an_unknown_abuse() {
    let s = CORE.edit("family = \"zero_intelligence\"", "family = \"zero_intelligence\"\nabuse = \"pump\"");
    let f = s.fails();
    f.at(s.pos("\"pump\""))
        .field("agents[0].abuse")
        .says("pump")
        .accepts("`wash`")
        .accepts("`spoof`")
        .accepts("`churn`");
}

#[test]
fn an_abuse_that_is_not_a_string() {
    let s = CORE.edit("family = \"zero_intelligence\"", "family = \"zero_intelligence\"\nabuse = true");
    s.fails().at(s.pos("true")).field("agents[0].abuse");
}

#[test]
fn a_planted_group_takes_its_abuses_parameters() {
    // The core group's params are zero intelligence's, not a wash trader's.
    let s = CORE.edit("family = \"zero_intelligence\"", "family = \"zero_intelligence\"\nabuse = \"wash\"");
    let f = s.fails();
    f.at(s.pos("aon_share"))
        .field("agents[0].params.aon_share")
        .says("not a parameter of the wash")
        .accepts("lots, order_ttl");
}

/// A default found at fault in a table the file leaves out (`[metrics]`'s
/// `return_step` of 1m against a session of a minute) is shown at 1:1, as a
/// missing table is, not without a place.
#[test]
fn a_default_at_fault_in_a_table_the_file_leaves_out() {
    let s = CORE.edit("close = \"15:00\"", "close = \"09:31\"").then("window = \"5m\"", "window = \"1m\"");
    s.fails()
        .at((1, 1))
        .field("metrics.return_step")
        .says("1m does not fit the session of 1m")
        .accepts("a quarter of the session");
}
