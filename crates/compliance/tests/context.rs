//! PII classification in context: the entity's name, its relation to a
//! person, and whether it describes a person at all (issues #12 and #20).

use blueprint_core::spec::{FieldType, Framework, OnDelete, Pii, Relation, RelationKind, Spec};
use compliance::pii::context::{subject, EntityContext, Kind, Subject, SPEC_FORMAT_SENSITIVE};
use compliance::pii::{classify, classify_in, classify_spec, Basis, FieldClass};
use compliance::testing::SpecBuilder;
use compliance::{analyze, SpecialCategory};

fn rel(to: &str, required: bool) -> Relation {
    Relation {
        to: to.to_string(),
        kind: RelationKind::ManyToOne,
        required,
        on_delete: OnDelete::Restrict,
        inverse: None,
    }
}

/// Adds required (or optional) many-to-one relations to the last entity.
fn relate(b: SpecBuilder, rels: &[(&str, &str, bool)]) -> SpecBuilder {
    b.last_entity(|e| {
        for (name, to, required) in rels {
            e.relations.insert(name.to_string(), rel(to, *required));
        }
    })
}

fn field<'a>(fields: &'a [FieldClass], entity: &str, name: &str) -> &'a FieldClass {
    fields
        .iter()
        .find(|f| f.entity == entity && f.field == name)
        .unwrap_or_else(|| panic!("no field {entity}.{name}"))
}

fn payroll() -> Spec {
    use FieldType as T;
    let b = SpecBuilder::new("pay-run")
        .description("Payroll for a company in Germany.")
        .entity(
            "Employee",
            false,
            &[
                ("name", T::String),
                ("employee_number", T::String),
                ("active", T::Boolean),
                ("grade", T::Enum),
            ],
        )
        .entity(
            "Department",
            false,
            &[("name", T::String), ("budget", T::Decimal)],
        );
    let b = relate(
        b.entity(
            "SalaryRecord",
            false,
            &[
                ("amount", T::Decimal),
                ("currency", T::Enum),
                ("effective_on", T::Date),
                ("notes", T::Text),
            ],
        ),
        &[("employee", "Employee", true)],
    );
    let b = relate(
        b.entity(
            "Payslip",
            false,
            &[
                ("gross", T::Decimal),
                ("net", T::Decimal),
                ("issued_on", T::Date),
            ],
        ),
        &[("employee", "Employee", true)],
    );
    relate(
        b.entity(
            "Compensation",
            false,
            &[("bonus", T::Decimal), ("approved", T::Boolean)],
        ),
        &[("employee", "Employee", true)],
    )
    .build()
}

#[test]
fn pay_of_an_employee_is_personal_financial_data() {
    let fields = classify_spec(&payroll());
    for (entity, name, word) in [
        ("SalaryRecord", "amount", "salary"),
        ("Payslip", "gross", "payslip"),
        ("Payslip", "net", "payslip"),
        ("Compensation", "bonus", "compensation"),
    ] {
        let f = field(&fields, entity, name);
        assert_eq!(f.pii, Pii::Personal, "{entity}.{name}: {}", f.reason);
        assert_eq!(f.special_category, None);
        assert_eq!(f.basis, Basis::Entity);
        assert!(
            f.reason
                .contains(&format!("the entity's name contains \"{word}\""))
                && f.reason
                    .contains(&format!("the field's name contains \"{name}\""))
                && f.reason.contains("financial"),
            "{}",
            f.reason
        );
    }
    // Free text of an entity with a required relation to an employee.
    let notes = field(&fields, "SalaryRecord", "notes");
    assert_eq!((notes.pii, notes.basis), (Pii::Personal, Basis::Relation));
    assert!(
        notes
            .reason
            .contains("required relation `employee` to Employee"),
        "{}",
        notes.reason
    );
    // The person entity's own name and identifiers.
    let name = field(&fields, "Employee", "name");
    assert_eq!((name.pii, name.basis), (Pii::Personal, Basis::Entity));
    assert!(name.reason.contains("Employee describes a person"));
    assert_eq!(
        field(&fields, "Employee", "employee_number").pii,
        Pii::Personal
    );
    // Booleans, enums, dates and amounts elsewhere stay out.
    for (entity, name) in [
        ("Employee", "active"),
        ("Employee", "grade"),
        ("SalaryRecord", "currency"),
        ("SalaryRecord", "effective_on"),
        ("Payslip", "issued_on"),
        ("Compensation", "approved"),
        ("Department", "name"),
        ("Department", "budget"),
    ] {
        let f = field(&fields, entity, name);
        assert_eq!(f.pii, Pii::None, "{entity}.{name}: {}", f.reason);
    }
}

