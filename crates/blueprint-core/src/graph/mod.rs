//! The blueprint: an ArchiMate-typed graph of a product's architecture.
//!
//! A [`Blueprint`] holds [`Element`]s and [`Relationship`]s with stable,
//! name-derived ids, the [`Spec`](crate::spec::Spec) it was lowered from, and
//! the [`Parameter`]s later stages decide (such as a password's minimum
//! length). Every relationship is checked against ArchiMate's rules when it
//! is added, and everything iterates in insertion order.
//!
//! # Id conventions
//!
//! | id | element |
//! |---|---|
//! | `role.<name>` | a BusinessRole per spec role |
//! | `actor.visitor` | the BusinessActor for `public` access |
//! | `bo.<entity_snake>` / `do.<entity_snake>` | BusinessObject / DataObject per entity |
//! | `app.<product>` / `app.<product>.api` | the API ApplicationComponent and its ApplicationInterface |
//! | `svc.<entity_snake>.<action>` | an ApplicationService per operation (`create`, `read`, `update`, `delete`) |
//! | `ext.<vendor>` | an external ApplicationComponent per integration |
//! | `tech.<database>`, `node.runtime`, `artifact.<…>` | the technology layer |
//!
//! Relationships are `rel.<kind>.<source>.<target>`, with `.2`, `.3`, … when
//! the same triple repeats. `docs/plan-json.md` documents the same.
//!
//! ```
//! use blueprint_core::archimate::{ElementKind, RelationshipKind};
//! use blueprint_core::builder::SpecBuilder;
//! use blueprint_core::graph::{Element, ElementId, NewRelationship};
//!
//! let mut bp = SpecBuilder::new("tasks")
//!     .with_entity("Task", |e| e.with_field("title", blueprint_core::spec::FieldType::String, |f| f.required()))
//!     .build();
//! let id = bp
//!     .add_element(Element::new(
//!         ElementId::new("req.audit").unwrap(),
//!         ElementKind::Requirement,
//!         "Audit every change",
//!     ))
//!     .unwrap();
//! let task = ElementId::new("do.task").unwrap();
//! // A Requirement cannot serve a DataObject …
//! assert!(bp.add_relationship(NewRelationship::new(RelationshipKind::Serving, &id, &task)).is_err());
//! // … but a DataObject can realize a Requirement.
//! assert!(bp.add_relationship(NewRelationship::new(RelationshipKind::Realization, &task, &id)).is_ok());
//! ```

mod blueprint;
mod element;
mod error;
mod id;
pub mod query;

pub use blueprint::Blueprint;
pub use element::{Element, NewRelationship, Parameter, Relationship};
pub use error::GraphError;
pub use id::{id_segment, is_valid_id, ElementId, RelationshipId};
pub use query::EntityRelation;
