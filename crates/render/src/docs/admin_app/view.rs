//! The view model of the admin app's generated files: the entity table
//! the screens read (`src/model.ts`) and the plan the browser tests follow
//! (`e2e/plan.ts`), both as pretty-printed JSON literals in model order.

use blueprint_core::spec::{Action, FieldType};
use model::{AppModel, Entity, Field, Operation, RoleId, Scope};
use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::docs::client_ts::view::{literal, route_path};

/// What the admin app's templates print.
#[derive(Debug, Serialize)]
pub(crate) struct AdminView {
    /// The npm package's name.
    pub package: String,
    /// The product's display title.
    pub title: String,
    /// The API's base path (`/api`), which Vite's dev server proxies.
    pub base_path: String,
    /// The sign-in, sign-out and current-account paths: a TypeScript literal.
    pub auth: String,
    /// The caller's export and erasure paths (or `null`): a TypeScript literal.
    pub account: String,
    /// The audit log's and the user list's paths (or `null`): a TypeScript literal.
    pub admin_lists: String,
    /// Every role, as a TypeScript array literal.
    pub roles: String,
    /// The admin roles, as a TypeScript array literal.
    pub admin_roles: String,
    /// The entities the screens show: a TypeScript literal.
    pub entities: String,
    /// What the browser tests do: a TypeScript literal.
    pub plan: String,
}

/// The view of a model.
pub(crate) fn admin_view(model: &AppModel) -> AdminView {
    let auth_path = |op: Operation, fallback: &str| {
        model.routes.iter().find(|r| r.operation == op).map_or_else(
            || format!("{}{fallback}", model.api.base_path),
            |r| r.path.clone(),
        )
    };
    // A route the API may lack (the screens hide what it has not).
    let path_of = |op: Operation| {
        model
            .routes
            .iter()
            .find(|r| r.operation == op)
            .map_or(Value::Null, |r| json!(r.path))
    };
    let names = |keep: fn(&model::Role) -> bool| {
        let roles: Vec<&str> = model
            .roles
            .iter()
            .filter(|r| keep(r))
            .map(|r| r.name.as_str())
            .collect();
        literal(&json!(roles))
    };
    let entities: Vec<Value> = model
        .entities
        .iter()
        .filter_map(|e| entity_value(model, e))
        .collect();
    AdminView {
        package: format!("{}-admin", model.product.name),
        title: model.product.title.clone(),
        base_path: model.api.base_path.clone(),
        auth: pretty(&json!({
            "login": auth_path(Operation::Login, "/auth/login"),
            "logout": auth_path(Operation::Logout, "/auth/logout"),
            "me": auth_path(Operation::Me, "/auth/me"),
        })),
        account: pretty(&json!({
            "export": path_of(Operation::Export),
            "erase": path_of(Operation::Erase),
        })),
        admin_lists: pretty(&json!({
            "auditEvents": path_of(Operation::AuditEvents),
            "users": path_of(Operation::AdminUsers),
        })),
        roles: names(|_| true),
        admin_roles: names(|r| r.admin),
        entities: pretty(&Value::Array(entities)),
        plan: pretty(&plan(model, Surface::Admin)),
    }
}

pub(crate) fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

/// A name as people read it: `due_on` → `Due on`, `VisitNote` → `Visit note`.
fn label(name: &str) -> String {
    let words = blueprint_core::naming::snake(name).replace('_', " ");
    let mut chars = words.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_uppercase().collect::<String>() + chars.as_str()
    })
}

/// The input a field's value takes.
fn kind(ty: FieldType) -> &'static str {
    match ty {
        FieldType::String => "text",
        FieldType::Text => "textarea",
        FieldType::Integer | FieldType::Bigint => "integer",
        FieldType::Decimal => "decimal",
        FieldType::Boolean => "boolean",
        FieldType::Date => "date",
        FieldType::Datetime => "datetime",
        FieldType::Uuid => "uuid",
        FieldType::Email => "email",
        FieldType::Url => "url",
        FieldType::Phone => "tel",
        FieldType::Json => "json",
        FieldType::Enum => "enum",
    }
}

