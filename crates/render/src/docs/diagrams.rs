//! Mermaid diagrams of the product (GitHub renders them in Markdown): a
//! C4-style system context and container diagram, an ER diagram of the
//! schema and a sequence diagram of signing in with CSRF protection.
//! Each function returns the diagram's source without the fence.

use blueprint_core::graph::Blueprint;
use blueprint_core::spec::{FieldType, RelationKind};

use crate::docs::facts::base_path;
use model::{AppModel, Operation};

/// Text made safe inside a quoted Mermaid label.
pub fn label(text: &str) -> String {
    text.replace('"', "#quot;")
        .replace(['\n', '\r'], " ")
        .replace('<', "#lt;")
        .replace('>', "#gt;")
}

/// Text made into a Mermaid identifier (letters, digits, `_`).
fn ident(text: &str) -> String {
    let s: String = text
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if s.starts_with(|c: char| c.is_ascii_alphabetic()) {
        s
    } else {
        format!("x_{s}")
    }
}

fn vendor_line(bp: &Blueprint, vendor: &str) -> (String, String) {
    let name = bp
        .element_by_str(&format!("ext.{vendor}"))
        .map(|e| e.name.clone())
        .unwrap_or_else(|| vendor.to_string());
    let purpose = blueprint_core::spec::vendor(vendor)
        .map(|v| v.purpose.to_string())
        .unwrap_or_else(|| "external service".to_string());
    (name, purpose)
}

/// A C4-style system context diagram: the roles (people), the system, the
/// integrations (external systems). An integration not in `generated` (the
/// project does not contain it) is drawn with a dashed arrow marked "not
/// generated".
pub fn context(bp: &Blueprint, generated: &[String]) -> String {
    let spec = bp.spec();
    let title = spec.product.display_name();
    let mut s = String::from("flowchart TB\n");
    for (name, role) in &spec.roles {
        let desc = role.description.clone().unwrap_or_else(|| {
            if role.admin {
                "Administers the product".into()
            } else {
                "Uses the product".into()
            }
        });
        s.push_str(&format!(
            "    role_{}[\"<b>{}</b><br/>[Person]<br/>{}\"]\n",
            ident(name),
            label(name),
            label(&desc)
        ));
    }
    let desc = spec
        .product
        .description
        .as_deref()
        .map(|d| {
            let d = d.split_whitespace().collect::<Vec<_>>().join(" ");
            let first = d.split(". ").next().unwrap_or(&d);
            first.trim().trim_end_matches('.').to_string()
        })
        .unwrap_or_else(|| "The product's backend".into());
    s.push_str(&format!(
        "    system[\"<b>{}</b><br/>[Software System]<br/>{}\"]\n",
        label(title),
        label(&desc)
    ));
    for vendor in spec.integrations.keys() {
        let (name, purpose) = vendor_line(bp, vendor);
        s.push_str(&format!(
            "    ext_{}[\"<b>{}</b><br/>[External System]<br/>{}\"]\n",
            ident(vendor),
            label(&name),
            label(&purpose)
        ));
    }
    for name in spec.roles.keys() {
        s.push_str(&format!(
            "    role_{} -->|\"uses (HTTPS, JSON)\"| system\n",
            ident(name)
        ));
    }
    for vendor in spec.integrations.keys() {
        let (_, purpose) = vendor_line(bp, vendor);
        if generated.contains(vendor) {
            s.push_str(&format!(
                "    system -->|\"{}\"| ext_{}\n",
                label(&purpose),
                ident(vendor)
            ));
        } else {
            s.push_str(&format!(
                "    system -.->|\"{} (not generated)\"| ext_{}\n",
                label(&purpose),
                ident(vendor)
            ));
        }
    }
    s.push_str("    classDef person fill:#08427b,color:#fff,stroke:#052e56\n");
    s.push_str("    classDef system fill:#1168bd,color:#fff,stroke:#0b4884\n");
    s.push_str("    classDef external fill:#999,color:#fff,stroke:#6b6b6b\n");
    let roles: Vec<String> = spec
        .roles
        .keys()
        .map(|r| format!("role_{}", ident(r)))
        .collect();
    if !roles.is_empty() {
        s.push_str(&format!("    class {} person\n", roles.join(",")));
    }
    s.push_str("    class system system\n");
    let exts: Vec<String> = spec
        .integrations
        .keys()
        .map(|v| format!("ext_{}", ident(v)))
        .collect();
    if !exts.is_empty() {
        s.push_str(&format!("    class {} external\n", exts.join(",")));
    }
    s
}

