//! The `python-fastapi` stack: a FastAPI service on SQLAlchemy 2, Alembic,
//! psycopg 3 and Pydantic v2, with cookie sessions, CSRF protection, role
//! and owner based access, cursor pagination, and its own pytest suite that
//! runs against PostgreSQL.
//!
//! The generated project looks like this (`<pkg>` is the snake_case product
//! name):
//!
//! ```text
//! pyproject.toml  requirements.lock  requirements-dev.lock  Makefile  alembic.ini  .env.example  README.md
//! docs/SECURITY.md
//! migrations/env.py  migrations/versions/0001_initial.py
//! src/<pkg>/main.py settings.py db.py models.py problems.py pagination.py
//!           permissions.py http.py cli.py context.py audit.py faults.py idempotency.py
//!           security/{passwords,sessions,csrf,dependencies,crypto}.py common_passwords.txt
//!           schemas/{types,auth,privacy,<collection>}.py
//!           services/{common,users,auth,privacy,<collection>}.py
//!           routers/{auth,admin,health,me,<collection>}.py
//! tests/conftest.py factories.py test_auth.py test_security.py test_access.py
//!       test_health.py test_migrations.py test_audit.py test_privacy.py
//!       test_crypto.py test_retention.py test_faults.py test_idempotency.py
//!       test_<collection>.py
//! ```
//!
//! ```
//! use stacks::Stack;
//! use stacks::python_fastapi::PythonFastapi;
//! use blueprint_core::builder::SpecBuilder;
//! use blueprint_core::spec::FieldType;
//!
//! let bp = SpecBuilder::new("tasks")
//!     .with_entity("Task", |e| e.owned().with_field("title", FieldType::String, |f| f.required()))
//!     .build();
//! let files = PythonFastapi.plan(&model::AppModel::from_blueprint(&bp)).unwrap();
//! assert!(files.iter().any(|f| f.path == "src/tasks/routers/tasks.py"));
//! ```

pub mod integrations;
pub mod layout;
pub mod names;
pub mod revision;
pub mod types;
pub mod view;

use compliance::Capability;
use model::AppModel;

/// Scalars of the project's view that spell every entity (as Python
/// literals); only project-wide files print them, so per-entity views
/// leave them out.
const LISTS_EVERY_ENTITY: [&str; 2] = ["owned_entities_literal", "direct_entities_literal"];

/// The view of the entity at `index` of the project's view `project`: the
/// project's scalars (no lists, nor the scalars that spell every entity)
/// and the entity under `entity`.
fn entity_view(project: &serde_json::Value, index: usize) -> serde_json::Value {
    let mut view: serde_json::Map<String, serde_json::Value> = project
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, v)| !v.is_array() && !LISTS_EVERY_ENTITY.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let entity = project["entities"].get(index).cloned().unwrap_or_default();
    view.insert("entity".to_string(), entity);
    serde_json::Value::Object(view)
}
use crate::{
    Cache, PlannedFile, Realizations, Stack, StackDecision, StackError, Stage, Template,
    TestInputs, VerificationPlan,
};

/// The python-fastapi stack.
#[derive(Debug, Clone, Copy, Default)]
pub struct PythonFastapi;

/// The stack's id.
pub const ID: &str = "python-fastapi";

/// The migration of the email tables (a branch off the initial revision).
pub const EMAIL_MIGRATION_PATH: &str = "migrations/versions/0001_email.py";

macro_rules! templates {
    ($($name:literal),* $(,)?) => {
        /// Every template of the stack, embedded.
        pub const TEMPLATES: &[Template] = &[
            $(Template::embedded(
                concat!("python-fastapi/", $name),
                include_str!(concat!("../../templates/python-fastapi/", $name, ".hbs")),
            )),*
        ];
    };
}

