"""Fixtures shared by the tests: the repository's testdata and built event logs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

import marslog
from marslog import _native

TESTDATA = Path(__file__).resolve().parents[2] / "testdata"
ERRLOG = TESTDATA / "errlog"
SAMPLES = TESTDATA / "samples"

UTC = dt.timezone.utc


def build_evtx(events: list[dict[str, Any]]) -> bytes:
    """`.evtx` bytes written by the core's builder (a hidden test helper)."""
    return _native._build_evtx(events)


@pytest.fixture
def errlog_dir() -> Path:
    return ERRLOG


@pytest.fixture
def system_events() -> list[dict[str, Any]]:
    """Four events as a MARS server's System log might hold them."""
    t0 = dt.datetime(2026, 3, 14, 21, 0, 0, 123456, tzinfo=UTC)
    return [
        {
            "provider": "Service Control Manager",
            "channel": "System",
            "event_id": 7036,
            "level": 4,
            "computer": "SRV-FS01",
            "time": t0,
            "data": [("param1", "Microsoft Azure Recovery Services Agent"), ("param2", "running")],
        },
        {
            "provider": "Service Control Manager",
            "channel": "System",
            "event_id": 7031,
            "level": 2,
            "computer": "SRV-FS01",
            "time": t0 + dt.timedelta(minutes=5),
            "data": [
                ("param1", "Microsoft Azure Recovery Services Agent"),
                ("param2", 1),
                ("param3", 60000),
                ("Data", "a"),
                ("Data", "b"),
            ],
        },
        {
            "provider": "CloudBackup",
            "channel": "CloudBackup",
            "event_id": 11,
            "level": 2,
            "computer": "SRV-FS01",
            "time": t0 + dt.timedelta(minutes=6),
            "data": [("JobId", "42"), ("Success", False), ("Size", 2**40), ("Empty", None)],
        },
        {
            "provider": "Microsoft-Windows-Kernel-General",
            "channel": "System",
            "event_id": 1,
            "computer": "SRV-FS01",
            "time": t0 + dt.timedelta(hours=1),
        },
    ]


__all__ = ["ERRLOG", "SAMPLES", "TESTDATA", "UTC", "build_evtx", "marslog"]
