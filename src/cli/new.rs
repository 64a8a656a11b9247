//! `tplus new NAME [--template T]`: starts a scenario from a bundled one.
//! The templates are the bundled scenario files themselves, embedded when
//! the binary is built, so a template is always a scenario `tplus check`
//! accepts and cannot drift from the files the tests run.

use crate::scenario::names_a_folder;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Which bundled scenario a new file starts from.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Template {
    /// Every family in one market, one product (scenarios/baseline.toml).
    #[default]
    Baseline,
    /// The baseline's market with a 7-day and a 14-day note (scenarios/two_products.toml).
    TwoProducts,
    /// A scripted rate hike to measure against a control (scenarios/rate_hike.toml).
    Teaching,
}

impl Template {
    /// The template's text: the bundled file, as built into the binary.
    pub fn text(self) -> &'static str {
        match self {
            Template::Baseline => include_str!("../../scenarios/baseline.toml"),
            Template::TwoProducts => include_str!("../../scenarios/two_products.toml"),
            Template::Teaching => include_str!("../../scenarios/rate_hike.toml"),
        }
    }
}

/// `tplus new`'s arguments.
#[derive(clap::Args, Debug)]
pub struct NewArgs {
    /// The new scenario: a name (NAME.toml is written) or a path ending in .toml.
    name: PathBuf,
    /// The bundled scenario to start from.
    #[arg(long, value_enum, default_value_t = Template::Baseline)]
    template: Template,
}

/// The file `name` stands for: itself if it ends in `.toml`, else NAME.toml
/// (`rates.v2` gives `rates.v2.toml`, not `rates.toml`).
fn target(name: &Path) -> PathBuf {
    // `dir/` names `dir`, not a file `.toml` inside it.
    let name: PathBuf = name.components().collect();
    if name.extension().is_some_and(|e| e.eq_ignore_ascii_case("toml")) {
        name
    } else {
        let mut file = name.into_os_string();
        file.push(".toml");
        PathBuf::from(file)
    }
}

/// The template with its `[simulation] name` set to the file's stem, when
/// the stem can name a results folder (else the template's name stays).
fn renamed(text: &str, stem: &str) -> String {
    match text.lines().find(|l| l.starts_with("name = \"")) {
        Some(line) if names_a_folder(stem) => text.replacen(line, &format!("name = \"{stem}\""), 1),
        _ => text.to_string(),
    }
}

/// Writes the new scenario; an existing file is never overwritten (exit 2).
pub fn new(args: NewArgs) -> ExitCode {
    let path = target(&args.name);
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let text = renamed(args.template.text(), &stem);
    // create_new: the check and the creation are one step, so a file that
    // appears meanwhile is not overwritten either.
    let file = std::fs::OpenOptions::new().write(true).create_new(true).open(&path);
    if let Ok(mut f) = file.as_ref()
        && let Err(e) = f.write_all(text.as_bytes()).and_then(|()| f.sync_all())
    {
        // Nothing half-written: the file is this command's own, made above.
        let _ = std::fs::remove_file(&path);
        eprintln!("error: cannot write {}: {e}", path.display());
        return ExitCode::FAILURE;
    }
    match file {
        Ok(_) => {
            println!("{}", path.display());
            if !names_a_folder(&stem) {
                let kept = args.template.text().lines().find_map(|l| l.strip_prefix("name = \"")?.split('"').next());
                eprintln!(
                    "note: `{stem}` cannot name a scenario (up to 64 letters, digits, `_`, `-` and `.`, not starting with `.`), so its \
                     [simulation] name stays the template's `{}`: set your own there",
                    kept.unwrap_or_default()
                );
            }
            eprintln!(
                "wrote {}: check it with `tplus check {}`, fields are explained by `tplus help scenario`",
                path.display(),
                super::shell::path_argument(&path)
            );
            ExitCode::SUCCESS
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            eprintln!(
                "error: {} already exists; tplus new never overwrites a file\n  accepted: a new name, or remove the file first",
                path.display()
            );
            ExitCode::from(2)
        }
        Err(e) => {
            // The path cannot hold a file (no such directory, no permission):
            // the user's to change, as `run --out` says of a directory.
            eprintln!("error: cannot create {}: {e}; choose another path", path.display());
            let unusable = crate::results::FileError::new("create", &path, e).is_unusable_path();
            ExitCode::from(if unusable { 2 } else { 1 })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_becomes_a_toml_file_and_the_scenario_name() {
        assert_eq!(target(Path::new("mine")), PathBuf::from("mine.toml"));
        assert_eq!(target(Path::new("dir/x.toml")), PathBuf::from("dir/x.toml"));
        assert_eq!(target(Path::new("rates.v2")), PathBuf::from("rates.v2.toml"));
        assert_eq!(target(Path::new("nd/")), PathBuf::from("nd.toml"));
        assert_eq!(target(Path::new("rates.TOML")), PathBuf::from("rates.TOML"));
        let t = renamed(Template::Baseline.text(), "mine");
        assert!(t.contains("name = \"mine\"") && !t.contains("name = \"baseline\""));
        assert!(renamed(Template::Baseline.text(), "bad name").contains("name = \"baseline\""));
    }
}
