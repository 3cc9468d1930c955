//! The errlog record header grammar, one function per production.
//!
//! ```text
//! header    = pid SEP tid SEP date SEP time SEP column5 SEP source SEP pointer SEP task SEP severity [SEP message]
//! pid, tid  = 1*8HEXDIG                              ; "44B4", "3968"
//! date      = 2DIGIT "/" 2DIGIT                      ; "10/21" month/day, no year
//! time      = 2DIGIT ":" 2DIGIT ":" 2DIGIT "." 1*9DIGIT   ; "21:02:21.611", UTC
//! column5   = *(any but SEP)                          ; "71" — opaque
//! source    = 1*(any but SEP) "(" 1*DIGIT ")"        ; "backupasync.cpp(1589)"
//! pointer   = "" / "[" 1*16HEXDIG "]"                ; "[000000001B73B830]" or empty
//! task      = "" / ["{"] GUID ["}"]                  ; "0517B3DB-347D-45A8-9DAB-FD7D1EA7D134" or empty
//! severity  = 1*UPPER                                 ; NORMAL WARNING FATAL CRITICAL …
//! SEP       = TAB                                     ; strict mode
//! SEP       = 1*(SP / TAB)                            ; tolerant mode (pasted copies); the
//!                                                     ; empty pointer/task columns vanish, so
//!                                                     ; they are recognised by their shape
//! ```
//!
//! The grammar works on ASCII bytes: for UTF-8 and Windows-1252 on the line itself, for
//! UTF-16 on a narrowed copy of the header's code units (see `super::reader`). Offsets in
//! `Header` are relative to the start of the line, in those bytes.

use nom::IResult;

use super::record::{Rel, Severity};

/// A parsed header; ranges are relative to the start of the line (the caller only parses
/// lines shorter than 4 GiB, so they fit in `u32`). [`super::Record`] embeds it as is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Header {
    pub pid: u32,
    pub tid: u32,
    pub time: LogTime,
    pub source_line: u32,
    pub column5: Rel,
    pub source: Rel,
    /// The hex digits of the pointer (brackets excluded); the value is read on demand.
    pub pointer: Option<Rel>,
    pub task: Option<Rel>,
    pub severity_word: Rel,
    pub severity: Severity,
    /// Where the message starts (the line's length when there is no message).
    pub message_start: u32,
}

impl Default for Header {
    fn default() -> Header {
        Header {
            pid: 0,
            tid: 0,
            time: LogTime::default(),
            source_line: 0,
            column5: Rel::default(),
            source: Rel::default(),
            pointer: None,
            task: None,
            severity_word: Rel::default(),
            severity: Severity::Other,
            message_start: 0,
        }
    }
}

impl Header {
    /// The same header with every range doubled: offsets in UTF-16 code units → bytes.
    pub(crate) fn units_to_bytes(mut self) -> Header {
        self.column5 = self.column5.doubled();
        self.source = self.source.doubled();
        self.pointer = self.pointer.map(Rel::doubled);
        self.task = self.task.map(Rel::doubled);
        self.severity_word = self.severity_word.doubled();
        self.message_start *= 2;
        self
    }
}

/// A yearless errlog time stamp: month, day and time of day to the nanosecond, UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct LogTime {
    /// 1–12.
    pub month: u8,
    /// 1–31.
    pub day: u8,
    /// 0–23.
    pub hour: u8,
    /// 0–59.
    pub minute: u8,
    /// 0–60 (a leap second is kept as written).
    pub second: u8,
    /// Fraction of the second, in nanoseconds.
    pub nanos: u32,
}

/// Field separators: strict (one TAB) or tolerant (runs of spaces and TABs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sep {
    Tab,
    Blanks,
}

/// The field a header failed on, for unparsed-line reports.
pub(crate) type Failure = &'static str;

type Res<'a, T> = IResult<&'a [u8], T>;

fn is_sep_byte(b: u8) -> bool {
    b == b'\t' || b == b' '
}

