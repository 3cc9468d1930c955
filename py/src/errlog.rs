//! Errlogs in Python: reading (detached) into Arrow columns, and the `ErrlogLog` class.
//!
//! Invariants:
//! * The years follow the CLI exactly: an explicit `year`, else the time in a `.Crash`
//!   copy's name (plus 999 ms), else the file's modification time, else now. For inputs up
//!   to [`COLLECT_LIMIT`] the last record is not after that reference (the columns are
//!   built again, one year earlier, in the rare case it is); larger ones keep the years
//!   anchored on the first record, as the CLI does.
//! * An input with unparsed lines but no record is not an errlog: `UnsupportedFormatError`
//!   with the offset and line of its first unparsed line (an empty file is an empty log).
//! * Column values are the CLI's JSON values: `pid`/`tid` as 4+ upper-case hex digits,
//!   `pointer` as 16, `severity` the word as written. `pid`, `tid`, `column5`, `source`,
//!   `task_id` and `severity` take few distinct values and are dictionary-encoded, one
//!   dictionary per batch ([`crate::dict`]): the same values, 4 bytes per row.

use std::sync::{Arc, OnceLock};

use arrow_array::cast::AsArray;
use arrow_array::types::{Int32Type, Int64Type, TimestampMicrosecondType};
use arrow_array::{
    new_empty_array, Array, ArrayRef, RecordBatch, StringArray, TimestampMicrosecondArray,
};
use arrow_buffer::NullBufferBuilder;
use arrow_schema::{DataType, Schema, SchemaRef};
use chrono::{DateTime, Utc};
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyList};

use marslog::errlog::{
    self, Entries, Entry, ErrlogParser, Record, RecordField, UnparsedBuf, Utf8Text, YearPolicy,
};
use marslog::{Format, Input};

use crate::arrow::{self, StrColumn, Table, TextColumn, BATCH_ROWS};
use crate::convert::{display_name, frames, Source};
use crate::dict::DictColumn;
use crate::errors::Error;
use crate::records::{py_repr, PyRecord, PyStats, PyUnparsed};

/// Segments per thread for a large input read on the whole pool (cut at record headers,
/// see `ErrlogParser::par_segments`): threads that finish early take the ones left.
const SEGMENTS_PER_THREAD: usize = 4;

/// The index of the `line` column.
const LINE: usize = 1;

/// Inputs larger than this keep the years anchored on their first record (as the CLI does).
pub const COLLECT_LIMIT: usize = 256 << 20;

/// Column order; also the order of `Record.to_dict()`.
const COLUMNS: [&str; 13] = [
    "file",
    "line",
    "offset",
    "timestamp",
    "pid",
    "tid",
    "column5",
    "source",
    "source_line",
    "pointer",
    "task_id",
    "severity",
    "message",
];

/// The schema of an errlog's Arrow table.
pub fn schema() -> SchemaRef {
    static SCHEMA: OnceLock<SchemaRef> = OnceLock::new();
    Arc::clone(SCHEMA.get_or_init(|| {
        let t = |i: usize| match i {
            0 | 4..=7 | 10 | 11 => arrow::dictionary_type(),
            1 | 2 | 8 => DataType::Int64,
            3 => arrow::timestamp_type(),
            _ => DataType::Utf8,
        };
        let nullable = |i: usize| matches!(i, 3 | 9 | 10);
        Arc::new(Schema::new(
            COLUMNS
                .iter()
                .enumerate()
                .map(|(i, name)| arrow::field(name, t(i), nullable(i)))
                .collect::<Vec<_>>(),
        ))
    }))
}

/// Column builders for one batch.
struct Builders {
    line: Vec<i64>,
    offset: Vec<i64>,
    timestamp: Vec<i64>,
    timestamp_nulls: NullBufferBuilder,
    pid: DictColumn,
    tid: DictColumn,
    column5: DictColumn,
    source: DictColumn,
    source_line: Vec<i64>,
    pointer: StrColumn,
    task_id: DictColumn,
    severity: DictColumn,
    message: StrColumn,
    /// The start of the last record's day.
    day: DayCache,
    /// Bytes of input in the batch's records (an upper bound on each text column's bytes,
    /// decoded text aside, which is at most 3 times that).
    raw_bytes: usize,
}

