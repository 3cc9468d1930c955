//! The module's functions: extract arguments while attached, read detached, wrap.
//!
//! The classification functions (`scan`, `explain`, `catalog`) follow the same pattern;
//! the classifier itself is in [`crate::classify`], the scan in [`crate::scan`].

use pyo3::prelude::*;

use marslog::evtx::EventFilter;

use crate::classify::{self, PyCatalogEntry};
use crate::convert::{one_or_many, Source};
use crate::errlog::{self, PyErrlogLog};
use crate::events::{self, PyEventLog};
use crate::gil;
use crate::report::PyReport;

/// Read a CBEngine / DPM errlog.
///
/// `source` is a path (`str` or `os.PathLike`), `bytes`, or a binary file object (read to
/// the end). The encoding (UTF-16LE/BE, UTF-8, Windows-1252) is sniffed from the content.
///
/// Errlog times carry no year. It is `year` when given (the year of the first record;
/// a December→January rollover advances it), else the time in a `.Crash` copy's name,
/// else the file's modification time (the latest year such that the records are not
/// after it), else now. `tolerant=True` accepts copies whose TABs were collapsed into
/// spaces.
///
/// The file is read and parsed with the GIL released. A large file (a few MiB and more)
/// is parsed in segments on up to `threads` threads (default: all cores, or
/// `RAYON_NUM_THREADS`); records, line numbers and years are those of a sequential read.
/// `threads=1` reads on the calling thread alone.
///
/// Raises `FileNotFoundError`, `PermissionError`, `IsADirectoryError` for unreadable
/// paths, and `UnsupportedFormatError` (with `.path`, `.line`, `.offset` of the first
/// unparsed line) when the input has lines but no record.
///
/// >>> import marslog
/// >>> log = marslog.read_errlog("testdata/errlog/CBEngineCurr.errlog", year=2026)
/// >>> rec = log[0]
/// >>> rec.timestamp
/// datetime.datetime(2026, 3, 14, 8, 0, 1, 125000, tzinfo=datetime.timezone.utc)
/// >>> rec.pid, rec.source, rec.source_line, rec.severity
/// ('1A2C', 'backupasync.cpp', 1279, 'NORMAL')
/// >>> log.stats.encoding, log.stats.records
/// ('utf-16le', 6)
#[pyfunction]
#[pyo3(signature = (source, *, year = None, tolerant = false, threads = None))]
pub fn read_errlog(
    py: Python<'_>,
    source: &Bound<'_, PyAny>,
    year: Option<i32>,
    tolerant: bool,
    threads: Option<usize>,
) -> PyResult<PyErrlogLog> {
    if threads == Some(0) {
        return Err(pyo3::exceptions::PyValueError::new_err(
            "threads must be at least 1",
        ));
    }
    let source = Source::extract(source)?;
    let threads = threads.unwrap_or_else(rayon::current_num_threads);
    let data = gil::detach(py, move || errlog::read(source, year, tolerant, threads))?;
    Ok(data.into())
}

