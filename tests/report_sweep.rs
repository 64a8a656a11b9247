//! `tplus report` on a sweep directory, end to end: `tplus sweep
//! scenarios/sweeps/ci.toml`, then its report: one plot per (key result,
//! parameter) and, for a grid over two parameters, one heat map per key
//! result; each well-formed SVG with its title, each shown in report.md;
//! bad sweep directories exit 2.

use std::path::{Path, PathBuf};

#[path = "common/bin.rs"]
mod bin;
#[path = "common/svg.rs"]
mod svg;
use bin::tplus;
use svg::{check_plot, check_png};

use serde_json::Value;

fn scratch(name: &str) -> PathBuf {
    bin::scratch("report-sweep", name)
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `tplus sweep FILE --out DIR`.
fn sweep(file: &Path, out: &Path) {
    let o = tplus(&["sweep".as_ref(), file.as_os_str(), "--out".as_ref(), out.as_os_str(), "--quiet".as_ref()]);
    assert!(o.status.success(), "tplus sweep failed: {}", String::from_utf8_lossy(&o.stderr));
}

/// `tplus report DIR`: (exit code, stdout, stderr).
fn report(dir: &Path) -> (i32, String, String) {
    let o = tplus(&["report".as_ref(), dir.as_os_str()]);
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// `line` (a row of sweep.csv) with its digest made again from its text,
/// as the sweep writes it.
fn redigest(line: &str) -> String {
    let mut tail = line.rsplitn(3, ',');
    let (wall, _, before) = (tail.next().unwrap(), tail.next().unwrap(), tail.next().unwrap());
    format!("{before},{:016x},{wall}", tplus::batch::csv::fnv1a(before))
}

/// The key results: (file part, title words, a column it needs).
const KEYS: [(&str, &str, &str); 5] = [
    ("success", "Success probability", "sub_success"),
    ("fill_ratio", "Fill ratio", "sub_fill_ratio"),
    ("volume", "Volume", "volume"),
    ("success_vs_volume_pearson", "Correlation of success with volume (Pearson r)", "sub_success_vs_volume_pearson"),
    ("success_vs_volume_spearman", "Correlation of success with volume (Spearman ρ)", "sub_success_vs_volume_spearman"),
];

/// The parameter paths and whether the design is a grid, from sweep.json.
fn design(dir: &Path) -> (Vec<String>, bool) {
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("sweep.json")).unwrap()).unwrap();
    let sweep = &doc["definition"]["sweep"];
    let params = sweep["params"].as_array().unwrap().iter().map(|p| p["path"].as_str().unwrap().to_string()).collect();
    (params, sweep["design"] == "grid")
}

/// The human file-name part of the parameters the sweeps here vary: the
/// parameter in words, as on the plot's axis (not its path with brackets and
/// dots, which a shell needs quoted).
fn human(path: &str) -> &'static str {
    match path {
        "macro.loan_rate.value" => "loan_rate_at_the_start",
        "agents[3].params.buy_prob" => "buy_prob_of_group_3_zero_intelligence",
        other => panic!("no human name written down for {other}"),
    }
}

/// Whether a line of SVG text is a number that reads as a negative zero
/// (`-0`, `-0.00`, `-0.0 pp`, `-0.00%`).
fn negative_zero(line: &str) -> bool {
    line.split(|c: char| c.is_whitespace() || c == '>' || c == '<' || c == '%').any(|w| {
        w.strip_prefix('-')
            .is_some_and(|d| !d.is_empty() && d.chars().all(|c| c == '0' || c == '.') && d.starts_with('0'))
    })
}