#[test]
fn the_fields_own_words_win_over_the_entity() {
    // `salary` is sensitive by its own name, stronger than the pay context.
    let c = classify("SalaryRecord", "salary", FieldType::Decimal, None);
    assert_eq!((c.pii, c.basis), (Pii::Sensitive, Basis::Name));
    // An invoice is not a pay record.
    let c = classify("Invoice", "amount", FieldType::Decimal, None);
    assert_eq!(c.pii, Pii::None);
}

fn medical() -> Spec {
    use FieldType as T;
    let b = SpecBuilder::new("med-records")
        .description("Medical records for patients of clinics in the EU.")
        .entity(
            "Patient",
            true,
            &[("full_name", T::String), ("notes", T::Text)],
        );
    let b = relate(
        b.entity(
            "MedicalRecord",
            false,
            &[
                ("summary", T::Text),
                ("status", T::Enum),
                ("opened_on", T::Date),
            ],
        ),
        &[("patient", "Patient", true)],
    );
    let b = relate(
        b.entity(
            "Prescription",
            false,
            &[
                ("dosage", T::String),
                ("instructions", T::Text),
                ("refills", T::Integer),
            ],
        ),
        &[("record", "MedicalRecord", true)],
    );
    let b = relate(
        b.entity(
            "LabResult",
            false,
            &[
                ("value", T::Decimal),
                ("positive", T::Boolean),
                ("unit", T::String),
            ],
        ),
        &[("patient", "Patient", true)],
    );
    relate(
        b.entity(
            "VisitNote",
            false,
            &[("body", T::Text), ("title", T::String)],
        ),
        &[("patient", "Patient", true)],
    )
    .build()
}

#[test]
fn free_text_of_medical_records_is_health_data() {
    let spec = medical();
    let fields = classify_spec(&spec);
    for (entity, name, words) in [
        ("MedicalRecord", "summary", "medical"),
        ("Prescription", "dosage", "prescription"),
        ("Prescription", "instructions", "prescription"),
        ("LabResult", "value", "lab result"),
        ("LabResult", "positive", "lab result"),
        ("VisitNote", "body", "visit note"),
    ] {
        let f = field(&fields, entity, name);
        assert_eq!(
            (f.pii, f.special_category, f.basis),
            (Pii::Sensitive, Some(SpecialCategory::Health), Basis::Entity),
            "{entity}.{name}: {}",
            f.reason
        );
        assert!(
            f.reason
                .contains(&format!("the entity's name contains \"{words}\""))
                && f.reason.contains("GDPR Art. 9")
                && f.reason.contains("Patient"),
            "{}",
            f.reason
        );
    }
    // Prescription reaches the patient through its record.
    let dosage = field(&fields, "Prescription", "dosage");
    assert!(
        dosage.reason.contains("`record` → `patient`"),
        "{}",
        dosage.reason
    );
    // Not every field of a medical record is health data.
    for (entity, name) in [
        ("MedicalRecord", "status"),
        ("MedicalRecord", "opened_on"),
        ("Prescription", "refills"),
        ("LabResult", "unit"),
        ("VisitNote", "title"),
    ] {
        let f = field(&fields, entity, name);
        assert_eq!(f.special_category, None, "{entity}.{name}: {}", f.reason);
        assert_ne!(f.pii, Pii::Sensitive, "{entity}.{name}: {}", f.reason);
    }
    // A person entity's free text is personal, not health data by itself.
    let notes = field(&fields, "Patient", "notes");
    assert_eq!((notes.pii, notes.special_category), (Pii::Personal, None));

    let a = analyze(&spec);
    assert!(a.in_force(Framework::Gdpr));
    let special = a
        .control("GDPR-SPECIAL-CATEGORY")
        .expect("special category");
    assert!(special
        .reasons
        .iter()
        .any(|r| r.contains("MedicalRecord.summary (health data)")));
}

