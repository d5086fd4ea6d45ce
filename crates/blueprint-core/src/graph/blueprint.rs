//! The [`Blueprint`] graph itself: storage, insertion and plain lookups.

use indexmap::IndexMap;
use petgraph::stable_graph::{EdgeIndex, NodeIndex, StableDiGraph};
use petgraph::Direction;

use super::{
    Element, ElementId, GraphError, NewRelationship, Parameter, Relationship, RelationshipId,
};
use crate::archimate::{allowed_kinds, is_allowed, ElementKind, RelationshipKind};
use crate::spec::Spec;

/// An ArchiMate-typed graph of a product's architecture, with the spec it
/// came from and the parameters later stages decided.
///
/// Build one from a spec with [`Blueprint::from_spec`] (or
/// [`SpecBuilder::build`](crate::builder::SpecBuilder::build)), then add
/// elements and relationships; every relationship is checked against
/// ArchiMate 3.2's rules. Iteration is always in insertion order.
///
/// Two blueprints are equal when their elements, relationships (in order)
/// and parameters are; the spec is not compared.
///
/// ```
/// use blueprint_core::builder::SpecBuilder;
/// use blueprint_core::archimate::ElementKind;
/// use blueprint_core::spec::FieldType;
///
/// let bp = SpecBuilder::new("tasks")
///     .with_entity("Task", |e| e.with_field("title", FieldType::String, |f| f.required()))
///     .build();
/// assert_eq!(bp.spec().product.name, "tasks");
/// assert_eq!(bp.elements_of_kind(ElementKind::DataObject).count(), 1);
/// ```
#[derive(Debug, Clone)]
pub struct Blueprint {
    spec: Spec,
    graph: StableDiGraph<Element, Relationship>,
    nodes: IndexMap<ElementId, NodeIndex>,
    edges: IndexMap<RelationshipId, EdgeIndex>,
    parameters: IndexMap<String, Parameter>,
}

impl PartialEq for Blueprint {
    fn eq(&self, other: &Blueprint) -> bool {
        self.elements().eq(other.elements())
            && self.relationships().eq(other.relationships())
            && self.parameters == other.parameters
    }
}

impl Blueprint {
    /// An empty blueprint for `spec`: no elements yet. Most callers want
    /// [`Blueprint::from_spec`], which lowers the spec into elements.
    ///
    /// ```
    /// use blueprint_core::builder::SpecBuilder;
    /// use blueprint_core::graph::Blueprint;
    ///
    /// let spec = SpecBuilder::new("tasks").spec();
    /// let bp = Blueprint::new(spec);
    /// assert_eq!(bp.elements().count(), 0);
    /// ```
    pub fn new(spec: Spec) -> Blueprint {
        Blueprint {
            spec,
            graph: StableDiGraph::new(),
            nodes: IndexMap::new(),
            edges: IndexMap::new(),
            parameters: IndexMap::new(),
        }
    }

    /// The spec this blueprint was lowered from.
    pub fn spec(&self) -> &Spec {
        &self.spec
    }

    /// Adds an element and returns its id.
    ///
    /// # Errors
    ///
    /// [`GraphError::DuplicateElement`] when an element (or relationship)
    /// already uses the id.
    ///
    /// ```
    /// use blueprint_core::archimate::ElementKind;
    /// use blueprint_core::builder::SpecBuilder;
    /// use blueprint_core::graph::{Blueprint, Element, ElementId};
    ///
    /// let mut bp = Blueprint::new(SpecBuilder::new("tasks").spec());
    /// let id = ElementId::new("goal.uptime").unwrap();
    /// bp.add_element(Element::new(id.clone(), ElementKind::Goal, "Stay up")).unwrap();
    /// // The same id again is refused.
    /// assert!(bp.add_element(Element::new(id, ElementKind::Goal, "Again")).is_err());
    /// ```
    pub fn add_element(&mut self, element: Element) -> Result<ElementId, GraphError> {
        let id = element.id.clone();
        if self.nodes.contains_key(&id) || self.edges.contains_key(id.as_str()) {
            return Err(GraphError::DuplicateElement { id: id.to_string() });
        }
        let index = self.graph.add_node(element);
        self.nodes.insert(id.clone(), index);
        Ok(id)
    }

