//! Builds valid `.evtx` bytes from simple event descriptions, for tests and benchmarks.
//!
//! ```
//! use marslog::evtx::builder::{EventSpec, EvtxBuilder, DataValue};
//! use marslog::evtx::{EventFilter, EvtxFile};
//!
//! let mut b = EvtxBuilder::new();
//! b.push(EventSpec::new("CloudBackup", "CloudBackup", 11)
//!     .level(2)
//!     .computer("SRV01")
//!     .data("JobId", DataValue::Str("42".into())));
//! let bytes = b.build();
//! let file = EvtxFile::parse(&bytes).unwrap();
//! let (events, damage) = file.par_events(&EventFilter::new());
//! assert!(damage.is_empty());
//! assert_eq!(events[0].event_id(), Some(11));
//! assert_eq!(events[0].provider_name().as_deref(), Some("CloudBackup"));
//! ```
//!
//! # What is written
//!
//! Records use the layout of manifest-based events (§1.7 of the format notes): one outer
//! template `<Event><System>…</System>%17</Event>` whose System fields are 17 optional
//! substitutions, `Computer` a literal (so one template per computer name, as Windows
//! does), and the payload a BinXML value holding an instance of an
//! `<EventData><Data Name='…'>%n</Data>…</EventData>` template. Template definitions and
//! names are written inline at first use in each chunk and referenced by offset after
//! that. Chunk and file headers carry correct counters and CRC32s. The chunk string and
//! template tables are left empty (readers do not need them).

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::chunk::{CHUNK_HEADER_SIZE, CHUNK_SIZE};
use super::header::{FILE_MAGIC, HEADER_BLOCK_SIZE};
use super::value::ValueType;

/// A data value of a built event.
#[derive(Debug, Clone, PartialEq)]
pub enum DataValue {
    /// UTF-16 string.
    Str(String),
    /// UInt8.
    U8(u8),
    /// UInt16.
    U16(u16),
    /// UInt32.
    U32(u32),
    /// UInt64.
    U64(u64),
    /// Int32.
    I32(i32),
    /// Int64.
    I64(i64),
    /// Bool (4 bytes).
    Bool(bool),
    /// HexInt32.
    Hex32(u32),
    /// HexInt64.
    Hex64(u64),
    /// Binary.
    Binary(Vec<u8>),
    /// GUID in its little-endian 16-byte layout.
    Guid([u8; 16]),
    /// FILETIME.
    FileTime(u64),
    /// Binary SID.
    Sid(Vec<u8>),
    /// String array (each item NUL-terminated).
    StrArray(Vec<String>),
    /// NULL.
    Null,
}

impl DataValue {
    fn type_code(&self) -> u8 {
        match self {
            DataValue::Str(_) => ValueType::STRING,
            DataValue::U8(_) => ValueType::UINT8,
            DataValue::U16(_) => ValueType::UINT16,
            DataValue::U32(_) => ValueType::UINT32,
            DataValue::U64(_) => ValueType::UINT64,
            DataValue::I32(_) => ValueType::INT32,
            DataValue::I64(_) => ValueType::INT64,
            DataValue::Bool(_) => ValueType::BOOL,
            DataValue::Hex32(_) => ValueType::HEX_INT32,
            DataValue::Hex64(_) => ValueType::HEX_INT64,
            DataValue::Binary(_) => ValueType::BINARY,
            DataValue::Guid(_) => ValueType::GUID,
            DataValue::FileTime(_) => ValueType::FILETIME,
            DataValue::Sid(_) => ValueType::SID,
            DataValue::StrArray(_) => ValueType::STRING | ValueType::ARRAY_FLAG,
            DataValue::Null => ValueType::NULL,
        }
    }

