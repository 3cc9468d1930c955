//! Text encodings of log files, and line splitting that works on the raw bytes.
//!
//! Errlogs are most likely UTF-16LE with a BOM (see `errlog-format.md` §7), but copies are
//! re-saved by hand as UTF-8 or "ANSI" (Windows-1252). The parsers never transcode a whole
//! file: [`TextEncoding::sniff`] decides the encoding once, [`Lines`] finds line breaks
//! directly in the raw bytes (on 16-bit code units for UTF-16), and [`TextEncoding::decode`]
//! turns only the slices that are asked for into text.
//!
//! Invariants:
//! * every byte of the input after the BOM belongs to exactly one [`Line`] (its content or
//!   its terminator); a trailing terminator does not start an extra, empty line;
//! * for UTF-16 every line boundary falls on a code-unit boundary (an even distance from
//!   the end of the BOM); a dangling odd byte at the end of the file stays in the last
//!   line's content and decodes to U+FFFD;
//! * terminators are CRLF, LF or a lone CR (each one line break).

use std::borrow::Cow;

use memchr::memchr2;
use serde::Serialize;

/// The text encoding of an input file, as sniffed from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TextEncoding {
    /// UTF-8 (with or without BOM).
    Utf8,
    /// UTF-16 little-endian (with or without BOM).
    Utf16Le,
    /// UTF-16 big-endian (with BOM).
    Utf16Be,
    /// Windows-1252 ("ANSI"): also the fallback for bytes that are not valid UTF-8.
    Windows1252,
}

/// The outcome of sniffing: the encoding and how many BOM bytes precede the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Sniffed {
    /// The encoding of the text.
    pub encoding: TextEncoding,
    /// Length of the byte-order mark (0, 2 or 3).
    pub bom_len: usize,
}

