//! `docs/openapi.json`: the OpenAPI 3.1 document of exactly the API the
//! backend contract defines for this blueprint — auth, per-entity CRUD with
//! cursor lists, filters and sorts, the data-subject endpoints, the admin
//! endpoints and the probes — with RFC 9457 problem details for errors and
//! the cookie session and CSRF header as security schemes. The generated
//! backend serves this very file at `/openapi.json`.

use blueprint_core::graph::Blueprint;
use blueprint_core::naming;
use blueprint_core::spec::{Action, Entity, Field, FieldType, RelationKind, Subject};
use serde_json::{json, Map, Value};

use crate::docs::facts::{base_path, collection, is_sensitive, param_u64};
use crate::{DocInput, DocumentEmitter, FileTree, RenderError};

/// The path of the document in a generated project.
pub const OPENAPI_PATH: &str = "docs/openapi.json";

/// The audit actions the contract names, in its order.
pub const AUDIT_ACTIONS: [&str; 12] = [
    "register",
    "login",
    "login_failed",
    "lockout",
    "logout",
    "create",
    "update",
    "delete",
    "export",
    "erasure",
    "role_change",
    "retention_purge",
];

/// Emits `docs/openapi.json`.
#[derive(Debug, Clone, Copy, Default)]
pub struct OpenApiEmitter;

impl DocumentEmitter for OpenApiEmitter {
    fn id(&self) -> &'static str {
        "openapi"
    }

    fn emit(&self, input: &DocInput<'_>, out: &mut FileTree) -> Result<(), RenderError> {
        let doc = openapi(input.blueprint);
        let mut text = serde_json::to_string_pretty(&doc).map_err(|e| RenderError::Emitter {
            emitter: self.id().to_string(),
            message: e.to_string(),
        })?;
        text.push('\n');
        out.insert(OPENAPI_PATH, text)
    }
}

/// The component schemas that are not entities.
const SYSTEM_SCHEMAS: [&str; 12] = [
    "Problem",
    "Role",
    "RegisterRequest",
    "LoginRequest",
    "User",
    "LoginResponse",
    "Account",
    "AdminUserPage",
    "Export",
    "AuditEvent",
    "AuditEventPage",
    "Health",
];

/// The schema name of an entity: its name, unless that (or one of its
/// `Create`, `Update`, `Page` companions) is a system schema's, then with
/// `Entity` appended until free.
pub fn schema_name(entity: &str) -> String {
    let mut base = entity.to_string();
    while ["", "Create", "Update", "Page"]
        .iter()
        .any(|suffix| SYSTEM_SCHEMAS.contains(&format!("{base}{suffix}").as_str()))
    {
        base.push_str("Entity");
    }
    base
}

fn r(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn resp(name: &str) -> Value {
    json!({ "$ref": format!("#/components/responses/{name}") })
}

fn param(name: &str) -> Value {
    json!({ "$ref": format!("#/components/parameters/{name}") })
}

fn json_body(schema: Value) -> Value {
    json!({ "required": true, "content": { "application/json": { "schema": schema } } })
}

fn ok(description: &str, schema: Value) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": schema } } })
}

fn no_content(description: &str) -> Value {
    json!({ "description": description })
}

/// The digits pattern of a decimal with this precision and scale.
pub fn decimal_pattern(precision: u32, scale: u32) -> String {
    let int_digits = precision.saturating_sub(scale);
    let int_part = if int_digits == 0 {
        "0".to_string()
    } else {
        format!("[0-9]{{1,{int_digits}}}")
    };
    if scale == 0 {
        format!("^-?{int_part}$")
    } else {
        format!("^-?{int_part}(\\.[0-9]{{1,{scale}}})?$")
    }
}

/// The E.164 pattern of `phone` fields.
pub const PHONE_PATTERN: &str = "^\\+[1-9][0-9]{1,14}$";

fn number(n: blueprint_core::spec::Number) -> Value {
    match n {
        blueprint_core::spec::Number::Int(i) => json!(i),
        blueprint_core::spec::Number::Float(f) => json!(f),
    }
}

fn length(n: blueprint_core::spec::Number) -> Value {
    json!(n.as_f64().max(0.0).floor() as u64)
}

/// Where a field schema is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Use {
    /// In a response item.
    Item,
    /// In a create or update body.
    Request,
    /// As a query parameter.
    Query,
}

