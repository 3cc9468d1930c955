//! Typed substitution values (MS-EVEN6 §2.2.4.1) and their string forms.
//!
//! # Invariants
//!
//! * A [`Value`] borrows the bytes it was read from; nothing is decoded until asked.
//!   UTF-16 text stays a [`Utf16Str`] until [`Utf16Str::to_cow`] or `Display`.
//! * [`Value::parse`] never reads outside the slice it is given: the caller cuts the
//!   slice to the size the value spec declares. A fixed-size value whose slice is too
//!   short becomes [`Value::Invalid`] rather than an error, so one broken value never
//!   hides the rest of a record.
//! * `Display` writes the string form the `evtx` crate (0.15) writes in XML and JSON:
//!   decimal integers, `0x…` lowercase hex, uppercase contiguous hex for binary, GUIDs
//!   in lowercase braces, times with 7 fractional digits and a `Z`, SIDs as `S-1-…`,
//!   arrays joined with commas. Text is written unescaped.

use std::borrow::Cow;
use std::fmt::{self, Write as _};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};

/// A value type code of a value spec or substitution token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ValueType(pub u8);

#[allow(missing_docs)]
impl ValueType {
    pub const NULL: u8 = 0x00;
    pub const STRING: u8 = 0x01;
    pub const ANSI_STRING: u8 = 0x02;
    pub const INT8: u8 = 0x03;
    pub const UINT8: u8 = 0x04;
    pub const INT16: u8 = 0x05;
    pub const UINT16: u8 = 0x06;
    pub const INT32: u8 = 0x07;
    pub const UINT32: u8 = 0x08;
    pub const INT64: u8 = 0x09;
    pub const UINT64: u8 = 0x0a;
    pub const REAL32: u8 = 0x0b;
    pub const REAL64: u8 = 0x0c;
    pub const BOOL: u8 = 0x0d;
    pub const BINARY: u8 = 0x0e;
    pub const GUID: u8 = 0x0f;
    pub const SIZE_T: u8 = 0x10;
    pub const FILETIME: u8 = 0x11;
    pub const SYSTIME: u8 = 0x12;
    pub const SID: u8 = 0x13;
    pub const HEX_INT32: u8 = 0x14;
    pub const HEX_INT64: u8 = 0x15;
    pub const BINXML: u8 = 0x21;
    pub const ARRAY_FLAG: u8 = 0x80;

    /// The size of one item of a fixed-size type, `None` for variable-size types.
    pub const fn fixed_size(self) -> Option<usize> {
        Some(match self.0 & 0x7f {
            Self::INT8 | Self::UINT8 => 1,
            Self::INT16 | Self::UINT16 => 2,
            Self::INT32 | Self::UINT32 | Self::REAL32 | Self::BOOL | Self::HEX_INT32 => 4,
            Self::INT64 | Self::UINT64 | Self::REAL64 | Self::FILETIME | Self::HEX_INT64 => 8,
            Self::GUID | Self::SYSTIME => 16,
            _ => return None,
        })
    }

    /// True for the array types (bit 0x80).
    pub const fn is_array(self) -> bool {
        self.0 & Self::ARRAY_FLAG != 0
    }
}

/// A borrowed UTF-16LE string (no BOM, no terminator; cut at the first NUL unit).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Utf16Str<'a>(&'a [u8]);

impl<'a> Utf16Str<'a> {
    /// Wrap raw UTF-16LE bytes, ending at the first NUL code unit (odd trailing byte dropped).
    pub fn until_nul(bytes: &'a [u8]) -> Self {
        let even = &bytes[..bytes.len() & !1];
        Utf16Str(&even[..nul_unit(even).unwrap_or(even.len())])
    }

