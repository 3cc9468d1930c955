//! EventData/UserData items, fast: a direct walk of the compiled templates with the
//! values, feeding a [`DataSink`].
//!
//! # Design notes
//!
//! The reference semantics are the `Walk` + `Flatten` pair of the `event` module (a
//! replay of the whole event through a visitor). This walk gives the same items without
//! its costs:
//!
//! * nothing is allocated per element: names are borrowed from the templates (`Data@Name`
//!   literals are decoded once, when the template is compiled), values from the file;
//! * the `System` and `RenderingInfo` subtrees of a template's `Event` root are skipped
//!   (they produce no item) unless one of their substitutions holds BinXML or an array
//!   in this event;
//! * values are read in O(1) through the offsets [`Values`] keeps;
//! * nested payloads use the templates the reader resolved into the event ([`Nested`]),
//!   so the walk never compiles or looks anything up.
//!
//! Before this walk, the template's plan (the `plan` module) is tried: for the common
//! shapes it lists the items outright, and gives way to this walk on anything else.
//!
//! Anything else — a nested fragment that was not resolved, damage, the node budget
//! running out — stops the walk with `Fallback`, and the caller replays the event
//! through the reference walk after resetting the sink: rare cases stay exact (damage
//! included), common ones are fast.

use std::borrow::Cow;
use std::sync::Arc;

use super::binxml::{
    single_instance, Attribute, Cursor, DataKey, Element, Node, RawValues, Top, TreeParser, Values,
};
use super::event::{optional_empty, EvtxEvent, Mode, Overrides, MAX_EXPANDED_NODES};
use super::event::{DataField, MAX_FRAGMENT_DEPTH};
use super::flat::Flat;
use super::render::entity_char;
use super::template::{Template, TemplateCache};
use super::value::{Value, ValueType};

/// Receives data items in document order.
pub(crate) trait DataSink<'e> {
    /// One item. `unnamed` is true for a `Data` element without a `Name` attribute.
    fn item(&mut self, name: Cow<'e, str>, value: Value<'e>, unnamed: bool);
    /// Forget the items received so far (the walk starts again).
    fn reset(&mut self);
    /// An item named by a template literal; `plain` when the name holds no character that
    /// JSON escapes (a control character, `"` or `\\`), `fresh` when no other item of
    /// the event has the same name.
    fn item_static(
        &mut self,
        name: &'e str,
        plain: bool,
        fresh: bool,
        value: Value<'e>,
        unnamed: bool,
    ) {
        let _ = (plain, fresh);
        self.item(Cow::Borrowed(name), value, unnamed);
    }
}

impl<'e> DataSink<'e> for Vec<DataField<'e>> {
    fn item(&mut self, name: Cow<'e, str>, value: Value<'e>, _unnamed: bool) {
        self.push(DataField { name, value });
    }

    fn reset(&mut self) {
        self.clear();
    }
}

