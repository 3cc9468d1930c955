//! Parse a file N times and print MB/s (a profiling aid; benchmarks live in benches/).

use marslog::errlog::ErrlogParser;
use marslog_benches::entry_fields;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let buf = std::fs::read(&args[1]).expect("read file");
    let n: usize = args.get(2).map_or(5, |s| s.parse().expect("N"));
    let parser = ErrlogParser::new().with_year(2025);
    let t = std::time::Instant::now();
    let mut acc = 0u64;
    for _ in 0..n {
        // the same fields as the criterion bench `errlog/*/parse_all_fields`
        acc = parser
            .entries(&buf)
            .fold(acc, |acc, e| acc.wrapping_add(entry_fields(&e)));
    }
    let secs = t.elapsed().as_secs_f64();
    println!("{:.0} MB/s ({acc})", (buf.len() * n) as f64 / secs / 1e6);
}
