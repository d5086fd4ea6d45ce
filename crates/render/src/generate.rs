//! Spec in, file tree out: lowering, compliance and rendering in one call.

use crate::{Engine, FileTree, Options, RenderError};
use blueprint_core::graph::Blueprint;
use blueprint_core::spec::Spec;
use compliance::Analysis;
use sha2::{Digest, Sha256};

/// Everything one generation made, for a front end to write and report.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The complete blueprint (lowered, compliance woven in).
    pub blueprint: Blueprint,
    /// The compliance analysis woven into it.
    pub analysis: Analysis,
    /// The rendered files.
    pub tree: FileTree,
    /// The spec's integrations no registered vendor serves for the stack;
    /// their files are missing from the tree.
    pub unserved_integrations: Vec<String>,
    /// The sha256 of the spec's canonical YAML ([`spec_hash`]).
    pub spec_hash: String,
    /// The canonical YAML ([`blueprint_core::spec::to_yaml`]) of the spec
    /// as generated: the spec with the stack it was rendered for, which a
    /// front end keeps beside the generated project
    /// ([`crate::write::WriteOptions::with_spec`]).
    pub spec_yaml: String,
    /// The schema's evolution, when the backend was rendered with a stack
    /// that keeps migration revisions: the steps since the last generation
    /// ([`Options::with_history`]), the revision emitted, and the snapshot
    /// to keep ([`crate::write::WriteOptions::with_snapshot`]).
    pub evolution: Option<crate::evolve::Evolution>,
}

/// Lowers a checked spec into a blueprint, completes it with the compliance
/// controls of the engine's analyzer ([`Engine::complete`]: the built-in
/// rules and every registered one), and renders it with the engine.
///
/// ```
/// use blueprint_core::builder::SpecBuilder;
/// use render::{Engine, Options};
///
/// let spec = SpecBuilder::new("tasks").with_entity("Task", |e| e).spec();
/// // No stack is registered in an empty engine: only the documents.
/// let generated = render::generate(&spec, &Engine::new(), &Options::new().with_backend(false)).unwrap();
/// assert!(generated.tree.is_empty());
/// assert!(generated.blueprint.element_by_str("do.task").is_some());
/// // With the backend, the stack must be registered.
/// let err = render::generate(&spec, &Engine::new(), &Options::new()).unwrap_err();
/// assert!(err.to_string().starts_with(&format!("unknown stack `{}`", spec.stack)));
/// ```
///
/// # Errors
///
/// [`RenderError::UnknownStack`] before any work when the backend is asked
/// for and its stack is not registered; [`RenderError::Compliance`] when the
/// controls cannot be woven; anything [`Engine::render`] returns; with a
/// history, [`RenderError::Destructive`] for destructive schema steps not
/// allowed, [`RenderError::Diff`] for a rename hint that names nothing,
/// [`RenderError::MissingRevision`] when a recorded migration is gone.
pub fn generate(spec: &Spec, engine: &Engine, options: &Options) -> Result<Generated, RenderError> {
    let stack_id = engine.stack_id_for(spec, options);
    if options.backend() {
        engine.resolve_stack(stack_id)?;
    }
    // The spec's canonical YAML (for its hash, and as generated) is made
    // beside the lowering, which runs on one thread.
    let (canonical, completed) = std::thread::scope(|scope| {
        let canonical = scope.spawn(|| canonical_yaml(spec, stack_id));
        let completed = engine.complete(spec);
        let canonical = canonical
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (canonical, completed)
    });
    let (blueprint, analysis) = completed?;
    let (spec_hash, spec_yaml) = canonical;
    let mut tree = engine.render(&blueprint, &analysis, options)?;
    let evolution = if options.backend() {
        let stack = engine.resolve_stack(stack_id)?;
        let model = model::AppModel::from_blueprint(&blueprint);
        crate::evolve::evolve(stack, spec, &model, options, &mut tree)?
    } else {
        None
    };
    let unserved_integrations = if options.backend() {
        engine.unserved_integrations(spec, stack_id)
    } else {
        Vec::new()
    };
    Ok(Generated {
        blueprint,
        analysis,
        tree,
        unserved_integrations,
        spec_hash,
        spec_yaml,
        evolution,
    })
}

/// The sha256 (lowercase hex) of the spec's canonical YAML
/// ([`blueprint_core::spec::to_yaml`]): equal specs, however written, hash
/// the same.
///
/// ```
/// use blueprint_core::builder::SpecBuilder;
/// let a = SpecBuilder::new("tasks").with_entity("Task", |e| e).spec();
/// let b = SpecBuilder::new("tasks").with_entity("Note", |e| e).spec();
/// assert_eq!(render::spec_hash(&a), render::spec_hash(&a.clone()));
/// assert_ne!(render::spec_hash(&a), render::spec_hash(&b));
/// assert_eq!(render::spec_hash(&a).len(), 64);
/// ```
pub fn spec_hash(spec: &Spec) -> String {
    sha256_hex(blueprint_core::spec::to_yaml(spec).as_bytes())
}

/// The spec's hash ([`spec_hash`]) and the canonical YAML of the spec as
/// generated for `stack_id`: one YAML serves both when the spec names that
/// stack already.
fn canonical_yaml(spec: &Spec, stack_id: &str) -> (String, String) {
    let yaml = blueprint_core::spec::to_yaml(spec);
    let hash = sha256_hex(yaml.as_bytes());
    if spec.stack == stack_id {
        return (hash, yaml);
    }
    let mut generated = spec.clone();
    generated.stack = stack_id.to_string();
    (hash, blueprint_core::spec::to_yaml(&generated))
}

/// The sha256 of some bytes, as lowercase hex.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push(char::from_digit(u32::from(b >> 4), 16).unwrap_or('0'));
        out.push(char::from_digit(u32::from(b & 0xf), 16).unwrap_or('0'));
    }
    out
}
