//! Data plans: the EventData/UserData items of a template, listed once when the template
//! is compiled, so reading an event's items is a loop over value indices.
//!
//! # Design notes
//!
//! Almost every event is an `Event` template whose `System` subtree produces no item and
//! whose payload is one substitution holding an instance of an
//! `<EventData><Data Name='…'>%n</Data>…</EventData>` template. For such shapes the walk
//! of the `data` module always does the same thing, so the template compiler records
//! it as a [`Plan`]:
//!
//! * [`Step::Skip`]: a `System`/`RenderingInfo` subtree, skipped when none of its
//!   substitutions holds BinXML or an array (the walk's own rule);
//! * [`Step::Payload`]: a substitution in the `Event` element: a nested payload when it
//!   holds BinXML, nothing otherwise;
//! * [`Step::Item`]: a field element whose content is at most one substitution and whose
//!   only attribute is a literal `Data@Name` (or `xmlns`): one item, or one per element
//!   when the value is an array of more than one (the walk's expansion);
//! * [`Step::Literal`]: a literal attribute of a payload root (`<EventData Name='…'>`):
//!   one item, the same in every event.
//!
//! A plan is only built for shapes where these steps give exactly the walk's items;
//! anything else (attributes with substitutions or mixed values, mixed content, nested
//! elements, substitutions in odd places) gets no plan. At run time a step whose value is
//! BinXML where the plan expects a plain value, or an array where it cannot expand one,
//! stops the plan ([`Bail`]); the caller resets the sink and runs the walk, which handles
//! every case.
//!
//! The walk charges every element it opens (every copy of an expanded one) to a node
//! budget and fails when it runs out. A run charges each plan it runs with all the
//! elements of its template (and each expansion with its extra copies), at least what
//! the walk would charge, and stops when that bound exceeds the budget: a plan never
//! succeeds where the walk fails.

use super::binxml::{DataKey, Element, Node, Values};
use super::data::{DataSink, Nested, NestedTop};
use super::event::{optional_empty, MAX_EXPANDED_NODES};
use super::value::{Value, ValueType};

/// What a template's walk does, step by step (see the module docs).
#[derive(Debug, Clone)]
pub(crate) enum Step<'a> {
    /// A subtree that gives no item unless one of these values is BinXML or an array.
    Skip(Box<[u16]>),
    /// A substitution of the `Event` element: a nested payload when it holds BinXML.
    Payload(u16),
    /// One item.
    Item {
        /// The item's name (`Data@Name`, or the element name). Boxed, not shared with the
        /// tree: the plan loop reads it for every item, and a `Box<str>` is one load
        /// cheaper there than an `Arc<str>`.
        name: Box<str>,
        /// A `Data` element without `Name`.
        unnamed: bool,
        /// The name needs no JSON escaping.
        plain: bool,
        /// The substitution giving the value (`None`: the element is empty).
        index: Option<u16>,
        optional: bool,
        /// The element is left out when this value is NULL.
        dependency: Option<u16>,
    },
    /// An item whose name and value are literals of the template.
    Literal {
        name: Box<str>,
        /// The name needs no JSON escaping.
        plain: bool,
        value: Value<'a>,
    },
}

/// The steps of a template (see the module docs).
#[derive(Debug, Clone)]
pub(crate) struct Plan<'a> {
    pub(crate) steps: Box<[Step<'a>]>,
    /// Elements of the template: what a run charges to the node budget (module docs).
    elements: usize,
    /// Its items have distinct names and none is an unnamed `Data`: no key repeats.
    distinct: bool,
    /// The only step that gives items is one `Payload`.
    one_payload: bool,
}

/// Why a plan stopped.
pub(crate) struct Bail;