/// A record's time in microseconds (`Record::timestamp`, as `arrow::micros`), from the
/// start of its day, which is computed once per day: consecutive records share it.
#[derive(Default)]
struct DayCache {
    /// (year, month, day) and the microseconds of its midnight, `None` for no such date.
    last: Option<((i32, u8, u8), Option<i64>)>,
}

impl DayCache {
    #[inline]
    fn micros(&mut self, r: &Record<'_>) -> Option<i64> {
        let t = r.log_time();
        // fields out of the parser's ranges (never, for a record) take the general path
        if t.hour > 23 || t.minute > 59 || t.second > 60 || t.nanos >= 1_000_000_000 {
            return r.timestamp().map(arrow::micros);
        }
        let key = (r.year(), t.month, t.day);
        let midnight = match self.last {
            Some((k, m)) if k == key => m,
            _ => {
                let m = chrono::NaiveDate::from_ymd_opt(key.0, key.1.into(), key.2.into())
                    .and_then(|d| d.and_hms_opt(0, 0, 0))
                    .map(|d| d.and_utc().timestamp_micros());
                self.last = Some((key, m));
                m
            }
        };
        // a leap second (`:60`) is the second after `:59`, as chrono counts it
        let seconds = (i64::from(t.hour) * 60 + i64::from(t.minute)) * 60 + i64::from(t.second);
        Some(midnight? + seconds * 1_000_000 + i64::from(t.nanos / 1_000))
    }
}

/// Append `field` of `r` to `column`: a slice of the validated UTF-8 input's text, else
/// decoded (or a null when the record has no such field).
#[inline(always)]
fn push_field(
    column: &mut impl TextColumn,
    r: &Record<'_>,
    field: RecordField,
    utf8: Option<Utf8Text<'_>>,
) {
    match r.field_bytes(field) {
        None => column.push_null(),
        Some(bytes) => match utf8.and_then(|t| t.get(bytes)) {
            Some(text) => column.push_str(text),
            None => column.push_str(&r.encoding().decode(bytes)),
        },
    }
}

/// True when `p` is 16 bytes, none of them a lower-case letter nor above ASCII (the
/// column's form of a pointer whose digits were validated), eight at a time.
#[inline]
fn is_upper_hex16(p: &[u8]) -> bool {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let Ok(p) = <&[u8; 16]>::try_from(p) else {
        return false;
    };
    // a byte below 0x80 gets its high bit from `+ 0x1F` exactly when it is ≥ 0x61 (`a`);
    // no carry leaves a byte below 0x80, and a byte at or above it is caught by `w` itself
    let lower_or_high = |w: u64| (w | w.wrapping_add(0x1F1F_1F1F_1F1F_1F1F)) & HIGH;
    let (a, b) = p.split_at(8);
    let word = |h: &[u8]| u64::from_le_bytes(h.try_into().unwrap_or([0xFF; 8]));
    lower_or_high(word(a)) | lower_or_high(word(b)) == 0
}

/// Batches end at [`BATCH_ROWS`] rows or when their records reach this many bytes of input
/// (so that no text column of a batch reaches 2 GiB, 32-bit offsets).
const BATCH_RAW_BYTES: usize = 512 << 20;

impl Builders {
    fn new() -> Self {
        let s = |bytes_per_row| StrColumn::with_capacity(BATCH_ROWS, BATCH_ROWS * bytes_per_row);
        let i = || Vec::with_capacity(BATCH_ROWS);
        let d = || DictColumn::with_capacity(BATCH_ROWS);
        Builders {
            line: i(),
            offset: i(),
            timestamp: i(),
            timestamp_nulls: NullBufferBuilder::new(BATCH_ROWS),
            pid: d(),
            tid: d(),
            column5: d(),
            source: d(),
            source_line: i(),
            pointer: s(16),
            task_id: d(),
            severity: d(),
            message: s(64),
            raw_bytes: 0,
            day: DayCache::default(),
        }
    }

