//! The catalog and the classifier: every entry, every literal form, near misses, the triage
//! pass against the slow path, and catalog load errors.

use marslog::classify::{Catalog, Classifier, Code, Finding};
use marslog::errlog::{Entry, ErrlogParser};
use marslog::{ErrorKind, TextEncoding};

use crate::util::{errlog_inputs, read};

fn ids_of(c: &Classifier, text: &str) -> Vec<String> {
    c.classify_text(text)
        .iter()
        .map(|m| c.entry(m).id.clone())
        .collect()
}

#[test]
fn embedded_catalog_is_complete() {
    let cat = Catalog::embedded();
    assert!(cat.entries().len() >= 40, "{}", cat.entries().len());
    let mut seeds: Vec<u8> = cat
        .entries()
        .iter()
        .filter_map(|e| e.seed_section)
        .collect();
    seeds.sort();
    assert_eq!(seeds, [1, 2, 3, 4, 5, 6, 7]);
    for (id, code) in [
        ("vault-credentials-invalid", "34513"),
        ("agent-cannot-connect", "100050"),
        ("agent-cannot-connect", "407"),
        ("activation-internal-error", "0x1FC07"),
        ("activation-internal-error", "130055"),
        ("passphrase-misconfigured", "34506"),
        ("scratch-low-disk-space", "SalLowDiskSpace"),
    ] {
        let found: Vec<_> = cat.lookup(code).iter().map(|e| e.id.as_str()).collect();
        assert!(found.contains(&id), "{code} -> {found:?}");
    }
    assert_eq!(cat.lookup("[0x1fc07]")[0].id, "activation-internal-error");
    let enc = cat
        .get("encryption-key-set-failed")
        .expect("the encryption-key failure (seed 3)");
    assert_eq!(enc.seed_section, Some(3));
    assert!(!enc.fr.title.is_empty());
    for e in cat.entries() {
        assert!(!e.examples.is_empty(), "{} has no example", e.id);
    }
}

#[test]
fn every_example_classifies_to_its_entry() {
    let c = Classifier::new();
    for e in c.catalog().entries() {
        for ex in &e.examples {
            let got = ids_of(&c, ex);
            assert!(got.contains(&e.id), "{}: {ex:?} -> {got:?}", e.id);
        }
    }
}

/// Every literal form of catalog doc §2, generated for every code of every entry.
fn positive_forms(e: &marslog::classify::Entry) -> Vec<String> {
    let mut v = Vec::new();
    for &n in &e.ids {
        v.extend([
            format!("Operation failed (ID: {n}) please retry"),
            format!("L'opération a échoué (ID : {n})"),
            format!("L'opération a échoué (ID\u{00A0}: {n})"),
            format!("L'opération a échoué (ID\u{202F}:\u{00A0}{n})"),
            format!("Operation failed. ID: {n}"),
            format!("getting Error ID: {n}"),
            format!("ID d'erreur : {n}"),
            format!("Job failed (ID {n} Details: Internal error code: 0x8099090E)"),
            format!("Job failed (ID {n} )"),
            format!("Error {n}. Something documented."),
            format!("Erreur {n}. Quelque chose."),
        ]);
        if (0x86C4..=0x4FFFF).contains(&n) {
            v.push(format!("internal service error [0x{n:X}]. Retry later"));
            v.push(format!("does not match (0x{n:x})"));
        }
    }
    for h in &e.hresults {
        let hex = &h[2..];
        v.extend([
            format!("Failed: Hr: = [{h}] Something failed"),
            format!("Failed: Hr: = [0x{}] : lower case", hex.to_lowercase()),
            format!("HResult: {hex} DetailedHResult: 8007007B"),
            format!("Error [{h}] The thing failed."),
            format!("The file failed with {h} during backup"),
        ]);
    }
    for &h in &e.http {
        v.push(format!(
            "The remote server returned an error: ({h}) Proxy Authentication Required."
        ));
    }
    for &w in &e.winsock {
        v.push(format!(
            "connection failures with error {w} (An existing connection was forcibly closed)"
        ));
    }
    for n in &e.names {
        v.push(format!("Job failed: {n} while preparing the scratch"));
    }
    v
}

#[test]
fn every_literal_form_of_every_code_is_recognised() {
    let c = Classifier::new();
    let mut checked = 0;
    for e in c.catalog().entries() {
        for line in positive_forms(e) {
            let got = ids_of(&c, &line);
            assert!(got.contains(&e.id), "{}: {line:?} -> {got:?}", e.id);
            checked += 1;
        }
    }
    assert!(checked > 300, "{checked}");
}

