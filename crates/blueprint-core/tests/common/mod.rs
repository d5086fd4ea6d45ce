//! The two example specs of the project (`examples/specs/clinic.yaml` and
//! `tasks.yaml`), written in code with the builder.

#![allow(dead_code)]

use blueprint_core::builder::SpecBuilder;
use blueprint_core::spec::{Action, FieldType, Framework, OnDelete, Pii, RelationKind, Retention};

fn ten_years() -> Retention {
    Retention::parse("10y").expect("a valid period")
}

/// `examples/specs/clinic.yaml`.
pub fn clinic() -> SpecBuilder {
    SpecBuilder::new("clinic-flow")
        .with_title("ClinicFlow")
        .with_description(
            "Patients in the EU and the US book appointments with clinicians.\n\
             Clinicians keep visit notes about each appointment. Patients pay a\n\
             deposit by card when they book.\n",
        )
        .with_stack("python-fastapi")
        .with_frameworks([Framework::Hipaa, Framework::Gdpr])
        .with_role("patient", |r| {
            r.signup().description("A person receiving care")
        })
        .with_role("clinician", |r| r.description("A licensed provider"))
        .with_role("admin", |r| r.admin().description("Clinic staff"))
        .with_entity("Patient", |e| {
            e.description("A person who receives care")
                .owned()
                .with_field("full_name", FieldType::String, |f| f.required())
                .with_field("email", FieldType::Email, |f| f.required().unique())
                .with_field("date_of_birth", FieldType::Date, |f| f)
                .with_field("phone", FieldType::Phone, |f| f)
                .with_field("insurance_number", FieldType::String, |f| {
                    f.max(40).pii(Pii::Sensitive)
                })
                .with_access(Action::Create, ["patient", "admin"])
                .with_access(Action::Read, ["owner", "clinician", "admin"])
                .with_access(Action::Update, ["owner", "admin"])
                .with_access(Action::Delete, ["admin"])
        })
        .with_entity("Clinician", |e| {
            e.with_field("display_name", FieldType::String, |f| f.required())
                .with_field("specialty", FieldType::Enum, |f| {
                    f.values(["general", "cardiology", "dermatology", "pediatrics"])
                })
                .with_field("accepting_patients", FieldType::Boolean, |f| {
                    f.default_value(true)
                })
                .with_access(Action::Create, ["admin"])
                .with_access(Action::Read, ["authenticated"])
                .with_access(Action::Update, ["admin"])
                .with_access(Action::Delete, ["admin"])
        })
        .with_entity("Appointment", |e| {
            e.owned_through("patient")
                .with_field("starts_at", FieldType::Datetime, |f| f.required())
                .with_field("duration_minutes", FieldType::Integer, |f| {
                    f.min(5).max(240).default_value(30)
                })
                .with_field("status", FieldType::Enum, |f| {
                    f.values(["requested", "confirmed", "cancelled", "completed"])
                        .default_value("requested")
                        .transition("requested", "confirmed", ["clinician"])
                        .transition("requested", "cancelled", ["owner", "clinician"])
                        .transition("confirmed", "cancelled", ["owner", "clinician"])
                        .transition("confirmed", "completed", ["clinician"])
                        .frozen(["cancelled", "completed"])
                })
                .with_field("reason", FieldType::Text, |f| f)
                .with_field("deposit_cents", FieldType::Integer, |f| {
                    f.min(0).max(100000).default_value(2500).write(["admin"])
                })
                .with_field("deposit_paid", FieldType::Boolean, |f| {
                    f.default_value(false).write(["admin"])
                })
                .with_relation("patient", "Patient", |r| {
                    r.required()
                        .on_delete(OnDelete::Cascade)
                        .inverse("appointments")
                })
                .with_relation("clinician", "Clinician", |r| r.required())
                .with_access(Action::Create, ["patient", "admin"])
                .with_access(Action::Read, ["owner", "clinician", "admin"])
                .with_access(Action::Update, ["owner", "clinician", "admin"])
                .with_access(Action::Delete, ["admin"])
                .retention(ten_years())
        })
        .with_entity("VisitNote", |e| {
            e.owned_through("appointment")
                .with_field("body", FieldType::Text, |f| {
                    f.required().pii(Pii::Sensitive)
                })
                .with_field("diagnosis_code", FieldType::String, |f| {
                    f.max(10).pattern("^[A-Z][0-9]{2}(\\.[0-9A-Z]{1,4})?$")
                })
                .with_relation("appointment", "Appointment", |r| {
                    r.required().on_delete(OnDelete::Cascade)
                })
                .with_access(Action::Create, ["clinician"])
                .with_access(Action::Read, ["clinician", "admin"])
                .with_access(Action::Update, ["clinician"])
                .with_access(Action::Delete, ["admin"])
                .retention(ten_years())
        })
        .with_integration_options(
            "stripe",
            [
                ("pays_for", "Appointment"),
                ("amount", "deposit_cents"),
                ("currency", "eur"),
                ("sets", "deposit_paid"),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), serde_json::json!(v)))
            .collect(),
        )
        .with_integration("sendgrid")
        .with_integration("sentry")
}

/// `examples/specs/tasks.yaml`.
pub fn tasks() -> SpecBuilder {
    SpecBuilder::new("team-tasks")
        .with_title("TeamTasks")
        .with_description(
            "A B2B task tracker. Companies sign up, invite members, and organise work\n\
             into projects and tasks. Enterprise customers ask for a SOC 2 report.\n",
        )
        .with_frameworks([Framework::Soc2])
        .with_role("member", |r| r.signup())
        .with_role("manager", |r| r)
        .with_role("admin", |r| r.admin())
        .with_entity("Project", |e| {
            e.owned()
                .with_field("name", FieldType::String, |f| f.required().max(120))
                .with_field("summary", FieldType::Text, |f| f)
                .with_field("archived", FieldType::Boolean, |f| f.default_value(false))
                .with_access(Action::Read, ["owner", "admin"])
        })
        .with_entity("Task", |e| {
            e.owned()
                .with_field("title", FieldType::String, |f| f.required().max(200))
                .with_field("details", FieldType::Text, |f| f)
                .with_field("priority", FieldType::Enum, |f| {
                    f.values(["low", "normal", "high", "urgent"])
                        .default_value("normal")
                })
                .with_field("due_on", FieldType::Date, |f| f)
                .with_field("estimate_hours", FieldType::Decimal, |f| {
                    f.digits(6, 2).min(0)
                })
                .with_field("done", FieldType::Boolean, |f| f.default_value(false))
                .with_relation("project", "Project", |r| {
                    r.required().on_delete(OnDelete::Cascade).inverse("tasks")
                })
                .with_relation("labels", "Label", |r| r.kind(RelationKind::ManyToMany))
                .with_access(Action::Create, ["member", "manager", "admin"])
                .with_access(Action::Read, ["authenticated"])
                .with_access(Action::Update, ["owner", "manager", "admin"])
                .with_access(Action::Delete, ["manager", "admin"])
        })
        .with_entity("Label", |e| {
            e.with_field("name", FieldType::String, |f| f.required().unique().max(40))
                .with_field("color", FieldType::String, |f| {
                    f.pattern("^#[0-9a-fA-F]{6}$")
                })
                .with_access(Action::Create, ["admin"])
        })
        .with_integration("smtp")
}
