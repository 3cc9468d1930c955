//! Record writers: JSON Lines, CSV and a plain table. Keys are stable and documented in
//! the README ("JSON Lines keys").

use std::borrow::Cow;
use std::io::{self, Write};

use chrono::SecondsFormat;
use marslog::errlog::{Record, RecordBuf, UnparsedBuf};
use serde::Serialize;

use crate::args::ParseFormat;

/// One record as written by `parse`.
#[derive(Debug, Serialize)]
pub struct RecordRow<'a> {
    pub file: &'a str,
    pub line: u64,
    pub offset: u64,
    pub timestamp: Option<String>,
    pub pid: String,
    pub tid: String,
    pub column5: Cow<'a, str>,
    pub source: Cow<'a, str>,
    pub source_line: u32,
    pub pointer: Option<String>,
    pub task_id: Option<Cow<'a, str>>,
    pub severity: Cow<'a, str>,
    pub message: Cow<'a, str>,
}

fn ts(t: Option<chrono::DateTime<chrono::Utc>>) -> Option<String> {
    t.map(|t| t.to_rfc3339_opts(SecondsFormat::AutoSi, true))
}

impl<'a> RecordRow<'a> {
    pub fn borrowed(file: &'a str, r: &Record<'a>) -> Self {
        RecordRow {
            file,
            line: r.position().line,
            offset: r.position().byte,
            timestamp: ts(r.timestamp()),
            pid: format!("{:04X}", r.pid()),
            tid: format!("{:04X}", r.tid()),
            column5: r.column5(),
            source: r.source(),
            source_line: r.source_line(),
            pointer: r.pointer().map(|p| format!("{p:016X}")),
            task_id: r.task_id(),
            severity: r.severity_word(),
            message: r.message(),
        }
    }

    pub fn owned(file: &'a str, r: &'a RecordBuf) -> Self {
        RecordRow {
            file,
            line: r.position.line,
            offset: r.position.byte,
            timestamp: ts(r.timestamp),
            pid: format!("{:04X}", r.pid),
            tid: format!("{:04X}", r.tid),
            column5: Cow::Borrowed(&r.column5),
            source: Cow::Borrowed(&r.source),
            source_line: r.source_line,
            pointer: r.pointer.map(|p| format!("{p:016X}")),
            task_id: r.task_id.as_deref().map(Cow::Borrowed),
            severity: Cow::Borrowed(&r.severity_word),
            message: Cow::Borrowed(&r.message),
        }
    }
}

/// An unparsed line as written with `--include-unparsed`.
#[derive(Debug, Serialize)]
pub struct UnparsedRow<'a> {
    pub file: &'a str,
    pub line: u64,
    pub offset: u64,
    pub reason: String,
    pub text: &'a str,
}

impl<'a> UnparsedRow<'a> {
    pub fn new(file: &'a str, u: &'a UnparsedBuf) -> Self {
        UnparsedRow {
            file,
            line: u.position.line,
            offset: u.position.byte,
            reason: u.reason.to_string(),
            text: &u.text,
        }
    }
}

const EVENT_KEYS: [&str; 9] = [
    "file",
    "record_id",
    "timestamp",
    "event_id",
    "provider",
    "channel",
    "computer",
    "level",
    "data",
];

enum Sink<W: Write> {
    Plain(W),
    Csv(Box<csv::Writer<W>>),
}

/// Writes records in one format.
pub struct RecordWriter<W: Write> {
    format: ParseFormat,
    sink: Sink<W>,
    event_header: bool,
    /// Reused buffer for event rows.
    row: Vec<u8>,
}