    /// Append one record. UTF-8 text is taken as slices of the input's validated `utf8`
    /// text (no second check); other encodings are decoded.
    #[inline]
    fn push(&mut self, r: &Record<'_>, utf8: Option<Utf8Text<'_>>) {
        let pos = r.position();
        self.raw_bytes += r.raw().len();
        self.line.push(pos.line as i64);
        self.offset.push(pos.byte as i64);
        match self.day.micros(r) {
            Some(t) => {
                self.timestamp.push(t);
                self.timestamp_nulls.append_non_null();
            }
            None => {
                self.timestamp.push(0);
                self.timestamp_nulls.append_null();
            }
        }
        self.pid.push_hex(u64::from(r.pid()), 4);
        self.tid.push_hex(u64::from(r.tid()), 4);
        self.source_line.push(i64::from(r.source_line()));
        match r.field_bytes(RecordField::Pointer) {
            None => self.pointer.push_null(),
            // 16 upper-case digits as written are already the column's form
            Some(p) => match utf8.and_then(|t| t.get(p)) {
                Some(p) if is_upper_hex16(p.as_bytes()) => self.pointer.push_str(p),
                _ => self.pointer.push_hex(r.pointer().unwrap_or_default(), 16),
            },
        }
        push_field(&mut self.column5, r, RecordField::Column5, utf8);
        push_field(&mut self.source, r, RecordField::Source, utf8);
        push_field(&mut self.task_id, r, RecordField::TaskId, utf8);
        push_field(&mut self.severity, r, RecordField::Severity, utf8);
        push_field(&mut self.message, r, RecordField::Message, utf8);
    }

    /// True when the batch should end before the next record.
    fn full(&self) -> bool {
        self.line.len() == BATCH_ROWS || self.raw_bytes >= BATCH_RAW_BYTES
    }

    fn rows(&self) -> usize {
        self.line.len()
    }

    fn finish(&mut self, file: &str) -> Result<RecordBatch, Error> {
        let text = |c: &mut StrColumn| -> ArrayRef { Arc::new(c.finish()) };
        let few = |c: &mut DictColumn| c.finish().map_err(Error::internal);
        let timestamp = TimestampMicrosecondArray::new(
            arrow::int64_column(&mut self.timestamp).into_parts().1,
            self.timestamp_nulls.finish(),
        )
        .with_timezone("UTC");
        self.raw_bytes = 0;
        let columns: Vec<ArrayRef> = vec![
            arrow::file_column(file, self.rows()),
            Arc::new(arrow::int64_column(&mut self.line)),
            Arc::new(arrow::int64_column(&mut self.offset)),
            Arc::new(timestamp),
            few(&mut self.pid)?,
            few(&mut self.tid)?,
            few(&mut self.column5)?,
            few(&mut self.source)?,
            Arc::new(arrow::int64_column(&mut self.source_line)),
            text(&mut self.pointer),
            few(&mut self.task_id)?,
            few(&mut self.severity)?,
            text(&mut self.message),
        ];
        RecordBatch::try_new(schema(), columns).map_err(Error::internal)
    }
}

/// Everything read from one errlog, owned and ready to become an `ErrlogLog`.
pub struct ErrlogData {
    file: String,
    table: Table,
    stats: errlog::Stats,
    unparsed: Vec<UnparsedBuf>,
}

