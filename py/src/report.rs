//! Scan results in Python: `Report`, `Finding`, `Summary`, `ScanError`, and the findings'
//! Arrow columns.
//!
//! Invariants:
//! * A report keeps the core's findings and the classifier that produced them; `Finding`
//!   and `Summary` objects are made when asked for, the Arrow columns once, in Rust, while
//!   the scan is still detached (no Python object per finding on the way to pandas).
//! * Finding keys and order are the CLI's `triage --format jsonl` row keys: `id`, `codes`,
//!   `title`, `level`, `file`, `line`, `record_id`, `offset`, `timestamp`, `severity`,
//!   `task_id`, `code`, `matched`, `message`. `title` is in the report's language.
//! * Summaries are the core's `summarize`: one per catalog entry, most serious first, then
//!   by count.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use arrow_array::builder::{
    Int64Builder, ListBuilder, StringBuilder, StringDictionaryBuilder, TimestampMicrosecondBuilder,
};
use arrow_array::types::Int32Type;
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use chrono::{DateTime, Utc};
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyDict, PyList, PyTuple};

use marslog::classify::{summarize, Classifier, Finding, Lang, Summary};

use crate::arrow::{self, Table, BATCH_ROWS};
use crate::classify::{lang_code, level_name, PyDocSource};
use crate::convert::{frames, helper};
use crate::errors::Error;
use crate::records::{py_repr, PyDamage};
use crate::scan::ScanData;

/// Column order; also the order of `Finding.to_dict()`.
const COLUMNS: [&str; 14] = marslog::classify::FINDING_COLUMNS;

/// The schema of a report's findings table.
pub fn schema() -> SchemaRef {
    static SCHEMA: OnceLock<SchemaRef> = OnceLock::new();
    Arc::clone(SCHEMA.get_or_init(|| {
        let t = |i: usize| match i {
            0 | 3 | 4 => arrow::dictionary_type(),
            1 => DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))),
            5..=7 => DataType::Int64,
            8 => arrow::timestamp_type(),
            _ => DataType::Utf8,
        };
        let nullable = |i: usize| matches!(i, 5 | 6 | 8 | 9 | 10);
        Arc::new(Schema::new(
            COLUMNS
                .iter()
                .enumerate()
                .map(|(i, name)| arrow::field(name, t(i), nullable(i)))
                .collect::<Vec<_>>(),
        ))
    }))
}

/// What a finding shows of its catalog entry, in the report's language.
#[derive(Debug, Clone)]
struct EntryInfo {
    title: String,
    codes: Vec<String>,
    level: &'static str,
}

/// Entry id → its title, codes and level.
type Infos = HashMap<String, EntryInfo>;

fn infos(c: &Classifier, lang: Lang) -> Infos {
    c.catalog()
        .entries()
        .iter()
        .map(|e| {
            let info = EntryInfo {
                title: e.texts(lang).title,
                codes: e.codes(),
                level: level_name(e.severity),
            };
            (e.id.clone(), info)
        })
        .collect()
}

/// The CLI's fallback for a finding whose entry is unknown (cannot happen: findings come
/// from the same catalog).
fn info(infos: &Infos, id: &str) -> EntryInfo {
    infos.get(id).cloned().unwrap_or(EntryInfo {
        title: String::new(),
        codes: Vec::new(),
        level: "warning",
    })
}

