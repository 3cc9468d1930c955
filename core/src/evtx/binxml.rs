//! BinXML token stream → element tree (MS-EVEN6 §2.2.12, chunk-resident form).
//!
//! ```text
//! fragment   = *( FragmentHeader / TemplateInstance / element ) [EOF]
//! element    = OpenStart [DependencyId] DataSize NameRef [AttrListSize]
//!              *attribute ( CloseEmpty / CloseStart *content EndElement )
//! attribute  = Attribute NameRef *piece
//! content    = element / piece
//! piece      = Value / Substitution / CharRef / EntityRef / CDATA / PITarget PIData
//! ```
//!
//! # Invariants
//!
//! * A [`Cursor`] reads the whole chunk but never past its `end`; every length field is
//!   checked against `end` before it is used, so a bad length is an error, not a panic.
//! * Positions are chunk offsets: a name or template definition is *inline* exactly when
//!   its reference equals the cursor position, and is otherwise read at that offset.
//! * Dependency ids exist only in template definitions (`in_template`).
//! * Nesting is bounded by [`MAX_DEPTH`] and the number of nodes by [`MAX_NODES`], so a
//!   crafted stream costs at most linear time and bounded stack.
//! * A template instance inside a template definition is rejected: definitions never nest,
//!   which is also what keeps template references from looping.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::{Arc, OnceLock};

use super::template::OffsetHasher;
use super::value::{Utf16Str, Value};

/// Deepest element nesting accepted (the `evtx` crate uses the same bound).
pub const MAX_DEPTH: usize = 64;
/// Most nodes accepted in one stream.
pub const MAX_NODES: usize = 1 << 16;

/// Where and why a BinXML stream could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BinXmlError {
    /// Chunk offset of the problem.
    pub offset: usize,
    /// What was being read.
    pub what: &'static str,
}

pub(crate) type PResult<T> = Result<T, BinXmlError>;

/// A bounds-checked little-endian reader over a chunk.
#[derive(Debug, Clone)]
pub(crate) struct Cursor<'a> {
    pub(crate) data: &'a [u8],
    pub(crate) pos: usize,
    pub(crate) end: usize,
}

impl<'a> Cursor<'a> {
    /// A cursor over `data[pos..end]` (`end` clamped to the data).
    #[inline]
    pub(crate) fn new(data: &'a [u8], pos: usize, end: usize) -> Self {
        Cursor {
            data,
            pos,
            end: end.min(data.len()),
        }
    }

    #[inline]
    pub(crate) fn err(&self, what: &'static str) -> BinXmlError {
        BinXmlError {
            offset: self.pos,
            what,
        }
    }