impl TextEncoding {
    /// A short lower-case name (`utf-8`, `utf-16le`, `utf-16be`, `windows-1252`).
    pub fn name(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "utf-8",
            TextEncoding::Utf16Le => "utf-16le",
            TextEncoding::Utf16Be => "utf-16be",
            TextEncoding::Windows1252 => "windows-1252",
        }
    }

    /// True for the 16-bit encodings.
    pub fn is_utf16(self) -> bool {
        matches!(self, TextEncoding::Utf16Le | TextEncoding::Utf16Be)
    }

    /// Decide the encoding of `buf`.
    ///
    /// BOMs win (`FF FE` UTF-16LE, `FE FF` UTF-16BE, `EF BB BF` UTF-8). Without a BOM, a
    /// sample with NUL bytes in most odd positions (and few in even ones) is UTF-16LE, the
    /// mirror image UTF-16BE; otherwise the text is UTF-8 when the whole input is valid
    /// UTF-8, else Windows-1252.
    pub fn sniff(buf: &[u8]) -> Sniffed {
        let (encoding, bom_len) = match buf {
            [0xFF, 0xFE, ..] => (TextEncoding::Utf16Le, 2),
            [0xFE, 0xFF, ..] => (TextEncoding::Utf16Be, 2),
            [0xEF, 0xBB, 0xBF, ..] => (Self::utf8_or_ansi(&buf[3..]), 3),
            _ => (Self::sniff_without_bom(buf), 0),
        };
        Sniffed { encoding, bom_len }
    }

    /// Like [`TextEncoding::sniff`] for the first part of a stream: a multi-byte UTF-8
    /// sequence cut by the end of `prefix` does not count as invalid unless `complete`.
    pub fn sniff_prefix(prefix: &[u8], complete: bool) -> Sniffed {
        let s = Self::sniff(prefix);
        if complete || s.encoding != TextEncoding::Windows1252 {
            return s;
        }
        match std::str::from_utf8(&prefix[s.bom_len..]) {
            Err(e) if e.error_len().is_none() => Sniffed {
                encoding: TextEncoding::Utf8,
                ..s
            },
            _ => s,
        }
    }

    fn sniff_without_bom(buf: &[u8]) -> TextEncoding {
        let sample = &buf[..buf.len().min(4096) & !1];
        if sample.len() >= 4 {
            let pairs = sample.len() / 2;
            let (mut zero_even, mut zero_odd) = (0usize, 0usize);
            for pair in sample.chunks_exact(2) {
                zero_even += usize::from(pair[0] == 0);
                zero_odd += usize::from(pair[1] == 0);
            }
            // ASCII-heavy UTF-16 text has a NUL in (nearly) every high byte.
            if zero_odd * 10 >= pairs * 6 && zero_even * 10 <= pairs {
                return TextEncoding::Utf16Le;
            }
            if zero_even * 10 >= pairs * 6 && zero_odd * 10 <= pairs {
                return TextEncoding::Utf16Be;
            }
        }
        Self::utf8_or_ansi(buf)
    }

    fn utf8_or_ansi(text: &[u8]) -> TextEncoding {
        if simdutf8::basic::from_utf8(text).is_ok() {
            TextEncoding::Utf8
        } else {
            TextEncoding::Windows1252
        }
    }

    /// Width of one code unit in bytes.
    pub(crate) fn unit(self) -> usize {
        if self.is_utf16() {
            2
        } else {
            1
        }
    }

    /// Decode `bytes` (a slice of text in this encoding, BOM excluded) to a string.
    ///
    /// Borrows for UTF-8 and for pure-ASCII Windows-1252; invalid sequences (lone
    /// surrogates, bad UTF-8) become U+FFFD, so this never fails.
    pub fn decode(self, bytes: &[u8]) -> Cow<'_, str> {
        match self {
            TextEncoding::Utf8 => match simdutf8::basic::from_utf8(bytes) {
                Ok(s) => Cow::Borrowed(s),
                Err(_) => String::from_utf8_lossy(bytes),
            },
            TextEncoding::Windows1252 => {
                encoding_rs::WINDOWS_1252
                    .decode_without_bom_handling(bytes)
                    .0
            }
            TextEncoding::Utf16Le => Cow::Owned(decode_utf16(bytes, u16::from_le_bytes)),
            TextEncoding::Utf16Be => Cow::Owned(decode_utf16(bytes, u16::from_be_bytes)),
        }
    }

    /// The code unit at byte offset `at` (which must be in bounds and unit-aligned).
    #[inline]
    pub(crate) fn unit_at(self, buf: &[u8], at: usize) -> u16 {
        match self {
            TextEncoding::Utf16Le => u16::from_le_bytes([buf[at], buf[at + 1]]),
            TextEncoding::Utf16Be => u16::from_be_bytes([buf[at], buf[at + 1]]),
            _ => u16::from(buf[at]),
        }
    }
}

fn decode_utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> String {
    // Fast path: pure ASCII text (what errlogs mostly are) narrows byte by byte.
    if bytes.len() % 2 == 0 && bytes.chunks_exact(2).all(|c| unit([c[0], c[1]]) < 0x80) {
        let ascii: Vec<u8> = bytes
            .chunks_exact(2)
            .map(|c| unit([c[0], c[1]]) as u8)
            .collect();
        return String::from_utf8(ascii).unwrap_or_default();
    }
    let units = bytes.chunks_exact(2).map(|c| unit([c[0], c[1]]));
    let mut out: String = char::decode_utf16(units)
        .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect();
    if bytes.len() % 2 == 1 {
        out.push(char::REPLACEMENT_CHARACTER);
    }
    out
}

/// One physical line: byte offsets into the buffer it was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line {
    /// First byte of the line.
    pub start: usize,
    /// One past the last byte of the content (terminator excluded).
    pub content_end: usize,
    /// One past the terminator (equals `content_end` for a last line without one).
    pub end: usize,
}

impl Line {
    /// True when the line has no terminator (the last line of a truncated file).
    pub fn is_unterminated(&self) -> bool {
        self.end == self.content_end
    }
}

/// Iterator over the physical lines of a buffer, found with `memchr` on the raw bytes.
#[derive(Debug, Clone)]
pub struct Lines<'a> {
    buf: &'a [u8],
    pos: usize,
    encoding: TextEncoding,
}

impl<'a> Lines<'a> {
    /// Lines of `buf` starting at byte `start` (just after the BOM), in `encoding`.
    pub fn new(buf: &'a [u8], start: usize, encoding: TextEncoding) -> Self {
        Lines {
            buf,
            pos: start.min(buf.len()),
            encoding,
        }
    }

