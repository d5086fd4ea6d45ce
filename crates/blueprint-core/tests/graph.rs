//! The blueprint graph: ids, insertion rules, errors, parameters, order.

use blueprint_core::archimate::{AccessType, ElementKind, RelationshipKind};
use blueprint_core::builder::SpecBuilder;
use blueprint_core::graph::{Blueprint, Element, ElementId, GraphError, NewRelationship};

fn id(text: &str) -> ElementId {
    ElementId::new(text).expect("a valid id")
}

fn empty() -> Blueprint {
    Blueprint::new(SpecBuilder::new("demo").spec())
}

fn with_two() -> Blueprint {
    let mut bp = empty();
    bp.add_element(Element::new(
        id("svc.a"),
        ElementKind::ApplicationService,
        "A",
    ))
    .unwrap();
    bp.add_element(Element::new(id("do.b"), ElementKind::DataObject, "B"))
        .unwrap();
    bp
}

#[test]
fn ids_must_be_ncnames() {
    for good in [
        "a",
        "bo.patient",
        "svc.visit_note.read",
        "app.clinic-flow.api",
        "x1",
    ] {
        assert!(ElementId::new(good).is_ok(), "{good}");
    }
    for bad in ["", "1a", ".a", "-a", "a b", "a/b", "a:b", "é", "bo.pätient"] {
        let err = ElementId::new(bad).unwrap_err();
        assert!(matches!(err, GraphError::InvalidId { .. }), "{bad}");
        assert!(err.to_string().contains("ASCII letter first"));
    }
}

#[test]
fn duplicate_element_ids_are_rejected() {
    let mut bp = with_two();
    let err = bp
        .add_element(Element::new(
            id("svc.a"),
            ElementKind::BusinessRole,
            "again",
        ))
        .unwrap_err();
    assert_eq!(err, GraphError::DuplicateElement { id: "svc.a".into() });
    assert!(err.to_string().contains("already exists"));
    assert_eq!(bp.elements().count(), 2);
}

#[test]
fn relationships_to_unknown_elements_are_rejected() {
    let mut bp = with_two();
    let err = bp
        .add_relationship(NewRelationship::new(
            RelationshipKind::Access,
            &id("svc.a"),
            &id("do.missing"),
        ))
        .unwrap_err();
    assert_eq!(
        err,
        GraphError::UnknownElement {
            id: "do.missing".into(),
            role: "target"
        }
    );
    let err = bp
        .add_relationship(NewRelationship::new(
            RelationshipKind::Access,
            &id("svc.nope"),
            &id("do.b"),
        ))
        .unwrap_err();
    assert!(matches!(
        err,
        GraphError::UnknownElement { role: "source", .. }
    ));
    assert!(err.to_string().contains("add the element first"));
    assert_eq!(bp.relationships().count(), 0);
}

#[test]
fn relationships_archimate_forbids_are_rejected_with_the_allowed_kinds() {
    let mut bp = with_two();
    let err = bp
        .add_relationship(NewRelationship::new(
            RelationshipKind::Serving,
            &id("svc.a"),
            &id("do.b"),
        ))
        .unwrap_err();
    match &err {
        GraphError::NotAllowed {
            kind,
            source_kind,
            target_kind,
            allowed,
            ..
        } => {
            assert_eq!(*kind, RelationshipKind::Serving);
            assert_eq!(*source_kind, ElementKind::ApplicationService);
            assert_eq!(*target_kind, ElementKind::DataObject);
            assert_eq!(allowed, "Access (a), Association (o)");
        }
        other => panic!("unexpected {other:?}"),
    }
    let message = err.to_string();
    assert!(message.contains("ApplicationService `svc.a`"), "{message}");
    assert!(message.contains("DataObject `do.b`"), "{message}");
    assert!(message.contains("Access (a), Association (o)"), "{message}");
}

#[test]
fn access_types_belong_to_access_relationships_only() {
    let mut bp = with_two();
    let err = bp
        .add_relationship(
            NewRelationship::new(RelationshipKind::Association, &id("svc.a"), &id("do.b"))
                .with_access(AccessType::Read),
        )
        .unwrap_err();
    assert!(matches!(err, GraphError::AccessTypeOnNonAccess { .. }));
}

