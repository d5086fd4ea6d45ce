//! The steps from one schema to the next: what changed, how safe each step
//! is, and whether it can be undone.

use super::{Column, Index, Schema, Table};
use blueprint_core::spec::{self, Spec};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// The rename hints of a spec (`renamed_from:` on entities and fields).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hints {
    /// New entity name → its name in the previous model.
    pub entities: BTreeMap<String, String>,
    /// (new entity name, new field name) → the field's previous name.
    pub fields: BTreeMap<(String, String), String>,
}

impl Hints {
    /// The hints a spec gives.
    ///
    /// ```
    /// use blueprint_core::builder::SpecBuilder;
    /// use blueprint_core::spec::FieldType;
    /// let spec = SpecBuilder::new("crm")
    ///     .with_entity("Person", |e| e.renamed_from("Contact")
    ///         .with_field("last_name", FieldType::String, |f| f.renamed_from("surname")))
    ///     .spec();
    /// let hints = model::schema::Hints::of(&spec);
    /// assert_eq!(hints.entities["Person"], "Contact");
    /// assert_eq!(hints.fields[&("Person".to_string(), "last_name".to_string())], "surname");
    /// ```
    pub fn of(spec: &Spec) -> Hints {
        let mut hints = Hints::default();
        for (name, e) in &spec.entities {
            if let Some(old) = &e.renamed_from {
                hints.entities.insert(name.clone(), old.clone());
            }
            for (field, f) in &e.fields {
                if let Some(old) = &f.renamed_from {
                    hints
                        .fields
                        .insert((name.clone(), field.clone()), old.clone());
                }
            }
        }
        hints
    }
}

/// How safe a step is for the rows a database already holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Safety {
    /// Keeps every row and value as it is.
    Safe,
    /// Keeps the data but moves it: backfills a default, encrypts or
    /// decrypts values. The migration carries the data migration.
    DataMoving,
    /// Loses data or may be refused by the rows already there (drops a
    /// table or column, narrows a type, tightens a bound, removes an enum
    /// value, makes a column required without a default): refused unless
    /// allowed (`--allow-destructive`).
    Destructive,
}

impl Safety {
    /// The class as reports name it.
    pub fn as_str(self) -> &'static str {
        match self {
            Safety::Safe => "safe",
            Safety::DataMoving => "data-moving",
            Safety::Destructive => "destructive",
        }
    }
}

/// One change of the schema, with what a stack needs to spell both ways.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    /// A new table (a new entity, or a new many-to-many relation).
    CreateTable {
        /// The table, as the new schema has it.
        table: Table,
    },
    /// A table that is gone.
    DropTable {
        /// The table, as the previous schema had it.
        table: Table,
    },
    /// A table renamed (an entity with `renamed_from:`, or a join table of
    /// one); its constraints and indexes are renamed by later steps.
    RenameTable {
        /// The previous name.
        from: String,
        /// The new name.
        to: String,
        /// The previous table's columns (under their previous names).
        columns: Vec<Column>,
    },
    /// A new column.
    AddColumn {
        /// The table (new name).
        table: String,
        /// The column, as the new schema has it.
        column: Column,
    },
    /// A column that is gone.
    DropColumn {
        /// The table (new name).
        table: String,
        /// The column, as the previous schema had it.
        column: Column,
    },
    /// A column renamed (a field with `renamed_from:`).
    RenameColumn {
        /// The table (new name).
        table: String,
        /// The previous name.
        from: String,
        /// The new name.
        to: String,
        /// The column as the previous schema had it (previous name).
        column: Column,
    },
    /// A column whose type, bounds, values, nullability, unique
    /// constraint or foreign key changed (under the same name).
    AlterColumn {
        /// The table (new name).
        table: String,
        /// The column as it was (renamed to its new name).
        old: Column,
        /// The column as it is now.
        new: Column,
    },
    /// A field that became sensitive: its values are encrypted in place.
    Encrypt {
        /// The table (new name).
        table: String,
        /// The column as it was.
        old: Column,
        /// The column as it is now.
        new: Column,
    },
    /// A field that is no longer sensitive: its values are decrypted.
    Decrypt {
        /// The table (new name).
        table: String,
        /// The column as it was.
        old: Column,
        /// The column as it is now.
        new: Column,
    },
    /// A new index.
    AddIndex {
        /// The table (new name).
        table: String,
        /// The index.
        index: Index,
    },
    /// An index that is gone.
    DropIndex {
        /// The table (new name).
        table: String,
        /// The index as it was.
        index: Index,
    },
    /// An index renamed with its table or column.
    RenameIndex {
        /// The previous name.
        from: String,
        /// The new name.
        to: String,
    },
}

