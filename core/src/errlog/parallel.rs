//! One errlog buffer read on several threads: [`ErrlogParser::par_segments`].
//!
//! The buffer is cut into segments that each start at a record header line, so no record
//! straddles two segments: a record ends where the next header line starts, which is where
//! the sequential reader ends it too. Each segment is then read by its own [`Entries`] and
//! handed to the caller's function on a rayon thread.
//!
//! Invariants (checked against the sequential reader in `tests/errlog_parallel.rs`):
//! * **Same entries.** Every entry has the position, year and fields the sequential
//!   reader gives it, and the segments' entries, in order, are the sequential entries.
//! * **Line numbers.** Nothing is counted before the segments are read: each segment's
//!   entries number its lines from 1, and its [`SegmentOutput::lines_before`] (the sum of
//!   the earlier segments' lines, known once they are read) turns them into the buffer's
//!   line numbers. A count first would be a pass over the whole buffer on its own.
//! * **Encoding.** Text sniffed as UTF-8 is checked segment by segment, by the segment's
//!   thread before reading it. If one is not valid UTF-8, the whole buffer is
//!   Windows-1252, as for the sequential reader: every segment is read again as such (the
//!   rare case costs one more pass).
//! * **Years.** Years depend on every record before (a December → January rollover
//!   advances them). A segment after the first starts from a provisional state: the year
//!   of the file's first record and the month of the segment's own first header. That is
//!   the true state unless a rollover (or a straggler) falls before or at the segment's
//!   start. After the parallel pass each segment's true starting state (the end state of
//!   the segment before it) is compared with the provisional one, and a segment that
//!   started wrong is read again, in order, from the true state. A log spanning a New
//!   Year therefore costs up to one extra sequential pass over its later segments.
//! * **Stats** are the sum over the segments, with the buffer's size and byte-order mark.

use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

use super::reader::{header_month, Entries, Stats, YearState};
use super::ErrlogParser;
use crate::position::Position;
use crate::text::{Lines, TextEncoding};

/// Segments smaller than this are not worth a thread.
const MIN_SEGMENT_BYTES: usize = 1 << 20;

/// How much of the input decides its encoding up front (the rest is only checked to be
/// valid UTF-8, in parallel).
const SNIFF_SAMPLE_BYTES: usize = 64 << 10;

/// How far past a cut point to look for a header line before giving the cut up.
const MAX_SEEK_BYTES: usize = 1 << 20;

/// One segment: its bytes and the year state it starts from.
#[derive(Debug, Clone, Copy)]
struct Segment {
    start: usize,
    end: usize,
    years: YearState,
}

/// What reading one segment gave: `f`'s value, the segment's stats, the year state it
/// ended in, and the number of its lines.
struct Pass<T> {
    value: T,
    stats: Stats,
    years: YearState,
    lines: u64,
}

/// What [`ErrlogParser::par_segments`] returns for one segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentOutput<T> {
    /// What the caller's function returned for the segment.
    pub value: T,
    /// The number of lines of the buffer before the segment. The segment's entries
    /// number its lines from 1; a line's number in the whole buffer is its number there
    /// plus `lines_before`.
    pub lines_before: u64,
}

