//! The `typescript-fastify` stack: a Fastify 5 service on Node.js 24,
//! TypeScript 6, Kysely over `pg`, and zod, with vitest against
//! PostgreSQL. One of [`crate::builtin`]: its projects meet the whole
//! backend contract (`docs/backend-contract.md`) and pass the quality gate.
//! What it emits, each part tested by the project's own suite and its
//! linters:
//!
//! - configuration from the environment (C-RUN-2, C-RUN-3, C-RUN-4);
//! - problem details for every error (C-API-2), the text rule for every
//!   string of a JSON body (C-API-5), the probes and the API document
//!   (`/healthz`, `/readyz` with `Retry-After`, `/openapi.json`);
//! - the whole schema as one reversible migration, the stack-neutral SQL of
//!   [`model::schema::sql`] (the audit log's append-only guard included),
//!   and the app role's grants (C-RUN-5);
//! - sign-up, sign-in, sign-out and the current account (section 3 of the
//!   contract: argon2id and the password policy, opaque session tokens
//!   stored hashed with idle and absolute timeouts, the CSRF check, the
//!   atomic lockout), the client address behind trusted proxies (C-RUN-6),
//!   and the audit events of signing in;
//! - every entity's routes (section 4): keyset lists with signed cursors,
//!   filters and sorts, reads and changes scoped by the access table and
//!   ownership (through relations too), field rules, workflows,
//!   many-to-many links, `Idempotency-Key` on creates, encryption at rest
//!   of sensitive fields with blind indexes, and the audit event of each
//!   change, all served from the model as data ([`entities`]);
//! - the data export and erasure of the caller's account, and the admin
//!   lists of accounts and of the audit log;
//! - the protective headers and `X-Request-ID` of every response;
//! - `make install`, `build`, `migrate`, `run`, `test`, `lint` (`tsc`,
//!   ESLint with typescript-eslint's strict type-checked rules, Prettier)
//!   and `user`.
//!
//! ```text
//! README.md  package.json  package-lock.json  tsconfig.json  tsconfig.build.json  eslint.config.js
//! .prettierrc.json  .prettierignore  .nvmrc  .npmrc  .gitignore  .env.example  Makefile  vitest.config.ts
//! src/config.ts  db.ts  database.ts  problems.ts  paths.ts  base.ts  app.ts  server.ts  cluster.ts  client.ts
//!     text.ts  json.ts  runtime.ts  audit.ts  cli.ts  maintenance.ts  backup.ts  migrate.ts  grants.ts  ratelimit.ts
//!     routes/{health,auth,account,admin,admin-app,entities}.ts  services/{users,auth}.ts
//!     entities/{model.json,model.ts,access.ts,values.ts,cursors.ts,crud.ts}
//!     security/{passwords,sessions,principal,crypto}.ts  security/common_passwords.txt
//!     migrations/index.ts  migrations/0001_initial.ts
//! test/helpers.ts  samples.json  config.test.ts  health.test.ts  migrations.test.ts  auth.test.ts
//!     rows.ts  servers.ts  entities.test.ts  rules.test.ts  account.test.ts  ratelimit.test.ts
//!     maintenance.test.ts  backup.test.ts  values.test.ts  db.test.ts  openapi.test.ts
//!     grants.test.ts
//! ```
//!
//! ```
//! use stacks::Stack;
//! use stacks::typescript_fastify::TypescriptFastify;
//! use blueprint_core::builder::SpecBuilder;
//! use blueprint_core::spec::FieldType;
//!
//! let bp = SpecBuilder::new("tasks")
//!     .with_entity("Task", |e| e.owned().with_field("title", FieldType::String, |f| f.required()))
//!     .build();
//! let files = TypescriptFastify.plan(&model::AppModel::from_blueprint(&bp)).unwrap();
//! assert!(files.iter().any(|f| f.path == "src/migrations/0001_initial.ts"));
//! ```

pub mod entities;
pub mod npm;
pub mod schema;

