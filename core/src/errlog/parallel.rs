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
//! * **Line numbers.** The physical lines of every segment are counted first (in
//!   parallel), so each segment starts with its true line number.
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

use rayon::prelude::*;

use super::reader::{header_month, Entries, Stats, YearState};
use super::ErrlogParser;
use crate::position::Position;
use crate::text::{count_breaks, Lines, TextEncoding};

/// Segments smaller than this are not worth a thread.
const MIN_SEGMENT_BYTES: usize = 1 << 20;

/// How much of the input decides its encoding up front (the rest is only checked to be
/// valid UTF-8, in parallel).
const SNIFF_SAMPLE_BYTES: usize = 64 << 10;

/// How far past a cut point to look for a header line before giving the cut up.
const MAX_SEEK_BYTES: usize = 1 << 20;

/// One segment: its bytes, the number of its first line, and the state it starts from.
#[derive(Debug, Clone, Copy)]
struct Segment {
    start: usize,
    end: usize,
    first_line: u64,
    years: YearState,
}

impl ErrlogParser {
    /// Read `buf` in up to `parts` segments on the rayon pool, calling `f` with each
    /// segment's [`Entries`] and returning the results in input order, with the stats of
    /// the whole buffer.
    ///
    /// The segments' entries, concatenated, are exactly what [`ErrlogParser::entries`]
    /// yields, with the same positions and years (see the module invariants). `f` should
    /// read its entries to the end (whatever it leaves is drained). It is called once per
    /// segment, and once more for a segment whose provisional year turned out wrong (a log
    /// spanning a New Year); only the last call's result is kept. Buffers under about
    /// 1 MiB per part are read in fewer parts, down to one.
    ///
    /// ```
    /// use marslog::errlog::{Entry, ErrlogParser};
    ///
    /// let line = "44B4\t3968\t10/21\t21:02:21.611\t71\tbackupasync.cpp(1184)\t\t\tNORMAL\tok\r\n";
    /// let log = line.repeat(100_000);
    /// let parser = ErrlogParser::new().with_year(2025);
    /// let (counts, stats) = parser.par_segments(log.as_bytes(), 4, |entries| {
    ///     entries.filter(|e| matches!(e, Entry::Record(_))).count()
    /// });
    /// assert_eq!(counts.iter().sum::<usize>(), 100_000);
    /// assert_eq!(stats.records, 100_000);
    /// ```
    pub fn par_segments<T, F>(&self, buf: &[u8], parts: usize, f: F) -> (Vec<T>, Stats)
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
    ) -> (Vec<T>, Stats)
    where
        T: Send,
        F: Fn(&mut Entries<'_>) -> T + Sync,
    {
        // The encoding from the BOM or a sample. Text that looks like UTF-8 must be valid
        // UTF-8 as a whole (else it is Windows-1252, as `TextEncoding::sniff` decides): the
        // segments are checked in parallel below; they start after a line break, an ASCII
        // byte, so they are valid one by one exactly when the whole is.
        let sample_len = buf.len().min(SNIFF_SAMPLE_BYTES);
        let sniffed = TextEncoding::sniff_prefix(&buf[..sample_len], sample_len == buf.len());
        let (mut encoding, bom) = (sniffed.encoding, sniffed.bom_len);
        let check_utf8 = encoding == TextEncoding::Utf8 && sample_len < buf.len();
        // cut points do not depend on which 8-bit encoding it is
        let mut segments = self.cut(buf, encoding, bom, parts, min_segment);
        let segments_ref = &segments;
        // line numbers: count every segment's lines but the last, then add up
        // (a small buffer was checked whole by the sniff: its text is taken again, cheaply)
        let is_utf8 = encoding == TextEncoding::Utf8;
        let checked: Vec<(u64, Result<&str, ()>)> = (0..segments.len())
            .into_par_iter()
            .map(|i| {
                let s = segments_ref[i];
                let last = i + 1 == segments_ref.len();
                let lines = if last {
                    0
                } else {
                    count_breaks(buf, encoding, s.start, s.end)
                };
                let text = if is_utf8 {
                    simdutf8::basic::from_utf8(&buf[s.start..s.end]).map_err(drop)
                } else {
                    Err(())
                };
                (lines, text)
            })
            .collect();
        if check_utf8 && checked.iter().any(|(_, text)| text.is_err()) {
            encoding = TextEncoding::Windows1252;
        }
        let texts: Vec<Option<&str>> = checked
            .iter()
            .map(|(_, text)| match encoding {
                TextEncoding::Utf8 => text.ok(),
                _ => None,
            })
            .collect();
        for i in 1..segments.len() {
            segments[i].first_line = segments[i - 1].first_line + checked[i - 1].0;
        }
        let run = |i: usize, s: &Segment| -> (T, Stats, YearState) {
            let mut entries = Entries::resume(
                &buf[..s.end],
                encoding,
                s.start,
                Position {
                    byte: 0,
                    line: s.first_line,
                },
                self.is_tolerant(),
                s.years,
                s.start > bom,
                true,
            )
            .with_utf8(texts[i]);
            let out = f(&mut entries);
            entries.by_ref().for_each(drop);
            (out, entries.stats(), entries.years())
        };
        let mut results: Vec<(T, Stats, YearState)> = segments
            .par_iter()
            .enumerate()
            .map(|(i, s)| run(i, s))
            .collect();
        // years: redo, in order, every segment that did not start from the true state
        for i in 1..segments.len() {
            let truth = results[i - 1].2;
            if !truth.continues_as(segments[i].years) {
                segments[i].years = truth;
                results[i] = run(i, &segments[i]);
            }
        }
        let mut stats = results[0].1;
        for r in &results[1..] {
            stats.add(&r.1);
        }
        stats.bytes = buf.len() as u64;
        stats.bom_len = bom as u8;
        (results.into_iter().map(|r| r.0).collect(), stats)
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
            first_line: 1,
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
            segments.push(Segment {
                start,
                end,
                first_line: 0,
                years,
            });
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
