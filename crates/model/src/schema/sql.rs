//! The PostgreSQL a [`Schema`] stands for: identifiers, CHECK constraints,
//! and the statements that create and drop its tables.
//!
//! Every stack's database must hold the same tables, columns and
//! constraints under the same names, whatever its migration tool: a stack
//! that writes SQL migrations takes [`upgrade`] and [`downgrade`] as they
//! are, and one whose tool speaks its own language (Alembic) still takes
//! its CHECK constraints from [`field_checks`], so both refuse the same
//! rows.
//!
//! ```
//! use blueprint_core::builder::SpecBuilder;
//! use blueprint_core::spec::FieldType;
//! let spec = SpecBuilder::new("tasks")
//!     .with_entity("Task", |e| e.with_field("title", FieldType::String, |f| f.required().min(1)))
//!     .spec();
//! let mut bp = blueprint_core::graph::Blueprint::from_spec(&spec);
//! compliance::complete(&mut bp).unwrap();
//! let model = model::AppModel::from_blueprint(&bp);
//! let schema = model::schema::Schema::of(&model);
//! let up = model::schema::sql::upgrade(&schema);
//! assert!(up[0].starts_with("CREATE TABLE tasks (\n    id uuid NOT NULL,"), "{}", up[0]);
//! assert!(up[0].contains("CONSTRAINT ck_tasks_title_min_length CHECK (char_length(title) >= 1)"));
//! assert_eq!(model::schema::sql::downgrade(&schema).last().unwrap(), "DROP TABLE tasks");
//! ```

use super::{Column, ColumnKind, Schema, Table, IMPLICIT_COLUMNS};
use crate::names;
use blueprint_core::reserved::Language;
use blueprint_core::spec::{self, FieldType, OnDelete};

/// A CHECK constraint: its name and its condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// The constraint's name ([`names::check_constraint`]).
    pub name: String,
    /// The condition, in SQL.
    pub sql: String,
}

