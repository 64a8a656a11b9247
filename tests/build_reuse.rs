//! The README's two commands share one build: `cargo test --release`, run
//! after `cargo run --release`, compiles only the tests. That holds while
//! the dev-dependencies (proptest, divan) switch on no feature of a shared
//! crate that the normal build leaves off; a feature they add makes cargo
//! compile that crate and everything above it twice (issue 15 measured 29
//! crates and eight minutes). This test compares the features cargo
//! resolves with and without the dev-dependencies and names any crate
//! whose features differ, so the fix (naming the feature in Cargo.toml, as
//! for clap's `env` and syn's `full`) is made when a dependency changes.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

/// `crate version` → its feature sets (one for a crate built for the
/// target, another if it is also built for build scripts and proc-macros
/// with other features), as `cargo tree` resolves them for the given kinds
/// of edges. Crates that only the dev-dependencies bring in are compiled
/// once whatever happens, so only crates in both trees count.
fn features(edges: &str) -> BTreeMap<String, BTreeSet<String>> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["tree", "--offline", "--locked", "-e", edges, "--prefix", "none", "-f", "{p}|{f}"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo runs");
    assert!(out.status.success(), "cargo tree failed: {}", String::from_utf8_lossy(&out.stderr));
    let mut map = BTreeMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let line = line.trim_end_matches(" (*)");
        if let Some((pkg, feats)) = line.split_once('|') {
            // `name vX.Y.Z (path)` for the root: keep name and version.
            let pkg: String = pkg.split_whitespace().take(2).collect::<Vec<_>>().join(" ");
            map.entry(pkg).or_insert_with(BTreeSet::new).insert(feats.to_string());
        }
    }
    map
}

#[test]
fn tests_resolve_the_features_of_the_normal_build() {
    let normal = features("normal,build");
    let with_dev = features("normal,build,dev");
    assert!(normal.len() > 50, "cargo tree listed only {} crates", normal.len());
    let differ: Vec<String> = normal
        .iter()
        .filter_map(|(pkg, f)| {
            let d = with_dev.get(pkg)?;
            (d != f).then(|| format!("{pkg}: build {f:?} vs test {d:?}"))
        })
        .collect();
    assert!(
        differ.is_empty(),
        "the dev-dependencies switch on features the build leaves off, so `cargo test --release` would \
         compile these crates (and all above them) again; name the features in Cargo.toml:\n  {}",
        differ.join("\n  ")
    );
}
