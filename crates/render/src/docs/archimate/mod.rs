//! The blueprint as an Open Group ArchiMate Model Exchange File
//! (`docs/archimate/model.xml`): every element and relationship with its
//! properties, organizations by layer, Dublin Core metadata, and four views
//! laid out by [`layout`]:
//!
//! | view | shows |
//! |---|---|
//! | Layered overview | business (roles, business objects) → application services → application (component, interface, integrations, data) → technology |
//! | Information structure | business objects, the data objects realizing them, and the relations between entities |
//! | Application services | the component and its interface, every entity's four services, the data they access |
//! | Compliance | drivers (frameworks) → requirements and constraints (controls) → the elements realizing them |
//!
//! The file validates against `archimate3_Diagram_with_dc.xsd` (the tests
//! run `xmllint` on it) and opens in Archi.

pub mod layout;
pub mod xml;

use blueprint_core::archimate::{ElementKind, Layer, RelationshipKind};
use blueprint_core::graph::{Blueprint, Element, Relationship};
use blueprint_core::spec::Action;
use indexmap::{IndexMap, IndexSet};
use std::collections::HashSet;

use crate::docs::archimate::layout::{layered, Band, ViewLayout};
use crate::docs::archimate::xml::XmlWriter;
use crate::{DocInput, DocumentEmitter, FileTree, RenderError};

/// The path of the model in a generated project.
pub const MODEL_PATH: &str = "docs/archimate/model.xml";

const NS: &str = "http://www.opengroup.org/xsd/archimate/3.0/";
const NS_XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";
const NS_DC: &str = "http://purl.org/dc/elements/1.1/";
const SCHEMA_LOCATION: &str = "http://www.opengroup.org/xsd/archimate/3.0/ http://www.opengroup.org/xsd/archimate/3.1/archimate3_Diagram.xsd http://purl.org/dc/elements/1.1/ http://www.opengroup.org/xsd/archimate/3.1/dc.xsd";
const EN: (&str, &str) = ("xml:lang", "en");

/// Emits `docs/archimate/model.xml`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ArchimateEmitter;

impl DocumentEmitter for ArchimateEmitter {
    fn id(&self) -> &'static str {
        "archimate"
    }

    fn emit(&self, input: &DocInput<'_>, out: &mut FileTree) -> Result<(), RenderError> {
        let mut xml = model_xml(input.blueprint);
        // The model is the plan; where the PCI DSS scope rests on a payments
        // integration the project lacks, say so (the words carry no markup).
        if let Some((said, planned)) = crate::docs::integrations::planned_pci_scope(
            input.analysis,
            input.generated_integrations,
        ) {
            xml = xml.replace(&said, &planned);
        }
        out.insert(MODEL_PATH, xml)
    }
}

/// One view of the model: its id, name, viewpoint and layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    /// The view's identifier (unique in the model).
    pub id: String,
    /// The display name.
    pub name: String,
    /// A short description.
    pub documentation: String,
    /// The ArchiMate viewpoint, when the view keeps to one.
    pub viewpoint: Option<&'static str>,
    /// Where each element and band title goes.
    pub layout: ViewLayout,
    /// Whether the view shows only relationships that end at a motivation
    /// element (the compliance view), rather than every relationship
    /// between the elements it places.
    pub motivation_only: bool,
}

/// Hands out identifiers that collide with no blueprint id and with no
/// identifier handed out before.
#[derive(Debug, Default)]
struct Ids {
    taken: HashSet<String>,
}

impl Ids {
    fn new(bp: &Blueprint) -> Ids {
        let mut taken = HashSet::new();
        taken.extend(bp.elements().map(|e| e.id.to_string()));
        taken.extend(bp.relationships().map(|r| r.id.to_string()));
        Ids { taken }
    }

    fn fresh(&mut self, base: &str) -> String {
        let base = ncname(base);
        let mut candidate = base.clone();
        let mut n = 2u32;
        while self.taken.contains(&candidate) {
            candidate = format!("{base}-{n}");
            n += 1;
        }
        self.taken.insert(candidate.clone());
        candidate
    }
}

/// Text made into an XML NCName: letters, digits, `.`, `-`, `_`, starting
/// with a letter.
fn ncname(text: &str) -> String {
    let mut s: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if !s.starts_with(|c: char| c.is_ascii_alphabetic()) {
        s.insert(0, 'x');
    }
    s
}

