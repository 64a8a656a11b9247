//! tplus's CSV outputs as Arrow record batches: each file's bytes (the very
//! bytes `tplus run` writes) parsed column by column into the Arrow type
//! this module declares for that column. One parser for every file, so an
//! in-memory table holds exactly what its file holds; a column without a
//! declared type is a build-time gap that `every_column_has_a_type` finds.
//!
//! Types: times as int64 nanoseconds since 00:00 of the start date (the
//! files print exact decimal seconds, so nothing is rounded), dates as
//! date32, counts and identifiers as int64, seeds as uint64, prices, cash
//! and statistics as float64, names and words as utf8, flags as bool. An
//! empty cell is a null.

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::builder::{BooleanBuilder, Date32Builder, Float64Builder, Int64Builder, StringBuilder, UInt64Builder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use tplus::columns::{self, Column};

/// The Arrow type of a column, and how its cells are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// utf8.
    Text,
    /// int64.
    Int,
    /// uint64 (seeds).
    UInt,
    /// float64.
    Float,
    /// bool: `true`/`false` or `1`/`0`.
    Bool,
    /// int64 nanoseconds from the file's exact decimal seconds.
    TimeNs,
    /// date32 from `YYYY-MM-DD`.
    Date,
}

impl Kind {
    fn data_type(self) -> DataType {
        match self {
            Kind::Text => DataType::Utf8,
            Kind::Int | Kind::TimeNs => DataType::Int64,
            Kind::UInt => DataType::UInt64,
            Kind::Float => DataType::Float64,
            Kind::Bool => DataType::Boolean,
            Kind::Date => DataType::Date32,
        }
    }
}

/// The output files that are tables, by name (the test checks each).
#[cfg(test)]
pub const TABLE_FILES: &[&str] = &["metrics.csv", "trades.csv", "events.csv", "risk.csv", "credit_fit.csv"];

/// The declared columns of file `name` (None for a file that is not a table).
pub fn file_columns(name: &str) -> Option<&'static [Column]> {
    Some(match name {
        "metrics.csv" => columns::metrics::COLUMNS,
        "trades.csv" => columns::trades::COLUMNS,
        "events.csv" => columns::events::COLUMNS,
        "risk.csv" => columns::risk::COLUMNS,
        "credit_fit.csv" => columns::credit_fit::COLUMNS,
        _ => return None,
    })
}

/// The type of column `column` of file `file`; None when undeclared.
pub fn kind_of(file: &str, column: &str) -> Option<Kind> {
    use Kind::*;
    Some(match (file, column) {
        (_, "time" | "t_start" | "t_end") => TimeNs,
        (_, "date") => Date,
        (
            _,
            "product" | "aggressor" | "op" | "side" | "kind" | "reason" | "family" | "planted" | "measure" | "status",
        ) => Text,
        ("events.csv", "aon") => Bool,
        ("metrics.csv", c) => match c {
            "window" | "day" | "buy_closed" | "buy_filled" | "sell_closed" | "sell_filled" | "volume" | "trades"
            | "buy_lots" | "buy_lots_filled" | "sell_lots" | "sell_lots_filled" | "rejected" | "redeemed_failed"
            | "buy_orders" | "sell_orders" | "net_buyers" | "net_sellers" | "buy_rejected" | "sell_rejected" => Int,
            _ if columns::has(columns::metrics::COLUMNS, c) => Float,
            _ => return None,
        },
        ("trades.csv", "price") | ("events.csv", "price") => Float,
        ("trades.csv", "lots" | "buyer" | "seller" | "buy_order" | "sell_order") => Int,
        ("events.csv", "order" | "agent" | "lots") => Int,
        ("risk.csv", "customer" | "group") => Int,
        ("risk.csv", "value" | "family_median" | "family_scale" | "scale" | "robust_z") => Float,
        ("credit_fit.csv", "day" | "model" | "sample_day" | "rows" | "bads") => Int,
        ("credit_fit.csv", c) if columns::has(columns::credit_fit::COLUMNS, c) => Float,
        ("sweep.csv", c) => sweep_kind(c)?,
        _ => return None,
    })
}

