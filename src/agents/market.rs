//! The market as agents see it: a [`Snapshot`] taken at the start of each
//! lookahead window (products, their books' touch, the environment and the
//! recent history), and the [`Context`] a decision reads.

use crate::platform::Accounts;

/// The market as every agent in a lookahead window sees it.
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    /// When the window starts: nanoseconds since 00:00 of the scenario's
    /// start date.
    pub time: i64,
    /// Business day of the window (0 = the first), the day T+1 sales count from.
    pub day: u32,
    /// Rate customers borrow at, as a fraction per year.
    pub loan_rate: f64,
    /// Bank deposit rate, the alternative to holding a product, as a
    /// fraction per year.
    pub deposit_rate: f64,
    /// ln(price level / its reference).
    pub price_level_deviation: f64,
    /// The international shock's current value (shot noise around 0, no
    /// unit) that macro-driven demand reads.
    pub shock: f64,
    /// Calendar days from today to the next business day (the T+1 horizon).
    pub days_to_next: f64,
    /// Metrics windows per business day, to scale per-window statistics.
    pub windows_per_day: f64,
    /// Share of today's session still to come, from 1 at the open to 0 at
    /// the close (a market maker's horizon).
    pub session_left: f64,
    /// Per product (by scenario index): its prices, band and touch today.
    pub products: Vec<ProductView>,
    /// Per product: the recent history agents read (oldest first).
    pub markets: Vec<MarketStats>,
}

/// One product in a snapshot; prices in absolute ticks.
#[derive(Clone, Copy, Debug, Default)]
pub struct ProductView {
    /// Today's NAV (what the platform redeems at), in fractional ticks.
    pub nav_ticks: f64,
    /// NAV on the next business day (what a T+1 sale is worth at NAV).
    pub nav_next_ticks: f64,
    /// Yield the NAV accrues, as a fraction per year.
    pub annual_yield: f64,
    /// Fraction of NAV lost when the platform redeems a holding that hit its
    /// holding limit (a failed sale).
    pub redemption_penalty: f64,
    /// Lowest limit price the platform accepts today, in ticks.
    pub band_lo: i64,
    /// Highest limit price the platform accepts today (and what a market buy
    /// reserves cash at), in ticks.
    pub band_hi: i64,
    /// Highest resting bid, in ticks; None when no one bids.
    pub best_bid: Option<i64>,
    /// Lowest resting ask, in ticks; None when no one offers.
    pub best_ask: Option<i64>,
    /// Price of the product's latest trade, in ticks; None before the first.
    pub last_price: Option<i64>,
    /// Micros per lot per tick: a lot at price p costs p * lot_micros_per_tick.
    pub lot_micros_per_tick: i64,
    /// Largest order the platform accepts, in lots.
    pub max_order_lots: u32,
}

impl ProductView {
    /// The mid of a two-sided book (fractional ticks); None when a side is empty.
    pub fn mid(&self) -> Option<f64> {
        self.best_bid.zip(self.best_ask).map(|(b, a)| (b + a) as f64 / 2.0)
    }

    /// The price a customer anchors to: the mid of a two-sided book, else
    /// NAV (fractional ticks). Never the last trade: when one side has
    /// emptied, the last trade is stale and may sit at the edge of the
    /// band, far from what the note is worth.
    pub fn anchor(&self) -> f64 {
        self.mid().unwrap_or(self.nav_ticks)
    }
}

/// What happened to a product over the last windows.
#[derive(Clone, Debug, Default)]
pub struct MarketStats {
    /// Log returns of the window-end anchor price ([`ProductView::anchor`]:
    /// the mid of a two-sided book, else NAV), oldest first (at most `MAX_LOOKBACK`).
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
    /// The market at the start of the window (the same for every agent in it).
    pub snapshot: &'a Snapshot,
    /// Every account's cash and holdings, for what a customer can afford or sell.
    pub accounts: &'a Accounts,
}
