//! The typed product spec: what a product needs, as archgen reads it.
//!
//! These types hold the spec *after* defaults are applied (the default stack,
//! roles, access rules and API settings), so every later stage reads one
//! complete value. Where the user wrote something is kept apart, in a
//! [`SourceMap`](crate::source::SourceMap), so that a spec built in code and a
//! spec read from a file compare equal.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The spec format version this build of archgen reads.
pub const SPEC_VERSION: u32 = 1;

/// The stack used when a spec names none.
pub const DEFAULT_STACK: &str = "python-fastapi";

/// The database used when a spec names none.
pub const DEFAULT_DATABASE: &str = "postgresql";

/// The API base path used when a spec names none.
pub const DEFAULT_BASE_PATH: &str = "/api";

/// The page size used when a spec names none.
pub const DEFAULT_PAGE_SIZE: u32 = 50;

/// The largest page size a spec may ask for.
pub const MAX_PAGE_SIZE: u32 = 500;

/// Fields every entity gets; a spec may not declare them.
pub const RESERVED_FIELDS: &[&str] = &["id", "created_at", "updated_at", "owner_id"];

/// The query parameters of every list route (`?limit=`, `?cursor=`,
/// `?sort=`): a field of one of these names cannot also be a filter.
pub const LIST_PARAMETERS: &[&str] = &["limit", "cursor", "sort"];

/// Collection names taken by the fixed routes and system tables.
pub const RESERVED_COLLECTIONS: &[&str] = &[
    "auth",
    "me",
    "admin",
    "audit_events",
    "healthz",
    "readyz",
    "openapi.json",
];

/// A complete product spec, with every default applied.
///
/// # Example
///
/// ```
/// use blueprint_core::spec::{parse_str, Format};
///
/// let checked = parse_str(
///     "tasks.yaml",
///     "spec_version: 1\nproduct: { name: tasks }\nentities:\n  Task:\n    fields: { title: string! }\n",
///     Format::Yaml,
/// )
/// .expect("a valid spec");
/// let spec = checked.spec;
/// assert_eq!(spec.stack, "python-fastapi");
/// assert!(spec.roles.contains_key("admin"));
/// assert_eq!(spec.entities["Task"].collection(), "tasks");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Spec {
    /// The spec format version (always [`SPEC_VERSION`] once checked).
    pub spec_version: u32,
    /// The product's identity.
    pub product: Product,
    /// The stack id, such as `python-fastapi`.
    pub stack: String,
    /// The database id; `postgresql` for every built-in stack.
    pub database: String,
    /// Declared frameworks and how inference behaves.
    pub compliance: ComplianceSettings,
    /// Roles in spec order; at least one has `admin: true`.
    pub roles: IndexMap<String, Role>,
    /// Entities in spec order.
    pub entities: IndexMap<String, Entity>,
    /// Integrations in spec order: vendor id to its options.
    pub integrations: IndexMap<String, IndexMap<String, serde_json::Value>>,
    /// API settings.
    pub api: Api,
}

impl Spec {
    /// The roles marked `admin: true`, in spec order.
    pub fn admin_roles(&self) -> impl Iterator<Item = &str> {
        self.roles
            .iter()
            .filter(|(_, r)| r.admin)
            .map(|(n, _)| n.as_str())
    }

    /// The roles a visitor may sign up into, in spec order.
    pub fn signup_roles(&self) -> impl Iterator<Item = &str> {
        self.roles
            .iter()
            .filter(|(_, r)| r.signup)
            .map(|(n, _)| n.as_str())
    }
}

/// The product's identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    /// Lowercase kebab-case name: package, image and service names.
    pub name: String,
    /// Optional display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Optional free text; compliance inference reads it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl Product {
    /// The display name: the title when given, else the name.
    pub fn display_name(&self) -> &str {
        self.title.as_deref().unwrap_or(&self.name)
    }
}