/// The type of a fixed column of `sweep.csv` (not a parameter's).
pub fn sweep_kind(column: &str) -> Option<Kind> {
    use Kind::*;
    Some(match column {
        "point" | "replication" => Int,
        "seed" => UInt,
        "status" | "error" | "digest" => Text,
        "wall_seconds" => Float,
        "cash_conserved" => Bool,
        "sub_closed"
        | "sub_filled"
        | "sale_closed"
        | "sale_filled"
        | "orders"
        | "rejected"
        | "trades"
        | "volume"
        | "redeemed_failed_lots" => Int,
        c if columns::has(columns::sweep_results::COLUMNS, c) => Float,
        _ => return None,
    })
}

/// Why a file's text could not be read as its table.
#[derive(Debug)]
pub struct TableError(pub String);

impl std::fmt::Display for TableError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Splits one line into its cells; a line with no quote (every line of the
/// run files) is split on commas directly.
fn cells(line: &str) -> Vec<std::borrow::Cow<'_, str>> {
    if line.contains('"') {
        tplus::batch::csv::split(line).into_iter().map(std::borrow::Cow::Owned).collect()
    } else {
        line.split(',').map(std::borrow::Cow::Borrowed).collect()
    }
}

/// Nanoseconds from exact decimal seconds (`-12.000000001`, `3600`).
fn nanos(cell: &str) -> Option<i64> {
    let (neg, body) = match cell.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, cell),
    };
    let (whole, frac) = body.split_once('.').unwrap_or((body, ""));
    if whole.is_empty() || frac.len() > 9 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let frac_ns: i64 = if frac.is_empty() { 0 } else { format!("{frac:0<9}").parse().ok()? };
    let v = whole.checked_mul(1_000_000_000)?.checked_add(frac_ns)?;
    Some(if neg { -v } else { v })
}

/// Days since 1970-01-01 of `YYYY-MM-DD`.
fn date32(cell: &str) -> Option<i32> {
    let date = tplus::scenario::Date::parse(cell)?;
    i32::try_from(date.days_since_epoch()).ok()
}

enum Builder {
    Text(StringBuilder),
    Int(Int64Builder),
    UInt(UInt64Builder),
    Float(Float64Builder),
    Bool(BooleanBuilder),
    Date(Date32Builder),
}

impl Builder {
    fn new(kind: Kind, rows: usize) -> Builder {
        match kind {
            Kind::Text => Builder::Text(StringBuilder::with_capacity(rows, rows * 8)),
            Kind::Int | Kind::TimeNs => Builder::Int(Int64Builder::with_capacity(rows)),
            Kind::UInt => Builder::UInt(UInt64Builder::with_capacity(rows)),
            Kind::Float => Builder::Float(Float64Builder::with_capacity(rows)),
            Kind::Bool => Builder::Bool(BooleanBuilder::with_capacity(rows)),
            Kind::Date => Builder::Date(Date32Builder::with_capacity(rows)),
        }
    }

