//! The fast path for strict (TAB-separated) header lines.
//!
//! [`super::grammar::header`] is the reference grammar: one function per production, with
//! the name of the field that failed. Almost every line of a real errlog is a well-formed
//! strict header, so this module recognises exactly that common shape in one forward pass
//! with a cursor, on bytes: UTF-8 / Windows-1252 lines as they are, UTF-16 lines narrowed by
//! [`narrow_utf16`]. Fixed-width parts (date and time, pointer, GUID) are checked on
//! fixed-size windows, hex digits eight at a time (SWAR).
//!
//! Invariant (checked by the differential tests below and in `tests/errlog_props.rs`):
//! `header_fast(line) == Some(h)` implies `grammar::header(line, Sep::Tab) == Ok(h)`. The
//! fast path may decline (`None`) a line the grammar accepts, e.g. one with a NUL byte in a
//! text field; the caller then runs the reference grammar, which also names the failing
//! field. To make this safe for UTF-16, [`narrow_utf16`] turns every unit that is not ASCII
//! into 0, and no production here accepts a 0 (the reference path, which narrows only up to
//! the first non-ASCII unit, sees the end of its input there).

use super::grammar::{Header, LogTime, HEX};
use super::record::{Rel, Severity};

/// Narrow the first code units of a UTF-16 line into `out` for [`header_fast`]: ASCII
/// units become their byte, every other unit (and a NUL) becomes 0, which no production
/// accepts. Returns the number of units written (at most `out.len()`).
///
/// Four units at a time: when all four are ASCII (the usual case), their low bytes are
/// packed with shifts; otherwise that group goes unit by unit.
#[inline]
pub(crate) fn narrow_utf16(bytes: &[u8], big_endian: bool, out: &mut [u8]) -> usize {
    let n = (bytes.len() / 2).min(out.len());
    // the high byte of each unit must be 0 and the low byte below 0x80
    let (not_ascii, shift) = if big_endian {
        (0x80FF_80FF_80FF_80FFu64, 8)
    } else {
        (0xFF80_FF80_FF80_FF80u64, 0)
    };
    let narrow_unit = |u: &[u8]| -> u8 {
        let (hi, lo) = if big_endian {
            (u[0], u[1])
        } else {
            (u[1], u[0])
        };
        if hi == 0 && lo < 0x80 {
            lo
        } else {
            0
        }
    };
    let groups = bytes[..2 * n].chunks_exact(8);
    let tail = groups.remainder();
    let mut k = 0;
    for (g, slot) in groups.zip(out.chunks_exact_mut(4)) {
        let w = u64::from_le_bytes(g.try_into().unwrap_or([0xFF; 8]));
        if w & not_ascii == 0 {
            let x = w >> shift;
            let x = (x | (x >> 8)) & 0x0000_FFFF_0000_FFFF;
            let x = (x | (x >> 16)) as u32;
            slot.copy_from_slice(&x.to_le_bytes());
        } else {
            for (b, u) in slot.iter_mut().zip(g.chunks_exact(2)) {
                *b = narrow_unit(u);
            }
        }
        k += 4;
    }
    for (b, u) in out[k..n].iter_mut().zip(tail.chunks_exact(2)) {
        *b = narrow_unit(u);
    }
    n
}

