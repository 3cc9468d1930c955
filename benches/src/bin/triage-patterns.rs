//! Print the catalog's literal anchors, one per line, for `rg -c -i -F -f FILE` (the search
//! the triage pass must at least do); with `--fingerprints`, the triage prefilter's folded
//! fingerprints instead.

use marslog::classify::Classifier;

fn main() {
    let c = Classifier::new();
    let list = if std::env::args().any(|a| a == "--fingerprints") {
        c.triage_fingerprints()
    } else {
        c.anchors()
    };
    for p in list {
        println!("{p}");
    }
}