fn fail<T>(i: &[u8], kind: nom::error::ErrorKind) -> Res<'_, T> {
    Err(nom::Err::Error(nom::error::Error::new(i, kind)))
}

/// Hex digit values; 0xFF for bytes that are not hex digits (0 included).
pub(crate) const HEX: [u8; 256] = {
    let mut t = [0xFFu8; 256];
    let mut c = 0;
    while c < 10 {
        t[b'0' as usize + c] = c as u8;
        c += 1;
    }
    let mut c = 0;
    while c < 6 {
        t[b'a' as usize + c] = 10 + c as u8;
        t[b'A' as usize + c] = 10 + c as u8;
        c += 1;
    }
    t
};

#[inline]
fn is_hex(b: u8) -> bool {
    HEX[b as usize] != 0xFF
}

/// Value of a run of hex digits (at most 16, all checked by the caller).
#[inline]
fn hex_value(digits: &[u8]) -> u64 {
    digits
        .iter()
        .fold(0u64, |acc, &d| (acc << 4) | u64::from(HEX[d as usize]))
}

#[inline]
fn dec_value(digits: &[u8]) -> u32 {
    digits.iter().fold(0u32, |acc, &d| {
        acc.saturating_mul(10).saturating_add(u32::from(d - b'0'))
    })
}

/// The length of the run of hex digits at the start of `i`, up to `max`.
#[inline]
fn hex_run_len(i: &[u8], max: usize) -> usize {
    i.iter().take(max).take_while(|&&b| is_hex(b)).count()
}

/// `SEP` — "\t", or in tolerant mode one or more spaces/TABs.
#[inline]
fn sep(i: &[u8], mode: Sep) -> Res<'_, ()> {
    match mode {
        Sep::Tab => match i.first() {
            Some(b'\t') => Ok((&i[1..], ())),
            _ => fail(i, nom::error::ErrorKind::Tag),
        },
        Sep::Blanks => {
            let n = i.iter().take_while(|b| is_sep_byte(**b)).count();
            if n == 0 {
                fail(i, nom::error::ErrorKind::Space)
            } else {
                Ok((&i[n..], ()))
            }
        }
    }
}

/// `pid` / `tid` — 1 to 8 hex digits: `44B4`.
#[inline]
pub(crate) fn thread_or_process_id(i: &[u8]) -> Res<'_, u32> {
    let n = hex_run_len(i, 8);
    if n == 0 {
        return fail(i, nom::error::ErrorKind::HexDigit);
    }
    Ok((&i[n..], hex_value(&i[..n]) as u32))
}

#[inline]
fn two_digits_at(i: &[u8], at: usize) -> Option<u8> {
    match (i.get(at), i.get(at + 1)) {
        (Some(a @ b'0'..=b'9'), Some(b @ b'0'..=b'9')) => Some((a - b'0') * 10 + (b - b'0')),
        _ => None,
    }
}

/// `date` — month/day: `10/21`.
#[inline]
pub(crate) fn date(i: &[u8]) -> Res<'_, (u8, u8)> {
    match (two_digits_at(i, 0), i.get(2), two_digits_at(i, 3)) {
        (Some(m @ 1..=12), Some(b'/'), Some(d @ 1..=31)) => Ok((&i[5..], (m, d))),
        _ => fail(i, nom::error::ErrorKind::Verify),
    }
}

/// `time` — `21:02:21.611` (1 to 9 fraction digits).
#[inline]
pub(crate) fn time_of_day(i: &[u8]) -> Res<'_, (u8, u8, u8, u32)> {
    let ok_shape = i.get(2) == Some(&b':') && i.get(5) == Some(&b':') && i.get(8) == Some(&b'.');
    let (Some(h @ 0..=23), Some(m @ 0..=59), Some(s @ 0..=60), true) = (
        two_digits_at(i, 0),
        two_digits_at(i, 3),
        two_digits_at(i, 6),
        ok_shape,
    ) else {
        return fail(i, nom::error::ErrorKind::Verify);
    };
    let frac = i[9..]
        .iter()
        .take(9)
        .take_while(|b| b.is_ascii_digit())
        .count();
    if frac == 0 || i.get(9 + frac).is_some_and(u8::is_ascii_digit) {
        return fail(i, nom::error::ErrorKind::Verify);
    }
    const SCALE: [u32; 10] = [
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
    let nanos = dec_value(&i[9..9 + frac]) * SCALE[frac];
    Ok((&i[9 + frac..], (h, m, s, nanos)))
}