    fn write(&self, out: &mut Vec<u8>) {
        match self {
            DataValue::Str(s) => out.extend(s.encode_utf16().flat_map(u16::to_le_bytes)),
            DataValue::U8(v) => out.push(*v),
            DataValue::U16(v) => out.extend(v.to_le_bytes()),
            DataValue::U32(v) | DataValue::Hex32(v) => out.extend(v.to_le_bytes()),
            DataValue::U64(v) | DataValue::Hex64(v) | DataValue::FileTime(v) => {
                out.extend(v.to_le_bytes())
            }
            DataValue::I32(v) => out.extend(v.to_le_bytes()),
            DataValue::I64(v) => out.extend(v.to_le_bytes()),
            DataValue::Bool(b) => out.extend(u32::from(*b).to_le_bytes()),
            DataValue::Binary(b) | DataValue::Sid(b) => out.extend(b),
            DataValue::Guid(g) => out.extend(g),
            DataValue::StrArray(items) => {
                for s in items {
                    out.extend(s.encode_utf16().flat_map(u16::to_le_bytes));
                    out.extend([0, 0]);
                }
            }
            DataValue::Null => {}
        }
    }
}

/// The description of one event.
#[derive(Debug, Clone, PartialEq)]
pub struct EventSpec {
    /// `Provider@Name`.
    pub provider: String,
    /// `Provider@Guid`.
    pub provider_guid: Option<[u8; 16]>,
    /// `Channel`.
    pub channel: String,
    /// `EventID`.
    pub event_id: u16,
    /// `EventID@Qualifiers`.
    pub qualifiers: Option<u16>,
    /// `Level`.
    pub level: u8,
    /// `Task`.
    pub task: u16,
    /// `Opcode`.
    pub opcode: u8,
    /// `Keywords`.
    pub keywords: u64,
    /// `TimeCreated@SystemTime` and the record time, as FILETIME.
    pub time: u64,
    /// `Computer` (a literal of the template).
    pub computer: String,
    /// `Execution@ProcessID` / `@ThreadID`.
    pub process_thread: (u32, u32),
    /// `Security@UserID` (binary SID).
    pub user_sid: Option<Vec<u8>>,
    /// `EventData` items.
    pub data: Vec<(String, DataValue)>,
}

impl EventSpec {
    /// An Information-level event at 2024-01-01T00:00:00Z on computer `HOST`.
    pub fn new(provider: &str, channel: &str, event_id: u16) -> Self {
        EventSpec {
            provider: provider.into(),
            provider_guid: None,
            channel: channel.into(),
            event_id,
            qualifiers: None,
            level: 4,
            task: 0,
            opcode: 0,
            keywords: 0x8000_0000_0000_0000,
            time: 133_485_408_000_000_000,
            computer: "HOST".into(),
            process_thread: (4, 8),
            user_sid: None,
            data: Vec::new(),
        }
    }

    /// Set the level.
    #[must_use]
    pub fn level(mut self, level: u8) -> Self {
        self.level = level;
        self
    }

    /// Set the computer name.
    #[must_use]
    pub fn computer(mut self, name: &str) -> Self {
        self.computer = name.into();
        self
    }

    /// Set the time.
    #[must_use]
    pub fn time(mut self, t: DateTime<Utc>) -> Self {
        let ticks = (i128::from(t.timestamp()) + 11_644_473_600) * 10_000_000
            + i128::from(t.timestamp_subsec_nanos() / 100);
        self.time = u64::try_from(ticks).unwrap_or(0);
        self
    }

    /// Set the qualifiers (classic events).
    #[must_use]
    pub fn qualifiers(mut self, q: u16) -> Self {
        self.qualifiers = Some(q);
        self
    }

    /// Add an EventData item.
    #[must_use]
    pub fn data(mut self, name: &str, value: DataValue) -> Self {
        self.data.push((name.into(), value));
        self
    }
}

/// The name hash of MS-EVEN6: `h = h * 65599 + unit`, low 16 bits.
fn name_hash(s: &str) -> u16 {
    s.encode_utf16()
        .fold(0u32, |h, u| h.wrapping_mul(65599).wrapping_add(u.into())) as u16
}