/// A compliance framework a spec may declare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Framework {
    /// SOC 2 (AICPA Trust Services Criteria).
    #[serde(rename = "soc2")]
    Soc2,
    /// The EU General Data Protection Regulation.
    #[serde(rename = "gdpr")]
    Gdpr,
    /// The US HIPAA Security Rule.
    #[serde(rename = "hipaa")]
    Hipaa,
    /// ISO/IEC 27001:2022.
    #[serde(rename = "iso27001")]
    Iso27001,
    /// PCI DSS v4.0.
    #[serde(rename = "pci-dss")]
    PciDss,
}

impl Framework {
    /// Every framework, in a fixed order.
    pub const ALL: [Framework; 5] = [
        Framework::Soc2,
        Framework::Gdpr,
        Framework::Hipaa,
        Framework::Iso27001,
        Framework::PciDss,
    ];

    /// The id used in specs and reports (`soc2`, `pci-dss`, …).
    pub fn id(self) -> &'static str {
        match self {
            Framework::Soc2 => "soc2",
            Framework::Gdpr => "gdpr",
            Framework::Hipaa => "hipaa",
            Framework::Iso27001 => "iso27001",
            Framework::PciDss => "pci-dss",
        }
    }

    /// The framework with this id, if any.
    pub fn from_id(id: &str) -> Option<Framework> {
        Framework::ALL.into_iter().find(|f| f.id() == id)
    }

    /// A human name, such as `PCI DSS`.
    pub fn name(self) -> &'static str {
        match self {
            Framework::Soc2 => "SOC 2",
            Framework::Gdpr => "GDPR",
            Framework::Hipaa => "HIPAA",
            Framework::Iso27001 => "ISO/IEC 27001",
            Framework::PciDss => "PCI DSS",
        }
    }
}

impl fmt::Display for Framework {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// The `compliance` section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplianceSettings {
    /// Declared frameworks, in spec order.
    pub frameworks: Vec<Framework>,
    /// Whether inferred frameworks are added (default true).
    pub infer: bool,
    /// Opt out of inferred frameworks (never out of the security baseline).
    pub none: bool,
}

impl Default for ComplianceSettings {
    fn default() -> Self {
        ComplianceSettings {
            frameworks: Vec::new(),
            infer: true,
            none: false,
        }
    }
}

/// A role users can hold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Role {
    /// Visitors may register into this role.
    pub signup: bool,
    /// An admin role may always do everything.
    pub admin: bool,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// An entity: a kind of record the product keeps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    /// Free text, carried into docs and the ArchiMate model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Rows belong to the user who created them (`owned: true`).
    pub owned: bool,
    /// Rows belong to the owner of the row this relation points at
    /// (`owned: { through: loan }`, or implied by a single required
    /// relation to an owned entity). Written back as `owned: { through: … }`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owned_through: Option<String>,
    /// Fields in spec order (without the implicit `id`, timestamps and owner).
    pub fields: IndexMap<String, Field>,
    /// Relations in spec order.
    pub relations: IndexMap<String, Relation>,
    /// Who may do what, with defaults applied.
    pub access: Access,
    /// How long rows are kept after creation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention: Option<Retention>,
    /// The collection name when the English plural is wrong.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plural: Option<String>,
    /// The entity's name in the model the project was last generated
    /// from, when it was renamed (`renamed_from: Patient`): the next
    /// migration renames the table instead of dropping it and creating
    /// another. Ignored on a first generation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
    /// The entity's name, as written in the spec (PascalCase).
    #[serde(skip)]
    pub name: String,
    /// What `check` completed for this entity (implied ownership, default
    /// access); not part of the spec's meaning.
    #[serde(skip)]
    pub completion: Completion,
}

/// What the parser or the builder completed in an entity, so `check` can
/// note it. It records how a spec was written, not what it means: two specs
/// that mean the same are equal whatever their completions.
#[derive(Debug, Clone, Default)]
pub struct Completion {
    /// The spec wrote an `owned` key (so no ownership is implied).
    pub owned_key: bool,
    /// Ownership through a relation was implied, not written.
    pub ownership_implied: bool,
    /// The actions whose access took the default.
    pub defaulted: Vec<Action>,
}

