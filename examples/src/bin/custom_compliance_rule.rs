//! Adds a company's own compliance rule from outside the `compliance` crate.
//!
//! Acme requires signed payment webhooks whenever a product takes card
//! payments, and a shorter idle session for anything holding health data.
//! The rule proposes a control of its own (mapped to PCI DSS and ASVS clause
//! ids) and tightens a built-in one. It is registered with the render
//! engine, so everything the engine completes runs it: `render::generate`
//! weaves both controls into the blueprint, the generated compliance matrix
//! (`docs/compliance.md`) lists the custom one like a built-in control, the
//! backend reads the tightened session parameter, and the quality gate
//! (`gate::Project::load` with the same engine) rebuilds the same
//! blueprint.
//!
//! Run with `cargo run -p archgen-examples --bin custom_compliance_rule`.

use blueprint_core::spec::Framework;
use compliance::catalog::{AppliesUnder, Condition};
use compliance::{Capability, ComplianceRule, Control, Proposal, RuleContext};
use indexmap::IndexMap;
use render::{Engine, Generated, Options};

/// Acme's payments and health rule.
struct AcmePolicy;

impl ComplianceRule for AcmePolicy {
    fn id(&self) -> &str {
        "acme.policy"
    }

    fn propose(&self, cx: &RuleContext<'_>) -> Vec<Proposal> {
        let mut out = Vec::new();
        if cx.in_force(Framework::PciDss) {
            let mut clauses = IndexMap::new();
            clauses.insert("pci-dss".to_string(), vec!["6.2.4".to_string()]);
            clauses.insert("asvs".to_string(), vec!["V13.2.5".to_string()]);
            let control = Control {
                id: "ACME-SIGNED-WEBHOOKS".to_string(),
                title: "Payment webhooks must be signed".to_string(),
                requires: "The backend accepts a payments vendor's webhook only when its signature verifies with the endpoint secret.".to_string(),
                capability: Capability::Custom,
                applies: vec![AppliesUnder::Framework(Framework::PciDss)],
                when: Condition::Always,
                clauses,
                parameters: IndexMap::new(),
            };
            let mut p = Proposal::custom(
                control,
                "Acme policy: every product that takes card payments",
            );
            for vendor in cx
                .spec
                .integrations
                .keys()
                .filter(|v| v.as_str() == "stripe")
            {
                p = p.realized_by(format!("ext.{vendor}"));
            }
            out.push(p.realized_by(format!("app.{}.api", cx.spec.product.name)));
        }
        if cx.special_category_fields().next().is_some() {
            out.push(
                Proposal::catalog(
                    "SESSION-MANAGEMENT",
                    "Acme policy: health data means 10-minute idle sessions",
                )
                .with_parameter("session.idle_minutes", 10),
            );
        }
        out
    }
}

/// An engine with the built-ins and Acme's rule.
fn engine() -> Engine {
    Engine::with_builtins().with_rule(AcmePolicy)
}

/// Checks the clinic spec and generates it (backend and documents) with the
/// engine.
fn run(engine: &Engine) -> Result<Generated, String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("specs/clinic.yaml");
    let spec = engine
        .parse_file(&path)
        .map_err(|e| format!("{}: {e}", path.display()))?
        .spec;
    render::generate(&spec, engine, &Options::new()).map_err(|e| e.to_string())
}

fn main() {
    let engine = engine();
    let ids: Vec<&str> = engine.analyzer().rules().ids().collect();
    println!("rules: {}", ids.join(", "));
    let generated = match run(&engine) {
        Ok(generated) => generated,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    let Some(custom) = generated.analysis.control("ACME-SIGNED-WEBHOOKS") else {
        eprintln!("error: the custom control was not chosen");
        std::process::exit(1);
    };
    println!("{}: {}", custom.id, custom.title);
    println!("  frameworks: {:?}", custom.frameworks);
    println!("  reasons: {}", custom.reasons.join("; "));
    println!("  realized by: {}", custom.realized_by.join(", "));
    let matrix = generated
        .tree
        .get_str("docs/compliance.md")
        .unwrap_or_default();
    for line in matrix
        .lines()
        .filter(|l| l.contains("ACME-SIGNED-WEBHOOKS"))
    {
        println!("docs/compliance.md: {line}");
    }
    println!(
        "controls: {}, blueprint elements: {}, files: {}",
        generated.analysis.controls.len(),
        generated.blueprint.elements().count(),
        generated.tree.len()
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule_reaches_the_blueprint_and_the_analysis() {
        let generated = run(&engine()).unwrap();
        let custom = generated.analysis.control("ACME-SIGNED-WEBHOOKS").unwrap();
        assert_eq!(custom.frameworks["pci-dss"], ["6.2.4"]);
        assert_eq!(custom.realized_by, ["ext.stripe", "app.clinic-flow.api"]);
        assert!(generated
            .blueprint
            .element_by_str("req.acme-signed-webhooks")
            .is_some());
        assert_eq!(
            generated
                .blueprint
                .parameter("session.idle_minutes")
                .map(|p| p.value.clone()),
            Some(10.into())
        );
        assert!(
            generated.analysis.warnings.is_empty(),
            "{:?}",
            generated.analysis.warnings
        );
    }

    #[test]
    fn the_rule_shows_in_the_generated_compliance_matrix() {
        let generated = run(&engine()).unwrap();
        let matrix = generated.tree.get_str("docs/compliance.md").unwrap();
        assert!(matrix.contains("ACME-SIGNED-WEBHOOKS"), "{matrix}");
        assert!(
            matrix.contains("Payment webhooks must be signed"),
            "{matrix}"
        );
        // Without the rule, the same spec has no such control.
        let plain = run(&Engine::with_builtins()).unwrap();
        assert!(!plain
            .tree
            .get_str("docs/compliance.md")
            .unwrap()
            .contains("ACME-SIGNED-WEBHOOKS"));
    }
}
