//! Small helpers for callers that hold a spec or blueprint rather than the
//! application model (collection names, the base path, sensitivity), and
//! Markdown cell escaping. The documents read [`model::AppModel`].

use blueprint_core::graph::Blueprint;
use blueprint_core::naming;
use blueprint_core::spec::{Entity, Spec};

/// The collection name of an entity: its `plural`, else the snake_case
/// English plural of its name.
pub fn collection(name: &str, entity: &Entity) -> String {
    match &entity.plural {
        Some(p) => p.clone(),
        None => naming::collection_of(name),
    }
}

/// Whether a field is sensitive (encrypted at rest, never sorted or
/// filtered on), as the application model decides it. Documents read
/// [`model::Field::encrypted`] directly; this is for callers that hold
/// only a blueprint.
pub fn is_sensitive(bp: &Blueprint, entity: &str, field: &str) -> bool {
    model::AppModel::from_blueprint(bp)
        .entity(entity)
        .and_then(|e| e.field(field))
        .is_some_and(|f| f.encrypted)
}

/// The API base path without a trailing slash (`/api`).
pub fn base_path(spec: &Spec) -> String {
    let b = spec.api.base_path.trim_end_matches('/');
    if b.is_empty() || b.starts_with('/') {
        b.to_string()
    } else {
        format!("/{b}")
    }
}

/// Text made safe inside a Markdown table cell.
pub fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}
