//! Windows event logs: native `.evtx` files and rendered event XML exports.
//!
//! ```no_run
//! use marslog::evtx::{EventFilter, EvtxFile};
//! # fn main() -> marslog::Result<()> {
//! let bytes = std::fs::read("System.evtx")?;
//! let file = EvtxFile::parse(&bytes)?;
//! let filter = EventFilter::new().event_ids([7031, 7034]).provider("Service Control Manager");
//! for item in file.events(&filter) {
//!     match item {
//!         Ok(event) => println!("{} {:?} {:?}", event.record_id(), event.event_id(), event.data()),
//!         Err(damage) => eprintln!("{damage}"),
//!     }
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # Layers (one module each)
//!
//! [`header`] (file header) → [`chunk`] (64 KiB chunks, record walk) → [`record`] (record
//! header) → `binxml` (token stream → element tree) → [`template`] (definitions compiled
//! into a field map and a data plan, cached per chunk and shared across the file's chunks
//! by `shared`) → [`event`] (lazy [`Event`]) → `render` (XML, JSON), `plan` and `data`
//! (EventData/UserData items, fast) → [`row`] (one JSON Lines row per event, string forms
//! from `text`). [`value`] holds the typed values, [`xml`] the XML-export reader and
//! [`builder`] writes valid `.evtx` bytes for tests and benchmarks.
//!
//! [`EvtxFile::events`] reads chunk after chunk; [`EvtxFile::par_iter_events`] reads
//! windows of a few chunks per thread in parallel and yields in the same order, so both
//! hold a bounded number of events at a time.
//!
//! # Invariants
//!
//! * Parsers take `&[u8]` and do no I/O. Events borrow the buffer; strings are decoded when
//!   asked for.
//! * Chunks are found from the buffer size, never from the header's counters: every
//!   64 KiB slot after the 4 KiB header is read (a short last slot too). All-zero slots are
//!   skipped silently. Chunks are visited oldest first (the slot whose header names the
//!   lowest record id), wrapping round the end of the file, as Windows reads a wrapped
//!   log; records are returned in that order.
//! * **Damage is data.** A bad chunk, record or BinXML stream becomes a [`Damage`] item
//!   and reading goes on. Checksums are checked and reported as advisory damage, never
//!   enforced. Nothing panics on any input; every length is checked against its buffer,
//!   recursion is bounded and template definitions cannot reference one another.
//! * Filters are pushed down: a record is matched on its System fields, read through the
//!   template field map, before anything of its payload is decoded.

use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use rayon::prelude::*;

pub mod builder;
pub mod chunk;
mod discover;
pub mod event;
pub mod header;
pub mod record;
pub mod row;
pub mod template;
pub mod value;
pub mod xml;

mod binxml;
mod data;
mod flat;
mod plan;
mod render;
mod shared;
mod text;

pub use binxml::BinXmlError;
pub use chunk::ChunkHeader;
pub use discover::discover_files;
pub use event::{DataField, Event};
pub use header::FileHeader;
pub use record::RecordHeaderError;
pub use render::{OwnedElement, OwnedNode};
pub use template::SystemField;
pub use value::{Utf16Str, Value};
pub use xml::read_xml_events;

use chunk::{RecordWalk, WalkItem, CHUNK_HEADER_SIZE, CHUNK_SIZE};
use header::HEADER_BLOCK_SIZE;
use shared::TemplateStore;
use template::{ChunkRef, TemplateCache};

/// What kind of event input a buffer holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventFormat {
    /// A binary `.evtx` log.
    Evtx,
    /// Rendered event XML.
    Xml,
}

/// Sniff the format from content: `ElfFile\0` magic, or `<Event`, `<Events`, `<?xml` after
/// an optional BOM and whitespace (UTF-8 or UTF-16).
pub fn detect(buf: &[u8]) -> Option<EventFormat> {
    if buf.starts_with(header::FILE_MAGIC) {
        return Some(EventFormat::Evtx);
    }
    let head = &buf[..buf.len().min(512)];
    let text = xml::decode_xml_input(head);
    let t = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    (t.starts_with("<Event") || t.starts_with("<?xml")).then_some(EventFormat::Xml)
}