/// A change with its class, whether it can be undone, and a sentence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    /// What changes.
    #[serde(flatten)]
    pub change: Change,
    /// How safe it is for existing rows.
    pub safety: Safety,
    /// Whether the downgrade restores the data as it was.
    pub reversible: bool,
    /// What it does, in one sentence for people.
    pub summary: String,
}

/// Why two schemas cannot be diffed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DiffError {
    /// `renamed_from:` names an entity the previous model does not have.
    #[error("entity `{entity}` says `renamed_from: {old}`, but the model the project was last generated from has no entity `{old}` (it has: {known}); fix the name or remove the hint")]
    UnknownEntity {
        /// The entity with the hint.
        entity: String,
        /// The name it gives.
        old: String,
        /// The previous model's entities.
        known: String,
    },
    /// `renamed_from:` names a field the previous entity does not have.
    #[error("field `{entity}.{field}` says `renamed_from: {old}`, but `{entity}` had no field `{old}` when the project was last generated (it had: {known}); fix the name or remove the hint")]
    UnknownField {
        /// The entity.
        entity: String,
        /// The field with the hint.
        field: String,
        /// The name it gives.
        old: String,
        /// The previous entity's columns.
        known: String,
    },
}

/// The steps that take a database at `old` to `new`, in an order that
/// applies: renames first, then new tables, column changes, indexes, and
/// dropped tables last. Empty when nothing changed.
///
/// A hint whose entity or field already existed under its new name in
/// `old` is spent (the rename happened in an earlier generation) and is
/// ignored.
///
/// ```
/// use blueprint_core::builder::SpecBuilder;
/// use blueprint_core::spec::FieldType;
/// use model::schema::{diff, Hints, Safety, Schema};
/// let schema_of = |spec| {
///     let mut bp = blueprint_core::graph::Blueprint::from_spec(&spec);
///     compliance::complete(&mut bp).unwrap();
///     Schema::of(&model::AppModel::from_blueprint(&bp))
/// };
/// let v1 = SpecBuilder::new("tasks").with_entity("Task", |e| e.with_field("title", FieldType::String, |f| f)).spec();
/// let v2 = SpecBuilder::new("tasks").with_entity("Task", |e| e
///     .with_field("title", FieldType::String, |f| f)
///     .with_field("done", FieldType::Boolean, |f| f.default_value(false))).spec();
/// let steps = diff(&schema_of(v1.clone()), &schema_of(v2), &Hints::default()).unwrap();
/// assert_eq!(steps.len(), 1);
/// assert_eq!(steps[0].safety, Safety::DataMoving);
/// assert!(diff(&schema_of(v1.clone()), &schema_of(v1), &Hints::default()).unwrap().is_empty());
/// ```
///
/// # Errors
///
/// [`DiffError`] when a hint names nothing in `old`.
pub fn diff(old: &Schema, new: &Schema, hints: &Hints) -> Result<Vec<Step>, DiffError> {
    let mut renames = Vec::new();
    let mut creates = Vec::new();
    let mut columns = Vec::new();
    let mut indexes = Vec::new();
    let mut index_drops = Vec::new();
    let mut drops = Vec::new();

    // Match the tables: by name, or through a hint.
    let mut matched: Vec<(&Table, &Table)> = Vec::new();
    let mut old_used: BTreeSet<&str> = BTreeSet::new();
    let mut table_renames: BTreeMap<&str, &str> = BTreeMap::new();
    let mut pending_joins = Vec::new();
    for n in &new.tables {
        let by_hint = n
            .entity
            .as_ref()
            .and_then(|e| hints.entities.get(e).map(|old_name| (e, old_name)));
        let found = match by_hint {
            Some((entity, old_name)) if old.entity_table(entity).is_none() => {
                match old.entity_table(old_name) {
                    Some(o) => Some(o),
                    None => {
                        return Err(DiffError::UnknownEntity {
                            entity: entity.clone(),
                            old: old_name.clone(),
                            known: known(old.tables.iter().filter_map(|t| t.entity.as_deref())),
                        })
                    }
                }
            }
            _ => match &n.entity {
                Some(entity) => old.entity_table(entity),
                None => {
                    pending_joins.push(n);
                    continue;
                }
            },
        };
        match found {
            Some(o) => {
                old_used.insert(&o.name);
                if o.name != n.name {
                    table_renames.insert(&o.name, &n.name);
                }
                matched.push((o, n));
            }
            None => creates.push(n),
        }
    }
    // Join tables: by name, or by the tables they join once renamed.
    for n in pending_joins {
        let ends = |t: &Table| -> Vec<String> {
            t.columns
                .iter()
                .filter_map(|c| c.references.as_ref())
                .map(|r| {
                    table_renames
                        .get(r.table.as_str())
                        .map(|s| s.to_string())
                        .unwrap_or_else(|| r.table.clone())
                })
                .collect()
        };
        let found = old
            .table(&n.name)
            .filter(|o| !o.is_entity() && !old_used.contains(o.name.as_str()))
            .or_else(|| {
                old.tables.iter().find(|o| {
                    !o.is_entity()
                        && !old_used.contains(o.name.as_str())
                        && new.table(&o.name).is_none()
                        && ends(o) == ends(n)
                })
            });
        match found {
            Some(o) => {
                old_used.insert(&o.name);
                if o.name != n.name {
                    table_renames.insert(&o.name, &n.name);
                }
                matched.push((o, n));
            }
            None => creates.push(n),
        }
    }

    for (o, n) in &matched {
        if o.name != n.name {
            renames.push(step(
                Change::RenameTable {
                    from: o.name.clone(),
                    to: n.name.clone(),
                    columns: o.columns.clone(),
                },
                Safety::Safe,
                true,
                format!("rename table `{}` to `{}`", o.name, n.name),
            ));
        }
        diff_columns(o, n, hints, &table_renames, &mut renames, &mut columns)?;
        diff_indexes(o, n, hints, &mut renames, &mut index_drops, &mut indexes);
    }
    let mut created = Vec::new();
    for n in creates {
        created.push(step(
            Change::CreateTable { table: n.clone() },
            Safety::Safe,
            true,
            format!("create table `{}`", n.name),
        ));
    }
    for o in old.tables.iter().rev() {
        if !old_used.contains(o.name.as_str()) {
            drops.push(step(
                Change::DropTable { table: o.clone() },
                Safety::Destructive,
                false,
                format!("drop table `{}` and its rows", o.name),
            ));
        }
    }
    // Indexes go before the columns change (an index on a column that is
    // encrypted or dropped goes first) and come after.
    let mut out = renames;
    out.extend(created);
    out.extend(index_drops);
    out.extend(columns);
    out.extend(indexes);
    out.extend(drops);
    Ok(out)
}

