//! The engine: registries of stacks, vendors, document emitters and
//! compliance rules, what specs checked with it may name, and the render
//! from a complete blueprint to a [`FileTree`].

use crate::templates::SharedView;
use crate::{builtins, DocInput, DocumentEmitter, FileTree, Options, RenderError, Templates};
use blueprint_core::graph::Blueprint;
use blueprint_core::spec::{Checked, Format, Known, LoadError, Spec, SpecErrors, VendorInfo};
use compliance::{Analysis, Analyzer, ComplianceRule};
use indexmap::IndexMap;
use stacks::{Content, Stack};
use vendors::{Vendor, VendorRegistry};

/// Holds what can be rendered, as minijinja's `Environment` holds templates:
/// stacks, vendors and document emitters by id, and the compliance
/// [`Analyzer`] with its rules. A third-party stack registers exactly like a
/// built-in one and gets the documents, compliance and vendors for free.
///
/// The registries are the single truth: specs checked through the engine
/// ([`parse_file`](Self::parse_file), [`known`](Self::known)) may name the
/// registered stacks and vendors, and [`render::generate`](crate::generate)
/// and the quality gate complete blueprints with the engine's analyzer
/// ([`complete`](Self::complete)), so custom rules reach the documents.
///
/// Registering an id that is taken replaces the earlier registration.
///
/// ```
/// use blueprint_core::builder::SpecBuilder;
/// use blueprint_core::graph::Blueprint;
/// use render::{Engine, Options};
/// use stacks::{PlannedFile, Stack, StackError, Template, VerificationPlan};
/// use serde_json::json;
///
/// struct Tiny;
/// impl Stack for Tiny {
///     fn id(&self) -> &'static str { "tiny" }
///     fn description(&self) -> &'static str { "one file per entity" }
///     fn templates(&self) -> Vec<Template> {
///         vec![Template::embedded("tiny/entity", "# {{pascal name}}\n")]
///     }
///     fn plan(&self, model: &model::AppModel) -> Result<Vec<PlannedFile>, StackError> {
///         Ok(model.entities.iter()
///             .map(|e| PlannedFile::template(format!("{}.md", e.name), "tiny/entity", json!({ "name": e.name })))
///             .collect())
///     }
///     fn verification(&self) -> VerificationPlan { VerificationPlan::default() }
/// }
///
/// let mut engine = Engine::new();
/// engine.register_stack(Box::new(Tiny));
/// // A spec naming the stack checks with this engine.
/// let text = "spec_version: 1\nproduct: { name: tasks }\nstack: tiny\nentities: { Task: { fields: { title: string } } }\n";
/// let spec = engine.parse_str("tasks.yaml", text, blueprint_core::spec::Format::Yaml).unwrap().spec;
/// let generated = render::generate(&spec, &engine, &Options::new()).unwrap();
/// assert_eq!(generated.tree.get_str("Task.md"), Some("# Task\n"));
///
/// let err = render::generate(&spec, &engine, &Options::new().with_stack("tiny2")).unwrap_err();
/// assert_eq!(err.to_string(), "unknown stack `tiny2`; known: tiny; did you mean `tiny`?");
/// ```
#[derive(Default)]
pub struct Engine {
    stacks: IndexMap<&'static str, Box<dyn Stack>>,
    vendors: VendorRegistry,
    emitters: IndexMap<&'static str, Box<dyn DocumentEmitter>>,
    analyzer: Analyzer,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("stacks", &self.stacks.keys().collect::<Vec<_>>())
            .field("vendors", &self.vendors)
            .field("emitters", &self.emitters.keys().collect::<Vec<_>>())
            .field("rules", &self.analyzer.rules())
            .finish()
    }
}

impl Engine {
    /// An engine with nothing registered (and the built-in compliance
    /// rules, which cannot be switched off).
    ///
    /// ```
    /// let engine = render::Engine::new();
    /// assert_eq!(engine.stack_ids().count(), 0);
    /// ```
    pub fn new() -> Engine {
        Engine::default()
    }

