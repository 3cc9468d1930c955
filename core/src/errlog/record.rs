//! Errlog records and unparsed lines, borrowed from the input buffer, and their owned twins.
//!
//! A [`Record`] keeps the raw bytes of the whole record (header line, continuation lines and
//! the blank lines between them, with the last line's terminator) plus the parsed numeric
//! fields and the byte ranges of its text fields. Text fields are decoded on demand: for
//! UTF-8 input they are borrowed `&'a str` slices; for UTF-16 they are decoded when asked.

use std::borrow::Cow;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::grammar::{Header, LogTime};
use crate::position::Position;
use crate::text::TextEncoding;

/// The severity column. Unknown words are kept verbatim (see [`Record::severity_word`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Severity {
    /// `NORMAL`.
    Normal,
    /// `WARNING` (often informational in practice).
    Warning,
    /// `FATAL` (also seen on handled conditions).
    Fatal,
    /// `CRITICAL` (DPM: the service is about to terminate).
    Critical,
    /// Any other upper-case word.
    Other,
}

impl Severity {
    /// Map a severity word.
    #[inline]
    pub fn from_word(word: &[u8]) -> Severity {
        // a length switch, then one compare of a fixed-size array (no `memcmp` call)
        match word.len() {
            6 if word == b"NORMAL" => Severity::Normal,
            7 if word == b"WARNING" => Severity::Warning,
            5 if word == b"FATAL" => Severity::Fatal,
            8 if word == b"CRITICAL" => Severity::Critical,
            _ => Severity::Other,
        }
    }
}

/// A text field of a [`Record`], for [`Record::field_bytes`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordField {
    /// Column 5, opaque (`71`).
    Column5,
    /// The source file name without its line (`backupasync.cpp`).
    Source,
    /// The source field as written (`backupasync.cpp(1184)`).
    SourceField,
    /// The object pointer's hex digits, without the brackets.
    Pointer,
    /// The task (job) GUID as written.
    TaskId,
    /// The severity word.
    Severity,
    /// The message, continuation lines included.
    Message,
}

/// A byte range relative to the start of a record's raw bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Rel {
    pub start: u32,
    pub end: u32,
}

impl Rel {
    pub(crate) fn new(start: usize, end: usize) -> Rel {
        Rel {
            start: start as u32,
            end: end as u32,
        }
    }
    pub(crate) fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
    /// Offsets in UTF-16 code units → bytes.
    pub(crate) fn doubled(self) -> Rel {
        Rel {
            start: self.start * 2,
            end: self.end * 2,
        }
    }
}

/// One errlog record, borrowing from the input buffer.
#[derive(Debug, Clone, PartialEq)]
pub struct Record<'a> {
    pub(crate) raw: &'a [u8],
    pub(crate) encoding: TextEncoding,
    pub(crate) position: Position,
    pub(crate) continuation_lines: u32,
    pub(crate) blank_lines: u32,
    pub(crate) year: i32,
    /// The header line's fields (ranges relative to `raw`, in bytes), moved in as parsed.
    pub(crate) header: Header,
    pub(crate) message: Rel,
}

