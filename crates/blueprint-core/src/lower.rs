//! Lowering: turning a [`Spec`] into a [`Blueprint`].
//!
//! What each part of the spec becomes:
//!
//! | spec | blueprint |
//! |---|---|
//! | a role | BusinessRole `role.<name>` |
//! | `public` in any access rule | BusinessActor `actor.visitor` |
//! | the product | ApplicationComponent `app.<product>`, composed of its ApplicationInterface `app.<product>.api` (the base path) |
//! | an entity | BusinessObject `bo.<entity>`, realized by DataObject `do.<entity>` |
//! | an entity operation | ApplicationService `svc.<entity>.<action>`: realized by the component, assigned from the interface, accessing the DataObject (create: Write, read: Read, update: ReadWrite, delete: Write) |
//! | an access rule | Serving from the service to each BusinessRole (or the visitor) it lets act, with `via` = `role`, `authenticated`, `owner` (plus `condition` = `owner`), `public`, or `admin` for an admin role the rule does not name |
//! | a workflow (an `enum` field with `transitions`) | ApplicationProcess `proc.<entity>.<field>` (properties `initial`, `moves`, `frozen`), assigned from the component, realizing the entity's update service and accessing its DataObject (ReadWrite) |
//! | a relation | Association between the DataObjects, with its name, kind, `required`, `on_delete` and `inverse` |
//! | the database | SystemSoftware `tech.<database>`, assigned to the Artifact `artifact.<product>.schema` that realizes every DataObject, serving the component |
//! | the runtime | Node `node.runtime`, aggregating the database and assigned to the Artifact `artifact.<product>.service` that realizes the component |
//! | an integration | external ApplicationComponent `ext.<vendor>` serving the component |
//!
//! Subjects expand to roles this way: `authenticated` reaches every role;
//! `owner` reaches the roles that may create rows (they are the owners),
//! admin roles included; a named role reaches itself. Every service serves
//! every admin role. Order follows the spec everywhere, so the same spec
//! always gives the same blueprint.
//!
//! Lowering expects a checked spec. Given an unchecked one it still never
//! fails: a relation to an unknown entity and an access rule naming an
//! unknown role are left out.
//!
//! ```
//! use blueprint_core::builder::SpecBuilder;
//! use blueprint_core::lower::lower;
//!
//! let spec = SpecBuilder::new("tasks").with_entity("Task", |e| e).spec();
//! let bp = lower(&spec);
//! assert!(bp.element_by_str("svc.task.update").is_some());
//! ```

use indexmap::IndexMap;

use crate::archimate::{AccessType, ElementKind, RelationshipKind};
use crate::graph::{Blueprint, Element, ElementId, GraphError, NewRelationship};
use crate::naming;
use crate::spec::{Action, Entity, Field, Spec, Subject};

/// The property keys and values lowering writes, which the queries read.
pub mod props {
    /// On BusinessObjects, DataObjects and services: the entity name.
    pub const ENTITY: &str = "entity";
    /// On BusinessObjects, DataObjects and services: the collection name.
    pub const COLLECTION: &str = "collection";
    /// On services: the action (`create`, `read`, `update`, `delete`).
    pub const ACTION: &str = "action";
    /// On services: the HTTP operations, such as `POST /api/tasks`.
    pub const OPERATIONS: &str = "operations";
    /// On BusinessRoles: the role name.
    pub const ROLE: &str = "role";
    /// On Serving relationships: why the subject may act.
    pub const VIA: &str = "via";
    /// `via` value: the rule names the role.
    pub const VIA_ROLE: &str = "role";
    /// `via` value: the rule says `authenticated`.
    pub const VIA_AUTHENTICATED: &str = "authenticated";
    /// `via` value: the rule says `owner`.
    pub const VIA_OWNER: &str = "owner";
    /// `via` value: the rule says `public`.
    pub const VIA_PUBLIC: &str = "public";
    /// `via` value: an admin role the rule does not name.
    pub const VIA_ADMIN: &str = "admin";
    /// On Serving relationships: a condition on the rows (`owner`).
    pub const CONDITION: &str = "condition";
    /// On relation Associations: the relation name.
    pub const RELATION: &str = "relation";
    /// On relation Associations: the cardinality.
    pub const KIND: &str = "kind";
    /// On relation Associations: whether a link must be given.
    pub const REQUIRED: &str = "required";
    /// On relation Associations: the delete behaviour.
    pub const ON_DELETE: &str = "on_delete";
    /// On relation Associations: the inverse side's name.
    pub const INVERSE: &str = "inverse";
}

