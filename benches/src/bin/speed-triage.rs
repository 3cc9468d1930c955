//! Time the triage pass over a file N times and print MB/s (a profiling aid).
//!
//! `speed-triage FILE [N] [MODE]`, MODE one of `pass` (the triage pass on this thread, the
//! default), `par` (`Classifier::scan_errlog`: segments on every core), `parse` (the full
//! parse, every field read as in the criterion benches) and `classify` (that parse with
//! every entry classified by `Classifier::classify_entries`).

use marslog::classify::Classifier;
use marslog::errlog::ErrlogParser;
use marslog_benches::entry_fields;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let buf = std::fs::read(&args[1]).expect("read file");
    let n: usize = args.get(2).map_or(5, |s| s.parse().expect("N"));
    let mode = args.get(3).map_or("pass", String::as_str);
    let c = Classifier::new();
    let parser = ErrlogParser::new().with_year(2025);
    let t = std::time::Instant::now();
    let (mut found, mut acc) = (0, 0u64);
    for _ in 0..n {
        match mode {
            "pass" => found = c.scan_errlog_segments(&buf, &parser, 1, 0).len(),
            "par" => found = c.scan_errlog(&buf, &parser).len(),
            "parse" => {
                acc = parser
                    .entries(&buf)
                    .fold(acc, |acc, e| acc.wrapping_add(entry_fields(&e)))
            }
            "classify" => {
                let entries = parser
                    .entries(&buf)
                    .inspect(|e| acc = acc.wrapping_add(entry_fields(e)));
                found = c.classify_entries(entries).len();
            }
            other => panic!("unknown mode {other}: pass, par, parse or classify"),
        }
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "{mode}: {:.0} MB/s ({found} findings, {acc})",
        (buf.len() * n) as f64 / secs / 1e6
    );
}
