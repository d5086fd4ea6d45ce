//! DOT, Mermaid and plan output: structure, escaping and stability.

mod common;

use std::collections::HashSet;

use blueprint_core::archimate::Layer;
use blueprint_core::builder::SpecBuilder;
use blueprint_core::export::{plan_json, plan_text, to_dot, to_mermaid};
use blueprint_core::graph::{Blueprint, ElementId};
use blueprint_core::spec::FieldType;

/// A product whose title tries to break every output format.
fn hostile() -> Blueprint {
    SpecBuilder::new("evil")
        .with_title("Evil \"quoted\" \\ name\n|pipe| <b>#1</b> & `tick` ; end } {")
        .with_entity("Task", |e| {
            e.with_field("title", FieldType::String, |f| f.required())
        })
        .with_integration("stripe")
        .build()
}

/// Splits DOT text into tokens outside quotes and the quoted strings,
/// checking quotes and braces balance.
struct DotScan {
    quoted: Vec<String>,
    max_depth: usize,
}

fn scan_dot(text: &str) -> DotScan {
    let mut quoted = Vec::new();
    let mut depth: i64 = 0;
    let mut max_depth = 0;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                let mut s = String::new();
                loop {
                    match chars.next() {
                        Some('\\') => {
                            let escaped = chars.next().expect("an escape is complete");
                            assert!(
                                matches!(escaped, '"' | '\\' | 'n'),
                                "unexpected escape \\{escaped}"
                            );
                            s.push('\\');
                            s.push(escaped);
                        }
                        Some('"') => break,
                        Some('\n') => panic!("a raw line break inside a quoted string"),
                        Some(other) => s.push(other),
                        None => panic!("an unterminated quoted string"),
                    }
                }
                quoted.push(s);
            }
            '{' => {
                depth += 1;
                max_depth = max_depth.max(depth as usize);
            }
            '}' => {
                depth -= 1;
                assert!(depth >= 0, "a closing brace without an opening one");
            }
            _ => {}
        }
    }
    assert_eq!(depth, 0, "braces do not balance");
    DotScan { quoted, max_depth }
}

#[test]
fn dot_has_a_cluster_per_used_layer_and_declares_every_endpoint() {
    let bp = common::clinic().build();
    let dot = to_dot(&bp);
    assert!(dot.starts_with("digraph blueprint {\n"));
    assert!(dot.ends_with("}\n"));
    let scan = scan_dot(&dot);
    assert_eq!(scan.max_depth, 2, "clusters nest one level");
    let used: Vec<Layer> = Layer::ALL
        .into_iter()
        .filter(|l| bp.elements().any(|e| e.kind.layer() == *l))
        .collect();
    assert_eq!(
        used,
        [Layer::Business, Layer::Application, Layer::Technology]
    );
    for layer in &used {
        assert_eq!(
            dot.matches(&format!("subgraph \"cluster_{}\" {{", layer.id()))
                .count(),
            1
        );
    }
    assert_eq!(dot.matches("subgraph ").count(), used.len());

    // One node statement per element, one edge statement per relationship.
    let mut declared = HashSet::new();
    for e in bp.elements() {
        let stmt = format!("    \"{}\" [label=", e.id);
        assert_eq!(dot.matches(&stmt).count(), 1, "{}", e.id);
        declared.insert(e.id.to_string());
    }
    let edges: Vec<&str> = dot.lines().filter(|l| l.contains(" -> ")).collect();
    assert_eq!(edges.len(), bp.relationships().count());
    for (line, r) in edges.iter().zip(bp.relationships()) {
        assert!(
            line.starts_with(&format!("  \"{}\" -> \"{}\" [", r.source, r.target)),
            "{line}"
        );
        assert!(declared.contains(r.source.as_str()) && declared.contains(r.target.as_str()));
    }
    // Shapes and styles per kind.
    assert!(dot.contains("\"do.patient\" [label=\"Patient\\n«DataObject»\", shape=tab"));
    assert!(dot
        .contains("\"tech.postgresql\" [label=\"PostgreSQL\\n«SystemSoftware»\", shape=cylinder"));
    assert!(dot.contains(
        "\"svc.patient.read\" -> \"do.patient\" [label=\"access (Read)\", style=dotted, dir=back, arrowtail=vee]"
    ));
    assert!(dot.contains(
        "\"app.clinic-flow\" -> \"app.clinic-flow.api\" [label=\"composition\", dir=both, arrowtail=diamond, arrowhead=none]"
    ));
    assert!(
        dot.contains("\"do.appointment\" -> \"do.patient\" [label=\"patient\", arrowhead=none]")
    );
}

