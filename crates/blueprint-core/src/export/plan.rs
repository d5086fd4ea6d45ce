//! The `plan` report: what archgen will build, as JSON for tools and as
//! text for people. `docs/plan-json.md` documents the JSON shape.

use serde_json::{json, Map, Value};
use std::fmt::Write as _;

use crate::archimate::Layer;
use crate::graph::Blueprint;

/// The version of the plan JSON shape; it changes only when a documented
/// key changes meaning or goes away.
pub const PLAN_FORMAT_VERSION: u32 = 1;

/// The blueprint as the plan JSON documented in `docs/plan-json.md`:
/// format and version, the product, counts by kind, every element and
/// relationship in insertion order, and the parameters.
///
/// ```
/// use blueprint_core::builder::SpecBuilder;
/// use blueprint_core::export::plan_json;
///
/// let bp = SpecBuilder::new("tasks").with_entity("Task", |e| e).build();
/// let plan = plan_json(&bp);
/// assert_eq!(plan["version"], 1);
/// assert_eq!(plan["counts"]["elements"]["DataObject"], 1);
/// assert_eq!(plan["elements"][0]["id"], "role.user");
/// ```
pub fn plan_json(bp: &Blueprint) -> Value {
    let spec = bp.spec();
    let mut element_counts = Map::new();
    for (kind, n) in bp.counts_by_kind() {
        element_counts.insert(kind.xsi_type().to_string(), json!(n));
    }
    let mut relationship_counts = Map::new();
    for (kind, n) in bp.relationship_counts_by_kind() {
        relationship_counts.insert(kind.xsi_type().to_string(), json!(n));
    }
    let elements: Vec<Value> = bp
        .elements()
        .map(|e| {
            let mut o = Map::new();
            o.insert("id".into(), json!(e.id.as_str()));
            o.insert("kind".into(), json!(e.kind.xsi_type()));
            o.insert("layer".into(), json!(e.kind.layer().id()));
            o.insert("name".into(), json!(e.name));
            if let Some(d) = &e.documentation {
                o.insert("documentation".into(), json!(d));
            }
            o.insert("properties".into(), json!(e.properties));
            Value::Object(o)
        })
        .collect();
    let relationships: Vec<Value> = bp
        .relationships()
        .map(|r| {
            let mut o = Map::new();
            o.insert("id".into(), json!(r.id.as_str()));
            o.insert("kind".into(), json!(r.kind.xsi_type()));
            o.insert("source".into(), json!(r.source.as_str()));
            o.insert("target".into(), json!(r.target.as_str()));
            if let Some(a) = r.access {
                o.insert("access".into(), json!(a.as_str()));
            }
            if let Some(n) = &r.name {
                o.insert("name".into(), json!(n));
            }
            o.insert("properties".into(), json!(r.properties));
            Value::Object(o)
        })
        .collect();
    let mut parameters = Map::new();
    for (key, p) in bp.parameters() {
        parameters.insert(
            key.clone(),
            json!({ "value": p.value, "set_by": p.set_by.as_str() }),
        );
    }
    json!({
        "format": "archgen-plan",
        "version": PLAN_FORMAT_VERSION,
        "product": {
            "name": spec.product.name,
            "title": spec.product.display_name(),
            "stack": spec.stack,
            "database": spec.database,
        },
        "counts": {
            "elements": element_counts,
            "relationships": relationship_counts,
            "total_elements": elements.len(),
            "total_relationships": relationships.len(),
        },
        "elements": elements,
        "relationships": relationships,
        "parameters": parameters,
    })
}

/// The plan as text for a terminal: a summary line, counts by kind, the
/// elements grouped by layer, the relationships and the parameters. Plain
/// ASCII layout, no colour, stable from run to run.
///
/// ```
/// use blueprint_core::builder::SpecBuilder;
/// use blueprint_core::export::plan_text;
///
/// let bp = SpecBuilder::new("tasks").with_entity("Task", |e| e).build();
/// let text = plan_text(&bp);
/// assert!(text.starts_with("Plan for tasks (tasks), stack python-fastapi, database postgresql\n"));
/// assert!(text.contains("  DataObject  do.task  Task\n"));
/// ```
pub fn plan_text(bp: &Blueprint) -> String {
    let spec = bp.spec();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Plan for {} ({}), stack {}, database {}",
        one_line(spec.product.display_name()),
        one_line(&spec.product.name),
        one_line(&spec.stack),
        one_line(&spec.database)
    );
    let elements = bp.elements().count();
    let relationships = bp.relationships().count();
    let _ = writeln!(out, "{elements} elements, {relationships} relationships");
    out.push_str("\nElements by kind\n");
    for (kind, n) in bp.counts_by_kind() {
        let _ = writeln!(out, "  {kind}: {n}");
    }
    out.push_str("\nRelationships by kind\n");
    for (kind, n) in bp.relationship_counts_by_kind() {
        let _ = writeln!(out, "  {kind}: {n}");
    }
    for layer in Layer::ALL {
        let members: Vec<_> = bp.elements().filter(|e| e.kind.layer() == layer).collect();
        if members.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{} layer", layer.name());
        for e in members {
            let _ = writeln!(out, "  {}  {}  {}", e.kind, e.id, one_line(&e.name));
        }
    }
    out.push_str("\nRelationships\n");
    for r in bp.relationships() {
        let _ = write!(out, "  {}  {} -> {}", r.kind, r.source, r.target);
        if let Some(a) = r.access {
            let _ = write!(out, "  [{a}]");
        }
        if let Some(n) = &r.name {
            let _ = write!(out, "  \"{}\"", one_line(n));
        }
        let props: Vec<String> = r
            .properties
            .iter()
            .map(|(k, v)| format!("{k}={}", one_line(v)))
            .collect();
        if !props.is_empty() {
            let _ = write!(out, "  ({})", props.join(", "));
        }
        out.push('\n');
    }
    if !bp.parameters().is_empty() {
        out.push_str("\nParameters\n");
        for (key, p) in bp.parameters() {
            let _ = writeln!(
                out,
                "  {} = {}  (set by {})",
                one_line(key),
                p.value,
                p.set_by
            );
        }
    }
    out
}

/// Text on one line: line breaks and other control characters become
/// spaces, so a name cannot forge extra report lines.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}
