//! Mermaid output: a `flowchart LR` with a subgraph per layer.

use indexmap::IndexMap;
use std::fmt::Write as _;

use super::style::{family, Family};
use crate::archimate::{Layer, RelationshipKind};
use crate::graph::{Blueprint, ElementId};

/// The blueprint as a Mermaid `flowchart LR`: a subgraph per layer (in
/// [`Layer::ALL`] order, empty layers left out), a node per element with a
/// shape after its kind, and an edge per relationship, in insertion order.
/// Node ids are made from element ids with only letters, digits and `_`
/// (prefixed `n_`, so no id is a Mermaid keyword), and labels are escaped
/// with Mermaid's entity codes, so any name is safe.
///
/// ```
/// use blueprint_core::builder::SpecBuilder;
/// use blueprint_core::export::to_mermaid;
///
/// let bp = SpecBuilder::new("tasks").with_entity("Task", |e| e).build();
/// let text = to_mermaid(&bp);
/// assert!(text.starts_with("flowchart LR\n"));
/// assert!(text.contains("subgraph layer_application[\"Application\"]"));
/// assert!(text.contains("n_do_task"));
/// ```
pub fn to_mermaid(bp: &Blueprint) -> String {
    let ids = node_ids(bp);
    let mut out = String::from("flowchart LR\n");
    for layer in Layer::ALL {
        let members: Vec<_> = bp.elements().filter(|e| e.kind.layer() == layer).collect();
        if members.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "  subgraph layer_{}[\"{}\"]",
            layer.id(),
            escape(layer.name())
        );
        for e in members {
            let label = format!("{}<br/>«{}»", escape(&e.name), e.kind.xsi_type());
            let (open, close) = shape(family(e.kind));
            let _ = writeln!(out, "    {}{open}\"{label}\"{close}", ids[&e.id]);
        }
        out.push_str("  end\n");
    }
    for r in bp.relationships() {
        let (Some(source), Some(target)) = (ids.get(&r.source), ids.get(&r.target)) else {
            continue;
        };
        let mut label = r
            .name
            .clone()
            .unwrap_or_else(|| r.kind.id_name().to_string());
        if let Some(a) = r.access {
            let _ = write!(label, " ({})", a.as_str());
        }
        if let Some(via) = r.property(crate::lower::props::VIA) {
            let _ = write!(label, " (via {via})");
        }
        let _ = writeln!(
            out,
            "  {source} {}|\"{}\"| {target}",
            arrow(r.kind),
            escape(&label)
        );
    }
    out
}

/// A Mermaid-safe node id per element: `n_` and the element id with every
/// character other than a letter or digit as `_`; a clash gets the
/// element's position appended.
fn node_ids(bp: &Blueprint) -> IndexMap<ElementId, String> {
    let mut ids: IndexMap<ElementId, String> = IndexMap::new();
    let mut used = std::collections::HashSet::new();
    for (i, e) in bp.elements().enumerate() {
        let base: String =
            e.id.as_str()
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect();
        let mut id = format!("n_{base}");
        if !used.insert(id.clone()) {
            id = format!("n_{base}_{i}");
            used.insert(id.clone());
        }
        ids.insert(e.id.clone(), id);
    }
    ids
}

/// Text inside a Mermaid quoted label: characters Mermaid reads specially
/// become entity codes, line breaks become spaces.
fn escape(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => s.push_str("#quot;"),
            '#' => s.push_str("#35;"),
            '&' => s.push_str("#amp;"),
            '<' => s.push_str("#lt;"),
            '>' => s.push_str("#gt;"),
            '|' => s.push_str("#124;"),
            '`' => s.push_str("#96;"),
            '\n' | '\r' | '\t' => s.push(' '),
            c if c.is_control() => {}
            c => s.push(c),
        }
    }
    s
}

fn shape(f: Family) -> (&'static str, &'static str) {
    match f {
        Family::Actor => ("([", "])"),
        Family::Component => ("[[", "]]"),
        Family::Interface => ("(", ")"),
        Family::Behaviour => ("(", ")"),
        Family::Event => (">", "]"),
        Family::Object => ("[", "]"),
        Family::Artifact => ("[/", "/]"),
        Family::Node => ("[", "]"),
        Family::SystemSoftware => ("[(", ")]"),
        Family::Motivation => ("[\\", "\\]"),
        Family::Junction => ("((", "))"),
        Family::Other => ("[", "]"),
    }
}

fn arrow(kind: RelationshipKind) -> &'static str {
    match kind {
        RelationshipKind::Composition => "==>",
        RelationshipKind::Aggregation => "--o",
        RelationshipKind::Assignment => "-->",
        RelationshipKind::Realization => "-.->",
        RelationshipKind::Serving => "-->",
        RelationshipKind::Access => "-.->",
        RelationshipKind::Influence => "-.->",
        RelationshipKind::Triggering => "-->",
        RelationshipKind::Flow => "-.->",
        RelationshipKind::Specialization => "-->",
        RelationshipKind::Association => "---",
    }
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escaping_leaves_no_special_characters() {
        let s = escape("a\"b|c<d>#e&\nf`");
        assert_eq!(s, "a#quot;b#124;c#lt;d#gt;#35;e#amp; f#96;");
    }
}
