//! Weaving the analysis into the blueprint graph.

use blueprint_core::archimate::{ElementKind, RelationshipKind};
use blueprint_core::graph::{Blueprint, ElementId};
use compliance::testing::{clinic, tasks};
use compliance::{analyze, complete, weave};

fn eid(s: &str) -> ElementId {
    ElementId::new(s).unwrap()
}

#[test]
fn clinic_frameworks_become_drivers_and_controls_requirements() {
    let spec = clinic();
    let mut bp = Blueprint::from_spec(&spec);
    let analysis = complete(&mut bp).unwrap();
    let drivers: Vec<&str> = bp
        .elements_of_kind(ElementKind::Driver)
        .map(|e| e.id.as_str())
        .collect();
    assert_eq!(
        drivers,
        [
            "drv.security-baseline",
            "drv.gdpr",
            "drv.hipaa",
            "drv.pci-dss"
        ]
    );
    assert_eq!(
        bp.element_by_str("drv.pci-dss")
            .unwrap()
            .property("declared"),
        Some("false")
    );
    assert!(bp
        .element_by_str("drv.pci-dss")
        .unwrap()
        .property("scope")
        .unwrap()
        .contains("SAQ A"));
    let motivation = bp.elements_of_kind(ElementKind::Requirement).count()
        + bp.elements_of_kind(ElementKind::Constraint).count();
    assert_eq!(motivation, analysis.controls.len());
    let policy = bp.element_by_str("req.auth-password-policy").unwrap();
    assert_eq!(policy.kind, ElementKind::Constraint);
    assert_eq!(
        policy.property("clauses.hipaa"),
        Some("164.308(a)(5)(ii)(D)")
    );
    assert_eq!(
        bp.element_by_str("req.csrf-protection").unwrap().kind,
        ElementKind::Requirement
    );
}

#[test]
fn drivers_influence_controls_and_elements_realize_them() {
    let spec = clinic();
    let mut bp = Blueprint::from_spec(&spec);
    let analysis = complete(&mut bp).unwrap();
    let req = eid("req.pii-encryption-at-rest");
    let into: Vec<(RelationshipKind, String)> = bp
        .relationships_to(&req)
        .map(|r| (r.kind, r.source.to_string()))
        .collect();
    for d in [
        "drv.security-baseline",
        "drv.gdpr",
        "drv.hipaa",
        "drv.pci-dss",
    ] {
        assert!(
            into.contains(&(RelationshipKind::Influence, d.to_string())),
            "{d}: {into:?}"
        );
    }
    for r in ["do.patient", "do.visit_note", "app.clinic-flow"] {
        assert!(
            into.contains(&(RelationshipKind::Realization, r.to_string())),
            "{r}: {into:?}"
        );
    }
    // HIPAA-only controls are not influenced by GDPR.
    let emergency = eid("req.hipaa-emergency-access");
    assert!(!bp
        .relationships_to(&emergency)
        .any(|r| r.source.as_str() == "drv.gdpr"));
    assert!(!bp
        .relationships_to(&emergency)
        .any(|r| r.source.as_str() == "drv.security-baseline"));
    // Every control is realized by something in this blueprint, and the
    // analysis lists exactly those elements.
    for c in &analysis.controls {
        assert!(!c.realized_by.is_empty(), "{} realized by nothing", c.id);
        let req = eid(&c.element_id());
        for r in &c.realized_by {
            assert!(bp.element_by_str(r).is_some(), "{r}");
            assert!(bp.relationships_to(&req).any(|x| x.source.as_str() == r));
        }
    }
    let vendors = analysis.control("VENDOR-PROCESSORS").unwrap();
    assert!(
        vendors.realized_by.contains(&"ext.stripe".to_string()),
        "{:?}",
        vendors.realized_by
    );
}

#[test]
fn parameters_and_pii_classes_land_in_the_blueprint() {
    let spec = clinic();
    let mut bp = Blueprint::from_spec(&spec);
    complete(&mut bp).unwrap();
    let p = |k: &str| {
        bp.parameter(k)
            .unwrap_or_else(|| panic!("{k} missing"))
            .clone()
    };
    assert_eq!(p("password.min_length").value, 12);
    assert_eq!(
        p("password.min_length").set_by.as_str(),
        "req.auth-password-policy"
    );
    assert_eq!(p("lockout.max_failures").value, 5);
    assert_eq!(p("lockout.window_minutes").value, 30);
    assert_eq!(p("session.idle_minutes").value, 15);
    assert_eq!(p("session.absolute_hours").value, 12);
    assert_eq!(p("audit.retention_days").value, 2192);
    assert_eq!(p("pii.Patient.insurance_number").value, "sensitive");
    assert_eq!(
        p("pii.Patient.insurance_number").set_by.as_str(),
        "do.patient"
    );
    assert_eq!(p("pii.Clinician.specialty").value, "none");
    assert_eq!(p("pii.VisitNote.diagnosis_code").value, "sensitive");
}

#[test]
fn weaving_twice_adds_nothing() {
    let spec = tasks();
    let mut bp = Blueprint::from_spec(&spec);
    let analysis = analyze(&spec);
    let first = weave(&mut bp, &analysis).unwrap();
    assert!(!first.elements.is_empty() && !first.relationships.is_empty());
    let before = bp.clone();
    let second = weave(&mut bp, &analysis).unwrap();
    assert!(second.elements.is_empty(), "{:?}", second.elements);
    assert!(
        second.relationships.is_empty(),
        "{:?}",
        second.relationships
    );
    assert_eq!(bp, before);
}

#[test]
fn tasks_session_idle_stays_at_thirty_minutes() {
    let spec = tasks();
    let mut bp = Blueprint::from_spec(&spec);
    complete(&mut bp).unwrap();
    assert_eq!(bp.parameter("session.idle_minutes").unwrap().value, 30);
    assert_eq!(bp.parameter("audit.retention_days").unwrap().value, 366);
    assert!(bp.element_by_str("drv.soc2").is_some());
    assert!(bp.element_by_str("req.change-management").is_some());
    assert!(bp.element_by_str("drv.gdpr").is_none());
}

#[test]
fn an_empty_blueprint_still_takes_the_controls() {
    let spec = tasks();
    let mut bp = Blueprint::new(spec.clone());
    let analysis = complete(&mut bp).unwrap();
    assert!(analysis.controls.iter().all(|c| c.realized_by.is_empty()));
    assert_eq!(
        bp.parameter("pii.Task.title").unwrap().set_by.as_str(),
        "drv.security-baseline"
    );
}

#[test]
fn a_clashing_element_is_an_error() {
    let spec = tasks();
    let mut bp = Blueprint::from_spec(&spec);
    bp.add_element(blueprint_core::graph::Element::new(
        eid("req.csrf-protection"),
        ElementKind::ApplicationService,
        "not a requirement",
    ))
    .unwrap();
    let err = complete(&mut bp).unwrap_err();
    assert!(
        matches!(&err, compliance::Error::Clash { id, .. } if id == "req.csrf-protection"),
        "{err}"
    );
    assert!(err.to_string().contains("rename"));
}
