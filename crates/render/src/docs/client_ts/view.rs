//! The view model of the client's generated files: each entity's types,
//! list path, access and workflows spelled as TypeScript literals, in
//! model order.

use blueprint_core::naming;
use blueprint_core::spec::Action;
use model::{AppModel, Entity, Field, Operation, Scope};
use serde::Serialize;
use serde_json::{json, Map, Value};

use super::exercise::{self, Exercise};
use crate::docs::openapi::schema_name;

/// What the client's templates print.
#[derive(Debug, Serialize)]
pub(crate) struct ClientView {
    /// The npm package's name.
    pub package: String,
    /// The product's display title.
    pub title: String,
    /// The API's base path (`/api`).
    pub base_path: String,
    /// The roles, as a TypeScript array literal.
    pub roles: String,
    /// The signup roles, as a TypeScript array literal.
    pub signup_roles: String,
    /// The entities, in model order.
    pub entities: Vec<EntityView>,
    /// How long the tests' passwords are: what the policy takes.
    pub password_length: u64,
    /// A password one character longer than login reads (422).
    pub password_too_long: u64,
    /// Whether anyone may sign up: else the tests act as the account the
    /// caller names with `ADMIN_EMAIL` and `ADMIN_PASSWORD`.
    pub signup: bool,
    /// The entity the package's tests exercise, when one can be created
    /// without a parent row.
    pub exercise: Option<Exercise>,
}

/// One entity, for `src/model.ts`.
#[derive(Debug, Serialize)]
pub(crate) struct EntityView {
    /// The spec's name.
    pub name: String,
    /// The OpenAPI schema of a row (`Project`).
    pub schema: String,
    /// The list path (`/api/projects`).
    pub list_path: String,
    /// The list function's name (`listProjects`).
    pub list_fn: String,
    /// The constants' prefix (`PROJECT`).
    pub constant: String,
    /// Who may do what: action to role to scope, a TypeScript literal.
    pub access: String,
    /// Fields whose readers or writers the spec narrows: field to
    /// `{read?, write?}` role-to-scope maps, a TypeScript literal.
    pub field_rules: String,
    /// The workflows of its enum fields.
    pub workflows: Vec<WorkflowView>,
}

/// The workflow of one enum field.
#[derive(Debug, Serialize)]
pub(crate) struct WorkflowView {
    /// The field's name.
    pub field: String,
    /// The constants' prefix (`APPOINTMENT_STATUS`).
    pub constant: String,
    /// The types' prefix (`AppointmentStatus`).
    pub type_name: String,
    /// The initial value, a TypeScript literal.
    pub initial: String,
    /// From each value, the values it may move to: a TypeScript literal.
    pub moves: String,
    /// Who may make each move (`"from>to"` to subjects): a TypeScript literal.
    pub movers: String,
    /// The frozen values, a TypeScript literal.
    pub frozen: String,
}

/// The view of a model; `package` is the npm package's name.
/// The typed client's npm package name, which the mobile app depends on.
pub(crate) fn package_name(model: &AppModel) -> String {
    format!("{}-client", model.product.name)
}

pub(crate) fn client_view(model: &AppModel) -> ClientView {
    let names = |keep: fn(&model::Role) -> bool| {
        let roles: Vec<&str> = model
            .roles
            .iter()
            .filter(|r| keep(r))
            .map(|r| r.name.as_str())
            .collect();
        literal(&json!(roles))
    };
    ClientView {
        package: package_name(model),
        title: model.product.title.clone(),
        base_path: model.api.base_path.clone(),
        roles: names(|_| true),
        signup_roles: names(|r| r.signup),
        entities: model
            .entities
            .iter()
            .map(|e| entity_view(model, e))
            .collect(),
        password_length: model
            .params
            .password_min_length
            .max(16)
            .min(model.params.password_max_length),
        password_too_long: u64::from(crate::docs::openapi::LOGIN_PASSWORD_MAX_LENGTH) + 1,
        signup: model.roles.iter().any(|r| r.signup),
        exercise: exercise::choose(model),
    }
}

fn entity_view(model: &AppModel, entity: &Entity) -> EntityView {
    let list_path = route_path(model, entity, |op| op == Operation::List(entity.id))
        .unwrap_or_else(|| format!("{}/{}", model.api.base_path, entity.collection));
    let mut access = Map::new();
    for action in Action::ALL {
        let decision = entity.access(action);
        access.insert(
            action.as_str().to_string(),
            by_role(model, |r| decision.scope(Some(r))),
        );
    }
    let mut field_rules = Map::new();
    for field in &entity.fields {
        let mut rules = Map::new();
        if let Some(read) = &field.read {
            rules.insert("read".into(), by_role(model, |r| read.scope(Some(r))));
        }
        if let Some(write) = &field.write {
            rules.insert("write".into(), by_role(model, |r| write.scope(Some(r))));
        }
        if !rules.is_empty() {
            field_rules.insert(field.name.clone(), Value::Object(rules));
        }
    }
    EntityView {
        name: entity.name.clone(),
        schema: schema_name(&entity.name),
        list_fn: format!("list{}", naming::pascal(&entity.collection)),
        constant: naming::shouty(&entity.name),
        list_path,
        access: literal(&Value::Object(access)),
        field_rules: literal(&Value::Object(field_rules)),
        workflows: entity
            .workflows()
            .filter_map(|f| workflow_view(entity, f))
            .collect(),
    }
}

fn workflow_view(entity: &Entity, field: &Field) -> Option<WorkflowView> {
    let workflow = field.workflow.as_ref()?;
    let mut moves = Map::new();
    for value in &field.rules.values {
        let next: Vec<&str> = workflow
            .moves
            .iter()
            .filter(|m| &m.from == value)
            .map(|m| m.to.as_str())
            .collect();
        moves.insert(value.clone(), json!(next));
    }
    let mut movers = Map::new();
    for m in &workflow.moves {
        let subjects: Vec<&str> = m.subjects.iter().map(|s| s.as_str()).collect();
        movers.insert(format!("{}>{}", m.from, m.to), json!(subjects));
    }
    let name = format!("{}_{}", entity.name, field.name);
    Some(WorkflowView {
        field: field.name.clone(),
        constant: naming::shouty(&name),
        type_name: naming::pascal(&name),
        initial: literal(&json!(workflow.initial)),
        moves: literal(&Value::Object(moves)),
        movers: literal(&Value::Object(movers)),
        frozen: literal(&json!(workflow.frozen)),
    })
}

/// The path of the entity's route whose operation `is` picks.
pub(crate) fn route_path(
    model: &AppModel,
    entity: &Entity,
    is: impl Fn(Operation) -> bool,
) -> Option<String> {
    model
        .routes_of(entity.id)
        .find(|r| is(r.operation))
        .map(|r| r.path.clone())
}

fn by_role(model: &AppModel, scope: impl Fn(model::RoleId) -> Scope) -> Value {
    let mut out = Map::new();
    for role in &model.roles {
        out.insert(role.name.clone(), json!(scope(role.id).as_str()));
    }
    Value::Object(out)
}

/// A JSON value as a TypeScript literal (JSON is one).
pub(crate) fn literal(value: &Value) -> String {
    serde_json::to_string(value).unwrap_or_default()
}
