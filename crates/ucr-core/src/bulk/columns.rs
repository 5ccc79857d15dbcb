//! CSV columns: one kind per file, dotted column names for nested members (`name.az`,
//! `location.lat`), lists joined with `|`. The same columns serve loading and export, so an
//! exported file loads back.

use super::row::{skip_bom, Row, ENTRY_MAX};
use crate::catalogue::{self, Shape};

use crate::vocab::Kind;
use serde_json::{json, Map, Value};
use std::io::BufRead;

/// Separator of list items inside one cell.
pub const LIST_SEPARATOR: char = '|';

/// Sub-members of a nested field, with whether each is a number.
pub(crate) fn members(shape: Shape) -> Option<&'static [(&'static str, Cell)]> {
    Some(match shape {
        Shape::Names | Shape::NamesList => {
            &[("az", Cell::Text), ("en", Cell::Text), ("ru", Cell::Text)]
        }
        Shape::Address => &[
            ("locality", Cell::Text),
            ("street", Cell::Text),
            ("postal_code", Cell::Text),
        ],
        Shape::Location => &[("lat", Cell::Number), ("lon", Cell::Number)],
        Shape::ExternalIds => &[
            ("wikidata", Cell::Text),
            ("unesco_whc", Cell::Integer),
            ("unesco_ich", Cell::Integer),
            ("geonames", Cell::Integer),
            ("viaf", Cell::Text),
        ],
        Shape::Contacts => &[
            ("phone", Cell::Text),
            ("email", Cell::Text),
            ("website", Cell::Text),
        ],
        Shape::Act => &[
            ("act", Cell::Text),
            ("number", Cell::Text),
            ("date", Cell::Text),
        ],
        Shape::Dating => &[
            ("from_year", Cell::Integer),
            ("to_year", Cell::Integer),
            ("label", Cell::Text),
        ],
        _ => return None,
    })
}

/// How a cell becomes JSON.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Cell {
    Text,
    Integer,
    Number,
    List,
    Json,
}

fn cell_of(shape: Shape) -> Cell {
    match shape {
        Shape::Integer(..) => Cell::Integer,
        Shape::Positive => Cell::Number,
        Shape::Words(_) | Shape::Texts => Cell::List,
        Shape::Polygon => Cell::Json,
        _ => Cell::Text,
    }
}

/// A column: its header, the field it fills and how.
#[derive(Debug, Clone)]
struct Column {
    field: String,
    member: Option<String>,
    cell: Cell,
    /// `alt_names.az`: a list of names, one language per column.
    names_list: bool,
}

/// Every column of a kind, in export order.
pub fn headers(kind: Kind) -> Vec<String> {
    let mut out = vec!["kind".to_string()];
    let mut seen = std::collections::HashSet::new();
    let fields = catalogue::fields(kind, None);
    for f in fields.iter().filter(|f| seen.insert(f.name)) {
        match members(f.shape) {
            Some(ms) => out.extend(ms.iter().map(|(m, _)| format!("{}.{m}", f.name))),
            None => out.push(f.name.to_string()),
        }
    }
    out
}

fn column(kind: Kind, header: &str) -> Option<Column> {
    if header == "kind" {
        return Some(Column {
            field: "kind".into(),
            member: None,
            cell: Cell::Text,
            names_list: false,
        });
    }
    let (field, member) = match header.split_once('.') {
        Some((f, m)) => (f, Some(m)),
        None => (header, None),
    };
    let spec = catalogue::fields(kind, None)
        .into_iter()
        .find(|f| f.name == field)?;
    match (members(spec.shape), member) {
        (Some(ms), Some(m)) => {
            let (_, cell) = ms.iter().find(|(name, _)| *name == m)?;
            Some(Column {
                field: field.into(),
                member: Some(m.into()),
                cell: *cell,
                names_list: spec.shape == Shape::NamesList,
            })
        }
        (None, None) => Some(Column {
            field: field.into(),
            member: None,
            cell: cell_of(spec.shape),
            names_list: false,
        }),
        _ => None,
    }
}

fn convert(cell: Cell, text: &str) -> Value {
    match cell {
        Cell::Text => json!(text),
        Cell::Integer => text
            .trim()
            .parse::<i64>()
            .map_or_else(|_| json!(text), |n| json!(n)),
        Cell::Number => text
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .map_or_else(|| json!(text), |n| json!(n)),
        Cell::List => Value::Array(
            text.split(LIST_SEPARATOR)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| json!(s))
                .collect(),
        ),
        Cell::Json => serde_json::from_str(text).unwrap_or_else(|_| json!(text)),
    }
}

