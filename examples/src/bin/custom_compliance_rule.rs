//! Adds a company's own compliance rule from outside the `compliance` crate.
//!
//! Acme requires signed payment webhooks whenever a product takes card
//! payments, and a shorter idle session for anything holding health data.
//! The rule proposes a control of its own (mapped to PCI DSS and ASVS clause
//! ids) and tightens a built-in one; the analysis, the reports and the
//! blueprint pick both up like built-in controls.
//!
//! Run with `cargo run -p archgen-examples --bin custom_compliance_rule`.

use blueprint_core::graph::Blueprint;
use blueprint_core::spec::Framework;
use compliance::catalog::{AppliesUnder, Condition};
use compliance::{Analyzer, Capability, ComplianceRule, Control, Proposal, RuleContext};
use indexmap::IndexMap;

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

fn main() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("specs/clinic.yaml");
    let spec = match blueprint_core::spec::parse_file(&path) {
        Ok(checked) => checked.spec,
        Err(e) => {
            eprintln!("{}: {e}", path.display());
            std::process::exit(1);
        }
    };
    let analyzer = Analyzer::new().with_rule(AcmePolicy);
    let ids: Vec<&str> = analyzer.rules().ids().collect();
    println!("rules: {}", ids.join(", "));

    let mut blueprint = Blueprint::from_spec(&spec);
    let analysis = analyzer
        .complete(&mut blueprint)
        .expect("the clinic blueprint takes the controls");

    let custom = analysis
        .control("ACME-SIGNED-WEBHOOKS")
        .expect("the custom control is chosen");
    assert_eq!(custom.frameworks["pci-dss"], ["6.2.4"]);
    assert_eq!(custom.realized_by, ["ext.stripe", "app.clinic-flow.api"]);
    assert!(blueprint
        .element_by_str("req.acme-signed-webhooks")
        .is_some());
    assert_eq!(
        blueprint
            .parameter("session.idle_minutes")
            .map(|p| p.value.clone()),
        Some(10.into())
    );
    assert!(analysis.warnings.is_empty(), "{:?}", analysis.warnings);

    println!("{}: {}", custom.id, custom.title);
    println!("  frameworks: {:?}", custom.frameworks);
    println!("  reasons: {}", custom.reasons.join("; "));
    println!("  realized by: {}", custom.realized_by.join(", "));
    let session = analysis
        .control("SESSION-MANAGEMENT")
        .expect("baseline control");
    println!("SESSION-MANAGEMENT parameters: {:?}", session.parameters);
    println!(
        "controls: {}, blueprint elements: {}",
        analysis.controls.len(),
        blueprint.elements().count()
    );
}
