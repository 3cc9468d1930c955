"""The GIL is released while reading and scanning: two threads read two large files in
parallel, and other threads run meanwhile."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable

import pytest

import marslog

LINE = (
    "1A2C\t0F3C\t03/14\t08:{m:02d}:{s:02d}.{ms:03d}\t71\tbackupasync.cpp({n})\t"
    "[0000000002B4C1F0]\t6F1C2D3E-4A5B-4C6D-8E9F-0A1B2C3D4E5F\tWARNING\t"
    "Failed: Hr: = [0x80780054] Offline Backup Progress: Failed, item {n}\r\n"
)
TARGET_BYTES = 50 << 20


def make_errlog(path: Path) -> int:
    """A ~50 MB UTF-16LE errlog (as the agent writes them); returns its record count."""
    block = "".join(
        LINE.format(m=(i // 60000) % 60, s=(i // 1000) % 60, ms=i % 1000, n=i) for i in range(2000)
    ).encode("utf-16-le")
    repeats = max(1, TARGET_BYTES // len(block))
    with open(path, "wb") as f:
        f.write(b"\xff\xfe")
        for _ in range(repeats):
            f.write(block)
    return 2000 * repeats


def make_scan_errlog(path: Path) -> int:
    """A ~50 MB UTF-16LE errlog with one documented error every 1000 records (the triage
    case: mostly clean lines); returns the number of findings."""
    block = "".join(
        LINE.format(m=(i // 60000) % 60, s=(i // 1000) % 60, ms=i % 1000, n=i).replace(
            "Failed: Hr: = [0x80780054] Offline ", "(ID: 34513) " if i % 1000 == 0 else ""
        )
        for i in range(2000)
    ).encode("utf-16-le")
    repeats = max(1, TARGET_BYTES // len(block))
    with open(path, "wb") as f:
        f.write(b"\xff\xfe")
        for _ in range(repeats):
            f.write(block)
    return 2 * repeats


def read(path: Path) -> int:
    # one thread per read: the test is about the GIL, not about a read's own threads
    return len(marslog.read_errlog(path, year=2026, threads=1))


def scan(path: Path) -> int:
    return len(marslog.scan(path, year=2026))


WORKS = pytest.mark.parametrize(
    ("make", "work"), [(make_errlog, read), (make_scan_errlog, scan)], ids=["read", "scan"]
)


def speedup(work: Callable[[Path], object], a: Path, b: Path) -> float:
    """Sequential over parallel wall time of `work(a)` and `work(b)` (best of two each)."""

    def sequential() -> float:
        t = time.perf_counter()
        work(a)
        work(b)
        return time.perf_counter() - t

    def parallel() -> float:
        threads = [threading.Thread(target=work, args=(p,)) for p in (a, b)]
        t = time.perf_counter()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        return time.perf_counter() - t

    return min(sequential(), sequential()) / min(parallel(), parallel())


def sha256(path: Path) -> object:
    """The control: hashlib releases the GIL on large inputs."""
    return hashlib.sha256(path.read_bytes()).digest()


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs two cores")
def test_two_threads_read_in_parallel(tmp_path: Path) -> None:
    a, b = tmp_path / "a.errlog", tmp_path / "b.errlog"
    n = make_errlog(a)
    b.write_bytes(a.read_bytes())
    assert read(a) == n  # warm the page cache and the code

    # The machine is shared: other sessions' builds can take the second core, and the
    # scheduler (autogroup) then gives this process one core's worth whatever its thread
    # count. Retry; when the machine is busy (load above the core count, or even the
    # GIL-free control never ran in parallel) there is nothing to measure, and
    # test_reads_overlap below still proves the GIL is released.
    attempts = []
    for _ in range(5):
        ours = speedup(read, a, b)
        if ours > 1 / 0.85:
            return
        control = speedup(sha256, a, b)
        attempts.append((round(ours, 2), round(control, 2), round(os.getloadavg()[0], 1)))
    busy = max(c for _, c, _ in attempts) < 1.4 or min(l for _, _, l in attempts) > (
        os.cpu_count() or 1
    ) + 0.5
    detail = f"(speed-up ours, speed-up of the control, load average): {attempts}"
    if busy:
        pytest.skip(f"machine too busy to measure parallelism {detail}")
    pytest.fail(f"no parallel speed-up {detail}")


@WORKS
def test_reads_overlap(
    tmp_path: Path, make: Callable[[Path], int], work: Callable[[Path], int]
) -> None:
    """Deterministic: were the GIL held during a read, the other thread could not even
    start its call until the first returned, and the two intervals would not overlap."""
    a = tmp_path / "a.errlog"
    n = make(a)
    assert work(a) == n  # and the page cache is warm
    barrier = threading.Barrier(2)
    spans: list[tuple[float, float]] = []

    def timed() -> None:
        barrier.wait()
        t0 = time.perf_counter()
        work(a)
        spans.append((t0, time.perf_counter()))

    threads = [threading.Thread(target=timed) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    (s1, e1), (s2, e2) = spans
    overlap = min(e1, e2) - max(s1, s2)
    assert overlap > 0.5 * min(e1 - s1, e2 - s2), spans


@WORKS
def test_other_threads_run_while_reading(
    tmp_path: Path, make: Callable[[Path], int], work: Callable[[Path], int]
) -> None:
    path = tmp_path / "a.errlog"
    make(path)
    ticks = 0
    stop = threading.Event()

    def spin() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            time.sleep(0.001)

    th = threading.Thread(target=spin)
    th.start()
    try:
        time.sleep(0.01)
        before = ticks
        work(path)
        during = ticks - before
    finally:
        stop.set()
        th.join()
    assert during > 5, "the spinning thread did not run while the file was read"


def test_threads_bounds_the_segments_of_a_read(tmp_path: Path) -> None:
    """`threads=k` with a larger pool reads in at most k segments, so at most k threads
    work at once; with the whole pool, more segments than threads (each segment ends a
    batch, which makes the count visible). Run in a child process with an 8-thread pool."""
    path = tmp_path / "big.errlog"
    block = "".join(
        LINE.format(m=0, s=(i // 1000) % 60, ms=i % 1000, n=i) for i in range(1000)
    ).encode()
    path.write_bytes(block * 60)  # ~12 MB, 60,000 records: one batch each segment
    code = (
        "import sys, marslog\n"
        "t = marslog.read_errlog(sys.argv[1], year=2026, threads=int(sys.argv[2])).to_arrow()\n"
        "print(t.num_rows, t.column('line').num_chunks)\n"
    )
    env = {**os.environ, "RAYON_NUM_THREADS": "8"}
    chunks = {}
    for threads in (2, 8):
        out = subprocess.run(
            [sys.executable, "-c", code, str(path), str(threads)],
            env=env, capture_output=True, text=True, check=True,
        ).stdout.split()
        assert int(out[0]) == 60_000
        chunks[threads] = int(out[1])
    assert chunks[2] <= 2
    assert chunks[8] > 8