/// One documented error found in an input (a row of `Report.to_pandas()`).
///
/// >>> report = marslog.scan("testdata/samples/SRV-FS01/Temp/CBEngineCurr.errlog", year=2026)
/// >>> f = report[0]
/// >>> f.id, f.level, f.line, f.code, f.matched
/// ('passphrase-misconfigured', 'error', 7, '34506', 'Error 34506.')
/// >>> f.timestamp
/// datetime.datetime(2026, 3, 14, 21, 7, 31, 250000, tzinfo=datetime.timezone.utc)
/// >>> f.codes, f.task_id
/// (('34506', '0x86CA'), 'F3E32129-DC79-4A28-9ACC-3F30CB5810B6')
#[pyclass(name = "Finding", module = "marslog._native", frozen, eq)]
#[derive(Debug, Clone, PartialEq)]
pub struct PyFinding {
    /// The catalog entry's id.
    #[pyo3(get)]
    pub id: String,
    codes: Vec<String>,
    /// The entry's title, in the report's language.
    #[pyo3(get)]
    pub title: String,
    /// The entry's level: `"error"`, `"warning"` or `"info"`.
    #[pyo3(get)]
    pub level: &'static str,
    /// The input's path.
    #[pyo3(get)]
    pub file: String,
    /// 1-based line of the record (errlogs); None for events.
    #[pyo3(get)]
    pub line: Option<i64>,
    /// EventRecordID (event logs); None for errlogs.
    #[pyo3(get)]
    pub record_id: Option<i64>,
    /// Byte offset of the record in the input.
    #[pyo3(get)]
    pub offset: i64,
    /// The record's or event's time, UTC; None when unknown.
    #[pyo3(get)]
    pub timestamp: Option<DateTime<Utc>>,
    /// The record's severity word (`WARNING`, `FATAL`, …) or the event's level name
    /// (`Error`, `Information`, …).
    #[pyo3(get)]
    pub severity: Option<String>,
    /// The job (task) GUID, when the record has one.
    #[pyo3(get)]
    pub task_id: Option<String>,
    /// How it was recognised: `34513`, `0x1FC07`, `0x80780054`, `407`, a name,
    /// `event 18`; `""` for a documented phrase or a symptom pattern.
    #[pyo3(get)]
    pub code: String,
    /// The matched text (`Provider event N` for an event rule).
    #[pyo3(get)]
    pub matched: String,
    /// The classified text: the record's message, or the event's data as `name=value; …`.
    #[pyo3(get)]
    pub message: String,
}

impl PyFinding {
    fn new(f: &Finding, infos: &Infos) -> Self {
        let EntryInfo {
            title,
            codes,
            level,
        } = info(infos, &f.id);
        PyFinding {
            id: f.id.clone(),
            codes,
            title,
            level,
            file: f.file.clone().unwrap_or_default(),
            line: f.line.map(|l| l as i64),
            record_id: f.record_id.map(|r| r as i64),
            offset: f.offset as i64,
            timestamp: f.timestamp,
            severity: f.severity.clone(),
            task_id: f.task_id.clone(),
            code: f.code.display(),
            matched: f.matched.clone(),
            message: f.message.clone(),
        }
    }
}

#[pymethods]
impl PyFinding {
    /// The entry's codes and aliases, as a tuple of strings.
    #[getter]
    fn codes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, &self.codes)
    }

    /// As a dict with the CLI's keys (`codes` a list, `timestamp` a datetime).
    pub fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("id", &self.id)?;
        d.set_item("codes", &self.codes)?;
        d.set_item("title", &self.title)?;
        d.set_item("level", self.level)?;
        d.set_item("file", &self.file)?;
        d.set_item("line", self.line)?;
        d.set_item("record_id", self.record_id)?;
        d.set_item("offset", self.offset)?;
        d.set_item("timestamp", self.timestamp)?;
        d.set_item("severity", &self.severity)?;
        d.set_item("task_id", &self.task_id)?;
        d.set_item("code", &self.code)?;
        d.set_item("matched", &self.matched)?;
        d.set_item("message", &self.message)?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        let at = match (self.line, self.record_id) {
            (_, Some(r)) => format!("record_id={r}"),
            (Some(l), None) => format!("line={l}"),
            (None, None) => format!("offset={}", self.offset),
        };
        format!(
            "Finding(id={}, file={}, {at}, timestamp={}, matched={})",
            py_repr(&self.id),
            py_repr(&self.file),
            self.timestamp
                .map_or_else(|| "None".to_owned(), |t| format!("'{}'", t.to_rfc3339())),
            py_repr(&self.matched),
        )
    }
}

