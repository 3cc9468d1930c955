//! Compiled templates shared by all the chunks of a file.
//!
//! # Design notes
//!
//! Every chunk carries its own copy of the template definitions it uses, so a per-chunk
//! cache compiles each template again in every chunk (about a fifth of a full read, and
//! most of a filtered one). The copies are rarely byte-identical: a definition refers to
//! names by chunk offset, and a name is written inline at its first use in the chunk and
//! referenced from then on, so the same template reads differently from chunk to chunk
//! (and element sizes change with it).
//!
//! The store is therefore keyed by a *normalised* definition: the token stream exactly as
//! the tree parser reads it, with every name reference replaced by the name's characters
//! and the size fields the parser ignores (definition size, element data size, attribute
//! list size) left out. Two definitions with equal normalised forms parse to equal trees,
//! so a hit reuses the tree compiled from the first copy (its text borrows that copy's
//! bytes, which are equal). The form is compared in full on a hit; the hash only picks
//! the bucket. The scan allocates nothing (one scratch buffer per chunk reader) and costs
//! a small fraction of a compile.
//!
//! Only successful compiles are shared (errors carry chunk offsets, and stay in the
//! per-chunk cache). Anything the scan does not follow exactly — an unknown token, a
//! truncated stream, nesting deeper than the parser accepts — gives no key, and the
//! template is compiled per chunk as before. The store is bounded ([`MAX_KEY_BYTES`]);
//! when full, templates are still compiled, just not kept.
//!
//! The store is shared by the threads reading a file (a mutex, taken once per template
//! and chunk, never per record).

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::{Arc, Mutex};

use super::binxml::{token, MAX_DEPTH};
use super::template::Template;
use super::value::ValueType;

/// Most bytes of normalised definitions the store keeps (about as much again is held by
/// the compiled trees).
pub(crate) const MAX_KEY_BYTES: usize = 8 << 20;

type Buckets<'a> = HashMap<u64, Vec<(Arc<[u8]>, Arc<Template<'a>>)>, BuildHasherDefault<Id>>;
type RawBuckets<'a> = HashMap<u64, Vec<RawEntry<'a>>, BuildHasherDefault<Id>>;

/// A name reference met by the scan: where its offset field ends (relative to the start
/// of the definition body), whether the name was written inline there, and where its
/// count and characters are in the normalised key.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NameField {
    at: u32,
    inline: bool,
    key_pos: u32,
    len: u32,
}

/// A definition body exactly as one chunk wrote it, with the names it refers to: another
/// chunk's byte-identical body whose name references read the same names (and are inline
/// at the same places) has the same normalised form, so it needs no scan.
#[derive(Debug)]
struct RawEntry<'a> {
    body: Box<[u8]>,
    names: Box<[NameField]>,
    /// The normalised key the names' counts and characters are read from (shared with
    /// the key's entry).
    key: Arc<[u8]>,
    template: Arc<Template<'a>>,
}

impl RawEntry<'_> {
    /// Whether the names of this body, at `start` in chunk `data`, are the stored ones.
    fn names_match(&self, data: &[u8], start: usize) -> bool {
        self.names.iter().all(|n| {
            let at = n.at as usize;
            let b = &self.body[at - 4..at];
            let v = u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize;
            let (k, len) = (n.key_pos as usize, n.len as usize);
            (v == start + at) == n.inline
                && v.checked_add(6 + len)
                    .and_then(|e| data.get(v + 6..e))
                    .is_some_and(|chars| chars == &self.key[k..k + len])
        })
    }
}

/// Templates compiled in one chunk, reused by the others (see the module docs).
#[derive(Debug, Default)]
pub(crate) struct TemplateStore<'a> {
    inner: Mutex<Inner<'a>>,
}

#[derive(Debug, Default)]
struct Inner<'a> {
    buckets: Buckets<'a>,
    raw: RawBuckets<'a>,
    bytes: usize,
}

/// The body of the template definition at chunk offset `def` (after its header, cut at
/// the end of the chunk) and the body's chunk offset.
pub(crate) fn definition_body(data: &[u8], def: usize) -> Option<(usize, &[u8])> {
    let b = data.get(def.checked_add(20)?..def + 24)?;
    let size = u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize;
    let start = def + 24;
    let end = start.saturating_add(size).min(data.len());
    Some((start, &data[start..end]))
}

