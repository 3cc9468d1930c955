use chrono::{TimeZone, Utc};
use marslog::errlog::{Entry, ErrlogParser, RecordField, Severity, UnparsedReason};
use marslog::{ErrorKind, Format, Input, TextEncoding};

use crate::util::{is_blank_text, read, testdata};

const TASK: &str = "6F1C2D3E-4A5B-4C6D-8E9F-0A1B2C3D4E5F";

/// Assert that entries' raw bytes, plus only blank lines between them, rebuild `buf`.
pub fn assert_lossless(buf: &[u8], entries: &[Entry<'_>], enc: TextEncoding, bom: usize) {
    let base = buf.as_ptr() as usize;
    let mut at = bom;
    for e in entries {
        let start = e.raw().as_ptr() as usize - base;
        assert!(
            start >= at,
            "entries overlap or go backwards at byte {start}"
        );
        let gap = enc.decode(&buf[at..start]);
        assert!(
            is_blank_text(&gap),
            "non-blank gap {gap:?} before byte {start}"
        );
        assert_eq!(e.position().byte as usize, start);
        at = start + e.raw().len();
    }
    let tail = enc.decode(&buf[at..]);
    assert!(is_blank_text(&tail), "non-blank tail {tail:?}");
}

#[test]
fn mars_log_in_every_encoding() {
    let cases = [
        (
            "errlog/CBEngineCurr.errlog",
            TextEncoding::Utf16Le,
            2,
            false,
        ),
        ("errlog/mars-utf8.errlog", TextEncoding::Utf8, 0, false),
        (
            "errlog/mars-utf8-bom-crlf.errlog",
            TextEncoding::Utf8,
            3,
            false,
        ),
        (
            "errlog/mars-utf16be.errlog",
            TextEncoding::Utf16Be,
            2,
            false,
        ),
        (
            "errlog/mars-utf16le-nobom.errlog",
            TextEncoding::Utf16Le,
            0,
            false,
        ),
        (
            "errlog/mars-ansi.errlog",
            TextEncoding::Windows1252,
            0,
            false,
        ),
        ("errlog/mars-lone-cr.errlog", TextEncoding::Utf8, 0, false),
        ("errlog/mars-collapsed.errlog", TextEncoding::Utf8, 0, true),
    ];
    for (file, enc, bom, tolerant) in cases {
        let buf = read(file);
        let log = ErrlogParser::new()
            .with_year(2025)
            .tolerant(tolerant)
            .parse(&buf);
        let s = log.stats();
        assert_eq!((s.encoding, s.bom_len as usize), (enc, bom), "{file}");
        assert_eq!(
            (
                s.lines,
                s.records,
                s.continuation_lines,
                s.unparsed_lines,
                s.blank_lines
            ),
            (8, 6, 2, 0, 0),
            "{file}"
        );
        assert!(s.reconciles());
        assert_lossless(&buf, log.entries(), enc, bom);

        let recs: Vec<_> = log.records().collect();
        let first = recs[0];
        assert_eq!((first.pid(), first.tid()), (0x1A2C, 0x0F3C), "{file}");
        assert_eq!(first.position().line, 1);
        assert_eq!(first.position().byte as usize, bom);
        assert_eq!(first.column5(), "71");
        assert_eq!(first.source(), "backupasync.cpp");
        assert_eq!(first.source_field(), "backupasync.cpp(1279)");
        assert_eq!(first.source_line(), 1279);
        assert_eq!(first.pointer(), Some(0x2B4C1F0));
        assert_eq!(first.task_id().as_deref(), Some(TASK));
        assert_eq!(first.severity(), Severity::Normal);
        assert_eq!(first.message(), "Backup Progress: Prebackup started.");
        assert_eq!(
            first.timestamp(),
            Some(
                Utc.with_ymd_and_hms(2025, 3, 14, 8, 0, 1).unwrap()
                    + chrono::Duration::milliseconds(125)
            )
        );

        let wcf = recs[2];
        assert_eq!(
            (wcf.tid(), wcf.pointer(), wcf.severity()),
            (0x2210, None, Severity::Warning),
            "{file}"
        );
        assert_eq!(wcf.source(), "WcfClient.cs");
        assert_eq!(wcf.continuation_lines(), 2);
        assert_eq!(wcf.position().line, 3);
        let msg = wcf.message();
        assert!(
            msg.starts_with(
                "Unable to make web service call | Params: {Exception: = System.Net.WebException"
            ),
            "{file}: {msg}"
        );
        assert!(msg.contains("(407) Proxy Authentication Required."));
        assert!(
            msg.ends_with("   at Microsoft.Internal.CloudBackup.Client.WcfClient.Invoke()"),
            "{file}: {msg:?}"
        );
        assert_eq!(msg.split(['\r', '\n']).filter(|l| !l.is_empty()).count(), 3);

        let hr = recs[3];
        assert_eq!(hr.position().line, 6);
        assert_eq!(
            hr.message(),
            "Failed: Hr: = [0x80780054] Offline Backup Progress: Failed"
        );
        let fr = recs[4];
        assert_eq!(fr.task_id(), None);
        assert_eq!(
            fr.message(),
            "Fichier ignoré : C:\\Données\\Comptabilité\\été.xlsx",
            "{file}"
        );
        assert_eq!(recs[5].message(), "Backup Progress: Failed");
    }
}

#[test]
fn utf8_fields_borrow_from_the_buffer() {
    let buf = read("errlog/mars-utf8.errlog");
    let log = ErrlogParser::new().with_year(2025).parse(&buf);
    for rec in log.records() {
        assert!(matches!(rec.message(), std::borrow::Cow::Borrowed(_)));
        assert!(matches!(rec.source(), std::borrow::Cow::Borrowed(_)));
    }
}

#[test]
fn dpm_critical_and_crash_copy_year_from_name() {
    let path = testdata("errlog/MSDPMCurr.errlog.2016-06-01_20-55-45.Crash");
    let (_, crash) = marslog::errlog::discover(testdata("errlog"))
        .0
        .into_iter()
        .flat_map(|s| s.files)
        .find(|f| f.path == path)
        .map(|f| (f.component.clone(), f.year_reference()))
        .unwrap();
    let input = Input::open(&path).unwrap();
    let log = ErrlogParser::new()
        .with_reference(crash.unwrap())
        .parse(input.bytes());
    let recs: Vec<_> = log.records().collect();
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[1].severity(), Severity::Critical);
    assert_eq!(recs[1].severity_word(), "CRITICAL");
    assert_eq!(recs[1].source(), "everettexception.cpp");
    assert_eq!(
        recs[1].timestamp().unwrap().to_rfc3339(),
        "2016-06-01T20:55:45.690+00:00"
    );
    assert!(recs[1]
        .message()
        .ends_with("process will terminate after generating dump"));
}

