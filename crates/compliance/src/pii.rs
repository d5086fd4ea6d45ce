//! PII classification of every field of a spec.
//!
//! The spec's explicit `pii` wins. Otherwise a table of rules over the words
//! of the field's name (snake, camel, Pascal or kebab case alike) and over
//! its type decides, and each classification says why.

use blueprint_core::spec::{FieldType, Pii, Spec};
use serde::Serialize;

/// A GDPR Art. 9 special category of personal data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SpecialCategory {
    /// Data concerning health.
    Health,
    /// Biometric data used to identify a person.
    Biometric,
    /// Genetic data.
    Genetic,
    /// Religious or philosophical beliefs.
    Religion,
    /// Racial or ethnic origin.
    Ethnicity,
    /// Sex life or sexual orientation.
    SexualOrientation,
    /// Political opinions.
    PoliticalOpinion,
    /// Trade-union membership.
    TradeUnion,
}

impl SpecialCategory {
    /// A human name, as in a reason.
    pub fn label(self) -> &'static str {
        match self {
            SpecialCategory::Health => "health data",
            SpecialCategory::Biometric => "biometric data",
            SpecialCategory::Genetic => "genetic data",
            SpecialCategory::Religion => "religious or philosophical beliefs",
            SpecialCategory::Ethnicity => "racial or ethnic origin",
            SpecialCategory::SexualOrientation => "sex life or sexual orientation",
            SpecialCategory::PoliticalOpinion => "political opinions",
            SpecialCategory::TradeUnion => "trade-union membership",
        }
    }
}

/// How a field's class was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Basis {
    /// The spec's `pii` key.
    Declared,
    /// A rule over the words of the field's name.
    Name,
    /// The field's type (`email`, `phone`).
    Type,
    /// No rule matched.
    NoMatch,
}

/// The classification of one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldClass {
    /// The entity's name.
    pub entity: String,
    /// The field's name.
    pub field: String,
    /// The class.
    pub pii: Pii,
    /// The GDPR Art. 9 category, when the field holds one.
    pub special_category: Option<SpecialCategory>,
    /// Why, in words.
    pub reason: String,
    /// How it was decided.
    pub basis: Basis,
}

/// One row of the classification table: a sequence of words that, found in
/// a field's name, gives it a class.
#[derive(Debug, Clone, Copy)]
pub struct NameRule {
    /// The words, in order and next to each other in the name.
    pub words: &'static [&'static str],
    /// The class they give.
    pub pii: Pii,
    /// The special category, if any (the class is then `sensitive`).
    pub special: Option<SpecialCategory>,
    /// What the words mean, for the reason.
    pub meaning: &'static str,
}

const fn sensitive(words: &'static [&'static str], meaning: &'static str) -> NameRule {
    NameRule {
        words,
        pii: Pii::Sensitive,
        special: None,
        meaning,
    }
}

const fn personal(words: &'static [&'static str], meaning: &'static str) -> NameRule {
    NameRule {
        words,
        pii: Pii::Personal,
        special: None,
        meaning,
    }
}

const fn special(
    words: &'static [&'static str],
    category: SpecialCategory,
    meaning: &'static str,
) -> NameRule {
    NameRule {
        words,
        pii: Pii::Sensitive,
        special: Some(category),
        meaning,
    }
}

use SpecialCategory as S;

