//! The entities of the application model as data the generated project
//! reads: `src/entities/model.json` (what every entity route needs: the
//! table, the fields and their rules, the relations, the access table) and
//! `test/samples.json` (valid values for the project's own tests).
//!
//! The project validates the model when it loads it
//! (`src/entities/model.ts`), and one generic module serves every entity
//! from it (`src/entities/crud.ts`), so an entity is spelled once, here.

use blueprint_core::spec::{Action, FieldType, Number, Scalar};
use model::{AppModel, Entity, Field, Ownership, Scope};
use serde_json::{json, Map, Value};

fn number(n: Number) -> Value {
    match n {
        Number::Int(i) => json!(i),
        Number::Float(f) => json!(f),
    }
}

/// A whole-number field's range, its own bounds within its column's, as
/// exact decimal text: a `bigint` bound past ±2^53 is not a JavaScript
/// number.
fn whole_range(f: &Field) -> [String; 2] {
    let (low, high) = if f.ty() == FieldType::Integer {
        (i128::from(i32::MIN), i128::from(i32::MAX))
    } else {
        (i128::from(i64::MIN), i128::from(i64::MAX))
    };
    // A float bound rounds inward; `as` saturates.
    let whole = |n: Number, up: bool| match n {
        Number::Int(i) => i128::from(i),
        Number::Float(x) if up => x.ceil() as i128,
        Number::Float(x) => x.floor() as i128,
    };
    let min = f.rules.min.map_or(low, |m| whole(m, true).max(low));
    let max = f.rules.max.map_or(high, |m| whole(m, false).min(high));
    [min.to_string(), max.to_string()]
}

fn scalar(s: &Scalar) -> Value {
    match s {
        Scalar::Bool(b) => json!(b),
        Scalar::Number(n) => number(*n),
        Scalar::Str(s) => json!(s),
    }
}

/// A rule as the model file spells it: whether visitors may, and the
/// scope of each role that may (roles left out may not).
fn rule(model: &AppModel, public: bool, scope: impl Fn(model::RoleId) -> Scope) -> Value {
    let roles: Map<String, Value> = model
        .roles
        .iter()
        .map(|r| (r.name.clone(), scope(r.id)))
        .filter(|(_, s)| *s != Scope::None)
        .map(|(name, s)| (name, json!(s.as_str())))
        .collect();
    json!({ "public": public, "roles": roles })
}

/// One field: its kind and every rule a request body is checked against.
fn field(model: &AppModel, e: &Entity, f: &Field) -> Value {
    let mut out = Map::new();
    out.insert("name".into(), json!(f.name));
    out.insert("kind".into(), json!(f.ty().as_str()));
    out.insert("nullable".into(), json!(f.nullable));
    out.insert("required".into(), json!(f.required_on_create()));
    if let Some(d) = &f.rules.default {
        let mut value = scalar(d);
        // Exact text for a decimal, and for a bigint (past ±2^53 a JSON
        // number loses digits in JavaScript).
        if matches!(f.ty(), FieldType::Decimal | FieldType::Bigint) {
            value = json!(match d {
                Scalar::Str(s) => s.clone(),
                other => scalar(other).to_string(),
            });
        }
        out.insert("default".into(), value);
    }
    if let Some(max) = f.max_length {
        out.insert("maxLength".into(), json!(max));
    }
    match f.ty() {
        FieldType::Integer | FieldType::Bigint => {
            out.insert("range".into(), json!(whole_range(f)));
        }
        // Exact text, the CHECK's: a float bound past 2^53 rounds in
        // JavaScript (9999999999999999.99 is 10000000000000000).
        FieldType::Decimal => {
            if let Some(min) = &f.rules.min {
                out.insert("min".into(), json!(model::schema::sql::number(min)));
            }
            if let Some(max) = &f.rules.max {
                out.insert("max".into(), json!(model::schema::sql::number(max)));
            }
        }
        _ => {
            if let Some(min) = f.rules.min {
                out.insert("minLength".into(), number(min));
            }
        }
    }
    if f.ty() == FieldType::Decimal {
        let (p, s) = f.rules.decimal_digits();
        out.insert("digits".into(), json!([p, s]));
    }
    if let Some(p) = f.rules.pattern.as_ref().filter(|_| f.ty().is_textual()) {
        out.insert("pattern".into(), json!(p));
    }
    if f.ty() == FieldType::Enum {
        out.insert("values".into(), json!(f.rules.values));
    }
    out.insert("encrypted".into(), json!(f.encrypted));
    if let Some(b) = &f.blind_index {
        out.insert("blindIndex".into(), json!(b));
    }
    out.insert("filter".into(), json!(f.filterable));
    if let Some(u) = &f.unique_constraint {
        out.insert("unique".into(), json!(u));
    }
    if let Some(r) = &f.read {
        out.insert(
            "read".into(),
            rule(model, r.scope(None) != Scope::None, |id| r.scope(Some(id))),
        );
        // Who may filter and sort on it: those who read it on every row they list.
        out.insert(
            "query".into(),
            rule(model, e.may_query(f, None), |id| {
                if e.may_query(f, Some(id)) {
                    Scope::All
                } else {
                    Scope::None
                }
            }),
        );
    }
    if let Some(w) = &f.write {
        out.insert(
            "write".into(),
            rule(model, w.scope(None) != Scope::None, |id| w.scope(Some(id))),
        );
    }
    if let Some(w) = &f.workflow {
        let moves: Vec<Value> = w
            .moves
            .iter()
            .map(|m| {
                json!({
                    "from": m.from,
                    "to": m.to,
                    "rule": rule(model, false, |id| m.roles.get(id.0).copied().unwrap_or(Scope::None)),
                })
            })
            .collect();
        out.insert(
            "workflow".into(),
            json!({ "initial": w.initial, "moves": moves, "frozen": w.frozen }),
        );
    }
    Value::Object(out)
}

