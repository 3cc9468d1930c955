//! The errlog reader: lines → entries, with accounting and year assignment.
//!
//! Design notes (the invariants the tests check):
//! * Every physical line is counted exactly once in [`Stats`]: as a record header, a
//!   continuation, an unparsed line or a blank line, so
//!   `lines == records + continuation_lines + unparsed_lines + blank_lines`.
//! * Entries come out in input order and their raw spans do not overlap. What lies between
//!   two consecutive entries (and before the first, after the BOM) is blank lines only, so
//!   the entries' raw bytes plus those blank lines reproduce the input exactly.
//! * A record owns its header line, its continuation lines and the blank lines *between*
//!   them; blank lines after its last continuation are not part of it.
//! * A line that does not start like a header continues the open record. Before the first
//!   record such lines are unparsed (`BeforeFirstRecord`); after a malformed header line
//!   they are unparsed too (they belong to a record we could not read).
//! * In incremental mode (`at_eof == false`, used by the streaming reader) a record still
//!   open at the end of the buffer is not emitted or counted; [`Entries::resume_point`] says
//!   where to continue once more input has arrived.

use chrono::{DateTime, Datelike, Timelike, Utc};
use serde::Serialize;

use super::fastpath;
use super::grammar::{self, Header, LogTime, Sep};
use super::record::{Entry, Record, Rel, Unparsed, UnparsedReason};
use crate::position::Position;
use crate::text::{Line, Lines, TextEncoding};

/// Longest header, in code units, that the UTF-16 path narrows to ASCII before parsing.
const MAX_HEADER_UNITS: usize = 512;

/// How many code units of a UTF-16 line the fast path narrows (a typical header is about
/// 130; the fast path declines a longer one and the reference grammar reads it).
const FAST_HEADER_UNITS: usize = 256;

/// How records get their year (errlog times carry none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum YearPolicy {
    /// The first record is in this year.
    Fixed(i32),
    /// The latest year such that the records are not after this time (typically the
    /// file's modification time).
    Reference(DateTime<Utc>),
}

/// Counts over one input; `lines == records + continuation_lines + unparsed_lines + blank_lines`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// Input size in bytes (BOM included).
    pub bytes: u64,
    /// Physical lines.
    pub lines: u64,
    /// Records (header lines).
    pub records: u64,
    /// Lines attached to a record's message.
    pub continuation_lines: u64,
    /// Lines reported as unparsed.
    pub unparsed_lines: u64,
    /// Empty or whitespace-only lines.
    pub blank_lines: u64,
    /// The sniffed encoding.
    pub encoding: TextEncoding,
    /// Length of the byte-order mark.
    pub bom_len: u8,
}

impl Stats {
    /// True when every line is accounted for.
    pub fn reconciles(&self) -> bool {
        self.lines
            == self.records + self.continuation_lines + self.unparsed_lines + self.blank_lines
    }

    /// Add another input's counts (encodings must match to be meaningful).
    pub fn add(&mut self, other: &Stats) {
        self.bytes += other.bytes;
        self.lines += other.lines;
        self.records += other.records;
        self.continuation_lines += other.continuation_lines;
        self.unparsed_lines += other.unparsed_lines;
        self.blank_lines += other.blank_lines;
    }
}

/// Assigns years to yearless times, advancing at a December→January rollover.
#[derive(Debug, Clone, Copy)]
pub(crate) struct YearState {
    policy: YearPolicy,
    current: Option<(i32, u8)>,
}

impl YearState {
    pub(crate) fn new(policy: YearPolicy) -> Self {
        YearState {
            policy,
            current: None,
        }
    }

    /// The state after a record of `year` and `month` (for a segment read on its own).
    pub(crate) fn continuing(policy: YearPolicy, year: i32, month: u8) -> Self {
        YearState {
            policy,
            current: Some((year, month)),
        }
    }

    /// True when a reader starting from `provisional` (see [`YearState::continuing`])
    /// assigns the same years as one starting from `self`: both are fresh, or the first
    /// record after `self` (in `provisional`'s month) stays in `self`'s year, which is then
    /// `provisional`'s.
    pub(crate) fn continues_as(&self, provisional: YearState) -> bool {
        match (self.current, provisional.current) {
            (None, None) => true,
            (Some((year, prev)), Some((provisional_year, month))) => {
                year == provisional_year && month + 6 > prev && month < prev + 6
            }
            _ => false,
        }
    }

