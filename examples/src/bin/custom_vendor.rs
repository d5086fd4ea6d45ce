//! Registers an integration of one's own with the render engine, so a spec
//! can name it under `integrations:` and its files land in the project.
//!
//! Acme keeps its customers in an in-house CRM. Its vendor declares the
//! options it takes (a region and whether to sync on create); the engine
//! tells the spec checker, so `integrations: { acme_crm: { region: eu } }`
//! checks, a wrong option is reported with a hint like a built-in one's,
//! and `render::generate` adds the vendor's client module to the
//! python-fastapi backend. The template is embedded here; it could as well
//! be read from a folder with `stacks::templates_from_dir`.
//!
//! Run with `cargo run -p archgen-examples --bin custom_vendor`.

use blueprint_core::graph::Blueprint;
use blueprint_core::spec::{Format, OptionKind};
use indexmap::IndexMap;
use render::{Engine, Generated, Options};
use serde_json::json;
use stacks::{PlannedFile, Template};
use std::process::ExitCode;
use vendors::{Vendor, VendorError};

/// Where the vendor's client module goes in the python-fastapi project of
/// the example spec: beside the app's modules, in its package.
const CLIENT_PATH: &str = "src/acme_shop/acme_crm.py";

/// Acme's CRM integration.
struct AcmeCrm;

impl Vendor for AcmeCrm {
    fn id(&self) -> &'static str {
        "acme_crm"
    }

    fn purpose(&self) -> &'static str {
        "Acme's customer records"
    }

    fn options(&self) -> &'static [(&'static str, OptionKind)] {
        &[
            ("region", OptionKind::OneOf(&["eu", "us"])),
            ("sync_on_create", OptionKind::Bool),
        ]
    }

    fn supports(&self, stack_id: &str) -> bool {
        stack_id == "python-fastapi"
    }

    fn templates(&self) -> Vec<Template> {
        vec![Template::embedded(
            "acme_crm/python-fastapi/client.py",
            "\"\"\"Acme CRM client for {{product}}.\"\"\"\n\nREGION = {{json region}}\nBASE_URL = \"https://crm.{{region}}.acme.example/api\"\nSYNC_ON_CREATE = {{#if sync_on_create}}True{{else}}False{{/if}}\nSYNCED_ENTITIES = [{{#each entities}}{{json this}}{{#unless @last}}, {{/unless}}{{/each}}]\n",
        )]
    }

    fn plan(
        &self,
        stack_id: &str,
        blueprint: &Blueprint,
        options: &IndexMap<String, serde_json::Value>,
    ) -> Result<Vec<PlannedFile>, VendorError> {
        if !self.supports(stack_id) {
            return Err(VendorError::Unsupported {
                vendor: self.id().to_string(),
                stack: stack_id.to_string(),
            });
        }
        Ok(vec![client_file(blueprint, options)])
    }
}

/// The planning itself, apart from the trait: the client module and what
/// it prints.
fn client_file(
    blueprint: &Blueprint,
    options: &IndexMap<String, serde_json::Value>,
) -> PlannedFile {
    let spec = blueprint.spec();
    let view = json!({
        "product": spec.product.display_name(),
        "region": options.get("region").and_then(|r| r.as_str()).unwrap_or("eu"),
        "sync_on_create": options.get("sync_on_create").and_then(|s| s.as_bool()).unwrap_or(false),
        "entities": spec.entities.keys().collect::<Vec<_>>(),
    });
    let package = blueprint_core::naming::snake(&spec.product.name);
    PlannedFile::template(
        format!("src/{package}/acme_crm.py"),
        "acme_crm/python-fastapi/client.py",
        view,
    )
}

/// The spec Acme's team writes: a small shop whose customers go to the CRM.
const SPEC: &str = "\
spec_version: 1
product: { name: acme-shop, title: Acme Shop }
integrations:
  acme_crm: { region: eu, sync_on_create: true }
entities:
  Customer:
    fields: { name: string!, email: email! }
";

/// An engine with the built-ins and Acme's vendor.
fn engine() -> Engine {
    let mut engine = Engine::with_builtins();
    engine.register_vendor(Box::new(AcmeCrm));
    engine
}

/// Checks the spec with the engine and generates it.
fn run(engine: &Engine, spec_text: &str) -> Result<Generated, String> {
    let spec = engine
        .parse_str("acme-shop.yaml", spec_text, Format::Yaml)
        .map_err(|e| {
            let text = blueprint_core::diag::render_text(&e.diagnostics, e.input.as_ref());
            format!("{e}\n{text}")
        })?
        .spec;
    render::generate(&spec, engine, &Options::new()).map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    match run(&engine(), SPEC) {
        Ok(generated) => {
            println!("{CLIENT_PATH}:");
            print!(
                "{}",
                generated.tree.get_str(CLIENT_PATH).unwrap_or_default()
            );
            println!(
                "{} files; integrations without files: {}",
                generated.tree.len(),
                if generated.unserved_integrations.is_empty() {
                    "none".to_string()
                } else {
                    generated.unserved_integrations.join(", ")
                }
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spec_naming_the_vendor_generates_its_file() {
        let generated = run(&engine(), SPEC).unwrap();
        assert!(generated.unserved_integrations.is_empty());
        let client = generated.tree.get_str(CLIENT_PATH).unwrap();
        assert!(client.contains("REGION = \"eu\"\n"), "{client}");
        assert!(client.contains("SYNC_ON_CREATE = True\n"), "{client}");
        assert!(
            client.contains("SYNCED_ENTITIES = [\"Customer\"]\n"),
            "{client}"
        );
        // The blueprint has the integration as an external component.
        assert!(generated.blueprint.element_by_str("ext.acme_crm").is_some());
    }

    #[test]
    fn without_the_vendor_the_spec_is_refused() {
        let err = run(&Engine::with_builtins(), SPEC).unwrap_err();
        assert!(err.contains("E600") && err.contains("acme_crm"), "{err}");
    }

    #[test]
    fn a_wrong_option_is_reported_like_a_built_in_one() {
        let spec = SPEC.replace("region: eu", "regoin: eu");
        let err = run(&engine(), &spec).unwrap_err();
        assert!(err.contains("E601"), "{err}");
        assert!(err.contains("did you mean `region`?"), "{err}");
        let spec = SPEC.replace("region: eu", "region: mars");
        let err = run(&engine(), &spec).unwrap_err();
        assert!(
            err.contains("E602") && err.contains("one of eu, us"),
            "{err}"
        );
    }
}
