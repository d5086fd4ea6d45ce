//! The engine end to end with a tiny test stack: strict templates, the
//! shared helpers, vendors, document emitters, determinism, errors.

use blueprint_core::builder::SpecBuilder;
use blueprint_core::graph::Blueprint;
use blueprint_core::spec::{FieldType, Spec};
use indexmap::IndexMap;
use render::{DocInput, DocumentEmitter, Engine, FileTree, Options, RenderError, Templates};
use serde_json::{json, Value};
use stacks::{PlannedFile, Stack, StackError, Template, VerificationPlan};
use vendors::{Vendor, VendorError};

/// One model file per entity and a README; `break_view` leaves a variable
/// out of the README's view model.
struct TinyStack {
    break_view: bool,
}

const MODEL: &str = "\
# {{pascal name}} lives in `{{plural (snake name)}}` ({{kebab name}}, {{camel name}}, {{shouty name}})
{{#each fields}}
{{snake this.name}}: {{this.type}}{{#if this.required}} # required{{/if}}
{{/each}}
SCHEMA = {{json schema}}
";

const README: &str = "\
# {{title}}

{{#unless (eq (len entities) 0)}}Entities: {{#each entities}}{{this}}{{#unless @last}}, {{/unless}}{{/each}}.{{/unless}}
<b>{{motto}}</b>
def main():
    {{indent 4 body}}
";

impl Stack for TinyStack {
    fn id(&self) -> &'static str {
        "tiny"
    }
    fn description(&self) -> &'static str {
        "a test stack"
    }
    fn templates(&self) -> Vec<Template> {
        vec![
            Template::embedded("tiny/model", MODEL),
            Template::embedded("tiny/readme", README),
        ]
    }
    fn plan(&self, model: &model::AppModel) -> Result<Vec<PlannedFile>, StackError> {
        let mut files = Vec::new();
        for entity in &model.entities {
            let name = &entity.name;
            let fields: Vec<Value> = entity
                .fields
                .iter()
                .map(|f| json!({ "name": f.name, "type": format!("{:?}", f.ty()), "required": f.rules.required }))
                .collect();
            files.push(PlannedFile::template(
                format!("models/{}.txt", blueprint_core::naming::snake(name)),
                "tiny/model",
                json!({ "name": name, "fields": fields, "schema": { "name": name, "quote": "a \"b\"" } }),
            ));
        }
        let mut view = json!({
            "title": model.product.title,
            "entities": model.entities.iter().map(|e| &e.name).collect::<Vec<_>>(),
            "motto": "a < b && c > d",
            "body": "x = 1\n\nreturn x",
        });
        if self.break_view {
            view.as_object_mut().unwrap().remove("motto");
        }
        files.push(PlannedFile::template("README.md", "tiny/readme", view));
        let mut script = PlannedFile::text("scripts/run.sh", "#!/bin/sh\necho run\n");
        script.executable = true;
        files.push(script);
        Ok(files)
    }
    fn verification(&self) -> VerificationPlan {
        VerificationPlan::default()
    }
}

struct Slack;

impl Vendor for Slack {
    fn id(&self) -> &'static str {
        "slack"
    }
    fn supports(&self, stack_id: &str) -> bool {
        stack_id == "tiny"
    }
    fn templates(&self) -> Vec<Template> {
        vec![Template::embedded(
            "slack/tiny/notify",
            "CHANNEL = {{json channel}}\n",
        )]
    }
    fn plan(
        &self,
        _: &str,
        _: &Blueprint,
        options: &IndexMap<String, Value>,
    ) -> Result<Vec<PlannedFile>, VendorError> {
        let channel = options.get("channel").cloned().unwrap_or(json!("#general"));
        Ok(vec![PlannedFile::template(
            "integrations/slack.txt",
            "slack/tiny/notify",
            json!({ "channel": channel }),
        )])
    }
}

struct Index;

impl DocumentEmitter for Index {
    fn id(&self) -> &'static str {
        "index"
    }
    fn emit(&self, input: &DocInput<'_>, out: &mut FileTree) -> Result<(), RenderError> {
        let text = format!(
            "{} for {}: {} controls\n",
            input.blueprint.spec().product.name,
            input.stack.map(|s| s.id).unwrap_or("no stack"),
            input.analysis.controls.len()
        );
        out.insert("docs/index.md", text)
    }
}

fn spec() -> Spec {
    let mut spec = SpecBuilder::new("tasks")
        .with_entity("OrderItem", |e| {
            e.with_field("title", FieldType::String, |f| f.required())
                .with_field("notes", FieldType::Text, |f| f)
        })
        .with_entity("Person", |e| e.with_field("name", FieldType::String, |f| f))
        .spec();
    spec.stack = "tiny".to_string();
    spec
}

fn engine() -> Engine {
    let mut engine = Engine::new();
    engine.register_stack(Box::new(TinyStack { break_view: false }));
    engine.register_vendor(Box::new(Slack));
    engine.register_emitter(Box::new(Index));
    engine
}

#[test]
fn renders_templates_with_the_shared_helpers() {
    let g = render::generate(&spec(), &engine(), &Options::new()).unwrap();
    let model = g.tree.get_str("models/order_item.txt").unwrap();
    assert!(
        model.starts_with(
            "# OrderItem lives in `order_items` (order-item, orderItem, ORDER_ITEM)\n"
        ),
        "{model}"
    );
    assert!(model.contains("title: String # required\n"), "{model}");
    assert!(model.contains("notes: Text\n"), "{model}");
    assert!(
        model.contains(r#"SCHEMA = {"name":"OrderItem","quote":"a \"b\""}"#),
        "{model}"
    );
    assert!(g
        .tree
        .get_str("models/person.txt")
        .unwrap()
        .contains("`people`"));

    let readme = g.tree.get_str("README.md").unwrap();
    // No HTML escaping: code is emitted as written.
    assert!(readme.contains("<b>a < b && c > d</b>"), "{readme}");
    assert!(readme.contains("Entities: OrderItem, Person."), "{readme}");
    assert!(readme.contains("    x = 1\n\n    return x\n"), "{readme}");
}

#[test]
fn a_missing_variable_is_an_error_naming_template_and_variable() {
    let mut engine = engine();
    engine.register_stack(Box::new(TinyStack { break_view: true }));
    let err = render::generate(&spec(), &engine, &Options::new()).unwrap_err();
    match &err {
        RenderError::Template { template, message } => {
            assert_eq!(template, "tiny/readme");
            assert!(message.contains("`motto`"), "{message}");
            assert!(message.contains("line 4"), "{message}");
        }
        other => panic!("expected a template error, got {other:?}"),
    }
}

#[test]
fn strict_mode_covers_if_helpers_and_unknown_templates() {
    let mut t = Templates::new();
    let reg = |t: &mut Templates, name: &'static str, source: &'static str| {
        t.register(&Template::embedded(name, source)).unwrap()
    };
    reg(&mut t, "if", "{{#if flag}}yes{{else}}no{{/if}}");
    reg(&mut t, "helper", "{{snake name}}");
    reg(&mut t, "nested", "{{#each items}}{{this.label}}{{/each}}");
    reg(
        &mut t,
        "words",
        "{{singular \"order_items\"}} {{plural \"person\"}} {{singular \"people\"}}",
    );
    assert_eq!(
        t.render("words", &json!({})).unwrap(),
        "order_item people person"
    );
    assert_eq!(t.render("if", &json!({ "flag": false })).unwrap(), "no");
    assert_eq!(t.render("if", &json!({ "flag": null })).unwrap(), "no");
    let e = t.render("if", &json!({})).unwrap_err().to_string();
    assert!(e.contains("`flag`"), "{e}");
    let e = t.render("helper", &json!({})).unwrap_err().to_string();
    assert!(e.contains("`name`"), "{e}");
    let e = t
        .render("helper", &json!({ "name": 3 }))
        .unwrap_err()
        .to_string();
    assert!(e.contains("string"), "{e}");
    let e = t
        .render("nested", &json!({ "items": [{ "label": "a" }, {}] }))
        .unwrap_err()
        .to_string();
    assert!(e.contains("label"), "{e}");
    let e = t.render("nowhere", &json!({})).unwrap_err().to_string();
    assert!(e.contains("template `nowhere`"), "{e}");

    // A template that does not parse is refused when registered.
    let e = t
        .register(&Template::embedded("broken", "{{#if x}}open"))
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("template `broken`: does not parse"), "{e}");
    // The same name with another source is refused; the same template twice is fine.
    reg(&mut t, "helper", "{{snake name}}");
    assert!(t.register(&Template::embedded("helper", "x")).is_err());
    let e = t
        .register(&Template::embedded("h", "{{frobnicate x}}"))
        .and_then(|_| t.render("h", &json!({ "x": 1 })))
        .unwrap_err()
        .to_string();
    assert!(e.contains("no helper `frobnicate`"), "{e}");
}

#[test]
fn rendering_twice_gives_the_same_bytes() {
    let a = render::generate(&spec(), &engine(), &Options::new()).unwrap();
    let b = render::generate(&spec(), &engine(), &Options::new()).unwrap();
    assert_eq!(a.tree, b.tree);
    assert_eq!(a.spec_hash, b.spec_hash);
    // A fresh engine in a different registration order: same tree.
    let mut other = Engine::new();
    other.register_emitter(Box::new(Index));
    other.register_vendor(Box::new(Slack));
    other.register_stack(Box::new(TinyStack { break_view: false }));
    let c = render::generate(&spec(), &other, &Options::new()).unwrap();
    assert_eq!(a.tree, c.tree);
}

#[test]
fn vendors_emitters_and_executables_reach_the_tree() {
    let mut spec = spec();
    let mut slack = IndexMap::new();
    slack.insert("channel".to_string(), json!("#ops"));
    spec.integrations.insert("slack".to_string(), slack);
    spec.integrations
        .insert("stripe".to_string(), IndexMap::new());
    let g = render::generate(&spec, &engine(), &Options::new()).unwrap();
    assert_eq!(
        g.tree.get_str("integrations/slack.txt"),
        Some("CHANNEL = \"#ops\"\n")
    );
    assert_eq!(g.unserved_integrations, ["stripe"]);
    assert!(g
        .tree
        .get_str("docs/index.md")
        .unwrap()
        .starts_with("tasks for tiny: "));
    assert!(g.tree.is_executable("scripts/run.sh"));
    assert!(!g.tree.is_executable("README.md"));
    assert_eq!(
        g.tree.paths().collect::<Vec<_>>(),
        [
            "README.md",
            "docs/index.md",
            "integrations/slack.txt",
            "models/order_item.txt",
            "models/person.txt",
            "scripts/run.sh"
        ]
    );
}

#[test]
fn options_choose_backend_docs_and_stack() {
    let engine = engine();
    let docs_only =
        render::generate(&spec(), &engine, &Options::new().with_backend(false)).unwrap();
    assert_eq!(
        docs_only.tree.paths().collect::<Vec<_>>(),
        ["docs/index.md"]
    );
    assert!(docs_only
        .tree
        .get_str("docs/index.md")
        .unwrap()
        .contains("for tiny"));
    // A spec naming no registered stack still gets its documents.
    let mut unknown = spec();
    unknown.stack = "elsewhere".to_string();
    let docs_only =
        render::generate(&unknown, &engine, &Options::new().with_backend(false)).unwrap();
    assert!(docs_only
        .tree
        .get_str("docs/index.md")
        .unwrap()
        .contains("for no stack"));

    let backend_only =
        render::generate(&spec(), &engine, &Options::new().with_docs(false)).unwrap();
    assert!(!backend_only.tree.contains("docs/index.md"));

    // The spec asks for another stack; the option overrides it.
    let mut other = spec();
    other.stack = "python-fastapi".to_string();
    assert!(render::generate(&other, &engine, &Options::new().with_stack("tiny")).is_ok());
}

#[test]
fn an_unknown_stack_lists_the_known_ones() {
    let mut s = spec();
    s.stack = "tinny".to_string();
    let err = render::generate(&s, &engine(), &Options::new()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown stack `tinny`; known: tiny; did you mean `tiny`?"
    );
    let err = render::generate(&spec(), &Engine::new(), &Options::new()).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("unknown stack `tiny`; known: none (no stack is registered"),
        "{err}"
    );
}

#[test]
fn a_stack_and_a_vendor_emitting_the_same_path_is_an_error() {
    struct Clash;
    impl Vendor for Clash {
        fn id(&self) -> &'static str {
            "slack"
        }
        fn supports(&self, _: &str) -> bool {
            true
        }
        fn plan(
            &self,
            _: &str,
            _: &Blueprint,
            _: &IndexMap<String, Value>,
        ) -> Result<Vec<PlannedFile>, VendorError> {
            Ok(vec![PlannedFile::text("README.md", "mine")])
        }
    }
    let mut engine = engine();
    engine.register_vendor(Box::new(Clash));
    let mut spec = spec();
    spec.integrations
        .insert("slack".to_string(), IndexMap::new());
    let err = render::generate(&spec, &engine, &Options::new()).unwrap_err();
    assert!(matches!(err, RenderError::DuplicatePath { ref path } if path == "README.md"));
}

