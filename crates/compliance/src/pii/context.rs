//! What an entity describes, and what its name says about its fields.
//!
//! Three tables, read from the words of entity names (see
//! [`super::words`]):
//!
//! - [`PERSON_WORDS`], [`ANIMAL_WORDS`] and [`THING_WORDS`] say what an
//!   entity describes ([`Kind`]). Only the last word of a name (its head
//!   noun) decides: a `PetOwner` is an owner (a person), a `GuideDog` an
//!   animal, while a `PetRecord` or a `CarInsuranceClaim` says nothing by
//!   its name (its relations may; a claim's injuries stay a person's).
//! - [`CONTEXT_RULES`] give a class to fields whose own name says nothing,
//!   from the entity they are in: the `amount` of a `SalaryRecord` is pay,
//!   the `notes` of a `VisitNote` are health information.
//! - [`FREE_TEXT_WORDS`] and [`IDENTIFIER_WORDS`] say which fields of an
//!   entity that describes a person, or has a required relation to one,
//!   carry that person's data ([`Carrier`]).

use std::collections::HashSet;

use blueprint_core::spec::{FieldType, Pii, RelationKind, Spec};

use super::{contains_run, words, SpecialCategory};

/// What an entity describes, as its name says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A natural person: a patient, an employee, a customer.
    Person,
    /// An animal: a pet, livestock.
    Animal,
    /// A thing: a vehicle, a device, a product, a room.
    Thing,
}

impl Kind {
    /// The kind in words, with its article: "a person", "an animal".
    pub fn label(self) -> &'static str {
        match self {
            Kind::Person => "a person",
            Kind::Animal => "an animal",
            Kind::Thing => "a thing",
        }
    }
}

/// Name words of entities that describe a natural person.
pub const PERSON_WORDS: &[&str] = &[
    "person",
    "people",
    "individual",
    "human",
    "user",
    "customer",
    "client",
    "patient",
    "employee",
    "staff",
    "worker",
    "contractor",
    "freelancer",
    "applicant",
    "candidate",
    "member",
    "contact",
    "guest",
    "visitor",
    "student",
    "pupil",
    "learner",
    "teacher",
    "tutor",
    "parent",
    "guardian",
    "child",
    "owner",
    "tenant",
    "resident",
    "citizen",
    "voter",
    "donor",
    "volunteer",
    "driver",
    "passenger",
    "traveler",
    "traveller",
    "subscriber",
    "participant",
    "attendee",
    "beneficiary",
    "policyholder",
    "borrower",
    "buyer",
    "shopper",
    "athlete",
    "player",
    "clinician",
    "doctor",
    "physician",
    "nurse",
    "therapist",
    "caregiver",
    "dentist",
    "pharmacist",
    "vet",
    "veterinarian",
];

/// Name words of entities that describe an animal.
pub const ANIMAL_WORDS: &[&str] = &[
    "pet",
    "animal",
    "dog",
    "cat",
    "horse",
    "puppy",
    "kitten",
    "livestock",
    "cattle",
    "cow",
    "sheep",
    "pig",
    "bird",
    "canine",
    "feline",
    "equine",
];

/// Name words of entities that describe a thing.
pub const THING_WORDS: &[&str] = &[
    "vehicle",
    "car",
    "truck",
    "bike",
    "boat",
    "aircraft",
    "device",
    "sensor",
    "machine",
    "equipment",
    "instrument",
    "tool",
    "product",
    "item",
    "sku",
    "room",
    "building",
    "facility",
    "asset",
    "server",
];

/// The kind of one word, if the tables know it.
fn kind_of_word(word: &str) -> Option<Kind> {
    [
        (PERSON_WORDS, Kind::Person),
        (ANIMAL_WORDS, Kind::Animal),
        (THING_WORDS, Kind::Thing),
    ]
    .into_iter()
    .find(|(list, _)| list.contains(&word))
    .map(|(_, kind)| kind)
}

