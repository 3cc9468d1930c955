"""The example notebook runs headless (nbclient) against the bundled samples, and is
committed without outputs."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import SAMPLES, TESTDATA

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("matplotlib")
pytest.importorskip("ipykernel")

NOTEBOOK = TESTDATA.parent / "examples" / "notebooks" / "triage.ipynb"
KERNEL = "marslog-test"


def outputs(cell: Any, mime: str) -> str:
    return "".join(
        str(o.get("data", {}).get(mime, "")) + str(o.get("text", "") if mime == "text/plain" else "")
        for o in cell.outputs
    )


def test_committed_without_outputs() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source[:40]


def test_runs_headless(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A kernel spec for this interpreter (the venv's, where marslog is installed), in a
    # private Jupyter path: nothing installed for the user, works on a fresh machine.
    spec = tmp_path / "jupyter" / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "marslog tests",
                "language": "python",
            }
        )
    )
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")
    monkeypatch.setenv("MARSLOG_SAMPLES", str(SAMPLES))

    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        nb,
        kernel_name=KERNEL,
        timeout=120,
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    client.execute()

    code = [c for c in nb.cells if c.cell_type == "code"]
    report_cell = next(c for c in code if c.source.startswith("report = marslog.scan"))
    html = outputs(report_cell, "text/html")
    assert "19 findings in 14 documented errors" in html
    assert "agent-cannot-connect" in html and "Recommended actions" in html
    assert outputs(next(c for c in code if c.source == "report.errors"), "text/plain") == "[]"
    frame = outputs(next(c for c in code if c.source.startswith("df = report")), "text/plain")
    assert "passphrase-misconfigured" in frame and "2026-03-14 21:07:31.250000+00:00" in frame
    plot = next(c for c in code if "plt.subplots" in c.source)
    assert outputs(plot, "image/png"), "the plot cell shows a figure"
    assert "Causes possibles" in outputs(code[-2], "text/html")
    assert "SRV-FS01" in outputs(code[-1], "text/plain")
