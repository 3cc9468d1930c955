//! `marslog triage`: every input scanned (in parallel), findings grouped per documented error.

use std::io::{self, IsTerminal, Write};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use marslog::classify::{summarize, Classifier, Finding, Level};
use marslog::Input;
use rayon::prelude::*;

use crate::args::{TriageArgs, TriageFormat};
use crate::inputs::{display, expand, parser_for, Source};
use crate::render::{self, Report};

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

pub fn run(args: &TriageArgs) -> io::Result<u8> {
    let classifier = match super::classifier(&args.catalogs) {
        Ok(c) => c,
        Err(code) => return Ok(code),
    };
    let (sources, mut errors) = expand(&args.paths);
    let files: Vec<_> = sources
        .into_iter()
        .filter_map(|s| match s {
            Source::File { path, crash_time } => Some((path, crash_time)),
            Source::Stdin => {
                eprintln!(
                    "marslog: triage reads files and folders; use `marslog parse -` for stdin"
                );
                None
            }
        })
        .collect();
    let total_bytes = files
        .iter()
        .filter_map(|(p, _)| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    let progress = Progress {
        enabled: io::stderr().is_terminal() && total_bytes >= PROGRESS_MIN_BYTES,
        total_bytes,
        total_files: files.len(),
        done_bytes: AtomicU64::new(0),
        done_files: AtomicUsize::new(0),
    };
    let results: Vec<Result<(Vec<Finding>, u64), marslog::Error>> = files
        .par_iter()
        .map(|(path, crash_time)| {
            let input = Input::open(path)?;
            let name = display(path);
            let mut found = match marslog::evtx::detect(input.bytes()) {
                Some(format) => scan_events(&classifier, input.bytes(), format, &name)?,
                None => {
                    let parser = parser_for(&args.read, *crash_time, input.modified());
                    classifier.scan_errlog(input.bytes(), &parser)
                }
            };
            for f in &mut found {
                f.file = Some(name.clone());
            }
            progress.tick(input.bytes().len() as u64);
            Ok((found, input.bytes().len() as u64))
        })
        .collect();
    progress.finish();
    let mut findings = Vec::new();
    let mut bytes = 0;
    let mut scanned = 0;
    for r in results {
        match r {
            Ok((f, b)) => {
                findings.extend(f);
                bytes += b;
                scanned += 1;
            }
            Err(e) => errors.push(e),
        }
    }
    for e in &errors {
        eprintln!("marslog: {e}");
    }
    let lang = args.lang.into();
    let summary = summarize(&findings, classifier.catalog(), lang);
    let report = Report {
        files: scanned,
        bytes,
        findings: &findings,
        summary: &summary,
        errors: &errors,
        lang,
    };
    let colour = args.format == TriageFormat::Table
        && io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none();
    let mut out = io::BufWriter::new(io::stdout().lock());
    match args.format {
        TriageFormat::Table => render::table(&mut out, &report, &classifier, colour)?,
        TriageFormat::Markdown => render::markdown(&mut out, &report)?,
        TriageFormat::Json => render::json(&mut out, &report)?,
        TriageFormat::Jsonl => render::jsonl(&mut out, &report, &classifier)?,
        TriageFormat::Csv => render::csv(&mut out, &report, &classifier)?,
    }
    out.flush()?;
    let problems = summary.iter().any(|s| s.severity >= Level::Warning);
    Ok(if !errors.is_empty() {
        2
    } else if problems {
        1
    } else {
        0
    })
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
