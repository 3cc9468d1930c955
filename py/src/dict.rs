//! Dictionary-encoded text columns, for the errlog fields that take few distinct values.
//!
//! `pid`, `tid`, `column5`, `source`, `task_id` and `severity` repeat: a process has one
//! id, a job one task id, a log a handful of threads, source files and severities. Written
//! as plain `utf8` they cost their bytes plus a 4-byte offset per row (a task id 40 bytes);
//! dictionary-encoded, 4 bytes per row, less fresh memory to fault in and no copy per row.
//! pandas shows them as categoricals, polars as `Categorical`.
//!
//! Invariants:
//! * Each batch has its own dictionary: its distinct values in first-seen order, keys
//!   `int32` (a batch has at most [`crate::arrow::BATCH_ROWS`] rows, so keys never
//!   overflow). Consumers unify dictionaries across batches (pyarrow's `to_pandas`,
//!   polars) as the Arrow C stream interface allows.
//! * A value's text is exactly what a `utf8` column would hold (the same `push_*` calls as
//!   [`crate::arrow::StrColumn`]), so the values read back are unchanged.
//! * Lookups try the previous row's value first (runs are the common case), then a small
//!   direct-mapped cache, then a hash map. Numeric ids and texts of up to 24 bytes are
//!   known by a `Tag`, which equals another exactly when the values are equal, so neither
//!   the previous-value check nor the cache compares bytes in memory.

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::builder::StringBuilder;
use arrow_array::types::Int32Type;
use arrow_array::{ArrayRef, DictionaryArray, Int32Array};
use arrow_buffer::{NullBufferBuilder, ScalarBuffer};
use arrow_schema::ArrowError;
use foldhash::fast::RandomState;

use crate::arrow::{hex_text, TextColumn};

/// Entries of the tag cache (a power of two).
const ID_CACHE: usize = 64;

/// A value known without its text, held in registers: two values with equal tags have
/// equal texts.
///
/// A text of at most 24 bytes is its length and three words that cover every byte (the
/// first, second and last 8 bytes, or the first and last 4, overlapping; for 1 to 3 bytes,
/// the first, middle and last). A numeric id is its number and a length no text has (in
/// one column, whose ids are all written with the same number of digits).
#[derive(Clone, Copy, PartialEq, Eq)]
struct Tag {
    head: u64,
    mid: u64,
    tail: u64,
    len: usize,
}

impl Tag {
    /// No value has this tag (the cache's empty slot).
    const EMPTY: Tag = Tag {
        head: 0,
        mid: 0,
        tail: 0,
        len: usize::MAX,
    };

    /// The tag of the previous row's value when it was a longer text (no value has it:
    /// that text compares with the dictionary's text of the key).
    const LONG: Tag = Tag {
        head: 0,
        mid: 0,
        tail: 0,
        len: usize::MAX - 2,
    };

    /// The tag of a numeric id.
    #[inline]
    fn id(id: u64) -> Tag {
        Tag {
            head: id,
            mid: 0,
            tail: 0,
            len: usize::MAX - 1,
        }
    }

    /// The tag of a text of at most 24 bytes.
    #[inline]
    fn text(b: &[u8]) -> Option<Tag> {
        let n = b.len();
        let word = |at: usize| b.get(at..at + 8).and_then(|w| w.try_into().ok());
        let half = |at: usize| b.get(at..at + 4).and_then(|w| w.try_into().ok());
        let (head, mid, tail) = match n {
            0 => (0, 0, 0),
            1..=3 => {
                let bytes = u32::from_le_bytes([b[0], b[n / 2], b[n - 1], 0]);
                (u64::from(bytes), 0, 0)
            }
            4..=8 => (
                u64::from(u32::from_le_bytes(half(0)?)),
                0,
                u64::from(u32::from_le_bytes(half(n - 4)?)),
            ),
            9..=16 => (
                u64::from_le_bytes(word(0)?),
                0,
                u64::from_le_bytes(word(n - 8)?),
            ),
            17..=24 => (
                u64::from_le_bytes(word(0)?),
                u64::from_le_bytes(word(8)?),
                u64::from_le_bytes(word(n - 8)?),
            ),
            _ => return None,
        };
        Some(Tag {
            head,
            mid,
            tail,
            len: n,
        })
    }

