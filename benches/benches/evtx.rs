//! EVTX throughput on a generated log (`marslog_benches::evtx`, 32 MiB): full field
//! extraction, a filtered scan for a handful of event ids, JSON Lines rows, `to_xml`
//! rendering, and reading the same events back from an XML export. The corpus's biggest
//! files are measured too when `../shared/corpus/evtx` is present (skipped otherwise).

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, Throughput};
use marslog::evtx::{read_xml_events, Event, EventFilter, EvtxFile, SystemField, Value};
use marslog_benches::{evtx, FILTER_IDS};

const SIZE: usize = 32 << 20;

fn weight(v: &Value<'_>) -> u64 {
    match v {
        Value::Str(s) => s.as_bytes().len() as u64,
        Value::Text(t) => t.len() as u64,
        Value::Null => 0,
        _ => 1,
    }
}

/// Every System field and every data item, typed and borrowed.
fn extract(e: &Event<'_>) -> u64 {
    let mut acc = e.record_id();
    for f in SystemField::ALL {
        acc += e.system(f).map_or(0, |v| weight(&v));
    }
    for f in e.data().unwrap_or_default() {
        acc += f.name.len() as u64 + weight(&f.value);
    }
    acc
}

fn evtx_groups<M: criterion::measurement::Measurement>(g: &mut BenchmarkGroup<'_, M>, buf: &[u8]) {
    let all = EventFilter::new();
    let some = EventFilter::new().event_ids(FILTER_IDS);
    g.bench_function("full_extraction", |b| {
        b.iter(|| {
            let file = EvtxFile::parse(black_box(buf)).unwrap();
            file.events(&all)
                .flatten()
                .map(|e| extract(&e))
                .sum::<u64>()
        })
    });
    g.bench_function("filtered_scan", |b| {
        b.iter(|| {
            let file = EvtxFile::parse(black_box(buf)).unwrap();
            file.events(&some)
                .flatten()
                .map(|e| extract(&e))
                .sum::<u64>()
        })
    });
    g.bench_function("json_rows", |b| {
        let mut out = Vec::with_capacity(2 << 20);
        b.iter(|| {
            let file = EvtxFile::parse(black_box(buf)).unwrap();
            let mut n = 0;
            for e in file.events(&all).flatten() {
                let _ = e.append_json_row("bench.evtx", &mut out);
                if out.len() > 1 << 20 {
                    n += out.len();
                    out.clear();
                }
            }
            n + out.len()
        })
    });
    g.bench_function("to_xml", |b| {
        b.iter(|| {
            let file = EvtxFile::parse(black_box(buf)).unwrap();
            file.events(&all)
                .flatten()
                .map(|e| e.to_xml().map_or(0, |x| x.len()))
                .sum::<usize>()
        })
    });
}

fn generated(c: &mut Criterion) {
    let buf = evtx(SIZE, 42);
    let mut g = c.benchmark_group("evtx/generated");
    g.throughput(Throughput::Bytes(buf.len() as u64));
    g.sample_size(10);
    evtx_groups(&mut g, &buf);
    g.finish();

    // The same events as an XML export (wevtutil-style stream of <Event> elements).
    let file = EvtxFile::parse(&buf).unwrap();
    let mut xml = String::new();
    for e in file.events(&EventFilter::new()).flatten().take(20_000) {
        xml.push_str(&e.to_xml().unwrap());
        xml.push_str("\r\n");
    }
    let mut g = c.benchmark_group("evtx/xml_export");
    g.throughput(Throughput::Bytes(xml.len() as u64));
    g.sample_size(10);
    g.bench_function("read_xml_events", |b| {
        b.iter(|| {
            let (events, _) = read_xml_events(black_box(xml.as_bytes()), &EventFilter::new());
            events.iter().map(extract).sum::<u64>()
        })
    });
    g.finish();
}

fn corpus(c: &mut Criterion) {
    let dir = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/corpus/evtx"
    ));
    let mut files: Vec<_> = walk(dir);
    if files.is_empty() {
        eprintln!(
            "notice: {} not found; corpus benchmarks skipped",
            dir.display()
        );
        return;
    }
    files.sort_by_key(|(len, _)| std::cmp::Reverse(*len));
    // The biggest files, each read on its own (chunks are file-relative).
    let bufs: Vec<Vec<u8>> = files
        .iter()
        .take(8)
        .filter_map(|(_, p)| std::fs::read(p).ok())
        .collect();
    let total: usize = bufs.iter().map(Vec::len).sum();
    let mut g = c.benchmark_group("evtx/corpus");
    g.throughput(Throughput::Bytes(total as u64));
    g.sample_size(10);
    let all = EventFilter::new();
    g.bench_function("full_extraction", |b| {
        b.iter(|| {
            let mut acc = 0;
            for buf in &bufs {
                let file = EvtxFile::parse(black_box(buf)).unwrap();
                acc += file
                    .events(&all)
                    .flatten()
                    .map(|e| extract(&e))
                    .sum::<u64>();
            }
            acc
        })
    });
    g.finish();
}

fn walk(dir: &Path) -> Vec<(u64, std::path::PathBuf)> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for p in entries.flatten().map(|e| e.path()) {
        if p.is_dir() {
            out.extend(walk(&p));
        } else if p.extension().is_some_and(|x| x == "evtx") {
            out.push((std::fs::metadata(&p).map_or(0, |m| m.len()), p));
        }
    }
    out
}

criterion_group!(benches, generated, corpus);
criterion_main!(benches);
