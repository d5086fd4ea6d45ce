//! The builder makes the example specs in code, with the spec format's
//! defaults applied.

mod common;

use blueprint_core::builder::SpecBuilder;
use blueprint_core::spec::{
    Access, Action, Api, FieldType, Framework, Number, Pii, Scalar, Subject, DEFAULT_BASE_PATH,
};

fn role(name: &str) -> Subject {
    Subject::Role(name.to_string())
}

#[test]
fn clinic_spec_has_the_yaml_values() {
    let spec = common::clinic().spec();
    assert_eq!(spec.spec_version, 1);
    assert_eq!(spec.product.name, "clinic-flow");
    assert_eq!(spec.product.display_name(), "ClinicFlow");
    assert_eq!(spec.stack, "python-fastapi");
    assert_eq!(spec.database, "postgresql");
    assert_eq!(
        spec.compliance.frameworks,
        [Framework::Hipaa, Framework::Gdpr]
    );
    assert!(spec.compliance.infer);
    assert_eq!(
        spec.roles.keys().collect::<Vec<_>>(),
        ["patient", "clinician", "admin"]
    );
    assert_eq!(spec.admin_roles().collect::<Vec<_>>(), ["admin"]);
    assert_eq!(spec.signup_roles().collect::<Vec<_>>(), ["patient"]);
    assert_eq!(
        spec.entities.keys().collect::<Vec<_>>(),
        ["Patient", "Clinician", "Appointment", "VisitNote"]
    );
    let patient = &spec.entities["Patient"];
    assert_eq!(patient.name, "Patient");
    assert!(patient.owned);
    assert_eq!(
        patient.fields["insurance_number"].max,
        Some(Number::Int(40))
    );
    assert_eq!(patient.fields["insurance_number"].pii, Some(Pii::Sensitive));
    assert_eq!(
        patient.access.read,
        [Subject::Owner, role("clinician"), role("admin")]
    );

    // Appointment says it is owned through `patient` (one required
    // relation to an owned entity would imply it), and writes its rules out.
    let appointment = &spec.entities["Appointment"];
    assert_eq!(appointment.owned_through.as_deref(), Some("patient"));
    assert!(!appointment.completion.ownership_implied);
    assert_eq!(appointment.access.create, [role("patient"), role("admin")]);
    assert_eq!(
        appointment.access.read,
        [Subject::Owner, role("clinician"), role("admin")]
    );
    assert_eq!(
        appointment.access.update,
        [Subject::Owner, role("clinician"), role("admin")]
    );
    assert_eq!(appointment.access.delete, [role("admin")]);
    assert_eq!(
        appointment.fields["status"].frozen,
        ["cancelled", "completed"]
    );
    assert_eq!(
        appointment.fields["duration_minutes"].default,
        Some(Scalar::Number(Number::Int(30)))
    );
    assert_eq!(
        appointment.retention.map(|r| r.to_string()).as_deref(),
        Some("10y")
    );
    assert_eq!(
        appointment.relations["patient"].inverse.as_deref(),
        Some("appointments")
    );
    assert_eq!(
        spec.integrations.keys().collect::<Vec<_>>(),
        ["stripe", "sendgrid", "sentry"]
    );
    assert_eq!(spec.integrations["stripe"]["pays_for"], "Appointment");
    assert_eq!(spec.integrations["stripe"]["sets"], "deposit_paid");
    assert!(spec.integrations["sendgrid"].is_empty());
    assert_eq!(spec.api, Api::default());
}

#[test]
fn tasks_spec_has_the_yaml_values() {
    let spec = common::tasks().spec();
    assert_eq!(spec.product.name, "team-tasks");
    assert_eq!(spec.stack, "python-fastapi");
    assert_eq!(
        spec.roles.keys().collect::<Vec<_>>(),
        ["member", "manager", "admin"]
    );
    let project = &spec.entities["Project"];
    // Owned, no access rules: owner first, then the admin roles.
    assert_eq!(project.access.update, [Subject::Owner, role("admin")]);
    assert_eq!(project.access.delete, [Subject::Owner, role("admin")]);
    assert_eq!(project.access.create, [Subject::Authenticated]);
    let task = &spec.entities["Task"];
    assert_eq!(task.fields["estimate_hours"].decimal_digits(), (6, 2));
    assert_eq!(task.fields["estimate_hours"].min, Some(Number::Int(0)));
    assert_eq!(task.relations["labels"].json_name("labels"), "label_ids");
    assert_eq!(task.access.delete, [role("manager"), role("admin")]);
    assert_eq!(spec.entities["Label"].fields["name"].ty, FieldType::String);
    assert_eq!(spec.entities["Label"].collection(), "labels");
}

#[test]
fn defaults_follow_the_spec_format() {
    let spec = SpecBuilder::new("notes")
        .with_entity("Note", |e| {
            e.owned().with_field("body", FieldType::Text, |f| f)
        })
        .spec();
    assert_eq!(spec.stack, "python-fastapi");
    assert_eq!(spec.database, "postgresql");
    assert_eq!(spec.api.base_path, DEFAULT_BASE_PATH);
    assert_eq!(spec.api.page_size, 50);
    assert_eq!(spec.roles.keys().collect::<Vec<_>>(), ["user", "admin"]);
    assert!(spec.roles["user"].signup && !spec.roles["user"].admin);
    assert!(spec.roles["admin"].admin && !spec.roles["admin"].signup);
    let note = &spec.entities["Note"];
    for action in Action::ALL {
        let admins = ["admin".to_string()];
        assert_eq!(
            note.access.get(action),
            Access::default_for(action, true, &admins)
        );
    }
    assert_eq!(
        note.fields["body"],
        blueprint_core::spec::Field::new(FieldType::Text)
    );
}

#[test]
fn an_admin_role_is_added_when_none_is_declared() {
    let spec = SpecBuilder::new("shop")
        .with_role("buyer", |r| r.signup())
        .with_role("seller", |r| r)
        .with_entity("Item", |e| e)
        .spec();
    assert_eq!(
        spec.roles.keys().collect::<Vec<_>>(),
        ["buyer", "seller", "admin"]
    );
    assert!(spec.roles["admin"].admin);
    assert_eq!(spec.entities["Item"].access.delete, [role("admin")]);
}

#[test]
fn several_admin_roles_are_defaults_in_spec_order() {
    let spec = SpecBuilder::new("ops")
        .with_role("owner_admin", |r| r.admin())
        .with_role("staff", |r| r)
        .with_role("support", |r| r.admin())
        .with_entity("Ticket", |e| e)
        .spec();
    assert_eq!(
        spec.entities["Ticket"].access.update,
        [role("owner_admin"), role("support")]
    );
}

#[test]
fn building_twice_gives_equal_specs_and_blueprints() {
    assert_eq!(common::clinic().spec(), common::clinic().spec());
    assert_eq!(common::tasks().build(), common::tasks().build());
}
