"""Python-side benchmarks of marslog (not run by the test suite).

(a) reading: ``marslog.read_errlog(path).to_arrow()`` against
    ``pandas.read_csv(path, sep="\\t", header=None)``;
(b) triage: ``marslog.scan(path)`` against a plain Python loop,
    ``for line in f: rx.search(line)``, whose regex is built from the catalog's decimal ids
    in ``(ID: n)`` form plus a few documented texts; then with the same ids' hex aliases
    (``0x1FC07`` for 130055) too; then with every hex code of the catalog.

Each is timed as the median of 3 runs after one warm-up run (the file is in the page
cache), and printed as MB/s and as the ratio to the baseline. Reading is also timed
interleaved (``--rounds N``, default 9): pandas and marslog alternate call by call, each
result kept until the next call of the same kind replaces it (as in a notebook cell run
again), so that both see the same moments of a shared machine; the medians and the share
of rounds marslog wins are printed.

The input is a synthetic errlog from the benches crate; build it with::

    cargo build --release -p marslog-benches --bins
    target/release/gen-errlog 200 utf8 0.001 1 /tmp/x.errlog

then run::

    python py/bench/bench_python.py /tmp/x.errlog

(the file is generated when missing and ``gen-errlog`` is found in ``$CARGO_TARGET_DIR``
or ``target/``).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

import marslog

REPO = Path(__file__).resolve().parents[2]

#: Documented texts added to the baseline's regex (the CLI recognises many more).
TEXTS = [
    "SalLowDiskSpace",
    "Failed to set the encryption key for secure backups",
    r"\(407\) Proxy Authentication Required",
    "The encryption passphrase stored on this computer is not correctly configured",
]


def generate(path: Path, size_mb: int) -> None:
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    gen = target / "release" / "gen-errlog"
    if not gen.exists():
        sys.exit(
            f"{path} is missing and {gen} is not built: "
            "cargo build --release -p marslog-benches --bins"
        )
    subprocess.run([str(gen), str(size_mb), "utf8", "0.001", "1", str(path)], check=True)


def timed(work: Callable[[], Any], runs: int = 3) -> tuple[float, Any]:
    """Median wall time of `runs` runs after one warm-up; and the last result."""
    result = work()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def baseline_regex(forms: str = "decimal") -> re.Pattern[str]:
    """The loop's regex, `TEXTS` plus the catalog's ids in `forms`:

    * ``"decimal"``: each decimal id in its `(ID: n)` form (the specified baseline);
    * ``"ids"``: the same ids in both forms the catalog documents, `(ID: 130055)` and its
      hex alias `0x1FC07` (a word);
    * ``"codes"``: also every other hex code (HRESULTs), as written, so that the loop finds
      the lines marslog finds in the generated file (it has HRESULT lines).
    """
    codes = [code for entry in marslog.catalog() for code in entry.codes]
    ids = sorted({c for c in codes if c.isdigit() and len(c) >= 4}, key=int)
    hex_codes = sorted({c for c in codes if c.startswith("0x")})
    aliases = [c for c in hex_codes if str(int(c, 16)) in ids]
    alternatives = [r"\(ID: (?:" + "|".join(ids) + r")\)"] + TEXTS
    if forms == "ids":
        alternatives.append(r"\b(?:" + "|".join(aliases) + r")\b")
    elif forms == "codes":
        alternatives.append("|".join(re.escape(c) for c in hex_codes))
    return re.compile("|".join(alternatives))


def python_triage(path: Path, rx: re.Pattern[str]) -> list[tuple[int, str]]:
    hits = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            m = rx.search(line)
            if m:
                hits.append((n, m.group()))
    return hits


def interleaved(works: list[Callable[[], Any]], rounds: int) -> list[list[float]]:
    """Wall times of `works` called in turn for `rounds` rounds (after one warm-up each);
    each result is kept until the next call of the same work replaces it."""
    results: list[Any] = [work() for work in works]
    times: list[list[float]] = [[] for _ in works]
    for _ in range(rounds):
        for k, work in enumerate(works):
            t = time.perf_counter()
            results[k] = work()
            times[k].append(time.perf_counter() - t)
    return times


def row(name: str, seconds: float, mb: float, base: float | None) -> str:
    ratio = f"{base / seconds:6.1f}x" if base else "     - "
    return f"  {name:<52} {seconds * 1000:9.1f} ms {mb / seconds:9.1f} MB/s {ratio}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("file", nargs="?", default="/tmp/x.errlog", type=Path)
    ap.add_argument("--size-mb", type=int, default=200, help="size when generating the file")
    ap.add_argument("--rounds", type=int, default=9, help="interleaved reading rounds")
    args = ap.parse_args()
    path: Path = args.file
    if not path.exists():
        generate(path, args.size_mb)
    mb = path.stat().st_size / 1e6

    import pandas as pd  # type: ignore[import-untyped]
    import pyarrow as pa  # type: ignore[import-untyped]

    print(
        f"marslog {marslog.__version__}, Python {platform.python_version()}, "
        f"pandas {pd.__version__}, pyarrow {pa.__version__}, {os.cpu_count()} CPUs"
    )
    print(f"input: {path} ({mb:.1f} MB)\n")

    print("(a) read an errlog into Arrow / a DataFrame")
    t_pandas, df = timed(lambda: pd.read_csv(path, sep="\t", header=None))
    t_ours, table = timed(lambda: marslog.read_errlog(path, year=2026).to_arrow())
    t_ours_pd, _ = timed(lambda: marslog.read_errlog(path, year=2026).to_pandas())
    print(row('pandas.read_csv(sep="\\t", header=None)', t_pandas, mb, None))
    print(row("marslog.read_errlog(path).to_arrow()", t_ours, mb, t_pandas))
    print(row("marslog.read_errlog(path).to_pandas()", t_ours_pd, mb, t_pandas))
    print(f"  rows: pandas {len(df)} (continuation lines are rows), marslog {table.num_rows}")
    del df, table
    t_p, t_m = interleaved(
        [
            lambda: pd.read_csv(path, sep="\t", header=None),
            lambda: marslog.read_errlog(path, year=2026).to_arrow(),
        ],
        args.rounds,
    )
    wins = sum(m < p for p, m in zip(t_p, t_m))
    med_p, med_m = statistics.median(t_p), statistics.median(t_m)
    print(
        f"  interleaved, {args.rounds} rounds: pandas median {med_p * 1000:.1f} ms, "
        f"to_arrow median {med_m * 1000:.1f} ms ({med_p / med_m:.2f}x); "
        f"to_arrow faster in {wins} of {args.rounds} rounds\n"
    )

    print("(b) triage: documented errors in the same file")
    loops = {
        "decimal": "Python: for line in f: rx.search(line), `(ID: n)` ids",
        "ids": "Python, the same ids in both forms (hex aliases too)",
        "codes": "Python, also every other hex code of the catalog",
    }
    timed_loops = {}
    for forms, name in loops.items():
        rx = baseline_regex(forms)
        t_loop, hits = timed(lambda: python_triage(path, rx))
        timed_loops[forms] = (t_loop, len(hits), len(rx.pattern))
        print(row(name, t_loop, mb, None))
    t_scan, report = timed(lambda: marslog.scan(path, year=2026))
    c = marslog.Classifier()
    t_cscan, _ = timed(lambda: c.scan(path, year=2026))
    print(row("marslog.scan(path)", t_scan, mb, None))
    print(row("Classifier().scan(path) (compiled once)", t_cscan, mb, None))
    for forms, (t_loop, hits, chars) in timed_loops.items():
        print(
            f"  against the {forms!r} loop ({hits} lines, {chars}-character regex): "
            f"marslog.scan {t_loop / t_scan:.1f}x, Classifier().scan {t_loop / t_cscan:.1f}x"
        )
    print(f"  marslog: {len(report)} findings in {len(report.summary())} catalog entries")


if __name__ == "__main__":
    main()