/// Lowers a spec into a blueprint. The same as [`Blueprint::from_spec`].
///
/// Every relationship lowering adds is of a kind ArchiMate 3.2 allows
/// between its ends (the tests check each one against the rule table), so
/// this cannot fail; [`lower_checked`] reports a broken rule instead of
/// leaving the relationship out, for tests.
pub fn lower(spec: &Spec) -> Blueprint {
    let (bp, issues) = Lowerer::run(spec);
    debug_assert!(issues.is_empty(), "lowering broke a graph rule: {issues:?}");
    bp
}

/// Lowers a spec, returning the first graph rule lowering broke, if any.
/// [`lower`] leaves such a relationship out instead; this exists so tests
/// can prove that never happens.
///
/// # Errors
///
/// The first [`GraphError`] met while adding an element or relationship.
///
/// ```
/// use blueprint_core::builder::SpecBuilder;
/// let spec = SpecBuilder::new("tasks").with_entity("Task", |e| e).spec();
/// assert!(blueprint_core::lower::lower_checked(&spec).is_ok());
/// ```
pub fn lower_checked(spec: &Spec) -> Result<Blueprint, GraphError> {
    let (bp, mut issues) = Lowerer::run(spec);
    if issues.is_empty() {
        Ok(bp)
    } else {
        Err(issues.remove(0))
    }
}

impl Blueprint {
    /// Lowers a spec into a blueprint; see the [`lower`](crate::lower)
    /// module for what each part becomes.
    ///
    /// ```
    /// use blueprint_core::builder::SpecBuilder;
    /// use blueprint_core::graph::Blueprint;
    ///
    /// let spec = SpecBuilder::new("tasks").with_entity("Task", |e| e).spec();
    /// assert_eq!(Blueprint::from_spec(&spec), Blueprint::from_spec(&spec));
    /// ```
    pub fn from_spec(spec: &Spec) -> Blueprint {
        lower(spec)
    }
}

struct Lowerer<'s> {
    spec: &'s Spec,
    bp: Blueprint,
    issues: Vec<GraphError>,
    /// Role name to its BusinessRole.
    role_ids: IndexMap<String, ElementId>,
    /// Entity name to its DataObject.
    data_ids: IndexMap<String, ElementId>,
}

/// The ids of what the product-level steps created.
struct App {
    component: ElementId,
    interface: ElementId,
}

impl<'s> Lowerer<'s> {
    fn run(spec: &'s Spec) -> (Blueprint, Vec<GraphError>) {
        let mut l = Lowerer {
            spec,
            bp: Blueprint::new(spec.clone()),
            issues: Vec::new(),
            role_ids: IndexMap::new(),
            data_ids: IndexMap::new(),
        };
        l.roles();
        let visitor = l.visitor();
        let app = l.application();
        for (name, entity) in &spec.entities {
            let data = l.entity(name, entity, &app, visitor.as_ref());
            l.data_ids.insert(name.clone(), data);
        }
        l.relations();
        l.technology(&app);
        l.integrations(&app);
        (l.bp, l.issues)
    }

    /// Adds an element; when its id is taken (possible only in an
    /// unchecked spec, where two names meet after case conversion), the
    /// first free `.2`, `.3`, … suffix is used.
    fn add(&mut self, element: Element) -> ElementId {
        let mut element = element;
        let base = element.id.clone();
        let mut n = 2u64;
        while self.bp.element(&element.id).is_some() {
            element.id = ElementId::from_parts(base.as_str(), &[&n.to_string()]);
            n += 1;
        }
        match self.bp.add_element(element) {
            Ok(id) => id,
            Err(e) => {
                self.issues.push(e);
                base
            }
        }
    }

    fn relate(&mut self, new: NewRelationship) {
        if let Err(e) = self.bp.add_relationship(new) {
            self.issues.push(e);
        }
    }

