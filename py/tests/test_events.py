"""read_events: EVTX (built by the core's builder) and XML exports."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest

import marslog
from conftest import UTC, build_evtx

XML_EXPORT = """\
<?xml version="1.0" encoding="UTF-8"?>
<Events>
<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'>
  <System>
    <Provider Name='Service Control Manager' Guid='{555908D1-A6D7-4695-8E1E-26931D2012F4}' EventSourceName='Service Control Manager'/>
    <EventID Qualifiers='49152'>7034</EventID>
    <Level>2</Level>
    <TimeCreated SystemTime='2026-03-15T21:12:03.4567891Z'/>
    <EventRecordID>51234</EventRecordID>
    <Channel>System</Channel>
    <Computer>SRV-FS01.contoso.local</Computer>
  </System>
  <EventData>
    <Data Name='param1'>Microsoft Azure Recovery Services Agent</Data>
    <Data Name='param2'>1</Data>
  </EventData>
</Event>
<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'>
  <System>
    <Provider Name='CloudBackup'/>
    <EventID>5</EventID>
    <Level>4</Level>
    <TimeCreated SystemTime='2026-03-15T21:20:00.000Z'/>
    <EventRecordID>51240</EventRecordID>
    <Channel>CloudBackup</Channel>
    <Computer>SRV-FS01.contoso.local</Computer>
  </System>
  <EventData><Data>first</Data><Data>second</Data></EventData>