#[test]
fn near_misses_do_not_match() {
    let c = Classifier::new();
    let mut decoys = vec![
        "Processed 34513 files".to_string(),
        "ID: 345130".into(),
        "[0000000034506000]".into(),
        "0x1FC07AB3".into(),
        "[0x1FC07AB3]".into(),
        "task 34513ABC-0000-4000-8000-000000034513 done".into(),
        "at 10:34:51.3 the job 100050 ran".into(),
        "Retry count 407".into(),
        "backupasync.cpp(407) returned".into(),
        "backupasync.cpp(407) Proxy".into(),
        "status (407) proxy authentication".into(),
        "TaskID: 34513".into(),
        "Last completed state for Ds Id 34506 is 5".into(),
        "item id 100050 uploaded".into(),
        "Error 34506 occurred without a period".into(),
        "Hr: = [0x1FC07 unclosed".into(),
        "x0x1FC07".into(),
        "VALID: 34513".into(),
    ];
    for e in c.catalog().entries() {
        for &n in &e.ids {
            decoys.push(format!("Processed {n} files in {n} ms"));
            decoys.push(format!("ID: {n}7"));
            decoys.push(format!("ID: 1{n}"));
            decoys.push(format!("pointer [00000000{n}]"));
            decoys.push(format!("ProviderID: {n}"));
        }
    }
    for d in &decoys {
        let got = ids_of(&c, d);
        assert!(got.is_empty(), "{d:?} -> {got:?}");
    }
}

pub(crate) fn record(line: &str) -> String {
    format!("0F5C\t1A40\t03/14\t21:07:31.250\t71\tbackupasync.cpp(1184)\t[000000001A12E3F0]\tF3E32129-DC79-4A28-9ACC-3F30CB5810B6\tWARNING\t{line}")
}

/// A log with every literal form of every entry planted among ordinary lines and decoys:
/// (the log text, the expected (line, entry id) pairs).
pub(crate) fn planted_log(c: &Classifier) -> (String, Vec<(u64, String)>) {
    let mut lines = Vec::new();
    let mut expected = Vec::new();
    let filler = [
        "Backup Progress: Data transfer started.",
        "Processed 34513 files, 407 retries",
        "Last completed state for Ds Id 34506 is 5",
    ];
    for (k, e) in c.catalog().entries().iter().enumerate() {
        for (j, form) in positive_forms(e)
            .into_iter()
            .chain(e.examples.iter().cloned())
            .enumerate()
        {
            lines.push(record(filler[(k + j) % 3]));
            lines.push(record(&form));
            let line_no = lines.len() as u64;
            for m in c.classify_text(&form) {
                expected.push((line_no, c.entry(&m).id.clone()));
            }
            if j % 5 == 0 {
                lines.push(format!("   at continuation line {j} with (ID: 0)"));
            }
        }
    }
    (lines.join("\r\n") + "\r\n", expected)
}

pub(crate) fn found(findings: &[Finding]) -> Vec<(u64, String)> {
    let mut v: Vec<_> = findings
        .iter()
        .map(|f| (f.line.unwrap(), f.id.clone()))
        .collect();
    v.sort();
    v
}

#[test]
fn planted_log_full_recall_and_precision_in_utf8_and_utf16() {
    let c = Classifier::new();
    let (text, mut expected) = planted_log(&c);
    expected.sort();
    let parser = ErrlogParser::new().with_year(2025);
    let utf8 = text.as_bytes().to_vec();
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    for (name, buf) in [("utf-8", utf8), ("utf-16le", utf16)] {
        let got = found(&c.scan_errlog(&buf, &parser));
        let missing: Vec<_> = expected.iter().filter(|x| !got.contains(x)).collect();
        let extra: Vec<_> = got.iter().filter(|x| !expected.contains(x)).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{name}: missing {missing:?} extra {extra:?}"
        );
        assert_eq!(got.len(), expected.len());
    }
}

/// The slow path: parse every record, classify every message.
pub(crate) fn slow_path(c: &Classifier, buf: &[u8], parser: &ErrlogParser) -> Vec<Finding> {
    let log = parser.parse(buf);
    let mut out = Vec::new();
    for e in log.entries() {
        let (text, line, offset, ts, sev, task) = match e {
            Entry::Record(r) => (
                r.message().into_owned(),
                r.position().line,
                r.position().byte,
                r.timestamp(),
                Some(r.severity_word().into_owned()),
                r.task_id().map(|t| t.into_owned()),
            ),
            Entry::Unparsed(u) => (
                u.text().into_owned(),
                u.position().line,
                u.position().byte,
                None,
                None,
                None,
            ),
        };
        for m in c.classify_text(&text) {
            out.push(Finding {
                id: c.entry(&m).id.clone(),
                code: m.code.clone(),
                matched: text[m.span.start..m.span.end].to_string(),
                span: m.span,
                file: None,
                line: Some(line),
                offset,
                record_id: None,
                timestamp: ts,
                severity: sev.clone(),
                task_id: task.clone(),
                message: text.clone(),
            });
        }
    }
    out
}

