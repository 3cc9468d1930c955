//! The errlog reader against an independent, deliberately naive oracle, on fixtures and on
//! random logs (proptest): same records, same fields, same unparsed lines, and the
//! accounting invariant and losslessness on every input.

use marslog::errlog::{Entry, EntryBuf, ErrlogParser, RecordField, SegmentOutput};
use marslog::TextEncoding;
use proptest::prelude::*;

use crate::errlog::assert_lossless;

/// What the oracle extracts from a record line (the first line only for the message).
#[derive(Debug, PartialEq, Eq)]
struct OracleRecord {
    line: u64,
    pid: u32,
    tid: u32,
    date: (u8, u8),
    column5: String,
    source: String,
    pointer: Option<u64>,
    task: Option<String>,
    severity: String,
    first_message_line: String,
    continuations: u32,
}

fn all(s: &str, f: fn(char) -> bool) -> bool {
    !s.is_empty() && s.chars().all(f)
}

fn hex(s: &str, max: usize) -> Option<u64> {
    (s.len() <= max && all(s, |c| c.is_ascii_hexdigit()))
        .then(|| u64::from_str_radix(s, 16).unwrap())
}

fn is_guid(s: &str) -> bool {
    let s = s
        .strip_prefix('{')
        .and_then(|x| x.strip_suffix('}'))
        .unwrap_or(s);
    let parts: Vec<_> = s.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && all(p, |c| c.is_ascii_hexdigit()))
}

fn num(s: &str) -> Option<u32> {
    all(s, |c| c.is_ascii_digit())
        .then(|| s.parse().ok())
        .flatten()
}

/// The naive reading of one line: `Some` when it is a record header.
fn naive_header(line: &str) -> Option<OracleRecord> {
    let f: Vec<&str> = line.splitn(10, '\t').collect();
    if f.len() < 9 {
        return None;
    }
    let pid = hex(f[0], 8)? as u32;
    let tid = hex(f[1], 8)? as u32;
    let (m, d) = f[2].split_once('/')?;
    let (m, d) = (num(m)?, num(d)?);
    if f[2].len() != 5 || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let t: Vec<&str> = f[3].split([':', '.']).collect();
    if t.len() != 4 || t[..3].iter().any(|x| x.len() != 2) || t[3].is_empty() || t[3].len() > 9 {
        return None;
    }
    let (h, mi, s) = (num(t[0])?, num(t[1])?, num(t[2])?);
    num(t[3])?;
    if h > 23 || mi > 59 || s > 60 || f[4].contains(' ') {
        return None;
    }
    let (name, rest) = f[5].rsplit_once('(')?;
    let src_line = rest.strip_suffix(')')?;
    if name.is_empty() || src_line.len() > 9 {
        return None;
    }
    num(src_line)?;
    let pointer = if f[6].is_empty() {
        None
    } else {
        Some(hex(f[6].strip_prefix('[')?.strip_suffix(']')?, 16)?)
    };
    if !f[7].is_empty() && !is_guid(f[7]) {
        return None;
    }
    let sev = f[8];
    if sev.len() < 2 || sev.len() > 16 || !all(sev, |c| c.is_ascii_uppercase()) {
        return None;
    }
    Some(OracleRecord {
        line: 0,
        pid,
        tid,
        date: (m as u8, d as u8),
        column5: f[4].to_string(),
        source: name.to_string(),
        pointer,
        task: (!f[7].is_empty()).then(|| f[7].to_string()),
        severity: sev.to_string(),
        first_message_line: f.get(9).unwrap_or(&"").to_string(),
        continuations: 0,
    })
}

fn naive_prefix(line: &str) -> bool {
    let f: Vec<&str> = line.splitn(4, '\t').collect();
    f.len() >= 3
        && hex(f[0], 8).is_some()
        && hex(f[1], 8).is_some()
        && f[2].len() >= 3
        && f[2].as_bytes()[..2].iter().all(u8::is_ascii_digit)
        && f[2].as_bytes()[2] == b'/'
}

