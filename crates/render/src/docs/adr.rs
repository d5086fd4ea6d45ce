//! `docs/adr/`: the decisions the generator made for this product, as
//! MADR-format architecture decision records, and their index.
//!
//! The numbering is fixed, never the iteration order of a hash map:
//!
//! 1. the stack and framework,
//! 2. PostgreSQL,
//! 3. cookie sessions over tokens in browser storage,
//! 4. the encryption of sensitive fields,
//! 5. the audit log,
//! 6. the rate-limit store,
//! 7. reads that do not write (session activity once a minute, both rate
//!    limits in one statement),
//! 8. database faults and idempotent creates,
//! 9. field rules and workflows as segregation of duties, when the spec
//!    has any,
//! 10. then one record per framework in force (in the fixed order SOC 2,
//!     GDPR, HIPAA, ISO/IEC 27001, PCI DSS),
//! 11. then one per integration, in spec order.
//!
//! A record for an integration the project does not contain (no registered
//! vendor generated it for the stack, see
//! [`DocInput::generated_integrations`]) is `proposed`, not `accepted`, and
//! says what the user has to add ([`integrations`](crate::docs::integrations)).

use blueprint_core::graph::Blueprint;
use compliance::Analysis;

use model::AppModel;
use stacks::StackDecision;

use crate::docs::facts::cell;
use crate::docs::integrations::{add_it_yourself, display_name, planned_pci_scope};
use crate::{DocInput, DocumentEmitter, FileTree, RenderError};

/// The folder of the records in a generated project.
pub const ADR_DIR: &str = "docs/adr";

/// Where a decision stands, in MADR's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// The generated project implements it.
    Accepted,
    /// The spec asks for it, but the generated project does not contain it
    /// (an integration no vendor generated).
    Proposed,
}

impl Status {
    /// The status as written in the record and the index.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Accepted => "accepted",
            Status::Proposed => "proposed (not generated)",
        }
    }
}

/// One architecture decision record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Adr {
    /// Its number, from 1.
    pub number: u32,
    /// Whether the generated project implements it.
    pub status: Status,
    /// The file name part after the number (`postgresql`).
    pub slug: String,
    /// The title: the decision, in a few words.
    pub title: String,
    /// The context and problem statement.
    pub context: String,
    /// What the decision had to satisfy.
    pub drivers: Vec<String>,
    /// The options considered, the chosen one first.
    pub options: Vec<String>,
    /// Why the chosen option won.
    pub because: String,
    /// The consequences: `Good, because …` and `Bad, because …` lines.
    pub consequences: Vec<String>,
    /// What the generated project lacks and the user must add, for a
    /// [`Status::Proposed`] record.
    pub not_generated: Option<String>,
}

impl Adr {
    /// The path of the record: `docs/adr/0001-slug.md`.
    pub fn path(&self) -> String {
        format!("{ADR_DIR}/{:04}-{}.md", self.number, self.slug)
    }

    /// The record in MADR format.
    pub fn to_markdown(&self) -> String {
        let mut s = format!("# {:04}. {}\n\n", self.number, self.title);
        s.push_str(&format!("- Status: {}\n", self.status.as_str()));
        s.push_str("- Deciders: archgen, from the product spec (review and amend as the product evolves)\n\n");
        s.push_str("## Context and Problem Statement\n\n");
        s.push_str(self.context.trim());
        s.push_str("\n\n## Decision Drivers\n\n");
        for d in &self.drivers {
            s.push_str(&format!("- {d}\n"));
        }
        s.push_str("\n## Considered Options\n\n");
        for o in &self.options {
            s.push_str(&format!("- {o}\n"));
        }
        s.push_str("\n## Decision Outcome\n\n");
        let chosen = self.options.first().map(String::as_str).unwrap_or("");
        let verb = match self.status {
            Status::Accepted => "Chosen",
            Status::Proposed => "Proposed",
        };
        s.push_str(&format!(
            "{verb} option: \"{chosen}\", because {}\n",
            self.because.trim()
        ));
        if let Some(note) = &self.not_generated {
            s.push_str(&format!("\n{}\n", note.trim()));
        }
        s.push_str("\n### Consequences\n\n");
        for c in &self.consequences {
            s.push_str(&format!("- {c}\n"));
        }
        s
    }
}

/// Emits the records and `docs/adr/README.md`.
#[derive(Debug, Clone, Copy, Default)]
pub struct AdrEmitter;

impl DocumentEmitter for AdrEmitter {
    fn id(&self) -> &'static str {
        "adr"
    }

    fn emit(&self, input: &DocInput<'_>, out: &mut FileTree) -> Result<(), RenderError> {
        let records = adrs(input);
        for adr in &records {
            out.insert(adr.path(), adr.to_markdown())?;
        }
        out.insert(format!("{ADR_DIR}/README.md"), index(&records))
    }
}

