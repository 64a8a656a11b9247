//! Unit tests of the sweep report: a hand table read and aggregated, binning,
//! bad files, and the drawn report.

use std::fmt::Write as _;

use super::frame::log_ticks;
use super::read::{parse_csv, parse_definition};
use super::*;
use crate::report::ReportError;

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

const JSON: &str = r#"{"definition": {"sweep": {"name": "hand", "scenario": "s.toml", "seed": 5,
    "replications": 2, "design": "grid", "params": [
    {"path": "a", "domain": {"levels": [1, 2]}}, {"path": "b", "domain": {"levels": ["x", "y"]}}]},
    "runs": 8}, "provenance": {}}"#;

/// A 2 × 2 grid, 2 replications; one run failed, one cell empty.
const CSV: &str = "point,replication,seed,a,b,status,error,sub_success,sale_success,volume,wall_seconds
0,0,1,1,x,ok,,0.5,0.4,100,0.1
0,1,2,1,x,ok,,0.7,,120,0.1
1,0,3,1,y,ok,,0.2,0.3,80,0.1
1,1,4,1,y,failed,\"boom, bang\",,,,0.1
2,0,5,2,x,ok,,0.4,0.6,90,0.1
2,1,6,2,x,ok,,0.6,0.8,110,0.1
3,1,8,2,y,ok,,0.3,0.7,60,0.1
3,0,7,2,y,ok,,0.1,0.5,70,0.1
";

fn parse(json: &str, csv: &str) -> Result<SweepData, SweepParseError> {
    let def = parse_definition(json)?;
    let table = parse_csv(csv, &def)?;
    Ok(SweepData::new(def, table))
}

fn cols(d: &SweepData, names: &[&str]) -> Vec<usize> {
    names.iter().map(|n| d.column(n).unwrap()).collect()
}