#[test]
fn dot_escapes_hostile_names() {
    let bp = hostile();
    let dot = to_dot(&bp);
    let scan = scan_dot(&dot);
    let title = scan
        .quoted
        .iter()
        .find(|q| q.starts_with("Evil"))
        .expect("the title is quoted");
    assert_eq!(
        title,
        "Evil \\\"quoted\\\" \\\\ name\\n|pipe| <b>#1</b> & `tick` ; end } { blueprint"
    );
}

#[test]
fn mermaid_has_subgraphs_safe_ids_and_escaped_labels() {
    let bp = common::clinic().build();
    let text = to_mermaid(&bp);
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("flowchart LR"));
    let subgraphs = text
        .lines()
        .filter(|l| l.trim_start().starts_with("subgraph "))
        .count();
    let ends = text.lines().filter(|l| l.trim() == "end").count();
    assert_eq!(subgraphs, 3);
    assert_eq!(ends, 3);
    assert!(text.contains("  subgraph layer_business[\"Business\"]\n"));
    assert!(text.contains("    n_svc_patient_read(\"Read Patient<br/>«ApplicationService»\")\n"));
    assert!(text.contains("    n_tech_postgresql[(\"PostgreSQL<br/>«SystemSoftware»\")]\n"));
    assert!(text.contains("  n_svc_patient_read -.->|\"access (Read)\"| n_do_patient\n"));
    let edges = text.lines().filter(|l| l.contains("|\"")).count();
    assert_eq!(edges, bp.relationships().count());
    // Node ids hold only letters, digits and underscores.
    for line in text.lines().skip(1) {
        let t = line.trim_start();
        if t.starts_with("subgraph") || t == "end" {
            continue;
        }
        let node: String = t
            .chars()
            .take_while(|c| !matches!(c, '(' | '[' | '>' | ' '))
            .collect();
        assert!(node.starts_with("n_"), "{line}");
        assert!(
            node.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "{line}"
        );
    }
}

#[test]
fn mermaid_escapes_hostile_names() {
    let text = to_mermaid(&hostile());
    let line = text
        .lines()
        .find(|l| l.contains("n_app_evil[["))
        .expect("the component");
    assert_eq!(
        line,
        "    n_app_evil[[\"Evil #quot;quoted#quot; \\ name #124;pipe#124; #lt;b#gt;#35;1#lt;/b#gt; #amp; #96;tick#96; ; end } {<br/>«ApplicationComponent»\"]]"
    );
    // Exactly one line per statement: the line break in the title is gone.
    assert_eq!(text.lines().filter(|l| l.contains("Evil")).count(), 2);
}

#[test]
fn plan_json_has_the_documented_shape() {
    let mut bp = common::tasks().build();
    let app = ElementId::new("app.team-tasks").unwrap();
    bp.set_parameter("password.min_length", 12, &app).unwrap();
    let plan = plan_json(&bp);
    let keys: Vec<&str> = plan
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "format",
            "version",
            "product",
            "counts",
            "elements",
            "relationships",
            "parameters"
        ]
    );
    assert_eq!(plan["format"], "archgen-plan");
    assert_eq!(plan["version"], 1);
    assert_eq!(plan["product"]["name"], "team-tasks");
    assert_eq!(plan["product"]["title"], "TeamTasks");
    assert_eq!(plan["counts"]["elements"]["ApplicationService"], 12);
    assert_eq!(plan["counts"]["total_elements"], bp.elements().count());
    assert_eq!(
        plan["counts"]["total_relationships"],
        bp.relationships().count()
    );
    let first = &plan["elements"][0];
    assert_eq!(first["id"], "role.member");
    assert_eq!(first["kind"], "BusinessRole");
    assert_eq!(first["layer"], "business");
    assert_eq!(first["properties"]["signup"], "true");
    let access = plan["relationships"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "Access")
        .unwrap();
    assert_eq!(access["access"], "Write");
    assert_eq!(access["id"], "rel.access.svc.project.create.do.project");
    assert_eq!(plan["parameters"]["password.min_length"]["value"], 12);
    assert_eq!(
        plan["parameters"]["password.min_length"]["set_by"],
        "app.team-tasks"
    );
}

#[test]
fn plan_text_lists_everything_once_per_line() {
    let bp = hostile();
    let text = plan_text(&bp);
    assert!(text.starts_with("Plan for Evil \"quoted\" \\ name |pipe|"));
    // The summary line, the component and its interface: the line break in
    // the title forges no line.
    assert_eq!(text.lines().filter(|l| l.contains("Evil")).count(), 3);
    for r in bp.relationships() {
        assert!(text.contains(&format!("  {}  {} -> {}", r.kind, r.source, r.target)));
    }
    assert!(!text.contains("Parameters"));
}

