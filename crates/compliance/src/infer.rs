//! Framework inference: which frameworks a product falls under, read from
//! its description, names, roles and integrations, each with its reasons.
//!
//! Health words (HIPAA's signal) count only where they are about people:
//! the names and descriptions of entities that describe (or are about) an
//! animal or a thing are skipped (see [`crate::pii::context::subject`]),
//! and a veterinary product ("veterinary", "veterinarian", "vet clinic",
//! "animal hospital"…, or a role or entity named `vet`) counts none unless
//! some field holds a person's health data.

use blueprint_core::spec::{Framework, Spec};
use serde::Serialize;

use crate::pii::{FieldClass, SpecialCategory};

/// A framework in force for a product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FrameworkFinding {
    /// The framework.
    pub framework: Framework,
    /// Declared in the spec's `compliance.frameworks`.
    pub declared: bool,
    /// Why it is in force: the words that triggered it and where.
    pub reasons: Vec<String>,
}

/// How much of PCI DSS applies to a product that takes card payments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "scope")]
pub enum PciScope {
    /// A payments vendor's hosted checkout takes the card; card data never
    /// reaches the backend (the SAQ A-style scope).
    HostedCheckout {
        /// The vendor id, such as `stripe`.
        vendor: String,
    },
    /// The spec stores card data itself: the full PCI DSS scope.
    StoresCardData {
        /// The fields that hold card data (`Entity.field`).
        fields: Vec<String>,
    },
    /// Cards are mentioned but no payments vendor is integrated yet.
    Undecided,
}

impl PciScope {
    /// The scope in words.
    pub fn describe(&self) -> String {
        match self {
            PciScope::HostedCheckout { vendor } => format!(
                "SAQ A-style scope: {vendor}'s hosted checkout takes the card, so card data never reaches this backend"
            ),
            PciScope::StoresCardData { fields } => format!(
                "full scope: the spec stores card data ({}); prefer a payments vendor's hosted checkout",
                fields.join(", ")
            ),
            PciScope::Undecided => "scope undecided: card payments are mentioned but no payments vendor is integrated; a hosted checkout keeps card data out of scope".to_string(),
        }
    }
}

/// Payments vendors whose hosted checkout keeps card data out of the backend.
pub const PAYMENT_VENDORS: &[&str] =
    &["stripe", "adyen", "braintree", "paypal", "square", "mollie"];

/// A place in the spec where text was read.
#[derive(Debug, Clone)]
struct Source {
    place: String,
    /// Words as written (case kept), for case-sensitive terms.
    words: Vec<String>,
    /// The same words in lowercase, computed once.
    lower: Vec<String>,
    /// The name or description of an entity that describes (or is about)
    /// an animal or a thing: its health words are not about people.
    not_about_people: bool,
}

impl Source {
    fn new(place: String, words: Vec<String>) -> Source {
        let lower = words.iter().map(|w| w.to_lowercase()).collect();
        Source {
            place,
            words,
            lower,
            not_about_people: false,
        }
    }

    fn about(mut self, people: bool) -> Source {
        self.not_about_people = !people;
        self
    }
}

#[derive(Clone, Copy)]
struct Term {
    /// Lowercase words; a trailing `*` matches any word with that prefix.
    words: &'static [&'static str],
    /// The word must be capitalized (or all caps) in free text, such as
    /// `US` (not "us") or `Polish` (not "polish").
    capitalized: bool,
}

const fn t(words: &'static [&'static str]) -> Term {
    Term {
        words,
        capitalized: false,
    }
}

const fn cap(words: &'static [&'static str]) -> Term {
    Term {
        words,
        capitalized: true,
    }
}