    /// Appends one cell; None when it is not a value of the kind.
    fn push(&mut self, kind: Kind, cell: &str) -> Option<()> {
        if cell.is_empty() {
            match self {
                Builder::Text(b) => b.append_null(),
                Builder::Int(b) => b.append_null(),
                Builder::UInt(b) => b.append_null(),
                Builder::Float(b) => b.append_null(),
                Builder::Bool(b) => b.append_null(),
                Builder::Date(b) => b.append_null(),
            }
            return Some(());
        }
        match self {
            Builder::Text(b) => b.append_value(cell),
            Builder::Int(b) if kind == Kind::TimeNs => b.append_value(nanos(cell)?),
            Builder::Int(b) => b.append_value(cell.parse().ok()?),
            Builder::UInt(b) => b.append_value(cell.parse().ok()?),
            Builder::Float(b) => b.append_value(cell.parse().ok()?),
            Builder::Bool(b) => b.append_value(match cell {
                "true" | "1" => true,
                "false" | "0" => false,
                _ => return None,
            }),
            Builder::Date(b) => b.append_value(date32(cell)?),
        }
        Some(())
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            Builder::Text(b) => Arc::new(b.finish()),
            Builder::Int(b) => Arc::new(b.finish()),
            Builder::UInt(b) => Arc::new(b.finish()),
            Builder::Float(b) => Arc::new(b.finish()),
            Builder::Bool(b) => Arc::new(b.finish()),
            Builder::Date(b) => Arc::new(b.finish()),
        }
    }
}

/// A column of a table to build: its name, kind and one-line meaning.
pub struct ColumnSpec {
    /// The header name.
    pub name: String,
    /// Its Arrow type.
    pub kind: Kind,
    /// What it holds, kept as the field's `description` metadata.
    pub meaning: String,
}

/// The columns of run file `file`, typed.
pub fn run_file_specs(file: &str) -> Result<Vec<ColumnSpec>, TableError> {
    let cols = file_columns(file).ok_or_else(|| TableError(format!("{file} is not a table")))?;
    cols.iter()
        .map(|c| {
            let kind = kind_of(file, c.name)
                .ok_or_else(|| TableError(format!("column {} of {file} has no declared type", c.name)))?;
            Ok(ColumnSpec { name: c.name.to_string(), kind, meaning: c.meaning.to_string() })
        })
        .collect()
}

/// Parses CSV text (header line first) whose header is `specs`' names, in
/// order, into one record batch; `file` names it in messages and in the
/// schema's metadata.
pub fn parse(file: &str, text: &str, specs: &[ColumnSpec]) -> Result<RecordBatch, TableError> {
    let mut lines = text.lines();
    let header = lines.next().unwrap_or_default();
    let names: Vec<&str> = specs.iter().map(|s| s.name.as_str()).collect();
    let found: Vec<String> = cells(header).into_iter().map(|c| c.into_owned()).collect();
    if found != names {
        return Err(TableError(format!("{file}: its header is not the declared columns")));
    }
    let rows = text.bytes().filter(|&b| b == b'\n').count();
    let mut builders: Vec<Builder> = specs.iter().map(|s| Builder::new(s.kind, rows)).collect();
    for (i, line) in lines.enumerate() {
        let row = cells(line);
        if row.len() != specs.len() {
            return Err(TableError(format!("{file}: line {} has {} cells, not {}", i + 2, row.len(), specs.len())));
        }
        for ((b, spec), cell) in builders.iter_mut().zip(specs).zip(&row) {
            b.push(spec.kind, cell).ok_or_else(|| {
                TableError(format!(
                    "{file}: line {}: `{cell}` is not a value of column {} ({:?})",
                    i + 2,
                    spec.name,
                    spec.kind
                ))
            })?;
        }
    }
    let fields: Vec<Field> = specs
        .iter()
        .map(|s| {
            let mut meta = HashMap::from([("description".to_string(), s.meaning.clone())]);
            if s.kind == Kind::TimeNs {
                meta.insert("unit".into(), "ns since 00:00 of the start date".into());
                // The CSV's meaning counts seconds (its text, `34200.000000001`);
                // the column holds the same instant in integer nanoseconds.
                meta.insert("description".into(), time_ns_meaning(&s.meaning));
            }
            Field::new(&s.name, s.kind.data_type(), true).with_metadata(meta)
        })
        .collect();
    let schema = Schema::new(fields).with_metadata(HashMap::from([("tplus.file".to_string(), file.to_string())]));
    let arrays: Vec<ArrayRef> = builders.iter_mut().map(Builder::finish).collect();
    RecordBatch::try_new(Arc::new(schema), arrays).map_err(|e| TableError(format!("{file}: {e}")))
}

