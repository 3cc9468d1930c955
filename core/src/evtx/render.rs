//! Rendering: XML as Windows writes it, JSON in the `evtx` crate's shape, and an owned
//! element tree, all driven by one [`Visitor`] interface.
//!
//! # Design notes
//!
//! An event, whether read from EVTX (template + values) or from an XML export (owned
//! tree), is replayed as `open`/`content`/`close` calls with substitutions already
//! resolved, optional-empty values dropped, dependent elements left out and array values
//! expanded into repeated elements. Renderers and the data flattener only see that
//! stream, so both sources render through the same code.

use std::fmt::Write as _;

use serde_json::{Map, Value as Json};

use super::value::{Utf16Str, Value};

/// A piece of element content.
#[derive(Debug, Clone)]
pub(crate) enum Content<'a, 'n> {
    Value(Value<'a>),
    CharRef(u16),
    Entity(&'n str),
    CData(Utf16Str<'a>),
    Pi(&'n str, Utf16Str<'a>),
}

/// Receives a resolved event.
pub(crate) trait Visitor<'a> {
    fn open(&mut self, name: &str, attrs: &[(&str, Value<'a>)]);
    fn content(&mut self, content: Content<'a, '_>);
    fn close(&mut self, name: &str);
}

/// The character an XML predefined entity stands for.
pub(crate) fn entity_char(name: &str) -> Option<char> {
    Some(match name {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "quot" => '"',
        "apos" => '\'',
        _ => return None,
    })
}

/// Append `text` XML-escaped; characters XML forbids become `_`, as Windows writes them.
pub(crate) fn escape_into(out: &mut String, text: &str, in_attribute: bool) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if in_attribute => out.push_str("&quot;"),
            '\'' if in_attribute => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            '\0'..='\x1f' | '\u{fffe}' | '\u{ffff}' => out.push('_'),
            c => out.push(c),
        }
    }
}

/// Writes compact XML with single-quoted attributes (the EvtRender form).
#[derive(Default)]
pub(crate) struct XmlWriter {
    pub(crate) out: String,
    /// Whether the innermost start tag is still open (`<x` written, no `>` yet).
    tag_open: bool,
    scratch: String,
}

impl XmlWriter {
    fn close_tag(&mut self) {
        if self.tag_open {
            self.out.push('>');
            self.tag_open = false;
        }
    }

    fn text(&mut self, v: &Value<'_>) {
        self.scratch.clear();
        match v {
            Value::Str(s) => {
                let _ = write!(self.scratch, "{s}");
            }
            Value::Text(t) => self.scratch.push_str(t),
            other => {
                let _ = write!(self.scratch, "{other}");
            }
        }
    }
}

impl<'a> Visitor<'a> for XmlWriter {
    fn open(&mut self, name: &str, attrs: &[(&str, Value<'a>)]) {
        self.close_tag();
        self.out.push('<');
        self.out.push_str(name);
        for (n, v) in attrs {
            self.text(v);
            self.out.push(' ');
            self.out.push_str(n);
            self.out.push_str("='");
            let text = std::mem::take(&mut self.scratch);
            escape_into(&mut self.out, &text, true);
            self.scratch = text;
            self.out.push('\'');
        }
        self.tag_open = true;
    }

    fn content(&mut self, content: Content<'a, '_>) {
        match content {
            Content::Value(v) => {
                self.text(&v);
                if self.scratch.is_empty() {
                    return;
                }
                self.close_tag();
                let text = std::mem::take(&mut self.scratch);
                escape_into(&mut self.out, &text, false);
                self.scratch = text;
            }
            Content::CharRef(c) => {
                self.close_tag();
                let _ = write!(self.out, "&#{c};");
            }
            Content::Entity(name) => {
                self.close_tag();
                let _ = write!(self.out, "&{name};");
            }
            Content::CData(t) => {
                self.close_tag();
                let _ = write!(self.out, "<![CDATA[{t}]]>");
            }
            Content::Pi(target, data) => {
                self.close_tag();
                let _ = write!(self.out, "<?{target} {data}?>");
            }
        }
    }

    fn close(&mut self, name: &str) {
        if self.tag_open {
            self.out.push_str("/>");
            self.tag_open = false;
        } else {
            self.out.push_str("</");
            self.out.push_str(name);
            self.out.push('>');
        }
    }
}

/// An owned element: the model of XML-export events, and the input of the JSON renderer.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OwnedElement {
    /// Element name (prefix kept, if any).
    pub name: String,
    /// Attributes in document order.
    pub attrs: Vec<(String, String)>,
    /// Child nodes in document order.
    pub children: Vec<OwnedNode>,
}

/// A child of an [`OwnedElement`].
#[derive(Debug, Clone, PartialEq)]
pub enum OwnedNode {
    /// A child element.
    Element(OwnedElement),
    /// Text (entities decoded).
    Text(String),
}

impl OwnedElement {
    /// The first child element named `name`.
    pub fn child(&self, name: &str) -> Option<&OwnedElement> {
        self.elements().find(|e| e.name == name)
    }

    /// The child elements.
    pub fn elements(&self) -> impl Iterator<Item = &OwnedElement> {
        self.children.iter().filter_map(|n| match n {
            OwnedNode::Element(e) => Some(e),
            OwnedNode::Text(_) => None,
        })
    }

    /// The value of attribute `name`.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The concatenated text children.
    pub fn text(&self) -> String {
        let mut s = String::new();
        for n in &self.children {
            if let OwnedNode::Text(t) = n {
                s.push_str(t);
            }
        }
        s
    }

    /// Replay the tree into a visitor.
    pub(crate) fn replay<'s, V: Visitor<'s>>(&'s self, v: &mut V) {
        let attrs: Vec<(&str, Value<'s>)> = self
            .attrs
            .iter()
            .map(|(n, val)| (n.as_str(), Value::Text(val.as_str().into())))
            .collect();
        v.open(&self.name, &attrs);
        for n in &self.children {
            match n {
                OwnedNode::Element(e) => e.replay(v),
                OwnedNode::Text(t) => v.content(Content::Value(Value::Text(t.as_str().into()))),
            }
        }
        v.close(&self.name);
    }
}

/// Builds an [`OwnedElement`] from a replay.
#[derive(Default)]
pub(crate) struct TreeBuilder {
    stack: Vec<OwnedElement>,
    pub(crate) root: Option<OwnedElement>,
}

impl<'a> Visitor<'a> for TreeBuilder {
    fn open(&mut self, name: &str, attrs: &[(&str, Value<'a>)]) {
        self.stack.push(OwnedElement {
            name: name.to_owned(),
            attrs: attrs
                .iter()
                .map(|(n, v)| ((*n).to_owned(), v.to_text().into_owned()))
                .collect(),
            children: Vec::new(),
        });
    }

    fn content(&mut self, content: Content<'a, '_>) {
        let text = match content {
            Content::Value(v) => v.to_text().into_owned(),
            Content::CharRef(c) => char::from_u32(c.into())
                .map(String::from)
                .unwrap_or_default(),
            Content::Entity(n) => entity_char(n).map(String::from).unwrap_or_default(),
            Content::CData(t) => t.to_string(),
            Content::Pi(..) => return,
        };
        if text.is_empty() {
            return;
        }
        if let Some(top) = self.stack.last_mut() {
            if let Some(OwnedNode::Text(prev)) = top.children.last_mut() {
                prev.push_str(&text);
            } else {
                top.children.push(OwnedNode::Text(text));
            }
        }
    }

    fn close(&mut self, _name: &str) {
        let Some(done) = self.stack.pop() else { return };
        match self.stack.last_mut() {
            Some(parent) => parent.children.push(OwnedNode::Element(done)),
            None => self.root = Some(done),
        }
    }
}

/// JSON in the shape the `evtx` crate writes: attributes under `#attributes`, text under
/// `#text` when there are attributes, `Data Name=X` elements as `"X": value`, repeated
/// names as arrays, empty elements as `null`.
pub(crate) fn to_json(root: &OwnedElement) -> Json {
    let mut top = Map::new();
    top.insert(root.name.clone(), element_json(root));
    Json::Object(top)
}

fn text_json(text: &str) -> Json {
    if let Ok(n) = text.parse::<u64>() {
        if !text.starts_with('0') || text == "0" {
            return Json::from(n);
        }
    }
    if let Ok(n) = text.parse::<i64>() {
        if text.starts_with('-') && !text.starts_with("-0") {
            return Json::from(n);
        }
    }
    match text {
        "true" => Json::Bool(true),
        "false" => Json::Bool(false),
        _ => Json::String(text.to_owned()),
    }
}

fn element_json(e: &OwnedElement) -> Json {
    let has_children = e.elements().next().is_some();
    let text = e.text();
    if !has_children && e.attrs.is_empty() {
        return if text.is_empty() {
            Json::Null
        } else {
            text_json(&text)
        };
    }
    let mut map = Map::new();
    if !e.attrs.is_empty() {
        let attrs: Map<String, Json> = e
            .attrs
            .iter()
            .map(|(n, v)| (n.clone(), text_json(v)))
            .collect();
        map.insert("#attributes".into(), Json::Object(attrs));
    }
    for child in e.elements() {
        let (key, value) = match child.attr("Name") {
            Some(n) if child.name == "Data" => {
                let t = child.text();
                (
                    n.to_owned(),
                    if t.is_empty() {
                        Json::Null
                    } else {
                        text_json(&t)
                    },
                )
            }
            _ => (child.name.clone(), element_json(child)),
        };
        match map.get_mut(&key) {
            Some(Json::Array(items)) => items.push(value),
            Some(prev) => {
                let first = prev.take();
                *prev = Json::Array(vec![first, value]);
            }
            None => {
                map.insert(key, value);
            }
        }
    }
    if !text.is_empty() {
        map.insert("#text".into(), text_json(&text));
    }
    Json::Object(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> OwnedElement {
        let data = |n: &str, v: &str| {
            OwnedNode::Element(OwnedElement {
                name: "Data".into(),
                attrs: vec![("Name".into(), n.into())],
                children: vec![OwnedNode::Text(v.into())],
            })
        };
        OwnedElement {
            name: "Event".into(),
            attrs: vec![("xmlns".into(), "urn:x".into())],
            children: vec![OwnedNode::Element(OwnedElement {
                name: "EventData".into(),
                attrs: vec![],
                children: vec![data("A", "1"), data("B", "x<'y'>"), data("A", "2")],
            })],
        }
    }

    #[test]
    fn xml_is_compact_and_escaped() {
        let mut w = XmlWriter::default();
        sample().replay(&mut w);
        assert_eq!(
            w.out,
            "<Event xmlns='urn:x'><EventData><Data Name='A'>1</Data>\
             <Data Name='B'>x&lt;'y'&gt;</Data><Data Name='A'>2</Data></EventData></Event>"
        );
    }

    #[test]
    fn json_shape() {
        let j = to_json(&sample());
        assert_eq!(
            j,
            serde_json::json!({"Event": {"#attributes": {"xmlns": "urn:x"},
                "EventData": {"A": [1, 2], "B": "x<'y'>"}}})
        );
    }

    #[test]
    fn tree_builder_round_trips() {
        let mut b = TreeBuilder::default();
        sample().replay(&mut b);
        assert_eq!(b.root.unwrap(), sample());
    }
}
