//! Recognising the documented MARS errors in log lines and events.
//!
//! The [`Catalog`] is data (`core/catalog/mars.toml`, embedded, plus users' files). A
//! [`Classifier`] compiles it once: one aho-corasick prefilter over every literal anchor of
//! every entry, then verification of each candidate in its context (see `matcher` for the
//! literal forms and why `Processed 34513 files` or `ID: 345130` do not match).
//!
//! Two ways in:
//! * [`Classifier::classify_text`] on one message (or a [`Record`]'s message);
//! * [`Classifier::scan_errlog`], the triage pass over a whole errlog buffer: the prefilter
//!   runs over the raw bytes (UTF-16 files are searched as UTF-16, not decoded), and only the
//!   records around a hit are parsed and decoded.
//!
//! ```
//! use marslog::classify::Classifier;
//!
//! let c = Classifier::new();
//! let m = c.classify_text("Error 34506. The encryption passphrase stored on this computer is not correctly configured.");
//! assert_eq!(c.entry(&m[0]).id, "passphrase-misconfigured");
//! assert!(c.classify_text("Processed 34513 files, 407 retries").is_empty());
//! ```

mod batch;
pub mod catalog;
mod events;
mod matcher;
mod prefilter;
mod report;
mod scan;

use std::path::Path;

use chrono::{DateTime, Utc};
use serde::Serialize;

pub use catalog::{Catalog, Entry, EventRule, Lang, Level, Texts};
pub use events::{event_text, level_name};
pub use matcher::{Code, Match};
pub use report::{summarize, Summarizer, Summary, FINDING_COLUMNS};
pub use scan::StreamedScan;

use crate::errlog::Record;
use crate::error::Result;
use crate::position::Span;

/// A compiled catalog, ready to classify. Build once, share across threads.
#[derive(Debug, Clone)]
pub struct Classifier {
    catalog: Catalog,
    matcher: matcher::Matcher,
}

impl Default for Classifier {
    fn default() -> Self {
        Self::new()
    }
}

impl Classifier {
    /// The classifier of the embedded catalog.
    pub fn new() -> Self {
        Self::from_catalog(Catalog::embedded())
    }

    /// Compile any catalog.
    pub fn from_catalog(catalog: Catalog) -> Self {
        let matcher = matcher::Matcher::new(&catalog);
        Classifier { catalog, matcher }
    }

    /// The embedded catalog plus users' catalog files (errors name the file, line and field).
    pub fn with_files<P: AsRef<Path>>(files: &[P]) -> Result<Self> {
        let mut catalog = Catalog::embedded();
        for f in files {
            catalog.add_file(f)?;
        }
        Ok(Self::from_catalog(catalog))
    }

    /// The catalog.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The catalog entry of a match.
    pub fn entry(&self, m: &Match) -> &Entry {
        &self.catalog.entries()[m.entry]
    }

    /// Every entry recognised in `text` (at most one match per entry), leftmost first.
    pub fn classify_text(&self, text: &str) -> Vec<Match> {
        self.matcher.classify(text)
    }

    /// Classify a record's message.
    pub fn classify_record(&self, record: &Record<'_>) -> Vec<Match> {
        self.matcher.classify(&record.message())
    }