/// Writes BinXML into a chunk buffer, where positions are chunk offsets.
#[derive(Debug, Default)]
pub struct ChunkWriter {
    /// The chunk bytes so far (starts with the 512-byte header).
    pub buf: Vec<u8>,
    names: HashMap<String, u32>,
    templates: HashMap<String, u32>,
}

impl ChunkWriter {
    fn new() -> Self {
        ChunkWriter {
            buf: vec![0; CHUNK_HEADER_SIZE],
            ..Default::default()
        }
    }

    /// Current chunk offset.
    pub fn pos(&self) -> u32 {
        self.buf.len() as u32
    }

    fn u16(&mut self, v: u16) {
        self.buf.extend(v.to_le_bytes());
    }

    fn u32(&mut self, v: u32) {
        self.buf.extend(v.to_le_bytes());
    }

    fn patch_u32(&mut self, at: usize, v: u32) {
        self.buf[at..at + 4].copy_from_slice(&v.to_le_bytes());
    }

    /// A name reference, with the name inline at first use in the chunk.
    pub fn name(&mut self, name: &str) {
        if let Some(&off) = self.names.get(name) {
            self.u32(off);
            return;
        }
        let off = self.pos() + 4;
        self.u32(off);
        self.names.insert(name.to_owned(), off);
        self.u32(0);
        self.u16(name_hash(name));
        self.u16(name.encode_utf16().count() as u16);
        self.buf
            .extend(name.encode_utf16().flat_map(u16::to_le_bytes));
        self.u16(0);
    }

    /// An element start: token, dependency id (in templates), size (patched by
    /// [`end`](Self::end)), name, attribute list size. Returns the size field's position.
    pub fn open(&mut self, name: &str, has_attrs: bool, in_template: bool) -> usize {
        self.buf.push(if has_attrs { 0x41 } else { 0x01 });
        if in_template {
            self.u16(0xffff);
        }
        let size_at = self.buf.len();
        self.u32(0);
        self.name(name);
        if has_attrs {
            self.u32(0);
        }
        size_at
    }

    /// An attribute token; `more` when another attribute follows.
    pub fn attr(&mut self, name: &str, more: bool) {
        self.buf.push(if more { 0x46 } else { 0x06 });
        self.name(name);
    }

    /// A text value token.
    pub fn text(&mut self, s: &str) {
        self.buf.extend([0x05, 0x01]);
        self.u16(s.encode_utf16().count() as u16);
        self.buf.extend(s.encode_utf16().flat_map(u16::to_le_bytes));
    }

    /// An optional substitution token.
    pub fn subst(&mut self, index: u16, value_type: u8) {
        self.buf.push(0x0e);
        self.u16(index);
        self.buf.push(value_type);
    }

    /// `>`.
    pub fn close_start(&mut self) {
        self.buf.push(0x02);
    }

    /// `/>` and patch the element size.
    pub fn close_empty(&mut self, size_at: usize) {
        self.buf.push(0x03);
        self.patch_u32(size_at, (self.buf.len() - size_at - 4) as u32);
    }

    /// `</x>` and patch the element size.
    pub fn end(&mut self, size_at: usize) {
        self.buf.push(0x04);
        self.patch_u32(size_at, (self.buf.len() - size_at - 4) as u32);
    }

