//! Untemplated nested payloads as a flat list of operations, for the data walk.
//!
//! # Design notes
//!
//! Some providers (CAPI2 is the big one) write their whole `UserData` as one BinXML value
//! holding an *untemplated* element tree: elements, attributes and literal text, a few
//! KiB per event, never reused. Parsing it into an element tree and compiling that into
//! a template (the general path) costs several allocations per element and attribute,
//! and dropping it as many again; that dominated reading such logs.
//!
//! When the reader resolves an event's nested payloads, a fragment made only of elements,
//! attributes, string values and character or entity references is instead recorded as
//! a [`Flat`]: one exactly sized array of [`Op`]s in document order, names shared with
//! the chunk's name cache (decoded once per chunk). The data walk runs over it with no
//! allocation per element.
//!
//! # Invariants
//!
//! * A `Flat` is built only for fragments the tree parser reads without error into
//!   elements alone (no template instance, substitution, non-string value, CDATA or
//!   processing instruction), under the same depth and node bounds, counted the same
//!   way. Anything else is declined and takes the tree path, which reports damage
//!   exactly as before.
//! * The ops are well nested: `Open`, its `Attr`s (each followed by its `pieces` ops:
//!   text and references), then content (the same and child elements), then `End`.
//! * [`walk`] gives exactly the items (and charges exactly the node budget) that the data
//!   walk would give over the tree the parser builds from the same bytes, and [`replay`]
//!   exactly the calls the XML walk (`event::Walk`) would make.

use std::borrow::Cow;
use std::sync::Arc;

use super::binxml::{name_ref, token, BinXmlError, Cursor, Names, MAX_DEPTH, MAX_NODES};
use super::data::{Acc, DataSink, Fallback};
use super::event::Mode;
use super::render::{entity_char, Content, Visitor};
use super::value::{Utf16Str, Value, ValueType};

/// One step of a flat element tree (see the module docs). Names are indices into the
/// fragment's name table ([`Flat::names`]), so an op owns nothing.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Op<'a> {
    /// An element start; `data` when it is named `Data`, `key` (when not [`NO_KEY`])
    /// the item name of a `Data` element with a non-empty literal `Name` attribute (the
    /// last one).
    Open { name: u16, key: u16, data: bool },
    /// An attribute, followed by the `pieces` ops (text and references) of its value;
    /// `hidden` when it is never an item (`xmlns…`, and `Name` of `Data`, which keys the
    /// element or, without a value, nothing).
    Attr {
        name: u16,
        pieces: u32,
        hidden: bool,
    },
    /// A string value: attribute value piece or element content.
    Text(Utf16Str<'a>),
    /// A character reference.
    CharRef(u16),
    /// An entity reference (its name's table index).
    Entity(u16),
    /// The end of the innermost open element.
    End,
}

/// The `key` of an element without a literal `Data@Name`.
const NO_KEY: u16 = u16::MAX;

/// An untemplated fragment: its top-level elements as ops.
#[derive(Debug)]
pub(crate) struct Flat<'a> {
    /// Elements plus attributes: at most the number of items the walk gives.
    pub(crate) items_hint: usize,
    /// The element and attribute names and `Data@Name` keys the ops refer to.
    names: Box<[Arc<str>]>,
    ops: Box<[Op<'a>]>,
}

/// Buffers kept from one build to the next (by the chunk's template cache).
#[derive(Debug, Default)]
pub(crate) struct Scratch<'a> {
    ops: Vec<Op<'a>>,
    names: Vec<Arc<str>>,
    /// Recently used names of the fragment being built: (chunk offset, table index) in a
    /// slot chosen by the offset (`u32::MAX`: empty; never a name's offset, which lies in
    /// the chunk). A miss only costs a lookup in the chunk's cache and a repeated table
    /// entry.
    recent: Vec<(u32, u16)>,
}

/// Slots of [`Scratch::recent`] (a power of two).
const RECENT: usize = 64;

/// Read the fragment `data[start..end]` as a [`Flat`] (`None`: another shape, or damage;
/// see the module docs). `names` is the chunk's name cache.
pub(crate) fn build<'a>(
    data: &'a [u8],
    start: usize,
    end: usize,
    names: &mut Names,
    scratch: &mut Scratch<'a>,
) -> Option<Flat<'a>> {
    scratch.ops.clear();
    scratch.names.clear();
    scratch.recent.clear();
    scratch.recent.resize(RECENT, (u32::MAX, 0));
    let mut b = Builder {
        c: Cursor::new(data, start, end),
        names,
        s: scratch,
        nodes: 0,
        items: 0,
    };
    let built = b.fragment();
    let items = b.items;
    if built.is_none() || scratch.ops.is_empty() {
        return None;
    }
    Some(Flat {
        items_hint: items,
        names: scratch.names.drain(..).collect(),
        ops: scratch.ops.as_slice().into(),
    })
}