    /// Byte offset where the next line starts.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Find the next terminator at or after `from`: (content end, terminator end).
    #[inline]
    fn find_break(&self, from: usize) -> Option<(usize, usize)> {
        let buf = self.buf;
        match self.encoding {
            TextEncoding::Utf8 | TextEncoding::Windows1252 => {
                let i = from + memchr2(b'\n', b'\r', &buf[from..])?;
                if buf[i] == b'\r' && buf.get(i + 1) == Some(&b'\n') {
                    Some((i, i + 2))
                } else {
                    Some((i, i + 1))
                }
            }
            TextEncoding::Utf16Le | TextEncoding::Utf16Be => self.find_break_utf16(from),
        }
    }

    /// [`Lines::find_break`] for UTF-16, out of line so that the UTF-8 path stays inlined.
    #[inline(never)]
    fn find_break_utf16(&self, from: usize) -> Option<(usize, usize)> {
        let buf = self.buf;
        // For LE the ASCII byte of a unit is at an even distance from `from`, for BE at
        // an odd one; the other byte of the unit must be zero.
        let low = usize::from(self.encoding == TextEncoding::Utf16Be);
        let mut at = from;
        loop {
            let i = at + memchr2(b'\n', b'\r', &buf[at..])?;
            let unit_start = i - low;
            if i >= from + low && (unit_start - from) % 2 == 0 && unit_start + 2 <= buf.len() {
                let hi = if low == 0 { buf[i + 1] } else { buf[i - 1] };
                if hi == 0 {
                    let end = unit_start + 2;
                    if buf[i] == b'\r'
                        && end + 2 <= buf.len()
                        && self.encoding.unit_at(buf, end) == u16::from(b'\n')
                    {
                        return Some((unit_start, end + 2));
                    }
                    return Some((unit_start, end));
                }
            }
            at = i + 1;
        }
    }
}

/// Line breaks in `buf[from..to]` (CRLF counts once, as [`Lines`] does); `from` and `to`
/// are line starts, `from` unit-aligned for UTF-16. Counted as LF + CR − CRLF with
/// vectorised counts and searches, not line by line.
pub(crate) fn count_breaks(buf: &[u8], enc: TextEncoding, from: usize, to: usize) -> u64 {
    let s = &buf[from..to];
    let lo = match enc {
        TextEncoding::Utf8 | TextEncoding::Windows1252 => {
            let lf = memchr::memchr_iter(b'\n', s).count();
            if memchr::memchr(b'\r', s).is_none() {
                return lf as u64;
            }
            let cr = memchr::memchr_iter(b'\r', s).count();
            return (lf + cr - memchr::memmem::find_iter(s, b"\r\n").count()) as u64;
        }
        TextEncoding::Utf16Le => 0,
        _ => 1,
    };
    // UTF-16 (`from` is unit-aligned): the low byte of a unit whose high byte is 0
    let unit_is = |i: usize, b: u8| s.get(i) == Some(&b) && s.get(i ^ 1) == Some(&0);
    let mut n = 0;
    for i in memchr::memchr2_iter(b'\n', b'\r', s) {
        if i % 2 != lo || s.get(i ^ 1) != Some(&0) {
            continue;
        }
        // a CR followed by LF is one break: counted at the LF
        if s[i] == b'\n' || !unit_is(i + 2, b'\n') {
            n += 1;
        }
    }
    n
}

