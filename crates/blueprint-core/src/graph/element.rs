//! The values a blueprint holds: elements, relationships and parameters.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use super::{ElementId, RelationshipId};
use crate::archimate::{AccessType, ElementKind, RelationshipKind};

/// An ArchiMate element of a blueprint.
///
/// ```
/// use blueprint_core::archimate::ElementKind;
/// use blueprint_core::graph::{Element, ElementId};
///
/// let e = Element::new(ElementId::from_parts("role", &["admin"]), ElementKind::BusinessRole, "admin")
///     .with_documentation("Clinic staff")
///     .with_property("admin", "true");
/// assert_eq!(e.property("admin"), Some("true"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Element {
    /// The stable id.
    pub id: ElementId,
    /// The ArchiMate element kind.
    pub kind: ElementKind,
    /// The display name.
    pub name: String,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub documentation: Option<String>,
    /// Properties in insertion order.
    #[serde(default)]
    pub properties: IndexMap<String, String>,
}

impl Element {
    /// An element with no documentation and no properties.
    pub fn new(id: ElementId, kind: ElementKind, name: impl Into<String>) -> Element {
        Element {
            id,
            kind,
            name: name.into(),
            documentation: None,
            properties: IndexMap::new(),
        }
    }

    /// The element with this documentation.
    pub fn with_documentation(mut self, text: impl Into<String>) -> Element {
        self.documentation = Some(text.into());
        self
    }

    /// The element with this property set (replacing an earlier value).
    pub fn with_property(mut self, key: impl Into<String>, value: impl Into<String>) -> Element {
        self.properties.insert(key.into(), value.into());
        self
    }

    /// The value of a property, if set.
    pub fn property(&self, key: &str) -> Option<&str> {
        self.properties.get(key).map(String::as_str)
    }
}

/// An ArchiMate relationship of a blueprint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Relationship {
    /// The stable id, `rel.<kind>.<source>.<target>` (with `.2`, `.3`, … when
    /// the same triple repeats).
    pub id: RelationshipId,
    /// The relationship kind.
    pub kind: RelationshipKind,
    /// The source element.
    pub source: ElementId,
    /// The target element.
    pub target: ElementId,
    /// How an Access relationship uses the data; `None` for other kinds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access: Option<AccessType>,
    /// An optional label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Properties in insertion order.
    #[serde(default)]
    pub properties: IndexMap<String, String>,
}

impl Relationship {
    /// The value of a property, if set.
    pub fn property(&self, key: &str) -> Option<&str> {
        self.properties.get(key).map(String::as_str)
    }
}

/// A relationship to add to a blueprint; the blueprint gives it its id.
///
/// ```
/// use blueprint_core::archimate::{AccessType, RelationshipKind};
/// use blueprint_core::graph::{ElementId, NewRelationship};
///
/// let svc = ElementId::from_parts("svc", &["task", "read"]);
/// let data = ElementId::from_parts("do", &["task"]);
/// let new = NewRelationship::new(RelationshipKind::Access, &svc, &data)
///     .with_access(AccessType::Read)
///     .with_name("reads");
/// assert_eq!(new.access, Some(AccessType::Read));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRelationship {
    /// The relationship kind.
    pub kind: RelationshipKind,
    /// The source element.
    pub source: ElementId,
    /// The target element.
    pub target: ElementId,
    /// How an Access relationship uses the data.
    pub access: Option<AccessType>,
    /// An optional label.
    pub name: Option<String>,
    /// Properties in insertion order.
    pub properties: IndexMap<String, String>,
}

impl NewRelationship {
    /// A relationship of `kind` from `source` to `target`, with no access
    /// type, name or properties.
    pub fn new(kind: RelationshipKind, source: &ElementId, target: &ElementId) -> NewRelationship {
        NewRelationship {
            kind,
            source: source.clone(),
            target: target.clone(),
            access: None,
            name: None,
            properties: IndexMap::new(),
        }
    }

    /// With this access type (Access relationships only).
    pub fn with_access(mut self, access: AccessType) -> NewRelationship {
        self.access = Some(access);
        self
    }

    /// With this label.
    pub fn with_name(mut self, name: impl Into<String>) -> NewRelationship {
        self.name = Some(name.into());
        self
    }

    /// With this property set (replacing an earlier value).
    pub fn with_property(
        mut self,
        key: impl Into<String>,
        value: impl Into<String>,
    ) -> NewRelationship {
        self.properties.insert(key.into(), value.into());
        self
    }
}

/// A setting that stages read, with the element that decided it (for
/// example `password.min_length = 12`, set by a compliance control).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Parameter {
    /// The value.
    pub value: serde_json::Value,
    /// The element that set it.
    pub set_by: ElementId,
}
