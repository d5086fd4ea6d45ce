//! The documents checked by the real tools: xmllint with the Open Group
//! XSDs of the repository's `standards/archimate` for the ArchiMate model,
//! openapi-spec-validator for the OpenAPI document. Run `scripts/setup`
//! once to install both tools.

mod common;

use std::collections::HashSet;
use std::process::Command;

use render::docs::archimate::MODEL_PATH;
use render::docs::openapi::OPENAPI_PATH;

/// The repository's ArchiMate exchange schemas (`standards/archimate`,
/// provenance in `standards/SOURCE.md`) and the driver schema that loads
/// them with Dublin Core; fails naming the file when it is missing.
fn archimate_schema() -> std::path::PathBuf {
    let xsd = common::workspace().join("standards/archimate/archimate3_Diagram_with_dc.xsd");
    assert!(
        xsd.is_file(),
        "the ArchiMate exchange schema {} is missing from the repository (standards/SOURCE.md lists the files)",
        xsd.display()
    );
    xsd
}

fn xmllint(file: &std::path::Path) -> std::process::Output {
    let xsd = archimate_schema();
    Command::new("xmllint")
        .arg("--noout")
        .arg("--nonet")
        .arg("--schema")
        .arg(&xsd)
        .arg(file)
        .current_dir(xsd.parent().expect("the schema's folder"))
        .output()
        .unwrap_or_else(|e| {
            panic!("xmllint cannot be run ({e}): install libxml2's xmllint (scripts/setup does)")
        })
}

fn openapi_validator(file: &std::path::Path) -> std::process::Output {
    let validator = common::workspace().join("target/tools-venv/bin/openapi-spec-validator");
    assert!(
        validator.exists(),
        "openapi-spec-validator is not installed at {}: run scripts/setup to install it",
        validator.display()
    );
    Command::new(&validator)
        .arg(file)
        .output()
        .unwrap_or_else(|e| panic!("{} cannot be run: {e}", validator.display()))
}

/// A spec full of text that needs escaping, with every field type, a
/// many-to-many relation, public access, a base path of its own and no
/// signup role.
fn hostile_spec() -> blueprint_core::spec::Spec {
    use blueprint_core::builder::SpecBuilder;
    use blueprint_core::spec::{Action, FieldType, Pii, RelationKind};
    let mut b = SpecBuilder::new("odd-shop")
        .with_title("Odd <Shop> & \"Co\" 'n' ]]> \u{7}")
        .with_description("Sells <b>things</b> & stuff; EU customers pay by card.\r\nTabs\there.")
        .with_base_path("/v1/")
        .with_role("admin", |r| r.admin().description("Staff & <owners>"))
        .with_integration("stripe");
    b = b.with_entity("Item", |e| {
        let mut e = e
            .owned()
            .description("An item \"quoted\" <here>")
            .with_access(Action::Read, ["public"]);
        for ty in FieldType::ALL {
            e = e.with_field(format!("f_{}", ty.as_str()), ty, |f| {
                let f = f.description("a <field> & \"text\"");
                match ty {
                    FieldType::Enum => f.values(["a&b", "<c>"]).required(),
                    FieldType::Decimal => f.digits(4, 4).min(0).max(1),
                    FieldType::String => f.pii(Pii::Sensitive).unique().pattern("^[a-z<>&]+$"),
                    _ => f,
                }
            });
        }
        e.with_relation("tags", "Tag", |r| {
            r.kind(RelationKind::ManyToMany).required()
        })
    });
    b = b.with_entity("Tag", |e| {
        e.with_field("name", FieldType::String, |f| f.required())
    });
    b.spec()
}

