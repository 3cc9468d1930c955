//! Triage throughput (UTF-8 and UTF-16LE, 32 MB, density 0.001): the memchr newline count as
//! the speed-of-memory reference, the full parse (as in `errlog.rs`), parse + triage pass,
//! the parse with every entry classified (`Classifier::classify_entries`), and the triage
//! pass alone (prefilter; decode and parse only the lines that hit), on one thread and on
//! every core (`Classifier::scan_errlog`'s segments).

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use marslog::classify::Classifier;
use marslog::errlog::ErrlogParser;
use marslog_benches::{entry_fields, errlog, Encoding};

const SIZE: usize = 32 << 20;

fn parse_all_fields(parser: &ErrlogParser, buf: &[u8]) -> u64 {
    parser
        .entries(buf)
        .fold(0u64, |acc, e| acc.wrapping_add(entry_fields(&e)))
}

/// The full parse, every entry also classified (`Classifier::classify_entries`).
fn parse_and_classify(c: &Classifier, parser: &ErrlogParser, buf: &[u8]) -> (u64, usize) {
    let mut acc = 0u64;
    let findings = c.classify_entries(
        parser
            .entries(buf)
            .inspect(|e| acc = acc.wrapping_add(entry_fields(e))),
    );
    (acc, findings.len())
}

fn classify(c: &mut Criterion) {
    let classifier = Classifier::new();
    let parser = ErrlogParser::new().with_year(2025);
    for (name, enc) in [("utf8", Encoding::Utf8), ("utf16le", Encoding::Utf16Le)] {
        let buf = errlog(SIZE, enc, 0.001, 42);
        let mut g = c.benchmark_group(format!("classify/{name}"));
        g.throughput(Throughput::Bytes(buf.len() as u64));
        g.sample_size(10);
        g.warm_up_time(Duration::from_millis(500));
        g.measurement_time(Duration::from_secs(3));
        g.bench_function("memchr_newlines", |b| {
            b.iter(|| memchr::memchr_iter(b'\n', black_box(&buf)).count())
        });
        g.bench_function("parse_all_fields", |b| {
            b.iter(|| parse_all_fields(&parser, black_box(&buf)))
        });
        g.bench_function("parse_then_scan", |b| {
            b.iter(|| {
                let acc = parse_all_fields(&parser, black_box(&buf));
                let found = classifier.scan_errlog_segments(black_box(&buf), &parser, 1, 0);
                (acc, found.len())
            })
        });
        g.bench_function("parse_and_classify", |b| {
            b.iter(|| parse_and_classify(&classifier, &parser, black_box(&buf)))
        });
        g.bench_function("triage_pass", |b| {
            b.iter(|| {
                let found = classifier.scan_errlog_segments(black_box(&buf), &parser, 1, 0);
                found.len()
            })
        });
        g.bench_function("triage_pass_all_cores", |b| {
            b.iter(|| classifier.scan_errlog(black_box(&buf), &parser).len())
        });
        g.finish();
    }
}

criterion_group!(benches, classify);
criterion_main!(benches);
