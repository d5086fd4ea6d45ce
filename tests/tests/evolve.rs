//! Schema evolution: a spec changes, the project's database follows.
//!
//! Fast: over the spec corpus, a schema diffed with itself needs no step, a
//! first generation records the initial migration, and a regeneration of
//! an unchanged spec keeps every file and emits no revision; diffing one
//! corpus spec's schema against another's never fails or panics.
//!
//! Slow (`ARCHGEN_SLOW_TESTS=1`): the round trip on python-fastapi with a
//! real PostgreSQL. v1 is generated and migrated and rows are inserted;
//! v2 adds a field with a default, an entity with a relation, an enum
//! value, renames a field with a hint, makes a field sensitive and drops
//! one (refused, then allowed). After regenerating, `alembic upgrade head`
//! keeps every row (the sensitive one encrypted, readable through the
//! app's keyring), `alembic check` is clean, `alembic downgrade -1` brings
//! the plaintext back, two files edited by hand before v2 keep their edits
//! merged with v2's changes, and the project passes the quality gate (its
//! own lint and tests among its stages; the client surfaces left to the
//! example and corpus gates).

use std::path::Path;
use std::process::Command;

use archgen_tests::corpus;
use blueprint_core::spec::{parse_str, Format, Spec};
use render::evolve::Evolution;
use render::write::{read_history, write_tree, WriteOptions};
use render::{Engine, Options, RenderError};

/// The `ENCRYPTION_KEYS` of the runs: base64url of 32 bytes.
const ENCRYPTION_KEY: &str = "ZTJlLWVuY3J5cHRpb24ta2V5LW9mLTMyLWJ5dGVzLSE";

fn parse(text: &str) -> Spec {
    match parse_str("spec.yaml", text, Format::Yaml) {
        Ok(checked) => checked.spec,
        Err(e) => panic!("{e}\n{text}"),
    }
}

/// Generates a spec into `dir` as `archgen generate` does: with the
/// directory's history, writing the schema snapshot.
fn generate(
    spec: &Spec,
    dir: &Path,
    allow_destructive: bool,
) -> Result<Option<Evolution>, RenderError> {
    let engine = Engine::with_builtins();
    let options = Options::new()
        .with_history(read_history(dir)?)
        .with_allow_destructive(allow_destructive);
    let generated = render::generate(spec, &engine, &options)?;
    // Not forced: files edited by hand are merged, as `archgen generate`
    // merges them.
    let mut write =
        WriteOptions::for_render(&options).with_spec(blueprint_core::spec::to_yaml(spec));
    if let Some(evolution) = &generated.evolution {
        write = write.with_snapshot(&evolution.snapshot);
    }
    write_tree(&generated.tree, dir, &generated.spec_hash, &write)?;
    Ok(generated.evolution)
}

fn schema_of(spec: &Spec) -> model::schema::Schema {
    let (bp, _) = Engine::with_builtins()
        .complete(spec)
        .expect("the spec completes");
    model::schema::Schema::of(&model::AppModel::from_blueprint(&bp))
}

#[test]
fn corpus_schemas_diff_cleanly() {
    let schemas: Vec<(u64, Spec, model::schema::Schema)> = corpus::SEEDS
        .map(|seed| {
            let spec = parse(&corpus::spec(seed));
            let schema = schema_of(&spec);
            (seed, spec, schema)
        })
        .collect();
    for (seed, spec, schema) in &schemas {
        let json = schema.to_json();
        let back = model::schema::Schema::from_json(&json).expect("the schema reads back");
        assert_eq!(&back, schema, "seed {seed}: the schema's JSON round trip");
        let steps = model::schema::diff(schema, schema, &model::schema::Hints::of(spec))
            .expect("a schema diffs with itself");
        assert!(steps.is_empty(), "seed {seed}: {steps:?}");
    }
    // Another spec entirely: every step has a sentence, nothing panics.
    for pair in schemas.windows(2) {
        let (_, _, a) = &pair[0];
        let (seed, spec, b) = &pair[1];
        let hints = model::schema::Hints::of(spec);
        let steps = model::schema::diff(a, b, &hints).expect("the corpus gives no hints");
        assert!(
            steps.iter().all(|s| !s.summary.is_empty()),
            "seed {seed}: {steps:?}"
        );
        let back = model::schema::diff(b, a, &model::schema::Hints::default())
            .expect("no hints, no error");
        assert_eq!(
            back.iter()
                .filter(|s| matches!(s.change, model::schema::Change::CreateTable { .. }))
                .count(),
            steps
                .iter()
                .filter(|s| matches!(s.change, model::schema::Change::DropTable { .. }))
                .count(),
            "seed {seed}: each table one way drops is created the other way"
        );
    }
}

