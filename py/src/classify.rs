//! The classifier in Python: `Classifier`, `Match`, `CatalogEntry`, `DocSource`.
//!
//! Invariants:
//! * A compiled classifier is shared (`Arc`), never recompiled per call: the embedded
//!   catalog's is compiled once per process ([`load`] with no files), a `Classifier`
//!   object keeps its own, and a `Report` keeps the one that produced it (for titles and
//!   summaries).
//! * Catalog files are read and compiled with the GIL released; a bad file raises
//!   `CatalogError` with `.path` and `.line` (the message names the field).
//! * Spans cross into Python as `str` indices (code points), not the core's UTF-8 byte
//!   offsets.
//! * Texts are in the chosen language, falling back to English field by field where the
//!   catalog has no French (the core's `Entry::texts`).

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use pyo3::exceptions::{PyKeyError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyInt, PyString, PyTuple};

use marslog::classify::{Catalog, Classifier, Entry, Lang, Level};

use crate::convert::{helper, one_or_many};
use crate::errors::Error;
use crate::gil;
use crate::records::py_repr;
use crate::report::{self, PyReport};
use crate::scan::{self, ScanOptions};

/// The embedded catalog's classifier, compiled on first use.
pub fn embedded() -> Arc<Classifier> {
    static EMBEDDED: OnceLock<Arc<Classifier>> = OnceLock::new();
    Arc::clone(EMBEDDED.get_or_init(|| Arc::new(Classifier::new())))
}

/// The embedded catalog plus `files` (call detached: reads and compiles).
pub fn load(files: &[PathBuf]) -> Result<Arc<Classifier>, Error> {
    if files.is_empty() {
        return Ok(embedded());
    }
    Ok(Arc::new(Classifier::with_files(files)?))
}

/// `catalog=`: None, one path, or an iterable of paths.
pub fn catalog_files(catalog: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<PathBuf>> {
    match catalog {
        None => Ok(Vec::new()),
        Some(c) if c.is_none() => Ok(Vec::new()),
        Some(c) => one_or_many(c, |o| o.extract::<PathBuf>()),
    }
}

/// `lang=`: `"en"` or `"fr"`.
pub fn parse_lang(lang: &str) -> PyResult<Lang> {
    match lang {
        "en" => Ok(Lang::En),
        "fr" => Ok(Lang::Fr),
        other => Err(PyValueError::new_err(format!(
            "lang must be 'en' or 'fr', not {}",
            py_repr(other)
        ))),
    }
}

/// The language's code.
pub fn lang_code(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "en",
        Lang::Fr => "fr",
    }
}

/// `"error"`, `"warning"` or `"info"`.
pub fn level_name(level: Level) -> &'static str {
    match level {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Info => "info",
    }
}

/// Byte offset `byte` of `text` as a Python `str` index.
fn char_index(text: &str, byte: usize) -> usize {
    text.get(..byte).map_or(0, |s| s.chars().count())
}

fn tuple<'py>(py: Python<'py>, items: &[String]) -> PyResult<Bound<'py, PyTuple>> {
    PyTuple::new(py, items)
}

/// Where a catalog entry is documented.
///
/// >>> src = marslog.explain(34513)[0].source
/// >>> src.doc, src.section
/// ('seed-mars-troubleshoot-fr.md', 'A1')
/// >>> src.url.startswith("https://learn.microsoft.com/azure/backup/")
/// True
#[pyclass(name = "DocSource", module = "marslog._native", frozen, eq)]
#[derive(Debug, Clone, PartialEq)]
pub struct PyDocSource {
    /// The document (`seed-mars-troubleshoot-fr.md`, `mars-error-catalog.md`, or a user's).
    #[pyo3(get)]
    pub doc: String,
    /// The section in that document, or None.
    #[pyo3(get)]
    pub section: Option<String>,
    refs: Vec<String>,
    /// A public URL, or None.
    #[pyo3(get)]
    pub url: Option<String>,
}

