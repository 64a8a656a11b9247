//! What the replay reads of a run's `manifest.json`: each product's price
//! grid, sized as the run's book was, its matching rule and its order size
//! limit, and the run's sessions' closes, where every resting order expires.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use serde::Deserialize;

use super::ReplayError;
use crate::book::MatchingRule;
use crate::calendar::Calendar;
use crate::scenario::{Product, Simulation};

/// What the replay reads of `manifest.json`: the products and the run's
/// calendar, as the run's scenario wrote them.
#[derive(Deserialize)]
struct ManifestMarket {
    /// `tplus` (a manifest from before it had the key has none).
    #[serde(default)]
    tool: Option<String>,
    /// The tplus version that wrote the run.
    #[serde(default)]
    version: Option<String>,
    scenario: ScenarioMarket,
    /// What the run counted (a manifest from before the counts has none).
    #[serde(default)]
    counts: Counts,
    /// Each file's size as written (a manifest from before the sizes has
    /// none).
    #[serde(default)]
    file_bytes: BTreeMap<String, u64>,
}

/// What the run counted of the lines its files hold, for a log or a
/// `trades.csv` cut short at a line's end to be told as such.
#[derive(Clone, Copy, Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct Counts {
    /// Orders submitted: the log's `submitted` lines.
    pub orders: Option<u64>,
    /// Trades made: the lines of `trades.csv` below its header.
    pub trades: Option<u64>,
}

#[derive(Deserialize)]
struct ScenarioMarket {
    simulation: Simulation,
    #[serde(rename = "product")]
    products: Vec<Product>,
}

/// One product as the replay knows it.
pub(super) struct Grid {
    /// Its id, as the files name it.
    pub id: String,
    /// Micros per tick.
    pub tick: i64,
    /// The lowest and highest prices of its band over the run, in absolute
    /// ticks; the book's index 0 is `lo`.
    pub lo: i64,
    pub hi: i64,
    /// Ticks in the book's grid, `hi - lo + 1`.
    pub n_ticks: u32,
    /// The product's matching rule.
    pub rule: MatchingRule,
    /// The most lots a customer's order or change may ask for.
    pub max_order_lots: u32,
}

impl Grid {
    /// The tests' product: NOTE7 at 1.00 with a tick of 0.0001, a band of
    /// 0.98 to 1.02, price–time priority and orders of at most 1000 lots.
    #[cfg(test)]
    pub fn note7() -> Grid {
        let (lo, hi) = (9_800, 10_200);
        let n_ticks = (hi - lo + 1) as u32;
        Grid { id: "NOTE7".into(), tick: 100, lo, hi, n_ticks, rule: MatchingRule::PriceTime, max_order_lots: 1000 }
    }

    /// `ticks` (absolute) as the book's index, if it is inside the band.
    pub fn index(&self, ticks: i64) -> Option<u32> {
        ticks.checked_sub(self.lo).and_then(|i| u32::try_from(i).ok()).filter(|&i| i < self.n_ticks)
    }
}

/// What the replay reads of a run's manifest.
pub(super) struct Market {
    /// Each product's grid, in the manifest's order.
    pub grids: Vec<Grid>,
    /// Each business day's close on the simulation clock (ns), in order.
    pub closes: Vec<i64>,
    /// What the run counted.
    pub counts: Counts,
    /// The tplus version that wrote the run (`tplus --version`'s words).
    pub version: Option<String>,
    /// Each file's size in bytes as the run wrote it, by name (empty for a
    /// run from before the sizes).
    pub file_bytes: BTreeMap<String, u64>,
}

/// Reads the products and their grids from `manifest.json`, holding them to
/// the rules a scenario is validated by first, so that an edited manifest
/// cannot size a book beyond what a run could have had, and the run's
/// closes.
pub(super) fn read_manifest(path: &Path) -> Result<Market, ReplayError> {
    let text = fs::read_to_string(path).map_err(|source| ReplayError::Io { path: path.to_path_buf(), source })?;
    let read = serde_json::from_str::<ManifestMarket>(&text)
        .map_err(|source| ReplayError::Manifest { path: path.to_path_buf(), source })?;
    if let Some(tool) = read.tool.filter(|t| t != "tplus") {
        return Err(ReplayError::NotTplus { path: path.to_path_buf(), tool });
    }
    let (market, counts, version, file_bytes) = (read.scenario, read.counts, read.version, read.file_bytes);
    for p in &market.products {
        // Said first and in these words: a tick is what the replay divides by.
        if crate::scenario::whole_tick_micros(p.tick_size).is_none() {
            return Err(ReplayError::Tick { path: path.to_path_buf(), product: p.id.clone(), tick_size: p.tick_size });
        }
    }
    let rule = |field: String, message: String, accepted: String| ReplayError::ManifestRule {
        path: path.to_path_buf(),
        field,
        message,
        accepted,
    };
    crate::scenario::validate_market(&market.simulation, &market.products)
        .map_err(|e| rule(e.field, e.message, e.accepted))?;
    let closes = Calendar::new(&market.simulation).days().iter().map(|d| d.close).collect();
    let grids = market
        .products
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let grid = p.band_over_run(&market.simulation).and_then(|(lo, hi)| {
                let n = hi.checked_sub(lo)?.checked_add(1)?;
                u32::try_from(n).ok().filter(|&n| n > 0 && n < u32::MAX).map(|n| (lo, hi, n))
            });
            let Some((lo, hi, n_ticks)) = grid else {
                return Err(rule(
                    format!("product[{i}].price_band"),
                    "the band holds no price over the run's days".into(),
                    "a band at least one tick wide on every day".into(),
                ));
            };
            // Validation holds max_order_lots to 1..=100,000,000 lots.
            let max_order_lots = u32::try_from(p.max_order_lots).unwrap_or(u32::MAX);
            Ok(Grid { id: p.id.clone(), tick: p.tick_micros(), lo, hi, n_ticks, rule: p.matching, max_order_lots })
        })
        .collect::<Result<_, _>>()?;
    Ok(Market { grids, closes, counts, version, file_bytes })
}