/// The properties written for an element: its own, and for a DataObject
/// the PII class of each field (`pii.<field>`), read from the blueprint's
/// `pii.<Entity>.<field>` parameters.
fn element_properties(bp: &Blueprint, e: &Element) -> Vec<(String, String)> {
    let mut props: Vec<(String, String)> = e
        .properties
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if e.kind == ElementKind::DataObject {
        if let Some(entity) = e.property("entity") {
            let prefix = format!("pii.{entity}.");
            for (key, p) in bp.parameters() {
                if let Some(field) = key.strip_prefix(&prefix) {
                    let value = match p.value.as_str() {
                        Some(s) => s.to_string(),
                        None => p.value.to_string(),
                    };
                    props.push((format!("pii.{field}"), value));
                }
            }
        }
    }
    props
}

fn model_properties(bp: &Blueprint) -> Vec<(String, String)> {
    let spec = bp.spec();
    let mut props = vec![
        ("product".to_string(), spec.product.name.clone()),
        ("stack".to_string(), spec.stack.clone()),
        ("database".to_string(), spec.database.clone()),
        ("generator".to_string(), "archgen".to_string()),
    ];
    for (key, p) in bp.parameters() {
        if key.starts_with("pii.") {
            continue;
        }
        let value = match p.value.as_str() {
            Some(s) => s.to_string(),
            None => p.value.to_string(),
        };
        props.push((format!("parameter.{key}"), value));
    }
    props
}

/// The property definitions: one per distinct key, in first-use order.
struct PropertyDefs {
    by_key: IndexMap<String, String>,
}

impl PropertyDefs {
    fn collect(bp: &Blueprint, ids: &mut Ids) -> PropertyDefs {
        let mut keys: IndexSet<String> = IndexSet::new();
        keys.extend(model_properties(bp).into_iter().map(|(k, _)| k));
        for e in bp.elements() {
            keys.extend(element_properties(bp, e).into_iter().map(|(k, _)| k));
        }
        for r in bp.relationships() {
            keys.extend(r.properties.keys().cloned());
        }
        let by_key = keys
            .into_iter()
            .map(|k| {
                let id = ids.fresh(&format!("propdef-{k}"));
                (k, id)
            })
            .collect();
        PropertyDefs { by_key }
    }

    fn write(&self, w: &mut XmlWriter, props: &[(String, String)]) {
        if props.is_empty() {
            return;
        }
        w.open("properties", &[]);
        for (k, v) in props {
            if let Some(id) = self.by_key.get(k) {
                w.open("property", &[("propertyDefinitionRef", id)]);
                w.text("value", &[EN], v);
                w.close();
            }
        }
        w.close();
    }
}

fn ids_of<'a>(it: impl Iterator<Item = &'a Element>) -> Vec<String> {
    it.map(|e| e.id.to_string()).collect()
}

fn of_kinds(bp: &Blueprint, kinds: &[ElementKind]) -> Vec<String> {
    ids_of(bp.elements().filter(|e| kinds.contains(&e.kind)))
}

fn is_external(e: &Element) -> bool {
    e.property("external") == Some("true")
}

/// The views of the model, laid out.
///
/// ```
/// use blueprint_core::builder::SpecBuilder;
/// let mut bp = SpecBuilder::new("tasks").with_entity("Task", |e| e).build();
/// compliance::complete(&mut bp).unwrap();
/// let views = render::docs::archimate::views(&bp);
/// let names: Vec<&str> = views.iter().map(|v| v.name.as_str()).collect();
/// assert_eq!(names, ["Layered overview", "Information structure", "Application services", "Compliance"]);
/// ```
pub fn views(bp: &Blueprint) -> Vec<View> {
    let mut ids = Ids::new(bp);
    views_with(bp, &mut ids)
}