impl From<&marslog::classify::catalog::SourceDoc> for PyDocSource {
    fn from(s: &marslog::classify::catalog::SourceDoc) -> Self {
        PyDocSource {
            doc: s.doc.clone(),
            section: s.section.clone(),
            refs: s.refs.clone(),
            url: s.url.clone(),
        }
    }
}

#[pymethods]
impl PyDocSource {
    /// Source tags (see the catalog's README), as a tuple.
    #[getter]
    fn refs<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        tuple(py, &self.refs)
    }

    /// As a dict (`doc`, `section`, `refs` as a list, `url`).
    pub fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("doc", &self.doc)?;
        d.set_item("section", &self.section)?;
        d.set_item("refs", &self.refs)?;
        d.set_item("url", &self.url)?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        format!(
            "DocSource(doc={}, section={})",
            py_repr(&self.doc),
            self.section
                .as_deref()
                .map_or_else(|| "None".to_owned(), py_repr)
        )
    }
}

/// One documented MARS error of the catalog, with its texts in one language.
///
/// `title`, `message`, `causes` and `actions` are in `lang`; where the catalog has no
/// French text, the English one is given. Sequences are tuples.
///
/// >>> e = marslog.explain("0x1FC07")[0]
/// >>> e.id, e.category, e.level
/// ('activation-internal-error', 'encryption', 'error')
/// >>> e.codes
/// ('130055', '0x1FC07')
/// >>> marslog.explain(34506, lang="fr")[0].title[:30]
/// 'Erreur 34506. La phrase secrèt'
#[pyclass(name = "CatalogEntry", module = "marslog._native", frozen, eq)]
#[derive(Debug, Clone, PartialEq)]
pub struct PyCatalogEntry {
    /// The stable, kebab-case id (`vault-credentials-invalid`).
    #[pyo3(get)]
    pub id: String,
    codes: Vec<String>,
    /// The category (`registration`, `connectivity`, `encryption`, …).
    #[pyo3(get)]
    pub category: String,
    /// `"error"`, `"warning"` or `"info"`.
    #[pyo3(get)]
    pub level: &'static str,
    /// The short title.
    #[pyo3(get)]
    pub title: String,
    /// The documented message, verbatim (`""` when the error has none).
    #[pyo3(get)]
    pub message: String,
    causes: Vec<String>,
    actions: Vec<String>,
    /// Where it is documented.
    #[pyo3(get)]
    pub source: PyDocSource,
    related: Vec<String>,
    /// The language of the texts (`"en"` or `"fr"`).
    #[pyo3(get)]
    pub lang: &'static str,
    /// The catalog file the entry comes from (`<embedded>/core/catalog/mars.toml` for the
    /// bundled one).
    #[pyo3(get)]
    pub origin: String,
}

impl PyCatalogEntry {
    /// The entry with its texts in `lang`.
    pub fn new(e: &Entry, lang: Lang) -> Self {
        let t = e.texts(lang);
        PyCatalogEntry {
            id: e.id.clone(),
            codes: e.codes(),
            category: e.category.clone(),
            level: level_name(e.severity),
            title: t.title,
            message: t.message,
            causes: t.causes,
            actions: t.actions,
            source: (&e.source).into(),
            related: e.related.clone(),
            lang: lang_code(lang),
            origin: e.origin.clone(),
        }
    }
}

#[pymethods]
impl PyCatalogEntry {
    /// Every code and alias: decimal ids, their hex forms, HRESULTs, HTTP statuses, Winsock
    /// numbers and symbolic names, as strings.
    #[getter]
    fn codes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        tuple(py, &self.codes)
    }

    /// Possible causes.
    #[getter]
    fn causes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        tuple(py, &self.causes)
    }

    /// Recommended actions.
    #[getter]
    fn actions<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        tuple(py, &self.actions)
    }

    /// Ids of related entries.
    #[getter]
    fn related<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        tuple(py, &self.related)
    }

    /// As a dict (sequences as lists, `source` as a dict).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("id", &self.id)?;
        d.set_item("codes", &self.codes)?;
        d.set_item("category", &self.category)?;
        d.set_item("level", self.level)?;
        d.set_item("title", &self.title)?;
        d.set_item("message", &self.message)?;
        d.set_item("causes", &self.causes)?;
        d.set_item("actions", &self.actions)?;
        d.set_item("source", self.source.to_dict(py)?)?;
        d.set_item("related", &self.related)?;
        d.set_item("lang", self.lang)?;
        d.set_item("origin", &self.origin)?;
        Ok(d)
    }

    /// HTML for Jupyter: title, codes, causes, actions and source (all text escaped).
    fn _repr_html_<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        helper(slf.as_any(), "marslog._html", "entry_html")
    }

    fn __repr__(&self) -> String {
        format!(
            "CatalogEntry(id={}, level={}, title={})",
            py_repr(&self.id),
            py_repr(self.level),
            py_repr(&self.title)
        )
    }
}