    /// Classify parsed entries (records and unparsed lines, as
    /// [`ErrlogParser::entries`](crate::errlog::ErrlogParser::entries) yields them): the
    /// findings of [`classify_text`](Self::classify_text) on every record's message and every
    /// unparsed line's text, in input order, located like the triage pass's. For callers that
    /// parse every record anyway: the texts are searched in batches by the triage pass's first
    /// stage, so only the entries that may match are decoded and checked (memory: a batch of
    /// about 64 KiB of text).
    ///
    /// ```
    /// use marslog::classify::Classifier;
    /// use marslog::errlog::ErrlogParser;
    ///
    /// let log = "44B4\t3968\t10/21\t21:02:21.611\t71\tbackupasync.cpp(1184)\t\t\tWARNING\tFailed: Hr: = [0x80070005]\r\n\
    ///            44B4\t3968\t10/21\t21:02:22.000\t71\tbackupasync.cpp(1185)\t\t\tNORMAL\tProcessed 34513 files\r\n";
    /// let c = Classifier::new();
    /// let parser = ErrlogParser::new().with_year(2025);
    /// let findings = c.classify_entries(parser.entries(log.as_bytes()));
    /// assert_eq!(findings.len(), 1);
    /// assert_eq!(findings[0].line, Some(1));
    /// assert_eq!(findings[0].severity.as_deref(), Some("WARNING"));
    /// ```
    pub fn classify_entries<'a>(
        &self,
        entries: impl IntoIterator<Item = crate::errlog::Entry<'a>>,
    ) -> Vec<Finding> {
        let mut out = Vec::new();
        self.classify_entries_with(entries, |f| out.push(f));
        out
    }

    /// [`classify_entries`](Self::classify_entries), each finding sent to `sink` as soon as
    /// its batch is searched (for output written while the input is still being read).
    pub fn classify_entries_with<'a>(
        &self,
        entries: impl IntoIterator<Item = crate::errlog::Entry<'a>>,
        mut sink: impl FnMut(Finding),
    ) {
        let mut batch = batch::Batch::new();
        for e in entries {
            batch.push(self, e, &mut sink);
        }
        batch.flush(self, &mut sink);
    }

    /// The literal anchors the classifier looks for, each matched ASCII-case-insensitively
    /// (generic `ID`, `error `, `erreur `, `0x`, `HResult:`, HTTP statuses, names, the anchor
    /// of each text phrase and pattern). A search for these is what the triage pass must at
    /// least do (e.g. `rg -i -F -f`).
    pub fn anchors(&self) -> Vec<String> {
        self.matcher.literals.clone()
    }

    /// The strings the triage pass's first stage looks for, in folded form (every byte ORed
    /// with `0x20`, so ASCII letters are lower case; `ID` stands for the raw upper-case word,
    /// `0xhh` for a hex prefix); empty when the catalog needs the full anchor automaton
    /// instead.
    pub fn triage_fingerprints(&self) -> Vec<String> {
        self.matcher.prefilter.as_ref().map_or_else(Vec::new, |p| {
            p.fingerprints()
                .iter()
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .collect()
        })
    }

    /// Findings of one errlog buffer: the triage pass (see the `scan` module docs in the source).
    /// A buffer of more than a few MiB is scanned in segments on every thread of the rayon
    /// pool (the findings are those of one pass).
    pub fn scan_errlog(&self, buf: &[u8], parser: &crate::errlog::ErrlogParser) -> Vec<Finding> {
        scan::scan_errlog(self, buf, parser)
    }

    /// [`scan_errlog`](Self::scan_errlog) in up to `parts` segments of at least
    /// `min_segment` bytes (1 part: one pass on this thread; for tests and benchmarks).
    #[doc(hidden)]
    pub fn scan_errlog_segments(
        &self,
        buf: &[u8],
        parser: &crate::errlog::ErrlogParser,
        parts: usize,
        min_segment: usize,
    ) -> Vec<Finding> {
        scan::scan_segments(self, buf, parser, parts, min_segment)
    }

    /// The triage pass over a reader (a file read block by block, standard input), with
    /// bounded memory: about `block` bytes (1 MiB is a good size) plus the longest record.
    /// Each finding goes to `sink` as soon as its record is complete.
    ///
    /// The findings, and their order, are those of [`scan_errlog`](Self::scan_errlog) over
    /// the whole input, except in three cases:
    /// * years: with a reference time, `scan_errlog` moves every finding back a year when the
    ///   last one is after the reference; a stream knows this only at its end, so it is
    ///   reported in [`StreamedScan::years_back`] (see [`Finding::move_year_back`]);
    /// * the encoding is sniffed from the first [`SNIFF_LEN`](crate::errlog::SNIFF_LEN)
    ///   bytes (invalid UTF-8 after them is decoded lossily instead of as Windows-1252);
    /// * a record longer than 16 blocks is classified in pieces.
    ///
    /// ```
    /// use marslog::classify::Classifier;
    /// use marslog::errlog::ErrlogParser;
    ///
    /// let c = Classifier::new();
    /// let file = std::fs::File::open("../testdata/samples/SRV-FS01/Temp/CBEngineCurr.errlog")?;
    /// let mut ids = Vec::new();
    /// let done = c.scan_errlog_stream(file, &ErrlogParser::new().with_year(2026), 1 << 20, |f| {
    ///     ids.push(f.id)
    /// })?;
    /// assert!(ids.contains(&"passphrase-misconfigured".to_string()));
    /// assert!(!done.years_back);
    /// # Ok::<(), marslog::Error>(())
    /// ```
    pub fn scan_errlog_stream<R: std::io::Read>(
        &self,
        reader: R,
        parser: &crate::errlog::ErrlogParser,
        block: usize,
        mut sink: impl FnMut(Finding),
    ) -> Result<StreamedScan> {
        scan::scan_errlog_stream(self, reader, parser, block, &mut sink)
    }

    fn finding(&self, m: &Match, text: &str, at: Location) -> Finding {
        let entry = self.entry(m);
        Finding {
            id: entry.id.clone(),
            code: m.code.clone(),
            matched: text
                .get(m.span.start..m.span.end)
                .unwrap_or_default()
                .to_string(),
            span: m.span,
            file: None,
            line: at.line,
            offset: at.offset,
            record_id: at.record_id,
            timestamp: at.timestamp,
            severity: at.severity,
            task_id: at.task_id,
            message: text.to_string(),
        }
    }
}

