//! The replay's trades against the run's `trades.csv`, line by line, as
//! bytes.

use std::fs;
use std::io::BufReader;
use std::path::Path;

use super::ReplayError;
use super::text::{not_utf8, read_line, shown};
use crate::columns;
use crate::engine::record::TradeRecord;
use crate::results::line::Line;
use crate::results::trade_line;

/// Compares the replay's trades, formatted as the run writes them, with
/// `trades.csv` line by line, as bytes, each line's newline included.
pub(super) fn compare(path: &Path, made: &[TradeRecord], names: &[(String, i64)]) -> Result<(), ReplayError> {
    let f = fs::File::open(path).map_err(|source| ReplayError::Io { path: path.to_path_buf(), source })?;
    let mut run = BufReader::new(f);
    let mut line = Line::new();
    let (mut expected, mut got) = (Vec::new(), Vec::new());
    let header = format!("{}\n", columns::trades::HEADER);
    // The header, then each trade; a line beyond them is one too many.
    for n in 1..=made.len() + 2 {
        got.clear();
        if n == 1 {
            got.extend_from_slice(header.as_bytes());
        } else if let Some(t) = made.get(n - 2) {
            trade_line(&mut line, t, names);
            // Writing to a Vec cannot fail.
            let _ = line.flush_to(&mut got);
        }
        let more = read_line(&mut run, &mut expected, path)?;
        if expected == got {
            continue;
        }
        if let Some((at, byte)) = not_utf8(&expected, n) {
            return Err(ReplayError::BadLine {
                path: path.to_path_buf(),
                line: at,
                what: format!("byte 0x{byte:02X} is not UTF-8 text: the file has been edited or damaged"),
            });
        }
        return Err(ReplayError::Differs {
            file: "trades.csv",
            line: n,
            expected: more.then(|| shown(&expected)),
            got: (!got.is_empty()).then(|| shown(&got)),
        });
    }
    Ok(())
}

/// The lines of `trades.csv` below its header (a last line without its
/// newline counted).
pub(super) fn rows(path: &Path) -> Result<u64, ReplayError> {
    let bytes = fs::read(path).map_err(|source| ReplayError::Io { path: path.to_path_buf(), source })?;
    let lines = bytes.iter().filter(|&&b| b == b'\n').count() + usize::from(bytes.last().is_some_and(|&b| b != b'\n'));
    Ok(lines.saturating_sub(1) as u64)
}