#[test]
fn a_hand_table_reads_and_aggregates() {
    let d = parse(JSON, CSV).unwrap();
    assert_eq!(d.present, ["sub_success", "sale_success", "volume"]);
    assert_eq!(d.rows.len(), 8);
    assert_eq!((d.rows[6].point, d.rows[6].replication), (3, 0), "sorted by (point, replication)");
    assert!(!d.rows[3].ok && d.rows[1].results[1].is_none());
    assert!(!d.cut_line);

    let c = cols(&d, &["sub_success", "sale_success", "volume"]);
    let m = marginal(&d, 0, &c);
    assert_eq!((m.scale, m.binned), (Scale::Linear, false));
    let labels: Vec<&str> = m.groups.iter().map(|g| g.label.as_str()).collect();
    assert_eq!(labels, ["1", "2"]);
    let a1 = &m.groups[0];
    assert_eq!(a1.x, 1.0);
    let sub = a1.cells[0].stat.unwrap();
    assert_eq!(sub.n, 3, "the failed run is left out");
    assert!(close(sub.mean, (0.5 + 0.7 + 0.2) / 3.0, 1e-12));
    // Three shares this far apart: t(0.975, 2)·sd/√3 = 0.625 reaches below
    // 0 and above 1, where no share is; the interval stops at both.
    let sd = ((0.5f64 - sub.mean).powi(2) + (0.7 - sub.mean).powi(2) + (0.2 - sub.mean).powi(2)) / 2.0;
    let half = 4.302_652_730 * sd.sqrt() / 3f64.sqrt();
    assert!(sub.mean - half < 0.0 && sub.mean + half > 1.0);
    assert_eq!(sub.ci, Some((0.0, 1.0)), "a share's interval stops at 0 and 1");
    // A count's stops at 0 only: 100 ± 53.4 is inside.
    let sale = a1.cells[1].stat.unwrap();
    assert_eq!(sale.n, 2, "the empty cell is left out");
    assert!(close(sale.mean, 0.35, 1e-12));
    let vol = a1.cells[2].stat.unwrap();
    let half = 4.302_652_730 * 20.0 / 3f64.sqrt();
    assert!(close(vol.mean, 100.0, 1e-12) && close(vol.ci.unwrap().1, 100.0 + half, 1e-6));
    let a2 = &m.groups[1];
    assert_eq!(a2.cells[0].stat.unwrap().n, 4);
    assert!(close(a2.cells[0].stat.unwrap().mean, 0.35, 1e-12));
    assert!(close(a2.cells[1].stat.unwrap().mean, 0.65, 1e-12));
    assert!(close(a2.cells[2].stat.unwrap().mean, 82.5, 1e-12));
    assert_eq!(a2.cells[2].runs.len(), 4);

    // A parameter of strings: categorical, in the order of the points.
    let m = marginal(&d, 1, &c[..1]);
    assert_eq!(m.scale, Scale::Categorical);
    let g: Vec<(&str, f64, f64)> =
        m.groups.iter().map(|g| (g.label.as_str(), g.x, g.cells[0].stat.unwrap().mean)).collect();
    assert_eq!(g.len(), 2);
    assert_eq!((g[0].0, g[0].1), ("x", 0.0));
    assert!(close(g[0].2, 0.55, 1e-12) && close(g[1].2, 0.2, 1e-12));
    // Durations: by their length, not in the order of the points.
    let timed = parse(
        &JSON.replace(r#"["x", "y"]"#, r#"["10m", "300s"]"#),
        &CSV.replace(",x,", ",10m,").replace(",y,", ",300s,"),
    )
    .unwrap();
    let m = marginal(&timed, 1, &c[..1]);
    let labels: Vec<&str> = m.groups.iter().map(|g| g.label.as_str()).collect();
    assert_eq!((m.scale, labels), (Scale::Categorical, vec!["300s", "10m"]));
    assert!(close(m.groups[0].cells[0].stat.unwrap().mean, 0.2, 1e-12), "the 300s runs");

    // The grid: each point's mean over its ok replications.
    let h = heat(&d, &c);
    assert_eq!(
        (h.x_levels.clone(), h.y_levels.clone()),
        (vec!["1".to_string(), "2".into()], vec!["x".into(), "y".into()])
    );
    let one = h.cell(0, 0, 1).unwrap();
    assert_eq!((one.n, one.mean, one.ci), (1, 0.2, None));
    assert!(close(h.cell(2, 1, 1).unwrap().mean, 65.0, 1e-12));
    assert!(close(h.cell(0, 0, 0).unwrap().mean, 0.6, 1e-12));
    assert_eq!(h.cell(1, 0, 0).unwrap().n, 1);
}

#[test]
fn many_sampled_values_are_binned() {
    let json = r#"{"definition": {"sweep": {"design": "latin_hypercube", "params": [
        {"path": "r", "domain": {"loguniform": {"min": 0.001, "max": 1.0}}}]}}}"#;
    let mut csv = String::from("point,replication,seed,r,status,error,volume,wall_seconds\n");
    for p in 0..20 {
        let r = 0.001 * 1.4f64.powi(p);
        let _ = writeln!(csv, "{p},0,0,{r},ok,,{},0.1", 10 * p);
    }
    let d = parse(json, &csv).unwrap();
    let m = marginal(&d, 0, &cols(&d, &["volume"]));
    assert!(m.binned && m.scale == Scale::Log10);
    assert_eq!(m.groups.len(), BINS);
    let n: usize = m.groups.iter().map(|g| g.cells[0].stat.unwrap().n).sum();
    assert_eq!(n, 20);
    // Consecutive values: the first bin holds the smallest, in order.
    assert!(m.groups.windows(2).all(|w| w[0].x < w[1].x));
    assert!(close(m.groups[0].cells[0].stat.unwrap().mean, 5.0, 1e-12), "{:?}", m.groups[0]);
    // A log axis with ticks at 1, 2, 5 × 10^k.
    let t = log_ticks(-3.0, 0.0);
    assert!(t.len() >= 3 && t.iter().any(|x| close(*x, 2f64.log10() - 2.0, 1e-12)));
}