/// All findings of one catalog entry: what a triage summary shows.
///
/// >>> s = marslog.scan("testdata/samples", year=2026).summary()[0]
/// >>> s.id, s.level, s.count, len(s.files)
/// ('agent-cannot-connect', 'error', 2, 1)
/// >>> s.first_seen.isoformat()
/// '2026-03-02T21:04:12.003000+00:00'
/// >>> s.example.line, s.actions[0][:30]
/// (2, 'Configure the proxy in the age')
#[pyclass(name = "Summary", module = "marslog._native", frozen, eq)]
#[derive(Debug, Clone, PartialEq)]
pub struct PySummary {
    /// The catalog entry's id.
    #[pyo3(get)]
    pub id: String,
    codes: Vec<String>,
    /// Title, in the report's language.
    #[pyo3(get)]
    pub title: String,
    /// The entry's category.
    #[pyo3(get)]
    pub category: String,
    /// `"error"`, `"warning"` or `"info"`.
    #[pyo3(get)]
    pub level: &'static str,
    /// Number of findings.
    #[pyo3(get)]
    pub count: usize,
    /// Earliest finding time, UTC (None when no finding has one).
    #[pyo3(get)]
    pub first_seen: Option<DateTime<Utc>>,
    /// Latest finding time, UTC.
    #[pyo3(get)]
    pub last_seen: Option<DateTime<Utc>>,
    files: Vec<String>,
    jobs: Vec<String>,
    /// The first finding.
    #[pyo3(get)]
    pub example: PyFinding,
    /// The documented message, in the report's language.
    #[pyo3(get)]
    pub message: String,
    causes: Vec<String>,
    actions: Vec<String>,
    /// Where the entry is documented.
    #[pyo3(get)]
    pub source: PyDocSource,
}

impl PySummary {
    fn new(s: Summary, infos: &Infos) -> Self {
        PySummary {
            example: PyFinding::new(&s.example, infos),
            id: s.id,
            codes: s.codes,
            title: s.title,
            category: s.category,
            level: level_name(s.severity),
            count: s.count,
            first_seen: s.first_seen,
            last_seen: s.last_seen,
            files: s.files,
            jobs: s.jobs,
            message: s.message,
            causes: s.causes,
            actions: s.actions,
            source: (&s.source).into(),
        }
    }
}

#[pymethods]
impl PySummary {
    /// The entry's codes and aliases.
    #[getter]
    fn codes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, &self.codes)
    }

    /// Files with findings, in scan order.
    #[getter]
    fn files<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, &self.files)
    }

    /// Jobs (task GUIDs) with findings, sorted.
    #[getter]
    fn jobs<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, &self.jobs)
    }

    /// Possible causes, in the report's language.
    #[getter]
    fn causes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, &self.causes)
    }

    /// Recommended actions, in the report's language.
    #[getter]
    fn actions<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, &self.actions)
    }

    /// As a dict (the CLI's `triage --format json` summary keys, with `level` for
    /// `severity`; `example` and `source` as dicts, sequences as lists).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("id", &self.id)?;
        d.set_item("codes", &self.codes)?;
        d.set_item("title", &self.title)?;
        d.set_item("category", &self.category)?;
        d.set_item("level", self.level)?;
        d.set_item("count", self.count)?;
        d.set_item("first_seen", self.first_seen)?;
        d.set_item("last_seen", self.last_seen)?;
        d.set_item("files", &self.files)?;
        d.set_item("jobs", &self.jobs)?;
        d.set_item("example", self.example.to_dict(py)?)?;
        d.set_item("message", &self.message)?;
        d.set_item("causes", &self.causes)?;
        d.set_item("actions", &self.actions)?;
        d.set_item("source", self.source.to_dict(py)?)?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        format!(
            "Summary(id={}, level={}, count={}, title={})",
            py_repr(&self.id),
            py_repr(self.level),
            self.count,
            py_repr(&self.title)
        )
    }
}

