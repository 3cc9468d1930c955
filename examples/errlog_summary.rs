//! Read errlogs (files or folders) and print counts by severity and source file.
//!
//! `cargo run -p marslog-examples --example errlog_summary -- testdata/samples`

use std::collections::BTreeMap;

use marslog::errlog::{discover, ErrlogParser};
use marslog::Input;

fn main() -> Result<(), marslog::Error> {
    let mut files = Vec::new();
    for arg in std::env::args().skip(1) {
        if std::path::Path::new(&arg).is_dir() {
            let (sets, errors) = discover(&arg);
            for e in errors {
                eprintln!("skipped: {e}");
            }
            files.extend(sets.into_iter().flat_map(|s| s.files).map(|f| f.path));
        } else {
            files.push(arg.into());
        }
    }
    let mut by_severity: BTreeMap<String, u64> = BTreeMap::new();
    let mut by_source: BTreeMap<String, u64> = BTreeMap::new();
    for path in files {
        let input = Input::open(&path)?;
        let mut parser = ErrlogParser::new();
        if let Some(m) = input.modified() {
            parser = parser.with_reference(m);
        }
        let log = parser.parse(input.bytes());
        let s = log.stats();
        println!(
            "{}: {} records, {} continuation lines, {} unparsed, {} ({})",
            path.display(),
            s.records,
            s.continuation_lines,
            s.unparsed_lines,
            s.encoding.name(),
            if s.reconciles() {
                "all lines accounted for"
            } else {
                "accounting mismatch!"
            }
        );
        for r in log.records() {
            *by_severity
                .entry(r.severity_word().into_owned())
                .or_default() += 1;
            *by_source.entry(r.source().into_owned()).or_default() += 1;
        }
    }
    println!("\nby severity: {by_severity:?}");
    println!("by source:   {by_source:?}");
    Ok(())
}