templates!(
    "pyproject.toml",
    "Makefile",
    "env.example",
    "README.md",
    "migrations/env.py",
    "migrations/initial.py",
    "migrations/email.py",
    "src/__init__.py",
    "src/settings.py",
    "src/db.py",
    "src/models.py",
    "src/problems.py",
    "src/pagination.py",
    "src/permissions.py",
    "src/http.py",
    "src/cli.py",
    "src/main.py",
    "src/context.py",
    "src/client.py",
    "src/admin_app.py",
    "src/grants.py",
    "src/audit.py",
    "src/security/crypto.py",
    "src/schemas/privacy.py",
    "src/services/privacy.py",
    "src/routers/me.py",
    "docs/SECURITY.md",
    "tests/test_audit.py",
    "tests/test_privacy.py",
    "tests/test_crypto.py",
    "tests/test_retention.py",
    "src/logs.py",
    "src/middleware.py",
    "src/ratelimit.py",
    "src/faults.py",
    "src/idempotency.py",
    "src/backup.py",
    "src/security/__init__.py",
    "src/security/passwords.py",
    "src/security/sessions.py",
    "src/security/dependencies.py",
    "src/security/csrf.py",
    "src/schemas/__init__.py",
    "src/schemas/types.py",
    "src/schemas/auth.py",
    "src/schemas/entity.py",
    "src/services/__init__.py",
    "src/services/common.py",
    "src/services/users.py",
    "src/services/auth.py",
    "src/services/entity.py",
    "src/routers/__init__.py",
    "src/routers/auth.py",
    "src/routers/admin.py",
    "src/routers/health.py",
    "src/routers/entity.py",
    "tests/__init__.py",
    "tests/conftest.py",
    "tests/factories.py",
    "tests/test_auth.py",
    "tests/test_security.py",
    "tests/test_access.py",
    "tests/test_rules.py",
    "tests/test_health.py",
    "tests/test_migrations.py",
    "tests/test_entity.py",
    "tests/servers.py",
    "tests/workers.py",
    "tests/test_rate_limits.py",
    "tests/test_lockout.py",
    "tests/test_client_address.py",
    "tests/test_filters.py",
    "tests/test_grants.py",
    "tests/test_headers.py",
    "tests/test_values.py",
    "tests/test_logging.py",
    "tests/test_backup.py",
    "tests/test_db.py",
    "tests/test_faults.py",
    "tests/test_idempotency.py",
    "src/mail/__init__.py",
    "src/mail/tokens.py",
    "src/mail/templates.py",
    "src/mail/outbox.py",
    "src/mail/worker.py",
    "tests/test_email.py",
    "deploy/k8s/worker-deployment.yaml",
    "Dockerfile",
    "gunicorn.conf.py",
    "docker-compose.yml",
    "github/workflows/ci.yml",
    "deploy/k8s/kustomization.yaml",
    "deploy/k8s/configmap.yaml",
    "deploy/k8s/secret.yaml",
    "deploy/k8s/deployment.yaml",
    "deploy/k8s/pdb.yaml",
    "deploy/k8s/service.yaml",
    "deploy/k8s/migrate-job.yaml",
    "deploy/k8s/retention-cronjob.yaml",
    "deploy/k8s/backup-pvc.yaml",
    "deploy/k8s/backup-cronjob.yaml",
);

/// Exact pins of every direct and transitive dependency (Python 3.11).
pub const REQUIREMENTS_LOCK: &str =
    include_str!("../../templates/python-fastapi/requirements.lock");
/// The runtime pins plus the development tools, as `make install` installs them.
const REQUIREMENTS_DEV_LOCK: &str =
    include_str!("../../templates/python-fastapi/requirements-dev.lock");
