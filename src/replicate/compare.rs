//! The paired comparison of a treatment with its control, run by run with
//! the same seeds: per headline figure (over the whole run, and summed from
//! the change's window on) and per window, the mean difference with its 95%
//! paired t-interval over seeds, Cohen's d_z and the seeds that moved each
//! way. Written as `comparison.csv`, `comparison_windows.csv`,
//! `comparison.json`, `comparison.md` and (with plots) `comparison.svg`.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use serde_json::{Value, json};

use super::dir::{Change, ReplicationDir, figure_names};
use super::stats::{Paired, holm, paired};
use super::windows::{self, FIGURES, Window};
use super::{ReplicateError, json_text, write_file};
use crate::columns::figure_text as num;
use crate::columns::{comparison, comparison_windows, result_range};
use crate::results::FileError;
use crate::scenario::Duration;

/// One compared figure.
#[derive(Clone, Debug)]
pub struct FigureRow {
    /// `run` or `after_change`.
    pub scope: &'static str,
    /// The figure's name.
    pub figure: String,
    /// The paired statistics.
    pub paired: Paired,
}

/// One (window, figure) compared.
#[derive(Clone, Debug)]
pub struct WindowRow {
    /// Global window index.
    pub window: usize,
    /// Business day, from 0.
    pub day: u64,
    /// Window start, seconds since 00:00 of the start date.
    pub t_start: f64,
    /// Index into the per-window figures (`sub_success`, `sale_success`,
    /// `volume`, `buy_orders`, `sell_orders`).
    pub figure: usize,
    /// The paired statistics.
    pub paired: Paired,
}

/// A finished comparison.
#[derive(Clone, Debug)]
pub struct Comparison {
    /// The scenarios' names (control, treatment).
    pub scenarios: (String, String),
    /// The seeds paired, in the treatment's order.
    pub seeds: Vec<u64>,
    /// The change marked: the treatment's first scripted event (else the control's).
    pub change: Option<Change>,
    /// How long after the change's window began the `after_change`
    /// figures run (`--span`); None: to the end of the run.
    pub span: Option<Duration>,
    /// The first window after those figures' (the number of windows when
    /// they run to the end).
    pub until: usize,
    /// The span is longer than what is left of the run after the change:
    /// its figures run to the run's end.
    pub span_outlasts_run: bool,
    /// Per figure, `after_change` rows first.
    pub figures: Vec<FigureRow>,
    /// Per window and figure.
    pub windows: Vec<WindowRow>,
    /// The control has a scripted change and the treatment none: the two
    /// were likely given the wrong way round.
    pub change_in_control_only: bool,
}

impl Comparison {
    /// What the user should know before reading the comparison: arms that
    /// look swapped, or that ran identically (the same scenario and seeds
    /// under two names), where every difference is 0 and says nothing.
    pub fn warnings(&self) -> Vec<String> {
        let mut w = Vec::new();
        if self.change_in_control_only {
            w.push(
                "the control has a scripted change and the treatment none: were the two swapped? (control first, \
                 treatment second; every difference is treatment − control)"
                    .to_string(),
            );
        }
        let rows = self.figures.iter().map(|r| &r.paired).chain(self.windows.iter().map(|r| &r.paired));
        let mut defined = rows.filter(|p| p.diff.n > 0).peekable();
        if defined.peek().is_some() && defined.all(|p| p.diff.mean == Some(0.0) && p.diff.sd.is_none_or(|sd| sd == 0.0))
        {
            w.push(
                "every difference is 0 in every seed: the two arms ran identically (the same scenario and seeds?), \
                 which shows nothing about an effect"
                    .to_string(),
            );
        }
        w
    }

    /// The row of `figure` in `scope`, if compared.
    pub fn figure(&self, scope: &str, figure: &str) -> Option<&Paired> {
        self.figures.iter().find(|r| r.scope == scope && r.figure == figure).map(|r| &r.paired)
    }
}