/// The index of the records.
pub fn index(records: &[Adr]) -> String {
    let mut s = String::from("# Architecture decision records\n\n");
    s.push_str("The decisions taken for this product when it was generated, in the MADR format. Add a record for every later decision that changes one of them (mark the old one superseded rather than editing it).\n\n");
    s.push_str("| Number | Decision | Status |\n|---|---|---|\n");
    for a in records {
        let file = a.path();
        let file = file.rsplit('/').next().unwrap_or(&file).to_string();
        s.push_str(&format!(
            "| {:04} | [{}]({file}) | {} |\n",
            a.number,
            cell(&a.title),
            a.status.as_str()
        ));
    }
    s
}

/// Text made into a file-name slug: lowercase ASCII words joined by `-`.
pub(crate) fn slug(text: &str) -> String {
    let mut s = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            s.push(c.to_ascii_lowercase());
        } else if !s.ends_with('-') && !s.is_empty() {
            s.push('-');
        }
    }
    let s = s.trim_end_matches('-').to_string();
    if s.is_empty() {
        "decision".to_string()
    } else {
        s
    }
}

/// The record of choosing the stack: the stack's own decision when it
/// gives one, else a generic record naming it.
fn stack_adr(model: &AppModel, stack: &str, decision: Option<&StackDecision>) -> Adr {
    let title = &model.product.title;
    if let Some(d) = decision {
        // The stack words its context for any product; name this one.
        let context = match d.context.strip_prefix("The product ") {
            Some(rest) => format!("{title} {rest}"),
            None => d.context.clone(),
        };
        return Adr {
            number: 0,
            status: Status::Accepted,
            slug: slug(stack),
            title: d.title.clone(),
            context: format!("{context} The spec names the stack `{stack}`."),
            drivers: d.drivers.clone(),
            options: d.options.clone(),
            because: d.because.clone(),
            not_generated: None,
            consequences: d.consequences.clone(),
        };
    }
    Adr {
        number: 0,
        status: Status::Accepted,
        slug: slug(&format!("stack {stack}")),
        title: format!("Build the backend with the `{stack}` stack"),
        context: format!("{title} needs an HTTP JSON backend that meets the backend contract (auth, CRUD with access rules, audit, data-subject requests, probes). The spec names the stack `{stack}`."),
        drivers: vec![
            "the spec's `stack` setting".into(),
            "the team's language and operations experience".into(),
        ],
        options: vec![format!("the `{stack}` stack"), "another stack archgen supports".into()],
        because: "the spec asks for it, and every archgen stack meets the same backend contract and conformance suite.".into(),
        not_generated: None,
        consequences: vec![
            "Good, because the documents, compliance controls and API are the same whichever stack is chosen.".into(),
            "Bad, because switching stacks later means regenerating the code and porting custom changes.".into(),
        ],
    }
}

fn postgres_adr(model: &AppModel) -> Adr {
    Adr {
        number: 0,
        status: Status::Accepted,
        slug: "postgresql".into(),
        title: "Keep all state in PostgreSQL".into(),
        context: format!("The product stores {} kind(s) of record, users, sessions, login attempts, audit events and (without Redis) rate-limit counters. Any number of replicas must serve the same data, sessions and limits.", model.entities.len()),
        drivers: vec![
            "transactions (an erasure deletes an account and its rows at once, or nothing)".into(),
            "foreign keys with `restrict`, `cascade` and `set-null` as the spec's relations ask".into(),
            "privileges and triggers to make the audit log append-only".into(),
            "stateless application processes".into(),
        ],
        options: vec![
            "PostgreSQL".into(),
            "MySQL or MariaDB".into(),
            "a document database".into(),
            "SQLite".into(),
        ],
        because: "it offers transactions, foreign keys, row-level privileges and triggers, timestamps with time zones and mature tooling (`pg_dump`, managed offerings everywhere); tests run against it, never against a mock or SQLite.".into(),
        not_generated: None,
        consequences: vec![
            "Good, because one database holds every piece of state, so backups (`make backup`) and restores (`make restore`) cover everything.".into(),
            "Good, because uniqueness, references and audit immutability are enforced by the database, not by convention.".into(),
            "Bad, because the operator runs (or buys) a PostgreSQL with backups, TLS and monitoring.".into(),
        ],
    }
}