    /// Adds a relationship and returns the id the blueprint gave it,
    /// `rel.<kind>.<source>.<target>` (with `.2`, `.3`, … when the same
    /// triple is already there).
    ///
    /// # Errors
    ///
    /// - [`GraphError::UnknownElement`] when the source or target is not in
    ///   the blueprint;
    /// - [`GraphError::NotAllowed`] when ArchiMate 3.2 does not allow the
    ///   kind between the two element kinds (the error lists the allowed ones);
    /// - [`GraphError::AccessTypeOnNonAccess`] when a non-Access relationship
    ///   carries an access type.
    ///
    /// ```
    /// use blueprint_core::archimate::{AccessType, ElementKind, RelationshipKind};
    /// use blueprint_core::builder::SpecBuilder;
    /// use blueprint_core::graph::{Blueprint, Element, ElementId, GraphError, NewRelationship};
    ///
    /// let mut bp = Blueprint::new(SpecBuilder::new("tasks").spec());
    /// let svc = bp
    ///     .add_element(Element::new(ElementId::new("svc.report").unwrap(), ElementKind::ApplicationService, "Report"))
    ///     .unwrap();
    /// let data = bp
    ///     .add_element(Element::new(ElementId::new("do.sale").unwrap(), ElementKind::DataObject, "Sale"))
    ///     .unwrap();
    /// let id = bp
    ///     .add_relationship(NewRelationship::new(RelationshipKind::Access, &svc, &data).with_access(AccessType::Read))
    ///     .unwrap();
    /// assert_eq!(id.as_str(), "rel.access.svc.report.do.sale");
    ///
    /// // A service does not serve data; the error lists what is allowed.
    /// let err = bp.add_relationship(NewRelationship::new(RelationshipKind::Serving, &svc, &data)).unwrap_err();
    /// assert!(matches!(err, GraphError::NotAllowed { .. }));
    /// assert!(err.to_string().contains("Access (a), Association (o)"));
    /// ```
    pub fn add_relationship(&mut self, new: NewRelationship) -> Result<RelationshipId, GraphError> {
        let source = self.index_of(&new.source, "source")?;
        let target = self.index_of(&new.target, "target")?;
        let source_kind = self.graph[source].kind;
        let target_kind = self.graph[target].kind;
        if !is_allowed(source_kind, new.kind, target_kind) {
            return Err(GraphError::NotAllowed {
                kind: new.kind,
                source_id: new.source.to_string(),
                source_kind,
                target_id: new.target.to_string(),
                target_kind,
                allowed: describe_kinds(&allowed_kinds(source_kind, target_kind)),
            });
        }
        if new.access.is_some() && new.kind != RelationshipKind::Access {
            return Err(GraphError::AccessTypeOnNonAccess {
                kind: new.kind,
                source_id: new.source.to_string(),
                target_id: new.target.to_string(),
            });
        }
        let id = self.fresh_relationship_id(new.kind, &new.source, &new.target);
        let relationship = Relationship {
            id: id.clone(),
            kind: new.kind,
            source: new.source,
            target: new.target,
            access: new.access,
            name: new.name,
            properties: new.properties,
        };
        let edge = self.graph.add_edge(source, target, relationship);
        self.edges.insert(id.clone(), edge);
        Ok(id)
    }

    /// The first free id among `rel.<kind>.<source>.<target>`, then `.2`,
    /// `.3`, …: deterministic for a deterministic insertion order.
    fn fresh_relationship_id(
        &self,
        kind: RelationshipKind,
        source: &ElementId,
        target: &ElementId,
    ) -> RelationshipId {
        let base =
            RelationshipId::from_parts("rel", &[kind.id_name(), source.as_str(), target.as_str()]);
        let taken = |id: &str| self.edges.contains_key(id) || self.nodes.contains_key(id);
        if !taken(base.as_str()) {
            return base;
        }
        let mut n = 2u64;
        loop {
            let candidate = RelationshipId::from_parts(base.as_str(), &[&n.to_string()]);
            if !taken(candidate.as_str()) {
                return candidate;
            }
            n += 1;
        }
    }

