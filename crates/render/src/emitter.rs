//! Document emitters: stack-independent files (ArchiMate model, ADRs,
//! diagrams, OpenAPI, compliance matrix, traceability) made from the
//! complete blueprint.

use crate::{FileTree, RenderError};
use blueprint_core::graph::Blueprint;
use compliance::Analysis;

/// What a document emitter reads: the complete blueprint (lowered, with the
/// compliance controls woven in) and the compliance analysis behind it.
#[derive(Debug, Clone, Copy)]
pub struct DocInput<'a> {
    /// The complete blueprint.
    pub blueprint: &'a Blueprint,
    /// The compliance analysis woven into it.
    pub analysis: &'a Analysis,
    /// The stack the documents accompany, when a backend is generated too.
    pub stack: Option<&'a str>,
}

/// Emits stack-independent documents into the file tree. Third parties
/// register their own with the engine.
pub trait DocumentEmitter: Send + Sync {
    /// A stable id, such as `archimate` or `adr`.
    fn id(&self) -> &'static str;

    /// Adds this emitter's files to `out`.
    fn emit(&self, input: &DocInput<'_>, out: &mut FileTree) -> Result<(), RenderError>;
}