/// `tplus compare`: pairs two replication directories by seed and writes the
/// comparison into `out` (which must not exist, or be empty), through a
/// temporary directory beside it.
/// With `span`, the figures after the change are over that much simulated
/// time from the start of the change's window, not to the end of the run:
/// a brief episode (a panic's 15 minutes) is otherwise averaged away.
pub fn compare(
    control: &Path,
    treatment: &Path,
    out: &Path,
    span: Option<Duration>,
) -> Result<Comparison, ReplicateError> {
    let staged = super::staged::Staged::begin(out, false)?;
    let labels = (control.display().to_string(), treatment.display().to_string());
    let comparison = compare_labelled(control, treatment, staged.path(), labels, span)?;
    staged.finish()?;
    Ok(comparison)
}

/// Writes the comparison of `control` with `treatment` into `out` (an
/// existing directory, which may be the treatment's own), naming them
/// `control` and `.` in the files, as `tplus run --control` lays them out.
pub fn compare_into(
    control: &Path,
    treatment: &Path,
    out: &Path,
    span: Option<Duration>,
) -> Result<Comparison, ReplicateError> {
    compare_labelled(control, treatment, out, ("control".into(), ".".into()), span)
}

fn compare_labelled(
    control: &Path,
    treatment: &Path,
    out: &Path,
    labels: (String, String),
    span: Option<Duration>,
) -> Result<Comparison, ReplicateError> {
    same_directory(control, treatment)?;
    let c = ReplicationDir::read(control)?;
    let t = ReplicationDir::read(treatment)?;
    let unpaired = |why: String| ReplicateError::Unpaired { control: control.into(), treatment: treatment.into(), why };
    let mut cs = c.seeds.clone();
    let mut ts = t.seeds.clone();
    cs.sort_unstable();
    ts.sort_unstable();
    if cs != ts {
        let only = |a: &[u64], b: &[u64]| a.iter().filter(|s| !b.contains(s)).map(u64::to_string).collect::<Vec<_>>();
        return Err(unpaired(format!(
            "their seeds differ (only in the control: [{}]; only in the treatment: [{}]); run both with the same --seed and --replications",
            only(&cs, &ts).join(", "),
            only(&ts, &cs).join(", ")
        )));
    }
    if c.pairing != t.pairing {
        return Err(unpaired(format!(
            "their scenarios do not share {}, so their windows do not pair",
            first_difference(&c.pairing, &t.pairing)
        )));
    }
    let change = t.change.clone().or_else(|| c.change.clone());
    let seeds = t.seeds.clone();
    let mut figures = Vec::new();
    // The windows of each run, by seed (treatment order).
    let mut runs: Vec<(Vec<Window>, Vec<Window>)> = Vec::with_capacity(seeds.len());
    for &s in &seeds {
        c.check_run(s)?;
        t.check_run(s)?;
        let (cw, tw) = (windows::read(&c.run_dir(s))?, windows::read(&t.run_dir(s))?);
        c.check_windows(s, &cw)?;
        t.check_windows(s, &tw)?;
        if cw.len() != tw.len() {
            return Err(unpaired(format!("seed {s}: {} windows against {}", cw.len(), tw.len())));
        }
        runs.push((cw, tw));
    }
    let n_windows = runs.first().map_or(0, |r| r.1.len());
    let until = match (&change, span) {
        (None, Some(_)) => return Err(ReplicateError::SpanWithoutChange),
        (Some(ch), Some(span)) => {
            runs.first().map_or(n_windows, |r| windows::span_end(&r.1, ch.window, span.secs_f64()))
        }
        _ => n_windows,
    };
    let span_outlasts_run = match (&change, span, runs.first()) {
        (Some(ch), Some(span), Some(r)) => windows::span_outlasts_run(&r.1, ch.window, span.secs_f64()),
        _ => false,
    };
    if let Some(ch) = &change {
        for (i, (name, _)) in FIGURES.iter().enumerate() {
            let over = |w: &[Window]| windows::between(w, ch.window, until).figure(i);
            let pairs: Vec<_> = runs.iter().map(|(cw, tw)| (over(cw), over(tw))).collect();
            let paired = paired(&pairs, Window::range(i));
            figures.push(FigureRow { scope: "after_change", figure: name.to_string(), paired });
        }
    }
    for name in figure_names() {
        let values = |d: &ReplicationDir| -> Vec<Option<f64>> {
            let pos = |s: u64| d.seeds.iter().position(|x| *x == s);
            seeds.iter().map(|&s| pos(s).and_then(|i| d.figures.get(name)?.get(i).copied().flatten())).collect()
        };
        let pairs: Vec<_> = values(&c).into_iter().zip(values(&t)).collect();
        let paired = paired(&pairs, result_range::of(name));
        figures.push(FigureRow { scope: "run", figure: name.to_string(), paired });
    }
    // Each scope's table is read at once: its p-values are adjusted together.
    for scope in ["after_change", "run"] {
        let at: Vec<usize> = (0..figures.len()).filter(|&i| figures[i].scope == scope).collect();
        let adjusted = holm(&at.iter().map(|&i| figures[i].paired.p_value).collect::<Vec<_>>());
        for (&i, p) in at.iter().zip(adjusted) {
            figures[i].paired.p_holm = p;
        }
    }
    let mut window_rows = Vec::with_capacity(n_windows * FIGURES.len());
    for w in 0..n_windows {
        let (day, t_start) = runs.first().map_or((0, 0.0), |r| (r.1[w].day, r.1[w].t_start));
        for i in 0..FIGURES.len() {
            let pairs: Vec<_> = runs.iter().map(|(cw, tw)| (cw[w].figure(i), tw[w].figure(i))).collect();
            window_rows.push(WindowRow {
                window: w,
                day,
                t_start,
                figure: i,
                paired: paired(&pairs, Window::range(i)),
            });
        }
    }
    let control_name = if c.control { format!("{} without its events", c.scenario) } else { c.scenario };
    let change_in_control_only = c.change.is_some() && t.change.is_none() && !c.control;
    let cmp = Comparison {
        scenarios: (control_name, t.scenario),
        seeds,
        change,
        span,
        until,
        span_outlasts_run,
        figures,
        windows: window_rows,
        change_in_control_only,
    };
    write_all(&cmp, out, &labels)?;
    Ok(cmp)
}

