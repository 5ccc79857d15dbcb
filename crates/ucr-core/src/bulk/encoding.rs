//! Character encodings of files of entries. A file is UTF-8 unless the load names a legacy
//! encoding (Windows-1251 for Cyrillic, Windows-1254 for Turkish and Azerbaijani Latin, as
//! spreadsheets of those locales save text); it is then decoded as it streams. A file read as
//! UTF-8 that is not stops at its first byte that is not: the load reports the line, the column
//! and the encoding the bytes look like, and writes nothing.

use std::cell::RefCell;
use std::io::Read;
use std::rc::Rc;

/// The character encoding of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    /// UTF-8 (with or without a byte-order mark).
    #[default]
    Utf8,
    /// Windows-1251 (Cyrillic).
    Windows1251,
    /// Windows-1254 (Turkish; Azerbaijani Latin without `ə`).
    Windows1254,
}

impl Encoding {
    /// Every encoding, as written.
    pub const ALL: [Encoding; 3] = [Encoding::Utf8, Encoding::Windows1251, Encoding::Windows1254];

    /// The encoding as written (its WHATWG label).
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Windows1251 => "windows-1251",
            Encoding::Windows1254 => "windows-1254",
        }
    }

    /// Parses `utf-8`, `windows-1251` or `windows-1254` (any case; `cp1251`, `cp1254` too).
    pub fn parse(s: &str) -> Option<Encoding> {
        match s.to_ascii_lowercase().as_str() {
            "utf-8" | "utf8" => Some(Encoding::Utf8),
            "windows-1251" | "cp1251" => Some(Encoding::Windows1251),
            "windows-1254" | "cp1254" => Some(Encoding::Windows1254),
            _ => None,
        }
    }

    fn legacy(self) -> Option<&'static encoding_rs::Encoding> {
        match self {
            Encoding::Utf8 => None,
            Encoding::Windows1251 => Some(encoding_rs::WINDOWS_1251),
            Encoding::Windows1254 => Some(encoding_rs::WINDOWS_1254),
        }
    }
}

/// Where a file stopped being UTF-8, and what its bytes look like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NotUtf8 {
    /// 1-based line.
    pub line: u64,
    /// 1-based column, in characters.
    pub column: u64,
    /// The encoding the bytes look like (a WHATWG name, lower case).
    pub looks_like: String,
}

impl NotUtf8 {
    /// The message of the problem.
    pub fn message(&self) -> String {
        let named = Encoding::parse(&self.looks_like).filter(|e| *e != Encoding::Utf8);
        let remedy = match named {
            Some(e) => format!("load it with the encoding {}", e.as_str()),
            None => "convert it to UTF-8".to_string(),
        };
        format!(
            "the file is not UTF-8; its bytes look like {}: {remedy}. Nothing of the load is written",
            self.looks_like
        )
    }
}

/// Bytes read past the first invalid one to tell what the file looks like.
const SAMPLE: usize = 64 * 1024;

/// The encoding a sample of bytes looks like (Mozilla's detector, as browsers use it).
fn looks_like(sample: &[u8]) -> String {
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(sample, true);
    detector
        .guess(None, chardetng::Utf8Detection::Deny)
        .name()
        .to_ascii_lowercase()
}

/// The reader of a file in `encoding`, as UTF-8. For UTF-8 itself, the reader stops with an
/// error at the first byte that is not, and `failure` then tells where and what.
pub(crate) fn reader<'a, R: Read + 'a>(
    inner: R,
    encoding: Encoding,
    failure: Rc<RefCell<Option<NotUtf8>>>,
) -> Box<dyn Read + 'a> {
    match encoding.legacy() {
        Some(legacy) => Box::new(Decoded {
            inner,
            decoder: legacy.new_decoder_without_bom_handling(),
            raw: vec![0; 16 * 1024],
            out: Vec::new(),
            at: 0,
            done: false,
        }),
        None => Box::new(Checked {
            inner,
            buf: Vec::with_capacity(16 * 1024),
            at: 0,
            eof: false,
            line: 1,
            column: 1,
            failure,
        }),
    }
}

/// A legacy encoding decoded to UTF-8 as it is read.
struct Decoded<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    raw: Vec<u8>,
    out: Vec<u8>,
    at: usize,
    done: bool,
}

impl<R: Read> Read for Decoded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            if self.at < self.out.len() {
                let n = buf.len().min(self.out.len() - self.at);
                buf[..n].copy_from_slice(&self.out[self.at..self.at + n]);
                self.at += n;
                return Ok(n);
            }
            if self.done || buf.is_empty() {
                return Ok(0);
            }
            let n = self.inner.read(&mut self.raw)?;
            let last = n == 0;
            let room = self.decoder.max_utf8_buffer_length(n).unwrap_or(n * 3 + 16);
            self.out.clear();
            self.out.resize(room, 0);
            self.at = 0;
            let (_, _, written, _) =
                self.decoder
                    .decode_to_utf8(&self.raw[..n], &mut self.out, last);
            self.out.truncate(written);
            self.done = last;
        }
    }
}

