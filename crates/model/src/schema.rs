//! The relational schema an application model needs, stack-neutral, and
//! the steps that take a database from one schema to the next.
//!
//! [`Schema::of`] lists every table the model's entities need (the
//! tables every backend keeps for accounts, sessions and the audit log are
//! not listed: they do not change with the spec), with each column's
//! nullability, its field rules (type, bounds, enum values), encryption and
//! blind index, unique constraint, indexes and foreign keys, under the
//! names [`crate::names`] and the model decide. It is serializable and
//! deterministic: a generation keeps it (`.archgen/schema.json`), and the
//! next one diffs it against the new model's ([`diff`]).

mod diff;
pub mod sql;

pub use diff::{diff, Change, DiffError, Hints, Safety, Step};

use crate::{AppModel, Entity};
use blueprint_core::spec::{self, OnDelete};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The columns every entity table has besides those listed.
pub const IMPLICIT_COLUMNS: &[&str] = &["id", "created_at", "updated_at"];

/// The version of the schema's own JSON format.
pub const SCHEMA_FORMAT: u32 = 1;

/// The tables of an application model, in model order (each entity's
/// table, then the join tables of its many-to-many relations).
///
/// ```
/// use blueprint_core::builder::SpecBuilder;
/// use blueprint_core::spec::FieldType;
/// let spec = SpecBuilder::new("tasks")
///     .with_entity("Task", |e| e.with_field("title", FieldType::String, |f| f.required()))
///     .spec();
/// let mut bp = blueprint_core::graph::Blueprint::from_spec(&spec);
/// compliance::complete(&mut bp).unwrap();
/// let model = model::AppModel::from_blueprint(&bp);
/// let schema = model::schema::Schema::of(&model);
/// let table = schema.table("tasks").unwrap();
/// assert!(!table.column("title").unwrap().nullable);
/// assert_eq!(model::schema::Schema::from_json(&schema.to_json()).unwrap(), schema);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Schema {
    /// [`SCHEMA_FORMAT`].
    pub format: u32,
    /// The tables.
    pub tables: Vec<Table>,
}

/// One table of a [`Schema::layout`].
#[derive(Debug, Clone, PartialEq)]
pub struct TableLayout {
    /// The columns' shapes by name.
    pub columns: BTreeMap<String, Column>,
    /// The indexes' columns by name.
    pub indexes: BTreeMap<String, Vec<String>>,
    /// A join table's constraint names.
    pub join: Option<Join>,
}

/// A table of an entity or of a many-to-many relation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table {
    /// The table's name.
    pub name: String,
    /// The entity whose rows it holds (`None` for a join table).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity: Option<String>,
    /// The columns the spec decides, in model order: `owner_id` when owned,
    /// the fields, the to-one keys. Every entity table also has `id`,
    /// `created_at` and `updated_at`; a join table has exactly
    /// `source_id` and `target_id` (listed).
    pub columns: Vec<Column>,
    /// The plain indexes (unique constraints are on their columns).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indexes: Vec<Index>,
    /// The names of a join table's constraints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub join: Option<Join>,
}

/// A column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Column {
    /// The column's name.
    pub name: String,
    /// What the column holds.
    pub kind: ColumnKind,
    /// Whether it allows NULL.
    pub nullable: bool,
    /// The unique constraint on the column (on its blind index when
    /// encrypted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unique: Option<String>,
    /// The foreign key, for keys and the owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub references: Option<Reference>,
}

/// What a column holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ColumnKind {
    /// A scalar field, with the rules that shape its column (type, bounds,
    /// values, default; the rules that only the API reads are left out).
    Field {
        /// The field's rules.
        rules: Box<spec::Field>,
        /// Whether it is stored encrypted (its column holds ciphertext).
        #[serde(default)]
        encrypted: bool,
        /// The keyed-hash column of an encrypted unique field.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        blind_index: Option<String>,
    },
    /// A to-one relation's key, or a join table's side.
    Key,
    /// The row's owner (`owner_id`).
    Owner,
}

/// A foreign key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reference {
    /// The constraint's name.
    pub name: String,
    /// The table it points at (its `id`).
    pub table: String,
    /// What deleting the target row does.
    pub on_delete: OnDelete,
}

/// A plain index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Index {
    /// The index's name.
    pub name: String,
    /// Its columns, in order.
    pub columns: Vec<String>,
}

/// The constraint names of a join table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Join {
    /// The primary key on `(source_id, target_id)`.
    pub primary_key: String,
}

impl Column {
    /// The field's rules, for a field column.
    pub fn rules(&self) -> Option<&spec::Field> {
        match &self.kind {
            ColumnKind::Field { rules, .. } => Some(rules.as_ref()),
            _ => None,
        }
    }