fn known<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let list: Vec<String> = names.map(|n| format!("`{n}`")).collect();
    if list.is_empty() {
        "none".to_string()
    } else {
        list.join(", ")
    }
}

fn step(change: Change, safety: Safety, reversible: bool, summary: String) -> Step {
    Step {
        change,
        safety,
        reversible,
        summary,
    }
}

/// The column renames of a matched table pair: new name → previous name.
fn column_renames<'a>(
    o: &'a Table,
    n: &'a Table,
    hints: &'a Hints,
) -> Result<BTreeMap<&'a str, &'a str>, DiffError> {
    let mut out = BTreeMap::new();
    let Some(entity) = &n.entity else {
        return Ok(out);
    };
    for c in &n.columns {
        let Some(old_name) = hints.fields.get(&(entity.clone(), c.name.clone())) else {
            continue;
        };
        if o.column(&c.name).is_some() {
            // Spent: the column already has its new name.
            continue;
        }
        match o.column(old_name) {
            Some(oc) => {
                out.insert(c.name.as_str(), oc.name.as_str());
            }
            None => {
                return Err(DiffError::UnknownField {
                    entity: entity.clone(),
                    field: c.name.clone(),
                    old: old_name.clone(),
                    known: known(o.columns.iter().map(|c| c.name.as_str())),
                })
            }
        }
    }
    Ok(out)
}

