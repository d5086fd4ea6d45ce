//! The quality gate catches each kind of breakage: deliberately broken
//! copies of a generated project (a syntax error, a failing project test, a
//! broken access rule) fail the stage or the conformance check that names
//! the problem. Each case runs only the stages it judges and those before
//! them. The control, the intact project passing every stage, is the gate
//! `scripts/test` runs on `examples/specs/tasks.yaml` (the spec copied here),
//! and the corpus test's gate on other specs.
//!
//! The example `tasks` spec is generated once into `target/gate-tests/base`
//! and installed once; every broken copy links to its `.venv`, and pip's
//! cache is shared (`PIP_CACHE_DIR`), so installs are paid once. The runs
//! use the throwaway PostgreSQL of `scripts/pg-start`, except one that lets
//! the gate start a cluster of its own.
//!
//! Slow: runs only with `ARCHGEN_SLOW_TESTS=1` (`scripts/test` sets it).

use gate::{Project, QualityReport, StageStatus, VerifyOptions};
use stacks::{Stack, VerificationPlan};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

fn root() -> PathBuf {
    archgen_tests::workspace_root()
}

fn spec_path() -> PathBuf {
    root().join("examples/specs/tasks.yaml")
}

fn spec() -> blueprint_core::spec::Spec {
    blueprint_core::spec::parse_file(&spec_path())
        .expect("a valid example")
        .spec
}

/// Renders the spec into `dir` the way `archgen generate` does.
fn render_into(dir: &Path) {
    let spec = spec();
    let engine = render::Engine::with_builtins();
    let options = render::Options::new();
    let generated = render::generate(&spec, &engine, &options).expect("renders");
    let write = render::write::WriteOptions::for_render(&options)
        .with_force(true)
        .with_spec(blueprint_core::spec::to_yaml(&spec));
    render::write::write_tree(&generated.tree, dir, &generated.spec_hash, &write).expect("writes");
}

/// The generated and installed project every test copies.
fn base() -> &'static Path {
    static BASE: OnceLock<PathBuf> = OnceLock::new();
    BASE.get_or_init(|| {
        let dir = root().join("target/gate-tests/base");
        render_into(&dir);
        let out = Command::new("make")
            .arg("install")
            .current_dir(&dir)
            .env("PIP_CACHE_DIR", gate::cache_dir().join("pip"))
            .output()
            .unwrap_or_else(|e| panic!("make cannot be run ({e}): install GNU make"));
        assert!(
            out.status.success(),
            "make install: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        dir
    })
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("readable") {
        let entry = entry.expect("entry");
        let name = entry.file_name();
        if name == ".venv" || name == "__pycache__" || name == ".mypy_cache" {
            continue;
        }
        let kind = entry.file_type().expect("type");
        if kind.is_dir() {
            copy_dir(&entry.path(), &to.join(&name));
        } else if kind.is_file() {
            std::fs::copy(entry.path(), to.join(&name)).expect("copy");
        }
    }
}

/// A fresh copy of the base project named `name`, sharing its `.venv`.
fn copy_of(name: &str) -> PathBuf {
    let base = base();
    let dir = root().join("target/gate-tests").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(base, &dir);
    std::os::unix::fs::symlink(base.join(".venv"), dir.join(".venv")).expect("link the venv");
    // The copied lock file is newer than the install mark: mark it again so
    // make does not reinstall.
    std::fs::write(base.join(".venv/.installed"), b"").expect("touch");
    dir
}

fn edit(dir: &Path, path: &str, f: impl FnOnce(String) -> String) {
    let file = dir.join(path);
    let text = std::fs::read_to_string(&file).expect("a generated file");
    let new = f(text.clone());
    assert_ne!(text, new, "the edit of {path} changed nothing");
    std::fs::write(&file, new).expect("write");
}

/// The python-fastapi stack with some stages of its plan left out.
struct Without(&'static [&'static str]);

impl Stack for Without {
    fn id(&self) -> &'static str {
        "python-fastapi"
    }
    fn description(&self) -> &'static str {
        "python-fastapi, fewer stages"
    }
    fn templates(&self) -> Vec<stacks::Template> {
        stacks::python_fastapi::PythonFastapi.templates()
    }
    fn plan(
        &self,
        model: &model::AppModel,
    ) -> Result<Vec<stacks::PlannedFile>, stacks::StackError> {
        stacks::python_fastapi::PythonFastapi.plan(model)
    }
    fn verification(&self) -> VerificationPlan {
        let mut plan = stacks::python_fastapi::PythonFastapi.verification();
        plan.stages.retain(|s| !self.0.contains(&s.name.as_str()));
        plan
    }
}