/// An input that could not be scanned (the scan went on without it).
///
/// `exception` is the exception `read_errlog`/`read_events` would have raised for it
/// (`FileNotFoundError`, `UnsupportedFormatError`, `ParseError`, …): `raise err.exception`
/// re-raises it; `error_type` is its class name.
///
/// >>> err = marslog.scan("/nonexistent/CBEngineCurr.errlog").errors[0]
/// >>> err.path, err.error_type
/// ('/nonexistent/CBEngineCurr.errlog', 'FileNotFoundError')
/// >>> isinstance(err.exception, FileNotFoundError)
/// True
#[pyclass(name = "ScanError", module = "marslog._native", frozen)]
pub struct PyScanError {
    /// The path at fault (a file, or a folder that could not be listed), when known.
    #[pyo3(get)]
    pub path: Option<String>,
    /// What went wrong, path included (as the CLI prints it).
    #[pyo3(get)]
    pub message: String,
    /// The exception's class name (`FileNotFoundError`, `ParseError`, …).
    #[pyo3(get)]
    pub error_type: String,
    /// The exception instance.
    #[pyo3(get)]
    pub exception: Py<pyo3::exceptions::PyBaseException>,
}

impl PyScanError {
    fn new(py: Python<'_>, e: Error) -> PyResult<Self> {
        let (path, message) = match &e {
            Error::Core { error, .. } => (
                error.path().map(|p| p.display().to_string()),
                crate::errors::without_os_error(&error.to_string()).to_owned(),
            ),
            Error::Panic(msg) => (
                None,
                format!("internal error (a bug in marslog, please report it): {msg}"),
            ),
        };
        let exception = PyErr::from(e).into_value(py);
        let error_type = exception.bind(py).get_type().name()?.to_string();
        Ok(PyScanError {
            path,
            message,
            error_type,
            exception,
        })
    }
}

#[pymethods]
impl PyScanError {
    fn __repr__(&self) -> String {
        format!(
            "ScanError(error_type={}, message={})",
            py_repr(&self.error_type),
            py_repr(&self.message)
        )
    }

    fn __str__(&self) -> String {
        self.message.clone()
    }
}

/// Column builders for one batch of findings.
struct Builders {
    id: StringDictionaryBuilder<Int32Type>,
    codes: ListBuilder<StringBuilder>,
    title: StringBuilder,
    level: StringDictionaryBuilder<Int32Type>,
    file: StringDictionaryBuilder<Int32Type>,
    line: Int64Builder,
    record_id: Int64Builder,
    offset: Int64Builder,
    timestamp: TimestampMicrosecondBuilder,
    severity: StringBuilder,
    task_id: StringBuilder,
    code: StringBuilder,
    matched: StringBuilder,
    message: StringBuilder,
    rows: usize,
}

impl Builders {
    fn new() -> Self {
        Builders {
            id: StringDictionaryBuilder::new(),
            codes: ListBuilder::new(StringBuilder::new()),
            title: StringBuilder::new(),
            level: StringDictionaryBuilder::new(),
            file: StringDictionaryBuilder::new(),
            line: Int64Builder::new(),
            record_id: Int64Builder::new(),
            offset: Int64Builder::new(),
            timestamp: TimestampMicrosecondBuilder::new().with_timezone("UTC"),
            severity: StringBuilder::new(),
            task_id: StringBuilder::new(),
            code: StringBuilder::new(),
            matched: StringBuilder::new(),
            message: StringBuilder::new(),
            rows: 0,
        }
    }

    fn push(&mut self, f: &Finding, info: &EntryInfo) {
        self.id.append_value(&f.id);
        for c in &info.codes {
            self.codes.values().append_value(c);
        }
        self.codes.append(true);
        self.title.append_value(&info.title);
        self.level.append_value(info.level);
        self.file
            .append_value(f.file.as_deref().unwrap_or_default());
        self.line.append_option(f.line.map(|l| l as i64));
        self.record_id.append_option(f.record_id.map(|r| r as i64));
        self.offset.append_value(f.offset as i64);
        self.timestamp.append_option(f.timestamp.map(arrow::micros));
        self.severity.append_option(f.severity.as_deref());
        self.task_id.append_option(f.task_id.as_deref());
        self.code.append_value(f.code.display());
        self.matched.append_value(&f.matched);
        self.message.append_value(&f.message);
        self.rows += 1;
    }

