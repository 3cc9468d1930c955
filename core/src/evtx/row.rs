//! One event as one JSON Lines row: the flat shape the CLI writes.
//!
//! ```text
//! {"file":…,"record_id":…,"timestamp":…,"event_id":…,"provider":…,"channel":…,
//!  "computer":…,"level":…,"data":{name: "string form", …}}
//! ```
//!
//! # Invariants
//!
//! * Exactly these keys, in this order, one line ending in `\n`. `timestamp` is the
//!   record time ([`Event::timestamp`]) in RFC 3339 UTC with 7 fractional digits
//!   (`2024-01-01T00:00:00.0000000Z`); absent numbers and strings are `null`.
//! * `data` maps each EventData/UserData item ([`Event::data`]) to its string form
//!   (`Display` of the value; NULL is `""`). Unnamed `<Data>` items are keyed `"0"`,
//!   `"1"`, … in order; a key already used gets `_1`, `_2`, … (the first free one).
//! * Text is written from the UTF-16 bytes straight into the output, JSON-escaped;
//!   names are borrowed from the templates. Nothing is allocated per item unless the
//!   event has more than [`LINEAR_KEYS`] items (then a set detects repeated keys).
//! * Payload damage does not lose the row: `data` is then `{}` and the damage is returned.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;
use std::io;

use super::data::DataSink;
use super::template::SystemField;
use super::text::{guid, push_hex, push_hex_upper, push_i64, push_sid, push_u64};
use super::value::{filetime_ascii, systime_ascii, Utf16Str, Value};
use super::{Damage, Event};

/// Up to this many keys, repeated keys are found by a linear scan.
pub const LINEAR_KEYS: usize = 64;

impl Event<'_> {
    /// Append the event's JSON Lines row (see the [module docs](self)) to `out`. Returns
    /// the damage when the payload could not be read (the row is written with `"data":{}`).
    pub fn append_json_row(&self, file: &str, out: &mut Vec<u8>) -> Option<Damage> {
        out.extend_from_slice(b"{\"file\":");
        json_str(out, file);
        out.extend_from_slice(b",\"record_id\":");
        push_u64(out, self.record_id());
        out.extend_from_slice(b",\"timestamp\":");
        match self.written_filetime().or_else(|| {
            let t = self.timestamp()?;
            let secs = u64::try_from(t.timestamp() + 11_644_473_600).ok()?;
            Some(secs * 10_000_000 + u64::from(t.timestamp_subsec_nanos() / 100))
        }) {
            Some(ft) => {
                out.push(b'"');
                out.extend_from_slice(&filetime_ascii(ft));
                out.push(b'"');
            }
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\"event_id\":");
        opt_u64(out, self.event_id().map(u64::from));
        for (key, field) in [
            (&b",\"provider\":"[..], SystemField::ProviderName),
            (b",\"channel\":", SystemField::Channel),
            (b",\"computer\":", SystemField::Computer),
        ] {
            out.extend_from_slice(key);
            match self.system(field) {
                Some(v) => json_value(out, &v),
                None => out.extend_from_slice(b"null"),
            }
        }
        out.extend_from_slice(b",\"level\":");
        opt_u64(out, self.level().map(u64::from));
        out.extend_from_slice(b",\"data\":{");
        let start = out.len();
        let mut sink = RowSink {
            out,
            start,
            keys: KeyList::new(),
            set: None,
            unnamed: 0,
            seen: [0; 4],
        };
        let damage = self.data_into(&mut sink).err();
        if damage.is_some() {
            sink.reset();
        }
        out.extend_from_slice(b"}}\n");
        damage
    }

    /// Write the event's JSON Lines row (see the [module docs](self)) to `out` in one
    /// `write_all`. Returns the payload damage, if any (the row is still written).
    pub fn write_json_row<W: io::Write + ?Sized>(
        &self,
        file: &str,
        out: &mut W,
    ) -> io::Result<Option<Damage>> {
        let mut buf = Vec::with_capacity(1024);
        let damage = self.append_json_row(file, &mut buf);
        out.write_all(&buf)?;
        Ok(damage)
    }
}

/// A key of the `data` object.
#[derive(Debug, Clone, PartialEq)]
enum Key<'e> {
    Name(Cow<'e, str>),
    Index(usize),
    Suffixed(Cow<'e, str>, usize),
}

impl fmt::Display for Key<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Key::Name(n) => f.write_str(n),
            Key::Index(i) => write!(f, "{i}"),
            Key::Suffixed(n, i) => write!(f, "{n}_{i}"),
        }
    }
}