    #[inline]
    pub(crate) fn take(&mut self, n: usize, what: &'static str) -> PResult<&'a [u8]> {
        let stop = self
            .pos
            .checked_add(n)
            .filter(|&s| s <= self.end)
            .ok_or(self.err(what))?;
        let s = &self.data[self.pos..stop];
        self.pos = stop;
        Ok(s)
    }

    #[inline]
    pub(crate) fn peek(&self) -> Option<u8> {
        (self.pos < self.end).then(|| self.data[self.pos])
    }

    #[inline]
    pub(crate) fn u8(&mut self, what: &'static str) -> PResult<u8> {
        Ok(self.take(1, what)?[0])
    }

    #[inline]
    pub(crate) fn u16(&mut self, what: &'static str) -> PResult<u16> {
        let b = self.take(2, what)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }

    #[inline]
    pub(crate) fn u32(&mut self, what: &'static str) -> PResult<u32> {
        let b = self.take(4, what)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// Move to `pos`, which must lie within the cursor's window.
    #[inline]
    pub(crate) fn seek(&mut self, pos: usize, what: &'static str) -> PResult<()> {
        if pos > self.end {
            return Err(self.err(what));
        }
        self.pos = pos;
        Ok(())
    }
}

/// Token bytes (the low five bits; 0x40 is the "more" flag).
pub(crate) mod token {
    pub const EOF: u8 = 0x00;
    pub const OPEN_START: u8 = 0x01;
    pub const CLOSE_START: u8 = 0x02;
    pub const CLOSE_EMPTY: u8 = 0x03;
    pub const END_ELEMENT: u8 = 0x04;
    pub const VALUE: u8 = 0x05;
    pub const ATTRIBUTE: u8 = 0x06;
    pub const CDATA: u8 = 0x07;
    pub const CHAR_REF: u8 = 0x08;
    pub const ENTITY_REF: u8 = 0x09;
    pub const PI_TARGET: u8 = 0x0a;
    pub const PI_DATA: u8 = 0x0b;
    pub const TEMPLATE_INSTANCE: u8 = 0x0c;
    pub const NORMAL_SUBST: u8 = 0x0d;
    pub const OPTIONAL_SUBST: u8 = 0x0e;
    pub const FRAGMENT_HEADER: u8 = 0x0f;
    pub const MORE: u8 = 0x40;
}

/// An element of a template or of an untemplated stream.
#[derive(Debug, Clone)]
pub(crate) struct Element<'a> {
    pub(crate) name: Arc<str>,
    /// Index of the value whose NullType leaves this element out.
    pub(crate) dependency: Option<u16>,
    pub(crate) attrs: Few<Attribute<'a>>,
    pub(crate) content: Nodes<'a>,
    /// Written as `<x/>` in the stream (no content).
    pub(crate) empty: bool,
    /// How a `Data` element names its item (compiled once, see [`DataKey`]).
    pub(crate) key: DataKey<'a>,
    /// For `System`/`RenderingInfo` below a template's `Event` root: what the data walk
    /// must check before skipping the subtree (set by the template compiler).
    pub(crate) skip: Option<Box<Skip>>,
}

/// How an element keys its data item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DataKey<'a> {
    /// Not a `Data` element, or a `Data` element without a `Name` attribute: the item is
    /// keyed by the element name.
    ByName,
    /// `Data` whose (last) `Name` attribute is one literal text: the text, decoded when
    /// the data walk first asks (a template's data plan decodes its own copy, so most
    /// keys are never decoded here).
    Text(Utf16Str<'a>, OnceLock<Box<str>>),
    /// `Data` whose (last) `Name` attribute is literal pieces: the decoded name.
    Static(Arc<str>),
    /// `Data` whose `Name` comes from a substitution: evaluated per event.
    Dynamic,
}

impl<'a> DataKey<'a> {
    /// The literal name, if the key has one.
    pub(crate) fn literal(&self) -> Option<&str> {
        match self {
            DataKey::Text(t, name) => Some(name.get_or_init(|| t.to_boxed_str())),
            DataKey::Static(k) => Some(k),
            DataKey::ByName | DataKey::Dynamic => None,
        }
    }
}

/// A subtree that produces no data items, and what could make walking it matter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Skip {
    /// Elements in the subtree (charged to the walk's node budget).
    pub(crate) elements: usize,
    /// Substitutions anywhere in the subtree: if one holds BinXML or an array at run
    /// time, the subtree is walked after all.
    pub(crate) substs: Box<[u16]>,
}

/// An attribute and the pieces of its value.
#[derive(Debug, Clone)]
pub(crate) struct Attribute<'a> {
    pub(crate) name: Arc<str>,
    pub(crate) value: Nodes<'a>,
}

/// The nodes of an element's content or of an attribute value, or an element's
/// attributes. Most such lists of a template hold one item (a `Data` element's
/// substitution, its `Name` attribute and that attribute's text), which is kept inline:
/// no allocation to build it, none to free it.
#[derive(Debug, Clone)]
pub(crate) enum Few<T> {
    One(T),
    Many(Vec<T>),
}