#[test]
fn every_builtin_stack_generates_a_small_spec_deterministically() {
    let engine = Engine::with_builtins();
    for id in engine.stack_ids() {
        let options = Options::new().with_stack(id);
        let a = render::generate(&spec(), &engine, &options)
            .unwrap_or_else(|e| panic!("the built-in `{id}` stack fails: {e}"));
        let b = render::generate(&spec(), &engine, &options).unwrap();
        assert!(!a.tree.is_empty(), "{id}");
        assert_eq!(a.tree, b.tree, "{id}");
    }
    // With no stack at all the documents still render, deterministically.
    let options = Options::new().with_backend(false);
    let a = render::generate(&spec(), &engine, &options).unwrap();
    let b = render::generate(&spec(), &engine, &options).unwrap();
    assert_eq!(a.tree, b.tree);
}

/// Every spec the repository keeps as valid (examples and
/// `tests/specs/good`) renders with every built-in stack through the real
/// engine (strict templates, the shared helpers), twice the same.
#[test]
fn every_good_spec_renders_with_every_builtin_stack() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut specs = Vec::new();
    for dir in ["examples/specs", "tests/specs/good"] {
        for entry in std::fs::read_dir(root.join(dir)).expect("spec folder") {
            specs.push(entry.expect("entry").path());
        }
    }
    specs.sort();
    assert!(specs.len() >= 4);
    let engine = Engine::with_builtins();
    for path in specs {
        let spec = blueprint_core::spec::parse_file(&path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            .spec;
        for id in engine.stack_ids() {
            let options = Options::new().with_stack(id);
            let a = render::generate(&spec, &engine, &options)
                .unwrap_or_else(|e| panic!("{} with `{id}`: {e}", path.display()));
            let b = render::generate(&spec, &engine, &options).expect("second render");
            assert_eq!(a.tree, b.tree, "{} with `{id}`", path.display());
            assert!(a.tree.contains("docs/openapi.json") && a.tree.contains("Makefile"));
        }
    }
}

