//! Framework inference: the acceptance cases and the settings.

use blueprint_core::spec::{Field, FieldType, Framework, Pii};
use compliance::testing::{clinic, tasks, SpecBuilder};
use compliance::{analyze, PciScope};

fn ids(a: &compliance::Analysis) -> Vec<&'static str> {
    a.frameworks.iter().map(|f| f.framework.id()).collect()
}

fn lender() -> blueprint_core::spec::Spec {
    SpecBuilder::new("fair-credit")
        .description(
            "A consumer lender in the EU. Borrowers apply for small loans and take card \
             repayments each month. Our bank partners ask us for a SOC 2 report.",
        )
        .roles(&[
            ("borrower", true, false, None),
            ("underwriter", false, false, None),
            ("admin", false, true, None),
        ])
        .entity(
            "Borrower",
            true,
            &[
                ("full_name", FieldType::String),
                ("email", FieldType::Email),
                ("iban", FieldType::String),
            ],
        )
        .entity(
            "Loan",
            true,
            &[
                ("amount", FieldType::Decimal),
                ("term_months", FieldType::Integer),
            ],
        )
        .entity(
            "Repayment",
            false,
            &[
                ("amount", FieldType::Decimal),
                ("paid_at", FieldType::Datetime),
            ],
        )
        .integration("stripe")
        .build()
}

#[test]
fn eu_consumer_lender_gets_gdpr_pci_and_soc2_but_not_hipaa() {
    let a = analyze(&lender());
    assert_eq!(ids(&a), ["soc2", "gdpr", "pci-dss"]);
    assert!(!a.in_force(Framework::Hipaa));
    for f in &a.frameworks {
        assert!(!f.declared);
        assert!(!f.reasons.is_empty());
    }
    let gdpr = a.framework(Framework::Gdpr).unwrap();
    assert!(gdpr
        .reasons
        .iter()
        .any(|r| r.contains("\"EU\"") && r.contains("product description")));
    let soc2 = a.framework(Framework::Soc2).unwrap();
    assert!(
        soc2.reasons.iter().any(|r| r.contains("SOC 2")),
        "{:?}",
        soc2.reasons
    );
    let pci = a.framework(Framework::PciDss).unwrap();
    assert!(
        pci.reasons.iter().any(|r| r.contains("card repayments")),
        "{:?}",
        pci.reasons
    );
    assert!(
        pci.reasons.iter().any(|r| r.contains("SAQ A")),
        "{:?}",
        pci.reasons
    );
    assert_eq!(
        a.pci_scope,
        Some(PciScope::HostedCheckout {
            vendor: "stripe".into()
        })
    );
    assert!(a.control("PCI-CARD-DATA-SCOPE").is_some());
    assert_eq!(a.field("Borrower", "iban").unwrap().pii, Pii::Sensitive);
}

#[test]
fn hr_system_in_germany_gets_gdpr_and_sensitive_tax_ids() {
    let spec = SpecBuilder::new("hr-portal")
        .description(
            "An HR system for a mid-sized company in Germany: employees, contracts, payroll.",
        )
        .entity(
            "Employee",
            false,
            &[
                ("full_name", FieldType::String),
                ("tax_id", FieldType::String),
                ("salary", FieldType::Decimal),
                ("churchTax", FieldType::Boolean),
            ],
        )
        .build();
    let a = analyze(&spec);
    assert_eq!(ids(&a), ["gdpr"]);
    assert!(a.framework(Framework::Gdpr).unwrap().reasons[0].contains("Germany"));
    let tax = a.field("Employee", "tax_id").unwrap();
    assert_eq!(tax.pii, Pii::Sensitive);
    assert!(tax.reason.contains("tax"));
    assert!(a
        .field("Employee", "churchTax")
        .unwrap()
        .special_category
        .is_some());
    assert!(a.control("GDPR-SPECIAL-CATEGORY").is_some());
    assert!(a.control("GDPR-RECORDS-OF-PROCESSING").is_some());
}

#[test]
fn clinic_gets_gdpr_hipaa_and_pci() {
    let a = analyze(&clinic());
    assert_eq!(ids(&a), ["gdpr", "hipaa", "pci-dss"]);
    assert!(a.framework(Framework::Gdpr).unwrap().declared);
    assert!(a.framework(Framework::Hipaa).unwrap().declared);
    let pci = a.framework(Framework::PciDss).unwrap();
    assert!(!pci.declared);
    assert!(pci.reasons.iter().any(|r| r.contains("stripe")));
    assert!(a.control("HIPAA-EMERGENCY-ACCESS").is_some());
}