/// A name in SQL: quoted only when it needs to be (a reserved word, or
/// anything but lowercase letters, digits and `_`).
///
/// ```
/// use model::schema::sql::identifier;
/// assert_eq!(identifier("weight"), "weight");
/// assert_eq!(identifier("order"), "\"order\"");
/// assert_eq!(identifier("Mixed"), "\"Mixed\"");
/// ```
pub fn identifier(name: &str) -> String {
    let plain = name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    if plain && !Language::Sql.is_reserved(name) {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

/// A string literal in SQL (`'it''s'`).
pub fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// A number as SQL (and JSON text) writes it exactly: an integer's
/// digits, a float's shortest round-trip decimal, never an exponent. A
/// stack that checks a bound itself compares against this text, the one
/// the column's CHECK holds.
///
/// ```
/// use blueprint_core::spec::Number;
/// assert_eq!(model::schema::sql::number(&Number::Float(9999999999999999.99)), "10000000000000000");
/// assert_eq!(model::schema::sql::number(&Number::Float(0.00001)), "0.00001");
/// ```
pub fn number(n: &spec::Number) -> String {
    match n {
        spec::Number::Int(i) => i.to_string(),
        spec::Number::Float(f) => format!("{f}"),
    }
}

/// The CHECK constraints of an unencrypted field's column: its enum
/// values, its numeric range, and the lengths its type does not already
/// bound (the least length of any text, the greatest of a `text` column).
/// An encrypted column holds ciphertext, so only the API checks it.
///
/// ```
/// use blueprint_core::spec::{Field, FieldType, Number};
/// let mut rules = Field::new(FieldType::Integer);
/// rules.min = Some(Number::Int(0));
/// let checks = model::schema::sql::field_checks("tasks", "order", &rules);
/// assert_eq!(checks[0].name, "ck_tasks_order_min");
/// assert_eq!(checks[0].sql, "\"order\" >= 0");
/// ```
pub fn field_checks(table: &str, name: &str, rules: &spec::Field) -> Vec<Check> {
    let mut checks = Vec::new();
    let mut add = |rule: &str, sql: String| {
        checks.push(Check {
            name: names::check_constraint(table, name, rule),
            sql,
        });
    };
    let column = identifier(name);
    match rules.ty {
        FieldType::Enum if !rules.values.is_empty() => {
            let values: Vec<String> = rules.values.iter().map(|v| literal(v)).collect();
            add("enum", format!("{column} IN ({})", values.join(", ")));
        }
        FieldType::Integer | FieldType::Bigint | FieldType::Decimal => {
            if let Some(min) = &rules.min {
                add("min", format!("{column} >= {}", number(min)));
            }
            if let Some(max) = &rules.max {
                add("max", format!("{column} <= {}", number(max)));
            }
        }
        FieldType::String
        | FieldType::Text
        | FieldType::Email
        | FieldType::Url
        | FieldType::Phone => {
            if let Some(min) = rules.min.as_ref().filter(|m| m.as_f64() > 0.0) {
                let n = min.as_f64().ceil() as u64;
                add("min_length", format!("char_length({column}) >= {n}"));
            }
            // `varchar(n)` bounds the others; an unbounded text column needs a CHECK.
            if rules.ty == FieldType::Text {
                if let Some(max) = &rules.max {
                    let n = max.as_f64().floor() as u64;
                    add("max_length", format!("char_length({column}) <= {n}"));
                }
            }
        }
        _ => {}
    }
    checks
}

impl Column {
    /// The column's CHECK constraints in `table` ([`field_checks`]; none
    /// for keys, the owner and encrypted fields).
    pub fn checks(&self, table: &str) -> Vec<Check> {
        match &self.kind {
            ColumnKind::Field {
                rules,
                encrypted: false,
                ..
            } => field_checks(table, &self.name, rules),
            _ => Vec::new(),
        }
    }
}

/// What `ON DELETE` says for a foreign key.
pub fn on_delete(rule: OnDelete) -> &'static str {
    match rule {
        OnDelete::Restrict => "RESTRICT",
        OnDelete::Cascade => "CASCADE",
        OnDelete::SetNull => "SET NULL",
    }
}

/// The length of a blind-index column: a hex SHA-256.
const BLIND_INDEX_LENGTH: u32 = 64;

/// `CREATE TABLE` for one table, without its foreign keys (they come once
/// every table exists, [`foreign_keys`]) and plain indexes ([`indexes`]).
pub fn create_table(table: &Table) -> String {
    let name = identifier(&table.name);
    let mut lines: Vec<String> = Vec::new();
    if table.is_entity() {
        lines.push("id uuid NOT NULL".into());
        for implicit in &IMPLICIT_COLUMNS[1..] {
            lines.push(format!("{implicit} timestamptz NOT NULL DEFAULT now()"));
        }
    }
    for c in &table.columns {
        let null = if c.nullable { "" } else { " NOT NULL" };
        lines.push(format!("{} {}{null}", identifier(&c.name), c.sql_type()));
        if let Some(blind) = c.blind_index() {
            lines.push(format!(
                "{} varchar({BLIND_INDEX_LENGTH})",
                identifier(blind)
            ));
        }
    }
    match &table.join {
        Some(join) => lines.push(format!(
            "CONSTRAINT {} PRIMARY KEY (source_id, target_id)",
            identifier(&join.primary_key)
        )),
        None => lines.push(format!(
            "CONSTRAINT {} PRIMARY KEY (id)",
            identifier(&names::pg_identifier(&format!("pk_{}", table.name)))
        )),
    }
    for c in &table.columns {
        if let Some(unique) = &c.unique {
            let column = c.blind_index().unwrap_or(&c.name);
            lines.push(format!(
                "CONSTRAINT {} UNIQUE ({})",
                identifier(unique),
                identifier(column)
            ));
        }
    }
    for c in &table.columns {
        for check in c.checks(&table.name) {
            lines.push(format!(
                "CONSTRAINT {} CHECK ({})",
                identifier(&check.name),
                check.sql
            ));
        }
    }
    format!("CREATE TABLE {name} (\n    {}\n)", lines.join(",\n    "))
}

/// `CREATE INDEX` for each plain index of a table.
pub fn indexes(table: &Table) -> Vec<String> {
    table
        .indexes
        .iter()
        .map(|index| {
            let columns: Vec<String> = index.columns.iter().map(|c| identifier(c)).collect();
            format!(
                "CREATE INDEX {} ON {} ({})",
                identifier(&index.name),
                identifier(&table.name),
                columns.join(", ")
            )
        })
        .collect()
}

/// `ALTER TABLE … ADD CONSTRAINT … FOREIGN KEY` for each key of a table.
pub fn foreign_keys(table: &Table) -> Vec<String> {
    table
        .columns
        .iter()
        .filter_map(|c| {
            let r = c.references.as_ref()?;
            Some(format!(
                "ALTER TABLE {} ADD CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} (id) ON DELETE {}",
                identifier(&table.name),
                identifier(&r.name),
                identifier(&c.name),
                identifier(&r.table),
                on_delete(r.on_delete)
            ))
        })
        .collect()
}

/// The statements that create a schema's tables on a database that holds
/// the fixed tables (accounts first, as owners point at them): every
/// table, then every index, then every foreign key.
pub fn upgrade(schema: &Schema) -> Vec<String> {
    let mut out: Vec<String> = schema.tables.iter().map(create_table).collect();
    out.extend(schema.tables.iter().flat_map(indexes));
    out.extend(schema.tables.iter().flat_map(foreign_keys));
    out
}

/// The statements that drop what [`upgrade`] made: the foreign keys, then
/// the tables in reverse order.
pub fn downgrade(schema: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    for table in schema.tables.iter().rev() {
        for c in table.columns.iter().rev() {
            if let Some(r) = &c.references {
                out.push(format!(
                    "ALTER TABLE {} DROP CONSTRAINT {}",
                    identifier(&table.name),
                    identifier(&r.name)
                ));
            }
        }
    }
    for table in schema.tables.iter().rev() {
        out.push(format!("DROP TABLE {}", identifier(&table.name)));
    }
    out
}

/// The statements that create the tables every backend keeps whatever its
/// spec (accounts, sessions, login attempts, the append-only audit log,
/// rate-limit counters, idempotency keys), for a database with none of
/// them. With an audit retention (days, [`crate::params::ControlParams`]), the audit
/// log's guard lets the retention purge delete rows older than it, and
/// nothing else; without one, no row is ever deleted.
///
/// ```
/// let up = model::schema::sql::base_upgrade(Some(366));
/// assert!(up[0].starts_with("CREATE TABLE auth_users ("));
/// assert!(up.iter().any(|s| s.contains("make_interval(days => 366)")));
/// assert!(!model::schema::sql::base_upgrade(None).iter().any(|s| s.contains("make_interval")));
/// ```
pub fn base_upgrade(audit_retention_days: Option<u64>) -> Vec<String> {
    let purge = match audit_retention_days {
        Some(days) => format!(
            "    IF TG_OP = 'DELETE' AND current_setting('archgen.audit_purge', true) = 'on' THEN
        IF OLD.at < now() - make_interval(days => {days}) THEN
            RETURN OLD;
        END IF;
    END IF;
"
        ),
        None => String::new(),
    };
    let guard = format!(
        "CREATE FUNCTION audit_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
{purge}    RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$"
    );
    let mut out: Vec<String> = BASE_TABLES.iter().map(|s| s.to_string()).collect();
    out.push(guard);
    out.extend(BASE_TRIGGERS.iter().map(|s| s.to_string()));
    out
}

/// The email tables, after [`base_upgrade`], when the product mails
/// (`AppModel::email`): the accounts' verification flag, their single-use
/// tokens (stored hashed) and the mail outbox.
///
/// ```
/// let up = model::schema::sql::email_upgrade();
/// assert!(up[0].starts_with("ALTER TABLE auth_users ADD COLUMN email_verified"));
/// assert!(up.iter().any(|s| s.starts_with("CREATE TABLE mail_outbox (")));
/// ```
pub fn email_upgrade() -> Vec<String> {
    EMAIL_TABLES.map(String::from).to_vec()
}

/// The statements that drop what [`email_upgrade`] made.
pub fn email_downgrade() -> Vec<String> {
    [
        "DROP TABLE mail_outbox",
        "DROP TABLE auth_email_tokens",
        "ALTER TABLE auth_users DROP COLUMN email_verified",
    ]
    .map(String::from)
    .to_vec()
}

const EMAIL_TABLES: [&str; 5] = [
    "ALTER TABLE auth_users ADD COLUMN email_verified boolean DEFAULT false NOT NULL",
    "CREATE TABLE auth_email_tokens (
    id uuid NOT NULL,
    user_id uuid NOT NULL,
    purpose varchar(16) NOT NULL,
    token_hash varchar(64) NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at timestamptz,
    CONSTRAINT pk_auth_email_tokens PRIMARY KEY (id),
    CONSTRAINT uq_auth_email_tokens_token_hash UNIQUE (token_hash),
    CONSTRAINT fk_auth_email_tokens_user_id_auth_users FOREIGN KEY (user_id) REFERENCES auth_users (id) ON DELETE CASCADE
)",
    "CREATE INDEX ix_auth_email_tokens_user_id ON auth_email_tokens (user_id)",
    "CREATE TABLE mail_outbox (
    id uuid NOT NULL,
    created_at timestamptz DEFAULT now() NOT NULL,
    updated_at timestamptz DEFAULT now() NOT NULL,
    recipient varchar(255) NOT NULL,
    subject varchar(255) NOT NULL,
    body_text text NOT NULL,
    body_html text NOT NULL,
    status varchar(16) NOT NULL,
    attempts integer NOT NULL,
    next_attempt_at timestamptz NOT NULL,
    provider varchar(32),
    sent_at timestamptz,
    last_error text,
    CONSTRAINT pk_mail_outbox PRIMARY KEY (id)
)",
    "CREATE INDEX ix_mail_outbox_status ON mail_outbox (status)",
];

