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
//!
//! A buffer of a few MiB or more is scanned in segments on the rayon pool
//! ([`scan_segments`]): cut at record header lines, each scanned as above from its own start,
//! then line numbers shifted and years assigned again along the records the segments used, in
//! input order, so that the findings are those of one pass.
//!
//! A stream ([`Classifier::scan_errlog_stream`]) is read in blocks into a window that is
//! cut at the start of its last complete record header line: every record before the cut is
//! complete, so the window is scanned as above (line number, years and offset carried over)
//! and dropped. Memory is the block plus the open record, whatever the input's size.

use memchr::memrchr2;
use rayon::prelude::*;

use std::io::Read;

use super::prefilter::{fold_bytes, fold_utf16, id_word_at, Prefilter};
use super::{Classifier, Finding, Location};
use crate::errlog::{
    is_header_line, timestamp_of, Entries, Entry, ErrlogParser, LogTime, YearPolicy, YearState,
    SNIFF_LEN,
};
use crate::error::Result;
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

    /// Line breaks in `from..to` (see [`crate::text::count_breaks`]).
    fn count_breaks(&self, from: usize, to: usize) -> u64 {
        crate::text::count_breaks(self.buf, self.enc, from, to)
    }
}

/// Raw bytes folded per chunk of the first stage (in code units).
const CHUNK_UNITS: usize = 32 << 10;

/// The scan's progress.
struct State {
    findings: Vec<Finding>,
    /// For every record used (or line classified alone), in order: its time stamp (`None`
    /// for a line alone) and how many findings it gave. A segment scanned on its own
    /// (`scan_segments`) gets its years from these afterwards.
    times: Vec<(Option<LogTime>, usize)>,
    /// Offset of the buffer's first byte in the whole input (a stream's window).
    base: u64,
    /// Candidates that end before this offset are already handled (a line end).
    covered: usize,
    /// End of the last parsed record (or line classified alone): how far back a record
    /// header is looked for.
    floor: usize,
    counted_to: usize,
    line_no: u64,
    years: YearState,
    started: bool,
    /// A line or record decoded for the matcher had a non-ASCII byte (its text depends on
    /// whether an 8-bit input is UTF-8 or Windows-1252).
    non_ascii: bool,
}

impl State {
    /// Stage 2: check each not yet covered line that intersects `from..to` with the matcher,
    /// and parse the record of a line that may match.
    fn check_lines(
        &mut self,
        c: &Classifier,
        text: &Text<'_>,
        parser: &ErrlogParser,
        from: usize,
        to: usize,
    ) {
        let mut at = text.line_start(from).max(self.covered);
        while at < to {
            let line = text.line_at(at);
            if line.end <= at {
                break;
            }
            let bytes = &text.buf[line.start..line.content_end];
            self.non_ascii |= !bytes.is_ascii();
            let decoded = text.enc.decode(bytes);
            if c.matcher.may_match(&decoded) {
                self.record_at(c, text, parser, line.start);
            } else {
                self.covered = line.end;
            }
            at = self.covered.max(line.end);
        }
    }