#[test]
fn clinic_without_declarations_still_infers_all_three() {
    let mut spec = clinic();
    spec.compliance.frameworks.clear();
    let a = analyze(&spec);
    assert_eq!(ids(&a), ["gdpr", "hipaa", "pci-dss"]);
    let hipaa = a.framework(Framework::Hipaa).unwrap();
    assert!(
        hipaa.reasons.iter().any(|r| r.contains("\"US\"")),
        "{:?}",
        hipaa.reasons
    );
    assert!(
        hipaa.reasons.iter().any(|r| r.contains("Patients")),
        "{:?}",
        hipaa.reasons
    );
}

#[test]
fn an_eu_only_clinic_is_not_hipaa() {
    let spec = SpecBuilder::new("praxis")
        .description("Patients of a practice in Vienna book appointments with their doctor.")
        .entity(
            "Patient",
            true,
            &[
                ("full_name", FieldType::String),
                ("diagnosis", FieldType::Text),
            ],
        )
        .build();
    assert_eq!(ids(&analyze(&spec)), ["gdpr"]);
}

#[test]
fn health_data_without_a_region_assumes_hipaa() {
    let spec = SpecBuilder::new("carebook")
        .description("Clinicians record diagnoses for their patients.")
        .entity("Visit", false, &[("diagnosis", FieldType::Text)])
        .build();
    let a = analyze(&spec);
    assert_eq!(ids(&a), ["hipaa"]);
    assert!(a
        .framework(Framework::Hipaa)
        .unwrap()
        .reasons
        .iter()
        .any(|r| r.contains("no region")));
}

#[test]
fn health_words_alone_are_not_enough() {
    let spec = SpecBuilder::new("waiting-room")
        .description("A waiting-room display for doctors' offices.")
        .entity("Screen", false, &[("label", FieldType::String)])
        .build();
    assert!(ids(&analyze(&spec)).is_empty());
}

#[test]
fn tasks_gets_soc2_only() {
    let a = analyze(&tasks());
    assert_eq!(ids(&a), ["soc2"]);
    let soc2 = a.framework(Framework::Soc2).unwrap();
    assert!(soc2.declared);
    assert!(soc2.reasons.iter().any(|r| r.contains("B2B")));
    assert!(a.control("CHANGE-MANAGEMENT").is_some());
    assert!(a.pci_scope.is_none());
}

#[test]
fn iso_27001_when_named() {
    let spec = SpecBuilder::new("vault")
        .description("Our customers require ISO 27001 certification of suppliers.")
        .entity("Doc", false, &[("title", FieldType::String)])
        .build();
    assert_eq!(ids(&analyze(&spec)), ["iso27001"]);
}

#[test]
fn lowercase_homonyms_do_not_trigger() {
    let spec = SpecBuilder::new("shine")
        .description("Let us polish the shoes; the french fries come with us.")
        .entity("Order", false, &[("note", FieldType::String)])
        .build();
    assert!(ids(&analyze(&spec)).is_empty());
}

#[test]
fn stored_card_numbers_are_full_pci_scope() {
    let spec = SpecBuilder::new("shop")
        .entity("Wallet", true, &[("card_number", FieldType::String)])
        .build();
    let a = analyze(&spec);
    assert!(a.in_force(Framework::PciDss));
    assert!(
        matches!(&a.pci_scope, Some(PciScope::StoresCardData { fields }) if fields == &["Wallet.card_number"])
    );
}

#[test]
fn declared_frameworks_are_kept_and_infer_false_adds_nothing() {
    let mut spec = clinic();
    spec.compliance.infer = false;
    let a = analyze(&spec);
    assert_eq!(ids(&a), ["gdpr", "hipaa"]);
    assert!(a.frameworks.iter().all(|f| f.declared));
}

#[test]
fn none_drops_inferred_frameworks_but_never_the_baseline() {
    let mut spec = lender();
    spec.compliance.none = true;
    let a = analyze(&spec);
    assert!(a.frameworks.is_empty());
    for id in [
        "AUTH-PASSWORD-POLICY",
        "SESSION-MANAGEMENT",
        "CSRF-PROTECTION",
        "ACCESS-RBAC",
        "AUDIT-LOG",
        "SECURITY-HEADERS",
        "RATE-LIMITING",
        "INPUT-VALIDATION",
    ] {
        assert!(a.control(id).is_some(), "{id} missing");
    }
    assert!(a.control("PCI-CARD-DATA-SCOPE").is_none());
    // Declared ones stay even with none: true.
    spec.compliance.frameworks = vec![Framework::Iso27001];
    assert_eq!(ids(&analyze(&spec)), ["iso27001"]);
}

