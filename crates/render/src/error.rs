//! Errors of the render engine.

use std::path::PathBuf;

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
    /// A template did not compile or render (in strict mode a missing
    /// variable is an error, never an empty string).
    #[error("template `{template}`: {message}")]
    Template {
        /// The template's name.
        template: String,
        /// What went wrong, where, and what to do.
        message: String,
    },
    /// No registered stack has this id.
    #[error("unknown stack `{stack}`; {}{}", known_list(.known), did_you_mean(.suggestion))]
    UnknownStack {
        /// The id asked for.
        stack: String,
        /// The ids of the registered stacks.
        known: Vec<String>,
        /// A registered id close to the one asked for.
        suggestion: Option<String>,
    },
    /// The stack could not plan the project.
    #[error(transparent)]
    Stack(#[from] stacks::StackError),
    /// A vendor integration could not plan its files.
    #[error(transparent)]
    Vendor(#[from] vendors::VendorError),
    /// The compliance controls could not be woven into the blueprint.
    #[error(transparent)]
    Compliance(#[from] compliance::Error),
    /// Reading or writing the output directory failed.
    #[error("{action} `{}`: {source}", path.display())]
    Io {
        /// What archgen was doing (`cannot write`, `cannot read`, …).
        action: &'static str,
        /// The path it was doing it to.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The spec's change needs destructive schema steps and they were not
    /// allowed.
    #[error("the spec's change would lose data or be refused by existing rows: {}; rerun with --allow-destructive to migrate anyway (see the steps with `archgen diff`)", .steps.join("; "))]
    Destructive {
        /// Each destructive step, in a sentence.
        steps: Vec<String>,
    },
    /// The schema changed since the last generation, and the stack keeps
    /// no migration revisions
    /// ([`Stack::initial_revision`](stacks::Stack::initial_revision) is
    /// `None`): a database made by the last generation cannot follow.
    #[error("the `{stack}` stack keeps no migration revisions, so a database made by the last generation cannot follow the spec's change ({}); generate into a new directory and make a new database, or rerun with --allow-destructive to rewrite the initial migration (every database made from it must then be made again)", .steps.join("; "))]
    NoMigrations {
        /// The stack's id.
        stack: String,
        /// Each step of the change, in a sentence.
        steps: Vec<String>,
    },
    /// The schemas cannot be diffed (a rename hint names nothing).
    #[error(transparent)]
    Diff(#[from] model::schema::DiffError),
    /// A migration revision archgen emitted before is missing from the
    /// output directory.
    #[error("the migration `{path}` that archgen emitted before is missing; an applied migration must stay: restore it from version control")]
    MissingRevision {
        /// Its path.
        path: String,
    },
    /// The schema snapshot of a previous generation cannot be read.
    #[error("the schema snapshot `{}` is not readable: {message}; restore it from version control (without it archgen cannot tell what the database holds)", path.display())]
    Snapshot {
        /// The snapshot's path.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// The manifest of a previous generation cannot be read.
    #[error("the manifest `{}` is not readable: {message}; restore it from version control, or delete it to treat every existing file as yours", path.display())]
    Manifest {
        /// The manifest's path.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
}

impl RenderError {
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> RenderError {
        RenderError::Io {
            action,
            path: path.into(),
            source,
        }
    }

    pub(crate) fn unsafe_path(path: impl Into<String>, reason: impl Into<String>) -> RenderError {
        RenderError::UnsafePath {
            path: path.into(),
            reason: reason.into(),
        }
    }
}

fn known_list(known: &[String]) -> String {
    if known.is_empty() {
        "known: none (no stack is registered with this engine)".to_string()
    } else {
        format!("known: {}", known.join(", "))
    }
}

fn did_you_mean(suggestion: &Option<String>) -> String {
    match suggestion {
        Some(s) => format!("; did you mean `{s}`?"),
        None => String::new(),
    }
}