fn sessions_adr(model: &AppModel) -> Adr {
    let p = &model.params;
    let (idle, absolute) = (p.session_idle_minutes, p.session_absolute_hours);
    let (failures, window) = (p.lockout_max_failures, p.lockout_window_minutes);
    Adr {
        number: 0,
        status: Status::Accepted,
        slug: "cookie-sessions".into(),
        title: "Cookie sessions with CSRF tokens, not tokens in browser storage".into(),
        context: "Browsers and scripts sign in with an email and password. The credential that proves a signed-in user must not be readable by injected scripts, must be revocable at once, and must expire.".into(),
        drivers: vec![
            "no token readable by JavaScript (XSS must not steal sessions)".into(),
            "logout and erasure revoke access on the server at once".into(),
            format!("idle timeout of {idle} minutes and absolute timeout of {absolute} hours, from the compliance controls"),
            "cross-site request forgery blocked".into(),
        ],
        options: vec![
            "an opaque session token in an HttpOnly, Secure, SameSite=Lax cookie, its hash stored server-side, plus a CSRF token sent back in the X-CSRF-Token header".into(),
            "a JWT in localStorage sent as a bearer token".into(),
            "a JWT in a cookie, unrevocable until it expires".into(),
        ],
        because: format!("scripts cannot read the session cookie, the server can revoke a session at once (only its hash is stored, so a database leak yields no live sessions), expiry is enforced server-side ({idle} min idle, {absolute} h absolute), and the double-submit CSRF token stops forged requests; register and login are exempt so a stale cookie never blocks them."),
        not_generated: None,
        consequences: vec![
            "Good, because a new token is issued at every login (no session fixation) and logout revokes it on the server.".into(),
            format!("Good, because repeated failed logins ({failures} within {window} minutes) lock the email out with 429 and Retry-After."),
            "Bad, because every state-changing request must carry the X-CSRF-Token header; clients read it from the login answer or the `csrf_token` cookie.".into(),
            "Bad, because the API is meant for browsers and same-site clients; machine clients need their own sessions too.".into(),
        ],
    }
}

fn encryption_adr(model: &AppModel) -> Adr {
    let algorithm = &model.params.encryption_algorithm;
    let sensitive: Vec<String> = model
        .entities
        .iter()
        .flat_map(|e| {
            e.encrypted()
                .map(move |f| format!("`{}.{}`", e.name, f.name))
        })
        .collect();
    let which = if sensitive.is_empty() {
        "No field is classified sensitive today; the mechanism is in place for the first one."
            .to_string()
    } else {
        format!("Fields classified sensitive: {}.", sensitive.join(", "))
    };
    Adr {
        number: 0,
        status: Status::Accepted,
        slug: "pii-encryption".into(),
        title: format!("Encrypt sensitive fields with {algorithm} under rotating keys"),
        context: format!("Some fields hold sensitive personal data that must not be readable by anyone with access to the database, its backups or its logs. {which}"),
        drivers: vec![
            "a direct SQL read of a sensitive column shows no plaintext".into(),
            "keys rotate without downtime and without rewriting every row at once".into(),
            "unique sensitive values can still be enforced".into(),
        ],
        options: vec![
            format!("application-level {algorithm} per field, with a key id stored in every ciphertext and keys from ENCRYPTION_KEYS (newest first)"),
            "disk or tablespace encryption only".into(),
            "database extensions (pgcrypto) with the key passed in SQL".into(),
        ],
        because: format!("{algorithm} is an authenticated cipher (tampering is detected), encrypting in the application keeps plaintext out of the database, its dumps and its logs, and the key id in each value lets the newest key of ENCRYPTION_KEYS encrypt while every listed key still decrypts, so an operator rotates keys by prepending a new one; a keyed hash (HMAC) column enforces uniqueness of unique sensitive fields."),
        not_generated: None,
        consequences: vec![
            "Good, because a leaked database or backup reveals no sensitive value without the keys.".into(),
            "Bad, because sensitive fields cannot be sorted, filtered or searched in SQL (the API refuses such sorts and filters with 422).".into(),
            "Bad, because losing every key loses the data: key custody is the operator's job (see docs/compliance.md).".into(),
        ],
    }
}

fn audit_adr(model: &AppModel) -> Adr {
    let days = model.params.audit_retention_days;
    Adr {
        number: 0,
        status: Status::Accepted,
        slug: "append-only-audit-log".into(),
        title: "An append-only audit log in the database, enforced by the database".into(),
        context: "Auditors and incident responders need a record of who did what and when: sign-ups, logins and failures, lockouts, changes to records, exports, erasures, role changes and purges. A record an attacker (or the application itself) can rewrite proves nothing.".into(),
        drivers: vec![
            "events carry actor id, role, action, entity, entity id, changed field names (never values) and the request id".into(),
            "users are named by id only, so erasing an account pseudonymizes its events".into(),
            "the application's database role cannot update, delete or truncate audit rows".into(),
            format!("audit rows are kept {days} days, the strictest retention of the frameworks in force"),
        ],
        options: vec![
            "an `audit_events` table written in the same transaction as the change, protected by a trigger and grants".into(),
            "audit lines in the application log".into(),
            "an external audit service".into(),
        ],
        because: format!("an event written in the same transaction as the change it records cannot be lost or invented, a trigger and revoked privileges make the table append-only whatever the code does, and admin roles read it through `GET {}/admin/audit-events`.", model.api.base_path),
        not_generated: None,
        consequences: vec![
            "Good, because the log survives application bugs and compromised application credentials.".into(),
            "Good, because erasure keeps the trail while removing the person (pseudonymization by id).".into(),
            "Bad, because the table only grows until its retention ends; the retention job is the one path that deletes old rows.".into(),
        ],
    }
}

