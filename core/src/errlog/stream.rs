//! A streaming errlog reader over `io::Read`: owned entries, bounded memory.
//!
//! The reader keeps one window of input. Each round it reads at least [`BLOCK`] more bytes,
//! parses the complete lines of the window in incremental mode, emits every finished entry
//! as an owned [`EntryBuf`], and keeps only the bytes of a record that may still receive
//! continuation lines. Memory is therefore bounded by the block size plus the largest
//! single record. Years are anchored on the first record (see [`YearPolicy`]).

use std::collections::VecDeque;
use std::io::Read;

use memchr::memrchr2;

use super::reader::{Entries, Stats, YearState};
use super::record::EntryBuf;
use super::ErrlogParser;
use crate::error::{Error, Result};
use crate::position::Position;
use crate::text::TextEncoding;

/// Bytes read per round.
pub const BLOCK: usize = 1 << 20;

/// Bytes gathered before the encoding is sniffed (invalid UTF-8 later than this is decoded
/// lossily instead of switching the whole stream to Windows-1252).
pub const SNIFF_LEN: usize = 64 << 10;

/// Streaming reader; see the module docs. Built by [`ErrlogParser::stream`].
pub struct ErrlogStream<R> {
    reader: R,
    parser: ErrlogParser,
    window: Vec<u8>,
    block: usize,
    base: Position,
    encoding: Option<(TextEncoding, usize)>,
    years: YearState,
    started: bool,
    queue: VecDeque<EntryBuf>,
    stats: Stats,
    eof: bool,
    failed: bool,
}

impl<R: Read> ErrlogStream<R> {
    pub(crate) fn new(reader: R, parser: ErrlogParser) -> Self {
        ErrlogStream {
            reader,
            parser,
            window: Vec::new(),
            block: BLOCK,
            base: Position { byte: 0, line: 1 },
            encoding: None,
            years: YearState::new(parser.year_policy()),
            started: false,
            queue: VecDeque::new(),
            stats: Stats {
                bytes: 0,
                lines: 0,
                records: 0,
                continuation_lines: 0,
                unparsed_lines: 0,
                blank_lines: 0,
                encoding: TextEncoding::Utf8,
                bom_len: 0,
            },
            eof: false,
            failed: false,
        }
    }

    /// Read `bytes` per round instead of 1 MiB (at least 1; for tests and tuning).
    #[must_use]
    pub fn block_size(mut self, bytes: usize) -> Self {
        self.block = bytes.max(1);
        self
    }

    /// Counts over what has been yielded so far (complete after the last entry).
    pub fn stats(&self) -> Stats {
        self.stats
    }

    fn read_block(&mut self) -> std::io::Result<()> {
        let target = self.window.len() + self.block;
        let mut chunk = [0u8; 64 * 1024];
        while self.window.len() < target {
            let want = (target - self.window.len()).min(chunk.len());
            match self.reader.read(&mut chunk[..want]) {
                Ok(0) => {
                    self.eof = true;
                    break;
                }
                Ok(n) => {
                    self.window.extend_from_slice(&chunk[..n]);
                    self.stats.bytes += n as u64;
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// End of the last complete line in the window (0 when there is none).
    fn complete_end(&self, enc: TextEncoding, start: usize) -> usize {
        let w = &self.window;
        if !enc.is_utf16() {
            return match memrchr2(b'\n', b'\r', &w[start..]) {
                // a CR as the very last byte may be half of a CRLF
                Some(i) if w[start + i] == b'\r' && start + i + 1 == w.len() => {
                    memrchr2(b'\n', b'\r', &w[start..start + i]).map_or(0, |j| start + j + 1)
                }
                Some(i) => start + i + 1,
                None => 0,
            };
        }
        let mut units = (w.len() - start) / 2;
        while units > 0 {
            let at = start + (units - 1) * 2;
            let u = enc.unit_at(w, at);
            if u == u16::from(b'\n') || (u == u16::from(b'\r') && units * 2 + start < w.len()) {
                return at + 2;
            }
            units -= 1;
        }
        0
    }

    fn fill(&mut self) -> Result<()> {
        while self.queue.is_empty() && !(self.eof && self.window.is_empty()) {
            if !self.eof {
                self.read_block().map_err(Error::from)?;
            }
            let (enc, bom) = match self.encoding {
                Some(e) => e,
                None if !self.eof && self.window.len() < SNIFF_LEN => continue,
                None => {
                    let s = TextEncoding::sniff_prefix(&self.window, self.eof);
                    self.stats.encoding = s.encoding;
                    self.stats.bom_len = s.bom_len as u8;
                    self.encoding = Some((s.encoding, s.bom_len));
                    (s.encoding, s.bom_len)
                }
            };
            let start = if self.base.byte == 0 {
                bom.min(self.window.len())
            } else {
                0
            };
            let end = if self.eof {
                self.window.len()
            } else {
                self.complete_end(enc, start)
            };
            if end <= start && !self.eof {
                continue;
            }
            let region = &self.window[..end];
            let mut it = Entries::resume(
                region,
                enc,
                start,
                self.base,
                self.parser.is_tolerant(),
                self.years,
                self.started,
                self.eof,
            );
            self.queue.extend(it.by_ref().map(|e| e.into_owned()));
            let s = it.stats();
            self.stats.lines += s.lines;
            self.stats.records += s.records;
            self.stats.continuation_lines += s.continuation_lines;
            self.stats.unparsed_lines += s.unparsed_lines;
            self.stats.blank_lines += s.blank_lines;
            self.years = it.years();
            self.started = it.started();
            let (keep_from, next_line) = it.resume_point().unwrap_or((end, it.next_line_no()));
            if keep_from == 0 {
                // the open record fills the whole window: read more before parsing again
                if self.eof {
                    break;
                }
                continue;
            }
            self.window.drain(..keep_from);
            self.base = Position {
                byte: self.base.byte + keep_from as u64,
                line: next_line,
            };
            if self.eof && self.window.is_empty() {
                break;
            }
        }
        Ok(())
    }
}

impl<R: Read> Iterator for ErrlogStream<R> {
    type Item = Result<EntryBuf>;

    fn next(&mut self) -> Option<Result<EntryBuf>> {
        if self.failed {
            return None;
        }
        if self.queue.is_empty() {
            if let Err(e) = self.fill() {
                self.failed = true;
                return Some(Err(e));
            }
        }
        self.queue.pop_front().map(Ok)
    }
}
