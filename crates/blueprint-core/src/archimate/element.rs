//! Element kinds and the layers they belong to.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The layer (or aspect group) of the ArchiMate framework an element kind
/// belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Layer {
    /// Capabilities, resources, value streams, courses of action.
    Strategy,
    /// Actors, roles, business behaviour and business objects.
    Business,
    /// Application components, interfaces, services and data objects.
    Application,
    /// Nodes, system software, technology services and artifacts.
    Technology,
    /// Equipment, facilities, distribution networks and material.
    Physical,
    /// Stakeholders, drivers, goals, requirements and the like.
    Motivation,
    /// Work packages, deliverables, plateaus and gaps.
    ImplementationMigration,
    /// Grouping, location and junctions.
    Other,
}

impl Layer {
    /// Every layer, in the order diagrams draw them.
    pub const ALL: [Layer; 8] = [
        Layer::Strategy,
        Layer::Business,
        Layer::Application,
        Layer::Technology,
        Layer::Physical,
        Layer::Motivation,
        Layer::ImplementationMigration,
        Layer::Other,
    ];

    /// A human name, such as `Implementation & Migration`.
    ///
    /// ```
    /// use blueprint_core::archimate::Layer;
    /// assert_eq!(Layer::Business.name(), "Business");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Layer::Strategy => "Strategy",
            Layer::Business => "Business",
            Layer::Application => "Application",
            Layer::Technology => "Technology",
            Layer::Physical => "Physical",
            Layer::Motivation => "Motivation",
            Layer::ImplementationMigration => "Implementation & Migration",
            Layer::Other => "Other",
        }
    }

    /// A short lowercase identifier, such as `implementation_migration`,
    /// safe in DOT and Mermaid ids.
    ///
    /// ```
    /// use blueprint_core::archimate::Layer;
    /// assert_eq!(Layer::ImplementationMigration.id(), "implementation_migration");
    /// ```
    pub fn id(self) -> &'static str {
        match self {
            Layer::Strategy => "strategy",
            Layer::Business => "business",
            Layer::Application => "application",
            Layer::Technology => "technology",
            Layer::Physical => "physical",
            Layer::Motivation => "motivation",
            Layer::ImplementationMigration => "implementation_migration",
            Layer::Other => "other",
        }
    }
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

