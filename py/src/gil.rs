//! The one way the bindings leave Python to do work (polars' `enter_polars` idea).
//!
//! A `#[pyfunction]` first extracts its arguments into owned Rust values while attached
//! (paths, bytes, option structs; see [`crate::convert`]), then calls [`detach`] with a
//! closure that does all reading and parsing. Inside, the interpreter is released so other
//! Python threads run meanwhile; the closure is `Send`, so no Python reference can leak
//! into it. A panic is caught here and becomes a `MarslogError`, never a
//! `PanicException`. The error is converted to a Python exception once, on the way out.

use std::panic::{catch_unwind, AssertUnwindSafe};

use pyo3::prelude::*;

use crate::errors::Error;

/// Run `work` with the interpreter released; convert its error or panic once.
pub fn detach<T, F>(py: Python<'_>, work: F) -> PyResult<T>
where
    F: FnOnce() -> Result<T, Error> + Send,
    T: Send,
{
    py.detach(|| catch_panic(work)).map_err(PyErr::from)
}

/// Run `work`, turning a panic into [`Error::Panic`] (for work that must go on after one
/// item fails, e.g. one file of a scan).
pub fn catch_panic<T>(work: impl FnOnce() -> Result<T, Error>) -> Result<T, Error> {
    catch_unwind(AssertUnwindSafe(work)).unwrap_or_else(|p| Err(panic_error(p)))
}

fn panic_error(payload: Box<dyn std::any::Any + Send>) -> Error {
    let msg = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".to_owned());
    Error::Panic(msg)
}
