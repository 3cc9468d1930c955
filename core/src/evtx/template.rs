//! Template definitions, compiled into a field map (and a data plan), once per file.
//!
//! # Design notes
//!
//! A template definition is the element tree of an event with substitution slots. Almost
//! every record of a log is an instance of one of a few dozen templates, so the tree is
//! parsed once (per file, through the shared store) and walked once to build a
//! `FieldMap`: for every System field (EventID, Provider@Name, TimeCreated@SystemTime,
//! Computer, …) whether it is absent, a literal in the template, or substitution value
//! *n*. Reading a record's system fields is
//! then a value-spec read plus a slice per field; nothing is rendered.
//!
//! Templates are keyed by the chunk offset of their definition (every instance carries
//! it). `TemplateCache` keeps them, failures included, so a bad definition is parsed once
//! and a reference loop cannot arise: definitions never contain instances (see the
//! `binxml` module). The cache belongs to the one thread reading the chunk: no lock. On
//! a chunk's first use of a definition it asks the file's `TemplateStore` (the `shared`
//! module), which hands out the template compiled from an equal definition in another
//! chunk, so each template is compiled about once per file. Events hold their templates
//! by reference count, the outer one and the templates of their nested payloads
//! (resolved when the event is read), so their data items can
//! borrow names from the templates.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use super::binxml::{BinXmlError, Cursor, Element, Names, Node, ParseBufs, Skip, Top, TreeParser};
use super::flat::Scratch;
use super::plan::Plan;
use super::shared::{definition_body, definition_key_names, hash, NameField, TemplateStore};

/// The System fields the field map locates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum SystemField {
    ProviderName,
    ProviderGuid,
    EventSourceName,
    EventId,
    Qualifiers,
    Version,
    Level,
    Task,
    Opcode,
    Keywords,
    TimeCreated,
    EventRecordId,
    ActivityId,
    RelatedActivityId,
    ProcessId,
    ThreadId,
    Channel,
    Computer,
    UserId,
}

impl SystemField {
    /// Number of fields.
    pub const COUNT: usize = 19;

    /// The field's (element, attribute) path below `System`.
    pub const fn path(self) -> (&'static str, Option<&'static str>) {
        use SystemField::*;
        match self {
            ProviderName => ("Provider", Some("Name")),
            ProviderGuid => ("Provider", Some("Guid")),
            EventSourceName => ("Provider", Some("EventSourceName")),
            EventId => ("EventID", None),
            Qualifiers => ("EventID", Some("Qualifiers")),
            Version => ("Version", None),
            Level => ("Level", None),
            Task => ("Task", None),
            Opcode => ("Opcode", None),
            Keywords => ("Keywords", None),
            TimeCreated => ("TimeCreated", Some("SystemTime")),
            EventRecordId => ("EventRecordID", None),
            ActivityId => ("Correlation", Some("ActivityID")),
            RelatedActivityId => ("Correlation", Some("RelatedActivityID")),
            ProcessId => ("Execution", Some("ProcessID")),
            ThreadId => ("Execution", Some("ThreadID")),
            Channel => ("Channel", None),
            Computer => ("Computer", None),
            UserId => ("Security", Some("UserID")),
        }
    }

    /// All fields.
    pub const ALL: [SystemField; Self::COUNT] = {
        use SystemField::*;
        [
            ProviderName,
            ProviderGuid,
            EventSourceName,
            EventId,
            Qualifiers,
            Version,
            Level,
            Task,
            Opcode,
            Keywords,
            TimeCreated,
            EventRecordId,
            ActivityId,
            RelatedActivityId,
            ProcessId,
            ThreadId,
            Channel,
            Computer,
            UserId,
        ]
    };
}

/// Where a System field's value comes from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) enum Source {
    /// Not in the template.
    #[default]
    Absent,
    /// Literal text in the template.
    Literal(Box<str>),
    /// Substitution value `index`; `dependency` leaves the element out when NULL.
    Subst { index: u16, dependency: Option<u16> },
    /// Anything else (mixed content): answered by resolving the tree.
    Complex,
}