/// The plan of a template whose root is `root` (a tree of `elements` elements), if its
/// shape allows one.
pub(crate) fn plan<'a>(root: &Element<'a>, elements: usize) -> Option<Plan<'a>> {
    let mut steps = Vec::new();
    match &*root.name {
        "Event" => event_steps(root, &mut steps)?,
        "System" | "RenderingInfo" => return None,
        _ => payload_steps(root, &mut steps)?,
    }
    let mut names: Vec<&str> = Vec::new();
    let (mut payloads, mut items, mut named) = (0, 0, true);
    for s in &steps {
        match s {
            Step::Payload(_) => payloads += 1,
            Step::Item { name, unnamed, .. } => {
                items += 1;
                named &= !unnamed;
                names.push(name);
            }
            Step::Literal { name, .. } => {
                items += 1;
                names.push(name);
            }
            Step::Skip(_) => {}
        }
    }
    names.sort_unstable();
    let distinct = named && names.windows(2).all(|w| w[0] != w[1]);
    Some(Plan {
        elements,
        distinct,
        one_payload: payloads == 1 && items == 0,
        steps: steps.into(),
    })
}

/// Attributes that give no item and no array expansion: `xmlns…` with literal values.
fn quiet_attrs(el: &Element<'_>) -> bool {
    el.attrs.iter().all(|a| {
        a.name.starts_with("xmlns") && a.value.iter().all(|n| !matches!(n, Node::Subst { .. }))
    })
}

/// `Event` root: outside the data; children `System`/`RenderingInfo` (skipped), payload
/// roots, and substitutions (nested payloads).
fn event_steps<'a>(root: &Element<'a>, steps: &mut Vec<Step<'a>>) -> Option<()> {
    if !root
        .attrs
        .iter()
        .all(|a| a.value.iter().all(|n| !matches!(n, Node::Subst { .. })))
    {
        return None;
    }
    for n in &root.content {
        match n {
            Node::Element(e) if matches!(&*e.name, "System" | "RenderingInfo") => {
                steps.push(Step::Skip(e.skip.as_ref()?.substs.clone()));
            }
            Node::Element(e) if e.dependency.is_none() => payload_steps(e, steps)?,
            Node::Element(_) => return None,
            Node::Subst { index, .. } => steps.push(Step::Payload(*index)),
            Node::Text(_) | Node::Value(_) | Node::CharRef(_) | Node::EntityRef(_) => {}
            Node::CData(_) | Node::Pi(_) => {}
        }
    }
    Some(())
}

/// A payload root (`EventData`, `UserData`, …): its literal attributes, then each child
/// element, are items.
fn payload_steps<'a>(root: &Element<'a>, steps: &mut Vec<Step<'a>>) -> Option<()> {
    if &*root.name == "Data" {
        // `Data@Name` rules apply to the root too: left to the walk.
        if !quiet_attrs(root) {
            return None;
        }
    } else {
        root_attrs(root, steps)?;
    }
    for n in &root.content {
        match n {
            Node::Element(e) => steps.push(item(e)?),
            Node::Subst { .. } => return None,
            // Text around the fields is not data.
            _ => {}
        }
    }
    Some(())
}

/// The attributes of a payload root other than `Data`: an `xmlns` literal gives nothing,
/// another literal of one piece an item (the walk's attribute value); a substitution
/// anywhere (it could hold an array to expand) or several pieces give no plan.
fn root_attrs<'a>(root: &Element<'a>, steps: &mut Vec<Step<'a>>) -> Option<()> {
    for a in &root.attrs {
        if a.value.iter().any(|n| matches!(n, Node::Subst { .. })) {
            return None;
        }
        if a.name.starts_with("xmlns") {
            continue;
        }
        let value = match &a.value[..] {
            [] => continue,
            [Node::Text(t)] => Value::Str(*t),
            [Node::Value(v)] => (**v).clone(),
            _ => return None,
        };
        steps.push(Step::Literal {
            plain: plain_name(&a.name),
            name: a.name.as_ref().into(),
            value,
        });
    }
    Some(())
}