/// Who may do an action: visitors, and the scope of each role.
fn access(model: &AppModel, e: &Entity, action: Action) -> Value {
    let a = e.access(action);
    rule(model, a.public, |id| a.scope(Some(id)))
}

fn entity(model: &AppModel, e: &Entity) -> Value {
    let owner = match e.ownership {
        Ownership::None => json!(null),
        Ownership::Direct => json!({ "kind": "direct" }),
        Ownership::Through { relation, .. } => {
            json!({ "kind": "through", "relation": e.relations[relation].name })
        }
    };
    let relations: Vec<Value> = e
        .relations
        .iter()
        .map(|r| {
            let mut out = Map::new();
            out.insert("name".into(), json!(r.name));
            out.insert("key".into(), json!(r.key));
            out.insert("target".into(), json!(r.target_name));
            out.insert("required".into(), json!(r.required));
            if let Some(j) = &r.join {
                out.insert("join".into(), json!(j.table));
            }
            out.insert(
                "filter".into(),
                json!(e.filters.iter().any(|f| matches!(
                    f,
                    model::FilterOn::Relation(i) if e.relations[*i].name == r.name
                ))),
            );
            Value::Object(out)
        })
        .collect();
    json!({
        "name": e.name,
        "schema": model::names::schema_name(&e.name),
        "collection": e.collection,
        "table": e.table,
        "owner": owner,
        "fields": e.fields.iter().map(|f| field(model, e, f)).collect::<Vec<_>>(),
        "relations": relations,
        "sort": e.sort_keys(),
        "retention": e.retention.as_ref().map(|r| &r.interval),
        "access": {
            "create": access(model, e, Action::Create),
            "read": access(model, e, Action::Read),
            "update": access(model, e, Action::Update),
            "delete": access(model, e, Action::Delete),
        },
    })
}

/// `src/entities/model.json`: every entity, in the model's order, the
/// actions the audit log records and how long it keeps them.
///
/// ```
/// use blueprint_core::builder::SpecBuilder;
/// use blueprint_core::spec::FieldType;
///
/// let bp = SpecBuilder::new("tasks")
///     .with_entity("Task", |e| e.owned().with_field("title", FieldType::String, |f| f.required()))
///     .build();
/// let json = stacks::typescript_fastify::entities::model_json(&model::AppModel::from_blueprint(&bp));
/// assert!(json.contains("\"collection\": \"tasks\""));
/// ```
pub fn model_json(model: &AppModel) -> String {
    let entities: Vec<Value> = model.entities.iter().map(|e| entity(model, e)).collect();
    let model_file = json!({
        "entities": entities,
        "auditActions": model.audit_actions(),
        "auditRetentionDays": Some(model.params.audit_retention_days).filter(|d| *d > 0),
    });
    let mut text = serde_json::to_string_pretty(&model_file).expect("a JSON value serializes");
    text.push('\n');
    text
}

/// How many rows of valid values `test/samples.json` holds per entity.
pub const SAMPLE_ROWS: u64 = 24;

/// `test/samples.json`: for each entity, rows of valid values, each unique
/// value different in each row: [`SAMPLE_ROWS`] of them, or as many as its
/// unique fields allow (`limits`, from `Entity::row_limit`: `amount`
/// unique with `min: 0, max: 1` allows two rows).
///
/// ```
/// use blueprint_core::builder::SpecBuilder;
/// use blueprint_core::spec::FieldType;
///
/// let bp = SpecBuilder::new("shop")
///     .with_entity("Shipment", |e| {
///         e.with_field("amount", FieldType::Integer, |f| {
///             f.unique().min(0).max(1)
///         })
///     })
///     .build();
/// let json = stacks::typescript_fastify::entities::samples_json(&model::AppModel::from_blueprint(&bp));
/// let samples: serde_json::Value = serde_json::from_str(&json).unwrap();
/// assert_eq!(samples["limits"]["Shipment"], 2);
/// assert_eq!(samples["rows"]["Shipment"].as_array().unwrap().len(), 2);
/// ```
pub fn samples_json(model: &AppModel) -> String {
    let limits: Map<String, Value> = model
        .entities
        .iter()
        .filter_map(|e| e.row_limit().map(|(n, _)| (e.name.clone(), json!(n))))
        .collect();
    let entities: Map<String, Value> = model
        .entities
        .iter()
        .map(|e| {
            let count = e
                .row_limit()
                .map_or(SAMPLE_ROWS, |(n, _)| n.min(SAMPLE_ROWS));
            let rows: Vec<Value> = (1..=count)
                .map(|n| {
                    let row: Map<String, Value> = e
                        .fields
                        .iter()
                        .map(|f| {
                            let value = match &f.workflow {
                                Some(w) => json!(w.initial),
                                None => f.sample.value(n, "t"),
                            };
                            (f.name.clone(), value)
                        })
                        .collect();
                    Value::Object(row)
                })
                .collect();
            (e.name.clone(), json!(rows))
        })
        .collect();
    let samples = json!({ "limits": limits, "rows": entities });
    let mut text = serde_json::to_string_pretty(&samples).expect("a JSON value serializes");
    text.push('\n');
    text
}
