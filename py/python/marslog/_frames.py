"""Conversions to pyarrow, pandas and polars, with lazy imports.

The logs' ``to_arrow()``, ``to_pandas()`` and ``to_polars()`` methods call these. None of
the three libraries is a dependency of marslog: each is imported on first use, and a
missing one raises an ``ImportError`` that says what to install. The columns cross from
Rust through the Arrow PyCapsule interface (``__arrow_c_stream__``), never as Python
objects per record.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


def _require(module: str, feature: str, extra: str) -> ModuleType:
    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise ImportError(
            f"marslog: {feature} needs the {module!r} package, which is not installed: "
            f"pip install {module}  (or: pip install 'marslog[{extra}]')"
        ) from e


def to_arrow(log: Any) -> Any:
    """The log's columns as a ``pyarrow.Table``."""
    pa = _require("pyarrow", "to_arrow()", "arrow")
    return pa.table(log)


def to_pandas(log: Any) -> Any:
    """The log's columns as a ``pandas.DataFrame`` (through pyarrow)."""
    _require("pandas", "to_pandas()", "pandas")
    _require("pyarrow", "to_pandas()", "pandas")
    return to_arrow(log).to_pandas()


def to_polars(log: Any) -> Any:
    """The log's columns as a ``polars.DataFrame`` (polars' own Arrow import)."""
    pl = _require("polars", "to_polars()", "polars")
    return pl.DataFrame(log)