fn diff_columns(
    o: &Table,
    n: &Table,
    hints: &Hints,
    table_renames: &BTreeMap<&str, &str>,
    renames: &mut Vec<Step>,
    out: &mut Vec<Step>,
) -> Result<(), DiffError> {
    let table = &n.name;
    let renamed = column_renames(o, n, hints)?;
    let mut used = BTreeSet::new();
    for c in &n.columns {
        let old_name = renamed.get(c.name.as_str()).copied().unwrap_or(&c.name);
        let Some(oc) = o.column(old_name) else {
            out.push(add_column(table, c));
            continue;
        };
        used.insert(oc.name.as_str());
        if oc.name != c.name {
            renames.push(step(
                Change::RenameColumn {
                    table: table.clone(),
                    from: oc.name.clone(),
                    to: c.name.clone(),
                    column: oc.clone(),
                },
                Safety::Safe,
                true,
                format!("rename column `{table}.{}` to `{}`", oc.name, c.name),
            ));
        }
        // The previous column under its new name, pointing at renamed tables.
        let mut was = oc.clone();
        was.name = c.name.clone();
        if let Some(r) = &mut was.references {
            if let Some(to) = table_renames.get(r.table.as_str()) {
                r.table = to.to_string();
            }
        }
        if was.shape() == c.shape() {
            continue;
        }
        out.push(alter_column(table, &was, c));
    }
    for oc in &o.columns {
        if !used.contains(oc.name.as_str()) {
            out.push(step(
                Change::DropColumn {
                    table: table.clone(),
                    column: oc.clone(),
                },
                Safety::Destructive,
                false,
                format!("drop column `{table}.{}` and its values", oc.name),
            ));
        }
    }
    Ok(())
}

fn add_column(table: &str, c: &Column) -> Step {
    let default = c.rules().and_then(|r| r.default.as_ref());
    let (safety, summary) = if c.nullable {
        (Safety::Safe, format!("add column `{table}.{}`", c.name))
    } else if default.is_some() {
        (
            Safety::DataMoving,
            format!(
                "add column `{table}.{}`, filling existing rows with its default",
                c.name
            ),
        )
    } else {
        (
            Safety::Destructive,
            format!(
                "add required column `{table}.{}` without a default: refused by the database while the table has rows",
                c.name
            ),
        )
    };
    step(
        Change::AddColumn {
            table: table.to_string(),
            column: c.clone(),
        },
        safety,
        true,
        summary,
    )
}