/// Decimal digits of `i`, its first and its last digit.
fn digits(i: usize) -> (usize, u8, u8) {
    let (mut n, mut first) = (1, i);
    while first >= 10 {
        first /= 10;
        n += 1;
    }
    (n, b'0' + first as u8, b'0' + (i % 10) as u8)
}

impl Key<'_> {
    /// A bit of a 256-bit set chosen from the key's text (its length and its first and
    /// last bytes), as (word, mask): equal texts get equal bits.
    fn bit(&self) -> (usize, u64) {
        let (len, first, last) = match self {
            Key::Name(n) => {
                let b = n.as_bytes();
                (
                    b.len(),
                    b.first().copied().unwrap_or(0),
                    b.last().copied().unwrap_or(0),
                )
            }
            Key::Index(i) => digits(*i),
            Key::Suffixed(n, i) => {
                let (d, _, last) = digits(*i);
                let first = n.as_bytes().first().copied().unwrap_or(b'_');
                (n.len() + 1 + d, first, last)
            }
        };
        let h = (len as u64).wrapping_mul(0x9E37_79B9)
            ^ u64::from(first).wrapping_mul(0x85EB_CA6B)
            ^ u64::from(last).wrapping_mul(0xC2B2_AE35);
        let i = h.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 56;
        ((i >> 6) as usize, 1 << (i & 63))
    }

    /// Same text as `other`? (Cheap for the common name-to-name case.)
    fn same(&self, other: &Key<'_>) -> bool {
        match (self, other) {
            (Key::Name(a), Key::Name(b)) => a == b,
            (Key::Index(a), Key::Index(b)) => a == b,
            _ => self.to_string() == other.to_string(),
        }
    }
}

/// Keys in order: the first [`INLINE_KEYS`] in place (no allocation per row), the rest
/// in a vector.
struct KeyList<'e> {
    inline: [Key<'e>; INLINE_KEYS],
    n: usize,
    spill: Vec<Key<'e>>,
}

const INLINE_KEYS: usize = 16;

impl<'e> KeyList<'e> {
    fn new() -> Self {
        KeyList {
            inline: std::array::from_fn(|_| Key::Index(0)),
            n: 0,
            spill: Vec::new(),
        }
    }

    fn len(&self) -> usize {
        self.n + self.spill.len()
    }

    fn iter(&self) -> impl Iterator<Item = &Key<'e>> {
        self.inline[..self.n].iter().chain(&self.spill)
    }

    fn push(&mut self, k: Key<'e>) {
        if self.n < INLINE_KEYS {
            self.inline[self.n] = k;
            self.n += 1;
        } else {
            self.spill.push(k);
        }
    }

    fn clear(&mut self) {
        for k in &mut self.inline[..self.n] {
            *k = Key::Index(0);
        }
        self.n = 0;
        self.spill.clear();
    }
}

struct RowSink<'o, 'e> {
    out: &'o mut Vec<u8>,
    /// Where the items start (just after `"data":{`).
    start: usize,
    keys: KeyList<'e>,
    /// The keys' text, once there are more than [`LINEAR_KEYS`].
    set: Option<HashSet<String>>,
    unnamed: usize,
    /// One bit per key remembered ([`Key::bit`]): a key whose bit is clear is new.
    seen: [u64; 4],
}

impl<'e> RowSink<'_, 'e> {
    /// Whether `k` (whose [`Key::bit`] is `(w, b)`) was written already.
    fn used(&self, k: &Key<'_>, (w, b): (usize, u64)) -> bool {
        if self.seen[w] & b == 0 {
            return false;
        }
        match &self.set {
            Some(set) => set.contains(&k.to_string()),
            None => self.keys.iter().any(|x| x.same(k)),
        }
    }

    fn remember(&mut self, k: Key<'e>, (w, b): (usize, u64)) {
        self.seen[w] |= b;
        if let Some(set) = &mut self.set {
            set.insert(k.to_string());
        } else if self.keys.len() == LINEAR_KEYS {
            let mut set: HashSet<String> = self.keys.iter().map(|x| x.to_string()).collect();
            self.keys.clear();
            set.insert(k.to_string());
            self.set = Some(set);
        } else {
            self.keys.push(k);
        }
    }
}

impl<'e> DataSink<'e> for RowSink<'_, 'e> {
    fn item(&mut self, name: Cow<'e, str>, value: Value<'e>, unnamed: bool) {
        self.keyed(name, false, value, unnamed);
    }

