//! `tplus completions SHELL` and `tplus man [COMMAND]`: shell completions and the roff
//! man page, generated from the clap definition so they always match the
//! commands. Both are written to a buffer first and then to stdout, so a
//! closed pipe (`tplus man | head`) is an error message, never a panic.
//! And the other way round: words of a command tplus suggests, quoted so
//! that pasting it into a shell runs what was meant.

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

/// `s` as one word for a POSIX shell: as it is when only safe characters,
/// else in single quotes (a quote inside written as '\'').
pub(crate) fn quote(s: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "-_./:=,+@%".contains(c);
    if !s.is_empty() && s.chars().all(safe) { s.to_string() } else { format!("'{}'", s.replace('\'', "'\\''")) }
}

/// A path as a command's argument: [`quote`]d, and led by `./` when it
/// starts with `-`, which the command would take for an option.
pub(crate) fn path_argument(path: &std::path::Path) -> String {
    let text = path.display().to_string();
    quote(&if text.starts_with('-') { format!("./{text}") } else { text })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_quoted_only_when_a_shell_would_split_or_expand_them() {
        assert_eq!(quote("scenarios/sweeps/ci.toml"), "scenarios/sweeps/ci.toml");
        assert_eq!(quote("--shard=2/3"), "--shard=2/3");
        assert_eq!(quote("a b"), "'a b'");
        assert_eq!(quote("it's $HOME"), "'it'\\''s $HOME'");
        assert_eq!(quote(""), "''");
        assert_eq!(quote("bad name.toml"), "'bad name.toml'");
    }

    #[test]
    fn a_path_is_never_taken_for_an_option() {
        use std::path::Path;
        assert_eq!(path_argument(Path::new("-x.toml")), "./-x.toml");
        assert_eq!(path_argument(Path::new("--help.toml")), "./--help.toml");
        assert_eq!(path_argument(Path::new("-my x.toml")), "'./-my x.toml'");
        assert_eq!(path_argument(Path::new("/tmp/-x.toml")), "/tmp/-x.toml");
        assert_eq!(path_argument(Path::new("a-x.toml")), "a-x.toml");
    }
}
