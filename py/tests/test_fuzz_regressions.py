"""The fuzz regression set through the Python API: no input may raise anything but a
MarslogError (or an OSError), never pyo3's PanicException (a BaseException) or an
"internal error" (a Rust panic caught at the boundary).

Each folder of ``testdata/fuzz-regressions/`` is named after a fuzz target (``fuzz/``,
body in ``core/src/fuzzing.rs``); its files go through the Python call that does what the
target does.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from pathlib import Path

import pytest

import marslog
from conftest import TESTDATA

REGRESSIONS = TESTDATA / "fuzz-regressions"
FUZZ_TARGETS = TESTDATA.parent / "fuzz" / "fuzz_targets"


def _evtx_around(body: bytes) -> bytes:
    """A one-chunk ``.evtx`` whose only record has ``body`` as its BinXML, like the
    ``binxml_fragment`` target (``EvtxBuilder::push_raw``); checksums off (flag 0x4). A body
    too large for a chunk leaves the file without chunks, as the builder does."""
    header = bytearray(4096)
    header[0:8] = b"ElfFile\0"
    size = 24 + len(body) + 4
    fits = 512 + size <= 65536
    # first and last chunk, next record id, header size, minor and major version, header
    # block size, chunk count; then the flags
    struct.pack_into("<QQQIHHHH", header, 8, 0, 0, 2, 128, 1, 3, 4096, int(fits))
    struct.pack_into("<I", header, 0x78, 4)
    if not fits:
        return bytes(header)
    chunk = bytearray(65536)
    chunk[0:8] = b"ElfChnk\0"
    # record numbers and ids 1..1, header size, last record offset, free space offset
    struct.pack_into("<QQQQIII", chunk, 8, 1, 1, 1, 1, 128, 512, 512 + size)
    struct.pack_into("<I", chunk, 0x78, 4)
    struct.pack_into("<4sIQQ", chunk, 512, b"**\0\0", size, 1, 133_485_408_000_000_000)
    chunk[536 : 536 + len(body)] = body
    struct.pack_into("<I", chunk, 536 + len(body), size)
    return bytes(header + chunk)


def _touch_errlog(log: marslog.ErrlogLog) -> None:
    assert log.stats.lines == log.stats.records + log.stats.continuation_lines + (
        log.stats.unparsed_lines + log.stats.blank_lines
    )
    for r in log:
        r.to_dict()
    for u in log.unparsed:
        u.to_dict()


def _touch_events(log: marslog.EventLog) -> None:
    for e in log:
        e.to_dict()
    for d in log.damage:
        assert d.message


def errlog_bytes(data: bytes, _: Path, __: marslog.Classifier) -> None:
    for tolerant in (False, True):
        _touch_errlog(marslog.read_errlog(data, year=2025, tolerant=tolerant))


def errlog_line(data: bytes, _: Path, __: marslog.Classifier) -> None:
    cut = min((i for i in (data.find(b"\n"), data.find(b"\r")) if i >= 0), default=len(data))
    log = marslog.read_errlog(data[:cut], year=2024)
    assert log.stats.lines <= 1
    _touch_errlog(log)


def evtx_file(data: bytes, _: Path, __: marslog.Classifier) -> None:
    _touch_events(marslog.read_events(data))


def binxml_fragment(data: bytes, _: Path, __: marslog.Classifier) -> None:
    _touch_events(marslog.read_events(_evtx_around(data)))


def event_xml(data: bytes, _: Path, __: marslog.Classifier) -> None:
    _touch_events(marslog.read_events(data))


def catalog_file(data: bytes, tmp: Path, _: marslog.Classifier) -> None:
    # the target reads the bytes as text with U+FFFD for invalid UTF-8
    text = data.decode("utf-8", "replace")
    path = tmp / "fuzz.toml"
    path.write_text(text, encoding="utf-8")
    c = marslog.Classifier(catalog=path)
    c.classify(text)
    assert len(c) >= len(marslog.catalog())


def classifier_line(data: bytes, tmp: Path, c: marslog.Classifier) -> None:
    text = data.decode("utf-8", "replace")
    for m in c.classify(text):
        assert 0 <= m.span[0] <= m.span[1] <= len(text)
        assert text[m.span[0] : m.span[1]] == m.matched
    path = tmp / "CBEngineCurr.errlog"
    path.write_bytes(data)
    report = c.scan(path, year=2025)
    assert report.files + len(report.errors) == 1


TARGETS: dict[str, Callable[[bytes, Path, marslog.Classifier], None]] = {
    "errlog_bytes": errlog_bytes,
    "errlog_line": errlog_line,
    "evtx_file": evtx_file,
    "binxml_fragment": binxml_fragment,
    "event_xml": event_xml,
    "catalog_file": catalog_file,
    "classifier_line": classifier_line,
}


def _inputs() -> list[tuple[str, Path]]:
    return sorted(
        (d.name, f)
        for d in REGRESSIONS.iterdir()
        if d.is_dir()
        for f in d.iterdir()
        if f.is_file() and not f.name.startswith(".")
    )


@pytest.fixture(scope="module")
def classifier() -> marslog.Classifier:
    return marslog.Classifier()


def test_every_fuzz_target_has_a_replay() -> None:
    targets = {p.stem for p in FUZZ_TARGETS.glob("*.rs")}
    assert targets == set(TARGETS)
    folders = {d.name for d in REGRESSIONS.iterdir() if d.is_dir()}
    assert folders <= set(TARGETS), folders - set(TARGETS)
    assert _inputs(), "the regression set is empty"


def test_evtx_wrapper_is_read_as_evtx() -> None:
    # an empty BinXML body: the record is found, and is damage ("empty record")
    log = marslog.read_events(_evtx_around(b""))
    assert len(log) == 0
    assert [(d.record_id, d.kind) for d in log.damage] == [(1, "bad_binxml")]


@pytest.mark.parametrize(("target", "path"), _inputs(), ids=lambda v: getattr(v, "name", v))
def test_fuzz_regression_replays(
    target: str, path: Path, tmp_path: Path, classifier: marslog.Classifier
) -> None:
    data = path.read_bytes()
    try:
        TARGETS[target](data, tmp_path, classifier)
    except marslog.MarslogError as e:
        assert "internal error" not in str(e), f"{target}/{path.name}: {e}"
    except OSError:
        pass
    except BaseException as e:  # pyo3's PanicException derives from BaseException
        pytest.fail(f"{target}/{path.name}: {type(e).__name__}: {e}")
