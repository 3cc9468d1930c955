//! Windows events in Python: reading `.evtx` or event XML (detached) into Arrow columns,
//! and the `EventLog` class.
//!
//! Invariants:
//! * The format is decided by content ([`marslog::evtx::detect`]), never by file name.
//! * Damage is data, as in the core: a bad chunk, record or XML event becomes a `Damage`
//!   item and reading goes on. Only an input that is not an event log at all (or an EVTX
//!   file whose header is unusable) raises.
//! * `data` is one JSON object per event, keys in document order; a repeated name (e.g.
//!   unnamed `<Data>` items, all called `Data`) maps to a list of its values. Integers,
//!   floats and booleans stay JSON numbers and booleans; every other typed value (GUID,
//!   SID, FILETIME, hex integers, binary) is its text form, as in the XML rendering.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use arrow_array::builder::{
    ArrayBuilder, Int64Builder, StringBuilder, TimestampMicrosecondBuilder,
};
use arrow_array::cast::AsArray;
use arrow_array::types::{Int64Type, TimestampMicrosecondType};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, Schema, SchemaRef};
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyList};
use rayon::prelude::*;

use marslog::evtx::{
    self, read_xml_events, Damage, DamageKind, DataField, Event, EventFilter, EventFormat,
    EvtxFile, Value,
};
use marslog::{ErrorKind, Format};

use crate::arrow::{self, Table, BATCH_ROWS};
use crate::convert::{display_name, frames, Source};
use crate::errors::Error;
use crate::records::{py_repr, PyDamage, PyEvent};

/// Column order; also the order of `Event.to_dict()`.
const COLUMNS: [&str; 9] = [
    "file",
    "record_id",
    "timestamp",
    "event_id",
    "provider",
    "channel",
    "computer",
    "level",
    "data",
];

/// The schema of an event log's Arrow table.
pub fn schema() -> SchemaRef {
    static SCHEMA: OnceLock<SchemaRef> = OnceLock::new();
    Arc::clone(SCHEMA.get_or_init(|| {
        let t = |i: usize| match i {
            0 => arrow::dictionary_type(),
            1 | 3 | 7 => DataType::Int64,
            2 => arrow::timestamp_type(),
            _ => DataType::Utf8,
        };
        let nullable = |i: usize| !matches!(i, 0 | 1 | 8);
        Arc::new(Schema::new(
            COLUMNS
                .iter()
                .enumerate()
                .map(|(i, name)| arrow::field(name, t(i), nullable(i)))
                .collect::<Vec<_>>(),
        ))
    }))
}

struct Builders {
    record_id: Int64Builder,
    timestamp: TimestampMicrosecondBuilder,
    event_id: Int64Builder,
    provider: StringBuilder,
    channel: StringBuilder,
    computer: StringBuilder,
    level: Int64Builder,
    data: StringBuilder,
}

impl Builders {
    fn new() -> Self {
        Builders {
            record_id: Int64Builder::new(),
            timestamp: TimestampMicrosecondBuilder::new().with_timezone("UTC"),
            event_id: Int64Builder::new(),
            provider: StringBuilder::new(),
            channel: StringBuilder::new(),
            computer: StringBuilder::new(),
            level: Int64Builder::new(),
            data: StringBuilder::new(),
        }
    }

    fn push(&mut self, e: &Event<'_>, data: &str) {
        self.record_id.append_value(e.record_id() as i64);
        let time = e.time_created().or_else(|| e.timestamp());
        self.timestamp.append_option(time.map(arrow::micros));
        self.event_id.append_option(e.event_id().map(i64::from));
        self.provider.append_option(e.provider_name());
        self.channel.append_option(e.channel());
        self.computer.append_option(e.computer());
        self.level.append_option(e.level().map(i64::from));
        self.data.append_value(data);
    }