/// The gate's own stages after `run` that a case needs; the others are
/// left out and reported as skipped.
#[derive(Debug, Default, Clone, Copy)]
struct Needs {
    /// `client`, `admin` and `mobile`.
    clients: bool,
    fuzz: bool,
    faults: bool,
}

impl Needs {
    const EVERY_STAGE: Needs = Needs {
        clients: true,
        fuzz: true,
        faults: true,
    };
}

fn run_gate(
    dir: &Path,
    stack: &dyn Stack,
    database_url: Option<String>,
    needs: Needs,
) -> QualityReport {
    let project = Project::load(dir, None, &render::Engine::with_builtins())
        .expect("the project and its kept spec");
    let options = VerifyOptions {
        database_url,
        skip_client: !needs.clients,
        skip_fuzz: !needs.fuzz,
        skip_faults: !needs.faults,
        ..VerifyOptions::default()
    };
    let report = gate::verify(&project, stack, &options, &gate::Quiet).expect("the gate runs");
    std::fs::write(dir.join("gate-report.json"), report.to_json()).expect("report");
    report
}

fn status_of(report: &QualityReport, stage: &str) -> StageStatus {
    report
        .stages
        .iter()
        .find(|s| s.name == stage)
        .unwrap_or_else(|| panic!("no stage {stage}"))
        .status
}

fn check<'r>(report: &'r QualityReport, name: &str) -> &'r gate::CheckResult {
    report
        .stages
        .iter()
        .flat_map(|s| &s.results)
        .find(|r| r.name == name)
        .unwrap_or_else(|| panic!("no check {name}"))
}

#[test]
fn a_syntax_error_fails_lint_on_a_cluster_of_the_gates_own() {
    if archgen_tests::skip_slow_tests() {
        return;
    }
    let dir = copy_of("syntax-error");
    edit(&dir, "src/team_tasks/routers/labels.py", |t| {
        t + "\ndef broken(:\n    pass\n"
    });
    let stack = stacks::python_fastapi::PythonFastapi;
    // No database URL: the gate starts (and removes) its own cluster.
    let report = run_gate(&dir, &stack, None, Needs::EVERY_STAGE);
    assert!(!report.passed);
    assert_eq!(report.failed_stages(), ["lint"], "{}", report.to_json());
    assert_eq!(status_of(&report, "test"), StageStatus::Skipped);
    assert_eq!(status_of(&report, "conformance"), StageStatus::Skipped);
    let lint = report
        .stages
        .iter()
        .find(|s| s.name == "lint")
        .expect("lint");
    assert!(
        lint.log_excerpt.contains("labels.py"),
        "{}",
        lint.log_excerpt
    );
}

#[test]
fn a_failing_project_test_fails_the_test_stage() {
    if archgen_tests::skip_slow_tests() {
        return;
    }
    let dir = copy_of("failing-test");
    std::fs::write(
        dir.join("tests/test_broken_on_purpose.py"),
        "\"\"\"A test that fails on purpose.\"\"\"\n\n\ndef test_fails_on_purpose() -> None:\n    \"\"\"The gate must catch this.\"\"\"\n    assert len(\"gate\") == 5\n",
    )
    .expect("write the test");
    // Only the stage under test runs, on a suite of the broken test and the
    // project's fixtures: the whole suite and the stages after it are
    // proven by the intact project's gate.
    for entry in std::fs::read_dir(dir.join("tests")).expect("tests/") {
        let path = entry.expect("an entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with("test_") && name != "test_broken_on_purpose.py" {
            std::fs::remove_file(&path).expect("remove a test module");
        }
    }
    let report = run_gate(
        &dir,
        &Without(&["lint", "run"]),
        Some(archgen_tests::pg_cluster_url()),
        Needs::default(),
    );
    assert!(!report.passed);
    assert_eq!(report.failed_stages(), ["test"], "{}", report.to_json());
    let test = report
        .stages
        .iter()
        .find(|s| s.name == "test")
        .expect("test");
    assert!(
        test.log_excerpt.contains("test_fails_on_purpose"),
        "{}",
        test.log_excerpt
    );
}