/// EU and EEA places and peoples, and GDPR's own names.
const GDPR_TERMS: &[Term] = &[
    t(&["gdpr"]),
    t(&["dsgvo"]),
    t(&["rgpd"]),
    cap(&["eu"]),
    t(&["european", "union"]),
    t(&["europe"]),
    t(&["european"]),
    cap(&["eea"]),
    t(&["data", "subject*"]),
    t(&["austria"]),
    t(&["austrian"]),
    t(&["belgium"]),
    t(&["belgian"]),
    t(&["bulgaria"]),
    t(&["bulgarian"]),
    t(&["croatia"]),
    t(&["croatian"]),
    t(&["cyprus"]),
    t(&["cypriot"]),
    t(&["czech"]),
    t(&["czechia"]),
    t(&["denmark"]),
    t(&["danish"]),
    t(&["estonia"]),
    t(&["estonian"]),
    t(&["finland"]),
    t(&["finnish"]),
    t(&["france"]),
    cap(&["french"]),
    t(&["germany"]),
    t(&["german"]),
    t(&["greece"]),
    cap(&["greek"]),
    t(&["hungary"]),
    t(&["hungarian"]),
    t(&["ireland"]),
    t(&["irish"]),
    t(&["italy"]),
    t(&["italian"]),
    t(&["latvia"]),
    t(&["latvian"]),
    t(&["lithuania"]),
    t(&["lithuanian"]),
    t(&["luxembourg"]),
    t(&["malta"]),
    t(&["maltese"]),
    t(&["netherlands"]),
    t(&["dutch"]),
    t(&["poland"]),
    cap(&["polish"]),
    t(&["portugal"]),
    t(&["portuguese"]),
    t(&["romania"]),
    t(&["romanian"]),
    t(&["slovakia"]),
    t(&["slovak"]),
    t(&["slovenia"]),
    t(&["slovenian"]),
    t(&["spain"]),
    t(&["spanish"]),
    t(&["sweden"]),
    t(&["swedish"]),
    t(&["iceland"]),
    t(&["icelandic"]),
    t(&["liechtenstein"]),
    t(&["norway"]),
    t(&["norwegian"]),
    t(&["berlin"]),
    t(&["munich"]),
    t(&["hamburg"]),
    t(&["paris"]),
    t(&["madrid"]),
    t(&["barcelona"]),
    t(&["rome"]),
    t(&["milan"]),
    t(&["amsterdam"]),
    t(&["vienna"]),
    t(&["brussels"]),
    t(&["dublin"]),
    t(&["lisbon"]),
    t(&["warsaw"]),
    t(&["stockholm"]),
    t(&["copenhagen"]),
    t(&["helsinki"]),
    t(&["prague"]),
    t(&["athens"]),
    t(&["budapest"]),
    t(&["oslo"]),
];

/// Words that say the product is about health care.
const HEALTH_TERMS: &[Term] = &[
    t(&["patient"]),
    t(&["patients"]),
    t(&["clinician"]),
    t(&["clinicians"]),
    t(&["clinic"]),
    t(&["clinics"]),
    t(&["clinical"]),
    t(&["hospital"]),
    t(&["hospitals"]),
    t(&["physician*"]),
    t(&["doctor"]),
    t(&["doctors"]),
    t(&["nurse"]),
    t(&["nurses"]),
    t(&["diagnosis"]),
    t(&["diagnoses"]),
    t(&["diagnosed"]),
    t(&["health", "record*"]),
    t(&["medical", "record*"]),
    t(&["medical"]),
    t(&["ehr"]),
    t(&["emr"]),
    t(&["prescription*"]),
    t(&["telehealth"]),
    t(&["telemedicine"]),
    t(&["healthcare"]),
    t(&["visit", "note*"]),
    t(&["care", "provider*"]),
];

/// Words that say the product cares for animals: health words in such a
/// product are about animals unless some field holds a person's health data.
const VETERINARY_TERMS: &[Term] = &[
    t(&["veterinary"]),
    t(&["veterinarian*"]),
    t(&["vet", "clinic*"]),
    t(&["vet", "practice*"]),
    t(&["animal", "hospital*"]),
    t(&["animal", "clinic*"]),
    t(&["pet", "clinic*"]),
    t(&["pet", "hospital*"]),
    cap(&["vet"]),
    cap(&["vets"]),
];

/// Words that name HIPAA or protected health information outright.
const HIPAA_TERMS: &[Term] = &[
    t(&["hipaa"]),
    cap(&["phi"]),
    t(&["protected", "health", "information"]),
    t(&["ephi"]),
];

