//! Small facts about a blueprint that several documents read: collection
//! names, PII classes, parameters, the python package name.

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

/// The PII class of a field (`none`, `personal`, `sensitive`), from the
/// blueprint parameter `pii.<Entity>.<field>`; `none` when not classified.
pub fn pii_class(bp: &Blueprint, entity: &str, field: &str) -> String {
    bp.parameter(&format!("pii.{entity}.{field}"))
        .and_then(|p| p.value.as_str().map(str::to_string))
        .unwrap_or_else(|| "none".to_string())
}

/// Whether a field is sensitive (encrypted at rest, never sorted or
/// filtered on).
pub fn is_sensitive(bp: &Blueprint, entity: &str, field: &str) -> bool {
    pii_class(bp, entity, field) == "sensitive"
}

/// A numeric blueprint parameter, or `default` when unset or not a number.
pub fn param_u64(bp: &Blueprint, key: &str, default: u64) -> u64 {
    bp.parameter(key)
        .and_then(|p| p.value.as_u64())
        .unwrap_or(default)
}

/// A blueprint parameter as display text (strings without quotes).
pub fn param_text(bp: &Blueprint, key: &str) -> Option<String> {
    bp.parameter(key).map(|p| match p.value.as_str() {
        Some(s) => s.to_string(),
        None => p.value.to_string(),
    })
}

/// The Python package name of the product (`clinic-flow` → `clinic_flow`).
pub fn package(spec: &Spec) -> String {
    let s = naming::snake(&spec.product.name);
    if s.is_empty() {
        "app".to_string()
    } else {
        s
    }
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
