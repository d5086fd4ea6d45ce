//! stub
use crate::{DocInput, DocumentEmitter, FileTree, RenderError};
/// x
#[derive(Debug, Clone, Copy, Default)]
pub struct AdrEmitter;
impl DocumentEmitter for AdrEmitter { fn id(&self) -> &'static str { "adr" } fn emit(&self, _i: &DocInput<'_>, _o: &mut FileTree) -> Result<(), RenderError> { Ok(()) } }
