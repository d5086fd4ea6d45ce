//! The analysis: frameworks in force, PII classes and controls with their
//! reasons, for one spec.

use blueprint_core::graph::Blueprint;
use blueprint_core::spec::{Framework, Spec};
use indexmap::IndexMap;
use serde::Serialize;

use crate::catalog::{Capability, Catalog, Control, Stricter};
use crate::frameworks::{FrameworkRefs, FRAMEWORK_KEYS};
use crate::infer::{frameworks_in_force, pci_scope, FrameworkFinding, PciScope};
use crate::pii::{classify_spec, FieldClass};
use crate::rules::{ComplianceRule, Proposal, ProposedControl, RuleContext, RuleRegistry};

/// A control chosen for a product.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ControlFinding {
    /// The control id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// What it requires of the generated system.
    pub requires: String,
    /// The capability that realizes it.
    pub capability: Capability,
    /// Framework id to clause ids: the frameworks in force, and `asvs`.
    pub frameworks: IndexMap<String, Vec<String>>,
    /// Parameter values in force.
    pub parameters: IndexMap<String, serde_json::Value>,
    /// Why the control applies.
    pub reasons: Vec<String>,
    /// The blueprint element ids that realize it.
    pub realized_by: Vec<String>,
}

impl ControlFinding {
    /// The blueprint element id of the control: `req.<id lowercased>`.
    pub fn element_id(&self) -> String {
        format!("req.{}", self.id.to_lowercase())
    }
}

/// Everything the compliance crate concluded about one spec.
///
/// # Example
///
/// ```
/// # let spec = compliance::testing::tasks();
/// let analysis = compliance::analyze(&spec);
/// assert!(analysis.in_force(blueprint_core::spec::Framework::Soc2));
/// assert!(analysis.control("CSRF-PROTECTION").is_some());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Analysis {
    /// The product's name (kebab-case).
    pub product: String,
    /// The product's display name.
    pub product_title: String,
    /// The frameworks in force, in a fixed order.
    pub frameworks: Vec<FrameworkFinding>,
    /// The PII class of every field, in spec order.
    pub fields: Vec<FieldClass>,
    /// The controls, in catalog order, then custom ones in proposal order.
    pub controls: Vec<ControlFinding>,
    /// The PCI DSS scope, when PCI DSS is in force.
    pub pci_scope: Option<PciScope>,
    /// Proposals that were dropped, and why (unknown controls, unknown clause ids).
    pub warnings: Vec<String>,
}

impl Analysis {
    /// Whether a framework is in force.
    pub fn in_force(&self, framework: Framework) -> bool {
        self.frameworks.iter().any(|f| f.framework == framework)
    }

    /// The finding for a framework, if in force.
    pub fn framework(&self, framework: Framework) -> Option<&FrameworkFinding> {
        self.frameworks.iter().find(|f| f.framework == framework)
    }

    /// The control with this id, if chosen.
    pub fn control(&self, id: &str) -> Option<&ControlFinding> {
        self.controls.iter().find(|c| c.id == id)
    }

    /// The classification of one field.
    pub fn field(&self, entity: &str, field: &str) -> Option<&FieldClass> {
        self.fields
            .iter()
            .find(|f| f.entity == entity && f.field == field)
    }

    /// The blueprint parameters the analysis sets: every control parameter
    /// (`password.min_length`, …) and `pii.<Entity>.<field>` for every field.
    ///
    /// ```
    /// # let spec = compliance::testing::clinic();
    /// let params = compliance::analyze(&spec).blueprint_parameters();
    /// assert_eq!(params["password.min_length"], 12);
    /// assert_eq!(params["pii.Patient.insurance_number"], "sensitive");
    /// ```
    pub fn blueprint_parameters(&self) -> IndexMap<String, serde_json::Value> {
        let mut out = IndexMap::new();
        for c in &self.controls {
            for (k, v) in &c.parameters {
                out.insert(k.clone(), v.clone());
            }
        }
        for f in &self.fields {
            out.insert(
                crate::pii::parameter_key(&f.entity, &f.field),
                serde_json::Value::from(f.pii.as_str()),
            );
        }
        out
    }
}