/// UTF-8 passed through as long as it is UTF-8.
struct Checked<R> {
    inner: R,
    /// Bytes read and not yet passed on, from `at`.
    buf: Vec<u8>,
    at: usize,
    eof: bool,
    /// Position of the next byte passed on.
    line: u64,
    column: u64,
    failure: Rc<RefCell<Option<NotUtf8>>>,
}

impl<R: Read> Checked<R> {
    fn fill(&mut self) -> std::io::Result<()> {
        self.buf.drain(..self.at);
        self.at = 0;
        let had = self.buf.len();
        self.buf.resize(had + 16 * 1024, 0);
        let n = loop {
            match self.inner.read(&mut self.buf[had..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.buf.truncate(had);
                    return Err(e);
                }
            }
        };
        self.buf.truncate(had + n);
        self.eof = n == 0;
        Ok(())
    }

    fn fail(&mut self) -> std::io::Error {
        let mut sample = self.buf[self.at..].to_vec();
        let mut more = vec![0; SAMPLE];
        while sample.len() < SAMPLE {
            match self.inner.read(&mut more) {
                Ok(0) | Err(_) => break,
                Ok(n) => sample.extend_from_slice(&more[..n]),
            }
        }
        *self.failure.borrow_mut() = Some(NotUtf8 {
            line: self.line,
            column: self.column,
            looks_like: looks_like(&sample),
        });
        self.buf.clear();
        self.at = 0;
        self.eof = true;
        std::io::Error::new(std::io::ErrorKind::InvalidData, "the file is not UTF-8")
    }
}

impl<R: Read> Read for Checked<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.failure.borrow().is_some() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "the file is not UTF-8",
            ));
        }
        if out.is_empty() {
            return Ok(0);
        }
        loop {
            let pending = &self.buf[self.at..];
            let valid = match std::str::from_utf8(pending) {
                Ok(_) => pending.len(),
                Err(e) => e.valid_up_to(),
            };
            if valid > 0 {
                let n = valid.min(out.len());
                out[..n].copy_from_slice(&pending[..n]);
                for b in &pending[..n] {
                    if *b == b'\n' {
                        self.line += 1;
                        self.column = 1;
                    } else if b & 0xC0 != 0x80 {
                        self.column += 1;
                    }
                }
                self.at += n;
                return Ok(n);
            }
            // Nothing valid pending: the end, a sequence cut by the read, or a bad byte.
            let cut = match std::str::from_utf8(pending) {
                Ok(_) => false,
                Err(e) => e.error_len().is_none(),
            };
            if pending.is_empty() || cut {
                if self.eof {
                    return if pending.is_empty() {
                        Ok(0)
                    } else {
                        Err(self.fail())
                    };
                }
                self.fill()?;
                continue;
            }
            return Err(self.fail());
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    /// Gives one byte per read: every sequence of several bytes is cut by a read.
    struct OneByOne<'a>(&'a [u8]);

    impl Read for OneByOne<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            match (self.0.split_first(), buf.first_mut()) {
                (Some((b, rest)), Some(slot)) => {
                    *slot = *b;
                    self.0 = rest;
                    Ok(1)
                }
                _ => Ok(0),
            }
        }
    }

    fn through(bytes: &[u8], encoding: Encoding) -> (String, Option<NotUtf8>) {
        let failure = Rc::new(RefCell::new(None));
        let mut out = Vec::new();
        let mut r = reader(OneByOne(bytes), encoding, failure.clone());
        let _ = r.read_to_end(&mut out);
        let f = failure.borrow().clone();
        (String::from_utf8_lossy(&out).into_owned(), f)
    }

    #[test]
    fn windows_1251_and_1254_are_decoded() {
        // "Музей" in Windows-1251; "Şəki" is not in Windows-1254, "Şeki" is.
        let (text, f) = through(b"\xcc\xf3\xe7\xe5\xe9", Encoding::Windows1251);
        assert_eq!((text.as_str(), f), ("Музей", None));
        let (text, f) = through(b"\xdeeki \xc7\xf6l", Encoding::Windows1254);
        assert_eq!((text.as_str(), f), ("Şeki Çöl", None));
    }

    #[test]
    fn utf8_passes_and_the_first_bad_byte_is_placed() {
        let (text, f) = through("Şəki\nMuzey".as_bytes(), Encoding::Utf8);
        assert_eq!((text.as_str(), f), ("Şəki\nMuzey", None));
        let cyrillic = "a,b\nМузей истории Азербайджана,Баку\n";
        let (legacy, _, _) = encoding_rs::WINDOWS_1251.encode(cyrillic);
        let (text, f) = through(&legacy, Encoding::Utf8);
        assert_eq!(text, "a,b\n");
        let f = f.unwrap();
        assert_eq!(
            (f.line, f.column, f.looks_like.as_str()),
            (2, 1, "windows-1251")
        );
        // After a character of two bytes the column counts characters.
        let (_, f) = through(b"\xc9\x99x\xff", Encoding::Utf8);
        let f = f.unwrap();
        assert_eq!((f.line, f.column), (1, 3));
    }
}