/// Why something could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DamageKind {
    /// The file header's CRC32 does not match (advisory).
    FileHeaderChecksum {
        /// Stored value.
        stored: u32,
        /// Computed value.
        computed: u32,
    },
    /// A chunk slot that is neither zeros nor a chunk.
    BadChunkMagic,
    /// The buffer ends inside this chunk; the records present were read.
    TruncatedChunk {
        /// Bytes present.
        have: usize,
    },
    /// A chunk header's CRC32 does not match (advisory).
    ChunkHeaderChecksum {
        /// Stored value.
        stored: u32,
        /// Computed value.
        computed: u32,
    },
    /// A chunk's records CRC32 does not match (advisory).
    RecordsChecksum {
        /// Stored value.
        stored: u32,
        /// Computed value (0 when the free space offset is out of the chunk).
        computed: u32,
    },
    /// A record header could not be read; the walk resumed at the next valid record.
    BadRecordHeader(RecordHeaderError),
    /// A record's BinXML could not be read.
    BadBinXml {
        /// What was being read.
        what: &'static str,
    },
    /// An XML export event could not be read.
    BadXml {
        /// What went wrong.
        what: &'static str,
    },
}

impl DamageKind {
    /// True for checksum mismatches: reported, but nothing was skipped.
    pub fn is_advisory(&self) -> bool {
        matches!(
            self,
            DamageKind::FileHeaderChecksum { .. }
                | DamageKind::ChunkHeaderChecksum { .. }
                | DamageKind::RecordsChecksum { .. }
        )
    }
}

/// A part of the input that could not be read (or only with a warning).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Damage {
    /// Byte offset in the input (file offset for EVTX).
    pub offset: u64,
    /// The chunk slot, for EVTX.
    pub chunk: Option<u64>,
    /// The record id, when the record header was readable.
    pub record_id: Option<u64>,
    /// What is wrong.
    pub reason: DamageKind,
}

impl Damage {
    pub(crate) fn new(
        ctx: &ChunkRef<'_>,
        record_id: Option<u64>,
        chunk_offset: usize,
        reason: DamageKind,
    ) -> Self {
        Damage {
            offset: ctx.file_offset + chunk_offset as u64,
            chunk: Some(ctx.number),
            record_id,
            reason,
        }
    }
}

impl fmt::Display for Damage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "byte {}", self.offset)?;
        if let Some(c) = self.chunk {
            write!(f, " (chunk {c})")?;
        }
        if let Some(r) = self.record_id {
            write!(f, " record {r}")?;
        }
        f.write_str(": ")?;
        match self.reason {
            DamageKind::FileHeaderChecksum { stored, computed } => {
                write!(
                    f,
                    "file header checksum {stored:#010x}, computed {computed:#010x}"
                )
            }
            DamageKind::BadChunkMagic => f.write_str("bad chunk magic, chunk skipped"),
            DamageKind::TruncatedChunk { have } => write!(f, "chunk truncated to {have} bytes"),
            DamageKind::ChunkHeaderChecksum { stored, computed } => {
                write!(
                    f,
                    "chunk header checksum {stored:#010x}, computed {computed:#010x}"
                )
            }
            DamageKind::RecordsChecksum { stored, computed } => {
                write!(
                    f,
                    "records checksum {stored:#010x}, computed {computed:#010x}"
                )
            }
            DamageKind::BadRecordHeader(e) => write!(f, "bad record header ({e:?}), skipped"),
            DamageKind::BadBinXml { what } => write!(f, "bad binxml: {what}"),
            DamageKind::BadXml { what } => write!(f, "bad event xml: {what}"),
        }
    }
}

impl std::error::Error for Damage {}

/// Which events to return; an empty list means "any". Matching is on System fields only,
/// so non-matching records are skipped without decoding their payload.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    /// Keep these event ids.
    pub event_ids: Vec<u32>,
    /// Keep these providers (`Provider@Name`, ASCII case-insensitive).
    pub providers: Vec<String>,
    /// Keep these channels (ASCII case-insensitive).
    pub channels: Vec<String>,
    /// Keep events created at or after this time (`TimeCreated`, else the record time).
    pub since: Option<DateTime<Utc>>,
    /// Keep events created before this time.
    pub until: Option<DateTime<Utc>>,
}

impl EventFilter {
    /// A filter that keeps everything.
    pub fn new() -> Self {
        Self::default()
    }

    /// Also accept these event ids.
    #[must_use]
    pub fn event_ids(mut self, ids: impl IntoIterator<Item = u32>) -> Self {
        self.event_ids.extend(ids);
        self
    }

    /// Also accept this provider.
    #[must_use]
    pub fn provider(mut self, name: impl Into<String>) -> Self {
        self.providers.push(name.into());
        self
    }

    /// Also accept this channel.
    #[must_use]
    pub fn channel(mut self, name: impl Into<String>) -> Self {
        self.channels.push(name.into());
        self
    }

