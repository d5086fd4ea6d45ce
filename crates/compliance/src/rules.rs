//! Compliance rules: the extension point that proposes controls.
//!
//! A [`ComplianceRule`] looks at the spec and what the analysis found so far
//! (frameworks in force, PII classes) and proposes controls, each with its
//! reason. The built-in rules are ordinary rules in the [`RuleRegistry`]; a
//! third party adds its own the same way.

use std::fmt;

use blueprint_core::graph::Blueprint;
use blueprint_core::spec::{Framework, Pii, Spec};
use indexmap::IndexMap;

use crate::catalog::{AppliesUnder, Catalog, Condition, Control};
use crate::infer::{FrameworkFinding, PciScope};
use crate::pii::FieldClass;

/// What a rule sees.
#[derive(Clone, Copy)]
pub struct RuleContext<'a> {
    /// The spec.
    pub spec: &'a Spec,
    /// The frameworks in force, with their reasons.
    pub frameworks: &'a [FrameworkFinding],
    /// The PII class of every field.
    pub fields: &'a [FieldClass],
    /// The control catalog in use.
    pub catalog: &'a Catalog,
    /// The PCI DSS scope, when PCI DSS is in force.
    pub pci_scope: Option<&'a PciScope>,
    /// The blueprint being completed, when the analysis runs through
    /// [`complete`](crate::complete) (None for a plain
    /// [`analyze`](crate::analyze) of a spec).
    pub blueprint: Option<&'a Blueprint>,
}

impl fmt::Debug for RuleContext<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RuleContext")
            .field("product", &self.spec.product.name)
            .field("frameworks", &self.frameworks)
            .field("fields", &self.fields.len())
            .field("pci_scope", &self.pci_scope)
            .field("blueprint", &self.blueprint.is_some())
            .finish()
    }
}

impl RuleContext<'_> {
    /// Whether a framework is in force.
    pub fn in_force(&self, framework: Framework) -> bool {
        self.frameworks.iter().any(|f| f.framework == framework)
    }

    /// The frameworks in force, in their fixed order.
    pub fn frameworks_in_force(&self) -> Vec<Framework> {
        self.frameworks.iter().map(|f| f.framework).collect()
    }

    /// The fields classified `sensitive`.
    pub fn sensitive_fields(&self) -> impl Iterator<Item = &FieldClass> {
        self.fields.iter().filter(|f| f.pii == Pii::Sensitive)
    }

    /// The fields holding a GDPR Art. 9 special category.
    pub fn special_category_fields(&self) -> impl Iterator<Item = &FieldClass> {
        self.fields.iter().filter(|f| f.special_category.is_some())
    }

    /// Whether a catalog condition holds for this spec.
    pub fn holds(&self, condition: Condition) -> bool {
        match condition {
            Condition::Always => true,
            Condition::SensitiveData => self.sensitive_fields().next().is_some(),
            Condition::SpecialCategory => self.special_category_fields().next().is_some(),
            Condition::Integrations => !self.spec.integrations.is_empty(),
            Condition::CardPayments => self.in_force(Framework::PciDss),
            Condition::Duties => self.spec.entities.values().any(|e| {
                e.fields
                    .values()
                    .any(|f| f.write.is_some() || !f.transitions.is_empty())
            }),
        }
    }
}

/// The control a proposal is about.
#[derive(Debug, Clone, PartialEq)]
pub enum ProposedControl {
    /// A control of the catalog, by id.
    Catalog(String),
    /// A control defined by the rule itself.
    Custom(Box<Control>),
}

/// A rule's proposal: a control, why, and what realizes it.
///
/// # Example
///
/// ```
/// let p = compliance::Proposal::catalog("RATE-LIMITING", "public API")
///     .with_parameter("rate_limit.client_per_minute", 60)
///     .realized_by("app.shop.api");
/// assert_eq!(p.reason, "public API");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    /// The control.
    pub control: ProposedControl,
    /// Why it applies, in words.
    pub reason: String,
    /// Element ids that realize it, beyond the ones its capability implies.
    pub realized_by: Vec<String>,
    /// Parameter values that replace the control's.
    pub parameters: IndexMap<String, serde_json::Value>,
}

