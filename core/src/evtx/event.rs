//! [`Event`]: one event, read lazily from an EVTX record or held from an XML export.
//!
//! # Invariants
//!
//! * An EVTX event is a record header, a compiled template and the record's value table,
//!   all borrowed from the file buffer (plus a reference count on the template). Building
//!   one reads the record header and the value spec, nothing else. The reader then
//!   resolves the templates of nested BinXML payloads (only for events that pass the
//!   filter), so the event owns every template its data walk needs.
//! * System fields are answered through the template's field map: a literal, or a slice
//!   of one substitution value. Only fields the map cannot place (mixed content) resolve
//!   the tree.
//! * XML and JSON are produced by walking the template with the values (`Walk`, driving a
//!   `Visitor`); EventData/UserData items by a direct walk that allocates nothing per
//!   element and borrows names from the templates (the `data` module), with the `Walk`
//!   plus `Flatten` as the exact reference it falls back to on anything unusual. Both are
//!   bounded by [`MAX_FRAGMENT_DEPTH`] and a node budget, so a hostile record cannot loop
//!   or explode.

use std::borrow::Cow;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::binxml::{BinXmlError, Cursor, Element, Node, Top, TreeParser, Values};
use super::data::{DataSink, Nested, NestedTop};
use super::render::{self, Content, OwnedElement, TreeBuilder, Visitor, XmlWriter};
use super::template::{ChunkRef, SlotKind, Source, SystemField, Template, TemplateCache};
use super::value::{filetime_to_datetime, Value};
use super::xml::XmlEvent;
use super::{Damage, DamageKind};

/// How deeply BinXML values may nest inside one another.
pub const MAX_FRAGMENT_DEPTH: usize = 16;
/// Most elements one event may expand to (array expansion included).
pub const MAX_EXPANDED_NODES: usize = 1 << 18;

/// One event. Cheap to clone; borrows the input buffer for `'a`.
#[derive(Debug, Clone)]
pub struct Event<'a> {
    pub(crate) repr: Repr<'a>,
}

#[derive(Debug, Clone)]
#[allow(clippy::large_enum_variant)] // the EVTX variant is the hot one; XML is boxed
pub(crate) enum Repr<'a> {
    Evtx(EvtxEvent<'a>),
    Xml(Arc<XmlEvent>),
}

#[derive(Debug, Clone)]
pub(crate) struct EvtxEvent<'a> {
    pub(crate) chunk: ChunkRef<'a>,
    /// Chunk offset of the record.
    offset: u32,
    pub(crate) record_id: u64,
    written: u64,
    pub(crate) template: Arc<Template<'a>>,
    pub(crate) values: Values<'a>,
    /// Templates of the nested BinXML payloads (see [`Event::resolve_nested`]).
    pub(crate) nested: Nested<'a>,
}

/// One EventData/UserData item: a name and its value.
#[derive(Debug, Clone, PartialEq)]
pub struct DataField<'e> {
    /// `Data@Name`, or the element/attribute name for other payloads.
    pub name: Cow<'e, str>,
    /// The typed value.
    pub value: Value<'e>,
}

