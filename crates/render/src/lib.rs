//! The archgen render engine.
//!
//! Holds the registries of stacks, vendors, document emitters and
//! compliance rules ([`Engine`], which also checks specs against what is
//! registered), renders a complete blueprint into an in-memory
//! [`FileTree`] with strict templates ([`Templates`]), and writes that tree
//! to disk only at the very end ([`write`](mod@write): safe paths, atomic files, a
//! manifest of hashes and a store of what was generated, so the user's
//! edits are kept and merged with archgen's changes line by line, dry runs).
//!
//! ```
//! use blueprint_core::builder::SpecBuilder;
//! use blueprint_core::graph::Blueprint;
//! use render::write::{write_tree, WriteOptions};
//! use render::{Engine, Options};
//! use stacks::{PlannedFile, Stack, StackError, Template, VerificationPlan};
//!
//! /// A stack of one file, to show the flow.
//! struct Readme;
//! impl Stack for Readme {
//!     fn id(&self) -> &'static str { "readme" }
//!     fn description(&self) -> &'static str { "a README" }
//!     fn templates(&self) -> Vec<Template> {
//!         vec![Template::embedded("readme/README.md", "# {{title}}\n\n{{#each collections}}- `{{this}}`\n{{/each}}")]
//!     }
//!     fn plan(&self, model: &model::AppModel) -> Result<Vec<PlannedFile>, StackError> {
//!         let view = serde_json::json!({
//!             "title": model.product.title,
//!             "collections": model.entities.iter().map(|e| &e.collection).collect::<Vec<_>>(),
//!         });
//!         Ok(vec![PlannedFile::template("README.md", "readme/README.md", view)])
//!     }
//!     fn verification(&self) -> VerificationPlan { VerificationPlan::default() }
//! }
//!
//! let mut engine = Engine::with_builtins();
//! engine.register_stack(Box::new(Readme));
//! let spec = SpecBuilder::new("tasks").with_entity("Task", |e| e).spec();
//! let options = Options::new().with_stack("readme");
//! let generated = render::generate(&spec, &engine, &options).unwrap();
//! assert_eq!(generated.tree.get_str("README.md"), Some("# tasks\n\n- `tasks`\n"));
//!
//! let out = tempfile::tempdir().unwrap();
//! let report = write_tree(&generated.tree, out.path(), &generated.spec_hash, &WriteOptions::for_render(&options)).unwrap();
//! assert!(!report.has_conflicts());
//! ```
//!
//! # Templates
//!
//! Handlebars, in strict mode: a variable the view model lacks is an error
//! ([`RenderError::Template`] names the template and the variable), never an
//! empty string; `#if` and `#unless` are strict too. Nothing is
//! HTML-escaped. Each stack and vendor lists its own templates in
//! `templates()`, embedded in the binary or read from a directory when it is
//! built (`stacks::templates_from_dir`); the engine registers both alike. The shared helpers:
//!
//! | helper | does |
//! |---|---|
//! | `snake`, `pascal`, `camel`, `kebab`, `shouty` | case styles ([`blueprint_core::naming`]) |
//! | `plural`, `singular` | the English plural or singular of the last word of a snake_case name |
//! | `json` | the value as compact JSON (strings quoted and escaped) |
//! | `indent n text` | `text` with every line after the first indented by `n` spaces (blank lines stay empty) |
//! | `eq`, `ne`, `gt`, `gte`, `lt`, `lte`, `and`, `or`, `not`, `len` | Handlebars' own, strict about missing values |

#![warn(missing_docs)]

mod builtins;
pub mod docs;
mod emitter;
mod engine;
mod error;
pub mod evolve;
mod generate;
mod helpers;
mod options;
mod templates;
mod tree;
pub mod write;

pub use emitter::{DocInput, DocumentEmitter, StackDocs};
pub use engine::Engine;
pub use error::RenderError;
pub use generate::{generate, spec_hash, Generated};
pub use options::Options;
pub use templates::Templates;
pub use tree::{check_path, FileTree};