impl Proposal {
    /// Proposes a catalog control.
    pub fn catalog(id: impl Into<String>, reason: impl Into<String>) -> Proposal {
        Proposal {
            control: ProposedControl::Catalog(id.into()),
            reason: reason.into(),
            realized_by: Vec::new(),
            parameters: IndexMap::new(),
        }
    }

    /// Proposes a control the rule defines itself.
    pub fn custom(control: Control, reason: impl Into<String>) -> Proposal {
        Proposal {
            control: ProposedControl::Custom(Box::new(control)),
            reason: reason.into(),
            realized_by: Vec::new(),
            parameters: IndexMap::new(),
        }
    }

    /// Adds an element id that realizes the control.
    pub fn realized_by(mut self, element_id: impl Into<String>) -> Proposal {
        self.realized_by.push(element_id.into());
        self
    }

    /// Sets a parameter value.
    pub fn with_parameter(
        mut self,
        key: impl Into<String>,
        value: impl Into<serde_json::Value>,
    ) -> Proposal {
        self.parameters.insert(key.into(), value.into());
        self
    }

    /// The id of the proposed control.
    pub fn control_id(&self) -> &str {
        match &self.control {
            ProposedControl::Catalog(id) => id,
            ProposedControl::Custom(c) => &c.id,
        }
    }
}

/// A rule that proposes controls for a product.
///
/// # Example
///
/// ```
/// use compliance::{ComplianceRule, Proposal, RuleContext};
///
/// struct PublicApiRule;
/// impl ComplianceRule for PublicApiRule {
///     fn id(&self) -> &str { "acme.public-api" }
///     fn propose(&self, cx: &RuleContext<'_>) -> Vec<Proposal> {
///         let public = cx.spec.entities.values().any(|e| {
///             e.access.read.contains(&blueprint_core::spec::Subject::Public)
///         });
///         if public {
///             vec![Proposal::catalog("RATE-LIMITING", "some entity is readable by anyone")
///                 .with_parameter("rate_limit.client_per_minute", 60)]
///         } else {
///             Vec::new()
///         }
///     }
/// }
/// # let spec = compliance::testing::tasks();
/// let analysis = compliance::Analyzer::new().with_rule(PublicApiRule).analyze(&spec);
/// assert!(analysis.control("RATE-LIMITING").is_some());
/// ```
pub trait ComplianceRule: Send + Sync {
    /// A stable id, such as `builtin.baseline` or `acme.public-api`.
    fn id(&self) -> &str;
    /// The controls this rule proposes for the product, with reasons.
    fn propose(&self, cx: &RuleContext<'_>) -> Vec<Proposal>;
}

/// The rules an analysis runs, in order.
///
/// # Example
///
/// ```
/// let registry = compliance::RuleRegistry::builtin();
/// assert!(registry.ids().any(|id| id == "builtin.baseline"));
/// ```
pub struct RuleRegistry {
    rules: Vec<Box<dyn ComplianceRule>>,
}

impl fmt::Debug for RuleRegistry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.ids()).finish()
    }
}

impl Default for RuleRegistry {
    fn default() -> Self {
        RuleRegistry::builtin()
    }
}

impl RuleRegistry {
    /// A registry without any rule.
    pub fn empty() -> RuleRegistry {
        RuleRegistry { rules: Vec::new() }
    }

    /// The built-in rules: baseline, frameworks, data, integrations.
    pub fn builtin() -> RuleRegistry {
        let mut r = RuleRegistry::empty();
        r.add(BaselineRule);
        r.add(FrameworkRule);
        r.add(DataRule);
        r.add(IntegrationRule);
        r
    }

    /// Adds a rule after the others.
    pub fn add(&mut self, rule: impl ComplianceRule + 'static) -> &mut RuleRegistry {
        self.rules.push(Box::new(rule));
        self
    }

    /// The rules, in order.
    pub fn rules(&self) -> impl Iterator<Item = &dyn ComplianceRule> {
        self.rules.iter().map(|r| r.as_ref())
    }

    /// The rule ids, in order.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.rules.iter().map(|r| r.id())
    }
}

/// Proposes every baseline control of the catalog whose condition holds.
#[derive(Debug, Clone, Copy, Default)]
pub struct BaselineRule;

impl ComplianceRule for BaselineRule {
    fn id(&self) -> &str {
        "builtin.baseline"
    }