    /// Whether the column holds ciphertext.
    pub fn encrypted(&self) -> bool {
        matches!(
            self.kind,
            ColumnKind::Field {
                encrypted: true,
                ..
            }
        )
    }

    /// The SQL type the column is stored as: `text` when encrypted, `uuid`
    /// for keys and the owner.
    pub fn sql_type(&self) -> SqlType {
        match &self.kind {
            ColumnKind::Field {
                encrypted: true, ..
            } => SqlType::Text,
            ColumnKind::Field { rules, .. } => SqlType::of(rules),
            ColumnKind::Key | ColumnKind::Owner => SqlType::Uuid,
        }
    }

    /// The column without what only fills rows and does not shape the
    /// column (the default): two columns with the same shape need no step.
    pub fn shape(&self) -> Column {
        let mut out = self.clone();
        if let ColumnKind::Field { rules, .. } = &mut out.kind {
            rules.default = None;
        }
        out
    }

    /// The blind-index column of an encrypted unique field.
    pub fn blind_index(&self) -> Option<&str> {
        match &self.kind {
            ColumnKind::Field { blind_index, .. } => blind_index.as_deref(),
            _ => None,
        }
    }
}

/// The SQL type a column is stored as (PostgreSQL's names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SqlType {
    /// `varchar(n)`.
    Varchar {
        /// The longest value.
        length: u64,
    },
    /// `text` (also every encrypted value: ciphertext).
    Text,
    /// `integer`.
    Integer,
    /// `bigint`.
    Bigint,
    /// `numeric(p, s)`.
    Numeric {
        /// Total digits.
        precision: u32,
        /// Digits after the point.
        scale: u32,
    },
    /// `boolean`.
    Boolean,
    /// `date`.
    Date,
    /// `timestamptz`.
    Timestamptz,
    /// `uuid`.
    Uuid,
    /// `jsonb`.
    Jsonb,
}

impl std::fmt::Display for SqlType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SqlType::Varchar { length } => write!(f, "varchar({length})"),
            SqlType::Text => f.write_str("text"),
            SqlType::Integer => f.write_str("integer"),
            SqlType::Bigint => f.write_str("bigint"),
            SqlType::Numeric { precision, scale } => write!(f, "numeric({precision}, {scale})"),
            SqlType::Boolean => f.write_str("boolean"),
            SqlType::Date => f.write_str("date"),
            SqlType::Timestamptz => f.write_str("timestamptz"),
            SqlType::Uuid => f.write_str("uuid"),
            SqlType::Jsonb => f.write_str("jsonb"),
        }
    }
}

impl SqlType {
    /// The type of a field's column (unencrypted).
    ///
    /// ```
    /// use blueprint_core::spec::{Field, FieldType};
    /// use model::schema::SqlType;
    /// assert_eq!(SqlType::of(&Field::new(FieldType::String)), SqlType::Varchar { length: 255 });
    /// ```
    pub fn of(rules: &spec::Field) -> SqlType {
        use spec::FieldType as T;
        let string_max = || match rules.max {
            Some(spec::Number::Int(i)) if i > 0 => i as u64,
            Some(spec::Number::Float(f)) if (1.0..1e9).contains(&f) => f as u64,
            _ => spec::DEFAULT_STRING_MAX as u64,
        };
        match rules.ty {
            T::String | T::Email | T::Url => SqlType::Varchar {
                length: string_max(),
            },
            T::Phone => SqlType::Varchar { length: 16 },
            T::Text => SqlType::Text,
            T::Integer => SqlType::Integer,
            T::Bigint => SqlType::Bigint,
            T::Decimal => {
                let (precision, scale) = rules.decimal_digits();
                SqlType::Numeric { precision, scale }
            }
            T::Boolean => SqlType::Boolean,
            T::Date => SqlType::Date,
            T::Datetime => SqlType::Timestamptz,
            T::Uuid => SqlType::Uuid,
            T::Json => SqlType::Jsonb,
            T::Enum => SqlType::Varchar {
                length: rules
                    .values
                    .iter()
                    .map(|v| v.len() as u64)
                    .max()
                    .unwrap_or(1)
                    .max(1),
            },
        }
    }

    /// Whether every value of this type is a value of `other` (a change
    /// from this type to `other` keeps every value).
    ///
    /// ```
    /// use model::schema::SqlType;
    /// assert!(SqlType::Integer.fits_in(&SqlType::Bigint));
    /// assert!(!SqlType::Bigint.fits_in(&SqlType::Integer));
    /// assert!(SqlType::Varchar { length: 10 }.fits_in(&SqlType::Text));
    /// ```
    pub fn fits_in(&self, other: &SqlType) -> bool {
        use SqlType as S;
        match (self, other) {
            (a, b) if a == b => true,
            (S::Varchar { length: a }, S::Varchar { length: b }) => a <= b,
            (S::Varchar { .. }, S::Text) => true,
            (S::Integer, S::Bigint) => true,
            (S::Integer, S::Numeric { precision, scale }) => precision - scale.min(precision) >= 10,
            (S::Bigint, S::Numeric { precision, scale }) => precision - scale.min(precision) >= 19,
            (
                S::Numeric {
                    precision: p1,
                    scale: s1,
                },
                S::Numeric {
                    precision: p2,
                    scale: s2,
                },
            ) => s2 >= s1 && p2 - s2.min(p2) >= p1 - s1.min(p1),
            _ => false,
        }
    }
}