/// A top-level item of a resolved nested fragment.
#[derive(Debug, Clone)]
pub(crate) enum NestedTop<'a> {
    /// A template instance: its compiled template and its values.
    Instance(Arc<Template<'a>>, RawValues<'a>),
    /// An untemplated element tree.
    Element(Arc<Template<'a>>),
    /// An untemplated fragment of elements, attributes and text, as flat ops (the whole
    /// fragment: always its only item).
    Flat(Arc<Flat<'a>>),
}

/// The nested BinXML payloads of an event, by the chunk offset of their value bytes.
#[derive(Debug, Clone, Default)]
pub(crate) enum Nested<'a> {
    /// None (or not resolved).
    #[default]
    None,
    /// One fragment holding one item: the common EventData/UserData payload.
    One(usize, NestedTop<'a>),
    /// Anything else.
    Many(Arc<[(usize, Box<[NestedTop<'a>]>)]>),
}

impl<'a> Nested<'a> {
    /// The items of the fragment whose bytes start at chunk offset `start`.
    pub(crate) fn get(&self, start: usize) -> Option<&[NestedTop<'a>]> {
        match self {
            Nested::None => None,
            Nested::One(s, top) => (*s == start).then_some(std::slice::from_ref(top)),
            Nested::Many(all) => all.iter().find(|(s, _)| *s == start).map(|(_, t)| &t[..]),
        }
    }

    /// Resolve every BinXML value of `values`, and of the instances found in them, down to
    /// [`MAX_FRAGMENT_DEPTH`]. A fragment that does not read, or whose template does not
    /// compile, is left out: walks then parse it themselves and report the damage.
    pub(crate) fn resolve(ctx: &mut TemplateCache<'a>, values: Values<'a>) -> Nested<'a> {
        let mut found = Found::default();
        resolve_into(ctx, values, 0, &mut found);
        match found {
            Found {
                one: Some((s, top)),
                many,
            } if many.is_empty() => Nested::One(s, top),
            Found { one, mut many } => {
                if let Some((s, top)) = one {
                    many.insert(0, (s, Box::new([top])));
                }
                if many.is_empty() {
                    Nested::None
                } else {
                    Nested::Many(many.into())
                }
            }
        }
    }
}

#[derive(Default)]
struct Found<'a> {
    one: Option<(usize, NestedTop<'a>)>,
    many: Vec<(usize, Box<[NestedTop<'a>]>)>,
}

fn resolve_into<'a>(
    ctx: &mut TemplateCache<'a>,
    values: Values<'a>,
    depth: usize,
    found: &mut Found<'a>,
) {
    if depth >= MAX_FRAGMENT_DEPTH {
        return;
    }
    let data = ctx.chunk.data;
    for i in values.indices_of(ValueType::BINXML) {
        let Some((ValueType::BINXML, bytes)) = values.raw(i) else {
            continue;
        };
        if bytes.is_empty() {
            continue;
        }
        let start = (bytes.as_ptr() as usize).wrapping_sub(data.as_ptr() as usize);
        if start > data.len() || start + bytes.len() > data.len() {
            continue;
        }
        let cursor = Cursor::new(data, start, start + bytes.len());
        if let Some(inst) = single_instance(cursor.clone()) {
            let Ok(t) = ctx.template(inst.def_offset) else {
                continue;
            };
            let top = NestedTop::Instance(t, inst.values.raw_values());
            if found.one.is_none() && found.many.is_empty() {
                found.one = Some((start, top));
            } else {
                found.many.push((start, Box::new([top])));
            }
            resolve_into(ctx, inst.values, depth + 1, found);
        } else {
            resolve_other(ctx, cursor, depth, found);
        }
    }
}

/// A fragment that is not one template instance: flat when it has the shape (the `flat`
/// module), else its items resolved one by one.
#[inline(never)]
fn resolve_other<'a>(
    ctx: &mut TemplateCache<'a>,
    cursor: Cursor<'a>,
    depth: usize,
    found: &mut Found<'a>,
) {
    let (data, start, end) = (cursor.data, cursor.pos, cursor.end);
    let (names, scratch) = ctx.flat_bufs();
    if let Some(flat) = super::flat::build(data, start, end, names, scratch) {
        // No substitutions inside: nothing further to resolve.
        let top = NestedTop::Flat(Arc::new(flat));
        if found.one.is_none() && found.many.is_empty() {
            found.one = Some((start, top));
        } else {
            found.many.push((start, Box::new([top])));
        }
        return;
    }
    let Ok(tops) = TreeParser::new(cursor, false).fragment() else {
        return;
    };
    let total = tops.len();
    let mut resolved = Vec::with_capacity(total);
    let mut inner = Vec::new();
    for top in tops {
        match top {
            Top::Instance(inst) => match ctx.template(inst.def_offset) {
                Ok(t) => {
                    resolved.push(NestedTop::Instance(t, inst.values.raw_values()));
                    inner.push(inst.values);
                }
                Err(_) => break,
            },
            Top::Element(e) => resolved.push(NestedTop::Element(Arc::new(Template::new(e)))),
        }
    }
    if resolved.len() != total {
        // A template failed to compile: left to the walks, which report it.
        return;
    }
    found.many.push((start, resolved.into()));
    for v in inner {
        resolve_into(ctx, v, depth + 1, found);
    }
}

/// Why the fast walk stopped.
pub(crate) struct Fallback;

/// Walk the event's data items into `sink` (see the module docs).
pub(crate) fn fast_data<'e, 'a: 'e, S: DataSink<'e>>(
    e: &'e EvtxEvent<'a>,
    sink: &mut S,
) -> Result<(), Fallback> {
    if let Some(plan) = &e.template.plan {
        let run = super::plan::run(plan, &e.values, e.chunk.data, &e.nested, false, sink);
        if run.is_ok() {
            return Ok(());
        }
        sink.reset();
    }
    let mut w = DataWalk {
        data: e.chunk.data,
        nested: &e.nested,
        depth: 0,
        budget: MAX_EXPANDED_NODES,
        sink,
    };
    let values = e.values;
    w.element(&e.template.root, &values, &mut Vec::new(), None, 0, true)?;
    Ok(())
}

struct DataWalk<'e, 'a, 's, S> {
    data: &'a [u8],
    nested: &'e Nested<'a>,
    depth: usize,
    budget: usize,
    sink: &'s mut S,
}

/// The pieces of an element's text: kept as one value while there is one.
pub(crate) enum Acc<'a> {
    Empty,
    One(Value<'a>),
    Many(String),
}

impl<'a> Acc<'a> {
    pub(crate) fn push(&mut self, v: Value<'a>) {
        if v.is_null() {
            return;
        }
        match std::mem::replace(self, Acc::Empty) {
            Acc::Empty => *self = Acc::One(v),
            Acc::One(a) => {
                let mut s = a.to_text().into_owned();
                s.push_str(&v.to_text());
                *self = Acc::Many(s);
            }
            Acc::Many(mut s) => {
                s.push_str(&v.to_text());
                *self = Acc::Many(s);
            }
        }
    }

    pub(crate) fn finish(self) -> Value<'a> {
        match self {
            Acc::Empty => Value::Null,
            Acc::One(v) => v,
            Acc::Many(s) => Value::Text(Cow::Owned(s)),
        }
    }
}

fn lookup<'a>(values: &Values<'a>, over: &Overrides<'a>, index: u16) -> Value<'a> {
    if !over.is_empty() {
        if let Some((_, v)) = over.iter().rev().find(|(i, _)| *i == index) {
            return v.clone();
        }
    }
    values.get(index.into())
}

fn overridden<'o, 'a>(over: &'o Overrides<'a>, index: u16) -> Option<&'o Value<'a>> {
    over.iter().rev().find(|(i, _)| *i == index).map(|(_, v)| v)
}

/// Whether value `index` is NULL, reading only its type where possible.
fn is_null(values: &Values<'_>, over: &Overrides<'_>, index: u16) -> bool {
    if let Some(v) = overridden(over, index) {
        return v.is_null();
    }
    match values.raw(index.into()) {
        None | Some((ValueType::NULL, _)) => true,
        Some((ValueType::BINXML, b)) => b.is_empty(),
        Some(_) => false,
    }
}

/// Whether value `index` holds neither BinXML nor an array (so a subtree using it can be
/// skipped without changing what a walk would see).
fn plain(values: &Values<'_>, over: &Overrides<'_>, index: u16) -> bool {
    if let Some(v) = overridden(over, index) {
        return !matches!(v, Value::BinXml(_) | Value::Array { .. });
    }
    values
        .type_of(index.into())
        .is_none_or(|t| t & ValueType::ARRAY_FLAG == 0 && t != ValueType::BINXML)
}

impl<'e, 'a: 'e, S: DataSink<'e>> DataWalk<'e, 'a, '_, S> {
    /// The first substitution of `el` (content, then attributes) holding an array of more
    /// than one item; only array-typed values are parsed.
    fn expandable(el: &Element<'a>, values: &Values<'a>, over: &Overrides<'a>) -> Option<u16> {
        let pieces = el
            .content
            .iter()
            .chain(el.attrs.iter().flat_map(|a| a.value.iter()));
        for n in pieces {
            let Node::Subst { index, .. } = n else {
                continue;
            };
            if overridden(over, *index).is_some() {
                // An item of an expanded array: never an array itself.
                continue;
            }
            let array = values
                .type_of((*index).into())
                .is_some_and(|t| t & ValueType::ARRAY_FLAG != 0);
            if array
                && values
                    .get((*index).into())
                    .array_len()
                    .is_some_and(|n| n > 1)
            {
                return Some(*index);
            }
        }
        None
    }

    /// Walk `el`; returns whether it was opened (for the parent's "has a child" state).
    /// `parent` is the parent's mode (`None` at the top), `open` the number of elements
    /// open around it.
    fn element(
        &mut self,
        el: &'e Element<'a>,
        values: &Values<'a>,
        over: &mut Overrides<'a>,
        parent: Option<Mode>,
        open: usize,
        root: bool,
    ) -> Result<bool, Fallback> {
        if !root && el.dependency.is_some_and(|d| is_null(values, over, d)) {
            return Ok(false);
        }
        if let Some(index) = Self::expandable(el, values, over) {
            let mut opened = false;
            for item in lookup(values, over, index).array_items() {
                let item = if optional_empty(&item) {
                    Value::Null
                } else {
                    item
                };
                over.push((index, item));
                let r = self.element(el, values, over, parent, open, true);
                over.pop();
                opened |= r?;
            }
            return Ok(opened);
        }
        self.budget = self.budget.checked_sub(1).ok_or(Fallback)?;
        let name: &'e str = &el.name;
        let mode = match parent {
            None if name == "Event" => Mode::Outside,
            None => Mode::PayloadRoot,
            Some(Mode::Outside) if open == 1 && name != "System" && name != "RenderingInfo" => {
                Mode::PayloadRoot
            }
            Some(Mode::Outside) => Mode::Outside,
            Some(Mode::PayloadRoot | Mode::Field) => Mode::Field,
        };
        if mode == Mode::Outside {
            if let Some(skip) = &el.skip {
                if skip.substs.iter().all(|&i| plain(values, over, i)) {
                    self.budget = self.budget.checked_sub(skip.elements - 1).ok_or(Fallback)?;
                    return Ok(true);
                }
            }
        }
        let is_data = name == "Data";
        let mut key: Option<Cow<'e, str>> = el.key.literal().map(Cow::Borrowed);
        let dynamic = matches!(el.key, DataKey::Dynamic);
        if mode != Mode::Outside || dynamic {
            for a in &el.attrs {
                let data_name = is_data && &*a.name == "Name";
                if data_name {
                    if !dynamic {
                        continue;
                    }
                } else if mode == Mode::Outside || a.name.starts_with("xmlns") {
                    continue;
                }
                let Some(value) = Self::attr_value(a, values, over) else {
                    continue;
                };
                if data_name {
                    key = Some(Cow::Owned(value.to_text().into_owned()));
                } else {
                    self.sink.item(Cow::Borrowed(&a.name), value, false);
                }
            }
        }
        let field = mode == Mode::Field;
        let mut has_child = false;
        let mut acc = Acc::Empty;
        for n in &el.content {
            match n {
                Node::Element(child) => {
                    has_child |= self.element(child, values, over, Some(mode), open + 1, false)?;
                }
                Node::Subst { index, optional } => {
                    let binxml = overridden(over, *index).map_or_else(
                        || values.type_of((*index).into()) == Some(ValueType::BINXML),
                        |v| matches!(v, Value::BinXml(_)),
                    );
                    if !field && !binxml {
                        continue;
                    }
                    let x = lookup(values, over, *index);
                    if let Value::BinXml(bytes) = x {
                        has_child |= self.fragment(bytes, mode, open + 1)?;
                    } else if field && !(*optional && optional_empty(&x)) {
                        acc.push(x);
                    }
                }
                _ if !field => {}
                Node::Text(t) => acc.push(Value::Str(*t)),
                Node::Value(x) => acc.push((**x).clone()),
                Node::CharRef(c) => acc.push(Value::Text(
                    char::from_u32((*c).into())
                        .map(String::from)
                        .unwrap_or_default()
                        .into(),
                )),
                Node::EntityRef(n) => acc.push(Value::Text(
                    entity_char(n).map(String::from).unwrap_or_default().into(),
                )),
                Node::CData(t) => acc.push(Value::Str(*t)),
                Node::Pi(_) => {}
            }
        }
        if field && !has_child {
            let unnamed = key.is_none() && is_data;
            self.sink
                .item(key.unwrap_or(Cow::Borrowed(name)), acc.finish(), unnamed);
        }
        Ok(true)
    }

    /// An attribute's value as the reference walk computes it (`None`: left out).
    fn attr_value(
        a: &Attribute<'a>,
        values: &Values<'a>,
        over: &Overrides<'a>,
    ) -> Option<Value<'a>> {
        let mut pieces = a.value.iter().filter_map(|n| match n {
            Node::Text(t) => Some(Value::Str(*t)),
            Node::Value(x) => Some((**x).clone()),
            Node::Subst { index, optional } => match lookup(values, over, *index) {
                Value::BinXml(_) => None,
                x if *optional && optional_empty(&x) => None,
                x => Some(x),
            },
            Node::CharRef(c) => {
                char::from_u32((*c).into()).map(|c| Value::Text(c.to_string().into()))
            }
            Node::EntityRef(name) => entity_char(name).map(|c| Value::Text(c.to_string().into())),
            _ => None,
        });
        let first = pieces.next()?;
        Some(match pieces.next() {
            None => first,
            Some(second) => {
                let mut s = first.to_text().into_owned();
                s.push_str(&second.to_text());
                pieces.for_each(|p| s.push_str(&p.to_text()));
                Value::Text(Cow::Owned(s))
            }
        })
    }

    /// A nested BinXML value, through the templates resolved into the event.
    fn fragment(&mut self, bytes: &'a [u8], parent: Mode, open: usize) -> Result<bool, Fallback> {
        let start = (bytes.as_ptr() as usize).wrapping_sub(self.data.as_ptr() as usize);
        if self.depth >= MAX_FRAGMENT_DEPTH {
            return Err(Fallback);
        }
        let tops = self.nested.get(start).ok_or(Fallback)?;
        self.depth += 1;
        let mut opened = false;
        for top in tops {
            let (t, values) = match top {
                NestedTop::Instance(t, values) => (t, values.index()),
                NestedTop::Element(t) => (t, Values::EMPTY),
                NestedTop::Flat(f) => {
                    opened |= super::flat::walk(f, parent, open, &mut self.budget, self.sink)?;
                    continue;
                }
            };
            opened |= self.element(&t.root, &values, &mut Vec::new(), Some(parent), open, true)?;
        }
        self.depth -= 1;
        Ok(opened)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evtx::builder::{DataValue, EventSpec, EvtxBuilder};
    use crate::evtx::{Event, EventFilter, EvtxFile};

    type Items = Vec<(String, String, bool)>;

    #[derive(Default)]
    struct Record(Items);

    impl<'e> DataSink<'e> for Record {
        fn item(&mut self, name: Cow<'e, str>, value: Value<'e>, unnamed: bool) {
            self.0
                .push((name.into_owned(), format!("{value:?}"), unnamed));
        }
        fn reset(&mut self) {
            self.0.clear();
        }
    }

    fn both(e: &Event<'_>) -> (Result<Items, String>, Result<Items, String>) {
        let mut fast = Record::default();
        let mut reference = Record::default();
        let f = e.data_into(&mut fast).map(|()| fast.0);
        let r = e.data_reference_into(&mut reference).map(|()| reference.0);
        (f.map_err(|d| d.to_string()), r.map_err(|d| d.to_string()))
    }

    /// Returns how many events took the fast path.
    fn check_file(bytes: &[u8], name: &str) -> (usize, usize) {
        let Ok(file) = EvtxFile::parse(bytes) else {
            return (0, 0);
        };
        let (mut n, mut fast) = (0, 0);
        for e in file.events(&EventFilter::new()).flatten() {
            let (f, r) = both(&e);
            assert_eq!(f, r, "{name} record {}", e.record_id());
            n += 1;
            if let Repr::Evtx(x) = &e.repr {
                let mut sink = Record::default();
                fast += usize::from(fast_data(x, &mut sink).is_ok());
            }
        }
        (n, fast)
    }

    use crate::evtx::event::Repr;

    #[test]
    fn fast_walk_matches_reference_on_built_files() {
        let mut b = EvtxBuilder::new();
        for i in 0..300u32 {
            b.push(
                EventSpec::new("CloudBackup", "CloudBackup", 11)
                    .computer(if i % 2 == 0 { "A" } else { "B" })
                    .data("JobId", DataValue::Str(format!("job {i}")))
                    .data(
                        "Items",
                        DataValue::StrArray(vec!["a".into(), String::new(), "c".into()]),
                    )
                    .data("One", DataValue::StrArray(vec!["x".into()]))
                    .data("Empty", DataValue::Str(String::new()))
                    .data("Null", DataValue::Null)
                    .data("Code", DataValue::Hex32(i)),
            );
        }
        let bytes = b.build();
        let (n, fast) = check_file(&bytes, "built");
        assert_eq!((n, fast), (300, 300));
    }

    /// The items of the event's plan alone (`None`: no plan, or it bailed).
    fn plan_items(e: &Event<'_>) -> Option<Items> {
        let Repr::Evtx(x) = &e.repr else { return None };
        let plan = x.template.plan.as_ref()?;
        let mut sink = Record::default();
        let run =
            super::super::plan::run(plan, &x.values, x.chunk.data, &x.nested, false, &mut sink);
        run.ok().map(|()| sink.0)
    }

    #[test]
    fn plans_expand_arrays_when_names_may_repeat() {
        let mut b = EvtxBuilder::new();
        for i in 0..20u32 {
            b.push(
                EventSpec::new("P", "C", 1)
                    .data(
                        "Items",
                        DataValue::StrArray(vec!["a".into(), String::new(), "c".into()]),
                    )
                    .data("Items", DataValue::StrArray(vec![format!("x{i}")]))
                    .data("Items", DataValue::StrArray(Vec::new()))
                    .data("N", DataValue::U32(i)),
            );
        }
        // Distinct names: the sink is told no key repeats, so an expansion is left to
        // the walk.
        b.push(
            EventSpec::new("P", "C", 2)
                .data("Items", DataValue::StrArray(vec!["a".into(), "b".into()]))
                .data("N", DataValue::U32(0)),
        );
        let bytes = b.build();
        let file = EvtxFile::parse(&bytes).unwrap();
        let events: Vec<_> = file.events(&EventFilter::new()).flatten().collect();
        for e in &events {
            let (f, r) = both(e);
            assert_eq!(f, r);
            match e.event_id() {
                Some(1) => assert_eq!(plan_items(e), Some(r.unwrap())),
                _ => assert_eq!(plan_items(e), None),
            }
        }
        let first = plan_items(&events[0]).unwrap();
        let names: Vec<&str> = first.iter().map(|(n, _, _)| n.as_str()).collect();
        assert_eq!(names, ["Items", "Items", "Items", "Items", "Items", "N"]);
        assert_eq!(first[1].1, "Null");
    }

    #[test]
    fn plans_give_the_literal_attributes_of_a_payload_root() {
        let mut b = EvtxBuilder::new();
        b.push_raw(0, |w| {
            // <EventData Name='TMP_EVENT' xmlns='urn:x'><Data Name='A'/></EventData>
            w.buf.extend([0x0f, 1, 1, 0]);
            let root = w.open("EventData", true, false);
            w.attr("Name", true);
            w.text("TMP_EVENT");
            w.attr("xmlns", false);
            w.text("urn:x");
            w.close_start();
            let d = w.open("Data", true, false);
            w.attr("Name", false);
            w.text("A");
            w.close_empty(d);
            w.end(root);
            w.buf.push(0x00);
        });
        let bytes = b.build();
        let file = EvtxFile::parse(&bytes).unwrap();
        let e = file.events(&EventFilter::new()).next().unwrap().unwrap();
        let (f, r) = both(&e);
        assert_eq!(f, r);
        let items = plan_items(&e).expect("planned");
        assert_eq!(Ok(items.clone()), r);
        let names: Vec<&str> = items.iter().map(|(n, _, _)| n.as_str()).collect();
        assert_eq!(names, ["Name", "A"]);
    }

    #[test]
    fn fast_walk_matches_reference_on_the_corpus() {
        let dir = std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/corpus/evtx"
        ));
        let mut stack = vec![dir.to_path_buf()];
        let (mut n, mut fast) = (0, 0);
        while let Some(d) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&d) else {
                continue;
            };
            for p in entries.flatten().map(|e| e.path()) {
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "evtx") {
                    let bytes = std::fs::read(&p).unwrap();
                    let (a, b) = check_file(&bytes, &p.display().to_string());
                    n += a;
                    fast += b;
                }
            }
        }
        eprintln!("corpus: {n} events, {fast} on the fast path");
        assert!(
            n == 0 || fast * 100 >= n * 99,
            "{fast} of {n} on the fast path"
        );
    }
}