impl PartialEq for Completion {
    fn eq(&self, _: &Completion) -> bool {
        true
    }
}

impl Entity {
    /// Whether rows belong to a user: directly or through a relation.
    pub fn is_owned(&self) -> bool {
        self.owned || self.owned_through.is_some()
    }

    /// The collection name: `plural` when given, else the snake_case English
    /// plural of the entity name (`Person` → `people`).
    pub fn collection(&self) -> String {
        match &self.plural {
            Some(p) => p.clone(),
            None => crate::naming::collection_of(&self.name),
        }
    }
}

/// A scalar field type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldType {
    /// Short text, at most 255 characters unless `max` says otherwise.
    String,
    /// Long text.
    Text,
    /// A 32-bit integer.
    Integer,
    /// A 64-bit integer.
    Bigint,
    /// A fixed-point decimal (`precision`, `scale`).
    Decimal,
    /// True or false.
    Boolean,
    /// A calendar date.
    Date,
    /// A point in time, stored with its time zone.
    Datetime,
    /// A UUID.
    Uuid,
    /// An email address.
    Email,
    /// An http(s) URL.
    Url,
    /// A phone number in E.164 form.
    Phone,
    /// Arbitrary JSON.
    Json,
    /// One of a fixed list of `values`.
    Enum,
}

impl FieldType {
    /// Every field type, in the order the spec page lists them.
    pub const ALL: [FieldType; 14] = [
        FieldType::String,
        FieldType::Text,
        FieldType::Integer,
        FieldType::Bigint,
        FieldType::Decimal,
        FieldType::Boolean,
        FieldType::Date,
        FieldType::Datetime,
        FieldType::Uuid,
        FieldType::Email,
        FieldType::Url,
        FieldType::Phone,
        FieldType::Json,
        FieldType::Enum,
    ];

    /// The name used in specs.
    pub fn as_str(self) -> &'static str {
        match self {
            FieldType::String => "string",
            FieldType::Text => "text",
            FieldType::Integer => "integer",
            FieldType::Bigint => "bigint",
            FieldType::Decimal => "decimal",
            FieldType::Boolean => "boolean",
            FieldType::Date => "date",
            FieldType::Datetime => "datetime",
            FieldType::Uuid => "uuid",
            FieldType::Email => "email",
            FieldType::Url => "url",
            FieldType::Phone => "phone",
            FieldType::Json => "json",
            FieldType::Enum => "enum",
        }
    }

    /// The type with this spec name, if any.
    pub fn parse(name: &str) -> Option<FieldType> {
        FieldType::ALL.into_iter().find(|t| t.as_str() == name)
    }

    /// Whether values are text (so `min`, `max` and `pattern` bound lengths).
    pub fn is_textual(self) -> bool {
        matches!(
            self,
            FieldType::String
                | FieldType::Text
                | FieldType::Email
                | FieldType::Url
                | FieldType::Phone
        )
    }

    /// Whether values are numbers (so `min` and `max` bound values).
    pub fn is_numeric(self) -> bool {
        matches!(
            self,
            FieldType::Integer | FieldType::Bigint | FieldType::Decimal
        )
    }
}

impl fmt::Display for FieldType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A number written in a spec: a whole number or a fraction.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Number {
    /// A whole number.
    Int(i64),
    /// A finite fraction.
    Float(f64),
}

impl Number {
    /// The value as a float (exact for integers up to 2^53).
    pub fn as_f64(self) -> f64 {
        match self {
            Number::Int(i) => i as f64,
            Number::Float(f) => f,
        }
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Number::Int(i) => write!(f, "{i}"),
            Number::Float(x) => write!(f, "{x}"),
        }
    }
}