/// A model's schema with the spec's hints, for the edits below.
fn edited_pair(seed: u64, edit: u64) -> (Spec, Spec, Vec<String>) {
    let spec = parse(&corpus::spec(seed));
    let (edited, done) = corpus::edited(&spec, edit);
    (spec, edited, done)
}

#[test]
fn corpus_edits_diff_into_steps_that_make_the_new_schema() {
    let mut edits = 0;
    for seed in corpus::SEEDS {
        for edit in 0..3 {
            let (spec, changed, done) = edited_pair(seed, seed * 31 + edit);
            let (a, b) = (schema_of(&spec), schema_of(&changed));
            let steps = model::schema::diff(&a, &b, &model::schema::Hints::of(&changed))
                .unwrap_or_else(|e| panic!("seed {seed} edit {edit} ({done:?}): {e}"));
            assert_eq!(
                a.apply(&steps).layout(),
                b.layout(),
                "seed {seed} edit {edit} ({done:?}): the steps do not make the new schema: {steps:#?}"
            );
            for ((entity, field), old) in &model::schema::Hints::of(&changed).fields {
                assert!(
                    steps.iter().any(|s| matches!(&s.change,
                        model::schema::Change::RenameColumn { from, to, .. } if from == old && to == field)),
                    "seed {seed} edit {edit}: `{entity}.{old}` → `{field}` is no rename: {steps:#?}"
                );
            }
            let nothing = model::schema::diff(&b, &b, &model::schema::Hints::of(&changed))
                .expect("a schema diffs with itself");
            assert!(
                nothing.is_empty(),
                "seed {seed}: a spent hint makes no step"
            );
            edits += done.len();
        }
    }
    assert!(edits > 100, "the corpus edits edit: {edits}");
}

#[test]
fn a_regeneration_without_change_keeps_every_migration_and_adds_none() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let spec = parse(&corpus::spec(corpus::SEEDS.start));
    let first = generate(&spec, dir.path(), false)
        .expect("the first generation")
        .expect("python-fastapi keeps revisions");
    assert!(first.steps.is_empty() && first.revision.is_none());
    assert_eq!(first.snapshot.revisions.len(), 1);
    let initial = dir.path().join(&first.snapshot.revisions[0].path);
    // An applied migration is kept byte for byte, even when archgen would
    // write it differently today.
    std::fs::write(&initial, "# applied\n").expect("the migration is edited");
    let again = generate(&spec, dir.path(), false)
        .expect("the regeneration")
        .expect("python-fastapi keeps revisions");
    assert!(again.steps.is_empty() && again.revision.is_none());
    assert_eq!(again.snapshot, first.snapshot);
    assert_eq!(std::fs::read_to_string(&initial).unwrap(), "# applied\n");
    // A missing applied migration stops the generation.
    std::fs::remove_file(&initial).expect("the migration is removed");
    let err = generate(&spec, dir.path(), false).unwrap_err();
    assert!(matches!(err, RenderError::MissingRevision { .. }), "{err}");
}

#[test]
fn a_stack_without_revisions_refuses_a_schema_change_its_databases_cannot_follow() {
    // typescript-fastify keeps one initial migration: a changed schema
    // would rewrite it, and a database made from the old one would never
    // see the change (the migrator finds it applied). The schema is
    // recorded all the same, so the next generation sees the change.
    let dir = tempfile::tempdir().expect("a temporary directory");
    let ts = |text: &str| parse(&format!("{text}stack: typescript-fastify\n"));
    let first = generate(&ts(V1), dir.path(), false)
        .expect("the first generation")
        .expect("the schema is recorded");
    assert!(first.steps.is_empty() && first.revision.is_none());
    assert!(first.snapshot.revisions.is_empty());
    assert_eq!(first.snapshot.stack, "typescript-fastify");
    let again = generate(&ts(V1), dir.path(), false)
        .expect("an unchanged spec regenerates")
        .expect("the schema is recorded");
    assert!(again.steps.is_empty());
    let err = generate(&ts(&v2()), dir.path(), false).unwrap_err();
    match &err {
        RenderError::NoMigrations { stack, steps } => {
            assert_eq!(stack, "typescript-fastify");
            assert!(steps.iter().any(|s| s.contains("to `notes`")), "{steps:?}");
        }
        other => panic!("{other}"),
    }
    assert!(err.to_string().contains("--allow-destructive"), "{err}");
    // Allowed: the initial migration is written again, and the new schema
    // recorded.
    let allowed = generate(&ts(&v2()), dir.path(), true)
        .expect("allowed")
        .expect("the schema is recorded");
    assert!(!allowed.steps.is_empty() && allowed.revision.is_none());
    let after = generate(&ts(&v2()), dir.path(), false)
        .expect("nothing changed since")
        .expect("the schema is recorded");
    assert!(after.steps.is_empty());
}