    /// An engine with archgen's own stacks, vendors and document emitters.
    ///
    /// ```
    /// let engine = render::Engine::with_builtins();
    /// for id in engine.stack_ids() {
    ///     assert!(engine.stack(id).is_some());
    /// }
    /// ```
    pub fn with_builtins() -> Engine {
        let mut engine = Engine::new();
        for stack in stacks::builtin() {
            engine.register_stack(stack);
        }
        for vendor in vendors::builtin() {
            engine.register_vendor(vendor);
        }
        for emitter in builtins::builtin_emitters() {
            engine.register_emitter(emitter);
        }
        engine
    }

    /// Adds a stack, replacing one with the same id.
    pub fn register_stack(&mut self, stack: Box<dyn Stack>) {
        self.stacks.insert(stack.id(), stack);
    }

    /// Adds a vendor, replacing one with the same id.
    pub fn register_vendor(&mut self, vendor: Box<dyn Vendor>) {
        self.vendors.register(vendor);
    }

    /// Removes the vendor with this id, so its integration is left out of
    /// projects (with a warning), as for one no vendor serves; returns it.
    ///
    /// ```
    /// let mut engine = render::Engine::with_builtins();
    /// assert!(engine.remove_vendor("stripe").is_some());
    /// assert!(engine.remove_vendor("stripe").is_none());
    /// ```
    pub fn remove_vendor(&mut self, id: &str) -> Option<Box<dyn Vendor>> {
        self.vendors.remove(id)
    }

    /// Adds a document emitter, replacing one with the same id.
    pub fn register_emitter(&mut self, emitter: Box<dyn DocumentEmitter>) {
        self.emitters.insert(emitter.id(), emitter);
    }

    /// Adds a compliance rule after the ones already there; every blueprint
    /// the engine completes ([`complete`](Self::complete),
    /// [`render::generate`](crate::generate), the quality gate) runs it.
    ///
    /// ```
    /// use compliance::{ComplianceRule, Proposal, RuleContext};
    ///
    /// struct Backups;
    /// impl ComplianceRule for Backups {
    ///     fn id(&self) -> &str { "acme.backups" }
    ///     fn propose(&self, _: &RuleContext<'_>) -> Vec<Proposal> {
    ///         vec![Proposal::catalog("BACKUP-RESTORE", "Acme policy: daily backups")]
    ///     }
    /// }
    ///
    /// let mut engine = render::Engine::with_builtins();
    /// engine.register_rule(Backups);
    /// let spec = blueprint_core::builder::SpecBuilder::new("tasks").with_entity("Task", |e| e).spec();
    /// let (_, analysis) = engine.complete(&spec).unwrap();
    /// assert!(analysis.control("BACKUP-RESTORE").unwrap().reasons.iter().any(|r| r.contains("Acme policy")));
    /// ```
    pub fn register_rule(&mut self, rule: impl ComplianceRule + 'static) {
        self.analyzer = std::mem::take(&mut self.analyzer).with_rule(rule);
    }

    /// [`register_rule`](Self::register_rule), by value, for building an
    /// engine in one expression.
    pub fn with_rule(mut self, rule: impl ComplianceRule + 'static) -> Engine {
        self.register_rule(rule);
        self
    }

    /// Replaces the compliance analyzer (its catalog and rules).
    pub fn set_analyzer(&mut self, analyzer: Analyzer) {
        self.analyzer = analyzer;
    }

    /// The compliance analyzer blueprints are completed with.
    pub fn analyzer(&self) -> &Analyzer {
        &self.analyzer
    }

    /// What a spec checked with this engine may name: the registered
    /// stacks, and the integrations of archgen's table
    /// ([`blueprint_core::spec::VENDORS`]) with every registered vendor
    /// added (or, for a known id, its options taken from the vendor).
    ///
    /// ```
    /// let engine = render::Engine::with_builtins();
    /// let known = engine.known();
    /// assert!(known.has_stack("python-fastapi"));
    /// assert!(known.vendor("stripe").is_some());
    /// assert_eq!(render::Engine::new().known().stack_ids().count(), 0);
    /// ```
    pub fn known(&self) -> Known {
        let mut known = Known::empty();
        for id in self.stack_ids() {
            known.add_stack(id);
        }
        for info in blueprint_core::spec::VENDORS {
            known.add_vendor(*info);
        }
        for vendor in self.vendors.iter() {
            known.add_vendor(VendorInfo {
                id: vendor.id(),
                purpose: vendor.purpose(),
                options: vendor.options(),
            });
            let stacks: Vec<&'static str> =
                self.stack_ids().filter(|s| vendor.supports(s)).collect();
            let mut tables: Vec<String> = Vec::new();
            for stack in &stacks {
                for table in vendor.tables(stack) {
                    if !tables.contains(&table) {
                        tables.push(table);
                    }
                }
            }
            known.add_vendor_stacks(vendor.id(), stacks);
            if !tables.is_empty() {
                known.add_vendor_tables(vendor.id(), tables);
            }
        }
        known
    }