/// Builds an entry from one CSV record.
fn entry(columns: &[Column], record: &[&str]) -> Value {
    let mut map = Map::new();
    for (col, text) in columns.iter().zip(record) {
        if text.is_empty() {
            continue;
        }
        let value = convert(col.cell, text);
        match &col.member {
            None => {
                map.insert(col.field.clone(), value);
            }
            Some(m) if col.names_list => {
                let slot = map.entry(col.field.clone()).or_insert_with(|| json!([]));
                if let Value::Array(list) = slot {
                    for (i, name) in text.split(LIST_SEPARATOR).enumerate() {
                        while list.len() <= i {
                            list.push(json!({}));
                        }
                        if !name.trim().is_empty() {
                            list[i][m.as_str()] = json!(name.trim());
                        }
                    }
                }
            }
            Some(m) => {
                let slot = map.entry(col.field.clone()).or_insert_with(|| json!({}));
                slot[m.as_str()] = value;
            }
        }
    }
    Value::Object(map)
}

/// The delimiter a header line uses: of `,` `;` and tab, the one it holds most often outside
/// quotes (`,` when it holds none). Spreadsheets in locales whose decimal mark is a comma
/// (Azerbaijani, Russian, Turkish) save CSV with `;`.
pub fn detect_delimiter(header: &[u8]) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for b in header {
        match b {
            b'\n' if !quoted => break,
            b'"' => quoted = !quoted,
            _ if !quoted => {
                if let Some(i) = super::read::DELIMITERS.iter().position(|d| d == b) {
                    counts[i] += 1;
                }
            }
            _ => {}
        }
    }
    let mut best = 0;
    for i in 1..counts.len() {
        if counts[i] > counts[best] {
            best = i;
        }
    }
    super::read::DELIMITERS[best]
}

/// Reads the entries of a CSV file of one kind (`kind`, or the file's `kind` column), its
/// columns split by `delimiter` or by the one its header line uses.
pub(super) fn csv_rows<'a, R: BufRead + 'a>(
    mut reader: R,
    kind: Option<Kind>,
    delimiter: Option<u8>,
) -> Box<dyn Iterator<Item = Row> + 'a> {
    let delimiter = match skip_bom(&mut reader).and_then(|()| reader.fill_buf()) {
        Err(e) => {
            return Box::new(std::iter::once(broken(
                1,
                format!("cannot read the file: {e}"),
            )))
        }
        Ok(start) => delimiter.unwrap_or_else(|| detect_delimiter(start)),
    };
    let cut = std::rc::Rc::new(std::cell::RefCell::new(std::collections::HashSet::new()));
    let csv = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(false)
        .delimiter(delimiter)
        .from_reader(LfOnly {
            delimiter,
            inner: reader,
            held_cr: false,
            in_quotes: false,
            after_quote: false,
            field_start: true,
            record_bytes: 0,
            line: 1,
            record_line: 1,
            cut: cut.clone(),
        });
    let mut records = csv.into_byte_records();
    let header: Vec<String> = match records.next() {
        None => {
            return Box::new(std::iter::once(broken(
                1,
                "the file is empty; expected a header row",
            )))
        }
        Some(Err(e)) => return Box::new(std::iter::once(broken(1, e.to_string()))),
        Some(Ok(h)) => match h
            .iter()
            .map(|c| std::str::from_utf8(c).map(|s| s.trim().to_string()))
            .collect()
        {
            Ok(h) => h,
            Err(_) => return Box::new(std::iter::once(broken(1, "the header is not UTF-8"))),
        },
    };
    let mut first: Option<Result<csv::ByteRecord, csv::Error>> = records.next();
    if first.is_none() {
        return Box::new(std::iter::once(broken(
            1,
            "the file has a header but no entries",
        )));
    }
    // The kind: given, or from the kind column of the first row.
    let kind_column = header.iter().position(|h| h == "kind");
    let kind = kind.or_else(|| {
        let i = kind_column?;
        let rec = first.as_ref()?.as_ref().ok()?;
        Kind::parse(std::str::from_utf8(rec.get(i)?).ok()?.trim())
    });
    let Some(kind) = kind else {
        return Box::new(std::iter::once(broken(
            1,
            "the kind of the entries is unknown: give a `kind` column with a valid kind, or --kind",
        )));
    };
    let mut columns = Vec::new();
    let mut unknown = Vec::new();
    for h in &header {
        match column(kind, h) {
            Some(c) => columns.push(c),
            None => unknown.push(h.clone()),
        }
    }
    if !unknown.is_empty() {
        return Box::new(std::iter::once(broken(
            1,
            format!(
                "unknown column(s) for a {}: {}",
                kind.as_str().replace('_', " "),
                unknown.join(", ")
            ),
        )));
    }
    let width = header.len();
    let mut done = false;
    Box::new(std::iter::from_fn(move || {
        if done {
            return None;
        }
        let next = first.take().or_else(|| records.next());
        let record = match next {
            None => {
                done = true;
                return None;
            }
            Some(Err(e)) => {
                let line = e.position().map_or(0, |p| p.line());
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    done = true;
                }
                return Some(broken(line, e.to_string()));
            }
            Some(Ok(r)) => r,
        };
        let line = record.position().map_or(0, |p| p.line());
        if cut.borrow_mut().remove(&line) {
            return Some(broken(line, format!("longer than {ENTRY_MAX} bytes")));
        }
        if record.len() != width {
            let what = if record.len() < width {
                "a missing"
            } else {
                "an extra"
            };
            return Some(broken(
                line,
                format!(
                    "{} columns, the header has {width}: {what} column",
                    record.len()
                ),
            ));
        }
        let cells: Result<Vec<&str>, _> = record.iter().map(std::str::from_utf8).collect();
        let cells = match cells {
            Ok(c) => c,
            Err(_) => return Some(broken(line, "not UTF-8")),
        };
        let mut value = entry(&columns, &cells);
        if let Some(map) = value.as_object_mut() {
            map.entry("kind").or_insert_with(|| json!(kind.as_str()));
        }
        Some(Row::entry(line, value))
    }))
}

