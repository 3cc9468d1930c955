//! The first stage of the triage pass: where, in a folded copy of the input, a line might
//! match the catalog.
//!
//! The full anchor automaton (`matcher`) is a byte-at-a-time DFA over ~300 case-insensitive
//! literals: exact, but ~0.6 GB/s. This stage only has to say *where a line might match*, and
//! every way the matcher can recognise something implies an ASCII string in the text:
//!
//! * The input is folded chunk-wise into a small scratch buffer by [`fold_bytes`] /
//!   [`fold_utf16`]: every byte (UTF-16: the low byte of every code unit) ORed with `0x20`.
//!   That makes ASCII letters lower case (so no case variants are needed) and costs a fraction
//!   of an instruction per byte (the loops vectorise). It also merges unrelated bytes
//!   (`\t` with `)`, `0x00` with ` `, non-Latin-1 units with whatever their low byte is): the
//!   stage only ever looks for *necessary* strings, so a merge can add a candidate, never lose
//!   one. One set of strings serves UTF-8, Windows-1252, UTF-16LE and UTF-16BE, and UTF-16
//!   hits are always unit-aligned.
//! * The required strings, and how each is searched:
//!   - text phrases, pattern anchors and names (one ASCII run of each) and the literal
//!     `HResult:`, `(407)`, `error d` / `erreur d` (`d`: every first digit a catalog id or
//!     Winsock code can be written with): strings of at least [`WINDOW`] bytes are reduced to
//!     their least common `WINDOW`-byte window and found by **sampled hashing**: the 8 bytes
//!     at every [`STRIDE`]-th position are looked up in a filter of the windows' 8-byte
//!     grams (a window always contains a sampled position): a byte per hash slot, zero for
//!     none, else a tag of more hash bits. Four samples are tested with one branch (a
//!     multiply, a load and an OR each), a non-zero slot then by its tag, and a tag hit
//!     against the whole window. Cost: about six instructions per 17 bytes, whatever the
//!     catalog size (on a generated 16 MB errlog, 17.6 k tag hits, each a hash-map lookup).
//!   - shorter strings: a small Teddy searcher (aho-corasick packed, 8 buckets) over one
//!     rare four-byte gram per few strings, each gram hit checked against its strings;
//!   - `0x…`: `memmem` for `0x`, then the first two hex digits against those of every catalog
//!     HRESULT and id hex alias (leading zeros included);
//!   - `ID` (upper case, a word): `memmem` over the *raw* bytes (the fold loses case), in the
//!     file's encoding, then the unit before (no word character) and after (`:` or a space).
//! * A hit is only a candidate line; the scan then checks that line with the full matcher
//!   before any record parsing.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use aho_corasick::packed::{Config, Searcher};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use memchr::memmem;

/// Length of the windows found by sampled hashing (and of the longest Teddy string).
pub(crate) const WINDOW: usize = 24;
/// Bytes hashed per sample.
const Q: usize = 8;
/// Distance between samples: every window contains one whole sample.
pub(crate) const STRIDE: usize = WINDOW - Q + 1;
/// log2 of the slots of the sample filter (one byte each: 128 KiB, L2-resident; on a
/// generated 16 MB errlog, 64 KiB cost 1.1 M more instructions, 256 KiB saved 0.2 M).
const FILTER_BITS: u32 = 17;
const FILTER_SLOTS: usize = 1 << FILTER_BITS;
/// A filter slot shared by sampled grams with different tags.
const MANY: u8 = 1;
/// Samples tested per branch.
const SAMPLES: usize = 4;
/// Length of a Teddy gram (its mask length).
const GRAM: usize = 4;

/// The fold: `b | 0x20` (see the module docs).
#[inline(always)]
pub(crate) fn fold(b: u8) -> u8 {
    b | 0x20
}

/// Fold `src` (UTF-8 or single-byte text) into `dst` (as long as `src`).
pub(crate) fn fold_bytes(src: &[u8], dst: &mut [u8]) {
    for (d, &s) in dst.iter_mut().zip(src) {
        *d = fold(s);
    }
}