#[test]
fn declared_pci_without_signals_has_a_scope_reason() {
    let spec = SpecBuilder::new("quiet")
        .compliance(&[Framework::PciDss], true, false)
        .entity("Thing", false, &[("label", FieldType::String)])
        .build();
    let a = analyze(&spec);
    let pci = a.framework(Framework::PciDss).unwrap();
    assert!(pci.declared);
    assert!(pci.reasons.iter().any(|r| r.contains("scope undecided")));
}

#[test]
fn parameters_take_the_strictest_framework_value() {
    let a = analyze(&lender());
    let s = a.control("SESSION-MANAGEMENT").unwrap();
    assert_eq!(s.parameters["session.idle_minutes"], 15);
    assert!(s.reasons.iter().any(|r| r.contains("PCI DSS")));
    let a = analyze(&tasks());
    assert_eq!(
        a.control("SESSION-MANAGEMENT").unwrap().parameters["session.idle_minutes"],
        30
    );
    assert_eq!(
        a.control("AUDIT-RETENTION").unwrap().parameters["audit.retention_days"],
        366
    );
    let a = analyze(&clinic());
    assert_eq!(
        a.control("AUDIT-RETENTION").unwrap().parameters["audit.retention_days"],
        2192
    );
    assert_eq!(
        a.control("AUTH-LOGIN-LOCKOUT").unwrap().parameters["lockout.window_minutes"],
        30
    );
}

#[test]
fn clause_maps_list_only_frameworks_in_force_and_asvs() {
    let a = analyze(&tasks());
    for c in &a.controls {
        for k in c.frameworks.keys() {
            assert!(k == "soc2" || k == "asvs", "{} cites {k}", c.id);
        }
    }
    let p = a.control("AUTH-PASSWORD-POLICY").unwrap();
    assert_eq!(p.frameworks["soc2"], ["CC6.1"]);
    assert!(p.frameworks["asvs"].contains(&"V2.1.1".to_string()));
}

#[test]
fn odd_specs_do_not_panic() {
    let mut f = Field::new(FieldType::String);
    f.pii = Some(Pii::Personal);
    let spec = SpecBuilder::new("x")
        .description("")
        .entity_with(
            "Ünïcödé",
            false,
            vec![("".into(), f), ("__".into(), Field::new(FieldType::Json))],
        )
        .integration("")
        .build();
    let a = analyze(&spec);
    let _ = (a.to_json(), a.to_text(), a.to_markdown());
    let empty = SpecBuilder::new("").roles(&[]).build();
    let _ = analyze(&empty).to_markdown();
}

#[test]
fn near_misses_are_not_health_care() {
    let spec = SpecBuilder::new("ops")
        .description(
            "Hospitality staff in the US run system diagnostics and nursery orders patiently.",
        )
        .entity("Check", false, &[("label", FieldType::String)])
        .build();
    assert!(!analyze(&spec).in_force(Framework::Hipaa));
}

proptest::proptest! {
    #[test]
    fn any_description_and_names_analyze_without_panic(
        description in "\\PC{0,200}",
        entity in "[A-Z][a-zA-Z0-9]{0,12}",
        fields in proptest::collection::vec("[a-zA-Z_\\-]{1,20}", 0..6),
        vendor in "[a-z]{0,8}",
    ) {
        let fields: Vec<(&str, FieldType)> = fields.iter().map(|f| (f.as_str(), FieldType::String)).collect();
        let spec = SpecBuilder::new("p")
            .description(&description)
            .entity(&entity, true, &fields)
            .integration(&vendor)
            .build();
        let a = analyze(&spec);
        for f in &a.frameworks {
            proptest::prop_assert!(!f.reasons.is_empty());
        }
        for id in ["AUTH-PASSWORD-POLICY", "CSRF-PROTECTION", "ACCESS-RBAC", "AUDIT-LOG"] {
            proptest::prop_assert!(a.control(id).is_some());
        }
        let _ = (a.to_json(), a.to_text(), a.to_markdown());
    }
}