#[test]
fn year_rollover_and_reference() {
    let buf = read("errlog/rollover.errlog");
    let fixed = ErrlogParser::new().with_year(2024).parse(&buf);
    let years: Vec<_> = fixed
        .records()
        .map(|r| r.timestamp().unwrap().to_rfc3339())
        .collect();
    assert_eq!(
        years,
        [
            "2024-12-31T23:59:58.900+00:00",
            "2025-01-01T00:00:01.250+00:00",
            "2025-01-02T10:00:00+00:00"
        ]
    );
    let reference = Utc.with_ymd_and_hms(2025, 1, 2, 10, 0, 0).unwrap();
    let by_ref = ErrlogParser::new().with_reference(reference).parse(&buf);
    let got: Vec<_> = by_ref.records().map(|r| r.timestamp().unwrap()).collect();
    assert_eq!(
        got,
        fixed
            .records()
            .map(|r| r.timestamp().unwrap())
            .collect::<Vec<_>>()
    );
    assert!(got.iter().all(|t| *t <= reference));
    // one second earlier: the last record would be after the reference, so a year back
    let by_ref = ErrlogParser::new()
        .with_reference(reference - chrono::Duration::seconds(1))
        .parse(&buf);
    let last = by_ref.records().last().unwrap();
    assert_eq!(last.year(), 2024);
    // unknown severity kept verbatim
    assert_eq!(last.severity(), Severity::Other);
    assert_eq!(last.severity_word(), "INFO");
}

#[test]
fn garbage_before_first_record() {
    let buf = read("errlog/garbage-first.errlog");
    let log = ErrlogParser::new().with_year(2025).parse(&buf);
    let s = log.stats();
    assert_eq!(
        (s.lines, s.records, s.unparsed_lines, s.blank_lines),
        (5, 2, 2, 1)
    );
    let un: Vec<_> = log.unparsed().collect();
    assert_eq!(un[0].position().line, 1);
    assert_eq!(un[0].position().byte, 0);
    assert_eq!(un[0].text(), "Log opened by a viewer");
    assert_eq!(un[0].reason(), UnparsedReason::BeforeFirstRecord);
    assert_eq!(un[1].position().line, 2);
    assert_eq!(un[1].position().byte, 24);
    assert_eq!(log.records().next().unwrap().position().line, 4);
    assert!(log.check().is_ok());
    assert_lossless(&buf, log.entries(), TextEncoding::Utf8, 0);
}