/// What an entity's name says it describes, with the word that said it:
/// only the last word (the head noun) decides, so a word before it (the
/// `Car` of `CarInsuranceClaim`) never sets a special category aside.
///
/// ```
/// use compliance::pii::context::{kind_of_name, Kind};
/// assert_eq!(kind_of_name("PetOwner"), Some((Kind::Person, "owner".to_string())));
/// assert_eq!(kind_of_name("GuideDog"), Some((Kind::Animal, "dog".to_string())));
/// assert_eq!(kind_of_name("PetRecord"), None);
/// assert_eq!(kind_of_name("Invoice"), None);
/// ```
pub fn kind_of_name(name: &str) -> Option<(Kind, String)> {
    let last = words(name).pop()?;
    kind_of_word(&last).map(|k| (k, last))
}

/// " (its name says \"owner\")" when the word is not the whole of the
/// entity's name (`PetOwner`); nothing when it is (`Owner`).
fn said_by(entity: &str, word: &str, whose: &str) -> String {
    if words(entity) == [word] {
        String::new()
    } else {
        format!(" ({whose} name says \"{word}\")")
    }
}

/// What an entity's rows are about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// The entity's own name says what it describes.
    Named {
        /// What it describes.
        kind: Kind,
        /// The word of the name that said so.
        word: String,
    },
    /// The entity's name says nothing, but its required relations lead to
    /// an entity whose name does.
    Related {
        /// What that entity describes.
        kind: Kind,
        /// That entity.
        entity: String,
        /// The word of its name that said so.
        word: String,
        /// The relations followed, in order.
        path: Vec<String>,
    },
    /// No name says, but the rows (or those of an entity its required
    /// relations lead to) belong to the user who created them.
    Owned {
        /// The owned entity.
        entity: String,
        /// The relations followed to it (empty when the entity itself is owned).
        path: Vec<String>,
    },
    /// Nothing says; such an entity may be about a person.
    Unknown,
}

impl Subject {
    /// What the rows describe, when a name says.
    pub fn kind(&self) -> Option<Kind> {
        match self {
            Subject::Named { kind, .. } | Subject::Related { kind, .. } => Some(*kind),
            Subject::Owned { .. } => Some(Kind::Person),
            Subject::Unknown => None,
        }
    }

    /// Whether the rows may be about a natural person: everything but an
    /// entity that describes (or is about) an animal or a thing.
    pub fn is_person(&self) -> bool {
        !matches!(self.kind(), Some(Kind::Animal | Kind::Thing))
    }

    /// What the rows of `entity` are about, in words, naming the words or
    /// the relations that decided; `None` when nothing says.
    ///
    /// ```
    /// use compliance::pii::context::{Kind, Subject};
    /// let s = Subject::Named { kind: Kind::Animal, word: "pet".into() };
    /// assert_eq!(s.describe("Pet").unwrap(), "Pet describes an animal");
    /// assert_eq!(
    ///     s.describe("FamilyPet").unwrap(),
    ///     "FamilyPet describes an animal (the entity's name says \"pet\")"
    /// );
    /// ```
    pub fn describe(&self, entity: &str) -> Option<String> {
        let path = |p: &[String]| {
            p.iter()
                .map(|r| format!("`{r}`"))
                .collect::<Vec<_>>()
                .join(" → ")
        };
        Some(match self {
            Subject::Named { kind, word } => format!(
                "{entity} describes {}{}",
                kind.label(),
                said_by(entity, word, "the entity's")
            ),
            Subject::Related {
                kind,
                entity: to,
                word,
                path: p,
            } => format!(
                "{entity} is about {to} (through {}), which describes {}{}",
                path(p),
                kind.label(),
                said_by(to, word, "its")
            ),
            Subject::Owned {
                entity: to,
                path: p,
            } if p.is_empty() && to == entity => {
                format!("{entity}'s rows belong to the user who created them")
            }
            Subject::Owned {
                entity: to,
                path: p,
            } => format!(
                "{entity} belongs to the owner of a {to} row (through {})",
                path(p)
            ),
            Subject::Unknown => return None,
        })
    }

    /// Why the rows of `entity` are not about a natural person, when they
    /// are not: "Pet describes an animal, not a person (…)".
    pub fn not_a_person(&self, entity: &str) -> Option<String> {
        if self.is_person() {
            return None;
        }
        let kind = self.kind()?;
        Some(match self {
            Subject::Named { word, .. } => format!(
                "{entity} describes {}, not a person{}",
                kind.label(),
                said_by(entity, word, "the entity's")
            ),
            _ => format!("{}, not a person", self.describe(entity)?),
        })
    }
}

