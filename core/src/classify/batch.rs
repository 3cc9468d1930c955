//! Classification of parsed entries, many at a time ([`Classifier::classify_entries`]).
//!
//! A caller that parses every record anyway (to print it, or to build columns) and wants it
//! classified could call [`Classifier::classify_record`] on each: the full anchor automaton
//! over every message, ~0.6 GB/s. Here the entries are collected into batches instead: the
//! text of each (a record's message, continuation lines included; an unparsed line's text)
//! is folded into one buffer, a line break between two, and the buffer is searched by the
//! first stage of the triage pass (`prefilter`) at once (the upper-case id word, which the
//! fold cannot tell from `id`, is found folded and checked in the entry's raw text). Only the entries
//! with a candidate are decoded and checked by the matcher. Record headers are never
//! searched, since a record's findings come from its message alone.
//!
//! Invariants:
//! * **Same findings.** The findings, and their order, are exactly those of
//!   [`Classifier::classify_text`] on every entry's text, in input order, with the
//!   location of the entry (tested against that loop in `tests/classify_entries.rs`). The
//!   first stage only ever adds candidates (see `prefilter`); every occurrence of a string
//!   it looks for lies inside one entry's text, which is contiguous in the batch, so the
//!   separators between texts can add a false candidate but never hide a true one.
//! * **Bounded memory.** A batch holds about [`BATCH_BYTES`] of text (one entry's text may
//!   make it longer), whatever the input's size.
//! * Entries of several encodings may be mixed: a batch is flushed when the encoding
//!   changes.

use super::prefilter::{fold, fold_utf16, Prefilter};
use super::{Classifier, Finding, Location};
use crate::errlog::Entry;
use crate::text::TextEncoding;

/// Text collected before a batch is searched (in bytes of the input's encoding).
pub(crate) const BATCH_BYTES: usize = 64 << 10;

/// The text of an entry, in its input's encoding.
fn text_bytes<'a>(e: &Entry<'a>) -> &'a [u8] {
    match e {
        Entry::Record(r) => r.message_bytes(),
        Entry::Unparsed(u) => &u.raw[..u.content_len],
    }
}

fn encoding_of(e: &Entry<'_>) -> TextEncoding {
    match e {
        Entry::Record(r) => r.encoding(),
        Entry::Unparsed(u) => u.encoding,
    }
}

/// The location of an entry's findings (as the triage pass gives it).
fn location_of(e: &Entry<'_>) -> Location {
    match e {
        Entry::Record(r) => Location::of_record(r),
        Entry::Unparsed(u) => Location {
            line: Some(u.position().line),
            offset: u.position().byte,
            ..Location::default()
        },
    }
}

/// Whether the text `raw` (in `enc`) has the upper-case id word at unit `q`: `ID` followed
/// by `:`, a space, a TAB or a non-ASCII character (the rule of the triage pass; at the end
/// of a text the next unit is a line break, so no).
fn is_id_word_at(raw: &[u8], enc: TextEncoding, q: usize) -> bool {
    let unit = enc.unit();
    let at = q * unit;
    at + 3 * unit <= raw.len()
        && enc.unit_at(raw, at) == u16::from(b'I')
        && enc.unit_at(raw, at + unit) == u16::from(b'D')
        && matches!(enc.unit_at(raw, at + 2 * unit), 0x3A | 0x20 | 0x09 | 0x80..)
}

/// A batch of entries waiting to be searched.
pub(crate) struct Batch<'a> {
    entries: Vec<Entry<'a>>,
    /// Where each entry's text starts in `folded` (in code units).
    starts: Vec<usize>,
    /// The texts, folded (see `prefilter`), each followed by a folded line break.
    folded: Vec<u8>,
    found: Vec<(usize, usize)>,
    /// Entries with a candidate (indices into `entries`), sorted, deduplicated.
    hits: Vec<usize>,
    encoding: Option<TextEncoding>,
}

impl<'a> Batch<'a> {
    pub(crate) fn new() -> Self {
        Batch {
            entries: Vec::new(),
            starts: Vec::new(),
            folded: Vec::with_capacity(BATCH_BYTES + 4096),
            found: Vec::new(),
            hits: Vec::new(),
            encoding: None,
        }
    }

    /// Add an entry; searches and empties the batch first when it is full or of another
    /// encoding, sending its findings to `sink`.
    #[inline]
    pub(crate) fn push(&mut self, c: &Classifier, e: Entry<'a>, sink: &mut dyn FnMut(Finding)) {
        let enc = encoding_of(&e);
        if self.encoding.is_some_and(|x| x != enc) || self.folded.len() >= BATCH_BYTES {
            self.flush(c, sink);
        }
        self.encoding = Some(enc);
        self.starts.push(self.folded.len());
        let text = text_bytes(&e);
        match enc {
            TextEncoding::Utf8 | TextEncoding::Windows1252 => {
                let from = self.folded.len();
                self.folded.extend_from_slice(text);
                self.folded[from..].iter_mut().for_each(|b| *b = fold(*b));
            }
            _ => {
                // a truncated UTF-16 text's odd last byte is no unit
                let from = self.folded.len();
                self.folded.resize(from + text.len() / 2, 0);
                if enc == TextEncoding::Utf16Le {
                    fold_utf16::<true>(text, &mut self.folded[from..]);
                } else {
                    fold_utf16::<false>(text, &mut self.folded[from..]);
                }
            }
        }
        self.folded.push(fold(b'\n'));
        self.entries.push(e);
    }

    /// Search the batch, send its findings to `sink`, and empty it.
    #[inline(never)]
    pub(crate) fn flush(&mut self, c: &Classifier, sink: &mut dyn FnMut(Finding)) {
        let Some(enc) = self.encoding else {
            return;
        };
        self.hits.clear();
        match &c.matcher.prefilter {
            Some(pf) => self.candidates(pf, enc),
            None => self.hits.extend(0..self.entries.len()),
        }
        for &k in &self.hits {
            let e = &self.entries[k];
            let text = enc.decode(text_bytes(e));
            let matches = c.classify_text(&text);
            if matches.is_empty() {
                continue;
            }
            let at = location_of(e);
            for m in &matches {
                sink(c.finding(m, &text, at.clone()));
            }
        }
        self.entries.clear();
        self.starts.clear();
        self.folded.clear();
        self.encoding = None;
    }

    /// The entries with a candidate of the first stage, into `hits`.
    fn candidates(&mut self, pf: &Prefilter, enc: TextEncoding) {
        self.found.clear();
        pf.find_all(&self.folded, &mut self.found);
        let starts = &self.starts;
        let entry_at = |unit: usize| starts.partition_point(|&s| s <= unit) - 1;
        self.hits
            .extend(self.found.iter().map(|&(s, _)| entry_at(s)));
        if pf.id_finder(1, true).is_some() {
            // the id word is upper case: found folded, then checked in the entry's raw text
            let folded = &self.folded;
            for at in memchr::memmem::find_iter(folded, b"id") {
                // folded, the unit after it is `:`, ` `, `)` (TAB) or non-ASCII (UTF-16:
                // any low byte)
                let next = folded.get(at + 2).copied().unwrap_or(0);
                if enc.unit() == 1 && !matches!(next, b':' | b' ' | b')' | 0xA0..) {
                    continue;
                }
                let k = entry_at(at);
                if is_id_word_at(text_bytes(&self.entries[k]), enc, at - starts[k]) {
                    self.hits.push(k);
                }
            }
        }
        self.hits.sort_unstable();
        self.hits.dedup();
    }
}