fn views_with(bp: &Blueprint, ids: &mut Ids) -> Vec<View> {
    let roles = of_kinds(bp, &[ElementKind::BusinessActor, ElementKind::BusinessRole]);
    let components: Vec<String> = ids_of(bp.elements().filter(|e| {
        matches!(
            e.kind,
            ElementKind::ApplicationComponent | ElementKind::ApplicationInterface
        ) && !is_external(e)
    }));
    let externals: Vec<String> = ids_of(
        bp.elements_of_kind(ElementKind::ApplicationComponent)
            .filter(|e| is_external(e)),
    );
    let mut top = components;
    top.extend(externals);
    let technology = ids_of(
        bp.elements()
            .filter(|e| e.kind.layer() == Layer::Technology),
    );
    // Entity-aligned bands: one column per entity, so an entity's business
    // object, services (one row per action) and data object line up.
    let entities = bp.entities();
    let columns = entities.len().clamp(1, 10);
    let business_objects: Vec<String> = entities
        .iter()
        .filter_map(|e| bp.business_object_of(e).map(|x| x.id.to_string()))
        .collect();
    let data: Vec<String> = entities
        .iter()
        .filter_map(|e| bp.data_object_of(e).map(|x| x.id.to_string()))
        .collect();
    let mut services: Vec<String> = Vec::new();
    for action in Action::ALL {
        for entity in &entities {
            if let Some(svc) = bp.service_of(entity, action) {
                services.push(svc.id.to_string());
            }
        }
    }
    let mut other_business = of_kinds(bp, &[ElementKind::BusinessObject]);
    other_business.retain(|id| !business_objects.contains(id));
    let mut other_services = of_kinds(bp, &[ElementKind::ApplicationService]);
    other_services.retain(|id| !services.contains(id));
    let mut other_data = of_kinds(bp, &[ElementKind::DataObject]);
    other_data.retain(|id| !data.contains(id));

    let overview = View {
        id: ids.fresh("view-layered"),
        name: "Layered overview".into(),
        documentation: "Business, application and technology layers of the product, top to bottom; each entity has a column of its own."
            .into(),
        viewpoint: Some("Layered"),
        motivation_only: false,
        layout: layered(&[
            Band::new("Business roles", roles, 8),
            Band::new("Business objects", business_objects.clone(), columns),
            Band::new("Other business objects", other_business.clone(), 8),
            Band::new("Application components", top.clone(), 8),
            Band::new("Application services", services.clone(), columns),
            Band::new("Other services", other_services.clone(), 8),
            Band::new("Data objects", data.clone(), columns),
            Band::new("Other data objects", other_data.clone(), 8),
            Band::new("Technology", technology, 8),
        ]),
    };

    let information = View {
        id: ids.fresh("view-information"),
        name: "Information structure".into(),
        documentation: "The business objects of the product, the data objects that realize them, and the relations between entities."
            .into(),
        viewpoint: Some("Information Structure"),
        motivation_only: false,
        layout: layered(&[
            Band::new("Business objects", business_objects, columns),
            Band::new("Other business objects", other_business, 8),
            Band::new("Data objects", data.clone(), columns),
            Band::new("Other data objects", other_data.clone(), 8),
        ]),
    };

    let application_view = View {
        id: ids.fresh("view-application"),
        name: "Application services".into(),
        documentation: "The API component, its interface and the integrations; below them the create, read, update and delete services of every entity (one column per entity, one row per action); at the bottom the data each service accesses."
            .into(),
        viewpoint: Some("Application Usage"),
        motivation_only: false,
        layout: layered(&[
            Band::new("Components", top, 8),
            Band::new("Services", services, columns),
            Band::new("Other services", other_services, 8),
            Band::new("Data", data, columns),
            Band::new("Other data", other_data, 8),
        ]),
    };

    let drivers = of_kinds(bp, &[ElementKind::Driver]);
    let controls = of_kinds(bp, &[ElementKind::Requirement, ElementKind::Constraint]);
    let control_set: HashSet<&str> = controls.iter().map(String::as_str).collect();
    let mut realizers: IndexSet<String> = IndexSet::new();
    for e in bp.elements() {
        let realizes = bp.relationships_from(&e.id).any(|r| {
            r.kind == RelationshipKind::Realization && control_set.contains(r.target.as_str())
        });
        if realizes && !control_set.contains(e.id.as_str()) {
            realizers.insert(e.id.to_string());
        }
    }
    let compliance = View {
        id: ids.fresh("view-compliance"),
        name: "Compliance".into(),
        documentation: "Why each control applies (drivers: the frameworks in force and the security baseline), the controls as requirements and constraints, and the elements that realize them."
            .into(),
        viewpoint: None,
        motivation_only: true,
        layout: layered(&[
            Band::new("Drivers", drivers, 8),
            Band::new("Controls", controls, 8),
            Band::new("Realized by", realizers.into_iter().collect(), 8),
        ]),
    };
    vec![overview, information, application_view, compliance]
}

/// The top-level folders, named as Archi names its own so that an import
/// fills them rather than nesting new ones, and the layers each holds.
const FOLDERS: [(&str, &[Layer]); 7] = [
    ("Strategy", &[Layer::Strategy]),
    ("Business", &[Layer::Business]),
    ("Application", &[Layer::Application]),
    (
        "Technology & Physical",
        &[Layer::Technology, Layer::Physical],
    ),
    ("Motivation", &[Layer::Motivation]),
    (
        "Implementation & Migration",
        &[Layer::ImplementationMigration],
    ),
    ("Other", &[Layer::Other]),
];

