//! Rendered event XML: `wevtutil qe /f:xml` (a stream of `<Event>` with no root, or an
//! `<Events>` root), Event Viewer "Save as XML", and `Get-WinEvent | % ToXml()`.
//!
//! # Invariants
//!
//! * Input bytes are decoded to UTF-8 first: a UTF-8 or UTF-16 BOM decides, else UTF-16LE
//!   is recognised by `<\0`, else UTF-8 (invalid sequences become U+FFFD).
//! * Every `<Event>` element, at any depth, is one event; everything else (declaration,
//!   `<Events>`, whitespace, comments) is skipped. Namespace prefixes are dropped from
//!   element names, so `<e:Event>` is an event too.
//! * A malformed event is reported as [`Damage`] with its byte offset (in the decoded
//!   text) and the reader resumes after it when it can; a document that stops being XML
//!   ends the read with one damage item.
//! * Elements nest at most 64 deep in an event (`binxml::MAX_DEPTH`, as in
//!   BinXML): a deeper event is damage and is skipped, so the trees built, rendered and
//!   dropped recursively stay shallow.
//! * Times accept 0 to 9 fractional digits and a `Z`, an offset, or nothing (UTC).

use std::borrow::Cow;

use chrono::{DateTime, NaiveDateTime, Utc};
use quick_xml::events::Event as XmlToken;
use quick_xml::XmlVersion;

use super::event::Event;
use super::render::{entity_char, OwnedElement, OwnedNode};
use super::template::SystemField;
use super::{Damage, DamageKind, EventFilter};

/// An event read from XML: its element tree.
#[derive(Debug, Clone, PartialEq)]
pub struct XmlEvent {
    /// The `<Event>` element.
    pub root: OwnedElement,
    /// Byte offset of the `<Event` tag in the decoded text.
    pub offset: u64,
}

impl XmlEvent {
    /// The text of a System field.
    pub(crate) fn system(&self, field: SystemField) -> Option<&str> {
        let (el, attr) = field.path();
        let el = self.root.child("System")?.child(el)?;
        match attr {
            Some(a) => el.attr(a),
            None => el.children.iter().find_map(|n| match n {
                OwnedNode::Text(t) => Some(t.as_str()),
                OwnedNode::Element(_) => None,
            }),
        }
    }
}

/// Parse an XML `SystemTime`: `YYYY-MM-DDTHH:MM:SS[.f{0,9}][Z|±HH:MM]`.
pub fn parse_system_time(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    let (body, offset) = match s.strip_suffix('Z').or_else(|| s.strip_suffix('z')) {
        Some(b) => (b, None),
        None => match s
            .get(19..)
            .and_then(|tail| tail.rfind(['+', '-']).map(|i| 19 + i))
        {
            Some(i) => (&s[..i], Some(&s[i..])),
            None => (s, None),
        },
    };
    let naive = NaiveDateTime::parse_from_str(body, "%Y-%m-%dT%H:%M:%S%.f").ok()?;
    let frac = body.split_once('.').map_or(0, |(_, f)| f.len());
    if frac > 9 {
        return None;
    }
    match offset {
        None => Some(naive.and_utc()),
        Some(off) => {
            let fixed =
                DateTime::parse_from_str(&format!("{body}{off}"), "%Y-%m-%dT%H:%M:%S%.f%:z")
                    .ok()?;
            Some(fixed.with_timezone(&Utc))
        }
    }
}

/// Decode XML input bytes to UTF-8 (BOM or `<\0` sniffing; see the module docs).
pub fn decode_xml_input(input: &[u8]) -> Cow<'_, str> {
    let encoding = match input {
        [0xef, 0xbb, 0xbf, ..] => encoding_rs::UTF_8,
        [0xff, 0xfe, ..] => encoding_rs::UTF_16LE,
        [0xfe, 0xff, ..] => encoding_rs::UTF_16BE,
        [b, 0, ..] if *b != 0 => encoding_rs::UTF_16LE,
        [0, b, ..] if *b != 0 => encoding_rs::UTF_16BE,
        _ => encoding_rs::UTF_8,
    };
    encoding.decode_with_bom_removal(input).0
}

