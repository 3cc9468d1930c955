//! Grouping findings per catalog entry: what a triage summary shows.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Utc};
use serde::Serialize;

use super::catalog::{Catalog, Lang, Level, SourceDoc};
use super::Finding;

/// The keys of one finding as the CLI's `jsonl`/`csv` rows and the Python `Report` columns
/// write them, in order.
pub const FINDING_COLUMNS: [&str; 14] = [
    "id",
    "codes",
    "title",
    "level",
    "file",
    "line",
    "record_id",
    "offset",
    "timestamp",
    "severity",
    "task_id",
    "code",
    "matched",
    "message",
];

/// All findings of one catalog entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// The entry's stable id.
    pub id: String,
    /// Every code and alias of the entry.
    pub codes: Vec<String>,
    /// Title in the chosen language.
    pub title: String,
    /// Category.
    pub category: String,
    /// How serious the entry is.
    pub severity: Level,
    /// Number of findings.
    pub count: usize,
    /// Earliest timestamp among the findings.
    pub first_seen: Option<DateTime<Utc>>,
    /// Latest timestamp among the findings.
    pub last_seen: Option<DateTime<Utc>>,
    /// Files with findings.
    pub files: Vec<String>,
    /// Jobs (task GUIDs) with findings.
    pub jobs: Vec<String>,
    /// The first finding, as an example.
    pub example: Finding,
    /// The documented message in the chosen language.
    pub message: String,
    /// Possible causes.
    pub causes: Vec<String>,
    /// Recommended actions.
    pub actions: Vec<String>,
    /// Where it is documented.
    pub source: SourceDoc,
}

/// Group `findings` per entry, most serious first, then by count.
pub fn summarize(findings: &[Finding], catalog: &Catalog, lang: Lang) -> Vec<Summary> {
    let mut s = Summarizer::new(catalog, lang);
    for f in findings {
        s.add(f);
    }
    s.finish()
}

/// [`summarize`] one finding at a time: keeps one group per entry, not the findings, so a
/// stream of any length is summarised in bounded memory.
#[derive(Debug, Clone)]
pub struct Summarizer<'c> {
    catalog: &'c Catalog,
    lang: Lang,
    groups: Vec<(Summary, BTreeSet<String>)>,
    findings: usize,
}

impl<'c> Summarizer<'c> {
    /// An empty summary.
    pub fn new(catalog: &'c Catalog, lang: Lang) -> Self {
        Summarizer {
            catalog,
            lang,
            groups: Vec::new(),
            findings: 0,
        }
    }

    /// Findings added (merged ones included).
    pub fn findings(&self) -> usize {
        self.findings
    }

    /// Count one finding (findings of entries not in the catalog are ignored).
    pub fn add(&mut self, f: &Finding) {
        self.findings += 1;
        let Some(entry) = self.catalog.get(&f.id) else {
            return;
        };
        let k = match self.groups.iter().position(|(s, _)| s.id == f.id) {
            Some(k) => k,
            None => {
                let t = entry.texts(self.lang);
                self.groups.push((
                    Summary {
                        id: entry.id.clone(),
                        codes: entry.codes(),
                        title: t.title,
                        category: entry.category.clone(),
                        severity: entry.severity,
                        count: 0,
                        first_seen: None,
                        last_seen: None,
                        files: Vec::new(),
                        jobs: Vec::new(),
                        example: f.clone(),
                        message: t.message,
                        causes: t.causes,
                        actions: t.actions,
                        source: entry.source.clone(),
                    },
                    BTreeSet::new(),
                ));
                self.groups.len() - 1
            }
        };
        let (s, jobs) = &mut self.groups[k];
        s.count += 1;
        if let Some(t) = f.timestamp {
            see(s, t, t);
        }
        if let Some(file) = &f.file {
            if !s.files.contains(file) {
                s.files.push(file.clone());
            }
        }
        if let Some(job) = &f.task_id {
            if !jobs.contains(job) {
                jobs.insert(job.clone());
            }
        }
    }

    /// Move every timestamp back one year (see [`Finding::move_year_back`]): for an
    /// input whose findings were added before the need was known.
    pub fn move_years_back(&mut self) {
        for (s, _) in &mut self.groups {
            let back = |t: Option<DateTime<Utc>>| t.and_then(|t| t.with_year(t.year() - 1));
            s.first_seen = back(s.first_seen);
            s.last_seen = back(s.last_seen);
            s.example.move_year_back();
        }
    }

    /// Add the groups of `other` (built from later findings of the same catalog) as if its
    /// findings had been added here one by one.
    pub fn merge(&mut self, other: Summarizer<'_>) {
        self.findings += other.findings;
        for (o, o_jobs) in other.groups {
            match self.groups.iter_mut().find(|(s, _)| s.id == o.id) {
                Some((s, jobs)) => {
                    s.count += o.count;
                    if let (Some(a), Some(b)) = (o.first_seen, o.last_seen) {
                        see(s, a, b);
                    }
                    for file in o.files {
                        if !s.files.contains(&file) {
                            s.files.push(file);
                        }
                    }
                    jobs.extend(o_jobs);
                }
                None => self.groups.push((o, o_jobs)),
            }
        }
    }

    /// The summaries, most serious first, then by count, then by first occurrence.
    pub fn finish(self) -> Vec<Summary> {
        let mut out: Vec<Summary> = self
            .groups
            .into_iter()
            .map(|(mut s, jobs)| {
                s.jobs = jobs.into_iter().collect();
                s
            })
            .collect();
        out.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then(b.count.cmp(&a.count))
                .then(a.first_seen.cmp(&b.first_seen))
        });
        out
    }
}

/// Widen the time range of `s` to include `first..=last`.
fn see(s: &mut Summary, first: DateTime<Utc>, last: DateTime<Utc>) {
    s.first_seen = Some(s.first_seen.map_or(first, |x| x.min(first)));
    s.last_seen = Some(s.last_seen.map_or(last, |x| x.max(last)));
}
