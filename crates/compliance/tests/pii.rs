//! PII classification: every rule, the spec-format lists, and case styles.

use blueprint_core::spec::{FieldType, Pii};
use compliance::pii::{classify, name_rule, words, Basis, NAME_RULES};
use compliance::SpecialCategory;
use proptest::prelude::*;

fn class(name: &str) -> (Pii, Option<SpecialCategory>) {
    let c = classify("E", name, FieldType::String, None);
    (c.pii, c.special_category)
}

#[test]
fn every_name_rule_matches_its_own_words() {
    for r in NAME_RULES {
        let name = r.words.join("_");
        let c = classify("E", &name, FieldType::String, None);
        assert_eq!(c.basis, Basis::Name, "{name}");
        assert!(c.pii >= r.pii, "{name}: {:?} < {:?}", c.pii, r.pii);
        if r.special.is_some() {
            assert_eq!(c.special_category, r.special, "{name}");
            assert_eq!(
                c.pii,
                Pii::Sensitive,
                "special categories are sensitive: {name}"
            );
        }
        assert!(
            c.reason.contains(&r.words.join(" ")),
            "{name}: {}",
            c.reason
        );
        // Also inside a longer name.
        let longer = format!("primary_{name}_value");
        assert!(class(&longer).0 >= r.pii, "{longer}");
    }
}

#[test]
fn spec_format_sensitive_names() {
    for n in [
        "national_id",
        "national_id_number",
        "ssn",
        "social_security_number",
        "tax_id",
        "tax_number",
        "passport",
        "passport_number",
        "insurance_number",
        "health_insurance_number",
        "iban",
        "bank_account",
        "bank_account_number",
        "card_number",
        "diagnosis",
        "medical_record_number",
    ] {
        assert_eq!(class(n).0, Pii::Sensitive, "{n}");
    }
}

#[test]
fn spec_format_personal_names_and_types() {
    for n in [
        "full_name",
        "legal_name",
        "birth_date",
        "date_of_birth",
        "address",
        "home_address",
    ] {
        assert!(class(n).0 >= Pii::Personal, "{n}");
    }
    let e = classify("E", "contact", FieldType::Email, None);
    assert_eq!((e.pii, e.basis), (Pii::Personal, Basis::Type));
    let p = classify("E", "contact", FieldType::Phone, None);
    assert_eq!((p.pii, p.basis), (Pii::Personal, Basis::Type));
    assert!(p.reason.contains("phone"));
}

#[test]
fn more_names_than_the_spec_format_lists() {
    assert_eq!(class("salary"), (Pii::Sensitive, None));
    assert_eq!(class("first_name").0, Pii::Personal);
    assert_eq!(class("lastName").0, Pii::Personal);
    assert_eq!(class("ip_address").0, Pii::Personal);
    assert_eq!(class("client_ip").0, Pii::Personal);
    assert_eq!(class("gender").0, Pii::Personal);
    assert_eq!(class("cvv").0, Pii::Sensitive);
}

#[test]
fn gdpr_special_categories() {
    use SpecialCategory as S;
    for (n, cat) in [
        ("diagnosis", S::Health),
        ("blood_type", S::Health),
        ("allergies", S::Health),
        ("fingerprint_hash", S::Biometric),
        ("religion", S::Religion),
        ("ethnicity", S::Ethnicity),
        ("sexual_orientation", S::SexualOrientation),
        ("political_opinion", S::PoliticalOpinion),
        ("trade_union_member", S::TradeUnion),
        ("genetic_marker", S::Genetic),
    ] {
        assert_eq!(class(n), (Pii::Sensitive, Some(cat)), "{n}");
    }
}

#[test]
fn explicit_pii_wins() {
    let c = classify("E", "tax_id", FieldType::String, Some(Pii::None));
    assert_eq!(
        (c.pii, c.special_category, c.basis),
        (Pii::None, None, Basis::Declared)
    );
    assert!(c.reason.contains("declared"));
    let c = classify("E", "title", FieldType::String, Some(Pii::Sensitive));
    assert_eq!(c.pii, Pii::Sensitive);
    let c = classify("E", "diagnosis", FieldType::Text, Some(Pii::Sensitive));
    assert_eq!(c.special_category, Some(SpecialCategory::Health));
    assert!(c.reason.contains("Art. 9"));
    let c = classify("E", "email", FieldType::Email, Some(Pii::Personal));
    assert_eq!(c.basis, Basis::Declared);
}

#[test]
fn ordinary_names_are_not_pii() {
    for n in [
        "name",
        "title",
        "status",
        "priority",
        "done",
        "color",
        "summary",
        "starts_at",
        "addressed",
        "racecar",
        "unionized",
    ] {
        let c = classify("E", n, FieldType::String, None);
        // `race`/`union` only match as whole words.
        assert_eq!(c.pii, Pii::None, "{n}: {}", c.reason);
        assert_eq!(c.basis, Basis::NoMatch);
    }
}

#[test]
fn words_split_every_case_style() {
    assert_eq!(words("date_of_birth"), ["date", "of", "birth"]);
    assert_eq!(words("dateOfBirth"), ["date", "of", "birth"]);
    assert_eq!(words("DateOfBirth"), ["date", "of", "birth"]);
    assert_eq!(words("date-of-birth"), ["date", "of", "birth"]);
    assert_eq!(words("IBANNumber"), ["iban", "number"]);
    assert_eq!(words("patientSSN"), ["patient", "ssn"]);
    assert_eq!(words(""), Vec::<String>::new());
    assert_eq!(words("__"), Vec::<String>::new());
    assert!(name_rule("ÄÖÜ_ß").is_none());
}

fn vocabulary() -> Vec<&'static str> {
    let mut v: Vec<&'static str> = NAME_RULES
        .iter()
        .flat_map(|r| r.words.iter().copied())
        .collect();
    v.extend([
        "primary",
        "secondary",
        "home",
        "work",
        "value",
        "code",
        "hash",
        "old",
        "new",
    ]);
    v.retain(|w| w.len() >= 2 && w.chars().all(|c| c.is_ascii_lowercase()));
    v.sort();
    v.dedup();
    v
}

fn cap(w: &str) -> String {
    let mut c = w.chars();
    c.next()
        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
        .unwrap_or_default()
}

proptest! {
    #[test]
    fn classification_ignores_case_style(
        picks in prop::collection::vec(any::<prop::sample::Index>(), 1..5),
        ty in prop::sample::select(vec![FieldType::String, FieldType::Text, FieldType::Email, FieldType::Phone, FieldType::Integer]),
    ) {
        let vocab = vocabulary();
        let ws: Vec<&str> = picks.iter().map(|i| vocab[i.index(vocab.len())]).collect();
        let snake = ws.join("_");
        let kebab = ws.join("-");
        let pascal: String = ws.iter().map(|w| cap(w)).collect();
        let camel: String = ws[0].to_string() + &ws[1..].iter().map(|w| cap(w)).collect::<String>();
        let shouty = snake.to_uppercase();
        let base = classify("E", &snake, ty, None);
        for name in [&kebab, &pascal, &camel, &shouty] {
            let c = classify("E", name, ty, None);
            prop_assert_eq!(c.pii, base.pii, "{} vs {}", name, snake);
            prop_assert_eq!(c.special_category, base.special_category);
            prop_assert_eq!(&c.reason, &base.reason);
        }
    }

    #[test]
    fn classify_never_panics(name in "\\PC{0,40}") {
        let _ = classify("E", &name, FieldType::String, None);
    }
}