    /// Parse and classify the record that the line at `hit_line` belongs to (or that line
    /// alone when it belongs to no record).
    fn record_at(
        &mut self,
        c: &Classifier,
        text: &Text<'_>,
        parser: &ErrlogParser,
        hit_line: usize,
    ) {
        let buf = text.buf;
        let unit = text.enc.unit();
        // back to the header of the record this line belongs to
        let mut start = hit_line;
        let mut record_start = None;
        for _ in 0..MAX_BACKTRACK_LINES {
            let line = text.line_at(start);
            if is_header_line(buf, &line, text.enc, parser.is_tolerant()) {
                record_start = Some(start);
                break;
            }
            if start <= self.floor {
                break;
            }
            start = text.line_start(start - unit);
        }
        let entry_start = record_start.unwrap_or(hit_line);
        self.line_no += text.count_breaks(self.counted_to, entry_start);
        self.counted_to = entry_start;
        let base = Position {
            byte: self.base,
            line: self.line_no,
        };
        let mut it = Entries::resume(
            buf,
            text.enc,
            entry_start,
            base,
            parser.is_tolerant(),
            self.years,
            self.started,
            true,
        );
        let record = match (record_start, it.next()) {
            (Some(_), Some(Entry::Record(r))) if entry_start + r.raw().len() > hit_line => Some(r),
            _ => None,
        };
        let time = record.as_ref().map(|r| r.log_time());
        let (message, at, end) = match record {
            Some(r) => {
                self.years = it.years();
                self.started = true;
                let at = Location::of_record(&r);
                self.non_ascii |= !r.raw().is_ascii();
                (r.message().into_owned(), at, entry_start + r.raw().len())
            }
            None => {
                let line = text.line_at(hit_line);
                self.line_no += text.count_breaks(self.counted_to, hit_line);
                self.counted_to = hit_line;
                let at = Location {
                    line: Some(self.line_no),
                    offset: self.base + hit_line as u64,
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
        let before = self.findings.len();
        for m in c.classify_text(&message) {
            self.findings.push(c.finding(&m, &message, at.clone()));
        }
        self.times.push((time, self.findings.len() - before));
        self.floor = end;
        self.covered = self.covered.max(end).max(hit_line + unit);
    }
}

impl State {
    fn new(parser: &ErrlogParser, bom: usize) -> Self {
        State {
            findings: Vec::new(),
            times: Vec::new(),
            base: 0,
            covered: bom,
            floor: bom,
            counted_to: bom,
            line_no: 1,
            years: YearState::new(parser.year_policy()),
            started: false,
            non_ascii: false,
        }
    }

    /// Stages 1 and 2 over `text`.
    fn scan(&mut self, c: &Classifier, text: &Text<'_>, parser: &ErrlogParser) {
        match &c.matcher.prefilter {
            Some(pf) => scan_folded(c, pf, text, parser, self),
            None => scan_anchors(c, text, parser, self),
        }
    }
}

/// With a reference time, whether the findings' years must move back one year: the last
/// timestamp is after the reference (as [`ErrlogParser::parse`] decides for records).
fn years_back(parser: &ErrlogParser, last: Option<chrono::DateTime<chrono::Utc>>) -> bool {
    match parser.year_policy() {
        YearPolicy::Reference(reference) => last.is_some_and(|t| t > reference),
        YearPolicy::Fixed(_) => false,
    }
}

/// Buffers with at least this many bytes per thread are scanned in segments.
pub(super) const MIN_SEGMENT_BYTES: usize = 1 << 20;

pub(super) fn scan_errlog(c: &Classifier, buf: &[u8], parser: &ErrlogParser) -> Vec<Finding> {
    scan_segments(
        c,
        buf,
        parser,
        rayon::current_num_threads(),
        MIN_SEGMENT_BYTES,
    )
}

/// The triage pass over `buf` in up to `parts` segments (each at least `min_segment` bytes)
/// on the rayon pool. Segments start at record header lines ([`ErrlogParser`]'s cut, as
/// for `par_segments`), so no record spans two, and each is scanned on its own with line
/// numbers counted from its start; afterwards the line numbers are shifted by the lines of
/// the segments before, and the years assigned again in input order along the records the
/// segments used (what one pass over the whole buffer does as it goes). The findings are
/// those of one pass (tested for many splits in `tests/classify_entries.rs`).
pub(super) fn scan_segments(
    c: &Classifier,
    buf: &[u8],
    parser: &ErrlogParser,
    parts: usize,
    min_segment: usize,
) -> Vec<Finding> {
    // UTF-16 or 8-bit from the start of the input; whether 8-bit text is UTF-8 (valid as a
    // whole) or Windows-1252 matters only to the candidates' decoding, so the whole input
    // is checked only when a candidate had a non-ASCII byte (and scanned again as
    // Windows-1252 in the rare case that it is not valid UTF-8)
    let sample = buf.len().min(SNIFF_LEN);
    let sniffed = TextEncoding::sniff_prefix(&buf[..sample], sample == buf.len());
    let (enc, bom) = (sniffed.encoding, sniffed.bom_len);
    let (mut findings, non_ascii) = scan_in(c, buf, parser, enc, bom, parts, min_segment);
    if enc == TextEncoding::Utf8
        && sample < buf.len()
        && non_ascii
        && simdutf8::basic::from_utf8(&buf[bom..]).is_err()
    {
        let windows_1252 = TextEncoding::Windows1252;
        findings = scan_in(c, buf, parser, windows_1252, bom, parts, min_segment).0;
    }
    let last = findings.iter().filter_map(|f| f.timestamp).next_back();
    if years_back(parser, last) {
        for f in &mut findings {
            f.move_year_back();
        }
    }
    findings
}

/// [`scan_segments`] in a known encoding: the findings, and whether a candidate had a
/// non-ASCII byte.
fn scan_in(
    c: &Classifier,
    buf: &[u8],
    parser: &ErrlogParser,
    enc: TextEncoding,
    bom: usize,
    parts: usize,
    min_segment: usize,
) -> (Vec<Finding>, bool) {
    // one part: no cut (an empty list, like a single segment, means one pass)
    let ranges = if parts > 1 {
        parser.segment_ranges_in(buf, enc, bom, parts, min_segment)
    } else {
        Vec::new()
    };
    if ranges.len() <= 1 {
        let mut st = State::new(parser, bom);
        st.scan(c, &Text { buf, enc, bom }, parser);
        (st.findings, st.non_ascii)
    } else {
        let scanned: Vec<(State, u64)> = ranges
            .par_iter()
            .map(|r| {
                let text = Text {
                    buf: &buf[..r.end],
                    enc,
                    bom,
                };
                let mut st = State::new(parser, bom);
                (st.covered, st.floor, st.counted_to) = (r.start, r.start, r.start);
                st.started = r.start > bom;
                st.scan(c, &text, parser);
                let lines = st.line_no - 1 + text.count_breaks(st.counted_to, r.end);
                (st, lines)
            })
            .collect();
        let mut years = YearState::new(parser.year_policy());
        let mut out = Vec::with_capacity(scanned.iter().map(|s| s.0.findings.len()).sum());
        let mut shift = 0;
        let non_ascii = scanned.iter().any(|(st, _)| st.non_ascii);
        for (st, lines) in scanned {
            let mut found = st.findings.into_iter();
            for (time, n) in st.times {
                let year = time.map(|t| years.assign(t));
                for mut f in found.by_ref().take(n) {
                    f.line = f.line.map(|l| l + shift);
                    if let (Some(t), Some(y)) = (time, year) {
                        f.timestamp = timestamp_of(y, t);
                    }
                    out.push(f);
                }
            }
            shift += lines;
        }
        (out, non_ascii)
    }
}

/// What [`Classifier::scan_errlog_stream`] read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamedScan {
    /// Bytes read.
    pub bytes: u64,
    /// The encoding sniffed from the first [`SNIFF_LEN`] bytes.
    pub encoding: TextEncoding,
    /// With a reference time, the last finding is after it: [`Classifier::scan_errlog`]
    /// would have moved every finding back one year ([`Finding::move_year_back`]).
    pub years_back: bool,
}

/// A window with no record boundary grows to at most this many blocks; it is then cut at
/// a line boundary (a record longer than that is classified in pieces).
const MAX_WINDOW_BLOCKS: usize = 16;

/// Start of the last header line of `text` whose content is complete, searching back from
/// the end to `searched` (lines before were searched already); `None` when the only one
/// is the first line. Also returns the start of the trailing incomplete line.
fn cut_point(text: &Text<'_>, searched: usize, tolerant: bool) -> (Option<usize>, usize) {
    let unit = text.enc.unit();
    let end = text.bom + (text.buf.len() - text.bom) / unit * unit;
    let last = text.line_start(end);
    let mut pos = last;
    while pos > searched.max(text.bom) {
        let s = text.line_start(pos - unit);
        if s <= text.bom {
            break;
        }
        if is_header_line(text.buf, &text.line_at(s), text.enc, tolerant) {
            return (Some(s), last);
        }
        pos = s;
    }
    (None, last)
}

/// Read until `window` holds `want` more bytes or the input ends; true at the end.
fn read_block<R: Read>(reader: &mut R, window: &mut Vec<u8>, want: usize) -> std::io::Result<bool> {
    let target = window.len() + want;
    while window.len() < target {
        let filled = window.len();
        window.resize(target, 0);
        match reader.read(&mut window[filled..]) {
            Ok(0) => {
                window.truncate(filled);
                return Ok(true);
            }
            Ok(n) => window.truncate(filled + n),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => window.truncate(filled),
            Err(e) => {
                window.truncate(filled);
                return Err(e);
            }
        }
    }
    Ok(false)
}

/// The triage pass over a reader, one window at a time: each window ends at the start of
/// a record header line (so every record in it is complete) and is scanned like a whole
/// buffer, with the line number, year state and offset carried over.
pub(super) fn scan_errlog_stream<R: Read>(
    c: &Classifier,
    mut reader: R,
    parser: &ErrlogParser,
    block: usize,
    sink: &mut dyn FnMut(Finding),
) -> Result<StreamedScan> {
    let block = block.max(1);
    let mut window = Vec::with_capacity(block + block / 4);
    let mut st = State::new(parser, 0);
    let mut bytes = 0u64;
    let mut encoding = None;
    let mut first = true;
    let mut searched = 0;
    let mut last_time = None;
    loop {
        let before = window.len();
        let eof = read_block(&mut reader, &mut window, block)?;
        bytes += (window.len() - before) as u64;
        let (enc, bom) = match encoding {
            Some(e) => e,
            None if !eof && window.len() < SNIFF_LEN => continue,
            None => {
                let s = TextEncoding::sniff_prefix(&window, eof);
                encoding = Some((s.encoding, s.bom_len));
                (s.encoding, s.bom_len)
            }
        };
        let bom = if first { bom.min(window.len()) } else { 0 };
        let cut = if eof {
            window.len()
        } else {
            let whole = Text {
                buf: &window,
                enc,
                bom,
            };
            match cut_point(&whole, searched, parser.is_tolerant()) {
                (Some(cut), _) => cut,
                (None, last) if window.len() >= MAX_WINDOW_BLOCKS * block && last > bom => last,
                (None, last) => {
                    searched = last;
                    continue;
                }
            }
        };
        let text = Text {
            buf: &window[..cut],
            enc,
            bom,
        };
        (st.covered, st.floor, st.counted_to) = (bom, bom, bom);
        st.scan(c, &text, parser);
        st.times.clear();
        for f in st.findings.drain(..) {
            if f.timestamp.is_some() {
                last_time = f.timestamp;
            }
            sink(f);
        }
        if eof {
            break;
        }
        st.line_no += text.count_breaks(st.counted_to, cut);
        st.base += cut as u64;
        window.drain(..cut);
        (first, searched) = (false, 0);
    }
    Ok(StreamedScan {
        bytes,
        encoding: encoding.map_or(TextEncoding::Utf8, |e| e.0),
        years_back: years_back(parser, last_time),
    })
}

/// Stage 1 over the folded text, chunk by chunk (plus the raw `ID` search); stage 2 per
/// candidate line, in input order.
fn scan_folded(
    c: &Classifier,
    pf: &Prefilter,
    text: &Text<'_>,
    parser: &ErrlogParser,
    st: &mut State,
) {
    let buf = text.buf;
    let unit = text.enc.unit();
    let end = text.bom + (buf.len() - text.bom) / unit * unit;
    // chunks overlap by one string less one unit, so no occurrence is cut
    let overlap = (pf.max_len() - 1) * unit;
    let mut scratch = vec![0u8; CHUNK_UNITS + pf.max_len()];
    let id = pf.id_finder(unit, text.enc == TextEncoding::Utf16Le);
    let mut found: Vec<(usize, usize)> = Vec::new();
    let mut cands: Vec<(usize, usize)> = Vec::new();
    // the first chunk starts where the scan starts (a segment's start, else the BOM)
    let from = st.covered.max(text.bom);
    let mut cs = from;
    while cs < end {
        let ce = (cs + CHUNK_UNITS * unit).min(end);
        let os = cs.saturating_sub(overlap).max(from);
        let raw = &buf[os..ce];
        let hay = &mut scratch[..raw.len() / unit];
        match text.enc {
            TextEncoding::Utf16Le => fold_utf16::<true>(raw, hay),
            TextEncoding::Utf16Be => fold_utf16::<false>(raw, hay),
            _ => fold_bytes(raw, hay),
        }
        found.clear();
        pf.find_all(hay, &mut found);
        // scratch index i <-> raw offset os + i * unit
        cands.clear();
        cands.extend(found.iter().map(|&(s, e)| (os + s * unit, os + e * unit)));
        if let Some(id) = id {
            for at in id.find_iter(raw) {
                let at = os + at;
                if (at - text.bom) % unit == 0 && id_word_at(text.buf, text.enc, at) {
                    cands.push((at, at + 2 * unit));
                }
            }
        }
        cands.sort_unstable();
        for &(rs, re) in &cands {
            // occurrences that end at or before `cs` were seen with the previous chunk
            if re > cs.max(st.covered) {
                st.check_lines(c, text, parser, rs, re);
                if st.covered >= ce {
                    break;
                }
            }
        }
        cs = ce.max(st.covered);
    }
}

/// Without fingerprints (a catalog anchor with no ASCII text): the anchor automaton over the
/// raw bytes, each hit's record parsed and classified.
fn scan_anchors(c: &Classifier, text: &Text<'_>, parser: &ErrlogParser, st: &mut State) {
    let ac = match text.enc {
        TextEncoding::Utf16Le => &c.matcher.utf16le,
        TextEncoding::Utf16Be => &c.matcher.utf16be,
        _ => &c.matcher.bytes,
    };
    let unit = text.enc.unit();
    for hit in ac.find_iter(&text.buf[text.bom..]) {
        let pos = text.bom + hit.start();
        if pos < st.covered || (pos - text.bom) % unit != 0 {
            continue;
        }
        st.record_at(c, text, parser, text.line_start(pos));
    }
}
