//! The text of a sweep's `report.md`: what was swept, a table of the key
//! results with their lowest and highest point means, then the figures.

use std::fmt::Write as _;

use super::super::Section;
use super::aggregate::mean_interval;
use super::aggregate::{MAX_LEVELS, levels, number, point_means};
use super::build::Found;
use super::keys::{short, value_text};
use super::read::SweepData;
use super::words::{and_list, lower_first, plural};
use crate::metrics::stats::MeanInterval;

/// Whether each parameter has so many distinct numeric values (a sampled
/// design) that its values are shown to four significant digits.
fn sampled(data: &SweepData) -> Vec<bool> {
    (0..data.params.len()).map(|p| matches!(levels(data, p), (t, Some(_)) if t.len() > MAX_LEVELS)).collect()
}

/// A parameter value as shown: four significant digits for a sampled parameter.
fn shown(text: &str, sampled: bool) -> String {
    match number(text) {
        Some(v) if sampled => short(v),
        _ => text.to_string(),
    }
}

/// `text` as one cell of a Markdown table: a `|` would end the cell and a
/// line break the row (a family's words, a categorical value may hold one).
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\r', '\n'], " ")
}

fn point_label(data: &SweepData, sampled: &[bool], point: usize, values: &[String]) -> String {
    if data.params.is_empty() {
        return format!("point {point}");
    }
    let parts: Vec<String> = data
        .params
        .iter()
        .zip(values)
        .zip(sampled)
        .map(|((p, v), &s)| format!("`{}` = {}", p.path, shown(v, s)))
        .collect();
    parts.join(", ")
}

/// The text of a sweep's `report.md`.
pub(super) fn render_markdown(data: &SweepData, found: &[Found<'_>], sections: &[Section], notes: &[String]) -> String {
    let mut o = String::new();
    let name = data.name.as_deref().unwrap_or("unnamed");
    let _ = writeln!(o, "{}`{name}`\n", crate::batch::SWEEP_REPORT_TITLE);
    let ok = data.rows.iter().filter(|r| r.ok).count();
    let present = data.rows.chunk_by(|a, b| a.point == b.point).count();
    // The design's points (planned runs over replications), not only those
    // with rows yet: an unfinished sweep or a shard holds some of them.
    let planned = match (data.planned_runs, data.replications) {
        (Some(runs), Some(r)) if r > 0 && runs % r == 0 => Some((runs / r) as usize),
        _ => None,
    };
    let points = planned.unwrap_or(present);
    let design = match data.design.as_deref() {
        Some("grid") => format!("a grid of {}", plural(points, "point", "points")),
        Some("random") => format!("a random design of {}", plural(points, "point", "points")),
        Some("latin_hypercube") => format!("a Latin hypercube of {}", plural(points, "point", "points")),
        Some(d) => format!("a `{d}` design of {}", plural(points, "point", "points")),
        None => plural(points, "point", "points"),
    };
    let mut reps = data
        .replications
        .map_or(String::new(), |r| format!(" × {}", plural(r as usize, "replication", "replications")));
    if present < points {
        let _ = write!(reps, ", {present} of the points with rows so far");
    }
    let _ = writeln!(
        o,
        "`sweep.csv` in this directory holds {} of {}{}: {design}{reps}; {ok} ok, {} failed. Written by `tplus report` \
         from `sweep.csv` and `sweep.json`; every figure is drawn from the runs with status `ok` only.\n",
        plural(data.rows.len(), "run", "runs"),
        data.scenario.as_deref().map_or("the base scenario".to_string(), |s| format!("`{s}`")),
        data.seed.map_or(String::new(), |s| format!(" (sweep seed {s})")),
        data.rows.len() - ok,
    );
    let many = sampled(data);
    if !data.params.is_empty() {
        let _ = writeln!(o, "| parameter | meaning | values in `sweep.csv` | axis |");
        let _ = writeln!(o, "|---|---|---|---|");
        for (p, param) in data.params.iter().enumerate() {
            let (texts, nums) = levels(data, p);
            let texts: Vec<String> = texts.iter().map(|t| shown(t, many[p])).collect();
            let shown = if texts.len() <= 8 {
                texts.join(", ")
            } else {
                format!("{} … {}", texts[..3].join(", "), texts[texts.len() - 2..].join(", "))
            };
            let axis = match (&nums, texts.len() > MAX_LEVELS) {
                (None, _) => "categorical, in the order of the points",
                (Some(_), true) if param.log => "logarithmic, binned",
                (Some(_), true) => "numeric, binned",
                (Some(_), false) if param.log => "logarithmic",
                (Some(_), false) => "numeric",
            };
            let meaning = match &param.doc {
                Some(doc) => format!("{}: {}", param.title, doc.trim_end_matches('.')),
                None => param.title.clone(),
            };
            let _ =
                writeln!(o, "| `{}` | {} | {}: {} | {axis} |", param.path, cell(&meaning), texts.len(), cell(&shown));
        }
        let _ = writeln!(o);
    }
    let _ = writeln!(o, "## Key results\n");
    let _ = writeln!(
        o,
        "Read from `sweep.csv` (all products together; the definitions are those of `summary.json`): {}. A point's \
         mean is over its replications; the plots against a parameter take the runs at each of its values (in a grid \
         pooled over the other parameters; in a sampled design each point at its own draw), with the 95% Student-t \
         interval (none for a single run) mean ± t(0.975, n − 1)·sd/√n, stopped at the range the result \
         cannot leave (a share's 0 and 1, a correlation's −1 and 1, a count's 0). The lowest and highest point \
         means are picked as the extremes of noisy means, so they overstate the spread between points: read them \
         with their own intervals.\n",
        and_list(&found.iter().map(|f| format!("{} ({})", lower_first(f.key.title), f.key.what)).collect::<Vec<_>>())
    );
    let _ = writeln!(
        o,
        "| result | column | runs with a value | mean over runs | lowest point mean | highest point mean |"
    );
    let _ = writeln!(o, "|---|---|---:|---:|---|---|");
    for f in found {
        for &(i, label) in &f.series {
            let col = data.present[i];
            let vals: Vec<f64> = data.rows.iter().filter(|r| r.ok).filter_map(|r| r.results[i]).collect();
            let all = mean_interval(&vals, col);
            let pm = point_means(data, i);
            let lo = pm.iter().min_by(|a, b| a.2.mean.total_cmp(&b.2.mean));
            let hi = pm.iter().max_by(|a, b| a.2.mean.total_cmp(&b.2.mean));
            let show = |x: Option<&(usize, Vec<String>, MeanInterval)>| {
                x.map_or("n/a".into(), |(p, v, m)| {
                    let spread = match m.ci {
                        Some((a, b)) => {
                            format!("95% t {} to {}, n = {}", value_text(f.key.kind, a), value_text(f.key.kind, b), m.n)
                        }
                        None => "n = 1, no interval".into(),
                    };
                    format!("{} ({spread}) at {}", value_text(f.key.kind, m.mean), point_label(data, &many, *p, v))
                })
            };
            let _ = writeln!(
                o,
                "| {}: {label} | `{col}` | {} | {} | {} | {} |",
                f.key.title,
                vals.len(),
                all.map_or("n/a".into(), |a| value_text(f.key.kind, a.mean)),
                show(lo),
                show(hi)
            );
        }
    }
    let _ = writeln!(o);
    super::super::markdown::plots_and_notes(&mut o, sections, notes);
    o
}