impl<'a> Event<'a> {
    /// Read the event of the record at chunk offset `offset` (header already validated).
    pub(crate) fn from_record(
        ctx: &mut TemplateCache<'a>,
        offset: usize,
        header: &super::record::RecordHeader,
    ) -> Result<Event<'a>, BinXmlError> {
        let start = offset + super::record::RECORD_HEADER_SIZE;
        let end = offset + header.size as usize - 4;
        let mut c = Cursor::new(ctx.chunk.data, start, end);
        while c.peek() == Some(super::binxml::token::FRAGMENT_HEADER) {
            c.take(4, "fragment header")?;
        }
        let (template, values) = if c.peek() == Some(super::binxml::token::TEMPLATE_INSTANCE) {
            c.pos += 1;
            let inst = super::binxml::template_instance(&mut c)?;
            (ctx.template(inst.def_offset)?, inst.values)
        } else {
            let mut p = TreeParser::new(c, false);
            match p.fragment()?.into_iter().next() {
                Some(Top::Element(e)) => (Arc::new(Template::new(e)), Values::EMPTY),
                Some(Top::Instance(i)) => (ctx.template(i.def_offset)?, i.values),
                None => {
                    return Err(BinXmlError {
                        offset: start,
                        what: "empty record",
                    })
                }
            }
        };
        Ok(Event {
            repr: Repr::Evtx(EvtxEvent {
                chunk: ctx.chunk,
                offset: offset as u32,
                record_id: header.record_id,
                written: header.written,
                template,
                values,
                nested: Nested::None,
            }),
        })
    }

    /// Resolve the templates of the event's nested BinXML payloads through the chunk's
    /// cache and keep them in the event (done by the reader for events it returns).
    pub(crate) fn resolve_nested(&mut self, ctx: &mut TemplateCache<'a>) {
        if let Repr::Evtx(e) = &mut self.repr {
            e.nested = Nested::resolve(ctx, e.values);
        }
    }

    pub(crate) fn from_xml(x: XmlEvent) -> Event<'static> {
        Event {
            repr: Repr::Xml(Arc::new(x)),
        }
    }

    /// EventRecordID (from the record header for EVTX).
    pub fn record_id(&self) -> u64 {
        match &self.repr {
            Repr::Evtx(e) => e.record_id,
            Repr::Xml(_) => self
                .system(SystemField::EventRecordId)
                .and_then(|v| v.as_u64())
                .unwrap_or(0),
        }
    }

    /// When the record was written (EVTX record header), else `TimeCreated`.
    pub fn timestamp(&self) -> Option<DateTime<Utc>> {
        match &self.repr {
            Repr::Evtx(e) => filetime_to_datetime(e.written),
            Repr::Xml(_) => self.time_created(),
        }
    }

    /// The record header's FILETIME (EVTX only).
    pub fn written_filetime(&self) -> Option<u64> {
        match &self.repr {
            Repr::Evtx(e) => Some(e.written),
            Repr::Xml(_) => None,
        }
    }

    /// `System/TimeCreated@SystemTime`.
    pub fn time_created(&self) -> Option<DateTime<Utc>> {
        self.system(SystemField::TimeCreated)?.as_datetime()
    }

    /// `System/EventID`.
    pub fn event_id(&self) -> Option<u32> {
        self.system_u64(SystemField::EventId)
            .and_then(|v| u32::try_from(v).ok())
    }

    /// `System/EventID@Qualifiers`.
    pub fn qualifiers(&self) -> Option<u16> {
        self.system_u64(SystemField::Qualifiers)
            .and_then(|v| u16::try_from(v).ok())
    }

    /// `System/Version`.
    pub fn version(&self) -> Option<u8> {
        self.system_u64(SystemField::Version)
            .and_then(|v| u8::try_from(v).ok())
    }

    /// `System/Level` (0 LogAlways, 1 Critical, 2 Error, 3 Warning, 4 Information, 5 Verbose).
    pub fn level(&self) -> Option<u8> {
        self.system_u64(SystemField::Level)
            .and_then(|v| u8::try_from(v).ok())
    }

    /// `System/Task`.
    pub fn task(&self) -> Option<u16> {
        self.system_u64(SystemField::Task)
            .and_then(|v| u16::try_from(v).ok())
    }

    /// `System/Opcode`.
    pub fn opcode(&self) -> Option<u8> {
        self.system_u64(SystemField::Opcode)
            .and_then(|v| u8::try_from(v).ok())
    }

    /// `System/Keywords`.
    pub fn keywords(&self) -> Option<u64> {
        self.system_u64(SystemField::Keywords)
    }

    /// `System/Provider@Name`.
    pub fn provider_name(&self) -> Option<Cow<'_, str>> {
        self.system_text(SystemField::ProviderName)
    }

    /// `System/Provider@Guid`, as `{xxxxxxxx-…}` in lowercase (XML inputs are normalised:
    /// braces optional, any case).
    pub fn provider_guid(&self) -> Option<Cow<'_, str>> {
        let text = self.system_text(SystemField::ProviderGuid)?;
        Some(match normalize_guid(&text) {
            Some(g) if g != text => Cow::Owned(g),
            _ => text,
        })
    }

    /// `System/Channel`.
    pub fn channel(&self) -> Option<Cow<'_, str>> {
        self.system_text(SystemField::Channel)
    }

    /// `System/Computer`.
    pub fn computer(&self) -> Option<Cow<'_, str>> {
        self.system_text(SystemField::Computer)
    }

    /// `System/Execution@ProcessID`.
    pub fn process_id(&self) -> Option<u32> {
        self.system_u64(SystemField::ProcessId)
            .and_then(|v| u32::try_from(v).ok())
    }

    /// `System/Execution@ThreadID`.
    pub fn thread_id(&self) -> Option<u32> {
        self.system_u64(SystemField::ThreadId)
            .and_then(|v| u32::try_from(v).ok())
    }

    /// `System/Security@UserID` (a SID string).
    pub fn user_id(&self) -> Option<Cow<'_, str>> {
        self.system_text(SystemField::UserId)
    }

    /// File offset of the record (EVTX only).
    pub fn offset(&self) -> Option<u64> {
        match &self.repr {
            Repr::Evtx(e) => Some(e.chunk.file_offset + u64::from(e.offset)),
            Repr::Xml(x) => Some(x.offset),
        }
    }

    /// Index of the chunk holding the record (EVTX only).
    pub fn chunk(&self) -> Option<u64> {
        match &self.repr {
            Repr::Evtx(e) => Some(e.chunk.number),
            Repr::Xml(_) => None,
        }
    }

    /// Any System field, typed. `None` when absent or NULL.
    #[inline]
    pub fn system(&self, field: SystemField) -> Option<Value<'_>> {
        if let Repr::Evtx(e) = &self.repr {
            let slot = e.template.slots[field as usize];
            match slot.kind {
                SlotKind::Subst => {}
                SlotKind::DependentSubst => {
                    if e.values.is_null(slot.dependency.into()) {
                        return None;
                    }
                }
                SlotKind::Absent => return None,
                SlotKind::Other => return self.system_other(field),
            }
            let v = e.values.get(slot.index.into());
            return (!v.is_null()).then_some(v);
        }
        self.system_other(field)
    }

    /// [`Event::system`] for XML events, literals and mixed content.
    #[inline(never)]
    fn system_other(&self, field: SystemField) -> Option<Value<'_>> {
        match &self.repr {
            Repr::Xml(x) => x.system(field).map(|s| Value::Text(Cow::Borrowed(s))),
            Repr::Evtx(e) => match &e.template.map.fields[field as usize] {
                Source::Absent => None,
                Source::Literal(s) => Some(Value::Text(Cow::Borrowed(s))),
                Source::Subst { index, dependency } => {
                    if dependency.is_some_and(|d| e.values.is_null(d.into())) {
                        return None;
                    }
                    Some(e.values.get((*index).into())).filter(|v| !v.is_null())
                }
                Source::Complex => {
                    let tree = self.to_tree().ok()?;
                    let (el, attr) = field.path();
                    let el = tree.child("System")?.child(el)?;
                    let text = match attr {
                        Some(a) => el.attr(a)?.to_owned(),
                        None => el.text(),
                    };
                    Some(Value::Text(Cow::Owned(text)))
                }
            },
        }
    }

    fn system_u64(&self, field: SystemField) -> Option<u64> {
        self.system(field)?.as_u64()
    }

    fn system_text(&self, field: SystemField) -> Option<Cow<'_, str>> {
        Some(self.system(field)?.to_text())
    }

    /// Whether a System text field equals `want`, ignoring ASCII case, without allocating
    /// for UTF-16 values.
    pub(crate) fn system_eq(&self, field: SystemField, want: &str) -> bool {
        match self.system(field) {
            Some(Value::Str(s)) => s.eq_ignore_ascii_case(want),
            Some(v) => v.to_text().eq_ignore_ascii_case(want),
            None => false,
        }
    }

    /// Replay the resolved event into `v`.
    fn walk<'s, V: Visitor<'s>>(&'s self, v: &mut V) -> Result<(), Damage> {
        match &self.repr {
            Repr::Xml(x) => {
                x.root.replay(v);
                Ok(())
            }
            Repr::Evtx(e) => {
                let mut w = Walk {
                    chunk: e.chunk,
                    nested: &e.nested,
                    depth: 0,
                    budget: MAX_EXPANDED_NODES,
                };
                let values = e.values;
                w.element(&e.template.root, &values, &mut Vec::new(), v, true)
                    .map_err(|err| {
                        Damage::new(
                            &e.chunk,
                            Some(e.record_id),
                            err.offset,
                            DamageKind::BadBinXml { what: err.what },
                        )
                    })
            }
        }
    }

    /// The EventData/UserData (or other payload) items in document order: `Data@Name` (or
    /// the element name) with the element's value, and each attribute (except `xmlns` and
    /// `Data@Name`) as its own item. Array values are expanded into one item per element.
    ///
    /// Names borrow from the event's templates and values from the file buffer: the only
    /// allocation is the returned vector (plus text joined from several pieces, rare).
    pub fn data(&self) -> Result<Vec<DataField<'_>>, Damage> {
        let mut out = Vec::with_capacity(self.items_hint());
        self.data_into(&mut out)?;
        Ok(out)
    }

    /// About how many data items the event has (elements of its templates outside
    /// `System`).
    fn items_hint(&self) -> usize {
        match &self.repr {
            Repr::Evtx(e) => {
                let nested = match &e.nested {
                    Nested::One(_, NestedTop::Instance(t, _) | NestedTop::Element(t)) => {
                        t.items_hint
                    }
                    Nested::One(_, NestedTop::Flat(f)) => f.items_hint,
                    _ => 0,
                };
                e.template.items_hint + nested
            }
            Repr::Xml(_) => 8,
        }
    }

    /// Feed the data items to `sink`: the fast walk, or on anything it does not handle
    /// (and on damage, to report it exactly), the reference walk after `sink.reset()`.
    pub(crate) fn data_into<'e, S: DataSink<'e>>(&'e self, sink: &mut S) -> Result<(), Damage> {
        if let Repr::Evtx(e) = &self.repr {
            if super::data::fast_data(e, sink).is_ok() {
                return Ok(());
            }
            sink.reset();
        }
        let mut f = Flatten {
            stack: Vec::new(),
            out: sink,
        };
        self.walk(&mut f)
    }

    /// The reference walk alone (tests compare the fast walk with it).
    #[cfg(test)]
    pub(crate) fn data_reference_into<'e, S: DataSink<'e>>(
        &'e self,
        sink: &mut S,
    ) -> Result<(), Damage> {
        let mut f = Flatten {
            stack: Vec::new(),
            out: sink,
        };
        self.walk(&mut f)
    }

    /// The event as an owned element tree.
    pub fn to_tree(&self) -> Result<OwnedElement, Damage> {
        let mut b = TreeBuilder::default();
        self.walk(&mut b)?;
        Ok(b.root.unwrap_or_default())
    }

    /// The event as XML, the way EvtRender writes it (compact, single-quoted attributes).
    pub fn to_xml(&self) -> Result<String, Damage> {
        let mut w = XmlWriter::default();
        self.walk(&mut w)?;
        Ok(w.out)
    }

    /// The event as JSON, in the `evtx` crate's shape.
    pub fn to_json(&self) -> Result<serde_json::Value, Damage> {
        Ok(render::to_json(&self.to_tree()?))
    }
}

