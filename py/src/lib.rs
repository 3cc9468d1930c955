//! The `marslog._native` Python extension module.
//!
//! Layout (one concern per file; this file only wires them together):
//!
//! * [`api`] — the module's functions (`read_errlog`, `read_events`, `scan`, `explain`,
//!   `catalog`).
//! * [`errlog`], [`events`] — reading into Arrow columns, and the `ErrlogLog` and
//!   `EventLog` classes.
//! * [`classify`] — the `Classifier`, `Match`, `CatalogEntry` and `DocSource` classes.
//! * [`scan`] — the triage scan over files and folders (parallel, detached).
//! * [`report`] — `Report`, `Finding`, `Summary`, `ScanError` and the findings' columns.
//! * [`records`] — the frozen row classes (`Record`, `Unparsed`, `Stats`, `Event`,
//!   `Damage`).
//! * [`arrow`] — batches, and the `__arrow_c_stream__` export; [`dict`] — the
//!   dictionary-encoded text columns.
//! * [`convert`] — input sources, JSON → Python.
//! * [`gil`] — the one helper that releases the GIL and catches panics.
//! * [`errors`] — the exception hierarchy and the one error mapping.
//! * [`testing`] — hidden helpers for the Python tests.
//!
//! The pure-Python package `marslog` (`py/python/marslog`) re-exports these names and adds
//! the lazy pandas/polars conversions (`marslog._frames`) and the Jupyter HTML
//! (`marslog._html`).
//!
//! Doc comments on `#[pyclass]`es, `#[pymethods]` and `#[pyfunction]`s are the Python
//! docstrings: they hold `>>>` examples, whose `x[0]` rustdoc would read as intra-doc links,
//! whose XML as HTML, and whose URLs (strings in Python) as bare links.
#![allow(
    rustdoc::broken_intra_doc_links,
    rustdoc::invalid_html_tags,
    rustdoc::bare_urls
)]

pub mod api;
pub mod arrow;
pub mod classify;
pub mod convert;
pub mod dict;
pub mod errlog;
pub mod errors;
pub mod events;
pub mod gil;
pub mod records;
pub mod report;
pub mod scan;
pub mod testing;

/// Native part of the `marslog` package; import `marslog` instead.
#[pyo3::pymodule]
mod _native {
    use pyo3::prelude::*;

    #[pymodule_export]
    use crate::api::{catalog, explain, read_errlog, read_events, scan};
    #[pymodule_export]
    use crate::classify::{PyCatalogEntry, PyClassifier, PyDocSource, PyMatch};
    #[pymodule_export]
    use crate::errlog::{PyErrlogLog, RecordIter};
    #[pymodule_export]
    use crate::events::{EventIter, PyEventLog};
    #[pymodule_export]
    use crate::records::{PyDamage, PyEvent, PyRecord, PyStats, PyUnparsed};
    #[pymodule_export]
    use crate::report::{FindingIter, PyFinding, PyReport, PyScanError, PySummary};
    #[pymodule_export]
    use crate::testing::{_build_evtx, _panic_detached};

    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        crate::errors::register(m)?;
        m.add("__version__", env!("CARGO_PKG_VERSION"))?;
        Ok(())
    }
}
