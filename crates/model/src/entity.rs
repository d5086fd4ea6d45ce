//! Entities as the running backend holds them: fields with their column
//! and JSON names, classes and constraints; relations with their keys;
//! ownership; what lists may filter and sort by; what blocks a delete.

use blueprint_core::spec::{self, FieldType, OnDelete, RelationKind, Retention, RetentionUnit};
use serde::Serialize;

use crate::access::ActionAccess;
use crate::sample::Sample;

/// The index of an entity in [`AppModel::entities`](crate::AppModel::entities).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct EntityId(pub usize);

/// The index of a role in [`AppModel::roles`](crate::AppModel::roles).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct RoleId(pub usize);

/// A field's personal-data class, as the compliance stage decided it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PiiClass {
    /// Not personal data.
    None,
    /// Personal data (GDPR Art. 4(1)).
    Personal,
    /// Sensitive: encrypted at rest, never filtered or sorted on.
    Sensitive,
}

impl PiiClass {
    /// The class as the documents name it.
    pub fn as_str(self) -> &'static str {
        match self {
            PiiClass::None => "none",
            PiiClass::Personal => "personal",
            PiiClass::Sensitive => "sensitive",
        }
    }
}

/// Whose rows an entity's rows are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Ownership {
    /// Rows belong to nobody in particular.
    None,
    /// Each row belongs to the user who created it (or, for admin roles,
    /// the user named by `owner_id`).
    Direct,
    /// Each row belongs to the owner of the row its relation points at
    /// (to any depth): `owner_id` is derived and read-only for everyone.
    Through {
        /// The relation, by index in [`Entity::relations`].
        relation: usize,
        /// The entity it points at.
        parent: EntityId,
    },
}

/// Who may see or set a field, per role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldRule {
    /// The subjects the spec names.
    pub subjects: Vec<blueprint_core::spec::Subject>,
    /// Whether visitors without a session may (only ever for `read`).
    pub public: bool,
    /// One decision per role: `all` (every row), `own` (rows the caller
    /// owns, or would own on create), `none`.
    pub roles: Vec<crate::Scope>,
}

impl FieldRule {
    /// The decision for a role, or a visitor (`None`).
    pub fn scope(&self, role: Option<crate::RoleId>) -> crate::Scope {
        match role {
            None if self.public => crate::Scope::All,
            None => crate::Scope::None,
            Some(r) => self.roles.get(r.0).copied().unwrap_or(crate::Scope::None),
        }
    }
}

/// One move of a workflow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Move {
    /// The value it leaves.
    pub from: String,
    /// The value it reaches.
    pub to: String,
    /// Who may make it, as the spec names them (admin roles always may).
    pub subjects: Vec<blueprint_core::spec::Subject>,
    /// One decision per role: `all`, `own` (on rows the caller owns) or
    /// `none`.
    pub roles: Vec<crate::Scope>,
}

/// What a workflow answers to a change of its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MoveAnswer {
    /// The value stays (not a move).
    Same,
    /// A listed move the caller may make.
    Allowed,
    /// A listed move the caller may not make: 403.
    Forbidden,
    /// A move the workflow does not list: 409.
    NotListed,
}

/// The workflow of an `enum` field: where rows start, the moves, and the
/// values in which the row's other fields are frozen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Workflow {
    /// The value every row starts in (the field's default).
    pub initial: String,
    /// The listed moves, in spec order.
    pub moves: Vec<Move>,
    /// Values in which the row's other fields cannot change.
    pub frozen: Vec<String>,
}

impl Workflow {
    /// The move from `from` to `to`, if listed.
    pub fn find(&self, from: &str, to: &str) -> Option<&Move> {
        self.moves.iter().find(|m| m.from == from && m.to == to)
    }