/// A C4-style container diagram: the API, PostgreSQL, the optional Redis,
/// the scheduled jobs, and the integrations (dashed and marked "not
/// generated" when not in `generated`).
pub fn containers(bp: &Blueprint, generated: &[String]) -> String {
    let spec = bp.spec();
    let title = spec.product.display_name();
    let mut s = String::from("flowchart TB\n");
    s.push_str("    users[\"<b>Users</b><br/>[Person]<br/>");
    s.push_str(&label(
        &spec.roles.keys().cloned().collect::<Vec<_>>().join(", "),
    ));
    s.push_str("\"]\n");
    s.push_str(&format!(
        "    subgraph boundary[\"{} [Software System]\"]\n",
        label(title)
    ));
    s.push_str(&format!(
        "        api[\"<b>API</b><br/>[Container: {}]<br/>JSON over HTTPS at {}; stateless, any number of replicas\"]\n",
        label(&spec.stack),
        label(&base_path(spec))
    ));
    s.push_str("        jobs[\"<b>Scheduled jobs</b><br/>[Container: same image]<br/>migrations, retention purge, backups\"]\n");
    s.push_str("        db[(\"<b>PostgreSQL</b><br/>[Container: database]<br/>records, users, sessions, audit events\")]\n");
    s.push_str("        redis[(\"<b>Redis</b><br/>[Container: optional]<br/>rate-limit counters when REDIS_URL is set\")]\n");
    s.push_str("    end\n");
    for vendor in spec.integrations.keys() {
        let (name, purpose) = vendor_line(bp, vendor);
        s.push_str(&format!(
            "    ext_{}[\"<b>{}</b><br/>[External System]<br/>{}\"]\n",
            ident(vendor),
            label(&name),
            label(&purpose)
        ));
    }
    s.push_str("    users -->|\"HTTPS, session cookie + X-CSRF-Token\"| api\n");
    s.push_str("    api -->|\"SQL (parameterized), TLS\"| db\n");
    s.push_str("    api -.->|\"counters\"| redis\n");
    s.push_str("    jobs -->|\"SQL\"| db\n");
    for vendor in spec.integrations.keys() {
        if generated.contains(vendor) {
            s.push_str(&format!(
                "    api -->|\"HTTPS API\"| ext_{}\n",
                ident(vendor)
            ));
        } else {
            s.push_str(&format!(
                "    api -.->|\"not generated\"| ext_{}\n",
                ident(vendor)
            ));
        }
    }
    s
}

/// The column type shown in the ER diagram.
fn column_type(ty: FieldType) -> &'static str {
    match ty {
        FieldType::String | FieldType::Email | FieldType::Url | FieldType::Phone => "varchar",
        FieldType::Text => "text",
        FieldType::Integer => "integer",
        FieldType::Bigint => "bigint",
        FieldType::Decimal => "numeric",
        FieldType::Boolean => "boolean",
        FieldType::Date => "date",
        FieldType::Datetime => "timestamptz",
        FieldType::Uuid => "uuid",
        FieldType::Json => "jsonb",
        FieldType::Enum => "enum",
    }
}