struct Builder<'a, 'b> {
    c: Cursor<'a>,
    names: &'b mut Names,
    s: &'b mut Scratch<'a>,
    /// Nodes counted as the tree parser counts them (elements, attributes, pieces).
    nodes: usize,
    items: usize,
}

impl<'a> Builder<'a, '_> {
    fn count(&mut self) -> Option<()> {
        self.nodes += 1;
        (self.nodes <= MAX_NODES).then_some(())
    }

    /// A name reference, as the table index of the name (decoded through the chunk's
    /// cache on the fragment's first use of it).
    fn name(&mut self) -> Option<u16> {
        let at = self.c.pos;
        let offset = u32::from_le_bytes(self.c.data.get(at..at + 4)?.try_into().ok()?);
        let slot = (offset as usize >> 1) % RECENT;
        // An inline name is skipped by `name_ref`.
        if offset as usize != at + 4
            && at + 4 <= self.c.end
            && (offset as usize) < self.c.data.len()
        {
            if let Some(&(o, i)) = self.s.recent.get(slot) {
                if o == offset {
                    self.c.pos += 4;
                    return Some(i);
                }
            }
        }
        let name = name_ref(&mut self.c, self.names).ok()?;
        let i = self.push_name(name)?;
        if let Some(r) = self.s.recent.get_mut(slot) {
            *r = (offset, i);
        }
        Some(i)
    }

    fn push_name(&mut self, name: Arc<str>) -> Option<u16> {
        let i = u16::try_from(self.s.names.len())
            .ok()
            .filter(|&i| i != NO_KEY)?;
        self.s.names.push(name);
        Some(i)
    }

    /// The tree parser's `fragment`, declining template instances.
    fn fragment(&mut self) -> Option<()> {
        while let Some(t) = self.c.peek() {
            match t & !token::MORE {
                token::EOF => {
                    self.c.pos += 1;
                    break;
                }
                token::FRAGMENT_HEADER => {
                    self.c.take(4, "").ok()?;
                }
                token::OPEN_START => self.element(0)?,
                _ => return None,
            }
        }
        Some(())
    }

    /// The tree parser's `element` (outside a template: no dependency id).
    fn element(&mut self, depth: usize) -> Option<()> {
        if depth >= MAX_DEPTH {
            return None;
        }
        self.count()?;
        let t = self.c.u8("").ok()?;
        self.c.u32("").ok()?;
        let name = self.name()?;
        if t & token::MORE != 0 {
            self.c.u32("").ok()?;
        }
        let is_data = &*self.s.names[usize::from(name)] == "Data";
        let open = self.s.ops.len();
        self.s.ops.push(Op::Open {
            name,
            key: NO_KEY,
            data: is_data,
        });
        self.items += 1;
        // The last `Name` attribute with a value keys a `Data` element.
        let mut key_attr = None;
        let empty = loop {
            let t = self.c.u8("").ok()?;
            match t & !token::MORE {
                token::ATTRIBUTE => {
                    self.count()?;
                    let name = self.name()?;
                    let at = self.s.ops.len();
                    let a = &*self.s.names[usize::from(name)];
                    let keys = is_data && a == "Name";
                    self.s.ops.push(Op::Attr {
                        name,
                        pieces: 0,
                        hidden: keys || a.starts_with("xmlns"),
                    });
                    self.items += 1;
                    let n = self.pieces()?;
                    if let Some(Op::Attr { pieces, .. }) = self.s.ops.get_mut(at) {
                        *pieces = n;
                    }
                    if keys && n > 0 {
                        key_attr = Some(at);
                    }
                }
                token::CLOSE_EMPTY => break true,
                token::CLOSE_START => break false,
                _ => return None,
            }
        };
        if let Some(at) = key_attr {
            let key = self.key(at)?;
            let key = self.push_name(key)?;
            if let Some(Op::Open { key: k, .. }) = self.s.ops.get_mut(open) {
                *k = key;
            }
        }
        if !empty {
            loop {
                let t = self.c.peek()?;
                match t & !token::MORE {
                    token::END_ELEMENT => {
                        self.c.pos += 1;
                        break;
                    }
                    token::OPEN_START => self.element(depth + 1)?,
                    _ => {
                        let op = self.piece(t)?;
                        self.s.ops.push(op);
                    }
                }
            }
        }
        self.s.ops.push(Op::End);
        Some(())
    }

    /// The `Data@Name` key from the attribute op at `at`, as the template compiler
    /// decodes it (`None`: a reference to no character, which it leaves to the walk).
    fn key(&self, at: usize) -> Option<Arc<str>> {
        let n = match &self.s.ops[at] {
            Op::Attr { pieces, .. } => *pieces as usize,
            _ => 0,
        };
        let pieces = self.s.ops.get(at + 1..at + 1 + n)?;
        if let [Op::Text(t)] = pieces {
            return Some(t.to_arc_str());
        }
        let mut s = String::new();
        for p in pieces {
            match op_char(p, &self.s.names) {
                Some(Some(c)) => s.push(c),
                Some(None) => return None,
                None => match p {
                    Op::Text(t) => s.push_str(&t.to_cow()),
                    _ => return None,
                },
            }
        }
        Some(s.as_str().into())
    }

    /// An attribute's value pieces, pushed as `Text` ops; returns how many.
    fn pieces(&mut self) -> Option<u32> {
        let mut n = 0;
        while let Some(t) = self.c.peek() {
            match t & !token::MORE {
                token::ATTRIBUTE | token::CLOSE_START | token::CLOSE_EMPTY => break,
                _ => {
                    let op = self.piece(t)?;
                    self.s.ops.push(op);
                    n += 1;
                }
            }
        }
        Some(n)
    }

    /// A piece (`None`: a token the flat form does not take, or damage).
    fn piece(&mut self, t: u8) -> Option<Op<'a>> {
        self.c.pos += 1;
        let op = match t & !token::MORE {
            token::VALUE => {
                // Any other value type is declined.
                if self.c.u8("").ok()? != ValueType::STRING {
                    return None;
                }
                let n = self.c.u16("").ok()? as usize;
                Op::Text(Utf16Str::until_nul(self.c.take(2 * n, "").ok()?))
            }
            token::CHAR_REF => Op::CharRef(self.c.u16("").ok()?),
            token::ENTITY_REF => Op::Entity(self.name()?),
            _ => return None,
        };
        self.count()?;
        Some(op)
    }
}