    /// What changing the value from `from` to `to` answers for a role (on
    /// its own row when `mine`).
    ///
    /// ```
    /// use model::{MoveAnswer, Move, Scope, Workflow};
    /// let w = Workflow {
    ///     initial: "draft".into(),
    ///     moves: vec![Move { from: "draft".into(), to: "submitted".into(), subjects: vec![], roles: vec![Scope::Own] }],
    ///     frozen: vec![],
    /// };
    /// assert_eq!(w.judge("draft", "submitted", Some(model::RoleId(0)), true), MoveAnswer::Allowed);
    /// assert_eq!(w.judge("draft", "submitted", Some(model::RoleId(0)), false), MoveAnswer::Forbidden);
    /// assert_eq!(w.judge("submitted", "draft", Some(model::RoleId(0)), true), MoveAnswer::NotListed);
    /// ```
    pub fn judge(
        &self,
        from: &str,
        to: &str,
        role: Option<crate::RoleId>,
        mine: bool,
    ) -> MoveAnswer {
        if from == to {
            return MoveAnswer::Same;
        }
        let Some(m) = self.find(from, to) else {
            return MoveAnswer::NotListed;
        };
        let scope = role
            .and_then(|r| m.roles.get(r.0).copied())
            .unwrap_or(crate::Scope::None);
        match scope {
            crate::Scope::All => MoveAnswer::Allowed,
            crate::Scope::Own if mine => MoveAnswer::Allowed,
            _ => MoveAnswer::Forbidden,
        }
    }

    /// Whether the row's other fields are frozen in this value.
    pub fn is_frozen(&self, value: &str) -> bool {
        self.frozen.iter().any(|v| v == value)
    }

    /// The values reachable from the initial one, in the order moves reach
    /// them (the initial one first).
    pub fn reachable(&self) -> Vec<&str> {
        let mut out = vec![self.initial.as_str()];
        let mut i = 0;
        while i < out.len() {
            let from = out[i];
            for m in self.moves.iter().filter(|m| m.from == from) {
                if !out.contains(&m.to.as_str()) {
                    out.push(m.to.as_str());
                }
            }
            i += 1;
        }
        out
    }

    /// The shortest walk of listed moves from `start` to any of `goals`:
    /// the values to move to, one move at a time (empty when `start` is a
    /// goal); `None` when no goal can be reached.
    ///
    /// ```
    /// use model::{Move, Workflow};
    /// let step = |from: &str, to: &str| Move { from: from.into(), to: to.into(), subjects: vec![], roles: vec![] };
    /// let w = Workflow {
    ///     initial: "draft".into(),
    ///     moves: vec![step("draft", "sent"), step("sent", "approved"), step("approved", "paid")],
    ///     frozen: vec![],
    /// };
    /// assert_eq!(w.walk("draft", &["approved".to_string()]), Some(vec!["sent".to_string(), "approved".to_string()]));
    /// assert_eq!(w.walk("sent", &["sent".to_string()]), Some(vec![]));
    /// assert_eq!(w.walk("paid", &["draft".to_string()]), None);
    /// ```
    pub fn walk(&self, start: &str, goals: &[String]) -> Option<Vec<String>> {
        // Breadth first, each value once, remembering where it came from.
        let mut came_from: Vec<(&str, Option<usize>)> = vec![(start, None)];
        let mut i = 0;
        while i < came_from.len() {
            let (value, _) = came_from[i];
            if goals.iter().any(|g| g == value) {
                let mut path = Vec::new();
                let mut at = Some(i);
                while let Some(k) = at {
                    path.push(came_from[k].0.to_string());
                    at = came_from[k].1;
                }
                path.pop();
                path.reverse();
                return Some(path);
            }
            for m in self.moves.iter().filter(|m| m.from == value) {
                if !came_from.iter().any(|(v, _)| *v == m.to) {
                    came_from.push((m.to.as_str(), Some(i)));
                }
            }
            i += 1;
        }
        None
    }
}

/// A scalar field.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Field {
    /// The name in the spec, which is also its JSON key and column name.
    pub name: String,
    /// The rules the spec declares (type, bounds, pattern, values,
    /// default, description).
    pub rules: spec::Field,
    /// Whether the column allows NULL (neither required nor defaulted).
    pub nullable: bool,
    /// The longest text it takes, for textual fields (a `string` without
    /// `max` takes 255).
    pub max_length: Option<u64>,
    /// Its personal-data class.
    pub pii: PiiClass,
    /// Whether it is encrypted at rest (sensitive).
    pub encrypted: bool,
    /// The keyed-hash column that enforces uniqueness of an encrypted
    /// unique value.
    pub blind_index: Option<String>,
    /// Whether lists may filter on it (`?name=value`).
    pub filterable: bool,
    /// Whether lists may sort by it.
    pub sortable: bool,
    /// The unique constraint's name, when unique.
    pub unique_constraint: Option<String>,
    /// The plain index's name, when indexed and not unique.
    pub index: Option<String>,
    /// How tests and checks make valid values.
    pub sample: Sample,
    /// Who sees the field, when the spec narrows it (`read:`); `None`:
    /// whoever reads the row.
    pub read: Option<FieldRule>,
    /// Who sets the field, when the spec narrows it (`write:`); `None`:
    /// whoever creates or updates the row.
    pub write: Option<FieldRule>,
    /// The workflow of an `enum` field with `transitions`.
    pub workflow: Option<Workflow>,
}

