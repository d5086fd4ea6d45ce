//! The files that spell the model's schema in TypeScript: the Kysely row
//! types (`src/database.ts`) and the initial migration
//! (`src/migrations/0001_initial.ts`), whose SQL is the stack-neutral one of
//! [`model::schema::sql`].

use heck::{ToSnakeCase, ToUpperCamelCase};
use model::schema::{sql, Column, Schema, SqlType, Table};
use model::AppModel;

/// The initial migration's name (Kysely orders migrations by name).
pub const INITIAL: &str = "0001_initial";

/// Text as a TypeScript template literal (backquoted; `\`, `` ` `` and
/// `${` escaped).
fn template_literal(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('`', "\\`")
        .replace("${", "\\${");
    format!("`{escaped}`")
}

/// A string as a TypeScript literal (double-quoted, as Prettier leaves it).
pub fn ts_str(text: &str) -> String {
    serde_json::Value::String(text.to_string()).to_string()
}

/// The longest line Prettier leaves (the projects' `printWidth`).
pub const PRINT_WIDTH: usize = 100;

/// An array literal of `items` (TypeScript expressions) laid out as
/// Prettier leaves it after `before` and followed by `after` on its line:
/// on that line when it fits, else one item per line with a trailing comma.
///
/// ```
/// use stacks::typescript_fastify::schema::ts_array;
/// let short = ts_array("const A = ", &["1".into(), "2".into()], ";");
/// assert_eq!(short, "[1, 2]");
/// let long = ts_array("const A = ", &vec!["\"a-long-item\"".to_string(); 9], ";");
/// assert!(long.starts_with("[\n  \"a-long-item\",\n"));
/// ```
pub fn ts_array(before: &str, items: &[String], after: &str) -> String {
    let flat = format!("[{}]", items.join(", "));
    if before.len() + flat.len() + after.len() <= PRINT_WIDTH || items.is_empty() {
        return flat;
    }
    let lines: String = items.iter().map(|i| format!("  {i},\n")).collect();
    format!("[\n{lines}]")
}

/// Statements as the elements of a TypeScript array, one per line.
fn statements(list: &[String]) -> String {
    list.iter()
        .map(|s| format!("  {},\n", template_literal(s)))
        .collect()
}

/// `src/migrations/0001_initial.ts`: the fixed tables, then the model's.
pub fn initial_migration(model: &AppModel, schema: &Schema) -> String {
    let retention = Some(model.params.audit_retention_days).filter(|d| *d > 0);
    let mut up = sql::base_upgrade(retention);
    let mut down = sql::downgrade(schema);
    if model.email.is_some() {
        up.extend(sql::email_upgrade());
        down.extend(sql::email_downgrade());
    }
    up.extend(sql::upgrade(schema));
    down.extend(sql::base_downgrade());
    let mail = if model.email.is_some() {
        "\n * Then what e-mail needs: the accounts' verification flag, the tokens of\n * the mailed links and the mail outbox."
    } else {
        ""
    };
    format!(
        "/**
 * Creates the whole schema: accounts, sessions, login attempts, the audit
 * log, rate-limit counters, idempotency keys, every entity.{mail} The audit log
 * is append-only, enforced by the database: its trigger refuses UPDATE and
 * DELETE of any row and TRUNCATE of the table, whoever asks (the retention
 * purge excepted, for rows older than the audit retention).
 */
import {{ sql, type Kysely }} from \"kysely\";

const UP: readonly string[] = [
{up}];

const DOWN: readonly string[] = [
{down}];

async function run(db: Kysely<unknown>, list: readonly string[]): Promise<void> {{
  for (const statement of list) {{
    await sql.raw(statement).execute(db);
  }}
}}

/** Applies the migration. */
export async function up(db: Kysely<unknown>): Promise<void> {{
  await run(db, UP);
}}

/** Undoes it. */
export async function down(db: Kysely<unknown>): Promise<void> {{
  await run(db, DOWN);
}}
",
        up = statements(&up),
        down = statements(&down),
    )
}

/// `src/migrations/index.ts`: every migration, by name.
pub fn migrations_index(model: &AppModel) -> String {
    // An integration that adds tables brings `src/migrations/0001_<id>.ts`.
    let mut modules = vec![(INITIAL.to_string(), "initial".to_string())];
    modules.extend(
        model
            .integrations
            .iter()
            .filter(|i| i.generated && !i.tables.is_empty())
            .map(|i| (format!("0001_{}", i.id), i.id.to_snake_case())),
    );
    modules.sort();
    let imports: String = modules
        .iter()
        .map(|(file, name)| format!("import * as {name} from \"./{file}.js\";\n"))
        .collect();
    let entries: String = modules
        .iter()
        .map(|(file, name)| format!("  {}: {name},\n", ts_str(file)))
        .collect();
    format!(
        "/** Every migration, by name, in the order they apply. */
import type {{ Migration }} from \"kysely/migration\";
{imports}
export const MIGRATIONS: Readonly<Record<string, Migration>> = {{
{entries}}};
"
    )
}