    /// Keep events in `[since, until)`.
    #[must_use]
    pub fn time_range(
        mut self,
        since: Option<DateTime<Utc>>,
        until: Option<DateTime<Utc>>,
    ) -> Self {
        self.since = since;
        self.until = until;
        self
    }

    /// True when the filter keeps everything.
    pub fn is_empty(&self) -> bool {
        self.event_ids.is_empty()
            && self.providers.is_empty()
            && self.channels.is_empty()
            && self.since.is_none()
            && self.until.is_none()
    }

    /// Whether `event` passes.
    pub fn matches(&self, event: &Event<'_>) -> bool {
        if !self.event_ids.is_empty()
            && !event
                .event_id()
                .is_some_and(|id| self.event_ids.contains(&id))
        {
            return false;
        }
        if !self.providers.is_empty()
            && !self
                .providers
                .iter()
                .any(|p| event.system_eq(SystemField::ProviderName, p))
        {
            return false;
        }
        if !self.channels.is_empty()
            && !self
                .channels
                .iter()
                .any(|c| event.system_eq(SystemField::Channel, c))
        {
            return false;
        }
        if self.since.is_some() || self.until.is_some() {
            let Some(t) = event.time_created().or_else(|| event.timestamp()) else {
                return false;
            };
            if self.since.is_some_and(|s| t < s) || self.until.is_some_and(|u| t >= u) {
                return false;
            }
        }
        true
    }
}

/// A parsed `.evtx` buffer.
#[derive(Debug, Clone)]
pub struct EvtxFile<'a> {
    data: &'a [u8],
    header: FileHeader,
    /// Chunk slots in reading order (oldest first).
    order: Vec<u64>,
    /// Index in `order` of the last slot whose header reads as a chunk: readers of the
    /// chunks before it keep their templates for the later ones; its reader (and that
    /// of a one-chunk file) does not.
    last_chunk: usize,
}

impl<'a> EvtxFile<'a> {
    /// Check the file header and plan the chunk walk. Fails only when the buffer is not an
    /// EVTX file at all (no magic, or shorter than the 128-byte header).
    pub fn parse(data: &'a [u8]) -> crate::Result<EvtxFile<'a>> {
        let header = FileHeader::parse(data)?;
        let body = data.len().saturating_sub(HEADER_BLOCK_SIZE);
        let slots = body.div_ceil(CHUNK_SIZE) as u64;
        let mut oldest = None;
        let mut chunks = Vec::new();
        for n in 0..slots {
            let Some(h) = ChunkHeader::parse(slot_bytes(data, n)) else {
                continue;
            };
            chunks.push(n);
            let key = (h.first_record_id, n);
            if h.first_record_id <= h.last_record_id && oldest.is_none_or(|o| key < o) {
                oldest = Some(key);
            }
        }
        let oldest = oldest.map_or(0, |(_, n)| n);
        let order: Vec<u64> = (oldest..slots).chain(0..oldest).collect();
        // Reading position of slot `n`.
        let pos = |n: u64| if n >= oldest { n - oldest } else { slots - oldest + n } as usize;
        let last_chunk = chunks.into_iter().map(pos).max().unwrap_or(0);
        Ok(EvtxFile {
            data,
            header,
            order,
            last_chunk,
        })
    }

    /// The file header.
    pub fn header(&self) -> &FileHeader {
        &self.header
    }

    /// Number of chunk slots in the buffer (a short last slot counts).
    pub fn chunk_slots(&self) -> u64 {
        self.order.len() as u64
    }

    /// Advisory damage about the file itself (header checksum).
    fn file_damage(&self) -> Option<Damage> {
        let computed = crc32fast::hash(&self.data[..0x78]);
        (!self.header.checksum_ok && self.header.flags & FileHeader::NO_CRC32 == 0).then_some(
            Damage {
                offset: 0,
                chunk: None,
                record_id: None,
                reason: DamageKind::FileHeaderChecksum {
                    stored: self.header.checksum,
                    computed,
                },
            },
        )
    }

    /// Events passing `filter`, in record order, with damage items in between.
    pub fn events<'f>(&self, filter: &'f EventFilter) -> Events<'a, 'f> {
        Events {
            data: self.data,
            header: self.header,
            order: self.order.clone().into_iter(),
            pos: 0,
            last_chunk: self.last_chunk,
            current: None,
            pending: self.file_damage().into_iter().collect(),
            filter,
            store: Arc::default(),
        }
    }

