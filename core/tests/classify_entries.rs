//! `Classifier::classify_entries` (entries classified in batches by the triage prefilter)
//! against the slow path: `classify_text` on every parsed entry's text.

use marslog::classify::{Classifier, Finding};
use marslog::errlog::{Entry, ErrlogParser};

use crate::classify::{encode, found, planted_log, record, slow_path, EDGE_FORMS};
use crate::util::errlog_inputs;

fn batched(c: &Classifier, buf: &[u8], parser: &ErrlogParser) -> Vec<Finding> {
    c.classify_entries(parser.entries(buf))
}

#[test]
fn batches_equal_the_slow_path_on_every_fixture_and_sample() {
    let c = Classifier::new();
    let mut total = 0;
    for tolerant in [false, true] {
        let parser = ErrlogParser::new().with_year(2026).tolerant(tolerant);
        for (name, buf) in errlog_inputs() {
            let got = batched(&c, &buf, &parser);
            assert_eq!(got, slow_path(&c, &buf, &parser), "{name}");
            total += got.len();
        }
    }
    assert!(total >= 30, "{total}");
}

#[test]
fn planted_log_full_recall_and_precision_in_every_encoding() {
    let c = Classifier::new();
    let (text, mut expected) = planted_log(&c);
    expected.sort();
    let parser = ErrlogParser::new().with_year(2025);
    for enc in ["utf-8", "utf-16le", "utf-16be"] {
        let buf = encode(&text, enc);
        let got = batched(&c, &buf, &parser);
        assert_eq!(found(&got), expected, "{enc}");
        assert_eq!(got, slow_path(&c, &buf, &parser), "{enc}");
    }
}

/// Many batches (the log is several times the batch size), every literal form at every
/// position of a batch, upper-case texts, `ID` at the very start and end, decoys.
#[test]
fn batch_boundaries_lose_nothing() {
    let c = Classifier::new();
    let parser = ErrlogParser::new().with_year(2025);
    let mut forms = EDGE_FORMS.to_vec();
    forms.extend([
        "(407) Proxy Authentication Required",
        "ID: 34513",
        "Processed 34513 files, 407 retries, [0000000034506000]",
    ]);
    for enc in ["utf-8", "utf-16le", "utf-16be"] {
        let mut text = String::from("ID: 34513\r\n");
        let mut k = 0;
        while text.len() < 300_000 {
            text.push_str(&record("Backup Progress: Data transfer started."));
            text.push_str("\r\n");
            if text.len() % 5 < 2 {
                text.push_str(&record(forms[k % forms.len()]));
                text.push_str(if k % 3 == 0 {
                    "\r\n  continued (ID: 34513)\r\n"
                } else {
                    "\r\n"
                });
                k += 1;
            }
        }
        text.push_str(&record("Unable to read the vault credentials (ID: 34513)"));
        let buf = encode(&text, enc);
        let got = batched(&c, &buf, &parser);
        assert!(got.len() > 100, "{enc}: {}", got.len());
        assert_eq!(got, slow_path(&c, &buf, &parser), "{enc}");
    }
}

/// Entries of several inputs in one call: a truncated UTF-16 text of odd length, then
/// another encoding, then UTF-16 again (each batch is searched in its own encoding).
#[test]
fn mixed_inputs_and_odd_utf16_texts() {
    let c = Classifier::new();
    let parser = ErrlogParser::new().with_year(2025);
    let line = record("Error 34506. The encryption passphrase stored on this computer is not correctly configured.");
    let mut odd = encode(&format!("{line}\r\n{line}"), "utf-16le");
    odd.pop();
    let inputs = [
        odd,
        encode(&format!("{line}\r\n"), "utf-8"),
        encode(&format!("{line}\r\n(ID: 34513)\r\n"), "utf-16be"),
        encode(&format!("{line}\r\n"), "utf-16le"),
    ];
    let entries: Vec<Entry<'_>> = inputs.iter().flat_map(|b| parser.entries(b)).collect();
    let got = c.classify_entries(entries);
    let want: Vec<Finding> = inputs
        .iter()
        .flat_map(|b| slow_path(&c, b, &parser))
        .collect();
    assert_eq!(got, want);
    assert!(got.len() >= 5, "{}", got.len());
    // the sink sees the same findings, in the same order
    let mut sunk = Vec::new();
    c.classify_entries_with(inputs.iter().flat_map(|b| parser.entries(b)), |f| {
        sunk.push(f)
    });
    assert_eq!(sunk, want);
}

/// A catalog the prefilter cannot serve (an anchor without ASCII text) classifies every
/// entry directly, with the same result.
#[test]
fn catalogs_without_a_prefilter_classify_every_entry() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("extra.toml");
    std::fs::write(&path, "version = 1\n[[entry]]\nid = \"no-ascii\"\ncategory = \"engine\"\nseverity = \"warning\"\nnames = [\"\u{e9}\u{e8}\u{e0}\"]\nexamples = [\"x \u{e9}\u{e8}\u{e0} y\"]\nen = { title = \"t\", message = \"\", causes = [\"c\"], actions = [\"a\"] }\nsource = { doc = \"d.md\" }\n").unwrap();
    let c = Classifier::with_files(&[&path]).unwrap();
    assert!(c.triage_fingerprints().is_empty());
    let parser = ErrlogParser::new().with_year(2025);
    let text = format!(
        "{}\r\n{}\r\n",
        record("x \u{e9}\u{e8}\u{e0} y"),
        record("Error 34506. The encryption passphrase stored on this computer is not correctly configured.")
    );
    let buf = encode(&text, "utf-8");
    let got = batched(&c, &buf, &parser);
    assert_eq!(got, slow_path(&c, &buf, &parser));
    assert!(got.iter().any(|f| f.id == "no-ascii"));
}