/// Reports the sweep in `dir` and checks every plot; returns report.md.
fn check_sweep_report(dir: &Path) -> String {
    let (params, grid) = design(dir);
    let header = std::fs::read_to_string(dir.join("sweep.csv")).unwrap().lines().next().unwrap().to_string();
    let keys: Vec<_> = KEYS.iter().filter(|k| header.split(',').any(|c| c == k.2)).collect();
    assert!(keys.len() >= 3, "sweep.csv lacks the key result columns: {header}");
    let mut expected = Vec::new();
    for p in &params {
        for (key, title, _) in &keys {
            expected.push((format!("{key}_vs_{}.svg", human(p)), format!("{title} against ")));
        }
    }
    let heat_maps = grid && params.len() == 2;
    if heat_maps {
        for (key, title, _) in &keys {
            expected.push((format!("heatmap_{key}.svg"), format!("{title}: ")));
        }
    }

    let (code, stdout, stderr) = report(dir);
    assert_eq!(code, 0, "tplus report failed: {stderr}");
    let listed: Vec<&str> = stdout.lines().collect();
    let md_path = dir.join("report.md");
    assert!(listed.iter().any(|l| Path::new(l) == md_path), "report.md not listed in {listed:?}");
    let md = std::fs::read_to_string(&md_path).unwrap();
    // Headings are words, not a type's name (a rename once made one read "KeyResult results").
    let camel = |w: &str| w.chars().skip(1).any(char::is_uppercase) && w.chars().any(char::is_lowercase);
    for h in md.lines().filter(|l| l.starts_with('#')) {
        assert!(!h.split_whitespace().any(camel), "a heading names a type: {h}");
    }
    for (file, title) in &expected {
        assert!(listed.iter().any(|l| Path::new(l) == dir.join(file)), "{file} not listed in {listed:?}");
        let svg = check_plot(dir, file, title);
        assert!(md.contains(&format!("]({file})")), "report.md does not show {file}");
        // Numbers never read "-0.00", and axes are titled in words, not paths.
        assert!(!svg.lines().any(negative_zero), "{file} prints a negative zero");
        assert!(!svg.contains(">agents[") && !svg.contains("\nagents["), "{file} titles an axis with a path");
        if file.starts_with("heatmap_") {
            // The colour bar states its unit: lots or percentage points from the grand mean, or the coefficient.
            let unit = ["\nlots traded\n", "\npercentage points\n", "\nPearson r\n", "\nSpearman ρ\n"];
            assert!(unit.iter().any(|u| svg.contains(u)), "{file}'s colour bar states no unit");
            if file.contains("volume_pearson") || file.contains("volume_spearman") {
                assert!(!svg.contains("\nvs grand mean\n"), "{file}: a correlation is centred on 0");
            } else {
                assert!(svg.contains("\nvs grand mean\n"), "{file} has no colour legend");
            }
            if file == "heatmap_volume.svg" {
                assert!(svg.contains("\nlots traded\n"), "the volume colour bar states no unit");
            }
            assert!(svg.contains("covers"), "{file} has no neutral swatch");
            assert!(svg.contains("over its ok replications"), "{file} has no caption");
        } else {
            assert!(svg.contains("95% t interval"), "{file} has no legend for the interval");
            assert!(svg.contains("Student-t"), "{file} has no caption");
        }
    }
    let svgs: Vec<&str> = listed.iter().filter(|l| l.ends_with(".svg")).copied().collect();
    assert_eq!(svgs.len(), expected.len(), "unexpected plots: {svgs:?}");
    assert_eq!(md.matches("![").count(), expected.len(), "report.md:\n{md}");
    if heat_maps {
        // A small grid prints the cell values: percentages in the success
        // heat map beyond the colour bar's five labels.
        assert!(md.contains("cells are white, their t interval (joint at 95% over the"), "{md}");
        let heat = std::fs::read_to_string(dir.join("heatmap_success.svg")).unwrap();
        assert!(heat.lines().filter(|l| l.ends_with('%')).count() >= 5 + 4, "no values printed in the cells");
    }
    md
}