#[test]
fn bad_files_are_told() {
    let e = |json: &str, csv: &str| parse(json, csv).unwrap_err().to_string();
    assert!(e("not json", CSV).contains("not JSON"));
    assert!(e("{}", CSV).contains("no `definition`"));
    assert!(e(r#"{"definition": {"sweep": {"params": [{"x": 1}]}}}"#, CSV).contains("params[0].path"));
    assert!(e(r#"{"definition": {"sweep": {"seed": "x", "params": []}}}"#, CSV).contains("`definition.sweep.seed`"));
    assert!(e(JSON, "").contains("empty"));
    assert!(e(JSON, &CSV.replace(",b,", ",c,")).contains("lacks the column `b`"));
    assert!(e(JSON, &CSV.replace("2,0,5,2,x,ok", "2,0,5,2,x,maybe")).contains("line 6: `status`"));
    assert!(e(JSON, &CSV.replace("2,0,5,2,x,ok,,0.4", "2,0,5,2,x,ok,,0.4,9")).contains("line 6: 12 fields"));
    assert!(e(JSON, &CSV.replace("0.6,0.8,110", "0.6,lots,110")).contains("`sale_success` is `lots`"));
    // A last line cut short is left out, not an error.
    let d = parse(JSON, &format!("{CSV}4,0,9,3,x,o")).unwrap();
    assert!(d.cut_line && d.rows.len() == 8);
    // A run twice over, with another missing so that the count still
    // matches: refused, not counted as a third replication.
    let twice = CSV.replace("3,0,7,2,y,ok,,0.1,0.5,70,0.1", "0,1,2,1,x,ok,,0.7,,120,0.1");
    let said = e(JSON, &twice);
    assert!(said.contains("line 9: point 0 replication 1 is also on line 3"), "{said}");
    // Rows of another sweep (a point or replication beyond this one's).
    let said = e(JSON, &CSV.replace("3,0,7,", "4,0,7,"));
    assert!(said.contains("line 9: point 4 replication 0 is not a run of this sweep (4 points × 2"), "{said}");
    assert!(e(JSON, &CSV.replace("3,0,7,", "3,2,7,")).contains("point 3 replication 2 is not a run"));
    // Without the sweep's shape in sweep.json (an older file), only twice over is told.
    let old = JSON.replace(r#""runs": 8"#, r#""runs": null"#);
    assert!(parse(&old, &CSV.replace("3,0,7,", "4,0,7,")).is_ok());
    assert!(e(&old, &twice).contains("also on line 3"));
}

#[test]
fn the_report_draws_and_links_every_plot() {
    let d = parse(JSON, CSV).unwrap();
    let r = build_sweep(&d).unwrap();
    let files: Vec<&str> = r.sections.iter().flat_map(|s| s.plots.iter().map(|p| p.file.as_str())).collect();
    // No fill ratio columns: no fill ratio plots.
    let expected = [
        "success_vs_a.svg",
        "volume_vs_a.svg",
        "success_vs_b.svg",
        "volume_vs_b.svg",
        "heatmap_success.svg",
        "heatmap_volume.svg",
    ];
    assert_eq!(files, expected);
    // A merge knows the report by its title, and its files by its links.
    assert!(r.markdown.starts_with(crate::batch::SWEEP_REPORT_TITLE));
    for p in r.sections.iter().flat_map(|s| &s.plots) {
        assert!(p.svg.starts_with("<svg") && p.svg.trim_end().ends_with("</svg>"), "{}", p.file);
        assert!(p.svg.contains(&p.title) && !p.svg.contains("NaN"), "{}", p.file);
        assert!(r.markdown.contains(&format!("]({})", p.file)), "{}", p.file);
    }
    let svg = &r.sections[0].plots[0].svg;
    assert!(svg.contains("pooled over the other parameter, b (2 values)"), "the caption says how runs are pooled");
    let heat = &r.sections[2].plots[0].svg;
    assert!(heat.contains("60.0%") && !heat.contains("no run"), "values in the cells");
    let md = &r.markdown;
    assert!(md.starts_with("# Sweep report: `hand`"), "{md}");
    assert!(md.contains("1 run failed") && md.contains("no `sub_fill_ratio` column"), "{md}");
    assert!(md.contains("holds 8 runs"), "{md}");
    // Drawing is a function of the data.
    assert_eq!(build_sweep(&d).unwrap().markdown, r.markdown);
}

#[test]
fn a_sweep_without_parameters_or_key_columns() {
    let json = r#"{"definition": {"sweep": {"design": "grid", "params": []}}}"#;
    let d = parse(json, "point,replication,status,volume\n0,0,ok,5\n0,1,ok,7\n").unwrap();
    let r = build_sweep(&d).unwrap();
    assert!(r.sections.is_empty());
    assert!(r.markdown.contains("varies no parameter") && r.markdown.contains("| 2 | 6 |"), "{}", r.markdown);
    let d = parse(json, "point,replication,status\n0,0,ok\n").unwrap();
    assert!(matches!(build_sweep(&d), Err(ReportError::GarbledSweep(_, SweepParseError::NoKeyColumns))));
}

/// A sweep with no finished run is refused, not reported as "0 runs": its
/// header alone, or its header and a first line cut short.
#[test]
fn a_sweep_without_a_finished_run_is_refused() {
    let header = CSV.lines().next().unwrap();
    for csv in [format!("{header}\n"), format!("{header}\n0,0,3,1,x,o")] {
        let d = parse(JSON, &csv).unwrap();
        let e = build_sweep(&d).unwrap_err();
        assert!(matches!(e, ReportError::GarbledSweep(_, SweepParseError::NoRuns)), "{e}");
        assert!(e.to_string().contains("no finished run"), "{e}");
    }
}

#[test]
fn sweep_directories_are_recognised_and_checked() {
    let dir = std::env::temp_dir().join(format!("tplus-report-sweep-unit-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    assert!(!is_sweep_dir(&dir));
    std::fs::write(dir.join("sweep.csv"), CSV).unwrap();
    assert!(is_sweep_dir(&dir));
    let e = crate::report::write_report(&dir).unwrap_err();
    assert!(e.is_bad_input() && e.to_string().contains("sweep.json: missing"), "{e}");
    std::fs::write(dir.join("sweep.json"), "[]").unwrap();
    let e = crate::report::write_report(&dir).unwrap_err();
    assert!(matches!(e, ReportError::GarbledSweep(..)) && e.to_string().contains("sweep.json"), "{e}");
    std::fs::write(dir.join("sweep.json"), JSON).unwrap();
    let files = crate::report::write_report(&dir).unwrap();
    assert_eq!(files.last().unwrap().file_name().unwrap(), "report.md");
    assert!(files.iter().all(|f| f.is_file()));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The sentence under each figure of `r`, in report order.
fn abouts(r: &crate::report::DrawnReport) -> Vec<&str> {
    r.sections.iter().flat_map(|s| s.plots.iter().map(|p| p.about.as_str())).collect()
}

/// An unfinished grid (point 3, a = 2 and b = y, not run yet) compares a's
/// values over different points of b: the report says its figures are not
/// comparable as they stand; the finished one says nothing of it. A failed
/// run leaves its value fewer runs at one point than at the others, which
/// weighs the points otherwise than at the other values: that is said too.
#[test]
fn an_unbalanced_grid_is_said_not_comparable() {
    let all_ok = CSV.replace("failed,\"boom, bang\",,,,", "ok,,0.3,0.2,75,");
    let whole = build_sweep(&parse(JSON, &all_ok).unwrap()).unwrap();
    assert!(abouts(&whole).iter().all(|a| !a.contains("Not comparable")), "{:?}", abouts(&whole));
    let one_failed = build_sweep(&parse(JSON, CSV).unwrap()).unwrap();
    let about = abouts(&one_failed);
    assert!(about[0].contains("at 1 of 2 values of `a` the ok runs are spread"), "{}", about[0]);
    assert!(about[0].contains("or weighing them in other proportions"), "{}", about[0]);
    // Two runs at each x point, one at each y point: the same proportions
    // at every value of a and of b, so no mean is weighed otherwise.
    let even: String =
        all_ok.lines().filter(|l| !l.starts_with("1,1,") && !l.starts_with("3,1,")).map(|l| format!("{l}\n")).collect();
    let r = build_sweep(&parse(JSON, &even).unwrap()).unwrap();
    assert!(abouts(&r).iter().all(|a| !a.contains("Not comparable")), "{:?}", abouts(&r));
    let cut: String = CSV.lines().filter(|l| !l.starts_with("3,")).map(|l| format!("{l}\n")).collect();
    let r = build_sweep(&parse(JSON, &cut).unwrap()).unwrap();
    let about = abouts(&r);
    assert!(
        about[0].contains("Not comparable as they stand: at 1 of 2 values of `a` the ok runs are spread"),
        "{}",
        about[0]
    );
    assert!(about[2].contains("at 1 of 2 values of `b`"), "{}", about[2]);
    assert!(r.sections[0].plots[0].svg.contains("at 1 of 2 values of"), "the caption says it too");
}

/// A sampled design pools nothing over the other parameters (each point
/// has its own draw), and one run per point has no interval: the words say
/// so, not "pooled" and "with its 95% Student-t interval".
#[test]
fn a_sampled_design_of_single_runs_is_described_as_it_is() {
    let json = r#"{"definition": {"sweep": {"design": "latin_hypercube", "replications": 1, "params": [
        {"path": "a", "domain": {"uniform": {"min": 0.0, "max": 1.0}}},
        {"path": "b", "domain": {"uniform": {"min": 0.0, "max": 1.0}}}]}}}"#;
    let mut csv = String::from("point,replication,seed,a,b,status,error,volume,wall_seconds\n");
    for p in 0..5 {
        let _ = writeln!(csv, "{p},0,{p},0.{p}1,0.{}7,ok,,{},0.1", 4 - p, 10 + p);
    }
    let r = build_sweep(&parse(json, &csv).unwrap()).unwrap();
    let about = abouts(&r)[0];
    assert!(about.contains("with the other parameter, `b` (5 values), at each point's own draw"), "{about}");
    assert!(about.contains("each a single run, so without an interval") && !about.contains("pooled"), "{about}");
    assert!(!about.contains("Student-t interval"), "{about}");
}

/// A grid of one run per point: the heat maps' words say no cell has an
/// interval, not that none is within noise; the key results' extremes
/// carry their n.
#[test]
fn a_grid_of_single_runs_claims_no_interval() {
    let json = JSON.replace("\"replications\": 2", "\"replications\": 1").replace("\"runs\": 8", "\"runs\": 4");
    // The header and each point's replication 0.
    let csv: String = CSV
        .lines()
        .enumerate()
        .filter(|(i, l)| *i == 0 || l.split(',').nth(1) == Some("0"))
        .map(|(_, l)| format!("{l}\n"))
        .collect();
    let r = build_sweep(&parse(&json, &csv).unwrap()).unwrap();
    let heat = abouts(&r).into_iter().find(|a| a.contains("grid of `a`")).unwrap();
    assert!(heat.contains("no cell has an interval (each point has one ok run)"), "{heat}");
    assert!(!heat.contains("cells are white"), "{heat}");
    assert!(r.markdown.contains("n = 1, no interval) at `a` = "), "{}", r.markdown);
    let two = build_sweep(&parse(JSON, CSV).unwrap()).unwrap();
    assert!(two.markdown.contains("(95% t "), "{}", two.markdown);
}