/// The parser for one input: explicit year, else a crash copy's time, else mtime, else now.
pub fn parser_for(input: &Input, year: Option<i32>, tolerant: bool) -> ErrlogParser {
    let p = ErrlogParser::new().tolerant(tolerant);
    let crash = input
        .path()
        .file_name()
        .and_then(|n| errlog::logset_name(&n.to_string_lossy()))
        .and_then(|(_, t)| t);
    match (year, crash, input.modified()) {
        (Some(y), _, _) => p.with_year(y),
        (None, Some(c), _) => p.with_reference(c + chrono::Duration::milliseconds(999)),
        (None, None, Some(m)) => p.with_reference(m),
        (None, None, None) => p,
    }
}

/// Read and parse one errlog (call detached).
///
/// One lazy pass builds the columns. With a reference time (no explicit year) the years
/// must leave the last record not after it, as `ErrlogParser::parse` does; in the rare
/// case the pass ends with a later record (a file spanning a new year), the columns are
/// built again with every year one less.
pub fn read(
    source: Source,
    year: Option<i32>,
    tolerant: bool,
    threads: usize,
) -> Result<ErrlogData, Error> {
    let input = source.open()?;
    let file = display_name(&input);
    let parser = parser_for(&input, year, tolerant);
    let bytes = input.bytes();
    let mut pass = build_columns(&parser, bytes, &file, threads)?;
    if let (YearPolicy::Reference(reference), Some(first_year)) =
        (parser.year_policy(), pass.first_year)
    {
        if bytes.len() <= COLLECT_LIMIT && pass.last_time.is_some_and(|t| t > reference) {
            pass = build_columns(&parser.with_year(first_year - 1), bytes, &file, threads)?;
        }
    }
    let stats = pass.stats;
    let unparsed = pass.unparsed;
    if stats.records == 0 && !unparsed.is_empty() {
        let first = &unparsed[0];
        let reason = if !tolerant && parser.tolerant(true).parse(bytes).stats().records > 0 {
            "no record header found (its fields look space-separated: try tolerant=True)"
        } else {
            "no record header found"
        };
        let error = marslog::Error::new(marslog::ErrorKind::NotFormat {
            format: Format::Errlog,
            offset: first.position.byte,
            reason,
        })
        .with_path(input.path());
        return Err(Error::at_line(error, Some(first.position.line)));
    }
    Ok(ErrlogData {
        table: Table::new(schema(), pass.batches),
        file,
        stats,
        unparsed,
    })
}

/// What one pass over an errlog produced.
struct Pass {
    batches: Vec<RecordBatch>,
    unparsed: Vec<UnparsedBuf>,
    stats: errlog::Stats,
    /// The year of the first record.
    first_year: Option<i32>,
    /// The time of the last record.
    last_time: Option<DateTime<Utc>>,
}

/// What one segment (see `ErrlogParser::par_segments`) produced.
struct SegmentPass {
    batches: Vec<RecordBatch>,
    unparsed: Vec<UnparsedBuf>,
    first_year: Option<i32>,
    /// The time of the segment's last record, if it has one.
    last_time: Option<Option<DateTime<Utc>>>,
}

/// The columns of one errlog, its segments built on the rayon pool (a large file is cut
/// at record headers; entries, positions and years are those of a sequential read).
fn build_columns(
    parser: &ErrlogParser,
    bytes: &[u8],
    file: &str,
    threads: usize,
) -> Result<Pass, Error> {
    // More segments than threads, so that a thread that finishes early takes another; but
    // the segments run on rayon's global pool, so with fewer `threads` than the pool has,
    // their number is what keeps the read to `threads` threads.
    let parts = if threads > 1 && threads >= rayon::current_num_threads() {
        threads * SEGMENTS_PER_THREAD
    } else {
        threads
    };
    let (segments, stats) =
        parser.par_segments(bytes, parts, |entries| build_segment(entries, file));
    let mut pass = Pass {
        batches: Vec::new(),
        unparsed: Vec::new(),
        stats,
        first_year: None,
        last_time: None,
    };
    let mut last_time = None;
    for segment in segments {
        let lines_before = segment.lines_before;
        let mut value = segment.value?;
        if lines_before > 0 {
            value.batches = (value.batches.into_iter())
                .map(|batch| shift_lines(batch, lines_before))
                .collect::<Result<_, _>>()?;
            for u in &mut value.unparsed {
                u.position.line += lines_before;
            }
        }
        pass.batches.extend(value.batches);
        pass.unparsed.extend(value.unparsed);
        pass.first_year = pass.first_year.or(value.first_year);
        last_time = value.last_time.or(last_time);
    }
    pass.last_time = last_time.flatten();
    Ok(pass)
}

