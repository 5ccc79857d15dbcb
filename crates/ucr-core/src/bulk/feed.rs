//! The reading side of a load: a thread that reads every source, parses its rows and (in
//! create mode) checks them by the rules that need no database, handing them to the writer in
//! bounded batches.

use super::*;

#[derive(Clone)]
pub(super) struct Pending {
    pub(super) file: String,
    pub(super) line: u64,
    pub(super) value: Value,
    /// The rules that need no database, already applied to `value` (create mode).
    pub(super) checked: Option<Checked>,
}

/// What the reading thread hands the writing one: rows in file order. (Nearly every row is an
/// entry: boxing it would only add an allocation per row.)
#[allow(clippy::large_enum_variant)]
pub(super) enum Parsed {
    /// A row that could not be read as an entry.
    Broken {
        file: String,
        line: u64,
        column: Option<u64>,
        problems: Vec<Problem>,
        /// The file could not be read on (not in its encoding): nothing of the load may be
        /// written.
        fatal: bool,
    },
    Entry(Pending),
}

/// Rows the reading thread sends at a time, and how many it has read.
pub(super) struct Batch {
    pub(super) rows: Vec<Parsed>,
    pub(super) read: u64,
    /// The files are read to their end: without this batch the load is not complete.
    pub(super) last: bool,
}

/// Why a load whose reading thread ended early is refused.
pub(super) const CUT_SHORT: &str = "reading the files stopped before their end";

/// Batches read ahead of the writer: memory stays bounded while both threads work.
pub(super) const BATCHES_AHEAD: usize = 4;

/// Reads every source, parses its rows and (in create mode) checks them against the rules
/// that need no database, while the other thread writes what was read before.
pub(super) fn read_sources(
    sources: Vec<Source<'_>>,
    options: &Options,
    to_writer: std::sync::mpsc::SyncSender<Batch>,
    trash: std::sync::mpsc::Receiver<Trash>,
    bytes: &AtomicU64,
) {
    let mut read = 0u64;
    let mut rows = Vec::with_capacity(batch::CHUNK);
    for source in sources {
        let counted = Counted {
            inner: source.reader,
            bytes,
        };
        let all = read::rows(counted, source.format, options.kind, options.dialect);
        for Row {
            line,
            column,
            fatal,
            value,
        } in all
        {
            read += 1;
            rows.push(match value {
                Err(problems) => Parsed::Broken {
                    file: source.name.clone(),
                    line,
                    column,
                    problems,
                    fatal,
                },
                Ok(mut value) => {
                    if let Some(map) = value.as_object_mut() {
                        for field in ASSIGNED {
                            map.remove(*field);
                        }
                    }
                    let checked =
                        (options.mode == Mode::Create).then(|| check(value.clone(), None));
                    Parsed::Entry(Pending {
                        file: source.name.clone(),
                        line,
                        value,
                        checked,
                    })
                }
            });
            if rows.len() == batch::CHUNK {
                let full = std::mem::replace(&mut rows, Vec::with_capacity(batch::CHUNK));
                let batch = Batch {
                    rows: full,
                    read,
                    last: false,
                };
                if to_writer.send(batch).is_err() {
                    return; // The writer stopped: nothing more is wanted.
                }
                while let Ok(done) = trash.try_recv() {
                    drop(done);
                }
            }
        }
    }
    let _ = to_writer.send(Batch {
        rows,
        read,
        last: true,
    });
    // The last leftovers, until the writer is done (it waits for no more rows now).
    drop(to_writer);
    for done in trash {
        drop(done);
    }
}

/// A file's reader that counts the bytes read, for the progress of the load.
pub(super) struct Counted<'b, R> {
    pub(super) inner: R,
    pub(super) bytes: &'b AtomicU64,
}

impl<R: Read> Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bytes.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}
