//! Which stretch of the run the time charts show: the latest windows,
//! followed live, or a span held where the teacher scrolled to (`[` `]` one
//! eighth of the span, `{` `}` a whole span, Home the start, End back to
//! live), at a zoom (`z` in, `Z` out; each step halves or doubles the
//! windows on screen). The whole run is kept, so after it ends (or while it
//! is paused, or even while it runs) every window can be brought back.

use crossterm::event::KeyCode;

/// The fewest windows a chart spans, zoomed in all the way.
pub const MIN_SPAN: usize = 8;
/// The most zoom-out steps (each doubles the windows on screen).
const MAX_OUT: i32 = 12;

/// What the time charts show.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct History {
    /// The window after the last one shown; None follows the run live.
    pub end: Option<usize>,
    /// Zoom steps from two windows a braille dot column (one a dot):
    /// negative zooms in, positive out.
    pub zoom: i32,
}

/// The windows on screen: `start..end` of the run's windows are drawn, and
/// the x axis spans `cap` windows from `start` (window `i` is drawn at x = i + 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Visible {
    /// The first window shown.
    pub start: usize,
    /// The window after the last one shown.
    pub end: usize,
    /// How many windows the x axis spans.
    pub cap: usize,
}

impl History {
    /// How many windows the x axis spans on `cols` columns of braille.
    pub fn cap(&self, cols: usize) -> usize {
        let base = 2 * cols.max(1);
        if self.zoom >= 0 {
            base.saturating_mul(1 << self.zoom.min(MAX_OUT))
        } else {
            (base >> (-self.zoom).min(30)).max(MIN_SPAN)
        }
    }

    /// How many windows the x axis spans with `windows` in the run: zoomed
    /// out, no more than the run (or the usual span, early on), so that the
    /// whole run fills the axis.
    fn span(&self, windows: usize, cols: usize) -> usize {
        let cap = self.cap(cols);
        if self.zoom > 0 { cap.min(windows.max(2 * cols.max(1))) } else { cap }
    }

    /// The windows on screen out of `windows`, on `cols` columns.
    pub fn visible(&self, windows: usize, cols: usize) -> Visible {
        let cap = self.span(windows, cols);
        // Held: never past the last window, and never leaving the axis part
        // empty when there are windows enough to fill it.
        let end = self.end.map_or(windows, |e| e.max(cap.min(windows)).min(windows));
        Visible { start: end.saturating_sub(cap), end, cap }
    }

    /// Whether the charts follow the run live.
    pub fn live(&self) -> bool {
        self.end.is_none()
    }

    /// What a history key does, with `windows` windows in the run and
    /// `cols` columns for the charts; false for any other key.
    pub fn on_key(&mut self, code: KeyCode, windows: usize, cols: usize) -> bool {
        let cap = self.span(windows, cols);
        let now = self.visible(windows, cols).end;
        let step = (cap / 8).max(1);
        // A span ending at the last window is the live one.
        let hold = |e: usize| {
            let e = e.max(cap.min(windows));
            if e >= windows { None } else { Some(e) }
        };
        match code {
            KeyCode::Char('[') => self.end = hold(now.saturating_sub(step)),
            KeyCode::Char(']') => self.end = hold(now.saturating_add(step)),
            KeyCode::Char('{') => self.end = hold(now.saturating_sub(cap)),
            KeyCode::Char('}') => self.end = hold(now.saturating_add(cap)),
            KeyCode::Home => self.end = hold(0),
            KeyCode::End => self.end = None,
            KeyCode::Char('z') => {
                if cap > MIN_SPAN {
                    self.zoom -= 1;
                }
            }
            KeyCode::Char('Z') => {
                // Out until the whole run is on screen.
                if self.cap(cols) < windows && self.zoom < MAX_OUT {
                    self.zoom += 1;
                }
            }
            _ => return false,
        }
        true
    }