    /// Reads and checks a spec file against what this engine knows
    /// ([`known`](Self::known)); see [`blueprint_core::spec::parse_file`].
    /// A spec that passes also gets the compliance crate's warnings
    /// ([`compliance::exposure::add_warnings`]: W511).
    ///
    /// ```
    /// # let dir = tempfile::tempdir().unwrap();
    /// # let path = dir.path().join("tasks.yaml");
    /// # std::fs::write(&path, "spec_version: 1\nproduct: { name: tasks }\nstack: pyhton-fastapi\nentities: { Task: { fields: { title: string! } } }\n").unwrap();
    /// let err = render::Engine::with_builtins().parse_file(&path).unwrap_err();
    /// assert!(err.to_string().contains("not valid (1 error"), "{err}");
    /// ```
    ///
    /// # Errors
    ///
    /// As [`blueprint_core::spec::parse_file`].
    pub fn parse_file(&self, path: &std::path::Path) -> Result<Checked, LoadError> {
        let mut checked = blueprint_core::spec::parse_file_with(path, &self.known())?;
        compliance::exposure::add_warnings(&mut checked);
        Ok(checked)
    }

    /// Checks a spec in memory against what this engine knows; see
    /// [`blueprint_core::spec::parse_str`]. A spec that passes also gets
    /// the compliance crate's warnings (W511).
    ///
    /// ```
    /// use blueprint_core::spec::Format;
    /// let text = "spec_version: 1\nproduct: { name: t1 }\nentities: { Task: { fields: { title: string } } }\n";
    /// assert!(render::Engine::with_builtins().parse_str("t.yaml", text, Format::Yaml).is_ok());
    /// // No stack is registered in an empty engine, so the default one is unknown.
    /// let err = render::Engine::new().parse_str("t.yaml", text, Format::Yaml).unwrap_err();
    /// assert_eq!(err.diagnostics[0].code.as_str(), "E631");
    /// ```
    ///
    /// # Errors
    ///
    /// As [`blueprint_core::spec::parse_str`].
    pub fn parse_str(&self, name: &str, text: &str, format: Format) -> Result<Checked, SpecErrors> {
        let mut checked = blueprint_core::spec::parse_str_with(name, text, format, &self.known())?;
        compliance::exposure::add_warnings(&mut checked);
        Ok(checked)
    }

    /// Lowers a spec into a blueprint and completes it with this engine's
    /// compliance analyzer (the built-in rules and every registered one).
    ///
    /// ```
    /// let spec = blueprint_core::builder::SpecBuilder::new("tasks").with_entity("Task", |e| e).spec();
    /// let (blueprint, analysis) = render::Engine::new().complete(&spec).unwrap();
    /// assert!(blueprint.element_by_str("req.csrf-protection").is_some());
    /// assert!(analysis.control("CSRF-PROTECTION").is_some());
    /// ```
    ///
    /// # Errors
    ///
    /// [`RenderError::Compliance`] when the controls cannot be woven.
    pub fn complete(&self, spec: &Spec) -> Result<(Blueprint, Analysis), RenderError> {
        let mut blueprint = blueprint_core::lower::lower(spec);
        let analysis = self.analyzer.complete(&mut blueprint)?;
        Ok((blueprint, analysis))
    }

    /// The stack with this id.
    pub fn stack(&self, id: &str) -> Option<&dyn Stack> {
        self.stacks.get(id).map(|s| s.as_ref())
    }

    /// The ids of the registered stacks, in registration order.
    pub fn stack_ids(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.stacks.keys().copied()
    }

