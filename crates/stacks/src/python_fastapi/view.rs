//! The view models of the python-fastapi templates: every name, type,
//! literal and decision the templates print, computed here.

use blueprint_core::naming;
use blueprint_core::spec::{Action, FieldType, OnDelete, RelationKind};
use model::sample::Sample;
use model::{AppModel, Entity, RowOwner, Scope};
use serde::Serialize;

use super::layout;
use super::names::{attribute, class_name, comment_text, module, py_str};
use super::types;

/// Everything the project-wide templates print.
#[derive(Debug, Clone, Serialize)]
pub struct ProjectView {
    /// The Python package: the snake_case product name.
    pub package: String,
    /// The generated integrations: modules, environment, packages.
    pub integrations: super::integrations::IntegrationsView,
    /// The product name (kebab-case), for the distribution name.
    pub product_name: String,
    /// The display name as a Python string literal.
    pub title_literal: String,
    /// The display name as plain text for comments and docs.
    pub title: String,
    /// The product description on one line, for docs.
    pub description: String,
    /// The API base path, such as `/api`, as a Python literal.
    pub base_path_literal: String,
    /// The API base path.
    pub base_path: String,
    /// The default page size of lists.
    pub page_size: u32,
    /// The password policy's minimum length.
    pub password_min_length: u64,
    /// The password policy's maximum length.
    pub password_max_length: u64,
    /// Failed logins that lock an email out.
    pub lockout_max_failures: u64,
    /// The window in which failures count, in minutes.
    pub lockout_window_minutes: u64,
    /// Failed logins for one email from any addresses that lock it out everywhere.
    pub lockout_email_max_failures: u64,
    /// The SECRET_KEY value `.env.example` ships, refused at start-up.
    pub secret_key_example: &'static str,
    /// The same, as a Python string literal.
    pub secret_key_example_literal: String,
    /// Idle timeout of a session, in minutes.
    pub session_idle_minutes: u64,
    /// Absolute lifetime of a session, in hours.
    pub session_absolute_hours: u64,
    /// The roles in spec order.
    pub roles: Vec<RoleView>,
    /// Every role name as a Python tuple literal.
    pub roles_literal: String,
    /// The admin role names as a Python tuple literal.
    pub admin_roles_literal: String,
    /// The signup role names as a Python tuple literal.
    pub signup_roles_literal: String,
    /// Whether any role allows signup.
    pub has_signup_role: bool,
    /// The first signup role as a Python literal (`None` without one).
    pub default_signup_role_literal: String,
    /// The first admin role, as a Python literal.
    pub admin_role_literal: String,
    /// The first admin role's name.
    pub admin_role: String,
    /// A role that is not an admin role, as a Python literal (empty when
    /// every role is an admin role).
    pub non_admin_role_literal: String,
    /// The owned entities as a Python set literal (`()` when none).
    pub owned_entities_literal: String,
    /// The cases of the field rule and workflow tests.
    pub rule_tests: RuleTestsView,
    /// Whether some field has a `write` rule (test bodies leave it out).
    pub has_restricted: bool,
    /// The directly owned entities (an admin names their owner) as a
    /// Python set literal (`()` when none).
    pub direct_entities_literal: String,
    /// Entities whose unique fields let test data make only a few rows
    /// (`AppModel`'s `Entity::row_limit`): a test that needs more is
    /// skipped, saying why.
    pub row_limits: Vec<RowLimitView>,
    /// Entities and roles whose reads are limited to their own rows.
    pub own_list_cases: Vec<OwnListCase>,
    /// A role that is not a signup role, as a Python literal, for tests
    /// (there always is one: an admin role).
    pub non_signup_role_literal: String,
    /// The entities in spec order.
    pub entities: Vec<EntityView>,
    /// Entities (name literals) whose create from the tests' `body_for`
    /// reads and writes nothing but its row and its audit event: no
    /// many-to-many links, no parent to name.
    pub creates_alone: Vec<String>,
    /// The entity modules, sorted by name (for imports).
    pub modules_sorted: Vec<String>,
    /// Every router module, the fixed ones included, sorted (for imports).
    pub router_modules_sorted: Vec<String>,
    /// Whether some field is `json` (the migration imports PostgreSQL's types).
    pub needs_json: bool,
    /// Imports of `models.py`, one line each, in groups.
    pub models_imports: Vec<Vec<String>>,
    /// The cases of the generated access tests.
    pub access_cases: Vec<AccessCase>,
    /// The entity used by the generated security tests: one whose list
    /// needs a session.
    pub guarded: Option<GuardedView>,
    /// Foreign keys of every entity table, for the migration.
    pub foreign_keys: Vec<ForeignKeyView>,
    /// Join tables of many-to-many relations.
    pub join_tables: Vec<JoinTableView>,
    /// The entity tables in reverse spec order, as Python literals.
    pub tables_reversed: Vec<String>,
    /// Days audit events are kept (`audit.retention_days`); `None` keeps
    /// them for ever.
    pub audit_retention_days: Option<u64>,
    /// The owned entities, for the data export.
    pub owned: Vec<OwnedView>,
    /// The service modules whose rows the erasure deletes before the
    /// account, in its order (`AppModel::erasure_order`).
    pub erase_first: Vec<String>,
    /// The imports of the owned entities' service modules, sorted, each
    /// laid out as ruff's import sorting keeps it (wrapped past 100).
    pub owned_service_imports: Vec<String>,
    /// Entities with a retention period, for `make retention`.
    pub retained: Vec<RetainedView>,
    /// Entities with encrypted (sensitive) fields, for `make rotate-keys`.
    pub encrypted: Vec<EncryptedView>,
    /// Whether any field is encrypted.
    pub has_encrypted: bool,
    /// Whether email is configured (`model::AppModel::email`): the outbox,
    /// its worker, the verification and reset flows, register's 202.
    pub email: bool,
    /// The email providers' modules, in the spec's order (the worker's
    /// fallback order).
    pub email_providers: Vec<String>,
    /// The worker's import of the providers' modules, sorted
    /// (`sendgrid, smtp`).
    pub email_providers_import: String,
    /// The worker's tuple of providers, in fallback order, as ruff formats
    /// it (`(smtp.PROVIDER,)`).
    pub email_providers_tuple: String,
    /// Hours a verification token is valid.
    pub email_verification_hours: u32,
    /// Minutes a reset token is valid.
    pub email_reset_minutes: u32,
    /// Tries before a mail is recorded as failed.
    pub email_max_attempts: u32,
    /// The default sender, as a Python literal: the first provider's
    /// `from` option, else `no-reply@example.com`.
    pub email_from_literal: String,
    /// The models the command line imports, in isort order.
    pub cli_models: Vec<String>,
    /// Foreign keys with `ON DELETE RESTRICT`: what may block an erasure.
    pub restrict_keys: Vec<RestrictKeyView>,
    /// A restrict relation from an entity to an owned one, for the
    /// erasure conflict test.
    pub erasure_probe: Option<ErasureProbeView>,
    /// The first encrypted field, for the encryption tests.
    pub crypto_probe: Option<CryptoProbeView>,
    /// The first encrypted text field with a blind index, for the rotation test.
    pub blind_probe: Option<BlindProbeView>,
    /// The first entity with a retention, for the retention test.
    pub retention_probe: Option<RetainedView>,
    /// The first entity's name as a Python literal, for the audit tests.
    pub first_entity_literal: String,
    /// The `Retry-After` of a 503 (the database is down, too slow or out
    /// of pooled connections), in seconds.
    pub retry_after_seconds: u32,
    /// Hours an `Idempotency-Key` is remembered.
    pub idempotency_hours: u32,
    /// Requests per minute a client address may make (`RATE_LIMIT_CLIENT`'s default).
    pub rate_limit_client_per_minute: u64,
    /// Requests per minute a signed-in user may make (`RATE_LIMIT_USER`'s default).
    pub rate_limit_user_per_minute: u64,
    /// The JSON names of every sensitive field, sorted and unique, as Python
    /// literals: the log redaction treats them as secret keys.
    pub sensitive_field_names: Vec<String>,
    /// A sensitive text field the logging test writes a marker into, if any.
    pub log_probe: Option<LogProbeView>,
    /// The container images the deployment files pin.
    pub images: ImagesView,
    /// What the scheduled Kubernetes jobs run in the image.
    pub commands: JobCommandsView,
}

/// An encrypted unique field and its blind index, for the tests.
#[derive(Debug, Clone, Serialize)]
pub struct BlindProbeView {
    /// The entity's name as a Python literal.
    pub entity_literal: String,
    /// The entity's class name.
    pub entity: String,
    /// The column (and JSON name) as a Python literal.
    pub column_literal: String,
    /// The blind index column as a Python literal.
    pub index_literal: String,
}

/// An encrypted field the tests write and read.
#[derive(Debug, Clone, Serialize)]
pub struct CryptoProbeView {
    /// The entity's class name.
    pub entity: String,
    /// The entity's name as a Python literal.
    pub entity_literal: String,
    /// The column (and JSON name) as a Python literal.
    pub column_literal: String,
}

/// An owned entity, as the data export lists it.
#[derive(Debug, Clone, Serialize)]
pub struct OwnedView {
    /// The class name.
    pub name: String,
    /// The name as a Python literal.
    pub name_literal: String,
    /// The service module.
    pub module: String,
}

/// An entity whose rows expire.
#[derive(Debug, Clone, Serialize)]
pub struct RetainedView {
    /// The class name.
    pub name: String,
    /// The name as a Python literal.
    pub name_literal: String,
    /// The period as a PostgreSQL interval, as a Python literal (`"10 years"`).
    pub period_literal: String,
}

/// An entity with encrypted fields.
#[derive(Debug, Clone, Serialize)]
pub struct EncryptedView {
    /// The class name.
    pub name: String,
    /// The name as a Python literal.
    pub name_literal: String,
    /// The encrypted fields.
    pub columns: Vec<EncryptedColumnView>,
}

/// An encrypted field.
#[derive(Debug, Clone, Serialize)]
pub struct EncryptedColumnView {
    /// The column name as a Python literal.
    pub column_literal: String,
    /// The codec as a Python literal.
    pub codec_literal: String,
    /// The blind index column as a Python literal, or `None`.
    pub blind_index_literal: String,
}

/// A keyed hash column kept next to an encrypted field, for uniqueness.
#[derive(Debug, Clone, Serialize)]
pub struct BlindIndexView {
    /// The model attribute (`email_bidx`).
    pub attr: String,
    /// The column name as a Python literal.
    pub column_literal: String,
}

/// A foreign key whose `ON DELETE RESTRICT` may block a delete.
#[derive(Debug, Clone, Serialize)]
pub struct RestrictKeyView {
    /// The constraint name as a Python literal.
    pub constraint_literal: String,
    /// What blocks, in words, as a Python literal (`"Appointment.clinician_id"`).
    pub label_literal: String,
}

/// A restrict relation from one entity to an owned one.
#[derive(Debug, Clone, Serialize)]
pub struct ErasureProbeView {
    /// The referring entity as a Python literal.
    pub entity_literal: String,
    /// The key as a Python literal.
    pub key_literal: String,
    /// The owned target entity as a Python literal.
    pub target_literal: String,
    /// The label the 409 names, as a Python literal.
    pub label_literal: String,
}

/// A sensitive text field for the logging test.
#[derive(Debug, Clone, Serialize)]
pub struct LogProbeView {
    /// The entity name as a Python literal.
    pub entity_literal: String,
    /// The field's JSON name as a Python literal.
    pub json_literal: String,
}

/// Container images, pinned by exact tag.
#[derive(Debug, Clone, Serialize)]
pub struct ImagesView {
    /// The Python base image of the Dockerfile.
    pub python: String,
    /// PostgreSQL for compose and CI.
    pub postgres: String,
    /// Redis for compose.
    pub redis: String,
    /// Node.js, for the Dockerfile's stage that builds the admin app.
    pub node: String,
}