    fn item_static(
        &mut self,
        name: &'e str,
        plain: bool,
        fresh: bool,
        value: Value<'e>,
        unnamed: bool,
    ) {
        if fresh && plain && !unnamed {
            // No key of this row can repeat: nothing to check or remember.
            if self.out.len() > self.start {
                self.out.push(b',');
            }
            self.out.push(b'"');
            self.out.extend_from_slice(name.as_bytes());
            self.out.extend_from_slice(b"\":");
            json_value(self.out, &value);
            return;
        }
        self.keyed(Cow::Borrowed(name), plain, value, unnamed);
    }

    fn reset(&mut self) {
        self.out.truncate(self.start);
        self.keys.clear();
        self.set = None;
        self.unnamed = 0;
        self.seen = [0; 4];
    }
}

impl<'e> RowSink<'_, 'e> {
    /// Write one item; `plain`: a name key needs no escaping.
    fn keyed(&mut self, name: Cow<'e, str>, plain: bool, value: Value<'e>, unnamed: bool) {
        let mut key = if unnamed {
            self.unnamed += 1;
            Key::Index(self.unnamed - 1)
        } else {
            Key::Name(name)
        };
        let mut bit = key.bit();
        if self.used(&key, bit) {
            let base: Cow<'e, str> = match key {
                Key::Name(n) => n,
                other => Cow::Owned(other.to_string()),
            };
            let mut i = 1;
            loop {
                let k = Key::Suffixed(base.clone(), i);
                let b = k.bit();
                if !self.used(&k, b) {
                    key = k;
                    bit = b;
                    break;
                }
                i += 1;
            }
        }
        if self.out.len() > self.start {
            self.out.push(b',');
        }
        match &key {
            Key::Name(n) if plain => {
                self.out.push(b'"');
                self.out.extend_from_slice(n.as_bytes());
                self.out.extend_from_slice(b"\":");
            }
            Key::Name(n) => {
                json_str(self.out, n);
                self.out.push(b':');
            }
            other => {
                json_str(self.out, &other.to_string());
                self.out.push(b':');
            }
        }
        json_value(self.out, &value);
        self.remember(key, bit);
    }
}

/// `fmt::Write` into a byte buffer, JSON-escaped.
struct Escaped<'o>(&'o mut Vec<u8>);

impl fmt::Write for Escaped<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        escape_str(self.0, s);
        Ok(())
    }
}

fn opt_u64(out: &mut Vec<u8>, v: Option<u64>) {
    match v {
        Some(v) => push_u64(out, v),
        None => out.extend_from_slice(b"null"),
    }
}

/// A JSON string of `s`.
fn json_str(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    escape_str(out, s);
    out.push(b'"');
}

/// A JSON string of a value's string form.
fn json_value(out: &mut Vec<u8>, v: &Value<'_>) {
    out.push(b'"');
    match v {
        Value::Str(s) => escape_utf16(out, *s),
        Value::Text(t) => escape_str(out, t),
        Value::Null | Value::BinXml(_) | Value::Invalid { .. } => {}
        Value::U8(v) => push_u64(out, (*v).into()),
        Value::U16(v) => push_u64(out, (*v).into()),
        Value::U32(v) => push_u64(out, (*v).into()),
        Value::U64(v) => push_u64(out, *v),
        Value::I8(v) => push_i64(out, (*v).into()),
        Value::I16(v) => push_i64(out, (*v).into()),
        Value::I32(v) => push_i64(out, (*v).into()),
        Value::I64(v) => push_i64(out, *v),
        Value::HexI32(v) => push_hex(out, (*v).into()),
        Value::HexI64(v) => push_hex(out, *v),
        Value::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Binary(b) => push_hex_upper(out, b),
        Value::Guid(g) => out.extend_from_slice(&guid(g)),
        Value::FileTime(ft) => out.extend_from_slice(&filetime_ascii(*ft)),
        Value::SysTime(st) => out.extend_from_slice(&systime_ascii(st)),
        Value::Sid(s) => push_sid(out, s),
        other => {
            let _ = fmt::Write::write_fmt(&mut Escaped(out), format_args!("{other}"));
        }
    }
    out.push(b'"');
}

fn escape_byte(out: &mut Vec<u8>, b: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    match b {
        b'"' => out.extend_from_slice(b"\\\""),
        b'\\' => out.extend_from_slice(b"\\\\"),
        b'\n' => out.extend_from_slice(b"\\n"),
        b'\r' => out.extend_from_slice(b"\\r"),
        b'\t' => out.extend_from_slice(b"\\t"),
        0x08 => out.extend_from_slice(b"\\b"),
        0x0c => out.extend_from_slice(b"\\f"),
        _ => out.extend_from_slice(&[
            b'\\',
            b'u',
            b'0',
            b'0',
            HEX[usize::from(b >> 4)],
            HEX[usize::from(b & 15)],
        ]),
    }
}