    /// The zoom as a factor of the usual span: "×4" out, "÷2" in; None at 1.
    pub fn zoom_text(&self) -> Option<String> {
        match self.zoom {
            0 => None,
            z if z > 0 => Some(format!("zoom out ×{}", 1u64 << z.min(MAX_OUT))),
            z => Some(format!("zoom in ×{}", 1u64 << (-z).min(30))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLS: usize = 20; // 40 windows on screen at zoom 0

    fn keys(h: &mut History, codes: &[KeyCode], windows: usize) {
        for &c in codes {
            assert!(h.on_key(c, windows, COLS), "{c:?} is a history key");
        }
    }

    #[test]
    fn live_shows_the_latest_windows() {
        let h = History::default();
        assert!(h.live());
        assert_eq!(h.visible(10, COLS), Visible { start: 0, end: 10, cap: 40 });
        assert_eq!(h.visible(330, COLS), Visible { start: 290, end: 330, cap: 40 });
    }

    #[test]
    fn brackets_scroll_by_an_eighth_and_braces_by_a_span() {
        let mut h = History::default();
        keys(&mut h, &[KeyCode::Char('[')], 330);
        assert_eq!(h.end, Some(325));
        assert_eq!(h.visible(330, COLS), Visible { start: 285, end: 325, cap: 40 });
        keys(&mut h, &[KeyCode::Char('{')], 330);
        assert_eq!(h.end, Some(285));
        keys(&mut h, &[KeyCode::Char('}')], 330);
        assert_eq!(h.end, Some(325));
        keys(&mut h, &[KeyCode::Char(']')], 330);
        assert_eq!(h.end, None, "scrolled forward to the last window: live again");
        // Never before the start: the first span stays full.
        for _ in 0..100 {
            keys(&mut h, &[KeyCode::Char('{')], 330);
        }
        assert_eq!(h.end, Some(40));
        assert_eq!(h.visible(330, COLS).start, 0);
        // A held span stays where it is while the run goes on.
        assert_eq!(h.visible(400, COLS), Visible { start: 0, end: 40, cap: 40 });
    }

    #[test]
    fn home_goes_to_the_start_and_end_back_to_live() {
        let mut h = History::default();
        keys(&mut h, &[KeyCode::Home], 330);
        assert_eq!(h.visible(330, COLS), Visible { start: 0, end: 40, cap: 40 });
        keys(&mut h, &[KeyCode::End], 330);
        assert!(h.live());
        // A run shorter than the span has nothing to scroll.
        keys(&mut h, &[KeyCode::Char('['), KeyCode::Home], 30);
        assert!(h.live());
        assert!(!h.on_key(KeyCode::Char('x'), 330, COLS), "not a history key");
    }

    #[test]
    fn z_zooms_in_and_shift_z_out_until_the_whole_run_shows() {
        let mut h = History::default();
        keys(&mut h, &[KeyCode::Char('z')], 330);
        assert_eq!(h.cap(COLS), 20);
        keys(&mut h, &[KeyCode::Char('z'), KeyCode::Char('z'), KeyCode::Char('z')], 330);
        assert_eq!(h.cap(COLS), MIN_SPAN, "no closer than {MIN_SPAN} windows");
        assert_eq!(h.zoom, -3);
        assert_eq!(h.zoom_text().as_deref(), Some("zoom in ×8"));
        for _ in 0..20 {
            keys(&mut h, &[KeyCode::Char('Z')], 330);
        }
        assert_eq!(h.cap(COLS), 640, "out no further than the whole run");
        assert_eq!(h.visible(330, COLS), Visible { start: 0, end: 330, cap: 330 }, "which fills the axis");
        assert_eq!(h.zoom_text().as_deref(), Some("zoom out ×16"));
        // Zooming keeps a held span's end.
        let mut h = History { end: Some(200), zoom: 0 };
        keys(&mut h, &[KeyCode::Char('z')], 330);
        assert_eq!(h.visible(330, COLS), Visible { start: 180, end: 200, cap: 20 });
    }
}