/// How many relations [`subject`] follows at most.
const MAX_DEPTH: usize = 8;

/// The required to-one relations of an entity: (relation name, target).
fn required_to_one<'a>(spec: &'a Spec, entity: &str) -> Vec<(&'a str, &'a str)> {
    spec.entities
        .get(entity)
        .map(|e| {
            e.relations
                .iter()
                .filter(|(_, r)| {
                    r.required && matches!(r.kind, RelationKind::ManyToOne | RelationKind::OneToOne)
                })
                .map(|(n, r)| (n.as_str(), r.to.as_str()))
                .collect()
        })
        .unwrap_or_default()
}

/// What the rows of an entity of a spec are about.
///
/// Its own name decides first. Otherwise its required many-to-one and
/// one-to-one relations are followed, nearest first; among entities at the
/// same distance whose names say, an animal wins over a person (a
/// consultation note linked to a pet and to a vet is about the pet) and a
/// person over a thing (a reading linked to a patient and a device is about
/// the patient). Otherwise an owned entity, or one whose relations reach an
/// owned entity, belongs to a person; otherwise nothing is known.
///
/// ```
/// # let spec = compliance::testing::clinic();
/// use compliance::pii::context::{subject, Kind};
/// let s = subject(&spec, "VisitNote");
/// assert_eq!(s.kind(), Some(Kind::Person));
/// assert!(s.describe("VisitNote").unwrap().contains("`appointment` → `patient`"));
/// ```
pub fn subject(spec: &Spec, entity: &str) -> Subject {
    if let Some((kind, word)) = kind_of_name(entity) {
        return Subject::Named { kind, word };
    }
    let mut seen: HashSet<&str> = HashSet::from([entity]);
    let mut level: Vec<(&str, Vec<String>)> = vec![(entity, Vec::new())];
    let mut owned: Option<(String, Vec<String>)> = spec
        .entities
        .get(entity)
        .filter(|e| e.owned)
        .map(|_| (entity.to_string(), Vec::new()));
    for _ in 0..MAX_DEPTH {
        let mut next = Vec::new();
        for (from, path) in &level {
            for (rel, to) in required_to_one(spec, from) {
                if !seen.insert(to) {
                    continue;
                }
                let mut p = path.clone();
                p.push(rel.to_string());
                if owned.is_none() && spec.entities.get(to).is_some_and(|e| e.owned) {
                    owned = Some((to.to_string(), p.clone()));
                }
                next.push((to, p));
            }
        }
        let rank = |k: Kind| match k {
            Kind::Animal => 0,
            Kind::Person => 1,
            Kind::Thing => 2,
        };
        let best = next
            .iter()
            .filter_map(|(to, p)| kind_of_name(to).map(|(k, w)| (rank(k), k, *to, w, p)))
            .min_by_key(|(r, ..)| *r);
        if let Some((_, kind, to, word, path)) = best {
            return Subject::Related {
                kind,
                entity: to.to_string(),
                word,
                path: path.clone(),
            };
        }
        if next.is_empty() {
            break;
        }
        level = next;
    }
    match owned {
        Some((entity, path)) => Subject::Owned { entity, path },
        None => Subject::Unknown,
    }
}

/// One row of the entity-context table: fields whose own name says nothing,
/// named with one of `fields`, in an entity whose name contains one of
/// `entity`, get a class.
#[derive(Debug, Clone, Copy)]
pub struct ContextRule {
    /// Runs of words, one of which the entity's name contains.
    pub entity: &'static [&'static [&'static str]],
    /// What such an entity is, for the reason: "a pay record".
    pub about: &'static str,
    /// Words, one of which the field's name contains.
    pub fields: &'static [&'static str],
    /// What such a field there holds, for the reason: "pay".
    pub holds: &'static str,
    /// The class it gives.
    pub pii: Pii,
    /// The special category, if any (the class is then `sensitive`).
    pub special: Option<SpecialCategory>,
    /// What kind of personal data, for the reason: "financial".
    pub sort: &'static str,
}

