//! The crate's one error type.
//!
//! [`Error`] is a boxed [`ErrorKind`] so that `Result<T>` stays one pointer wide on the
//! happy path. Every variant that comes from input carries *where*: the file (when known)
//! and a byte offset, and where it makes sense a line number. Display messages are
//! lower-case and start with the location, e.g.
//! `CBEngineCurr.errlog: byte 4096: not an errlog: no record header found`.
//!
//! Parsers never fail on a single bad line or record: those become `Unparsed` entries or
//! damage reports. An `Error` means a whole input could not be used (missing, unreadable,
//! not of the expected format) or a structure the caller asked for is broken beyond use.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// Result alias used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Which input format an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// A CBEngine / DPM errlog text file.
    Errlog,
    /// A native Windows `.evtx` event log.
    Evtx,
    /// An XML export of Windows events.
    EventXml,
    /// A catalog (TOML) file.
    Catalog,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Errlog => "errlog",
            Format::Evtx => "evtx",
            Format::EventXml => "event xml",
            Format::Catalog => "catalog",
        })
    }
}

/// The error type of this crate: a boxed [`ErrorKind`] plus the path it concerns.
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    path: Option<PathBuf>,
    kind: ErrorKind,
}

/// What went wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Reading the input failed (missing file, permission denied, a directory given as a file…).
    #[error("{source}")]
    Io {
        /// The underlying I/O error.
        #[source]
        source: io::Error,
    },
    /// The input is not of the expected format at all (for example a binary file given
    /// to the errlog reader).
    #[error("byte {offset}: not {format}: {reason}")]
    NotFormat {
        /// The format that was expected.
        format: Format,
        /// Byte offset where the decision was made (often 0).
        offset: u64,
        /// Why the input was rejected.
        reason: &'static str,
    },
    /// A structure is shorter than its header says.
    #[error("byte {offset}: truncated {format} {what}: need {need} bytes, have {have}")]
    Truncated {
        /// The format being read.
        format: Format,
        /// What was being read (e.g. "file header").
        what: &'static str,
        /// Byte offset of the structure.
        offset: u64,
        /// Bytes needed.
        need: u64,
        /// Bytes available.
        have: u64,
    },
    /// A structure is present but invalid.
    #[error("byte {offset}: invalid {format} {what}")]
    Malformed {
        /// The format being read.
        format: Format,
        /// What is invalid (e.g. "chunk magic").
        what: &'static str,
        /// Byte offset of the invalid structure.
        offset: u64,
    },
    /// A catalog file could not be loaded.
    #[error("line {line}: {field}: {message}")]
    Catalog {
        /// 1-based line in the catalog file (0 when unknown).
        line: usize,
        /// The field (dotted path) at fault, or `"-"`.
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// An option or argument given by the caller is invalid.
    #[error("invalid {what}: {value}")]
    InvalidArgument {
        /// The option.
        what: &'static str,
        /// The offending value.
        value: String,
    },
}

impl Error {
    /// Build an error from its kind.
    pub fn new(kind: ErrorKind) -> Self {
        Error {
            inner: Box::new(Inner { path: None, kind }),
        }
    }

    /// Attach the path of the input this error is about (kept if already set).
    #[must_use]
    pub fn with_path(mut self, path: impl AsRef<Path>) -> Self {
        if self.inner.path.is_none() {
            self.inner.path = Some(path.as_ref().to_path_buf());
        }
        self
    }

    /// The input's path, when known.
    pub fn path(&self) -> Option<&Path> {
        self.inner.path.as_deref()
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.inner.kind
    }

    /// Byte offset in the input, when the error has one.
    pub fn offset(&self) -> Option<u64> {
        match self.inner.kind {
            ErrorKind::NotFormat { offset, .. }
            | ErrorKind::Truncated { offset, .. }
            | ErrorKind::Malformed { offset, .. } => Some(offset),
            _ => None,
        }
    }

    /// 1-based line, when the error has one.
    pub fn line(&self) -> Option<usize> {
        match self.inner.kind {
            ErrorKind::Catalog { line, .. } if line > 0 => Some(line),
            _ => None,
        }
    }

    /// The I/O error kind, for errors that come from the file system.
    pub fn io_kind(&self) -> Option<io::ErrorKind> {
        match &self.inner.kind {
            ErrorKind::Io { source } => Some(source.kind()),
            _ => None,
        }
    }

    pub(crate) fn io(source: io::Error) -> Self {
        Error::new(ErrorKind::Io { source })
    }

    pub(crate) fn not_format(format: Format, offset: u64, reason: &'static str) -> Self {
        Error::new(ErrorKind::NotFormat {
            format,
            offset,
            reason,
        })
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(p) = &self.inner.path {
            write!(f, "{}: ", p.display())?;
        }
        fmt::Display::fmt(&self.inner.kind, f)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("path", &self.inner.path)
            .field("kind", &self.inner.kind)
            .finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&self.inner.kind)
    }
}

impl From<ErrorKind> for Error {
    fn from(kind: ErrorKind) -> Self {
        Error::new(kind)
    }
}

impl From<io::Error> for Error {
    fn from(source: io::Error) -> Self {
        Error::io(source)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_path_and_offset() {
        let e = Error::not_format(Format::Errlog, 12, "no record header found")
            .with_path("logs/CBEngineCurr.errlog");
        assert_eq!(
            e.to_string(),
            "logs/CBEngineCurr.errlog: byte 12: not errlog: no record header found"
        );
        assert_eq!(e.offset(), Some(12));
        assert_eq!(e.path(), Some(Path::new("logs/CBEngineCurr.errlog")));
    }

    #[test]
    fn first_path_wins() {
        let e = Error::io(io::Error::from(io::ErrorKind::NotFound))
            .with_path("a")
            .with_path("b");
        assert_eq!(e.path(), Some(Path::new("a")));
        assert_eq!(e.io_kind(), Some(io::ErrorKind::NotFound));
    }
}