/// `batch` with `lines` added to its line numbers (a segment's are counted from its start):
/// in place, the column being the batch's own.
fn shift_lines(batch: RecordBatch, lines: u64) -> Result<RecordBatch, Error> {
    let (schema, mut columns, _) = batch.into_parts();
    let column = std::mem::replace(&mut columns[LINE], new_empty_array(&DataType::Int64));
    let numbers = column.as_primitive::<Int64Type>().clone();
    // the batch's reference gone, `numbers` holds the only one: shifted where they are
    drop(column);
    let lines = lines as i64;
    let shifted = numbers
        .unary_mut(|l| l + lines)
        .unwrap_or_else(|shared| shared.unary(|l| l + lines));
    columns[LINE] = Arc::new(shifted);
    RecordBatch::try_new(schema, columns).map_err(Error::internal)
}

fn build_segment(entries: &mut Entries<'_>, file: &str) -> Result<SegmentPass, Error> {
    let mut builders = Builders::new();
    let mut batches = Vec::new();
    let mut unparsed = Vec::new();
    let (mut first_year, mut last) = (None, None);
    let utf8 = entries.utf8_text();
    for e in entries {
        match e {
            Entry::Record(r) => {
                // kept for the segment's last time, pushed from where it is kept
                let r = last.insert(r);
                first_year.get_or_insert(r.year());
                builders.push(r, utf8);
                if builders.full() {
                    batches.push(builders.finish(file)?);
                }
            }
            Entry::Unparsed(u) => unparsed.push(u.into_owned()),
        }
    }
    if builders.rows() > 0 {
        batches.push(builders.finish(file)?);
    }
    Ok(SegmentPass {
        batches,
        unparsed,
        first_year,
        last_time: last.map(|r| r.timestamp()),
    })
}

/// Row `row` of an errlog batch as a `Record`.
fn record_at(file: &str, batch: &RecordBatch, row: usize) -> PyRecord {
    let s = |i: usize| -> &StringArray { batch.column(i).as_string::<i32>() };
    let text = |i: usize| s(i).value(row).to_owned();
    let opt = |i: usize| {
        let a = s(i);
        (!a.is_null(row)).then(|| a.value(row).to_owned())
    };
    // a dictionary-encoded column's value (`None` for null)
    let few = |i: usize| -> Option<String> {
        let a = batch.column(i).as_dictionary::<Int32Type>();
        let key = a.keys();
        let values = a.values().as_string::<i32>();
        (!key.is_null(row)).then(|| values.value(key.value(row) as usize).to_owned())
    };
    let int = |i: usize| batch.column(i).as_primitive::<Int64Type>().value(row);
    let ts = batch.column(3).as_primitive::<TimestampMicrosecondType>();
    let timestamp: Option<DateTime<Utc>> = if ts.is_null(row) {
        None
    } else {
        arrow::from_micros(ts.value(row))
    };
    PyRecord {
        file: file.to_owned(),
        line: int(1),
        offset: int(2),
        timestamp,
        pid: few(4).unwrap_or_default(),
        tid: few(5).unwrap_or_default(),
        column5: few(6).unwrap_or_default(),
        source: few(7).unwrap_or_default(),
        source_line: int(8),
        pointer: opt(9),
        task_id: few(10),
        severity: few(11).unwrap_or_default(),
        message: text(12),
    }
}

