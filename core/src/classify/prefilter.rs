//! The SIMD first stage of the triage pass: a few **fingerprints** searched with Teddy over a
//! folded copy of the input.
//!
//! The full anchor automaton (`matcher`) is a byte-at-a-time DFA over ~300 case-insensitive
//! literals: exact, but ~0.6 GB/s. This stage only has to say *where a line might match*:
//!
//! * The input is folded chunk-wise into a small scratch buffer by [`fold`]: ASCII letters to
//!   lower case, digits and `(` `)` kept, every other byte to a space. UTF-16 input is first
//!   narrowed (one byte per code unit; non-Latin-1 units become a non-word byte), so one set
//!   of fingerprints serves UTF-8, Windows-1252, UTF-16LE and UTF-16BE, and UTF-16 hits are
//!   always unit-aligned.
//! * Every way the matcher can recognise something implies a fingerprint in the folded text
//!   (the fold is case-insensitive, so no case variants are needed):
//!   - `ID` (a word, followed by `:`/spaces): ` id `, `(id `, `)id ` (the byte before `ID` is
//!     a non-word byte or the start of the input, the one after a space-like byte or `:`);
//!   - `error n` / `erreur n`: `error d`, `erreur d` for every first digit `d` a catalog id or
//!     Winsock code can be written with (0 included: `Error 034506.` is 34506);
//!   - `0x…`: `0x` and the first two hex digits of every catalog HRESULT and id hex alias
//!     (leading zeros included);
//!   - `HResult:`: `hresult `; HTTP statuses: `(407)`; names: the folded name;
//!   - text phrases and pattern anchors: a greedy set cover of their words (every phrase's
//!     anchor contains a chosen word), preferring words that cover many phrases and are not
//!     common log words.
//!
//!   The fingerprints are ASCII, so they are the same bytes in every encoding; a fingerprint
//!   that contains another is dropped (the set is then prefix-free, which the search relies
//!   on to see every occurrence).
//! * A fingerprint hit is only a candidate line; the scan then checks that line with the
//!   full matcher before any record parsing.

use aho_corasick::packed::{Config, Searcher};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

/// Byte that stands for every code unit outside Latin-1 once UTF-16 is narrowed (folds to a
/// space, like every non-word byte).
const NON_LATIN1: u8 = 0x80;

/// Fingerprints longer than this are cut to a prefix (still a necessary condition).
const MAX_FINGERPRINT: usize = 16;

/// The fold: ASCII letters to lower case; digits, `(` and `)` unchanged; anything else to a
/// space. Case-insensitive by construction: `fold(b) == fold(b ^ 0x20)` for letters.
#[inline(always)]
pub(crate) fn fold(b: u8) -> u8 {
    let lower = b | 0x20;
    if lower.wrapping_sub(b'a') < 26 {
        lower
    } else if b.wrapping_sub(b'0') < 10 || b == b'(' || b == b')' {
        b
    } else {
        b' '
    }
}

/// Fold `src` (UTF-8 or single-byte text) onto the end of `dst`.
pub(crate) fn fold_bytes(src: &[u8], dst: &mut Vec<u8>) {
    let at = dst.len();
    dst.resize(at + src.len(), 0);
    for (d, &s) in dst[at..].iter_mut().zip(src) {
        *d = fold(s);
    }
}

/// Narrow UTF-16 (`le`: little-endian) to one byte per unit and fold it onto the end of `dst`.
/// A trailing odd byte is ignored.
pub(crate) fn fold_utf16(src: &[u8], le: bool, dst: &mut Vec<u8>) {
    let at = dst.len();
    let n = src.len() / 2;
    dst.resize(at + n, 0);
    let (lo_at, hi_at) = if le { (0, 1) } else { (1, 0) };
    for (d, unit) in dst[at..].iter_mut().zip(src.chunks_exact(2)) {
        let (lo, hi) = (unit[lo_at], unit[hi_at]);
        *d = fold(if hi == 0 { lo } else { NON_LATIN1 });
    }
}

/// What the first stage must find (built by the matcher from the catalog).
#[derive(Debug, Default)]
pub(crate) struct Needs {
    /// Literal fingerprints, before folding.
    pub fixed: Vec<Vec<u8>>,
    /// Fixed fingerprints that stand for the upper-case word `ID` only.
    pub id_words: Vec<Vec<u8>>,
    /// Anchors of which at least one word must be chosen (text phrases, pattern anchors).
    pub covers: Vec<String>,
}