/// Content or attribute value pieces.
pub(crate) type Nodes<'a> = Few<Node<'a>>;

impl<T> Few<T> {
    /// The items of `stack` from `from` on, taken off it.
    fn take(stack: &mut Vec<T>, from: usize) -> Self {
        if stack.len() == from + 1 {
            if let Some(n) = stack.pop() {
                return Few::One(n);
            }
        }
        Few::Many(stack.split_off(from))
    }
}

impl<T> Default for Few<T> {
    fn default() -> Self {
        Few::Many(Vec::new())
    }
}

impl<T> std::ops::Deref for Few<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        match self {
            Few::One(n) => std::slice::from_ref(n),
            Few::Many(v) => v,
        }
    }
}

impl<T> std::ops::DerefMut for Few<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        match self {
            Few::One(n) => std::slice::from_mut(n),
            Few::Many(v) => v,
        }
    }
}

impl<'n, T> IntoIterator for &'n Few<T> {
    type Item = &'n T;
    type IntoIter = std::slice::Iter<'n, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<'n, T> IntoIterator for &'n mut Few<T> {
    type Item = &'n mut T;
    type IntoIter = std::slice::IterMut<'n, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter_mut()
    }
}

/// Content of an element or attribute (24 bytes: the large, rare variants are boxed).
#[derive(Debug, Clone)]
pub(crate) enum Node<'a> {
    Element(Box<Element<'a>>),
    /// Literal text.
    Text(Utf16Str<'a>),
    /// A typed value token that is not text (rare).
    Value(Box<Value<'a>>),
    /// A substitution of the instance's value `index`.
    Subst {
        index: u16,
        optional: bool,
    },
    CharRef(u16),
    EntityRef(Arc<str>),
    CData(Utf16Str<'a>),
    Pi(Box<(Arc<str>, Utf16Str<'a>)>),
}

/// The instance part of a template instance token: where the definition is and the values.
#[derive(Debug, Clone, Copy)]
pub(crate) struct InstanceRef<'a> {
    /// Chunk offset of the template definition header.
    pub(crate) def_offset: u32,
    pub(crate) values: Values<'a>,
}

/// A top-level item of a fragment.
#[derive(Debug, Clone)]
pub(crate) enum Top<'a> {
    Instance(InstanceRef<'a>),
    Element(Element<'a>),
}

/// Values whose start offsets [`Values`] keeps (later ones are found by a scan).
const INDEXED: usize = 32;

/// The value table of a template instance: the spec (4 bytes per value) and the values,
/// laid back to back by the sizes in the spec, with the start offsets of the first
/// [`INDEXED`] values computed once, so reading a value is O(1).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Values<'a> {
    spec: &'a [u8],
    data: &'a [u8],
    /// Start of value `i` in `data` (saturated: a start past `data` reads as missing).
    starts: [u16; INDEXED],
}

fn spec_size(e: &[u8]) -> usize {
    u16::from_le_bytes([e[0], e[1]]) as usize
}

/// A value table without its offsets (for storing; [`RawValues::index`] restores them).
#[derive(Debug, Clone, Copy)]
pub(crate) struct RawValues<'a> {
    spec: &'a [u8],
    data: &'a [u8],
}

impl<'a> RawValues<'a> {
    pub(crate) fn index(self) -> Values<'a> {
        Values::new(self.spec, self.data)
    }
}

impl<'a> Values<'a> {
    /// The table without its offsets.
    pub(crate) fn raw_values(&self) -> RawValues<'a> {
        RawValues {
            spec: self.spec,
            data: self.data,
        }
    }

    pub(crate) const EMPTY: Values<'static> = Values {
        spec: &[],
        data: &[],
        starts: [0; INDEXED],
    };

    pub(crate) fn new(spec: &'a [u8], data: &'a [u8]) -> Self {
        let mut starts = [0u16; INDEXED];
        let mut start = 0usize;
        for (s, e) in starts.iter_mut().zip(spec.chunks_exact(4)) {
            *s = start.min(u16::MAX.into()) as u16;
            start += spec_size(e);
        }
        Values { spec, data, starts }
    }

    /// The type code of value `index` (without reading any value bytes).
    pub(crate) fn type_of(&self, index: usize) -> Option<u8> {
        self.spec.get(4 * index + 2).copied()
    }

    /// The indices of the values of type `ty`, in order (one pass over the spec).
    pub(crate) fn indices_of(&self, ty: u8) -> impl Iterator<Item = usize> + 'a {
        self.spec
            .chunks_exact(4)
            .enumerate()
            .filter_map(move |(i, e)| (e[2] == ty).then_some(i))
    }

    /// The type code and bytes of value `index` (`None` past the table or the data).
    #[inline]
    pub(crate) fn raw(&self, index: usize) -> Option<(u8, &'a [u8])> {
        let e = self.spec.get(4 * index..4 * index + 4)?;
        let size = spec_size(e);
        let start = match self.starts.get(index) {
            Some(&s) => s as usize,
            None => self.start_far(index),
        };
        Some((e[2], self.data.get(start..start + size)?))
    }

    /// Start of value `index` past the indexed ones (`index < self.len()`).
    #[inline(never)]
    fn start_far(&self, index: usize) -> usize {
        let last = INDEXED - 1;
        let mut s = self.starts[last] as usize + spec_size(&self.spec[4 * last..]);
        for j in INDEXED..index {
            s += spec_size(&self.spec[4 * j..]);
        }
        s
    }

    /// Whether value `index` reads as [`Value::Null`] (without parsing it).
    #[inline]
    pub(crate) fn is_null(&self, index: usize) -> bool {
        match self.raw(index) {
            None => true,
            Some((ty, bytes)) => {
                ty == super::value::ValueType::NULL
                    || (ty == super::value::ValueType::BINXML && bytes.is_empty())
            }
        }
    }

    /// Value `index`, typed (`Null` when missing).
    #[inline]
    pub(crate) fn get(&self, index: usize) -> Value<'a> {
        match self.raw(index) {
            Some((ty, bytes)) => Value::parse(ty, bytes),
            None => Value::Null,
        }
    }
}