/// A time column's CSV meaning (in seconds) as its Arrow column's, which
/// holds integer nanoseconds.
fn time_ns_meaning(csv: &str) -> String {
    match csv.find("seconds since") {
        Some(at) => format!("{}nanoseconds since{}", &csv[..at], &csv[at + "seconds since".len()..]),
        None => format!("{csv} (in nanoseconds)"),
    }
}

/// The first bytes of a table's [`to_bytes`] form, with its version.
const MAGIC: &[u8] = b"tplus.Table/1\n";

/// The Arrow types the tables use, by their code in [`to_bytes`].
const TYPES: [DataType; 6] =
    [DataType::Utf8, DataType::Int64, DataType::UInt64, DataType::Float64, DataType::Boolean, DataType::Date32];

/// A table as bytes, for pickling (`Table.__reduce__`): its schema (names,
/// types, every field's and the table's metadata), then each column's
/// validity and values. [`from_bytes`] reads it back to an equal batch.
/// Its own small form rather than Arrow IPC: the `arrow-ipc` crate brings
/// arrow-select and flatbuffers, minutes of build on two cores for six
/// plain column types.
pub fn to_bytes(batch: &RecordBatch) -> Result<Vec<u8>, TableError> {
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Date32Type, Float64Type, Int64Type, UInt64Type};
    use arrow_array::{Array, ArrowPrimitiveType};

    fn put_len(out: &mut Vec<u8>, n: usize) {
        out.extend_from_slice(&(n as u64).to_le_bytes());
    }
    fn put_str(out: &mut Vec<u8>, s: &str) {
        put_len(out, s.len());
        out.extend_from_slice(s.as_bytes());
    }
    fn put_meta(out: &mut Vec<u8>, meta: &HashMap<String, String>) {
        let mut pairs: Vec<_> = meta.iter().collect();
        pairs.sort();
        put_len(out, pairs.len());
        for (k, v) in pairs {
            put_str(out, k);
            put_str(out, v);
        }
    }
    /// One bit per row, the first row in the lowest bit of the first byte.
    fn put_bits(out: &mut Vec<u8>, rows: usize, bit: impl Fn(usize) -> bool) {
        let mut bytes = vec![0u8; rows.div_ceil(8)];
        for r in (0..rows).filter(|&r| bit(r)) {
            bytes[r / 8] |= 1 << (r % 8);
        }
        out.extend_from_slice(&bytes);
    }
    fn put_values<T: ArrowPrimitiveType>(out: &mut Vec<u8>, a: &dyn Array, le: impl Fn(T::Native) -> [u8; 8]) {
        for &v in a.as_primitive::<T>().values().iter() {
            out.extend_from_slice(&le(v));
        }
    }

    let rows = batch.num_rows();
    let schema = batch.schema();
    let mut out = MAGIC.to_vec();
    put_meta(&mut out, schema.metadata());
    put_len(&mut out, rows);
    put_len(&mut out, batch.num_columns());
    for (field, array) in schema.fields().iter().zip(batch.columns()) {
        let code = TYPES.iter().position(|t| t == field.data_type()).ok_or_else(|| {
            TableError(format!("column {}: type {} is not a table's", field.name(), field.data_type()))
        })?;
        put_str(&mut out, field.name());
        out.push(code as u8);
        out.push(u8::from(field.is_nullable()));
        put_meta(&mut out, field.metadata());
        put_bits(&mut out, rows, |r| array.is_valid(r));
        match &TYPES[code] {
            DataType::Utf8 => {
                let a = array.as_string::<i32>();
                for r in 0..rows {
                    put_str(&mut out, if a.is_valid(r) { a.value(r) } else { "" });
                }
            }
            DataType::Int64 => put_values::<Int64Type>(&mut out, array, i64::to_le_bytes),
            DataType::UInt64 => put_values::<UInt64Type>(&mut out, array, u64::to_le_bytes),
            DataType::Float64 => put_values::<Float64Type>(&mut out, array, f64::to_le_bytes),
            DataType::Date32 => put_values::<Date32Type>(&mut out, array, |d| i64::from(d).to_le_bytes()),
            _ => {
                let a = array.as_boolean();
                put_bits(&mut out, rows, |r| a.value(r));
            }
        }
    }
    Ok(out)
}