#[test]
fn triage_pass_equals_parse_then_classify_on_every_fixture_and_sample() {
    let c = Classifier::new();
    let parser = ErrlogParser::new().with_year(2026);
    let mut total = 0;
    for (name, buf) in errlog_inputs() {
        let fast = c.scan_errlog(&buf, &parser);
        let slow = slow_path(&c, &buf, &parser);
        assert_eq!(fast, slow, "{name}");
        total += fast.len();
    }
    assert!(total >= 15, "{total}");
}

#[test]
fn samples_show_the_seed_errors_and_not_the_decoys() {
    let c = Classifier::new();
    let buf = read("samples/SRV-FS01/Temp/CBEngineCurr.errlog");
    assert_eq!(TextEncoding::sniff(&buf).encoding, TextEncoding::Utf16Le);
    let f = c.scan_errlog(&buf, &ErrlogParser::new().with_year(2026));
    let got: Vec<_> = f
        .iter()
        .map(|f| (f.line.unwrap(), f.id.as_str(), f.code.clone()))
        .collect();
    assert_eq!(
        got,
        [
            (7, "passphrase-misconfigured", Code::Id(34506)),
            (
                14,
                "scratch-low-disk-space",
                Code::Name("SalLowDiskSpace".into())
            ),
            (15, "import-job-name-mismatch", Code::HResult(0x80780054)),
            (17, "backup-completed", Code::Text),
        ]
    );
    let p = &f[0];
    assert_eq!(p.matched, "Error 34506.");
    assert_eq!(&p.message[p.span.start..p.span.end], "Error 34506.");
    assert_eq!(
        p.timestamp.unwrap().to_rfc3339(),
        "2026-03-14T21:07:31.250+00:00"
    );
    assert_eq!(p.severity.as_deref(), Some("WARNING"));
    assert_eq!(
        p.task_id.as_deref(),
        Some("F3E32129-DC79-4A28-9ACC-3F30CB5810B6")
    );

    // the 407 sits in a continuation-bearing record of the rotated log
    let f = c.scan_errlog(
        &read("samples/SRV-FS01/Temp/CBEngine1.errlog"),
        &ErrlogParser::new().with_year(2026),
    );
    let ids: Vec<_> = f.iter().map(|f| f.id.as_str()).collect();
    for want in [
        "vault-credentials-invalid",
        "agent-cannot-connect",
        "encryption-key-set-failed",
        "activation-internal-error",
    ] {
        assert!(ids.contains(&want), "{want} not in {ids:?}");
    }
    let proxy = f.iter().find(|f| f.code == Code::Http(407)).unwrap();
    assert_eq!(proxy.line, Some(2));
    assert!(proxy
        .matched
        .starts_with("(407) Proxy Authentication Required"));
}

#[test]
fn catalog_errors_name_file_line_and_field() {
    let cases = [
        ("version = 1\n[[entry]]\nid = \"x\"\nbogus = 1\n", 4, "bogus"),
        ("version = 1\n\n[[entry]]\nid = \"Not Kebab\"\ncategory = \"registration\"\nseverity = \"error\"\nids = [1]\nen = { title = \"t\", message = \"m\", causes = [\"c\"], actions = [\"a\"] }\nsource = { doc = \"mine\" }\n", 3, "entry.id"),
        ("version = 1\n[[entry]]\nid = \"x\"\ncategory = \"nope\"\nseverity = \"error\"\nids = [1]\nen = { title = \"t\", message = \"m\", causes = [\"c\"], actions = [\"a\"] }\nsource = { doc = \"mine\" }\n", 2, "entry.category"),
        ("version = 1\n[[entry]]\nid = \"x\"\ncategory = \"engine\"\nseverity = \"error\"\npatterns = [{ anchor = \"abcd\", regex = \"(\" }]\nen = { title = \"t\", message = \"m\", causes = [\"c\"], actions = [\"a\"] }\nsource = { doc = \"mine\" }\n", 2, "entry.patterns.regex"),
        ("version = 1\n[[entry]]\nid = \"vault-credentials-invalid\"\ncategory = \"engine\"\nseverity = \"error\"\nids = [1]\nen = { title = \"t\", message = \"m\", causes = [\"c\"], actions = [\"a\"] }\nsource = { doc = \"mine\" }\n", 2, "entry.id"),
        ("version = 1\n[[entry]]\nid = \"x\"\ncategory = \"engine\"\nseverity = \"fatal\"\n", 5, "-"),
    ];
    for (text, line, field) in cases {
        let mut cat = Catalog::embedded();
        let err = cat.add_toml(text, "extra.toml").unwrap_err();
        assert_eq!(err.path().unwrap().to_str(), Some("extra.toml"));
        let ErrorKind::Catalog {
            line: l, field: f, ..
        } = err.kind()
        else {
            panic!("{err}")
        };
        assert_eq!((*l, f.as_str()), (line, field), "{err}");
        assert!(
            err.to_string()
                .starts_with(&format!("extra.toml: line {line}: ")),
            "{err}"
        );
    }
}

