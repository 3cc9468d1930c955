//! `marslog parse`: records out, unparsed lines reported, every input tried.

use std::io::{self, Write};

use marslog::errlog::{Entry, EntryBuf};
use marslog::Input;

use crate::args::ParseArgs;
use crate::events;
use crate::inputs::{display, expand, parser_for, Source};
use crate::output::{RecordRow, RecordWriter, UnparsedRow};

/// Inputs larger than this are read lazily (years anchored on the first record) instead of
/// collected (years anchored so that the last record is not after the reference).
const COLLECT_LIMIT: usize = 256 << 20;

/// At most this many unparsed-line warnings per input on stderr.
const MAX_WARNINGS: u64 = 20;

struct Warnings<'a> {
    file: &'a str,
    shown: u64,
    hidden: u64,
}

impl Warnings<'_> {
    fn warn(&mut self, line: u64, offset: u64, reason: &dyn std::fmt::Display) {
        if self.shown < MAX_WARNINGS {
            eprintln!(
                "marslog: warning: {}:{line} (byte {offset}): {reason}",
                self.file
            );
            self.shown += 1;
        } else {
            self.hidden += 1;
        }
    }
    fn finish(&self) {
        if self.hidden > 0 {
            eprintln!(
                "marslog: warning: {}: {} more unparsed lines not shown",
                self.file, self.hidden
            );
        }
    }
}

pub fn run(args: &ParseArgs) -> io::Result<u8> {
    let (sources, errors) = expand(&args.paths);
    let mut failed = !errors.is_empty();
    for e in errors {
        eprintln!("marslog: {e}");
    }
    let stdout = io::BufWriter::with_capacity(1 << 16, io::stdout().lock());
    let mut w = RecordWriter::new(args.format, stdout);
    for source in sources {
        let ok = match source {
            Source::Stdin => parse_stream(args, &mut w, io::stdin().lock(), "-")?,
            Source::File { path, crash_time } => {
                let name = display(&path);
                match Input::open(&path) {
                    Err(e) => {
                        eprintln!("marslog: {e}");
                        false
                    }
                    Ok(input) if marslog::evtx::detect(input.bytes()).is_some() => {
                        let format = marslog::evtx::detect(input.bytes()).expect("checked");
                        write_events(args, &mut w, &name, input.bytes(), format)?
                    }
                    Ok(input) if input.bytes().len() > COLLECT_LIMIT => {
                        let parser = parser_for(&args.read, crash_time, input.modified());
                        write_entries(args, &mut w, &name, parser.entries(input.bytes()))?
                    }
                    Ok(input) => {
                        let parser = parser_for(&args.read, crash_time, input.modified());
                        let log = parser.parse(input.bytes());
                        match log.check() {
                            Err(e) => {
                                let hint = if !args.read.tolerant
                                    && parser.tolerant(true).parse(input.bytes()).stats().records
                                        > 0
                                {
                                    " (its fields look space-separated: try --tolerant)"
                                } else {
                                    ""
                                };
                                eprintln!("marslog: {}{hint}", e.with_path(&path));
                                false
                            }
                            Ok(()) => {
                                write_entries(args, &mut w, &name, log.into_entries().into_iter())?
                            }
                        }
                    }
                }
            }
        };
        failed |= !ok;
    }
    w.flush()?;
    Ok(if failed { 2 } else { 0 })
}

fn write_entries<'a, W: Write>(
    args: &ParseArgs,
    w: &mut RecordWriter<W>,
    file: &str,
    entries: impl Iterator<Item = Entry<'a>>,
) -> io::Result<bool> {
    w.begin_file(file)?;
    let mut warnings = Warnings {
        file,
        shown: 0,
        hidden: 0,
    };
    let (mut records, mut unparsed) = (0u64, 0u64);
    let mut first_unparsed = None;
    for e in entries {
        match e {
            Entry::Record(r) => {
                records += 1;
                w.record(&RecordRow::borrowed(file, &r))?;
            }
            Entry::Unparsed(u) => {
                unparsed += 1;
                first_unparsed.get_or_insert(u.position().byte);
                if args.include_unparsed {
                    let owned = u.into_owned();
                    w.unparsed(&UnparsedRow::new(file, &owned))?;
                } else {
                    warnings.warn(u.position().line, u.position().byte, &u.reason());
                }
            }
        }
    }
    warnings.finish();
    Ok(not_an_errlog(file, records, unparsed, first_unparsed))
}

fn write_events<W: Write>(
    args: &ParseArgs,
    w: &mut RecordWriter<W>,
    file: &str,
    bytes: &[u8],
    format: marslog::evtx::EventFormat,
) -> io::Result<bool> {
    let mut filter = marslog::evtx::EventFilter::new().event_ids(args.event_ids.iter().copied());
    for p in &args.providers {
        filter = filter.provider(p);
    }
    w.begin_file(file)?;
    let mut payload_damage = Vec::new();
    let result = events::for_each_event(bytes, format, &filter, |ev| {
        payload_damage.extend(w.event(file, ev)?);
        Ok(())
    });
    match result {
        Err(e) => {
            eprintln!("marslog: {}", e.with_path(file));
            Ok(false)
        }
        Ok(Err(io)) => Err(io),
        Ok(Ok(mut damage)) => {
            damage.extend(payload_damage);
            if args.include_unparsed {
                for d in &damage {
                    w.damage(file, d)?;
                }
            } else {
                events::warn_damage(file, &damage, MAX_WARNINGS as usize, false);
            }
            Ok(true)
        }
    }
}

fn not_an_errlog(file: &str, records: u64, unparsed: u64, first: Option<u64>) -> bool {
    if records == 0 && unparsed > 0 {
        eprintln!(
            "marslog: {file}: byte {}: not errlog: no record header found",
            first.unwrap_or(0)
        );
        return false;
    }
    true
}

fn parse_stream<W: Write>(
    args: &ParseArgs,
    w: &mut RecordWriter<W>,
    reader: impl io::Read,
    file: &str,
) -> io::Result<bool> {
    let parser = parser_for(&args.read, None, None);
    w.begin_file(file)?;
    let mut warnings = Warnings {
        file,
        shown: 0,
        hidden: 0,
    };
    let (mut records, mut unparsed) = (0u64, 0u64);
    let mut first_unparsed = None;
    for e in parser.stream(reader) {
        match e {
            Err(e) => {
                eprintln!("marslog: {}", e.with_path(file));
                return Ok(false);
            }
            Ok(EntryBuf::Record(r)) => {
                records += 1;
                w.record(&RecordRow::owned(file, &r))?;
            }
            Ok(EntryBuf::Unparsed(u)) => {
                unparsed += 1;
                first_unparsed.get_or_insert(u.position.byte);
                if args.include_unparsed {
                    w.unparsed(&UnparsedRow::new(file, &u))?;
                } else {
                    warnings.warn(u.position.line, u.position.byte, &u.reason);
                }
            }
        }
    }
    warnings.finish();
    Ok(not_an_errlog(file, records, unparsed, first_unparsed))
}
