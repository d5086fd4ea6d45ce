//! The foundation of archgen: the product spec language and the blueprint.
//!
//! - [`spec`]: the typed spec, its parser for YAML, TOML and JSON, and the
//!   checks that turn a user's mistakes into diagnostics with file, line,
//!   column and a hint.
//! - [`naming`]: case styles, English plurals and "did you mean" suggestions.
//!
//! Nothing here knows templates, stacks or the file system beyond reading a
//! spec file the caller names.

#![warn(missing_docs)]

pub mod naming;
pub mod spec;