#[test]
fn users_can_add_entries() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("extra.toml");
    std::fs::write(&path, "version = 1\n[[entry]]\nid = \"contoso-proxy-blocked\"\ncategory = \"connectivity\"\nseverity = \"warning\"\nnames = [\"CONTOSO-PX-42\"]\nexamples = [\"blocked by CONTOSO-PX-42\"]\nen = { title = \"Contoso proxy blocks Azure\", message = \"\", causes = [\"the proxy\"], actions = [\"call IT\"] }\nsource = { doc = \"runbook.md\" }\n").unwrap();
    let c = Classifier::with_files(&[&path]).unwrap();
    assert_eq!(
        ids_of(&c, "request blocked by CONTOSO-PX-42 at the edge"),
        ["contoso-proxy-blocked"]
    );
    assert_eq!(
        c.catalog().get("contoso-proxy-blocked").unwrap().origin,
        path.display().to_string()
    );
    let err = Classifier::with_files(&[dir.path().join("missing.toml")]).unwrap_err();
    assert_eq!(err.io_kind(), Some(std::io::ErrorKind::NotFound));
}

pub(crate) fn encode(text: &str, enc: &str) -> Vec<u8> {
    match enc {
        "utf-16le" => [0xFF, 0xFE]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect(),
        "utf-16be" => [0xFE, 0xFF]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
            .collect(),
        _ => text.as_bytes().to_vec(),
    }
}

/// Texts at the edges of the triage prefilter: upper- and mixed-case, a phrase broken across
/// lines (no match either way), lower-case `id` decoys, a French id with a no-break space.
pub(crate) const EDGE_FORMS: [&str; 8] = [
    "INVALID VAULT CREDENTIALS PROVIDED. THE FILE IS EITHER CORRUPTED",
    "iNvAlId VaUlT cReDeNtIaLs PrOvIdEd",
    "ERROR 34506. THE ENCRYPTION PASSPHRASE STORED ON THIS COMPUTER IS NOT CORRECTLY CONFIGURED.",
    "failed: hr: = [0X80780054] : lower case",
    "job failed: SALLOWDISKSPACE while preparing",
    "Invalid vault\r\ncredentials provided",
    "the Id: 34513 and id: 34513 are not ids",
    "L\u{2019}activation n\u{2019}a pas r\u{e9}ussi (ID\u{a0}: 130055)",
];