    fn roles(&mut self) {
        for (name, role) in &self.spec.roles {
            let mut e = Element::new(
                ElementId::from_parts("role", &[name]),
                ElementKind::BusinessRole,
                name.clone(),
            )
            .with_property(props::ROLE, name.clone())
            .with_property("signup", role.signup.to_string())
            .with_property("admin", role.admin.to_string());
            if let Some(d) = &role.description {
                e = e.with_documentation(d.clone());
            }
            let id = self.add(e);
            self.role_ids.insert(name.clone(), id);
        }
    }

    /// The visitor actor, when some access rule says `public`.
    fn visitor(&mut self) -> Option<ElementId> {
        let public = self.spec.entities.values().any(|e| {
            Action::ALL
                .iter()
                .any(|a| e.access.get(*a).contains(&Subject::Public))
        });
        public.then(|| {
            self.add(
                Element::new(
                    ElementId::from_parts("actor", &["visitor"]),
                    ElementKind::BusinessActor,
                    "Visitor",
                )
                .with_documentation("Anyone, signed in or not")
                .with_property("subject", "public"),
            )
        })
    }

    fn application(&mut self) -> App {
        let product = &self.spec.product;
        let mut component = Element::new(
            ElementId::from_parts("app", &[&product.name]),
            ElementKind::ApplicationComponent,
            product.display_name(),
        )
        .with_property("product", product.name.clone())
        .with_property("stack", self.spec.stack.clone())
        .with_property("database", self.spec.database.clone());
        if let Some(d) = &product.description {
            component = component.with_documentation(d.trim_end().to_string());
        }
        let component = self.add(component);
        let interface = self.add(
            Element::new(
                ElementId::from_parts("app", &[&product.name, "api"]),
                ElementKind::ApplicationInterface,
                format!("{} API", product.display_name()),
            )
            .with_property("base_path", self.spec.api.base_path.clone())
            .with_property("page_size", self.spec.api.page_size.to_string()),
        );
        self.relate(NewRelationship::new(
            RelationshipKind::Composition,
            &component,
            &interface,
        ));
        App {
            component,
            interface,
        }
    }

    /// The entity's BusinessObject, DataObject and services; returns the
    /// DataObject.
    fn entity(
        &mut self,
        name: &str,
        entity: &Entity,
        app: &App,
        visitor: Option<&ElementId>,
    ) -> ElementId {
        let snake = naming::snake(name);
        let collection = entity.collection();
        let mut business = Element::new(
            ElementId::from_parts("bo", &[&snake]),
            ElementKind::BusinessObject,
            name,
        )
        .with_property(props::ENTITY, name)
        .with_property(props::COLLECTION, collection.clone())
        .with_property("owned", entity.owned.to_string());
        if let Some(r) = entity.retention {
            business = business.with_property("retention", r.to_string());
        }
        if let Some(d) = &entity.description {
            business = business.with_documentation(d.clone());
        }
        let business = self.add(business);

        let mut data = Element::new(
            ElementId::from_parts("do", &[&snake]),
            ElementKind::DataObject,
            name,
        )
        .with_property(props::ENTITY, name)
        .with_property(props::COLLECTION, collection.clone())
        .with_property("owned", entity.owned.to_string());
        if let Some(r) = entity.retention {
            data = data.with_property("retention", r.to_string());
        }
        let field_names: Vec<&str> = entity.fields.keys().map(String::as_str).collect();
        data = data.with_property("fields", field_names.join(", "));
        for (field_name, field) in &entity.fields {
            data = data.with_property(format!("field.{field_name}"), field_summary(field));
        }
        let data = self.add(data);
        self.relate(NewRelationship::new(
            RelationshipKind::Realization,
            &data,
            &business,
        ));

        for action in Action::ALL {
            let names = Names {
                entity: name,
                snake: &snake,
                collection: &collection,
            };
            self.service(names, entity, action, &data, app, visitor);
        }
        for (field_name, field) in &entity.fields {
            if !field.transitions.is_empty() {
                self.workflow(name, &snake, field_name, field, &data, app);
            }
        }
        data
    }