/// The TypeScript type a column's values are read as (`pg` returns
/// `bigint` and `numeric` as strings, so no digit is lost; `db.ts` keeps
/// dates as `YYYY-MM-DD` strings).
fn value_type(c: &Column) -> &'static str {
    match c.sql_type() {
        SqlType::Varchar { .. }
        | SqlType::Text
        | SqlType::Uuid
        | SqlType::Bigint
        | SqlType::Numeric { .. }
        | SqlType::Date => "string",
        SqlType::Integer => "number",
        SqlType::Boolean => "boolean",
        SqlType::Timestamptz => "Date",
        SqlType::Jsonb => "Json",
    }
}

/// The row type's name of a table (`tasks` → `TasksTable`).
fn row_type(table: &str) -> String {
    format!("{}Table", table.to_upper_camel_case())
}

/// The fixed tables, in the order they are created.
const BASE_TABLES: [&str; 6] = [
    "auth_users",
    "auth_sessions",
    "auth_login_attempts",
    "audit_events",
    "auth_rate_limits",
    "auth_idempotency_keys",
];

/// The fixed tables' row types (see [`sql::base_upgrade`]).
const BASE_ROW_TYPES: &str = "/** An account. */
export interface AuthUsersTable {
  id: string;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  email: string;
  password_hash: string;
  role: string;
}

/** A signed-in session: only its token's hash is stored. */
export interface AuthSessionsTable {
  id: string;
  user_id: string;
  token_hash: string;
  csrf_token: string;
  created_at: Date;
  last_seen_at: Date;
  expires_at: Date;
}

/** A failed sign-in, for the lockout. */
export interface AuthLoginAttemptsTable {
  id: string;
  email_key: string;
  client_key: string;
  attempted_at: Date;
}

/** An audit event (append-only). */
export interface AuditEventsTable {
  id: string;
  seq: Generated<string>;
  at: Generated<Date>;
  actor_id: string | null;
  actor_role: string | null;
  action: string;
  entity: string | null;
  entity_id: string | null;
  fields: Json | null;
  request_id: string | null;
}

/** A rate-limit counter of one window. */
export interface AuthRateLimitsTable {
  key: string;
  window_start: Date;
  hits: number;
}

/** A stored answer to an `Idempotency-Key`. */
export interface AuthIdempotencyKeysTable {
  user_id: string;
  key: string;
  request_hash: string;
  status: number | null;
  answer: string | null;
  created_at: Date;
}
";

fn entity_row_type(table: &Table, out: &mut String) {
    let what = match &table.entity {
        Some(entity) => format!("A row of {entity}."),
        None => "A link of a many-to-many relation.".to_string(),
    };
    out.push_str(&format!(
        "\n/** {what} */\nexport interface {} {{\n",
        row_type(&table.name)
    ));
    if table.is_entity() {
        out.push_str(
            "  id: string;\n  created_at: Generated<Date>;\n  updated_at: Generated<Date>;\n",
        );
    }
    for c in &table.columns {
        let null = if c.nullable { " | null" } else { "" };
        out.push_str(&format!("  {}: {}{null};\n", c.name, value_type(c)));
        if let Some(blind) = c.blind_index() {
            out.push_str(&format!("  {blind}: string | null;\n"));
        }
    }
    out.push_str("}\n");
}

/// The email tables' row types (see [`sql::email_upgrade`]).
const EMAIL_ROW_TYPES: &str = "
/** A single-use token of a verification or reset link: only its hash is stored. */
export interface AuthEmailTokensTable {
  id: string;
  user_id: string;
  purpose: string;
  token_hash: string;
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
}

/** A mail on its way out, sent by the worker. */
export interface MailOutboxTable {
  id: string;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  recipient: string;
  subject: string;
  body_text: string;
  body_html: string;
  status: string;
  attempts: number;
  next_attempt_at: Date;
  provider: string | null;
  sent_at: Date | null;
  last_error: string | null;
}
";

/// The tables [`sql::email_upgrade`] makes, in order.
const EMAIL_TABLES: [&str; 2] = ["auth_email_tokens", "mail_outbox"];

/// `src/database.ts`: each table's row type, and the database of them;
/// `email`: with the email tables.
pub fn database_types(schema: &Schema, email: bool) -> String {
    let mut out = String::from(
        "/** The tables' row types, for Kysely's typed queries. */
import type { Generated } from \"kysely\";

/** A value a `jsonb` column holds. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

",
    );
    if email {
        out.push_str(&BASE_ROW_TYPES.replacen(
            "  role: string;\n}",
            "  role: string;\n  email_verified: Generated<boolean>;\n}",
            1,
        ));
        out.push_str(EMAIL_ROW_TYPES);
    } else {
        out.push_str(BASE_ROW_TYPES);
    }
    for table in &schema.tables {
        entity_row_type(table, &mut out);
    }
    out.push_str("\n/** Every table, by name. */\nexport interface Database {\n");
    for name in table_names(schema, email) {
        out.push_str(&format!("  {name}: {};\n", row_type(&name)));
    }
    out.push_str("}\n");
    out
}

/// The names of every table the migrations make, fixed ones first (the
/// email tables next when `email`).
pub fn table_names(schema: &Schema, email: bool) -> Vec<String> {
    let mail: &[&str] = if email { &EMAIL_TABLES } else { &[] };
    BASE_TABLES
        .iter()
        .chain(mail)
        .map(|t| t.to_string())
        .chain(schema.tables.iter().map(|t| t.name.clone()))
        .collect()
}
