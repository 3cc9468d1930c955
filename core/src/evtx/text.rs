//! ASCII string forms of numbers, GUIDs, SIDs, binary and times, written straight into
//! bytes with digit tables (no `fmt`): the JSON row path and `Display` share them.
//!
//! The forms are those of the `value` module docs: decimal integers, `0x…` lowercase
//! hex, uppercase contiguous hex for binary, GUIDs in lowercase braces, SIDs as
//! `S-R-A-S1-…`, times as `YYYY-MM-DDTHH:MM:SS.fffffffZ`.

const HEX: &[u8; 16] = b"0123456789abcdef";
const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// "00" "01" … "99".
const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// Append `v` in decimal.
pub(crate) fn push_u64(out: &mut Vec<u8>, mut v: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    while v >= 100 {
        let r = (v % 100) as usize;
        v /= 100;
        i -= 2;
        buf[i..i + 2].copy_from_slice(&PAIRS[2 * r..2 * r + 2]);
    }
    if v >= 10 {
        i -= 2;
        let r = v as usize;
        buf[i..i + 2].copy_from_slice(&PAIRS[2 * r..2 * r + 2]);
    } else {
        i -= 1;
        buf[i] = b'0' + v as u8;
    }
    out.extend_from_slice(&buf[i..]);
}

/// Append `v` in decimal, with a `-` when negative.
pub(crate) fn push_i64(out: &mut Vec<u8>, v: i64) {
    if v < 0 {
        out.push(b'-');
    }
    push_u64(out, v.unsigned_abs());
}

/// Append `v` as `0x` and lowercase hex digits (no leading zeros).
pub(crate) fn push_hex(out: &mut Vec<u8>, v: u64) {
    let mut buf = [0u8; 16];
    let mut i = buf.len();
    let mut x = v;
    loop {
        i -= 1;
        buf[i] = HEX[(x & 15) as usize];
        x >>= 4;
        if x == 0 {
            break;
        }
    }
    out.extend_from_slice(b"0x");
    out.extend_from_slice(&buf[i..]);
}

/// Append `bytes` as uppercase hex, two digits per byte.
pub(crate) fn push_hex_upper(out: &mut Vec<u8>, bytes: &[u8]) {
    out.reserve(2 * bytes.len());
    for &b in bytes {
        out.extend_from_slice(&[
            HEX_UPPER[usize::from(b >> 4)],
            HEX_UPPER[usize::from(b & 15)],
        ]);
    }
}

/// A GUID (little-endian layout) as `{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}`.
pub(crate) fn guid(g: &[u8; 16]) -> [u8; 38] {
    const ORDER: [u8; 16] = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15];
    let mut out = *b"{00000000-0000-0000-0000-000000000000}";
    let mut at = 1;
    for (k, &i) in ORDER.iter().enumerate() {
        if matches!(k, 4 | 6 | 8 | 10) {
            at += 1;
        }
        let b = g[usize::from(i)];
        out[at] = HEX[usize::from(b >> 4)];
        out[at + 1] = HEX[usize::from(b & 15)];
        at += 2;
    }
    out
}

/// Append a binary SID as `S-R-A-S1-…` (`S-?` when shorter than its header).
pub(crate) fn push_sid(out: &mut Vec<u8>, sid: &[u8]) {
    let [revision, count, a0, a1, a2, a3, a4, a5, ref subs @ ..] = *sid else {
        out.extend_from_slice(b"S-?");
        return;
    };
    out.extend_from_slice(b"S-");
    push_u64(out, revision.into());
    out.push(b'-');
    push_u64(out, u64::from_be_bytes([0, 0, a0, a1, a2, a3, a4, a5]));
    for sub in subs.chunks_exact(4).take(count.into()) {
        out.push(b'-');
        push_u64(
            out,
            u32::from_le_bytes([sub[0], sub[1], sub[2], sub[3]]).into(),
        );
    }
}

/// Write `v` as exactly `out.len()` decimal digits (leading zeros; higher digits dropped).
fn fixed_digits(out: &mut [u8], mut v: u64) {
    let mut i = out.len();
    while i >= 2 {
        let r = (v % 100) as usize;
        v /= 100;
        i -= 2;
        out[i..i + 2].copy_from_slice(&PAIRS[2 * r..2 * r + 2]);
    }
    if i == 1 {
        out[0] = b'0' + (v % 10) as u8;
    }
}

/// `YYYY-MM-DDTHH:MM:SS.fffffffZ` from calendar fields (year taken modulo 10,000).
pub(crate) fn time(year: u64, mdhms: [u8; 5], ticks: u32) -> [u8; 28] {
    let mut b = *b"0000-00-00T00:00:00.0000000Z";
    fixed_digits(&mut b[0..4], year % 10_000);
    for (k, &v) in mdhms.iter().enumerate() {
        let at = 5 + 3 * k;
        fixed_digits(&mut b[at..at + 2], v.into());
    }
    fixed_digits(&mut b[20..27], ticks.into());
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(f: impl FnOnce(&mut Vec<u8>)) -> String {
        let mut v = Vec::new();
        f(&mut v);
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn numbers_match_fmt() {
        for v in [
            0u64,
            1,
            9,
            10,
            99,
            100,
            101,
            999,
            1000,
            65535,
            u64::MAX,
            1 << 40,
        ] {
            assert_eq!(s(|o| push_u64(o, v)), v.to_string());
            assert_eq!(s(|o| push_hex(o, v)), format!("0x{v:x}"));
        }
        for v in [0i64, -1, -10, 127, i64::MIN, i64::MAX] {
            assert_eq!(s(|o| push_i64(o, v)), v.to_string());
        }
        assert_eq!(s(|o| push_hex_upper(o, &[0xd9, 6, 0])), "D90600");
    }

    #[test]
    fn time_and_guid() {
        let t = time(2016, [7, 8, 18, 12, 51], 6_816_408);
        assert_eq!(&t, b"2016-07-08T18:12:51.6816408Z");
        let g = [
            0x25, 0x96, 0x84, 0x54, 0x78, 0x54, 0x94, 0x49, 0xa5, 0xba, 0x3e, 0x3b, 0x03, 0x28,
            0xc3, 0x0d,
        ];
        assert_eq!(&guid(&g), b"{54849625-5478-4994-a5ba-3e3b0328c30d}");
        let sid = [1, 2, 0, 0, 0, 0, 0, 5, 32, 0, 0, 0, 0x20, 0x02, 0, 0];
        assert_eq!(s(|o| push_sid(o, &sid)), "S-1-5-32-544");
        assert_eq!(s(|o| push_sid(o, &[1])), "S-?");
    }
}
