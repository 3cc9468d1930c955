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

#[test]
fn triage_samples_reports_the_seed_errors_and_exits_1() {
    let out = marslog(&[
        "triage",
        "--format",
        "jsonl",
        "--year",
        "2026",
        testdata("samples").to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows = jsonl(&out);
    let ids: Vec<&str> = rows.iter().map(|r| r["id"].as_str().unwrap()).collect();
    for want in [
        "vault-credentials-invalid",
        "agent-cannot-connect",
        "encryption-key-set-failed",
        "activation-internal-error",
        "passphrase-misconfigured",
        "scratch-low-disk-space",
    ] {
        assert!(ids.contains(&want), "{want} missing from {ids:?}");
    }
    let keys = [
        "id",
        "codes",
        "title",
        "file",
        "line",
        "timestamp",
        "severity",
        "task_id",
        "matched",
    ];
    for k in keys {
        assert!(rows[0].get(k).is_some(), "key {k}");
    }
    let p = rows
        .iter()
        .find(|r| r["id"] == "passphrase-misconfigured" && r["line"] == 7)
        .unwrap();
    assert_eq!(p["codes"], serde_json::json!(["34506", "0x86CA"]));
    assert_eq!(p["matched"], "Error 34506.");
    assert_eq!(p["timestamp"], "2026-03-14T21:07:31.250Z");
    assert_eq!(p["task_id"], "F3E32129-DC79-4A28-9ACC-3F30CB5810B6");
    assert!(p["file"].as_str().unwrap().ends_with("CBEngineCurr.errlog"));
    // decoys in the same file are not reported
    assert!(!rows.iter().any(|r| r["message"]
        .as_str()
        .unwrap()
        .starts_with("Processed 34513 files")));
}

#[test]
fn triage_formats_and_languages() {
    let samples = testdata("samples");
    let s = samples.to_str().unwrap();
    let table = marslog(&["triage", s]);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(
        text.contains("Invalid vault credentials  [vault-credentials-invalid]"),
        "{text}"
    );
    assert!(text.contains("Recommended actions:"));
    assert!(!text.contains("\x1b["), "no colour when not a terminal");
    let fr = String::from_utf8_lossy(&marslog(&["triage", "--lang", "fr", s]).stdout).into_owned();
    assert!(fr.contains("Actions recommandées:"), "{fr}");
    assert!(fr.contains("Erreur 34506. La phrase secrète"), "{fr}");
    let md = String::from_utf8_lossy(&marslog(&["triage", "--format", "markdown", s]).stdout)
        .into_owned();
    assert!(md.starts_with("## marslog triage"));
    assert!(
        md.contains(
            "| ERROR | Invalid vault credentials (`vault-credentials-invalid`) | 34513, 0x86D1 |"
        ),
        "{md}"
    );
    let json: serde_json::Value =
        serde_json::from_slice(&marslog(&["triage", "--format", "json", s]).stdout).unwrap();
    assert_eq!(json["files"], 7);
    let summary = json["summary"].as_array().unwrap();
    let conn = summary
        .iter()
        .find(|e| e["id"] == "agent-cannot-connect")
        .unwrap();
    assert_eq!(conn["count"], 2);
    assert!(!conn["actions"].as_array().unwrap().is_empty());
    let csv_out = marslog(&["triage", "--format", "csv", s]);
    let mut rdr = csv::Reader::from_reader(&csv_out.stdout[..]);
    assert_eq!(&rdr.headers().unwrap()[0], "id");
    assert_eq!(rdr.records().count(), 19);
}

#[test]
fn triage_exit_codes() {
    let clean = testdata("errlog/rollover.errlog");
    assert_eq!(
        marslog(&["triage", clean.to_str().unwrap()]).status.code(),
        Some(0)
    );
    let out = marslog(&[
        "triage",
        "--format",
        "jsonl",
        "/nonexistent/x.errlog",
        testdata("samples").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        !jsonl(&out).is_empty(),
        "the readable inputs are still reported"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/x.errlog"));
}

#[test]
fn triage_with_a_user_catalog_and_a_bad_one() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("extra.toml");
    std::fs::write(&good, "version = 1\n[[entry]]\nid = \"contoso-job-failed\"\ncategory = \"backup-job\"\nseverity = \"error\"\ntexts = [\"Backup Progress: Failed\"]\nen = { title = \"Job failed\", message = \"\", causes = [\"c\"], actions = [\"a\"] }\nsource = { doc = \"runbook.md\" }\n").unwrap();
    let out = marslog(&[
        "triage",
        "--format",
        "jsonl",
        "--catalog",
        good.to_str().unwrap(),
        testdata("samples").to_str().unwrap(),
    ]);
    assert!(jsonl(&out).iter().any(|r| r["id"] == "contoso-job-failed"));
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "version = 1\n[[entry]]\nid = \"x\"\ncolour = 1\n").unwrap();
    let out = marslog(&[
        "triage",
        "--catalog",
        bad.to_str().unwrap(),
        testdata("samples").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.toml: line 4: colour:"), "{err}");
}

#[test]
fn explain_accepts_every_kind_of_code() {
    for (code, id) in [
        ("34513", "vault-credentials-invalid"),
        ("0x1FC07", "activation-internal-error"),
        ("130055", "activation-internal-error"),
        ("[0x1fc07]", "activation-internal-error"),
        ("407", "agent-cannot-connect"),
        ("SalLowDiskSpace", "scratch-low-disk-space"),
        ("0x80780054", "import-job-name-mismatch"),
        ("passphrase-misconfigured", "passphrase-misconfigured"),
    ] {
        let out = marslog(&["explain", code]);
        assert_eq!(out.status.code(), Some(0), "{code}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains(&format!("[{id}]")), "{code}: {text}");
        assert!(text.contains("Recommended actions:"));
    }
    let fr = marslog(&["explain", "34506", "--lang", "fr"]);
    assert!(String::from_utf8_lossy(&fr.stdout).contains("Causes possibles:"));
    assert_eq!(marslog(&["explain", "999999"]).status.code(), Some(2));
}

#[test]
fn catalog_lists_every_entry() {
    let out = marslog(&["catalog", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let n = v.as_array().unwrap().len();
    assert!(n >= 40);
    let csv_out = marslog(&["catalog", "--format", "csv"]);
    assert_eq!(
        csv::Reader::from_reader(&csv_out.stdout[..])
            .records()
            .count(),
        n
    );
}

#[test]
fn parse_events_from_evtx_and_xml_with_filters() {
    let evtx = testdata("samples/SRV-FS01/Logs/System.evtx");
    let out = marslog(&["parse", evtx.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows = jsonl(&out);
    assert_eq!(rows.len(), 5);
    let keys: Vec<_> = rows[1].as_object().unwrap().keys().cloned().collect();
    for k in [
        "file",
        "record_id",
        "timestamp",
        "event_id",
        "provider",
        "channel",
        "computer",
        "level",
        "data",
    ] {
        assert!(keys.contains(&k.to_string()), "{k} in {keys:?}");
    }
    let scm = &rows[1];
    assert_eq!(scm["record_id"], 2);
    assert_eq!(scm["event_id"], 7031);
    assert_eq!(scm["provider"], "Service Control Manager");
    assert_eq!(scm["channel"], "System");
    assert_eq!(scm["computer"], "SRV-FS01");
    assert_eq!(scm["level"], 2);
    assert_eq!(scm["timestamp"], "2026-03-14T21:07:40.0000000Z");
    assert_eq!(
        scm["data"]["param1"],
        "Microsoft Azure Recovery Services Agent"
    );
    assert_eq!(scm["data"]["param3"], "60000");
    let filtered = jsonl(&marslog(&[
        "parse",
        "--event-id",
        "7031,36871",
        evtx.to_str().unwrap(),
    ]));
    assert_eq!(
        filtered
            .iter()
            .map(|r| r["event_id"].as_u64().unwrap())
            .collect::<Vec<_>>(),
        [7031, 36871]
    );
    let by_provider = jsonl(&marslog(&[
        "parse",
        "--provider",
        "schannel",
        evtx.to_str().unwrap(),
    ]));
    assert_eq!(by_provider.len(), 1);

    // an XML export, detected by content even under a misleading name
    let dir = tempfile::tempdir().unwrap();
    let renamed = dir.path().join("export.log");
    std::fs::copy(testdata("samples/SRV-FS01/Logs/CloudBackup.xml"), &renamed).unwrap();
    let rows = jsonl(&marslog(&["parse", renamed.to_str().unwrap()]));
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[2]["event_id"], 18);
    assert_eq!(rows[2]["timestamp"], "2026-03-15T21:00:00.1234567Z");
    assert_eq!(
        rows[2]["data"]["Message"],
        "Scheduled backup failed in initialization phase"
    );
}

#[test]
fn triage_reads_event_logs_and_reports_record_ids() {
    let logs = testdata("samples/SRV-FS01/Logs");
    let out = marslog(&["triage", "--format", "jsonl", logs.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let rows = jsonl(&out);
    let got: Vec<(String, u64)> = rows
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_string(),
                r["record_id"].as_u64().unwrap(),
            )
        })
        .collect();
    for (id, rec) in [
        ("engine-unreachable", 2),
        ("tls-connection-reset", 3),
        ("recovery-volume-mount-failed", 4),
        ("scheduled-backups-not-running", 103),
        ("backup-completed-with-errors", 102),
        ("engine-unreachable", 5120),
    ] {
        assert!(
            got.contains(&(id.to_string(), rec)),
            "{id} record {rec} not in {got:?}"
        );
    }
    assert!(rows.iter().all(|r| r["line"].is_null()));
}

#[test]
fn a_truncated_evtx_is_an_error_naming_the_file_and_others_still_run() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("broken.evtx");
    let bytes = std::fs::read(testdata("samples/SRV-FS01/Logs/System.evtx")).unwrap();
    std::fs::write(&bad, &bytes[..100]).unwrap();
    let good = testdata("samples/SRV-FS01/Logs/CloudBackup.xml");
    let out = marslog(&["parse", bad.to_str().unwrap(), good.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(jsonl(&out).len(), 4);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("broken.evtx: byte 0: truncated evtx"), "{err}");
}

/// `triage --stream` reads errlogs block by block (event logs are still mapped) and reports
/// exactly what the memory-mapped pass reports, in every format, on the samples and on every
/// errlog fixture; standard input (`-`) is always streamed and finds the same records.
#[test]
fn triage_stream_equals_the_mapped_pass() {
    let samples = testdata("samples");
    let fixtures = testdata("errlog");
    for paths in [
        vec![samples.to_str().unwrap()],
        vec![fixtures.to_str().unwrap(), samples.to_str().unwrap()],
    ] {
        for format in ["jsonl", "csv", "json", "table", "markdown"] {
            for year in [None, Some("2026")] {
                let mut args = vec!["triage", "--format", format];
                if let Some(y) = year {
                    args.extend(["--year", y]);
                }
                args.extend(&paths);
                let mapped = marslog(&args);
                args.push("--stream");
                let streamed = marslog(&args);
                assert_eq!(mapped.status.code(), streamed.status.code(), "{args:?}");
                assert_eq!(
                    String::from_utf8_lossy(&mapped.stdout),
                    String::from_utf8_lossy(&streamed.stdout),
                    "{args:?}"
                );
                assert!(!mapped.stdout.is_empty());
            }
        }
    }
    let file = testdata("samples/SRV-FS01/Temp/CBEngineCurr.errlog");
    let f = file.to_str().unwrap();
    let from_file = jsonl(&marslog(&[
        "triage", "--format", "jsonl", "--year", "2026", "--stream", f,
    ]));
    let piped = Command::new(env!("CARGO_BIN_EXE_marslog"))
        .args(["triage", "--format", "jsonl", "--year", "2026", "-"])
        .stdin(Stdio::from(std::fs::File::open(&file).unwrap()))
        .output()
        .unwrap();
    assert_eq!(piped.status.code(), Some(1));
    let from_stdin = jsonl(&piped);
    assert_eq!(from_file.len(), 4, "{from_file:?}");
    assert_eq!(from_stdin.len(), from_file.len());
    for (a, mut b) in from_file.into_iter().zip(from_stdin) {
        assert_eq!(b["file"], "-");
        b["file"] = a["file"].clone();
        assert_eq!(a, b);
    }
}