#[test]
fn hostile_text_still_gives_valid_documents() {
    let (_, _, tree) = render::docs::render_docs(&hostile_spec()).expect("renders");
    let (_xml_dir, xml) = common::write_temp(&tree, MODEL_PATH, "hostile");
    let out = xmllint(&xml);
    assert!(
        out.status.success(),
        "xmllint rejected {}:\n{}",
        xml.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let (_api_dir, api) = common::write_temp(&tree, OPENAPI_PATH, "hostile");
    let out = openapi_validator(&api);
    assert!(
        out.status.success(),
        "openapi-spec-validator rejected {}:\n{}",
        api.display(),
        String::from_utf8_lossy(&out.stdout)
    );
    let doc: serde_json::Value =
        serde_json::from_str(tree.get_str(OPENAPI_PATH).expect("the document")).expect("JSON");
    assert!(
        doc["paths"]["/v1/items"]["get"]["security"][1].is_object(),
        "public read"
    );
    assert!(doc["components"]["schemas"]["RegisterRequest"]["properties"]["role"].is_null());
}

#[test]
fn archimate_model_validates_against_the_xsd() {
    for name in common::EXAMPLES {
        let (_, _, tree) = common::render(name);
        let (_dir, file) = common::write_temp(&tree, MODEL_PATH, name);
        let out = xmllint(&file);
        assert!(
            out.status.success(),
            "{name}: xmllint rejected {}:\n{}",
            file.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn archimate_ids_resolve_and_nodes_do_not_overlap() {
    for name in common::EXAMPLES {
        let (_, _, tree) = common::render(name);
        let text = tree.get_str(MODEL_PATH).expect("the model");
        let doc = roxmltree::Document::parse(text).expect("well-formed XML");
        let ids: Vec<&str> = doc
            .descendants()
            .filter_map(|n| n.attribute("identifier"))
            .collect();
        let unique: HashSet<&str> = ids.iter().copied().collect();
        assert_eq!(ids.len(), unique.len(), "{name}: duplicate identifiers");
        let elements: HashSet<&str> = doc
            .descendants()
            .filter(|n| n.has_tag_name("element"))
            .filter_map(|n| n.attribute("identifier"))
            .collect();
        let relationships: Vec<roxmltree::Node> = doc
            .descendants()
            .filter(|n| n.has_tag_name("relationship"))
            .collect();
        let rel_ids: HashSet<&str> = relationships
            .iter()
            .filter_map(|n| n.attribute("identifier"))
            .collect();
        for r in &relationships {
            for end in ["source", "target"] {
                let id = r.attribute(end).unwrap_or_default();
                assert!(elements.contains(id), "{name}: relationship {end} {id}");
            }
        }
        let views: Vec<roxmltree::Node> = doc
            .descendants()
            .filter(|n| n.has_tag_name("view"))
            .collect();
        assert!(views.len() >= 4, "{name}: at least four views");
        for view in views {
            let nodes: Vec<roxmltree::Node> =
                view.children().filter(|n| n.has_tag_name("node")).collect();
            let mut node_elements = std::collections::HashMap::new();
            for n in &nodes {
                if let Some(e) = n.attribute("elementRef") {
                    assert!(elements.contains(e), "{name}: node elementRef {e}");
                    node_elements.insert(n.attribute("identifier").unwrap_or_default(), e);
                }
            }
            assert!(node_elements.len() > 1, "{name}: a view with elements");
            for c in view.children().filter(|n| n.has_tag_name("connection")) {
                let rel = c.attribute("relationshipRef").unwrap_or_default();
                assert!(rel_ids.contains(rel), "{name}: connection {rel}");
                let r = relationships
                    .iter()
                    .find(|r| r.attribute("identifier") == Some(rel))
                    .expect("the relationship");
                let s = node_elements.get(c.attribute("source").unwrap_or_default());
                let t = node_elements.get(c.attribute("target").unwrap_or_default());
                assert_eq!(
                    s.copied(),
                    r.attribute("source"),
                    "{name}: connection source of {rel}"
                );
                assert_eq!(
                    t.copied(),
                    r.attribute("target"),
                    "{name}: connection target of {rel}"
                );
            }
            let rects: Vec<(i64, i64, i64, i64)> = nodes
                .iter()
                .map(|n| {
                    let a = |k: &str| n.attribute(k).and_then(|v| v.parse().ok()).unwrap_or(-1);
                    (a("x"), a("y"), a("w"), a("h"))
                })
                .collect();
            for (i, a) in rects.iter().enumerate() {
                assert!(
                    a.0 >= 0 && a.1 >= 0 && a.2 > 0 && a.3 > 0,
                    "{name}: a node without a place"
                );
                for b in &rects[i + 1..] {
                    let overlap =
                        a.0 < b.0 + b.2 && b.0 < a.0 + a.2 && a.1 < b.1 + b.3 && b.1 < a.1 + a.3;
                    assert!(!overlap, "{name}: nodes overlap: {a:?} {b:?}");
                }
            }
        }
    }
}

#[test]
fn openapi_document_validates() {
    for name in common::EXAMPLES {
        let (_, _, tree) = common::render(name);
        let (_dir, file) = common::write_temp(&tree, OPENAPI_PATH, name);
        let out = openapi_validator(&file);
        assert!(
            out.status.success(),
            "{name}: openapi-spec-validator rejected {}:\n{}{}",
            file.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