    /// The cache slot.
    #[inline]
    fn slot(&self) -> usize {
        let mixed = self.head ^ self.mid.rotate_left(17) ^ self.tail.rotate_left(29);
        let mixed = (mixed ^ self.len as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        (mixed >> 58) as usize % ID_CACHE
    }
}

/// The distinct values of a batch, in first-seen order, and their keys.
struct Dictionary {
    values: StringBuilder,
    index: HashMap<Box<str>, i32, RandomState>,
}

impl Dictionary {
    /// The key of `text`, adding it when new.
    fn key_of(&mut self, text: &str) -> i32 {
        if let Some(&k) = self.index.get(text) {
            return k;
        }
        let k = self.index.len() as i32;
        self.values.append_value(text);
        self.index.insert(text.into(), k);
        k
    }

    /// The text of `key`.
    #[inline]
    fn text_of(&self, key: i32) -> &[u8] {
        let offsets = self.values.offsets_slice();
        let k = key as usize;
        self.values
            .values_slice()
            .get(offsets[k] as usize..offsets[k + 1] as usize)
            .unwrap_or_default()
    }
}

/// A dictionary-encoded `utf8` column (see the module docs).
pub struct DictColumn {
    keys: Vec<i32>,
    nulls: NullBufferBuilder,
    dict: Dictionary,
    /// The key of the previous row's value, and its tag ([`Tag::LONG`] for a longer text,
    /// [`Tag::EMPTY`] before the first value).
    last: (i32, Tag),
    /// Tag -> key, direct-mapped by [`Tag::slot`] ([`Tag::EMPTY`] for none).
    cache: [(Tag, i32); ID_CACHE],
    rows: usize,
}

impl DictColumn {
    /// An empty column with room for `rows` keys.
    pub fn with_capacity(rows: usize) -> Self {
        DictColumn {
            keys: Vec::with_capacity(rows),
            nulls: NullBufferBuilder::new(rows),
            dict: Dictionary {
                values: StringBuilder::new(),
                index: HashMap::default(),
            },
            last: (0, Tag::EMPTY),
            cache: [(Tag::EMPTY, 0); ID_CACHE],
            rows,
        }
    }

    #[inline]
    fn push_key(&mut self, key: i32) {
        self.keys.push(key);
        self.nulls.append_non_null();
    }

    /// Append the value known by `tag`: the previous row's key, else the cache's, else
    /// the key `add` finds or adds in the dictionary.
    #[inline(always)]
    fn push_tagged(&mut self, tag: Tag, add: impl FnOnce(&mut Dictionary) -> i32) {
        if self.last.1 == tag {
            self.push_key(self.last.0);
            return;
        }
        let slot = tag.slot();
        let k = match self.cache[slot] {
            (cached, k) if cached == tag => k,
            _ => {
                let k = add(&mut self.dict);
                self.cache[slot] = (tag, k);
                k
            }
        };
        self.last = (k, tag);
        self.push_key(k);
    }

    /// Append `value` as upper-case hex with at least `min_digits` digits (the text
    /// [`crate::arrow::StrColumn::push_hex`] writes).
    #[inline]
    pub fn push_hex(&mut self, value: u64, min_digits: usize) {
        self.push_tagged(Tag::id(value), |d| {
            d.key_of(hex_text(value, min_digits).as_str())
        });
    }

    /// The column so far; it starts again empty, with its capacity and a new dictionary.
    pub fn finish(&mut self) -> Result<ArrayRef, ArrowError> {
        let fresh = DictColumn::with_capacity(self.rows);
        let mut done = std::mem::replace(self, fresh);
        let keys = Int32Array::new(ScalarBuffer::from(done.keys), done.nulls.finish());
        let values: ArrayRef = Arc::new(done.dict.values.finish());
        Ok(Arc::new(DictionaryArray::<Int32Type>::try_new(
            keys, values,
        )?))
    }
}

impl TextColumn for DictColumn {
    #[inline]
    fn push_str(&mut self, text: &str) {
        if let Some(tag) = Tag::text(text.as_bytes()) {
            self.push_tagged(tag, |d| d.key_of(text));
            return;
        }
        let (k, tag) = self.last;
        if tag == Tag::LONG && self.dict.text_of(k) == text.as_bytes() {
            self.push_key(k);
            return;
        }
        let k = self.dict.key_of(text);
        self.last = (k, Tag::LONG);
        self.push_key(k);
    }

    fn push_null(&mut self) {
        self.keys.push(0);
        self.nulls.append_null();
    }
}