    /// The registered vendors.
    pub fn vendors(&self) -> &VendorRegistry {
        &self.vendors
    }

    /// The ids of the registered document emitters, in registration order.
    pub fn emitter_ids(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.emitters.keys().copied()
    }

    /// The stack with this id, or an error listing the known ones with a
    /// suggestion.
    ///
    /// # Errors
    ///
    /// [`RenderError::UnknownStack`].
    pub fn resolve_stack(&self, id: &str) -> Result<&dyn Stack, RenderError> {
        self.stack(id).ok_or_else(|| RenderError::UnknownStack {
            stack: id.to_string(),
            known: self.stack_ids().map(str::to_string).collect(),
            suggestion: blueprint_core::naming::suggest(id, self.stack_ids()).map(str::to_string),
        })
    }

    /// The stack a render with these options uses for this spec: the
    /// override, else the spec's.
    pub fn stack_id_for<'a>(&self, spec: &'a Spec, options: &'a Options) -> &'a str {
        options.stack().unwrap_or(&spec.stack)
    }

    /// The spec's integrations that no registered vendor serves for this
    /// stack, in spec order. [`render`](Self::render) leaves them out; a
    /// front end should say so.
    ///
    /// ```
    /// use blueprint_core::builder::SpecBuilder;
    /// let mut spec = SpecBuilder::new("shop").with_entity("Order", |e| e).spec();
    /// spec.integrations.insert("stripe".into(), Default::default());
    /// assert_eq!(render::Engine::new().unserved_integrations(&spec, &spec.stack), ["stripe"]);
    /// ```
    pub fn unserved_integrations(&self, spec: &Spec, stack_id: &str) -> Vec<String> {
        spec.integrations
            .keys()
            .filter(|id| !self.vendors.serves(id, stack_id))
            .cloned()
            .collect()
    }

    /// The spec's integrations a registered vendor serves for this stack, in
    /// spec order: the ones whose files [`render`](Self::render) adds, and
    /// the ones the documents describe as part of the project
    /// ([`DocInput::generated_integrations`]).
    ///
    /// ```
    /// use blueprint_core::builder::SpecBuilder;
    /// let mut spec = SpecBuilder::new("shop").with_entity("Order", |e| e).spec();
    /// spec.integrations.insert("twilio".into(), Default::default());
    /// spec.integrations.insert("sentry".into(), Default::default());
    /// let engine = render::Engine::with_builtins();
    /// // No built-in vendor generates Twilio code yet.
    /// assert_eq!(engine.served_integrations(&spec, "python-fastapi"), ["sentry"]);
    /// ```
    pub fn served_integrations(&self, spec: &Spec, stack_id: &str) -> Vec<String> {
        spec.integrations
            .keys()
            .filter(|id| self.vendors.serves(id, stack_id))
            .cloned()
            .collect()
    }