use crate::{
    Cache, PlannedFile, Realizations, Stack, StackDecision, StackError, Stage, Template,
    TestInputs, VerificationPlan,
};
use compliance::Capability;
use heck::{ToKebabCase, ToSnakeCase};
use model::AppModel;
use std::sync::Arc;

/// The typescript-fastify stack.
#[derive(Debug, Clone, Copy, Default)]
pub struct TypescriptFastify;

/// The stack's id.
pub const ID: &str = "typescript-fastify";

/// The `.env.example` value of `SECRET_KEY`, which start-up refuses.
pub const SECRET_KEY_EXAMPLE: &str = "change-me-to-a-long-random-string-of-32-or-more-characters";

macro_rules! templates {
    ($($name:literal),* $(,)?) => {
        /// Every template of the stack, embedded.
        pub const TEMPLATES: &[Template] = &[
            $(Template::embedded(
                concat!("typescript-fastify/", $name),
                include_str!(concat!("../../templates/typescript-fastify/", $name, ".hbs")),
            )),*
        ];
    };
}

templates!(
    "README.md",
    "Makefile",
    "env.example",
    "src/config.ts",
    "src/base.ts",
    "src/security/passwords.ts",
    "src/security/sessions.ts",
    "src/security/principal.ts",
    "src/services/users.ts",
    "src/services/auth.ts",
    "src/routes/auth.ts",
    "src/routes/account.ts",
    "src/mail/tokens.ts",
    "src/mail/templates.ts",
    "src/mail/outbox.ts",
    "test/email.test.ts",
    "test/config.test.ts",
    "test/migrations.test.ts",
    "test/auth.test.ts",
    "Dockerfile",
    "docker-compose.yml",
    "github/workflows/ci.yml",
    "deploy/k8s/migrate-job.yaml",
    "deploy/k8s/kustomization.yaml",
);

/// The Kubernetes manifests that do not depend on the stack: python-fastapi's,
/// rendered with this stack's view.
const SHARED_MANIFESTS: &[Template] = &[
    Template::embedded(
        "typescript-fastify/deploy/k8s/configmap.yaml",
        include_str!("../../templates/python-fastapi/deploy/k8s/configmap.yaml.hbs"),
    ),
    Template::embedded(
        "typescript-fastify/deploy/k8s/secret.yaml",
        include_str!("../../templates/python-fastapi/deploy/k8s/secret.yaml.hbs"),
    ),
    Template::embedded(
        "typescript-fastify/deploy/k8s/deployment.yaml",
        include_str!("../../templates/python-fastapi/deploy/k8s/deployment.yaml.hbs"),
    ),
    Template::embedded(
        "typescript-fastify/deploy/k8s/pdb.yaml",
        include_str!("../../templates/python-fastapi/deploy/k8s/pdb.yaml.hbs"),
    ),
    Template::embedded(
        "typescript-fastify/deploy/k8s/service.yaml",
        include_str!("../../templates/python-fastapi/deploy/k8s/service.yaml.hbs"),
    ),
    Template::embedded(
        "typescript-fastify/deploy/k8s/worker-deployment.yaml",
        include_str!("../../templates/python-fastapi/deploy/k8s/worker-deployment.yaml.hbs"),
    ),
    Template::embedded(
        "typescript-fastify/deploy/k8s/retention-cronjob.yaml",
        include_str!("../../templates/python-fastapi/deploy/k8s/retention-cronjob.yaml.hbs"),
    ),
    Template::embedded(
        "typescript-fastify/deploy/k8s/backup-pvc.yaml",
        include_str!("../../templates/python-fastapi/deploy/k8s/backup-pvc.yaml.hbs"),
    ),
    Template::embedded(
        "typescript-fastify/deploy/k8s/backup-cronjob.yaml",
        include_str!("../../templates/python-fastapi/deploy/k8s/backup-cronjob.yaml.hbs"),
    ),
];