/// Refuses a directory compared with itself (by any path: `C` and `./C/`,
/// or a link to it): every run would pair with itself, every difference
/// would be 0 and every interval a point, a comparison that looks like a
/// finding of no effect and is none.
fn same_directory(control: &Path, treatment: &Path) -> Result<(), ReplicateError> {
    match (control.canonicalize(), treatment.canonicalize()) {
        // A file is no replications directory, which the reader says.
        (Ok(c), Ok(t)) if c == t && c.is_dir() => {
            Err(ReplicateError::SameDirectory { control: control.to_path_buf(), treatment: treatment.to_path_buf() })
        }
        // A directory that cannot be resolved is reported by the reader.
        _ => Ok(()),
    }
}

/// The first key of the pairing keys (`simulation.days`, `products`) where they differ.
fn first_difference(a: &Value, b: &Value) -> String {
    if a.get("products") != b.get("products") {
        return "their products".into();
    }
    let (sa, sb) = (&a["simulation"], &b["simulation"]);
    let keys: Vec<&String> = sa.as_object().into_iter().chain(sb.as_object()).flat_map(|m| m.keys()).collect();
    keys.into_iter()
        .find(|k| sa.get(k.as_str()) != sb.get(k.as_str()))
        .map_or_else(|| "their calendars".into(), |k| format!("`simulation.{k}`"))
}