    /// Renders a complete blueprint (lowered, with compliance woven in, see
    /// [`compliance::complete`]) into a file tree: the stack's files, the
    /// files of every integration a registered vendor serves for that stack,
    /// then the documents. Deterministic: the same input gives the same
    /// bytes.
    ///
    /// ```
    /// use blueprint_core::builder::SpecBuilder;
    /// use blueprint_core::graph::Blueprint;
    /// use render::{Engine, Options};
    ///
    /// let spec = SpecBuilder::new("tasks").with_entity("Task", |e| e).spec();
    /// let mut blueprint = Blueprint::from_spec(&spec);
    /// let analysis = compliance::complete(&mut blueprint).unwrap();
    /// let engine = Engine::with_builtins();
    /// let docs = Options::new().with_backend(false);
    /// let tree = engine.render(&blueprint, &analysis, &docs).unwrap();
    /// assert_eq!(tree, engine.render(&blueprint, &analysis, &docs).unwrap());
    /// ```
    ///
    /// # Errors
    ///
    /// [`RenderError::UnknownStack`] when no registered stack has the id;
    /// [`RenderError::Stack`] or [`RenderError::Vendor`] when planning
    /// fails; [`RenderError::Template`] when a template fails (a missing
    /// variable included); [`RenderError::DuplicatePath`] or
    /// [`RenderError::UnsafePath`] for a bad planned path; what a document
    /// emitter returns.
    pub fn render(
        &self,
        blueprint: &Blueprint,
        analysis: &Analysis,
        options: &Options,
    ) -> Result<FileTree, RenderError> {
        // The documents describe the stack's project even when only they
        // are rendered; the backend needs a registered stack.
        let stack_id = self.stack_id_for(blueprint.spec(), options);
        let stack = if options.backend() {
            Some(self.resolve_stack(stack_id)?)
        } else {
            self.stack(stack_id)
        };
        // What the spec means for the backend, decided once for the stack,
        // the vendors and every document.
        let mut model = model::AppModel::from_blueprint(blueprint);
        let mut realizations = stack.map(|s| s.realizations(&model)).unwrap_or_default();
        if let Some(stack) = stack.filter(|_| options.backend()) {
            self.declare_integrations(stack.id(), blueprint, &mut model, &mut realizations)?;
        }
        let decision = stack.and_then(|s| s.decision());
        // The backend and the documents do not depend on each other: the
        // documents render on a second thread while this one renders the
        // backend, then helps with the documents left (each emitter is
        // taken by one thread, in order), and the trees are joined in a
        // fixed order, so the result does not depend on which finishes
        // first. (Two threads, not a pool: each thread keeps an allocator
        // arena of its own, and the large intermediates of the documents
        // should not all be alive at once.)
        // The documents describe the integrations the backend contains,
        // and only those: the same registry question render_backend asks.
        let generated = match stack.filter(|_| options.backend()) {
            Some(stack) => self.served_integrations(blueprint.spec(), stack.id()),
            None => Vec::new(),
        };
        let input = DocInput {
            blueprint,
            analysis,
            model: &model,
            stack: stack.map(|s| crate::StackDocs {
                id: s.id(),
                realizations: &realizations,
                decision: decision.as_ref(),
            }),
            generated_integrations: &generated,
            backend: options.backend() && stack.is_some(),
        };
        let emitters: Vec<&dyn DocumentEmitter> = if options.docs() {
            self.emitters.values().map(|e| e.as_ref()).collect()
        } else {
            Vec::new()
        };
        let documents = Documents::new(&emitters, &input);
        let (backend, documents) = std::thread::scope(|scope| {
            let helper = scope.spawn(|| documents.emit());
            let backend = match stack.filter(|_| options.backend()) {
                Some(stack) => self.render_backend(stack, blueprint, &model),
                None => Ok(FileTree::new()),
            };
            let mine = documents.emit();
            let theirs = helper
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (backend, Documents::in_order([theirs, mine]))
        });
        let mut tree = backend?;
        for part in documents? {
            tree.extend(part)?;
        }
        Ok(tree)
    }

    /// The application model of a complete blueprint for the stack
    /// `stack_id`, with what the registered vendors declare for its
    /// integrations (their routes, tables, audit actions, variables and
    /// packages): the model the generated project and its documents were
    /// rendered from, which the gate's conformance suite checks the app
    /// against.
    ///
    /// ```
    /// use blueprint_core::builder::SpecBuilder;
    /// let spec = SpecBuilder::new("shop")
    ///     .with_entity("Order", |e| e.with_field("total_cents", blueprint_core::spec::FieldType::Integer, |f| f.write(["admin"]))
    ///         .with_field("paid", blueprint_core::spec::FieldType::Boolean, |f| f.write(["admin"])))
    ///     .with_integration_options("stripe", [("pays_for", "Order"), ("amount", "total_cents"), ("sets", "paid")]
    ///         .into_iter().map(|(k, v)| (k.to_string(), serde_json::json!(v))).collect())
    ///     .spec();
    /// let engine = render::Engine::with_builtins();
    /// let (bp, _) = engine.complete(&spec).unwrap();
    /// let model = engine.app_model(&bp, "python-fastapi").unwrap();
    /// assert!(model.routes.iter().any(|r| r.path == "/api/orders/{id}/payment"));
    /// ```
    ///
    /// # Errors
    ///
    /// [`RenderError::Vendor`] when a vendor cannot use its options, does
    /// not support the stack, or adds a table an entity already names.
    pub fn app_model(
        &self,
        blueprint: &Blueprint,
        stack_id: &str,
    ) -> Result<model::AppModel, RenderError> {
        let mut model = model::AppModel::from_blueprint(blueprint);
        let mut realizations = stacks::Realizations::default();
        self.declare_integrations(stack_id, blueprint, &mut model, &mut realizations)?;
        Ok(model)
    }

