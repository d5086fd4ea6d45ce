//! Blueprints in code: a fluent [`SpecBuilder`] that makes the same
//! [`Spec`] the spec parser makes for the same product, with every default
//! of the spec format applied, and lowers it into a [`Blueprint`].
//!
//! Platform teams use it to pin their architecture in unit tests without a
//! spec file:
//!
//! ```
//! use blueprint_core::builder::SpecBuilder;
//! use blueprint_core::spec::{Action, FieldType, OnDelete, Subject};
//!
//! let bp = SpecBuilder::new("team-tasks")
//!     .with_title("TeamTasks")
//!     .with_role("member", |r| r.signup())
//!     .with_role("manager", |r| r)
//!     .with_role("admin", |r| r.admin())
//!     .with_entity("Project", |e| {
//!         e.owned()
//!             .with_field("name", FieldType::String, |f| f.required().max(120))
//!     })
//!     .with_entity("Task", |e| {
//!         e.owned()
//!             .with_field("title", FieldType::String, |f| f.required().max(200))
//!             .with_relation("project", "Project", |r| {
//!                 r.required().on_delete(OnDelete::Cascade).inverse("tasks")
//!             })
//!             .with_access(Action::Update, ["owner", "manager", "admin"])
//!     })
//!     .with_integration("smtp")
//!     .build();
//!
//! assert_eq!(bp.entities(), ["Project", "Task"]);
//! assert_eq!(
//!     bp.who_can(Action::Update, "Task"),
//!     [Subject::Owner, Subject::Role("manager".into()), Subject::Role("admin".into())],
//! );
//! assert_eq!(bp.relations_of("Task")[0].to, "Project");
//! ```
//!
//! Defaults, as the spec format defines them: stack `python-fastapi`,
//! database `postgresql`, roles `user` (signup) and `admin` (admin) when no
//! role is given, an `admin` role added when no role is an admin, API base
//! path `/api` and page size 50, and for each action an entity gives no
//! rule for: `read` and `create` by `authenticated`, `update` and `delete` by
//! `owner` (owned entities) and then the admin roles in spec order.

use indexmap::IndexMap;

use crate::graph::Blueprint;
use crate::spec::{
    Access, Action, Api, ComplianceSettings, Entity, Field, FieldType, Framework, Number, OnDelete,
    Pii, Product, Relation, RelationKind, Retention, Role, Scalar, Spec, Subject, DEFAULT_DATABASE,
    DEFAULT_STACK, SPEC_VERSION,
};

/// Builds a [`Spec`] (and its [`Blueprint`]) in code. See the
/// [module documentation](self) for an example and the defaults.
#[derive(Debug, Clone)]
pub struct SpecBuilder {
    product: Product,
    stack: String,
    database: String,
    compliance: ComplianceSettings,
    roles: IndexMap<String, Role>,
    entities: IndexMap<String, EntityBuilder>,
    integrations: IndexMap<String, IndexMap<String, serde_json::Value>>,
    api: Api,
}

impl SpecBuilder {
    /// A spec for the product `name` (lowercase kebab-case), with every
    /// setting at its default and no entities yet.
    ///
    /// ```
    /// use blueprint_core::builder::SpecBuilder;
    ///
    /// let spec = SpecBuilder::new("tasks").spec();
    /// assert_eq!(spec.stack, "python-fastapi");
    /// assert_eq!(spec.roles.keys().collect::<Vec<_>>(), ["user", "admin"]);
    /// ```
    pub fn new(name: impl Into<String>) -> SpecBuilder {
        SpecBuilder {
            product: Product {
                name: name.into(),
                title: None,
                description: None,
            },
            stack: DEFAULT_STACK.to_string(),
            database: DEFAULT_DATABASE.to_string(),
            compliance: ComplianceSettings::default(),
            roles: IndexMap::new(),
            entities: IndexMap::new(),
            integrations: IndexMap::new(),
            api: Api::default(),
        }
    }

