//! The `typescript-fastify` stack: an engine that has it, generation with
//! it, and the files it plans, which `tests/golden/typescript-fastify/<name>`
//! pins.

use blueprint_core::spec::Spec;
use render::{Engine, FileTree, Generated, Options};
use stacks::typescript_fastify::{TypescriptFastify, ID};
use stacks::Stack;
use std::path::Path;

/// The engine with the built-ins, typescript-fastify among them.
pub fn engine() -> Engine {
    Engine::with_builtins()
}

/// The spec at `path` as the stack takes it: integrations whose vendor has
/// no files for it are dropped (every built-in vendor has them now; a
/// third party's may not).
///
/// # Panics
///
/// When the spec is not valid; the message names it.
pub fn spec(engine: &Engine, path: &Path) -> Spec {
    let mut spec = engine
        .parse_file(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .spec;
    spec.integrations
        .retain(|id, _| engine.vendors().get(id).is_none_or(|v| v.supports(ID)));
    spec
}

/// The spec at `path` ([`spec`]) generated with `stack`.
///
/// # Panics
///
/// When the spec is not valid or does not render; the message names it.
pub fn generate_with(engine: &Engine, path: &Path, stack: &str) -> Generated {
    render::generate(
        &spec(engine, path),
        engine,
        &Options::new().with_stack(stack),
    )
    .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The spec at `path` ([`spec`]) generated with the stack.
pub fn generate(engine: &Engine, path: &Path) -> Generated {
    generate_with(engine, path, ID)
}

/// The files of a generation that the stack and the integrations' vendors
/// plan (the backend, without the documents and client packages the
/// python-fastapi goldens pin).
pub fn backend_files(generated: &Generated) -> FileTree {
    let model = model::AppModel::from_blueprint(&generated.blueprint);
    let planned = TypescriptFastify
        .plan(&model)
        .expect("a generated spec plans");
    let mut tree = FileTree::new();
    for file in planned {
        let bytes = generated
            .tree
            .get(&file.path)
            .unwrap_or_else(|| panic!("{} is planned but not generated", file.path));
        tree.insert(file.path.clone(), bytes.to_vec())
            .expect("a planned path is valid");
    }
    // The vendors' modules and tests.
    for (path, bytes) in generated.tree.iter() {
        let vendor = ["src/integrations/", "src/migrations/", "test/"]
            .iter()
            .any(|folder| path.starts_with(folder));
        if vendor && tree.get(path).is_none() {
            tree.insert(path.to_string(), bytes.to_vec())
                .expect("a generated path is valid");
        }
    }
    tree
}