/// An ER diagram of the schema: every entity's table with its columns
/// (types, keys, the field type in the comment), the relations with their
/// cardinality, and the system tables (users, sessions, audit events).
///
/// ```
/// use blueprint_core::builder::SpecBuilder;
/// let bp = SpecBuilder::new("tasks")
///     .with_entity("Project", |e| e)
///     .with_entity("Task", |e| e.owned().with_relation("project", "Project", |r| r.required()))
///     .build();
/// let model = model::AppModel::from_blueprint(&bp);
/// let er = render::docs::diagrams::er(&model);
/// assert!(er.starts_with("erDiagram\n"));
/// assert!(er.contains("projects ||--o{ tasks : \"project\""));
/// assert!(er.contains("auth_users ||--o{ tasks : \"owns\""));
/// ```
pub fn er(model: &AppModel) -> String {
    let mut s = String::from("erDiagram\n");
    for entity in &model.entities {
        let table = ident(&entity.table);
        s.push_str(&format!("    {table} {{\n"));
        s.push_str("        uuid id PK\n");
        for field in &entity.fields {
            let rules = &field.rules;
            let mut keys = Vec::new();
            if rules.unique {
                keys.push("UK");
            }
            let mut comment = rules.ty.as_str().to_string();
            if rules.required {
                comment.push_str(", required");
            }
            if field.encrypted {
                comment.push_str(", encrypted");
            }
            let ty = if field.encrypted {
                "bytea"
            } else {
                column_type(rules.ty)
            };
            let keys = if keys.is_empty() {
                String::new()
            } else {
                format!(" {}", keys.join(","))
            };
            s.push_str(&format!(
                "        {ty} {}{keys} \"{}\"\n",
                ident(&field.name),
                label(&comment)
            ));
        }
        for rel in entity.to_one() {
            let req = if rel.required { "required" } else { "optional" };
            s.push_str(&format!(
                "        uuid {} FK \"{} {}\"\n",
                ident(&rel.key),
                label(&rel.target_name),
                req
            ));
        }
        if entity.is_owned() {
            s.push_str("        uuid owner_id FK \"auth_users\"\n");
        }
        s.push_str("        timestamptz created_at\n        timestamptz updated_at\n    }\n");
    }
    s.push_str("    auth_users {\n        uuid id PK\n        varchar email UK\n        varchar password_hash \"argon2id\"\n        varchar role\n        timestamptz created_at\n    }\n");
    s.push_str("    auth_sessions {\n        uuid id PK\n        uuid user_id FK\n        varchar token_hash UK \"hash of the cookie token\"\n        varchar csrf_token\n        timestamptz last_seen_at\n        timestamptz expires_at\n    }\n");
    s.push_str("    audit_events {\n        uuid id PK\n        timestamptz at\n        uuid actor_id \"no FK: kept after erasure\"\n        varchar actor_role\n        varchar action\n        varchar entity\n        varchar entity_id\n        jsonb fields \"names, never values\"\n        varchar request_id\n    }\n");
    for entity in &model.entities {
        let table = ident(&entity.table);
        for rel in &entity.relations {
            let target_table = ident(&model.get(rel.target).table);
            let one = if rel.required { "||" } else { "|o" };
            let shape = match rel.kind {
                RelationKind::ManyToOne => format!("{one}--o{{"),
                RelationKind::OneToOne => format!("{one}--o|"),
                RelationKind::ManyToMany => "}o--o{".to_string(),
            };
            s.push_str(&format!(
                "    {target_table} {shape} {table} : \"{}\"\n",
                label(&rel.name)
            ));
        }
        if entity.is_owned() {
            s.push_str(&format!("    auth_users ||--o{{ {table} : \"owns\"\n"));
        }
    }
    s.push_str("    auth_users ||--o{ auth_sessions : \"signs in with\"\n");
    s
}

/// A sequence diagram of registering, signing in (session and CSRF
/// cookies) and a state-changing request with the X-CSRF-Token header.
pub fn login_sequence(model: &AppModel) -> String {
    let base = &model.api.base_path;
    let target = model
        .routes
        .iter()
        .find(|r| matches!(r.operation, Operation::Create(_)))
        .or_else(|| {
            model
                .routes
                .iter()
                .find(|r| r.operation == Operation::Logout)
        })
        .map(|r| r.path.clone())
        .unwrap_or_else(|| format!("{base}/auth/logout"));
    let mut s = String::from("sequenceDiagram\n");
    s.push_str("    autonumber\n    actor B as Browser\n    participant A as API\n    participant D as PostgreSQL\n");
    s.push_str(&format!(
        "    B->>A: POST {base}/auth/register {{email, password}}\n"
    ));
    s.push_str("    A->>A: check the password policy, hash with argon2id\n");
    s.push_str("    A->>D: INSERT auth_users, INSERT audit_events (register)\n");
    s.push_str("    A-->>B: 201 {user_id, email, role}\n");
    s.push_str(&format!(
        "    B->>A: POST {base}/auth/login {{email, password}}\n"
    ));
    s.push_str("    A->>D: count recent failures (lockout), verify the hash\n");
    s.push_str("    A->>D: INSERT auth_sessions (token hash, csrf_token), audit (login)\n");
    s.push_str("    A-->>B: 200 {user_id, email, role, csrf_token}<br/>Set-Cookie: session (HttpOnly, Secure, SameSite=Lax)<br/>Set-Cookie: csrf_token (readable by scripts)\n");
    s.push_str(&format!(
        "    B->>A: POST {target}<br/>Cookie: session, X-CSRF-Token: csrf_token\n"
    ));
    s.push_str("    A->>D: look up the session by token hash, check expiry\n");
    s.push_str("    A->>A: header equals the session's csrf_token? role may act?\n");
    s.push_str("    A->>D: INSERT the row, audit (create, field names)\n");
    s.push_str("    A-->>B: 201 the row\n");
    s.push_str(&format!("    B->>A: POST {target} without X-CSRF-Token\n"));
    s.push_str("    A-->>B: 403 application/problem+json\n");
    s
}