#[test]
fn entities_related_to_a_patient_carry_the_patients_data() {
    use FieldType as T;
    let b = SpecBuilder::new("referrals").entity("Patient", false, &[("full_name", T::String)]);
    let b = relate(
        b.entity(
            "Referral",
            false,
            &[
                ("reference_code", T::String),
                ("reason", T::Text),
                ("comment", T::String),
                ("external_id", T::Uuid),
                ("urgent", T::Boolean),
                ("kind", T::Enum),
                ("sent_on", T::Date),
                ("pages", T::Integer),
                ("label", T::String),
            ],
        ),
        &[("patient", "Patient", true)],
    );
    let b = relate(
        b.entity("Waitlist", false, &[("comment", T::Text)]),
        &[("patient", "Patient", false)],
    );
    let fields = classify_spec(&b.build());
    for name in ["reference_code", "reason", "comment", "external_id"] {
        let f = field(&fields, "Referral", name);
        assert_eq!(
            (f.pii, f.special_category, f.basis),
            (Pii::Personal, None, Basis::Relation),
            "{name}: {}",
            f.reason
        );
        assert!(
            f.reason.contains(
                "Referral has a required relation `patient` to Patient, which describes a person"
            ),
            "{}",
            f.reason
        );
    }
    assert!(field(&fields, "Referral", "reference_code")
        .reason
        .contains("an identifier (its name contains \"reference\")"));
    assert!(field(&fields, "Referral", "reason")
        .reason
        .contains("free text (a `text` field)"));
    for name in ["urgent", "kind", "sent_on", "pages", "label"] {
        let f = field(&fields, "Referral", name);
        assert_eq!(f.pii, Pii::None, "{name}: {}", f.reason);
    }
    // An optional relation does not make the rows the person's.
    assert_eq!(field(&fields, "Waitlist", "comment").pii, Pii::None);
}

fn veterinary(description: &str) -> Spec {
    use FieldType as T;
    let b = SpecBuilder::new("paw-care")
        .description(description)
        .roles(&[
            ("owner", true, false, Some("A pet owner")),
            ("vet", false, false, Some("A veterinarian")),
            ("admin", false, true, None),
        ])
        .entity(
            "Owner",
            true,
            &[
                ("full_name", T::String),
                ("email", T::Email),
                ("phone", T::Phone),
                ("notes", T::Text),
            ],
        )
        .entity(
            "Vet",
            false,
            &[("display_name", T::String), ("license_number", T::String)],
        );
    let b = relate(
        b.entity(
            "Pet",
            false,
            &[
                ("name", T::String),
                ("species", T::Enum),
                ("date_of_birth", T::Date),
                ("microchip_number", T::String),
                ("diagnosis", T::Text),
                ("treatment", T::Text),
                ("allergies", T::String),
                ("vaccinated", T::Boolean),
            ],
        ),
        &[("owner", "Owner", true)],
    );
    let b = relate(
        b.entity(
            "Appointment",
            false,
            &[("starts_at", T::Datetime), ("reason", T::Text)],
        ),
        &[("pet", "Pet", true), ("vet", "Vet", true)],
    );
    let b = relate(
        b.entity(
            "ConsultationNote",
            false,
            &[
                ("notes", T::Text),
                ("diagnosis", T::String),
                ("medication", T::String),
            ],
        ),
        &[("appointment", "Appointment", true)],
    );
    relate(
        b.entity(
            "Invoice",
            false,
            &[
                ("number", T::String),
                ("amount", T::Decimal),
                ("paid", T::Boolean),
            ],
        ),
        &[("owner", "Owner", true), ("pet", "Pet", false)],
    )
    .build()
}