    /// With this display name.
    pub fn with_title(mut self, title: impl Into<String>) -> SpecBuilder {
        self.product.title = Some(title.into());
        self
    }

    /// With this product description (compliance inference reads it).
    pub fn with_description(mut self, text: impl Into<String>) -> SpecBuilder {
        self.product.description = Some(text.into());
        self
    }

    /// With this stack id instead of `python-fastapi`.
    pub fn with_stack(mut self, stack: impl Into<String>) -> SpecBuilder {
        self.stack = stack.into();
        self
    }

    /// With this database id instead of `postgresql`.
    pub fn with_database(mut self, database: impl Into<String>) -> SpecBuilder {
        self.database = database.into();
        self
    }

    /// With these declared frameworks, in this order.
    pub fn with_frameworks(
        mut self,
        frameworks: impl IntoIterator<Item = Framework>,
    ) -> SpecBuilder {
        self.compliance.frameworks = frameworks.into_iter().collect();
        self
    }

    /// Whether inferred frameworks are added (default true).
    pub fn with_infer(mut self, infer: bool) -> SpecBuilder {
        self.compliance.infer = infer;
        self
    }

    /// Opts out of inferred frameworks (never out of the security baseline).
    pub fn with_no_inferred_frameworks(mut self) -> SpecBuilder {
        self.compliance.none = true;
        self
    }

    /// With a role, shaped by `f`; roles keep the order they are added in.
    /// Adding a role with the same name again replaces it in place.
    ///
    /// ```
    /// use blueprint_core::builder::SpecBuilder;
    ///
    /// let spec = SpecBuilder::new("clinic")
    ///     .with_role("patient", |r| r.signup().description("A person receiving care"))
    ///     .spec();
    /// // No role is an admin, so `admin` is added.
    /// assert_eq!(spec.roles.keys().collect::<Vec<_>>(), ["patient", "admin"]);
    /// assert!(spec.roles["admin"].admin);
    /// ```
    pub fn with_role(
        mut self,
        name: impl Into<String>,
        f: impl FnOnce(RoleBuilder) -> RoleBuilder,
    ) -> SpecBuilder {
        let role = f(RoleBuilder(Role::default())).0;
        self.roles.insert(name.into(), role);
        self
    }

    /// With an entity (PascalCase name), shaped by `f`; entities keep the
    /// order they are added in. Adding an entity with the same name again
    /// replaces it in place.
    pub fn with_entity(
        mut self,
        name: impl Into<String>,
        f: impl FnOnce(EntityBuilder) -> EntityBuilder,
    ) -> SpecBuilder {
        let name = name.into();
        let entity = f(EntityBuilder::new(&name));
        self.entities.insert(name, entity);
        self
    }

    /// With an integration and no options.
    pub fn with_integration(self, vendor: impl Into<String>) -> SpecBuilder {
        self.with_integration_options(vendor, IndexMap::new())
    }

    /// With an integration and its options, in order.
    pub fn with_integration_options(
        mut self,
        vendor: impl Into<String>,
        options: IndexMap<String, serde_json::Value>,
    ) -> SpecBuilder {
        self.integrations.insert(vendor.into(), options);
        self
    }

    /// With this API base path instead of `/api`.
    pub fn with_base_path(mut self, base_path: impl Into<String>) -> SpecBuilder {
        self.api.base_path = base_path.into();
        self
    }

    /// With this default page size instead of 50.
    pub fn with_page_size(mut self, page_size: u32) -> SpecBuilder {
        self.api.page_size = page_size;
        self
    }