impl Table {
    /// A column by name.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// Whether the table holds an entity's rows (not a join table).
    pub fn is_entity(&self) -> bool {
        self.join.is_none()
    }
}

impl Schema {
    /// The schema of a model.
    pub fn of(model: &AppModel) -> Schema {
        let mut tables = Vec::new();
        for e in &model.entities {
            tables.push(entity_table(model, e));
            for rel in &e.relations {
                let Some(jt) = &rel.join else { continue };
                let target = model.get(rel.target);
                let side = |name: &str, fk: &str, table: &str, on_delete: OnDelete| Column {
                    name: name.to_string(),
                    kind: ColumnKind::Key,
                    nullable: false,
                    unique: None,
                    references: Some(Reference {
                        name: fk.to_string(),
                        table: table.to_string(),
                        on_delete,
                    }),
                };
                tables.push(Table {
                    name: jt.table.clone(),
                    entity: None,
                    columns: vec![
                        side(
                            "source_id",
                            &jt.source_foreign_key,
                            &e.table,
                            OnDelete::Cascade,
                        ),
                        side(
                            "target_id",
                            &jt.target_foreign_key,
                            &target.table,
                            OnDelete::Cascade,
                        ),
                    ],
                    indexes: vec![Index {
                        name: jt.target_index.clone(),
                        columns: vec!["target_id".to_string()],
                    }],
                    join: Some(Join {
                        primary_key: jt.primary_key.clone(),
                    }),
                });
            }
        }
        Schema {
            format: SCHEMA_FORMAT,
            tables,
        }
    }

    /// A table by name.
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.name == name)
    }

    /// The table of an entity, by the entity's name.
    pub fn entity_table(&self, entity: &str) -> Option<&Table> {
        self.tables
            .iter()
            .find(|t| t.entity.as_deref() == Some(entity))
    }

    /// The schema the steps make of this one (what a database at this
    /// schema holds after a migration of the steps): tables, columns and
    /// indexes; foreign keys follow renamed tables. A step that does not fit
    /// (a column of a table that is not there) changes nothing.
    ///
    /// ```
    /// use model::schema::{Change, Schema, Step, Safety, Table, SCHEMA_FORMAT};
    /// let empty = Schema { format: SCHEMA_FORMAT, tables: vec![] };
    /// let table = Table { name: "tasks".into(), entity: Some("Task".into()), columns: vec![], indexes: vec![], join: None };
    /// let step = Step { change: Change::CreateTable { table: table.clone() }, safety: Safety::Safe, reversible: true, summary: String::new() };
    /// assert_eq!(empty.apply(&[step]).tables, vec![table]);
    /// ```
    pub fn apply(&self, steps: &[Step]) -> Schema {
        let mut out = self.clone();
        for step in steps {
            out.apply_one(&step.change);
        }
        out
    }

    fn table_mut(&mut self, name: &str) -> Option<&mut Table> {
        self.tables.iter_mut().find(|t| t.name == name)
    }

    fn apply_one(&mut self, change: &Change) {
        match change {
            Change::CreateTable { table } => self.tables.push(table.clone()),
            Change::DropTable { table } => self.tables.retain(|t| t.name != table.name),
            Change::RenameTable { from, to, .. } => {
                for t in &mut self.tables {
                    if &t.name == from {
                        t.name = to.clone();
                    }
                    for c in &mut t.columns {
                        if let Some(r) = &mut c.references {
                            if &r.table == from {
                                r.table = to.clone();
                            }
                        }
                    }
                }
            }
            Change::AddColumn { table, column } => {
                if let Some(t) = self.table_mut(table) {
                    t.columns.push(column.clone());
                }
            }
            Change::DropColumn { table, column } => {
                if let Some(t) = self.table_mut(table) {
                    t.columns.retain(|c| c.name != column.name);
                    t.indexes.retain(|i| !i.columns.contains(&column.name));
                }
            }
            Change::RenameColumn {
                table, from, to, ..
            } => {
                if let Some(t) = self.table_mut(table) {
                    for c in &mut t.columns {
                        if &c.name == from {
                            c.name = to.clone();
                        }
                    }
                    for i in &mut t.indexes {
                        for c in &mut i.columns {
                            if c == from {
                                *c = to.clone();
                            }
                        }
                    }
                }
            }
            Change::AlterColumn { table, new, .. }
            | Change::Encrypt { table, new, .. }
            | Change::Decrypt { table, new, .. } => {
                if let Some(t) = self.table_mut(table) {
                    for c in &mut t.columns {
                        if c.name == new.name {
                            *c = new.clone();
                        }
                    }
                }
            }
            Change::AddIndex { table, index } => {
                if let Some(t) = self.table_mut(table) {
                    t.indexes.push(index.clone());
                }
            }
            Change::DropIndex { table, index } => {
                if let Some(t) = self.table_mut(table) {
                    t.indexes.retain(|i| i.name != index.name);
                }
            }
            Change::RenameIndex { from, to } => {
                for t in &mut self.tables {
                    for i in &mut t.indexes {
                        if &i.name == from {
                            i.name = to.clone();
                        }
                    }
                }
            }
        }
    }

    /// What a database holds of the schema, without order or the entities'
    /// names: tables by name, each with its columns' shapes
    /// ([`Column::shape`]) by name, its indexes by name, its join keys.
    /// Two schemas with the same layout need no step between them.
    pub fn layout(&self) -> BTreeMap<String, TableLayout> {
        self.tables
            .iter()
            .map(|t| {
                (
                    t.name.clone(),
                    TableLayout {
                        columns: t
                            .columns
                            .iter()
                            .map(|c| (c.name.clone(), c.shape()))
                            .collect(),
                        indexes: t
                            .indexes
                            .iter()
                            .map(|i| (i.name.clone(), i.columns.clone()))
                            .collect(),
                        join: t.join.clone(),
                    },
                )
            })
            .collect()
    }

    /// The schema as pretty JSON with a final newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Reads a schema from JSON.
    ///
    /// # Errors
    ///
    /// A message saying what is wrong (not JSON, not a schema, another
    /// format).
    pub fn from_json(text: &str) -> Result<Schema, String> {
        let schema: Schema = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if schema.format != SCHEMA_FORMAT {
            return Err(format!(
                "its format is {}, this archgen reads format {SCHEMA_FORMAT}",
                schema.format
            ));
        }
        Ok(schema)
    }
}