#[test]
fn truncated_last_lines_are_kept() {
    let buf = read("errlog/truncated.errlog");
    let log = ErrlogParser::new().with_year(2025).parse(&buf);
    let un: Vec<_> = log.unparsed().collect();
    assert_eq!(un.len(), 1);
    assert_eq!(un[0].position().line, 3);
    assert_eq!(un[0].text(), "1A2C\t0F3C\t03/14\t08:0");
    assert!(matches!(
        un[0].reason(),
        UnparsedReason::TruncatedHeader { field: "time" }
    ));

    let buf = read("errlog/truncated-message.errlog");
    let log = ErrlogParser::new().with_year(2025).parse(&buf);
    assert_eq!(log.stats().unparsed_lines, 0);
    let last = log.records().last().unwrap();
    assert_eq!(
        last.message(),
        "Failed: Hr: = [0x80780054] Offline Backup Progre"
    );
}

#[test]
fn blank_lines_between_and_after() {
    let buf = read("errlog/blank-lines.errlog");
    let log = ErrlogParser::new().with_year(2025).parse(&buf);
    let s = log.stats();
    assert_eq!(
        (s.lines, s.records, s.continuation_lines, s.blank_lines),
        (8, 2, 2, 4),
        "{s:?}"
    );
    let first = log.records().next().unwrap();
    assert_eq!(first.line_count(), 5);
    assert_eq!(first.message().lines().count(), 5);
    assert_lossless(&buf, log.entries(), TextEncoding::Utf8, 0);
}

#[test]
fn malformed_header_and_its_orphans() {
    let buf = read("errlog/malformed.errlog");
    let log = ErrlogParser::new().with_year(2025).parse(&buf);
    let reasons: Vec<_> = log
        .unparsed()
        .map(|u| (u.position().line, u.reason()))
        .collect();
    assert_eq!(
        reasons,
        [
            (2, UnparsedReason::MalformedHeader { field: "time" }),
            (3, UnparsedReason::AfterMalformedHeader)
        ]
    );
    assert_eq!(log.stats().records, 2);
    assert_eq!(log.records().next().unwrap().continuation_lines(), 0);
}

#[test]
fn empty_bom_only_and_binary() {
    for file in ["errlog/empty.errlog", "errlog/bom-only.errlog"] {
        let buf = read(file);
        let log = ErrlogParser::new().parse(&buf);
        assert_eq!(log.stats().lines, 0, "{file}");
        assert!(log.entries().is_empty());
        assert!(log.check().is_ok());
    }
    let buf = read("errlog/not-an-errlog.bin");
    let log = ErrlogParser::new().parse(&buf);
    assert!(log.stats().reconciles());
    assert_eq!(log.stats().records, 0);
    let err = log.check().unwrap_err().with_path("not-an-errlog.bin");
    assert!(matches!(
        err.kind(),
        ErrorKind::NotFormat {
            format: Format::Errlog,
            ..
        }
    ));
    assert_eq!(err.offset(), Some(0));
    assert!(
        err.to_string()
            .starts_with("not-an-errlog.bin: byte 0: not errlog"),
        "{err}"
    );
}

#[test]
fn missing_file_and_directory_are_typed_errors() {
    let err = Input::open(testdata("errlog/nope.errlog")).unwrap_err();
    assert_eq!(err.io_kind(), Some(std::io::ErrorKind::NotFound));
    assert!(err.to_string().contains("nope.errlog"));
    let err = Input::open(testdata("errlog")).unwrap_err();
    assert_eq!(err.io_kind(), Some(std::io::ErrorKind::IsADirectory));
}

#[test]
fn hostile_inputs_never_panic_and_reconcile() {
    let mut huge = b"44B4\t3968\t10/21\t21:02:21.611\t71\ta.cpp(1)\t\t\tNORMAL\t".to_vec();
    huge.resize(10 << 20, b'x');
    let mut no_newline_junk = vec![b'z'; 10 << 20];
    no_newline_junk[5] = 0;
    let lone_surrogates: Vec<u8> = [0xFF, 0xFE, 0x00, 0xD8, b'4', 0, b'\n', 0, 0x00, 0xDC].to_vec();
    let nuls =
        b"44B4\t3968\t10/21\t21:02:21.611\t71\ta.cpp(1)\t\t\tNORMAL\tA\0B\n\0\0\0\n".to_vec();
    for (name, buf) in [
        ("huge", huge),
        ("junk", no_newline_junk),
        ("surrogates", lone_surrogates),
        ("nuls", nuls),
    ] {
        let log = ErrlogParser::new().with_year(2025).parse(&buf);
        let s = log.stats();
        assert!(s.reconciles(), "{name}: {s:?}");
        let sniffed = TextEncoding::sniff(&buf);
        assert_lossless(&buf, log.entries(), s.encoding, sniffed.bom_len);
        for r in log.records() {
            let _ = (r.message(), r.source(), r.timestamp());
        }
        for u in log.unparsed() {
            let _ = u.text();
        }
    }
    let head: &[u8] = b"44B4\t3968\t10/21\t21:02:21.611\t71\ta.cpp(1)\t\t\tNORMAL\t";
    let mut huge = head.to_vec();
    huge.resize(10 << 20, b'x');
    let log = ErrlogParser::new().with_year(2025).parse(&huge);
    assert_eq!(
        log.records().next().unwrap().message().len(),
        (10 << 20) - head.len()
    );
}