impl Field {
    /// The field's type.
    pub fn ty(&self) -> FieldType {
        self.rules.ty
    }

    /// Whether a create must give it: required and without a default (a
    /// required field with a default takes the default when left out).
    pub fn required_on_create(&self) -> bool {
        self.rules.required && self.rules.default.is_none()
    }
}

/// A join table of a many-to-many relation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JoinTable {
    /// The table's name.
    pub table: String,
    /// Its primary key constraint.
    pub primary_key: String,
    /// The foreign key to the source row.
    pub source_foreign_key: String,
    /// The foreign key to the target row.
    pub target_foreign_key: String,
    /// The index on the target column.
    pub target_index: String,
}

/// A relation from this entity to another (or itself).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Relation {
    /// The relation's name in the spec (`patient`).
    pub name: String,
    /// The entity it points at.
    pub target: EntityId,
    /// That entity's name.
    pub target_name: String,
    /// many-to-one, one-to-one or many-to-many.
    pub kind: RelationKind,
    /// Whether a link must be given.
    pub required: bool,
    /// What deleting the target does.
    pub on_delete: OnDelete,
    /// The name of the other side, for documents.
    pub inverse: Option<String>,
    /// The JSON key: `patient_id`, or `label_ids` for many-to-many. For a
    /// to-one relation it is also the column.
    pub key: String,
    /// The foreign key constraint of a to-one relation.
    pub foreign_key: Option<String>,
    /// The index on a many-to-one column.
    pub index: Option<String>,
    /// The unique constraint of a one-to-one column.
    pub unique_constraint: Option<String>,
    /// The join table of a many-to-many relation.
    pub join: Option<JoinTable>,
}

impl Relation {
    /// Whether the relation is a column of this entity's table (not a
    /// join table).
    pub fn is_to_one(&self) -> bool {
        self.kind != RelationKind::ManyToMany
    }
}

/// How long rows are kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RetentionPeriod {
    /// The spec's period.
    pub period: Retention,
    /// As a PostgreSQL interval (`10 years`).
    pub interval: String,
    /// An upper bound in days.
    pub max_days: u64,
}

impl RetentionPeriod {
    pub(crate) fn of(period: Retention) -> RetentionPeriod {
        let unit = match period.unit {
            RetentionUnit::Days => "days",
            RetentionUnit::Months => "months",
            RetentionUnit::Years => "years",
        };
        RetentionPeriod {
            period,
            interval: format!("{} {unit}", period.amount),
            max_days: period.max_days(),
        }
    }
}

/// What a list may filter on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "index", rename_all = "snake_case")]
pub enum FilterOn {
    /// A scalar field, by index in [`Entity::fields`].
    Field(usize),
    /// A to-one relation's key, by index in [`Entity::relations`].
    Relation(usize),
}

/// A restrict relation from another entity that blocks deleting a row of
/// this one while rows refer to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Blocker {
    /// The referring entity.
    pub entity: EntityId,
    /// Its name.
    pub entity_name: String,
    /// The key that refers here (`clinician_id`).
    pub key: String,
    /// The foreign key constraint.
    pub foreign_key: String,
}

/// An entity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entity {
    /// Its id in the model.
    pub id: EntityId,
    /// The spec's PascalCase name.
    pub name: String,
    /// The collection name: URL segment and table name.
    pub collection: String,
    /// The table name.
    pub table: String,
    /// The spec's description.
    pub description: Option<String>,
    /// Whose rows they are.
    pub ownership: Ownership,
    /// The foreign key from `owner_id` to the users, when owned (directly
    /// or through a relation: stacks may keep the derived owner in a
    /// column of its own).
    pub owner_foreign_key: Option<String>,
    /// The index on `(owner_id, created_at, id)` that serves the owner's
    /// lists, when owned.
    pub owner_index: Option<String>,
    /// The scalar fields, in spec order.
    pub fields: Vec<Field>,
    /// The relations, in spec order.
    pub relations: Vec<Relation>,
    /// Who may do what, in CRUD order ([`Action::ALL`](blueprint_core::spec::Action::ALL)).
    pub access: Vec<ActionAccess>,
    /// How long rows are kept.
    pub retention: Option<RetentionPeriod>,
    /// What lists may sort by, besides `created_at` and `updated_at`.
    pub sortable: Vec<usize>,
    /// What lists may filter on.
    pub filters: Vec<FilterOn>,
    /// Restrict relations that point here.
    pub blockers: Vec<Blocker>,
}

