//! The foundation of archgen: the product spec language and the blueprint.
//!
//! - [`spec`]: the typed spec, its parser for YAML, TOML and JSON, and the
//!   checks that turn a user's mistakes into diagnostics with file, line,
//!   column and a hint.
//! - [`diag`]: diagnostics, their stable codes, and their text and JSON
//!   renderings.
//! - [`source`]: spec text, byte spans, and where each part was written.
//! - [`naming`]: case styles, English plurals and "did you mean" suggestions.
//! - [`reserved`]: the reserved words of every target language.
//!
//! Nothing here knows templates, stacks or the file system beyond reading a
//! spec file the caller names.

#![warn(missing_docs)]

pub mod diag;
pub mod naming;
pub mod reserved;
pub mod source;
pub mod spec;
mod syntax;