    /// The spec, with every default applied.
    pub fn spec(&self) -> Spec {
        let mut roles = self.roles.clone();
        if roles.is_empty() {
            roles.insert(
                "user".to_string(),
                Role {
                    signup: true,
                    ..Role::default()
                },
            );
        }
        // As the parser does: the implicit `admin` role is added when no
        // role is an admin and the name is free (else `validate` reports
        // E505).
        if !roles.values().any(|r| r.admin) && !roles.contains_key("admin") {
            roles.insert(
                "admin".to_string(),
                Role {
                    admin: true,
                    ..Role::default()
                },
            );
        }
        let admin_roles: Vec<String> = roles
            .iter()
            .filter(|(_, r)| r.admin)
            .map(|(n, _)| n.clone())
            .collect();
        let mut entities = self
            .entities
            .iter()
            .map(|(name, e)| (name.clone(), e.finish()))
            .collect();
        crate::spec::complete_entities(&mut entities, &admin_roles);
        Spec {
            spec_version: SPEC_VERSION,
            product: self.product.clone(),
            stack: self.stack.clone(),
            database: self.database.clone(),
            compliance: self.compliance.clone(),
            roles,
            entities,
            integrations: self.integrations.clone(),
            api: self.api.clone(),
        }
    }

    /// The spec, lowered into a blueprint.
    ///
    /// ```
    /// use blueprint_core::builder::SpecBuilder;
    /// use blueprint_core::spec::{Action, Subject};
    ///
    /// let bp = SpecBuilder::new("notes").with_entity("Note", |e| e.owned()).build();
    /// assert_eq!(bp.who_can(Action::Update, "Note"), [Subject::Owner, Subject::Role("admin".into())]);
    /// ```
    pub fn build(&self) -> Blueprint {
        Blueprint::from_spec(&self.spec())
    }

    /// The spec, checked by every rule the spec parser applies: `Err` holds
    /// the errors (and any warnings) as diagnostics without places.
    ///
    /// ```
    /// use blueprint_core::builder::SpecBuilder;
    /// use blueprint_core::spec::{Action, FieldType};
    ///
    /// let bad = SpecBuilder::new("notes")
    ///     .with_entity("Note", |e| e.with_field("body", FieldType::Text, |f| f).with_access(Action::Create, ["owner"]));
    /// let errors = bad.try_spec().unwrap_err();
    /// assert_eq!(errors[0].code.as_str(), "E502");
    /// ```
    pub fn try_spec(&self) -> Result<Spec, Vec<crate::diag::Diagnostic>> {
        let spec = self.spec();
        let diagnostics = crate::spec::validate(&spec);
        if diagnostics.iter().any(crate::diag::Diagnostic::is_error) {
            Err(diagnostics)
        } else {
            Ok(spec)
        }
    }

    /// Checks the spec like [`try_spec`](Self::try_spec), then lowers it.
    ///
    /// ```
    /// use blueprint_core::builder::SpecBuilder;
    /// let bp = SpecBuilder::new("notes").with_entity("Note", |e| e).try_build().expect("valid");
    /// assert_eq!(bp.entities(), ["Note"]);
    /// ```
    pub fn try_build(&self) -> Result<Blueprint, Vec<crate::diag::Diagnostic>> {
        self.try_spec().map(|spec| Blueprint::from_spec(&spec))
    }
}

/// Shapes a [`Role`] inside [`SpecBuilder::with_role`].
#[derive(Debug, Clone)]
pub struct RoleBuilder(Role);

impl RoleBuilder {
    /// Visitors may register into this role.
    pub fn signup(mut self) -> RoleBuilder {
        self.0.signup = true;
        self
    }

    /// An admin role: may always do everything.
    pub fn admin(mut self) -> RoleBuilder {
        self.0.admin = true;
        self
    }

    /// With this description.
    pub fn description(mut self, text: impl Into<String>) -> RoleBuilder {
        self.0.description = Some(text.into());
        self
    }
}

/// Shapes an [`Entity`] inside [`SpecBuilder::with_entity`].
#[derive(Debug, Clone)]
pub struct EntityBuilder {
    entity: Entity,
    /// The rules given, per action in [`Action::ALL`] order; `None` takes the
    /// default when the spec is made.
    access: [Option<Vec<Subject>>; 4],
}

