//! Positions in an input: a byte offset plus a 1-based line number, and byte spans.

use serde::Serialize;

/// Where something starts in its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct Position {
    /// Byte offset from the start of the input (BOM included).
    pub byte: u64,
    /// 1-based physical line number.
    pub line: u64,
}

/// A half-open byte range `start..end` in some buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end`.
    pub const fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// Length in bytes.
    pub const fn len(&self) -> usize {
        self.end - self.start
    }

    /// True when the span is empty.
    pub const fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// Shift the span by `by` bytes.
    #[must_use]
    pub const fn offset(self, by: usize) -> Span {
        Span {
            start: self.start + by,
            end: self.end + by,
        }
    }

    /// The bytes this span covers in `buf` (empty when out of range).
    pub fn slice<'a>(&self, buf: &'a [u8]) -> &'a [u8] {
        buf.get(self.start..self.end).unwrap_or(&[])
    }
}

impl From<std::ops::Range<usize>> for Span {
    fn from(r: std::ops::Range<usize>) -> Self {
        Span {
            start: r.start,
            end: r.end,
        }
    }
}