/// The Kubernetes manifests under `deploy/k8s/`, in `kustomization.yaml`'s order.
pub const K8S_MANIFESTS: [&str; 10] = [
    "kustomization.yaml",
    "configmap.yaml",
    "secret.yaml",
    "deployment.yaml",
    "pdb.yaml",
    "service.yaml",
    "migrate-job.yaml",
    "retention-cronjob.yaml",
    "backup-pvc.yaml",
    "backup-cronjob.yaml",
];

/// The Node.js image the Dockerfile builds and runs on: the `.nvmrc` major.
pub const NODE_IMAGE: &str = "node:24.22.3-bookworm-slim";

/// Files that are the same in every project, by path.
const STATIC: &[(&str, &str)] = &[
    (
        "tsconfig.json",
        include_str!("../../templates/typescript-fastify/tsconfig.json"),
    ),
    (
        "tsconfig.build.json",
        include_str!("../../templates/typescript-fastify/tsconfig.build.json"),
    ),
    (
        "eslint.config.js",
        include_str!("../../templates/typescript-fastify/eslint.config.js"),
    ),
    (
        ".prettierrc.json",
        include_str!("../../templates/typescript-fastify/prettierrc.json"),
    ),
    (
        ".prettierignore",
        include_str!("../../templates/typescript-fastify/prettierignore"),
    ),
    (
        ".nvmrc",
        include_str!("../../templates/typescript-fastify/nvmrc"),
    ),
    (
        ".npmrc",
        include_str!("../../templates/typescript-fastify/npmrc"),
    ),
    (
        ".dockerignore",
        include_str!("../../templates/typescript-fastify/dockerignore"),
    ),
    (
        ".gitignore",
        include_str!("../../templates/typescript-fastify/gitignore"),
    ),
    (
        "vitest.config.ts",
        include_str!("../../templates/typescript-fastify/vitest.config.ts"),
    ),
    (
        "src/app.ts",
        include_str!("../../templates/typescript-fastify/src/app.ts"),
    ),
    (
        "src/audit.ts",
        include_str!("../../templates/typescript-fastify/src/audit.ts"),
    ),
    (
        "src/client.ts",
        include_str!("../../templates/typescript-fastify/src/client.ts"),
    ),
    (
        "src/cli.ts",
        include_str!("../../templates/typescript-fastify/src/cli.ts"),
    ),
    (
        "src/json.ts",
        include_str!("../../templates/typescript-fastify/src/json.ts"),
    ),
    (
        "src/text.ts",
        include_str!("../../templates/typescript-fastify/src/text.ts"),
    ),
    (
        "src/runtime.ts",
        include_str!("../../templates/typescript-fastify/src/runtime.ts"),
    ),
    (
        "src/security/common_passwords.txt",
        model::input::COMMON_PASSWORDS,
    ),
    (
        "src/problems.ts",
        include_str!("../../templates/typescript-fastify/src/problems.ts"),
    ),
    (
        "src/paths.ts",
        include_str!("../../templates/typescript-fastify/src/paths.ts"),
    ),
    (
        "src/db.ts",
        include_str!("../../templates/typescript-fastify/src/db.ts"),
    ),
    (
        "src/cluster.ts",
        include_str!("../../templates/typescript-fastify/src/cluster.ts"),
    ),
    (
        "src/backup.ts",
        include_str!("../../templates/typescript-fastify/src/backup.ts"),
    ),
    (
        "src/maintenance.ts",
        include_str!("../../templates/typescript-fastify/src/maintenance.ts"),
    ),
    (
        "src/ratelimit.ts",
        include_str!("../../templates/typescript-fastify/src/ratelimit.ts"),
    ),
    (
        "src/server.ts",
        include_str!("../../templates/typescript-fastify/src/server.ts"),
    ),
    (
        "src/migrate.ts",
        include_str!("../../templates/typescript-fastify/src/migrate.ts"),
    ),
    (
        "src/grants.ts",
        include_str!("../../templates/typescript-fastify/src/grants.ts"),
    ),
    (
        "src/routes/health.ts",
        include_str!("../../templates/typescript-fastify/src/routes/health.ts"),
    ),
    (
        "test/helpers.ts",
        include_str!("../../templates/typescript-fastify/test/helpers.ts"),
    ),
    (
        "src/routes/admin-app.ts",
        include_str!("../../templates/typescript-fastify/src/routes/admin-app.ts"),
    ),
    (
        "src/routes/admin.ts",
        include_str!("../../templates/typescript-fastify/src/routes/admin.ts"),
    ),
    (
        "src/routes/entities.ts",
        include_str!("../../templates/typescript-fastify/src/routes/entities.ts"),
    ),
    (
        "src/entities/access.ts",
        include_str!("../../templates/typescript-fastify/src/entities/access.ts"),
    ),
    (
        "src/entities/crud.ts",
        include_str!("../../templates/typescript-fastify/src/entities/crud.ts"),
    ),
    (
        "src/entities/cursors.ts",
        include_str!("../../templates/typescript-fastify/src/entities/cursors.ts"),
    ),
    (
        "src/entities/model.ts",
        include_str!("../../templates/typescript-fastify/src/entities/model.ts"),
    ),
    (
        "src/entities/values.ts",
        include_str!("../../templates/typescript-fastify/src/entities/values.ts"),
    ),
    (
        "src/security/crypto.ts",
        include_str!("../../templates/typescript-fastify/src/security/crypto.ts"),
    ),
    (
        "test/account.test.ts",
        include_str!("../../templates/typescript-fastify/test/account.test.ts"),
    ),
    (
        "test/rows.ts",
        include_str!("../../templates/typescript-fastify/test/rows.ts"),
    ),
    (
        "test/ratelimit.test.ts",
        include_str!("../../templates/typescript-fastify/test/ratelimit.test.ts"),
    ),
    (
        "test/maintenance.test.ts",
        include_str!("../../templates/typescript-fastify/test/maintenance.test.ts"),
    ),
    (
        "test/values.test.ts",
        include_str!("../../templates/typescript-fastify/test/values.test.ts"),
    ),
    (
        "test/backup.test.ts",
        include_str!("../../templates/typescript-fastify/test/backup.test.ts"),
    ),
    (
        "test/servers.ts",
        include_str!("../../templates/typescript-fastify/test/servers.ts"),
    ),
    (
        "test/rules.test.ts",
        include_str!("../../templates/typescript-fastify/test/rules.test.ts"),
    ),
    (
        "test/entities.test.ts",
        include_str!("../../templates/typescript-fastify/test/entities.test.ts"),
    ),
    (
        "test/health.test.ts",
        include_str!("../../templates/typescript-fastify/test/health.test.ts"),
    ),
    (
        "test/db.test.ts",
        include_str!("../../templates/typescript-fastify/test/db.test.ts"),
    ),
    (
        "test/openapi.test.ts",
        include_str!("../../templates/typescript-fastify/test/openapi.test.ts"),
    ),
    (
        "test/grants.test.ts",
        include_str!("../../templates/typescript-fastify/test/grants.test.ts"),
    ),
];

