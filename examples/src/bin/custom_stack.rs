//! Registers a stack of one's own with the render engine and generates a
//! product with it.
//!
//! Acme's platform team keeps a tiny "service catalog" stack: one YAML file
//! per entity and a README listing the collections. Its templates are not
//! compiled in: they live in `examples/templates/acme-catalog/` and are read
//! when the stack is built (`stacks::templates_from_dir`), so the team edits
//! them without rebuilding. The stack plans files with view models computed
//! in Rust; the engine renders the templates strictly (a field missing from
//! a view model is an error), adds the documents and vendor files, and
//! writes the tree safely. Here the write is a dry run in a temporary
//! directory, so the program leaves nothing behind.
//!
//! A spec may name the stack (`stack: acme-catalog`) once it is registered:
//! specs checked with the engine (`Engine::parse_file`) accept it.
//!
//! Run with `cargo run -p archgen-examples --bin custom_stack`.

use blueprint_core::graph::Blueprint;
use blueprint_core::naming;
use blueprint_core::spec::Spec;
use render::write::{write_tree, WriteOptions};
use render::{Engine, Generated, Options};
use serde_json::json;
use stacks::{PlannedFile, Stack, StackError, Stage, Template, VerificationPlan};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The stack's id, as specs and `Options::with_stack` name it.
const ID: &str = "acme-catalog";

/// Acme's service catalog stack, with the templates read from its folder.
struct Catalog {
    templates: Vec<Template>,
}

impl Catalog {
    /// Reads the stack's templates from `dir`, naming them `acme-catalog/…`.
    fn load(dir: &Path) -> Result<Catalog, stacks::TemplateDirError> {
        Ok(Catalog {
            templates: stacks::templates_from_dir(dir, ID)?,
        })
    }
}

impl Stack for Catalog {
    fn id(&self) -> &'static str {
        ID
    }

    fn description(&self) -> &'static str {
        "a service catalog entry per entity"
    }

    fn templates(&self) -> Vec<Template> {
        self.templates.clone()
    }

    fn plan(&self, blueprint: &Blueprint) -> Result<Vec<PlannedFile>, StackError> {
        Ok(plan(blueprint.spec()))
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

/// The planning itself, apart from the trait: what each file holds.
fn plan(spec: &Spec) -> Vec<PlannedFile> {
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
    files
}

/// The example's own folder.
fn here() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// An engine with the built-ins and Acme's stack.
fn engine() -> Result<Engine, String> {
    let catalog =
        Catalog::load(&here().join("templates/acme-catalog")).map_err(|e| e.to_string())?;
    let mut engine = Engine::with_builtins();
    engine.register_stack(Box::new(catalog));
    Ok(engine)
}

/// Checks the clinic spec with the engine and generates it with Acme's
/// stack.
fn run(engine: &Engine) -> Result<Generated, String> {
    let path = here().join("specs/clinic.yaml");
    let spec = engine
        .parse_file(&path)
        .map_err(|e| format!("{}: {e}", path.display()))?
        .spec;
    render::generate(&spec, engine, &Options::new().with_stack(ID)).map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    let engine = match engine() {
        Ok(engine) => engine,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let generated = match run(&engine) {
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
    let write = WriteOptions::for_render(&Options::new().with_stack(ID)).with_dry_run(true);
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

#[cfg(test)]
mod tests {
    use super::*;
    use blueprint_core::spec::Format;

    #[test]
    fn the_templates_come_from_the_folder() {
        let engine = engine().unwrap();
        let names: Vec<String> = engine
            .stack(ID)
            .unwrap()
            .templates()
            .into_iter()
            .map(|t| t.name.into_owned())
            .collect();
        assert_eq!(
            names,
            ["acme-catalog/README.md", "acme-catalog/entity.yaml"]
        );
    }

    #[test]
    fn the_clinic_generates_with_the_catalog_stack() {
        let generated = run(&engine().unwrap()).unwrap();
        assert_eq!(
            generated.tree.get_str("catalog/visit_note.yaml"),
            Some("kind: visit-note\ncollection: visit_notes\nfields:\n  - body\n  - diagnosis_code\n")
        );
        assert!(generated
            .tree
            .get_str("README.md")
            .unwrap()
            .starts_with("# ClinicFlow\n"));
        // The documents come for free.
        assert!(generated.tree.get_str("docs/compliance.md").is_some());
    }

    #[test]
    fn a_spec_naming_the_stack_checks_with_the_engine() {
        let text = "spec_version: 1\nproduct: { name: shop }\nstack: acme-catalog\nentities: { Order: { fields: { total: integer } } }\n";
        let engine = engine().unwrap();
        let spec = engine
            .parse_str("shop.yaml", text, Format::Yaml)
            .unwrap()
            .spec;
        let generated = render::generate(&spec, &engine, &Options::new()).unwrap();
        assert!(generated.tree.get_str("catalog/order.yaml").is_some());
        // Without the engine, archgen's own stacks only.
        let err = blueprint_core::spec::parse_str("shop.yaml", text, Format::Yaml).unwrap_err();
        assert_eq!(err.diagnostics[0].code.as_str(), "E631");
    }

    #[test]
    fn a_missing_template_folder_is_named() {
        let err = Catalog::load(&here().join("templates/nowhere"))
            .err()
            .unwrap();
        assert!(err.to_string().contains("templates/nowhere"), "{err}");
    }
}