/// Edges of the folded-text prefilter: upper-case and mixed-case texts, `ID` at the very
/// start and end of the input, anchors straddling the prefilter's chunk boundaries, a phrase
/// broken across lines (no match either way), lower-case `id` decoys, odd UTF-16 offsets.
#[test]
fn triage_prefilter_edges_equal_the_slow_path() {
    let c = Classifier::new();
    let parser = ErrlogParser::new().with_year(2025);
    let forms = EDGE_FORMS;
    for enc in ["utf-8", "utf-16le", "utf-16be"] {
        // a finding in the first bytes, one per chunk boundary region, one at the very end
        let mut text = String::from("ID: 34513\r\n");
        let mut k = 0;
        while text.len() < 200_000 {
            let filler = record("Backup Progress: Data transfer started.");
            text.push_str(&filler);
            text.push_str("\r\n");
            if text.len() % 7 < 3 {
                text.push_str(&record(forms[k % forms.len()]));
                text.push_str("\r\n");
                k += 1;
            }
        }
        text.push_str(&record(
            "Unable to read the vault credentials file provided (ID: 34513)",
        ));
        let buf = encode(&text, enc);
        let fast = c.scan_errlog(&buf, &parser);
        assert_eq!(fast, slow_path(&c, &buf, &parser), "{enc}");
        assert!(fast.len() > 20, "{enc}: {}", fast.len());
        // every form, at every offset around a 32 Ki-unit chunk boundary
        for form in forms {
            for shift in 0..24 {
                let mut t = String::new();
                while t.len() < (32 << 10) - 40 + shift {
                    t.push_str("ordinary text without anything\r\n");
                }
                t.push_str(&record(form));
                let buf = encode(&t, enc);
                assert_eq!(
                    c.scan_errlog(&buf, &parser),
                    slow_path(&c, &buf, &parser),
                    "{enc} {form:?} {shift}"
                );
            }
        }
    }
    // UTF-16: an anchor at an odd offset is no text
    let mut odd = vec![0xFF, 0xFE, 0x00];
    odd.extend(
        "ID: 34513 (407) Proxy"
            .encode_utf16()
            .flat_map(u16::to_le_bytes),
    );
    assert_eq!(c.scan_errlog(&odd, &parser), slow_path(&c, &odd, &parser));
}

/// A reader that returns at most `max` bytes per call (as pipes do).
struct Trickle<'a> {
    buf: &'a [u8],
    max: usize,
}

impl std::io::Read for Trickle<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = self.buf.len().min(out.len()).min(self.max);
        out[..n].copy_from_slice(&self.buf[..n]);
        self.buf = &self.buf[n..];
        Ok(n)
    }
}

/// The streaming pass, its findings moved back a year when it says so.
fn streamed(c: &Classifier, buf: &[u8], parser: &ErrlogParser, block: usize) -> Vec<Finding> {
    let mut out = Vec::new();
    let reader = Trickle {
        buf,
        max: 1 + block / 3,
    };
    let done = c
        .scan_errlog_stream(reader, parser, block, |f| out.push(f))
        .unwrap();
    assert_eq!(done.bytes, buf.len() as u64);
    if done.years_back {
        out.iter_mut().for_each(Finding::move_year_back);
    }
    out
}

/// `scan_errlog_stream`, whatever the block size (1 byte to 1 MiB: windows cut after every
/// record or never), finds what `scan_errlog` finds on the whole buffer, in the same order,
/// with the same lines, offsets, timestamps and messages: every fixture and sample, the
/// planted log in three encodings, with fixed years and with reference times that need the
/// year moved back or not.
#[test]
fn streaming_triage_equals_the_whole_buffer_pass() {
    use chrono::TimeZone;
    let c = Classifier::new();
    let mut inputs = Vec::new();
    for (name, buf) in errlog_inputs() {
        // repeated past the 64 KiB the encoding is sniffed from, so that windows are cut
        let bom = TextEncoding::sniff(&buf).bom_len;
        if buf.len() > bom + 200 {
            let mut long = buf.clone();
            while long.len() < 150_000 {
                long.extend_from_slice(&buf[bom..]);
            }
            inputs.push((format!("{name} repeated"), long));
        }
        inputs.push((name, buf));
    }
    let (text, _) = planted_log(&c);
    for enc in ["utf-8", "utf-16le", "utf-16be"] {
        inputs.push((format!("planted {enc}"), encode(&text, enc)));
    }
    let parsers = [
        ErrlogParser::new().with_year(2025),
        ErrlogParser::new()
            .with_reference(chrono::Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap()),
        ErrlogParser::new()
            .with_reference(chrono::Utc.with_ymd_and_hms(2026, 3, 15, 12, 0, 0).unwrap()),
        ErrlogParser::new().tolerant(true).with_year(2024),
    ];
    let (mut total, mut moved) = (0, 0);
    for (name, buf) in &inputs {
        for parser in &parsers {
            let whole = c.scan_errlog(buf, parser);
            let blocks: &[usize] = if buf.len() > 100_000 {
                &[333, 4096, 70_000, 1 << 20]
            } else {
                &[1, 7, 64, 1000, 1 << 20]
            };
            for &block in blocks {
                let got = streamed(&c, buf, parser, block);
                assert!(got == whole, "{name}, block {block}, {parser:?}");
            }
            total += whole.len();
            let mut plain = Vec::new();
            c.scan_errlog_stream(&buf[..], parser, 64, |f| plain.push(f))
                .unwrap();
            moved += usize::from(plain != whole);
        }
    }
    assert!(total > 1000, "{total}");
    assert!(moved > 0, "no input needed its years moved back");
}
