//! Questions a platform team asks a blueprint in its unit tests: which
//! entities exist, how they relate, who may do what, and how two elements
//! connect.
//!
//! Every answer is read from the graph's elements and relationships, not
//! from the spec, so a test checks what the later stages will see.
//!
//! ```
//! use blueprint_core::builder::SpecBuilder;
//! use blueprint_core::spec::{Action, FieldType, Subject};
//!
//! let bp = SpecBuilder::new("tasks")
//!     .with_entity("Task", |e| e.owned().with_field("title", FieldType::String, |f| f.required()))
//!     .build();
//! assert_eq!(bp.entities(), ["Task"]);
//! assert_eq!(bp.who_can(Action::Read, "Task"), [Subject::Owner, Subject::Role("admin".into())]);
//! assert_eq!(bp.who_can(Action::Delete, "Task"), [Subject::Owner, Subject::Role("admin".into())]);
//! ```

use petgraph::algo::{all_simple_paths, astar};
use std::hash::RandomState;

use super::{Blueprint, Element, ElementId};
use crate::archimate::{ElementKind, RelationshipKind};
use crate::lower::props;
use crate::naming::snake;
use crate::spec::{Action, OnDelete, RelationKind, Subject};

/// A relation between entities, as the blueprint records it (an Association
/// between their DataObjects).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityRelation {
    /// The relation's name, such as `patient`.
    pub name: String,
    /// The target entity's name, such as `Patient`.
    pub to: String,
    /// The cardinality.
    pub kind: RelationKind,
    /// Whether a link must be given.
    pub required: bool,
    /// What happens when the target row is deleted.
    pub on_delete: OnDelete,
    /// The name of the inverse side on the target, if declared.
    pub inverse: Option<String>,
}

impl Blueprint {
    /// The entity names, in spec order (one per BusinessObject lowered from
    /// an entity).
    ///
    /// ```
    /// use blueprint_core::builder::SpecBuilder;
    /// let bp = SpecBuilder::new("shop").with_entity("Order", |e| e).with_entity("Item", |e| e).build();
    /// assert_eq!(bp.entities(), ["Order", "Item"]);
    /// ```
    pub fn entities(&self) -> Vec<&str> {
        self.elements_of_kind(ElementKind::BusinessObject)
            .filter_map(|e| e.property(props::ENTITY))
            .collect()
    }

    /// The relations an entity declares, in spec order; empty for an
    /// unknown entity.
    ///
    /// ```
    /// use blueprint_core::builder::SpecBuilder;
    /// use blueprint_core::spec::RelationKind;
    ///
    /// let bp = SpecBuilder::new("tasks")
    ///     .with_entity("Project", |e| e)
    ///     .with_entity("Task", |e| e.with_relation("project", "Project", |r| r.required()))
    ///     .build();
    /// let rels = bp.relations_of("Task");
    /// assert_eq!(rels[0].name, "project");
    /// assert_eq!(rels[0].to, "Project");
    /// assert_eq!(rels[0].kind, RelationKind::ManyToOne);
    /// assert!(rels[0].required);
    /// ```
    pub fn relations_of(&self, entity: &str) -> Vec<EntityRelation> {
        let Some(data) = self.data_object_of(entity) else {
            return Vec::new();
        };
        self.relationships_from(&data.id)
            .filter(|r| {
                matches!(
                    r.kind,
                    RelationshipKind::Association | RelationshipKind::Aggregation
                )
            })
            .filter_map(|r| {
                let name = r.property(props::RELATION)?.to_string();
                let to = self
                    .element(&r.target)?
                    .property(props::ENTITY)?
                    .to_string();
                Some(EntityRelation {
                    name,
                    to,
                    kind: relation_kind(r.property(props::KIND)?)?,
                    required: r.property(props::REQUIRED) == Some("true"),
                    on_delete: on_delete(r.property(props::ON_DELETE)?)?,
                    inverse: r.property(props::INVERSE).map(str::to_string),
                })
            })
            .collect()
    }

    /// Who may perform `action` on `entity`: the subjects of the spec's
    /// access rule in spec order, followed by any admin role the rule does
    /// not name (admin roles may always do everything). Read from the
    /// Serving relationships of the operation's ApplicationService; empty
    /// for an unknown entity.
    ///
    /// ```
    /// use blueprint_core::builder::SpecBuilder;
    /// use blueprint_core::spec::{Action, Subject};
    ///
    /// let bp = SpecBuilder::new("blog")
    ///     .with_role("writer", |r| r.signup())
    ///     .with_role("admin", |r| r.admin())
    ///     .with_entity("Post", |e| e.with_access(Action::Read, ["public"]))
    ///     .build();
    /// assert_eq!(bp.who_can(Action::Read, "Post"), [Subject::Public, Subject::Role("admin".into())]);
    /// ```
    pub fn who_can(&self, action: Action, entity: &str) -> Vec<Subject> {
        let Some(service) = self.service_of(entity, action) else {
            return Vec::new();
        };
        let mut subjects: Vec<Subject> = Vec::new();
        for r in self.relationships_from(&service.id) {
            if r.kind != RelationshipKind::Serving {
                continue;
            }
            let subject = match r.property(props::VIA) {
                Some(props::VIA_OWNER) => Subject::Owner,
                Some(props::VIA_AUTHENTICATED) => Subject::Authenticated,
                Some(props::VIA_PUBLIC) => Subject::Public,
                Some(props::VIA_ROLE) | Some(props::VIA_ADMIN) => {
                    match self
                        .element(&r.target)
                        .and_then(|e| e.property(props::ROLE))
                    {
                        Some(role) => Subject::Role(role.to_string()),
                        None => continue,
                    }
                }
                _ => continue,
            };
            if !subjects.contains(&subject) {
                subjects.push(subject);
            }
        }
        subjects
    }