impl<'a> TemplateStore<'a> {
    /// True when nothing was stored (yet).
    pub(crate) fn is_empty(&self) -> bool {
        self.inner
            .lock()
            .map_or(true, |i| i.buckets.is_empty() && i.raw.is_empty())
    }

    /// The template whose normalised definition is `key`, if one was stored, and the
    /// stored key.
    pub(crate) fn get(&self, key: &[u8]) -> Option<(Arc<[u8]>, Arc<Template<'a>>)> {
        let h = hash(key);
        let inner = self.inner.lock().ok()?;
        inner
            .buckets
            .get(&h)?
            .iter()
            .find(|(k, _)| **k == *key)
            .map(|(k, t)| (k.clone(), t.clone()))
    }

    /// The template of a definition body at chunk offset `start` of `data`, if a
    /// byte-identical body with the same names was stored ([`TemplateStore::insert_raw`]).
    /// `h` is the body's [`hash`].
    pub(crate) fn get_raw(
        &self,
        data: &[u8],
        start: usize,
        body: &[u8],
        h: u64,
    ) -> Option<Arc<Template<'a>>> {
        let inner = self.inner.lock().ok()?;
        inner
            .raw
            .get(&h)?
            .iter()
            .find(|e| *e.body == *body && e.names_match(data, start))
            .map(|e| e.template.clone())
    }

    /// Keep `t` under a raw definition body, with the name references the scan met and
    /// the normalised key they were written into (unless the store is full). `h` is the
    /// body's [`hash`].
    pub(crate) fn insert_raw(
        &self,
        body: &[u8],
        h: u64,
        names: &[NameField],
        key: Arc<[u8]>,
        t: &Arc<Template<'a>>,
    ) {
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        let size = body.len() + key.len() + 16 * names.len();
        if inner.bytes + size > MAX_KEY_BYTES {
            return;
        }
        // Buckets almost always hold one entry.
        let bucket = inner.raw.entry(h).or_insert_with(|| Vec::with_capacity(1));
        if bucket.len() >= 8 {
            return;
        }
        bucket.push(RawEntry {
            body: body.into(),
            names: names.into(),
            key,
            template: t.clone(),
        });
        inner.bytes += size;
    }

    /// Keep `t` under `key` (unless the store is full); the stored key, if any.
    pub(crate) fn insert(&self, key: &[u8], t: &Arc<Template<'a>>) -> Option<Arc<[u8]>> {
        let h = hash(key);
        let mut inner = self.inner.lock().ok()?;
        if inner.bytes + key.len() > MAX_KEY_BYTES {
            return None;
        }
        let bucket = inner
            .buckets
            .entry(h)
            .or_insert_with(|| Vec::with_capacity(1));
        if let Some((k, _)) = bucket.iter().find(|(k, _)| **k == *key) {
            return Some(k.clone());
        }
        let k: Arc<[u8]> = key.into();
        bucket.push((k.clone(), t.clone()));
        inner.bytes += key.len();
        Some(k)
    }
}

/// The hash is already mixed: the map uses it as is.
#[derive(Default)]
struct Id(u64);

impl std::hash::Hasher for Id {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

/// A multiplicative hash over 8-byte words.
pub(crate) fn hash(key: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h = key.len() as u64;
    let mut words = key.chunks_exact(8);
    for w in &mut words {
        let x = u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]);
        h = (h.rotate_left(5) ^ x).wrapping_mul(K);
    }
    for &b in words.remainder() {
        h = (h.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
    }
    h ^ (h >> 29)
}

/// Write the normalised form of the template definition at chunk offset `def` into
/// `out` (cleared first). `None` when the scan cannot follow the definition exactly.
#[cfg(test)]
pub(crate) fn definition_key(data: &[u8], def: usize, out: &mut Vec<u8>) -> Option<()> {
    definition_key_names(data, def, out, &mut Vec::new())
}