/// The JSON Schema of a field's values (without null).
fn field_schema(field: &Field, used: Use) -> Map<String, Value> {
    let mut s = Map::new();
    let ty = |s: &mut Map<String, Value>, t: &str| {
        s.insert("type".into(), json!(t));
    };
    match field.ty {
        FieldType::String | FieldType::Text => {
            ty(&mut s, "string");
            if let Some(min) = field.min {
                s.insert("minLength".into(), length(min));
            }
            match (field.max, field.ty) {
                (Some(max), _) => {
                    s.insert("maxLength".into(), length(max));
                }
                (None, FieldType::String) => {
                    s.insert(
                        "maxLength".into(),
                        json!(blueprint_core::spec::DEFAULT_STRING_MAX),
                    );
                }
                _ => {}
            }
        }
        FieldType::Email | FieldType::Url | FieldType::Phone => {
            ty(&mut s, "string");
            match field.ty {
                FieldType::Email => {
                    s.insert("format".into(), json!("email"));
                }
                FieldType::Url => {
                    s.insert("format".into(), json!("uri"));
                }
                _ => {
                    s.insert("pattern".into(), json!(PHONE_PATTERN));
                }
            }
            if let Some(min) = field.min {
                s.insert("minLength".into(), length(min));
            }
            if let Some(max) = field.max {
                s.insert("maxLength".into(), length(max));
            }
        }
        FieldType::Integer | FieldType::Bigint => {
            ty(&mut s, "integer");
            let format = if field.ty == FieldType::Integer {
                "int32"
            } else {
                "int64"
            };
            s.insert("format".into(), json!(format));
            if let Some(min) = field.min {
                s.insert("minimum".into(), number(min));
            }
            if let Some(max) = field.max {
                s.insert("maximum".into(), number(max));
            }
        }
        FieldType::Decimal => {
            let (p, sc) = field.decimal_digits();
            if used == Use::Request {
                s.insert("type".into(), json!(["string", "number"]));
            } else {
                ty(&mut s, "string");
            }
            s.insert("pattern".into(), json!(decimal_pattern(p, sc)));
            // Bounds bind numbers only; a request may send one.
            if used == Use::Request {
                if let Some(min) = field.min {
                    s.insert("minimum".into(), number(min));
                }
                if let Some(max) = field.max {
                    s.insert("maximum".into(), number(max));
                }
            }
        }
        FieldType::Boolean => ty(&mut s, "boolean"),
        FieldType::Date => {
            ty(&mut s, "string");
            s.insert("format".into(), json!("date"));
        }
        FieldType::Datetime => {
            ty(&mut s, "string");
            s.insert("format".into(), json!("date-time"));
        }
        FieldType::Uuid => {
            ty(&mut s, "string");
            s.insert("format".into(), json!("uuid"));
        }
        FieldType::Json => {}
        FieldType::Enum => {
            ty(&mut s, "string");
            s.insert("enum".into(), json!(field.values));
        }
    }
    if let Some(p) = &field.pattern {
        if field.ty.is_textual() {
            s.insert("pattern".into(), json!(p));
        }
    }
    s
}

/// Adds `null` to a schema's allowed values.
fn nullable(mut s: Map<String, Value>) -> Map<String, Value> {
    match s.get("type").cloned() {
        Some(Value::String(t)) => {
            s.insert("type".into(), json!([t, "null"]));
        }
        Some(Value::Array(mut ts)) => {
            ts.push(json!("null"));
            s.insert("type".into(), Value::Array(ts));
        }
        _ => {}
    }
    if let Some(Value::Array(mut values)) = s.get("enum").cloned() {
        values.push(Value::Null);
        s.insert("enum".into(), Value::Array(values));
    }
    s
}

fn uuid() -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("type".into(), json!("string"));
    m.insert("format".into(), json!("uuid"));
    m
}

fn described(mut s: Map<String, Value>, text: Option<&str>) -> Value {
    if let Some(t) = text.filter(|t| !t.is_empty()) {
        s.insert("description".into(), json!(t));
    }
    Value::Object(s)
}

