use std::path::PathBuf;

pub fn testdata(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata")
        .join(rel)
}

/// Every errlog fixture and sample log (`testdata/errlog`, the samples' errlog folders):
/// its path, as text, and its bytes.
pub fn errlog_inputs() -> Vec<(String, Vec<u8>)> {
    let mut inputs = Vec::new();
    for dir in ["errlog", "samples/SRV-FS01/Temp", "samples/MABS01/DPM/Temp"] {
        for e in std::fs::read_dir(testdata(dir)).unwrap() {
            let path = e.unwrap().path();
            let buf = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            inputs.push((path.display().to_string(), buf));
        }
    }
    inputs
}

pub fn read(rel: &str) -> Vec<u8> {
    std::fs::read(testdata(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The blank-line check used by the losslessness assertions: only spaces, TABs and line
/// breaks (in the given encoding's decoded form).
pub fn is_blank_text(s: &str) -> bool {
    s.chars().all(|c| matches!(c, ' ' | '\t' | '\r' | '\n'))
}
