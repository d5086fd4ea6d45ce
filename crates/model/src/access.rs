//! Access decisions: for each entity, action and role, whether the role may
//! act on every row, on its own rows, or not at all, and the answer each
//! case gets.
//!
//! The blueprint's `who_can` answers with subjects (`owner`,
//! `authenticated`, `public`, roles and every admin role); this module
//! folds them into one decision per role, so the generated code, its
//! tests, the documents and the conformance suite read one table.

use blueprint_core::spec::{Action, Subject};
use serde::Serialize;

use crate::entity::{EntityId, RoleId};

/// What one role may do with one action on one entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
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
    /// The scope's name: `all`, `own`, `none`.
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionAccess {
    /// The action.
    pub action: Action,
    /// The subjects the spec (with its defaults) grants it to.
    pub subjects: Vec<Subject>,
    /// Whether visitors without a session may act.
    pub public: bool,
    /// One decision per role, in role order.
    pub roles: Vec<Scope>,
}

impl ActionAccess {
    /// The decision for a role, or for a visitor without a session
    /// (`None`).
    pub fn scope(&self, role: Option<RoleId>) -> Scope {
        match role {
            None if self.public => Scope::All,
            None => Scope::None,
            Some(r) => self.roles.get(r.0).copied().unwrap_or(Scope::None),
        }
    }
}

/// Whose row a case acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RowOwner {
    /// A row the caller owns.
    Mine,
    /// A row someone else owns.
    Other,
}

/// One case of the access table: a caller, an action on an entity, whose
/// row, and the status the contract demands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AccessCase {
    /// The entity.
    pub entity: EntityId,
    /// The action.
    pub action: Action,
    /// The caller's role; `None` for a visitor without a session.
    pub role: Option<RoleId>,
    /// Whose row, for entities whose rows are owned; `None` for create and
    /// for entities that are not owned.
    pub row: Option<RowOwner>,
    /// The answer: 200, 201, 204, 401, 403, 404 or 422.
    pub status: u16,
}

pub(crate) fn fold(
    action: Action,
    subjects: Vec<Subject>,
    owned: bool,
    roles: &[(String, bool)],
) -> ActionAccess {
    let public = subjects.contains(&Subject::Public);
    let scopes = roles
        .iter()
        .map(|(name, admin)| {
            if *admin
                || public
                || subjects.contains(&Subject::Authenticated)
                || subjects.contains(&Subject::Role(name.clone()))
            {
                Scope::All
            } else if owned && action != Action::Create && subjects.contains(&Subject::Owner) {
                Scope::Own
            } else {
                Scope::None
            }
        })
        .collect();
    ActionAccess {
        action,
        subjects,
        public,
        roles: scopes,
    }
}
