//! Finding errlogs in a folder and ordering each component's files in time.
//!
//! Names seen in the field: `CBEngineCurr.errlog`, `CBEngine1.errlog`, `CBEngine 12.errlog`,
//! `GatewayProvider0.errlog`, `OBInstaller0Curr.errlog`, `MSDPMCurr.errlog`,
//! `DPMRACurr.errlog`, `DPMRA3.errlog`, and crash copies
//! `MSDPMCurr.errlog.2016-06-01_20-55-45.Crash` (the name carries the UTC time of the crash).
//! Rotation numbering is undocumented, so files are ordered by their first record's time,
//! never by name.

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDateTime, Utc};

use super::record::Entry;
use super::ErrlogParser;
use crate::error::{Error, Result};
use crate::source::Input;

/// One errlog file found by [`discover`].
#[derive(Debug, Clone, PartialEq)]
pub struct ErrlogFile {
    /// Its path.
    pub path: PathBuf,
    /// The component (`CBEngine`, `MSDPM`, `DPMRA`, `GatewayProvider`…).
    pub component: String,
    /// For `.Crash` copies: the UTC time in the name.
    pub crash_time: Option<DateTime<Utc>>,
    /// The time of the first record, when the file has one.
    pub first_record: Option<DateTime<Utc>>,
    /// The file's modification time.
    pub modified: Option<DateTime<Utc>>,
}

impl ErrlogFile {
    /// The time to infer record years from: for a crash copy the end of the second in its
    /// name (the crash record itself carries milliseconds), else the file's modification
    /// time (as read when it was discovered).
    pub fn year_reference(&self) -> Option<DateTime<Utc>> {
        self.crash_time
            .map(|t| t + chrono::Duration::milliseconds(999))
            .or(self.modified)
    }
}

/// The files of one component in one folder, oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct LogSet {
    /// The folder.
    pub dir: PathBuf,
    /// The component name.
    pub component: String,
    /// Files ordered by first record time (files without records last, by name).
    pub files: Vec<ErrlogFile>,
}

/// Split an errlog file name into its component and crash time; `None` when the name is
/// not an errlog's.
pub fn classify_name(name: &str) -> Option<(String, Option<DateTime<Utc>>)> {
    let lower = name.to_ascii_lowercase();
    let at = lower.find(".errlog")?;
    let tail = &lower[at + ".errlog".len()..];
    let crash_time = if tail.is_empty() {
        None
    } else {
        let stamp = tail.strip_prefix('.')?.strip_suffix(".crash")?;
        Some(
            NaiveDateTime::parse_from_str(stamp, "%Y-%m-%d_%H-%M-%S")
                .ok()?
                .and_utc(),
        )
    };
    let mut stem = &name[..at];
    for _ in 0..2 {
        if stem.to_ascii_lowercase().ends_with("curr") {
            stem = &stem[..stem.len() - 4];
        }
        stem = stem.trim_end_matches(|c: char| c.is_ascii_digit() || c == ' ' || c == '_');
    }
    if stem.is_empty() {
        return None;
    }
    Some((stem.to_string(), crash_time))
}

/// How far into a file [`discover`] looks for its first record, so that a huge file (or a
/// sparse or binary one with no line break) costs a bounded read, not a scan of all of it.
const FIRST_RECORD_WITHIN: usize = 1 << 20;

fn first_record(file: &mut ErrlogFile) -> Result<()> {
    let input = Input::open(&file.path)?;
    let head = &input.bytes()[..input.bytes().len().min(FIRST_RECORD_WITHIN)];
    file.modified = input.modified();
    let mut parser = ErrlogParser::new();
    if let Some(r) = file.year_reference() {
        parser = parser.with_reference(r);
    }
    let first = parser.entries(head).find_map(|e| match e {
        Entry::Record(r) => Some(r.timestamp()),
        Entry::Unparsed(_) => None,
    });
    file.first_record = first.flatten();
    Ok(())
}

