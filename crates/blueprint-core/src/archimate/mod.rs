//! The ArchiMate 3.2 vocabulary: element kinds, layers, relationship kinds,
//! access types, and the rule table that says which relationship may join
//! which pair of elements.
//!
//! Names follow the Open Group exchange format (`xsi:type` values); where
//! Archi names a concept differently (both junctions are Archi's
//! `Junction`), [`ElementKind::archi_concept`] gives Archi's name, which is
//! the one the rule table uses.
//!
//! ```
//! use blueprint_core::archimate::{is_allowed, ElementKind, RelationshipKind};
//!
//! assert!(is_allowed(
//!     ElementKind::ApplicationService,
//!     RelationshipKind::Access,
//!     ElementKind::DataObject,
//! ));
//! assert!(!is_allowed(
//!     ElementKind::DataObject,
//!     RelationshipKind::Serving,
//!     ElementKind::BusinessRole,
//! ));
//! ```

mod element;
mod relationship;
mod rules;

pub use element::{ElementKind, Layer};
pub use relationship::{AccessType, RelationshipKind};
pub use rules::{allowed_kinds, is_allowed};