/// The name rules, strongest first: special categories, then sensitive
/// identifiers and financial data, then personal data.
pub const NAME_RULES: &[NameRule] = &[
    // GDPR Art. 9 special categories
    special(&["diagnosis"], S::Health, "a diagnosis"),
    special(&["diagnoses"], S::Health, "diagnoses"),
    special(&["medical"], S::Health, "medical information"),
    special(&["health"], S::Health, "health information"),
    special(&["allergy"], S::Health, "an allergy"),
    special(&["allergies"], S::Health, "allergies"),
    special(&["medication"], S::Health, "a medication"),
    special(&["medications"], S::Health, "medications"),
    special(&["prescription"], S::Health, "a prescription"),
    special(&["symptoms"], S::Health, "symptoms"),
    special(&["symptom"], S::Health, "a symptom"),
    special(&["disability"], S::Health, "a disability"),
    special(&["treatment"], S::Health, "a treatment"),
    special(&["blood", "type"], S::Health, "a blood type"),
    special(&["pregnancy"], S::Health, "a pregnancy"),
    special(&["sick", "leave"], S::Health, "sick leave"),
    special(&["biometric"], S::Biometric, "biometric data"),
    special(&["fingerprint"], S::Biometric, "a fingerprint"),
    special(&["face", "template"], S::Biometric, "a face template"),
    special(&["voiceprint"], S::Biometric, "a voiceprint"),
    special(&["retina", "scan"], S::Biometric, "a retina scan"),
    special(&["genetic"], S::Genetic, "genetic data"),
    special(&["dna"], S::Genetic, "DNA data"),
    special(&["genome"], S::Genetic, "a genome"),
    special(&["religion"], S::Religion, "a religion"),
    special(&["religious"], S::Religion, "a religious affiliation"),
    special(&["faith"], S::Religion, "a faith"),
    special(
        &["church", "tax"],
        S::Religion,
        "church tax, which reveals a religion",
    ),
    special(&["ethnicity"], S::Ethnicity, "an ethnicity"),
    special(&["ethnic"], S::Ethnicity, "an ethnic origin"),
    special(&["race"], S::Ethnicity, "a race"),
    special(&["racial"], S::Ethnicity, "a racial origin"),
    special(
        &["sexual"],
        S::SexualOrientation,
        "sexual orientation or sex life",
    ),
    special(&["sexuality"], S::SexualOrientation, "a sexuality"),
    special(
        &["political"],
        S::PoliticalOpinion,
        "a political opinion or affiliation",
    ),
    special(&["trade", "union"], S::TradeUnion, "trade-union membership"),
    special(
        &["union", "membership"],
        S::TradeUnion,
        "trade-union membership",
    ),
    // sensitive identifiers and financial data
    sensitive(&["national", "id"], "a national identity number"),
    sensitive(&["ssn"], "a social security number"),
    sensitive(&["social", "security"], "a social security number"),
    sensitive(&["tax", "id"], "a tax identifier"),
    sensitive(&["tax", "number"], "a tax identifier"),
    sensitive(&["tax", "identification"], "a tax identifier"),
    sensitive(&["passport"], "a passport number"),
    sensitive(&["insurance", "number"], "an insurance number"),
    sensitive(&["iban"], "a bank account number (IBAN)"),
    sensitive(&["bank", "account"], "a bank account number"),
    sensitive(&["account", "number"], "an account number"),
    sensitive(&["routing", "number"], "a bank routing number"),
    sensitive(&["card", "number"], "a payment card number"),
    sensitive(&["credit", "card"], "a payment card number"),
    sensitive(&["cvv"], "a card security code"),
    sensitive(&["cvc"], "a card security code"),
    sensitive(&["driver", "license"], "a driving licence number"),
    sensitive(&["drivers", "license"], "a driving licence number"),
    sensitive(&["driving", "licence"], "a driving licence number"),
    sensitive(&["salary"], "a salary"),
    sensitive(&["wage"], "a wage"),
    sensitive(&["income"], "an income"),
    sensitive(&["criminal"], "criminal records (GDPR Art. 10)"),
    sensitive(&["conviction"], "criminal convictions (GDPR Art. 10)"),
    sensitive(&["password"], "a credential"),
    sensitive(&["secret"], "a secret"),
    sensitive(&["api", "key"], "a secret key"),
    // personal data
    personal(&["email"], "an email address"),
    personal(&["phone"], "a phone number"),
    personal(&["mobile"], "a phone number"),
    personal(&["telephone"], "a phone number"),
    personal(&["full", "name"], "a person's name"),
    personal(&["legal", "name"], "a person's name"),
    personal(&["first", "name"], "a person's name"),
    personal(&["last", "name"], "a person's name"),
    personal(&["middle", "name"], "a person's name"),
    personal(&["given", "name"], "a person's name"),
    personal(&["family", "name"], "a person's name"),
    personal(&["maiden", "name"], "a person's name"),
    personal(&["display", "name"], "a name shown for a person"),
    personal(&["surname"], "a person's name"),
    personal(&["forename"], "a person's name"),
    personal(&["nickname"], "a person's nickname"),
    personal(&["username"], "a user name"),
    personal(&["birth", "date"], "a date of birth"),
    personal(&["date", "of", "birth"], "a date of birth"),
    personal(&["birthday"], "a date of birth"),
    personal(&["birthdate"], "a date of birth"),
    personal(&["dob"], "a date of birth"),
    personal(&["birth", "place"], "a place of birth"),
    personal(&["place", "of", "birth"], "a place of birth"),
    personal(&["address"], "a postal or network address"),
    personal(&["street"], "a postal address"),
    personal(&["postcode"], "a postal address"),
    personal(&["postal", "code"], "a postal address"),
    personal(&["zip", "code"], "a postal address"),
    personal(&["ip"], "an IP address"),
    personal(&["geolocation"], "a location"),
    personal(&["latitude"], "a location"),
    personal(&["longitude"], "a location"),
    personal(&["gender"], "a gender"),
    personal(&["nationality"], "a nationality"),
    personal(&["citizenship"], "a citizenship"),
    personal(&["marital", "status"], "a marital status"),
    personal(&["photo"], "a photo of a person"),
    personal(&["avatar"], "a picture of a person"),
    personal(&["signature"], "a signature"),
    personal(&["employee", "number"], "an employee number"),
    personal(&["device", "id"], "a device identifier"),
    personal(&["user", "agent"], "a browser fingerprint (user agent)"),
];

