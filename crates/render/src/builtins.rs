//! What [`Engine::with_builtins`](crate::Engine::with_builtins) registers.

use crate::DocumentEmitter;

/// The built-in document emitters.
pub(crate) fn builtin_emitters() -> Vec<Box<dyn DocumentEmitter>> {
    crate::docs::builtin_emitters()
}
