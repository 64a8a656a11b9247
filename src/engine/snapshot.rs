//! The market as agents see it: the snapshot a batch decides on, refreshed
//! only where the environment or a book changed since it was last taken.

use super::Engine;
use crate::agents::ProductView;

impl Engine<'_> {
    pub(super) fn refresh_snapshot(&mut self, t: i64) {
        self.snapshot.time = t;
        let today = self.cal.day(self.clock.day);
        self.snapshot.session_left =
            ((today.close - t) as f64 / (today.close - today.open).max(1) as f64).clamp(0.0, 1.0);
        if self.views_stale || self.env_stale {
            self.refresh_views();
        }
        if !self.env_stale {
            return;
        }
        self.env_stale = false;
        let d = self.clock.day as usize;
        self.snapshot.day = self.clock.day;
        let m = &self.env.state;
        self.snapshot.loan_rate = m.loan_rate.value();
        self.snapshot.deposit_rate = m.deposit_rate.value();
        self.snapshot.price_level_deviation = m.price_level.deviation(m.price_reference);
        self.snapshot.shock = m.shock.value();
        self.snapshot.days_to_next = match self.cal.days().get(d + 1) {
            Some(next) => (next.date.days_since_epoch() - self.cal.day(self.clock.day).date.days_since_epoch()) as f64,
            None => 1.0,
        };
    }

    /// Each product's numbers for today and its book's touch.
    #[inline(never)]
    pub(super) fn refresh_views(&mut self) {
        self.views_stale = false;
        let d = self.clock.day as usize;
        for (p, view) in self.snapshot.products.iter_mut().enumerate() {
            let spec = &self.specs[p];
            let book = self.path.book(p);
            let nav = spec.nav_ticks[d];
            *view = ProductView {
                nav_ticks: nav,
                nav_next_ticks: spec.nav_ticks.get(d + 1).copied().unwrap_or(nav * (1.0 + spec.annual_yield / 365.0)),
                annual_yield: spec.annual_yield,
                redemption_penalty: spec.redemption_penalty,
                band_lo: spec.band_lo[d],
                band_hi: spec.band_hi[d],
                best_bid: book.best_bid().map(|t| spec.grid_base + i64::from(t)),
                best_ask: book.best_ask().map(|t| spec.grid_base + i64::from(t)),
                last_price: self.path.last_price(p),
                lot_micros_per_tick: spec.value(1, 1),
                max_order_lots: spec.max_order_lots,
            };
        }
    }
}