impl Entity {
    /// Whether rows belong to users (directly or through a relation).
    pub fn is_owned(&self) -> bool {
        self.ownership != Ownership::None
    }

    /// Whether an admin role may set `owner_id` on create (directly owned
    /// entities only; a derived owner is read-only for everyone).
    pub fn owner_settable(&self) -> bool {
        self.ownership == Ownership::Direct
    }

    /// The relation that makes the owner, for rows owned through one.
    pub fn owner_relation(&self) -> Option<&Relation> {
        match self.ownership {
            Ownership::Through { relation, .. } => self.relations.get(relation),
            _ => None,
        }
    }

    /// The most rows test data can make of this entity, and the unique
    /// field that limits it: the unique field whose [`Sample`] makes the
    /// fewest distinct values, when that is under 1,000 (`amount` unique
    /// with `min: 0, max: 1` allows two rows). `None` when no unique field
    /// limits the rows.
    ///
    /// [`Sample`]: crate::sample::Sample
    pub fn row_limit(&self) -> Option<(u64, &Field)> {
        self.fields
            .iter()
            .filter(|f| f.rules.unique)
            .filter_map(|f| f.sample.distinct().map(|n| (n, f)))
            .filter(|(n, _)| *n < 1000)
            .min_by_key(|(n, _)| *n)
    }

    /// The fields with a workflow.
    pub fn workflows(&self) -> impl Iterator<Item = &Field> {
        self.fields.iter().filter(|f| f.workflow.is_some())
    }

    /// Whether a role may filter on a field: the field is filterable, and
    /// the role may read it on every row it can list ([`Self::may_query`]).
    pub fn may_filter(&self, field: &Field, role: Option<crate::RoleId>) -> bool {
        field.filterable && self.may_query(field, role)
    }

    /// Whether a role may name a field in a query (a filter or a sort),
    /// whether or not the field is filterable or sortable: the role may
    /// read it on every row it can list, so the order or the matches of
    /// its rows tell it nothing its `read` rule hides.
    pub fn may_query(&self, field: &Field, role: Option<crate::RoleId>) -> bool {
        let Some(rule) = &field.read else {
            return true;
        };
        match rule.scope(role) {
            crate::Scope::All => true,
            crate::Scope::Own => {
                self.access(blueprint_core::spec::Action::Read).scope(role) == crate::Scope::Own
            }
            crate::Scope::None => false,
        }
    }

    /// The rule of one action.
    pub fn access(&self, action: blueprint_core::spec::Action) -> &ActionAccess {
        &self.access[action as usize]
    }

    /// A field by name.
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The to-one relations.
    pub fn to_one(&self) -> impl Iterator<Item = &Relation> {
        self.relations.iter().filter(|r| r.is_to_one())
    }

    /// The many-to-many relations.
    pub fn to_many(&self) -> impl Iterator<Item = &Relation> {
        self.relations.iter().filter(|r| !r.is_to_one())
    }

    /// The encrypted fields.
    pub fn encrypted(&self) -> impl Iterator<Item = &Field> {
        self.fields.iter().filter(|f| f.encrypted)
    }

    /// The JSON names lists may sort by: `created_at`, `updated_at`, then
    /// the sortable fields.
    pub fn sort_keys(&self) -> Vec<&str> {
        let mut keys = vec!["created_at", "updated_at"];
        keys.extend(self.sortable.iter().map(|i| self.fields[*i].name.as_str()));
        keys
    }

    /// The JSON names lists may filter on.
    pub fn filter_keys(&self) -> Vec<&str> {
        self.filters
            .iter()
            .map(|f| match f {
                FilterOn::Field(i) => self.fields[*i].name.as_str(),
                FilterOn::Relation(i) => self.relations[*i].key.as_str(),
            })
            .collect()
    }
}
