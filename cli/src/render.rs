//! Triage report renderers: a readable table, Markdown for tickets, JSON, JSON Lines, CSV.

use std::io::{self, Write};

use chrono::{DateTime, SecondsFormat, Utc};
use marslog::classify::{Classifier, Finding, Lang, Level, Summary};
use serde::Serialize;

/// What a triage run found.
pub struct Report<'a> {
    pub files: usize,
    pub bytes: u64,
    pub findings: usize,
    pub summary: &'a [Summary],
    pub errors: &'a [marslog::Error],
    pub lang: Lang,
}

fn ts(t: Option<DateTime<Utc>>) -> String {
    t.map_or_else(
        || "-".into(),
        |t| t.to_rfc3339_opts(SecondsFormat::Millis, true),
    )
}

fn level_word(l: Level, lang: Lang) -> &'static str {
    match (l, lang) {
        (Level::Error, Lang::En) => "ERROR",
        (Level::Error, Lang::Fr) => "ERREUR",
        (Level::Warning, Lang::En) => "WARNING",
        (Level::Warning, Lang::Fr) => "AVERTISSEMENT",
        (Level::Info, _) => "INFO",
    }
}

struct Words {
    findings: &'static str,
    first: &'static str,
    last: &'static str,
    files: &'static str,
    jobs: &'static str,
    example: &'static str,
    causes: &'static str,
    actions: &'static str,
    source: &'static str,
    none: &'static str,
}

fn words(lang: Lang) -> Words {
    match lang {
        Lang::En => Words {
            findings: "findings",
            first: "first",
            last: "last",
            files: "files",
            jobs: "jobs",
            example: "e.g.",
            causes: "Possible causes",
            actions: "Recommended actions",
            source: "Source",
            none: "No documented MARS error found.",
        },
        Lang::Fr => Words {
            findings: "occurrences",
            first: "première",
            last: "dernière",
            files: "fichiers",
            jobs: "travaux",
            example: "ex.",
            causes: "Causes possibles",
            actions: "Actions recommandées",
            source: "Source",
            none: "Aucune erreur MARS documentée trouvée.",
        },
    }
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("")
}

fn source_line(s: &Summary) -> String {
    let mut out = s.source.doc.clone();
    if let Some(sec) = &s.source.section {
        out.push_str(&format!(" §{sec}"));
    }
    if let Some(url) = &s.source.url {
        out.push_str(&format!(" — {url}"));
    }
    out
}

fn location(f: &Finding) -> String {
    let file = f.file.as_deref().unwrap_or("-");
    match (f.line, f.record_id) {
        (_, Some(r)) => format!("{file} record {r}"),
        (Some(l), None) => format!("{file}:{l}"),
        (None, None) => file.to_string(),
    }
}

/// The default, human-readable report.
pub fn table(out: &mut impl Write, r: &Report<'_>, c: &Classifier, colour: bool) -> io::Result<()> {
    let w = words(r.lang);
    let paint = |code: &str, s: &str| {
        if colour {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    };
    writeln!(
        out,
        "marslog triage: {} files, {:.1} MB, {} {} in {} documented errors{}",
        r.files,
        r.bytes as f64 / 1e6,
        r.findings,
        w.findings,
        r.summary.len(),
        if r.errors.is_empty() {
            String::new()
        } else {
            format!(", {} unreadable inputs", r.errors.len())
        }
    )?;
    if r.summary.is_empty() {
        writeln!(out, "\n{}", w.none)?;
    }
    for s in r.summary {
        let level = level_word(s.severity, r.lang);
        let level = match s.severity {
            Level::Error => paint("1;31", level),
            Level::Warning => paint("1;33", level),
            Level::Info => paint("2", level),
        };
        let entry = c.catalog().get(&s.id);
        let codes = entry.map(|e| e.codes().join(", ")).unwrap_or_default();
        writeln!(out, "\n{level}  {}  [{}]", paint("1", &s.title), s.id)?;
        if !codes.is_empty() {
            writeln!(out, "  codes: {codes}")?;
        }
        writeln!(
            out,
            "  {} {} · {} {} · {} {} · {} {}{}",
            s.count,
            w.findings,
            w.first,
            ts(s.first_seen),
            w.last,
            ts(s.last_seen),
            s.files.len(),
            w.files,
            if s.jobs.is_empty() {
                String::new()
            } else {
                format!(" · {} {}: {}", s.jobs.len(), w.jobs, s.jobs.join(", "))
            }
        )?;
        writeln!(
            out,
            "  {} {}  {}",
            w.example,
            location(&s.example),
            first_line(&s.example.message)
        )?;
        if s.severity == Level::Info {
            continue;
        }
        writeln!(out, "  {}:", w.causes)?;
        for cause in &s.causes {
            writeln!(out, "    - {cause}")?;
        }
        writeln!(out, "  {}:", w.actions)?;
        for action in &s.actions {
            writeln!(out, "    - {action}")?;
        }
        writeln!(out, "  {}: {}", w.source, source_line(s))?;
    }
    Ok(())
}

fn md_cell(s: &str) -> String {
    first_line(s).replace('|', "\\|")
}

/// A Markdown summary to paste into a ticket.
pub fn markdown(out: &mut impl Write, r: &Report<'_>) -> io::Result<()> {
    let w = words(r.lang);
    writeln!(out, "## marslog triage\n")?;
    writeln!(
        out,
        "{} files, {:.1} MB, {} {}.\n",
        r.files,
        r.bytes as f64 / 1e6,
        r.findings,
        w.findings
    )?;
    if r.summary.is_empty() {
        return writeln!(out, "{}", w.none);
    }
    writeln!(
        out,
        "| | error | codes | {} | {} | {} |",
        w.findings, w.first, w.last
    )?;
    writeln!(out, "|---|---|---|---|---|---|")?;
    for s in r.summary {
        writeln!(
            out,
            "| {} | {} (`{}`) | {} | {} | {} | {} |",
            level_word(s.severity, r.lang),
            md_cell(&s.title),
            s.id,
            md_cell(&s.codes.join(", ")),
            s.count,
            ts(s.first_seen),
            ts(s.last_seen)
        )?;
    }
    for s in r.summary.iter().filter(|s| s.severity != Level::Info) {
        writeln!(out, "\n### {} (`{}`)\n", s.title, s.id)?;
        writeln!(
            out,
            "{} `{}`:\n\n```\n{}\n```\n",
            w.example,
            location(&s.example),
            first_line(&s.example.message)
        )?;
        writeln!(out, "**{}**\n", w.causes)?;
        for cause in &s.causes {
            writeln!(out, "- {cause}")?;
        }
        writeln!(out, "\n**{}**\n", w.actions)?;
        for action in &s.actions {
            writeln!(out, "- {action}")?;
        }
        writeln!(out, "\n{}: {}", w.source, source_line(s))?;
    }
    Ok(())
}

#[derive(Serialize)]
struct JsonReport<'a> {
    files: usize,
    bytes: u64,
    findings: usize,
    errors: Vec<String>,
    summary: &'a [Summary],
}

