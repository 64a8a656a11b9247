//! The market as agents see it: a [`Snapshot`] taken at the start of each
//! lookahead window (products, their books' touch, the environment and the
//! recent history), and the [`Context`] a decision reads.

use crate::platform::Accounts;

/// The market as every agent in a lookahead window sees it.
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    pub time: i64,
    pub day: u32,
    /// Annual rates as fractions.
    pub loan_rate: f64,
    pub deposit_rate: f64,
    /// ln(price level / its reference).
    pub price_level_deviation: f64,
    pub shock: f64,
    /// Calendar days from today to the next business day (the T+1 horizon).
    pub days_to_next: f64,
    /// Metrics windows per business day, to scale per-window statistics.
    pub windows_per_day: f64,
    pub products: Vec<ProductView>,
    /// Per product: the recent history agents read (oldest first).
    pub markets: Vec<MarketStats>,
}

/// One product in a snapshot; prices in absolute ticks.
#[derive(Clone, Copy, Debug, Default)]
pub struct ProductView {
    pub nav_ticks: f64,
    /// NAV on the next business day (what a T+1 sale is worth at NAV).
    pub nav_next_ticks: f64,
    pub annual_yield: f64,
    pub redemption_penalty: f64,
    pub band_lo: i64,
    pub band_hi: i64,
    pub best_bid: Option<i64>,
    pub best_ask: Option<i64>,
    pub last_price: Option<i64>,
    /// Micros per lot per tick: a lot at price p costs p * lot_micros_per_tick.
    pub lot_micros_per_tick: i64,
    /// Largest order the platform accepts, in lots.
    pub max_order_lots: u32,
}

impl ProductView {
    /// The price agents take as "the market": the mid when both sides
    /// quote, else the last trade, else NAV (fractional ticks).
    pub fn reference_price(&self) -> f64 {
        match (self.best_bid, self.best_ask, self.last_price) {
            (Some(b), Some(a), _) => (b + a) as f64 / 2.0,
            (_, _, Some(p)) => p as f64,
            _ => self.nav_ticks,
        }
    }
}

/// What happened to a product over the last windows.
#[derive(Clone, Debug, Default)]
pub struct MarketStats {
    /// Log returns of the window reference price, oldest first (at most `MAX_LOOKBACK`).
    pub returns: Vec<f64>,
    /// Customers' order imbalance in the last window: (buys − sells) / (buys + sells), 0 when none.
    pub imbalance: f64,
    /// Share of customers' sales that filled, smoothed over recent windows (1 before any closed).
    pub sale_success: f64,
}

impl MarketStats {
    /// Mean and standard deviation of the last `n` window returns (0, 0 with no history).
    pub fn trend_and_volatility(&self, n: usize) -> (f64, f64) {
        let r = &self.returns[self.returns.len().saturating_sub(n)..];
        if r.is_empty() {
            return (0.0, 0.0);
        }
        let mean = r.iter().sum::<f64>() / r.len() as f64;
        let var = r.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / r.len() as f64;
        (mean, var.sqrt())
    }

    /// The latest window return (0 with no history).
    pub fn last_return(&self) -> f64 {
        self.returns.last().copied().unwrap_or(0.0)
    }
}

/// What a decision may read: the market at the start of the lookahead
/// window and the platform's accounts (immutable while a batch decides).
pub struct Context<'a> {
    pub snapshot: &'a Snapshot,
    pub accounts: &'a Accounts,
}