</Event>
</Events>
"""


def test_evtx_fields(system_events: list[dict[str, Any]], tmp_path: Path) -> None:
    path = tmp_path / "System.evtx"
    path.write_bytes(build_evtx(system_events))
    log = marslog.read_events(path)
    assert isinstance(log, marslog.EventLog)
    assert len(log) == 4 and log.damage == [] and log.file == str(path)
    ev = log[1]
    assert isinstance(ev, marslog.Event)
    assert ev.record_id == 2
    assert ev.event_id == 7031
    assert ev.provider == "Service Control Manager"
    assert ev.channel == "System"
    assert ev.computer == "SRV-FS01"
    assert ev.level == 2
    assert ev.timestamp == dt.datetime(2026, 3, 14, 21, 5, 0, 123456, tzinfo=UTC)
    assert ev.timestamp.tzinfo is dt.timezone.utc
    assert ev.data == {
        "param1": "Microsoft Azure Recovery Services Agent",
        "param2": 1,
        "param3": 60000,
        "Data": ["a", "b"],
    }
    assert list(ev.data) == ["param1", "param2", "param3", "Data"]  # document order
    assert log[2].data == {"JobId": "42", "Success": False, "Size": 2**40, "Empty": None}
    assert log[3].data == {}
    assert ev.file == str(path)
    assert list(ev.to_dict()) == [
        "file", "record_id", "timestamp", "event_id", "provider", "channel", "computer",
        "level", "data",
    ]
    assert repr(ev) == (
        "Event(record_id=2, timestamp='2026-03-14T21:05:00.123456+00:00', event_id=7031, "
        "provider='Service Control Manager', level=2)"
    )


def test_filters(system_events: list[dict[str, Any]]) -> None:
    data = build_evtx(system_events)
    assert [e.event_id for e in marslog.read_events(data, event_ids=[7031, 11])] == [7031, 11]
    scm = marslog.read_events(data, providers=["service control MANAGER"])
    assert [e.record_id for e in scm] == [1, 2]
    both = marslog.read_events(data, event_ids=[7031, 11], providers=["CloudBackup"])
    assert [e.event_id for e in both] == [11]
    assert len(marslog.read_events(data, event_ids=[])) == 4
    # one value, or any iterable
    assert [e.event_id for e in marslog.read_events(data, event_ids=7031)] == [7031]
    assert [e.event_id for e in marslog.read_events(data, event_ids={11, 1})] == [11, 1]
    assert [e.event_id for e in marslog.read_events(data, providers="CloudBackup")] == [11]
    assert len(marslog.read_events(data, providers=(p for p in ["cloudbackup", "x"]))) == 1
    with pytest.raises(TypeError):
        marslog.read_events(data, event_ids=["7031"])  # type: ignore[list-item]
    with pytest.raises(OverflowError):
        marslog.read_events(data, event_ids=[-1])


def test_sources(system_events: list[dict[str, Any]]) -> None:
    data = build_evtx(system_events)
    ref = [e.to_dict() for e in marslog.read_events(data)]
    assert [e.to_dict() for e in marslog.read_events(io.BytesIO(data))] == [
        dict(d, file="<stream>") for d in ref
    ]
    assert ref[0]["file"] == "<bytes>"


def test_xml_export(tmp_path: Path) -> None:
    path = tmp_path / "system.xml"
    path.write_text(XML_EXPORT, encoding="utf-8")
    log = marslog.read_events(path)
    assert len(log) == 2 and log.damage == []
    ev = log[0]
    assert (ev.record_id, ev.event_id, ev.level) == (51234, 7034, 2)
    assert ev.provider == "Service Control Manager"
    assert ev.computer == "SRV-FS01.contoso.local"
    assert ev.timestamp == dt.datetime(2026, 3, 15, 21, 12, 3, 456789, tzinfo=UTC)
    assert ev.data == {"param1": "Microsoft Azure Recovery Services Agent", "param2": "1"}
    assert log[1].data == {"Data": ["first", "second"]}
    # UTF-16 exports (what Event Viewer writes) are detected by content too
    utf16 = XML_EXPORT.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    assert [e.to_dict() for e in marslog.read_events(utf16)] == [
        dict(e.to_dict(), file="<bytes>") for e in log
    ]
    assert [e.event_id for e in marslog.read_events(path, event_ids=[5])] == [5]


def test_damage_is_reported_and_reading_goes_on(system_events: list[dict[str, Any]]) -> None:
    data = bytearray(build_evtx(system_events))
    # flip a byte inside the first record's payload: the records checksum no longer matches
    data[4096 + 512 + 40] ^= 0xFF
    log = marslog.read_events(bytes(data))
    assert log.damage, "expected damage"
    kinds = {d.kind for d in log.damage}
    assert "records_checksum" in kinds
    d = next(d for d in log.damage if d.kind == "records_checksum")
    assert isinstance(d, marslog.Damage)
    assert d.advisory is True and d.chunk == 0 and d.offset == 4096 + 0x34
    assert d.file == "<bytes>" and "records checksum" in d.message and str(d) == d.message
    assert repr(d).startswith("Damage(kind='records_checksum'")
    assert len(log) >= 3


def test_broken_xml_is_damage() -> None:
    broken = XML_EXPORT.replace("<Level>4</Level>", "<Level>4</Lvl>")
    log = marslog.read_events(broken.encode())
    assert len(log) == 1
    assert [d.kind for d in log.damage] == ["bad_xml"]
    assert not log.damage[0].advisory


def test_not_an_event_log(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    with pytest.raises(marslog.UnsupportedFormatError) as info:
        marslog.read_events(path)
    assert (info.value.path, info.value.offset, info.value.line) == (str(path), 0, None)


def test_truncated_evtx_header_is_a_parse_error() -> None:
    with pytest.raises(marslog.ParseError) as info:
        marslog.read_events(b"ElfFile\x00" + b"\x00" * 20)
    assert info.value.offset == 0
    assert info.value.path == "<bytes>"
    assert "truncated" in str(info.value)


@pytest.mark.parametrize("items", [5, 31, 32, 33, 80])
def test_data_keeps_document_order_and_groups_repeats(items: int) -> None:
    """Short payloads (names grouped by a scan) and long ones (by a map) give the same
    shape: keys in first-seen order, a repeated name a list in document order, text
    JSON-escaped."""
    data = []
    for i in range(items):
        name = f"k{i % 7}" if i % 3 == 0 else f"name{i}"
        data.append((name, f'v{i} "quoted" \\ é\n'))
    evtx = build_evtx(
        [{"provider": "CloudBackup", "channel": "Application", "event_id": 11, "data": data}]
    )
    expected: dict[str, Any] = {}
    for name, value in data:
        if name not in expected:
            expected[name] = value
        elif isinstance(expected[name], list):
            expected[name].append(value)
        else:
            expected[name] = [expected[name], value]
    (event,) = marslog.read_events(evtx)
    assert event.data == expected
    assert list(event.data) == list(expected)