/// Field rules and workflows as segregation of duties, when the spec has
/// any: who may see or set a field, and who may move a record from one
/// state to the next.
fn duties_adr(model: &AppModel) -> Option<Adr> {
    let mut rules = Vec::new();
    let mut workflows = Vec::new();
    for e in &model.entities {
        for f in &e.fields {
            if f.read.is_some() || f.write.is_some() {
                rules.push(format!("`{}.{}`", e.name, f.name));
            }
            if let Some(w) = &f.workflow {
                let moves: Vec<String> = w
                    .moves
                    .iter()
                    .map(|m| {
                        let who: Vec<&str> = m.subjects.iter().map(|s| s.as_str()).collect();
                        format!("{} → {} ({})", m.from, m.to, who.join(", "))
                    })
                    .collect();
                workflows.push(format!("`{}.{}`: {}", e.name, f.name, moves.join("; ")));
            }
        }
    }
    if rules.is_empty() && workflows.is_empty() {
        return None;
    }
    let mut drivers = vec![
        "no single role both prepares and approves a decision (SOC 2 CC6.1, CC6.3; ISO/IEC 27001 A.5.3)".to_string(),
        "the API enforces the rule, whichever client calls it".to_string(),
    ];
    if !rules.is_empty() {
        drivers.push(format!(
            "fields with their own read or write rule: {}",
            rules.join(", ")
        ));
    }
    if !workflows.is_empty() {
        drivers.push(format!("workflows: {}", workflows.join(" / ")));
    }
    Some(Adr {
        number: 0,
        status: Status::Accepted,
        slug: "segregation-of-duties".into(),
        title: "Field rules and workflows enforce segregation of duties in the API".into(),
        context: "Some fields are for some roles only (a rate only an underwriter sets, an identifier only its owner and staff see), and some records move through states where the one who asks is not the one who decides. Row-level access alone cannot say that: whoever may update a row could change every field and approve their own request.".into(),
        drivers,
        options: vec![
            "field `read`/`write` rules and `enum` workflows (`transitions`, `frozen`) in the spec, enforced by the generated API and checked by the conformance suite".into(),
            "one entity per duty (a separate approval record)".into(),
            "a hand-written check in each handler".into(),
        ],
        because: "the rule lives in the spec next to the field it guards, so documents, the OpenAPI description (`x-archgen-read`, `x-archgen-write`, `x-archgen-workflow`) and the conformance checks all follow from it: a field outside the caller's `read` rule is absent from items, sending one outside its `write` rule is 403, a listed move by someone outside its subjects is 403 (so an owner cannot approve their own request), a move not listed or a change to a frozen row is 409, for admin roles too.".into(),
        not_generated: None,
        consequences: vec![
            "Good, because self-approval and silent edits after a decision are refused by the API and recorded in the audit log like every change.".into(),
            "Good, because auditors read the duties from the spec, the ArchiMate model (one application process per workflow) and the OpenAPI document.".into(),
            "Bad, because a client must cope with absent keys and with 403/409 on fields it may not touch; filtering or sorting on a field the caller may not read is 422.".into(),
        ],
    })
}

fn rate_limit_adr(model: &AppModel) -> Adr {
    let client = model.params.rate_limit_client_per_minute;
    let user = model.params.rate_limit_user_per_minute;
    Adr {
        number: 0,
        status: Status::Accepted,
        slug: "rate-limit-store".into(),
        title: "Rate-limit counters in PostgreSQL, or Redis when REDIS_URL is set".into(),
        context: format!("Requests are limited per client address ({client} per minute by default, RATE_LIMIT_CLIENT) and per user ({user} per minute, RATE_LIMIT_USER), answered with 429 and Retry-After. Several replicas serve the same clients."),
        drivers: vec![
            "limits hold across every replica".into(),
            "no extra service required to run the product".into(),
            "cheap counters under load".into(),
        ],
        options: vec![
            "counters in PostgreSQL by default, in Redis when REDIS_URL is set".into(),
            "in-process counters".into(),
            "Redis always".into(),
        ],
        because: "in-process counters would let each replica grant the full limit; PostgreSQL is always present so the limits hold with no extra service, and Redis takes the load off the database where an operator provides it.".into(),
        not_generated: None,
        consequences: vec![
            "Good, because limits are shared by every replica with either store.".into(),
            "Bad, because without Redis each request costs a counter write in PostgreSQL.".into(),
        ],
    }
}