/// The commands the scheduled jobs run in the app's image, as the items of
/// a JSON array (`"python", "-m", "app.cli", "retention"`), so the
/// Kubernetes manifests serve every stack.
#[derive(Debug, Clone, Serialize)]
pub struct JobCommandsView {
    /// `make retention`.
    pub retention: String,
    /// `make backup`.
    pub backup: String,
    /// The mail worker (`make worker`).
    pub worker: String,
    /// The worker's source file, for the manifests' comments.
    pub worker_source: String,
}

impl JobCommandsView {
    /// The commands from each one's words.
    pub fn of(retention: &[&str], backup: &[&str]) -> JobCommandsView {
        let items = |words: &[&str]| {
            words
                .iter()
                .map(|w| serde_json::Value::from(*w).to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        JobCommandsView {
            retention: items(retention),
            backup: items(backup),
            worker: String::new(),
            worker_source: String::new(),
        }
    }

    /// With the mail worker's command and source file.
    pub fn with_worker(mut self, worker: &[&str], source: &str) -> JobCommandsView {
        self.worker = JobCommandsView::of(worker, &[]).retention;
        self.worker_source = source.to_string();
        self
    }
}

/// The placeholder SECRET_KEY of `.env.example`; start-up refuses it.
pub const SECRET_KEY_EXAMPLE: &str = "change-me-to-a-long-random-string-of-32-or-more-characters";

/// The Python base image: Debian bookworm, whose `postgresql-client` (15)
/// matches [`POSTGRES_IMAGE`]'s server for `pg_dump`.
pub const PYTHON_IMAGE: &str = "python:3.11.14-slim-bookworm";
/// The PostgreSQL image of compose and CI.
pub const POSTGRES_IMAGE: &str = "postgres:15.14-bookworm";
/// The Redis image of compose.
pub const REDIS_IMAGE: &str = "redis:7.4.6-bookworm";
/// The Node.js image the Dockerfile builds the admin app (`clients/admin`) in.
pub const NODE_IMAGE: &str = "node:20.19.5-bookworm-slim";

/// A role.
#[derive(Debug, Clone, Serialize)]
pub struct RoleView {
    /// The role's name.
    pub name: String,
    /// The name as a Python literal.
    pub literal: String,
    /// Visitors may register into it.
    pub signup: bool,
    /// It may do everything.
    pub admin: bool,
}

/// The entity the security tests use.
#[derive(Debug, Clone, Serialize)]
pub struct GuardedView {
    /// The entity name as a Python literal.
    pub name_literal: String,
    /// The collection path under the base path, as a Python literal.
    pub path_literal: String,
    /// Whether visitors may create its rows (then a create without a
    /// session is not 401).
    pub create_public: bool,
}

/// One entity.
#[derive(Debug, Clone, Serialize)]
pub struct EntityView {
    /// The class name (the spec's PascalCase name).
    pub name: String,
    /// The name as a Python literal.
    pub name_literal: String,
    /// Its schema's name in `docs/openapi.json` (`model::names::schema_name`).
    pub schema_name: String,
    /// Plain words for docstrings, such as `visit notes`.
    pub words: String,
    /// The module name in `schemas`, `services`, `routers` and `tests`.
    pub module: String,
    /// The collection name.
    pub collection: String,
    /// The table name as a Python literal.
    pub table_literal: String,
    /// The path under the base path, as a Python literal (`"/tasks"`).
    pub path_literal: String,
    /// Rows belong to a user.
    pub owned: bool,
    /// Admin roles may name the owner on create (directly owned rows).
    pub owner_settable: bool,
    /// The relation that makes the owner, for rows owned through one.
    pub through: Option<ThroughView>,
    /// Whether the erasure deletes this entity's rows before the account
    /// (`AppModel::erased_first`): its service has `delete_owned`.
    pub erased_first: bool,
    /// The rows that follow a row of this entity to a new owner, in the
    /// order they are moved (children before grandchildren).
    pub descendants: Vec<MoveStep>,
    /// The entities owned through a relation to this one, for tests.
    pub owned_children: Vec<ParentView>,
    /// Fields only some callers see (`read:`).
    pub read_rules: Vec<FieldRuleView>,
    /// Fields only some callers set (`write:`).
    pub write_rules: Vec<FieldRuleView>,
    /// Filterable or sortable fields some callers may not filter or sort on.
    pub filter_rules: Vec<FieldRuleView>,
    /// The workflows of enum fields.
    pub workflows: Vec<WorkflowView>,
    /// Whether the service reads the raw body before validating it (write
    /// rules or workflows).
    pub guards_body: bool,
    /// Whether a create's field rules read the database: a row owned
    /// through a relation is the caller's when its parent is, so the body's
    /// check runs in the thread pool.
    pub create_guard_reads_db: bool,
    /// Whether the service names scopes per field (any field rule).
    pub has_rules: bool,
    /// Tests: a field a role that reads the row may not see, if any.
    pub read_probe: Option<RuleProbe>,
    /// Tests: a field a role reads on its own rows only, while it reads
    /// every row, if any.
    pub read_own_probe: Option<RuleProbe>,
    /// Tests: a field a role that creates rows may not set, if any.
    pub write_probe: Option<RuleProbe>,
    /// The entity's description on one line, if any.
    pub description: String,
    /// The scalar fields, in spec order.
    pub fields: Vec<FieldView>,
    /// The many-to-one and one-to-one relations.
    pub to_one: Vec<ToOneView>,
    /// The many-to-many relations.
    pub to_many: Vec<ToManyView>,
    /// Whether there are many-to-many relations.
    pub has_to_many: bool,
    /// Whether the create model has members (owner, fields or relations).
    pub has_create_members: bool,
    /// Whether the update model has members (fields or relations).
    pub has_update_members: bool,
    /// Fields lists may be sorted by, with the timestamps.
    pub sortable: Vec<ColumnRef>,
    /// Fields lists may be filtered by.
    pub filters: Vec<ColumnRef>,
    /// Unique constraints: name and JSON field.
    pub unique: Vec<UniqueView>,
    /// Values that may not be set to null: attribute and JSON name.
    pub not_null: Vec<NotNullView>,
    /// Plain words for the module docstring, capitalized (`Visit notes`).
    pub title_words: String,
    /// The snake_case singular, for function names (`visit_note`).
    pub singular: String,
    /// The singular in plain words (`visit note`).
    pub singular_words: String,
    /// The collection as a Python literal.
    pub collection_literal: String,
    /// Names the service imports from `models`, in isort order.
    pub model_imports: Vec<String>,
    /// Names the service imports from `problems`.
    pub problem_imports: Vec<String>,
    /// Names the service imports from `services.common`.
    pub common_imports: Vec<String>,
    /// The owner column (`Task.owner_id`) or `None`.
    pub owner_column: String,
    /// Arguments of `model_dump` when creating.
    pub create_dump_args: String,
    /// Arguments of `model_dump` when updating.
    pub update_dump_args: String,
    /// Whether the entity has relations whose ids are checked.
    pub has_links: bool,
    /// Imports of the schema module, in groups.
    pub schema_imports: Vec<Vec<String>>,
    /// The `Literal` aliases of the entity's enum fields, one statement
    /// each (`TaskStatus = Literal["open", "done"]`).
    pub enum_aliases: Vec<String>,
    /// Imports of the service module, in groups.
    pub service_imports: Vec<Vec<String>>,
    /// The access rules: per action, the decision of each role.
    pub rules: Vec<RuleView>,
    /// The actions visitors may do, as a Python `frozenset(...)` expression.
    pub public_literal: String,
    /// Indexed columns (not unique): index name and column literals.
    pub indexes: Vec<IndexView>,
    /// The CHECK constraints of enum values, numeric ranges and lengths.
    pub checks: Vec<CheckView>,
    /// Whether the model class has `__table_args__` (constraints, indexes, checks).
    pub has_table_args: bool,
    /// The first sensitive field's JSON name, as a literal, if any.
    pub sensitive_literal: Option<String>,
    /// A text field that takes an injection string verbatim, if any.
    pub injectable: Option<FieldRefView>,
    /// A filterable field with its sample, for the filter test.
    pub filter_probe: Option<FieldRefView>,
    /// The first unique field, if any.
    pub unique_probe: Option<FieldRefView>,
    /// A datetime field, if any.
    pub datetime_probe: Option<FieldRefView>,
    /// A decimal field with the scale, if any.
    pub decimal_probe: Option<DecimalProbe>,
    /// A relation whose id must exist, if any.
    pub relation_probe: Option<FieldRefView>,
    /// Restrict relations pointing here: which entity and key block a delete.
    pub blockers: Vec<BlockerView>,
    /// The required to-one relations to other entities, for test factories.
    pub parents: Vec<ParentView>,
    /// A role that is not an admin role but may create rows (with every
    /// parent readable), as a Python literal; empty when there is none.
    pub creator_role_literal: String,
    /// The encrypted fields.
    pub encrypted: Vec<FieldView>,
    /// Whether an encrypted field has a blind index (its create computes it).
    pub has_blind_index: bool,
    /// The retention as a PostgreSQL interval literal, if any.
    pub retention_literal: Option<String>,
}

/// A value that may not be null.
#[derive(Debug, Clone, Serialize)]
pub struct NotNullView {
    /// The attribute as a Python literal.
    pub attr_literal: String,
    /// The JSON name as a Python literal.
    pub json_literal: String,
}

/// A reference to a field by JSON name.
#[derive(Debug, Clone, Serialize)]
pub struct FieldRefView {
    /// The JSON name as a Python literal.
    pub json_literal: String,
}

/// A decimal field for the scale test.
#[derive(Debug, Clone, Serialize)]
pub struct DecimalProbe {
    /// The JSON name as a Python literal.
    pub json_literal: String,
    /// A value with one fraction digit too many, as a Python literal.
    pub too_precise_literal: String,
    /// A whole number within the field's bounds, as a Python literal.
    pub whole_literal: String,
}

/// A column lists sort or filter by.
#[derive(Debug, Clone, Serialize)]
pub struct ColumnRef {
    /// The JSON name as a Python literal.
    pub json_literal: String,
    /// The model attribute.
    pub attr: String,
    /// How query values are parsed, as a Python literal.
    pub parser_literal: String,
    /// The entry of `SORTABLE`/`FILTERS`, laid out as `ruff format` keeps
    /// it: on one line when it fits, else the arguments one a line with a
    /// trailing comma. Set when the view is built.
    pub entry: String,
}

/// Lays out the `SORTABLE`/`FILTERS` entries of an entity's columns.
fn column_entries(entity: &str, columns: &mut [ColumnRef]) {
    for c in columns {
        let one = format!(
            "    {}: column({entity}.{}, {}),",
            c.json_literal, c.attr, c.parser_literal
        );
        c.entry = if one.chars().count() <= 100 {
            one
        } else {
            format!(
                "    {}: column(\n        {entity}.{},\n        {},\n    ),",
                c.json_literal, c.attr, c.parser_literal
            )
        };
    }
}

/// A unique constraint.
#[derive(Debug, Clone, Serialize)]
pub struct UniqueView {
    /// The constraint name as a Python literal.
    pub constraint_literal: String,
    /// The JSON field as a Python literal.
    pub json_literal: String,
    /// The column as a Python literal.
    pub column_literal: String,
}

/// A plain index.
#[derive(Debug, Clone, Serialize)]
pub struct IndexView {
    /// The index name as a Python literal.
    pub name_literal: String,
    /// The columns, as comma-separated Python literals.
    pub columns_literal: String,
    /// The columns, one Python literal each.
    pub columns: Vec<String>,
}

/// A CHECK constraint: the database enforces a rule the API validates.
#[derive(Debug, Clone, Serialize)]
pub struct CheckView {
    /// The constraint name (`model::names::check_constraint`) as a Python literal.
    pub name_literal: String,
    /// The SQL condition as a Python literal.
    pub sql_literal: String,
}

/// A scalar field.
#[derive(Debug, Clone, Serialize)]
pub struct FieldView {
    /// The Python attribute.
    pub attr: String,
    /// The JSON name as a Python literal.
    pub json_literal: String,
    /// The column name as a Python literal.
    pub column_literal: String,
    /// Whether the attribute differs from the JSON name (then an alias is
    /// needed).
    pub aliased: bool,
    /// The SQLAlchemy type expression.
    pub column_type: String,
    /// The attribute's Python type, with `| None` when nullable.
    pub mapped_type: String,
    /// Whether the column allows NULL.
    pub nullable: bool,
    /// The annotation in the create model.
    pub create_type: String,
    /// The arguments of `Field(...)` in the create model.
    pub create_args: String,
    /// The annotation in the update model.
    pub update_type: String,
    /// The arguments of `Field(...)` in the update model.
    pub update_args: String,
    /// The annotation in the read model.
    pub read_type: String,
    /// The arguments of `Field(...)` in the read model (empty without alias).
    pub read_args: String,
    /// A Python expression for a valid value in tests (`n` is a counter).
    pub sample: String,
    /// The whole declaration in the create model, formatted as ruff does.
    pub create_line: String,
    /// The whole declaration in the update model.
    pub update_line: String,
    /// The whole declaration in the read model.
    pub read_line: String,
    /// Whether the field is sensitive, so encrypted at rest.
    pub sensitive: bool,
    /// The column type in the migration (`sa.Text()` when encrypted).
    pub migration_type: String,
    /// The codec of an encrypted value, as a Python literal.
    pub codec_literal: String,
    /// The keyed hash column of a sensitive unique field.
    pub blind_index: Option<BlindIndexView>,
    /// Whether only some callers may set it (`write:`): its sample is in
    /// the tests' `SAMPLES`.
    pub restricted: bool,
    /// Whether the tests' create bodies give it: every field but those only
    /// some callers may set, and those too when a create must give them
    /// (required, no default: every creator may set them, E513).
    pub in_body: bool,
}

/// A many-to-one or one-to-one relation.
#[derive(Debug, Clone, Serialize)]
pub struct ToOneView {
    /// The attribute and JSON name, such as `patient_id`.
    pub attr: String,
    /// The JSON name as a Python literal.
    pub json_literal: String,
    /// The target entity's class name.
    pub target: String,
    /// The target entity's name as a Python literal.
    pub target_literal: String,
    /// The target table as a Python literal.
    pub target_table_literal: String,
    /// The target's id column (`"patients.id"`) as a Python literal.
    pub target_ref_literal: String,
    /// Whether a link must be given.
    pub required: bool,
    /// The mapped type.
    pub mapped_type: String,
    /// The annotation in the create model.
    pub create_type: String,
    /// The default in the create model (`...` or `None`).
    pub create_default: String,
    /// `ON DELETE` as SQLAlchemy spells it, as a Python literal.
    pub on_delete_literal: String,
    /// The whole declaration in the create model.
    pub create_line: String,
    /// Whether the column is unique (one-to-one).
    pub unique: bool,
    /// The link's element of the `check_links` list, laid out as `ruff
    /// format` keeps it (twelve spaces in).
    pub link_element: String,
}

/// A many-to-many relation.
#[derive(Debug, Clone, Serialize)]
pub struct ToManyView {
    /// The JSON name and attribute, such as `label_ids`.
    pub attr: String,
    /// The JSON name as a Python literal.
    pub json_literal: String,
    /// The target entity's class name.
    pub target: String,
    /// The target entity's name as a Python literal.
    pub target_literal: String,
    /// The join table's Python variable, such as `task_labels`.
    pub table_var: String,
}

/// A join table of a many-to-many relation.
#[derive(Debug, Clone, Serialize)]
pub struct JoinTableView {
    /// The Python variable in `models.py`.
    pub var: String,
    /// The table name as a Python literal.
    pub table_literal: String,
    /// The source table as a Python literal.
    pub source_table_literal: String,
    /// The target table as a Python literal.
    pub target_table_literal: String,
    /// The source's id column as a Python literal.
    pub source_ref_literal: String,
    /// The target's id column as a Python literal.
    pub target_ref_literal: String,
    /// The primary key constraint name as a Python literal.
    pub pk_literal: String,
    /// The foreign key to the source, as a Python literal.
    pub source_fk_literal: String,
    /// The foreign key to the target, as a Python literal.
    pub target_fk_literal: String,
    /// The index on the target column, as a Python literal.
    pub target_index_literal: String,
    /// `ON DELETE` towards the target, as a Python literal.
    pub on_delete_literal: String,
}

/// A foreign key created after all tables exist (so cycles work).
#[derive(Debug, Clone, Serialize)]
pub struct ForeignKeyView {
    /// The constraint name as a Python literal.
    pub name_literal: String,
    /// The table as a Python literal.
    pub table_literal: String,
    /// The column as a Python literal.
    pub column_literal: String,
    /// The target table as a Python literal.
    pub target_table_literal: String,
    /// `ON DELETE` as a Python literal.
    pub on_delete_literal: String,
}

/// An entity whose rows block deleting rows of another.
#[derive(Debug, Clone, Serialize)]
pub struct BlockerView {
    /// The referring entity's name as a Python literal.
    pub entity_literal: String,
    /// The key that refers here, as a Python literal.
    pub key_literal: String,
}

/// The cases of the generated field rule and workflow tests: each a
/// list item (one tuple), laid out as `ruff format` wants it.
#[derive(Debug, Clone, Serialize, Default)]
pub struct RuleTestsView {
    /// Fields hidden from a role that reads the row.
    pub read: Vec<String>,
    /// Fields a role that creates rows may not set.
    pub write: Vec<String>,
    /// Fields a role reads on its own rows only.
    pub read_own: Vec<String>,
    /// Workflows: initial value and an unlisted value.
    pub workflows: Vec<String>,
    /// Listed moves a role may not make.
    pub forbidden: Vec<String>,
    /// Frozen values and another field.
    pub frozen: Vec<String>,
    /// Frozen values and a many-to-many link list (with its target).
    pub frozen_links: Vec<String>,
}

/// One tuple as an item of a list, on one line when it fits in 100
/// characters, else one element per line with a trailing comma.
fn tuple_item(items: &[String]) -> String {
    let one = format!("    ({}),", items.join(", "));
    if one.len() <= 100 {
        return one;
    }
    let mut out = "    (\n".to_string();
    for i in items {
        out.push_str(&format!("        {i},\n"));
    }
    out.push_str("    ),");
    out
}

/// The name of the `Literal` alias of an enum field in its entity's schema
/// module: `TaskStatus`, or `TaskCreateValue` where the plain name would be
/// one of the module's classes.
fn enum_alias(entity: &str, field: &str) -> String {
    use heck::ToUpperCamelCase;
    let field = field.to_upper_camel_case();
    if ["Create", "Update", "Read", "Page"].contains(&field.as_str()) {
        format!("{entity}{field}Value")
    } else {
        format!("{entity}{field}")
    }
}

fn list_literal(items: &[String]) -> String {
    format!("[{}]", items.join(", "))
}

fn rule_tests(entities: &[EntityView]) -> RuleTestsView {
    let mut t = RuleTestsView::default();
    let flag = |b: bool| if b { "True" } else { "False" }.to_string();
    for e in entities {
        if let Some(p) = &e.read_probe {
            t.read.push(tuple_item(&[
                e.name_literal.clone(),
                p.json_literal.clone(),
                p.role_literal.clone(),
                flag(p.filter),
                flag(p.sort),
            ]));
        }
        if let Some(p) = &e.read_own_probe {
            t.read_own.push(tuple_item(&[
                e.name_literal.clone(),
                p.json_literal.clone(),
                p.role_literal.clone(),
            ]));
        }
        if let Some(p) = &e.write_probe {
            t.write.push(tuple_item(&[
                e.name_literal.clone(),
                p.json_literal.clone(),
                p.role_literal.clone(),
            ]));
        }
        for w in &e.workflows {
            t.workflows.push(tuple_item(&[
                e.name_literal.clone(),
                w.json_literal.clone(),
                w.initial_literal.clone(),
                w.unlisted_literal.clone().unwrap_or_else(|| "None".into()),
            ]));
            if let Some(p) = &w.forbidden_probe {
                t.forbidden.push(tuple_item(&[
                    e.name_literal.clone(),
                    w.json_literal.clone(),
                    p.role_literal.clone(),
                    list_literal(&p.path),
                    p.to_literal.clone(),
                ]));
            }
            if let (false, Some(other)) = (w.frozen_path.is_empty(), &w.other_literal) {
                t.frozen.push(tuple_item(&[
                    e.name_literal.clone(),
                    w.json_literal.clone(),
                    list_literal(&w.frozen_path),
                    other.clone(),
                ]));
            }
            if let (false, Some(links)) = (w.frozen_path.is_empty(), e.to_many.first()) {
                t.frozen_links.push(tuple_item(&[
                    e.name_literal.clone(),
                    w.json_literal.clone(),
                    list_literal(&w.frozen_path),
                    links.json_literal.clone(),
                    links.target_literal.clone(),
                ]));
            }
        }
    }
    t
}

/// Who may see, set, or filter on one field: a scope per caller.
#[derive(Debug, Clone, Serialize)]
pub struct FieldRuleView {
    /// The Python attribute.
    pub attr: String,
    /// The attribute as a Python literal.
    pub attr_literal: String,
    /// The JSON name as a Python literal.
    pub json_literal: String,
    /// One scope per caller: visitors (`None`) first, then each role.
    pub scopes: Vec<ScopeEntry>,
}

/// One caller's scope.
#[derive(Debug, Clone, Serialize)]
pub struct ScopeEntry {
    /// `None` for visitors, else the role as a Python literal.
    pub key_literal: String,
    /// The scope as a Python literal.
    pub scope_literal: String,
}

/// The workflow of an enum field.
#[derive(Debug, Clone, Serialize)]
pub struct WorkflowView {
    /// The Python attribute.
    pub attr: String,
    /// The attribute as a Python literal.
    pub attr_literal: String,
    /// The JSON name as a Python literal.
    pub json_literal: String,
    /// The value rows start in, as a Python literal.
    pub initial_literal: String,
    /// The listed moves.
    pub moves: Vec<MoveView>,
    /// The frozen values as a Python `frozenset(...)` expression.
    pub frozen_literal: String,
    /// Tests: a listed move from the initial value some non-admin role
    /// may not make, if any.
    pub forbidden_probe: Option<MoveProbe>,
    /// Tests: a value not reachable in one listed move from the initial
    /// one, if any.
    pub unlisted_literal: Option<String>,
    /// Tests: a path of listed moves from the initial value to a frozen
    /// one, as Python literals (empty when none is reachable).
    pub frozen_path: Vec<String>,
    /// Tests: another field whose sample changes with `n`, as a Python
    /// literal, for the frozen-row test.
    pub other_literal: Option<String>,
}

/// One listed move.
#[derive(Debug, Clone, Serialize)]
pub struct MoveView {
    /// The value it leaves, as a Python literal.
    pub from_literal: String,
    /// The value it reaches, as a Python literal.
    pub to_literal: String,
    /// Who may make it.
    pub scopes: Vec<ScopeEntry>,
}

/// A move a role may not make, for tests.
#[derive(Debug, Clone, Serialize)]
pub struct MoveProbe {
    /// The role as a Python literal.
    pub role_literal: String,
    /// The values an admin moves the row through first, as Python literals.
    pub path: Vec<String>,
    /// The value reached, as a Python literal.
    pub to_literal: String,
}

/// A field a role may not see or set, for tests.
#[derive(Debug, Clone, Serialize)]
pub struct RuleProbe {
    /// The field's JSON name as a Python literal.
    pub json_literal: String,
    /// The role as a Python literal.
    pub role_literal: String,
    /// Whether lists may filter on the field, but not for this role.
    pub filter: bool,
    /// Whether lists may sort by the field, but not for this role.
    pub sort: bool,
}

/// The relation that makes the owner of a row owned through one.
#[derive(Debug, Clone, Serialize)]
pub struct ThroughView {
    /// The key, such as `patient_id` (attribute and JSON name).
    pub attr: String,
    /// The key as a Python literal.
    pub json_literal: String,
    /// The parent entity's class name.
    pub target: String,
    /// The parent entity's name as a Python literal.
    pub target_literal: String,
    /// Tests: a role that creates rows only under parents it owns (its
    /// `update` on the parent is `owner`), as a Python literal; empty when
    /// there is none.
    pub own_parent_role_literal: String,
}

/// One step of moving the rows owned through a row to its new owner.
#[derive(Debug, Clone, Serialize)]
pub struct MoveStep {
    /// The variable holding the ids this step moved.
    pub var: String,
    /// The class of the rows it moves.
    pub target: String,
    /// Their key to the parent, as a Python literal.
    pub key_literal: String,
    /// The variable holding the parents' ids.
    pub source: String,
    /// Whether a later step reads the ids this one moved.
    pub used: bool,
}

/// A required parent of an entity, for test factories.
#[derive(Debug, Clone, Serialize)]
pub struct ParentView {
    /// The key, such as `patient_id` (a Python identifier).
    pub key: String,
    /// The key, such as `patient_id`, as a Python literal.
    pub key_literal: String,
    /// The parent entity's name as a Python literal.
    pub entity_literal: String,
}

/// One action's rule.
#[derive(Debug, Clone, Serialize)]
pub struct RuleView {
    /// The action as a Python literal.
    pub action_literal: String,
    /// Whether visitors without a session may act.
    pub public: bool,
    /// `True` or `False`.
    pub public_literal: String,
    /// The decision per role.
    pub roles: Vec<RoleScope>,
}

/// One role's decision.
#[derive(Debug, Clone, Serialize)]
pub struct RoleScope {
    /// The role as a Python literal.
    pub role_literal: String,
    /// The scope as a Python literal.
    pub scope_literal: String,
}

/// An entity whose list a role sees only its own rows of.
#[derive(Debug, Clone, Serialize)]
pub struct OwnListCase {
    /// The entity as a Python literal.
    pub entity_literal: String,
    /// The role as a Python literal.
    pub role_literal: String,
}

/// One case of the generated access tests.
#[derive(Debug, Clone, Serialize)]
pub struct AccessCase {
    /// The entity name as a Python literal.
    pub entity_literal: String,
    /// The action as a Python literal.
    pub action_literal: String,
    /// The role as a Python literal, or `None` for a visitor.
    pub role_literal: String,
    /// Who owns the row: `"self"`, `"other"` or `None` (not owned or create).
    pub owner_literal: String,
    /// The expected status.
    pub status: u16,
    /// The case as an element of `CASES`, laid out the way `ruff format`
    /// (line length 100) keeps it: on one line when it fits, else one item
    /// a line with a trailing comma.
    pub element: String,
}

/// A tuple as an element of a list indented by four spaces, laid out as
/// `ruff format` (line length 100) keeps it.
fn list_element(items: &[&str]) -> String {
    list_element_at(4, items)
}

/// A tuple as an element of a list indented by `indent` spaces, laid out
/// as `ruff format` (line length 100) keeps it: on one line when it fits,
/// else one item a line with a trailing comma.
fn list_element_at(indent: usize, items: &[&str]) -> String {
    let pad = " ".repeat(indent);
    let one = format!("{pad}({}),", items.join(", "));
    if one.chars().count() <= 100 {
        return one;
    }
    let mut out = format!("{pad}(\n");
    for item in items {
        out.push_str(&format!("{pad}    {item},\n"));
    }
    out.push_str(&format!("{pad}),"));
    out
}

fn tuple(items: &[String]) -> String {
    match items.len() {
        0 => "()".to_string(),
        1 => format!("({},)", items[0]),
        _ => format!("({})", items.join(", ")),
    }
}

pub(crate) fn on_delete_literal(on_delete: OnDelete) -> String {
    py_str(match on_delete {
        OnDelete::Restrict => "RESTRICT",
        OnDelete::Cascade => "CASCADE",
        OnDelete::SetNull => "SET NULL",
    })
}

/// The order ruff's isort gives names and modules: natural (`item9s`
/// before `item10s`), ignoring case first.
///
/// ```
/// use stacks::python_fastapi::view::isort_cmp;
/// let mut names = vec!["item10s", "item9s", "Item1"];
/// names.sort_by(|a, b| isort_cmp(a, b));
/// assert_eq!(names, ["Item1", "item9s", "item10s"]);
/// ```
pub fn isort_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    natord::compare_ignore_case(a, b).then_with(|| natord::compare(a, b))
}

/// Sorts in isort order ([`isort_cmp`]).
fn isort_sort(names: &mut [String]) {
    names.sort_by(|a, b| isort_cmp(a, b));
}

/// Names of one `from … import` in the order ruff's isort wants them:
/// constants, then classes, then the rest, each group sorted.
pub fn isort_names(mut names: Vec<String>) -> Vec<String> {
    names.sort();
    names.dedup();
    let kind = |n: &str| {
        if n.len() > 1 && n.chars().all(|c| !c.is_ascii_lowercase()) {
            0
        } else if n.starts_with(|c: char| c.is_ascii_uppercase()) {
            1
        } else {
            2
        }
    };
    names.sort_by(|a, b| kind(a).cmp(&kind(b)).then_with(|| isort_cmp(a, b)));
    names
}

fn dump_args(update: bool, owned: bool, to_many: &[ToManyView]) -> String {
    let mut excluded: Vec<String> = Vec::new();
    if owned {
        excluded.push(py_str("owner_id"));
    }
    excluded.extend(to_many.iter().map(|m| m.json_literal.clone()));
    let mut args = Vec::new();
    if update {
        args.push("exclude_unset=True".to_string());
    }
    if !excluded.is_empty() {
        args.push(format!("exclude={{{}}}", excluded.join(", ")));
    }
    args.join(", ")
}

/// A class attribute declaration as ruff formats it: `name: type`, with
/// `= default` when only a default is given, else `= Field(...)`, exploded
/// one argument per line (with a magic trailing comma) when the line would
/// pass 100 characters.
pub fn declaration(attr: &str, ty: &str, args: &[String]) -> String {
    let head = format!("    {attr}: {ty}");
    match args {
        [] => head,
        [only] if only == "..." => head,
        [only] => {
            // A union too long for a line of its own inside the parentheses
            // `layout::fit` would give the annotation is split before `|`,
            // as the formatter splits it.
            if let Some(base) = ty.strip_suffix(" | None") {
                let line = format!("{head} = {only}");
                if line.len() > layout::LINE_LENGTH && 8 + ty.len() > layout::LINE_LENGTH {
                    return format!(
                        "    {attr}: (\n        {base}\n        | None\n    ) = {only}"
                    );
                }
            }
            // A line still too long is laid out by `layout::fit`, or kept
            // (a bare name cannot be split), as the formatter keeps it.
            format!("{head} = {only}")
        }
        _ => {
            let one = format!("{head} = Field({})", args.join(", "));
            if one.len() <= 100 {
                return one;
            }
            let mut out = format!("{head} = Field(\n");
            for a in args {
                out.push_str(&format!("        {a},\n"));
            }
            out.push_str("    )");
            out
        }
    }
}

fn join_args(parts: &[String]) -> String {
    parts.join(", ")
}

/// An entity whose test data can make only a few rows.
#[derive(Debug, Clone, Serialize)]
pub struct RowLimitView {
    /// The entity's name as a Python literal.
    pub entity_literal: String,
    /// How many rows.
    pub rows: u64,
    /// Why, as a Python literal.
    pub reason_literal: String,
}

/// [`Sample::Day`] as a Python expression of `n`.
const DAY: &str = "f\"{2030 + n // 336 % 7000:04d}-{1 + n // 28 % 12:02d}-{1 + n % 28:02d}\"";

/// A sample of the model as a Python expression of the generated tests
/// (`n` is the test's counter; `text` and `fill_digits` are helpers of the
/// test factories).
pub fn sample_expr(sample: &Sample) -> String {
    match sample {
        Sample::Fixed { value } => python_value(value),
        Sample::Text { prefix, min, max } => format!("text({}, n, {min}, {max})", py_str(prefix)),
        Sample::Digits { template } => format!("fill_digits({}, n)", py_str(template)),
        Sample::Integer { lo, span } => format!("{lo} + n % {span}"),
        Sample::OneOf { values } => format!(
            "[{}][n % {}]",
            values
                .iter()
                .map(python_value)
                .collect::<Vec<_>>()
                .join(", "),
            values.len().max(1)
        ),
        Sample::Day => DAY.to_string(),
        Sample::Instant => format!("{}T09:30:00Z\"", &DAY[..DAY.len() - 1]),
        Sample::Decimal { lo, span, scale } => {
            let units = format!("({lo} + n % {span})");
            if *scale == 0 {
                format!("str{units}")
            } else {
                let unit = 10u64.pow((*scale).min(18));
                format!("f\"{{{units} // {unit}}}.{{{units} % {unit}:0{scale}d}}\"")
            }
        }
        Sample::Email => "f\"person{n}@example.com\"".to_string(),
        Sample::Url => "f\"https://example.com/{n}\"".to_string(),
        Sample::Phone => "f\"+4930{n:07d}\"".to_string(),
        Sample::Uuid => "str(uuid.uuid4())".to_string(),
        Sample::Json => "{\"n\": n}".to_string(),
    }
}

/// A JSON value as a Python literal.
fn python_value(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => "None".to_string(),
        serde_json::Value::Bool(true) => "True".to_string(),
        serde_json::Value::Bool(false) => "False".to_string(),
        serde_json::Value::Number(n) => n.to_string(),
        serde_json::Value::String(s) => py_str(s),
        other => py_str(&other.to_string()),
    }
}

