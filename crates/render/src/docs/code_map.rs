//! Where things live in a generated project: the files that realize each
//! compliance capability and each entity. Paths are stack-specific and
//! given only for stacks this module knows (today `python-fastapi`);
//! deployment paths are the same for every stack.

use compliance::Capability;

/// The stack whose layout this module knows.
pub const PYTHON_FASTAPI: &str = "python-fastapi";

/// Files of the deployment, common to every stack.
fn deployment(capability: Capability) -> &'static [&'static str] {
    use Capability as C;
    match capability {
        C::RetentionPurge => &[
            "deploy/k8s/retention-cronjob.yaml",
            "Makefile (make retention)",
        ],
        C::BackupsRestore => &[
            "deploy/k8s/backup-cronjob.yaml",
            "Makefile (make backup, make restore)",
        ],
        C::HealthChecks => &[
            "deploy/k8s/deployment.yaml (probes)",
            "Dockerfile (HEALTHCHECK)",
        ],
        C::SecretsFromEnvironment => &[
            ".env.example",
            "deploy/k8s/deployment.yaml (secrets as environment)",
        ],
        C::DependencyAudit | C::SecurityTesting | C::ChangeManagement => {
            &[".github/workflows/ci.yml"]
        }
        C::TransportEncryption => &["deploy/k8s/ (TLS terminates at the operator's ingress)"],
        C::IncidentResponse
        | C::EmergencyAccess
        | C::PolicyDocumentation
        | C::ProcessingRecords
        | C::ProcessorRegister
        | C::DataInventory => &["docs/compliance.md"],
        _ => &[],
    }
}

/// Files of the python-fastapi project, relative to its root, with
/// `{pkg}` for the package.
fn python(capability: Capability) -> &'static [&'static str] {
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
        C::CsrfProtection => &["src/{pkg}/security/dependencies.py"],
        C::Rbac | C::RowOwnership => &[
            "src/{pkg}/permissions.py",
            "src/{pkg}/security/dependencies.py",
        ],
        C::AdminFunctions => &["src/{pkg}/routers/admin.py"],
        C::AuditLog | C::AuditRetention => &["src/{pkg}/audit.py"],
        C::AppendOnlyAudit => &["src/{pkg}/audit.py", "migrations/versions/0001_initial.py"],
        C::UtcTimestamps | C::RequestIds | C::LogRedaction => &["src/{pkg}/http.py"],
        C::PiiEncryptionAtRest => &["src/{pkg}/security/crypto.py", "docs/SECURITY.md"],
        C::KeyRotation => &["src/{pkg}/security/crypto.py", "src/{pkg}/cli.py"],
        C::SecretsFromEnvironment => &["src/{pkg}/settings.py"],
        C::GdprExport | C::GdprErasure => {
            &["src/{pkg}/services/privacy.py", "src/{pkg}/routers/me.py"]
        }
        C::RetentionPurge => &["src/{pkg}/cli.py", "src/{pkg}/audit.py"],
        C::RateLimiting => &["src/{pkg}/security/rate_limit.py"],
        C::SecurityHeaders | C::CorsAllowlist => &["src/{pkg}/http.py", "src/{pkg}/main.py"],
        C::InputValidation => &["src/{pkg}/schemas/"],
        C::ParameterizedQueries => &["src/{pkg}/services/", "src/{pkg}/db.py"],
        C::SafeErrors => &["src/{pkg}/problems.py"],
        C::HealthChecks => &["src/{pkg}/routers/health.py"],
        C::DependencyAudit => &[
            "pyproject.toml",
            "requirements.lock",
            "requirements-dev.lock",
        ],
        C::SecurityTesting => &["tests/"],
        C::ChangeManagement => &["migrations/"],
        _ => &[],
    }
}

/// The python module of a collection: the collection, with `_` appended
/// when it is a Python keyword or the name of a fixed module.
fn python_module(collection: &str) -> String {
    const TAKEN: &[&str] = &[
        "auth",
        "admin",
        "health",
        "common",
        "pagination",
        "filters",
        "me",
        "privacy",
    ];
    if TAKEN.contains(&collection)
        || blueprint_core::reserved::Language::Python.is_reserved(collection)
    {
        format!("{collection}_")
    } else {
        collection.to_string()
    }
}

/// The files that realize a capability: the stack's (when known), then
/// the deployment's.
///
/// ```
/// use compliance::Capability;
/// let paths = render::docs::code_map::capability_paths(Capability::PasswordHashing, Some("python-fastapi"), "clinic_flow");
/// assert_eq!(paths, ["src/clinic_flow/security/passwords.py"]);
/// assert!(render::docs::code_map::capability_paths(Capability::PasswordHashing, None, "x").is_empty());
/// ```
pub fn capability_paths(capability: Capability, stack: Option<&str>, package: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    if stack == Some(PYTHON_FASTAPI) {
        out.extend(
            python(capability)
                .iter()
                .map(|p| p.replace("{pkg}", package)),
        );
    }
    for p in deployment(capability) {
        let p = p.to_string();
        if !out.contains(&p) {
            out.push(p);
        }
    }
    out
}

/// The files that hold an entity in the stack's project (empty for
/// stacks this module does not know): its router, schemas and service
/// modules (named by its collection), the shared models and migration,
/// and its tests.
///
/// ```
/// let paths = render::docs::code_map::entity_paths("visit_notes", Some("python-fastapi"), "clinic_flow");
/// assert_eq!(paths[0], "src/clinic_flow/routers/visit_notes.py");
/// ```
pub fn entity_paths(collection: &str, stack: Option<&str>, package: &str) -> Vec<String> {
    if stack != Some(PYTHON_FASTAPI) {
        return Vec::new();
    }
    let module = python_module(collection);
    vec![
        format!("src/{package}/routers/{module}.py"),
        format!("src/{package}/schemas/{module}.py"),
        format!("src/{package}/services/{module}.py"),
        format!("src/{package}/models.py"),
        "migrations/versions/0001_initial.py".to_string(),
        format!("tests/test_{module}.py"),
    ]
}