/// The JSON names and schemas of an entity's relations, as sent and
/// returned: `<relation>_id` (uuid) or `<singular>_ids` (array of uuid).
fn relation_properties(entity: &Entity, used: Use) -> Vec<(String, Value, bool)> {
    entity
        .relations
        .iter()
        .map(|(name, rel)| {
            let json_name = rel.json_name(name);
            let desc = match rel.kind {
                RelationKind::ManyToMany => {
                    format!("The {} rows this row links to (`{name}`).", rel.to)
                }
                _ => format!("The {} this row refers to (`{name}`).", rel.to),
            };
            let schema = match rel.kind {
                RelationKind::ManyToMany => {
                    let mut m = Map::new();
                    m.insert("type".into(), json!("array"));
                    m.insert("items".into(), Value::Object(uuid()));
                    m.insert("uniqueItems".into(), json!(true));
                    if rel.required && used == Use::Request {
                        m.insert("minItems".into(), json!(1));
                    }
                    described(m, Some(&desc))
                }
                _ => {
                    let m = if rel.required || used == Use::Query {
                        uuid()
                    } else {
                        nullable(uuid())
                    };
                    described(m, Some(&desc))
                }
            };
            (json_name, schema, rel.required)
        })
        .collect()
}

fn field_description(bp: &Blueprint, entity: &str, name: &str, field: &Field) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    if let Some(d) = &field.description {
        parts.push(d.trim().to_string());
    }
    if is_sensitive(bp, entity, name) {
        parts.push(
            "Sensitive personal data: encrypted at rest; cannot be sorted or filtered on.".into(),
        );
    }
    if field.unique {
        parts.push("Unique.".into());
    }
    (!parts.is_empty()).then(|| parts.join(" "))
}

fn item_schema(bp: &Blueprint, name: &str, entity: &Entity) -> Value {
    let mut props = Map::new();
    let mut required = vec![json!("id")];
    props.insert(
        "id".into(),
        json!({ "type": "string", "format": "uuid", "readOnly": true }),
    );
    for (fname, field) in &entity.fields {
        let s = field_schema(field, Use::Item);
        let s = if field.required { s } else { nullable(s) };
        props.insert(
            fname.clone(),
            described(s, field_description(bp, name, fname, field).as_deref()),
        );
        required.push(json!(fname));
    }
    for (json_name, schema, _) in relation_properties(entity, Use::Item) {
        props.insert(json_name.clone(), schema);
        required.push(json!(json_name));
    }
    if entity.owned {
        props.insert(
            "owner_id".into(),
            json!({ "type": "string", "format": "uuid", "readOnly": true, "description": "The user who owns the row." }),
        );
        required.push(json!("owner_id"));
    }
    for ts in ["created_at", "updated_at"] {
        props.insert(
            ts.into(),
            json!({ "type": "string", "format": "date-time", "readOnly": true }),
        );
        required.push(json!(ts));
    }
    let mut s = json!({
        "type": "object",
        "properties": props,
        "required": required,
        "additionalProperties": false,
    });
    if let (Some(d), Some(obj)) = (&entity.description, s.as_object_mut()) {
        obj.insert("description".into(), json!(d));
    }
    s
}

fn request_schema(bp: &Blueprint, name: &str, entity: &Entity, create: bool) -> Value {
    let mut props = Map::new();
    let mut required = Vec::new();
    for (fname, field) in &entity.fields {
        let mut s = field_schema(field, Use::Request);
        if let (true, Some(d)) = (create, &field.default) {
            let v = match d {
                blueprint_core::spec::Scalar::Bool(b) => json!(b),
                blueprint_core::spec::Scalar::Number(n) => number(*n),
                blueprint_core::spec::Scalar::Str(t) => json!(t),
            };
            s.insert("default".into(), v);
        }
        let s = if field.required { s } else { nullable(s) };
        props.insert(
            fname.clone(),
            described(s, field_description(bp, name, fname, field).as_deref()),
        );
        if create && field.required && field.default.is_none() {
            required.push(json!(fname));
        }
    }
    for (json_name, schema, req) in relation_properties(entity, Use::Request) {
        props.insert(json_name.clone(), schema);
        if create && req {
            required.push(json!(json_name));
        }
    }
    if create && entity.owned {
        props.insert(
            "owner_id".into(),
            json!({ "type": "string", "format": "uuid", "description": "Admin roles only: create the row on behalf of this user. Anyone else sending it gets 422." }),
        );
    }
    let mut s = Map::new();
    s.insert("type".into(), json!("object"));
    s.insert("properties".into(), Value::Object(props));
    if !required.is_empty() {
        s.insert("required".into(), Value::Array(required));
    }
    s.insert("additionalProperties".into(), json!(false));
    Value::Object(s)
}

fn page_schema(item: &str) -> Value {
    json!({
        "type": "object",
        "properties": {
            "items": { "type": "array", "items": r(item) },
            "next_cursor": { "type": ["string", "null"], "description": "Pass as `cursor` to get the next page; null on the last page." },
        },
        "required": ["items", "next_cursor"],
        "additionalProperties": false,
    })
}