impl ErrlogParser {
    /// Read `buf` in up to `parts` segments on the rayon pool, calling `f` with each
    /// segment's [`Entries`] and returning the results in input order, with the stats of
    /// the whole buffer.
    ///
    /// The segments' entries, concatenated, are exactly what [`ErrlogParser::entries`]
    /// yields, with the same byte offsets, fields and years, and line numbers counted
    /// from each segment's start: add [`SegmentOutput::lines_before`] to them for the
    /// buffer's (see the module invariants). `f` should
    /// read its entries to the end (whatever it leaves is drained). It is called once per
    /// segment, once more for a segment whose provisional year turned out wrong (a log
    /// spanning a New Year), and once more for every segment when text sniffed as UTF-8
    /// turns out not to be (read again as Windows-1252); only the last call's result is
    /// kept. Buffers under about
    /// 1 MiB per part are read in fewer parts, down to one.
    ///
    /// ```
    /// use marslog::errlog::{Entry, ErrlogParser};
    ///
    /// let line = "44B4\t3968\t10/21\t21:02:21.611\t71\tbackupasync.cpp(1184)\t\t\tNORMAL\tok\r\n";
    /// let log = line.repeat(100_000);
    /// let parser = ErrlogParser::new().with_year(2025);
    /// let (segments, stats) = parser.par_segments(log.as_bytes(), 4, |entries| {
    ///     entries.filter(|e| matches!(e, Entry::Record(_))).count()
    /// });
    /// assert_eq!(segments.iter().map(|s| s.value).sum::<usize>(), 100_000);
    /// assert_eq!(stats.records, 100_000);
    /// // one record per line: the second segment starts after the first one's records
    /// assert_eq!(segments[1].lines_before, segments[0].value as u64);
    /// ```
    pub fn par_segments<T, F>(
        &self,
        buf: &[u8],
        parts: usize,
        f: F,
    ) -> (Vec<SegmentOutput<T>>, Stats)
    where
        T: Send,
        F: Fn(&mut Entries<'_>) -> T + Sync,
    {
        self.par_segments_sized(buf, parts, MIN_SEGMENT_BYTES, f)
    }

    /// [`ErrlogParser::par_segments`] with segments as small as `min_segment` bytes (for
    /// tests, which cut small inputs).
    #[doc(hidden)]
    pub fn par_segments_sized<T, F>(
        &self,
        buf: &[u8],
        parts: usize,
        min_segment: usize,
        f: F,
    ) -> (Vec<SegmentOutput<T>>, Stats)
    where
        T: Send,
        F: Fn(&mut Entries<'_>) -> T + Sync,
    {
        // The encoding from the BOM or a sample. Text that looks like UTF-8 must be valid
        // UTF-8 as a whole (else it is Windows-1252, as `TextEncoding::sniff` decides): each
        // segment checks its own bytes before reading them; segments start after a line
        // break, an ASCII byte, so they are valid one by one exactly when the whole is.
        let sample_len = buf.len().min(SNIFF_SAMPLE_BYTES);
        let sniffed = TextEncoding::sniff_prefix(&buf[..sample_len], sample_len == buf.len());
        let (encoding, bom) = (sniffed.encoding, sniffed.bom_len);
        let check_utf8 = encoding == TextEncoding::Utf8 && sample_len < buf.len();
        // cut points do not depend on which 8-bit encoding it is
        let mut segments = self.cut(buf, encoding, bom, parts, min_segment);
        // set when a segment of text sniffed as UTF-8 is not: every segment is then
        // read again as Windows-1252, and the segments not yet started skip their pass
        let not_utf8 = AtomicBool::new(false);
        let run = |s: &Segment, encoding: TextEncoding| -> Option<Pass<T>> {
            let text = if encoding == TextEncoding::Utf8 {
                match simdutf8::basic::from_utf8(&buf[s.start..s.end]) {
                    Ok(text) => Some(text),
                    Err(_) if check_utf8 => {
                        not_utf8.store(true, Ordering::Relaxed);
                        return None;
                    }
                    Err(_) => None,
                }
            } else {
                None
            };
            if check_utf8 && encoding == TextEncoding::Utf8 && not_utf8.load(Ordering::Relaxed) {
                return None;
            }
            let mut entries = Entries::resume(
                &buf[..s.end],
                encoding,
                s.start,
                Position { byte: 0, line: 1 },
                self.is_tolerant(),
                s.years,
                s.start > bom,
                true,
            )
            .with_utf8(text);
            let value = f(&mut entries);
            entries.by_ref().for_each(drop);
            Some(Pass {
                value,
                stats: entries.stats(),
                years: entries.years(),
                lines: entries.next_line_no() - 1,
            })
        };
        let read_all = |encoding| -> Vec<Option<Pass<T>>> {
            segments.par_iter().map(|s| run(s, encoding)).collect()
        };
        let mut encoding = encoding;
        let mut passes = read_all(encoding);
        if not_utf8.load(Ordering::Relaxed) {
            encoding = TextEncoding::Windows1252;
            passes = read_all(encoding);
        }
        // (a pass is skipped only while text sniffed as UTF-8 is found not to be)
        let mut results: Vec<Pass<T>> = passes.into_iter().flatten().collect();
        debug_assert_eq!(results.len(), segments.len());
        // years: redo, in order, every segment that did not start from the true state
        for i in 1..segments.len() {
            let truth = results[i - 1].years;
            if !truth.continues_as(segments[i].years) {
                segments[i].years = truth;
                if let Some(pass) = run(&segments[i], encoding) {
                    results[i] = pass;
                }
            }
        }
        let mut stats = results[0].stats;
        for r in &results[1..] {
            stats.add(&r.stats);
        }
        stats.bytes = buf.len() as u64;
        stats.bom_len = bom as u8;
        let mut lines_before = 0;
        let outputs = results
            .into_iter()
            .map(|r| {
                let out = SegmentOutput {
                    value: r.value,
                    lines_before,
                };
                lines_before += r.lines;
                out
            })
            .collect();
        (outputs, stats)
    }

    /// Cut `buf` into at most `parts` segments that start at header lines.
    fn cut(
        &self,
        buf: &[u8],
        encoding: TextEncoding,
        bom: usize,
        parts: usize,
        min_segment: usize,
    ) -> Vec<Segment> {
        let first = YearState::new(self.year_policy());
        let whole = |end| Segment {
            start: bom,
            end,
            years: first,
        };
        let body = buf.len() - bom;
        let parts = parts.min(body / min_segment.max(1)).max(1);
        if parts == 1 {
            return vec![whole(buf.len())];
        }
        let unit = encoding.unit();
        let mut starts: Vec<(usize, u8)> = Vec::with_capacity(parts);
        for k in 1..parts {
            let target = bom + (body / parts * k) / unit * unit;
            if starts.last().is_some_and(|&(s, _)| s >= target) {
                continue;
            }
            if let Some(found) = self.next_header(buf, encoding, target) {
                if starts.last().is_none_or(|&(s, _)| s < found.0) {
                    starts.push(found);
                }
            }
        }
        let mut segments = vec![whole(starts.first().map_or(buf.len(), |s| s.0))];
        // the provisional year of later segments: the year of the file's first record
        let first_year = self.first_year(buf, encoding, bom, segments[0].end);
        for (i, &(start, month)) in starts.iter().enumerate() {
            let end = starts.get(i + 1).map_or(buf.len(), |s| s.0);
            let years = match first_year {
                Some(year) => YearState::continuing(self.year_policy(), year, month),
                None => first,
            };
            segments.push(Segment { start, end, years });
        }
        segments
    }

    /// The first header line that starts after `from` (within [`MAX_SEEK_BYTES`]): its
    /// offset and month.
    fn next_header(&self, buf: &[u8], encoding: TextEncoding, from: usize) -> Option<(usize, u8)> {
        let limit = buf.len().min(from.saturating_add(MAX_SEEK_BYTES));
        // the line containing `from` may be cut: skip it
        Lines::new(&buf[..limit], from, encoding)
            .skip(1)
            .filter(|line| line.end < limit || limit == buf.len())
            .find_map(|line| {
                header_month(buf, &line, encoding, self.is_tolerant()).map(|m| (line.start, m))
            })
    }

    /// The year of the first record in `buf[bom..end]`, if any.
    fn first_year(
        &self,
        buf: &[u8],
        encoding: TextEncoding,
        bom: usize,
        end: usize,
    ) -> Option<i32> {
        let mut entries = Entries::resume(
            &buf[..end],
            encoding,
            bom,
            Position { byte: 0, line: 1 },
            self.is_tolerant(),
            YearState::new(self.year_policy()),
            false,
            true,
        );
        entries.find_map(|e| match e {
            super::Entry::Record(r) => Some(r.year()),
            super::Entry::Unparsed(_) => None,
        })
    }
}

impl ErrlogParser {
    /// The byte ranges of at most `parts` segments of `buf` (in `encoding`, after a `bom`)
    /// that each start at a header line, as [`ErrlogParser::par_segments`] cuts them (for
    /// other passes over the same buffer, such as the triage pass).
    pub(crate) fn segment_ranges_in(
        &self,
        buf: &[u8],
        encoding: TextEncoding,
        bom: usize,
        parts: usize,
        min_segment: usize,
    ) -> Vec<Range<usize>> {
        self.cut(buf, encoding, bom, parts, min_segment)
            .iter()
            .map(|s| s.start..s.end)
            .collect()
    }
}

/// Byte ranges of the segments `par_segments_sized` would use (for tests and diagnostics).
#[doc(hidden)]
pub fn segment_ranges(
    parser: &ErrlogParser,
    buf: &[u8],
    parts: usize,
    min_segment: usize,
) -> Vec<Range<usize>> {
    let sniffed = TextEncoding::sniff(buf);
    parser.segment_ranges_in(buf, sniffed.encoding, sniffed.bom_len, parts, min_segment)
}
