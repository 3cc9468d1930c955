//! The documented-error catalog: data loaded from TOML, validated, with stable ids.
//!
//! The embedded catalog is `core/catalog/mars.toml` (see its README for the schema and the
//! provenance rules). Users add their own files with the same schema; an entry's `id` must
//! be unique across all loaded files. Every load error names the file, the 1-based line and
//! the field at fault.

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind, Result};

/// The catalog compiled into the library.
pub const EMBEDDED: &str = include_str!("../../catalog/mars.toml");

/// Name used for the embedded catalog in error messages.
pub const EMBEDDED_NAME: &str = "<embedded>/core/catalog/mars.toml";

/// Categories an entry may have.
pub const CATEGORIES: &[&str] = &[
    "registration",
    "connectivity",
    "encryption",
    "backup-job",
    "scheduling",
    "scratch",
    "engine",
    "system-state",
    "offline-seeding",
    "restore",
    "installation",
    "service",
];

/// How serious a documented error is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Informational (a job started or completed).
    Info,
    /// Something to look at.
    Warning,
    /// A failure.
    Error,
}

/// Language of the texts shown to the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// French.
    Fr,
}

/// Title, message, causes and actions in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Texts {
    /// Short title.
    pub title: String,
    /// The documented message, verbatim ("" when the error has none).
    pub message: String,
    /// Possible causes.
    pub causes: Vec<String>,
    /// Recommended actions.
    pub actions: Vec<String>,
}

/// Where an entry is documented.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceDoc {
    /// The document (`seed-mars-troubleshoot-fr.md`, `mars-error-catalog.md`, or a user's).
    pub doc: String,
    /// Section in that document.
    #[serde(default)]
    pub section: Option<String>,
    /// Source tags (see `mars-error-catalog.md` §0).
    #[serde(default)]
    pub refs: Vec<String>,
    /// Public URL, when known.
    #[serde(default)]
    pub url: Option<String>,
}

/// A symptom pattern: a literal that must be present, then a regex verified on the text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pattern {
    /// Literal substring (case-insensitive) used by the prefilter.
    pub anchor: String,
    /// Rust regex, matched case-insensitively.
    pub regex: String,
}

/// A Windows event rule: every given condition must hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct EventRule {
    /// System/Channel, case-insensitive.
    #[serde(default)]
    pub channel: Option<String>,
    /// System/Provider/@Name, case-insensitive.
    #[serde(default)]
    pub provider: Option<String>,
    /// Event ids (any of).
    #[serde(default)]
    pub event_ids: Vec<u32>,
    /// Strings that must each occur (case-insensitive) in some EventData/UserData value.
    #[serde(default)]
    pub data: Vec<String>,
}

/// One documented error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Stable, unique, kebab-case id.
    pub id: String,
    /// One of [`CATEGORIES`].
    pub category: String,
    /// How serious it is.
    pub severity: Level,
    /// Decimal MARS/DPM error ids (their hex forms are derived).
    #[serde(default)]
    pub ids: Vec<u32>,
    /// HRESULTs, `0x` + 8 upper-case hex digits.
    #[serde(default)]
    pub hresults: Vec<String>,
    /// HTTP status codes.
    #[serde(default)]
    pub http: Vec<u16>,
    /// Winsock error numbers.
    #[serde(default)]
    pub winsock: Vec<u32>,
    /// Symbolic names matched as whole words.
    #[serde(default)]
    pub names: Vec<String>,
    /// Literal message phrases (normalised quotes), case-insensitive.
    #[serde(default)]
    pub texts: Vec<String>,
    /// Symptom patterns.
    #[serde(default)]
    pub patterns: Vec<Pattern>,
    /// Example messages that must classify to this entry.
    #[serde(default)]
    pub examples: Vec<String>,
    /// Section (1–7) of the French seed guide, when it is one of them.
    #[serde(default)]
    pub seed_section: Option<u8>,
    /// Related entry ids.
    #[serde(default)]
    pub related: Vec<String>,
    /// English texts.
    pub en: Texts,
    /// French texts (empty where no French source exists).
    #[serde(default)]
    pub fr: Texts,
    /// Where it is documented.
    pub source: SourceDoc,
    /// Windows event rules.
    #[serde(default)]
    pub events: Vec<EventRule>,
    /// Which loaded file the entry comes from (set by the loader).
    #[serde(skip_deserializing, default)]
    pub origin: String,
}

