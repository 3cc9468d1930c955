//! Write a synthetic `.evtx` log: `gen-evtx SIZE_MB SEED OUT` (see `marslog_benches::evtx`).

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 4 {
        eprintln!("usage: gen-evtx SIZE_MB SEED OUT");
        std::process::exit(2);
    }
    let size: usize = args[1].parse::<usize>().expect("SIZE_MB") << 20;
    let seed: u64 = args[2].parse().expect("SEED");
    std::fs::write(&args[3], marslog_benches::evtx(size, seed)).expect("write OUT");
}