    /// The raw UTF-16LE bytes.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.0
    }

    /// True when the string has no code units.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The UTF-16 code units.
    pub fn units(&self) -> impl Iterator<Item = u16> + 'a {
        self.0
            .chunks_exact(2)
            .map(|u| u16::from_le_bytes([u[0], u[1]]))
    }

    /// Decode to UTF-8 (unpaired surrogates become U+FFFD).
    pub fn to_cow(&self) -> Cow<'a, str> {
        if self.0.is_empty() {
            return Cow::Borrowed("");
        }
        let mut s = String::with_capacity(self.0.len() / 2);
        self.push_to(&mut s);
        Cow::Owned(s)
    }

    /// Decode to a shared string, allocating once for short ASCII text (names, keys).
    pub(crate) fn to_arc_str(self) -> Arc<str> {
        let mut buf = [0u8; 64];
        match self.short_ascii(&mut buf) {
            Some(s) => s.into(),
            None => self.to_cow().as_ref().into(),
        }
    }

    /// Decode to a boxed string, allocating once for short ASCII text (names, keys).
    pub(crate) fn to_boxed_str(self) -> Box<str> {
        let mut buf = [0u8; 64];
        match self.short_ascii(&mut buf) {
            Some(s) => s.into(),
            None => self.to_cow().into(),
        }
    }

    /// The text, when it is ASCII of at most 64 units, decoded into `buf`.
    fn short_ascii(self, buf: &mut [u8; 64]) -> Option<&str> {
        if self.0.len() > 2 * buf.len() {
            return None;
        }
        let units = self.0.chunks_exact(2);
        let n = units.len();
        let mut ascii = true;
        for (b, u) in buf.iter_mut().zip(units) {
            ascii &= u[1] == 0 && u[0] < 0x80;
            *b = u[0];
        }
        if !ascii {
            return None;
        }
        std::str::from_utf8(&buf[..n]).ok()
    }

    /// Append the decoded text to `out` (ASCII runs are copied without decoding).
    pub fn push_to(&self, out: &mut String) {
        let mut rest = self.0;
        loop {
            // ASCII fast path, eight bytes (four units) at a time.
            let mut n = 0;
            while n + 8 <= rest.len() {
                let x = u64::from_le_bytes([
                    rest[n],
                    rest[n + 1],
                    rest[n + 2],
                    rest[n + 3],
                    rest[n + 4],
                    rest[n + 5],
                    rest[n + 6],
                    rest[n + 7],
                ]);
                if x & 0xff80_ff80_ff80_ff80 != 0 {
                    break;
                }
                n += 8;
            }
            while n + 2 <= rest.len() && rest[n + 1] == 0 && rest[n] < 0x80 {
                n += 2;
            }
            push_ascii(&rest[..n], out);
            rest = &rest[n..];
            if rest.len() < 2 {
                return;
            }
            // A non-ASCII stretch: decode up to the next ASCII unit.
            let end = rest
                .chunks_exact(2)
                .position(|u| u[1] == 0 && u[0] < 0x80)
                .map_or(rest.len() & !1, |i| 2 * i);
            let units = rest[..end]
                .chunks_exact(2)
                .map(|u| u16::from_le_bytes([u[0], u[1]]));
            out.extend(char::decode_utf16(units).map(|c| c.unwrap_or('\u{fffd}')));
            rest = &rest[end..];
        }
    }

    /// Compare with `s` ignoring ASCII case, without allocating.
    pub fn eq_ignore_ascii_case(&self, s: &str) -> bool {
        let mut units = self.units();
        for c in char::decode_utf16(s.encode_utf16()) {
            let Ok(c) = c else { return false };
            let mut buf = [0u16; 2];
            for want in c.encode_utf16(&mut buf) {
                match units.next() {
                    Some(u) if ascii_lower(u) == ascii_lower(*want) => {}
                    _ => return false,
                }
            }
        }
        units.next().is_none()
    }
}

/// Append ASCII UTF-16LE units (checked by the caller) to `out`: their low bytes are
/// gathered 64 at a time in a stack buffer and appended as one `str`, instead of one
/// `char` push per unit.
fn push_ascii(units: &[u8], out: &mut String) {
    if units.len() <= 16 {
        // A few units: the buffer and the check cost more than they save.
        out.extend(units.iter().step_by(2).map(|&b| b as char));
        return;
    }
    out.reserve(units.len() / 2);
    let mut buf = [0u8; 64];
    for block in units.chunks(128) {
        let n = block.len() / 2;
        for (b, u) in buf.iter_mut().zip(block.chunks_exact(2)) {
            *b = u[0];
        }
        // Every byte is below 0x80, so this is always valid UTF-8.
        if let Ok(text) = std::str::from_utf8(&buf[..n]) {
            out.push_str(text);
        }
    }
}

