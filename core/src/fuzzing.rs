//! Entry points shared by the fuzz targets (`fuzz/`) and the regression replay test
//! (`core/tests/regression.rs`, over `testdata/fuzz-regressions/<target>/*`).
//!
//! Each function takes arbitrary bytes, drives one public parser as a user would, touches
//! every lazily decoded field, and asserts the invariants that must hold on *any* input:
//! errlog accounting reconciles, spans lie inside their text, streaming agrees with
//! buffered parsing. A panic here is a bug, whatever the input.

use std::sync::OnceLock;

use crate::classify::{Catalog, Classifier};
use crate::errlog::{Entry, ErrlogParser};
use crate::error::ErrorKind;
use crate::evtx::builder::EvtxBuilder;
use crate::evtx::{read_xml_events, EventFilter, EvtxFile};

/// A fuzz target's body.
pub type Target = fn(&[u8]);

/// The fuzz targets, by name (the names of `fuzz/fuzz_targets/*.rs` and of the folders of
/// `testdata/fuzz-regressions/`).
pub const TARGETS: &[(&str, Target)] = &[
    ("errlog_bytes", errlog_bytes),
    ("errlog_line", errlog_line),
    ("evtx_file", evtx_file),
    ("binxml_fragment", binxml_fragment),
    ("event_xml", event_xml),
    ("catalog_file", catalog_file),
    ("classifier_line", classifier_line),
];

fn touch_errlog(data: &[u8], parser: ErrlogParser) {
    let log = parser.parse(data);
    let s = log.stats();
    assert!(s.reconciles(), "accounting: {s:?}");
    assert_eq!(s.bytes, data.len() as u64);
    let mut end = 0usize;
    let base = data.as_ptr() as usize;
    for e in log.entries() {
        let start = e.raw().as_ptr() as usize - base;
        assert!(start >= end, "entries overlap");
        end = start + e.raw().len();
        assert!(end <= data.len());
        match e {
            Entry::Record(r) => {
                let _ = (
                    r.message(),
                    r.source(),
                    r.column5(),
                    r.task_id(),
                    r.severity_word(),
                );
                let _ = (r.timestamp(), r.pointer(), r.source_field());
            }
            Entry::Unparsed(u) => {
                let _ = u.text();
            }
        }
    }
    // streaming with a small window gives the same entries and counts
    let mut stream = parser.stream(data).block_size(61);
    let streamed: Vec<_> = stream
        .by_ref()
        .map(|e| e.expect("in-memory reader"))
        .collect();
    let owned: Vec<_> = log
        .entries()
        .iter()
        .cloned()
        .map(Entry::into_owned)
        .collect();
    if data.len() <= crate::errlog::SNIFF_LEN {
        assert_eq!(streamed, owned, "stream != buffer");
        assert_eq!(stream.stats(), s);
    }
}

/// Any bytes as an errlog file, strict and tolerant.
pub fn errlog_bytes(data: &[u8]) {
    touch_errlog(data, ErrlogParser::new().with_year(2025));
    touch_errlog(data, ErrlogParser::new().with_year(2025).tolerant(true));
}

/// One line (up to the first line break) as an errlog.
pub fn errlog_line(data: &[u8]) {
    let end = data
        .iter()
        .position(|&b| b == b'\n' || b == b'\r')
        .unwrap_or(data.len());
    let line = &data[..end];
    let log = ErrlogParser::new().with_year(2024).parse(line);
    // no line-break byte at all: at most one line, whatever the encoding
    assert!(log.stats().lines <= 1, "{:?}", log.stats());
    assert!(log.stats().reconciles());
}

fn touch_events<'a>(events: impl IntoIterator<Item = crate::evtx::Event<'a>>) {
    for ev in events {
        let _ = (
            ev.record_id(),
            ev.timestamp(),
            ev.event_id(),
            ev.level(),
            ev.keywords(),
        );
        let _ = (
            ev.provider_name(),
            ev.channel(),
            ev.computer(),
            ev.user_id(),
            ev.provider_guid(),
        );
        if let Ok(fields) = ev.data() {
            for f in fields {
                let _ = f.value.to_string();
            }
        }
        let _ = ev.to_xml();
        let _ = ev.to_json();
        let _ = classifier().classify_event(&ev);
    }
}