/// Whether a name needs no JSON escaping.
fn plain_name(name: &str) -> bool {
    !name.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\')
}

fn item<'a>(el: &Element<'a>) -> Option<Step<'a>> {
    let is_data = &*el.name == "Data";
    let name: Box<str> = match &el.key {
        DataKey::Text(t, _) => t.to_boxed_str(),
        DataKey::Static(k) => k.as_ref().into(),
        DataKey::ByName => el.name.as_ref().into(),
        DataKey::Dynamic => return None,
    };
    let only_name = el.attrs.iter().all(|a| {
        (is_data && &*a.name == "Name") || (a.name.starts_with("xmlns") && a.value.is_empty())
    });
    let literal_name = el.attrs.iter().all(|a| {
        a.value
            .iter()
            .all(|n| matches!(n, Node::Text(_) | Node::Value(_)))
    });
    if !only_name || !literal_name {
        return None;
    }
    let (index, optional) = match &el.content[..] {
        [] => (None, false),
        [Node::Subst { index, optional }] => (Some(*index), *optional),
        _ => return None,
    };
    let plain = plain_name(&name);
    Some(Step::Item {
        plain,
        name,
        unnamed: is_data && matches!(el.key, DataKey::ByName),
        index,
        optional,
        dependency: el.dependency,
    })
}

/// Whether value `index` holds BinXML or an array.
fn special(values: &Values<'_>, index: u16) -> bool {
    values
        .type_of(index.into())
        .is_some_and(|t| t & ValueType::ARRAY_FLAG != 0 || t == ValueType::BINXML)
}

/// Run `steps` with `values`, feeding items to `sink`; nested payloads come from
/// `nested` (the event's resolved templates).
pub(crate) fn run<'e, 'a: 'e, S: DataSink<'e>>(
    plan: &'e Plan<'a>,
    values: &Values<'a>,
    data: &'a [u8],
    nested: &'e Nested<'a>,
    payload: bool,
    sink: &mut S,
) -> Result<(), Bail> {
    let mut budget = MAX_EXPANDED_NODES;
    let run = Run { data, nested };
    run.steps(plan, values, payload, false, &mut budget, sink)
}

/// What stays the same through one event's run.
struct Run<'e, 'a> {
    data: &'a [u8],
    nested: &'e Nested<'a>,
}

