//! Reading files of entries as streams: JSON arrays, NDJSON and CSV, UTF-8 with or without a
//! byte-order mark, LF or CRLF. Each entry comes with its line number; a broken entry becomes
//! a problem on its line, and nothing is read whole into memory.

use super::columns;
pub use super::encoding::Encoding;
use super::encoding::{self, NotUtf8};
use super::row::skip_bom;
pub use super::row::{Row, ENTRY_MAX};
use crate::vocab::Kind;
use serde_json::Value;
use std::cell::RefCell;
use std::io::{BufRead, BufReader, Read};
use std::rc::Rc;

/// How files are written, beyond their format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Dialect {
    /// The delimiter of CSV columns (`,`, `;` or tab); by default the one the header line uses.
    pub delimiter: Option<u8>,
    /// The character encoding.
    pub encoding: Encoding,
}

/// The delimiters of CSV columns a header line is looked at for, in order of preference.
pub const DELIMITERS: [u8; 3] = [b',', b';', b'\t'];

/// The format of a file of entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A JSON array of entries (or one entry).
    Json,
    /// One JSON entry per line.
    Ndjson,
    /// One entry per row; dotted column names, lists with `|`.
    Csv,
}

impl Format {
    /// The format a file name implies (`.json`, `.ndjson`/`.jsonl`, `.csv`).
    pub fn from_name(name: &str) -> Option<Format> {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".ndjson") || lower.ends_with(".jsonl") {
            Some(Format::Ndjson)
        } else if lower.ends_with(".json") {
            Some(Format::Json)
        } else if lower.ends_with(".csv") {
            Some(Format::Csv)
        } else {
            None
        }
    }

    /// Parses `json`, `ndjson` or `csv`.
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "json" => Some(Format::Json),
            "ndjson" | "jsonl" => Some(Format::Ndjson),
            "csv" => Some(Format::Csv),
            _ => None,
        }
    }
}

/// Reads the entries of one file. A file that is not in its encoding ends with a row that
/// says where and is `fatal`.
pub fn rows<'a, R: Read + 'a>(
    reader: R,
    format: Format,
    kind: Option<Kind>,
    dialect: Dialect,
) -> Box<dyn Iterator<Item = Row> + 'a> {
    let failure = Rc::new(RefCell::new(None));
    let decoded = encoding::reader(reader, dialect.encoding, failure.clone());
    let reader = BufReader::with_capacity(64 * 1024, decoded);
    let rows: Box<dyn Iterator<Item = Row> + 'a> = match format {
        Format::Ndjson => Box::new(NdjsonRows::new(reader)),
        Format::Json => Box::new(JsonRows::new(reader)),
        Format::Csv => columns::csv_rows(reader, kind, dialect.delimiter),
    };
    let mut done = false;
    let mut rows = rows;
    Box::new(std::iter::from_fn(move || {
        if done {
            return None;
        }
        let row = rows.next();
        // The row read when the bytes stopped being UTF-8 is replaced by the reason.
        let failed: Option<NotUtf8> = failure.borrow_mut().take();
        match failed {
            Some(f) => {
                done = true;
                Some(Row {
                    fatal: true,
                    ..Row::broken_at(f.line, f.column, f.message())
                })
            }
            None => row,
        }
    }))
}

/// The problem of a text that is not UTF-8 (read in pieces that are each checked), at the
/// column of its first bad byte.
fn utf8_problem(line: u64, text: &[u8], e: std::str::Utf8Error) -> Row {
    let column = String::from_utf8_lossy(&text[..e.valid_up_to()])
        .chars()
        .count() as u64
        + 1;
    Row::broken_at(line, column, "not UTF-8")
}

/// A serde_json message without the position it appends (the row gives it).
fn json_message(e: &serde_json::Error) -> String {
    let m = e.to_string();
    match m.rfind(" at line ") {
        Some(i) => m[..i].to_string(),
        None => m,
    }
}

struct NdjsonRows<R> {
    reader: R,
    line: u64,
    started: bool,
    done: bool,
    /// Whether any entry (good or bad) was seen.
    any: bool,
}

impl<R: BufRead> NdjsonRows<R> {
    fn new(reader: R) -> Self {
        NdjsonRows {
            reader,
            line: 0,
            started: false,
            done: false,
            any: false,
        }
    }