impl EntityBuilder {
    fn new(name: &str) -> EntityBuilder {
        EntityBuilder {
            entity: Entity {
                description: None,
                owned: false,
                owned_through: None,
                completion: Default::default(),
                fields: IndexMap::new(),
                relations: IndexMap::new(),
                access: Access::default(),
                retention: None,
                plural: None,
                renamed_from: None,
                name: name.to_string(),
            },
            access: [None, None, None, None],
        }
    }

    /// With this description.
    pub fn description(mut self, text: impl Into<String>) -> EntityBuilder {
        self.entity.description = Some(text.into());
        self
    }

    /// Rows belong to the user who created them.
    pub fn owned(mut self) -> EntityBuilder {
        self.entity.owned = true;
        self.entity.completion.owned_key = true;
        self
    }

    /// Rows belong to the owner of the row `relation` points at (a
    /// required many-to-one or one-to-one relation to an owned entity).
    ///
    /// ```
    /// use blueprint_core::builder::SpecBuilder;
    /// let spec = SpecBuilder::new("lending")
    ///     .with_entity("Loan", |e| e.owned())
    ///     .with_entity("Repayment", |e| {
    ///         e.with_relation("loan", "Loan", |r| r.required()).owned_through("loan")
    ///     })
    ///     .spec();
    /// assert_eq!(spec.entities["Repayment"].owned_through.as_deref(), Some("loan"));
    /// ```
    pub fn owned_through(mut self, relation: impl Into<String>) -> EntityBuilder {
        self.entity.owned_through = Some(relation.into());
        self.entity.completion.owned_key = true;
        self
    }

    /// Rows belong to nobody, even with a required relation to an owned
    /// entity (which would otherwise imply ownership through it).
    pub fn not_owned(mut self) -> EntityBuilder {
        self.entity.owned = false;
        self.entity.owned_through = None;
        self.entity.completion.owned_key = true;
        self
    }

    /// With a field of type `ty` (snake_case name), shaped by `f`; fields
    /// keep the order they are added in.
    ///
    /// ```
    /// use blueprint_core::builder::SpecBuilder;
    /// use blueprint_core::spec::{FieldType, Pii};
    ///
    /// let spec = SpecBuilder::new("clinic")
    ///     .with_entity("Patient", |e| {
    ///         e.with_field("insurance_number", FieldType::String, |f| f.max(40).pii(Pii::Sensitive))
    ///     })
    ///     .spec();
    /// assert_eq!(spec.entities["Patient"].fields["insurance_number"].pii, Some(Pii::Sensitive));
    /// ```
    pub fn with_field(
        mut self,
        name: impl Into<String>,
        ty: FieldType,
        f: impl FnOnce(FieldBuilder) -> FieldBuilder,
    ) -> EntityBuilder {
        let field = f(FieldBuilder(Field::new(ty))).0;
        self.entity.fields.insert(name.into(), field);
        self
    }

    /// With a relation to the entity `to` (many-to-one, optional,
    /// `restrict` unless `f` says otherwise).
    pub fn with_relation(
        mut self,
        name: impl Into<String>,
        to: impl Into<String>,
        f: impl FnOnce(RelationBuilder) -> RelationBuilder,
    ) -> EntityBuilder {
        let relation = f(RelationBuilder(Relation {
            to: to.into(),
            kind: RelationKind::ManyToOne,
            required: false,
            on_delete: OnDelete::Restrict,
            inverse: None,
        }))
        .0;
        self.entity.relations.insert(name.into(), relation);
        self
    }

    /// Who may perform `action`: role names, `owner`, `authenticated` or
    /// `public`, as a spec writes them. Actions without a rule take the
    /// default.
    pub fn with_access<S: AsRef<str>>(
        mut self,
        action: Action,
        subjects: impl IntoIterator<Item = S>,
    ) -> EntityBuilder {
        let subjects = subjects
            .into_iter()
            .map(|s| Subject::parse(s.as_ref()))
            .collect();
        self.access[action_index(action)] = Some(subjects);
        self
    }

