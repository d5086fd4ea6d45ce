//! `docs/openapi.json`: the OpenAPI 3.1 document of exactly the API the
//! backend contract defines for this blueprint — auth, per-entity CRUD with
//! cursor lists, filters and sorts, the data-subject endpoints, the admin
//! endpoints and the probes — with RFC 9457 problem details for errors and
//! the cookie session and CSRF header as security schemes. The generated
//! backend serves this very file at `/openapi.json`.

use blueprint_core::graph::Blueprint;
use blueprint_core::naming;
use blueprint_core::spec::{Action, Field, FieldType, Subject};
use model::input::{common_passwords, CURSOR_PATTERN, TEXT_PATTERN, TEXT_RULE};
use model::routes::{IDEMPOTENCY_HOURS, MAX_PAGE_SIZE, UNAVAILABLE_RETRY_AFTER_SECS};
use model::{
    AppModel, Entity as ModelEntity, EntityId, Field as ModelField, FilterOn, Operation, Relation,
    Route, SessionUse, RESET_TOKEN_MINUTES, VERIFICATION_TOKEN_HOURS,
};
use serde_json::{json, Map, Value};

use crate::{DocInput, DocumentEmitter, FileTree, RenderError};

/// The path of the document in a generated project.
pub const OPENAPI_PATH: &str = "docs/openapi.json";

/// Emits `docs/openapi.json`.
#[derive(Debug, Clone, Copy, Default)]
pub struct OpenApiEmitter;

impl DocumentEmitter for OpenApiEmitter {
    fn id(&self) -> &'static str {
        "openapi"
    }

    fn emit(&self, input: &DocInput<'_>, out: &mut FileTree) -> Result<(), RenderError> {
        let doc = document(input.model);
        let mut text = serde_json::to_string_pretty(&doc).map_err(|e| RenderError::Emitter {
            emitter: self.id().to_string(),
            message: e.to_string(),
        })?;
        text.push('\n');
        out.insert(OPENAPI_PATH, text)
    }
}

/// The longest email an account can have (register and login refuse
/// longer ones with 422).
const EMAIL_MAX_LENGTH: u32 = 255;

/// The longest token the verification and reset routes read (a longer one
/// is 422).
const TOKEN_MAX_LENGTH: u32 = 128;

/// The longest password login reads (a longer one is 422; register's
/// bound is the policy's).
pub(crate) const LOGIN_PASSWORD_MAX_LENGTH: u32 = 1024;

pub use model::names::schema_name;

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
            let unsigned = used == Use::Request && field.min.is_some_and(|m| m.as_f64() >= 0.0);
            let pattern = decimal_pattern(p, sc);
            let pattern = if unsigned {
                pattern.replacen("^-?", "^", 1)
            } else {
                pattern
            };
            s.insert("pattern".into(), json!(pattern));
            // Bounds and steps bind numbers only; a request may send one.
            if used == Use::Request {
                // Powers of ten parsed, not multiplied: `powi` drifts past
                // 1e22 (1e37 came out as 1.0000000000000001e37), and the
                // document must say the number the app serves.
                let whole = power_of_ten(i64::from(p.saturating_sub(sc)));
                s.insert("exclusiveMinimum".into(), json!(-whole));
                s.insert("exclusiveMaximum".into(), json!(whole));
                s.insert("multipleOf".into(), json!(power_of_ten(-i64::from(sc))));
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
    // Text a client sends holds no NUL and no unpaired surrogate: one
    // `pattern` says it, beside the field's own in an `allOf`.
    if used == Use::Request
        && s.get("type") == Some(&json!("string"))
        && field.ty != FieldType::Enum
    {
        if s.contains_key("pattern") {
            s.insert("allOf".into(), json!([{ "pattern": TEXT_PATTERN }]));
        } else {
            s.insert("pattern".into(), json!(TEXT_PATTERN));
        }
    }
    s
}