/// Where a classified text was found.
#[derive(Debug, Clone, Default)]
pub(crate) struct Location {
    pub line: Option<u64>,
    pub offset: u64,
    pub record_id: Option<u64>,
    pub timestamp: Option<DateTime<Utc>>,
    pub severity: Option<String>,
    pub task_id: Option<String>,
}

impl Location {
    /// Where an errlog record is: its line, offset, time, severity word and task.
    pub(crate) fn of_record(r: &Record<'_>) -> Self {
        Location {
            line: Some(r.position().line),
            offset: r.position().byte,
            record_id: None,
            timestamp: r.timestamp(),
            severity: Some(r.severity_word().into_owned()),
            task_id: r.task_id().map(|t| t.into_owned()),
        }
    }
}

/// One documented error found in an input.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// The catalog entry's stable id.
    pub id: String,
    /// How it was recognised.
    pub code: Code,
    /// The matched text.
    pub matched: String,
    /// Byte span of `matched` in `message`.
    pub span: Span,
    /// The input file, when known.
    pub file: Option<String>,
    /// 1-based line of the record (errlogs).
    pub line: Option<u64>,
    /// Byte offset of the record in the input.
    pub offset: u64,
    /// Event record id (event logs).
    pub record_id: Option<u64>,
    /// The record's time, UTC.
    pub timestamp: Option<DateTime<Utc>>,
    /// The record's severity word (errlogs) or level (events).
    pub severity: Option<String>,
    /// The job (task) GUID.
    pub task_id: Option<String>,
    /// The classified text: the record's message (continuation lines included).
    pub message: String,
}

impl Finding {
    /// Move the timestamp back one year (none left on a 29 February that does not exist
    /// then), as [`Classifier::scan_errlog`] does to all findings of an input whose last
    /// finding is after the reference time.
    pub fn move_year_back(&mut self) {
        use chrono::Datelike;
        self.timestamp = self.timestamp.and_then(|t| t.with_year(t.year() - 1));
    }
}
