//! Classifying Windows events: the catalog's event rules, and documented texts and codes
//! inside the events' data.
//!
//! A rule matches when every condition it gives holds: channel and provider (ASCII
//! case-insensitive), one of its event ids, and each of its `data` strings occurring
//! (case-insensitively) in some EventData/UserData value. The data values, joined as
//! `name=value` pairs, are also classified like an errlog message, so an Application event
//! carrying "(ID: 100050)" is recognised too. One match per entry and event; a rule match
//! wins over a text match.

use super::matcher::{normalise, Code, Match};
use super::{Classifier, Finding, Location};
use crate::evtx::Event;
use crate::position::Span;

/// Windows level names (`System/Level`).
pub fn level_name(level: Option<u8>) -> Option<&'static str> {
    Some(match level? {
        0 => "LogAlways",
        1 => "Critical",
        2 => "Error",
        3 => "Warning",
        4 => "Information",
        5 => "Verbose",
        _ => return None,
    })
}

/// The text classified for an event: its data values as `name=value` pairs joined by `; `
/// (unnamed values by position).
pub fn event_text(ev: &Event<'_>) -> String {
    let Ok(fields) = ev.data() else {
        return String::new();
    };
    let mut out = String::new();
    for (k, f) in fields.iter().enumerate() {
        if k > 0 {
            out.push_str("; ");
        }
        if f.name.is_empty() {
            out.push_str(&k.to_string());
        } else {
            out.push_str(&f.name);
        }
        out.push('=');
        out.push_str(&f.value.to_string());
    }
    out
}

impl Classifier {
    /// Every entry recognised in one event, with the text that was classified.
    pub fn classify_event(&self, ev: &Event<'_>) -> (Vec<Match>, String) {
        let text = event_text(ev);
        let mut found: Vec<Match> = Vec::new();
        let id = ev.event_id();
        let channel = ev.channel();
        let provider = ev.provider_name();
        let mut normalised: Option<String> = None;
        for (k, entry) in self.catalog.entries().iter().enumerate() {
            let hit = entry.events.iter().any(|rule| {
                (rule.event_ids.is_empty() || id.is_some_and(|i| rule.event_ids.contains(&i)))
                    && rule.channel.as_ref().is_none_or(|c| {
                        channel
                            .as_deref()
                            .is_some_and(|x| x.eq_ignore_ascii_case(c))
                    })
                    && rule.provider.as_ref().is_none_or(|p| {
                        provider
                            .as_deref()
                            .is_some_and(|x| x.eq_ignore_ascii_case(p))
                    })
                    && rule.data.iter().all(|d| {
                        let hay = normalised.get_or_insert_with(|| normalise(&text));
                        hay.contains(&normalise(d))
                    })
            });
            if hit {
                found.push(Match {
                    entry: k,
                    code: Code::Event(id.unwrap_or(0)),
                    span: Span::new(0, 0),
                });
            }
        }
        for m in self.matcher.classify(&text) {
            if !found.iter().any(|f| f.entry == m.entry) {
                found.push(m);
            }
        }
        (found, text)
    }

    /// Findings of a sequence of events (an `.evtx` file or an XML export).
    pub fn scan_events<'a>(&self, events: impl IntoIterator<Item = Event<'a>>) -> Vec<Finding> {
        let mut out = Vec::new();
        for ev in events {
            let (matches, text) = self.classify_event(&ev);
            if matches.is_empty() {
                continue;
            }
            let at = Location {
                line: None,
                offset: ev.offset().unwrap_or(0),
                record_id: Some(ev.record_id()),
                timestamp: ev.timestamp(),
                severity: level_name(ev.level()).map(str::to_string),
                task_id: None,
            };
            for m in matches {
                let mut f = self.finding(&m, &text, at.clone());
                if let Code::Event(id) = m.code {
                    f.matched = format!("{} event {id}", ev.provider_name().unwrap_or_default());
                }
                out.push(f);
            }
        }
        out
    }
}
