//! Reading files of entries as streams: JSON arrays, NDJSON and CSV, UTF-8 with or without a
//! byte-order mark, LF or CRLF. Each entry comes with its line number; a broken entry becomes
//! a problem on its line, and nothing is read whole into memory.

use super::columns;
use super::row::skip_bom;
pub use super::row::{Row, ENTRY_MAX};
use crate::vocab::Kind;
use serde_json::Value;
use std::io::{BufRead, BufReader, Read};

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

/// Reads the entries of one file.
pub fn rows<'a, R: Read + 'a>(
    reader: R,
    format: Format,
    kind: Option<Kind>,
) -> Box<dyn Iterator<Item = Row> + 'a> {
    let reader = BufReader::with_capacity(64 * 1024, reader);
    match format {
        Format::Ndjson => Box::new(NdjsonRows::new(reader)),
        Format::Json => Box::new(JsonRows::new(reader)),
        Format::Csv => columns::csv_rows(reader, kind),
    }
}

fn utf8_problem(line: u64, e: std::str::Utf8Error) -> Row {
    Row::broken(
        line,
        format!(
            "line {line} is not UTF-8 (invalid byte at position {})",
            e.valid_up_to() + 1
        ),
    )
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
                    format!(
                        "line {line} is longer than {ENTRY_MAX} bytes; an entry is at most 1 MiB"
                    ),
                ));
            }
            let text = match std::str::from_utf8(&bytes) {
                Ok(t) => t.trim_end_matches('\r'),
                Err(e) => return Some(utf8_problem(line, e)),
            };
            if text.trim().is_empty() {
                continue;
            }
            return Some(match serde_json::from_str::<Value>(text) {
                Ok(v) => Row { line, value: Ok(v) },
                Err(e) => Row::broken(
                    line,
                    format!("line {line} is not JSON (column {}): {e}", e.column()),
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

    fn parse(line: u64, bytes: &[u8]) -> Row {
        match std::str::from_utf8(bytes) {
            Err(e) => utf8_problem(line, e),
            Ok(text) => match serde_json::from_str::<Value>(text) {
                Ok(v) => Row { line, value: Ok(v) },
                Err(e) => Row::broken(
                    line,
                    format!(
                        "the entry starting on line {line} is not JSON (at line {}, column {}): {e}",
                        line + e.line() as u64 - 1,
                        e.column()
                    ),
                ),
            },
        }
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
                            return Ok(Some(Row::broken(
                                self.line,
                                format!(
                                    "line {}: expected a JSON array of entries (`[`)",
                                    self.line
                                ),
                            )));
                        }
                    }
                }
                JsonState::Single => {
                    let line = self.line;
                    let el = self.element()?;
                    self.skip_space()?;
                    self.state = JsonState::Done;
                    return Ok(Some(match el {
                        Ok(bytes) => match self.peek()? {
                            None => Self::parse(line, &bytes),
                            Some(_) => Row::broken(
                                self.line,
                                format!("line {}: text after the entry", self.line),
                            ),
                        },
                        Err((m, _)) => Row::broken(line, format!("line {line}: {m}")),
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
                            return Ok(Some(Row::broken(self.line, format!("line {}: the file ends before the array is closed (truncated JSON)", self.line))));
                        }
                        Some(_) => {
                            let line = self.line;
                            let el = self.element()?;
                            self.state = JsonState::After;
                            return Ok(Some(match el {
                                Ok(bytes) => Self::parse(line, &bytes),
                                Err((m, recoverable)) => {
                                    if !recoverable {
                                        self.state = JsonState::Done;
                                    }
                                    Row::broken(line, format!("line {line}: {m}"))
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
                            return Ok(Some(Row::broken(self.line, format!("line {}: the file ends before the array is closed (truncated JSON)", self.line))));
                        }
                        Some(b) => {
                            self.state = JsonState::Done;
                            return Ok(Some(Row::broken(
                                self.line,
                                format!(
                                    "line {}: expected `,` or `]` between entries, found `{}`",
                                    self.line,
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
        Ok(match self.peek()? {
            None => None,
            Some(_) => Some(Row::broken(
                self.line,
                format!("line {}: text after the closing `]`", self.line),
            )),
        })
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
