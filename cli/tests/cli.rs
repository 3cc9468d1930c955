//! The `marslog` binary run on testdata, as a user would.

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn testdata(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata")
        .join(rel)
}

fn marslog(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_marslog"))
        .args(args)
        .output()
        .expect("run marslog")
}

fn jsonl(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[test]
fn parse_jsonl_has_the_documented_keys_and_values() {
    let f = testdata("errlog/CBEngineCurr.errlog");
    let out = marslog(&["parse", f.to_str().unwrap(), "--year", "2025"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows = jsonl(&out);
    assert_eq!(rows.len(), 6);
    let keys: Vec<_> = rows[0].as_object().unwrap().keys().cloned().collect();
    let mut expected = [
        "file",
        "line",
        "offset",
        "timestamp",
        "pid",
        "tid",
        "column5",
        "source",
        "source_line",
        "pointer",
        "task_id",
        "severity",
        "message",
    ]
    .map(String::from)
    .to_vec();
    expected.sort();
    let mut keys_sorted = keys.clone();
    keys_sorted.sort();
    assert_eq!(keys_sorted, expected);
    let r = &rows[3];
    assert_eq!(r["line"], 6);
    assert_eq!(r["timestamp"], "2025-03-14T08:01:02.010Z");
    assert_eq!(r["pid"], "1A2C");
    assert_eq!(r["source"], "backupasync.cpp");
    assert_eq!(r["source_line"], 1184);
    assert_eq!(r["pointer"], "0000000002B4C1F0");
    assert_eq!(r["severity"], "WARNING");
    assert_eq!(
        r["message"],
        "Failed: Hr: = [0x80780054] Offline Backup Progress: Failed"
    );
    assert_eq!(rows[2]["pointer"], serde_json::Value::Null);
}

#[test]
fn bad_inputs_exit_2_and_the_others_are_still_processed() {
    let good = testdata("errlog/mars-utf8.errlog");
    let bin = testdata("errlog/not-an-errlog.bin");
    let out = marslog(&[
        "parse",
        "/nonexistent/CBEngineCurr.errlog",
        bin.to_str().unwrap(),
        good.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(jsonl(&out).len(), 6);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("/nonexistent/CBEngineCurr.errlog"), "{err}");
    assert!(
        err.contains("not-an-errlog.bin: byte 0: not errlog"),
        "{err}"
    );
}

#[test]
fn collapsed_copy_needs_tolerant_and_says_so() {
    let f = testdata("errlog/mars-collapsed.errlog");
    let out = marslog(&["parse", f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("try --tolerant"));
    let out = marslog(&["parse", "--tolerant", f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(jsonl(&out).len(), 6);
}

#[test]
fn unparsed_lines_warn_or_go_into_the_output() {
    let f = testdata("errlog/malformed.errlog");
    let out = marslog(&["parse", f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(jsonl(&out).len(), 2);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("malformed.errlog:2 (byte 153): malformed record header: bad time"),
        "{err}"
    );
    let out = marslog(&["parse", "--include-unparsed", f.to_str().unwrap()]);
    let rows = jsonl(&out);
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[1]["unparsed"]["line"], 2);
    assert_eq!(rows[1]["unparsed"]["offset"], 153);
    assert_eq!(
        rows[2]["unparsed"]["reason"],
        "continuation of a malformed record"
    );
    assert!(out.stderr.is_empty());
}

#[test]
fn stdin_is_streamed() {
    use std::io::Write;
    let bytes = std::fs::read(testdata("errlog/CBEngineCurr.errlog")).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_marslog"))
        .args(["parse", "-", "--year", "2025", "--format", "csv"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&bytes).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(rdr.headers().unwrap().iter().next(), Some("file"));
    let rows: Vec<_> = rdr.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 6);
    assert_eq!(&rows[0][0], "-");
    assert_eq!(&rows[2][12][..31], "Unable to make web service call");
}

#[test]
fn folder_is_searched_and_table_names_each_file() {
    let out = marslog(&[
        "parse",
        "--format",
        "table",
        testdata("errlog").to_str().unwrap(),
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("==> "), "{text}");
    assert!(text.contains("MSDPMCurr.errlog.2016-06-01_20-55-45.Crash <=="));
    // the crash copy's year comes from its name
    assert!(text.contains("2016-06-01T20:55:45.690Z"));
    assert_eq!(
        out.status.code(),
        Some(2),
        "the collapsed copy in the folder is not strict errlog"
    );
}