const VET_EU: &str = "A veterinary clinic in Berlin. Owners book appointments for their pets, \
     vets keep consultation notes, and owners pay invoices by card.";

#[test]
fn a_pets_health_is_not_a_special_category() {
    let fields = classify_spec(&veterinary(VET_EU));
    for f in &fields {
        assert_eq!(
            f.special_category, None,
            "{}.{}: {}",
            f.entity, f.field, f.reason
        );
    }
    // The spec format's names stay sensitive, with the reason why they are
    // not Art. 9 data.
    let d = field(&fields, "Pet", "diagnosis");
    assert_eq!((d.pii, d.basis), (Pii::Sensitive, Basis::Name));
    assert!(
        d.reason
            .contains("the spec format always classes sensitive")
            && d.reason.contains("Pet describes an animal, not a person"),
        "{}",
        d.reason
    );
    let d = field(&fields, "ConsultationNote", "diagnosis");
    assert_eq!(d.pii, Pii::Sensitive);
    assert!(
        d.reason.contains(
            "ConsultationNote is about Pet (through `appointment` → `pet`), which describes an animal, not a person"
        ),
        "{}",
        d.reason
    );
    // Other health words of a pet: not sensitive; free text stays the
    // owner's personal data.
    let t = field(&fields, "Pet", "treatment");
    assert_eq!((t.pii, t.basis), (Pii::Personal, Basis::Relation));
    assert!(
        t.reason.contains("required relation `owner` to Owner")
            && t.reason.contains("the name contains \"treatment\"")
            && t.reason.contains("Pet describes an animal, not a person"),
        "{}",
        t.reason
    );
    for (entity, name) in [
        ("Pet", "allergies"),
        ("ConsultationNote", "notes"),
        ("ConsultationNote", "medication"),
    ] {
        let f = field(&fields, entity, name);
        assert_eq!(f.pii, Pii::None, "{entity}.{name}: {}", f.reason);
        assert!(f.reason.contains("not a person"), "{}", f.reason);
    }
    // Identifiers of a pet point at its owner.
    let chip = field(&fields, "Pet", "microchip_number");
    assert_eq!((chip.pii, chip.basis), (Pii::Personal, Basis::Relation));
    for (entity, name) in [
        ("Pet", "name"),
        ("Pet", "species"),
        ("Pet", "vaccinated"),
        ("Invoice", "amount"),
        ("Invoice", "paid"),
        ("Appointment", "starts_at"),
    ] {
        let f = field(&fields, entity, name);
        assert_eq!(f.pii, Pii::None, "{entity}.{name}: {}", f.reason);
    }
    // The people of the spec keep their personal data.
    for (entity, name) in [
        ("Owner", "full_name"),
        ("Owner", "email"),
        ("Owner", "phone"),
        ("Owner", "notes"),
        ("Vet", "display_name"),
        ("Vet", "license_number"),
        ("Invoice", "number"),
        ("Appointment", "reason"),
    ] {
        let f = field(&fields, entity, name);
        assert_eq!(f.pii, Pii::Personal, "{entity}.{name}: {}", f.reason);
    }
    assert!(field(&fields, "Appointment", "reason")
        .reason
        .contains("required relation `vet` to Vet"));
}

