//! One entry as read from a file of any format, and what every reader shares.

use crate::problem::{Code, Problem};
use serde_json::Value;
use std::io::BufRead;

/// Largest single entry (a JSON element, an NDJSON line, a CSV record), in bytes.
pub const ENTRY_MAX: usize = 1024 * 1024;

/// One entry read from a file, or what was wrong with it.
#[derive(Debug, Clone)]
pub struct Row {
    /// 1-based line where the entry starts, or where the file could not be read further.
    pub line: u64,
    /// 1-based column (in characters) where the file could not be read further.
    pub column: Option<u64>,
    /// The file cannot be read on (it is not in its encoding): the load must write nothing.
    pub fatal: bool,
    /// The entry, or the problems that kept it from being read.
    pub value: Result<Value, Vec<Problem>>,
}

impl Row {
    /// An entry read.
    pub(crate) fn entry(line: u64, value: Value) -> Row {
        Row {
            line,
            column: None,
            fatal: false,
            value: Ok(value),
        }
    }

    /// An entry that could not be read.
    pub(crate) fn broken(line: u64, message: impl Into<String>) -> Row {
        Row {
            line,
            column: None,
            fatal: false,
            value: Err(vec![Problem::error("", Code::Format, message)]),
        }
    }

    /// An entry that could not be read, with the column where reading failed.
    pub(crate) fn broken_at(line: u64, column: u64, message: impl Into<String>) -> Row {
        Row {
            column: Some(column),
            ..Row::broken(line, message)
        }
    }
}

/// Skips a UTF-8 byte-order mark at the start.
pub(crate) fn skip_bom<R: BufRead>(reader: &mut R) -> std::io::Result<()> {
    let buf = reader.fill_buf()?;
    if buf.starts_with(&[0xEF, 0xBB, 0xBF]) {
        reader.consume(3);
    }
    Ok(())
}