/// One catalog entry recognised in a text by `Classifier.classify`.
///
/// `span` is `(start, end)` as indices into the Python string that was classified, so
/// `text[start:end] == match.matched`.
///
/// >>> m = marslog.Classifier().classify("Échec : Erreur 34506. La phrase secrète…")[0]
/// >>> m.id, m.code, m.matched, m.span
/// ('passphrase-misconfigured', '34506', 'Erreur 34506.', (8, 21))
#[pyclass(name = "Match", module = "marslog._native", frozen, eq)]
#[derive(Debug, Clone, PartialEq)]
pub struct PyMatch {
    /// The catalog entry's id.
    #[pyo3(get)]
    pub id: String,
    /// The code as a user would type it (`34513`, `0x1FC07`, `0x80780054`, `407`, a name);
    /// `""` for a documented phrase or a symptom pattern.
    #[pyo3(get)]
    pub code: String,
    /// The matched text.
    #[pyo3(get)]
    pub matched: String,
    start: usize,
    end: usize,
}

#[pymethods]
impl PyMatch {
    /// `(start, end)`: `str` indices of `matched` in the classified text.
    #[getter]
    fn span(&self) -> (usize, usize) {
        (self.start, self.end)
    }

    fn __repr__(&self) -> String {
        format!(
            "Match(id={}, code={}, matched={}, span=({}, {}))",
            py_repr(&self.id),
            py_repr(&self.code),
            py_repr(&self.matched),
            self.start,
            self.end
        )
    }
}

/// A code argument (`34513`, `"0x1FC07"`, `"SalLowDiskSpace"`, an entry id) as text.
fn code_text(code: &Bound<'_, PyAny>) -> PyResult<String> {
    if code.is_instance_of::<PyInt>() && !code.is_instance_of::<PyBool>() {
        return Ok(code.extract::<u64>()?.to_string());
    }
    if code.is_instance_of::<PyString>() {
        return code.extract();
    }
    Err(PyTypeError::new_err(format!(
        "code must be an int or a str, not {}",
        code.get_type().name()?
    )))
}

/// The entries for `code`; `KeyError` when there is none.
pub fn explain_in(
    c: &Classifier,
    code: &Bound<'_, PyAny>,
    lang: &str,
) -> PyResult<Vec<PyCatalogEntry>> {
    let lang = parse_lang(lang)?;
    let text = code_text(code)?;
    let found = c.catalog().lookup(&text);
    if found.is_empty() {
        return Err(PyKeyError::new_err(format!(
            "no documented MARS error for {} (marslog.catalog() lists them all)",
            py_repr(&text)
        )));
    }
    Ok(found
        .into_iter()
        .map(|e| PyCatalogEntry::new(e, lang))
        .collect())
}

/// Every entry of `catalog`, in catalog order.
pub fn entries(catalog: &Catalog, lang: &str) -> PyResult<Vec<PyCatalogEntry>> {
    let lang = parse_lang(lang)?;
    Ok(catalog
        .entries()
        .iter()
        .map(|e| PyCatalogEntry::new(e, lang))
        .collect())
}

