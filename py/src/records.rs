//! The frozen row classes Python sees: `Record`, `Unparsed`, `Stats`, `Event`, `Damage`.
//!
//! Each holds owned Rust values (copied out of the Arrow columns or the core's owned
//! types) and converts a field to a Python object only when it is read. Attribute names
//! are the CLI's JSON keys; `to_dict()` returns them in the same order.

use chrono::{DateTime, Utc};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::convert::json_loads;

/// Shorten `s` to at most `n` characters for a repr.
fn clip(s: &str, n: usize) -> String {
    match s.char_indices().nth(n) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_owned(),
    }
}

fn repr_time(t: Option<DateTime<Utc>>) -> String {
    t.map_or_else(|| "None".to_owned(), |t| format!("'{}'", t.to_rfc3339()))
}

/// A string the way Python's `repr()` writes it (single quotes unless the text has one).
pub fn py_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

fn py_opt(s: Option<&str>) -> String {
    s.map_or_else(|| "None".to_owned(), py_repr)
}

/// One errlog record.
///
/// >>> rec = marslog.read_errlog("testdata/errlog/CBEngineCurr.errlog", year=2026)[0]
/// >>> rec.severity, rec.source, rec.source_line, rec.pid
/// ('NORMAL', 'backupasync.cpp', 1279, '1A2C')
/// >>> rec.timestamp
/// datetime.datetime(2026, 3, 14, 8, 0, 1, 125000, tzinfo=datetime.timezone.utc)
#[pyclass(name = "Record", module = "marslog._native", frozen, eq)]
#[derive(Debug, Clone, PartialEq)]
pub struct PyRecord {
    /// The input's path (`<bytes>` for bytes).
    #[pyo3(get)]
    pub file: String,
    /// 1-based line of the record's header.
    #[pyo3(get)]
    pub line: i64,
    /// Byte offset of the record in the input (BOM included).
    #[pyo3(get)]
    pub offset: i64,
    /// UTC time; None when the date does not exist in the inferred year.
    #[pyo3(get)]
    pub timestamp: Option<DateTime<Utc>>,
    /// Process id, hex as in the file (`"44B4"`).
    #[pyo3(get)]
    pub pid: String,
    /// Thread id, hex as in the file.
    #[pyo3(get)]
    pub tid: String,
    /// The opaque fifth column.
    #[pyo3(get)]
    pub column5: String,
    /// Source file name (`backupasync.cpp`).
    #[pyo3(get)]
    pub source: String,
    /// Line in the source file.
    #[pyo3(get)]
    pub source_line: i64,
    /// Object pointer as 16 hex digits, or None.
    #[pyo3(get)]
    pub pointer: Option<String>,
    /// Task (job) GUID as written, or None.
    #[pyo3(get)]
    pub task_id: Option<String>,
    /// `NORMAL`, `WARNING`, `FATAL`, `CRITICAL`, or another word verbatim.
    #[pyo3(get)]
    pub severity: String,
    /// The message, continuation lines joined with their original line breaks.
    #[pyo3(get)]
    pub message: String,
}

#[pymethods]
impl PyRecord {
    /// The record as a dict with the CLI's JSON keys (the timestamp stays a datetime).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("file", &self.file)?;
        d.set_item("line", self.line)?;
        d.set_item("offset", self.offset)?;
        d.set_item("timestamp", self.timestamp)?;
        d.set_item("pid", &self.pid)?;
        d.set_item("tid", &self.tid)?;
        d.set_item("column5", &self.column5)?;
        d.set_item("source", &self.source)?;
        d.set_item("source_line", self.source_line)?;
        d.set_item("pointer", &self.pointer)?;
        d.set_item("task_id", &self.task_id)?;
        d.set_item("severity", &self.severity)?;
        d.set_item("message", &self.message)?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        format!(
            "Record(file={}, line={}, timestamp={}, severity={}, source={}, message={})",
            py_repr(&self.file),
            self.line,
            repr_time(self.timestamp),
            py_repr(&self.severity),
            py_repr(&format!("{}({})", self.source, self.source_line)),
            py_repr(&clip(&self.message, 60)),
        )
    }
}