/// Words that place the product in the United States.
const US_TERMS: &[Term] = &[
    cap(&["us"]),
    cap(&["usa"]),
    t(&["united", "states"]),
    t(&["america"]),
    t(&["american*"]),
    t(&["california"]),
    t(&["texas"]),
    t(&["florida"]),
    t(&["new", "york"]),
    t(&["medicare"]),
    t(&["medicaid"]),
];

/// Words that mean card payments.
const CARD_TERMS: &[Term] = &[
    t(&["card", "pay*"]),
    t(&["card", "repay*"]),
    t(&["by", "card"]),
    t(&["credit", "card*"]),
    t(&["debit", "card*"]),
    t(&["payment", "card*"]),
    t(&["cardholder*"]),
    t(&["card", "number*"]),
    t(&["card", "transaction*"]),
    t(&["pci"]),
    t(&["pci", "dss"]),
];

/// Words that ask for SOC 2.
const SOC2_TERMS: &[Term] = &[
    t(&["soc", "2"]),
    t(&["soc2"]),
    t(&["soc", "ii"]),
    t(&["b2b"]),
    t(&["enterprise", "customer*"]),
    t(&["enterprise", "client*"]),
    t(&["enterprise", "partner*"]),
    t(&["enterprise", "buyer*"]),
    t(&["enterprises"]),
    t(&["business", "customer*"]),
    t(&["corporate", "customer*"]),
    t(&["corporate", "client*"]),
    t(&["trust", "services", "criteria"]),
];

/// Words that ask for ISO/IEC 27001.
const ISO_TERMS: &[Term] = &[t(&["27001"]), t(&["iso27001"]), t(&["isms"])];

/// Words in free text, case kept: letters and digits, split at anything else.
fn prose_words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

fn word_matches(pattern: &str, word: &str, lower: &str, capitalized: bool) -> bool {
    let ok = match pattern.strip_suffix('*') {
        Some(prefix) => lower.starts_with(prefix),
        None => lower == pattern,
    };
    let case_ok = if !capitalized {
        true
    } else if pattern.len() <= 3 {
        // Short names (`US`, `EU`, `PHI`) only count in capitals.
        word.chars().all(|c| c.is_uppercase() || c.is_ascii_digit())
    } else {
        word.chars().next().is_some_and(char::is_uppercase)
    };
    ok && case_ok
}

/// The first place a term occurs in the words, as the words written there.
fn find(src: &Source, term: &Term, prose: bool) -> Option<String> {
    let n = term.words.len();
    if n == 0 || src.words.len() < n {
        return None;
    }
    (0..=src.words.len() - n).find_map(|start| {
        let hit = term.words.iter().enumerate().all(|(i, pat)| {
            let at = start + i;
            word_matches(
                pat,
                &src.words[at],
                &src.lower[at],
                prose && term.capitalized && i == 0,
            )
        });
        hit.then(|| src.words[start..start + n].join(" "))
    })
}

struct Reader {
    sources: Vec<(Source, bool)>,
}

impl Reader {
    fn new(spec: &Spec) -> Reader {
        let mut sources = Vec::new();
        let mut prose = |place: String, text: &str| {
            sources.push((Source::new(place, prose_words(text)), true));
        };
        if let Some(d) = &spec.product.description {
            prose("the product description".into(), d);
        }
        if let Some(title) = &spec.product.title {
            prose("the product title".into(), title);
        }
        for (name, role) in &spec.roles {
            if let Some(d) = &role.description {
                prose(format!("the description of role `{name}`"), d);
            }
        }
        let people: Vec<bool> = spec
            .entities
            .keys()
            .map(|name| crate::pii::context::subject(spec, name).is_person())
            .collect();
        for ((name, e), &people) in spec.entities.iter().zip(&people) {
            if let Some(d) = &e.description {
                let place = format!("the description of entity `{name}`");
                sources.push((Source::new(place, prose_words(d)).about(people), true));
            }
        }
        let mut ident = |place: String, name: &str, people: bool| {
            sources.push((
                Source::new(place, crate::pii::words(name)).about(people),
                false,
            ));
        };
        ident("the product name".into(), &spec.product.name, true);
        for name in spec.roles.keys() {
            ident(format!("role `{name}`"), name, true);
        }
        for ((name, e), &people) in spec.entities.iter().zip(&people) {
            ident(format!("entity `{name}`"), name, people);
            for f in e.fields.keys() {
                ident(format!("field `{name}.{f}`"), f, people);
            }
        }
        for vendor in spec.integrations.keys() {
            ident(format!("integration `{vendor}`"), vendor, true);
        }
        Reader { sources }
    }

