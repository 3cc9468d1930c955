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
//!   only attribute is a literal `Data@Name` (or `xmlns`): one item.
//!
//! A plan is only built for shapes where these steps give exactly the walk's items;
//! anything else (attributes with values, mixed content, nested elements, substitutions
//! in odd places) gets no plan. At run time a step whose value is BinXML or an array
//! where the plan expects a plain value stops the plan ([`Bail`]); the caller resets the
//! sink and runs the walk, which handles every case.

use super::binxml::{DataKey, Element, Node, Values};
use super::data::{DataSink, Nested, NestedTop};
use super::event::optional_empty;
use super::value::{Value, ValueType};

/// What a template's walk does, step by step (see the module docs).
#[derive(Debug, Clone)]
pub(crate) enum Step {
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
}

/// The steps of a template (see the module docs).
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    pub(crate) steps: Box<[Step]>,
    /// Its items have distinct names and none is an unnamed `Data`: no key repeats.
    distinct: bool,
    /// The only step that gives items is one `Payload`.
    one_payload: bool,
}

/// Why a plan stopped.
pub(crate) struct Bail;

/// The plan of a template whose root is `root`, if its shape allows one.
pub(crate) fn plan(root: &Element<'_>) -> Option<Plan> {
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
            Step::Skip(_) => {}
        }
    }
    names.sort_unstable();
    let distinct = named && names.windows(2).all(|w| w[0] != w[1]);
    Some(Plan {
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
fn event_steps(root: &Element<'_>, steps: &mut Vec<Step>) -> Option<()> {
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

/// A payload root (`EventData`, `UserData`, …): each child element is one item.
fn payload_steps(root: &Element<'_>, steps: &mut Vec<Step>) -> Option<()> {
    if !quiet_attrs(root) {
        return None;
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

fn item(el: &Element<'_>) -> Option<Step> {
    let is_data = &*el.name == "Data";
    let name: Box<str> = match &el.key {
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
    let plain = !name.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\');
    Some(Step::Item {
        plain,
        name,
        unnamed: is_data && el.key == DataKey::ByName,
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
    plan: &'e Plan,
    values: &Values<'a>,
    data: &'a [u8],
    nested: &'e Nested<'a>,
    payload: bool,
    sink: &mut S,
) -> Result<(), Bail> {
    run_steps(plan, values, data, nested, payload, false, sink)
}

/// [`run`]; `fresh` when no item of the event can repeat another's name (the sink may
/// then skip its duplicate check).
fn run_steps<'e, 'a: 'e, S: DataSink<'e>>(
    plan: &'e Plan,
    values: &Values<'a>,
    data: &'a [u8],
    nested: &'e Nested<'a>,
    payload: bool,
    fresh: bool,
    sink: &mut S,
) -> Result<(), Bail> {
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
                let start = (bytes.as_ptr() as usize).wrapping_sub(data.as_ptr() as usize);
                let tops = nested.get(start).ok_or(Bail)?;
                for top in tops {
                    let NestedTop::Instance(t, raw) = top else {
                        return Err(Bail);
                    };
                    let inner = t.plan.as_ref().ok_or(Bail)?;
                    if &*t.root.name == "Event" {
                        return Err(Bail);
                    }
                    let fresh = plan.one_payload && tops.len() == 1 && inner.distinct;
                    run_steps(inner, &raw.index(), data, nested, true, fresh, sink)?;
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
                        if special(values, *i) {
                            return Err(Bail);
                        }
                        let v = values.get((*i).into());
                        if *optional && optional_empty(&v) {
                            Value::Null
                        } else {
                            v
                        }
                    }
                };
                sink.item_static(name, *plain, fresh, value, *unnamed);
            }
        }
    }
    Ok(())
}