/// Scan `paths` with `c` (detached) into a `Report`.
pub fn scan_with(
    py: Python<'_>,
    c: Arc<Classifier>,
    paths: &Bound<'_, PyAny>,
    lang: &str,
    year: Option<i32>,
    tolerant: bool,
) -> PyResult<PyReport> {
    let lang = parse_lang(lang)?;
    let paths = scan::paths(paths)?;
    let data = gil::detach(py, move || {
        let found = scan::scan(&c, &paths, ScanOptions { year, tolerant }, lang);
        Ok(report::prepare(found))
    })?;
    PyReport::new(py, data)
}

/// A compiled catalog: build it once, then classify texts and scan files with it.
///
/// `catalog` adds catalog files (one path or an iterable of paths, same schema as
/// `core/catalog/mars.toml`) to the embedded catalog. Compiling takes milliseconds; the
/// object is immutable and can be shared between threads.
///
/// Raises `CatalogError` (with `.path` and `.line`; the message names the field) for an
/// invalid catalog file, `FileNotFoundError` and the like for an unreadable one.
///
/// >>> c = marslog.Classifier()
/// >>> [m.id for m in c.classify("Unable to connect (ID: 100050) (407) Proxy Authentication Required")]
/// ['agent-cannot-connect']
/// >>> c.classify("Processed 34513 files, 407 retries")
/// []
/// >>> report = c.scan("testdata/samples/SRV-FS01/Temp", year=2026)
/// >>> len(report), report.files
/// (10, 3)
#[pyclass(name = "Classifier", module = "marslog._native", frozen)]
pub struct PyClassifier {
    inner: Arc<Classifier>,
    files: Vec<String>,
}

#[pymethods]
impl PyClassifier {
    #[new]
    #[pyo3(signature = (catalog = None))]
    fn new(py: Python<'_>, catalog: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let files = catalog_files(catalog)?;
        let names = files.iter().map(|p| p.display().to_string()).collect();
        let inner = gil::detach(py, move || load(&files))?;
        Ok(PyClassifier {
            inner,
            files: names,
        })
    }

    /// Every catalog entry recognised in `text` (at most one match per entry), leftmost
    /// first.
    fn classify(&self, py: Python<'_>, text: String) -> PyResult<Vec<PyMatch>> {
        let c = Arc::clone(&self.inner);
        gil::detach(py, move || {
            let found = c.classify_text(&text);
            Ok(found
                .iter()
                .map(|m| PyMatch {
                    id: c.entry(m).id.clone(),
                    code: m.code.display(),
                    matched: text
                        .get(m.span.start..m.span.end)
                        .unwrap_or_default()
                        .to_owned(),
                    start: char_index(&text, m.span.start),
                    end: char_index(&text, m.span.end),
                })
                .collect())
        })
    }

    /// Scan files and folders with this classifier; see `marslog.scan`.
    #[pyo3(signature = (paths, *, lang = "en", year = None, tolerant = false))]
    fn scan(
        &self,
        py: Python<'_>,
        paths: &Bound<'_, PyAny>,
        lang: &str,
        year: Option<i32>,
        tolerant: bool,
    ) -> PyResult<PyReport> {
        scan_with(py, Arc::clone(&self.inner), paths, lang, year, tolerant)
    }

    /// Every catalog entry, in catalog order (embedded entries first, then the files').
    #[pyo3(signature = (lang = "en"))]
    fn catalog(&self, lang: &str) -> PyResult<Vec<PyCatalogEntry>> {
        entries(self.inner.catalog(), lang)
    }

    /// The entries for a code; see `marslog.explain`.
    #[pyo3(signature = (code, lang = "en"))]
    fn explain(&self, code: &Bound<'_, PyAny>, lang: &str) -> PyResult<Vec<PyCatalogEntry>> {
        explain_in(&self.inner, code, lang)
    }

    fn __len__(&self) -> usize {
        self.inner.catalog().entries().len()
    }

    fn __repr__(&self) -> String {
        let files: Vec<String> = self.files.iter().map(|f| py_repr(f)).collect();
        format!(
            "Classifier(entries={}, catalog=[{}])",
            self.inner.catalog().entries().len(),
            files.join(", ")
        )
    }
}