/// `column5` — opaque, up to the next separator: `71`.
#[inline]
pub(crate) fn column5(i: &[u8]) -> Res<'_, &[u8]> {
    let n = i.iter().take_while(|&&b| !is_sep_byte(b)).count();
    Ok((&i[n..], &i[..n]))
}

/// `source` — `backupasync.cpp(1589)`: returns the whole field and the line number.
///
/// In strict mode the file name may contain spaces; the field ends at the TAB.
#[inline]
pub(crate) fn source(i: &[u8], mode: Sep) -> Res<'_, (&[u8], u32)> {
    let field_len = match mode {
        Sep::Tab => memchr::memchr(b'\t', i).unwrap_or(i.len()),
        Sep::Blanks => i.iter().position(|&b| is_sep_byte(b)).unwrap_or(i.len()),
    };
    let field = &i[..field_len];
    let Some((b')', inner)) = field.split_last() else {
        return fail(i, nom::error::ErrorKind::Verify);
    };
    let digits = inner
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_digit())
        .count();
    let open = inner.len() - digits;
    if digits == 0 || digits > 9 || open < 2 || inner[open - 1] != b'(' {
        return fail(i, nom::error::ErrorKind::Verify);
    }
    Ok((&i[field_len..], (field, dec_value(&inner[open..]))))
}

/// `pointer` — `[000000001B73B830]` (the brackets are required): returns the digits.
#[inline]
pub(crate) fn pointer(i: &[u8]) -> Res<'_, &[u8]> {
    let n = if i.first() == Some(&b'[') {
        hex_run_len(&i[1..], 16)
    } else {
        0
    };
    if n == 0 || i.get(1 + n) != Some(&b']') {
        return fail(i, nom::error::ErrorKind::Verify);
    }
    Ok((&i[n + 2..], &i[1..1 + n]))
}

/// The value of validated hex digits (a pointer's).
pub(crate) fn hex_digits_value(digits: impl Iterator<Item = u8>) -> u64 {
    digits.fold(0u64, |acc, d| {
        (acc << 4) | u64::from(HEX[d as usize] & 0x0F)
    })
}

/// `task` — a GUID, optionally in braces: `0517B3DB-347D-45A8-9DAB-FD7D1EA7D134`.
#[inline]
pub(crate) fn task_guid(i: &[u8]) -> Res<'_, &[u8]> {
    let braced = i.first() == Some(&b'{');
    let g = &i[usize::from(braced)..];
    let len = 36 + 2 * usize::from(braced);
    let shape = g.len() >= 36
        && g[8] == b'-'
        && g[13] == b'-'
        && g[18] == b'-'
        && g[23] == b'-'
        && [&g[..8], &g[9..13], &g[14..18], &g[19..23], &g[24..36]]
            .iter()
            .all(|part| part.iter().fold(0u8, |acc, &b| acc | HEX[b as usize]) != 0xFF)
        && (!braced || g.get(36) == Some(&b'}'));
    if !shape {
        return fail(i, nom::error::ErrorKind::Verify);
    }
    Ok((&i[len..], &i[..len]))
}

/// `severity` — an upper-case word of 2 to 16 letters: `WARNING`.
#[inline]
pub(crate) fn severity(i: &[u8]) -> Res<'_, &[u8]> {
    let n = i
        .iter()
        .take(16)
        .take_while(|b| b.is_ascii_uppercase())
        .count();
    if n < 2 || i.get(n).is_some_and(u8::is_ascii_uppercase) {
        return fail(i, nom::error::ErrorKind::Verify);
    }
    Ok((&i[n..], &i[..n]))
}

