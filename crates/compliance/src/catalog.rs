//! The control catalog: archgen's security and privacy controls as data.
//!
//! The catalog is `data/controls.toml`, embedded in the crate and checked on
//! first use against the framework reference data: every cited clause id
//! must exist, and every number tied to a clause must agree with it.

use std::collections::BTreeSet;
use std::fmt;
use std::sync::OnceLock;

use blueprint_core::spec::Framework;
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::frameworks::{FrameworkRefs, FRAMEWORK_KEYS};
use crate::Error;

/// The embedded catalog text.
pub const CONTROLS_TOML: &str = include_str!("../data/controls.toml");

/// What a control turns on in a generated backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Capability {
    /// Password length and common-password checks.
    PasswordPolicy,
    /// Slow salted password hashes.
    PasswordHashing,
    /// Throttling of failed logins.
    LoginLockout,
    /// One account per person, unique ids.
    UserAccounts,
    /// Server-side sessions with expiry.
    SessionManagement,
    /// Secure, HttpOnly, SameSite session cookies.
    TlsOnlyCookies,
    /// Anti-CSRF tokens.
    CsrfProtection,
    /// Role-based access control.
    Rbac,
    /// Administrative functions limited to admin roles.
    AdminFunctions,
    /// Rows scoped to their owner.
    RowOwnership,
    /// The audit log.
    AuditLog,
    /// Audit rows that cannot be changed.
    AppendOnlyAudit,
    /// How long audit rows are kept.
    AuditRetention,
    /// UTC time in records and logs.
    UtcTimestamps,
    /// Request ids in responses and logs.
    RequestIds,
    /// No PII or secrets in logs.
    LogRedaction,
    /// The PII inventory.
    DataInventory,
    /// Encryption of sensitive fields at rest.
    PiiEncryptionAtRest,
    /// Rotation of encryption keys.
    KeyRotation,
    /// Secrets from the environment only.
    SecretsFromEnvironment,
    /// Export of a user's data (GDPR Art. 15, 20).
    GdprExport,
    /// Erasure of a user's data (GDPR Art. 17).
    GdprErasure,
    /// Deleting rows past their retention.
    RetentionPurge,
    /// Request rate limits.
    RateLimiting,
    /// Protective response headers.
    SecurityHeaders,
    /// TLS and HSTS.
    TransportEncryption,
    /// A strict CORS allow list.
    CorsAllowlist,
    /// Validation of every input.
    InputValidation,
    /// Parameterized queries.
    ParameterizedQueries,
    /// Errors without internals.
    SafeErrors,
    /// Dependency audit in CI.
    DependencyAudit,
    /// Security tests in CI.
    SecurityTesting,
    /// Reviewed, reversible changes.
    ChangeManagement,
    /// Backups and documented restores.
    BackupsRestore,
    /// Documented incident response.
    IncidentResponse,
    /// Liveness and readiness probes.
    HealthChecks,
    /// Records of processing (GDPR Art. 30).
    ProcessingRecords,
    /// Safeguards for GDPR Art. 9 data.
    SpecialCategorySafeguards,
    /// The register of third-party processors.
    ProcessorRegister,
    /// Card data kept out of the backend.
    CardDataScope,
    /// A documented emergency access procedure.
    EmergencyAccess,
    /// Written security policies, kept.
    PolicyDocumentation,
    /// A capability defined outside this crate (custom rules).
    Custom,
}

impl Capability {
    /// Every built-in capability (not [`Capability::Custom`]), in
    /// declaration order.
    pub const ALL: [Capability; 42] = [
        Capability::PasswordPolicy,
        Capability::PasswordHashing,
        Capability::LoginLockout,
        Capability::UserAccounts,
        Capability::SessionManagement,
        Capability::TlsOnlyCookies,
        Capability::CsrfProtection,
        Capability::Rbac,
        Capability::AdminFunctions,
        Capability::RowOwnership,
        Capability::AuditLog,
        Capability::AppendOnlyAudit,
        Capability::AuditRetention,
        Capability::UtcTimestamps,
        Capability::RequestIds,
        Capability::LogRedaction,
        Capability::DataInventory,
        Capability::PiiEncryptionAtRest,
        Capability::KeyRotation,
        Capability::SecretsFromEnvironment,
        Capability::GdprExport,
        Capability::GdprErasure,
        Capability::RetentionPurge,
        Capability::RateLimiting,
        Capability::SecurityHeaders,
        Capability::TransportEncryption,
        Capability::CorsAllowlist,
        Capability::InputValidation,
        Capability::ParameterizedQueries,
        Capability::SafeErrors,
        Capability::DependencyAudit,
        Capability::SecurityTesting,
        Capability::ChangeManagement,
        Capability::BackupsRestore,
        Capability::IncidentResponse,
        Capability::HealthChecks,
        Capability::ProcessingRecords,
        Capability::SpecialCategorySafeguards,
        Capability::ProcessorRegister,
        Capability::CardDataScope,
        Capability::EmergencyAccess,
        Capability::PolicyDocumentation,
    ];