fn write_all(cmp: &Comparison, out: &Path, labels: &(String, String)) -> Result<(), ReplicateError> {
    let after = |w: usize| cmp.change.as_ref().is_some_and(|c| w >= c.window && w < cmp.until);
    // comparison.csv
    let name = "comparison.csv";
    crate::results::write_file(out, name, |w| {
        writeln!(w, "{}", comparison::HEADER)?;
        for r in &cmp.figures {
            let p = &r.paired;
            crate::columns::write_row!(w, comparison::COLUMNS;
                scope = r.scope,
                figure = r.figure,
                n = p.n,
                control_mean = num(p.control_mean),
                treatment_mean = num(p.treatment_mean),
                diff_mean = num(p.diff.mean),
                diff_sd = num(p.diff.sd),
                diff_lo = num(p.diff.lo),
                diff_hi = num(p.diff.hi),
                relative = num(p.relative),
                effect_size_dz = num(p.effect_size_dz),
                p_value = num(p.p_value),
                p_holm = num(p.p_holm),
                seeds_up = p.seeds_up,
                seeds_down = p.seeds_down,
                seeds_equal = p.seeds_equal,
                control_n = p.control_n,
                treatment_n = p.treatment_n,
            )?;
        }
        Ok(())
    })
    .map_err(FileError::at("write", &out.join(name)))?;
    // comparison_windows.csv
    let name = "comparison_windows.csv";
    crate::results::write_file(out, name, |w| {
        writeln!(w, "{}", comparison_windows::HEADER)?;
        for r in &cmp.windows {
            let p = &r.paired;
            crate::columns::write_row!(w, comparison_windows::COLUMNS;
                window = r.window,
                day = r.day,
                t_start = r.t_start,
                after_change = after(r.window),
                figure = FIGURES[r.figure].0,
                n = p.n,
                control_mean = num(p.control_mean),
                treatment_mean = num(p.treatment_mean),
                diff_mean = num(p.diff.mean),
                diff_lo = num(p.diff.lo),
                diff_hi = num(p.diff.hi),
                control_n = p.control_n,
                treatment_n = p.treatment_n,
            )?;
        }
        Ok(())
    })
    .map_err(FileError::at("write", &out.join(name)))?;
    // comparison.json
    let figure_json = |r: &FigureRow| {
        let mut v = serde_json::to_value(r.paired).unwrap_or(Value::Null);
        if let Some(m) = v.as_object_mut() {
            m.insert("scope".into(), r.scope.into());
            m.insert("figure".into(), r.figure.clone().into());
        }
        v
    };
    let doc = json!({
        "tool": "tplus",
        "version": crate::results::VERSION,
        "control": { "dir": labels.0, "scenario": cmp.scenarios.0 },
        "treatment": { "dir": labels.1, "scenario": cmp.scenarios.1 },
        "seeds": cmp.seeds,
        "change": cmp.change.as_ref().map(|c| json!({
            "at": c.at, "target": c.target, "window": c.window,
            "span": cmp.span.map(|s| s.to_string()), "until_window": cmp.until, "span_outlasts_run": cmp.span_outlasts_run,
        })),
        "difference": "treatment − control, per seed",
        "interval": "95% paired t-interval of the mean difference: mean ± t(0.975, n − 1) · sd / √n over seeds, cut to what a difference can be (±1 for a share, ±2 for a correlation; a count uncut), which keeps its coverage",
        "effect_size": "Cohen's d_z: mean difference / sd of the differences",
        "p_holm": "the paired t-test's p-value adjusted by Holm's method over the figures of the same scope; below 0.05 is what comparison.md calls beyond seed-to-seed noise",
        "warnings": cmp.warnings(),
        "figures": cmp.figures.iter().map(figure_json).collect::<Vec<_>>(),
        "windows": cmp.windows.iter().map(|r| json!({
            "window": r.window, "day": r.day, "t_start": r.t_start, "after_change": after(r.window),
            "figure": FIGURES[r.figure].0, "n": r.paired.n, "control_mean": r.paired.control_mean,
            "treatment_mean": r.paired.treatment_mean, "diff_mean": r.paired.diff.mean,
            "diff_lo": r.paired.diff.lo, "diff_hi": r.paired.diff.hi,
            "control_n": r.paired.control_n, "treatment_n": r.paired.treatment_n,
        })).collect::<Vec<_>>(),
    });
    write_file(out, "comparison.json", json_text(&doc).as_bytes())?;
    write_file(out, "comparison.md", markdown(cmp, labels).as_bytes())?;
    #[cfg(feature = "report")]
    {
        let svg = super::plot::draw(cmp)
            .map_err(|source| ReplicateError::Plot { path: out.join("comparison.svg"), source })?;
        write_file(out, "comparison.svg", svg.as_bytes())?;
    }
    Ok(())
}