    fn finish(&mut self, file: &str) -> RecordBatch {
        let columns: Vec<ArrayRef> = vec![
            arrow::file_column(file, self.record_id.len()),
            Arc::new(self.record_id.finish()),
            Arc::new(self.timestamp.finish()),
            Arc::new(self.event_id.finish()),
            Arc::new(self.provider.finish()),
            Arc::new(self.channel.finish()),
            Arc::new(self.computer.finish()),
            Arc::new(self.level.finish()),
            Arc::new(self.data.finish()),
        ];
        RecordBatch::try_new(schema(), columns).expect("event columns match their schema")
    }
}

/// A typed value as JSON (see the module docs), serialized where it lies.
struct JsonValue<'v, 'e>(&'v Value<'e>);

impl serde::Serialize for JsonValue<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Null => s.serialize_unit(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::I8(x) => s.serialize_i64(i64::from(*x)),
            Value::U8(x) => s.serialize_u64(u64::from(*x)),
            Value::I16(x) => s.serialize_i64(i64::from(*x)),
            Value::U16(x) => s.serialize_u64(u64::from(*x)),
            Value::I32(x) => s.serialize_i64(i64::from(*x)),
            Value::U32(x) => s.serialize_u64(u64::from(*x)),
            Value::I64(x) => s.serialize_i64(*x),
            Value::U64(x) => s.serialize_u64(*x),
            // NaN and infinities are not JSON numbers
            Value::F32(x) if x.is_finite() => s.serialize_f64(f64::from(*x)),
            Value::F64(x) if x.is_finite() => s.serialize_f64(*x),
            Value::F32(_) | Value::F64(_) => s.serialize_unit(),
            other => s.serialize_str(&other.to_text()),
        }
    }
}

/// The values of the items called `name`, the first at `fields[0]`: one value, or a list
/// when the name repeats (then the later items are found by their name).
struct JsonGroup<'f, 'e> {
    fields: &'f [DataField<'e>],
    name: &'f str,
    count: usize,
}

impl serde::Serialize for JsonGroup<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        if self.count == 1 {
            return match self.fields.first() {
                Some(f) => JsonValue(&f.value).serialize(s),
                None => s.serialize_unit(),
            };
        }
        let mut seq = s.serialize_seq(Some(self.count))?;
        let values = self.fields.iter().filter(|f| f.name.as_ref() == self.name);
        for f in values.take(self.count) {
            seq.serialize_element(&JsonValue(&f.value))?;
        }
        seq.end()
    }
}

/// The data items as one JSON object in document order; repeated names become lists.
struct JsonData<'f, 'e>(&'f [DataField<'e>]);

impl serde::Serialize for JsonData<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let fields = self.0;
        // distinct names in first-seen order, with their counts and first items; events
        // have a handful of items, so a scan of the names seen so far (a map only for long
        // payloads)
        let mut names: Vec<(&str, usize, usize)> = Vec::with_capacity(fields.len());
        let mut index: HashMap<&str, usize> = HashMap::new();
        for (at, f) in fields.iter().enumerate() {
            let name = f.name.as_ref();
            let found = if fields.len() <= LINEAR_NAMES {
                names.iter().position(|(n, _, _)| *n == name)
            } else {
                index.get(name).copied()
            };
            match found {
                Some(k) => names[k].1 += 1,
                None => {
                    if fields.len() > LINEAR_NAMES {
                        index.insert(name, names.len());
                    }
                    names.push((name, 1, at));
                }
            }
        }
        let mut map = s.serialize_map(Some(names.len()))?;
        for (name, count, first) in names {
            map.serialize_entry(
                name,
                &JsonGroup {
                    fields: &fields[first..],
                    name,
                    count,
                },
            )?;
        }
        map.end()
    }
}

/// Up to this many items, names are grouped by a linear scan.
const LINEAR_NAMES: usize = 32;

