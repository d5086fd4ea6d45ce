//! The control catalog against the framework reference data
//! (`data/frameworks.yaml`, the one copy in the repository, embedded as
//! `FRAMEWORKS_YAML`).

use std::collections::BTreeSet;

use compliance::catalog::{AppliesUnder, Capability, Condition, CONTROLS_TOML};
use compliance::frameworks::{FRAMEWORKS_YAML, FRAMEWORK_KEYS};
use compliance::{Catalog, Error, FrameworkRefs};

#[test]
fn reference_data_has_the_six_frameworks() {
    let refs = FrameworkRefs::parse(FRAMEWORKS_YAML).unwrap();
    let keys: BTreeSet<&str> = refs.keys().collect();
    for k in FRAMEWORK_KEYS {
        assert!(keys.contains(k), "frameworks.yaml lacks {k}");
        assert!(!refs.clauses(k).is_empty());
    }
    assert_eq!(
        refs.param("hipaa", "164.316(b)(2)(i)", "retention_years"),
        Some(6.0)
    );
    assert_eq!(refs.param("asvs", "V3.3.2", "l2_idle_minutes"), Some(30.0));
}

#[test]
fn every_cited_clause_exists_in_frameworks_yaml() {
    let refs = FrameworkRefs::parse(FRAMEWORKS_YAML).unwrap();
    let catalog = Catalog::builtin();
    let mut cited = 0;
    for c in catalog.controls() {
        for (fw, ids) in &c.clauses {
            assert!(
                FRAMEWORK_KEYS.contains(&fw.as_str()),
                "{}: unknown framework {fw}",
                c.id
            );
            for id in ids {
                assert!(
                    refs.contains(fw, id),
                    "{} cites {fw} {id}, absent from frameworks.yaml",
                    c.id
                );
                cited += 1;
            }
        }
    }
    assert!(cited > 150, "only {cited} clause citations");
}

#[test]
fn catalog_parses_against_frameworks_yaml_and_agrees_with_its_numbers() {
    let refs = FrameworkRefs::parse(FRAMEWORKS_YAML).unwrap();
    // Catalog::parse checks every `sources` entry against the params.
    let catalog = Catalog::parse(CONTROLS_TOML, &refs).unwrap();
    assert_eq!(&catalog, Catalog::builtin());
    let mut checked = 0;
    for c in catalog.controls() {
        for p in c.parameters.values() {
            checked += p.sources.len();
        }
    }
    assert!(
        checked >= 10,
        "only {checked} numbers tied to frameworks.yaml"
    );
}

#[test]
fn key_numbers_match_the_brief_and_frameworks_yaml() {
    let refs = FrameworkRefs::builtin();
    let c = Catalog::builtin();
    let p = |id: &str, name: &str| c.get(id).unwrap().parameters[name].clone();
    assert_eq!(p("AUTH-PASSWORD-POLICY", "password.min_length").value, 12);
    assert_eq!(refs.param("asvs", "V2.1.1", "min_length"), Some(12.0));
    assert_eq!(refs.param("pci-dss", "8.3.6", "min_length"), Some(12.0));
    assert_eq!(p("AUTH-LOGIN-LOCKOUT", "lockout.max_failures").value, 5);
    assert_eq!(p("AUTH-LOGIN-LOCKOUT", "lockout.window_minutes").value, 15);
    assert_eq!(
        p("AUTH-LOGIN-LOCKOUT", "lockout.window_minutes").by_framework["pci-dss"],
        30
    );
    assert_eq!(
        refs.param("pci-dss", "8.3.4", "lockout_minutes"),
        Some(30.0)
    );
    assert_eq!(p("SESSION-MANAGEMENT", "session.idle_minutes").value, 30);
    assert_eq!(
        p("SESSION-MANAGEMENT", "session.idle_minutes").by_framework["pci-dss"],
        15
    );
    assert_eq!(
        refs.param("pci-dss", "8.2.8", "idle_timeout_minutes"),
        Some(15.0)
    );
    assert_eq!(p("SESSION-MANAGEMENT", "session.absolute_hours").value, 12);
    let retention = p("AUDIT-RETENTION", "audit.retention_days");
    // HIPAA: 6 years (164.316(b)(2)(i), 164.530(j)); PCI DSS: 12 months (10.5.1).
    assert!(retention.by_framework["hipaa"].as_f64().unwrap() >= 6.0 * 365.25);
    assert!(retention.by_framework["pci-dss"].as_f64().unwrap() >= 12.0 * 30.5);
    assert_eq!(
        refs.param("hipaa", "164.530(j)", "retention_years"),
        Some(6.0)
    );
    assert_eq!(
        refs.param("pci-dss", "10.5.1", "retention_months"),
        Some(12.0)
    );
    assert_eq!(
        p("INCIDENT-RESPONSE", "incident.authority_notice_hours").by_framework["gdpr"],
        72
    );
}

