//! The documents describe only what the generated project contains: an
//! integration of the spec that no registered vendor generated for the
//! stack is listed as "not generated: add it yourself", never as
//! implemented; one a vendor generated is described as part of the system.

use blueprint_core::graph::Blueprint;
use indexmap::IndexMap;
use render::{Engine, FileTree, Options};
use vendors::{PlannedFile, Vendor, VendorError};

const SPEC: &str = r#"
spec_version: 1
product:
  name: card-shop
  description: Customers order goods and pay by card. Receipts go out by email.
entities:
  Order:
    owned: true
    fields:
      total: { type: decimal, required: true }
      total_cents: { type: integer, write: [admin] }
      paid: { type: boolean, default: false, write: [admin] }
      note: text
integrations:
  stripe: { pays_for: Order, amount: total_cents, sets: paid }
  slack: {}
  sentry: {}
"#;

/// An engine with archgen's stacks and every built-in vendor but
/// `stripe`, so the spec's `stripe` is left out as no vendor serves it.
fn engine_without_stripe() -> Engine {
    let mut engine = Engine::with_builtins();
    engine.remove_vendor("stripe");
    engine
}

/// The spec's integrations the engine of the first test does not
/// generate.
const VENDORS: [(&str, &str); 2] = [("stripe", "Stripe"), ("slack", "Slack")];

fn generate(engine: &Engine) -> FileTree {
    let spec =
        blueprint_core::spec::parse_str("spec.yaml", SPEC, blueprint_core::spec::Format::Yaml)
            .expect("the spec is valid")
            .spec;
    render::generate(&spec, engine, &Options::new())
        .expect("the project renders")
        .tree
}

/// The path of the generated ADR whose file name ends with `suffix`
/// (numbers move when records are added).
fn adr_path(tree: &FileTree, suffix: &str) -> String {
    tree.iter()
        .map(|(p, _)| p.to_string())
        .find(|p| p.starts_with("docs/adr/") && p.ends_with(suffix))
        .unwrap_or_else(|| panic!("no ADR ending in {suffix}"))
}

fn doc<'a>(tree: &'a FileTree, path: &str) -> &'a str {
    tree.get_str(path)
        .unwrap_or_else(|| panic!("{path} is generated"))
}

/// Every line of every document that speaks of the hosted checkout marks it
/// as planned, not done.
fn assert_no_hosted_checkout_claim(tree: &FileTree) {
    for (path, bytes) in tree.iter().filter(|(p, _)| p.starts_with("docs/")) {
        let text = String::from_utf8_lossy(bytes);
        for line in text.lines() {
            if line.contains("hosted checkout takes the card") {
                assert!(
                    line.contains("not generated") || line.contains("Not generated"),
                    "{path} claims the hosted checkout without saying it is not generated: {line}"
                );
            }
        }
    }
}

#[test]
fn integrations_no_vendor_serves_are_documented_as_not_generated() {
    let engine = engine_without_stripe();
    let tree = generate(&engine);

    // No code or variable of the vendors in the project.
    for (path, bytes) in tree.iter().filter(|(p, _)| !p.starts_with("docs/")) {
        let text = String::from_utf8_lossy(bytes).to_lowercase();
        for (id, _) in VENDORS {
            assert!(!text.contains(id), "{path} mentions {id}");
        }
    }

    for (id, name) in VENDORS.iter() {
        let path = adr_path(&tree, &format!("-integrate-{id}.md"));
        let adr = doc(&tree, &path);
        assert!(
            adr.contains("- Status: proposed (not generated)"),
            "{path}:\n{adr}"
        );
        assert!(!adr.contains("Chosen option"), "{path}:\n{adr}");
        assert!(
            adr.contains(&format!("this project contains no {name} code")),
            "{path}:\n{adr}"
        );
        assert!(adr.contains("backend-contract.md"), "{path}:\n{adr}");
    }
    let stripe = doc(&tree, &adr_path(&tree, "-integrate-stripe.md"));
    assert!(stripe.contains("`STRIPE_WEBHOOK_SECRET`"));
    assert!(stripe.contains("`POST /api/webhooks/stripe`"));
    // Sentry ships: its ADR is accepted and the project holds its module.
    let sentry = doc(&tree, &adr_path(&tree, "-integrate-sentry.md"));
    assert!(sentry.contains("`SENTRY_DSN`"));
    assert!(sentry.contains("- Status: accepted"), "{sentry}");
    assert!(tree.contains("src/card_shop/integrations/sentry.py"));
    assert!(doc(&tree, ".env.example").contains("\nSENTRY_DSN=\n"));
    let compliance_md = doc(&tree, "docs/compliance.md");
    assert!(
        compliance_md.contains("| sentry | generated |"),
        "{compliance_md}"
    );
    let index = doc(&tree, "docs/adr/README.md");
    assert!(index.contains(&format!(
        "Integrate Stripe]({}) | proposed (not generated) |",
        adr_path(&tree, "-integrate-stripe.md").trim_start_matches("docs/adr/")
    )));

    let compliance = doc(&tree, "docs/compliance.md");
    for (id, name) in VENDORS {
        assert!(
            compliance.contains(&format!("| {id} | not generated: add it yourself |")),
            "{id}:\n{compliance}"
        );
        assert!(compliance.contains(&format!("{name} (`ext.{id}`, not generated)")));
    }

    let traceability = doc(&tree, "docs/traceability.md");
    for (id, _) in VENDORS {
        assert!(
            traceability.contains(&format!(
                "| {id} | `ext.{id}` | not generated: add it yourself |"
            )),
            "{id}:\n{traceability}"
        );
    }

    let architecture = doc(&tree, "docs/ARCHITECTURE.md");
    for (id, _) in VENDORS {
        assert!(architecture.contains(&format!("-.->|\"not generated\"| ext_{id}")));
        assert!(!architecture.contains(&format!("api -->|\"HTTPS API\"| ext_{id}")));
        assert!(architecture.contains(&format!("(`{id}`) |")));
    }

    assert_no_hosted_checkout_claim(&tree);
}

