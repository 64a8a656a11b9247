//! The colours and glyphs of the live view: the Okabe–Ito palette, which
//! stays distinct under the common colour-vision deficiencies (protanopia,
//! deuteranopia, tritanopia), and for every pair of series drawn together a
//! glyph or line style that tells them apart without colour (on a weak
//! projector, in a text capture).

use ratatui::style::Color;
use ratatui::symbols::Marker;

/// Okabe–Ito orange.
pub(super) const ORANGE: Color = Color::Rgb(0xE6, 0x9F, 0x00);
/// Okabe–Ito sky blue.
pub(super) const SKY_BLUE: Color = Color::Rgb(0x56, 0xB4, 0xE9);
/// Okabe–Ito bluish green.
pub(super) const BLUISH_GREEN: Color = Color::Rgb(0x00, 0x9E, 0x73);
/// Okabe–Ito yellow.
pub(super) const YELLOW: Color = Color::Rgb(0xF0, 0xE4, 0x42);
/// Okabe–Ito vermillion.
pub(super) const VERMILLION: Color = Color::Rgb(0xD5, 0x5E, 0x00);
/// Okabe–Ito reddish purple.
pub(super) const REDDISH_PURPLE: Color = Color::Rgb(0xCC, 0x79, 0xA7);

/// Subscriptions (customers' buys): a sky-blue braille line.
pub(super) const SUB: Color = SKY_BLUE;
/// Sales (customers' sells): an orange line of dots.
pub(super) const SALE: Color = ORANGE;
/// Volume per window.
pub(super) const VOLUME: Color = BLUISH_GREEN;
/// The last trade price: a braille line in the terminal's own colour.
pub(super) const PRICE: Color = Color::Reset;
/// NAV: a sky-blue line of dots.
pub(super) const NAV: Color = SKY_BLUE;
/// The loan rate.
pub(super) const LOAN: Color = REDDISH_PURPLE;
/// The optimist share of the herd followers.
pub(super) const OPTIMISTS: Color = BLUISH_GREEN;
/// The pessimists' part of the crowd bar.
pub(super) const PESSIMISTS: Color = VERMILLION;
/// Live changes: vertical lines on the time charts.
pub(super) const MARK: Color = YELLOW;
/// Bids in the book (labelled "bid").
pub(super) const BID: Color = SKY_BLUE;
/// Asks in the book (labelled "ask").
pub(super) const ASK: Color = ORANGE;
/// Refusals.
pub(super) const REJECT: Color = VERMILLION;
/// Axes, day lines and other furniture.
pub(super) const DIM: Color = Color::DarkGray;

/// The marker of a solid line (subscriptions, price, volume, the crowd).
pub(super) const SOLID: Marker = Marker::Braille;
/// The marker of a dotted line (sales, NAV): a line of `•`.
pub(super) const DOTTED: Marker = Marker::Dot;
/// How a solid line looks in a legend.
pub(super) const SOLID_KEY: &str = "⠒⠒";
/// How a dotted line looks in a legend.
pub(super) const DOTTED_KEY: &str = "••";