/// Byte index of the first NUL code unit of `even` (an even-length UTF-16LE slice), four
/// units at a time: in `x - 0x0001…` with `!x & 0x8000…` the lowest flagged unit is the
/// first zero one (borrows only move upwards from a zero unit).
#[inline(always)]
fn nul_unit(even: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0001_0001_0001_0001;
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & (ONES << 15);
    let word = |b: &[u8]| u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]);
    // 32 bytes per step (one branch), then 8, then single units.
    let mut blocks = even.chunks_exact(32);
    let mut i = 0;
    for b in &mut blocks {
        let z = [
            zero(word(&b[..8])),
            zero(word(&b[8..16])),
            zero(word(&b[16..24])),
            zero(word(&b[24..32])),
        ];
        if z[0] | z[1] | z[2] | z[3] != 0 {
            break;
        }
        i += 32;
    }
    while i + 8 <= even.len() {
        let z = zero(word(&even[i..i + 8]));
        if z != 0 {
            return Some(i + (z.trailing_zeros() as usize / 16) * 2);
        }
        i += 8;
    }
    while i + 2 <= even.len() {
        if even[i] == 0 && even[i + 1] == 0 {
            return Some(i);
        }
        i += 2;
    }
    None
}

fn ascii_lower(u: u16) -> u16 {
    if (b'A' as u16..=b'Z' as u16).contains(&u) {
        u + 32
    } else {
        u
    }
}

impl fmt::Display for Utf16Str<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in char::decode_utf16(self.units()) {
            f.write_char(c.unwrap_or('\u{fffd}'))?;
        }
        Ok(())
    }
}

impl fmt::Debug for Utf16Str<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.to_cow())
    }
}

