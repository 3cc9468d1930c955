//! Catalog event rules, table-driven from the catalog itself: for every rule, an event that
//! satisfies it (written as a real .evtx by the project's builder, and as an XML export)
//! must classify to the rule's entry; the same event on another channel, or without the
//! required data, must not.

use marslog::classify::{Classifier, Code, EventRule};
use marslog::evtx::builder::{DataValue, EventSpec, EvtxBuilder};
use marslog::evtx::{read_xml_events, EventFilter, EvtxFile};

fn spec_for(rule: &EventRule, data: bool) -> EventSpec {
    let provider = rule
        .provider
        .clone()
        .unwrap_or_else(|| "CloudBackup".into());
    let channel = rule.channel.clone().unwrap_or_else(|| "Application".into());
    let id = rule.event_ids.first().copied().unwrap_or(1) as u16;
    let mut spec = EventSpec::new(&provider, &channel, id).level(2);
    if data {
        for (k, d) in rule.data.iter().enumerate() {
            spec = spec.data(
                &format!("param{k}"),
                DataValue::Str(format!("value with {d} inside")),
            );
        }
    }
    spec.data("Extra", DataValue::Str("unrelated".into()))
}

/// Classify specs through the binary reader and through the XML export of the same events:
/// (entry id, matched by an event rule) per event, both ways (they must agree).
fn classify_codes(c: &Classifier, specs: Vec<EventSpec>) -> Vec<Vec<(String, bool)>> {
    let mut b = EvtxBuilder::new();
    for s in specs {
        b.push(s);
    }
    let bytes = b.build();
    let file = EvtxFile::parse(&bytes).unwrap();
    let events: Vec<_> = file
        .events(&EventFilter::new())
        .map(Result::unwrap)
        .collect();
    let xml: String = events
        .iter()
        .map(|e| e.to_xml().unwrap())
        .collect::<Vec<_>>()
        .join("\n");
    let (from_xml, damage) = read_xml_events(xml.as_bytes(), &EventFilter::new());
    assert!(damage.is_empty(), "{damage:?}");
    let ids = |evs: &[marslog::evtx::Event<'_>]| -> Vec<Vec<(String, bool)>> {
        evs.iter()
            .map(|e| {
                c.classify_event(e)
                    .0
                    .iter()
                    .map(|m| (c.entry(m).id.clone(), matches!(m.code, Code::Event(_))))
                    .collect()
            })
            .collect()
    };
    let binary = ids(&events);
    assert_eq!(binary, ids(&from_xml), "binary and XML paths disagree");
    binary
}

/// The entry ids matched per event.
fn classify(c: &Classifier, specs: Vec<EventSpec>) -> Vec<Vec<String>> {
    classify_codes(c, specs)
        .into_iter()
        .map(|v| v.into_iter().map(|(id, _)| id).collect())
        .collect()
}

#[test]
fn every_event_rule_matches_its_entry_and_only_when_it_should() {
    let c = Classifier::new();
    let mut rules = Vec::new();
    for e in c.catalog().entries() {
        for r in &e.events {
            rules.push((e.id.clone(), r.clone()));
        }
    }
    assert!(rules.len() >= 25, "{}", rules.len());
    let positives = classify(&c, rules.iter().map(|(_, r)| spec_for(r, true)).collect());
    for ((id, rule), got) in rules.iter().zip(&positives) {
        assert!(got.contains(id), "{id} {rule:?} -> {got:?}");
    }
    // another channel: never this entry
    let moved: Vec<_> = rules
        .iter()
        .map(|(_, r)| {
            let mut r = r.clone();
            r.channel = Some("Microsoft-Windows-Unrelated/Operational".into());
            spec_for(&r, true)
        })
        .collect();
    for ((id, rule), got) in rules.iter().zip(classify_codes(&c, moved)) {
        if rule.channel.is_some() {
            assert!(
                !got.contains(&(id.clone(), true)),
                "{id}'s rule matched on another channel: {rule:?}"
            );
        }
    }
    // the required data missing: never this entry
    let with_data: Vec<_> = rules
        .iter()
        .filter(|(_, r)| !r.data.is_empty())
        .cloned()
        .collect();
    assert!(!with_data.is_empty());
    let bare = classify_codes(
        &c,
        with_data.iter().map(|(_, r)| spec_for(r, false)).collect(),
    );
    for ((id, rule), got) in with_data.iter().zip(bare) {
        assert!(
            !got.contains(&(id.clone(), true)),
            "{id}'s rule matched without its data: {rule:?}"
        );
    }
}

#[test]
fn issue_examples_obengine_task_path_cbengine_vss() {
    let c = Classifier::new();
    let specs = vec![
        EventSpec::new("Service Control Manager", "System", 7031)
            .data(
                "param1",
                DataValue::Str("Microsoft Azure Recovery Services Agent".into()),
            )
            .data("param2", DataValue::U32(1)),
        EventSpec::new(
            "Microsoft-Windows-TaskScheduler",
            "Microsoft-Windows-TaskScheduler/Operational",
            101,
        )
        .data(
            "TaskName",
            DataValue::Str("\\Microsoft\\OnlineBackup\\Microsoft-OnlineBackup".into()),
        ),
        EventSpec::new("Application Error", "Application", 1000)
            .data("AppName", DataValue::Str("cbengine.exe".into())),
        EventSpec::new("VSS", "Application", 8229).data(
            "0",
            DataValue::Str("0x800423f2, The writer's timeout expired".into()),
        ),
        EventSpec::new("CloudBackup", "CloudBackup", 18),
        // an unrelated service stopping, and an ordinary logon: nothing
        EventSpec::new("Service Control Manager", "System", 7031)
            .data("param1", DataValue::Str("Print Spooler".into())),
        EventSpec::new("Microsoft-Windows-Security-Auditing", "Security", 4624)
            .data("TargetUserName", DataValue::Str("admin".into())),
        // a documented text inside event data
        EventSpec::new("MSDPM", "Application", 999)
            .data("0", DataValue::Str("Unable to connect (ID: 100050)".into())),
    ];
    let got = classify(&c, specs);
    assert_eq!(got[0], ["engine-unreachable"]);
    assert_eq!(got[1], ["scheduled-backups-not-running"]);
    assert_eq!(got[2], ["engine-unreachable"]);
    assert_eq!(got[3], ["vss-writer-timeout"]);
    assert_eq!(got[4], ["scheduled-backups-not-running"]);
    assert!(got[5].is_empty() && got[6].is_empty(), "{got:?}");
    assert_eq!(got[7], ["agent-cannot-connect"]);
}

#[test]
fn event_findings_carry_record_id_time_and_level() {
    let c = Classifier::new();
    let mut b = EvtxBuilder::new();
    b.push(EventSpec::new("CloudBackup", "CloudBackup", 11).level(2));
    b.push(EventSpec::new("CloudBackup", "CloudBackup", 4).level(4));
    let bytes = b.build();
    let file = EvtxFile::parse(&bytes).unwrap();
    let f = c.scan_events(file.events(&EventFilter::new()).map(Result::unwrap));
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].id, "backup-completed-with-errors");
    assert_eq!(f[0].code, Code::Event(11));
    assert_eq!(f[0].record_id, Some(1));
    assert_eq!(f[0].line, None);
    assert_eq!(f[0].severity.as_deref(), Some("Error"));
    assert_eq!(
        f[0].timestamp.unwrap().to_rfc3339(),
        "2024-01-01T00:00:00+00:00"
    );
    assert_eq!(f[0].matched, "CloudBackup event 11");
}