/// Analyzes a spec with the built-in catalog and rules.
///
/// ```
/// # let spec = compliance::testing::clinic();
/// let analysis = compliance::analyze(&spec);
/// let ids: Vec<_> = analysis.frameworks.iter().map(|f| f.framework.id()).collect();
/// assert_eq!(ids, ["gdpr", "hipaa", "pci-dss"]);
/// ```
pub fn analyze(spec: &Spec) -> Analysis {
    Analyzer::new().analyze(spec)
}

/// The analysis settings: a catalog and the rules to run.
///
/// # Example
///
/// ```
/// use compliance::{Analyzer, ComplianceRule, Proposal, RuleContext};
///
/// struct AlwaysBackups;
/// impl ComplianceRule for AlwaysBackups {
///     fn id(&self) -> &str { "acme.backups" }
///     fn propose(&self, _: &RuleContext<'_>) -> Vec<Proposal> {
///         vec![Proposal::catalog("BACKUP-RESTORE", "Acme policy: daily backups")]
///     }
/// }
/// # let spec = compliance::testing::tasks();
/// let analysis = Analyzer::new().with_rule(AlwaysBackups).analyze(&spec);
/// let backups = analysis.control("BACKUP-RESTORE").unwrap();
/// assert!(backups.reasons.iter().any(|r| r.contains("Acme policy")));
/// ```
#[derive(Debug)]
pub struct Analyzer {
    catalog: Catalog,
    refs: FrameworkRefs,
    rules: RuleRegistry,
}

impl Default for Analyzer {
    fn default() -> Self {
        Analyzer::new()
    }
}

#[derive(Debug)]
struct Building {
    control: Control,
    reasons: Vec<String>,
    realized_by: Vec<String>,
    overrides: IndexMap<String, serde_json::Value>,
}

impl Analyzer {
    /// The built-in catalog and rules.
    pub fn new() -> Analyzer {
        Analyzer {
            catalog: Catalog::builtin().clone(),
            refs: FrameworkRefs::builtin().clone(),
            rules: RuleRegistry::builtin(),
        }
    }

    /// Adds a rule after the ones already there.
    pub fn with_rule(mut self, rule: impl ComplianceRule + 'static) -> Analyzer {
        self.rules.add(rule);
        self
    }

    /// Replaces the rules.
    pub fn with_rules(mut self, rules: RuleRegistry) -> Analyzer {
        self.rules = rules;
        self
    }

    /// Replaces the catalog.
    pub fn with_catalog(mut self, catalog: Catalog) -> Analyzer {
        self.catalog = catalog;
        self
    }

    /// The rules in use.
    pub fn rules(&self) -> &RuleRegistry {
        &self.rules
    }

    /// Analyzes a spec.
    pub fn analyze(&self, spec: &Spec) -> Analysis {
        self.analyze_in(spec, None)
    }

    /// Analyzes a spec, letting rules see the blueprint being completed.
    pub(crate) fn analyze_in(&self, spec: &Spec, blueprint: Option<&Blueprint>) -> Analysis {
        let fields = classify_spec(spec);
        let frameworks = frameworks_in_force(spec, &fields);
        let in_force: Vec<Framework> = frameworks.iter().map(|f| f.framework).collect();
        let scope = in_force
            .contains(&Framework::PciDss)
            .then(|| pci_scope(spec, &fields));
        let cx = RuleContext {
            spec,
            frameworks: &frameworks,
            fields: &fields,
            catalog: &self.catalog,
            pci_scope: scope.as_ref(),
            blueprint,
        };
        let mut warnings = Vec::new();
        let mut building: IndexMap<String, Building> = IndexMap::new();
        for rule in self.rules.rules() {
            for p in rule.propose(&cx) {
                self.take(rule.id(), p, &mut building, &mut warnings);
            }
        }
        // Catalog controls in catalog order, then custom ones.
        let order = |id: &str| {
            self.catalog
                .controls()
                .position(|c| c.id == id)
                .unwrap_or(usize::MAX)
        };
        let mut entries: Vec<(usize, usize, Building)> = building
            .into_values()
            .enumerate()
            .map(|(i, b)| (order(&b.control.id), i, b))
            .collect();
        entries.sort_by_key(|(o, i, _)| (*o, *i));
        let controls = entries
            .into_iter()
            .map(|(_, _, b)| self.finish(b, spec, &fields, &in_force, &mut warnings))
            .collect();
        Analysis {
            product: spec.product.name.clone(),
            product_title: spec.product.display_name().to_string(),
            frameworks,
            fields,
            controls,
            pci_scope: scope,
            warnings,
        }
    }