/// The entity-context rules, strongest first.
pub const CONTEXT_RULES: &[ContextRule] = &[
    ContextRule {
        entity: &[
            &["medical"],
            &["health"],
            &["clinical"],
            &["visit", "note"],
            &["consultation", "note"],
            &["progress", "note"],
            &["patient", "note"],
            &["prescription"],
            &["lab", "result"],
            &["lab", "report"],
            &["diagnosis"],
            &["diagnoses"],
            &["treatment"],
            &["therapy"],
            &["vaccination"],
            &["immunization"],
            &["medication"],
            &["symptom"],
            &["allergy"],
            &["care", "plan"],
            &["discharge"],
            &["triage"],
        ],
        about: "a medical record",
        fields: &[
            "notes",
            "note",
            "summary",
            "body",
            "details",
            "description",
            "comment",
            "comments",
            "remarks",
            "findings",
            "observations",
            "narrative",
            "assessment",
            "history",
            "complaint",
            "instructions",
            "dosage",
            "dose",
            "value",
            "result",
            "results",
            "reading",
            "outcome",
            "positive",
            "abnormal",
        ],
        holds: "health information",
        pii: Pii::Sensitive,
        special: Some(SpecialCategory::Health),
        sort: "health",
    },
    ContextRule {
        entity: &[
            &["salary"],
            &["payslip"],
            &["pay", "slip"],
            &["pay", "stub"],
            &["paycheck"],
            &["payroll"],
            &["compensation"],
            &["remuneration"],
            &["wage"],
        ],
        about: "a person's pay",
        fields: &[
            "amount",
            "gross",
            "net",
            "bonus",
            "base",
            "total",
            "pay",
            "deduction",
            "deductions",
            "allowance",
            "overtime",
            "commission",
            "withholding",
            "rate",
        ],
        holds: "pay",
        pii: Pii::Personal,
        special: None,
        sort: "financial",
    },
];

/// A match of a [`ContextRule`]: the rule, the entity's words and the
/// field's word that matched.
#[derive(Debug, Clone)]
pub struct ContextMatch {
    /// The rule.
    pub rule: &'static ContextRule,
    /// The run of the entity's name that matched, joined with spaces.
    pub entity_words: String,
    /// The word of the field's name that matched.
    pub field_word: &'static str,
}

/// The first context rule matching a field of an entity, if any.
///
/// ```
/// let m = compliance::pii::context::context_rule("SalaryRecord", "gross").unwrap();
/// assert_eq!(m.entity_words, "salary");
/// assert!(compliance::pii::context::context_rule("Invoice", "amount").is_none());
/// ```
pub fn context_rule(entity: &str, field: &str) -> Option<ContextMatch> {
    let ew = words(entity);
    let fw = words(field);
    CONTEXT_RULES.iter().find_map(|rule| {
        let run = rule.entity.iter().find(|run| contains_run(&ew, run))?;
        let word = rule.fields.iter().find(|f| fw.iter().any(|w| w == *f))?;
        Some(ContextMatch {
            rule,
            entity_words: run.join(" "),
            field_word: word,
        })
    })
}

/// Words that make a field free text (a `text` field always is).
pub const FREE_TEXT_WORDS: &[&str] = &[
    "notes",
    "note",
    "comment",
    "comments",
    "remarks",
    "summary",
    "body",
    "description",
    "details",
    "message",
    "reason",
    "bio",
    "biography",
    "content",
    "narrative",
    "observations",
    "feedback",
];

/// Words that make a field an identifier.
pub const IDENTIFIER_WORDS: &[&str] = &[
    "number",
    "code",
    "reference",
    "ref",
    "identifier",
    "id",
    "handle",
    "plate",
    "vin",
    "serial",
    "login",
];

/// Why an entity's fields carry a person's data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Carrier {
    /// The entity describes a person.
    Itself {
        /// The word of its name that says so.
        word: String,
    },
    /// The entity has a required relation to an entity that describes a
    /// person.
    Relation {
        /// The relation's name.
        relation: String,
        /// The person entity.
        entity: String,
        /// The word of that entity's name that says it describes a person.
        word: String,
    },
}

impl Carrier {
    /// From an entity's name alone.
    pub fn of_name(entity: &str) -> Option<Carrier> {
        match kind_of_name(entity) {
            Some((Kind::Person, word)) => Some(Carrier::Itself { word }),
            _ => None,
        }
    }

