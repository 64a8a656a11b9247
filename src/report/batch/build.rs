//! Drawing every figure of a sweep report and collecting its notes, from the
//! data alone (no files), so the report is a function of `sweep.csv` and
//! `sweep.json`.

use super::super::plot::DrawError;
use super::super::{DrawnReport, Plot, ReportError, Section, words_part};
use super::aggregate::{Scale, ValueGroup, distinct, heat, marginal};
use super::heat_map::{HeatInput, HeatScale, heat_height, heat_map, values_fit};
use super::keys::{KEYS, KeyResult, ValueKind, value_text};
use super::line_plot::{LineInput, line_plot};
use super::markdown::render_markdown;
use super::read::{SweepData, SweepParseError};
use super::words::{and_list, lower_first, n_range, plural};

/// A key result with the series `sweep.csv` has: (index into `present`, label).
pub(super) struct Found<'a> {
    pub(super) key: &'a KeyResult,
    pub(super) series: Vec<(usize, &'static str)>,
}

/// The other parameters, described (`q` with its value count), `tick`
/// quoting each path (backticks for Markdown, nothing for SVG).
fn others(data: &SweepData, p: usize, tick: &str) -> Vec<String> {
    (0..data.params.len())
        .filter(|&q| q != p)
        .map(|q| {
            let k = distinct(data, q).len();
            // In a figure the parameter's words; in report.md its path, quoted.
            let name = if tick.is_empty() { &data.params[q].name } else { &data.params[q].path };
            format!("{tick}{name}{tick} ({})", plural(k, "value", "values"))
        })
        .collect()
}

/// How the runs at a value are aggregated, for a caption or a sentence. In
/// a grid a value's runs are pooled over the other parameters' levels; in a
/// sampled design each point has its own draw of every parameter, so a
/// value's runs are one point's replications (or, binned, a few points'),
/// the other parameters wherever the draws put them.
fn pooled(data: &SweepData, p: usize, tick: &str) -> String {
    let o = others(data, p, tick);
    let sampled = data.design.as_deref().is_some_and(|d| d != "grid");
    match (o.len(), sampled) {
        (0, _) => "over the replications".into(),
        (1, true) => format!("with the other parameter, {}, at each point's own draw", o[0]),
        (_, true) => format!("with the other parameters, {}, at each point's own draw", and_list(&o)),
        (1, false) => format!("pooled over the other parameter, {}, and the replications", o[0]),
        (_, false) => format!("pooled over the other parameters, {}, and the replications", and_list(&o)),
    }
}

/// In a grid, the values of parameter `p` whose `ok` runs are spread over
/// the points of the other parameters otherwise than the most common
/// spread (missing points, or weighing them in other proportions), and the
/// values in all: a comparison across `p`'s values then mixes in which
/// points ran, and how often (an unfinished sweep, one shard, failed runs),
/// not only `p`. Counts that differ from point to point in the same
/// proportions at every value of `p` weigh each value's mean alike, and
/// pass.
fn unbalanced(data: &SweepData, p: usize) -> (usize, usize) {
    use std::collections::BTreeMap;
    if data.design.as_deref() != Some("grid") || data.params.len() < 2 {
        return (0, 0);
    }
    // By value of `p`: its runs at each point of the others, and in all.
    let mut at: BTreeMap<&str, (BTreeMap<Vec<&str>, u64>, u64)> = BTreeMap::new();
    for r in data.rows.iter().filter(|r| r.ok) {
        let rest: Vec<&str> = (0..data.params.len()).filter(|&q| q != p).map(|q| r.values[q].as_str()).collect();
        let (points, n) = at.entry(r.values[p].as_str()).or_default();
        *points.entry(rest).or_default() += 1;
        *n += 1;
    }
    // `a` and `b` weigh every point alike: n_a(x) / N_a = n_b(x) / N_b.
    let alike = |(pa, na): &(BTreeMap<Vec<&str>, u64>, u64), (pb, nb): &(BTreeMap<Vec<&str>, u64>, u64)| {
        pa.len() == pb.len() && pa.iter().all(|(x, &n)| pb.get(x).is_some_and(|&m| n * nb == m * na))
    };
    let spreads: Vec<_> = at.values().collect();
    // The most common spread (ties: the one with more runs) is the yardstick.
    let reference = spreads.iter().max_by_key(|s| (spreads.iter().filter(|t| alike(s, t)).count(), s.1)).copied();
    let short = reference.map_or(0, |r| spreads.iter().filter(|s| !alike(s, r)).count());
    (short, at.len())
}