/// The fill colour of a layer, as Archi draws it.
fn fill(layer: Layer) -> (u8, u8, u8) {
    match layer {
        Layer::Business => (255, 255, 181),
        Layer::Application => (181, 255, 255),
        Layer::Technology => (201, 231, 183),
        Layer::Physical => (201, 231, 183),
        Layer::Motivation => (204, 204, 255),
        Layer::Strategy => (245, 222, 170),
        Layer::ImplementationMigration => (255, 224, 224),
        Layer::Other => (255, 255, 255),
    }
}

fn color(w: &mut XmlWriter, name: &str, (r, g, b): (u8, u8, u8)) {
    let (r, g, b) = (r.to_string(), g.to_string(), b.to_string());
    w.empty(name, &[("r", &r), ("g", &g), ("b", &b)]);
}

/// The whole exchange file for a (complete) blueprint.
///
/// ```
/// use blueprint_core::builder::SpecBuilder;
/// let mut bp = SpecBuilder::new("tasks").with_entity("Task", |e| e).build();
/// compliance::complete(&mut bp).unwrap();
/// let xml = render::docs::archimate::model_xml(&bp);
/// assert!(xml.contains(r#"<element identifier="do.task" xsi:type="DataObject">"#));
/// assert!(xml.contains(r#"accessType="ReadWrite""#));
/// ```
pub fn model_xml(bp: &Blueprint) -> String {
    let spec = bp.spec();
    let mut ids = Ids::new(bp);
    let model_id = ids.fresh(&format!("model-{}", spec.product.name));
    let defs = PropertyDefs::collect(bp, &mut ids);
    let views = views_with(bp, &mut ids);
    let title = spec.product.display_name();

    // About what each element, relationship, view node and connection
    // takes, so the buffer is not copied as it grows; pages reserved and
    // never written cost no memory.
    let mut w =
        XmlWriter::with_capacity(1200 * (bp.elements().count() + bp.relationships().count()));
    w.open(
        "model",
        &[
            ("xmlns", NS),
            ("xmlns:xsi", NS_XSI),
            ("xmlns:dc", NS_DC),
            ("xsi:schemaLocation", SCHEMA_LOCATION),
            ("identifier", &model_id),
        ],
    );
    w.text("name", &[EN], title);
    let doc = match &spec.product.description {
        Some(d) if !d.trim().is_empty() => d.trim().to_string(),
        _ => format!("The architecture of {title}, as archgen generated it."),
    };
    w.text("documentation", &[EN], &doc);
    defs.write(&mut w, &model_properties(bp));

    w.open("metadata", &[]);
    w.text("schema", &[], "Dublin Core");
    w.text("schemaversion", &[], "1.1");
    w.text("dc:title", &[], &format!("{title} architecture"));
    w.text("dc:creator", &[], "archgen");
    w.text("dc:subject", &[], "ArchiMate model of a generated backend");
    w.text("dc:description", &[], &doc);
    w.text(
        "dc:format",
        &[],
        "The Open Group ArchiMate Model Exchange File Format 3.1",
    );
    w.text("dc:language", &[], "en");
    w.close();

    w.open("elements", &[]);
    for e in bp.elements() {
        w.open(
            "element",
            &[
                ("identifier", e.id.as_str()),
                ("xsi:type", e.kind.xsi_type()),
            ],
        );
        let name = if e.name.is_empty() {
            e.id.as_str()
        } else {
            &e.name
        };
        w.text("name", &[EN], name);
        if let Some(d) = e.documentation.as_deref().filter(|d| !d.is_empty()) {
            w.text("documentation", &[EN], d);
        }
        defs.write(&mut w, &element_properties(bp, e));
        w.close();
    }
    w.close();

    let relationships: Vec<&Relationship> = bp.relationships().collect();
    if !relationships.is_empty() {
        w.open("relationships", &[]);
        for r in &relationships {
            let mut attrs = vec![
                ("identifier", r.id.as_str()),
                ("source", r.source.as_str()),
                ("target", r.target.as_str()),
                ("xsi:type", r.kind.xsi_type()),
            ];
            if let Some(a) = r.access {
                attrs.push(("accessType", a.as_str()));
            }
            w.open("relationship", &attrs);
            if let Some(n) = r.name.as_deref().filter(|n| !n.is_empty()) {
                w.text("name", &[EN], n);
            }
            let props: Vec<(String, String)> = r
                .properties
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            defs.write(&mut w, &props);
            w.close();
        }
        w.close();
    }

    w.open("organizations", &[]);
    for (folder, layers) in FOLDERS {
        let members: Vec<&Element> = bp
            .elements()
            .filter(|e| layers.contains(&e.kind.layer()))
            .collect();
        if members.is_empty() {
            continue;
        }
        w.open("item", &[]);
        w.text("label", &[EN], folder);
        for e in members {
            w.empty("item", &[("identifierRef", e.id.as_str())]);
        }
        w.close();
    }
    if !relationships.is_empty() {
        w.open("item", &[]);
        w.text("label", &[EN], "Relations");
        for r in &relationships {
            w.empty("item", &[("identifierRef", r.id.as_str())]);
        }
        w.close();
    }
    w.open("item", &[]);
    w.text("label", &[EN], "Views");
    for v in &views {
        w.empty("item", &[("identifierRef", &v.id)]);
    }
    w.close();
    w.close();

    if !defs.by_key.is_empty() {
        w.open("propertyDefinitions", &[]);
        for (key, id) in &defs.by_key {
            w.open(
                "propertyDefinition",
                &[("identifier", id), ("type", "string")],
            );
            w.text("name", &[EN], key);
            w.close();
        }
        w.close();
    }

    w.open("views", &[]);
    w.open("diagrams", &[]);
    for v in &views {
        write_view(&mut w, bp, v, &mut ids);
    }
    w.close();
    w.close();
    w.finish()
}

