//! Errors of the render engine.

/// Why rendering or writing failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RenderError {
    /// A path would leave the output directory or is malformed.
    #[error("refusing to emit `{path}`: {reason}")]
    UnsafePath {
        /// The path as given.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Two emitters produced the same path.
    #[error("`{path}` was emitted twice; each file has one emitter")]
    DuplicatePath {
        /// The path.
        path: String,
    },
    /// A document emitter failed.
    #[error("the `{emitter}` emitter failed: {message}")]
    Emitter {
        /// The emitter's id.
        emitter: String,
        /// What went wrong.
        message: String,
    },
}