impl<'a> Record<'a> {
    fn text(&self, r: Rel) -> Cow<'a, str> {
        self.encoding.decode(&self.raw[r.range()])
    }

    /// Where the record starts (its header line).
    pub fn position(&self) -> Position {
        self.position
    }

    /// The raw bytes of the record in the input's encoding: the header line, continuation
    /// lines and blank lines between them, including the last line's terminator.
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// The encoding of [`Record::raw`].
    pub fn encoding(&self) -> TextEncoding {
        self.encoding
    }

    /// Number of continuation lines attached to this record's message.
    pub fn continuation_lines(&self) -> u32 {
        self.continuation_lines
    }

    /// Number of physical lines this record spans (header, continuations, blank lines
    /// between them).
    pub fn line_count(&self) -> u32 {
        1 + self.continuation_lines + self.blank_lines
    }

    /// Process id (column 1, hex in the file).
    pub fn pid(&self) -> u32 {
        self.header.pid
    }

    /// Thread id (column 2, hex in the file).
    pub fn tid(&self) -> u32 {
        self.header.tid
    }

    /// The yearless time stamp as written.
    pub fn log_time(&self) -> LogTime {
        self.header.time
    }

    /// The year assigned to this record (explicit, or inferred from a reference time).
    pub fn year(&self) -> i32 {
        self.year
    }

    /// The record's time, UTC. `None` when the written date does not exist in the assigned
    /// year (e.g. `02/29` in a common year, `04/31`).
    pub fn timestamp(&self) -> Option<DateTime<Utc>> {
        timestamp_of(self.year, self.header.time)
    }

    /// Column 5, an opaque two-character code (`71`).
    pub fn column5(&self) -> Cow<'a, str> {
        self.text(self.header.column5)
    }

    /// The source field as written: `backupasync.cpp(1184)`.
    pub fn source_field(&self) -> Cow<'a, str> {
        self.text(self.header.source)
    }

    /// The source file name: `backupasync.cpp`.
    pub fn source(&self) -> Cow<'a, str> {
        // the field ends with "(digits)": cut at the last '('
        let raw = self.field_bytes(RecordField::Source).unwrap_or_default();
        self.encoding.decode(raw)
    }

    /// The line number in the source file: `1184`.
    pub fn source_line(&self) -> u32 {
        self.header.source_line
    }

    /// The object pointer (`[000000001B73B830]`), when the column is not empty.
    pub fn pointer(&self) -> Option<u64> {
        let r = self.header.pointer?;
        let raw = &self.raw[r.range()];
        if !self.encoding.is_utf16() {
            if let Ok(digits) = <&[u8; 16]>::try_from(raw) {
                // the usual full-width pointer
                return Some(super::fastpath::hex16_value(digits));
            }
            return Some(super::grammar::hex_digits_value(raw.iter().copied()));
        }
        let big_endian = self.encoding == TextEncoding::Utf16Be;
        if let Some(digits) = super::fastpath::narrow16(raw, big_endian) {
            return Some(super::fastpath::hex16_value(&digits));
        }
        let unit = self.encoding.unit();
        Some(super::grammar::hex_digits_value(
            (0..raw.len() / unit).map(|k| self.encoding.unit_at(raw, k * unit) as u8),
        ))
    }

    /// The task (job) GUID as written, when the column is not empty.
    pub fn task_id(&self) -> Option<Cow<'a, str>> {
        self.header.task.map(|r| self.text(r))
    }

    /// The severity.
    pub fn severity(&self) -> Severity {
        self.header.severity
    }

    /// The severity word as written (`NORMAL`, or an unknown word verbatim).
    pub fn severity_word(&self) -> Cow<'a, str> {
        self.text(self.header.severity_word)
    }

    /// The message, continuation lines included (joined by their original line breaks).
    pub fn message(&self) -> Cow<'a, str> {
        self.text(self.message)
    }

    /// The raw bytes of the message in the input's encoding.
    pub fn message_bytes(&self) -> &'a [u8] {
        &self.raw[self.message.range()]
    }

    /// The raw bytes of a text field in the input's encoding (see [`Record::encoding`]),
    /// for callers that copy text without decoding it, such as Arrow column builders:
    /// for UTF-8 input they are valid UTF-8, because fields end on ASCII separators.
    /// `None` for an empty pointer or task column.
    #[inline]
    pub fn field_bytes(&self, field: RecordField) -> Option<&'a [u8]> {
        let range = match field {
            RecordField::Column5 => self.header.column5,
            RecordField::SourceField => self.header.source,
            RecordField::Source => {
                let raw = &self.raw[self.header.source.range()];
                if !self.encoding.is_utf16() {
                    // a short field (`name.cpp(1184)`): a plain backward scan beats a call
                    // into the vectorised search
                    let cut = raw.iter().rposition(|&b| b == b'(').unwrap_or(raw.len());
                    return Some(&raw[..cut]);
                }
                let unit = self.encoding.unit();
                let cut = (0..raw.len() / unit)
                    .rev()
                    .find(|&k| self.encoding.unit_at(raw, k * unit) == u16::from(b'('))
                    .unwrap_or(raw.len() / unit);
                return Some(&raw[..cut * unit]);
            }
            RecordField::Pointer => self.header.pointer?,
            RecordField::TaskId => self.header.task?,
            RecordField::Severity => self.header.severity_word,
            RecordField::Message => self.message,
        };
        Some(&self.raw[range.range()])
    }

    /// Byte offset of the message from the start of the input.
    pub fn message_offset(&self) -> u64 {
        self.position.byte + u64::from(self.message.start)
    }

    /// An owned copy with every text field decoded.
    pub fn into_owned(self) -> RecordBuf {
        RecordBuf {
            position: self.position,
            continuation_lines: self.continuation_lines,
            timestamp: self.timestamp(),
            log_time: self.header.time,
            pid: self.header.pid,
            tid: self.header.tid,
            column5: self.column5().into_owned(),
            source: self.source().into_owned(),
            source_line: self.header.source_line,
            pointer: self.pointer(),
            task_id: self.task_id().map(Cow::into_owned),
            severity: self.header.severity,
            severity_word: self.severity_word().into_owned(),
            message: self.message().into_owned(),
        }
    }
}