/// Walk `flat` into `sink` as the data walk walks the elements of a nested fragment:
/// `parent` is the mode of the element holding the value, `open` the elements open
/// around the fragment's roots. Returns whether an element was opened.
pub(crate) fn walk<'e, 'a: 'e, S: DataSink<'e>>(
    flat: &'e Flat<'a>,
    parent: Mode,
    open: usize,
    budget: &mut usize,
    sink: &mut S,
) -> Result<bool, Fallback> {
    let mut w = FlatWalk {
        ops: &flat.ops,
        names: &flat.names,
        i: 0,
        budget,
        sink,
    };
    let mut opened = false;
    while w.i < w.ops.len() {
        w.element(parent, open)?;
        opened = true;
    }
    Ok(opened)
}

struct FlatWalk<'e, 'a, 's, S> {
    ops: &'e [Op<'a>],
    names: &'e [Arc<str>],
    i: usize,
    budget: &'s mut usize,
    sink: &'s mut S,
}

impl<'e, 'a: 'e, S: DataSink<'e>> FlatWalk<'e, 'a, '_, S> {
    fn op(&self) -> Result<&'e Op<'a>, Fallback> {
        self.ops.get(self.i).ok_or(Fallback)
    }

    fn name(&self, i: u16) -> Result<&'e str, Fallback> {
        self.names.get(usize::from(i)).map(|n| &**n).ok_or(Fallback)
    }

    /// The element whose `Open` is the next op (the data walk's `element`, for a tree
    /// without substitutions).
    fn element(&mut self, parent: Mode, open: usize) -> Result<(), Fallback> {
        let &Op::Open { name, key, data } = self.op()? else {
            return Err(Fallback);
        };
        self.i += 1;
        *self.budget = self.budget.checked_sub(1).ok_or(Fallback)?;
        let name = self.name(name)?;
        let mode = match parent {
            Mode::Outside if open == 1 && name != "System" && name != "RenderingInfo" => {
                Mode::PayloadRoot
            }
            Mode::Outside => Mode::Outside,
            Mode::PayloadRoot | Mode::Field => Mode::Field,
        };
        while let &Op::Attr {
            name: a,
            pieces,
            hidden,
        } = self.op()?
        {
            let n = pieces as usize;
            let pieces = self.ops.get(self.i + 1..self.i + 1 + n).ok_or(Fallback)?;
            self.i += 1 + n;
            // Outside the payload no attribute is an item.
            if mode == Mode::Outside || hidden {
                continue;
            }
            if let Some(value) = attr_value(pieces, self.names) {
                self.sink.item(Cow::Borrowed(self.name(a)?), value, false);
            }
        }
        let field = mode == Mode::Field;
        let mut has_child = false;
        let mut acc = Acc::Empty;
        loop {
            match self.op()? {
                Op::End => {
                    self.i += 1;
                    break;
                }
                Op::Open { .. } => {
                    self.element(mode, open + 1)?;
                    has_child = true;
                }
                Op::Text(t) => {
                    self.i += 1;
                    if field {
                        acc.push(Value::Str(*t));
                    }
                }
                op @ (Op::CharRef(_) | Op::Entity(_)) => {
                    self.i += 1;
                    if field {
                        let c = op_char(op, self.names).flatten();
                        acc.push(Value::Text(c.map(String::from).unwrap_or_default().into()));
                    }
                }
                Op::Attr { .. } => return Err(Fallback),
            }
        }
        if field && !has_child {
            let (item, unnamed) = match key {
                NO_KEY => (name, data),
                k => (self.name(k)?, false),
            };
            self.sink.item(Cow::Borrowed(item), acc.finish(), unnamed);
        }
        Ok(())
    }
}

