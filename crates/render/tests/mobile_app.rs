//! The mobile app (`clients/mobile/`): emitted beside a generated backend
//! only, deterministic, its packages pinned and locked with the typed
//! client as a `file:` dependency kept in step with the client's package,
//! and its browser tests' plan keeping to the entities kept per account
//! with unique values of its own. Installed from npm, the app passes `tsc
//! --noEmit`, its lint, its jest-expo tests, `expo export --platform web`
//! and its browser tests against a running backend in the gate's `mobile`
//! stage, which `scripts/test` runs on every example with every stack (and
//! the corpus test on its gate seeds).

mod common;

use render::docs::client_ts::CLIENT_DIR;
use render::docs::mobile_app::MOBILE_DIR;
use render::{Engine, FileTree, Options};

fn file<'a>(tree: &'a FileTree, dir: &str, path: &str) -> &'a str {
    tree.get_str(&format!("{dir}/{path}"))
        .unwrap_or_else(|| panic!("{dir}/{path} was emitted"))
}

fn text<'a>(tree: &'a FileTree, path: &str) -> &'a str {
    file(tree, MOBILE_DIR, path)
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).expect("the file is JSON")
}

#[test]
fn the_app_comes_only_with_a_backend_and_is_deterministic() {
    let (_, _, docs) = common::render("tasks");
    assert!(docs.paths().all(|p| !p.starts_with(MOBILE_DIR)));
    let tree = common::project("tasks");
    for path in [
        ".gitignore",
        "package.json",
        "package-lock.json",
        "app.json",
        "tsconfig.json",
        "metro.config.js",
        "index.ts",
        "App.tsx",
        "README.md",
        "src/api.ts",
        "src/access.ts",
        "src/model.ts",
        "src/screens/EntityForm.tsx",
        "__tests__/app.test.tsx",
        "e2e/mobile.spec.ts",
        "e2e/serve.mjs",
        "e2e/plan.ts",
    ] {
        text(&tree, path);
    }
    let again = common::project("tasks");
    let files = |t: &FileTree| -> Vec<(String, Vec<u8>)> {
        t.iter()
            .filter(|(p, _)| p.starts_with(MOBILE_DIR))
            .map(|(p, b)| (p.to_string(), b.to_vec()))
            .collect()
    };
    assert_eq!(files(&tree), files(&again));
    // The screens read the admin app's table, from the same view.
    assert_eq!(
        text(&tree, "src/model.ts"),
        file(&tree, "clients/admin", "src/model.ts")
    );
    assert!(text(&tree, "src/model.ts").contains("export const TITLE = \"TeamTasks\";"));
    assert!(text(&tree, "src/api.ts").contains("} from \"team-tasks-client\";"));
    assert_eq!(json(text(&tree, "app.json"))["expo"]["name"], "TeamTasks");
}

#[test]
fn the_packages_are_pinned_and_locked_with_the_client_in_step() {
    let tree = common::project("tasks");
    let package = json(text(&tree, "package.json"));
    assert_eq!(package["name"], "team-tasks-mobile");
    assert_eq!(
        package["dependencies"]["expo"],
        render::docs::mobile_app::EXPO_VERSION
    );
    assert_eq!(
        package["dependencies"]["react-native"],
        render::docs::mobile_app::REACT_NATIVE_VERSION
    );
    assert_eq!(package["dependencies"]["team-tasks-client"], "file:../ts");
    assert_eq!(
        package["devDependencies"]["@playwright/test"],
        render::docs::admin_app::PLAYWRIGHT_VERSION
    );
    let lock = json(text(&tree, "package-lock.json"));
    assert_eq!(lock["name"], "team-tasks-mobile");
    for (section, deps) in [
        ("dependencies", &package["dependencies"]),
        ("devDependencies", &package["devDependencies"]),
    ] {
        assert_eq!(&lock["packages"][""][section], deps, "{section}");
        for (name, version) in deps.as_object().expect("an object") {
            let locked = &lock["packages"][format!("node_modules/{name}")];
            if version == "file:../ts" {
                assert_eq!(locked["resolved"], "../ts", "{name}");
                assert_eq!(locked["link"], true, "{name}");
            } else {
                assert_eq!(&locked["version"], version, "{name} is locked at its pin");
            }
        }
    }
    // The lock's copy of the client's package follows the client.
    let client = json(file(&tree, CLIENT_DIR, "package.json"));
    let linked = &lock["packages"]["../ts"];
    assert_eq!(linked["name"], client["name"]);
    for section in ["dependencies", "devDependencies"] {
        assert_eq!(linked[section], client[section], "{section}");
    }
}

#[test]
fn the_browser_tests_keep_to_the_entities_kept_per_account() {
    let tasks = common::project("tasks");
    let plan = text(&tasks, "e2e/plan.ts");
    let projects = plan.find("\"collection\": \"projects\"").expect(plan);
    let tasks_row = plan.find("\"collection\": \"tasks\"").expect(plan);
    assert!(projects < tasks_row, "parents first: {plan}");
    assert!(plan.contains("\"project_id\""), "{plan}");
    assert!(!plan.contains("\"collection\": \"labels\""), "{plan}");
    assert!(
        plan.contains(
            "\"entity\": \"Label\",\n      \"reason\": \"its rows are not kept per account"
        ),
        "{plan}"
    );
    assert!(plan.contains("\"forbidden\": null"), "{plan}");
    assert!(plan.contains("\"workflow\": null"), "{plan}");
}

#[test]
fn unique_values_keep_clear_of_the_admin_apps() {
    let spec = "spec_version: 1
product: { name: seats, title: Seats, description: Unique numbers. }
roles:
  member: { signup: true }
  admin: { admin: true }
entities:
  Ticket:
    owned: true
    fields:
      seat: { type: integer, required: true, unique: true, min: 0, max: 999 }
      serial: { type: integer, required: true, unique: true }
";
    let engine = Engine::with_builtins();
    let spec =
        blueprint_core::spec::parse_str("seats.yaml", spec, blueprint_core::spec::Format::Yaml)
            .expect("the spec parses")
            .spec;
    let (bp, analysis) = engine.complete(&spec).expect("compliance completes");
    let tree = engine
        .render(&bp, &analysis, &Options::new())
        .expect("the project renders");
    let value = |dir: &str, field: &str| -> String {
        let plan = file(&tree, dir, "e2e/plan.ts");
        plan.split(&format!("\"field\": \"{field}\""))
            .nth(1)
            .and_then(|rest| rest.split("\"value\": \"").nth(1))
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_else(|| panic!("{field}'s value in {plan}"))
            .to_string()
    };
    for field in ["seat", "serial"] {
        let (admin, mobile) = (value("clients/admin", field), value(MOBILE_DIR, field));
        assert_ne!(admin, mobile, "{field}");
        let mobile: u64 = mobile.parse().expect("a number");
        assert!(
            mobile > 100,
            "{field}: far from the conformance suite's rows"
        );
    }
}