fn alter_column(table: &str, was: &Column, now: &Column) -> Step {
    let name = &now.name;
    if was.encrypted() != now.encrypted() {
        let (change, verb) = if now.encrypted() {
            (
                Change::Encrypt {
                    table: table.to_string(),
                    old: was.clone(),
                    new: now.clone(),
                },
                "encrypt",
            )
        } else {
            (
                Change::Decrypt {
                    table: table.to_string(),
                    old: was.clone(),
                    new: now.clone(),
                },
                "decrypt",
            )
        };
        return step(
            change,
            Safety::DataMoving,
            true,
            format!("{verb} the values of `{table}.{name}` in place"),
        );
    }
    if was.encrypted() && was.blind_index().is_some() != now.blind_index().is_some() {
        // A keyed hash for every value (or none): the values are rewritten.
        let with = if now.blind_index().is_some() {
            "with"
        } else {
            "without"
        };
        return step(
            Change::Encrypt {
                table: table.to_string(),
                old: was.clone(),
                new: now.clone(),
            },
            Safety::DataMoving,
            true,
            format!("rewrite the encrypted values of `{table}.{name}` {with} a blind index"),
        );
    }
    let mut safety = Safety::Safe;
    let mut reversible = true;
    let mut notes: Vec<String> = Vec::new();
    let old_type = was.sql_type();
    let new_type = now.sql_type();
    if old_type != new_type {
        if old_type.fits_in(&new_type) {
            notes.push(format!("widen its type from {old_type} to {new_type}"));
        } else {
            safety = Safety::Destructive;
            notes.push(format!(
                "narrow or convert its type from {old_type} to {new_type} (refused by the database when a value does not fit)"
            ));
        }
    }
    if let (Some(o), Some(n)) = (was.rules(), now.rules()) {
        if !now.encrypted() {
            let removed: Vec<&String> = o.values.iter().filter(|v| !n.values.contains(v)).collect();
            let added: Vec<&String> = n.values.iter().filter(|v| !o.values.contains(v)).collect();
            if !added.is_empty() {
                notes.push(format!("allow {}", quoted(&added)));
            }
            if !removed.is_empty() {
                safety = Safety::Destructive;
                let to = match &n.default {
                    Some(spec::Scalar::Str(v)) if n.values.contains(v) => {
                        format!("rows holding one move to its default `{v}`")
                    }
                    _ if now.nullable => "rows holding one are emptied (null)".to_string(),
                    _ => "refused while a row holds one".to_string(),
                };
                if !to.starts_with("refused") {
                    // Which rows held which removed value is not kept.
                    reversible = false;
                }
                notes.push(format!("no longer allow {} ({to})", quoted(&removed)));
            }
            match bounds_change(o, n) {
                Some(true) => {
                    safety = Safety::Destructive;
                    notes.push(
                        "tighten its bounds (refused while a row is out of them)".to_string(),
                    );
                }
                Some(false) => notes.push("loosen its bounds".to_string()),
                None => {}
            }
        }
    }
    if was.nullable && !now.nullable {
        if now.rules().and_then(|r| r.default.as_ref()).is_some() {
            safety = safety.max(Safety::DataMoving);
            notes.push("make it required, filling empty values with its default".to_string());
        } else {
            safety = Safety::Destructive;
            notes.push(
                "make it required without a default (refused while a row has no value)".to_string(),
            );
        }
    } else if !was.nullable && now.nullable {
        notes.push("make it optional".to_string());
    }
    match (&was.unique, &now.unique) {
        (None, Some(_)) => {
            notes.push("make it unique (refused while two rows share a value)".to_string())
        }
        (Some(_), None) => notes.push("drop its unique constraint".to_string()),
        (Some(a), Some(b)) if a != b => notes.push(format!("rename `{a}` to `{b}`")),
        _ => {}
    }
    match (&was.references, &now.references) {
        (Some(a), Some(b)) if a != b => {
            if a.table == b.table && a.on_delete == b.on_delete {
                notes.push(format!("rename `{}` to `{}`", a.name, b.name));
            } else {
                notes.push(format!("point its foreign key at `{}`", b.table));
            }
        }
        (None, Some(b)) => notes.push(format!("add a foreign key to `{}`", b.table)),
        (Some(_), None) => notes.push("drop its foreign key".to_string()),
        _ => {}
    }
    if notes.is_empty() {
        notes.push("change its checks".to_string());
    }
    step(
        Change::AlterColumn {
            table: table.to_string(),
            old: was.clone(),
            new: now.clone(),
        },
        safety,
        reversible,
        format!("alter column `{table}.{name}`: {}", notes.join("; ")),
    )
}