/// Parse a fragment that is one template instance (after optional fragment headers, up to
/// EOF or the end of the window), the common shape of EventData/UserData payload values.
/// `None` when the fragment has another shape or does not read: the caller then uses
/// [`TreeParser::fragment`], which gives the same result for this shape.
pub(crate) fn single_instance<'a>(mut c: Cursor<'a>) -> Option<InstanceRef<'a>> {
    while c.peek()? & !token::MORE == token::FRAGMENT_HEADER {
        c.take(4, "").ok()?;
    }
    if c.peek()? & !token::MORE != token::TEMPLATE_INSTANCE {
        return None;
    }
    c.pos += 1;
    let inst = template_instance(&mut c).ok()?;
    match c.peek() {
        None => Some(inst),
        Some(t) if t & !token::MORE == token::EOF => Some(inst),
        Some(_) => None,
    }
}

/// Read a template instance after its token byte: returns the reference and the position
/// after the values. An inline definition is skipped.
pub(crate) fn template_instance<'a>(c: &mut Cursor<'a>) -> PResult<InstanceRef<'a>> {
    c.u8("template instance version")?;
    c.u32("template id")?;
    let def_offset = c.u32("template definition offset")?;
    if def_offset as usize == c.pos {
        c.u32("template next offset")?;
        c.take(16, "template guid")?;
        let size = c.u32("template data size")? as usize;
        c.take(size, "template definition")?;
    }
    let count = c.u32("value count")? as usize;
    let spec = c.take(
        count.checked_mul(4).ok_or(c.err("value count"))?,
        "value spec",
    )?;
    // The starts of the indexed values, then the total size. (Two plain loops: a zip
    // over `entries.by_ref()` loses the indexed iteration and costs twice as much.)
    let mut starts = [0u16; INDEXED];
    let mut total = 0usize;
    let (head, tail) = spec.split_at(spec.len().min(4 * INDEXED));
    for (s, e) in starts.iter_mut().zip(head.chunks_exact(4)) {
        *s = total.min(u16::MAX.into()) as u16;
        total += spec_size(e);
    }
    total += tail.chunks_exact(4).map(spec_size).sum::<usize>();
    // Values may be cut short in damaged records; keep what there is, `raw` checks bounds.
    let avail = total.min(c.end - c.pos);
    let data = c.take(avail, "values")?;
    Ok(InstanceRef {
        def_offset,
        values: Values { spec, data, starts },
    })
}