/// The events of an XML export (see the module docs) that pass `filter`, and the damage.
pub fn read_xml_events(input: &[u8], filter: &EventFilter) -> (Vec<Event<'static>>, Vec<Damage>) {
    let text = decode_xml_input(input);
    let mut events = Vec::new();
    let mut damage = Vec::new();
    let mut reader = quick_xml::Reader::from_str(&text);
    reader.config_mut().trim_text(false);
    let mut stack: Vec<OwnedElement> = Vec::new();
    let mut event_start = 0u64;
    // Open elements of an event skipped for being nested too deep.
    let mut skipping = 0usize;
    loop {
        let before = reader.buffer_position();
        let token = match reader.read_event() {
            Ok(t) => t,
            Err(_) => {
                damage.push(xml_damage(reader.buffer_position(), "not well-formed xml"));
                break;
            }
        };
        let is_empty = matches!(token, XmlToken::Empty(_));
        if skipping > 0 {
            match token {
                XmlToken::Start(_) => skipping += 1,
                XmlToken::End(_) => skipping -= 1,
                XmlToken::Eof => break,
                _ => {}
            }
            continue;
        }
        match token {
            XmlToken::Start(_) | XmlToken::Empty(_) if stack.len() >= super::binxml::MAX_DEPTH => {
                damage.push(xml_damage(event_start, "nesting too deep"));
                skipping = stack.len() + usize::from(!is_empty);
                stack.clear();
            }
            XmlToken::Start(s) | XmlToken::Empty(s)
                if !stack.is_empty() || local(s.name().as_ref()) == "Event" =>
            {
                if stack.is_empty() {
                    event_start = before;
                }
                let mut el = OwnedElement {
                    name: local(s.name().as_ref()).to_owned(),
                    ..Default::default()
                };
                for a in s.attributes().with_checks(false) {
                    let Ok(a) = a else {
                        damage.push(xml_damage(before, "bad attribute"));
                        continue;
                    };
                    let v = a
                        .normalized_value(XmlVersion::Implicit1_0)
                        .map_or_else(|_| a.value.to_string(), Cow::into_owned);
                    el.attrs.push((a.key.as_ref().to_owned(), v));
                }
                stack.push(el);
                // An `Empty` token has no `End`: close it at once.
                if is_empty {
                    if let Some(done) = finish(&mut stack) {
                        push_event(done, event_start, filter, &mut events);
                    }
                }
            }
            XmlToken::Start(_) | XmlToken::Empty(_) => {}
            XmlToken::End(_) if !stack.is_empty() => {
                if let Some(done) = finish(&mut stack) {
                    push_event(done, event_start, filter, &mut events);
                }
            }
            XmlToken::Text(t) if !stack.is_empty() => push_text(&mut stack, &t.into_inner()),
            XmlToken::CData(c) if !stack.is_empty() => {
                push_text(&mut stack, &c.into_inner());
            }
            XmlToken::GeneralRef(r) if !stack.is_empty() => {
                let c = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c),
                    _ => entity_char(&r.xml10_content()),
                };
                match c {
                    Some(c) => push_text(&mut stack, c.encode_utf8(&mut [0; 4])),
                    None => damage.push(xml_damage(before, "unknown entity")),
                }
            }
            XmlToken::Eof => {
                if !stack.is_empty() {
                    damage.push(xml_damage(event_start, "truncated event"));
                }
                break;
            }
            _ => {}
        }
    }
    (events, damage)
}

fn local(name: &str) -> &str {
    name.rsplit_once(':').map_or(name, |(_, l)| l)
}

fn xml_damage(offset: u64, what: &'static str) -> Damage {
    Damage {
        offset,
        chunk: None,
        record_id: None,
        reason: DamageKind::BadXml { what },
    }
}

/// Pop the innermost element; returns the event root when it was the last one open.
fn finish(stack: &mut Vec<OwnedElement>) -> Option<OwnedElement> {
    let done = stack.pop()?;
    match stack.last_mut() {
        Some(parent) => {
            parent.children.push(OwnedNode::Element(done));
            None
        }
        None => Some(done),
    }
}

fn push_text(stack: &mut [OwnedElement], text: &str) {
    let Some(top) = stack.last_mut() else { return };
    if let Some(OwnedNode::Text(prev)) = top.children.last_mut() {
        prev.push_str(text);
    } else {
        top.children.push(OwnedNode::Text(text.to_owned()));
    }
}

/// Drop whitespace-only text between elements (indentation), then keep the event if it
/// passes the filter.
fn push_event(
    mut root: OwnedElement,
    offset: u64,
    filter: &EventFilter,
    out: &mut Vec<Event<'static>>,
) {
    strip_layout(&mut root);
    let event = Event::from_xml(XmlEvent { root, offset });
    if filter.matches(&event) {
        out.push(event);
    }
}