/// Fold the low byte of each UTF-16 unit of `src` (`LE`: little-endian) into `dst` (half as
/// long as `src`; a trailing odd byte is ignored).
pub(crate) fn fold_utf16<const LE: bool>(src: &[u8], dst: &mut [u8]) {
    #[inline(always)]
    fn unit<const LE: bool>(p: &[u8]) -> u16 {
        if LE {
            u16::from_le_bytes([p[0], p[1]])
        } else {
            u16::from_be_bytes([p[0], p[1]])
        }
    }
    let mut ds = dst.chunks_exact_mut(16);
    let mut ss = src.chunks_exact(32);
    for (d, s) in (&mut ds).zip(&mut ss) {
        // whole u16 lanes first, then a truncation: this shape vectorises
        let w: [u16; 16] = core::array::from_fn(|i| unit::<LE>(&s[2 * i..2 * i + 2]));
        for (d, w) in d.iter_mut().zip(w) {
            *d = fold(w as u8);
        }
    }
    for (d, s) in ds
        .into_remainder()
        .iter_mut()
        .zip(ss.remainder().chunks_exact(2))
    {
        *d = fold(unit::<LE>(s) as u8);
    }
}

/// Whether the raw upper-case `ID` found at byte `at` of `buf` (text in `enc`) may be the id
/// word: `:` or a space-like character after it (`:`, space, TAB, or any non-ASCII one),
/// not the end of the text. (The word character before it is left to the matcher: where a
/// message starts depends on the record parser.)
pub(crate) fn id_word_at(buf: &[u8], enc: crate::text::TextEncoding, at: usize) -> bool {
    let next = at + 2 * enc.unit();
    next + enc.unit() <= buf.len() && matches!(enc.unit_at(buf, next), 0x3A | 0x20 | 0x09 | 0x80..)
}

/// What the first stage must find (built by the matcher from the catalog).
#[derive(Debug, Default)]
pub(crate) struct Needs {
    /// ASCII strings, each of whose occurrences (case-insensitive) must be found.
    pub literals: Vec<Vec<u8>>,
    /// Anchors of which an ASCII run must be found (text phrases, pattern anchors, names).
    pub covers: Vec<String>,
    /// `0x` followed by one of these pairs (lower-case hex digits).
    pub hex: Vec<[u8; 2]>,
    /// The upper-case word `ID`.
    pub id_word: bool,
}

/// A multiplicative hasher for the sampled 8-byte grams (keys are already well mixed by it).
#[derive(Default)]
struct GramHasher(u64);

impl Hasher for GramHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = mix(v);
    }
}