/// Decoded names by chunk offset: a chunk's templates share their names (`Data`, `Name`,
/// …), so each is decoded once per chunk.
pub(crate) type Names = HashMap<u32, Arc<str>, BuildHasherDefault<OffsetHasher>>;

/// Read a name reference: an inline name structure is skipped, a reference elsewhere is
/// read at its offset.
pub(crate) fn name_ref(c: &mut Cursor<'_>, names: &mut Names) -> PResult<Arc<str>> {
    let offset = c.u32("name offset")? as usize;
    let inline = offset == c.pos;
    let name = match names.get(&(offset as u32)) {
        Some(n) => n.clone(),
        None => {
            let Some(n) = name_at(c.data, offset) else {
                return Err(if inline {
                    c.err("name")
                } else {
                    BinXmlError {
                        offset,
                        what: "name",
                    }
                });
            };
            names.insert(offset as u32, n.clone());
            n
        }
    };
    if inline {
        let n = u16::from_le_bytes([c.data[offset + 6], c.data[offset + 7]]) as usize;
        c.seek(offset + 10 + 2 * n, "inline name")?;
    }
    Ok(name)
}

/// Decode the name structure at chunk offset `offset` (`next u32, hash u16, count u16, chars`).
pub(crate) fn name_at(data: &[u8], offset: usize) -> Option<Arc<str>> {
    let n = u16::from_le_bytes(data.get(offset + 6..offset + 8)?.try_into().ok()?) as usize;
    let chars = data.get(offset + 8..offset + 8 + 2 * n)?;
    Some(Utf16Str::until_nul(chars).to_arc_str())
}

/// How `el` keys its data item: `Data@Name` when the last `Name` attribute is literal.
/// An attribute with no pieces is left out when the event is walked, so it cannot win.
fn data_key<'a>(el: &Element<'a>) -> DataKey<'a> {
    if &*el.name != "Data" {
        return DataKey::ByName;
    }
    let Some(attr) = el
        .attrs
        .iter()
        .rev()
        .find(|a| &*a.name == "Name" && !a.value.is_empty())
    else {
        return if el.attrs.iter().any(|a| &*a.name == "Name") {
            DataKey::Dynamic
        } else {
            DataKey::ByName
        };
    };
    if let [Node::Text(t)] = &attr.value[..] {
        return DataKey::Text(*t, OnceLock::new());
    }
    let mut pieces = Vec::with_capacity(attr.value.len());
    for p in &attr.value {
        pieces.push(match p {
            Node::Text(t) => t.to_cow().into_owned(),
            Node::Value(v) => v.to_string(),
            // Pieces that may drop out at walk time are left to the walk.
            Node::CharRef(c) => match char::from_u32((*c).into()) {
                Some(c) => String::from(c),
                None => return DataKey::Dynamic,
            },
            Node::EntityRef(n) => match super::render::entity_char(n) {
                Some(c) => String::from(c),
                None => return DataKey::Dynamic,
            },
            _ => return DataKey::Dynamic,
        });
    }
    DataKey::Static(pieces.concat().as_str().into())
}

