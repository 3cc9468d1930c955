"""read_errlog: sources, fields, encodings, years, accounting, unparsed lines."""

from __future__ import annotations

import datetime as dt
import io
import os
from pathlib import Path

import pytest

import marslog
from conftest import ERRLOG, SAMPLES, UTC

CLI_KEYS = [
    "file",
    "line",
    "offset",
    "timestamp",
    "pid",
    "tid",
    "column5",
    "source",
    "source_line",
    "pointer",
    "task_id",
    "severity",
    "message",
]


def test_first_record_of_utf16le_log() -> None:
    path = ERRLOG / "CBEngineCurr.errlog"
    log = marslog.read_errlog(path, year=2026)
    assert len(log) == 6
    rec = log[0]
    assert isinstance(rec, marslog.Record)
    assert rec.file == str(path)
    assert rec.line == 1
    assert rec.offset == 2  # after the UTF-16LE BOM
    assert rec.timestamp == dt.datetime(2026, 3, 14, 8, 0, 1, 125000, tzinfo=UTC)
    assert rec.timestamp.tzinfo is dt.timezone.utc
    assert (rec.pid, rec.tid, rec.column5) == ("1A2C", "0F3C", "71")
    assert (rec.source, rec.source_line) == ("backupasync.cpp", 1279)
    assert rec.pointer == "0000000002B4C1F0"
    assert rec.task_id == "6F1C2D3E-4A5B-4C6D-8E9F-0A1B2C3D4E5F"
    assert rec.severity == "NORMAL"
    assert rec.message == "Backup Progress: Prebackup started."


def test_continuation_lines_and_nulls() -> None:
    log = marslog.read_errlog(ERRLOG / "CBEngineCurr.errlog", year=2026)
    rec = log[2]
    assert (rec.line, rec.offset) == (3, 620)
    assert rec.severity == "WARNING"
    assert rec.pointer is None
    assert rec.source == "WcfClient.cs"
    assert rec.message.splitlines() == [
        "Unable to make web service call | Params: {Exception: = System.Net.WebException: "
        "The remote server returned an error: (407) Proxy Authentication Required.",
        "   at System.Net.HttpWebRequest.GetResponse()",
        "   at Microsoft.Internal.CloudBackup.Client.WcfClient.Invoke()",
    ]
    assert "\r\n" in rec.message  # original line breaks kept
    assert log[4].task_id is None
    assert log[4].message.startswith("Fichier ignoré : C:\\Données")
    assert log[-1].line == 8 and log[-1].message == "Backup Progress: Failed"


def test_stats_reconcile() -> None:
    log = marslog.read_errlog(ERRLOG / "CBEngineCurr.errlog", year=2026)
    s = log.stats
    assert isinstance(s, marslog.Stats)
    assert s.to_dict() == {
        "bytes": 2252,
        "lines": 8,
        "records": 6,
        "continuation_lines": 2,
        "unparsed_lines": 0,
        "blank_lines": 0,
        "encoding": "utf-16le",
    }
    assert log.unparsed == []


@pytest.mark.parametrize(
    ("name", "encoding"),
    [
        ("CBEngineCurr.errlog", "utf-16le"),
        ("mars-utf16le-nobom.errlog", "utf-16le"),
        ("mars-utf16be.errlog", "utf-16be"),
        ("mars-utf8.errlog", "utf-8"),
        ("mars-utf8-bom-crlf.errlog", "utf-8"),
        ("mars-ansi.errlog", "windows-1252"),
        ("mars-lone-cr.errlog", "utf-8"),
    ],
)
def test_encodings_give_the_same_records(name: str, encoding: str) -> None:
    def norm(log: marslog.ErrlogLog) -> list[tuple[object, ...]]:
        return [
            (r.line, r.timestamp, r.pid, r.source, r.source_line, r.severity,
             r.message.replace("\r\n", "\n").replace("\r", "\n"))
            for r in log
        ]

    ref = marslog.read_errlog(ERRLOG / "mars-utf8.errlog", year=2026)
    log = marslog.read_errlog(ERRLOG / name, year=2026)
    assert log.stats.encoding == encoding
    assert norm(log) == norm(ref)
    assert "Données" in log[4].message


