//! Opening inputs: memory-mapped or read files, and what is known about them.
//!
//! The parsers never do I/O; this module turns a path into bytes plus metadata (the
//! modification time is the reference for errlog years).

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::error::{Error, Result};

enum Data {
    Mapped(memmap2::Mmap),
    Owned(Vec<u8>),
}

/// The bytes of one input file, mapped or read, with its path and modification time.
pub struct Input {
    data: Data,
    path: PathBuf,
    modified: Option<DateTime<Utc>>,
}

impl std::fmt::Debug for Input {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Input")
            .field("path", &self.path)
            .field("len", &self.bytes().len())
            .field("modified", &self.modified)
            .finish()
    }
}

impl Input {
    /// Open `path`: regular files are memory-mapped, other readable files (pipes, devices)
    /// are read. A directory, a missing or an unreadable file is an error naming the path.
    pub fn open(path: impl AsRef<Path>) -> Result<Input> {
        let path = path.as_ref();
        let wrap = |e: std::io::Error| Error::from(e).with_path(path);
        let file = File::open(path).map_err(wrap)?;
        let meta = file.metadata().map_err(wrap)?;
        if meta.is_dir() {
            return Err(wrap(std::io::Error::new(
                std::io::ErrorKind::IsADirectory,
                "is a directory, not a log file",
            )));
        }
        let modified = meta.modified().ok().map(DateTime::<Utc>::from);
        let data = if meta.is_file() && meta.len() > 0 {
            // SAFETY: the map is read-only and private to us. If another process truncates
            // the file while we read it, accessing the lost pages raises SIGBUS; this is the
            // same trade-off ripgrep makes for speed. Use `Input::read` to avoid it.
            #[allow(unsafe_code)]
            let map = unsafe { memmap2::Mmap::map(&file) }.map_err(wrap)?;
            Data::Mapped(map)
        } else {
            let mut v = Vec::new();
            (&file).read_to_end(&mut v).map_err(wrap)?;
            Data::Owned(v)
        };
        Ok(Input {
            data,
            path: path.to_path_buf(),
            modified,
        })
    }

    /// Read `path` into memory (no mapping).
    pub fn read(path: impl AsRef<Path>) -> Result<Input> {
        let path = path.as_ref();
        let wrap = |e: std::io::Error| Error::from(e).with_path(path);
        let meta = std::fs::metadata(path).map_err(wrap)?;
        if meta.is_dir() {
            return Err(wrap(std::io::Error::new(
                std::io::ErrorKind::IsADirectory,
                "is a directory, not a log file",
            )));
        }
        let bytes = std::fs::read(path).map_err(wrap)?;
        Ok(Input {
            data: Data::Owned(bytes),
            path: path.to_path_buf(),
            modified: meta.modified().ok().map(DateTime::<Utc>::from),
        })
    }

    /// Wrap bytes already in memory.
    pub fn from_bytes(bytes: Vec<u8>, path: impl Into<PathBuf>) -> Input {
        Input {
            data: Data::Owned(bytes),
            path: path.into(),
            modified: None,
        }
    }

    /// The content.
    pub fn bytes(&self) -> &[u8] {
        match &self.data {
            Data::Mapped(m) => m,
            Data::Owned(v) => v,
        }
    }

    /// The path it was opened from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The file's modification time, when known.
    pub fn modified(&self) -> Option<DateTime<Utc>> {
        self.modified
    }
}
