//! Columns in Arrow form, and how they cross into Python.
//!
//! Readers build their columns in Rust (with the interpreter released) as `RecordBatch`es
//! of at most [`BATCH_ROWS`] rows, so 32-bit string offsets never overflow and consumers
//! can stream. A [`Table`] keeps those batches for the life of the Python object: rows are
//! materialised as Python objects only when asked for (`log[i]`, iteration), and
//! `__arrow_c_stream__` hands the same batches to pyarrow, polars or any other consumer of
//! the Arrow PyCapsule interface, through one `FFI_ArrowArrayStream` (no Python object per
//! record, buffers shared, not copied).
//!
//! Column types: text is `utf8`, integers are `int64`, times are `timestamp[us, tz=UTC]`;
//! optional values are nullable. `file` (one value per input) is dictionary-encoded, so it
//! costs four bytes per row (pandas shows it as a categorical), and so are the errlog
//! fields with few distinct values ([`crate::dict`]).

use std::sync::Arc;

use arrow_array::builder::StringBuilder;
use arrow_array::ffi_stream::FFI_ArrowArrayStream;
use arrow_array::types::Int32Type;
use arrow_array::{
    ArrayRef, DictionaryArray, Int32Array, Int64Array, RecordBatch, RecordBatchIterator,
    StringArray,
};
use arrow_buffer::ScalarBuffer;
use arrow_schema::{DataType, Field, SchemaRef, TimeUnit};
use chrono::{DateTime, Utc};
use pyo3::exceptions::{PyIndexError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::PyCapsule;

/// Most rows per batch.
pub const BATCH_ROWS: usize = 64 * 1024;

/// The name the Arrow PyCapsule interface requires for streams.
const STREAM_CAPSULE: &std::ffi::CStr = c"arrow_array_stream";

/// `timestamp[us, tz=UTC]`.
pub fn timestamp_type() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
}

/// `dictionary<values=utf8, indices=int32>`: the type of the `file` column and of the
/// other dictionary-encoded text columns.
pub fn dictionary_type() -> DataType {
    DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8))
}

/// The `file` column of a batch: `rows` times `file`, dictionary-encoded (one copy of the
/// string, four bytes per row).
pub fn file_column(file: &str, rows: usize) -> ArrayRef {
    let keys = Int32Array::from(vec![0; rows]);
    let values: ArrayRef = Arc::new(StringArray::from(vec![file]));
    Arc::new(DictionaryArray::<Int32Type>::new(keys, values))
}

/// A field: `name`, `data_type`, nullable or not.
pub fn field(name: &str, data_type: DataType, nullable: bool) -> Field {
    Field::new(name, data_type, nullable)
}

/// A UTC time as microseconds since the epoch (the timestamp column's unit).
pub fn micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

/// Microseconds since the epoch back to a UTC time.
pub fn from_micros(us: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_micros(us)
}

/// Batches with one schema, plus the row index of each batch's start.
#[derive(Debug, Clone)]
pub struct Table {
    schema: SchemaRef,
    batches: Arc<[RecordBatch]>,
    starts: Arc<[usize]>,
    rows: usize,
}

impl Table {
    /// Wrap batches that all have `schema`.
    pub fn new(schema: SchemaRef, batches: Vec<RecordBatch>) -> Table {
        let mut starts = Vec::with_capacity(batches.len());
        let mut rows = 0;
        for b in &batches {
            starts.push(rows);
            rows += b.num_rows();
        }
        Table {
            schema,
            batches: batches.into(),
            starts: starts.into(),
            rows,
        }
    }

    /// Total rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The schema.
    pub fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    /// The batch holding row `i` and the row's index in it.
    pub fn locate(&self, i: usize) -> Option<(&RecordBatch, usize)> {
        if i >= self.rows {
            return None;
        }
        let k = self.starts.partition_point(|&s| s <= i) - 1;
        Some((&self.batches[k], i - self.starts[k]))
    }

    /// The batch and row for a Python index (`log[i]`, negative counting from the end);
    /// `owner` and `item` name the class and its rows in the errors.
    pub fn row(
        &self,
        index: &Bound<'_, PyAny>,
        owner: &str,
        item: &str,
    ) -> PyResult<(&RecordBatch, usize)> {
        let i = py_index(index, self.rows, owner, item)?;
        Ok(self.locate(i).expect("py_index checked the range"))
    }