/// Replay `flat` into `v` as the XML walk replays the tree the parser builds from the
/// same bytes (each element charged to `budget`).
pub(crate) fn replay<'s, 'a: 's, V: Visitor<'s>>(
    flat: &Flat<'a>,
    budget: &mut usize,
    v: &mut V,
) -> Result<(), BinXmlError> {
    let name = |n: u16| flat.names.get(usize::from(n)).map_or("", |s| &**s);
    let (ops, mut i) = (&flat.ops[..], 0);
    let mut open = Vec::new();
    let mut attrs = Vec::new();
    while let Some(op) = ops.get(i) {
        i += 1;
        match *op {
            Op::Open { name: n, .. } => {
                *budget = budget.checked_sub(1).ok_or(BinXmlError {
                    offset: 0,
                    what: "event too large",
                })?;
                attrs.clear();
                while let Some(&Op::Attr {
                    name: a, pieces, ..
                }) = ops.get(i)
                {
                    let p = ops.get(i + 1..i + 1 + pieces as usize).unwrap_or(&[]);
                    i += 1 + pieces as usize;
                    if let Some(value) = attr_value(p, &flat.names) {
                        attrs.push((name(a), value));
                    }
                }
                v.open(name(n), &attrs);
                open.push(name(n));
            }
            Op::Text(t) => v.content(Content::Value(Value::Str(t))),
            Op::CharRef(c) => v.content(Content::CharRef(c)),
            Op::Entity(n) => v.content(Content::Entity(name(n))),
            Op::End => v.close(open.pop().unwrap_or_default()),
            Op::Attr { .. } => {}
        }
    }
    Ok(())
}

/// The character a reference op stands for (`Some(None)`: none; `None`: not a
/// reference).
fn op_char(op: &Op<'_>, names: &[Arc<str>]) -> Option<Option<char>> {
    match *op {
        Op::CharRef(c) => Some(char::from_u32(c.into())),
        Op::Entity(n) => Some(names.get(usize::from(n)).and_then(|n| entity_char(n))),
        _ => None,
    }
}