#[test]
fn a_veterinary_clinic_gets_no_special_category_controls_and_no_hipaa() {
    let a = analyze(&veterinary(VET_EU));
    let ids: Vec<&str> = a.frameworks.iter().map(|f| f.framework.id()).collect();
    assert_eq!(ids, ["gdpr", "pci-dss"]);
    assert!(a.control("GDPR-SPECIAL-CATEGORY").is_none());
    assert!(a.control("PII-ENCRYPTION-AT-REST").is_some());

    // In the US, "clinic" and a US place do not make a veterinary clinic a
    // HIPAA covered entity.
    let us = analyze(&veterinary(
        "A veterinary clinic in Austin, Texas, where vets treat pets.",
    ));
    assert!(!us.in_force(Framework::Hipaa), "{:?}", us.frameworks);

    // Without any description, the pets' diagnoses alone (issue #20) no
    // longer assume US health privacy rules.
    let bare = analyze(&veterinary(""));
    assert!(!bare.in_force(Framework::Hipaa), "{:?}", bare.frameworks);
}

#[test]
fn the_same_clinic_for_people_is_health_care() {
    use FieldType as T;
    let pet_spec = |entity: &str| {
        SpecBuilder::new("care")
            .entity(
                entity,
                false,
                &[("diagnosis", T::Text), ("treatment", T::Text)],
            )
            .build()
    };
    let people = analyze(&pet_spec("Patient"));
    assert!(people.in_force(Framework::Hipaa), "{:?}", people.frameworks);
    assert!(people
        .fields
        .iter()
        .all(|f| f.special_category == Some(SpecialCategory::Health)));
    let pets = analyze(&pet_spec("Pet"));
    assert!(!pets.in_force(Framework::Hipaa), "{:?}", pets.frameworks);
    assert!(pets.fields.iter().all(|f| f.special_category.is_none()));
    // A human clinic that also mentions a veterinary word keeps HIPAA when
    // a person's health data is there.
    let mixed = SpecBuilder::new("care")
        .description(
            "A clinic in Texas; patients may bring their pets to the vet clinic next door.",
        )
        .entity("Patient", false, &[("diagnosis", T::Text)])
        .build();
    assert!(analyze(&mixed).in_force(Framework::Hipaa));
}

#[test]
fn what_an_entity_describes() {
    let spec = veterinary(VET_EU);
    let named = |e: &str| subject(&spec, e);
    assert_eq!(named("Pet").kind(), Some(Kind::Animal));
    assert_eq!(named("Owner").kind(), Some(Kind::Person));
    assert_eq!(named("Vet").kind(), Some(Kind::Person));
    // An appointment of a pet with a vet is about the pet.
    match named("Appointment") {
        Subject::Related {
            kind: Kind::Animal,
            entity,
            path,
            ..
        } => {
            assert_eq!(entity, "Pet");
            assert_eq!(path, ["pet"]);
        }
        other => panic!("{other:?}"),
    }
    // An invoice to an owner is the owner's (the optional `pet` is not followed).
    assert_eq!(named("Invoice").kind(), Some(Kind::Person));

    // Only the head noun decides.
    let cx = EntityContext::of_name("PetOwner");
    assert_eq!(cx.subject.kind(), Some(Kind::Person));
    assert!(cx
        .subject
        .describe("PetOwner")
        .unwrap()
        .contains("\"owner\""));
    assert_eq!(
        EntityContext::of_name("GuideDog").subject.kind(),
        Some(Kind::Animal)
    );
    assert_eq!(
        EntityContext::of_name("PetRecord").subject,
        Subject::Unknown
    );
    // A car insurance claim's injuries are a person's health data.
    let c = classify("CarInsuranceClaim", "medical_notes", FieldType::Text, None);
    assert_eq!(c.special_category, Some(SpecialCategory::Health));
    assert_eq!(EntityContext::of_name("Invoice").subject, Subject::Unknown);

    // A person over a thing: a reading of a patient's device is the patient's.
    let b = SpecBuilder::new("readings")
        .entity("Device", false, &[("serial", FieldType::String)])
        .entity("Patient", false, &[("full_name", FieldType::String)]);
    let spec = relate(
        b.entity("Reading", false, &[("symptoms", FieldType::Text)]),
        &[("device", "Device", true), ("patient", "Patient", true)],
    )
    .build();
    assert_eq!(subject(&spec, "Reading").kind(), Some(Kind::Person));
    let f = classify_spec(&spec);
    assert_eq!(
        field(&f, "Reading", "symptoms").special_category,
        Some(SpecialCategory::Health)
    );

    // Owned rows belong to a person; cycles end.
    let b = SpecBuilder::new("journal").entity("Journal", true, &[("symptoms", FieldType::Text)]);
    let b = relate(b, &[("previous", "Entry", true)]);
    let b = relate(
        b.entity("Entry", false, &[("body", FieldType::Text)]),
        &[("journal", "Journal", true)],
    );
    let spec = b.build();
    assert_eq!(
        subject(&spec, "Journal"),
        Subject::Owned {
            entity: "Journal".into(),
            path: vec![]
        }
    );
    assert_eq!(
        subject(&spec, "Entry"),
        Subject::Owned {
            entity: "Journal".into(),
            path: vec!["journal".into()]
        }
    );
    let f = classify_spec(&spec);
    let s = field(&f, "Journal", "symptoms");
    assert_eq!(s.special_category, Some(SpecialCategory::Health));
    assert!(
        s.reason
            .contains("Journal's rows belong to the user who created them"),
        "{}",
        s.reason
    );
}