fn by_role(model: &AppModel, scope: impl Fn(RoleId) -> Scope) -> Value {
    let mut out = Map::new();
    for role in &model.roles {
        out.insert(role.name.clone(), json!(scope(role.id).as_str()));
    }
    Value::Object(out)
}

fn field_value(model: &AppModel, field: &Field) -> Value {
    let mut out = json!({
        "name": field.name,
        "label": label(&field.name),
        "kind": kind(field.ty()),
        "required": field.required_on_create(),
        "nullable": field.nullable,
        "sortable": field.sortable,
        "filterable": field.filterable,
    });
    let obj = out.as_object_mut().expect("an object");
    if !field.rules.values.is_empty() {
        obj.insert("values".into(), json!(field.rules.values));
    }
    if let Some(max) = field.max_length {
        obj.insert("maxLength".into(), json!(max));
    }
    if let Some(read) = &field.read {
        obj.insert("read".into(), by_role(model, |r| read.scope(Some(r))));
    }
    if let Some(write) = &field.write {
        obj.insert("write".into(), by_role(model, |r| write.scope(Some(r))));
    }
    if let Some(workflow) = &field.workflow {
        let mut moves = Map::new();
        for m in &workflow.moves {
            moves.insert(
                format!("{}>{}", m.from, m.to),
                by_role(model, |r| m.roles.get(r.0).copied().unwrap_or(Scope::None)),
            );
        }
        obj.insert(
            "workflow".into(),
            json!({ "initial": workflow.initial, "moves": moves, "frozen": workflow.frozen }),
        );
    }
    out
}

fn entity_value(model: &AppModel, entity: &Entity) -> Option<Value> {
    let path = route_path(model, entity, |op| op == Operation::List(entity.id))?;
    let mut access = Map::new();
    for action in Action::ALL {
        let decision = entity.access(action);
        access.insert(
            action.as_str().to_string(),
            by_role(model, |r| decision.scope(Some(r))),
        );
    }
    // A relation as the screens see it; a to-one one also says whether a
    // create must give it.
    let relation = |r: &model::Relation, to_one: bool| {
        let target = model.entities.iter().find(|e| e.id == r.target)?;
        let mut out = json!({ "key": r.key, "label": label(&r.name), "target": target.collection });
        if to_one {
            out["required"] = json!(r.required);
        }
        Some(out)
    };
    let relations: Vec<Value> = entity.to_one().filter_map(|r| relation(r, true)).collect();
    let links: Vec<Value> = entity
        .to_many()
        .filter_map(|r| relation(r, false))
        .collect();
    Some(json!({
        "name": entity.name,
        "label": label(&entity.name),
        "plural": label(&entity.collection),
        "collection": entity.collection,
        "path": path,
        "owned": entity.is_owned(),
        "access": access,
        "fields": entity.fields.iter().map(|f| field_value(model, f)).collect::<Vec<_>>(),
        "relations": relations,
        "links": links,
    }))
}

/// A sample value as the text a person types into the field's input.
fn typed(field: &Field, n: u64) -> Value {
    let value = field.sample.value(n, "");
    match (field.ty(), &value) {
        (FieldType::Datetime, Value::String(s)) => json!(s.get(..16).unwrap_or(s)),
        (FieldType::Boolean, Value::Bool(_)) => value,
        (_, Value::String(_)) => value,
        (FieldType::Json, _) => json!(value.to_string()),
        (_, other) => json!(other.to_string().trim_matches('"').to_string()),
    }
}

fn writable(field: &Field, role: RoleId) -> bool {
    field
        .write
        .as_ref()
        .is_none_or(|w| w.scope(Some(role)) != Scope::None)
}

fn may(entity: &Entity, action: Action, role: RoleId) -> bool {
    entity.access(action).scope(Some(role)) != Scope::None
}