    fn take(
        &self,
        rule: &str,
        p: Proposal,
        building: &mut IndexMap<String, Building>,
        warnings: &mut Vec<String>,
    ) {
        let id = p.control_id().to_string();
        if !building.contains_key(&id) {
            let control = match &p.control {
                ProposedControl::Catalog(id) => {
                    match self.catalog.get(id) {
                        Some(c) => c.clone(),
                        None => {
                            warnings.push(format!("rule `{rule}` proposed `{id}`, which is not in the catalog; dropped"));
                            return;
                        }
                    }
                }
                ProposedControl::Custom(c) => {
                    let mut c = (**c).clone();
                    for (fw, ids) in c.clauses.iter_mut() {
                        ids.retain(|clause| {
                            let ok = FRAMEWORK_KEYS.contains(&fw.as_str()) && self.refs.contains(fw, clause);
                            if !ok {
                                warnings.push(format!(
                                    "rule `{rule}` cites `{fw}` clause `{clause}` for `{}`, which frameworks.yaml does not list; dropped",
                                    c.id
                                ));
                            }
                            ok
                        });
                    }
                    c
                }
            };
            building.insert(
                id.clone(),
                Building {
                    control,
                    reasons: Vec::new(),
                    realized_by: Vec::new(),
                    overrides: IndexMap::new(),
                },
            );
        }
        if let Some(b) = building.get_mut(&id) {
            if !p.reason.is_empty() && !b.reasons.contains(&p.reason) {
                b.reasons.push(p.reason);
            }
            b.realized_by.extend(p.realized_by);
            b.overrides.extend(p.parameters);
        }
    }

    fn finish(
        &self,
        b: Building,
        spec: &Spec,
        fields: &[FieldClass],
        in_force: &[Framework],
        warnings: &mut Vec<String>,
    ) -> ControlFinding {
        let c = b.control;
        let mut frameworks = IndexMap::new();
        for key in FRAMEWORK_KEYS {
            let relevant =
                key == "asvs" || Framework::from_id(key).is_some_and(|f| in_force.contains(&f));
            if let Some(ids) = c.clauses.get(key).filter(|ids| relevant && !ids.is_empty()) {
                frameworks.insert(key.to_string(), ids.clone());
            }
        }
        let mut reasons = b.reasons;
        let mut parameters = IndexMap::new();
        for (name, p) in &c.parameters {
            let (value, set_by) = p.effective(in_force);
            if let Some(f) = set_by {
                reasons.push(format!(
                    "{name} = {value}: the strictest value, asked by {}",
                    f.name()
                ));
            }
            parameters.insert(name.clone(), value);
        }
        for (k, v) in b.overrides {
            let stricter = c.parameters.get(&k).and_then(|p| p.stricter);
            let looser = match (
                stricter,
                v.as_f64(),
                parameters.get(&k).and_then(|x| x.as_f64()),
            ) {
                (Some(Stricter::Higher), Some(new), Some(old)) => new < old,
                (Some(Stricter::Lower), Some(new), Some(old)) => new > old,
                _ => false,
            };
            if looser {
                warnings.push(format!(
                    "a rule asked {k} = {v} for `{}`, which is weaker than the {} in force; kept {}",
                    c.id, parameters[&k], parameters[&k]
                ));
                continue;
            }
            reasons.push(format!("{k} = {v}: set by a rule"));
            parameters.insert(k, v);
        }
        let mut realized_by = if c.capability == Capability::Custom {
            Vec::new()
        } else {
            crate::ids::realizers(c.capability, spec, fields)
        };
        realized_by.extend(b.realized_by);
        crate::ids::dedup(&mut realized_by);
        ControlFinding {
            id: c.id,
            title: c.title,
            requires: c.requires,
            capability: c.capability,
            frameworks,
            parameters,
            reasons,
            realized_by,
        }
    }
}
