//! CBEngine / DPM "errlog" text logs.
//!
//! An errlog line is ten TAB-separated columns (see [`grammar`] for the full grammar and
//! `../shared/docs/errlog-format.md` for the evidence):
//!
//! ```text
//! 44B4␉3968␉10/21␉21:02:21.611␉71␉backupasync.cpp(1184)␉[000000001B73B830]␉0517B3DB-…␉WARNING␉Failed: Hr: = [0x80780054] …
//! ```
//!
//! The reader takes the whole input as `&[u8]`, sniffs its encoding (UTF-16LE/BE, UTF-8,
//! Windows-1252), and yields [`Entry`]s that borrow from the buffer: a [`Record`] per header
//! line with its continuation lines attached, or an [`Unparsed`] line with its position and
//! the reason. Nothing is dropped: [`Stats`] accounts for every physical line.
//!
//! ```
//! use marslog::errlog::{ErrlogParser, Severity};
//!
//! let log = b"44B4\t3968\t10/21\t21:02:21.611\t71\tbackupasync.cpp(1184)\t[000000001B73B830]\t0517B3DB-347D-45A8-9DAB-FD7D1EA7D134\tWARNING\tFailed: Hr: = [0x80780054] Offline Backup Progress: Failed\r\n";
//! let parsed = ErrlogParser::new().with_year(2024).parse(log);
//! let rec = parsed.records().next().unwrap();
//! assert_eq!(rec.severity(), Severity::Warning);
//! assert_eq!(rec.source(), "backupasync.cpp");
//! assert_eq!(rec.timestamp().unwrap().to_rfc3339(), "2024-10-21T21:02:21.611+00:00");
//! assert!(parsed.stats().reconciles());
//! ```

mod fastpath;
pub mod grammar;
mod logset;
mod parallel;
mod reader;
mod record;
mod stream;

use chrono::{DateTime, Utc};

pub use grammar::LogTime;
pub use logset::{classify_name as logset_name, discover, ErrlogFile, LogSet};
#[doc(hidden)]
pub use parallel::{segment_ranges, SegmentOutput};
pub(crate) use reader::{is_header_line, YearState};
pub use reader::{Entries, Stats, Utf8Text, YearPolicy};
pub(crate) use record::timestamp_of;
pub use record::{
    Entry, EntryBuf, Record, RecordBuf, RecordField, Severity, Unparsed, UnparsedBuf,
    UnparsedReason,
};
pub use stream::{ErrlogStream, SNIFF_LEN};

use crate::error::{Error, Format, Result};
use crate::text::TextEncoding;

/// Options for reading errlogs; built once, reused for many inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrlogParser {
    years: YearPolicy,
    tolerant: bool,
}

impl Default for ErrlogParser {
    fn default() -> Self {
        Self::new()
    }
}

impl ErrlogParser {
    /// Strict TAB-separated parsing; years inferred from the current time.
    pub fn new() -> Self {
        ErrlogParser {
            years: YearPolicy::Reference(Utc::now()),
            tolerant: false,
        }
    }

    /// The first record is in `year` (later records advance at a December→January rollover).
    #[must_use]
    pub const fn with_year(mut self, year: i32) -> Self {
        self.years = YearPolicy::Fixed(year);
        self
    }

    /// Years are chosen so that the records are not after `reference` (e.g. the file's
    /// modification time).
    #[must_use]
    pub const fn with_reference(mut self, reference: DateTime<Utc>) -> Self {
        self.years = YearPolicy::Reference(reference);
        self
    }

    /// Accept copies whose TABs were collapsed into spaces, recognising fields by shape.
    #[must_use]
    pub const fn tolerant(mut self, yes: bool) -> Self {
        self.tolerant = yes;
        self
    }

    /// The year policy in force.
    pub fn year_policy(&self) -> YearPolicy {
        self.years
    }

    /// True when parsing in tolerant mode.
    pub fn is_tolerant(&self) -> bool {
        self.tolerant
    }

    /// Iterate lazily over the entries of `buf`. Years are anchored on the first record.
    pub fn entries<'a>(&self, buf: &'a [u8]) -> Entries<'a> {
        Entries::new(buf, self.tolerant, self.years)
    }

    /// Parse all of `buf`. With a reference time, years are then adjusted so that the last
    /// record is not after the reference.
    pub fn parse<'a>(&self, buf: &'a [u8]) -> Errlog<'a> {
        let mut it = self.entries(buf);
        let mut entries: Vec<Entry<'a>> = it.by_ref().collect();
        let stats = it.stats();
        if let YearPolicy::Reference(reference) = self.years {
            let last = entries.iter().rev().find_map(|e| match e {
                Entry::Record(r) => Some(r),
                Entry::Unparsed(_) => None,
            });
            if last
                .and_then(Record::timestamp)
                .is_some_and(|t| t > reference)
            {
                for e in &mut entries {
                    if let Entry::Record(r) = e {
                        r.year -= 1;
                    }
                }
            }
        }
        Errlog { entries, stats }
    }

    /// A streaming reader over any `io::Read` that yields owned entries with bounded memory.
    pub fn stream<R: std::io::Read>(&self, reader: R) -> ErrlogStream<R> {
        ErrlogStream::new(reader, *self)
    }
}

/// A fully parsed errlog buffer.
#[derive(Debug, Clone)]
pub struct Errlog<'a> {
    entries: Vec<Entry<'a>>,
    stats: Stats,
}

impl<'a> Errlog<'a> {
    /// All entries in input order.
    pub fn entries(&self) -> &[Entry<'a>] {
        &self.entries
    }

    /// Consume into the entries.
    pub fn into_entries(self) -> Vec<Entry<'a>> {
        self.entries
    }

    /// The records, in input order.
    pub fn records(&self) -> impl Iterator<Item = &Record<'a>> + '_ {
        self.entries.iter().filter_map(|e| match e {
            Entry::Record(r) => Some(r),
            Entry::Unparsed(_) => None,
        })
    }

    /// The unparsed lines, in input order.
    pub fn unparsed(&self) -> impl Iterator<Item = &Unparsed<'a>> + '_ {
        self.entries.iter().filter_map(|e| match e {
            Entry::Unparsed(u) => Some(u),
            Entry::Record(_) => None,
        })
    }

    /// Accounting over the whole input.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// The sniffed encoding.
    pub fn encoding(&self) -> TextEncoding {
        self.stats.encoding
    }

    /// Check that the input looks like an errlog: it has a record, or has no content at all.
    /// Otherwise the error names the offset of the first unparsed line.
    pub fn check(&self) -> Result<()> {
        if self.stats.records > 0 || self.stats.unparsed_lines == 0 {
            return Ok(());
        }
        let offset = self.unparsed().next().map_or(0, |u| u.position().byte);
        Err(Error::not_format(
            Format::Errlog,
            offset,
            "no record header found",
        ))
    }
}