    /// A template instance of template `key`, writing the definition inline at first use
    /// with `body`, then the values.
    pub(crate) fn instance(
        &mut self,
        key: &str,
        body: impl FnOnce(&mut ChunkWriter),
        values: &[Slot<'_>],
    ) {
        self.buf.extend([0x0c, 0x01]);
        let id = u32::from(name_hash(key)) << 8 | (key.len() as u32 & 0xff);
        self.u32(id);
        match self.templates.get(key) {
            Some(&def) => self.u32(def),
            None => {
                let def = self.pos() + 4;
                self.u32(def);
                self.templates.insert(key.to_owned(), def);
                self.u32(0);
                self.u32(id);
                self.buf.extend([0u8; 12]);
                let size_at = self.buf.len();
                self.u32(0);
                self.buf.extend([0x0f, 1, 1, 0]);
                body(self);
                self.buf.push(0x00);
                self.patch_u32(size_at, (self.buf.len() - size_at - 4) as u32);
            }
        }
        self.u32(values.len() as u32);
        let spec_at = self.buf.len();
        for v in values {
            let ty = match v {
                Slot::Value(v) => v.type_code(),
                Slot::Payload(_) => ValueType::BINXML,
            };
            self.buf.extend([0, 0, ty, 0]);
        }
        for (i, v) in values.iter().enumerate() {
            let start = self.buf.len();
            match v {
                Slot::Value(v) => v.write(&mut self.buf),
                Slot::Payload(f) => f(self),
            }
            let size = (self.buf.len() - start) as u16;
            self.buf[spec_at + 4 * i..spec_at + 4 * i + 2].copy_from_slice(&size.to_le_bytes());
        }
    }
}

/// A value of an instance: plain, or a nested BinXML fragment written in place (its bytes
/// hold chunk offsets).
pub(crate) enum Slot<'s> {
    Value(DataValue),
    Payload(&'s dyn Fn(&mut ChunkWriter)),
}

/// Indices of the System substitutions of the outer template.
const SYSTEM_SLOTS: [(&str, Option<&str>, u16, u8); 17] = [
    ("Provider", Some("Name"), 14, ValueType::STRING),
    ("Provider", Some("Guid"), 15, ValueType::GUID),
    ("EventID", None, 3, ValueType::UINT16),
    ("EventID", Some("Qualifiers"), 4, ValueType::UINT16),
    ("Version", None, 11, ValueType::UINT8),
    ("Level", None, 0, ValueType::UINT8),
    ("Task", None, 2, ValueType::UINT16),
    ("Opcode", None, 1, ValueType::UINT8),
    ("Keywords", None, 5, ValueType::HEX_INT64),
    ("TimeCreated", Some("SystemTime"), 6, ValueType::FILETIME),
    ("EventRecordID", None, 10, ValueType::UINT64),
    ("Correlation", Some("ActivityID"), 7, ValueType::GUID),
    (
        "Correlation",
        Some("RelatedActivityID"),
        13,
        ValueType::GUID,
    ),
    ("Execution", Some("ProcessID"), 8, ValueType::UINT32),
    ("Execution", Some("ThreadID"), 9, ValueType::UINT32),
    ("Channel", None, 16, ValueType::STRING),
    ("Security", Some("UserID"), 12, ValueType::SID),
];

fn write_outer_template(w: &mut ChunkWriter, computer: &str) {
    let event = w.open("Event", true, true);
    w.attr("xmlns", false);
    w.text("http://schemas.microsoft.com/win/2004/08/events/event");
    w.close_start();
    let system = w.open("System", false, true);
    w.close_start();
    let mut i = 0;
    while i < SYSTEM_SLOTS.len() {
        let el = SYSTEM_SLOTS[i].0;
        let group: Vec<_> = SYSTEM_SLOTS[i..].iter().take_while(|s| s.0 == el).collect();
        i += group.len();
        if el == "Channel" {
            let at = w.open("Channel", false, true);
            w.close_start();
            w.subst(16, ValueType::STRING);
            w.end(at);
            let at = w.open("Computer", false, true);
            w.close_start();
            w.text(computer);
            w.end(at);
            continue;
        }
        let attrs: Vec<_> = group.iter().filter(|s| s.1.is_some()).collect();
        let content = group.iter().find(|s| s.1.is_none());
        let at = w.open(el, !attrs.is_empty(), true);
        for (k, a) in attrs.iter().enumerate() {
            w.attr(a.1.unwrap_or_default(), k + 1 < attrs.len());
            w.subst(a.2, a.3);
        }
        match content {
            Some(c) => {
                w.close_start();
                w.subst(c.2, c.3);
                w.end(at);
            }
            None => w.close_empty(at),
        }
    }
    w.end(system);
    w.subst(17, ValueType::BINXML);
    w.end(event);
}

fn write_event(w: &mut ChunkWriter, e: &EventSpec, id: u64) {
    w.buf.extend([0x0f, 1, 1, 0]);
    let opt = |v: Option<DataValue>| Slot::Value(v.unwrap_or(DataValue::Null));
    let payload = |w: &mut ChunkWriter| {
        w.buf.extend([0x0f, 1, 1, 0]);
        let types: Vec<String> = e
            .data
            .iter()
            .map(|(n, v)| format!("{n}:{}", v.type_code()))
            .collect();
        let key = format!("data|{}", types.join("|"));
        let values: Vec<Slot<'_>> = e.data.iter().map(|(_, v)| Slot::Value(v.clone())).collect();
        w.instance(&key, |w| write_data_template(w, &e.data), &values);
        w.buf.push(0x00);
    };
    let values = [
        Slot::Value(DataValue::U8(e.level)),
        Slot::Value(DataValue::U8(e.opcode)),
        Slot::Value(DataValue::U16(e.task)),
        Slot::Value(DataValue::U16(e.event_id)),
        opt(e.qualifiers.map(DataValue::U16)),
        Slot::Value(DataValue::Hex64(e.keywords)),
        Slot::Value(DataValue::FileTime(e.time)),
        Slot::Value(DataValue::Null),
        Slot::Value(DataValue::U32(e.process_thread.0)),
        Slot::Value(DataValue::U32(e.process_thread.1)),
        Slot::Value(DataValue::U64(id)),
        Slot::Value(DataValue::U8(0)),
        opt(e.user_sid.clone().map(DataValue::Sid)),
        Slot::Value(DataValue::Null),
        Slot::Value(DataValue::Str(e.provider.clone())),
        opt(e.provider_guid.map(DataValue::Guid)),
        Slot::Value(DataValue::Str(e.channel.clone())),
        Slot::Payload(&payload),
    ];
    let key = format!("event|{}", e.computer);
    w.instance(&key, |w| write_outer_template(w, &e.computer), &values);
}

fn write_data_template(w: &mut ChunkWriter, data: &[(String, DataValue)]) {
    let root = w.open("EventData", false, true);
    w.close_start();
    for (i, (name, value)) in data.iter().enumerate() {
        let at = w.open("Data", true, true);
        w.attr("Name", false);
        w.text(name);
        w.close_start();
        w.subst(i as u16, value.type_code());
        w.end(at);
    }
    w.end(root);
}

/// Accumulates events and writes an `.evtx` file.
#[derive(Debug)]
pub struct EvtxBuilder {
    chunks: Vec<Vec<u8>>,
    current: ChunkWriter,
    /// (first id, last id, last record offset) of the current chunk.
    ids: Option<(u64, u64, u32)>,
    next_record_id: u64,
}

impl Default for EvtxBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl EvtxBuilder {
    /// An empty log whose first record id is 1.
    pub fn new() -> Self {
        EvtxBuilder {
            chunks: Vec::new(),
            current: ChunkWriter::new(),
            ids: None,
            next_record_id: 1,
        }
    }

