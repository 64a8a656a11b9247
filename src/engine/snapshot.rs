//! The market as agents see it: the snapshot a batch decides on, refreshed
//! only where the environment or a book changed since it was last taken.

use super::Engine;
use super::order_path::OrderPath;
use crate::agents::ProductView;
use crate::product::ProductSpec;

impl Engine<'_> {
    pub(super) fn refresh_snapshot(&mut self, t: i64) {
        self.snapshot.time = t;
        let today = self.cal.day(self.clock.day);
        self.snapshot.session_left =
            ((today.close - t) as f64 / (today.close - today.open).max(1) as f64).clamp(0.0, 1.0);
        // A product's numbers for the day change only with the environment
        // (a new day, window or scripted change); between those, a book
        // event moves its touch and last price alone.
        if self.env_stale {
            self.refresh_views();
        } else if self.views_stale {
            self.refresh_touch();
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

    /// Each product's book touch and last trade price, its day's numbers
    /// left as they are.
    fn refresh_touch(&mut self) {
        self.views_stale = false;
        for (p, view) in self.snapshot.products.iter_mut().enumerate() {
            [view.best_bid, view.best_ask, view.last_price] = touch(&self.specs[p], &self.path, p);
        }
    }

    /// Each product's numbers for today and its book's touch.
    #[inline(never)]
    pub(super) fn refresh_views(&mut self) {
        self.views_stale = false;
        let d = self.clock.day as usize;
        for (p, view) in self.snapshot.products.iter_mut().enumerate() {
            let spec = &self.specs[p];
            let nav = spec.nav_ticks[d];
            let [best_bid, best_ask, last_price] = touch(spec, &self.path, p);
            *view = ProductView {
                nav_ticks: nav,
                nav_next_ticks: spec.nav_ticks.get(d + 1).copied().unwrap_or(nav * (1.0 + spec.annual_yield / 365.0)),
                annual_yield: spec.annual_yield,
                redemption_penalty: spec.redemption_penalty,
                band_lo: spec.band_lo[d],
                band_hi: spec.band_hi[d],
                best_bid,
                best_ask,
                last_price,
                lot_micros_per_tick: spec.value(1, 1),
                max_order_lots: spec.max_order_lots,
            };
        }
    }
}

/// Product `p`'s best bid, best ask and last trade price, in ticks.
#[inline]
fn touch(spec: &ProductSpec, path: &OrderPath, p: usize) -> [Option<i64>; 3] {
    let book = path.book(p);
    [
        book.best_bid().map(|t| spec.grid_base + i64::from(t)),
        book.best_ask().map(|t| spec.grid_base + i64::from(t)),
        path.last_price(p),
    ]
}
