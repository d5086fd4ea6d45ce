//! Any spec built in code, checked or not, renders every document without
//! a panic: the ArchiMate model is well-formed XML whose ids resolve and
//! whose view nodes never overlap, the OpenAPI document is JSON, and two
//! renders give the same bytes.

use std::collections::HashSet;

use blueprint_core::builder::SpecBuilder;
use blueprint_core::spec::{FieldType, Pii, RelationKind};
use proptest::prelude::*;
use render::docs::archimate::MODEL_PATH;
use render::docs::openapi::OPENAPI_PATH;

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "Task", "Project", "Label", "Person", "Problem", "User"
        ])
        .prop_map(str::to_string),
        ".{0,10}",
    ]
}

#[derive(Debug, Clone)]
struct EntityPlan {
    name: String,
    owned: bool,
    fields: Vec<(String, usize, bool, Option<Pii>)>,
    relation: Option<(String, String, bool)>,
}

fn entity() -> impl Strategy<Value = EntityPlan> {
    (
        name(),
        any::<bool>(),
        prop::collection::vec(
            (
                ".{0,8}",
                0..FieldType::ALL.len(),
                any::<bool>(),
                prop::option::of(prop::sample::select(vec![
                    Pii::None,
                    Pii::Personal,
                    Pii::Sensitive,
                ])),
            ),
            0..4,
        ),
        prop::option::of((".{0,6}", name(), any::<bool>())),
    )
        .prop_map(|(name, owned, fields, relation)| EntityPlan {
            name,
            owned,
            fields,
            relation,
        })
}

fn build(
    title: &str,
    description: &str,
    entities: &[EntityPlan],
    vendor: bool,
) -> blueprint_core::spec::Spec {
    let mut b = SpecBuilder::new("prop-product")
        .with_title(title)
        .with_description(description);
    if vendor {
        b = b.with_integration("stripe");
    }
    for plan in entities {
        let plan = plan.clone();
        b = b.with_entity(plan.name.clone(), move |mut e| {
            if plan.owned {
                e = e.owned();
            }
            for (fname, ty, required, pii) in &plan.fields {
                let ty = FieldType::ALL[*ty % FieldType::ALL.len()];
                let (required, pii) = (*required, *pii);
                e = e.with_field(fname.clone(), ty, move |mut f| {
                    if required {
                        f = f.required();
                    }
                    if let Some(p) = pii {
                        f = f.pii(p);
                    }
                    if ty == FieldType::Enum {
                        f = f.values(["a", "<b>"]);
                    }
                    f
                });
            }
            if let Some((rname, to, many)) = &plan.relation {
                let many = *many;
                e = e.with_relation(rname.clone(), to.clone(), move |r| {
                    if many {
                        r.kind(RelationKind::ManyToMany)
                    } else {
                        r
                    }
                });
            }
            e
        });
    }
    b.spec()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn any_spec_renders_well_formed_documents(
        title in ".{0,16}",
        description in ".{0,40}",
        entities in prop::collection::vec(entity(), 0..4),
        vendor in any::<bool>(),
    ) {
        let spec = build(&title, &description, &entities, vendor);
        let (_, _, tree) = match render::docs::render_docs(&spec) {
            Ok(out) => out,
            // Weaving may refuse a broken spec; it must say so, not panic.
            Err(_) => return Ok(()),
        };
        let xml = tree.get_str(MODEL_PATH).expect("the model");
        let doc = roxmltree::Document::parse(xml).expect("well-formed XML");
        let ids: Vec<&str> = doc.descendants().filter_map(|n| n.attribute("identifier")).collect();
        let unique: HashSet<&str> = ids.iter().copied().collect();
        prop_assert_eq!(ids.len(), unique.len());
        for n in doc.descendants() {
            for attr in ["elementRef", "relationshipRef", "source", "target", "identifierRef", "propertyDefinitionRef"] {
                if let Some(v) = n.attribute(attr) {
                    prop_assert!(unique.contains(v), "{} = {} resolves", attr, v);
                }
            }
        }
        for view in doc.descendants().filter(|n| n.has_tag_name("view")) {
            let rects: Vec<(i64, i64, i64, i64)> = view
                .children()
                .filter(|n| n.has_tag_name("node"))
                .map(|n| {
                    let a = |k: &str| n.attribute(k).and_then(|v| v.parse().ok()).unwrap_or(-1);
                    (a("x"), a("y"), a("w"), a("h"))
                })
                .collect();
            for (i, a) in rects.iter().enumerate() {
                for b in &rects[i + 1..] {
                    let overlap = a.0 < b.0 + b.2 && b.0 < a.0 + a.2 && a.1 < b.1 + b.3 && b.1 < a.1 + a.3;
                    prop_assert!(!overlap);
                }
            }
        }
        let api: serde_json::Value = serde_json::from_str(tree.get_str(OPENAPI_PATH).expect("openapi")).expect("JSON");
        prop_assert_eq!(&api["openapi"], "3.1.0");
        let (_, _, again) = render::docs::render_docs(&spec).expect("renders again");
        prop_assert_eq!(tree, again);
    }
}
