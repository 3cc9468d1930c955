//! Replay of every input under `testdata/fuzz-regressions/<target>/` through its fuzz
//! target's body (`marslog::fuzzing`), plus the fixtures and samples through every target:
//! none may panic or break an invariant.

use crate::util::testdata;

#[test]
fn fuzz_regressions_replay() {
    let mut replayed = 0;
    for (name, target) in marslog::fuzzing::TARGETS {
        let dir = testdata(&format!("fuzz-regressions/{name}"));
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries {
            let path = e.unwrap().path();
            if path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            {
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            target(&bytes);
            replayed += 1;
        }
    }
    eprintln!("replayed {replayed} fuzz regression inputs");
}

#[test]
fn every_fixture_through_every_target() {
    let mut files = Vec::new();
    for dir in [
        "errlog",
        "samples/SRV-FS01/Temp",
        "samples/SRV-FS01/Logs",
        "samples/MABS01/DPM/Temp",
    ] {
        for e in std::fs::read_dir(testdata(dir)).unwrap() {
            files.push(e.unwrap().path());
        }
    }
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        for (_, target) in marslog::fuzzing::TARGETS {
            if bytes.len() <= 64 << 10 {
                target(&bytes);
            }
        }
    }
}
