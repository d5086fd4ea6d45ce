//! The python-fastapi stack: blueprint parameters reaching the code,
//! keyword-like names, access decisions, determinism, and that every
//! template renders in strict mode. The generated files themselves are
//! pinned by the golden trees (`tests/golden/<name>/`,
//! `tests/tests/golden.rs`), not here.

mod support;

use blueprint_core::builder::SpecBuilder;
use blueprint_core::graph::Blueprint;
use blueprint_core::spec::FieldType;
use model::{AppModel, Scope};
use stacks::python_fastapi::{names, view, PythonFastapi};
use stacks::Stack;

fn example(name: &str) -> Blueprint {
    support::blueprint(&support::workspace().join(format!("examples/specs/{name}.yaml")))
}

fn model_of(bp: &Blueprint) -> AppModel {
    AppModel::from_blueprint(bp)
}

fn rendered(bp: &Blueprint) -> Vec<(String, String, bool)> {
    let files = PythonFastapi
        .plan(&model_of(bp))
        .expect("the stack plans the project");
    support::render(&PythonFastapi, &files)
}

fn file<'a>(tree: &'a [(String, String, bool)], path: &str) -> &'a str {
    tree.iter()
        .find(|(p, _, _)| p == path)
        .map(|(_, t, _)| t.as_str())
        .unwrap_or_else(|| panic!("{path} is not planned"))
}

#[test]
fn blueprint_parameters_reach_the_code() {
    let bp = example("clinic");
    let project = view::project(&model_of(&bp));
    let min = bp
        .parameter("password.min_length")
        .and_then(|p| p.value.as_u64());
    assert_eq!(Some(project.password_min_length), min);
    let tree = rendered(&bp);
    let passwords = file(&tree, "src/clinic_flow/security/passwords.py");
    assert!(passwords.contains(&format!("MIN_LENGTH = {}", project.password_min_length)));
}

#[test]
fn rate_limit_parameters_set_the_defaults() {
    let mut bp = example("clinic");
    let owner = bp
        .parameter("rate_limit.client_per_minute")
        .expect("the compliance stage sets the client rate limit")
        .set_by
        .clone();
    bp.set_parameter("rate_limit.client_per_minute", 77, &owner)
        .expect("the parameter is set");
    bp.set_parameter("rate_limit.user_per_minute", 33, &owner)
        .expect("the parameter is set");
    let project = view::project(&model_of(&bp));
    assert_eq!(project.rate_limit_client_per_minute, 77);
    assert_eq!(project.rate_limit_user_per_minute, 33);
    let tree = rendered(&bp);
    let settings = file(&tree, "src/clinic_flow/settings.py");
    assert!(settings.contains("rate_limit_client: int = Field(default=77, ge=1)"));
    assert!(settings.contains("rate_limit_user: int = Field(default=33, ge=1)"));
    let env = file(&tree, ".env.example");
    assert!(env.contains("\nRATE_LIMIT_CLIENT=77\n") && env.contains("\nRATE_LIMIT_USER=33\n"));
    let config = file(&tree, "deploy/k8s/configmap.yaml");
    assert!(
        config.contains("RATE_LIMIT_CLIENT: \"77\"") && config.contains("RATE_LIMIT_USER: \"33\"")
    );
}

#[test]
fn sensitive_field_names_are_redacted_in_logs() {
    let project = view::project(&model_of(&example("clinic")));
    assert!(project
        .sensitive_field_names
        .contains(&"\"insurance_number\"".to_string()));
    let tree = rendered(&example("clinic"));
    let logs = file(&tree, "src/clinic_flow/logs.py");
    assert!(logs.contains("    \"insurance_number\",\n"));
    let probe = project
        .log_probe
        .expect("clinic has a sensitive text field");
    assert_eq!(probe.json_literal, "\"insurance_number\"");
}

#[test]
fn sensitive_fields_are_neither_sorted_nor_filtered() {
    let project = view::project(&model_of(&example("clinic")));
    let patient = &project.entities[0];
    assert_eq!(
        patient.sensitive_literal.as_deref(),
        Some("\"insurance_number\"")
    );
    assert!(!patient
        .filters
        .iter()
        .any(|f| f.json_literal == "\"insurance_number\""));
    assert!(!patient
        .sortable
        .iter()
        .any(|f| f.json_literal == "\"insurance_number\""));
}

#[test]
fn keyword_like_field_names_are_escaped_but_keep_their_json_name() {
    let bp = SpecBuilder::new("kw")
        .with_entity("Thing", |e| {
            e.with_field("class", FieldType::String, |f| f.required())
                .with_field("type", FieldType::String, |f| f)
                .with_field("order", FieldType::Integer, |f| f)
                .with_field("json", FieldType::Json, |f| f)
        })
        .build();
    let project = view::project(&model_of(&bp));
    let fields = &project.entities[0].fields;
    let attrs: Vec<&str> = fields.iter().map(|f| f.attr.as_str()).collect();
    assert_eq!(attrs, ["class_", "type_", "order", "json_"]);
    assert!(fields[0].create_line.contains("alias=\"class\""));
    let tree = rendered(&bp);
    let models = file(&tree, "src/kw/models.py");
    assert!(models.contains("class_: Mapped[str] = mapped_column(\n        \"class\","));
    let service = file(&tree, "src/kw/services/things.py");
    assert!(service.contains("\"class_\": row.class_,"));
    assert_eq!(names::attribute("model_config"), "model_config_");
}