#[test]
fn at_least_thirty_controls_with_unique_ids() {
    let c = Catalog::builtin();
    assert!(c.controls().len() >= 30);
    let ids: BTreeSet<&str> = c.controls().map(|c| c.id.as_str()).collect();
    assert_eq!(ids.len(), c.controls().len());
    for control in c.controls() {
        assert_eq!(
            control.element_id(),
            format!("req.{}", control.id.to_lowercase())
        );
        assert!(!control.title.is_empty() && !control.requires.is_empty());
    }
}

#[test]
fn the_security_baseline_applies_always() {
    let c = Catalog::builtin();
    use Capability as C;
    for cap in [
        C::PasswordPolicy,
        C::LoginLockout,
        C::SessionManagement,
        C::CsrfProtection,
        C::Rbac,
        C::RowOwnership,
        C::AuditLog,
        C::AppendOnlyAudit,
        C::SecurityHeaders,
        C::RateLimiting,
        C::InputValidation,
        C::TlsOnlyCookies,
        C::RequestIds,
        C::LogRedaction,
    ] {
        assert!(
            c.controls().any(|x| x.capability == cap
                && x.applies.contains(&AppliesUnder::Baseline)
                && x.when == Condition::Always),
            "no unconditional baseline control for {cap}"
        );
    }
}

#[test]
fn every_capability_of_the_brief_has_a_control() {
    use Capability as C;
    let c = Catalog::builtin();
    for cap in [
        C::PasswordPolicy,
        C::SessionManagement,
        C::CsrfProtection,
        C::LoginLockout,
        C::Rbac,
        C::RowOwnership,
        C::AuditLog,
        C::AppendOnlyAudit,
        C::PiiEncryptionAtRest,
        C::KeyRotation,
        C::GdprExport,
        C::GdprErasure,
        C::RetentionPurge,
        C::RateLimiting,
        C::SecurityHeaders,
        C::RequestIds,
        C::LogRedaction,
        C::TlsOnlyCookies,
        C::InputValidation,
        C::DependencyAudit,
        C::BackupsRestore,
        C::IncidentResponse,
    ] {
        assert!(
            c.controls().any(|x| x.capability == cap),
            "no control for {cap}"
        );
    }
}

#[test]
fn a_catalog_citing_an_unknown_clause_is_refused() {
    let bad = r#"
schema_version = 1
[[control]]
id = "X-ONE"
title = "t"
requires = "r"
capability = "rbac"
applies = ["baseline"]
[control.clauses]
gdpr = ["Art. 99"]
"#;
    let err = Catalog::parse(bad, FrameworkRefs::builtin()).unwrap_err();
    assert!(
        matches!(&err, Error::CatalogInvalid(p) if p[0].contains("Art. 99")),
        "{err}"
    );
}

#[test]
fn a_catalog_number_that_disagrees_is_refused() {
    let bad = r#"
schema_version = 1
[[control]]
id = "X-TWO"
title = "t"
requires = "r"
capability = "password-policy"
applies = ["baseline"]
[control.parameters."password.min_length"]
value = 8
sources = [{ framework = "asvs", clause = "V2.1.1", key = "min_length", relation = "eq" }]
"#;
    let err = Catalog::parse(bad, FrameworkRefs::builtin()).unwrap_err();
    assert!(err.to_string().contains("V2.1.1"), "{err}");
}

#[test]
fn broken_catalogs_are_errors_not_panics() {
    for text in ["", "[[control]]", "schema_version = 1\n[[control]]\nid = 3", "not toml ===", "schema_version = 1\n[[control]]\nid=\"A\"\ntitle=\"t\"\nrequires=\"r\"\ncapability=\"nope\"\napplies=[\"baseline\"]"] {
        assert!(Catalog::parse(text, FrameworkRefs::builtin()).is_err(), "{text:?}");
    }
    let dup = format!("{CONTROLS_TOML}\n[[control]]\nid = \"RATE-LIMITING\"\ntitle = \"t\"\nrequires = \"r\"\ncapability = \"rbac\"\napplies = [\"baseline\"]\n");
    assert!(Catalog::parse(&dup, FrameworkRefs::builtin())
        .unwrap_err()
        .to_string()
        .contains("twice"));
    assert!(FrameworkRefs::parse("frameworks: [").is_err());
    assert!(FrameworkRefs::parse("a: 1").is_err());
}