/// A line that is neither a record nor a continuation, with where it is and why.
#[pyclass(name = "Unparsed", module = "marslog._native", frozen, eq)]
#[derive(Debug, Clone, PartialEq)]
pub struct PyUnparsed {
    /// The input's path.
    #[pyo3(get)]
    pub file: String,
    /// 1-based line.
    #[pyo3(get)]
    pub line: i64,
    /// Byte offset of the line (BOM included).
    #[pyo3(get)]
    pub offset: i64,
    /// Why the line was not parsed (`malformed record header: bad time`, …).
    #[pyo3(get)]
    pub reason: String,
    /// The line's text, decoded, without its terminator.
    #[pyo3(get)]
    pub text: String,
}

#[pymethods]
impl PyUnparsed {
    /// As a dict with the CLI's keys (`file`, `line`, `offset`, `reason`, `text`).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("file", &self.file)?;
        d.set_item("line", self.line)?;
        d.set_item("offset", self.offset)?;
        d.set_item("reason", &self.reason)?;
        d.set_item("text", &self.text)?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        format!(
            "Unparsed(line={}, offset={}, reason={}, text={})",
            self.line,
            self.offset,
            py_repr(&self.reason),
            py_repr(&clip(&self.text, 60))
        )
    }
}

/// Counts over one errlog: `lines == records + continuation_lines + unparsed_lines +
/// blank_lines` always holds.
#[pyclass(name = "Stats", module = "marslog._native", frozen, eq)]
#[derive(Debug, Clone, PartialEq)]
pub struct PyStats {
    /// Input size in bytes (BOM included).
    #[pyo3(get)]
    pub bytes: u64,
    /// Physical lines.
    #[pyo3(get)]
    pub lines: u64,
    /// Records (header lines).
    #[pyo3(get)]
    pub records: u64,
    /// Lines attached to a record's message.
    #[pyo3(get)]
    pub continuation_lines: u64,
    /// Lines reported in `.unparsed`.
    #[pyo3(get)]
    pub unparsed_lines: u64,
    /// Empty or whitespace-only lines.
    #[pyo3(get)]
    pub blank_lines: u64,
    /// `utf-8`, `utf-16le`, `utf-16be` or `windows-1252`.
    #[pyo3(get)]
    pub encoding: &'static str,
}

impl From<marslog::errlog::Stats> for PyStats {
    fn from(s: marslog::errlog::Stats) -> Self {
        PyStats {
            bytes: s.bytes,
            lines: s.lines,
            records: s.records,
            continuation_lines: s.continuation_lines,
            unparsed_lines: s.unparsed_lines,
            blank_lines: s.blank_lines,
            encoding: s.encoding.name(),
        }
    }
}

#[pymethods]
impl PyStats {
    /// The counts as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("bytes", self.bytes)?;
        d.set_item("lines", self.lines)?;
        d.set_item("records", self.records)?;
        d.set_item("continuation_lines", self.continuation_lines)?;
        d.set_item("unparsed_lines", self.unparsed_lines)?;
        d.set_item("blank_lines", self.blank_lines)?;
        d.set_item("encoding", self.encoding)?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        format!(
            "Stats(bytes={}, lines={}, records={}, continuation_lines={}, unparsed_lines={}, blank_lines={}, encoding={})",
            self.bytes,
            self.lines,
            self.records,
            self.continuation_lines,
            self.unparsed_lines,
            self.blank_lines,
            py_repr(self.encoding)
        )
    }
}