/// The app whose browser tests a plan is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Surface {
    /// The admin app: every entity the admin may write.
    Admin,
    /// The mobile app: the entities whose rows are kept per account, with
    /// unique values of their own; no forbidden case and no workflow move.
    Mobile,
}

/// What the browser tests do: the admin's rows (entities in an order
/// where parents come first), the field error, a forbidden action for a
/// less privileged role and a workflow move.
pub(crate) fn plan(model: &AppModel, surface: Surface) -> Value {
    let Some(admin) = model.admin_roles().next() else {
        return json!({ "admin": null, "rows": [], "skipped": [], "fieldError": null, "forbidden": null, "workflow": null, "link": null });
    };
    let mut made: Vec<model::EntityId> = Vec::new();
    let mut rows = Vec::new();
    let mut skipped = Vec::new();
    let mut pending: Vec<&Entity> = model.entities.iter().collect();
    // Parents first: an entity waits until the targets of its required
    // relations have a row.
    loop {
        let before = pending.len();
        let mut rest = Vec::new();
        for entity in pending {
            let ready = entity
                .to_one()
                .filter(|r| r.required)
                .all(|r| made.contains(&r.target));
            if !ready {
                rest.push(entity);
                continue;
            }
            if surface == Surface::Mobile && !entity.is_owned() {
                skipped.push(json!({
                    "entity": entity.name,
                    "reason": "its rows are not kept per account, so the mobile app does not show it",
                }));
                continue;
            }
            if let Some(reason) = cannot_write(entity, admin.id) {
                skipped.push(json!({ "entity": entity.name, "reason": reason }));
                continue;
            }
            made.push(entity.id);
            rows.push(row_plan(entity, admin.id, surface));
        }
        pending = rest;
        if pending.is_empty() || pending.len() == before {
            break;
        }
    }
    let unmade = match surface {
        Surface::Admin => "a required relation's target has no row the admin can make",
        Surface::Mobile => "a required relation's target has no row the mobile app's tests make",
    };
    for entity in pending {
        skipped.push(json!({ "entity": entity.name, "reason": unmade }));
    }
    let field_error = model
        .entities
        .iter()
        .filter(|e| made.contains(&e.id))
        .find_map(|e| {
            let f = e.fields.iter().find(|f| {
                f.required_on_create() && matches!(f.ty(), FieldType::String | FieldType::Text)
            })?;
            Some(json!({ "collection": e.collection, "field": f.name }))
        });
    if surface == Surface::Mobile {
        return json!({
            "admin": admin.name,
            "rows": rows,
            "skipped": skipped,
            "fieldError": field_error,
            "forbidden": null,
            "workflow": null,
            "link": null,
        });
    }
    let forbidden = forbidden_case(model).map(|(role, entity)| {
        json!({ "role": role.name, "collection": entity.collection, "label": label(&entity.name) })
    });
    let workflow = model
        .entities
        .iter()
        .filter(|e| made.contains(&e.id) && may(e, Action::Update, admin.id))
        .find_map(|e| {
            let f = e.workflows().next()?;
            let wf = f.workflow.as_ref()?;
            let m = wf.moves.iter().find(|m| m.from == wf.initial)?;
            Some(json!({ "collection": e.collection, "field": f.name, "from": m.from, "to": m.to }))
        });
    // A many-to-many link the admin sets on a row it made, to a row it
    // made of the link's target.
    let link = model
        .entities
        .iter()
        .filter(|e| made.contains(&e.id) && may(e, Action::Update, admin.id))
        .find_map(|e| {
            let r = e.to_many().find(|r| made.contains(&r.target))?;
            let target = model.get(r.target);
            Some(json!({ "collection": e.collection, "key": r.key, "target": target.collection }))
        });
    json!({
        "admin": admin.name,
        "rows": rows,
        "skipped": skipped,
        "fieldError": field_error,
        "forbidden": forbidden,
        "workflow": workflow,
        "link": link,
    })
}

