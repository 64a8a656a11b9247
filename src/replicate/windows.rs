//! A run's `metrics.csv` read back per window, every product together, for
//! the per-window comparison and the figures after the change.

use std::path::Path;

use super::ReplicateError;
use crate::batch::csv::split;
use crate::columns;
use crate::results::FileError;

/// The per-window figures compared: (name, what it is).
pub const FIGURES: [(&str, &str); 7] = [
    ("sub_success", "subscription success"),
    ("sale_success", "sale success"),
    ("volume", "lots traded"),
    ("buy_orders", "buy orders"),
    ("sell_orders", "sell orders"),
    ("sub_success_accepted", "subscription success among accepted orders"),
    ("sale_success_accepted", "sale success among accepted orders"),
];

/// One window of a run, every product summed.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Window {
    /// Business-day index from 0.
    pub day: u64,
    /// Start, seconds since 00:00 of the start date.
    pub t_start: f64,
    /// Buy orders closed and filled whole.
    pub buy: (u64, u64),
    /// Sell orders closed and filled whole.
    pub sell: (u64, u64),
    /// Lots traded.
    pub volume: u64,
    /// Buy orders that reached the platform.
    pub buy_orders: u64,
    /// Sell orders that reached the platform.
    pub sell_orders: u64,
    /// Of the buy and the sell orders closed, those rejected on arrival.
    pub rejected: (u64, u64),
}

impl Window {
    /// Adds another product's row of the same window.
    fn add(&mut self, o: &Window) {
        self.buy = (self.buy.0 + o.buy.0, self.buy.1 + o.buy.1);
        self.sell = (self.sell.0 + o.sell.0, self.sell.1 + o.sell.1);
        self.volume += o.volume;
        self.buy_orders += o.buy_orders;
        self.sell_orders += o.sell_orders;
        self.rejected = (self.rejected.0 + o.rejected.0, self.rejected.1 + o.rejected.1);
    }

    /// The value of figure `i` of [`FIGURES`]; success is None when nothing
    /// closed (among accepted orders: when every closed order was rejected).
    pub fn figure(&self, i: usize) -> Option<f64> {
        let ratio = |(closed, filled): (u64, u64)| (closed > 0).then(|| filled as f64 / closed as f64);
        match i {
            0 => ratio(self.buy),
            1 => ratio(self.sell),
            2 => Some(self.volume as f64),
            3 => Some(self.buy_orders as f64),
            4 => Some(self.sell_orders as f64),
            5 => ratio((self.buy.0.saturating_sub(self.rejected.0), self.buy.1)),
            _ => ratio((self.sell.0.saturating_sub(self.rejected.1), self.sell.1)),
        }
    }

    /// What figure `i` of [`FIGURES`] cannot leave: a success's [0, 1], a
    /// count's [0, ∞).
    pub fn range(i: usize) -> (f64, f64) {
        match i {
            0 | 1 | 5 | 6 => (0.0, 1.0),
            _ => (0.0, f64::INFINITY),
        }
    }
}

/// The windows of `run_dir/metrics.csv`, by global window index.
pub fn read(run_dir: &Path) -> Result<Vec<Window>, ReplicateError> {
    let path = run_dir.join("metrics.csv");
    let text = std::fs::read_to_string(&path).map_err(FileError::at("read", &path))?;
    let bad = |why: String| ReplicateError::NotReplications {
        dir: run_dir.to_path_buf(),
        why: format!("metrics.csv: {why}"),
        source: None,
    };
    let mut lines = text.lines();
    let header = split(lines.next().unwrap_or_default());
    // Each name checked against the writer's schema when the crate compiles.
    let names = [
        columns::name!(columns::metrics::COLUMNS, "window"),
        columns::name!(columns::metrics::COLUMNS, "day"),
        columns::name!(columns::metrics::COLUMNS, "t_start"),
        columns::name!(columns::metrics::COLUMNS, "buy_closed"),
        columns::name!(columns::metrics::COLUMNS, "buy_filled"),
        columns::name!(columns::metrics::COLUMNS, "sell_closed"),
        columns::name!(columns::metrics::COLUMNS, "sell_filled"),
        columns::name!(columns::metrics::COLUMNS, "volume"),
        columns::name!(columns::metrics::COLUMNS, "buy_orders"),
        columns::name!(columns::metrics::COLUMNS, "sell_orders"),
        columns::name!(columns::metrics::COLUMNS, "buy_rejected"),
        columns::name!(columns::metrics::COLUMNS, "sell_rejected"),
    ];
    let mut cols = [0usize; 12];
    for (c, name) in cols.iter_mut().zip(names) {
        *c = header.iter().position(|h| h == name).ok_or_else(|| bad(format!("no `{name}` column")))?;
    }
    let mut out: Vec<Window> = Vec::new();
    for line in lines {
        let f = split(line);
        let int = |k: usize| f.get(cols[k]).and_then(|s| s.parse::<u64>().ok());
        let parsed = (|| {
            let w = Window {
                day: int(1)?,
                t_start: f.get(cols[2])?.parse().ok()?,
                buy: (int(3)?, int(4)?),
                sell: (int(5)?, int(6)?),
                volume: int(7)?,
                buy_orders: int(8)?,
                sell_orders: int(9)?,
                rejected: (int(10)?, int(11)?),
            };
            Some((usize::try_from(int(0)?).ok()?, w))
        })();
        let (i, w) = parsed.ok_or_else(|| bad(format!("a malformed row `{line}`")))?;
        if i > 1_000_000 {
            return Err(bad(format!("window {i} is out of range")));
        }
        if out.len() <= i {
            out.resize(i + 1, Window::default());
            out[i] = w;
        } else {
            out[i].add(&w);
        }
    }
    Ok(out)
}