/// The first 16 code units of a UTF-16 field narrowed to bytes (a full-width pointer), or
/// `None` when the field is not 16 ASCII units.
#[inline]
pub(crate) fn narrow16(bytes: &[u8], big_endian: bool) -> Option<[u8; 16]> {
    if bytes.len() != 32 {
        return None;
    }
    let mut out = [0u8; 16];
    narrow_utf16(bytes, big_endian, &mut out);
    out.iter().all(|&b| b != 0).then_some(out)
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `x` (all bytes < 0x80) set where the byte is ≥ `lo`.
#[inline(always)]
fn bytes_at_least(x: u64, lo: u8) -> u64 {
    x.wrapping_add(ONES * u64::from(0x80 - lo)) & HIGH
}

#[inline(always)]
fn word(b: &[u8; 8]) -> u64 {
    u64::from_le_bytes(*b)
}

#[inline(always)]
fn half(b: &[u8; 4]) -> u64 {
    u64::from(u32::from_le_bytes(*b))
}

/// The high bit of each byte of `w` set where the byte equals `b`; the lowest set bit is
/// exact (borrows can only add false positives above a true match).
#[inline(always)]
fn bytes_equal(w: u64, b: u8) -> u64 {
    let x = w ^ (ONES * u64::from(b));
    x.wrapping_sub(ONES) & !x & HIGH
}

/// The value of 16 validated hex digits (an object pointer), eight at a time.
#[inline]
pub(crate) fn hex16_value(digits: &[u8; 16]) -> u64 {
    let hi = hex8_value(word(digits[..8].try_into().unwrap_or(&[b'0'; 8])));
    let lo = hex8_value(word(digits[8..].try_into().unwrap_or(&[b'0'; 8])));
    u64::from(hi) << 32 | u64::from(lo)
}

/// The value of 8 validated hex digits held in `w`, the first digit in the lowest byte.
#[inline(always)]
fn hex8_value(w: u64) -> u32 {
    // '0'..='9' → 0..=9; 'A'..='F' and 'a'..='f' (bit 6 set) → 1..=6, plus 9
    let nibbles = (w & (ONES * 0x0F)) + ((w >> 6) & ONES) * 9;
    // the first digit to the top byte, then pack neighbouring nibbles, bytes and halves
    let x = nibbles.swap_bytes();
    let x = (x | (x >> 4)) & 0x00FF_00FF_00FF_00FF;
    let x = (x | (x >> 8)) & 0x0000_FFFF_0000_FFFF;
    ((x | (x >> 16)) & 0xFFFF_FFFF) as u32
}

/// The high bit of each byte of `w` set where the byte is an ASCII hex digit. Exact up to
/// the first byte at or above 0x80 (whose carries reach only the bytes after it, and whose
/// own bit is clear), which is all [`leading`] needs; `HIGH` exactly when all 8 bytes are
/// hex digits.
#[inline(always)]
fn hex_bytes(w: u64) -> u64 {
    let folded = w | (ONES * 0x20);
    let digit = bytes_at_least(w, b'0') & !bytes_at_least(w, b'9' + 1);
    let letter = bytes_at_least(folded, b'a') & !bytes_at_least(folded, b'f' + 1);
    (digit | letter) & !w & HIGH
}

/// The high bit of each byte of `w` set where the byte is an ASCII upper-case letter
/// (exact up to the first byte at or above 0x80, as [`hex_bytes`]).
#[inline(always)]
fn upper_bytes(w: u64) -> u64 {
    bytes_at_least(w, b'A') & !bytes_at_least(w, b'Z' + 1) & !w & HIGH
}

/// How many of the first bytes of a word have their bit set in `mask` (0 to 8).
#[inline(always)]
fn leading(mask: u64) -> usize {
    ((!mask & HIGH).trailing_zeros() / 8) as usize
}

/// A run of 1 to 8 hex digits at `k` followed by a TAB: (value, position of the TAB).
#[inline(always)]
fn hex_then_tab(s: &[u8], k: usize) -> Option<(u32, usize)> {
    let Some(w) = s.get(k..k + 8) else {
        return hex_then_tab_bytes(s, k);
    };
    let w = word(w.try_into().ok()?);
    let n = leading(hex_bytes(w));
    let tab = match n {
        0 => return None,
        8 => s.get(k + 8) == Some(&b'\t'),
        _ => (w >> (8 * n)) as u8 == b'\t',
    };
    if !tab {
        return None;
    }
    // the digits moved to the top of the word, '0's below them (the leading digits)
    let digits = match n {
        8 => w,
        _ => (w << (8 * (8 - n))) | ((ONES * u64::from(b'0')) >> (8 * n)),
    };
    Some((hex8_value(digits), k + n))
}

/// [`hex_then_tab`] byte by byte, near the end of the text.
fn hex_then_tab_bytes(s: &[u8], k: usize) -> Option<(u32, usize)> {
    let mut v = 0u32;
    let mut n = 0;
    while n < 8 {
        let d = HEX[*s.get(k + n)? as usize];
        if d == 0xFF {
            break;
        }
        v = (v << 4) | u32::from(d);
        n += 1;
    }
    (n > 0 && s.get(k + n) == Some(&b'\t')).then_some((v, k + n))
}

/// The end of the run of upper-case letters at `k`, looking at no more than 24 of them
/// (a severity is at most 16).
#[inline(always)]
fn upper_run(s: &[u8], start: usize) -> usize {
    let mut k = start;
    while k - start < 24 {
        let Some(w) = s.get(k..k + 8) else {
            while s.get(k).is_some_and(u8::is_ascii_uppercase) {
                k += 1;
            }
            return k;
        };
        let n = leading(upper_bytes(word(w.try_into().unwrap_or(&[0; 8]))));
        k += n;
        if n < 8 {
            break;
        }
    }
    k
}

/// The position of the first TAB or NUL at or after `k` (a short field's end: cheaper than
/// a vectorised search, whose set-up costs more than these few bytes).
#[inline(always)]
fn tab_or_nul(s: &[u8], mut k: usize) -> Option<usize> {
    while let Some(w) = s.get(k..k + 8) {
        let w = word(w.try_into().ok()?);
        let hits = bytes_equal(w, b'\t') | bytes_equal(w, 0);
        if hits != 0 {
            return Some(k + (hits.trailing_zeros() / 8) as usize);
        }
        k += 8;
    }
    s.get(k..)?
        .iter()
        .position(|&b| b == b'\t' || b == 0)
        .map(|p| k + p)
}

#[inline(always)]
fn digit(b: u8) -> Option<u8> {
    let d = b.wrapping_sub(b'0');
    (d < 10).then_some(d)
}

#[inline(always)]
fn two_digits(a: u8, b: u8) -> Option<u8> {
    Some(digit(a)? * 10 + digit(b)?)
}

const FRACTION_SCALE: [u32; 10] = [
    0,
    100_000_000,
    10_000_000,
    1_000_000,
    100_000,
    10_000,
    1_000,
    100,
    10,
    1,
];

/// The header of a strict line, or `None` to defer to the reference grammar.
///
/// `s` is the line's content as bytes (UTF-8, Windows-1252, or UTF-16 narrowed by
/// [`narrow_utf16`], possibly only its first part); `line_len` is the length of the whole
/// line in the same units, so that a header can end the line only at its real end.
#[inline]
pub(crate) fn header_fast(s: &[u8], line_len: usize) -> Option<Header> {
    let (pid, k) = hex_then_tab(s, 0)?;
    let (tid, k) = hex_then_tab(s, k + 1)?;
    // date and time: `MM/DD\tHH:MM:SS.f`, then up to 8 more fraction digits
    let k = k + 1;
    let w: &[u8; 16] = s.get(k..k + 16)?.try_into().ok()?;
    let month = two_digits(w[0], w[1])?;
    let day = two_digits(w[3], w[4])?;
    let hour = two_digits(w[6], w[7])?;
    let minute = two_digits(w[9], w[10])?;
    let second = two_digits(w[12], w[13])?;
    let mut frac = u32::from(digit(w[15])?);
    if w[2] != b'/'
        || w[5] != b'\t'
        || w[8] != b':'
        || w[11] != b':'
        || w[14] != b'.'
        || !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut n = 1;
    let mut k = k + 16;
    while let Some(d) = digit(*s.get(k)?) {
        if n == 9 {
            return None;
        }
        frac = frac * 10 + u32::from(d);
        n += 1;
        k += 1;
    }
    let nanos = frac * FRACTION_SCALE[n];
    // column 5: anything but blanks, then a TAB
    if s[k] != b'\t' {
        return None;
    }
    let c5_start = k + 1;
    let mut k = c5_start;
    loop {
        match *s.get(k)? {
            b'\t' => break,
            b' ' | 0 => return None,
            _ => k += 1,
        }
    }
    let column5 = Rel::new(c5_start, k);
    // source: `name(digits)` up to the TAB
    let src_start = k + 1;
    let src_end = tab_or_nul(s, src_start)?;
    if s[src_end] != b'\t' {
        return None;
    }
    let source = &s[src_start..src_end];
    let (b')', inner) = source.split_last()? else {
        return None;
    };
    let mut line_no = 0u32;
    let mut scale = 1u32;
    let mut open = inner.len();
    while open > 0 {
        let Some(d) = digit(inner[open - 1]) else {
            break;
        };
        if scale == 1_000_000_000 {
            return None;
        }
        line_no += u32::from(d) * scale;
        scale *= 10;
        open -= 1;
    }
    // at least one digit, an opening parenthesis, and a name before it
    if scale == 1 || open < 2 || inner[open - 1] != b'(' {
        return None;
    }
    // pointer: empty, or `[1-16 hex digits]`
    let k = src_end + 1;
    let (pointer, k) = match *s.get(k)? {
        b'\t' => (None, k),
        b'[' => {
            let n = match s.get(k + 1..k + 19) {
                Some(p)
                    if p[16] == b']'
                        && hex_bytes(word(p[..8].try_into().ok()?))
                            & hex_bytes(word(p[8..16].try_into().ok()?))
                            == HIGH =>
                {
                    16
                }
                _ => {
                    let mut n = 0;
                    while n < 16 && HEX[*s.get(k + 1 + n)? as usize] != 0xFF {
                        n += 1;
                    }
                    n
                }
            };
            if n == 0 || s.get(k + 1 + n) != Some(&b']') || s.get(k + 2 + n) != Some(&b'\t') {
                return None;
            }
            (Some(Rel::new(k + 1, k + 1 + n)), k + 2 + n)
        }
        _ => return None,
    };
    // task: empty, or a GUID without braces (braced ones go to the reference grammar)
    let k = k + 1;
    let (task, k) = if s.get(k)? == &b'\t' {
        (None, k)
    } else {
        let g: &[u8; 37] = s.get(k..k + 37)?.try_into().ok()?;
        // the 32 digits as four words, and the four dashes and the TAB as one: no branch
        // until the end
        let digits = hex_bytes(word(g[0..8].try_into().ok()?))
            & hex_bytes(half(g[9..13].try_into().ok()?) | half(g[14..18].try_into().ok()?) << 32)
            & hex_bytes(half(g[19..23].try_into().ok()?) | half(g[24..28].try_into().ok()?) << 32)
            & hex_bytes(word(g[28..36].try_into().ok()?));
        let separators = u64::from_le_bytes([g[8], g[13], g[18], g[23], g[36], 0, 0, 0]);
        if digits != HIGH || separators != u64::from_le_bytes(*b"----\t\0\0\0") {
            return None;
        }
        (Some(Rel::new(k, k + 36)), k + 36)
    };
    // severity: 2 to 16 upper-case letters, then a TAB or the end of the line
    let sev_start = k + 1;
    let k = upper_run(s, sev_start);
    if !(2..=16).contains(&(k - sev_start)) {
        return None;
    }
    let message_start = if k == line_len {
        k
    } else if s.get(k) == Some(&b'\t') {
        k + 1
    } else {
        return None;
    };
    Some(Header {
        pid,
        tid,
        time: LogTime {
            month,
            day,
            hour,
            minute,
            second,
            nanos,
        },
        source_line: line_no,
        column5,
        source: Rel::new(src_start, src_end),
        pointer,
        task,
        severity_word: Rel::new(sev_start, k),
        severity: Severity::from_word(&s[sev_start..k]),
        message_start: message_start as u32,
    })
}

#[cfg(test)]
mod tests {
    use super::super::grammar::{header, Sep};
    use super::*;

    const GOOD: &str = "44B4\t3968\t10/21\t21:02:21.611\t71\tbackupasync.cpp(1184)\t[000000001B73B830]\t0517B3DB-347D-45A8-9DAB-FD7D1EA7D134\tWARNING\tFailed: Hr: = [0x80780054]";

    fn utf16(s: &str, be: bool) -> Vec<u8> {
        s.encode_utf16()
            .flat_map(|u| if be { u.to_be_bytes() } else { u.to_le_bytes() })
            .collect()
    }

    /// The fast path, on every view, never disagrees with the reference grammar.
    fn check(line: &str) {
        let reference = header(line.as_bytes(), Sep::Tab).ok();
        let fast = header_fast(line.as_bytes(), line.len());
        if fast.is_some() {
            assert_eq!(fast, reference, "{line:?}");
        }
        for be in [false, true] {
            let wide = utf16(line, be);
            let mut narrow = [0u8; 512];
            let n = narrow_utf16(&wide, be, &mut narrow);
            if let Some(h) = header_fast(&narrow[..n], wide.len() / 2) {
                // the reference grammar sees the ASCII prefix (as the UTF-16 reader narrows it)
                let ascii: Vec<u8> = line.bytes().take_while(u8::is_ascii).collect();
                assert_eq!(Some(h), header(&ascii, Sep::Tab).ok(), "{line:?} be={be}");
                assert!(line.is_ascii() || (h.severity_word.end as usize) < ascii.len());
            }
        }
    }

    #[test]
    fn accepts_the_common_shapes() {
        let lines = [
            GOOD,
            "180C\t280C\t06/01\t20:55:45.690\t09\teverettexception.cpp(761)\t\t\tCRITICAL",
            "180C\t280C\t06/01\t20:55:45.6\t\tx(7)\t\t\tNORMAL\t",
            "1\t2\t12/31\t23:59:60.123456789\t71\ta b.cpp(123456789)\t[F]\t\tFATAL\tmessage\twith tab",
            // 8 digits (the whole word), lower case; the longest severity, then the end
            "12345678\tabcdef01\t10/21\t21:02:21.611\t71\ta.cpp(1)\t\t\tABCDEFGHIJKLMNOP\tm",
            "0\tFfFfFfF\t10/21\t21:02:21.611\t71\ta.cpp(1)\t\t\tABCDEFGHIJKLMNOP",
            "1\t2\t10/21\t21:02:21.611\t71\ta.cpp(1)\t\t\tAB",
        ];
        for line in lines {
            assert!(
                header_fast(line.as_bytes(), line.len()).is_some(),
                "{line:?}"
            );
            check(line);
        }
    }

    #[test]
    fn every_single_byte_mutation_agrees_with_the_grammar() {
        let replacements = [
            b'\t', b' ', b'0', b'9', b'a', b'F', b'G', b'Z', b'(', b')', b'[', b']', b'{', b'-',
            b'/', b':', b'.', 0, b'\r',
        ];
        let base = GOOD.as_bytes();
        for at in 0..base.len() {
            for &r in &replacements {
                let mut line = base.to_vec();
                line[at] = r;
                check(std::str::from_utf8(&line).unwrap());
                line.remove(at);
                check(std::str::from_utf8(&line).unwrap());
            }
            check(&format!("{}é{}", &GOOD[..at], &GOOD[at..]));
        }
        // past the UTF-16 narrowing limit
        let long = GOOD.replace("backupasync", &"x".repeat(600));
        check(&long);
        let mut narrow = [0u8; 512];
        let wide = utf16(&long, false);
        let n = narrow_utf16(&wide, false, &mut narrow);
        assert!(header_fast(&narrow[..n], wide.len() / 2).is_none());
    }

    #[test]
    fn narrow_utf16_maps_every_unit_like_the_unit_loop() {
        // every length up to a few groups, ASCII and not, both byte orders
        let units: Vec<u16> = "44B4\t3968\téx\u{0}\u{7F}\u{80}\u{100}\u{2028}\u{FF10}abcdefgh"
            .encode_utf16()
            .collect();
        for be in [false, true] {
            for len in 0..units.len() {
                let bytes: Vec<u8> = units[..len]
                    .iter()
                    .flat_map(|u| if be { u.to_be_bytes() } else { u.to_le_bytes() })
                    .collect();
                for cap in [len, len.saturating_sub(3), 512] {
                    let mut out = vec![0xAA; cap];
                    let n = narrow_utf16(&bytes, be, &mut out);
                    assert_eq!(n, len.min(cap));
                    let expected: Vec<u8> = units[..n]
                        .iter()
                        .map(|&u| if (1..0x80).contains(&u) { u as u8 } else { 0 })
                        .collect();
                    assert_eq!(&out[..n], &expected[..], "be={be} len={len} cap={cap}");
                }
            }
        }
    }

    #[test]
    fn hex16_value_agrees_with_the_digit_fold() {
        let mut digits = *b"0123456789abcdef";
        for round in 0..64u32 {
            digits.rotate_left(1);
            if round % 3 == 0 {
                digits.make_ascii_uppercase();
            } else {
                digits.make_ascii_lowercase();
            }
            let reference = super::super::grammar::hex_digits_value(digits.iter().copied());
            assert_eq!(hex16_value(&digits), reference, "{:?}", digits);
        }
        assert_eq!(hex16_value(b"000000001B73B830"), 0x1B73_B830);
        assert_eq!(hex16_value(b"FFFFFFFFFFFFFFFF"), u64::MAX);
    }

    #[test]
    fn declines_what_the_grammar_rejects() {
        let bad = [
            "",
            "44B4",
            "123456789\t1\t10/21\t21:02:21.611\t71\ta.cpp(1)\t\t\tNORMAL\tm",
            "1\t2\t10/21\t21:02:21.1234567890\t71\ta.cpp(1)\t\t\tNORMAL\tm",
            "1\t2\t10/21\t21:02:21.611\t71\ta.cpp(1234567890)\t\t\tNORMAL\tm",
            "1\t2\t10/21\t21:02:21.611\t71\t(1)\t\t\tNORMAL\tm",
            "1\t2\t10/21\t21:02:21.611\t71\ta.cpp(1)\t\t\tN\tm",
            "1\t2\t10/21\t21:02:21.611\t71\ta.cpp(1)\t\t\tNORMALNORMALNORMAL\tm",
            "1\t2\t10/21\t21:02:21.611\t71\ta.cpp(1)\t\t\tABCDEFGHIJKLMNOPQ\tm",
            "1\t2\t10/21\t21:02:21.611\t71\ta.cpp(1)\t\t\tABCDEFGHIJKLMNOPQRSTUVWXYZABCD",
            "1\t2\t10/21\t21:02:21.611\t71\ta.cpp(1)\t\t\tNORMAL\u{e9}\tm",
            "1\t12345678\u{e9}\t10/21\t21:02:21.611\t71\ta.cpp(1)\t\t\tNORMAL\tm",
            "1\t2\t10/21\t21:02:21.611\t7 1\ta.cpp(1)\t\t\tNORMAL\tm",
        ];
        for line in bad {
            assert_eq!(header_fast(line.as_bytes(), line.len()), None, "{line:?}");
            check(line);
        }
    }
}