    fn index_of(&self, id: &ElementId, role: &'static str) -> Result<NodeIndex, GraphError> {
        self.nodes
            .get(id)
            .copied()
            .ok_or_else(|| GraphError::UnknownElement {
                id: id.to_string(),
                role,
            })
    }

    /// The element with this id, if any.
    pub fn element(&self, id: &ElementId) -> Option<&Element> {
        self.nodes.get(id).map(|i| &self.graph[*i])
    }

    /// The element whose id is this text, if any.
    ///
    /// ```
    /// use blueprint_core::builder::SpecBuilder;
    /// let bp = SpecBuilder::new("tasks").with_entity("Task", |e| e).build();
    /// assert_eq!(bp.element_by_str("bo.task").map(|e| e.name.as_str()), Some("Task"));
    /// ```
    pub fn element_by_str(&self, id: &str) -> Option<&Element> {
        self.nodes.get(id).map(|n| &self.graph[*n])
    }

    /// The relationship with this id, if any.
    pub fn relationship(&self, id: &RelationshipId) -> Option<&Relationship> {
        self.edges.get(id).and_then(|e| self.graph.edge_weight(*e))
    }

    /// Every element, in insertion order.
    pub fn elements(&self) -> impl Iterator<Item = &Element> + '_ {
        self.nodes.values().map(|i| &self.graph[*i])
    }

    /// Every relationship, in insertion order.
    pub fn relationships(&self) -> impl Iterator<Item = &Relationship> + '_ {
        self.edges
            .values()
            .filter_map(|e| self.graph.edge_weight(*e))
    }

    /// The elements of one kind, in insertion order.
    pub fn elements_of_kind(&self, kind: ElementKind) -> impl Iterator<Item = &Element> + '_ {
        self.elements().filter(move |e| e.kind == kind)
    }

    /// The relationships whose source is `id`, in insertion order.
    ///
    /// ```
    /// use blueprint_core::builder::SpecBuilder;
    /// use blueprint_core::graph::ElementId;
    ///
    /// let bp = SpecBuilder::new("tasks").with_entity("Task", |e| e).build();
    /// let data = ElementId::new("do.task").unwrap();
    /// let targets: Vec<&str> = bp.relationships_from(&data).map(|r| r.target.as_str()).collect();
    /// assert_eq!(targets, ["bo.task"]);
    /// // Four services access the data.
    /// assert_eq!(bp.relationships_to(&data).count(), 5);
    /// ```
    pub fn relationships_from<'a>(
        &'a self,
        id: &'a ElementId,
    ) -> impl Iterator<Item = &'a Relationship> + 'a {
        self.relationships_at(id, Direction::Outgoing)
    }

    /// The relationships whose target is `id`, in insertion order.
    pub fn relationships_to<'a>(
        &'a self,
        id: &'a ElementId,
    ) -> impl Iterator<Item = &'a Relationship> + 'a {
        self.relationships_at(id, Direction::Incoming)
    }

    fn relationships_at<'a>(
        &'a self,
        id: &'a ElementId,
        direction: Direction,
    ) -> impl Iterator<Item = &'a Relationship> + 'a {
        // Edge indices grow with insertion (edges are never removed), so
        // sorting them gives insertion order without scanning every edge.
        let mut edges: Vec<EdgeIndex> = match self.nodes.get(id) {
            Some(node) => {
                use petgraph::visit::EdgeRef;
                self.graph
                    .edges_directed(*node, direction)
                    .map(|e| e.id())
                    .collect()
            }
            None => Vec::new(),
        };
        edges.sort_unstable();
        edges
            .into_iter()
            .filter_map(move |e| self.graph.edge_weight(e))
    }

    /// How many elements of each kind the blueprint holds, in the order of
    /// [`ElementKind::ALL`]; kinds with none are left out.
    ///
    /// ```
    /// use blueprint_core::archimate::ElementKind;
    /// use blueprint_core::builder::SpecBuilder;
    ///
    /// let bp = SpecBuilder::new("tasks").with_entity("Task", |e| e).build();
    /// assert_eq!(bp.counts_by_kind()[&ElementKind::ApplicationService], 4);
    /// assert!(!bp.counts_by_kind().contains_key(&ElementKind::Goal));
    /// ```
    pub fn counts_by_kind(&self) -> IndexMap<ElementKind, usize> {
        let mut counts: IndexMap<ElementKind, usize> = IndexMap::new();
        for kind in ElementKind::ALL {
            let n = self.elements_of_kind(*kind).count();
            if n > 0 {
                counts.insert(*kind, n);
            }
        }
        counts
    }

    /// How many relationships of each kind the blueprint holds, in the order
    /// of [`RelationshipKind::ALL`]; kinds with none are left out.
    pub fn relationship_counts_by_kind(&self) -> IndexMap<RelationshipKind, usize> {
        let mut counts = IndexMap::new();
        for kind in RelationshipKind::ALL {
            let n = self.relationships().filter(|r| r.kind == kind).count();
            if n > 0 {
                counts.insert(kind, n);
            }
        }
        counts
    }

    /// Sets a property of an element and returns the value it replaces.
    ///
    /// # Errors
    ///
    /// [`GraphError::UnknownElement`] when no element has the id.
    pub fn set_element_property(
        &mut self,
        id: &ElementId,
        key: impl Into<String>,
        value: impl Into<String>,
    ) -> Result<Option<String>, GraphError> {
        let index = self.index_of(id, "element to change")?;
        Ok(self.graph[index]
            .properties
            .insert(key.into(), value.into()))
    }

    /// Sets a parameter, such as `password.min_length`, recording the
    /// element that decided it, and returns the parameter it replaces.
    /// Stages read parameters from here, so there is one source of truth.
    ///
    /// # Errors
    ///
    /// [`GraphError::UnknownElement`] when `set_by` is not in the blueprint.
    ///
    /// ```
    /// use blueprint_core::builder::SpecBuilder;
    /// use blueprint_core::graph::ElementId;
    ///
    /// let mut bp = SpecBuilder::new("tasks").with_entity("Task", |e| e).build();
    /// let app = ElementId::new("app.tasks").unwrap();
    /// bp.set_parameter("password.min_length", 12, &app).unwrap();
    /// assert_eq!(bp.parameter("password.min_length").unwrap().value, 12);
    /// ```
    pub fn set_parameter(
        &mut self,
        key: impl Into<String>,
        value: impl Into<serde_json::Value>,
        set_by: &ElementId,
    ) -> Result<Option<Parameter>, GraphError> {
        self.index_of(set_by, "parameter owner")?;
        Ok(self.parameters.insert(
            key.into(),
            Parameter {
                value: value.into(),
                set_by: set_by.clone(),
            },
        ))
    }

    /// The parameter with this key, if set.
    pub fn parameter(&self, key: &str) -> Option<&Parameter> {
        self.parameters.get(key)
    }

    /// Every parameter, in the order they were first set.
    pub fn parameters(&self) -> &IndexMap<String, Parameter> {
        &self.parameters
    }

    /// The underlying petgraph graph, for algorithms this crate does not
    /// wrap. Node weights are [`Element`]s, edge weights [`Relationship`]s.
    pub fn graph(&self) -> &StableDiGraph<Element, Relationship> {
        &self.graph
    }

    /// The petgraph node of an element, if present.
    pub fn node_index(&self, id: &ElementId) -> Option<NodeIndex> {
        self.nodes.get(id).copied()
    }
}

/// `Access (a), Association (o)`, or `nothing` for an empty list.
fn describe_kinds(kinds: &[RelationshipKind]) -> String {
    if kinds.is_empty() {
        return "nothing".to_string();
    }
    kinds
        .iter()
        .map(|k| format!("{k} ({})", k.letter()))
        .collect::<Vec<_>>()
        .join(", ")
}
