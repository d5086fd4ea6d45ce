//! Stack emitters for archgen.
//!
//! A [`Stack`] turns a complete blueprint (lowered from the spec, with the
//! compliance controls and their parameters woven in) into the files of a
//! backend in one language and framework, and says how that backend is
//! verified. A stack never touches the disk and never renders templates
//! itself: it plans files, each either literal content or a template name
//! plus a JSON view model computed in Rust; the render engine renders them
//! with its strict template engine. Templates stay dumb: every name, type
//! and decision is in the view model.

#![warn(missing_docs)]

use blueprint_core::graph::Blueprint;

/// A template a stack ships, embedded in the binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Template {
    /// The name files refer to it by, such as `python-fastapi/app/main.py`.
    pub name: &'static str,
    /// The template's source (Handlebars).
    pub source: &'static str,
}

/// What a planned file holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Content {
    /// A template of the stack, rendered with this view model.
    Template {
        /// The template's name.
        name: String,
        /// The view model: everything the template prints. Shared, so many
        /// files can print from one project-wide view without copies.
        view: std::sync::Arc<serde_json::Value>,
    },
    /// Literal text.
    Text(String),
    /// Literal bytes.
    Bytes(Vec<u8>),
}

/// One file a stack (or a vendor) will emit.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedFile {
    /// The path relative to the project root, with `/` separators.
    pub path: String,
    /// What the file holds.
    pub content: Content,
    /// Whether the file is executable (scripts).
    pub executable: bool,
}

impl PlannedFile {
    /// A file rendered from a template.
    pub fn template(
        path: impl Into<String>,
        name: impl Into<String>,
        view: impl Into<std::sync::Arc<serde_json::Value>>,
    ) -> PlannedFile {
        PlannedFile {
            path: path.into(),
            content: Content::Template {
                name: name.into(),
                view: view.into(),
            },
            executable: false,
        }
    }

    /// A file with literal text.
    pub fn text(path: impl Into<String>, text: impl Into<String>) -> PlannedFile {
        PlannedFile {
            path: path.into(),
            content: Content::Text(text.into()),
            executable: false,
        }
    }
}

/// One stage of a stack's verification, run by the quality gate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    /// The stage's name: `install`, `migrate`, `lint`, `test`, `run`.
    pub name: String,
    /// The Makefile target that runs it.
    pub make_target: String,
    /// How long it may take, in seconds.
    pub timeout_secs: u64,
}

/// How a generated project of this stack is verified, in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VerificationPlan {
    /// The stages, in the order the gate runs them.
    pub stages: Vec<Stage>,
}

/// Why a stack could not plan a project.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StackError {
    /// The blueprint asks for something this stack cannot emit.
    #[error("the `{stack}` stack cannot emit this product: {reason}")]
    Unsupported {
        /// The stack's id.
        stack: String,
        /// What it cannot do, and what to do instead.
        reason: String,
    },
}

/// A stack: one language and framework's way of building the backend.
///
/// Third parties implement it and register it with the render engine; they
/// get the documents, the compliance controls and the vendors for free.
pub trait Stack: Send + Sync {
    /// The id used in specs and on the command line, such as
    /// `python-fastapi`.
    fn id(&self) -> &'static str;

    /// One line saying what the stack emits.
    fn description(&self) -> &'static str;

    /// Every template the stack's files refer to.
    fn templates(&self) -> Vec<Template>;

    /// The files of the backend for a complete blueprint.
    fn plan(&self, blueprint: &Blueprint) -> Result<Vec<PlannedFile>, StackError>;

    /// How a generated project is verified.
    fn verification(&self) -> VerificationPlan;
}

pub mod python_fastapi;

/// The stacks archgen ships, for the render engine's
/// `Engine::with_builtins`: `python-fastapi`.
///
/// ```
/// let ids: Vec<&str> = stacks::builtin().iter().map(|s| s.id()).collect();
/// assert_eq!(ids, ["python-fastapi"]);
/// ```
pub fn builtin() -> Vec<Box<dyn Stack>> {
    vec![Box::new(python_fastapi::PythonFastapi)]
}