/// The warning [`unbalanced`] calls for, as a clause ("" when balanced).
fn balance_warning(data: &SweepData, p: usize, tick: &str) -> String {
    let (short, values) = unbalanced(data, p);
    if short == 0 {
        return String::new();
    }
    let name = if tick.is_empty() { &data.params[p].name } else { &data.params[p].path };
    format!(
        ". Not comparable as they stand: at {short} of {values} values of {tick}{name}{tick} the ok runs are \
         spread over the other parameters' points otherwise than at most values (missing some, or weighing \
         them in other proportions: the sweep is unfinished, one shard, or runs failed), so a difference between values may come from which points \
         ran rather than from {tick}{name}{tick}"
    )
}

/// The extreme group means of a series: "subscriptions from 40.1% (at 0.4) to 47.2% (at 0.6)".
fn extremes(kind: ValueKind, label: &str, groups: &[ValueGroup], s: usize) -> Option<String> {
    let means: Vec<(&str, f64)> =
        groups.iter().filter_map(|g| g.cells[s].stat.map(|st| (g.label.as_str(), st.mean))).collect();
    let lo = means.iter().min_by(|a, b| a.1.total_cmp(&b.1))?;
    let hi = means.iter().max_by(|a, b| a.1.total_cmp(&b.1))?;
    Some(if means.len() == 1 {
        format!("{label} {} (at {})", value_text(kind, lo.1), lo.0)
    } else {
        format!("{label} from {} (at {}) to {} (at {})", value_text(kind, lo.1), lo.0, value_text(kind, hi.1), hi.0)
    })
}

