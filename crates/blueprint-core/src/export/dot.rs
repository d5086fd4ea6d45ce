//! Graphviz DOT output: one cluster per layer, a shape per element kind and
//! an edge style per relationship kind.

use std::fmt::Write as _;

use super::style::{family, layer_color, Family};
use crate::archimate::{AccessType, ElementKind, Layer, RelationshipKind};
use crate::graph::{Blueprint, Relationship};

/// The blueprint as a Graphviz `digraph`: a cluster per layer (in
/// [`Layer::ALL`] order, empty layers left out), elements in insertion order
/// labelled with their name and kind, and relationships in insertion order,
/// styled after ArchiMate's notation. Every id and label is quoted and
/// escaped, so any name is safe. The same blueprint always gives the same
/// text.
///
/// ```
/// use blueprint_core::builder::SpecBuilder;
/// use blueprint_core::export::to_dot;
///
/// let bp = SpecBuilder::new("tasks").with_entity("Task", |e| e).build();
/// let dot = to_dot(&bp);
/// assert!(dot.contains("subgraph \"cluster_application\""));
/// assert!(dot.contains("\"svc.task.read\" -> \"do.task\""));
/// assert!(dot.trim_end().ends_with('}'));
/// ```
pub fn to_dot(bp: &Blueprint) -> String {
    let mut out = String::new();
    let title = format!("{} blueprint", bp.spec().product.display_name());
    out.push_str("digraph blueprint {\n");
    let _ = writeln!(
        out,
        "  graph [newrank=true, rankdir=LR, compound=true, fontname=\"Helvetica\", labelloc=t, label={}];",
        quote(&title)
    );
    out.push_str("  node [fontname=\"Helvetica\", fontsize=10, style=filled];\n");
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=8];\n");
    for layer in Layer::ALL {
        let members: Vec<_> = bp.elements().filter(|e| e.kind.layer() == layer).collect();
        if members.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "  subgraph {} {{",
            quote(&format!("cluster_{}", layer.id()))
        );
        let _ = writeln!(out, "    label={};", quote(layer.name()));
        out.push_str("    style=\"rounded,dashed\";\n    color=\"#888888\";\n");
        for e in members {
            let family = family(e.kind);
            let (shape, extra) = shape(family);
            // A junction is a small dot: its name goes beside it.
            let (label, xlabel) = if family == Family::Junction {
                (String::new(), format!(", xlabel={}", quote(&e.name)))
            } else {
                (
                    format!("{}\n«{}»", e.name, e.kind.xsi_type()),
                    String::new(),
                )
            };
            let _ = writeln!(
                out,
                "    {} [label={}, shape={shape}, fillcolor={}{extra}{xlabel}];",
                quote(e.id.as_str()),
                quote(&label),
                quote(fill(e.kind, layer)),
            );
        }
        out.push_str("  }\n");
    }
    for r in bp.relationships() {
        let _ = writeln!(
            out,
            "  {} -> {} [label={}, {}];",
            quote(r.source.as_str()),
            quote(r.target.as_str()),
            quote(&edge_label(r)),
            edge_style(r),
        );
    }
    out.push_str("}\n");
    out
}

/// A DOT double-quoted string: backslashes and quotes escaped, line breaks
/// as DOT's `\n`, other control characters dropped.
fn quote(text: &str) -> String {
    let mut s = String::with_capacity(text.len() + 2);
    s.push('"');
    for c in text.chars() {
        match c {
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            '\n' => s.push_str("\\n"),
            c if c.is_control() => {}
            c => s.push(c),
        }
    }
    s.push('"');
    s
}

/// The layer's colour, except that an and-junction is a filled dot and an
/// or-junction a hollow one, as ArchiMate draws them.
fn fill(kind: ElementKind, layer: Layer) -> &'static str {
    match kind {
        ElementKind::AndJunction => "#000000",
        _ => layer_color(layer),
    }
}

fn shape(f: Family) -> (&'static str, &'static str) {
    match f {
        Family::Actor => ("box", ", style=\"filled,rounded\", peripheries=2"),
        Family::Component => ("component", ""),
        Family::Interface => ("box", ", style=\"filled,rounded\""),
        Family::Behaviour => ("box", ", style=\"filled,rounded\""),
        Family::Event => ("cds", ""),
        Family::Object => ("tab", ""),
        Family::Artifact => ("note", ""),
        Family::Node => ("box3d", ""),
        Family::SystemSoftware => ("cylinder", ""),
        Family::Motivation => ("parallelogram", ""),
        Family::Junction => ("circle", ", width=0.2, fixedsize=true"),
        Family::Other => ("box", ""),
    }
}

fn edge_label(r: &Relationship) -> String {
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
    label
}

/// Edge attributes after ArchiMate's notation, as near as DOT's arrows get.
fn edge_style(r: &Relationship) -> &'static str {
    match r.kind {
        RelationshipKind::Composition => "dir=both, arrowtail=diamond, arrowhead=none",
        RelationshipKind::Aggregation => "dir=both, arrowtail=odiamond, arrowhead=none",
        RelationshipKind::Assignment => "dir=both, arrowtail=dot, arrowhead=normal",
        RelationshipKind::Realization => "style=dashed, arrowhead=onormal",
        RelationshipKind::Serving => "arrowhead=vee",
        RelationshipKind::Access => match r.access {
            Some(AccessType::Read) => "style=dotted, dir=back, arrowtail=vee",
            Some(AccessType::Write) => "style=dotted, arrowhead=vee",
            Some(AccessType::ReadWrite) => "style=dotted, dir=both, arrowtail=vee, arrowhead=vee",
            Some(AccessType::Access) | None => "style=dotted, arrowhead=none",
        },
        RelationshipKind::Influence => "style=dashed, arrowhead=vee",
        RelationshipKind::Triggering => "arrowhead=normal",
        RelationshipKind::Flow => "style=dashed, arrowhead=normal",
        RelationshipKind::Specialization => "arrowhead=empty",
        RelationshipKind::Association => "arrowhead=none",
    }
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn quoting_escapes_everything_dot_would_read() {
        assert_eq!(quote("a\"b"), "\"a\\\"b\"");
        assert_eq!(quote("a\\n"), "\"a\\\\n\"");
        assert_eq!(quote("x\ny\r\t"), "\"x\\ny\"");
    }
}