    /// Where the terms occur: one reason per term (its first place), in
    /// the order the places are read.
    fn hits(&self, terms: &[Term]) -> Vec<String> {
        self.hits_where(terms, |_| true)
    }

    /// As [`Reader::hits`], skipping the names and descriptions of entities
    /// that describe (or are about) an animal or a thing.
    fn hits_about_people(&self, terms: &[Term]) -> Vec<String> {
        self.hits_where(terms, |src| !src.not_about_people)
    }

    fn hits_where(&self, terms: &[Term], read: impl Fn(&Source) -> bool) -> Vec<String> {
        let mut found: Vec<(usize, usize, String)> = Vec::new();
        for (ti, term) in terms.iter().enumerate() {
            for (si, (src, prose)) in self.sources.iter().enumerate() {
                if !read(src) {
                    continue;
                }
                if let Some(words) = find(src, term, *prose) {
                    found.push((si, ti, format!("{} mentions \"{}\"", src.place, words)));
                    break;
                }
            }
        }
        found.sort();
        let mut out: Vec<String> = found.into_iter().map(|(_, _, r)| r).collect();
        let mut seen = std::collections::HashSet::new();
        out.retain(|r| seen.insert(r.clone()));
        out
    }
}

/// The PCI DSS scope of a product, from its fields and integrations.
///
/// ```
/// # let spec = compliance::testing::clinic();
/// let fields = compliance::pii::classify_spec(&spec);
/// let scope = compliance::infer::pci_scope(&spec, &fields);
/// assert_eq!(scope, compliance::PciScope::HostedCheckout { vendor: "stripe".into() });
/// ```
pub fn pci_scope(spec: &Spec, fields: &[FieldClass]) -> PciScope {
    let card_fields: Vec<String> = fields
        .iter()
        .filter(|f| {
            let w = crate::pii::words(&f.field);
            w.windows(2).any(|p| p[0] == "card" && p[1] == "number")
                || w.iter().any(|x| x == "cvv" || x == "cvc" || x == "pan")
                || w.windows(2).any(|p| p[0] == "credit" && p[1] == "card")
        })
        .map(|f| format!("{}.{}", f.entity, f.field))
        .collect();
    if !card_fields.is_empty() {
        return PciScope::StoresCardData {
            fields: card_fields,
        };
    }
    match spec
        .integrations
        .keys()
        .find(|v| PAYMENT_VENDORS.contains(&v.as_str()))
    {
        Some(v) => PciScope::HostedCheckout { vendor: v.clone() },
        None => PciScope::Undecided,
    }
}

