//! PII classification of every field of a spec.
//!
//! The spec's explicit `pii` wins. Otherwise tables of rules decide, each
//! classification says why, and the strongest class any rule gives wins
//! (the compliance crate may classify more fields than the spec format's
//! lists, never fewer):
//!
//! - the words of the field's name (snake, camel, Pascal or kebab case
//!   alike) and its type ([`NAME_RULES`]): `tax_id` is sensitive, an
//!   `email` field personal;
//! - the names the spec format always classes `sensitive`
//!   ([`context::SPEC_FORMAT_SENSITIVE`]), in every entity;
//! - the entity's name together with the field's, for fields whose own name
//!   says nothing ([`context::CONTEXT_RULES`]): an `amount`, `gross`, `net`
//!   or `bonus` of a `SalaryRecord`, `Payslip` or `Compensation` is
//!   personal (financial) data; the `notes`, `summary` or `body` of a
//!   `MedicalRecord`, `VisitNote`, `Prescription` or `LabResult` is health
//!   data (GDPR Art. 9, so `sensitive`);
//! - the person the entity describes (`Patient`, `Employee`, `Customer`…)
//!   or has a required many-to-one or one-to-one relation to
//!   ([`context::Carrier`]): its free text (`text` fields, `notes`,
//!   `comment`…) and identifiers (`…_number`, `…_code`, `reference`…) are
//!   that person's data, so `personal`; an entity that describes a person
//!   also makes its `…name` fields personal. Booleans, enums, numbers and
//!   dates are not classified this way (only an entity-context rule that
//!   names them, such as a lab result's `positive`, classifies them).
//!
//! GDPR Art. 9 special categories are data about natural persons. Each
//! entity's subject ([`context::subject`]) is read from the last word of its
//! name (a `Pet` describes an animal, a `Vehicle` a thing, a `PetOwner` a
//! person), else from the entities its required relations lead to (a
//! `ConsultationNote` of an `Appointment` of a `Pet` is about the pet),
//! else from ownership (owned rows belong to a person). Where the subject is an animal or a
//! thing, a special category is set aside and the reason says why ("Pet
//! describes an animal, not a person"); the field keeps the class the other
//! rules give, so a `diagnosis` stays `sensitive` as the spec format
//! requires, but it no longer counts as health data for GDPR Art. 9
//! controls or HIPAA inference. Where nothing says what an entity
//! describes, special categories apply as its field names suggest.

use blueprint_core::spec::{FieldType, Pii, Spec};
use serde::Serialize;

pub mod context;

use context::EntityContext;

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
    /// The entity's name: an entity-context rule (`SalaryRecord.amount`), or
    /// free text and identifiers of an entity that describes a person.
    Entity,
    /// A required relation to an entity that describes a person.
    Relation,
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

/// Classifies one field from its name, type and declared class, and from
/// what its entity's name alone says (see [`classify_in`]).
///
/// ```
/// use blueprint_core::spec::{FieldType, Pii};
/// let c = compliance::pii::classify("Employee", "tax_id", FieldType::String, None);
/// assert_eq!(c.pii, Pii::Sensitive);
/// let c = compliance::pii::classify("Patient", "contact", FieldType::Email, None);
/// assert_eq!(c.pii, Pii::Personal);
/// let c = compliance::pii::classify("Pet", "diagnosis", FieldType::Text, None);
/// assert_eq!((c.pii, c.special_category), (Pii::Sensitive, None));
/// ```
pub fn classify(entity: &str, field: &str, ty: FieldType, declared: Option<Pii>) -> FieldClass {
    classify_in(&EntityContext::of_name(entity), field, ty, declared)
}

/// A class a rule proposes, with its reason.
struct Candidate {
    pii: Pii,
    special: Option<SpecialCategory>,
    reason: String,
    basis: Basis,
}

impl Candidate {
    fn strength(&self) -> (Pii, bool) {
        (self.pii, self.special.is_some())
    }
}

