"""Exceptions: the hierarchy, locations, OS errors, and no PanicException ever."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

import marslog
from conftest import ERRLOG, SAMPLES, build_evtx
from marslog import _native


def test_hierarchy() -> None:
    for cls in (marslog.ParseError, marslog.UnsupportedFormatError, marslog.CatalogError):
        assert issubclass(cls, marslog.MarslogError)
    assert issubclass(marslog.MarslogError, Exception)
    assert marslog.MarslogError.__module__ == "marslog"
    e = marslog.ParseError("raised from Python")
    assert (e.path, e.line, e.offset) == (None, None, None)


def test_not_an_errlog_names_path_line_offset() -> None:
    path = ERRLOG / "not-an-errlog.bin"
    with pytest.raises(marslog.UnsupportedFormatError) as info:
        marslog.read_errlog(path)
    e = info.value
    assert (e.path, e.line, e.offset) == (str(path), 1, 0)
    assert str(e) == f"{path}: byte 0: not errlog: no record header found"


def test_garbage_then_nothing_names_first_unparsed_line(tmp_path: Path) -> None:
    path = tmp_path / "x.errlog"
    path.write_bytes(b"\r\n\r\nnot a record\r\nstill not\r\n")
    with pytest.raises(marslog.UnsupportedFormatError) as info:
        marslog.read_errlog(path)
    assert (info.value.line, info.value.offset) == (3, 4)


def test_missing_file() -> None:
    with pytest.raises(FileNotFoundError) as info:
        marslog.read_errlog("/nonexistent/CBEngineCurr.errlog")
    assert info.value.filename == "/nonexistent/CBEngineCurr.errlog"
    assert info.value.errno == 2
    with pytest.raises(FileNotFoundError):
        marslog.read_events(Path("/nonexistent/System.evtx"))


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(IsADirectoryError) as info:
        marslog.read_errlog(tmp_path)
    assert info.value.filename == str(tmp_path)
    with pytest.raises(IsADirectoryError):
        marslog.read_events(tmp_path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_permission_denied(tmp_path: Path) -> None:
    path = tmp_path / "locked.errlog"
    path.write_bytes(b"x")
    path.chmod(0)
    with pytest.raises(PermissionError) as info:
        marslog.read_errlog(path)
    assert info.value.filename == str(path)


def test_random_inputs_never_panic() -> None:
    rng = random.Random(5)
    seeds = [
        (ERRLOG / "CBEngineCurr.errlog").read_bytes(),
        (ERRLOG / "mars-utf8.errlog").read_bytes(),
        build_evtx([{"provider": "P", "channel": "C", "event_id": 1, "data": [("a", "b")]}]),
        b"<Events><Event><System><EventID>1</EventID></System></Event></Events>",
    ]
    for _ in range(300):
        data = bytearray(rng.choice(seeds))
        for _ in range(rng.randint(1, 20)):
            op = rng.random()
            i = rng.randrange(len(data)) if data else 0
            if op < 0.5 and data:
                data[i] = rng.randrange(256)
            elif op < 0.75:
                del data[i : i + rng.randint(1, 64)]
            else:
                data[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
        for read in (marslog.read_errlog, marslog.read_events):
            try:
                result = read(bytes(data))
                list(result)
                result.to_arrow()
            except marslog.MarslogError as e:
                # a panic caught at the boundary would say "internal error"
                assert "internal error" not in str(e)


def test_a_panic_becomes_a_marslog_error() -> None:
    with pytest.raises(marslog.MarslogError, match="internal error .*: boom") as info:
        _native._panic_detached("boom")
    assert type(info.value) is marslog.MarslogError


def test_sequence_indexing_errors() -> None:
    log = marslog.read_errlog(ERRLOG / "CBEngineCurr.errlog", year=2026)
    events = marslog.read_events(SAMPLES / "SRV-FS01" / "Logs" / "System.evtx")
    report = marslog.scan(SAMPLES, year=2026)
    for seq, owner, item in (
        (log, "ErrlogLog", "record"),
        (events, "EventLog", "event"),
        (report, "Report", "finding"),
    ):
        n = len(seq)
        assert n > 0
        assert seq[-1] == seq[n - 1]
        assert seq[-n] == seq[0]
        with pytest.raises(IndexError, match=f"{item} index out of range"):
            seq[n]
        with pytest.raises(IndexError, match=f"{item} index out of range"):
            seq[-n - 1]
        with pytest.raises(TypeError, match=f"{owner} indices must be integers"):
            seq["0"]  # type: ignore[index]
