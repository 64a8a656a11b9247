//! Progress of a sweep on standard error: an indicatif bar with the rate and
//! the time left when standard error is a terminal, plain lines (at most one
//! every 5 s, and one at the end) otherwise, so logs of batch jobs stay short.

#[cfg(feature = "cli")]
use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[cfg(feature = "cli")]
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How progress is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Show {
    /// A bar on a terminal, lines otherwise.
    Auto,
    /// Plain lines, whatever standard error is.
    Lines,
    /// Nothing.
    Quiet,
}

const LINE_EVERY: Duration = Duration::from_secs(5);

/// A sweep's progress on standard error, as `Show` asks: a bar with rate and ETA
/// on a terminal (with the `cli` feature), a line every 5 seconds otherwise, or
/// nothing. Shared by the worker threads (`inc` takes `&self`).
pub struct Progress {
    name: String,
    total: u64,
    start: Instant,
    #[cfg(feature = "cli")]
    bar: Option<ProgressBar>,
    lines: Option<Mutex<(u64, Instant)>>,
}

impl Progress {
    /// Starts the clock for a sweep named `name` of `total` runs.
    pub fn new(name: &str, total: u64, show: Show) -> Progress {
        let start = Instant::now();
        #[cfg(feature = "cli")]
        let mut p = Progress { name: name.to_string(), total, start, bar: None, lines: None };
        #[cfg(not(feature = "cli"))]
        let mut p = Progress { name: name.to_string(), total, start, lines: None };
        match show {
            Show::Quiet => {}
            #[cfg(feature = "cli")]
            Show::Auto if std::io::stderr().is_terminal() => {
                let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
                if let Ok(style) = ProgressStyle::with_template(
                    "{prefix} {wide_bar} {pos}/{len} runs  {per_sec}  elapsed {elapsed}  ETA {eta}",
                ) {
                    bar.set_style(style.progress_chars("=> "));
                }
                bar.set_prefix(format!("sweep {name}"));
                bar.enable_steady_tick(Duration::from_millis(500));
                p.bar = Some(bar);
            }
            _ => p.lines = Some(Mutex::new((0, start))),
        }
        p
    }

    /// One more run done.
    pub fn inc(&self) {
        #[cfg(feature = "cli")]
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
        if let Some(lines) = &self.lines {
            let mut state = lines.lock().unwrap_or_else(|e| e.into_inner());
            state.0 += 1;
            if state.0 == self.total || state.1.elapsed() >= LINE_EVERY {
                state.1 = Instant::now();
                crate::results::say(format_args!("{}", self.line(state.0)));
            }
        }
    }

    /// A message that does not disturb the bar.
    pub fn note(&self, message: &str) {
        #[cfg(feature = "cli")]
        if let Some(bar) = &self.bar {
            return bar.println(message);
        }
        if self.lines.is_some() {
            crate::results::say(format_args!("{message}"));
        }
    }

    /// Clears the bar from the terminal once the sweep is done.
    pub fn finish(&self) {
        #[cfg(feature = "cli")]
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }

    fn line(&self, done: u64) -> String {
        let secs = self.start.elapsed().as_secs_f64();
        let rate = done as f64 / secs.max(1e-9);
        let left = self.total.saturating_sub(done);
        let eta = if left == 0 {
            "done".to_string()
        } else if rate > 0.0 {
            format!("ETA {}", human(left as f64 / rate))
        } else {
            "ETA unknown".to_string()
        };
        format!(
            "sweep {}: {done}/{} runs ({:.0}%), {rate:.2} runs/s, elapsed {}, {eta}",
            self.name,
            self.total,
            100.0 * done as f64 / self.total.max(1) as f64,
            human(secs)
        )
    }
}

fn human(secs: f64) -> String {
    let s = secs.round() as u64;
    match s {
        0..60 => format!("{secs:.1} s"),
        60..3600 => format!("{}m{:02}s", s / 60, s % 60),
        _ => format!("{}h{:02}m", s / 3600, s / 60 % 60),
    }
}