fn write_view(w: &mut XmlWriter, bp: &Blueprint, v: &View, ids: &mut Ids) {
    let mut attrs = vec![("identifier", v.id.as_str()), ("xsi:type", "Diagram")];
    if let Some(vp) = v.viewpoint {
        attrs.push(("viewpoint", vp));
    }
    w.open("view", &attrs);
    w.text("name", &[EN], &v.name);
    w.text("documentation", &[EN], &v.documentation);
    for (title, r) in &v.layout.labels {
        let id = ids.fresh(&format!("{}-label-{}", v.id, title));
        let (x, y, wd, h) = (
            r.x.to_string(),
            r.y.to_string(),
            r.w.to_string(),
            r.h.to_string(),
        );
        w.open(
            "node",
            &[
                ("identifier", &id),
                ("xsi:type", "Label"),
                ("x", &x),
                ("y", &y),
                ("w", &wd),
                ("h", &h),
            ],
        );
        w.text("label", &[EN], title);
        w.open("style", &[]);
        color(w, "lineColor", (255, 255, 255));
        color(w, "fillColor", (255, 255, 255));
        w.close();
        w.close();
    }
    let mut node_ids: IndexMap<&str, String> = IndexMap::new();
    for (element, r) in &v.layout.nodes {
        let Some(e) = bp.element_by_str(element) else {
            continue;
        };
        let id = ids.fresh(&format!("{}-n-{}", v.id, element));
        let (x, y, wd, h) = (
            r.x.to_string(),
            r.y.to_string(),
            r.w.to_string(),
            r.h.to_string(),
        );
        w.open(
            "node",
            &[
                ("identifier", &id),
                ("elementRef", e.id.as_str()),
                ("xsi:type", "Element"),
                ("x", &x),
                ("y", &y),
                ("w", &wd),
                ("h", &h),
            ],
        );
        w.open("style", &[]);
        color(w, "lineColor", (92, 92, 92));
        color(w, "fillColor", fill(e.kind.layer()));
        w.close();
        w.close();
        node_ids.insert(element.as_str(), id);
    }
    for r in bp.relationships() {
        if v.motivation_only
            && bp
                .element(&r.target)
                .is_none_or(|e| e.kind.layer() != Layer::Motivation)
        {
            continue;
        }
        let (Some(s), Some(t)) = (
            node_ids.get(r.source.as_str()),
            node_ids.get(r.target.as_str()),
        ) else {
            continue;
        };
        let id = ids.fresh(&format!("{}-c-{}", v.id, r.id));
        w.open(
            "connection",
            &[
                ("identifier", &id),
                ("relationshipRef", r.id.as_str()),
                ("xsi:type", "Relationship"),
                ("source", s),
                ("target", t),
            ],
        );
        w.open("style", &[]);
        color(w, "lineColor", (0, 0, 0));
        w.close();
        w.close();
    }
    w.close();
}