    /// Number of chunks finished so far (the chunk being filled is not counted).
    pub fn chunk_count(&self) -> usize {
        self.chunks.len()
    }

    /// Append an event; returns its record id.
    pub fn push(&mut self, spec: EventSpec) -> u64 {
        self.push_with(spec.time, |w, id| write_event(w, &spec, id))
    }

    /// Append a record written at FILETIME `time` whose BinXML is written by `body` (for
    /// hand-made edge cases); returns its record id.
    pub fn push_raw(&mut self, time: u64, body: impl Fn(&mut ChunkWriter)) -> u64 {
        self.push_with(time, |w, _| body(w))
    }

    fn push_with(&mut self, time: u64, body: impl Fn(&mut ChunkWriter, u64)) -> u64 {
        let id = self.next_record_id;
        self.next_record_id += 1;
        for attempt in 0..2 {
            let w = &mut self.current;
            let start = w.buf.len();
            w.buf.extend(super::record::RECORD_MAGIC);
            w.u32(0);
            w.buf.extend(id.to_le_bytes());
            w.buf.extend(time.to_le_bytes());
            body(w, id);
            let size = (w.buf.len() - start + 4) as u32;
            w.u32(size);
            w.patch_u32(start + 4, size);
            if w.buf.len() <= CHUNK_SIZE {
                let (first, _, _) = self.ids.unwrap_or((id, id, 0));
                self.ids = Some((first, id, start as u32));
                return id;
            }
            // Does not fit: undo, close the chunk, retry in a fresh one (names and
            // templates are then written inline again). A record too large for an empty
            // chunk is dropped.
            w.buf.truncate(start);
            if attempt == 0 {
                self.finish_chunk();
            }
        }
        id
    }