#[test]
fn field_bytes_decode_to_the_text_accessors_on_every_fixture() {
    let mut records = 0;
    for entry in std::fs::read_dir(testdata("errlog")).unwrap() {
        let path = entry.unwrap().path();
        let buf = std::fs::read(&path).unwrap();
        for tolerant in [false, true] {
            let log = ErrlogParser::new()
                .with_year(2025)
                .tolerant(tolerant)
                .parse(&buf);
            for r in log.records() {
                records += 1;
                let text = |f| {
                    r.field_bytes(f)
                        .map(|b| r.encoding().decode(b).into_owned())
                };
                let at = format!("{}:{}", path.display(), r.position().line);
                assert_eq!(
                    text(RecordField::Column5).as_deref(),
                    Some(&*r.column5()),
                    "{at}"
                );
                assert_eq!(
                    text(RecordField::Source).as_deref(),
                    Some(&*r.source()),
                    "{at}"
                );
                assert_eq!(
                    text(RecordField::SourceField),
                    Some(r.source_field().into_owned()),
                    "{at}"
                );
                assert_eq!(
                    text(RecordField::TaskId),
                    r.task_id().map(|t| t.into_owned()),
                    "{at}"
                );
                assert_eq!(
                    text(RecordField::Severity).as_deref(),
                    Some(&*r.severity_word()),
                    "{at}"
                );
                assert_eq!(
                    text(RecordField::Message).as_deref(),
                    Some(&*r.message()),
                    "{at}"
                );
                assert_eq!(
                    text(RecordField::Pointer).map(|p| u64::from_str_radix(&p, 16).unwrap()),
                    r.pointer(),
                    "{at}"
                );
            }
        }
    }
    assert!(records > 50, "only {records} records in the fixtures");
}

#[test]
fn stream_matches_buffer_parse_on_every_fixture() {
    for entry in std::fs::read_dir(testdata("errlog")).unwrap() {
        let path = entry.unwrap().path();
        let buf = std::fs::read(&path).unwrap();
        let parser = ErrlogParser::new().with_year(2025);
        let whole = parser.parse(&buf);
        let expect: Vec<_> = whole
            .entries()
            .iter()
            .cloned()
            .map(Entry::into_owned)
            .collect();
        for block in [1usize, 3, 7, 64, 1 << 20] {
            let mut stream = parser.stream(&buf[..]).block_size(block);
            let got: Vec<_> = stream.by_ref().map(Result::unwrap).collect();
            assert_eq!(got, expect, "{} block {block}", path.display());
            assert_eq!(
                stream.stats(),
                whole.stats(),
                "{} block {block}",
                path.display()
            );
        }
    }
}

#[cfg(unix)]
#[test]
fn folder_scan_survives_links_fifos_and_vanishing_files() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(
        testdata("errlog/CBEngineCurr.errlog"),
        d.join("CBEngineCurr.errlog"),
    )
    .unwrap();
    std::fs::create_dir(d.join("sub")).unwrap();
    symlink(d, d.join("sub/loop")).unwrap(); // a link back up: must not be walked
    symlink(d.join("nowhere.errlog"), d.join("DPMRACurr.errlog")).unwrap(); // dangling
    symlink(d.join("sub"), d.join("GatewayProvider0.errlog")).unwrap(); // a link to a folder
    let fifo = d.join("MSDPMCurr.errlog");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    let (sets, errors) = marslog::errlog::discover(d);
    let files: Vec<_> = sets
        .iter()
        .flat_map(|s| &s.files)
        .map(|f| f.path.file_name().unwrap().to_owned())
        .collect();
    assert_eq!(files, ["CBEngineCurr.errlog"]);
    let mut named: Vec<String> = errors
        .iter()
        .map(|e| {
            e.path()
                .unwrap()
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    named.sort();
    let mut want = vec!["DPMRACurr.errlog", "GatewayProvider0.errlog"];
    if made {
        want.push("MSDPMCurr.errlog");
    }
    want.sort();
    assert_eq!(named, want, "{errors:?}");
    // a file that vanishes between listing and reading is an error for that file only
    let gone = d.join("CBEngine1.errlog");
    std::fs::write(&gone, b"").unwrap();
    std::fs::remove_file(&gone).unwrap();
    let err = Input::open(&gone).unwrap_err();
    assert_eq!(err.io_kind(), Some(std::io::ErrorKind::NotFound));
}