/// The figures of [`FIGURES`] over windows `from..until`: success as
/// filled / closed over them, counts summed.
pub fn between(windows: &[Window], from: usize, until: usize) -> Window {
    let mut total = Window::default();
    for w in windows.iter().take(until).skip(from) {
        total.add(w);
    }
    total
}

/// Whether a span of `span` seconds from window `from`'s start reaches
/// past the last window's end (its start plus the windows' length, the
/// least step between two starts): the run ends before the span does.
pub fn span_outlasts_run(windows: &[Window], from: usize, span: f64) -> bool {
    let (Some(first), Some(last)) = (windows.get(from), windows.last()) else { return false };
    let length =
        windows.windows(2).map(|p| p[1].t_start - p[0].t_start).filter(|d| *d > 0.0).fold(f64::INFINITY, f64::min);
    let end = last.t_start + if length.is_finite() { length } else { 0.0 };
    first.t_start + span > end
}

/// The end (exclusive) of the windows within `span` seconds of window
/// `from`'s start, at least `from + 1`: the span is simulated time, so one
/// that runs past the close ends with the session.
pub fn span_end(windows: &[Window], from: usize, span: f64) -> usize {
    let Some(start) = windows.get(from).map(|w| w.t_start) else { return windows.len() };
    let end = windows.iter().skip(from).position(|w| w.t_start >= start + span).map_or(windows.len(), |k| from + k);
    end.max(from + 1).min(windows.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn products_of_a_window_add_up() {
        let dir = std::env::temp_dir().join(format!("tplus-windows-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let text = "product,window,day,t_start,buy_closed,buy_filled,sell_closed,sell_filled,volume,buy_orders,sell_orders,\
                    buy_rejected,sell_rejected\n\
                    A,0,0,100,4,1,2,2,10,4,2,2,0\nB,0,0,100,4,3,0,0,5,4,0,0,0\nA,1,0,400,0,0,1,0,0,0,1,0,1\n";
        std::fs::write(dir.join("metrics.csv"), text).unwrap();
        let w = read(&dir).unwrap();
        assert_eq!(w.len(), 2);
        assert_eq!((w[0].figure(0), w[0].figure(1), w[0].figure(2)), (Some(0.5), Some(1.0), Some(15.0)));
        assert_eq!((w[1].figure(0), w[1].figure(1)), (None, Some(0.0)));
        // Among accepted orders: window 0 has 8 buys closed, 2 rejected, 4
        // filled; window 1's only sale was rejected, so none was accepted.
        assert_eq!((w[0].figure(5), w[0].figure(6)), (Some(4.0 / 6.0), Some(1.0)));
        assert_eq!(w[1].figure(6), None);
        let a = between(&w, 1, w.len());
        assert_eq!((a.sell, a.sell_orders), ((1, 0), 1));
        assert_eq!(between(&w, 0, 1).sell_orders, w[0].sell_orders);
        // A span of 5 minutes from window 0 holds window 0 alone; past the
        // last window, every one from there.
        let step = w[1].t_start - w[0].t_start;
        assert_eq!((span_end(&w, 0, step), span_end(&w, 0, 0.0), span_end(&w, 1, 1e9)), (1, 1, w.len()));
        // The run ends before a span that reaches past its last window's start.
        // The two windows end at w[1].t_start + step: a span to there does
        // not outlast the run, one a second longer does.
        assert!(span_outlasts_run(&w, 1, 1e9) && span_outlasts_run(&w, 0, 2.0 * step + 1.0));
        assert!(!span_outlasts_run(&w, 0, 2.0 * step) && !span_outlasts_run(&w, 1, step));
        assert!(!span_outlasts_run(&w, 5, 1.0));
        std::fs::write(dir.join("metrics.csv"), "window,day\n0,x\n").unwrap();
        assert!(read(&dir).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