fn framework_adr(
    analysis: &Analysis,
    f: &compliance::FrameworkFinding,
    generated: &[String],
) -> Adr {
    let planned = planned_pci_scope(analysis, generated);
    let scope_words = |text: &str| match &planned {
        Some((said, planned)) if text == said => planned.clone(),
        _ => text.to_string(),
    };
    let name = f.framework.name();
    let controls: Vec<String> = analysis
        .controls
        .iter()
        .filter(|c| c.frameworks.contains_key(f.framework.id()))
        .map(|c| format!("`{}`", c.id))
        .collect();
    let stricter: Vec<String> = analysis
        .controls
        .iter()
        .flat_map(|c| c.reasons.iter())
        .filter(|r| r.ends_with(&format!("asked by {name}")))
        .map(|r| r.split(':').next().unwrap_or(r).trim().to_string())
        .collect();
    let how = if f.declared {
        "The spec declares it in `compliance.frameworks`."
    } else {
        "archgen inferred it from the spec; the spec did not declare it."
    };
    let mut consequences = vec![format!(
        "Good, because {} control(s) cite {name} clauses, listed in docs/compliance.md with what realizes them: {}.",
        controls.len(),
        if controls.is_empty() { "none".to_string() } else { controls.join(", ") }
    )];
    if !stricter.is_empty() {
        consequences.push(format!(
            "Good, because {name} set the strictest value of: {}.",
            stricter.join(", ")
        ));
    }
    if f.framework == blueprint_core::spec::Framework::PciDss {
        if let Some(scope) = &analysis.pci_scope {
            consequences.push(format!(
                "Neutral, because the integrations decide the PCI DSS scope ({}).",
                scope_words(&scope.describe())
            ));
        }
    }
    consequences.push(format!(
        "Bad, because generated controls are not certification: the organisational parts of {name} (policies, training, assessments, contracts) remain the operator's job."
    ));
    Adr {
        number: 0,
        status: Status::Accepted,
        slug: slug(&format!("comply with {}", f.framework.id())),
        title: format!("Comply with {name}"),
        context: format!("{how} Whether the product falls under {name} decides which controls, parameters and documents it needs; the reasons it does are the decision drivers below."),
        drivers: f.reasons.iter().map(|r| scope_words(r)).collect(),
        options: vec![
            format!("apply the {name} controls and parameters"),
            format!("leave {name} out (`compliance.infer: false` or `compliance.none: true` for inferred frameworks)"),
        ],
        because: if f.declared {
            format!("the spec declares {name}, and a declared framework is always kept.")
        } else {
            format!("the reasons above put the product in {name}'s scope, and leaving it out would have to be a deliberate decision recorded in the spec.")
        },
        consequences,
        not_generated: None,
    }
}

fn integration_adr(bp: &Blueprint, analysis: &Analysis, vendor: &str, generated: bool) -> Adr {
    let name = display_name(bp, vendor);
    let purpose = blueprint_core::spec::vendor(vendor)
        .map(|v| v.purpose.to_string())
        .unwrap_or_else(|| "an external service".to_string());
    let realizes: Vec<String> = analysis
        .controls
        .iter()
        .filter(|c| c.realized_by.iter().any(|r| r == &format!("ext.{vendor}")))
        .map(|c| format!("`{}`", c.id))
        .collect();
    let mut consequences = vec![format!(
        "Good, because {name} is a maintained service for {purpose}, so the product does not build and operate it."
    )];
    if !generated {
        consequences.push(format!(
            "Bad, because this project does not contain the integration yet: until someone adds it, the product has no {purpose}."
        ));
    }
    if let Some(compliance::PciScope::HostedCheckout { vendor: v }) = &analysis.pci_scope {
        if v == vendor && generated {
            consequences.push(format!(
                "Good, because {name}'s hosted checkout takes the card, so card data never reaches this backend (SAQ A-style PCI DSS scope)."
            ));
        }
    }
    if !realizes.is_empty() {
        consequences.push(format!(
            "Neutral, because it takes part in control(s) {}.",
            realizes.join(", ")
        ));
    }
    let agreement = if analysis.in_force(blueprint_core::spec::Framework::Hipaa) {
        "a processing agreement (a business associate agreement under HIPAA)"
    } else {
        "a processing agreement"
    };
    consequences.push(format!("Bad, because {name} is a processor of whatever data it receives: it needs {agreement}, its keys are secrets the operator manages, and an outage there degrades the feature."));
    let (status, not_generated) = if generated {
        (Status::Accepted, None)
    } else {
        let mut note = add_it_yourself(&name, vendor, &crate::docs::facts::base_path(bp.spec()));
        if let Some(compliance::PciScope::HostedCheckout { vendor: v }) = &analysis.pci_scope {
            if v == vendor {
                note.push_str(&format!(" The PCI DSS scope in `docs/compliance.md` (SAQ A-style) holds only once card payments go through {name}'s hosted checkout, so that card data never reaches this backend."));
            }
        }
        (Status::Proposed, Some(note))
    };
    Adr {
        number: 0,
        status,
        slug: slug(&format!("integrate {vendor}")),
        title: format!("Integrate {name}"),
        context: format!("The spec lists the integration `{vendor}`: {purpose}."),
        drivers: vec![
            "the spec's `integrations`".into(),
            "keep undifferentiated infrastructure out of the product".into(),
            "keys from the environment only".into(),
        ],
        options: vec![
            format!("integrate {name} through its official API, configured from the environment"),
            "build the capability in-house".into(),
            "leave the capability out".into(),
        ],
        because: format!("the spec asks for `{vendor}`, and the vendor's service covers {purpose} with less risk than building it."),
        consequences,
        not_generated,
    }
}