#[test]
fn a_sweep_report_plots_every_key_result_against_every_parameter() {
    let dir = scratch("ci");
    let out = dir.join("sweep");
    sweep(&root().join("scenarios/sweeps/ci.toml"), &out);
    let md = check_sweep_report(&out);
    assert!(md.starts_with("# Sweep report: `ci`"), "{md}");
    // sweep.json reads back through the writer's own types, every member
    // the report uses found under the name the writer gave it.
    let text = std::fs::read_to_string(out.join("sweep.json")).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    let read: tplus::batch::sweep_json::RecordedSweepJson = serde_json::from_str(&text).unwrap();
    let def = read.definition.expect("a definition");
    let recorded = def.sweep.expect("a sweep");
    let written = &doc["definition"]["sweep"];
    assert_eq!(recorded.name.as_deref(), Some("ci"));
    assert_eq!(recorded.name.as_deref(), written["name"].as_str());
    assert_eq!(recorded.scenario.as_deref(), Some("../bench/reference_market.toml"));
    assert_eq!(recorded.scenario.as_deref(), written["scenario"].as_str());
    assert_eq!(recorded.seed, written["seed"].as_u64());
    assert!(recorded.seed.is_some());
    assert_eq!(recorded.design.as_deref(), Some("grid"));
    assert_eq!(recorded.replications, written["replications"].as_u64());
    assert!(recorded.replications.is_some());
    assert_eq!(def.runs, doc["definition"]["runs"].as_u64());
    assert!(def.runs.is_some_and(|r| r > 0));
    assert_eq!(def.tool, "tplus");
    assert!(def.base_scenario.get("simulation").is_some(), "the base scenario is recorded");
    let params = recorded.params.expect("params");
    assert_eq!(params.len(), 2);
    for (p, w) in params.iter().zip(written["params"].as_array().unwrap()) {
        assert_eq!(p.path.as_deref(), w["path"].as_str());
        assert!(p.path.is_some() && p.domain.is_some(), "{p:?}");
    }
    // A behaviour parameter carries its family and its family's words; a
    // market field neither.
    assert_eq!((params[0].family.as_deref(), params[0].meaning.is_none()), (None, true), "{:?}", params[0]);
    assert_eq!(params[1].family.as_deref(), Some("zero_intelligence"));
    let meaning = params[1].meaning.as_ref().expect("buy_prob's meaning");
    assert_eq!(meaning.accepted.as_deref(), Some("a probability from 0 to 1"));
    let words = meaning.doc.as_deref().expect("buy_prob's doc");
    assert!(
        md.contains(&format!(
            "| `agents[3].params.buy_prob` | buy_prob of group 3, zero_intelligence (probability): {}",
            words.trim_end_matches('.')
        )),
        "{md}"
    );
    assert!(md.contains("| `macro.loan_rate.value` | loan rate at the start (fraction per year) |"), "{md}");
    assert!(!negative_zero("0.00") && negative_zero("-0.00") && negative_zero(">-0 pp") && !negative_zero("-0.01"));
    // Axis titles in words, with units.
    let svg = std::fs::read_to_string(out.join("success_vs_loan_rate_at_the_start.svg")).unwrap();
    assert!(svg.contains("loan rate at the start (fraction per year)"), "no human axis title");
    assert!(md.contains("pooled over the other parameter"), "{md}");
    // --png: a PNG beside each SVG, heat maps included.
    let o = tplus(&["report".as_ref(), out.as_os_str(), "--png".as_ref()]);
    assert!(o.status.success(), "tplus report --png failed: {}", String::from_utf8_lossy(&o.stderr));
    let listed = String::from_utf8_lossy(&o.stdout).into_owned();
    let svgs: Vec<&str> = listed.lines().filter(|l| l.ends_with(".svg")).collect();
    assert!(!svgs.is_empty());
    for svg in svgs {
        check_png(Path::new(svg));
    }
    // A second report over the same sweep writes the same text.
    let (code, _, _) = report(&out);
    assert_eq!(code, 0);
    assert_eq!(std::fs::read_to_string(out.join("report.md")).unwrap(), md);

    // The report titles a behaviour parameter from the words sweep.json
    // recorded: a sweep of a family only its own program knew (here renamed
    // in the record, as `tplus` does not know it) still gets its unit.
    let own = dir.join("own");
    std::fs::create_dir_all(&own).unwrap();
    std::fs::copy(out.join("sweep.csv"), own.join("sweep.csv")).unwrap();
    let mut renamed = doc.clone();
    renamed["definition"]["base_scenario"]["agents"][3]["family"] = "my_own".into();
    renamed["definition"]["sweep"]["params"][1]["family"] = "my_own".into();
    renamed["definition"]["sweep"]["params"][1]["meaning"] =
        serde_json::json!({"doc": "Chance | of a buy.", "accepted": "a chance from 0 to 1"});
    std::fs::write(own.join("sweep.json"), serde_json::to_string_pretty(&renamed).unwrap()).unwrap();
    let (code, _, stderr) = report(&own);
    assert_eq!(code, 0, "{stderr}");
    let svg = std::fs::read_to_string(own.join("success_vs_buy_prob_of_group_3_my_own.svg")).unwrap();
    assert!(svg.contains("buy_prob of group 3, my_own (chance)"), "the recorded unit is not on the axis");
    let own_md = std::fs::read_to_string(own.join("report.md")).unwrap();
    assert!(own_md.contains("| buy_prob of group 3, my_own (chance): Chance \\| of a buy |"), "{own_md}");
    // Without the record (a sweep an older tplus wrote) the axis has no unit.
    renamed["definition"]["sweep"]["params"][1].as_object_mut().unwrap().remove("meaning");
    std::fs::write(own.join("sweep.json"), serde_json::to_string_pretty(&renamed).unwrap()).unwrap();
    assert_eq!(report(&own).0, 0);
    let svg = std::fs::read_to_string(own.join("success_vs_buy_prob_of_group_3_my_own.svg")).unwrap();
    assert!(svg.contains("\nbuy_prob of group 3, my_own\n") && !svg.contains("(chance)"), "{svg}");

    // Without a two-parameter grid in ci.toml, a tiny 2 × 2 grid on the same market.
    let (params, grid) = design(&out);
    if !(grid && params.len() == 2) {
        let ci = std::fs::read_to_string(root().join("scenarios/sweeps/ci.toml")).unwrap();
        let scenario = ci.lines().find_map(|l| l.strip_prefix("scenario = ")).unwrap().trim().trim_matches('"');
        let base = root().join("scenarios/sweeps").join(scenario).to_string_lossy().into_owned();
        let file = dir.join("grid.toml");
        std::fs::write(
            &file,
            format!(
                "[sweep]\nname = \"grid2\"\nscenario = {base:?}\nseed = 1\nreplications = 2\ndesign = \"grid\"\n\n\
                 [[param]]\npath = \"macro.loan_rate.value\"\nvalues = [0.02, 0.06]\n\n\
                 [[param]]\npath = \"agents[3].params.buy_prob\"\nvalues = [0.4, 0.6]\n"
            ),
        )
        .unwrap();
        let out = dir.join("grid");
        sweep(&file, &out);
        check_sweep_report(&out);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn failed_runs_are_left_out_and_bad_sweep_directories_exit_2() {
    let dir = scratch("bad");
    let out = dir.join("sweep");
    sweep(&root().join("scenarios/sweeps/ci.toml"), &out);
    let csv = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    let json = std::fs::read_to_string(out.join("sweep.json")).unwrap();

    // Mark the first run failed, its digest made again as a sweep would:
    // the report leaves it out and says so.
    let mut lines: Vec<String> = csv.lines().map(str::to_string).collect();
    lines[1] = redigest(&lines[1].replacen(",ok,", ",failed,", 1));
    std::fs::write(out.join("sweep.csv"), lines.join("\n") + "\n").unwrap();
    let (code, _, stderr) = report(&out);
    assert_eq!(code, 0, "{stderr}");
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("1 run failed"), "{md}");

    // The same edit, or a result's, with the digest left as it was: the
    // row is not the run it says, as merge and a resume find; exit 2.
    let ok_row = csv.lines().nth(1).unwrap();
    let status = ok_row.replacen(",ok,", ",failed,", 1);
    // Its sub_success, the tenth cell.
    let fields: Vec<&str> = ok_row.split(',').collect();
    let result = ok_row.replacen(&format!(",{},", fields[9]), &format!(",{}9,", fields[9]), 1);
    assert_ne!(result, ok_row);
    for edited in [status, result] {
        std::fs::write(out.join("sweep.csv"), csv.replacen(ok_row, &edited, 1)).unwrap();
        let (code, _, stderr) = report(&out);
        assert_eq!(code, 2, "{stderr}");
        assert!(stderr.contains("sweep.csv: line 2: digest `") && stderr.contains("does not match"), "{stderr}");
        assert!(stderr.contains("`tplus sweep` run again on this directory computes that run again"), "{stderr}");
    }

    // A bad status: exit 2, naming the file and the line.
    std::fs::write(out.join("sweep.csv"), csv.replacen(",ok,", ",fine,", 1)).unwrap();
    let (code, _, stderr) = report(&out);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("sweep.csv") && stderr.contains("line 2"), "{stderr}");

    // sweep.json not JSON: exit 2.
    std::fs::write(out.join("sweep.csv"), &csv).unwrap();
    std::fs::write(out.join("sweep.json"), "{ not json").unwrap();
    let (code, _, stderr) = report(&out);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("sweep.json") && stderr.contains("not JSON"), "{stderr}");

    // sweep.json missing: exit 2.
    std::fs::remove_file(out.join("sweep.json")).unwrap();
    let (code, _, stderr) = report(&out);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("sweep.json: missing"), "{stderr}");

    // sweep.csv missing: exit 2.
    std::fs::write(out.join("sweep.json"), &json).unwrap();
    std::fs::remove_file(out.join("sweep.csv")).unwrap();
    let (code, _, stderr) = report(&out);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("sweep.csv: missing"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_shards_report_names_the_whole_design_and_how_much_of_it_is_there() {
    // Before, it counted the points with rows: "a grid of 3 points × 2
    // replications" for one shard of a 6-point grid.
    let dir = scratch("shard");
    let out = dir.join("shard");
    let file = root().join("scenarios/sweeps/ci.toml");
    let args =
        ["sweep".as_ref(), file.as_os_str(), "--shard".as_ref(), "1/2".as_ref(), "--out".as_ref(), out.as_os_str()];
    let o = tplus(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (code, _, err) = report(&out);
    assert_eq!(code, 0, "{err}");
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains(": a grid of 6 points × 2 replications, 3 of the points with rows so far;"), "{md}");
    assert!(md.contains("holds 6 runs of"), "{md}");
}
