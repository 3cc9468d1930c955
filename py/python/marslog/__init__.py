"""Read Azure Backup MARS agent logs and Windows event logs.

* :func:`read_errlog` reads a CBEngine / DPM ``.errlog`` (UTF-16, UTF-8 or ANSI, sniffed)
  into an :class:`ErrlogLog` of :class:`Record` objects, with every line accounted for in
  ``.stats`` and the lines it could not parse in ``.unparsed``.
* :func:`read_events` reads a ``.evtx`` file or an XML export into an :class:`EventLog` of
  :class:`Event` objects; what could not be read is listed in ``.damage``.

Triage against the catalog of documented MARS errors (the CLI's ``marslog triage``):

* :func:`scan` scans files and folders (errlogs found by name, event logs by content) in
  parallel into a :class:`Report` of :class:`Finding` objects, grouped per documented error
  by ``Report.summary()`` (:class:`Summary`, with causes and actions); inputs that could not
  be scanned are in ``Report.errors`` (:class:`ScanError`). In Jupyter a report shows its
  summary.
* :func:`explain` and :func:`catalog` give :class:`CatalogEntry` objects (English or French).
* :class:`Classifier` compiles the catalog (plus your own catalog files) once, to classify
  texts (:class:`Match`) and scan many times.

Logs and reports convert to pyarrow, pandas and polars (``to_arrow()``, ``to_pandas()``,
``to_polars()``), and implement the Arrow PyCapsule interface, so any Arrow consumer takes
their columns directly. Times are timezone-aware UTC.

>>> import marslog
>>> log = marslog.read_errlog("testdata/errlog/CBEngineCurr.errlog", year=2026)
>>> log[0].timestamp.isoformat()
'2026-03-14T08:00:01.125000+00:00'
>>> log.stats.encoding
'utf-16le'
>>> report = marslog.scan("testdata/samples", year=2026)
>>> report.summary()[0].title
'The MARS agent was unable to connect to Microsoft Azure Backup'

Errors: :class:`MarslogError` and its subclasses :class:`ParseError`,
:class:`UnsupportedFormatError` and :class:`CatalogError` carry ``.path``, ``.line`` and
``.offset``; unreadable paths raise the usual ``FileNotFoundError``, ``PermissionError``
and ``IsADirectoryError``.
"""

from marslog._native import (
    CatalogEntry,
    CatalogError,
    Classifier,
    Damage,
    DocSource,
    ErrlogLog,
    Event,
    EventLog,
    Finding,
    MarslogError,
    Match,
    ParseError,
    Record,
    Report,
    ScanError,
    Stats,
    Summary,
    Unparsed,
    UnsupportedFormatError,
    __version__ as __version__,
    catalog,
    explain,
    read_errlog,
    read_events,
    scan,
)

__all__ = [
    "CatalogEntry",
    "CatalogError",
    "Classifier",
    "Damage",
    "DocSource",
    "ErrlogLog",
    "Event",
    "EventLog",
    "Finding",
    "MarslogError",
    "Match",
    "ParseError",
    "Record",
    "Report",
    "ScanError",
    "Stats",
    "Summary",
    "Unparsed",
    "UnsupportedFormatError",
    "catalog",
    "explain",
    "read_errlog",
    "read_events",
    "scan",
]
