//! The architecture documents of a generated project, made from the
//! complete blueprint by [`DocumentEmitter`]s:
//!
//! | file | emitter | module |
//! |---|---|---|
//! | `docs/archimate/model.xml` | [`ArchimateEmitter`] | [`archimate`] |
//! | `docs/adr/NNNN-*.md`, `docs/adr/README.md` | [`AdrEmitter`] | [`adr`] |
//! | `docs/ARCHITECTURE.md` (with Mermaid diagrams) | [`ArchitectureEmitter`] | [`architecture_md`], [`diagrams`] |
//! | `docs/openapi.json` | [`OpenApiEmitter`] | [`openapi`] |
//! | `docs/compliance.md` | [`ComplianceEmitter`] | [`compliance_md`] |
//! | `docs/traceability.md` | [`TraceabilityEmitter`] | [`traceability`] |
//! | `clients/ts/` (beside a generated backend) | [`ClientTsEmitter`] | [`client_ts`] |
//! | `clients/admin/` (beside a generated backend) | [`AdminAppEmitter`] | [`admin_app`] |
//! | `clients/mobile/` (beside a generated backend) | [`MobileAppEmitter`] | [`mobile_app`] |
//!
//! Every output is deterministic: no clocks, no random ids, and every list
//! in spec, insertion or a fixed order.
//!
//! ```
//! use blueprint_core::builder::SpecBuilder;
//!
//! let spec = SpecBuilder::new("tasks").with_entity("Task", |e| e).spec();
//! let (_blueprint, analysis, tree) = render::docs::render_docs(&spec).unwrap();
//! assert!(tree.contains("docs/openapi.json"));
//! assert!(tree.contains("docs/archimate/model.xml"));
//! assert!(analysis.control("CSRF-PROTECTION").is_some());
//! ```

pub mod admin_app;
pub mod adr;
pub mod archimate;
pub mod architecture_md;
pub mod client_ts;
pub mod code_map;
pub mod compliance_md;
pub mod diagrams;
pub mod facts;
pub mod integrations;
mod lockfile;
pub mod mobile_app;
pub mod openapi;
pub mod traceability;

use blueprint_core::graph::Blueprint;
use blueprint_core::spec::Spec;
use compliance::Analysis;

use crate::{DocInput, DocumentEmitter, FileTree, RenderError};

pub use admin_app::AdminAppEmitter;
pub use adr::AdrEmitter;
pub use archimate::ArchimateEmitter;
pub use architecture_md::ArchitectureEmitter;
pub use client_ts::ClientTsEmitter;
pub use compliance_md::ComplianceEmitter;
pub use mobile_app::MobileAppEmitter;
pub use openapi::OpenApiEmitter;
pub use traceability::TraceabilityEmitter;

/// Every built-in document emitter, in a fixed order.
///
/// ```
/// let ids: Vec<&str> = render::docs::builtin_emitters().iter().map(|e| e.id()).collect();
/// assert_eq!(ids, ["archimate", "adr", "architecture", "openapi", "compliance", "traceability", "client-ts", "admin-app", "mobile-app"]);
/// ```
pub fn builtin_emitters() -> Vec<Box<dyn DocumentEmitter>> {
    vec![
        Box::new(ArchimateEmitter),
        Box::new(AdrEmitter),
        Box::new(ArchitectureEmitter),
        Box::new(OpenApiEmitter),
        Box::new(ComplianceEmitter),
        Box::new(TraceabilityEmitter),
        Box::new(ClientTsEmitter),
        Box::new(AdminAppEmitter),
        Box::new(MobileAppEmitter),
    ]
}

/// Runs every built-in emitter over an input.
///
/// # Errors
///
/// The first emitter's error, or a path emitted twice.
pub fn emit_all(input: &DocInput<'_>) -> Result<FileTree, RenderError> {
    let mut tree = FileTree::new();
    for emitter in builtin_emitters() {
        emitter.emit(input, &mut tree)?;
    }
    Ok(tree)
}

/// Lowers a spec, completes the blueprint with its compliance analysis,
/// and runs every built-in emitter; the documents accompany the spec's
/// stack, with the integrations archgen's built-in vendors generate for it.
///
/// # Errors
///
/// [`RenderError::Emitter`] (emitter `compliance`) when the analysis
/// cannot be woven into the blueprint, or an emitter's error.
///
/// ```
/// use blueprint_core::builder::SpecBuilder;
/// let spec = SpecBuilder::new("shop").with_entity("Order", |e| e.owned()).spec();
/// let (bp, _, tree) = render::docs::render_docs(&spec).unwrap();
/// assert!(bp.element_by_str("req.csrf-protection").is_some());
/// assert!(tree.get_str("docs/ARCHITECTURE.md").unwrap().contains("```mermaid"));
/// ```
pub fn render_docs(spec: &Spec) -> Result<(Blueprint, Analysis, FileTree), RenderError> {
    let mut bp = Blueprint::from_spec(spec);
    let analysis = compliance::complete(&mut bp).map_err(|e| RenderError::Emitter {
        emitter: "compliance".to_string(),
        message: e.to_string(),
    })?;
    let mut registry = vendors::VendorRegistry::new();
    for vendor in vendors::builtin() {
        registry.register(vendor);
    }
    let generated: Vec<String> = spec
        .integrations
        .keys()
        .filter(|id| registry.serves(id, &spec.stack))
        .cloned()
        .collect();
    let model = model::AppModel::from_blueprint(&bp);
    let stack = stacks::builtin().into_iter().find(|s| s.id() == spec.stack);
    let realizations = stack
        .as_ref()
        .map(|s| s.realizations(&model))
        .unwrap_or_default();
    let decision = stack.as_ref().and_then(|s| s.decision());
    let input = DocInput {
        blueprint: &bp,
        analysis: &analysis,
        model: &model,
        stack: stack.as_ref().map(|s| crate::StackDocs {
            id: s.id(),
            realizations: &realizations,
            decision: decision.as_ref(),
        }),
        generated_integrations: &generated,
        backend: false,
    };
    let tree = emit_all(&input)?;
    Ok((bp, analysis, tree))
}