/// The end of a reason: what kind of personal data a class is.
fn class_phrase(pii: Pii, special: Option<SpecialCategory>) -> String {
    match (special, pii) {
        (Some(s), _) => format!("{} (GDPR Art. 9 special category)", s.label()),
        (None, Pii::Sensitive) => "sensitive personal data".to_string(),
        _ => "personal data".to_string(),
    }
}

/// Classifies one field in the context of its entity.
///
/// The spec's `pii` wins. Otherwise every rule that matches proposes a
/// class and the strongest wins (`sensitive` over `personal`, a special
/// category over none; on a tie the field's own words win):
///
/// 1. the name rules ([`NAME_RULES`]) over the field's own words, and its
///    type (`email`, `phone`);
/// 2. the names the spec format always classes `sensitive`
///    ([`context::SPEC_FORMAT_SENSITIVE`]), whatever the entity;
/// 3. the entity-context rules ([`context::CONTEXT_RULES`]): the entity's
///    name together with the field's (`SalaryRecord.amount`,
///    `VisitNote.body`);
/// 4. the person the entity describes or has a required relation to
///    ([`context::Carrier`]): its free text and identifiers are personal.
///
/// A GDPR Art. 9 special category holds only for data about a natural
/// person: when the entity describes (or is about) an animal or a thing
/// ([`context::Subject`]), the special category is set aside, the reason
/// says why, and the field keeps the class the other rules give.
///
/// ```
/// use blueprint_core::spec::{FieldType, Pii};
/// use compliance::pii::{classify_in, context::EntityContext};
/// let payslip = EntityContext::of_name("Payslip");
/// let c = classify_in(&payslip, "gross", FieldType::Decimal, None);
/// assert_eq!(c.pii, Pii::Personal);
/// assert!(c.reason.contains("\"payslip\""));
/// ```
pub fn classify_in(
    cx: &EntityContext,
    field: &str,
    ty: FieldType,
    declared: Option<Pii>,
) -> FieldClass {
    let entity = cx.entity.as_str();
    let about_person = cx.subject.is_person();
    let not_person = cx.subject.not_a_person(entity).unwrap_or_default();
    let person_note = cx
        .subject
        .describe(entity)
        .filter(|_| about_person)
        .map(|d| format!("; {d}"))
        .unwrap_or_default();
    let fw = words(field);
    let matching: Vec<&NameRule> = NAME_RULES
        .iter()
        .filter(|r| contains_run(&fw, r.words))
        .collect();
    let special_rule = matching.iter().copied().find(|r| r.special.is_some());
    let plain_rule = matching.iter().copied().find(|r| r.special.is_none());
    let ctx = context::context_rule(entity, field);
    let by_type = match ty {
        FieldType::Email => Some("an email field"),
        FieldType::Phone => Some("a phone field"),
        _ => None,
    };
    let words_text = |r: &NameRule| r.words.join(" ");
    let ctx_words = |m: &context::ContextMatch| {
        format!(
            "the entity's name contains \"{}\" ({}) and the field's name contains \"{}\"",
            m.entity_words, m.rule.about, m.field_word
        )
    };

    if let Some(d) = declared {
        let suggested = special_rule
            .and_then(|r| r.special.map(|s| (s, "the name".to_string())))
            .or_else(|| {
                ctx.as_ref()
                    .and_then(|m| m.rule.special.map(|s| (s, ctx_words(m))))
            })
            .filter(|_| d != Pii::None);
        let mut reason = format!("declared `pii: {}` in the spec", d.as_str());
        let special = match suggested {
            Some((s, by)) if about_person => {
                let by = if by == "the name" {
                    by
                } else {
                    format!("{by}, which")
                };
                reason.push_str(&format!(
                    "; {by} also suggests {} (GDPR Art. 9){person_note}",
                    s.label()
                ));
                Some(s)
            }
            Some((s, by)) => {
                reason.push_str(&format!(
                    "; {by} suggests {}, but not as a GDPR Art. 9 special category: {not_person}",
                    s.label()
                ));
                None
            }
            None => None,
        };
        return FieldClass {
            entity: entity.to_string(),
            field: field.to_string(),
            pii: d,
            special_category: special,
            reason,
            basis: Basis::Declared,
        };
    }

    let mut candidates: Vec<Candidate> = Vec::new();
    // Special categories set aside (not about a person), with their basis.
    let mut set_aside: Vec<(String, Basis)> = Vec::new();
    if let Some(r) = special_rule {
        let s = r.special.unwrap_or(SpecialCategory::Health);
        if about_person {
            candidates.push(Candidate {
                pii: r.pii,
                special: Some(s),
                reason: format!(
                    "the name contains \"{}\": {}, which is {}{person_note}",
                    words_text(r),
                    r.meaning,
                    class_phrase(r.pii, Some(s))
                ),
                basis: Basis::Name,
            });
        } else {
            set_aside.push((
                format!(
                    "the name contains \"{}\": {}, but not {} in the sense of GDPR Art. 9, since {not_person}",
                    words_text(r),
                    r.meaning,
                    s.label()
                ),
                Basis::Name,
            ));
        }
    }
    match plain_rule.filter(|r| r.pii == Pii::Sensitive || by_type.is_none()) {
        Some(r) => candidates.push(Candidate {
            pii: r.pii,
            special: None,
            reason: format!(
                "the name contains \"{}\": {}, which is {}",
                words_text(r),
                r.meaning,
                class_phrase(r.pii, None)
            ),
            basis: Basis::Name,
        }),
        None => {
            if let Some(t) = by_type {
                candidates.push(Candidate {
                    pii: Pii::Personal,
                    special: None,
                    reason: format!("{t} holds personal contact data"),
                    basis: Basis::Type,
                });
            }
        }
    }
    if let Some(run) = context::spec_format_sensitive(field) {
        candidates.push(Candidate {
            pii: Pii::Sensitive,
            special: None,
            reason: format!(
                "still sensitive: the name contains \"{run}\", which the spec format always classes sensitive"
            ),
            basis: Basis::Name,
        });
    }
    if let Some(m) = &ctx {
        match m.rule.special {
            Some(s) if !about_person => set_aside.push((
                format!(
                    "{}: {}, but not {} in the sense of GDPR Art. 9, since {not_person}",
                    ctx_words(m),
                    m.rule.holds,
                    s.label()
                ),
                Basis::Entity,
            )),
            special => {
                let tail = match special {
                    Some(_) => format!("{}{person_note}", class_phrase(m.rule.pii, special)),
                    None => format!("{} ({})", class_phrase(m.rule.pii, None), m.rule.sort),
                };
                candidates.push(Candidate {
                    pii: m.rule.pii,
                    special,
                    reason: format!("{}: {}, which is {tail}", ctx_words(m), m.rule.holds),
                    basis: Basis::Entity,
                });
            }
        }
    }
    if let Some(carrier) = &cx.carrier {
        if let Some(what) = carrier.carries(field, ty) {
            candidates.push(Candidate {
                pii: Pii::Personal,
                special: None,
                reason: carrier.reason(entity, &what),
                basis: match carrier {
                    context::Carrier::Itself { .. } => Basis::Entity,
                    context::Carrier::Relation { .. } => Basis::Relation,
                },
            });
        }
    }

    let winner = candidates.into_iter().reduce(|best, c| {
        if c.strength() > best.strength() {
            c
        } else {
            best
        }
    });
    // What was set aside comes first, then what decided.
    let mut reason: Vec<String> = set_aside.iter().map(|(n, _)| n.clone()).collect();
    let (pii, special, basis) = match winner {
        Some(c) => {
            reason.push(c.reason);
            (c.pii, c.special, c.basis)
        }
        None => {
            reason.push(
                if set_aside.is_empty() {
                    "no rule matched its name or type"
                } else {
                    "no other rule matched"
                }
                .to_string(),
            );
            let basis = set_aside.first().map_or(Basis::NoMatch, |(_, b)| *b);
            (Pii::None, None, basis)
        }
    };
    let reason = reason.join("; ");
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
            let cx = EntityContext::of(spec, ename);
            e.fields
                .iter()
                .map(move |(fname, f)| classify_in(&cx, fname, f.ty, f.pii))
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