/// The compiled first stage.
#[derive(Debug, Clone)]
pub(crate) struct Prefilter {
    /// Teddy over the grams (`None` when this CPU has no SSSE3/AVX2).
    teddy: Option<Searcher>,
    /// Exact automaton over the same grams, when Teddy is not available.
    fallback: AhoCorasick,
    fingerprints: Vec<Vec<u8>>,
    /// Per gram (pattern id): the fingerprints assigned to it, and where the gram sits in them.
    checks: Checks,
    /// Fingerprints that stand for `ID` only.
    id_words: Vec<usize>,
    max_len: usize,
}

/// Length of a gram: the searched unit of the first stage (Teddy's mask length).
const GRAM: usize = 4;

/// A fingerprint occurrence in folded text.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Candidate {
    pub start: usize,
    pub end: usize,
    /// Where the search goes on (just after the gram that led here).
    pub next: usize,
    /// The fingerprint stands for `ID`, which must be upper case in the input: the byte
    /// after `start` is the `I`.
    pub id_word: bool,
}

/// The cost of one more gram (a Teddy bucket shared with more patterns) in the units of
/// [`probability`]: tuned by measurement on generated errlogs.
const GRAM_PENALTY: f64 = 1e-5;

/// Rough probability of a folded byte in log text (for choosing rare grams).
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

/// Choose grams so that every fingerprint contains one (greedy weighted set cover: the
/// expected frequency of the gram per fingerprint it newly covers), and assign each
/// fingerprint to its gram: (grams, per gram the (fingerprint, offset) pairs).
/// Per gram: the (fingerprint, offset of the gram in it) pairs to check.
type Checks = Vec<Vec<(usize, usize)>>;

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
                let c = cost(g) + GRAM_PENALTY;
                (if n == 0 { f64::INFINITY } else { c / n as f64 }, *g)
            })
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .expect("every fingerprint has a gram")
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

/// Rough commonness of a word's first bytes in log text (lower is rarer): Teddy only
/// fingerprints the first four bytes.
fn commonness(w: &[u8]) -> u32 {
    const FREQUENT: &[u8] = b" etaoinsrhldcu";
    w.iter()
        .take(4)
        .map(|b| {
            FREQUENT
                .iter()
                .position(|f| f == b)
                .map_or(0, |p| 14 - p as u32)
        })
        .sum()
}

/// Choose words so that every anchor contains at least one: greedy set cover. `None` when an
/// anchor has no ASCII text at all (then there is no encoding-independent fingerprint).
fn cover(anchors: &[String]) -> Option<Vec<Vec<u8>>> {
    let runs: Vec<Vec<Vec<u8>>> = anchors.iter().map(|a| ascii_runs(a)).collect();
    let cut = |w: &[u8]| w[..w.len().min(MAX_FINGERPRINT)].to_vec();
    // candidates: words of 4+ bytes, and pairs of adjacent words (for phrases made of
    // common words only), with a weight
    let mut candidates: Vec<(u64, Vec<u8>)> = Vec::new();
    for rs in &runs {
        let before = candidates.len();
        for r in rs {
            let words: Vec<&[u8]> = r.split(|&b| b == b' ').filter(|w| !w.is_empty()).collect();
            for (k, w) in words.iter().enumerate() {
                let common = is_common(w);
                let weight = match w.len() {
                    0..=3 => 0,
                    _ if common => 1,
                    4 => 12,
                    _ => 20,
                };
                if weight > 0 {
                    candidates.push((weight, cut(w)));
                }
                if let Some(next) = words.get(k + 1) {
                    let pair = [*w, b" ", next].concat();
                    // a pair of adjacent words is a substring only when one space separates them
                    if contains(r, &pair) && pair.len() >= 6 {
                        let weight = if common && is_common(next) { 2 } else { 6 };
                        candidates.push((weight, cut(&pair)));
                    }
                }
            }
        }
        if candidates.len() == before {
            // no word of 4 bytes: the longest run as a whole, trimmed
            let t = rs.iter().max_by_key(|r| r.len())?.as_slice();
            let start = t.iter().position(|&b| b != b' ')?;
            let end = t.iter().rposition(|&b| b != b' ')? + 1;
            candidates.push((1, cut(&t[start..end])));
        }
    }
    candidates.sort();
    candidates.dedup();
    let covers = |c: &[u8], a: usize| runs[a].iter().any(|r| contains(r, c));
    let mut uncovered: Vec<usize> = (0..anchors.len()).collect();
    let mut chosen = Vec::new();
    while !uncovered.is_empty() {
        let best = candidates
            .iter()
            .map(|(weight, c)| {
                let n = uncovered.iter().filter(|&&a| covers(c, a)).count() as u64;
                (n * weight, c.len(), u32::MAX - commonness(c), c)
            })
            .filter(|x| x.0 > 0)
            .max()?
            .3
            .clone();
        uncovered.retain(|&a| !covers(&best, a));
        chosen.push(best);
    }
    Some(chosen)
}