/// Draws every plot and writes the text of a sweep's report, from the data alone.
pub fn build_sweep(data: &SweepData) -> Result<DrawnReport, ReportError> {
    let draw_err = |file: &str| {
        let file = file.to_string();
        move |source: DrawError| ReportError::Draw { file, source }
    };
    if data.rows.is_empty() {
        return Err(ReportError::GarbledSweep("sweep.csv".into(), SweepParseError::NoRuns));
    }
    let mut notes = Vec::new();
    let ok = data.rows.iter().filter(|r| r.ok).count();
    let failed = data.rows.len() - ok;
    if failed > 0 {
        notes.push(format!(
            "{} failed (`status` = `failed` in `sweep.csv`) and {} left out of every figure.",
            plural(failed, "run", "runs"),
            if failed == 1 { "is" } else { "are" }
        ));
    }
    if data.cut_line {
        notes.push(
            "The last line of `sweep.csv` was cut short (a sweep still running or stopped) and is left out.".into(),
        );
    }
    if let Some(planned) = data.planned_runs
        && (data.rows.len() as u64) < planned
    {
        notes.push(format!(
            "`sweep.csv` holds {} of the {} runs the sweep defines: the sweep is not finished, or this is one shard.",
            data.rows.len(),
            planned
        ));
    }
    let mut found = Vec::new();
    for key in KEYS {
        let mut series = Vec::new();
        for &(col, label) in key.series {
            match data.column(col) {
                Some(i) => series.push((i, label)),
                None => notes.push(format!("`sweep.csv` has no `{col}` column: {} leave out the {label}.", key.title)),
            }
        }
        if series.is_empty() {
            continue;
        }
        let defined = data.rows.iter().filter(|r| r.ok).any(|r| series.iter().any(|&(i, _)| r.results[i].is_some()));
        if !defined && ok > 0 {
            notes.push(format!("No `ok` run has a value of {}: no plots of it.", key.title.to_lowercase()));
            continue;
        }
        found.push(Found { key, series });
    }
    if found.is_empty() {
        return Err(ReportError::GarbledSweep("sweep.csv".into(), SweepParseError::NoKeyColumns));
    }
    if ok == 0 {
        notes.push("No run has status `ok`: nothing to plot.".into());
    }
    if data.params.is_empty() {
        notes.push("The sweep varies no parameter: there is nothing to plot the results against.".into());
    }

    let mut sections = Vec::new();
    let mut used: Vec<String> = Vec::new();
    for (p, param) in data.params.iter().enumerate() {
        if ok == 0 {
            break;
        }
        let mut part = words_part(&param.name);
        if used.contains(&part) {
            part = format!("{part}_{}", used.len());
        }
        used.push(part.clone());
        let mut plots = Vec::new();
        for f in &found {
            let cols: Vec<usize> = f.series.iter().map(|s| s.0).collect();
            let labels: Vec<&str> = f.series.iter().map(|s| s.1).collect();
            let m = marginal(data, p, &cols);
            let file = format!("{}_vs_{part}.svg", f.key.key);
            let title = format!("{} against {}", f.key.title, param.name);
            let ns = n_range(m.groups.iter().flat_map(|g| g.cells.iter().filter_map(|c| c.stat.as_ref())));
            let at = if m.binned {
                format!("in each of {} bins of consecutive values of {}", m.groups.len(), param.name)
            } else {
                format!("at each value of {}", param.name)
            };
            let stats = || m.groups.iter().flat_map(|g| &g.cells).filter_map(|c| c.stat.as_ref());
            let lone = stats().any(|s| s.n == 1);
            let all_lone = stats().all(|s| s.n == 1);
            let caption = format!(
                "Large markers: the mean of the runs with status ok {at} ({ns}), {}; bars: the 95% Student-t \
                 interval, mean ± t(0.975, n − 1)·sd/√n, stopped at the result's range{}. Faint markers: single \
                 runs{}{}.",
                pooled(data, p, ""),
                if lone { " (none for a mean of one run)" } else { "" },
                if failed > 0 { "; failed runs left out" } else { "" },
                balance_warning(data, p, ""),
            );
            let x_desc = match m.scale {
                Scale::Log10 => format!("{}, log scale", param.title),
                _ => param.title.clone(),
            };
            let input = LineInput {
                title: &title,
                x_desc: &x_desc,
                key: f.key,
                labels: &labels,
                marginal: &m,
                caption: &caption,
            };
            let svg = line_plot(&input).map_err(draw_err(&file))?;
            let facts: Vec<String> =
                labels.iter().enumerate().filter_map(|(s, l)| extremes(f.key.kind, l, &m.groups, s)).collect();
            let about = format!(
                "The mean {} {}, over the `ok` runs ({ns}) {}, {}: {}{}.",
                lower_first(f.key.title),
                if m.binned {
                    format!("in each of {} bins of consecutive values of `{}`", m.groups.len(), param.path)
                } else {
                    format!("at each value of `{}`", param.path)
                },
                pooled(data, p, "`"),
                if all_lone {
                    "each a single run, so without an interval"
                } else {
                    "with its 95% Student-t interval (single runs faint)"
                },
                if facts.is_empty() { "no value".to_string() } else { and_list(&facts) },
                balance_warning(data, p, "`"),
            );
            plots.push(Plot { file, title, about, svg });
        }
        sections.push(Section { heading: format!("Against `{}`", param.path), plots });
    }

    let grid2 = data.design.as_deref() == Some("grid") && data.params.len() == 2;
    if !grid2 {
        notes.push(format!(
            "Heat maps are drawn for a grid over exactly two parameters; this sweep is {} over {}.",
            match data.design.as_deref() {
                Some("grid") => "a grid".to_string(),
                Some("latin_hypercube") => "a Latin hypercube".to_string(),
                Some(d) => format!("a {d} design"),
                None => "a design of unknown kind".to_string(),
            },
            plural(data.params.len(), "parameter", "parameters")
        ));
    } else if ok > 0 {
        let (px, py) = (&data.params[0].path, &data.params[1].path);
        let (nx, ny) = (&data.params[0].name, &data.params[1].name);
        let mut plots = Vec::new();
        for f in &found {
            let cols: Vec<usize> = f.series.iter().map(|s| s.0).collect();
            let labels: Vec<&str> = f.series.iter().map(|s| s.1).collect();
            let h = heat(data, &cols);
            let file = format!("heatmap_{}.svg", f.key.key);
            let title = format!("{}: {nx} × {ny}", f.key.title);
            let scale = HeatScale::new(f.key.kind, &h);
            let ns = n_range(h.panels.iter().flatten().flatten());
            let shown = values_fit(labels.len(), h.x_levels.len(), h.y_levels.len(), heat_height(h.y_levels.len()));
            let centre = if scale.grand_mean {
                let means: Vec<String> = labels
                    .iter()
                    .zip(&scale.centres)
                    .map(|(l, &c)| format!("{l} {}", value_text(f.key.kind, c)))
                    .collect();
                format!(
                    "the difference of each grid point's mean over its ok replications ({ns} per cell) from the \
                     grand mean of all ok runs ({}): red above, blue below, darkest at ±{}",
                    and_list(&means),
                    match f.key.kind {
                        ValueKind::Share => format!("{} pp", super::super::num::fixed(scale.half * 100.0, 1)),
                        _ => value_text(f.key.kind, scale.half),
                    }
                )
            } else {
                format!(
                    "each grid point's mean over its ok replications ({ns} per cell) on a fixed scale from -1 \
                     (blue) to +1 (red)"
                )
            };
            let caption = format!(
                "Cell colour: {centre}{}. White: the point's t interval covers the {}, so its difference is \
                 within the noise of its replications; the intervals are joint at 95% over the map's cells \
                 (Bonferroni), with the spread within cells pooled over the panel, so that a grid where nothing \
                 differs stays white. A point of one run has no interval and is coloured as it is. Grey: no ok \
                 run with a value.",
                if shown { "; the mean is printed in the cell" } else { "" },
                if scale.grand_mean { "grand mean" } else { "value 0" },
            );
            let input = HeatInput {
                title: &title,
                x_desc: &data.params[0].title,
                y_desc: &data.params[1].title,
                key: f.key,
                labels: &labels,
                heat: &h,
                caption: &caption,
            };
            let svg = heat_map(&input).map_err(draw_err(&file))?;
            let facts: Vec<String> = labels
                .iter()
                .enumerate()
                .filter_map(|(s, l)| {
                    let cells = (0..h.x_levels.len())
                        .flat_map(|ix| (0..h.y_levels.len()).map(move |iy| (ix, iy)))
                        .filter_map(|(ix, iy)| h.cell(s, ix, iy).map(|c| (ix, iy, c.mean)));
                    let best = cells.max_by(|a, b| a.2.total_cmp(&b.2))?;
                    Some(format!(
                        "{} for {l} (`{px}` = {}, `{py}` = {})",
                        value_text(f.key.kind, best.2),
                        h.x_levels[best.0],
                        h.y_levels[best.1]
                    ))
                })
                .collect();
            let neutral: usize =
                (0..labels.len()).map(|s| h.panels[s].iter().flatten().filter(|c| scale.neutral(s, c)).count()).sum();
            let cells: usize = h.panels.iter().map(|p| p.iter().flatten().count()).sum();
            // The cells the colour scale tests, the k of its joint level.
            let with_ci = scale.cells;
            let centre_words = if scale.grand_mean { "the grand mean" } else { "0" };
            let whites = if with_ci == 0 {
                "no cell has an interval (each point has one ok run), so no cell's colour can be told from the \
                 noise of its replications: rerun with `replications` of 2 or more for that"
                    .to_string()
            } else if with_ci < cells {
                format!(
                    "{neutral} of the {with_ci} cells with an interval are white, their t interval (joint at 95% \
                     over the {with_ci}, Bonferroni) covering {centre_words}, and {} of one run have none and are \
                     coloured as they are",
                    cells - with_ci
                )
            } else {
                format!(
                    "{neutral} of {cells} cells are white, their t interval (joint at 95% over the {cells}, \
                     Bonferroni) covering {centre_words}"
                )
            };
            let about = format!(
                "{} over the {} × {} grid of `{px}` ({nx}, across) and `{py}` ({ny}, up): each cell's colour is {} \
                 ({ns}){}{}; {whites}; the highest mean is {}.",
                f.key.title,
                h.x_levels.len(),
                h.y_levels.len(),
                if scale.grand_mean {
                    "the difference of the point's mean over its `ok` replications from the grand mean"
                } else {
                    "the point's mean over its `ok` replications, on a fixed scale from -1 to +1"
                },
                if labels.len() > 1 { ", one panel per side on one colour scale" } else { "" },
                if shown { ", the mean printed in the cell" } else { "" },
                if facts.is_empty() { "no cell has a value".to_string() } else { and_list(&facts) }
            );
            plots.push(Plot { file, title, about, svg });
        }
        sections.push(Section { heading: format!("Heat maps: `{px}` × `{py}`"), plots });
    }
    let markdown = render_markdown(data, &found, &sections, &notes);
    Ok(DrawnReport { sections, notes, markdown })
}