/// The Python package: the snake_case product name.
pub fn package(model: &AppModel) -> String {
    naming::snake(&model.product.name)
}

/// Builds the project view of an application model.
pub fn project(model: &AppModel) -> ProjectView {
    let package = package(model);
    let role_names: Vec<String> = model.roles.iter().map(|r| py_str(&r.name)).collect();
    let admin_roles: Vec<String> = model.admin_roles().map(|r| py_str(&r.name)).collect();
    let signup_roles: Vec<String> = model.signup_roles().map(|r| py_str(&r.name)).collect();
    let non_signup = model
        .roles
        .iter()
        .find(|r| !r.signup)
        .map(|r| py_str(&r.name))
        .unwrap_or_else(|| "\"no-such-role\"".to_string());

    let entities: Vec<EntityView> = model
        .entities
        .iter()
        .map(|e| entity_view(model, e))
        .collect();
    let creates_alone = entities
        .iter()
        .filter(|e| e.to_many.is_empty() && e.parents.is_empty() && e.through.is_none())
        .map(|e| e.name_literal.clone())
        .collect();
    let mut modules_sorted: Vec<String> = entities.iter().map(|e| e.module.clone()).collect();
    isort_sort(&mut modules_sorted);
    let mut router_modules_sorted = modules_sorted.clone();
    router_modules_sorted.extend(["admin", "auth", "health", "me"].map(String::from));
    isort_sort(&mut router_modules_sorted);

    let mut foreign_keys = Vec::new();
    let mut restrict_keys = Vec::new();
    let mut erasure_probe = None;
    let mut join_tables = Vec::new();
    for e in &model.entities {
        if let Some(fk) = &e.owner_foreign_key {
            foreign_keys.push(ForeignKeyView {
                name_literal: py_str(fk),
                table_literal: py_str(&e.table),
                column_literal: py_str(model::names::OWNER_COLUMN),
                target_table_literal: py_str(model::names::USERS_TABLE),
                on_delete_literal: py_str("CASCADE"),
            });
        }
        for rel in &e.relations {
            let target = model.get(rel.target);
            if let Some(jt) = &rel.join {
                // Links live in the join table and go with either side.
                join_tables.push(JoinTableView {
                    var: jt.table.clone(),
                    table_literal: py_str(&jt.table),
                    source_table_literal: py_str(&e.table),
                    target_table_literal: py_str(&target.table),
                    source_ref_literal: py_str(&format!("{}.id", e.table)),
                    target_ref_literal: py_str(&format!("{}.id", target.table)),
                    pk_literal: py_str(&jt.primary_key),
                    source_fk_literal: py_str(&jt.source_foreign_key),
                    target_fk_literal: py_str(&jt.target_foreign_key),
                    target_index_literal: py_str(&jt.target_index),
                    on_delete_literal: on_delete_literal(OnDelete::Cascade),
                });
                continue;
            }
            let constraint = rel.foreign_key.clone().unwrap_or_default();
            if rel.on_delete == OnDelete::Restrict {
                let label = py_str(&format!("{}.{}", e.name, rel.key));
                restrict_keys.push(RestrictKeyView {
                    constraint_literal: py_str(&constraint),
                    label_literal: label.clone(),
                });
                // A row owned through this very link is the same user's row:
                // it goes in the erasure too, so it is no probe.
                let owner_link = e.owner_relation().is_some_and(|o| o.name == rel.name);
                if erasure_probe.is_none() && target.is_owned() && rel.target != e.id && !owner_link
                {
                    erasure_probe = Some(ErasureProbeView {
                        entity_literal: py_str(&e.name),
                        key_literal: py_str(&rel.key),
                        target_literal: py_str(&target.name),
                        label_literal: label,
                    });
                }
            }
            foreign_keys.push(ForeignKeyView {
                name_literal: py_str(&constraint),
                table_literal: py_str(&e.table),
                column_literal: py_str(&rel.key),
                target_table_literal: py_str(&target.table),
                on_delete_literal: on_delete_literal(rel.on_delete),
            });
        }
    }

    let needs_json = model.uses_type(FieldType::Json);
    let needs_decimal = model.uses_type(FieldType::Decimal);
    let mut std_imports = vec![
        "import datetime as dt".to_string(),
        "import uuid".to_string(),
    ];
    if needs_decimal {
        std_imports.push("from decimal import Decimal".to_string());
    }
    if needs_json {
        std_imports.push("from typing import Any".to_string());
    }
    // `audit_events.fields` is JSONB, so PostgreSQL's types are always used.
    let mut third = vec![
        "import sqlalchemy as sa".to_string(),
        "from sqlalchemy.dialects import postgresql".to_string(),
    ];
    let encrypted: Vec<EncryptedView> = entities
        .iter()
        .filter(|e| !e.encrypted.is_empty())
        .map(|e| EncryptedView {
            name: e.name.clone(),
            name_literal: e.name_literal.clone(),
            columns: e
                .encrypted
                .iter()
                .map(|f| EncryptedColumnView {
                    column_literal: f.column_literal.clone(),
                    codec_literal: f.codec_literal.clone(),
                    blind_index_literal: f
                        .blind_index
                        .as_ref()
                        .map(|b| b.column_literal.clone())
                        .unwrap_or_else(|| "None".to_string()),
                })
                .collect(),
        })
        .collect();
    let has_blind_index = entities
        .iter()
        .any(|e| e.encrypted.iter().any(|f| f.blind_index.is_some()));
    third.push(if has_blind_index {
        "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, validates".to_string()
    } else {
        "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column".to_string()
    });
    let mut models_imports = vec![std_imports, third];
    if !encrypted.is_empty() {
        models_imports.push(vec![if has_blind_index {
            format!("from {package}.security.crypto import Encrypted, blind_index")
        } else {
            format!("from {package}.security.crypto import Encrypted")
        }]);
    }

    let guarded = model.entities.iter().find_map(|e| {
        (!e.access(Action::Read).public).then(|| GuardedView {
            name_literal: py_str(&e.name),
            path_literal: py_str(&format!("/{}", e.collection)),
            create_public: e.access(Action::Create).public,
        })
    });

    let mut sensitive_field_names: Vec<String> = Vec::new();
    let mut log_probe = None;
    for e in &model.entities {
        for f in e.encrypted() {
            sensitive_field_names.push(f.name.to_lowercase());
            let rules = &f.rules;
            let texty = matches!(rules.ty, FieldType::String | FieldType::Text);
            let roomy = rules.max.is_none_or(|m| m.as_f64() >= 40.0)
                && rules.min.is_none_or(|m| m.as_f64() <= 30.0);
            if log_probe.is_none() && texty && roomy && rules.pattern.is_none() {
                log_probe = Some(LogProbeView {
                    entity_literal: py_str(&e.name),
                    json_literal: py_str(&f.name),
                });
            }
        }
    }
    sensitive_field_names.sort();
    sensitive_field_names.dedup();
    let sensitive_field_names = sensitive_field_names.iter().map(|n| py_str(n)).collect();
    let params = &model.params;
    let email_providers: Vec<String> = model
        .email
        .iter()
        .flat_map(|e| e.providers.iter().map(|p| module(p)))
        .collect();
    let retained: Vec<RetainedView> = model
        .entities
        .iter()
        .filter_map(|e| {
            e.retention.as_ref().map(|r| RetainedView {
                name: class_name(&e.name),
                name_literal: py_str(&e.name),
                period_literal: py_str(&r.interval),
            })
        })
        .collect();

    ProjectView {
        retry_after_seconds: model::routes::UNAVAILABLE_RETRY_AFTER_SECS,
        idempotency_hours: model::routes::IDEMPOTENCY_HOURS,
        rate_limit_client_per_minute: params.rate_limit_client_per_minute,
        rate_limit_user_per_minute: params.rate_limit_user_per_minute,
        sensitive_field_names,
        log_probe,
        images: ImagesView {
            python: PYTHON_IMAGE.to_string(),
            postgres: POSTGRES_IMAGE.to_string(),
            redis: REDIS_IMAGE.to_string(),
            node: NODE_IMAGE.to_string(),
        },
        commands: JobCommandsView::of(
            &["python", "-m", &format!("{package}.cli"), "retention"],
            &["python", "-m", &format!("{package}.backup"), "dump"],
        )
        .with_worker(
            &["python", "-m", &format!("{package}.mail.worker")],
            &format!("src/{package}/mail/worker.py"),
        ),
        package,
        product_name: model.product.name.clone(),
        title_literal: py_str(&model.product.title),
        title: comment_text(&model.product.title),
        description: comment_text(model.product.description.as_deref().unwrap_or("")),
        base_path_literal: py_str(&model.api.base_path),
        base_path: model.api.base_path.clone(),
        page_size: model.api.page_size,
        password_min_length: params.password_min_length,
        password_max_length: params.password_max_length,
        lockout_max_failures: params.lockout_max_failures,
        lockout_window_minutes: params.lockout_window_minutes,
        lockout_email_max_failures: model::LOCKOUT_EMAIL_MAX_FAILURES,
        secret_key_example: SECRET_KEY_EXAMPLE,
        secret_key_example_literal: py_str(SECRET_KEY_EXAMPLE),
        session_idle_minutes: params.session_idle_minutes,
        session_absolute_hours: params.session_absolute_hours,
        roles: model
            .roles
            .iter()
            .map(|r| RoleView {
                name: r.name.clone(),
                literal: py_str(&r.name),
                signup: r.signup,
                admin: r.admin,
            })
            .collect(),
        roles_literal: tuple(&role_names),
        admin_roles_literal: tuple(&admin_roles),
        signup_roles_literal: tuple(&signup_roles),
        has_signup_role: !signup_roles.is_empty(),
        default_signup_role_literal: signup_roles
            .first()
            .cloned()
            .unwrap_or_else(|| "None".to_string()),
        admin_role: model
            .admin_roles()
            .next()
            .map(|r| r.name.clone())
            .unwrap_or_else(|| "admin".to_string()),
        non_admin_role_literal: model
            .roles
            .iter()
            .find(|r| !r.admin)
            .map(|r| py_str(&r.name))
            .unwrap_or_default(),
        owned_entities_literal: {
            let owned: Vec<String> = model.owned().map(|e| py_str(&e.name)).collect();
            owned_set_literal(OWNED_PREFIX, &owned)
        },
        rule_tests: rule_tests(&entities),
        has_restricted: model
            .entities
            .iter()
            .any(|e| e.fields.iter().any(|f| f.write.is_some())),
        row_limits: model
            .entities
            .iter()
            .filter_map(|e| {
                e.row_limit().map(|(rows, field)| RowLimitView {
                    entity_literal: py_str(&e.name),
                    rows,
                    reason_literal: py_str(&format!(
                        "`{}` is unique and its test values take {rows} value(s)",
                        field.name
                    )),
                })
            })
            .collect(),
        direct_entities_literal: {
            let direct: Vec<String> = model
                .owned()
                .filter(|e| e.owner_settable())
                .map(|e| py_str(&e.name))
                .collect();
            owned_set_literal(DIRECT_PREFIX, &direct)
        },
        own_list_cases: model
            .entities
            .iter()
            .flat_map(|e| {
                model
                    .roles
                    .iter()
                    .filter(|r| e.access(Action::Read).scope(Some(r.id)) == Scope::Own)
                    .map(|r| OwnListCase {
                        entity_literal: py_str(&e.name),
                        role_literal: py_str(&r.name),
                    })
                    .collect::<Vec<_>>()
            })
            .collect(),
        admin_role_literal: admin_roles
            .first()
            .cloned()
            .unwrap_or_else(|| "\"admin\"".to_string()),
        non_signup_role_literal: non_signup,
        access_cases: access_cases(model),
        tables_reversed: entities
            .iter()
            .rev()
            .map(|e| e.table_literal.clone())
            .collect(),
        entities,
        creates_alone,
        modules_sorted,
        router_modules_sorted,
        integrations: super::integrations::view(model),
        needs_json,
        models_imports,
        guarded,
        foreign_keys,
        join_tables,
        audit_retention_days: Some(params.audit_retention_days).filter(|d| *d > 0),
        erase_first: model
            .erasure_order()
            .into_iter()
            .map(|id| module(&model.get(id).collection))
            .collect(),
        owned_service_imports: {
            let mut m: Vec<String> = model.owned().map(|e| module(&e.collection)).collect();
            isort_sort(&mut m);
            let package = self::package(model);
            m.iter()
                .map(|m| {
                    let one = format!("from {package}.services import {m} as {m}_service");
                    if one.chars().count() <= 100 {
                        one
                    } else {
                        format!("from {package}.services import (\n    {m} as {m}_service,\n)")
                    }
                })
                .collect()
        },
        owned: model
            .owned()
            .map(|e| OwnedView {
                name: class_name(&e.name),
                name_literal: py_str(&e.name),
                module: module(&e.collection),
            })
            .collect(),
        retention_probe: retained.first().cloned(),
        cli_models: isort_names(
            std::iter::once("AuditEvent".to_string())
                .chain(retained.iter().map(|r| r.name.clone()))
                .chain(encrypted.iter().map(|e| e.name.clone()))
                .collect(),
        ),
        retained,
        has_encrypted: !encrypted.is_empty(),
        email: model.email.is_some(),
        email_providers: email_providers.clone(),
        email_providers_import: {
            let mut sorted = email_providers.clone();
            sorted.sort();
            sorted.join(", ")
        },
        email_providers_tuple: match email_providers.as_slice() {
            [one] => format!("({one}.PROVIDER,)"),
            many => format!(
                "({})",
                many.iter()
                    .map(|p| format!("{p}.PROVIDER"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        },
        email_verification_hours: model::VERIFICATION_TOKEN_HOURS,
        email_reset_minutes: model::RESET_TOKEN_MINUTES,
        email_max_attempts: model::EMAIL_MAX_ATTEMPTS,
        email_from_literal: py_str(model.email_sender()),
        // The probes' rows come from the factories, whose bodies leave out
        // fields with a `write` rule (the tests then set the probe from the
        // factories' samples, as an admin): the crypto probe is a field
        // every creator writes, when there is one.
        crypto_probe: encrypted
            .iter()
            .flat_map(|e| e.columns.iter().map(move |c| (e, c)))
            .filter(|(e, c)| in_factory_body(model, &e.name_literal, &c.column_literal))
            .chain(
                encrypted
                    .iter()
                    .flat_map(|e| e.columns.iter().map(move |c| (e, c))),
            )
            .next()
            .map(|(e, c)| CryptoProbeView {
                entity: e.name.clone(),
                entity_literal: e.name_literal.clone(),
                column_literal: c.column_literal.clone(),
            }),
        blind_probe: encrypted.iter().find_map(|e| {
            e.columns
                .iter()
                .find(|c| c.blind_index_literal != "None" && c.codec_literal == py_str("text"))
                .map(|c| BlindProbeView {
                    entity_literal: e.name_literal.clone(),
                    entity: e.name.clone(),
                    column_literal: c.column_literal.clone(),
                    index_literal: c.blind_index_literal.clone(),
                })
        }),
        first_entity_literal: model
            .entities
            .first()
            .map(|e| py_str(&e.name))
            .unwrap_or_default(),
        encrypted,
        restrict_keys,
        erasure_probe,
    }
}

/// Whether the factories' body for an entity carries the field stored in
/// a column (given as a Python literal): it has no `write` rule.
fn in_factory_body(model: &AppModel, entity_literal: &str, column_literal: &str) -> bool {
    model
        .entities
        .iter()
        .find(|e| py_str(&e.name) == entity_literal)
        .and_then(|e| e.fields.iter().find(|f| py_str(&f.name) == column_literal))
        .is_some_and(|f| f.write.is_none())
}

fn entity_view(model: &AppModel, e: &Entity) -> EntityView {
    let name = e.name.as_str();
    let class = class_name(name);
    let collection = e.collection.clone();
    let owned = e.is_owned();
    let mut fields = Vec::new();
    let mut sortable = vec![
        ColumnRef {
            json_literal: py_str("created_at"),
            attr: "created_at".into(),
            parser_literal: py_str("datetime"),
            entry: String::new(),
        },
        ColumnRef {
            json_literal: py_str("updated_at"),
            attr: "updated_at".into(),
            parser_literal: py_str("datetime"),
            entry: String::new(),
        },
    ];
    let mut filters = Vec::new();
    let mut unique = Vec::new();
    let mut indexes = Vec::new();
    let mut not_null = Vec::new();
    let mut sensitive_literal = None;
    let mut injectable = None;
    let mut filter_probe = None;
    let mut unique_probe = None;
    let mut datetime_probe = None;
    let mut decimal_probe = None;
    let mut uses = std::collections::BTreeSet::new();
    let mut enum_aliases = Vec::new();

    for mf in &e.fields {
        let fname = mf.name.as_str();
        let f = &mf.rules;
        let attr = attribute(fname);
        let json_literal = py_str(fname);
        let aliased = attr != *fname;
        let alias = if aliased {
            vec![format!("alias={json_literal}")]
        } else {
            vec![]
        };
        let nullable = mf.nullable;
        let py = types::python_type(f);
        // An enum's values are a `Literal` alias of the module, so that
        // each annotation stays short whatever the number of values.
        let input = if f.ty == FieldType::Enum {
            let alias = enum_alias(&e.name, fname);
            enum_aliases.push(layout::fit(&format!("{alias} = {}", types::input_type(f))));
            alias
        } else {
            types::input_type(f)
        };
        let cons = types::constraints(f);
        let default = types::default_literal(f);
        let create_default = match (&default, f.required) {
            (Some(d), _) => d.clone(),
            (None, true) => "...".to_string(),
            (None, false) => "None".to_string(),
        };
        let mut create_args = vec![create_default];
        create_args.extend(alias.clone());
        create_args.extend(cons.clone());
        let mut update_args = vec!["None".to_string()];
        update_args.extend(alias.clone());
        update_args.extend(cons);
        let optional = |t: &str| {
            if t == "Any" {
                t.to_string()
            } else {
                format!("{t} | None")
            }
        };
        // JSON's own null is a value of a json field, as on create.
        if !nullable && f.ty != FieldType::Json {
            not_null.push(NotNullView {
                attr_literal: py_str(&attr),
                json_literal: json_literal.clone(),
            });
        }
        match f.ty {
            FieldType::Email => {
                uses.insert("EmailStr");
            }
            FieldType::Url => {
                uses.insert("HttpUrlText");
            }
            FieldType::Phone => {
                uses.insert("PhoneNumber");
            }
            FieldType::Datetime => {
                uses.insert("StorableDatetime");
            }
            FieldType::Enum => {
                uses.insert("Literal");
            }
            FieldType::Decimal => {
                uses.insert("Decimal");
            }
            FieldType::Date => {
                uses.insert("dt");
            }
            FieldType::Uuid => {
                uses.insert("uuid");
            }
            FieldType::Json => {
                uses.insert("Any");
            }
            _ => {}
        }
        if default.as_deref().is_some_and(|d| d.starts_with("dt.")) {
            uses.insert("dt");
        }
        if default.as_deref().is_some_and(|d| d.starts_with("uuid.")) {
            uses.insert("uuid");
        }
        let sensitive = mf.encrypted;
        if sensitive && sensitive_literal.is_none() {
            sensitive_literal = Some(json_literal.clone());
        }
        let column_ref = || ColumnRef {
            json_literal: json_literal.clone(),
            attr: attr.clone(),
            parser_literal: py_str(types::parser(f)),
            entry: String::new(),
        };
        if mf.sortable {
            sortable.push(column_ref());
        }
        if mf.filterable {
            filters.push(column_ref());
            // The probe filters by the value of a row the factory makes,
            // whose body leaves out the fields only some callers may write
            // (null there).
            if filter_probe.is_none() && f.ty != FieldType::Decimal && mf.write.is_none() {
                filter_probe = Some(FieldRefView {
                    json_literal: json_literal.clone(),
                });
            }
        }
        // A sensitive unique field is enforced through its keyed hash.
        let blind_index = mf.blind_index.as_ref().map(|column| BlindIndexView {
            attr: format!("{attr}_bidx"),
            column_literal: py_str(column),
        });
        if let Some(constraint) = &mf.unique_constraint {
            unique.push(UniqueView {
                constraint_literal: py_str(constraint),
                json_literal: json_literal.clone(),
                column_literal: blind_index
                    .as_ref()
                    .map(|b| b.column_literal.clone())
                    .unwrap_or_else(|| py_str(fname)),
            });
            // Sent again, the factory's value must collide: not a field
            // its body leaves out (null never does).
            if unique_probe.is_none() && mf.write.is_none() {
                unique_probe = Some(FieldRefView {
                    json_literal: json_literal.clone(),
                });
            }
        } else if let Some(index) = &mf.index {
            indexes.push(IndexView {
                name_literal: py_str(index),
                columns_literal: py_str(fname),
                columns: vec![py_str(fname)],
            });
        }
        let long_enough = f.max.is_none_or(|m| m.as_f64() >= 40.0);
        if injectable.is_none()
            && matches!(f.ty, FieldType::String | FieldType::Text)
            && f.pattern.is_none()
            && long_enough
            && !f.unique
        {
            injectable = Some(FieldRefView {
                json_literal: json_literal.clone(),
            });
        }
        if f.ty == FieldType::Datetime && datetime_probe.is_none() {
            datetime_probe = Some(FieldRefView {
                json_literal: json_literal.clone(),
            });
        }
        if f.ty == FieldType::Decimal && decimal_probe.is_none() {
            let (p, s) = f.decimal_digits();
            // A whole number from 1 the field takes: the digits before the
            // point (`precision - scale`) and the bounds decide; a field
            // that takes none (no digits before the point) has no probe.
            let int_digits = p.saturating_sub(s).min(15) as i32;
            let cap = 10f64.powi(int_digits) - 1.0;
            let whole = f.min.map(|m| m.as_f64().ceil()).unwrap_or(1.0).max(1.0);
            let fits = whole <= cap && f.max.is_none_or(|m| whole <= m.as_f64());
            if fits {
                decimal_probe = Some(DecimalProbe {
                    json_literal: json_literal.clone(),
                    too_precise_literal: py_str(&format!(
                        "{}.{}1",
                        whole as i64,
                        "0".repeat(s as usize)
                    )),
                    whole_literal: format!("{}", whole as i64),
                });
            }
        }
        let read_type = if nullable { optional(&py) } else { py.clone() };
        // Datetimes are answered in UTC with `Z`, whatever offset came in;
        // decimals with their digits written out, never as `1E-7`.
        let answered = match f.ty {
            FieldType::Datetime => "UtcDatetime".to_string(),
            FieldType::Decimal => {
                uses.insert("DecimalText");
                "DecimalText".to_string()
            }
            _ => py.clone(),
        };
        let answered_type = if nullable {
            optional(&answered)
        } else {
            answered
        };
        fields.push(FieldView {
            attr: attr.clone(),
            json_literal: json_literal.clone(),
            column_literal: json_literal,
            aliased,
            column_type: if sensitive {
                format!("Encrypted({})", py_str(types::codec(f)))
            } else {
                types::column_type(f)
            },
            migration_type: if sensitive {
                "sa.Text()".to_string()
            } else {
                types::column_type(f)
            },
            sensitive,
            codec_literal: py_str(types::codec(f)),
            blind_index,
            mapped_type: read_type.clone(),
            nullable,
            create_type: if nullable {
                optional(&input)
            } else {
                input.clone()
            },
            create_args: join_args(&create_args),
            update_type: optional(&input),
            update_args: join_args(&update_args),
            read_type: read_type.clone(),
            read_args: join_args(&alias),
            sample: sample_expr(&mf.sample),
            restricted: mf.write.is_some(),
            in_body: mf.write.is_none() || mf.required_on_create(),
            create_line: declaration(
                &attr,
                &if nullable {
                    optional(&input)
                } else {
                    input.clone()
                },
                &create_args,
            ),
            update_line: declaration(&attr, &optional(&input), &update_args),
            // A field only some callers read is absent for the others.
            read_line: if mf.read.is_some() {
                let ty = if nullable {
                    answered_type.clone()
                } else {
                    optional(&answered_type)
                };
                declaration(&attr, &ty, &{
                    let mut a = vec!["None".to_string()];
                    a.extend(alias.clone());
                    a
                })
            } else {
                declaration(&attr, &answered_type, &{
                    let mut a = vec!["...".to_string()];
                    a.extend(alias.clone());
                    a
                })
            },
        });
    }

    let mut to_one = Vec::new();
    let mut to_many = Vec::new();
    let mut parents = Vec::new();
    let mut relation_probe = None;
    for rel in &e.relations {
        let target = model.get(rel.target);
        let json = rel.key.clone();
        if let Some(jt) = &rel.join {
            to_many.push(ToManyView {
                attr: json.clone(),
                json_literal: py_str(&json),
                target: class_name(&target.name),
                target_literal: py_str(&target.name),
                table_var: jt.table.clone(),
            });
            continue;
        }
        uses.insert("uuid");
        let json_literal = py_str(&json);
        if rel.required && rel.target != e.id {
            parents.push(ParentView {
                key: json.clone(),
                key_literal: json_literal.clone(),
                entity_literal: py_str(&target.name),
            });
        }
        if relation_probe.is_none() {
            relation_probe = Some(FieldRefView {
                json_literal: json_literal.clone(),
            });
        }
        if rel.required {
            not_null.push(NotNullView {
                attr_literal: json_literal.clone(),
                json_literal: json_literal.clone(),
            });
        }
        filters.push(ColumnRef {
            json_literal: json_literal.clone(),
            attr: json.clone(),
            parser_literal: py_str("uuid"),
            entry: String::new(),
        });
        if let Some(constraint) = &rel.unique_constraint {
            unique.push(UniqueView {
                constraint_literal: py_str(constraint),
                json_literal: json_literal.clone(),
                column_literal: json_literal.clone(),
            });
        }
        if let Some(index) = &rel.index {
            indexes.push(IndexView {
                name_literal: py_str(index),
                columns_literal: json_literal.clone(),
                columns: vec![json_literal.clone()],
            });
        }
        let required = rel.required;
        let link_element = list_element_at(
            12,
            &[
                &json_literal,
                &py_str(&target.name),
                &class_name(&target.name),
                &format!("[payload.{json}]"),
            ],
        );
        to_one.push(ToOneView {
            link_element,
            attr: json.clone(),
            json_literal,
            target: class_name(&target.name),
            target_literal: py_str(&target.name),
            target_table_literal: py_str(&target.table),
            target_ref_literal: py_str(&format!("{}.id", target.table)),
            required,
            mapped_type: if required {
                "uuid.UUID".into()
            } else {
                "uuid.UUID | None".into()
            },
            create_type: if required {
                "uuid.UUID".into()
            } else {
                "uuid.UUID | None".into()
            },
            create_default: if required {
                "...".into()
            } else {
                "None".into()
            },
            on_delete_literal: on_delete_literal(rel.on_delete),
            create_line: if required {
                format!("    {json}: uuid.UUID")
            } else {
                format!("    {json}: uuid.UUID | None = None")
            },
            unique: rel.kind == RelationKind::OneToOne,
        });
    }
    if !to_many.is_empty() || owned {
        uses.insert("uuid");
    }
    if let Some(index) = &e.owner_index {
        // Owned lists filter on the owner and page by (created_at, id).
        let columns: Vec<String> = [model::names::OWNER_COLUMN, "created_at", "id"]
            .map(py_str)
            .to_vec();
        indexes.insert(
            0,
            IndexView {
                name_literal: py_str(index),
                columns_literal: columns.join(", "),
                columns,
            },
        );
    }

    let checks = checks_of(e);
    let has_table_args = !unique.is_empty() || !indexes.is_empty() || !checks.is_empty();

    let blockers = e
        .blockers
        .iter()
        .map(|b| BlockerView {
            entity_literal: py_str(&b.entity_name),
            key_literal: py_str(&b.key),
        })
        .collect();

    // Imports of the schema module: the standard library, then pydantic,
    // then the package's own types.
    let mut std = Vec::new();
    if uses.contains("dt") {
        std.push("import datetime as dt".to_string());
    }
    // The read model always has `id: uuid.UUID` and timestamps (in UTC).
    std.push("import uuid".to_string());
    if uses.contains("Decimal") {
        std.push("from decimal import Decimal".to_string());
    }
    let typing: Vec<&str> = ["Any", "Literal"]
        .into_iter()
        .filter(|n| uses.contains(n))
        .collect();
    if !typing.is_empty() {
        std.push(format!("from typing import {}", typing.join(", ")));
    }
    // `Field` only when a line uses it (constraints, aliases, link lists):
    // an unused import fails `ruff check` (corpus seed 2).
    let uses_field = !to_many.is_empty()
        || fields.iter().any(|f: &FieldView| {
            [&f.create_line, &f.update_line, &f.read_line]
                .iter()
                .any(|l| l.contains("Field("))
        })
        || to_one
            .iter()
            .any(|r: &ToOneView| r.create_line.contains("Field("));
    let mut pyd: Vec<&str> = vec!["BaseModel", "ConfigDict"];
    if uses_field {
        pyd.push("Field");
    }
    if uses.contains("EmailStr") {
        pyd.push("EmailStr");
    }
    pyd.sort_by_key(|s| s.to_string());
    let package = package(model);
    let mut own: Vec<&str> = vec![];
    if uses.contains("DecimalText") {
        own.push("DecimalText");
    }
    if uses.contains("HttpUrlText") {
        own.push("HttpUrlText");
    }
    if uses.contains("PhoneNumber") {
        own.push("PhoneNumber");
    }
    own.push("RequestBody");
    if uses.contains("StorableDatetime") {
        own.push("StorableDatetime");
    }
    own.push("UtcDatetime");
    let mut schema_imports = vec![
        std,
        vec![format!("from pydantic import {}", pyd.join(", "))],
    ];
    if !own.is_empty() {
        schema_imports.push(vec![format!(
            "from {package}.schemas.types import {}",
            own.join(", ")
        )]);
    }

    let mut service_std = vec!["import uuid".to_string()];
    service_std.push("from typing import Any".to_string());
    let service_imports = vec![
        service_std,
        vec![
            "import sqlalchemy as sa".to_string(),
            "from pydantic import ValidationError".to_string(),
            "from sqlalchemy.exc import IntegrityError".to_string(),
            "from sqlalchemy.orm import Session".to_string(),
        ],
    ];

    let public_actions: Vec<String> = e
        .access
        .iter()
        .filter(|r| r.public)
        .map(|r| py_str(r.action.as_str()))
        .collect();
    let public_literal = if public_actions.is_empty() {
        "frozenset()".to_string()
    } else {
        format!("frozenset({{{}}})", public_actions.join(", "))
    };
    let mut model_names: Vec<String> = vec![class.clone()];
    for r in &to_one {
        model_names.push(r.target.clone());
    }
    for r in &to_many {
        model_names.push(r.target.clone());
        model_names.push(r.table_var.clone());
    }
    let descendants = move_steps(model, e);
    let read_rules = field_rules(model, e, |f| f.read.as_ref());
    let write_rules = field_rules(model, e, |f| f.write.as_ref());
    let filter_rules = filter_rules(model, e);
    let workflows = workflow_views(model, e);
    model_names.extend(descendants.iter().map(|d| d.target.clone()));
    let model_imports = isort_names(model_names);
    let mut common: Vec<String> = [
        "RecordedInsert",
        "by_id",
        "changed_fields",
        "commit",
        "flush",
        "parse_body",
        "reject_nulls",
        "scoped",
    ]
    .map(String::from)
    .to_vec();
    if e.owner_settable() {
        common.push("check_owner".into());
    }
    if e.owner_relation().is_some() {
        common.push("owner_through".into());
    }
    if !descendants.is_empty() {
        common.push("move_rows".into());
    }
    if !read_rules.is_empty() {
        common.push("hidden".into());
    }
    if !filter_rules.is_empty() {
        common.push("allowed_columns".into());
    }
    if !write_rules.is_empty() || !workflows.is_empty() {
        common.push("raw_members".into());
    }
    if !write_rules.is_empty() {
        common.push("check_writes".into());
        if e.owner_relation().is_some() {
            common.push("owns_parent".into());
        }
    }
    if !workflows.is_empty() {
        common.extend(
            [
                "Workflow",
                "check_conflicts",
                "check_initial",
                "check_moves",
            ]
            .map(String::from),
        );
    }
    if !to_one.is_empty() || !to_many.is_empty() {
        common.push("check_links".into());
    }
    if !to_many.is_empty() {
        common.push("links_of".into());
        common.push("replace_links".into());
        if !workflows.is_empty() {
            common.push("link_change".into());
        }
    }
    let common_imports = isort_names(common);
    let rules = e
        .access
        .iter()
        .map(|r| RuleView {
            action_literal: py_str(r.action.as_str()),
            public: r.public,
            public_literal: if r.public { "True" } else { "False" }.to_string(),
            roles: model
                .roles
                .iter()
                .map(|role| RoleScope {
                    role_literal: py_str(&role.name),
                    scope_literal: py_str(r.scope(Some(role.id)).as_str()),
                })
                .collect(),
        })
        .collect();

    let creator_role_literal = if owned {
        model
            .access_cases_of(e.id)
            .into_iter()
            .find(|c| {
                c.action == Action::Create
                    && c.status == 201
                    && c.role.is_some_and(|r| !model.roles[r.0].admin)
            })
            .and_then(|c| c.role)
            .map(|r| py_str(&model.roles[r.0].name))
            .unwrap_or_default()
    } else {
        String::new()
    };
    let has_links = !to_one.is_empty() || !to_many.is_empty();
    let has_members = !fields.is_empty() || has_links;
    let create_dump_args = dump_args(false, e.owner_settable(), &to_many);
    let update_dump_args = dump_args(true, false, &to_many);
    let words = naming::snake(&collection).replace('_', " ");
    EntityView {
        name: class.clone(),
        name_literal: py_str(name),
        schema_name: model::names::schema_name(name),
        words: words.clone(),
        module: module(&collection),
        collection: collection.clone(),
        table_literal: py_str(&e.table),
        path_literal: py_str(&format!("/{collection}")),
        owned,
        owner_settable: e.owner_settable(),
        erased_first: model.erased_first(e.id),
        through: e.owner_relation().map(|rel| {
            let target = model.get(rel.target);
            ThroughView {
                attr: rel.key.clone(),
                json_literal: py_str(&rel.key),
                target: class_name(&target.name),
                target_literal: py_str(&target.name),
                own_parent_role_literal: model
                    .roles
                    .iter()
                    .find(|r| {
                        let who = Some(r.id);
                        !r.admin
                            && e.access(Action::Create).scope(who) != Scope::None
                            && target.access(Action::Update).scope(who) == Scope::Own
                            && model.parents_readable(e.id, who)
                    })
                    .map(|r| py_str(&r.name))
                    .unwrap_or_default(),
            }
        }),
        descendants,
        guards_body: !write_rules.is_empty() || !workflows.is_empty(),
        create_guard_reads_db: !write_rules.is_empty() && e.owner_relation().is_some(),
        has_rules: !read_rules.is_empty() || !write_rules.is_empty() || !filter_rules.is_empty(),
        read_probe: read_probe(model, e),
        read_own_probe: read_own_probe(model, e),
        write_probe: write_probe(model, e),
        read_rules,
        write_rules,
        filter_rules,
        workflows,
        owned_children: model
            .entities
            .iter()
            .filter_map(|c| {
                let rel = c.owner_relation()?;
                (rel.target == e.id && c.id != e.id).then(|| ParentView {
                    key: rel.key.clone(),
                    key_literal: py_str(&rel.key),
                    entity_literal: py_str(&c.name),
                })
            })
            .collect(),
        description: comment_text(e.description.as_deref().unwrap_or("")),
        has_to_many: !to_many.is_empty(),
        has_create_members: e.owner_settable() || has_members,
        has_update_members: has_members,
        to_one,
        to_many,
        sortable: {
            column_entries(&class, &mut sortable);
            sortable
        },
        filters: {
            column_entries(&class, &mut filters);
            filters
        },
        unique,
        not_null,
        title_words: {
            let mut c = words.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        },
        singular: attribute(&naming::snake(name)),
        singular_words: naming::snake(name).replace('_', " "),
        collection_literal: py_str(&collection),
        model_imports,
        problem_imports: if owned {
            vec!["forbidden".to_string(), "not_found".to_string()]
        } else {
            vec!["not_found".to_string()]
        },
        common_imports,
        owner_column: if owned {
            format!("{class}.owner_id")
        } else {
            "None".to_string()
        },
        create_dump_args,
        update_dump_args,
        has_links,
        schema_imports,
        enum_aliases,
        service_imports,
        rules,
        public_literal,
        has_table_args,
        indexes,
        checks,
        sensitive_literal,
        injectable,
        filter_probe,
        unique_probe,
        datetime_probe,
        decimal_probe,
        relation_probe,
        blockers,
        parents,
        creator_role_literal,
        encrypted: fields.iter().filter(|f| f.sensitive).cloned().collect(),
        has_blind_index: fields.iter().any(|f| f.blind_index.is_some()),
        retention_literal: e.retention.as_ref().map(|r| py_str(&r.interval)),
        fields,
    }
}

/// The values a row moves through, by listed moves, from the initial value
/// to `target` (the initial value itself excluded; empty when `target` is
/// the initial value); `None` when no moves reach it.
fn path_to(w: &model::Workflow, target: &str) -> Option<Vec<String>> {
    let mut paths: Vec<(String, Vec<String>)> = vec![(w.initial.clone(), vec![])];
    let mut i = 0;
    while i < paths.len() {
        let (at, path) = paths[i].clone();
        if at == target {
            return Some(path);
        }
        for m in w.moves.iter().filter(|m| m.from == at) {
            if !paths.iter().any(|(v, _)| *v == m.to) {
                let mut next = path.clone();
                next.push(m.to.clone());
                paths.push((m.to.clone(), next));
            }
        }
        i += 1;
    }
    None
}

fn read_probe(model: &AppModel, e: &Entity) -> Option<RuleProbe> {
    e.fields.iter().find_map(|f| {
        let rule = f.read.as_ref()?;
        let role = model.roles.iter().find(|r| {
            !r.admin
                && rule.scope(Some(r.id)) == Scope::None
                && e.access(Action::Read).scope(Some(r.id)) != Scope::None
        })?;
        let barred = !e.may_query(f, Some(role.id));
        Some(RuleProbe {
            json_literal: py_str(&f.name),
            role_literal: py_str(&role.name),
            filter: f.filterable && barred,
            sort: e.sortable.iter().any(|i| e.fields[*i].name == f.name) && barred,
        })
    })
}

fn read_own_probe(model: &AppModel, e: &Entity) -> Option<RuleProbe> {
    if !e.is_owned() {
        return None;
    }
    e.fields.iter().find_map(|f| {
        let rule = f.read.as_ref()?;
        let role = model.roles.iter().find(|r| {
            !r.admin
                && rule.scope(Some(r.id)) == Scope::Own
                && e.access(Action::Read).scope(Some(r.id)) == Scope::All
        })?;
        Some(RuleProbe {
            json_literal: py_str(&f.name),
            role_literal: py_str(&role.name),
            filter: false,
            sort: false,
        })
    })
}

fn write_probe(model: &AppModel, e: &Entity) -> Option<RuleProbe> {
    let creators: Vec<_> = model
        .access_cases_of(e.id)
        .into_iter()
        .filter(|c| c.action == Action::Create && c.status == 201)
        .filter_map(|c| c.role)
        .collect();
    e.fields.iter().find_map(|f| {
        let rule = f.write.as_ref()?;
        let role = model.roles.iter().find(|r| {
            !r.admin && rule.scope(Some(r.id)) == Scope::None && creators.contains(&r.id)
        })?;
        Some(RuleProbe {
            json_literal: py_str(&f.name),
            role_literal: py_str(&role.name),
            filter: false,
            sort: false,
        })
    })
}

fn scope_entries(model: &AppModel, public: bool, roles: &[Scope]) -> Vec<ScopeEntry> {
    let visitor = if public { Scope::All } else { Scope::None };
    std::iter::once(ScopeEntry {
        key_literal: "None".to_string(),
        scope_literal: py_str(visitor.as_str()),
    })
    .chain(model.roles.iter().map(|r| ScopeEntry {
        key_literal: py_str(&r.name),
        scope_literal: py_str(roles.get(r.id.0).copied().unwrap_or(Scope::None).as_str()),
    }))
    .collect()
}

fn field_rules(
    model: &AppModel,
    e: &Entity,
    rule: impl Fn(&model::Field) -> Option<&model::FieldRule>,
) -> Vec<FieldRuleView> {
    e.fields
        .iter()
        .filter_map(|f| {
            let r = rule(f)?;
            Some(FieldRuleView {
                attr: attribute(&f.name),
                attr_literal: py_str(&attribute(&f.name)),
                json_literal: py_str(&f.name),
                scopes: scope_entries(model, r.public, &r.roles),
            })
        })
        .collect()
}

fn filter_rules(model: &AppModel, e: &Entity) -> Vec<FieldRuleView> {
    e.fields
        .iter()
        .filter(|f| f.filterable || e.sortable.iter().any(|i| e.fields[*i].name == f.name))
        .filter(|f| f.read.is_some())
        .map(|f| {
            let may = |role| {
                if e.may_query(f, role) {
                    Scope::All
                } else {
                    Scope::None
                }
            };
            let roles: Vec<Scope> = model.roles.iter().map(|r| may(Some(r.id))).collect();
            FieldRuleView {
                attr: attribute(&f.name),
                attr_literal: py_str(&attribute(&f.name)),
                json_literal: py_str(&f.name),
                scopes: scope_entries(model, may(None) == Scope::All, &roles),
            }
        })
        .collect()
}

fn workflow_views(model: &AppModel, e: &Entity) -> Vec<WorkflowView> {
    e.workflows()
        .filter_map(|f| {
            let w = f.workflow.as_ref()?;
            let forbidden_probe = w.moves.iter().find_map(|m| {
                let path = path_to(w, &m.from)?;
                model
                    .roles
                    .iter()
                    .find(|r| {
                        !r.admin
                            && m.roles.get(r.id.0) == Some(&Scope::None)
                            && e.access(Action::Update).scope(Some(r.id)) != Scope::None
                            && e.access(Action::Read).scope(Some(r.id)) != Scope::None
                    })
                    .map(|r| MoveProbe {
                        role_literal: py_str(&r.name),
                        path: path.iter().map(|v| py_str(v)).collect(),
                        to_literal: py_str(&m.to),
                    })
            });
            let unlisted_literal = f
                .rules
                .values
                .iter()
                .find(|v| **v != w.initial && w.find(&w.initial, v).is_none())
                .map(|v| py_str(v));
            let frozen_path = w
                .frozen
                .iter()
                .filter_map(|v| path_to(w, v))
                .min_by_key(|p| p.len())
                .map(|p| p.iter().map(|v| py_str(v)).collect())
                .unwrap_or_default();
            let other_literal = e
                .fields
                .iter()
                .find(|o| {
                    o.workflow.is_none()
                        && o.read.is_none()
                        && o.write.is_none()
                        && matches!(o.sample, Sample::Text { .. } | Sample::Integer { .. })
                        // a value other than the row's must exist
                        && o.sample.distinct().is_none_or(|n| n >= 2)
                })
                .map(|o| py_str(&o.name));
            let mut frozen: Vec<String> = w.frozen.iter().map(|v| py_str(v)).collect();
            frozen.sort();
            Some(WorkflowView {
                attr: attribute(&f.name),
                attr_literal: py_str(&attribute(&f.name)),
                json_literal: py_str(&f.name),
                initial_literal: py_str(&w.initial),
                moves: w
                    .moves
                    .iter()
                    .map(|m| MoveView {
                        from_literal: py_str(&m.from),
                        to_literal: py_str(&m.to),
                        scopes: scope_entries(model, false, &m.roles),
                    })
                    .collect(),
                frozen_literal: if frozen.is_empty() {
                    "frozenset()".to_string()
                } else {
                    format!("frozenset({{{}}})", frozen.join(", "))
                },
                forbidden_probe,
                unlisted_literal,
                frozen_path,
                other_literal,
            })
        })
        .collect()
}

/// The steps that move the rows owned through a row of `e` (to any
/// depth) to its new owner: children first, each step reading the ids the
/// step before it moved.
fn move_steps(model: &AppModel, e: &Entity) -> Vec<MoveStep> {
    let mut steps: Vec<MoveStep> = Vec::new();
    let mut queue = vec![(e.id, "ids".to_string())];
    let mut seen = vec![e.id];
    let mut i = 0;
    while i < queue.len() {
        let (parent, source) = queue[i].clone();
        for c in &model.entities {
            let Some(rel) = c.owner_relation() else {
                continue;
            };
            if rel.target != parent || seen.contains(&c.id) {
                continue;
            }
            seen.push(c.id);
            let var = format!("moved_{}", steps.len() + 1);
            steps.push(MoveStep {
                var: var.clone(),
                target: class_name(&c.name),
                key_literal: py_str(&rel.key),
                source: source.clone(),
                used: false,
            });
            queue.push((c.id, var));
        }
        i += 1;
    }
    let sources: Vec<String> = steps.iter().map(|s| s.source.clone()).collect();
    for step in &mut steps {
        step.used = sources.contains(&step.var);
    }
    steps
}

/// The access test cases: every role (and a visitor) × action × entity,
/// with the status the model gives each.
pub fn access_cases(model: &AppModel) -> Vec<AccessCase> {
    model
        .access_cases()
        .into_iter()
        .map(|c| {
            let entity_literal = py_str(&model.get(c.entity).name);
            let action_literal = py_str(c.action.as_str());
            let role_literal = c
                .role
                .map(|r| py_str(&model.roles[r.0].name))
                .unwrap_or_else(|| "None".to_string());
            let owner_literal = match c.row {
                Some(RowOwner::Mine) => py_str("self"),
                Some(RowOwner::Other) => py_str("other"),
                None => "None".to_string(),
            };
            let element = list_element(&[
                &entity_literal,
                &action_literal,
                &role_literal,
                &owner_literal,
                &c.status.to_string(),
            ]);
            AccessCase {
                entity_literal,
                action_literal,
                role_literal,
                owner_literal,
                status: c.status,
                element,
            }
        })
        .collect()
}

/// The argument of `OWNED: frozenset[str] = frozenset(...)` in the tests'
/// factories, laid out the way `ruff format` (line length 100) wants it:
/// on the line when it fits, else on a line of its own, else one name per
/// line with a trailing comma.
const OWNED_PREFIX: &str = "OWNED: frozenset[str] = frozenset(";
const DIRECT_PREFIX: &str = "DIRECT: frozenset[str] = frozenset(";

fn owned_set_literal(prefix: &str, owned: &[String]) -> String {
    if owned.is_empty() {
        return "()".to_string();
    }
    let set = format!("{{{}}}", owned.join(", "));
    if prefix.len() + set.len() < 100 {
        set
    } else if 4 + set.len() <= 100 {
        format!("\n    {set}\n")
    } else {
        let names: String = owned.iter().map(|n| format!("        {n},\n")).collect();
        format!("\n    {{\n{names}    }}\n")
    }
}

/// A number as SQL spells it.
/// The CHECK constraints of an entity: enum values, numeric ranges, and
/// lengths the column type does not already bound. Encrypted fields hold
/// ciphertext, so the API alone checks them.
fn checks_of(e: &Entity) -> Vec<CheckView> {
    e.fields
        .iter()
        .filter(|f| !f.encrypted)
        .flat_map(|f| field_checks(&e.table, &f.name, &f.rules))
        .collect()
}

/// The CHECK constraints of one unencrypted field's column (see
/// [`checks_of`]).
pub(crate) fn field_checks(
    table: &str,
    name: &str,
    rules: &blueprint_core::spec::Field,
) -> Vec<CheckView> {
    model::schema::sql::field_checks(table, name, rules)
        .into_iter()
        .map(|check| CheckView {
            name_literal: py_str(&check.name),
            sql_literal: py_str(&check.sql),
        })
        .collect()
}

/// A column name in SQL: quoted only when PostgreSQL reserves the word.
pub(crate) fn sql_identifier(name: &str) -> String {
    model::schema::sql::identifier(name)
}

#[cfg(test)]
mod tests {
    use super::{owned_set_literal, py_str, sql_identifier, OWNED_PREFIX};

    #[test]
    fn check_sql_quotes_reserved_words_and_its_literal_is_what_ruff_keeps() {
        assert_eq!(sql_identifier("weight"), "weight");
        assert_eq!(sql_identifier("order"), "\"order\"");
        assert_eq!(sql_identifier("Mixed"), "\"Mixed\"");
        assert_eq!(py_str("weight >= 0"), "\"weight >= 0\"");
        assert_eq!(py_str("\"order\" >= 0"), "'\"order\" >= 0'");
        assert_eq!(
            py_str("\"type\" IN ('a', 'b')"),
            "\"\\\"type\\\" IN ('a', 'b')\""
        );
        assert_eq!(py_str("\"it's\" \"x\""), "'\"it\\'s\" \"x\"'");
    }

    fn names(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("\"Item{i}\"")).collect()
    }

    #[test]
    fn an_optional_type_too_long_for_its_parentheses_splits_before_the_bar() {
        let ty = format!("{} | None", "A".repeat(90));
        assert_eq!(
            super::declaration("status", &ty, &["None".to_string()]),
            format!(
                "    status: (\n        {}\n        | None\n    ) = None",
                "A".repeat(90)
            )
        );
        assert_eq!(
            super::declaration("status", "Kind | None", &["None".to_string()]),
            "    status: Kind | None = None"
        );
    }

    #[test]
    fn the_owned_set_is_laid_out_as_ruff_format_wants() {
        assert_eq!(owned_set_literal(OWNED_PREFIX, &[]), "()");
        assert_eq!(
            owned_set_literal(OWNED_PREFIX, &names(2)),
            "{\"Item0\", \"Item1\"}"
        );
        // 10 names no longer fit after the prefix, but fit on a line.
        let ten = owned_set_literal(OWNED_PREFIX, &names(10));
        assert!(
            ten.starts_with("\n    {\"Item0\", ") && ten.ends_with("}\n"),
            "{ten}"
        );
        // 20 names: one per line, with a trailing comma.
        let twenty = owned_set_literal(OWNED_PREFIX, &names(20));
        assert!(
            twenty.starts_with("\n    {\n        \"Item0\",\n"),
            "{twenty}"
        );
        assert!(twenty.ends_with("        \"Item19\",\n    }\n"), "{twenty}");
    }
}
