//! Hidden helpers for the Python tests (`marslog._native._build_evtx`): not public API.

use chrono::{DateTime, Utc};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyList};

use marslog::evtx::builder::{DataValue, EventSpec, EvtxBuilder};

fn data_value(v: &Bound<'_, PyAny>) -> PyResult<DataValue> {
    if v.is_none() {
        return Ok(DataValue::Null);
    }
    if v.is_instance_of::<PyBool>() {
        return Ok(DataValue::Bool(v.extract()?));
    }
    if let Ok(x) = v.extract::<u32>() {
        return Ok(DataValue::U32(x));
    }
    if let Ok(x) = v.extract::<i64>() {
        return Ok(DataValue::I64(x));
    }
    if let Ok(x) = v.extract::<u64>() {
        return Ok(DataValue::U64(x));
    }
    if let Ok(s) = v.extract::<String>() {
        return Ok(DataValue::Str(s));
    }
    if let Ok(b) = v.cast::<PyBytes>() {
        return Ok(DataValue::Binary(b.as_bytes().to_vec()));
    }
    if v.is_instance_of::<PyList>() {
        return Ok(DataValue::StrArray(v.extract()?));
    }
    Err(PyTypeError::new_err("unsupported data value"))
}

/// Build `.evtx` bytes from dicts with keys `provider`, `channel`, `event_id`, and
/// optionally `level`, `computer`, `time` (aware datetime) and `data` (list of
/// `(name, value)`; value `str`, `int`, `bool`, `bytes`, `None` or `list[str]`).
#[pyfunction]
#[pyo3(signature = (events))]
pub fn _build_evtx<'py>(
    py: Python<'py>,
    events: Vec<Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyBytes>> {
    let mut b = EvtxBuilder::new();
    for e in &events {
        let get = |k: &str| e.get_item(k);
        let req =
            |k: &str| get(k)?.ok_or_else(|| PyTypeError::new_err(format!("event needs key {k:?}")));
        let provider: String = req("provider")?.extract()?;
        let channel: String = req("channel")?.extract()?;
        let mut spec = EventSpec::new(&provider, &channel, req("event_id")?.extract()?);
        if let Some(level) = get("level")? {
            spec = spec.level(level.extract()?);
        }
        if let Some(computer) = get("computer")? {
            spec = spec.computer(&computer.extract::<String>()?);
        }
        if let Some(time) = get("time")? {
            spec = spec.time(time.extract::<DateTime<Utc>>()?);
        }
        if let Some(data) = get("data")? {
            for item in data.try_iter()? {
                let (name, value): (String, Bound<'py, PyAny>) = item?.extract()?;
                spec = spec.data(&name, data_value(&value)?);
            }
        }
        b.push(spec);
    }
    Ok(PyBytes::new(py, &b.build()))
}

/// Panic inside the detached section, to test that the boundary turns it into a
/// `MarslogError` (never a `PanicException`).
#[pyfunction]
#[pyo3(signature = (message))]
pub fn _panic_detached(py: Python<'_>, message: String) -> PyResult<()> {
    crate::gil::detach(py, move || -> Result<(), crate::errors::Error> {
        panic!("{message}")
    })
}