/// A default value written in a spec.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Scalar {
    /// True or false.
    Bool(bool),
    /// A number.
    Number(Number),
    /// Text.
    Str(String),
}

/// How personal a field's data is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Pii {
    /// Not personal data.
    None,
    /// Personal data (GDPR Art. 4(1)).
    Personal,
    /// Sensitive personal data: encrypted at rest.
    Sensitive,
}

impl Pii {
    /// The name used in specs.
    pub fn as_str(self) -> &'static str {
        match self {
            Pii::None => "none",
            Pii::Personal => "personal",
            Pii::Sensitive => "sensitive",
        }
    }
}

/// A field of an entity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Field {
    /// The field's type.
    #[serde(rename = "type")]
    pub ty: FieldType,
    /// A value must be given.
    pub required: bool,
    /// No two rows share a value.
    pub unique: bool,
    /// An index is created for the column.
    pub index: bool,
    /// The value used when none is given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Scalar>,
    /// Lower bound: the value for numbers, the length for text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<Number>,
    /// Upper bound: the value for numbers, the length for text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<Number>,
    /// A regular expression searched in the value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// The allowed values of an `enum` field.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    /// Total digits of a `decimal` field (default 12).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precision: Option<u32>,
    /// Digits after the point of a `decimal` field (default 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<u32>,
    /// The declared PII class; `None` lets the compliance crate classify.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pii: Option<Pii>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Who sees the field (`None`: whoever reads the row). Callers outside
    /// the list get items without the key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read: Option<Vec<Subject>>,
    /// Who may set the field (`None`: whoever may create or update the
    /// row). Others sending it get 403.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub write: Option<Vec<Subject>>,
    /// The workflow of an `enum` field: from a value, the values it may
    /// move to and who may make each move.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub transitions: IndexMap<String, IndexMap<String, Vec<Subject>>>,
    /// Values of an `enum` field in which the row's other fields cannot
    /// change.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub frozen: Vec<String>,
    /// The field's name in the model the project was last generated from,
    /// when it was renamed (`renamed_from: surname`): the next migration
    /// renames the column and keeps its values. Ignored on a first
    /// generation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
}

/// The default precision of a decimal field.
pub const DEFAULT_DECIMAL_PRECISION: u32 = 12;
/// The default scale of a decimal field.
pub const DEFAULT_DECIMAL_SCALE: u32 = 2;
/// The default maximum length of a string field.
pub const DEFAULT_STRING_MAX: i64 = 255;

impl Field {
    /// A field of this type with every option at its default.
    pub fn new(ty: FieldType) -> Field {
        Field {
            ty,
            required: false,
            unique: false,
            index: false,
            default: None,
            min: None,
            max: None,
            pattern: None,
            values: Vec::new(),
            precision: None,
            scale: None,
            pii: None,
            description: None,
            read: None,
            write: None,
            transitions: IndexMap::new(),
            frozen: Vec::new(),
            renamed_from: None,
        }
    }

    /// Whether the field is a workflow (an `enum` with `transitions`).
    pub fn is_workflow(&self) -> bool {
        !self.transitions.is_empty()
    }

    /// The effective `(precision, scale)` of a decimal field.
    pub fn decimal_digits(&self) -> (u32, u32) {
        (
            self.precision.unwrap_or(DEFAULT_DECIMAL_PRECISION),
            self.scale.unwrap_or(DEFAULT_DECIMAL_SCALE),
        )
    }
}

/// The cardinality of a relation, seen from the entity that declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RelationKind {
    /// Many rows here point at one row there (the default).
    ManyToOne,
    /// One row here points at one row there.
    OneToOne,
    /// Rows here and there link freely, through a join table.
    ManyToMany,
}

impl RelationKind {
    /// The name used in specs.
    pub fn as_str(self) -> &'static str {
        match self {
            RelationKind::ManyToOne => "many-to-one",
            RelationKind::OneToOne => "one-to-one",
            RelationKind::ManyToMany => "many-to-many",
        }
    }
}