#[test]
fn the_built_in_engine_knows_what_the_spec_checker_knows() {
    // `blueprint_core::spec::Known::builtin()` lists the built-in stacks by
    // id (blueprint-core cannot depend on the stacks crate); the registry
    // is the truth, and the two must agree.
    let engine = Engine::with_builtins();
    assert_eq!(engine.known(), blueprint_core::spec::Known::builtin());
}

#[test]
fn a_registered_stack_and_vendor_are_known_to_the_spec_checker() {
    let mut engine = Engine::with_builtins();
    engine.register_stack(Box::new(TinyStack { break_view: false }));
    engine.register_vendor(Box::new(Slack));
    let known = engine.known();
    assert!(known.has_stack("tiny"));
    assert_eq!(known.vendor("slack").unwrap().options[0].0, "channel");
    let text = "spec_version: 1\nproduct: { name: t1 }\nstack: tiny\nintegrations: { slack: { channel: '#ops' } }\nentities: { Task: { fields: { title: string } } }\n";
    let spec = engine
        .parse_str("t.yaml", text, blueprint_core::spec::Format::Yaml)
        .unwrap()
        .spec;
    let generated = render::generate(&spec, &engine, &Options::new()).unwrap();
    assert!(generated.unserved_integrations.is_empty());
}