/// A vendor of one's own that serves Stripe for python-fastapi.
struct StripeFiles;

impl Vendor for StripeFiles {
    fn id(&self) -> &'static str {
        "stripe"
    }
    fn supports(&self, stack_id: &str) -> bool {
        stack_id == "python-fastapi"
    }
    fn plan(
        &self,
        _: &str,
        _: &Blueprint,
        _: &IndexMap<String, serde_json::Value>,
    ) -> Result<Vec<PlannedFile>, VendorError> {
        Ok(vec![PlannedFile::text(
            "src/card_shop/payments.py",
            "\"\"\"Stripe payments.\"\"\"\n",
        )])
    }
}

#[test]
fn an_integration_a_registered_vendor_serves_is_documented_as_generated() {
    let mut engine = Engine::with_builtins();
    engine.register_vendor(Box::new(StripeFiles));
    let tree = generate(&engine);
    assert!(tree.contains("src/card_shop/payments.py"));

    let stripe = doc(&tree, &adr_path(&tree, "-integrate-stripe.md"));
    assert!(stripe.contains("- Status: accepted"), "{stripe}");
    assert!(stripe.contains("Chosen option: \"integrate Stripe"));
    assert!(stripe.contains("Stripe's hosted checkout takes the card"));
    assert!(!stripe.contains("not generated"));
    // The others are still not generated.
    let slack = doc(&tree, &adr_path(&tree, "-integrate-slack.md"));
    assert!(slack.contains("- Status: proposed (not generated)"));

    let compliance = doc(&tree, "docs/compliance.md");
    assert!(compliance.contains("| stripe | generated | – |"));
    assert!(compliance.contains("| slack | not generated: add it yourself |"));
    assert!(!compliance.contains("(planned: the `stripe` integration"));

    let traceability = doc(&tree, "docs/traceability.md");
    assert!(traceability.contains("| stripe | `ext.stripe` | generated |"));

    let architecture = doc(&tree, "docs/ARCHITECTURE.md");
    assert!(architecture.contains("api -->|\"HTTPS API\"| ext_stripe"));
    assert!(architecture.contains("-.->|\"not generated\"| ext_slack"));
}

#[test]
fn documents_without_a_backend_claim_no_integration() {
    let spec =
        blueprint_core::spec::parse_str("spec.yaml", SPEC, blueprint_core::spec::Format::Yaml)
            .expect("the spec is valid")
            .spec;
    let mut engine = Engine::with_builtins();
    engine.register_vendor(Box::new(StripeFiles));
    let tree = render::generate(&spec, &engine, &Options::new().with_backend(false))
        .expect("the documents render")
        .tree;
    let stripe = doc(&tree, &adr_path(&tree, "-integrate-stripe.md"));
    assert!(stripe.contains("- Status: proposed (not generated)"));
    assert_no_hosted_checkout_claim(&tree);
}
