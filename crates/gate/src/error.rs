//! The gate's errors: what stopped it before it could judge the project.

use std::path::PathBuf;

/// Why the gate could not run (a project that fails the gate is not an
/// error: it is a [`QualityReport`](crate::QualityReport) with
/// `passed: false`).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GateError {
    /// No database server was given and PostgreSQL is not installed.
    #[error("PostgreSQL is not installed and no database server was given: install it (`apt-get install postgresql`) or set DATABASE_URL (or --database-url) to a server the gate may create databases on")]
    NoPostgres,
    /// `psql` is needed to create the throwaway database and was not found.
    #[error("`psql` was not found on PATH or in /usr/lib/postgresql/*/bin: install the PostgreSQL client (`apt-get install postgresql-client`)")]
    NoPsql,
    /// A PostgreSQL command failed.
    #[error("{what} failed: {output}")]
    Database {
        /// What was being done.
        what: String,
        /// The tool's output.
        output: String,
    },
    /// The directory is not a generated project.
    #[error("{path} is not a project archgen generated ({reason}); pass the spec with --spec")]
    NotAProject {
        /// The directory.
        path: PathBuf,
        /// What is missing.
        reason: String,
    },
    /// The spec could not be read or is invalid.
    #[error("the spec {path} cannot be used: {reason}")]
    Spec {
        /// The spec file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The project's stack is not registered.
    #[error("the project's stack `{0}` is unknown to this archgen")]
    UnknownStack(String),
    /// The blueprint could not be completed or rendered.
    #[error(transparent)]
    Render(#[from] render::RenderError),
    /// A step of `archgen preview` failed (installing, migrating, serving
    /// the project).
    #[error("preview: {what} failed (whole log: {log}):\n{excerpt}")]
    Step {
        /// What was being done (`make install`, say).
        what: String,
        /// The step's log file.
        log: PathBuf,
        /// The log's last lines.
        excerpt: String,
    },
    /// The port asked for the app is taken (or cannot be bound).
    #[error("port {port} on 127.0.0.1 cannot be used ({reason}): pick another with --port, or leave it out for a free one")]
    PortTaken {
        /// The port.
        port: u16,
        /// Why it cannot be bound.
        reason: String,
    },
    /// The user interrupted the run (Ctrl-C); everything started was
    /// stopped.
    #[error("interrupted; everything the gate started was stopped")]
    Interrupted,
    /// The disk or a process failed.
    #[error("{what} {path}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

impl GateError {
    pub(crate) fn io(what: &str, path: impl Into<PathBuf>, source: std::io::Error) -> GateError {
        GateError::Io {
            what: what.to_string(),
            path: path.into(),
            source,
        }
    }
}