#[test]
fn a_database_fault_answered_500_fails_the_faults_stage() {
    if archgen_tests::skip_slow_tests() {
        return;
    }
    let dir = copy_of("fault-500");
    // The app no longer tells a database that is away from a bug.
    edit(&dir, "src/team_tasks/faults.py", |t| {
        t.replacen(
            "    if isinstance(error, exc.TimeoutError",
            "    return False\n    if isinstance(error, exc.TimeoutError",
            1,
        )
    });
    let report = run_gate(
        &dir,
        &Without(&["lint", "test"]),
        Some(archgen_tests::pg_cluster_url()),
        Needs {
            faults: true,
            ..Needs::default()
        },
    );
    assert!(!report.passed);
    assert_eq!(report.failed_stages(), ["faults"], "{}", report.to_json());
    let errors = check(&report, "faults.no_server_error");
    assert!(!errors.passed, "{}", report.to_json());
    assert!(errors.detail.contains("500"), "{}", errors.detail);
    assert!(check(&report, "faults.rows_kept").passed);
}

#[test]
fn a_broken_access_rule_fails_its_conformance_check() {
    if archgen_tests::skip_slow_tests() {
        return;
    }
    let dir = copy_of("broken-access");
    // Members may not delete tasks; give them every task.
    edit(&dir, "src/team_tasks/permissions.py", |t| {
        let task = t.find("\"Task\": {").expect("the Task rules");
        let delete = task + t[task..].find("\"delete\": {").expect("Task delete");
        let member = delete
            + t[delete..]
                .find("\"member\": \"none\"")
                .expect("member none");
        format!(
            "{}\"member\": \"all\"{}",
            &t[..member],
            &t[member + "\"member\": \"none\"".len()..]
        )
    });
    // The project's own tests would catch it first; the suite must too.
    let report = run_gate(
        &dir,
        &Without(&["lint", "test"]),
        Some(archgen_tests::pg_cluster_url()),
        Needs::default(),
    );
    assert!(!report.passed);
    let broken = check(&report, "access.Task.delete.member");
    assert!(!broken.passed, "{}", report.to_json());
    assert!(broken.detail.contains("expected 403"), "{}", broken.detail);
    assert!(check(&report, "access.Task.delete.manager").passed);
}

#[test]
fn a_failing_client_test_fails_the_client_stage() {
    if archgen_tests::skip_slow_tests() {
        return;
    }
    let dir = copy_of("client-test");
    // The typed client's own test now expects the wrong user back.
    edit(&dir, "clients/ts/test/client.test.ts", |t| {
        let right = "assert.equal(me.email, address);";
        assert!(t.contains(right), "the session test");
        t.replacen(
            right,
            "assert.equal(me.email, \"someone-else@example.com\");",
            1,
        )
    });
    let report = run_gate(
        &dir,
        &Without(&["lint", "test"]),
        Some(archgen_tests::pg_cluster_url()),
        Needs {
            clients: true,
            ..Needs::default()
        },
    );
    assert!(!report.passed);
    assert_eq!(report.failed_stages(), ["client"], "{}", report.to_json());
    let client = report
        .stages
        .iter()
        .find(|s| s.name == "client")
        .expect("client");
    assert!(
        client.log_excerpt.contains("someone-else@example.com"),
        "{}",
        client.log_excerpt
    );
}

#[test]
fn a_server_error_fails_the_fuzz_stage_naming_the_operation() {
    if archgen_tests::skip_slow_tests() {
        return;
    }
    let dir = copy_of("server-error");
    // Every list of labels fails inside the app.
    edit(&dir, "src/team_tasks/routers/labels.py", |t| {
        let body = "    return answer(service.find_page(read, actor, query))\n";
        assert!(t.contains(body), "the labels list handler");
        t.replacen(body, "    raise RuntimeError(\"broken on purpose\")\n", 1)
    });
    let report = run_gate(
        &dir,
        &Without(&["lint", "test"]),
        Some(archgen_tests::pg_cluster_url()),
        Needs {
            fuzz: true,
            ..Needs::default()
        },
    );
    assert!(!report.passed);
    assert_eq!(status_of(&report, "fuzz"), StageStatus::Failed);
    let fuzz = report
        .stages
        .iter()
        .find(|s| s.name == "fuzz")
        .expect("fuzz");
    assert!(
        fuzz.details
            .iter()
            .any(|d| d.file == "GET /api/labels" && d.message.contains("Server error")),
        "{}",
        report.to_json()
    );
}