/// The fields an entity's lists may sort and filter on: non-sensitive
/// scalar fields (not `json`).
fn listable<'a>(
    bp: &'a Blueprint,
    name: &'a str,
    entity: &'a Entity,
) -> impl Iterator<Item = (&'a String, &'a Field)> + 'a {
    entity
        .fields
        .iter()
        .filter(move |(f, field)| field.ty != FieldType::Json && !is_sensitive(bp, name, f))
}

fn list_parameters(bp: &Blueprint, name: &str, entity: &Entity) -> Vec<Value> {
    let mut params = vec![param("limit"), param("cursor")];
    let mut sorts = vec![
        json!("created_at"),
        json!("-created_at"),
        json!("updated_at"),
        json!("-updated_at"),
    ];
    for (f, _) in listable(bp, name, entity) {
        sorts.push(json!(f));
        sorts.push(json!(format!("-{f}")));
    }
    params.push(json!({
        "name": "sort",
        "in": "query",
        "required": false,
        "description": "A field to sort on, `-` first for descending; ties break on `id`.",
        "schema": { "type": "string", "enum": sorts, "default": "created_at" },
    }));
    for (f, field) in listable(bp, name, entity) {
        params.push(json!({
            "name": f,
            "in": "query",
            "required": false,
            "description": format!("Only rows whose `{f}` equals this value."),
            "schema": Value::Object(field_schema(field, Use::Query)),
        }));
    }
    for (json_name, schema, _) in relation_properties(entity, Use::Query) {
        if json_name.ends_with("_ids") {
            continue;
        }
        params.push(json!({
            "name": json_name,
            "in": "query",
            "required": false,
            "description": format!("Only rows whose `{json_name}` equals this id."),
            "schema": schema,
        }));
    }
    params
}

/// The security requirement of an entity operation: a session, plus the
/// CSRF header for state-changing ones; open to anyone too when the
/// access rule says `public`.
fn entity_security(entity: &Entity, action: Action) -> Value {
    let mut alts = vec![if action == Action::Read {
        json!({ "session": [] })
    } else {
        json!({ "session": [], "csrf": [] })
    }];
    if entity.access.get(action).contains(&Subject::Public) {
        alts.push(json!({}));
    }
    Value::Array(alts)
}

fn entity_paths(
    bp: &Blueprint,
    base: &str,
    name: &str,
    entity: &Entity,
    paths: &mut Map<String, Value>,
) {
    let c = collection(name, entity);
    let snake = naming::snake(name);
    let schema = schema_name(name);
    let tag = c.clone();
    let who = |action: Action| {
        let subjects: Vec<String> = entity
            .access
            .get(action)
            .iter()
            .map(|s| format!("`{}`", s.as_str()))
            .collect();
        let admins: Vec<String> = bp
            .spec()
            .admin_roles()
            .filter(|a| {
                !entity
                    .access
                    .get(action)
                    .contains(&Subject::Role((*a).to_string()))
            })
            .map(|a| format!("`{a}`"))
            .collect();
        let mut all = subjects;
        all.extend(admins);
        format!("Allowed to: {}.", all.join(", "))
    };
    let owned_note = if entity.owned {
        " Owned rows are scoped to their owner."
    } else {
        ""
    };
    paths.insert(
        format!("{base}/{c}"),
        json!({
            "get": {
                "operationId": format!("list_{c}"),
                "tags": [tag],
                "summary": format!("List {name} rows"),
                "description": format!("Cursor-paginated, stable under inserts.{owned_note} {}", who(Action::Read)),
                "security": entity_security(entity, Action::Read),
                "parameters": list_parameters(bp, name, entity),
                "responses": {
                    "200": ok("A page of rows.", r(&format!("{schema}Page"))),
                    "401": resp("Unauthorized"),
                    "403": resp("Forbidden"),
                    "422": resp("ValidationFailed"),
                    "429": resp("TooManyRequests"),
                },
            },
            "post": {
                "operationId": format!("create_{snake}"),
                "tags": [tag],
                "summary": format!("Create a {name}"),
                "description": who(Action::Create),
                "security": entity_security(entity, Action::Create),
                "requestBody": json_body(r(&format!("{schema}Create"))),
                "responses": {
                    "201": ok("The created row.", r(&schema)),
                    "401": resp("Unauthorized"),
                    "403": resp("Forbidden"),
                    "409": resp("Conflict"),
                    "422": resp("ValidationFailed"),
                    "429": resp("TooManyRequests"),
                },
            },
        }),
    );
    paths.insert(
        format!("{base}/{c}/{{id}}"),
        json!({
            "parameters": [param("id")],
            "get": {
                "operationId": format!("get_{snake}"),
                "tags": [tag],
                "summary": format!("Read a {name}"),
                "description": format!("404 for rows the caller may not see. {}", who(Action::Read)),
                "security": entity_security(entity, Action::Read),
                "responses": {
                    "200": ok("The row.", r(&schema)),
                    "401": resp("Unauthorized"),
                    "403": resp("Forbidden"),
                    "404": resp("NotFound"),
                    "429": resp("TooManyRequests"),
                },
            },
            "patch": {
                "operationId": format!("update_{snake}"),
                "tags": [tag],
                "summary": format!("Change a {name}"),
                "description": who(Action::Update),
                "security": entity_security(entity, Action::Update),
                "requestBody": json_body(r(&format!("{schema}Update"))),
                "responses": {
                    "200": ok("The changed row.", r(&schema)),
                    "401": resp("Unauthorized"),
                    "403": resp("Forbidden"),
                    "404": resp("NotFound"),
                    "409": resp("Conflict"),
                    "422": resp("ValidationFailed"),
                    "429": resp("TooManyRequests"),
                },
            },
            "delete": {
                "operationId": format!("delete_{snake}"),
                "tags": [tag],
                "summary": format!("Delete a {name}"),
                "description": format!("409 while rows refer to it through a `restrict` relation. {}", who(Action::Delete)),
                "security": entity_security(entity, Action::Delete),
                "responses": {
                    "204": no_content("Deleted."),
                    "401": resp("Unauthorized"),
                    "403": resp("Forbidden"),
                    "404": resp("NotFound"),
                    "409": resp("Conflict"),
                    "429": resp("TooManyRequests"),
                },
            },
        }),
    );
}