/// An owned errlog record (for threads, streaming and bindings).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordBuf {
    /// Where the record starts.
    pub position: Position,
    /// Continuation lines attached to the message.
    pub continuation_lines: u32,
    /// The time, UTC (see [`Record::timestamp`]).
    pub timestamp: Option<DateTime<Utc>>,
    /// The yearless time as written.
    #[serde(skip)]
    pub log_time: LogTime,
    /// Process id.
    pub pid: u32,
    /// Thread id.
    pub tid: u32,
    /// Column 5.
    pub column5: String,
    /// Source file name.
    pub source: String,
    /// Line in the source file.
    pub source_line: u32,
    /// Object pointer.
    pub pointer: Option<u64>,
    /// Task (job) GUID as written.
    pub task_id: Option<String>,
    /// Severity.
    pub severity: Severity,
    /// Severity word as written.
    pub severity_word: String,
    /// Message, continuation lines included.
    pub message: String,
}

/// Why a line was not parsed as part of a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum UnparsedReason {
    /// Text before the first record header of the input.
    BeforeFirstRecord,
    /// A line that starts like a record header but is not a valid one.
    MalformedHeader {
        /// The field the header failed on.
        field: &'static str,
    },
    /// A line after a malformed header line: it belongs to a record that could not be read.
    AfterMalformedHeader,
    /// The last line of the input, cut off inside a record header.
    TruncatedHeader {
        /// The field the header failed on.
        field: &'static str,
    },
}

impl std::fmt::Display for UnparsedReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UnparsedReason::BeforeFirstRecord => f.write_str("text before the first record"),
            UnparsedReason::MalformedHeader { field } => {
                write!(f, "malformed record header: bad {field}")
            }
            UnparsedReason::AfterMalformedHeader => {
                f.write_str("continuation of a malformed record")
            }
            UnparsedReason::TruncatedHeader { field } => {
                write!(f, "truncated record header at end of input: bad {field}")
            }
        }
    }
}

/// A physical line that is neither a record nor a continuation, kept with its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unparsed<'a> {
    pub(crate) raw: &'a [u8],
    pub(crate) content_len: usize,
    pub(crate) encoding: TextEncoding,
    pub(crate) position: Position,
    pub(crate) reason: UnparsedReason,
}

impl<'a> Unparsed<'a> {
    /// Where the line starts.
    pub fn position(&self) -> Position {
        self.position
    }

    /// The raw bytes of the line, terminator included.
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// The line's text (terminator excluded), decoded.
    pub fn text(&self) -> Cow<'a, str> {
        self.encoding.decode(&self.raw[..self.content_len])
    }

    /// Why the line was not parsed.
    pub fn reason(&self) -> UnparsedReason {
        self.reason
    }

    /// An owned copy.
    pub fn into_owned(self) -> UnparsedBuf {
        UnparsedBuf {
            position: self.position,
            text: self.text().into_owned(),
            reason: self.reason,
        }
    }
}

/// An owned unparsed line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnparsedBuf {
    /// Where the line starts.
    pub position: Position,
    /// Its text, decoded.
    pub text: String,
    /// Why it was not parsed.
    pub reason: UnparsedReason,
}

/// The UTC time of an errlog time stamp in `year`; `None` when the written date does not
/// exist in that year (a leap second is kept as the last nanoseconds of second 59).
pub(crate) fn timestamp_of(year: i32, t: LogTime) -> Option<DateTime<Utc>> {
    let date = NaiveDate::from_ymd_opt(year, u32::from(t.month), u32::from(t.day))?;
    let (sec, nanos) = if t.second == 60 {
        (59, t.nanos + 1_000_000_000)
    } else {
        (t.second, t.nanos)
    };
    let dt = date.and_hms_nano_opt(
        u32::from(t.hour),
        u32::from(t.minute),
        u32::from(sec),
        nanos,
    )?;
    Some(dt.and_utc())
}

/// One item of an errlog, in input order.
#[derive(Debug, Clone, PartialEq)]
pub enum Entry<'a> {
    /// A record (with its continuation lines).
    Record(Record<'a>),
    /// A line that could not be parsed.
    Unparsed(Unparsed<'a>),
}

impl<'a> Entry<'a> {
    /// Where the entry starts.
    pub fn position(&self) -> Position {
        match self {
            Entry::Record(r) => r.position,
            Entry::Unparsed(u) => u.position,
        }
    }

    /// The entry's raw bytes.
    pub fn raw(&self) -> &'a [u8] {
        match self {
            Entry::Record(r) => r.raw,
            Entry::Unparsed(u) => u.raw,
        }
    }

    /// An owned copy.
    pub fn into_owned(self) -> EntryBuf {
        match self {
            Entry::Record(r) => EntryBuf::Record(r.into_owned()),
            Entry::Unparsed(u) => EntryBuf::Unparsed(u.into_owned()),
        }
    }
}

/// An owned [`Entry`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum EntryBuf {
    /// A record.
    Record(RecordBuf),
    /// An unparsed line.
    Unparsed(UnparsedBuf),
}