    /// Reads one line of at most ENTRY_MAX bytes; a longer one is consumed and reported.
    fn next_line(&mut self) -> std::io::Result<Option<(Vec<u8>, bool)>> {
        let mut out = Vec::new();
        let mut too_long = false;
        let mut any = false;
        loop {
            let buf = self.reader.fill_buf()?;
            if buf.is_empty() {
                return Ok(any.then_some((out, too_long)));
            }
            any = true;
            let (chunk, found) = match buf.iter().position(|b| *b == b'\n') {
                Some(i) => (&buf[..i], Some(i)),
                None => (buf, None),
            };
            if out.len() + chunk.len() > ENTRY_MAX {
                too_long = true;
            } else {
                out.extend_from_slice(chunk);
            }
            let used = found.map_or(buf.len(), |i| i + 1);
            self.reader.consume(used);
            if found.is_some() {
                return Ok(Some((out, too_long)));
            }
        }
    }
}

impl<R: BufRead> Iterator for NdjsonRows<R> {
    type Item = Row;

    fn next(&mut self) -> Option<Row> {
        if !self.started {
            self.started = true;
            if let Err(e) = skip_bom(&mut self.reader) {
                self.done = true;
                return Some(Row::broken(1, format!("cannot read the file: {e}")));
            }
        }
        while !self.done {
            let (bytes, too_long) = match self.next_line() {
                Ok(Some(l)) => l,
                Ok(None) => {
                    self.done = true;
                    if !self.any {
                        return Some(Row::broken(
                            1,
                            "the file is empty; expected one entry per line",
                        ));
                    }
                    return None;
                }
                Err(e) => {
                    self.done = true;
                    return Some(Row::broken(
                        self.line + 1,
                        format!("cannot read the file: {e}"),
                    ));
                }
            };
            self.line += 1;
            let line = self.line;
            if !bytes.iter().all(u8::is_ascii_whitespace) {
                self.any = true;
            }
            if too_long {
                return Some(Row::broken(
                    line,
                    format!("longer than {ENTRY_MAX} bytes; an entry is at most 1 MiB"),
                ));
            }
            let text = match std::str::from_utf8(&bytes) {
                Ok(t) => t.trim_end_matches('\r'),
                Err(e) => return Some(utf8_problem(line, &bytes, e)),
            };
            if text.trim().is_empty() {
                continue;
            }
            return Some(match serde_json::from_str::<Value>(text) {
                Ok(v) => Row::entry(line, v),
                Err(e) => Row::broken_at(
                    line,
                    e.column() as u64,
                    format!("not JSON: {}", json_message(&e)),
                ),
            });
        }
        None
    }
}

/// Splits a top-level JSON array into its elements without parsing the whole file, tracking
/// the line each element starts on.
struct JsonRows<R> {
    reader: R,
    line: u64,
    /// Characters of the current line read so far.
    column: u64,
    state: JsonState,
}

#[derive(PartialEq)]
enum JsonState {
    Start,
    /// Inside the array, before an element or `]`.
    Before,
    /// After an element, before `,` or `]`.
    After,
    /// The whole file is one object.
    Single,
    Done,
}

impl<R: BufRead> JsonRows<R> {
    fn new(reader: R) -> Self {
        JsonRows {
            reader,
            line: 1,
            column: 0,
            state: JsonState::Start,
        }
    }

    fn peek(&mut self) -> std::io::Result<Option<u8>> {
        Ok(self.reader.fill_buf()?.first().copied())
    }

    fn bump(&mut self) -> std::io::Result<Option<u8>> {
        let b = self.peek()?;
        if let Some(b) = b {
            self.reader.consume(1);
            if b == b'\n' {
                self.line += 1;
                self.column = 0;
            } else if b & 0xC0 != 0x80 {
                self.column += 1;
            }
        }
        Ok(b)
    }

    fn skip_space(&mut self) -> std::io::Result<()> {
        while let Some(b) = self.peek()? {
            if !matches!(b, b' ' | b'\t' | b'\r' | b'\n') {
                break;
            }
            self.bump()?;
        }
        Ok(())
    }

