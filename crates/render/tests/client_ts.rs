//! The typed TypeScript client (`clients/ts/`): emitted beside a generated
//! backend only, its package pinned, its model file spelling each entity's
//! access, field rules and workflow moves, and its tests exercising the
//! entity and account the model allows. (The gate's `client` stage builds
//! and runs it against a running app; the golden trees pin every byte.)

mod common;

use render::FileTree;

fn text<'a>(tree: &'a FileTree, path: &str) -> &'a str {
    tree.get_str(&format!("clients/ts/{path}"))
        .unwrap_or_else(|| panic!("clients/ts/{path} was emitted"))
}

#[test]
fn the_client_comes_only_with_a_backend() {
    let (_, _, docs) = common::render("tasks");
    assert!(docs.paths().all(|p| !p.starts_with("clients/")));
    let tree = common::project("tasks");
    for path in [
        "package.json",
        "package-lock.json",
        "tsconfig.json",
        ".gitignore",
        "README.md",
        "src/client.ts",
        "src/index.ts",
        "src/model.ts",
        "test/client.test.ts",
        "test/samples.ts",
    ] {
        text(&tree, path);
    }
}

#[test]
fn the_package_pins_its_tools_and_generates_its_types_from_the_document() {
    let tree = common::project("tasks");
    let package: serde_json::Value =
        serde_json::from_str(text(&tree, "package.json")).expect("package.json is JSON");
    assert_eq!(package["name"], "team-tasks-client");
    assert_eq!(
        package["dependencies"]["openapi-fetch"],
        render::docs::client_ts::OPENAPI_FETCH_VERSION
    );
    assert_eq!(
        package["devDependencies"]["openapi-typescript"],
        render::docs::client_ts::OPENAPI_TYPESCRIPT_VERSION
    );
    assert_eq!(
        package["devDependencies"]["typescript"],
        render::docs::client_ts::TYPESCRIPT_VERSION
    );
    let generate = package["scripts"]["generate"]
        .as_str()
        .expect("a generate script");
    assert!(generate.contains("../../docs/openapi.json"), "{generate}");
    // The gate's lint step: ESLint with the type-checked rules, then Prettier.
    assert_eq!(package["scripts"]["lint"], "eslint . && prettier --check .");
    assert!(text(&tree, "eslint.config.js").contains("tseslint.configs.strictTypeChecked"));
    assert!(text(&tree, ".prettierignore").contains("src/model.ts"));
    let lock: serde_json::Value =
        serde_json::from_str(text(&tree, "package-lock.json")).expect("the lock is JSON");
    assert_eq!(lock["name"], "team-tasks-client");
    assert_eq!(lock["packages"][""]["name"], "team-tasks-client");
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
}

#[test]
fn the_model_file_spells_access_rules_and_workflows() {
    let tree = common::project("clinic");
    let model = text(&tree, "src/model.ts");
    assert!(model.contains("export const ROLES = [\"patient\",\"clinician\",\"admin\"] as const;"));
    assert!(
        model.contains("export function listAppointments("),
        "{model}"
    );
    assert!(model.contains(
        "export const APPOINTMENT_STATUS_MOVES = {\"requested\":[\"confirmed\",\"cancelled\"],\"confirmed\":[\"cancelled\",\"completed\"],\"cancelled\":[],\"completed\":[]} as const"
    ));
    assert!(model.contains(
        "export const APPOINTMENT_STATUS_FROZEN = [\"cancelled\",\"completed\"] as const"
    ));
    assert!(model.contains("export type AppointmentStatusNext<From extends AppointmentStatus>"));
    assert!(model.contains("\"deposit_cents\":{\"write\":{\"patient\":\"none\",\"clinician\":\"none\",\"admin\":\"all\"}}"), "{model}");
    assert!(model
        .contains("\"delete\":{\"patient\":\"none\",\"clinician\":\"none\",\"admin\":\"all\"}"));
}

#[test]
fn the_tests_act_as_the_signup_account_when_it_may_do_everything() {
    let tasks = common::project("tasks");
    let test = text(&tasks, "test/client.test.ts");
    assert!(test.contains("describe(\"Project rows\""), "{test}");
    assert!(test.contains("return { address: await register(api), password: PASSWORD };"));
    assert!(test.contains("const { address, password } = await account(api);"));
    assert!(!test.contains("ADMIN_EMAIL"));
    assert!(
        test.contains("\"name\": text(\"name\", n, 0, 120),"),
        "{test}"
    );

    // No clinic role but the admin may delete patients: the admin acts.
    let clinic = common::project("clinic");
    let test = text(&clinic, "test/client.test.ts");
    assert!(test.contains("describe(\"Patient rows\""), "{test}");
    assert!(test.contains("process.env.ADMIN_EMAIL"));
    assert!(test.contains("\"email\": email(n),"), "{test}");
}

#[test]
fn without_a_signup_role_the_tests_sign_in_as_the_given_account() {
    // Nobody may register (403): the session tests sign in as ADMIN_EMAIL,
    // and the 422 comes from a sign-in with a password too long.
    let tree = common::project_of(
        "spec_version: 1
product: { name: closed-shop, title: Closed shop, description: Nobody signs up. }
roles: { staff: {}, boss: { admin: true } }
entities:
  Room:
    fields: { code: string! }
    access: { create: [staff], read: [public], update: [staff], delete: [boss] }
api: { base_path: /internal/v2 }
",
    );
    let test = text(&tree, "test/client.test.ts");
    assert!(!test.contains("register("), "{test}");
    assert!(
        test.contains("const address = process.env.ADMIN_EMAIL"),
        "{test}"
    );
    assert!(test.contains("await account();"), "{test}");
    assert!(
        test.contains(
            "api.POST(\"/internal/v2/auth/login\", { body: { email: email(next()), password } })"
        ),
        "{test}"
    );
    assert!(test.contains("PASSWORD.padEnd(1025, \"p\")"), "{test}");
    // Every path is under the spec's base path.
    assert!(!test.contains("\"/api/"), "{test}");
    let readme = text(&tree, "README.md");
    assert!(
        readme.contains("api.POST(\"/internal/v2/auth/login\""),
        "{readme}"
    );
}