fn quoted(values: &[&String]) -> String {
    values
        .iter()
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `Some(true)` when a bound got tighter, `Some(false)` when they only got
/// looser, `None` when they are the same.
fn bounds_change(o: &spec::Field, n: &spec::Field) -> Option<bool> {
    if o.min == n.min && o.max == n.max {
        return None;
    }
    let lower = |b: Option<spec::Number>| b.map(|x| x.as_f64()).unwrap_or(f64::NEG_INFINITY);
    let upper = |b: Option<spec::Number>| b.map(|x| x.as_f64()).unwrap_or(f64::INFINITY);
    Some(lower(n.min) > lower(o.min) || upper(n.max) < upper(o.max))
}

fn diff_indexes(
    o: &Table,
    n: &Table,
    hints: &Hints,
    renames: &mut Vec<Step>,
    dropped: &mut Vec<Step>,
    out: &mut Vec<Step>,
) {
    let renamed = column_renames(o, n, hints).unwrap_or_default();
    let new_name_of = |c: &str| -> String {
        renamed
            .iter()
            .find(|(_, old)| **old == c)
            .map(|(new, _)| new.to_string())
            .unwrap_or_else(|| c.to_string())
    };
    let table = &n.name;
    let mut kept: BTreeSet<&str> = BTreeSet::new();
    for ni in &n.indexes {
        if o.indexes.iter().any(|oi| oi.name == ni.name) {
            kept.insert(&ni.name);
            continue;
        }
        let same_columns = o.indexes.iter().find(|oi| {
            !n.indexes.iter().any(|x| x.name == oi.name)
                && oi
                    .columns
                    .iter()
                    .map(|c| new_name_of(c))
                    .collect::<Vec<_>>()
                    == ni.columns
        });
        match same_columns {
            Some(oi) => {
                kept.insert(&oi.name);
                renames.push(step(
                    Change::RenameIndex {
                        from: oi.name.clone(),
                        to: ni.name.clone(),
                    },
                    Safety::Safe,
                    true,
                    format!("rename index `{}` to `{}`", oi.name, ni.name),
                ));
            }
            None => out.push(step(
                Change::AddIndex {
                    table: table.clone(),
                    index: ni.clone(),
                },
                Safety::Safe,
                true,
                format!("create index `{}` on `{table}`", ni.name),
            )),
        }
    }
    for oi in &o.indexes {
        if !kept.contains(oi.name.as_str()) && !n.indexes.iter().any(|x| x.name == oi.name) {
            dropped.push(step(
                Change::DropIndex {
                    table: table.clone(),
                    index: oi.clone(),
                },
                Safety::Safe,
                true,
                format!("drop index `{}`", oi.name),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use blueprint_core::spec::{parse_str, Format};

    const HEAD: &str = "spec_version: 1\nproduct: { name: shop }\nroles: { member: { signup: true }, admin: { admin: true } }\nentities:\n";

    fn parse(entities: &str) -> Spec {
        let text = format!("{HEAD}{entities}");
        match parse_str("t.yaml", &text, Format::Yaml) {
            Ok(checked) => checked.spec,
            Err(e) => panic!("{e}\n{text}"),
        }
    }

    fn schema(spec: &Spec) -> Schema {
        let mut bp = blueprint_core::graph::Blueprint::from_spec(spec);
        compliance::complete(&mut bp).expect("compliance completes");
        Schema::of(&crate::AppModel::from_blueprint(&bp))
    }

    fn steps(old: &str, new: &str) -> Vec<Step> {
        let new_spec = parse(new);
        diff(
            &schema(&parse(old)),
            &schema(&new_spec),
            &Hints::of(&new_spec),
        )
        .expect("the schemas diff")
    }

    fn kinds(steps: &[Step]) -> Vec<String> {
        steps
            .iter()
            .map(|s| {
                let v = serde_json::to_value(&s.change).expect("a change serializes");
                format!("{} {}", v["kind"].as_str().unwrap_or(""), s.safety.as_str())
            })
            .collect()
    }

    const V1: &str = "  Item:\n    owned: true\n    fields:\n      name: { type: string, required: true, max: 40 }\n      size: { type: enum, values: [s, m, l] }\n      note: text\n";

    #[test]
    fn the_same_spec_needs_no_step() {
        assert!(steps(V1, V1).is_empty());
    }

    #[test]
    fn new_fields_are_safe_data_moving_or_destructive_by_nullability() {
        let add = |field: &str| steps(V1, &format!("{V1}      {field}\n"));
        assert_eq!(kinds(&add("color: string")), ["add_column safe"]);
        assert_eq!(
            kinds(&add("count: { type: integer, default: 0 }")),
            ["add_column data-moving"]
        );
        let required = add("code: { type: string, required: true }");
        assert_eq!(kinds(&required), ["add_column destructive"]);
        assert!(required[0].reversible);
    }

    #[test]
    fn a_dropped_field_is_destructive_and_irreversible() {
        let s = steps(V1, &V1.replace("      note: text\n", ""));
        assert_eq!(kinds(&s), ["drop_column destructive"]);
        assert!(!s[0].reversible);
    }

    #[test]
    fn a_hinted_rename_is_a_rename_and_without_a_hint_a_drop_and_an_add() {
        let hinted = steps(
            V1,
            &V1.replace("note: text", "remark: { type: text, renamed_from: note }"),
        );
        assert_eq!(kinds(&hinted), ["rename_column safe"]);
        let plain = steps(V1, &V1.replace("note: text", "remark: text"));
        assert_eq!(
            kinds(&plain),
            ["add_column safe", "drop_column destructive"]
        );
    }

    #[test]
    fn a_hint_naming_nothing_is_an_error_and_a_spent_hint_is_ignored() {
        let new = parse(&V1.replace(
            "note: text",
            "remark: { type: text, renamed_from: nothing }",
        ));
        let err = diff(&schema(&parse(V1)), &schema(&new), &Hints::of(&new)).unwrap_err();
        assert!(err.to_string().contains("no field `nothing`"), "{err}");
        let spent = parse(&V1.replace("note: text", "note: { type: text, renamed_from: old }"));
        assert!(
            diff(&schema(&parse(V1)), &schema(&spent), &Hints::of(&spent))
                .unwrap()
                .is_empty()
        );
        let entity = parse(&V1.replace("  Item:\n", "  Thing:\n    renamed_from: Nope\n"));
        let err = diff(&schema(&parse(V1)), &schema(&entity), &Hints::of(&entity)).unwrap_err();
        assert!(matches!(err, DiffError::UnknownEntity { .. }), "{err}");
    }

    #[test]
    fn a_renamed_entity_renames_its_table_indexes_and_constraints() {
        let s = steps(
            V1,
            &V1.replace("  Item:\n", "  Article:\n    renamed_from: Item\n"),
        );
        let k = kinds(&s);
        assert_eq!(k[0], "rename_table safe");
        assert!(k.contains(&"rename_index safe".to_string()), "{k:?}");
        // The owner's foreign key is renamed with the table.
        assert!(s.iter().all(|s| s.safety == Safety::Safe), "{k:?}");
        assert!(
            !k.iter()
                .any(|k| k.starts_with("drop") || k.starts_with("create")),
            "{k:?}"
        );
    }

    #[test]
    fn enum_values_added_are_safe_and_removed_destructive() {
        assert_eq!(
            kinds(&steps(V1, &V1.replace("[s, m, l]", "[s, m, l, xl]"))),
            ["alter_column safe"]
        );
        assert_eq!(
            kinds(&steps(V1, &V1.replace("[s, m, l]", "[s, m]"))),
            ["alter_column destructive"]
        );
    }

    #[test]
    fn types_widen_safely_and_narrow_destructively() {
        assert_eq!(
            kinds(&steps(V1, &V1.replace("max: 40", "max: 80"))),
            ["alter_column safe"]
        );
        assert_eq!(
            kinds(&steps(V1, &V1.replace("max: 40", "max: 20"))),
            ["alter_column destructive"]
        );
        assert_eq!(
            kinds(&steps(V1, &V1.replace("note: text", "note: integer"))),
            ["alter_column destructive"]
        );
    }

    #[test]
    fn nullability_changes() {
        let optional = V1.replace(
            "{ type: string, required: true, max: 40 }",
            "{ type: string, max: 40 }",
        );
        assert_eq!(kinds(&steps(V1, &optional)), ["alter_column safe"]);
        assert_eq!(kinds(&steps(&optional, V1)), ["alter_column destructive"]);
        let defaulted = V1.replace("note: text", "note: { type: text, default: none }");
        assert_eq!(kinds(&steps(V1, &defaulted)), ["alter_column data-moving"]);
    }

    #[test]
    fn a_field_that_becomes_sensitive_is_encrypted_in_place() {
        let s = steps(
            V1,
            &V1.replace("note: text", "note: { type: text, pii: sensitive }"),
        );
        assert_eq!(kinds(&s), ["encrypt data-moving"]);
        assert!(s[0].reversible);
        let back = steps(
            &V1.replace("note: text", "note: { type: text, pii: sensitive }"),
            V1,
        );
        assert_eq!(kinds(&back), ["decrypt data-moving"]);
    }

    #[test]
    fn an_encrypted_field_that_becomes_unique_is_rewritten_with_a_blind_index() {
        let sensitive = V1.replace("note: text", "note: { type: string, pii: sensitive }");
        let unique = V1.replace(
            "note: text",
            "note: { type: string, pii: sensitive, unique: true }",
        );
        let s = steps(&sensitive, &unique);
        assert_eq!(kinds(&s), ["encrypt data-moving"]);
        assert!(
            s[0].summary.contains("with a blind index"),
            "{}",
            s[0].summary
        );
    }

    #[test]
    fn new_and_dropped_entities_and_relations() {
        let with_review = format!(
            "{V1}  Review:\n    fields:\n      stars: integer\n    relations:\n      item: {{ to: Item, required: true, on_delete: cascade }}\n      tags: {{ to: Item, kind: many-to-many }}\n"
        );
        let s = steps(V1, &with_review);
        assert_eq!(kinds(&s), ["create_table safe", "create_table safe"]);
        let back = steps(&with_review, V1);
        assert_eq!(
            kinds(&back),
            ["drop_table destructive", "drop_table destructive"]
        );
        assert!(back.iter().all(|s| !s.reversible));
        let indexed = steps(V1, &V1.replace("max: 40 }", "max: 40, index: true }"));
        assert_eq!(kinds(&indexed), ["add_index safe"]);
        let text_to_string = steps(V1, &V1.replace("note: text", "note: string"));
        assert_eq!(kinds(&text_to_string), ["alter_column destructive"]);
    }

    #[test]
    fn steps_apply_in_order_renames_first_and_drops_last() {
        let new = format!(
            "{}  Extra:\n    fields:\n      x: string\n",
            V1.replace("note: text", "remark: { type: text, renamed_from: note }")
                .replace("      size: { type: enum, values: [s, m, l] }\n", "")
        );
        let k = kinds(&steps(V1, &new));
        assert_eq!(
            k,
            [
                "rename_column safe",
                "create_table safe",
                "drop_column destructive"
            ]
        );
    }
}