    /// Rows are deleted this long after creation.
    pub fn retention(mut self, retention: Retention) -> EntityBuilder {
        self.entity.retention = Some(retention);
        self
    }

    /// The collection name, when the English plural is wrong.
    pub fn plural(mut self, plural: impl Into<String>) -> EntityBuilder {
        self.entity.plural = Some(plural.into());
        self
    }

    /// The entity's name in the model the project was last generated from
    /// (`renamed_from:`): the next migration renames its table.
    pub fn renamed_from(mut self, old: impl Into<String>) -> EntityBuilder {
        self.entity.renamed_from = Some(old.into());
        self
    }

    /// The entity with the access it was given; the defaults are applied
    /// by the spec's completion, once ownership is known.
    fn finish(&self) -> Entity {
        let mut entity = self.entity.clone();
        entity.completion.defaulted.clear();
        for action in Action::ALL {
            match &self.access[action_index(action)] {
                Some(given) => *entity.access.get_mut(action) = given.clone(),
                None => entity.completion.defaulted.push(action),
            }
        }
        entity
    }
}

fn action_index(action: Action) -> usize {
    match action {
        Action::Create => 0,
        Action::Read => 1,
        Action::Update => 2,
        Action::Delete => 3,
    }
}

/// Shapes a [`Field`] inside [`EntityBuilder::with_field`].
#[derive(Debug, Clone)]
pub struct FieldBuilder(Field);

impl FieldBuilder {
    /// A value must be given.
    pub fn required(mut self) -> FieldBuilder {
        self.0.required = true;
        self
    }

    /// No two rows share a value.
    pub fn unique(mut self) -> FieldBuilder {
        self.0.unique = true;
        self
    }

    /// The column gets an index.
    pub fn index(mut self) -> FieldBuilder {
        self.0.index = true;
        self
    }

    /// The value used when none is given.
    pub fn default_value(mut self, value: impl IntoScalar) -> FieldBuilder {
        self.0.default = Some(value.into_scalar());
        self
    }

    /// Lower bound: the value for numbers, the length for text.
    pub fn min(mut self, min: impl IntoNumber) -> FieldBuilder {
        self.0.min = Some(min.into_number());
        self
    }

    /// Upper bound: the value for numbers, the length for text.
    pub fn max(mut self, max: impl IntoNumber) -> FieldBuilder {
        self.0.max = Some(max.into_number());
        self
    }

    /// A regular expression searched in the value.
    pub fn pattern(mut self, pattern: impl Into<String>) -> FieldBuilder {
        self.0.pattern = Some(pattern.into());
        self
    }

    /// The allowed values of an `enum` field.
    pub fn values<S: Into<String>>(mut self, values: impl IntoIterator<Item = S>) -> FieldBuilder {
        self.0.values = values.into_iter().map(Into::into).collect();
        self
    }

    /// Total digits and digits after the point of a `decimal` field.
    pub fn digits(mut self, precision: u32, scale: u32) -> FieldBuilder {
        self.0.precision = Some(precision);
        self.0.scale = Some(scale);
        self
    }

    /// The declared PII class.
    pub fn pii(mut self, pii: Pii) -> FieldBuilder {
        self.0.pii = Some(pii);
        self
    }

    /// With this description.
    pub fn description(mut self, text: impl Into<String>) -> FieldBuilder {
        self.0.description = Some(text.into());
        self
    }

    /// Only these subjects see the field (`read:`).
    pub fn read<S: AsRef<str>>(mut self, subjects: impl IntoIterator<Item = S>) -> FieldBuilder {
        self.0.read = Some(
            subjects
                .into_iter()
                .map(|s| Subject::parse(s.as_ref()))
                .collect(),
        );
        self
    }

    /// Only these subjects set the field (`write:`).
    pub fn write<S: AsRef<str>>(mut self, subjects: impl IntoIterator<Item = S>) -> FieldBuilder {
        self.0.write = Some(
            subjects
                .into_iter()
                .map(|s| Subject::parse(s.as_ref()))
                .collect(),
        );
        self
    }