/// Any bytes as an `.evtx` file, reading only (record fields and data values): sequential
/// and parallel reading must agree. The lighter body used on large corpus variants.
pub fn evtx_read(data: &[u8]) {
    let Ok(file) = EvtxFile::parse(data) else {
        return;
    };
    let filter = EventFilter::new();
    let mut sequential = Vec::new();
    for ev in file.events(&filter).flatten() {
        sequential.push(ev.record_id());
        let _ = (
            ev.timestamp(),
            ev.event_id(),
            ev.provider_name(),
            ev.channel(),
            ev.computer(),
        );
        if let Ok(fields) = ev.data() {
            for f in fields {
                let _ = f.value.to_string();
            }
        }
    }
    let (events, _) = file.par_events(&filter);
    let parallel: Vec<u64> = events.iter().map(|e| e.record_id()).collect();
    assert_eq!(
        sequential, parallel,
        "sequential and parallel reading disagree"
    );
}

/// Any bytes as an `.evtx` file: sequential and parallel reading must agree, and every
/// rendering and the classifier run on each event.
pub fn evtx_file(data: &[u8]) {
    evtx_read(data);
    if let Ok(file) = EvtxFile::parse(data) {
        touch_events(file.events(&EventFilter::new()).flatten());
    }
}

/// Any bytes as the BinXML body of one record in an otherwise valid file.
pub fn binxml_fragment(data: &[u8]) {
    let mut b = EvtxBuilder::new();
    let body = data.to_vec();
    b.push_raw(133_485_408_000_000_000, move |w| {
        w.buf.extend_from_slice(&body)
    });
    let bytes = b.build();
    if let Ok(file) = EvtxFile::parse(&bytes) {
        touch_events(file.events(&EventFilter::new()).flatten());
    }
}

/// Any bytes as an XML export of events.
pub fn event_xml(data: &[u8]) {
    let (events, _damage) = read_xml_events(data, &EventFilter::new());
    touch_events(events);
}

/// Any text as a user catalog file: loaded on its own and, where that could succeed, on
/// top of the embedded catalog (parsed once), as the CLI and the Python module load it;
/// when it loads on its own and is small, its entries are compiled into a classifier that
/// classifies the text. (Compiling the merged catalog recompiled the 73 embedded entries for
/// every input, seconds under ASan; cloning it costs milliseconds.)
pub fn catalog_file(data: &[u8]) {
    static EMBEDDED: OnceLock<Catalog> = OnceLock::new();
    let embedded = EMBEDDED.get_or_init(Catalog::embedded);
    let text = String::from_utf8_lossy(data);
    let mut alone = Catalog::default();
    let loaded = alone.add_toml(&text, "fuzz.toml");
    // A file that loads on top of the embedded catalog loads alone too, or fails alone only
    // for a related id of an embedded entry: every other file fails the same way merged.
    let related = matches!(&loaded, Err(e) if matches!(
        e.kind(),
        ErrorKind::Catalog { field, .. } if field == "entry.related"
    ));
    if loaded.is_ok() || related {
        let mut merged = embedded.clone();
        if merged.add_toml(&text, "fuzz.toml").is_ok() {
            let added = &merged.entries()[embedded.entries().len()..];
            if loaded.is_ok() {
                assert_eq!(added.len(), alone.entries().len(), "merged != alone");
            }
            for e in added {
                assert_eq!(e.origin, "fuzz.toml");
                let _ = e.codes();
            }
        }
    }
    if loaded.is_ok() && alone.entries().len() <= 8 {
        let c = Classifier::from_catalog(alone);
        for m in c.classify_text(&text) {
            assert!(m.span.start <= m.span.end && m.span.end <= text.len());
            let _ = c.entry(&m);
        }
    }
}

fn classifier() -> &'static Classifier {
    static C: OnceLock<Classifier> = OnceLock::new();
    C.get_or_init(Classifier::new)
}

/// Any bytes as a message, and as a whole errlog for the triage pass: spans lie inside
/// the text on character boundaries, and the triage pass equals parse-then-classify.
pub fn classifier_line(data: &[u8]) {
    let c = classifier();
    let text = String::from_utf8_lossy(data);
    for m in c.classify_text(&text) {
        assert!(
            m.span.start <= m.span.end && m.span.end <= text.len(),
            "span outside the text"
        );
        assert!(text.is_char_boundary(m.span.start) && text.is_char_boundary(m.span.end));
    }
    let parser = ErrlogParser::new().with_year(2025);
    let fast = c.scan_errlog(data, &parser);
    for f in &fast {
        assert!(f.span.end <= f.message.len() && f.message.is_char_boundary(f.span.start));
    }
    let log = parser.parse(data);
    let slow: usize = log
        .entries()
        .iter()
        .map(|e| match e {
            Entry::Record(r) => c.classify_text(&r.message()).len(),
            Entry::Unparsed(u) => c.classify_text(&u.text()).len(),
        })
        .sum();
    assert_eq!(fast.len(), slow, "triage pass != parse then classify");
}