    /// The kebab-case name, as in the catalog.
    pub fn as_str(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_str())
    }
}

/// Under which frameworks a control applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AppliesUnder {
    /// Every product: the security baseline.
    #[serde(rename = "baseline")]
    Baseline,
    /// When this framework is in force.
    #[serde(untagged)]
    Framework(Framework),
}

/// An extra condition on the spec for a control to apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Condition {
    /// No condition.
    #[default]
    Always,
    /// Some field is classified sensitive.
    SensitiveData,
    /// Some field holds a GDPR Art. 9 special category.
    SpecialCategory,
    /// The spec has integrations.
    Integrations,
    /// The product takes card payments.
    CardPayments,
    /// Some field has a `write` rule or a workflow (`transitions`):
    /// duties are segregated.
    Duties,
}

/// Which way a parameter gets stricter, so that the strictest of several
/// frameworks' values wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stricter {
    /// A higher number is stricter (password length, retention).
    Higher,
    /// A lower number is stricter (timeouts, attempts).
    Lower,
}

/// How a parameter value compares with a number in the reference data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Relation {
    /// Equal.
    Eq,
    /// At least the reference number.
    AtLeast,
    /// At most the reference number.
    AtMost,
}

/// Ties a parameter value to a number in `frameworks.yaml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParamSource {
    /// The framework key (`pci-dss`).
    pub framework: String,
    /// The clause id (`8.3.6`).
    pub clause: String,
    /// The key in the clause's `params` (`min_length`).
    pub key: String,
    /// How the value compares with the reference number.
    pub relation: Relation,
    /// Unit conversion: the reference number is multiplied by this (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub factor: Option<f64>,
    /// Compare the value this framework sets (`by_framework`) instead of the default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub of: Option<String>,
}

/// A parameter of a control, such as `password.min_length`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Parameter {
    /// The value on every product.
    pub value: serde_json::Value,
    /// Which way is stricter, when frameworks set their own values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stricter: Option<Stricter>,
    /// The value a framework asks for, by framework id.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub by_framework: IndexMap<String, serde_json::Value>,
    /// Where the numbers come from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<ParamSource>,
}

impl Parameter {
    /// A parameter with a fixed value.
    pub fn fixed(value: impl Into<serde_json::Value>) -> Parameter {
        Parameter {
            value: value.into(),
            stricter: None,
            by_framework: IndexMap::new(),
            sources: Vec::new(),
        }
    }

    /// The value in force under these frameworks, and the framework that
    /// set it (None when the default holds).
    pub fn effective(&self, in_force: &[Framework]) -> (serde_json::Value, Option<Framework>) {
        let mut best = (self.value.clone(), None);
        for f in in_force {
            let Some(v) = self.by_framework.get(f.id()) else {
                continue;
            };
            let stricter = match (self.stricter, v.as_f64(), best.0.as_f64()) {
                (Some(Stricter::Higher), Some(new), Some(old)) => new > old,
                (Some(Stricter::Lower), Some(new), Some(old)) => new < old,
                _ => false,
            };
            if stricter {
                best = (v.clone(), Some(*f));
            }
        }
        best
    }
}

/// One control of the catalog.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Control {
    /// The stable id, such as `AUTH-PASSWORD-POLICY`.
    pub id: String,
    /// A short name.
    pub title: String,
    /// What the generated system must do.
    pub requires: String,
    /// The capability that realizes it.
    pub capability: Capability,
    /// Under which frameworks it applies (any of them).
    pub applies: Vec<AppliesUnder>,
    /// An extra condition on the spec.
    #[serde(default)]
    pub when: Condition,
    /// Framework key to clause ids.
    #[serde(default)]
    pub clauses: IndexMap<String, Vec<String>>,
    /// Parameters by name.
    #[serde(default)]
    pub parameters: IndexMap<String, Parameter>,
}

impl Control {
    /// Whether the control is part of the security baseline.
    pub fn is_baseline(&self) -> bool {
        self.applies.contains(&AppliesUnder::Baseline)
    }

    /// The blueprint element id of the control: `req.<id lowercased>`.
    pub fn element_id(&self) -> String {
        format!("req.{}", self.id.to_lowercase())
    }