def test_every_fixture_reconciles() -> None:
    for path in sorted(ERRLOG.glob("*.errlog*")):
        if path.name == "mars-collapsed.errlog":
            continue
        s = marslog.read_errlog(path, year=2026).stats
        assert s.lines == s.records + s.continuation_lines + s.unparsed_lines + s.blank_lines, path


def test_unparsed_lines_have_positions() -> None:
    log = marslog.read_errlog(ERRLOG / "malformed.errlog", year=2024)
    assert [r.line for r in log] == [1, 4]
    u = log.unparsed
    assert [(x.line, x.offset, x.reason) for x in u] == [
        (2, 153, "malformed record header: bad time"),
        (3, 212, "continuation of a malformed record"),
    ]
    assert u[0].text.endswith("NORMAL\tbad time")
    assert u[1].to_dict() == {
        "file": str(ERRLOG / "malformed.errlog"),
        "line": 3,
        "offset": 212,
        "reason": "continuation of a malformed record",
        "text": "   orphan continuation",
    }
    trunc = marslog.read_errlog(ERRLOG / "truncated.errlog", year=2024).unparsed
    assert [(x.line, x.offset, x.reason) for x in trunc] == [
        (3, 620, "truncated record header at end of input: bad time")
    ]


@pytest.mark.parametrize("name", ["empty.errlog", "bom-only.errlog"])
def test_empty_inputs_are_empty_logs(name: str) -> None:
    log = marslog.read_errlog(ERRLOG / name)
    assert len(log) == 0 and list(log) == [] and log.unparsed == []
    assert log.to_arrow().num_rows == 0


def test_tolerant_reads_collapsed_tabs() -> None:
    path = ERRLOG / "mars-collapsed.errlog"
    with pytest.raises(marslog.UnsupportedFormatError, match="tolerant=True"):
        marslog.read_errlog(path, year=2026)
    log = marslog.read_errlog(path, year=2026, tolerant=True)
    ref = marslog.read_errlog(ERRLOG / "mars-utf8.errlog", year=2026)
    assert [(r.source, r.source_line, r.severity) for r in log] == [
        (r.source, r.source_line, r.severity) for r in ref
    ]