#[test]
fn a_registered_vendor_refuses_a_stack_it_does_not_support() {
    let mut engine = Engine::with_builtins();
    engine.register_stack(Box::new(TinyStack { break_view: false }));
    // At check time: sentry has files for python-fastapi only.
    let text = "spec_version: 1\nproduct: { name: t1 }\nstack: tiny\nintegrations: [sentry]\nentities: { Task: { fields: { title: string } } }\n";
    let err = engine
        .parse_str("t.yaml", text, blueprint_core::spec::Format::Yaml)
        .unwrap_err();
    let d = &err.diagnostics[0];
    assert_eq!(d.code.as_str(), "E603");
    assert!(
        d.message.contains("`sentry`") && d.message.contains("`tiny`"),
        "{}",
        d.message
    );
    assert!(format!("{d:?}").contains("python-fastapi"), "{d:?}");
    // At generation time, when the command line chooses the stack.
    let checked = engine
        .parse_str(
            "t.yaml",
            &text.replace("stack: tiny\n", ""),
            blueprint_core::spec::Format::Yaml,
        )
        .unwrap();
    let err = render::generate(&checked.spec, &engine, &Options::new().with_stack("tiny"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("`sentry`") && err.contains("`tiny`"), "{err}");
    // An integration no vendor generates stays a warning's business.
    let text = text.replace("[sentry]", "[twilio]");
    let checked = engine
        .parse_str("t.yaml", &text, blueprint_core::spec::Format::Yaml)
        .unwrap();
    let generated = render::generate(&checked.spec, &engine, &Options::new()).unwrap();
    assert_eq!(generated.unserved_integrations, ["twilio"]);
}

/// Per-entity files whose views are derived from the project's view when
/// they render; `made` counts the views made.
struct DerivedStack {
    made: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl Stack for DerivedStack {
    fn id(&self) -> &'static str {
        "derived"
    }
    fn description(&self) -> &'static str {
        "a test stack with derived views"
    }
    fn templates(&self) -> Vec<Template> {
        vec![
            Template::embedded("derived/entity", "{{title}}: {{entity}}\n"),
            Template::embedded(
                "derived/readme",
                "{{title}}: {{#each entities}}{{this}} {{/each}}\n",
            ),
        ]
    }
    fn plan(&self, model: &model::AppModel) -> Result<Vec<PlannedFile>, StackError> {
        let names: Vec<&String> = model.entities.iter().map(|e| &e.name).collect();
        let base = std::sync::Arc::new(json!({ "title": model.product.title, "entities": names }));
        let mut files = vec![PlannedFile::template(
            "README.md",
            "derived/readme",
            std::sync::Arc::clone(&base),
        )];
        let mut first = None;
        for at in 0..names.len() {
            let made = std::sync::Arc::clone(&self.made);
            let derive = stacks::Derivation::new(move |base| {
                made.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                json!({ "title": base["title"], "entity": base["entities"][at] })
            });
            for kind in ["a", "b"] {
                files.push(PlannedFile::derived(
                    format!("{kind}/{at}.txt"),
                    "derived/entity",
                    std::sync::Arc::clone(&base),
                    derive.clone(),
                ));
            }
            first.get_or_insert(derive);
        }
        // A file of the first entity's view, away from the others.
        if let Some(derive) = first {
            files.push(PlannedFile::derived(
                "c/0.txt",
                "derived/entity",
                base,
                derive,
            ));
        }
        Ok(files)
    }
    fn verification(&self) -> VerificationPlan {
        VerificationPlan::default()
    }
}