fn at_field_end(i: &[u8]) -> bool {
    i.first().is_none_or(|&b| is_sep_byte(b))
}

/// The whole header of a record line, or the name of the field that failed.
pub(crate) fn header(line: &[u8], mode: Sep) -> Result<Header, Failure> {
    let off = |rest: &[u8]| line.len() - rest.len();
    let sep = |i| sep(i, mode);
    let (i, pid) = thread_or_process_id(line).map_err(|_| "process id")?;
    let (i, _) = sep(i).map_err(|_| "process id")?;
    let (i, tid) = thread_or_process_id(i).map_err(|_| "thread id")?;
    let (i, _) = sep(i).map_err(|_| "thread id")?;
    let (i, (month, day)) = date(i).map_err(|_| "date")?;
    let (i, _) = sep(i).map_err(|_| "date")?;
    let (i, (hour, minute, second, nanos)) = time_of_day(i).map_err(|_| "time")?;
    let (i, _) = sep(i).map_err(|_| "time")?;
    let c5_start = off(i);
    let (i, _) = column5(i).map_err(|_| "column 5")?;
    let column5 = Rel::new(c5_start, off(i));
    let (i, _) = sep(i).map_err(|_| "column 5")?;
    let src_start = off(i);
    let (i, (_, source_line)) = source(i, mode).map_err(|_| "source")?;
    let source = Rel::new(src_start, off(i));
    let (i, _) = sep(i).map_err(|_| "source")?;
    // pointer and task: empty columns in strict mode; absent columns in tolerant mode.
    let ptr_start = off(i) + 1;
    let (i, pointer) = match pointer(i) {
        Ok((rest, digits)) if at_field_end(rest) => {
            (rest, Some(Rel::new(ptr_start, ptr_start + digits.len())))
        }
        _ if mode == Sep::Tab && i.first() != Some(&b'\t') => return Err("object pointer"),
        _ => (i, None),
    };
    let i = match (mode, pointer.is_some()) {
        (Sep::Tab, _) | (Sep::Blanks, true) => sep(i).map_err(|_| "object pointer")?.0,
        (Sep::Blanks, false) => i,
    };
    let task_start = off(i);
    let (i, task) = match task_guid(i) {
        Ok((rest, _)) if at_field_end(rest) => (rest, Some(Rel::new(task_start, off(rest)))),
        _ if mode == Sep::Tab && i.first() != Some(&b'\t') => return Err("task id"),
        _ => (i, None),
    };
    let i = match (mode, task.is_some()) {
        (Sep::Tab, _) | (Sep::Blanks, true) => sep(i).map_err(|_| "task id")?.0,
        (Sep::Blanks, false) => i,
    };
    let sev_start = off(i);
    let (i, word) = severity(i).map_err(|_| "severity")?;
    let severity_word = Rel::new(sev_start, off(i));
    let message_start = match i.first() {
        None => line.len(),
        Some(b'\t') if mode == Sep::Tab => off(i) + 1,
        Some(_) if mode == Sep::Blanks => off(sep(i).map_err(|_| "severity")?.0),
        Some(_) => return Err("severity"),
    };
    Ok(Header {
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
        source_line,
        column5,
        source,
        pointer,
        task,
        severity_word,
        severity: Severity::from_word(word),
        message_start: message_start as u32,
    })
}

/// True when a line starts like a record header (`pid SEP tid SEP MM/`): a line that does
/// so but fails [`header`] is reported as unparsed, not taken as a continuation.
pub(crate) fn looks_like_header(line: &[u8], mode: Sep) -> bool {
    let sep = |i| sep(i, mode);
    let Ok((i, _)) = thread_or_process_id(line) else {
        return false;
    };
    let Ok((i, _)) = sep(i) else { return false };
    let Ok((i, _)) = thread_or_process_id(i) else {
        return false;
    };
    let Ok((i, _)) = sep(i) else { return false };
    two_digits_at(i, 0).is_some() && i.get(2) == Some(&b'/')
}

#[cfg(test)]
mod tests {
    use super::*;

