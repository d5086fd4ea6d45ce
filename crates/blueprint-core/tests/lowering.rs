//! Lowering specs built in code: what elements and relationships appear,
//! that each one is allowed, and what the queries answer.

mod common;

use blueprint_core::archimate::{is_allowed, AccessType, ElementKind, RelationshipKind};
use blueprint_core::builder::SpecBuilder;
use blueprint_core::export::to_dot;
use blueprint_core::graph::{Blueprint, ElementId};
use blueprint_core::lower::lower_checked;
use blueprint_core::spec::{Action, FieldType, OnDelete, RelationKind, Subject};

fn role(name: &str) -> Subject {
    Subject::Role(name.to_string())
}

fn id(text: &str) -> ElementId {
    ElementId::new(text).expect("a valid id")
}

fn every_relationship_is_allowed(bp: &Blueprint) {
    for r in bp.relationships() {
        let s = bp.element(&r.source).expect("source present").kind;
        let t = bp.element(&r.target).expect("target present").kind;
        assert!(is_allowed(s, r.kind, t), "{} is not allowed", r.id);
    }
}

#[test]
fn clinic_lowers_to_the_expected_elements() {
    let bp = lower_checked(&common::clinic().spec()).expect("lowering breaks no rule");
    let counts: Vec<(ElementKind, usize)> = bp.counts_by_kind().into_iter().collect();
    assert_eq!(
        counts,
        [
            (ElementKind::BusinessRole, 3),
            (ElementKind::BusinessObject, 4),
            (ElementKind::ApplicationComponent, 4),
            (ElementKind::ApplicationInterface, 1),
            (ElementKind::ApplicationService, 16),
            (ElementKind::DataObject, 4),
            (ElementKind::Node, 1),
            (ElementKind::SystemSoftware, 1),
            (ElementKind::Artifact, 2),
        ]
    );
    // No access rule says `public`, so there is no visitor.
    assert!(bp.element(&id("actor.visitor")).is_none());
    let rels: Vec<(RelationshipKind, usize)> =
        bp.relationship_counts_by_kind().into_iter().collect();
    assert_eq!(
        rels,
        [
            (RelationshipKind::Access, 16),
            (RelationshipKind::Aggregation, 1),
            (RelationshipKind::Assignment, 18),
            (RelationshipKind::Association, 3),
            (RelationshipKind::Composition, 1),
            (RelationshipKind::Realization, 25),
            (RelationshipKind::Serving, 39),
        ]
    );
    every_relationship_is_allowed(&bp);
    for expected in [
        "role.patient",
        "app.clinic-flow",
        "app.clinic-flow.api",
        "bo.visit_note",
        "do.visit_note",
        "svc.visit_note.create",
        "svc.patient.read",
        "ext.stripe",
        "tech.postgresql",
        "node.runtime",
        "artifact.clinic-flow.schema",
        "artifact.clinic-flow.service",
    ] {
        assert!(bp.element(&id(expected)).is_some(), "{expected} missing");
    }
}

#[test]
fn clinic_services_access_their_data_with_the_right_access_type() {
    let bp = common::clinic().build();
    for (action, access) in [
        ("create", AccessType::Write),
        ("read", AccessType::Read),
        ("update", AccessType::ReadWrite),
        ("delete", AccessType::Write),
    ] {
        let svc = id(&format!("svc.appointment.{action}"));
        let rels: Vec<_> = bp
            .relationships_from(&svc)
            .filter(|r| r.kind == RelationshipKind::Access)
            .collect();
        assert_eq!(rels.len(), 1);
        assert_eq!(rels[0].target, id("do.appointment"));
        assert_eq!(rels[0].access, Some(access), "{action}");
        // Realized by the component, assigned from the interface.
        let into: Vec<_> = bp
            .relationships_to(&svc)
            .map(|r| (r.kind, r.source.to_string()))
            .collect();
        assert_eq!(
            into,
            [
                (RelationshipKind::Realization, "app.clinic-flow".to_string()),
                (
                    RelationshipKind::Assignment,
                    "app.clinic-flow.api".to_string()
                ),
            ]
        );
    }
    let svc = bp.element(&id("svc.appointment.read")).unwrap();
    assert_eq!(
        svc.property("operations"),
        Some("GET /api/appointments, GET /api/appointments/{id}")
    );
}

#[test]
fn who_can_answers_from_the_graph() {
    let bp = common::clinic().build();
    // owner, a named role, and admin.
    assert_eq!(
        bp.who_can(Action::Read, "Patient"),
        [Subject::Owner, role("clinician"), role("admin")]
    );
    assert_eq!(
        bp.who_can(Action::Update, "Patient"),
        [Subject::Owner, role("admin")]
    );
    assert_eq!(bp.who_can(Action::Delete, "Patient"), [role("admin")]);
    // authenticated, then the admin role the rule does not name.
    assert_eq!(
        bp.who_can(Action::Read, "Clinician"),
        [Subject::Authenticated, role("admin")]
    );
    // an entity owned through a relation, with its rules written out.
    assert_eq!(
        bp.who_can(Action::Create, "Appointment"),
        [role("patient"), role("admin")]
    );
    assert_eq!(bp.who_can(Action::Delete, "Appointment"), [role("admin")]);
    // admin is always served, even when the rule leaves it out.
    assert_eq!(
        bp.who_can(Action::Update, "VisitNote"),
        [role("clinician"), role("admin")]
    );
    // unknown entities have no answer.
    assert!(bp.who_can(Action::Read, "Invoice").is_empty());

    // Owner-scoped serving carries the condition; owners are the roles that
    // may create.
    let owner_roles: Vec<_> = bp
        .relationships_from(&id("svc.patient.update"))
        .filter(|r| r.property("via") == Some("owner"))
        .map(|r| {
            (
                r.target.to_string(),
                r.property("condition").map(str::to_string),
            )
        })
        .collect();
    assert_eq!(
        owner_roles,
        [
            ("role.patient".to_string(), Some("owner".to_string())),
            ("role.admin".to_string(), Some("owner".to_string())),
        ]
    );
}