    /// An `arrow_array_stream` PyCapsule over the batches. `requested_schema` is accepted
    /// and ignored, as the interface allows: the columns are always the documented types.
    pub fn stream_capsule<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyCapsule>> {
        let batches: Vec<_> = self.batches.iter().cloned().map(Ok).collect();
        let reader = RecordBatchIterator::new(batches, Arc::clone(&self.schema));
        let stream = FFI_ArrowArrayStream::new(Box::new(reader));
        PyCapsule::new_with_value(py, stream, STREAM_CAPSULE)
    }
}

/// A `utf8` column built from text that is already known to be valid (`&str`: slices of
/// the input validated once as a whole, or decoded text), so finishing it checks nothing
/// again; hex values are written without `fmt`.
pub struct StrColumn {
    builder: StringBuilder,
    /// The capacity of each batch: rows and bytes.
    capacity: (usize, usize),
}

/// A text column being built ([`StrColumn`], or [`crate::dict::DictColumn`]).
pub trait TextColumn {
    /// Append text.
    fn push_str(&mut self, text: &str);
    /// Append a null.
    fn push_null(&mut self);
    /// Append text, or a null for `None`.
    #[inline]
    fn push_opt(&mut self, text: Option<&str>) {
        match text {
            Some(t) => self.push_str(t),
            None => self.push_null(),
        }
    }
}

impl TextColumn for StrColumn {
    #[inline]
    fn push_str(&mut self, text: &str) {
        self.builder.append_value(text);
    }

    fn push_null(&mut self) {
        self.builder.append_null();
    }
}

/// Upper-case hex digits.
const HEX_DIGITS: &[u8; 16] = b"0123456789ABCDEF";

/// A value in upper-case hex (`{:0NX}`), on the stack.
pub struct HexText {
    digits: [u8; 16],
    start: usize,
}

impl HexText {
    /// The digits.
    pub fn as_str(&self) -> &str {
        // ASCII digits: always valid
        std::str::from_utf8(&self.digits[self.start..]).unwrap_or_default()
    }
}

/// `value` as upper-case hex with at least `min_digits` (at most 16) digits.
pub fn hex_text(value: u64, min_digits: usize) -> HexText {
    let digits = (16 - value.leading_zeros() as usize / 4).clamp(min_digits.max(1), 16);
    let mut out = [b'0'; 16];
    for (k, slot) in out[16 - digits..].iter_mut().rev().enumerate() {
        *slot = HEX_DIGITS[((value >> (4 * k)) & 0xF) as usize];
    }
    HexText {
        digits: out,
        start: 16 - digits,
    }
}

impl StrColumn {
    /// An empty column with room for `rows` values of `bytes` bytes in all.
    pub fn with_capacity(rows: usize, bytes: usize) -> Self {
        StrColumn {
            builder: StringBuilder::with_capacity(rows, bytes),
            capacity: (rows, bytes),
        }
    }

    /// Bytes of text so far.
    pub fn value_bytes(&self) -> usize {
        self.builder.values_slice().len()
    }

    /// Append `value` as upper-case hex with at least `min_digits` (at most 16) digits
    /// (`{:0NX}`).
    #[inline]
    pub fn push_hex(&mut self, value: u64, min_digits: usize) {
        self.push_str(hex_text(value, min_digits).as_str());
    }

    /// The values so far as a `StringArray`; the column starts again empty, with the same
    /// capacity (`StringBuilder::finish` would leave it none, so that the next batch grew
    /// by reallocations). The caller keeps a batch's text well under 2 GiB (32-bit
    /// offsets).
    pub fn finish(&mut self) -> StringArray {
        let (rows, bytes) = self.capacity;
        std::mem::replace(&mut self.builder, StringBuilder::with_capacity(rows, bytes)).finish()
    }
}

/// An `int64` (or timestamp) column without nulls, built in a plain `Vec`.
pub fn int64_column(values: &mut Vec<i64>) -> Int64Array {
    let rows = values.len();
    Int64Array::new(
        ScalarBuffer::from(std::mem::replace(values, Vec::with_capacity(rows))),
        None,
    )
}

/// Resolve a Python sequence index over `len` items (negative counts from the end):
/// `TypeError` for a non-integer, `IndexError` out of range.
pub fn py_index(index: &Bound<'_, PyAny>, len: usize, owner: &str, item: &str) -> PyResult<usize> {
    let Ok(i) = index.extract::<isize>() else {
        return Err(PyTypeError::new_err(format!(
            "{owner} indices must be integers"
        )));
    };
    let n = len as isize;
    let k = if i < 0 { i + n } else { i };
    if (0..n).contains(&k) {
        Ok(k as usize)
    } else {
        Err(PyIndexError::new_err(format!("{item} index out of range")))
    }
}
