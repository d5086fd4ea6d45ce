//! Weaving an analysis into a blueprint: frameworks become motivation
//! Drivers, controls become Requirements (or Constraints, when they fix
//! numbers), the elements that realize a control are linked to it, and the
//! control parameters and PII classes become blueprint parameters.
//!
//! | what | element or relationship |
//! |---|---|
//! | a framework in force | Driver `drv.<framework>` (`drv.gdpr`, `drv.pci-dss`) |
//! | the security baseline | Driver `drv.security-baseline` |
//! | a control | Requirement `req.<control id lowercased>`; a Constraint when it has parameters |
//! | why a control applies | Influence from each driver that asks for it to the control |
//! | what realizes a control | Realization from each realizing element to the control |
//! | a control parameter | blueprint parameter (`password.min_length`), set by the control |
//! | a field's PII class | blueprint parameter `pii.<Entity>.<field>`, set by `do.<entity>` |
//!
//! Weaving twice adds nothing new: present elements and relationships are
//! kept.

use blueprint_core::archimate::{is_allowed, ElementKind, RelationshipKind};
use blueprint_core::graph::{Blueprint, Element, ElementId, NewRelationship};

use crate::analysis::{Analysis, ControlFinding};
use crate::catalog::Catalog;
use crate::Error;

/// The id of the driver of the security baseline.
pub const BASELINE_DRIVER: &str = "drv.security-baseline";

/// What weaving changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Woven {
    /// Elements added (drivers, requirements, constraints), in order.
    pub elements: Vec<String>,
    /// Relationships added, in order.
    pub relationships: Vec<String>,
    /// Parameter keys set, in order.
    pub parameters: Vec<String>,
    /// For each control id, the element ids that realize it in this blueprint.
    pub realized_by: Vec<(String, Vec<String>)>,
}

fn id(text: &str) -> Result<ElementId, Error> {
    Ok(ElementId::new(text)?)
}

/// The driver id of a framework: `drv.<framework id>`.
pub fn driver_id(framework: blueprint_core::spec::Framework) -> String {
    format!("drv.{}", framework.id())
}

/// Adds an element unless one with the id is there already.
fn ensure(bp: &mut Blueprint, element: Element, woven: &mut Woven) -> Result<ElementId, Error> {
    if let Some(present) = bp.element(&element.id) {
        if present.kind != element.kind {
            return Err(Error::Clash {
                id: element.id.to_string(),
                found: present.kind.xsi_type().to_string(),
                wanted: element.kind.xsi_type().to_string(),
            });
        }
        return Ok(element.id);
    }
    let added = bp.add_element(element)?;
    woven.elements.push(added.to_string());
    Ok(added)
}

/// Links two elements with the first allowed kind of `kinds`, unless a
/// relationship of that kind already joins them. Returns whether they are
/// linked.
fn link(
    bp: &mut Blueprint,
    kinds: &[RelationshipKind],
    source: &ElementId,
    target: &ElementId,
    woven: &mut Woven,
) -> Result<bool, Error> {
    let (Some(s), Some(t)) = (bp.element(source), bp.element(target)) else {
        return Ok(false);
    };
    let Some(kind) = kinds
        .iter()
        .copied()
        .find(|k| is_allowed(s.kind, *k, t.kind))
    else {
        return Ok(false);
    };
    if bp
        .relationships_from(source)
        .any(|r| r.kind == kind && &r.target == target)
    {
        return Ok(true);
    }
    let rel = bp.add_relationship(NewRelationship::new(kind, source, target))?;
    woven.relationships.push(rel.to_string());
    Ok(true)
}

fn control_element(c: &ControlFinding) -> Result<Element, Error> {
    let kind = if c.parameters.is_empty() {
        ElementKind::Requirement
    } else {
        ElementKind::Constraint
    };
    let mut e = Element::new(id(&c.element_id())?, kind, c.title.clone())
        .with_documentation(c.requires.clone())
        .with_property("control", c.id.clone())
        .with_property("capability", c.capability.to_string());
    for (fw, clauses) in &c.frameworks {
        e = e.with_property(format!("clauses.{fw}"), clauses.join(", "));
    }
    for (k, v) in &c.parameters {
        e = e.with_property(format!("param.{k}"), v.to_string());
    }
    if !c.reasons.is_empty() {
        e = e.with_property("reasons", c.reasons.join("; "));
    }
    Ok(e)
}