/// The view every template renders: the project's names and parameters.
fn view(model: &AppModel, schema: &model::schema::Schema) -> serde_json::Value {
    let params = &model.params;
    // Every table the migrations make, the integrations' included.
    let tables: Vec<String> = schema::table_names(schema, model.email.is_some())
        .iter()
        .chain(
            model
                .integrations
                .iter()
                .filter(|i| i.generated)
                .flat_map(|i| &i.tables),
        )
        .map(|t| schema::ts_str(t))
        .collect();
    let tables_array = schema::ts_array("const TABLES = ", &tables, ";");
    let names =
        |roles: Vec<&str>| -> Vec<String> { roles.into_iter().map(schema::ts_str).collect() };
    let roles = names(model.roles.iter().map(|r| r.name.as_str()).collect());
    let signup = names(model.signup_roles().map(|r| r.name.as_str()).collect());
    let admin = names(model.admin_roles().map(|r| r.name.as_str()).collect());
    serde_json::json!({
        "title": model.product.title,
        "description": model.product.description.as_deref().unwrap_or("").trim(),
        "admin_role": model.admin_roles().next().map_or("admin", |r| r.name.as_str()),
        "base_path": model.api.base_path,
        "product_name": model.product.name.to_kebab_case(),
        "images": {
            "node": NODE_IMAGE,
            "postgres": crate::python_fastapi::view::POSTGRES_IMAGE,
            "redis": crate::python_fastapi::view::REDIS_IMAGE,
        },
        "commands": crate::python_fastapi::view::JobCommandsView::of(
            &["node", "dist/src/cli.js", "retention"],
            &["node", "dist/src/cli.js", "backup"],
        )
        .with_worker(&["node", "dist/src/mail/worker.js"], "src/mail/worker.ts"),
        // The integrations' variables (the stack-neutral part of the view).
        "integrations": crate::python_fastapi::integrations::view(model),
        "email": model.email.is_some(),
        "email_providers": model.email.as_ref().map(|e| e.providers.clone()).unwrap_or_default(),
        "email_from_literal": schema::ts_str(model.email_sender()),
        "email_verification_hours": model::VERIFICATION_TOKEN_HOURS,
        "email_reset_minutes": model::RESET_TOKEN_MINUTES,
        "email_max_attempts": model::EMAIL_MAX_ATTEMPTS,
        "title_literal": schema::ts_str(&model.product.title),
        "package": model.product.name.to_kebab_case(),
        "db_name": model.product.name.to_snake_case(),
        "base_path_literal": schema::ts_str(&model.api.base_path),
        "secret_key_example": SECRET_KEY_EXAMPLE,
        "secret_key_example_literal": schema::ts_str(SECRET_KEY_EXAMPLE),
        "rate_limit_client_per_minute": params.rate_limit_client_per_minute,
        "rate_limit_user_per_minute": params.rate_limit_user_per_minute,
        "retry_after_seconds": model::routes::UNAVAILABLE_RETRY_AFTER_SECS,
        "tables_array": tables_array,
        // The tables whose rows an erasure deletes before the account, in order.
        "erase_first": model
            .erasure_order()
            .into_iter()
            .map(|id| schema::ts_str(&model.get(id).table))
            .collect::<Vec<_>>(),
        "roles_array": schema::ts_array("export const ROLES: readonly string[] = ", &roles, ";"),
        "signup_roles_array": schema::ts_array(
            "export const SIGNUP_ROLES: readonly string[] = ",
            &signup,
            ";",
        ),
        "admin_roles_array": schema::ts_array(
            "export const ADMIN_ROLES: readonly string[] = ",
            &admin,
            ";",
        ),
        "password_min_length": params.password_min_length,
        "password_max_length": params.password_max_length,
        "lockout_max_failures": params.lockout_max_failures,
        "lockout_window_minutes": params.lockout_window_minutes,
        "lockout_email_max_failures": model::LOCKOUT_EMAIL_MAX_FAILURES,
        "session_idle_minutes": params.session_idle_minutes,
        "session_absolute_hours": params.session_absolute_hours,
    })
}