    pub(crate) fn assign(&mut self, t: LogTime) -> i32 {
        match self.current {
            None => {
                let year = match self.policy {
                    YearPolicy::Fixed(y) => y,
                    YearPolicy::Reference(r) => {
                        let reference = LogTime {
                            month: r.month() as u8,
                            day: r.day() as u8,
                            hour: r.hour() as u8,
                            minute: r.minute() as u8,
                            second: r.second() as u8,
                            nanos: r.nanosecond(),
                        };
                        if t > reference {
                            r.year() - 1
                        } else {
                            r.year()
                        }
                    }
                };
                self.current = Some((year, t.month));
                year
            }
            Some((year, prev)) => {
                if t.month + 6 <= prev {
                    // 12/31 → 01/01: a new year
                    self.current = Some((year + 1, t.month));
                    year + 1
                } else if t.month >= prev + 6 {
                    // a straggler from the previous year after the rollover
                    year - 1
                } else {
                    self.current = Some((year, t.month));
                    year
                }
            }
        }
    }
}

/// What a line is. For `Header` the parsed header is in `Entries::header` (kept out of the
/// lookahead slot so that only this small tag moves around).
#[derive(Debug, Clone, Copy)]
enum Class {
    Blank,
    Header,
    Malformed(&'static str),
    Other,
}

/// Iterator over the [`Entry`]s of an errlog buffer. Built by
/// [`ErrlogParser::entries`](super::ErrlogParser::entries).
#[derive(Debug, Clone)]
pub struct Entries<'a> {
    buf: &'a [u8],
    encoding: TextEncoding,
    lines: Lines<'a>,
    next_line_no: u64,
    base: Position,
    mode: Sep,
    started: bool,
    after_malformed: bool,
    at_eof: bool,
    pending: Option<(Line, u64, Class)>,
    header: Header,
    resume: Option<(usize, u64)>,
    years: YearState,
    stats: Stats,
    utf8: Option<Utf8Text<'a>>,
}

/// The text of a UTF-8 buffer (or of one segment of it) that was validated as a whole, so
/// that slices of it (such as [`Record::field_bytes`](super::Record::field_bytes)) can be
/// taken as `&str` without checking them again.
#[derive(Debug, Clone, Copy)]
pub struct Utf8Text<'a> {
    text: &'a str,
}

impl<'a> Utf8Text<'a> {
    /// Wrap text already known to be valid UTF-8.
    pub fn new(text: &'a str) -> Self {
        Utf8Text { text }
    }

    /// `bytes` as text, when it is a slice of this text that starts and ends on character
    /// boundaries (fields end on ASCII separators, so theirs do); `None` otherwise.
    #[inline]
    pub fn get(&self, bytes: &[u8]) -> Option<&'a str> {
        let start = (bytes.as_ptr() as usize).checked_sub(self.text.as_ptr() as usize)?;
        self.text.get(start..start.checked_add(bytes.len())?)
    }
}

impl<'a> Entries<'a> {
    pub(crate) fn new(buf: &'a [u8], tolerant: bool, years: YearPolicy) -> Self {
        let sniffed = TextEncoding::sniff(buf);
        let mut e = Self::resume(
            buf,
            sniffed.encoding,
            sniffed.bom_len,
            Position { byte: 0, line: 1 },
            tolerant,
            YearState::new(years),
            false,
            true,
        );
        e.stats.bom_len = sniffed.bom_len as u8;
        e.stats.bytes = buf.len() as u64;
        e
    }

