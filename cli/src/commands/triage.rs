//! `marslog triage`: every input scanned (in parallel), findings grouped per documented error.
//!
//! Each input is summarised on its own (one group per catalog entry, not every finding
//! kept), then the summaries are merged in input order. With `--stream` (and for standard
//! input) errlogs are read block by block; JSON Lines and CSV rows are then written as they
//! are found, one input after the other.

use std::io::{self, IsTerminal, Read, Write};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use chrono::{DateTime, Utc};
use marslog::classify::{Classifier, Finding, Lang, Level, Summarizer};
use marslog::errlog::ErrlogParser;
use marslog::Input;
use rayon::prelude::*;

use crate::args::{TriageArgs, TriageFormat};
use crate::inputs::{display, expand, parser_for, Source};
use crate::render::{self, Report, Rows};

/// Show a progress bar when stderr is a terminal and the scan is at least this large.
const PROGRESS_MIN_BYTES: u64 = 64 << 20;

struct Progress {
    enabled: bool,
    total_bytes: u64,
    total_files: usize,
    done_bytes: AtomicU64,
    done_files: AtomicUsize,
}

impl Progress {
    fn tick(&self, bytes: u64) {
        let done = self.done_bytes.fetch_add(bytes, Ordering::Relaxed) + bytes;
        let files = self.done_files.fetch_add(1, Ordering::Relaxed) + 1;
        if self.enabled {
            let width = 30usize;
            let filled = (done as f64 / self.total_bytes.max(1) as f64 * width as f64) as usize;
            eprint!(
                "\r[{}{}] {files}/{} files, {} / {} MB ",
                "=".repeat(filled.min(width)),
                " ".repeat(width - filled.min(width)),
                self.total_files,
                done >> 20,
                self.total_bytes >> 20
            );
        }
    }
    fn finish(&self) {
        if self.enabled {
            eprint!("\r{}\r", " ".repeat(72));
        }
    }
}

/// Bytes read per round when streaming.
const STREAM_BLOCK: usize = 1 << 20;

/// One input's summary and size.
type Scanned<'c> = (Summarizer<'c>, u64);

pub fn run(args: &TriageArgs) -> io::Result<u8> {
    let classifier = match super::classifier(&args.catalogs) {
        Ok(c) => c,
        Err(code) => return Ok(code),
    };
    let c = &classifier;
    let (sources, mut errors) = expand(&args.paths);
    let stream = args.stream || sources.iter().any(|s| matches!(s, Source::Stdin));
    let total_bytes = sources
        .iter()
        .filter_map(|s| match s {
            Source::File { path, .. } => std::fs::metadata(path).ok().map(|m| m.len()),
            Source::Stdin => None,
        })
        .sum();
    let progress = Progress {
        enabled: io::stderr().is_terminal() && total_bytes >= PROGRESS_MIN_BYTES,
        total_bytes,
        total_files: sources.len(),
        done_bytes: AtomicU64::new(0),
        done_files: AtomicUsize::new(0),
    };
    let lang: Lang = args.lang.into();
    let out = io::BufWriter::new(io::stdout().lock());
    let mut rows = match args.format {
        TriageFormat::Jsonl => Some(Rows::jsonl(out)),
        TriageFormat::Csv => Some(Rows::csv(out)?),
        _ => None,
    };
    // (summary, bytes) per input, in input order, and the findings still to write
    let results: Vec<(Result<Scanned<'_>, marslog::Error>, Vec<Finding>)> = match &mut rows {
        // rows of a stream are written as they are found, one input after the other
        Some(rows) if stream => {
            let mut write_error = None;
            let results = sources
                .iter()
                .map(|src| {
                    let r = scan_source(c, args, src, stream, lang, &mut |f| {
                        if write_error.is_none() {
                            write_error = rows.write(&f, c, lang).err();
                        }
                    });
                    progress.tick(r.as_ref().map_or(0, |r| r.1));
                    (r, Vec::new())
                })
                .collect();
            if let Some(e) = write_error {
                return Err(e);
            }
            results
        }
        _ => {
            let keep = rows.is_some();
            sources
                .par_iter()
                .map(|src| {
                    let mut found = Vec::new();
                    let r = scan_source(c, args, src, stream, lang, &mut |f| {
                        if keep {
                            found.push(f);
                        }
                    });
                    progress.tick(r.as_ref().map_or(0, |r| r.1));
                    (r, found)
                })
                .collect()
        }
    };
    progress.finish();
    let mut summary = Summarizer::new(c.catalog(), lang);
    let mut bytes = 0;
    let mut scanned = 0;
    for (r, found) in results {
        match r {
            Ok((s, b)) => {
                if let Some(rows) = &mut rows {
                    for f in &found {
                        rows.write(f, c, lang)?;
                    }
                }
                summary.merge(s);
                bytes += b;
                scanned += 1;
            }
            Err(e) => errors.push(e),
        }
    }
    for e in &errors {
        eprintln!("marslog: {e}");
    }
    let findings = summary.findings();
    let summary = summary.finish();
    if let Some(mut rows) = rows {
        rows.flush()?;
    } else {
        let report = Report {
            files: scanned,
            bytes,
            findings,
            summary: &summary,
            errors: &errors,
            lang,
        };
        let colour = args.format == TriageFormat::Table
            && io::stdout().is_terminal()
            && std::env::var_os("NO_COLOR").is_none();
        let mut out = io::BufWriter::new(io::stdout().lock());
        match args.format {
            TriageFormat::Markdown => render::markdown(&mut out, &report)?,
            TriageFormat::Json => render::json(&mut out, &report)?,
            _ => render::table(&mut out, &report, c, colour)?,
        }
        out.flush()?;
    }
    let problems = summary.iter().any(|s| s.severity >= Level::Warning);
    Ok(if !errors.is_empty() {
        2
    } else if problems {
        1
    } else {
        0
    })
}

