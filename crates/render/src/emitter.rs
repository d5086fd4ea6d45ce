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

/// Emits stack-independent documents into the file tree. Third parties
/// register their own with the engine.
pub trait DocumentEmitter: Send + Sync {
    /// A stable id, such as `archimate` or `adr`.
    fn id(&self) -> &'static str;

    /// Adds this emitter's files to `out`.
    fn emit(&self, input: &DocInput<'_>, out: &mut FileTree) -> Result<(), RenderError>;
}