    /// Continue reading at `start` of `buf`, whose first line has number `base.line` and
    /// whose byte 0 is at `base.byte` of the whole input.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn resume(
        buf: &'a [u8],
        encoding: TextEncoding,
        start: usize,
        base: Position,
        tolerant: bool,
        years: YearState,
        started: bool,
        at_eof: bool,
    ) -> Self {
        Entries {
            buf,
            encoding,
            lines: Lines::new(buf, start, encoding),
            next_line_no: base.line,
            base,
            mode: if tolerant { Sep::Blanks } else { Sep::Tab },
            started,
            after_malformed: false,
            at_eof,
            pending: None,
            header: Header::default(),
            resume: None,
            years,
            stats: Stats {
                bytes: 0,
                lines: 0,
                records: 0,
                continuation_lines: 0,
                unparsed_lines: 0,
                blank_lines: 0,
                encoding,
                bom_len: 0,
            },
            utf8: None,
        }
    }

    /// Attach the validated text of `buf[start..]` (from the parallel UTF-8 check).
    pub(crate) fn with_utf8(mut self, text: Option<&'a str>) -> Self {
        self.utf8 = text.map(Utf8Text::new);
        self
    }

    /// The input's text when it is UTF-8 and was validated before the read (as
    /// [`ErrlogParser::par_segments`](super::ErrlogParser::par_segments) validates each
    /// segment's): every record's UTF-8 fields are slices of it. `None` for other encodings and for the
    /// sequential reader.
    pub fn utf8_text(&self) -> Option<Utf8Text<'a>> {
        self.utf8
    }

    /// The encoding of the input.
    pub fn encoding(&self) -> TextEncoding {
        self.encoding
    }

    /// Counts over what has been yielded so far (complete once the iterator is exhausted).
    pub fn stats(&self) -> Stats {
        self.stats
    }

    pub(crate) fn next_line_no(&self) -> u64 {
        self.next_line_no
    }

    pub(crate) fn years(&self) -> YearState {
        self.years
    }

    pub(crate) fn started(&self) -> bool {
        self.started
    }

    /// In incremental mode: the byte offset (in this buffer) and line number of a record
    /// that was still open at the end of the buffer.
    pub(crate) fn resume_point(&self) -> Option<(usize, u64)> {
        self.resume
    }

    fn position_of(&self, line: &Line, line_no: u64) -> Position {
        Position {
            byte: self.base.byte + line.start as u64,
            line: line_no,
        }
    }

    fn read_line(&mut self) -> Option<(Line, u64, Class)> {
        if let Some(p) = self.pending.take() {
            return Some(p);
        }
        let line = self.lines.next()?;
        let no = self.next_line_no;
        self.next_line_no += 1;
        let class = self.classify(&line);
        Some((line, no, class))
    }

    #[inline]
    fn classify(&mut self, line: &Line) -> Class {
        classify_line(self.buf, line, self.encoding, self.mode, &mut self.header)
    }

    fn unparsed(&mut self, line: Line, no: u64, reason: UnparsedReason) -> Entry<'a> {
        self.stats.lines += 1;
        self.stats.unparsed_lines += 1;
        Entry::Unparsed(Unparsed {
            raw: &self.buf[line.start..line.end],
            content_len: line.content_end - line.start,
            encoding: self.encoding,
            position: self.position_of(&line, no),
            reason,
        })
    }

    fn record(&mut self, first: Line, no: u64) -> Option<Entry<'a>> {
        let h = self.header;
        let mut end = first.end;
        let mut message_end = first.content_end;
        let (mut continuations, mut interior_blank, mut trailing_blank) = (0u32, 0u32, 0u32);
        let mut reached_end = true;
        while let Some((line, line_no, class)) = self.read_line() {
            match class {
                Class::Blank => trailing_blank += 1,
                Class::Other => {
                    continuations += 1;
                    interior_blank += trailing_blank;
                    trailing_blank = 0;
                    end = line.end;
                    message_end = line.content_end;
                }
                Class::Header | Class::Malformed(_) => {
                    self.pending = Some((line, line_no, class));
                    reached_end = false;
                    break;
                }
            }
        }
        if reached_end && !self.at_eof {
            self.resume = Some((first.start, no));
            return None;
        }
        let raw = &self.buf[first.start..end];
        let message_start = (h.message_start as usize).min(message_end - first.start);
        self.stats.lines += 1 + u64::from(continuations + interior_blank + trailing_blank);
        self.stats.records += 1;
        self.stats.continuation_lines += u64::from(continuations);
        self.stats.blank_lines += u64::from(interior_blank + trailing_blank);
        self.started = true;
        self.after_malformed = false;
        Some(Entry::Record(Record {
            raw,
            encoding: self.encoding,
            position: self.position_of(&first, no),
            continuation_lines: continuations,
            blank_lines: interior_blank,
            year: self.years.assign(h.time),
            header: h,
            message: Rel::new(message_start, message_end - first.start),
        }))
    }
}

/// What `line` of `buf` is; for a header, the parsed header is written to `slot`.
#[inline]
fn classify_line(
    buf: &[u8],
    line: &Line,
    encoding: TextEncoding,
    mode: Sep,
    slot: &mut Header,
) -> Class {
    let content = &buf[line.start..line.content_end];
    if content.len() > u32::MAX as usize {
        // header offsets are u32; no real header line is 4 GiB long
        return Class::Other;
    }
    match encoding {
        TextEncoding::Utf8 | TextEncoding::Windows1252 => {
            if mode == Sep::Tab {
                if let Some(h) = fastpath::header_fast(content, content.len()) {
                    *slot = h;
                    return Class::Header;
                }
            }
            classify_ascii(content, mode, slot)
        }
        TextEncoding::Utf16Le | TextEncoding::Utf16Be => {
            classify_utf16(content, encoding, mode, slot)
        }
    }
}

