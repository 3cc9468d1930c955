//! The triage scan behind `marslog.scan` and `Classifier.scan` (all of it runs detached).
//!
//! Invariants (those of the CLI's `marslog triage`, which this mirrors):
//! * Inputs: a file is scanned as given; a folder is searched recursively, errlogs by name
//!   ([`errlog::discover`], each component's files ordered by first record) and event logs
//!   by content ([`evtx::detect`] on the first 512 bytes: `.evtx` magic or event XML).
//! * A file is an event log when its content says so, else it is scanned as an errlog, with
//!   the year from `year=`, else a `.Crash` copy's name, else the file's modification time.
//! * Files are scanned in parallel (rayon); findings keep input order, then file order.
//! * One bad input never stops the scan: its error is collected, the others go on.

use std::path::{Path, PathBuf};

use marslog::classify::{Classifier, Finding, Lang};
use marslog::errlog;
use marslog::evtx::{self, EventFilter, EventFormat, EvtxFile};
use marslog::Input;
use pyo3::prelude::*;
use rayon::prelude::*;

use crate::convert::{display_name, one_or_many};
use crate::errors::Error;
use crate::gil;
use crate::records::PyDamage;

/// How errlogs are read.
#[derive(Debug, Clone, Copy)]
pub struct ScanOptions {
    /// The year of the first record, when known.
    pub year: Option<i32>,
    /// Accept copies whose TABs were collapsed into spaces.
    pub tolerant: bool,
}

/// What a scan produced, owned and ready to become a `Report`.
pub struct ScanData {
    /// The classifier that scanned (for titles and summaries).
    pub classifier: std::sync::Arc<Classifier>,
    /// The language of titles and texts.
    pub lang: Lang,
    /// Every finding, `file` set.
    pub findings: Vec<Finding>,
    /// Damaged parts of event logs (the events around them were still scanned).
    pub damage: Vec<PyDamage>,
    /// Inputs that could not be scanned, and folders that could not be read.
    pub errors: Vec<Error>,
    /// Files scanned.
    pub files: usize,
    /// Bytes scanned.
    pub bytes: u64,
}

/// `paths`: one path or an iterable of paths (`str` or `os.PathLike`).
pub fn paths(obj: &Bound<'_, PyAny>) -> PyResult<Vec<PathBuf>> {
    one_or_many(obj, |o| o.extract::<PathBuf>())
}

/// The files to scan: files as given, folders searched (see the module docs).
fn expand(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<marslog::Error>) {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        if p.is_dir() {
            let (sets, errs) = errlog::discover(p);
            errors.extend(errs);
            for set in sets {
                out.extend(set.files.into_iter().map(|f| f.path));
            }
            out.extend(marslog::evtx::discover_files(p));
        } else {
            out.push(p.clone());
        }
    }
    (out, errors)
}

type FileResult = Result<(Vec<Finding>, Vec<PyDamage>, u64), Error>;

/// Scan one file.
fn scan_file(c: &Classifier, path: &Path, opts: ScanOptions) -> FileResult {
    gil::catch_panic(|| scan_file_inner(c, path, opts)).map_err(|e| match e {
        Error::Panic(msg) => Error::Panic(format!("{}: {msg}", path.display())),
        other => other,
    })
}

fn scan_file_inner(c: &Classifier, path: &Path, opts: ScanOptions) -> FileResult {
    let input = Input::open(path).map_err(Error::from)?;
    let name = display_name(&input);
    let bytes = input.bytes();
    let filter = EventFilter::new();
    let (mut found, damage) = match evtx::detect(bytes) {
        Some(EventFormat::Evtx) => {
            let file =
                EvtxFile::parse(bytes).map_err(|e| Error::from(e.with_path(input.path())))?;
            let mut damage = Vec::new();
            let events = file.par_iter_events(&filter).filter_map(|item| match item {
                Ok(e) => Some(e),
                Err(d) => {
                    damage.push(d);
                    None
                }
            });
            let found = c.scan_events(events);
            (found, damage)
        }
        Some(EventFormat::Xml) => {
            let (events, damage) = evtx::read_xml_events(bytes, &filter);
            (c.scan_events(events), damage)
        }
        None => {
            let parser = crate::errlog::parser_for(&input, opts.year, opts.tolerant);
            (c.scan_errlog(bytes, &parser), Vec::new())
        }
    };
    for f in &mut found {
        f.file = Some(name.clone());
    }
    let damage = damage
        .iter()
        .map(|d| crate::events::py_damage(&name, d))
        .collect();
    Ok((found, damage, bytes.len() as u64))
}

/// Scan `paths` (call detached).
pub fn scan(
    c: &std::sync::Arc<Classifier>,
    paths: &[PathBuf],
    opts: ScanOptions,
    lang: Lang,
) -> ScanData {
    let (files, folder_errors) = expand(paths);
    let mut errors: Vec<Error> = folder_errors.into_iter().map(Error::from).collect();
    let results: Vec<FileResult> = files.par_iter().map(|p| scan_file(c, p, opts)).collect();
    let mut data = ScanData {
        classifier: std::sync::Arc::clone(c),
        lang,
        findings: Vec::new(),
        damage: Vec::new(),
        errors: Vec::new(),
        files: 0,
        bytes: 0,
    };
    for r in results {
        match r {
            Ok((found, damage, bytes)) => {
                data.findings.extend(found);
                data.damage.extend(damage);
                data.files += 1;
                data.bytes += bytes;
            }
            Err(e) => errors.push(e),
        }
    }
    data.errors = errors;
    data
}
