//! Every CSV file the command line writes types each column one way: a
//! column of counts or names never shows a decimal point, and a column of
//! real numbers shows one in every cell (`1.0`, never `1`), so that a reader
//! guessing types from the first rows (polars reads 100) cannot take a real
//! column for integers and then fail on its first fraction. Before this,
//! `two_products.toml`'s and `planted_abuse.toml`'s `metrics.csv` failed in
//! `polars.read_csv` at `nav`, whole on the first day.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};

#[path = "common/bin.rs"]
mod bin;

/// A cell's kind as a reader would guess it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    /// Digits, with a sign or not.
    Whole,
    /// A number with a point or an exponent.
    Real,
    /// Anything else: a name, a date, a time of day, a message.
    Text,
}

fn kind(cell: &str) -> Kind {
    let digits = cell.strip_prefix('-').unwrap_or(cell);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        Kind::Whole
    } else if cell.parse::<f64>().is_ok() {
        Kind::Real
    } else {
        Kind::Text
    }
}

/// Splits a line on commas outside double quotes.
fn split(line: &str) -> Vec<String> {
    let (mut cells, mut cell, mut quoted) = (Vec::new(), String::new(), false);
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => cells.push(std::mem::take(&mut cell)),
            _ => cell.push(c),
        }
    }
    cells.push(cell);
    cells
}

/// Each column's kinds over the file's non-empty cells.
fn column_kinds(path: &Path) -> BTreeMap<String, Vec<Kind>> {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text.lines();
    let header = split(lines.next().unwrap_or_default());
    let mut kinds: Vec<Vec<Kind>> = vec![Vec::new(); header.len()];
    for line in lines {
        for (k, cell) in split(line).iter().enumerate() {
            if !cell.is_empty() && !kinds[k].contains(&kind(cell)) {
                kinds[k].push(kind(cell));
            }
        }
    }
    header.into_iter().zip(kinds).map(|(h, mut k)| (h, (k.sort(), k).1)).collect()
}

fn csv_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            csv_files(&p, out);
        } else if p.extension() == Some(OsStr::new("csv")) {
            out.push(p);
        }
    }
}

fn run(args: &[&str]) {
    let args: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
    let o = bin::tplus(&args);
    assert!(o.status.success(), "tplus {args:?}: {}", String::from_utf8_lossy(&o.stderr));
}

fn scenario(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel).display().to_string()
}

/// No column mixes whole numbers with reals, and the real columns that are
/// whole in these runs (the NAV on the first day, the price level and the
/// shock of a scenario without macro moves, window times, whole lots of
/// risk measures) show their point.
#[test]
fn no_column_mixes_whole_numbers_and_reals() {
    let dir = bin::scratch("csv_cells", "all");
    let out = |name: &str| dir.join(name).display().to_string();
    run(&["run", &scenario("scenarios/two_products.toml"), "--log", "--quiet", "--out", &out("two")]);
    run(&["run", &scenario("scenarios/planted_abuse.toml"), "--quiet", "--out", &out("abuse")]);
    run(&["run", &scenario("scenarios/credit_fit.toml"), "--quiet", "--out", &out("fit")]);
    let hike = scenario("scenarios/rate_hike.toml");
    run(&["run", &hike, "--control", "--replications", "2", "--quiet", "--out", &out("hike")]);
    run(&["sweep", &scenario("scenarios/sweeps/ci.toml"), "--quiet", "--out", &out("sweep")]);
    // A real field swept over whole numbers (`0` among the loan rates) and
    // an integer field: the first's column shows its point in every row.
    let wholes = dir.join("wholes.toml");
    let base = scenario("scenarios/bench/reference_market.toml");
    let text = format!(
        "[sweep]\nname = \"wholes\"\nscenario = {base:?}\nseed = 3\n\n[[param]]\npath = \"macro.loan_rate.value\"\n\
         values = [0, 0.05]\n\n[[param]]\npath = \"agents[3].count\"\nvalues = [40, 50]\n"
    );
    fs::write(&wholes, text).unwrap();
    run(&["sweep", &wholes.display().to_string(), "--quiet", "--out", &out("wholes")]);
    let kinds = column_kinds(&dir.join("wholes/sweep.csv"));
    assert_eq!(kinds["macro.loan_rate.value"], [Kind::Real], "`0` is written `0.0`");
    assert_eq!(kinds["agents[3].count"], [Kind::Whole]);

    let mut files = Vec::new();
    csv_files(&dir, &mut files);
    files.sort();
    let mut seen = BTreeMap::new();
    for f in &files {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        for (column, kinds) in column_kinds(f) {
            assert!(
                !(kinds.contains(&Kind::Whole) && kinds.contains(&Kind::Real)),
                "{}: column `{column}` holds whole numbers and reals: {kinds:?}",
                f.display()
            );
            seen.entry(name.clone()).or_insert_with(BTreeMap::new).insert(column, kinds);
        }
    }
    let reals = [
        ("metrics.csv", ["nav", "price_level", "shock", "t_start", "last_price", "loan_rate"].as_slice()),
        ("trades.csv", &["time", "price"]),
        ("events.csv", &["time", "price"]),
        ("risk.csv", &["value", "family_median"]),
        ("credit_fit.csv", &["auc", "coef_tenure_days"]),
        ("replications.csv", &["sub_success", "turnover"]),
        ("comparison.csv", &["control_mean", "diff_mean"]),
        ("comparison_windows.csv", &["control_mean", "diff_mean"]),
        ("sweep.csv", &["sub_success", "turnover", "macro.loan_rate.value"]),
    ];
    for (file, columns) in reals {
        let got = seen.get(file).unwrap_or_else(|| panic!("no {file} among {:?}", seen.keys()));
        for c in columns {
            assert_eq!(got.get(*c).map(Vec::as_slice), Some([Kind::Real].as_slice()), "{file}: `{c}`");
        }
    }
    // Counts stay whole.
    for (file, c) in [("metrics.csv", "volume"), ("trades.csv", "lots"), ("sweep.csv", "seed")] {
        assert_eq!(seen[file].get(c).map(Vec::as_slice), Some([Kind::Whole].as_slice()), "{file}: `{c}`");
    }
    let _ = fs::remove_dir_all(&dir);
}