#[inline(always)]
fn mix(v: u64) -> u64 {
    v.wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// Per gram (pattern id): the (string, offset of the gram in it) pairs to check.
type Checks = Vec<Vec<(usize, usize)>>;

/// The compiled first stage.
#[derive(Debug, Clone)]
pub(crate) struct Prefilter {
    /// Teddy over the grams of the short strings (`None` without SSSE3/AVX2 or short strings).
    teddy: Option<Searcher>,
    /// Exact automaton over the same grams, when Teddy is not available.
    fallback: Option<AhoCorasick>,
    /// The short strings (folded).
    short: Vec<Vec<u8>>,
    checks: Checks,
    /// The windows of the long strings (folded).
    windows: Vec<[u8; WINDOW]>,
    /// Sampled gram -> (window, offset of the gram in it).
    samples: HashMap<u64, Vec<(usize, usize)>, BuildHasherDefault<GramHasher>>,
    /// Per slot `mix(gram) >> (64 - FILTER_BITS)` of the sampled grams: 0 (none), the tag of
    /// its grams ([`filter_tag`]) or [`MANY`]. The scan tests a slot for zero (one load), a
    /// non-zero slot then its tag, before the hash-map lookup.
    filter: Box<[u8; FILTER_SLOTS]>,
    hex: Vec<[u8; 2]>,
    zero_x: memmem::Finder<'static>,
    /// `ID` in UTF-8 / single-byte, UTF-16LE and UTF-16BE raw bytes.
    id: Option<[memmem::Finder<'static>; 3]>,
}

/// The cost of one more gram (a Teddy bucket shared with more patterns) in the units of
/// [`probability`]: tuned by measurement on generated errlogs.
const GRAM_PENALTY: f64 = 1e-5;

/// Rough probability of a folded byte in log text (for choosing rare grams and windows).
fn probability(b: u8) -> f64 {
    const LETTERS: [f64; 26] = [
        8.2, 1.5, 2.8, 4.3, 12.7, 2.2, 2.0, 6.1, 7.0, 0.15, 0.8, 4.0, 2.4, 6.7, 7.5, 1.9, 0.1, 6.0,
        6.3, 9.1, 2.8, 1.0, 2.4, 0.15, 2.0, 0.07,
    ];
    match b {
        b'a'..=b'z' => LETTERS[usize::from(b - b'a')] / 100.0 * 0.7,
        b' ' => 0.2,
        b'0'..=b'9' => 0.008,
        _ => 0.002,
    }
}

/// Choose grams so that every string contains one (greedy weighted set cover: the expected
/// frequency of the gram per string it newly covers), and assign each string to its gram.
fn grams(fps: &[Vec<u8>]) -> (Vec<Vec<u8>>, Checks) {
    let mut candidates: Vec<&[u8]> = fps.iter().flat_map(|f| f.windows(GRAM)).collect();
    candidates.sort();
    candidates.dedup();
    let cost = |g: &[u8]| g.iter().map(|&b| probability(b)).product::<f64>();
    let mut uncovered: Vec<usize> = (0..fps.len()).collect();
    let (mut chosen, mut checks): (Vec<Vec<u8>>, Checks) = (vec![], vec![]);
    while !uncovered.is_empty() {
        let best = candidates
            .iter()
            .map(|g| {
                let n = uncovered.iter().filter(|&&f| contains(&fps[f], g)).count();
                let c = cost(g) + GRAM_PENALTY + if is_common_gram(g) { 1.0 } else { 0.0 };
                (if n == 0 { f64::INFINITY } else { c / n as f64 }, *g)
            })
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .expect("every string has a gram")
            .1
            .to_vec();
        let mut assigned = Vec::new();
        uncovered.retain(|&f| match fps[f].windows(GRAM).position(|w| w == best) {
            Some(off) => {
                assigned.push((f, off));
                false
            }
            None => true,
        });
        chosen.push(best);
        checks.push(assigned);
    }
    (chosen, checks)
}

/// A gram inside a common word (Teddy would stop on it all the time).
fn is_common_gram(g: &[u8]) -> bool {
    COMMON
        .iter()
        .any(|w| w.len() >= GRAM && contains(w.as_bytes(), g))
}

/// Words too common in ordinary log lines to be good fingerprints (used only when a phrase
/// has nothing better).
const COMMON: &[&str] = &[
    "the",
    "and",
    "with",
    "for",
    "from",
    "this",
    "that",
    "not",
    "was",
    "has",
    "have",
    "are",
    "been",
    "could",
    "can",
    "cannot",
    "unable",
    "failed",
    "failure",
    "fail",
    "error",
    "errors",
    "operation",
    "file",
    "files",
    "backup",
    "backups",
    "service",
    "services",
    "server",
    "agent",
    "azure",
    "microsoft",
    "windows",
    "recovery",
    "job",
    "jobs",
    "data",
    "volume",
    "started",
    "start",
    "completed",
    "complete",
    "progress",
    "version",
    "provider",
    "entries",
    "processed",
    "seconds",
    "retries",
    "state",
    "update",
    "install",
    "connect",
    "connection",
    "des",
    "les",
    "pour",
    "pas",
    "une",
    "sur",
    "dans",
    "est",
    "sauvegarde",
    "serveur",
    "while",
    "during",
    "because",
    "following",
    "current",
    "status",
    "name",
    "time",
    "check",
    "progress",
    "transfer",
    "finished",
    "entries",
    "uploading",
    "returned",
    "using",
    "default",
    "found",
    "exception",
];

fn is_common(word: &[u8]) -> bool {
    word.len() < 4 || COMMON.iter().any(|c| c.as_bytes() == word)
}

fn folded(s: &[u8]) -> Vec<u8> {
    s.iter().map(|&b| fold(b)).collect()
}

/// The folded ASCII runs of an anchor (non-ASCII characters separate runs).
fn ascii_runs(anchor: &str) -> Vec<Vec<u8>> {
    anchor
        .split(|c: char| !c.is_ascii())
        .filter(|r| !r.is_empty())
        .map(|r| folded(r.as_bytes()))
        .collect()
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    needle.len() <= hay.len() && hay.windows(needle.len()).any(|w| w == needle)
}

/// The least common `WINDOW`-byte window of `s` (at least `WINDOW` bytes): fewest bytes in
/// common words, then the rarest bytes.
fn best_window(s: &[u8]) -> [u8; WINDOW] {
    // per byte: 1 when it belongs to a common word (or is a separator)
    let mut common = vec![1u32; s.len()];
    let mut i = 0;
    while i < s.len() {
        let n = s[i..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        if n > 0 && !is_common(&s[i..i + n]) {
            common[i..i + n].iter_mut().for_each(|c| *c = 0);
        }
        i += n.max(1);
    }
    let score = |k: usize| {
        let c: u32 = common[k..k + WINDOW].iter().sum();
        let p: f64 = s[k..k + WINDOW].iter().map(|&b| probability(b).ln()).sum();
        (c, p)
    };
    let k = (0..=s.len() - WINDOW)
        .min_by(|&a, &b| {
            let (ca, pa) = score(a);
            let (cb, pb) = score(b);
            ca.cmp(&cb).then(pa.total_cmp(&pb))
        })
        .expect("long enough");
    s[k..k + WINDOW].try_into().expect("WINDOW bytes")
}

impl Prefilter {
    /// `None` when the catalog needs a string with no ASCII run of at least four bytes (the
    /// scan then falls back to the full automaton over the raw bytes).
    pub(crate) fn new(needs: &Needs) -> Option<Prefilter> {
        let mut strings: Vec<Vec<u8>> = needs.literals.iter().map(|l| folded(l)).collect();
        for anchor in &needs.covers {
            strings.push(ascii_runs(anchor).into_iter().max_by_key(Vec::len)?);
        }
        let (mut short, mut windows) = (Vec::new(), Vec::new());
        for s in strings {
            match s.len() {
                0..GRAM => return None,
                GRAM..WINDOW => short.push(s),
                _ => windows.push(best_window(&s)),
            }
        }
        short.sort();
        short.dedup();
        windows.sort();
        windows.dedup();
        let (grams, checks) = grams(&short);
        let (teddy, fallback) = if grams.is_empty() {
            (None, None)
        } else {
            // equal-length distinct grams: at most one matches at a position, so iterating
            // leftmost matches from one past the last sees every occurrence
            let teddy = Config::new()
                .match_kind(aho_corasick::packed::MatchKind::LeftmostFirst)
                .heuristic_pattern_limits(false)
                .builder()
                .extend(&grams)
                .build();
            let fallback = AhoCorasickBuilder::new()
                .kind(Some(AhoCorasickKind::DFA))
                .match_kind(MatchKind::LeftmostFirst)
                .build(&grams)
                .ok()?;
            (teddy, Some(fallback))
        };
        let mut samples: HashMap<u64, Vec<(usize, usize)>, _> = HashMap::default();
        let mut filter = Box::new([0u8; FILTER_SLOTS]);
        for (w, win) in windows.iter().enumerate() {
            for off in 0..STRIDE {
                let g = gram_at(&win[off..off + Q]);
                samples.entry(g).or_default().push((w, off));
                let (slot, tag) = (&mut filter[filter_slot(g)], filter_tag(g));
                *slot = if *slot == 0 || *slot == tag {
                    tag
                } else {
                    MANY
                };
            }
        }
        let id = needs.id_word.then(|| {
            [
                memmem::Finder::new(b"ID").into_owned(),
                memmem::Finder::new(b"I\0D\0").into_owned(),
                memmem::Finder::new(b"\0I\0D").into_owned(),
            ]
        });
        Some(Prefilter {
            teddy,
            fallback,
            short,
            checks,
            windows,
            samples,
            filter,
            hex: needs.hex.iter().map(|h| [fold(h[0]), fold(h[1])]).collect(),
            zero_x: memmem::Finder::new(b"0x").into_owned(),
            id,
        })
    }

    /// The folded strings the first stage looks for (`ID` stands for the raw upper-case word,
    /// `0xhh` for the hex prefixes).
    pub(crate) fn fingerprints(&self) -> Vec<Vec<u8>> {
        let mut v: Vec<Vec<u8>> = self.id.iter().map(|_| b"ID".to_vec()).collect();
        v.extend(self.hex.iter().map(|h| [b"0x".as_slice(), h].concat()));
        v.extend(self.short.iter().cloned());
        v.extend(self.windows.iter().map(|w| w.to_vec()));
        v
    }

    /// The longest string found in the folded text (chunks overlap by one less).
    pub(crate) fn max_len(&self) -> usize {
        WINDOW
    }

    /// The finder of the raw upper-case `ID` for an encoding (`unit`: 1, or 2 for UTF-16),
    /// when the catalog has id forms.
    pub(crate) fn id_finder(&self, unit: usize, le: bool) -> Option<&memmem::Finder<'static>> {
        let id = self.id.as_ref()?;
        Some(match (unit, le) {
            (1, _) => &id[0],
            (_, true) => &id[1],
            _ => &id[2],
        })
    }

    /// Every occurrence of a folded string in `hay` (folded text): (start, end) pairs, in no
    /// particular order, appended to `out`.
    pub(crate) fn find_all(&self, hay: &[u8], out: &mut Vec<(usize, usize)>) {
        self.find_short(hay, out);
        for at in self.zero_x.find_iter(hay) {
            if let Some(pair) = hay.get(at + 2..at + 4) {
                if self.hex.iter().any(|h| h == pair) {
                    out.push((at, at + 4));
                }
            }
        }
        self.find_windows(hay, out);
    }

    fn find_short(&self, hay: &[u8], out: &mut Vec<(usize, usize)>) {
        let mut from = 0;
        while from < hay.len() {
            let m = match (&self.teddy, &self.fallback) {
                (Some(t), _) => t.find_in(hay, aho_corasick::Span::from(from..hay.len())),
                (None, Some(f)) => f.find(aho_corasick::Input::new(hay).range(from..)),
                (None, None) => None,
            };
            let Some(m) = m else { break };
            let at = m.start();
            from = at + 1;
            for &(f, off) in &self.checks[m.pattern().as_usize()] {
                let s = &self.short[f];
                let Some(start) = at.checked_sub(off) else {
                    continue;
                };
                if hay.get(start..start + s.len()) == Some(s.as_slice()) {
                    out.push((start, start + s.len()));
                    break;
                }
            }
        }
    }

    /// Sampled hashing: the `Q` bytes at every `STRIDE`-th offset, [`SAMPLES`] samples tested
    /// at once (one branch for all of them: they nearly always all miss).
    fn find_windows(&self, hay: &[u8], out: &mut Vec<(usize, usize)>) {
        if self.windows.is_empty() {
            return;
        }
        let filter: &[u8; FILTER_SLOTS] = &self.filter;
        let hit = |g: u64| {
            let slot = filter[filter_slot(g)];
            slot != 0 && (slot == MANY || slot == filter_tag(g))
        };
        let mut blocks = hay.chunks_exact(SAMPLES * STRIDE);
        let mut at = 0;
        for b in &mut blocks {
            let mut any = 0;
            for i in 0..SAMPLES {
                any |= filter[filter_slot(gram_at(&b[i * STRIDE..]))];
            }
            if any != 0 {
                self.check_samples(hay, at, out);
            }
            at += SAMPLES * STRIDE;
        }
        let mut chunks = blocks.remainder().chunks_exact(STRIDE);
        for c in &mut chunks {
            let g = gram_at(c);
            if hit(g) {
                self.check_window(hay, at, g, out);
            }
            at += STRIDE;
        }
        let rest = chunks.remainder();
        if rest.len() >= Q {
            self.check_window(hay, at, gram_at(rest), out);
        }
    }

    /// Some filter slot of the [`SAMPLES`] samples from `at` is not empty: test each by its
    /// tag, then against its windows (out of line: nothing stays live across the scan loop).
    #[inline(never)]
    fn check_samples(&self, hay: &[u8], at: usize, out: &mut Vec<(usize, usize)>) {
        for i in 0..SAMPLES {
            let g = gram_at(&hay[at + i * STRIDE..]);
            let slot = self.filter[filter_slot(g)];
            if slot != 0 && (slot == MANY || slot == filter_tag(g)) {
                self.check_window(hay, at + i * STRIDE, g, out);
            }
        }
    }

    /// A sampled gram passed the filter: is it in a whole window?
    #[inline(never)]
    fn check_window(&self, hay: &[u8], at: usize, g: u64, out: &mut Vec<(usize, usize)>) {
        for &(w, off) in self.samples.get(&g).into_iter().flatten() {
            if let Some(start) = at.checked_sub(off) {
                if hay.get(start..start + WINDOW) == Some(self.windows[w].as_slice()) {
                    out.push((start, start + WINDOW));
                    return;
                }
            }
        }
    }
}

#[inline(always)]
fn gram_at(b: &[u8]) -> u64 {
    u64::from_le_bytes(b[..Q].try_into().expect("Q bytes"))
}

#[inline(always)]
fn filter_slot(g: u64) -> usize {
    (mix(g) >> (64 - FILTER_BITS)) as usize
}

/// The tag of a sampled gram in its filter slot: 8 more bits of its hash, never 0 or
/// [`MANY`].
#[inline(always)]
fn filter_tag(g: u64) -> u8 {
    (mix(g) >> (56 - FILTER_BITS)) as u8 | 0x80
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_is_case_insensitive() {
        assert_eq!(folded(b"HResult: 0X8007(407)"), b"hresult\x3a 0x8007(407)");
        for b in 0..=255u8 {
            if b.is_ascii_alphabetic() {
                assert_eq!(fold(b), fold(b ^ 0x20));
            }
        }
        let text: Vec<u16> = "Invalid VAULT credentials: ID 0x1F\u{e9}\u{2019}"
            .encode_utf16()
            .collect();
        for n in [0, 1, 15, 16, 17, 31, 33, text.len()] {
            let t = &text[..n.min(text.len())];
            let le: Vec<u8> = t.iter().flat_map(|u| u.to_le_bytes()).collect();
            let be: Vec<u8> = t.iter().flat_map(|u| u.to_be_bytes()).collect();
            let want: Vec<u8> = t.iter().map(|&u| fold(u as u8)).collect();
            let mut got = vec![0; t.len()];
            fold_utf16::<true>(&le, &mut got);
            assert_eq!(got, want);
            fold_utf16::<false>(&be, &mut got);
            assert_eq!(got, want);
        }
    }

    #[test]
    fn every_string_is_found_at_every_offset() {
        let needs = Needs {
            literals: vec![b"error 3".to_vec(), b"HResult:".to_vec()],
            covers: vec![
                "Invalid vault credentials provided".to_string(),
                "a pas réussi. Échec de l".to_string(),
            ],
            hex: vec![*b"1f"],
            id_word: true,
        };
        let pf = Prefilter::new(&needs).unwrap();
        for needle in [
            "ERROR 3",
            "hresult:",
            "INVALID VAULT CREDENTIALS PROVIDED",
            "\u{c9}CHEC DE L",
            "0X1F",
        ] {
            for pad in 0..40 {
                let text = format!("{}{needle}{}", "x".repeat(pad), "y".repeat(pad % 7));
                let hay = folded(text.as_bytes());
                let mut out = Vec::new();
                pf.find_all(&hay, &mut out);
                assert!(
                    out.iter()
                        .any(|&(s, e)| s >= pad && e <= pad + needle.len()),
                    "{needle} {pad}"
                );
            }
        }
        assert!(Prefilter::new(&Needs {
            covers: vec!["éèà".to_string()],
            ..Needs::default()
        })
        .is_none());
    }
    #[test]
    fn every_catalog_window_is_found_across_sample_blocks() {
        // hay long enough for several blocks of SAMPLES samples plus a remainder, every
        // window of the catalog at every offset of two blocks (slots shared by grams with
        // different tags, MANY, included: the catalog has some)
        let c = crate::classify::Classifier::new();
        let pf = c.matcher.prefilter.as_ref().expect("catalog prefilter");
        let many = pf.filter.iter().filter(|&&s| s == MANY).count();
        assert!(
            pf.windows.len() > 100 && many > 0,
            "{} windows, {many}",
            pf.windows.len()
        );
        for w in &pf.windows {
            for pad in 0..2 * SAMPLES * STRIDE {
                let mut hay = vec![b'~'; pad];
                hay.extend_from_slice(w);
                hay.resize(hay.len() + 3 * SAMPLES * STRIDE + pad % 11, b'~');
                let mut out = Vec::new();
                pf.find_windows(&hay, &mut out);
                assert!(out.contains(&(pad, pad + WINDOW)), "{w:?} at {pad}");
            }
        }
    }
}