/// A parsed errlog: a sequence of `Record`s, plus `.stats` and `.unparsed`.
///
/// The records live in Arrow columns; `Record` objects are made when you index or
/// iterate. `to_arrow()`, `to_pandas()` and `to_polars()` hand over the columns without a
/// Python object per record; any Arrow consumer can take the log directly, since it
/// implements `__arrow_c_stream__` (e.g. `pyarrow.table(log)`, `polars.DataFrame(log)`).
///
/// >>> log = marslog.read_errlog("testdata/errlog/CBEngineCurr.errlog", year=2026)
/// >>> len(log), log.stats.encoding, log.stats.continuation_lines
/// (6, 'utf-16le', 2)
/// >>> log.to_pandas()["timestamp"].dtype
/// datetime64[us, UTC]
#[pyclass(name = "ErrlogLog", module = "marslog._native", frozen, sequence)]
pub struct PyErrlogLog {
    file: String,
    table: Table,
    stats: PyStats,
    unparsed: Vec<PyUnparsed>,
}

impl From<ErrlogData> for PyErrlogLog {
    fn from(d: ErrlogData) -> Self {
        let unparsed = d
            .unparsed
            .into_iter()
            .map(|u| PyUnparsed {
                file: d.file.clone(),
                line: u.position.line as i64,
                offset: u.position.byte as i64,
                reason: u.reason.to_string(),
                text: u.text,
            })
            .collect();
        PyErrlogLog {
            file: d.file,
            table: d.table,
            stats: d.stats.into(),
            unparsed,
        }
    }
}

#[pymethods]
impl PyErrlogLog {
    /// The input's path (`<bytes>` for bytes, a file object's `name`).
    #[getter]
    fn file(&self) -> &str {
        &self.file
    }

    /// Line accounting and the sniffed encoding.
    #[getter]
    fn stats(&self) -> PyStats {
        self.stats.clone()
    }

    /// The lines that are neither records nor continuations, in input order.
    #[getter]
    fn unparsed<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.unparsed.iter().cloned())
    }

    fn __len__(&self) -> usize {
        self.table.rows()
    }

    fn __getitem__(&self, index: &Bound<'_, PyAny>) -> PyResult<PyRecord> {
        let (batch, row) = self.table.row(index, "ErrlogLog", "record")?;
        Ok(record_at(&self.file, batch, row))
    }

    fn __iter__(&self) -> RecordIter {
        RecordIter {
            file: self.file.clone(),
            table: self.table.clone(),
            next: 0,
        }
    }

    /// Export the records as an Arrow stream (the Arrow PyCapsule interface).
    #[pyo3(signature = (requested_schema = None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let _ = requested_schema;
        self.table.stream_capsule(py)
    }

    /// The records as a `pyarrow.Table` (needs pyarrow).
    fn to_arrow<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        frames(slf.as_any(), "to_arrow")
    }

    /// The records as a `pandas.DataFrame` (needs pandas and pyarrow); `timestamp` has
    /// dtype `datetime64[us, UTC]`; `file`, `pid`, `tid`, `column5`, `source`, `task_id`
    /// and `severity` are categoricals (dictionary-encoded in Arrow).
    fn to_pandas<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        frames(slf.as_any(), "to_pandas")
    }

    /// The records as a `polars.DataFrame` (needs polars).
    fn to_polars<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        frames(slf.as_any(), "to_polars")
    }

    fn __repr__(&self) -> String {
        format!(
            "ErrlogLog(file={}, records={}, unparsed={}, encoding={})",
            py_repr(&self.file),
            self.table.rows(),
            self.unparsed.len(),
            py_repr(self.stats.encoding)
        )
    }
}

/// Iterator over an `ErrlogLog`'s records.
#[pyclass(name = "RecordIterator", module = "marslog._native")]
pub struct RecordIter {
    file: String,
    table: Table,
    next: usize,
}

#[pymethods]
impl RecordIter {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&mut self) -> Option<PyRecord> {
        let (batch, row) = self.table.locate(self.next)?;
        self.next += 1;
        Some(record_at(&self.file, batch, row))
    }
}