#[test]
fn a_derived_view_is_made_once_for_each_run_of_the_files_that_share_it() {
    let made = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut engine = Engine::new();
    engine.register_stack(Box::new(DerivedStack {
        made: std::sync::Arc::clone(&made),
    }));
    let mut spec = spec();
    spec.stack = "derived".to_string();
    let g = render::generate(&spec, &engine, &Options::new()).unwrap();
    let title = g
        .tree
        .get_str("README.md")
        .unwrap()
        .split(':')
        .next()
        .unwrap()
        .to_string();
    assert_eq!(
        g.tree.get_str("README.md").unwrap(),
        format!("{title}: OrderItem Person \n")
    );
    for (path, entity) in [
        ("a/0.txt", "OrderItem"),
        ("b/0.txt", "OrderItem"),
        ("a/1.txt", "Person"),
        ("b/1.txt", "Person"),
        ("c/0.txt", "OrderItem"),
    ] {
        assert_eq!(
            g.tree.get_str(path).unwrap(),
            format!("{title}: {entity}\n"),
            "{path}"
        );
    }
    // Two entities, each view made once for its two files, and the first
    // made again for the file planned away from them.
    assert_eq!(made.load(std::sync::atomic::Ordering::SeqCst), 3);
}

#[test]
fn an_entity_whose_table_a_vendor_adds_is_refused_by_name() {
    let spec = SpecBuilder::new("shop")
        .with_entity("Payment", |e| {
            e.with_field("total_cents", FieldType::Integer, |f| f.write(["admin"]))
                .with_field("paid", FieldType::Boolean, |f| f.write(["admin"]))
        })
        .with_integration_options(
            "stripe",
            [
                ("pays_for", "Payment"),
                ("amount", "total_cents"),
                ("sets", "paid"),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), json!(v)))
            .collect(),
        )
        .spec();
    let engine = Engine::with_builtins();
    let (blueprint, _) = engine.complete(&spec).unwrap();
    let error = engine.app_model(&blueprint, "python-fastapi").unwrap_err();
    assert!(
        matches!(
            &error,
            RenderError::Vendor(VendorError::TableTaken { vendor, table, entity })
                if vendor == "stripe" && table == "payments" && entity == "Payment"
        ),
        "{error}"
    );
    assert!(error
        .to_string()
        .contains("give the entity another `plural:`"));
}