/// What happens to referring rows when the referred row is deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OnDelete {
    /// The delete is refused while rows refer to it (the default).
    Restrict,
    /// Referring rows are deleted too.
    Cascade,
    /// Referring rows lose the link (optional relations only).
    SetNull,
}

impl OnDelete {
    /// The name used in specs.
    pub fn as_str(self) -> &'static str {
        match self {
            OnDelete::Restrict => "restrict",
            OnDelete::Cascade => "cascade",
            OnDelete::SetNull => "set-null",
        }
    }
}

/// A relation from one entity to another (or to itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Relation {
    /// The target entity's name.
    pub to: String,
    /// The cardinality.
    pub kind: RelationKind,
    /// A link must be given.
    pub required: bool,
    /// What happens when the target row is deleted.
    pub on_delete: OnDelete,
    /// The name of the inverse (one-to-many) side on the target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inverse: Option<String>,
}

impl Relation {
    /// The JSON and column name of the relation: `patient` → `patient_id`,
    /// `labels` → `label_ids`.
    pub fn json_name(&self, name: &str) -> String {
        match self.kind {
            RelationKind::ManyToMany => format!("{}_ids", crate::naming::singular_of(name)),
            _ => format!("{name}_id"),
        }
    }
}

/// The four actions access rules govern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Create rows.
    Create,
    /// Read and list rows.
    Read,
    /// Change rows.
    Update,
    /// Delete rows.
    Delete,
}

impl Action {
    /// The four actions in CRUD order.
    pub const ALL: [Action; 4] = [Action::Create, Action::Read, Action::Update, Action::Delete];

    /// The name used in specs.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Read => "read",
            Action::Update => "update",
            Action::Delete => "delete",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who an access rule lets act.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Subject {
    /// Users holding this role.
    Role(String),
    /// The user who owns the row (owned entities only; never for `create`).
    Owner,
    /// Any signed-in user.
    Authenticated,
    /// Anyone, signed in or not.
    Public,
}

impl Subject {
    /// The name used in specs.
    pub fn as_str(&self) -> &str {
        match self {
            Subject::Role(r) => r,
            Subject::Owner => "owner",
            Subject::Authenticated => "authenticated",
            Subject::Public => "public",
        }
    }

    /// Reads a subject as written in a spec.
    pub fn parse(text: &str) -> Subject {
        match text {
            "owner" => Subject::Owner,
            "authenticated" => Subject::Authenticated,
            "public" => Subject::Public,
            other => Subject::Role(other.to_string()),
        }
    }
}

impl Serialize for Subject {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Subject {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(Subject::parse(&s))
    }
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Access rules of an entity, one list of subjects per action.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Access {
    /// Who may create rows.
    pub create: Vec<Subject>,
    /// Who may read and list rows.
    pub read: Vec<Subject>,
    /// Who may change rows.
    pub update: Vec<Subject>,
    /// Who may delete rows.
    pub delete: Vec<Subject>,
}

impl Access {
    /// The subjects of one action.
    pub fn get(&self, action: Action) -> &[Subject] {
        match action {
            Action::Create => &self.create,
            Action::Read => &self.read,
            Action::Update => &self.update,
            Action::Delete => &self.delete,
        }
    }

    /// The subjects of one action, to change them.
    pub fn get_mut(&mut self, action: Action) -> &mut Vec<Subject> {
        match action {
            Action::Create => &mut self.create,
            Action::Read => &mut self.read,
            Action::Update => &mut self.update,
            Action::Delete => &mut self.delete,
        }
    }