impl Entry {
    /// The texts in `lang`, falling back to English field by field where French is empty.
    pub fn texts(&self, lang: Lang) -> Texts {
        match lang {
            Lang::En => self.en.clone(),
            Lang::Fr => {
                let pick = |fr: &String, en: &String| {
                    if fr.is_empty() {
                        en.clone()
                    } else {
                        fr.clone()
                    }
                };
                let pick_list = |fr: &Vec<String>, en: &Vec<String>| {
                    if fr.is_empty() {
                        en.clone()
                    } else {
                        fr.clone()
                    }
                };
                Texts {
                    title: pick(&self.fr.title, &self.en.title),
                    message: pick(&self.fr.message, &self.en.message),
                    causes: pick_list(&self.fr.causes, &self.en.causes),
                    actions: pick_list(&self.fr.actions, &self.en.actions),
                }
            }
        }
    }

    /// Every code and alias of the entry, as strings: decimal ids, their hex forms,
    /// HRESULTs, HTTP statuses, Winsock numbers and symbolic names.
    pub fn codes(&self) -> Vec<String> {
        let mut out = Vec::new();
        for &id in &self.ids {
            out.push(id.to_string());
            if id_has_hex_alias(id) {
                out.push(format!("0x{id:X}"));
            }
        }
        out.extend(self.hresults.iter().cloned());
        out.extend(self.http.iter().map(|h| h.to_string()));
        out.extend(self.winsock.iter().map(|w| w.to_string()));
        out.extend(self.names.iter().cloned());
        out
    }
}

/// True when the hex form of a decimal id is a documented alias (`[0x1FC07]` = 130055):
/// ids between 0x86C4 (34500) and 0x4FFFF.
pub fn id_has_hex_alias(id: u32) -> bool {
    (0x86C4..=0x4FFFF).contains(&id)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: u32,
    #[serde(default, rename = "entry")]
    entries: Vec<toml::Spanned<Entry>>,
}

/// The loaded catalog: entries in file order (embedded first, then users' files).
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    entries: Vec<Entry>,
}

fn line_of(text: &str, byte: usize) -> usize {
    text.as_bytes()[..byte.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

fn catalog_error(origin: &str, line: usize, field: &str, message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Catalog {
        line,
        field: field.to_string(),
        message: message.into(),
    })
    .with_path(origin)
}

impl Catalog {
    /// The embedded catalog.
    pub fn embedded() -> Catalog {
        let mut c = Catalog::default();
        c.add_toml(EMBEDDED, EMBEDDED_NAME)
            .expect("the embedded catalog is validated by tests");
        c
    }

    /// Load a user catalog file on top of this one.
    pub fn add_file(&mut self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| Error::from(e).with_path(path))?;
        self.add_toml(&text, &path.display().to_string())
    }

    /// Load catalog TOML text (named `origin` in errors) on top of this one.
    pub fn add_toml(&mut self, text: &str, origin: &str) -> Result<()> {
        let file: File = toml::from_str(text).map_err(|e| {
            let line = e.span().map_or(0, |s| line_of(text, s.start));
            let msg = e.message().to_string();
            let field = msg
                .split('`')
                .nth(1)
                .filter(|_| msg.contains("field"))
                .unwrap_or("-")
                .to_string();
            catalog_error(origin, line, &field, msg)
        })?;
        if file.version != 1 {
            return Err(catalog_error(
                origin,
                line_of(text, 0),
                "version",
                "unsupported catalog version (expected 1)",
            ));
        }
        let mut seen: HashSet<String> = self.entries.iter().map(|e| e.id.clone()).collect();
        let mut added = Vec::new();
        for spanned in file.entries {
            let line = line_of(text, spanned.span().start);
            let mut entry = spanned.into_inner();
            entry.origin = origin.to_string();
            validate(&entry).map_err(|(field, msg)| {
                catalog_error(origin, line, &format!("entry.{field}"), msg)
            })?;
            if !seen.insert(entry.id.clone()) {
                return Err(catalog_error(
                    origin,
                    line,
                    "entry.id",
                    format!("duplicate id {:?}", entry.id),
                ));
            }
            added.push(entry);
        }
        let known: HashSet<&str> = self
            .entries
            .iter()
            .chain(&added)
            .map(|e| e.id.as_str())
            .collect();
        for e in &added {
            if let Some(r) = e.related.iter().find(|r| !known.contains(r.as_str())) {
                return Err(catalog_error(
                    origin,
                    0,
                    "entry.related",
                    format!("{}: unknown related id {r:?}", e.id),
                ));
            }
        }
        self.entries.extend(added);
        Ok(())
    }

    /// All entries.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The entry with this stable id.
    pub fn get(&self, id: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.id == id)
    }

    /// Entries that have `code` among their codes and aliases: a stable id, a decimal id
    /// (`34513`), a hex alias (`0x1FC07`, `[0x1FC07]`), an HRESULT (`0x80780054`, any case),
    /// an HTTP status (`407`), a Winsock number or a symbolic name (`SalLowDiskSpace`).
    pub fn lookup(&self, code: &str) -> Vec<&Entry> {
        let c = code
            .trim()
            .trim_start_matches(['[', '('])
            .trim_end_matches([']', ')']);
        if let Some(e) = self.get(c) {
            return vec![e];
        }
        let hex = c
            .strip_prefix("0x")
            .or_else(|| c.strip_prefix("0X"))
            .and_then(|h| u32::from_str_radix(h, 16).ok());
        let dec = c.parse::<u32>().ok();
        self.entries
            .iter()
            .filter(|e| {
                let by_id = |n: u32| e.ids.contains(&n);
                dec.is_some_and(|n| {
                    by_id(n)
                        || e.winsock.contains(&n)
                        || u16::try_from(n).is_ok_and(|h| e.http.contains(&h))
                }) || hex.is_some_and(|n| {
                    (id_has_hex_alias(n) && by_id(n))
                        || e.hresults
                            .iter()
                            .any(|h| u32::from_str_radix(&h[2..], 16).ok() == Some(n))
                }) || e.names.iter().any(|n| n.eq_ignore_ascii_case(c))
            })
            .collect()
    }
}