    /// Like [`events`](Self::events), with chunks read in parallel (rayon); events and
    /// damage come back in record order. Collects everything: prefer
    /// [`par_iter_events`](Self::par_iter_events), which holds a few chunks' events at a
    /// time.
    pub fn par_events(&self, filter: &EventFilter) -> (Vec<Event<'a>>, Vec<Damage>) {
        let mut events = Vec::new();
        let mut damage = Vec::new();
        for item in self.par_iter_events(filter) {
            match item {
                Ok(e) => events.push(e),
                Err(d) => damage.push(d),
            }
        }
        (events, damage)
    }

    /// The items of [`events`](Self::events), in the same order, read in parallel: chunks
    /// are read in windows of a few per thread (rayon), and a window's events are handed
    /// out before the next window is read, so memory stays proportional to the window,
    /// not to the file.
    pub fn par_iter_events<'f>(&self, filter: &'f EventFilter) -> ParEvents<'a, 'f> {
        ParEvents {
            data: self.data,
            header: self.header,
            order: self.order.clone(),
            last_chunk: self.last_chunk,
            next_slot: 0,
            window: PAR_CHUNKS_PER_THREAD * rayon::current_num_threads().max(1),
            ready: self.file_damage().map(Err).into_iter().collect(),
            filter,
            store: Arc::default(),
        }
    }
}

/// Chunks per thread in a window of [`EvtxFile::par_iter_events`].
pub const PAR_CHUNKS_PER_THREAD: usize = 4;

/// Iterator returned by [`EvtxFile::par_iter_events`].
pub struct ParEvents<'a, 'f> {
    data: &'a [u8],
    header: FileHeader,
    order: Vec<u64>,
    /// See [`EvtxFile`].
    last_chunk: usize,
    /// Index in `order` of the first chunk not read yet.
    next_slot: usize,
    /// Chunks read per window.
    window: usize,
    /// Items of the window being handed out.
    ready: std::collections::VecDeque<Result<Event<'a>, Damage>>,
    filter: &'f EventFilter,
    store: Arc<TemplateStore<'a>>,
}

impl<'a> ParEvents<'a, '_> {
    /// Read the next window of chunks in parallel into `ready`.
    fn fill(&mut self) {
        let end = (self.next_slot + self.window).min(self.order.len());
        let first = self.next_slot;
        let slots = &self.order[first..end];
        self.next_slot = end;
        let (data, header, filter, store) = (self.data, self.header, self.filter, &self.store);
        let last_chunk = self.last_chunk;
        let per_chunk: Vec<Vec<Result<Event<'a>, Damage>>> = slots
            .par_iter()
            .enumerate()
            .map(|(i, &n)| {
                let mut items = Vec::new();
                let share = first + i < last_chunk;
                let mut reader = ChunkReader::open(data, header, n, store, share);
                while let Some(item) = reader.next(filter) {
                    items.push(item);
                }
                items
            })
            .collect();
        self.ready.extend(per_chunk.into_iter().flatten());
    }
}

impl<'a> Iterator for ParEvents<'a, '_> {
    type Item = Result<Event<'a>, Damage>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.ready.pop_front() {
                return Some(item);
            }
            if self.next_slot >= self.order.len() {
                return None;
            }
            self.fill();
        }
    }
}

impl fmt::Debug for ParEvents<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ParEvents")
            .field("filter", self.filter)
            .field("window", &self.window)
            .finish_non_exhaustive()
    }
}

fn slot_bytes(data: &[u8], n: u64) -> &[u8] {
    let start = HEADER_BLOCK_SIZE.saturating_add((n as usize).saturating_mul(CHUNK_SIZE));
    let end = start.saturating_add(CHUNK_SIZE).min(data.len());
    data.get(start..end).unwrap_or(&[])
}

/// Reads one chunk slot: its damage first, then its records. Owns the chunk's template
/// cache (one thread reads a chunk).
/// True when every byte is zero (an unused chunk slot). Blocks are OR-folded without an
/// early exit inside a block, which vectorises; a byte-wise `all` cost ≈ 4 instructions
/// per byte on the zeroed slots that real logs preallocate.
fn is_all_zero(bytes: &[u8]) -> bool {
    bytes
        .chunks(256)
        .all(|block| block.iter().fold(0u8, |acc, &b| acc | b) == 0)
}

struct ChunkReader<'a> {
    ctx: Option<TemplateCache<'a>>,
    walk: Option<RecordWalk<'a>>,
    pending: Vec<Damage>,
}