/// One Windows event (from `.evtx` or event XML).
///
/// >>> xml = (b"<Event><System><Provider Name='CloudBackup'/><EventID>11</EventID></System>"
/// ...        b"<EventData><Data>first</Data><Data>second</Data></EventData></Event>")
/// >>> ev = marslog.read_events(xml)[0]
/// >>> ev.provider, ev.event_id, ev.level, ev.data
/// ('CloudBackup', 11, None, {'Data': ['first', 'second']})
#[pyclass(name = "Event", module = "marslog._native", frozen, eq)]
#[derive(Debug, Clone, PartialEq)]
pub struct PyEvent {
    /// The input's path.
    #[pyo3(get)]
    pub file: String,
    /// EventRecordID.
    #[pyo3(get)]
    pub record_id: i64,
    /// `System/TimeCreated` (else the record's write time), UTC.
    #[pyo3(get)]
    pub timestamp: Option<DateTime<Utc>>,
    /// `System/EventID`.
    #[pyo3(get)]
    pub event_id: Option<i64>,
    /// `System/Provider@Name`.
    #[pyo3(get)]
    pub provider: Option<String>,
    /// `System/Channel`.
    #[pyo3(get)]
    pub channel: Option<String>,
    /// `System/Computer`.
    #[pyo3(get)]
    pub computer: Option<String>,
    /// `System/Level` (1 Critical, 2 Error, 3 Warning, 4 Information, 5 Verbose).
    #[pyo3(get)]
    pub level: Option<i64>,
    /// EventData/UserData as JSON text (the Arrow `data` column's value).
    pub data_json: String,
}

#[pymethods]
impl PyEvent {
    /// EventData/UserData items in document order: name → value (int, float, bool, str or
    /// None; a list when a name repeats, e.g. unnamed `<Data>` items under the key `Data`).
    #[getter]
    fn data<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_loads(py, &self.data_json)
    }

    /// As a dict (`data` as a dict).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("file", &self.file)?;
        d.set_item("record_id", self.record_id)?;
        d.set_item("timestamp", self.timestamp)?;
        d.set_item("event_id", self.event_id)?;
        d.set_item("provider", &self.provider)?;
        d.set_item("channel", &self.channel)?;
        d.set_item("computer", &self.computer)?;
        d.set_item("level", self.level)?;
        d.set_item("data", self.data(py)?)?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        format!(
            "Event(record_id={}, timestamp={}, event_id={}, provider={}, level={})",
            self.record_id,
            repr_time(self.timestamp),
            self.event_id
                .map_or_else(|| "None".to_owned(), |v| v.to_string()),
            py_opt(self.provider.as_deref()),
            self.level
                .map_or_else(|| "None".to_owned(), |v| v.to_string()),
        )
    }
}

/// A part of an event input that could not be read (or only with a warning).
#[pyclass(name = "Damage", module = "marslog._native", frozen, eq)]
#[derive(Debug, Clone, PartialEq)]
pub struct PyDamage {
    /// The input's path.
    #[pyo3(get)]
    pub file: String,
    /// Byte offset (file offset for EVTX; offset in the decoded text for XML).
    #[pyo3(get)]
    pub offset: u64,
    /// The chunk slot, for EVTX.
    #[pyo3(get)]
    pub chunk: Option<u64>,
    /// The record id, when the record header was readable.
    #[pyo3(get)]
    pub record_id: Option<u64>,
    /// A stable snake_case kind (`records_checksum`, `bad_binxml`, `bad_xml`, …).
    #[pyo3(get)]
    pub kind: &'static str,
    /// True for checksum mismatches: reported, but nothing was skipped.
    #[pyo3(get)]
    pub advisory: bool,
    /// The full description (`byte 4096 (chunk 0): records checksum …`).
    #[pyo3(get)]
    pub message: String,
}

#[pymethods]
impl PyDamage {
    fn __repr__(&self) -> String {
        format!(
            "Damage(kind={}, message={})",
            py_repr(self.kind),
            py_repr(&self.message)
        )
    }

    fn __str__(&self) -> String {
        self.message.clone()
    }
}