#[test]
fn access_decisions_follow_the_rules() {
    let model = model_of(&example("tasks"));
    let task = model.entity("Task").unwrap();
    let update = task.access(blueprint_core::spec::Action::Update);
    assert_eq!(update.scope(model.role("member")), Scope::Own);
    assert_eq!(update.scope(model.role("manager")), Scope::All);
    assert_eq!(update.scope(model.role("admin")), Scope::All);
    let delete = task.access(blueprint_core::spec::Action::Delete);
    assert_eq!(delete.scope(model.role("member")), Scope::None);
    let cases = view::access_cases(&model);
    assert!(cases.iter().any(|c| c.entity_literal == "\"Task\""
        && c.action_literal == "\"delete\""
        && c.role_literal == "\"member\""
        && c.status == 403));
}

/// Every path the stack cites as realizing a capability or holding an
/// entity is a file it plans (or, ending in `/`, a folder holding one).
#[test]
fn cited_paths_are_planned_files() {
    for name in ["clinic", "tasks"] {
        let model = model_of(&example(name));
        let files = PythonFastapi.plan(&model).unwrap();
        let planned: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        let realizations = PythonFastapi.realizations(&model);
        let cited = realizations
            .capabilities
            .values()
            .chain(realizations.entities.values())
            .flatten();
        let mut count = 0;
        for path in cited {
            count += 1;
            let found = if path.ends_with('/') {
                planned.iter().any(|p| p.starts_with(path.as_str()))
            } else {
                planned.contains(&path.as_str())
            };
            assert!(found, "{name}: {path} is cited but not planned");
        }
        assert!(count > 40, "{name}: only {count} paths cited");
        assert!(!realizations
            .of(compliance::Capability::RateLimiting)
            .is_empty());
    }
}

#[test]
fn planning_is_deterministic() {
    for name in ["clinic", "tasks"] {
        let a = rendered(&example(name));
        let b = rendered(&example(name));
        assert_eq!(a, b);
    }
}

#[test]
fn every_template_is_used_and_parses() {
    let templates = PythonFastapi.templates();
    let files = PythonFastapi.plan(&model_of(&example("tasks"))).unwrap();
    for t in &templates {
        assert!(
            files.iter().any(
                |f| matches!(&f.content, stacks::Content::Template { name, .. }
                    | stacks::Content::Derived { name, .. } if *name == t.name)
            ),
            "{} is never used",
            t.name
        );
    }
}

#[test]
fn builtin_lists_the_stack() {
    let ids: Vec<&str> = stacks::builtin().iter().map(|s| s.id()).collect();
    assert_eq!(ids, ["python-fastapi", "typescript-fastify"]);
}

#[test]
fn odd_specs_do_not_panic() {
    // No fields at all, a self relation, names that are Python keywords.
    let bp = SpecBuilder::new("odd")
        .with_entity("Import", |e| e.with_relation("parent", "Import", |r| r))
        .with_entity("Class", |e| e.owned())
        .build();
    let tree = rendered(&bp);
    assert!(tree
        .iter()
        .any(|(p, _, _)| p == "src/odd/routers/imports.py"));
    assert!(tree
        .iter()
        .any(|(p, _, _)| p == "src/odd/routers/classes.py"));
}

/// Renders the example specs and the rich test spec into
/// `target/stack-out/<name>`, for a developer to look at or run.
#[test]
fn render_for_inspection() {
    for (name, path) in [
        ("clinic", "examples/specs/clinic.yaml"),
        ("tasks", "examples/specs/tasks.yaml"),
        ("rich", "tests/specs/good/rich.yaml"),
        ("every-type", "tests/specs/good/every-type.yaml"),
    ] {
        let bp = support::blueprint(&support::workspace().join(path));
        let tree = rendered(&bp);
        support::write(
            &support::workspace().join("target/stack-out").join(name),
            &tree,
        );
    }
}

#[test]
fn every_good_spec_and_synthetic_specs_render_in_strict_mode() {
    let dir = support::workspace().join("tests/specs/good");
    let mut specs: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/specs/good")
        .map(|e| e.expect("entry").path())
        .collect();
    specs.sort();
    for spec in specs {
        let tree = rendered(&support::blueprint(&spec));
        assert!(
            tree.iter().any(|(p, _, _)| p.ends_with("/main.py")),
            "{}",
            spec.display()
        );
    }
    for n in [1, 3, 12] {
        let yaml = synthetic(n);
        let checked =
            blueprint_core::spec::parse_str("s.yaml", &yaml, blueprint_core::spec::Format::Yaml)
                .expect("the synthetic spec parses");
        let mut bp = Blueprint::from_spec(&checked.spec);
        compliance::complete(&mut bp).expect("compliance completes");
        assert!(!rendered(&bp).is_empty());
    }
}

/// `n` entities chained by required relations, each with a field of
/// every type.
fn synthetic(n: usize) -> String {
    let mut s = String::from(
        "spec_version: 1\nproduct: { name: synth }\nroles:\n  member: { signup: true }\n  admin: { admin: true }\nentities:\n",
    );
    for i in 0..n {
        s.push_str(&format!(
            "  Thing{i}:\n    owned: {}\n    fields:\n",
            i % 2 == 0
        ));
        for ty in [
            "string", "text", "integer", "bigint", "decimal", "boolean", "date", "datetime",
            "uuid", "email", "url", "phone", "json",
        ] {
            s.push_str(&format!("      f_{ty}: {ty}\n"));
        }
        s.push_str("      f_enum: { type: enum, values: [a, b] }\n");
        if i > 0 {
            s.push_str(&format!(
                "    relations:\n      prev: {{ to: Thing{}, required: true }}\n",
                i - 1
            ));
        }
    }
    s
}