/// Infers the frameworks a product falls under, without looking at what
/// the spec declares.
///
/// ```
/// # let spec = compliance::testing::clinic();
/// let fields = compliance::pii::classify_spec(&spec);
/// let inferred = compliance::infer::infer(&spec, &fields);
/// let ids: Vec<_> = inferred.iter().map(|f| f.framework.id()).collect();
/// assert_eq!(ids, ["gdpr", "hipaa", "pci-dss"]);
/// ```
pub fn infer(spec: &Spec, fields: &[FieldClass]) -> Vec<FrameworkFinding> {
    let reader = Reader::new(spec);
    let mut found = Vec::new();

    let gdpr = reader.hits(GDPR_TERMS);
    let hipaa_named = reader.hits(HIPAA_TERMS);
    let us = reader.hits(US_TERMS);
    let health_fields: Vec<String> = fields
        .iter()
        .filter(|f| f.special_category == Some(SpecialCategory::Health))
        .map(|f| format!("field `{}.{}` holds health data", f.entity, f.field))
        .collect();
    // Health words count when they are about people: not in the names of
    // entities about animals or things, and not at all in a veterinary
    // product unless some field holds a person's health data.
    let veterinary = !reader.hits(VETERINARY_TERMS).is_empty();
    let health = if veterinary && health_fields.is_empty() {
        Vec::new()
    } else {
        reader.hits_about_people(HEALTH_TERMS)
    };
    let mut card = reader.hits(CARD_TERMS);
    let vendors: Vec<String> = spec
        .integrations
        .keys()
        .filter(|v| PAYMENT_VENDORS.contains(&v.as_str()))
        .map(|v| format!("integration `{v}` takes card payments"))
        .collect();
    card.extend(vendors);
    let soc2 = reader.hits(SOC2_TERMS);
    let iso = reader.hits(ISO_TERMS);

    // Order: Framework::ALL (soc2, gdpr, hipaa, iso27001, pci-dss).
    if !soc2.is_empty() {
        found.push(finding(Framework::Soc2, soc2));
    }
    if !gdpr.is_empty() {
        found.push(finding(Framework::Gdpr, gdpr.clone()));
    }
    // HIPAA: named outright; or health care with a US signal; or health care
    // with health data and no sign that the product serves only the EU/EEA.
    let hipaa = if !hipaa_named.is_empty() {
        let mut r = hipaa_named;
        r.extend(health.iter().cloned());
        r
    } else if !health.is_empty() && !us.is_empty() {
        let mut r = health.clone();
        r.extend(us.iter().cloned());
        r
    } else if !health.is_empty() && !health_fields.is_empty() && gdpr.is_empty() {
        let mut r = health.clone();
        r.extend(health_fields.iter().cloned());
        r.push("no region is named, so US health privacy rules are assumed".to_string());
        r
    } else {
        Vec::new()
    };
    if !hipaa.is_empty() {
        found.push(finding(Framework::Hipaa, hipaa));
    }
    if !iso.is_empty() {
        found.push(finding(Framework::Iso27001, iso));
    }
    if !card.is_empty() {
        let mut r = card;
        r.push(pci_scope(spec, fields).describe());
        found.push(finding(Framework::PciDss, r));
    }
    found
}

fn finding(framework: Framework, mut reasons: Vec<String>) -> FrameworkFinding {
    let mut seen = std::collections::HashSet::new();
    reasons.retain(|r| seen.insert(r.clone()));
    FrameworkFinding {
        framework,
        declared: false,
        reasons,
    }
}

/// The frameworks in force: the declared ones (kept as declared), plus the
/// inferred ones unless `infer: false` or `none: true` says otherwise. The
/// security baseline is not a framework and is never dropped.
///
/// ```
/// # let mut spec = compliance::testing::clinic();
/// spec.compliance.infer = false;
/// let fields = compliance::pii::classify_spec(&spec);
/// let in_force = compliance::infer::frameworks_in_force(&spec, &fields);
/// let ids: Vec<_> = in_force.iter().map(|f| f.framework.id()).collect();
/// assert_eq!(ids, ["gdpr", "hipaa"]);
/// assert!(in_force.iter().all(|f| f.declared));
/// ```
pub fn frameworks_in_force(spec: &Spec, fields: &[FieldClass]) -> Vec<FrameworkFinding> {
    let settings = &spec.compliance;
    let inferred = if settings.infer && !settings.none {
        infer(spec, fields)
    } else {
        Vec::new()
    };
    let all_inferred = infer(spec, fields);
    let mut out = Vec::new();
    for fw in Framework::ALL {
        if settings.frameworks.contains(&fw) {
            let mut reasons = vec!["declared in the spec's `compliance.frameworks`".to_string()];
            if let Some(i) = all_inferred.iter().find(|i| i.framework == fw) {
                reasons.extend(i.reasons.iter().cloned());
            } else if fw == Framework::PciDss {
                reasons.push(pci_scope(spec, fields).describe());
            }
            out.push(FrameworkFinding {
                framework: fw,
                declared: true,
                reasons,
            });
        } else if let Some(i) = inferred.iter().find(|i| i.framework == fw) {
            out.push(i.clone());
        }
    }
    out
}
