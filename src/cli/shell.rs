//! `tplus completions SHELL` and `tplus man [COMMAND]`: shell completions and the roff
//! man page, generated from the clap definition so they always match the
//! commands. Both are written to a buffer first and then to stdout, so a
//! closed pipe (`tplus man | head`) is an error message, never a panic.

use std::io::Write;
use std::process::ExitCode;

use clap::CommandFactory;
use clap_complete::Shell;

use super::Cli;

/// `tplus completions SHELL`.
pub fn completions(shell: Shell) -> ExitCode {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "tplus", &mut buf);
    emit(&buf)
}

/// `tplus man [COMMAND]`: the page of `tplus` (tplus(1)), or of one command
/// (tplus-run(1) and so on, the pages the first one lists).
pub fn man(command: Option<&str>) -> ExitCode {
    let mut cli = Cli::command().disable_help_subcommand(true);
    // Building gives each command its page's name (`tplus-run`).
    cli.build();
    let page = match command {
        None => cli,
        Some(name) => match cli.find_subcommand(name) {
            Some(sub) => sub.clone(),
            None => {
                let names: Vec<&str> = cli.get_subcommands().map(|c| c.get_name()).collect();
                eprintln!("error: no command `{name}`; the commands are {}", names.join(", "));
                return ExitCode::from(2);
            }
        },
    };
    let mut buf = Vec::new();
    // The footer names tplus and its version on every page (a command's
    // own would be its name alone).
    match clap_mangen::Man::new(page).source(format!("tplus {}", super::VERSION)).render(&mut buf) {
        Ok(()) => emit(&buf),
        Err(e) => {
            eprintln!("error: cannot write the man page: {e}");
            ExitCode::from(1)
        }
    }
}

fn emit(bytes: &[u8]) -> ExitCode {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        // The reader went away (`| head`): what it wanted it has.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: cannot write to stdout: {e}");
            ExitCode::from(1)
        }
    }
}