    fn finish(&mut self) -> RecordBatch {
        self.rows = 0;
        let columns: Vec<ArrayRef> = vec![
            Arc::new(self.id.finish()),
            Arc::new(self.codes.finish()),
            Arc::new(self.title.finish()),
            Arc::new(self.level.finish()),
            Arc::new(self.file.finish()),
            Arc::new(self.line.finish()),
            Arc::new(self.record_id.finish()),
            Arc::new(self.offset.finish()),
            Arc::new(self.timestamp.finish()),
            Arc::new(self.severity.finish()),
            Arc::new(self.task_id.finish()),
            Arc::new(self.code.finish()),
            Arc::new(self.matched.finish()),
            Arc::new(self.message.finish()),
        ];
        RecordBatch::try_new(schema(), columns).expect("finding columns match their schema")
    }
}

/// The findings as Arrow batches.
fn table(findings: &[Finding], infos: &Infos) -> Table {
    let mut b = Builders::new();
    let mut batches = Vec::new();
    for f in findings {
        b.push(f, &info(infos, &f.id));
        if b.rows == BATCH_ROWS {
            batches.push(b.finish());
        }
    }
    if b.rows > 0 {
        batches.push(b.finish());
    }
    Table::new(schema(), batches)
}

/// Everything of a report that is built detached.
pub struct ReportData {
    scan: ScanData,
    infos: Infos,
    table: Table,
}

/// Titles, codes and the Arrow columns of a scan (call detached).
pub fn prepare(scan: ScanData) -> ReportData {
    let infos = infos(&scan.classifier, scan.lang);
    let table = table(&scan.findings, &infos);
    ReportData { scan, infos, table }
}

/// What a scan found: the findings, grouped with `summary()`, plus the inputs that could
/// not be scanned (`errors`) and the damaged parts of event logs (`damage`).
///
/// A report is a sequence of `Finding`s (`len()`, indexing, iteration) made on demand from
/// Arrow columns; `to_arrow()`, `to_pandas()`, `to_polars()` and `__arrow_c_stream__`
/// hand those columns over with no Python object per finding (`id`, `level` and `file` are
/// dictionary-encoded, `codes` is a list of strings, `timestamp` is `timestamp[us, UTC]`).
/// In Jupyter, a report shows its summary with causes and actions.
///
/// >>> report = marslog.scan("testdata/samples", year=2026)
/// >>> report.files, len(report), report.errors
/// (7, 19, [])
/// >>> [s.id for s in report.summary()][:3]
/// ['agent-cannot-connect', 'passphrase-misconfigured', 'engine-unreachable']
/// >>> df = report.to_pandas()
/// >>> df[df["level"] == "info"]["id"].tolist()
/// ['backup-completed', 'backup-started', 'backup-completed']
#[pyclass(name = "Report", module = "marslog._native", frozen, sequence)]
pub struct PyReport {
    classifier: Arc<Classifier>,
    lang: Lang,
    findings: Arc<[Finding]>,
    infos: Arc<Infos>,
    table: Table,
    errors: Vec<Py<PyScanError>>,
    damage: Vec<PyDamage>,
    files: usize,
    bytes: u64,
}

impl PyReport {
    /// Wrap a prepared scan (attached: the errors become exception objects).
    pub fn new(py: Python<'_>, data: ReportData) -> PyResult<Self> {
        let ReportData { scan, infos, table } = data;
        let errors = scan
            .errors
            .into_iter()
            .map(|e| Py::new(py, PyScanError::new(py, e)?))
            .collect::<PyResult<Vec<_>>>()?;
        Ok(PyReport {
            classifier: scan.classifier,
            lang: scan.lang,
            findings: scan.findings.into(),
            infos: Arc::new(infos),
            table,
            errors,
            damage: scan.damage,
            files: scan.files,
            bytes: scan.bytes,
        })
    }
}