    const MARS: &[u8] = b"44B4\t3968\t10/21\t21:02:21.611\t71\tbackupasync.cpp(1184)\t[000000001B73B830]\t0517B3DB-347D-45A8-9DAB-FD7D1EA7D134\tWARNING\tFailed: Hr: = [0x80780054] Offline Backup Progress: Failed";

    fn text(line: &[u8], r: Rel) -> &str {
        std::str::from_utf8(&line[r.start as usize..r.end as usize]).unwrap()
    }

    #[test]
    fn productions_output_and_remainder() {
        assert_eq!(thread_or_process_id(b"44B4\tx"), Ok((&b"\tx"[..], 0x44B4)));
        assert_eq!(date(b"10/21\t"), Ok((&b"\t"[..], (10, 21))));
        assert!(date(b"13/01").is_err());
        assert!(date(b"00/10").is_err());
        assert_eq!(
            time_of_day(b"21:02:21.611 "),
            Ok((&b" "[..], (21, 2, 21, 611_000_000)))
        );
        assert_eq!(
            time_of_day(b"00:00:00.1"),
            Ok((&b""[..], (0, 0, 0, 100_000_000)))
        );
        assert!(time_of_day(b"24:00:00.000").is_err());
        assert!(time_of_day(b"12:00:00").is_err());
        assert!(time_of_day(b"12:00:00.1234567890").is_err());
        assert!(severity(b"ABCDEFGHIJKLMNOPQ").is_err());
        assert!(source(b"a.cpp(1x2)\t", Sep::Tab).is_err());
        assert_eq!(
            thread_or_process_id(b"123456789"),
            Ok((&b"9"[..], 0x12345678))
        );
        assert_eq!(column5(b"09\tx"), Ok((&b"\tx"[..], &b"09"[..])));
        assert_eq!(
            source(b"a b.cpp(12)\tx", Sep::Tab),
            Ok((&b"\tx"[..], (&b"a b.cpp(12)"[..], 12)))
        );
        assert!(source(b"(12)\t", Sep::Tab).is_err());
        assert!(source(b"a.cpp()\t", Sep::Tab).is_err());
        assert!(source(b"a.cpp(12\t", Sep::Tab).is_err());
        assert!(source(b"a.cpp(1x2)\t", Sep::Tab).is_err());
        assert!(time_of_day(b"12:00:00.1234567890").is_err());
        assert!(severity(b"ABCDEFGHIJKLMNOPQ").is_err());
        assert_eq!(
            thread_or_process_id(b"123456789"),
            Ok((&b"9"[..], 0x12345678))
        );
        assert_eq!(
            pointer(b"[00000000003970D0]\t"),
            Ok((&b"\t"[..], &b"00000000003970D0"[..]))
        );
        assert!(pointer(b"[00000000003970D0\t").is_err());
        let g = b"{8AE83798-7A85-466A-80CA-22CA66582965}\t";
        assert_eq!(task_guid(g), Ok((&b"\t"[..], &g[..38])));
        assert!(task_guid(b"{8AE83798-7A85-466A-80CA-22CA66582965\t").is_err());
        assert!(task_guid(b"8AE83798-7A85-466A-80CA-22CA6658296\t").is_err());
        assert_eq!(
            severity(b"CRITICAL\tx"),
            Ok((&b"\tx"[..], &b"CRITICAL"[..]))
        );
    }

    #[test]
    fn full_mars_header() {
        let h = header(MARS, Sep::Tab).unwrap();
        assert_eq!((h.pid, h.tid), (0x44B4, 0x3968));
        assert_eq!(
            h.time,
            LogTime {
                month: 10,
                day: 21,
                hour: 21,
                minute: 2,
                second: 21,
                nanos: 611_000_000
            }
        );
        assert_eq!(text(MARS, h.column5), "71");
        assert_eq!(text(MARS, h.source), "backupasync.cpp(1184)");
        assert_eq!(h.source_line, 1184);
        assert_eq!(text(MARS, h.pointer.unwrap()), "000000001B73B830");
        assert_eq!(
            text(MARS, h.task.unwrap()),
            "0517B3DB-347D-45A8-9DAB-FD7D1EA7D134"
        );
        assert_eq!(text(MARS, h.severity_word), "WARNING");
        assert!(MARS[h.message_start as usize..].starts_with(b"Failed: Hr: = [0x80780054]"));
    }