/// Write the data items of an event as one JSON object into `out` (cleared first): keys
/// in document order, a repeated name a list (see the module docs).
fn write_data_json(fields: &[DataField<'_>], out: &mut Vec<u8>) {
    out.clear();
    if serde_json::to_writer(&mut *out, &JsonData(fields)).is_err() {
        out.clear();
        out.extend_from_slice(b"{}");
    }
}

fn damage_kind(k: &DamageKind) -> &'static str {
    match k {
        DamageKind::FileHeaderChecksum { .. } => "file_header_checksum",
        DamageKind::BadChunkMagic => "bad_chunk_magic",
        DamageKind::TruncatedChunk { .. } => "truncated_chunk",
        DamageKind::ChunkHeaderChecksum { .. } => "chunk_header_checksum",
        DamageKind::RecordsChecksum { .. } => "records_checksum",
        DamageKind::BadRecordHeader(_) => "bad_record_header",
        DamageKind::BadBinXml { .. } => "bad_binxml",
        DamageKind::BadXml { .. } => "bad_xml",
        _ => "other",
    }
}

/// A core damage record as a `Damage` object of input `file`.
pub fn py_damage(file: &str, d: &Damage) -> PyDamage {
    PyDamage {
        file: file.to_owned(),
        offset: d.offset,
        chunk: d.chunk,
        record_id: d.record_id,
        kind: damage_kind(&d.reason),
        advisory: d.reason.is_advisory(),
        message: d.to_string(),
    }
}

/// Everything read from one event input, owned.
pub struct EventData {
    file: String,
    table: Table,
    damage: Vec<PyDamage>,
}

/// Read one `.evtx` or event XML input (call detached).
pub fn read(source: Source, filter: &EventFilter) -> Result<EventData, Error> {
    let input = source.open()?;
    let file = display_name(&input);
    let bytes = input.bytes();
    let (table, damage) = match evtx::detect(bytes) {
        Some(EventFormat::Evtx) => {
            let (events, damage) = EvtxFile::parse(bytes)
                .map_err(|e| e.with_path(input.path()))?
                .par_events(filter);
            columns(&file, &events, &damage)
        }
        Some(EventFormat::Xml) => {
            let (events, damage) = read_xml_events(bytes, filter);
            columns(&file, &events, &damage)
        }
        None => {
            return Err(marslog::Error::new(ErrorKind::NotFormat {
                format: Format::Evtx,
                offset: 0,
                reason: "neither an .evtx file (no ElfFile magic) nor event XML",
            })
            .with_path(input.path())
            .into())
        }
    };
    Ok(EventData {
        file,
        table,
        damage,
    })
}

