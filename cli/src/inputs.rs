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
            out.extend(event_files(p).into_iter().map(|path| Source::File {
                path,
                crash_time: None,
            }));
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

/// Files under `dir` (recursively, not following links to folders) whose content is an event
/// log: `.evtx` by its magic, event XML by its first element. Errlogs are found by
/// [`errlog::discover`] and skipped here. Unreadable entries were already reported there.
fn event_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(read) = std::fs::read_dir(&d) else {
            continue;
        };
        let mut entries: Vec<_> = read.filter_map(Result::ok).collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let Ok(ft) = e.file_type() else { continue };
            let path = e.path();
            if ft.is_dir() {
                stack.push(path);
            } else if ft.is_file()
                && errlog::logset_name(&e.file_name().to_string_lossy()).is_none()
                && sniff_events(&path)
            {
                out.push(path);
            }
        }
    }
    out
}

fn sniff_events(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 512];
    let Ok(mut f) = std::fs::File::open(path) else {
        return false;
    };
    let n = f.read(&mut head).unwrap_or(0);
    marslog::evtx::detect(&head[..n]).is_some()
}