/// Scan one input: each finding (with its file name) is added to the input's summary and
/// handed to `sink`. Errlogs are streamed when `stream` (standard input always is), other
/// inputs memory-mapped.
fn scan_source<'c>(
    c: &'c Classifier,
    args: &TriageArgs,
    src: &Source,
    stream: bool,
    lang: Lang,
    sink: &mut dyn FnMut(Finding),
) -> Result<Scanned<'c>, marslog::Error> {
    let mut summary = Summarizer::new(c.catalog(), lang);
    let (path, crash_time) = match src {
        Source::Stdin => {
            let parser = parser_for(&args.read, None, None);
            let bytes = stream_errlog(c, io::stdin().lock(), &parser, "-", &mut summary, sink)?;
            return Ok((summary, bytes));
        }
        Source::File { path, crash_time } => (path, *crash_time),
    };
    let name = display(path);
    if stream {
        let wrap = |e: io::Error| marslog::Error::from(e).with_path(path);
        let mut file = std::fs::File::open(path).map_err(wrap)?;
        let meta = file.metadata().map_err(wrap)?;
        if !meta.is_dir() {
            // event logs are recognised by their first bytes; they are still mapped
            let mut head = Vec::with_capacity(512);
            (&mut file).take(512).read_to_end(&mut head).map_err(wrap)?;
            if marslog::evtx::detect(&head).is_none() {
                let modified = meta.modified().ok().map(DateTime::<Utc>::from);
                let parser = parser_for(&args.read, crash_time, modified);
                let reader = io::Cursor::new(head).chain(file);
                let bytes = stream_errlog(c, reader, &parser, &name, &mut summary, sink)
                    .map_err(|e| e.with_path(path))?;
                return Ok((summary, bytes));
            }
        }
    }
    let input = Input::open(path)?;
    let found = match marslog::evtx::detect(input.bytes()) {
        Some(format) => scan_events(c, input.bytes(), format, &name)?,
        None => {
            let parser = parser_for(&args.read, crash_time, input.modified());
            c.scan_errlog(input.bytes(), &parser)
        }
    };
    for mut f in found {
        f.file = Some(name.clone());
        summary.add(&f);
        sink(f);
    }
    Ok((summary, input.bytes().len() as u64))
}

/// The streaming triage pass over one errlog; returns the bytes read.
fn stream_errlog(
    c: &Classifier,
    reader: impl Read,
    parser: &ErrlogParser,
    name: &str,
    summary: &mut Summarizer<'_>,
    sink: &mut dyn FnMut(Finding),
) -> Result<u64, marslog::Error> {
    let done = c.scan_errlog_stream(reader, parser, STREAM_BLOCK, |mut f| {
        f.file = Some(name.to_string());
        summary.add(&f);
        sink(f);
    })?;
    // the summary gets the years a whole-file pass gives; rows already written keep theirs
    if done.years_back {
        summary.move_years_back();
    }
    Ok(done.bytes)
}

fn scan_events(
    c: &Classifier,
    bytes: &[u8],
    format: marslog::evtx::EventFormat,
    name: &str,
) -> Result<Vec<Finding>, marslog::Error> {
    let filter = marslog::evtx::EventFilter::new();
    let (found, damage) = match format {
        marslog::evtx::EventFormat::Evtx => {
            let file = marslog::evtx::EvtxFile::parse(bytes).map_err(|e| e.with_path(name))?;
            // Streamed in windows of a few chunks per thread: memory stays bounded.
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
        marslog::evtx::EventFormat::Xml => {
            let (events, damage) = marslog::evtx::read_xml_events(bytes, &filter);
            (c.scan_events(events), damage)
        }
    };
    crate::events::warn_damage(name, &damage, 5, true);
    Ok(found)
}