/// Split decoded text into lines at CRLF, LF or CR (the oracle's own splitter).
fn naive_lines(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let b = text.as_bytes();
    let (mut start, mut i) = (0, 0);
    while i < b.len() {
        if b[i] == b'\n' || b[i] == b'\r' {
            out.push(&text[start..i]);
            i += if b[i] == b'\r' && b.get(i + 1) == Some(&b'\n') {
                2
            } else {
                1
            };
            start = i;
        } else {
            i += 1;
        }
    }
    if start < b.len() {
        out.push(&text[start..]);
    }
    out
}

/// (records, unparsed line numbers) by the oracle.
fn oracle(text: &str) -> (Vec<OracleRecord>, Vec<u64>) {
    let mut recs: Vec<OracleRecord> = Vec::new();
    let mut unparsed = Vec::new();
    let mut pending_blank = 0;
    let mut open = false;
    for (i, line) in naive_lines(text).into_iter().enumerate() {
        let no = i as u64 + 1;
        if let Some(mut r) = naive_header(line).filter(|_| line.as_bytes()[0].is_ascii_hexdigit()) {
            r.line = no;
            recs.push(r);
            open = true;
            pending_blank = 0;
        } else if line.chars().all(|c| c == ' ' || c == '\t') {
            pending_blank += 1;
        } else if naive_prefix(line) || !open {
            unparsed.push(no);
            open = false;
        } else {
            recs.last_mut().unwrap().continuations += 1;
            pending_blank = 0;
        }
    }
    let _ = pending_blank;
    (recs, unparsed)
}

fn ours(buf: &[u8]) -> (Vec<OracleRecord>, Vec<u64>) {
    let log = ErrlogParser::new().with_year(2025).parse(buf);
    let mut recs = Vec::new();
    let mut unparsed = Vec::new();
    for e in log.entries() {
        match e {
            Entry::Record(r) => recs.push(OracleRecord {
                line: r.position().line,
                pid: r.pid(),
                tid: r.tid(),
                date: (r.log_time().month, r.log_time().day),
                column5: r.column5().into_owned(),
                source: r.source().into_owned(),
                pointer: r.pointer(),
                task: r.task_id().map(|t| t.into_owned()),
                severity: r.severity_word().into_owned(),
                first_message_line: naive_lines(&r.message())
                    .first()
                    .copied()
                    .unwrap_or("")
                    .to_string(),
                continuations: r.continuation_lines(),
            }),
            Entry::Unparsed(u) => unparsed.push(u.position().line),
        }
    }
    (recs, unparsed)
}

/// The segments' entries in order, their line numbers made the whole buffer's (every
/// segment starts with an entry, so comparing with the sequential entries checks every
/// segment's `lines_before`).
fn absolute(segments: Vec<SegmentOutput<Vec<EntryBuf>>>) -> Vec<EntryBuf> {
    let mut out = Vec::new();
    for s in segments {
        for mut e in s.value {
            let position = match &mut e {
                EntryBuf::Record(r) => &mut r.position,
                EntryBuf::Unparsed(u) => &mut u.position,
            };
            position.line += s.lines_before;
            out.push(e);
        }
    }
    out
}

fn decode_all(buf: &[u8]) -> String {
    let s = TextEncoding::sniff(buf);
    s.encoding.decode(&buf[s.bom_len..]).into_owned()
}

#[test]
fn fixtures_agree_with_the_oracle() {
    for entry in std::fs::read_dir(crate::util::testdata("errlog")).unwrap() {
        let path = entry.unwrap().path();
        let buf = std::fs::read(&path).unwrap();
        if path.to_string_lossy().contains("collapsed") {
            continue; // tolerant-mode input; the oracle is TAB-only
        }
        assert_eq!(ours(&buf), oracle(&decode_all(&buf)), "{}", path.display());
    }
}

#[derive(Debug, Clone)]
enum Piece {
    Record {
        pid: u32,
        tid: u32,
        month: u8,
        day: u8,
        ptr: bool,
        task: bool,
        sev: &'static str,
        msg: String,
    },
    Continuation(String),
    Blank(String),
    Junk(String),
    Malformed(String),
}

