//! Where things live in a generated project: the files that realize each
//! compliance capability and each entity. Paths are stack-specific and
//! given only for stacks this module knows (today `python-fastapi`);
//! deployment paths are the same for every stack.

use blueprint_core::naming;
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
        C::PasswordPolicy | C::PasswordHashing => &["src/{pkg}/security/passwords.py"],
        C::LoginLockout => &["src/{pkg}/auth/service.py", "src/{pkg}/security/lockout.py"],
        C::UserAccounts => &["src/{pkg}/auth/models.py", "src/{pkg}/auth/router.py"],
        C::SessionManagement | C::TlsOnlyCookies => &["src/{pkg}/security/sessions.py"],
        C::CsrfProtection => &["src/{pkg}/security/csrf.py"],
        C::Rbac | C::RowOwnership => &["src/{pkg}/security/access.py"],
        C::AdminFunctions => &["src/{pkg}/admin/router.py"],
        C::AuditLog | C::AuditRetention => &["src/{pkg}/audit.py"],
        C::AppendOnlyAudit => &[
            "src/{pkg}/audit.py",
            "migrations/ (audit trigger and grants)",
        ],
        C::UtcTimestamps | C::RequestIds | C::LogRedaction => {
            &["src/{pkg}/logging.py", "src/{pkg}/middleware.py"]
        }
        C::PiiEncryptionAtRest | C::KeyRotation => &["src/{pkg}/security/crypto.py"],
        C::SecretsFromEnvironment => &["src/{pkg}/config.py"],
        C::GdprExport | C::GdprErasure => &["src/{pkg}/me/router.py", "src/{pkg}/me/service.py"],
        C::RetentionPurge => &["src/{pkg}/retention.py"],
        C::RateLimiting => &["src/{pkg}/security/rate_limit.py"],
        C::SecurityHeaders | C::CorsAllowlist => &["src/{pkg}/middleware.py"],
        C::InputValidation => &["src/{pkg}/<entity>/schemas.py"],
        C::ParameterizedQueries => &["src/{pkg}/<entity>/service.py", "src/{pkg}/database.py"],
        C::SafeErrors => &["src/{pkg}/errors.py"],
        C::HealthChecks => &["src/{pkg}/main.py"],
        C::DependencyAudit => &["pyproject.toml", "uv.lock"],
        C::SecurityTesting => &["tests/"],
        C::ChangeManagement => &["migrations/"],
        _ => &[],
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
/// stacks this module does not know).
///
/// ```
/// let paths = render::docs::code_map::entity_paths("VisitNote", Some("python-fastapi"), "clinic_flow");
/// assert_eq!(paths[0], "src/clinic_flow/visit_note/router.py");
/// ```
pub fn entity_paths(entity: &str, stack: Option<&str>, package: &str) -> Vec<String> {
    if stack != Some(PYTHON_FASTAPI) {
        return Vec::new();
    }
    let module = naming::snake(entity);
    let mut out: Vec<String> = ["router", "schemas", "models", "service"]
        .iter()
        .map(|f| format!("src/{package}/{module}/{f}.py"))
        .collect();
    out.push("migrations/".to_string());
    out.push(format!("tests/test_{module}.py"));
    out
}
