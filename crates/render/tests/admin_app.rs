//! The admin web app (`clients/admin/`): emitted beside a generated
//! backend only, deterministic, its packages pinned and locked, its model
//! table spelling each entity's access, field rules and workflow moves,
//! and its browser tests' plan following the model. Installed from npm,
//! the app passes `tsc --noEmit`, its lint, `vite build` and its browser
//! tests against a running backend in the gate's `admin` stage, which
//! `scripts/test` runs on every example with every stack (and the corpus
//! test on its gate seeds).

mod common;

use render::docs::admin_app::ADMIN_DIR;
use render::{Engine, FileTree, Options};

fn text<'a>(tree: &'a FileTree, path: &str) -> &'a str {
    tree.get_str(&format!("{ADMIN_DIR}/{path}"))
        .unwrap_or_else(|| panic!("{ADMIN_DIR}/{path} was emitted"))
}

#[test]
fn the_app_comes_only_with_a_backend_and_is_deterministic() {
    let (_, _, docs) = common::render("tasks");
    assert!(docs.paths().all(|p| !p.starts_with(ADMIN_DIR)));
    let tree = common::project("tasks");
    for path in [
        ".gitignore",
        "package.json",
        "package-lock.json",
        "tsconfig.json",
        "vite.config.ts",
        "playwright.config.ts",
        "index.html",
        "README.md",
        "src/main.tsx",
        "src/App.tsx",
        "src/api.ts",
        "src/access.ts",
        "src/model.ts",
        "src/EntityForm.tsx",
        "e2e/admin.spec.ts",
        "e2e/plan.ts",
    ] {
        text(&tree, path);
    }
    let again = common::project("tasks");
    let files = |t: &FileTree| -> Vec<(String, Vec<u8>)> {
        t.iter()
            .filter(|(p, _)| p.starts_with(ADMIN_DIR))
            .map(|(p, b)| (p.to_string(), b.to_vec()))
            .collect()
    };
    assert_eq!(files(&tree), files(&again));
}

#[test]
fn the_packages_are_pinned_and_locked() {
    let tree = common::project("tasks");
    let package: serde_json::Value =
        serde_json::from_str(text(&tree, "package.json")).expect("package.json is JSON");
    assert_eq!(package["name"], "team-tasks-admin");
    assert_eq!(
        package["dependencies"]["react"],
        render::docs::admin_app::REACT_VERSION
    );
    assert_eq!(
        package["devDependencies"]["vite"],
        render::docs::admin_app::VITE_VERSION
    );
    assert_eq!(
        package["devDependencies"]["@playwright/test"],
        render::docs::admin_app::PLAYWRIGHT_VERSION
    );
    let lock: serde_json::Value =
        serde_json::from_str(text(&tree, "package-lock.json")).expect("the lock is JSON");
    assert_eq!(lock["name"], "team-tasks-admin");
    for (section, deps) in [
        ("dependencies", &package["dependencies"]),
        ("devDependencies", &package["devDependencies"]),
    ] {
        assert_eq!(&lock["packages"][""][section], deps, "{section}");
        for (name, version) in deps.as_object().expect("an object") {
            assert_eq!(
                &lock["packages"][format!("node_modules/{name}")]["version"],
                version,
                "{name} is locked at its pinned version"
            );
        }
    }
    // Scripts from self only: the page has no inline script.
    let index = text(&tree, "index.html");
    assert!(index.contains("<script type=\"module\" src=\"/src/main.tsx\"></script>"));
    assert_eq!(index.matches("<script").count(), 1);
}

#[test]
fn the_model_table_spells_access_field_rules_and_workflows() {
    let tree = common::project("clinic");
    let model = text(&tree, "src/model.ts");
    assert!(model.contains("export const ROLES = [\"patient\",\"clinician\",\"admin\"] as const;"));
    assert!(model.contains("export const ADMIN_ROLES: readonly Role[] = [\"admin\"];"));
    assert!(model.contains("\"path\": \"/api/appointments\""), "{model}");
    assert!(model.contains("\"requested>confirmed\": {\n"), "{model}");
    assert!(model.contains("\"frozen\": [\n"), "{model}");
    assert!(model.contains("\"key\": \"clinician_id\""), "{model}");
}

#[test]
fn the_browser_tests_follow_the_model() {
    let clinic = common::project("clinic");
    let plan = text(&clinic, "e2e/plan.ts");
    // Admin roles may always act: every entity's rows, parents first.
    assert!(plan.contains("\"skipped\": []"), "{plan}");
    let order: Vec<usize> = [
        "\"patients\"",
        "\"clinicians\"",
        "\"appointments\"",
        "\"visit_notes\"",
    ]
    .iter()
    .map(|c| plan.find(c).unwrap_or_else(|| panic!("{c} in {plan}")))
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{plan}");
    assert!(plan.contains("\"to\": \"confirmed\""), "{plan}");
    assert!(plan.contains("\"role\": \"patient\""), "{plan}");
    let tasks = common::project("tasks");
    let plan = text(&tasks, "e2e/plan.ts");
    assert!(plan.contains("\"role\": \"member\""), "{plan}");
    assert!(plan.contains("\"workflow\": null"), "{plan}");
    assert!(plan.contains("\"project_id\""), "{plan}");
    // A task is linked to the label the test made; clinic has no
    // many-to-many relation, so no link.
    assert!(
        plan.contains("\"link\": {\n    \"collection\": \"tasks\",\n    \"key\": \"label_ids\",\n    \"target\": \"labels\"\n  }"),
        "{plan}"
    );
    assert!(text(&clinic, "e2e/plan.ts").contains("\"link\": null"));
    let model = text(&tasks, "src/model.ts");
    assert!(
        model.contains("\"links\": [\n      {\n        \"key\": \"label_ids\",\n        \"label\": \"Labels\",\n        \"target\": \"labels\"\n      }\n    ]"),
        "{model}"
    );
}

#[test]
fn unique_values_keep_clear_of_the_earlier_stages_rows() {
    let spec = "spec_version: 1
product: { name: counters, title: Counters, description: Unique numbers. }
roles:
  member: { signup: true }
  admin: { admin: true }
entities:
  Ticket:
    fields:
      seat: { type: integer, required: true, unique: true, min: 0, max: 999 }
      serial: { type: integer, required: true, unique: true }
  Coin:
    fields:
      side: { type: integer, required: true, unique: true, min: 0, max: 1 }
";
    let engine = Engine::with_builtins();
    let spec =
        blueprint_core::spec::parse_str("counters.yaml", spec, blueprint_core::spec::Format::Yaml)
            .expect("the spec parses")
            .spec;
    let (bp, analysis) = engine.complete(&spec).expect("compliance completes");
    let tree = engine
        .render(&bp, &analysis, &Options::new())
        .expect("the project renders");
    let plan = text(&tree, "e2e/plan.ts");
    // The conformance suite's rows take the lowest counters: the seat is
    // the middle of its thousand values, the serial far out.
    assert!(plan.contains("\"value\": \"501\""), "{plan}");
    let serial: u64 = plan
        .split("\"field\": \"serial\"")
        .nth(1)
        .and_then(|rest| rest.split("\"value\": \"").nth(1))
        .and_then(|rest| rest.split('"').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("the serial's value in {plan}"));
    assert!(serial > 1_000, "{plan}");
    // Two values may both be taken before the browser tests run.
    assert!(
        plan.contains("its unique field `side` takes only 2 values"),
        "{plan}"
    );
}