/// Find the errlogs under `dir` (recursively; symbolic links to folders are not followed)
/// and group them by folder and component. Files or folders that cannot be read are
/// returned as errors next to the sets; they never stop the walk.
pub fn discover(dir: impl AsRef<Path>) -> (Vec<LogSet>, Vec<Error>) {
    let mut sets: Vec<LogSet> = Vec::new();
    let mut errors = Vec::new();
    let mut stack = vec![dir.as_ref().to_path_buf()];
    while let Some(d) = stack.pop() {
        let read = match std::fs::read_dir(&d) {
            Ok(r) => r,
            Err(e) => {
                errors.push(Error::from(e).with_path(&d));
                continue;
            }
        };
        let mut names: Vec<_> = read.filter_map(|e| e.ok()).collect();
        names.sort_by_key(|e| e.file_name());
        for entry in names {
            let path = entry.path();
            let Ok(ft) = entry.file_type() else { continue };
            if ft.is_dir() {
                stack.push(path);
                continue;
            }
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some((component, crash_time)) = classify_name(&name) else {
                continue;
            };
            // Only regular files (a link is followed to see what it points to): opening a
            // FIFO or a device would block or read forever. Links to folders are not walked.
            match std::fs::metadata(&path) {
                Ok(m) if m.is_file() => {}
                Ok(_) => {
                    let e = std::io::Error::new(
                        std::io::ErrorKind::InvalidInput,
                        "not a regular file, skipped",
                    );
                    errors.push(Error::from(e).with_path(&path));
                    continue;
                }
                Err(e) => {
                    errors.push(Error::from(e).with_path(&path));
                    continue;
                }
            }
            let mut file = ErrlogFile {
                path,
                component: component.clone(),
                crash_time,
                first_record: None,
                modified: None,
            };
            if let Err(e) = first_record(&mut file) {
                errors.push(e);
                continue;
            }
            match sets
                .iter_mut()
                .find(|s| s.dir == d && s.component.eq_ignore_ascii_case(&component))
            {
                Some(s) => s.files.push(file),
                None => sets.push(LogSet {
                    dir: d.clone(),
                    component,
                    files: vec![file],
                }),
            }
        }
    }
    for s in &mut sets {
        s.files
            .sort_by(|a, b| match (a.first_record, b.first_record) {
                (Some(x), Some(y)) => x.cmp(&y).then_with(|| a.path.cmp(&b.path)),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => a.path.cmp(&b.path),
            });
    }
    sets.sort_by(|a, b| {
        a.dir
            .cmp(&b.dir)
            .then_with(|| a.component.cmp(&b.component))
    });
    (sets, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        let t = |n: &str| classify_name(n).map(|(c, t)| (c, t.map(|t| t.to_rfc3339())));
        assert_eq!(t("CBEngineCurr.errlog"), Some(("CBEngine".into(), None)));
        assert_eq!(t("CBEngine1.errlog"), Some(("CBEngine".into(), None)));
        assert_eq!(t("CBEngine 12.errlog"), Some(("CBEngine".into(), None)));
        assert_eq!(
            t("GatewayProvider0.errlog"),
            Some(("GatewayProvider".into(), None))
        );
        assert_eq!(
            t("OBInstaller0Curr.errlog"),
            Some(("OBInstaller".into(), None))
        );
        assert_eq!(t("DPMRACURR.ERRLOG"), Some(("DPMRA".into(), None)));
        assert_eq!(
            t("MSDPMCurr.errlog.2016-06-01_20-55-45.Crash"),
            Some(("MSDPM".into(), Some("2016-06-01T20:55:45+00:00".into())))
        );
        assert_eq!(t("notes.txt"), None);
        assert_eq!(t("CBEngineCurr.errlog.bak"), None);
        assert_eq!(t("Curr.errlog"), None);
    }
}
