//! Compiling the catalog into one prefilter and verifying each hit in its context.
//!
//! Design notes:
//! * Every way an entry can be recognised starts with a literal **anchor**: the generic
//!   forms share a few (`ID`, `error `, `erreur `, `0x`, `HResult:`), HTTP statuses have
//!   `(407)`, names and pattern anchors are themselves, and each text phrase contributes its
//!   longest ASCII, quote-free segment (so that one anchor matches UTF-8, Windows-1252 and
//!   typographic-quote variants alike). All anchors go into one ASCII-case-insensitive
//!   aho-corasick automaton; the same anchors encoded as UTF-16LE and UTF-16BE give the
//!   automata that search UTF-16 files without decoding them.
//! * The search is overlapping, so a long text anchor cannot hide a code inside it.
//! * A hit is only a candidate. Verification reads the context: a number is an error id
//!   only after `ID:`/`(ID `/`Error`/`Erreur`, or as the bracketed hex of an id; it must
//!   end at a non-digit (`ID: 345130` is not 34513); hex must end at a non-hex-digit
//!   (`0x1FC07AB3` is not 0x1FC07); `ID` must be upper case and a word of its own
//!   (`TaskID:`, `Ds Id` are not ids).
//! * Verification works on decoded text (`&str`). Spans are byte ranges in that text.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use regex::Regex;

use super::catalog::{id_has_hex_alias, Catalog};
use super::prefilter::{Needs, Prefilter};
use crate::position::Span;

/// How a line matched an entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "kebab-case")]
pub enum Code {
    /// A decimal error id in an id context: `(ID: 34513)`, `Error 34506.`.
    Id(u32),
    /// The bracketed hex of an id: `[0x1FC07]` (= 130055).
    HexId(u32),
    /// An HRESULT: `Failed: Hr: = [0x80780054]`, `HResult: 80780049`.
    HResult(u32),
    /// An HTTP status: `(407) Proxy Authentication Required`.
    Http(u16),
    /// A Winsock error: `error 10054`.
    Winsock(u32),
    /// A symbolic name: `SalLowDiskSpace`.
    Name(String),
    /// A documented message phrase.
    Text,
    /// A symptom pattern.
    Pattern,
    /// A Windows event rule.
    Event(u32),
}

impl Code {
    /// The code as a user would type it: `34513`, `0x1FC07`, `0x80780054`, `407`, a name;
    /// empty for texts and patterns.
    pub fn display(&self) -> String {
        match self {
            Code::Id(n) | Code::Winsock(n) => n.to_string(),
            Code::HexId(n) => format!("0x{n:X}"),
            Code::HResult(n) => format!("0x{n:08X}"),
            Code::Http(n) => n.to_string(),
            Code::Name(s) => s.clone(),
            Code::Event(id) => format!("event {id}"),
            Code::Text | Code::Pattern => String::new(),
        }
    }

    fn rank(&self) -> u8 {
        match self {
            Code::Id(_) | Code::HexId(_) | Code::HResult(_) | Code::Http(_) | Code::Winsock(_) => 0,
            Code::Name(_) | Code::Event(_) => 1,
            Code::Pattern => 2,
            Code::Text => 3,
        }
    }
}

/// One entry recognised in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    /// Index of the entry in the catalog.
    pub entry: usize,
    /// How it was recognised.
    pub code: Code,
    /// Byte span of the matched text in the classified text.
    pub span: Span,
}

#[derive(Debug, Clone)]
enum Anchor {
    IdWord,
    ErrorWord,
    HexOpen,
    HResultWord,
    Http(u16),
    Name(usize, usize),
    Text(usize, usize),
    Pattern(usize, usize),
}

/// The compiled matcher.
#[derive(Debug, Clone)]
pub(crate) struct Matcher {
    anchors: Vec<Anchor>,
    /// The literal of each anchor.
    pub(crate) literals: Vec<String>,
    pub(crate) bytes: AhoCorasick,
    /// For each pattern of `bytes`, the index of its anchor.
    byte_anchor: Vec<usize>,
    pub(crate) utf16le: AhoCorasick,
    pub(crate) utf16be: AhoCorasick,
    ids: HashMap<u32, Vec<usize>>,
    hresults: HashMap<u32, Vec<usize>>,
    http: HashMap<u16, Vec<usize>>,
    winsock: HashMap<u32, Vec<usize>>,
    /// Normalised (lower-case, straight quotes) text phrases, per entry.
    texts: Vec<Vec<String>>,
    names: Vec<Vec<String>>,
    patterns: Vec<Vec<Regex>>,
    /// The SIMD first stage of the triage pass (`None`: a catalog anchor has no ASCII
    /// fingerprint; the scan then runs the anchor automaton over the raw bytes).
    pub(crate) prefilter: Option<Prefilter>,
}