    /// The default subjects of an action, as the spec format defines them
    /// (least privilege): for an owned entity (directly or through a
    /// relation) `create` is `authenticated` and the rest `owner` and the
    /// admin roles; for an entity that is not owned `read` is
    /// `authenticated` and the rest the admin roles.
    ///
    /// ```
    /// use blueprint_core::spec::{Access, Action, Subject};
    /// let admins = ["admin".to_string()];
    /// assert_eq!(Access::default_for(Action::Read, true, &admins), [Subject::Owner, Subject::Role("admin".into())]);
    /// assert_eq!(Access::default_for(Action::Create, false, &admins), [Subject::Role("admin".into())]);
    /// ```
    pub fn default_for(action: Action, owned: bool, admin_roles: &[String]) -> Vec<Subject> {
        let admins = admin_roles.iter().cloned().map(Subject::Role);
        match (action, owned) {
            (Action::Create, true) | (Action::Read, false) => vec![Subject::Authenticated],
            (Action::Create, false) => admins.collect(),
            (_, true) => std::iter::once(Subject::Owner).chain(admins).collect(),
            (_, false) => admins.collect(),
        }
    }

    /// The defaults before least privilege (spec format until this
    /// release): `create` and `read` `authenticated`, `update` and
    /// `delete` `owner` (owned entities) and the admin roles. `check`
    /// notes each entity whose defaults tightened.
    pub fn previous_default_for(
        action: Action,
        owned: bool,
        admin_roles: &[String],
    ) -> Vec<Subject> {
        match action {
            Action::Create | Action::Read => vec![Subject::Authenticated],
            Action::Update | Action::Delete => {
                let mut v = Vec::new();
                if owned {
                    v.push(Subject::Owner);
                }
                v.extend(admin_roles.iter().cloned().map(Subject::Role));
                v
            }
        }
    }
}

/// The unit of a retention period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RetentionUnit {
    /// Days (`d`).
    Days,
    /// Months (`m`).
    Months,
    /// Years (`y`).
    Years,
}

/// How long rows are kept after creation, such as `10y`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Retention {
    /// How many units.
    pub amount: u32,
    /// Which unit.
    pub unit: RetentionUnit,
}

impl Retention {
    /// Reads `30d`, `18m` or `7y`; anything else (a unit that is no ASCII
    /// letter included) is `None`, never a panic.
    ///
    /// ```
    /// use blueprint_core::spec::Retention;
    /// assert_eq!(Retention::parse("30d").map(|r| r.amount), Some(30));
    /// assert!(Retention::parse("56dt&?ਸ࿖").is_none());
    /// ```
    pub fn parse(text: &str) -> Option<Retention> {
        let text = text.trim();
        let (unit_at, _) = text.char_indices().last()?;
        let (digits, unit) = text.split_at(unit_at);
        let unit = match unit {
            "d" => RetentionUnit::Days,
            "m" => RetentionUnit::Months,
            "y" => RetentionUnit::Years,
            _ => return None,
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || digits.len() > 6 {
            return None;
        }
        let amount: u32 = digits.parse().ok()?;
        (amount > 0).then_some(Retention { amount, unit })
    }

    /// An upper bound of the period in days (a month counts 31, a year 366).
    pub fn max_days(self) -> u64 {
        let per = match self.unit {
            RetentionUnit::Days => 1,
            RetentionUnit::Months => 31,
            RetentionUnit::Years => 366,
        };
        u64::from(self.amount) * per
    }
}

impl fmt::Display for Retention {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let u = match self.unit {
            RetentionUnit::Days => 'd',
            RetentionUnit::Months => 'm',
            RetentionUnit::Years => 'y',
        };
        write!(f, "{}{}", self.amount, u)
    }
}

impl Serialize for Retention {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Retention {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Retention::parse(&s)
            .ok_or_else(|| serde::de::Error::custom("expected a period such as 30d, 18m or 7y"))
    }
}

/// API settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Api {
    /// The path every API route starts with (default `/api`).
    pub base_path: String,
    /// The default page size of lists (default 50, at most 500).
    pub page_size: u32,
}

impl Default for Api {
    fn default() -> Self {
        Api {
            base_path: DEFAULT_BASE_PATH.to_string(),
            page_size: DEFAULT_PAGE_SIZE,
        }
    }
}