#[pymethods]
impl PyReport {
    /// Every finding, in scan order (inputs in the order given, folders' files as
    /// discovered, then file order).
    #[getter]
    fn findings(&self) -> Vec<PyFinding> {
        self.findings
            .iter()
            .map(|f| PyFinding::new(f, &self.infos))
            .collect()
    }

    /// The findings grouped per catalog entry, most serious first, then by count.
    fn summary(&self) -> Vec<PySummary> {
        summarize(&self.findings, self.classifier.catalog(), self.lang)
            .into_iter()
            .map(|s| PySummary::new(s, &self.infos))
            .collect()
    }

    /// Inputs that could not be scanned (missing, unreadable, not parseable), and folders
    /// that could not be listed.
    #[getter]
    fn errors<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.errors.iter().map(|e| e.clone_ref(py)))
    }

    /// Damaged parts of event logs; the readable events around them were scanned.
    #[getter]
    fn damage<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.damage.iter().cloned())
    }

    /// Number of files scanned (not counting `errors`).
    #[getter]
    fn files(&self) -> usize {
        self.files
    }

    /// Bytes scanned.
    #[getter]
    fn bytes(&self) -> u64 {
        self.bytes
    }

    /// The language of titles and texts (`"en"` or `"fr"`).
    #[getter]
    fn lang(&self) -> &'static str {
        lang_code(self.lang)
    }

    fn __len__(&self) -> usize {
        self.findings.len()
    }

    fn __getitem__(&self, index: &Bound<'_, PyAny>) -> PyResult<PyFinding> {
        let k = arrow::py_index(index, self.findings.len(), "Report", "finding")?;
        Ok(PyFinding::new(&self.findings[k], &self.infos))
    }

    fn __iter__(&self) -> FindingIter {
        FindingIter {
            findings: Arc::clone(&self.findings),
            infos: Arc::clone(&self.infos),
            next: 0,
        }
    }

    /// Export the findings as an Arrow stream (the Arrow PyCapsule interface).
    #[pyo3(signature = (requested_schema = None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let _ = requested_schema;
        self.table.stream_capsule(py)
    }

    /// The findings as a `pyarrow.Table` (needs pyarrow).
    fn to_arrow<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        frames(slf.as_any(), "to_arrow")
    }

    /// The findings as a `pandas.DataFrame` (needs pandas and pyarrow): `id`, `level` and
    /// `file` are categoricals, `timestamp` has dtype `datetime64[us, UTC]`.
    fn to_pandas<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        frames(slf.as_any(), "to_pandas")
    }

    /// The findings as a `polars.DataFrame` (needs polars).
    fn to_polars<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        frames(slf.as_any(), "to_polars")
    }

    /// HTML for Jupyter: the summary with causes and actions, and the errors (all text
    /// escaped).
    fn _repr_html_<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        helper(slf.as_any(), "marslog._html", "report_html")
    }

    fn __repr__(&self) -> String {
        let entries: std::collections::HashSet<&str> =
            self.findings.iter().map(|f| f.id.as_str()).collect();
        format!(
            "Report(files={}, bytes={}, findings={}, entries={}, errors={})",
            self.files,
            self.bytes,
            self.findings.len(),
            entries.len(),
            self.errors.len()
        )
    }
}

/// Iterator over a `Report`'s findings.
#[pyclass(name = "FindingIterator", module = "marslog._native")]
pub struct FindingIter {
    findings: Arc<[Finding]>,
    infos: Arc<Infos>,
    next: usize,
}

#[pymethods]
impl FindingIter {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&mut self) -> Option<PyFinding> {
        let f = self.findings.get(self.next)?;
        self.next += 1;
        Some(PyFinding::new(f, &self.infos))
    }
}