#[test]
fn public_access_is_served_to_the_visitor() {
    let bp = SpecBuilder::new("blog")
        .with_entity("Post", |e| {
            e.owned()
                .with_field("title", FieldType::String, |f| f.required())
                .with_access(Action::Read, ["public"])
        })
        .build();
    let visitor = bp.element(&id("actor.visitor")).expect("the visitor");
    assert_eq!(visitor.kind, ElementKind::BusinessActor);
    assert_eq!(
        bp.who_can(Action::Read, "Post"),
        [Subject::Public, role("admin")]
    );
    assert_eq!(
        bp.who_can(Action::Create, "Post"),
        [Subject::Authenticated, role("admin")]
    );
    assert_eq!(
        bp.who_can(Action::Delete, "Post"),
        [Subject::Owner, role("admin")]
    );
    every_relationship_is_allowed(&bp);
}

#[test]
fn relations_are_associations_with_their_settings() {
    let bp = common::tasks().build();
    assert_eq!(bp.entities(), ["Project", "Task", "Label"]);
    let rels = bp.relations_of("Task");
    assert_eq!(rels.len(), 2);
    assert_eq!(rels[0].name, "project");
    assert_eq!(rels[0].to, "Project");
    assert_eq!(rels[0].kind, RelationKind::ManyToOne);
    assert!(rels[0].required);
    assert_eq!(rels[0].on_delete, OnDelete::Cascade);
    assert_eq!(rels[0].inverse.as_deref(), Some("tasks"));
    assert_eq!(rels[1].name, "labels");
    assert_eq!(rels[1].to, "Label");
    assert_eq!(rels[1].kind, RelationKind::ManyToMany);
    assert!(!rels[1].required);
    assert_eq!(rels[1].on_delete, OnDelete::Restrict);
    assert!(bp.relations_of("Label").is_empty());
    assert!(bp.relations_of("Nope").is_empty());
    assert_eq!(
        bp.who_can(Action::Update, "Task"),
        [Subject::Owner, role("manager"), role("admin")]
    );
    every_relationship_is_allowed(&bp);
}

#[test]
fn paths_follow_directed_relationships() {
    let bp = common::clinic().build();
    let path = bp
        .path_between(&id("app.clinic-flow"), &id("bo.patient"))
        .expect("a path");
    let ids: Vec<&str> = path.iter().map(|i| i.as_str()).collect();
    assert_eq!(ids.len(), 4);
    assert_eq!(ids[0], "app.clinic-flow");
    assert_eq!(ids[2], "do.patient");
    assert_eq!(ids[3], "bo.patient");
    // Against the direction there is none.
    assert!(bp
        .path_between(&id("bo.patient"), &id("app.clinic-flow"))
        .is_none());
    assert!(bp
        .path_between(&id("bo.nothing"), &id("bo.patient"))
        .is_none());
    let all = bp.paths(&id("svc.visit_note.read"), &id("do.patient"));
    assert_eq!(all.len(), 1);
    let hops: Vec<&str> = all[0].iter().map(|i| i.as_str()).collect();
    assert_eq!(
        hops,
        [
            "svc.visit_note.read",
            "do.visit_note",
            "do.appointment",
            "do.patient"
        ]
    );
}

#[test]
fn lowering_is_deterministic() {
    for builder in [common::clinic(), common::tasks()] {
        let spec = builder.spec();
        let a = Blueprint::from_spec(&spec);
        let b = Blueprint::from_spec(&spec);
        assert_eq!(a, b);
        assert_eq!(to_dot(&a), to_dot(&b));
        let ids_a: Vec<_> = a.relationships().map(|r| r.id.clone()).collect();
        let ids_b: Vec<_> = b.relationships().map(|r| r.id.clone()).collect();
        assert_eq!(ids_a, ids_b);
    }
}

#[test]
fn unchecked_specs_never_make_lowering_fail() {
    // A relation to an unknown entity, an unknown role, and names that need
    // cleaning up: lowering leaves the unknowns out and still succeeds.
    let bp = lower_checked(
        &SpecBuilder::new("odd name/..")
            .with_entity("Thing", |e| {
                e.with_relation("ghost", "Ghost", |r| r)
                    .with_access(Action::Read, ["nobody", "public"])
            })
            .with_entity("thing", |e| e)
            .with_integration("a b")
            .spec(),
    )
    .expect("no rule broken");
    assert!(bp.element(&id("app.odd_name_..")).is_some());
    assert!(bp.element(&id("do.thing")).is_some());
    assert!(bp.element(&id("do.thing.2")).is_some());
    assert!(bp.element(&id("ext.a_b")).is_some());
    assert!(bp.relations_of("Thing").is_empty());
    assert_eq!(
        bp.who_can(Action::Read, "Thing"),
        [Subject::Public, role("admin")]
    );
}