/// The consequence that names a generated integration's settings.
fn configured_by(env: &[model::EnvVar]) -> String {
    let names: Vec<String> = env
        .iter()
        .map(|v| {
            if v.secret {
                format!("`{}` (a secret)", v.name)
            } else {
                format!("`{}`", v.name)
            }
        })
        .collect();
    format!(
        "Neutral, because it is configured from the environment by {}, listed in `.env.example`, the README and the deployment's Secret and ConfigMap.",
        names.join(", ")
    )
}

fn request_path_writes_adr() -> Adr {
    Adr {
        number: 0,
        status: Status::Accepted,
        slug: "rate-limits-in-one-statement".into(),
        title: "Reads that do not write: session activity once a minute, rate limits in one statement".into(),
        context: "Every authenticated request checks a session and counts a request for its client address and for its user. Recording the session's activity and both counters as separate transactions made a read cost several round trips and row writes, most of the time of a list call; the limits, the idle timeout and the 503 on database faults must stay as they are.".into(),
        drivers: vec![
            "a read costs as little database work as the contract allows".into(),
            "the contract's limits per client and per user, shared by every replica".into(),
            "the idle timeout of sessions".into(),
            "a database fault is still a 503".into(),
        ],
        options: vec![
            "in PostgreSQL, one statement in autocommit, apart from the request's transaction (on a pooled connection returned before the request takes one, or on the one connection a server process keeps for the counts within its pool's ceiling), that finds the live session and its user by the cookie's hash, counts the client and the user, in an UNLOGGED table, and hands the session it found to the session check; in Redis, the live session read first, then the client and the user counted in one script call; session activity written when it is a minute old".into(),
            "limit only writes and sign-ins".into(),
            "count in process and flush now and then".into(),
            "one transaction per counter and an update of the session on every request".into(),
            "the count as the first statement of the request's own transaction".into(),
        ],
        because: "one statement keeps both limits exact and shared at the cost of one round trip; in autocommit it commits by itself, so a request answered 429 or with an error is counted and no counter row stays locked while the request works (counted inside the request's transaction, the requests of one client address or one user would wait on each other's row); no request holds the count's connection while it works and nothing is pinged, so a request holds one connection at a time, a process stays within its pool's ceiling, and the request's own checkout costs no round trip; the user's key is the same keyed hash (HMAC-SHA256 under SECRET_KEY) computed in SQL from the key's pads, so no id is stored in the clear; the session the statement found is the one the session check would read a moment later, so the check takes it and sends nothing of its own; counters need no crash safety, so an unlogged table spares the write-ahead log; limiting only writes would leave reads open to scraping, and counting in process would let each replica grant the full limit; an idle timeout counted in minutes loses nothing when activity is recorded once a minute.".into(),
        not_generated: None,
        consequences: vec![
            "Good, because a read writes no session row within a minute of the last recorded activity, and counts both limits and finds its caller in one statement.".into(),
            "Good, because the user's verdict waits for the session check, so the order of answers is unchanged.".into(),
            "Bad, because a session idles out up to a minute before the idle timeout measured from its very last request.".into(),
            "Bad, because an unlogged table is emptied after a crash of the database: the counters of the current minute start again.".into(),
            "Bad, because with Redis a signed-in request reads its session in a statement of its own before the one script call that counts the client and the user.".into(),
            "Bad, because a change of more than one statement still costs two transactions, the count's and its own; a read, and a create that is one statement, cost the count's alone, their statements running in autocommit.".into(),
        ],
    }
}

