//! PNG copies of the plots (`tplus report --png`): each SVG the report draws
//! is rasterised in-process (`resvg`, pure Rust), its text set in the
//! bundled DejaVu Sans (`fonts/`, with its licence), so no system font or
//! tool is needed and the PNG shows exactly what the SVG does.

use std::sync::{Arc, OnceLock};

use resvg::{tiny_skia, usvg};

/// The bundled font: DejaVu Sans (Bitstream Vera licence, `fonts/LICENSE-DejaVu.txt`).
const FONT: &[u8] = include_bytes!("fonts/DejaVuSans.ttf");

/// Pixels per SVG unit: the PNGs are twice the SVG's size, sharp on slides.
pub const SCALE: f32 = 2.0;

/// Why a plot could not be rasterised.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PngError {
    /// The SVG did not parse (a bug of the report: it draws every SVG).
    #[error("the SVG does not parse: {0}")]
    Svg(#[source] usvg::Error),
    /// The picture has no pixels, or too many.
    #[error("cannot make a {0} × {1} pixel image")]
    Size(u32, u32),
    /// The PNG encoder failed (its error type is the `png` crate's, which
    /// tiny-skia does not re-export).
    #[error("cannot encode the PNG: {0}")]
    Encode(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// The font database: the bundled font alone, standing for every generic family.
fn fonts() -> Arc<usvg::fontdb::Database> {
    static DB: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        db.load_font_data(FONT.to_vec());
        for set in [
            usvg::fontdb::Database::set_sans_serif_family,
            usvg::fontdb::Database::set_serif_family,
            usvg::fontdb::Database::set_monospace_family,
        ] {
            set(&mut db, "DejaVu Sans");
        }
        Arc::new(db)
    })
    .clone()
}

/// The PNG of an SVG document, at [`SCALE`] pixels per unit.
pub fn svg_to_png(svg: &str) -> Result<Vec<u8>, PngError> {
    let options = usvg::Options { fontdb: fonts(), font_family: "DejaVu Sans".into(), ..usvg::Options::default() };
    let tree = usvg::Tree::from_str(svg, &options).map_err(PngError::Svg)?;
    let size = tree.size().to_int_size().scale_by(SCALE);
    let (w, h) = size.map_or((0, 0), |s| (s.width(), s.height()));
    let mut pixmap = tiny_skia::Pixmap::new(w, h).ok_or(PngError::Size(w, h))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(&tree, tiny_skia::Transform::from_scale(SCALE, SCALE), &mut pixmap.as_mut());
    pixmap.encode_png().map_err(|e| PngError::Encode(Box::new(e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_drawn_with_the_bundled_font() {
        let blank = r#"<svg xmlns="http://www.w3.org/2000/svg" width="200" height="50"><rect width="200" height="50" fill="white"/></svg>"#;
        let text = blank
            .replace("</svg>", r#"<text x="10" y="35" font-family="sans-serif" font-size="24">loan rate</text></svg>"#);
        let (a, b) = (svg_to_png(blank).unwrap(), svg_to_png(&text).unwrap());
        assert!(a.starts_with(b"\x89PNG\r\n\x1a\n"));
        // IHDR: width and height, big-endian, at bytes 16..24.
        assert_eq!(&b[16..24], &[0, 0, 1, 144, 0, 0, 0, 100]);
        let dark = |png: &[u8]| {
            let p = tiny_skia::Pixmap::decode_png(png).unwrap();
            p.pixels().iter().filter(|c| c.red() < 128).count()
        };
        assert_eq!(dark(&a), 0);
        assert!(dark(&b) > 100, "no text drawn");
    }
}