    fn propose(&self, cx: &RuleContext<'_>) -> Vec<Proposal> {
        cx.catalog
            .controls()
            .filter(|c| c.is_baseline() && cx.holds(c.when))
            .map(|c| Proposal::catalog(&c.id, "security baseline: every generated backend has it"))
            .collect()
    }
}

/// Proposes the framework-specific controls of the frameworks in force.
#[derive(Debug, Clone, Copy, Default)]
pub struct FrameworkRule;

impl ComplianceRule for FrameworkRule {
    fn id(&self) -> &str {
        "builtin.frameworks"
    }

    fn propose(&self, cx: &RuleContext<'_>) -> Vec<Proposal> {
        let mut out = Vec::new();
        for c in cx
            .catalog
            .controls()
            .filter(|c| !c.is_baseline() && cx.holds(c.when))
        {
            let under: Vec<&str> = c
                .applies
                .iter()
                .filter_map(|a| match a {
                    AppliesUnder::Framework(f) if cx.in_force(*f) => Some(f.name()),
                    _ => None,
                })
                .collect();
            if !under.is_empty() {
                out.push(Proposal::catalog(
                    &c.id,
                    format!("required because {} applies", under.join(", ")),
                ));
            }
        }
        out
    }
}

/// Adds reasons drawn from the data: which fields are sensitive, which
/// entities are owned or kept for a limited time.
#[derive(Debug, Clone, Copy, Default)]
pub struct DataRule;

impl ComplianceRule for DataRule {
    fn id(&self) -> &str {
        "builtin.data"
    }

    fn propose(&self, cx: &RuleContext<'_>) -> Vec<Proposal> {
        let mut out = Vec::new();
        let list = |it: &mut dyn Iterator<Item = String>| it.collect::<Vec<_>>().join(", ");
        let sensitive = list(
            &mut cx
                .sensitive_fields()
                .map(|f| format!("{}.{}", f.entity, f.field)),
        );
        if !sensitive.is_empty() {
            out.push(Proposal::catalog(
                "PII-ENCRYPTION-AT-REST",
                format!("sensitive fields: {sensitive}"),
            ));
        }
        let special = list(&mut cx.special_category_fields().map(|f| {
            format!(
                "{}.{} ({})",
                f.entity,
                f.field,
                f.special_category.map(|s| s.label()).unwrap_or_default()
            )
        }));
        if !special.is_empty() && cx.in_force(Framework::Gdpr) {
            out.push(Proposal::catalog(
                "GDPR-SPECIAL-CATEGORY",
                format!("special-category fields: {special}"),
            ));
        }
        let owned = list(
            &mut cx
                .spec
                .entities
                .iter()
                .filter(|(_, e)| e.is_owned())
                .map(|(n, _)| n.clone()),
        );
        if !owned.is_empty() {
            for id in ["ACCESS-ROW-OWNERSHIP", "DSR-EXPORT", "DSR-ERASURE"] {
                out.push(Proposal::catalog(id, format!("owned entities: {owned}")));
            }
        }
        let kept = list(
            &mut cx
                .spec
                .entities
                .iter()
                .filter_map(|(n, e)| e.retention.map(|r| format!("{n} ({r})"))),
        );
        if !kept.is_empty() {
            out.push(Proposal::catalog(
                "RETENTION-PURGE",
                format!("entities with a retention: {kept}"),
            ));
        }
        out
    }
}

/// Adds the reasons integrations give: processors and the card data scope.
#[derive(Debug, Clone, Copy, Default)]
pub struct IntegrationRule;

impl ComplianceRule for IntegrationRule {
    fn id(&self) -> &str {
        "builtin.integrations"
    }

    fn propose(&self, cx: &RuleContext<'_>) -> Vec<Proposal> {
        let mut out = Vec::new();
        if !cx.spec.integrations.is_empty() {
            let vendors: Vec<&str> = cx.spec.integrations.keys().map(String::as_str).collect();
            out.push(Proposal::catalog(
                "VENDOR-PROCESSORS",
                format!(
                    "integrations that may receive personal data: {}",
                    vendors.join(", ")
                ),
            ));
        }
        if let (true, Some(scope)) = (cx.in_force(Framework::PciDss), cx.pci_scope) {
            out.push(Proposal::catalog("PCI-CARD-DATA-SCOPE", scope.describe()));
        }
        out
    }
}