/// Read Windows events from a `.evtx` file or an XML export.
///
/// The format is detected from the content: the `ElfFile` magic, or `<Event`, `<Events`,
/// `<?xml` (UTF-8 or UTF-16). `source` is a path, `bytes`, or a binary file object.
/// `event_ids` and `providers` (case-insensitive), each one value or an iterable of them,
/// keep only matching events; the filter is applied before an event's payload is decoded. Damaged chunks, records or XML events
/// are reported in `.damage` and reading goes on.
///
/// The file is read and parsed with the GIL released.
///
/// Raises `UnsupportedFormatError` when the input is neither, `ParseError` when an
/// `.evtx` header is unusable, and the usual `OSError`s for unreadable paths.
///
/// >>> xml = b"""<Events>
/// ... <Event><System><Provider Name='Service Control Manager'/><EventID>7036</EventID>
/// ...   <Level>4</Level><TimeCreated SystemTime='2026-03-14T21:00:00.5Z'/></System></Event>
/// ... <Event><System><Provider Name='Service Control Manager'/><EventID>7031</EventID>
/// ...   <Level>2</Level><TimeCreated SystemTime='2026-03-14T21:05:00Z'/></System>
/// ...   <EventData><Data Name='param1'>MARS Agent</Data><Data Name='param2'>1</Data></EventData>
/// ... </Event></Events>"""
/// >>> log = marslog.read_events(xml, event_ids=[7031])
/// >>> ev = log[0]
/// >>> ev.provider, ev.event_id, ev.level
/// ('Service Control Manager', 7031, 2)
/// >>> ev.timestamp.isoformat()
/// '2026-03-14T21:05:00+00:00'
/// >>> ev.data
/// {'param1': 'MARS Agent', 'param2': '1'}
#[pyfunction]
#[pyo3(signature = (source, *, event_ids = None, providers = None))]
pub fn read_events(
    py: Python<'_>,
    source: &Bound<'_, PyAny>,
    event_ids: Option<&Bound<'_, PyAny>>,
    providers: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyEventLog> {
    let source = Source::extract(source)?;
    let mut filter = EventFilter::new();
    if let Some(ids) = event_ids {
        filter = filter.event_ids(one_or_many(ids, |o| o.extract::<u32>())?);
    }
    if let Some(names) = providers {
        for p in one_or_many(names, |o| o.extract::<String>())? {
            filter = filter.provider(p);
        }
    }
    let data = gil::detach(py, move || events::read(source, &filter))?;
    Ok(data.into())
}

/// Scan errlogs and event logs for documented MARS errors (the CLI's `marslog triage`).
///
/// `paths` is one path or an iterable of paths (`str` or `os.PathLike`): files are
/// scanned as given (an event log when the content says so — `.evtx` or event XML —,
/// else an errlog); folders are searched recursively, errlogs by name
/// (`CBEngineCurr.errlog`, `CBEngine3.errlog`, `….Crash` copies, …) and event logs by
/// content. Files are scanned in parallel with the GIL released.
///
/// `catalog` adds catalog files (a path or an iterable of paths) to the embedded catalog;
/// `lang` (`"en"` or `"fr"`) is the language of titles, causes and actions; `year` and
/// `tolerant` are as for `read_errlog` (by default each errlog's year comes from a
/// `.Crash` copy's name or the file's modification time).
///
/// One bad input never stops the scan: it is listed in `Report.errors`. A bad catalog
/// file raises `CatalogError` (with `.path` and `.line`; the message names the field).
/// Repeated calls without `catalog` share one compiled classifier; with `catalog`, build
/// a `Classifier` once and call its `scan`.
///
/// >>> report = marslog.scan("testdata/samples", year=2026)
/// >>> report.files, len(report)
/// (7, 19)
/// >>> sorted({f.id for f in report if f.level == "error"})[:3]
/// ['activation-internal-error', 'agent-cannot-connect', 'backup-completed-with-errors']
/// >>> marslog.scan("testdata/samples", lang="fr", year=2026).summary()[0].title
/// 'L’agent Microsoft Azure Recovery Service n’a pas pu se connecter à la Sauvegarde Microsoft Azure'
#[pyfunction]
#[pyo3(signature = (paths, *, catalog = None, lang = "en", year = None, tolerant = false))]
pub fn scan(
    py: Python<'_>,
    paths: &Bound<'_, PyAny>,
    catalog: Option<&Bound<'_, PyAny>>,
    lang: &str,
    year: Option<i32>,
    tolerant: bool,
) -> PyResult<PyReport> {
    let files = classify::catalog_files(catalog)?;
    let c = gil::detach(py, move || classify::load(&files))?;
    classify::scan_with(py, c, paths, lang, year, tolerant)
}

/// The catalog entries for a code, with their texts in `lang` (`"en"` or `"fr"`).
///
/// `code` is anything the CLI's `marslog explain` accepts: a decimal error id (`34513`,
/// as an int or a str), its hex alias (`"0x1FC07"`, `"[0x1FC07]"`), an HRESULT
/// (`"0x80780054"`), an HTTP status (`407`), a Winsock number, a symbolic name
/// (`"SalLowDiskSpace"`) or an entry id. A code can belong to several entries (e.g. 407),
/// hence the list. Raises `KeyError` when no entry has the code.
///
/// >>> [e.id for e in marslog.explain(130055)]
/// ['activation-internal-error']
/// >>> e = marslog.explain("SalLowDiskSpace")[0]
/// >>> e.id, e.category
/// ('scratch-low-disk-space', 'scratch')
/// >>> marslog.explain(34506, lang="fr")[0].causes[0][:24]
/// 'Le dossier temporaire se'
#[pyfunction]
#[pyo3(signature = (code, lang = "en", *, catalog = None))]
pub fn explain(
    py: Python<'_>,
    code: &Bound<'_, PyAny>,
    lang: &str,
    catalog: Option<&Bound<'_, PyAny>>,
) -> PyResult<Vec<PyCatalogEntry>> {
    let files = classify::catalog_files(catalog)?;
    let c = gil::detach(py, move || classify::load(&files))?;
    classify::explain_in(&c, code, lang)
}

/// Every catalog entry (the embedded catalog, plus `catalog` files), texts in `lang`.
///
/// >>> entries = marslog.catalog()
/// >>> len(entries) >= 40, entries[0].id
/// (True, 'vault-credentials-invalid')
/// >>> {e.level for e in entries} == {"error", "warning", "info"}
/// True
#[pyfunction]
#[pyo3(signature = (lang = "en", *, catalog = None))]
pub fn catalog(
    py: Python<'_>,
    lang: &str,
    catalog: Option<&Bound<'_, PyAny>>,
) -> PyResult<Vec<PyCatalogEntry>> {
    let files = classify::catalog_files(catalog)?;
    let c = gil::detach(py, move || classify::load(&files))?;
    classify::entries(c.catalog(), lang)
}
