//! Python exceptions, and the one place where errors become them.
//!
//! ```text
//! Exception
//! └── MarslogError            .path .line .offset (None when unknown)
//!     ├── ParseError          a structure is truncated or invalid beyond use
//!     ├── UnsupportedFormatError   the input is not of the expected format at all
//!     └── CatalogError        a catalog file could not be loaded
//! OSError subclasses          FileNotFoundError, PermissionError, IsADirectoryError, …
//! ValueError                  an invalid argument
//! ```
//!
//! Inside the bindings every fallible step returns [`Error`]; it crosses into Python once,
//! through `From<Error> for PyErr`. A panic caught at the boundary (see [`crate::gil`])
//! becomes a `MarslogError` naming it as an internal error, never a `PanicException`.

use std::io;

use pyo3::create_exception;
use pyo3::exceptions::{
    PyException, PyFileNotFoundError, PyIsADirectoryError, PyOSError, PyPermissionError,
    PyValueError,
};
use pyo3::prelude::*;

use marslog::ErrorKind;

create_exception!(
    marslog,
    MarslogError,
    PyException,
    "Base class of marslog's errors; `.path`, `.line` and `.offset` say where (None when unknown)."
);
create_exception!(
    marslog,
    ParseError,
    MarslogError,
    "A structure of the input is truncated or invalid beyond use."
);
create_exception!(
    marslog,
    UnsupportedFormatError,
    MarslogError,
    "The input is not of the expected format (e.g. a binary file given to read_errlog)."
);
create_exception!(
    marslog,
    CatalogError,
    MarslogError,
    "A catalog file could not be loaded."
);

/// Why a call into the bindings failed, before it becomes a Python exception.
#[derive(Debug)]
pub enum Error {
    /// An error from the core library; `line` adds a line number the core error lacks.
    Core {
        /// The core error.
        error: marslog::Error,
        /// 1-based line, when the bindings know it.
        line: Option<u64>,
    },
    /// A panic caught at the boundary (a bug).
    Panic(String),
}

impl Error {
    /// A failure that should not happen (reported as an internal error, like a panic).
    pub fn internal(e: impl std::fmt::Display) -> Self {
        Error::Panic(e.to_string())
    }

    /// A core error with a line number.
    pub fn at_line(error: marslog::Error, line: Option<u64>) -> Self {
        Error::Core { error, line }
    }
}

impl From<marslog::Error> for Error {
    fn from(error: marslog::Error) -> Self {
        Error::Core { error, line: None }
    }
}

/// The errno Python expects for an I/O error kind without a raw OS code.
fn errno_of(kind: io::ErrorKind) -> i32 {
    match kind {
        io::ErrorKind::NotFound => 2,
        io::ErrorKind::PermissionDenied => 13,
        io::ErrorKind::IsADirectory => 21,
        _ => 5,
    }
}

/// Rust's "No such file or directory (os error 2)" without the suffix.
fn strerror(e: &io::Error) -> String {
    without_os_error(&e.to_string()).to_owned()
}

/// A message without Rust's trailing " (os error N)".
pub fn without_os_error(s: &str) -> &str {
    match s.rfind(" (os error ") {
        Some(i) if s.ends_with(')') => &s[..i],
        _ => s,
    }
}

fn io_error(source: &io::Error, path: Option<String>) -> PyErr {
    let errno = source
        .raw_os_error()
        .unwrap_or_else(|| errno_of(source.kind()));
    let args = (errno, strerror(source), path);
    match source.kind() {
        io::ErrorKind::NotFound => PyFileNotFoundError::new_err(args),
        io::ErrorKind::PermissionDenied => PyPermissionError::new_err(args),
        io::ErrorKind::IsADirectory => PyIsADirectoryError::new_err(args),
        _ => PyOSError::new_err(args),
    }
}

/// Set `.path`, `.line`, `.offset` on a freshly made marslog exception.
fn with_location(
    err: PyErr,
    path: Option<String>,
    line: Option<u64>,
    offset: Option<u64>,
) -> PyErr {
    Python::attach(|py| {
        let value = err.value(py);
        // Setting attributes on a new exception instance cannot fail short of memory
        // exhaustion; if it does, the exception is still raised without them.
        let _ = value.setattr("path", path);
        let _ = value.setattr("line", line);
        let _ = value.setattr("offset", offset);
    });
    err
}

impl From<Error> for PyErr {
    fn from(e: Error) -> PyErr {
        let (error, line) = match e {
            Error::Panic(msg) => {
                return MarslogError::new_err(format!(
                    "internal error (a bug in marslog, please report it): {msg}"
                ))
            }
            Error::Core { error, line } => (error, line),
        };
        let path = error.path().map(|p| p.display().to_string());
        let line = line.or(error.line().map(|l| l as u64));
        let offset = error.offset();
        let message = error.to_string();
        let err = match error.kind() {
            ErrorKind::Io { source } => return io_error(source, path),
            ErrorKind::InvalidArgument { .. } => return PyValueError::new_err(message),
            ErrorKind::NotFormat { .. } => UnsupportedFormatError::new_err(message),
            ErrorKind::Truncated { .. } | ErrorKind::Malformed { .. } => {
                ParseError::new_err(message)
            }
            ErrorKind::Catalog { .. } => CatalogError::new_err(message),
            _ => MarslogError::new_err(message),
        };
        with_location(err, path, line, offset)
    }
}

/// Register the exception types on the module, with class-level `None` defaults for the
/// location attributes (so exceptions raised from Python code have them too).
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    let base = py.get_type::<MarslogError>();
    for attr in ["path", "line", "offset"] {
        base.setattr(attr, py.None())?;
    }
    m.add("MarslogError", base)?;
    m.add("ParseError", py.get_type::<ParseError>())?;
    m.add(
        "UnsupportedFormatError",
        py.get_type::<UnsupportedFormatError>(),
    )?;
    m.add("CatalogError", py.get_type::<CatalogError>())?;
    Ok(())
}