/// [`classify_line`] for UTF-16 lines, kept out of line so that the UTF-8 loop stays small
/// enough to inline.
#[inline(never)]
fn classify_utf16(content: &[u8], encoding: TextEncoding, mode: Sep, slot: &mut Header) -> Class {
    if mode == Sep::Tab {
        // enough for the usual header; a longer one goes to the reference grammar
        let mut narrow = [0u8; FAST_HEADER_UNITS];
        let big_endian = encoding == TextEncoding::Utf16Be;
        let n = fastpath::narrow_utf16(content, big_endian, &mut narrow);
        if let Some(h) = fastpath::header_fast(&narrow[..n], content.len() / 2) {
            *slot = h.units_to_bytes();
            return Class::Header;
        }
    }
    let mut narrow = [0u8; MAX_HEADER_UNITS];
    let units = (content.len() / 2).min(MAX_HEADER_UNITS);
    let mut n = 0;
    while n < units {
        let u = encoding.unit_at(content, 2 * n);
        if u >= 0x80 {
            break;
        }
        narrow[n] = u as u8;
        n += 1;
    }
    if n == 0 && content.len() >= 2 {
        return Class::Other;
    }
    let fully_narrowed = n == content.len() / 2 && content.len() % 2 == 0;
    match classify_ascii(&narrow[..n], mode, slot) {
        Class::Header => {
            if slot.severity_word.end as usize == n && n < content.len() / 2 {
                // the severity word ran into a non-ASCII unit or the narrowing limit
                return Class::Other;
            }
            *slot = slot.units_to_bytes();
            Class::Header
        }
        Class::Blank if !fully_narrowed => Class::Other,
        other => other,
    }
}

/// The month of `line` of `buf` when it is a record header line.
pub(crate) fn header_month(
    buf: &[u8],
    line: &Line,
    encoding: TextEncoding,
    tolerant: bool,
) -> Option<u8> {
    let mode = if tolerant { Sep::Blanks } else { Sep::Tab };
    let mut slot = Header::default();
    matches!(
        classify_line(buf, line, encoding, mode, &mut slot),
        Class::Header
    )
    .then_some(slot.time.month)
}

/// True when `line` of `buf` is a record header line.
pub(crate) fn is_header_line(
    buf: &[u8],
    line: &Line,
    encoding: TextEncoding,
    tolerant: bool,
) -> bool {
    let mode = if tolerant { Sep::Blanks } else { Sep::Tab };
    matches!(
        classify_line(buf, line, encoding, mode, &mut Header::default()),
        Class::Header
    )
}

#[inline]
fn classify_ascii(content: &[u8], mode: Sep, slot: &mut Header) -> Class {
    match content.first() {
        Some(b) if b.is_ascii_hexdigit() => match grammar::header(content, mode) {
            Ok(h) => {
                *slot = h;
                Class::Header
            }
            Err(field) if grammar::looks_like_header(content, mode) => Class::Malformed(field),
            Err(_) => Class::Other,
        },
        _ if content.iter().all(|&b| b == b' ' || b == b'\t') => Class::Blank,
        _ => Class::Other,
    }
}

impl<'a> Iterator for Entries<'a> {
    type Item = Entry<'a>;

    fn next(&mut self) -> Option<Entry<'a>> {
        loop {
            let (line, no, class) = self.read_line()?;
            match class {
                Class::Blank => {
                    self.stats.lines += 1;
                    self.stats.blank_lines += 1;
                }
                Class::Header => return self.record(line, no),
                Class::Malformed(field) => {
                    self.after_malformed = true;
                    let reason = if line.is_unterminated() && self.at_eof {
                        UnparsedReason::TruncatedHeader { field }
                    } else {
                        UnparsedReason::MalformedHeader { field }
                    };
                    return Some(self.unparsed(line, no, reason));
                }
                Class::Other => {
                    let reason = if self.started && self.after_malformed {
                        UnparsedReason::AfterMalformedHeader
                    } else {
                        UnparsedReason::BeforeFirstRecord
                    };
                    return Some(self.unparsed(line, no, reason));
                }
            }
        }
    }
}