/// A number for people: about four significant digits.
pub fn sig(x: Option<f64>) -> String {
    match x {
        Some(v) if v.is_finite() => {
            let a = v.abs();
            if a >= 1000.0 {
                format!("{v:.0}")
            } else if a >= 10.0 {
                format!("{v:.1}")
            } else if a >= 0.1 || a == 0.0 {
                format!("{v:.3}")
            } else if a >= 0.001 {
                format!("{v:.4}")
            } else {
                format!("{v:.2e}")
            }
        }
        _ => "n/a".into(),
    }
}

/// A difference for people, with its sign: [`sig`]'s digits.
fn signed(x: Option<f64>) -> String {
    match x {
        Some(v) if v.is_finite() && v >= 0.0 => format!("+{}", sig(x)),
        _ => sig(x),
    }
}

fn pct(x: Option<f64>) -> String {
    x.filter(|v| v.is_finite()).map_or("n/a".into(), |v| format!("{:+.1}%", v * 100.0))
}

fn table(o: &mut String, rows: &[&FigureRow]) {
    let _ = writeln!(
        o,
        "| figure | control | treatment | difference | 95% interval | relative | d_z | p (Holm) | seeds up / down |"
    );
    let _ = writeln!(o, "|---|---|---|---|---|---|---|---|---|");
    for r in rows {
        let p = &r.paired;
        let mark = if beyond_noise(p) { " **" } else { "" };
        let _ = writeln!(
            o,
            "| {}{mark} | {} | {} | {} | {} | {} | {} | {} | {} / {} |",
            r.figure,
            arm(p.control_mean, p.control_n, p.n),
            arm(p.treatment_mean, p.treatment_n, p.n),
            sig(p.diff.mean),
            interval(p),
            pct(p.relative),
            p.effect_size_dz.map_or("n/a".into(), |d| format!("{d:+.2}")),
            p_text(p.p_holm),
            p.seeds_up,
            p.seeds_down
        );
    }
}

/// A difference's interval for people: "lo to hi", or why there is none.
pub fn interval(p: &Paired) -> String {
    match (p.diff.lo, p.diff.hi, p.diff.sd) {
        (Some(lo), Some(hi), _) => format!("{} to {}", sig(Some(lo)), sig(Some(hi))),
        // An sd but no p-value: the same difference in every seed.
        (_, _, Some(_)) if p.p_value.is_none() => "n/a (the same in every seed)".into(),
        _ => "n/a".into(),
    }
}

/// A p-value for people.
pub fn p_text(p: Option<f64>) -> String {
    match p {
        Some(p) if p < 0.001 => "< 0.001".into(),
        Some(p) => format!("{p:.3}"),
        None => "n/a".into(),
    }
}

/// An arm's mean for the table, with the seeds it is over when they are
/// not those of the difference (`n`): an arm may have a figure in seeds
/// where the other has none.
fn arm(mean: Option<f64>, seeds: usize, n: usize) -> String {
    if seeds == n { sig(mean) } else { format!("{} ({seeds} seeds)", sig(mean)) }
}

/// Whether the figure moved beyond seed-to-seed noise: its p-value,
/// adjusted by Holm's method over its table, below 0.05. Each 95% interval
/// alone excludes 0 for about one figure in twenty that nothing moved, and
/// a table has tens of figures.
fn beyond_noise(p: &Paired) -> bool {
    p.p_holm.is_some_and(|p| p < 0.05)
}