fn needs_escape(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// Whether none of the eight bytes of `x` is a control character, quote or backslash.
fn plain8(x: u64) -> bool {
    const LANES: u64 = 0x0101_0101_0101_0101;
    let zero = |y: u64| y.wrapping_sub(LANES) & !y & (LANES << 7);
    let control = x.wrapping_sub(0x20 * LANES) & !x & (LANES << 7);
    control == 0
        && zero(x ^ (u64::from(b'"') * LANES)) == 0
        && zero(x ^ (u64::from(b'\\') * LANES)) == 0
}

fn escape_str(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    let mut i = 0;
    // Eight bytes at a time while none needs escaping; the tail padded with `A`.
    while let Some(b) = bytes.get(i..i + 8) {
        if !plain8(u64::from_le_bytes([
            b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
        ])) {
            break;
        }
        i += 8;
    }
    if i + 8 > bytes.len() {
        let mut tail = [b'A'; 8];
        tail[..bytes.len() - i].copy_from_slice(&bytes[i..]);
        if plain8(u64::from_le_bytes(tail)) {
            out.extend_from_slice(bytes);
            return;
        }
    }
    let mut run = 0;
    for (k, &b) in bytes.iter().enumerate().skip(i) {
        if needs_escape(b) {
            out.extend_from_slice(&bytes[run..k]);
            escape_byte(out, b);
            run = k + 1;
        }
    }
    out.extend_from_slice(&bytes[run..]);
}

/// JSON-escape UTF-16LE text straight into UTF-8 (unpaired surrogates become U+FFFD).
fn escape_utf16(out: &mut Vec<u8>, s: Utf16Str<'_>) {
    let bytes = s.as_bytes();
    out.reserve(bytes.len() / 2);
    let mut i = 0;
    while i + 1 < bytes.len() {
        // Four plain ASCII units (no control character, quote or backslash) at a time.
        if let Some(b) = bytes.get(i..i + 8) {
            let x = u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]);
            const LANES: u64 = 0x0001_0001_0001_0001;
            let zero = |y: u64| y.wrapping_sub(LANES) & !y & (LANES << 15);
            let control = x.wrapping_sub(0x20 * LANES) & !x & (0x80 * LANES);
            if x & (0xff80 * LANES) == 0
                && control == 0
                && zero(x ^ (u64::from(b'"') * LANES)) == 0
                && zero(x ^ (u64::from(b'\\') * LANES)) == 0
            {
                out.extend_from_slice(&[b[0], b[2], b[4], b[6]]);
                i += 8;
                continue;
            }
        }
        let u = u16::from_le_bytes([bytes[i], bytes[i + 1]]);
        i += 2;
        if u < 0x80 {
            let b = u as u8;
            if needs_escape(b) {
                escape_byte(out, b);
            } else {
                out.push(b);
            }
            continue;
        }
        let c = if (0xd800..0xdc00).contains(&u) && i + 1 < bytes.len() {
            let lo = u16::from_le_bytes([bytes[i], bytes[i + 1]]);
            if (0xdc00..0xe000).contains(&lo) {
                i += 2;
                char::from_u32(0x10000 + ((u32::from(u) - 0xd800) << 10) + (u32::from(lo) - 0xdc00))
            } else {
                None
            }
        } else {
            char::from_u32(u.into())
        };
        let mut buf = [0u8; 4];
        out.extend_from_slice(c.unwrap_or('\u{fffd}').encode_utf8(&mut buf).as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evtx::builder::{DataValue, EventSpec, EvtxBuilder};
    use crate::evtx::{read_xml_events, EventFilter, EvtxFile};

    fn rows(bytes: &[u8]) -> Vec<serde_json::Value> {
        let file = EvtxFile::parse(bytes).unwrap();
        let mut out = Vec::new();
        for e in file.events(&EventFilter::new()).flatten() {
            assert!(e.append_json_row("C:\\logs\\x.evtx", &mut out).is_none());
        }
        let text = String::from_utf8(out).unwrap();
        assert!(text.ends_with('\n'));
        text.lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    #[test]
    fn row_shape_and_values() {
        let mut b = EvtxBuilder::new();
        b.push(
            EventSpec::new("Service Control Manager", "System", 7036)
                .computer("SRV\"01")
                .level(4)
                .data("param1", DataValue::Str("Tab\there, quote \" é 😀".into()))
                .data("param2", DataValue::U32(7))
                .data("param1", DataValue::Str("again".into()))
                .data("param1", DataValue::Null)
                .data("param1_1", DataValue::Hex32(0x1f))
                .data("Items", DataValue::StrArray(vec!["a".into(), "b".into()])),
        );
        let r = rows(&b.build());
        assert_eq!(
            r[0],
            serde_json::json!({
                "file": "C:\\logs\\x.evtx",
                "record_id": 1,
                "timestamp": "2024-01-01T00:00:00.0000000Z",
                "event_id": 7036,
                "provider": "Service Control Manager",
                "channel": "System",
                "computer": "SRV\"01",
                "level": 4,
                "data": {
                    "param1": "Tab\there, quote \" é 😀",
                    "param2": "7",
                    "param1_1": "again",
                    "param1_2": "",
                    "param1_1_1": "0x1f",
                    "Items": "a",
                    "Items_1": "b",
                }
            })
        );
    }

    #[test]
    fn keys_in_order_on_one_line() {
        let mut b = EvtxBuilder::new();
        b.push(EventSpec::new("P", "C", 1).data("x", DataValue::U8(1)));
        let bytes = b.build();
        let file = EvtxFile::parse(&bytes).unwrap();
        let mut out = Vec::new();
        for e in file.events(&EventFilter::new()).flatten() {
            e.write_json_row("f", &mut out).unwrap();
        }
        let line = String::from_utf8(out).unwrap();
        assert_eq!(line.matches('\n').count(), 1);
        let mut at = 0;
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
            let pos = line[at..].find(&format!("\"{k}\":")).expect(k);
            at += pos + 1;
        }
    }

    #[test]
    fn unnamed_data_items_are_numbered() {
        let xml = br#"<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="Service Control Manager"/><EventID Qualifiers="49152">7034</EventID><Level>2</Level><TimeCreated SystemTime="2024-05-06T07:08:09.1234567Z"/><EventRecordID>42</EventRecordID><Channel>System</Channel><Computer>SRV01</Computer></System><EventData><Data>MARS Agent</Data><Data>1</Data><Data Name="0">named zero</Data><Binary>0A0B</Binary></EventData></Event>"#;
        let (events, damage) = read_xml_events(xml, &EventFilter::new());
        assert!(damage.is_empty());
        let mut out = Vec::new();
        events[0].write_json_row("x.xml", &mut out).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(
            v,
            serde_json::json!({
                "file": "x.xml", "record_id": 42,
                "timestamp": "2024-05-06T07:08:09.1234567Z",
                "event_id": 7034, "provider": "Service Control Manager",
                "channel": "System", "computer": "SRV01", "level": 2,
                "data": {"0": "MARS Agent", "1": "1", "0_1": "named zero", "Binary": "0A0B"}
            })
        );
    }

    #[test]
    fn many_repeated_keys_stay_unique() {
        let mut spec = EventSpec::new("P", "C", 1);
        for i in 0..150 {
            spec = spec.data(if i % 2 == 0 { "k" } else { "k_1" }, DataValue::U32(i));
        }
        let mut b = EvtxBuilder::new();
        b.push(spec);
        let r = rows(&b.build());
        let data = r[0]["data"].as_object().unwrap();
        assert_eq!(data.len(), 150);
        assert_eq!(data["k"], "0");
        assert_eq!(data["k_1"], "1");
        assert_eq!(data["k_2"], "2");
    }

    #[test]
    fn utf16_escaping_matches_str_escaping() {
        let samples = [
            "plain ascii text, long enough for several blocks",
            "q\"uo\\te\u{1}\u{1f}\u{7f} é ünï 😀 \t\r\n end",
            "\"\"\"\"\\\\\\\\abcdefgh",
            "",
        ];
        for t in samples {
            let units: Vec<u8> = t.encode_utf16().flat_map(u16::to_le_bytes).collect();
            let mut a = Vec::new();
            escape_utf16(&mut a, Utf16Str::until_nul(&units));
            let mut b = Vec::new();
            escape_str(&mut b, t);
            assert_eq!(String::from_utf8(a).unwrap(), String::from_utf8(b).unwrap());
        }
    }

    #[test]
    fn escapes_control_and_lone_surrogates() {
        let mut out = Vec::new();
        let units: Vec<u8> = [0x41u16, 0x01, 0xd800, 0x42, 0xd83d, 0xde00]
            .iter()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        escape_utf16(&mut out, Utf16Str::until_nul(&units));
        assert_eq!(String::from_utf8(out).unwrap(), "A\\u0001\u{fffd}B😀");
    }
}