/// The common-password list of the contract, shipped beside `passwords.py`.
const COMMON_PASSWORDS: &str = model::input::COMMON_PASSWORDS;
const ALEMBIC_INI: &str = include_str!("../../templates/python-fastapi/alembic.ini");
const SCRIPT_MAKO: &str = include_str!("../../templates/python-fastapi/migrations/script.py.mako");
const GITIGNORE: &str = include_str!("../../templates/python-fastapi/gitignore");
const DOCKERIGNORE: &str = include_str!("../../templates/python-fastapi/dockerignore");
/// The Kubernetes manifests under `deploy/k8s/`, in `kustomization.yaml`'s order.
pub const K8S_MANIFESTS: &[&str] = &[
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

/// The files of the project (with `{pkg}` for the package) that realize a
/// capability, for the compliance matrix and traceability.
fn realizing(capability: Capability) -> &'static [&'static str] {
    use Capability as C;
    match capability {
        C::PasswordPolicy => &[
            "src/{pkg}/security/passwords.py",
            "src/{pkg}/security/common_passwords.txt",
        ],
        C::PasswordHashing => &["src/{pkg}/security/passwords.py"],
        C::LoginLockout => &["src/{pkg}/services/auth.py"],
        C::UserAccounts => &[
            "src/{pkg}/services/users.py",
            "src/{pkg}/routers/auth.py",
            "src/{pkg}/cli.py",
        ],
        C::SessionManagement | C::TlsOnlyCookies => &["src/{pkg}/security/sessions.py"],
        C::CsrfProtection => &[
            "src/{pkg}/security/csrf.py",
            "src/{pkg}/security/dependencies.py",
        ],
        C::Rbac | C::RowOwnership => &[
            "src/{pkg}/permissions.py",
            "src/{pkg}/security/dependencies.py",
        ],
        C::AdminFunctions => &["src/{pkg}/routers/admin.py"],
        C::AuditLog | C::AuditRetention => &["src/{pkg}/audit.py"],
        C::AppendOnlyAudit => &["src/{pkg}/audit.py", "migrations/versions/0001_initial.py"],
        C::UtcTimestamps => &["src/{pkg}/models.py", "src/{pkg}/logs.py"],
        C::RequestIds => &["src/{pkg}/middleware.py", "src/{pkg}/context.py"],
        C::LogRedaction => &["src/{pkg}/logs.py"],
        C::PiiEncryptionAtRest => &["src/{pkg}/security/crypto.py", "docs/SECURITY.md"],
        C::KeyRotation => &["src/{pkg}/security/crypto.py", "src/{pkg}/cli.py"],
        C::SecretsFromEnvironment => &[
            "src/{pkg}/settings.py",
            ".env.example",
            "deploy/k8s/secret.yaml",
        ],
        C::GdprExport | C::GdprErasure => {
            &["src/{pkg}/services/privacy.py", "src/{pkg}/routers/me.py"]
        }
        C::RetentionPurge => &[
            "src/{pkg}/cli.py",
            "src/{pkg}/audit.py",
            "deploy/k8s/retention-cronjob.yaml",
            "Makefile",
        ],
        C::RateLimiting => &["src/{pkg}/ratelimit.py"],
        C::SecurityHeaders => &["src/{pkg}/middleware.py"],
        C::CorsAllowlist => &["src/{pkg}/main.py", "src/{pkg}/settings.py"],
        C::InputValidation => &["src/{pkg}/schemas/"],
        C::ParameterizedQueries => &["src/{pkg}/services/", "src/{pkg}/db.py"],
        C::SafeErrors => &["src/{pkg}/problems.py", "src/{pkg}/faults.py"],
        C::HealthChecks => &[
            "src/{pkg}/routers/health.py",
            "src/{pkg}/faults.py",
            "deploy/k8s/deployment.yaml",
            "Dockerfile",
        ],
        C::BackupsRestore => &[
            "src/{pkg}/backup.py",
            "deploy/k8s/backup-cronjob.yaml",
            "Makefile",
        ],
        C::DependencyAudit => &[
            "pyproject.toml",
            "requirements.lock",
            "requirements-dev.lock",
            ".github/workflows/ci.yml",
        ],
        C::SecurityTesting => &["tests/", ".github/workflows/ci.yml"],
        C::ChangeManagement => &["migrations/", ".github/workflows/ci.yml"],
        C::TransportEncryption => &["deploy/k8s/deployment.yaml", "src/{pkg}/middleware.py"],
        _ => &[],
    }
}

