"""Read Azure Backup MARS agent logs and Windows event logs.

* :func:`read_errlog` reads a CBEngine / DPM ``.errlog`` (UTF-16, UTF-8 or ANSI, sniffed)
  into an :class:`ErrlogLog` of :class:`Record` objects, with every line accounted for in
  ``.stats`` and the lines it could not parse in ``.unparsed``.
* :func:`read_events` reads a ``.evtx`` file or an XML export into an :class:`EventLog` of
  :class:`Event` objects; what could not be read is listed in ``.damage``.

Both logs convert to pyarrow, pandas and polars (``to_arrow()``, ``to_pandas()``,
``to_polars()``), and implement the Arrow PyCapsule interface, so any Arrow consumer takes
their columns directly. Times are timezone-aware UTC.

>>> import marslog
>>> log = marslog.read_errlog("testdata/errlog/CBEngineCurr.errlog", year=2026)
>>> log[0].timestamp.isoformat()
'2026-03-14T08:00:01.125000+00:00'
>>> log.stats.encoding
'utf-16le'

Errors: :class:`MarslogError` and its subclasses :class:`ParseError`,
:class:`UnsupportedFormatError` and :class:`CatalogError` carry ``.path``, ``.line`` and
``.offset``; unreadable paths raise the usual ``FileNotFoundError``, ``PermissionError``
and ``IsADirectoryError``.
"""

from marslog._native import (
    CatalogError,
    Damage,
    ErrlogLog,
    Event,
    EventLog,
    MarslogError,
    ParseError,
    Record,
    Stats,
    Unparsed,
    UnsupportedFormatError,
    __version__ as __version__,
    read_errlog,
    read_events,
)

__all__ = [
    "CatalogError",
    "Damage",
    "ErrlogLog",
    "Event",
    "EventLog",
    "MarslogError",
    "ParseError",
    "Record",
    "Stats",
    "Unparsed",
    "UnsupportedFormatError",
    "read_errlog",
    "read_events",
]