/// The whole report as one JSON document.
pub fn json(out: &mut impl Write, r: &Report<'_>) -> io::Result<()> {
    let doc = JsonReport {
        files: r.files,
        bytes: r.bytes,
        findings: r.findings,
        errors: r.errors.iter().map(|e| e.to_string()).collect(),
        summary: r.summary,
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

/// One finding as written by `jsonl` and `csv` (stable keys, documented in the README).
#[derive(Serialize)]
pub struct FindingRow<'a> {
    pub id: &'a str,
    pub codes: Vec<String>,
    pub title: String,
    pub level: Level,
    pub file: Option<&'a str>,
    pub line: Option<u64>,
    pub record_id: Option<u64>,
    pub offset: u64,
    pub timestamp: Option<String>,
    pub severity: Option<&'a str>,
    pub task_id: Option<&'a str>,
    pub code: String,
    pub matched: &'a str,
    pub message: &'a str,
}

fn row<'a>(f: &'a Finding, c: &Classifier, lang: Lang) -> FindingRow<'a> {
    let entry = c.catalog().get(&f.id);
    FindingRow {
        id: &f.id,
        codes: entry.map(|e| e.codes()).unwrap_or_default(),
        title: entry.map(|e| e.texts(lang).title).unwrap_or_default(),
        level: entry.map_or(Level::Warning, |e| e.severity),
        file: f.file.as_deref(),
        line: f.line,
        record_id: f.record_id,
        offset: f.offset,
        timestamp: f
            .timestamp
            .map(|t| t.to_rfc3339_opts(SecondsFormat::AutoSi, true)),
        severity: f.severity.as_deref(),
        task_id: f.task_id.as_deref(),
        code: f.code.display(),
        matched: &f.matched,
        message: &f.message,
    }
}

/// Findings written one by one: JSON Lines, or CSV rows (`codes` joined with `;`) after
/// a header row.
pub enum Rows<W: Write> {
    /// One JSON object per line.
    Jsonl(W),
    /// One CSV row per finding.
    Csv(Box<csv::Writer<W>>),
}

impl<W: Write> Rows<W> {
    /// JSON Lines to `out`.
    pub fn jsonl(out: W) -> Self {
        Rows::Jsonl(out)
    }

    /// CSV to `out`; writes the header row.
    pub fn csv(out: W) -> io::Result<Self> {
        let mut w = csv::Writer::from_writer(out);
        w.write_record(marslog::classify::FINDING_COLUMNS)?;
        Ok(Rows::Csv(Box::new(w)))
    }

    /// Write one finding.
    pub fn write(&mut self, f: &Finding, c: &Classifier, lang: Lang) -> io::Result<()> {
        let x = row(f, c, lang);
        match self {
            Rows::Jsonl(out) => {
                serde_json::to_writer(&mut *out, &x)?;
                writeln!(out)
            }
            Rows::Csv(w) => {
                let opt = |v: Option<u64>| v.map(|n| n.to_string()).unwrap_or_default();
                w.write_record([
                    x.id.to_string(),
                    x.codes.join(";"),
                    x.title,
                    format!("{:?}", x.level).to_lowercase(),
                    x.file.unwrap_or_default().to_string(),
                    opt(x.line),
                    opt(x.record_id),
                    x.offset.to_string(),
                    x.timestamp.unwrap_or_default(),
                    x.severity.unwrap_or_default().to_string(),
                    x.task_id.unwrap_or_default().to_string(),
                    x.code,
                    x.matched.to_string(),
                    x.message.to_string(),
                ])?;
                Ok(())
            }
        }
    }

    /// Flush what is buffered.
    pub fn flush(&mut self) -> io::Result<()> {
        match self {
            Rows::Jsonl(out) => out.flush(),
            Rows::Csv(w) => w.flush(),
        }
    }
}
