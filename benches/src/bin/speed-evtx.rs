//! Time marslog's EVTX paths on a file, in process, one thread (a profiling and peer
//! comparison aid; benchmarks live in benches/).
//!
//! `speed-evtx MODE FILE [RUNS]`, MODE one of:
//! * `full`: every event, all System fields and every EventData/UserData value (typed,
//!   borrowed; nothing rendered);
//! * `filter`: events whose id is one of `marslog_benches::FILTER_IDS`, fully extracted;
//! * `rows`: every event written as a JSON Lines row (`Event::append_json_row`) into a
//!   buffer that is dropped every MiB (what `marslog parse --format jsonl` will write);
//! * `xml`: every event rendered with `to_xml`;
//! * `par`: like `full` through `par_iter_events` (all threads, bounded windows).
//!
//! Each run includes reading the file. Prints the median, min and max of RUNS runs
//! (default 5) and the throughput of the median.

use std::time::Instant;

use marslog::evtx::{Event, EventFilter, EvtxFile, SystemField, Value};

fn value_weight(v: &Value<'_>) -> u64 {
    match v {
        Value::Str(s) => s.as_bytes().len() as u64,
        Value::Text(t) => t.len() as u64,
        Value::Null => 0,
        _ => 1,
    }
}

fn extract(e: &Event<'_>) -> u64 {
    let mut acc = e.record_id() ^ e.written_filetime().unwrap_or(0);
    for f in SystemField::ALL {
        if let Some(v) = e.system(f) {
            acc = acc.wrapping_add(value_weight(&v));
        }
    }
    match e.data() {
        Ok(items) => {
            for f in &items {
                acc = acc
                    .wrapping_add(f.name.len() as u64)
                    .wrapping_add(value_weight(&f.value));
            }
        }
        Err(_) => acc += 1,
    }
    acc
}

fn run(mode: &str, path: &str) -> (usize, u64, u64) {
    let buf = std::fs::read(path).expect("read file");
    let file = EvtxFile::parse(&buf).expect("evtx header");
    let all = EventFilter::new();
    let some = EventFilter::new().event_ids(marslog_benches::FILTER_IDS);
    let (mut n, mut acc) = (0u64, 0u64);
    match mode {
        "full" | "filter" => {
            let filter = if mode == "full" { &all } else { &some };
            for e in file.events(filter).flatten() {
                n += 1;
                acc = acc.wrapping_add(extract(&e));
            }
        }
        "rows" => {
            let mut out = Vec::with_capacity(2 << 20);
            for e in file.events(&all).flatten() {
                n += 1;
                let _ = e.append_json_row(path, &mut out);
                if out.len() > 1 << 20 {
                    acc = acc.wrapping_add(out.len() as u64);
                    out.clear();
                }
            }
            acc = acc.wrapping_add(out.len() as u64);
        }
        "xml" => {
            for e in file.events(&all).flatten() {
                n += 1;
                acc = acc.wrapping_add(e.to_xml().map_or(0, |x| x.len() as u64));
            }
        }
        "par" => {
            for e in file.par_iter_events(&all).flatten() {
                n += 1;
                acc = acc.wrapping_add(extract(&e));
            }
        }
        other => panic!("unknown mode {other}"),
    }
    (buf.len(), n, acc)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: speed-evtx full|filter|rows|xml|par FILE [RUNS]");
        std::process::exit(2);
    }
    let runs: usize = args.get(3).map_or(5, |s| s.parse().expect("RUNS"));
    let mut times = Vec::new();
    let mut last = (0, 0, 0);
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        last = run(&args[1], &args[2]);
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    let (size, n, acc) = last;
    println!(
        "{} {}: {} bytes, {n} events, median {median:.3} s ({:.0} MB/s), min {:.3} max {:.3} (acc {acc})",
        args[1],
        args[2],
        size,
        size as f64 / median / 1e6,
        times[0],
        times[times.len() - 1],
    );
}
