//! Tests of the `value` module (kept apart to keep the module short).

use super::*;

#[test]
fn string_forms() {
    let guid = [
        0x25, 0x96, 0x84, 0x54, 0x78, 0x54, 0x94, 0x49, 0xa5, 0xba, 0x3e, 0x3b, 0x03, 0x28, 0xc3,
        0x0d,
    ];
    let sid = [1, 2, 0, 0, 0, 0, 0, 5, 32, 0, 0, 0, 0x20, 0x02, 0, 0];
    let ft = 131_124_751_716_816_408u64.to_le_bytes();
    let st: [u8; 16] = [
        0xe0, 0x07, 7, 0, 5, 0, 8, 0, 18, 0, 12, 0, 51, 0, 0x2c, 0x01,
    ];
    let cases: &[(u8, &[u8], &str)] = &[
        (ValueType::STRING, b"h\0i\0\0\0x\0", "hi"),
        (ValueType::ANSI_STRING, b"caf\xe9\0", "café"),
        (ValueType::INT8, &[0xff], "-1"),
        (ValueType::UINT16, &[0x10, 0x27], "10000"),
        (ValueType::BOOL, &[1, 0, 0, 0], "true"),
        (ValueType::BOOL, &[0, 0, 0, 0], "false"),
        (ValueType::BOOL, &[7, 0, 0, 0], "7"),
        (ValueType::BINARY, &[0xd9, 0x06, 0, 0], "D9060000"),
        (
            ValueType::GUID,
            &guid,
            "{54849625-5478-4994-a5ba-3e3b0328c30d}",
        ),
        (ValueType::SIZE_T, &[0xe7, 3, 0, 0], "0x3e7"),
        (
            ValueType::HEX_INT64,
            &[0, 0, 0, 0, 0, 0, 0x20, 0x80],
            "0x8020000000000000",
        ),
        (ValueType::FILETIME, &ft, "2016-07-08T18:12:51.6816408Z"),
        (ValueType::SYSTIME, &st, "2016-07-08T18:12:51.3000000Z"),
        (ValueType::SYSTIME, &[0; 16], "1601-01-01T00:00:00.0000000Z"),
        (ValueType::SID, &sid, "S-1-5-32-544"),
        (0x81, b"a\0\0\0b\0c\0\0\0", "a,bc"),
        (0x86, &[1, 0, 2, 0], "1,2"),
        (ValueType::UINT32, &[1, 2], ""),
    ];
    for (ty, bytes, want) in cases {
        assert_eq!(Value::parse(*ty, bytes).to_string(), *want, "type {ty:#x}");
    }
}

#[test]
fn utf16_compare_ignores_ascii_case() {
    let s = Utf16Str::until_nul(b"C\0l\0o\0u\0d\0");
    assert!(s.eq_ignore_ascii_case("cloud"));
    assert!(!s.eq_ignore_ascii_case("clou"));
    assert!(!s.eq_ignore_ascii_case("clouds"));
}

#[test]
fn times_convert() {
    let v = Value::FileTime(131_124_751_716_816_408);
    assert_eq!(
        v.as_datetime().unwrap().to_rfc3339(),
        "2016-07-08T18:12:51.681640800+00:00"
    );
}

#[test]
fn decodes_long_ascii_runs_and_mixed_text() {
    for text in [
        "a".repeat(200),
        format!("{}é{}€{}", "x".repeat(70), "y".repeat(130), "z".repeat(5)),
        "short".to_string(),
        "ünïcödé only".to_string(),
    ] {
        let bytes: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert_eq!(Utf16Str::until_nul(&bytes).to_cow(), text);
    }
}

#[test]
fn ansi_strings_drop_every_nul() {
    for (bytes, want) in [
        (&b"abc"[..], "abc"),
        (b"abc\0\0", "abc"),
        (b"a\0b\0", "ab"),
        (b"\0\0", ""),
        (b"caf\xe9\0", "caf\u{e9}"),
    ] {
        match Value::parse(ValueType::ANSI_STRING, bytes) {
            Value::Text(t) => assert_eq!(t, want, "{bytes:?}"),
            other => panic!("{other:?}"),
        }
    }
}