fn csv_err(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

impl<W: Write> RecordWriter<W> {
    pub fn new(format: ParseFormat, out: W) -> Self {
        let sink = match format {
            ParseFormat::Csv => Sink::Csv(Box::new(csv::Writer::from_writer(out))),
            ParseFormat::Jsonl | ParseFormat::Table => Sink::Plain(out),
        };
        RecordWriter {
            format,
            sink,
            event_header: false,
            row: Vec::with_capacity(4096),
        }
    }

    pub fn record(&mut self, row: &RecordRow<'_>) -> io::Result<()> {
        match (&mut self.sink, self.format) {
            (Sink::Plain(out), ParseFormat::Jsonl) => {
                serde_json::to_writer(&mut *out, row)?;
                out.write_all(b"\n")
            }
            // csv writes the header row (the field names) before the first record
            (Sink::Csv(w), _) => w.serialize(row).map_err(csv_err),
            (Sink::Plain(out), _) => {
                let first_line = row.message.lines().next().unwrap_or("");
                let more = if row.message.lines().nth(1).is_some() {
                    " ⏎…"
                } else {
                    ""
                };
                writeln!(
                    out,
                    "{:>6}  {:<24}  {}/{}  {:<8}  {:<32}  {first_line}{more}",
                    row.line,
                    row.timestamp.as_deref().unwrap_or("-"),
                    row.pid,
                    row.tid,
                    row.severity,
                    format!("{}({})", row.source, row.source_line),
                )
            }
        }
    }

    /// Write one event (JSON Lines keys: file, record_id, timestamp, event_id, provider,
    /// channel, computer, level, data; CSV: the same with data as a JSON object string).
    /// JSON Lines rows are written straight from the event's bytes (`Event::append_json_row`).
    /// Returns payload damage (the row is still written, with empty data).
    pub fn event(
        &mut self,
        file: &str,
        ev: &marslog::evtx::Event<'_>,
    ) -> io::Result<Option<marslog::evtx::Damage>> {
        match (&mut self.sink, self.format) {
            (Sink::Plain(out), ParseFormat::Jsonl) => {
                self.row.clear();
                let damage = ev.append_json_row(file, &mut self.row);
                out.write_all(&self.row)?;
                Ok(damage)
            }
            (Sink::Plain(out), _) => {
                crate::events::table_line(out, &crate::events::EventRow::new(file, ev))
                    .map(|_| None)
            }
            (Sink::Csv(w), _) => {
                if !self.event_header {
                    self.event_header = true;
                    w.write_record(EVENT_KEYS).map_err(csv_err)?;
                }
                let row = crate::events::EventRow::new(file, ev);
                let opt = |v: Option<String>| v.unwrap_or_default();
                w.write_record([
                    row.file.to_string(),
                    row.record_id.to_string(),
                    opt(row.timestamp.clone()),
                    opt(row.event_id.map(|v| v.to_string())),
                    opt(row.provider.clone()),
                    opt(row.channel.clone()),
                    opt(row.computer.clone()),
                    opt(row.level.map(|v| v.to_string())),
                    serde_json::Value::Object(row.data.clone()).to_string(),
                ])
                .map_err(csv_err)?;
                Ok(None)
            }
        }
    }

    /// A damaged chunk or record, as an `{"unparsed": …}` object (JSON Lines only).
    pub fn damage(&mut self, file: &str, d: &marslog::evtx::Damage) -> io::Result<()> {
        match (&mut self.sink, self.format) {
            (Sink::Plain(out), ParseFormat::Jsonl) => {
                let v = serde_json::json!({ "unparsed": {
                    "file": file, "offset": d.offset, "record_id": d.record_id, "reason": d.to_string() } });
                serde_json::to_writer(&mut *out, &v)?;
                out.write_all(b"\n")
            }
            _ => Ok(()),
        }
    }

    /// Announce the next input (table format only: a `==> file <==` line).
    pub fn begin_file(&mut self, file: &str) -> io::Result<()> {
        match (&mut self.sink, self.format) {
            (Sink::Plain(out), ParseFormat::Table) => writeln!(out, "==> {file} <=="),
            _ => Ok(()),
        }
    }

    pub fn unparsed(&mut self, row: &UnparsedRow<'_>) -> io::Result<()> {
        match (&mut self.sink, self.format) {
            (Sink::Plain(out), ParseFormat::Jsonl) => {
                serde_json::to_writer(&mut *out, &serde_json::json!({ "unparsed": row }))?;
                out.write_all(b"\n")
            }
            _ => Ok(()),
        }
    }

    pub fn flush(&mut self) -> io::Result<()> {
        match &mut self.sink {
            Sink::Plain(out) => out.flush(),
            Sink::Csv(w) => w.flush(),
        }
    }
}