/// `{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}` lowercase, from a GUID with or without braces.
pub fn normalize_guid(s: &str) -> Option<String> {
    let t = s.trim();
    let inner = t
        .strip_prefix('{')
        .and_then(|x| x.strip_suffix('}'))
        .unwrap_or(t);
    let ok = inner.len() == 36
        && inner.char_indices().all(|(i, c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        });
    ok.then(|| format!("{{{}}}", inner.to_ascii_lowercase()))
}

/// Is a value "empty" for an optional substitution (left out entirely)?
pub(crate) fn optional_empty(v: &Value<'_>) -> bool {
    match v {
        Value::Null => true,
        Value::Str(s) => s.is_empty(),
        Value::Text(t) => t.is_empty(),
        Value::Binary(b) | Value::BinXml(b) => b.is_empty(),
        Value::Array { bytes, .. } => bytes.is_empty(),
        _ => false,
    }
}

/// Template walk state.
struct Walk<'c, 'a> {
    chunk: ChunkRef<'a>,
    nested: &'c Nested<'a>,
    depth: usize,
    budget: usize,
}

/// Values replaced while an array is expanded: (index, item).
pub(crate) type Overrides<'a> = Vec<(u16, Value<'a>)>;

impl<'a> Walk<'_, 'a> {
    fn value(values: &Values<'a>, over: &Overrides<'a>, index: u16) -> Value<'a> {
        match over.iter().rev().find(|(i, _)| *i == index) {
            Some((_, v)) => v.clone(),
            None => values.get(index.into()),
        }
    }

    /// The first substitution of `el` (content, then attributes) holding an array of more
    /// than one item.
    fn expandable(el: &Element<'a>, values: &Values<'a>, over: &Overrides<'a>) -> Option<u16> {
        let pieces = el
            .content
            .iter()
            .chain(el.attrs.iter().flat_map(|a| a.value.iter()));
        pieces.into_iter().find_map(|n| match n {
            Node::Subst { index, .. } => {
                let v = Self::value(values, over, *index);
                (v.array_len()? > 1).then_some(*index)
            }
            _ => None,
        })
    }

    fn element<'s, V: Visitor<'s>>(
        &mut self,
        el: &Element<'a>,
        values: &Values<'a>,
        over: &mut Overrides<'a>,
        v: &mut V,
        root: bool,
    ) -> Result<(), BinXmlError>
    where
        'a: 's,
    {
        if !root
            && el
                .dependency
                .is_some_and(|d| Self::value(values, over, d).is_null())
        {
            return Ok(());
        }
        if let Some(index) = Self::expandable(el, values, over) {
            for item in Self::value(values, over, index).array_items() {
                let item = if optional_empty(&item) {
                    Value::Null
                } else {
                    item
                };
                over.push((index, item));
                let r = self.element(el, values, over, v, true);
                over.pop();
                r?;
            }
            return Ok(());
        }
        self.budget = self.budget.checked_sub(1).ok_or(BinXmlError {
            offset: 0,
            what: "event too large",
        })?;
        let mut attrs: Vec<(&str, Value<'a>)> = Vec::with_capacity(el.attrs.len());
        for a in &el.attrs {
            let mut pieces = a
                .value
                .iter()
                .filter_map(|n| self.attr_piece(n, values, over));
            let Some(first) = pieces.next() else { continue };
            let value = match pieces.next() {
                None => first,
                Some(second) => {
                    let mut s = first.to_text().into_owned();
                    s.push_str(&second.to_text());
                    pieces.for_each(|p| s.push_str(&p.to_text()));
                    Value::Text(Cow::Owned(s))
                }
            };
            attrs.push((&a.name, value));
        }
        v.open(&el.name, &attrs);
        for n in &el.content {
            match n {
                Node::Element(child) => self.element(child, values, over, v, false)?,
                Node::Text(t) => v.content(Content::Value(Value::Str(*t))),
                Node::Value(x) => v.content(Content::Value((**x).clone())),
                Node::Subst { index, optional } => {
                    let x = Self::value(values, over, *index);
                    if let Value::BinXml(bytes) = x {
                        self.fragment(bytes, v)?;
                    } else if !(*optional && optional_empty(&x)) {
                        v.content(Content::Value(x));
                    }
                }
                Node::CharRef(c) => v.content(Content::CharRef(*c)),
                Node::EntityRef(name) => v.content(Content::Entity(name)),
                Node::CData(t) => v.content(Content::CData(*t)),
                Node::Pi(pi) => v.content(Content::Pi(&pi.0, pi.1)),
            }
        }
        v.close(&el.name);
        Ok(())
    }

    fn attr_piece(
        &self,
        n: &Node<'a>,
        values: &Values<'a>,
        over: &Overrides<'a>,
    ) -> Option<Value<'a>> {
        match n {
            Node::Text(t) => Some(Value::Str(*t)),
            Node::Value(x) => Some((**x).clone()),
            Node::Subst { index, optional } => {
                let x = Self::value(values, over, *index);
                match x {
                    Value::BinXml(_) => None,
                    x if *optional && optional_empty(&x) => None,
                    x => Some(x),
                }
            }
            Node::CharRef(c) => {
                char::from_u32((*c).into()).map(|c| Value::Text(c.to_string().into()))
            }
            Node::EntityRef(name) => {
                render::entity_char(name).map(|c| Value::Text(c.to_string().into()))
            }
            _ => None,
        }
    }

    /// A nested BinXML value: template instances and/or elements.
    fn fragment<'s, V: Visitor<'s>>(
        &mut self,
        bytes: &'a [u8],
        v: &mut V,
    ) -> Result<(), BinXmlError>
    where
        'a: 's,
    {
        let data = self.chunk.data;
        let start = (bytes.as_ptr() as usize).wrapping_sub(data.as_ptr() as usize);
        if start > data.len() || start + bytes.len() > data.len() {
            return Err(BinXmlError {
                offset: 0,
                what: "value outside chunk",
            });
        }
        if self.depth >= MAX_FRAGMENT_DEPTH {
            return Err(BinXmlError {
                offset: start,
                what: "values nested too deep",
            });
        }
        self.depth += 1;
        let empty = Values::EMPTY;
        if let Some([NestedTop::Flat(f)]) = self.nested.get(start) {
            super::flat::replay(f, &mut self.budget, v)?;
        } else if let Some(tops) = self.nested.get(start) {
            for top in tops {
                match top {
                    NestedTop::Instance(t, values) => {
                        self.element(&t.root, &values.index(), &mut Vec::new(), v, true)?;
                    }
                    NestedTop::Element(t) => {
                        self.element(&t.root, &empty, &mut Vec::new(), v, true)?
                    }
                    // Only ever a fragment's one item, replayed above.
                    NestedTop::Flat(_) => {}
                }
            }
        } else {
            let mut p = TreeParser::new(Cursor::new(data, start, start + bytes.len()), false);
            let tops = p.fragment()?;
            for top in tops {
                match top {
                    Top::Instance(inst) => {
                        let t = super::template::compile(data, inst.def_offset as usize)?;
                        let values = inst.values;
                        self.element(&t.root, &values, &mut Vec::new(), v, true)?;
                    }
                    Top::Element(e) => self.element(&e, &empty, &mut Vec::new(), v, true)?,
                }
            }
        }
        self.depth -= 1;
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// `Event`, `System`, `RenderingInfo`: not data.
    Outside,
    /// `EventData`, `UserData`, …: the payload's root.
    PayloadRoot,
    /// Below the payload root.
    Field,
}