    /// Reads one JSON value's bytes (object, array, string or scalar).
    fn element(&mut self) -> std::io::Result<Result<Vec<u8>, (String, bool)>> {
        let mut out = Vec::new();
        let mut depth = 0usize;
        let mut in_string = false;
        let mut escaped = false;
        let mut too_long = false;
        loop {
            let Some(b) = self.peek()? else {
                return Ok(Err((
                    "the file ends in the middle of an entry (truncated JSON)".into(),
                    false,
                )));
            };
            if !in_string && depth == 0 && matches!(b, b',' | b']') && !out.is_empty() {
                break;
            }
            if !in_string
                && depth == 0
                && matches!(b, b' ' | b'\t' | b'\r' | b'\n')
                && !out.is_empty()
            {
                break;
            }
            self.bump()?;
            if out.len() < ENTRY_MAX {
                out.push(b);
            } else {
                too_long = true;
            }
            if in_string {
                if escaped {
                    escaped = false;
                } else if b == b'\\' {
                    escaped = true;
                } else if b == b'"' {
                    in_string = false;
                    if depth == 0 {
                        break;
                    }
                }
                continue;
            }
            match b {
                b'"' => in_string = true,
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
        }
        if too_long {
            // The entry was read to its end: the ones after it can still be read.
            return Ok(Err((
                format!("the entry is larger than {ENTRY_MAX} bytes"),
                true,
            )));
        }
        Ok(Ok(out))
    }

    /// Parses an element that starts at `line` and `column` (its first character).
    fn parse(line: u64, column: u64, bytes: &[u8]) -> Row {
        match std::str::from_utf8(bytes) {
            Err(e) => utf8_problem(line, bytes, e),
            Ok(text) => match serde_json::from_str::<Value>(text) {
                Ok(v) => Row::entry(line, v),
                Err(e) => {
                    let at_line = line + (e.line() as u64).max(1) - 1;
                    let at_column = if e.line() <= 1 {
                        column + (e.column() as u64).max(1) - 1
                    } else {
                        e.column() as u64
                    };
                    Row::broken_at(
                        at_line,
                        at_column,
                        format!("not JSON: {}", json_message(&e)),
                    )
                }
            },
        }
    }

    /// A problem at the current position.
    fn here(&self, message: impl Into<String>) -> Row {
        Row::broken_at(self.line, self.column + 1, message)
    }

    fn step(&mut self) -> std::io::Result<Option<Row>> {
        loop {
            match self.state {
                JsonState::Done => return Ok(None),
                JsonState::Start => {
                    skip_bom(&mut self.reader)?;
                    self.skip_space()?;
                    match self.peek()? {
                        Some(b'[') => {
                            self.bump()?;
                            self.state = JsonState::Before;
                        }
                        Some(b'{') => self.state = JsonState::Single,
                        None => {
                            self.state = JsonState::Done;
                            return Ok(Some(Row::broken(
                                1,
                                "the file is empty; expected a JSON array of entries",
                            )));
                        }
                        Some(_) => {
                            self.state = JsonState::Done;
                            return Ok(Some(self.here("expected a JSON array of entries (`[`)")));
                        }
                    }
                }
                JsonState::Single => {
                    let (line, column) = (self.line, self.column + 1);
                    let el = self.element()?;
                    self.skip_space()?;
                    self.state = JsonState::Done;
                    return Ok(Some(match el {
                        Ok(bytes) => match self.peek()? {
                            None => Self::parse(line, column, &bytes),
                            Some(_) => self.here("text after the entry"),
                        },
                        Err((m, _)) => Row::broken_at(line, column, m),
                    }));
                }
                JsonState::Before => {
                    self.skip_space()?;
                    match self.peek()? {
                        Some(b']') => {
                            self.bump()?;
                            self.state = JsonState::Done;
                            return self.trailing();
                        }
                        None => {
                            self.state = JsonState::Done;
                            return Ok(Some(self.here(
                                "the file ends before the array is closed (truncated JSON)",
                            )));
                        }
                        Some(_) => {
                            let (line, column) = (self.line, self.column + 1);
                            let el = self.element()?;
                            self.state = JsonState::After;
                            return Ok(Some(match el {
                                Ok(bytes) => Self::parse(line, column, &bytes),
                                Err((m, recoverable)) => {
                                    if !recoverable {
                                        self.state = JsonState::Done;
                                    }
                                    Row::broken_at(line, column, m)
                                }
                            }));
                        }
                    }
                }
                JsonState::After => {
                    self.skip_space()?;
                    match self.bump()? {
                        Some(b',') => self.state = JsonState::Before,
                        Some(b']') => {
                            self.state = JsonState::Done;
                            return self.trailing();
                        }
                        None => {
                            self.state = JsonState::Done;
                            return Ok(Some(self.here(
                                "the file ends before the array is closed (truncated JSON)",
                            )));
                        }
                        Some(b) => {
                            self.state = JsonState::Done;
                            // The byte was read: its column is the current one.
                            return Ok(Some(Row::broken_at(
                                self.line,
                                self.column,
                                format!(
                                    "expected `,` or `]` between entries, found `{}`",
                                    char::from(b).escape_default()
                                ),
                            )));
                        }
                    }
                }
            }
        }
    }

    fn trailing(&mut self) -> std::io::Result<Option<Row>> {
        self.skip_space()?;
        Ok(self
            .peek()?
            .map(|_| self.here("text after the closing `]`")))
    }
}

impl<R: BufRead> Iterator for JsonRows<R> {
    type Item = Row;

    fn next(&mut self) -> Option<Row> {
        match self.step() {
            Ok(r) => r,
            Err(e) => {
                self.state = JsonState::Done;
                Some(Row::broken(self.line, format!("cannot read the file: {e}")))
            }
        }
    }
}