    /// A workflow: an ApplicationProcess that the component performs, that
    /// realizes the update service (moves are made by updating the row)
    /// and that reads and writes the entity's DataObject.
    fn workflow(
        &mut self,
        entity: &str,
        snake: &str,
        field_name: &str,
        field: &Field,
        data: &ElementId,
        app: &App,
    ) {
        let moves: Vec<String> = field
            .transitions
            .iter()
            .flat_map(|(from, targets)| {
                targets.iter().map(move |(to, who)| {
                    let who: Vec<&str> = who.iter().map(Subject::as_str).collect();
                    format!("{from} -> {to} by {}", who.join(" "))
                })
            })
            .collect();
        let initial = match &field.default {
            Some(crate::spec::Scalar::Str(v)) => v.clone(),
            _ => String::new(),
        };
        let mut process = Element::new(
            ElementId::from_parts("proc", &[snake, field_name]),
            ElementKind::ApplicationProcess,
            format!("{entity} {field_name} workflow"),
        )
        .with_property(props::ENTITY, entity)
        .with_property("field", field_name)
        .with_property("initial", initial)
        .with_property("moves", moves.join("; "));
        if !field.frozen.is_empty() {
            process = process.with_property("frozen", field.frozen.join(", "));
        }
        let process = self.add(process.with_documentation(format!(
            "The moves of `{entity}.{field_name}` and who may make each: segregation of duties enforced by the API (403 for a move by someone else, 409 for a move not listed or a change to a frozen row)."
        )));
        self.relate(NewRelationship::new(
            RelationshipKind::Assignment,
            &app.component,
            &process,
        ));
        let update = ElementId::from_parts("svc", &[snake, Action::Update.as_str()]);
        if self.bp.element(&update).is_some() {
            self.relate(NewRelationship::new(
                RelationshipKind::Realization,
                &process,
                &update,
            ));
        }
        self.relate(
            NewRelationship::new(RelationshipKind::Access, &process, data)
                .with_access(AccessType::ReadWrite),
        );
    }

    fn service(
        &mut self,
        names: Names<'_>,
        entity: &Entity,
        action: Action,
        data: &ElementId,
        app: &App,
        visitor: Option<&ElementId>,
    ) {
        let Names {
            entity: name,
            snake,
            collection,
        } = names;
        let base = self.spec.api.base_path.trim_end_matches('/');
        let path = format!("{base}/{collection}");
        let (title, operations, access) = match action {
            Action::Create => (
                format!("Create {name}"),
                format!("POST {path}"),
                AccessType::Write,
            ),
            Action::Read => (
                format!("Read {name}"),
                format!("GET {path}, GET {path}/{{id}}"),
                AccessType::Read,
            ),
            Action::Update => (
                format!("Update {name}"),
                format!("PATCH {path}/{{id}}"),
                AccessType::ReadWrite,
            ),
            Action::Delete => (
                format!("Delete {name}"),
                format!("DELETE {path}/{{id}}"),
                AccessType::Write,
            ),
        };
        let service = self.add(
            Element::new(
                ElementId::from_parts("svc", &[snake, action.as_str()]),
                ElementKind::ApplicationService,
                title,
            )
            .with_property(props::ENTITY, name)
            .with_property(props::ACTION, action.as_str())
            .with_property(props::COLLECTION, collection)
            .with_property(props::OPERATIONS, operations),
        );
        self.relate(NewRelationship::new(
            RelationshipKind::Realization,
            &app.component,
            &service,
        ));
        // ArchiMate 3.2 lets an interface be assigned to the services it
        // offers (letter `i` for ApplicationInterface -> ApplicationService).
        self.relate(NewRelationship::new(
            RelationshipKind::Assignment,
            &app.interface,
            &service,
        ));
        self.relate(
            NewRelationship::new(RelationshipKind::Access, &service, data).with_access(access),
        );
        self.serving(&service, entity, action, visitor);
    }

