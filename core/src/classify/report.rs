//! Grouping findings per catalog entry: what a triage summary shows.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::catalog::{Catalog, Lang, Level, SourceDoc};
use super::Finding;

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
    let mut out: Vec<Summary> = Vec::new();
    for f in findings {
        let Some(entry) = catalog.get(&f.id) else {
            continue;
        };
        let s = match out.iter_mut().position(|s| s.id == f.id) {
            Some(k) => &mut out[k],
            None => {
                let t = entry.texts(lang);
                out.push(Summary {
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
                });
                out.last_mut().expect("just pushed")
            }
        };
        s.count += 1;
        if let Some(t) = f.timestamp {
            s.first_seen = Some(s.first_seen.map_or(t, |x| x.min(t)));
            s.last_seen = Some(s.last_seen.map_or(t, |x| x.max(t)));
        }
        if let Some(file) = &f.file {
            if !s.files.contains(file) {
                s.files.push(file.clone());
            }
        }
        if let Some(job) = &f.task_id {
            if !s.jobs.contains(job) {
                s.jobs.push(job.clone());
            }
        }
    }
    for s in &mut out {
        s.jobs = s
            .jobs
            .iter()
            .cloned()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
    }
    out.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(b.count.cmp(&a.count))
            .then(a.first_seen.cmp(&b.first_seen))
    });
    out
}