/// Splits a name into lowercase words, whatever its case style:
/// `dateOfBirth`, `DateOfBirth`, `date_of_birth` and `date-of-birth` all give
/// `["date", "of", "birth"]`; `IBANNumber` gives `["iban", "number"]`.
///
/// ```
/// assert_eq!(compliance::pii::words("homeAddress"), ["home", "address"]);
/// assert_eq!(compliance::pii::words("IBANNumber"), ["iban", "number"]);
/// ```
pub fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut out = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if let Some(&prev) = i.checked_sub(1).and_then(|p| chars.get(p)) {
            let next = chars.get(i + 1).copied();
            let boundary = c.is_uppercase()
                && (prev.is_lowercase()
                    || prev.is_ascii_digit()
                    || (prev.is_uppercase() && next.is_some_and(char::is_lowercase)));
            if boundary && !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
        }
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn contains_run(haystack: &[String], needle: &[&str]) -> bool {
    !needle.is_empty()
        && haystack
            .windows(needle.len())
            .any(|w| w.iter().zip(needle).all(|(a, b)| a == b))
}

/// The strongest name rule matching a field name, if any.
///
/// ```
/// let rule = compliance::pii::name_rule("taxId").expect("a tax id is sensitive");
/// assert_eq!(rule.pii, blueprint_core::spec::Pii::Sensitive);
/// ```
pub fn name_rule(name: &str) -> Option<&'static NameRule> {
    let w = words(name);
    NAME_RULES.iter().find(|r| contains_run(&w, r.words))
}

/// Classifies one field from its name, type and declared class.
///
/// ```
/// use blueprint_core::spec::{FieldType, Pii};
/// let c = compliance::pii::classify("Employee", "tax_id", FieldType::String, None);
/// assert_eq!(c.pii, Pii::Sensitive);
/// let c = compliance::pii::classify("Patient", "contact", FieldType::Email, None);
/// assert_eq!(c.pii, Pii::Personal);
/// ```
pub fn classify(entity: &str, field: &str, ty: FieldType, declared: Option<Pii>) -> FieldClass {
    let rule = name_rule(field);
    let by_type = match ty {
        FieldType::Email => Some("an email field"),
        FieldType::Phone => Some("a phone field"),
        _ => None,
    };
    let words_text = |r: &NameRule| r.words.join(" ");
    let (pii, special, reason, basis) = if let Some(d) = declared {
        let special = rule.and_then(|r| r.special).filter(|_| d != Pii::None);
        let mut reason = format!("declared `pii: {}` in the spec", d.as_str());
        if let Some(s) = special {
            reason.push_str(&format!(
                "; the name also suggests {} (GDPR Art. 9)",
                s.label()
            ));
        }
        (d, special, reason, Basis::Declared)
    } else if let Some(r) = rule.filter(|r| r.pii == Pii::Sensitive || by_type.is_none()) {
        let reason = match r.special {
            Some(s) => format!(
                "the name contains \"{}\": {}, which is {} (GDPR Art. 9 special category)",
                words_text(r),
                r.meaning,
                s.label()
            ),
            None => format!(
                "the name contains \"{}\": {}, which is {} personal data",
                words_text(r),
                r.meaning,
                if r.pii == Pii::Sensitive {
                    "sensitive"
                } else {
                    ""
                }
            )
            .replace("is  personal", "is personal"),
        };
        (r.pii, r.special, reason, Basis::Name)
    } else if let Some(t) = by_type {
        (
            Pii::Personal,
            None,
            format!("{t} holds personal contact data"),
            Basis::Type,
        )
    } else {
        (
            Pii::None,
            None,
            "no rule matched its name or type".to_string(),
            Basis::NoMatch,
        )
    };
    FieldClass {
        entity: entity.to_string(),
        field: field.to_string(),
        pii,
        special_category: special,
        reason,
        basis,
    }
}

/// Classifies every field of every entity, in spec order.
///
/// ```
/// # let spec = compliance::testing::clinic();
/// let fields = compliance::pii::classify_spec(&spec);
/// assert!(fields.iter().any(|f| f.field == "diagnosis_code" && f.special_category.is_some()));
/// ```
pub fn classify_spec(spec: &Spec) -> Vec<FieldClass> {
    spec.entities
        .iter()
        .flat_map(|(ename, e)| {
            e.fields
                .iter()
                .map(move |(fname, f)| classify(ename, fname, f.ty, f.pii))
        })
        .collect()
}

/// The blueprint parameter that holds a field's PII class:
/// `pii.<Entity>.<field>`.
///
/// ```
/// assert_eq!(compliance::pii::parameter_key("Patient", "email"), "pii.Patient.email");
/// ```
pub fn parameter_key(entity: &str, field: &str) -> String {
    format!("pii.{entity}.{field}")
}
