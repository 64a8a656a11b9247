//! Build script: names the git commit the binary was built from, and whether
//! the work tree differed from it, for `tplus --version`
//! (`tplus 0.1.0 (7c9c251, modified)`).
//!
//! It sets `TPLUS_VERSION_SUFFIX` to ` (COMMIT)` or ` (COMMIT, modified)`,
//! or to nothing when there is no commit to name: built outside a git
//! checkout (a tarball, `cargo package`), or without git installed. A
//! missing git never fails the build.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    println!("cargo:rerun-if-changed=build.rs");
    // Only a checkout of this very directory counts: a tarball unpacked
    // inside some other repository must not take that repository's commit.
    let top = git(&dir, &["rev-parse", "--show-toplevel"]).and_then(|t| std::fs::canonicalize(t).ok());
    let here = std::fs::canonicalize(&dir).ok();
    let commit = if top.is_some() && top == here { git(&dir, &["rev-parse", "--short=7", "HEAD"]) } else { None };
    let suffix = match commit {
        Some(commit) => {
            watch_git(&dir);
            // Tracked files that differ from the commit; new untracked files
            // do not make a build "modified" (as `git describe --dirty`).
            // Without optional locks status does not rewrite the index,
            // which would make Cargo run this script again next time.
            let modified = git(&dir, &["--no-optional-locks", "status", "--porcelain", "--untracked-files=no"])
                .is_some_and(|s| !s.is_empty());
            if modified { format!(" ({commit}, modified)") } else { format!(" ({commit})") }
        }
        None => String::new(),
    };
    println!("cargo:rustc-env=TPLUS_VERSION_SUFFIX={suffix}");
}

/// `git -C dir ARGS`'s trimmed output, or None if git is missing or fails
/// (no checkout here).
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git").arg("-C").arg(dir).args(args).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Runs this script again when the commit or the index changes (a checkout,
/// a commit, `git add`) and when the crate's sources change: an edit of a
/// tracked file makes the tree modified without touching git's files, and
/// an edit of `src/` rebuilds the crate anyway. (An edit elsewhere, of a
/// test or a document, shows at the next `git add`, commit or source
/// change: watching them would rebuild the whole crate for each.)
fn watch_git(dir: &Path) {
    // In a linked worktree HEAD and the index live in its own git dir, the
    // branches in the common one.
    let path = |p: &str| git(dir, &["rev-parse", "--path-format=absolute", "--git-path", p]);
    // Only files that exist: Cargo takes a watched file that is missing as
    // changed, and would run this script, and so rebuild the whole crate,
    // at every command (a checkout with no `packed-refs`, or a branch that
    // lives only in it).
    let branch = git(dir, &["symbolic-ref", "-q", "HEAD"]);
    let files = ["HEAD", "index", "packed-refs"].into_iter().map(str::to_string).chain(branch);
    for f in files.filter_map(|p| path(&p)).filter(|f| Path::new(f).exists()) {
        println!("cargo:rerun-if-changed={f}");
    }
    for p in ["src", "Cargo.toml", "Cargo.lock"] {
        println!("cargo:rerun-if-changed={p}");
    }
}