impl<'e, 'a: 'e> Run<'e, 'a> {
    /// Run one plan; `fresh` when no item of the event can repeat another's name (the
    /// sink may then skip its duplicate check), `budget` the nodes left (module docs).
    fn steps<S: DataSink<'e>>(
        &self,
        plan: &'e Plan<'a>,
        values: &Values<'a>,
        payload: bool,
        fresh: bool,
        budget: &mut usize,
        sink: &mut S,
    ) -> Result<(), Bail> {
        *budget = budget.checked_sub(plan.elements).ok_or(Bail)?;
        for step in plan.steps.iter() {
            match step {
                Step::Skip(substs) => {
                    if substs.iter().any(|&i| special(values, i)) {
                        return Err(Bail);
                    }
                }
                Step::Payload(index) => {
                    let Some((ty, bytes)) = values.raw((*index).into()) else {
                        continue;
                    };
                    if ty & ValueType::ARRAY_FLAG != 0 {
                        return Err(Bail);
                    }
                    if ty != ValueType::BINXML || bytes.is_empty() {
                        continue;
                    }
                    if payload {
                        // Payloads inside payloads: left to the walk.
                        return Err(Bail);
                    }
                    let start = (bytes.as_ptr() as usize).wrapping_sub(self.data.as_ptr() as usize);
                    let tops = self.nested.get(start).ok_or(Bail)?;
                    for top in tops {
                        let NestedTop::Instance(t, raw) = top else {
                            return Err(Bail);
                        };
                        let inner = t.plan.as_ref().ok_or(Bail)?;
                        if &*t.root.name == "Event" {
                            return Err(Bail);
                        }
                        let fresh = plan.one_payload && tops.len() == 1 && inner.distinct;
                        self.steps(inner, &raw.index(), true, fresh, budget, sink)?;
                    }
                }
                Step::Item {
                    name,
                    unnamed,
                    plain,
                    index,
                    optional,
                    dependency,
                } => {
                    if let Some(d) = dependency {
                        let null = match values.raw((*d).into()) {
                            None | Some((ValueType::NULL, _)) => true,
                            Some((ValueType::BINXML, b)) => b.is_empty(),
                            Some(_) => false,
                        };
                        if null {
                            continue;
                        }
                    }
                    let value = match index {
                        None => Value::Null,
                        Some(i) => {
                            let ty = values.type_of((*i).into()).unwrap_or(ValueType::NULL);
                            if ty == ValueType::BINXML {
                                return Err(Bail);
                            }
                            let v = values.get((*i).into());
                            if ty & ValueType::ARRAY_FLAG != 0 {
                                if ty & !ValueType::ARRAY_FLAG == ValueType::BINXML {
                                    return Err(Bail);
                                }
                                if let Some(n) = v.array_len().filter(|&n| n > 1) {
                                    if fresh {
                                        // The copies repeat a name the sink was told
                                        // could not repeat.
                                        return Err(Bail);
                                    }
                                    *budget = budget.checked_sub(n - 1).ok_or(Bail)?;
                                    expand(name, *plain, *unnamed, &v, sink);
                                    continue;
                                }
                            }
                            if *optional && optional_empty(&v) {
                                Value::Null
                            } else {
                                v
                            }
                        }
                    };
                    sink.item_static(name, *plain, fresh, value, *unnamed);
                }
                Step::Literal { name, plain, value } => {
                    sink.item_static(name, *plain, fresh, value.clone(), false);
                }
            }
        }
        Ok(())
    }
}

/// An item whose value is an array of more than one: one item per element (the walk
/// repeats the element), an empty element giving NULL.
#[inline(never)]
fn expand<'e, S: DataSink<'e>>(
    name: &'e str,
    plain: bool,
    unnamed: bool,
    array: &Value<'e>,
    sink: &mut S,
) {
    for item in array.array_items() {
        let item = if optional_empty(&item) {
            Value::Null
        } else {
            item
        };
        sink.item_static(name, plain, false, item, unnamed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evtx::builder::{DataValue, EventSpec, EvtxBuilder};
    use crate::evtx::event::{DataField, Repr};
    use crate::evtx::{EventFilter, EvtxFile};

    #[test]
    fn a_run_charges_every_element_of_its_templates() {
        let mut b = EvtxBuilder::new();
        b.push(EventSpec::new("P", "C", 1).data("A", DataValue::StrArray(vec!["x".into()])));
        let bytes = b.build();
        let file = EvtxFile::parse(&bytes).unwrap();
        let e = file.events(&EventFilter::new()).next().unwrap().unwrap();
        let Repr::Evtx(x) = &e.repr else { panic!() };
        let plan = x.template.plan.as_ref().unwrap();
        let Nested::One(_, NestedTop::Instance(inner, _)) = &x.nested else {
            panic!()
        };
        // The outer template, and the payload's: EventData and one Data.
        let need = plan.elements + inner.plan.as_ref().unwrap().elements;
        assert_eq!(inner.plan.as_ref().unwrap().elements, 2);
        let run = Run {
            data: x.chunk.data,
            nested: &x.nested,
        };
        for (budget, ok) in [(need - 1, false), (need, true)] {
            let mut left = budget;
            let mut sink: Vec<DataField<'_>> = Vec::new();
            let r = run.steps(plan, &x.values, false, false, &mut left, &mut sink);
            assert_eq!(r.is_ok(), ok, "budget {budget}");
        }
    }
}