    /// Problems with this control against the reference data (empty when
    /// it is sound).
    pub fn problems(&self, refs: &FrameworkRefs) -> Vec<String> {
        let mut out = Vec::new();
        let id = &self.id;
        if id.is_empty()
            || !id
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
        {
            out.push(format!(
                "control id `{id}` must be SHOUTY-KEBAB (A-Z, 0-9, -)"
            ));
        }
        if self.title.trim().is_empty() || self.requires.trim().is_empty() {
            out.push(format!("control `{id}` needs a title and a requirement"));
        }
        if self.applies.is_empty() {
            out.push(format!("control `{id}` applies under nothing"));
        }
        for (fw, ids) in &self.clauses {
            if !FRAMEWORK_KEYS.contains(&fw.as_str()) {
                out.push(format!("control `{id}` cites unknown framework `{fw}`"));
                continue;
            }
            for c in ids {
                if !refs.contains(fw, c) {
                    out.push(format!("control `{id}` cites `{fw}` clause `{c}`, which frameworks.yaml does not list"));
                }
            }
        }
        for (name, p) in &self.parameters {
            for f in p.by_framework.keys() {
                if Framework::from_id(f).is_none() {
                    out.push(format!(
                        "parameter `{name}` of `{id}` names unknown framework `{f}`"
                    ));
                }
            }
            for s in &p.sources {
                let value = match &s.of {
                    Some(f) => p.by_framework.get(f),
                    None => Some(&p.value),
                };
                let Some(value) = value.and_then(|v| v.as_f64()) else {
                    out.push(format!(
                        "parameter `{name}` of `{id}` has no number to compare with {} {}",
                        s.framework, s.clause
                    ));
                    continue;
                };
                let Some(reference) = refs.param(&s.framework, &s.clause, &s.key) else {
                    out.push(format!("parameter `{name}` of `{id}` cites {} {} `{}`, which frameworks.yaml does not give", s.framework, s.clause, s.key));
                    continue;
                };
                let reference = reference * s.factor.unwrap_or(1.0);
                let ok = match s.relation {
                    Relation::Eq => (value - reference).abs() < 1e-9,
                    Relation::AtLeast => value >= reference,
                    Relation::AtMost => value <= reference,
                };
                if !ok {
                    out.push(format!("parameter `{name}` of `{id}` is {value}, but {} {} `{}` asks {:?} {reference}", s.framework, s.clause, s.key, s.relation));
                }
            }
        }
        out
    }
}

/// The control catalog.
///
/// # Example
///
/// ```
/// let catalog = compliance::Catalog::builtin();
/// let policy = catalog.get("AUTH-PASSWORD-POLICY").expect("a built-in control");
/// assert_eq!(policy.parameters["password.min_length"].value, 12);
/// assert!(catalog.controls().len() >= 30);
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Catalog {
    controls: IndexMap<String, Control>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    #[allow(dead_code)]
    schema_version: u32,
    #[serde(default)]
    control: Vec<Control>,
}

impl Catalog {
    /// The embedded catalog, read and checked once.
    ///
    /// # Panics
    ///
    /// Never on user input: the embedded catalog is fixed at build time and
    /// the crate's tests check it against the reference data.
    pub fn builtin() -> &'static Catalog {
        static CATALOG: OnceLock<Catalog> = OnceLock::new();
        CATALOG.get_or_init(|| {
            Catalog::parse(CONTROLS_TOML, FrameworkRefs::builtin())
                .expect("the embedded control catalog is valid")
        })
    }

    /// Reads a catalog in the `controls.toml` format and checks it against
    /// the reference data.
    pub fn parse(text: &str, refs: &FrameworkRefs) -> Result<Catalog, Error> {
        let file: CatalogFile =
            toml::from_str(text).map_err(|e| Error::CatalogSyntax(e.to_string()))?;
        let mut catalog = Catalog::default();
        let mut problems = Vec::new();
        let mut seen = BTreeSet::new();
        for c in file.control {
            problems.extend(c.problems(refs));
            if !seen.insert(c.id.clone()) {
                problems.push(format!("control id `{}` appears twice", c.id));
            }
            catalog.controls.insert(c.id.clone(), c);
        }
        if problems.is_empty() {
            Ok(catalog)
        } else {
            Err(Error::CatalogInvalid(problems))
        }
    }

    /// The controls, in catalog order.
    pub fn controls(&self) -> impl ExactSizeIterator<Item = &Control> {
        self.controls.values()
    }

    /// The control with this id.
    pub fn get(&self, id: &str) -> Option<&Control> {
        self.controls.get(id)
    }
}