/// Arrow columns for `events`; the damage read so far, plus events whose payload failed.
/// Batches are built in parallel (each from its own slice of the events).
fn columns(file: &str, events: &[Event<'_>], damage: &[Damage]) -> (Table, Vec<PyDamage>) {
    let mut damage: Vec<PyDamage> = damage.iter().map(|d| py_damage(file, d)).collect();
    let built: Vec<(RecordBatch, Vec<PyDamage>)> = events
        .par_chunks(BATCH_ROWS)
        .map(|chunk| {
            let mut builders = Builders::new();
            let mut failed = Vec::new();
            let mut data = Vec::with_capacity(1024);
            for e in chunk {
                match e.data() {
                    Ok(fields) => write_data_json(&fields, &mut data),
                    Err(d) => {
                        failed.push(py_damage(file, &d));
                        data.clear();
                        data.extend_from_slice(b"{}");
                    }
                }
                // serde_json writes UTF-8
                builders.push(e, std::str::from_utf8(&data).unwrap_or("{}"));
            }
            (builders.finish(file), failed)
        })
        .collect();
    let mut batches = Vec::with_capacity(built.len());
    for (batch, failed) in built {
        batches.push(batch);
        damage.extend(failed);
    }
    (Table::new(schema(), batches), damage)
}

fn event_at(file: &str, batch: &RecordBatch, row: usize) -> PyEvent {
    let opt_text = |i: usize| {
        let a = batch.column(i).as_string::<i32>();
        (!a.is_null(row)).then(|| a.value(row).to_owned())
    };
    let opt_int = |i: usize| {
        let a = batch.column(i).as_primitive::<Int64Type>();
        (!a.is_null(row)).then(|| a.value(row))
    };
    let ts = batch.column(2).as_primitive::<TimestampMicrosecondType>();
    PyEvent {
        file: file.to_owned(),
        record_id: opt_int(1).unwrap_or_default(),
        timestamp: (!ts.is_null(row))
            .then(|| arrow::from_micros(ts.value(row)))
            .flatten(),
        event_id: opt_int(3),
        provider: opt_text(4),
        channel: opt_text(5),
        computer: opt_text(6),
        level: opt_int(7),
        data_json: opt_text(8).unwrap_or_else(|| "{}".to_owned()),
    }
}

/// The events of one `.evtx` file or XML export: a sequence of `Event`s, plus `.damage`.
///
/// Like `ErrlogLog`, the events live in Arrow columns (`data` is a JSON text column) and
/// the log implements `__arrow_c_stream__`.
///
/// >>> xml = b"<Event><System><Provider Name='CloudBackup'/><EventID>11</EventID></System></Event>"
/// >>> log = marslog.read_events(xml)
/// >>> len(log), log[0].event_id, log.damage
/// (1, 11, [])
/// >>> log.to_arrow().column("data").to_pylist()
/// ['{}']
#[pyclass(name = "EventLog", module = "marslog._native", frozen, sequence)]
pub struct PyEventLog {
    file: String,
    table: Table,
    damage: Vec<PyDamage>,
}

impl From<EventData> for PyEventLog {
    fn from(d: EventData) -> Self {
        PyEventLog {
            file: d.file,
            table: d.table,
            damage: d.damage,
        }
    }
}

#[pymethods]
impl PyEventLog {
    /// The input's path (`<bytes>` for bytes, a file object's `name`).
    #[getter]
    fn file(&self) -> &str {
        &self.file
    }

    /// What could not be read (or only with a warning), in input order.
    #[getter]
    fn damage<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.damage.iter().cloned())
    }

    fn __len__(&self) -> usize {
        self.table.rows()
    }

    fn __getitem__(&self, index: &Bound<'_, PyAny>) -> PyResult<PyEvent> {
        let (batch, row) = self.table.row(index, "EventLog", "event")?;
        Ok(event_at(&self.file, batch, row))
    }

    fn __iter__(&self) -> EventIter {
        EventIter {
            file: self.file.clone(),
            table: self.table.clone(),
            next: 0,
        }
    }

    /// Export the events as an Arrow stream (the Arrow PyCapsule interface).
    #[pyo3(signature = (requested_schema = None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let _ = requested_schema;
        self.table.stream_capsule(py)
    }

    /// The events as a `pyarrow.Table` (needs pyarrow); `data` is a JSON string column.
    fn to_arrow<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        frames(slf.as_any(), "to_arrow")
    }

    /// The events as a `pandas.DataFrame` (needs pandas and pyarrow).
    fn to_pandas<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        frames(slf.as_any(), "to_pandas")
    }

    /// The events as a `polars.DataFrame` (needs polars).
    fn to_polars<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        frames(slf.as_any(), "to_polars")
    }

    fn __repr__(&self) -> String {
        format!(
            "EventLog(file={}, events={}, damage={})",
            py_repr(&self.file),
            self.table.rows(),
            self.damage.len()
        )
    }
}

/// Iterator over an `EventLog`'s events.
#[pyclass(name = "EventIterator", module = "marslog._native")]
pub struct EventIter {
    file: String,
    table: Table,
    next: usize,
}

#[pymethods]
impl EventIter {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&mut self) -> Option<PyEvent> {
        let (batch, row) = self.table.locate(self.next)?;
        self.next += 1;
        Some(event_at(&self.file, batch, row))
    }
}
