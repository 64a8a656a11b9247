//! `tplus new`: every template writes a scenario `tplus check` accepts, and
//! an existing file is never overwritten (exit 2, the file unchanged).

use std::path::PathBuf;
use std::process::{Command, Output};

fn tplus(dir: &PathBuf, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tplus")).current_dir(dir).args(args).output().expect("tplus runs")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tplus-new-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn every_template_passes_check() {
    let dir = scratch("templates");
    for template in ["baseline", "two-products", "teaching"] {
        let name = format!("my_{}", template.replace('-', "_"));
        let out = tplus(&dir, &["new", &name, "--template", template]);
        assert!(out.status.success(), "{template}: {}", String::from_utf8_lossy(&out.stderr));
        let file = format!("{name}.toml");
        let text = std::fs::read_to_string(dir.join(&file)).unwrap();
        assert!(text.starts_with('#') && text.contains(&format!("name = \"{name}\"")), "{template}");
        let check = tplus(&dir, &["check", &file]);
        assert!(check.status.success(), "{template}: {}", String::from_utf8_lossy(&check.stderr));
    }
    // A path ending in .toml is written as given; the default template is the baseline.
    let out = tplus(&dir, &["new", "sub.toml"]);
    assert!(out.status.success());
    assert!(std::fs::read_to_string(dir.join("sub.toml")).unwrap().contains("every kind of customer"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_existing_file_is_not_overwritten() {
    let dir = scratch("exists");
    std::fs::write(dir.join("mine.toml"), "keep me").unwrap();
    let out = tplus(&dir, &["new", "mine", "--template", "teaching"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));
    assert_eq!(std::fs::read_to_string(dir.join("mine.toml")).unwrap(), "keep me");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_check_it_suggests_runs_even_for_a_name_like_an_option() {
    let dir = scratch("dash");
    for name in ["-x", "my scenario"] {
        let out = tplus(&dir, &["new", "--", name]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{name}: {stderr}");
        let suggested = stderr.split("check it with `").nth(1).and_then(|r| r.split('`').next()).unwrap();
        let bin = env!("CARGO_BIN_EXE_tplus");
        let check = Command::new("sh").arg("-c").arg(suggested.replacen("tplus", bin, 1)).current_dir(&dir).output();
        let check = check.unwrap();
        assert!(check.status.success(), "`{suggested}`: {}", String::from_utf8_lossy(&check.stderr));
    }
    let _ = std::fs::remove_dir_all(&dir);
}