const V1: &str = r#"spec_version: 1
product: { name: evolving }
roles:
  member: { signup: true }
  admin: { admin: true }
entities:
  Project:
    owned: true
    fields:
      name: { type: string, required: true, max: 120 }
      summary: text
  Task:
    owned: { through: project }
    fields:
      title: { type: string, required: true, max: 200 }
      details: text
      priority: { type: enum, values: [low, normal, high], default: normal }
    relations:
      project: { to: Project, required: true, on_delete: cascade }
  Label:
    fields:
      name: { type: string, required: true, unique: true, max: 40 }
      color: { type: string, max: 7 }
"#;

fn v2() -> String {
    V1.replace(
        "      summary: text\n",
        "      summary: { type: text, pii: sensitive }\n",
    )
    .replace(
        "      details: text\n",
        "      notes: { type: text, renamed_from: details }\n      effort: { type: integer, default: 1, min: 0 }\n",
    )
    .replace("[low, normal, high]", "[low, normal, high, urgent]")
    .replace("      color: { type: string, max: 7 }\n", "")
        + "  Comment:\n    fields:\n      body: { type: text, required: true }\n    relations:\n      task: { to: Task, required: true, on_delete: cascade }\n"
}

/// Signs in a member and an admin (accounts made as the generated tests
/// make them) and creates a project, a task and a label through the API
/// of v1.
const INSERT_THROUGH_THE_API: &str = r##"
from tests.conftest import Api, make_user
from evolving.main import create_app
from evolving.settings import get_settings

app = create_app(get_settings())
member = Api(app)
assert member.login(make_user("member", "member@example.com")).status_code == 200
r = member.post("/projects", json={"name": "Apollo", "summary": "the secret plan"})
assert r.status_code == 201, r.text
project = r.json()["id"]
task = {"title": "Launch", "details": "count down", "priority": "high", "project_id": project}
r = member.post("/tasks", json=task)
assert r.status_code == 201, r.text
admin = Api(app)
assert admin.login(make_user("admin", "admin@example.com")).status_code == 200
r = admin.post("/labels", json={"name": "red", "color": "#ff0000"})
assert r.status_code == 201, r.text
print("inserted")
"##;

/// Reads the rows back through the API of v2.
const READ_THROUGH_THE_API: &str = r#"
from tests.conftest import Api
from evolving.main import create_app
from evolving.settings import get_settings

app = create_app(get_settings())
member = Api(app)
assert member.login("member@example.com").status_code == 200
r = member.get("/projects")
assert r.status_code == 200, r.text
[project] = r.json()["items"]
assert project["summary"] == "the secret plan", project
r = member.get("/tasks")
assert r.status_code == 200, r.text
[task] = r.json()["items"]
assert (task["notes"], task["effort"], task["priority"]) == ("count down", 1, "high"), task
assert "details" not in task, task
print("read back")
"#;

fn run(command: &mut Command) -> String {
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("{command:?} cannot be run: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{command:?} failed:\n{text}");
    text
}

fn psql(url: &str, sql: &str) -> String {
    run(Command::new("psql").args([url, "-v", "ON_ERROR_STOP=1", "-qAtc", sql]))
}