/// Reads bytes off the front of a slice, each read checked against its end.
struct Cursor<'a>(&'a [u8]);

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], TableError> {
        if n > self.0.len() {
            return Err(TableError("a pickled table ends early".into()));
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn u8(&mut self) -> Result<u8, TableError> {
        Ok(self.take(1)?[0])
    }

    fn word(&mut self) -> Result<[u8; 8], TableError> {
        Ok(self.take(8)?.try_into().unwrap_or_default())
    }

    fn len(&mut self) -> Result<usize, TableError> {
        usize::try_from(u64::from_le_bytes(self.word()?))
            .map_err(|_| TableError("a pickled table's length does not fit this machine".into()))
    }

    fn str(&mut self) -> Result<&'a str, TableError> {
        let n = self.len()?;
        std::str::from_utf8(self.take(n)?).map_err(|e| TableError(format!("a pickled table's text: {e}")))
    }

    fn meta(&mut self) -> Result<HashMap<String, String>, TableError> {
        (0..self.len()?).map(|_| Ok((self.str()?.to_string(), self.str()?.to_string()))).collect()
    }

    fn bits(&mut self, rows: usize) -> Result<impl Fn(usize) -> bool + 'a, TableError> {
        let bytes = self.take(rows.div_ceil(8))?;
        Ok(move |r: usize| bytes[r / 8] & (1 << (r % 8)) != 0)
    }
}