/// The JSON Schema of a filter's query values: exactly what lists accept
/// for the column (its type's shape and range, text without NUL or
/// unpaired surrogates), not the field's write rules, which filters do not
/// apply (a value no row can hold finds no row).
fn filter_schema(field: &Field) -> Map<String, Value> {
    let schema = match field.ty {
        FieldType::Integer => json!({
            "type": "integer", "format": "int32", "minimum": i32::MIN, "maximum": i32::MAX,
        }),
        FieldType::Bigint => json!({
            "type": "integer", "format": "int64", "minimum": i64::MIN, "maximum": i64::MAX,
        }),
        FieldType::Decimal => {
            let (p, sc) = field.decimal_digits();
            json!({ "type": "string", "pattern": filter_decimal_pattern(p, sc) })
        }
        FieldType::Boolean => json!({ "type": "boolean" }),
        FieldType::Date => json!({ "type": "string", "format": "date" }),
        FieldType::Datetime => json!({ "type": "string", "format": "date-time" }),
        FieldType::Uuid => json!({ "type": "string", "format": "uuid" }),
        FieldType::Json => json!({}),
        _ => json!({ "type": "string", "pattern": TEXT_PATTERN }),
    };
    match schema {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// The pattern of a decimal filter value: any number of fraction digits,
/// and at most the column's whole digits after leading zeros (a larger
/// value does not fit the column, which lists refuse with 422).
pub fn filter_decimal_pattern(precision: u32, scale: u32) -> String {
    match precision.saturating_sub(scale) {
        0 => "^-?0+(\\.[0-9]+)?$".to_string(),
        whole => format!("^-?0*[0-9]{{1,{whole}}}(\\.[0-9]+)?$"),
    }
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

/// Subjects as the spec names them: `owner, underwriter`.
fn subject_list(subjects: &[Subject]) -> String {
    subjects
        .iter()
        .map(|s| format!("`{}`", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn subject_names(subjects: &[Subject]) -> Value {
    Value::Array(subjects.iter().map(|s| json!(s.as_str())).collect())
}

/// What JSON Schema cannot say about a field, as `x-archgen-*` keys: who
/// reads it (`x-archgen-read`), who writes it (`x-archgen-write`), and its
/// workflow (`x-archgen-workflow`: `initial`, `moves` with `who`,
/// `frozen`). Subjects are named as in the spec; admin roles always may.
fn add_extensions(s: &mut Map<String, Value>, field: &ModelField, used: Use) {
    if let Some(rule) = &field.read {
        s.insert("x-archgen-read".into(), subject_names(&rule.subjects));
    }
    if used != Use::Query {
        if let Some(rule) = &field.write {
            s.insert("x-archgen-write".into(), subject_names(&rule.subjects));
        }
    }
    if let Some(w) = &field.workflow {
        let moves: Vec<Value> = w
            .moves
            .iter()
            .map(|m| json!({ "from": m.from, "to": m.to, "who": subject_names(&m.subjects) }))
            .collect();
        s.insert(
            "x-archgen-workflow".into(),
            json!({ "initial": w.initial, "moves": moves, "frozen": w.frozen }),
        );
    }
}

/// The sentences that explain a field's rules and workflow.
fn rule_sentences(field: &ModelField, used: Use) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(rule) = &field.read {
        out.push(format!(
            "Read: only {} (and admin roles) see this key; for anyone else it is absent from items, and filtering or sorting on it is 422.",
            subject_list(&rule.subjects)
        ));
    }
    if used == Use::Request {
        if let Some(rule) = &field.write {
            out.push(format!(
                "Write: only {} (and admin roles) may send it; anyone else sending it gets 403 naming the field.",
                subject_list(&rule.subjects)
            ));
        }
    }
    if let Some(w) = &field.workflow {
        let moves: Vec<String> = w
            .moves
            .iter()
            .map(|m| format!("`{}` → `{}` by {}", m.from, m.to, subject_list(&m.subjects)))
            .collect();
        let mut t = format!(
            "Workflow: rows start at `{}` (a create sending another value is 422). Moves: {}. Another change of value is 409; a listed move by a caller outside its subjects is 403 (admin roles may make any listed move).",
            w.initial,
            moves.join("; ")
        );
        if !w.frozen.is_empty() {
            t.push_str(&format!(
                " In {} the row's other fields cannot change (409).",
                w.frozen
                    .iter()
                    .map(|v| format!("`{v}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        out.push(t);
    }
    out
}

/// A field's property in an item or request body: its schema, its
/// description, and its `x-archgen-*` rules.
fn field_property(field: &ModelField, mut s: Map<String, Value>, used: Use) -> Value {
    add_extensions(&mut s, field, used);
    let mut parts: Vec<String> = field_description(field).into_iter().collect();
    parts.extend(rule_sentences(field, used));
    let text = parts.join(" ");
    described(s, Some(&text))
}

/// The JSON name and schema of a relation, as sent and returned:
/// `<relation>_id` (uuid) or `<singular>_ids` (array of uuid).
fn relation_property(rel: &Relation, used: Use) -> (String, Value) {
    let name = &rel.name;
    let desc = if rel.is_to_one() {
        format!("The {} this row refers to (`{name}`).", rel.target_name)
    } else {
        format!("The {} rows this row links to (`{name}`).", rel.target_name)
    };
    let schema = if rel.is_to_one() {
        let m = if rel.required || used == Use::Query {
            uuid()
        } else {
            nullable(uuid())
        };
        described(m, Some(&desc))
    } else {
        let mut m = Map::new();
        m.insert("type".into(), json!("array"));
        m.insert("items".into(), Value::Object(uuid()));
        m.insert("uniqueItems".into(), json!(true));
        if rel.required && used == Use::Request {
            m.insert("minItems".into(), json!(1));
        }
        described(m, Some(&desc))
    };
    (rel.key.clone(), schema)
}

fn field_description(field: &ModelField) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    if let Some(d) = &field.rules.description {
        parts.push(d.trim().to_string());
    }
    if field.encrypted {
        parts.push(
            "Sensitive personal data: encrypted at rest; cannot be sorted or filtered on.".into(),
        );
    }
    if field.rules.unique {
        parts.push("Unique.".into());
    }
    (!parts.is_empty()).then(|| parts.join(" "))
}

fn item_schema(entity: &ModelEntity) -> Value {
    let mut props = Map::new();
    let mut required = vec![json!("id")];
    props.insert(
        "id".into(),
        json!({ "type": "string", "format": "uuid", "readOnly": true }),
    );
    for field in &entity.fields {
        let s = field_schema(&field.rules, Use::Item);
        let s = if field.nullable { nullable(s) } else { s };
        props.insert(field.name.clone(), field_property(field, s, Use::Item));
        // A key some callers may not read is absent for them.
        if field.read.is_none() {
            required.push(json!(field.name));
        }
    }
    for rel in &entity.relations {
        let (json_name, schema) = relation_property(rel, Use::Item);
        props.insert(json_name.clone(), schema);
        required.push(json!(json_name));
    }
    if entity.is_owned() {
        let description = match entity.owner_relation() {
            Some(rel) => format!(
                "The user who owns the row: the owner of the {} its `{}` points at. Derived and read-only for everyone; sending it is 422.",
                rel.target_name, rel.name
            ),
            None => "The user who owns the row.".to_string(),
        };
        props.insert(
            "owner_id".into(),
            json!({ "type": "string", "format": "uuid", "readOnly": true, "description": description }),
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

fn request_schema(entity: &ModelEntity, create: bool) -> Value {
    let mut props = Map::new();
    let mut required = Vec::new();
    for field in &entity.fields {
        let rules = &field.rules;
        let mut s = field_schema(rules, Use::Request);
        if let (true, Some(d)) = (create, &rules.default) {
            let v = match d {
                blueprint_core::spec::Scalar::Bool(b) => json!(b),
                blueprint_core::spec::Scalar::Number(n) => number(*n),
                blueprint_core::spec::Scalar::Str(t) => json!(t),
            };
            s.insert("default".into(), v);
        }
        // Null only where the column takes it (a field with a default is
        // never null: leave it out to keep the default).
        let s = if field.nullable { nullable(s) } else { s };
        props.insert(field.name.clone(), field_property(field, s, Use::Request));
        if create && field.required_on_create() {
            required.push(json!(field.name));
        }
    }
    for rel in &entity.relations {
        let (json_name, mut schema) = relation_property(rel, Use::Request);
        // A change may send null for a list of links: it leaves them as they are.
        if !create && !rel.is_to_one() {
            schema["type"] = json!(["array", "null"]);
        }
        props.insert(json_name.clone(), schema);
        if create && rel.required {
            required.push(json!(json_name));
        }
    }
    // Rows owned through a relation have a derived owner: no `owner_id` in
    // request bodies (sending it is 422).
    if create && entity.owner_settable() {
        props.insert(
            "owner_id".into(),
            json!({ "type": ["string", "null"], "format": "uuid", "description": "Admin roles only: create the row on behalf of this user (null or absent: the caller). Anyone else sending it gets 422." }),
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

/// The query parameters of an entity's list: paging, the sort keys and
/// the filters the model allows.
fn list_parameters(entity: &ModelEntity) -> Vec<Value> {
    let mut params = vec![param("limit"), param("cursor")];
    let sorts: Vec<Value> = entity
        .sort_keys()
        .into_iter()
        .flat_map(|k| [json!(k), json!(format!("-{k}"))])
        .collect();
    params.push(json!({
        "name": "sort",
        "in": "query",
        "required": false,
        "description": "A field to sort on, `-` first for descending; ties break on `id`.",
        "schema": { "type": "string", "enum": sorts, "default": "created_at" },
    }));
    for filter in &entity.filters {
        let unreadable = match *filter {
            FilterOn::Field(i) => entity.fields[i].read.as_ref(),
            FilterOn::Relation(_) => None,
        }
        .map(|rule| {
            format!(
                " 422 for a caller who may not read it on every row it lists (it reads: {}).",
                subject_list(&rule.subjects)
            )
        })
        .unwrap_or_default();
        let (name, schema, what) = match *filter {
            FilterOn::Field(i) => {
                let f = &entity.fields[i];
                (
                    f.name.clone(),
                    Value::Object(filter_schema(&f.rules)),
                    "value",
                )
            }
            FilterOn::Relation(i) => {
                let (key, schema) = relation_property(&entity.relations[i], Use::Query);
                (key, schema, "id")
            }
        };
        params.push(json!({
            "name": name,
            "in": "query",
            "required": false,
            "description": format!("Only rows whose `{name}` equals this {what}.{unreadable}"),
            "schema": schema,
        }));
    }
    params
}

/// The security requirement of a route: none for open routes; a session,
/// plus the CSRF header where the route demands it; and open to anyone
/// too when a session is optional or the entity's access rule says
/// `public`.
fn security(route: &Route, public: bool) -> Value {
    let with_session = if route.csrf {
        json!({ "session": [], "csrf": [] })
    } else {
        json!({ "session": [] })
    };
    match route.session {
        SessionUse::None => json!([]),
        SessionUse::Optional if !route.csrf => json!([]),
        SessionUse::Optional => json!([with_session, {}]),
        SessionUse::Required if public => json!([with_session, {}]),
        SessionUse::Required => json!([with_session]),
    }
}

/// The action an entity route performs.
fn entity_action(op: Operation) -> Option<(EntityId, Action)> {
    match op {
        Operation::List(e) | Operation::Read(e) => Some((e, Action::Read)),
        Operation::Create(e) => Some((e, Action::Create)),
        Operation::Update(e) => Some((e, Action::Update)),
        Operation::Delete(e) => Some((e, Action::Delete)),
        _ => None,
    }
}

/// Who may perform an action: the subjects of the rule, then the admin
/// roles it does not name.
fn who(model: &AppModel, entity: &ModelEntity, action: Action) -> String {
    let rule = entity.access(action);
    let mut all: Vec<String> = rule
        .subjects
        .iter()
        .map(|s| format!("`{}`", s.as_str()))
        .collect();
    all.extend(
        model
            .admin_roles()
            .filter(|a| !rule.subjects.contains(&Subject::Role(a.name.clone())))
            .map(|a| format!("`{}`", a.name)),
    );
    format!("Allowed to: {}.", all.join(", "))
}

/// The parts of an operation object besides its security and responses.
struct Op {
    id: String,
    tag: String,
    summary: String,
    description: Option<String>,
    parameters: Option<Vec<Value>>,
    body: Option<String>,
}

impl Op {
    fn new(id: impl Into<String>, tag: impl Into<String>, summary: impl Into<String>) -> Op {
        Op {
            id: id.into(),
            tag: tag.into(),
            summary: summary.into(),
            description: None,
            parameters: None,
            body: None,
        }
    }

    fn described(mut self, text: impl Into<String>) -> Op {
        self.description = Some(text.into());
        self
    }
}

/// The operation's identity, texts, parameters and body.
fn op_of(model: &AppModel, route: &Route) -> Op {
    use Operation as O;
    if let Some((id, action)) = entity_action(route.operation) {
        let e = model.get(id);
        let name = &e.name;
        let c = &e.collection;
        let snake = naming::snake(name);
        let schema = schema_name(name);
        let allowed = who(model, e, action);
        return match route.operation {
            O::List(_) => {
                let owned_note = if e.is_owned() {
                    " Owned rows are scoped to their owner."
                } else {
                    ""
                };
                let mut op = Op::new(format!("list_{c}"), c, format!("List {name} rows"))
                    .described(format!(
                        "Cursor-paginated, stable under inserts.{owned_note} {allowed}"
                    ));
                op.parameters = Some(list_parameters(e));
                op
            }
            O::Create(_) => {
                let mut op = Op::new(format!("create_{snake}"), c, format!("Create a {name}"))
                    .described(allowed);
                op.body = Some(format!("{schema}Create"));
                op
            }
            O::Read(_) => Op::new(format!("get_{snake}"), c, format!("Read a {name}"))
                .described(format!("404 for rows the caller may not see. {allowed}")),
            O::Update(_) => {
                let mut op = Op::new(format!("update_{snake}"), c, format!("Change a {name}"))
                    .described(allowed);
                op.body = Some(format!("{schema}Update"));
                op
            }
            _ => Op::new(format!("delete_{snake}"), c, format!("Delete a {name}")).described(
                format!("409 while rows refer to it through a `restrict` relation. {allowed}"),
            ),
        };
    }
    match route.operation {
        O::Register => {
            let signup: Vec<&str> = model.signup_roles().map(|r| r.name.as_str()).collect();
            let note = match signup.first() {
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
            let note = if model.email.is_some() {
                format!("{note} Answers 202 `{{}}` whether or not the email is taken, and mails either a verification link or a notice that the account exists, so the answer never tells whether an email is registered. The new account can sign in at once.")
            } else {
                note
            };
            let mut op = Op::new("register", "auth", "Create an account").described(note);
            op.body = Some("RegisterRequest".into());
            op
        }
        O::Login => {
            let mut op = Op::new("login", "auth", "Sign in").described("Sets the `session` cookie (HttpOnly, Secure, SameSite=Lax, Path=/) and the `csrf_token` cookie (readable by scripts). Repeated failures for one email lock it out for a while (429 with Retry-After).");
            op.body = Some("LoginRequest".into());
            op
        }
        O::Logout => Op::new("logout", "auth", "Sign out").described(
            "Revokes the session on the server. Without a session it answers 204 too.",
        ),
        O::Me => Op::new("me", "auth", "The signed-in user"),
        O::VerifyEmail => {
            let mut op = Op::new("verify_email", "auth", "Verify an email").described(format!(
                "Takes the token of the verification link (single use, valid {VERIFICATION_TOKEN_HOURS} hours); 422 for an unknown, used or expired token."
            ));
            op.body = Some("VerifyEmailRequest".into());
            op
        }
        O::PasswordReset => {
            let mut op = Op::new("request_password_reset", "auth", "Ask for a password reset")
                .described(format!("Answers 202 for any email, registered or not; a registered one is mailed a reset link (single use, valid {RESET_TOKEN_MINUTES} minutes)."));
            op.body = Some("PasswordResetRequest".into());
            op
        }
        O::PasswordResetConfirm => {
            let mut op = Op::new("confirm_password_reset", "auth", "Set a new password")
                .described("Takes the reset token and the new password; signs the account out everywhere (every session is revoked). 422 for an unknown, used or expired token or a weak password.");
            op.body = Some("PasswordResetConfirmRequest".into());
            op
        }
        O::OidcLogin => Op::new("oidc_login", "auth", "Sign in with the identity provider").described("Redirects to the OpenID provider's authorization endpoint with `state`, `nonce` and a PKCE challenge (S256); the three are kept in a signed, HttpOnly cookie that lives ten minutes."),
        O::OidcCallback => {
            let mut op = Op::new("oidc_callback", "auth", "The identity provider's answer").described("Exchanges the code, verifies the ID token (signature against the provider's JWKS, `iss`, `aud`, `exp`, `nonce`), links the account with the same email only when the provider says `email_verified`, else creates one in the integration's default role, and starts a session exactly as `login` does before redirecting to the application. A wrong state, an error from the provider or a token that fails a check answers 400 and is audited as `login_failed`.");
            op.parameters = Some(vec![
                json!({ "name": "code", "in": "query", "required": false, "description": "The authorization code.", "schema": { "type": "string" } }),
                json!({ "name": "state", "in": "query", "required": false, "description": "The state the login redirect carried.", "schema": { "type": "string" } }),
                json!({ "name": "error", "in": "query", "required": false, "description": "The provider's error code, when it refused.", "schema": { "type": "string" } }),
            ]);
            op
        }
        O::Export => Op::new("export_my_data", "me", "Download my data")
            .described("The account and every row the caller owns (GDPR Art. 15, 20)."),
        O::Erase => Op::new("erase_me", "me", "Erase my account").described("Erases the account and owned rows in one transaction; audit events about the user are kept, pseudonymized (GDPR Art. 17). 409 names what blocks the erasure, and nothing is erased."),
        O::AuditEvents => {
            let mut op = Op::new("list_audit_events", "admin", "Read the audit log")
                .described("Admin roles only, in the order events happened.");
            op.parameters = Some(vec![
                param("limit"),
                param("cursor"),
                json!({ "name": "actor", "in": "query", "required": false, "description": "Only events by this user id.", "schema": { "type": "string", "format": "uuid" } }),
                json!({ "name": "action", "in": "query", "required": false, "description": "Only events of this action.", "schema": { "type": "string", "enum": model.audit_actions() } }),
            ]);
            op
        }
        O::AdminUsers => {
            let mut op = Op::new("list_users", "admin", "Find users")
                .described("Admin roles only: find the id of a user to act on their behalf.");
            op.parameters = Some(vec![
                json!({ "name": "email", "in": "query", "required": false, "description": "Only the user with this email (compared trimmed and lowercased).", "schema": { "type": "string", "pattern": TEXT_PATTERN } }),
                json!({ "name": "role", "in": "query", "required": false, "description": "Only users with this role.", "schema": r("Role") }),
                param("limit"),
                param("cursor"),
            ]);
            op
        }
        O::Payment(e) => {
            let e = model.get(e);
            Op::new(
                format!("pay_{}", naming::snake(&e.name)),
                e.collection.clone(),
                format!("Pay for a {}", e.name),
            )
            .described(format!(
                "Creates the row's Stripe payment, or answers the one already made for the same row and amount (the Stripe idempotency key is derived from both). The card goes to Stripe, never to this API. 409 once the row is paid; 422 while it has no price. {}",
                who(model, e, Action::Read)
            ))
        }
        O::StripeWebhook => {
            let mut op = Op::new("stripe_webhook", "payments", "Stripe's events").described(
                "For Stripe only: the body must carry a `Stripe-Signature` made with `STRIPE_WEBHOOK_SECRET` within five minutes (400 otherwise). Each event is applied once; a replay answers 200 and changes nothing. No session, no CSRF token.",
            );
            op.parameters = Some(vec![json!({ "name": "Stripe-Signature", "in": "header", "required": true, "description": "`t=<unix time>,v1=<HMAC-SHA256 of \"<t>.<body>\">`.", "schema": { "type": "string" } })]);
            op.body = Some("StripeEvent".into());
            op
        }
        O::Healthz => Op::new("healthz", "operations", "Liveness"),
        O::Readyz => Op::new("readyz", "operations", "Readiness"),
        _ => Op::new("openapi", "operations", "This document"),
    }
}

/// The response of a route for one of its statuses: the shared problem
/// responses for errors, the operation's own answer otherwise.
fn response(model: &AppModel, route: &Route, status: u16) -> Value {
    use Operation as O;
    match status {
        401 => return resp("Unauthorized"),
        403 => return resp("Forbidden"),
        404 => return resp("NotFound"),
        409 => return resp("Conflict"),
        422 => return resp("ValidationFailed"),
        429 => return resp("TooManyRequests"),
        503 => return resp("Unavailable"),
        _ => {}
    }
    let schema = |id: EntityId| schema_name(&model.get(id).name);
    match (route.operation, status) {
        (O::Register, 202) => ok(
            "Accepted: a mail is on its way to the address, whether or not it was registered.",
            json!({ "type": "object", "additionalProperties": false, "maxProperties": 0 }),
        ),
        (O::Register, _) => ok("The account.", r("User")),
        (O::Login, _) => json!({
            "description": "Signed in.",
            "headers": {
                "Set-Cookie": {
                    "description": "`session=…; HttpOnly; Secure; SameSite=Lax; Path=/` and `csrf_token=…; Secure; SameSite=Lax; Path=/`.",
                    "schema": { "type": "string" },
                },
            },
            "content": { "application/json": { "schema": r("LoginResponse") } },
        }),
        (O::Logout, _) => no_content("Signed out."),
        (O::Me, _) => ok("The user.", r("User")),
        (O::VerifyEmail, _) => no_content("Verified."),
        (O::PasswordReset, _) => ok(
            "Accepted: a registered address is mailed a reset link.",
            json!({ "type": "object", "additionalProperties": false, "maxProperties": 0 }),
        ),
        (O::PasswordResetConfirm, _) => {
            no_content("The password is changed and every session revoked.")
        }
        (O::OidcLogin, _) => json!({
            "description": "To the identity provider.",
            "headers": {
                "Location": {
                    "description": "The provider's authorization endpoint with `response_type=code`, `client_id`, `redirect_uri`, `scope`, `state`, `nonce`, `code_challenge` and `code_challenge_method=S256`.",
                    "schema": { "type": "string" },
                },
            },
        }),
        (O::OidcCallback, 400) => problem("A wrong or expired state, an error from the provider, an ID token that fails a check, or an email the provider has not verified."),
        (O::OidcCallback, _) => json!({
            "description": "Signed in: to the application (`OIDC_REDIRECT_AFTER_LOGIN`).",
            "headers": {
                "Set-Cookie": {
                    "description": "`session=…; HttpOnly; Secure; SameSite=Lax; Path=/` and `csrf_token=…; Secure; SameSite=Lax; Path=/`, as `login` sets them.",
                    "schema": { "type": "string" },
                },
                "Location": { "description": "The application.", "schema": { "type": "string" } },
            },
        }),
        (O::List(e), _) => ok("A page of rows.", r(&format!("{}Page", schema(e)))),
        (O::Create(e), _) => {
            let mut answer = ok("The created row.", r(&schema(e)));
            answer["links"] = row_links(&model.get(e).name);
            answer
        }
        (O::Read(e), _) => ok("The row.", r(&schema(e))),
        (O::Update(e), _) => ok("The changed row.", r(&schema(e))),
        (O::Delete(_), _) => no_content("Deleted."),
        (O::Export, _) => ok("The caller's data.", r("Export")),
        (O::Erase, _) => no_content("Erased."),
        (O::AuditEvents, _) => ok("A page of audit events.", r("AuditEventPage")),
        (O::AdminUsers, _) => ok("A page of users.", r("AdminUserPage")),
        (O::Healthz, _) => ok("The process is up.", r("Health")),
        (O::Readyz, _) => ok("The database answers.", r("Health")),
        (O::Payment(_), 502) => problem("Stripe did not answer, after retries with backoff."),
        (O::Payment(_), _) => ok("The row's payment.", r("Payment")),
        (O::StripeWebhook, 400) => {
            problem("The `Stripe-Signature` header is missing, wrong or older than five minutes.")
        }
        (O::StripeWebhook, _) => ok(
            "The event was received (`replay`: it had been applied before).",
            r("StripeEventReceived"),
        ),
        (O::OpenApi, _) => ok(
            "The OpenAPI 3.1 document of this API.",
            json!({ "type": "object" }),
        ),
    }
}

/// The links from a created row to the operations on it, by its `id`, so
/// a client (or a stateful test) can follow a create to its reads,
/// changes and deletion.
fn row_links(entity: &str) -> Value {
    let snake = naming::snake(entity);
    let mut links = Map::new();
    for (name, verb) in [("Get", "get"), ("Update", "update"), ("Delete", "delete")] {
        links.insert(
            format!("{name}{entity}"),
            json!({
                "operationId": format!("{verb}_{snake}"),
                "parameters": { "id": "$response.body#/id" },
            }),
        );
    }
    Value::Object(links)
}

/// The 403, 409 and 422 answers of a create or update that field rules
/// or workflows make possible, said in the operation's own words; `None`
/// when the shared response says it all.
fn rule_response(model: &AppModel, route: &Route, status: u16) -> Option<Value> {
    let (id, create) = match route.operation {
        Operation::Create(e) => (e, true),
        Operation::Update(e) => (e, false),
        _ => return None,
    };
    let e = model.get(id);
    let names = |pick: &dyn Fn(&ModelField) -> bool| -> Vec<String> {
        e.fields
            .iter()
            .filter(|f| pick(f))
            .map(|f| format!("`{}`", f.name))
            .collect()
    };
    let written = names(&|f| f.write.is_some());
    let workflows = names(&|f| f.workflow.is_some());
    let frozen = names(&|f| f.workflow.as_ref().is_some_and(|w| !w.frozen.is_empty()));
    match status {
        403 if !written.is_empty() || (!create && !workflows.is_empty()) => {
            let mut why =
                vec!["A missing or wrong X-CSRF-Token, or a role that may not do this".to_string()];
            if !written.is_empty() {
                why.push(format!(
                    "a field the caller may not write ({}; `errors` names it)",
                    written.join(", ")
                ));
            }
            if !create && !workflows.is_empty() {
                why.push(format!(
                    "a listed workflow move ({}) by a caller outside its subjects",
                    workflows.join(", ")
                ));
            }
            Some(problem(&format!("{}.", why.join(", or "))))
        }
        409 if !create && !workflows.is_empty() => {
            let mut why = vec![
                "A unique value is taken".to_string(),
                format!(
                    "a change of {} along a move the workflow does not list (`errors` names the field and both values)",
                    workflows.join(", ")
                ),
            ];
            if !frozen.is_empty() {
                why.push(format!(
                    "a change to a row whose {} is in a frozen state",
                    frozen.join(", ")
                ));
            }
            Some(problem(&format!(
                "{}; admin roles get 409 too.",
                why.join(", or ")
            )))
        }
        422 if create && (!workflows.is_empty() || e.owner_relation().is_some()) => {
            let mut why = vec!["Invalid input; `errors` maps each field to a message".to_string()];
            if !workflows.is_empty() {
                why.push(format!(
                    "a workflow field ({}) not at its initial value",
                    workflows.join(", ")
                ));
            }
            if let Some(rel) = e.owner_relation() {
                why.push(format!(
                    "`owner_id` sent, or a `{}` that names a {} the caller may not update",
                    rel.name, rel.target_name
                ));
            }
            Some(problem(&format!("{}.", why.join(", or "))))
        }
        _ => None,
    }
}

/// The operation object of a route.
fn operation(model: &AppModel, route: &Route) -> Value {
    let op = op_of(model, route);
    let public = entity_action(route.operation)
        .map(|(e, action)| model.get(e).access(action).public)
        .unwrap_or(false);
    let mut o = Map::new();
    o.insert("operationId".into(), json!(op.id));
    o.insert("tags".into(), json!([op.tag]));
    o.insert("summary".into(), json!(op.summary));
    if let Some(d) = op.description {
        o.insert("description".into(), json!(d));
    }
    o.insert("security".into(), security(route, public));
    let mut parameters = op.parameters.unwrap_or_default();
    if route.idempotency_key {
        parameters.push(param("idempotency_key"));
    }
    if !parameters.is_empty() {
        o.insert("parameters".into(), Value::Array(parameters));
    }
    if let Some(b) = op.body {
        o.insert("requestBody".into(), json_body(r(&b)));
    }
    let responses: Map<String, Value> = route
        .statuses
        .iter()
        .map(|s| {
            let answer =
                rule_response(model, route, *s).unwrap_or_else(|| response(model, route, *s));
            (s.to_string(), answer)
        })
        .collect();
    o.insert("responses".into(), Value::Object(responses));
    Value::Object(o)
}

/// The paths object: every route of the model, in its order.
fn paths(model: &AppModel) -> Map<String, Value> {
    let mut paths = Map::new();
    for route in &model.routes {
        let item = paths.entry(route.path.clone()).or_insert_with(|| {
            let mut item = Map::new();
            if route.path.contains("{id}") {
                item.insert("parameters".into(), json!([param("id")]));
            }
            Value::Object(item)
        });
        if let Value::Object(item) = item {
            item.insert(route.method.lower().into(), operation(model, route));
        }
    }
    paths
}

fn schemas(model: &AppModel) -> Map<String, Value> {
    let roles: Vec<&str> = model.roles.iter().map(|r| r.name.as_str()).collect();
    let signup: Vec<&str> = model.signup_roles().map(|r| r.name.as_str()).collect();
    let min = model.params.password_min_length;
    let max = model.params.password_max_length;
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
        json!({ "type": "string", "format": "email", "maxLength": EMAIL_MAX_LENGTH }),
    );
    register_props.insert(
        "password".into(),
        json!({
            "type": "string",
            "minLength": min,
            "maxLength": max,
            "pattern": TEXT_PATTERN,
            "not": { "enum": common_passwords(min, max) },
            "description": "Not the email and not a common password (the list in `not`, compared case-insensitively).",
        }),
    );
    if let Some(first) = signup.first() {
        let mut values: Vec<Value> = signup.iter().map(|r| json!(r)).collect();
        values.push(Value::Null);
        register_props.insert(
            "role".into(),
            json!({ "type": ["string", "null"], "enum": values, "default": first, "description": "A signup role; absent or null: the default." }),
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
                "email": { "type": "string", "format": "email", "maxLength": EMAIL_MAX_LENGTH },
                "password": { "type": "string", "maxLength": LOGIN_PASSWORD_MAX_LENGTH, "pattern": TEXT_PATTERN },
            },
            "required": ["email", "password"],
            "additionalProperties": false,
        }),
    );
    let mut user = json!({
        "type": "object",
        "properties": {
            "user_id": { "type": "string", "format": "uuid" },
            "email": { "type": "string", "format": "email" },
            "role": r("Role"),
        },
        "required": ["user_id", "email", "role"],
    });
    if model.email.is_some() {
        user["properties"]["email_verified"] = json!({ "type": "boolean", "description": "Whether the account followed its verification link." });
        user["required"] = json!(["user_id", "email", "role", "email_verified"]);
        s.insert(
            "VerifyEmailRequest".into(),
            json!({
                "type": "object",
                "properties": { "token": { "type": "string", "minLength": 1, "maxLength": TOKEN_MAX_LENGTH, "pattern": TEXT_PATTERN } },
                "required": ["token"],
                "additionalProperties": false,
            }),
        );
        s.insert(
            "PasswordResetRequest".into(),
            json!({
                "type": "object",
                "properties": { "email": { "type": "string", "format": "email", "maxLength": EMAIL_MAX_LENGTH } },
                "required": ["email"],
                "additionalProperties": false,
            }),
        );
        s.insert(
            "PasswordResetConfirmRequest".into(),
            json!({
                "type": "object",
                "properties": {
                    "token": { "type": "string", "minLength": 1, "maxLength": TOKEN_MAX_LENGTH, "pattern": TEXT_PATTERN },
                    "password": register_props["password"].clone(),
                },
                "required": ["token", "password"],
                "additionalProperties": false,
            }),
        );
    }
    s.insert("User".into(), user);
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
    for entity in model.owned() {
        data.insert(
            entity.name.clone(),
            json!({ "type": "array", "items": r(&schema_name(&entity.name)) }),
        );
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
                "action": { "type": "string", "enum": model.audit_actions() },
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
    if model
        .routes
        .iter()
        .any(|r| matches!(r.operation, Operation::Payment(_)))
    {
        let checkout = model
            .integrations
            .iter()
            .any(|i| i.payment.as_ref().is_some_and(|p| p.checkout));
        let (secret, about) = if checkout {
            (
                "checkout_url",
                "The hosted Checkout page to send the payer to.",
            )
        } else {
            (
                "client_secret",
                "For Stripe.js to confirm the PaymentIntent in the browser.",
            )
        };
        s.insert(
            "Payment".into(),
            json!({
                "type": "object",
                "properties": {
                    "payment_id": { "type": "string", "description": "Stripe's id of the payment." },
                    secret: { "type": ["string", "null"], "description": about },
                    "status": { "type": "string", "description": "Stripe's status of the payment." },
                },
                "required": ["payment_id", secret, "status"],
            }),
        );
        s.insert(
            "StripeEvent".into(),
            json!({
                "type": "object",
                "description": "A Stripe event, as Stripe sends it.",
                "properties": {
                    "id": { "type": "string" },
                    "type": { "type": "string" },
                    "data": { "type": "object" },
                },
                "required": ["id", "type", "data"],
            }),
        );
        s.insert(
            "StripeEventReceived".into(),
            json!({
                "type": "object",
                "properties": {
                    "received": { "type": "boolean" },
                    "replay": { "type": "boolean" },
                },
                "required": ["received", "replay"],
            }),
        );
    }
    for entity in &model.entities {
        let schema = schema_name(&entity.name);
        s.insert(schema.clone(), item_schema(entity));
        s.insert(format!("{schema}Create"), request_schema(entity, true));
        s.insert(format!("{schema}Update"), request_schema(entity, false));
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

/// The OpenAPI 3.1 document of a blueprint's API: [`document`] of its
/// application model.
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
    document(&AppModel::from_blueprint(bp))
}

/// The OpenAPI 3.1 document of an application model: one operation per
/// route of [`AppModel::routes`], answering exactly the route's statuses.
///
/// ```
/// use blueprint_core::builder::SpecBuilder;
/// let mut bp = SpecBuilder::new("tasks").with_entity("Task", |e| e).build();
/// compliance::complete(&mut bp).unwrap();
/// let model = model::AppModel::from_blueprint(&bp);
/// let doc = render::docs::openapi::document(&model);
/// let statuses: Vec<&String> = doc["paths"]["/api/tasks"]["get"]["responses"]
///     .as_object().unwrap().keys().collect();
/// assert_eq!(statuses, ["200", "401", "403", "422", "429", "503"]);
/// ```
pub fn document(model: &AppModel) -> Value {
    let title = &model.product.title;
    let page_size = model.api.page_size;
    let paths = paths(model);

    let mut tags = vec![
        json!({ "name": "auth", "description": "Cookie sessions: register, sign in and out." }),
    ];
    for entity in &model.entities {
        let mut t = Map::new();
        t.insert("name".into(), json!(entity.collection));
        let d = entity
            .description
            .clone()
            .unwrap_or_else(|| format!("{} rows.", entity.name));
        t.insert("description".into(), json!(d));
        tags.push(Value::Object(t));
    }
    tags.push(
        json!({ "name": "me", "description": "The caller's own data (GDPR Art. 15, 17, 20)." }),
    );
    tags.push(json!({ "name": "admin", "description": "Admin roles only." }));
    tags.push(json!({ "name": "operations", "description": "Probes and this document." }));

    let general = format!(
        "Errors are RFC 9457 problem details. State-changing requests made with a session carry the `X-CSRF-Token` header. {TEXT_RULE} A method a path does not serve is 405 with `Allow`."
    );
    let description = match &model.product.description {
        Some(d) if !d.trim().is_empty() => format!("{}\n\n{general}", d.trim()),
        _ => general,
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
                "limit": { "name": "limit", "in": "query", "required": false, "description": "Rows per page.", "schema": { "type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": page_size } },
                "cursor": { "name": "cursor", "in": "query", "required": false, "description": "The `next_cursor` of the previous page of this list, with the same `sort`. Only a cursor the list issued is accepted (it is signed); any other is 422.", "schema": { "type": "string", "pattern": CURSOR_PATTERN } },
                "idempotency_key": {
                    "name": "Idempotency-Key",
                    "in": "header",
                    "required": false,
                    "description": format!("A key of the client's choosing (a UUID, say) that makes a retry safe: the same key and body from the same user within {IDEMPOTENCY_HOURS} h get the first answer back and create nothing; the same key with another body is 422."),
                    "schema": { "type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[\\x21-\\x7E]+$" },
                },
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
                "Unavailable": {
                    "description": "The database is down, too slow or out of connections; retry later.",
                    "headers": {
                        "Retry-After": { "description": format!("Seconds to wait ({UNAVAILABLE_RETRY_AFTER_SECS})."), "schema": { "type": "integer", "minimum": 1 } },
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
    doc["components"]["schemas"] = Value::Object(schemas(model));
    doc
}

/// `10^exponent`, correctly rounded to the nearest `f64`.
fn power_of_ten(exponent: i64) -> f64 {
    format!("1e{exponent}").parse().unwrap_or(f64::INFINITY)
}

#[cfg(test)]
mod power_tests {
    use super::power_of_ten;

    #[test]
    fn powers_of_ten_are_the_nearest_doubles() {
        assert_eq!(power_of_ten(37), 1e37);
        assert_eq!(power_of_ten(22), 1e22);
        assert_eq!(power_of_ten(0), 1.0);
        assert_eq!(power_of_ten(-2), 0.01);
        assert_eq!(power_of_ten(-9), 1e-9);
        assert_eq!(serde_json::json!(-power_of_ten(37)).to_string(), "-1e+37");
    }
}