#[test]
fn things_have_no_special_categories() {
    for (entity, name) in [
        ("Vehicle", "diagnosis_code"),
        ("Device", "fingerprint"),
        ("Product", "religion"),
        ("Room", "health_status"),
    ] {
        let c = classify(entity, name, FieldType::String, None);
        assert_eq!(c.special_category, None, "{entity}.{name}: {}", c.reason);
        assert!(
            c.reason
                .contains(&format!("{entity} describes a thing, not a person")),
            "{}",
            c.reason
        );
    }
}

#[test]
fn the_spec_formats_sensitive_names_are_sensitive_in_every_entity() {
    for entity in ["E", "Patient", "Pet", "Vehicle", "PetOwner", "SalaryRecord"] {
        for run in SPEC_FORMAT_SENSITIVE {
            let name = run.join("_");
            for ty in [FieldType::String, FieldType::Text] {
                let c = classify(entity, &name, ty, None);
                assert_eq!(c.pii, Pii::Sensitive, "{entity}.{name}: {}", c.reason);
            }
        }
        for name in [
            "health_insurance_number",
            "bank_account_number",
            "national_id_number",
        ] {
            let c = classify(entity, name, FieldType::String, None);
            assert_eq!(c.pii, Pii::Sensitive, "{entity}.{name}: {}", c.reason);
        }
    }
}

#[test]
fn declared_classes_win_and_special_categories_still_need_a_person() {
    let pet = EntityContext::of_name("Pet");
    let c = classify_in(&pet, "diagnosis", FieldType::Text, Some(Pii::Sensitive));
    assert_eq!(
        (c.pii, c.special_category, c.basis),
        (Pii::Sensitive, None, Basis::Declared)
    );
    assert!(
        c.reason
            .contains("not as a GDPR Art. 9 special category: Pet describes an animal"),
        "{}",
        c.reason
    );
    let note = EntityContext::of_name("VisitNote");
    let c = classify_in(&note, "body", FieldType::Text, Some(Pii::Sensitive));
    assert_eq!(c.special_category, Some(SpecialCategory::Health));
    let c = classify_in(&note, "body", FieldType::Text, Some(Pii::None));
    assert_eq!((c.pii, c.special_category), (Pii::None, None));
}

#[test]
fn classification_with_context_never_lowers_a_person_entitys_fields() {
    // Context only adds for entities about people: every field keeps at
    // least the class its name alone gives.
    let spec = medical();
    for f in classify_spec(&spec) {
        let alone = classify("E", &f.field, FieldType::String, None);
        assert!(f.pii >= alone.pii, "{}.{}", f.entity, f.field);
    }
}