/// The less privileged role the browser tests sign in as, with an entity
/// whose rows it may list but not create while an admin may: the first
/// such role, in spec order.
pub(crate) fn forbidden_case(model: &AppModel) -> Option<(&model::Role, &Entity)> {
    let admin = model.admin_roles().next()?;
    model.roles.iter().filter(|r| !r.admin).find_map(|role| {
        let entity = model.entities.iter().find(|e| {
            may(e, Action::Create, admin.id)
                && !may(e, Action::Create, role.id)
                && e.access(Action::Read).scope(Some(role.id)) == Scope::All
        })?;
        Some((role, entity))
    })
}

/// Why the admin cannot create, read, update and delete a row of `entity`.
fn cannot_write(entity: &Entity, admin: RoleId) -> Option<String> {
    for action in [Action::Create, Action::Read] {
        if !may(entity, action, admin) {
            return Some(format!("the admin role may not {}", action.as_str()));
        }
    }
    if let Some((f, n)) = entity.fields.iter().find_map(|f| {
        let n = f.sample.distinct().filter(|_| f.rules.unique)?;
        // A default fills the field too, with the one value every row takes.
        let filled = f.required_on_create() || f.rules.default.is_some();
        (filled && n < FEW_UNIQUE_VALUES).then_some((f, n))
    }) {
        return Some(format!(
            "its unique field `{}` takes only {n} values, which the stages before may have used",
            f.name
        ));
    }
    if let Some(f) = entity
        .fields
        .iter()
        .find(|f| f.required_on_create() && (!writable(f, admin) || f.ty() == FieldType::Json))
    {
        return Some(format!(
            "the admin cannot set the required field `{}`",
            f.name
        ));
    }
    None
}

/// Below this many distinct values, a unique field's entity is left out of
/// the browser tests: the conformance suite and the client's tests, which
/// run before them on the same database, may have used the value.
const FEW_UNIQUE_VALUES: u64 = 64;

/// The sample counter of the value the browser tests type into a field. A
/// unique field takes one far from the small counters the conformance
/// suite makes its rows with (the middle of a bounded range, else a large
/// prime), and the mobile app's tests one next to the admin app's, so the
/// rows the tests create do not collide with theirs or each other's.
fn counter(field: &Field, surface: Surface) -> u64 {
    if !field.rules.unique {
        return 1;
    }
    let next = u64::from(surface == Surface::Mobile);
    match field.sample.distinct() {
        Some(n) => n / 2 + 1 + next,
        None => 7_919_003 + 14 * next,
    }
}

fn row_plan(entity: &Entity, admin: RoleId, surface: Surface) -> Value {
    let fill: Vec<Value> = entity
        .fields
        .iter()
        .filter(|f| f.required_on_create() && f.workflow.is_none())
        .map(|f| json!({ "field": f.name, "kind": kind(f.ty()), "value": typed(f, counter(f, surface)) }))
        .collect();
    let relations: Vec<Value> = entity
        .to_one()
        .filter(|r| r.required)
        .map(|r| json!(r.key))
        .collect();
    let edit = entity
        .fields
        .iter()
        .filter(|f| {
            writable(f, admin)
                && f.workflow.is_none()
                && !f.rules.unique
                && matches!(f.ty(), FieldType::String | FieldType::Text)
                && f.rules.pattern.is_none()
                && f.read
                    .as_ref()
                    .is_none_or(|r| r.scope(Some(admin)) != Scope::None)
        })
        .map(|f| json!({ "field": f.name, "value": typed(f, 2) }))
        .next();
    json!({
        "collection": entity.collection,
        "label": label(&entity.name),
        "fill": fill,
        "relations": relations,
        "edit": edit,
        "delete": may(entity, Action::Delete, admin),
        "update": may(entity, Action::Update, admin),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_read_as_words() {
        assert_eq!(label("due_on"), "Due on");
        assert_eq!(label("VisitNote"), "Visit note");
        assert_eq!(label(""), "");
    }
}