#[test]
fn a_lint_error_and_a_format_error_are_both_reported() {
    if archgen_tests::skip_slow_tests() {
        return;
    }
    let dir = copy_of("lint-and-format");
    edit(&dir, "src/team_tasks/routers/labels.py", |t| {
        t.replacen("import uuid\n", "import os\nimport uuid\n", 1)
    });
    edit(&dir, "tests/test_tasks.py", |t| {
        t + "\n\nx = {  \"a\":1 }\n"
    });
    let stack = stacks::python_fastapi::PythonFastapi;
    let report = run_gate(
        &dir,
        &stack,
        Some(archgen_tests::pg_cluster_url()),
        Needs::EVERY_STAGE,
    );
    assert_eq!(report.failed_stages(), ["lint"], "{}", report.to_json());
    let lint = report
        .stages
        .iter()
        .find(|s| s.name == "lint")
        .expect("lint");
    let unused = lint
        .details
        .iter()
        .find(|d| d.file == "src/team_tasks/routers/labels.py")
        .unwrap_or_else(|| panic!("no ruff check finding: {:#?}", lint.details));
    assert!(unused.message.contains("F401"), "{unused:?}");
    assert!(unused.line.is_some(), "{unused:?}");
    let format = lint
        .details
        .iter()
        .find(|d| d.file == "tests/test_tasks.py")
        .unwrap_or_else(|| panic!("no format finding: {:#?}", lint.details));
    assert!(format.message.contains("reformat"), "{format:?}");
}

#[test]
fn a_second_run_reuses_the_passing_run_and_the_tests_until_a_file_changes() {
    if archgen_tests::skip_slow_tests() {
        return;
    }
    let dir = copy_of("reused-tests");
    // One small module of the project's tests: what is judged here is
    // whether the stage runs, not the suite.
    for entry in std::fs::read_dir(dir.join("tests")).expect("tests/") {
        let path = entry.expect("an entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with("test_") && name != "test_health.py" {
            std::fs::remove_file(&path).expect("remove a test module");
        }
    }
    let cache = tempfile::tempdir().expect("a cache directory");
    let stack = Without(&["lint", "run"]);
    let project = Project::load(&dir, None, &render::Engine::with_builtins()).expect("the project");
    // Whether the whole run was reused, and whether the tests were.
    let run = |fresh: bool| {
        let options = VerifyOptions {
            database_url: Some(archgen_tests::pg_cluster_url()),
            cache_dir: Some(cache.path().to_path_buf()),
            fresh,
            skip_client: true,
            skip_fuzz: true,
            skip_faults: true,
            ..VerifyOptions::default()
        };
        let report = gate::verify(&project, &stack, &options, &gate::Quiet).expect("the gate runs");
        let test = report
            .stages
            .iter()
            .find(|s| s.name == "test")
            .expect("a test stage")
            .clone();
        assert_eq!(test.status, StageStatus::Passed, "{}", report.to_json());
        assert!(report.passed, "{}", report.to_json());
        (
            report.reused_from.is_some(),
            test.steps.iter().any(|s| s.reused),
        )
    };
    assert_eq!(run(false), (false, false), "a first run runs the tests");
    assert!(
        run(false).0,
        "a second run on the same inputs reuses the first one's report"
    );
    assert_eq!(run(true), (false, false), "--fresh runs it all");
    // A file the backend is not made of: the run is made, the tests'
    // pass still holds.
    std::fs::create_dir_all(dir.join("clients")).expect("clients/");
    std::fs::write(dir.join("clients/NOTES.md"), "edited\n").expect("a note");
    assert_eq!(
        run(false),
        (false, true),
        "a file outside the backend runs the gate, not the tests"
    );
    edit(&dir, "tests/test_health.py", |t| t + "\n# edited\n");
    assert_eq!(run(false), (false, false), "an edited test runs them again");
}