/// `src/integrations/index.ts`: the integrations that act in the app (all
/// but the e-mail providers, which the worker sends through), in the order
/// the spec lists them; each module exports `install(app)`.
fn integrations_index(model: &AppModel) -> String {
    let installed: Vec<&str> = model
        .integrations
        .iter()
        .filter(|i| i.generated && !model::EMAIL_VENDORS.contains(&i.id.as_str()))
        .map(|i| i.id.as_str())
        .collect();
    let mut imports: Vec<String> = installed
        .iter()
        .map(|id| format!("import {{ install as {id} }} from \"./{id}.js\";\n"))
        .collect();
    imports.sort();
    format!(
        "/** The integrations that act in the app, in the order the spec lists them. */\nimport type {{ FastifyInstance }} from \"fastify\";\n{}\n/** Each one's installer, which `buildApp` calls. */\nexport const INSTALLERS: readonly ((app: FastifyInstance) => void)[] = [{}];\n",
        imports.concat(),
        installed.join(", ")
    )
}

/// The outbox worker, planned when the product mails.
const MAIL_WORKER: &str = include_str!("../../templates/typescript-fastify/src/mail/worker.ts");

/// `src/mail/providers.ts`: the e-mail providers' modules, in the order the
/// spec lists them (the worker tries the first, then the next).
fn mail_providers(providers: &[String]) -> String {
    let mut imports: Vec<String> = providers
        .iter()
        .map(|p| format!("import {{ PROVIDER as {p} }} from \"../integrations/{p}.js\";\n"))
        .collect();
    imports.sort();
    format!(
        "/** The mail providers, in the order the spec lists them: the worker tries each in turn. */\n{}import type {{ Provider }} from \"./outbox.js\";\n\n/** The providers the worker sends through, first choice first. */\nexport const PROVIDERS: readonly Provider[] = [{}];\n",
        imports.concat(),
        providers.join(", ")
    )
}