/// A directory as comparison.md names it: `.`, the directory the
/// comparison is written into (`tplus run --control` lays the treatment's
/// runs out there), in words.
fn dir_words(label: &str) -> String {
    if label == "." { "this directory's `runs/`".into() } else { format!("`{label}`") }
}

fn markdown(cmp: &Comparison, labels: &(String, String)) -> String {
    let mut o = String::new();
    let (cn, tn) = &cmp.scenarios;
    let _ = writeln!(o, "# `{tn}` against `{cn}`, paired by seed\n");
    for w in cmp.warnings() {
        let _ = writeln!(o, "**Warning:** {w}.\n");
    }
    let seeds = match (cmp.seeds.first(), cmp.seeds.last()) {
        (Some(a), Some(b)) => format!("seeds {a}–{b}"),
        _ => "no seeds".into(),
    };
    let _ = writeln!(
        o,
        "{} runs each ({seeds}); treatment {}, control {}. Differences are treatment − control \
         per seed; the interval is the 95% paired t-interval of their mean over seeds, d_z their mean \
         over their standard deviation. Each table tests many figures at once, so its p-values are \
         adjusted by Holm's method over the table's figures: a figure marked ** has an adjusted p below \
         0.05, which bounds the chance that any figure of the table is marked when nothing moved at 5%. \
         An interval may exclude 0 without the mark (it is one figure's, at 95%). The control \
         and treatment columns are each arm's own mean, over the seeds where it has the figure; where \
         those are not the seeds the differences are over (both arms having it), their number \
         follows.\n",
        cmp.seeds.len(),
        dir_words(&labels.1),
        dir_words(&labels.0)
    );
    match &cmp.change {
        Some(ch) => {
            let _ = writeln!(
                o,
                "The change: `{}` at {} (window {}), marked in `comparison.svg`.\n",
                ch.target, ch.at, ch.window
            );
            let rows: Vec<&FigureRow> = cmp.figures.iter().filter(|r| r.scope == "after_change").collect();
            let (heading, when) = match cmp.span {
                Some(span) => (
                    format!(
                        "In the {span} from the change's window (windows {} to {}, every product{})",
                        ch.window,
                        cmp.until - 1,
                        if cmp.span_outlasts_run { "; the run ends first: to its end" } else { "" }
                    ),
                    format!("in the {span} from the change"),
                ),
                None => (
                    format!("From the change on (window {} to the end, every product)", ch.window),
                    "after the change".into(),
                ),
            };
            let _ = writeln!(o, "## {heading}\n");
            table(&mut o, &rows);
            let shown: Vec<String> = rows
                .iter()
                .filter(|r| beyond_noise(&r.paired))
                .map(|r| {
                    let p = &r.paired;
                    let relative = p.relative.map_or(String::new(), |_| format!(", {}", pct(p.relative)));
                    format!("{} {} (95% interval {}{relative})", r.figure, signed(p.diff.mean), interval(p))
                })
                .collect();
            let _ = writeln!(
                o,
                "\n{}\n",
                if shown.is_empty() {
                    format!("No figure {when} differs from the control beyond seed-to-seed noise.")
                } else {
                    format!("Beyond seed-to-seed noise {when}: {}.", shown.join("; "))
                }
            );
        }
        None => {
            let _ = writeln!(o, "Neither scenario scripts a change; the whole runs are compared.\n");
        }
    }
    let _ = writeln!(o, "## Whole run (headline figures of `replications.csv`)\n");
    let rows: Vec<&FigureRow> = cmp.figures.iter().filter(|r| r.scope == "run").collect();
    table(&mut o, &rows);
    let _ = writeln!(
        o,
        "\nPer-window differences with their intervals: `comparison_windows.csv`. What each figure \
         means: `replications.json`, and the result columns of `sweep.csv` in scenarios/sweeps/README.md."
    );
    o
}
