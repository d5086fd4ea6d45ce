//! `docs/compliance.md`: the compliance matrix of the analysis, then
//! where each control is realized (blueprint elements and the files the
//! stack and this crate say realize it, see
//! [`code_map`](crate::docs::code_map)), the data retention table, and
//! what remains the operator's job.

use crate::docs::code_map::{capability_paths, knows_paths};
use crate::docs::facts::cell;
use crate::docs::integrations::{add_it_yourself, display_name, planned_pci_scope};
use crate::{DocInput, DocumentEmitter, FileTree, RenderError};

/// The path of the document in a generated project.
pub const COMPLIANCE_PATH: &str = "docs/compliance.md";

/// Emits `docs/compliance.md`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ComplianceEmitter;

impl DocumentEmitter for ComplianceEmitter {
    fn id(&self) -> &'static str {
        "compliance"
    }

    fn emit(&self, input: &DocInput<'_>, out: &mut FileTree) -> Result<(), RenderError> {
        out.insert(COMPLIANCE_PATH, compliance_markdown(input))
    }
}

/// What the generated system leaves to the people who run it.
pub const OPERATOR_DUTIES: &[(&str, &str)] = &[
    ("TLS termination", "Terminate TLS (HTTPS only) at the ingress or load balancer in front of the service, and use TLS to PostgreSQL and Redis; the service sends HSTS but cannot encrypt the wire itself."),
    ("Key custody", "Generate ENCRYPTION_KEYS and SECRET_KEY, keep them in a secret manager, never in the repository or image, rotate them (prepend a new encryption key, keep old ones until no row uses them), and keep a recoverable copy: losing every key loses the encrypted data."),
    ("Backups", "Schedule `make backup` (the backup CronJob), store dumps encrypted and off-site, and test `make restore` regularly; dumps contain personal data."),
    ("Incident response", "Name who is on call, how incidents are assessed, contained and reported (authorities and affected people, within the deadlines of the frameworks in force), and rehearse it."),
    ("Access to production", "Create staff accounts with `make user`, review admin roles regularly, and restrict who can reach the database and the cluster."),
    ("Monitoring", "Collect the logs (JSON, with request ids), watch the probes, error rates and 429s, and alert on them."),
    ("Vendor agreements", "Sign a processing agreement (a business associate agreement under HIPAA) with every integration that receives personal data, before production use."),
    ("Policies and training", "Written policies, staff training, risk assessments and audits: the organisational parts of every framework."),
    ("Dependency updates", "Act on the CI dependency audit: update and redeploy when a vulnerability is reported."),
];