    /// Fills in what the vendors that serve the spec's integrations for
    /// this stack add around their files: each generated integration's
    /// environment variables and packages in the model (the stack's
    /// configuration files list them), and the capabilities their files
    /// realize in the realizations (the documents cite them).
    fn declare_integrations(
        &self,
        stack_id: &str,
        blueprint: &Blueprint,
        model: &mut model::AppModel,
        realizations: &mut stacks::Realizations,
    ) -> Result<(), RenderError> {
        for (index, options) in blueprint.spec().integrations.values().enumerate() {
            let Some(vendor) = self.vendors.get(&model.integrations[index].id) else {
                continue;
            };
            if !vendor.supports(stack_id) {
                return Err(unsupported(vendor, stack_id));
            }
            vendors::check_options(vendor, options)?;
            let routes = vendor.routes(stack_id, model, options);
            let tables = vendor.tables(stack_id);
            let taken = model.entities.iter().find_map(|e| {
                let mut own = std::iter::once(e.table.as_str()).chain(
                    e.relations
                        .iter()
                        .filter_map(|r| r.join.as_ref().map(|j| j.table.as_str())),
                );
                own.find(|t| tables.iter().any(|v| v == t))
                    .map(|t| (e.name.clone(), t.to_string()))
            });
            if let Some((entity, table)) = taken {
                return Err(RenderError::Vendor(vendors::VendorError::TableTaken {
                    vendor: vendor.id().to_string(),
                    table,
                    entity,
                }));
            }
            let integration = &mut model.integrations[index];
            integration.generated = true;
            integration.env = vendor.env(stack_id, options)?;
            integration.packages = vendor.packages(stack_id);
            integration.dev_packages = vendor.dev_packages(stack_id);
            model.declare_integration(index, routes, tables, vendor.audit_actions(stack_id));
            for (capability, paths) in vendor.realizations(stack_id, blueprint).capabilities {
                let cited = realizations.capabilities.entry(capability).or_default();
                for path in paths {
                    if !cited.contains(&path) {
                        cited.push(path);
                    }
                }
            }
        }
        let generated: Vec<String> = model
            .integrations
            .iter()
            .filter(|i| i.generated)
            .map(|i| i.id.clone())
            .collect();
        model.retain_email_providers(|p| generated.iter().any(|g| g == p));
        if !generated.iter().any(|g| g == "oidc") {
            model.drop_oidc();
        }
        Ok(())
    }

