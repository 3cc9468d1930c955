"""Arrow, pandas and polars: schema, values, time zones, batches, lazy imports."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

import marslog
from conftest import ERRLOG, UTC, build_evtx

TS = pa.timestamp("us", tz="UTC")
#: Dictionary-encoded text (the file name, and the errlog fields with few distinct values).
FEW = pa.dictionary(pa.int32(), pa.string())

ERRLOG_SCHEMA = pa.schema(
    [
        pa.field("file", pa.dictionary(pa.int32(), pa.string()), nullable=False),
        pa.field("line", pa.int64(), nullable=False),
        pa.field("offset", pa.int64(), nullable=False),
        pa.field("timestamp", TS),
        pa.field("pid", FEW, nullable=False),
        pa.field("tid", FEW, nullable=False),
        pa.field("column5", FEW, nullable=False),
        pa.field("source", FEW, nullable=False),
        pa.field("source_line", pa.int64(), nullable=False),
        pa.field("pointer", pa.string()),
        pa.field("task_id", FEW),
        pa.field("severity", FEW, nullable=False),
        pa.field("message", pa.string(), nullable=False),
    ]
)

EVENT_SCHEMA = pa.schema(
    [
        pa.field("file", pa.dictionary(pa.int32(), pa.string()), nullable=False),
        pa.field("record_id", pa.int64(), nullable=False),
        pa.field("timestamp", TS),
        pa.field("event_id", pa.int64()),
        pa.field("provider", pa.string()),
        pa.field("channel", pa.string()),
        pa.field("computer", pa.string()),
        pa.field("level", pa.int64()),
        pa.field("data", pa.string(), nullable=False),
    ]
)


def decoded(t: pa.Table) -> pa.Table:
    """`t` with its dictionary-encoded columns as plain strings, in one chunk each."""
    plain = [
        f.with_type(f.type.value_type) if pa.types.is_dictionary(f.type) else f for f in t.schema
    ]
    return t.cast(pa.schema(plain)).combine_chunks()


@pytest.fixture(scope="module")
def log() -> marslog.ErrlogLog:
    return marslog.read_errlog(ERRLOG / "CBEngineCurr.errlog", year=2026)


def test_errlog_schema_and_values(log: marslog.ErrlogLog) -> None:
    t = log.to_arrow()
    assert isinstance(t, pa.Table)
    assert t.schema == ERRLOG_SCHEMA
    rows = t.to_pylist()
    assert rows == [r.to_dict() for r in log]
    assert rows[0]["timestamp"] == dt.datetime(2026, 3, 14, 8, 0, 1, 125000, tzinfo=UTC)
    assert t.column("pointer").null_count == 1
    assert t.column("task_id").null_count == 1
    assert t.column("line").to_pylist() == [1, 2, 3, 6, 7, 8]


def test_capsule_protocol_directly(log: marslog.ErrlogLog) -> None:
    capsule = log.__arrow_c_stream__()
    assert type(capsule).__name__ == "PyCapsule"
    reader = pa.RecordBatchReader.from_stream(log)
    assert reader.schema == ERRLOG_SCHEMA
    assert reader.read_all().num_rows == 6
    assert pa.table(log).equals(log.to_arrow())
    # each export is independent: the log can be exported again
    assert log.to_arrow().num_rows == 6


def test_pandas(log: marslog.ErrlogLog) -> None:
    pd = pytest.importorskip("pandas")
    df = log.to_pandas()
    assert isinstance(df, pd.DataFrame)
    assert list(df.columns) == ERRLOG_SCHEMA.names
    dtype = df["timestamp"].dtype
    assert isinstance(dtype, pd.DatetimeTZDtype) and str(dtype.tz) == "UTC"
    assert str(dtype).startswith("datetime64[") and str(dtype).endswith(", UTC]")
    assert df["timestamp"].iloc[0] == pd.Timestamp("2026-03-14T08:00:01.125Z")
    assert df["line"].dtype == "int64"
    assert df["severity"].tolist() == ["NORMAL", "NORMAL", "WARNING", "WARNING", "NORMAL", "NORMAL"]


def test_polars(log: marslog.ErrlogLog) -> None:
    pl = pytest.importorskip("polars")
    df = log.to_polars()
    assert isinstance(df, pl.DataFrame)
    assert df.schema["timestamp"] == pl.Datetime("us", "UTC")
    assert df.schema["line"] == pl.Int64
    assert df["source_line"].to_list() == [r.source_line for r in log]
    assert df.filter(pl.col("severity") == "WARNING").height == 2


def test_many_batches(tmp_path: Path) -> None:
    line = "1A2C\t0F3C\t03/14\t08:00:{s:02d}.{ms:03d}\t71\tx.cpp({n})\t[0000000002B4C1F0]\t\tNORMAL\tmessage {n}\r\n"
    n = 150_000
    text = "".join(line.format(s=(i // 1000) % 60, ms=i % 1000, n=i) for i in range(n))
    path = tmp_path / "big.errlog"
    path.write_text(text, encoding="utf-8", newline="")
    log = marslog.read_errlog(path, year=2026)
    assert len(log) == n
    assert log[n - 1].source_line == n - 1 and log[65536].source_line == 65536
    reader = pa.RecordBatchReader.from_stream(log)
    batches = list(reader)
    # at most 65,536 rows a batch; a large file read in segments on several threads ends a
    # batch at each segment's end too, so the count depends on the thread count
    assert len(batches) >= 3 and sum(b.num_rows for b in batches) == n
    assert all(0 < b.num_rows <= 65_536 for b in batches)
    t = log.to_arrow()
    assert t.column("source_line").to_pylist() == list(range(n))
    assert t.column("message")[n - 1].as_py() == f"message {n - 1}"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16-le"])
def test_dictionary_columns_hold_the_values_as_written(tmp_path: Path, encoding: str) -> None:
    """pid, tid, column5, source, task_id and severity are dictionary-encoded per batch:
    runs, values that come back, ids that share a cache slot (low bits), ids of 5+ digits,
    nulls, and more rows than a batch all read back as written."""
    n = 140_000
    pids = [0x1A2C, 0x1A2C + 64, 0x12345, 0x7]  # same low 6 bits; 5 digits; padded
    rows = []
    for i in range(n):
        pid = pids[(i // 7) % len(pids)]
        tid = (i * 37) % 300 + (0x10000 if i % 11 == 0 else 0)
        task = "" if i % 3 == 0 else f"{i % 5:08X}-DC79-4A28-9ACC-3F30CB5810B6"
        rows.append(
            (
                f"{pid:04X}",
                f"{tid:04X}",
                str(i % 13),
                f"src{i % 97}.cpp",
                task or None,
                ["NORMAL", "WARNING", "ERROR", "FATAL"][(i // 1000) % 4],
            )
        )
    text = "".join(
        f"{pid}\t{tid}\t03/14\t08:00:00.000\t{c5}\t{src}({i})\t\t{task or ''}\t{sev}\tm {i}\r\n"
        for i, (pid, tid, c5, src, task, sev) in enumerate(rows)
    )
    path = tmp_path / "few.errlog"
    path.write_bytes((b"\xff\xfe" if encoding == "utf-16-le" else b"") + text.encode(encoding))
    log = marslog.read_errlog(path, year=2026)
    t = log.to_arrow()
    assert t.schema == ERRLOG_SCHEMA and t.num_rows == n and t.column("pid").num_chunks >= 3
    names = ["pid", "tid", "column5", "source", "task_id", "severity"]
    plain = decoded(t)
    for k, name in enumerate(names):
        assert plain.column(name).to_pylist() == [r[k] for r in rows], name
    # each batch's dictionary holds only its own distinct values
    first = t.column("tid").chunk(0)
    assert len(first.dictionary) == len(set(first.to_pylist()))
    assert [log[i].tid for i in (0, 11, n - 1)] == [rows[i][1] for i in (0, 11, n - 1)]
    assert log[0].task_id is None and log[1].task_id == rows[1][4]
    pd = pytest.importorskip("pandas")
    df = log.to_pandas()
    assert isinstance(df["severity"].dtype, pd.CategoricalDtype)
    assert (df["severity"] == "FATAL").sum() == sum(r[5] == "FATAL" for r in rows)
    pl = pytest.importorskip("polars")
    frame = log.to_polars()
    assert frame.schema["source"] == pl.Categorical
    assert frame.filter(pl.col("pid") == "12345").height == sum(r[0] == "12345" for r in rows)


@pytest.mark.parametrize(
    ("written", "column"),
    [
        ("000000001A1373E0", "000000001A1373E0"),
        ("000000001a1373e0", "000000001A1373E0"),
        ("0000000A1b2C3d4E", "0000000A1B2C3D4E"),
        ("a000000000000000", "A000000000000000"),
        ("000000000000000f", "000000000000000F"),
        ("F", "000000000000000F"),
        ("12ab", "00000000000012AB"),
    ],
)
def test_pointers_read_as_sixteen_upper_case_digits(
    tmp_path: Path, written: str, column: str
) -> None:
    """A pointer is written as 16 upper-case digits whatever its case and width (the
    CLI's JSON form), in the column and in a record."""
    line = f"1A2C\t0F3C\t03/14\t08:00:00.000\t71\tx.cpp(1)\t[{written}]\t\tNORMAL\tm\r\n"
    path = tmp_path / "p.errlog"
    path.write_bytes(line.encode() * 3)
    log = marslog.read_errlog(path, year=2026)
    assert log.to_arrow().column("pointer").to_pylist() == [column] * 3
    assert log[0].pointer == column


def test_short_dictionary_texts_are_told_apart_at_every_byte(tmp_path: Path) -> None:
    """Texts of up to 24 bytes are compared as words (first, second and last, overlapping):
    texts of every length from 0 to 26 that differ in one byte only, at every position,
    in an order that mixes runs, returns and cache-slot collisions, read back as written."""
    values = [""]
    for n in range(1, 27):
        values.append("a" * n)
        values += ["a" * k + "b" + "a" * (n - k - 1) for k in range(n)]
    order = [values[(i * 7919) % len(values)] for i in range(3 * len(values))]
    order += [v for v in values for _ in range(2)]  # runs
    rows = [(c5, src or "s") for c5, src in zip(order, reversed(order))]
    text = "".join(
        f"1A2C\t0F3C\t03/14\t08:00:00.000\t{c5}\t{src}({i})\t\t\tNORMAL\tm\r\n"
        for i, (c5, src) in enumerate(rows)
    )
    path = tmp_path / "short.errlog"
    path.write_text(text, encoding="utf-8", newline="")
    t = decoded(marslog.read_errlog(path, year=2026).to_arrow())
    assert t.column("column5").to_pylist() == [c5 for c5, _ in rows]
    assert t.column("source").to_pylist() == [src for _, src in rows]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16-le"])
def test_reading_in_segments_matches_one_thread(tmp_path: Path, encoding: str) -> None:
    """A file large enough to be cut into segments, spanning a New Year (a rollover and a
    straggler near the middle), with continuation lines, blank lines and a malformed
    header: the multi-threaded read gives the one-thread table, line for line."""
    line = "1A2C\t0F3C\t{md}\t08:00:{s:02d}.{ms:03d}\t71\tx.cpp({n})\t\t\tNORMAL\tmessage {n}\r\n"
    n = 120_000
    parts = []
    for i in range(n):
        md = "12/31" if i < n // 2 else "01/01"
        if i == n // 2 + 7:
            md = "12/31"  # a straggler after the rollover
        parts.append(line.format(md=md, s=(i // 1000) % 60, ms=i % 1000, n=i))
        if i % 5000 == 1:
            parts.append("   at Stack.Frame()\r\n\r\n")
        if i == 90_001:
            parts.append("1A2C\t0F3C\t13/45\tbroken\r\n")
    path = tmp_path / "big.errlog"
    data = "".join(parts).encode(encoding)
    path.write_bytes((b"\xff\xfe" if encoding == "utf-16-le" else b"") + data)
    one = marslog.read_errlog(path, year=2025, threads=1)
    many = marslog.read_errlog(path, year=2025, threads=4)
    assert len(many) == len(one) == n
    # the same values (each batch has its own dictionaries, and batches end at segments)
    assert decoded(many.to_arrow()).equals(decoded(one.to_arrow()))
    assert many.stats == one.stats and many.stats.unparsed_lines == 1
    assert [u.line for u in many.unparsed] == [u.line for u in one.unparsed]
    years = many.to_arrow().column("timestamp").to_pylist()
    assert years[0].year == 2025 and years[-1].year == 2026
    assert years[n // 2 + 7].year == 2025
    with pytest.raises(ValueError):
        marslog.read_errlog(path, year=2025, threads=0)


def test_events_schema_and_json_data(system_events: list[dict[str, Any]]) -> None:
    events = marslog.read_events(build_evtx(system_events))
    t = events.to_arrow()
    assert t.schema == EVENT_SCHEMA
    assert t.column("event_id").to_pylist() == [7036, 7031, 11, 1]
    assert t.column("level").to_pylist() == [4, 2, 2, 4]
    data = [json.loads(s) for s in t.column("data").to_pylist()]
    assert data == [e.data for e in events]
    assert data[1] == {
        "param1": "Microsoft Azure Recovery Services Agent",
        "param2": 1,
        "param3": 60000,
        "Data": ["a", "b"],
    }
    assert t.column("timestamp")[0].as_py() == dt.datetime(
        2026, 3, 14, 21, 0, 0, 123456, tzinfo=UTC
    )
    pd = pytest.importorskip("pandas")
    df = events.to_pandas()
    assert isinstance(df["timestamp"].dtype, pd.DatetimeTZDtype)
    pl = pytest.importorskip("polars")
    assert events.to_polars()["provider"].to_list()[:2] == ["Service Control Manager"] * 2


@pytest.mark.parametrize(
    ("method", "missing", "hint"),
    [
        ("to_arrow", "pyarrow", "pip install pyarrow"),
        ("to_pandas", "pandas", "pip install pandas"),
        ("to_pandas", "pyarrow", "pip install pyarrow"),
        ("to_polars", "polars", "pip install polars"),
    ],
)
def test_missing_optional_dependency_message(
    log: marslog.ErrlogLog, monkeypatch: pytest.MonkeyPatch, method: str, missing: str, hint: str
) -> None:
    monkeypatch.setitem(sys.modules, missing, None)  # makes `import <missing>` fail
    with pytest.raises(ImportError, match=hint) as info:
        getattr(log, method)()
    assert f"{method}()" in str(info.value)
    assert isinstance(info.value.__cause__, ImportError)