    /// A listed move of the field's workflow, from one value to another,
    /// and who may make it (`transitions:`).
    pub fn transition<S: AsRef<str>>(
        mut self,
        from: impl Into<String>,
        to: impl Into<String>,
        subjects: impl IntoIterator<Item = S>,
    ) -> FieldBuilder {
        self.0.transitions.entry(from.into()).or_default().insert(
            to.into(),
            subjects
                .into_iter()
                .map(|s| Subject::parse(s.as_ref()))
                .collect(),
        );
        self
    }

    /// The field's name in the model the project was last generated from
    /// (`renamed_from:`): the next migration renames its column.
    pub fn renamed_from(mut self, old: impl Into<String>) -> FieldBuilder {
        self.0.renamed_from = Some(old.into());
        self
    }

    /// The values in which the row's other fields cannot change (`frozen:`).
    pub fn frozen<S: Into<String>>(mut self, values: impl IntoIterator<Item = S>) -> FieldBuilder {
        self.0.frozen = values.into_iter().map(Into::into).collect();
        self
    }
}

/// Shapes a [`Relation`] inside [`EntityBuilder::with_relation`].
#[derive(Debug, Clone)]
pub struct RelationBuilder(Relation);

impl RelationBuilder {
    /// With this cardinality instead of many-to-one.
    pub fn kind(mut self, kind: RelationKind) -> RelationBuilder {
        self.0.kind = kind;
        self
    }

    /// A link must be given.
    pub fn required(mut self) -> RelationBuilder {
        self.0.required = true;
        self
    }

    /// What happens when the target row is deleted, instead of `restrict`.
    pub fn on_delete(mut self, on_delete: OnDelete) -> RelationBuilder {
        self.0.on_delete = on_delete;
        self
    }

    /// The name of the inverse (one-to-many) side on the target.
    pub fn inverse(mut self, name: impl Into<String>) -> RelationBuilder {
        self.0.inverse = Some(name.into());
        self
    }
}

/// A value a builder accepts as a [`Number`]: `i32`, `i64`, `u32`, `f64` or
/// a `Number`. (A local trait, so the spec types keep their own
/// conversions.)
pub trait IntoNumber {
    /// The value as a spec number.
    fn into_number(self) -> Number;
}

impl IntoNumber for Number {
    fn into_number(self) -> Number {
        self
    }
}

impl IntoNumber for i64 {
    fn into_number(self) -> Number {
        Number::Int(self)
    }
}

impl IntoNumber for i32 {
    fn into_number(self) -> Number {
        Number::Int(i64::from(self))
    }
}

impl IntoNumber for u32 {
    fn into_number(self) -> Number {
        Number::Int(i64::from(self))
    }
}

impl IntoNumber for f64 {
    fn into_number(self) -> Number {
        Number::Float(self)
    }
}

/// A value a builder accepts as a field default ([`Scalar`]): `bool`, a
/// number, `&str`, `String` or a `Scalar`.
pub trait IntoScalar {
    /// The value as a spec scalar.
    fn into_scalar(self) -> Scalar;
}

impl IntoScalar for Scalar {
    fn into_scalar(self) -> Scalar {
        self
    }
}

impl IntoScalar for bool {
    fn into_scalar(self) -> Scalar {
        Scalar::Bool(self)
    }
}

impl IntoScalar for &str {
    fn into_scalar(self) -> Scalar {
        Scalar::Str(self.to_string())
    }
}

impl IntoScalar for String {
    fn into_scalar(self) -> Scalar {
        Scalar::Str(self)
    }
}

macro_rules! number_scalar {
    ($($t:ty),*) => {$(
        impl IntoScalar for $t {
            fn into_scalar(self) -> Scalar {
                Scalar::Number(self.into_number())
            }
        }
    )*};
}

number_scalar!(i32, i64, u32, f64, Number);