/// Weaves an analysis into a blueprint.
///
/// # Errors
///
/// [`Error::Clash`] when an element of another kind already uses a `drv.`
/// or `req.` id; [`Error::Weave`] when the blueprint refuses an element or
/// relationship.
///
/// ```
/// use blueprint_core::graph::Blueprint;
/// # let spec = compliance::testing::clinic();
/// let mut bp = Blueprint::from_spec(&spec);
/// let analysis = compliance::analyze(&spec);
/// let woven = compliance::weave::weave(&mut bp, &analysis).unwrap();
/// assert!(woven.elements.contains(&"drv.hipaa".to_string()));
/// assert_eq!(bp.parameter("password.min_length").unwrap().value, 12);
/// ```
pub fn weave(bp: &mut Blueprint, analysis: &Analysis) -> Result<Woven, Error> {
    let mut woven = Woven::default();
    let catalog = Catalog::builtin();

    let baseline = ensure(
        bp,
        Element::new(id(BASELINE_DRIVER)?, ElementKind::Driver, "Security baseline")
            .with_documentation("The controls every generated backend carries, mapped to OWASP ASVS 4.0.3; no spec option removes them.")
            .with_property("framework", "baseline"),
        &mut woven,
    )?;
    let mut drivers = Vec::new();
    for f in &analysis.frameworks {
        let e = Element::new(
            id(&driver_id(f.framework))?,
            ElementKind::Driver,
            f.framework.name(),
        )
        .with_documentation(f.reasons.join("; "))
        .with_property("framework", f.framework.id())
        .with_property("declared", f.declared.to_string());
        let e = match (&analysis.pci_scope, f.framework) {
            (Some(scope), blueprint_core::spec::Framework::PciDss) => {
                e.with_property("scope", scope.describe())
            }
            _ => e,
        };
        drivers.push((f.framework, ensure(bp, e, &mut woven)?));
    }

    for c in &analysis.controls {
        let req = ensure(bp, control_element(c)?, &mut woven)?;
        let catalog_control = catalog.get(&c.id);
        let is_baseline = catalog_control.is_none_or(|cc| cc.is_baseline());
        let influence = [RelationshipKind::Influence, RelationshipKind::Association];
        if is_baseline {
            link(bp, &influence, &baseline, &req, &mut woven)?;
        }
        for (fw, driver) in &drivers {
            let cites = c.frameworks.contains_key(fw.id());
            let asks = catalog_control.is_some_and(|cc| {
                cc.applies
                    .contains(&crate::catalog::AppliesUnder::Framework(*fw))
            });
            if cites || asks {
                link(bp, &influence, driver, &req, &mut woven)?;
            }
        }
        let mut realizers = Vec::new();
        for r in &c.realized_by {
            let Ok(rid) = ElementId::new(r) else { continue };
            let kinds = [RelationshipKind::Realization, RelationshipKind::Association];
            if link(bp, &kinds, &rid, &req, &mut woven)? {
                realizers.push(r.clone());
            }
        }
        woven.realized_by.push((c.id.clone(), realizers));
        for (k, v) in &c.parameters {
            bp.set_parameter(k.clone(), v.clone(), &req)?;
            woven.parameters.push(k.clone());
        }
    }

    let app = bp
        .elements_of_kind(ElementKind::ApplicationComponent)
        .find(|e| e.property("external") != Some("true"))
        .map(|e| e.id.clone());
    for f in &analysis.fields {
        let data_object = ElementId::new(crate::ids::data_object(&f.entity)).ok();
        let owner = data_object
            .filter(|d| bp.element(d).is_some())
            .or_else(|| app.clone())
            .unwrap_or_else(|| baseline.clone());
        let key = crate::pii::parameter_key(&f.entity, &f.field);
        bp.set_parameter(key.clone(), f.pii.as_str(), &owner)?;
        woven.parameters.push(key);
    }
    Ok(woven)
}

/// Analyzes the blueprint's spec and weaves the result into it; the
/// returned analysis lists as `realized_by` exactly the elements linked to
/// each control in this blueprint.
///
/// # Errors
///
/// As [`weave`].
///
/// ```
/// use blueprint_core::graph::Blueprint;
/// # let spec = compliance::testing::tasks();
/// let mut bp = Blueprint::from_spec(&spec);
/// let analysis = compliance::complete(&mut bp).unwrap();
/// assert!(bp.element_by_str("req.csrf-protection").is_some());
/// assert!(analysis.control("CSRF-PROTECTION").unwrap().realized_by.contains(&"app.team-tasks.api".to_string()));
/// ```
pub fn complete(bp: &mut Blueprint) -> Result<Analysis, Error> {
    crate::Analyzer::new().complete(bp)
}

impl crate::Analyzer {
    /// Analyzes the blueprint's spec with these settings (rules see the
    /// blueprint in [`RuleContext::blueprint`](crate::RuleContext)) and
    /// weaves the result into it; see [`complete`].
    ///
    /// ```
    /// use blueprint_core::graph::Blueprint;
    /// # let spec = compliance::testing::clinic();
    /// let mut bp = Blueprint::from_spec(&spec);
    /// let analysis = compliance::Analyzer::new().complete(&mut bp).unwrap();
    /// assert!(analysis.in_force(blueprint_core::spec::Framework::PciDss));
    /// assert!(bp.element_by_str("drv.pci-dss").is_some());
    /// ```
    ///
    /// # Errors
    ///
    /// As [`weave`].
    pub fn complete(&self, bp: &mut Blueprint) -> Result<Analysis, Error> {
        let spec = bp.spec().clone();
        let mut analysis = self.analyze_in(&spec, Some(bp));
        let woven = weave(bp, &analysis)?;
        for (control, realizers) in woven.realized_by {
            if let Some(c) = analysis.controls.iter_mut().find(|c| c.id == control) {
                c.realized_by = realizers;
            }
        }
        Ok(analysis)
    }
}
