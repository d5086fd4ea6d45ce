//! Names that every stack and check must agree on: in the database
//! (tables, constraints and indexes) and in the API document (schemas).

/// A PostgreSQL identifier of at most 63 bytes: the name itself, or its
/// head and a stable hash of the whole when it is longer.
///
/// ```
/// assert_eq!(model::names::pg_identifier("fk_tasks_project_id_projects"), "fk_tasks_project_id_projects");
/// let long = model::names::pg_identifier(&"x".repeat(80));
/// assert_eq!(long.len(), 63);
/// ```
pub fn pg_identifier(name: &str) -> String {
    if name.len() <= 63 {
        return name.to_string();
    }
    // FNV-1a: stable across runs and platforms.
    let mut hash: u32 = 0x811c_9dc5;
    for b in name.bytes() {
        hash ^= u32::from(b);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    let head: String = name.chars().take(54).collect();
    format!("{head}_{hash:08x}")
}

/// The CHECK constraint of a rule on a column: `ck_<table>_<column>_<rule>`
/// (`enum`, `min`, `max`, `min_length`, `max_length`), shortened like every
/// other name to fit PostgreSQL.
///
/// ```
/// assert_eq!(model::names::check_constraint("tasks", "priority", "enum"), "ck_tasks_priority_enum");
/// ```
pub fn check_constraint(table: &str, column: &str, rule: &str) -> String {
    pg_identifier(&format!("ck_{table}_{column}_{rule}"))
}

/// The table of users.
pub const USERS_TABLE: &str = "auth_users";
/// The table of audit events.
pub const AUDIT_TABLE: &str = "audit_events";
/// The column that names a row's owner.
pub const OWNER_COLUMN: &str = "owner_id";

/// The component schemas of the API document that are not entities'
/// (`render::docs::openapi` writes them).
pub const SYSTEM_SCHEMAS: [&str; 15] = [
    "Problem",
    "VerifyEmailRequest",
    "PasswordResetRequest",
    "PasswordResetConfirmRequest",
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
/// `Entity` appended until free. Every stack that names its models after
/// the document's schemas, and every check of them, uses this name.
///
/// ```
/// assert_eq!(model::names::schema_name("Task"), "Task");
/// assert_eq!(model::names::schema_name("Account"), "AccountEntity");
/// ```
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
