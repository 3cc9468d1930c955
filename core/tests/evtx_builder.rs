//! EVTX reader tests over files made by `marslog::evtx::builder`: round trips, filters,
//! ordering, and every damage case (bad CRCs, bad chunk magic, truncation, zero-size
//! records, huge length fields, deep nesting, template loops).

use marslog::evtx::builder::{fix_checksums, ChunkWriter, DataValue, EventSpec, EvtxBuilder};
use marslog::evtx::{DamageKind, Event, EventFilter, EvtxFile, RecordHeaderError};

fn sample_specs() -> Vec<EventSpec> {
    vec![
        EventSpec::new("CloudBackup", "CloudBackup", 11)
            .level(2)
            .computer("SRV01")
            .data("JobId", DataValue::Str("42".into()))
            .data("ErrorCode", DataValue::Hex32(0x8007_0005))
            .data("Size", DataValue::U64(1 << 40)),
        EventSpec::new("Service Control Manager", "System", 7034)
            .qualifiers(49152)
            .level(2)
            .data(
                "param1",
                DataValue::Str("Microsoft Azure Recovery Services Agent".into()),
            )
            .data("param2", DataValue::U32(3)),
        EventSpec::new("CloudBackup", "CloudBackup", 5)
            .data("Items", DataValue::StrArray(vec!["a".into(), "b".into()]))
            .data("Flag", DataValue::Bool(true))
            .data(
                "Guid",
                DataValue::Guid([
                    0x25, 0x96, 0x84, 0x54, 0x78, 0x54, 0x94, 0x49, 0xa5, 0xba, 0x3e, 0x3b, 0x03,
                    0x28, 0xc3, 0x0d,
                ]),
            ),
    ]
}

fn build(specs: impl IntoIterator<Item = EventSpec>) -> Vec<u8> {
    let mut b = EvtxBuilder::new();
    for s in specs {
        b.push(s);
    }
    b.build()
}

fn read_all(bytes: &[u8]) -> (Vec<Event<'_>>, Vec<marslog::evtx::Damage>) {
    let file = EvtxFile::parse(bytes).expect("header");
    let mut events = Vec::new();
    let mut damage = Vec::new();
    for item in file.events(&EventFilter::new()) {
        match item {
            Ok(e) => events.push(e),
            Err(d) => damage.push(d),
        }
    }
    // The parallel reader agrees with the sequential one.
    let (pe, pd) = file.par_events(&EventFilter::new());
    assert_eq!(
        pe.iter().map(Event::record_id).collect::<Vec<_>>(),
        events.iter().map(Event::record_id).collect::<Vec<_>>()
    );
    assert_eq!(pd, damage);
    (events, damage)
}

/// Everything an event offers, to make sure nothing panics on damaged input.
fn touch_everything(e: &Event<'_>) {
    let _ = (
        e.record_id(),
        e.timestamp(),
        e.time_created(),
        e.event_id(),
        e.qualifiers(),
        e.level(),
    );
    let _ = (
        e.provider_name(),
        e.provider_guid(),
        e.channel(),
        e.computer(),
        e.user_id(),
    );
    let _ = (e.data(), e.to_xml(), e.to_json());
}

