//! Python values in and out: input sources, JSON text to Python objects, and the call
//! into the pure-Python conversions (`marslog._frames`).
//!
//! [`Source::extract`] runs while attached and turns whatever the caller passed into an
//! owned value that can cross into the detached section: a path (opened there, so the
//! file is memory-mapped without the GIL) or the bytes themselves (a `bytes`-like object,
//! or what a binary file object's `read()` returned).

use std::path::PathBuf;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyString};

use marslog::Input;

/// The `file` name given to inputs passed as bytes.
pub const BYTES_NAME: &str = "<bytes>";

/// An input to read: a path, or bytes already in memory with a display name.
#[derive(Debug)]
pub enum Source {
    /// A file system path (`str` or `os.PathLike`).
    Path(PathBuf),
    /// `bytes`, `bytearray`, `memoryview`, or the content of a binary file object.
    Bytes {
        /// The content.
        data: Vec<u8>,
        /// `<bytes>`, or the file object's `name` when it is a string.
        name: String,
    },
}

impl Source {
    /// Accept `str`, `os.PathLike`, `bytes`/`bytearray`/`memoryview`, or an object with a
    /// `read()` method returning bytes.
    pub fn extract(obj: &Bound<'_, PyAny>) -> PyResult<Source> {
        if let Ok(b) = obj.cast::<PyBytes>() {
            return Ok(Source::bytes(b.as_bytes().to_vec(), BYTES_NAME));
        }
        if let Ok(b) = obj.cast::<PyByteArray>() {
            return Ok(Source::bytes(b.to_vec(), BYTES_NAME));
        }
        if obj.is_instance_of::<PyString>() || obj.hasattr("__fspath__")? {
            return Ok(Source::Path(obj.extract::<PathBuf>()?));
        }
        let py = obj.py();
        let memoryview = py.import("builtins")?.getattr("memoryview")?;
        if obj.is_instance(&memoryview)? {
            let data = obj.call_method0("tobytes")?;
            return Ok(Source::bytes(
                data.cast::<PyBytes>()?.as_bytes().to_vec(),
                BYTES_NAME,
            ));
        }
        if obj.hasattr("read")? {
            let data = obj.call_method0("read")?;
            let Ok(bytes) = data.cast::<PyBytes>() else {
                return Err(PyTypeError::new_err(format!(
                    "the file object's read() returned {}, not bytes: open the file in binary mode ('rb')",
                    data.get_type().name()?
                )));
            };
            let name = obj
                .getattr("name")
                .ok()
                .and_then(|n| n.extract::<String>().ok())
                .unwrap_or_else(|| "<stream>".to_owned());
            return Ok(Source::bytes(bytes.as_bytes().to_vec(), &name));
        }
        Err(PyTypeError::new_err(format!(
            "expected a path (str or os.PathLike), bytes, or a binary file object, not {}",
            obj.get_type().name()?
        )))
    }

    fn bytes(data: Vec<u8>, name: &str) -> Source {
        Source::Bytes {
            data,
            name: name.to_owned(),
        }
    }

    /// Open the input (memory-mapped for paths). Call this detached.
    pub fn open(self) -> marslog::Result<Input> {
        match self {
            Source::Path(p) => Input::open(p),
            Source::Bytes { data, name } => Ok(Input::from_bytes(data, name)),
        }
    }
}

/// One value, or any iterable of values (a `str` is one value, not its characters);
/// `extract` converts each.
pub fn one_or_many<T>(
    obj: &Bound<'_, PyAny>,
    extract: impl Fn(&Bound<'_, PyAny>) -> PyResult<T>,
) -> PyResult<Vec<T>> {
    if obj.is_instance_of::<PyString>() {
        return Ok(vec![extract(obj)?]);
    }
    if let Ok(one) = extract(obj) {
        return Ok(vec![one]);
    }
    obj.try_iter()?.map(|item| extract(&item?)).collect()
}

/// The display form of an input's path, as the CLI writes it in its `file` key.
pub fn display_name(input: &Input) -> String {
    input.path().display().to_string()
}

/// Parse JSON text with Python's `json.loads` (keeps key order, unlike serde_json's map).
pub fn json_loads<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    py.import("json")?.call_method1("loads", (text,))
}

/// Call `marslog._frames.<name>(obj)`: the lazy imports and their messages live in Python.
pub fn frames<'py>(obj: &Bound<'py, PyAny>, name: &str) -> PyResult<Bound<'py, PyAny>> {
    helper(obj, "marslog._frames", name)
}

/// Call the pure-Python helper `<module>.<name>(obj)` (conversions, HTML rendering).
pub fn helper<'py>(
    obj: &Bound<'py, PyAny>,
    module: &str,
    name: &str,
) -> PyResult<Bound<'py, PyAny>> {
    obj.py().import(module)?.call_method1(name, (obj,))
}