    /// From an entity's name, then its required to-one relations in spec
    /// order.
    pub fn of(spec: &Spec, entity: &str) -> Option<Carrier> {
        Carrier::of_name(entity).or_else(|| {
            required_to_one(spec, entity)
                .into_iter()
                .find_map(|(rel, to)| match kind_of_name(to) {
                    Some((Kind::Person, word)) => Some(Carrier::Relation {
                        relation: rel.to_string(),
                        entity: to.to_string(),
                        word,
                    }),
                    _ => None,
                })
        })
    }

    /// What a field of this carrier holds, in words, when it carries the
    /// person's data: free text, an identifier, or (in an entity that
    /// describes a person) a name. Booleans, enums, numbers and dates do not.
    pub fn carries(&self, field: &str, ty: FieldType) -> Option<String> {
        let fw = words(field);
        let has = |list: &[&str]| fw.iter().find(|w| list.contains(&w.as_str())).cloned();
        let free_text = match ty {
            FieldType::Text => Some("free text (a `text` field)".to_string()),
            FieldType::String | FieldType::Json => {
                has(FREE_TEXT_WORDS).map(|w| format!("free text (its name contains \"{w}\")"))
            }
            _ => None,
        };
        let identifier = match ty {
            FieldType::String | FieldType::Uuid | FieldType::Integer | FieldType::Bigint => {
                has(IDENTIFIER_WORDS).map(|w| format!("an identifier (its name contains \"{w}\")"))
            }
            _ => None,
        };
        let name = match (self, ty) {
            (Carrier::Itself { .. }, FieldType::String)
                if fw.last().is_some_and(|w| w == "name") =>
            {
                Some("a name (its name ends in \"name\")".to_string())
            }
            _ => None,
        };
        free_text.or(identifier).or(name)
    }

    /// The reason a field of `entity` holding `what` is personal data.
    pub fn reason(&self, entity: &str, what: &str) -> String {
        match self {
            Carrier::Itself { word } => format!(
                "{entity} describes a person{}: {what} here is that person's data, which is personal data",
                said_by(entity, word, "the entity's")
            ),
            Carrier::Relation {
                relation,
                entity: to,
                word,
            } => format!(
                "{entity} has a required relation `{relation}` to {to}, which describes a person{}: {what} here carries that person's data, which is personal data",
                said_by(to, word, "its")
            ),
        }
    }
}

/// The names the spec format requires to be `sensitive` whatever the
/// context (a run of words of the field's name).
pub const SPEC_FORMAT_SENSITIVE: &[&[&str]] = &[
    &["national", "id"],
    &["ssn"],
    &["social", "security", "number"],
    &["tax", "id"],
    &["tax", "number"],
    &["passport"],
    &["insurance", "number"],
    &["iban"],
    &["bank", "account"],
    &["card", "number"],
    &["diagnosis"],
    &["medical", "record", "number"],
];

/// The run of [`SPEC_FORMAT_SENSITIVE`] a field's name contains, if any.
pub fn spec_format_sensitive(field: &str) -> Option<String> {
    let fw = words(field);
    SPEC_FORMAT_SENSITIVE
        .iter()
        .find(|run| contains_run(&fw, run))
        .map(|run| run.join(" "))
}

/// What a field's entity tells about it: what the entity's rows are
/// about and whose data its fields carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityContext {
    /// The entity's name.
    pub entity: String,
    /// What its rows are about.
    pub subject: Subject,
    /// Whose data its free text and identifiers carry, if a person's.
    pub carrier: Option<Carrier>,
}

impl EntityContext {
    /// The context an entity's name alone gives.
    pub fn of_name(entity: &str) -> EntityContext {
        EntityContext {
            entity: entity.to_string(),
            subject: match kind_of_name(entity) {
                Some((kind, word)) => Subject::Named { kind, word },
                None => Subject::Unknown,
            },
            carrier: Carrier::of_name(entity),
        }
    }

    /// The context of an entity of a spec: its name, relations and
    /// ownership.
    pub fn of(spec: &Spec, entity: &str) -> EntityContext {
        EntityContext {
            entity: entity.to_string(),
            subject: subject(spec, entity),
            carrier: Carrier::of(spec, entity),
        }
    }
}