class TestYears:
    def test_explicit_year_and_rollover(self) -> None:
        log = marslog.read_errlog(ERRLOG / "rollover.errlog", year=2025)
        assert [r.timestamp for r in log] == [
            dt.datetime(2025, 12, 31, 23, 59, 58, 900000, tzinfo=UTC),
            dt.datetime(2026, 1, 1, 0, 0, 1, 250000, tzinfo=UTC),
            dt.datetime(2026, 1, 2, 10, 0, tzinfo=UTC),
        ]

    def test_year_from_mtime(self, tmp_path: Path) -> None:
        path = tmp_path / "CBEngineCurr.errlog"
        path.write_bytes((ERRLOG / "CBEngineCurr.errlog").read_bytes())
        mtime = dt.datetime(2023, 3, 20, tzinfo=UTC).timestamp()
        os.utime(path, (mtime, mtime))
        assert {r.timestamp.year for r in marslog.read_errlog(path) if r.timestamp} == {2023}
        # a record after the mtime's day-of-year belongs to the previous year
        mtime = dt.datetime(2023, 3, 1, tzinfo=UTC).timestamp()
        os.utime(path, (mtime, mtime))
        assert {r.timestamp.year for r in marslog.read_errlog(path) if r.timestamp} == {2022}

    def test_year_from_mtime_across_new_year(self, tmp_path: Path) -> None:
        # the first record (12/31) is after the mtime's day, so it is in 2025; the last one
        # (01/02 10:00) would then be after the mtime, so every year moves back by one
        path = tmp_path / "CBEngineCurr.errlog"
        path.write_bytes((ERRLOG / "rollover.errlog").read_bytes())
        mtime = dt.datetime(2026, 1, 1, 12, tzinfo=UTC).timestamp()
        os.utime(path, (mtime, mtime))
        log = marslog.read_errlog(path)
        expected = [
            dt.datetime(2024, 12, 31, 23, 59, 58, 900000, tzinfo=UTC),
            dt.datetime(2025, 1, 1, 0, 0, 1, 250000, tzinfo=UTC),
            dt.datetime(2025, 1, 2, 10, 0, tzinfo=UTC),
        ]
        assert [r.timestamp for r in log] == expected
        assert log.to_arrow().column("timestamp").to_pylist() == expected
        # a later mtime needs no second pass
        mtime = dt.datetime(2026, 1, 3, tzinfo=UTC).timestamp()
        os.utime(path, (mtime, mtime))
        assert [r.timestamp.year for r in marslog.read_errlog(path) if r.timestamp] == [
            2025,
            2026,
            2026,
        ]

    def test_year_from_crash_copy_name(self) -> None:
        log = marslog.read_errlog(ERRLOG / "MSDPMCurr.errlog.2016-06-01_20-55-45.Crash")
        assert [r.timestamp for r in log] == [
            dt.datetime(2016, 6, 1, 20, 54, 55, 393000, tzinfo=UTC),
            dt.datetime(2016, 6, 1, 20, 55, 45, 690000, tzinfo=UTC),
        ]
        assert [r.severity for r in log] == ["WARNING", "CRITICAL"]

    def test_bytes_without_year_use_now(self) -> None:
        data = (ERRLOG / "CBEngineCurr.errlog").read_bytes()
        now = dt.datetime.now(UTC)
        ts = [r.timestamp for r in marslog.read_errlog(data) if r.timestamp]
        assert all(t <= now for t in ts)
        assert all(now - t < dt.timedelta(days=366) for t in ts)


class TestSources:
    path = ERRLOG / "mars-utf8.errlog"

    def records(self, log: marslog.ErrlogLog) -> list[tuple[object, ...]]:
        return [(r.line, r.offset, r.timestamp, r.message) for r in log]

    def test_all_source_kinds_agree(self) -> None:
        ref = marslog.read_errlog(str(self.path), year=2026)
        data = self.path.read_bytes()
        with open(self.path, "rb") as f:
            from_file = marslog.read_errlog(f, year=2026)
        for log in [
            marslog.read_errlog(self.path, year=2026),
            marslog.read_errlog(data, year=2026),
            marslog.read_errlog(bytearray(data), year=2026),
            marslog.read_errlog(memoryview(data), year=2026),
            marslog.read_errlog(io.BytesIO(data), year=2026),
            from_file,
        ]:
            assert self.records(log) == self.records(ref)
        assert from_file.file == str(self.path)
        assert marslog.read_errlog(data).file == "<bytes>"
        assert marslog.read_errlog(io.BytesIO(data)).file == "<stream>"
        assert marslog.read_errlog(data, year=2026)[0].file == "<bytes>"

    def test_text_mode_file_is_a_type_error(self) -> None:
        with open(self.path, encoding="utf-8") as f, pytest.raises(TypeError, match="binary mode"):
            marslog.read_errlog(f)  # type: ignore[arg-type]

    def test_other_types_are_type_errors(self) -> None:
        with pytest.raises(TypeError, match="expected a path"):
            marslog.read_errlog(42)  # type: ignore[arg-type]

    def test_sample_folder_files(self) -> None:
        log = marslog.read_errlog(SAMPLES / "SRV-FS01" / "Temp" / "CBEngineCurr.errlog", year=2026)
        assert len(log) == 17
        assert log[6].message.startswith("Error 34506.")
        ui = marslog.read_errlog(SAMPLES / "SRV-FS01" / "Temp" / "CBUICurr.errlog", year=2026)
        assert ui[0].message.startswith("Erreur 34506. La phrase secrète")