#[test]
fn a_changed_spec_migrates_a_database_with_rows() {
    if archgen_tests::skip_slow_tests() {
        return;
    }
    let cluster = archgen_tests::pg_cluster_url();
    let dir = archgen_tests::workspace_root().join("target/evolve/project");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("the project directory is created");

    generate(&parse(V1), &dir, false).expect("v1 generates");
    let venv = archgen_tests::projects::shared_venv(&dir);
    let bin = venv.join("bin");
    // `make` targets the generated tests call use `.venv`.
    let _ = std::os::unix::fs::symlink(&venv, dir.join(".venv"));
    psql(&cluster, "DROP DATABASE IF EXISTS evolve_rt WITH (FORCE)");
    psql(&cluster, "CREATE DATABASE evolve_rt");
    let base = cluster.rsplit_once('/').map(|(b, _)| b).unwrap_or(&cluster);
    let url = format!("{base}/evolve_rt");
    let tool = |name: &str| {
        let mut c = Command::new(bin.join(name));
        c.current_dir(&dir)
            .env("PYTHONPATH", "src")
            .env("DATABASE_URL", &url)
            .env("SECRET_KEY", "evolve-secret-key-long-enough-for-tests")
            .env("ENCRYPTION_KEYS", ENCRYPTION_KEY)
            .env("COOKIE_SECURE", "false")
            .env_remove("REDIS_URL");
        c
    };
    run(tool("alembic").args(["upgrade", "head"]));
    // Rows made through the API, as users make them.
    let made = run(tool("python").args(["-c", INSERT_THROUGH_THE_API]));
    assert!(made.contains("inserted"), "{made}");
    let initial = std::fs::read(dir.join("migrations/versions/0001_initial.py"))
        .expect("the initial migration");

    // Two files edited by hand, away from what v2 changes in them.
    let models = dir.join("src/evolving/models.py");
    let readme = dir.join("README.md");
    let read = |p: &Path| std::fs::read_to_string(p).expect("a generated file");
    let docstring = "\"\"\"The database tables, as typed SQLAlchemy models.\n";
    let edited_doc = "\"\"\"The database tables, as typed SQLAlchemy models (kept by hand).\n";
    assert!(read(&models).starts_with(docstring), "{}", read(&models));
    std::fs::write(&models, read(&models).replacen(docstring, edited_doc, 1)).unwrap();
    let ours = "Our team's notes on running this service live in the wiki.\n\n";
    let text = read(&readme);
    let (title, rest) = text.split_once("\n\n").expect("a title, then text");
    std::fs::write(&readme, format!("{title}\n\n{ours}{rest}")).unwrap();

    // Dropping `Label.color` is destructive: refused, and nothing written.
    let spec = parse(&v2());
    let err = generate(&spec, &dir, false).unwrap_err();
    assert!(
        matches!(&err, RenderError::Destructive { steps } if steps.iter().any(|s| s.contains("labels.color"))),
        "{err}"
    );
    assert!(!dir.join("src/evolving/routers/comments.py").exists());
    let evolution = generate(&spec, &dir, true)
        .expect("v2 generates with destructive steps allowed")
        .expect("python-fastapi keeps revisions");
    // The hand edits are merged with v2's changes to the same files.
    let merged = read(&models);
    assert!(merged.starts_with(edited_doc), "{merged}");
    assert!(merged.contains("class Comment("), "{merged}");
    assert!(read(&readme).contains(ours), "{}", read(&readme));
    assert!(!merged.contains("<<<<<<<") && !read(&readme).contains("<<<<<<<"));
    let revision = evolution.revision.expect("a new revision");
    assert_eq!(revision.id, "0002");
    assert_eq!(
        std::fs::read(dir.join("migrations/versions/0001_initial.py")).unwrap(),
        initial,
        "the applied migration is never regenerated"
    );
    let kinds: Vec<String> = evolution.steps.iter().map(|s| s.summary.clone()).collect();
    assert!(
        kinds
            .iter()
            .any(|s| s.starts_with("rename column `tasks.details`")),
        "{kinds:?}"
    );

    run(tool("alembic").args(["upgrade", "head"]));
    run(tool("alembic").arg("check"));
    assert_eq!(
        psql(
            &url,
            "SELECT notes || '|' || effort || '|' || priority FROM tasks"
        )
        .trim(),
        "count down|1|high"
    );
    assert_eq!(psql(&url, "SELECT name FROM labels").trim(), "red");
    let stored = psql(&url, "SELECT summary FROM projects");
    assert!(
        !stored.contains("secret plan"),
        "the sensitive value is encrypted at rest: {stored}"
    );
    // Read back through the API of v2: the values kept, decrypted by the app.
    let read = run(tool("python").args(["-c", READ_THROUGH_THE_API]));
    assert!(read.contains("read back"), "{read}");

    // The downgrade decrypts and renames back; the upgrade again.
    run(tool("alembic").args(["downgrade", "-1"]));
    assert_eq!(
        psql(&url, "SELECT summary FROM projects").trim(),
        "the secret plan"
    );
    assert_eq!(psql(&url, "SELECT details FROM tasks").trim(), "count down");
    run(tool("alembic").args(["upgrade", "head"]));
    run(tool("alembic").arg("check"));

    // Regenerating the same spec adds nothing.
    let again = generate(&spec, &dir, false)
        .expect("v2 again")
        .expect("python-fastapi keeps revisions");
    assert!(again.steps.is_empty() && again.revision.is_none());

    // The quality gate, on a fresh database migrated through both
    // revisions: the project's lint (ruff, ruff format, mypy) and its whole
    // test suite are its `lint` and `test` stages. The client surfaces are
    // left to the example and corpus gates: what this test judges is the
    // backend after a migration.
    let _ = std::fs::remove_file(dir.join(".venv"));
    let options = gate::VerifyOptions {
        skip_client: true,
        ..gate::VerifyOptions::default()
    };
    let report = archgen_tests::projects::gate_with(&dir, &cluster, options);
    assert!(
        report.passed,
        "the v2 project fails the gate (score {}):\n{}",
        report.score,
        archgen_tests::projects::why_failed(&report, &dir)
    );
}