impl<'a> ChunkReader<'a> {
    /// `share`: keep this chunk's templates in `store` for chunks read later.
    fn open(
        data: &'a [u8],
        file: FileHeader,
        n: u64,
        store: &Arc<TemplateStore<'a>>,
        share: bool,
    ) -> Self {
        let bytes = slot_bytes(data, n);
        let file_offset = (HEADER_BLOCK_SIZE + n as usize * CHUNK_SIZE) as u64;
        let ctx = ChunkRef {
            data: bytes,
            number: n,
            file_offset,
        };
        let mut pending = Vec::new();
        let empty = ChunkReader {
            ctx: None,
            walk: None,
            pending: Vec::new(),
        };
        if is_all_zero(bytes) {
            return empty;
        }
        let Some(h) = ChunkHeader::parse(bytes) else {
            let reason = if bytes.len() < CHUNK_HEADER_SIZE && bytes.starts_with(chunk::CHUNK_MAGIC)
            {
                DamageKind::TruncatedChunk { have: bytes.len() }
            } else {
                DamageKind::BadChunkMagic
            };
            return ChunkReader {
                pending: vec![Damage::new(&ctx, None, 0, reason)],
                ..empty
            };
        };
        if bytes.len() < CHUNK_SIZE {
            pending.push(Damage::new(
                &ctx,
                None,
                0,
                DamageKind::TruncatedChunk { have: bytes.len() },
            ));
        }
        let checks = (h.flags | file.flags) & 0x4 == 0;
        if checks {
            let computed = ChunkHeader::computed_header_checksum(bytes);
            if computed != h.header_checksum {
                pending.push(Damage::new(
                    &ctx,
                    None,
                    0x7c,
                    DamageKind::ChunkHeaderChecksum {
                        stored: h.header_checksum,
                        computed,
                    },
                ));
            }
            let computed = h.computed_records_checksum(bytes);
            if computed != Some(h.records_checksum) {
                pending.push(Damage::new(
                    &ctx,
                    None,
                    0x34,
                    DamageKind::RecordsChecksum {
                        stored: h.records_checksum,
                        computed: computed.unwrap_or(0),
                    },
                ));
            }
        }
        pending.reverse();
        ChunkReader {
            walk: Some(RecordWalk::new(bytes, h)),
            ctx: Some(TemplateCache::new(ctx, store.clone(), share)),
            pending,
        }
    }

    fn next(&mut self, filter: &EventFilter) -> Option<Result<Event<'a>, Damage>> {
        if let Some(d) = self.pending.pop() {
            return Some(Err(d));
        }
        let ctx = self.ctx.as_mut()?;
        let walk = self.walk.as_mut()?;
        loop {
            match walk.next()? {
                WalkItem::Bad { offset, error } => {
                    return Some(Err(Damage::new(
                        &ctx.chunk,
                        None,
                        offset,
                        DamageKind::BadRecordHeader(error),
                    )));
                }
                WalkItem::Record(raw) => match Event::from_record(ctx, raw.offset, &raw.header) {
                    Ok(mut e) if filter.is_empty() || filter.matches(&e) => {
                        e.resolve_nested(ctx);
                        return Some(Ok(e));
                    }
                    Ok(_) => {}
                    Err(err) => {
                        return Some(Err(Damage::new(
                            &ctx.chunk,
                            Some(raw.header.record_id),
                            err.offset,
                            DamageKind::BadBinXml { what: err.what },
                        )))
                    }
                },
            }
        }
    }
}

/// Iterator returned by [`EvtxFile::events`].
pub struct Events<'a, 'f> {
    data: &'a [u8],
    header: FileHeader,
    order: std::vec::IntoIter<u64>,
    /// Index in the reading order of the next slot.
    pos: usize,
    /// See [`EvtxFile`].
    last_chunk: usize,
    current: Option<ChunkReader<'a>>,
    pending: Vec<Damage>,
    filter: &'f EventFilter,
    store: Arc<TemplateStore<'a>>,
}

impl<'a> Iterator for Events<'a, '_> {
    type Item = Result<Event<'a>, Damage>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(d) = self.pending.pop() {
            return Some(Err(d));
        }
        loop {
            if let Some(reader) = self.current.as_mut() {
                if let Some(item) = reader.next(self.filter) {
                    return Some(item);
                }
            }
            let n = self.order.next()?;
            let share = self.pos < self.last_chunk;
            self.pos += 1;
            self.current = Some(ChunkReader::open(
                self.data,
                self.header,
                n,
                &self.store,
                share,
            ));
        }
    }
}

impl fmt::Debug for Events<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Events")
            .field("filter", self.filter)
            .finish_non_exhaustive()
    }
}