fn faults_adr() -> Adr {
    let retry = model::routes::UNAVAILABLE_RETRY_AFTER_SECS;
    let hours = model::routes::IDEMPOTENCY_HOURS;
    Adr {
        number: 0,
        status: Status::Accepted,
        slug: "database-faults-and-idempotent-creates".into(),
        title: "Answer database faults with 503 and Retry-After; make creates idempotent".into(),
        context: "The database restarts, slows down and runs out of connections under load. Clients and load balancers must tell such a fault from a bug, no request may lose its answer, and a client that lost the answer to a create must be able to retry it without creating the row twice.".into(),
        drivers: vec![
            "500 means a bug and nothing else".into(),
            "every request gets a complete answer".into(),
            "a bounded number of database connections per process".into(),
            "safe retries of writes".into(),
            "logs that stay readable during an outage".into(),
        ],
        options: vec![
            format!("503 with Retry-After ({retry} s) for an unreachable database, a statement timeout and pool exhaustion; a fixed pool with no overflow; readiness through the requests' pool; an Idempotency-Key on creates; repeated errors counted, not printed"),
            "let database errors surface as 500 and rely on retries by the clients".into(),
            "queue requests until the database returns".into(),
        ],
        because: format!("a 503 with Retry-After tells clients and load balancers to come back instead of reporting a bug; a fixed pool sized against the server's max_connections keeps a busy replica from starving the others and fails fast instead of queueing without bound; a readiness probe that takes a connection the way requests do takes a replica out of service exactly when it cannot serve; and an Idempotency-Key stored with the created row's transaction (the first answer, kept {hours} h) makes the retry of a create whose answer was lost safe."),
        not_generated: None,
        consequences: vec![
            "Good, because an outage shows as 503s that recover by themselves when the database returns, without a restart.".into(),
            "Good, because a retried create with its key never duplicates a row.".into(),
            "Bad, because requests beyond the pool's capacity are refused after a short wait instead of queueing; size the pool and the replicas for the peak.".into(),
            "Bad, because every keyed create stores its answer for a day (encrypted), and clients must send a key to benefit.".into(),
        ],
    }
}

/// The admin web app beside a generated backend (`clients/admin/`).
fn admin_app_adr() -> Adr {
    Adr {
        number: 0,
        status: Status::Accepted,
        slug: "admin-app-react-vite".into(),
        title: "An admin web app in React, Vite and TypeScript, served by the backend".into(),
        context: "People who run the product need to see and change its rows without writing API calls: sign in, list, open, create, edit and delete what their role allows, with the API's own errors. The app must follow the same access decisions as the API, work with cookie sessions and CSRF tokens, be easy to change by hand, and be testable in a real browser.".into(),
        drivers: vec![
            "the same application model as the backend decides what each role is offered".into(),
            "same origin as the API: the session cookie and the CSRF header without CORS".into(),
            "few dependencies, pinned with a lockfile, that many engineers know".into(),
            "accessible forms: labels, real buttons and links, errors next to fields".into(),
            "browser tests the quality gate runs".into(),
        ],
        options: vec![
            "React and react-dom, built with Vite and TypeScript; screens from one generated table (src/model.ts); addresses in the URL's hash, without a router library; the build served by the backend at /admin/; Playwright tests on Chromium".into(),
            "the same with a router library (React Router) and a data-fetching library".into(),
            "server-rendered admin pages in the backend's own stack".into(),
            "a generic admin framework configured from the OpenAPI document".into(),
        ],
        because: "React with Vite and TypeScript is what most front-end engineers read and change without help, and the whole runtime is react and react-dom; five screens need no router library, since a hash route is a few lines and needs no server routing; one generated table keeps the screens the same for every product and the access decisions identical to the API's; served by the backend, the app shares the API's origin, so the cookie session and CSRF work as they do for any browser client and no CORS is opened; server-rendered pages would tie the app to one stack, and a generic admin framework brings many dependencies and its own idea of access.".into(),
        not_generated: None,
        consequences: vec![
            "Good, because what a role is offered follows the spec: hidden actions, fields and workflow moves come from the model, and the API still decides.".into(),
            "Good, because the app is a plain Vite project: `npm run dev` proxies the API, `npm run build` makes what the backend serves.".into(),
            "Bad, because the app needs Node.js to build, and its browser tests need Chromium.".into(),
            "Bad, because many-to-many relations and JSON fields get plain inputs or none; richer editors are for the product's own code.".into(),
        ],
    }
}

