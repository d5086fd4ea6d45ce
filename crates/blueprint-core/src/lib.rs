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
//! - [`archimate`]: the ArchiMate 3.2 vocabulary and the allowed-relationship
//!   rules.
//! - [`graph`]: the blueprint, an ArchiMate-typed graph with stable ids, and
//!   its queries.
//! - [`lower`]: turning a spec into a blueprint.
//! - [`builder`]: writing a spec, and so a blueprint, in Rust code.
//! - [`export`]: the blueprint as Graphviz DOT, Mermaid, and the `plan`
//!   report (JSON and text).
//!
//! Nothing here knows templates, stacks or the file system beyond reading a
//! spec file the caller names.

#![warn(missing_docs)]

pub mod archimate;
pub mod builder;
pub mod diag;
pub mod export;
pub mod graph;
pub mod lower;
pub mod naming;
pub mod reserved;
pub mod source;
pub mod spec;
mod syntax;

/// The README's Rust examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;