struct Frame<'e> {
    name: Cow<'e, str>,
    key: Option<Cow<'e, str>>,
    mode: Mode,
    has_child: bool,
    pieces: Vec<Value<'e>>,
}

/// Flattens a replay into data items (the reference the fast walk must agree with).
struct Flatten<'e, 's, S> {
    stack: Vec<Frame<'e>>,
    out: &'s mut S,
}

impl<'e, S: DataSink<'e>> Visitor<'e> for Flatten<'e, '_, S> {
    fn open(&mut self, name: &str, attrs: &[(&str, Value<'e>)]) {
        let depth = self.stack.len();
        let mode = match self.stack.last_mut() {
            None if name == "Event" => Mode::Outside,
            None => Mode::PayloadRoot,
            Some(p) => {
                p.has_child = true;
                match p.mode {
                    Mode::Outside if depth == 1 && name != "System" && name != "RenderingInfo" => {
                        Mode::PayloadRoot
                    }
                    Mode::Outside => Mode::Outside,
                    Mode::PayloadRoot | Mode::Field => Mode::Field,
                }
            }
        };
        let is_data = name == "Data";
        let mut key = None;
        for (n, v) in attrs {
            if is_data && *n == "Name" {
                key = Some(Cow::Owned(v.to_text().into_owned()));
            } else if mode != Mode::Outside && !n.starts_with("xmlns") {
                self.out.item(Cow::Owned((*n).to_owned()), v.clone(), false);
            }
        }
        self.stack.push(Frame {
            name: Cow::Owned(name.to_owned()),
            key,
            mode,
            has_child: false,
            pieces: Vec::new(),
        });
    }

    fn content(&mut self, content: Content<'e, '_>) {
        let Some(top) = self.stack.last_mut() else {
            return;
        };
        if top.mode != Mode::Field {
            return;
        }
        let v = match content {
            Content::Value(v) => v,
            Content::CharRef(c) => Value::Text(
                char::from_u32(c.into())
                    .map(String::from)
                    .unwrap_or_default()
                    .into(),
            ),
            Content::Entity(n) => Value::Text(
                render::entity_char(n)
                    .map(String::from)
                    .unwrap_or_default()
                    .into(),
            ),
            Content::CData(t) => Value::Str(t),
            Content::Pi(..) => return,
        };
        top.pieces.push(v);
    }

    fn close(&mut self, _name: &str) {
        let Some(f) = self.stack.pop() else { return };
        if f.mode != Mode::Field || f.has_child {
            return;
        }
        let mut pieces = f.pieces.into_iter().filter(|p| !p.is_null());
        let value = match (pieces.next(), pieces.next()) {
            (None, _) => Value::Null,
            (Some(one), None) => one,
            (Some(a), Some(b)) => {
                let mut s = a.to_text().into_owned();
                s.push_str(&b.to_text());
                pieces.for_each(|p| s.push_str(&p.to_text()));
                Value::Text(Cow::Owned(s))
            }
        };
        let unnamed = f.key.is_none() && f.name == "Data";
        self.out.item(f.key.unwrap_or(f.name), value, unnamed);
    }
}
