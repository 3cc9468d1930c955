//! Errlog parse throughput (UTF-8 and UTF-16LE), next to a plain memchr newline count of the
//! same bytes as the speed-of-memory reference.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use marslog::errlog::{Entry, ErrlogParser};
use marslog_benches::{entry_fields, errlog, Encoding};

const SIZE: usize = 32 << 20;

fn parse(c: &mut Criterion) {
    for (name, enc) in [("utf8", Encoding::Utf8), ("utf16le", Encoding::Utf16Le)] {
        let buf = errlog(SIZE, enc, 0.001, 42);
        let parser = ErrlogParser::new().with_year(2025);
        let mut g = c.benchmark_group(format!("errlog/{name}"));
        g.throughput(Throughput::Bytes(buf.len() as u64));
        g.sample_size(10);
        g.bench_function("memchr_newlines", |b| {
            b.iter(|| memchr::memchr_iter(b'\n', black_box(&buf)).count())
        });
        g.bench_function("parse_all_fields", |b| {
            b.iter(|| {
                // every record and every numeric field; text fields as borrowed slices
                parser
                    .entries(black_box(&buf))
                    .fold(0u64, |acc, e| acc.wrapping_add(entry_fields(&e)))
            })
        });
        g.bench_function("parse_and_decode_text", |b| {
            b.iter(|| {
                let mut acc = 0usize;
                for e in parser.entries(black_box(&buf)) {
                    if let Entry::Record(r) = e {
                        acc += r.message().len()
                            + r.source().len()
                            + r.task_id().map_or(0, |t| t.len());
                    }
                }
                acc
            })
        });
        g.finish();
    }
}

criterion_group!(benches, parse);
criterion_main!(benches);