    /// The shortest directed path from `from` to `to`, as element ids with
    /// both ends included; `None` when there is none or an id is unknown.
    ///
    /// ```
    /// use blueprint_core::builder::SpecBuilder;
    /// use blueprint_core::graph::ElementId;
    ///
    /// let bp = SpecBuilder::new("tasks").with_entity("Task", |e| e).build();
    /// let from = ElementId::new("svc.task.read").unwrap();
    /// let to = ElementId::new("bo.task").unwrap();
    /// let path = bp.path_between(&from, &to).unwrap();
    /// let ids: Vec<&str> = path.iter().map(|id| id.as_str()).collect();
    /// assert_eq!(ids, ["svc.task.read", "do.task", "bo.task"]);
    /// ```
    pub fn path_between(&self, from: &ElementId, to: &ElementId) -> Option<Vec<ElementId>> {
        let start = self.node_index(from)?;
        let goal = self.node_index(to)?;
        // Every step costs one and nothing is estimated: a breadth-first
        // search that explores edges in a fixed order, so the answer is the
        // same on every run.
        let (_, nodes) = astar(self.graph(), start, |n| n == goal, |_| 1u32, |_| 0u32)?;
        Some(
            nodes
                .into_iter()
                .map(|n| self.graph()[n].id.clone())
                .collect(),
        )
    }

    /// Every simple directed path from `from` to `to` (no element twice),
    /// shortest first, then by ids; empty when there is none or an id is
    /// unknown. The number of paths can grow fast in dense graphs; prefer
    /// [`path_between`](Self::path_between) when one path will do.
    ///
    /// ```
    /// use blueprint_core::builder::SpecBuilder;
    /// use blueprint_core::graph::ElementId;
    ///
    /// let bp = SpecBuilder::new("tasks").with_entity("Task", |e| e).build();
    /// let app = ElementId::new("app.tasks").unwrap();
    /// let data = ElementId::new("do.task").unwrap();
    /// // Through each of the four services, straight from the component or
    /// // through its interface: eight paths, the shortest first.
    /// let paths = bp.paths(&app, &data);
    /// assert_eq!(paths.len(), 8);
    /// assert_eq!(paths[0].len(), 3);
    /// assert_eq!(paths[7].len(), 4);
    /// ```
    pub fn paths(&self, from: &ElementId, to: &ElementId) -> Vec<Vec<ElementId>> {
        let (Some(start), Some(goal)) = (self.node_index(from), self.node_index(to)) else {
            return Vec::new();
        };
        let mut found: Vec<Vec<ElementId>> =
            all_simple_paths::<Vec<_>, _, RandomState>(self.graph(), start, goal, 0, None)
                .map(|p| p.into_iter().map(|n| self.graph()[n].id.clone()).collect())
                .collect();
        found.sort_by(|a: &Vec<ElementId>, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
        found.dedup();
        found
    }

    /// The DataObject lowered from an entity, if any.
    pub fn data_object_of(&self, entity: &str) -> Option<&Element> {
        self.lowered(
            ElementKind::DataObject,
            entity,
            None,
            &["do", &snake(entity)],
        )
    }

    /// The BusinessObject lowered from an entity, if any.
    pub fn business_object_of(&self, entity: &str) -> Option<&Element> {
        self.lowered(
            ElementKind::BusinessObject,
            entity,
            None,
            &["bo", &snake(entity)],
        )
    }

    /// The ApplicationService of one operation on an entity, if any.
    ///
    /// ```
    /// use blueprint_core::builder::SpecBuilder;
    /// use blueprint_core::spec::Action;
    ///
    /// let bp = SpecBuilder::new("tasks").with_entity("Task", |e| e).build();
    /// let svc = bp.service_of("Task", Action::Update).unwrap();
    /// assert_eq!(svc.id.as_str(), "svc.task.update");
    /// assert_eq!(svc.property("operations"), Some("PATCH /api/tasks/{id}"));
    /// ```
    pub fn service_of(&self, entity: &str, action: Action) -> Option<&Element> {
        self.lowered(
            ElementKind::ApplicationService,
            entity,
            Some(action),
            &["svc", &snake(entity), action.as_str()],
        )
    }

    /// The element lowering made for an entity (and action): found by its
    /// conventional id in constant time, else (an id taken by something
    /// else, a blueprint built by hand) by scanning the elements of its
    /// kind.
    fn lowered(
        &self,
        kind: ElementKind,
        entity: &str,
        action: Option<Action>,
        id_parts: &[&str],
    ) -> Option<&Element> {
        let fits = |e: &&Element| {
            e.kind == kind
                && e.property(props::ENTITY) == Some(entity)
                && action.is_none_or(|a| e.property(props::ACTION) == Some(a.as_str()))
        };
        let id = ElementId::from_parts(id_parts[0], &id_parts[1..]);
        self.element(&id)
            .filter(fits)
            .or_else(|| self.elements_of_kind(kind).find(|e| fits(e)))
    }
}

fn relation_kind(text: &str) -> Option<RelationKind> {
    [
        RelationKind::ManyToOne,
        RelationKind::OneToOne,
        RelationKind::ManyToMany,
    ]
    .into_iter()
    .find(|k| k.as_str() == text)
}

fn on_delete(text: &str) -> Option<OnDelete> {
    [OnDelete::Restrict, OnDelete::Cascade, OnDelete::SetNull]
        .into_iter()
        .find(|k| k.as_str() == text)
}
