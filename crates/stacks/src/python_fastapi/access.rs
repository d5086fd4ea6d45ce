//! Access rules as decisions: for each entity, action and role, whether the
//! role may act on every row, on the rows it owns, or not at all.
//!
//! The blueprint's [`who_can`](blueprint_core::graph::Blueprint::who_can)
//! answers with subjects (`owner`, `authenticated`, `public`, a role, and
//! every admin role); this module folds them into one decision per role, so
//! the generated code and its tests read the same table.

use blueprint_core::graph::Blueprint;
use blueprint_core::spec::{Action, Subject};
use serde::Serialize;

/// What one role may do with one action on one entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Every row.
    All,
    /// Only the rows the user owns.
    Own,
    /// Nothing: the role may not act at all (403).
    None,
}

impl Scope {
    /// The name the generated code uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::All => "all",
            Scope::Own => "own",
            Scope::None => "none",
        }
    }
}

/// The decision of every role, and of visitors without a session, for one
/// action on one entity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionRule {
    /// The action.
    pub action: Action,
    /// Whether visitors without a session may act (`public`).
    pub public: bool,
    /// One decision per role, in spec order.
    pub roles: Vec<(String, Scope)>,
}

impl ActionRule {
    /// The decision of one role (`None` for an unknown role).
    pub fn scope_of(&self, role: &str) -> Scope {
        self.roles
            .iter()
            .find(|(r, _)| r == role)
            .map(|(_, s)| *s)
            .unwrap_or(Scope::None)
    }
}

/// The four rules of an entity, in CRUD order.
pub fn rules_of(bp: &Blueprint, entity: &str) -> Vec<ActionRule> {
    let spec = bp.spec();
    let owned = spec.entities.get(entity).is_some_and(|e| e.owned);
    Action::ALL
        .into_iter()
        .map(|action| {
            let subjects = bp.who_can(action, entity);
            let public = subjects.contains(&Subject::Public);
            let roles = spec
                .roles
                .iter()
                .map(|(name, role)| {
                    let scope = if role.admin
                        || public
                        || subjects.contains(&Subject::Authenticated)
                        || subjects.contains(&Subject::Role(name.clone()))
                    {
                        Scope::All
                    } else if owned
                        && action != Action::Create
                        && subjects.contains(&Subject::Owner)
                    {
                        Scope::Own
                    } else {
                        Scope::None
                    };
                    (name.clone(), scope)
                })
                .collect();
            ActionRule {
                action,
                public,
                roles,
            }
        })
        .collect()
}
