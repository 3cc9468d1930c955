//! `marslog catalog`: list the documented errors.

use std::io::{self, Write};

use serde::Serialize;

use crate::args::{CatalogArgs, CatalogFormat};

#[derive(Serialize)]
struct Row {
    id: String,
    codes: Vec<String>,
    category: String,
    severity: marslog::classify::Level,
    title: String,
    source: String,
}

pub fn run(args: &CatalogArgs) -> io::Result<u8> {
    let classifier = match super::classifier(&args.catalogs) {
        Ok(c) => c,
        Err(code) => return Ok(code),
    };
    let lang = args.lang.into();
    let rows: Vec<Row> = classifier
        .catalog()
        .entries()
        .iter()
        .map(|e| Row {
            id: e.id.clone(),
            codes: e.codes(),
            category: e.category.clone(),
            severity: e.severity,
            title: e.texts(lang).title,
            source: format!(
                "{}{}",
                e.source.doc,
                e.source
                    .section
                    .as_deref()
                    .map(|s| format!(" §{s}"))
                    .unwrap_or_default()
            ),
        })
        .collect();
    let mut out = io::BufWriter::new(io::stdout().lock());
    match args.format {
        CatalogFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &classifier.catalog().entries())?;
            writeln!(out)?;
        }
        CatalogFormat::Csv => {
            let mut w = csv::Writer::from_writer(&mut out);
            w.write_record(["id", "codes", "category", "severity", "title", "source"])?;
            for r in &rows {
                w.write_record([
                    &r.id,
                    &r.codes.join(";"),
                    &r.category,
                    &format!("{:?}", r.severity).to_lowercase(),
                    &r.title,
                    &r.source,
                ])?;
            }
            w.flush()?;
        }
        CatalogFormat::Markdown => {
            writeln!(
                out,
                "| id | codes | category | severity | title | source |\n|---|---|---|---|---|---|"
            )?;
            for r in &rows {
                writeln!(
                    out,
                    "| `{}` | {} | {} | {:?} | {} | {} |",
                    r.id,
                    r.codes.join(", "),
                    r.category,
                    r.severity,
                    r.title.replace('|', "\\|"),
                    r.source
                )?;
            }
        }
        CatalogFormat::Table => {
            for r in &rows {
                let codes = r.codes.join(",");
                writeln!(
                    out,
                    "{:<40} {:<24} {:<16} {}",
                    r.id,
                    if codes.len() > 24 {
                        format!("{}…", &codes[..23])
                    } else {
                        codes
                    },
                    r.category,
                    r.title
                )?;
            }
            writeln!(out, "\n{} entries", rows.len())?;
        }
    }
    out.flush()?;
    Ok(0)
}
