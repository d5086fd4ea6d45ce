//! The archgen render engine.
//!
//! Holds the registries of stacks, vendors and document emitters, walks a
//! complete blueprint, and produces an in-memory [`FileTree`] that is
//! written to disk only at the very end (safe paths, a manifest of hashes,
//! dry runs).

#![warn(missing_docs)]

pub mod docs;
mod emitter;
mod error;
mod tree;

pub use emitter::{DocInput, DocumentEmitter};
pub use error::RenderError;
pub use tree::{check_path, FileTree};
