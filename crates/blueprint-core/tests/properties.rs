//! Properties that hold for any spec built in code, checked or not: lowering
//! breaks no rule and is deterministic, ids are valid, and the exports stay
//! well formed.

use blueprint_core::archimate::is_allowed;
use blueprint_core::builder::SpecBuilder;
use blueprint_core::export::{plan_json, plan_text, to_dot, to_mermaid};
use blueprint_core::graph::{is_valid_id, Blueprint};
use blueprint_core::lower::lower_checked;
use blueprint_core::spec::{Action, FieldType, OnDelete, RelationKind};
use proptest::prelude::*;

/// Names from a small pool (so relations hit existing entities) plus any
/// text (so odd characters reach every output).
fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec!["Task", "Project", "Label", "Person", "task"])
            .prop_map(str::to_string),
        ".{0,12}",
    ]
}

fn subject() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "owner",
            "authenticated",
            "public",
            "admin",
            "member",
            "ghost"
        ])
        .prop_map(str::to_string),
        ".{0,6}",
    ]
}

#[derive(Debug, Clone)]
struct EntityPlan {
    name: String,
    owned: bool,
    fields: Vec<(String, usize)>,
    relations: Vec<(String, String, usize)>,
    access: Vec<(usize, Vec<String>)>,
}

fn entity() -> impl Strategy<Value = EntityPlan> {
    (
        name(),
        any::<bool>(),
        prop::collection::vec((".{0,8}", 0usize..14), 0..4),
        prop::collection::vec((".{0,8}", name(), 0usize..9), 0..3),
        prop::collection::vec((0usize..4, prop::collection::vec(subject(), 0..4)), 0..4),
    )
        .prop_map(|(name, owned, fields, relations, access)| EntityPlan {
            name,
            owned,
            fields,
            relations,
            access,
        })
}

fn build(
    product: &str,
    title: &str,
    roles: &[(String, bool, bool)],
    entities: &[EntityPlan],
    integrations: &[String],
) -> Blueprint {
    let mut b = SpecBuilder::new(product).with_title(title);
    for (role, signup, admin) in roles {
        let (signup, admin) = (*signup, *admin);
        b = b.with_role(role.clone(), |mut r| {
            if signup {
                r = r.signup();
            }
            if admin {
                r = r.admin();
            }
            r
        });
    }
    for plan in entities {
        let plan = plan.clone();
        b = b.with_entity(plan.name.clone(), |mut e| {
            if plan.owned {
                e = e.owned();
            }
            for (field, ty) in &plan.fields {
                e = e.with_field(
                    field.clone(),
                    FieldType::ALL[*ty % FieldType::ALL.len()],
                    |f| f.required(),
                );
            }
            for (rel, to, mode) in &plan.relations {
                let kind = [
                    RelationKind::ManyToOne,
                    RelationKind::OneToOne,
                    RelationKind::ManyToMany,
                ][mode % 3];
                let on_delete =
                    [OnDelete::Restrict, OnDelete::Cascade, OnDelete::SetNull][mode / 3];
                e = e.with_relation(rel.clone(), to.clone(), |r| {
                    r.kind(kind).on_delete(on_delete)
                });
            }
            for (action, subjects) in &plan.access {
                e = e.with_access(Action::ALL[*action], subjects.iter());
            }
            e
        });
    }
    for vendor in integrations {
        b = b.with_integration(vendor.clone());
    }
    b.build()
}

/// Quotes and braces of DOT text balance.
fn dot_is_balanced(text: &str) -> bool {
    let (mut depth, mut in_quote, mut escaped) = (0i64, false, false);
    for c in text.chars() {
        if in_quote {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_quote = false,
                (false, '\n') => return false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_quote = true,
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            _ => {}
        }
    }
    depth == 0 && !in_quote
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_spec_lowers_without_breaking_a_rule(
        product in ".{0,10}",
        title in ".{0,20}",
        roles in prop::collection::vec((".{0,8}", any::<bool>(), any::<bool>()), 0..4),
        entities in prop::collection::vec(entity(), 0..5),
        integrations in prop::collection::vec(".{0,6}", 0..3),
    ) {
        let bp = build(&product, &title, &roles, &entities, &integrations);
        prop_assert!(lower_checked(bp.spec()).is_ok());
        for e in bp.elements() {
            prop_assert!(is_valid_id(e.id.as_str()), "{}", e.id);
        }
        for r in bp.relationships() {
            prop_assert!(is_valid_id(r.id.as_str()), "{}", r.id);
            let s = bp.element(&r.source).map(|e| e.kind);
            let t = bp.element(&r.target).map(|e| e.kind);
            prop_assert!(matches!((s, t), (Some(s), Some(t)) if is_allowed(s, r.kind, t)));
        }
        // Every admin role may do everything on every entity.
        let admins: Vec<String> = bp.spec().admin_roles().map(str::to_string).collect();
        for entity in bp.entities() {
            for action in Action::ALL {
                let who = bp.who_can(action, entity);
                for admin in &admins {
                    prop_assert!(who.contains(&blueprint_core::spec::Subject::Role(admin.clone())));
                }
            }
        }
        let again = build(&product, &title, &roles, &entities, &integrations);
        prop_assert_eq!(&bp, &again);
        let dot = to_dot(&bp);
        prop_assert!(dot_is_balanced(&dot));
        prop_assert_eq!(dot, to_dot(&again));
        let mermaid = to_mermaid(&bp);
        prop_assert_eq!(
            mermaid.lines().filter(|l| l.trim_start().starts_with("subgraph ")).count(),
            mermaid.lines().filter(|l| l.trim() == "end").count()
        );
        prop_assert_eq!(mermaid.lines().count(), 1 + bp.elements().count() + bp.relationships().count()
            + 2 * mermaid.lines().filter(|l| l.trim() == "end").count());
        prop_assert_eq!(plan_json(&bp)["counts"]["total_elements"].as_u64(), Some(bp.elements().count() as u64));
        let text = plan_text(&bp);
        prop_assert!(text.lines().count() >= bp.elements().count() + bp.relationships().count());
    }
}