/// The whole document. `generated` are the spec's integrations the project
/// contains ([`DocInput::generated_integrations`]); the others are listed
/// as not generated, with what to add.
///
/// ```
/// use blueprint_core::builder::SpecBuilder;
/// let mut bp = SpecBuilder::new("tasks").with_entity("Task", |e| e).with_integration("sentry").build();
/// let analysis = compliance::complete(&mut bp).unwrap();
/// let model = model::AppModel::from_blueprint(&bp);
/// let input = render::DocInput { blueprint: &bp, analysis: &analysis, model: &model, stack: None, generated_integrations: &[], backend: false };
/// let md = render::docs::compliance_md::compliance_markdown(&input);
/// assert!(md.contains("| `docs/compliance.md` |"));
/// assert!(md.contains("## What remains the operator's job"));
/// assert!(md.contains("| sentry | not generated: add it yourself |"));
/// ```
pub fn compliance_markdown(input: &DocInput<'_>) -> String {
    let (bp, analysis, model) = (input.blueprint, input.analysis, input.model);
    let stack = input.stack.as_ref();
    let generated = input.generated_integrations;
    let mut s = analysis.to_markdown();
    // The analysis reads the spec; this project may lack the payments
    // integration its PCI DSS scope rests on.
    if let Some((said, planned)) = planned_pci_scope(analysis, generated) {
        s = s.replace(&said, &planned);
    }
    if !s.ends_with('\n') {
        s.push('\n');
    }

    if !model.integrations.is_empty() {
        s.push_str("\n## Integrations\n\n");
        s.push_str("The spec's integrations, and whether this project contains them. An integration that is not generated is not part of the system yet: the controls above that name it hold only once it is added.\n\n");
        s.push_str("| Integration | In this project | What to add |\n|---|---|---|\n");
        for vendor in model.integrations.iter().map(|i| &i.id) {
            if generated.contains(vendor) {
                s.push_str(&format!("| {vendor} | generated | – |\n"));
            } else {
                let name = display_name(bp, vendor);
                s.push_str(&format!(
                    "| {vendor} | {} | {} |\n",
                    crate::docs::integrations::NOT_GENERATED,
                    cell(&add_it_yourself(&name, vendor, &model.api.base_path))
                ));
            }
        }
    }

    s.push_str("\n## Where each control is realized\n\n");
    match stack {
        Some(st) if knows_paths(stack) => s.push_str(&format!(
            "The blueprint elements linked to each control by a Realization relationship (see `docs/archimate/model.xml`, view \"Compliance\"), and the files of this `{}` project that implement it.\n\n",
            st.id
        )),
        Some(st) => s.push_str(&format!(
            "The blueprint elements linked to each control by a Realization relationship (see `docs/archimate/model.xml`, view \"Compliance\"). Source paths of the `{}` stack are in its own documentation; the documents that carry organisational controls are listed.\n\n",
            st.id
        )),
        None => s.push_str("The blueprint elements linked to each control by a Realization relationship (see `docs/archimate/model.xml`, view \"Compliance\"), and the documents that carry organisational controls.\n\n"),
    }
    s.push_str("| Control | Capability | Realized by | Where |\n|---|---|---|---|\n");
    for c in &analysis.controls {
        let by: Vec<String> = c
            .realized_by
            .iter()
            .map(|id| {
                let missing = id
                    .strip_prefix("ext.")
                    .is_some_and(|vendor| !generated.iter().any(|g| g == vendor));
                let note = if missing { ", not generated" } else { "" };
                match bp.element_by_str(id) {
                    Some(e) => format!("{} (`{id}`{note})", cell(&e.name)),
                    None => format!("`{id}`{note}"),
                }
            })
            .collect();
        let paths: Vec<String> = capability_paths(stack, c.capability)
            .into_iter()
            .map(|p| format!("`{}`", cell(&p)))
            .collect();
        s.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            c.id,
            c.capability,
            if by.is_empty() {
                "–".to_string()
            } else {
                by.join(", ")
            },
            if paths.is_empty() {
                "–".to_string()
            } else {
                paths.join(", ")
            }
        ));
    }

    s.push_str("\n## Data retention\n\n");
    s.push_str("| Data | Kept | Enforced by |\n|---|---|---|\n");
    for entity in &model.entities {
        let (name, c) = (&entity.name, &entity.collection);
        match &entity.retention {
            Some(r) => s.push_str(&format!(
                "| {name} (`{c}`) | {} after creation | `make retention` and the retention CronJob delete older rows, and record the purge in the audit log |\n",
                r.period
            )),
            None => s.push_str(&format!(
                "| {name} (`{c}`) | until deleted{} | no automatic purge (no `retention` in the spec) |\n",
                if entity.is_owned() { " or its owner's account is erased" } else { "" }
            )),
        }
    }
    let audit_days = model.params.audit_retention_days;
    s.push_str(&format!(
        "| Audit events (`audit_events`) | {audit_days} days | append-only; only the retention job removes events older than this |\n"
    ));
    let idle = model.params.session_idle_minutes;
    let absolute = model.params.session_absolute_hours;
    s.push_str(&format!(
        "| Sessions (`auth_sessions`) | {idle} minutes idle, {absolute} hours at most | expired sessions are refused |\n"
    ));
    let erase = model
        .routes
        .iter()
        .find(|r| r.operation == model::Operation::Erase)
        .map(|r| format!("{} {}", r.method.as_str(), r.path))
        .unwrap_or_default();
    s.push_str(&format!("| Accounts (`auth_users`) | until the user erases the account (`{erase}`) or an admin removes it | erasure deletes the account and its owned rows in one transaction |\n"));

    s.push_str("\n## What remains the operator's job\n\n");
    s.push_str("The generated system implements the controls above in code and deployment files. These remain with the people who run it:\n\n");
    for (what, how) in OPERATOR_DUTIES {
        s.push_str(&format!("- **{what}**: {how}\n"));
    }
    s
}