/// Which substitution or literal feeds each System field.
#[derive(Debug, Clone, Default)]
pub(crate) struct FieldMap {
    pub(crate) fields: [Source; SystemField::COUNT],
}

/// A System field's source in compact form, read on every [`Event::system`] call: a
/// substitution slot (and the slot whose NULL leaves the field out), nothing, or anything
/// else (answered from [`FieldMap`]).
///
/// [`Event::system`]: super::Event::system
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Slot {
    pub(crate) kind: SlotKind,
    pub(crate) index: u16,
    pub(crate) dependency: u16,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum SlotKind {
    #[default]
    Absent,
    /// Substitution `index`, no dependency.
    Subst,
    /// Substitution `index`, left out when `dependency` is NULL.
    DependentSubst,
    /// A literal or mixed content: see the field map.
    Other,
}

impl FieldMap {
    /// The compact table of the map.
    fn slots(&self) -> [Slot; SystemField::COUNT] {
        let mut out = [Slot::default(); SystemField::COUNT];
        for (slot, source) in out.iter_mut().zip(&self.fields) {
            *slot = match *source {
                Source::Absent => Slot::default(),
                Source::Subst { index, dependency } => Slot {
                    kind: match dependency {
                        None => SlotKind::Subst,
                        Some(_) => SlotKind::DependentSubst,
                    },
                    index,
                    dependency: dependency.unwrap_or(0),
                },
                Source::Literal(_) | Source::Complex => Slot {
                    kind: SlotKind::Other,
                    ..Slot::default()
                },
            };
        }
        out
    }
}

/// A parsed template definition (or an untemplated element tree) and its field map.
#[derive(Debug)]
pub(crate) struct Template<'a> {
    pub(crate) root: Element<'a>,
    pub(crate) map: FieldMap,
    /// The field map in compact form.
    pub(crate) slots: [Slot; SystemField::COUNT],
    /// Elements outside `System`/`RenderingInfo`: a capacity hint for data items.
    pub(crate) items_hint: usize,
    /// The data items as a list of steps, when the shape allows (the `plan` module).
    pub(crate) plan: Option<Plan<'a>>,
}

impl<'a> Template<'a> {
    /// Build from a root element (a template body or an untemplated record).
    pub(crate) fn new(mut root: Element<'a>) -> Self {
        let map = field_map(&root);
        let mut elements = 0;
        subtree(&root, &mut elements, None);
        let mut items_hint = elements;
        if &*root.name == "Event" {
            let mut substs = Vec::new();
            for n in &mut root.content {
                if let Node::Element(e) = n {
                    if matches!(&*e.name, "System" | "RenderingInfo") {
                        let mut elements = 0;
                        substs.clear();
                        subtree(e, &mut elements, Some(&mut substs));
                        items_hint = items_hint.saturating_sub(elements);
                        e.skip = Some(Box::new(Skip {
                            elements,
                            substs: substs.as_slice().into(),
                        }));
                    }
                }
            }
        }
        let plan = super::plan::plan(&root, elements);
        Template {
            root,
            slots: map.slots(),
            map,
            items_hint,
            plan,
        }
    }
}

/// Count the elements of a subtree and collect its substitution indices (when asked).
fn subtree(el: &Element<'_>, elements: &mut usize, mut substs: Option<&mut Vec<u16>>) {
    *elements += 1;
    let pieces = el.attrs.iter().flat_map(|a| a.value.iter());
    for n in el.content.iter().chain(pieces) {
        match n {
            Node::Element(e) => subtree(e, elements, substs.as_deref_mut()),
            Node::Subst { index, .. } => {
                if let Some(s) = substs.as_deref_mut() {
                    s.push(*index);
                }
            }
            _ => {}
        }
    }
}

