//! Event logs in the CLI: reading `.evtx` and XML exports (detected by content), and the
//! JSON Lines row of an event.

use std::io::{self, Write};

use chrono::SecondsFormat;
use marslog::evtx::{self, Damage, Event, EventFilter, EventFormat, EvtxFile};
use serde::Serialize;

/// An event as written by `parse` (keys documented in the README).
#[derive(Debug, Serialize)]
pub struct EventRow<'a> {
    pub file: &'a str,
    pub record_id: u64,
    pub timestamp: Option<String>,
    pub event_id: Option<u32>,
    pub provider: Option<String>,
    pub channel: Option<String>,
    pub computer: Option<String>,
    pub level: Option<u8>,
    pub data: serde_json::Map<String, serde_json::Value>,
}

/// The data of an event as an object: names as keys (unnamed items by position,
/// repeated names suffixed `_1`, `_2`…), values in their string form.
pub fn data_object(ev: &Event<'_>) -> serde_json::Map<String, serde_json::Value> {
    let mut map = serde_json::Map::new();
    for (k, f) in ev.data().unwrap_or_default().iter().enumerate() {
        let base = if f.name.is_empty() {
            k.to_string()
        } else {
            f.name.to_string()
        };
        let mut key = base.clone();
        let mut n = 0;
        while map.contains_key(&key) {
            n += 1;
            key = format!("{base}_{n}");
        }
        map.insert(key, serde_json::Value::String(f.value.to_string()));
    }
    map
}

impl<'a> EventRow<'a> {
    pub fn new(file: &'a str, ev: &Event<'_>) -> Self {
        EventRow {
            file,
            record_id: ev.record_id(),
            timestamp: ev
                .timestamp()
                .map(|t| t.to_rfc3339_opts(SecondsFormat::AutoSi, true)),
            event_id: ev.event_id(),
            provider: ev.provider_name().map(|s| s.into_owned()),
            channel: ev.channel().map(|s| s.into_owned()),
            computer: ev.computer().map(|s| s.into_owned()),
            level: ev.level(),
            data: data_object(ev),
        }
    }
}

/// Read the events of `bytes` (already known to be `format`), calling `each` in record
/// order; damage is returned. A file that is not an EVTX at all is an error.
pub fn for_each_event(
    bytes: &[u8],
    format: EventFormat,
    filter: &EventFilter,
    mut each: impl FnMut(&Event<'_>) -> io::Result<()>,
) -> Result<io::Result<Vec<Damage>>, marslog::Error> {
    let mut damage = Vec::new();
    match format {
        EventFormat::Evtx => {
            let file = EvtxFile::parse(bytes)?;
            for item in file.events(filter) {
                match item {
                    Ok(ev) => {
                        if let Err(e) = each(&ev) {
                            return Ok(Err(e));
                        }
                    }
                    Err(d) => damage.push(d),
                }
            }
        }
        EventFormat::Xml => {
            let (events, d) = evtx::read_xml_events(bytes, filter);
            damage = d;
            for ev in &events {
                if let Err(e) = each(ev) {
                    return Ok(Err(e));
                }
            }
        }
    }
    Ok(Ok(damage))
}

/// Warn about damage on stderr (at most `max` lines per file). With `skipped_only`,
/// advisory damage (checksum mismatches on data that was still read) is only counted.
pub fn warn_damage(file: &str, damage: &[Damage], max: usize, skipped_only: bool) {
    let (shown, advisory): (Vec<&Damage>, Vec<&Damage>) = damage
        .iter()
        .partition(|d| !(skipped_only && d.reason.is_advisory()));
    for d in shown.iter().take(max) {
        eprintln!("marslog: warning: {file}: {d}");
    }
    if shown.len() > max {
        eprintln!(
            "marslog: warning: {file}: {} more damaged chunks or records not shown",
            shown.len() - max
        );
    }
    if !advisory.is_empty() {
        eprintln!(
            "marslog: note: {file}: {} checksum mismatches (data read anyway)",
            advisory.len()
        );
    }
}

/// Table line of an event.
pub fn table_line(out: &mut impl Write, row: &EventRow<'_>) -> io::Result<()> {
    let data: Vec<String> = row
        .data
        .iter()
        .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
        .collect();
    writeln!(
        out,
        "{:>8}  {:<24}  {:<2} {:>6}  {:<32}  {}",
        row.record_id,
        row.timestamp.as_deref().unwrap_or("-"),
        row.level.map(|l| l.to_string()).unwrap_or_default(),
        row.event_id.map(|l| l.to_string()).unwrap_or_default(),
        row.provider.as_deref().unwrap_or("-"),
        data.join("; ")
    )
}