#[test]
fn round_trip_fields() {
    let bytes = build(sample_specs());
    let (events, damage) = read_all(&bytes);
    assert!(damage.is_empty(), "{damage:?}");
    assert_eq!(events.len(), 3);
    let e = &events[0];
    assert_eq!(e.record_id(), 1);
    assert_eq!(e.event_id(), Some(11));
    assert_eq!(e.level(), Some(2));
    assert_eq!(e.provider_name().as_deref(), Some("CloudBackup"));
    assert_eq!(e.channel().as_deref(), Some("CloudBackup"));
    assert_eq!(e.computer().as_deref(), Some("SRV01"));
    assert_eq!(e.keywords(), Some(0x8000_0000_0000_0000));
    assert_eq!(e.process_id(), Some(4));
    assert_eq!(
        e.time_created().unwrap().to_rfc3339(),
        "2024-01-01T00:00:00+00:00"
    );
    assert_eq!(e.timestamp(), e.time_created());
    let data: Vec<(String, String)> = e
        .data()
        .unwrap()
        .into_iter()
        .map(|f| (f.name.into_owned(), f.value.to_string()))
        .collect();
    assert_eq!(
        data,
        [
            ("JobId", "42"),
            ("ErrorCode", "0x80070005"),
            ("Size", "1099511627776")
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
    let e = &events[1];
    assert_eq!((e.event_id(), e.qualifiers()), (Some(7034), Some(49152)));
    let xml = events[2].to_xml().unwrap();
    assert!(xml.starts_with("<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='CloudBackup'/><EventID>5</EventID>"), "{xml}");
    assert!(xml.contains("<Data Name='Items'>a</Data><Data Name='Items'>b</Data><Data Name='Flag'>true</Data><Data Name='Guid'>{54849625-5478-4994-a5ba-3e3b0328c30d}</Data>"), "{xml}");
    let json = events[0].to_json().unwrap();
    // JSON scalar types are inferred from the text (integers and booleans become JSON
    // numbers and booleans).
    assert_eq!(json["Event"]["EventData"]["JobId"], 42);
    assert_eq!(json["Event"]["EventData"]["ErrorCode"], "0x80070005");
    assert_eq!(json["Event"]["System"]["EventID"], 11);
}

#[test]
fn builder_output_reads_the_same_in_the_evtx_crate() {
    let bytes = build(sample_specs());
    let (ours, _) = read_all(&bytes);
    let settings = evtx::ParserSettings::new()
        .num_threads(1)
        .indent(false)
        .validate_checksums(true);
    let mut parser = evtx::EvtxParser::from_buffer(bytes.clone())
        .unwrap()
        .with_configuration(settings);
    let theirs: Vec<_> = parser
        .records()
        .map(|r| r.expect("crate reads builder output"))
        .collect();
    assert_eq!(theirs.len(), ours.len());
    for (t, o) in theirs.iter().zip(&ours) {
        assert_eq!(t.event_record_id, o.record_id());
        // Same XML up to the crate's XML declaration and quote style.
        let body = t
            .data
            .split_once("?>")
            .map_or(t.data.as_str(), |(_, b)| b)
            .trim();
        assert_eq!(body.replace('"', "'"), o.to_xml().unwrap());
    }
}

#[test]
fn many_chunks_in_order_and_filters() {
    let specs = (0..3000u32).map(|i| {
        EventSpec::new(
            if i % 3 == 0 {
                "CloudBackup"
            } else {
                "Service Control Manager"
            },
            "System",
            (i % 10) as u16,
        )
        .data("Index", DataValue::U32(i))
        .data("Text", DataValue::Str("x".repeat((i % 50) as usize)))
    });
    let bytes = build(specs);
    let file = EvtxFile::parse(&bytes).unwrap();
    assert!(file.chunk_slots() > 3);
    let (events, damage) = read_all(&bytes);
    assert!(damage.is_empty());
    assert_eq!(events.len(), 3000);
    assert!(events
        .windows(2)
        .all(|w| w[0].record_id() + 1 == w[1].record_id()));
    let f = EventFilter::new().event_ids([3, 4]).provider("cloudbackup");
    let kept: Vec<_> = file.events(&f).map(|e| e.unwrap()).collect();
    assert_eq!(
        kept.len(),
        (0..3000)
            .filter(|i| i % 3 == 0 && matches!(i % 10, 3 | 4))
            .count()
    );
    assert_eq!(file.par_events(&f).0.len(), kept.len());
    let none = EventFilter::new().channel("Security");
    assert_eq!(file.events(&none).count(), 0);
    let t = chrono::DateTime::parse_from_rfc3339("2024-01-01T00:00:00Z")
        .unwrap()
        .to_utc();
    assert_eq!(
        file.events(&EventFilter::new().time_range(Some(t), None))
            .count(),
        3000
    );
    assert_eq!(
        file.events(&EventFilter::new().time_range(None, Some(t)))
            .count(),
        0
    );
}

const CHUNK0: usize = 4096;

#[test]
fn bad_crcs_are_advisory() {
    let mut bytes = build(sample_specs());
    assert!(read_all(&bytes).1.is_empty());
    bytes[0x18] ^= 1; // file header counter
    bytes[CHUNK0 + 0x08] ^= 1; // chunk header field
    let last = CHUNK0 + 0x200 + 100;
    bytes[last] ^= 0x40; // a byte of the records area
    let (events, damage) = read_all(&bytes);
    let kinds: Vec<_> = damage.iter().map(|d| d.reason).collect();
    assert!(
        matches!(kinds[0], DamageKind::FileHeaderChecksum { .. }),
        "{kinds:?}"
    );
    assert!(
        matches!(kinds[1], DamageKind::ChunkHeaderChecksum { .. }),
        "{kinds:?}"
    );
    assert!(
        matches!(kinds[2], DamageKind::RecordsChecksum { .. }),
        "{kinds:?}"
    );
    assert!(damage.iter().all(|d| d.reason.is_advisory()));
    assert_eq!(events.len(), 3);
}

fn three_chunks() -> Vec<u8> {
    build(
        (0..900u32).map(|i| {
            EventSpec::new("P", "C", 1).data("Blob", DataValue::Binary(vec![i as u8; 150]))
        }),
    )
}

#[test]
fn bad_chunk_magic_skips_only_that_chunk() {
    let mut bytes = three_chunks();
    let clean = read_all(&bytes).0.len();
    assert!(EvtxFile::parse(&bytes).unwrap().chunk_slots() >= 3);
    bytes[CHUNK0 + 65536] = b'X';
    let (events, damage) = read_all(&bytes);
    assert_eq!(damage.len(), 1);
    assert_eq!(damage[0].reason, DamageKind::BadChunkMagic);
    assert_eq!(
        (damage[0].chunk, damage[0].offset),
        (Some(1), (CHUNK0 + 65536) as u64)
    );
    assert!(events.len() < clean && !events.is_empty());
}

#[test]
fn zeroed_and_wrong_counts_are_tolerated() {
    let mut bytes = three_chunks();
    let clean = read_all(&bytes).0.len();
    bytes[0x2a] = 1; // header says one chunk
    bytes[0x10] = 0; // and that chunk 0 is the last
    fix_checksums(&mut bytes);
    assert_eq!(read_all(&bytes).0.len(), clean);
    // A zero slot in the middle is skipped silently.
    let mut with_gap = bytes[..CHUNK0 + 65536].to_vec();
    with_gap.extend(vec![0u8; 65536]);
    with_gap.extend(&bytes[CHUNK0 + 65536..]);
    let (events, damage) = read_all(&with_gap);
    assert!(damage.is_empty());
    assert_eq!(events.len(), clean);
}

#[test]
fn truncated_files_never_panic_and_keep_what_is_there() {
    let bytes = three_chunks();
    let clean = read_all(&bytes).0.len();
    let mut last = usize::MAX;
    for cut in (0..bytes.len())
        .step_by(997)
        .chain([127, 128, 4096, 4096 + 511, 4096 + 512])
    {
        let Ok(file) = EvtxFile::parse(&bytes[..cut]) else {
            assert!(cut < 128);
            continue;
        };
        let n = file
            .events(&EventFilter::new())
            .filter(|e| e.is_ok())
            .count();
        assert!(n <= clean);
        if cut > 4096 + 600 && cut < bytes.len() {
            let damage: Vec<_> = file
                .events(&EventFilter::new())
                .filter_map(Result::err)
                .collect();
            assert!(
                damage
                    .iter()
                    .any(|d| matches!(d.reason, DamageKind::TruncatedChunk { .. })),
                "cut {cut}"
            );
        }
        last = n;
    }
    assert!(last <= clean);
}

/// Offset of record `n` (0-based) in chunk 0.
fn record_offset(bytes: &[u8], n: usize) -> usize {
    let mut at = CHUNK0 + 0x200;
    for _ in 0..n {
        at += u32::from_le_bytes(bytes[at + 4..at + 8].try_into().unwrap()) as usize;
    }
    at
}

#[test]
fn zero_size_and_huge_size_records_are_skipped() {
    for (size, want) in [
        (0u32, RecordHeaderError::SizeTooSmall(0)),
        (u32::MAX, RecordHeaderError::SizeTooLarge(u32::MAX)),
    ] {
        let mut bytes = build((0..10).map(|i| EventSpec::new("P", "C", i)));
        let at = record_offset(&bytes, 3);
        bytes[at + 4..at + 8].copy_from_slice(&size.to_le_bytes());
        fix_checksums(&mut bytes);
        let (events, damage) = read_all(&bytes);
        assert_eq!(damage.len(), 1, "{damage:?}");
        assert_eq!(damage[0].reason, DamageKind::BadRecordHeader(want));
        assert_eq!(damage[0].offset, at as u64);
        // The walk resynchronises: only record 4 is lost.
        assert_eq!(
            events.iter().map(Event::record_id).collect::<Vec<_>>(),
            [1, 2, 3, 5, 6, 7, 8, 9, 10]
        );
    }
}

#[test]
fn huge_length_fields_inside_binxml_are_damage() {
    let base = build(sample_specs());
    let rec = record_offset(&base, 0);
    // Offsets inside record 1: value count (after the inline template), a value size, the
    // template data size, a name length. Poke each with 0xFFFF… and check nothing panics.
    for delta in 24..200 {
        for v in [0xffu8, 0x7f, 0x00] {
            let mut bytes = base.clone();
            bytes[rec + delta] = v;
            fix_checksums(&mut bytes);
            let (events, damage) = read_all(&bytes);
            assert!(events.len() + damage.len() >= 3);
            events.iter().for_each(touch_everything);
        }
    }
}

#[test]
fn deep_nesting_is_bounded() {
    let mut b = EvtxBuilder::new();
    b.push_raw(0, |w: &mut ChunkWriter| {
        w.buf.extend([0x0f, 1, 1, 0]);
        let mut sizes = Vec::new();
        for _ in 0..500 {
            sizes.push(w.open("A", false, false));
            w.close_start();
        }
        for s in sizes.into_iter().rev() {
            w.end(s);
        }
    });
    b.push(EventSpec::new("P", "C", 1));
    let bytes = b.build();
    let (events, damage) = read_all(&bytes);
    assert_eq!(events.len(), 1);
    assert_eq!(damage.len(), 1);
    assert_eq!(damage[0].record_id, Some(1));
    assert_eq!(
        damage[0].reason,
        DamageKind::BadBinXml {
            what: "nesting too deep"
        }
    );
}

#[test]
fn template_references_cannot_loop() {
    let mut b = EvtxBuilder::new();
    // An instance whose definition offset points at the instance token itself.
    b.push_raw(0, |w: &mut ChunkWriter| {
        w.buf.extend([0x0f, 1, 1, 0]);
        let at = w.pos();
        w.buf.extend([0x0c, 1, 0, 0, 0, 0]);
        w.buf.extend((at - 4).to_le_bytes());
        w.buf.extend(0u32.to_le_bytes());
    });
    // A BinXml value that contains an instance of the template being expanded.
    b.push(EventSpec::new("P", "C", 1).data("Nested", DataValue::Binary(vec![0x0c; 40])));
    let bytes = b.build();
    let (events, damage) = read_all(&bytes);
    events.iter().for_each(touch_everything);
    assert_eq!(events.len() + damage.len(), 2);
}

#[test]
fn random_corruption_never_panics() {
    let base = three_chunks();
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for _ in 0..200 {
        let mut bytes = base.clone();
        for _ in 0..20 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let at = CHUNK0 + (seed as usize % (bytes.len() - CHUNK0));
            bytes[at] = (seed >> 32) as u8;
        }
        let (events, _) = read_all(&bytes);
        events.iter().take(50).for_each(touch_everything);
    }
}

#[test]
fn detect_formats() {
    use marslog::evtx::{detect, EventFormat};
    let utf16: Vec<u8> = "\u{feff}  <Events>"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let table: &[(&[u8], Option<EventFormat>)] = &[
        (b"ElfFile\0rest", Some(EventFormat::Evtx)),
        (b"<Event xmlns='x'>", Some(EventFormat::Xml)),
        (
            b"\xef\xbb\xbf\r\n <?xml version='1.0'?>",
            Some(EventFormat::Xml),
        ),
        (&utf16, Some(EventFormat::Xml)),
        (b"<html>", None),
        (b"", None),
        (b"ElfChnk\0", None),
    ];
    for (input, want) in table {
        assert_eq!(detect(input), *want, "{input:?}");
    }
}