/// What a parser keeps from one parse to the next (a chunk's template cache carries it
/// between compiles): the decoded names, and the stacks the lists of an element are
/// gathered on before they are moved into exactly sized vectors (empty between parses;
/// a failed parse leaves them to be cleared by the next).
#[derive(Debug, Default)]
pub(crate) struct ParseBufs<'a> {
    pub(crate) names: Names,
    nodes: Vec<Node<'a>>,
    attrs: Vec<Attribute<'a>>,
}

/// Parser state for one stream.
pub(crate) struct TreeParser<'a> {
    pub(crate) c: Cursor<'a>,
    /// Names and scratch stacks (callers may carry them from one parse to the next).
    pub(crate) bufs: ParseBufs<'a>,
    in_template: bool,
    nodes: usize,
}

impl<'a> TreeParser<'a> {
    pub(crate) fn new(c: Cursor<'a>, in_template: bool) -> Self {
        TreeParser {
            c,
            bufs: ParseBufs::default(),
            in_template,
            nodes: 0,
        }
    }

    fn count(&mut self) -> PResult<()> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(self.c.err("too many nodes"));
        }
        Ok(())
    }

    /// `fragment` production: the top-level items up to EOF or the end of the window.
    pub(crate) fn fragment(&mut self) -> PResult<Vec<Top<'a>>> {
        self.bufs.nodes.clear();
        self.bufs.attrs.clear();
        // Almost always one item (a template body, a record's instance).
        let mut out = Vec::with_capacity(1);
        while let Some(t) = self.c.peek() {
            match t & !token::MORE {
                token::EOF => {
                    self.c.pos += 1;
                    break;
                }
                token::FRAGMENT_HEADER => {
                    self.c.take(4, "fragment header")?;
                }
                token::TEMPLATE_INSTANCE if !self.in_template => {
                    self.c.pos += 1;
                    out.push(Top::Instance(template_instance(&mut self.c)?));
                }
                token::OPEN_START => out.push(Top::Element(self.element(0)?)),
                _ => return Err(self.c.err("token at fragment level")),
            }
        }
        Ok(out)
    }

    /// `element` production, starting at its OpenStart token.
    pub(crate) fn element(&mut self, depth: usize) -> PResult<Element<'a>> {
        if depth >= MAX_DEPTH {
            return Err(self.c.err("nesting too deep"));
        }
        self.count()?;
        let t = self.c.u8("element token")?;
        let dependency = if self.in_template {
            Some(self.c.u16("dependency id")?).filter(|&d| d != 0xffff)
        } else {
            None
        };
        self.c.u32("element data size")?;
        let name = name_ref(&mut self.c, &mut self.bufs.names)?;
        if t & token::MORE != 0 {
            self.c.u32("attribute list size")?;
        }
        let mut el = Element {
            name,
            dependency,
            attrs: Few::default(),
            content: Nodes::default(),
            empty: false,
            key: DataKey::ByName,
            skip: None,
        };
        // Children and attributes are gathered on the scratch stacks above these marks
        // (nested elements take theirs before returning), then moved out in one piece:
        // `split_off` copies them into an exactly sized vector (none when empty) and
        // leaves the stack its capacity; a single item is kept inline ([`Few`]).
        let attrs = self.bufs.attrs.len();
        loop {
            let t = self.c.u8("token in start tag")?;
            match t & !token::MORE {
                token::ATTRIBUTE => {
                    self.count()?;
                    let name = name_ref(&mut self.c, &mut self.bufs.names)?;
                    let value = self.pieces()?;
                    self.bufs.attrs.push(Attribute { name, value });
                }
                token::CLOSE_EMPTY => {
                    el.attrs = Few::take(&mut self.bufs.attrs, attrs);
                    el.empty = true;
                    el.key = data_key(&el);
                    return Ok(el);
                }
                token::CLOSE_START => {
                    el.attrs = Few::take(&mut self.bufs.attrs, attrs);
                    el.key = data_key(&el);
                    break;
                }
                _ => {
                    return Err(BinXmlError {
                        offset: self.c.pos - 1,
                        what: "token in start tag",
                    })
                }
            }
        }
        let content = self.bufs.nodes.len();
        loop {
            let Some(t) = self.c.peek() else {
                return Err(self.c.err("unterminated element"));
            };
            match t & !token::MORE {
                token::END_ELEMENT => {
                    self.c.pos += 1;
                    el.content = Few::take(&mut self.bufs.nodes, content);
                    return Ok(el);
                }
                token::OPEN_START => {
                    let child = self.element(depth + 1)?;
                    self.bufs.nodes.push(Node::Element(Box::new(child)));
                }
                _ => match self.piece()? {
                    Some(p) => self.bufs.nodes.push(p),
                    None => return Err(self.c.err("token in element content")),
                },
            }
        }
    }

    /// The pieces of an attribute value, up to the next attribute or the end of the tag.
    fn pieces(&mut self) -> PResult<Nodes<'a>> {
        let start = self.bufs.nodes.len();
        while let Some(t) = self.c.peek() {
            if matches!(
                t & !token::MORE,
                token::ATTRIBUTE | token::CLOSE_START | token::CLOSE_EMPTY
            ) {
                break;
            }
            match self.piece()? {
                Some(p) => self.bufs.nodes.push(p),
                None => return Err(self.c.err("token in attribute value")),
            }
        }
        Ok(Few::take(&mut self.bufs.nodes, start))
    }

    /// `piece` production (`None`, cursor unmoved, when the next token is no piece).
    fn piece(&mut self) -> PResult<Option<Node<'a>>> {
        let Some(t) = self.c.peek() else {
            return Ok(None);
        };
        let node = match t & !token::MORE {
            token::VALUE => {
                self.c.pos += 1;
                let ty = self.c.u8("value type")?;
                if ty == super::value::ValueType::STRING {
                    let n = self.c.u16("text length")? as usize;
                    Node::Text(Utf16Str::until_nul(self.c.take(2 * n, "text")?))
                } else {
                    let size = super::value::ValueType(ty)
                        .fixed_size()
                        .ok_or(self.c.err("value type"))?;
                    Node::Value(Box::new(Value::parse(ty, self.c.take(size, "value")?)))
                }
            }
            token::NORMAL_SUBST | token::OPTIONAL_SUBST => {
                self.c.pos += 1;
                let index = self.c.u16("substitution index")?;
                self.c.u8("substitution type")?;
                Node::Subst {
                    index,
                    optional: t & !token::MORE == token::OPTIONAL_SUBST,
                }
            }
            token::CHAR_REF => {
                self.c.pos += 1;
                Node::CharRef(self.c.u16("char ref")?)
            }
            token::ENTITY_REF => {
                self.c.pos += 1;
                Node::EntityRef(name_ref(&mut self.c, &mut self.bufs.names)?)
            }
            token::CDATA => {
                self.c.pos += 1;
                let n = self.c.u16("cdata length")? as usize;
                Node::CData(Utf16Str::until_nul(self.c.take(2 * n, "cdata")?))
            }
            token::PI_TARGET => {
                self.c.pos += 1;
                let target = name_ref(&mut self.c, &mut self.bufs.names)?;
                let data = if self.c.peek() == Some(token::PI_DATA) {
                    self.c.pos += 1;
                    let n = self.c.u16("pi data length")? as usize;
                    Utf16Str::until_nul(self.c.take(2 * n, "pi data")?)
                } else {
                    Utf16Str::until_nul(&[])
                };
                Node::Pi(Box::new((target, data)))
            }
            _ => return Ok(None),
        };
        self.count()?;
        Ok(Some(node))
    }
}

#[cfg(test)]
#[path = "binxml_tests.rs"]
mod tests;
