//! stub
use crate::{DocInput, DocumentEmitter, FileTree, RenderError};
/// x
#[derive(Debug, Clone, Copy, Default)]
pub struct ComplianceEmitter;
impl DocumentEmitter for ComplianceEmitter { fn id(&self) -> &'static str { "compliance" } fn emit(&self, _i: &DocInput<'_>, _o: &mut FileTree) -> Result<(), RenderError> { Ok(()) } }