    /// The Serving relationships of one operation's access rule.
    fn serving(
        &mut self,
        service: &ElementId,
        entity: &Entity,
        action: Action,
        visitor: Option<&ElementId>,
    ) {
        let roles: Vec<String> = self.role_ids.keys().cloned().collect();
        let mut named: Vec<&str> = Vec::new();
        for subject in entity.access.get(action) {
            match subject {
                Subject::Role(role) => {
                    if self.role_ids.contains_key(role) {
                        named.push(role);
                        self.serve(service, role, props::VIA_ROLE, None);
                    }
                }
                Subject::Authenticated => {
                    for role in &roles {
                        self.serve(service, role, props::VIA_AUTHENTICATED, None);
                    }
                }
                Subject::Owner => {
                    for role in self.creators(entity) {
                        self.serve(service, &role, props::VIA_OWNER, Some("owner"));
                    }
                }
                Subject::Public => {
                    if let Some(visitor) = visitor {
                        self.relate(
                            NewRelationship::new(RelationshipKind::Serving, service, visitor)
                                .with_property(props::VIA, props::VIA_PUBLIC),
                        );
                    }
                }
            }
        }
        let admins: Vec<String> = self.spec.admin_roles().map(str::to_string).collect();
        for admin in admins {
            if !named.contains(&admin.as_str()) {
                self.serve(service, &admin, props::VIA_ADMIN, None);
            }
        }
    }

    fn serve(&mut self, service: &ElementId, role: &str, via: &str, condition: Option<&str>) {
        let Some(target) = self.role_ids.get(role).cloned() else {
            return;
        };
        let mut new = NewRelationship::new(RelationshipKind::Serving, service, &target)
            .with_property(props::VIA, via);
        if let Some(c) = condition {
            new = new.with_property(props::CONDITION, c);
        }
        self.relate(new);
    }

    /// The roles that may create rows of an entity, in spec order: those
    /// are the rows' owners. Admin roles always may.
    fn creators(&self, entity: &Entity) -> Vec<String> {
        let create = entity.access.get(Action::Create);
        let everyone = create
            .iter()
            .any(|s| matches!(s, Subject::Authenticated | Subject::Public));
        self.spec
            .roles
            .iter()
            .filter(|(name, role)| {
                everyone || role.admin || create.contains(&Subject::Role((*name).clone()))
            })
            .map(|(name, _)| name.clone())
            .collect()
    }

    fn relations(&mut self) {
        for (name, entity) in &self.spec.entities {
            let Some(source) = self.data_ids.get(name).cloned() else {
                continue;
            };
            for (relation_name, relation) in &entity.relations {
                let Some(target) = self.data_ids.get(&relation.to).cloned() else {
                    continue;
                };
                let mut new = NewRelationship::new(RelationshipKind::Association, &source, &target)
                    .with_name(relation_name.clone())
                    .with_property(props::RELATION, relation_name.clone())
                    .with_property(props::KIND, relation.kind.as_str())
                    .with_property(props::REQUIRED, relation.required.to_string())
                    .with_property(props::ON_DELETE, relation.on_delete.as_str());
                if let Some(inverse) = &relation.inverse {
                    new = new.with_property(props::INVERSE, inverse.clone());
                }
                self.relate(new);
            }
        }
    }

    fn technology(&mut self, app: &App) {
        let product = self.spec.product.name.clone();
        let database = self.spec.database.clone();
        let db_name = if database == "postgresql" {
            "PostgreSQL".to_string()
        } else {
            database.clone()
        };
        let db = self.add(
            Element::new(
                ElementId::from_parts("tech", &[&database]),
                ElementKind::SystemSoftware,
                db_name,
            )
            .with_property("database", database.clone()),
        );
        let schema = self.add(
            Element::new(
                ElementId::from_parts("artifact", &[&product, "schema"]),
                ElementKind::Artifact,
                "Database schema",
            )
            .with_property("database", database),
        );
        // System software hosting an artifact is an Assignment (letter `i`
        // for SystemSoftware -> Artifact).
        self.relate(NewRelationship::new(
            RelationshipKind::Assignment,
            &db,
            &schema,
        ));
        let data_objects: Vec<ElementId> = self.data_ids.values().cloned().collect();
        for data in &data_objects {
            self.relate(NewRelationship::new(
                RelationshipKind::Realization,
                &schema,
                data,
            ));
        }
        self.relate(NewRelationship::new(
            RelationshipKind::Serving,
            &db,
            &app.component,
        ));

        let service = self.add(
            Element::new(
                ElementId::from_parts("artifact", &[&product, "service"]),
                ElementKind::Artifact,
                format!("{product} service"),
            )
            .with_property("stack", self.spec.stack.clone()),
        );
        self.relate(NewRelationship::new(
            RelationshipKind::Realization,
            &service,
            &app.component,
        ));
        let node = self.add(
            Element::new(
                ElementId::from_parts("node", &["runtime"]),
                ElementKind::Node,
                "Runtime",
            )
            .with_documentation("Where the service and its database run"),
        );
        // A node runs what is deployed on it: Assignment to the artifact
        // (letter `i` for Node -> Artifact); it groups the database software
        // without owning its life cycle: Aggregation (letter `g`).
        self.relate(NewRelationship::new(
            RelationshipKind::Assignment,
            &node,
            &service,
        ));
        self.relate(NewRelationship::new(
            RelationshipKind::Aggregation,
            &node,
            &db,
        ));
    }