fn text_strategy(allow_wide: bool) -> impl Strategy<Value = String> {
    let chars: Vec<char> = if allow_wide {
        "abcXYZ 09:()[]{}é€—\t日本\u{00A0}'".chars().collect()
    } else {
        "abcXYZ 09:()[]{}é€—\t'".chars().collect()
    };
    proptest::collection::vec(proptest::sample::select(chars), 0..40)
        .prop_map(|v| v.into_iter().collect())
}

fn piece(allow_wide: bool) -> impl Strategy<Value = Piece> {
    prop_oneof![
        4 => (any::<u32>(), any::<u16>(), 1u8..=12, 1u8..=31, any::<bool>(), any::<bool>(),
              proptest::sample::select(vec!["NORMAL", "WARNING", "FATAL", "CRITICAL", "INFO"]), text_strategy(allow_wide))
            .prop_map(|(pid, tid, month, day, ptr, task, sev, msg)| Piece::Record { pid, tid: u32::from(tid), month, day, ptr, task, sev, msg }),
        2 => text_strategy(allow_wide).prop_map(|t| Piece::Continuation(format!(" at {t}"))),
        1 => "[ \t]{0,3}".prop_map(Piece::Blank),
        1 => text_strategy(allow_wide).prop_map(|t| Piece::Junk(format!("#{t}"))),
        1 => "[0-9A-F]{1,4}".prop_map(|h| Piece::Malformed(format!("{h}\t{h}\t12/3"))),
    ]
}

fn render(p: &Piece) -> String {
    match p {
        Piece::Record { pid, tid, month, day, ptr, task, sev, msg } => format!(
            "{pid:X}\t{tid:04X}\t{month:02}/{day:02}\t13:45:07.250\t71\tbackupasync.cpp(12)\t{}\t{}\t{sev}\t{msg}",
            if *ptr { "[000000001B73B830]" } else { "" },
            if *task { "0517B3DB-347D-45A8-9DAB-FD7D1EA7D134" } else { "" },
        ),
        Piece::Continuation(t) | Piece::Blank(t) | Piece::Junk(t) | Piece::Malformed(t) => t.clone(),
    }
}