impl Prefilter {
    /// `None` when the catalog has an anchor with no ASCII fingerprint (the scan then falls
    /// back to the full automaton over the raw bytes).
    pub(crate) fn new(needs: &Needs) -> Option<Prefilter> {
        let mut fps: Vec<Vec<u8>> = needs
            .fixed
            .iter()
            .map(|f| folded(&f[..f.len().min(MAX_FINGERPRINT)]))
            .collect();
        fps.extend(cover(&needs.covers)?);
        if fps
            .iter()
            .any(|f| f.is_empty() || f.iter().all(|&b| b == b' '))
        {
            return None;
        }
        fps.sort();
        fps.dedup();
        // drop every fingerprint that contains another one: same recall, prefix-free set
        let all = fps.clone();
        fps.retain(|f| !all.iter().any(|g| g != f && contains(f, g)));
        if fps.iter().any(|f| f.len() < GRAM) {
            return None;
        }
        let (grams, checks) = grams(&fps);
        let id_words: Vec<Vec<u8>> = needs.id_words.iter().map(|f| folded(f)).collect();
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
        let max_len = fps.iter().map(Vec::len).max().unwrap_or(1);
        Some(Prefilter {
            teddy,
            fallback,
            id_words: (0..fps.len())
                .filter(|&f| id_words.contains(&fps[f]))
                .collect(),
            fingerprints: fps,
            checks,
            max_len,
        })
    }

    /// The folded fingerprints.
    pub(crate) fn fingerprints(&self) -> &[Vec<u8>] {
        &self.fingerprints
    }

    /// The longest fingerprint (chunks overlap by one less).
    pub(crate) fn max_len(&self) -> usize {
        self.max_len
    }

    /// The next fingerprint occurrence in `hay` whose gram starts at or after `from`
    /// (occurrences that do not fit in `hay` are left to the next, overlapping chunk).
    #[inline]
    pub(crate) fn find(&self, hay: &[u8], mut from: usize) -> Option<Candidate> {
        while from < hay.len() {
            let m = match &self.teddy {
                Some(t) => t.find_in(hay, aho_corasick::Span::from(from..hay.len())),
                None => self
                    .fallback
                    .find(aho_corasick::Input::new(hay).range(from..)),
            }?;
            let at = m.start();
            from = at + 1;
            for &(f, off) in &self.checks[m.pattern().as_usize()] {
                let fp = &self.fingerprints[f];
                let Some(start) = at.checked_sub(off) else {
                    continue;
                };
                if hay.get(start..start + fp.len()) == Some(fp.as_slice()) {
                    return Some(Candidate {
                        start,
                        end: start + fp.len(),
                        next: from,
                        id_word: self.id_words.contains(&f),
                    });
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_is_case_insensitive_and_keeps_only_words_and_parens() {
        assert_eq!(
            folded(b"HResult: 0x8007(407)\t\xC2\xA0_x"),
            b"hresult  0x8007(407)    x"
        );
        for b in 0..=255u8 {
            if b.is_ascii_alphabetic() {
                assert_eq!(fold(b), fold(b ^ 0x20));
            }
        }
        let mut v = Vec::new();
        fold_utf16(&[b'I', 0, b'D', 0, 0x2F, 0x20, b':', 0, b'x'], true, &mut v);
        assert_eq!(v, b"id  ");
        v.clear();
        fold_utf16(&[0, b'I', 0, b'D', 0x20, 0x2F], false, &mut v);
        assert_eq!(v, b"id ");
    }

    #[test]
    fn cover_picks_one_word_per_phrase() {
        let a = vec![
            "Invalid vault credentials provided".to_string(),
            "Vault credentials file provided has expired".to_string(),
            "a pas réussi. Échec de l".to_string(),
        ];
        let c = cover(&a).unwrap();
        for x in &a {
            let runs = ascii_runs(x);
            assert!(c.iter().any(|w| runs.iter().any(|r| contains(r, w))), "{x}");
        }
        assert!(c.len() <= 2, "{c:?}");
        assert!(cover(&["éèà".to_string()]).is_none());
    }
}