impl Stack for PythonFastapi {
    fn id(&self) -> &'static str {
        ID
    }

    fn description(&self) -> &'static str {
        "Python 3.11, FastAPI, SQLAlchemy 2, Alembic, psycopg 3, Pydantic v2; pytest against PostgreSQL"
    }

    fn templates(&self) -> Vec<Template> {
        TEMPLATES.to_vec()
    }

    fn plan(&self, model: &AppModel) -> Result<Vec<PlannedFile>, StackError> {
        let project = view::project(model);
        if project.entities.is_empty() {
            return Err(StackError::Unsupported {
                stack: ID.to_string(),
                reason: "the spec has no entities; add at least one under `entities`".to_string(),
            });
        }
        let root = serde_json::to_value(&project).map_err(|e| StackError::Unsupported {
            stack: ID.to_string(),
            reason: format!("the view model could not be built: {e}"),
        })?;
        let pkg = format!("src/{}", project.package);
        let shared = std::sync::Arc::new(root);
        let t = |path: String, name: &str| {
            PlannedFile::template(
                path,
                format!("python-fastapi/{name}"),
                std::sync::Arc::clone(&shared),
            )
        };
        let mut files = vec![
            t("pyproject.toml".into(), "pyproject.toml"),
            PlannedFile::text(
                "requirements.lock",
                integrations::runtime_lock(REQUIREMENTS_LOCK, model),
            ),
            PlannedFile::text(
                "requirements-dev.lock",
                integrations::dev_lock(REQUIREMENTS_DEV_LOCK, model),
            ),
            t("Makefile".into(), "Makefile"),
            PlannedFile::text("alembic.ini", ALEMBIC_INI),
            t(".env.example".into(), "env.example"),
            PlannedFile::text(".gitignore", GITIGNORE),
            t("README.md".into(), "README.md"),
            t("migrations/env.py".into(), "migrations/env.py"),
            PlannedFile::text("migrations/script.py.mako", SCRIPT_MAKO),
            t(
                "migrations/versions/0001_initial.py".into(),
                "migrations/initial.py",
            ),
            t("docs/SECURITY.md".into(), "docs/SECURITY.md"),
            t("Dockerfile".into(), "Dockerfile"),
            PlannedFile::text(".dockerignore", DOCKERIGNORE),
            t("gunicorn.conf.py".into(), "gunicorn.conf.py"),
            t("docker-compose.yml".into(), "docker-compose.yml"),
            t(".github/workflows/ci.yml".into(), "github/workflows/ci.yml"),
        ];
        for name in K8S_MANIFESTS {
            files.push(t(
                format!("deploy/k8s/{name}"),
                &format!("deploy/k8s/{name}"),
            ));
        }
        for name in [
            "__init__.py",
            "settings.py",
            "db.py",
            "models.py",
            "problems.py",
            "pagination.py",
            "permissions.py",
            "http.py",
            "cli.py",
            "main.py",
            "context.py",
            "client.py",
            "admin_app.py",
            "grants.py",
            "audit.py",
            "security/crypto.py",
            "schemas/privacy.py",
            "services/privacy.py",
            "routers/me.py",
            "logs.py",
            "middleware.py",
            "ratelimit.py",
            "faults.py",
            "idempotency.py",
            "backup.py",
            "security/__init__.py",
            "security/passwords.py",
            "security/sessions.py",
            "security/dependencies.py",
            "security/csrf.py",
            "schemas/__init__.py",
            "schemas/types.py",
            "schemas/auth.py",
            "services/__init__.py",
            "services/common.py",
            "services/users.py",
            "services/auth.py",
            "routers/__init__.py",
            "routers/auth.py",
            "routers/admin.py",
            "routers/health.py",
        ] {
            files.push(t(format!("{pkg}/{name}"), &format!("src/{name}")));
        }
        if model.email.is_some() {
            for name in [
                "mail/__init__.py",
                "mail/tokens.py",
                "mail/templates.py",
                "mail/outbox.py",
                "mail/worker.py",
            ] {
                files.push(t(format!("{pkg}/{name}"), &format!("src/{name}")));
            }
            files.push(t("tests/test_email.py".to_string(), "tests/test_email.py"));
            // A branch of its own off the initial revision, so a project
            // that gains email on regeneration gets it as a new revision.
            files.push(t(EMAIL_MIGRATION_PATH.to_string(), "migrations/email.py"));
            files.push(t(
                "deploy/k8s/worker-deployment.yaml".to_string(),
                "deploy/k8s/worker-deployment.yaml",
            ));
        }
        if model.integrations.iter().any(|i| i.generated) {
            files.push(PlannedFile::text(
                format!("{pkg}/integrations/__init__.py"),
                "\"\"\"The generated integrations; `create_app` installs each one.\"\"\"\n",
            ));
        }
        files.push(PlannedFile::text(format!("{pkg}/py.typed"), ""));
        files.push(PlannedFile::text(
            format!("{pkg}/security/common_passwords.txt"),
            COMMON_PASSWORDS,
        ));
        for name in [
            "__init__.py",
            "conftest.py",
            "factories.py",
            "test_auth.py",
            "test_security.py",
            "test_access.py",
            "test_rules.py",
            "test_health.py",
            "test_migrations.py",
            "test_audit.py",
            "test_privacy.py",
            "test_crypto.py",
            "test_retention.py",
            "servers.py",
            "workers.py",
            "test_rate_limits.py",
            "test_lockout.py",
            "test_client_address.py",
            "test_filters.py",
            "test_grants.py",
            "test_headers.py",
            "test_values.py",
            "test_logging.py",
            "test_backup.py",
            "test_db.py",
            "test_faults.py",
            "test_idempotency.py",
        ] {
            files.push(t(format!("tests/{name}"), &format!("tests/{name}")));
        }
        // A per-entity file sees its entity and the project's scalars, not
        // every other entity (nor the scalars that list them all): the views
        // stay linear in the spec's size. Each is derived from the project's
        // view when its files render, so one is alive at a time.
        for (at, entity) in project.entities.iter().enumerate() {
            let derive = crate::Derivation::new(move |base| entity_view(base, at));
            let per = |path: String, name: &str| {
                PlannedFile::derived(
                    path,
                    format!("python-fastapi/{name}"),
                    std::sync::Arc::clone(&shared),
                    derive.clone(),
                )
            };
            files.push(per(
                format!("{pkg}/schemas/{}.py", entity.module),
                "src/schemas/entity.py",
            ));
            files.push(per(
                format!("{pkg}/services/{}.py", entity.module),
                "src/services/entity.py",
            ));
            files.push(per(
                format!("{pkg}/routers/{}.py", entity.module),
                "src/routers/entity.py",
            ));
            files.push(per(
                format!("tests/test_{}.py", entity.module),
                "tests/test_entity.py",
            ));
        }
        Ok(files)
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
            caches: vec![
                Cache {
                    variable: "PIP_CACHE_DIR".to_string(),
                    folder: "pip".to_string(),
                    keyed_by: Vec::new(),
                },
                // The Makefile's virtualenv (`VENV ?= .venv`): one per set
                // of locks, so a project like one checked before installs
                // nothing.
                Cache {
                    variable: "VENV".to_string(),
                    folder: "venvs".to_string(),
                    keyed_by: ["requirements.lock", "requirements-dev.lock"]
                        .map(String::from)
                        .to_vec(),
                },
            ],
            test_inputs: TestInputs {
                outputs_at_top: [
                    ".venv",
                    ".mypy_cache",
                    ".ruff_cache",
                    ".pytest_cache",
                    ".hypothesis",
                ]
                .map(String::from)
                .to_vec(),
                outputs_anywhere: vec!["__pycache__".to_string()],
                toolchain: vec![vec!["python3".to_string(), "--version".to_string()]],
            },
        }
    }

    /// Python modules get their long lines laid out as `ruff format` does
    /// ([`layout::fit`]), so `make lint` passes whatever the spec's names.
    fn finish(&self, path: &str, text: String) -> String {
        if path.ends_with(".py") {
            layout::fit(&text)
        } else {
            text
        }
    }

    fn initial_revision(&self) -> Option<crate::InitialRevision> {
        Some(crate::InitialRevision {
            id: revision::INITIAL_ID.to_string(),
            path: revision::INITIAL_PATH.to_string(),
        })
    }

    fn revision(
        &self,
        model: &AppModel,
        request: crate::RevisionRequest<'_>,
    ) -> Result<Option<crate::PlannedRevision>, StackError> {
        Ok(Some(revision::plan(model, request)))
    }

    fn realizations(&self, model: &AppModel) -> Realizations {
        let package = view::package(model);
        let mut out = Realizations::default();
        for capability in Capability::ALL {
            let paths: Vec<String> = realizing(capability)
                .iter()
                .map(|p| p.replace("{pkg}", &package))
                .collect();
            if !paths.is_empty() {
                out.capabilities.insert(capability, paths);
            }
        }
        if model.email.is_some() {
            // Email verification and password reset (ASVS V2), and mail
            // that never logs an address.
            for (capability, files) in [
                (
                    Capability::UserAccounts,
                    &["mail/tokens.py", "mail/templates.py", "mail/outbox.py"][..],
                ),
                (Capability::LogRedaction, &["mail/outbox.py"][..]),
            ] {
                let cited = out.capabilities.entry(capability).or_default();
                cited.extend(files.iter().map(|f| format!("src/{package}/{f}")));
            }
        }
        for e in &model.entities {
            let module = names::module(&e.collection);
            out.entities.insert(
                e.name.clone(),
                vec![
                    format!("src/{package}/routers/{module}.py"),
                    format!("src/{package}/schemas/{module}.py"),
                    format!("src/{package}/services/{module}.py"),
                    format!("src/{package}/models.py"),
                    "migrations/versions/0001_initial.py".to_string(),
                    format!("tests/test_{module}.py"),
                ],
            );
        }
        out
    }

    fn decision(&self) -> Option<StackDecision> {
        Some(StackDecision {
            title: "Build the backend with Python and FastAPI".into(),
            context: "The product needs an HTTP JSON backend that a small team can read, change and operate, with validation that mirrors the spec, an OpenAPI document, migrations and tests against a real PostgreSQL.".into(),
            drivers: vec![
                "the spec's `stack` setting".into(),
                "validation and the OpenAPI document should follow from typed models".into(),
                "a mature ecosystem for PostgreSQL, migrations, password hashing and testing".into(),
                "a production server that runs several worker processes".into(),
            ],
            options: vec![
                "Python with FastAPI, Pydantic, SQLAlchemy and Alembic, served by gunicorn with uvicorn workers".into(),
                "Python with Django and Django REST framework".into(),
                "TypeScript with Express".into(),
            ],
            because: "the spec asks for it, FastAPI validates requests with Pydantic models generated from the spec, SQLAlchemy and Alembic give parameterized queries and reversible migrations, and gunicorn with uvicorn workers is the usual production server for it.".into(),
            consequences: vec![
                "Good, because request and response models, validation errors (422) and the API shape come from one set of typed models.".into(),
                "Good, because the project follows the layout FastAPI practitioners use (one package per domain under `src/`), so new engineers find their way.".into(),
                "Bad, because Python is slower per request than compiled stacks; scale out with replicas (the processes are stateless).".into(),
            ],
        })
    }
}
