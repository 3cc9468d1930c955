//! Template definitions, compiled once per chunk into a field map.
//!
//! # Design notes
//!
//! A template definition is the element tree of an event with substitution slots. Almost
//! every record of a log is an instance of one of a few dozen templates, so the tree is
//! parsed once per chunk and walked once to build a `FieldMap`: for every System field
//! (EventID, Provider@Name, TimeCreated@SystemTime, Computer, …) whether it is absent, a
//! literal in the template, or substitution value *n*. Reading a record's system fields is
//! then a value-spec read plus a slice per field; nothing is rendered.
//!
//! Templates are keyed by the chunk offset of their definition (every instance carries
//! it). `ChunkContext` caches them, failures included, so a bad definition is parsed once
//! and a reference loop cannot arise: definitions never contain instances
//! (see the `binxml` module).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::binxml::{BinXmlError, Cursor, Element, Node, Top, TreeParser};

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

/// A parsed template definition (or an untemplated element tree) and its field map.
#[derive(Debug)]
pub(crate) struct Template<'a> {
    pub(crate) root: Element<'a>,
    pub(crate) map: FieldMap,
}

impl<'a> Template<'a> {
    /// Build from a root element (a template body or an untemplated record).
    pub(crate) fn new(root: Element<'a>) -> Self {
        let map = field_map(&root);
        Template { root, map }
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

/// Per-chunk state shared by the events of a chunk: the chunk bytes and its templates.
#[derive(Debug)]
pub(crate) struct ChunkContext<'a> {
    /// The chunk's 64 KiB (or fewer, for a truncated last chunk).
    pub(crate) data: &'a [u8],
    /// Index of the chunk slot in the file.
    pub(crate) number: u64,
    /// File offset of the chunk.
    pub(crate) file_offset: u64,
    templates: Mutex<HashMap<u32, Result<Arc<Template<'a>>, BinXmlError>>>,
}

/// Size of a template definition header: next offset, GUID, data size.
const TEMPLATE_HEADER: usize = 4 + 16 + 4;

impl<'a> ChunkContext<'a> {
    pub(crate) fn new(data: &'a [u8], number: u64, file_offset: u64) -> Self {
        ChunkContext {
            data,
            number,
            file_offset,
            templates: Mutex::new(HashMap::new()),
        }
    }

    /// The template whose definition starts at chunk offset `def_offset`, compiled on
    /// first use.
    pub(crate) fn template(&self, def_offset: u32) -> Result<Arc<Template<'a>>, BinXmlError> {
        if let Some(t) = self.lock().get(&def_offset) {
            return t.clone();
        }
        let t = self.compile(def_offset as usize).map(Arc::new);
        self.lock().insert(def_offset, t.clone());
        t
    }

    fn lock(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<u32, Result<Arc<Template<'a>>, BinXmlError>>> {
        // A panic while holding the lock cannot leave the map inconsistent (insert is atomic).
        self.templates.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `template definition = next:u32 guid:16 size:u32 fragment(size)`.
    fn compile(&self, def: usize) -> Result<Template<'a>, BinXmlError> {
        let mut c = Cursor::new(self.data, def, self.data.len());
        c.take(TEMPLATE_HEADER - 4, "template header")?;
        let size = c.u32("template data size")? as usize;
        let end = c.pos.saturating_add(size).min(self.data.len());
        let mut p = TreeParser::new(Cursor::new(self.data, c.pos, end), true);
        let tops = p.fragment()?;
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
}