fn field_map(root: &Element<'_>) -> FieldMap {
    let mut map = FieldMap::default();
    if &*root.name != "Event" {
        return map;
    }
    let Some(system) = root.content.iter().find_map(|n| match n {
        Node::Element(e) if &*e.name == "System" => Some(e),
        _ => None,
    }) else {
        return map;
    };
    for field in SystemField::ALL {
        let (el_name, attr) = field.path();
        let Some(el) = system.content.iter().find_map(|n| match n {
            Node::Element(e) if &*e.name == el_name => Some(e),
            _ => None,
        }) else {
            continue;
        };
        let dependency = el.dependency.or(system.dependency);
        let pieces = match attr {
            None => Some(&el.content[..]),
            Some(a) => el
                .attrs
                .iter()
                .find(|x| &*x.name == a)
                .map(|x| &x.value[..]),
        };
        map.fields[field as usize] = match pieces {
            None => Source::Absent,
            Some(p) => source_of(p, dependency),
        };
    }
    map
}

fn source_of(pieces: &[Node<'_>], dependency: Option<u16>) -> Source {
    match pieces {
        [Node::Subst { index, .. }] => Source::Subst {
            index: *index,
            dependency,
        },
        _ => {
            let mut text = String::new();
            for p in pieces {
                match p {
                    Node::Text(t) => text.push_str(&t.to_cow()),
                    Node::Value(v) => text.push_str(&v.to_string()),
                    Node::CharRef(c) => text.extend(char::from_u32((*c).into())),
                    _ => return Source::Complex,
                }
            }
            Source::Literal(text.into())
        }
    }
}

/// Where a chunk is: its bytes and its place in the file. Copied into every event.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ChunkRef<'a> {
    /// The chunk's 64 KiB (or fewer, for a truncated last chunk).
    pub(crate) data: &'a [u8],
    /// Index of the chunk slot in the file.
    pub(crate) number: u64,
    /// File offset of the chunk.
    pub(crate) file_offset: u64,
}

/// A multiplicative hash for template definition offsets (small integer keys).
#[derive(Default)]
pub(crate) struct OffsetHasher(u64);

impl Hasher for OffsetHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8 | u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u32(&mut self, v: u32) {
        self.0 = u64::from(v).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

type TemplateMap<'a> =
    HashMap<u32, Result<Arc<Template<'a>>, BinXmlError>, BuildHasherDefault<OffsetHasher>>;

/// The templates of one chunk, compiled on first use and kept, failures included.
///
/// Owned by the reader of the chunk (one thread reads a chunk), so lookups take no lock;
/// events keep the templates they need by reference count.
#[derive(Debug)]
pub(crate) struct TemplateCache<'a> {
    pub(crate) chunk: ChunkRef<'a>,
    templates: TemplateMap<'a>,
    /// Names and scratch stacks of the tree parser, kept between compiles.
    bufs: ParseBufs<'a>,
    /// Templates shared with the other chunks of the file.
    store: Arc<TemplateStore<'a>>,
    /// Whether chunks read later may use this chunk's templates: if not (the last chunk,
    /// the only chunk of a small file), nothing is put in the store, and an empty store
    /// is not asked (no hash, no normalising scan).
    share: bool,
    /// Scratch buffer for normalised definitions.
    key: Vec<u8>,
    /// Scratch list of the name references of a definition.
    name_fields: Vec<NameField>,
    /// Scratch buffers of the flat nested payloads (the `flat` module).
    flat: Scratch<'a>,
}

/// Size of a template definition header: next offset, GUID, data size.
const TEMPLATE_HEADER: usize = 4 + 16 + 4;

impl<'a> TemplateCache<'a> {
    pub(crate) fn new(chunk: ChunkRef<'a>, store: Arc<TemplateStore<'a>>, share: bool) -> Self {
        TemplateCache {
            chunk,
            // Sized for a typical chunk (a few dozen templates), so the map is allocated
            // once rather than grown; the key buffers are sized on first use.
            templates: TemplateMap::with_capacity_and_hasher(32, Default::default()),
            bufs: ParseBufs::default(),
            store,
            share,
            key: Vec::new(),
            name_fields: Vec::new(),
            flat: Scratch::default(),
        }
    }