class TestRecordObject:
    log = marslog.read_errlog(ERRLOG / "CBEngineCurr.errlog", year=2026)

    def test_to_dict_has_the_cli_keys(self) -> None:
        d = self.log[0].to_dict()
        assert list(d) == CLI_KEYS
        assert d["timestamp"] == self.log[0].timestamp
        assert d["pid"] == "1A2C" and d["source_line"] == 1279

    def test_frozen_and_comparable(self) -> None:
        rec = self.log[0]
        with pytest.raises(AttributeError):
            rec.message = "x"  # type: ignore[misc]
        assert rec == self.log[0] and rec != self.log[1]
        with pytest.raises(TypeError):
            hash(rec)

    def test_repr(self) -> None:
        assert repr(self.log[0]) == (
            f"Record(file={str(ERRLOG / 'CBEngineCurr.errlog')!r}, line=1, "
            "timestamp='2026-03-14T08:00:01.125+00:00', severity='NORMAL', "
            "source='backupasync.cpp(1279)', message='Backup Progress: Prebackup started.')"
        )
        assert repr(self.log).startswith("ErrlogLog(file=") and "records=6" in repr(self.log)
        assert repr(self.log.stats).startswith("Stats(bytes=2252, lines=8")

    def test_indexing_and_iteration(self) -> None:
        assert list(self.log) == [self.log[i] for i in range(len(self.log))]
        assert self.log[-1] == self.log[5]
        with pytest.raises(IndexError):
            self.log[6]
        with pytest.raises(IndexError):
            self.log[-7]
        with pytest.raises(TypeError):
            self.log["x"]  # type: ignore[index]
        it = iter(self.log)
        assert iter(it) is it


def test_date_missing_from_the_year_is_none() -> None:
    line = b"1A2C\t0F3C\t02/29\t08:00:01.125\t71\tx.cpp(7)\t\t\tNORMAL\tleap day\r\n"
    rec = marslog.read_errlog(line, year=2025)[0]
    assert rec.timestamp is None and rec.message == "leap day"
    assert marslog.read_errlog(line, year=2024)[0].timestamp == dt.datetime(
        2024, 2, 29, 8, 0, 1, 125000, tzinfo=UTC
    )
    assert marslog.read_errlog(line, year=2025).to_arrow().column("timestamp").null_count == 1


def test_timestamp_column_across_days_leap_seconds_and_missing_dates() -> None:
    # the column computes each day's midnight once; a leap second (:60) is the second
    # after :59; a date missing from the year is null; 12/31 after March is a straggler
    # from the year before
    times = [(2, 28, 23, 59, 60, 999), (2, 29, 0, 0, 0, 1), (3, 1, 0, 0, 0, 0),
             (3, 1, 12, 34, 56, 789), (12, 31, 23, 59, 59, 999), (1, 1, 0, 0, 0, 0)]
    data = "".join(
        f"1A2C\t0F3C\t{mo:02}/{d:02}\t{h:02}:{mi:02}:{s:02}.{ms:03}\t71\tx.cpp(7)\t\t\t"
        f"NORMAL\tm{i}\r\n"
        for i, (mo, d, h, mi, s, ms) in enumerate(times)
    ).encode()
    for year in (1960, 2023, 2024):
        expected: list[dt.datetime | None] = []
        for i, (mo, d, h, mi, s, ms) in enumerate(times):
            y = year - 1 if i == 4 else year
            try:
                day = dt.datetime(y, mo, d, tzinfo=UTC)
            except ValueError:
                expected.append(None)
                continue
            expected.append(day + dt.timedelta(hours=h, minutes=mi, seconds=s, milliseconds=ms))
        column = marslog.read_errlog(data, year=year).to_arrow().column("timestamp")
        assert column.to_pylist() == expected, year
