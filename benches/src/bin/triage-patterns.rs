//! Print the catalog's literal anchors, one per line, for `rg -c -i -F -f FILE` (the search
//! the triage pass must at least do); with `--fingerprints`, the triage prefilter's folded
//! fingerprints instead; with `--id-regex`, one regex for the catalog's decimal error ids in
//! their documented `(ID: 34513)` form (French `(ID : 34513)` too), for `rg -c -f FILE` and
//! a Python `re` loop.

use marslog::classify::Classifier;

fn main() {
    let c = Classifier::new();
    let arg = |a: &str| std::env::args().any(|x| x == a);
    let list = if arg("--fingerprints") {
        c.triage_fingerprints()
    } else if arg("--id-regex") {
        let mut ids: Vec<u64> = c
            .catalog()
            .entries()
            .iter()
            .flat_map(|e| e.codes())
            .filter(|code| code.len() >= 4 && code.bytes().all(|b| b.is_ascii_digit()))
            .filter_map(|code| code.parse().ok())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let alternatives: Vec<String> = ids.iter().map(u64::to_string).collect();
        vec![format!(r"\(ID\s?:\s?(?:{})\)", alternatives.join("|"))]
    } else {
        c.anchors()
    };
    for p in list {
        println!("{p}");
    }
}
