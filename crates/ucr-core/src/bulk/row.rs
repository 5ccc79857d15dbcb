//! One entry as read from a file of any format, and what every reader shares.

use crate::problem::{Code, Problem};
use serde_json::Value;
use std::io::BufRead;

/// Largest single entry (a JSON element, an NDJSON line, a CSV record), in bytes.
pub const ENTRY_MAX: usize = 1024 * 1024;

/// One entry read from a file, or what was wrong with it.
#[derive(Debug, Clone)]
pub struct Row {
    /// 1-based line where the entry starts.
    pub line: u64,
    /// The entry, or the problems that kept it from being read.
    pub value: Result<Value, Vec<Problem>>,
}

impl Row {
    pub(crate) fn broken(line: u64, message: impl Into<String>) -> Row {
        Row {
            line,
            value: Err(vec![Problem::error("", Code::Format, message)]),
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