/// Slow: corpus specs and an edit of each (`corpus::edited`) go through
/// PostgreSQL: the v1 project is migrated, the edited spec regenerated
/// (destructive steps allowed), and its revision must apply on the
/// database at v1, leave `alembic check` clean, go down and up again, and
/// pass ruff. Four seeds by default; `ARCHGEN_CORPUS` selects as for the
/// corpus test.
#[test]
fn corpus_edits_migrate_a_database_at_the_previous_version() {
    if archgen_tests::skip_slow_tests() {
        return;
    }
    let cluster = archgen_tests::pg_cluster_url();
    let base = cluster
        .rsplit_once('/')
        .map(|(b, _)| b)
        .unwrap_or(&cluster)
        .to_string();
    let seeds: Vec<u64> = match std::env::var("ARCHGEN_CORPUS") {
        Ok(_) => corpus::selected_seeds(),
        Err(_) => corpus::selected_seeds().into_iter().take(4).collect(),
    };
    let mut failed = Vec::new();
    for seed in seeds {
        let (spec, changed, done) = edited_pair(seed, seed * 31);
        let dir = archgen_tests::workspace_root()
            .join("target/evolve/corpus")
            .join(format!("{seed:02}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("the project directory is created");
        generate(&spec, &dir, false).expect("v1 generates");
        let bin = archgen_tests::projects::shared_venv(&dir).join("bin");
        let db = format!("evolve_corpus_{seed:02}");
        psql(
            &cluster,
            &format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"),
        );
        psql(&cluster, &format!("CREATE DATABASE {db}"));
        let url = format!("{base}/{db}");
        let tool = |name: &str| {
            let mut c = Command::new(bin.join(name));
            c.current_dir(&dir)
                .env("PYTHONPATH", "src")
                .env("DATABASE_URL", &url)
                .env("SECRET_KEY", "evolve-secret-key-long-enough-for-tests")
                .env("ENCRYPTION_KEYS", ENCRYPTION_KEY)
                .env_remove("REDIS_URL");
            c
        };
        let attempt = || -> Result<(), String> {
            let ok = |c: &mut Command| -> Result<(), String> {
                let out = c.output().map_err(|e| e.to_string())?;
                if out.status.success() {
                    Ok(())
                } else {
                    Err(format!(
                        "{c:?}:\n{}{}",
                        String::from_utf8_lossy(&out.stdout),
                        String::from_utf8_lossy(&out.stderr)
                    ))
                }
            };
            ok(tool("alembic").args(["upgrade", "head"]))?;
            let evolution = generate(&changed, &dir, true)
                .map_err(|e| e.to_string())?
                .ok_or("python-fastapi keeps revisions")?;
            match (&evolution.revision, evolution.steps.is_empty()) {
                // Edits that undo each other: nothing to migrate.
                (None, true) => return ok(tool("alembic").arg("check")),
                (Some(_), false) => {}
                _ => return Err(format!("revision and steps disagree: {evolution:?}")),
            }
            ok(tool("alembic").args(["upgrade", "head"]))?;
            ok(tool("alembic").arg("check"))?;
            ok(tool("alembic").args(["downgrade", "-1"]))?;
            ok(tool("alembic").args(["upgrade", "head"]))?;
            ok(tool("ruff").args(["format", "--check", "migrations"]))?;
            ok(tool("ruff").args(["check", "migrations"]))
        };
        match attempt() {
            Ok(()) => {
                eprintln!("evolve corpus seed {seed:02}: passed ({})", done.join("; "));
                let _ = std::fs::remove_dir_all(&dir);
            }
            Err(e) => {
                eprintln!("evolve corpus seed {seed:02}: FAILED ({})", done.join("; "));
                failed.push(format!("seed {seed:02} ({}): {e}", done.join("; ")));
            }
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n\n"));
}
