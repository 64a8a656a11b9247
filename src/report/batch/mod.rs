//! The report of a sweep directory (`tplus sweep … --out DIR`): plots of the
//! key results against each swept parameter, heat maps for a grid over two
//! parameters, and `report.md`, written into the sweep directory.
//!
//! The same three steps as a run's report: [`read_sweep`] reads `sweep.csv`
//! and `sweep.json` into a [`SweepData`]; [`build_sweep`] aggregates and
//! draws, from the data alone, into strings; [`write_sweep_report`] does both
//! and writes the files.
//!
//! # Key results
//!
//! Read from `sweep.csv` by header name (figures of all products together);
//! a column the file lacks leaves its series out, with a note:
//!
//! | key | columns | what it is |
//! |---|---|---|
//! | `success` | `sub_success`, `sale_success` | success probability: orders filled whole / orders closed |
//! | `fill_ratio` | `sub_fill_ratio`, `sale_fill_ratio` | lots filled / lots ordered |
//! | `volume` | `volume` | lots traded over the run |
//! | `success_vs_volume_pearson` | `sub_…`, `sale_success_vs_volume_pearson` | Pearson r of success with volume over windows |
//! | `success_vs_volume_spearman` | `sub_…`, `sale_success_vs_volume_spearman` | Spearman ρ of the same |
//!
//! # Plots
//!
//! | file | what it shows |
//! |---|---|
//! | `KEY_vs_PARAM.svg` | the key result against one parameter: at each of its values the mean over the `ok` runs with that value (in a grid pooled over the other parameters and the replications, with a warning when values' runs miss points others have; in a sampled design each point at its own draw) and the 95% Student-t interval (none for one run), mean ± t(0.975, n − 1)·sd/√n, stopped at the result's range; single runs as faint markers |
//! | `heatmap_KEY.svg` | only for a grid over exactly two parameters: the mean over the replications of each grid point, printed in its cell when it fits; the colour is its difference from the grand mean of all runs on a diverging scale (a correlation: its value from −1 to +1), white where the point's 95% t interval covers the grand mean (or 0), so noise takes no colour; subscriptions and sales side by side on one scale; a continuous colour bar |
//!
//! Axes are titled with the parameter in words and its unit (`agents[3].params.buy_prob` → `buy_prob of group 3, zero_intelligence (probability)`), from the base scenario in `sweep.json` and the families' parameter declarations.
//!
//! A numeric parameter is drawn on a numeric axis (logarithmic when its
//! sweep domain is log-uniform or log-normal); a parameter with more than
//! [`MAX_LEVELS`] distinct numeric values (a random or Latin-hypercube
//! design) is cut into [`BINS`] bins of consecutive values, each holding as
//! many distinct values as the others (±1), and the mean is taken per bin;
//! a parameter whose values are not all numbers is drawn on a categorical
//! axis, durations (`"5m"`, `"1h"`) by their length and other values in the
//! order of the sweep's points. Runs whose status is not `ok`
//! are left out and counted in `report.md`.

use std::path::{Path, PathBuf};

mod aggregate;
mod build;
mod frame;
mod heat_map;
mod keys;
mod line_plot;
mod markdown;
mod read;
#[cfg(test)]
mod tests;
mod words;

pub use aggregate::{BINS, Cell, Heat, MAX_LEVELS, Marginal, Scale, ValueGroup, heat, marginal};
pub use build::build_sweep;
pub use heat_map::{HeatInput, HeatScale, heat_map, values_fit};
pub use keys::{KEYS, KeyResult, ValueKind, value_text};
pub use line_plot::{LineInput, line_plot};
pub use read::{ParamInfo, SweepData, SweepParseError, SweepRow, is_sweep_dir, read_sweep};

use super::{ReportError, write_report_files};

/// Reads the sweep in `dir`, draws its plots and writes them (with a PNG
/// beside each SVG when `png`) with `report.md` into the same directory.
/// Returns the files written, plots first and `report.md` last.
pub fn write_sweep_report(dir: &Path, png: bool) -> Result<Vec<PathBuf>, ReportError> {
    let data = read_sweep(dir)?;
    let report = build_sweep(&data).map_err(|e| match e {
        ReportError::GarbledSweep(p, e) if p == Path::new("sweep.csv") => {
            ReportError::GarbledSweep(dir.join("sweep.csv"), e)
        }
        e => e,
    })?;
    write_report_files(dir, &report.sections, png, &report.markdown)
}