fn is_kebab(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

fn validate(e: &Entry) -> std::result::Result<(), (&'static str, String)> {
    if !is_kebab(&e.id) {
        return Err(("id", format!("{:?} is not lower-kebab-case", e.id)));
    }
    if !CATEGORIES.contains(&e.category.as_str()) {
        return Err((
            "category",
            format!("{:?} is not one of {CATEGORIES:?}", e.category),
        ));
    }
    if e.en.title.trim().is_empty() {
        return Err(("en.title", "must not be empty".into()));
    }
    if e.en.causes.is_empty() || e.en.actions.is_empty() {
        return Err((
            "en.causes",
            "at least one cause and one action are required".into(),
        ));
    }
    if e.ids.is_empty()
        && e.hresults.is_empty()
        && e.http.is_empty()
        && e.winsock.is_empty()
        && e.names.is_empty()
        && e.texts.is_empty()
        && e.patterns.is_empty()
        && e.events.is_empty()
    {
        return Err((
            "ids",
            "the entry has nothing to recognise it by (ids, texts, patterns or events)".into(),
        ));
    }
    if let Some(h) = e.hresults.iter().find(|h| {
        !(h.len() == 10
            && h.starts_with("0x")
            && h[2..]
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b)))
    }) {
        return Err((
            "hresults",
            format!("{h:?} is not 0x + 8 upper-case hex digits"),
        ));
    }
    if let Some(t) = e.texts.iter().find(|t| t.trim().chars().count() < 12) {
        return Err((
            "texts",
            format!("{t:?} is too short to match reliably (< 12 characters)"),
        ));
    }
    for p in &e.patterns {
        if p.anchor.trim().len() < 4 {
            return Err((
                "patterns.anchor",
                format!("{:?} is too short (< 4 bytes)", p.anchor),
            ));
        }
        if let Err(err) = regex::RegexBuilder::new(&p.regex)
            .case_insensitive(true)
            .build()
        {
            return Err(("patterns.regex", format!("{:?}: {err}", p.regex)));
        }
    }
    if let Some(s) = e.seed_section.filter(|s| !(1..=7).contains(s)) {
        return Err(("seed_section", format!("{s} is not in 1..=7")));
    }
    Ok(())
}