#[test]
fn repeated_triples_get_numbered_ids_in_insertion_order() {
    let mut bp = with_two();
    let new = || NewRelationship::new(RelationshipKind::Access, &id("svc.a"), &id("do.b"));
    let first = bp
        .add_relationship(new().with_access(AccessType::Read))
        .unwrap();
    let second = bp
        .add_relationship(new().with_access(AccessType::Write))
        .unwrap();
    let third = bp.add_relationship(new()).unwrap();
    assert_eq!(first.as_str(), "rel.access.svc.a.do.b");
    assert_eq!(second.as_str(), "rel.access.svc.a.do.b.2");
    assert_eq!(third.as_str(), "rel.access.svc.a.do.b.3");
    let ids: Vec<_> = bp
        .relationships()
        .map(|r| r.id.as_str().to_string())
        .collect();
    assert_eq!(ids, [first.as_str(), second.as_str(), third.as_str()]);
    assert_eq!(
        bp.relationship(&second).and_then(|r| r.access),
        Some(AccessType::Write)
    );
    assert_eq!(bp.relationships_from(&id("svc.a")).count(), 3);
    assert_eq!(bp.relationships_to(&id("do.b")).count(), 3);
    assert_eq!(bp.relationships_to(&id("svc.a")).count(), 0);
    // An element may not take a relationship's id.
    let err = bp
        .add_element(Element::new(
            id("rel.access.svc.a.do.b"),
            ElementKind::Goal,
            "x",
        ))
        .unwrap_err();
    assert!(matches!(err, GraphError::DuplicateElement { .. }));
}

#[test]
fn iteration_and_counts_follow_insertion_order() {
    let mut bp = empty();
    for (i, kind) in [
        ElementKind::Node,
        ElementKind::BusinessRole,
        ElementKind::Node,
    ]
    .into_iter()
    .enumerate()
    {
        bp.add_element(Element::new(
            ElementId::from_parts("e", &[&i.to_string()]),
            kind,
            "x",
        ))
        .unwrap();
    }
    let ids: Vec<_> = bp.elements().map(|e| e.id.to_string()).collect();
    assert_eq!(ids, ["e.0", "e.1", "e.2"]);
    let counts: Vec<_> = bp.counts_by_kind().into_iter().collect();
    // Counts are in the order of ElementKind::ALL (business before technology).
    assert_eq!(
        counts,
        [(ElementKind::BusinessRole, 1), (ElementKind::Node, 2)]
    );
    assert_eq!(bp.elements_of_kind(ElementKind::Node).count(), 2);
}

#[test]
fn parameters_record_who_set_them() {
    let mut bp = with_two();
    let err = bp
        .set_parameter("password.min_length", 12, &id("ctrl.missing"))
        .unwrap_err();
    assert!(matches!(
        err,
        GraphError::UnknownElement {
            role: "parameter owner",
            ..
        }
    ));
    assert!(bp
        .set_parameter("password.min_length", 12, &id("svc.a"))
        .unwrap()
        .is_none());
    let replaced = bp
        .set_parameter("password.min_length", 14, &id("do.b"))
        .unwrap();
    assert_eq!(replaced.map(|p| p.value), Some(serde_json::json!(12)));
    let p = bp.parameter("password.min_length").unwrap();
    assert_eq!(p.value, 14);
    assert_eq!(p.set_by, id("do.b"));
    assert!(bp.parameter("nope").is_none());
}

#[test]
fn equality_compares_elements_relationships_and_parameters() {
    let a = with_two();
    let mut b = with_two();
    assert_eq!(a, b);
    b.set_parameter("k", "v", &id("svc.a")).unwrap();
    assert_ne!(a, b);
    let mut c = with_two();
    c.add_relationship(NewRelationship::new(
        RelationshipKind::Access,
        &id("svc.a"),
        &id("do.b"),
    ))
    .unwrap();
    assert_ne!(a, c);
    let mut d = with_two();
    d.set_element_property(&id("do.b"), "note", "x").unwrap();
    assert_ne!(a, d);
    assert!(d.set_element_property(&id("do.zzz"), "note", "x").is_err());
}

#[test]
fn any_element_kind_pair_can_be_associated() {
    // Association is allowed between every two element kinds, junctions
    // included, so a tool can always record a link it cannot type.
    let mut bp = empty();
    let ids: Vec<ElementId> = ElementKind::ALL
        .iter()
        .map(|k| {
            bp.add_element(Element::new(
                ElementId::from_parts("k", &[k.xsi_type()]),
                *k,
                k.xsi_type(),
            ))
            .unwrap()
        })
        .collect();
    for s in &ids {
        for t in &ids {
            bp.add_relationship(NewRelationship::new(RelationshipKind::Association, s, t))
                .unwrap();
        }
    }
    assert_eq!(bp.relationships().count(), 62 * 62);
}