/// `scan_errlog` in segments (on the rayon pool) against one pass: every fixture and sample,
/// cut into 2 to 8 segments as small as one line, with a fixed year and with a reference
/// time (years moved back), and generated logs spanning New Year with findings on both
/// sides of the cut (the years are assigned again along the records the segments used).
#[test]
fn segments_equal_one_pass() {
    use chrono::TimeZone;
    let c = Classifier::new();
    let mut inputs = errlog_inputs();
    // New Year inside the log, findings before and after it, and a straggler
    let line = |date: &str, msg: &str| {
        format!("44B4\t3968\t{date}\t23:59:59.000\t71\tbackupasync.cpp(1184)\t\t\tWARNING\t{msg}")
    };
    let mut text = String::new();
    for (k, date) in [
        "11/30", "12/15", "12/31", "12/30", "01/01", "01/02", "02/28", "02/29", "03/01",
    ]
    .iter()
    .enumerate()
    {
        for j in 0..40 {
            let msg = if (j + k) % 7 == 0 {
                "Failed: Hr: = [0x80780054] (ID: 34513)"
            } else {
                "Backup Progress: Data transfer started."
            };
            text.push_str(&line(date, msg));
            text.push_str("\r\n");
        }
    }
    for enc in ["utf-8", "utf-16le", "utf-16be"] {
        inputs.push((format!("new year {enc}"), encode(&text, enc)));
    }
    let parsers = [
        ErrlogParser::new().with_year(2023),
        ErrlogParser::new()
            .with_reference(chrono::Utc.with_ymd_and_hms(2024, 1, 15, 0, 0, 0).unwrap()),
        ErrlogParser::new()
            .with_reference(chrono::Utc.with_ymd_and_hms(2024, 2, 1, 0, 0, 0).unwrap()),
        ErrlogParser::new().with_year(2024).tolerant(true),
    ];
    let mut split = 0;
    for (name, buf) in &inputs {
        for parser in &parsers {
            let whole = c.scan_errlog_segments(buf, parser, 1, 1);
            for (parts, min) in [(2, 1), (3, 64), (5, 200), (8, 1), (8, 4096)] {
                let got = c.scan_errlog_segments(buf, parser, parts, min);
                assert_eq!(
                    got,
                    whole,
                    "{name} {parts} {min} {:?}",
                    parser.year_policy()
                );
                split += 1;
            }
            assert_eq!(c.scan_errlog(buf, parser), whole, "{name}");
        }
    }
    assert!(split > 100, "{split}");
    // the New Year log's findings do span two years, and were cut into several segments
    let buf = encode(&text, "utf-8");
    let found = c.scan_errlog_segments(&buf, &parsers[0], 8, 1);
    let years: std::collections::BTreeSet<i32> = found
        .iter()
        .filter_map(|f| f.timestamp.map(|t| chrono::Datelike::year(&t)))
        .collect();
    assert_eq!(years.into_iter().collect::<Vec<_>>(), [2023, 2024]);
    assert!(marslog::errlog::segment_ranges(&parsers[0], &buf, 8, 1).len() == 8);
}

/// An 8-bit input whose first 64 KiB are valid UTF-8 but not the whole: Windows-1252 (as
/// the parser decides), also for the triage pass, which checks the whole input only when a
/// candidate had a non-ASCII byte.
#[test]
fn windows_1252_after_the_sniffed_prefix() {
    let c = Classifier::new();
    let parser = ErrlogParser::new().with_year(2025);
    let mut filler = String::new();
    while filler.len() < 70_000 {
        filler.push_str(&record("Backup Progress: Data transfer started."));
        filler.push_str("\r\n");
    }
    let french = record("L'activation n'a pas r\u{e9}ussi. \u{c9}chec de l'op\u{e9}ration");
    let ascii = record("Error 34506. The encryption passphrase stored on this computer is not correctly configured.");
    let ansi = |s: &str| -> Vec<u8> {
        s.chars()
            .map(|ch| u8::try_from(u32::from(ch)).unwrap())
            .collect()
    };
    for tail in [
        format!("{french}\r\n{ascii}\r\n"),
        format!("{ascii}\r\n{}\r\n", record("caf\u{e9} without a finding")),
        format!("{ascii}\r\n"),
    ] {
        let buf = [filler.as_bytes(), &ansi(&tail)].concat();
        let want = slow_path(&c, &buf, &parser);
        assert!(!want.is_empty());
        for parts in [1, 4] {
            assert_eq!(
                c.scan_errlog_segments(&buf, &parser, parts, 4096),
                want,
                "{tail:?}"
            );
        }
        // the same text as UTF-8 stays UTF-8
        let utf8 = [filler.as_bytes(), tail.as_bytes()].concat();
        assert_eq!(c.scan_errlog(&utf8, &parser), slow_path(&c, &utf8, &parser));
    }
    let buf = [filler.as_bytes(), &ansi(&format!("{french}\r\n"))].concat();
    assert!(c
        .scan_errlog(&buf, &parser)
        .iter()
        .any(|f| f.message.contains("r\u{e9}ussi")));
}
