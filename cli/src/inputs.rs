//! Turning command-line paths into inputs: files as given, folders searched for logs.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use marslog::errlog::{self, ErrlogParser};

use crate::args::ReadOptions;

/// One input to read.
#[derive(Debug, Clone)]
pub enum Source {
    /// Standard input.
    Stdin,
    /// A file, with the reference time for errlog years when known from its name.
    File {
        path: PathBuf,
        crash_time: Option<DateTime<Utc>>,
    },
}

/// Expand `paths`: `-` is stdin, folders are searched (recursively) for errlogs, ordered per
/// component by first record; anything else is a file. Folder errors are returned, not fatal.
pub fn expand(paths: &[PathBuf]) -> (Vec<Source>, Vec<marslog::Error>) {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            out.push(Source::Stdin);
        } else if p.is_dir() {
            let (sets, errs) = errlog::discover(p);
            errors.extend(errs);
            for set in sets {
                out.extend(set.files.into_iter().map(|f| Source::File {
                    path: f.path,
                    crash_time: f.crash_time,
                }));
            }
            out.extend(
                marslog::evtx::discover_files(p)
                    .into_iter()
                    .map(|path| Source::File {
                        path,
                        crash_time: None,
                    }),
            );
        } else {
            let crash_time = p
                .file_name()
                .and_then(|n| errlog::logset_name(&n.to_string_lossy()))
                .and_then(|(_, t)| t);
            out.push(Source::File {
                path: p.clone(),
                crash_time,
            });
        }
    }
    (out, errors)
}

/// The parser for one file: explicit year, else the crash time in its name, else its mtime.
pub fn parser_for(
    opts: &ReadOptions,
    crash_time: Option<DateTime<Utc>>,
    modified: Option<DateTime<Utc>>,
) -> ErrlogParser {
    let p = ErrlogParser::new().tolerant(opts.tolerant);
    match (opts.year, crash_time, modified) {
        (Some(y), _, _) => p.with_year(y),
        (None, Some(c), _) => p.with_reference(c + chrono::Duration::milliseconds(999)),
        (None, None, Some(m)) => p.with_reference(m),
        (None, None, None) => p,
    }
}

/// Display form of a path for messages and the `file` key.
pub fn display(path: &Path) -> String {
    path.display().to_string()
}