    fn render_backend(
        &self,
        stack: &dyn Stack,
        blueprint: &Blueprint,
        model: &model::AppModel,
    ) -> Result<FileTree, RenderError> {
        let mut templates = Templates::new();
        templates.register_all(&stack.templates())?;
        let mut planned = stack.plan(model)?;
        for (id, options) in &blueprint.spec().integrations {
            let Some(vendor) = self.vendors.get(id) else {
                continue;
            };
            if !vendor.supports(stack.id()) {
                return Err(unsupported(vendor, stack.id()));
            }
            vendors::check_options(vendor, options)?;
            templates.register_all(&vendor.templates())?;
            planned.extend(vendor.plan(stack.id(), blueprint, options)?);
        }
        // One template context per distinct view: files that share a view
        // (every project-wide file of a stack) do not copy it again, and a
        // view no other file holds is moved, not copied. A derived view is
        // made when its first file renders and dropped after the last of
        // the consecutive files that share it.
        let mut views = Vec::new();
        let mut index = std::collections::HashMap::new();
        let mut view_of = |view: std::sync::Arc<serde_json::Value>| {
            *index
                .entry(std::sync::Arc::as_ptr(&view))
                .or_insert_with(|| {
                    views.push(view);
                    views.len() - 1
                })
        };
        let mut derivations: Vec<stacks::Derivation> = Vec::new();
        let mut jobs: Vec<Job> = Vec::new();
        for file in planned {
            let body = match file.content {
                Content::Template { name, view } => Body::Template {
                    name,
                    view: view_of(view),
                },
                Content::Derived { name, base, derive } => {
                    let base = view_of(base);
                    let at = match derivations.iter().rposition(|d| d.same_as(&derive)) {
                        Some(at) => at,
                        None => {
                            derivations.push(derive);
                            derivations.len() - 1
                        }
                    };
                    Body::Derived {
                        name,
                        base,
                        derivation: at,
                    }
                }
                Content::Text(text) => Body::Bytes(text.into_bytes()),
                Content::Bytes(bytes) => Body::Bytes(bytes),
            };
            jobs.push(Job {
                path: file.path,
                executable: file.executable,
                body,
            });
        }
        let contexts: Vec<SharedView> = views.into_iter().map(SharedView::new).collect();
        let mut last_use = vec![0; derivations.len()];
        for (at, job) in jobs.iter().enumerate() {
            if let Body::Derived { derivation, .. } = job.body {
                last_use[derivation] = at;
            }
        }
        // The derived view in use, with the index of its derivation.
        let mut current: Option<(usize, SharedView)> = None;
        let mut tree = FileTree::new();
        for (at, job) in jobs.into_iter().enumerate() {
            let bytes = match job.body {
                Body::Template { name, view } => stack
                    .finish(&job.path, templates.render_shared(&name, &contexts[view])?)
                    .into_bytes(),
                Body::Derived {
                    name,
                    base,
                    derivation,
                } => {
                    let context = match current.take() {
                        Some((held, context)) if held == derivation => context,
                        _ => SharedView::from_value(
                            derivations[derivation].apply(contexts[base].data()),
                        ),
                    };
                    let text = templates.render_shared(&name, &context)?;
                    if last_use[derivation] != at {
                        current = Some((derivation, context));
                    }
                    stack.finish(&job.path, text).into_bytes()
                }
                Body::Bytes(bytes) => bytes,
            };
            if job.executable {
                tree.insert_executable(job.path, bytes)?;
            } else {
                tree.insert(job.path, bytes)?;
            }
        }
        Ok(tree)
    }
}

/// The refusal of a registered vendor that has no files for a stack.
fn unsupported(vendor: &dyn Vendor, stack_id: &str) -> RenderError {
    RenderError::Vendor(vendors::VendorError::Unsupported {
        vendor: vendor.id().to_string(),
        stack: stack_id.to_string(),
    })
}

/// One file of a stack to render: where it goes and what fills it.
struct Job {
    path: String,
    executable: bool,
    body: Body,
}

/// A file's content before rendering.
enum Body {
    /// A template and the index of its view's context.
    Template { name: String, view: usize },
    /// A template, the index of its base view's context and of the
    /// derivation that makes its view from it.
    Derived {
        name: String,
        base: usize,
        derivation: usize,
    },
    /// Content given as is.
    Bytes(Vec<u8>),
}

/// The document emitters of one render, shared by the threads that run
/// them: each thread takes the next emitter not yet taken.
struct Documents<'e, 'i> {
    emitters: &'e [&'e dyn DocumentEmitter],
    input: &'e DocInput<'i>,
    next: std::sync::atomic::AtomicUsize,
}

/// The trees a thread made, each with its emitter's place in the order.
type Emitted = Vec<(usize, Result<FileTree, RenderError>)>;

impl<'e, 'i> Documents<'e, 'i> {
    fn new(emitters: &'e [&'e dyn DocumentEmitter], input: &'e DocInput<'i>) -> Self {
        Documents {
            emitters,
            input,
            next: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    /// Runs emitters until none is left to take.
    fn emit(&self) -> Emitted {
        let mut made = Vec::new();
        loop {
            let at = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(emitter) = self.emitters.get(at) else {
                return made;
            };
            let mut out = FileTree::new();
            made.push((at, emitter.emit(self.input, &mut out).map(|()| out)));
        }
    }

    /// The threads' trees in the emitters' order, or the first error in
    /// that order.
    fn in_order(parts: [Emitted; 2]) -> Result<Vec<FileTree>, RenderError> {
        let mut all: Emitted = parts.into_iter().flatten().collect();
        all.sort_by_key(|(at, _)| *at);
        all.into_iter().map(|(_, tree)| tree).collect()
    }
}