macro_rules! element_kinds {
    ($( $(#[$doc:meta])* $variant:ident => $xsi:literal, $archi:literal, $layer:ident; )+) => {
        /// Every concrete element type of the ArchiMate exchange format
        /// (`ElementTypeEnum` in `archimate3_Model.xsd`), including
        /// `Grouping`, `Location` and the two junctions.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[non_exhaustive]
        pub enum ElementKind {
            $( $(#[$doc])* $variant, )+
        }

        impl ElementKind {
            /// Every element kind, in the order of the exchange schema.
            pub const ALL: &'static [ElementKind] = &[ $( ElementKind::$variant, )+ ];

            /// The exchange-format name (`xsi:type`), such as `BusinessRole`.
            ///
            /// ```
            /// use blueprint_core::archimate::ElementKind;
            /// assert_eq!(ElementKind::AndJunction.xsi_type(), "AndJunction");
            /// ```
            pub fn xsi_type(self) -> &'static str {
                match self { $( ElementKind::$variant => $xsi, )+ }
            }

            /// Archi's concept name, as the rule table uses it: the same as
            /// [`xsi_type`](Self::xsi_type) except that both junctions are
            /// `Junction`.
            ///
            /// ```
            /// use blueprint_core::archimate::ElementKind;
            /// assert_eq!(ElementKind::OrJunction.archi_concept(), "Junction");
            /// assert_eq!(ElementKind::Node.archi_concept(), "Node");
            /// ```
            pub fn archi_concept(self) -> &'static str {
                match self { $( ElementKind::$variant => $archi, )+ }
            }

            /// The layer the kind belongs to.
            ///
            /// ```
            /// use blueprint_core::archimate::{ElementKind, Layer};
            /// assert_eq!(ElementKind::DataObject.layer(), Layer::Application);
            /// ```
            pub fn layer(self) -> Layer {
                match self { $( ElementKind::$variant => Layer::$layer, )+ }
            }
        }
    };
}

element_kinds! {
    /// An organizational entity capable of performing behaviour.
    BusinessActor => "BusinessActor", "BusinessActor", Business;
    /// The responsibility for performing specific behaviour.
    BusinessRole => "BusinessRole", "BusinessRole", Business;
    /// An aggregate of business internal active structure elements.
    BusinessCollaboration => "BusinessCollaboration", "BusinessCollaboration", Business;
    /// A point of access where a business service is made available.
    BusinessInterface => "BusinessInterface", "BusinessInterface", Business;
    /// A sequence of business behaviours that achieves a result.
    BusinessProcess => "BusinessProcess", "BusinessProcess", Business;
    /// A collection of business behaviour grouped by a chosen set of criteria.
    BusinessFunction => "BusinessFunction", "BusinessFunction", Business;
    /// A unit of collective business behaviour.
    BusinessInteraction => "BusinessInteraction", "BusinessInteraction", Business;
    /// A business state change.
    BusinessEvent => "BusinessEvent", "BusinessEvent", Business;
    /// Explicitly defined business behaviour offered to the environment.
    BusinessService => "BusinessService", "BusinessService", Business;
    /// A concept used within a particular business domain.
    BusinessObject => "BusinessObject", "BusinessObject", Business;
    /// A formal or informal agreement.
    Contract => "Contract", "Contract", Business;
    /// A perceptible form of the information carried by a business object.
    Representation => "Representation", "Representation", Business;
    /// A coherent collection of services and passive structure elements.
    Product => "Product", "Product", Business;
    /// An encapsulation of application functionality.
    ApplicationComponent => "ApplicationComponent", "ApplicationComponent", Application;
    /// An aggregate of application components that work together.
    ApplicationCollaboration => "ApplicationCollaboration", "ApplicationCollaboration", Application;
    /// A point of access where application services are made available.
    ApplicationInterface => "ApplicationInterface", "ApplicationInterface", Application;
    /// Automated behaviour grouped by a chosen set of criteria.
    ApplicationFunction => "ApplicationFunction", "ApplicationFunction", Application;
    /// A unit of collective application behaviour.
    ApplicationInteraction => "ApplicationInteraction", "ApplicationInteraction", Application;
    /// A sequence of application behaviours that achieves a result.
    ApplicationProcess => "ApplicationProcess", "ApplicationProcess", Application;
    /// An application state change.
    ApplicationEvent => "ApplicationEvent", "ApplicationEvent", Application;
    /// Explicitly defined exposed application behaviour.
    ApplicationService => "ApplicationService", "ApplicationService", Application;
    /// Data structured for automated processing.
    DataObject => "DataObject", "DataObject", Application;
    /// A computational or physical resource that hosts or runs artifacts.
    Node => "Node", "Node", Technology;
    /// A physical IT resource with processing capability.
    Device => "Device", "Device", Technology;
    /// Software that provides an environment for other software.
    SystemSoftware => "SystemSoftware", "SystemSoftware", Technology;
    /// An aggregate of nodes that work together.
    TechnologyCollaboration => "TechnologyCollaboration", "TechnologyCollaboration", Technology;
    /// A point of access where technology services are made available.
    TechnologyInterface => "TechnologyInterface", "TechnologyInterface", Technology;
    /// A link between nodes through which they exchange data, energy or material.
    Path => "Path", "Path", Technology;
    /// A set of structures that connects devices or system software.
    CommunicationNetwork => "CommunicationNetwork", "CommunicationNetwork", Technology;
    /// Technology behaviour grouped by a chosen set of criteria.
    TechnologyFunction => "TechnologyFunction", "TechnologyFunction", Technology;
    /// A sequence of technology behaviours that achieves a result.
    TechnologyProcess => "TechnologyProcess", "TechnologyProcess", Technology;
    /// A unit of collective technology behaviour.
    TechnologyInteraction => "TechnologyInteraction", "TechnologyInteraction", Technology;
    /// A technology state change.
    TechnologyEvent => "TechnologyEvent", "TechnologyEvent", Technology;
    /// Explicitly defined exposed technology behaviour.
    TechnologyService => "TechnologyService", "TechnologyService", Technology;
    /// A piece of data used or produced in software development or deployment.
    Artifact => "Artifact", "Artifact", Technology;
    /// Physical machines, tools or instruments.
    Equipment => "Equipment", "Equipment", Physical;
    /// A physical structure or environment.
    Facility => "Facility", "Facility", Physical;
    /// A physical network used to transport materials or energy.
    DistributionNetwork => "DistributionNetwork", "DistributionNetwork", Physical;
    /// Tangible physical matter or energy.
    Material => "Material", "Material", Physical;
    /// A party with interests in the effects of the architecture.
    Stakeholder => "Stakeholder", "Stakeholder", Motivation;
    /// Something that motivates an organization to change.
    Driver => "Driver", "Driver", Motivation;
    /// The result of an analysis of a driver.
    Assessment => "Assessment", "Assessment", Motivation;
    /// A high-level statement of intent.
    Goal => "Goal", "Goal", Motivation;
    /// An end result.
    Outcome => "Outcome", "Outcome", Motivation;
    /// A statement of intent for the properties of every system.
    Principle => "Principle", "Principle", Motivation;
    /// A statement of need a system must realize.
    Requirement => "Requirement", "Requirement", Motivation;
    /// A limitation on the way a system is realized.
    Constraint => "Constraint", "Constraint", Motivation;
    /// The knowledge or expertise present in, or the interpretation of, a concept.
    Meaning => "Meaning", "Meaning", Motivation;
    /// The relative worth, utility or importance of a concept.
    Value => "Value", "Value", Motivation;
    /// An asset owned or controlled by an individual or organization.
    Resource => "Resource", "Resource", Strategy;
    /// An ability an organization, person or system possesses.
    Capability => "Capability", "Capability", Strategy;
    /// An approach or plan for configuring capabilities and resources.
    CourseOfAction => "CourseOfAction", "CourseOfAction", Strategy;
    /// A sequence of activities that create an overall result.
    ValueStream => "ValueStream", "ValueStream", Strategy;
    /// A series of actions to achieve a unique goal within time constraints.
    WorkPackage => "WorkPackage", "WorkPackage", ImplementationMigration;
    /// A precisely defined result of a work package.
    Deliverable => "Deliverable", "Deliverable", ImplementationMigration;
    /// A state change related to implementation or migration.
    ImplementationEvent => "ImplementationEvent", "ImplementationEvent", ImplementationMigration;
    /// A relatively stable state of the architecture over a period of time.
    Plateau => "Plateau", "Plateau", ImplementationMigration;
    /// A statement of difference between two plateaus.
    Gap => "Gap", "Gap", ImplementationMigration;
    /// An aggregation of concepts that belong together.
    Grouping => "Grouping", "Grouping", Other;
    /// A conceptual or physical place or position.
    Location => "Location", "Location", Other;
    /// A junction where all incoming relationships must hold (logical and).
    AndJunction => "AndJunction", "Junction", Other;
    /// A junction where one incoming relationship suffices (logical or).
    OrJunction => "OrJunction", "Junction", Other;
}

impl ElementKind {
    /// The kind with this exchange-format name, if any.
    ///
    /// ```
    /// use blueprint_core::archimate::ElementKind;
    /// assert_eq!(ElementKind::from_xsi_type("DataObject"), Some(ElementKind::DataObject));
    /// assert_eq!(ElementKind::from_xsi_type("Junction"), None);
    /// ```
    pub fn from_xsi_type(name: &str) -> Option<ElementKind> {
        ElementKind::ALL
            .iter()
            .copied()
            .find(|k| k.xsi_type() == name)
    }

    /// The position of the kind in [`ElementKind::ALL`].
    pub(crate) fn index(self) -> usize {
        // The variants are declared in the order of `ALL`, without explicit
        // discriminants, so the discriminant is the position.
        self as usize
    }
}

impl fmt::Display for ElementKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.xsi_type())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_lists_every_kind_once_in_declaration_order() {
        assert_eq!(ElementKind::ALL.len(), 62);
        for (i, k) in ElementKind::ALL.iter().enumerate() {
            assert_eq!(k.index(), i, "{k}");
            assert_eq!(ElementKind::from_xsi_type(k.xsi_type()), Some(*k));
        }
    }

    #[test]
    fn only_junctions_differ_from_archi() {
        let differing: Vec<_> = ElementKind::ALL
            .iter()
            .filter(|k| k.xsi_type() != k.archi_concept())
            .collect();
        assert_eq!(
            differing,
            [&ElementKind::AndJunction, &ElementKind::OrJunction]
        );
    }
}