    fn finish_chunk(&mut self) {
        let mut w = std::mem::replace(&mut self.current, ChunkWriter::new());
        let Some((first, last, last_off)) = self.ids.take() else {
            return;
        };
        let free = w.buf.len() as u32;
        w.buf.resize(CHUNK_SIZE, 0);
        let b = &mut w.buf;
        b[..8].copy_from_slice(b"ElfChnk\0");
        b[0x08..0x10].copy_from_slice(&first.to_le_bytes());
        b[0x10..0x18].copy_from_slice(&last.to_le_bytes());
        b[0x18..0x20].copy_from_slice(&first.to_le_bytes());
        b[0x20..0x28].copy_from_slice(&last.to_le_bytes());
        b[0x28..0x2c].copy_from_slice(&128u32.to_le_bytes());
        b[0x2c..0x30].copy_from_slice(&last_off.to_le_bytes());
        b[0x30..0x34].copy_from_slice(&free.to_le_bytes());
        b[0x78..0x7c].copy_from_slice(&1u32.to_le_bytes());
        self.chunks.push(w.buf);
    }

    /// Write the file: header block, then the chunks, with all checksums set.
    pub fn build(mut self) -> Vec<u8> {
        self.finish_chunk();
        let mut out = vec![0u8; HEADER_BLOCK_SIZE];
        out[..8].copy_from_slice(FILE_MAGIC);
        let n = self.chunks.len() as u64;
        out[0x10..0x18].copy_from_slice(&n.saturating_sub(1).to_le_bytes());
        out[0x18..0x20].copy_from_slice(&self.next_record_id.to_le_bytes());
        out[0x20..0x24].copy_from_slice(&128u32.to_le_bytes());
        out[0x24..0x26].copy_from_slice(&1u16.to_le_bytes());
        out[0x26..0x28].copy_from_slice(&3u16.to_le_bytes());
        out[0x28..0x2a].copy_from_slice(&(HEADER_BLOCK_SIZE as u16).to_le_bytes());
        out[0x2a..0x2c].copy_from_slice(&(n.min(u16::MAX.into()) as u16).to_le_bytes());
        for c in &self.chunks {
            out.extend(c);
        }
        fix_checksums(&mut out);
        out
    }
}

/// Recompute the file header CRC and every chunk's header and records CRCs (after a test
/// edited the bytes on purpose).
pub fn fix_checksums(file: &mut [u8]) {
    if file.len() >= 0x80 {
        let crc = crc32fast::hash(&file[..0x78]);
        file[0x7c..0x80].copy_from_slice(&crc.to_le_bytes());
    }
    let mut at = HEADER_BLOCK_SIZE;
    while at + CHUNK_SIZE <= file.len() {
        let c = &mut file[at..at + CHUNK_SIZE];
        if c.starts_with(b"ElfChnk\0") {
            let free = u32::from_le_bytes([c[0x30], c[0x31], c[0x32], c[0x33]]) as usize;
            if let Some(records) = c.get(CHUNK_HEADER_SIZE..free) {
                let crc = crc32fast::hash(records);
                c[0x34..0x38].copy_from_slice(&crc.to_le_bytes());
            }
            let crc = super::chunk::ChunkHeader::computed_header_checksum(c);
            c[0x7c..0x80].copy_from_slice(&crc.to_le_bytes());
        }
        at += CHUNK_SIZE;
    }
}
