//! The triage pass over a whole errlog buffer.
//!
//! 1. The prefilter runs over the raw bytes with the automaton for the file's encoding
//!    (UTF-16 files are searched with UTF-16-encoded anchors; hits at odd offsets are
//!    ignored).
//! 2. For a hit, the record around it is located: back to the line start, then back over
//!    continuation lines (at most [`MAX_BACKTRACK_LINES`]) to the header line. That record is
//!    parsed with the ordinary reader, its message decoded and classified; hits inside it are
//!    then skipped. A hit in a line that belongs to no record (text before the first record)
//!    classifies that line alone.
//! 3. Line numbers are counted incrementally between records (memchr over the raw bytes), so
//!    each byte is scanned at most twice in total.
//! 4. Years: assigned along the found records with the parser's year policy and rollover
//!    detection; with a reference time, then moved back a year if the last finding would be
//!    after the reference (as [`ErrlogParser::parse`] does).

use chrono::Datelike;
use memchr::{memchr2_iter, memrchr2};

use super::{Classifier, Finding, Location};
use crate::errlog::{is_header_line, Entries, Entry, ErrlogParser, YearPolicy, YearState};
use crate::position::Position;
use crate::text::{Line, TextEncoding};

/// How far back from a hit the record header is looked for.
pub const MAX_BACKTRACK_LINES: usize = 256;

struct Text<'a> {
    buf: &'a [u8],
    enc: TextEncoding,
    bom: usize,
}

impl Text<'_> {
    fn is_break_at(&self, i: usize) -> bool {
        match self.enc {
            TextEncoding::Utf8 | TextEncoding::Windows1252 => matches!(self.buf[i], b'\n' | b'\r'),
            _ => {
                (i - self.bom) % 2 == 0
                    && i + 1 < self.buf.len()
                    && matches!(self.enc.unit_at(self.buf, i), 0x0A | 0x0D)
            }
        }
    }

    /// Start of the line containing byte `pos`.
    fn line_start(&self, pos: usize) -> usize {
        let unit = self.enc.unit();
        let mut end = pos;
        while end > self.bom {
            let Some(i) = memrchr2(b'\n', b'\r', &self.buf[self.bom..end]).map(|i| i + self.bom)
            else {
                return self.bom;
            };
            let unit_start = if self.enc == TextEncoding::Utf16Be {
                i.saturating_sub(1)
            } else {
                i
            };
            if unit_start >= self.bom && self.is_break_at(unit_start) {
                return unit_start + unit;
            }
            end = i;
        }
        self.bom
    }

    /// The line starting at `start`.
    fn line_at(&self, start: usize) -> Line {
        crate::text::Lines::new(self.buf, start, self.enc)
            .next()
            .unwrap_or(Line {
                start,
                content_end: start,
                end: start,
            })
    }

    /// Line breaks in `from..to` (CRLF counts once), in raw bytes.
    fn count_breaks(&self, from: usize, to: usize) -> u64 {
        let mut n = 0;
        let buf = self.buf;
        let unit = self.enc.unit();
        let low = usize::from(self.enc == TextEncoding::Utf16Be);
        for i in memchr2_iter(b'\n', b'\r', &buf[from..to]) {
            let i = from + i;
            let u = i - low.min(i);
            if !self.is_break_at(u) || u < from {
                continue;
            }
            // a CR followed by LF is one break: count it at the LF
            let is_cr = self.enc.unit_at(buf, u) == 0x0D;
            if is_cr
                && u + 2 * unit <= buf.len()
                && self.enc.unit_at(buf, u + unit) == 0x0A
                && u + unit < to
            {
                continue;
            }
            n += 1;
        }
        n
    }
}

pub(super) fn scan_errlog(c: &Classifier, buf: &[u8], parser: &ErrlogParser) -> Vec<Finding> {
    let sniffed = TextEncoding::sniff(buf);
    let text = Text {
        buf,
        enc: sniffed.encoding,
        bom: sniffed.bom_len,
    };
    let ac = match text.enc {
        TextEncoding::Utf16Le => &c.matcher.utf16le,
        TextEncoding::Utf16Be => &c.matcher.utf16be,
        _ => &c.matcher.bytes,
    };
    let unit = text.enc.unit();
    let mut findings: Vec<Finding> = Vec::new();
    let mut covered = text.bom; // hits before this offset are already handled
    let (mut counted_to, mut line_no) = (text.bom, 1u64);
    let mut years = YearState::new(parser.year_policy());
    let mut started = false;
    for hit in ac.find_iter(&buf[text.bom..]) {
        let pos = text.bom + hit.start();
        if pos < covered || (pos - text.bom) % unit != 0 {
            continue;
        }
        // back to the header of the record this line belongs to
        let hit_line = text.line_start(pos);
        let mut start = hit_line;
        let mut record_start = None;
        for _ in 0..MAX_BACKTRACK_LINES {
            let line = text.line_at(start);
            if is_header_line(buf, &line, text.enc, parser.is_tolerant()) {
                record_start = Some(start);
                break;
            }
            if start <= covered {
                break;
            }
            start = text.line_start(start - unit);
        }
        let entry_start = record_start.unwrap_or(hit_line);
        line_no += text.count_breaks(counted_to, entry_start);
        counted_to = entry_start;
        let base = Position {
            byte: 0,
            line: line_no,
        };
        let mut it = Entries::resume(
            buf,
            text.enc,
            entry_start,
            base,
            parser.is_tolerant(),
            years,
            started,
            true,
        );
        let (message, at, end) = match (record_start, it.next()) {
            (Some(_), Some(Entry::Record(r))) => {
                years = it.years();
                started = true;
                let at = Location {
                    line: Some(r.position().line),
                    offset: r.position().byte,
                    record_id: None,
                    timestamp: r.timestamp(),
                    severity: Some(r.severity_word().into_owned()),
                    task_id: r.task_id().map(|t| t.into_owned()),
                };
                (r.message().into_owned(), at, entry_start + r.raw().len())
            }
            _ => {
                let line = text.line_at(hit_line);
                line_no += text.count_breaks(counted_to, hit_line);
                counted_to = hit_line;
                let at = Location {
                    line: Some(line_no),
                    offset: hit_line as u64,
                    ..Location::default()
                };
                (
                    text.enc
                        .decode(&buf[line.start..line.content_end])
                        .into_owned(),
                    at,
                    line.end,
                )
            }
        };
        for m in c.classify_text(&message) {
            findings.push(c.finding(&m, &message, at.clone()));
        }
        covered = end.max(pos + unit);
    }
    if let YearPolicy::Reference(reference) = parser.year_policy() {
        if findings
            .iter()
            .filter_map(|f| f.timestamp)
            .next_back()
            .is_some_and(|t| t > reference)
        {
            for f in &mut findings {
                f.timestamp = f.timestamp.and_then(|t| t.with_year(t.year() - 1));
            }
        }
    }
    findings
}