fn strip_layout(e: &mut OwnedElement) {
    let has_elements = e.elements().next().is_some();
    if has_elements {
        e.children
            .retain(|n| !matches!(n, OwnedNode::Text(t) if t.trim().is_empty()));
    }
    for n in &mut e.children {
        if let OwnedNode::Element(c) = n {
            strip_layout(c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WEVTUTIL: &str = "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>\
        <Provider Name='CloudBackup' Guid='{1A2B3C4D-0000-1111-2222-333344445555}'/><EventID Qualifiers='0'>11</EventID>\
        <Level>2</Level><TimeCreated SystemTime='2024-03-01T10:00:00.1234567Z'/><EventRecordID>7</EventRecordID>\
        <Channel>CloudBackup</Channel><Computer>SRV01</Computer></System><EventData><Data Name='JobId'>42</Data>\
        <Data Name='Msg'>a &amp; b &lt;c&gt;&#x41;</Data></EventData></Event>\r\n\
        <Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Service Control Manager' \
        Guid='555908d1-a6d7-4695-8e1e-26931d2012f4' EventSourceName='Service Control Manager'/><EventID Qualifiers='49152'>7034</EventID>\
        <TimeCreated SystemTime='2024-03-01T10:00:01Z'/><EventRecordID>8</EventRecordID><Channel>System</Channel>\
        <Computer>SRV01</Computer></System><EventData><Data Name='param1'>OBEngine</Data><Data Name='param2'>1</Data>\
        <Binary>D9060000</Binary></EventData></Event>";

    #[test]
    fn wevtutil_stream_without_root() {
        let (events, damage) = read_xml_events(WEVTUTIL.as_bytes(), &EventFilter::new());
        assert!(damage.is_empty(), "{damage:?}");
        assert_eq!(events.len(), 2);
        let e = &events[0];
        assert_eq!(
            (e.record_id(), e.event_id(), e.level()),
            (7, Some(11), Some(2))
        );
        assert_eq!(
            e.provider_guid().as_deref(),
            Some("{1a2b3c4d-0000-1111-2222-333344445555}")
        );
        assert_eq!(
            e.time_created().unwrap().to_rfc3339(),
            "2024-03-01T10:00:00.123456700+00:00"
        );
        let data: Vec<_> = e
            .data()
            .unwrap()
            .into_iter()
            .map(|f| (f.name.into_owned(), f.value.to_string()))
            .collect();
        assert_eq!(
            data,
            [
                ("JobId".to_owned(), "42".to_owned()),
                ("Msg".into(), "a & b <c>A".into())
            ]
        );
        let e = &events[1];
        assert_eq!((e.event_id(), e.qualifiers()), (Some(7034), Some(49152)));
        assert_eq!(
            e.provider_guid().as_deref(),
            Some("{555908d1-a6d7-4695-8e1e-26931d2012f4}")
        );
        let names: Vec<_> = e
            .data()
            .unwrap()
            .into_iter()
            .map(|f| f.name.into_owned())
            .collect();
        assert_eq!(names, ["param1", "param2", "Binary"]);
        assert!(e
            .to_xml()
            .unwrap()
            .ends_with("<Binary>D9060000</Binary></EventData></Event>"));
        assert_eq!(events[0].to_xml().unwrap().matches("&amp;").count(), 1);
    }

    #[test]
    fn event_viewer_export_with_root_declaration_and_rendering_info() {
        let doc = format!(
            "<?xml version=\"1.0\" encoding=\"utf-16\" standalone=\"yes\"?>\r\n<Events>{}</Events>",
            WEVTUTIL.replace("</EventData></Event>", "</EventData><RenderingInfo Culture='fr-FR'><Message>Le service OBEngine s'est arrêté</Message><Level>Erreur</Level></RenderingInfo></Event>")
        );
        let utf16: Vec<u8> = [0xff, 0xfe]
            .into_iter()
            .chain(doc.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        for input in [doc.as_bytes(), &utf16] {
            let (events, damage) = read_xml_events(input, &EventFilter::new());
            assert!(damage.is_empty());
            assert_eq!(events.len(), 2);
            // RenderingInfo is not payload data.
            assert_eq!(events[1].data().unwrap().len(), 3);
        }
        let only = EventFilter::new().provider("service control manager");
        assert_eq!(read_xml_events(doc.as_bytes(), &only).0.len(), 1);
    }

    #[test]
    fn indented_get_winevent_xml_and_damage() {
        let pretty = "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'>\n  <System>\n    <EventID>1</EventID>\n  </System>\n  <EventData>\n    <Data Name='A'> spaced </Data>\n  </EventData>\n</Event>\n<Event><System><EventID>2";
        let (events, damage) = read_xml_events(pretty.as_bytes(), &EventFilter::new());
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].data().unwrap()[0].value.to_string(), " spaced ");
        assert_eq!(damage.len(), 1);
        assert_eq!(
            damage[0].reason,
            DamageKind::BadXml {
                what: "truncated event"
            }
        );
    }

    #[test]
    fn system_times() {
        let table = [
            (
                "2016-07-08T18:12:51.6816408Z",
                Some("2016-07-08T18:12:51.681640800Z"),
            ),
            ("2016-07-08T18:12:51Z", Some("2016-07-08T18:12:51Z")),
            ("2016-07-08T18:12:51.5Z", Some("2016-07-08T18:12:51.500Z")),
            (
                "2021-05-18T06:30:07.000000000Z",
                Some("2021-05-18T06:30:07Z"),
            ),
            (
                "2021-05-18T06:30:07.833733500Z",
                Some("2021-05-18T06:30:07.833733500Z"),
            ),
            (
                "2021-05-18T18:12:29.4340724+01:00",
                Some("2021-05-18T17:12:29.434072400Z"),
            ),
            ("2021-05-18T18:12:29", Some("2021-05-18T18:12:29Z")),
            ("2021-05-18T06:30:07.0000000000Z", None),
            ("yesterday", None),
        ];
        for (input, want) in table {
            let got = parse_system_time(input)
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true));
            assert_eq!(got.as_deref(), want, "{input}");
        }
    }
}