/// The rules with only what shapes a column: the API-only rules (who reads
/// and writes, workflows, descriptions, rename hints) are left out.
fn column_rules(rules: &spec::Field) -> spec::Field {
    let mut out = rules.clone();
    out.description = None;
    out.read = None;
    out.write = None;
    out.transitions = Default::default();
    out.frozen = Vec::new();
    out.renamed_from = None;
    out.pii = None;
    out.pattern = None;
    // Shown by the column's nullability, unique constraint and indexes.
    out.required = false;
    out.unique = false;
    out.index = false;
    out
}

fn entity_table(model: &AppModel, e: &Entity) -> Table {
    let mut columns = Vec::new();
    let mut indexes = Vec::new();
    if let Some(fk) = &e.owner_foreign_key {
        columns.push(Column {
            name: crate::names::OWNER_COLUMN.to_string(),
            kind: ColumnKind::Owner,
            nullable: false,
            unique: None,
            references: Some(Reference {
                name: fk.clone(),
                table: crate::names::USERS_TABLE.to_string(),
                on_delete: OnDelete::Cascade,
            }),
        });
    }
    if let Some(index) = &e.owner_index {
        indexes.push(Index {
            name: index.clone(),
            columns: [crate::names::OWNER_COLUMN, "created_at", "id"]
                .map(String::from)
                .to_vec(),
        });
    }
    for f in &e.fields {
        columns.push(Column {
            name: f.name.clone(),
            kind: ColumnKind::Field {
                rules: Box::new(column_rules(&f.rules)),
                encrypted: f.encrypted,
                blind_index: f.blind_index.clone(),
            },
            nullable: f.nullable,
            unique: f.unique_constraint.clone(),
            references: None,
        });
        if let Some(index) = &f.index {
            indexes.push(Index {
                name: index.clone(),
                columns: vec![f.name.clone()],
            });
        }
    }
    for rel in e.to_one() {
        let target = model.get(rel.target);
        columns.push(Column {
            name: rel.key.clone(),
            kind: ColumnKind::Key,
            nullable: !rel.required,
            unique: rel.unique_constraint.clone(),
            references: rel.foreign_key.as_ref().map(|fk| Reference {
                name: fk.clone(),
                table: target.table.clone(),
                on_delete: rel.on_delete,
            }),
        });
        if let Some(index) = &rel.index {
            indexes.push(Index {
                name: index.clone(),
                columns: vec![rel.key.clone()],
            });
        }
    }
    Table {
        name: e.table.clone(),
        entity: Some(e.name.clone()),
        columns,
        indexes,
        join: None,
    }
}
