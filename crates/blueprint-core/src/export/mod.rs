//! The blueprint for people and tools: Graphviz DOT, Mermaid, and the `plan`
//! report as JSON and text.
//!
//! ```
//! use blueprint_core::builder::SpecBuilder;
//! use blueprint_core::export::{plan_json, to_dot, to_mermaid};
//!
//! let bp = SpecBuilder::new("tasks").with_entity("Task", |e| e).build();
//! assert!(to_dot(&bp).starts_with("digraph blueprint {"));
//! assert!(to_mermaid(&bp).starts_with("flowchart LR"));
//! assert_eq!(plan_json(&bp)["format"], "archgen-plan");
//! ```

mod dot;
mod mermaid;
mod plan;
mod style;

pub use dot::to_dot;
pub use mermaid::to_mermaid;
pub use plan::{plan_json, plan_text, PLAN_FORMAT_VERSION};