fn broken(line: u64, message: impl Into<String>) -> Row {
    Row::broken(line, message)
}

/// The cells of an entry (flat JSON, references as registry numbers) for `headers(kind)`.
pub fn cells(kind: Kind, entry: &Value) -> Vec<String> {
    headers(kind)
        .iter()
        .map(|h| {
            let value = match h.split_once('.') {
                None => entry.get(h),
                Some((field, member)) => match entry.get(field) {
                    Some(Value::Array(list)) => {
                        let joined: Vec<String> = list
                            .iter()
                            .map(|n| {
                                n.get(member)
                                    .and_then(Value::as_str)
                                    .unwrap_or("")
                                    .to_string()
                            })
                            .collect();
                        return if joined.iter().all(String::is_empty) {
                            String::new()
                        } else {
                            joined.join("|")
                        };
                    }
                    Some(v) => v.get(member),
                    None => None,
                },
            };
            match value {
                None | Some(Value::Null) => String::new(),
                Some(Value::String(s)) => s.clone(),
                Some(Value::Array(items)) if items.iter().all(Value::is_string) => items
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join("|"),
                Some(other) => other.to_string(),
            }
        })
        .collect()
}

/// Reads CRLF line ends as LF, so that line numbers count lines the way editors do.
struct LfOnly<R> {
    /// The delimiter of columns.
    delimiter: u8,
    inner: R,
    /// A `\r` at the end of the last chunk, not yet known to precede `\n`.
    held_cr: bool,
    /// Inside a quoted field. As for the CSV reader, a quote opens one only at the start of a
    /// field; elsewhere it is an ordinary character.
    in_quotes: bool,
    /// The last byte closed a quoted field (another quote makes it an escaped quote).
    after_quote: bool,
    /// The next byte starts a field.
    field_start: bool,
    /// Bytes of the record being read; over ENTRY_MAX the file is refused, so that an
    /// unterminated quote cannot pull the rest of the file into one field in memory.
    record_bytes: usize,
    /// Line being read, and the line the current record started on.
    line: u64,
    record_line: u64,
    /// Start lines of the records cut at the limit, for the reader of records to report.
    cut: std::rc::Rc<std::cell::RefCell<std::collections::HashSet<u64>>>,
}

impl<R: BufRead> std::io::Read for LfOnly<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        // A chunk may be dropped whole (inside a cut record); 0 would read as the end.
        loop {
            let n = self.read_some(out)?;
            if n > 0 || out.is_empty() || self.inner.fill_buf()?.is_empty() && !self.held_cr {
                return Ok(n);
            }
        }
    }
}

impl<R: BufRead> LfOnly<R> {
    fn read_some(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        let buf = self.inner.fill_buf()?;
        if buf.is_empty() {
            if self.held_cr {
                self.held_cr = false;
                out[0] = b'\r';
                return Ok(1);
            }
            return Ok(0);
        }
        let mut n = 0;
        let mut used = 0;
        if self.held_cr {
            self.held_cr = false;
            if buf[0] != b'\n' {
                out[0] = b'\r';
                n = 1;
            }
        }
        while used < buf.len() && n < out.len() {
            let b = buf[used];
            used += 1;
            if b == b'\r' {
                match buf.get(used) {
                    Some(b'\n') => continue,
                    Some(_) => {}
                    None => {
                        self.held_cr = true;
                        continue;
                    }
                }
            }
            match b {
                b'"' if self.in_quotes => {
                    self.in_quotes = false;
                    self.after_quote = true;
                }
                b'"' if self.field_start || self.after_quote => {
                    self.in_quotes = true;
                    self.after_quote = false;
                }
                b'"' => {}
                b'\n' => self.line += 1,
                _ => {}
            }
            if b != b'"' {
                self.after_quote = false;
            }
            self.field_start = !self.in_quotes && (b == self.delimiter || b == b'\n');
            if b == b'\n' && !self.in_quotes {
                self.record_bytes = 0;
                self.record_line = self.line;
            } else {
                self.record_bytes += 1;
                // Past the limit only line ends and quotes pass (so line numbers and the
                // quoting stay right): the record is reported as too long, and an
                // unterminated quote cannot pull the rest of the file into memory.
                if self.record_bytes > ENTRY_MAX {
                    self.cut.borrow_mut().insert(self.record_line);
                    if b != b'\n' && b != b'"' {
                        continue;
                    }
                }
            }
            out[n] = b;
            n += 1;
        }
        self.inner.consume(used);
        Ok(n)
    }
}
