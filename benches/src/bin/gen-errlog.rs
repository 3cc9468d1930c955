//! Write a synthetic errlog: `gen-errlog SIZE_MB utf8|utf16le DENSITY SEED OUT`.

use marslog_benches::{errlog, Encoding};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 6 {
        eprintln!("usage: gen-errlog SIZE_MB utf8|utf16le DENSITY SEED OUT");
        std::process::exit(2);
    }
    let size: usize = args[1].parse::<usize>().expect("SIZE_MB") << 20;
    let enc = match args[2].as_str() {
        "utf8" => Encoding::Utf8,
        "utf16le" => Encoding::Utf16Le,
        other => panic!("unknown encoding {other}"),
    };
    let density: f64 = args[3].parse().expect("DENSITY");
    let seed: u64 = args[4].parse().expect("SEED");
    std::fs::write(&args[5], errlog(size, enc, density, seed)).expect("write OUT");
}
