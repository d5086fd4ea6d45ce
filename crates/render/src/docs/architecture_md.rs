//! stub
use crate::{DocInput, DocumentEmitter, FileTree, RenderError};
/// x
#[derive(Debug, Clone, Copy, Default)]
pub struct ArchitectureEmitter;
impl DocumentEmitter for ArchitectureEmitter { fn id(&self) -> &'static str { "architecture" } fn emit(&self, _i: &DocInput<'_>, _o: &mut FileTree) -> Result<(), RenderError> { Ok(()) } }