    /// The chunk's name cache and the scratch ops, for building flat nested payloads.
    pub(crate) fn flat_bufs(&mut self) -> (&mut Names, &mut Scratch<'a>) {
        (&mut self.bufs.names, &mut self.flat)
    }

    /// The template whose definition starts at chunk offset `def_offset`: from this
    /// chunk's cache, else from the file's store (same normalised definition), else
    /// compiled.
    pub(crate) fn template(&mut self, def_offset: u32) -> Result<Arc<Template<'a>>, BinXmlError> {
        if let Some(t) = self.templates.get(&def_offset) {
            return t.clone();
        }
        let data = self.chunk.data;
        if !self.share && self.store.is_empty() {
            let t = compile_with(data, def_offset as usize, &mut self.bufs).map(Arc::new);
            self.templates.insert(def_offset, t.clone());
            return t;
        }
        if self.key.capacity() == 0 {
            // Definitions of a few KiB, a few dozen names: allocated once, not grown.
            self.key.reserve(4096);
            self.name_fields.reserve(64);
        }
        let body = definition_body(data, def_offset as usize).map(|(s, b)| (s, b, hash(b)));
        if let Some(t) = body.and_then(|(start, b, h)| self.store.get_raw(data, start, b, h)) {
            self.templates.insert(def_offset, Ok(t.clone()));
            return Ok(t);
        }
        let keyed = definition_key_names(
            data,
            def_offset as usize,
            &mut self.key,
            &mut self.name_fields,
        )
        .is_some();
        let shared = if keyed {
            self.store.get(&self.key)
        } else {
            None
        };
        let (stored_key, t) = match shared {
            Some((k, t)) => (Some(k), Ok(t)),
            None => {
                let t = compile_with(data, def_offset as usize, &mut self.bufs).map(Arc::new);
                match (keyed && self.share, &t) {
                    (true, Ok(t)) => (self.store.insert(&self.key, t), Ok(t.clone())),
                    _ => (None, t),
                }
            }
        };
        if let (true, Some((_, b, h)), Ok(t)) = (keyed && self.share, body, &t) {
            let key = stored_key.unwrap_or_else(|| self.key.as_slice().into());
            self.store.insert_raw(b, h, &self.name_fields, key, t);
        }
        self.templates.insert(def_offset, t.clone());
        t
    }
}

/// Compile the template definition at chunk offset `def`
/// (`next:u32 guid:16 size:u32 fragment(size)`), without caching.
pub(crate) fn compile(data: &[u8], def: usize) -> Result<Template<'_>, BinXmlError> {
    compile_with(data, def, &mut ParseBufs::default())
}

/// [`compile`], decoding names through (and into) `bufs`, and using its scratch stacks.
fn compile_with<'a>(
    data: &'a [u8],
    def: usize,
    bufs: &mut ParseBufs<'a>,
) -> Result<Template<'a>, BinXmlError> {
    let mut c = Cursor::new(data, def, data.len());
    c.take(TEMPLATE_HEADER - 4, "template header")?;
    let size = c.u32("template data size")? as usize;
    let end = c.pos.saturating_add(size).min(data.len());
    let mut p = TreeParser::new(Cursor::new(data, c.pos, end), true);
    p.bufs = std::mem::take(bufs);
    let tops = p.fragment();
    *bufs = std::mem::take(&mut p.bufs);
    let tops = tops?;
    tops.into_iter()
        .find_map(|t| match t {
            Top::Element(e) => Some(Template::new(e)),
            Top::Instance(_) => None,
        })
        .ok_or(BinXmlError {
            offset: def,
            what: "template without element",
        })
}
