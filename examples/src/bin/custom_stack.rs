//! Registers a stack of one's own with the render engine and generates a
//! product with it.
//!
//! Acme's platform team keeps a tiny "service catalog" stack: one YAML file
//! per entity and a README listing the collections. It plans files with
//! view models computed in Rust; the engine renders the templates strictly
//! (a field missing from a view model is an error), adds the documents and
//! vendor files, and writes the tree safely. Here the write is a dry run in
//! a temporary directory, so the program leaves nothing behind.
//!
//! Run with `cargo run -p archgen-examples --bin custom_stack`.

use blueprint_core::graph::Blueprint;
use blueprint_core::naming;
use blueprint_core::spec::{parse_file, Spec};
use render::write::{write_tree, WriteOptions};
use render::{Engine, Options};
use serde_json::json;
use stacks::{PlannedFile, Stack, StackError, Stage, Template, VerificationPlan};
use std::path::Path;
use std::process::ExitCode;

/// Acme's service catalog stack.
struct Catalog;

impl Stack for Catalog {
    fn id(&self) -> &'static str {
        "acme-catalog"
    }

    fn description(&self) -> &'static str {
        "a service catalog entry per entity"
    }

    fn templates(&self) -> Vec<Template> {
        vec![
            Template {
                name: "acme-catalog/entity.yaml",
                source: "kind: {{kebab name}}\ncollection: {{collection}}\nfields:\n{{#each fields}}  - {{this}}\n{{/each}}",
            },
            Template {
                name: "acme-catalog/README.md",
                source: "# {{title}}\n\n{{#each collections}}- `{{this}}`\n{{/each}}",
            },
        ]
    }

    fn plan(&self, blueprint: &Blueprint) -> Result<Vec<PlannedFile>, StackError> {
        let spec = blueprint.spec();
        let mut files: Vec<PlannedFile> = spec
            .entities
            .iter()
            .map(|(name, entity)| {
                PlannedFile::template(
                    format!("catalog/{}.yaml", naming::snake(name)),
                    "acme-catalog/entity.yaml",
                    json!({
                        "name": name,
                        "collection": entity.collection(),
                        "fields": entity.fields.keys().collect::<Vec<_>>(),
                    }),
                )
            })
            .collect();
        files.push(PlannedFile::template(
            "README.md",
            "acme-catalog/README.md",
            json!({
                "title": spec.product.display_name(),
                "collections": spec.entities.values().map(|e| e.collection()).collect::<Vec<_>>(),
            }),
        ));
        Ok(files)
    }

    fn verification(&self) -> VerificationPlan {
        VerificationPlan {
            stages: vec![Stage {
                name: "lint".to_string(),
                make_target: "lint".to_string(),
                timeout_secs: 60,
            }],
        }
    }
}

fn spec() -> Result<Spec, String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("specs/clinic.yaml");
    parse_file(&path)
        .map(|checked| checked.spec)
        .map_err(|e| format!("{}: {e}", path.display()))
}

fn main() -> ExitCode {
    let spec = match spec() {
        Ok(spec) => spec,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let mut engine = Engine::with_builtins();
    engine.register_stack(Box::new(Catalog));
    let options = Options::new().with_stack("acme-catalog");
    let generated = match render::generate(&spec, &engine, &options) {
        Ok(generated) => generated,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    if let Some(readme) = generated.tree.get_str("README.md") {
        print!("{readme}");
    }
    let out = std::env::temp_dir().join("acme-catalog-example");
    let write = WriteOptions::for_render(&options).with_dry_run(true);
    match write_tree(&generated.tree, &out, &generated.spec_hash, &write) {
        Ok(report) => {
            print!("{report}");
            println!("{}", report.summary());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