/// Lower-case ASCII and straighten typographic quotes and apostrophes, so that
/// `doesn’t`, `DOESN'T` and `doesn't` compare equal. Also maps no-break spaces to spaces.
pub(crate) fn normalise(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{2019}' | '\u{2018}' | '\u{02BC}' | '`' => '\'',
            '\u{201C}' | '\u{201D}' | '\u{00AB}' | '\u{00BB}' => '"',
            '\u{00A0}' | '\u{202F}' | '\u{2007}' => ' ',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// What the prefilter looks for in a text phrase: its longest quote-free ASCII run when that
/// is at least 12 bytes long (it then matches UTF-8, Windows-1252 and UTF-16 alike), else its
/// longest quote-free run of any characters.
fn anchor_of(text: &str) -> &str {
    let ascii = longest_run(text, |c| c.is_ascii());
    if ascii.len() >= 12 {
        ascii
    } else {
        longest_run(text, |_| true)
    }
}

fn is_quote(c: char) -> bool {
    matches!(
        c,
        '\'' | '"'
            | '`'
            | '\u{2018}'
            | '\u{2019}'
            | '\u{201C}'
            | '\u{201D}'
            | '\u{00AB}'
            | '\u{00BB}'
            | '\u{00A0}'
            | '\u{202F}'
    )
}

fn longest_run(text: &str, allowed: impl Fn(char) -> bool) -> &str {
    let ok = |c: char| allowed(c) && !is_quote(c);
    let mut best = "";
    let mut start = None;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), '\0')))
    {
        match (ok(c) && i < text.len(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                let seg = text[s..i].trim();
                if seg.len() > best.len() {
                    best = seg;
                }
                start = None;
            }
            _ => {}
        }
    }
    best
}

fn utf16(s: &str, le: bool) -> Vec<u8> {
    s.encode_utf16()
        .flat_map(|u| if le { u.to_le_bytes() } else { u.to_be_bytes() })
        .collect()
}

