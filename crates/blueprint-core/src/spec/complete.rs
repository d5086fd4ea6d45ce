//! Completing a spec: the settings the format implies when a spec leaves
//! them out.
//!
//! - Ownership through a relation: an entity without an `owned` key that
//!   has exactly one required many-to-one (or one-to-one) relation to an
//!   owned entity is owned through it. Ownership spreads along such chains,
//!   so this runs until nothing changes.
//! - Access: every action without a rule takes the least-privilege default
//!   ([`Access::default_for`]), which depends on ownership, so it runs after.
//!
//! The parser and the builder both call [`complete`]; what it implied is
//! recorded in each entity's [`Completion`](super::Completion) for `check`
//! to note.

use indexmap::IndexMap;

use super::model::{Access, Entity, RelationKind};

/// The relations of `entity` that could make its owner: required,
/// many-to-one or one-to-one, to another entity that is owned.
pub fn ownership_candidates<'a>(
    name: &str,
    entity: &'a Entity,
    entities: &IndexMap<String, Entity>,
) -> Vec<&'a str> {
    entity
        .relations
        .iter()
        .filter(|(_, r)| {
            r.required
                && r.kind != RelationKind::ManyToMany
                && r.to != name
                && entities.get(&r.to).is_some_and(Entity::is_owned)
        })
        .map(|(n, _)| n.as_str())
        .collect()
}

/// Implies ownership and applies default access (see the module docs).
pub(crate) fn complete(entities: &mut IndexMap<String, Entity>, admin_roles: &[String]) {
    loop {
        let mut implied: Vec<(String, String)> = Vec::new();
        for (name, e) in entities.iter() {
            if e.completion.owned_key || e.is_owned() {
                continue;
            }
            if let [only] = ownership_candidates(name, e, entities).as_slice() {
                implied.push((name.clone(), only.to_string()));
            }
        }
        if implied.is_empty() {
            break;
        }
        for (name, relation) in implied {
            if let Some(e) = entities.get_mut(&name) {
                e.owned_through = Some(relation);
                e.completion.ownership_implied = true;
            }
        }
    }
    for e in entities.values_mut() {
        let owned = e.is_owned();
        for action in e.completion.defaulted.clone() {
            *e.access.get_mut(action) = Access::default_for(action, owned, admin_roles);
        }
    }
}
