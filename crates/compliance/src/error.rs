//! The errors of the compliance crate.

/// What went wrong in the compliance crate, and what to do about it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A control catalog could not be read as TOML.
    #[error("the control catalog is not valid TOML: {0}; fix the catalog file")]
    CatalogSyntax(String),
    /// A control catalog was read but breaks a rule.
    #[error("the control catalog has {} problem(s): {}", .0.len(), .0.join("; "))]
    CatalogInvalid(Vec<String>),
    /// The framework reference data could not be read.
    #[error("the framework reference data is not valid: {0}; fix it (the embedded file is crates/compliance/data/frameworks.yaml; standards/SOURCE.md says where its identifiers come from)")]
    Frameworks(String),
    /// The blueprint already has an element of another kind under an id
    /// weaving needs.
    #[error("the blueprint already has a {found} `{id}`; weaving needs a {wanted} there: rename that element")]
    Clash {
        /// The element id.
        id: String,
        /// The kind found.
        found: String,
        /// The kind weaving adds.
        wanted: String,
    },
    /// Weaving the analysis into a blueprint broke a graph rule.
    #[error("cannot weave compliance into the blueprint: {0}")]
    Weave(#[from] blueprint_core::graph::GraphError),
}