fn automaton<I: IntoIterator<Item = Vec<u8>>>(patterns: I) -> AhoCorasick {
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .kind(Some(AhoCorasickKind::DFA))
        .match_kind(MatchKind::Standard)
        .build(patterns)
        .expect("anchors are valid literals")
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn skip_spaces(s: &str, mut i: usize) -> usize {
    while let Some(c) = s[i..].chars().next() {
        if matches!(c, ' ' | '\t' | '\u{00A0}' | '\u{202F}' | '\u{2007}') {
            i += c.len_utf8();
        } else {
            break;
        }
    }
    i
}

/// Decimal digits at `i` (1–10, followed by a non-digit/non-letter): (value, end).
fn decimal_at(s: &str, i: usize) -> Option<(u32, usize)> {
    let b = s.as_bytes();
    let n = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
    if n == 0 || n > 10 || b.get(i + n).is_some_and(|&c| c.is_ascii_alphanumeric()) {
        return None;
    }
    Some((s[i..i + n].parse().ok()?, i + n))
}

/// Hex digits at `i` (1–8, followed by a non-hex, non-word byte): (value, digit count, end).
fn hex_at(s: &str, i: usize) -> Option<(u32, usize, usize)> {
    let b = s.as_bytes();
    let n = b[i..].iter().take_while(|c| c.is_ascii_hexdigit()).count();
    if n == 0 || n > 8 || b.get(i + n).is_some_and(|&c| is_word_byte(c)) {
        return None;
    }
    Some((u32::from_str_radix(&s[i..i + n], 16).ok()?, n, i + n))
}

impl Matcher {
    pub(crate) fn new(catalog: &Catalog) -> Matcher {
        let mut anchors = vec![
            Anchor::IdWord,
            Anchor::ErrorWord,
            Anchor::ErrorWord,
            Anchor::HexOpen,
            Anchor::HResultWord,
        ];
        let mut literals: Vec<String> = ["ID", "error ", "erreur ", "0x", "HResult:"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let (mut ids, mut hresults, mut http, mut winsock) = (
            HashMap::new(),
            HashMap::new(),
            HashMap::<u16, Vec<usize>>::new(),
            HashMap::new(),
        );
        let (mut texts, mut names, mut patterns) = (Vec::new(), Vec::new(), Vec::new());
        for (k, e) in catalog.entries().iter().enumerate() {
            for &id in &e.ids {
                ids.entry(id).or_insert_with(Vec::new).push(k);
            }
            for h in &e.hresults {
                if let Ok(v) = u32::from_str_radix(&h[2..], 16) {
                    hresults.entry(v).or_insert_with(Vec::new).push(k);
                }
            }
            for &h in &e.http {
                if !http.contains_key(&h) {
                    anchors.push(Anchor::Http(h));
                    literals.push(format!("({h})"));
                }
                http.entry(h).or_default().push(k);
            }
            for &w in &e.winsock {
                winsock.entry(w).or_insert_with(Vec::new).push(k);
            }
            for (j, n) in e.names.iter().enumerate() {
                anchors.push(Anchor::Name(k, j));
                literals.push(n.clone());
            }
            names.push(e.names.clone());
            let mut normalised = Vec::new();
            for (j, t) in e.texts.iter().enumerate() {
                let a = anchor_of(t);
                if a.chars().count() >= 8 {
                    anchors.push(Anchor::Text(k, j));
                    literals.push(a.to_string());
                }
                normalised.push(normalise(t));
            }
            texts.push(normalised);
            let mut res = Vec::new();
            for (j, p) in e.patterns.iter().enumerate() {
                anchors.push(Anchor::Pattern(k, j));
                literals.push(p.anchor.clone());
                res.push(
                    regex::RegexBuilder::new(&p.regex)
                        .case_insensitive(true)
                        .build()
                        .expect("validated"),
                );
            }
            patterns.push(res);
        }
        // Bytes: UTF-8 forms, plus Windows-1252 forms of non-ASCII anchors (pattern -> anchor).
        let mut byte_forms: Vec<Vec<u8>> = literals.iter().map(|l| l.as_bytes().to_vec()).collect();
        let mut byte_anchor: Vec<usize> = (0..literals.len()).collect();
        for (k, l) in literals.iter().enumerate() {
            if !l.is_ascii() {
                let (ansi, _, unmappable) = encoding_rs::WINDOWS_1252.encode(l);
                if !unmappable {
                    byte_forms.push(ansi.into_owned());
                    byte_anchor.push(k);
                }
            }
        }
        let prefilter = Prefilter::new(&needs(&literals, &anchors, &ids, &hresults, &winsock));
        Matcher {
            literals: literals.clone(),
            prefilter,
            bytes: automaton(byte_forms),
            byte_anchor,
            utf16le: automaton(literals.iter().map(|l| utf16(l, true))),
            utf16be: automaton(literals.iter().map(|l| utf16(l, false))),
            anchors,
            ids,
            hresults,
            http,
            winsock,
            texts,
            names,
            patterns,
        }
    }

    /// Every entry recognised in `text`, at most one match per entry (the most specific:
    /// codes before names, patterns and texts; then the leftmost).
    pub(crate) fn classify(&self, text: &str) -> Vec<Match> {
        let mut found: Vec<Match> = Vec::new();
        let mut normalised: Option<String> = None;
        for hit in self.bytes.find_overlapping_iter(text) {
            let (s, e) = (hit.start(), hit.end());
            match &self.anchors[self.byte_anchor[hit.pattern().as_usize()]] {
                Anchor::IdWord => self.verify_id(text, s, &mut found),
                Anchor::ErrorWord => self.verify_error_word(text, s, e, &mut found),
                Anchor::HexOpen => self.verify_hex(text, s, &mut found),
                Anchor::HResultWord => {
                    let i = skip_spaces(text, e);
                    if let Some((v, 8, end)) = hex_at(text, i) {
                        push_all(
                            &mut found,
                            self.hresults.get(&v),
                            Code::HResult(v),
                            Span::new(s, end),
                        );
                    }
                }
                Anchor::Http(code) => {
                    // "(407) Proxy Authentication Required": a word of its own, then a reason
                    // phrase starting with a capital ("backupasync.cpp(407) returned" is not)
                    let rest = &text.as_bytes()[e..];
                    let own_word = s == 0 || !is_word_byte(text.as_bytes()[s - 1]);
                    if own_word
                        && rest.first() == Some(&b' ')
                        && rest.get(1).is_some_and(u8::is_ascii_uppercase)
                    {
                        let end = e
                            + 1
                            + rest[1..]
                                .iter()
                                .take_while(|b| b.is_ascii_alphabetic() || **b == b' ')
                                .count();
                        push_all(
                            &mut found,
                            self.http.get(code),
                            Code::Http(*code),
                            Span::new(s, end),
                        );
                    }
                }
                Anchor::Name(k, j) => {
                    let b = text.as_bytes();
                    let before = s == 0 || !is_word_byte(b[s - 1]);
                    let after = b.get(e).is_none_or(|&c| !is_word_byte(c));
                    if before && after {
                        found.push(Match {
                            entry: *k,
                            code: Code::Name(self.names[*k][*j].clone()),
                            span: Span::new(s, e),
                        });
                    }
                }
                Anchor::Text(k, j) => {
                    let norm = normalised.get_or_insert_with(|| normalise(text));
                    if norm.contains(self.texts[*k][*j].as_str()) {
                        found.push(Match {
                            entry: *k,
                            code: Code::Text,
                            span: Span::new(s, e),
                        });
                    }
                }
                Anchor::Pattern(k, j) => {
                    if let Some(m) = self.patterns[*k][*j].find(text) {
                        found.push(Match {
                            entry: *k,
                            code: Code::Pattern,
                            span: Span::new(m.start(), m.end()),
                        });
                    }
                }
            }
        }
        found.sort_by(|a, b| {
            (a.entry, a.code.rank(), a.span.start).cmp(&(b.entry, b.code.rank(), b.span.start))
        });
        found.dedup_by_key(|m| m.entry);
        found.sort_by_key(|m| m.span.start);
        found
    }

    /// Whether `line` may contribute a match to the message it belongs to: a code or name
    /// verified in place, or any text or pattern anchor (their verification can depend on
    /// the rest of the message: a pattern's regex may span lines). A superset of
    /// "`classify` finds something on this line", cheap to reject.
    pub(crate) fn may_match(&self, line: &str) -> bool {
        let mut found = Vec::new();
        for hit in self.bytes.find_overlapping_iter(line) {
            let (s, e) = (hit.start(), hit.end());
            match &self.anchors[self.byte_anchor[hit.pattern().as_usize()]] {
                Anchor::Text(..) | Anchor::Pattern(..) => return true,
                Anchor::IdWord => self.verify_id(line, s, &mut found),
                Anchor::ErrorWord => self.verify_error_word(line, s, e, &mut found),
                Anchor::HexOpen => self.verify_hex(line, s, &mut found),
                _ => {
                    // HResult:, (407), names: the full verification on this line alone
                    let end = line[e..].find(['\r', '\n']).map_or(line.len(), |i| e + i);
                    let start = line[..s].rfind(['\r', '\n']).map_or(0, |i| i + 1);
                    if !self.classify(&line[start..end]).is_empty() {
                        return true;
                    }
                }
            }
            if !found.is_empty() {
                return true;
            }
        }
        false
    }

    /// `ID` as a word: `(ID: n)`, `(ID : n)`, `ID: n`, `Error ID: n`, `ID d'erreur : n`,
    /// and the DPM forms `(ID n Details…` / `(ID n)`.
    fn verify_id(&self, text: &str, s: usize, found: &mut Vec<Match>) {
        let b = text.as_bytes();
        if &b[s..s + 2] != b"ID" || (s > 0 && is_word_byte(b[s - 1])) {
            return;
        }
        let mut i = s + 2;
        let paren = s > 0 && b[s - 1] == b'(';
        for tail in [" d'erreur", " d\u{2019}erreur"] {
            if text[i..].starts_with(tail) {
                i += tail.len();
            }
        }
        let j = skip_spaces(text, i);
        let i = if b.get(j) == Some(&b':') {
            skip_spaces(text, j + 1)
        } else if paren && j > i {
            j // "(ID 32612 Details" / "(ID 33621 )"
        } else {
            return;
        };
        if let Some((n, end)) = decimal_at(text, i) {
            if paren && b.get(j) != Some(&b':') && !matches!(b.get(end), Some(b' ' | b')')) {
                return;
            }
            let start = if paren { s - 1 } else { s };
            let end = if paren && b.get(end) == Some(&b')') {
                end + 1
            } else {
                end
            };
            push_all(found, self.ids.get(&n), Code::Id(n), Span::new(start, end));
        }
    }

    /// `Error 34506.` / `Erreur 34506.` (an id), `error 10054` (Winsock).
    fn verify_error_word(&self, text: &str, s: usize, e: usize, found: &mut Vec<Match>) {
        let b = text.as_bytes();
        if s > 0 && is_word_byte(b[s - 1]) {
            return;
        }
        let Some((n, end)) = decimal_at(text, e) else {
            return;
        };
        if b.get(end) == Some(&b'.') {
            push_all(found, self.ids.get(&n), Code::Id(n), Span::new(s, end + 1));
        }
        push_all(
            found,
            self.winsock.get(&n),
            Code::Winsock(n),
            Span::new(s, end),
        );
    }

    /// `[0x1FC07]` / `(0x1FC07)`: the hex of an id; `0x80780054` (8 digits): an HRESULT.
    fn verify_hex(&self, text: &str, s: usize, found: &mut Vec<Match>) {
        let b = text.as_bytes();
        let open = s.checked_sub(1).map(|p| b[p]);
        if open.is_some_and(is_word_byte) {
            return;
        }
        let Some((v, n, end)) = hex_at(text, s + 2) else {
            return;
        };
        if n == 8 {
            push_all(
                found,
                self.hresults.get(&v),
                Code::HResult(v),
                Span::new(s, end),
            );
        } else if id_has_hex_alias(v) {
            let closed = match open {
                Some(b'[') => b.get(end) == Some(&b']'),
                Some(b'(') => b.get(end) == Some(&b')'),
                _ => false,
            };
            if closed {
                push_all(
                    found,
                    self.ids.get(&v),
                    Code::HexId(v),
                    Span::new(s - 1, end + 1),
                );
            }
        }
    }
}

/// What the triage prefilter must find for these anchors (see `prefilter`).
fn needs(
    literals: &[String],
    anchors: &[Anchor],
    ids: &HashMap<u32, Vec<usize>>,
    hresults: &HashMap<u32, Vec<usize>>,
    winsock: &HashMap<u32, Vec<usize>>,
) -> Needs {
    let mut n = Needs::default();
    let mut digits: Vec<u8> = vec![b'0'];
    for v in ids.keys().chain(winsock.keys()) {
        digits.push(v.to_string().as_bytes()[0]);
    }
    digits.sort();
    digits.dedup();
    let mut hex: Vec<[u8; 2]> = hresults
        .keys()
        .map(|v| {
            let h = format!("{v:08x}").into_bytes();
            [h[0], h[1]]
        })
        .collect();
    for &v in ids.keys().filter(|&&v| id_has_hex_alias(v)) {
        let h = format!("{v:x}");
        // with leading zeros, up to 7 digits (8 would be an HRESULT)
        for zeros in 0..=7usize.saturating_sub(h.len()) {
            let h = format!("{}{h}", "0".repeat(zeros)).into_bytes();
            hex.push([h[0], h[1]]);
        }
    }
    for (a, l) in anchors.iter().zip(literals) {
        match a {
            Anchor::IdWord => n.id_word = true,
            Anchor::ErrorWord => {
                for &d in &digits {
                    let mut f = l.as_bytes().to_vec();
                    f.push(d);
                    n.literals.push(f);
                }
            }
            Anchor::HexOpen => n.hex.clone_from(&hex),
            Anchor::HResultWord | Anchor::Http(_) | Anchor::Name(..) if l.is_ascii() => {
                n.literals.push(l.as_bytes().to_vec());
            }
            _ => n.covers.push(l.clone()),
        }
    }
    n.hex.sort();
    n.hex.dedup();
    n
}

fn push_all(found: &mut Vec<Match>, entries: Option<&Vec<usize>>, code: Code, span: Span) {
    for &k in entries.into_iter().flatten() {
        found.push(Match {
            entry: k,
            code: code.clone(),
            span,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_are_ascii_and_quote_free() {
        assert_eq!(
            anchor_of("doesn't have the latest credentials"),
            "t have the latest credentials"
        );
        assert_eq!(
            anchor_of("L'activation n'a pas réussi. Échec de l'opération"),
            "activation n"
        );
        assert_eq!(
            anchor_of("n'a pas réussi. Échec de l'opération"),
            "a pas réussi. Échec de l"
        );
        assert_eq!(normalise("DOESN’T « x »"), "doesn't \" x \"");
    }
}