/// The batch [`to_bytes`] wrote.
pub fn from_bytes(bytes: &[u8]) -> Result<RecordBatch, TableError> {
    let mut c = Cursor(bytes);
    if c.take(MAGIC.len()).ok() != Some(MAGIC) {
        return Err(TableError("not a pickled tplus.Table (or one of another version)".into()));
    }
    let table_meta = c.meta()?;
    let rows = c.len()?;
    let columns = c.len()?;
    let (mut fields, mut arrays) = (Vec::new(), Vec::<ArrayRef>::new());
    for _ in 0..columns {
        let name = c.str()?.to_string();
        let code = usize::from(c.u8()?);
        let data_type =
            TYPES.get(code).ok_or_else(|| TableError(format!("column {name}: unknown type code {code}")))?.clone();
        let nullable = c.u8()? != 0;
        let meta = c.meta()?;
        let valid = c.bits(rows)?;
        // Each cell's value: `None` for a null, after its bytes are read.
        macro_rules! fixed {
            ($builder:ty, $from:expr) => {{
                let mut b = <$builder>::with_capacity(rows);
                for r in 0..rows {
                    let v = $from(c.word()?);
                    if valid(r) { b.append_value(v) } else { b.append_null() }
                }
                Arc::new(b.finish()) as ArrayRef
            }};
        }
        let array = match data_type {
            DataType::Utf8 => {
                let mut b = StringBuilder::with_capacity(rows, 0);
                for r in 0..rows {
                    let v = c.str()?;
                    if valid(r) { b.append_value(v) } else { b.append_null() }
                }
                Arc::new(b.finish()) as ArrayRef
            }
            DataType::Int64 => fixed!(Int64Builder, i64::from_le_bytes),
            DataType::UInt64 => fixed!(UInt64Builder, u64::from_le_bytes),
            DataType::Float64 => fixed!(Float64Builder, f64::from_le_bytes),
            DataType::Date32 => fixed!(Date32Builder, |w| i64::from_le_bytes(w) as i32),
            _ => {
                let value = c.bits(rows)?;
                let mut b = BooleanBuilder::with_capacity(rows);
                for r in 0..rows {
                    if valid(r) { b.append_value(value(r)) } else { b.append_null() }
                }
                Arc::new(b.finish()) as ArrayRef
            }
        };
        fields.push(Field::new(name, data_type, nullable).with_metadata(meta));
        arrays.push(array);
    }
    if !c.0.is_empty() {
        return Err(TableError("a pickled table has bytes after its last column".into()));
    }
    let schema = Schema::new(fields).with_metadata(table_meta);
    RecordBatch::try_new(Arc::new(schema), arrays).map_err(|e| TableError(format!("a pickled table: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::Array;

    /// A column added to a file's schema without a type here is found by
    /// this test, not by a user whose table fails to build.
    #[test]
    fn every_column_has_a_type() {
        for file in TABLE_FILES {
            run_file_specs(file).unwrap();
        }
        for c in columns::sweep::KEY.iter().chain(columns::sweep::STATUS).chain(columns::sweep_results::COLUMNS) {
            assert!(sweep_kind(c.name).is_some(), "{}", c.name);
        }
        for c in columns::sweep::DIGEST.iter().chain(columns::sweep::WALL) {
            assert!(sweep_kind(c.name).is_some(), "{}", c.name);
        }
    }

    /// Every type, nulls and metadata come back from the pickled form;
    /// cut or altered bytes are an error, not a panic.
    #[test]
    fn tables_read_back_from_their_bytes() {
        let spec = |name: &str, kind| ColumnSpec { name: name.into(), kind, meaning: format!("the {name}") };
        let specs = [
            spec("word", Kind::Text),
            spec("n", Kind::Int),
            spec("seed", Kind::UInt),
            spec("x", Kind::Float),
            spec("flag", Kind::Bool),
            spec("time", Kind::TimeNs),
            spec("date", Kind::Date),
        ];
        let text = "word,n,seed,x,flag,time,date\n\
                    \"a, b\",-3,18446744073709551615,0.1,true,34200.000000001,2026-01-05\n\
                    ,,,,,,\n\
                    é,7,0,-1e300,false,-1.5,1969-12-31\n";
        let batch = parse("demo.csv", text, &specs).unwrap();
        assert_eq!(batch.column(0).null_count(), 1);
        let bytes = to_bytes(&batch).unwrap();
        let back = from_bytes(&bytes).unwrap();
        assert_eq!(back, batch);
        assert_eq!(back.schema(), batch.schema());
        let empty = parse("demo.csv", "word,n,seed,x,flag,time,date\n", &specs).unwrap();
        assert_eq!(from_bytes(&to_bytes(&empty).unwrap()).unwrap(), empty);
        for cut in [0, 5, MAGIC.len() + 3, bytes.len() / 2, bytes.len() - 1] {
            assert!(from_bytes(&bytes[..cut]).is_err(), "{cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(from_bytes(&longer).is_err());
        let mut wrong_type = bytes;
        let at = MAGIC.len() + wrong_type[MAGIC.len()..].windows(4).position(|w| w == b"word").unwrap() + 4;
        wrong_type[at] = 9;
        assert!(from_bytes(&wrong_type).is_err());
    }

    #[test]
    fn times_are_exact_nanoseconds() {
        assert_eq!(nanos("34200"), Some(34_200_000_000_000));
        assert_eq!(nanos("34200.000000001"), Some(34_200_000_000_001));
        assert_eq!(nanos("0.5"), Some(500_000_000));
        assert_eq!(nanos("-1.25"), Some(-1_250_000_000));
        for bad in ["", ".5", "1.0000000001", "1.x", "x"] {
            assert_eq!(nanos(bad), None, "{bad}");
        }
        assert_eq!(date32("1970-01-02"), Some(1));
        assert_eq!(date32("2026-02-30"), None);
    }
}