fn encode(text: &str, enc: u8) -> Option<Vec<u8>> {
    Some(match enc {
        0 => text.as_bytes().to_vec(),
        1 => [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat(),
        2 => [0xFF, 0xFE]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect(),
        3 => [0xFE, 0xFF]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
            .collect(),
        _ => {
            let (bytes, _, bad) = encoding_rs::WINDOWS_1252.encode(text);
            if bad {
                return None;
            }
            bytes.into_owned()
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_logs(pieces in proptest::collection::vec(piece(true), 0..30),
                   eols in proptest::collection::vec(0u8..3, 30),
                   final_eol in any::<bool>(), enc in 0u8..5, block in 1usize..200) {
        let mut text = String::new();
        for (i, p) in pieces.iter().enumerate() {
            text.push_str(&render(p));
            if i + 1 < pieces.len() || final_eol {
                text.push_str(["\n", "\r\n", "\r"][eols[i] as usize]);
            }
        }
        let Some(buf) = encode(&text, enc) else { return Ok(()); };
        let parser = ErrlogParser::new().with_year(2025);
        let log = parser.parse(&buf);
        let s = log.stats();
        prop_assert!(s.reconciles(), "{:?}", s);
        assert_lossless(&buf, log.entries(), s.encoding, s.bom_len as usize);
        // the decoded text's lines, by the oracle, are the same lines we counted
        let decoded = decode_all(&buf);
        prop_assert_eq!(s.lines, naive_lines(&decoded).len() as u64);
        prop_assert_eq!(ours(&buf), oracle(&decoded));
        let expect: Vec<_> = log.entries().iter().cloned().map(Entry::into_owned).collect();
        let mut stream = parser.stream(&buf[..]).block_size(block);
        let got: Vec<_> = stream.by_ref().map(Result::unwrap).collect();
        prop_assert_eq!(got, expect);
        prop_assert_eq!(stream.stats(), s);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Reading in segments on several threads gives the sequential entries, positions,
    /// years (random months: rollovers and stragglers at and between the cuts) and stats.
    #[test]
    fn segments_read_in_parallel_match_the_sequential_reader(
        pieces in proptest::collection::vec(piece(true), 0..40),
        eols in proptest::collection::vec(0u8..3, 40),
        final_eol in any::<bool>(), enc in 0u8..5, parts in 1usize..7,
        min_segment in 1usize..300, reference in any::<bool>(), tolerant in any::<bool>()) {
        let mut text = String::new();
        for (i, p) in pieces.iter().enumerate() {
            text.push_str(&render(p));
            if i + 1 < pieces.len() || final_eol {
                text.push_str(["\n", "\r\n", "\r"][eols[i] as usize]);
            }
        }
        let Some(buf) = encode(&text, enc) else { return Ok(()); };
        let parser = ErrlogParser::new().tolerant(tolerant);
        let parser = if reference {
            parser.with_reference(chrono::DateTime::from_timestamp(1_750_000_000, 0).unwrap())
        } else {
            parser.with_year(2025)
        };
        let mut expect_entries = parser.entries(&buf);
        let expect: Vec<_> = expect_entries.by_ref().map(Entry::into_owned).collect();
        let (segments, stats) = parser.par_segments_sized(&buf, parts, min_segment, |entries| {
            entries.map(Entry::into_owned).collect::<Vec<_>>()
        });
        let ranges = marslog::errlog::segment_ranges(&parser, &buf, parts, min_segment);
        prop_assert_eq!(segments.len(), ranges.len());
        prop_assert!(ranges.windows(2).all(|w| w[0].end == w[1].start));
        prop_assert_eq!(ranges.last().map(|r| r.end), Some(buf.len()));
        let got = absolute(segments);
        prop_assert_eq!(got, expect);
        prop_assert_eq!(stats, expect_entries.stats());
    }
}

/// Text that looks like UTF-8 but has one invalid byte far from the start is Windows-1252
/// for the sequential reader; reading in segments (whose UTF-8 check is split between
/// them) must decide the same, wherever the byte falls.
#[test]
fn segments_decide_utf8_or_windows_1252_like_the_whole_buffer() {
    let line = "44B4\t3968\t10/21\t21:02:21.611\t71\tbackupasync.cpp(1184)\t\t\tNORMAL\tchemin \u{e9}t\u{e9}\r\n";
    let text = line.repeat(4000);
    let parser = ErrlogParser::new().with_year(2025);
    for bad_at in [None, Some(70_000), Some(150_000), Some(text.len() - 3)] {
        let mut buf = text.clone().into_bytes();
        if let Some(at) = bad_at {
            buf[at] = 0xE9; // a lone Latin-1 byte: not UTF-8
        }
        let mut entries = parser.entries(&buf);
        let expect: Vec<_> = entries.by_ref().map(Entry::into_owned).collect();
        let (segments, stats) = parser.par_segments_sized(&buf, 4, 10_000, |entries| {
            entries.map(Entry::into_owned).collect::<Vec<_>>()
        });
        assert!(segments.len() > 1);
        assert_eq!(stats, entries.stats(), "{bad_at:?}");
        let expected_encoding = if bad_at.is_some() {
            TextEncoding::Windows1252
        } else {
            TextEncoding::Utf8
        };
        assert_eq!(stats.encoding, expected_encoding);
        assert_eq!(absolute(segments), expect);
        // the validated text is handed to the segments exactly when the input is UTF-8,
        // and gives every UTF-8 field as the decoded text
        let (checks, _) = parser.par_segments_sized(&buf, 4, 10_000, |entries| {
            let text = entries.utf8_text();
            let mut fields = 0;
            for e in entries {
                if let (Entry::Record(r), Some(text)) = (e, text) {
                    for field in [
                        RecordField::Source,
                        RecordField::Severity,
                        RecordField::Message,
                    ] {
                        let bytes = r.field_bytes(field).unwrap();
                        assert_eq!(text.get(bytes), std::str::from_utf8(bytes).ok());
                        fields += 1;
                    }
                    assert_eq!(text.get(b"not in the buffer"), None);
                }
            }
            (text.is_some(), fields)
        });
        for (has_text, fields) in checks.into_iter().map(|s| s.value) {
            assert_eq!(has_text, bad_at.is_none());
            assert_eq!(fields > 0, bad_at.is_none());
        }
    }
}
