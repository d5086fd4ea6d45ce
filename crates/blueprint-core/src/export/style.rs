//! How each layer, element kind and relationship kind looks in diagrams,
//! shared by the DOT and Mermaid writers.

use crate::archimate::{ElementKind, Layer};

/// The fill colour of a layer, after the colours ArchiMate tools commonly
/// use.
pub(super) fn layer_color(layer: Layer) -> &'static str {
    match layer {
        Layer::Strategy => "#f5deaa",
        Layer::Business => "#ffffb5",
        Layer::Application => "#b5ffff",
        Layer::Technology => "#c9e7b7",
        Layer::Physical => "#c9e7b7",
        Layer::Motivation => "#ccccff",
        Layer::ImplementationMigration => "#ffe0e0",
        Layer::Other => "#ffffff",
    }
}

/// A rough family of an element kind's notation, which each writer maps to
/// a shape it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Family {
    /// Actors and roles.
    Actor,
    /// Components, collaborations and the like.
    Component,
    /// Interfaces.
    Interface,
    /// Services, functions, processes, interactions.
    Behaviour,
    /// Events.
    Event,
    /// Business objects, data objects, contracts, representations.
    Object,
    /// Artifacts and deliverables.
    Artifact,
    /// Nodes, devices, equipment and facilities.
    Node,
    /// System software.
    SystemSoftware,
    /// Motivation elements.
    Motivation,
    /// Junctions.
    Junction,
    /// Everything else: a plain box.
    Other,
}

pub(super) fn family(kind: ElementKind) -> Family {
    use ElementKind as K;
    match kind {
        K::BusinessActor | K::BusinessRole | K::Stakeholder => Family::Actor,
        K::ApplicationComponent
        | K::ApplicationCollaboration
        | K::BusinessCollaboration
        | K::TechnologyCollaboration => Family::Component,
        K::BusinessInterface | K::ApplicationInterface | K::TechnologyInterface => {
            Family::Interface
        }
        K::BusinessService
        | K::ApplicationService
        | K::TechnologyService
        | K::BusinessProcess
        | K::BusinessFunction
        | K::BusinessInteraction
        | K::ApplicationFunction
        | K::ApplicationInteraction
        | K::ApplicationProcess
        | K::TechnologyFunction
        | K::TechnologyProcess
        | K::TechnologyInteraction
        | K::ValueStream
        | K::Capability
        | K::CourseOfAction => Family::Behaviour,
        K::BusinessEvent | K::ApplicationEvent | K::TechnologyEvent | K::ImplementationEvent => {
            Family::Event
        }
        K::BusinessObject | K::DataObject | K::Contract | K::Representation | K::Product => {
            Family::Object
        }
        K::Artifact | K::Deliverable | K::Material => Family::Artifact,
        K::Node | K::Device | K::Equipment | K::Facility => Family::Node,
        K::SystemSoftware => Family::SystemSoftware,
        K::Driver
        | K::Assessment
        | K::Goal
        | K::Outcome
        | K::Principle
        | K::Requirement
        | K::Constraint
        | K::Meaning
        | K::Value => Family::Motivation,
        K::AndJunction | K::OrJunction => Family::Junction,
        _ => Family::Other,
    }
}
