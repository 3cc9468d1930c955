//! The module's functions: extract arguments while attached, read detached, wrap.
//!
//! Phase 2 (classification) adds `scan`, `explain` and `catalog` here, on the same
//! pattern: owned arguments → [`gil::detach`] → a frozen result class.

use pyo3::prelude::*;

use marslog::evtx::EventFilter;

use crate::convert::{one_or_many, Source};
use crate::errlog::{self, PyErrlogLog};
use crate::events::{self, PyEventLog};
use crate::gil;

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
/// The file is read and parsed with the GIL released.
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
#[pyo3(signature = (source, *, year = None, tolerant = false))]
pub fn read_errlog(
    py: Python<'_>,
    source: &Bound<'_, PyAny>,
    year: Option<i32>,
    tolerant: bool,
) -> PyResult<PyErrlogLog> {
    let source = Source::extract(source)?;
    let data = gil::detach(py, move || errlog::read(source, year, tolerant))?;
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