impl Iterator for Lines<'_> {
    type Item = Line;

    #[inline]
    fn next(&mut self) -> Option<Line> {
        let start = self.pos;
        if start >= self.buf.len() {
            return None;
        }
        let (content_end, end) = self
            .find_break(start)
            .unwrap_or((self.buf.len(), self.buf.len()));
        self.pos = end;
        Some(Line {
            start,
            content_end,
            end,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16le(s: &str, bom: bool) -> Vec<u8> {
        let mut v = if bom { vec![0xFF, 0xFE] } else { vec![] };
        v.extend(s.encode_utf16().flat_map(u16::to_le_bytes));
        v
    }

    fn utf16be(s: &str) -> Vec<u8> {
        let mut v = vec![0xFE, 0xFF];
        v.extend(s.encode_utf16().flat_map(u16::to_be_bytes));
        v
    }

    #[test]
    fn sniff_table() {
        let cases: Vec<(Vec<u8>, TextEncoding, usize)> = vec![
            (utf16le("44B4\t3968\r\n", true), TextEncoding::Utf16Le, 2),
            (utf16le("44B4\t3968\r\n", false), TextEncoding::Utf16Le, 0),
            (utf16be("44B4\t3968\r\n"), TextEncoding::Utf16Be, 2),
            (b"\xEF\xBB\xBFabc\n".to_vec(), TextEncoding::Utf8, 3),
            (b"abc\n".to_vec(), TextEncoding::Utf8, 0),
            (
                "d\u{e9}j\u{e0}\n".as_bytes().to_vec(),
                TextEncoding::Utf8,
                0,
            ),
            (
                b"C:\\Donn\xe9es\\R\xe9cup\n".to_vec(),
                TextEncoding::Windows1252,
                0,
            ),
            (vec![], TextEncoding::Utf8, 0),
            (vec![0xFF, 0xFE], TextEncoding::Utf16Le, 2),
        ];
        for (input, enc, bom) in cases {
            let s = TextEncoding::sniff(&input);
            assert_eq!((s.encoding, s.bom_len), (enc, bom), "input {input:?}");
        }
    }

    #[test]
    fn decode_table() {
        assert_eq!(
            TextEncoding::Windows1252.decode(b"Donn\xe9es \x80"),
            "Données €"
        );
        assert!(matches!(
            TextEncoding::Utf8.decode(b"abc"),
            Cow::Borrowed("abc")
        ));
        assert_eq!(TextEncoding::Utf16Le.decode(&utf16le("é€", false)), "é€");
        assert_eq!(TextEncoding::Utf16Be.decode(&utf16be("é")[2..]), "é");
        // lone surrogate and dangling byte
        assert_eq!(
            TextEncoding::Utf16Le.decode(&[0x00, 0xD8, 0x41, 0x00, 0x42]),
            "\u{FFFD}A\u{FFFD}"
        );
    }

    fn split(buf: &[u8], enc: TextEncoding, start: usize) -> Vec<(usize, usize, usize)> {
        Lines::new(buf, start, enc)
            .map(|l| (l.start, l.content_end, l.end))
            .collect()
    }

    #[test]
    fn line_breaks_bytes() {
        let e = TextEncoding::Utf8;
        assert_eq!(
            split(b"a\r\nbb\ncc\rd", e, 0),
            vec![(0, 1, 3), (3, 5, 6), (6, 8, 9), (9, 10, 10)]
        );
        assert_eq!(split(b"a\n", e, 0), vec![(0, 1, 2)]);
        assert_eq!(split(b"\n\n", e, 0), vec![(0, 0, 1), (1, 1, 2)]);
        assert_eq!(split(b"", e, 0), vec![]);
        assert_eq!(split(b"a\r\r\n", e, 0), vec![(0, 1, 2), (2, 2, 4)]);
    }

    #[test]
    fn line_breaks_utf16() {
        let buf = utf16le("a\r\nb\nc\rd", true);
        assert_eq!(
            split(&buf, TextEncoding::Utf16Le, 2),
            vec![(2, 4, 8), (8, 10, 12), (12, 14, 16), (16, 18, 18)]
        );
        // U+0A0D is not a line break, nor is U+0D0A; a 0x0A low byte of U+010A neither.
        let buf = utf16le("\u{0A0D}\u{010A}x\n", false);
        assert_eq!(split(&buf, TextEncoding::Utf16Le, 0), vec![(0, 6, 8)]);
        let buf = utf16be("a\r\nb");
        assert_eq!(
            split(&buf, TextEncoding::Utf16Be, 2),
            vec![(2, 4, 8), (8, 10, 10)]
        );
        // dangling odd byte
        let mut buf = utf16le("a\n", false);
        buf.push(b'z');
        assert_eq!(
            split(&buf, TextEncoding::Utf16Le, 0),
            vec![(0, 2, 4), (4, 5, 5)]
        );
    }
}