    fn integrations(&mut self, app: &App) {
        for (vendor, options) in &self.spec.integrations {
            let mut e = Element::new(
                ElementId::from_parts("ext", &[vendor]),
                ElementKind::ApplicationComponent,
                vendor_name(vendor),
            )
            .with_property("vendor", vendor.clone())
            .with_property("external", "true");
            for (key, value) in options {
                e = e.with_property(format!("option.{key}"), value.to_string());
            }
            let ext = self.add(e);
            self.relate(
                NewRelationship::new(RelationshipKind::Serving, &ext, &app.component)
                    .with_property("integration", vendor.clone()),
            );
        }
    }
}

/// A one-line description of a field: `string required unique max=40`.
/// An entity's names in the forms the lowering uses, computed once.
#[derive(Clone, Copy)]
struct Names<'a> {
    entity: &'a str,
    snake: &'a str,
    collection: &'a str,
}

fn field_summary(field: &Field) -> String {
    let mut parts = vec![field.ty.as_str().to_string()];
    for (on, word) in [
        (field.required, "required"),
        (field.unique, "unique"),
        (field.index, "index"),
    ] {
        if on {
            parts.push(word.to_string());
        }
    }
    if let Some(min) = field.min {
        parts.push(format!("min={min}"));
    }
    if let Some(max) = field.max {
        parts.push(format!("max={max}"));
    }
    if let Some(p) = field.precision {
        parts.push(format!("precision={p}"));
    }
    if let Some(s) = field.scale {
        parts.push(format!("scale={s}"));
    }
    if !field.values.is_empty() {
        parts.push(format!("values={}", enum_values(&field.values)));
    }
    if let Some(d) = &field.default {
        let text = match d {
            crate::spec::Scalar::Bool(b) => b.to_string(),
            crate::spec::Scalar::Number(n) => n.to_string(),
            crate::spec::Scalar::Str(s) => s.clone(),
        };
        parts.push(format!("default={text}"));
    }
    if let Some(p) = field.pii {
        parts.push(format!("pii={}", p.as_str()));
    }
    if let Some(p) = &field.pattern {
        parts.push(format!("pattern={p}"));
    }
    parts.join(" ")
}

/// An enum's values in a field's summary: `low|normal|high` when each is a
/// plain word, else a JSON array, so that a value holding `|` or a quote
/// (any printable ASCII is allowed) still reads as one value.
fn enum_values(values: &[String]) -> String {
    let plain = |v: &String| {
        v.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    };
    if values.iter().all(plain) {
        values.join("|")
    } else {
        serde_json::to_string(values).unwrap_or_else(|_| values.join("|"))
    }
}

/// The display name of a known vendor, else its id.
fn vendor_name(vendor: &str) -> String {
    match vendor {
        "stripe" => "Stripe",
        "sendgrid" => "SendGrid",
        "smtp" => "SMTP server",
        "oidc" => "OpenID Connect provider",
        "sentry" => "Sentry",
        "s3" => "S3 object storage",
        "twilio" => "Twilio",
        "slack" => "Slack",
        other => other,
    }
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::enum_values;

    #[test]
    fn enum_values_read_as_one_value_each() {
        let words = ["low", "in-progress", "v1.2", "done_now"].map(String::from);
        assert_eq!(enum_values(&words), "low|in-progress|v1.2|done_now");
        let odd = ["a|b", "say\"hi\"", "it's"].map(String::from);
        assert_eq!(enum_values(&odd), r#"["a|b","say\"hi\"","it's"]"#);
    }
}
