//! A platform team's blueprint, written in Rust instead of a spec file, and
//! checked the way a unit test would check it.
//!
//! Run it to see the checks pass and the plan summary:
//!
//! ```text
//! cargo run -p archgen-examples --bin blueprint_in_code
//! cargo run -p archgen-examples --bin blueprint_in_code -- dot | dot -Tsvg > clinic.svg
//! cargo run -p archgen-examples --bin blueprint_in_code -- mermaid
//! cargo run -p archgen-examples --bin blueprint_in_code -- plan-json
//! ```

use blueprint_core::archimate::ElementKind;
use blueprint_core::builder::SpecBuilder;
use blueprint_core::export::{plan_json, plan_text, to_dot, to_mermaid};
use blueprint_core::graph::{Blueprint, ElementId};
use blueprint_core::spec::{Action, FieldType, Framework, OnDelete, Pii, Retention, Subject};

/// The clinic example (`examples/specs/clinic.yaml`), in code.
fn clinic() -> SpecBuilder {
    let ten_years = Retention::parse("10y").expect("a valid period");
    SpecBuilder::new("clinic-flow")
        .with_title("ClinicFlow")
        .with_description(
            "Patients in the EU and the US book appointments with clinicians.\n\
             Clinicians keep visit notes about each appointment. Patients pay a\n\
             deposit by card when they book.\n",
        )
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
            e.with_field("starts_at", FieldType::Datetime, |f| f.required())
                .with_field("duration_minutes", FieldType::Integer, |f| {
                    f.min(5).max(240).default_value(30)
                })
                .with_field("status", FieldType::Enum, |f| {
                    f.values(["requested", "confirmed", "cancelled", "completed"])
                        .default_value("requested")
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
                .retention(ten_years)
        })
        .with_entity("VisitNote", |e| {
            e.with_field("body", FieldType::Text, |f| {
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
            .retention(ten_years)
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

fn role(name: &str) -> Subject {
    Subject::Role(name.to_string())
}

/// The architecture rules this team holds its clinic product to. Each
/// returns a message instead of panicking, so `main` can report them all.
fn check(bp: &Blueprint) -> Vec<String> {
    let mut problems = Vec::new();
    let mut expect = |ok: bool, what: &str| {
        if !ok {
            problems.push(what.to_string());
        }
    };
    expect(
        bp.entities() == ["Patient", "Clinician", "Appointment", "VisitNote"],
        "the four clinic entities, in order",
    );
    expect(
        bp.who_can(Action::Read, "Patient") == [Subject::Owner, role("clinician"), role("admin")],
        "patients are read by themselves, clinicians and admins",
    );
    expect(
        bp.who_can(Action::Read, "VisitNote") == [role("clinician"), role("admin")],
        "visit notes are never read by patients",
    );
    expect(
        !bp.who_can(Action::Read, "VisitNote")
            .contains(&Subject::Public)
            && !bp
                .who_can(Action::Read, "Patient")
                .contains(&Subject::Public),
        "no health data is public",
    );
    expect(
        bp.who_can(Action::Delete, "Appointment") == [role("admin")],
        "only admins delete appointments",
    );
    expect(
        bp.element(&ElementId::from_parts("actor", &["visitor"]))
            .is_none(),
        "nothing is served to anonymous visitors",
    );
    expect(
        bp.relations_of("Appointment")
            .iter()
            .any(|r| r.name == "patient" && r.to == "Patient" && r.required),
        "every appointment has a patient",
    );
    expect(
        bp.elements_of_kind(ElementKind::ApplicationComponent)
            .filter(|e| e.property("external") == Some("true"))
            .count()
            == 3,
        "three external services: stripe, sendgrid, sentry",
    );
    // Health data reaches the database schema: the path from the schema
    // artifact to the visit notes' business object exists.
    expect(
        bp.path_between(
            &ElementId::from_parts("artifact", &["clinic-flow", "schema"]),
            &ElementId::from_parts("bo", &["visit_note"]),
        )
        .is_some(),
        "visit notes are stored in the database schema",
    );
    problems
}

fn main() {
    let bp = clinic().build();
    match std::env::args().nth(1).as_deref() {
        Some("dot") => print!("{}", to_dot(&bp)),
        Some("mermaid") => print!("{}", to_mermaid(&bp)),
        Some("plan-json") => match serde_json::to_string_pretty(&plan_json(&bp)) {
            Ok(text) => println!("{text}"),
            Err(e) => {
                eprintln!("cannot print the plan: {e}");
                std::process::exit(1);
            }
        },
        Some("plan") => print!("{}", plan_text(&bp)),
        Some(other) => {
            eprintln!("unknown output `{other}`: use dot, mermaid, plan or plan-json");
            std::process::exit(2);
        }
        None => {
            let problems = check(&bp);
            for p in &problems {
                eprintln!("rule broken: {p}");
            }
            let counts = bp.counts_by_kind();
            println!(
                "{}: {} elements ({} services), {} relationships; {} rules broken",
                bp.spec().product.display_name(),
                bp.elements().count(),
                counts
                    .get(&ElementKind::ApplicationService)
                    .copied()
                    .unwrap_or(0),
                bp.relationships().count(),
                problems.len()
            );
            if !problems.is_empty() {
                std::process::exit(1);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clinic_keeps_its_architecture_rules() {
        assert_eq!(check(&clinic().build()), Vec::<String>::new());
    }

    #[test]
    fn loosening_access_breaks_a_rule() {
        let bp = clinic()
            .with_entity("VisitNote", |e| {
                e.with_field("body", FieldType::Text, |f| f.required())
                    .with_access(Action::Read, ["public"])
            })
            .build();
        let problems = check(&bp);
        assert!(problems.contains(&"no health data is public".to_string()));
        assert!(problems.contains(&"nothing is served to anonymous visitors".to_string()));
    }

    #[test]
    fn the_clinic_is_the_same_blueprint_every_time() {
        assert_eq!(clinic().build(), clinic().build());
        assert_eq!(to_dot(&clinic().build()), to_dot(&clinic().build()));
    }
}
