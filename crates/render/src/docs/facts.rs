//! Small helpers for callers that hold a spec rather than the application
//! model (the base path, as the model spells it), and Markdown cell
//! escaping. The documents read [`model::AppModel`].

use blueprint_core::spec::Spec;

/// The API base path without a trailing slash (`/api`).
pub fn base_path(spec: &Spec) -> String {
    model::base_path(&spec.api.base_path)
}

/// Text made safe inside a Markdown table cell.
pub fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}