/// [`definition_key`], also listing the name references met in `names` (cleared first).
pub(crate) fn definition_key_names(
    data: &[u8],
    def: usize,
    out: &mut Vec<u8>,
    names: &mut Vec<NameField>,
) -> Option<()> {
    out.clear();
    names.clear();
    let b = data.get(def.checked_add(20)?..def.checked_add(24)?)?;
    let size = u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize;
    let base = def + 24;
    let end = base.saturating_add(size).min(data.len());
    let mut s = Scan {
        data,
        pos: base,
        end,
        base,
        out,
        names,
    };
    s.fragment()
}

/// Follows `TreeParser` (template mode) token by token, writing what it reads. Reads
/// are bounded by `end` (the definition), name structures by the chunk, as the parser's.
struct Scan<'a, 'o> {
    data: &'a [u8],
    pos: usize,
    end: usize,
    /// Chunk offset of the definition body.
    base: usize,
    out: &'o mut Vec<u8>,
    names: &'o mut Vec<NameField>,
}

impl<'a> Scan<'a, '_> {
    #[inline]
    fn peek(&self) -> Option<u8> {
        if self.pos < self.end {
            Some(self.data[self.pos])
        } else {
            None
        }
    }

    #[inline]
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let stop = self.pos.checked_add(n).filter(|&s| s <= self.end)?;
        let s = &self.data[self.pos..stop];
        self.pos = stop;
        Some(s)
    }

    #[inline]
    fn u8(&mut self) -> Option<u8> {
        let t = self.peek()?;
        self.pos += 1;
        Some(t)
    }

    #[inline]
    fn u16(&mut self) -> Option<usize> {
        let b = self.take(2)?;
        Some(u16::from_le_bytes([b[0], b[1]]) as usize)
    }

    fn fragment(&mut self) -> Option<()> {
        while let Some(t) = self.peek() {
            match t & !token::MORE {
                token::EOF => {
                    self.out.push(token::EOF);
                    return Some(());
                }
                token::FRAGMENT_HEADER => {
                    self.take(4)?;
                    self.out.push(token::FRAGMENT_HEADER);
                }
                token::OPEN_START => self.element(0)?,
                _ => return None,
            }
        }
        Some(())
    }

    #[inline]
    fn copy(&mut self, n: usize) -> Option<()> {
        let b = self.take(n)?;
        self.out.extend_from_slice(b);
        Some(())
    }

    /// A counted UTF-16 string (count first), copied.
    #[inline]
    fn counted(&mut self) -> Option<()> {
        let n = self.u16()?;
        self.out.extend_from_slice(&(n as u16).to_le_bytes());
        self.copy(2 * n)
    }

    /// A name reference, written as its characters (count first).
    fn name(&mut self) -> Option<()> {
        let b = self.take(4)?;
        let offset = u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize;
        let data = self.data;
        let c = data.get(offset + 6..offset + 8)?;
        let count = u16::from_le_bytes([c[0], c[1]]) as usize;
        // The count and the characters, as they are in the name structure.
        let counted = data.get(offset + 6..offset + 8 + 2 * count)?;
        let inline = offset == self.pos;
        self.names.push(NameField {
            at: (self.pos - self.base) as u32,
            inline,
            key_pos: self.out.len() as u32,
            len: counted.len() as u32,
        });
        self.out.extend_from_slice(counted);
        if inline {
            let next = offset + 10 + 2 * count;
            if next > self.end {
                return None;
            }
            self.pos = next;
        }
        Some(())
    }

    fn element(&mut self, depth: usize) -> Option<()> {
        if depth >= MAX_DEPTH {
            return None;
        }
        let t = self.u8()?;
        self.out.push(t);
        self.copy(2)?; // dependency id
        self.take(4)?; // data size
        self.name()?;
        if t & token::MORE != 0 {
            self.take(4)?; // attribute list size
        }
        loop {
            let t = self.u8()?;
            self.out.push(t);
            match t & !token::MORE {
                token::ATTRIBUTE => {
                    self.name()?;
                    while let Some(t) = self.peek() {
                        if matches!(
                            t & !token::MORE,
                            token::ATTRIBUTE | token::CLOSE_START | token::CLOSE_EMPTY
                        ) {
                            break;
                        }
                        if !self.piece()? {
                            return None;
                        }
                    }
                }
                token::CLOSE_EMPTY => return Some(()),
                token::CLOSE_START => break,
                _ => return None,
            }
        }
        loop {
            let t = self.peek()?;
            match t & !token::MORE {
                token::END_ELEMENT => {
                    self.pos += 1;
                    self.out.push(token::END_ELEMENT);
                    return Some(());
                }
                token::OPEN_START => self.element(depth + 1)?,
                _ => {
                    if !self.piece()? {
                        return None;
                    }
                }
            }
        }
    }

    /// A piece (false, cursor unmoved, when the next token is no piece).
    fn piece(&mut self) -> Option<bool> {
        let Some(t) = self.peek() else {
            return Some(false);
        };
        match t & !token::MORE {
            token::VALUE => {
                let b = self.take(2)?;
                let ty = b[1];
                self.out.extend_from_slice(b);
                if ty == ValueType::STRING {
                    self.counted()?;
                } else {
                    self.copy(ValueType(ty).fixed_size()?)?;
                }
            }
            token::NORMAL_SUBST | token::OPTIONAL_SUBST => self.copy(4)?,
            token::CHAR_REF => self.copy(3)?,
            token::ENTITY_REF => {
                self.copy(1)?;
                self.name()?;
            }
            token::CDATA => {
                self.copy(1)?;
                self.counted()?;
            }
            token::PI_TARGET => {
                self.copy(1)?;
                self.name()?;
                if self.peek() == Some(token::PI_DATA) {
                    self.copy(1)?;
                    self.counted()?;
                }
            }
            _ => return Some(false),
        }
        Some(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evtx::builder::ChunkWriter;

    /// Write a template definition (`next, guid, size, fragment`) whose body is
    /// `<EventData><Data Name='{name}'>%0</Data></EventData>`; returns its offset.
    fn definition(w: &mut ChunkWriter, name: &str) -> usize {
        let at = w.buf.len();
        w.buf.extend([0u8; 20]);
        let size_at = w.buf.len();
        w.buf.extend([0u8; 4]);
        w.buf.extend([0x0f, 1, 1, 0]);
        let root = w.open("EventData", false, true);
        w.close_start();
        let data = w.open("Data", true, true);
        w.attr("Name", false);
        w.text(name);
        w.close_start();
        w.subst(0, ValueType::STRING);
        w.end(data);
        w.end(root);
        w.buf.push(0);
        let size = (w.buf.len() - size_at - 4) as u32;
        w.buf[size_at..size_at + 4].copy_from_slice(&size.to_le_bytes());
        at
    }

    #[test]
    fn inline_and_referenced_names_give_one_key() {
        let mut w = ChunkWriter::default();
        w.buf.resize(16, 0);
        // The first definition carries its names inline, the second refers back to them.
        let first = definition(&mut w, "JobId");
        let second = definition(&mut w, "JobId");
        let other = definition(&mut w, "TaskId");
        let (mut a, mut b, mut c) = (Vec::new(), Vec::new(), Vec::new());
        definition_key(&w.buf, first, &mut a).unwrap();
        definition_key(&w.buf, second, &mut b).unwrap();
        definition_key(&w.buf, other, &mut c).unwrap();
        assert_ne!(
            w.buf[first + 24..second].len(),
            w.buf[second + 24..other].len()
        );
        assert_eq!(a, b);
        assert_ne!(a, c);
        // Cut anywhere inside, the scan gives no key rather than a wrong one.
        for cut in second + 24..other - 1 {
            let mut k = Vec::new();
            if definition_key(&w.buf[..cut], second, &mut k).is_some() {
                assert_ne!(k, b, "cut at {cut}");
            }
        }
    }

    #[test]
    fn store_compares_whole_keys() {
        let mut w = ChunkWriter::default();
        w.buf.resize(16, 0);
        let at = definition(&mut w, "A");
        let t = Arc::new(super::super::template::compile(&w.buf, at).unwrap());
        let store = TemplateStore::default();
        store.insert(b"key one", &t);
        assert!(store.get(b"key one").is_some());
        assert!(store.get(b"key two").is_none());
    }
}
