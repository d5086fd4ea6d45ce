//! Document emitters: stack-independent files (ArchiMate model, ADRs,
//! diagrams, OpenAPI, compliance matrix, traceability) made from the
//! complete blueprint.

use crate::{FileTree, RenderError};
use blueprint_core::graph::Blueprint;
use compliance::Analysis;
use model::AppModel;
use stacks::{Realizations, StackDecision};

/// What a document emitter reads: the complete blueprint (lowered, with the
/// compliance controls woven in), the compliance analysis behind it, the
/// application model computed from it, and what the stack says about its
/// files.
#[derive(Debug, Clone, Copy)]
pub struct DocInput<'a> {
    /// The complete blueprint.
    pub blueprint: &'a Blueprint,
    /// The compliance analysis woven into it.
    pub analysis: &'a Analysis,
    /// The application model: what the spec means for the backend.
    pub model: &'a AppModel,
    /// The stack the documents accompany, when a backend is generated too.
    pub stack: Option<StackDocs<'a>>,
    /// The spec's integrations whose files the generated project contains:
    /// those a registered vendor serves for [`stack`](Self::stack), in spec
    /// order (see [`Engine::served_integrations`](crate::Engine::served_integrations)).
    /// Every other integration of the spec is documented as not generated,
    /// with what the user has to add. Empty when no backend is generated.
    pub generated_integrations: &'a [String],
    /// Whether a backend is generated beside the documents (`false` when
    /// only the documents are rendered): emitters of files that belong to
    /// a generated project, such as the typed client, emit nothing then.
    pub backend: bool,
}

/// What the documents cite of the stack they accompany.
#[derive(Debug, Clone, Copy)]
pub struct StackDocs<'a> {
    /// The stack's id.
    pub id: &'a str,
    /// Its files that realize each capability and hold each entity.
    pub realizations: &'a Realizations,
    /// The decision record of choosing it, when the stack gives one.
    pub decision: Option<&'a StackDecision>,
}

impl DocInput<'_> {
    /// Whether the generated project contains the integration `vendor`.
    ///
    /// ```
    /// use blueprint_core::builder::SpecBuilder;
    /// let mut spec = SpecBuilder::new("shop").with_entity("Order", |e| e).spec();
    /// spec.integrations.insert("stripe".into(), Default::default());
    /// let (bp, analysis, _) = render::docs::render_docs(&spec).unwrap();
    /// let generated = vec!["stripe".to_string()];
    /// let input = render::DocInput {
    ///     blueprint: &bp,
    ///     analysis: &analysis,
    ///     model: &model::AppModel::from_blueprint(&bp),
    ///     stack: None,
    ///     generated_integrations: &generated,
    ///     backend: false,
    /// };
    /// assert!(input.is_generated("stripe"));
    /// assert!(!input.is_generated("sentry"));
    /// ```
    pub fn is_generated(&self, vendor: &str) -> bool {
        self.generated_integrations.iter().any(|v| v == vendor)
    }
}

/// Emits stack-independent documents into the file tree. Third parties
/// register their own with the engine.
pub trait DocumentEmitter: Send + Sync {
    /// A stable id, such as `archimate` or `adr`.
    fn id(&self) -> &'static str;

    /// Adds this emitter's files to `out`.
    fn emit(&self, input: &DocInput<'_>, out: &mut FileTree) -> Result<(), RenderError>;
}
