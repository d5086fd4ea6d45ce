//! `docs/ARCHITECTURE.md`: the system explained to a new engineer —
//! context and containers, where to look in the code, the data model, the
//! security model and the compliance summary — with the Mermaid diagrams
//! of [`diagrams`] embedded.

use blueprint_core::spec::{Action, Pii};

use crate::docs::code_map::{capability_paths, entity_paths, knows_paths};
use crate::docs::diagrams;
use crate::docs::facts::cell;
use crate::{DocInput, DocumentEmitter, FileTree, RenderError};

/// The path of the document in a generated project.
pub const ARCHITECTURE_PATH: &str = "docs/ARCHITECTURE.md";

/// Emits `docs/ARCHITECTURE.md`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ArchitectureEmitter;

impl DocumentEmitter for ArchitectureEmitter {
    fn id(&self) -> &'static str {
        "architecture"
    }

    fn emit(&self, input: &DocInput<'_>, out: &mut FileTree) -> Result<(), RenderError> {
        out.insert(ARCHITECTURE_PATH, architecture_markdown(input))
    }
}

fn mermaid(source: &str) -> String {
    format!("```mermaid\n{}```\n", source)
}

/// The whole document.
///
/// ```
/// use blueprint_core::builder::SpecBuilder;
/// let mut bp = SpecBuilder::new("tasks").with_entity("Task", |e| e).build();
/// let analysis = compliance::complete(&mut bp).unwrap();
/// let model = model::AppModel::from_blueprint(&bp);
/// let input = render::DocInput { blueprint: &bp, analysis: &analysis, model: &model, stack: None, generated_integrations: &[], backend: false };
/// let md = render::docs::architecture_md::architecture_markdown(&input);
/// assert!(md.contains("erDiagram"));
/// assert!(md.contains("sequenceDiagram"));
/// ```
pub fn architecture_markdown(input: &DocInput<'_>) -> String {
    let (bp, analysis, model) = (input.blueprint, input.analysis, input.model);
    let stack = input.stack.as_ref();
    let generated = input.generated_integrations;
    let spec = bp.spec();
    let title = &model.product.title;
    let base = &model.api.base_path;
    let stack_name = stack.map(|s| s.id).unwrap_or(spec.stack.as_str());
    let mut s = format!("# {title}: architecture\n\n");
    if let Some(d) = model
        .product
        .description
        .as_deref()
        .filter(|d| !d.trim().is_empty())
    {
        s.push_str(d.trim());
        s.push_str("\n\n");
    }
    s.push_str(&format!(
        "This page explains the system to a new engineer: what talks to what, where the code for each concern lives, how the data is shaped, how requests are secured, and which compliance obligations the code carries. The backend is a `{stack_name}` service exposing a JSON API under `{base}`, backed by PostgreSQL. The documents next to this one go deeper:\n\n"
    ));
    s.push_str("| Document | What it holds |\n|---|---|\n");
    s.push_str("| [`openapi.json`](openapi.json) | the exact HTTP API (OpenAPI 3.1), also served at `/openapi.json` |\n");
    s.push_str("| [`adr/`](adr/README.md) | why the stack, database, sessions, encryption, audit log and rate limits are as they are |\n");
    s.push_str("| [`compliance.md`](compliance.md) | frameworks in force, every control, where it is realized, PII inventory, retention, the operator's duties |\n");
    s.push_str(
        "| [`traceability.md`](traceability.md) | each spec item → blueprint element → files |\n",
    );
    s.push_str("| [`archimate/model.xml`](archimate/model.xml) | the ArchiMate model (opens in Archi): layered, information, application and compliance views |\n\n");

    s.push_str("## System context\n\n");
    s.push_str("Who uses the system and which external systems it calls.\n\n");
    s.push_str(&mermaid(&diagrams::context(bp, generated)));

    s.push_str("\n## Containers\n\n");
    s.push_str("The API is stateless: sessions, rate-limit counters and data live in PostgreSQL (counters in Redis when `REDIS_URL` is set), so any number of replicas serve the same users. Scheduled jobs run from the same image: migrations before each release, the retention purge and backups.\n\n");
    s.push_str(&mermaid(&diagrams::containers(bp, generated)));
    if !spec.integrations.is_empty() {
        s.push_str("\n### Integrations\n\n");
        s.push_str("| Integration | Purpose | In this project |\n|---|---|---|\n");
        for vendor in spec.integrations.keys() {
            let name = crate::docs::integrations::display_name(bp, vendor);
            let purpose = blueprint_core::spec::vendor(vendor)
                .map(|v| v.purpose)
                .unwrap_or("an external service");
            let here = if generated.contains(vendor) {
                "generated".to_string()
            } else {
                cell(&crate::docs::integrations::add_it_yourself(
                    &name, vendor, base,
                ))
            };
            s.push_str(&format!("| {name} (`{vendor}`) | {purpose} | {here} |\n"));
        }
    }

    s.push_str("\n## Where to look\n\n");
    if knows_paths(stack) {
        s.push_str(&format!("The files of this `{stack_name}` project that carry each cross-cutting concern, then the files that hold each entity.\n\n"));
    } else {
        s.push_str("Deployment and operations files are listed below; the stack's own documentation lays out its source tree.\n\n");
    }
    s.push_str("| Concern | Files |\n|---|---|\n");
    let concerns: [(&str, compliance::Capability); 10] = [
        (
            "Passwords (argon2id, policy)",
            compliance::Capability::PasswordHashing,
        ),
        (
            "Sessions and cookies",
            compliance::Capability::SessionManagement,
        ),
        ("CSRF", compliance::Capability::CsrfProtection),
        ("Access rules", compliance::Capability::Rbac),
        ("Audit log", compliance::Capability::AuditLog),
        (
            "Field encryption",
            compliance::Capability::PiiEncryptionAtRest,
        ),
        ("Rate limits", compliance::Capability::RateLimiting),
        (
            "Data export and erasure",
            compliance::Capability::GdprExport,
        ),
        ("Retention purge", compliance::Capability::RetentionPurge),
        ("Backups", compliance::Capability::BackupsRestore),
    ];
    for (what, cap) in concerns {
        let paths = capability_paths(stack, cap);
        let shown = if paths.is_empty() {
            "see the stack's documentation".to_string()
        } else {
            paths
                .iter()
                .map(|p| format!("`{}`", cell(p)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        s.push_str(&format!("| {what} | {shown} |\n"));
    }
    for entity in &model.entities {
        let paths = entity_paths(stack, &entity.name);
        if !paths.is_empty() {
            s.push_str(&format!(
                "| {} | {} |\n",
                entity.name,
                paths
                    .iter()
                    .map(|p| format!("`{}`", cell(p)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    if stack.is_some() {
        s.push_str("| Configuration | `.env.example` (every variable, with a comment) |\n");
        s.push_str("| Deployment | `Dockerfile`, `docker-compose.yml`, `deploy/k8s/` |\n");
    }

    s.push_str("\n## Data\n\n");
    s.push_str("One table per entity, named by its collection, with a UUID `id`, `created_at` and `updated_at`; owned entities carry `owner_id`. Sensitive fields are stored encrypted. System tables carry the `auth_` prefix; `audit_events` is append-only.\n\n");
    s.push_str(&mermaid(&diagrams::er(model)));
    s.push_str("\n| Entity | Collection | Owned | Retention | Create | Read | Update | Delete |\n|---|---|---|---|---|---|---|---|\n");
    for entity in &model.entities {
        // The rules as the spec words them (admin roles are implied).
        let rule = |a: Action| {
            let v: Vec<&str> = spec
                .entities
                .get(&entity.name)
                .map(|e| e.access.get(a).iter().map(|s| s.as_str()).collect())
                .unwrap_or_default();
            cell(&v.join(", "))
        };
        s.push_str(&format!(
            "| {} | `{}` | {} | {} | {} | {} | {} | {} |\n",
            entity.name,
            entity.collection,
            if entity.is_owned() { "yes" } else { "no" },
            entity
                .retention
                .as_ref()
                .map(|r| r.period.to_string())
                .unwrap_or_else(|| "–".into()),
            rule(Action::Create),
            rule(Action::Read),
            rule(Action::Update),
            rule(Action::Delete)
        ));
    }
    s.push_str("\nAdmin roles (");
    s.push_str(
        &model
            .admin_roles()
            .map(|r| format!("`{}`", r.name))
            .collect::<Vec<_>>()
            .join(", "),
    );
    s.push_str(") may always do everything. `owner` means only the rows the caller owns; rows the caller may not see answer 404, never 403.\n");

    s.push_str("\n## Security model\n\n");
    let p = &model.params;
    let min = p.password_min_length;
    let idle = p.session_idle_minutes;
    let absolute = p.session_absolute_hours;
    let failures = p.lockout_max_failures;
    let window = p.lockout_window_minutes;
    s.push_str(&format!("- **Sign-in**: email and password; passwords of at least {min} characters, not the email, not a common password, hashed with argon2id. After {failures} failed logins for one email within {window} minutes, further attempts get 429 with Retry-After.\n"));
    s.push_str(&format!("- **Sessions**: an opaque token in the HttpOnly, Secure, SameSite=Lax `session` cookie; only its hash is stored; {idle} minutes idle and {absolute} hours absolute timeout; a new token at every login; logout revokes it on the server. No token ever goes to browser storage.\n"));
    s.push_str("- **CSRF**: every state-changing request made with a session carries `X-CSRF-Token` equal to the session's token (returned at login and in the `csrf_token` cookie), else 403. Register and login are exempt.\n");
    s.push_str("- **Access control**: each operation checks the caller's role against the spec's access rules, then row ownership; order of answers 401 → 403 (CSRF) → 403 (role) → 404 (row not visible) → 403 (may not change) → 422 → 409.\n");
    let sensitive: Vec<String> = model
        .entities
        .iter()
        .flat_map(|e| {
            e.encrypted()
                .map(move |f| format!("`{}.{}`", e.name, f.name))
        })
        .collect();
    s.push_str(&format!(
        "- **Encryption at rest**: sensitive fields ({}) are encrypted with {} under `ENCRYPTION_KEYS` (newest first encrypts, all decrypt), so keys rotate without downtime; they cannot be sorted or filtered on.\n",
        if sensitive.is_empty() { "none today".to_string() } else { sensitive.join(", ") },
        p.encryption_algorithm
    ));
    s.push_str("- **Audit**: sign-ups, logins, failures, lockouts, logouts, changes (field names only), exports, erasures, role changes and purges go to `audit_events`, which the application's database role cannot change.\n");
    s.push_str("- **Rate limits and headers**: per client and per user limits (429 with Retry-After), HSTS, nosniff, a restrictive CSP, Referrer-Policy, and an `X-Request-ID` in every response and log line. Logs never carry PII or secrets.\n\n");
    s.push_str("Signing in and making a change:\n\n");
    s.push_str(&mermaid(&diagrams::login_sequence(model)));

    s.push_str("\n## Compliance summary\n\n");
    if analysis.frameworks.is_empty() {
        s.push_str("No framework beyond the security baseline is in force.\n");
    } else {
        s.push_str("| Framework | Declared | Controls citing it |\n|---|---|---|\n");
        for f in &analysis.frameworks {
            let n = analysis
                .controls
                .iter()
                .filter(|c| c.frameworks.contains_key(f.framework.id()))
                .count();
            s.push_str(&format!(
                "| {} | {} | {n} |\n",
                f.framework.name(),
                if f.declared { "yes" } else { "no (inferred)" }
            ));
        }
    }
    let personal = analysis
        .fields
        .iter()
        .filter(|f| f.pii != Pii::None)
        .count();
    s.push_str(&format!(
        "\n{} controls in all, every one mapped to OWASP ASVS 4.0.3 where it applies; {personal} of {} fields hold personal data. The matrix, with the reason for each control and where it is realized, is in [`compliance.md`](compliance.md).\n",
        analysis.controls.len(),
        analysis.fields.len()
    ));
    s
}
