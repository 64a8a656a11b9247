//! Metrics windows and the price grid: a window's start (the environment
//! stepped to it) and its end (the crowd's mood, the touch, the statistics
//! agents read), and the samples taken at each grid point (the mid for the
//! stylized facts, the books' depth for the window's row).

use super::Engine;
use crate::book::Side;
use crate::metrics::DEPTH_LEVELS;

impl Engine<'_> {
    /// Records every product's price at the grid point `next_grid` and moves to the next.
    #[inline(never)]
    pub(super) fn sample_grid(&mut self) {
        self.refresh_views();
        let open = self.cal.day(self.clock.day).open;
        let k = ((self.clock.next_grid - open) / self.metrics.grid.step()) as usize;
        for (p, view) in self.snapshot.products.iter().enumerate() {
            self.metrics.grid.sample(self.clock.day, k, p, view.mid());
        }
        self.sample_depth();
        self.clock.next_grid += self.metrics.grid.step();
    }

    /// Adds each book's depth at its best [`DEPTH_LEVELS`] prices per side to
    /// the window's samples (taken at the grid points and the window's end).
    pub(super) fn sample_depth(&mut self) {
        let mut levels = [(0, 0); DEPTH_LEVELS];
        for p in 0..self.specs.len() {
            let book = self.path.book(p);
            let row = self.metrics.window_mut(self.clock.window, p);
            let n = book.depth(Side::Buy, &mut levels);
            row.depth.bid_lots += levels[..n].iter().map(|l| l.1).sum::<u64>();
            let n = book.depth(Side::Sell, &mut levels);
            row.depth.ask_lots += levels[..n].iter().map(|l| l.1).sum::<u64>();
            row.depth.samples += 1;
        }
    }

    /// Steps the environment to the start of the current window and records it.
    #[inline(never)]
    pub(super) fn start_window(&mut self, t: i64) {
        self.env.advance_to(t, &mut self.specs, &mut self.roster.groups, &mut self.roster.sales);
        self.env_stale = true;
        self.sales_moved();
        *self.metrics.env_mut(self.clock.window) = self.env.window_env();
    }

    /// Share of optimists among the members of every group with a crowd, now
    /// (None without one): what `metrics.csv` records at each window's end
    /// and the live view shows.
    pub(super) fn optimist_share(&self) -> Option<f64> {
        let (mut members, mut optimists) = (0u64, 0u64);
        for crowd in self.roster.groups.iter().filter_map(|g| g.crowd()) {
            members += u64::from(crowd.members);
            optimists += u64::from(crowd.optimists);
        }
        (members > 0).then(|| optimists as f64 / members as f64)
    }

    /// Closes the current window at `t`: the crowd's mood and the statistics agents read.
    #[inline(never)]
    pub(super) fn end_window(&mut self, t: i64) {
        self.advance_groups(t);
        self.refresh_views();
        self.metrics.env_mut(self.clock.window).optimist_share = self.optimist_share();
        self.sample_depth();
        for (p, view) in self.snapshot.products.iter().enumerate() {
            let row = self.metrics.window_mut(self.clock.window, p);
            row.mid_x2 = view.best_bid.zip(view.best_ask).map(|(b, a)| b + a);
            row.nav_ticks = view.nav_ticks;
        }
        self.env.close_window(self.clock.window, &self.snapshot.products, &mut self.snapshot.markets, &self.metrics);
    }
}
