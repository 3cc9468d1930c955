//! Tests of the `binxml` module (kept apart to keep the module short).

use super::*;

fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// An inline name structure for a name reference at `pos`.
fn inline_name(out: &mut Vec<u8>, s: &str) {
    let pos = out.len() as u32 + 4;
    out.extend(pos.to_le_bytes());
    out.extend(0u32.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out.extend((s.encode_utf16().count() as u16).to_le_bytes());
    out.extend(utf16(s));
    out.extend([0, 0]);
}

#[test]
fn parses_untemplated_element() {
    // <A x="1">hi</A>
    let mut b = vec![0x0f, 1, 1, 0, 0x41];
    b.extend(0u32.to_le_bytes());
    inline_name(&mut b, "A");
    b.extend(0u32.to_le_bytes());
    b.push(0x06);
    inline_name(&mut b, "x");
    b.extend([0x05, 0x01, 1, 0]);
    b.extend(utf16("1"));
    b.push(0x02);
    b.extend([0x05, 0x01, 2, 0]);
    b.extend(utf16("hi"));
    b.extend([0x04, 0x00]);
    let mut p = TreeParser::new(Cursor::new(&b, 0, b.len()), false);
    let tops = p.fragment().unwrap();
    assert_eq!(p.c.pos, b.len());
    let [Top::Element(e)] = &tops[..] else {
        panic!("{tops:?}")
    };
    assert_eq!(&*e.name, "A");
    assert_eq!(&*e.attrs[0].name, "x");
    assert!(matches!(&e.content[..], [Node::Text(t)] if t.to_cow() == "hi"));
}

#[test]
fn rejects_truncation_everywhere() {
    let mut b = vec![0x0f, 1, 1, 0, 0x01];
    b.extend(0u32.to_le_bytes());
    inline_name(&mut b, "A");
    b.extend([0x02, 0x05, 0x01, 2, 0]);
    b.extend(utf16("hi"));
    b.push(0x04);
    for cut in 5..b.len() {
        let mut p = TreeParser::new(Cursor::new(&b, 0, cut), false);
        assert!(p.fragment().is_err(), "cut at {cut}");
    }
}

#[test]
fn bounds_nesting() {
    let mut b = Vec::new();
    for _ in 0..100 {
        b.push(0x01);
        b.extend(0u32.to_le_bytes());
        inline_name(&mut b, "A");
        b.push(0x02);
    }
    let mut p = TreeParser::new(Cursor::new(&b, 0, b.len()), false);
    assert_eq!(p.fragment().unwrap_err().what, "nesting too deep");
}

#[test]
fn values_follow_the_spec() {
    let spec = [2u8, 0, 4, 0, 0, 0, 0, 0, 1, 0, 4, 0];
    let data = [7u8, 0, 9];
    let v = Values::new(&spec, &data);
    assert_eq!(v.raw(0), Some((4, &data[..2])));
    assert_eq!(v.get(1), Value::Null);
    assert_eq!(v.get(2), Value::U8(9));
    assert_eq!(v.raw(3), None);
}
