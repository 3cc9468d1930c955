//! Classification of parsed entries, many at a time ([`Classifier::classify_entries`]).
//!
//! A caller that parses every record anyway (to print it, or to build columns) and wants it
//! classified could call [`Classifier::classify_record`] on each: the full anchor automaton
//! over every message, ~0.6 GB/s. Here the entries are collected into batches instead: the
//! text of each (a record's message, continuation lines included; an unparsed line's text)
//! is copied into one buffer, a line break between two, and the buffer is folded and
//! searched by the first stage of the triage pass (`prefilter`) at once; the upper-case id
//! word, which the fold cannot tell from `id`, is looked for in the raw copy. Only the entries
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

use super::prefilter::{fold_bytes, fold_utf16, id_word_at, Prefilter};
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

/// A batch of entries waiting to be searched.
pub(crate) struct Batch<'a> {
    entries: Vec<Entry<'a>>,
    /// Where each entry's text starts in `raw` (in bytes).
    starts: Vec<usize>,
    /// The texts in their encoding, each followed by a line break.
    raw: Vec<u8>,
    /// `raw` folded (see `prefilter`) when the batch is searched; only grows, so that it is
    /// not cleared again for every batch.
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
            raw: Vec::with_capacity(BATCH_BYTES + 4096),
            folded: Vec::new(),
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
        if self.encoding.is_some_and(|x| x != enc) || self.raw.len() >= BATCH_BYTES {
            self.flush(c, sink);
        }
        self.encoding = Some(enc);
        self.starts.push(self.raw.len());
        self.raw.extend_from_slice(text_bytes(&e));
        if self.raw.len() % enc.unit() != 0 {
            // a truncated UTF-16 text: keep the next text unit-aligned
            self.raw.push(0);
        }
        self.raw.extend_from_slice(match enc {
            TextEncoding::Utf16Le => b"\n\0",
            TextEncoding::Utf16Be => b"\0\n",
            _ => b"\n",
        });
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
        self.raw.clear();
        self.encoding = None;
    }

    /// The entries with a candidate of the first stage, into `hits`.
    fn candidates(&mut self, pf: &Prefilter, enc: TextEncoding) {
        let unit = enc.unit();
        let n = self.raw.len() / unit;
        if self.folded.len() < n {
            self.folded.resize(n, 0);
        }
        let folded = &mut self.folded[..n];
        match enc {
            TextEncoding::Utf16Le => fold_utf16::<true>(&self.raw, folded),
            TextEncoding::Utf16Be => fold_utf16::<false>(&self.raw, folded),
            _ => fold_bytes(&self.raw, folded),
        }
        self.found.clear();
        pf.find_all(folded, &mut self.found);
        let starts = &self.starts;
        let entry_at = |byte: usize| starts.partition_point(|&s| s <= byte) - 1;
        self.hits
            .extend(self.found.iter().map(|&(s, _)| entry_at(s * unit)));
        // the id word is upper case: found in the raw texts (the fold cannot tell it)
        if let Some(id) = pf.id_finder(unit, enc == TextEncoding::Utf16Le) {
            // (every text is followed by a line break in `raw`, so the unit after `ID` is
            // the text's own)
            for at in id.find_iter(&self.raw) {
                if at % unit == 0 && id_word_at(&self.raw, enc, at) {
                    self.hits.push(entry_at(at));
                }
            }
        }
        self.hits.sort_unstable();
        self.hits.dedup();
    }
}