/// The statements that drop what [`base_upgrade`] made.
pub fn base_downgrade() -> Vec<String> {
    [
        "DROP TABLE auth_idempotency_keys",
        "DROP TABLE auth_rate_limits",
        "DROP TABLE audit_events",
        "DROP FUNCTION audit_events_append_only()",
        "DROP TABLE auth_login_attempts",
        "DROP TABLE auth_sessions",
        "DROP TABLE auth_users",
    ]
    .map(String::from)
    .to_vec()
}

/// The fixed tables and their indexes, in the order they are created.
const BASE_TABLES: &[&str] = &[
    "CREATE TABLE auth_users (
    id uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    email varchar(255) NOT NULL,
    password_hash varchar(255) NOT NULL,
    role varchar(64) NOT NULL,
    CONSTRAINT pk_auth_users PRIMARY KEY (id),
    CONSTRAINT uq_auth_users_email UNIQUE (email)
)",
    "CREATE TABLE auth_sessions (
    id uuid NOT NULL,
    user_id uuid NOT NULL,
    token_hash varchar(64) NOT NULL,
    csrf_token varchar(64) NOT NULL,
    created_at timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    CONSTRAINT pk_auth_sessions PRIMARY KEY (id),
    CONSTRAINT uq_auth_sessions_token_hash UNIQUE (token_hash),
    CONSTRAINT fk_auth_sessions_user_id_auth_users FOREIGN KEY (user_id) REFERENCES auth_users (id) ON DELETE CASCADE
)",
    "CREATE INDEX ix_auth_sessions_user_id ON auth_sessions (user_id)",
    "CREATE TABLE auth_login_attempts (
    id uuid NOT NULL,
    email_key varchar(64) NOT NULL,
    client_key varchar(64) NOT NULL,
    attempted_at timestamptz NOT NULL,
    CONSTRAINT pk_auth_login_attempts PRIMARY KEY (id)
)",
    "CREATE INDEX ix_auth_login_attempts_email_key ON auth_login_attempts (email_key)",
    "CREATE TABLE audit_events (
    id uuid NOT NULL,
    seq bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    at timestamptz NOT NULL DEFAULT now(),
    actor_id uuid,
    actor_role varchar(64),
    action varchar(32) NOT NULL,
    entity varchar(128),
    entity_id varchar(64),
    fields jsonb,
    request_id varchar(128),
    CONSTRAINT pk_audit_events PRIMARY KEY (id),
    CONSTRAINT uq_audit_events_seq UNIQUE (seq)
)",
    "CREATE INDEX ix_audit_events_actor_id ON audit_events (actor_id)",
    // Counters need no crash safety: an unlogged table writes no WAL.
    "CREATE UNLOGGED TABLE auth_rate_limits (
    key varchar(64) NOT NULL,
    window_start timestamptz NOT NULL,
    hits integer NOT NULL,
    CONSTRAINT pk_auth_rate_limits PRIMARY KEY (key, window_start)
)",
    "CREATE INDEX ix_auth_rate_limits_window_start ON auth_rate_limits (window_start)",
    "CREATE TABLE auth_idempotency_keys (
    user_id uuid NOT NULL,
    key varchar(255) NOT NULL,
    request_hash varchar(64) NOT NULL,
    status integer,
    answer text,
    created_at timestamptz NOT NULL,
    CONSTRAINT pk_auth_idempotency_keys PRIMARY KEY (user_id, key),
    CONSTRAINT fk_auth_idempotency_keys_user_id_auth_users FOREIGN KEY (user_id) REFERENCES auth_users (id) ON DELETE CASCADE
)",
    "CREATE INDEX ix_auth_idempotency_keys_created_at ON auth_idempotency_keys (created_at)",
];

/// The audit log's triggers: no row changes, no TRUNCATE.
const BASE_TRIGGERS: &[&str] = &[
    "CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()",
    "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()",
];
