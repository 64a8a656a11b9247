//! `tplus tui`: the live terminal view of a scenario, for teaching.

use std::path::PathBuf;
use std::process::ExitCode;

/// Watch a scenario run live in the terminal and change the loan rate,
/// herding or macro activity as it runs.
#[derive(clap::Args, Debug)]
pub struct TuiArgs {
    /// Scenario file (TOML), e.g. scenarios/herding.toml.
    scenario: PathBuf,
    /// Seed to use instead of the scenario's (0 to 18446744073709551615).
    #[arg(long, value_parser = super::parse_seed, allow_negative_numbers = true)]
    seed: Option<u64>,
    /// Run a control beside the live run from the start: the same scenario
    /// and seed without the live changes, drawn dim on the same charts,
    /// with the difference since the last change (key `c` toggles it).
    #[arg(long)]
    control: bool,
    #[command(flatten)]
    pub(super) memory: super::limits::MemoryLimit,
}

/// Loads the scenario (a bad one fails as `tplus run` does, exit 2, before
/// the terminal is touched), then runs the live view: exit 0 when the user
/// quits, 128 + the signal's number when a signal ends it (143 SIGTERM, 129
/// SIGHUP, 130 SIGINT), 1 when the view cannot start or fails.
pub fn tui(args: TuiArgs, registry: &crate::agents::Registry) -> ExitCode {
    // With --control a second run goes beside the live one.
    let runs = if args.control { 2 } else { 1 };
    let scenario = match super::load_to_run(&args.scenario, runs, registry) {
        Ok(s) => s,
        Err(code) => return code,
    };
    // What to watch, from the file's header comment (the file was just read
    // to load it; if it cannot be read again, the line is left out).
    let watch = std::fs::read_to_string(&args.scenario).ok().and_then(|text| crate::scenario::what_to_watch(&text));
    // `c` may add the control later: said then, if two runs do not fit.
    let refused = super::limits::fits(&args.scenario, &scenario, 2, super::max_memory(), registry).err();
    let control = crate::tui::ControlSetup { on: args.control, refused };
    match crate::tui::run(scenario, args.seed, watch, control, registry) {
        Ok(ended) => ExitCode::from(u8::try_from(ended.exit_status()).unwrap_or(1)),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}
