"""The docstrings' examples run (from the repository root, where testdata/ is), and the
signatures show their keyword defaults."""

from __future__ import annotations

import doctest
import inspect
from pathlib import Path
from typing import Any

import pytest

import marslog
from conftest import TESTDATA

DOCUMENTED: list[Any] = [
    marslog,
    marslog.read_errlog,
    marslog.read_events,
    marslog.ErrlogLog,
    marslog.EventLog,
    marslog.Record,
    marslog.Event,
    marslog.scan,
    marslog.explain,
    marslog.catalog,
    marslog.Classifier,
    marslog.Report,
    marslog.Finding,
    marslog.Summary,
    marslog.ScanError,
    marslog.CatalogEntry,
    marslog.DocSource,
    marslog.Match,
]


@pytest.mark.parametrize("obj", DOCUMENTED, ids=lambda o: getattr(o, "__name__", str(o)))
def test_docstring_examples(obj: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(TESTDATA.parent)
    assert obj.__doc__ and ">>>" in obj.__doc__
    finder = doctest.DocTestFinder(recurse=False)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in finder.find(obj, getattr(obj, "__name__", "marslog"), globs={"marslog": marslog}):
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.attempted > 0 and result.failed == 0


def test_signatures() -> None:
    assert str(inspect.signature(marslog.read_errlog)) == "(source, *, year=None, tolerant=False, threads=None)"
    assert str(inspect.signature(marslog.read_events)) == (
        "(source, *, event_ids=None, providers=None)"
    )
    assert str(inspect.signature(marslog.scan)) == (
        "(paths, *, catalog=None, lang='en', year=None, tolerant=False)"
    )
    assert str(inspect.signature(marslog.explain)) == "(code, lang='en', *, catalog=None)"
    assert str(inspect.signature(marslog.catalog)) == "(lang='en', *, catalog=None)"
    assert str(inspect.signature(marslog.Classifier)) == "(catalog=None)"
    assert str(inspect.signature(marslog.Classifier.scan)) == (
        "(self, /, paths, *, lang='en', year=None, tolerant=False)"
    )


def test_public_names() -> None:
    assert marslog.__version__ == "0.1.0"
    assert sorted(marslog.__all__) == sorted(
        n for n in dir(marslog) if not n.startswith("_") and n not in {"marslog"}
    )
    for name in marslog.__all__:
        obj = getattr(marslog, name)
        assert obj.__doc__, name
        if isinstance(obj, type) and not issubclass(obj, BaseException):
            assert obj.__module__ == "marslog._native", name
    assert Path(marslog.__file__).with_name("py.typed").exists()