fn auth_paths(bp: &Blueprint, base: &str, paths: &mut Map<String, Value>) {
    let signup: Vec<&str> = bp.spec().signup_roles().collect();
    let register_note = match signup.first() {
        Some(first) => format!(
            "`role` defaults to `{first}`; only signup roles ({}) may be asked for.",
            signup
                .iter()
                .map(|r| format!("`{r}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        None => "This product has no signup role: register answers 403.".to_string(),
    };
    paths.insert(
        format!("{base}/auth/register"),
        json!({ "post": {
            "operationId": "register",
            "tags": ["auth"],
            "summary": "Create an account",
            "description": register_note,
            "security": [],
            "requestBody": json_body(r("RegisterRequest")),
            "responses": {
                "201": ok("The account.", r("User")),
                "403": resp("Forbidden"),
                "409": resp("Conflict"),
                "422": resp("ValidationFailed"),
                "429": resp("TooManyRequests"),
            },
        }}),
    );
    paths.insert(
        format!("{base}/auth/login"),
        json!({ "post": {
            "operationId": "login",
            "tags": ["auth"],
            "summary": "Sign in",
            "description": "Sets the `session` cookie (HttpOnly, Secure, SameSite=Lax, Path=/) and the `csrf_token` cookie (readable by scripts). Repeated failures for one email lock it out for a while (429 with Retry-After).",
            "security": [],
            "requestBody": json_body(r("LoginRequest")),
            "responses": {
                "200": {
                    "description": "Signed in.",
                    "headers": {
                        "Set-Cookie": {
                            "description": "`session=…; HttpOnly; Secure; SameSite=Lax; Path=/` and `csrf_token=…; Secure; SameSite=Lax; Path=/`.",
                            "schema": { "type": "string" },
                        },
                    },
                    "content": { "application/json": { "schema": r("LoginResponse") } },
                },
                "401": resp("Unauthorized"),
                "422": resp("ValidationFailed"),
                "429": resp("TooManyRequests"),
            },
        }}),
    );
    paths.insert(
        format!("{base}/auth/logout"),
        json!({ "post": {
            "operationId": "logout",
            "tags": ["auth"],
            "summary": "Sign out",
            "description": "Revokes the session on the server. Without a session it answers 204 too.",
            "security": [{ "session": [], "csrf": [] }, {}],
            "responses": {
                "204": no_content("Signed out."),
                "403": resp("Forbidden"),
                "429": resp("TooManyRequests"),
            },
        }}),
    );
    paths.insert(
        format!("{base}/auth/me"),
        json!({ "get": {
            "operationId": "me",
            "tags": ["auth"],
            "summary": "The signed-in user",
            "security": [{ "session": [] }],
            "responses": {
                "200": ok("The user.", r("User")),
                "401": resp("Unauthorized"),
                "429": resp("TooManyRequests"),
            },
        }}),
    );
}

fn account_paths(base: &str, paths: &mut Map<String, Value>) {
    paths.insert(
        format!("{base}/me/export"),
        json!({ "get": {
            "operationId": "export_my_data",
            "tags": ["me"],
            "summary": "Download my data",
            "description": "The account and every row the caller owns (GDPR Art. 15, 20).",
            "security": [{ "session": [] }],
            "responses": {
                "200": ok("The caller's data.", r("Export")),
                "401": resp("Unauthorized"),
                "429": resp("TooManyRequests"),
            },
        }}),
    );
    paths.insert(
        format!("{base}/me"),
        json!({ "delete": {
            "operationId": "erase_me",
            "tags": ["me"],
            "summary": "Erase my account",
            "description": "Erases the account and owned rows in one transaction; audit events about the user are kept, pseudonymized (GDPR Art. 17). 409 names what blocks the erasure, and nothing is erased.",
            "security": [{ "session": [], "csrf": [] }],
            "responses": {
                "204": no_content("Erased."),
                "401": resp("Unauthorized"),
                "403": resp("Forbidden"),
                "409": resp("Conflict"),
                "429": resp("TooManyRequests"),
            },
        }}),
    );
    paths.insert(
        format!("{base}/admin/audit-events"),
        json!({ "get": {
            "operationId": "list_audit_events",
            "tags": ["admin"],
            "summary": "Read the audit log",
            "description": "Admin roles only, in the order events happened.",
            "security": [{ "session": [] }],
            "parameters": [
                param("limit"),
                param("cursor"),
                { "name": "actor", "in": "query", "required": false, "description": "Only events by this user id.", "schema": { "type": "string", "format": "uuid" } },
                { "name": "action", "in": "query", "required": false, "description": "Only events of this action.", "schema": { "type": "string", "enum": AUDIT_ACTIONS } },
            ],
            "responses": {
                "200": ok("A page of audit events.", r("AuditEventPage")),
                "401": resp("Unauthorized"),
                "403": resp("Forbidden"),
                "422": resp("ValidationFailed"),
                "429": resp("TooManyRequests"),
            },
        }}),
    );
    paths.insert(
        format!("{base}/admin/users"),
        json!({ "get": {
            "operationId": "list_users",
            "tags": ["admin"],
            "summary": "Find users",
            "description": "Admin roles only: find the id of a user to act on their behalf.",
            "security": [{ "session": [] }],
            "parameters": [
                { "name": "email", "in": "query", "required": false, "description": "Only the user with this email.", "schema": { "type": "string", "format": "email" } },
                { "name": "role", "in": "query", "required": false, "description": "Only users with this role.", "schema": r("Role") },
                param("limit"),
                param("cursor"),
            ],
            "responses": {
                "200": ok("A page of users.", r("AdminUserPage")),
                "401": resp("Unauthorized"),
                "403": resp("Forbidden"),
                "422": resp("ValidationFailed"),
                "429": resp("TooManyRequests"),
            },
        }}),
    );
}

fn operations_paths(paths: &mut Map<String, Value>) {
    paths.insert(
        "/healthz".into(),
        json!({ "get": {
            "operationId": "healthz",
            "tags": ["operations"],
            "summary": "Liveness",
            "security": [],
            "responses": { "200": ok("The process is up.", r("Health")) },
        }}),
    );
    paths.insert(
        "/readyz".into(),
        json!({ "get": {
            "operationId": "readyz",
            "tags": ["operations"],
            "summary": "Readiness",
            "security": [],
            "responses": {
                "200": ok("The database answers.", r("Health")),
                "503": ok("The database does not answer.", r("Health")),
            },
        }}),
    );
    paths.insert(
        "/openapi.json".into(),
        json!({ "get": {
            "operationId": "openapi",
            "tags": ["operations"],
            "summary": "This document",
            "security": [],
            "responses": { "200": ok("The OpenAPI 3.1 document of this API.", json!({ "type": "object" })) },
        }}),
    );
}

fn schemas(bp: &Blueprint) -> Map<String, Value> {
    let spec = bp.spec();
    let roles: Vec<&String> = spec.roles.keys().collect();
    let signup: Vec<&str> = spec.signup_roles().collect();
    let min = param_u64(bp, "password.min_length", 12);
    let max = param_u64(bp, "password.max_length", 128);
    let mut s = Map::new();
    s.insert(
        "Problem".into(),
        json!({
            "type": "object",
            "description": "RFC 9457 problem details.",
            "properties": {
                "type": { "type": "string", "format": "uri-reference" },
                "title": { "type": "string" },
                "status": { "type": "integer", "minimum": 400, "maximum": 599 },
                "detail": { "type": "string" },
                "instance": { "type": "string", "format": "uri-reference" },
                "errors": {
                    "type": "object",
                    "description": "For 422 (and 409 on a unique value): field name to message.",
                    "additionalProperties": { "type": "string" },
                },
            },
            "required": ["type", "title", "status"],
        }),
    );
    s.insert("Role".into(), json!({ "type": "string", "enum": roles }));
    let mut register_props = Map::new();
    register_props.insert(
        "email".into(),
        json!({ "type": "string", "format": "email" }),
    );
    register_props.insert(
        "password".into(),
        json!({ "type": "string", "minLength": min, "maxLength": max, "description": "Not the email and not a common password." }),
    );
    if let Some(first) = signup.first() {
        register_props.insert(
            "role".into(),
            json!({ "type": "string", "enum": signup, "default": first }),
        );
    }
    s.insert(
        "RegisterRequest".into(),
        json!({ "type": "object", "properties": register_props, "required": ["email", "password"], "additionalProperties": false }),
    );
    s.insert(
        "LoginRequest".into(),
        json!({
            "type": "object",
            "properties": {
                "email": { "type": "string", "format": "email" },
                "password": { "type": "string" },
            },
            "required": ["email", "password"],
            "additionalProperties": false,
        }),
    );
    s.insert(
        "User".into(),
        json!({
            "type": "object",
            "properties": {
                "user_id": { "type": "string", "format": "uuid" },
                "email": { "type": "string", "format": "email" },
                "role": r("Role"),
            },
            "required": ["user_id", "email", "role"],
        }),
    );
    s.insert(
        "LoginResponse".into(),
        json!({
            "type": "object",
            "properties": {
                "user_id": { "type": "string", "format": "uuid" },
                "email": { "type": "string", "format": "email" },
                "role": r("Role"),
                "csrf_token": { "type": "string", "description": "Send it back as the X-CSRF-Token header on state-changing requests." },
            },
            "required": ["user_id", "email", "role", "csrf_token"],
        }),
    );
    s.insert(
        "Account".into(),
        json!({
            "type": "object",
            "properties": {
                "user_id": { "type": "string", "format": "uuid" },
                "email": { "type": "string", "format": "email" },
                "role": r("Role"),
                "created_at": { "type": "string", "format": "date-time" },
            },
            "required": ["user_id", "email", "role", "created_at"],
        }),
    );
    s.insert("AdminUserPage".into(), page_schema("Account"));
    let mut data = Map::new();
    for (name, entity) in &spec.entities {
        if entity.owned {
            data.insert(
                name.clone(),
                json!({ "type": "array", "items": r(&schema_name(name)) }),
            );
        }
    }
    s.insert(
        "Export".into(),
        json!({
            "type": "object",
            "properties": {
                "account": r("Account"),
                "data": { "type": "object", "description": "Every row the caller owns, by entity.", "properties": data },
            },
            "required": ["account", "data"],
        }),
    );
    s.insert(
        "AuditEvent".into(),
        json!({
            "type": "object",
            "description": "Users are named by id only; erasing an account pseudonymizes its events.",
            "properties": {
                "id": { "type": "string", "format": "uuid" },
                "at": { "type": "string", "format": "date-time" },
                "actor_id": { "type": ["string", "null"], "format": "uuid" },
                "actor_role": { "type": ["string", "null"] },
                "action": { "type": "string", "enum": AUDIT_ACTIONS },
                "entity": { "type": ["string", "null"] },
                "entity_id": { "type": ["string", "null"] },
                "fields": { "type": ["array", "null"], "items": { "type": "string" }, "description": "The names of the changed fields, never their values." },
                "request_id": { "type": ["string", "null"] },
            },
            "required": ["id", "at", "actor_id", "actor_role", "action", "entity", "entity_id", "fields", "request_id"],
        }),
    );
    s.insert("AuditEventPage".into(), page_schema("AuditEvent"));
    s.insert(
        "Health".into(),
        json!({ "type": "object", "properties": { "status": { "type": "string" } } }),
    );
    for (name, entity) in &spec.entities {
        let schema = schema_name(name);
        s.insert(schema.clone(), item_schema(bp, name, entity));
        s.insert(
            format!("{schema}Create"),
            request_schema(bp, name, entity, true),
        );
        s.insert(
            format!("{schema}Update"),
            request_schema(bp, name, entity, false),
        );
        s.insert(format!("{schema}Page"), page_schema(&schema));
    }
    s
}

fn problem(description: &str) -> Value {
    json!({
        "description": description,
        "content": { "application/problem+json": { "schema": r("Problem") } },
    })
}

/// The OpenAPI 3.1 document of a blueprint's API.
///
/// ```
/// use blueprint_core::builder::SpecBuilder;
/// let mut bp = SpecBuilder::new("tasks").with_entity("Task", |e| e).build();
/// compliance::complete(&mut bp).unwrap();
/// let doc = render::docs::openapi::openapi(&bp);
/// assert_eq!(doc["openapi"], "3.1.0");
/// assert!(doc["paths"]["/api/tasks/{id}"]["patch"].is_object());
/// ```
pub fn openapi(bp: &Blueprint) -> Value {
    let spec = bp.spec();
    let base = base_path(spec);
    let title = spec.product.display_name();
    let page_size = spec.api.page_size.clamp(1, 500);

    let mut paths = Map::new();
    auth_paths(bp, &base, &mut paths);
    for (name, entity) in &spec.entities {
        entity_paths(bp, &base, name, entity, &mut paths);
    }
    account_paths(&base, &mut paths);
    operations_paths(&mut paths);

    let mut tags = vec![
        json!({ "name": "auth", "description": "Cookie sessions: register, sign in and out." }),
    ];
    for (name, entity) in &spec.entities {
        let mut t = Map::new();
        t.insert("name".into(), json!(collection(name, entity)));
        let d = entity
            .description
            .clone()
            .unwrap_or_else(|| format!("{name} rows."));
        t.insert("description".into(), json!(d));
        tags.push(Value::Object(t));
    }
    tags.push(
        json!({ "name": "me", "description": "The caller's own data (GDPR Art. 15, 17, 20)." }),
    );
    tags.push(json!({ "name": "admin", "description": "Admin roles only." }));
    tags.push(json!({ "name": "operations", "description": "Probes and this document." }));

    let description = match &spec.product.description {
        Some(d) if !d.trim().is_empty() => format!(
            "{}\n\nErrors are RFC 9457 problem details. State-changing requests made with a session carry the `X-CSRF-Token` header.",
            d.trim()
        ),
        _ => "Errors are RFC 9457 problem details. State-changing requests made with a session carry the `X-CSRF-Token` header.".to_string(),
    };

    // `json!` copies the values of variables it is given; the large ones
    // (paths, schemas) are moved in afterwards, into the keys kept for them.
    let mut doc = json!({
        "openapi": "3.1.0",
        "info": {
            "title": format!("{title} API"),
            "version": "1.0.0",
            "description": description,
        },
        "tags": null,
        "paths": null,
        "components": {
            "schemas": null,
            "parameters": {
                "id": { "name": "id", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } },
                "limit": { "name": "limit", "in": "query", "required": false, "description": "Rows per page.", "schema": { "type": "integer", "minimum": 1, "maximum": 500, "default": page_size } },
                "cursor": { "name": "cursor", "in": "query", "required": false, "description": "The `next_cursor` of the previous page.", "schema": { "type": "string" } },
            },
            "responses": {
                "Unauthorized": problem("No live session (or, at login, a wrong email or password)."),
                "Forbidden": problem("A missing or wrong X-CSRF-Token, or a role that may not do this."),
                "NotFound": problem("No such row, or one the caller may not see."),
                "Conflict": problem("A unique value is taken, or rows still refer to this one."),
                "ValidationFailed": problem("Invalid input; `errors` maps each field to a message."),
                "TooManyRequests": {
                    "description": "Rate limit or login lockout.",
                    "headers": {
                        "Retry-After": { "description": "Seconds to wait.", "schema": { "type": "integer", "minimum": 0 } },
                    },
                    "content": { "application/problem+json": { "schema": r("Problem") } },
                },
            },
            "securitySchemes": {
                "session": { "type": "apiKey", "in": "cookie", "name": "session", "description": "The opaque session token set at login (HttpOnly)." },
                "csrf": { "type": "apiKey", "in": "header", "name": "X-CSRF-Token", "description": "The `csrf_token` of the session, on every state-changing request made with a session." },
            },
        },
    });
    doc["tags"] = Value::Array(tags);
    doc["paths"] = Value::Object(paths);
    doc["components"]["schemas"] = Value::Object(schemas(bp));
    doc
}