#[test]
fn exports_are_stable() {
    let a = common::clinic().build();
    let b = common::clinic().build();
    assert_eq!(to_dot(&a), to_dot(&b));
    assert_eq!(to_mermaid(&a), to_mermaid(&b));
    assert_eq!(plan_json(&a), plan_json(&b));
    assert_eq!(plan_text(&a), plan_text(&b));
}

#[test]
fn tasks_counts_are_the_ones_docs_plan_json_md_shows() {
    let plan = plan_json(&common::tasks().build());
    assert_eq!(
        plan["counts"],
        serde_json::json!({
            "elements": { "BusinessRole": 3, "BusinessObject": 3, "ApplicationComponent": 2, "ApplicationInterface": 1, "ApplicationService": 12, "DataObject": 3, "Node": 1, "SystemSoftware": 1, "Artifact": 2 },
            "relationships": { "Access": 12, "Aggregation": 1, "Assignment": 14, "Association": 2, "Composition": 1, "Realization": 19, "Serving": 39 },
            "total_elements": 28,
            "total_relationships": 88
        })
    );
    let elements = plan["elements"].as_array().unwrap();
    let task = elements.iter().find(|e| e["id"] == "do.task").unwrap();
    assert_eq!(task["properties"]["field.title"], "string required max=200");
    assert_eq!(
        task["properties"]["field.priority"],
        "enum values=low|normal|high|urgent default=normal"
    );
    let rels = plan["relationships"].as_array().unwrap();
    let owner = rels
        .iter()
        .find(|r| r["id"] == "rel.serving.svc.task.update.role.member")
        .unwrap();
    assert_eq!(
        owner["properties"],
        serde_json::json!({ "via": "owner", "condition": "owner" })
    );
    let access = rels
        .iter()
        .find(|r| r["id"] == "rel.access.svc.task.update.do.task")
        .unwrap();
    assert_eq!(access["access"], "ReadWrite");
}

/// A blueprint with one element of every kind and, for each, every
/// relationship kind ArchiMate allows to one other element.
fn every_kind() -> Blueprint {
    use blueprint_core::archimate::{is_allowed, AccessType, ElementKind, RelationshipKind};
    use blueprint_core::graph::{Element, NewRelationship};
    let mut bp = Blueprint::new(SpecBuilder::new("all-kinds").spec());
    let ids: Vec<ElementId> = ElementKind::ALL
        .iter()
        .map(|k| {
            let id = ElementId::from_parts("k", &[k.xsi_type()]);
            bp.add_element(Element::new(id, *k, format!("{k} \"named\"")))
                .unwrap()
        })
        .collect();
    for (i, source) in ids.iter().enumerate() {
        let j = (i * 7 + 3) % ids.len();
        for kind in RelationshipKind::ALL {
            if is_allowed(ElementKind::ALL[i], kind, ElementKind::ALL[j]) {
                let mut new = NewRelationship::new(kind, source, &ids[j]).with_name("a|b\"c");
                if kind == RelationshipKind::Access {
                    new = new.with_access(AccessType::ReadWrite);
                }
                bp.add_relationship(new).unwrap();
            }
        }
    }
    bp
}

#[test]
fn every_kind_exports_to_well_formed_dot_and_mermaid() {
    let bp = every_kind();
    assert!(bp.relationships().count() > 62);
    let dot = to_dot(&bp);
    let scan = scan_dot(&dot);
    assert_eq!(scan.max_depth, 2);
    assert_eq!(dot.matches("subgraph \"cluster_").count(), Layer::ALL.len());
    assert_eq!(
        dot.lines().filter(|l| l.starts_with("    \"k.")).count(),
        62
    );
    assert_eq!(
        dot.lines().filter(|l| l.contains(" -> ")).count(),
        bp.relationships().count()
    );
    assert!(dot.contains("\"k.AndJunction\" [label=\"\", shape=circle, fillcolor=\"#000000\""));

    let text = to_mermaid(&bp);
    assert_eq!(
        text.lines()
            .filter(|l| l.trim_start().starts_with("subgraph "))
            .count(),
        Layer::ALL.len()
    );
    assert_eq!(
        text.lines().filter(|l| l.trim() == "end").count(),
        Layer::ALL.len()
    );
    assert_eq!(
        text.lines().filter(|l| l.starts_with("    n_k_")).count(),
        62
    );
    assert_eq!(
        text.lines()
            .filter(|l| l.contains("|\"a#124;b#quot;c"))
            .count(),
        bp.relationships().count()
    );
}
