//! stub
use crate::{DocInput, DocumentEmitter, FileTree, RenderError};
/// x
#[derive(Debug, Clone, Copy, Default)]
pub struct TraceabilityEmitter;
impl DocumentEmitter for TraceabilityEmitter { fn id(&self) -> &'static str { "traceability" } fn emit(&self, _i: &DocInput<'_>, _o: &mut FileTree) -> Result<(), RenderError> { Ok(()) } }