    #[test]
    fn empty_columns_and_missing_message() {
        let line = b"180C\t280C\t06/01\t20:55:45.690\t09\teverettexception.cpp(761)\t\t\tCRITICAL";
        let h = header(line, Sep::Tab).unwrap();
        assert_eq!((h.pointer, h.task), (None, None));
        assert_eq!(text(line, h.severity_word), "CRITICAL");
        assert_eq!(h.message_start as usize, line.len());
    }

    #[test]
    fn strict_failures_name_the_field() {
        let cases: &[(&[u8], &str)] = &[
            (
                b"zz\t3968\t10/21\t21:02:21.611\t71\ta.cpp(1)\t\t\tNORMAL\tm",
                "process id",
            ),
            (b"44B4\t3968\t10/21\t21:02\t", "time"),
            (
                b"44B4\t3968\t10/41\t21:02:21.611\t71\ta.cpp(1)\t\t\tNORMAL\tm",
                "date",
            ),
            (
                b"44B4\t3968\t10/21\t21:02:21.611\t71\ta.cpp\t\t\tNORMAL\tm",
                "source",
            ),
            (
                b"44B4\t3968\t10/21\t21:02:21.611\t71\ta.cpp(1)\t[xyz]\t\tNORMAL\tm",
                "object pointer",
            ),
            (
                b"44B4\t3968\t10/21\t21:02:21.611\t71\ta.cpp(1)\t\tnot-a-guid\tNORMAL\tm",
                "task id",
            ),
            (
                b"44B4\t3968\t10/21\t21:02:21.611\t71\ta.cpp(1)\t\t\tnormal\tm",
                "severity",
            ),
            (
                b"44B4\t3968\t10/21\t21:02:21.611\t71\ta.cpp(1)\t\t\tNORMAL message",
                "severity",
            ),
        ];
        for (line, field) in cases {
            assert_eq!(
                header(line, Sep::Tab).err(),
                Some(*field),
                "{}",
                String::from_utf8_lossy(line)
            );
        }
    }

    #[test]
    fn tolerant_mode_recognises_shapes() {
        let line = b"44B4 3968 10/21 21:02:21.611 69 AzureServiceManagementHelper.cs(320) 0517B3DB-347D-45A8-9DAB-FD7D1EA7D134 FATAL GetImportJobStatus:: Import job not found";
        let h = header(line, Sep::Blanks).unwrap();
        assert_eq!(h.pointer, None);
        assert_eq!(
            text(line, h.task.unwrap()),
            "0517B3DB-347D-45A8-9DAB-FD7D1EA7D134"
        );
        assert_eq!(text(line, h.severity_word), "FATAL");
        assert!(line[h.message_start as usize..].starts_with(b"GetImportJobStatus::"));
        let line = b"0990  17D8 11/05 13:02:42.416 31 vsssnapshotrequestor.cpp(585)   [00000000003970D0] NORMAL CVssSnapshotRequestor:: ProviderId";
        let h = header(line, Sep::Blanks).unwrap();
        assert_eq!(
            (text(line, h.pointer.unwrap()), h.task),
            ("00000000003970D0", None)
        );
        assert!(line[h.message_start as usize..].starts_with(b"CVssSnapshotRequestor::"));
        // strict mode rejects the pasted copy
        assert!(header(line, Sep::Tab).is_err());
    }

    #[test]
    fn header_prefix_detection() {
        assert!(looks_like_header(b"44B4\t3968\t10/2", Sep::Tab));
        assert!(!looks_like_header(b"   at System.Foo()", Sep::Tab));
        assert!(!looks_like_header(b"44B4 3968 10/21", Sep::Tab));
        assert!(looks_like_header(b"44B4 3968 10/21", Sep::Blanks));
    }
}