/// The mobile app beside a generated backend (`clients/mobile/`).
fn mobile_app_adr() -> Adr {
    Adr {
        number: 0,
        status: Status::Accepted,
        slug: "mobile-app-expo".into(),
        title: "A mobile app in Expo (React Native, TypeScript) on the typed client".into(),
        context: "The people whose rows the product keeps want them on their phones: sign in, see their own rows, open one, create and edit, with the API's own errors. The app must follow the same access decisions as the API, talk to it the way every other client does (cookie session, CSRF token, problem documents), run on iOS and Android from one code base, and be checked without a device.".into(),
        drivers: vec![
            "one code base for iOS, Android and the web".into(),
            "the same application model as the backend decides what each role is offered".into(),
            "the project's typed client, not a second copy of its conventions".into(),
            "checks that run on a build machine: types, component tests, and the web build in a real browser".into(),
            "few dependencies, pinned with a lockfile".into(),
        ],
        options: vec![
            "Expo SDK 56 (React Native 0.85) with TypeScript; screens from the table the admin app reads (src/model.ts); a small stack of screens in state, without a navigation library; the typed client as a file: dependency; jest-expo tests and the web export driven by Playwright".into(),
            "the same with Expo Router or React Navigation".into(),
            "native apps in Swift and Kotlin".into(),
            "a web app only (a responsive admin app)".into(),
        ],
        because: "Expo is how most teams start a React Native app today, and its managed workflow builds iOS and Android without native project files in the repository; SDK 56 is the release whose React Native the registries carry; four screens need no navigation library, whose native dependencies would outweigh the app; one generated table keeps the screens the same for every product and the decisions identical to the API's; the typed client gives the app the session, CSRF and error layer the client's own tests prove against the running backend; the web export lets a browser test drive the same screens on a build machine, where no simulator runs; native apps would be two code bases, and a web app alone is not on the device.".into(),
        not_generated: None,
        consequences: vec![
            "Good, because what a role is offered follows the spec, and the client's types follow the OpenAPI document.".into(),
            "Good, because the gate checks the app's types, its component tests and its web build in Chromium on every run.".into(),
            "Bad, because iOS and Android builds are not made by the gate (they need Xcode, the Android SDK or Expo's build service); the web build stands in for the screens.".into(),
            "Bad, because deleting rows, many-to-many relations and JSON fields are left to the admin app or the product's own code.".into(),
        ],
    }
}

/// The records of a document input, numbered in the fixed order of the
/// module documentation. The first is the stack's decision
/// ([`stacks::Stack::decision`]), or a generic record of the spec's stack.
/// The spec's integrations the project does not contain
/// ([`DocInput::generated_integrations`]) get proposed records, not
/// accepted ones.
///
/// ```
/// use blueprint_core::builder::SpecBuilder;
/// use render::docs::adr::Status;
/// let mut spec = SpecBuilder::new("tasks").with_entity("Task", |e| e).spec();
/// spec.integrations.insert("sentry".into(), Default::default());
/// let mut bp = blueprint_core::graph::Blueprint::from_spec(&spec);
/// let analysis = compliance::complete(&mut bp).unwrap();
/// let model = model::AppModel::from_blueprint(&bp);
/// let mut input = render::DocInput {
///     blueprint: &bp,
///     analysis: &analysis,
///     model: &model,
///     stack: None,
///     generated_integrations: &[],
///     backend: false,
/// };
/// let records = render::docs::adr::adrs(&input);
/// assert_eq!(records[0].path(), format!("docs/adr/0001-stack-{}.md", bp.spec().stack));
/// assert_eq!(records[1].path(), "docs/adr/0002-postgresql.md");
/// let sentry = records.last().unwrap();
/// assert_eq!(sentry.status, Status::Proposed);
/// assert!(sentry.to_markdown().contains("Not generated"));
/// let generated = vec!["sentry".to_string()];
/// input.generated_integrations = &generated;
/// let records = render::docs::adr::adrs(&input);
/// assert_eq!(records.last().unwrap().status, Status::Accepted);
/// ```
pub fn adrs(input: &DocInput<'_>) -> Vec<Adr> {
    let (bp, analysis, model) = (input.blueprint, input.analysis, input.model);
    let generated_integrations = input.generated_integrations;
    let stack = input
        .stack
        .map(|s| s.id)
        .unwrap_or(bp.spec().stack.as_str());
    let decision = input.stack.and_then(|s| s.decision);
    let mut records = vec![
        stack_adr(model, stack, decision),
        postgres_adr(model),
        sessions_adr(model),
        encryption_adr(model),
        audit_adr(model),
        rate_limit_adr(model),
        request_path_writes_adr(),
        faults_adr(),
    ];
    records.extend(duties_adr(model));
    for f in &analysis.frameworks {
        records.push(framework_adr(analysis, f, generated_integrations));
    }
    for integration in &model.integrations {
        let vendor = integration.id.as_str();
        let mut adr = integration_adr(
            bp,
            analysis,
            vendor,
            generated_integrations.iter().any(|g| g == vendor),
        );
        if adr.not_generated.is_none() && !integration.env.is_empty() {
            adr.consequences.push(configured_by(&integration.env));
        }
        records.push(adr);
    }
    if input.backend {
        records.push(admin_app_adr());
        records.push(mobile_app_adr());
    }
    for (i, r) in records.iter_mut().enumerate() {
        r.number = u32::try_from(i + 1).unwrap_or(u32::MAX);
    }
    records
}