/// The project's files that realize each capability, for the documents.
fn realizing(capability: Capability) -> &'static [&'static str] {
    use Capability as C;
    match capability {
        C::PasswordPolicy => &[
            "src/security/passwords.ts",
            "src/security/common_passwords.txt",
        ],
        C::PasswordHashing => &["src/security/passwords.ts"],
        C::LoginLockout => &["src/services/auth.ts"],
        C::UserAccounts => &["src/services/users.ts", "src/routes/auth.ts", "src/cli.ts"],
        C::SessionManagement | C::TlsOnlyCookies => &["src/security/sessions.ts"],
        C::CsrfProtection => &["src/security/principal.ts"],
        C::Rbac | C::RowOwnership => &[
            "src/entities/access.ts",
            "src/entities/crud.ts",
            "src/security/principal.ts",
        ],
        C::AdminFunctions => &["src/routes/admin.ts"],
        C::AuditLog => &["src/audit.ts"],
        C::AuditRetention => &["src/audit.ts", "src/maintenance.ts"],
        C::AppendOnlyAudit => &["src/audit.ts", "src/migrations/0001_initial.ts"],
        C::UtcTimestamps => &["src/migrations/0001_initial.ts", "src/app.ts"],
        C::RequestIds | C::LogRedaction | C::SecurityHeaders => &["src/app.ts"],
        C::PiiEncryptionAtRest => &["src/security/crypto.ts", "src/entities/crud.ts"],
        C::KeyRotation => &["src/security/crypto.ts", "src/maintenance.ts", "src/cli.ts"],
        C::SecretsFromEnvironment => &["src/config.ts", ".env.example", "deploy/k8s/secret.yaml"],
        C::GdprExport | C::GdprErasure => &["src/routes/account.ts"],
        C::RetentionPurge => &[
            "src/maintenance.ts",
            "src/cli.ts",
            "deploy/k8s/retention-cronjob.yaml",
            "Makefile",
        ],
        C::RateLimiting => &["src/ratelimit.ts"],
        C::CorsAllowlist => &["src/app.ts", "src/config.ts"],
        C::InputValidation => &["src/entities/values.ts", "src/text.ts"],
        C::ParameterizedQueries => &["src/entities/crud.ts", "src/db.ts"],
        C::SafeErrors => &["src/problems.ts"],
        C::HealthChecks => &[
            "src/routes/health.ts",
            "deploy/k8s/deployment.yaml",
            "Dockerfile",
        ],
        C::BackupsRestore => &[
            "src/backup.ts",
            "deploy/k8s/backup-cronjob.yaml",
            "Makefile",
        ],
        C::DependencyAudit => &[
            "package.json",
            "package-lock.json",
            ".github/workflows/ci.yml",
        ],
        C::SecurityTesting => &["test/", ".github/workflows/ci.yml"],
        C::ChangeManagement => &["src/migrations/", ".github/workflows/ci.yml"],
        C::TransportEncryption => &["deploy/k8s/deployment.yaml", "src/app.ts"],
        _ => &[],
    }
}

