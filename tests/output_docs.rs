//! The column tables of the READMEs against the columns the code writes:
//! each output file's table in `scenarios/README.md` (and `sweep.csv`'s in
//! `scenarios/sweeps/README.md`) must name exactly the schema's columns of
//! `tplus::columns`, in file order, so the docs cannot fall behind a new,
//! renamed or moved column.

use std::path::Path;

use tplus::columns::{self, Column};

fn readme(rel: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The lines of the section under the heading that starts with `heading`,
/// up to the next heading of any level.
fn section<'a>(text: &'a str, heading: &str) -> Vec<&'a str> {
    let mut lines = text.lines().skip_while(|l| !l.starts_with(heading));
    assert!(lines.next().is_some(), "no heading `{heading}`");
    lines.take_while(|l| !l.trim_start().starts_with('#')).collect()
}

/// The first cells of the rows of the section's `| column | … |` table.
fn first_cells(lines: &[&str]) -> Vec<String> {
    table_cells(lines, "| column |")
}

/// The first cells of the rows of the first table whose header row starts
/// with `header`.
fn table_cells(lines: &[&str], header: &str) -> Vec<String> {
    let rows: Vec<&str> = lines
        .iter()
        .map(|l| l.trim())
        .skip_while(|l| !l.starts_with(header))
        .take_while(|l| l.starts_with('|'))
        .skip(2)
        .collect();
    assert!(!rows.is_empty(), "no `{header}` table");
    rows.iter().map(|r| r.trim_matches('|').split(" | ").next().unwrap_or("").trim().to_string()).collect()
}

/// The column names a row's first cell lists: each name in backticks
/// (`t_start`, `t_end` is two columns), or a placeholder without any.
fn names(cell: &str) -> Vec<String> {
    let quoted: Vec<String> = cell.split('`').skip(1).step_by(2).map(str::to_string).collect();
    if quoted.is_empty() { vec![cell.to_string()] } else { quoted }
}

fn documented(text: &str, heading: &str) -> Vec<String> {
    first_cells(&section(text, heading)).iter().flat_map(|c| names(c)).collect()
}

fn written(columns: &[Column]) -> Vec<String> {
    columns.iter().map(|c| c.name.to_string()).collect()
}

#[test]
fn the_run_files_tables_list_the_columns_written() {
    let text = readme("scenarios/README.md");
    for (heading, columns) in [
        ("### `metrics.csv`", columns::metrics::COLUMNS),
        ("### `trades.csv`", columns::trades::COLUMNS),
        ("### `events.csv`", columns::events::COLUMNS),
        ("### `risk.csv`", columns::risk::COLUMNS),
        ("### `credit_fit.csv`", columns::credit_fit::COLUMNS),
        ("#### `comparison.csv`", columns::comparison::COLUMNS),
        ("#### `comparison_windows.csv`", columns::comparison_windows::COLUMNS),
        ("### `live_changes.csv`", columns::live_changes::COLUMNS),
    ] {
        assert_eq!(documented(&text, heading), written(columns), "{heading} in scenarios/README.md");
    }
}

#[test]
fn the_sweep_table_lists_the_columns_written() {
    let text = readme("scenarios/sweeps/README.md");
    let parameter = "(one per parameter)".to_string();
    let mut expected = written(columns::sweep::KEY);
    expected.push(parameter);
    for part in [columns::sweep::STATUS, columns::sweep_results::COLUMNS, columns::sweep::DIGEST, columns::sweep::WALL]
    {
        expected.extend(written(part));
    }
    assert_eq!(documented(&text, "## Output"), expected, "sweep.csv in scenarios/sweeps/README.md");
}

/// The parsing above, on a table made up here, so a test that passes means
/// the tables were read, not skipped.
#[test]
fn a_made_up_table_reads_as_expected() {
    let text = "### `x.csv`\n\nSome text.\n\n| measure | value |\n|---|---|\n| `no` | not this table |\n\n\
                | column | meaning |\n|---|---|\n| `a` | first |\n| `b`, `c` | two at once |\n| (any) | a placeholder |\n\n\
                ### next\n| column | meaning |\n|---|---|\n| `z` | another section |\n";
    assert_eq!(documented(text, "### `x.csv`"), ["a", "b", "c", "(any)"]);
}

/// summary.json's side block (`subscriptions`, `sales`): the table under
/// "each have" names exactly the fields written, in file order.
#[test]
fn the_summary_side_table_lists_the_fields_written() {
    let text = readme("scenarios/README.md");
    let lines: Vec<&str> = text.lines().skip_while(|l| !l.contains("each have:")).collect();
    assert!(!lines.is_empty(), "no side table in scenarios/README.md");
    let documented: Vec<String> = table_cells(&lines, "| field |").iter().flat_map(|c| names(c)).collect();
    // The keys in the order written: the block is flat (its values are
    // numbers, nulls and arrays), so each key is a string before a colon.
    let side = serde_json::to_string(&tplus::metrics::summary::SideSummary::default()).unwrap();
    let parts: Vec<&str> = side.split('"').collect();
    let written: Vec<String> = parts.windows(2).filter(|w| w[1].starts_with(':')).map(|w| w[0].to_string()).collect();
    assert!(written.len() > 10, "{side}");
    assert_eq!(documented, written, "the side table of summary.json in scenarios/README.md");
}
