//! Every `.evtx` of the shared corpus, truncated and bit-flipped at many offsets, through
//! the fuzz body `marslog::fuzzing::evtx_read`: no panic, sequential and parallel reading
//! agree, and each file takes bounded time. Skipped with a notice when the corpus is absent.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use proptest::prelude::*;

fn corpus() -> Option<Vec<PathBuf>> {
    let dir = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/corpus/evtx"
    ));
    if !dir.is_dir() {
        eprintln!(
            "notice: {} is absent; EVTX damage tests skipped",
            dir.display()
        );
        return None;
    }
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).ok()?.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "evtx") {
                out.push(p);
            }
        }
    }
    out.sort();
    Some(out)
}

/// Offsets spread over the file, denser in the header and the first chunk.
fn offsets(len: usize, n: usize) -> Vec<usize> {
    let mut v: Vec<usize> = [
        0,
        1,
        7,
        8,
        40,
        127,
        128,
        4095,
        4096,
        4097,
        4096 + 512,
        4096 + 600,
    ]
    .into_iter()
    .filter(|&o| o < len)
    .collect();
    v.extend((1..n).map(|k| len * k / n));
    v
}

#[test]
fn truncations_and_bit_flips_of_every_corpus_file() {
    let Some(files) = corpus() else { return };
    let mut cases = 0;
    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        let start = Instant::now();
        for at in offsets(bytes.len(), 4) {
            marslog::fuzzing::evtx_read(&bytes[..at]);
            let mut flipped = bytes.clone();
            flipped[at] ^= 0x5A;
            marslog::fuzzing::evtx_read(&flipped);
            cases += 2;
        }
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "{}: too slow",
            path.display()
        );
    }
    eprintln!(
        "{cases} damaged variants of {} corpus files read without panic",
        files.len()
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    /// Random multi-byte corruption of a random corpus file.
    #[test]
    fn random_corruption(file_pick in any::<prop::sample::Index>(), edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..16)) {
        let Some(files) = corpus() else { return Ok(()) };
        let path = file_pick.get(&files);
        let mut bytes = std::fs::read(path).unwrap();
        for (at, b) in edits {
            let i = at.index(bytes.len());
            bytes[i] = b;
        }
        marslog::fuzzing::evtx_read(&bytes);
    }
}