impl Stack for TypescriptFastify {
    fn id(&self) -> &'static str {
        ID
    }

    fn description(&self) -> &'static str {
        "Node.js 24, TypeScript 6, Fastify 5, Kysely over pg, zod; vitest against PostgreSQL"
    }

    fn templates(&self) -> Vec<Template> {
        TEMPLATES.iter().chain(SHARED_MANIFESTS).cloned().collect()
    }

    fn plan(&self, model: &AppModel) -> Result<Vec<PlannedFile>, StackError> {
        if model.entities.is_empty() {
            return Err(StackError::Unsupported {
                stack: ID.to_string(),
                reason: "the spec has no entities; add at least one under `entities`".to_string(),
            });
        }
        let schema = model::schema::Schema::of(model);
        let shared = Arc::new(view(model, &schema));
        let package = model.product.name.to_kebab_case();
        let title = model.product.title.clone();
        let t = |path: &str, name: &str| {
            PlannedFile::template(
                path,
                format!("typescript-fastify/{name}"),
                Arc::clone(&shared),
            )
        };
        let mut files = vec![
            t("README.md", "README.md"),
            PlannedFile::text("package.json", npm::manifest(model, &package, &title)?),
            PlannedFile::text("package-lock.json", npm::lock(model, &package)?),
            t("Makefile", "Makefile"),
            t(".env.example", "env.example"),
            t("src/config.ts", "src/config.ts"),
            t("src/base.ts", "src/base.ts"),
            t("src/security/passwords.ts", "src/security/passwords.ts"),
            t("src/security/sessions.ts", "src/security/sessions.ts"),
            t("src/security/principal.ts", "src/security/principal.ts"),
            t("src/services/users.ts", "src/services/users.ts"),
            t("src/services/auth.ts", "src/services/auth.ts"),
            t("src/routes/auth.ts", "src/routes/auth.ts"),
            t("src/routes/account.ts", "src/routes/account.ts"),
            t("test/config.test.ts", "test/config.test.ts"),
            t("test/migrations.test.ts", "test/migrations.test.ts"),
            t("test/auth.test.ts", "test/auth.test.ts"),
            t("Dockerfile", "Dockerfile"),
            t("docker-compose.yml", "docker-compose.yml"),
            t(".github/workflows/ci.yml", "github/workflows/ci.yml"),
            PlannedFile::text("src/integrations/index.ts", integrations_index(model)),
            PlannedFile::text(
                "src/database.ts",
                schema::database_types(&schema, model.email.is_some()),
            ),
            PlannedFile::text("src/entities/model.json", entities::model_json(model)),
            PlannedFile::text("test/samples.json", entities::samples_json(model)),
            PlannedFile::text("src/migrations/index.ts", schema::migrations_index(model)),
            PlannedFile::text(
                format!("src/migrations/{}.ts", schema::INITIAL),
                schema::initial_migration(model, &schema),
            ),
        ];
        for name in K8S_MANIFESTS {
            let path = format!("deploy/k8s/{name}");
            files.push(t(&path, &path));
        }
        if let Some(email) = &model.email {
            for name in ["tokens", "templates", "outbox"] {
                let path = format!("src/mail/{name}.ts");
                files.push(t(&path, &path));
            }
            files.push(PlannedFile::text("src/mail/worker.ts", MAIL_WORKER));
            files.push(PlannedFile::text(
                "src/mail/providers.ts",
                mail_providers(&email.providers),
            ));
            files.push(t("test/email.test.ts", "test/email.test.ts"));
            files.push(t(
                "deploy/k8s/worker-deployment.yaml",
                "deploy/k8s/worker-deployment.yaml",
            ));
        }
        files.extend(
            STATIC
                .iter()
                .map(|(path, text)| PlannedFile::text(*path, *text)),
        );
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(files)
    }

    fn realizations(&self, model: &AppModel) -> Realizations {
        let mut out = Realizations::default();
        for capability in Capability::ALL {
            let paths = realizing(capability);
            if !paths.is_empty() {
                out.capabilities
                    .insert(capability, paths.iter().map(|p| p.to_string()).collect());
            }
        }
        // Every entity is served from the model as data: its definition,
        // the one module that serves them all, its table, its tests.
        for e in &model.entities {
            out.entities.insert(
                e.name.clone(),
                [
                    "src/entities/model.json",
                    "src/entities/crud.ts",
                    "src/routes/entities.ts",
                    "src/migrations/0001_initial.ts",
                    "test/entities.test.ts",
                ]
                .map(String::from)
                .to_vec(),
            );
        }
        out
    }

    fn decision(&self) -> Option<StackDecision> {
        Some(StackDecision {
            title: "Build the backend with TypeScript and Fastify".into(),
            context: "The product needs an HTTP JSON backend that a small team can read, change and operate, with validation that mirrors the spec, an OpenAPI document, reversible migrations and tests against a real PostgreSQL.".into(),
            drivers: vec![
                "the spec's `stack` setting".into(),
                "one language for the API, its tests and the browser clients".into(),
                "validation and types that follow from one schema".into(),
                "explicit SQL where the contract needs it (keyset pagination, ownership scoping, the audit trigger)".into(),
                "a production server that uses every CPU".into(),
            ],
            options: vec![
                "TypeScript on Node.js 24 with Fastify 5, zod 4, Kysely and pg, tested with vitest".into(),
                "TypeScript with NestJS and TypeORM".into(),
                "TypeScript with Express and Prisma".into(),
            ],
            because: "the spec asks for it; Fastify validates and serializes with schemas and is among the fastest Node.js frameworks; zod gives one schema for types and validation; Kysely writes typed, parameterized SQL without hiding it, which keeps keyset pagination and ownership scoping explicit; Prisma's engines cannot be installed offline and NestJS adds layers this product does not need.".into(),
            consequences: vec![
                "Good, because the API, its tests and the generated TypeScript clients share one language and toolchain (tsc, ESLint with typescript-eslint's strict type-checked rules, Prettier).".into(),
                "Good, because every entity is served from the model as data (`src/entities/model.json`), so a change to the spec changes data, not code paths.".into(),
                "Bad, because Node.js runs JavaScript on one thread per process; the production server forks one worker per CPU (`WEB_CONCURRENCY`), and CPU-heavy work such as password hashing runs on libuv's thread pool.".into(),
            ],
        })
    }

    fn verification(&self) -> VerificationPlan {
        let stage = |name: &str, secs: u64| Stage {
            name: name.to_string(),
            make_target: name.to_string(),
            timeout_secs: secs,
        };
        VerificationPlan {
            stages: vec![
                stage("install", 900),
                stage("migrate", 120),
                stage("lint", 600),
                stage("test", 900),
                stage("run", 60),
            ],
            create_user: [
                "user",
                "EMAIL={email}",
                "PASSWORD={password}",
                "ROLE={role}",
            ]
            .map(String::from)
            .to_vec(),
            production_target: Some("serve".to_string()),
            caches: vec![Cache {
                variable: "npm_config_cache".to_string(),
                folder: "npm".to_string(),
                keyed_by: Vec::new(),
            }],
            test_inputs: TestInputs {
                outputs_at_top: ["node_modules", "dist"].map(String::from).to_vec(),
                outputs_anywhere: Vec::new(),
                toolchain: vec![vec!["node".to_string(), "--version".to_string()]],
            },
        }
    }
}
