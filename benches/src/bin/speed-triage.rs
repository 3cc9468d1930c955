//! Time the triage pass over a file N times and print MB/s (a profiling aid).

use marslog::classify::Classifier;
use marslog::errlog::ErrlogParser;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let buf = std::fs::read(&args[1]).expect("read file");
    let n: usize = args.get(2).map_or(5, |s| s.parse().expect("N"));
    let c = Classifier::new();
    let parser = ErrlogParser::new().with_year(2025);
    let t = std::time::Instant::now();
    let mut found = 0;
    for _ in 0..n {
        found = c.scan_errlog(&buf, &parser).len();
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "{:.0} MB/s ({found} findings)",
        (buf.len() * n) as f64 / secs / 1e6
    );
}
