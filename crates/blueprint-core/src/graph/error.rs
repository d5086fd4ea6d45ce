//! What can go wrong when building a blueprint graph.

use crate::archimate::{ElementKind, RelationshipKind};

/// An error from changing a [`Blueprint`](super::Blueprint).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GraphError {
    /// The text is not a valid element or relationship id.
    #[error(
        "`{id}` is not a valid id: use an ASCII letter first, then only letters, digits, `.`, `-` or `_` (for example `bo.patient`)"
    )]
    InvalidId {
        /// The rejected text.
        id: String,
    },
    /// An element with this id is already in the blueprint.
    #[error(
        "an element with id `{id}` already exists: give the new element another id, or change the existing one instead of adding it again"
    )]
    DuplicateElement {
        /// The id in use.
        id: String,
    },
    /// A relationship, parameter or change names an element the blueprint
    /// does not hold.
    #[error("no element has id `{id}` (used as the {role}): add the element first, or check the id for typos")]
    UnknownElement {
        /// The id that was not found.
        id: String,
        /// What the id was used as: `source`, `target`, `parameter owner`, …
        role: &'static str,
    },
    /// ArchiMate does not allow this relationship kind between these
    /// element kinds.
    #[error(
        "ArchiMate 3.2 does not allow {kind} from {source_kind} `{source_id}` to {target_kind} `{target_id}`; allowed from {source_kind} to {target_kind}: {allowed}"
    )]
    NotAllowed {
        /// The relationship kind asked for.
        kind: RelationshipKind,
        /// The source element's id.
        source_id: String,
        /// The source element's kind.
        source_kind: ElementKind,
        /// The target element's id.
        target_id: String,
        /// The target element's kind.
        target_kind: ElementKind,
        /// The kinds that are allowed, with their letters, such as
        /// `Access (a), Association (o)`.
        allowed: String,
    },
    /// An access type was given to a relationship that is not an Access.
    #[error(
        "only Access relationships carry an access type, but a {kind} from `{source_id}` to `{target_id}` was given one: drop the access type or make it an Access"
    )]
    AccessTypeOnNonAccess {
        /// The relationship kind asked for.
        kind: RelationshipKind,
        /// The source element's id.
        source_id: String,
        /// The target element's id.
        target_id: String,
    },
}