/// A typed value of an event: a substitution value, or text from the template or an
/// XML export.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Value<'a> {
    /// No value (NullType).
    Null,
    /// UTF-16 text, decoded on demand.
    Str(Utf16Str<'a>),
    /// Text already in UTF-8: template literals, ANSI strings, XML exports.
    Text(Cow<'a, str>),
    /// Signed 8-bit integer.
    I8(i8),
    /// Unsigned 8-bit integer.
    U8(u8),
    /// Signed 16-bit integer.
    I16(i16),
    /// Unsigned 16-bit integer.
    U16(u16),
    /// Signed 32-bit integer (also a BoolType holding something other than 0 or 1).
    I32(i32),
    /// Unsigned 32-bit integer.
    U32(u32),
    /// Signed 64-bit integer.
    I64(i64),
    /// Unsigned 64-bit integer.
    U64(u64),
    /// 32-bit float.
    F32(f32),
    /// 64-bit float.
    F64(f64),
    /// Boolean (stored as a 4-byte integer 0 or 1).
    Bool(bool),
    /// Raw bytes, written as uppercase hex.
    Binary(&'a [u8]),
    /// A GUID in its 16-byte little-endian layout.
    Guid([u8; 16]),
    /// A FILETIME (100 ns ticks since 1601-01-01 UTC).
    FileTime(u64),
    /// A SYSTEMTIME (eight little-endian u16 fields).
    SysTime([u8; 16]),
    /// A binary SID.
    Sid(&'a [u8]),
    /// A 32-bit integer written in hex (HexInt32, and 4-byte SizeT).
    HexI32(u32),
    /// A 64-bit integer written in hex (HexInt64, and 8-byte SizeT).
    HexI64(u64),
    /// A nested BinXML fragment (an EventData/UserData payload), raw bytes.
    BinXml(&'a [u8]),
    /// An array of items of the base type `item_type` (packed, or NUL-separated strings).
    Array {
        /// The base type (without the 0x80 flag).
        item_type: u8,
        /// The raw bytes of all items.
        bytes: &'a [u8],
    },
    /// A value whose bytes do not fit its type (kept for diagnostics).
    Invalid {
        /// The declared type code.
        value_type: u8,
        /// The bytes found.
        bytes: &'a [u8],
    },
}

fn arr<const N: usize>(b: &[u8]) -> Option<[u8; N]> {
    b.get(..N)?.try_into().ok()
}

impl<'a> Value<'a> {
    /// Interpret `bytes` (exactly the size declared for the value) as type `value_type`.
    #[inline]
    pub fn parse(value_type: u8, bytes: &'a [u8]) -> Value<'a> {
        // The common types first, inline; the rest out of line.
        match (value_type, bytes.len()) {
            (ValueType::STRING, _) => Value::Str(Utf16Str::until_nul(bytes)),
            (ValueType::UINT8, 1) => Value::U8(bytes[0]),
            (ValueType::UINT16, 2) => Value::U16(u16::from_le_bytes([bytes[0], bytes[1]])),
            (ValueType::UINT32, 4) => {
                Value::U32(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
            }
            (ValueType::UINT64 | ValueType::HEX_INT64 | ValueType::FILETIME, 8) => {
                let v = match arr::<8>(bytes) {
                    Some(a) => u64::from_le_bytes(a),
                    None => return Value::parse_other(value_type, bytes),
                };
                match value_type {
                    ValueType::UINT64 => Value::U64(v),
                    ValueType::HEX_INT64 => Value::HexI64(v),
                    _ => Value::FileTime(v),
                }
            }
            (ValueType::GUID, 16) => match arr::<16>(bytes) {
                Some(a) => Value::Guid(a),
                None => Value::parse_other(value_type, bytes),
            },
            _ => Value::parse_other(value_type, bytes),
        }
    }

    #[inline(never)]
    fn parse_other(value_type: u8, bytes: &'a [u8]) -> Value<'a> {
        let invalid = Value::Invalid { value_type, bytes };
        let ty = ValueType(value_type);
        if ty.is_array() {
            return Value::Array {
                item_type: value_type & 0x7f,
                bytes,
            };
        }
        macro_rules! fixed {
            ($n:literal, $f:expr) => {
                match arr::<$n>(bytes) {
                    Some(a) => $f(a),
                    None => invalid,
                }
            };
        }
        match value_type {
            ValueType::NULL => Value::Null,
            ValueType::STRING => Value::Str(Utf16Str::until_nul(bytes)),
            ValueType::ANSI_STRING => {
                // Windows-1252 decodes byte 0 (and only it) to NUL, which is dropped: NULs
                // are found in the bytes, and trailing ones (the usual terminator) are cut
                // off before decoding, which then needs no copy for ASCII text.
                let (bytes, inner_nul) = match memchr::memchr(0, bytes) {
                    None => (bytes, false),
                    Some(i) if bytes[i..].iter().all(|&b| b == 0) => (&bytes[..i], false),
                    Some(_) => (bytes, true),
                };
                let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
                if inner_nul {
                    Value::Text(Cow::Owned(text.replace('\0', "")))
                } else {
                    Value::Text(text)
                }
            }
            ValueType::INT8 => fixed!(1, |a: [u8; 1]| Value::I8(a[0] as i8)),
            ValueType::UINT8 => fixed!(1, |a: [u8; 1]| Value::U8(a[0])),
            ValueType::INT16 => fixed!(2, |a| Value::I16(i16::from_le_bytes(a))),
            ValueType::UINT16 => fixed!(2, |a| Value::U16(u16::from_le_bytes(a))),
            ValueType::INT32 => fixed!(4, |a| Value::I32(i32::from_le_bytes(a))),
            ValueType::UINT32 => fixed!(4, |a| Value::U32(u32::from_le_bytes(a))),
            ValueType::INT64 => fixed!(8, |a| Value::I64(i64::from_le_bytes(a))),
            ValueType::UINT64 => fixed!(8, |a| Value::U64(u64::from_le_bytes(a))),
            ValueType::REAL32 => fixed!(4, |a| Value::F32(f32::from_le_bytes(a))),
            ValueType::REAL64 => fixed!(8, |a| Value::F64(f64::from_le_bytes(a))),
            ValueType::BOOL => fixed!(4, |a| match i32::from_le_bytes(a) {
                0 => Value::Bool(false),
                1 => Value::Bool(true),
                raw => Value::I32(raw),
            }),
            ValueType::BINARY => Value::Binary(bytes),
            ValueType::GUID => fixed!(16, Value::Guid),
            ValueType::SIZE_T => match bytes.len() {
                4 => fixed!(4, |a| Value::HexI32(u32::from_le_bytes(a))),
                8 => fixed!(8, |a| Value::HexI64(u64::from_le_bytes(a))),
                _ => invalid,
            },
            ValueType::FILETIME => fixed!(8, |a| Value::FileTime(u64::from_le_bytes(a))),
            ValueType::SYSTIME => fixed!(16, Value::SysTime),
            ValueType::SID => match sid_len(bytes) {
                Some(n) => Value::Sid(&bytes[..n]),
                None => invalid,
            },
            ValueType::HEX_INT32 => fixed!(4, |a| Value::HexI32(u32::from_le_bytes(a))),
            ValueType::HEX_INT64 => fixed!(8, |a| Value::HexI64(u64::from_le_bytes(a))),
            ValueType::BINXML if bytes.is_empty() => Value::Null,
            ValueType::BINXML => Value::BinXml(bytes),
            _ => invalid,
        }
    }

    /// True for [`Value::Null`].
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The value as an unsigned integer, when it is an integer (or decimal text).
    pub fn as_u64(&self) -> Option<u64> {
        match *self {
            Value::U8(v) => Some(v.into()),
            Value::U16(v) => Some(v.into()),
            Value::U32(v) | Value::HexI32(v) => Some(v.into()),
            Value::U64(v) | Value::HexI64(v) => Some(v),
            Value::I8(v) => u64::try_from(v).ok(),
            Value::I16(v) => u64::try_from(v).ok(),
            Value::I32(v) => u64::try_from(v).ok(),
            Value::I64(v) => u64::try_from(v).ok(),
            Value::Str(s) => parse_uint(&s.to_cow()),
            Value::Text(ref t) => parse_uint(t),
            _ => None,
        }
    }

    /// The value as a UTC time (FILETIME, SYSTEMTIME, or ISO 8601 text).
    pub fn as_datetime(&self) -> Option<DateTime<Utc>> {
        match self {
            Value::FileTime(ft) => filetime_to_datetime(*ft),
            Value::SysTime(st) => systime_fields(st).and_then(|f| f.to_datetime()),
            Value::Str(s) => crate::evtx::xml::parse_system_time(&s.to_cow()),
            Value::Text(t) => crate::evtx::xml::parse_system_time(t),
            _ => None,
        }
    }

    /// Number of items when this is an array (`None` otherwise).
    pub fn array_len(&self) -> Option<usize> {
        match self {
            Value::Array { .. } => Some(self.array_items().count()),
            _ => None,
        }
    }

    /// The items of an array value (empty for other values).
    pub fn array_items(&self) -> ArrayItems<'a> {
        match *self {
            Value::Array { item_type, bytes } => ArrayItems {
                item_type,
                rest: bytes,
            },
            _ => ArrayItems {
                item_type: 0,
                rest: &[],
            },
        }
    }

    /// The string form, as [`Display`](fmt::Display) writes it.
    pub fn to_text(&self) -> Cow<'a, str> {
        match self {
            Value::Text(t) => t.clone(),
            Value::Str(s) => s.to_cow(),
            Value::Null => Cow::Borrowed(""),
            other => Cow::Owned(other.to_string()),
        }
    }
}

fn parse_uint(s: &str) -> Option<u64> {
    let s = s.trim();
    match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => s.parse().ok(),
    }
}

/// Length of the binary SID at the start of `bytes`, `None` when it does not fit.
fn sid_len(bytes: &[u8]) -> Option<usize> {
    let count = *bytes.get(1)? as usize;
    let n = 8 + 4 * count;
    (bytes.len() >= n).then_some(n)
}

/// Iterator over the items of an array value.
#[derive(Debug, Clone)]
pub struct ArrayItems<'a> {
    item_type: u8,
    rest: &'a [u8],
}

impl<'a> Iterator for ArrayItems<'a> {
    type Item = Value<'a>;

    fn next(&mut self) -> Option<Value<'a>> {
        if self.rest.is_empty() {
            return None;
        }
        let ty = ValueType(self.item_type);
        let len = match self.item_type {
            ValueType::STRING => {
                let even = &self.rest[..self.rest.len() & !1];
                // Items are often a few units long: the first eight are looked at one by
                // one (the block search's set-up costs more there), the rest by blocks.
                let head = even.len().min(16);
                let item = match even[..head].chunks_exact(2).position(|u| u == [0, 0]) {
                    Some(i) => 2 * i,
                    None => head + nul_unit(&even[head..]).unwrap_or(even.len() - head),
                };
                let value = Value::Str(Utf16Str(&self.rest[..item]));
                self.rest = self.rest.get(item + 2..).unwrap_or(&[]);
                return Some(value);
            }
            ValueType::ANSI_STRING => {
                let item = memchr::memchr(0, self.rest).unwrap_or(self.rest.len());
                let value = Value::parse(ValueType::ANSI_STRING, &self.rest[..item]);
                self.rest = self.rest.get(item + 1..).unwrap_or(&[]);
                return Some(value);
            }
            ValueType::SID => sid_len(self.rest).unwrap_or(self.rest.len()),
            ValueType::SIZE_T => 8,
            _ => ty.fixed_size().unwrap_or(self.rest.len()),
        };
        let len = len.min(self.rest.len());
        let (item, rest) = self.rest.split_at(len);
        self.rest = rest;
        Some(Value::parse(self.item_type, item))
    }
}

const TICKS_PER_SEC: u64 = 10_000_000;
const TICKS_PER_DAY: u64 = 86_400 * TICKS_PER_SEC;
const UNIX_EPOCH_AS_FILETIME_SECS: i64 = 11_644_473_600;

/// Convert a FILETIME to a UTC time (`None` when out of chrono's range).
pub fn filetime_to_datetime(ft: u64) -> Option<DateTime<Utc>> {
    let secs = (ft / TICKS_PER_SEC) as i64 - UNIX_EPOCH_AS_FILETIME_SECS;
    let nanos = ((ft % TICKS_PER_SEC) * 100) as u32;
    DateTime::from_timestamp(secs, nanos)
}

/// Calendar fields of a time, as rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct TimeFields {
    year: u64,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
    ticks: u32,
}

impl TimeFields {
    fn to_datetime(self) -> Option<DateTime<Utc>> {
        let date = NaiveDate::from_ymd_opt(
            i32::try_from(self.year).ok()?,
            self.month.into(),
            self.day.into(),
        )?;
        let t = date.and_hms_nano_opt(
            self.hour.into(),
            self.minute.into(),
            self.second.into(),
            self.ticks * 100,
        )?;
        Some(t.and_utc())
    }

    /// `YYYY-MM-DDTHH:MM:SS.fffffffZ` (the year modulo 10,000).
    fn ascii(&self) -> [u8; 28] {
        let mdhms = [self.month, self.day, self.hour, self.minute, self.second];
        super::text::time(self.year, mdhms, self.ticks)
    }

    fn write(&self, f: &mut impl fmt::Write) -> fmt::Result {
        f.write_str(std::str::from_utf8(&self.ascii()).unwrap_or_default())
    }
}

/// A FILETIME as `YYYY-MM-DDTHH:MM:SS.fffffffZ`, in ASCII bytes.
pub(crate) fn filetime_ascii(ft: u64) -> [u8; 28] {
    filetime_fields(ft).ascii()
}

/// A SYSTEMTIME as [`Display`](fmt::Display) writes it, in ASCII bytes.
pub(crate) fn systime_ascii(st: &[u8; 16]) -> [u8; 28] {
    systime_fields(st).unwrap_or(SYSTIME_INVALID).ascii()
}

/// What an invalid SYSTEMTIME is written as.
const SYSTIME_INVALID: TimeFields = TimeFields {
    year: 1601,
    month: 1,
    day: 1,
    hour: 0,
    minute: 0,
    second: 0,
    ticks: 0,
};

fn filetime_fields(ft: u64) -> TimeFields {
    if ft > i64::MAX as u64 {
        return TimeFields::default();
    }
    let (days, ticks) = (ft / TICKS_PER_DAY, ft % TICKS_PER_DAY);
    // Days since 1601-01-01 → civil date (Howard Hinnant's algorithm, shifted epoch).
    let z = days + 584_694;
    let (era, doe) = (z / 146_097, z % 146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = (if mp < 10 { mp + 3 } else { mp - 9 }) as u8;
    let year = era * 400 + yoe + u64::from(month <= 2);
    let secs = ticks / TICKS_PER_SEC;
    TimeFields {
        year,
        month,
        day,
        hour: (secs / 3_600) as u8,
        minute: (secs / 60 % 60) as u8,
        second: (secs % 60) as u8,
        ticks: (ticks % TICKS_PER_SEC) as u32,
    }
}

/// SYSTEMTIME fields, `None` when they are no valid time.
fn systime_fields(st: &[u8; 16]) -> Option<TimeFields> {
    let field = |i: usize| u16::from_le_bytes([st[2 * i], st[2 * i + 1]]);
    let (year, month, day) = (field(0), field(1), field(3));
    let (hour, minute, second, ms) = (field(4), field(5), field(6), field(7));
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    let valid = (1601..=30827).contains(&year)
        && (1..=12).contains(&month)
        && (1..=days).contains(&day)
        && hour < 24
        && minute < 60
        && second < 60
        && ms < 1000;
    valid.then(|| TimeFields {
        year: year.into(),
        month: month as u8,
        day: day as u8,
        hour: hour as u8,
        minute: minute as u8,
        second: second as u8,
        ticks: u32::from(ms) * 10_000,
    })
}

/// Write a FILETIME as `YYYY-MM-DDTHH:MM:SS.fffffffZ`.
pub fn write_filetime(f: &mut impl fmt::Write, ft: u64) -> fmt::Result {
    filetime_fields(ft).write(f)
}

/// Write a GUID (little-endian layout) as `{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}`.
pub fn write_guid(f: &mut impl fmt::Write, g: &[u8; 16]) -> fmt::Result {
    f.write_str(std::str::from_utf8(&super::text::guid(g)).unwrap_or_default())
}

/// Write a binary SID as `S-R-A-S1-…`.
pub fn write_sid(f: &mut impl fmt::Write, sid: &[u8]) -> fmt::Result {
    let mut out = Vec::with_capacity(64);
    super::text::push_sid(&mut out, sid);
    f.write_str(std::str::from_utf8(&out).unwrap_or_default())
}

fn write_hex_upper(f: &mut impl fmt::Write, bytes: &[u8]) -> fmt::Result {
    let mut out = Vec::with_capacity(2 * bytes.len());
    super::text::push_hex_upper(&mut out, bytes);
    f.write_str(std::str::from_utf8(&out).unwrap_or_default())
}

impl fmt::Display for Value<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null | Value::BinXml(_) => Ok(()),
            Value::Str(s) => fmt::Display::fmt(s, f),
            Value::Text(t) => f.write_str(t),
            Value::I8(v) => write!(f, "{v}"),
            Value::U8(v) => write!(f, "{v}"),
            Value::I16(v) => write!(f, "{v}"),
            Value::U16(v) => write!(f, "{v}"),
            Value::I32(v) => write!(f, "{v}"),
            Value::U32(v) => write!(f, "{v}"),
            Value::I64(v) => write!(f, "{v}"),
            Value::U64(v) => write!(f, "{v}"),
            Value::F32(v) => write!(f, "{v}"),
            Value::F64(v) => write!(f, "{v}"),
            Value::Bool(v) => write!(f, "{v}"),
            Value::Binary(b) => write_hex_upper(f, b),
            Value::Guid(g) => write_guid(f, g),
            Value::FileTime(ft) => write_filetime(f, *ft),
            Value::SysTime(st) => systime_fields(st).unwrap_or(SYSTIME_INVALID).write(f),
            Value::Sid(s) => write_sid(f, s),
            Value::HexI32(v) => write!(f, "0x{v:x}"),
            Value::HexI64(v) => write!(f, "0x{v:x}"),
            Value::Array { .. } => {
                for (i, item) in self.array_items().enumerate() {
                    if i > 0 {
                        f.write_char(',')?;
                    }
                    fmt::Display::fmt(&item, f)?;
                }
                Ok(())
            }
            Value::Invalid { .. } => Ok(()),
        }
    }
}

#[cfg(test)]
#[path = "value_tests.rs"]
mod tests;