/// An attribute's value from its pieces (`None`: no piece, left out; a reference to no
/// character is no piece).
fn attr_value<'a>(pieces: &[Op<'a>], names: &[Arc<str>]) -> Option<Value<'a>> {
    let mut texts = pieces.iter().filter_map(|op| match op {
        Op::Text(t) => Some(Value::Str(*t)),
        op => op_char(op, names)
            .flatten()
            .map(|c| Value::Text(c.to_string().into())),
    });
    let first = texts.next()?;
    Some(match texts.next() {
        None => first,
        Some(second) => {
            let mut s = first.to_text().into_owned();
            s.push_str(&second.to_text());
            texts.for_each(|p| s.push_str(&p.to_text()));
            Value::Text(Cow::Owned(s))
        }
    })
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use crate::evtx::builder::{ChunkWriter, EvtxBuilder, Slot};
    use crate::evtx::data::{DataSink, Nested, NestedTop};
    use crate::evtx::event::Repr;
    use crate::evtx::value::{Value, ValueType};
    use crate::evtx::{EventFilter, EvtxFile};

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

    fn entity(w: &mut ChunkWriter, name: &str) {
        w.buf.push(0x09);
        w.name(name);
    }

    fn char_ref(w: &mut ChunkWriter, c: u16) {
        w.buf.push(0x08);
        w.buf.extend(c.to_le_bytes());
    }

    /// One record `<Event><UserData>%0</UserData></Event>` whose value is `payload`,
    /// an untemplated fragment.
    fn record(b: &mut EvtxBuilder, payload: &dyn Fn(&mut ChunkWriter)) {
        b.push_raw(0, |w| {
            w.buf.extend([0x0f, 1, 1, 0]);
            let body = |w: &mut ChunkWriter| {
                let event = w.open("Event", false, true);
                w.close_start();
                let user = w.open("UserData", false, true);
                w.close_start();
                w.subst(0, ValueType::BINXML);
                w.end(user);
                w.end(event);
            };
            let frame = |w: &mut ChunkWriter| {
                w.buf.extend([0x0f, 1, 1, 0]);
                payload(w);
                w.buf.push(0x00);
            };
            w.instance("user", body, &[Slot::Payload(&frame)]);
            w.buf.push(0x00);
        });
    }

    /// The items of every event, fast and reference, and whether each was flat.
    fn items(bytes: &[u8]) -> Vec<(Items, Items, bool)> {
        let file = EvtxFile::parse(bytes).unwrap();
        let mut out = Vec::new();
        for e in file.events(&EventFilter::new()) {
            let e = e.unwrap();
            let (mut fast, mut reference) = (Record::default(), Record::default());
            e.data_into(&mut fast).unwrap();
            e.data_reference_into(&mut reference).unwrap();
            let Repr::Evtx(x) = &e.repr else {
                panic!("not EVTX")
            };
            let flat = matches!(x.nested, Nested::One(_, NestedTop::Flat(_)));
            out.push((fast.0, reference.0, flat));
        }
        out
    }

    #[test]
    fn flat_payloads_give_the_walks_items() {
        let mut b = EvtxBuilder::new();
        // <Root xmlns='urn:x' a='x&amp;y' b='&bogus;'>
        //   <Data Name='K&lt;'>v&#65;<!-- --></Data><Data Name=''>w</Data><Data>u</Data>
        //   <Leaf c='1'/>t&#xD800;<Inner><Deep>d</Deep>e&bogus;</Inner>
        // </Root><Second/>
        record(&mut b, &|w| {
            let root = w.open("Root", true, false);
            w.attr("xmlns", true);
            w.text("urn:x");
            w.attr("a", true);
            w.text("x");
            entity(w, "amp");
            w.text("y");
            w.attr("b", false);
            entity(w, "bogus");
            w.close_start();
            let d = w.open("Data", true, false);
            w.attr("Name", false);
            w.text("K");
            entity(w, "lt");
            w.close_start();
            w.text("v");
            char_ref(w, 65);
            w.end(d);
            let d = w.open("Data", true, false);
            w.attr("Name", false);
            w.close_start();
            w.text("w");
            w.end(d);
            let d = w.open("Data", false, false);
            w.close_start();
            w.text("u");
            w.end(d);
            let leaf = w.open("Leaf", true, false);
            w.attr("c", false);
            w.text("1");
            w.close_empty(leaf);
            w.text("t");
            char_ref(w, 0xd800);
            let inner = w.open("Inner", false, false);
            w.close_start();
            let deep = w.open("Deep", false, false);
            w.close_start();
            w.text("d");
            w.end(deep);
            w.text("e");
            entity(w, "bogus");
            w.end(inner);
            w.end(root);
            let second = w.open("Second", false, false);
            w.close_empty(second);
        });
        // A `Data@Name` naming no character, and a CDATA section: the tree path.
        record(&mut b, &|w| {
            let d = w.open("Data", true, false);
            w.attr("Name", false);
            entity(w, "bogus");
            w.close_start();
            w.text("v");
            w.end(d);
        });
        record(&mut b, &|w| {
            let d = w.open("Root", false, false);
            w.close_start();
            w.buf.extend([0x07, 1, 0, b'c', 0]);
            w.end(d);
        });
        let bytes = b.build();
        let all = items(&bytes);
        for (fast, reference, _) in &all {
            assert_eq!(fast, reference);
        }
        let flat: Vec<bool> = all.iter().map(|(_, _, f)| *f).collect();
        assert_eq!(flat, [true, false, false]);
        let names: Vec<&str> = all[0].0.iter().map(|(n, _, _)| n.as_str()).collect();
        assert_eq!(
            names,
            ["a", "K<", "Data", "Data", "c", "Leaf", "Deep", "Second"]
        );
        let unnamed: Vec<bool> = all[0].0.iter().map(|(_, _, u)| *u).collect();
        assert_eq!(
            unnamed,
            [false, false, true, true, false, false, false, false]
        );
    }
}
